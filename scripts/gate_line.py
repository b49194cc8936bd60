"""Entry point of rule gate: the release decision of one line, from findings files only."""

from ipscqc.findings import write_json
from ipscqc.gate import gate_line
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params):
    decision = gate_line(
        params.line,
        params.parental or None,
        params.findings_dir,
        dict(params.thresholds),
        donor=params.donor,
    )
    write_json(outputs[0], decision)


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
