"""Read and check the samples and units sheets.

Both sheets are tab-separated text with a header row, read by
:mod:`ipscqc.readers.sheet` (UTF-8 or UTF-16 with a byte-order mark, any line ends,
empty trailing columns dropped). Blank lines and lines whose first non-blank character
is ``#`` are skipped. Cells are read as text, surrounding whitespace is removed and
quotes have no special meaning. Every column must be one the sheet's schema describes
or an extra column named ``x_<name>`` (:mod:`ipscqc.sheet_columns`), so that a
misspelled column is never ignored.

Every problem is reported as one self-contained line::

    <file>, line <n> (<id>), field '<field>': <problem>

where ``<n>`` is the line number in the file (1-based, counting the header, comment and
blank lines, so an editor can jump to it), ``<id>`` is the sample ID (samples sheet) or
``<sample>/<unit>`` (units sheet) when the row has a valid one, and the ``(<id>)`` and
``, field '<field>'`` parts are left out when they do not apply. Problems with the file
as a whole read ``<file>: <problem>``.

All problems found are collected and raised together as one :class:`SheetError`, one
problem per line of its message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import yaml
from jsonschema import Draft202012Validator

from ipscqc.readers.sheet import SheetFormatError, read_sheet_table
from ipscqc.sheet_columns import unknown_column_problems

__all__ = [
    "ID_RE",
    "LINE_COLUMN",
    "SheetError",
    "check_sheets",
    "load_and_check",
    "load_samples",
    "load_units",
    "read_sheet",
]

#: Column holding the file line number of each row.
LINE_COLUMN = "_line"

#: Allowed sample, donor and unit IDs; they become parts of file names. The first
#: character must be a letter or digit, so "." and ".." and options like "-x" are out.
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

SAMPLE_ID_FIELDS = ("sample", "donor", "parental")
UNIT_ID_FIELDS = ("sample", "unit")


class SheetError(ValueError):
    """Invalid sample or unit sheet; ``errors`` holds one message per problem."""

    def __init__(self, errors: str | Iterable[str]):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


def _where(path, line=None, ident=None, field=None) -> str:
    """Format the location prefix of an error message."""
    text = str(path)
    if line is not None:
        text += f", line {line}"
        if ident:
            text += f" ({ident})"
    if field is not None:
        text += f", field '{field}'"
    return text


def _error(path, line, ident, field, problem) -> str:
    return f"{_where(path, line, ident, field)}: {problem}"


def _is_id(value) -> bool:
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None


def read_sheet(path, required: Iterable[str] = (), known: Iterable[str] | None = None):
    """Read a TSV sheet into a data frame of text cells.

    The file is read by :mod:`ipscqc.readers.sheet` (encodings, line ends, empty
    trailing columns as spreadsheets write them). Empty cells become ``""``; rows
    shorter than the header are padded with ``""``. The file line number of each row is
    kept in the integer column ``_line``. Raises SheetError if the file cannot be read,
    has no header or data rows, has duplicate or empty column names, a row with too
    many cells, lacks a column listed in ``required``, or, when ``known`` is given, has
    a column that is neither known nor an ``x_`` extra column.
    """
    try:
        table = read_sheet_table(path)
    except SheetFormatError as error:
        raise SheetError(error.errors) from None
    if not table.header:
        raise SheetError(_error(path, None, None, None, "sheet is empty (no header row)"))
    header, header_line, errors = table.header, table.header_line, list(table.problems)
    for index, name in enumerate(header):
        if not name:
            errors.append(_error(path, header_line, None, None, f"column {index + 1} has no name"))
        elif name in header[:index]:
            errors.append(_error(path, header_line, None, name, "duplicate column name"))
    if known is not None:
        errors += unknown_column_problems(header, known, path, header_line)
    found = ", ".join(repr(name) for name in header)
    for name in required:
        if name not in header:
            errors.append(
                _error(
                    path,
                    header_line,
                    None,
                    name,
                    f"required column missing; columns found: {found}",
                )
            )
    if not table.rows and not errors:
        errors.append(_error(path, None, None, None, "sheet has a header but no data rows"))
    if errors:
        raise SheetError(errors)

    frame = pd.DataFrame([cells for _, cells in table.rows], columns=header, dtype=str)
    frame[LINE_COLUMN] = [number for number, _ in table.rows]
    return frame


def _load_schema(schema_path) -> dict:
    with Path(schema_path).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _validate_rows(frame, path, schema, id_of, id_fields) -> list[str]:
    """Validate each row against the schema; return error messages.

    Empty cells count as missing, as when snakemake.utils.validate is given a data
    frame with NA for empty cells. ID fields are also checked with ID_RE, so a changed
    schema can never let path-like IDs through.
    """
    validator = Draft202012Validator(schema)
    properties = schema.get("properties", {})
    errors = []
    for row in frame.to_dict("records"):
        line = row[LINE_COLUMN]
        record = {k: v for k, v in row.items() if k != LINE_COLUMN and v != ""}
        ident = id_of(row)
        problems = {}
        for err in validator.iter_errors(record):
            if err.validator == "required" and not err.path:
                for name in err.validator_value:
                    if name not in record:
                        problems.setdefault(name, "required value is missing")
                continue
            field = err.path[0] if err.path else None
            spec = properties.get(field, {})
            if "enum" in spec:
                allowed = ", ".join(spec["enum"])
                problem = f"{err.instance!r} is not one of: {allowed}"
            else:
                problem = f"invalid value {err.instance!r}"
                if spec.get("description"):
                    problem += f"; expected {spec['description'].strip()}"
            problems.setdefault(field, problem)
        for field in id_fields:
            value = record.get(field)
            if value is not None and field not in problems and not _is_id(value):
                problems[field] = f"invalid ID {value!r}"
        for field, problem in problems.items():
            errors.append(_error(path, line, ident, field, problem))
    return errors


def _fill_defaults(frame, schema) -> pd.DataFrame:
    for name, spec in schema.get("properties", {}).items():
        if "default" not in spec:
            continue
        default = str(spec["default"])
        if name in frame.columns:
            frame[name] = frame[name].where(frame[name] != "", default)
        else:
            frame.insert(len(frame.columns) - 1, name, default)
    for name in schema.get("properties", {}):
        if name not in frame.columns:
            frame.insert(len(frame.columns) - 1, name, "")
    return frame


def _sample_id(row) -> str | None:
    return row.get("sample") if _is_id(row.get("sample")) else None


def _unit_id(row) -> str | None:
    sample, unit = row.get("sample"), row.get("unit")
    return f"{sample}/{unit}" if _is_id(sample) and _is_id(unit) else None


def load_samples(path, schema_path) -> pd.DataFrame:
    """Read and validate the samples sheet; fill defaults (``sex`` unknown, ``notes`` "").

    Optional columns missing from the file are added. The index is ``sample``; the
    ``sample`` column is kept, as snakemake.utils.validate needs it.
    """
    schema = _load_schema(schema_path)
    frame = read_sheet(path, schema.get("required", ()), schema.get("properties", {}))
    errors = _validate_rows(frame, path, schema, _sample_id, SAMPLE_ID_FIELDS)
    if errors:
        raise SheetError(errors)
    return _fill_defaults(frame, schema).set_index("sample", drop=False)


def load_units(path, schema_path) -> pd.DataFrame:
    """Read and validate the units sheet; make ``fq1``, ``fq2`` and ``bam`` absolute.

    Relative paths are taken relative to the directory of the units sheet; empty cells
    stay empty (a unit gives ``fq1`` and ``fq2``, or ``bam``). The index is (``sample``,
    ``unit``); both columns are kept.
    """
    schema = _load_schema(schema_path)
    frame = read_sheet(path, schema.get("required", ()), schema.get("properties", {}))
    errors = _validate_rows(frame, path, schema, _unit_id, UNIT_ID_FIELDS)
    if errors:
        raise SheetError(errors)
    frame = _fill_defaults(frame, schema)
    base = Path(path).resolve().parent
    for column in READ_FIELDS:
        frame[column] = [os.path.normpath(base / value) if value else "" for value in frame[column]]
    return frame.set_index(["sample", "unit"], drop=False)


def _check_samples(samples, samples_path) -> list[tuple[int, str]]:
    errors = []
    rows = samples.to_dict("records")
    first = {}
    for row in rows:
        first.setdefault(row["sample"], row)
    for row in rows:
        line, name = row.get(LINE_COLUMN), row["sample"]

        def add(field, problem, line=line, name=name):
            errors.append((line or 0, _error(samples_path, line, name, field, problem)))

        if first[name] is not row:
            add("sample", f"duplicate sample ID (first on line {first[name].get(LINE_COLUMN)})")
            continue
        parental = row.get("parental", "")
        if row["role"] == "parental":
            if parental:
                add(
                    "parental", f"must be empty for a sample with role 'parental', not {parental!r}"
                )
            continue
        if not parental:
            continue  # line-only mode: no parental sample to compare with
        if parental not in first:
            add("parental", f"unknown parental {parental!r}: no such sample in this sheet")
            continue
        target = first[parental]
        if target["role"] != "parental":
            add(
                "parental",
                f"{parental!r} (line {target.get(LINE_COLUMN)}) has role {target['role']!r},"
                " not 'parental'",
            )
        elif target["donor"] != row["donor"]:
            add(
                "donor",
                f"donor mismatch: donor {row['donor']!r}, but its parental {parental!r}"
                f" (line {target.get(LINE_COLUMN)}) has donor {target['donor']!r}",
            )
    return errors


def _check_units(units, samples, units_path, samples_path, check_files) -> list[tuple[int, str]]:
    errors = []
    known = set(samples["sample"])
    seen_units, seen_files = {}, {}
    for row in units.to_dict("records"):
        line, ident = row.get(LINE_COLUMN), f"{row['sample']}/{row['unit']}"

        def add(field, problem, line=line, ident=ident):
            errors.append((line or 0, _error(units_path, line, ident, field, problem)))

        key = (row["sample"], row["unit"])
        if key in seen_units:
            add("unit", f"duplicate unit for this sample (first on line {seen_units[key]})")
            continue
        seen_units[key] = line
        if row["sample"] not in known:
            add("sample", f"unknown sample {row['sample']!r}: not in {samples_path}")
        fields = unit_read_fields(row)
        for field, problem in _read_source_problems(row):
            add(field, problem)
        for field in fields:
            fastq = row[field]
            kind = "BAM/CRAM" if field == "bam" else "FASTQ"
            if check_files:
                if not Path(fastq).is_file():
                    add(field, f"{kind} file not found: {fastq!r}")
                elif not os.access(fastq, os.R_OK):
                    add(field, f"{kind} file not readable: {fastq!r}")
            real = os.path.realpath(fastq)
            if field == "fq2" and real == os.path.realpath(row["fq1"]):
                add("fq2", f"same file as fq1: {fastq!r}")
            elif field == "fq2" and _same_file(fastq, row["fq1"]):
                add("fq2", f"same file as fq1 (a hard link of it): {fastq!r}")
            elif _file_key(fastq) in seen_files:
                other_line, other_ident, other_field = seen_files[_file_key(fastq)]
                add(
                    field,
                    f"{kind} {fastq!r} is also {other_field} of {other_ident} (line {other_line})",
                )
            else:
                seen_files[_file_key(fastq)] = (line, ident, field)
    return errors


#: The columns that give a unit's reads: a FASTQ pair, or an aligned BAM/CRAM.
READ_FIELDS = ("fq1", "fq2", "bam")


def unit_read_fields(row) -> tuple[str, ...]:
    """The columns that hold a unit's reads: ("bam",) or ("fq1", "fq2") (those given,
    when the row gives too few)."""
    if row.get("bam"):
        return ("bam",)
    return tuple(field for field in ("fq1", "fq2") if row.get(field))


def _read_source_problems(row) -> list[tuple[str, str]]:
    """A unit gives its reads as fq1 and fq2, or as bam: not both, not neither."""
    fq1, fq2, bam = (row.get(field, "") for field in READ_FIELDS)
    if bam and (fq1 or fq2):
        return [("bam", "give the unit's reads as bam or as fq1 and fq2, not both")]
    if bam:
        return []
    if not fq1 and not fq2:
        return [
            (
                "fq1",
                "no reads: give fq1 and fq2 (a paired-end FASTQ pair) or bam (an aligned"
                " BAM or CRAM)",
            )
        ]
    if not fq2:
        return [("fq2", "required value is missing (paired-end reads: give fq1 and fq2)")]
    if not fq1:
        return [("fq1", "required value is missing (paired-end reads: give fq1 and fq2)")]
    return []


def _file_key(path):
    """A file's identity (device, inode: hard links are one file), else its real path."""
    try:
        stat = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return stat.st_dev, stat.st_ino


