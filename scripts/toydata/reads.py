"""Paired-end read simulation: fragment sampling from cell populations and FASTQ
writing.

All sequences a sample can be read from (donor haplotypes, acquired-variant patches,
vector and transgene constructs) live in one buffer; a fragment is an offset into it
plus a length and an orientation. Reads are cut from the buffer in blocks with numpy,
so no Python code runs per base.

Reference coordinates are 0-based half-open.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .sequtils import BASE_INDEX, BASES, COMPLEMENT, IS_GC, N_CODE

READ_LENGTH = 150
PAD = 1024
FRAGMENT_MEAN, FRAGMENT_SD, FRAGMENT_MIN, FRAGMENT_MAX = 350, 60, 200, 800
SHORT_FRAGMENT_RATE = 0.01  # fragments shorter than the read: adapter read-through
SHORT_FRAGMENT_MIN = 60
GC_OPTIMUM, GC_WIDTH = 0.46, 0.16
CHUNK = 40_000

# Illumina TruSeq adapters as read after a short insert (adapter, index, P7/P5 end,
# then no-signal G of two-colour chemistry)
ADAPTER_R1 = b"AGATCGGAAGAGCACACGTCTGAACTCCAGTCACATCACGATCTCGTATGCCGTCTTCTGCTTG"
ADAPTER_R2 = b"AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGTAGATCTCGGTGGTCGCCGTATCATT"

# binned base qualities as on HiSeq X/4000 and NovaSeq-era instruments
QUALITY_BINS = np.array([2, 12, 22, 27, 32, 37, 41])


def _quality_model(worse: float) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative bin probabilities (6 x L) and error thresholds (7 x L) per cycle.

    The error rate implied by the Phred values rises from about 0.1% at the first
    cycle to about 1% at the last (R2 ``worse`` times more low-quality calls)."""
    t = np.linspace(0.0, 1.0, READ_LENGTH)
    p = np.empty((7, READ_LENGTH))
    p[0] = (0.0012 + 0.0108 * t**2) * worse
    p[1] = (0.0008 + 0.034 * t**2) * worse
    p[2] = (0.003 + 0.02 * t) * worse
    p[3] = (0.006 + 0.03 * t) * worse
    p[4] = 0.03 + 0.06 * t
    p[5] = 0.08 + 0.15 * t
    p[4, :3] += 0.25
    p[5, :5] += 0.30
    p[6] = 1.0 - p[:6].sum(axis=0)
    assert (p[6] > 0).all()
    cum = np.cumsum(p, axis=0)
    lower = np.vstack([np.zeros(READ_LENGTH), cum[:-1]])
    p_error = 10.0 ** (-QUALITY_BINS / 10.0)
    threshold = lower + p * p_error[:, None]
    return cum[:6].astype(np.float32), threshold.astype(np.float32)


QUALITY_MODELS = (_quality_model(1.0), _quality_model(1.3))


