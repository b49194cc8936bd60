"""Entry point of rule cohort_summary: one row per line from the gate's decisions."""

from ipscqc.findings import read_json, write_atomic
from ipscqc.gate import cohort_summary_tsv
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params):
    write_atomic(outputs[0], cohort_summary_tsv([read_json(path) for path in inputs.gates]))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
