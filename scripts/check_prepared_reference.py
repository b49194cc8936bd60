"""Entry point of rule check_prepared_reference: the folder named by reference.prepared
was built from this run's FASTA and vectors and none of its files changed since
(ipscqc.prepared_reference); then the versions of the jobs that built it, from its
manifest. Exits non-zero with one line per problem otherwise."""

import sys
from pathlib import Path

from ipscqc.contract import write_atomic, write_json
from ipscqc.prepared_reference import manifest_problems, one_path
from ipscqc.snake import run


def main(inputs, outputs, params) -> None:
    folder = str(Path(inputs.manifest).parent)
    manifest, problems = manifest_problems(
        folder, one_path(inputs.fasta), one_path(inputs.vectors), inputs.files
    )
    missing = [step for step in params.steps if step not in (manifest or {}).get("versions", {})]
    if manifest is not None and missing:
        problems.append(
            f"reference.prepared: {folder}/manifest.json lacks the versions of"
            f" {', '.join(missing)}: prepare the folder again"
        )
    if problems:
        sys.exit("pre-flight check failed for the prepared reference:\n" + "\n".join(problems))
    for step, path in zip(params.steps, outputs.built_versions, strict=True):
        write_atomic(path, manifest["versions"][step])
    write_json(
        outputs.checked,
        {"folder": folder, "built_from": manifest["built_from"], "files": manifest["files"]},
    )


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
