"""Agreement of contig names across the reference, annotation, vector decoys and targets.

Coordinates are not used here; only names.
"""

from __future__ import annotations


def check_contigs(
    genome: list[str],
    annotation: set[str],
    annotation_path: str,
    vectors: list[str] = (),
    vectors_path: str = "",
    targets: set[str] = frozenset(),
    targets_path: str = "",
) -> list[str]:
    """Problems with contig names across reference, annotation, vectors and targets.

    The annotation and targets must only name reference contigs; decoy vector
    contigs must not share a name with a reference contig.
    """
    problems = []
    if len(set(genome)) != len(genome):
        problems.append("reference FASTA has duplicate contig names")
    known = set(genome)
    unknown = sorted(annotation - known)
    if unknown:
        problems.append(
            f"{annotation_path}: {len(unknown)} contig(s) not in the reference: "
            f"{', '.join(unknown[:5])}; reference has {', '.join(genome[:5])}"
        )
    if annotation and not annotation & known:
        problems.append(f"{annotation_path}: no contig in common with the reference")
    clash = sorted(known & set(vectors))
    if clash:
        problems.append(f"{vectors_path}: vector contig(s) named like reference contigs: {clash}")
    outside = sorted(targets - known)
    if outside:
        problems.append(f"{targets_path}: target contig(s) not in the reference: {outside[:5]}")
    return problems
