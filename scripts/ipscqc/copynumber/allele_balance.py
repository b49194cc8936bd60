"""Allele balance at heterozygous sites: which sites to read, how overdispersed their
counts are, and the likelihood of a line's allele counts under a copy-number state.

The **paired** model reads the line's counts at each site against the parental's own
allele fraction there. A paralogous "het" (reads of two copies of a segmental
duplication, one of them carrying a different base) shows an allele fraction of about
0.25 in every sample; scored against 0.5 it looks like allelic imbalance, scored against
the parental's 0.25 it gives no evidence. Expected line fraction at a site whose
parental fraction is ``pi`` when the line's cells carry the alternative allele on a
fraction ``beta`` of their copies (``beta`` is the major or the minor allele fraction
of the state, unphased):

    q = beta * pi / (beta * pi + (1 - beta) * (1 - pi))

(the parental's imbalance acts as an odds factor pi / (1 - pi) on the allele copies, so
q = pi when beta = 0.5). The line's counts are beta-binomial around q, with the run's
own overdispersion ``rho`` (intra-class correlation: Var = n q (1 - q) (1 + (n - 1) rho))
plus the uncertainty of the parental's fraction, estimated from its own counts.

The **line-only** model scores the line's counts against 0.5 (pi = 0.5 at every site):
it cannot tell a paralogous site or an allelic mapping bias from real imbalance, so its
evidence is weaker (``LINE_ONLY_NOTE``).

Arrays are per site; positions are not used here. Which sites are read is
``sites.select_baf_sites``. The fast path (``AlleleBalanceTable``)
evaluates the same per-site function once on a grid of major allele fractions and sums
segments by prefix sums, so that a segment's log-likelihood costs O(grid) whatever its
number of sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import gammaln

from .params import SiteSettings

OUTLIER_RATE = 0.01  # as model.OUTLIER_RATE: genotyping errors, any count equally likely

LINE_ONLY_NOTE = (
    "Allele balance was read against 0.5 at the line's own heterozygous sites (no "
    "parental): paralogous sites and allelic mapping bias cannot be told from allelic "
    "imbalance, so allele-balance evidence is weaker than in paired mode."
)


# ------------------------------------------------------------------- overdispersion


def _parental_fraction(parental_alt, parental_depth):
    """Posterior mean of the parental's allele fraction (Beta(1, 1) prior)."""
    return (np.asarray(parental_alt, float) + 1.0) / (np.asarray(parental_depth, float) + 2.0)


def _squared_differences(rho, alt, depth, parental_alt, parental_depth):
    """Squared standardised differences per site under "no change" with overdispersion rho:
    line fraction against the parental's (paired) or against 0.5 (line-only)."""
    n_l = np.asarray(depth, float)
    x_l = np.asarray(alt, float)
    if parental_alt is None:
        p = np.full(len(n_l), 0.5)
        spread = (1 + (n_l - 1) * rho) / n_l
        diff = x_l / n_l - 0.5
    else:
        n_p = np.asarray(parental_depth, float)
        x_p = np.asarray(parental_alt, float)
        p = (x_l + x_p + 1) / (n_l + n_p + 2)
        spread = (1 + (n_l - 1) * rho) / n_l + (1 + (n_p - 1) * rho) / n_p
        diff = x_l / n_l - x_p / n_p
    return diff**2 / (p * (1 - p) * spread)


def _beta_binomial_draw(rng, n, p, rho):
    if rho <= 0:
        return rng.binomial(n.astype(np.int64), p)
    s = (1 - rho) / rho
    return rng.binomial(n.astype(np.int64), rng.beta(p * s, (1 - p) * s))


OVERDISPERSION_QUANTILE = 0.25  # events only raise the differences: a low quantile is robust
MAX_ESTIMATION_SITES = 50_000


