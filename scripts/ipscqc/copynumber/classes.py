"""Gate classes of copy-number calls: FAIL for what release practice rejects, REVIEW with
a sortable score for what a reviewer must judge, and the MHC/HLA integrity finding.

FAIL (any of):
- whole-chromosome or arm-level events (aneuploidy; ``scope`` from
  ``calls.annotate_calls``);
- calls larger than ``max_event_bp`` (CIRM release rule: no deletion or amplification
  above 5 Mb);
- gains or losses touching a named driver region in its usual direction (20q11.21
  minimal amplicon HM13-ID1-BCL2L1, 1q MCL1 and MDM4, 12p NANOG and KRAS, 17q gain, 17p
  TP53 loss, 18q SMAD4 loss: ``resources/recurrent_regions/``);
- losses of a catalogued tumour suppressor (``resources/hotspots/cancer_genes.tsv``,
  role ``tumour_suppressor``);
- copy-neutral LOH longer than ``max_cnloh_bp``.

REVIEW: every other call, with its size, genes and ``score`` (higher = more concerning;
a ranking aid in the spirit of StemCNV-check's call scoring by size, hotspot overlap and
gene content, not a probability).

Coordinates are 0-based half-open throughout.
"""

from __future__ import annotations

import math

import pandas as pd

from .params import ClassSettings

FAIL, REVIEW = "FAIL", "REVIEW"
DRIVER_COLUMNS = ["chrom", "start", "end", "name", "direction", "genes"]


def driver_regions_from_definitions(
    definitions: pd.DataFrame, genes: pd.DataFrame, arms: dict[str, dict] | None = None
) -> pd.DataFrame:
    """Driver regions of any build from build-independent definitions (columns name,
    direction, genes, arm): a gene-defined region spans from the first start to the last
    end of its genes in ``genes`` (GFF3 genes: chrom, start, end, name); an arm-defined
    one (``arm`` like "chr17:q") takes the arm's span from ``arms`` (``{chrom: {"p":
    (start, end), "q": (start, end)}}``). Definitions whose genes or arm are missing are
    left out (the caller reports them)."""
    rows = []
    for item in definitions.itertuples(index=False):
        names = [g for g in str(item.genes or "").split(",") if g]
        if getattr(item, "arm", "") and isinstance(item.arm, str) and item.arm:
            chrom, arm = item.arm.split(":")
            if arms and chrom in arms:
                start, end = arms[chrom][arm]
                rows.append((chrom, int(start), int(end), item.name, item.direction, ""))
            continue
        found = genes[genes["name"].isin(names)]
        if len(found) == 0 or found["chrom"].nunique() != 1:
            continue
        rows.append(
            (found["chrom"].iloc[0], int(found["start"].min()), int(found["end"].max()),
             item.name, item.direction, ",".join(n for n in names if n in set(found["name"])))
        )  # fmt: skip
    return pd.DataFrame(rows, columns=DRIVER_COLUMNS)


def _touching(chrom: str, start: int, end: int, regions: pd.DataFrame) -> pd.DataFrame:
    if regions.empty:
        return regions
    return regions[
        (regions["chrom"] == chrom) & (regions["start"] < end) & (regions["end"] > start)
    ]


def _genes(call: dict) -> list[str]:
    value = call.get("genes") or ""
    return [g for g in str(value).split(",") if g and g != "..."]


def call_score(call: dict, drivers_hit: int, suppressors_lost: int) -> float:
    """Sortable concern score: size (10 per tenfold above 10 kb), gene content (5 x
    log2(1 + genes)), 40 per driver region touched, 30 per tumour suppressor lost, and up
    to 10 for the fraction of cells; copy-neutral LOH counts half its gene content (no
    dosage change). Rounded to 0.1."""
    size = max(0.0, 10 * math.log10(max(call["size_bp"], 1) / 10_000))
    gene_count = call.get("gene_count")
    gene_count = len(_genes(call)) if gene_count is None or pd.isna(gene_count) else gene_count
    content = 5 * math.log2(1 + gene_count) * (0.5 if call["type"] == "cnloh" else 1.0)
    fraction = 10 * float(call.get("mosaic_fraction") or 0.0)
    return round(size + content + 40 * drivers_hit + 30 * suppressors_lost + fraction, 1)


def _extent_reasons(call: dict, settings: ClassSettings) -> list[str]:
    """FAIL reasons from the call's extent: whole-chromosome or arm-level scope, a gain or
    loss over ``max_event_bp``, a copy-neutral LOH over ``max_cnloh_bp`` (sizes in bp)."""
    reasons = []
    kind, scope = call["type"], call.get("scope", "segmental")
    if scope == "whole_chromosome":
        reasons.append(f"whole-chromosome {kind} of {call['chrom']}")
    elif scope == "arm":
        reasons.append(f"arm-level {kind} of {call['chrom']}{call.get('arms', '')}")
    if kind in ("gain", "loss") and call["size_bp"] > settings.max_event_bp:
        reasons.append(f"{kind} of {call['size_bp']:,} bp > max_event_bp {settings.max_event_bp:,}")
    if kind == "cnloh" and call["size_bp"] > settings.max_cnloh_bp:
        reasons.append(
            f"copy-neutral LOH of {call['size_bp']:,} bp > max_cnloh_bp {settings.max_cnloh_bp:,}"
        )
    return reasons


