"""The decision cards and the General Statistics table of the toy run's safety report, in
headless Chromium at 1400x900 (the browser and DevTools client of
tests/test_report_browser.py), against the run's own gate files: decisions of the toy
data may change with the checks; what the report shows must be what the gate decided."""

from __future__ import annotations

import base64
import json
import math

import pytest
from ipscqc.checks import CHECKS
from ipscqc.gate import PASS
from ipscqc.gate.rules import RULES_BY_ID
from test_report_browser import browser, open_report  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 1400, 900

CARD_SCRIPT = """
((line) => {
  const card = document.getElementById('ipscqc-card-' + line);
  if (!card) { return null; }
  card.scrollIntoView({block: 'start', behavior: 'instant'});
  const rect = card.getBoundingClientRect();
  const rows = {};
  for (const row of card.querySelectorAll('details.ipscqc-check')) {
    rows[row.dataset.check] = {
      status: row.dataset.status,
      shown: row.querySelector('summary .ipscqc-badge').innerText.trim(),
      lead: row.querySelector('.ipscqc-lead').innerText.trim(),
    };
  }
  return {decision: card.querySelector('.ipscqc-decision').innerText.trim(),
          order: Array.from(card.querySelectorAll('details.ipscqc-check'))
                   .map(row => row.dataset.check),
          open: card.querySelectorAll('details[open]').length,
          top: rect.top, bottom: rect.bottom, height: rect.height,
          left: rect.left, width: rect.width, rows: rows,
          page_x: rect.left + window.scrollX, page_y: rect.top + window.scrollY};
})(%s)
"""

UNFOLD_SCRIPT = """
((line, check) => {
  const row = document.querySelector(
    '#ipscqc-card-' + line + ' details.ipscqc-check[data-check="' + check + '"]');
  row.querySelector('summary').click();
  const body = row.querySelector('.ipscqc-check-details');
  return {open: row.open, rules: body.querySelectorAll('tbody tr').length,
          visible: body.getBoundingClientRect().height > 0, text: body.innerText};
})(%s, %s)
"""

GENERAL_STATISTICS_SCRIPT = """
(() => {
  const table = document.getElementById('general_stats_table_table');
  if (!table) { return null; }
  return {
    headers: Array.from(table.querySelectorAll('thead th')).map(c => c.innerText.trim()),
    rows: Array.from(table.querySelectorAll('tbody tr'))
      .map(row => Array.from(row.querySelectorAll('th, td')).map(c => c.innerText.trim())),
  };
})()
"""


def lines_of(truth: dict) -> list[str]:
    return sorted(name for name, sample in truth["samples"].items() if sample["role"] == "line")


def events_line(truth: dict) -> str:
    """The line with the most planted events (the toy data's events line)."""
    planted = {
        line: sum(
            item["sample"] == line
            for item in truth["acquired_variants"] + truth["copy_number_events"]
        )
        for line in lines_of(truth)
    }
    return max(planted, key=planted.get)


def renderings(value) -> set[str]:
    """The ways a number can be written in a reason (separators, significant digits,
    kb/Mb, percent)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return set()
    shown = {str(value), f"{value:,}"}
    if isinstance(value, float):
        shown |= {f"{value:{spec}}" for spec in (".3g", ".2g", ",.0f", ".1f", ".2f", ".3f")}
        if value.is_integer():
            shown.add(f"{int(value):,}")
    if abs(value) >= 1000:
        shown |= {f"{value / 1e3:.3g} kb", f"{value / 1e6:.3g} Mb"}
    if 0 < abs(value) < 1:
        shown.add(f"{100 * value:.0f}%")
    return shown


def leading_rule(check: dict) -> dict:
    """As docs/release_gate.md says: the first rule with the check's status (a check's
    status is its worst rule's); for a PASS, the first rule."""
    return next(
        (rule for rule in check["rules"] if rule["status"] == check["status"]), check["rules"][0]
    )


