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
    when: str = ""  # the condition's name in rules.yaml: above, below, true, false, ...
    paired_only: bool = False  # not applied to line-only findings
    shown: tuple[str, ...] = ()  # other numbers shown with the result (not required)
    parental_fields: tuple[str, ...] = ()  # required in paired mode only (None in line-only)
    applies: Callable[[dict], bool] | None = None  # on the findings; None: always applies
    superseded_by: str | None = None  # a rule whose non-PASS result already says this
    threshold_name: str = ""  # the threshold's key when another rule's (default: the id's)
    status_setting: str | None = None  # gate.<check>.<key> whose value replaces `status`

    @property
    def threshold_key(self) -> str:
        return self.threshold_name or self.id.split(".", 1)[1]


# ---------------------------------------------------------------- item summaries
# Events named with a rule's reason, read from a check's items (never required: a rule
# never depends on them). (check, name) -> function of the findings document.


def _labels(findings: dict, wanted: Callable[[dict], bool], label: Callable[[dict], str]):
    return [label(item) for item in findings["items"] if wanted(item)]


def _variant_label(item: dict) -> str:
    fraction = item.get("line_af")
    shown = f" AF {fraction:.2f}" if isinstance(fraction, int | float) else ""
    return f"{item['gene']} {item['protein_change']}{shown}"


def _carried_label(item: dict) -> str:
    """``DNMT3A p.R882H AF 0.50 (donor_mosaic, parental AF 0.15)``: the origin named."""
    origin = item.get("origin") or item.get("class") or "unknown"
    if origin == "unknown":
        origin = f"origin unknown: {item.get('reason') or item.get('class')}"
    parental = item.get("parental_af")
    if isinstance(parental, int | float) and origin != "acquired":
        origin += f", parental AF {parental:.2f}"
    return f"{_variant_label(item)} ({origin})"


def _carried_in(tiers: tuple[str, ...], germline: bool | None) -> Callable[[dict], bool]:
    """Carried variant items of the tiers; germline True/False: only/never the donor's
    germline, None: any origin."""

    def wanted(item: dict) -> bool:
        if item["kind"] != "variant" or not item.get("line_carries"):
            return False
        if item.get("tier") not in tiers:
            return False
        return germline is None or (item.get("origin") == "germline") is germline

    return wanted


def _uncertain_flagged(item: dict) -> bool:
    return (
        item["kind"] == "variant"
        and item.get("class") == "uncertain"
        and bool(item.get("line_alt"))
        and (
            item.get("gene") == "TP53"
            or item.get("tier") in ("oncogenic_hotspot", "likely_oncogenic")
        )
    )


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


# Evidence records: the fields of each event behind a rule, so that a reason can be said
# in plain words with its numbers (ipscqc.plain_words) without reading the findings again.
# Segment coordinates stay as the items have them: 0-based, end exclusive.
VARIANT_EVIDENCE = (
    "gene", "protein_change", "hotspot", "tier", "class", "chrom", "pos", "ref", "alt",
    "line_alt", "line_depth", "line_af", "parental_alt", "parental_depth", "parental_af",
    "origin", "reason", "filters",
)  # fmt: skip
SEGMENT_EVIDENCE = (
    "type", "chrom", "start", "end", "size_bp", "copy_number", "reference_copies",
    "mosaic_fraction", "scope", "recurrent_regions", "class", "class_reasons", "score",
    "genes", "gene_count", "driver_regions", "tumour_suppressors_lost",
)  # fmt: skip
VECTOR_EVIDENCE = (
    "name",
    "reads",
    "copies_per_cell",
    "local_copies_per_cell",
    "parental_copies_per_cell",
)
TRANSGENE_EVIDENCE = (
    "name",
    "junction_reads",
    "parental_junction_reads",
    "junctions_with_reads",
    "junctions",
)
MAX_EVIDENCE = 20  # records per rule; the rule's count says how many there are in all


def _records(findings: dict, wanted: Callable[[dict], bool], fields: tuple[str, ...]):
    """The fields of the items a rule is about (at most MAX_EVIDENCE of them)."""
    chosen = [item for item in findings["items"] if wanted(item)][:MAX_EVIDENCE]
    return [{key: item[key] for key in fields if key in item} for item in chosen]


