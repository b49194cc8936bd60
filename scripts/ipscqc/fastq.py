"""FASTQ pairs checked in seconds: format, read names and quality encoding of the first
records, and the end of each file where that is cheap.

- the first ``records`` records are parsed (format, read names, quality encoding);
- bgzip (BGZF) files: the 28-byte end-of-file block is checked and the last data
  blocks are decompressed (CRC and size verified), so a truncated file and the last
  read name of each mate are seen without reading the whole file;
- other gzip files cannot be decompressed from the end (deflate has no entry points),
  so files up to ``full_check_bytes`` are decompressed whole (exact record counts);
  larger ones are checked at the start only, and the full read by fastp is checked
  afterwards (``ipscqc.preflight.fastp_problems``), still before alignment.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ipscqc.fastq_compression import compression_name_problem
from ipscqc.mates import mate_number, mate_problems

#: The empty BGZF block that ends every complete bgzip file (SAM/BAM specification 4.1.2).
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")

_GZIP_MAGIC = b"\x1f\x8b"
_BGZF_MAX_BLOCK = 65536
_SEQUENCE_CHARS = frozenset(b"ACGTNacgtnRYKMSWBDHVrykmswbdhv.")


def gzip_kind(path: str | Path) -> str:
    """ "bgzf", "gzip" or "plain", from the first bytes of the file."""
    with open(path, "rb") as handle:
        head = handle.read(18)
    if not head.startswith(_GZIP_MAGIC):
        return "plain"
    # BGZF: FLG.FEXTRA set, an extra subfield "BC" of length 2 (SAM spec 4.1).
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


def read_name(header: bytes) -> bytes:
    """The read name of a FASTQ header line: first word, without "@" and a /1 or /2."""
    name = header[1:].split(maxsplit=1)[0] if len(header) > 1 else b""
    if name.endswith((b"/1", b"/2")):
        name = name[:-2]
    return name


@dataclass
class FastqHead:
    """What the first records of a FASTQ file say."""

    path: str
    kind: str
    names: list[bytes] = field(default_factory=list)
    complete: bool = False  # the whole file was read
    records: int = 0  # records read (all of them when complete)
    quality_min: int | None = None
    quality_max: int | None = None
    problems: list[str] = field(default_factory=list)
    last_name: bytes | None = None  # last read of the file, when known
    mates: Counter = field(default_factory=Counter)  # mate number headers state (or None)
    sequence_hashes: list[int] = field(default_factory=list)  # of the first records


def _records(lines: Iterator[bytes]) -> Iterator[list[bytes]]:
    """Groups of up to four lines (the last group is short when the file is cut)."""
    while True:
        group = []
        for line in lines:
            group.append(line)
            if len(group) == 4:
                break
        if not group:
            return
        yield group


def _check_record(group: list[bytes], number: int) -> str | None:
    """The problem with one record (number is 1-based), or None."""
    if len(group) < 4:
        return f"record {number} is cut short after {len(group)} line(s): file is truncated"
    header, sequence, plus, quality = (line.rstrip(b"\r\n") for line in group)
    if not header.startswith(b"@"):
        return f"record {number}: header line does not start with '@': {header[:40]!r}"
    if not plus.startswith(b"+"):
        return f"record {number}: third line does not start with '+': {plus[:40]!r}"
    if len(sequence) != len(quality):
        return (
            f"record {number}: sequence and quality lengths differ "
            f"({len(sequence)} vs {len(quality)}): file is truncated or corrupt"
        )
    if not set(sequence) <= _SEQUENCE_CHARS:
        bad = sorted(set(sequence) - _SEQUENCE_CHARS)
        return f"record {number}: sequence has non-nucleotide characters {bytes(bad)!r}"
    return None


def _open_stream(path: str | Path, kind: str):
    return gzip.open(path, "rb") if kind != "plain" else open(path, "rb")


def read_fastq_head(path: str | Path, records: int = 10000) -> FastqHead:
    """Parse the first ``records`` records of a (gzipped) FASTQ file."""
    path = str(path)
    head = FastqHead(path=path, kind="plain")
    if not os.path.isfile(path):
        head.problems.append(f"{path}: FASTQ file not found")
        return head
    if not os.access(path, os.R_OK):
        head.problems.append(f"{path}: FASTQ file not readable (permission denied)")
        return head
    try:
        head.kind = gzip_kind(path)
        with _open_stream(path, head.kind) as stream:
            lines = iter(stream)
            qmin, qmax = 255, -1
            for group in _records(lines):
                problem = _check_record(group, head.records + 1)
                if problem:
                    head.problems.append(f"{path}: {problem}")
                    return head
                quality = group[3].rstrip(b"\r\n")
                if quality:
                    qmin, qmax = min(qmin, min(quality)), max(qmax, max(quality))
                header = group[0].rstrip(b"\r\n")
                head.names.append(read_name(header))
                head.mates[mate_number(header)] += 1
                head.sequence_hashes.append(hash(group[1].rstrip(b"\r\n")))
                head.records += 1
                if head.records >= records:
                    break
            else:
                head.complete = True
            if qmax >= 0:
                head.quality_min, head.quality_max = qmin, qmax
    except PermissionError:
        head.problems.append(f"{path}: FASTQ file not readable (permission denied)")
    except EOFError:
        head.problems.append(
            f"{path}: gzip stream ends early after {head.records} record(s): file is truncated"
        )
    except (gzip.BadGzipFile, zlib.error, OSError) as error:
        head.problems.append(
            f"{path}: gzip data is corrupt after {head.records} record(s): {error}"
        )
    if head.complete and head.names:
        head.last_name = head.names[-1]
    if not head.problems and head.records == 0:
        head.problems.append(f"{path}: FASTQ file has no reads (empty)")
    return head


def quality_encoding(quality_min: int | None, quality_max: int | None) -> str:
    """Guess the quality encoding from the range of quality characters seen.

    Phred+33 (Sanger, Illumina 1.8+) uses '!' (33) upwards and in short-read data rarely
    exceeds 'K' (75, Q42). Phred+64 (Illumina 1.3-1.7) starts at '@' (64) and runs to
    'h' (104). So qualities all at or above '@' with some above 'K' are taken as
    phred+64; characters outside '!'..'~' are invalid.
    """
    if quality_min is None or quality_max is None:
        return "unknown"
    if quality_min < 33 or quality_max > 126:
        return "invalid"
    if quality_min >= 64 and quality_max > 75:
        return "phred+64"
    return "phred+33"


def _bgzf_blocks(tail: bytes) -> list[tuple[int, int]]:
    """(start, end) of the BGZF blocks that chain exactly to the end of ``tail``."""
    size, start = len(tail), 0
    while (position := tail.find(b"\x1f\x8b\x08\x04", start)) >= 0:
        blocks, offset = [], position
        while offset + 18 <= size and tail[offset : offset + 4] == b"\x1f\x8b\x08\x04":
            if tail[offset + 12 : offset + 14] != b"BC":
                break
            (block_size,) = struct.unpack("<H", tail[offset + 16 : offset + 18])
            end = offset + block_size + 1
            if end > size:
                break
            blocks.append((offset, end))
            offset = end
        if blocks and offset == size:
            return blocks
        start = position + 1
    return []


def bgzf_tail(path: str | Path, window: int = 4 * _BGZF_MAX_BLOCK) -> tuple[bytes, str | None]:
    """Decompress the last blocks of a BGZF file; return (text, problem or None).

    Checks the end-of-file block and the CRC32 and size of each block decompressed.
    """
    path = str(path)
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        handle.seek(max(0, size - window))
        tail = handle.read()
    if not tail.endswith(BGZF_EOF):
        return b"", f"{path}: bgzip end-of-file block is missing: file is truncated"
    blocks = _bgzf_blocks(tail)
    if not blocks:
        return b"", f"{path}: bgzip blocks at the end of the file are corrupt"
    text = []
    for start, end in blocks[-4:]:
        block, where = tail[start:end], f"{path}: bgzip block at byte {size - len(tail) + start}"
        crc, length = struct.unpack("<II", block[-8:])
        try:
            data = zlib.decompress(block[18:-8], -15)
        except zlib.error as error:
            return b"", f"{where} is corrupt: {error}"
        if zlib.crc32(data) != crc or len(data) != length:
            return b"", f"{where} fails its CRC check"
        text.append(data)
    return b"".join(text), None


def _last_record_name(path: str, text: bytes) -> tuple[bytes | None, str | None]:
    if not text:
        return None, None
    if not text.endswith(b"\n"):
        return None, f"{path}: last line has no newline: file is truncated"
    lines = text.split(b"\n")[:-1]
    if len(lines) < 4:
        return None, None
    problem = _check_record(lines[-4:], 0)
    if problem:
        return None, f"{path}: last record is incomplete or corrupt: file is truncated"
    return read_name(lines[-4]), None


def count_gzip_records(path: str | Path) -> tuple[int | None, bytes | None, str | None]:
    """Decompress a whole gzip file: (records, last read name, problem or None)."""
    path = str(path)
    lines, tail = 0, b""
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
                tail = (tail + chunk)[-65536:]
    except EOFError:
        return None, None, f"{path}: gzip stream ends early (no gzip trailer): file is truncated"
    except (gzip.BadGzipFile, zlib.error, OSError) as error:
        return None, None, f"{path}: gzip data is corrupt: {error}"
    if tail and not tail.endswith(b"\n"):
        return None, None, f"{path}: last line has no newline: file is truncated"
    if lines % 4:
        return None, None, f"{path}: {lines} lines, not a multiple of 4: a record is cut short"
    name, problem = _last_record_name(path, tail)
    return lines // 4, name, problem


def complete_fastq(head: FastqHead, full_check_bytes: int) -> FastqHead:
    """Add what is cheap to learn about the end of the file to ``head``."""
    if head.problems or head.complete:
        return head
    path = head.path
    if head.kind == "bgzf":
        text, problem = bgzf_tail(path)
        if not problem:
            head.last_name, problem = _last_record_name(path, text)
        if problem:
            head.problems.append(problem)
    elif head.kind == "gzip" and os.path.getsize(path) <= full_check_bytes:
        records, name, problem = count_gzip_records(path)
        if problem:
            head.problems.append(problem)
        else:
            head.records, head.last_name, head.complete = records, name, True
    elif head.kind == "plain":
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            handle.seek(max(0, size - 65536))
            text = handle.read()
        head.last_name, problem = _last_record_name(path, text)
        if problem:
            head.problems.append(problem)
    return head


def fastq_pair_problems(
    fq1: str | Path, fq2: str | Path, records: int = 10000, full_check_bytes: int = 256 << 20
) -> tuple[list[str], dict]:
    """Problems of one FASTQ pair, and a summary of what was checked."""
    heads = [complete_fastq(read_fastq_head(p, records), full_check_bytes) for p in (fq1, fq2)]
    problems = [problem for head in heads for problem in head.problems]
    problems += [
        problem
        for head in heads
        if not head.problems and (problem := compression_name_problem(head.path, head.kind))
    ]
    problems += [problem for head in heads if (problem := _quality_problem(head))]
    one, two = heads
    if not one.problems and not two.problems:
        problems += _pairing_problems(one, two, records)
    if not one.problems and not two.problems:
        problems += mate_problems(
            one.path, two.path, one.mates, two.mates, one.sequence_hashes, two.sequence_hashes
        )
    summary = {
        "fq1": _summary(one),
        "fq2": _summary(two),
    }
    return problems, summary


def _summary(head: FastqHead) -> dict:
    return {
        "path": head.path,
        "compression": head.kind,
        "records_checked": head.records,
        "whole_file_read": head.complete,
        "end_checked": head.last_name is not None,
        "quality_encoding": quality_encoding(head.quality_min, head.quality_max),
    }


# --- after trimming ----------------------------------------------------------------


def _quality_problem(head: FastqHead) -> str | None:
    """The FASTQ's quality encoding when it is not phred+33 (None when it is, or when
    the file has other problems)."""
    if head.problems:
        return None
    encoding = quality_encoding(head.quality_min, head.quality_max)
    low, high = chr(head.quality_min or 33), chr(head.quality_max or 33)
    if encoding == "phred+64":
        return (
            f"{head.path}: qualities range from {low!r} to {high!r}: this looks like"
            " phred+64 (Illumina 1.3-1.7); convert to phred+33 first"
            " (e.g. seqtk seq -Q64 -V)"
        )
    if encoding == "invalid":
        return (
            f"{head.path}: quality characters outside '!'..'~' ({head.quality_min}"
            f"..{head.quality_max}): not phred+33"
        )
    return None


def _pairing_problems(one: FastqHead, two: FastqHead, records: int) -> list[str]:
    """Whether two FASTQ files are mates: the same read names in the same order and the
    same read count (at most one problem)."""
    compared = min(len(one.names), len(two.names))
    for index in range(compared):
        if one.names[index] != two.names[index]:
            return [
                f"{one.path} and {two.path}: read names differ at record {index + 1}"
                f" ({one.names[index].decode(errors='replace')!r} vs"
                f" {two.names[index].decode(errors='replace')!r}): the files are not mates"
            ]
    if one.complete and two.complete and one.records != two.records:
        return [
            f"{one.path} and {two.path}: different read counts"
            f" ({one.records} vs {two.records}): one file is truncated or not a mate"
        ]
    if one.complete != two.complete and compared < records:
        short = one if one.complete else two
        return [
            f"{one.path} and {two.path}: different read counts"
            f" ({short.path} ends after {short.records} reads, its mate goes on)"
        ]
    if None not in (one.last_name, two.last_name) and one.last_name != two.last_name:
        return [
            f"{one.path} and {two.path}: last read names differ"
            f" ({one.last_name.decode(errors='replace')!r} vs"
            f" {two.last_name.decode(errors='replace')!r}): read counts differ"
        ]
    return []