def _same_file(one, two) -> bool:
    """True when two existing paths are one file (hard links included)."""
    try:
        return os.path.samefile(one, two)
    except OSError:
        return False


def check_sheets(samples, units, samples_path, units_path, check_files=True) -> None:
    """Check the loaded sheets against each other; raise SheetError listing all problems.

    Samples: unique IDs; a parental has no ``parental``; a line's ``parental``, when
    given, is a sample of the sheet with role ``parental`` and the same donor (a line
    without parental is allowed: line-only mode); every sample has at least one unit.
    Units: unique (sample, unit); sample in the samples sheet; reads as fq1 and fq2 or
    as bam, not both; fq1 differs from fq2; no file used twice; with ``check_files``,
    the files exist and are readable.
    """
    sample_errors = _check_samples(samples, samples_path)
    with_units = set(units["sample"])
    for row in samples.drop_duplicates("sample").to_dict("records"):
        if row["sample"] not in with_units:
            line = row.get(LINE_COLUMN)
            problem = f"sample has no units in {units_path}"
            sample_errors.append(
                (line or 0, _error(samples_path, line, row["sample"], "sample", problem))
            )
    unit_errors = _check_units(units, samples, units_path, samples_path, check_files)
    errors = [m for _, m in sorted(sample_errors, key=lambda e: e[0])]
    errors += [m for _, m in sorted(unit_errors, key=lambda e: e[0])]
    if errors:
        raise SheetError(errors)


def load_and_check(
    samples_path, units_path, samples_schema, units_schema, check_files=True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load both sheets and check them; raise one SheetError listing all problems.

    Row problems of both sheets are reported together; the cross-sheet checks of
    :func:`check_sheets` run only once both sheets are valid row by row.
    """
    errors, frames = [], []
    for loader, path, schema in (
        (load_samples, samples_path, samples_schema),
        (load_units, units_path, units_schema),
    ):
        try:
            frames.append(loader(path, schema))
        except SheetError as exc:
            errors += exc.errors
    if errors:
        raise SheetError(errors)
    samples, units = frames
    check_sheets(samples, units, samples_path, units_path, check_files=check_files)
    return samples, units
