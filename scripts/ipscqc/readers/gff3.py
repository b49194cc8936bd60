"""GFF3 annotation (Ensembl style, the format ``bcftools csq`` reads): genes, their
transcripts, exons and coding sequences.

Attribute values are percent-decoded (GFF3 escapes ``;=&,`` and others as ``%XX``).
Identifiers keep their Ensembl prefix (``gene:``, ``transcript:``) for linking parents;
``Transcript.id`` and ``Gene.id`` drop it. Coordinates: GFF3 is 1-based closed; every
interval held here is 0-based half-open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

from .text import open_text

GENE_TYPES = ("gene", "ncRNA_gene", "pseudogene")
TRANSCRIPT_TYPES = ("mRNA", "transcript", "lnc_RNA", "ncRNA", "pseudogenic_transcript")


def parse_attributes(text: str) -> dict[str, str]:
    """``ID=gene:X;Name=TP53`` -> {"ID": "gene:X", "Name": "TP53"} (values decoded)."""
    pairs = (item.split("=", 1) for item in text.strip().split(";") if "=" in item)
    return {key.strip(): unquote(value) for key, value in pairs}


def strip_prefix(identifier: str) -> str:
    """``transcript:ENST1`` -> ``ENST1``."""
    return identifier.split(":", 1)[1] if ":" in identifier else identifier


def strip_version(identifier: str) -> str:
    """``ENST00000269305.9`` -> ``ENST00000269305``."""
    return identifier.split(".", 1)[0]


@dataclass(frozen=True)
class Feature:
    seqid: str
    type: str
    start: int  # 0-based
    end: int  # exclusive
    strand: str
    attributes: dict[str, str]

    @property
    def parents(self) -> list[str]:
        return [parent for parent in self.attributes.get("Parent", "").split(",") if parent]


def features(path: str | Path) -> Iterator[Feature]:
    """Every feature line of a GFF3 (plain or gzipped), up to a ``##FASTA`` section."""
    for _, fields in feature_lines(path):
        if len(fields) < 9:
            continue
        yield Feature(
            fields[0],
            fields[2],
            int(fields[3]) - 1,
            int(fields[4]),
            fields[6],
            parse_attributes(fields[8]),
        )


