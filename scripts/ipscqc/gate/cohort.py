"""The cohort summary (one row per line) and strict mode (every line PASS or a failure)."""

from __future__ import annotations

from ipscqc.checks import CHECKS

from . import INCONCLUSIVE, PASS

SUMMARY_COLUMNS = ("line", "donor", "parental", "decision", *CHECKS, "reasons")


def summary_row(gate: dict) -> dict:
    row = {
        "line": gate["line"],
        "donor": gate.get("donor") or "",
        "parental": gate.get("parental") or "",
        "decision": gate["decision"],
    }
    for check in CHECKS:
        row[check] = gate["checks"].get(check, {}).get("status", INCONCLUSIVE)
    row["reasons"] = "; ".join(gate["reasons"]) if gate["reasons"] else ""
    return row


def cohort_summary_tsv(gates: list[dict]) -> str:
    """One row per line, sorted by line; tabs and newlines in reasons are replaced."""
    lines = ["\t".join(SUMMARY_COLUMNS)]
    for gate in sorted(gates, key=lambda gate: gate["line"]):
        row = summary_row(gate)
        lines.append(
            "\t".join(
                str(row[column]).replace("\t", " ").replace("\n", " ") for column in SUMMARY_COLUMNS
            )
        )
    return "\n".join(lines) + "\n"


def read_cohort_summary(text: str) -> list[dict]:
    rows = text.splitlines()
    if not rows:
        return []
    header = rows[0].split("\t")
    return [dict(zip(header, row.split("\t"), strict=False)) for row in rows[1:] if row]


def strict_failures(rows: list[dict]) -> list[str]:
    """Lines that stop an automatic release: every line that is not PASS.

    An empty cohort is itself a failure (nothing was shown to be safe).
    """
    if not rows:
        return ["(no lines in the cohort summary)"]
    return [
        f"{row.get('line', '?')}: {row.get('decision') or 'no decision'}"
        for row in rows
        if row.get("decision") != PASS
    ]
