"""Entry point of rule certificate: the release certificate of one line."""

from ipscqc.certificate import build_certificate, now_iso, passage_number, project_version
from ipscqc.contract import read_json, write_json
from ipscqc.gate.evaluate import read_gate
from ipscqc.snake import run


def main(inputs, outputs, params):
    certificate = build_certificate(
        read_gate(inputs.gate),
        read_json(inputs.line),
        read_json(inputs.parental[0]) if inputs.parental else None,
        read_json(inputs.reference),
        read_json(inputs.software),
        dict(params.config),
        project_version(params.repository),
        now_iso(),
        passage=passage_number(params.passage),
    )
    write_json(outputs[0], certificate)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
