"""The detection limit of the whole decision: equal to a brute-force sum over every
outcome, equal to simulation, at one depth and over varying depths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.variants.limit import (
    depth_bins,
    detection_limit,
    detection_limit_over_depths,
    power,
    power_over_depths,
    site_detection_limits,
)
from ipscqc.variants.noise import NoiseModel
from ipscqc.variants.origin import classify_origin
from ipscqc.variants.settings import VariantSettings
from scipy import stats

SETTINGS = VariantSettings()
NOISE = NoiseModel.default(SETTINGS)


def _site_table(k, f, r, j, line_depth, parental_depth):
    return pd.DataFrame(
        {
            "line_alt": k,
            "line_ref": line_depth - k,
            "line_depth": line_depth,
            "line_alt_fwd": f,
            "line_alt_rev": k - f,
            "line_ref_fwd": r,
            "line_ref_rev": line_depth - k - r,
            "parental_alt": j,
            "parental_ref": parental_depth - j,
            "parental_depth": parental_depth,
            "context": "snv",
            "hotspot": "",
        }
    )


def test_power_equals_the_sum_over_every_outcome():
    n, m = 20, 14
    grid = [
        (k, f, r, j)
        for k in range(n + 1)
        for f in range(k + 1)
        for r in range(n - k + 1)
        for j in range(m + 1)
    ]
    k, f, r, j = (np.array(column) for column in zip(*grid, strict=True))
    acquired = classify_origin(_site_table(k, f, r, j, n, m), SETTINGS, NOISE)["class"]
    e = NOISE.line_error.snv
    rho = NOISE.line_rho
    scale = (1 - rho) / rho
    for af in (0.2, 0.35, 0.5):
        p_alt = af * (1 - e) + (1 - af) * e
        weight = (
            stats.betabinom.pmf(k, n, p_alt * scale, (1 - p_alt) * scale)
            * stats.binom.pmf(f, k, 0.5)
            * stats.binom.pmf(r, n - k, 0.5)
            * stats.binom.pmf(j, m, NOISE.parental_error.snv)
        )
        expected = float((weight * (acquired == "acquired")).sum())
        assert expected > 0.05
        assert power(af, n, m, SETTINGS) == pytest.approx(expected, abs=1e-6)


def test_limit_agrees_with_simulated_sensitivity():
    rng = np.random.default_rng(21)
    n, m, sites = 60, 30, 4000
    limit = detection_limit(n, m, SETTINGS)
    assert limit is not None
    rho, e = NOISE.line_rho, NOISE.line_error.snv
    for af in (limit - 0.05, limit):
        p_alt = af * (1 - e) + (1 - af) * e
        fraction = rng.beta(p_alt * (1 - rho) / rho, (1 - p_alt) * (1 - rho) / rho, sites)
        k = rng.binomial(n, fraction)
        f = rng.binomial(k, 0.5)
        r = rng.binomial(n - k, 0.5)
        j = rng.binomial(m, NOISE.parental_error.snv, sites)
        classes = classify_origin(_site_table(k, f, r, j, n, m), SETTINGS, NOISE)["class"]
        observed = float((classes == "acquired").mean())
        assert observed == pytest.approx(power(af, n, m, SETTINGS), abs=0.025)
    assert power(limit, n, m, SETTINGS) >= 0.8 > power(limit - 0.001, n, m, SETTINGS)


def test_a_ten_x_parental_cannot_exclude_a_germline_genotype():
    # 0 alt reads of 10 under the heterozygous beta-binomial, against error reads only
    rho, mean, e = NOISE.parental_rho, NOISE.het_mean, NOISE.parental_error.snv
    scale = (1 - rho) / rho
    ratio = stats.betabinom.pmf(0, 10, mean * scale, (1 - mean) * scale) / (1 - e) ** 10
    assert ratio > SETTINGS.max_germline_lr
    assert detection_limit(30, 10, SETTINGS) is None
    assert power(0.5, 30, 10, SETTINGS) == 0.0
    assert detection_limit(30, 14, SETTINGS) is not None


def test_limits_fall_with_depth_and_hotspots_are_not_above_genome_wide():
    limits = [detection_limit(n, 30, SETTINGS) for n in (30, 60, 100)]
    assert limits[0] > limits[1] > limits[2]
    hotspot = detection_limit(30, 30, SETTINGS, hotspot=True)
    assert hotspot <= limits[0]
    assert detection_limit(0, 30, SETTINGS) is None


def test_line_only_power_is_the_line_test_and_strand_rule():
    # without a parental only the line's evidence counts: more power than paired
    assert power(0.15, 60, None, SETTINGS) > power(0.15, 60, 30, SETTINGS)
    limit = detection_limit(60, None, SETTINGS)
    assert limit is not None and limit < detection_limit(60, 30, SETTINGS)


def test_limits_at_each_site_share_one_computation_per_depth():
    sites = pd.DataFrame(
        {
            "line_depth": [30, 30, 0, 30],
            "parental_depth": [30, 30, 30, 10],
            "hotspot": ["TP53 R175H", "TP53 R248W", "TP53 R273H", ""],
        }
    )
    limits = site_detection_limits(sites, SETTINGS)
    hotspot = detection_limit(30, 30, SETTINGS, hotspot=True)
    assert limits.iloc[0] == limits.iloc[1] == hotspot
    assert np.isnan(limits.iloc[2]) and np.isnan(limits.iloc[3])  # no depth; 10x parental


def test_limit_over_varying_depths_matches_simulation_with_those_depths():
    rng = np.random.default_rng(8)
    line_bins = depth_bins([40, 60], bins=2)
    parental_bins = depth_bins([18, 32, 32, 18], bins=2)
    assert parental_bins == [(18, 0.5), (32, 0.5)]
    single = detection_limit_over_depths([(50, 1.0)], [(25, 1.0)], SETTINGS)
    assert single == detection_limit(50, 25, SETTINGS)
    limit = detection_limit_over_depths(line_bins, parental_bins, SETTINGS)
    # sites drawn from the same depths: sensitivity = the averaged power
    sites = 6000
    n = rng.choice([40, 60], sites)
    m = rng.choice([18, 32], sites)
    rho, e = NOISE.line_rho, NOISE.line_error.snv
    p_alt = limit * (1 - e) + (1 - limit) * e
    k = rng.binomial(n, rng.beta(p_alt * (1 - rho) / rho, (1 - p_alt) * (1 - rho) / rho, sites))
    f, r = rng.binomial(k, 0.5), rng.binomial(n - k, 0.5)
    j = rng.binomial(m, NOISE.parental_error.snv)
    table = _site_table(k, f, r, j, n, m)
    observed = float((classify_origin(table, SETTINGS, NOISE)["class"] == "acquired").mean())
    expected = power_over_depths(limit, line_bins, parental_bins, SETTINGS)
    assert expected >= 0.8
    assert observed == pytest.approx(expected, abs=0.02)
