"""The gate's rule results in plain words, for a reviewer who is not a bioinformatician.

One sentence per rule result, with its numbers and its threshold, e.g. "TP53 p.R273H, 7
of 23 reads (30%), in 0 of 31 parental reads: oncogenic hotspot". Everything here shows
what the gate decided from the numbers it read: a rule result's ``values`` (including
the evidence records of ``ipscqc.gate.rules.EVIDENCE``) and ``threshold``, as a gate
document or a certificate's ``checks`` entry carries them (schemas/gate.schema.yaml).
Nothing here decides, and nothing recomputes a finding: a number the sentence needs and
the result lacks is said as "not measured".

Positions are shown 1-based (variant ``pos`` is 1-based already; segment ``start`` is
0-based, end exclusive, and is shown as ``start + 1``).
"""

from __future__ import annotations

from collections.abc import Callable

from ipscqc.checks import spec_of
from ipscqc.gate import PASS, SEVERITY
from ipscqc.gate.rules import RULES_BY_ID

MAX_EVENTS_NAMED = 3  # events named in one sentence; the rest are counted

TIER_WORDS = {
    "oncogenic_hotspot": "oncogenic hotspot",
    "likely_oncogenic": "likely oncogenic",
    "cancer_gene_coding": "protein change in a cancer gene",
    "other": "outside cancer genes",
}
SEGMENT_WORDS = {"gain": "gain", "loss": "loss", "cnloh": "copy-neutral LOH"}


# ---------------------------------------------------------------- numbers


def number(value) -> str:
    """A value as a reviewer reads it: thousands separators, 3 significant digits,
    yes/no for booleans, "not measured" for None, lists joined."""
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 0.001:
            return f"{value:.3g}"
        return f"{value:.2g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


def percent(fraction) -> str:
    """A fraction (0-1) as a whole percentage: 0.304 -> "30%"."""
    if fraction is None:
        return "not measured"
    return f"{100 * fraction:.0f}%"


def size(bp) -> str:
    """A length in bp as people say it: 950 bp, 323 kb, 1.19 Mb."""
    if bp is None:
        return "size not measured"
    if bp >= 1_000_000:
        return f"{bp / 1_000_000:.3g} Mb"
    if bp >= 1_000:
        return f"{bp / 1_000:.3g} kb"
    return f"{bp:,} bp"


def _declared(check: str, name: str):
    spec = spec_of(check)
    return spec.metric(name) if spec.declares(name) else None


def quantity(check: str, name: str, value) -> str:
    """A value with the unit its check declares ("36.6x", "792 kb")."""
    declared = _declared(check, name)
    unit = declared.unit if declared else ""
    if value is None or isinstance(value, bool) or not unit:
        return number(value)
    if unit == "bp":
        return size(value)
    if unit == "x":
        return f"{number(value)}x"
    return f"{number(value)} {unit}"


def label(check: str, name: str, description: str = "") -> str:
    """What a number is: its declared title, else the rule's description, else its name."""
    declared = _declared(check, name)
    if declared is not None and declared.title:
        return declared.title
    if description:
        for ending in (", at most", ", at least"):
            description = description.removesuffix(ending)
        return description[:1].upper() + description[1:]
    return name.replace("_", " ").capitalize()


# ---------------------------------------------------------------- events


def variant_phrase(record: dict) -> str:
    """One variant of an evidence record: gene and protein change, line and parental
    read counts, tier (and why its origin is uncertain)."""
    name = " ".join(str(record[key]) for key in ("gene", "protein_change") if record.get(key))
    if not name:
        name = f"{record.get('chrom')}:{record.get('pos')} {record.get('ref')}>{record.get('alt')}"
    depth, alt = record.get("line_depth"), record.get("line_alt")
    fraction = record.get("line_af")
    if fraction is None and depth:
        fraction = alt / depth
    text = f"{name}, {number(alt)} of {number(depth)} reads ({percent(fraction)})"
    if record.get("parental_depth") is not None:
        text += (
            f", in {number(record.get('parental_alt'))} of"
            f" {number(record['parental_depth'])} parental reads"
        )
    text += f": {TIER_WORDS.get(record.get('tier'), record.get('tier') or 'untiered')}"
    origin = record.get("origin")
    if record.get("class") == "uncertain" or origin == "unknown":
        why = str(record.get("reason") or record.get("filters") or "")
        why = why.replace(";", ", ").replace("_", " ")
        text += f", origin uncertain ({why})" if why else ", origin uncertain"
    elif origin in ("donor_mosaic", "germline"):
        text += ", " + (
            "a donor mosaic clone" if origin == "donor_mosaic" else "the donor's germline"
        )
    return text


