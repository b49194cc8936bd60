"""Swap handling: whether the paired checks may compare a line with its parental."""

from __future__ import annotations

from ipscqc.paired_assessability import paired_assessability
from ipscqc.relatedness import RelatednessSettings

SETTINGS = RelatednessSettings()  # min_sites 100, same >= 0.8, related >= 0.4


def test_same_individual_is_assessable():
    result = paired_assessability("P1", 0.99, 3500, SETTINGS)
    assert (result.status, result.assessable, result.reason) == ("same", True, None)


def test_a_swap_is_not_assessable_and_names_the_match():
    # the toy swap line: relatedness -0.03 to its declared parental, 0.997 to D2_parental
    result = paired_assessability("D1_parental", -0.03, 3640, SETTINGS, "D2_parental", "D2")
    assert result.status == "different" and result.assessable is False
    assert result.reason.startswith("not assessable against this parental: a different individual")
    assert "it matches D2_parental (donor D2)" in result.reason


def test_relative_or_mixture_is_not_assessable_either():
    relative = paired_assessability("P1", 0.5, 3000, SETTINGS)
    assert relative.assessable is False
    assert "relative of the donor, or the donor mixed" in relative.reason
    mixed = paired_assessability("P1", 0.71, 3000, SETTINGS, contamination_fraction=0.5)
    assert mixed.assessable is False and "a mixture: about 50%" in mixed.reason


def test_too_few_sites_is_undecided_not_assessable():
    result = paired_assessability("P1", 0.2, 40, SETTINGS)
    assert result.status == "undecided" and result.assessable is None
    assert "40 informative sites" in result.reason
    assert paired_assessability("P1", None, None, SETTINGS).assessable is None


def test_line_only_mode_has_nothing_to_pair():
    result = paired_assessability("", None, None, SETTINGS)
    assert result.status == "no_parental" and result.assessable is False


def test_pairing_table_turns_paired_findings_into_null_findings(tmp_path):
    from ipscqc.checks.copy_number import SPEC
    from ipscqc.contract import findings
    from ipscqc.paired_assessability import (
        PairedAssessability,
        against_parental,
        pairing_row,
        pairing_text,
    )

    swap = PairedAssessability(
        "different", False, "not assessable against this parental: a different individual"
    )
    same = PairedAssessability("same", True, None)
    table = tmp_path / "pairing.tsv"
    table.write_text(
        pairing_text([pairing_row("Lswap", "P1", swap), pairing_row("L1", "P1", same)])
    )
    values = dict.fromkeys(m.name for m in SPEC.metrics)
    values["call_count"] = 40  # the other person's genome, read as changes
    swapped = against_parental(findings(SPEC, "Lswap", "P1", values), str(table), SPEC)
    assert swapped.not_assessed == swap.reason
    assert swapped.metrics["call_count"] is None and swapped.items == []
    kept = against_parental(findings(SPEC, "L1", "P1", values), str(table), SPEC)
    assert kept.not_assessed is None and kept.metrics["call_count"] == 40
