"""Applying the rules: one findings document -> one check's status; a line's findings
-> its decision. Reads only findings files (validated against the findings schema and
the checks' declarations) and writes the gate document (schemas/gate.schema.yaml)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ipscqc.checks import CHECKS, spec_of
from ipscqc.contract import load_findings

from . import FAIL, INCONCLUSIVE, PASS, REVIEW, SEVERITY, STATUSES, worst
from .rules import ITEM_SUMMARIES, RULES, RULES_BY_ID, Rule

GATE_FORMAT = "ipsc-qc gate 1"


def field_value(findings: dict, check: str, name: str) -> Any:
    """A number a rule reads: a declared metric of the check (from its section), or an
    item summary; None when it is null or not finite."""
    summary = ITEM_SUMMARIES.get((check, name))
    if summary is not None:
        return summary(findings)
    value = findings[spec_of(check).metric(name).section][name]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> Any:
    """A value as a reason shows it: null for None, floats to 4 significant digits."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return value


def _format(template: str, values: dict) -> str:
    shown = {key: _shown(value) for key, value in values.items()}
    try:
        return template.format(**shown)
    except (KeyError, ValueError, TypeError):
        return template + " " + json.dumps(values, sort_keys=True)


def rule_result(rule_id: str, check: str, status: str, reason: str, values=None, threshold=None):
    return {
        "id": rule_id,
        "check": check,
        "status": status,
        "reason": reason,
        "values": values or {},
        "threshold": threshold,
    }


def evaluate_rule(rule: Rule, findings: dict, thresholds: dict) -> dict | None:
    """The result of one rule on one findings document; None when it does not apply."""
    line_only = not findings["parental"]
    if rule.paired_only and line_only:
        return None
    if rule.applies is not None and not rule.applies(findings):
        return None
    threshold = thresholds.get(rule.check, {}).get(rule.threshold_key)
    values = {name: field_value(findings, rule.check, name) for name in rule.fields + rule.shown}
    result = {
        "id": rule.id,
        "check": rule.check,
        "description": rule.description,
        "values": values,
        "threshold": threshold,
    }
    required = [name for name in rule.fields if not (line_only and name in rule.parental_fields)]
    wrong_type = [
        name
        for name in rule.fields
        if values[name] is not None
        and not (isinstance(values[name], bool) if rule.kind == "bool" else is_number(values[name]))
    ]
    missing = [name for name in required if values[name] is None]
    if missing or wrong_type:
        problems = [f"{name} is missing or null" for name in missing]
        problems += [f"{name} has the wrong type ({values[name]!r})" for name in wrong_type]
        return {**result, "status": INCONCLUSIVE, "reason": "; ".join(problems)}
    if rule.kind == "number" and not is_number(threshold):
        return {
            **result,
            "status": INCONCLUSIVE,
            "reason": f"no threshold gate.{rule.check}.{rule.threshold_key} in the config",
        }
    if rule.condition(values, threshold):
        status = rule.status
        if rule.status_setting:
            chosen = thresholds.get(rule.check, {}).get(rule.status_setting, rule.status)
            status = chosen if chosen in STATUSES and chosen != PASS else rule.status
        return {
            **result,
            "status": status,
            "reason": _format(rule.reason, {**values, "threshold": threshold}),
        }
    return {**result, "status": PASS, "reason": ""}


