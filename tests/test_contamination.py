"""Contamination with one donor in the run: the model's arithmetic, and planted
fractions recovered from simulated read counts (the contaminant is not in the run)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from ipscqc.checks.contamination import SPEC, ContaminationInputs, SampleCounts, analyse
from ipscqc.contamination.estimate import (
    ContaminationSettings,
    contamination_values,
    contamination_with_sources,
    estimate_contamination,
)
from ipscqc.contamination.model import (
    GRADIENT_PARAMETERS,
    Parameters,
    SiteFrequencies,
    count_table,
    log_likelihood,
    log_likelihood_and_gradient,
    spectrum_joint,
)

ONE_DONOR = ContaminationSettings(site_selection="donor_variants", donors_in_site_list=1)
TWO_DONORS = ContaminationSettings(site_selection="donor_variants", donors_in_site_list=2)


def _frequencies(rng, n):
    """Neutral spectrum: density proportional to 1/f on [0.001, 1)."""
    return 0.001 ** (1.0 - rng.random(n))


def _genotypes(rng, freq):
    return rng.binomial(1, freq) + rng.binomial(1, freq)


def _reads(rng, own, foreign, fraction, depth=30, error=0.002):
    n = rng.poisson(depth, own.size)
    p = error + (1 - 2 * error) * ((1 - fraction) * own / 2 + fraction * foreign / 2)
    alt = rng.binomial(n, p)
    return n - alt, alt


def _own_sites(rng, sites, people=2, listed_by=1):
    """Genotypes of ``people`` individuals at sites where one of the first
    ``listed_by`` is not hom-ref (the run's own variant calls)."""
    freq = _frequencies(rng, sites * 30)
    everyone = [_genotypes(rng, freq) for _ in range(people)]
    listed = np.zeros(freq.size, bool)
    for person in everyone[:listed_by]:
        listed |= person > 0
    chosen = np.flatnonzero(listed)[:sites]
    return freq[chosen], [person[chosen] for person in everyone]


# ------------------------------------------------------------------ the model by hand


def test_spectrum_joint_for_uniform_frequencies_by_hand():
    # f uniform (Beta(1, 1)), population list: P(g, h) = E[HWE_g(f) HWE_h(f)]
    joint = np.exp(spectrum_joint(1.0, 1.0, "population", 1))
    assert joint.sum() == pytest.approx(1.0)
    assert joint[0, 0] == pytest.approx(1 / 5)  # E[(1-f)^4]
    assert joint[1, 1] == pytest.approx(2 / 15)  # 4 E[f^2 (1-f)^2] = 4 * 2! 2! / 5!
    assert joint[0, 2] == pytest.approx(1 / 30)  # E[f^2 (1-f)^2]
    # the variants of one donor: that donor is never hom-ref at a listed site
    own = np.exp(spectrum_joint(1.0, 1.0, "donor_variants", 1))
    assert own[0].sum() == 0.0
    # hom-alt sites of the donor: P(h | g = 2) = E[f^2 HWE_h] / E[f^2], E[f^2] = 1/3
    conditional = own[2] / own[2].sum()
    assert conditional == pytest.approx([3 * (1 / 30), 3 * 2 * (1 / 20), 3 * (1 / 5)])


def test_read_probability_by_hand():
    from ipscqc.contamination.model import alt_probability

    p = alt_probability(Parameters(fraction=0.1, error=0.0, het_balance=0.5))
    assert p[0, 2] == pytest.approx(0.1)  # hom-ref donor, hom-alt contaminant
    assert p[2, 0] == pytest.approx(0.9)
    assert p[1, 0] == pytest.approx(0.45)  # a het shifts by c/2
    assert p[1, 2] == pytest.approx(0.55)
    assert p[0, 0] == 0.0
    e = alt_probability(Parameters(fraction=0.0, error=0.01))
    assert e[0, 0] == pytest.approx(0.01) and e[2, 2] == pytest.approx(0.99)


@pytest.mark.parametrize("kind", ["spectrum", "per_site", "named"])
def test_gradient_matches_finite_differences(kind):
    rng = np.random.default_rng(1)
    freq, (donor, other) = _own_sites(rng, 2000)
    ref, alt = _reads(rng, donor, other, 0.05)
    values = {"spectrum": None, "per_site": freq, "named": other}[kind]
    frequencies = SiteFrequencies(kind, values, "donor_variants", 2)
    table = count_table(ref, alt, donor, frequencies, other=rng.binomial(ref + alt, 0.004))
    params = Parameters(0.03, 0.003, 0.48, 0.02, 0.01, 0.4, 1.2, 0.6, -0.4)
    value, gradient = log_likelihood_and_gradient(table, params)
    assert value == pytest.approx(log_likelihood(table, params), abs=1e-6)
    for name in GRADIENT_PARAMETERS:
        x = getattr(params, name)
        step = 1e-6 * abs(x)
        up = log_likelihood(table, replace(params, **{name: x + step}))
        down = log_likelihood(table, replace(params, **{name: x - step}))
        assert gradient[name] == pytest.approx((up - down) / (2 * step), rel=1e-3, abs=1e-3)


# ------------------------------------------------------------------ one donor in the run


@pytest.mark.parametrize("fraction", [0.0, 0.04, 0.1])
def test_one_donor_run_recovers_an_outside_contaminant(fraction):
    rng = np.random.default_rng(int(fraction * 1000) + 3)
    _, (donor, outsider) = _own_sites(rng, 20_000)
    ref, alt = _reads(rng, donor, outsider, fraction)
    estimate = estimate_contamination(ref, alt, donor, ONE_DONOR)
    assert estimate.reason is None
    assert estimate.fraction == pytest.approx(fraction, abs=0.01)
    assert estimate.lower <= fraction + 0.002 and estimate.upper >= fraction - 0.002
    assert estimate.source is None
    if fraction == 0.0:
        assert estimate.upper < 0.01


def test_line_only_run_uses_its_own_reads():
    rng = np.random.default_rng(8)
    _, (donor, outsider) = _own_sites(rng, 20_000)
    ref, alt = _reads(rng, donor, outsider, 0.04)
    estimate = estimate_contamination(ref, alt, None, ONE_DONOR)
    assert estimate.fraction == pytest.approx(0.04, abs=0.01)
    assert estimate.call_error is None


def test_sites_file_with_population_frequencies():
    rng = np.random.default_rng(9)
    freq = rng.uniform(0.12, 0.88, 15_000)  # the range somalier's find-sites keeps
    donor, outsider = _genotypes(rng, freq), _genotypes(rng, freq)
    ref, alt = _reads(rng, donor, outsider, 0.05)
    settings = ContaminationSettings(site_selection="population")
    estimate = estimate_contamination(ref, alt, donor, settings, population_af=freq)
    assert estimate.fraction == pytest.approx(0.05, abs=0.01)
    assert "INFO/AF" in estimate.method


def test_miscalled_parental_hets_do_not_look_like_contamination():
    rng = np.random.default_rng(21)
    _, (donor, outsider) = _own_sites(rng, 20_000)
    ref, alt = _reads(rng, donor, outsider, 0.0)
    called = donor.copy()
    hets = np.flatnonzero(donor == 1)
    called[rng.choice(hets, size=hets.size // 20, replace=False)] = 2  # 5% of hets
    estimate = estimate_contamination(ref, alt, called, ONE_DONOR)
    assert estimate.fraction < 0.005
    assert estimate.call_error == pytest.approx(0.05 * hets.size / donor.size, rel=0.3)


# ------------------------------------------------------------------ two donors


def test_two_donor_run_names_the_source_or_not():
    rng = np.random.default_rng(5)
    _, (donor, second, outsider) = _own_sites(rng, 20_000, people=3, listed_by=2)
    for contaminant, expected_source in ((second, "D2_parental"), (outsider, None)):
        ref, alt = _reads(rng, donor, contaminant, 0.04)
        reported, fits = contamination_with_sources(
            ref, alt, donor, {"D2_parental": second}, TWO_DONORS
        )
        assert reported.fraction == pytest.approx(0.04, abs=0.01)
        assert reported.source == expected_source
        assert [fit.source for fit in fits] == [None, "D2_parental"]


# ------------------------------------------------------------------ cannot be estimated


def test_too_few_sites_is_none_with_the_reason():
    rng = np.random.default_rng(13)
    _, (donor, outsider) = _own_sites(rng, 500)
    ref, alt = _reads(rng, donor, outsider, 0.1)
    estimate = estimate_contamination(ref, alt, donor, ONE_DONOR)
    assert estimate.fraction is None
    assert "only 500 sites" in estimate.reason


def test_only_heterozygous_sites_is_none():
    rng = np.random.default_rng(14)
    _, (donor, outsider) = _own_sites(rng, 20_000)
    hets = donor == 1
    ref, alt = _reads(rng, donor[hets], outsider[hets], 0.05)
    estimate = estimate_contamination(ref, alt, donor[hets], ONE_DONOR)
    assert estimate.fraction is None
    assert "homozygous" in estimate.reason


def test_shallow_data_give_none_rather_than_a_low_number():
    rng = np.random.default_rng(15)
    _, (donor, outsider) = _own_sites(rng, 1500)
    ref, alt = _reads(rng, donor, outsider, 0.04, depth=12)
    settings = replace(ONE_DONOR, min_sites=1000)
    estimate = estimate_contamination(ref, alt, donor, settings)
    # the fit ran, but its 95% interval is wider than +-1 point: no number
    assert estimate.fraction is None
    assert "wider than" in estimate.reason
    assert estimate.lower < 0.04 < estimate.upper


def test_findings_carry_the_interval_and_the_reason():
    rng = np.random.default_rng(16)
    _, (donor, outsider) = _own_sites(rng, 600)
    ref, alt = _reads(rng, donor, outsider, 0.04)
    reported, fits = contamination_with_sources(ref, alt, donor, {}, ONE_DONOR)
    values, items, notes = contamination_values(reported, fits, ONE_DONOR, "P1")
    assert values["contamination_fraction"] is None
    assert values["sites_used"] == 600
    assert any("only 600 sites" in note for note in notes)
    assert any("P1's calls" in note for note in notes)
    assert values["min_sites"] == 1000
    assert [item["source"] for item in items] == ["unknown person"]


# ------------------------------------------------------------------ the check


def _check(counts, donor_genotype, sources, **settings):
    from ipscqc.contract import config_defaults, validation_problems

    inputs = ContaminationInputs("L1", "P1", counts, donor_genotype, sources)
    result = analyse(inputs, {**config_defaults("contamination"), **settings})
    assert validation_problems(result.document(), SPEC) == []
    return result


def test_check_on_a_one_donor_run_at_the_toy_site_count():
    """2,000 sites (about the toy one-donor run's), 30x line, parental calls: a line
    with 4% of an outsider's DNA is estimated within 1 point, its interval above 2%."""
    rng = np.random.default_rng(41)
    _, (donor, outsider) = _own_sites(rng, 2000)
    ref, alt = _reads(rng, donor, outsider, 0.04)
    result = _check(SampleCounts(ref, alt, donor), donor, {})
    metrics = result.metrics
    assert metrics["contamination_fraction"] == pytest.approx(0.04, abs=0.01)
    assert metrics["contamination_fraction_lower"] > 0.02
    assert metrics["contamination_source"] is None
    assert result.adequacy["sites_used"] == 2000
    assert result.adequacy["interval_width"] <= 0.02
    assert any("P1's calls" in note for note in result.notes)


def test_check_names_a_sample_of_the_run_and_stays_near_zero_when_clean():
    rng = np.random.default_rng(42)
    _, (donor, second) = _own_sites(rng, 5000, people=2, listed_by=2)
    ref, alt = _reads(rng, donor, second, 0.05)
    named = _check(SampleCounts(ref, alt, donor), donor, {"D2_parental": second})
    assert named.metrics["contamination_fraction"] == pytest.approx(0.05, abs=0.01)
    assert named.metrics["contamination_source"] == "D2_parental"
    assert [item["reported"] for item in named.items] == [False, True]
    ref, alt = _reads(rng, donor, second, 0.0)
    clean = _check(SampleCounts(ref, alt, donor), donor, {"D2_parental": second})
    assert clean.metrics["contamination_fraction"] < 0.005
    assert clean.metrics["contamination_source"] is None


def test_check_with_too_few_sites_writes_null_and_the_reason():
    rng = np.random.default_rng(43)
    _, (donor, outsider) = _own_sites(rng, 300)
    ref, alt = _reads(rng, donor, outsider, 0.04)
    result = _check(SampleCounts(ref, alt, donor), donor, {})
    assert result.metrics["contamination_fraction"] is None
    assert result.metrics["contamination_fraction_lower"] is None
    assert any("only 300 sites" in note for note in result.notes)
