"""Plain-words reasons: the gate's rule results on hand-made findings, said with their
numbers and thresholds (no workflow, no tools)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS, REVIEW
from ipscqc.gate.evaluate import evaluate_check
from ipscqc.plain_words import (
    leading_result,
    number,
    rule_sentence,
    segment_phrase,
    variant_phrase,
)
from test_gate import clean_line, envelope, schema_defaults

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def thresholds() -> dict:
    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    return schema_defaults(schema["properties"]["gate"])


def variant(gene, change, alt, depth, parental_alt, parental_depth, **fields):
    return {
        "kind": "variant",
        "chrom": "chr17",
        "pos": 7674220,
        "ref": "C",
        "alt": "T",
        "gene": gene,
        "protein_change": change,
        "tier": "oncogenic_hotspot",
        "class": "acquired",
        "line_alt": alt,
        "line_depth": depth,
        "line_af": alt / depth,
        "parental_alt": parental_alt,
        "parental_depth": parental_depth,
        "filters": "",
        **fields,
    }


def variants_check(thresholds, items, **metrics):
    base = clean_line()["acquired_variants"]
    document = envelope(
        "acquired_variants",
        "L1",
        "P1",
        {**base["metrics"], **metrics},
        base["adequacy"],
        items,
    )
    return evaluate_check("acquired_variants", document, None, thresholds, "P1")


def rule(check_result, rule_id):
    return next(result for result in check_result["rules"] if result["id"] == rule_id)


def test_an_acquired_hotspot_is_said_with_its_reads_and_its_parental_reads(thresholds):
    result = variants_check(
        thresholds,
        [variant("TP53", "p.R273H", 7, 23, 0, 31, origin="acquired", line_carries=True)],
        carried_hotspot_count=1,
        carried_hotspot_germline_count=0,
        max_hotspot_af=7 / 23,
    )
    assert result["status"] == FAIL
    hotspot = rule(result, "acquired_variants.max_carried_hotspot_count")
    # the gate hands the evidence to the report: the read counts of the variant
    (record,) = hotspot["values"]["carried_hotspot_evidence"]
    assert (record["line_alt"], record["line_depth"], record["parental_depth"]) == (7, 23, 31)
    sentence = rule_sentence(hotspot)
    assert "TP53 p.R273H, 7 of 23 reads (30%), in 0 of 31 parental reads: oncogenic hotspot" in (
        sentence
    )
    assert sentence.startswith("1 oncogenic hotspot allele(s) in the line")
    assert "at most 0" in sentence
    assert leading_result(result) is hotspot


def test_a_variant_of_uncertain_origin_says_why(thresholds):
    clone = variant(
        "DNMT3A",
        "p.R882H",
        16,
        45,
        1,
        17,
        **{
            "class": "uncertain",
            "origin": "unknown",
            "line_carries": True,
            "reason": "parental_could_be_heterozygous",
            "tier": "likely_oncogenic",
        },
    )
    result = variants_check(thresholds, [clone], uncertain_flagged_count=1)
    assert result["status"] == REVIEW
    sentence = rule_sentence(rule(result, "acquired_variants.max_uncertain_flagged_count"))
    assert "DNMT3A p.R882H, 16 of 45 reads (36%), in 1 of 17 parental reads" in sentence
    assert "origin uncertain (parental could be heterozygous)" in sentence


def test_copy_number_events_are_said_1_based_with_copies_and_cells(thresholds):
    gain = {
        "type": "gain",
        "chrom": "chr12",
        "start": 0,
        "end": 133_275_309,
        "size_bp": 133_275_309,
        "copy_number": 3,
        "reference_copies": 2,
        "mosaic_fraction": 0.99,
        "scope": "whole_chromosome",
        "recurrent": True,
        "recurrent_regions": "12p",
    }
    loss = {
        **gain,
        "type": "loss",
        "chrom": "chr18",
        "start": 356_000,
        "end": 596_000,
        "size_bp": 240_000,
        "copy_number": 1,
        "mosaic_fraction": 0.37,
        "scope": "segmental",
        "recurrent_regions": "18q",
    }
    assert segment_phrase(gain) == (
        "gain of whole chr12 (133 Mb), 3 copies in 99% of cells, recurrent region 12p"
    )
    assert segment_phrase(loss) == (
        "loss chr18:356,001-596,000 (240 kb), 1 copy in 37% of cells, recurrent region 18q"
    )
    base = clean_line()["copy_number"]
    document = envelope(
        "copy_number",
        "L1",
        "P1",
        {
            **base["metrics"],
            "call_count": 2,
            "whole_chromosome_event_count": 1,
            "recurrent_region_hit_count": 2,
            "largest_event_bp": 133_275_309,
        },
        base["adequacy"],
        [gain, loss],
    )
    result = evaluate_check("copy_number", document, None, thresholds, "P1")
    lead = leading_result(result)
    assert lead["id"] == "copy_number.max_whole_chromosome_events"
    assert rule_sentence(lead).startswith("1 whole-chromosome event(s): gain of whole chr12")
    largest = rule_sentence(rule(result, "copy_number.max_event_bp"))
    assert largest.startswith("largest acquired event gain of whole chr12 (133 Mb)")
    assert largest.endswith("above the limit of 5 Mb")


def test_a_number_below_its_minimum_and_one_that_passes(thresholds):
    weak = envelope(
        "read_qc", "L1", "P1", {**clean_line()["read_qc"]["metrics"], "mean_depth": 9.68}
    )
    result = evaluate_check("read_qc", weak, None, thresholds, "P1")
    assert result["status"] == INCONCLUSIVE
    assert rule_sentence(leading_result(result)) == "Mean depth: 9.68x, below the minimum of 10x"
    passing = rule(result, "read_qc.min_q30_fraction")
    assert rule_sentence(passing) == "Q30 fraction: 0.93, at least 0.75"
    duplicates = rule(result, "read_qc.max_duplicate_fraction")
    assert rule_sentence(duplicates) == "Duplicates: 0.02, at most 0.3"


def test_a_missing_number_is_said_not_measured(thresholds):
    missing = envelope(
        "read_qc", "L1", "P1", {**clean_line()["read_qc"]["metrics"], "mean_depth": None}
    )
    result = evaluate_check("read_qc", missing, None, thresholds, "P1")
    sentence = rule_sentence(leading_result(result))
    assert sentence.startswith("not measured: ") and "mean_depth" in sentence


def test_a_swap_names_the_sample_it_matches(thresholds):
    base = clean_line()["identity"]
    swapped = envelope(
        "identity",
        "L1",
        "P1",
        {
            **base["metrics"],
            "matches_declared_donor": False,
            "best_match_sample": "D2_parental",
            "best_match_donor": "D2",
            "best_match_relatedness": 0.996,
            "relatedness_to_parental": 0.05,
        },
        base["adequacy"],
    )
    result = evaluate_check("identity", swapped, None, thresholds, "P1")
    assert result["status"] == FAIL
    assert rule_sentence(leading_result(result)) == (
        "genotype matches D2_parental (donor D2, relatedness 0.996), not the declared donor"
    )
    relatedness = rule(result, "identity.fail_below_relatedness")
    assert rule_sentence(relatedness) == "Relatedness to parental: 0.05, below the minimum of 0.6"


def test_a_check_that_could_not_look_says_so(thresholds):
    result = evaluate_check("vectors", None, "vectors.json is missing", thresholds)
    assert rule_sentence(leading_result(result)) == "no usable findings: vectors.json is missing"


def test_the_leading_result_of_a_pass_is_the_first_rule(thresholds):
    document = clean_line()["contamination"]
    result = evaluate_check("contamination", document, None, thresholds, "P1")
    assert result["status"] == PASS
    assert leading_result(result)["id"] == "contamination.max_fraction"
    assert rule_sentence(leading_result(result)) == "Contamination: 0.003, at most 0.02"


def test_numbers_and_variant_phrases_without_a_parental():
    assert [number(v) for v in (1_303_052, 0.9771, 36.62, 9.4e-05, 5000000.0, None, True)] == [
        "1,303,052",
        "0.977",
        "36.6",
        "9.4e-05",
        "5,000,000",
        "not measured",
        "yes",
    ]
    line_only = variant("BCOR", "p.R1200*", 6, 13, None, None, tier="likely_oncogenic")
    assert variant_phrase(line_only) == "BCOR p.R1200*, 6 of 13 reads (46%): likely oncogenic"
