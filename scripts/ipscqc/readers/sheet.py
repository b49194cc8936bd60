"""Tab-separated sheets as spreadsheets and editors write them.

Accepted: UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark
(Excel's "Unicode Text"), CRLF or LF line ends, surrounding whitespace in cells,
blank lines and ``#`` comment lines, and empty trailing columns (Excel keeps the
columns a cell was once typed in: a header cell and every data cell of such a column
are empty). Refused, each with one line naming the file and the line: bytes that are
not UTF-8 (the byte, its column and what it would be in Windows-1252, the usual
encoding of a sheet saved on Windows), a comma- or semicolon-separated file, a header
column without a name that holds values, and a row with more cells than the header.

Line numbers are 1-based and count every line of the file (header, comment and blank
lines), so an editor can jump to them.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

MAX_ENCODING_PROBLEMS = 5


class SheetFormatError(ValueError):
    """A sheet that cannot be read as tab-separated text; ``errors`` has one line each."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class SheetTable:
    """The header and data rows of a sheet, cells stripped of surrounding whitespace."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)
    problems: list[str] = field(default_factory=list)


def _encoding_problems(data: bytes, path) -> list[str]:
    """One line per line of ``data`` (first few) holding bytes that are not UTF-8."""
    problems = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = raw[error.start]
            guess = bytes([byte]).decode("cp1252", errors="replace")
            problems.append(
                f"{path}, line {number}: byte 0x{byte:02x} (column {error.start + 1}) is not"
                f" UTF-8; the file looks Windows-1252 or Latin-1 encoded (0x{byte:02x} is"
                f" {guess!r} there): save the sheet as UTF-8 (e.g. iconv -f WINDOWS-1252"
                " -t UTF-8)"
            )
            if len(problems) == MAX_ENCODING_PROBLEMS:
                break
    return problems


def decode_sheet(data: bytes, path) -> str:
    """The text of a sheet file: UTF-16 when it starts with a UTF-16 byte-order mark,
    else UTF-8 (a UTF-8 byte-order mark is dropped); raises SheetFormatError naming the
    lines with other bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SheetFormatError([f"{path}: not valid UTF-16 text: {error}"]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems = _encoding_problems(data.removeprefix(codecs.BOM_UTF8), path)
        raise SheetFormatError(problems) from None


def _looks_delimited_by(header: str) -> str | None:
    for name, separator in (("comma", ","), ("semicolon", ";")):
        if separator in header and len(header.split(separator)) >= 3:
            return name
    return None


def parse_sheet(text: str, path) -> SheetTable:
    """Header and rows of a sheet's text; problems with the file's shape are listed in
    ``problems`` (the rows that have them are left out)."""
    table = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if table is None:
            table = SheetTable(cells, number)
            separator = _looks_delimited_by(raw) if len(cells) == 1 else None
            if separator:
                table.problems.append(
                    f"{path}, line {number}: the header has no tab but {separator}s: the sheet"
                    f" looks {separator}-separated; save it as tab-separated text"
                )
                return table
            continue
        table.rows.append((number, cells))
    if table is None:
        return SheetTable([], 0)
    _drop_empty_trailing_columns(table, path)
    return table


def _drop_empty_trailing_columns(table: SheetTable, path) -> None:
    """Remove trailing header columns without a name whose cells are all empty; list
    rows with values beyond the named columns as problems."""
    width = len(table.header)
    while width and not table.header[width - 1]:
        width -= 1
    table.header = table.header[:width]
    kept = []
    for number, cells in table.rows:
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            table.problems.append(
                f"{path}, line {number}: {len(cells)} tab-separated cells, but the header"
                f" (line {table.header_line}) has {width} named column(s); values beyond"
                f" them: {extra[:3]}"
            )
            continue
        cells = cells[:width]
        kept.append((number, cells + [""] * (width - len(cells))))
    table.rows = kept


def read_sheet_table(path: str | Path) -> SheetTable:
    """Read a sheet file; raises SheetFormatError when it cannot be read or decoded."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SheetFormatError([f"{path}: cannot read sheet: {error}"]) from None
    return parse_sheet(decode_sheet(data, path), path)
