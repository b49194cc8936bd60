"""Entry point of rule vector_evidence: reads and depth on each vector decoy contig of
one sample, and reads joining exons of the reprogramming genes without introns."""

from ipscqc.contract import write_json
from ipscqc.readers.fasta import fai_lengths
from ipscqc.readers.gff3 import read_annotation
from ipscqc.snake import run
from ipscqc.vectors import gene_models, scan_bam


def main(inputs, outputs, params):
    lengths = fai_lengths(inputs.fai)
    decoys = {name: lengths[name] for name in params.vectors}
    genes = gene_models(read_annotation(inputs.annotation, gene_names=set(params.genes)))
    evidence = scan_bam(
        inputs.bam,
        inputs.reference,
        decoys,
        genes,
        min_mapq=params.min_mapq,
        min_clip=params.min_clip,
        anchor=params.anchor,
    )
    evidence["sample"] = params.sample
    write_json(outputs.evidence, evidence)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
