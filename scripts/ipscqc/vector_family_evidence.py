"""Read evidence of vector families in one sample, copies per cell per family, the
detection limit at the sample's depth, and the family findings.

A read (a primary alignment that is not a duplicate, QC-failed or unmapped; each read
of a pair on its own) is family evidence when

- it lies on a decoy of the family with mapping quality >= ``min_mapq``, or with a
  lower one when at least half of its aligned bases are on countable positions (its
  other possible places are copies of the same family: another plasmid's backbone, or
  the reference's chrEBV);
- it lies on a reference contig (chrEBV) inside a stretch homologous to the family, at
  any mapping quality. Reads elsewhere on such a contig are counted apart (the EBV
  genome itself, e.g. in a line made from an EBV-transformed cell line).

A read has one primary alignment, so it counts once, for the family it falls in.
Copies per cell = family depth / haploid autosomal depth, where the family depth is the
aligned bases on countable positions (all copies: every plasmid, chrEBV) over the
non-redundant countable length; over the backbone (positions in every member) this is
the total number of plasmids of the family per cell, what an EBNA1/oriP qPCR measures.

A read on a decoy that spans an exon-exon junction of a cDNA insert (at least
``min_overhang`` aligned bases on each side) is a transgene junction read of the gene,
whatever its mapping quality: the genome has an intron there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import poisson

from .vector_families import DecoyMap, effective_lengths

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
    junction_reads: dict[str, set[str]]  # gene -> names of reads across a decoy junction
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
    junction_points: dict[str, list[tuple[int, str]]],
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
        for point, gene in junction_points.get(contig, []):
            if _covered(blocks, point - min_overhang, point + min_overhang):
                evidence.junction_reads.setdefault(gene, set()).add(name)
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


def family_depths(evidence: Evidence, decoy_map: DecoyMap) -> dict[str, dict]:
    """Per family: counted reads, depth over the non-redundant countable length and over
    the shared backbone, and those lengths (bp)."""
    result = {}
    for family, reads in evidence.families.items():
        lengths = effective_lengths(decoy_map, family)
        countable_bases = shared_bases = 0
        for contig, coverage in reads.coverage.items():
            countable_bases += int(coverage[decoy_map.countable[contig]].sum())
            shared_bases += int(coverage[decoy_map.shared[contig]].sum())
        result[family] = {
            "members": decoy_map.members[family],
            "reads": reads.reads,
            "low_mapq_reads": reads.low_mapq_reads,
            "homolog_reads": reads.homolog_reads,
            "countable_length": lengths["countable"],
            "shared_length": lengths["shared"],
            "depth": countable_bases / lengths["countable"] if lengths["countable"] else None,
            "shared_depth": shared_bases / lengths["shared"] if lengths["shared"] else None,
        }
    return result


def evidence_summary(evidence: Evidence, decoy_map: DecoyMap) -> dict:
    """The JSON-able evidence of one sample (what the evidence file holds)."""
    return {
        "families": family_depths(evidence, decoy_map),
        "decoy_junction_reads": {g: sorted(n) for g, n in sorted(evidence.junction_reads.items())},
        "viral_contig_reads": dict(sorted(evidence.other_reads.items())),
        "dropped_reads": evidence.dropped_reads,
        "read_length": evidence.read_length,
    }


def copies_per_cell(depth: float | None, autosomal_depth: float | None) -> float | None:
    if depth is None or not autosomal_depth:
        return None
    return depth / (autosomal_depth / 2.0)


def detection_limit(
    autosomal_depth: float | None,
    read_length: float | None,
    effective_length: float,
    min_reads: int,
    probability: float = 0.95,
) -> float | None:
    """Copies per cell detected with ``probability`` by the ``min_reads`` rule.

    c copies per cell give about c * (depth / 2) * length / read_length reads on the
    family (Poisson); the limit is the c whose expected count reaches the smallest mean
    with P(reads >= min_reads) >= probability (6.3 for 3 reads at 95%).
    """
    if not autosomal_depth or not read_length or effective_length <= 0:
        return None
    low, high = 0.0, float(min_reads) + 50.0
    for _ in range(60):  # bisection on the Poisson mean
        middle = (low + high) / 2
        if poisson.sf(min_reads - 1, middle) >= probability:
            high = middle
        else:
            low = middle
    reads_per_copy = (autosomal_depth / 2.0) * effective_length / read_length
    return high / reads_per_copy


def family_items(
    depths: dict[str, dict],
    parental_depths: dict[str, dict] | None,
    autosomal_depth: float | None,
    parental_autosomal_depth: float | None,
    read_length: float | None,
    min_reads: int,
) -> list[dict]:
    """One findings item per family: reads, copies per cell (backbone when the family
    has one, else all countable sequence), the parental's, and the detection limit."""
    items = []
    for family, info in sorted(depths.items()):
        use_shared = len(info["members"]) > 1 and info["shared_length"] >= 500
        depth = info["shared_depth"] if use_shared else info["depth"]
        length = info["shared_length"] if use_shared else info["countable_length"]
        parental = (parental_depths or {}).get(family)
        parental_copies = None
        if parental is not None:
            parental_copies = copies_per_cell(
                parental["shared_depth"] if use_shared else parental["depth"],
                parental_autosomal_depth,
            )
        items.append(
            {
                "kind": "vector_family",
                "name": family,
                "members": info["members"],
                "reads": info["reads"],
                "low_mapq_reads": info["low_mapq_reads"],
                "chrEBV_reads": info["homolog_reads"],
                "copies_per_cell": copies_per_cell(depth, autosomal_depth),
                "copies_basis": "shared backbone" if use_shared else "countable sequence",
                "effective_length": round(length, 1),
                "detection_limit_copies_per_cell": detection_limit(
                    autosomal_depth, read_length, info["countable_length"], min_reads
                ),
                "detected": info["reads"] >= min_reads,
                "parental_reads": None if parental is None else parental["reads"],
                "parental_copies_per_cell": parental_copies,
            }
        )
    return items


