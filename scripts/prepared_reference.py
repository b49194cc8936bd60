"""Entry point of rule prepared_reference: the manifest that makes the run's reference
folder reusable by later runs (ipscqc.prepared_reference)."""

from pathlib import Path

from ipscqc.contract import write_json
from ipscqc.prepared_reference import build_manifest, one_path
from ipscqc.snake import run


def main(inputs, outputs, params) -> None:
    versions = {
        step: Path(path).read_text()
        for step, path in zip(params.steps, inputs.versions, strict=True)
    }
    manifest = build_manifest(
        one_path(inputs.fasta), one_path(inputs.vectors), inputs.files, versions
    )
    write_json(outputs[0], manifest)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
