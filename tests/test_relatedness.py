"""Relatedness as somalier computes it (KING-robust), its duplicate rule, and what a
line carrying another person's cells does to it."""

from __future__ import annotations

import numpy as np
import pytest
from ipscqc.contamination.estimate import ContaminationSettings, estimate_contamination
from ipscqc.relatedness import RelatednessSettings, classify_pair, is_duplicate, king_robust

FEW_SITES = RelatednessSettings(min_sites=3)


def min_hets_ratio(a, b, depth_a, depth_b, min_depth):
    """The ratio somalier replaced: (shared hets - 2 IBS0) / min(hets_a, hets_b) over the
    sites called in both with enough depth."""
    called = (a >= 0) & (b >= 0) & (depth_a >= min_depth) & (depth_b >= min_depth)
    a, b = a[called], b[called]
    ibs0 = (((a == 0) & (b == 2)) | ((a == 2) & (b == 0))).sum()
    shared = ((a == 1) & (b == 1)).sum()
    return (shared - 2 * ibs0) / min((a == 1).sum(), (b == 1).sum())


def test_king_robust_worked_example():
    a = np.array([0, 1, 2, 1, 1, 0, 2, -1, 1, 0])
    b = np.array([0, 1, 2, 0, 1, 2, 1, 1, 2, 0])
    stats = king_robust(a, b)
    # site 7 is missing in a: 9 sites called in both
    assert stats["sites"] == 9
    # IBS0: site 5 (0 vs 2)
    assert stats["ibs0"] == 1
    # IBS2 counts every identical genotype, shared hom-ref too: sites 0, 1, 2, 4, 9
    assert stats["ibs2"] == 5
    # shared hets: sites 1 and 4; hets of a: 1, 3, 4, 8; hets of b: 1, 4, 6
    assert stats["shared_hets"] == 2
    assert (stats["hets_a"], stats["hets_b"], stats["het_ab"]) == (4, 3, 7)
    # 2 * (2 - 2 * 1) / 7 = 0
    assert stats["relatedness"] == pytest.approx(0.0)
    assert stats["ibs0_ibs2_ratio"] == pytest.approx(1 / 5)
    assert stats["het_sites"] == 5  # sites 1, 3, 4, 6, 8
    assert classify_pair(stats, FEW_SITES)[0] == "unrelated"


def test_extra_hets_of_a_mixed_culture_lower_king_but_not_min():
    parental = np.array([1, 1, 1, 1, 0, 2, 2, 0, 0, 0])
    line = np.array([1, 1, 1, 1, 1, 2, 2, 0, 0, 0])  # one extra het (another person's allele)
    stats = king_robust(parental, line)
    # shared hets 4, IBS0 0, het_ab = 4 + 5 = 9: 2 * 4 / 9 = 0.889
    assert stats["relatedness"] == pytest.approx(8 / 9)
    assert stats["ibs2"] == 9 and stats["ibs0_ibs2_ratio"] == 0.0
    # the previous ratio, (shared hets - 2 IBS0) / min(hets): 4 / 4 = 1
    depth = np.full(10, 30)
    assert min_hets_ratio(parental, line, depth, depth, 8) == pytest.approx(1.0)
    # 0.889 is the same individual, but not a clean duplicate (> 0.96)
    assert is_duplicate(stats, FEW_SITES) is False
    assert classify_pair(stats, FEW_SITES)[0] == "same"


