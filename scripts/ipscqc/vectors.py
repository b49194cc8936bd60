"""Reprogramming vector and transgene residue in an iPSC line.

Vector DNA: reads on the decoy contigs (vector sequences added to the alignment
reference) are turned into copies per cell:

    copies per cell = decoy depth / haploid autosomal depth
                    = (aligned bases on the decoy / decoy length) / (autosomal depth / 2)

so that one copy per diploid cell gives the depth of one haplotype.

Transgene cDNA: a cDNA copy of a gene has its exons joined without introns. A read
from it that crosses an exon-exon junction aligns to one exon and is soft-clipped at
the exon's end, the clipped bases being the start of the next exon (or, for short
introns, it aligns across the intron as one long deletion). Such reads are counted per
gene; the parental, which never saw the vector, should have none.

Coordinates: 0-based half-open throughout (pysam), GFF3 input converted on reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ipscqc.readers.gff3 import Annotation

# SAM flags a read must not have to count: unmapped, secondary, QC fail, duplicate,
# supplementary
EXCLUDED_FLAGS = 0x4 | 0x100 | 0x200 | 0x400 | 0x800

SOFT_CLIP, DELETION, SKIP = 4, 2, 3


@dataclass
class Junction:
    """An exon-exon junction of a gene: the intron [left_end, right_start) is removed."""

    gene: str
    chrom: str
    left_end: int  # end of the upstream (genomic order) exon, exclusive
    right_start: int  # start of the downstream exon
    spliced: str = ""  # flank bases of the left exon + flank bases of the right exon
    flank: int = 0


@dataclass
class GeneModel:
    name: str
    chrom: str
    start: int
    end: int
    transcripts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def gene_models(annotation: Annotation) -> dict[str, GeneModel]:
    """The exons of every transcript of the annotation's genes, by gene name."""
    models = {}
    for gene in annotation.genes.values():
        model = GeneModel(gene.name, gene.chrom, gene.start, gene.end)
        for transcript in annotation.transcripts_of(gene.name):
            if transcript.exons:
                model.transcripts[transcript.id] = list(transcript.exons)
        models[gene.name] = model
    return models


def gene_junctions(model: GeneModel) -> list[Junction]:
    """Distinct exon-exon junctions of a gene, over all its transcripts."""
    seen = set()
    for exons in model.transcripts.values():
        ordered = sorted(exons)
        for (_, left_end), (right_start, _) in zip(ordered[:-1], ordered[1:], strict=True):
            if right_start > left_end:
                seen.add((left_end, right_start))
    return [Junction(model.name, model.chrom, a, b) for a, b in sorted(seen)]


def attach_sequences(junctions: list[Junction], fetch, flank: int) -> None:
    """Fill each junction's spliced sequence; fetch(chrom, start, end) gives bases."""
    for junction in junctions:
        left = fetch(junction.chrom, max(0, junction.left_end - flank), junction.left_end)
        right = fetch(junction.chrom, junction.right_start, junction.right_start + flank)
        junction.spliced = (left + right).upper()
        junction.flank = len(left)


def _crosses(segment: str, junction: Junction, min_each_side: int) -> bool:
    """Does the read segment occur in the spliced sequence across the junction point?"""
    index = junction.spliced.find(segment.upper())
    while index != -1:
        if junction.flank - index >= min_each_side and index + len(segment) - junction.flank >= (
            min_each_side
        ):
            return True
        index = junction.spliced.find(segment.upper(), index + 1)
    return False


