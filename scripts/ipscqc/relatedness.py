"""Relatedness of the samples of a run, as somalier computes it: pairwise statistics at
shared germline sites (KING-robust), each pair's verdict with somalier's duplicate rule,
the individuals the samples form, and the choice of identity sites.

Genotypes are alternate-allele dosages (0 hom-ref, 1 het, 2 hom-alt, -1 missing), one
per site, both samples at the same sites; positions are 1-based (VCF POS). At the sites
called in both samples (and, when depths are given, with at least ``min_depth`` reads
in each):

- ``ibs0``: one hom-ref, the other hom-alt (no allele shared);
- ``ibs2``: the same genotype, shared hom-ref included (somalier counts every jointly
  called site with identical genotypes);
- ``shared_hets``: het in both; ``het_ab``: hets of a plus hets of b at those sites;
- ``relatedness = 2 * (shared_hets - 2 * ibs0) / het_ab``, the KING-robust kinship
  (Manichaikul et al. 2010) times 2, as somalier's pairwise.nim computes it (Pedersen
  et al. 2020): about 1 for the same individual, 0.5 for first-degree relatives, 0 for
  unrelated people on population sites (below 0 on sites chosen from the run's own
  variants, where each donor's private hom-alt sites are IBS0 with the other donors);
- ``concordance``: identical genotypes / sites where either sample is not hom-ref.

The denominator is the sum of the two samples' het counts. The older ratio
(shared_hets - 2 ibs0) / min(hets_a, hets_b) stays at 1 when one sample has extra hets
(a culture mixing two people: every het of the cleaner sample is shared, the extras are
ignored); with het_ab the extra hets lower the relatedness.

Duplicate rule (somalier's reading): a pair with relatedness above 0.96 and IBS0/IBS2
below 0.005 is the same individual sampled twice (a duplicate, or a line and its
donor); both thresholds are settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipscqc.components import connected_components
from ipscqc.genome import GenomeModel
from ipscqc.readers.vcf import CohortGenotypes

# verdicts of a pair that mean "the same individual"
SAME_INDIVIDUAL = ("duplicate", "same")

PAIR_COLUMNS = [
    "sample_a",
    "sample_b",
    "donor_a",
    "donor_b",
    "expected",
    "sites",
    "informative_sites",
    "ibs0",
    "ibs2",
    "shared_hets",
    "hets_a",
    "hets_b",
    "het_ab",
    "ibs0_ibs2_ratio",
    "concordance",
    "relatedness",
    "observed",
    "consistent",
]


def select_sites(
    vcf_paths: list[str],
    genome: GenomeModel,
    min_qual: float,
    max_sites: int,
    keep_frequency: bool = False,
) -> list[tuple[str, int, str, str, float | None]]:
    """Biallelic SNVs on the autosomes and chrX of the given VCFs: (chrom, pos, ref,
    alt, af), af being the record's INFO/AF when ``keep_frequency`` (a population
    sites file's allele frequency), else None.

    Sites with QUAL below ``min_qual`` are dropped (a missing QUAL is kept: a site
    list has none); a position listed with different alleles in two files is dropped.
    Sites are in reference order; more than ``max_sites`` are thinned evenly.
    """
    from cyvcf2 import VCF

    order = {name: i for i, name in enumerate(genome.contigs)}
    wanted = set(genome.of_class("autosome", "X"))
    alleles: dict[tuple[str, int], tuple[str, str] | None] = {}
    frequency: dict[tuple[str, int], float | None] = {}
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
                    af = variant.INFO.get("AF") if keep_frequency else None
                    frequency[key] = None if af is None else float(np.ravel(af)[0])
        finally:
            vcf.close()
    sites = sorted(
        (
            (chrom, pos, *pair, frequency.get((chrom, pos)))
            for (chrom, pos), pair in alleles.items()
            if pair is not None
        ),
        key=lambda site: (order[site[0]], site[1]),
    )
    if len(sites) > max_sites:
        keep = np.unique(np.linspace(0, len(sites) - 1, max_sites).round().astype(int))
        sites = [sites[i] for i in keep]
    return sites


@dataclass(frozen=True)
class RelatednessSettings:
    """Thresholds of the pair classification (config ``identity:``; the defaults here
    are the config schema's, for direct callers)."""

    min_depth: int = 8  # reads a genotype needs in each sample (identity.min_depth)
    min_sites: int = 100  # sites with a het in either sample (identity.min_informative_sites)
    duplicate_min_relatedness: float = 0.96  # somalier: duplicate above 0.96
    duplicate_max_ibs0_ratio: float = 0.005  # somalier: IBS0/IBS2 below 0.005
    same_min_relatedness: float = 0.8  # identity.same_individual_min_relatedness
    related_min_relatedness: float = 0.4  # identity.related_min_relatedness

    @classmethod
    def from_config(cls, identity: dict) -> RelatednessSettings:
        """The settings of the config's ``identity:`` block (validated, defaults filled)."""
        return cls(
            min_depth=int(identity["min_depth"]),
            min_sites=int(identity["min_informative_sites"]),
            duplicate_min_relatedness=float(identity["duplicate_min_relatedness"]),
            duplicate_max_ibs0_ratio=float(identity["duplicate_max_ibs0_ratio"]),
            same_min_relatedness=float(identity["same_individual_min_relatedness"]),
            related_min_relatedness=float(identity["related_min_relatedness"]),
        )


def king_robust(
    gt_a: np.ndarray,
    gt_b: np.ndarray,
    depth_a: np.ndarray | None = None,
    depth_b: np.ndarray | None = None,
    min_depth: int = 0,
) -> dict:
    """somalier's pair statistics of two samples (see module doc): counts of sites,
    ``het_sites`` (a het in either sample: the sites a verdict needs), ``informative_sites``
    (either sample not hom-ref), IBS0, IBS2, hets, ``relatedness``, ``ibs0_ibs2_ratio``
    and ``concordance``; the last three are None when undefined."""
    a, b = np.asarray(gt_a), np.asarray(gt_b)
    called = (a >= 0) & (a <= 2) & (b >= 0) & (b <= 2)
    if depth_a is not None:
        called &= np.asarray(depth_a) >= min_depth
    if depth_b is not None:
        called &= np.asarray(depth_b) >= min_depth
    a, b = a[called], b[called]
    ibs0 = int((((a == 0) & (b == 2)) | ((a == 2) & (b == 0))).sum())
    ibs2 = int((a == b).sum())
    shared_hets = int(((a == 1) & (b == 1)).sum())
    hets_a, hets_b = int((a == 1).sum()), int((b == 1).sum())
    het_ab = hets_a + hets_b
    informative = (a > 0) | (b > 0)
    informative_sites = int(informative.sum())
    return {
        "sites": int(called.sum()),
        "het_sites": int(((a == 1) | (b == 1)).sum()),
        "informative_sites": informative_sites,
        "ibs0": ibs0,
        "ibs2": ibs2,
        "shared_hets": shared_hets,
        "hets_a": hets_a,
        "hets_b": hets_b,
        "het_ab": het_ab,
        "relatedness": 2.0 * (shared_hets - 2 * ibs0) / het_ab if het_ab else None,
        "ibs0_ibs2_ratio": ibs0 / ibs2 if ibs2 else None,
        "concordance": int(((a == b) & informative).sum()) / informative_sites
        if informative_sites
        else None,
    }


def is_duplicate(stats: dict, settings: RelatednessSettings) -> bool | None:
    """somalier's duplicate rule; None when relatedness or the IBS ratio is undefined
    or the pair has fewer than ``min_sites`` het sites."""
    relatedness, ratio = stats["relatedness"], stats["ibs0_ibs2_ratio"]
    if relatedness is None or ratio is None or stats["het_sites"] < settings.min_sites:
        return None
    return (
        relatedness > settings.duplicate_min_relatedness
        and ratio < settings.duplicate_max_ibs0_ratio
    )


def classify_pair(stats: dict, settings: RelatednessSettings) -> tuple[str, str]:
    """('duplicate' | 'same' | 'related' | 'unrelated' | 'inconclusive', reason).

    'duplicate': the duplicate rule holds (same individual, clean genotypes). 'same':
    relatedness at least ``same_min_relatedness`` without meeting the duplicate rule
    (the same person, but more genotype disagreement than a clean duplicate: a mixed
    or contaminated culture, an acquired LOH, or low depth); 'related' from
    ``related_min_relatedness``; 'unrelated' below; 'inconclusive' with fewer than
    ``min_sites`` het sites.
    """
    relatedness = stats["relatedness"]
    if relatedness is None or stats["het_sites"] < settings.min_sites:
        return "inconclusive", (
            f"{stats['het_sites']} sites with a het in either sample (minimum {settings.min_sites})"
        )
    ratio = stats["ibs0_ibs2_ratio"]
    shown = f"relatedness {relatedness:.3f}, IBS0/IBS2 " + (
        "undefined" if ratio is None else f"{ratio:.4f}"
    )
    if is_duplicate(stats, settings):
        return "duplicate", f"{shown}: same individual (duplicate rule)"
    if relatedness >= settings.same_min_relatedness:
        return "same", (
            f"{shown}: same individual, but below the duplicate rule "
            f"(> {settings.duplicate_min_relatedness}, < {settings.duplicate_max_ibs0_ratio})"
        )
    if relatedness >= settings.related_min_relatedness:
        return "related", f"{shown}: related, not the same individual"
    return "unrelated", f"{shown}: unrelated"


def pairwise_table(
    cohort: CohortGenotypes, donors: dict[str, str], settings: RelatednessSettings
) -> pd.DataFrame:
    """Every unordered pair of samples with its statistics, expectation and verdict.

    ``informative_sites`` is the pair's ``het_sites`` (what a verdict needs);
    ``expected`` is 'same' for samples of the same donor and 'different' otherwise;
    ``observed`` is classify_pair's verdict; ``consistent`` is False when a same-donor
    pair is not the same individual or a different-donor pair is, and None when the
    pair is inconclusive.
    """
    rows = []
    depth = cohort.depth
    for i, sample_a in enumerate(cohort.samples):
        for j in range(i + 1, len(cohort.samples)):
            sample_b = cohort.samples[j]
            stats = king_robust(
                cohort.gt[:, i], cohort.gt[:, j], depth[:, i], depth[:, j], settings.min_depth
            )
            observed, _ = classify_pair(stats, settings)
            expected = "same" if donors[sample_a] == donors[sample_b] else "different"
            consistent = None
            if observed != "inconclusive":
                consistent = (observed in SAME_INDIVIDUAL) == (expected == "same")
            rows.append(
                {
                    "sample_a": sample_a,
                    "sample_b": sample_b,
                    "donor_a": donors[sample_a],
                    "donor_b": donors[sample_b],
                    "expected": expected,
                    **stats,
                    "informative_sites": stats["het_sites"],
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
    keep = ["other", "other_donor", "informative_sites", "ibs0", "ibs2", "ibs0_ibs2_ratio"]
    keep += ["concordance", "relatedness", "observed"]
    return pd.concat([as_a[keep], as_b[keep]], ignore_index=True)


def individuals(samples: list[str], pairs: pd.DataFrame) -> dict[str, int]:
    """Group samples into individuals: connected components of 'same' pairs, numbered
    in the order of their first sample."""
    same = [
        (row.sample_a, row.sample_b)
        for row in pairs.itertuples()
        if row.observed in SAME_INDIVIDUAL
    ]
    components = connected_components(samples, same)
    return {sample: index for index, group in enumerate(components) for sample in group}


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
