"""Vector and transgene read evidence of one sample: reads and depth on each vector
decoy contig, and reads joining exons of the reprogramming genes without introns."""

from ipscqc.findings import write_json
from ipscqc.reference import fasta_contigs
from ipscqc.snake import log_stderr_to
from ipscqc.vectors import read_gene_models, scan_bam


def decoy_lengths(fai_path: str, vectors_fasta: str | None) -> dict[str, int]:
    """Lengths of the decoy contigs (the vector FASTA's contigs) from the reference .fai."""
    if not vectors_fasta:
        return {}
    names = set(fasta_contigs(vectors_fasta))
    lengths = {}
    with open(fai_path) as handle:
        for line in handle:
            name, length = line.split("\t")[:2]
            if name in names:
                lengths[name] = int(length)
    return lengths


def main(inputs, outputs, params):
    vectors = inputs.get("vectors") or ""  # one path, or an empty list without vectors
    if not isinstance(vectors, str):
        vectors = vectors[0] if len(vectors) else ""
    decoys = decoy_lengths(inputs.fai, vectors or None)
    genes = read_gene_models(inputs.annotation, params.genes)
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
    write_json(outputs[0], evidence)


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
