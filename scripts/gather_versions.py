"""Entry point of rule gather_versions: every job's versions file (``params.steps`` in
the order of the inputs) -> the certificates' software block and MultiQC's
software-versions section."""

from ipscqc.contract import write_atomic, write_json
from ipscqc.snake import run
from ipscqc.versions import gather, multiqc_versions_yaml


def main(inputs, outputs, params):
    files_by_step = {}
    for step, path in zip(params.steps, inputs, strict=True):
        files_by_step.setdefault(step, []).append(path)
    software = gather(files_by_step)
    write_json(outputs.json, software)
    write_atomic(outputs.multiqc, multiqc_versions_yaml(software))


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
