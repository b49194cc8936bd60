"""FASTA contig names and FASTA index (.fai) lengths."""

from __future__ import annotations

from pathlib import Path

from .text import open_text


class ReferenceError(ValueError):
    """A reference, annotation or target file that does not fit the others."""


def fasta_contigs(path: str | Path) -> list[str]:
    """Contig names of a FASTA, from its .fai when present and newer, else its headers."""
    path = Path(path)
    fai = Path(f"{path}.fai")
    if not path.exists():
        raise ReferenceError(f"{path}: reference FASTA not found")
    if fai.exists() and fai.stat().st_mtime >= path.stat().st_mtime:
        return list(fai_lengths(fai))
    names = []
    with open_text(path) as handle:
        for line in handle:
            if line.startswith(">"):
                names.append(line[1:].split(maxsplit=1)[0])
    if not names:
        raise ReferenceError(f"{path}: no FASTA header ('>name') found")
    return names


def fai_lengths(path: str | Path) -> dict[str, int]:
    """Contig name -> length from a FASTA index, in reference order."""
    lengths = {}
    with open(path) as handle:
        for line in handle:
            if line.strip():
                fields = line.split("\t")
                lengths[fields[0]] = int(fields[1])
    return lengths
