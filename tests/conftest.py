"""Shared fixtures: the toy data set and one finished workflow run on it.

The end-to-end tests (marked e2e) share a single run of the whole workflow on the
generated toy data set. Set IPSCQC_TEST_RESULTS to the results folder of a finished
run on the same toy data to reuse it instead of running the workflow again (its
folder's config.yaml is used when there is one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TOY_DATA = REPO / "toy_data"


@dataclass(frozen=True)
class ToyRun:
    """A finished workflow run on the toy data set."""

    workdir: Path
    results: Path
    toy_data: Path
    truth: dict
    config: Path


def generate_toy_data(outdir: Path) -> dict:
    """Generate the default toy data set (idempotent) and return its truth."""
    subprocess.run(
        [sys.executable, "-m", "toydata", "--outdir", str(outdir)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
    )
    return json.loads((outdir / "truth.json").read_text())


def toy_config(toy_data: Path, results: str = "results") -> str:
    """The repository's config.yaml for a toy data set, with absolute input paths."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    reference = toy_data / "reference"
    config["samples"] = str(toy_data / "samples.tsv")
    config["units"] = str(toy_data / "units.tsv")
    config["results"] = results
    config["reference"].update(
        fasta=str(reference / "genome.fa"),
        annotation=str(reference / "annotation.gff3"),
        vectors=str(reference / "vectors.fa"),
    )
    config["copy_number"].update(
        centromeres=str(reference / "centromeres.bed"),
        recurrent_regions=str(reference / "recurrent_regions.bed"),
        # the toy's duplications and problem regions are the configured mask
        exclude_regions=str(reference / "problem_regions.bed"),
    )
    # the toy genome's X-degenerate-like part of chrY, written by the generator
    config["sex"]["y_regions"] = str(reference / "chrY_x_degenerate.bed")
    return yaml.safe_dump(config, sort_keys=False)


def user_environment() -> dict[str, str]:
    """This process's environment with the Python environment's bin folder left off
    PATH, as in a fresh shell that runs .venv/bin/snakemake (the README's command)."""
    python_bin = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p != python_bin]
    return {**os.environ, "PATH": os.pathsep.join(path)}


def run_workflow(workdir: Path, config: Path, *args: str, check: bool = True):
    """Run the workflow from the repository's Snakefile in its own working folder, as a
    user runs it: the Python environment's tools are not on PATH (see user_environment)."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(config),
        "--cores",
        str(os.cpu_count() or 1),
        *args,
    ]
    return subprocess.run(
        command, check=check, capture_output=True, text=True, env=user_environment()
    )


def pytest_collection_finish(session) -> None:
    """Start the SLURM test script in the background when it is selected (see
    tests/slurm/background.py): it mostly waits, so it overlaps the other tests."""
    if os.geteuid() != 0 or session.config.option.collectonly:
        return
    if any(item.get_closest_marker("slurm") for item in session.items):
        from slurm import background

        background.start()


def pytest_sessionfinish(session, exitstatus) -> None:
    from slurm import background

    background.stop()


@pytest.fixture(scope="session")
def toy_truth() -> dict:
    return generate_toy_data(TOY_DATA)


@pytest.fixture(scope="session")
def toy_run(toy_truth, tmp_path_factory) -> ToyRun:
    """One full run of the workflow on the toy data set, shared by the e2e tests."""
    reuse = os.environ.get("IPSCQC_TEST_RESULTS")
    if reuse:
        results = Path(reuse).resolve()
        # the run's own config (absolute paths) when it has one, else the repository's
        config = results.parent / "config.yaml"
        config = config if config.exists() else REPO / "config.yaml"
        return ToyRun(results.parent, results, TOY_DATA, toy_truth, config)
    workdir = tmp_path_factory.mktemp("toy_run")
    config = workdir / "config.yaml"
    config.write_text(toy_config(TOY_DATA))
    completed = run_workflow(workdir, config, check=False)
    (workdir / "snakemake.log").write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0:
        pytest.fail(
            f"workflow run on the toy data failed (exit {completed.returncode}); "
            f"log: {workdir / 'snakemake.log'}\n{completed.stderr[-4000:]}"
        )
    return ToyRun(workdir, workdir / "results", TOY_DATA, toy_truth, config)
