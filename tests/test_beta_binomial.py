"""Beta-binomial distribution functions and the robust overdispersion estimate, checked
against scipy's reference implementation and against counts simulated with a known rho."""

from __future__ import annotations

import numpy as np
import pytest
from ipscqc.variants import beta_binomial as bb
from scipy import stats


def _scipy_shapes(mean, rho):
    scale = (1 - rho) / rho
    return mean * scale, (1 - mean) * scale


@pytest.mark.parametrize("rho", [0.001, 0.02, 0.3])
def test_tails_match_scipy(rho):
    rng = np.random.default_rng(3)
    n = rng.integers(1, 60, 300)
    mean = rng.uniform(0.01, 0.99, 300)
    k = rng.integers(-1, 62, 300)
    a, b = _scipy_shapes(mean, rho)
    np.testing.assert_allclose(bb.cdf(k, n, mean, rho), stats.betabinom.cdf(k, n, a, b), atol=1e-11)
    np.testing.assert_allclose(
        bb.sf(k, n, mean, rho), stats.betabinom.sf(k - 1, n, a, b), atol=1e-11
    )
    inside = (k >= 0) & (k <= n)
    np.testing.assert_allclose(
        bb.logpmf(k, n, mean, rho)[inside], stats.betabinom.logpmf(k, n, a, b)[inside], rtol=1e-9
    )


def test_rho_zero_is_the_binomial_and_small_tails_keep_precision():
    assert bb.cdf(3, 40, 0.5, 0.0) == pytest.approx(stats.binom.cdf(3, 40, 0.5), rel=1e-12)
    # 0 of 1000 reads at a heterozygous site: 2^-1000 scaled by overdispersion, not 0
    tiny = bb.cdf(0, 1000, 0.5, 0.01)
    a, b = _scipy_shapes(0.5, 0.01)
    assert tiny == pytest.approx(stats.betabinom.pmf(0, 1000, a, b), rel=1e-9)
    assert 0 < tiny < 1e-50
    # overdispersion widens the tail: 3 of 40 at a het site is far less surprising
    assert bb.cdf(3, 40, 0.5, 0.02) > 100 * bb.cdf(3, 40, 0.5, 0.0)


def test_many_repeated_inputs_give_the_same_values_as_one_by_one():
    rng = np.random.default_rng(5)
    n = rng.choice([20, 30, 40], 5000)
    k = rng.integers(0, 10, 5000)
    values = bb.cdf(k, n, 0.5, 0.01)  # deduplicated path
    single = np.array([bb.cdf(kk, nn, 0.5, 0.01) for kk, nn in zip(k[:50], n[:50], strict=True)])
    np.testing.assert_allclose(values[:50], single.ravel(), rtol=1e-12)


@pytest.mark.parametrize("rho", [0.005, 0.02, 0.06])
def test_estimate_recovers_known_overdispersion(rho):
    rng = np.random.default_rng(int(rho * 1000))
    depth = rng.poisson(40, 3000) + 5
    alt = bb.sample(depth, 0.5, rho, rng)
    fit = bb.estimate_overdispersion(alt, depth, floor=1e-4, default=0.01)
    assert fit.source == "estimated"
    assert fit.rho == pytest.approx(rho, rel=0.25)
    assert fit.mean == pytest.approx(0.5, abs=0.01)


def test_estimate_is_robust_to_sites_that_are_not_heterozygous():
    rng = np.random.default_rng(11)
    depth = rng.poisson(35, 3000) + 5
    alt = bb.sample(depth, 0.48, 0.01, rng)  # reference bias: mean 0.48
    # 8% of the selected sites are not heterozygous: mosaic (5%) or homozygous alt
    outliers = rng.random(3000) < 0.08
    alt[outliers] = np.where(
        rng.random(outliers.sum()) < 0.5,
        rng.binomial(depth[outliers], 0.05),
        depth[outliers],
    )
    naive_excess = np.var(alt / depth) - np.mean(0.48 * 0.52 / depth)
    fit = bb.estimate_overdispersion(alt, depth, floor=1e-4, default=0.01)
    assert naive_excess / 0.25 > 0.05  # a moment estimate would give rho > 0.05
    assert fit.rho == pytest.approx(0.01, rel=0.3)
    assert fit.mean == pytest.approx(0.48, abs=0.01)
    assert fit.outside_fraction == pytest.approx(0.08, abs=0.03)


def test_binomial_counts_give_the_floor_and_few_sites_the_default():
    rng = np.random.default_rng(2)
    depth = np.full(3000, 30)
    fit = bb.estimate_overdispersion(rng.binomial(depth, 0.5), depth, floor=1e-3, default=0.01)
    assert (fit.rho, fit.source) == (1e-3, "floor")
    few = bb.estimate_overdispersion([5, 6], [10, 12], floor=1e-4, default=0.008, min_sites=50)
    assert (few.rho, few.source) == (0.008, "default")
    assert "2 heterozygous sites" in few.reason
