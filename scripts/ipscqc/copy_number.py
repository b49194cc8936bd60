"""Copy number, loss of heterozygosity and mosaicism of a line against its parental.

Signals:
- depth: mosdepth bins (line and parental), GC-corrected by median per GC stratum,
  filtered (N bases, extreme GC, unusual reference depth), log2 ratio line/parental
  centred on the mode of the autosomes (line-only: the line against its own autosomes);
- allele balance: B-allele fraction (BAF) of the line at sites heterozygous in the
  parental (line-only: in the line), from the donor's joint VCF (FORMAT/AD).

Both are segmented (scripts/ipscqc/segmentation.py), each segment is explained by a
state: copy number ``c`` of the abnormal cells, the copies ``m`` of the more frequent
allele, and the fraction ``f`` of cells that carry it (mosaicism), fitted on a grid by
the joint likelihood of the segment's mean log2 ratio and its allele counts.

Coordinates in tables are 0-based half-open (BED-like); GFF3 input is 1-based closed.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import gaussian_kde

from .segmentation import (
    change_points,
    merge_breaks,
    refine_breaks,
    robust_sd,
    segments_from_breaks,
)

SEX_CHROMOSOMES = {"chrX": "X", "X": "X", "chrY": "Y", "Y": "Y"}
NORMAL = "normal"
OUTLIER_RATE = 0.01


@dataclass(frozen=True)
class Params:
    """Settings of the copy-number check (config.yaml `copy_number:`)."""

    max_n_fraction: float = 0.05
    min_gc: float = 0.2
    max_gc: float = 0.8
    min_reference_depth: float = 0.3  # relative to the expected depth of the chromosome
    max_reference_depth: float = 3.0
    gc_strata: int = 50
    min_het_depth: int = 10  # depth of the sample that defines the heterozygous sites
    min_baf_depth: int = 8  # depth of the line at those sites
    min_het_qual: float = 20.0
    penalty: float = 4.0  # change-point penalty, x log(n), on noise-scaled signals
    min_segment_bins: int = 20
    min_segment_snps: int = 20
    max_copy_number: int = 5
    min_call_bp: int = 100_000
    min_mosaic_fraction: float = 0.1
    min_llr: float = 15.0
    log2_se_floor: float = 0.01
    merge_llr: float = 10.0
    state_tolerance: float = 3.0  # log-likelihood units within which the simplest state wins
    whole_fraction: float = 0.9  # share of a chromosome or arm a call must cover
    genome_mismatch_fraction: float = 0.3

    @classmethod
    def from_config(cls, block: dict | None) -> Params:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (block or {}).items() if k in names})


# ----------------------------------------------------------------------------- inputs


def read_mosdepth_regions(path: str) -> pd.DataFrame:
    """mosdepth --by output: chrom, start, end (0-based half-open), mean depth."""
    table = pd.read_csv(
        path,
        sep="\t",
        header=None,
        names=["chrom", "start", "end", "depth"],
        dtype={"chrom": str, "start": np.int64, "end": np.int64, "depth": float},
    )
    return table


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


def read_bed(path: str) -> pd.DataFrame:
    """A BED file (chrom, start, end, name, ...); comment and track lines skipped."""
    rows = []
    with open(path) as handle:
        for line in handle:
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            parts = line.rstrip("\n").split("\t")
            rows.append(
                {
                    "chrom": parts[0],
                    "start": int(parts[1]),
                    "end": int(parts[2]),
                    "name": parts[3] if len(parts) > 3 else "",
                }
            )
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "name"])


def read_gff3_genes(path: str) -> pd.DataFrame:
    """Genes of a GFF3 (plain or gzipped): chrom, start, end (0-based half-open), name."""
    opener = gzip.open if str(path).endswith(".gz") else open
    rows = []
    with opener(path, "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 9 or parts[2] != "gene":
                continue
            attributes = dict(item.split("=", 1) for item in parts[8].split(";") if "=" in item)
            name = attributes.get("Name") or attributes.get("ID", "").removeprefix("gene:")
            rows.append(
                {"chrom": parts[0], "start": int(parts[3]) - 1, "end": int(parts[4]), "name": name}
            )
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "name"])


def read_het_sites(
    vcf_path: str, line: str, reference: str, params: Params, contigs: list[str]
) -> pd.DataFrame:
    """Allele counts of ``line`` at biallelic SNPs heterozygous in ``reference`` (the
    parental, or the line itself in line-only mode), from a joint VCF with FORMAT/AD.

    Returns chrom, pos (0-based), ref_count, alt_count, depth, baf (alt fraction).
    """
    from cyvcf2 import VCF

    wanted = set(contigs)
    rows: dict[str, list] = {"chrom": [], "pos": [], "ref_count": [], "alt_count": []}
    with_vcf = VCF(vcf_path, gts012=False, lazy=True, threads=1)
    try:
        names = list(with_vcf.samples)
        if line not in names or reference not in names:
            raise ValueError(f"{vcf_path}: samples {line!r} and {reference!r} expected")
        i_line, i_ref = names.index(line), names.index(reference)
        last = None
        for record in with_vcf:
            if record.CHROM not in wanted or not record.is_snp or len(record.ALT) != 1:
                continue
            quality = record.QUAL
            if quality is not None and quality < params.min_het_qual:
                continue
            key = (record.CHROM, record.POS)
            if key == last:
                continue
            last = key
            if record.gt_types[i_ref] != 1:  # 1: heterozygous
                continue
            ad = record.format("AD")
            if ad is None:
                continue
            ref_ref, ref_alt = int(ad[i_ref][0]), int(ad[i_ref][1])
            if ref_ref < 0 or ref_alt < 0 or ref_ref + ref_alt < params.min_het_depth:
                continue
            line_ref, line_alt = int(ad[i_line][0]), int(ad[i_line][1])
            if line_ref < 0 or line_alt < 0:
                continue
            rows["chrom"].append(record.CHROM)
            rows["pos"].append(record.POS - 1)
            rows["ref_count"].append(line_ref)
            rows["alt_count"].append(line_alt)
    finally:
        with_vcf.close()
    sites = pd.DataFrame(rows)
    sites["depth"] = sites["ref_count"] + sites["alt_count"]
    sites = sites[sites["depth"] >= params.min_baf_depth].reset_index(drop=True)
    sites["baf"] = sites["alt_count"] / sites["depth"]
    return sites


# ------------------------------------------------------------------------ depth signal


def baseline_copies(chrom: str, sex: str) -> tuple[int, int]:
    """Normal copies (c0) and copies of the major allele (m0) of a chromosome."""
    kind = SEX_CHROMOSOMES.get(chrom)
    if kind == "X":
        return (1, 1) if sex == "male" else (2, 1)
    if kind == "Y":
        return (1, 1) if sex == "male" else (0, 0)
    return (2, 1)


def is_autosome(chrom: str) -> bool:
    return chrom not in SEX_CHROMOSOMES


# Refit of the line's GC model: bins whose rolling-median log2 ratio (over
# GC_REFIT_WINDOW usable bins of one chromosome) departs from the centre by more than
# GC_REFIT_DEPARTURE are left out of the fit.
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


def infer_sex(bins: pd.DataFrame, depth_column: str) -> str:
    """male or female from chrX depth relative to the autosomes (corrected depth)."""
    x = bins.loc[bins["chrom"].map(SEX_CHROMOSOMES) == "X", depth_column]
    autosomes = bins.loc[bins["chrom"].map(is_autosome), depth_column]
    if len(x) == 0 or len(autosomes) == 0:
        return "unknown"
    ratio = np.nanmedian(x) / np.nanmedian(autosomes)
    return "male" if ratio < 0.75 else "female"


def depth_signal(
    composition: pd.DataFrame,
    line_depth: pd.DataFrame,
    parental_depth: pd.DataFrame | None,
    sex: str,
    params: Params,
) -> tuple[pd.DataFrame, str]:
    """Per-bin table with GC-corrected depths, the usable mask and the log2 ratio.

    ``sex`` is the sex of the reference genome (the parental, or the line itself in
    line-only mode); "unknown" infers it from chrX depth. Returns the table and the sex.
    """
    bins = composition.merge(
        line_depth[["chrom", "start", "depth"]].rename(columns={"depth": "line_depth"}),
        on=["chrom", "start"],
        how="inner",
    )
    paired = parental_depth is not None
    if paired:
        bins = bins.merge(
            parental_depth[["chrom", "start", "depth"]].rename(columns={"depth": "parental_depth"}),
            on=["chrom", "start"],
            how="inner",
        )
    autosome = bins["chrom"].map(is_autosome).to_numpy()
    composition_ok = (
        (bins["n_fraction"] <= params.max_n_fraction)
        & bins["gc"].between(params.min_gc, params.max_gc)
    ).to_numpy()

    def corrected(column: str, away_from_events: np.ndarray | None = None) -> np.ndarray:
        depth = bins[column].to_numpy(dtype=float)
        centre = (
            np.median(depth[composition_ok & autosome]) if (composition_ok & autosome).any() else 0
        )
        plausible = (depth > 0.2 * centre) & (depth < 5 * centre)
        fit = composition_ok & autosome & plausible
        if away_from_events is not None:
            fit &= away_from_events
        expected = gc_expected(depth, bins["gc"].to_numpy(), fit, params.gc_strata)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = depth / expected
        return value / np.nanmedian(value[fit])

    bins["line_corrected"] = corrected("line_depth")
    if paired:
        bins["parental_corrected"] = corrected("parental_depth")
    reference_corrected = "parental_corrected" if paired else "line_corrected"
    if sex not in ("male", "female"):
        sex = infer_sex(bins[composition_ok], reference_corrected)
    copies = bins["chrom"].map(lambda chrom: baseline_copies(chrom, sex)[0]).to_numpy()
    expected_relative = copies / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = bins[reference_corrected].to_numpy() / expected_relative
    used = (
        composition_ok
        & (copies > 0)
        & np.isfinite(relative)
        & (relative >= params.min_reference_depth)
        & (relative <= params.max_reference_depth)
    )
    if not paired:
        # in line-only mode a real deletion must stay in; only remove empty bins
        used &= bins["line_depth"].to_numpy() > 0

    def line_ratio() -> tuple[np.ndarray, np.ndarray, float]:
        with np.errstate(divide="ignore", invalid="ignore"):
            if paired:
                ratio = np.log2(bins["line_corrected"] / bins["parental_corrected"])
            else:
                ratio = np.log2(bins["line_corrected"] / expected_relative)
        ratio = np.asarray(ratio, dtype=float)
        usable = used & (np.isfinite(ratio) | (bins["line_depth"].to_numpy() == 0))
        # a bin with no reads in the line is a deep loss; floor it instead of -inf
        ratio = np.where(np.isfinite(ratio), ratio, -5.0)
        # the mode of the smoothed ratio: at 1 kb bins the per-bin noise is wider than a
        # mosaic gain, and the mode of the raw bins is pulled towards a large event
        smooth = smoothed_departure(bins["chrom"].to_numpy(), ratio, usable & autosome)
        return ratio, usable, density_mode(smooth[usable & autosome])

    ratio, usable, centre = line_ratio()
    # The line's GC model is fitted on all autosomal bins; gained or lost stretches
    # (a trisomy is a fifth of a small genome) pull the GC strata they fall in. Refit
    # it away from stretches whose smoothed ratio departs from the genome's centre.
    departure = smoothed_departure(bins["chrom"].to_numpy(), ratio - centre, usable)
    away = ~(np.abs(departure) > GC_REFIT_DEPARTURE)
    if (~away).any() and (away & usable & autosome).sum() >= 10 * params.gc_strata:
        bins["line_corrected"] = corrected("line_depth", away_from_events=away)
        ratio, usable, centre = line_ratio()
    used = usable
    bins["log2"] = ratio - (centre if np.isfinite(centre) else 0.0)
    bins["used"] = used
    bins["reference_copies"] = copies
    return bins, sex


# ------------------------------------------------------------------ the state model


def expected_log2(c: float, f: np.ndarray | float, c0: int) -> np.ndarray:
    """Expected log2 ratio when a fraction f of cells has c copies instead of c0."""
    f = np.asarray(f, dtype=float)
    with np.errstate(divide="ignore"):
        return np.log2(((1 - f) * c0 + f * c) / c0)


def expected_major_baf(c: int, m: int, f: np.ndarray | float, c0: int, m0: int) -> np.ndarray:
    """Expected fraction of the more frequent allele: abnormal cells (fraction f) carry
    m of c copies, normal cells m0 of c0 copies."""
    f = np.asarray(f, dtype=float)
    total = (1 - f) * c0 + f * c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, ((1 - f) * m0 + f * m) / total, 0.5)


def baf_log_likelihood(alt: np.ndarray, depth: np.ndarray, major: np.ndarray) -> np.ndarray:
    """Log-likelihood of allele counts at heterozygous sites, for each expected major
    allele fraction in ``major``: each site's alternative allele is the major or the
    minor one with equal chance (unphased), plus a 1% outlier term for genotyping errors.
    An outlier is any count with equal chance."""
    alt = np.asarray(alt, dtype=float)[:, None]
    total = np.asarray(depth, dtype=float)[:, None]
    ref = total - alt
    b = np.clip(np.asarray(major, dtype=float)[None, :], 1e-3, 1 - 1e-3)
    log_choose = gammaln(total + 1) - gammaln(alt + 1) - gammaln(ref + 1)
    one = alt * np.log(b) + ref * np.log1p(-b)
    other = alt * np.log1p(-b) + ref * np.log(b)
    mixed = log_choose + np.logaddexp(one, other) + np.log(0.5)
    outlier = -np.log(total + 1)
    return np.logaddexp(np.log(1 - OUTLIER_RATE) + mixed, np.log(OUTLIER_RATE) + outlier).sum(
        axis=0
    )


def candidate_states(c0: int, m0: int, max_copy_number: int) -> list[tuple[int, int]]:
    """Abnormal (c, m) states reachable from (c0, m0)."""
    if c0 == 0:
        return []
    states = []
    for c in range(0, max_copy_number + 1):
        # hemizygous: every copy is the same allele
        majors = [c] if c0 == 1 else list(range(math.ceil(c / 2), c + 1))
        for m in majors:
            if (c, m) != (c0, m0):
                states.append((c, m))
    return states


def state_complexity(c: int, m: int, c0: int) -> int:
    """How far a state is from normal: copy steps plus allele steps beyond balance."""
    return abs(c - c0) + (m - math.ceil(c / 2) if c0 >= 2 else 0)


FRACTION_GRID = np.round(np.arange(0.01, 1.0001, 0.01), 2)


def fit_segment(
    log2_mean: float,
    log2_se: float,
    alt: np.ndarray,
    depth: np.ndarray,
    c0: int,
    m0: int,
    params: Params,
    log2_within: float = 0.0,
    allele_likelihood=None,
) -> dict:
    """Best (copy number, major copies, mosaic fraction) for one segment.

    Each candidate state gets its best fraction on a grid (0.01 steps) by the joint
    log-likelihood of the segment's mean log2 ratio (normal with standard error
    ``log2_se``) and its allele counts; each step of complexity (copy and allele steps)
    costs ``state_tolerance``, so that among states within it of the best the simplest
    is chosen, since e.g. 3 copies in half of the cells and 4 copies (3 of one allele) in
    a quarter look the same.
    Returns the state, the log-likelihood ratio against normal, the log-likelihood of
    the best state (``log2_within``, the scatter of the bins around their mean in units
    of the bin noise, adds -0.5 x itself to it) and the expectations.
    ``allele_likelihood`` (candidate major fractions -> log-likelihood of the segment's
    allele counts, e.g. ``cn_allele_balance.AlleleBalanceTable.segment``) replaces the
    binomial ``baf_log_likelihood`` of ``alt`` and ``depth`` when given.
    """
    use_baf = len(alt) > 0 and c0 >= 2
    se = max(log2_se, params.log2_se_floor)

    def log_lik(c, m, f):
        ll = -0.5 * ((log2_mean - expected_log2(c, f, c0)) / se) ** 2 - 0.5 * log2_within
        if use_baf:
            major = expected_major_baf(c, m, f, c0, m0)
            ll = ll + (
                allele_likelihood(np.atleast_1d(major))
                if allele_likelihood is not None
                else baf_log_likelihood(alt, depth, major)
            )
        return np.asarray(ll, dtype=float)

    normal_ll = float(log_lik(c0, m0, np.array([0.0]))[0])
    options = []
    for c, m in candidate_states(c0, m0, params.max_copy_number):
        ll = log_lik(c, m, FRACTION_GRID)
        best = int(np.argmax(ll))
        options.append((float(ll[best]), c, m, float(FRACTION_GRID[best])))
    result = {
        "copy_number": c0,
        "major_copies": m0,
        "mosaic_fraction": 0.0,
        "llr": 0.0,
        "log_likelihood": normal_ll,
        "expected_log2": 0.0,
        "expected_major_baf": m0 / c0 if c0 else float("nan"),
    }
    if not options:
        return result
    top = max(option[0] for option in options)

    def penalised(option):
        # each step of complexity costs state_tolerance: a state within the tolerance of
        # the best loses to a simpler one, and so does a complex state (many copies of one
        # allele in a few cells) that fits the noise of the allele balance a bit better
        steps = state_complexity(option[1], option[2], c0)
        return (option[0] - params.state_tolerance * steps, -steps, option[0])

    ll, c, m, f = max(options, key=penalised)
    result.update(
        copy_number=c,
        major_copies=m,
        mosaic_fraction=f,
        llr=ll - normal_ll,
        log_likelihood=max(top, normal_ll),
        expected_log2=float(expected_log2(c, f, c0)),
        expected_major_baf=float(expected_major_baf(c, m, f, c0, m0)),
    )
    return result


def call_type(c: int, m: int, c0: int, m0: int) -> str:
    if c > c0:
        return "gain"
    if c < c0:
        return "loss"
    if m > m0:
        return "cnloh"
    return NORMAL


# ---------------------------------------------------------------------- segmentation


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


def normal_offset(segments: pd.DataFrame) -> float:
    """Bin-weighted mean log2 ratio of the autosomal segments that are not calls."""
    normal = segments[~segments["called"] & segments["chrom"].map(is_autosome)]
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
    bins: pd.DataFrame, sites: pd.DataFrame, sex: str, params: Params, allele_model=None
) -> pd.DataFrame:
    """Segments of every chromosome with their fitted states, neighbours merged where
    one state explains both about as well (see ``_merge_neighbours``). ``allele_model``
    (``cn_allele_balance.AlleleBalanceModel``) scores the allele counts; None keeps the
    binomial model against 0.5."""
    rows = []
    used = bins[bins["used"]]
    sigma = robust_sd(used["log2"].to_numpy())
    if not np.isfinite(sigma) or sigma <= 0:
        sigma = 1.0
    for chrom, chrom_bins in used.groupby("chrom", sort=False):
        chrom_bins = chrom_bins.reset_index(drop=True)
        c0, m0 = baseline_copies(chrom, sex)
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


# --------------------------------------------------------------------- annotation


def chromosome_arms(centromeres: pd.DataFrame, bins: pd.DataFrame) -> dict[str, dict]:
    """Analysable span of each chromosome and arm: from the first to the last used bin,
    split at the centromere."""
    spans = {}
    used = bins[bins["used"]]
    centre = {row.chrom: (row.start, row.end) for row in centromeres.itertuples()}
    for chrom, chrom_bins in used.groupby("chrom", sort=False):
        lo, hi = int(chrom_bins["start"].min()), int(chrom_bins["end"].max())
        cen_start, cen_end = centre.get(chrom, (lo, lo))
        spans[chrom] = {
            "chrom": (lo, hi),
            "p": (lo, max(lo, min(hi, cen_start))),
            "q": (min(hi, max(lo, cen_end)), hi),
            "centromere": (cen_start, cen_end),
        }
    return spans


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def classify_scope(start: int, end: int, spans: dict, whole_fraction: float) -> tuple[str, str]:
    """("whole_chromosome" | "arm" | "segmental", arms touched e.g. "q" or "p,q")."""
    chrom_span = spans["chrom"]
    cover = _overlap((start, end), chrom_span) / max(1, chrom_span[1] - chrom_span[0])
    arms = [
        arm
        for arm in ("p", "q")
        if spans[arm][1] > spans[arm][0] and _overlap((start, end), spans[arm]) > 0
    ]
    if cover >= whole_fraction:
        return "whole_chromosome", ",".join(arms)
    for arm in arms:
        span = spans[arm]
        if _overlap((start, end), span) / (span[1] - span[0]) >= whole_fraction:
            return "arm", ",".join(arms)
    return "segmental", ",".join(arms)


def overlapping_names(chrom: str, start: int, end: int, features: pd.DataFrame) -> list[str]:
    if features.empty:
        return []
    hit = features[
        (features["chrom"] == chrom) & (features["start"] < end) & (features["end"] > start)
    ]
    return list(dict.fromkeys(hit["name"]))


def annotate_calls(
    segments: pd.DataFrame,
    bins: pd.DataFrame,
    centromeres: pd.DataFrame,
    genes: pd.DataFrame,
    recurrent: pd.DataFrame,
    params: Params,
) -> pd.DataFrame:
    """The called segments with size, scope (whole chromosome / arm / segmental), the
    genes and recurrent hPSC regions they overlap."""
    spans = chromosome_arms(centromeres, bins)
    rows = []
    for segment in segments[segments["called"]].to_dict("records"):
        if segment["end"] - segment["start"] < params.min_call_bp:
            continue
        chrom = segment["chrom"]
        scope, arms = classify_scope(
            segment["start"], segment["end"], spans[chrom], params.whole_fraction
        )
        gene_names = overlapping_names(chrom, segment["start"], segment["end"], genes)
        regions = overlapping_names(chrom, segment["start"], segment["end"], recurrent)
        rows.append(
            {
                "chrom": chrom,
                "start": segment["start"],
                "end": segment["end"],
                "size_bp": segment["end"] - segment["start"],
                "type": segment["type"],
                "copy_number": segment["copy_number"],
                "major_copies": segment["major_copies"],
                "reference_copies": segment["reference_copies"],
                "mosaic_fraction": segment["mosaic_fraction"],
                "log2_mean": segment["log2_mean"],
                "expected_log2": segment["expected_log2"],
                "baf_mirrored_mean": segment["baf_mirrored_mean"],
                "expected_major_baf": segment["expected_major_baf"],
                "llr": segment["llr"],
                "bins": segment["bins"],
                "snps": segment["snps"],
                "scope": scope,
                "arms": arms,
                "gene_count": len(gene_names),
                "genes": ",".join(gene_names),
                "recurrent": bool(regions),
                "recurrent_regions": ",".join(regions),
            }
        )
    columns = [
        "chrom", "start", "end", "size_bp", "type", "copy_number", "major_copies",
        "reference_copies", "mosaic_fraction", "log2_mean", "expected_log2",
        "baf_mirrored_mean", "expected_major_baf", "llr", "bins", "snps", "scope", "arms",
        "gene_count", "genes", "recurrent", "recurrent_regions",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# -------------------------------------------------------------------------- findings


def adequacy(bins: pd.DataFrame, sites: pd.DataFrame) -> dict:
    used = bins[bins["used"]]
    autosomal = used[used["chrom"].map(is_autosome)]
    noise = float(np.median(np.abs(np.diff(used["log2"].to_numpy())))) if len(used) > 2 else None
    return {
        "log2_noise": noise,
        "bins_used": int(len(used)),
        "het_sites_used": int(len(sites)),
        "median_depth": float(np.median(autosomal["line_depth"])) if len(autosomal) else None,
    }


def genome_mismatch_fraction(sites: pd.DataFrame) -> float | None:
    """Share of the reference's heterozygous sites where the line shows one allele only
    (BAF < 0.05 or > 0.95): about 0.01 for the same genome, far higher for another."""
    if len(sites) == 0:
        return None
    return float(((sites["baf"] < 0.05) | (sites["baf"] > 0.95)).mean())


def metrics_of(calls: pd.DataFrame, sites: pd.DataFrame) -> dict:
    return {
        "call_count": int(len(calls)),
        "gain_count": int((calls["type"] == "gain").sum()),
        "loss_count": int((calls["type"] == "loss").sum()),
        "cnloh_count": int((calls["type"] == "cnloh").sum()),
        "largest_event_bp": int(calls["size_bp"].max()) if len(calls) else 0,
        "whole_chromosome_event_count": int((calls["scope"] == "whole_chromosome").sum()),
        "arm_event_count": int((calls["scope"] == "arm").sum()),
        "recurrent_region_hit_count": int(calls["recurrent"].sum()) if len(calls) else 0,
        "max_mosaic_fraction": float(calls["mosaic_fraction"].max()) if len(calls) else 0.0,
        "max_copy_number": int(calls["copy_number"].max()) if len(calls) else None,
        "het_sites_single_allele_fraction": genome_mismatch_fraction(sites),
    }


MAX_GENES_IN_ITEM = 50


def items_of(calls: pd.DataFrame) -> list[dict]:
    items = []
    for call in calls.to_dict("records"):
        genes = call["genes"].split(",") if call["genes"] else []
        if len(genes) > MAX_GENES_IN_ITEM:
            call["genes"] = ",".join(genes[:MAX_GENES_IN_ITEM]) + ",..."
        call["recurrent"] = bool(call["recurrent"])
        items.append(call)
    return items


def notes_of(mode_paired: bool, sex: str, metrics: dict, params: Params) -> list[str]:
    notes = [
        f"Reference sex used for the sex chromosomes: {sex}.",
        "Copy number is estimated as the simplest state that explains depth and allele "
        "balance; e.g. 3 copies in 50% of cells cannot be told from 4 copies in 25%.",
    ]
    if not mode_paired:
        notes.append(
            "Line-only mode: depth is compared with the line's own autosomes and allele "
            "balance is read at the line's own heterozygous sites; copy-neutral LOH that "
            "removed heterozygosity in most cells cannot be seen, and inherited copy-number "
            "variants are reported as if acquired."
        )
    mismatch = metrics.get("het_sites_single_allele_fraction")
    if mode_paired and mismatch is not None and mismatch > params.genome_mismatch_fraction:
        notes.append(
            f"{mismatch:.0%} of the parental's heterozygous sites show a single allele in "
            "the line: the line may not come from this donor (see identity); the copy-number "
            "comparison with this parental is not meaningful."
        )
    return notes


# ------------------------------------------------------------------------- the check


@dataclass
class Analysis:
    bins: pd.DataFrame
    sites: pd.DataFrame
    segments: pd.DataFrame
    calls: pd.DataFrame
    findings: dict
    sex: str


def analyse(
    sample: str,
    parental: str,
    composition: pd.DataFrame,
    line_depth: pd.DataFrame,
    parental_depth: pd.DataFrame | None,
    sites: pd.DataFrame,
    centromeres: pd.DataFrame,
    genes: pd.DataFrame,
    recurrent: pd.DataFrame,
    sex: str,
    params: Params,
    allele_model=None,
    exclude=None,
) -> Analysis:
    """The whole check on in-memory inputs: signals, segments, calls and findings.

    Only chromosomes listed in ``centromeres`` are analysed. ``parental`` is "" (and
    ``parental_depth`` None) in line-only mode, where ``sites`` are the line's own
    heterozygous sites. ``allele_model`` (``cn_allele_balance.AlleleBalanceModel``)
    scores allele counts; None keeps the binomial model against 0.5. ``exclude``
    (``cn_masks.LineExclusion``: (bins, sites) -> keep masks) leaves regions out.
    """
    from .findings import findings

    chromosomes = list(dict.fromkeys(centromeres["chrom"]))
    composition = composition[composition["chrom"].isin(chromosomes)]
    bins, sex = depth_signal(composition, line_depth, parental_depth, sex, params)
    sites = sites[sites["chrom"].isin(chromosomes)].reset_index(drop=True)
    # allele balance is read on chromosomes with two copies in the reference only
    two_copies = {chrom for chrom in chromosomes if baseline_copies(chrom, sex)[0] >= 2}
    sites = sites[sites["chrom"].isin(two_copies)].reset_index(drop=True)
    if exclude is not None:
        keep_bins, keep_sites = exclude(bins, sites)
        bins["used"] = bins["used"].to_numpy() & keep_bins
        sites = sites[keep_sites].reset_index(drop=True)
    segments = segment_and_fit(bins, sites, sex, params, allele_model)
    # the mean log2 ratio of normal bins is not exactly the mode (log of a noisy ratio is
    # skewed at low depth): centre on the segments that are not calls, and refit
    offset = normal_offset(segments)
    if abs(offset) > 1e-3:
        bins["log2"] = bins["log2"] - offset
        segments = segment_and_fit(bins, sites, sex, params, allele_model)
    calls = annotate_calls(segments, bins, centromeres, genes, recurrent, params)
    metrics = metrics_of(calls, sites)
    document = findings(
        "copy_number",
        sample,
        parental or None,
        adequacy(bins, sites),
        metrics,
        items_of(calls),
        notes_of(bool(parental), sex, metrics, params),
    )
    return Analysis(bins, sites, segments, calls, document, sex)


def unavailable_findings(sample: str, parental: str, reason: str) -> dict:
    """Findings of a sample the check could not look at: every number null."""
    from .findings import findings

    metrics = dict.fromkeys(
        [
            "call_count", "gain_count", "loss_count", "cnloh_count", "largest_event_bp",
            "whole_chromosome_event_count", "arm_event_count", "recurrent_region_hit_count",
            "max_mosaic_fraction", "max_copy_number", "het_sites_single_allele_fraction",
        ]
    )  # fmt: skip
    adequacy_nulls = dict.fromkeys(["log2_noise", "bins_used", "het_sites_used", "median_depth"])
    return findings("copy_number", sample, parental or None, adequacy_nulls, metrics, [], [reason])


def segments_for_findings(segments: pd.DataFrame) -> pd.DataFrame:
    """Segments as findings/{sample}/copy_number.tsv: 1-based closed coordinates (as VCF
    positions), copy number of the abnormal cells and the mean copies per cell."""
    table = pd.DataFrame(
        {
            "chrom": segments["chrom"],
            "start": segments["start"] + 1,
            "end": segments["end"],
            "type": segments["type"],
            "copy_number": segments["copy_number"].where(
                segments["called"], segments["reference_copies"]
            ),
            "major_copies": segments["major_copies"].where(
                segments["called"], segments["reference_major_copies"]
            ),
            "mosaic_fraction": segments["mosaic_fraction"].where(segments["called"], 0.0),
        }
    )
    table["mean_copies"] = (1 - table["mosaic_fraction"]) * segments["reference_copies"] + table[
        "mosaic_fraction"
    ] * table["copy_number"]
    return table
