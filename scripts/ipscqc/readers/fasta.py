"""FASTA files: contig names and lengths, checked as bwa and samtools will read them, and
FASTA index (.fai) lengths.

``scan_fasta`` reads a (gzip/bgzip or plain) FASTA in large blocks and reports, with the
file and the 1-based line: text before the first header, a header without a name,
duplicate names, contigs without sequence, and blank lines inside a sequence
(``samtools faidx`` refuses them). Blank lines at the end of a contig, CRLF line ends
and a last line without a newline are accepted (the workflow's copy of the reference
ends every file with a newline, so the next file's header is never glued onto it).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .text import GZIP_MAGIC

BLOCK = 1 << 24
MAX_REPORTED = 5


class ReferenceError(ValueError):
    """A reference, annotation or target file that does not fit the others."""


@dataclass
class FastaScan:
    """What a pass over a FASTA found: contigs in file order, their lengths (bases, line
    ends not counted), the line of each header, and problems (one line each)."""

    path: str
    names: list[str] = field(default_factory=list)
    lengths: dict[str, int] = field(default_factory=dict)
    header_lines: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    ends_with_newline: bool = True


def _blocks(path: str | Path) -> Iterator[bytes]:
    """The file's bytes in blocks that end at a line end (the last may not)."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == GZIP_MAGIC
    opener = gzip.open if gzipped else open
    rest = b""
    with opener(path, "rb") as handle:
        while True:
            block = handle.read(BLOCK)
            if not block:
                if rest:
                    yield rest
                return
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]


def _problem(scan: FastaScan, kind: str, text: str) -> None:
    if sum(1 for line in scan.problems if kind in line) < MAX_REPORTED:
        scan.problems.append(text)


def _next_header(block: bytes, start: int) -> int:
    """Position of the next line start with '>' after ``start``, or -1."""
    found = block.find(b"\n>", start)
    return found + 1 if found >= 0 else -1


_SPACE = b" \t\r\n"


def _first_blank_line(segment: bytes) -> int:
    """Where the first blank line of ``segment`` (which starts at a line start) starts,
    or -1."""
    if segment.startswith((b"\n", b"\r\n")):
        return 0
    hits = [found + 1 for found in (segment.find(b"\n\n"), segment.find(b"\n\r\n")) if found >= 0]
    return min(hits) if hits else -1


class _Scanner:
    """State of a pass over a FASTA, block by block (see scan_fasta)."""

    def __init__(self, path):
        self.scan = FastaScan(str(path))
        self.line = 1  # line number of the current block's first line
        self.current = None  # the contig being read (None before the first header)
        self.headers = 0  # headers seen
        self.blank = None  # line of a blank line that sequence may still follow

    def _blank_line_problem(self, line: int) -> None:
        _problem(
            self.scan,
            "blank line",
            f"{self.scan.path}, line {line}: blank line inside the sequence of contig"
            f" {self.current!r}: samtools faidx cannot index it; remove the line",
        )

    def sequence(self, block: bytes, start: int, end: int) -> None:
        """Bytes [start, end) of ``block`` (whole lines) are sequence of the current
        contig."""
        segment = block[start:end]
        if not segment:
            return
        if not self.headers:
            if segment.strip(_SPACE):
                line = self.line + block.count(b"\n", 0, start)
                self.scan.problems.append(
                    f"{self.scan.path}, line {line}: text before the first header"
                    " ('>name'): not a FASTA file"
                )
            return
        if self.current is None:
            return  # after a header without a name (reported)
        self.scan.lengths[self.current] += (
            len(segment) - segment.count(b"\n") - segment.count(b"\r")
        )
        if self.blank is not None and segment.strip(_SPACE):
            self._blank_line_problem(self.blank)
            self.blank = None
        blank = _first_blank_line(segment)
        if blank >= 0:
            line = self.line + block.count(b"\n", 0, start + blank)
            if segment[blank:].strip(_SPACE):
                self._blank_line_problem(line)
            else:
                self.blank = line  # fine if a header or the end of the file follows

    def header(self, block: bytes, start: int) -> int:
        """Read the header line starting at ``start``; returns where the next line
        starts."""
        self.headers += 1
        self.blank = None
        end = block.find(b"\n", start)
        end = len(block) if end < 0 else end
        line = self.line + block.count(b"\n", 0, start)
        words = block[start + 1 : end].rstrip(b"\r").split(maxsplit=1)
        self.current = None
        if not words:
            _problem(
                self.scan, "without a name", f"{self.scan.path}, line {line}: header without a name"
            )
            return end + 1
        name = words[0].decode(errors="replace")
        if name in self.scan.header_lines:
            _problem(
                self.scan,
                "duplicate contig name",
                f"{self.scan.path}, line {line}: duplicate contig name {name!r} (first on line"
                f" {self.scan.header_lines[name]}): every contig needs its own name",
            )
            self.current = f"{name} (line {line})"  # its sequence is counted apart
        else:
            self.current = name
            self.scan.names.append(name)
            self.scan.header_lines[name] = line
        self.scan.lengths[self.current] = 0
        return end + 1

    def block(self, block: bytes) -> None:
        start = 0 if block.startswith(b">") else _next_header(block, 0)
        self.sequence(block, 0, len(block) if start < 0 else start)
        while start >= 0:
            after = self.header(block, start)
            start = _next_header(block, after - 1) if after <= len(block) else -1
            self.sequence(block, min(after, len(block)), len(block) if start < 0 else start)
        self.line += block.count(b"\n")


