"""Duplicated and problem sequence of the toy genome: the places where real genomes
defeat unique-mapping assumptions, planted so that every run meets them.

- chrY: an X-transposed-like block (a chrX stretch copied into Yp, 1 difference per
  kb), an ampliconic palindrome (two inverted arms, 0.2 differences per kb) and an
  ampliconic tandem triplet (each copy 0.5 differences per kb from the unit) on Yq.
  Read pairs there get MAPQ 0 unless they cover a difference; the rest of chrY is
  X-degenerate-like (unique) and listed in ``chrY_x_degenerate.bed``.
- a segmental duplication in the reference: a block copied to another chromosome with
  2 paralogous sequence variants (PSVs) per kb; reads split between the two copies.
- a collapsed duplication: a block whose second copy (3 PSVs per kb, plus 0.5 per kb on
  haplotype A's copy only) every donor carries at another locus but the reference
  lacks; reads of both copies align to the one reference copy: depth x2 (x1.5 in D2,
  who carries it on one haplotype) and paralogous "hets" at allele fraction 0.25-0.5 in
  every sample.
- a satellite-like problem region next to chr17's centromere: an array of a 171 bp
  monomer (each copy 12% diverged from the consensus, so reads place uniquely),
  expanded in every donor's genome (3 extra tandem copies of the array in D1 and D3, 2
  in D2): depth x4 (x3) in every sample.

Sizes scale with genome_scale; a block that does not fit at a very small scale is left
out (truth.json lists what was planted). Coordinates are 0-based half-open; PSV
``pos`` values in the truth are 1-based.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .genes import GeneModel
from .genome import Contig
from .sequtils import BASE_INDEX, random_bases, reverse_complement
from .variants import Allele, snv_alt

# sizes at genome_scale 1.0 (bp) and differences per kb
XTR_BP, XTR_PER_KB = 40_000, 1.0
PALINDROME_ARM_BP, PALINDROME_SPACER_BP, PALINDROME_PER_KB = 50_000, 5_000, 0.2
TRIPLET_UNIT_BP, TRIPLET_PER_KB = 20_000, 0.5
SEGDUP_BP, SEGDUP_PER_KB = 40_000, 2.0
COLLAPSED_BP, COLLAPSED_PER_KB, COLLAPSED_HAP_A_PER_KB = 40_000, 3.0, 0.5
SATELLITE_BP, MONOMER_BP, MONOMER_DIVERGENCE = 40_000, 171, 0.12
MIN_BLOCK_BP = 1_000
PSV_SPACING = 15
PAIR_SPAN_KB = 0.3  # bases of sequence read by a pair (2 x 150) in kb

# which haplotypes of each donor carry the collapsed copy; extra satellite arrays
COLLAPSED_CARRIERS = {"D1": ("A", "B"), "D2": ("A",), "D3": ("A", "B")}
SATELLITE_EXTRA_COPIES = {"D1": 3, "D2": 2, "D3": 3}


@dataclass
class Block:
    """A stretch of the reference that is repeated (or a problem region)."""

    name: str
    kind: (
        str  # x_transposed | ampliconic | segmental_duplication | collapsed_duplication | satellite
    )
    chrom: str
    start: int
    end: int
    copy_of: tuple[str, int, int] | None = None
    strand: str = "+"  # orientation relative to copy_of
    differences: int = 0
    unique_pair_fraction: float = 1.0  # model: read pairs that can be placed (MAPQ > 0)

    @property
    def length(self) -> int:
        return self.end - self.start

    def as_truth(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "chrom": self.chrom,
            "start": self.start,
            "end": self.end,
            "length": self.length,
            "copy_of": list(self.copy_of) if self.copy_of else None,
            "strand": self.strand,
            "differences": self.differences,
        }


@dataclass
class Insertion:
    """Sequence that donors' haplotypes carry after reference base ``pos0`` and the
    reference lacks."""

    name: str
    chrom: str
    pos0: int
    sequences: dict[tuple[str, str], np.ndarray]  # (donor, haplotype) -> inserted bases

    def allele(self, ref: np.ndarray, donor: str, haplotype: str) -> Allele | None:
        inserted = self.sequences.get((donor, haplotype))
        if inserted is None:
            return None
        anchor = chr(ref[self.pos0])
        return Allele(self.chrom, self.pos0, anchor, anchor + inserted.tobytes().decode())


@dataclass
class GenomeFeatures:
    blocks: list[Block] = field(default_factory=list)
    insertions: list[Insertion] = field(default_factory=list)
    collapsed_psvs: list[dict] = field(default_factory=list)
    segdup_psvs: list[dict] = field(default_factory=list)

    def exclusions(self) -> dict[str, list[tuple[int, int]]]:
        """Intervals where no germline variant may go (blocks, insertion points, 50 bp)."""
        out: dict[str, list[tuple[int, int]]] = {}
        for b in self.blocks:
            out.setdefault(b.chrom, []).append((b.start - 50, b.end + 50))
        for ins in self.insertions:
            out.setdefault(ins.chrom, []).append((ins.pos0 - 50, ins.pos0 + 51))
        return out


# ---------------------------------------------------------------- placement


def _margin(genome_scale: float) -> int:
    return max(300, int(2_000 * min(1.0, genome_scale)))


def free_window(
    occupied: list[tuple[int, int]], length: int, lo: int, hi: int, margin: int
) -> int | None:
    """Start of the first window [s, s + length) with lo <= s and s + length <= hi that
    keeps ``margin`` from every occupied interval; None if there is none."""
    s = lo
    for a, b in sorted(occupied):
        if b + margin <= s:
            continue
        if a - margin >= s + length:
            break
        s = max(s, b + margin)
    return s if s + length <= hi else None


class Placer:
    """Free space of each contig: genes, N gaps and blocks already placed."""

    def __init__(self, contigs: list[Contig], models: list[GeneModel], genome_scale: float):
        self.contigs = {c.name: c for c in contigs}
        self.margin = _margin(genome_scale)
        self.occupied = {c.name: list(c.gaps) for c in contigs}
        for m in models:
            self.occupied[m.chrom].append((m.start, m.end))

    def place(self, chrom: str, length: int, lo: int, hi: int) -> int | None:
        start = free_window(self.occupied[chrom], length, lo, hi, self.margin)
        if start is not None:
            self.occupied[chrom].append((start, start + length))
        return start

    def arm(self, chrom: str, arm: str, lo_rel: float = 0.0) -> tuple[int, int]:
        c = self.contigs[chrom]
        lo, hi = (0, c.centromere_start) if arm == "p" else (c.centromere_end, c.length)
        return max(lo, int(lo_rel * c.length)), hi


def _scaled(bp: int, genome_scale: float) -> int:
    return max(MIN_BLOCK_BP, int(round(bp * genome_scale / 100.0)) * 100)


# ---------------------------------------------------------------- sequence changes


def with_differences(
    rng: np.random.Generator, seq: np.ndarray, per_kb: float, taken: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Copy of ``seq`` with single-base differences at ``per_kb`` per kb (at least one,
    ``PSV_SPACING`` apart, away from ``taken`` and the ends); returns (copy, positions)."""
    n = max(1, int(rng.poisson(len(seq) * per_kb / 1000.0)))
    chosen: list[int] = []
    avoid = [] if taken is None else [int(x) for x in taken]
    for p in rng.integers(PSV_SPACING, len(seq) - PSV_SPACING, 4 * n):
        if len(chosen) == n:
            break
        if BASE_INDEX[seq[p]] > 3 or any(abs(int(p) - q) < PSV_SPACING for q in chosen + avoid):
            continue
        chosen.append(int(p))
    positions = np.array(sorted(chosen), dtype=np.int64)
    out = seq.copy()
    for p in positions:
        out[p] = snv_alt(rng, int(seq[p]))
    return out, positions