def test_duplicate_rule_and_its_thresholds():
    same = np.array([1] * 300 + [0] * 50 + [2] * 50)
    settings = RelatednessSettings(min_sites=50)
    stats = king_robust(same, same)
    assert stats["relatedness"] == pytest.approx(1.0)
    assert classify_pair(stats, settings)[0] == "duplicate"
    # one opposite homozygote: relatedness 2 * (300 - 2) / 600 = 0.9933,
    # IBS0/IBS2 = 1 / 399 = 0.0025 < 0.005: still a duplicate
    other = same.copy()
    other[320] = 2
    stats = king_robust(same, other)
    assert (stats["ibs0"], stats["ibs2"]) == (1, 399)
    assert stats["relatedness"] == pytest.approx(596 / 600)
    assert is_duplicate(stats, settings) is True
    # two: relatedness 2 * (300 - 4) / 600 = 0.9867 > 0.96, but IBS0/IBS2 = 2 / 398
    # = 0.00503 >= 0.005: not a duplicate by the IBS rule alone
    other[330] = 2
    stats = king_robust(same, other)
    assert stats["relatedness"] == pytest.approx(592 / 600)
    assert stats["ibs0_ibs2_ratio"] == pytest.approx(2 / 398)
    assert is_duplicate(stats, settings) is False
    assert classify_pair(stats, settings)[0] == "same"
    # too few het sites: no verdict
    assert classify_pair(king_robust(same[:10], same[:10]), RelatednessSettings())[0] == (
        "inconclusive"
    )


def test_depth_filter_and_missing_genotypes():
    a = np.array([1, 1, 2, -1])
    b = np.array([1, 1, 2, 1])
    stats = king_robust(a, b, np.array([30, 3, 30, 30]), np.full(4, 30), min_depth=8)
    assert stats["sites"] == 2  # site 1 too shallow in a, site 3 missing
    assert stats["relatedness"] == pytest.approx(1.0)
    assert king_robust(np.array([0, 2]), np.array([0, 2]))["relatedness"] is None


def _call(ref, alt, error):
    """Most likely genotype (flat prior) with per-read error ``error``: a caller that
    believes its base qualities (0.001, Q30) calls a 10% allele het sooner than one
    that allows for more error (0.01)."""
    p = np.array([error, 0.5, 1 - error])
    return (alt[:, None] * np.log(p) + ref[:, None] * np.log1p(-p)).argmax(axis=1)


def test_a_line_with_ten_percent_of_another_persons_cells():
    rng = np.random.default_rng(10)
    n = 20_000
    freq = rng.uniform(0.12, 0.88, n)  # population sites, as a somalier sites file
    donor = rng.binomial(2, freq)
    other = rng.binomial(2, freq)
    depth = rng.poisson(30, n)
    alt = rng.binomial(depth, 0.002 + 0.996 * (0.9 * donor / 2 + 0.1 * other / 2))
    p_depth = rng.poisson(30, n)
    p_alt = rng.binomial(p_depth, 0.002 + 0.996 * donor / 2)
    settings = RelatednessSettings()
    verdicts = {}
    for error in (0.001, 0.01):
        parental = _call(p_depth - p_alt, p_alt, error)
        line = _call(depth - alt, alt, error)
        stats = king_robust(parental, line, p_depth, depth, settings.min_depth)
        old = min_hets_ratio(parental, line, p_depth, depth, settings.min_depth)
        verdicts[error] = (stats["relatedness"], classify_pair(stats, settings)[0])
        # a mixture adds hets, never opposite homozygotes
        assert stats["ibs0"] == 0
        # the previous min() ratio does not move at all
        assert old == pytest.approx(1.0, abs=0.002)
        assert stats["relatedness"] < old
    # identity alone: reduced, still 'same'; whether the duplicate rule catches it
    # depends on how readily the caller calls a 10% allele het
    assert verdicts[0.001][1] == "same" and verdicts[0.001][0] < 0.96
    assert verdicts[0.01][1] == "duplicate" and verdicts[0.01][0] > 0.96
    # the contamination estimate catches it with either caller
    estimate = estimate_contamination(
        depth - alt,
        alt,
        _call(p_depth - p_alt, p_alt, 0.01),
        ContaminationSettings(site_selection="population"),
        population_af=freq,
    )
    assert estimate.fraction == pytest.approx(0.10, abs=0.01)
    assert estimate.lower > 0.02
