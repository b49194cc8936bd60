"""A vector family's depth along its sequence, its level, and stretches well above it.

Every copy of a family's sequence (each plasmid's backbone, a reference's chrEBV
stretch) is laid over one another by k-mer (``DecoyMap.kmer_id``: the same id at every
copy of a position), so that a read counts at its position of the family whichever copy
it was placed on. The profile runs along the basis positions of the family's first
decoy (the layout decoy): its shared backbone, or all its countable sequence.

A line can carry a family at two levels at once: episomal plasmids spread over their
whole sequence (what an EBNA1/oriP qPCR counts), and an integrated piece (a transgene
cassette with some backbone on either side) at a copy per cell over a short stretch. A
mean over the whole backbone mixes the two. Here the level is the mean depth of the
profile's windows that are not significantly above it (iterated: windows whose read
count is improbable under the current level, Poisson p below ``max_p`` with at least
``min_excess_reads`` reads over it, are set apart, the level recomputed without them;
then, as hysteresis thresholding does, the windows next to those are set apart too
while their reads are improbable at EDGE_P, since a stretch thins out at its ends), and
each run of windows set apart is reported as a stretch: its extent is where its 50-bp
running mean is at least half its peak (the full width at half maximum), its depth the
mean over that extent.

Depths are aligned bases per position; positions are 0-based, stretches half-open.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .families import DecoyMap

WINDOW_BP = 200  # basis positions per window of the level estimate
MAX_P = 1e-6  # a window is above the level when its reads are this improbable
EDGE_P = 0.05  # ... and a window next to one when its reads are this improbable
SMOOTH_BP = 50  # running mean that delimits a stretch (full width at half maximum)


@dataclass
class Stretch:
    """A stretch of the layout decoy well above the family's level."""

    contig: str  # the layout decoy
    start: int  # 0-based, in the layout decoy
    end: int  # exclusive; the stretch may jump over positions outside the basis
    basis_bp: int  # basis positions inside it
    depth: float  # mean family depth over those positions

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class FamilyLevel:
    layout: str  # the decoy the profile runs along
    basis_bp: int  # positions of the profile
    depth: float | None  # the level: mean depth outside stretches; None without positions
    stretches: list[Stretch] = field(default_factory=list)


def family_profile(
    decoy_map: DecoyMap, family: str, coverage: dict[str, np.ndarray], basis: dict[str, np.ndarray]
) -> tuple[str, np.ndarray, np.ndarray]:
    """(layout decoy, its basis positions, family depth at each of them).

    coverage: aligned bases per position of each contig of the family (reads counted
    for the family only); basis: per contig, the positions that make the profile
    (ipscqc.vectors.evidence.basis_of). The depth at a layout position is the coverage
    summed over every copy of its k-mer, divided by how often the k-mer occurs in the
    layout decoy's basis (a repeat inside one plasmid is two positions of one copy).
    """
    layout = decoy_map.members[family][0]
    ids = decoy_map.kmer_id[layout]
    positions = np.flatnonzero(basis[layout] & (ids >= 0))
    layout_ids = ids[positions]
    classes, inverse, occurrences = np.unique(layout_ids, return_inverse=True, return_counts=True)
    total = np.zeros(classes.size, dtype=float)
    for contig in decoy_map.family_contigs(family):
        if contig not in coverage or contig not in basis:
            continue
        contig_ids = decoy_map.kmer_id[contig]
        mask = basis[contig] & (contig_ids >= 0)
        where = np.searchsorted(classes, contig_ids[mask])
        found = where < classes.size
        found[found] = classes[where[found]] == contig_ids[mask][found]
        np.add.at(total, where[found], coverage[contig][mask][found])
    depth = total[inverse.reshape(-1)] / occurrences[inverse.reshape(-1)]
    return layout, positions, depth


def _poisson_upper(count: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P(X >= count) for Poisson(mean), element-wise."""
    from scipy.stats import poisson

    return poisson.sf(np.ceil(count) - 1, np.maximum(mean, 1e-300))


def family_level(
    layout: str,
    positions: np.ndarray,
    depth: np.ndarray,
    read_length: float | None,
    min_excess_reads: int,
    window: int = WINDOW_BP,
    max_p: float = MAX_P,
) -> FamilyLevel:
    """The family's level and its stretches (see module doc); read counts are taken
    as aligned bases / read length."""
    n = int(depth.size)
    if n == 0:
        return FamilyLevel(layout, 0, None)
    if not read_length:
        return FamilyLevel(layout, n, float(depth.mean()))
    starts = np.arange(0, n, window)
    sums = np.add.reduceat(depth, starts)
    sizes = np.diff(np.append(starts, n)).astype(float)
    reads = sums / read_length
    above = np.zeros(starts.size, dtype=bool)
    level = float(sums.sum() / sizes.sum())
    for _ in range(starts.size + 1):
        expected = level * sizes / read_length
        improbable = _poisson_upper(reads, expected) < max_p
        newly = improbable & (reads - expected >= min_excess_reads) & ~above
        if not newly.any():
            break
        above |= newly
        level = _level(sums, sizes, above)
    for _ in range(starts.size):  # grow the stretches into their thinner ends
        expected = level * sizes / read_length
        edge = _poisson_upper(reads, expected) < EDGE_P
        edge &= (reads - expected >= 1) & ~above & _next_to(above)
        if not edge.any():
            break
        above |= edge
        level = _level(sums, sizes, above)
    stretches = [
        _stretch(layout, positions, depth, int(starts[first]), int(starts[last] + sizes[last]))
        for first, last in _runs(above)
    ]
    return FamilyLevel(layout, n, level, stretches)


def _level(sums: np.ndarray, sizes: np.ndarray, above: np.ndarray) -> float:
    kept = ~above
    return float(sums[kept].sum() / sizes[kept].sum()) if kept.any() else 0.0


def _next_to(flags: np.ndarray) -> np.ndarray:
    """Windows next to a flagged one."""
    near = np.zeros_like(flags)
    near[1:] |= flags[:-1]
    near[:-1] |= flags[1:]
    return near


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indexes of each run of True."""
    runs, start = [], None
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _stretch(layout: str, positions, depth, start: int, end: int) -> Stretch:
    """The full width at half maximum of a run of windows [start, end) of the profile."""
    part = depth[start:end]
    width = min(SMOOTH_BP, part.size)
    smooth = np.convolve(part, np.ones(width) / width, mode="same")
    inside = np.flatnonzero(smooth >= smooth.max() / 2)
    first, last = start + int(inside[0]), start + int(inside[-1])
    chosen = depth[first : last + 1]
    return Stretch(
        layout,
        int(positions[first]),
        int(positions[last]) + 1,
        int(chosen.size),
        float(chosen.mean()),
    )
