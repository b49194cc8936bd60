"""Sheet columns: every column is one the schema knows, or an explicit extra column.

A misspelled optional column (``Parental``, ``Sex``, ``fastq_1``) would otherwise be
ignored and its values lost without a word (every line in line-only mode, every sex
unknown). So a column the schema does not describe is refused, with the known column
it most likely means. Columns of the user's own (batch, freezer box, ...) are allowed
when named ``x_<anything>``: they are kept in the sheet and never read by the workflow.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

#: Prefix of the extra columns a sheet may carry; the workflow never reads them.
EXTRA_COLUMN_PREFIX = "x_"

#: Other names in use for the sheet columns (nf-core sample sheets, facility exports).
COLUMN_ALIASES = {
    "fastq1": "fq1",
    "fastq_1": "fq1",
    "read1": "fq1",
    "r1": "fq1",
    "fastq2": "fq2",
    "fastq_2": "fq2",
    "read2": "fq2",
    "r2": "fq2",
    "sampleid": "sample",
    "sample_id": "sample",
    "samplename": "sample",
    "donorid": "donor",
    "donor_id": "donor",
    "patient": "donor",
    "individual": "donor",
    "parent": "parental",
    "parental_sample": "parental",
    "reference_sample": "parental",
    "gender": "sex",
    "lane": "unit",
    "run": "unit",
    "comment": "notes",
    "comments": "notes",
    "note": "notes",
    "description": "notes",
    "type": "role",
}


def _folded(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def likely_column(name: str, known: list[str]) -> str | None:
    """The known column an unknown header name most likely means, or None."""
    folded = _folded(name)
    by_fold = {_folded(column): column for column in known}
    if folded in by_fold:
        return by_fold[folded]
    alias = COLUMN_ALIASES.get(folded) or COLUMN_ALIASES.get(folded.replace("_", ""))
    if alias in known:
        return alias
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.75)
    return by_fold[close[0]] if close else None


def unknown_column_problems(
    header: Iterable[str], known: Iterable[str], path, header_line: int
) -> list[str]:
    """One line per header column that is neither known nor an ``x_`` extra column."""
    known = list(known)
    present = set(header)
    problems = []
    for name in header:
        if not name or name in known or name.startswith(EXTRA_COLUMN_PREFIX):
            continue
        guess = likely_column(name, known)
        if guess and guess not in present:
            problem = f"unknown column; did you mean {guess!r}?"
        elif guess:
            problem = f"unknown column (the sheet also has {guess!r})."
        else:
            problem = "unknown column."
        problems.append(
            f"{path}, line {header_line}, field {name!r}: {problem} Columns are"
            f" {', '.join(known)}; a column of your own must be named"
            f" {EXTRA_COLUMN_PREFIX}<name> (kept, never read)"
        )
    return problems
