"""Write the ploidy and sample-sex files that bcftools call uses for one donor."""

from ipscqc.findings import write_atomic
from ipscqc.ploidy import ploidy_lines, sample_sex_lines
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params) -> None:
    with open(inputs.fai) as handle:
        lengths = {fields[0]: int(fields[1]) for fields in (line.split("\t") for line in handle)}
    write_atomic(outputs.ploidy, "\n".join(ploidy_lines(lengths, params.build)) + "\n")
    write_atomic(outputs.sexes, "\n".join(sample_sex_lines(params.declared_sex)) + "\n")


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