def estimate_overdispersion(
    alt: np.ndarray,
    depth: np.ndarray,
    parental_alt: np.ndarray | None = None,
    parental_depth: np.ndarray | None = None,
    settings: SiteSettings | None = None,
) -> float:
    """Beta-binomial overdispersion (intra-class correlation ``rho``) of the run's sites.

    Paired: the difference between the line's and the parental's allele fractions at
    each site, whose variance under "no change" is p (1 - p) [(1 + (n_l - 1) rho) / n_l +
    (1 + (n_p - 1) rho) / n_p] (p pooled per site, so each site's own bias cancels).
    Line-only: the line's fraction against 0.5. ``rho`` is where the lower quartile of the
    squared standardised differences equals the lower quartile of the same statistic on
    counts drawn from the model with that ``rho`` (same depths, fixed seed: the
    calibration absorbs the discreteness of counts). A low quantile, because copy-number
    events only raise the differences: an event over half of the sites barely moves it.
    At most 50,000 sites (evenly spaced) are used. Clipped to [``overdispersion_floor``,
    ``overdispersion_ceiling``]; the floor when fewer than 50 sites.
    """
    settings = settings or SiteSettings()
    lo, hi = settings.overdispersion_floor, settings.overdispersion_ceiling
    depth = np.asarray(depth, float)
    ok = depth > 0
    if parental_alt is not None:
        ok &= np.asarray(parental_depth, float) > 0
    index = np.flatnonzero(ok)
    if len(index) < 50:
        return lo
    if len(index) > MAX_ESTIMATION_SITES:
        index = index[np.linspace(0, len(index) - 1, MAX_ESTIMATION_SITES).astype(int)]
    x_l, n_l = np.asarray(alt, float)[index], depth[index]
    paired = parental_alt is not None
    x_p = np.asarray(parental_alt, float)[index] if paired else None
    n_p = np.asarray(parental_depth, float)[index] if paired else None
    pooled = (x_l + x_p + 1) / (n_l + n_p + 2) if paired else np.full(len(index), 0.5)

    def excess(rho):
        observed = np.quantile(
            _squared_differences(rho, x_l, n_l, x_p, n_p), OVERDISPERSION_QUANTILE
        )
        rng = np.random.default_rng(12345)
        sim_l = _beta_binomial_draw(rng, n_l, pooled, rho)
        sim_p = _beta_binomial_draw(rng, n_p, pooled, rho) if paired else None
        simulated = _squared_differences(rho, sim_l, n_l, sim_p, n_p)
        return observed - np.quantile(simulated, OVERDISPERSION_QUANTILE)

    if excess(lo) <= 0:
        return lo
    if excess(hi) >= 0:
        return hi
    a, b = lo, hi
    for _ in range(25):  # bisection: the observed quantile falls as rho rises
        mid = 0.5 * (a + b)
        if excess(mid) > 0:
            a = mid
        else:
            b = mid
    return float(0.5 * (a + b))


# ----------------------------------------------------------------- the likelihood


def _balanced_pmf(x, n, rho):
    """Beta-binomial probability of x of n at 0.5 with intra-class correlation rho."""
    s = (1 - max(rho, 1e-6)) / max(rho, 1e-6)
    return np.exp(
        gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
        + gammaln(x + s / 2) + gammaln(n - x + s / 2) - gammaln(n + s)
        - 2 * gammaln(s / 2) + gammaln(s)
    )  # fmt: skip


def _biased_responsibility(parental_alt, parental_depth, rho, biased_share):
    """Posterior probability that a site's true parental fraction is not 0.5 (a
    paralogous or biased site, uniform prior) rather than a balanced het (0.5)."""
    x = np.asarray(parental_alt, float)
    n = np.asarray(parental_depth, float)
    balanced = (1 - biased_share) * _balanced_pmf(x, n, rho)
    biased = biased_share / (n + 1)  # beta-binomial with a uniform prior
    return biased / np.maximum(biased + balanced, 1e-300)


def estimate_biased_share(
    parental_alt: np.ndarray, parental_depth: np.ndarray, overdispersion: float
) -> float:
    """Share of sites whose parental allele fraction is not 0.5 (two-component mixture
    of the parental's counts: balanced hets, beta-binomial at 0.5 with the run's
    overdispersion, against sites of any fraction, uniform), by EM; within
    [0.001, 0.99]."""
    n = np.asarray(parental_depth, float)
    if len(n) == 0:
        return 0.001
    share = 0.05
    for _ in range(100):
        updated = float(
            np.clip(
                np.mean(_biased_responsibility(parental_alt, n, overdispersion, share)), 0.001, 0.99
            )
        )
        if abs(updated - share) < 1e-5:
            break
        share = updated
    return share


def _site_terms(alt, depth, parental_alt, parental_depth, overdispersion, biased_share=None):
    """Per site: parental fraction pi, beta-binomial concentration s, log n-choose-x.

    The parental's fraction at a site is a mixture posterior: a balanced het (0.5) or a
    site of its own fraction (Beta posterior of its counts, worth n_p / (1 + (n_p - 1) rho)
    binomial draws), weighted by how well each explains the parental's counts; its
    variance widens the line's beta-binomial."""
    x = np.asarray(alt, float)
    n = np.asarray(depth, float)
    rho = float(overdispersion)
    if parental_alt is None:
        pi = np.full(len(x), 0.5)
        extra = np.zeros(len(x))
    else:
        n_p = np.asarray(parental_depth, float)
        if biased_share is None:
            biased_share = estimate_biased_share(parental_alt, n_p, rho)
        weight = _biased_responsibility(parental_alt, n_p, rho, biased_share)
        own = _parental_fraction(parental_alt, n_p)
        effective = n_p / (1 + np.maximum(n_p - 1, 0) * rho)
        own_var = own * (1 - own) / (effective + 3.0)
        pi = weight * own + (1 - weight) * 0.5
        second = weight * (own_var + own**2) + (1 - weight) * 0.25
        extra = np.maximum(second - pi**2, 0.0) / (pi * (1 - pi))  # Var(pi) / (pi (1 - pi))
    total = np.clip(rho + (1 - rho) * extra, 1e-6, 0.999)
    s = (1 - total) / total
    log_choose = gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
    return x, n, pi, s, log_choose


