"""Are two FASTQ files the two mates of a pair? Not when they hold the same reads.

Two cases pass every check of the read names (the names agree record by record) and
still are no pair: fq2 a byte copy (or a hard link) of fq1, and two files of the same
mate (both read 1, e.g. ``R1`` of two lanes). They are told apart from a pair by:

- the sequences: a true pair has different sequences in its mates (read 2 is read from
  the other end of the fragment); the first records of a copy are identical;
- the mate number each header states: Illumina's (CASAVA 1.8+) comment
  ``@<name> 1:N:0:<index>`` (the first field of the second word, 1 or 2), or the older
  name suffix ``/1``, ``/2``.
"""

from __future__ import annotations

import re
from collections import Counter

_CASAVA_COMMENT = re.compile(rb"^([12]):[YN]:\d+")


def mate_number(header: bytes) -> int | None:
    """1 or 2 as a FASTQ header line states it, or None when it states neither."""
    words = header[1:].split(maxsplit=2) if header.startswith(b"@") else header.split()
    if len(words) > 1:
        match = _CASAVA_COMMENT.match(words[1])
        if match:
            return int(match.group(1))
    if words and words[0][-2:] in (b"/1", b"/2"):
        return int(words[0][-1:])
    return None


def _stated(counts: Counter) -> str:
    return " and ".join(f"read {mate} ({counts[mate]})" for mate in sorted(counts))


def mate_problems(
    fq1: str,
    fq2: str,
    mates1: Counter,
    mates2: Counter,
    sequences1: list[int],
    sequences2: list[int],
) -> list[str]:
    """Problems when two FASTQ files are not the two mates of a pair.

    ``mates1``/``mates2`` count the mate numbers stated by the headers of the first
    records (None for a header that states none); ``sequences1``/``sequences2`` are
    hashes of the first records' sequences, in file order.
    """
    problems = []
    compared = min(len(sequences1), len(sequences2))
    if compared and sequences1[:compared] == sequences2[:compared]:
        problems.append(
            f"{fq1} and {fq2}: the two files hold the same reads (the first {compared}"
            " record(s) have the same sequences): fq2 is a copy of fq1, not its mate"
        )
    stated1 = {mate for mate in mates1 if mate is not None}
    stated2 = {mate for mate in mates2 if mate is not None}
    for path, stated, counts in ((fq1, stated1, mates1), (fq2, stated2, mates2)):
        if len(stated) > 1:
            problems.append(
                f"{path}: the headers state both {_stated(counts)}: an interleaved FASTQ;"
                " split it into a read 1 and a read 2 file"
            )
    if len(stated1) == len(stated2) == 1 and stated1 == stated2:
        mate = next(iter(stated1))
        problems.append(
            f"{fq1} and {fq2}: both files hold read {mate} (their headers say"
            f" '{mate}:N:...' or '/{mate}'): fq1 must be the read 1 file and fq2 the read 2"
            " file of the same unit"
        )
    return problems
