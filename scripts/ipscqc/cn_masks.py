"""Regions the copy-number check leaves out: a configured BED of known problem regions
(segmental duplications, low mappability, false duplications of the reference), and
masks derived from the parental itself, applied to the parental's lines.

Derived from the parental:
- **depth**: bins whose parental depth departs from its neighbours' (robust z above
  ``max_neighbour_z``: spikes, collapsed repeats) or whose smoothed parental depth lies
  outside ``min_relative_depth``-``max_relative_depth`` of the chromosome's expected
  copies (wide collapsed duplications, unmappable stretches);
- **allele balance**: stretches where more of the parental's heterozygous calls sit
  outside the allele-balance band than their depths explain (paralogous "hets" of a
  segmental duplication cluster together).

All coordinates are 0-based half-open (BED). Functions return interval tables (chrom,
start, end, name) so that every mask is applied to bins and sites the same way.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy.stats import betabinom

REGION_COLUMNS = ["chrom", "start", "end", "name"]


@dataclass(frozen=True)
class MaskSettings:
    """Defaults: a bin is left out when half of it lies in excluded regions; depth outliers
    at a robust z of 5 against the running median of 51 bins (Poisson noise at 30x and
    1 kb bins is about 7%, so z 5 is a 35% jump); smoothed parental depth kept between
    0.35 and 1.75 of the expected copies (an inherited one-copy loss, 0.5, and gain, 1.5,
    stay in; collapsed two-copy duplications, 2.0, and unmappable stretches go);
    allele-balance windows of 25 parental het calls flagged when the share outside
    0.3-0.7 exceeds what their depths explain by 0.25."""

    min_overlap_fraction: float = 0.5
    neighbour_window: int = 51
    max_neighbour_z: float = 5.0
    min_relative_depth: float = 0.35
    max_relative_depth: float = 1.75
    balance_window_sites: int = 25
    min_allele_balance: float = 0.3
    max_allele_balance: float = 0.7
    max_unbalanced_excess: float = 0.25

    @classmethod
    def from_config(cls, block: dict | None) -> MaskSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (block or {}).items() if k in names})


def read_regions(path: str) -> pd.DataFrame:
    """A BED (plain or gzipped) of regions to leave out: chrom, start, end, name (the 4th
    column, or the file's base name). Comment, track and browser lines are skipped."""
    opener = gzip.open if str(path).endswith(".gz") else open
    default = str(path).rsplit("/", 1)[-1]
    rows = []
    with opener(path, "rt") as handle:
        for line in handle:
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            parts = line.rstrip("\n").split("\t")
            name = parts[3] if len(parts) > 3 and parts[3] else default
            rows.append((parts[0], int(parts[1]), int(parts[2]), name))
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


def merge_regions(regions: pd.DataFrame) -> pd.DataFrame:
    """Overlapping or touching intervals merged per chromosome (names joined)."""
    if regions.empty:
        return pd.DataFrame(columns=REGION_COLUMNS)
    rows = []
    for chrom, group in regions.sort_values(["chrom", "start"]).groupby("chrom", sort=False):
        start, end, names = None, None, []
        for row in group.itertuples(index=False):
            if start is not None and row.start <= end:
                end = max(end, row.end)
                names.append(row.name)
                continue
            if start is not None:
                rows.append((chrom, start, end, ",".join(dict.fromkeys(names))))
            start, end, names = row.start, row.end, [row.name]
        rows.append((chrom, start, end, ",".join(dict.fromkeys(names))))
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


def _covered_before(x: np.ndarray, r_start: np.ndarray, r_end: np.ndarray) -> np.ndarray:
    """Bases in [0, x) covered by sorted, non-overlapping intervals [r_start, r_end)."""
    cumulative = np.concatenate([[0], np.cumsum(r_end - r_start)])
    k = np.searchsorted(r_start, x, side="right")  # intervals starting at or before x
    last = np.maximum(k - 1, 0)
    inside = np.where(k > 0, np.clip(x - r_start[last], 0, r_end[last] - r_start[last]), 0)
    return np.where(k > 0, cumulative[last], 0) + inside


def covered_fraction(
    chrom: np.ndarray, start: np.ndarray, end: np.ndarray, regions: pd.DataFrame
) -> np.ndarray:
    """Share of each interval [start, end) covered by ``regions``."""
    chrom = np.asarray(chrom)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    out = np.zeros(len(chrom))
    for name, group in merge_regions(regions).groupby("chrom", sort=False):
        rows = np.flatnonzero(chrom == name)
        if len(rows) == 0:
            continue
        r_start = group["start"].to_numpy(np.int64)
        r_end = group["end"].to_numpy(np.int64)
        covered = _covered_before(end[rows], r_start, r_end)
        covered -= _covered_before(start[rows], r_start, r_end)
        out[rows] = covered / np.maximum(end[rows] - start[rows], 1)
    return out


def bins_in_regions(bins: pd.DataFrame, regions: pd.DataFrame, min_overlap: float) -> np.ndarray:
    """True for bins (chrom, start, end) of which at least ``min_overlap`` lies in regions."""
    if regions.empty or bins.empty:
        return np.zeros(len(bins), dtype=bool)
    fraction = covered_fraction(bins["chrom"], bins["start"], bins["end"], regions)
    return fraction >= min_overlap


def sites_in_regions(sites: pd.DataFrame, regions: pd.DataFrame) -> np.ndarray:
    """True for sites (chrom, pos 0-based) inside regions."""
    if regions.empty or sites.empty:
        return np.zeros(len(sites), dtype=bool)
    return covered_fraction(sites["chrom"], sites["pos"], sites["pos"] + 1, regions) > 0


def _runs_to_regions(chrom, starts, ends, flagged, name) -> list[tuple]:
    """Consecutive flagged intervals of one chromosome as regions."""
    rows = []
    index = np.flatnonzero(flagged)
    if len(index) == 0:
        return rows
    breaks = np.flatnonzero(np.diff(index) > 1)
    for first, last in zip(
        np.concatenate([[0], breaks + 1]), np.concatenate([breaks, [len(index) - 1]]), strict=True
    ):
        rows.append((chrom, int(starts[index[first]]), int(ends[index[last]]), name))
    return rows


def parental_depth_regions(bins: pd.DataFrame, settings: MaskSettings) -> pd.DataFrame:
    """Regions of abnormal parental depth, from ``copy_number.depth_signal``'s table of a
    paired sample (columns chrom, start, end, parental_corrected, reference_copies).

    The relative depth is the parental's GC-corrected depth over its expected copies
    (1.0 = normal); bins with no expected copies (female chrY) are ignored.
    """
    rows: list[tuple] = []
    for chrom, group in bins.groupby("chrom", sort=False):
        copies = group["reference_copies"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = group["parental_corrected"].to_numpy(float) / (copies / 2.0)
            level = np.log2(np.where(relative > 0, relative, np.nan))
        valid = (copies > 0) & np.isfinite(level)
        if valid.sum() < settings.neighbour_window:
            continue
        series = pd.Series(np.where(valid, level, np.nan))
        local = series.rolling(settings.neighbour_window, center=True, min_periods=5).median()
        residual = (series - local).to_numpy()
        finite = np.isfinite(residual)
        sd = 1.4826 * np.median(np.abs(residual[finite])) if finite.any() else np.nan
        if not np.isfinite(sd) or sd <= 0:
            continue
        spike = finite & (np.abs(residual) > settings.max_neighbour_z * sd)
        smooth = 2.0 ** local.to_numpy()
        off_level = (copies > 0) & np.isfinite(smooth)
        off_level &= (smooth < settings.min_relative_depth) | (smooth > settings.max_relative_depth)
        # a bin with expected copies but no parental reads at all is unmappable
        empty = (copies > 0) & (group["parental_corrected"].to_numpy(float) <= 0)
        flagged = spike | off_level | empty
        rows += _runs_to_regions(
            chrom, group["start"].to_numpy(), group["end"].to_numpy(), flagged, "parental_depth"
        )
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


def parental_balance_regions(
    het_calls: pd.DataFrame, overdispersion: float, settings: MaskSettings
) -> pd.DataFrame:
    """Stretches of unusual parental allele balance, from all of the parental's
    heterozygous calls *before* the allele-balance filter (columns chrom, pos 0-based,
    parental_ref_count, parental_alt_count).

    In each window of ``balance_window_sites`` calls, the share of calls outside the
    allele-balance band is compared with the share expected from their depths
    (beta-binomial at 0.5 with the run's overdispersion); windows whose excess exceeds
    ``max_unbalanced_excess`` are flagged, and their calls' span is left out.
    """
    rows: list[tuple] = []
    w = settings.balance_window_sites
    for chrom, group in het_calls.sort_values(["chrom", "pos"]).groupby("chrom", sort=False):
        if len(group) < w:
            continue
        ref = group["parental_ref_count"].to_numpy(float)
        alt = group["parental_alt_count"].to_numpy(float)
        n = (ref + alt).astype(np.int64)
        balance = alt / np.maximum(n, 1)
        outside = (balance < settings.min_allele_balance) | (balance > settings.max_allele_balance)
        rho = max(float(overdispersion), 1e-6)
        s = (1 - rho) / rho
        low = np.ceil(settings.min_allele_balance * n) - 1  # largest count below the band
        high = np.floor(settings.max_allele_balance * n)  # largest count inside the band
        expected = betabinom.cdf(low, n, 0.5 * s, 0.5 * s) + betabinom.sf(high, n, 0.5 * s, 0.5 * s)
        observed_share = pd.Series(outside.astype(float)).rolling(w, center=True).mean()
        expected_share = pd.Series(expected).rolling(w, center=True).mean()
        excess = (observed_share - expected_share).to_numpy()
        window_flag = np.nan_to_num(excess) > settings.max_unbalanced_excess
        # every call of a flagged window is flagged
        flagged = (
            np.convolve(window_flag.astype(int), np.ones(w, dtype=int), mode="same") > 0
        ) & np.isfinite(balance)
        positions = group["pos"].to_numpy()
        rows += _runs_to_regions(
            chrom, positions, positions + 1, flagged, "parental_allele_balance"
        )
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


@dataclass(frozen=True)
class Exclusion:
    """What was left out for one line: the regions, and the bins and sites they removed."""

    regions: pd.DataFrame
    bins_removed: int
    sites_removed: int


def apply_exclusions(
    bins: pd.DataFrame, sites: pd.DataFrame, regions: pd.DataFrame, settings: MaskSettings
) -> tuple[np.ndarray, np.ndarray, Exclusion]:
    """Keep masks for ``bins`` (used bins stay used unless excluded) and ``sites``, from
    the union of ``regions`` (configured BED and derived masks, concatenated)."""
    merged = merge_regions(regions)
    drop_bins = bins_in_regions(bins, merged, settings.min_overlap_fraction)
    drop_sites = sites_in_regions(sites, merged)
    used = bins["used"].to_numpy(bool) if "used" in bins else np.ones(len(bins), bool)
    summary = Exclusion(merged, int((drop_bins & used).sum()), int(drop_sites.sum()))
    return ~drop_bins, ~drop_sites, summary


class LineExclusion:
    """The exclusion step of one line, as ``copy_number.analyse(exclude=...)`` calls it:
    ``(bins, sites) -> (keep_bins, keep_sites)``, with the configured regions, the
    parental's depth mask (paired bins carry ``parental_corrected``) and, when the
    parental's heterozygous calls are given, its allele-balance mask. ``summary`` holds
    what was left out after the call."""

    def __init__(
        self,
        configured: pd.DataFrame | None,
        settings: MaskSettings,
        parental_het_calls: pd.DataFrame | None = None,
        overdispersion: float = 0.001,
    ):
        self.configured = (
            configured if configured is not None else pd.DataFrame(columns=REGION_COLUMNS)
        )
        self.settings = settings
        self.parental_het_calls = parental_het_calls
        self.overdispersion = overdispersion
        self.summary: Exclusion | None = None

    def __call__(self, bins: pd.DataFrame, sites: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        parts = [self.configured]
        if "parental_corrected" in bins:
            parts.append(parental_depth_regions(bins, self.settings))
        if self.parental_het_calls is not None and len(self.parental_het_calls):
            parts.append(
                parental_balance_regions(
                    self.parental_het_calls, self.overdispersion, self.settings
                )
            )
        parts = [part for part in parts if len(part)]
        regions = (
            pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REGION_COLUMNS)
        )
        keep_bins, keep_sites, self.summary = apply_exclusions(bins, sites, regions, self.settings)
        return keep_bins, keep_sites
