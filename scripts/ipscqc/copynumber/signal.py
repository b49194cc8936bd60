"""The depth signal of the copy-number check: GC and N content of the bins,
GC-corrected depths of line and parental, the usable bins and the centred log2 ratio.

Bins are mosdepth ``--by`` bins, 0-based half-open.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde

from ipscqc.genome import GenomeModel

from .params import Params


def bin_composition(fasta: str, contigs: list[str], bin_size: int) -> pd.DataFrame:
    """GC fraction (of A/C/G/T bases) and N fraction of fixed bins, laid out as mosdepth
    --by lays them out: [i*bin_size, min((i+1)*bin_size, length))."""
    import pysam

    frames = []
    with pysam.FastaFile(fasta) as handle:
        for contig in contigs:
            seq = np.frombuffer(handle.fetch(contig).upper().encode(), dtype=np.uint8)
            length = len(seq)
            n_bins = math.ceil(length / bin_size)
            padded = np.full(n_bins * bin_size, ord("N"), dtype=np.uint8)
            padded[:length] = seq
            blocks = padded.reshape(n_bins, bin_size)
            gc = ((blocks == ord("G")) | (blocks == ord("C"))).sum(axis=1)
            at = ((blocks == ord("A")) | (blocks == ord("T"))).sum(axis=1)
            starts = np.arange(n_bins, dtype=np.int64) * bin_size
            ends = np.minimum(starts + bin_size, length)
            acgt = gc + at
            frames.append(
                pd.DataFrame(
                    {
                        "chrom": contig,
                        "start": starts,
                        "end": ends,
                        "gc": np.where(acgt > 0, gc / np.maximum(acgt, 1), np.nan),
                        "n_fraction": 1.0 - acgt / (ends - starts),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


GC_REFIT_WINDOW = 25


GC_REFIT_DEPARTURE = 0.1


def smoothed_departure(chroms: np.ndarray, ratio: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Rolling median of the log2 ratio over usable bins of each chromosome (NaN elsewhere)."""
    out = np.full(len(ratio), np.nan)
    for chrom in pd.unique(chroms):
        index = np.flatnonzero((chroms == chrom) & usable)
        if len(index) == 0:
            continue
        rolling = (
            pd.Series(ratio[index])
            .rolling(GC_REFIT_WINDOW, center=True, min_periods=GC_REFIT_WINDOW // 2 + 1)
            .median()
        )
        out[index] = rolling.to_numpy()
    return out


def gc_expected(depth: np.ndarray, gc: np.ndarray, fit: np.ndarray, strata: int) -> np.ndarray:
    """Expected depth of each bin given its GC: the median depth of the fitting bins in
    each of ``strata`` GC quantile strata, interpolated linearly between strata."""
    depth = np.asarray(depth, dtype=float)
    gc = np.asarray(gc, dtype=float)
    fit = np.asarray(fit, dtype=bool) & np.isfinite(gc) & np.isfinite(depth)
    if fit.sum() < 10:
        return np.full(len(depth), np.nan)
    edges = np.unique(np.quantile(gc[fit], np.linspace(0, 1, strata + 1)))
    which = np.clip(np.searchsorted(edges, gc[fit], side="right") - 1, 0, len(edges) - 2)
    centres, medians = [], []
    for k in range(len(edges) - 1):
        chosen = which == k
        if chosen.sum() >= 5:
            centres.append(float(np.median(gc[fit][chosen])))
            medians.append(float(np.median(depth[fit][chosen])))
    if not centres:
        return np.full(len(depth), float(np.median(depth[fit])))
    return np.interp(gc, centres, medians)


def density_mode(values: np.ndarray, max_points: int = 20_000) -> float:
    """The most frequent value (peak of a Gaussian kernel density)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan")
    if len(values) < 10 or np.ptp(values) == 0:
        return float(np.median(values))
    if len(values) > max_points:
        values = np.random.default_rng(0).choice(values, max_points, replace=False)
    lo, hi = np.quantile(values, [0.01, 0.99])
    grid = np.linspace(lo, hi, 512)
    # the Gaussian KDE of scipy (Scott's bandwidth), evaluated by binning the values on a
    # fine grid and convolving with the kernel: the same peak, without n x grid kernels
    bandwidth = float(gaussian_kde(values).factor * np.std(values, ddof=1))
    if not bandwidth > 0:
        return float(np.median(values))
    width = min((hi - lo) / 2048, bandwidth / 8) if hi > lo else bandwidth / 8
    edges = np.arange(lo - 4 * bandwidth, hi + 4 * bandwidth + width, width)
    counts, _ = np.histogram(values, bins=edges)
    offsets = np.arange(-4 * bandwidth, 4 * bandwidth + width, width)
    density = np.convolve(counts, np.exp(-0.5 * (offsets / bandwidth) ** 2), mode="same")
    centres = 0.5 * (edges[:-1] + edges[1:])
    return float(grid[np.argmax(np.interp(grid, centres, density))])


def infer_sex(bins: pd.DataFrame, depth_column: str, genome: GenomeModel) -> str:
    """male or female from chrX depth relative to the autosomes (corrected depth)."""
    classes = genome.classes(bins["chrom"])
    x = bins.loc[classes == "X", depth_column]
    autosomes = bins.loc[classes == "autosome", depth_column]
    if len(x) == 0 or len(autosomes) == 0:
        return "unknown"
    ratio = np.nanmedian(x) / np.nanmedian(autosomes)
    return "male" if ratio < 0.75 else "female"


def _joined_depths(
    composition: pd.DataFrame, line_depth: pd.DataFrame, parental_depth: pd.DataFrame | None
) -> pd.DataFrame:
    """The composition bins with the line's mosdepth depth (``line_depth``) and, paired, the
    parental's (``parental_depth``); bins missing from either are left out (joined on
    chrom and start, 0-based)."""
    bins = composition.merge(
        line_depth[["chrom", "start", "depth"]].rename(columns={"depth": "line_depth"}),
        on=["chrom", "start"],
        how="inner",
    )
    if parental_depth is not None:
        bins = bins.merge(
            parental_depth[["chrom", "start", "depth"]].rename(columns={"depth": "parental_depth"}),
            on=["chrom", "start"],
            how="inner",
        )
    return bins


def _composition_ok(bins: pd.DataFrame, params: Params) -> np.ndarray:
    """Bins with at most ``max_n_fraction`` N and a GC fraction in [min_gc, max_gc]."""
    return (
        (bins["n_fraction"] <= params.max_n_fraction)
        & bins["gc"].between(params.min_gc, params.max_gc)
    ).to_numpy()


def _gc_corrected(
    depth: np.ndarray,
    gc: np.ndarray,
    reference_bins: np.ndarray,
    strata: int,
    away_from_events: np.ndarray | None = None,
) -> np.ndarray:
    """Depth over its expectation at its GC (``gc_expected``), scaled to median 1 over the
    fitting bins: the ``reference_bins`` (sound composition, autosomal) whose depth is
    between 0.2 and 5 x their median, and (refit) ``away_from_events``."""
    centre = np.median(depth[reference_bins]) if reference_bins.any() else 0
    plausible = (depth > 0.2 * centre) & (depth < 5 * centre)
    fit = reference_bins & plausible
    if away_from_events is not None:
        fit &= away_from_events
    expected = gc_expected(depth, gc, fit, strata)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = depth / expected
    return value / np.nanmedian(value[fit])


def _used_bins(
    bins: pd.DataFrame,
    reference_corrected: str,
    composition_ok: np.ndarray,
    copies: np.ndarray,
    paired: bool,
    params: Params,
) -> np.ndarray:
    """Bins the ratio may use: sound composition, copies in the reference (``copies``), and
    the reference's corrected depth (column ``reference_corrected``) relative to its
    expected copies / 2 finite and within [min_reference_depth, max_reference_depth]. In
    line-only mode a real deletion must stay in: only empty bins are removed besides."""
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = bins[reference_corrected].to_numpy() / (copies / 2.0)
    used = (
        composition_ok
        & (copies > 0)
        & np.isfinite(relative)
        & (relative >= params.min_reference_depth)
        & (relative <= params.max_reference_depth)
    )
    if not paired:
        used &= bins["line_depth"].to_numpy() > 0
    return used


def _line_ratio(
    bins: pd.DataFrame, used: np.ndarray, autosome: np.ndarray, copies: np.ndarray, paired: bool
) -> tuple[np.ndarray, np.ndarray, float]:
    """The line's log2 ratio (over the parental's corrected depth, or line-only over its
    expected copies / 2), the usable bins and the genome's centre.

    A bin with no reads in the line is a deep loss: floored at -5 instead of -inf. The
    centre is the mode of the smoothed ratio of usable autosomal bins: at 1 kb bins the
    per-bin noise is wider than a mosaic gain, and the mode of the raw bins is pulled
    towards a large event.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if paired:
            ratio = np.log2(bins["line_corrected"] / bins["parental_corrected"])
        else:
            ratio = np.log2(bins["line_corrected"] / (copies / 2.0))
    ratio = np.asarray(ratio, dtype=float)
    usable = used & (np.isfinite(ratio) | (bins["line_depth"].to_numpy() == 0))
    ratio = np.where(np.isfinite(ratio), ratio, -5.0)
    smooth = smoothed_departure(bins["chrom"].to_numpy(), ratio, usable & autosome)
    return ratio, usable, density_mode(smooth[usable & autosome])