def _envelope_results(check, findings, thresholds, declared_parental, parental_read_qc):
    """Results that come from the findings' envelope rather than from a rule: a check
    that could not look, a parental other than the declared one, line-only mode, and a
    parental whose read QC does not pass."""
    results = []
    if findings["not_assessed"]:
        results.append(
            rule_result(f"{check}.not_assessed", check, INCONCLUSIVE, findings["not_assessed"])
        )
    used_parental = findings["parental"]
    if used_parental is not None and used_parental != (declared_parental or None):
        results.append(
            rule_result(
                f"{check}.parental",
                check,
                INCONCLUSIVE,
                f"findings compare with {used_parental!r}, the sheet declares"
                f" {declared_parental!r}",
            )
        )
    if spec_of(check).paired and not used_parental:
        status = thresholds.get("line_only_status", REVIEW)
        results.append(
            rule_result(
                f"{check}.line_only",
                check,
                status if status in STATUSES and status != PASS else REVIEW,
                "line-only mode: no parental sample to tell acquired from inherited",
                {"mode": findings["mode"]},
            )
        )
    if used_parental and check != "read_qc" and parental_read_qc is not None:
        parental_status = parental_read_qc["status"]
        if parental_status != PASS:
            reasons = "; ".join(parental_read_qc["reasons"]) or parental_status
            results.append(
                rule_result(
                    f"{check}.parental_read_qc",
                    check,
                    INCONCLUSIVE,
                    f"parental {used_parental} read QC is {parental_status} ({reasons})",
                    {"parental_read_qc": parental_status},
                )
            )
    return results


def evaluate_check(
    check: str,
    findings: dict | None,
    problem: str | None,
    thresholds: dict,
    declared_parental: str | None = None,
    parental_read_qc: dict | None = None,
) -> dict:
    """Status of one check of one sample: worst of its rules, with their results.

    ``findings`` is a validated document, or None with ``problem`` saying why there is
    none. parental_read_qc is the evaluated read_qc check of the declared parental (or
    None for a line without one); paired checks inherit an INCONCLUSIVE from it.
    """
    if findings is None:
        results = [rule_result(f"{check}.findings", check, INCONCLUSIVE, problem or "no findings")]
    else:
        results = _envelope_results(
            check, findings, thresholds, declared_parental, parental_read_qc
        )
        if not findings["not_assessed"]:
            for rule in RULES:
                if rule.check == check:
                    result = evaluate_rule(rule, findings, thresholds)
                    if result is not None:
                        results.append(result)
    by_id = {result["id"]: result for result in results}
    for result in results:
        rule = RULES_BY_ID.get(result["id"])
        covering = by_id.get(rule.superseded_by) if rule and rule.superseded_by else None
        if covering is not None and SEVERITY[covering["status"]] > SEVERITY[result["status"]]:
            result["reason"] = f"covered by {covering['id']} ({covering['status']})"
            result["status"] = PASS
    return {
        "status": worst(result["status"] for result in results),
        "reasons": [result["reason"] for result in results if result["status"] != PASS],
        "mode": (findings or {}).get("mode"),
        "parental": (findings or {}).get("parental"),
        "rules": results,
        "notes": list((findings or {}).get("notes") or []),
        # how well the check could look (its declared adequacy numbers), shown as they are
        "adequacy": dict((findings or {}).get("adequacy") or {}),
    }


def evaluate_file(path, check: str, sample: str, thresholds: dict, **context) -> dict:
    """evaluate_check on a findings file: a file that is missing or does not validate
    makes the check INCONCLUSIVE with the reason."""
    document, problem = load_findings(path, spec_of(check), sample)
    return evaluate_check(check, document, problem, thresholds, **context)


# When the line is not its parental's individual, the reasons (and the decision card and
# dossier, which follow the gate's order) start with the checks that say so.
IDENTITY_FIRST = ("identity", "sex")


def not_comparable_reason(identity: dict | None, line: str) -> str | None:
    """Why the paired checks cannot judge the line against its parental, from the line's
    identity findings (``paired_assessable`` false: conclusively another individual), or
    None when they can (or identity could not tell: its own rules then decide)."""
    if identity is None or identity["metrics"].get("paired_assessable") is not False:
        return None
    metrics = identity["metrics"]
    relatedness = metrics.get("relatedness_to_parental")
    shown = "" if relatedness is None else f" (relatedness {relatedness:.2f})"
    best = metrics.get("best_match_sample")
    where = f"; it matches {best} (donor {metrics.get('best_match_donor')})" if best else ""
    return (
        f"not assessable against this parental: {line} is a different individual from"
        f" {identity['parental']}{shown}{where}"
    )