def _site_log_likelihood(x, n, pi, s, log_choose, major):
    """log P(counts) per site (rows) and major fraction (columns): unphased mixture of the
    two orientations of beta-binomials around q(beta, pi), with the outlier term."""
    b = np.clip(np.asarray(major, float)[None, :], 1e-3, 1 - 1e-3)
    x = x[:, None]
    n = n[:, None]
    pi = pi[:, None]
    s = s[:, None]

    def oriented(beta):
        q = beta * pi / (beta * pi + (1 - beta) * (1 - pi))
        q = np.clip(q, 1e-4, 1 - 1e-4)
        a, c = q * s, (1 - q) * s
        return gammaln(x + a) + gammaln(n - x + c) - gammaln(a) - gammaln(c)

    norm = gammaln(s) - gammaln(n + s)
    mixed = log_choose[:, None] + norm + np.logaddexp(oriented(b), oriented(1 - b)) + np.log(0.5)
    outlier = -np.log(n + 1)
    return np.logaddexp(np.log(1 - OUTLIER_RATE) + mixed, np.log(OUTLIER_RATE) + outlier)


def paired_baf_log_likelihood(
    alt: np.ndarray,
    depth: np.ndarray,
    major: np.ndarray,
    parental_alt: np.ndarray,
    parental_depth: np.ndarray,
    overdispersion: float,
    biased_share: float | None = None,
) -> np.ndarray:
    """Log-likelihood of the line's allele counts (``alt`` of ``depth``, per site) for each
    expected major allele fraction in ``major`` (the fraction the state gives at a site
    whose parental is balanced), given the parental's counts at the same sites.

    Same call shape as ``model.baf_log_likelihood`` plus the parental's counts and
    the overdispersion: returns one value per entry of ``major`` (summed over sites).
    ``biased_share``: prior share of sites whose parental fraction is not 0.5
    (``estimate_biased_share`` of these sites when None).
    """
    terms = _site_terms(alt, depth, parental_alt, parental_depth, overdispersion, biased_share)
    return _site_log_likelihood(*terms, major).sum(axis=0)


def line_only_baf_log_likelihood(
    alt: np.ndarray, depth: np.ndarray, major: np.ndarray, overdispersion: float
) -> np.ndarray:
    """As ``paired_baf_log_likelihood`` against an expected 0.5 at every site (no
    parental): beta-binomial with the run's overdispersion. See ``LINE_ONLY_NOTE``."""
    terms = _site_terms(alt, depth, None, None, overdispersion)
    return _site_log_likelihood(*terms, major).sum(axis=0)


# --------------------------------------------------------------------- fast path


def major_fraction_grid() -> np.ndarray:
    """Major allele fractions on which the table is evaluated: 0.0025 steps from 0.5 to
    0.98, then logit-spaced to 0.999 (the likelihood is steep near full LOH)."""
    fine = np.round(np.arange(0.5, 0.98, 0.0025), 6)
    logits = np.linspace(np.log(0.98 / 0.02), np.log(0.999 / 0.001), 30)
    return np.concatenate([fine, 1 / (1 + np.exp(-logits))])


MAJOR_GRID = major_fraction_grid()