def depth_signal(
    composition: pd.DataFrame,
    line_depth: pd.DataFrame,
    parental_depth: pd.DataFrame | None,
    sex: str,
    params: Params,
    genome: GenomeModel,
) -> tuple[pd.DataFrame, str]:
    """Per-bin table with GC-corrected depths, the usable mask and the log2 ratio.

    ``sex`` is the sex of the reference genome (the parental, or the line itself in
    line-only mode); "unknown" infers it from chrX depth. Returns the table and the sex.
    """
    bins = _joined_depths(composition, line_depth, parental_depth)
    paired = parental_depth is not None
    autosome = genome.classes(bins["chrom"]) == "autosome"
    composition_ok = _composition_ok(bins, params)
    reference_bins, gc = composition_ok & autosome, bins["gc"].to_numpy()
    line = bins["line_depth"].to_numpy(dtype=float)
    bins["line_corrected"] = _gc_corrected(line, gc, reference_bins, params.gc_strata)
    if paired:
        parental = bins["parental_depth"].to_numpy(dtype=float)
        bins["parental_corrected"] = _gc_corrected(parental, gc, reference_bins, params.gc_strata)
    reference_corrected = "parental_corrected" if paired else "line_corrected"
    if sex not in ("male", "female"):
        sex = infer_sex(bins[composition_ok], reference_corrected, genome)
    baseline = {chrom: genome.baseline_copies(chrom, sex)[0] for chrom in set(bins["chrom"])}
    copies = bins["chrom"].map(baseline).to_numpy()
    used = _used_bins(bins, reference_corrected, composition_ok, copies, paired, params)
    ratio, usable, centre = _line_ratio(bins, used, autosome, copies, paired)
    # The line's GC model is fitted on all autosomal bins; gained or lost stretches
    # (a trisomy is a fifth of a small genome) pull the GC strata they fall in. Refit
    # it away from stretches whose smoothed ratio departs from the genome's centre.
    departure = smoothed_departure(bins["chrom"].to_numpy(), ratio - centre, usable)
    away = ~(np.abs(departure) > GC_REFIT_DEPARTURE)
    if (~away).any() and (away & usable & autosome).sum() >= 10 * params.gc_strata:
        bins["line_corrected"] = _gc_corrected(
            line, gc, reference_bins, params.gc_strata, away_from_events=away
        )
        ratio, usable, centre = _line_ratio(bins, used, autosome, copies, paired)
    bins["log2"] = ratio - (centre if np.isfinite(centre) else 0.0)
    bins["used"] = usable
    bins["reference_copies"] = copies
    return bins, sex
