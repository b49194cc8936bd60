"""Entry point of rule cohort_summary: one row per line from the gate's decisions."""

from ipscqc.contract import write_atomic
from ipscqc.gate.cohort import cohort_summary_tsv
from ipscqc.gate.evaluate import read_gate
from ipscqc.snake import run


def main(inputs, outputs, params):
    write_atomic(outputs[0], cohort_summary_tsv([read_gate(path) for path in inputs.gates]))


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
