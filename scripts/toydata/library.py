"""The fragments of each sample: which sequences a sample is read from, at what depth.

A sample is a mixture of cell populations; each population belongs to a donor (the
sample's own, or a contaminating individual's) and has a copy count per chromosome,
haplotype and interval. Fragments start uniformly along each reference interval of
each haplotype (through the reference-to-haplotype map), and uniformly along sequence a
haplotype carries that the reference lacks (large insertions: the collapsed
duplication, the satellite expansion). Vectors and transgene constructs are read at
their copies per cell. Reference coordinates are 0-based half-open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import design, reads

LARGE_INSERTION = reads.FRAGMENT_MAX  # inserted stretches longer than this get own starts


@dataclass(frozen=True)
class InsertedStretch:
    """Haplotype sequence with no reference counterpart: [hap_start, hap_start + length)
    after reference base ``ref_pos0``, with a composition index over it (and the bases
    a fragment can run into after it)."""

    ref_pos0: int
    hap_start: int
    length: int
    index: reads.ReferenceIndex


@dataclass(frozen=True)
class ReadSources:
    """Where every sample's fragments come from: the reference index for placing them,
    the haplotypes, acquired-variant patches, inserted stretches, vectors and transgene
    constructs laid out in the shared source buffer, and the depth settings."""

    contigs: list
    ref_index: dict
    haplotypes: dict  # (donor, haplotype, contig) -> variants.Haplotype
    hap_offset: dict  # (donor, haplotype, contig) -> offset in the source buffer
    patches: dict  # (sample, variant key) -> reads.Patch
    inserted: dict  # (donor, haplotype, contig) -> [InsertedStretch]
    vector_offset: dict  # vector name -> offset
    vector_length: dict  # vector name -> length
    constructs: dict  # transgene -> (offset, length)
    coverage_scale: float
    gc_norm: float


def inserted_stretches(haplotype, alleles) -> list[InsertedStretch]:
    """The large insertions of a haplotype, located on it."""
    out = []
    for a in alleles:
        n = len(a.alt) - len(a.ref)
        if n <= LARGE_INSERTION:
            continue
        start = int(haplotype.ref_to_hap(a.pos0)) + len(a.ref)
        window = haplotype.seq[start : start + n + reads.FRAGMENT_MAX]
        gaps = _n_runs(window)
        out.append(InsertedStretch(a.pos0, start, n, reads.ReferenceIndex.build(window, gaps)))
    return out


def _n_runs(seq: np.ndarray) -> list[tuple[int, int]]:
    is_n = np.concatenate([[False], seq == ord("N"), [False]])
    edges = np.nonzero(np.diff(is_n.astype(np.int8)))[0]
    return [(int(a), int(b)) for a, b in zip(edges[0::2], edges[1::2], strict=True)]


def gc_normaliser(rng, contigs, ref_index) -> float:
    """Mean GC acceptance of N-free fragments, so that depth matches the request."""
    weights = []
    total = sum(c.length for c in contigs)
    for c in contigs:
        idx = ref_index[c.name]
        n = int(200_000 * c.length / total)
        starts = rng.integers(0, c.length - reads.FRAGMENT_MAX, n)
        lengths = reads.fragment_lengths(rng, n)
        ok = ~idx.touches_gap(starts, lengths)
        weights.append(reads.gc_weight(idx.gc(starts[ok], lengths[ok])))
    return float(np.concatenate(weights).mean())


def _patched_offsets(hap, base, mine):
    """Map reference fragment starts to buffer offsets, through the patches that carry
    an acquired variant where a fragment overlaps one."""

    def to_buffer(starts, lengths):
        hs = hap.ref_to_hap(starts)
        offsets = base + hs
        if mine:
            p_start = np.array([p.ref_start for p in mine])
            idx = np.searchsorted(p_start, starts + lengths, side="left") - 1
            ok = idx >= 0
            ends = np.array([p.ref_end for p in mine])
            hit = ok & (ends[np.maximum(idx, 0)] > starts)
            for j in np.unique(idx[hit]):
                sel = hit & (idx == j)
                offsets[sel] = mine[j].offset + (hs[sel] - mine[j].hap_window_start)
        return offsets

    return to_buffer


def _haplotype_fragments(rng, sample, pop, donor, contig, hap_name, sources, rate):
    hap = sources.haplotypes[donor.name, hap_name, contig.name]
    base = sources.hap_offset[donor.name, hap_name, contig.name]
    mine = sorted(
        (
            sources.patches[sample.name, v.key]
            for v in pop.variants
            if v.allele.chrom == contig.name and v.haplotype == hap_name
        ),
        key=lambda p: p.ref_start,
    )
    to_buffer = _patched_offsets(hap, base, mine)
    parts = []
    bounds = {0, contig.length}
    for ch in pop.changes:
        if ch.chrom == contig.name and ch.haplotype == hap_name:
            bounds.update((ch.start, ch.end))
    bounds = sorted(bounds)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        copies = pop.copies(donor, contig.name, hap_name, a)
        if copies == 0:
            continue
        expected = pop.fraction * copies * (b - a) * rate
        parts.append(
            reads.sample_genomic(
                rng, sources.ref_index[contig.name], a, b, expected, sources.gc_norm, to_buffer
            )
        )
    for stretch in sources.inserted.get((donor.name, hap_name, contig.name), []):
        copies = pop.copies(donor, contig.name, hap_name, stretch.ref_pos0)
        if copies == 0:
            continue
        expected = pop.fraction * copies * stretch.length * rate
        offset = base + stretch.hap_start
        parts.append(
            reads.sample_genomic(
                rng,
                stretch.index,
                0,
                stretch.length,
                expected,
                sources.gc_norm,
                lambda starts, lengths, offset=offset: offset + starts,
            )
        )
    return parts


def sample_library(rng, sample, sources: ReadSources) -> reads.Fragments:
    """Every fragment of one sample (duplicates, orientation, order and units set)."""
    per_copy_rate = sample.coverage * sources.coverage_scale / 2.0 / (2 * reads.READ_LENGTH)
    parts = []
    for pop in sample.populations:
        donor = design.donor_of(pop.donor or sample.genotype_donor)
        for contig in sources.contigs:
            for hap_name in donor.haplotypes(contig.name):
                parts += _haplotype_fragments(
                    rng, sample, pop, donor, contig, hap_name, sources, per_copy_rate
                )
    for name, copies in sample.vectors:
        length = sources.vector_length[name]
        parts.append(
            reads.sample_construct(
                rng, sources.vector_offset[name], length, copies * length * per_copy_rate, True
            )
        )
    for gene_name, copies in sample.transgenes:
        offset, length = sources.constructs[gene_name]
        parts.append(
            reads.sample_construct(rng, offset, length, copies * length * per_copy_rate, False)
        )
    originals = reads.Fragments.concat(parts)
    return reads.finish_library(rng, originals, len(sample.units), design.DUPLICATE_RATE)


def fragments_in(library: reads.Fragments, lo: int, hi: int) -> int:
    """Fragments of a library (duplicates included) that start in buffer [lo, hi)."""
    return int(((library.offset >= lo) & (library.offset < hi)).sum())


def reads_covering(library: reads.Fragments, position: int, lo: int, hi: int) -> dict:
    """Reads of a library covering buffer ``position``, among fragments that start in
    buffer [lo, hi): counts of all reads, reads of non-duplicate fragments, and those
    on the forward (top) and reverse (bottom) strand."""
    off, length = library.offset, library.length
    sel = (off >= lo) & (off < hi) & (off <= position) & (position < off + length)
    top = sel & (position - off < np.minimum(reads.READ_LENGTH, length))
    bottom = sel & (position >= off + length - reads.READ_LENGTH)
    original = ~library.duplicate
    return {
        "reads": int(top.sum() + bottom.sum()),
        "reads_without_duplicates": int((top & original).sum() + (bottom & original).sum()),
        "forward": int(top.sum()),
        "reverse": int(bottom.sum()),
    }
