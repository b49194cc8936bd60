"""Multi-sample VCF/BCF genotypes and allele depths (cyvcf2).

Genotypes are dosages of the alternate allele: 0 hom-ref, 1 het, 2 hom-alt, -1 missing.
Positions are 1-based (VCF POS), except in ``read_het_site_counts`` (0-based, as the
copy-number check's other tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING = -1


@dataclass
class CohortGenotypes:
    """Genotypes and read counts of every sample at a set of biallelic sites."""

    samples: list[str]
    chrom: np.ndarray  # (sites,) contig names
    pos: np.ndarray  # (sites,) 1-based
    gt: np.ndarray  # (sites, samples) dosage 0/1/2, -1 missing
    ref_depth: np.ndarray  # (sites, samples) reads with the reference allele
    alt_depth: np.ndarray  # (sites, samples) reads with the alternate allele
    # (sites, samples) reads with neither allele (FORMAT/DP minus the AD sum); None
    # when the file has no FORMAT/DP
    other_depth: np.ndarray | None = None

    @property
    def depth(self) -> np.ndarray:
        return self.ref_depth + self.alt_depth

    def column(self, sample: str) -> int:
        return self.samples.index(sample)

    def subset(self, mask: np.ndarray) -> CohortGenotypes:
        return CohortGenotypes(
            self.samples,
            self.chrom[mask],
            self.pos[mask],
            self.gt[mask],
            self.ref_depth[mask],
            self.alt_depth[mask],
            None if self.other_depth is None else self.other_depth[mask],
        )


def read_cohort_genotypes(path: str) -> CohortGenotypes:
    """Biallelic records of a multi-sample VCF with FORMAT/GT and FORMAT/AD."""
    from cyvcf2 import VCF

    chrom, pos, gts, refs, alts, others = [], [], [], [], [], []
    vcf = VCF(path, gts012=False)
    try:
        samples = list(vcf.samples)
        has_depth = any(
            record.type == "FORMAT" and record.info().get("ID") == "DP"
            for record in vcf.header_iter()
        )
        for variant in vcf:
            if len(variant.ALT) != 1:
                continue
            chrom.append(variant.CHROM)
            pos.append(variant.POS)
            # cyvcf2 gt_types: 0 HOM_REF, 1 HET, 2 UNKNOWN, 3 HOM_ALT
            types = variant.gt_types
            gts.append(np.where(types == 3, 2, np.where(types == 2, MISSING, types)))
            ad = variant.format("AD")
            if ad is None:
                ad = np.zeros((len(samples), 2), dtype=int)
            ad = np.where(ad < 0, 0, ad)
            refs.append(ad[:, 0])
            alts.append(ad[:, 1] if ad.shape[1] > 1 else np.zeros(len(samples), dtype=int))
            dp = variant.format("DP") if has_depth else None
            if dp is not None:
                total = np.where(dp[:, 0] < 0, 0, dp[:, 0])
                others.append(np.maximum(total - ad[:, 0] - ad[:, 1:].sum(axis=1), 0))
    finally:
        vcf.close()
    n = len(samples)
    return CohortGenotypes(
        samples=samples,
        chrom=np.array(chrom, dtype=object),
        pos=np.array(pos, dtype=np.int64),
        gt=np.array(gts, dtype=np.int8).reshape(-1, n),
        ref_depth=np.array(refs, dtype=np.int64).reshape(-1, n),
        alt_depth=np.array(alts, dtype=np.int64).reshape(-1, n),
        other_depth=np.array(others, dtype=np.int64).reshape(-1, n)
        if len(others) == len(chrom)
        else None,
    )


def record_contigs(path: str) -> set[str]:
    """The contig names the records of a VCF/BCF use (its header may list more)."""
    from cyvcf2 import VCF

    vcf = VCF(path)
    try:
        return {variant.CHROM for variant in vcf}
    finally:
        vcf.close()


HET_SITE_COLUMNS = ["chrom", "pos", "ref_count", "alt_count", "parental_ref_count",
                    "parental_alt_count", "parental_gq"]  # fmt: skip


def read_het_site_counts(
    path: str, line: str, parental: str, contigs: list[str], min_qual: float
) -> pd.DataFrame:
    """Allele counts of two samples at the biallelic SNPs ``parental`` calls heterozygous.

    One row per SNP on ``contigs`` with QUAL >= ``min_qual`` (when the record has a QUAL)
    and a heterozygous GT in ``parental`` (pass the line itself in line-only mode):
    chrom, pos (**0-based**), the line's ref/alt FORMAT/AD, the parental's ref/alt AD and
    its FORMAT/GQ (NaN when the header has no GQ). A missing AD value is -1; a record
    repeated at the same position is read once.
    """
    from cyvcf2 import VCF

    wanted = set(contigs)
    rows: list[tuple] = []
    vcf = VCF(path, gts012=False, lazy=True, threads=1)
    try:
        names = list(vcf.samples)
        if line not in names or parental not in names:
            raise ValueError(f"{path}: samples {line!r} and {parental!r} expected")
        i_line, i_par = names.index(line), names.index(parental)
        has_gq = "GQ" in {h["ID"] for h in vcf.header_iter() if h["HeaderType"] == "FORMAT"}
        last = None
        for record in vcf:
            if record.CHROM not in wanted or not record.is_snp or len(record.ALT) != 1:
                continue
            quality, key = record.QUAL, (record.CHROM, record.POS)
            if (quality is not None and quality < min_qual) or key == last:
                continue
            last = key
            if record.gt_types[i_par] != 1:  # cyvcf2: 1 heterozygous
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
    return pd.DataFrame(rows, columns=HET_SITE_COLUMNS)


def read_site_frequencies(path: str, chrom: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """INFO/AF of a sites VCF at the given sites (chrom, 1-based pos), NaN where the
    file has no record or no AF there (the first ALT's AF of a multi-allelic record)."""
    from cyvcf2 import VCF

    wanted = {(str(c), int(p)): i for i, (c, p) in enumerate(zip(chrom, pos, strict=True))}
    frequency = np.full(len(chrom), np.nan)
    vcf = VCF(path)
    try:
        for variant in vcf:
            index = wanted.get((variant.CHROM, variant.POS))
            value = variant.INFO.get("AF")
            if index is not None and value is not None:
                frequency[index] = float(value[0] if isinstance(value, tuple) else value)
    finally:
        vcf.close()
    return frequency