def _quality_lookup(model: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(L x 65536) table: a 16-bit uniform draw at a cycle -> quality bin + 8 * error."""
    cum, threshold = model
    u = (np.arange(65536) + 0.5) / 65536.0
    table = np.zeros((READ_LENGTH, 65536), dtype=np.uint8)
    for i in range(READ_LENGTH):
        bins = np.searchsorted(cum[:, i], u, side="right").astype(np.uint8)
        error = u < threshold[bins, i]
        table[i] = bins + 8 * error
    return table


_LOOKUPS: dict[int, np.ndarray] = {}


def quality_lookup(read: int) -> np.ndarray:
    if read not in _LOOKUPS:
        _LOOKUPS[read] = _quality_lookup(QUALITY_MODELS[read])
    return _LOOKUPS[read]


def expected_error_rate(read: int = 0) -> np.ndarray:
    cum, threshold = QUALITY_MODELS[read]
    lower = np.vstack([np.zeros(READ_LENGTH), cum])
    return (threshold - lower).sum(axis=0)


def gc_weight(gc: np.ndarray) -> np.ndarray:
    """Relative sampling probability of a fragment with G+C fraction ``gc`` (mild
    under-sampling of GC-poor and GC-rich fragments)."""
    return np.exp(-0.5 * ((gc - GC_OPTIMUM) / GC_WIDTH) ** 2)


def fragment_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    """Normal(350, 60) truncated to [200, 800] (redrawn, not clipped, so no pile-up at
    the bounds), plus ~1% short fragments (60-149 bp) that read into the adapter."""
    lengths = np.rint(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, n)).astype(np.int64)
    bad = np.nonzero((lengths < FRAGMENT_MIN) | (lengths > FRAGMENT_MAX))[0]
    while len(bad):
        lengths[bad] = np.rint(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, len(bad)))
        bad = bad[(lengths[bad] < FRAGMENT_MIN) | (lengths[bad] > FRAGMENT_MAX)]
    short = rng.random(n) < SHORT_FRAGMENT_RATE
    lengths[short] = rng.integers(SHORT_FRAGMENT_MIN, READ_LENGTH, int(short.sum()))
    return lengths


class SourceBuffer:
    """Concatenation of every sequence reads are drawn from, N-padded between parts."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = [np.full(PAD, N_CODE, dtype=np.uint8)]
        self.size = PAD
        self.array: np.ndarray | None = None

    def add(self, seq: np.ndarray) -> int:
        offset = self.size
        self.parts.append(np.asarray(seq, dtype=np.uint8))
        self.parts.append(np.full(PAD, N_CODE, dtype=np.uint8))
        self.size += len(seq) + PAD
        return offset

    def finish(self) -> np.ndarray:
        self.array = np.concatenate(self.parts)
        self.parts = []
        return self.array


@dataclass
class ReferenceIndex:
    """Per-contig arrays for fast fragment checks: G+C prefix sums (uint16, wrapping:
    differences over < 65536 bases stay exact) and sorted N gaps."""

    length: int
    gc_prefix: np.ndarray
    gap_starts: np.ndarray
    gap_ends: np.ndarray

    @classmethod
    def build(cls, seq: np.ndarray, gaps: list[tuple[int, int]]) -> ReferenceIndex:
        prefix = np.zeros(len(seq) + 1, dtype=np.uint16)
        np.cumsum(IS_GC[seq], dtype=np.uint16, out=prefix[1:])
        arr = np.asarray(sorted(gaps), dtype=np.int64).reshape(-1, 2)
        return cls(len(seq), prefix, arr[:, 0], arr[:, 1])

    def gc(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        counts = self.gc_prefix[starts + lengths] - self.gc_prefix[starts]
        return counts.astype(np.float64) / lengths

    def touches_gap(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.gap_ends, starts, side="right")
        hit = idx < len(self.gap_starts)
        hit[hit] = self.gap_starts[idx[hit]] < (starts + lengths)[hit]
        return hit


@dataclass
class Patch:
    """A window of a haplotype carrying one acquired variant."""

    ref_start: int  # reference span a fragment must overlap to carry the variant
    ref_end: int
    hap_window_start: int
    offset: int  # buffer offset of the window


@dataclass
class Fragments:
    offset: np.ndarray
    length: np.ndarray
    reverse: np.ndarray  # True: read 1 from the bottom strand
    duplicate: np.ndarray
    unit: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    @classmethod
    def concat(cls, parts: list[Fragments]) -> Fragments:
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("offset", "length", "reverse", "duplicate")
            )
        )

    def take(self, idx: np.ndarray) -> Fragments:
        return Fragments(
            self.offset[idx],
            self.length[idx],
            self.reverse[idx],
            self.duplicate[idx],
            self.unit[idx] if len(self.unit) else self.unit,
        )

    def __len__(self) -> int:
        return len(self.offset)


