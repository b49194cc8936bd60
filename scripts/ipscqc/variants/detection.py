"""What the data could have detected: the smallest allele fraction a line test finds
with a given probability at a depth, and the result of every hotspot of the catalogue
(found, not seen at depth D, under-covered)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .classify import Thresholds, binomial_sf


def min_detectable_af(
    depth: float | np.ndarray,
    error_rate: float,
    min_alt_reads: int,
    max_p: float,
    min_af: float = 0.0,
    power: float = 0.8,
) -> np.ndarray:
    """Smallest allele fraction detected with probability ``power`` at a depth, given
    the line test (alt count >= min_alt_reads, binomial p against the error rate below
    max_p, fraction >= min_af). NaN where depth is 0 or no fraction up to 1 suffices."""
    depths = np.atleast_1d(np.asarray(depth, dtype=float)).round().astype(np.int64)
    grid = np.arange(0.001, 1.0005, 0.001)
    result = np.full(len(depths), np.nan)
    for i, n in enumerate(depths):
        if n <= 0:
            continue
        k = np.arange(0, n + 1)
        passing = (k >= min_alt_reads) & (binomial_sf(k, np.full_like(k, n), error_rate) < max_p)
        passing &= k / n >= min_af
        if not passing.any():
            continue
        k_min = int(k[passing][0])
        detected = stats.binom.sf(k_min - 1, n, grid) >= power
        if detected.any():
            result[i] = float(grid[detected][0])
    return result


def hotspot_results(
    sites: pd.DataFrame, entries: pd.DataFrame, th: Thresholds, error_rate: float
) -> pd.DataFrame:
    """One row per catalogue entry: its best allele in the line (most alt reads), the
    codon depth, whether it was detected, and the fraction that could have been missed."""
    rows = []
    hotspot_rows = sites[sites["hotspot"] != ""]
    by_entry = {name: group for name, group in hotspot_rows.groupby("hotspot")}
    for entry in entries.itertuples(index=False):
        name = f"{entry.gene} {entry.protein_change}"
        row = {
            "kind": "hotspot",
            "hotspot": name,
            "gene": entry.gene,
            "hotspot_category": entry.category,
            "status": entry.status,
            "chrom": entry.chrom or None,
            "pos": None,
            "ref": None,
            "alt": None,
            "protein_change": None,
            "line_alt": None,
            "line_depth": None,
            "line_af": None,
            "parental_alt": None,
            "parental_depth": None,
            "parental_af": None,
            "p_line_error": None,
            "class": None,
            "tier": "oncogenic_hotspot",
            "detected": None,
            "undercovered": None,
            "min_detectable_af": None,
        }
        group = by_entry.get(name)
        if entry.status == "mapped" and group is not None and len(group):
            best = group.sort_values(["line_alt", "line_depth"], ascending=False).iloc[0]
            depth = int(group["line_depth"].max())
            row.update(
                pos=int(best["pos"]),
                ref=best["ref"],
                alt=best["alt"],
                protein_change=best["protein_change"],
                line_alt=int(best["line_alt"]),
                line_depth=int(best["line_depth"]),
                line_af=_none_if_nan(best["line_af"]),
                parental_alt=_int_or_none(best["parental_alt"]),
                parental_depth=_int_or_none(best["parental_depth"]),
                parental_af=_none_if_nan(best["parental_af"]),
                p_line_error=_none_if_nan(best["p_line_error"]),
                **{"class": best["class"]},
                detected=bool(best["class"] in ("acquired", "uncertain", "unclassified")),
                undercovered=bool(depth < th.hotspot_min_depth),
                min_detectable_af=_none_if_nan(
                    min_detectable_af(
                        depth,
                        error_rate,
                        th.hotspot_min_alt_reads,
                        th.hotspot_max_p_line,
                        th.min_af,
                        th.detection_power,
                    )[0]
                ),
            )
            if best["class"] in ("inherited", "lost"):
                row["detected"] = False
        elif entry.status == "mapped":
            row.update(detected=False, undercovered=True, line_depth=0)
        rows.append(row)
    return pd.DataFrame(rows)


def _none_if_nan(value):
    return None if value is None or pd.isna(value) else float(value)


def _int_or_none(value):
    return None if value is None or pd.isna(value) else int(value)
