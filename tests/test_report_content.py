"""MultiQC custom content of the safety report, from hand-made gate results."""

from __future__ import annotations

import json

from ipscqc.gate import FAIL, INCONCLUSIVE, LINE_CHECKS, PASS
from ipscqc.report_content import (
    certificates_section,
    general_statistics,
    identity_label,
    items_table,
    safety_summary,
    segment_row_name,
    software_versions_yaml,
    worst_variant_tier,
)


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
    assert list(document["headers"]) == ["decision", *LINE_CHECKS, "reasons"]
    assert document["data"]["L2"]["copy_number"] == FAIL
    assert "whole-chromosome" in document["data"]["L2"]["reasons"]
    colours = document["headers"]["decision"]["bgcols"]
    assert set(colours) == {"PASS", "REVIEW", "INCONCLUSIVE", "FAIL"}
    json.dumps(document)  # MultiQC reads it as JSON


def test_general_statistics_columns():
    findings = {
        "L1": {
            "identity": {"metrics": {"matches_declared_donor": False, "best_match_sample": "P2"}},
            "acquired_variants": {"metrics": {"worst_acquired_tier": "oncogenic_hotspot"}},
            "copy_number": {"metrics": {"largest_event_bp": 2_500_000}},
            "vectors": {"metrics": {"max_vector_copies_per_cell": 0.5}},
        }
    }
    row = general_statistics([gate("L1", FAIL)], findings)["data"]["L1"]
    assert row == {
        "release_decision": FAIL,
        "identity": "MISMATCH (P2)",
        "worst_variant_tier": "oncogenic hotspot",
        "largest_cnv_mb": 2.5,
        "vector_copies": 0.5,
    }
    empty = general_statistics([gate("L2", INCONCLUSIVE)], {})["data"]["L2"]
    assert empty["identity"] == "unknown" and empty["worst_variant_tier"] == "unknown"
    assert empty["largest_cnv_mb"] is None


def test_variant_tier_and_identity_labels_from_counts():
    counts = {"acquired_hotspot_count": 0, "acquired_cancer_gene_count": 0, "acquired_count": 0}
    assert worst_variant_tier({"metrics": counts}) == "none"
    assert worst_variant_tier({"metrics": {**counts, "acquired_count": 4}}) == "other acquired"
    assert worst_variant_tier({"metrics": {**counts, "acquired_hotspot_count": 1}}) == "hotspot"
    assert identity_label({"metrics": {"matches_declared_donor": True}}) == "match"


def test_items_table_names_rows_and_flattens_lists():
    items = {
        "L1": [{"chrom": "chr20", "start": 10, "end": 20, "type": "gain", "genes": ["A", "B"]}]
    }
    document = items_table("cn", "Calls", "d", items, segment_row_name)
    assert list(document["data"]) == ["L1 chr20:10-20 gain"]
    assert document["data"]["L1 chr20:10-20 gain"]["genes"] == "A&#44; B"  # MultiQC eats commas
    assert document["headers"]["start"]["format"] == "{:.0f}"
    assert items_table("cn", "Calls", "d", {"L1": []}, segment_row_name)["plot_type"] == "html"


def test_software_versions_yaml_quotes_versions():
    text = software_versions_yaml({"tools": {"bcftools": "1.16"}, "python": {"pysam": None}})
    assert 'bcftools: "1.16"' in text and 'pysam: "not found"' in text


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
