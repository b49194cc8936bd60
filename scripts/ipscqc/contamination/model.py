"""Likelihood of a sample's allele counts when a fraction of its DNA comes from another
person whose genotype is unknown (or, for a named source, known).

At each biallelic site the sample's own (the donor's) alternate-allele dosage is g and
the contaminant's is h (0, 1 or 2). With a fraction c of foreign DNA a read carries the
alternate allele with probability

    p(g, h) = e + (1 - 2e) * ((1 - c) * m_g + c * h / 2),   m_0 = 0, m_1 = b, m_2 = 1

where e is the per-read probability of reading the other allele of the site by error
and b the alternate-allele fraction of a clean heterozygous site (reference bias puts it
a little under 0.5). Alternate counts are binomial at homozygous sites and beta-binomial
at heterozygous sites (overdispersion rho, fitted, so that the spread of real allele
balance is not read as contamination).

Neither g nor h is taken as known. The donor's genotype has a prior from the site
frequency model and, when there is one, from an independent genotype call (the
parental's) that is wrong with probability ``call_error`` (fitted): genotype errors of
the calls are the outlier component, and a site miscalled homozygous is explained by
the reads as the heterozygous site it is instead of as contamination. (A component of
artefact sites with any allele fraction is deliberately absent: at low depth it explains
a site with one foreign read in ten better than error alone does and so absorbs the
contaminated sites, pulling the fraction towards 0.)

The contaminant's genotype is marginalised with Hardy-Weinberg proportions at the
site's allele frequency:

- ``SiteFrequencies.per_site``: the population allele frequency of each site (INFO/AF
  of a somalier-style sites VCF);
- ``SiteFrequencies.spectrum``: no frequency per site; the frequencies of the listed
  sites follow a Beta(alpha, beta) density, fitted with the rest (the donor's own
  genotype proportions and the shape of the foreign reads inform it), with the way the
  list was chosen (a population list, or the variants of K donors of the run) taken
  into account exactly;
- ``SiteFrequencies.named``: the contaminant is a sample of the run, its genotype known.

Reads that show neither allele (``other`` counts) can only be errors; when given they
measure the error rate apart from contamination (a substitution error goes to each of
the three other bases alike, so the other allele of the site gets e and the two
remaining bases 2e).

Everything here is pure numpy/scipy on in-memory arrays; sites are grouped by their
distinct (depth, alt count, call, frequency key) rows so that the cost does not grow
with the number of sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaln, digamma, gammaln

MAX_FRACTION = 0.5
MAX_ERROR = 0.05
FREQUENCY_BINS = 40  # per-site allele frequencies are grouped to 0.025
NO_CALL = -1

# Hardy-Weinberg coefficient of dosage d: (1-f)^2, 2f(1-f), f^2 = C_d f^d (1-f)^(2-d)
HWE_COEFFICIENT = np.array([1.0, 2.0, 1.0])


@dataclass
class SiteFrequencies:
    """How the contaminant's genotype is distributed at each site.

    kind: 'per_site' (``values`` = population alternate-allele frequency per site, NaN
    unknown), 'spectrum' (Beta density of the listed sites' frequencies, fitted) or
    'named' (``values`` = the named source's dosage per site, -1 unknown).
    selection: how the site list was chosen, used by 'spectrum' and 'per_site' for the
    donor's genotype prior: 'population' (independent of the run's genotypes) or
    'donor_variants' (the variant calls of ``donors`` donors of the run, this one among
    them: a site is listed when any of them is not hom-ref).
    """

    kind: str
    values: np.ndarray | None = None
    selection: str = "population"
    donors: int = 1


@dataclass
class Parameters:
    fraction: float = 0.0  # c
    error: float = 1e-3  # e
    het_balance: float = 0.5  # b
    het_overdispersion: float = 0.01  # rho
    call_error: float = 0.01  # P(call != true dosage)
    alpha: float = 0.3  # spectrum only
    beta: float = 1.0
    # named only: log P(g = 1) / P(g = 0) and log P(g = 2) / P(g = 0) of the donor's
    # genotypes (the spectrum gives these from alpha and beta; fitting them here keeps
    # the two models' likelihoods comparable)
    logit_het: float = 0.0
    logit_hom_alt: float = 0.0


@dataclass
class CountTable:
    """Sites grouped into distinct rows, with how many sites share each row."""

    depth: np.ndarray  # ref + alt reads
    alt: np.ndarray
    call: np.ndarray  # the donor's called dosage 0/1/2, or NO_CALL
    key: np.ndarray  # frequency bin (per_site) or source dosage (named), else 0
    weight: np.ndarray
    read_depth: np.ndarray  # distinct (depth, alt) pairs: the read likelihood is
    read_alt: np.ndarray  # computed once per pair ...
    read_index: np.ndarray  # ... and each row points to its pair
    other_reads: int = 0  # reads with neither allele, over all sites
    total_reads: int = 0  # reads over all sites (ref + alt + other)
    frequencies: SiteFrequencies = field(default_factory=lambda: SiteFrequencies("spectrum"))
    cache: dict = field(default_factory=dict, repr=False)  # parameter-free priors

    @property
    def sites(self) -> int:
        return int(self.weight.sum())


def count_table(
    ref: np.ndarray,
    alt: np.ndarray,
    call: np.ndarray | None,
    frequencies: SiteFrequencies,
    other: np.ndarray | None = None,
) -> CountTable:
    """Group sites by (depth, alt, call, frequency key); drops sites without reads and,
    for 'per_site'/'named', sites without a frequency or a source genotype."""
    ref, alt = np.asarray(ref, np.int64), np.asarray(alt, np.int64)
    call = np.full(ref.shape, NO_CALL) if call is None else np.asarray(call, np.int64)
    call = np.where(np.isin(call, (0, 1, 2)), call, NO_CALL)
    keep = (ref + alt) > 0
    if frequencies.kind == "per_site":
        af = np.asarray(frequencies.values, float)
        keep &= np.isfinite(af) & (af >= 0) & (af <= 1)
        key = np.rint(np.nan_to_num(af) * FREQUENCY_BINS).astype(np.int64)
    elif frequencies.kind == "named":
        source = np.asarray(frequencies.values, np.int64)
        keep &= np.isin(source, (0, 1, 2))
        key = source
    else:
        key = np.zeros(ref.shape, np.int64)
    depth = (ref + alt)[keep]
    stacked = np.column_stack([depth, alt[keep], call[keep], key[keep]])
    rows, weight = np.unique(stacked, axis=0, return_counts=True)
    pairs, read_index = np.unique(rows[:, :2], axis=0, return_inverse=True)
    other_reads = total = 0
    if other is not None:
        other_kept = np.asarray(other, np.int64)[keep]
        other_reads = int(other_kept.sum())
        total = int(depth.sum()) + other_reads
    return CountTable(
        depth=rows[:, 0],
        alt=rows[:, 1],
        call=rows[:, 2],
        key=rows[:, 3],
        weight=weight.astype(float),
        read_depth=pairs[:, 0],
        read_alt=pairs[:, 1],
        read_index=read_index.reshape(-1),
        other_reads=other_reads,
        total_reads=total,
        frequencies=frequencies,
    )


def logsumexp(values: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    """log(sum(exp(values))) along an axis, -inf when every term is -inf."""
    values = np.asarray(values, float)
    top = np.max(values, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        result = np.log(np.sum(np.exp(values - top), axis=axis, keepdims=True)) + top
    return result if keepdims else np.squeeze(result, axis=axis)


# ------------------------------------------------------------------ genotype priors


def spectrum_joint(alpha: float, beta: float, selection: str, donors: int) -> np.ndarray:
    """log P(g, h) (3 x 3) for listed sites whose frequencies follow Beta(alpha, beta).

    P(g, h) is proportional to the integral of f^(alpha-1) (1-f)^(beta-1) HWE_g(f)
    HWE_h(f) P(listed | f, g) df. HWE_g HWE_h = C_g C_h f^(g+h) (1-f)^(4-g-h), so each
    term is a Beta function and the result is exact. For a list of the variants of K
    donors, a site where this donor is hom-ref is listed when one of the K - 1 others
    carries the allele: P(listed | f, g = 0) = 1 - (1-f)^(2(K-1)).
    """
    dosage_sum = np.add.outer(np.arange(3), np.arange(3))
    integral = betaln(alpha + dosage_sum, beta + 4 - dosage_sum)
    if selection == "donor_variants":
        others = max(0, donors - 1)
        if others == 0:
            integral[0, :] = -np.inf
        else:
            unlisted = betaln(alpha + dosage_sum[0], beta + 4 - dosage_sum[0] + 2 * others)
            integral[0, :] += np.log1p(-np.exp(unlisted - integral[0, :]))
    joint = np.log(np.outer(HWE_COEFFICIENT, HWE_COEFFICIENT)) + integral
    return joint - logsumexp(joint)


def _per_site_priors(table: CountTable) -> tuple[np.ndarray, np.ndarray]:
    """log P(g) (rows, 3) and log P(h | g) (rows, 3, 3) at known frequencies."""
    f = np.clip(table.key / FREQUENCY_BINS, 1e-4, 1 - 1e-4)
    dosage = np.arange(3)
    hwe = (
        np.log(HWE_COEFFICIENT) + dosage * np.log(f)[:, None] + (2 - dosage) * np.log1p(-f)[:, None]
    )
    log_g = hwe.copy()
    freq = table.frequencies
    if freq.selection == "donor_variants":
        others = max(0, freq.donors - 1)
        listed_if_ref = 1.0 - (1.0 - f) ** (2 * others) if others else np.zeros_like(f)
        log_g[:, 0] += np.log(np.maximum(listed_if_ref, 1e-300))
    log_g -= logsumexp(log_g, axis=1, keepdims=True)
    log_h = np.broadcast_to(hwe[:, None, :], (len(f), 3, 3))
    return log_g, log_h


def _call_matrix(call: np.ndarray, call_error: float) -> np.ndarray:
    """log P(call | g) (rows, 3); rows without a call are uninformative (0)."""
    right, wrong = np.log1p(-call_error), np.log(call_error / 2.0)
    matrix = np.where(call[:, None] == np.arange(3)[None, :], right, wrong)
    return np.where(call[:, None] == NO_CALL, 0.0, matrix)


def genotype_priors(table: CountTable, params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """log P(g, call) (rows, 3) and log P(h | g) (rows, 3, 3) of each row."""
    freq = table.frequencies
    rows = len(table.depth)
    if freq.kind == "per_site":
        if "per_site" not in table.cache:
            table.cache["per_site"] = _per_site_priors(table)
        log_g, log_h = table.cache["per_site"]
    elif freq.kind == "named":
        logits = np.array([0.0, params.logit_het, params.logit_hom_alt])
        log_g = np.broadcast_to(logits - logsumexp(logits), (rows, 3))
        onehot = np.where(table.key[:, None] == np.arange(3)[None, :], 0.0, -np.inf)
        log_h = np.broadcast_to(onehot[:, None, :], (rows, 3, 3))
    else:
        joint = spectrum_joint(params.alpha, params.beta, freq.selection, freq.donors)
        marginal = logsumexp(joint, axis=1)
        finite = np.isfinite(marginal)[:, None]
        conditional = np.where(finite, joint - np.where(finite, marginal[:, None], 0.0), -np.inf)
        log_g = np.broadcast_to(marginal, (rows, 3))
        log_h = np.broadcast_to(conditional, (rows, 3, 3))
    return log_g + _call_matrix(table.call, params.call_error), log_h


# ------------------------------------------------------------------ read likelihood


def alt_probability(params: Parameters) -> np.ndarray:
    """p(g, h) (3 x 3): probability that a read shows the alternate allele."""
    c, e = params.fraction, params.error
    own = np.array([0.0, params.het_balance, 1.0])[:, None]
    foreign = np.arange(3)[None, :] / 2.0
    return e + (1.0 - 2.0 * e) * ((1.0 - c) * own + c * foreign)


def read_log_likelihood(table: CountTable, params: Parameters) -> np.ndarray:
    """log P(alt | depth, g, h) (distinct read pairs, 3, 3) without the binomial
    coefficient (shared by every component of a row, so it cancels in the mixture);
    index with ``table.read_index`` for the rows."""
    p = np.clip(alt_probability(params), 1e-12, 1 - 1e-12)
    k = table.read_alt[:, None, None].astype(float)
    n = table.read_depth[:, None, None].astype(float)
    result = k * np.log(p)[None] + (n - k) * np.log1p(-p)[None]
    rho = params.het_overdispersion
    if rho > 0:
        scale = 1.0 / rho - 1.0
        a, b = p[1] * scale, (1.0 - p[1]) * scale
        kk, nn = k[:, 0, :], n[:, 0, :]
        result[:, 1, :] = (
            gammaln(kk + a) + gammaln(nn - kk + b) - gammaln(nn + a + b)
            - (gammaln(a) + gammaln(b) - gammaln(a + b))
        )  # fmt: skip
    return result


def _relative_exp(shifted: np.ndarray) -> np.ndarray:
    """exp of log-weights relative to their maximum (<= 0), floored at e^-60: a relative
    weight of 1e-26 changes no sum, and exp of -inf or of very negative numbers (whose
    results are subnormal) is many times slower than of ordinary ones."""
    return np.exp(np.maximum(shifted, -60.0))


def log_likelihood(table: CountTable, params: Parameters) -> float:
    """Total log-likelihood of the table's reads (and of the other-allele reads)."""
    log_g, log_h = genotype_priors(table, params)
    reads = read_log_likelihood(table, params)[table.read_index]
    terms = (log_g[:, :, None] + log_h + reads).reshape(len(table.depth), 9)
    top = np.max(terms.T, axis=0)
    mixture = top + np.log(_relative_exp(terms - top[:, None]).sum(axis=1))
    per_row = mixture
    total = float(np.dot(table.weight, per_row))
    if table.total_reads:
        e = params.error
        total += table.other_reads * np.log(2 * e) + (
            table.total_reads - table.other_reads
        ) * np.log1p(-2 * e)
    return total


# ------------------------------------------------------------------ gradient

GRADIENT_PARAMETERS = (
    "fraction", "error", "het_balance", "het_overdispersion", "call_error", "alpha", "beta",
    "logit_het", "logit_hom_alt",
)  # fmt: skip


def _spectrum_gradient(params: Parameters, freq: SiteFrequencies):
    """log P(g, h) of the spectrum model and its derivatives in alpha and beta (3 x 3)."""
    alpha, beta = params.alpha, params.beta
    s = np.add.outer(np.arange(3), np.arange(3)).astype(float)
    integral = betaln(alpha + s, beta + 4 - s)
    d_alpha = digamma(alpha + s) - digamma(alpha + beta + 4)
    d_beta = digamma(beta + 4 - s) - digamma(alpha + beta + 4)
    if freq.selection == "donor_variants":
        others = max(0, freq.donors - 1)
        if others == 0:
            integral[0, :] = -np.inf
            d_alpha[0, :] = d_beta[0, :] = 0.0
        else:
            extra = 2 * others
            unlisted = betaln(alpha + s[0], beta + 4 - s[0] + extra)
            ratio = np.exp(unlisted - integral[0, :])
            du_alpha = digamma(alpha + s[0]) - digamma(alpha + beta + 4 + extra)
            du_beta = digamma(beta + 4 - s[0] + extra) - digamma(alpha + beta + 4 + extra)
            integral[0, :] += np.log1p(-ratio)
            d_alpha[0, :] = (d_alpha[0, :] - ratio * du_alpha) / (1 - ratio)
            d_beta[0, :] = (d_beta[0, :] - ratio * du_beta) / (1 - ratio)
    raw = np.log(np.outer(HWE_COEFFICIENT, HWE_COEFFICIENT)) + integral
    joint = raw - logsumexp(raw)
    weight = np.exp(joint)
    d_alpha = np.where(np.isfinite(joint), d_alpha - np.sum(weight * d_alpha), 0.0)
    d_beta = np.where(np.isfinite(joint), d_beta - np.sum(weight * d_beta), 0.0)
    return joint, d_alpha, d_beta


def log_likelihood_and_gradient(table: CountTable, params: Parameters) -> tuple[float, dict]:
    """The log-likelihood and its partial derivatives in GRADIENT_PARAMETERS (natural
    scale), for gradient-based fitting; equal to ``log_likelihood`` in value."""
    value, posterior, pair_posterior = _posterior(table, params)
    gradient = _read_gradient(table, params, pair_posterior)
    e = params.error
    if table.total_reads:
        other, total = table.other_reads, table.total_reads
        value += other * np.log(2 * e) + (total - other) * np.log1p(-2 * e)
        gradient["error"] += other / e - 2.0 * (total - other) / (1.0 - 2.0 * e)
    gradient.update(_genotype_gradient(table, params, posterior))
    return value, gradient


def _posterior(table: CountTable, params: Parameters) -> tuple[float, np.ndarray, np.ndarray]:
    """The log-likelihood of the rows, the posterior of each row's (g, h) component
    times its site count, and that posterior summed per distinct read pair."""
    rows = len(table.depth)
    log_g, log_h = genotype_priors(table, params)
    reads = read_log_likelihood(table, params)[table.read_index]
    terms = log_g[:, :, None] + log_h + reads
    flat = terms.reshape(rows, 9)
    top = np.max(flat.T, axis=0)  # reducing over the long axis is vectorised
    weights = _relative_exp(flat - top[:, None])
    total_per_row = weights.sum(axis=1)
    per_row = top + np.log(total_per_row)
    posterior = (weights / total_per_row[:, None]).reshape(rows, 3, 3) * table.weight[:, None, None]
    value = float(np.dot(table.weight, per_row))
    # summed per distinct read pair, where the read derivatives live (rows are sorted
    # by depth and alt, so each pair's rows are contiguous)
    starts = np.flatnonzero(np.r_[True, np.diff(table.read_index) != 0])
    return value, posterior, np.add.reduceat(posterior, starts, axis=0)


def _read_gradient(table: CountTable, params: Parameters, pair_posterior: np.ndarray) -> dict:
    """Derivatives of the read terms: fraction, error, het balance and overdispersion."""
    c, e, b, rho = params.fraction, params.error, params.het_balance, params.het_overdispersion
    own = np.array([0.0, b, 1.0])[:, None]
    foreign = np.arange(3)[None, :] / 2.0
    mix = (1.0 - c) * own + c * foreign
    p = np.clip(e + (1.0 - 2.0 * e) * mix, 1e-12, 1 - 1e-12)
    k = table.read_alt[:, None, None].astype(float)
    n = table.read_depth[:, None, None].astype(float)
    d_p = k / p[None] - (n - k) / (1.0 - p[None])  # binomial components
    d_scale = np.zeros((len(table.read_depth), 3))
    if rho > 0:
        scale = 1.0 / rho - 1.0
        ph = p[1][None, :]
        a, bb = ph * scale, (1.0 - ph) * scale
        kk, nn = k[:, 0, :], n[:, 0, :]
        dig_ka, dig_b = digamma(kk + a), digamma(nn - kk + bb)
        dig_a, dig_bb = digamma(a), digamma(bb)
        d_p[:, 1, :] = scale * (dig_ka - dig_b - dig_a + dig_bb)
        d_scale = (
            ph * (dig_ka - dig_a) + (1.0 - ph) * (dig_b - dig_bb)
            - digamma(nn + scale) + digamma(scale)
        )  # fmt: skip
    dp_de = 1.0 - 2.0 * mix
    dp_db = np.zeros((3, 3))
    dp_db[1, :] = (1.0 - 2.0 * e) * (1.0 - c)
    dp_dc = (1.0 - 2.0 * e) * (foreign - own)
    return {
        "fraction": float(np.sum(pair_posterior * d_p * dp_dc[None])),
        "error": float(np.sum(pair_posterior * d_p * dp_de[None])),
        "het_balance": float(np.sum(pair_posterior * d_p * dp_db[None])),
        "het_overdispersion": float(np.sum(pair_posterior[:, 1, :] * d_scale)) * (-1.0 / rho**2)
        if rho > 0
        else 0.0,
    }


def _genotype_gradient(table: CountTable, params: Parameters, posterior: np.ndarray) -> dict:
    """Derivatives of the genotype terms: call error, donor genotype logits (named
    frequencies) and the spectrum's alpha and beta."""
    eps = params.call_error
    called = table.call != NO_CALL
    same = table.call[:, None] == np.arange(3)[None, :]
    d_call = np.where(same, -1.0 / (1.0 - eps), 1.0 / eps) * called[:, None]
    gradient = {"call_error": float(np.sum(posterior.sum(axis=2) * d_call))}
    gradient["alpha"] = gradient["beta"] = 0.0
    gradient["logit_het"] = gradient["logit_hom_alt"] = 0.0
    if table.frequencies.kind == "named":
        logits = np.array([0.0, params.logit_het, params.logit_hom_alt])
        prior = np.exp(logits - logsumexp(logits))
        donor = posterior.sum(axis=(0, 2))  # expected sites of each donor genotype
        gradient["logit_het"] = float(donor[1] - donor.sum() * prior[1])
        gradient["logit_hom_alt"] = float(donor[2] - donor.sum() * prior[2])
    if table.frequencies.kind == "spectrum":
        _, d_alpha, d_beta = _spectrum_gradient(params, table.frequencies)
        component = posterior.sum(axis=0)
        gradient["alpha"] = float(np.sum(component * d_alpha))
        gradient["beta"] = float(np.sum(component * d_beta))
    return gradient