def _pair_unique_fraction(per_kb_between_copies: float, other_copies: int = 1) -> float:
    """Model of the read pairs of a copy that bwa places with MAPQ > 0: those covering at
    least one difference from each other copy (two 150 bp reads, Poisson differences)."""
    return (1.0 - math.exp(-per_kb_between_copies * PAIR_SPAN_KB)) ** other_copies


# ---------------------------------------------------------------- the features


def _chr_y_blocks(rng, placer, sequences, genome_scale, out: GenomeFeatures) -> None:
    """The repeated blocks of chrY (X-transposed copy, ampliconic palindromes) and
    their truth. Long on purpose: each block is placed, copied and recorded in one
    place, drawing from ``rng`` in this order (reordering moves every block)."""
    y, x = sequences["chrY"], sequences["chrX"]
    n = _scaled(XTR_BP, genome_scale)
    y0 = placer.place("chrY", n, *placer.arm("chrY", "p"))
    x0 = placer.place("chrX", n, *placer.arm("chrX", "q", 0.55))
    if y0 is not None and x0 is not None:
        copy, diffs = with_differences(rng, x[x0 : x0 + n], XTR_PER_KB)
        y[y0 : y0 + n] = copy
        f = _pair_unique_fraction(XTR_PER_KB)
        out.blocks.append(
            Block(
                "XTR_Y",
                "x_transposed",
                "chrY",
                y0,
                y0 + n,
                ("chrX", x0, x0 + n),
                "+",
                len(diffs),
                f,
            )
        )
        out.blocks.append(
            Block(
                "XTR_X",
                "x_transposed",
                "chrX",
                x0,
                x0 + n,
                ("chrY", y0, y0 + n),
                "+",
                len(diffs),
                f,
            )
        )
    arm, spacer = (
        _scaled(PALINDROME_ARM_BP, genome_scale),
        _scaled(PALINDROME_SPACER_BP, genome_scale),
    )
    p0 = placer.place("chrY", 2 * arm + spacer, *placer.arm("chrY", "q"))
    if p0 is not None:
        left = y[p0 : p0 + arm].copy()
        right, diffs = with_differences(rng, reverse_complement(left), PALINDROME_PER_KB)
        r0 = p0 + arm + spacer
        y[r0 : r0 + arm] = right
        f = _pair_unique_fraction(PALINDROME_PER_KB)
        out.blocks.append(
            Block(
                "P1_arm1",
                "ampliconic",
                "chrY",
                p0,
                p0 + arm,
                ("chrY", r0, r0 + arm),
                "-",
                len(diffs),
                f,
            )
        )
        out.blocks.append(
            Block(
                "P1_arm2",
                "ampliconic",
                "chrY",
                r0,
                r0 + arm,
                ("chrY", p0, p0 + arm),
                "-",
                len(diffs),
                f,
            )
        )
    unit = _scaled(TRIPLET_UNIT_BP, genome_scale)
    t0 = placer.place("chrY", 3 * unit, *placer.arm("chrY", "q"))
    if t0 is not None:
        consensus = y[t0 : t0 + unit].copy()
        f = _pair_unique_fraction(2 * TRIPLET_PER_KB, other_copies=2)
        for i in range(3):
            copy, diffs = with_differences(rng, consensus, TRIPLET_PER_KB)
            s = t0 + i * unit
            y[s : s + unit] = copy
            out.blocks.append(
                Block(
                    f"AMPL_copy{i + 1}",
                    "ampliconic",
                    "chrY",
                    s,
                    s + unit,
                    ("chrY", t0, t0 + 3 * unit),
                    "+",
                    len(diffs),
                    f,
                )
            )


