"""Docs tables generated from the code: the metric tables of docs/findings.md (from the
checks' declarations) and the rules table of docs/release_gate.md (from the gate's
rules, the numbers they read and the config schema's defaults).

A page holds each table between markers: ``<!-- metrics:{check} -->`` ...
``<!-- /metrics:{check} -->`` for a check's numbers, ``<!-- rules -->`` ...
``<!-- /rules -->`` for the rules. The tests check that the pages are in step with the
code; this command rewrites them:

    PYTHONPATH=scripts python -m ipscqc.docs docs/findings.md docs/release_gate.md
    PYTHONPATH=scripts python -m ipscqc.docs --check docs/findings.md docs/release_gate.md
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ipscqc.checks import CHECKS, spec_of
from ipscqc.contract import CheckSpec

MARKERS = re.compile(r"(<!-- metrics:(\w+) -->\n)(.*?)(<!-- /metrics:\2 -->)", re.DOTALL)
RULES_MARKERS = re.compile(r"(<!-- rules -->\n)(.*?)(<!-- /rules -->)", re.DOTALL)
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"


def metrics_table(spec: CheckSpec) -> str:
    """A Markdown table of a check's declared numbers, in declaration order."""
    rows = ["| number | in | kind | meaning |", "|---|---|---|---|"]
    for declared in spec.metrics:
        kind = declared.kind + (f" ({declared.unit})" if declared.unit else "")
        if declared.values:
            kind += ": " + ", ".join(f"`{value}`" for value in declared.values)
        meaning = declared.meaning.replace("|", "\\|")
        rows.append(f"| `{declared.name}` | {declared.section} | {kind} | {meaning} |")
    return "\n".join(rows) + "\n"


def gate_defaults() -> dict:
    """The schema's default of every gate threshold: check -> key -> value."""
    import yaml

    gate = yaml.safe_load(SCHEMA.read_text())["properties"]["gate"]["properties"]
    return {
        check: {key: spec.get("default") for key, spec in block.get("properties", {}).items()}
        for check, block in gate.items()
        if isinstance(block, dict) and block.get("type") == "object"
    }


def rules_table() -> str:
    """A Markdown table of every release rule: what it checks, the numbers it reads (by
    their findings section), its default threshold and the status it gives."""
    from ipscqc.gate.rules import RULES

    defaults = gate_defaults()
    rows = [
        "| rule | what it checks | reads (findings) | default | status when triggered |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        spec = spec_of(rule.check)
        reads = ", ".join(f"`{spec.metric(name).section}.{name}`" for name in rule.fields)
        if rule.kind == "bool":
            default, status = "—", f"{rule.status} when it holds"
        else:
            default, status = str(defaults[rule.check][rule.threshold_key]), rule.status
        if rule.status_setting:
            setting = defaults[rule.check][rule.status_setting]
            status = f"{setting} (`gate.{rule.check}.{rule.status_setting}`)"
        extra = " (paired only)" if rule.paired_only else ""
        rows.append(f"| `{rule.id}` | {rule.description}{extra} | {reads} | {default} | {status} |")
    return "\n".join(rows) + "\n"


def render(text: str, specs: dict[str, CheckSpec] | None = None) -> str:
    """The page with every marked table regenerated."""
    specs = specs or {check: spec_of(check) for check in CHECKS}

    def table(match: re.Match) -> str:
        check = match.group(2)
        if check not in specs:
            raise KeyError(f"docs marker for unknown check {check!r}")
        return match.group(1) + metrics_table(specs[check]) + match.group(4)

    text = MARKERS.sub(table, text)
    return RULES_MARKERS.sub(lambda match: match.group(1) + rules_table() + match.group(3), text)


def marked_checks(text: str) -> list[str]:
    return [match.group(2) for match in MARKERS.finditer(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ipscqc.docs", description=__doc__)
    parser.add_argument("pages", type=Path, nargs="+")
    parser.add_argument("--check", action="store_true", help="exit 1 when a page is stale")
    args = parser.parse_args(argv)
    stale = []
    for page in args.pages:
        text = page.read_text()
        rendered = render(text)
        if rendered != text:
            stale.append(page)
            if not args.check:
                page.write_text(rendered)
    if args.check and stale:
        names = ", ".join(str(page) for page in stale)
        print(f"out of date: {names}; run python -m ipscqc.docs on them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
