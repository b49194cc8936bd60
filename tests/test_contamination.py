"""Contamination: the likelihood fit recovers planted foreign-DNA fractions."""

from __future__ import annotations

import numpy as np
import pytest
from ipscqc.contamination import (
    contamination_metrics,
    fit_contamination,
    population_frequency,
)


def _mixture(rng, sites, fraction, depth=30, error=0.002):
    """Reads of a sample mixed with a fraction of another person's DNA."""
    freq = rng.uniform(0.05, 0.5, sites)
    own = rng.binomial(1, freq) + rng.binomial(1, freq)
    other = rng.binomial(1, freq) + rng.binomial(1, freq)
    true_alt = (1 - fraction) * own / 2 + fraction * other / 2
    p = error + (1 - 2 * error) * true_alt
    reads = rng.poisson(depth, sites)
    alt = rng.binomial(reads, p)
    return own, other, freq, reads - alt, alt


@pytest.mark.parametrize("fraction", [0.0, 0.02, 0.05, 0.1, 0.3])
def test_fit_recovers_a_known_source(fraction):
    rng = np.random.default_rng(int(fraction * 1000))
    own, other, _, ref, alt = _mixture(rng, 20_000, fraction)
    hom = own != 1
    fit = fit_contamination(ref[hom], alt[hom], own[hom], other[hom] / 2)
    assert fit["fraction"] == pytest.approx(fraction, abs=0.005)
    assert fit["error_rate"] == pytest.approx(0.002, abs=0.001)
    if fraction >= 0.02:
        assert fit["log_likelihood_ratio"] > 10


def test_fit_with_population_frequency_of_an_unknown_source():
    rng = np.random.default_rng(7)
    own, _, freq, ref, alt = _mixture(rng, 30_000, 0.08)
    hom = own != 1
    fit = fit_contamination(ref[hom], alt[hom], own[hom], freq[hom])
    assert fit["fraction"] == pytest.approx(0.08, abs=0.01)


def test_fit_without_informative_sites_is_unknown():
    fit = fit_contamination(np.array([10]), np.array([0]), np.array([0]), np.array([0.0]))
    assert fit["fraction"] is None
    assert fit["sites"] == 1


def test_population_frequency_ignores_missing_calls():
    gt = np.array([[0, 2], [1, -1], [-1, -1]])
    freq = population_frequency(gt)
    assert freq[0] == pytest.approx(0.5)
    assert freq[1] == pytest.approx(0.5)
    assert np.isnan(freq[2])


def test_metrics_against_the_parental_name_the_source():
    rng = np.random.default_rng(11)
    own, other, _, ref, alt = _mixture(rng, 20_000, 0.1)
    depth = ref + alt
    # the line's own calls: a het-looking site from contamination stays in because
    # the homozygous sites come from the parental
    line_gt = np.where(alt / np.maximum(depth, 1) > 0.2, 1, own)
    third = rng.binomial(2, 0.3, own.size)
    metrics, items, notes = contamination_metrics(
        ref, alt, line_gt, depth, own, np.full(own.size, 30),
        {"D2_parental": other, "D3_parental": third},
        min_depth=10, min_sites=100,
    )  # fmt: skip
    assert metrics["contamination_fraction"] == pytest.approx(0.1, abs=0.01)
    assert metrics["contamination_source"] == "D2_parental"
    assert metrics["sites_used"] > 10_000
    assert {item["source"] for item in items} == {"D2_parental", "D3_parental", "population"}


def test_clean_sample_is_near_zero_and_names_no_source():
    rng = np.random.default_rng(12)
    own, other, _, ref, alt = _mixture(rng, 10_000, 0.0)
    metrics, _, _ = contamination_metrics(
        ref, alt, own, ref + alt, None, None, {"other": other},
        min_depth=10, min_sites=100,
    )  # fmt: skip
    assert metrics["contamination_fraction"] < 0.005
    assert metrics["contamination_source"] is None


def test_too_few_sites_is_inconclusive():
    rng = np.random.default_rng(13)
    own, other, _, ref, alt = _mixture(rng, 50, 0.0)
    metrics, _, notes = contamination_metrics(
        ref, alt, own, ref + alt, None, None, {"other": other},
        min_depth=10, min_sites=1000,
    )  # fmt: skip
    assert metrics["contamination_fraction"] is None
    assert any("inconclusive" in note for note in notes)


def test_heterozygous_sites_miscalled_homozygous_do_not_look_like_contamination():
    rng = np.random.default_rng(21)
    own, other, _, ref, alt = _mixture(rng, 20_000, 0.0)
    # the reference calls say homozygous at 5% of real hets (a low-depth parental)
    called = own.copy()
    hets = np.flatnonzero(own == 1)
    miscalled = rng.choice(hets, size=int(0.05 * (own != 1).sum()), replace=False)
    called[miscalled] = 0
    hom = called != 1
    fit = fit_contamination(ref[hom], alt[hom], called[hom], other[hom] / 2)
    assert fit["fraction"] < 0.005
    assert fit["outlier_fraction"] == pytest.approx(0.05, abs=0.01)


def test_a_single_other_individual_is_named_as_the_source():
    rng = np.random.default_rng(14)
    own, other, _, ref, alt = _mixture(rng, 10_000, 0.1)
    metrics, _, _ = contamination_metrics(
        ref, alt, own, ref + alt, own, ref + alt, {"D2_parental": other},
        min_depth=10, min_sites=100,
    )  # fmt: skip
    assert metrics["contamination_fraction"] == pytest.approx(0.1, abs=0.01)
    assert metrics["contamination_source"] == "D2_parental"


def test_findings_of_the_check_place_sites_in_adequacy():
    from ipscqc.checks.contamination import (
        SPEC,
        ContaminationInputs,
        SampleCounts,
        analyse,
    )
    from ipscqc.contract import config_defaults, validation_problems

    rng = np.random.default_rng(2)
    n = 2000
    gt = rng.choice([0, 2], n)
    depth = np.full(n, 30)
    alt = np.where(gt == 2, depth, 0)
    counts = SampleCounts(depth - alt, alt, gt)
    result = analyse(
        ContaminationInputs("L1", None, counts, None, {}), config_defaults("contamination")
    )
    assert validation_problems(result.document(), SPEC) == []
    assert result.adequacy == {"sites_used": n, "min_sites": 100}
    assert result.metrics["contamination_fraction"] < 0.005