def segment_phrase(record: dict) -> str:
    """One copy-number event: kind, place (1-based), size, copies, cells, region."""
    kind = SEGMENT_WORDS.get(record.get("type"), str(record.get("type")))
    chrom = record.get("chrom")
    if record.get("scope") == "whole_chromosome":
        place = f"of whole {chrom}"
    else:
        place = f"{chrom}:{record['start'] + 1:,}-{record['end']:,}"
    text = f"{kind} {place} ({size(record.get('size_bp'))})"
    cells = record.get("mosaic_fraction")
    if record.get("type") in ("gain", "loss") and record.get("copy_number") is not None:
        copies = record["copy_number"]
        text += f", {number(copies)} {'copy' if copies == 1 else 'copies'}"
        text += f" in {percent(cells)} of cells" if cells is not None else ""
    elif cells is not None:
        text += f" in {percent(cells)} of cells"
    if record.get("recurrent_regions"):
        text += f", recurrent region {record['recurrent_regions'].replace(',', ', ')}"
    return text


def vector_phrase(record: dict) -> str:
    text = (
        f"{record.get('name')}: {number(record.get('reads'))} reads,"
        f" {number(record.get('copies_per_cell'))} copies per cell"
    )
    if record.get("local_copies_per_cell"):
        text += f", {number(record['local_copies_per_cell'])} over a stretch far above that"
    if record.get("parental_copies_per_cell") is not None:
        text += f" (parental {number(record['parental_copies_per_cell'])})"
    return text


def transgene_phrase(record: dict) -> str:
    text = f"{record.get('name')}: {number(record.get('junction_reads'))} exon-junction reads"
    if record.get("parental_junction_reads") is not None:
        text += f" (parental {number(record['parental_junction_reads'])})"
    return text


def events(records: list[dict] | None, phrase: Callable[[dict], str], count=None) -> str:
    """Some events in words: the first MAX_EVENTS_NAMED, then how many more."""
    records = records or []
    named = "; ".join(phrase(record) for record in records[:MAX_EVENTS_NAMED])
    total = max(count or 0, len(records))
    if total > MAX_EVENTS_NAMED:
        named += f"; and {total - MAX_EVENTS_NAMED} more"
    return named


# ---------------------------------------------------------------- sentences


def _limit(check: str, name: str, rule, threshold, triggered: bool) -> str:
    """The threshold side of a sentence: "at most 0.01" or "below the minimum of 10x"."""
    limit = quantity(check, name, threshold)
    if rule is not None and rule.when == "below":
        return f"below the minimum of {limit}" if triggered else f"at least {limit}"
    if triggered:
        return f"above the limit of {limit}"
    return f"at most {limit}"


def _counted(result: dict, rule, count_name: str, evidence: str, phrase, noun: str) -> str:
    values = result["values"]
    count = values.get(count_name)
    triggered = result["status"] != PASS
    text = f"{number(count)} {noun}"
    named = events(values.get(evidence), phrase, count)
    if named:
        text += f": {named}"
    threshold = result.get("threshold")
    if threshold is not None:
        text += f" ({'allowed' if not triggered else 'limit'}: at most {number(threshold)})"
    return text


def _declared_donor(result: dict, rule) -> str:
    values = result["values"]
    best = values.get("best_match_sample")
    if values.get("matches_declared_donor") is False:
        related = values.get("best_match_relatedness")
        shown = f", relatedness {number(related)}" if related is not None else ""
        return (
            f"genotype matches {best} (donor {values.get('best_match_donor')}{shown}),"
            " not the declared donor"
        )
    return f"genotype matches the declared donor (best match {best})"


def _declared_sex(result: dict, rule) -> str:
    values = result["values"]
    measured = ", ".join(
        f"{label('sex', name)} {number(values[name])}"
        for name in ("x_heterozygosity", "x_depth_ratio", "y_depth_ratio")
        if values.get(name) is not None
    )
    measured = f" ({measured})" if measured else ""
    if values.get("sex_matches") is False:
        return (
            f"inferred sex {values.get('inferred_sex')}, declared {values.get('declared_sex')}"
            f"{measured}"
        )
    return f"inferred sex {values.get('inferred_sex')}, as declared{measured}"


def class_phrase(record: dict) -> str:
    """A classed copy-number call: the event, then why it FAILs (its class reasons) or,
    for REVIEW, its genes and score."""
    text = segment_phrase(record)
    if record.get("class") == "FAIL":
        reasons = str(record.get("class_reasons") or "").replace(";", ",")
        return f"{text} ({reasons})" if reasons else text
    genes = [gene for gene in str(record.get("genes") or "").split(",") if gene]
    shown = ", ".join(genes[:MAX_EVENTS_NAMED]) or "no genes"
    if len(genes) > MAX_EVENTS_NAMED:
        shown += f" and {record.get('gene_count', len(genes)) - MAX_EVENTS_NAMED} more"
    score = record.get("score")
    return f"{text} ({shown}{f', score {score:.0f}' if score is not None else ''})"


