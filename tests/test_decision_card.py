"""Decision cards of the safety report, from gate documents of hand-made findings."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from ipscqc.checks import CHECKS
from ipscqc.decision_card import decision_card, decision_cards_section
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS
from test_gate import GOOD_READ_QC, clean_line, envelope, gate, schema_defaults, write_findings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def thresholds() -> dict:
    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    return schema_defaults(schema["properties"]["gate"])


class CardReader(HTMLParser):
    """The rows of a card: data-check, data-status and the leading reason's text."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict] = {}
        self.current = None
        self.in_lead = False
        self.details_open = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self.current = attrs["data-check"]
            self.rows[self.current] = {"status": attrs["data-status"], "lead": ""}
            self.details_open += "open" in attrs
        if tag == "span" and attrs.get("class") == "ipscqc-lead":
            self.in_lead = True

    def handle_endtag(self, tag):
        if tag == "span":
            self.in_lead = False

    def handle_data(self, data):
        if self.in_lead:
            self.rows[self.current]["lead"] += data


def read_card(html: str) -> CardReader:
    reader = CardReader()
    reader.feed(html)
    return reader


def events_gate(tmp_path, thresholds):
    """A line with an acquired TP53 hotspot and vector DNA; the rest clean."""
    root = tmp_path / "findings"
    documents = clean_line()
    base = documents["acquired_variants"]
    documents["acquired_variants"] = envelope(
        "acquired_variants",
        "L1",
        "P1",
        {
            **base["metrics"],
            "carried_hotspot_count": 1,
            "carried_hotspot_germline_count": 0,
            "max_hotspot_af": 0.3,
        },
        base["adequacy"],
        [
            {
                "kind": "variant",
                "class": "acquired",
                "origin": "acquired",
                "line_carries": True,
                "tier": "oncogenic_hotspot",
                "gene": "TP53",
                "protein_change": "p.R273H",
                "line_alt": 7,
                "line_depth": 23,
                "line_af": 7 / 23,
                "parental_alt": 0,
                "parental_depth": 31,
            }
        ],
    )
    vectors = documents["vectors"]
    documents["vectors"] = envelope(
        "vectors",
        "L1",
        "P1",
        {
            **vectors["metrics"],
            "max_vector_copies_per_cell": 0.51,
            "vector_family_with_max": "oriP_EBNA1",
        },
        vectors["adequacy"],
    )
    write_findings(root, "L1", documents)
    write_findings(root, "P1", {"read_qc": envelope("read_qc", "P1", None, dict(GOOD_READ_QC))})
    return gate("L1", "P1", root, thresholds, donor="D1")


def test_a_card_has_the_decision_and_one_row_per_check_with_its_leading_reason(
    tmp_path, thresholds
):
    result = events_gate(tmp_path, thresholds)
    assert result["decision"] == FAIL
    html = decision_card(result)
    assert 'id="ipscqc-card-L1"' in html and 'data-decision="FAIL"' in html
    card = read_card(html)
    assert list(card.rows) == list(CHECKS)  # every check, in report order, one row each
    assert {check: row["status"] for check, row in card.rows.items()} == {
        check: result["checks"][check]["status"] for check in CHECKS
    }
    assert card.details_open == 0  # details folded
    lead = card.rows["acquired_variants"]["lead"]
    assert "TP53 p.R273H, 7 of 23 reads (30%), in 0 of 31 parental reads" in lead
    assert (
        "0.51 copies/cell" in card.rows["vectors"]["lead"]
        and "0.01" in (card.rows["vectors"]["lead"])
    )
    assert card.rows["read_qc"]["lead"] == "Reads after trimming: 2,000,000, at least 100,000 reads"
    # each check's rules fold out below it, with their ids
    for check in CHECKS:
        for rule in result["checks"][check]["rules"]:
            assert f"<code>{rule['id']}</code>" in html


def test_reasons_stay_with_their_check(tmp_path, thresholds):
    """A check with two rules not passed says its leading one and counts the other; no
    reason of one check appears in another check's row."""
    root = tmp_path / "findings"
    documents = clean_line()
    weak = dict(GOOD_READ_QC, mean_depth=8.0, callable_fraction=0.5)
    documents["read_qc"] = envelope("read_qc", "L1", "P1", weak)
    write_findings(root, "L1", documents)
    write_findings(root, "P1", {"read_qc": envelope("read_qc", "P1", None, dict(GOOD_READ_QC))})
    result = gate("L1", "P1", root, thresholds)
    html = decision_card(result)
    card = read_card(html)
    assert card.rows["read_qc"]["status"] == INCONCLUSIVE
    assert card.rows["read_qc"]["lead"] == "Mean depth: 8x, below the minimum of 10x"
    assert "+1 more not passed" in html
    others = [row["lead"] for check, row in card.rows.items() if check != "read_qc"]
    assert not any("depth" in lead.lower() and "8x" in lead for lead in others)
    assert all(row["status"] == PASS for check, row in card.rows.items() if check != "read_qc")


def test_the_section_is_html_custom_content_and_escapes(tmp_path, thresholds):
    result = events_gate(tmp_path, thresholds)
    result["checks"]["vectors"]["notes"] = ["<script>alert(1)</script>"]
    section = decision_cards_section([result])
    assert section["id"] == "ipscqc_decision_cards" and section["plot_type"] == "html"
    assert "<script>" not in section["data"] and "&lt;script&gt;" in section["data"]
    assert re.search(r"<details class=\"ipscqc-check\"", section["data"])
    json.dumps(section)  # MultiQC reads it as JSON
