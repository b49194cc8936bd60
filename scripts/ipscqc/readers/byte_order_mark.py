"""A UTF-8 byte-order mark at the start of a file that a tool reads byte by byte.

The workflow's own readers drop the mark (ipscqc.readers.text), but bcftools csq reads
the GFF3 itself and stops on its first line ("Could not parse the line: ##gff-version
3", the mark invisible in the message). Such a file is named before any alignment,
with the command that removes the mark.
"""

from __future__ import annotations

import gzip
from pathlib import Path

UTF8_BYTE_ORDER_MARK = b"\xef\xbb\xbf"


def starts_with_byte_order_mark(path: str | Path) -> bool:
    """Whether the file's text (decompressed when gzip-compressed) starts with EF BB BF."""
    with open(path, "rb") as handle:
        head = handle.read(3)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as handle:
            head = handle.read(3)
    return head == UTF8_BYTE_ORDER_MARK


def byte_order_mark_problem(path: str | Path, tool: str) -> str | None:
    """One line naming a file that starts with a byte-order mark ``tool`` cannot read,
    and how to remove it; None when the file has no mark."""
    if not starts_with_byte_order_mark(path):
        return None
    fix = (
        f"zcat {path} | sed '1s/^\\xEF\\xBB\\xBF//' | bgzip > fixed.gff3.gz"
        if str(path).endswith(".gz")
        else f"sed -i '1s/^\\xEF\\xBB\\xBF//' {path}"
    )
    return (
        f"{path}, line 1: the file starts with a byte-order mark (bytes EF BB BF, written"
        f" by some editors), which {tool} cannot read: remove it, e.g. {fix}"
    )
