"""Identity: concordance and relatedness arithmetic, pair classification, verdicts."""

from __future__ import annotations

import numpy as np
import pytest
from ipscqc.checks.identity import SPEC, IdentityInputs, analyse
from ipscqc.contract import config_defaults, validation_problems
from ipscqc.mqc import relatedness_heatmap
from ipscqc.readers.vcf import CohortGenotypes
from ipscqc.readers.vcf import read_cohort_genotypes as load_cohort_vcf
from ipscqc.relatedness import (
    RelatednessSettings,
    individuals,
    king_robust,
    pairwise_table,
    representatives,
)

THRESHOLDS = RelatednessSettings(min_depth=8, min_sites=50)


def metrics_of(sample, donor, parental, donors, pairs, min_informative_sites):
    """(metrics + adequacy, items, notes) of the identity check of one sample."""
    inputs = IdentityInputs(sample, parental or None, donor, pairs, np.full(10, 30))
    result = analyse(
        inputs, {**config_defaults("identity"), "min_informative_sites": min_informative_sites}
    )
    assert validation_problems(result.document(), SPEC) == []
    return {**result.metrics, **result.adequacy}, result.items, result.notes


def test_pair_statistics_by_hand():
    a = np.array([0, 1, 2, 1, 0, 2])
    b = np.array([2, 1, 0, 0, 0, 2])
    depth = np.full(6, 30)
    stats = king_robust(a, b, depth, depth, min_depth=10)
    assert stats["sites"] == 6
    # site 4 is hom-ref in both: not informative, but IBS2 counts it (somalier)
    assert stats["informative_sites"] == 5
    assert stats["het_sites"] == 2  # sites 1 and 3
    assert stats["ibs0"] == 2  # sites 0 and 2
    assert stats["ibs2"] == 3  # sites 1, 4 and 5
    assert stats["shared_hets"] == 1
    assert (stats["hets_a"], stats["hets_b"], stats["het_ab"]) == (2, 1, 3)
    assert stats["concordance"] == pytest.approx(2 / 5)  # sites 1 and 5 of the five
    assert stats["ibs0_ibs2_ratio"] == pytest.approx(2 / 3)
    assert stats["relatedness"] == pytest.approx(2 * (1 - 2 * 2) / 3)


def test_pair_statistics_drops_shallow_and_missing_sites():
    a = np.array([1, 1, 1, -1])
    b = np.array([1, 1, 1, 1])
    stats = king_robust(a, b, np.array([30, 30, 3, 30]), np.full(4, 30), min_depth=10)
    assert stats["sites"] == 2
    assert stats["het_sites"] == 2
    assert stats["relatedness"] == pytest.approx(1.0)


def test_pair_statistics_without_hets_is_unknown():
    a = np.array([0, 2, 2])
    stats = king_robust(a, a, np.full(3, 30), np.full(3, 30), min_depth=10)
    assert stats["relatedness"] is None
    assert stats["concordance"] == 1.0


def _population(rng, sites):
    return rng.uniform(0.05, 0.5, sites)


def _person(rng, freq):
    return rng.binomial(1, freq) + rng.binomial(1, freq)


