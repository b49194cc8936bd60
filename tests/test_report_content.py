"""MultiQC custom content of the safety report, from hand-made gate results."""

from __future__ import annotations

import json

from ipscqc.checks import CHECKS, spec_of
from ipscqc.contract import findings
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS
from ipscqc.report_content import (
    certificates_section,
    check_table,
    general_statistics,
    items_table,
    safety_summary,
    segment_row_name,
)

LINE_CHECKS = CHECKS


def document(check, sample, **values):
    complete = dict.fromkeys(m.name for m in spec_of(check).metrics)
    complete.update(values)
    return findings(spec_of(check), sample, "P1", complete).document()


def gate(line, decision, statuses=None, reasons=()):
    statuses = statuses or {}
    return {
        "line": line,
        "decision": decision,
        "reasons": list(reasons),
        "checks": {
            check: {
                "status": statuses.get(check, PASS),
                "reasons": [],
                "rules": [],
                "mode": "paired",
            }
            for check in LINE_CHECKS
        },
    }


def test_safety_summary_is_a_coloured_table_with_every_check():
    document = safety_summary(
        [
            gate("L2", FAIL, {"copy_number": FAIL}, ["copy_number: 1 whole-chromosome event(s)"]),
            gate("L1", PASS),
        ]
    )
    assert document["id"] == "ipscqc_safety_summary" and document["plot_type"] == "table"
    assert list(document["data"]) == ["L1", "L2"]
    # statuses only: the reasons, grouped by check, are in the decision cards
    assert list(document["headers"]) == ["decision", *LINE_CHECKS]
    assert document["data"]["L2"]["copy_number"] == FAIL
    colours = document["headers"]["decision"]["bgcols"]
    assert set(colours) == {"PASS", "REVIEW", "INCONCLUSIVE", "FAIL"}
    json.dumps(document)  # MultiQC reads it as JSON


def test_general_statistics_show_the_gate_and_declared_numbers_without_deciding():
    found = {
        "L1": {
            "acquired_variants": document(
                "acquired_variants", "L1", worst_acquired_tier="oncogenic_hotspot"
            ),
            "copy_number": document("copy_number", "L1", largest_event_bp=2_500_000),
            "vectors": document("vectors", "L1", max_vector_copies_per_cell=0.5),
        }
    }
    statistics = general_statistics([gate("L1", FAIL, {"identity": FAIL})], found)
    row = statistics["data"]["L1"]
    assert row == {
        "release_decision": FAIL,
        "identity": FAIL,  # the gate's status, not a label the report works out
        "acquired_variants_worst_acquired_tier": "oncogenic_hotspot",
        "copy_number_largest_event_bp": 2_500_000,
        "vectors_max_vector_copies_per_cell": 0.5,
    }
    headers = statistics["headers"]
    assert headers["copy_number_largest_event_bp"]["suffix"] == " bp"
    assert headers["vectors_max_vector_copies_per_cell"]["format"] == "{:,.3f}"
    empty = general_statistics([gate("L2", INCONCLUSIVE)], {})["data"]["L2"]
    assert empty == {"release_decision": INCONCLUSIVE, "identity": PASS}
    # a parental gets no decision: its Release cell says so instead of staying empty
    with_parental = general_statistics([gate("L1", PASS)], {}, parentals=("P1",))["data"]
    assert list(with_parental) == ["L1", "P1"]
    assert with_parental["P1"] == {"release_decision": "parental"}


def test_sample_tables_take_their_columns_from_the_declarations():
    found = {"S1": {"read_qc": document("read_qc", "S1", mean_depth=31.5, q30_fraction=0.9)}}
    table = check_table("read_qc", found)
    assert table["id"] == "ipscqc_read_qc" and table["section_name"] == "Read QC"
    declared = [m for m in spec_of("read_qc").metrics if m.title]
    assert list(table["headers"]) == [f"read_qc_{m.name}" for m in declared]
    assert table["headers"]["read_qc_mean_depth"]["title"] == "Mean depth"
    assert table["data"]["S1"] == {"read_qc_q30_fraction": 0.9, "read_qc_mean_depth": 31.5}


def test_items_table_names_rows_and_flattens_lists():
    items = {
        "L1": [{"chrom": "chr20", "start": 10, "end": 20, "type": "gain", "genes": ["A", "B"]}]
    }
    document = items_table("cn", "Calls", "d", items, segment_row_name)
    assert list(document["data"]) == ["L1 chr20:11-20 gain"]  # shown 1-based
    assert document["data"]["L1 chr20:11-20 gain"]["genes"] == "A&#44; B"  # MultiQC eats commas
    assert document["headers"]["start"]["format"] == "{:.0f}"
    assert items_table("cn", "Calls", "d", {"L1": []}, segment_row_name)["plot_type"] == "html"


def test_certificate_rendering_escapes_and_names_the_decision():
    certificate = {
        "line": "L<1>",
        "donor": "D1",
        "parental": "P1",
        "decision": FAIL,
        "issued": "2025-01-01T00:00:00+00:00",
        "checks": {
            "vectors": {
                "status": FAIL,
                "mode": "paired",
                "rules": [
                    {
                        "id": "vectors.max_copies_per_cell",
                        "status": FAIL,
                        "reason": "0.5 vector copies per cell > 0.01",
                        "threshold": 0.01,
                    }
                ],
            }
        },
        "inputs": {"line": {"fastq": [{}], "bam": {}}, "parental": None, "reference": {}},
        "pipeline": {"name": "ipsc-qc", "version": "0.1.0", "git_commit": None},
        "config_digest": {"sha256": "0" * 64},
    }
    html = certificates_section([certificate])["data"]
    assert "L&lt;1&gt;" in html and "L<1>" not in html
    assert "vectors.max_copies_per_cell" in html and "0.5 vector copies per cell" in html
