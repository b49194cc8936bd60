"""Regions the copy-number check leaves out: a configured BED of known problem regions
(segmental duplications, low mappability, false duplications of the reference), and
masks derived from the parental itself, applied to the parental's lines.

Derived from the parental:
- **depth**: bins whose parental depth departs from its neighbours' (robust z above
  ``mask_max_depth_z``: spikes, collapsed repeats) or whose smoothed parental depth lies
  outside ``mask_min_relative_depth``-``mask_max_relative_depth`` of the chromosome's expected
  copies (wide collapsed duplications, unmappable stretches);
- **allele balance**: stretches where more of the parental's heterozygous calls sit
  outside the allele-balance band than their depths explain (paralogous "hets" of a
  segmental duplication cluster together).

All coordinates are 0-based half-open (BED). Functions return interval tables (chrom,
start, end, name) so that every mask is applied to bins and sites the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import betabinom

from .params import MaskSettings

REGION_COLUMNS = ["chrom", "start", "end", "name"]


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
    """Regions of abnormal parental depth, from ``signal.depth_signal``'s table of a
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
        if valid.sum() < settings.mask_depth_window:
            continue
        series = pd.Series(np.where(valid, level, np.nan))
        local = series.rolling(settings.mask_depth_window, center=True, min_periods=5).median()
        residual = (series - local).to_numpy()
        finite = np.isfinite(residual)
        sd = 1.4826 * np.median(np.abs(residual[finite])) if finite.any() else np.nan
        if not np.isfinite(sd) or sd <= 0:
            continue
        spike = finite & (np.abs(residual) > settings.mask_max_depth_z * sd)
        smooth = 2.0 ** local.to_numpy()
        off_level = (copies > 0) & np.isfinite(smooth)
        off_level &= (smooth < settings.mask_min_relative_depth) | (
            smooth > settings.mask_max_relative_depth
        )
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

    In each window of ``mask_balance_window`` calls, the share of calls outside the
    allele-balance band is compared with the share expected from their depths
    (beta-binomial at 0.5 with the run's overdispersion); windows whose excess exceeds
    ``mask_max_unbalanced_excess`` are flagged, and their calls' span is left out.
    """
    rows: list[tuple] = []
    w = settings.mask_balance_window
    for chrom, group in het_calls.sort_values(["chrom", "pos"]).groupby("chrom", sort=False):
        if len(group) < w:
            continue
        ref = group["parental_ref_count"].to_numpy(float)
        alt = group["parental_alt_count"].to_numpy(float)
        n = (ref + alt).astype(np.int64)
        balance = alt / np.maximum(n, 1)
        outside = (balance < settings.min_het_allele_balance) | (
            balance > settings.max_het_allele_balance
        )
        rho = max(float(overdispersion), 1e-6)
        s = (1 - rho) / rho
        low = np.ceil(settings.min_het_allele_balance * n) - 1  # largest count below the band
        high = np.floor(settings.max_het_allele_balance * n)  # largest count inside the band
        expected = betabinom.cdf(low, n, 0.5 * s, 0.5 * s) + betabinom.sf(high, n, 0.5 * s, 0.5 * s)
        observed_share = pd.Series(outside.astype(float)).rolling(w, center=True).mean()
        expected_share = pd.Series(expected).rolling(w, center=True).mean()
        excess = (observed_share - expected_share).to_numpy()
        window_flag = np.nan_to_num(excess) > settings.mask_max_unbalanced_excess
        # every call of a flagged window is flagged
        flagged = (
            np.convolve(window_flag.astype(int), np.ones(w, dtype=int), mode="same") > 0
        ) & np.isfinite(balance)
        positions = group["pos"].to_numpy()
        rows += _runs_to_regions(
            chrom, positions, positions + 1, flagged, "parental_allele_balance"
        )
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


SOURCES = ("configured", "parental_depth", "parental_allele_balance")


@dataclass(frozen=True)
class Exclusion:
    """What one line leaves out: keep masks for its bins and sites, the merged regions
    (their ``name`` says the source), and per source (``SOURCES``) the used bins and the
    sites it removed (a bin or site in two sources counts in both; ``bins_removed`` and
    ``sites_removed`` count each once)."""

    keep_bins: np.ndarray
    keep_sites: np.ndarray
    regions: pd.DataFrame
    bins_by_source: dict[str, int]
    sites_by_source: dict[str, int]

    @property
    def bins_removed(self) -> int:
        return int((~self.keep_bins).sum())

    @property
    def sites_removed(self) -> int:
        return int((~self.keep_sites).sum())


def line_exclusion(
    bins: pd.DataFrame,
    sites: pd.DataFrame,
    configured: pd.DataFrame | None,
    settings: MaskSettings,
    parental_het_calls: pd.DataFrame | None = None,
    overdispersion: float = 0.001,
) -> Exclusion:
    """The regions one line leaves out, applied to its bins and sites.

    ``bins``: ``signal.depth_signal``'s table (``used``; paired: ``parental_corrected``
    and ``reference_copies`` give the parental depth mask); ``sites``: chrom, pos
    (0-based); ``configured``: BED regions (chrom, start, end, name) or None;
    ``parental_het_calls``: the parental's heterozygous calls before the allele-balance
    filter (``sites.baf_sites``), None in line-only mode; ``overdispersion``: the run's
    (``allele_balance.estimate_overdispersion``). A bin is left out when at least
    ``mask_min_overlap`` of it lies in a region, a site when it lies inside one; only used
    bins count as removed.
    """
    empty = pd.DataFrame(columns=REGION_COLUMNS)
    parts = {"configured": configured if configured is not None else empty}
    if "parental_corrected" in bins:
        parts["parental_depth"] = parental_depth_regions(bins, settings)
    if parental_het_calls is not None and len(parental_het_calls):
        parts["parental_allele_balance"] = parental_balance_regions(
            parental_het_calls, overdispersion, settings
        )
    used = bins["used"].to_numpy(bool) if "used" in bins else np.ones(len(bins), bool)
    keep_bins, keep_sites = np.ones(len(bins), bool), np.ones(len(sites), bool)
    bins_by_source, sites_by_source, named = {}, {}, []
    for source in SOURCES:
        regions = parts.get(source, empty)
        drop_bins = bins_in_regions(bins, regions, settings.mask_min_overlap)
        drop_sites = sites_in_regions(sites, regions)
        bins_by_source[source] = int((drop_bins & used).sum())
        sites_by_source[source] = int(drop_sites.sum())
        keep_bins &= ~(drop_bins & used)
        keep_sites &= ~drop_sites
        if len(regions):
            named.append(regions[REGION_COLUMNS[:3]].assign(name=source))
    merged = merge_regions(pd.concat(named, ignore_index=True)) if named else empty
    return Exclusion(keep_bins, keep_sites, merged, bins_by_source, sites_by_source)
