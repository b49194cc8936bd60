"""Allele counts of a sample at the heterozygous SNVs of its reference sample, from
the donor's joint VCF (the B-allele fraction signal of the copy-number check)."""

from __future__ import annotations

import pandas as pd

from .params import Params


def read_het_sites(
    vcf_path: str, line: str, reference: str, params: Params, contigs: list[str]
) -> pd.DataFrame:
    """Allele counts of ``line`` at biallelic SNPs heterozygous in ``reference`` (the
    parental, or the line itself in line-only mode), from a joint VCF with FORMAT/AD.

    Returns chrom, pos (0-based), ref_count, alt_count, depth, baf (alt fraction).
    """
    from cyvcf2 import VCF

    wanted = set(contigs)
    rows: dict[str, list] = {"chrom": [], "pos": [], "ref_count": [], "alt_count": []}
    with_vcf = VCF(vcf_path, gts012=False, lazy=True, threads=1)
    try:
        names = list(with_vcf.samples)
        if line not in names or reference not in names:
            raise ValueError(f"{vcf_path}: samples {line!r} and {reference!r} expected")
        i_line, i_ref = names.index(line), names.index(reference)
        last = None
        for record in with_vcf:
            if record.CHROM not in wanted or not record.is_snp or len(record.ALT) != 1:
                continue
            quality = record.QUAL
            if quality is not None and quality < params.min_het_qual:
                continue
            key = (record.CHROM, record.POS)
            if key == last:
                continue
            last = key
            if record.gt_types[i_ref] != 1:  # 1: heterozygous
                continue
            ad = record.format("AD")
            if ad is None:
                continue
            ref_ref, ref_alt = int(ad[i_ref][0]), int(ad[i_ref][1])
            if ref_ref < 0 or ref_alt < 0 or ref_ref + ref_alt < params.min_het_depth:
                continue
            line_ref, line_alt = int(ad[i_line][0]), int(ad[i_line][1])
            if line_ref < 0 or line_alt < 0:
                continue
            rows["chrom"].append(record.CHROM)
            rows["pos"].append(record.POS - 1)
            rows["ref_count"].append(line_ref)
            rows["alt_count"].append(line_alt)
    finally:
        with_vcf.close()
    sites = pd.DataFrame(rows)
    sites["depth"] = sites["ref_count"] + sites["alt_count"]
    sites = sites[sites["depth"] >= params.min_baf_depth].reset_index(drop=True)
    sites["baf"] = sites["alt_count"] / sites["depth"]
    return sites