def family_metrics(items: list[dict], max_copies_per_cell: float, summary: dict) -> tuple:
    """Metrics and notes over the families (``summary``: evidence_summary of the sample),
    with whether the vector check can conclude.

    ``vectors_assessable`` is False when no family is detected and the worst family's
    detection limit is above ``max_copies_per_cell`` (this depth could miss a vector
    load above the limit: INCONCLUSIVE, not PASS), or when a limit cannot be computed.
    """
    notes = []
    detected = [item for item in items if item["detected"]]
    copies = [item["copies_per_cell"] for item in items if item["copies_per_cell"] is not None]
    limits = [item["detection_limit_copies_per_cell"] for item in items]
    worst_limit = None if not items or any(v is None for v in limits) else max(limits)
    assessable, reason = True, None
    if not items:
        assessable, reason = False, "no vector decoys in the reference: vector DNA not looked for"
    elif not detected and (worst_limit is None or worst_limit > max_copies_per_cell):
        assessable = False
        shown = "unknown" if worst_limit is None else f"{worst_limit:.3g}"
        reason = (
            f"no vector read, but at this depth only loads above {shown} copies per cell "
            f"are detected (limit {max_copies_per_cell}): clearance cannot be shown"
        )
    if reason:
        notes.append(reason)
    for contig, reads in sorted(summary["viral_contig_reads"].items()):
        notes.append(
            f"{reads} reads on {contig} outside the stretches it shares with the decoys: "
            "the viral genome itself (e.g. an EBV-transformed source), not plasmid evidence"
        )
    ebv = sum(item["chrEBV_reads"] for item in items)
    if ebv:
        notes.append(f"{ebv} reads on the reference's viral contig counted as plasmid evidence")
    if summary["dropped_reads"]:
        notes.append(
            f"{summary['dropped_reads']} decoy reads of low mapping quality on sequence shared "
            "with the genome or another family were not counted"
        )
    best = max(items, key=lambda item: item["copies_per_cell"] or 0.0, default=None)
    metrics = {
        "max_family_copies_per_cell": max(copies) if copies else None,
        "family_with_max": best["name"] if best and (best["copies_per_cell"] or 0) > 0 else None,
        "families_detected": sorted(item["name"] for item in detected),
        "vector_detection_limit": worst_limit,
        "vectors_assessable": assessable,
        "decoy_junction_reads": {
            gene: len(names) for gene, names in summary["decoy_junction_reads"].items()
        },
    }
    return metrics, notes


def scan_families(
    bam_path: str,
    decoy_map: DecoyMap,
    lengths: dict[str, int],
    junction_points: dict[str, list[tuple[int, str]]],
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
