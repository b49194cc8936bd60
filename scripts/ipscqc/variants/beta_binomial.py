"""Beta-binomial allele counts: distribution functions and a robust estimate of the
overdispersion of allele fractions.

An allele count ``k`` of ``n`` reads whose expected fraction is ``mean`` follows
BetaBinomial(n, a, b) with a = mean (1 - rho) / rho and b = (1 - mean) (1 - rho) / rho:
the same mean as Binomial(n, mean), variance n mean (1 - mean) (1 + (n - 1) rho).
``rho`` (0 <= rho < 1) is the intra-site correlation of reads, the overdispersion that
real sequencing shows at heterozygous sites (mapping and capture bias, PCR duplicates);
rho = 0 is the binomial. Every function here is vectorised over numpy arrays
(broadcast) and exact: tails are sums of probabilities, never normal approximations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

# overdispersion below which the binomial is used (the two agree to about 1e-9)
BINOMIAL_RHO = 1e-9


DEDUPLICATE_ABOVE = 2048  # arrays longer than this are evaluated once per distinct input


def _distinct_inputs(function):
    """Evaluate ``function(k, n, mean, rho)`` once per distinct argument tuple: site
    tables repeat the same counts many times, and the tail sums are the costly part."""

    @wraps(function)
    def wrapper(k, n, mean, rho):
        k, n, mean, rho = _broadcast(k, n, mean, rho)
        if k.size <= DEDUPLICATE_ABOVE:
            return function(k, n, mean, rho)
        shape = k.shape
        columns = [x.ravel() for x in (k, n, mean, rho)]
        combined = np.zeros(k.size, dtype=np.int64)
        for column in columns:  # one code per distinct tuple (kept compact at each step)
            codes, uniques = pd.factorize(column)
            combined, _ = pd.factorize(combined * len(uniques) + codes)
        count = int(combined.max(initial=-1)) + 1
        if count > 0.5 * k.size:
            return function(k, n, mean, rho)
        first = np.zeros(count, dtype=np.int64)
        first[combined[::-1]] = np.arange(k.size - 1, -1, -1)  # first row of each code
        distinct = [column[first] for column in columns]
        return np.asarray(function(*distinct))[combined].reshape(shape)

    return wrapper


def _shapes(mean, rho):
    scale = (1.0 - rho) / rho
    return mean * scale, (1.0 - mean) * scale


def _broadcast(*values):
    """The arguments as float arrays of one shape."""
    return np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in values))


def _arrays(k, n, mean, rho):
    k, n, mean, rho = _broadcast(k, n, mean, rho)
    return k, n, np.clip(mean, 1e-12, 1 - 1e-12), rho


@_distinct_inputs
def logpmf(k, n, mean, rho) -> np.ndarray:
    """log P(X = k), X ~ BetaBinomial(n, mean, rho); -inf outside 0..n."""
    k, n, mean, rho = _arrays(k, n, mean, rho)
    out = np.full(k.shape, -np.inf)
    inside = (k >= 0) & (k <= n)
    binomial = inside & (rho < BINOMIAL_RHO)
    out[binomial] = stats.binom.logpmf(k[binomial], n[binomial], mean[binomial])
    over = inside & ~binomial
    if over.any():
        a, b = _shapes(mean[over], rho[over])
        kk, nn = k[over], n[over]
        out[over] = (
            special.gammaln(nn + 1)
            - special.gammaln(kk + 1)
            - special.gammaln(nn - kk + 1)
            + special.betaln(kk + a, nn - kk + b)
            - special.betaln(a, b)
        )
    return out


def _log_tail(lo, hi, n, mean, rho) -> np.ndarray:
    """log sum_{t=lo}^{hi} P(X = t), one term per row at a time (rows with an empty
    range give -inf). The loop runs over the longest range only."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    total = np.full(lo.shape, -np.inf)
    length = np.where(hi >= lo, hi - lo + 1, 0).astype(np.int64)
    for step in range(int(length.max(initial=0))):
        active = length > step
        t = lo[active] + step
        total[active] = np.logaddexp(total[active], logpmf(t, n[active], mean[active], rho[active]))
    return total


