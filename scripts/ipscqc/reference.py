"""Reference genome facts: contig names and lengths, and their agreement across files.

Coordinates are not used here; only names and lengths.
"""

from __future__ import annotations

import gzip
from pathlib import Path


class ReferenceError(ValueError):
    """A reference, annotation or target file that does not fit the others."""


def _open_text(path: Path):
    with open(path, "rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt")
    return open(path)


def fasta_contigs(path: str | Path) -> list[str]:
    """Contig names of a FASTA, from its .fai when present, else from its headers."""
    path = Path(path)
    fai = Path(f"{path}.fai")
    if not path.exists():
        raise ReferenceError(f"{path}: reference FASTA not found")
    if fai.exists() and fai.stat().st_mtime >= path.stat().st_mtime:
        with open(fai) as handle:
            return [line.split("\t", 1)[0] for line in handle if line.strip()]
    names = []
    with _open_text(path) as handle:
        for line in handle:
            if line.startswith(">"):
                names.append(line[1:].split(maxsplit=1)[0])
    if not names:
        raise ReferenceError(f"{path}: no FASTA header ('>name') found")
    return names


def gff3_contigs(path: str | Path) -> set[str]:
    """Sequence names used by the features of a GFF3 file."""
    names = set()
    with _open_text(Path(path)) as handle:
        for line in handle:
            if line.startswith("##FASTA"):
                break
            if line.startswith("#") or not line.strip():
                continue
            names.add(line.split("\t", 1)[0])
    return names


def bed_contigs(path: str | Path) -> set[str]:
    names = set()
    with _open_text(Path(path)) as handle:
        for line in handle:
            if line.startswith(("#", "track", "browser")) or not line.strip():
                continue
            names.add(line.split("\t", 1)[0])
    return names


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
