"""The check contract: declarations, findings, schemas, null findings, and one metric
added in one place reaching the gate, the report and the docs."""

from __future__ import annotations

import dataclasses
import json

import pytest
from ipscqc import checks, docs, report_content
from ipscqc.checks import CHECKS, spec_of
from ipscqc.contract import (
    CheckSpec,
    findings,
    load_findings,
    metric,
    null_findings,
    validation_problems,
    write_findings,
)
from ipscqc.gate import FAIL, PASS, evaluate, rules
from ipscqc.gate.rules import Rule


def complete(check: str, sample="L1", parental="P1", **values):
    numbers = dict.fromkeys(m.name for m in spec_of(check).metrics)
    numbers.update(values)
    return findings(spec_of(check), sample, parental, numbers)


def test_every_check_declares_each_number_once_with_a_meaning():
    assert CHECKS == (
        "read_qc",
        "acquired_variants",
        "copy_number",
        "identity",
        "sex",
        "contamination",
        "vectors",
    )
    for check in CHECKS:
        spec = spec_of(check)
        assert spec.name == check and spec.title and spec.summary
        assert all(m.meaning for m in spec.metrics), check
        assert spec.section("metrics"), check
    assert checks.checks_for("parental") == [c for c in CHECKS if c != "acquired_variants"]
    assert checks.checks_for("line") == list(CHECKS)


def test_a_declaration_may_not_name_a_number_twice():
    with pytest.raises(ValueError, match="declared twice"):
        CheckSpec("x", "X", "x", (metric("n", "integer", "a"), metric("n", "integer", "b")))


def test_findings_must_hold_exactly_the_declared_numbers():
    spec = spec_of("contamination")
    with pytest.raises(ValueError, match="missing"):
        findings(spec, "L1", None, {"contamination_fraction": 0.01})
    values = dict.fromkeys(m.name for m in spec.metrics)
    with pytest.raises(ValueError, match="undeclared"):
        findings(spec, "L1", None, {**values, "something_else": 1})
    result = findings(spec, "L1", None, values)
    assert set(result.adequacy) == {
        "sites_used",
        "homozygous_sites",
        "min_sites",
        "interval_width",
        "max_interval",
    }
    assert result.mode == "line_only"


def test_schema_checks_types_and_names(tmp_path):
    document = complete("vectors", max_vector_copies_per_cell=0.02).document()
    assert validation_problems(document, spec_of("vectors")) == []
    broken = json.loads(json.dumps(document))
    broken["metrics"]["transgene_genes"] = "POU5F1"
    broken["mode"] = "paired_maybe"
    problems = validation_problems(broken, spec_of("vectors"))
    assert any(p.startswith("metrics/transgene_genes") for p in problems)
    assert any(p.startswith("mode") for p in problems)
    other = complete("sex").document()
    assert any("check" in p for p in validation_problems(other, spec_of("vectors")))


def test_written_findings_validate_and_a_broken_producer_writes_nothing(tmp_path):
    path = tmp_path / "L1" / "vectors.json"
    result = complete("vectors", transgene_junction_reads=12)
    write_findings(path, result, spec_of("vectors"))
    document, problem = load_findings(path, spec_of("vectors"), "L1")
    assert problem is None and document["metrics"]["transgene_junction_reads"] == 12
    assert load_findings(path, spec_of("vectors"), "L2")[1].endswith("about sample 'L1'")
    result.metrics["transgene_junction_reads"] = "twelve"
    with pytest.raises(ValueError, match="break the contract"):
        write_findings(tmp_path / "bad.json", result, spec_of("vectors"))
    assert not (tmp_path / "bad.json").exists()


def test_null_findings_of_a_check_that_could_not_look():
    result = null_findings(spec_of("copy_number"), "L1", "P1", "targets too small")
    document = result.document()
    assert validation_problems(document, spec_of("copy_number")) == []
    assert document["not_assessed"] == "targets too small"
    assert all(value is None for value in [*document["metrics"].values(),
                                           *document["adequacy"].values()])  # fmt: skip
    assert document["notes"] == ["not assessed: targets too small"]


def test_one_new_metric_reaches_gate_report_and_docs(monkeypatch):
    """Adding a number is its declaration (one line) plus its computation: the schema,
    the gate, the report's columns and the docs table follow from the declaration."""
    base = spec_of("vectors")
    added = metric(
        "episome_junction_reads",
        "integer",
        "reads across the plasmid backbone's own junctions",
        title="Episome junctions",
        format="{:,.0f}",
    )
    extended = dataclasses.replace(base, metrics=(*base.metrics, added))
    monkeypatch.setattr(checks, "spec_of", lambda check: extended if check == "vectors" else
                        spec_of(check))  # fmt: skip
    for module in (evaluate, report_content, docs):
        monkeypatch.setattr(module, "spec_of", checks.spec_of)
    rule = Rule(
        "vectors.max_episome_junction_reads",
        "vectors",
        "episome junction reads, at most",
        ("episome_junction_reads",),
        FAIL,
        lambda values, threshold: values["episome_junction_reads"] > threshold,
        "{episome_junction_reads} episome junction reads > {threshold}",
    )
    monkeypatch.setattr(rules, "RULES", (*rules.RULES, rule))
    monkeypatch.setattr(evaluate, "RULES", rules.RULES)

    values = dict.fromkeys(m.name for m in extended.metrics)
    values.update(episome_junction_reads=7, max_vector_copies_per_cell=0.0)
    values.update(transgene_junction_reads=0, parental_transgene_junction_reads=0)
    values.update(max_local_vector_copies_per_cell=0.0, vector_detection_limit=0.004)
    document = findings(extended, "L1", "P1", values).document()
    assert validation_problems(document, extended) == []  # the schema knows it
    del document["metrics"]["episome_junction_reads"]
    assert validation_problems(document, extended)  # and requires it
    document["metrics"]["episome_junction_reads"] = 7

    thresholds = {"vectors": {"max_episome_junction_reads": 2, "max_copies_per_cell": 0.01,
                              "max_transgene_junction_reads": 2,
                              "max_parental_transgene_junction_reads": 2}}  # fmt: skip
    result = evaluate.evaluate_check("vectors", document, None, thresholds, "P1", None)
    assert result["status"] == FAIL
    assert result["reasons"] == ["7 episome junction reads > 2"]
    relaxed = {"vectors": dict(thresholds["vectors"], max_episome_junction_reads=10)}
    assert evaluate.evaluate_check("vectors", document, None, relaxed, "P1", None)["status"] == PASS

    table = report_content.check_table("vectors", {"L1": {"vectors": document}})
    assert table["headers"]["vectors_episome_junction_reads"]["title"] == "Episome junctions"
    assert table["data"]["L1"]["vectors_episome_junction_reads"] == 7

    page = "<!-- metrics:vectors -->\n<!-- /metrics:vectors -->\n"
    rendered = docs.render(page, {"vectors": extended})
    assert "| `episome_junction_reads` | metrics | integer |" in rendered


def test_the_findings_page_is_in_step_with_the_declarations():
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs/findings.md"
    text = page.read_text()
    assert sorted(docs.marked_checks(text)) == sorted(CHECKS)
    assert docs.render(text) == text, (
        "run: PYTHONPATH=scripts python -m ipscqc.docs docs/findings.md"
    )