@_distinct_inputs
def cdf(k, n, mean, rho) -> np.ndarray:
    """P(X <= k), X ~ BetaBinomial(n, mean, rho) (1 where k >= n, 0 where k < 0).
    The tail side is summed term by term (below the mean: the lower terms; above: 1
    minus the upper terms), so small tails keep their precision."""
    k, n, mean, rho = _arrays(k, n, mean, rho)
    k = np.floor(k)
    out = np.where(k >= n, 1.0, 0.0)
    inside = (k >= 0) & (k < n)
    binomial = inside & (rho < BINOMIAL_RHO)
    out[binomial] = stats.binom.cdf(k[binomial], n[binomial], mean[binomial])
    over = inside & ~binomial
    if over.any():
        kk, nn, mm, rr = k[over], n[over], mean[over], rho[over]
        lower = kk < nn * mm
        value = np.empty(kk.shape)
        if lower.any():
            value[lower] = np.exp(
                _log_tail(np.zeros(lower.sum()), kk[lower], nn[lower], mm[lower], rr[lower])
            )
        upper = ~lower
        if upper.any():
            value[upper] = -np.expm1(
                _log_tail(kk[upper] + 1, nn[upper], nn[upper], mm[upper], rr[upper])
            )
        out[over] = value
    return np.clip(out, 0.0, 1.0)


@_distinct_inputs
def sf(k, n, mean, rho) -> np.ndarray:
    """P(X >= k), X ~ BetaBinomial(n, mean, rho) (1 where k <= 0, 0 where k > n),
    summed on the tail side like ``cdf``."""
    k, n, mean, rho = _arrays(k, n, mean, rho)
    k = np.ceil(k)
    out = np.where(k <= 0, 1.0, 0.0)
    inside = (k > 0) & (k <= n)
    binomial = inside & (rho < BINOMIAL_RHO)
    out[binomial] = stats.binom.sf(k[binomial] - 1, n[binomial], mean[binomial])
    over = inside & ~binomial
    if over.any():
        kk, nn, mm, rr = k[over], n[over], mean[over], rho[over]
        upper = kk > nn * mm
        value = np.empty(kk.shape)
        if upper.any():
            value[upper] = np.exp(_log_tail(kk[upper], nn[upper], nn[upper], mm[upper], rr[upper]))
        lower = ~upper
        if lower.any():
            value[lower] = -np.expm1(
                _log_tail(np.zeros(lower.sum()), kk[lower] - 1, nn[lower], mm[lower], rr[lower])
            )
        out[over] = value
    return np.clip(out, 0.0, 1.0)


@_distinct_inputs
def two_sided(k, n, mean, rho) -> np.ndarray:
    """Two-sided p of k against the mean: twice the smaller tail, capped at 1."""
    lower = cdf(k, n, mean, rho)
    upper = sf(k, n, mean, rho)
    n = np.broadcast_to(np.asarray(n, dtype=float), lower.shape)
    return np.where(n > 0, np.clip(2 * np.minimum(lower, upper), 0.0, 1.0), 1.0)


def sample(n, mean, rho, rng: np.random.Generator) -> np.ndarray:
    """Random counts: a fraction drawn from Beta(a, b), then Binomial(n, fraction)."""
    n, mean, rho = np.broadcast_arrays(
        np.asarray(n), np.asarray(mean, dtype=float), np.asarray(rho, dtype=float)
    )
    fraction = mean.astype(float).copy()
    over = rho >= BINOMIAL_RHO
    if over.any():
        a, b = _shapes(np.clip(mean[over], 1e-12, 1 - 1e-12), rho[over])
        fraction[over] = rng.beta(a, b)
    return rng.binomial(n, fraction)


# --- estimating the overdispersion --------------------------------------------------