def sample_genomic(
    rng: np.random.Generator,
    ref: ReferenceIndex,
    start: int,
    end: int,
    expected: float,
    gc_norm: float,
    hap_to_buffer,
) -> Fragments:
    """Fragments whose reference start lies in [start, end): Poisson number of
    candidates, rejection of fragments that leave the contig, touch N or lose the GC
    lottery. ``hap_to_buffer(starts, lengths)`` gives buffer offsets."""
    n = int(rng.poisson(expected / gc_norm))
    starts = rng.integers(start, end, n)
    lengths = fragment_lengths(rng, n)
    lottery = rng.random(n)
    keep = starts + lengths <= ref.length
    starts, lengths, lottery = starts[keep], lengths[keep], lottery[keep]
    keep = ~ref.touches_gap(starts, lengths)
    starts, lengths, lottery = starts[keep], lengths[keep], lottery[keep]
    keep = lottery < gc_weight(ref.gc(starts, lengths))
    starts, lengths = starts[keep], lengths[keep]
    offsets = hap_to_buffer(starts, lengths)
    zeros = np.zeros(len(starts), dtype=bool)
    return Fragments(offsets, lengths, zeros, zeros.copy())


def sample_construct(
    rng: np.random.Generator, offset: int, length: int, expected: float, circular: bool
) -> Fragments:
    """Fragments of a vector (circular: may span the origin) or a linear construct."""
    n = int(rng.poisson(expected))
    lengths = fragment_lengths(rng, n)
    if circular:
        starts = rng.integers(0, length, n)
    else:
        lengths = lengths[lengths <= length]
        starts = (rng.random(len(lengths)) * (length - lengths + 1)).astype(np.int64)
    zeros = np.zeros(len(starts), dtype=bool)
    return Fragments(offset + starts, lengths, zeros, zeros.copy())


def finish_library(
    rng: np.random.Generator, originals: Fragments, n_units: int, duplicate_rate: float
) -> Fragments:
    """Orientation, PCR duplicates (same fragment, same orientation, own errors later),
    shuffled order and lane (unit) assignment."""
    n = len(originals)
    originals.reverse = rng.random(n) < 0.5
    n_dup = int(round(n * duplicate_rate / (1.0 - duplicate_rate)))
    picks = rng.integers(0, n, n_dup)
    dups = originals.take(picks)
    dups.duplicate = np.ones(n_dup, dtype=bool)
    library = Fragments.concat([originals, dups])
    library = library.take(rng.permutation(len(library)))
    library.unit = rng.integers(0, n_units, len(library)).astype(np.int8)
    return library


# ---------------------------------------------------------------- FASTQ


def _apply_adapters(reads: np.ndarray, lengths: np.ndarray, adapter: bytes) -> None:
    short = np.nonzero(lengths < READ_LENGTH)[0]
    if len(short) == 0:
        return
    tail = np.frombuffer(adapter.ljust(READ_LENGTH, b"G"), dtype=np.uint8)
    k = np.arange(READ_LENGTH)[None, :] - lengths[short][:, None]
    block = reads[short]
    mask = k >= 0
    block[mask] = tail[k[mask]]
    reads[short] = block


def _qualities_and_errors(rng: np.random.Generator, reads: np.ndarray, read: int) -> np.ndarray:
    """Draw a quality per base, put errors where the draw says so (a substitution, or
    an N at quality 2), and return the Phred+33 quality array."""
    n = reads.shape[0]
    table = quality_lookup(read)
    draws = np.frombuffer(rng.bytes(2 * n * READ_LENGTH), dtype=np.uint16)
    draws = draws.reshape(READ_LENGTH, n)
    codes = np.empty((READ_LENGTH, n), dtype=np.uint8)
    for i in range(READ_LENGTH):  # one gather per cycle, not per base
        codes[i] = table[i][draws[i]]
    codes = codes.T
    bins = codes & 7
    rows, cols = np.nonzero(codes >= 8)
    bases = BASE_INDEX[reads[rows, cols]]
    new = BASES[(bases + rng.integers(1, 4, len(rows))) % 4]
    no_call = (bins[rows, cols] == 0) & (rng.random(len(rows)) < 0.5)
    new[no_call] = N_CODE
    reads[rows, cols] = new
    return (QUALITY_BINS + 33).astype(np.uint8)[bins]


