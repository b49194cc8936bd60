"""The gene synonyms table (resources/gene_synonyms/transgenes.tsv): symbol, synonym,
hgnc_id, ncbi_gene_id, tab-separated with a header."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class GeneNames:
    """A gene's HGNC symbol, its HGNC ID and its other names."""

    symbol: str
    hgnc_id: str = ""
    synonyms: list[str] = field(default_factory=list)


def read_gene_synonyms(path: str | Path) -> dict[str, GeneNames]:
    """``{symbol: GeneNames}`` in the order of the file."""
    genes: dict[str, GeneNames] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            gene = genes.setdefault(row["symbol"], GeneNames(row["symbol"], row["hgnc_id"]))
            gene.synonyms.append(row["synonym"])
    return genes
