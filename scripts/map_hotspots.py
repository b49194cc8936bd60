"""Place the hotspot catalogue on the configured genome (GFF3 + FASTA)."""

import sys

import pysam
from ipscqc.hotspots import map_hotspots, pileup_positions, read_hotspots
from ipscqc.readers.fasta import fasta_contigs
from ipscqc.readers.gff3 import read_annotation
from ipscqc.snake import run


def main(inputs, outputs, params):
    catalogue = read_hotspots(inputs.hotspots)
    annotation = read_annotation(inputs.annotation, gene_names=set(catalogue["gene"]))
    transcripts = annotation.coding_transcripts()
    with pysam.FastaFile(inputs.reference) as fasta:
        entries, alleles = map_hotspots(catalogue, transcripts, fasta.fetch)
    positions = pileup_positions(entries, fasta_contigs(inputs.reference))
    entries.to_csv(outputs.entries, sep="\t", index=False)
    alleles.to_csv(outputs.alleles, sep="\t", index=False)
    positions.to_csv(outputs.positions, sep="\t", index=False, header=False)
    mapped = int((entries["status"] == "mapped").sum())
    print(f"{mapped} of {len(entries)} hotspots mapped; {len(alleles)} alleles", file=sys.stderr)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
