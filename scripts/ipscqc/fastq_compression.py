"""Whether a FASTQ file's name says how it is compressed, as fastp needs.

The pre-flight reads a FASTQ file by its content (gzip, BGZF or plain text, told from
its first bytes). fastp (0.23) tells compression from the file name alone: a name
ending in ``.gz`` (lower case) is read as gzip, any other name as plain text. A gzip
file named ``reads.fastq`` is read as text (fastp reports a broken record and zero
reads, and exits 0); a plain file named ``reads.fastq.gz`` stops fastp with "igzip:
Error invalid gzip header". Either is refused before trimming, naming the file and the
rename that makes name and content agree.
"""

from __future__ import annotations

FASTP_GZIP_SUFFIX = ".gz"  # fastp's test: the name ends in ".gz" (case-sensitive)


def compression_name_problem(path: str, kind: str) -> str | None:
    """The problem of a FASTQ file whose name and content disagree, or None.

    ``path`` is the file as given in the units sheet; ``kind`` its content, "gzip",
    "bgzf" or "plain" (ipscqc.fastq.gzip_kind). Returns one line naming the file.
    """
    named_gzip = path.endswith(FASTP_GZIP_SUFFIX)
    compressed = kind in ("gzip", "bgzf")
    if compressed and not named_gzip:
        return (
            f"{path}: the file is gzip-compressed, but its name does not end in '.gz';"
            " fastp tells compression from the name and would read it as text:"
            f" rename it (or link it) to {path}.gz"
        )
    if named_gzip and not compressed:
        return (
            f"{path}: the name ends in '.gz', but the file is plain text, not"
            " gzip-compressed; fastp would stop on it: compress it (bgzip) or remove"
            " '.gz' from its name"
        )
    return None