def _quadratic_interpolation(grid: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Three-point Lagrange interpolation of ``values`` (on ``grid``) at ``at``."""
    at = np.clip(np.asarray(at, float), grid[0], grid[-1])
    i = np.clip(np.searchsorted(grid, at) - 1, 0, len(grid) - 3)
    x0, x1, x2 = grid[i], grid[i + 1], grid[i + 2]
    y0, y1, y2 = values[i], values[i + 1], values[i + 2]
    return (
        y0 * (at - x1) * (at - x2) / ((x0 - x1) * (x0 - x2))
        + y1 * (at - x0) * (at - x2) / ((x1 - x0) * (x1 - x2))
        + y2 * (at - x0) * (at - x1) / ((x2 - x0) * (x2 - x1))
    )


class AlleleBalanceTable:
    """Prefix sums over sites (in the caller's order) of the per-site log-likelihood on
    ``MAJOR_GRID``. ``segment(lo, hi)`` returns a function of candidate major fractions
    (shape (k,) -> (k,)) for sites lo..hi-1, usable as ``fit_segment``'s allele term."""

    def __init__(self, per_site: np.ndarray, weights: np.ndarray | None = None):
        if weights is not None:
            per_site = per_site * np.asarray(weights, float)[:, None]
        self.prefix = np.vstack([np.zeros(len(MAJOR_GRID)), np.cumsum(per_site, axis=0)])

    @classmethod
    def build(
        cls,
        alt: np.ndarray,
        depth: np.ndarray,
        overdispersion: float,
        parental_alt: np.ndarray | None = None,
        parental_depth: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        biased_share: float | None = None,
    ) -> AlleleBalanceTable:
        """Paired when parental counts are given, line-only (against 0.5) otherwise.
        ``weights`` multiply each site's log-likelihood (used for representative sites);
        ``biased_share`` as in ``paired_baf_log_likelihood``."""
        terms = _site_terms(alt, depth, parental_alt, parental_depth, overdispersion, biased_share)
        rows = []
        step = 20_000  # bounded memory: sites x grid in blocks
        for start in range(0, len(terms[0]), step):
            block = tuple(t[start : start + step] for t in terms)
            rows.append(_site_log_likelihood(*block, MAJOR_GRID))
        per_site = np.vstack(rows) if rows else np.zeros((0, len(MAJOR_GRID)))
        return cls(per_site, weights)

    @property
    def sites(self) -> int:
        return len(self.prefix) - 1

    def totals(self, lo: int, hi: int) -> np.ndarray:
        return self.prefix[hi] - self.prefix[lo]

    def per_site(self) -> np.ndarray:
        """The per-site log-likelihoods on ``MAJOR_GRID`` (sites x grid)."""
        return np.diff(self.prefix, axis=0)

    def segment(self, lo: int, hi: int):
        return interpolated(self.totals(lo, hi))


def interpolated(totals: np.ndarray):
    """A function of candidate major fractions from log-likelihood totals on ``MAJOR_GRID``
    (quadratic interpolation; fractions below 0.5 are mirrored)."""

    def log_likelihood(major: np.ndarray) -> np.ndarray:
        return _quadratic_interpolation(MAJOR_GRID, totals, np.maximum(major, 1 - major))

    return log_likelihood


@dataclass(frozen=True)
class AlleleBalanceModel:
    """The allele-balance model of one line: mode, overdispersion and (paired) the share of
    sites whose parental fraction is not 0.5, estimated from its own sites, with a
    per-chromosome table builder for the segment fit."""

    paired: bool
    overdispersion: float
    biased_share: float | None = None
    _tables: dict = field(default_factory=dict, compare=False, repr=False)

    def table(self, sites) -> AlleleBalanceTable:
        """Table for a site frame (columns alt_count, depth; paired: parental_alt_count,
        parental_depth), in its row order. Kept for the same sites (``analyse`` fits the
        segments twice)."""
        key = _sites_key(sites)
        if key not in self._tables:
            self._tables[key] = self._build(sites)
        return self._tables[key]

    def _build(self, sites) -> AlleleBalanceTable:
        return AlleleBalanceTable.build(
            sites["alt_count"].to_numpy(),
            sites["depth"].to_numpy(),
            self.overdispersion,
            sites["parental_alt_count"].to_numpy() if self.paired else None,
            sites["parental_depth"].to_numpy() if self.paired else None,
            biased_share=self.biased_share,
        )


def _sites_key(sites) -> tuple:
    columns = [c for c in ("chrom", "pos", "alt_count", "depth") if c in sites]
    digest = int(pd.util.hash_pandas_object(sites[columns], index=False).sum()) if len(sites) else 0
    return (len(sites), digest)


def fit_allele_balance_model(sites, settings: SiteSettings | None = None) -> AlleleBalanceModel:
    """Paired when ``sites`` carries the parental's counts (parental_alt_count,
    parental_depth), line-only otherwise; overdispersion from the sites themselves."""
    paired = {"parental_alt_count", "parental_depth"} <= set(sites.columns)
    rho = estimate_overdispersion(
        sites["alt_count"].to_numpy(),
        sites["depth"].to_numpy(),
        sites["parental_alt_count"].to_numpy() if paired else None,
        sites["parental_depth"].to_numpy() if paired else None,
        settings,
    )
    share = (
        estimate_biased_share(
            sites["parental_alt_count"].to_numpy(), sites["parental_depth"].to_numpy(), rho
        )
        if paired
        else None
    )
    return AlleleBalanceModel(paired, rho, share)
