"""Place the hotspot catalogue on the configured genome (GFF3 + FASTA)."""

import sys

import pysam
from ipscqc.hotspots import map_hotspots, pileup_positions, read_gff3_transcripts, read_hotspots
from ipscqc.reference import fasta_contigs
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params):
    catalogue = read_hotspots(inputs.hotspots)
    transcripts = read_gff3_transcripts(inputs.annotation, genes=set(catalogue["gene"]))
    with pysam.FastaFile(inputs.reference) as fasta:
        entries, alleles = map_hotspots(catalogue, transcripts, fasta.fetch)
    positions = pileup_positions(entries, fasta_contigs(inputs.reference))
    entries.to_csv(outputs.entries, sep="\t", index=False)
    alleles.to_csv(outputs.alleles, sep="\t", index=False)
    positions.to_csv(outputs.positions, sep="\t", index=False, header=False)
    mapped = int((entries["status"] == "mapped").sum())
    print(f"{mapped} of {len(entries)} hotspots mapped; {len(alleles)} alleles", file=sys.stderr)


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
