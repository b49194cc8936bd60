"""Entry point of rule sex_chromosome_ploidy: the ploidy and sample-sex files that
bcftools call uses for one donor."""

from ipscqc.contract import write_atomic
from ipscqc.genome import GenomeModel
from ipscqc.ploidy import ploidy_lines, sample_sex_lines
from ipscqc.readers.fasta import fai_lengths
from ipscqc.snake import run


def main(inputs, outputs, params) -> None:
    lengths = fai_lengths(inputs.fai)
    genome = GenomeModel.of(params.genome["build"], lengths)
    write_atomic(outputs.ploidy, "\n".join(ploidy_lines(lengths, genome)) + "\n")
    write_atomic(outputs.sexes, "\n".join(sample_sex_lines(params.declared_sex)) + "\n")


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
