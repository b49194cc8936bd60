"""Opening text files whether or not they are gzip/bgzip-compressed (told from the
content, not the file name). Text is UTF-8 (a byte-order mark is dropped); line ends
CRLF, CR or LF all read as one line end."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO

GZIP_MAGIC = b"\x1f\x8b"


def is_gzipped(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_text(path: str | Path) -> IO[str]:
    """A text handle on a plain or gzip-compressed file."""
    if is_gzipped(path):
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig")
