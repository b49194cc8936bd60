"""The state model of the copy-number check: each segment is explained by the copy
number ``c`` of the abnormal cells, the copies ``m`` of the more frequent allele, and
the fraction ``f`` of cells that carry it (mosaicism), fitted on a grid by the joint
likelihood of the segment's mean log2 ratio and its allele counts."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from .params import Params

NORMAL = "normal"
OUTLIER_RATE = 0.01


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


def _segment_likelihood(
    log2_mean: float,
    se: float,
    log2_within: float,
    alt: np.ndarray,
    depth: np.ndarray,
    c0: int,
    m0: int,
    allele_likelihood=None,
):
    """The segment's joint log-likelihood as a function of a state ``(c, m, f)`` (``f``:
    an array of mosaic fractions; returns one log-likelihood per fraction).

    The mean log2 ratio is normal around ``expected_log2`` with standard error ``se``,
    less 0.5 x ``log2_within``; the allele counts (``alt`` of ``depth``) add their
    log-likelihood at ``expected_major_baf`` (``allele_likelihood`` when given, else
    ``baf_log_likelihood``) when there are sites and the reference has two copies or more.
    """
    use_baf = len(alt) > 0 and c0 >= 2

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

    return log_lik


def _best_fractions(
    log_lik, c0: int, m0: int, max_copy_number: int
) -> list[tuple[float, int, int, float]]:
    """Each abnormal state reachable from (c0, m0) with its best mosaic fraction on
    ``FRACTION_GRID``: (log-likelihood, c, m, f)."""
    options = []
    for c, m in candidate_states(c0, m0, max_copy_number):
        ll = log_lik(c, m, FRACTION_GRID)
        best = int(np.argmax(ll))
        options.append((float(ll[best]), c, m, float(FRACTION_GRID[best])))
    return options


def _simplest_state(
    options: list[tuple[float, int, int, float]], c0: int, state_tolerance: float
) -> tuple[float, int, int, float]:
    """The option (log-likelihood, c, m, f) chosen when each step of complexity costs
    ``state_tolerance`` (log-likelihood units): a state within the tolerance of the best
    loses to a simpler one, and so does a complex state (many copies of one allele in a
    few cells) that fits the noise of the allele balance a bit better."""

    def penalised(option):
        steps = state_complexity(option[1], option[2], c0)
        return (option[0] - state_tolerance * steps, -steps, option[0])

    return max(options, key=penalised)


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
    allele counts, e.g. ``allele_balance.AlleleBalanceTable.segment``) replaces the
    binomial ``baf_log_likelihood`` of ``alt`` and ``depth`` when given.
    """
    se = max(log2_se, params.log2_se_floor)
    log_lik = _segment_likelihood(log2_mean, se, log2_within, alt, depth, c0, m0, allele_likelihood)
    normal_ll = float(log_lik(c0, m0, np.array([0.0]))[0])
    options = _best_fractions(log_lik, c0, m0, params.max_copy_number)
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
    ll, c, m, f = _simplest_state(options, c0, params.state_tolerance)
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