def assert_numbers_in(lead: str, rule: dict, where: str) -> None:
    declared = RULES_BY_ID.get(rule["id"])
    if declared is None:  # envelope results: the gate's reason, as it is
        assert rule["reason"] in lead, (where, lead, rule["reason"])
        return
    threshold = rule.get("threshold")
    if renderings(threshold):
        assert any(text in lead for text in renderings(threshold)), (where, lead, threshold)
    first = rule["values"].get(declared.fields[0])
    if renderings(first) and len(declared.fields) == 1:
        assert any(text in lead for text in renderings(first)), (where, lead, first)
    for records in rule["values"].values():
        if not (isinstance(records, list) and records and isinstance(records[0], dict)):
            continue
        for record in records[:3]:
            if "line_depth" in record:
                assert f"{record['line_alt']:,} of {record['line_depth']:,} reads" in lead, (
                    where,
                    lead,
                )
                if record.get("parental_depth") is not None:
                    assert f"in {record['parental_alt']:,} of {record['parental_depth']:,}" in (
                        lead
                    )
            elif "chrom" in record:
                assert record["chrom"] in lead, (where, lead)


@pytest.fixture(scope="module")
def gates(toy_run) -> dict[str, dict]:
    return {
        line: json.loads((toy_run.results / "gate" / f"{line}.json").read_text())
        for line in lines_of(toy_run.truth)
    }


def test_decision_cards_show_what_the_gate_decided(browser, toy_run, gates, tmp_path):  # noqa: F811
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=HEIGHT,
        deviceScaleFactor=1,
        mobile=False,
    )
    errors = open_report(browser, toy_run.results / "report" / "multiqc_report.html")
    assert errors == [], errors
    for line, gate in gates.items():
        card = browser.evaluate(CARD_SCRIPT % json.dumps(line))
        assert card is not None, f"no decision card for {line}"
        assert card["decision"] == gate["decision"], line
        # the gate's order: CHECKS, with identity and sex first when identity fails
        expected = gate.get("check_order") or [c for c in CHECKS if c in gate["checks"]]
        assert card["order"] == expected, line
        if gate["checks"].get("identity", {}).get("status") == "FAIL":
            assert card["order"][:2] == ["identity", "sex"], line
        assert card["open"] == 0, "details must start folded"
        for check, result in gate["checks"].items():
            row = card["rows"][check]
            assert row["status"] == row["shown"] == result["status"], (line, check)
            assert_numbers_in(row["lead"], leading_rule(result), f"{line} {check}")

    line = events_line(toy_run.truth)
    card = browser.evaluate(CARD_SCRIPT % json.dumps(line))
    assert card["height"] <= HEIGHT, f"the {line} card is {card['height']} px high"
    assert card["top"] >= -1 and card["bottom"] <= HEIGHT + 1, card  # one screen
    shot = browser.send(
        "Page.captureScreenshot",
        format="png",
        clip={  # in page coordinates
            "x": card["page_x"],
            "y": card["page_y"],
            "width": card["width"],
            "height": card["height"],
            "scale": 1,
        },
    )
    image = base64.b64decode(shot["data"])
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 5_000
    artifact = tmp_path / f"decision_card_{line}.png"
    artifact.write_bytes(image)
    print(f"screenshot of the {line} decision card: {artifact}")

    # a check folds out to every rule it applied
    check = next(
        (name for name, result in gates[line]["checks"].items() if result["status"] != PASS),
        CHECKS[0],
    )
    unfolded = browser.evaluate(UNFOLD_SCRIPT % (json.dumps(line), json.dumps(check)))
    assert unfolded["open"] and unfolded["visible"]
    assert unfolded["rules"] == len(gates[line]["checks"][check]["rules"])
    for rule in gates[line]["checks"][check]["rules"]:
        assert rule["id"] in unfolded["text"]


def test_general_statistics_show_samples_only_with_the_decision_first(browser, toy_run, gates):  # noqa: F811
    errors = open_report(browser, toy_run.results / "report" / "multiqc_report.html")
    assert errors == [], errors
    table = browser.evaluate(GENERAL_STATISTICS_SCRIPT)
    assert table is not None, "no General Statistics table"
    assert table["headers"][1] == "Release", table["headers"][:4]
    names = [row[0] for row in table["rows"]]
    assert sorted(names) == sorted(toy_run.truth["samples"]), names  # no donor or unit rows
    for row in table["rows"]:
        expected = gates[row[0]]["decision"] if row[0] in gates else "parental"
        assert row[1] == expected, row[:3]
