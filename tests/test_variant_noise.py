"""The run's noise model measured from a simulated donor table with planted error
rates and overdispersion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.variants import beta_binomial as bb
from ipscqc.variants.noise import ErrorRates, NoiseModel, estimate_noise, measure_error_rates
from ipscqc.variants.settings import VariantSettings

SETTINGS = VariantSettings()


def _donor_table(seed=4, het=3000, hom_snv=3000, hom_repeat=800, trisomy_fraction=0.0):
    """Germline het SNVs (beta-binomial, rho 0.02, mean 0.48 in both samples) and
    hom-alt SNVs / long-repeat indels whose ref reads are errors at 0.002 / 0.02."""
    rng = np.random.default_rng(seed)
    rows = []
    depth_l, depth_p = rng.poisson(35, het) + 5, rng.poisson(30, het) + 5
    line_mean = np.where(rng.random(het) < trisomy_fraction, 1 / 3, 0.48)
    rows.append(
        pd.DataFrame(
            {
                "context": "snv",
                "line_depth": depth_l,
                "line_alt": bb.sample(depth_l, line_mean, 0.02, rng),
                "parental_depth": depth_p,
                "parental_alt": bb.sample(depth_p, 0.48, 0.02, rng),
            }
        )
    )
    for context, count, rate in (("snv", hom_snv, 0.002), ("indel_long_repeat", hom_repeat, 0.02)):
        d_l, d_p = rng.poisson(35, count) + 5, rng.poisson(30, count) + 5
        rows.append(
            pd.DataFrame(
                {
                    "context": context,
                    "line_depth": d_l,
                    "line_alt": d_l - rng.binomial(d_l, rate),
                    "parental_depth": d_p,
                    "parental_alt": d_p - rng.binomial(d_p, rate),
                }
            )
        )
    table = pd.concat(rows, ignore_index=True)
    table["line_ref"] = table["line_depth"] - table["line_alt"]
    table["parental_ref"] = table["parental_depth"] - table["parental_alt"]
    return table


def test_error_rates_measured_at_homozygous_alt_sites():
    table = _donor_table()
    rates, estimates = measure_error_rates(table, "line", SETTINGS, "parental")
    by_context = {e.context: e for e in estimates}
    # the 95% upper bound: a little above the planted rate, never below it by much
    assert 0.0019 < rates.snv < 0.0025
    assert 0.018 < rates.indel_long_repeat < 0.024
    assert by_context["snv"].source == "measured" and by_context["snv"].sites > 2500
    # no hom-alt plain indels in the table: the configured default, with the reason
    assert by_context["indel"].source == "default"
    assert rates.indel == SETTINGS.indel_error_rate
    assert "fewer than" in by_context["indel"].reason


def test_noise_model_of_a_paired_line():
    model, provenance = estimate_noise(_donor_table(trisomy_fraction=0.1), SETTINGS)
    # the parental's het sites, selected by the line: rho and reference bias recovered
    # even though a tenth of the line's het sites sit in a trisomy (fraction 1/3)
    assert model.parental_rho == pytest.approx(0.02, rel=0.25)
    assert model.het_mean == pytest.approx(0.48, abs=0.01)
    assert model.parental_error.snv == pytest.approx(0.002, rel=0.25)
    assert provenance["overdispersion"]["parental"]["source"] == "estimated"
    # no het indel sites: indels use the SNV overdispersion
    assert model.rho("parental", np.array(["indel_repeat"]))[0] == model.parental_rho


def test_line_only_noise_model_uses_the_default_overdispersion():
    model, provenance = estimate_noise(_donor_table(), SETTINGS, paired=False)
    assert model.line_rho == SETTINGS.overdispersion_default
    assert provenance["overdispersion"]["line"]["source"] == "default"
    assert 0.0015 < model.line_error.snv < 0.0025


def test_rates_of_contexts_and_default_model():
    rates = ErrorRates(0.001, 0.002, 0.005, 0.02)
    contexts = np.array(["snv", "indel_repeat", "unknown", "indel_long_repeat"], dtype=object)
    assert rates.of(contexts).tolist() == [0.001, 0.005, 0.001, 0.02]
    default = NoiseModel.default(SETTINGS)
    assert default.line_error.snv == SETTINGS.snv_error_rate
    assert default.parental_rho == SETTINGS.overdispersion_default