def _vector_detected(item: dict) -> bool:
    return item.get("kind") in ("vector", "vector_family") and bool(item.get("detected"))


def _transgene_seen(item: dict) -> bool:
    return item.get("kind") == "transgene" and (
        bool(item.get("detected")) or (item.get("junction_reads") or 0) > 0
    )


def _evidence(wanted: Callable[[dict], bool], fields: tuple[str, ...]):
    return lambda findings: _records(findings, wanted, fields)


def _summary(wanted: Callable[[dict], bool], label: Callable[[dict], str]):
    return lambda findings: _labels(findings, wanted, label)


# which items each rule is about
_ACQUIRED_HOTSPOT = _acquired_in(("oncogenic_hotspot",))
_ACQUIRED_CANCER_GENE = _acquired_in(("likely_oncogenic", "cancer_gene_coding"))
_CARRIED_HOTSPOT = _carried_in(("oncogenic_hotspot",), False)
_CARRIED_LIKELY_ONCOGENIC = _carried_in(("likely_oncogenic",), False)
_GERMLINE_ONCOGENIC = _carried_in(("oncogenic_hotspot", "likely_oncogenic"), True)
_FAIL_CLASS, _REVIEW_CLASS = _of_class("FAIL"), _of_class("REVIEW")


def _in_mhc(item: dict) -> bool:
    return bool(item.get("mhc"))


EVIDENCE: dict[tuple[str, str], Callable[[dict], list[dict]]] = {
    ("acquired_variants", "acquired_hotspot_evidence"): _evidence(
        _ACQUIRED_HOTSPOT, VARIANT_EVIDENCE
    ),
    ("acquired_variants", "acquired_cancer_gene_evidence"): _evidence(
        _ACQUIRED_CANCER_GENE, VARIANT_EVIDENCE
    ),
    ("acquired_variants", "carried_hotspot_evidence"): _evidence(
        _CARRIED_HOTSPOT, VARIANT_EVIDENCE
    ),
    ("acquired_variants", "carried_likely_oncogenic_evidence"): _evidence(
        _CARRIED_LIKELY_ONCOGENIC, VARIANT_EVIDENCE
    ),
    ("acquired_variants", "germline_oncogenic_evidence"): _evidence(
        _GERMLINE_ONCOGENIC, VARIANT_EVIDENCE
    ),
    ("acquired_variants", "uncertain_flagged_evidence"): _evidence(
        _uncertain_flagged, VARIANT_EVIDENCE
    ),
    ("copy_number", "fail_class_evidence"): _evidence(_FAIL_CLASS, SEGMENT_EVIDENCE),
    ("copy_number", "review_class_evidence"): _evidence(_REVIEW_CLASS, SEGMENT_EVIDENCE),
    ("copy_number", "mhc_evidence"): _evidence(_in_mhc, SEGMENT_EVIDENCE),
    ("vectors", "vector_evidence"): _evidence(_vector_detected, VECTOR_EVIDENCE),
    ("vectors", "transgene_evidence"): _evidence(_transgene_seen, TRANSGENE_EVIDENCE),
}


