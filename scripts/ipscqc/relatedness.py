"""Pairwise relatedness as somalier computes it (KING-robust), and somalier's reading of
it: same individual (duplicate), related, unrelated.

Genotypes are alternate-allele dosages (0 hom-ref, 1 het, 2 hom-alt, -1 missing), one
per site, both samples at the same sites. At the sites called in both samples (and,
when depths are given, with at least ``min_depth`` reads in each):

- ``ibs0``: one hom-ref, the other hom-alt (no allele shared);
- ``ibs2``: the same genotype, shared hom-ref included (somalier counts every jointly
  called site with identical genotypes; this differs from ipscqc.identity's ``ibs2``,
  which leaves shared hom-ref sites out as uninformative);
- ``shared_hets``: het in both; ``het_ab``: hets of a plus hets of b at those sites;
- ``relatedness = 2 * (shared_hets - 2 * ibs0) / het_ab``, the KING-robust kinship
  (Manichaikul et al. 2010) times 2, as somalier's pairwise.nim computes it (Pedersen
  et al. 2020): about 1 for the same individual, 0.5 for first-degree relatives, 0 for
  unrelated people on population sites.

The denominator is the mean of the two samples' het counts. The older ratio
(shared_hets - 2 ibs0) / min(hets_a, hets_b) stays at 1 when one sample has extra
hets, e.g. a culture mixing two people: every het of the cleaner sample is shared, the
extras are ignored; with het_ab the extra hets lower the relatedness.

Duplicate rule (somalier's reading, as the project's domain brief gives it): a pair
with relatedness above 0.96 and IBS0/IBS2 below 0.005 is the same individual sampled
twice (a duplicate, or a line and its donor). Somalier's output uses IBS0/IBS2 < 0.005
also to tell parent-child pairs (relatedness about 0.5, no site without a shared
allele) from siblings; for a same-individual pair it says that almost no site is
opposite homozygous. Both thresholds are settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RelatednessSettings:
    """Thresholds of the pair classification (config ``identity:``)."""

    min_depth: int = 8  # reads a genotype needs in each sample (identity.min_depth)
    min_sites: int = 100  # jointly called sites with a het in either sample
    duplicate_min_relatedness: float = 0.96  # somalier: duplicate above 0.96
    duplicate_max_ibs0_ratio: float = 0.005  # somalier: IBS0/IBS2 below 0.005
    same_min_relatedness: float = 0.8  # identity.same_individual_min_relatedness
    related_min_relatedness: float = 0.4  # identity.related_min_relatedness


def king_robust(
    gt_a: np.ndarray,
    gt_b: np.ndarray,
    depth_a: np.ndarray | None = None,
    depth_b: np.ndarray | None = None,
    min_depth: int = 0,
) -> dict:
    """somalier's pair statistics of two samples (see module doc); ``relatedness`` and
    ``ibs0_ibs2_ratio`` are None when undefined (no het, or no identical site)."""
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
    return {
        "sites": int(called.sum()),
        "het_sites": int(((a == 1) | (b == 1)).sum()),
        "ibs0": ibs0,
        "ibs2": ibs2,
        "shared_hets": shared_hets,
        "hets_a": hets_a,
        "hets_b": hets_b,
        "het_ab": het_ab,
        "relatedness": 2.0 * (shared_hets - 2 * ibs0) / het_ab if het_ab else None,
        "ibs0_ibs2_ratio": ibs0 / ibs2 if ibs2 else None,
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
