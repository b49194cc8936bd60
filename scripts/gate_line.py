"""Entry point of rule gate: the release decision of one line, from its findings files
(named inputs, one per check, and its parental's read QC) only."""

from ipscqc.gate.evaluate import gate_line, write_gate
from ipscqc.snake import run


def main(inputs, outputs, params):
    named = dict(inputs.items())
    decision = gate_line(
        params.line,
        params.parental or None,
        {check: named[check] for check in params.checks if check in named},
        dict(params.thresholds),
        donor=params.donor,
        parental_read_qc_path=named.get("parental_read_qc"),
    )
    write_gate(outputs[0], decision)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