ITEM_SUMMARIES: dict[tuple[str, str], Callable[[dict], list[str]]] = {
    ("acquired_variants", "carried_hotspot_variants"): _summary(_CARRIED_HOTSPOT, _carried_label),
    ("acquired_variants", "carried_likely_oncogenic_variants"): _summary(
        _CARRIED_LIKELY_ONCOGENIC, _carried_label
    ),
    ("acquired_variants", "germline_oncogenic_variants"): _summary(
        _GERMLINE_ONCOGENIC, _carried_label
    ),
    ("acquired_variants", "uncertain_flagged_variants"): _summary(
        _uncertain_flagged, _carried_label
    ),
    ("acquired_variants", "acquired_cancer_gene_variants"): _summary(
        _ACQUIRED_CANCER_GENE, _variant_label
    ),
    ("copy_number", "fail_class_calls"): _summary(_FAIL_CLASS, _fail_class_label),
    ("copy_number", "review_class_calls"): _summary(_REVIEW_CLASS, _review_class_label),
    ("copy_number", "mhc_calls"): _summary(_in_mhc, _segment_label),
    **EVIDENCE,
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
    """Y loss is measured in male lines; a null y_loss of a female line is not missing.

    Nor is that of a male line the check says cannot be assessed (``y_loss_basis``
    not_assessable: no male parental and no Y regions BED for the build): that happens
    in line-only mode only, where the line cannot PASS anyway (the paired checks' line-
    only rule), and a normal male line must not read as a Y loss nor block its sex check;
    the check's notes say that Y loss was not assessed."""
    metrics = findings["metrics"]
    if metrics.get("y_loss") is None and metrics.get("y_loss_basis") == "not_assessable":
        return False
    return metrics.get("y_loss") is not None or _original_sex(metrics) == "male"


def mhc_region_set(findings: dict) -> bool:
    """The MHC rules apply when the check looked for an MHC (``copy_number.mhc_region``)."""
    return findings["adequacy"].get("mhc_region") is not None


def carried_not_germline(fields: tuple[str, ...]) -> Callable[[dict, Any], bool]:
    """A count of carried alleles (the first number read) less those of the donor's
    germline (the second; null in line-only mode, where no origin is known: none
    subtracted), above the threshold."""
    carried, germline = fields[:2]
    return lambda values, threshold: values[carried] - (values[germline] or 0) > threshold


def sum_above(fields: tuple[str, ...]) -> Callable[[dict, Any], bool]:
    """The sum of every number the rule reads above the threshold."""
    return lambda values, threshold: sum(values[name] or 0 for name in fields) > threshold


def undercovered_fraction(values: dict, threshold: float) -> bool:
    checked = values["hotspots_checked"]
    return checked <= 0 or values["hotspots_undercovered"] / checked > threshold


def transgene_in_line_only(values: dict, threshold: int) -> bool:
    parental = values["parental_transgene_junction_reads"]  # None: no parental (line-only)
    return values["transgene_junction_reads"] > threshold and (
        parental is None or parental <= threshold
    )


def undetected_above_limit(values: dict, threshold: float) -> bool:
    """No vector detected, and the depth could miss a load above the limit."""
    return not values.get("vectors_detected") and values["vector_detection_limit"] > threshold


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
    "undetected_above_limit": undetected_above_limit,
}
# conditions built from the names a rule reads (`when`)
FIELD_CONDITIONS: dict[str, Callable[[tuple[str, ...]], Callable[[dict, Any], bool]]] = {
    "carried_not_germline": carried_not_germline,
    "sum_above": sum_above,
}


def fraction_withheld(findings: dict) -> bool:
    """The contamination fraction is null (too imprecise, or too few sites): only then
    does its interval's lower end speak for it; a given fraction is judged itself."""
    return findings["metrics"].get("contamination_fraction") is None


APPLIES: dict[str, Callable[[dict], bool]] = {
    "could_be_female": could_be_female,
    "could_be_male": could_be_male,
    "mhc_region_set": mhc_region_set,
    "fraction_withheld": fraction_withheld,
    "line_only": lambda findings: not findings["parental"],
}
STATUSES = {"PASS": PASS, "REVIEW": REVIEW, "INCONCLUSIVE": INCONCLUSIVE, "FAIL": FAIL}


def _condition(when: str, fields: tuple[str, ...]) -> tuple[Callable[[dict, Any], bool], str]:
    """The condition of a `when` and the kind of the numbers it reads."""
    field = fields[0]
    if when in FIELD_CONDITIONS:
        return FIELD_CONDITIONS[when](fields), "number"
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
            condition, kind = _condition(entry["when"], tuple(entry["reads"]))
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
                    when=entry["when"],
                    paired_only=bool(entry.get("paired_only", False)),
                    shown=tuple(entry.get("shows", ())),
                    parental_fields=tuple(entry.get("parental_only", ())),
                    applies=APPLIES[entry["applies_to"]] if "applies_to" in entry else None,
                    superseded_by=entry.get("superseded_by"),
                    threshold_name=entry.get("threshold", ""),
                    status_setting=entry.get("status_setting"),
                )
            )
    return tuple(rules)


RULES: tuple[Rule, ...] = load_rules()
RULES_BY_ID = {rule.id: rule for rule in RULES}
