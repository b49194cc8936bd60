"""BED files: chrom, start, end (0-based half-open) and an optional name.

Read as tools and editors write them: plain or gzip-compressed (told from the content),
CRLF line ends, a byte-order mark, surrounding whitespace in cells, empty trailing
columns; comment (``#``), ``track`` and ``browser`` lines are skipped. A line without
any tab whose fields are separated by spaces is read the same way when it is
unambiguous (at least three fields, start and end whole numbers): the BED files of
the workflow are read only by its own Python code. Every other line that is not an
interval is a problem naming the file and the line. An empty interval (start = end) is
valid BED (the toy centromere file uses ``0 0`` for a contig without a centromere);
where an interval must hold bases, the caller checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .text import open_text

BED_COLUMNS = ["chrom", "start", "end", "name"]
MAX_REPORTED = 5


class BedError(ValueError):
    """A BED file with lines that are not intervals; ``errors`` has one line each."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class BedScan:
    """The intervals of a BED file and the problems of its other lines."""

    path: str
    rows: list[tuple[int, str, int, int, str]] = field(default_factory=list)  # line first
    problems: list[str] = field(default_factory=list)
    bad_lines: int = 0
    space_separated_lines: int = 0

    @property
    def contigs(self) -> set[str]:
        return {row[1] for row in self.rows}


def _is_data(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith(("#", "track", "browser"))


def split_bed_line(line: str) -> tuple[list[str], bool]:
    """The cells of a data line (stripped, empty trailing cells dropped), and whether
    they were separated by spaces instead of tabs."""
    text = line.rstrip("\r\n")
    spaced = "\t" not in text and " " in text.strip()
    cells = text.split() if spaced else [cell.strip() for cell in text.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells, spaced


def _line_problem(cells: list[str], line: str) -> str | None:
    if len(cells) < 3:
        hint = " (fields separated by spaces? BED needs tabs)" if " " in line.strip() else ""
        return f"{len(cells)} column(s); BED needs chrom, start, end{hint}"
    if not (cells[1].isdigit() and cells[2].isdigit()):
        hint = ""
        if cells[1].lower() in ("start", "chromstart", "begin"):
            hint = " (a header line? start it with '#')"
        return f"start and end must be whole numbers, not {cells[1]!r}, {cells[2]!r}{hint}"
    if int(cells[1]) > int(cells[2]):
        return f"start {int(cells[1])} is after end {int(cells[2])}"
    return None


def scan_bed(path: str | Path, max_reported: int = MAX_REPORTED) -> BedScan:
    """Every interval of a BED file, with its 1-based line, and one problem line per
    line that is not an interval (the first ``max_reported``, then a count)."""
    scan = BedScan(str(path))
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not _is_data(line):
                continue
            cells, spaced = split_bed_line(line)
            problem = _line_problem(cells, line)
            if problem:
                scan.bad_lines += 1
                if scan.bad_lines <= max_reported:
                    scan.problems.append(f"{path}, line {number}: {problem}")
                continue
            scan.space_separated_lines += spaced
            name = cells[3] if len(cells) > 3 else ""
            scan.rows.append((number, cells[0], int(cells[1]), int(cells[2]), name))
    if scan.bad_lines > max_reported:
        scan.problems.append(f"{path}: {scan.bad_lines - max_reported} more bad line(s) not listed")
    return scan


def no_intervals_problem(scan: BedScan) -> list[str]:
    """A BED file without any interval (only comments, or empty), as one problem line."""
    if scan.rows or scan.problems:
        return []
    return [f"{scan.path}: no intervals (the file is empty or holds only comment lines)"]


def read_bed(path: str | Path, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The intervals of a BED file (see the module); raises BedError naming the lines
    that are not intervals. ``extra`` names the columns after the name that are kept
    (as strings; empty when a line has fewer)."""
    scan = scan_bed(path)
    if scan.problems:
        raise BedError(scan.problems)
    rows = [row[1:] for row in scan.rows]
    if extra:
        wanted = {row[0] for row in scan.rows}
        cells_of = {}
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if number in wanted:
                    cells = split_bed_line(line)[0][4 : 4 + len(extra)]
                    cells_of[number] = cells + [""] * (len(extra) - len(cells))
        rows = [(*row[1:], *cells_of[row[0]]) for row in scan.rows]
    columns = BED_COLUMNS + list(extra)
    return pd.DataFrame(rows, columns=columns).astype({"start": "int64", "end": "int64"})


def bed_contigs(path: str | Path) -> set[str]:
    """Contig names used by the intervals of a BED file."""
    return scan_bed(path).contigs