def _segdup(rng, placer, sequences, genome_scale, out: GenomeFeatures) -> None:
    n = _scaled(SEGDUP_BP, genome_scale)
    a0 = placer.place("chr17", n, *placer.arm("chr17", "p", 0.12))
    b0 = placer.place("chr20", n, *placer.arm("chr20", "p", 0.19))
    if a0 is None or b0 is None:
        return
    source = sequences["chr17"][a0 : a0 + n].copy()
    copy, diffs = with_differences(rng, source, SEGDUP_PER_KB)
    sequences["chr20"][b0 : b0 + n] = copy
    f = _pair_unique_fraction(SEGDUP_PER_KB)
    out.blocks.append(
        Block(
            "SD1_copyA",
            "segmental_duplication",
            "chr17",
            a0,
            a0 + n,
            ("chr20", b0, b0 + n),
            "+",
            len(diffs),
            f,
        )
    )
    out.blocks.append(
        Block(
            "SD1_copyB",
            "segmental_duplication",
            "chr20",
            b0,
            b0 + n,
            ("chr17", a0, a0 + n),
            "+",
            len(diffs),
            f,
        )
    )
    out.segdup_psvs = [
        {
            "copy_a": ["chr17", int(a0 + p + 1)],
            "copy_b": ["chr20", int(b0 + p + 1)],
            "base_a": chr(source[p]),
            "base_b": chr(copy[p]),
        }
        for p in diffs
    ]