def cut_reads(
    rng: np.random.Generator, buffer: np.ndarray, frags: Fragments
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read 1 and read 2 sequences and qualities (n x 150 uint8 arrays)."""
    windows = sliding_window_view(buffer, READ_LENGTH)
    top = windows[frags.offset]
    bottom = COMPLEMENT[windows[frags.offset + frags.length - READ_LENGTH][:, ::-1]]
    flip = frags.reverse[:, None]
    r1 = np.where(flip, bottom, top)
    r2 = np.where(flip, top, bottom)
    _apply_adapters(r1, frags.length, ADAPTER_R1)
    _apply_adapters(r2, frags.length, ADAPTER_R2)
    q1 = _qualities_and_errors(rng, r1, 0)
    q2 = _qualities_and_errors(rng, r2, 1)
    return r1, q1, r2, q2


def _records(names: np.ndarray, seqs: np.ndarray, quals: np.ndarray) -> bytes:
    n, width = names.shape
    rec = np.empty((n, width + 2 * READ_LENGTH + 5), dtype=np.uint8)
    rec[:, :width] = names
    rec[:, width] = 10
    a = width + 1
    rec[:, a : a + READ_LENGTH] = seqs
    rec[:, a + READ_LENGTH] = 10
    rec[:, a + READ_LENGTH + 1] = ord("+")
    rec[:, a + READ_LENGTH + 2] = 10
    b = a + READ_LENGTH + 3
    rec[:, b : b + READ_LENGTH] = quals
    rec[:, b + READ_LENGTH] = 10
    return rec.tobytes()


def read_names(prefix: str, index: np.ndarray, digits: int) -> np.ndarray:
    """'@<prefix>:<zero-padded index>' as an (n x width) uint8 array."""
    head = np.frombuffer(f"@{prefix}:".encode(), dtype=np.uint8)
    powers = 10 ** np.arange(digits - 1, -1, -1, dtype=np.int64)
    numbers = (index[:, None] // powers[None, :]) % 10 + ord("0")
    out = np.empty((len(index), len(head) + digits), dtype=np.uint8)
    out[:, : len(head)] = head
    out[:, len(head) :] = numbers
    return out


def write_fastq_pair(
    rng: np.random.Generator,
    buffer: np.ndarray,
    frags: Fragments,
    index: np.ndarray,
    digits: int,
    prefix: str,
    path_r1: Path,
    path_r2: Path,
    compresslevel: int = 1,
) -> None:
    """Write one unit's FASTQ pair (gzip, mtime 0, no file name: reproducible bytes)."""
    tmp1 = path_r1.with_name(f".{path_r1.name}.{os.getpid()}.tmp")
    tmp2 = path_r2.with_name(f".{path_r2.name}.{os.getpid()}.tmp")
    with (
        open(tmp1, "wb") as raw1,
        open(tmp2, "wb") as raw2,
        gzip.GzipFile(
            filename="", mode="wb", compresslevel=compresslevel, fileobj=raw1, mtime=0
        ) as out1,
        gzip.GzipFile(
            filename="", mode="wb", compresslevel=compresslevel, fileobj=raw2, mtime=0
        ) as out2,
    ):
        for lo in range(0, len(frags), CHUNK):
            sel = np.arange(lo, min(lo + CHUNK, len(frags)))
            chunk = frags.take(sel)
            r1, q1, r2, q2 = cut_reads(rng, buffer, chunk)
            names = read_names(prefix, index[sel], digits)
            out1.write(_records(names, r1, q1))
            out2.write(_records(names, r2, q2))
    tmp1.replace(path_r1)
    tmp2.replace(path_r2)