def against_other_individual(check: str, result: dict, reason: str) -> dict:
    """A paired check's result when the line is another individual than its parental:
    one INCONCLUSIVE rule with the reason instead of the differences between two people
    (kept as they are when the check already wrote null findings for that reason)."""
    if any(rule["id"] == f"{check}.not_assessed" for rule in result["rules"]):
        return result
    rule = rule_result(f"{check}.pairing", check, INCONCLUSIVE, reason)
    return {**result, "status": INCONCLUSIVE, "reasons": [reason], "rules": [rule]}


def check_order(checks: dict) -> list[str]:
    """The checks in the order of the reasons: CHECKS, with identity and sex first when
    identity fails (a swap is a swap, not a list of mutations)."""
    order = [check for check in CHECKS if check in checks]
    if checks.get("identity", {}).get("status") == FAIL:
        order = [c for c in IDENTITY_FIRST if c in checks] + [
            c for c in order if c not in IDENTITY_FIRST
        ]
    return order


def gate_line(
    line: str,
    parental: str | None,
    findings_paths: dict[str, str | Path],
    thresholds: dict,
    donor: str | None = None,
    parental_read_qc_path: str | Path | None = None,
) -> dict:
    """The gate's decision for one line from its findings files (check -> path) and its
    parental's read_qc findings. A check of CHECKS without a path is INCONCLUSIVE."""
    parental = parental or None
    parental_read_qc = None
    if parental:
        parental_read_qc = evaluate_file(
            parental_read_qc_path or "", "read_qc", parental, thresholds
        )
    identity = None
    if parental and findings_paths.get("identity") is not None:
        identity, _ = load_findings(findings_paths["identity"], spec_of("identity"), line)
    not_comparable = not_comparable_reason(identity, line)
    checks = {}
    for check in CHECKS:
        path = findings_paths.get(check)
        if path is None:
            checks[check] = evaluate_check(
                check, None, f"no findings file for check {check}", thresholds
            )
            continue
        checks[check] = evaluate_file(
            path,
            check,
            line,
            thresholds,
            declared_parental=parental,
            parental_read_qc=parental_read_qc,
        )
        if not_comparable and spec_of(check).paired and check != "identity":
            checks[check] = against_other_individual(check, checks[check], not_comparable)
    decision = worst(check["status"] for check in checks.values())
    order = check_order(checks)
    reasons = [f"{check}: {reason}" for check in order for reason in checks[check]["reasons"]]
    return {
        "format": GATE_FORMAT,
        "line": line,
        "donor": donor,
        "parental": parental,
        "decision": decision,
        "reasons": reasons,
        "checks": checks,
        "check_order": order,
        "parental_read_qc": parental_read_qc,
        "thresholds": thresholds,
    }


def gate_problems(document: Any) -> list[str]:
    """Where a gate document breaks schemas/gate.schema.yaml: one message per problem."""
    import jsonschema
    import yaml

    from ipscqc.contract import SCHEMAS

    schema = yaml.safe_load((SCHEMAS / "gate.schema.yaml").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(document)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def read_gate(path: str | Path) -> dict:
    """A gate document that validates; anything else raises with the problems."""
    from ipscqc.contract import read_json

    document = read_json(path)
    problems = gate_problems(document)
    if problems:
        raise ValueError(f"{path}: not a valid gate document: " + "; ".join(problems[:5]))
    return document


def write_gate(path: str | Path, document: dict) -> None:
    from ipscqc.contract import clean, write_json

    document = clean(document)
    problems = gate_problems(document)
    if problems:
        raise ValueError("gate document breaks its schema: " + "; ".join(problems[:5]))
    write_json(path, document)
