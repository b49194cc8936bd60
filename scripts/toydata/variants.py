"""Germline variants of the toy donors and their haplotype sequences.

Positions held in Python objects are 0-based (``pos0``); truth.json reports VCF-style
1-based ``pos``. Every indel is placed where it has a single representation (it cannot
be shifted left or right), so a left-aligned, normalised call matches the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .genome import Contig, interval_mask_check
from .sequtils import BASE_INDEX, BASES, as_str

COMMON_SITE_DENSITY = 1.05 / 1000  # population sites per bp (AF ~ U(0.05, 0.95))
PRIVATE_HET_DENSITY = 0.284 / 1000  # private heterozygous sites per bp per donor
INDEL_FRACTION = 0.10
MIN_SPACING = 20
GAP_MARGIN = 200
TRANSITION = {ord("A"): ord("G"), ord("G"): ord("A"), ord("C"): ord("T"), ord("T"): ord("C")}


@dataclass
class Donor:
    name: str
    sex: str  # female | male

    def haplotypes(self, chrom: str) -> list[str]:
        """Haplotype labels present on a chromosome (A, B)."""
        if self.sex == "male":
            return ["A"] if chrom in ("chrX", "chrY") else ["A", "B"]
        return [] if chrom == "chrY" else ["A", "B"]


@dataclass
class Allele:
    chrom: str
    pos0: int
    ref: str
    alt: str

    @property
    def kind(self) -> str:
        return "snv" if len(self.ref) == len(self.alt) == 1 else "indel"


@dataclass
class GermlineVariant:
    donor: str
    allele: Allele
    haplotypes: str  # "A", "B" or "AB"
    genotype: str  # 0/1, 1/1 or 1 (hemizygous)
    shared_site: bool
    source: str = "synthetic"  # or "HG004" (real calls, real_segment.py)

    def as_truth(self) -> dict:
        a = self.allele
        return {
            "donor": self.donor,
            "chrom": a.chrom,
            "pos": a.pos0 + 1,
            "ref": a.ref,
            "alt": a.alt,
            "genotype": self.genotype,
            "haplotype": self.haplotypes,
            "type": a.kind,
            "population_site": self.shared_site,
            "source": self.source,
        }


def unambiguous_deletion(seq: np.ndarray, p: int, k: int) -> bool:
    """Deletion of seq[p+1 : p+1+k] (anchor p) cannot be shifted left or right."""
    if p < 1 or p + k + 2 > len(seq):
        return False
    window = seq[p : p + k + 2]
    if (BASE_INDEX[window] > 3).any():
        return False
    return seq[p] != seq[p + k] and seq[p + 1] != seq[p + k + 1]


def make_insertion(rng: np.random.Generator, seq: np.ndarray, p: int, k: int) -> str | None:
    """Bases to insert after anchor p such that the insertion cannot be shifted."""
    left, right = int(seq[p]), int(seq[p + 1])
    if BASE_INDEX[left] > 3 or BASE_INDEX[right] > 3:
        return None
    ins = BASES[rng.integers(0, 4, k)].copy()
    if k == 1:
        choices = [b for b in BASES if b not in (left, right)]
        ins[0] = choices[int(rng.integers(len(choices)))]
    else:
        if ins[-1] == left:
            ins[-1] = [b for b in BASES if b != left][int(rng.integers(3))]
        if ins[0] == right:
            ins[0] = [b for b in BASES if b != right][int(rng.integers(3))]
    return as_str(ins)


def snv_alt(rng: np.random.Generator, ref_base: int) -> int:
    """Transitions twice as often as transversions (Ti/Tv about 2)."""
    if rng.random() < 2 / 3:
        return TRANSITION[ref_base]
    others = [b for b in BASES if b != ref_base and b != TRANSITION[ref_base]]
    return int(others[int(rng.integers(2))])


def random_allele(
    rng: np.random.Generator, chrom: str, seq: np.ndarray, p: int, indel_fraction: float
) -> Allele:
    ref_base = int(seq[p])
    if rng.random() < indel_fraction:
        k = int(min(10, rng.geometric(0.45)))
        if rng.random() < 0.5:
            if unambiguous_deletion(seq, p, k):
                return Allele(chrom, p, as_str(seq[p : p + k + 1]), chr(ref_base))
        else:
            ins = make_insertion(rng, seq, p, k)
            if ins is not None:
                return Allele(chrom, p, chr(ref_base), chr(ref_base) + ins)
    return Allele(chrom, p, chr(ref_base), chr(snv_alt(rng, ref_base)))


def candidate_positions(
    rng: np.random.Generator, contig: Contig, density: float, exclude: list[tuple[int, int]]
) -> np.ndarray:
    n = rng.poisson(contig.length * density)
    pos = np.unique(rng.integers(GAP_MARGIN, contig.length - GAP_MARGIN, n))
    pos = pos[~interval_mask_check(pos, contig.gaps, GAP_MARGIN)]
    pos = pos[~interval_mask_check(pos, exclude, 0)]
    if len(pos) > 2:
        gap = np.diff(pos)
        ok = np.ones(len(pos), dtype=bool)
        ok[1:] &= gap >= MIN_SPACING
        ok[:-1] &= gap >= MIN_SPACING
        pos = pos[ok]
    return pos


def germline_variants(
    rng: np.random.Generator,
    contigs: list[Contig],
    sequences: dict[str, np.ndarray],
    donors: list[Donor],
    exclude: dict[str, list[tuple[int, int]]],
) -> list[GermlineVariant]:
    """Population (shared) sites genotyped under Hardy-Weinberg plus private
    heterozygous sites, per donor, at about 1 het per 1.5 kb and 1 hom-alt per 3 kb."""
    out: list[GermlineVariant] = []
    n_donors = len(donors)
    density = COMMON_SITE_DENSITY + n_donors * PRIVATE_HET_DENSITY
    p_common = COMMON_SITE_DENSITY / density
    for contig in contigs:
        seq = sequences[contig.name]
        positions = candidate_positions(rng, contig, density, exclude.get(contig.name, []))
        kind = rng.random(len(positions))
        owner = rng.integers(0, n_donors, len(positions))
        site_af = rng.uniform(0.05, 0.95, len(positions))
        draws = rng.random((len(positions), n_donors, 2))
        for i, p in enumerate(positions):
            allele = random_allele(rng, contig.name, seq, int(p), INDEL_FRACTION)
            common = bool(kind[i] < p_common)
            for d, donor in enumerate(donors):
                haps = donor.haplotypes(contig.name)
                if not haps:
                    continue
                if common:
                    carried = [h for j, h in enumerate(haps) if draws[i, d, j] < site_af[i]]
                elif owner[i] == d:
                    carried = [haps[int(draws[i, d, 0] < 0.5)] if len(haps) == 2 else haps[0]]
                else:
                    carried = []
                if not carried:
                    continue
                genotype = "1" if len(haps) == 1 else "1/1" if len(carried) == 2 else "0/1"
                out.append(GermlineVariant(donor.name, allele, "".join(carried), genotype, common))
    return out


class Haplotype:
    """One haplotype of one chromosome: sequence with variants applied and a map
    from reference to haplotype coordinates (both 0-based)."""

    def __init__(self, ref: np.ndarray, alleles: list[Allele]):
        alleles = sorted(alleles, key=lambda a: a.pos0)
        pieces, prev = [], 0
        pos0, delta = [], []
        for a in alleles:
            if a.pos0 < prev:
                raise ValueError(f"overlapping variants at {a.chrom}:{a.pos0 + 1}")
            pieces.append(ref[prev : a.pos0])
            pieces.append(np.frombuffer(a.alt.encode(), dtype=np.uint8))
            prev = a.pos0 + len(a.ref)
            pos0.append(a.pos0)
            delta.append(len(a.alt) - len(a.ref))
        pieces.append(ref[prev:])
        self.seq = np.concatenate(pieces) if pieces else ref.copy()
        self.var_pos = np.asarray(pos0, dtype=np.int64)
        self.cum_delta = np.cumsum(np.asarray(delta, dtype=np.int64))

    def ref_to_hap(self, x: np.ndarray | int) -> np.ndarray:
        x = np.asarray(x, dtype=np.int64)
        if len(self.var_pos) == 0:
            return x.copy()
        idx = np.searchsorted(self.var_pos, x, side="left")
        shift = np.where(idx > 0, self.cum_delta[np.maximum(idx - 1, 0)], 0)
        return x + shift
