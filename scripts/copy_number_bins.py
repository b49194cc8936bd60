"""GC and N content of the depth bins of the reference genome (copy-number check)."""

from ipscqc.copy_number import bin_composition, read_bed
from ipscqc.reference import fasta_contigs
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params):
    wanted = list(dict.fromkeys(read_bed(inputs.centromeres)["chrom"]))
    present = set(fasta_contigs(inputs.fasta))
    contigs = [contig for contig in wanted if contig in present]
    if not contigs:
        raise ValueError(f"no chromosome of {inputs.centromeres} is in {inputs.fasta}")
    table = bin_composition(inputs.fasta, contigs, int(params.bin_size))
    table.to_csv(outputs[0], sep="\t", index=False, float_format="%.4f")


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
