"""The release rules, one block per check.

Each rule is an id (its threshold's key under ``gate:`` in the config is the part after
the dot), the check it judges, a description, the numbers it reads (names the check
declares in its ``CheckSpec``: one spelling, checked by the tests), and the status it
gives when its condition holds. docs/release_gate.md lists every rule with its default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import FAIL, INCONCLUSIVE, REVIEW


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
    ("copy_number", "whole_chromosome_events"): lambda findings: _labels(
        findings,
        lambda item: item["scope"] == "whole_chromosome",
        lambda item: f"{item['type']} {item['chrom']}",
    ),
    ("copy_number", "recurrent_events"): lambda findings: _labels(
        findings, lambda item: bool(item["recurrent"]), _segment_label
    ),
    ("copy_number", "cnloh_events"): lambda findings: _labels(
        findings, lambda item: item["type"] == "cnloh", _segment_label
    ),
}


# ---------------------------------------------------------------- conditions


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
    metrics = findings["metrics"]
    return metrics.get("x_loss") is not None or _original_sex(metrics) == "female"


def _could_be_male(findings: dict) -> bool:
    """Y loss is measured in male lines; a null y_loss of a female line is not missing."""
    metrics = findings["metrics"]
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
        ("median_depth",),
        INCONCLUSIVE,
        _below("median_depth"),
        "line median depth {median_depth}x < {threshold}x",
    ),
    Rule(
        "acquired_variants.min_parental_median_depth",
        "acquired_variants",
        "median depth of the parental at the sites examined, at least",
        ("parental_median_depth",),
        INCONCLUSIVE,
        _below("parental_median_depth"),
        "parental median depth {parental_median_depth}x < {threshold}x",
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
        ("call_count",),
        REVIEW,
        _above("call_count"),
        "{call_count} acquired copy-number/LOH event(s)",
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
        ("sites_used",),
        INCONCLUSIVE,
        _below("sites_used"),
        "{sites_used} sites used < {threshold}",
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