def _child(rng, mother, father):
    def transmit(parent):
        return np.where(parent == 1, rng.binomial(1, 0.5, parent.size), parent // 2)

    return transmit(mother) + transmit(father)


def _noisy(rng, genotypes, error):
    flip = rng.random(genotypes.size) < error
    return np.where(flip, rng.integers(0, 3, genotypes.size), genotypes)


def test_relatedness_separates_same_related_and_unrelated_people():
    rng = np.random.default_rng(1)
    freq = _population(rng, 5000)
    mother, father, stranger = (_person(rng, freq) for _ in range(3))
    child = _child(rng, mother, father)
    depth = np.full(freq.size, 30)

    def rel(a, b):
        return king_robust(a, b, depth, depth, 10)["relatedness"]

    assert rel(mother, _noisy(rng, mother, 0.01)) > 0.95
    assert rel(mother, child) == pytest.approx(0.5, abs=0.1)
    assert abs(rel(mother, stranger)) < 0.2
    assert abs(rel(father, stranger)) < 0.2


def _cohort(rng, sites=3000, shallow=()):
    """Two donors: D1 (parental P1, lines L1 and Lswap), D2 (parental P2); Lswap is P2."""
    freq = _population(rng, sites)
    d1, d2 = _person(rng, freq), _person(rng, freq)
    genotypes = {"P1": d1, "L1": d1.copy(), "Lswap": d2.copy(), "P2": d2}
    names = list(genotypes)
    gt = np.column_stack([_noisy(rng, genotypes[n], 0.005) for n in names])
    depth = np.full(gt.shape, 30)
    for name in shallow:
        depth[:, names.index(name)] = 2
    cohort = CohortGenotypes(
        names,
        np.array(["chr1"] * sites, dtype=object),
        np.arange(1, sites + 1),
        gt.astype(np.int8),
        depth // 2,
        depth - depth // 2,
    )
    donors = {"P1": "D1", "L1": "D1", "Lswap": "D1", "P2": "D2"}
    return cohort, donors


def test_pairwise_table_flags_the_swap():
    cohort, donors = _cohort(np.random.default_rng(2))
    pairs = pairwise_table(cohort, donors, THRESHOLDS)
    assert len(pairs) == 6
    by_pair = {(r.sample_a, r.sample_b): r for r in pairs.itertuples()}
    # a clean line and its parental: somalier's duplicate rule holds
    assert by_pair[("P1", "L1")].observed == "duplicate"
    assert by_pair[("P1", "L1")].relatedness > 0.96
    assert by_pair[("P1", "L1")].consistent is True
    assert by_pair[("P1", "Lswap")].observed == "unrelated"
    assert by_pair[("P1", "Lswap")].consistent is False
    assert by_pair[("Lswap", "P2")].relatedness > 0.95
    assert by_pair[("Lswap", "P2")].consistent is False
    groups = individuals(cohort.samples, pairs)
    assert groups["P1"] == groups["L1"] != groups["Lswap"] == groups["P2"]
    depth = cohort.depth.copy()
    depth[:, cohort.column("L1")] = 50  # the deepest sample of its individual
    groups, chosen = representatives(pairs, cohort.samples, depth)
    assert sorted(chosen.values()) == ["L1", "Lswap"]  # ties keep the first sample


def test_identity_metrics_name_the_matching_donor():
    cohort, donors = _cohort(np.random.default_rng(3))
    pairs = pairwise_table(cohort, donors, THRESHOLDS)
    swap, _, notes = metrics_of("Lswap", "D1", "P1", donors, pairs, 50)
    assert swap["matches_declared_donor"] is False
    assert swap["best_match_sample"] == "P2"
    assert swap["best_match_donor"] == "D2"
    assert swap["best_match_relatedness"] > 0.95
    assert swap["matching_other_donors"] == ["D2"]
    assert swap["relatedness_to_parental"] < 0.2
    assert any("D2" in note for note in notes)
    clean, items, _ = metrics_of("L1", "D1", "P1", donors, pairs, 50)
    assert clean["matches_declared_donor"] is True
    assert clean["concordance_to_parental"] > 0.95
    assert clean["matching_other_donors"] == []
    assert {item["other_sample"] for item in items} == {"P1", "Lswap", "P2"}
    parental, _, _ = metrics_of("P1", "D1", "", donors, pairs, 50)
    assert parental["matches_declared_donor"] is True
    assert parental["relatedness_to_parental"] is None
    # D2's parental matches the line declared as D1: two donors' samples match
    p2, _, _ = metrics_of("P2", "D2", "", donors, pairs, 50)
    assert p2["matching_other_donors"] == ["D1"]


def test_too_few_informative_sites_is_inconclusive_not_a_pass():
    cohort, donors = _cohort(np.random.default_rng(4), shallow=("L1",))
    pairs = pairwise_table(cohort, donors, THRESHOLDS)
    metrics, _, notes = metrics_of("L1", "D1", "P1", donors, pairs, 50)
    assert metrics["matches_declared_donor"] is None
    assert metrics["informative_sites"] == 0
    assert metrics["best_match_sample"] is None
    assert any("could not be decided" in note for note in notes)


def test_heatmap_is_symmetric_with_unit_diagonal():
    cohort, donors = _cohort(np.random.default_rng(5), sites=500)
    pairs = pairwise_table(cohort, donors, THRESHOLDS)
    heatmap = relatedness_heatmap(pairs, cohort.samples)
    data = heatmap["data"]
    assert heatmap["plot_type"] == "heatmap"
    assert heatmap["xcats"] == cohort.samples
    for i in range(4):
        assert data[i][i] == 1.0
        for j in range(4):
            assert data[i][j] == data[j][i]


def test_load_cohort_vcf(tmp_path):
    vcf = tmp_path / "cohort.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n"
        "##contig=<ID=chr1,length=1000>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n"
        "chr1\t10\t.\tA\tG\t50\t.\t.\tGT:AD\t0/1:5,6\t1/1:0,9\n"
        "chr1\t20\t.\tC\tT\t50\t.\t.\tGT:AD\t./.:.,.\t0/0:12,0\n"
        "chr1\t30\t.\tC\tT,G\t50\t.\t.\tGT:AD\t0/1:5,5,0\t0/0:9,0,0\n"
    )
    cohort = load_cohort_vcf(str(vcf))
    assert cohort.samples == ["A", "B"]
    assert cohort.pos.tolist() == [10, 20]  # multiallelic site skipped
    assert cohort.gt.tolist() == [[1, 2], [-1, 0]]
    assert cohort.ref_depth.tolist() == [[5, 0], [0, 12]]
    assert cohort.alt_depth.tolist() == [[6, 9], [0, 0]]
