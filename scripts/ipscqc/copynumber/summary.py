"""The declared numbers and notes of the copy-number check's real-genome steps (site
selection, allele model, masks, classes, MHC, detection limit), from their results.
Pure functions; each returns a flat dict of declared names (checks/copy_number.yaml)."""

from __future__ import annotations

import pandas as pd

from .allele_balance import LINE_ONLY_NOTE, AlleleBalanceModel
from .masks import SOURCES, Exclusion
from .sites import FILTERS


def site_values(het_calls_read: int, removed: dict[str, int | None]) -> dict:
    """Heterozygous calls read and the sites each filter removed (``sites.baf_sites``)."""
    return {"het_calls_read": int(het_calls_read)} | {
        f"het_sites_removed_{name}": removed.get(name) for name in FILTERS
    }


def model_values(model: AlleleBalanceModel | None) -> dict:
    """The allele model used (None: the binomial model against 0.5)."""
    if model is None:
        return {"allele_model": "binomial", "overdispersion": None, "off_balance_site_share": None}
    return {
        "allele_model": "paired_beta_binomial" if model.paired else "line_only_beta_binomial",
        "overdispersion": float(model.overdispersion),
        "off_balance_site_share": (
            float(model.biased_share) if model.biased_share is not None else None
        ),
    }


def mask_values(exclusion: Exclusion, mask_bed: str | None) -> dict:
    """Bins and sites each mask source left out, and the configured BED's name."""
    values = {"mask_bed": mask_bed}
    for source in SOURCES:
        values[f"masked_bins_{source}"] = exclusion.bins_by_source[source]
        values[f"masked_sites_{source}"] = exclusion.sites_by_source[source]
    return values


def class_values(classified: pd.DataFrame) -> dict:
    """Counts of FAIL- and REVIEW-class calls and the highest score (``classes``)."""
    if classified.empty:
        return {"fail_class_call_count": 0, "review_class_call_count": 0, "max_call_score": None}
    return {
        "fail_class_call_count": int((classified["class"] == "FAIL").sum()),
        "review_class_call_count": int((classified["class"] == "REVIEW").sum()),
        "max_call_score": float(classified["score"].max()),
    }


def mhc_values(mhc: dict) -> dict:
    """The MHC finding's numbers (``classes.mhc_finding``)."""
    return {
        "mhc_region": mhc["region"],
        "mhc_changed": mhc["changed"],
        "mhc_analysed": mhc["analysed"],
        "mhc_covered_fraction": mhc["covered_fraction"],
    }


def detection_values(limits: dict) -> dict:
    """The stated limits and the gate figure (``detection.detection_limits``), under their
    declared names."""
    names = [key for key in limits if key.startswith("detection_limit_")]
    values = {key: limits[key] for key in names}
    values.update(
        sees_gate_event=limits["sees_gate_event"],
        gate_event_bp=int(limits["gate_event_bp"]),
        gate_event_fraction=float(limits["gate_event_fraction"]),
        het_sites_per_mb=limits["detection_sites_per_mb"],
    )
    return values


def _kb(value: int | None) -> str:
    return "not reachable" if value is None else f"{value / 1000:,.0f} kb"


def detection_note(values: dict) -> str:
    """The stated limit in words, for the findings' notes and the certificate."""
    parts = []
    for fraction in (20, 50):
        sizes = ", ".join(
            f"{kind} {_kb(values[f'detection_limit_{kind}_{fraction}pct_bp'])}"
            for kind in ("gain", "loss", "cnloh")
        )
        parts.append(f"in {fraction}% of cells: {sizes}")
    gate = values["sees_gate_event"]
    event = f"{values['gate_event_bp'] / 1e6:g} Mb in {values['gate_event_fraction']:.0%} of cells"
    seen = {True: "can", False: "cannot", None: "cannot be estimated whether it can"}[gate]
    return (
        "Stated detection limit of this line (smallest event detectable with 80% power) "
        + "; ".join(parts)
        + f". It {seen} see a gain, loss and copy-neutral LOH of {event}."
    )


def real_genome_notes(values: dict, model: AlleleBalanceModel | None, mhc: dict) -> list[str]:
    """Notes on the allele model, a missing GQ, the masks, the MHC and the stated limit."""
    notes = []
    if model is not None and not model.paired:
        notes.append(LINE_ONLY_NOTE)
    if values["het_sites_removed_genotype_quality"] is None:
        notes.append("The VCF has no FORMAT/GQ: the genotype-quality filter was not applied.")
    masked = {source: values[f"masked_bins_{source}"] for source in SOURCES}
    if any(masked.values()) or values["mask_bed"]:
        shown = ", ".join(
            f"{count} by {source.replace('_', ' ')}" for source, count in masked.items()
        )
        bed = f" (configured: {values['mask_bed']})" if values["mask_bed"] else ""
        notes.append(f"Bins left out by masks{bed}: {shown}.")
    if mhc.get("note"):
        notes.append(mhc["note"])
    notes.append(detection_note(values))
    return notes
