"""The detection limit a line's own data allow: the smallest gain, loss and copy-neutral
LOH it can see in a given fraction of cells.

The limit is computed by the code that decides: for an event of size L in a fraction f
of cells, the expected segment statistics (mean log2 ratio and its standard error from
the line's per-bin noise; allele counts at the line's site density and depths, with its
overdispersion) go through ``copy_number.fit_segment`` with the line's allele-balance
model, and the event counts as detectable when

- the fit returns the event's type with a mosaic fraction >= ``min_mosaic_fraction``;
- its log-likelihood ratio against normal clears ``min_llr`` with the stated power: the
  signed root of the likelihood ratio, sqrt(2 LLR), is about normal with unit variance,
  so sqrt(2 LLR_expected) - sqrt(2 min_llr) >= z(power) (0.84 for 80%);
- segmentation can find it: in the depth signal (bins) or the mirrored BAF (sites),
  noise-scaled, the cost an event of k points with mean shift d (in noise units) saves,
  k d^2, clears the two change points' penalty 2 x ``penalty`` x log(n) with the same
  power, and k >= ``min_segment_bins`` (or ``min_segment_snps``);
- L >= ``min_call_bp``.

Sizes are in bp of genome (the usable share of bins and the site density are measured
on the line's analysable autosomes); None means not reachable within the largest
analysable autosome. Whole-chromosome events need no change point and are seen at
smaller fractions than segmental ones: the limit is for segmental events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import betabinom, norm

from .cn_allele_balance import AlleleBalanceModel, AlleleBalanceTable
from .copy_number import (
    Params,
    call_type,
    expected_log2,
    expected_major_baf,
    fit_segment,
    is_autosome,
    mirrored,
)
from .segmentation import robust_sd

EVENTS = {"gain": (3, 2), "loss": (1, 1), "cnloh": (2, 2)}  # (copies, major copies)
REPRESENTATIVE_SITES = 24


@dataclass(frozen=True)
class LineNoise:
    """What the line's data offer, measured on its analysable autosomes.

    ``bin_size`` bp; ``usable_fraction``: used bins' span / autosomal span from the first
    to the last used bin; ``log2_sd``: per-bin robust noise of the log2 ratio (as the
    segment fit uses); ``sites_per_mb``: heterozygous sites used per Mb of used bins;
    ``line_depths``/``parental_depths``: depths of representative sites (quantiles of the
    line's; the parental's of the same sites, None line-only); ``mirrored_baf_sd``: robust
    noise of the mirrored BAF; ``largest_span_bp``: the largest analysable autosome;
    ``chromosome_bins``/``chromosome_sites``: used bins and sites of that chromosome (for
    the segmentation penalty)."""

    bin_size: float
    usable_fraction: float
    log2_sd: float
    sites_per_mb: float
    line_depths: np.ndarray
    parental_depths: np.ndarray | None
    overdispersion: float
    paired: bool
    mirrored_baf_sd: float
    largest_span_bp: int
    chromosome_bins: int
    chromosome_sites: int


def line_noise(bins: pd.DataFrame, sites: pd.DataFrame, model: AlleleBalanceModel) -> LineNoise:
    """``bins`` and ``sites`` as ``copy_number.analyse`` leaves them (``Analysis.bins``,
    ``Analysis.sites``: used bins flagged, excluded sites removed)."""
    used = bins[bins["used"] & bins["chrom"].map(is_autosome)]
    sites = sites[sites["chrom"].map(is_autosome)]
    spans = used.groupby("chrom")["end"].max() - used.groupby("chrom")["start"].min()
    used_bp = float((used["end"] - used["start"]).sum())
    largest = str(spans.idxmax()) if len(spans) else None
    order = np.argsort(sites["depth"].to_numpy(), kind="stable")
    pick = (
        order[np.linspace(0, len(order) - 1, REPRESENTATIVE_SITES).astype(int)]
        if len(order)
        else []
    )
    paired = model.paired and "parental_depth" in sites
    return LineNoise(
        bin_size=float(np.median(used["end"] - used["start"])) if len(used) else float("nan"),
        usable_fraction=used_bp / float(spans.sum()) if spans.sum() > 0 else 0.0,
        log2_sd=robust_sd(bins.loc[bins["used"], "log2"].to_numpy()),
        sites_per_mb=len(sites) / (used_bp / 1e6) if used_bp > 0 else 0.0,
        line_depths=sites["depth"].to_numpy(float)[pick],
        parental_depths=sites["parental_depth"].to_numpy(float)[pick] if paired else None,
        overdispersion=model.overdispersion,
        paired=paired,
        mirrored_baf_sd=robust_sd(mirrored(sites.sort_values(["chrom", "pos"])["baf"]))
        if len(sites) > 2
        else float("nan"),
        largest_span_bp=int(spans.max()) if len(spans) else 0,
        chromosome_bins=int((used["chrom"] == largest).sum()) if largest else 0,
        chromosome_sites=int((sites["chrom"] == largest).sum()) if largest else 0,
    )


def _expected_mirrored(depths: np.ndarray, q: float, rho: float) -> float:
    """Mean mirrored BAF |x/n - 0.5| + 0.5 of beta-binomial counts around q, averaged
    over the representative depths."""
    s = (1 - rho) / rho
    values = []
    for n in np.maximum(np.round(depths).astype(int), 1):
        x = np.arange(n + 1)
        pmf = betabinom.pmf(x, n, q * s, (1 - q) * s)
        values.append(float(np.sum(pmf * (np.abs(x / n - 0.5) + 0.5))))
    return float(np.mean(values))


def _segmentable(points: float, shift_sd: float, n: int, min_size: int, params, z: float):
    if points < min_size or n < 2 or not np.isfinite(shift_sd):
        return False
    return math.sqrt(points) * abs(shift_sd) - math.sqrt(2 * params.penalty * math.log(n)) >= z


def _event_fit(noise: LineNoise, kind: str, fraction: float, size_bp: float, params: Params):
    c, m = EVENTS[kind]
    span = size_bp * noise.usable_fraction
    bins = span / noise.bin_size
    sites = span * noise.sites_per_mb / 1e6
    log2_mean = float(expected_log2(c, fraction, 2))
    major = float(expected_major_baf(c, m, fraction, 2, 1))
    depths = noise.line_depths
    alt = depths * major
    allele = None
    if sites >= 1 and len(depths):
        parental_depths = noise.parental_depths
        table = AlleleBalanceTable.build(
            alt,
            depths,
            noise.overdispersion,
            parental_depths * 0.5 if parental_depths is not None else None,
            parental_depths,
            weights=np.full(len(depths), sites / len(depths)),
        )
        allele = table.segment(0, len(depths))
    else:
        alt, depths = np.zeros(0), np.zeros(0)
    se = noise.log2_sd / math.sqrt(max(bins, 1.0))
    fit = fit_segment(log2_mean, se, alt, depths, 2, 1, params, allele_likelihood=allele)
    return fit, bins, sites, log2_mean, major


def detectable(
    noise: LineNoise, kind: str, fraction: float, size_bp: float, params: Params, power: float
) -> bool:
    """Whether an event of ``kind`` (gain, loss, cnloh) over ``size_bp`` in ``fraction`` of
    cells would be called, with ``power`` (module docstring)."""
    if size_bp < params.min_call_bp or size_bp > noise.largest_span_bp:
        return False
    if not np.isfinite(noise.log2_sd) or noise.bin_size <= 0:
        return False
    z = float(norm.ppf(power))
    fit, bins, sites, log2_mean, major = _event_fit(noise, kind, fraction, size_bp, params)
    called_kind = call_type(fit["copy_number"], fit["major_copies"], 2, 1)
    if called_kind != kind or fit["mosaic_fraction"] < params.min_mosaic_fraction:
        return False
    if math.sqrt(2 * max(fit["llr"], 0.0)) - math.sqrt(2 * params.min_llr) < z:
        return False
    depth_found = _segmentable(
        bins, log2_mean / noise.log2_sd, noise.chromosome_bins, params.min_segment_bins, params, z
    )
    baf_found = False
    if sites >= 1 and len(noise.line_depths) and np.isfinite(noise.mirrored_baf_sd):
        rho = max(noise.overdispersion, 1e-6)
        shift = _expected_mirrored(noise.line_depths, major, rho)
        shift -= _expected_mirrored(noise.line_depths, 0.5, rho)
        baf_found = _segmentable(
            sites, shift / noise.mirrored_baf_sd, noise.chromosome_sites,
            params.min_segment_snps, params, z,
        )  # fmt: skip
    return depth_found or baf_found


def smallest_detectable_bp(
    noise: LineNoise, kind: str, fraction: float, params: Params, power: float = 0.8
) -> int | None:
    """Smallest size (bp, to 1% or one bin) of a detectable event; None when none up to
    the largest analysable autosome is."""
    top = noise.largest_span_bp
    if top < params.min_call_bp:
        return None
    grid = np.geomspace(params.min_call_bp, top, 32)
    passing = [size for size in grid if detectable(noise, kind, fraction, size, params, power)]
    if not passing:
        return None
    hi = passing[0]
    lo = grid[np.searchsorted(grid, hi) - 1] if hi > grid[0] else None
    if lo is None:
        return int(round(hi))
    for _ in range(12):
        mid = math.sqrt(lo * hi)
        if detectable(noise, kind, fraction, mid, params, power):
            hi = mid
        else:
            lo = mid
        if hi - lo < max(noise.bin_size, 0.01 * hi):
            break
    return int(math.ceil(hi))


@dataclass(frozen=True)
class DetectionSettings:
    """``fractions``: fractions of cells the limit is stated at (20%: arrays' mosaicism
    floor, HipSci; 50%: half of the cells); gate figure: can the line see ``gate_size_bp``
    (5 Mb: the karyotype release rule, Coriell/CIRM) at ``gate_fraction`` (20%) for each
    of ``gate_types``; ``power`` 0.8."""

    fractions: tuple[float, ...] = (0.2, 0.5)
    gate_size_bp: int = 5_000_000
    gate_fraction: float = 0.2
    gate_types: tuple[str, ...] = ("gain", "loss", "cnloh")
    power: float = 0.8


def detection_limits(
    noise: LineNoise, params: Params, settings: DetectionSettings | None = None
) -> dict:
    """Metrics for the findings: ``detection_limit_{type}_{pct}pct_bp`` (int bp or None)
    for each event type and fraction; ``sees_gate_event`` (True/False; None when it
    cannot be estimated: no usable bins, or no autosome as long as the gate event);
    ``gate_event_bp`` and ``gate_event_fraction``; and the inputs (``detection_log2_sd``,
    ``detection_sites_per_mb``, ``detection_overdispersion``)."""
    settings = settings or DetectionSettings()
    metrics: dict = {}
    for kind in EVENTS:
        for fraction in settings.fractions:
            key = f"detection_limit_{kind}_{round(fraction * 100)}pct_bp"
            metrics[key] = smallest_detectable_bp(noise, kind, fraction, params, settings.power)
    if (
        noise.largest_span_bp < settings.gate_size_bp
        or not np.isfinite(noise.log2_sd)
        or noise.bin_size <= 0
    ):
        sees = None  # cannot be estimated: no usable bins, or a genome too small for it
    else:
        sees = all(
            detectable(
                noise, kind, settings.gate_fraction, settings.gate_size_bp, params, settings.power
            )
            for kind in settings.gate_types
        )
    metrics.update(
        sees_gate_event=sees,
        gate_event_bp=settings.gate_size_bp,
        gate_event_fraction=settings.gate_fraction,
        detection_log2_sd=float(noise.log2_sd) if np.isfinite(noise.log2_sd) else None,
        detection_sites_per_mb=float(noise.sites_per_mb),
        detection_overdispersion=float(noise.overdispersion),
    )
    return metrics
