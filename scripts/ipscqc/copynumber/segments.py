"""Segmentation of each chromosome's log2 ratios and allele balance into segments with
fitted states, neighbours merged where one state explains both about as well."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ipscqc.genome import GenomeModel
from ipscqc.segmentation import (
    change_points,
    merge_breaks,
    refine_breaks,
    robust_sd,
    segments_from_breaks,
)

from .model import NORMAL, call_type, fit_segment
from .params import Params


def mirrored(baf: np.ndarray) -> np.ndarray:
    return np.abs(np.asarray(baf, dtype=float) - 0.5) + 0.5


def segment_chromosome(bins: pd.DataFrame, sites: pd.DataFrame, params: Params) -> list[int]:
    """Break positions (bin indices within this chromosome's used bins) from the log2
    ratio of the bins and the mirrored BAF of the sites, merged consistently: a BAF
    break within one bin of a depth break is the same break; other near pairs leave a
    sliver that ``_merge_neighbours`` gives to the side that explains it."""
    n = len(bins)
    if n == 0:
        return []
    log2_breaks = change_points(bins["log2"].to_numpy(), params.penalty, params.min_segment_bins)
    baf_breaks: list[int] = []
    if len(sites) >= 2 * params.min_segment_snps:
        site_breaks = change_points(
            mirrored(sites["baf"].to_numpy()), params.penalty, params.min_segment_snps
        )
        # a site break lies between two sites: place it at the first bin after the
        # previous site
        positions = sites["pos"].to_numpy()
        starts = bins["start"].to_numpy()
        for k in site_breaks:
            boundary = (positions[k - 1] + positions[k]) // 2
            baf_breaks.append(int(np.searchsorted(starts, boundary, side="right")))
    # keep both kinds of breaks (a BAF break within a bin of a depth break is the same);
    # the slivers between two near breaks go to the neighbour that explains them best
    # when segments are merged
    return merge_breaks(log2_breaks, baf_breaks, snap=1, min_size=2, n=n)


def _segment_stats(bins: pd.DataFrame, sites: pd.DataFrame, sigma: float) -> dict:
    """Counts and means of a segment; ``sigma`` is the per-bin log2 noise of the sample.
    ``log2_within`` (sum of squared deviations from the segment mean / sigma^2) lets
    segments be compared with their union: a union across a step pays for it."""
    values = bins["log2"].to_numpy()
    n = len(values)
    mean = float(np.mean(values)) if n else float("nan")
    return {
        "bins": n,
        "snps": len(sites),
        "log2_mean": mean,
        "log2_se": sigma / math.sqrt(n) if n else 1.0,
        "log2_within": float(np.sum((values - mean) ** 2) / sigma**2) if n else 0.0,
        "baf_mirrored_mean": float(np.mean(mirrored(sites["baf"]))) if len(sites) else float("nan"),
    }


def _fit(
    chrom_bins: pd.DataFrame, chrom_sites: pd.DataFrame, c0, m0, params, sigma, allele=None
) -> dict:
    stats = _segment_stats(chrom_bins, chrom_sites, sigma)
    fit = fit_segment(
        stats["log2_mean"],
        stats["log2_se"],
        chrom_sites["alt_count"].to_numpy(),
        chrom_sites["depth"].to_numpy(),
        c0,
        m0,
        params,
        log2_within=stats["log2_within"],
        allele_likelihood=allele,
    )
    return {**stats, **fit}


def _is_call(segment: dict, c0: int, m0: int, params: Params) -> bool:
    kind = call_type(segment["copy_number"], segment["major_copies"], c0, m0)
    return (
        kind != NORMAL
        and segment["llr"] >= params.min_llr
        and segment["mosaic_fraction"] >= params.min_mosaic_fraction
    )


def normal_offset(segments: pd.DataFrame, genome: GenomeModel) -> float:
    """Bin-weighted mean log2 ratio of the autosomal segments that are not calls."""
    normal = segments[~segments["called"] & (genome.classes(segments["chrom"]) == "autosome")]
    if normal.empty or normal["bins"].sum() == 0:
        return 0.0
    return float(np.average(normal["log2_mean"], weights=normal["bins"]))


def _merge_neighbours(segments: list[dict], evaluate, merge_llr: float) -> list[dict]:
    """Merge neighbouring segments, cheapest first: two uncalled ones always; others
    when fitting them as one segment loses less than ``merge_llr`` log-likelihood units
    (a sliver left between two close breaks, one event cut in two by noise)."""
    cache: dict[tuple[int, int], dict] = {}

    def joined(a, b):
        key = (a["lo"], b["hi"])
        if key not in cache:
            cache[key] = evaluate(a["lo"], b["hi"])
        return cache[key]

    while len(segments) > 1:
        best, best_cost = None, merge_llr
        for i in range(len(segments) - 1):
            a, b = segments[i], segments[i + 1]
            if not a["called"] and not b["called"]:
                cost = -math.inf
            else:
                cost = a["log_likelihood"] + b["log_likelihood"] - joined(a, b)["log_likelihood"]
            if cost < best_cost:
                best, best_cost = i, cost
        if best is None:
            break
        a, b = segments[best], segments[best + 1]
        segments[best : best + 2] = [joined(a, b)]
    return segments


def _refine_depth_breaks(segments: list[dict], log2: np.ndarray, evaluate, params) -> list[dict]:
    """After merging, move each break with a clear depth step (z > 5) to the best depth
    split within 2 x ``min_segment_bins``; breaks seen in allele balance only stay."""
    for i in range(len(segments) - 1):
        a, b = segments[i], segments[i + 1]
        step = abs(a["log2_mean"] - b["log2_mean"]) / math.hypot(a["log2_se"], b["log2_se"])
        if not step > 5:
            continue
        window = 2 * params.min_segment_bins
        values = log2[a["lo"] : b["hi"]]
        local = refine_breaks(values, [a["hi"] - a["lo"]], window, params.min_segment_bins)[0]
        moved = a["lo"] + local
        if moved != a["hi"]:
            segments[i] = evaluate(a["lo"], moved)
            segments[i + 1] = evaluate(moved, b["hi"])
    return segments


def segment_and_fit(
    bins: pd.DataFrame,
    sites: pd.DataFrame,
    sex: str,
    params: Params,
    genome: GenomeModel,
    allele_model=None,
) -> pd.DataFrame:
    """Segments of every chromosome with their fitted states, neighbours merged where
    one state explains both about as well (see ``_merge_neighbours``). ``allele_model``
    (``allele_balance.AlleleBalanceModel``) scores the allele counts; None keeps the
    binomial model against 0.5."""
    rows = []
    used = bins[bins["used"]]
    sigma = robust_sd(used["log2"].to_numpy())
    if not np.isfinite(sigma) or sigma <= 0:
        sigma = 1.0
    for chrom, chrom_bins in used.groupby("chrom", sort=False):
        chrom_bins = chrom_bins.reset_index(drop=True)
        c0, m0 = genome.baseline_copies(chrom, sex)
        chrom_sites = sites[sites["chrom"] == chrom].sort_values("pos").reset_index(drop=True)
        breaks = segment_chromosome(chrom_bins, chrom_sites, params)
        pieces = segments_from_breaks(len(chrom_bins), breaks)
        table = allele_model.table(chrom_sites) if allele_model is not None and c0 >= 2 else None
        positions = chrom_sites["pos"].to_numpy()

        def evaluate(lo, hi, chrom_bins=chrom_bins, chrom_sites=chrom_sites, c0=c0, m0=m0,
                     table=table, positions=positions):  # fmt: skip
            start = int(chrom_bins["start"].iloc[lo])
            end = int(chrom_bins["end"].iloc[hi - 1])
            first, last = np.searchsorted(positions, [start, end])
            inside = chrom_sites.iloc[first:last]
            allele = table.segment(first, last) if table is not None else None
            fitted = _fit(chrom_bins.iloc[lo:hi], inside, c0, m0, params, sigma, allele)
            fitted["called"] = _is_call(fitted, c0, m0, params)
            return {"lo": lo, "hi": hi, "start": start, "end": end, **fitted}

        segments = [evaluate(lo, hi) for lo, hi in pieces]
        segments = _merge_neighbours(segments, evaluate, params.merge_llr)
        segments = _refine_depth_breaks(segments, chrom_bins["log2"].to_numpy(), evaluate, params)
        for segment in segments:
            segment.update(
                chrom=chrom,
                reference_copies=c0,
                reference_major_copies=m0,
                type=call_type(segment["copy_number"], segment["major_copies"], c0, m0)
                if segment["called"]
                else NORMAL,
            )
            rows.append(segment)
    columns = [
        "chrom", "start", "end", "bins", "snps", "log2_mean", "log2_se", "log2_within",
        "baf_mirrored_mean",
        "reference_copies", "reference_major_copies", "copy_number", "major_copies",
        "mosaic_fraction", "llr", "expected_log2", "expected_major_baf", "called", "type",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
