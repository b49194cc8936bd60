"""Reader of allele counts for the copy-number check: the line's and the parental's
FORMAT/AD (and the parental's GQ) at biallelic SNPs the parental calls heterozygous, from
the donor's joint VCF. Selection of BAF sites is ``cn_allele_balance.baf_sites``."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
