"""Decision cards of the safety report: one card per line, built from its gate document.

A card shows the line's decision, then one row per check: its status and its leading
reason in plain words (ipscqc.plain_words), with the numbers and the threshold. Each
row folds out to every rule of the check (status, sentence, threshold, the numbers the
gate read) and the check's notes. Reasons stay with their check; nothing is joined
into one cell. The card shows the gate; it never decides.

``decision_card(gate) -> str`` is the HTML of one card; ``decision_cards_section(gates)
-> dict`` the MultiQC custom-content document (plot_type html) of all of them.
"""

from __future__ import annotations

import html

from ipscqc.checks import CHECKS, spec_of
from ipscqc.gate import PASS
from ipscqc.plain_words import leading_result, not_passed_count, number, rule_sentence
from ipscqc.report_content import BADGE_COLOURS, DECISION_COLOURS

SECTION_ID = "ipscqc_decision_cards"

STYLE = """
<style>
.ipscqc-card { border: 1px solid #ccc; border-radius: 4px; margin: 0 0 14px 0;
  max-width: 1250px; font-size: 13px; }
.ipscqc-card-head { padding: 6px 10px; border-bottom: 1px solid #ccc; }
.ipscqc-card-line { font-size: 16px; font-weight: bold; margin-right: 8px; }
.ipscqc-card-context { color: #555; margin-left: 8px; }
.ipscqc-check { border-bottom: 1px solid #eee; }
.ipscqc-check:last-child { border-bottom: none; }
.ipscqc-check > summary { display: grid; grid-template-columns: 1.2em 8.5em 9em 1fr;
  gap: 6px; padding: 3px 10px; cursor: pointer; list-style: none; align-items: baseline; }
.ipscqc-check > summary::-webkit-details-marker { display: none; }
.ipscqc-check > summary .ipscqc-fold::before { content: "\\25B8"; color: #888; }
.ipscqc-check[open] > summary .ipscqc-fold::before { content: "\\25BE"; }
.ipscqc-check-title { font-weight: bold; }
.ipscqc-more { color: #666; white-space: nowrap; }
.ipscqc-check-details { padding: 4px 10px 8px 3em; }
.ipscqc-check-details table { font-size: 12px; margin-bottom: 4px; }
.ipscqc-check-details td, .ipscqc-check-details th { padding: 2px 6px; vertical-align: top; }
.ipscqc-badge { display: inline-block; min-width: 7.5em; text-align: center; color: #fff;
  border-radius: 3px; padding: 1px 4px; font-size: 12px; font-weight: bold; }
</style>
"""


def badge(status: str) -> str:
    colour = BADGE_COLOURS.get(status, "#555555")
    return (
        f'<span class="ipscqc-badge" style="background-color:{colour}">'
        f"{html.escape(str(status))}</span>"
    )


def _values_text(values: dict) -> str:
    """The numbers a rule read, as name = value (evidence records counted)."""
    shown = []
    for name, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            shown.append(f"{name}: {len(value)} record(s)")
        else:
            shown.append(f"{name} = {number(value)}")
    return "; ".join(shown)


def _rule_rows(check_result: dict) -> str:
    rows = []
    for result in check_result.get("rules") or []:
        threshold = result.get("threshold")
        rows.append(
            "<tr>"
            f"<td>{badge(result['status'])}</td>"
            f"<td>{html.escape(rule_sentence(result))}"
            f"<br><small><code>{html.escape(result['id'])}</code>"
            f"{' threshold ' + html.escape(number(threshold)) if threshold is not None else ''}"
            f" &middot; {html.escape(_values_text(result.get('values') or {}))}</small></td>"
            "</tr>"
        )
    return "".join(rows)


def check_row(check: str, check_result: dict) -> str:
    """One check of a card: a <details> whose summary is the status and the leading
    reason, and whose body is every rule and note of the check."""
    status = check_result["status"]
    leading = leading_result(check_result)
    sentence = rule_sentence(leading) if leading else "no rule results"
    if status == PASS:
        passed = len(check_result.get("rules") or [])
        more = f"{passed} rule(s) passed"
    else:
        others = not_passed_count(check_result) - 1
        more = f"+{others} more not passed" if others > 0 else ""
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in check_result.get("notes") or [])
    notes = f"<p><b>Notes</b></p><ul>{notes}</ul>" if notes else ""
    mode = check_result.get("mode")
    context = f"mode {html.escape(str(mode))}" if mode else ""
    if check_result.get("parental"):
        context += f", parental {html.escape(check_result['parental'])}"
    return (
        f'<details class="ipscqc-check" data-check="{html.escape(check)}"'
        f' data-status="{html.escape(status)}">'
        "<summary>"
        '<span class="ipscqc-fold"></span>'
        f"<span>{badge(status)}</span>"
        f'<span class="ipscqc-check-title">{html.escape(spec_of(check).title)}</span>'
        f'<span><span class="ipscqc-lead">{html.escape(sentence)}</span>'
        f' <span class="ipscqc-more">{html.escape(more)}</span></span>'
        "</summary>"
        '<div class="ipscqc-check-details">'
        f"<p>{context}</p>"
        f'<table class="table table-condensed"><tbody>{_rule_rows(check_result)}</tbody></table>'
        f"{notes}</div></details>"
    )


def decision_card(gate: dict) -> str:
    """The HTML card of one line's gate document."""
    line = html.escape(gate["line"])
    decision = gate["decision"]
    context = ", ".join(
        f"{key} {html.escape(str(gate.get(key)))}"
        for key in ("donor", "parental")
        if gate.get(key) is not None
    )
    if gate.get("parental") is None:
        context += ", no parental (line-only mode)"
    order = gate.get("check_order") or CHECKS  # the gate's order: identity first on a swap
    rows = "".join(
        check_row(check, gate["checks"][check]) for check in order if check in gate["checks"]
    )
    return (
        f'<div class="ipscqc-card" id="ipscqc-card-{line}" data-line="{line}"'
        f' data-decision="{html.escape(decision)}">'
        f'<div class="ipscqc-card-head" style="background-color:'
        f'{DECISION_COLOURS.get(decision, "#ffffff")}">'
        f'<span class="ipscqc-card-line">{line}</span>'
        f'<span class="ipscqc-decision">{badge(decision)}</span>'
        f'<span class="ipscqc-card-context">{context}</span></div>'
        f'<div class="ipscqc-card-checks">{rows}</div></div>'
    )


def decision_cards_section(gates: list[dict]) -> dict:
    """The report section with one decision card per line, in line order."""
    cards = [decision_card(gate) for gate in sorted(gates, key=lambda gate: gate["line"])]
    return {
        "id": SECTION_ID,
        "section_name": "Decision cards",
        "description": (
            "One card per line: the decision, then each check's status with its leading"
            " reason in plain words (numbers and threshold). Click a check to see every rule"
            " it applied and its notes. How to read a card, and what REVIEW and INCONCLUSIVE"
            " ask of a reviewer: docs/release_gate.md. The printable dossier of each line"
            " is results/dossiers/{line}.pdf."
        ),
        "plot_type": "html",
        "data": STYLE + ("\n".join(cards) or "<p>No lines.</p>"),
    }