def feature_lines(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """(1-based line, tab-separated fields) of every line that is not a comment or
    blank, up to a ``##FASTA`` section."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("##FASTA"):
                break
            if line.startswith("#") or not line.strip():
                continue
            yield number, line.rstrip("\r\n").split("\t")


def annotation_contigs(path: str | Path) -> set[str]:
    """Sequence names used by the features."""
    return {feature.seqid for feature in features(path)}


@dataclass
class AnnotationSummary:
    """What one pass over a GFF3 finds: the sequence names its features use, the names
    of its genes, and the lines that are not 9 tab-separated columns (1-based line,
    columns found)."""

    contigs: set[str] = field(default_factory=set)
    gene_names: set[str] = field(default_factory=set)
    bad_lines: list[tuple[int, int]] = field(default_factory=list)


def annotation_summary(path: str | Path) -> AnnotationSummary:
    """Contigs, gene names (as read_annotation names genes) and malformed lines of a
    GFF3, in one pass that parses the attributes of gene lines only."""
    summary = AnnotationSummary()
    for number, fields in feature_lines(path):
        if len(fields) < 9:
            summary.bad_lines.append((number, len(fields)))
            continue
        summary.contigs.add(fields[0])
        if fields[2] in GENE_TYPES or "gene:" in fields[8]:
            attributes = parse_attributes(fields[8])
            raw_id = attributes.get("ID", "")
            if fields[2] not in GENE_TYPES and not raw_id.startswith("gene:"):
                continue
            summary.gene_names.add(
                attributes.get("Name") or attributes.get("gene_name") or strip_prefix(raw_id)
            )
    return summary


@dataclass
class Gene:
    id: str
    name: str
    chrom: str
    start: int
    end: int
    strand: str
    biotype: str = ""
    type: str = "gene"  # the GFF3 feature type: gene, ncRNA_gene, pseudogene


@dataclass
class Transcript:
    id: str
    gene: str  # gene name
    chrom: str
    strand: str
    tags: tuple[str, ...] = ()
    exons: list[tuple[int, int]] = field(default_factory=list)
    cds: list[tuple[int, int]] = field(default_factory=list)

    @property
    def canonical(self) -> bool:
        return "Ensembl_canonical" in self.tags

    @property
    def mane_select(self) -> bool:
        return "MANE_Select" in self.tags

    @property
    def cds_length(self) -> int:
        return sum(end - start for start, end in self.cds)

    def cds_positions(self) -> list[int]:
        """0-based genomic position of every coding base, in transcript order."""
        positions: list[int] = []
        for start, end in sorted(self.cds, reverse=self.strand == "-"):
            step = range(start, end) if self.strand == "+" else range(end - 1, start - 1, -1)
            positions.extend(step)
        return positions

    def codon_positions(self, residue: int) -> list[int] | None:
        """0-based genomic positions of codon ``residue`` (1-based), transcript order."""
        first = (residue - 1) * 3
        if residue < 1 or first + 3 > self.cds_length:
            return None
        return self.cds_positions()[first : first + 3]


@dataclass
class Annotation:
    genes: dict[str, Gene] = field(default_factory=dict)  # by ID without prefix
    transcripts: dict[str, Transcript] = field(default_factory=dict)  # by ID without prefix

    def genes_table(self, types: tuple[str, ...] = ("gene",)) -> pd.DataFrame:
        """chrom, start, end (0-based half-open), name of the genes of the given GFF3
        feature types (``gene``: Ensembl's protein-coding and other ``gene`` lines)."""
        rows = [(g.chrom, g.start, g.end, g.name) for g in self.genes.values() if g.type in types]
        return pd.DataFrame(rows, columns=["chrom", "start", "end", "name"])

    def gene_names(self) -> set[str]:
        return {gene.name for gene in self.genes.values()}

    def transcripts_of(self, gene_name: str) -> list[Transcript]:
        return [t for t in self.transcripts.values() if t.gene == gene_name]

    def coding_transcripts(self) -> list[Transcript]:
        return [t for t in self.transcripts.values() if t.cds]


def read_annotation(path: str | Path, gene_names: set[str] | None = None) -> Annotation:
    """Genes (every gene, or only those named), their transcripts, exons and CDS.

    A gene's name is its ``Name`` (else ``gene_name``, else its ID). Exons and CDS hang
    from transcripts; exons hanging directly from a gene get a transcript of the gene's
    own ID.
    """
    annotation = Annotation()
    gene_of_raw: dict[str, Gene] = {}
    transcript_of_raw: dict[str, Transcript] = {}
    parts: list[Feature] = []
    for feature in features(path):
        raw_id = feature.attributes.get("ID", "")
        if feature.type in GENE_TYPES or raw_id.startswith("gene:"):
            gene = _gene(feature, raw_id)
            if gene_names is None or gene.name in gene_names:
                annotation.genes[gene.id] = gene
                gene_of_raw[raw_id] = gene
        elif feature.type in ("exon", "CDS"):
            parts.append(feature)
        elif feature.parents and (
            feature.type in TRANSCRIPT_TYPES or raw_id.startswith("transcript:")
        ):
            gene = gene_of_raw.get(feature.parents[0])
            if gene is not None:
                transcript = _transcript(feature, raw_id, gene)
                annotation.transcripts[transcript.id] = transcript
                transcript_of_raw[raw_id] = transcript
    for feature in parts:
        _attach_part(annotation, feature, gene_of_raw, transcript_of_raw)
    return annotation


def _gene(feature: Feature, raw_id: str) -> Gene:
    attributes = feature.attributes
    name = attributes.get("Name") or attributes.get("gene_name") or strip_prefix(raw_id)
    return Gene(
        strip_prefix(raw_id),
        name,
        feature.seqid,
        feature.start,
        feature.end,
        feature.strand,
        attributes.get("biotype", ""),
        feature.type,
    )


def _transcript(feature: Feature, raw_id: str, gene: Gene) -> Transcript:
    tags = tuple(tag for tag in feature.attributes.get("tag", "").split(",") if tag)
    return Transcript(strip_prefix(raw_id), gene.name, feature.seqid, feature.strand, tags)


def _attach_part(
    annotation: Annotation,
    feature: Feature,
    gene_of_raw: dict[str, Gene],
    transcript_of_raw: dict[str, Transcript],
) -> None:
    """Hang an exon or CDS block from each of its parent transcripts (a gene parent
    gets a transcript of the gene's own ID)."""
    for parent in feature.parents:
        transcript = transcript_of_raw.get(parent)
        if transcript is None and parent in gene_of_raw:
            gene = gene_of_raw[parent]
            transcript = annotation.transcripts.setdefault(
                gene.id, Transcript(gene.id, gene.name, gene.chrom, gene.strand)
            )
            transcript_of_raw[parent] = transcript
        if transcript is None:
            continue
        blocks = transcript.exons if feature.type == "exon" else transcript.cds
        blocks.append((feature.start, feature.end))
