"""The numbers of the acquired_variants findings from a line's classified site table and
its hotspot results: counts by class and origin, what the line carries in the flagged
tiers, the TP53 dominant-negative entries, the noise model's provenance, and the items
(the variants a reviewer must see)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscqc.variants.columns import ALLELE_COLUMNS, COUNT_COLUMNS, TRANSCRIPT_COLUMNS

from .tiers import FLAGGED_TIERS, TIERS

TP53_DOMINANT_NEGATIVE = "tp53_dominant_negative"
ITEM_COLUMNS = [
    *ALLELE_COLUMNS,
    *TRANSCRIPT_COLUMNS,
    "tier",
    "class",
    "origin",
    "line_carries",
    *COUNT_COLUMNS,
    "expansion",
    "clonality",
    "cell_fraction",
    "hotspot",
    "artefacts",
    "reason",
    "source",
]


def _count(mask) -> int:
    return int(np.asarray(mask, dtype=bool).sum())


def class_counts(sites: pd.DataFrame, paired: bool) -> dict:
    """Counts by class (the paired ones null in line-only mode, and back) and the acquired
    ones by tier."""
    classes, tiers = sites["class"], sites["tier"]
    acquired = classes == "acquired"

    def paired_count(mask):
        return _count(mask) if paired else None

    def line_only_count(mask):
        return None if paired else _count(mask)

    worst = next((tier for tier in TIERS if (tiers[acquired] == tier).any()), None)
    return {
        "germline_count": paired_count(classes == "germline"),
        "donor_mosaic_count": paired_count(classes == "donor_mosaic"),
        "acquired_count": paired_count(acquired),
        "lost_count": paired_count(classes == "lost"),
        "uncertain_count": paired_count(classes == "uncertain"),
        "artefact_count": _count(classes == "artefact"),
        "unclassified_count": line_only_count(classes == "unclassified"),
        "acquired_hotspot_count": paired_count(acquired & (tiers == "oncogenic_hotspot")),
        "acquired_likely_oncogenic_count": paired_count(acquired & (tiers == "likely_oncogenic")),
        "acquired_cancer_gene_count": paired_count(
            acquired & tiers.isin(["likely_oncogenic", "cancer_gene_coding"])
        ),
        "acquired_cancer_gene_coding_count": paired_count(
            acquired & (tiers == "cancer_gene_coding")
        ),
        "acquired_other_count": paired_count(acquired & (tiers == "other")),
        "worst_acquired_tier": worst or ("none" if paired else None),
    }


def uncertain_flagged(sites: pd.DataFrame) -> pd.Series:
    """Alleles the line shows (alt reads passing the line test) whose origin is uncertain
    (or unclassified, line-only) and that are protein-altering in TP53 or in a flagged
    tier: what a reviewer must judge."""
    altering = sites["protein_altering"].fillna(False).astype(bool)
    wanted = (sites["gene"] == "TP53") | sites["tier"].isin(FLAGGED_TIERS)
    shown = sites["line_call"] == "present"
    return sites["class"].isin(["uncertain", "unclassified"]) & altering & wanted & shown


def carried_counts(sites: pd.DataFrame, paired: bool) -> dict:
    """What the line carries in the flagged tiers, whatever its origin, and how much of
    it the donor's germline carries (paired only)."""
    carried = sites["line_carries"].fillna(False).astype(bool)
    germline = sites["origin"] == "germline"
    hotspot = carried & (sites["tier"] == "oncogenic_hotspot")
    likely = carried & (sites["tier"] == "likely_oncogenic")
    flagged = uncertain_flagged(sites)
    worst = next((tier for tier in TIERS if (sites["tier"][carried] == tier).any()), "none")
    return {
        "carried_hotspot_count": _count(hotspot),
        "carried_hotspot_germline_count": _count(hotspot & germline) if paired else None,
        "carried_likely_oncogenic_count": _count(likely),
        "carried_likely_oncogenic_germline_count": _count(likely & germline) if paired else None,
        "worst_carried_tier": worst,
        "uncertain_flagged_count": _count(flagged & (sites["class"] == "uncertain"))
        if paired
        else None,
        "unclassified_flagged_count": None
        if paired
        else _count(flagged & (sites["class"] == "unclassified")),
    }