def _mhc_change(result: dict, rule) -> str:
    values = result["values"]
    region = values.get("mhc_region")
    if result["status"] == PASS:
        return f"no gain, loss or copy-neutral LOH over the MHC ({region})"
    named = events(values.get("mhc_evidence"), segment_phrase)
    return (
        f"{named or 'a change'} over the MHC ({region}): the HLA type of the line may differ"
        " from the donor's"
    )


def _mhc_analysed(result: dict, rule) -> str:
    values = result["values"]
    covered = percent(values.get("mhc_covered_fraction"))
    seen = "was analysed" if result["status"] == PASS else "was not analysed"
    return f"the MHC ({values.get('mhc_region')}) {seen}: {covered} of it in usable bins"


def _sees_gate_event(result: dict, rule) -> str:
    values = result["values"]
    event = (
        f"a gain, a loss and a copy-neutral LOH of {size(values.get('gate_event_bp'))} in"
        f" {percent(values.get('gate_event_fraction'))} of cells"
    )
    limits = ", ".join(
        f"{SEGMENT_WORDS[kind]} {size(value) if value is not None else 'not reachable'}"
        for kind in ("gain", "loss", "cnloh")
        for value in [values.get(f"detection_limit_{kind}_20pct_bp")]
    )
    can = "can" if result["status"] == PASS else "cannot"
    return f"the line's own data {can} see {event} (smallest detectable in 20% of cells: {limits})"


def _vectors(result: dict, rule) -> str:
    values = result["values"]
    records = values.get("vector_evidence") or []
    triggered = result["status"] != PASS
    limit = _limit(
        "vectors", "max_vector_copies_per_cell", rule, result.get("threshold"), triggered
    )
    if triggered and records:
        return f"{events(records, vector_phrase)}; {limit}"
    copies = quantity(
        "vectors", "max_vector_copies_per_cell", values.get("max_vector_copies_per_cell")
    )
    family = values.get("vector_family_with_max")
    return f"vector copies per cell: {copies}{f' ({family})' if family else ''}, {limit}"


def _local_vectors(result: dict, rule) -> str:
    values = result["values"]
    triggered = result["status"] != PASS
    limit = _limit(
        "vectors", "max_local_vector_copies_per_cell", rule, result.get("threshold"), triggered
    )
    stretch = values.get("local_vector_stretch")
    if not stretch:
        return f"no stretch of a vector family far above the family's level, {limit}"
    return f"a stretch of a vector family far above the family's level: {stretch}; {limit}"


def _detection_limit(result: dict, rule) -> str:
    values = result["values"]
    limit = quantity("vectors", "vector_detection_limit", values.get("vector_detection_limit"))
    allowed = quantity("vectors", "max_vector_copies_per_cell", result.get("threshold"))
    if values.get("vectors_detected"):
        return f"vector DNA detected ({', '.join(values['vectors_detected'])})"
    if result["status"] != PASS:
        return (
            f"no vector read, but this depth detects vector DNA only from {limit}, above the"
            f" release limit of {allowed}: clearance cannot be shown"
        )
    return f"no vector read; this depth detects vector DNA from {limit} (limit {allowed})"


def _transgenes(result: dict, rule) -> str:
    values = result["values"]
    records = values.get("transgene_evidence") or []
    line, parental = (
        values.get("transgene_junction_reads"),
        values.get("parental_transgene_junction_reads"),
    )
    text = f"{number(line)} transgene exon-junction reads (parental {number(parental)})"
    if records:
        text += f": {events(records, transgene_phrase)}"
    threshold = result.get("threshold")
    return text + (f"; at most {number(threshold)} allowed" if threshold is not None else "")


def _undercovered(result: dict, rule) -> str:
    values = result["values"]
    checked, undercovered = values.get("hotspots_checked"), values.get("hotspots_undercovered")
    share = f" ({percent(undercovered / checked)})" if checked and undercovered is not None else ""
    threshold = result.get("threshold")
    limit = f", at most {percent(threshold)} allowed" if threshold is not None else ""
    return (
        f"{number(undercovered)} of {number(checked)} hotspot positions with too little depth"
        f" to be checked{share}{limit}"
    )


