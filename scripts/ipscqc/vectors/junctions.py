"""Transgene cDNA in the genome's reads: exon-exon junction reads of the reprogramming
genes.

A cDNA copy of a gene has its exons joined without introns. A read from it that
crosses an exon-exon junction aligns to one exon and is soft-clipped at the exon's end,
the clipped bases being the start of the next exon (or, for short introns, it aligns
across the intron as one long deletion). Such reads are counted per gene; the parental,
which never saw the vector, should have none. (Junction reads that align to a decoy's
cDNA insert instead: ipscqc.vectors.evidence.)

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


def prepared_junctions(genes: dict[str, GeneModel], fetch, flank: int = 60) -> list[Junction]:
    """Every junction of the genes, with its spliced sequence (fetch(chrom, start, end)
    gives reference bases)."""
    junctions = []
    for _, model in sorted(genes.items()):
        gene = gene_junctions(model)
        attach_sequences(gene, fetch, flank)
        junctions += gene
    return junctions


def scan_gene_junctions(
    bam_path: str,
    genes: dict[str, GeneModel],
    junctions: list[Junction],
    min_mapq: int,
    min_clip: int,
    anchor: int,
) -> tuple[dict[str, dict], float | None]:
    """Junction reads of each gene in the genome's alignments of one BAM: gene ->
    {chrom, junctions, reads (names), reads_by_junction (families.junction_key ->
    names), junctions_with_reads}, and the median read length of the reads looked at
    (None without reads)."""
    import pysam

    from .families import junction_key

    by_gene: dict[str, list[Junction]] = {}
    for junction in junctions:
        by_gene.setdefault(junction.gene, []).append(junction)
    result, lengths = {}, []
    with pysam.AlignmentFile(bam_path) as bam:
        for name, model in sorted(genes.items()):
            own = by_gene.get(name, [])
            reads_by_junction = {junction_key(j): set() for j in own}
            if own and model.chrom in bam.references:
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
                        own,
                        min_clip,
                        anchor,
                    )
                    if junction is not None:
                        reads_by_junction[junction_key(junction)].add(read.query_name)
            names = set().union(*reads_by_junction.values()) if reads_by_junction else set()
            result[name] = {
                "chrom": model.chrom,
                "junctions": len(own),
                "reads": sorted(names),
                "reads_by_junction": {k: sorted(v) for k, v in sorted(reads_by_junction.items())},
                "junctions_with_reads": sum(1 for reads in reads_by_junction.values() if reads),
            }
    return result, float(np.median(lengths)) if lengths else None
