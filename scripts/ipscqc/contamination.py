"""Contamination: the fraction of foreign DNA in a sample, from allele counts at sites
where the sample is homozygous.

Model, per site: the sample has alternate-allele dosage g (0 or 2, homozygous sites
only) and the contaminating DNA has an expected alternate-allele fraction q (a known
other sample's genotype / 2, or a population allele frequency). With a fraction c of
foreign DNA and a symmetric per-base error rate e, a read shows the alternate allele
with probability

    p = e + (1 - 2e) * ((1 - c) * g / 2 + c * q)

and the alternate read count is binomial. c and e are estimated together by maximum
likelihood (c in [0, 0.5], e in [0, 0.05]); sites where q equals g / 2 carry the error
rate, the others the contamination. A fraction w (at most 0.2) of sites may be
heterozygous sites miscalled homozygous (alternate reads with probability 0.5); this
outlier component keeps genotype errors of the reference calls out of c. The
likelihood ratio against c = 0 says how much the data favour any contamination at all.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

MAX_FRACTION = 0.5
MAX_ERROR = 0.05


MAX_OUTLIERS = 0.2


def _log_likelihood(c, e, w, g, q, ref, alt):
    """Binomial log-likelihood with a fraction w of sites that are really heterozygous
    (a genotype error of the homozygous call: alternate reads with probability 0.5)."""
    p = e + (1.0 - 2.0 * e) * ((1.0 - c) * g / 2.0 + c * q)
    p = np.clip(p, 1e-9, 1.0 - 1e-9)
    model = alt * np.log(p) + ref * np.log1p(-p)
    if w <= 0:
        return float(np.sum(model))
    outlier = (alt + ref) * np.log(0.5)
    return float(np.sum(np.logaddexp(np.log1p(-w) + model, np.log(w) + outlier)))


def fit_contamination(
    ref: np.ndarray, alt: np.ndarray, dosage: np.ndarray, source_freq: np.ndarray
) -> dict:
    """Maximum-likelihood contamination fraction, error rate and het-outlier fraction.

    ref, alt: read counts per site; dosage: the sample's own genotype (0 or 2);
    source_freq: the contaminant's expected alternate-allele fraction per site.
    Sites with no reads or a missing value are dropped. A small fraction of sites
    called homozygous may really be heterozygous (low-depth calls, acquired variants);
    they are absorbed by an outlier component instead of inflating the estimate.
    """
    ref, alt = np.asarray(ref, float), np.asarray(alt, float)
    g, q = np.asarray(dosage, float), np.asarray(source_freq, float)
    usable = (ref + alt > 0) & np.isfinite(q) & ((g == 0) | (g == 2))
    ref, alt, g, q = ref[usable], alt[usable], g[usable], q[usable]
    sites = int(usable.sum())
    informative = int((np.abs(q - g / 2.0) > 1e-9).sum())
    if sites == 0 or informative == 0:
        return {"fraction": None, "error_rate": None, "outlier_fraction": None,
                "sites": sites, "informative": informative,
                "log_likelihood_ratio": None}  # fmt: skip
    foreign = np.where(g == 0, alt, ref).sum() / (ref + alt).sum()
    start = [min(0.1, max(0.0, 2 * foreign)), min(MAX_ERROR, max(1e-4, foreign / 2)), 0.01]

    def negative(params):
        return -_log_likelihood(params[0], params[1], params[2], g, q, ref, alt)

    bounds = [(0.0, MAX_FRACTION), (1e-6, MAX_ERROR), (0.0, MAX_OUTLIERS)]
    best = minimize(negative, start, method="L-BFGS-B", bounds=bounds)
    null = minimize(
        lambda params: -_log_likelihood(0.0, params[0], params[1], g, q, ref, alt),
        start[1:],
        method="L-BFGS-B",
        bounds=bounds[1:],
    )
    return {
        "fraction": float(best.x[0]),
        "error_rate": float(best.x[1]),
        "outlier_fraction": float(best.x[2]),
        "sites": sites,
        "informative": informative,
        "log_likelihood_ratio": max(0.0, float(null.fun - best.fun)),
    }


def homozygous_sites(
    gt: np.ndarray, depth: np.ndarray, min_depth: int, reference_gt: np.ndarray | None = None
) -> np.ndarray:
    """Sites usable for contamination: homozygous in the sample (and, when given, with
    the same homozygous genotype in its parental, which keeps acquired changes and LOH
    out and is not fooled by a contaminant that makes a hom site look het)."""
    if reference_gt is not None:
        return ((reference_gt == 0) | (reference_gt == 2)) & (depth >= min_depth)
    return ((gt == 0) | (gt == 2)) & (depth >= min_depth)


def population_frequency(gt_by_individual: np.ndarray) -> np.ndarray:
    """Mean alternate-allele fraction over individuals (columns), ignoring missing (-1)."""
    called = gt_by_individual >= 0
    total = np.where(called, gt_by_individual, 0).sum(axis=1).astype(float)
    count = called.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / (2.0 * count), np.nan)


def contamination_metrics(
    ref: np.ndarray,
    alt: np.ndarray,
    gt: np.ndarray,
    depth: np.ndarray,
    parental_gt: np.ndarray | None,
    parental_depth: np.ndarray | None,
    sources: dict[str, np.ndarray],
    min_depth: int,
    min_sites: int,
    min_source_llr: float = 10.0,
) -> tuple[dict, list, list]:
    """Values (every number the check declares), items and notes of one sample's
    contamination findings.

    ref, alt, gt, depth: the sample's counts and genotypes per site. parental_gt /
    parental_depth: its parental's, when the parental is the same individual (else
    None). sources: candidate contaminants, name -> genotype dosage per site (-1
    missing); the other individuals of the run. The estimate is fitted against each
    candidate and against their mean allele frequency (a contaminant from outside the
    run); the reported fraction is the largest. The candidate is named as the likely
    source when its fit is the largest and beats no contamination by a log-likelihood
    ratio of at least ``min_source_llr``. Judging the fraction is the gate's job.
    """
    if parental_gt is not None:
        dosage = parental_gt
        usable = homozygous_sites(gt, depth, min_depth, parental_gt) & (parental_depth >= min_depth)
    else:
        dosage = gt
        usable = homozygous_sites(gt, depth, min_depth)
    notes = []
    if parental_gt is None:
        notes.append("homozygous sites taken from the sample's own calls (no matching parental)")
    items = []
    fits = {}
    for name, source_gt in sources.items():
        q = np.where(source_gt >= 0, source_gt / 2.0, np.nan)
        fit = fit_contamination(ref[usable], alt[usable], dosage[usable], q[usable])
        fits[name] = fit
        items.append({"source": name, **fit})
    if sources:
        stacked = np.column_stack(list(sources.values()))
        q = population_frequency(stacked)
    else:
        # no other individual in the run: any foreign allele at a hom site counts as
        # contamination by a source with allele fraction 0.5 (a conservative guess)
        q = np.full(len(gt), 0.5)
        notes.append("no other individual in the run: foreign allele fraction assumed 0.5")
    population = fit_contamination(ref[usable], alt[usable], dosage[usable], q[usable])
    items.append({"source": "population", **population})
    fraction, source, source_llr = population["fraction"], None, None
    for name, fit in fits.items():
        # a named source wins ties with the population fit (one other individual: equal)
        if fit["fraction"] is not None and (fraction is None or fit["fraction"] >= fraction):
            fraction, source, source_llr = fit["fraction"], name, fit["log_likelihood_ratio"]
    if source_llr is None or source_llr < min_source_llr:
        source = None
    sites_used = int(population["sites"])
    if sites_used < min_sites:
        notes.append(f"only {sites_used} homozygous sites with depth >= {min_depth}: inconclusive")
        fraction = None
        source = None
    if source:
        notes.append(f"about {fraction:.1%} foreign DNA, best explained by {source}")
    values = {
        "contamination_fraction": fraction,
        "contamination_source": source,
        "population_fraction": population["fraction"],
        "error_rate": population["error_rate"],
        "sites_used": sites_used,
        "min_sites": min_sites,
    }
    return values, items, notes
