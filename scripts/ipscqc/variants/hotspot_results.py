"""The result of every entry of the hotspot catalogue in one line: its best allele
(most alt reads), the codon's depth, whether the line carries it and with what origin,
and the allele fraction the data could have missed there (the limit of the decision
the gate applies at hotspots: the line carries the allele, whatever its origin).
Positions are 1-based (VCF)."""

from __future__ import annotations

import pandas as pd

from ipscqc.variants.columns import COUNT_COLUMNS

from .limit import detection_limit
from .noise import NoiseModel
from .settings import VariantSettings

ENTRY_COLUMNS = [
    "kind",
    "hotspot",
    "gene",
    "hotspot_category",
    "status",
    "transcript",
    "transcript_note",
    "chrom",
    "pos",
    "ref",
    "alt",
    "protein_change",
    *COUNT_COLUMNS,
    "p_line_error",
    "class",
    "origin",
    "line_carries",
    "tier",
    "detected",
    "undercovered",
    "min_detectable_af",
]


def _none_if_nan(value):
    return None if value is None or pd.isna(value) else float(value)


def _int_or_none(value):
    return None if value is None or pd.isna(value) else int(value)


def carried_limit(depth: int, settings: VariantSettings, noise: NoiseModel) -> float | None:
    """Smallest allele fraction at which a catalogue allele at this line depth is
    carried (line test and artefact rules at the hotspot bars) with probability
    ``detection_power``; None when not reachable."""
    return detection_limit(depth, None, settings, settings.detection_power, noise, hotspot=True)


def hotspot_results(
    sites: pd.DataFrame, entries: pd.DataFrame, settings: VariantSettings, noise: NoiseModel
) -> pd.DataFrame:
    """One row per catalogue entry (``entries``: map_hotspots' table), from the line's
    classified site table (columns hotspot, line_alt, line_depth, class, origin,
    line_carries...). An entry whose codon has no row at all is under-covered (depth 0)."""
    rows = []
    hotspot_rows = sites[sites["hotspot"].fillna("") != ""]
    by_entry = {name: group for name, group in hotspot_rows.groupby("hotspot")}
    for entry in entries.itertuples(index=False):
        name = f"{entry.gene} {entry.protein_change}"
        row = dict.fromkeys(ENTRY_COLUMNS)
        row.update(
            kind="hotspot",
            hotspot=name,
            gene=entry.gene,
            hotspot_category=entry.category,
            status=entry.status,
            transcript=getattr(entry, "transcript", "") or None,
            transcript_note=getattr(entry, "transcript_note", "") or None,
            chrom=entry.chrom or None,
            tier="oncogenic_hotspot",
        )
        group = by_entry.get(name)
        if entry.status == "mapped" and group is not None and len(group):
            best = group.sort_values(["line_alt", "line_depth"], ascending=False).iloc[0]
            depth = int(group["line_depth"].max())
            row.update(
                pos=int(best["pos"]),
                ref=best["ref"],
                alt=best["alt"],
                protein_change=best["protein_change"],
                line_alt=int(best["line_alt"]),
                line_depth=int(best["line_depth"]),
                line_af=_none_if_nan(best["line_af"]),
                parental_alt=_int_or_none(best["parental_alt"]),
                parental_depth=_int_or_none(best["parental_depth"]),
                parental_af=_none_if_nan(best["parental_af"]),
                p_line_error=_none_if_nan(best["p_line_error"]),
                origin=best["origin"],
                line_carries=bool(best["line_carries"]),
                detected=bool(best["line_carries"]),
                undercovered=bool(depth < settings.hotspot_min_depth),
                min_detectable_af=carried_limit(depth, settings, noise),
                **{"class": best["class"]},
            )
        elif entry.status == "mapped":
            row.update(detected=False, undercovered=True, line_depth=0, line_carries=False)
        rows.append(row)
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)
