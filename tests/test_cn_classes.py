"""Gate classes of copy-number calls and the MHC finding, on hand-built calls."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ipscqc.copynumber.classes import (
    DRIVER_COLUMNS,
    classify_calls,
    driver_regions_from_definitions,
    mhc_finding,
)
from ipscqc.copynumber.params import ClassSettings
from ipscqc.readers.bed import read_bed

REPO = Path(__file__).resolve().parents[1]
GRCH38_DRIVERS = read_bed(
    REPO / "resources/recurrent_regions/GRCh38.drivers.bed", extra=tuple(DRIVER_COLUMNS[4:])
)
SUPPRESSORS = {"TP53", "PTEN", "RB1"}
SETTINGS = ClassSettings()


def call(chrom, start, end, kind, genes="", scope="segmental", fraction=0.5, copies=None):
    copies = copies if copies is not None else {"gain": 3, "loss": 1, "cnloh": 2}[kind]
    names = [g for g in genes.split(",") if g]
    return {"chrom": chrom, "start": start, "end": end, "size_bp": end - start, "type": kind,
            "copy_number": copies, "mosaic_fraction": fraction, "scope": scope, "arms": "q",
            "genes": genes, "gene_count": len(names)}  # fmt: skip


def classify(*calls):
    return classify_calls(pd.DataFrame(list(calls)), GRCH38_DRIVERS, SUPPRESSORS, SETTINGS)


def test_gain_of_the_minimal_amplicon_that_stops_short_of_bcl2l1_counts_as_20q11_21():
    # HM13 and ID1 gained, ending 40 kb before BCL2L1 (chr20:31,664,451) begins
    result = classify(call("chr20", 31_400_000, 31_624_000, "gain", "HM13,ID1"))
    row = result.iloc[0]
    assert row["class"] == "FAIL"
    assert row["driver_regions"] == "20q11.21"
    assert "gain touches driver region 20q11.21 (HM13,ID1,BCL2L1)" in row["class_reasons"]


def test_a_100_kb_call_on_1q_away_from_mdm4_and_mcl1_is_review_not_fail():
    result = classify(call("chr1", 180_000_000, 180_100_000, "gain", "XPR1"))
    row = result.iloc[0]
    assert row["class"] == "REVIEW"
    assert row["driver_regions"] == ""
    assert "100,000 bp" in row["class_reasons"]


def test_a_300_kb_non_recurrent_loss_is_review_with_a_lower_score_than_a_driver_hit():
    result = classify(
        call("chr4", 60_000_000, 60_300_000, "loss", "GENEA,GENEB"),
        call("chr12", 25_100_000, 25_400_000, "gain", "KRAS"),
    )
    by_chrom = result.set_index("chrom")
    assert by_chrom.loc["chr4", "class"] == "REVIEW"
    assert by_chrom.loc["chr12", "class"] == "FAIL"
    assert by_chrom.loc["chr12", "score"] > by_chrom.loc["chr4", "score"]
    assert result["chrom"].tolist() == ["chr12", "chr4"]  # sorted by score, highest first
    # score by hand: 10 log10(300 kb / 10 kb) + 5 log2(1 + 2) + 10 x 0.5
    assert by_chrom.loc["chr4", "score"] == pytest.approx(14.77 + 7.92 + 5.0, abs=0.1)


def test_fail_classes_whole_chromosome_arm_size_suppressor_and_long_cnloh():
    result = classify(
        call("chr12", 0, 133_000_000, "gain", scope="whole_chromosome", fraction=1.0),
        call("chr5", 50_000_000, 52_000_000, "gain", scope="arm"),
        call("chr3", 10_000_000, 16_000_000, "gain"),  # 6 Mb > max_event_bp
        call("chr10", 87_800_000, 88_000_000, "loss", "PTEN"),
        call("chr9", 100_000_000, 106_000_000, "cnloh"),  # 6 Mb > max_cnloh_bp
        call("chr9", 120_000_000, 121_000_000, "cnloh"),  # 1 Mb: REVIEW
    )
    classes = dict(zip(result["start"], result["class"], strict=True))
    assert classes == {0: "FAIL", 50_000_000: "FAIL", 10_000_000: "FAIL", 87_800_000: "FAIL",
                       100_000_000: "FAIL", 120_000_000: "REVIEW"}  # fmt: skip
    pten = result[result["start"] == 87_800_000].iloc[0]
    assert pten["tumour_suppressors_lost"] == "PTEN"


def test_direction_matters_a_tp53_gain_is_review_a_tp53_loss_fails():
    result = classify(
        call("chr17", 7_600_000, 7_700_000, "gain", "TP53"),
        call("chr17", 7_500_000, 7_700_000, "loss", "TP53"),
    )
    kinds = dict(zip(result["type"], result["class"], strict=True))
    assert kinds == {"gain": "REVIEW", "loss": "FAIL"}
    gain = result[result["type"] == "gain"].iloc[0]
    assert "gain over loss driver region 17p13.1_TP53 (TP53)" in gain["class_reasons"]


def test_mhc_integrity_is_its_own_finding():
    """The finding states facts (changed, analysed); gate rules mhc_change (REVIEW by
    default) and mhc_analysed (INCONCLUSIVE) decide."""
    starts = list(range(28_000_000, 34_000_000, 100_000))
    bins = pd.DataFrame(
        {"chrom": "chr6", "start": starts, "end": [x + 100_000 for x in starts], "used": True}
    )
    result = classify(
        call("chr6", 29_000_000, 31_000_000, "cnloh", "HLA-A,HLA-B"),
        call("chr6", 40_000_000, 40_200_000, "loss"),
    )
    assert result.set_index("start").loc[29_000_000, "mhc"]
    finding = mhc_finding(result, SETTINGS, bins)
    assert finding["changed"] and finding["analysed"]
    assert finding["region"] == "chr6:28,500,001-33,500,000"
    assert [item["start"] for item in finding["items"]] == [29_000_000]
    assert "HLA type of the line may differ" in finding["note"]
    elsewhere = classify(call("chr6", 40_000_000, 40_200_000, "loss"))
    unchanged = mhc_finding(elsewhere, SETTINGS, bins)
    assert unchanged["changed"] is False and unchanged["analysed"] is True
    assert unchanged["covered_fraction"] == pytest.approx(1.0)
    # fail closed: an MHC with no used bins there was not analysed, and says so
    blind = mhc_finding(elsewhere, SETTINGS, bins.assign(used=False))
    assert blind["changed"] is False and blind["analysed"] is False
    assert "was not analysed" in blind["note"]
    # a genome without an MHC (empty setting): not checked at all
    assert mhc_finding(elsewhere, ClassSettings(mhc_region=""), bins)["region"] is None


def test_driver_regions_are_derived_from_gene_annotation_and_arms():
    definitions = pd.read_csv(
        REPO / "resources/recurrent_regions/driver_regions.tsv", sep="\t", comment="#",
        keep_default_na=False,
    )  # fmt: skip
    # GRCh38 gene coordinates of the shipped BED (0-based half-open)
    genes = pd.DataFrame(
        {"chrom": ["chr20", "chr20", "chr20", "chr1", "chr1", "chr12", "chr12", "chr17", "chr18"],
         "start": [31514440, 31605282, 31664451, 150574550, 204516378, 7789401, 25205245,
                   7661778, 51030212],
         "end": [31569542, 31606515, 31723963, 150579738, 204558120, 7799146, 25250936, 7687538,
                 51085042],
         "name": ["HM13", "ID1", "BCL2L1", "MCL1", "MDM4", "NANOG", "KRAS", "TP53", "SMAD4"]}
    )  # fmt: skip
    arms = {"chr17": {"p": (0, 22_813_679), "q": (26_616_164, 83_257_441)}}
    derived = driver_regions_from_definitions(definitions, genes, arms)
    key = ["chrom", "start", "end", "name", "direction", "genes"]
    shipped = GRCH38_DRIVERS.sort_values(["chrom", "start"]).reset_index(drop=True)
    derived = derived.sort_values(["chrom", "start"]).reset_index(drop=True)
    assert derived[key].values.tolist() == shipped[key].values.tolist()
