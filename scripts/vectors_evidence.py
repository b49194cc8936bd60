"""Entry point of rule vector_evidence: one sample's reads on the vector decoy families
(counted once, for the family they fall in, with chrEBV's homologous stretches), their
depth along each family, and the reads joining exons of the reprogramming genes without
introns, in the genome and on the decoys' cDNA inserts (ipscqc.vectors)."""

from ipscqc.contract import write_json
from ipscqc.genome import GenomeModel
from ipscqc.readers.fasta import fai_lengths
from ipscqc.readers.gff3 import read_annotation
from ipscqc.snake import run


def exon_sequences(genes, fetch) -> dict[str, str]:
    """The exons of the genes' transcripts (reference bases): genome sequence that a
    decoy's cDNA insert shares, so that reads there are not counted as vector DNA."""
    segments = {}
    for name, model in sorted(genes.items()):
        for transcript, exons in sorted(model.transcripts.items()):
            for start, end in exons:
                segments[f"{name}:{transcript}:{start}"] = fetch(model.chrom, start, end)
    return segments


def main(inputs, outputs, params):
    import pysam
    from ipscqc.vectors.evidence import evidence_summary, scan_families
    from ipscqc.vectors.families import build_decoy_map, decoy_junction_points
    from ipscqc.vectors.junctions import gene_models, prepared_junctions, scan_gene_junctions

    lengths = fai_lengths(inputs.fai)
    genome = GenomeModel.of(**params.genome)
    viral = [name for name in genome.of_class("ebv") if name in lengths]
    genes = gene_models(read_annotation(inputs.annotation, gene_names=set(params.genes)))
    with pysam.FastaFile(inputs.reference) as fasta:
        decoys = {name: fasta.fetch(name).upper() for name in params.vectors}
        viral_contigs = {name: fasta.fetch(name).upper() for name in viral}
        junctions = prepared_junctions(genes, fasta.fetch)
        segments = exon_sequences(genes, fasta.fetch)
    decoy_map = build_decoy_map(
        decoys,
        k=params.kmer,
        min_shared_kmers=params.min_shared_kmers,
        reference_contigs=viral_contigs,
        genome_segments=segments,
    )
    family_reads = scan_families(
        inputs.bam,
        decoy_map,
        lengths,
        decoy_junction_points(decoys, junctions),
        min_mapq=params.min_mapq,
        min_overhang=params.min_clip,
    )
    gene_reads, gene_read_length = scan_gene_junctions(
        inputs.bam, genes, junctions, params.min_mapq, params.min_clip, params.anchor
    )
    # the read length of the genome's reads (thousands of them), else of the decoys'
    family_reads.read_length = gene_read_length or family_reads.read_length
    evidence = evidence_summary(family_reads, decoy_map, min_excess_reads=params.min_reads)
    evidence.update(sample=params.sample, genes=gene_reads, viral_contigs=viral)
    write_json(outputs.evidence, evidence)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
