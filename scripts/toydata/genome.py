"""Toy reference genome: GRCh38-like contigs, centromere and telomere gaps, GC
isochores, interspersed repeats and microsatellites.

Coordinates in this module are 0-based half-open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .sequtils import BASES, mutate, random_bases, reverse_complement

# name, default toy length (bp), GRCh38 centromere midpoint / GRCh38 length
CONTIG_SPECS = [
    ("chr1", 3_000_000, 123.4 / 248.956),
    ("chr12", 2_000_000, 35.5 / 133.275),
    ("chr17", 2_000_000, 25.1 / 83.257),
    ("chr18", 1_500_000, 18.5 / 80.373),
    ("chr20", 2_000_000, 28.1 / 64.444),
    ("chrX", 2_000_000, 60.6 / 156.041),
    ("chrY", 500_000, 10.4 / 57.227),
]
AUTOSOMES = ("chr1", "chr12", "chr17", "chr18", "chr20")

MIN_GENOME_SCALE = 0.05


@dataclass
class Contig:
    name: str
    length: int
    centromere_start: int
    centromere_end: int
    telomere: int  # N run at each end
    gaps: list[tuple[int, int]] = field(default_factory=list)  # all N runs, sorted
    repeats: list[tuple[int, int]] = field(default_factory=list)  # repeats, microsatellites

    @property
    def centromere_mid(self) -> int:
        return (self.centromere_start + self.centromere_end) // 2

    def arm(self, pos: int) -> str:
        return "p" if pos < self.centromere_mid else "q"


def gap_scale(genome_scale: float) -> float:
    return min(1.0, genome_scale)


def contig_layout(genome_scale: float) -> list[Contig]:
    """Contig lengths, centromere gap (~20 kb) and telomere N runs (~10 kb).

    Gap sizes shrink with genome_scale below 1 so that small test genomes stay usable.
    """
    if genome_scale < MIN_GENOME_SCALE:
        raise ValueError(f"genome_scale must be >= {MIN_GENOME_SCALE}")
    gs = gap_scale(genome_scale)
    telomere = max(500, int(round(10_000 * gs)))
    centromere = max(1_000, int(round(20_000 * gs)))
    contigs = []
    for name, base_length, cen_rel in CONTIG_SPECS:
        length = int(round(base_length * genome_scale / 100.0)) * 100
        cen_start = int(round(cen_rel * length)) - centromere // 2
        contig = Contig(name, length, cen_start, cen_start + centromere, telomere)
        contig.gaps = [
            (0, telomere),
            (cen_start, cen_start + centromere),
            (length - telomere, length),
        ]
        contigs.append(contig)
    return contigs


def place_small_gaps(
    rng: np.random.Generator,
    contigs: list[Contig],
    occupied: dict[str, list[tuple[int, int]]],
    genome_scale: float,
) -> None:
    """Add a few 1-5 kb N gaps per contig, away from genes and other gaps."""
    gs = gap_scale(genome_scale)
    for contig in contigs:
        n_gaps = 1 if contig.length < 1_000_000 * genome_scale else 2
        keep_out = list(occupied.get(contig.name, [])) + list(contig.gaps)
        margin = int(20_000 * gs)
        placed = 0
        for _ in range(200):
            if placed == n_gaps:
                break
            size = int(rng.integers(1_000, 5_001) * gs)
            start = int(rng.integers(0, contig.length - size))
            lo, hi = start - margin, start + size + margin
            if any(lo < end and hi > beg for beg, end in keep_out):
                continue
            contig.gaps.append((start, start + size))
            keep_out.append((start, start + size))
            placed += 1
        contig.gaps.sort()


@dataclass
class RepeatFamily:
    name: str
    consensus: np.ndarray
    coverage: float  # target fraction of the genome
    truncate: bool  # 5' truncated copies (LINE-like)


def repeat_families(rng: np.random.Generator) -> list[RepeatFamily]:
    """Two short GC-rich (SINE-like, 300 bp with A-tail) and two long AT-rich
    (LINE-like, 6 kb) families."""
    families = []
    for i in range(2):
        body = random_bases(rng, 0.56, 280)
        tail = np.full(20, ord("A"), dtype=np.uint8)
        families.append(RepeatFamily(f"toySINE{i + 1}", np.concatenate([body, tail]), 0.02, False))
    for i in range(2):
        families.append(RepeatFamily(f"toyLINE{i + 1}", random_bases(rng, 0.40, 6000), 0.015, True))
    return families


def _gc_profile(rng: np.random.Generator, length: int) -> np.ndarray:
    """Per-base G+C probability: isochore-like domains (50-300 kb, 35-55% GC) with
    smaller 2-20 kb fluctuations."""
    profile = np.empty(length, dtype=np.float32)
    pos = 0
    while pos < length:
        size = int(rng.integers(50_000, 300_001))
        level = rng.uniform(0.35, 0.55)
        end = min(length, pos + size)
        sub = pos
        while sub < end:
            sub_size = int(rng.integers(2_000, 20_001))
            sub_end = min(end, sub + sub_size)
            profile[sub:sub_end] = np.clip(level + rng.normal(0, 0.03), 0.30, 0.62)
            sub = sub_end
        pos = end
    return profile


def _deplete_cpg(rng: np.random.Generator, seq: np.ndarray, keep: float = 0.25) -> None:
    """Turn most CpG into TpG/CpA, as methylation-driven decay does in real genomes."""
    cg = np.nonzero((seq[:-1] == ord("C")) & (seq[1:] == ord("G")))[0]
    decay = cg[rng.random(len(cg)) > keep]
    to_tg = rng.random(len(decay)) < 0.5
    seq[decay[to_tg]] = ord("T")
    seq[decay[~to_tg] + 1] = ord("A")


def generate_sequence(
    rng: np.random.Generator, contig: Contig, families: list[RepeatFamily]
) -> np.ndarray:
    """Background sequence of one contig (genes and N gaps are written later)."""
    length = contig.length
    seq = random_bases(rng, _gc_profile(rng, length), length)
    _deplete_cpg(rng, seq)
    intervals = []
    # interspersed repeats: diverged (5-15%) copies in random orientation
    for family in families:
        mean_copy = len(family.consensus) * (0.55 if family.truncate else 1.0)
        n_copies = rng.poisson(family.coverage * length / mean_copy)
        for _ in range(n_copies):
            element = family.consensus
            if family.truncate:
                keep = int(len(element) * rng.uniform(0.1, 1.0))
                element = element[-keep:]
            copy = mutate(rng, element, rng.uniform(0.05, 0.15))
            if rng.random() < 0.5:
                copy = reverse_complement(copy)
            start = int(rng.integers(0, length - len(copy)))
            seq[start : start + len(copy)] = copy
            intervals.append((start, start + len(copy)))
    # microsatellites and homopolymers: about one per 10 kb
    n_sat = rng.poisson(length / 10_000)
    for _ in range(n_sat):
        unit = BASES[rng.integers(0, 4, int(rng.integers(1, 7)))]
        total = int(rng.integers(12, 61))
        sat = np.resize(unit, total)
        start = int(rng.integers(0, length - total))
        seq[start : start + total] = sat
        intervals.append((start, start + total))
    contig.repeats = sorted(intervals)
    return seq


def apply_gaps(contig: Contig, seq: np.ndarray) -> None:
    for start, end in contig.gaps:
        seq[start:end] = ord("N")


def interval_mask_check(
    positions: np.ndarray, intervals: list[tuple[int, int]], margin: int
) -> np.ndarray:
    """Boolean array: True where a position lies within ``margin`` of any interval."""
    if not intervals:
        return np.zeros(len(positions), dtype=bool)
    arr = np.asarray(sorted(intervals), dtype=np.int64)
    starts = arr[:, 0] - margin
    ends = np.maximum.accumulate(arr[:, 1] + margin)
    idx = np.searchsorted(starts, positions, side="right") - 1
    hit = idx >= 0
    hit[hit] = ends[idx[hit]] > positions[hit]
    return hit