def artefact_counts(sites: pd.DataFrame, panel_samples: int, user_panel: bool) -> dict:
    """Alleles new in the line (alt reads passing the line test, the parental does not
    carry them as germline or mosaic) that the panel of normals, the user's panel,
    recurrence across the donor's lines or a strand rule flagged."""
    new = ~sites["class"].isin(["germline", "lost", "donor_mosaic"])
    shown = (sites["line_call"] == "present") & new
    rules = sites["artefacts"].fillna("").astype(str).str.split(";")

    def flagged(rule):
        return _count(shown & rules.map(lambda names: rule in names))

    return {
        "panel_samples": int(panel_samples),
        "panel_of_normals_count": flagged("panel_of_normals"),
        "user_panel_of_normals_count": flagged("user_panel_of_normals") if user_panel else None,
        "recurrent_count": flagged("recurrent_in_lines"),
        "strand_artefact_count": _count(
            shown & rules.map(lambda names: bool({"strand_bias", "alt_on_one_strand"} & set(names)))
        ),
    }


def hotspot_counts(hotspots: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Counts of the catalogue's entries, and the entries placed on the genome."""
    mapped = hotspots[hotspots["status"] == "mapped"]
    detected = mapped[mapped["detected"].fillna(False).astype(bool)]
    max_af = None
    if len(mapped):
        max_af = float(detected["line_af"].max()) if len(detected) else 0.0
    fallback = hotspots["transcript_note"].fillna("").astype(str) != ""
    counts = {
        "hotspots_in_catalogue": int(len(hotspots)),
        "hotspots_checked": int(len(mapped)),
        "hotspots_unmapped": int(len(hotspots) - len(mapped)),
        "hotspots_undercovered": _count(mapped["undercovered"].fillna(True).astype(bool)),
        "hotspots_detected": int(len(detected)),
        "hotspots_on_another_transcript": _count(fallback & (hotspots["status"] == "mapped")),
        "max_hotspot_af": max_af,
    }
    return counts, mapped


def tp53_counts(hotspots: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """The TP53 dominant-negative entries: how many, unmapped, under-covered, and the
    worst allele fraction that could be missed at one of them (null when one of them has
    no reachable limit or none is mapped)."""
    entries = hotspots[hotspots["hotspot_category"] == TP53_DOMINANT_NEGATIVE]
    mapped = entries[entries["status"] == "mapped"]
    limits = pd.to_numeric(mapped["min_detectable_af"], errors="coerce")
    worst = None
    if len(mapped) and limits.notna().all():
        worst = float(limits.max())
    return {
        "tp53_dn_entries": int(len(entries)),
        "tp53_dn_unmapped": int(len(entries) - len(mapped)),
        "tp53_dn_undercovered": _count(mapped["undercovered"].fillna(True).astype(bool)),
        "tp53_dn_max_detectable_af": worst,
    }, entries


def noise_values(provenance: dict, noise) -> dict:
    """The noise model's headline numbers: the line's per-allele error rates by context,
    the parental's SNV rate, both overdispersions and where each came from."""
    line_rates = {e["context"]: e for e in provenance["error_rates"] if e["sample"] == "line"}
    parental = [e for e in provenance["error_rates"] if e["sample"] == "parental"]
    fits = provenance["overdispersion"]
    snv = line_rates.get("snv", {})
    return {
        "line_snv_error_rate": float(noise.line_error.snv),
        "line_indel_error_rate": float(noise.line_error.indel),
        "line_repeat_indel_error_rate": float(noise.line_error.indel_repeat),
        "line_long_repeat_indel_error_rate": float(noise.line_error.indel_long_repeat),
        "parental_snv_error_rate": float(noise.parental_error.snv) if parental else None,
        "error_rate_source": snv.get("source"),
        "line_overdispersion": float(noise.line_rho),
        "parental_overdispersion": float(noise.parental_rho) if parental else None,
        "overdispersion_source": fits["line"]["source"],
        "overdispersion_sites": int(fits["line"]["sites"]),
    }


def item_rows(sites: pd.DataFrame) -> pd.DataFrame:
    """The variants a reviewer must see, most severe first: everything acquired or donor
    mosaic, what the line carries in a flagged tier (any origin), and the uncertain or
    unclassified protein-altering alleles of TP53 and the flagged tiers."""
    carried_flagged = sites["line_carries"].fillna(False).astype(bool) & sites["tier"].isin(
        FLAGGED_TIERS
    )
    chosen = sites[
        sites["class"].isin(["acquired", "donor_mosaic"])
        | carried_flagged
        | uncertain_flagged(sites)
        | ((sites["class"] == "unclassified") & sites["tier"].isin(TIERS[:3]))
    ]
    order = {tier: rank for rank, tier in enumerate(TIERS)}
    return chosen.assign(_rank=chosen["tier"].map(order)).sort_values(
        ["_rank", "line_af"], ascending=[True, False]
    )
