"""Allele-count sites of the copy-number check: the reader of the line's and the
parental's FORMAT/AD (and the parental's GQ) at biallelic SNPs the parental calls
heterozygous, from the donor's joint VCF (``read_site_counts``, the only function that
reads a file), and the selection of BAF sites among them (``select_baf_sites``,
``baf_sites``: pure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cn_allele_balance import SiteSettings

COLUMNS = ["chrom", "pos", "ref_count", "alt_count", "parental_ref_count",
           "parental_alt_count", "parental_gq"]  # fmt: skip


def read_site_counts(
    vcf_path: str, line: str, parental: str, contigs: list[str], min_qual: float
) -> pd.DataFrame:
    """One row per biallelic SNP (QUAL >= ``min_qual`` when set) with a heterozygous
    genotype in ``parental`` (the line itself in line-only mode): chrom, pos (0-based),
    the line's ref/alt counts, the parental's ref/alt counts and GQ (NaN when the VCF has
    no GQ). Missing AD values are -1."""
    from cyvcf2 import VCF

    wanted = set(contigs)
    rows: list[tuple] = []
    vcf = VCF(vcf_path, gts012=False, lazy=True, threads=1)
    try:
        names = list(vcf.samples)
        if line not in names or parental not in names:
            raise ValueError(f"{vcf_path}: samples {line!r} and {parental!r} expected")
        i_line, i_par = names.index(line), names.index(parental)
        has_gq = "GQ" in {h["ID"] for h in vcf.header_iter() if h["HeaderType"] == "FORMAT"}
        last = None
        for record in vcf:
            if record.CHROM not in wanted or not record.is_snp or len(record.ALT) != 1:
                continue
            quality, key = record.QUAL, (record.CHROM, record.POS)
            if quality is not None and quality < min_qual:
                continue
            if key == last:
                continue
            last = key
            if record.gt_types[i_par] != 1:  # 1: heterozygous
                continue
            ad = record.format("AD")
            if ad is None:
                continue
            gq = float(record.format("GQ")[i_par][0]) if has_gq else np.nan
            rows.append(
                (record.CHROM, record.POS - 1, int(ad[i_line][0]), int(ad[i_line][1]),
                 int(ad[i_par][0]), int(ad[i_par][1]), gq)
            )  # fmt: skip
    finally:
        vcf.close()
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass(frozen=True)
class SiteSelection:
    """``keep`` per site, and how many sites each filter removed (a site can fail several)."""

    keep: np.ndarray
    removed: dict[str, int]


def select_baf_sites(
    parental_ref: np.ndarray,
    parental_alt: np.ndarray,
    parental_gq: np.ndarray | None,
    line_ref: np.ndarray,
    line_alt: np.ndarray,
    settings: SiteSettings,
    allele_balance_filter: bool = True,
) -> SiteSelection:
    """BAF sites among the parental's heterozygous SNV calls (counts from FORMAT/AD).

    ``parental_gq`` is the parental's FORMAT/GQ (None when the VCF has no GQ: the filter
    is then not applied, and the caller should say so); a missing GQ (NaN) at a site
    removes the site. Negative counts (missing AD) remove the site. In line-only mode pass
    the line's own counts as both parental and line, with ``allele_balance_filter``
    False: the line's own imbalance is the signal and must not be filtered away.
    """
    p_ref = np.asarray(parental_ref, dtype=float)
    p_alt = np.asarray(parental_alt, dtype=float)
    l_ref = np.asarray(line_ref, dtype=float)
    l_alt = np.asarray(line_alt, dtype=float)
    p_depth = p_ref + p_alt
    l_depth = l_ref + l_alt
    missing = (p_ref < 0) | (p_alt < 0) | (l_ref < 0) | (l_alt < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.where(p_depth > 0, p_alt / np.maximum(p_depth, 1), np.nan)
    shallow = p_depth < settings.min_parental_depth
    typical = np.median(p_depth[~missing & ~shallow]) if (~missing & ~shallow).any() else np.inf
    filters = {
        "missing_counts": missing,
        "parental_depth_low": shallow,
        "parental_depth_high": p_depth > settings.max_parental_depth_ratio * typical,
        "allele_balance": ~(
            (balance >= settings.min_allele_balance) & (balance <= settings.max_allele_balance)
        )
        if allele_balance_filter
        else np.zeros(len(p_ref), dtype=bool),
        "line_depth_low": l_depth < settings.min_line_depth,
    }
    if parental_gq is not None:
        gq = np.asarray(parental_gq, dtype=float)
        filters["genotype_quality"] = ~(gq >= settings.min_genotype_quality)
    for name in filters:
        if name != "missing_counts":  # a site without counts is counted once, as missing
            filters[name] = filters[name] & ~missing
    keep = np.ones(len(p_ref), dtype=bool)
    for mask in filters.values():
        keep &= ~mask
    return SiteSelection(keep, {name: int(mask.sum()) for name, mask in filters.items()})


def baf_sites(counts, settings: SiteSettings, paired: bool):
    """BAF sites and the parental's heterozygous calls from ``cn_sites.read_site_counts``.

    Returns (sites, het_calls, removed): ``sites`` with chrom, pos, ref_count, alt_count,
    depth, baf and, paired, parental_alt_count and parental_depth (the input of
    ``copy_number.analyse`` with ``fit_allele_balance_model``); ``het_calls`` every
    heterozygous call of the parental with its counts (the input of
    ``cn_masks.parental_balance_regions``); ``removed``: sites each filter removed, and
    ``genotype_quality`` None when the VCF has no GQ. In line-only mode the line's own
    calls define the sites and the allele-balance filter is not applied.
    """
    gq = counts["parental_gq"].to_numpy(float)
    has_gq = bool(np.isfinite(gq).any())
    selection = select_baf_sites(
        counts["parental_ref_count"].to_numpy(),
        counts["parental_alt_count"].to_numpy(),
        gq if has_gq else None,
        counts["ref_count"].to_numpy(),
        counts["alt_count"].to_numpy(),
        settings,
        allele_balance_filter=paired,
    )
    kept = counts[selection.keep].reset_index(drop=True)
    sites = kept[["chrom", "pos", "ref_count", "alt_count"]].copy()
    sites["depth"] = sites["ref_count"] + sites["alt_count"]
    sites["baf"] = sites["alt_count"] / sites["depth"]
    if paired:
        sites["parental_alt_count"] = kept["parental_alt_count"]
        sites["parental_depth"] = kept["parental_ref_count"] + kept["parental_alt_count"]
    usable = (counts["parental_ref_count"] >= 0) & (counts["parental_alt_count"] >= 0)
    het_calls = counts.loc[usable, ["chrom", "pos", "parental_ref_count", "parental_alt_count"]]
    removed = dict(selection.removed)
    if not has_gq:
        removed["genotype_quality"] = None
    return sites, het_calls.reset_index(drop=True), removed