@dataclass(frozen=True)
class Overdispersion:
    """Fit of allele counts at germline heterozygous sites.

    rho: overdispersion used downstream (never below the floor); mean: fitted
    heterozygous allele fraction (below 0.5 under reference mapping bias);
    outside_fraction: share of the sites left out of the fit because their fraction lies
    outside the central window (mosaic, homozygous or paralogous sites the selection let
    in, and the far tails of true heterozygous sites); sites: sites fitted; source:
    ``estimated``, ``floor`` (the estimate was below the floor) or ``default`` (too few
    sites; reason says why)."""

    rho: float
    mean: float
    outside_fraction: float
    sites: int
    source: str
    reason: str = ""


def _truncated_negloglik(params, alt, depth, lo, hi, distinct_depth, inverse, lo_d, hi_d):
    mean = special.expit(params[0])
    rho = special.expit(params[1])
    # log of the probability of the window, once per distinct depth
    log_window = _log_tail(
        lo_d, hi_d, distinct_depth, np.full(len(lo_d), mean), np.full(len(lo_d), rho)
    )
    return -(logpmf(alt, depth, mean, rho) - log_window[inverse]).sum()


def estimate_overdispersion(
    alt,
    depth,
    *,
    floor: float,
    default: float,
    min_sites: int = 50,
    fit_mean: bool = True,
    window: tuple[float, float] = (0.1, 0.9),
) -> Overdispersion:
    """Robust maximum-likelihood overdispersion of heterozygous allele counts.

    Only the sites whose allele fraction lies inside ``window`` are fitted, each with
    the beta-binomial conditioned on that window (truncated likelihood): a mosaic, a
    homozygous or a paralogous site let in by the selection falls outside and cannot
    inflate rho, while the truncation keeps the fit unbiased for true heterozygous
    sites. ``mean`` is fitted (reference bias) unless ``fit_mean`` is False (0.5). Fewer
    than ``min_sites`` sites inside the window give ``default``; an estimate below
    ``floor`` gives ``floor``."""
    alt = np.asarray(alt, dtype=float)
    depth = np.asarray(depth, dtype=float)
    valid = (depth > 0) & np.isfinite(alt) & np.isfinite(depth)
    alt, depth = alt[valid], depth[valid]
    lo, hi = np.ceil(window[0] * depth), np.floor(window[1] * depth)
    inside = (alt >= lo) & (alt <= hi)
    outside = float(1 - inside.mean()) if len(alt) else 0.0
    alt, depth, lo, hi = alt[inside], depth[inside], lo[inside], hi[inside]
    if len(alt) < min_sites:
        return Overdispersion(
            rho=max(default, floor),
            mean=0.5,
            outside_fraction=outside,
            sites=int(len(alt)),
            source="default",
            reason=f"{len(alt)} heterozygous sites, fewer than {min_sites} needed",
        )
    distinct_depth, first, inverse = np.unique(depth, return_index=True, return_inverse=True)
    fraction = alt / depth
    start_mean = float(np.clip(np.median(fraction), 0.3, 0.7)) if fit_mean else 0.5
    start = np.array([special.logit(start_mean), special.logit(0.01)])
    bounds = [
        (special.logit(0.3), special.logit(0.7)) if fit_mean else (0.0, 0.0),
        (special.logit(1e-7), special.logit(0.5)),
    ]
    fit = optimize.minimize(
        _truncated_negloglik,
        start,
        args=(alt, depth, lo, hi, distinct_depth, inverse, lo[first], hi[first]),
        method="L-BFGS-B",
        bounds=bounds,
    )
    mean, rho = (float(special.expit(value)) for value in fit.x)
    return Overdispersion(
        rho=max(rho, floor),
        mean=mean,
        outside_fraction=outside,
        sites=int(len(alt)),
        source="estimated" if rho >= floor else "floor",
        reason="" if fit.success else f"optimiser: {fit.message}",
    )
