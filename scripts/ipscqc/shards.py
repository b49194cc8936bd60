"""Shards: the analysed genome cut into pieces of bounded size for the per-donor pileup,
calling and candidate jobs.

One job per contig does not fit a human genome: GRCh38's chr1 (248 Mb) would be one
single-threaded pileup of hours while chr21 takes a fifth of it. So the analysed contigs
(autosomes, X, Y: ipscqc.genome), in FASTA order, become shards of at most
``shard_bases``:

- a contig longer than ``shard_bases`` is cut into ``ceil(length / shard_bases)`` pieces
  of near-equal size, each a shard of its own;
- shorter contigs are packed, in order, into shards of whole contigs up to
  ``shard_bases`` (a genome with many small analysed contigs gets few jobs);
- each cut is then moved into the longest run of N (at least ``MIN_GAP`` bases) within
  ``CUT_WINDOW`` of the shard size either side, cut at its middle, when there is one:
  no read aligns across an assembly gap, so no pileup column and no indel is split.
  Without a gap nearby the cut stays where it is; a read that crosses it is seen by
  both shards, each reporting only its own columns (``--regions-file``), and the
  parts are joined sorted (``bcftools concat --allow-overlaps``), so an indel
  left-aligned across the cut is still in order. A moved cut lengthens a piece by at
  most ``2 * CUT_WINDOW`` of the shard size.

Shards are named by their index (``s0``, ``s1``, ...); a contig's name is data in the
shard's regions file (tab-separated name, 1-based start, end inclusive), never part of a
file name or a region string (ipscqc.contig_index).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise

#: An N run at least this long is an assembly gap a cut may move into (longer than any
#: short read, so no alignment spans it).
MIN_GAP = 1000
#: How far a cut may move to reach a gap, as a fraction of the shard size.
CUT_WINDOW = 0.1

_GAP = re.compile(rb"[Nn]{%d,}" % MIN_GAP)


@dataclass(frozen=True)
class Region:
    """A stretch of one contig, 1-based, both ends included."""

    contig: str
    start: int
    end: int

    @property
    def bases(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Shard:
    index: int
    regions: tuple[Region, ...]

    @property
    def bases(self) -> int:
        return sum(region.bases for region in self.regions)

    def regions_file_text(self) -> str:
        return "".join(f"{r.contig}\t{r.start}\t{r.end}\n" for r in self.regions)


def plan_shards(lengths: Mapping[str, int], shard_bases: int) -> list[Shard]:
    """Shards of the contigs ``lengths`` (name -> bases, in FASTA order), cuts at their
    nominal places (see the module)."""
    if shard_bases < 1:
        raise ValueError(f"shard size must be at least 1 base, not {shard_bases}")
    shards: list[tuple[Region, ...]] = []
    packed: list[Region] = []

    def close_packed():
        if packed:
            shards.append(tuple(packed))
            packed.clear()

    for contig, length in lengths.items():
        if length > shard_bases:
            close_packed()
            pieces = math.ceil(length / shard_bases)
            cuts = [round(length * piece / pieces) for piece in range(pieces + 1)]
            shards.extend((Region(contig, a + 1, b),) for a, b in pairwise(cuts))
        elif length > 0:
            if sum(region.bases for region in packed) + length > shard_bases:
                close_packed()
            packed.append(Region(contig, 1, length))
    close_packed()
    return [Shard(index, regions) for index, regions in enumerate(shards)]


def gap_cut(sequence: bytes, offset: int, nominal: int) -> int | None:
    """The cut (bases before it, on the contig) in the middle of the longest N run of
    ``sequence`` (which starts ``offset`` bases into the contig), the one nearest
    ``nominal`` among equals; None when the stretch has no gap of MIN_GAP bases."""
    best = None
    for run in _GAP.finditer(sequence):
        middle = offset + (run.start() + run.end()) // 2
        key = (run.end() - run.start(), -abs(middle - nominal))
        if best is None or key > best[0]:
            best = (key, middle)
    return None if best is None else best[1]


def cut_in_gaps(
    shards: list[Shard], shard_bases: int, fetch: Callable[[str, int, int], bytes]
) -> list[Shard]:
    """The shards with every cut inside a contig moved into an assembly gap nearby (see
    the module); ``fetch(contig, start, end)`` gives the bases [start, end) (0-based)."""
    window = int(shard_bases * CUT_WINDOW)
    moved: dict[tuple[str, int], int] = {}  # (contig, nominal cut) -> cut
    for before, after in pairwise(shards):
        left, right = before.regions[-1], after.regions[0]
        if left.contig == right.contig and left.end + 1 == right.start:
            nominal = left.end
            lowest = max(left.start, nominal - window)
            highest = min(right.end, nominal + window)
            sequence = fetch(left.contig, lowest - 1, highest)
            cut = gap_cut(sequence, lowest - 1, nominal)
            moved[(left.contig, nominal)] = nominal if cut is None else cut

    def region(region: Region) -> Region:
        start = moved.get((region.contig, region.start - 1), region.start - 1) + 1
        end = moved.get((region.contig, region.end), region.end)
        return Region(region.contig, start, end)

    return [Shard(s.index, tuple(region(r) for r in s.regions)) for s in shards]
