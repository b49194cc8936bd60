"""The detection limit a line's own data allow: the smallest gain, loss and copy-neutral
LOH it can see in a given fraction of cells.

The limit is computed by the code that decides: for an event of size L in a fraction f
of cells, the expected segment statistics (mean log2 ratio and its standard error from
the line's per-bin noise; allele counts at the line's site density and depths, with its
overdispersion) go through ``model.fit_segment`` with the line's allele-balance
model, and the event counts as detectable when

- the fit returns the event's type with a mosaic fraction >= ``min_mosaic_fraction``;
- its log-likelihood ratio against normal clears ``min_llr`` with the stated power: the
  signed root of the likelihood ratio, sqrt(2 LLR), is about normal with unit variance,
  so sqrt(2 LLR_expected) - sqrt(2 min_llr) >= z(power) (0.84 for 80%);
- the fitted fraction clears ``min_mosaic_fraction`` with the same power (its relative
  standard error is about 1 / sqrt(2 LLR)): events at the threshold fraction are seen
  about half the time, and are not stated as detectable;
- segmentation can find it: in the depth signal (bins) or the mirrored BAF (sites),
  noise-scaled, the cost an event of k points with mean shift d (in noise units) saves,
  k d^2, clears the two change points' penalty 2 x ``penalty`` x log(n) with the same
  power, and k >= ``min_segment_bins`` (or ``min_segment_snps``);
- L minus 5 bins at each end (what break placement may cut off) >= ``min_call_bp``.

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

from ipscqc.genome import GenomeModel
from ipscqc.segmentation import robust_sd

from .allele_balance import AlleleBalanceModel, AlleleBalanceTable, interpolated
from .model import call_type, expected_log2, expected_major_baf, fit_segment
from .params import DetectionSettings, Params
from .segments import mirrored

EVENTS = {"gain": (3, 2), "loss": (1, 1), "cnloh": (2, 2)}  # (copies, major copies)
REPRESENTATIVE_SITES = 12
BOUNDARY_SLACK_BINS = 5  # bins a called event may lose at each end


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
    biased_share: float | None = None


def line_noise(
    bins: pd.DataFrame, sites: pd.DataFrame, model: AlleleBalanceModel, genome: GenomeModel
) -> LineNoise:
    """``bins`` and ``sites`` as the check's ``analyse`` leaves them (``tables["bins"]``,
    ``tables["sites"]``: used bins flagged, excluded sites removed); ``model`` the line's
    allele-balance model; autosomes from ``genome``."""
    used = bins[bins["used"] & (genome.classes(bins["chrom"]) == "autosome")]
    sites = sites[genome.classes(sites["chrom"]) == "autosome"]
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
        biased_share=model.biased_share,
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


def _count_pmf(n: int, q: float, rho: float) -> np.ndarray:
    s = (1 - rho) / rho
    return betabinom.pmf(np.arange(n + 1), n, q * s, (1 - q) * s)


PARENTAL_PMF_FLOOR = 1e-4  # parental counts less likely than this are left out
LINE_PMF_FLOOR = 1e-6  # line counts this unlikely at every major fraction up to 0.8 too


def _count_rows(noise: LineNoise):
    """Every count combination the representative sites can show (line: counts with
    probability >= ``LINE_PMF_FLOOR`` at some major fraction up to 0.8; parental: counts
    with probability >= ``PARENTAL_PMF_FLOOR`` at 0.5), with the line's
    allele model evaluated once on the grid for each: (per-row log-likelihoods, rows as
    (site index, line alt, parental weight))."""
    rho = max(noise.overdispersion, 1e-6)
    site, alt, depth, parental_alt, parental_depth, parental_weight = [], [], [], [], [], []
    for i, n in enumerate(np.maximum(np.round(noise.line_depths).astype(int), 1)):
        # the events whose limits are stated have major fractions of 0.5-0.75
        plausible = np.maximum(
            _count_pmf(n, 0.5, rho), 0.5 * (_count_pmf(n, 0.8, rho) + _count_pmf(n, 0.2, rho))
        )
        x_l = np.flatnonzero(plausible >= LINE_PMF_FLOOR)
        if noise.parental_depths is not None:
            n_p = max(int(round(noise.parental_depths[i])), 1)
            pmf_p = _count_pmf(n_p, 0.5, rho)
            x_p = np.flatnonzero(pmf_p >= PARENTAL_PMF_FLOOR)
            grid_l, grid_p = np.meshgrid(x_l, x_p, indexing="ij")
            x_l, x_p = grid_l.ravel(), grid_p.ravel()
            parental_alt.append(x_p)
            parental_depth.append(np.full(len(x_p), n_p))
            parental_weight.append(pmf_p[x_p] / pmf_p[pmf_p >= PARENTAL_PMF_FLOOR].sum())
        else:
            parental_weight.append(np.ones(len(x_l)))
        site.append(np.full(len(x_l), i))
        alt.append(x_l)
        depth.append(np.full(len(x_l), n))
    paired = noise.parental_depths is not None
    columns = [np.concatenate(alt), np.concatenate(depth)]
    if paired:
        columns += [np.concatenate(parental_alt), np.concatenate(parental_depth)]
    # identical count combinations (representative sites of equal depth) are evaluated once
    unique, inverse = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    table = AlleleBalanceTable.build(
        unique[:, 0],
        unique[:, 1],
        noise.overdispersion,
        unique[:, 2] if paired else None,
        unique[:, 3] if paired else None,
        biased_share=noise.biased_share if noise.biased_share is not None else 0.001,
    )
    per_row = table.per_site()[inverse.ravel()]
    return per_row, np.concatenate(site), columns[0], np.concatenate(parental_weight)


def expected_allele_curve(noise: LineNoise, major: float, rows=None):
    """The expected allele-count log-likelihood of one site of the line, as a function of
    candidate major fractions, when the truth is ``major``: the line's allele model
    (``AlleleBalanceTable``) over every count the representative sites can show, weighted
    by its probability (unphased beta-binomial around ``major`` in the line, around 0.5 in
    the parental). ``rows``: ``_count_rows(noise)`` when already computed (the rows do not
    depend on ``major``, only their weights do). None without sites."""
    if noise.sites_per_mb <= 0 or len(noise.line_depths) == 0:
        return None
    rho = max(noise.overdispersion, 1e-6)
    per_row, site, alt, parental_weight = rows if rows is not None else _count_rows(noise)
    depths = np.maximum(np.round(noise.line_depths).astype(int), 1)
    line_pmf = {
        i: 0.5 * (_count_pmf(n, major, rho) + _count_pmf(n, 1 - major, rho))
        for i, n in enumerate(depths)
    }
    weight = np.array([line_pmf[i][x] for i, x in zip(site, alt, strict=True)])
    weight = weight * parental_weight / len(depths)
    return interpolated(weight @ per_row)


def _event_fit(noise, kind, fraction, size_bp, params, curve):
    c, m = EVENTS[kind]
    span = size_bp * noise.usable_fraction
    bins = span / noise.bin_size
    sites = span * noise.sites_per_mb / 1e6
    log2_mean = float(expected_log2(c, fraction, 2))
    major = float(expected_major_baf(c, m, fraction, 2, 1))
    allele, alt, depths = None, np.zeros(0), np.zeros(0)
    if curve is not None and sites >= 1:

        def allele(candidates, curve=curve, sites=sites):
            return sites * curve(candidates)

        alt, depths = np.ones(1), np.ones(1)  # placeholders: the curve carries the counts
    se = noise.log2_sd / math.sqrt(max(bins, 1.0))
    fit = fit_segment(log2_mean, se, alt, depths, 2, 1, params, allele_likelihood=allele)
    return fit, bins, sites, log2_mean, major


def detectable(
    noise: LineNoise,
    kind: str,
    fraction: float,
    size_bp: float,
    params: Params,
    power: float,
    curve=None,
) -> bool:
    """Whether an event of ``kind`` (gain, loss, cnloh) over ``size_bp`` in ``fraction`` of
    cells would be called, with ``power`` (module docstring). ``curve``: the event's
    ``event_expectations`` (computed when not given)."""
    # a called event loses a few bins at each end to the placement of its breaks
    if size_bp - 2 * BOUNDARY_SLACK_BINS * noise.bin_size < params.min_call_bp:
        return False
    if size_bp > noise.largest_span_bp:
        return False
    if not np.isfinite(noise.log2_sd) or noise.bin_size <= 0:
        return False
    z = float(norm.ppf(power))
    if curve is None:
        curve = event_expectations(noise, kind, fraction)
    curve, baf_shift = curve
    fit, bins, sites, log2_mean, major = _event_fit(noise, kind, fraction, size_bp, params, curve)
    called_kind = call_type(fit["copy_number"], fit["major_copies"], 2, 1)
    if called_kind != kind:
        return False
    root = math.sqrt(2 * max(fit["llr"], 0.0))
    if root - math.sqrt(2 * params.min_llr) < z:
        return False
    # the fitted fraction must clear min_mosaic_fraction with the same power: its relative
    # standard error is about 1 / sqrt(2 LLR)
    if fit["mosaic_fraction"] * (1 - z / root) < params.min_mosaic_fraction:
        return False
    depth_found = _segmentable(
        bins, log2_mean / noise.log2_sd, noise.chromosome_bins, params.min_segment_bins, params, z
    )
    baf_found = False
    # a mirrored BAF without spread (every site shows one allele, as in another donor's
    # genome) gives no scale for a shift: only depth can find the event
    usable_baf = np.isfinite(noise.mirrored_baf_sd) and noise.mirrored_baf_sd > 0
    if sites >= 1 and baf_shift is not None and usable_baf:
        baf_found = _segmentable(
            sites, baf_shift / noise.mirrored_baf_sd, noise.chromosome_sites,
            params.min_segment_snps, params, z,
        )  # fmt: skip
    return depth_found or baf_found


def event_expectations(noise: LineNoise, kind: str, fraction: float, rows=None):
    """(expected allele curve, expected shift of the mirrored BAF) of an event type at a
    fraction of cells, independent of its size: computed once per type and fraction
    (``rows``: ``_count_rows(noise)``, shared by all of them)."""
    c, m = EVENTS[kind]
    major = float(expected_major_baf(c, m, fraction, 2, 1))
    curve = expected_allele_curve(noise, major, rows)
    shift = None
    if len(noise.line_depths):
        rho = max(noise.overdispersion, 1e-6)
        shift = _expected_mirrored(noise.line_depths, major, rho)
        shift -= _expected_mirrored(noise.line_depths, 0.5, rho)
    return curve, shift


def smallest_detectable_bp(
    noise: LineNoise,
    kind: str,
    fraction: float,
    params: Params,
    power: float = 0.8,
    curve=None,
) -> int | None:
    """Smallest size (bp, to 1% or one bin) of a detectable event; None when none up to
    the largest analysable autosome is. ``curve``: ``event_expectations`` if known."""
    top = noise.largest_span_bp
    if top < params.min_call_bp:
        return None
    curve = curve or event_expectations(noise, kind, fraction)

    def seen(size):
        return detectable(noise, kind, fraction, size, params, power, curve)

    grid = np.geomspace(params.min_call_bp, top, 32)
    passing = [size for size in grid if seen(size)]
    if not passing:
        return None
    hi = passing[0]
    lo = grid[np.searchsorted(grid, hi) - 1] if hi > grid[0] else None
    if lo is None:
        return int(round(hi))
    for _ in range(12):
        mid = math.sqrt(lo * hi)
        if seen(mid):
            hi = mid
        else:
            lo = mid
        if hi - lo < max(noise.bin_size, 0.01 * hi):
            break
    return int(math.ceil(hi))


FRACTIONS = (0.2, 0.5)  # fractions of cells the limits are stated at (declared names)


def limit_name(kind: str, fraction: float) -> str:
    """The declared number of a stated limit, e.g. ``detection_limit_gain_20pct_bp``."""
    return f"detection_limit_{kind}_{round(fraction * 100)}pct_bp"


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
    expectations: dict = {}

    rows = _count_rows(noise) if noise.sites_per_mb > 0 and len(noise.line_depths) else None

    def expected(kind, fraction):
        if (kind, fraction) not in expectations:
            expectations[kind, fraction] = event_expectations(noise, kind, fraction, rows)
        return expectations[kind, fraction]

    for kind in EVENTS:
        for fraction in FRACTIONS:
            metrics[limit_name(kind, fraction)] = smallest_detectable_bp(
                noise, kind, fraction, params, settings.detection_power, expected(kind, fraction)
            )
    if (
        noise.largest_span_bp < settings.gate_event_bp
        or not np.isfinite(noise.log2_sd)
        or noise.bin_size <= 0
    ):
        sees = None  # cannot be estimated: no usable bins, or a genome too small for it
    else:
        sees = all(
            detectable(
                noise,
                kind,
                settings.gate_event_fraction,
                settings.gate_event_bp,
                params,
                settings.detection_power,
                expected(kind, settings.gate_event_fraction),
            )  # fmt: skip
            for kind in EVENTS
        )
    metrics.update(
        sees_gate_event=sees,
        gate_event_bp=settings.gate_event_bp,
        gate_event_fraction=settings.gate_event_fraction,
        detection_log2_sd=float(noise.log2_sd) if np.isfinite(noise.log2_sd) else None,
        detection_sites_per_mb=float(noise.sites_per_mb),
        detection_overdispersion=float(noise.overdispersion),
    )
    return metrics
