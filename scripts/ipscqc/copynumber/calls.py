"""Calls from segments: size, scope (whole chromosome, arm, segmental), the genes and
recurrent hPSC regions each overlaps; the findings table of segments.

Coordinates are 0-based half-open except in ``segments_for_findings`` (1-based closed).
"""

from __future__ import annotations

import pandas as pd

from .params import Params


def chromosome_arms(centromeres: pd.DataFrame, bins: pd.DataFrame) -> dict[str, dict]:
    """Analysable span of each chromosome and arm: from the first to the last used bin,
    split at the centromere."""
    spans = {}
    used = bins[bins["used"]]
    centre = {row.chrom: (row.start, row.end) for row in centromeres.itertuples()}
    for chrom, chrom_bins in used.groupby("chrom", sort=False):
        lo, hi = int(chrom_bins["start"].min()), int(chrom_bins["end"].max())
        cen_start, cen_end = centre.get(chrom, (lo, lo))
        spans[chrom] = {
            "chrom": (lo, hi),
            "p": (lo, max(lo, min(hi, cen_start))),
            "q": (min(hi, max(lo, cen_end)), hi),
            "centromere": (cen_start, cen_end),
        }
    return spans


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def classify_scope(start: int, end: int, spans: dict, whole_fraction: float) -> tuple[str, str]:
    """("whole_chromosome" | "arm" | "segmental", arms touched e.g. "q" or "p,q")."""
    chrom_span = spans["chrom"]
    cover = _overlap((start, end), chrom_span) / max(1, chrom_span[1] - chrom_span[0])
    arms = [
        arm
        for arm in ("p", "q")
        if spans[arm][1] > spans[arm][0] and _overlap((start, end), spans[arm]) > 0
    ]
    if cover >= whole_fraction:
        return "whole_chromosome", ",".join(arms)
    for arm in arms:
        span = spans[arm]
        if _overlap((start, end), span) / (span[1] - span[0]) >= whole_fraction:
            return "arm", ",".join(arms)
    return "segmental", ",".join(arms)


def overlapping_names(chrom: str, start: int, end: int, features: pd.DataFrame) -> list[str]:
    if features.empty:
        return []
    hit = features[
        (features["chrom"] == chrom) & (features["start"] < end) & (features["end"] > start)
    ]
    return list(dict.fromkeys(hit["name"]))


def annotate_calls(
    segments: pd.DataFrame,
    bins: pd.DataFrame,
    centromeres: pd.DataFrame,
    genes: pd.DataFrame,
    recurrent: pd.DataFrame,
    params: Params,
) -> pd.DataFrame:
    """The called segments with size, scope (whole chromosome / arm / segmental), the
    genes and recurrent hPSC regions they overlap."""
    spans = chromosome_arms(centromeres, bins)
    rows = []
    for segment in segments[segments["called"]].to_dict("records"):
        if segment["end"] - segment["start"] < params.min_call_bp:
            continue
        chrom = segment["chrom"]
        scope, arms = classify_scope(
            segment["start"], segment["end"], spans[chrom], params.whole_fraction
        )
        gene_names = overlapping_names(chrom, segment["start"], segment["end"], genes)
        regions = overlapping_names(chrom, segment["start"], segment["end"], recurrent)
        rows.append(
            {
                "chrom": chrom,
                "start": segment["start"],
                "end": segment["end"],
                "size_bp": segment["end"] - segment["start"],
                "type": segment["type"],
                "copy_number": segment["copy_number"],
                "major_copies": segment["major_copies"],
                "reference_copies": segment["reference_copies"],
                "mosaic_fraction": segment["mosaic_fraction"],
                "log2_mean": segment["log2_mean"],
                "expected_log2": segment["expected_log2"],
                "baf_mirrored_mean": segment["baf_mirrored_mean"],
                "expected_major_baf": segment["expected_major_baf"],
                "llr": segment["llr"],
                "bins": segment["bins"],
                "snps": segment["snps"],
                "scope": scope,
                "arms": arms,
                "gene_count": len(gene_names),
                "genes": ",".join(gene_names),
                "recurrent": bool(regions),
                "recurrent_regions": ",".join(regions),
            }
        )
    columns = [
        "chrom", "start", "end", "size_bp", "type", "copy_number", "major_copies",
        "reference_copies", "mosaic_fraction", "log2_mean", "expected_log2",
        "baf_mirrored_mean", "expected_major_baf", "llr", "bins", "snps", "scope", "arms",
        "gene_count", "genes", "recurrent", "recurrent_regions",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def segments_for_findings(segments: pd.DataFrame) -> pd.DataFrame:
    """Segments as findings/{sample}/copy_number.tsv: 1-based closed coordinates (as VCF
    positions), copy number of the abnormal cells and the mean copies per cell."""
    table = pd.DataFrame(
        {
            "chrom": segments["chrom"],
            "start": segments["start"] + 1,
            "end": segments["end"],
            "type": segments["type"],
            "copy_number": segments["copy_number"].where(
                segments["called"], segments["reference_copies"]
            ),
            "major_copies": segments["major_copies"].where(
                segments["called"], segments["reference_major_copies"]
            ),
            "mosaic_fraction": segments["mosaic_fraction"].where(segments["called"], 0.0),
        }
    )
    table["mean_copies"] = (1 - table["mosaic_fraction"]) * segments["reference_copies"] + table[
        "mosaic_fraction"
    ] * table["copy_number"]
    return table
