"""Sample identity across a whole run: genotypes at shared sites, pairwise relatedness,
and the per-sample identity verdict inputs (which individual each sample is).

Genotypes are dosages of the alternate allele: 0 hom-ref, 1 het, 2 hom-alt, -1 missing.
Positions are 1-based (VCF POS).

Pairwise statistics at the sites where both samples have a genotype and at least
``min_depth`` reads, counting only sites where at least one of the two is not hom-ref
(shared hom-ref sites say nothing about identity):

- ``ibs0``: one sample hom-ref, the other hom-alt (no allele shared),
- ``ibs2``: identical genotypes,
- ``concordance`` = ibs2 / informative sites,
- ``relatedness`` = (shared_hets - 2 * ibs0) / min(hets_a, hets_b), the estimator of
  somalier (Pedersen et al. 2020, Genome Medicine), a KING-robust-like kinship scaled so
  that the same individual gives 1, a parent or sibling about 0.5, unrelated people
  about 0 on a population site list (and below 0 on sites chosen from the run's own
  variants, where unrelated samples share few hets).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING = -1

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


@dataclass
class CohortGenotypes:
    """Genotypes and read counts of every sample at the identity sites."""

    samples: list[str]
    chrom: np.ndarray  # (sites,) contig names
    pos: np.ndarray  # (sites,) 1-based
    gt: np.ndarray  # (sites, samples) dosage 0/1/2, -1 missing
    ref_depth: np.ndarray  # (sites, samples) reads with the reference allele
    alt_depth: np.ndarray  # (sites, samples) reads with the alternate allele

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
        )


def load_cohort_vcf(path: str) -> CohortGenotypes:
    """Read a multi-sample VCF (biallelic sites, FORMAT/GT and FORMAT/AD)."""
    from cyvcf2 import VCF

    chrom, pos, gts, refs, alts = [], [], [], [], []
    vcf = VCF(path, gts012=False)
    try:
        samples = list(vcf.samples)
        for variant in vcf:
            if len(variant.ALT) != 1:
                continue
            chrom.append(variant.CHROM)
            pos.append(variant.POS)
            # cyvcf2 gt_types: 0 HOM_REF, 1 HET, 2 UNKNOWN, 3 HOM_ALT
            types = variant.gt_types
            dosage = np.where(types == 3, 2, np.where(types == 2, MISSING, types))
            gts.append(dosage)
            ad = variant.format("AD")
            if ad is None:
                ad = np.zeros((len(samples), 2), dtype=int)
            ad = np.where(ad < 0, 0, ad)
            refs.append(ad[:, 0])
            alts.append(ad[:, 1] if ad.shape[1] > 1 else np.zeros(len(samples), dtype=int))
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
    )


def select_sites(
    vcf_paths: list[str], fai_path: str, min_qual: float, max_sites: int
) -> list[tuple[str, int, str, str]]:
    """Biallelic SNVs on the autosomes and chrX of the given VCFs: (chrom, pos, ref, alt).

    Sites with QUAL below ``min_qual`` are dropped (a missing QUAL is kept: a site
    list has none); a position listed with different alleles in two files is dropped.
    Sites are in reference order; more than ``max_sites`` are thinned evenly.
    """
    from cyvcf2 import VCF

    from .sex import contig_class

    with open(fai_path) as handle:
        order = {line.split("\t", 1)[0]: i for i, line in enumerate(handle) if line.strip()}
    wanted = {name for name in order if contig_class(name) in ("autosome", "X")}
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


def _value(x):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else x


def identity_metrics(
    sample: str,
    donor: str,
    parental: str,
    donors: dict[str, str],
    pairs: pd.DataFrame,
    min_informative_sites: int,
) -> tuple[dict, list, list]:
    """Metrics, items and notes of one sample's identity findings.

    ``matches_declared_donor`` is True when the sample is the same individual as its
    parental (or, without a parental, as any other sample of its donor), False when
    that comparison is conclusive and says otherwise, and None when it could not be
    decided (too few informative sites, or no other sample of the donor).
    """
    own = pairs_of(pairs, sample)
    notes = []
    items = [
        {
            "other_sample": row.other,
            "other_donor": row.other_donor,
            "expected": "same" if row.other_donor == donor else "different",
            "informative_sites": int(row.informative_sites),
            "concordance": _value(row.concordance),
            "relatedness": _value(row.relatedness),
            "observed": row.observed,
        }
        for row in own.sort_values("other").itertuples()
    ]
    conclusive = own[own["observed"] != "inconclusive"]
    to_parental = own[own["other"] == parental] if parental else own.iloc[0:0]
    relatedness_to_parental = concordance_to_parental = None
    if len(to_parental):
        relatedness_to_parental = _value(to_parental["relatedness"].iloc[0])
        concordance_to_parental = _value(to_parental["concordance"].iloc[0])
        informative = int(to_parental["informative_sites"].iloc[0])
        observed = to_parental["observed"].iloc[0]
        matches = None if observed == "inconclusive" else observed == "same"
        if matches is None:
            notes.append(
                f"only {informative} informative sites shared with the parental {parental} "
                f"(minimum {min_informative_sites}): identity could not be decided"
            )
    else:
        informative = int(own["informative_sites"].max()) if len(own) else 0
        same_donor = own[own["other_donor"] == donor]
        decided = same_donor[same_donor["observed"] != "inconclusive"]
        if len(decided):
            matches = bool((decided["observed"] == "same").any())
            informative = int(decided["informative_sites"].max())
        else:
            matches = None
            notes.append(
                f"no parental and no other sample of donor {donor} with enough informative "
                "sites to compare with: identity with the donor could not be checked"
            )
    best_sample = best_donor = best_relatedness = None
    if len(conclusive):
        best = conclusive.sort_values(["relatedness", "other"], ascending=[False, True]).iloc[0]
        best_sample, best_donor = best["other"], best["other_donor"]
        best_relatedness = _value(best["relatedness"])
    other_donor_matches = sorted(
        set(conclusive.loc[conclusive["observed"] == "same", "other_donor"]) - {donor}
    )
    other_sample_matches = sorted(
        conclusive.loc[
            (conclusive["observed"] == "same") & (conclusive["other_donor"] != donor), "other"
        ]
    )
    if matches is False:
        where = (
            f"it matches {', '.join(other_sample_matches)} (donor {', '.join(other_donor_matches)})"
            if other_sample_matches
            else "it matches no other sample of the run"
        )
        notes.append(f"{sample} is not the same individual as its declared donor {donor}; {where}")
    elif other_donor_matches:
        notes.append(
            f"{sample} is the same individual as sample(s) of other donor(s): "
            f"{', '.join(other_sample_matches)} ({', '.join(other_donor_matches)})"
        )
    metrics = {
        "informative_sites": informative,
        "relatedness_to_parental": relatedness_to_parental,
        "concordance_to_parental": concordance_to_parental,
        "matches_declared_donor": matches,
        "best_match_sample": best_sample,
        "best_match_donor": best_donor,
        "best_match_relatedness": best_relatedness,
        "matching_other_donors": other_donor_matches,
        "matching_other_samples": other_sample_matches,
    }
    return metrics, items, notes


def relatedness_heatmap(pairs: pd.DataFrame, samples: list[str]) -> dict:
    """MultiQC custom-content heatmap of the relatedness matrix (diagonal 1)."""
    index = {sample: i for i, sample in enumerate(samples)}
    matrix = [[None] * len(samples) for _ in samples]
    for i in range(len(samples)):
        matrix[i][i] = 1.0
    for row in pairs.itertuples():
        value = _value(row.relatedness)
        value = None if value is None else round(float(value), 3)
        i, j = index[row.sample_a], index[row.sample_b]
        matrix[i][j] = matrix[j][i] = value
    return {
        "id": "ipscqc_relatedness",
        "section_name": "Identity: relatedness",
        "description": (
            "Pairwise relatedness of every sample of the run at shared germline sites "
            "((shared hets - 2 x IBS0) / min(hets), as somalier): about 1 for the same "
            "individual, 0.5 for first-degree relatives, 0 or below for unrelated people. "
            "Samples of the same donor must be about 1; a line that is not is not its donor's."
        ),
        "plot_type": "heatmap",
        "xcats": list(samples),
        "ycats": list(samples),
        "data": matrix,
        "pconfig": {
            "id": "ipscqc_relatedness_heatmap",
            "title": "ipsc-qc: pairwise relatedness",
            "min": -1.0,
            "max": 1.0,
            "square": True,
        },
    }


def mqc_table(header: str, rows: list[dict]) -> str:
    """A MultiQC custom-content TSV: '#' header lines, then one row per sample.

    Unknown values are written NA; numbers keep their type (a count stays an integer).
    """

    def cell(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "NA"
        if isinstance(value, float):
            return f"{value:.4g}"
        if isinstance(value, list | tuple):
            return ",".join(str(item) for item in value) or "-"
        return str(value)

    columns = list(rows[0]) if rows else []
    lines = ["\t".join(columns)] + ["\t".join(cell(row[c]) for c in columns) for row in rows]
    return header + "\n".join(lines) + "\n"
