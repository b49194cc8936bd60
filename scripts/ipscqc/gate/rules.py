"""The release rules, one block per check, declared in rules.yaml beside this module.

Each rule is an id (its threshold's key under ``gate:`` in the config is the part after
the dot), the check it judges, a description, the numbers it reads (names the check
declares: one spelling, checked by the tests), and the status it gives when its
condition holds. Here are the Rule type, the named conditions rules.yaml can use, and
the item summaries named in reasons. docs/release_gate.md lists every rule with its
default (generated from rules.yaml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import FAIL, INCONCLUSIVE, PASS, REVIEW


@dataclass(frozen=True)
class Rule:
    """One release rule.

    `condition(values, threshold)` returns True when the rule's status applies. The
    rule is INCONCLUSIVE when any of `fields` is missing or of the wrong type, and
    PASS when the condition does not hold. `threshold` is None for rules without one.
    """

    id: str
    check: str
    description: str
    fields: tuple[str, ...]
    status: str
    condition: Callable[[dict, Any], bool]
    reason: str  # format string over the values and `threshold`
    kind: str = "number"  # "number" or "bool": the type every field must have
    paired_only: bool = False  # not applied to line-only findings
    shown: tuple[str, ...] = ()  # other numbers shown with the result (not required)
    parental_fields: tuple[str, ...] = ()  # required in paired mode only (None in line-only)
    applies: Callable[[dict], bool] | None = None  # on the findings; None: always applies
    superseded_by: str | None = None  # a rule whose non-PASS result already says this
    status_setting: str | None = None  # gate.<check>.<key> that may set the status

    def status_in(self, thresholds: dict) -> str:
        """The status when triggered: the configured one (``status_setting``), if it is a
        status other than PASS, else ``status``."""
        configured = thresholds.get(self.check, {}).get(self.status_setting or "")
        return configured if configured in STATUSES and configured != PASS else self.status

    @property
    def threshold_key(self) -> str:
        return self.id.split(".", 1)[1]


# ---------------------------------------------------------------- item summaries
# Events named with a rule's reason, read from a check's items (never required: a rule
# never depends on them). (check, name) -> function of the findings document.


def _labels(findings: dict, wanted: Callable[[dict], bool], label: Callable[[dict], str]):
    return [label(item) for item in findings["items"] if wanted(item)]


def _variant_label(item: dict) -> str:
    fraction = item.get("line_af")
    shown = f" AF {fraction:.2f}" if isinstance(fraction, int | float) else ""
    return f"{item['gene']} {item['protein_change']}{shown}"


def _segment_label(item: dict) -> str:
    """A call as people read coordinates: 1-based closed (items are 0-based half-open)."""
    regions = f" ({item['recurrent_regions']})" if item.get("recurrent_regions") else ""
    return f"{item['type']} {item['chrom']}:{item['start'] + 1}-{item['end']}{regions}"


def _call_place(item: dict) -> str:
    return f"{item['type']} {item['chrom']}:{item['start'] + 1:,}-{item['end']:,}"


def _fail_class_label(item: dict) -> str:
    """A FAIL-class call, 1-based closed, and why it is of that class."""
    return f"{_call_place(item)} ({item.get('class_reasons') or 'class FAIL'})"


def _review_class_label(item: dict) -> str:
    """A REVIEW-class call with its size, genes and score."""
    genes = [gene for gene in str(item.get("genes") or "").split(",") if gene]
    shown = ",".join(genes[:8]) + (f" and {len(genes) - 8} more" if len(genes) > 8 else "")
    score = item.get("score")
    score_text = f", score {score:.1f}" if isinstance(score, int | float) else ""
    return f"{_call_place(item)} ({item['size_bp']:,} bp, genes {shown or 'none'}{score_text})"


def _of_class(wanted: str) -> Callable[[dict], bool]:
    return lambda item: item.get("class") == wanted


def _acquired_in(tiers: tuple[str, ...]) -> Callable[[dict], bool]:
    return lambda item: (
        item["kind"] == "variant" and item.get("class") == "acquired" and item.get("tier") in tiers
    )


ITEM_SUMMARIES: dict[tuple[str, str], Callable[[dict], list[str]]] = {
    ("acquired_variants", "acquired_hotspot_variants"): lambda findings: _labels(
        findings, _acquired_in(("oncogenic_hotspot",)), _variant_label
    ),
    ("acquired_variants", "acquired_cancer_gene_variants"): lambda findings: _labels(
        findings, _acquired_in(("likely_oncogenic", "cancer_gene_coding")), _variant_label
    ),
    ("copy_number", "fail_class_calls"): lambda findings: _labels(
        findings, _of_class("FAIL"), _fail_class_label
    ),
    ("copy_number", "review_class_calls"): lambda findings: _labels(
        findings, _of_class("REVIEW"), _review_class_label
    ),
    ("copy_number", "mhc_calls"): lambda findings: _labels(
        findings, lambda item: bool(item.get("mhc")), _segment_label
    ),
}


# ---------------------------------------------------------------- conditions


def _original_sex(metrics: dict) -> str | None:
    """The sex a line started with: the declared one, else the inferred one."""
    declared = metrics.get("declared_sex")
    return declared if declared in ("female", "male") else metrics.get("inferred_sex")


def could_be_female(findings: dict) -> bool:
    """X loss is measured in female lines; a null x_loss of a male line is not missing."""
    metrics = findings["metrics"]
    return metrics.get("x_loss") is not None or _original_sex(metrics) == "female"


def could_be_male(findings: dict) -> bool:
    """Y loss is measured in male lines; a null y_loss of a female line is not missing."""
    metrics = findings["metrics"]
    return metrics.get("y_loss") is not None or _original_sex(metrics) == "male"


def mhc_region_set(findings: dict) -> bool:
    """The MHC rules apply when the check looked for an MHC (``copy_number.mhc_region``)."""
    return findings["adequacy"].get("mhc_region") is not None


def undercovered_fraction(values: dict, threshold: float) -> bool:
    checked = values["hotspots_checked"]
    return checked <= 0 or values["hotspots_undercovered"] / checked > threshold


def transgene_in_line_only(values: dict, threshold: int) -> bool:
    parental = values["parental_transgene_junction_reads"]  # None: no parental (line-only)
    return values["transgene_junction_reads"] > threshold and (
        parental is None or parental <= threshold
    )


def transgene_in_both(values: dict, threshold: int) -> bool:
    parental = values["parental_transgene_junction_reads"]
    return (
        values["transgene_junction_reads"] > threshold
        and parental is not None
        and parental > threshold
    )


# Named conditions and applicability tests that rules.yaml may use (`when`, `applies_to`).
CONDITIONS: dict[str, Callable[[dict, Any], bool]] = {
    "undercovered_fraction": undercovered_fraction,
    "transgene_in_line_only": transgene_in_line_only,
    "transgene_in_both": transgene_in_both,
}
APPLIES: dict[str, Callable[[dict], bool]] = {
    "could_be_female": could_be_female,
    "could_be_male": could_be_male,
    "mhc_region_set": mhc_region_set,
}
STATUSES = {"PASS": PASS, "REVIEW": REVIEW, "INCONCLUSIVE": INCONCLUSIVE, "FAIL": FAIL}


def _condition(when: str, field: str) -> tuple[Callable[[dict, Any], bool], str]:
    """The condition of a `when` and the kind of the numbers it reads."""
    if when == "above":
        return (lambda values, threshold: values[field] > threshold), "number"
    if when == "below":
        return (lambda values, threshold: values[field] < threshold), "number"
    if when in ("true", "false"):
        wanted = when == "true"
        return (lambda values, threshold: values[field] is wanted), "bool"
    return CONDITIONS[when], "number"


RULES_FILE = Path(__file__).with_name("rules.yaml")


def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of rules.yaml, in its order."""
    import yaml

    rules = []
    for check, entries in yaml.safe_load(path.read_text()).items():
        for entry in entries:
            condition, kind = _condition(entry["when"], entry["reads"][0])
            rules.append(
                Rule(
                    id=f"{check}.{entry['id']}",
                    check=check,
                    description=entry["description"],
                    fields=tuple(entry["reads"]),
                    status=STATUSES[entry["status"]],
                    condition=condition,
                    reason=entry["reason"],
                    kind=kind,
                    paired_only=bool(entry.get("paired_only", False)),
                    shown=tuple(entry.get("shows", ())),
                    parental_fields=tuple(entry.get("parental_only", ())),
                    applies=APPLIES[entry["applies_to"]] if "applies_to" in entry else None,
                    superseded_by=entry.get("superseded_by"),
                    status_setting=entry.get("status_from"),
                )
            )
    return tuple(rules)


RULES: tuple[Rule, ...] = load_rules()
RULES_BY_ID = {rule.id: rule for rule in RULES}
