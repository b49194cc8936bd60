"""mosdepth outputs: ``--by`` regions, the summary and the global distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def read_regions(path: str | Path) -> pd.DataFrame:
    """``{prefix}.regions.bed.gz``: chrom, start, end (0-based half-open), mean depth."""
    return pd.read_csv(
        path,
        sep="\t",
        header=None,
        usecols=[0, 1, 2, 3],
        names=["chrom", "start", "end", "depth"],
        dtype={"chrom": str, "start": np.int64, "end": np.int64, "depth": float},
    )


def read_summary(path: str | Path) -> pd.DataFrame:
    """``{prefix}.mosdepth.summary.txt``: chrom, length, bases, mean, min, max per contig
    (and ``total``; ``_region`` rows when --by was given)."""
    return pd.read_csv(path, sep="\t", dtype={"chrom": str})


def read_global_distribution(path: str | Path) -> dict[int, float]:
    """``{prefix}.mosdepth.global.dist.txt``, ``total`` rows: depth -> fraction of bases
    at that depth or more."""
    table = pd.read_csv(path, sep="\t", header=None, names=["region", "depth", "fraction"])
    total = table[table["region"] == "total"]
    return dict(zip(total["depth"].astype(int), total["fraction"].astype(float), strict=True))


def median_depth(cumulative: dict[int, float]) -> float | None:
    """The median depth of a cumulative distribution (None when it is empty)."""
    if not cumulative:
        return None
    at_least_half = [depth for depth, fraction in cumulative.items() if fraction >= 0.5]
    return float(max(at_least_half)) if at_least_half else 0.0
