"""Every configured reprogramming gene must be a gene of the annotation.

The vectors check looks for transgene cDNA reads (reads joining exons without their
intron) of the genes in ``vectors.transgene_genes``, found by their GFF3 ``Name``. A
name the annotation lacks would be skipped without a word: the check would then say
nothing about that transgene. So each configured name must be a gene name of the
annotation; otherwise the problem names what the user most likely meant: the HGNC
symbol of a synonym (``OCT4`` -> ``POU5F1``), or the annotation's spelling of the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ipscqc.readers.gene_synonyms import GeneNames

SETTING = "vectors.transgene_genes"


def folded(name: str) -> str:
    """A gene name compared case-insensitively, without ``-``, ``_`` and spaces."""
    return re.sub(r"[-_\s]", "", name).upper()


def transgene_gene_problems(
    configured: Iterable[str],
    annotation_genes: set[str],
    synonyms: Mapping[str, GeneNames],
    annotation_path: str,
) -> list[str]:
    """One line per configured gene that is not a gene name of the annotation."""
    by_fold = {folded(name): name for name in annotation_genes}
    symbol_of = {}
    for gene in synonyms.values():
        for name in [gene.symbol, *gene.synonyms]:
            symbol_of.setdefault(folded(name), gene)
    problems = []
    for name in configured:
        if name in annotation_genes:
            continue
        where = f"config: {SETTING}: {name!r} is not a gene name of {annotation_path}"
        spelled = by_fold.get(folded(name))
        gene = symbol_of.get(folded(name))
        if spelled:
            problems.append(f"{where}; it has {spelled!r}: write {spelled}")
        elif gene and gene.symbol in annotation_genes:
            problems.append(
                f"{where}; {name} is a synonym of {gene.symbol} ({gene.hgnc_id}), which the"
                f" annotation has: write {gene.symbol}"
            )
        elif gene:
            others = [n for n in [gene.symbol, *gene.synonyms] if folded(n) != folded(name)]
            problems.append(
                f"{where}, nor is any of its names ({', '.join(others)}): the annotation"
                f" lacks {gene.symbol} ({gene.hgnc_id}); remove it from {SETTING} or use a"
                " complete annotation"
            )
        else:
            problems.append(
                f"{where} (nor a known synonym of a reprogramming gene): use the gene's"
                f" Name in the annotation, or remove it from {SETTING}"
            )
    return problems