PHRASES: dict[str, Callable[[dict, object], str]] = {
    "acquired_variants.max_undercovered_hotspot_fraction": _undercovered,
    "acquired_variants.max_carried_hotspot_count": lambda result, rule: _counted(
        result,
        rule,
        "carried_hotspot_count",
        "carried_hotspot_evidence",
        variant_phrase,
        "oncogenic hotspot allele(s) in the line",
    ),
    "acquired_variants.max_carried_likely_oncogenic_count": lambda result, rule: _counted(
        result,
        rule,
        "carried_likely_oncogenic_count",
        "carried_likely_oncogenic_evidence",
        variant_phrase,
        "likely-oncogenic allele(s) in the line",
    ),
    "acquired_variants.max_cancer_gene_count": lambda result, rule: _counted(
        result,
        rule,
        "acquired_cancer_gene_count",
        "acquired_cancer_gene_evidence",
        variant_phrase,
        "acquired protein-changing variant(s) in cancer genes",
    ),
    "acquired_variants.max_uncertain_flagged_count": lambda result, rule: _counted(
        result,
        rule,
        "uncertain_flagged_count",
        "uncertain_flagged_evidence",
        variant_phrase,
        "protein-altering allele(s) in TP53 or a flagged tier whose origin is uncertain",
    ),
    "copy_number.max_fail_class_calls": lambda result, rule: _counted(
        result,
        rule,
        "fail_class_call_count",
        "fail_class_evidence",
        class_phrase,
        "copy-number call(s) of class FAIL",
    ),
    "copy_number.max_review_class_calls": lambda result, rule: _counted(
        result,
        rule,
        "review_class_call_count",
        "review_class_evidence",
        class_phrase,
        "copy-number call(s) to review",
    ),
    "copy_number.mhc_change": _mhc_change,
    "copy_number.mhc_analysed": _mhc_analysed,
    "copy_number.sees_gate_event": _sees_gate_event,
    "identity.declared_donor": _declared_donor,
    "sex.declared_sex": _declared_sex,
    "vectors.max_copies_per_cell": _vectors,
    "vectors.max_local_copies_per_cell": _local_vectors,
    "vectors.detection_limit": _detection_limit,
    "vectors.max_transgene_junction_reads": _transgenes,
    "vectors.max_parental_transgene_junction_reads": _transgenes,
}

ENVELOPE_WORDS = {
    "findings": "no usable findings",
    "not_assessed": "the check could not look",
    "parental": "compared with the wrong parental",
    "parental_read_qc": "the parental's evidence is weak",
    "line_only": "no parental to compare with",
    "pairing": "not comparable with the parental",
}


def _generic(result: dict, rule) -> str:
    """A rule without its own phrase: its number against its threshold, or, for a
    yes/no rule, its reason (not passed) or what it checks (passed)."""
    check = result.get("check") or result["id"].split(".", 1)[0]
    if rule is None or rule.kind == "bool" or not rule.fields:
        return result["reason"] if result["status"] != PASS else (rule.description if rule else "")
    name = rule.fields[0]
    value = result["values"].get(name)
    said = label(check, name, rule.description)
    declared = _declared(check, name)
    shown = quantity(check, name, value)
    if declared is not None and declared.unit.lower() in said.lower().split():
        shown = number(value)  # "Reads after trimming: 1,303,052", not "... reads"
    text = f"{said}: {shown}"
    if result.get("threshold") is not None:
        text += f", {_limit(check, name, rule, result['threshold'], result['status'] != PASS)}"
    return text


def rule_sentence(result: dict) -> str:
    """The plain-words sentence of one rule result (any status)."""
    check, _, key = result["id"].partition(".")
    if key in ENVELOPE_WORDS:
        return f"{ENVELOPE_WORDS[key]}: {result['reason']}"
    rule = RULES_BY_ID.get(result["id"])
    reason = result.get("reason") or ""
    if result["status"] == PASS and reason.startswith("covered by "):
        return reason
    if rule is not None and result["status"] != PASS:
        needed = [
            name
            for name in rule.fields
            if result["values"].get(name) is None and name not in rule.parental_fields
        ]
        if needed or "is missing or null" in reason or "has the wrong type" in reason:
            return f"not measured: {reason}"
        if rule.kind == "number" and result.get("threshold") is None:
            return reason  # the gate says which threshold the config lacks
    phrase = PHRASES.get(result["id"], _generic)
    return phrase({**result, "check": check}, rule)


def leading_result(check_result: dict) -> dict | None:
    """The result that says why a check has its status: the first rule with the check's
    status (the check's status is its worst rule's), or, for a PASS, its first rule."""
    rules = check_result.get("rules") or []
    status = check_result["status"]
    for result in rules:
        if result["status"] == status:
            return result
    return rules[0] if rules else None


def other_results(check_result: dict) -> list[dict]:
    """The check's rule results other than its leading one, worst first (stable)."""
    leading = leading_result(check_result)
    rest = [result for result in check_result.get("rules") or [] if result is not leading]
    return sorted(rest, key=lambda result: -SEVERITY[result["status"]])


def not_passed_count(check_result: dict) -> int:
    return sum(1 for result in check_result.get("rules") or [] if result["status"] != PASS)
