"""Release gate rules on hand-made findings (no workflow, no tools)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from ipscqc.checks import CHECKS, spec_of
from ipscqc.contract import findings
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS, REVIEW, worst
from ipscqc.gate.cohort import cohort_summary_tsv, read_cohort_summary, strict_failures
from ipscqc.gate.evaluate import evaluate_check, gate_line, gate_problems
from ipscqc.gate.rules import ITEM_SUMMARIES, RULES

LINE_CHECKS = CHECKS

REPO = Path(__file__).resolve().parents[1]


def schema_defaults(schema: dict) -> dict:
    """The defaults of an object schema, recursively (as validate(set_default=True))."""
    result = {}
    for key, spec in schema.get("properties", {}).items():
        if spec.get("type") == "object":
            result[key] = schema_defaults(spec)
        elif "default" in spec:
            result[key] = spec["default"]
    return result


@pytest.fixture(scope="module")
def thresholds() -> dict:
    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    return schema_defaults(schema["properties"]["gate"])


def envelope(check, sample, parental, metrics, adequacy=None, items=None):
    """A complete findings document: the given numbers, every other declared one null."""
    values = dict.fromkeys(m.name for m in spec_of(check).metrics)
    values.update(metrics)
    values.update(adequacy or {})
    return findings(spec_of(check), sample, parental, values, items).document()


def gate(line, parental, root: Path, thresholds, **options):
    """gate_line on the findings files written under root (root/sample/check.json)."""
    paths = {check: root / line / f"{check}.json" for check in CHECKS}
    parental_read_qc = root / parental / "read_qc.json" if parental else None
    return gate_line(
        line, parental, paths, thresholds, parental_read_qc_path=parental_read_qc, **options
    )


GOOD_READ_QC = {
    "reads_after_trimming": 2_000_000,
    "q30_fraction": 0.93,
    "mapped_fraction": 0.99,
    "duplicate_fraction": 0.02,
    "mean_depth": 20.0,
    "callable_fraction": 0.98,
}


def clean_line(line="L1", parental="P1") -> dict[str, dict]:
    """Findings of a line with nothing wrong: every check PASSes."""
    return {
        "read_qc": envelope("read_qc", line, parental, dict(GOOD_READ_QC)),
        "acquired_variants": envelope(
            "acquired_variants",
            line,
            parental,
            {
                "acquired_count": 3,
                "acquired_hotspot_count": 0,
                "acquired_cancer_gene_count": 0,
                "carried_hotspot_count": 0,
                "carried_hotspot_germline_count": 0,
                "carried_likely_oncogenic_count": 0,
                "carried_likely_oncogenic_germline_count": 0,
                "uncertain_flagged_count": 0,
                "tp53_dn_entries": 12,
                "tp53_dn_unmapped": 0,
                "tp53_dn_undercovered": 0,
                "max_hotspot_af": 0.0,
                "hotspots_checked": 40,
                "hotspots_undercovered": 1,
                "min_detectable_af": 0.2,
            },
            {"median_depth": 18.0, "parental_median_depth": 20.0},
        ),
        "copy_number": envelope(
            "copy_number",
            line,
            parental,
            {
                "call_count": 0,
                "largest_event_bp": 0,
                "whole_chromosome_event_count": 0,
                "arm_event_count": 0,
                "recurrent_region_hit_count": 0,
                "fail_class_call_count": 0,
                "review_class_call_count": 0,
                "mhc_changed": False,
                "max_mosaic_fraction": None,
                "cnloh_count": 0,
            },
            {
                "log2_noise": 0.08,
                "bins_used": 12000,
                "het_sites_used": 5000,
                "median_depth": 18,
                "sees_gate_event": True,
                "gate_event_bp": 5_000_000,
                "gate_event_fraction": 0.2,
                "mhc_region": "chr6:28,500,001-33,500,000",
                "mhc_analysed": True,
                "mhc_covered_fraction": 0.97,
            },
        ),
        "identity": envelope(
            "identity",
            line,
            parental,
            {
                "relatedness_to_parental": 0.98,
                "concordance_to_parental": 0.99,
                "matches_declared_donor": True,
                "best_match_sample": parental,
                "best_match_donor": "D1",
                "best_match_relatedness": 0.98,
                "relationship_to_parental": "duplicate",
                "paired_assessable": True,
            },
            {"informative_sites": 5000},
        ),
        "sex": envelope(
            "sex",
            line,
            parental,
            {
                "declared_sex": "male",
                "inferred_sex": "male",
                "x_heterozygosity": 0.01,
                "x_depth_ratio": 0.5,
                "y_depth_ratio": 0.5,
                "sex_matches": True,
                "x_loss": None,  # measured in female lines only
                "y_loss": False,
            },
        ),
        "contamination": envelope(
            "contamination",
            line,
            parental,
            {
                "contamination_fraction": 0.003,
                "contamination_fraction_lower": 0.0,
                "contamination_fraction_upper": 0.008,
            },
            {"sites_used": 4000},
        ),
        "vectors": envelope(
            "vectors",
            line,
            parental,
            {
                "max_vector_copies_per_cell": 0.0,
                "vector_family_with_max": None,
                "parental_max_vector_copies_per_cell": 0.0,
                "max_local_vector_copies_per_cell": 0.0,
                "vectors_detected": [],
                "vector_detection_limit": 0.004,
                "transgene_junction_reads": 0,
                "transgene_genes": [],
                "parental_transgene_junction_reads": 0,
            },
        ),
    }


def write_findings(root: Path, sample: str, documents: dict[str, dict]) -> None:
    for check, document in documents.items():
        path = root / sample / f"{check}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))


@pytest.fixture
def findings_dir(tmp_path) -> Path:
    root = tmp_path / "findings"
    write_findings(root, "L1", clean_line())
    write_findings(root, "P1", {"read_qc": envelope("read_qc", "P1", None, dict(GOOD_READ_QC))})
    return root


def rule_ids(check_result, status):
    return [rule["id"] for rule in check_result["rules"] if rule["status"] == status]


# ---------------------------------------------------------------- ordering


def test_worst_orders_fail_above_inconclusive_above_review():
    assert worst([PASS, REVIEW]) == REVIEW
    assert worst([REVIEW, INCONCLUSIVE]) == INCONCLUSIVE
    assert worst([INCONCLUSIVE, FAIL, PASS]) == FAIL
    assert worst([]) == INCONCLUSIVE  # nothing evaluated is never a pass


def test_every_rule_reads_numbers_its_check_declares_and_has_a_documented_default(thresholds):
    docs = (REPO / "docs/release_gate.md").read_text()
    for rule in RULES:
        spec = spec_of(rule.check)
        assert all(spec.declares(name) for name in rule.fields), rule.id
        assert all(
            spec.declares(name) or (rule.check, name) in ITEM_SUMMARIES for name in rule.shown
        ), rule.id
        if rule.kind == "number":
            assert rule.threshold_key in thresholds[rule.check], rule.id
        assert f"`{rule.id}`" in docs, f"{rule.id} is not documented in docs/release_gate.md"


# ---------------------------------------------------------------- a whole line


def test_clean_line_passes(findings_dir, thresholds):
    result = gate("L1", "P1", findings_dir, thresholds, donor="D1")
    assert gate_problems(result) == []
    assert result["decision"] == PASS, result["reasons"]
    assert result["reasons"] == []
    assert set(result["checks"]) == set(LINE_CHECKS)
    assert all(check["status"] == PASS for check in result["checks"].values())


@pytest.mark.parametrize("check", LINE_CHECKS)
def test_missing_findings_file_is_inconclusive(findings_dir, thresholds, check):
    (findings_dir / "L1" / f"{check}.json").unlink()
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["decision"] == INCONCLUSIVE
    assert result["checks"][check]["status"] == INCONCLUSIVE
    assert "missing" in result["checks"][check]["reasons"][0]


@pytest.mark.parametrize("content", ["", "{not json", "[]", '{"check": "sex"}'])
def test_unreadable_or_foreign_findings_are_inconclusive(findings_dir, thresholds, content):
    (findings_dir / "L1" / "copy_number.json").write_text(content)
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["checks"]["copy_number"]["status"] == INCONCLUSIVE
    assert result["decision"] == INCONCLUSIVE


def test_hand_broken_findings_are_inconclusive_with_the_schema_message(findings_dir, thresholds):
    documents = clean_line()
    documents["copy_number"]["metrics"]["call_count"] = "none"  # not an integer
    documents["copy_number"]["metrics"]["new_number"] = 1  # not declared
    write_findings(findings_dir, "L1", documents)
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["decision"] == INCONCLUSIVE
    (reason,) = result["checks"]["copy_number"]["reasons"]
    assert reason.startswith("findings file copy_number.json does not validate:")
    assert "metrics/call_count: 'none' is not valid" in reason
    assert "'new_number' was unexpected" in reason


def test_a_check_that_could_not_look_is_inconclusive_with_its_reason(findings_dir, thresholds):
    from ipscqc.contract import null_findings

    documents = clean_line()
    reason = "a 20-gene panel cannot measure copy number"
    documents["copy_number"] = null_findings(spec_of("copy_number"), "L1", "P1", reason).document()
    write_findings(findings_dir, "L1", documents)
    result = gate("L1", "P1", findings_dir, thresholds)
    check = result["checks"]["copy_number"]
    assert check["status"] == INCONCLUSIVE and check["reasons"] == [reason]


def test_findings_of_another_sample_are_inconclusive(findings_dir, thresholds):
    other = clean_line(line="L2")["identity"]
    (findings_dir / "L1" / "identity.json").write_text(json.dumps(other))
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["checks"]["identity"]["status"] == INCONCLUSIVE
    assert "L2" in result["checks"]["identity"]["reasons"][0]


@pytest.mark.parametrize(
    ("check", "metric"),
    [
        ("acquired_variants", "carried_hotspot_count"),
        ("copy_number", "fail_class_call_count"),
        ("identity", "matches_declared_donor"),
        ("sex", "sex_matches"),
        ("contamination", "contamination_fraction"),
        ("vectors", "max_vector_copies_per_cell"),
        ("read_qc", "mean_depth"),
    ],
)
@pytest.mark.parametrize("how", ["null", "absent"])
def test_missing_or_null_metric_is_inconclusive(findings_dir, thresholds, check, metric, how):
    documents = clean_line()
    if how == "null":
        documents[check]["metrics"][metric] = None
    else:
        del documents[check]["metrics"][metric]
    write_findings(findings_dir, "L1", documents)
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["checks"][check]["status"] == INCONCLUSIVE
    assert result["decision"] == INCONCLUSIVE
    assert any(metric in reason for reason in result["checks"][check]["reasons"])


def test_a_fail_is_never_hidden_by_an_inconclusive(findings_dir, thresholds):
    documents = clean_line()
    documents["acquired_variants"]["metrics"]["carried_hotspot_count"] = 1
    documents["acquired_variants"]["metrics"]["max_hotspot_af"] = 0.2
    write_findings(findings_dir, "L1", documents)
    (findings_dir / "L1" / "vectors.json").unlink()
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["decision"] == FAIL
    assert result["checks"]["vectors"]["status"] == INCONCLUSIVE
    assert any("hotspot" in reason for reason in result["reasons"])


def test_weak_parental_makes_paired_checks_inconclusive(findings_dir, thresholds):
    weak = dict(GOOD_READ_QC, mean_depth=4.0)
    write_findings(findings_dir, "P1", {"read_qc": envelope("read_qc", "P1", None, weak)})
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["parental_read_qc"]["status"] == INCONCLUSIVE
    for check in ("acquired_variants", "copy_number", "identity"):
        assert f"{check}.parental_read_qc" in rule_ids(result["checks"][check], INCONCLUSIVE)
    assert result["checks"]["read_qc"]["status"] == PASS  # the line's own reads are fine
    assert result["decision"] == INCONCLUSIVE


def test_missing_parental_read_qc_is_inconclusive(findings_dir, thresholds):
    (findings_dir / "P1" / "read_qc.json").unlink()
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["checks"]["copy_number"]["status"] == INCONCLUSIVE
    assert result["decision"] == INCONCLUSIVE


def test_weak_parental_does_not_hide_a_fail(findings_dir, thresholds):
    write_findings(
        findings_dir,
        "P1",
        {"read_qc": envelope("read_qc", "P1", None, dict(GOOD_READ_QC, q30_fraction=0.5))},
    )
    documents = clean_line()
    documents["identity"]["metrics"]["matches_declared_donor"] = False
    write_findings(findings_dir, "L1", documents)
    result = gate("L1", "P1", findings_dir, thresholds)
    assert result["checks"]["identity"]["status"] == FAIL
    assert result["decision"] == FAIL


def test_findings_against_another_parental_are_inconclusive(findings_dir, thresholds):
    documents = clean_line()
    documents["copy_number"]["parental"] = "P9"
    write_findings(findings_dir, "L1", documents)
    result = gate("L1", "P1", findings_dir, thresholds)
    assert "copy_number.parental" in rule_ids(result["checks"]["copy_number"], INCONCLUSIVE)


def test_a_check_that_does_not_use_the_parental_may_name_none(findings_dir, thresholds):
    documents = clean_line()
    documents["contamination"]["parental"] = None
    documents["contamination"]["mode"] = "line_only"
    write_findings(findings_dir, "L1", documents)
    assert gate("L1", "P1", findings_dir, thresholds)["decision"] == PASS


def test_line_only_mode_is_review_not_pass(tmp_path, thresholds):
    root = tmp_path / "findings"
    write_findings(root, "L1", clean_line(parental=None))
    result = gate("L1", None, root, thresholds)
    assert result["decision"] == REVIEW
    for check in ("acquired_variants", "copy_number", "identity"):
        assert result["checks"][check]["status"] == REVIEW
    assert result["checks"]["vectors"]["status"] == PASS  # transgene rule needs no parental
    strict = dict(thresholds, line_only_status=INCONCLUSIVE)
    assert gate("L1", None, root, strict)["decision"] == INCONCLUSIVE


# ---------------------------------------------------------------- single rules


def check_with(check, thresholds, **metrics):
    document = copy.deepcopy(clean_line()[check])
    for name, value in metrics.items():
        document[spec_of(check).metric(name).section][name] = value
    return evaluate_check(check, document, None, thresholds, "P1", None)


@pytest.mark.parametrize(
    ("check", "metrics", "status", "rule_id"),
    [
        ("acquired_variants", {"carried_hotspot_count": 1}, FAIL, "max_carried_hotspot_count"),
        (
            "acquired_variants",
            {"carried_hotspot_count": 1, "carried_hotspot_germline_count": 1},
            FAIL,
            "max_germline_oncogenic_count",
        ),
        (
            "acquired_variants",
            {"carried_likely_oncogenic_count": 2, "carried_likely_oncogenic_germline_count": 1},
            FAIL,
            "max_carried_likely_oncogenic_count",
        ),
        ("acquired_variants", {"tp53_dn_unmapped": 1}, INCONCLUSIVE, "max_tp53_dominant"),
        ("acquired_variants", {"tp53_dn_undercovered": 2}, INCONCLUSIVE, "max_tp53_dominant"),
        ("acquired_variants", {"acquired_cancer_gene_count": 2}, REVIEW, "max_cancer_gene_count"),
        ("acquired_variants", {"median_depth": 5}, INCONCLUSIVE, "min_median_depth"),
        (
            "acquired_variants",
            {"hotspots_undercovered": 30},
            INCONCLUSIVE,
            "max_undercovered_hotspot_fraction",
        ),
        ("acquired_variants", {"hotspots_checked": 0}, INCONCLUSIVE, "max_undercovered"),
        ("acquired_variants", {"min_detectable_af": 0.5}, INCONCLUSIVE, "max_min_detectable_af"),
        ("copy_number", {"fail_class_call_count": 1}, FAIL, "max_fail_class_calls"),
        ("copy_number", {"review_class_call_count": 1}, REVIEW, "max_review_class_calls"),
        ("copy_number", {"mhc_changed": True}, REVIEW, "mhc_change"),
        ("copy_number", {"mhc_analysed": False}, INCONCLUSIVE, "mhc_analysed"),
        ("copy_number", {"sees_gate_event": False}, INCONCLUSIVE, "sees_gate_event"),
        ("copy_number", {"sees_gate_event": None}, INCONCLUSIVE, "sees_gate_event"),
        ("copy_number", {"log2_noise": 0.6}, INCONCLUSIVE, "max_log2_noise"),
        ("copy_number", {"het_sites_used": 3}, INCONCLUSIVE, "min_het_sites_used"),
        ("identity", {"matches_declared_donor": False}, FAIL, "declared_donor"),
        ("identity", {"relatedness_to_parental": 0.1}, FAIL, "fail_below_relatedness"),
        ("identity", {"relatedness_to_parental": 0.8}, REVIEW, "review_below_relatedness"),
        ("identity", {"informative_sites": 10}, INCONCLUSIVE, "min_informative_sites"),
        ("sex", {"sex_matches": False, "inferred_sex": "female"}, FAIL, "declared_sex"),
        ("sex", {"y_loss": True}, FAIL, "y_loss"),
        ("sex", {"x_loss": True}, FAIL, "x_loss"),
        ("sex", {"y_loss": None}, INCONCLUSIVE, "y_loss"),
        (
            "acquired_variants",
            {"uncertain_flagged_count": 1},
            REVIEW,
            "max_uncertain_flagged_count",
        ),
        ("contamination", {"contamination_fraction": 0.1}, FAIL, "max_fraction"),
        ("contamination", {"sites_used": 5}, INCONCLUSIVE, "min_sites_used"),
        ("vectors", {"max_vector_copies_per_cell": 0.5}, FAIL, "max_copies_per_cell"),
        ("vectors", {"transgene_junction_reads": 30}, FAIL, "max_transgene_junction_reads"),
        (
            "vectors",
            {"transgene_junction_reads": 30, "parental_transgene_junction_reads": 25},
            REVIEW,
            "max_parental_transgene_junction_reads",
        ),
        ("read_qc", {"q30_fraction": 0.5}, INCONCLUSIVE, "min_q30_fraction"),
        ("read_qc", {"duplicate_fraction": 0.6}, INCONCLUSIVE, "max_duplicate_fraction"),
        ("read_qc", {"callable_fraction": 0.3}, INCONCLUSIVE, "min_callable_fraction"),
    ],
)
def test_rule_outcomes(thresholds, check, metrics, status, rule_id):
    result = check_with(check, thresholds, **metrics)
    assert result["status"] == status, result["reasons"]
    assert any(rule_id in rule for rule in rule_ids(result, status))
    failed = next(rule for rule in result["rules"] if rule["status"] == status)
    assert failed["reason"]  # a reason a person can read
    if failed["threshold"] is not None:
        assert failed["values"]  # and the numbers it read


def test_sex_chromosome_losses_apply_to_the_sex_that_has_them(thresholds):
    # a male line has no X loss measure; a female line has no Y loss measure
    assert check_with("sex", thresholds, x_loss=None)["status"] == PASS
    female = {"declared_sex": "female", "inferred_sex": "female", "y_loss": None}
    assert check_with("sex", thresholds, x_loss=False, **female)["status"] == PASS
    assert check_with("sex", thresholds, x_loss=None, **female)["status"] == INCONCLUSIVE


def test_threshold_at_the_limit_passes(thresholds):
    limit = thresholds["vectors"]["max_copies_per_cell"]
    assert check_with("vectors", thresholds, max_vector_copies_per_cell=limit)["status"] == PASS
    limit = thresholds["read_qc"]["min_mean_depth"]
    assert check_with("read_qc", thresholds, mean_depth=limit)["status"] == PASS


def test_thresholds_come_from_config(thresholds):
    strict = copy.deepcopy(thresholds)
    strict["contamination"]["max_fraction"] = 0.001
    assert check_with("contamination", strict)["status"] == FAIL
    assert check_with("contamination", thresholds)["status"] == PASS


def test_missing_threshold_is_inconclusive(thresholds):
    partial = copy.deepcopy(thresholds)
    del partial["copy_number"]["max_fail_class_calls"]
    result = check_with("copy_number", partial)
    assert result["status"] == INCONCLUSIVE
    assert "gate.copy_number.max_fail_class_calls" in result["reasons"][0]


def test_wrong_types_are_inconclusive(thresholds):
    assert check_with("sex", thresholds, sex_matches="yes")["status"] == INCONCLUSIVE
    assert check_with("vectors", thresholds, max_vector_copies_per_cell="0")["status"] == (
        INCONCLUSIVE
    )
    assert check_with("copy_number", thresholds, fail_class_call_count=True)["status"] == (
        INCONCLUSIVE
    )


# ---------------------------------------------------------------- cohort and strict mode


def test_cohort_summary_round_trip_and_strict_mode(findings_dir, thresholds):
    passing = gate("L1", "P1", findings_dir, thresholds, donor="D1")
    (findings_dir / "L1" / "sex.json").unlink()
    inconclusive = dict(gate("L1", "P1", findings_dir, thresholds), line="L2")
    text = cohort_summary_tsv([inconclusive, passing])
    rows = read_cohort_summary(text)
    assert [row["line"] for row in rows] == ["L1", "L2"]
    assert rows[0]["decision"] == PASS and rows[1]["decision"] == INCONCLUSIVE
    assert rows[1]["sex"] == INCONCLUSIVE and "sex.json" in rows[1]["reasons"]
    assert strict_failures(rows) == ["L2: INCONCLUSIVE"]
    assert strict_failures(rows[:1]) == []
    assert strict_failures([]) != []  # an empty cohort is not a release


def test_reasons_name_the_events_behind_the_counts(thresholds):
    document = copy.deepcopy(clean_line()["acquired_variants"])
    document["metrics"].update(carried_hotspot_count=2, max_hotspot_af=0.5)
    document["items"] = [
        {"kind": "variant", "class": "donor_mosaic", "origin": "donor_mosaic",
         "line_carries": True, "tier": "oncogenic_hotspot", "gene": "DNMT3A",
         "protein_change": "p.R882H", "line_af": 0.5, "parental_af": 0.15},
        {"kind": "variant", "class": "uncertain", "origin": "unknown", "line_carries": True,
         "tier": "oncogenic_hotspot", "gene": "TP53", "protein_change": "p.R273H",
         "line_af": 0.125, "parental_af": 0.0, "reason": "parental_not_excluded_at_line_af"},
        {"kind": "variant", "class": "artefact", "origin": "artefact", "line_carries": False,
         "tier": "oncogenic_hotspot", "gene": "TP53", "protein_change": "p.R248Q",
         "line_af": 0.16},
        {"kind": "hotspot", "hotspot": "TP53 R175H", "detected": False},
    ]  # fmt: skip
    result = evaluate_check("acquired_variants", document, None, thresholds, "P1", None)
    assert result["status"] == FAIL
    assert result["reasons"] == [
        "oncogenic hotspot allele(s) carried by the line: DNMT3A p.R882H AF 0.50 (donor_mosaic,"
        " parental AF 0.15), TP53 p.R273H AF 0.12 (origin unknown:"
        " parental_not_excluded_at_line_af, parental AF 0.00)"
    ]
    # a germline hotspot fails by default, and reviews when the user says so (autologous)
    germline = copy.deepcopy(clean_line()["acquired_variants"])
    germline["metrics"].update(carried_hotspot_count=1, carried_hotspot_germline_count=1)
    germline["items"] = [
        {"kind": "variant", "class": "germline", "origin": "germline", "line_carries": True,
         "tier": "oncogenic_hotspot", "gene": "TP53", "protein_change": "p.R248W",
         "line_af": 0.5, "parental_af": 0.5},
    ]  # fmt: skip
    result = evaluate_check("acquired_variants", germline, None, thresholds, "P1", None)
    assert (result["status"], result["reasons"]) == (
        FAIL,
        ["the donor carries it (germline): TP53 p.R248W AF 0.50 (germline, parental AF 0.50)"],
    )
    autologous = copy.deepcopy(thresholds)
    autologous["acquired_variants"]["germline_status"] = "REVIEW"
    result = evaluate_check("acquired_variants", germline, None, autologous, "P1", None)
    assert result["status"] == REVIEW
    segments = copy.deepcopy(clean_line()["copy_number"])
    segments["metrics"].update(
        call_count=1, whole_chromosome_event_count=1, fail_class_call_count=1
    )
    segments["items"] = [{"chrom": "chr12", "start": 0, "end": 2_000_000, "type": "gain",
                          "scope": "whole_chromosome", "recurrent": False, "class": "FAIL",
                          "class_reasons": "whole_chromosome event"}]  # fmt: skip
    result = evaluate_check("copy_number", segments, None, thresholds, "P1", None)
    assert (
        "1 call(s) of class FAIL: gain chr12:1-2,000,000 (whole_chromosome event)"
        in result["reasons"]
    )


# ---------------------------------------------------------------- issue-15 rules


def test_no_vector_read_at_a_depth_that_cannot_reach_the_limit_is_inconclusive(thresholds):
    limit = thresholds["vectors"]["max_copies_per_cell"]
    shallow = check_with("vectors", thresholds, vector_detection_limit=limit * 2.5)
    assert shallow["status"] == INCONCLUSIVE
    assert rule_ids(shallow, INCONCLUSIVE) == ["vectors.detection_limit"]
    assert "clearance cannot be shown" in shallow["reasons"][0]
    deep = check_with("vectors", thresholds, vector_detection_limit=limit / 2)
    assert deep["status"] == PASS
    # a detected family is judged on its copies, not on the limit
    seen = check_with(
        "vectors",
        thresholds,
        vector_detection_limit=limit * 2.5,
        vectors_detected=["family:a+b"],
        max_vector_copies_per_cell=limit / 2,
    )
    assert seen["status"] == PASS


def test_an_integrated_stretch_fails_like_the_family_level(thresholds):
    result = check_with(
        "vectors",
        thresholds,
        max_local_vector_copies_per_cell=0.9,
        local_vector_stretch="toy_pCXLE_KLF4:1501-1700",
        vectors_detected=["family:a+b"],
    )
    assert result["status"] == FAIL
    assert rule_ids(result, FAIL) == ["vectors.max_local_copies_per_cell"]
    assert "toy_pCXLE_KLF4:1501-1700" in result["reasons"][0]


def test_contamination_lower_bound_fails_an_imprecise_fraction(thresholds):
    # interval too wide to give a fraction, but surely above the 2% limit
    surely = check_with(
        "contamination",
        thresholds,
        contamination_fraction=None,
        contamination_fraction_lower=0.03,
        contamination_fraction_upper=0.08,
    )
    assert surely["status"] == FAIL
    assert rule_ids(surely, FAIL) == ["contamination.max_fraction_lower_bound"]
    # too imprecise, and could be below the limit: cannot be judged
    unsure = check_with(
        "contamination",
        thresholds,
        contamination_fraction=None,
        contamination_fraction_lower=0.005,
        contamination_fraction_upper=0.05,
    )
    assert unsure["status"] == INCONCLUSIVE
    # a fraction that is given is judged itself: one reason, not two
    both = check_with(
        "contamination",
        thresholds,
        contamination_fraction=0.04,
        contamination_fraction_lower=0.032,
        contamination_fraction_upper=0.049,
    )
    assert both["status"] == FAIL
    assert rule_ids(both, FAIL) == ["contamination.max_fraction"]


def test_a_normal_male_line_without_parental_passes_the_sex_check(tmp_path, thresholds):
    documents = clean_line(parental=None)
    sex = documents["sex"]
    documents["sex"] = envelope(
        "sex",
        "L1",
        None,
        {
            **sex["metrics"],
            "y_depth_ratio": 0.18,  # all chrY bins of GRCh38: far below 0.5
            "y_loss": None,
            "y_loss_basis": "not_assessable",
        },
        sex["adequacy"],
    )
    root = tmp_path / "findings"
    write_findings(root, "L1", documents)
    result = gate("L1", None, root, thresholds)
    assert result["checks"]["sex"]["status"] == PASS, result["checks"]["sex"]["reasons"]


def test_a_swapped_line_is_not_judged_against_the_wrong_parental(tmp_path, thresholds):
    documents = clean_line()
    identity = documents["identity"]
    documents["identity"] = envelope(
        "identity",
        "L1",
        "P1",
        {
            **identity["metrics"],
            "relatedness_to_parental": -0.03,
            "relationship_to_parental": "unrelated",
            "paired_assessable": False,
            "matches_declared_donor": False,
            "best_match_sample": "P2",
            "best_match_donor": "D2",
        },
        identity["adequacy"],
    )
    copy_number = documents["copy_number"]
    documents["copy_number"] = envelope(
        "copy_number",
        "L1",
        "P1",
        {**copy_number["metrics"], "call_count": 40, "cnloh_count": 12},
        copy_number["adequacy"],
    )
    root = tmp_path / "findings"
    write_findings(root, "L1", documents)
    write_findings(root, "P1", {"read_qc": envelope("read_qc", "P1", None, dict(GOOD_READ_QC))})
    result = gate("L1", "P1", root, thresholds, donor="D1")
    assert gate_problems(result) == []
    assert result["decision"] == FAIL
    assert result["reasons"][0].startswith("identity:")
    for check in ("acquired_variants", "copy_number"):
        paired = result["checks"][check]
        assert paired["status"] == INCONCLUSIVE
        assert [rule["id"] for rule in paired["rules"]] == [f"{check}.pairing"]
        assert "different individual from P1" in paired["reasons"][0]
        assert "P2" in paired["reasons"][0]
    # the other person's genome is not listed as copy-number events
    assert not any("copy_number" in r and "cn-loh" in r.lower() for r in result["reasons"])
