"""Tables written by ``bcftools query --print-header``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .text import open_text

NUMERIC_SUFFIXES = ("DP", "RPBZ", "MQBZ")


def read_query_table(path: str | Path) -> pd.DataFrame:
    """A ``bcftools query -H`` table; header names lose their ``# [n]`` prefixes
    (``# [1]CHROM`` -> ``CHROM``, ``[5]L1:AD`` -> ``L1:AD``); '.' is missing. Columns
    are text except depths and bcftools' Z scores. An empty file gives an empty table."""
    with open_text(path) as handle:
        first = handle.readline()
    if not first.strip():
        return pd.DataFrame(columns=["CHROM", "POS", "REF", "ALT"], dtype=str)
    header = first.lstrip("#").rstrip("\n").split("\t")
    names = [name.strip().split("]", 1)[-1] for name in header]
    text_columns = {name: str for name in names if not name.endswith(NUMERIC_SUFFIXES)}
    return pd.read_csv(
        path,
        sep="\t",
        skiprows=1,
        header=None,
        names=names,
        dtype=text_columns,
        na_values=["."],
        keep_default_na=False,
    )
