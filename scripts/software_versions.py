"""Entry point of rule software_versions: every tool's and Python package's version."""

from ipscqc.certificate import python_versions, tool_versions
from ipscqc.findings import write_atomic, write_json
from ipscqc.report_content import software_versions_yaml
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params):
    software = {"tools": tool_versions(), "python": python_versions()}
    write_json(outputs.json, software)
    write_atomic(outputs.multiqc, software_versions_yaml(software))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