def _driver_reasons(call: dict, drivers: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """The driver regions (``DRIVER_COLUMNS``) the call overlaps. Returns (names, fail,
    review): the names of the regions touched, a FAIL reason for each touched in its
    usual direction (a gain over a gain driver), a REVIEW reason for each other one."""
    names, fail, review = [], [], []
    kind = call["type"]
    touched = _touching(call["chrom"], call["start"], call["end"], drivers)
    for region in touched.itertuples(index=False):
        names.append(region.name)
        label = f"{region.name} ({region.genes})" if region.genes else region.name
        if kind == region.direction:
            fail.append(f"{kind} touches driver region {label}")
        else:
            review.append(f"{kind} over {region.direction} driver region {label}")
    return names, fail, review


def _overlaps_mhc(call: dict, mhc: tuple[str, int, int] | None) -> bool:
    """Whether the call overlaps the MHC (chrom, start, end; 0-based half-open; None: no
    MHC configured, never)."""
    return mhc is not None and (
        call["chrom"] == mhc[0] and call["start"] < mhc[2] and call["end"] > mhc[1]
    )


def _classify_call(
    call: dict,
    drivers: pd.DataFrame,
    tumour_suppressors: set[str] | frozenset[str],
    settings: ClassSettings,
) -> dict:
    """One call (a row of ``calls.annotate_calls``) with the columns ``classify_calls``
    adds: FAIL when any FAIL reason holds, else REVIEW with the call described first."""
    kind = call["type"]
    names, driver_fail, driver_review = _driver_reasons(call, drivers)
    reasons_fail = _extent_reasons(call, settings) + driver_fail
    reasons_review = driver_review
    lost = sorted(set(_genes(call)) & set(tumour_suppressors)) if kind == "loss" else []
    if lost:
        reasons_fail.append("loss of tumour suppressor " + ", ".join(lost))
    in_mhc = _overlaps_mhc(call, settings.mhc)
    if in_mhc:
        reasons_review.append("overlaps the MHC: the line's HLA type may differ from the donor's")
    if not reasons_fail:
        where = f"{call['chrom']}:{call['start'] + 1:,}-{call['end']:,}"  # 1-based, as read
        gene_text = ", ".join(_genes(call)[:10]) or "no genes"
        reasons_review.insert(
            0, f"{kind} {where} ({call['size_bp']:,} bp, {gene_text}): not in a FAIL class"
        )
    return {
        **call,
        "class": FAIL if reasons_fail else REVIEW,
        "class_reasons": "; ".join(reasons_fail + reasons_review),
        "score": call_score(call, len(names), len(lost)),
        "driver_regions": ",".join(names),
        "tumour_suppressors_lost": ",".join(lost),
        "mhc": bool(in_mhc),
    }


def classify_calls(
    calls: pd.DataFrame,
    drivers: pd.DataFrame,
    tumour_suppressors: set[str] | frozenset[str],
    settings: ClassSettings,
) -> pd.DataFrame:
    """The calls (``calls.annotate_calls``: chrom, start, end, size_bp, type, scope,
    arms, genes, mosaic_fraction, ...) with ``class`` (FAIL | REVIEW), ``class_reasons``
    ("; "-separated), ``score``, ``driver_regions`` (names touched), ``tumour_suppressors_lost``
    and ``mhc`` (overlaps the MHC)."""
    rows = [
        _classify_call(call, drivers, tumour_suppressors, settings)
        for call in calls.to_dict("records")
    ]
    extra = ["class", "class_reasons", "score", "driver_regions", "tumour_suppressors_lost", "mhc"]
    table = pd.DataFrame(rows, columns=list(calls.columns) + extra)
    return table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


MIN_MHC_COVERED = 0.5  # share of the MHC in used bins for "no change there" to count


def mhc_finding(classified: pd.DataFrame, settings: ClassSettings, bins: pd.DataFrame) -> dict:
    """The MHC/HLA integrity finding (facts; the gate decides): ``region`` ("chrom:start-end",
    1-based as people read it; None when ``mhc_region`` is empty: not checked),
    ``changed`` (a gain, loss or copy-neutral LOH overlaps the MHC), ``analysed`` (a call
    overlaps it, or at least ``MIN_MHC_COVERED`` of it lies in used bins), its
    ``covered_fraction`` in used bins (``bins``: ``Analysis.bins``), the calls (``items``)
    and a ``note``. Not analysed and unchanged means "could not look": fail closed."""
    mhc = settings.mhc
    if mhc is None:
        return {"region": None, "changed": None, "analysed": None, "covered_fraction": None,
                "items": [], "note": None}  # fmt: skip
    chrom, start, end = mhc
    region = f"{chrom}:{start + 1:,}-{end:,}"
    used = bins[bins["used"] & (bins["chrom"] == chrom)]
    inside = (used["end"].clip(upper=end) - used["start"].clip(lower=start)).clip(lower=0)
    covered = float(inside.sum()) / (end - start)
    hits = classified[classified["mhc"]] if len(classified) else classified
    items = [
        {key: call[key] for key in ("chrom", "start", "end", "type", "copy_number",
                                    "mosaic_fraction", "size_bp")}
        for call in hits.to_dict("records")
    ]  # fmt: skip
    changed = bool(items)
    analysed = changed or covered >= MIN_MHC_COVERED
    if changed:
        kinds = ", ".join(sorted({item["type"] for item in items}))
        note = (
            f"{kinds} over the MHC ({region}): the HLA type of the line may differ from the "
            "donor's (matters for HLA-matched banks)."
        )
    elif not analysed:
        note = f"The MHC ({region}) was not analysed ({covered:.0%} of it in used bins)."
    else:
        note = None
    return {"region": region, "changed": changed, "analysed": analysed,
            "covered_fraction": covered, "items": items, "note": note}  # fmt: skip
