"""Build-specific BED files of the toy genome, written for the generated scale.

The copy-number check needs the centromeres of the genome it runs on and the recurrent
hPSC regions on that genome (resources/*/GRCh38.bed for the real build). For the toy
genome both follow from the generated layout, so the generator writes them next to
the FASTA and the toy config points at them: any genome scale gets coordinates that
agree with its contigs and genes. Coordinates are 0-based half-open.
"""

from __future__ import annotations

from pathlib import Path

from .genes import GeneModel
from .genome import Contig

# Whole arms that the recurrent-region list of the real build names (usual direction).
ARM_REGIONS = [
    ("chr1", "q", "1q", "gain"),
    ("chr12", "p", "12p", "gain"),
    ("chr17", "p", "17p", "loss"),
    ("chr17", "q", "17q", "gain"),
    ("chr18", "q", "18q", "loss"),
]


def centromere_rows(contigs: list[Contig]) -> list[tuple]:
    return [(c.name, c.centromere_start, c.centromere_end, "cen") for c in contigs]


def recurrent_region_rows(contigs: list[Contig], models: list[GeneModel]) -> list[tuple]:
    """Arms from the centromeres; 20q11.21 from HM13 to DNMT3B and BCL2L1 alone; X whole."""
    by_name = {c.name: c for c in contigs}
    genes = {m.name: m for m in models}
    rows = []
    for chrom, arm, name, direction in ARM_REGIONS:
        contig = by_name[chrom]
        start, end = (
            (0, contig.centromere_start) if arm == "p" else (contig.centromere_end, contig.length)
        )
        rows.append((chrom, start, end, name, direction))
    rows.append(("chr20", genes["HM13"].start, genes["DNMT3B"].end, "20q11.21", "gain"))
    bcl2l1 = genes["BCL2L1"]
    rows.append(("chr20", bcl2l1.start, bcl2l1.end, "20q11.21_BCL2L1", "gain"))
    rows.append(("chrX", 0, by_name["chrX"].length, "X", "gain"))
    return sorted(rows, key=lambda row: ([c.name for c in contigs].index(row[0]), row[1]))


def write_bed(path: Path, header: str, rows: list[tuple]) -> None:
    lines = [f"# {header}"] + ["\t".join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
