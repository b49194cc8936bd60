"""BED files: chrom, start, end (0-based half-open) and an optional name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .text import open_text

BED_COLUMNS = ["chrom", "start", "end", "name"]


def _is_data(line: str) -> bool:
    return bool(line.strip()) and not line.startswith(("#", "track", "browser"))


def read_bed(path: str | Path, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The intervals of a BED file (plain or gzipped); comment, track and browser lines
    are skipped; a missing name column gives empty names. ``extra`` names the columns
    after the name that are kept (as strings; empty when a line has fewer)."""
    rows = []
    width = 4 + len(extra)
    with open_text(path) as handle:
        for line in handle:
            if not _is_data(line):
                continue
            parts = line.rstrip("\r\n").split("\t")
            parts += [""] * (width - len(parts))
            rows.append((parts[0], int(parts[1]), int(parts[2]), *parts[3:width]))
    columns = BED_COLUMNS + list(extra)
    return pd.DataFrame(rows, columns=columns).astype({"start": "int64", "end": "int64"})


def bed_contigs(path: str | Path) -> set[str]:
    """Contig names used by a BED file."""
    with open_text(path) as handle:
        return {line.split("\t", 1)[0] for line in handle if _is_data(line)}
