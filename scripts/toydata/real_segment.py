"""A piece of real GRCh38 sequence as one toy contig, with one individual's real calls.

The toy contig ``chr21`` is the start of GRCh38 chr21:22,000,000-22,499,999 (shipped in
resources/real_segment/, see its README): real repeats, microsatellites and GC content,
read by the same read simulator as the rest of the genome. Donor D1's germline on it is
the PASS HaplotypeCaller calls of GIAB HG004 there, as called (hets and hom-alts,
indels in their called representation, which need not be unique in a microsatellite).
Every other donor gets a genotype at each of those sites drawn under Hardy-Weinberg
from an allele frequency drawn given HG004's genotype (Beta(2, 2) for a het, Beta(3, 1)
for a hom-alt: the posterior of a uniform prior), so donors share common alleles as
unrelated people do.

Coordinates: toy ``chr21`` position = segment position; GRCh38 chr21 position =
toy position + ``GRCH38_OFFSET``. ``pos0`` is 0-based.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .genome import Contig
from .sequtils import BASE_INDEX
from .variants import Allele, GermlineVariant

RESOURCE_DIR = Path(__file__).resolve().parents[2] / "resources" / "real_segment"
FASTA_NAME = "GRCh38_chr21_22000000-22499999.fa.gz"
CALLS_NAME = "HG004_GRCh38_chr21_22000000-22499999.vcf.gz"
CONTIG_NAME = "chr21"
GRCH38_OFFSET = 21_999_999  # GRCh38 chr21 position (1-based) of segment position 0
RESOURCE_BASES = 500_000
BASES_PER_SCALE = 750_000  # contig length = this x genome_scale, capped by the resource
SOURCE_DONOR = "D1"
SOURCE_INDIVIDUAL = "GIAB HG004 (NA24143)"
HAPLOTYPES = ("A", "B")


@dataclass
class Call:
    """One VCF record of the source individual (a single ALT allele)."""

    pos0: int
    ref: str
    alt: str
    genotype: str  # "0/1" or "1/1"
    first_haplotype: int | None  # phased het: 0 if the alt is on the first haplotype
    phase_set: str | None
    passed: bool

    @property
    def end(self) -> int:
        return self.pos0 + len(self.ref)


def resource_files() -> list[Path]:
    return [RESOURCE_DIR / FASTA_NAME, RESOURCE_DIR / CALLS_NAME]


def segment_length(genome_scale: float) -> int:
    """Length of the toy chr21 at a genome scale (whole hundreds of bases)."""
    return min(RESOURCE_BASES, int(round(BASES_PER_SCALE * genome_scale / 100.0)) * 100)


def load_sequence(length: int) -> np.ndarray:
    """The first ``length`` bases of the segment, upper-case ASCII codes."""
    with gzip.open(RESOURCE_DIR / FASTA_NAME, "rt") as handle:
        text = "".join(line.strip() for line in handle if not line.startswith(">"))
    if len(text) != RESOURCE_BASES:
        raise ValueError(f"{FASTA_NAME}: {len(text)} bases, expected {RESOURCE_BASES}")
    seq = np.frombuffer(text[:length].upper().encode(), dtype=np.uint8).copy()
    if (BASE_INDEX[seq] > 3).any():
        raise ValueError(f"{FASTA_NAME}: bases other than A, C, G, T in the first {length}")
    return seq


def real_contig(length: int) -> Contig:
    """The contig record: no centromere in the piece (it lies on 21q), no N gap."""
    return Contig(CONTIG_NAME, length, 0, 0, 0, gaps=[], repeats=[])


def parse_genotype(gt: str) -> tuple[str, int | None] | None:
    """('0/1' | '1/1', haplotype index of the alt for a phased het); None for others."""
    phased = "|" in gt
    alleles = gt.replace("|", "/").split("/")
    if sorted(alleles) == ["0", "1"]:
        return "0/1", (alleles.index("1") if phased else None)
    if alleles == ["1", "1"]:
        return "1/1", None
    return None


def parse_calls(lines, length: int) -> list[Call]:
    """Records of a single-sample VCF (text lines) whose REF ends within ``length``."""
    calls = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        pos0, ref, alt = int(fields[1]) - 1, fields[3], fields[4]
        if "," in alt or pos0 + len(ref) > length:
            continue
        keys = fields[8].split(":")
        values = dict(zip(keys, fields[9].split(":"), strict=False))
        genotype = parse_genotype(values.get("GT", "."))
        if genotype is None:
            continue
        calls.append(
            Call(
                pos0,
                ref,
                alt,
                genotype[0],
                genotype[1],
                values.get("PS") if genotype[1] is not None else None,
                fields[6] == "PASS",
            )
        )
    return sorted(calls, key=lambda c: c.pos0)


def load_calls(length: int) -> list[Call]:
    with gzip.open(RESOURCE_DIR / CALLS_NAME, "rt") as handle:
        return parse_calls(handle, length)


def _place(carried: list[str], call: Call, ends: dict[str, int], swappable: bool) -> list[str]:
    """Haplotypes the allele goes on without overlapping an earlier allele there; a het
    moves to the other haplotype when it is unphased and its own is taken; [] drops it."""
    if all(call.pos0 >= ends[h] for h in carried):
        return carried
    if swappable and len(carried) == 1:
        other = [h for h in HAPLOTYPES if h != carried[0]]
        if call.pos0 >= ends[other[0]]:
            return other
    return []


def _genotyped(donor: str, call: Call, carried: list[str], source: str) -> GermlineVariant:
    genotype = "1/1" if len(carried) == 2 else "0/1"
    allele = Allele(CONTIG_NAME, call.pos0, call.ref, call.alt)
    return GermlineVariant(donor, allele, "".join(carried), genotype, True, source)


def source_germline(
    rng: np.random.Generator, calls: list[Call], donor: str
) -> tuple[list[GermlineVariant], int]:
    """The source individual's PASS calls as the donor's genotypes, and the number left
    out because they overlap an earlier call on the only haplotype they could go on.
    Phased hets keep their phase within a phase set (each set's orientation drawn once);
    unphased hets go to a haplotype at random."""
    flips: dict[str, int] = {}
    ends = dict.fromkeys(HAPLOTYPES, 0)
    out, dropped = [], 0
    for call in calls:
        if not call.passed:
            continue
        if call.genotype == "1/1":
            carried, swappable = list(HAPLOTYPES), False
        elif call.first_haplotype is not None and call.phase_set:
            flip = flips.setdefault(call.phase_set, int(rng.integers(2)))
            carried, swappable = [HAPLOTYPES[call.first_haplotype ^ flip]], False
        else:
            carried, swappable = [HAPLOTYPES[int(rng.integers(2))]], True
        carried = _place(carried, call, ends, swappable)
        if not carried:
            dropped += 1
            continue
        for h in carried:
            ends[h] = call.end
        out.append(_genotyped(donor, call, carried, "HG004"))
    return out, dropped


def drawn_germline(
    rng: np.random.Generator, calls: list[Call], donor: str
) -> list[GermlineVariant]:
    """Genotypes at the source individual's PASS sites, drawn under Hardy-Weinberg from
    an allele frequency drawn given the source genotype (see the module docstring)."""
    ends = dict.fromkeys(HAPLOTYPES, 0)
    out = []
    for call in calls:
        if not call.passed:
            continue
        q = rng.beta(3.0, 1.0) if call.genotype == "1/1" else rng.beta(2.0, 2.0)
        draws = rng.random(2)
        carried = [h for h, u in zip(HAPLOTYPES, draws, strict=True) if u < q]
        if not carried:
            continue
        carried = _place(carried, call, ends, len(carried) == 1)
        if not carried:
            continue
        for h in carried:
            ends[h] = call.end
        out.append(_genotyped(donor, call, carried, "HG004 site, genotype drawn"))
    return out


def truth_record(length: int, calls: list[Call], d1_count: int, dropped: int) -> dict:
    """The real-sequence contig as described in truth.json."""
    return {
        "contig": CONTIG_NAME,
        "length": length,
        "assembly": "GRCh38",
        "grch38_chrom": "chr21",
        "grch38_start": GRCH38_OFFSET,  # 0-based GRCh38 start of toy position 0
        "grch38_end": GRCH38_OFFSET + length,
        "resource": "resources/real_segment",
        "germline_source": SOURCE_INDIVIDUAL,
        "germline_donor": SOURCE_DONOR,
        "calls_in_piece": len(calls),
        "pass_calls_in_piece": sum(c.passed for c in calls),
        "source_donor_genotypes": d1_count,
        "left_out_overlapping": dropped,
        "other_donors": "genotypes drawn at the PASS sites (Hardy-Weinberg, allele "
        "frequency Beta(2,2) given a het, Beta(3,1) given a hom-alt)",
    }
