"""Artefact rules at low allele fractions: strand, panel of normals, recurrence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.variants.artefacts import (
    artefact_flags,
    panel_of_normals,
    recurrence,
    strand_evidence,
)
from ipscqc.variants.settings import VariantSettings
from scipy import stats

SETTINGS = VariantSettings()


def _strands(alt_fwd, alt_rev, ref_fwd, ref_rev, **extra):
    return pd.DataFrame(
        {
            "line_alt_fwd": alt_fwd,
            "line_alt_rev": alt_rev,
            "line_ref_fwd": ref_fwd,
            "line_ref_rev": ref_rev,
            **extra,
        }
    )


def test_strand_statistics_by_hand():
    evidence = strand_evidence([5], [0], [12], [13])
    fraction = 18 / 32  # (5 + 12 + 1) / (30 + 2): all the site's reads
    assert evidence["forward_fraction"][0] == pytest.approx(fraction)
    assert evidence["strand_expected_minor"][0] == pytest.approx(5 * (1 - fraction))
    # two-sided Fisher: 5 alt reads all forward, 12 of 25 ref reads forward
    assert evidence["p_strand"][0] == pytest.approx(2 * stats.hypergeom.sf(4, 30, 17, 5))
    assert evidence["p_strand"][0] == pytest.approx(
        2 * stats.fisher_exact([[5, 0], [12, 13]], "greater")[1]
    )


def test_one_strand_rule_fires_from_three_reads_and_the_test_from_many():
    table = _strands(
        alt_fwd=[3, 2, 5, 8, 20, 5, 4],
        alt_rev=[0, 0, 0, 0, 0, 0, 1],
        ref_fwd=[14, 14, 12, 11, 15, 25, 13],
        ref_rev=[14, 14, 13, 11, 15, 0, 13],
    )
    flags, _ = artefact_flags(table, SETTINGS, np.zeros(7, dtype=bool))
    # 3 reads on one strand with balanced ref reads: 1.4 expected on the other (>= 1.25);
    # 2 reads: 0.9 expected, not enough to ask; amplicon (reads all forward): never
    assert flags["alt_on_one_strand"].tolist() == [True, False, True, True, True, False, False]
    # the Fisher test alone reaches p < 1e-3 only with many reads (20 of 20: 2e-6)
    assert flags["strand_bias"].tolist() == [False, False, False, False, True, False, False]


def test_one_strand_artefact_that_took_the_reads_of_its_strand():
    # the toy's real-sequence artefact: 5 alt reads, all reverse; the ref reads left are
    # 9 forward, 1 reverse. From the ref reads alone the reverse strand looks empty (0.8
    # alt reads expected forward); from all the site's reads 5 x 9/17 = 2.6 are
    flags, strand = artefact_flags(
        _strands(alt_fwd=[0], alt_rev=[5], ref_fwd=[9], ref_rev=[1]),
        SETTINGS,
        np.zeros(1, dtype=bool),
    )
    assert strand["strand_expected_minor"][0] == pytest.approx(5 * 7 / 17)
    assert flags["alt_on_one_strand"].tolist() == [True]


def test_strand_rules_can_be_turned_off_or_lowered_at_hotspots():
    table = _strands(alt_fwd=[8, 8], alt_rev=[0, 0], ref_fwd=[11, 11], ref_rev=[11, 11])
    hotspot = np.array([True, False])
    off = VariantSettings(strand_min_expected=None, strand_max_p=0.0)
    flags, _ = artefact_flags(table, off, hotspot)
    assert not flags["alt_on_one_strand"].any() and not flags["strand_bias"].any()
    lowered = VariantSettings(hotspot_strand_rule=False)
    flags, _ = artefact_flags(table, lowered, hotspot)
    assert flags["alt_on_one_strand"].tolist() == [False, True]


def _alleles(*rows):
    return pd.DataFrame(rows, columns=["chrom", "pos", "ref", "alt"])


def test_panel_of_normals_counts_unrelated_carriers():
    sites = _alleles(("chr1", 100, "C", "T"), ("chr1", 200, "G", "A"), ("chr1", 300, "A", "AT"))
    normals = pd.DataFrame(
        {
            "chrom": ["chr1"] * 4,
            "pos": [100, 100, 100, 200],
            "ref": ["C", "C", "C", "G"],
            "alt": ["T", "T", "T", "A"],
            "sample": ["D2_parental", "D2_clone", "D3_parental", "D2_parental"],
            "alt_count": [3, 2, 1, 1],  # one read is not carrying
            "depth": [30, 40, 30, 30],
        }
    )
    user = _alleles(("chr1", 300, "A", "at"))
    pon = panel_of_normals(sites, normals, SETTINGS, user)
    assert pon["pon_samples"].tolist() == [2, 0, 0]
    assert pon.loc[0, "pon_max_af"] == pytest.approx(0.1)
    assert pon["in_user_pon"].tolist() == [False, False, True]
    empty = panel_of_normals(sites, None, SETTINGS)
    assert empty["pon_samples"].tolist() == [0, 0, 0] and not empty["in_user_pon"].any()


def _classified(new, line_alt, parental_alt=0):
    return pd.DataFrame(
        {
            "chrom": ["chr1", "chr1"],
            "pos": [100, 200],
            "ref": ["C", "G"],
            "alt": ["T", "A"],
            "line_alt": line_alt,
            "line_depth": [30, 30],
            "parental_alt": [parental_alt, 0],
            "parental_depth": [30, 30],
            "line_call": ["present" if n else "weak" for n in new],
            "origin": ["acquired" if n else "none" for n in new],
        }
    )


def test_recurrence_counts_independent_lineages_and_pools_the_rest():
    lines = {
        "A": _classified([True, True], [12, 10]),
        "A_p10": _classified([True, False], [14, 1]),  # a later passage of clone A
        "C": _classified([True, False], [11, 2]),
    }
    result = recurrence(lines, {"A": "A", "A_p10": "A", "C": "C"})
    # chr1:100 is new in lineages A and C: two independent lines; chr1:200 in A only
    assert result["A"]["recurrent_in_lines"].tolist() == [2, 1]
    assert result["C"]["recurrent_in_lines"].tolist() == [2, 1]
    # pooled for A at chr1:200: parental 0/30 plus line C (another lineage) 2/30
    assert result["A"].loc[1, "donor_pooled_alt"] == 2
    assert result["A"].loc[1, "donor_pooled_depth"] == 60
    # without lineages, the passage counts as an independent line
    assert recurrence(lines)["A"]["recurrent_in_lines"].tolist() == [3, 1]


def test_carriers_are_the_alleles_each_sample_shows(tmp_path):
    from ipscqc.readers.bcftools_query import read_query_table
    from ipscqc.variants.artefacts import carriers

    path = tmp_path / "candidates.tsv"
    path.write_text(
        "# [1]CHROM\t[2]POS\t[3]REF\t[4]ALT\t[5]RPBZ\t[6]MQBZ\t[7]BCSQ"
        "\t[8]P2:AD\t[9]P2:ADF\t[10]P2:ADR\t[11]P2:DP\n"
        "chr1\t100\tC\tT\t0\t0\t.\t10,5\t5,3\t5,2\t15\n"
        "chr1\t200\tG\tA\t0\t0\t.\t14,1\t7,1\t7,0\t15\n"
    )
    table = carriers(read_query_table(path), "D2", ["P2", "absent"], min_alt_reads=2)
    assert table[["chrom", "pos", "ref", "alt", "donor", "sample"]].values.tolist() == [
        ["chr1", 100, "C", "T", "D2", "P2"]
    ]
    assert table[["alt_count", "depth"]].values.tolist() == [[5, 15]]
    # a line of donor D1 reads it as its panel: the allele is flagged at pon_min_samples 1
    sites = pd.DataFrame({"chrom": ["chr1", "chr1"], "pos": [100, 200], "ref": ["C", "G"],
                          "alt": ["T", "A"]})  # fmt: skip
    evidence = panel_of_normals(sites, table, SETTINGS)
    assert evidence["pon_samples"].tolist() == [1, 0]
