"""BAF sites of the copy-number check: which of the parental's heterozygous SNV calls
(``readers.vcf.read_het_site_counts``: line and parental FORMAT/AD, parental GQ) carry
allele-balance evidence. Pure functions on arrays and tables; positions 0-based."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .params import SiteSettings

# the order in which the selection reports what it removed (a site can fail several)
FILTERS = ("missing_counts", "parental_depth_low", "parental_depth_high", "allele_balance",
           "genotype_quality", "line_depth_low")  # fmt: skip


@dataclass(frozen=True)
class SiteSelection:
    """``keep`` per site, and how many sites each filter removed (a site can fail several;
    ``genotype_quality`` is None when no GQ was given)."""

    keep: np.ndarray
    removed: dict[str, int | None]


def select_baf_sites(
    parental_ref: np.ndarray,
    parental_alt: np.ndarray,
    parental_gq: np.ndarray | None,
    line_ref: np.ndarray,
    line_alt: np.ndarray,
    settings: SiteSettings,
    allele_balance_filter: bool = True,
) -> SiteSelection:
    """BAF sites among the parental's heterozygous SNV calls (counts from FORMAT/AD).

    Kept: parental depth >= ``min_het_depth`` and <= ``max_het_depth_ratio`` x the median
    parental depth of the sites deep enough; parental allele balance (alt / depth) within
    ``min_het_allele_balance``-``max_het_allele_balance``; parental GQ >=
    ``min_het_gq`` (a NaN GQ removes the site; ``parental_gq`` None: the filter is not
    applied, and ``removed["genotype_quality"]`` is None); line depth >= ``min_baf_depth``.
    Negative counts (missing AD) remove the site and count once, as ``missing_counts``.
    In line-only mode pass the line's own counts as both parental and line, with
    ``allele_balance_filter`` False: the line's own imbalance is the signal.
    """
    p_ref = np.asarray(parental_ref, dtype=float)
    p_alt = np.asarray(parental_alt, dtype=float)
    l_ref = np.asarray(line_ref, dtype=float)
    l_alt = np.asarray(line_alt, dtype=float)
    p_depth = p_ref + p_alt
    l_depth = l_ref + l_alt
    missing = (p_ref < 0) | (p_alt < 0) | (l_ref < 0) | (l_alt < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.where(p_depth > 0, p_alt / np.maximum(p_depth, 1), np.nan)
    shallow = p_depth < settings.min_het_depth
    deep_enough = ~missing & ~shallow
    typical = np.median(p_depth[deep_enough]) if deep_enough.any() else np.inf
    in_band = (balance >= settings.min_het_allele_balance) & (
        balance <= settings.max_het_allele_balance
    )
    filters: dict[str, np.ndarray | None] = {
        "missing_counts": missing,
        "parental_depth_low": shallow,
        "parental_depth_high": p_depth > settings.max_het_depth_ratio * typical,
        "allele_balance": ~in_band if allele_balance_filter else np.zeros(len(p_ref), bool),
        "genotype_quality": None
        if parental_gq is None
        else ~(np.asarray(parental_gq, dtype=float) >= settings.min_het_gq),
        "line_depth_low": l_depth < settings.min_baf_depth,
    }
    keep = ~missing
    removed: dict[str, int | None] = {}
    for name in FILTERS:
        mask = filters[name]
        if mask is None:
            removed[name] = None
            continue
        if name != "missing_counts":  # a site without counts is counted once, as missing
            mask = mask & ~missing
        keep &= ~mask
        removed[name] = int(mask.sum())
    return SiteSelection(keep, removed)


def baf_sites(counts: pd.DataFrame, settings: SiteSettings, paired: bool):
    """BAF sites and the parental's heterozygous calls from ``read_het_site_counts``.

    Returns (sites, het_calls, removed): ``sites`` with chrom, pos, ref_count, alt_count,
    depth, baf and, paired, parental_alt_count and parental_depth (what the segment fit
    and ``allele_balance.fit_allele_balance_model`` read); ``het_calls``: every
    heterozygous call of the parental with its counts (chrom, pos, parental_ref_count,
    parental_alt_count; the input of ``masks.parental_balance_regions``); ``removed``:
    sites each filter removed (``select_baf_sites``). The GQ filter is applied when any
    site has a GQ. In line-only mode the line's own calls define the sites and the
    allele-balance filter is not applied.
    """
    gq = counts["parental_gq"].to_numpy(float)
    has_gq = bool(np.isfinite(gq).any())
    selection = select_baf_sites(
        counts["parental_ref_count"].to_numpy(),
        counts["parental_alt_count"].to_numpy(),
        gq if has_gq else None,
        counts["ref_count"].to_numpy(),
        counts["alt_count"].to_numpy(),
        settings,
        allele_balance_filter=paired,
    )
    kept = counts[selection.keep].reset_index(drop=True)
    sites = kept[["chrom", "pos", "ref_count", "alt_count"]].copy()
    sites["depth"] = sites["ref_count"] + sites["alt_count"]
    sites["baf"] = sites["alt_count"] / sites["depth"]
    if paired:
        sites["parental_alt_count"] = kept["parental_alt_count"]
        sites["parental_depth"] = kept["parental_ref_count"] + kept["parental_alt_count"]
    usable = (counts["parental_ref_count"] >= 0) & (counts["parental_alt_count"] >= 0)
    het_calls = counts.loc[usable, ["chrom", "pos", "parental_ref_count", "parental_alt_count"]]
    return sites, het_calls.reset_index(drop=True), selection.removed
