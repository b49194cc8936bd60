"""The origin decision on hand-built allele counts: every row of issue 14's first table,
indels with their own error rates, loss of heterozygosity, hemizygous alleles, other
representations, panel of normals and recurrence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from ipscqc.variants.noise import ErrorRates, NoiseModel
from ipscqc.variants.origin import classify_origin
from ipscqc.variants.settings import SHARED_KEYS, VariantSettings
from scipy import stats

SETTINGS = VariantSettings()
NOISE = NoiseModel.default(SETTINGS)


def site(line_alt, line_depth, parental_alt, parental_depth, alt_fwd=None, **extra):
    """One allele; alt and ref reads split evenly between strands unless told."""
    line_ref = line_depth - line_alt
    alt_fwd = line_alt // 2 if alt_fwd is None else alt_fwd
    row = {
        "chrom": "chr17",
        "pos": 7674220,
        "ref": "C",
        "alt": "T",
        "hotspot": "",
        "line_alt": line_alt,
        "line_ref": line_ref,
        "line_depth": line_depth,
        "line_alt_fwd": alt_fwd,
        "line_alt_rev": line_alt - alt_fwd,
        "line_ref_fwd": line_ref // 2,
        "line_ref_rev": line_ref - line_ref // 2,
        "parental_alt": parental_alt,
        "parental_ref": parental_depth - parental_alt,
        "parental_depth": parental_depth,
    }
    row.update(extra)
    return row


def classify(rows, settings=SETTINGS, noise=NOISE, paired=True):
    return classify_origin(pd.DataFrame(rows), settings, noise, paired)


# issue 14, first table: (case, line counts, parental counts, extra) -> class, origin,
# whether the line carries the allele (what the gate judges), and the reason
ISSUE_ROWS = [
    (
        "DNMT3A R882H: donor CH clone, line cloned from it",
        site(15, 30, 3, 40, hotspot="DNMT3A R882H"),
        ("donor_mosaic", "donor_mosaic", True, "parental_below_germline_fraction"),
    ),
    (
        "TP53 R248W, parental low-level",
        site(15, 30, 2, 30, hotspot="TP53 R248W"),
        ("donor_mosaic", "donor_mosaic", True, "parental_below_germline_fraction"),
    ),
    (
        "germline TP53 hotspot of the donor (Li-Fraumeni)",
        site(15, 30, 15, 30, hotspot="TP53 R248W"),
        ("germline", "germline", True, "germline_het"),
    ),
    (
        "TP53 DNA-binding-domain missense not in the catalogue",
        site(7, 30, 0, 10),
        (
            "uncertain",
            "unknown",
            True,
            "parental_could_be_germline;parental_not_excluded_at_line_af",
        ),
    ),
    (
        "all alt reads on one strand, 5 reads",
        site(5, 30, 0, 30, alt_fwd=5),
        ("artefact", "artefact", False, "alt_on_one_strand"),
    ),
    (
        "all alt reads on one strand, 8 reads",
        site(8, 30, 0, 30, alt_fwd=0),
        ("artefact", "artefact", False, "alt_on_one_strand"),
    ),
    (
        "hotspot on 2 alt reads",
        site(2, 40, 0, 40, hotspot="TP53 R273H"),
        ("absent", "none", False, "line_evidence_below_bar"),
    ),
]


@pytest.mark.parametrize(("case", "row", "expected"), ISSUE_ROWS, ids=[r[0] for r in ISSUE_ROWS])
def test_issue_table_rows(case, row, expected):
    result = classify([row]).iloc[0]
    got = (result["class"], result["origin"], bool(result["line_carries"]), result["reason"])
    assert got == expected, case


def test_line_only_hotspot_is_unclassified_and_carried():
    result = classify([site(15, 30, 0, 0, hotspot="TP53 R248W")], paired=False).iloc[0]
    assert (result["class"], result["origin"], result["line_carries"]) == (
        "unclassified",
        "unknown",
        True,
    )
    assert result["reason"] == "line_only_mode"
    assert np.isnan(result["p_below_germline"])


def test_donor_mosaic_reports_both_fractions_and_the_expansion():
    dnmt3a = classify([site(15, 30, 3, 40, targeted=True)]).iloc[0]
    assert dnmt3a["class"] == "donor_mosaic"
    assert dnmt3a["line_af"] == pytest.approx(0.5)
    assert dnmt3a["parental_af"] == pytest.approx(0.075)
    assert dnmt3a["expansion"] == pytest.approx(0.5 / 0.075)
    # 3 of 40 reads under a heterozygous beta-binomial (scipy, independent of the code)
    rho, mean = NOISE.parental_rho, NOISE.het_mean
    scale = (1 - rho) / rho
    p = stats.betabinom.cdf(3, 40, mean * scale, (1 - mean) * scale)
    assert dnmt3a["p_below_germline"] == pytest.approx(p, rel=1e-8)
    assert p < SETTINGS.targeted_max_p_mosaic < 0.05
    # genome-wide (not a catalogue allele, not a cancer gene) the bar is 1e-6: about 3e6
    # germline heterozygous sites are tested, and 3 of 40 reads (p 3.6e-6) stays germline
    assert SETTINGS.max_p_mosaic < p
    untargeted = classify([site(15, 30, 3, 40)]).iloc[0]
    assert untargeted["class"] == "germline"
    assert classify([site(15, 30, 2, 60)]).iloc[0]["class"] == "donor_mosaic"


def test_acquired_needs_the_parental_to_exclude_it():
    rows = [site(12, 25, 0, 20), site(6, 30, 0, 30), site(12, 25, 1, 30), site(12, 25, 0, 4)]
    result = classify(rows)
    assert result["class"].tolist() == ["acquired", "acquired", "acquired", "uncertain"]
    assert result["origin"].tolist() == ["acquired", "acquired", "acquired", "unknown"]
    # 4 parental reads: too shallow, but the line does carry it (the gate judges that)
    assert result.loc[3, "reason"].startswith("parental_depth_below_minimum")
    assert bool(result.loc[3, "line_carries"])
    # 0 of 30 parental reads excludes 0.24 (0.76^30 = 2.6e-4, binomial) but not 0.05
    low = classify([site(15, 300, 0, 30)]).iloc[0]
    assert (low["class"], low["reason"]) == ("uncertain", "parental_not_excluded_at_line_af")


def test_loss_of_heterozygosity_and_germline_genotypes():
    rows = [
        site(25, 25, 10, 20),  # parental het, line hom-alt: LOH
        site(0, 30, 10, 20),  # parental het, line hom-ref: LOH
        site(30, 30, 20, 20),  # hom-alt in both
        site(0, 30, 20, 20),  # parental hom-alt, line without it: not LOH, fail closed
        site(1, 25, 0, 20),  # a single error read
    ]
    result = classify(rows)
    assert result["class"].tolist() == ["lost", "lost", "germline", "uncertain", "absent"]
    assert result["origin"].tolist() == ["germline", "germline", "germline", "unknown", "none"]
    assert result["reason"].tolist() == [
        "loss_of_heterozygosity",
        "loss_of_heterozygosity",
        "germline_hom_alt",
        "germline_allele_missing_from_line",
        "line_evidence_below_bar",
    ]


def test_indels_use_their_own_error_rate():
    # 6 of 30 reads: far above an SNV's error rate, within a long microsatellite's
    snv = site(6, 30, 0, 30, context="snv")
    long_repeat = site(6, 30, 0, 30, context="indel_long_repeat", ref="CA", alt="C")
    result = classify([snv, long_repeat])
    assert result["class"].tolist() == ["acquired", "absent"]
    rate = NOISE.line_error.indel_long_repeat
    assert result.loc[1, "line_error_rate"] == rate
    assert result.loc[1, "p_line_error"] == pytest.approx(stats.binom.sf(5, 30, rate))
    assert result.loc[1, "p_line_error"] > SETTINGS.max_p_line
    # without a context column, the allele lengths say indel (not repeat)
    plain = classify([site(6, 30, 0, 30, ref="CA", alt="C")]).iloc[0]
    assert plain["context"] == "indel"


def test_hemizygous_germline_fraction():
    # chrX of a male donor: a germline allele shows in every read; 10 of 20 is a clone
    rows = [
        site(15, 15, 10, 20, parental_germline_af=1.0),
        site(15, 15, 20, 20, parental_germline_af=1.0),
    ]
    assert classify(rows)["class"].tolist() == ["donor_mosaic", "germline"]


def test_another_representation_in_the_parental_makes_it_germline():
    # the line writes the allele A>ATT; the parental carries the same haplotype as two
    # other records (variant_representation finds them): its evidence counts
    row = site(19, 22, 0, 22, ref="A", alt="ATT", context="indel_repeat")
    matched = dict(row, parental_equivalent_alt=21, parental_equivalent_depth=22)
    result = classify([row, matched])
    assert result["class"].tolist() == ["acquired", "germline"]
    assert result.loc[1, "parental_alt_used"] == 21


def test_panel_of_normals_and_recurrence_block_acquired():
    rows = [
        site(12, 30, 0, 30, pon_samples=2),
        site(12, 30, 0, 30, in_user_pon=True),
        site(12, 30, 0, 30, recurrent_in_lines=2),
        site(12, 30, 0, 30, recurrent_in_lines=1, donor_pooled_alt=6, donor_pooled_depth=90),
        site(12, 30, 0, 30, recurrent_in_lines=1, donor_pooled_alt=1, donor_pooled_depth=90),
    ]
    result = classify(rows)
    assert result["class"].tolist() == ["uncertain"] * 4 + ["acquired"]
    assert result["reason"].tolist()[:4] == [
        "panel_of_normals",
        "user_panel_of_normals",
        "recurrent_in_lines",
        "low_level_in_donor",
    ]
    # a panel of normals explains the reads; recurrence leaves the line carrying the
    # allele (shared descent, or a donor mosaic below detection), only its origin is open
    assert result["line_carries"].tolist() == [False, False, True, True, True]


def test_strand_rule_keeps_balanced_and_amplicon_reads():
    balanced = site(5, 30, 0, 30, alt_fwd=2)
    amplicon = dict(site(5, 30, 0, 30, alt_fwd=5), line_ref_fwd=25, line_ref_rev=0)
    assert classify([balanced, amplicon])["class"].tolist() == ["acquired", "acquired"]


def test_settings_can_lower_the_hotspot_evidence():
    lowered = VariantSettings(
        hotspot_min_alt_reads=2, hotspot_max_p_line=1e-2, hotspot_strand_rule=False
    )
    hotspot = site(2, 40, 0, 40, alt_fwd=2, hotspot="TP53 R273H")
    default, low = classify([hotspot]).iloc[0], classify([hotspot], lowered).iloc[0]
    assert default["line_call"] == "weak"
    # two reads now count (P(X >= 2) = 0.0019 at 40x, error rate 0.0016), but 0 of 40
    # parental reads cannot exclude a fraction of 0.05
    assert (low["line_call"], low["class"], low["reason"]) == (
        "present",
        "uncertain",
        "parental_not_excluded_at_line_af",
    )


def test_error_rates_of_the_samples_decide_the_line_test():
    noisy = NoiseModel(ErrorRates(0.01, 0.01, 0.02, 0.05), NOISE.parental_error, 0.017, 0.017)
    row = site(5, 30, 0, 30)
    assert classify([row])["class"].tolist() == ["acquired"]
    assert classify([row], noise=noisy)["class"].tolist() == ["absent"]


def test_explain_off_gives_the_same_classes():
    rows = [r for _, r, _ in ISSUE_ROWS] + [site(25, 25, 10, 20), site(12, 25, 0, 20)]
    full = classify_origin(pd.DataFrame(rows), SETTINGS, NOISE, explain=True)
    quick = classify_origin(pd.DataFrame(rows), SETTINGS, NOISE, explain=False)
    assert full["class"].tolist() == quick["class"].tolist()
    assert (quick["reason"] == "").all()


def test_config_schema_defaults_are_the_settings_defaults():
    with open("schemas/config.schema.yaml") as handle:
        schema = yaml.safe_load(handle)
    variants = schema["properties"]["variants"]["properties"]
    origin = variants["origin"]["properties"]
    defaults = VariantSettings()
    for name, spec in origin.items():
        assert getattr(defaults, name) == spec["default"], name
    for name in SHARED_KEYS:
        assert getattr(defaults, name) == variants[name]["default"], name
    config = {key: spec["default"] for key, spec in variants.items() if key != "origin"}
    config["origin"] = {"strand_min_expected": None, "max_p_mosaic": 0.05}
    read = VariantSettings.from_config(config)
    assert (read.strand_min_expected, read.max_p_mosaic, read.min_alt_reads) == (None, 0.05, 3)