def junction_of_read(
    sequence: str,
    cigar: list[tuple[int, int]],
    reference_start: int,
    reference_end: int,
    junctions: list[Junction],
    min_clip: int,
    anchor: int,
    tolerance: int = 8,
) -> Junction | None:
    """The junction a primary alignment joins without its intron, or None.

    A junction read either (a) is soft-clipped by at least ``min_clip`` bases within
    ``tolerance`` bp of an exon end (right clip) or exon start (left clip), and its
    last ``anchor`` aligned bases plus the clipped bases read the two exons joined;
    or (b) has a deletion/skip spanning the intron exactly (within the tolerance).
    """
    if not cigar or not sequence:
        return None
    # (b) the intron as a deletion or a reference skip
    position = reference_start
    for op, length in cigar:
        if op in (DELETION, SKIP):
            for junction in junctions:
                if (
                    abs(position - junction.left_end) <= tolerance
                    and abs(position + length - junction.right_start) <= tolerance
                ):
                    return junction
        if op in (0, 2, 3, 7, 8):
            position += length
    # (a) soft clips at exon boundaries
    right_clip = cigar[-1][1] if cigar[-1][0] == SOFT_CLIP else 0
    left_clip = cigar[0][1] if cigar[0][0] == SOFT_CLIP else 0
    if right_clip >= min_clip:
        clip_start = len(sequence) - right_clip
        segment = sequence[max(0, clip_start - anchor) : clip_start + min(right_clip, anchor)]
        for junction in junctions:
            if abs(reference_end - junction.left_end) <= tolerance and _crosses(
                segment, junction, min_clip
            ):
                return junction
    if left_clip >= min_clip:
        segment = sequence[max(0, left_clip - anchor) : left_clip + anchor]
        for junction in junctions:
            if abs(reference_start - junction.right_start) <= tolerance and _crosses(
                segment, junction, min_clip
            ):
                return junction
    return None


def copies_per_cell(decoy_depth: float | None, autosomal_depth: float | None) -> float | None:
    """Copies per diploid cell from the decoy's mean depth and the autosomal depth."""
    if decoy_depth is None or not autosomal_depth:
        return None
    return decoy_depth / (autosomal_depth / 2.0)


def decoy_coverage(reads: list[tuple[int, int]], length: int) -> dict:
    """Mean depth and covered fraction of a contig from read (start, end) intervals."""
    change = np.zeros(length + 1, dtype=np.int64)
    aligned = 0
    for start, end in reads:
        start, end = max(0, start), min(length, end)
        if end > start:
            change[start] += 1
            change[end] -= 1
            aligned += end - start
    depth = np.cumsum(change[:-1])
    return {
        "reads": len(reads),
        "aligned_bases": aligned,
        "mean_depth": aligned / length if length else None,
        "covered_fraction": float((depth > 0).mean()) if length else None,
    }


def scan_bam(
    bam_path: str,
    fasta_path: str,
    decoys: dict[str, int],
    genes: dict[str, GeneModel],
    min_mapq: int,
    min_clip: int,
    anchor: int,
    flank: int = 60,
) -> dict:
    """Read evidence of one sample: per-decoy coverage and per-gene junction reads."""
    import pysam

    evidence = {"decoys": {}, "genes": {}, "read_length": None}
    lengths = []
    with pysam.AlignmentFile(bam_path) as bam, pysam.FastaFile(fasta_path) as fasta:
        for contig, length in decoys.items():
            intervals = []
            if contig in bam.references:
                for read in bam.fetch(contig):
                    if read.flag & EXCLUDED_FLAGS or read.mapping_quality < min_mapq:
                        continue
                    intervals.append((read.reference_start, read.reference_end))
            evidence["decoys"][contig] = {"length": length, **decoy_coverage(intervals, length)}
        for name, model in sorted(genes.items()):
            junctions = gene_junctions(model)
            attach_sequences(junctions, fasta.fetch, flank)
            reads_by_junction = {(j.left_end, j.right_start): set() for j in junctions}
            if junctions and model.chrom in bam.references:
                for read in bam.fetch(model.chrom, model.start, model.end):
                    if read.flag & EXCLUDED_FLAGS or read.mapping_quality < min_mapq:
                        continue
                    if len(lengths) < 10_000:
                        lengths.append(read.query_length)
                    junction = junction_of_read(
                        read.query_sequence or "",
                        read.cigartuples or [],
                        read.reference_start,
                        read.reference_end,
                        junctions,
                        min_clip,
                        anchor,
                    )
                    if junction is not None:
                        key = (junction.left_end, junction.right_start)
                        reads_by_junction[key].add(read.query_name)
            names = set().union(*reads_by_junction.values()) if reads_by_junction else set()
            evidence["genes"][name] = {
                "chrom": model.chrom,
                "junctions": len(junctions),
                "junction_reads": len(names),
                "junctions_with_reads": sum(1 for reads in reads_by_junction.values() if reads),
            }
    if lengths:
        evidence["read_length"] = float(np.median(lengths))
    return evidence