def _collapsed(rng, placer, sequences, genome_scale, out: GenomeFeatures) -> None:
    n = _scaled(COLLAPSED_BP, genome_scale)
    s0 = placer.place("chr18", n, *placer.arm("chr18", "p", 0.10))
    y0 = placer.place("chr17", 1, *placer.arm("chr17", "q", 0.85))
    if s0 is None or y0 is None:
        return
    source = sequences["chr18"][s0 : s0 + n].copy()
    shared, shared_pos = with_differences(rng, source, COLLAPSED_PER_KB)
    on_a, a_pos = with_differences(rng, shared, COLLAPSED_HAP_A_PER_KB, taken=shared_pos)
    copies = {}
    for donor, haplotypes in COLLAPSED_CARRIERS.items():
        for h in haplotypes:
            copies[donor, h] = on_a if h == "A" else shared
    out.insertions.append(Insertion("SD2_paralog", "chr17", y0, copies))
    out.blocks.append(
        Block(
            "SD2_collapsed",
            "collapsed_duplication",
            "chr18",
            s0,
            s0 + n,
            differences=len(shared_pos) + len(a_pos),
        )
    )
    for positions, haplotype_a_only in ((shared_pos, False), (a_pos, True)):
        for p in positions:
            carriers = {
                donor: [h for h in haps if h == "A" or not haplotype_a_only]
                for donor, haps in COLLAPSED_CARRIERS.items()
            }
            out.collapsed_psvs.append(
                {
                    "chrom": "chr18",
                    "pos": int(s0 + p + 1),
                    "ref": chr(source[p]),
                    "alt": chr(on_a[p]),
                    "haplotype_a_copy_only": haplotype_a_only,
                    "carriers": carriers,
                    "expected_af": {
                        donor: round(len(carriers[donor]) / (2 + len(haps)), 4)
                        for donor, haps in COLLAPSED_CARRIERS.items()
                    },
                }
            )
    out.collapsed_psvs.sort(key=lambda d: d["pos"])


