"""Contig names the workflow accepts: any SAM reference name, never in a job or file name.

Real contig names hold characters that break region strings and file names (hs38DH's
``HLA-A*01:01:01:01``: ``bcftools mpileup --regions`` reads ``HLA-A*01`` and a range,
and ``*`` and ``:`` do not belong in paths or wildcards). So jobs over parts of the
genome are named by a shard's index (``s<index>``, ipscqc.shards) and read their contigs
from a regions file (``--regions-file``: tab-separated name, 1-based start and end,
inclusive) that holds the names as data. Any name valid in SAM works; others stop the
run at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A SAM reference sequence name (SAM specification v1, section 1.2.1): what bwa,
#: samtools and bcftools accept, and what the workflow promises to handle.
SAM_NAME = re.compile(r"[0-9A-Za-z!#$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*")


def contig_name_problems(contigs: Iterable[str], path: str) -> list[str]:
    """Contig names the tools cannot use (not SAM reference names), one line each."""
    bad = [name for name in contigs if not SAM_NAME.fullmatch(name)]
    if not bad:
        return []
    shown = ", ".join(repr(name) for name in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return [
        f"{path}: {len(bad)} contig name(s) that are not SAM reference names: {shown}{more};"
        " a name is letters, digits and !#$%&+./:;?@^_|~- (also * and = after the first"
        " character), without spaces, commas, quotes or brackets: rename them in the FASTA"
        " and annotation"
    ]
