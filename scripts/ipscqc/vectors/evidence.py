"""Read evidence of vector families in one sample: the reads each family gets, their
depth along the family (its level and stretches above it) and the transgene junction
reads on decoy cDNA inserts. Copies per cell and the findings: ipscqc.vectors.findings.

A read (a primary alignment that is not a duplicate, QC-failed or unmapped; each read
of a pair on its own) is family evidence when

- it lies on a decoy of the family with mapping quality >= ``min_mapq``, or with a
  lower one when at least half of its aligned bases are on countable positions (its
  other possible places are copies of the same family: another plasmid's backbone, or
  the reference's chrEBV);
- it lies on a reference contig (chrEBV) inside a stretch homologous to the family, at
  any mapping quality. Reads elsewhere on such a contig are counted apart (the EBV
  genome itself, e.g. in a line made from an EBV-transformed cell line).

A read has one primary alignment, so it counts once, for the family it falls in. The
family depth is the aligned bases on its basis positions (all copies: every plasmid,
chrEBV) per non-redundant position; over the shared backbone (positions in every member)
it counts the family's plasmids, what an EBNA1/oriP qPCR measures.

A read on a decoy that spans an exon-exon junction of a cDNA insert (at least
``min_overhang`` aligned bases on each side) is a transgene junction read of the gene,
whatever its mapping quality: the genome has an intron there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .families import DecoyMap, effective_lengths

EXCLUDED_FLAGS = 0x4 | 0x100 | 0x200 | 0x400 | 0x800  # unmapped, secondary, QC, dup, suppl.


@dataclass
class FamilyReads:
    """Counted reads and their aligned bases per contig position, for one family."""

    reads: int = 0
    low_mapq_reads: int = 0  # counted though below min_mapq (within-family ambiguity)
    homolog_reads: int = 0  # of them, on a reference contig (chrEBV)
    coverage: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Evidence:
    families: dict[str, FamilyReads]
    # gene -> junction (families.junction_key) -> names of reads across it on a decoy
    junction_reads: dict[str, dict[str, set[str]]]
    other_reads: dict[str, int]  # reference contig -> reads outside family stretches
    dropped_reads: int  # decoy reads of low mapping quality off countable positions
    read_length: float | None


def new_evidence(decoy_map: DecoyMap, lengths: dict[str, int]) -> Evidence:
    families = {}
    for family in decoy_map.members:
        reads = FamilyReads()
        for contig in decoy_map.family_contigs(family):
            reads.coverage[contig] = np.zeros(lengths[contig], dtype=np.int64)
        families[family] = reads
    return Evidence(families, {}, {}, 0, None)


def add_read(
    evidence: Evidence,
    decoy_map: DecoyMap,
    junction_points: dict[str, list[tuple[int, str, str]]],
    contig: str,
    blocks: list[tuple[int, int]],
    mapq: int,
    name: str,
    min_mapq: int,
    min_overhang: int,
) -> str | None:
    """Count one primary alignment (aligned blocks, 0-based half-open); returns the
    family it was counted for, or None."""
    if not blocks:
        return None
    start, end = blocks[0][0], blocks[-1][1]
    if contig in decoy_map.family_of:
        for point, gene, key in junction_points.get(contig, []):
            if _covered(blocks, point - min_overhang, point + min_overhang):
                by_junction = evidence.junction_reads.setdefault(gene, {})
                by_junction.setdefault(key, set()).add(name)
        family = decoy_map.family_of[contig]
        if mapq < min_mapq:
            mask = decoy_map.countable[contig]
            aligned = sum(b - a for a, b in blocks)
            on_countable = sum(int(mask[a:b].sum()) for a, b in blocks)
            if on_countable * 2 < aligned:
                evidence.dropped_reads += 1
                return None
    else:
        family = decoy_map.homolog_family(contig, start, end)
        if family is None:
            evidence.other_reads[contig] = evidence.other_reads.get(contig, 0) + 1
            return None
    reads = evidence.families[family]
    reads.reads += 1
    reads.low_mapq_reads += mapq < min_mapq
    reads.homolog_reads += contig not in decoy_map.family_of
    coverage = reads.coverage[contig]
    for a, b in blocks:
        coverage[max(0, a) : min(len(coverage), b)] += 1
    return family


def _covered(blocks, start, end) -> bool:
    """Are all positions [start, end) inside the aligned blocks (sorted, 0-based)?"""
    position = start
    for a, b in blocks:
        if a > position:
            return False
        if b > position:
            position = b
        if position >= end:
            return True
    return False


MIN_SHARED_BP = 500  # a shared backbone shorter than this does not carry the copies


def basis_of(decoy_map: DecoyMap, family: str) -> tuple[dict[str, np.ndarray], str]:
    """The positions that carry a family's copies per cell, per contig, and their name:
    the shared backbone (positions in every member) for a family of several decoys
    whose backbone is at least MIN_SHARED_BP long (the total of the family's plasmids
    per cell, what an EBNA1/oriP qPCR measures), else all countable positions."""
    contigs = decoy_map.family_contigs(family)
    lengths = effective_lengths(decoy_map, family)
    if len(decoy_map.members[family]) > 1 and lengths["shared"] >= MIN_SHARED_BP:
        return {c: decoy_map.shared[c] for c in contigs}, "shared backbone"
    return {c: decoy_map.countable[c] for c in contigs}, "countable sequence"


def family_depths(
    evidence: Evidence, decoy_map: DecoyMap, min_excess_reads: int = 3
) -> dict[str, dict]:
    """Per family: counted reads, depth over the non-redundant countable length and over
    the shared backbone, those lengths (bp), and the level along the family's basis with
    the stretches well above it (ipscqc.vectors.level; ``level_depth`` is the depth
    copies per cell are computed from)."""
    from .level import family_level, family_profile

    result = {}
    for family, reads in evidence.families.items():
        lengths = effective_lengths(decoy_map, family)
        countable_bases = shared_bases = 0
        for contig, coverage in reads.coverage.items():
            countable_bases += int(coverage[decoy_map.countable[contig]].sum())
            shared_bases += int(coverage[decoy_map.shared[contig]].sum())
        basis, basis_name = basis_of(decoy_map, family)
        layout, positions, depth = family_profile(decoy_map, family, reads.coverage, basis)
        level = family_level(layout, positions, depth, evidence.read_length, min_excess_reads)
        result[family] = {
            "members": decoy_map.members[family],
            "reads": reads.reads,
            "low_mapq_reads": reads.low_mapq_reads,
            "homolog_reads": reads.homolog_reads,
            "countable_length": lengths["countable"],
            "shared_length": lengths["shared"],
            "depth": countable_bases / lengths["countable"] if lengths["countable"] else None,
            "shared_depth": shared_bases / lengths["shared"] if lengths["shared"] else None,
            "basis": basis_name,
            "basis_bp": level.basis_bp,
            "level_depth": level.depth,
            "stretches": [stretch.as_dict() for stretch in level.stretches],
        }
    return result


def evidence_summary(evidence: Evidence, decoy_map: DecoyMap, min_excess_reads: int = 3) -> dict:
    """The JSON-able evidence of one sample (what the evidence file holds)."""
    return {
        "families": family_depths(evidence, decoy_map, min_excess_reads),
        "decoy_junction_reads": {
            gene: {key: sorted(names) for key, names in sorted(by_junction.items())}
            for gene, by_junction in sorted(evidence.junction_reads.items())
        },
        "viral_contig_reads": dict(sorted(evidence.other_reads.items())),
        "dropped_reads": evidence.dropped_reads,
        "read_length": evidence.read_length,
    }


def scan_families(
    bam_path: str,
    decoy_map: DecoyMap,
    lengths: dict[str, int],
    junction_points: dict[str, list[tuple[int, str, str]]],
    min_mapq: int,
    min_overhang: int = 8,
) -> Evidence:
    """Read the decoys and their homolog contigs of one BAM into family evidence."""
    import pysam

    evidence = new_evidence(decoy_map, lengths)
    read_lengths = []
    contigs = sorted(set(decoy_map.family_of) | {h.contig for h in decoy_map.homologs})
    with pysam.AlignmentFile(bam_path) as bam:
        for contig in contigs:
            if contig not in bam.references:
                continue
            for read in bam.fetch(contig):
                if read.flag & EXCLUDED_FLAGS:
                    continue
                if len(read_lengths) < 10_000:
                    read_lengths.append(read.query_length)
                add_read(
                    evidence, decoy_map, junction_points, contig, read.get_blocks(),
                    read.mapping_quality, read.query_name, min_mapq, min_overhang,
                )  # fmt: skip
    evidence.read_length = float(np.median(read_lengths)) if read_lengths else None
    return evidence