def _satellite(rng, placer, sequences, genome_scale, out: GenomeFeatures) -> None:
    n_monomers = max(6, _scaled(SATELLITE_BP, genome_scale) // MONOMER_BP)
    n = n_monomers * MONOMER_BP
    lo, hi = placer.arm("chr17", "q")
    s0 = placer.place("chr17", n, lo, hi)
    if s0 is None:
        return
    consensus = random_bases(rng, 0.38, MONOMER_BP)
    monomers = []
    for _ in range(n_monomers):
        copy = consensus.copy()
        hit = np.nonzero(rng.random(MONOMER_BP) < MONOMER_DIVERGENCE)[0]
        for p in hit:
            copy[p] = snv_alt(rng, int(copy[p]))
        monomers.append(copy)
    array = np.concatenate(monomers)
    sequences["chr17"][s0 : s0 + n] = array
    out.blocks.append(Block("SAT1", "satellite", "chr17", s0, s0 + n))
    copies = {
        (donor, h): np.tile(array, k)
        for donor, k in SATELLITE_EXTRA_COPIES.items()
        for h in ("A", "B")
    }
    out.insertions.append(Insertion("SAT1_expansion", "chr17", s0 + n - 1, copies))


def plant_features(
    rng: np.random.Generator,
    contigs: list[Contig],
    sequences: dict[str, np.ndarray],
    models: list[GeneModel],
    genome_scale: float,
) -> GenomeFeatures:
    """Write the duplicated and problem sequence into the reference (genes written, N
    gaps not yet applied) and return what was planted. Each block is added to its
    contig's ``repeats`` so that planted variants keep away from it."""
    placer = Placer(contigs, models, genome_scale)
    out = GenomeFeatures()
    _chr_y_blocks(rng, placer, sequences, genome_scale, out)
    _segdup(rng, placer, sequences, genome_scale, out)
    _collapsed(rng, placer, sequences, genome_scale, out)
    _satellite(rng, placer, sequences, genome_scale, out)
    by_name = {c.name: c for c in contigs}
    for b in out.blocks:
        by_name[b.chrom].repeats.append((b.start, b.end))
    for ins in out.insertions:
        by_name[ins.chrom].repeats.append((ins.pos0, ins.pos0 + 1))
    for c in contigs:
        c.repeats.sort()
    return out


# ---------------------------------------------------------------- BED rows and truth


def problem_region_rows(features: GenomeFeatures) -> list[tuple]:
    """Mask rows: chrom, start, end, name, kind (every repeated block and both copies)."""
    return sorted((b.chrom, b.start, b.end, b.name, b.kind) for b in features.blocks)


def x_degenerate_rows(features: GenomeFeatures, chr_y: Contig) -> list[tuple]:
    """The uniquely mappable (X-degenerate-like) part of chrY: not N, not in a block."""
    taken = sorted(
        [(b.start, b.end) for b in features.blocks if b.chrom == chr_y.name] + list(chr_y.gaps)
    )
    rows, pos = [], 0
    for a, b in taken:
        if a > pos:
            rows.append((chr_y.name, pos, a, "x_degenerate"))
        pos = max(pos, b)
    if pos < chr_y.length:
        rows.append((chr_y.name, pos, chr_y.length, "x_degenerate"))
    return rows


def chr_y_summary(features: GenomeFeatures, chr_y: Contig) -> dict:
    """Mappable share of chrY and the male depth ratio the model expects at MAPQ >= 20
    (0.5 x mappable share of the non-N chrY, over non-N chrY and over its 1 kb bins)."""
    non_n = chr_y.length - sum(e - s for s, e in chr_y.gaps)
    unique = sum(e - s for _, s, e, _ in x_degenerate_rows(features, chr_y))
    weighted = unique + sum(
        b.length * b.unique_pair_fraction for b in features.blocks if b.chrom == chr_y.name
    )
    return {
        "non_n_bp": non_n,
        "x_degenerate_bp": unique,
        "repeated_bp": non_n - unique,
        "x_degenerate_fraction": round(unique / non_n, 4),
        "expected_male_depth_ratio_mapq20": round(0.5 * weighted / non_n, 4),
        "expected_male_depth_ratio_x_degenerate": 0.5,
        "model": "0.5 x (X-degenerate bp + sum over blocks of length x the share of read "
        "pairs covering a difference from every other copy) / non-N bp; pairs with no "
        "difference get MAPQ 0. Over all non-N chrY bases: a mean over only the bins "
        "with reads is higher, as bins of the blocks can have no MAPQ >= 20 read",
    }
