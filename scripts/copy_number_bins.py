"""Entry point of rule copy_number_bins: GC and N content of the depth bins of the
reference genome's analysed chromosomes (those of the centromere BED)."""

from ipscqc.copynumber.signal import bin_composition
from ipscqc.readers.bed import read_bed
from ipscqc.readers.fasta import fasta_contigs
from ipscqc.snake import run


def main(inputs, outputs, params):
    wanted = list(dict.fromkeys(read_bed(inputs.centromeres)["chrom"]))
    present = set(fasta_contigs(inputs.fasta))
    contigs = [contig for contig in wanted if contig in present]
    if not contigs:
        raise ValueError(f"no chromosome of {inputs.centromeres} is in {inputs.fasta}")
    table = bin_composition(inputs.fasta, contigs, int(params.bin_size))
    table.to_csv(outputs[0], sep="\t", index=False, float_format="%.4f")


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
