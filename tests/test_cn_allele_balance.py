"""Allele balance: site selection, overdispersion and the paired model, on hand-built counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.copynumber.allele_balance import (
    AlleleBalanceTable,
    estimate_overdispersion,
    fit_allele_balance_model,
    line_only_baf_log_likelihood,
    paired_baf_log_likelihood,
)
from ipscqc.copynumber.model import baf_log_likelihood, expected_major_baf, fit_segment
from ipscqc.copynumber.params import Params, SiteSettings
from ipscqc.copynumber.sites import baf_sites, select_baf_sites
from ipscqc.readers.vcf import read_het_site_counts

CANDIDATES = np.array([0.5, 0.6, 0.75, 0.9, 0.99])


def test_site_selection_keeps_balanced_confident_hets_only():
    #                 ok  AB .2  AB .8  GQ 10  shallow  deep   line shallow  no AD  GQ NaN
    parental_ref = np.array([15, 24, 6, 15, 4, 80, 15, -1, 15])
    parental_alt = np.array([15, 6, 24, 15, 4, 80, 15, 10, 15])
    parental_gq = np.array([60, 60, 60, 10, 60, 60, 60, 60, np.nan])
    line_ref = np.array([15, 15, 15, 15, 15, 15, 3, 15, 15])
    line_alt = np.array([15, 15, 15, 15, 15, 15, 3, 15, 15])
    selection = select_baf_sites(
        parental_ref, parental_alt, parental_gq, line_ref, line_alt, SiteSettings()
    )
    assert selection.keep.tolist() == [True] + [False] * 8
    assert selection.removed["allele_balance"] == 2
    assert selection.removed["genotype_quality"] == 2
    assert selection.removed["parental_depth_low"] == 1
    assert selection.removed["parental_depth_high"] == 1  # 160 reads vs a median of 30
    assert selection.removed["line_depth_low"] == 1
    assert selection.removed["missing_counts"] == 1


def test_line_only_selection_does_not_filter_the_lines_own_imbalance():
    ref, alt = np.array([3, 15]), np.array([27, 15])  # a cnLOH-like 0.9 and a 0.5 site
    kept = select_baf_sites(ref, alt, None, ref, alt, SiteSettings(), allele_balance_filter=False)
    assert kept.keep.tolist() == [True, True]
    assert kept.removed["genotype_quality"] is None  # no GQ in the VCF: not applied


def _paralog_counts(rng, sites=200, depth=40, fraction=0.25):
    n = np.full(sites, depth)
    return rng.binomial(n, fraction), n, rng.binomial(n, fraction), n


def test_paralogous_site_at_a_quarter_in_both_samples_gives_no_imbalance_evidence():
    rng = np.random.default_rng(0)
    alt, depth, parental_alt, parental_depth = _paralog_counts(rng)
    paired = paired_baf_log_likelihood(alt, depth, CANDIDATES, parental_alt, parental_depth, 0.005)
    assert np.argmax(paired) == 0  # balance (0.5) explains the line best
    assert (paired[1:] - paired[0] < 0).all()
    # the same counts against 0.5 (binomial of copy_number, or line-only) look like LOH
    binomial = baf_log_likelihood(alt, depth, CANDIDATES)
    line_only = line_only_baf_log_likelihood(alt, depth, CANDIDATES, 0.005)
    assert binomial.max() - binomial[0] > 100
    assert line_only.max() - line_only[0] > 100


def test_true_cnloh_against_a_balanced_parental_is_strong_evidence():
    rng = np.random.default_rng(1)
    n = np.full(200, 40)
    alt = np.where(rng.random(200) < 0.5, rng.binomial(n, 0.9), rng.binomial(n, 0.1))
    parental_alt = rng.binomial(n, 0.5)
    ll = paired_baf_log_likelihood(alt, n, CANDIDATES, parental_alt, n, 0.005)
    assert CANDIDATES[np.argmax(ll)] == 0.9
    assert ll[3] - ll[0] > 500


def test_paired_segment_fit_calls_cnloh_but_not_a_paralogous_stretch():
    rng = np.random.default_rng(2)
    params = Params()
    n = np.full(300, 35)
    parental_alt = rng.binomial(n, 0.5)
    alt = np.where(rng.random(300) < 0.5, rng.binomial(n, 0.9), rng.binomial(n, 0.1))
    table = AlleleBalanceTable.build(alt, n, 0.005, parental_alt, n)
    fit = fit_segment(0.0, 0.02, alt, n, 2, 1, params, allele_likelihood=table.segment(0, 300))
    assert (fit["copy_number"], fit["major_copies"]) == (2, 2)
    assert fit["mosaic_fraction"] == pytest.approx(0.8, abs=0.05)
    assert fit["llr"] > params.min_llr

    alt, n, parental_alt, _ = _paralog_counts(rng, sites=300, depth=35)
    table = AlleleBalanceTable.build(alt, n, 0.005, parental_alt, n)
    fit = fit_segment(0.0, 0.02, alt, n, 2, 1, params, allele_likelihood=table.segment(0, 300))
    assert fit["llr"] < params.min_llr  # no call
    binomial = fit_segment(0.0, 0.02, alt, n, 2, 1, params)
    assert binomial["llr"] > 100  # the binomial model against 0.5 calls a false cnLOH


def _beta_binomial(rng, n, p, rho):
    s = (1 - rho) / rho
    return rng.binomial(n, rng.beta(p * s, (1 - p) * s, len(n)))


@pytest.mark.parametrize("rho", [0.01, 0.03, 0.08])
def test_overdispersion_is_recovered_from_beta_binomial_counts(rho):
    rng = np.random.default_rng(3)
    n = rng.poisson(35, 8000) + 5
    parental_n = rng.poisson(30, 8000) + 5
    # sites with their own bias (0.4-0.6) shared by both samples: the paired estimate
    # must not take that bias for overdispersion
    bias = rng.uniform(0.4, 0.6, 8000)
    alt = _beta_binomial(rng, n, bias, rho)
    parental_alt = _beta_binomial(rng, parental_n, bias, rho)
    paired = estimate_overdispersion(alt, n, parental_alt, parental_n)
    assert paired == pytest.approx(rho, rel=0.3)
    line_only = estimate_overdispersion(_beta_binomial(rng, n, 0.5, rho), n)
    assert line_only == pytest.approx(rho, rel=0.3)


def test_overdispersion_is_floored_for_binomial_counts_and_robust_to_an_event():
    rng = np.random.default_rng(4)
    n = np.full(6000, 40)
    alt = rng.binomial(n, 0.5)
    assert estimate_overdispersion(alt, n, rng.binomial(n, 0.5), n) <= 0.004
    # a cnLOH over a third of the sites barely moves the median-based estimate
    lost = np.arange(6000) < 2000
    alt[lost] = rng.binomial(40, 0.9, lost.sum())
    assert estimate_overdispersion(alt, n, rng.binomial(n, 0.5), n) < 0.02
    assert estimate_overdispersion(alt[:20], n[:20]) == SiteSettings().overdispersion_floor


def test_table_agrees_with_the_direct_likelihood():
    rng = np.random.default_rng(5)
    n = rng.poisson(30, 3000) + 8
    major = float(expected_major_baf(2, 2, 0.6, 2, 1))  # cnLOH in 60% of cells: 0.8
    alt = np.where(rng.random(3000) < 0.5, rng.binomial(n, major), rng.binomial(n, 1 - major))
    parental_n = rng.poisson(30, 3000) + 8
    parental_alt = rng.binomial(parental_n, 0.5)
    table = AlleleBalanceTable.build(alt, n, 0.01, parental_alt, parental_n)
    candidates = np.linspace(0.5, 0.99, 97)
    direct = paired_baf_log_likelihood(alt, n, candidates, parental_alt, parental_n, 0.01)
    near_peak = direct > direct.max() - 100
    assert np.abs(table.segment(0, 3000)(candidates) - direct)[near_peak].max() < 0.1
    half = paired_baf_log_likelihood(
        alt[1000:2500], n[1000:2500], candidates, parental_alt[1000:2500], parental_n[1000:2500],
        0.01,
    )  # fmt: skip
    assert table.segment(1000, 2500)(candidates) == pytest.approx(half, abs=0.5)


def test_model_is_paired_when_the_sites_carry_the_parentals_counts():
    rng = np.random.default_rng(6)
    n = np.full(500, 30)
    sites = pd.DataFrame({"alt_count": rng.binomial(n, 0.5), "depth": n})
    assert not fit_allele_balance_model(sites).paired
    sites["parental_alt_count"] = rng.binomial(n, 0.5)
    sites["parental_depth"] = n
    model = fit_allele_balance_model(sites)
    assert model.paired
    assert model.overdispersion == SiteSettings().overdispersion_floor


def test_reader_and_baf_sites_keep_the_parentals_counts_and_gq(tmp_path):
    import pysam

    header = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=100000>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP1\tL1",
    ]
    records = [
        "chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:GQ\t0/1:15,15:60\t0/1:3,27:50",  # cnLOH-like
        "chr1\t200\t.\tC\tT\t50\tPASS\t.\tGT:AD:GQ\t0/1:24,8:60\t0/1:22,8:60",  # paralog 0.25
        "chr1\t300\t.\tG\tA\t50\tPASS\t.\tGT:AD:GQ\t0/1:15,15:9\t0/1:15,15:60",  # low GQ
        "chr1\t400\t.\tG\tA\t50\tPASS\t.\tGT:AD:GQ\t0/0:30,0:60\t0/1:15,15:60",  # parental hom
    ]
    path = tmp_path / "d.vcf"
    path.write_text("\n".join(header + records) + "\n")
    vcf = pysam.tabix_index(str(path), preset="vcf", force=True)
    counts = read_het_site_counts(vcf, "L1", "P1", ["chr1"], 20.0)
    assert counts["pos"].tolist() == [99, 199, 299]
    assert counts["parental_gq"].tolist() == [60, 60, 9]
    sites, het_calls, removed = baf_sites(counts, SiteSettings(min_het_depth=10), paired=True)
    assert sites["pos"].tolist() == [99]  # the 0.25 site fails the band, the GQ 9 site GQ20
    assert sites[
        ["alt_count", "depth", "parental_alt_count", "parental_depth"]
    ].values.tolist() == [[27, 30, 15, 30]]
    assert removed["allele_balance"] == 1 and removed["genotype_quality"] == 1
    assert het_calls["pos"].tolist() == [99, 199, 299]  # every het call, for the masks


def test_a_shallow_balanced_parental_does_not_cost_the_paired_model_its_power():
    """Parental at 20x, line at 45x with a gain-like 0.6/0.4 imbalance: the parental's
    counts are consistent with balance, so the mixture posterior scores the line against
    about 0.5 and keeps nearly the evidence of the line-only model; the strict variant
    (each site against the parental's own noisy fraction) loses much of it."""
    rng = np.random.default_rng(7)
    n = np.full(400, 45)
    parental_n = np.full(400, 20)
    alt = np.where(rng.random(400) < 0.5, rng.binomial(n, 0.6), rng.binomial(n, 0.4))
    parental_alt = rng.binomial(parental_n, 0.5)
    candidates = np.array([0.5, 0.6])

    def evidence(values):
        return values[1] - values[0]

    mixture = evidence(
        paired_baf_log_likelihood(alt, n, candidates, parental_alt, parental_n, 0.005)
    )
    strict = evidence(
        paired_baf_log_likelihood(alt, n, candidates, parental_alt, parental_n, 0.005, 1.0)
    )
    line_only = evidence(line_only_baf_log_likelihood(alt, n, candidates, 0.005))
    assert mixture > 0.8 * line_only > 0
    assert strict < 0.6 * mixture