def scan_fasta(path: str | Path) -> FastaScan:
    """Contig names, lengths and format problems of a FASTA file (see the module).

    Lengths count the bases of each contig (line ends and spaces not counted), as
    ``samtools faidx`` does."""
    scanner = _Scanner(path)
    last = b""
    for block in _blocks(path):
        scanner.block(block)
        last = block
        if scanner.scan.problems and not scanner.scan.names:
            return scanner.scan  # not a FASTA: one line is enough
    scan = scanner.scan
    scan.ends_with_newline = not last or last.endswith(b"\n")
    if not scan.names and not scan.problems:
        scan.problems.append(f"{path}: no FASTA header ('>name') found")
    for name in scan.names:
        if scan.lengths[name] == 0:
            _problem(
                scan,
                "has no sequence",
                f"{path}, line {scan.header_lines[name]}: contig {name!r} has no sequence",
            )
    scan.lengths = {name: scan.lengths[name] for name in scan.names}
    return scan


def fasta_contigs(path: str | Path) -> list[str]:
    """Contig names of a FASTA, from its .fai when present and newer, else its headers.

    Raises ReferenceError (one line naming the file) when the file is missing, a folder,
    has no header or a duplicate name."""
    return list(fasta_lengths(path))


def fasta_lengths(path: str | Path) -> dict[str, int]:
    """Contig name -> length (bases) of a FASTA, in file order: from its .fai when
    present and newer, else from one pass over the file (as fast as reading the headers:
    the bases between two headers are their bytes less the line ends).

    Raises ReferenceError as fasta_contigs does."""
    path = Path(path)
    if not path.exists():
        raise ReferenceError(f"{path}: reference FASTA not found")
    if path.is_dir():
        raise ReferenceError(f"{path}: is a folder, not a FASTA file")
    fai = Path(f"{path}.fai")
    if fai.exists() and fai.stat().st_mtime >= path.stat().st_mtime:
        return fai_lengths(fai)
    lengths, seen = {}, {}
    for line, name, length in _contig_lengths(path):
        if name in seen:
            raise ReferenceError(
                f"{path}, line {line}: duplicate contig name {name!r} (first on line"
                f" {seen[name]}): every contig needs its own name"
            )
        seen[name] = line
        lengths[name] = length
    if not lengths:
        raise ReferenceError(f"{path}: no FASTA header ('>name') found")
    return lengths


def _bases(block: bytes, start: int, end: int) -> int:
    """Bases in ``block[start:end]`` (line ends not counted)."""
    if end <= start:
        return 0
    return end - start - block.count(b"\n", start, end) - block.count(b"\r", start, end)


def _contig_lengths(path: str | Path) -> Iterator[tuple[int, str, int]]:
    """(1-based header line, name, bases) of every named contig, found by searching each
    block for line starts with '>' (much faster than reading line by line)."""
    line = 1  # line number of the block's first line
    current, length = None, 0  # (line, name) of the contig being read, its bases so far
    for block in _blocks(path):
        position = 0
        start = 0 if block.startswith(b">") else _next_header(block, 0)
        length += _bases(block, 0, len(block) if start < 0 else start)
        while start >= 0:
            line += block.count(b"\n", position, start)
            position = start
            end = block.find(b"\n", start)
            end = len(block) if end < 0 else end
            if current is not None:
                yield (*current, length)
            words = block[start + 1 : end].split(maxsplit=1)
            current = (line, words[0].decode(errors="replace")) if words else None
            length = 0
            start = _next_header(block, end)
            length += _bases(block, end + 1, len(block) if start < 0 else start)
        line += block.count(b"\n", position)
    if current is not None:
        yield (*current, length)


def fai_lengths(path: str | Path) -> dict[str, int]:
    """Contig name -> length from a FASTA index, in reference order."""
    lengths = {}
    with open(path) as handle:
        for line in handle:
            if line.strip():
                fields = line.split("\t")
                lengths[fields[0]] = int(fields[1])
    return lengths