def vector_metrics(
    evidence: dict,
    parental_evidence: dict | None,
    autosomal_depth: float | None,
    parental_autosomal_depth: float | None,
    min_reads: int,
    min_junction_reads: int,
) -> tuple[dict, list, list]:
    """Values (every number the check declares), items and notes of one sample's
    vector findings.

    A decoy is detected when it has at least ``min_reads`` reads; a gene is a
    transgene candidate when it has at least ``min_junction_reads`` junction reads and
    its parental (if any) has fewer than that. Judging copies per cell against a limit
    is the gate's job.
    """
    items = []
    notes = [
        "Sendai virus vectors are RNA and never enter the DNA: DNA sequencing cannot show "
        "their clearance; test them by RT-PCR."
    ]

    def copies(evid, contig, depth):
        if not evid or contig not in evid["decoys"]:
            return None
        return copies_per_cell(evid["decoys"][contig]["mean_depth"], depth)

    best_contig, best_copies = None, None
    parental_best = None
    for contig, decoy in sorted(evidence["decoys"].items()):
        value = copies(evidence, contig, autosomal_depth)
        parental_value = copies(parental_evidence, contig, parental_autosomal_depth)
        detected = decoy["reads"] >= min_reads
        items.append(
            {
                "kind": "vector",
                "name": contig,
                "reads": decoy["reads"],
                "mean_depth": decoy["mean_depth"],
                "covered_fraction": decoy["covered_fraction"],
                "copies_per_cell": value,
                "parental_reads": parental_evidence["decoys"][contig]["reads"]
                if parental_evidence and contig in parental_evidence["decoys"]
                else None,
                "parental_copies_per_cell": parental_value,
                "detected": detected,
            }
        )
        if value is not None and (best_copies is None or value > best_copies):
            best_copies = value
            best_contig = contig if value > 0 else None
        if parental_value is not None and (parental_best is None or parental_value > parental_best):
            parental_best = parental_value
    transgene_genes, total, parental_total = [], 0, 0 if parental_evidence else None
    for gene, info in sorted(evidence["genes"].items()):
        reads = info["junction_reads"]
        parental_reads = None
        if parental_evidence and gene in parental_evidence["genes"]:
            parental_reads = parental_evidence["genes"][gene]["junction_reads"]
            parental_total += parental_reads
        total += reads
        candidate = reads >= min_junction_reads and (
            parental_reads is None or parental_reads < min_junction_reads
        )
        if candidate:
            transgene_genes.append(gene)
        if parental_reads is not None and parental_reads >= min_junction_reads:
            notes.append(
                f"{gene}: the parental also has {parental_reads} exon-junction reads "
                "(a processed pseudogene or retrocopy of the donor, not a transgene)"
            )
        items.append(
            {
                "kind": "transgene",
                "name": gene,
                "junctions": info["junctions"],
                "junction_reads": reads,
                "junctions_with_reads": info["junctions_with_reads"],
                "parental_junction_reads": parental_reads,
                "detected": candidate,
            }
        )
    if not evidence["decoys"]:
        notes.append("no vector decoy contigs in the reference: vector DNA was not looked for")
    if not evidence["genes"]:
        notes.append("none of the reprogramming genes is in the annotation: no cDNA search")
    detected = sorted(
        item["name"] for item in items if item["kind"] == "vector" and item["detected"]
    )
    values = {
        "max_vector_copies_per_cell": best_copies if evidence["decoys"] else None,
        "vector_contig_with_max": best_contig,
        "parental_max_vector_copies_per_cell": parental_best,
        "vectors_detected": detected,
        "transgene_junction_reads": total if evidence["genes"] else None,
        "transgene_genes": transgene_genes,
        "parental_transgene_junction_reads": parental_total,
        "autosomal_depth": autosomal_depth,
        "decoy_contigs": len(evidence["decoys"]),
        "genes_searched": len(evidence["genes"]),
        "read_length": evidence["read_length"],
    }
    return values, items, notes
