"""The release gate: findings files in, one decision per line out.

The gate reads only findings files (docs/findings.md). Each rule is one entry of the
RULES table: an id (which is also its threshold's key under ``gate:`` in the config),
the check it judges, a description, the numbers it reads (through FIELDS, the one
place that says where each number lives in the findings) and the status it gives
when its condition holds. docs/release_gate.md lists every rule with its default.

Statuses, from best to worst: PASS < REVIEW < INCONCLUSIVE < FAIL.

- A check's status is the worst status of its rules; a line's decision is the worst
  status of its checks. A FAIL is therefore never hidden by an INCONCLUSIVE, and an
  INCONCLUSIVE can only become FAIL, never PASS or REVIEW.
- INCONCLUSIVE ranks above REVIEW: a reviewer can clear a REVIEW by looking at the
  evidence, but an INCONCLUSIVE check has no evidence to look at (new data is needed).
- Fail closed: a missing, unreadable or foreign findings file, a missing metric or a
  null metric makes the rule that needs it INCONCLUSIVE, never PASS.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipscqc.findings import CHECKS

PASS, REVIEW, INCONCLUSIVE, FAIL = "PASS", "REVIEW", "INCONCLUSIVE", "FAIL"
STATUSES = (PASS, REVIEW, INCONCLUSIVE, FAIL)  # best to worst
SEVERITY = {status: rank for rank, status in enumerate(STATUSES)}

# The checks a line's decision is made of, in report order.
LINE_CHECKS = CHECKS
# Checks whose evidence is a comparison with the parental; in line-only mode they are
# weaker (rule line_only_status) and a parental with poor read QC makes them INCONCLUSIVE.
PAIRED_CHECKS = ("acquired_variants", "copy_number", "identity")

# Where the gate reads each number: name used by the rules -> (check, envelope section,
# keys tried in order). The first key present in the findings is used; if none is
# present, or its value is null, every rule reading the number is INCONCLUSIVE.
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # read_qc (this project's own check; any sample)
    "reads_after_trimming": ("read_qc", "metrics", ("reads_after_trimming",)),
    "q30_fraction": ("read_qc", "metrics", ("q30_fraction",)),
    "mapped_fraction": ("read_qc", "metrics", ("mapped_fraction",)),
    "duplicate_fraction": ("read_qc", "metrics", ("duplicate_fraction",)),
    "mean_depth": ("read_qc", "metrics", ("mean_depth",)),
    "callable_fraction": ("read_qc", "metrics", ("callable_fraction",)),
    # acquired_variants
    "acquired_count": ("acquired_variants", "metrics", ("acquired_count",)),  # shown only
    "acquired_hotspot_count": ("acquired_variants", "metrics", ("acquired_hotspot_count",)),
    "acquired_cancer_gene_count": (
        "acquired_variants",
        "metrics",
        ("acquired_cancer_gene_count",),
    ),
    "max_hotspot_af": ("acquired_variants", "metrics", ("max_hotspot_af",)),
    "uncertain_flagged_count": ("acquired_variants", "metrics", ("uncertain_flagged_count",)),
    "worst_acquired_tier": ("acquired_variants", "metrics", ("worst_acquired_tier",)),
    "hotspots_checked": ("acquired_variants", "metrics", ("hotspots_checked",)),
    "hotspots_undercovered": ("acquired_variants", "metrics", ("hotspots_undercovered",)),
    "min_detectable_af": (
        "acquired_variants",
        "metrics",
        ("min_detectable_af",),
    ),
    "variants_line_median_depth": (
        "acquired_variants",
        "adequacy",
        ("median_depth", "line_median_depth"),
    ),
    "variants_parental_median_depth": (
        "acquired_variants",
        "adequacy",
        ("parental_median_depth",),
    ),
    # copy_number
    "cn_call_count": ("copy_number", "metrics", ("call_count",)),
    "largest_event_bp": ("copy_number", "metrics", ("largest_event_bp",)),
    "whole_chromosome_event_count": ("copy_number", "metrics", ("whole_chromosome_event_count",)),
    "recurrent_region_hit_count": ("copy_number", "metrics", ("recurrent_region_hit_count",)),
    "max_mosaic_fraction": ("copy_number", "metrics", ("max_mosaic_fraction",)),
    "cnloh_count": ("copy_number", "metrics", ("cnloh_count",)),
    "log2_noise": ("copy_number", "adequacy", ("log2_noise",)),
    "bins_used": ("copy_number", "adequacy", ("bins_used",)),
    "het_sites_used": ("copy_number", "adequacy", ("het_sites_used",)),
    # identity
    "informative_sites": ("identity", "metrics", ("informative_sites",)),
    "relatedness_to_parental": ("identity", "metrics", ("relatedness_to_parental",)),
    "concordance_to_parental": ("identity", "metrics", ("concordance_to_parental",)),
    "matches_declared_donor": ("identity", "metrics", ("matches_declared_donor",)),
    "best_match_sample": ("identity", "metrics", ("best_match_sample",)),
    "best_match_donor": ("identity", "metrics", ("best_match_donor",)),
    # sex
    "declared_sex": ("sex", "metrics", ("declared_sex",)),
    "inferred_sex": ("sex", "metrics", ("inferred_sex",)),
    "sex_matches": ("sex", "metrics", ("sex_matches",)),
    "x_loss": ("sex", "metrics", ("x_loss",)),
    "y_loss": ("sex", "metrics", ("y_loss",)),
    # contamination
    "contamination_fraction": ("contamination", "metrics", ("contamination_fraction",)),
    "contamination_sites_used": ("contamination", "metrics", ("sites_used",)),
    # vectors
    "max_vector_copies_per_cell": ("vectors", "metrics", ("max_vector_copies_per_cell",)),
    "vector_contig_with_max": ("vectors", "metrics", ("vector_contig_with_max",)),
    "transgene_junction_reads": ("vectors", "metrics", ("transgene_junction_reads",)),
    "transgene_genes": ("vectors", "metrics", ("transgene_genes",)),
    "parental_transgene_junction_reads": (
        "vectors",
        "metrics",
        ("parental_transgene_junction_reads",),
    ),
}

MISSING = None  # what `field_value` returns for a number that is absent or null


def _items(findings: dict | None, wanted: Callable[[dict], bool], label: Callable[[dict], str]):
    items = (findings or {}).get("items")
    if not isinstance(items, list):
        return MISSING
    labels = []
    for item in items:
        if isinstance(item, dict) and wanted(item):
            try:
                labels.append(label(item))
            except (KeyError, TypeError, ValueError):
                continue
    return labels


def _variant_label(item: dict) -> str:
    fraction = item.get("line_af")
    shown = f" AF {fraction:.2f}" if isinstance(fraction, int | float) else ""
    return f"{item.get('gene')} {item.get('protein_change') or item.get('hotspot')}{shown}"


def _segment_label(item: dict) -> str:
    regions = f" ({item['recurrent_regions']})" if item.get("recurrent_regions") else ""
    return f"{item['type']} {item['chrom']}:{item['start']}-{item['end']}{regions}"


def _acquired_in(tiers: tuple[str, ...]) -> Callable[[dict], bool]:
    return lambda item: (
        item.get("kind", "variant") == "variant"
        and item.get("class") == "acquired"
        and item.get("tier") in tiers
    )


# Numbers shown with a rule's reason that are read from a check's items, not its
# metrics: the events behind a count, named (never required: a rule never depends on
# them). Name -> (check, function of the findings document).
ITEM_FIELDS: dict[str, tuple[str, Callable[[dict | None], Any]]] = {
    "acquired_hotspot_variants": (
        "acquired_variants",
        lambda findings: _items(findings, _acquired_in(("oncogenic_hotspot",)), _variant_label),
    ),
    "acquired_cancer_gene_variants": (
        "acquired_variants",
        lambda findings: _items(
            findings, _acquired_in(("likely_oncogenic", "cancer_gene_coding")), _variant_label
        ),
    ),
    "whole_chromosome_events": (
        "copy_number",
        lambda findings: _items(
            findings,
            lambda item: item.get("scope") == "whole_chromosome" or item.get("whole_chromosome"),
            lambda item: f"{item['type']} {item['chrom']}",
        ),
    ),
    "recurrent_events": (
        "copy_number",
        lambda findings: _items(findings, lambda item: bool(item.get("recurrent")), _segment_label),
    ),
    "cnloh_events": (
        "copy_number",
        lambda findings: _items(findings, lambda item: item.get("type") == "cnloh", _segment_label),
    ),
}


def field_value(findings: dict | None, name: str) -> Any:
    """The value of a FIELDS entry in one findings document; None when absent or null."""
    if name in ITEM_FIELDS:
        return ITEM_FIELDS[name][1](findings)
    _check, section, keys = FIELDS[name]
    block = (findings or {}).get(section)
    if not isinstance(block, dict):
        return MISSING
    for key in keys:
        if key in block:
            value = block[key]
            if isinstance(value, float) and not math.isfinite(value):
                return MISSING
            return value
    return MISSING


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def worst(statuses) -> str:
    """The worst of some statuses; INCONCLUSIVE when there are none (fail closed)."""
    statuses = list(statuses)
    if not statuses:
        return INCONCLUSIVE
    return max(statuses, key=SEVERITY.__getitem__)


# ---------------------------------------------------------------- rules


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

    @property
    def threshold_key(self) -> str:
        return self.id.split(".", 1)[1]


def _above(name: str) -> Callable[[dict, Any], bool]:
    return lambda values, threshold: values[name] > threshold


def _below(name: str) -> Callable[[dict, Any], bool]:
    return lambda values, threshold: values[name] < threshold


def _is(name: str, wanted: bool) -> Callable[[dict, Any], bool]:
    return lambda values, threshold: values[name] is wanted


def _original_sex(metrics: dict) -> str | None:
    """The sex a line started with: the declared one, else the inferred one."""
    declared = metrics.get("declared_sex")
    return declared if declared in ("female", "male") else metrics.get("inferred_sex")


def _could_be_female(findings: dict) -> bool:
    """X loss is measured in female lines; a null x_loss of a male line is not missing."""
    metrics = findings.get("metrics") or {}
    return metrics.get("x_loss") is not None or _original_sex(metrics) == "female"


def _could_be_male(findings: dict) -> bool:
    """Y loss is measured in male lines; a null y_loss of a female line is not missing."""
    metrics = findings.get("metrics") or {}
    return metrics.get("y_loss") is not None or _original_sex(metrics) == "male"


def _undercovered_fraction(values: dict, threshold: float) -> bool:
    checked = values["hotspots_checked"]
    return checked <= 0 or values["hotspots_undercovered"] / checked > threshold


def _transgene_in_line_only(values: dict, threshold: int) -> bool:
    parental = values["parental_transgene_junction_reads"]  # None: no parental (line-only)
    return values["transgene_junction_reads"] > threshold and (
        parental is None or parental <= threshold
    )


def _transgene_in_both(values: dict, threshold: int) -> bool:
    parental = values["parental_transgene_junction_reads"]
    return (
        values["transgene_junction_reads"] > threshold
        and parental is not None
        and parental > threshold
    )


RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------ read_qc
    Rule(
        "read_qc.min_reads_after_trimming",
        "read_qc",
        "reads left after adapter and quality trimming (fastp), at least",
        ("reads_after_trimming",),
        INCONCLUSIVE,
        _below("reads_after_trimming"),
        "{reads_after_trimming} reads after trimming < {threshold}",
    ),
    Rule(
        "read_qc.min_q30_fraction",
        "read_qc",
        "fraction of bases at Q30 or better after trimming, at least",
        ("q30_fraction",),
        INCONCLUSIVE,
        _below("q30_fraction"),
        "Q30 fraction {q30_fraction:.3f} < {threshold}",
    ),
    Rule(
        "read_qc.min_mapped_fraction",
        "read_qc",
        "fraction of reads mapped to the reference, at least",
        ("mapped_fraction",),
        INCONCLUSIVE,
        _below("mapped_fraction"),
        "mapped fraction {mapped_fraction:.3f} < {threshold}",
    ),
    Rule(
        "read_qc.max_duplicate_fraction",
        "read_qc",
        "fraction of duplicate reads (samtools markdup), at most",
        ("duplicate_fraction",),
        INCONCLUSIVE,
        _above("duplicate_fraction"),
        "duplicate fraction {duplicate_fraction:.3f} > {threshold}",
    ),
    Rule(
        "read_qc.min_mean_depth",
        "read_qc",
        "mean autosomal depth after duplicate removal (mosdepth), at least",
        ("mean_depth",),
        INCONCLUSIVE,
        _below("mean_depth"),
        "mean depth {mean_depth:.1f}x < {threshold}x",
    ),
    Rule(
        "read_qc.min_callable_fraction",
        "read_qc",
        "fraction of autosomal bins with enough depth to call (callable), at least",
        ("callable_fraction",),
        INCONCLUSIVE,
        _below("callable_fraction"),
        "callable fraction {callable_fraction:.3f} < {threshold}",
    ),
    # ------------------------------------------------------------ acquired_variants
    Rule(
        "acquired_variants.max_hotspot_count",
        "acquired_variants",
        "acquired variants at a cancer hotspot, at any detectable allele fraction, at most",
        ("acquired_hotspot_count",),
        FAIL,
        _above("acquired_hotspot_count"),
        "{acquired_hotspot_count} acquired cancer hotspot variant(s):"
        " {acquired_hotspot_variants} (highest allele fraction {max_hotspot_af})",
        shown=("max_hotspot_af", "acquired_hotspot_variants"),
    ),
    Rule(
        "acquired_variants.max_cancer_gene_count",
        "acquired_variants",
        "acquired protein-changing variants in cancer genes (not hotspots), at most",
        ("acquired_cancer_gene_count",),
        REVIEW,
        _above("acquired_cancer_gene_count"),
        "{acquired_cancer_gene_count} acquired variant(s) in cancer genes:"
        " {acquired_cancer_gene_variants}",
        shown=("acquired_cancer_gene_variants",),
    ),
    Rule(
        "acquired_variants.max_uncertain_flagged_count",
        "acquired_variants",
        "variants at a hotspot or likely oncogenic that the parental cannot classify"
        " (acquired or inherited left open), at most",
        ("uncertain_flagged_count",),
        REVIEW,
        _above("uncertain_flagged_count"),
        "{uncertain_flagged_count} hotspot/likely oncogenic variant(s) of uncertain origin",
        paired_only=True,
    ),
    Rule(
        "acquired_variants.min_median_depth",
        "acquired_variants",
        "median depth of the line at the sites examined, at least",
        ("variants_line_median_depth",),
        INCONCLUSIVE,
        _below("variants_line_median_depth"),
        "line median depth {variants_line_median_depth}x < {threshold}x",
    ),
    Rule(
        "acquired_variants.min_parental_median_depth",
        "acquired_variants",
        "median depth of the parental at the sites examined, at least",
        ("variants_parental_median_depth",),
        INCONCLUSIVE,
        _below("variants_parental_median_depth"),
        "parental median depth {variants_parental_median_depth}x < {threshold}x",
        paired_only=True,
    ),
    Rule(
        "acquired_variants.max_undercovered_hotspot_fraction",
        "acquired_variants",
        "fraction of catalogued hotspot positions with too little depth to be checked, at most",
        ("hotspots_checked", "hotspots_undercovered"),
        INCONCLUSIVE,
        _undercovered_fraction,
        "{hotspots_undercovered} of {hotspots_checked} hotspot positions under-covered"
        " (more than {threshold} of them, or none checked)",
    ),
    Rule(
        "acquired_variants.max_min_detectable_af",
        "acquired_variants",
        "smallest allele fraction the data can detect, at most",
        ("min_detectable_af",),
        INCONCLUSIVE,
        _above("min_detectable_af"),
        "smallest detectable allele fraction {min_detectable_af} > {threshold}",
    ),
    # ------------------------------------------------------------ copy_number
    Rule(
        "copy_number.max_whole_chromosome_events",
        "copy_number",
        "acquired whole-chromosome gains or losses (aneuploidy), at most",
        ("whole_chromosome_event_count",),
        FAIL,
        _above("whole_chromosome_event_count"),
        "{whole_chromosome_event_count} whole-chromosome event(s) (aneuploidy):"
        " {whole_chromosome_events}",
        shown=("whole_chromosome_events",),
    ),
    Rule(
        "copy_number.max_recurrent_region_hits",
        "copy_number",
        "acquired events overlapping a recurrent hPSC region (20q11.21, 1q, 12p, 17q, 18q...),"
        " at most",
        ("recurrent_region_hit_count",),
        FAIL,
        _above("recurrent_region_hit_count"),
        "{recurrent_region_hit_count} event(s) in recurrent hPSC regions: {recurrent_events}",
        shown=("recurrent_events",),
    ),
    Rule(
        "copy_number.max_event_bp",
        "copy_number",
        "size of the largest acquired gain, loss or LOH in bp, at most",
        ("largest_event_bp",),
        FAIL,
        _above("largest_event_bp"),
        "largest acquired event {largest_event_bp} bp > {threshold} bp",
    ),
    Rule(
        "copy_number.max_cnloh_count",
        "copy_number",
        "acquired copy-neutral LOH segments, at most",
        ("cnloh_count",),
        FAIL,
        _above("cnloh_count"),
        "{cnloh_count} acquired copy-neutral LOH segment(s): {cnloh_events}",
        shown=("cnloh_events",),
    ),
    Rule(
        "copy_number.max_call_count",
        "copy_number",
        "acquired copy-number or LOH events of any size, at most (smaller, non-recurrent"
        " events need review)",
        ("cn_call_count",),
        REVIEW,
        _above("cn_call_count"),
        "{cn_call_count} acquired copy-number/LOH event(s)",
        shown=("max_mosaic_fraction",),
    ),
    Rule(
        "copy_number.max_log2_noise",
        "copy_number",
        "noise of the binned log2 depth ratio line/parental, at most",
        ("log2_noise",),
        INCONCLUSIVE,
        _above("log2_noise"),
        "log2 ratio noise {log2_noise} > {threshold}",
    ),
    Rule(
        "copy_number.min_bins_used",
        "copy_number",
        "depth bins used for segmentation, at least",
        ("bins_used",),
        INCONCLUSIVE,
        _below("bins_used"),
        "{bins_used} bins used < {threshold}",
    ),
    Rule(
        "copy_number.min_het_sites_used",
        "copy_number",
        "parental heterozygous sites used for allele balance (LOH), at least",
        ("het_sites_used",),
        INCONCLUSIVE,
        _below("het_sites_used"),
        "{het_sites_used} heterozygous sites used < {threshold}",
        paired_only=True,
    ),
    # ------------------------------------------------------------ identity
    Rule(
        "identity.declared_donor",
        "identity",
        "the line's genotype matches its declared donor (not another donor: no swap)",
        ("matches_declared_donor",),
        FAIL,
        _is("matches_declared_donor", False),
        "genotype does not match the declared donor; best match {best_match_sample}"
        " (donor {best_match_donor})",
        kind="bool",
        shown=("best_match_sample", "best_match_donor"),
    ),
    Rule(
        "identity.fail_below_relatedness",
        "identity",
        "relatedness to the parental sample, at least (same individual is about 1)",
        ("relatedness_to_parental",),
        FAIL,
        _below("relatedness_to_parental"),
        "relatedness to parental {relatedness_to_parental} < {threshold}",
        paired_only=True,
        shown=("concordance_to_parental",),
    ),
    Rule(
        "identity.review_below_relatedness",
        "identity",
        "relatedness to the parental sample below which a reviewer looks, at least",
        ("relatedness_to_parental",),
        REVIEW,
        _below("relatedness_to_parental"),
        "relatedness to parental {relatedness_to_parental} < {threshold}",
        paired_only=True,
        superseded_by="identity.fail_below_relatedness",
    ),
    Rule(
        "identity.min_informative_sites",
        "identity",
        "informative sites (genotyped in line and references), at least",
        ("informative_sites",),
        INCONCLUSIVE,
        _below("informative_sites"),
        "{informative_sites} informative sites < {threshold}",
    ),
    # ------------------------------------------------------------ sex
    Rule(
        "sex.declared_sex",
        "sex",
        "sex inferred from X heterozygosity and X/Y depth matches the declared sex",
        ("sex_matches",),
        FAIL,
        _is("sex_matches", False),
        "inferred sex {inferred_sex} differs from declared sex {declared_sex}",
        kind="bool",
        shown=("declared_sex", "inferred_sex"),
    ),
    Rule(
        "sex.x_loss",
        "sex",
        "no loss of an X chromosome (sex-chromosome aneuploidy)",
        ("x_loss",),
        FAIL,
        _is("x_loss", True),
        "loss of an X chromosome",
        kind="bool",
        applies=_could_be_female,
    ),
    Rule(
        "sex.y_loss",
        "sex",
        "no loss of the Y chromosome in a male line (sex-chromosome aneuploidy)",
        ("y_loss",),
        FAIL,
        _is("y_loss", True),
        "loss of the Y chromosome",
        kind="bool",
        applies=_could_be_male,
    ),
    # ------------------------------------------------------------ contamination
    Rule(
        "contamination.max_fraction",
        "contamination",
        "estimated fraction of DNA from another individual, at most",
        ("contamination_fraction",),
        FAIL,
        _above("contamination_fraction"),
        "contamination fraction {contamination_fraction} > {threshold}",
    ),
    Rule(
        "contamination.min_sites_used",
        "contamination",
        "sites used for the contamination estimate, at least",
        ("contamination_sites_used",),
        INCONCLUSIVE,
        _below("contamination_sites_used"),
        "{contamination_sites_used} sites used < {threshold}",
    ),
    # ------------------------------------------------------------ vectors
    Rule(
        "vectors.max_copies_per_cell",
        "vectors",
        "reprogramming vector copies per cell (decoy contig depth / autosomal depth), at most",
        ("max_vector_copies_per_cell",),
        FAIL,
        _above("max_vector_copies_per_cell"),
        "{max_vector_copies_per_cell} vector copies per cell ({vector_contig_with_max})"
        " > {threshold}",
        shown=("vector_contig_with_max",),
    ),
    Rule(
        "vectors.max_transgene_junction_reads",
        "vectors",
        "reads joining exons of a reprogramming transgene cDNA (intronless), at most",
        ("transgene_junction_reads", "parental_transgene_junction_reads"),
        FAIL,
        _transgene_in_line_only,
        "{transgene_junction_reads} transgene exon-junction reads ({transgene_genes})"
        " > {threshold}, parental {parental_transgene_junction_reads}",
        shown=("transgene_genes",),
        parental_fields=("parental_transgene_junction_reads",),
    ),
    Rule(
        "vectors.max_parental_transgene_junction_reads",
        "vectors",
        "exon-junction reads in both line and parental (a processed pseudogene or a"
        " contaminated parental, not a transgene), at most",
        ("transgene_junction_reads", "parental_transgene_junction_reads"),
        REVIEW,
        _transgene_in_both,
        "{transgene_junction_reads} transgene exon-junction reads in the line and"
        " {parental_transgene_junction_reads} in the parental",
        parental_fields=("parental_transgene_junction_reads",),
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}


# ---------------------------------------------------------------- evaluation


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


def evaluate_rule(rule: Rule, findings: dict | None, thresholds: dict) -> dict | None:
    """The result of one rule on one findings document; None when it does not apply."""
    if rule.paired_only and findings is not None and not findings.get("parental"):
        return None
    if rule.applies is not None and findings is not None and not rule.applies(findings):
        return None
    threshold = thresholds.get(rule.check, {}).get(rule.threshold_key)
    values = {name: field_value(findings, name) for name in rule.fields + rule.shown}
    result = {
        "id": rule.id,
        "check": rule.check,
        "description": rule.description,
        "values": values,
        "threshold": threshold,
    }
    line_only = findings is not None and not findings.get("parental")
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
        return {
            **result,
            "status": rule.status,
            "reason": _format(rule.reason, {**values, "threshold": threshold}),
        }
    return {**result, "status": PASS, "reason": ""}


def load_findings(path: str | Path, check: str, sample: str) -> tuple[dict | None, str | None]:
    """(findings, problem): the document, or None and why it cannot be used."""
    path = Path(path)
    if not path.exists():
        return None, f"findings file {path.name} is missing (the check did not run)"
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"findings file {path.name} is unreadable ({type(error).__name__})"
    if not isinstance(document, dict):
        return None, f"findings file {path.name} is not a JSON object"
    if document.get("check") != check:
        return None, f"findings file {path.name} is about check {document.get('check')!r}"
    if document.get("sample") != sample:
        return None, f"findings file {path.name} is about sample {document.get('sample')!r}"
    if not isinstance(document.get("metrics"), dict):
        return None, f"findings file {path.name} has no metrics"
    return document, None


def evaluate_check(
    check: str,
    findings: dict | None,
    problem: str | None,
    thresholds: dict,
    declared_parental: str | None = None,
    parental_read_qc: dict | None = None,
) -> dict:
    """Status of one check of one sample: worst of its rules, with their results.

    parental_read_qc is the evaluated read_qc check of the declared parental (or None
    for a line without one); paired checks inherit an INCONCLUSIVE from it.
    """
    results = []
    if problem:
        results.append(rule_result(f"{check}.findings", check, INCONCLUSIVE, problem))
    else:
        mode = findings.get("mode")
        used_parental = findings.get("parental") or None
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
        if check in PAIRED_CHECKS and not used_parental:
            status = thresholds.get("line_only_status", REVIEW)
            results.append(
                rule_result(
                    f"{check}.line_only",
                    check,
                    status if status in STATUSES and status != PASS else REVIEW,
                    "line-only mode: no parental sample to tell acquired from inherited",
                    {"mode": mode},
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
    for rule in RULES:
        if rule.check != check:
            continue
        if findings is None:
            continue  # the findings problem above already makes the check INCONCLUSIVE
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
    status = worst(result["status"] for result in results)
    return {
        "status": status,
        "reasons": [result["reason"] for result in results if result["status"] != PASS],
        "mode": (findings or {}).get("mode"),
        "parental": (findings or {}).get("parental"),
        "rules": results,
        "notes": list((findings or {}).get("notes") or []),
    }


def findings_path(findings_dir: str | Path, sample: str, check: str) -> Path:
    return Path(findings_dir) / sample / f"{check}.json"


def gate_line(
    line: str,
    parental: str | None,
    findings_dir: str | Path,
    thresholds: dict,
    donor: str | None = None,
) -> dict:
    """The gate's decision for one line, from the findings under findings_dir."""
    parental = parental or None
    parental_read_qc = None
    if parental:
        document, problem = load_findings(
            findings_path(findings_dir, parental, "read_qc"), "read_qc", parental
        )
        parental_read_qc = evaluate_check("read_qc", document, problem, thresholds)
    checks = {}
    for check in LINE_CHECKS:
        document, problem = load_findings(findings_path(findings_dir, line, check), check, line)
        checks[check] = evaluate_check(
            check, document, problem, thresholds, parental, parental_read_qc
        )
    decision = worst(check["status"] for check in checks.values())
    reasons = [
        f"{check}: {reason}" for check, result in checks.items() for reason in result["reasons"]
    ]
    return {
        "line": line,
        "donor": donor,
        "parental": parental,
        "decision": decision,
        "reasons": reasons,
        "checks": checks,
        "parental_read_qc": parental_read_qc,
        "thresholds": thresholds,
    }


# ---------------------------------------------------------------- cohort and strict mode

SUMMARY_COLUMNS = ("line", "donor", "parental", "decision", *LINE_CHECKS, "reasons")


def summary_row(gate: dict) -> dict:
    row = {
        "line": gate["line"],
        "donor": gate.get("donor") or "",
        "parental": gate.get("parental") or "",
        "decision": gate["decision"],
    }
    for check in LINE_CHECKS:
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
