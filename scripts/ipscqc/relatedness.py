"""Relatedness of the samples of a run: pairwise statistics at shared germline sites,
each pair's verdict, the individuals the samples form, and the choice of identity sites.

Genotypes are dosages of the alternate allele: 0 hom-ref, 1 het, 2 hom-alt, -1 missing.
Positions are 1-based (VCF POS).

Pairwise statistics at the sites where both samples have a genotype and at least
``min_depth`` reads, counting only sites where at least one of the two is not hom-ref
(shared hom-ref sites say nothing about identity):

- ``ibs0``: one sample hom-ref, the other hom-alt (no allele shared),
- ``ibs2``: identical genotypes,
- ``concordance`` = ibs2 / informative sites,
- ``relatedness`` = (shared_hets - 2 * ibs0) / min(hets_a, hets_b), a KING-robust-like
  kinship scaled so that the same individual gives 1, a parent or sibling about 0.5,
  unrelated people about 0 on a population site list (and below 0 on sites chosen from
  the run's own variants, where unrelated samples share few hets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscqc.genome import GenomeModel
from ipscqc.readers.vcf import CohortGenotypes

PAIR_COLUMNS = [
    "sample_a",
    "sample_b",
    "donor_a",
    "donor_b",
    "expected",
    "informative_sites",
    "ibs0",
    "ibs2",
    "shared_hets",
    "hets_a",
    "hets_b",
    "concordance",
    "relatedness",
    "observed",
    "consistent",
]


def select_sites(
    vcf_paths: list[str], genome: GenomeModel, min_qual: float, max_sites: int
) -> list[tuple[str, int, str, str]]:
    """Biallelic SNVs on the autosomes and chrX of the given VCFs: (chrom, pos, ref, alt).

    Sites with QUAL below ``min_qual`` are dropped (a missing QUAL is kept: a site
    list has none); a position listed with different alleles in two files is dropped.
    Sites are in reference order; more than ``max_sites`` are thinned evenly.
    """
    from cyvcf2 import VCF

    order = {name: i for i, name in enumerate(genome.contigs)}
    wanted = set(genome.of_class("autosome", "X"))
    alleles: dict[tuple[str, int], tuple[str, str] | None] = {}
    for path in vcf_paths:
        vcf = VCF(path)
        try:
            for variant in vcf:
                if variant.CHROM not in wanted or len(variant.ALT) != 1:
                    continue
                ref, alt = variant.REF.upper(), variant.ALT[0].upper()
                if len(ref) != 1 or len(alt) != 1 or alt not in "ACGT" or ref not in "ACGT":
                    continue
                quality = variant.QUAL
                if quality is not None and quality < min_qual:
                    continue
                key = (variant.CHROM, variant.POS)
                if key in alleles and alleles[key] != (ref, alt):
                    alleles[key] = None
                elif key not in alleles:
                    alleles[key] = (ref, alt)
        finally:
            vcf.close()
    sites = sorted(
        ((chrom, pos, *pair) for (chrom, pos), pair in alleles.items() if pair is not None),
        key=lambda site: (order[site[0]], site[1]),
    )
    if len(sites) > max_sites:
        keep = np.unique(np.linspace(0, len(sites) - 1, max_sites).round().astype(int))
        sites = [sites[i] for i in keep]
    return sites


def pair_statistics(
    gt_a: np.ndarray, gt_b: np.ndarray, depth_a: np.ndarray, depth_b: np.ndarray, min_depth: int
) -> dict:
    """IBS counts, concordance and somalier-style relatedness of two samples."""
    usable = (gt_a >= 0) & (gt_b >= 0) & (depth_a >= min_depth) & (depth_b >= min_depth)
    a, b = gt_a[usable], gt_b[usable]
    informative = (a > 0) | (b > 0)
    n = int(informative.sum())
    ibs0 = int((((a == 0) & (b == 2)) | ((a == 2) & (b == 0))).sum())
    ibs2 = int(((a == b) & informative).sum())
    shared_hets = int(((a == 1) & (b == 1)).sum())
    hets_a, hets_b = int((a == 1).sum()), int((b == 1).sum())
    fewer_hets = min(hets_a, hets_b)
    return {
        "informative_sites": n,
        "ibs0": ibs0,
        "ibs2": ibs2,
        "shared_hets": shared_hets,
        "hets_a": hets_a,
        "hets_b": hets_b,
        "concordance": ibs2 / n if n else None,
        "relatedness": (shared_hets - 2 * ibs0) / fewer_hets if fewer_hets else None,
    }


def classify_relationship(
    relatedness: float | None,
    informative_sites: int,
    min_informative_sites: int,
    same_min: float,
    related_min: float,
) -> str:
    """'same' individual, 'related', 'unrelated', or 'inconclusive' (too few sites)."""
    if relatedness is None or informative_sites < min_informative_sites:
        return "inconclusive"
    if relatedness >= same_min:
        return "same"
    if relatedness >= related_min:
        return "related"
    return "unrelated"


def pairwise_table(
    cohort: CohortGenotypes,
    donors: dict[str, str],
    min_depth: int,
    min_informative_sites: int,
    same_min: float,
    related_min: float,
) -> pd.DataFrame:
    """Every unordered pair of samples with its statistics, expectation and verdict.

    ``expected`` is 'same' for samples of the same donor and 'different' otherwise;
    ``consistent`` is False when a same-donor pair is not the same individual or a
    different-donor pair is, and None when the pair is inconclusive.
    """
    rows = []
    depth = cohort.depth
    for i, sample_a in enumerate(cohort.samples):
        for j in range(i + 1, len(cohort.samples)):
            sample_b = cohort.samples[j]
            stats = pair_statistics(
                cohort.gt[:, i], cohort.gt[:, j], depth[:, i], depth[:, j], min_depth
            )
            observed = classify_relationship(
                stats["relatedness"],
                stats["informative_sites"],
                min_informative_sites,
                same_min,
                related_min,
            )
            expected = "same" if donors[sample_a] == donors[sample_b] else "different"
            if observed == "inconclusive":
                consistent = None
            else:
                consistent = (observed == "same") == (expected == "same")
            rows.append(
                {
                    "sample_a": sample_a,
                    "sample_b": sample_b,
                    "donor_a": donors[sample_a],
                    "donor_b": donors[sample_b],
                    "expected": expected,
                    **stats,
                    "observed": observed,
                    "consistent": consistent,
                }
            )
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def pairs_of(pairs: pd.DataFrame, sample: str) -> pd.DataFrame:
    """The pairs involving one sample, re-oriented so that ``other`` is the partner."""
    as_a = pairs[pairs["sample_a"] == sample].rename(
        columns={"sample_b": "other", "donor_b": "other_donor"}
    )
    as_b = pairs[pairs["sample_b"] == sample].rename(
        columns={"sample_a": "other", "donor_a": "other_donor"}
    )
    keep = ["other", "other_donor", "informative_sites", "concordance", "relatedness", "observed"]
    return pd.concat([as_a[keep], as_b[keep]], ignore_index=True)


def individuals(samples: list[str], pairs: pd.DataFrame) -> dict[str, int]:
    """Group samples into individuals: connected components of 'same' pairs."""
    parent = {sample: sample for sample in samples}

    def root(sample):
        while parent[sample] != sample:
            parent[sample] = parent[parent[sample]]
            sample = parent[sample]
        return sample

    for row in pairs.itertuples():
        if row.observed == "same":
            parent[root(row.sample_a)] = root(row.sample_b)
    roots = sorted({root(sample) for sample in samples})
    number = {name: index for index, name in enumerate(roots)}
    return {sample: number[root(sample)] for sample in samples}


def representatives(
    pairs: pd.DataFrame, samples: list[str], depth: np.ndarray
) -> tuple[dict[str, int], dict[int, str]]:
    """The individual of each sample, and one sample per individual: its deepest
    (median depth over the sites, columns of ``depth`` in the order of ``samples``)."""
    groups = individuals(samples, pairs)
    median_depth = {sample: float(np.median(depth[:, i])) for i, sample in enumerate(samples)}
    chosen: dict[int, str] = {}
    for sample in samples:
        group = groups[sample]
        if group not in chosen or median_depth[sample] > median_depth[chosen[group]]:
            chosen[group] = sample
    return groups, chosen
