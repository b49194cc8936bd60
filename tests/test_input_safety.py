"""A run never writes over its inputs and never takes a setting from the demo.

- No input lies inside the results folder, symlinks and hard links resolved
  (ipscqc.paths); the workflow stops at start-up, before anything is written.
- The README's "your data" command with a user's GRCh38-like config plans a run in which
  no toy path reaches any rule.
docs/hardening.md lists each case with its message.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ipscqc.paths import missing_input_problems, results_folder_problems
from user_inputs import files_with_content, snakemake, write_config, write_user_inputs


def one(problems, *words):
    assert len(problems) == 1, problems
    assert "\n" not in problems[0]
    for word in words:
        assert word in problems[0], problems[0]
    return problems[0]


# --- ipscqc.paths ------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def touch(path: str) -> str:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(">chr1\nACGT\n")
    return path


def test_inputs_outside_the_results_folder_pass(workdir):
    inputs = {"config: reference.fasta": touch("reference/genome.fa")}
    assert results_folder_problems(inputs, "results") == []
    Path("results/reference").mkdir(parents=True)
    Path("results/reference/genome.fa").write_text(">chr1\nACGT\n")  # a copy, not a link
    assert results_folder_problems(inputs, "results") == []


def test_results_dot_holds_every_input(workdir):
    inputs = {"config: reference.fasta": touch("reference/genome.fa")}
    one(
        results_folder_problems(inputs, "."),
        "config: reference.fasta: 'reference/genome.fa'",
        "lies inside the results folder '.'",
        "would be overwritten or deleted",
    )


def test_input_inside_the_results_folder(workdir):
    inputs = {"config: reference.fasta": touch("out/reference/genome.fa")}
    one(results_folder_problems(inputs, "out"), "'out/reference/genome.fa' lies inside")


def test_input_reached_through_a_symlink_into_the_results_folder(workdir):
    touch("out/genome.fa")
    os.symlink(workdir / "out/genome.fa", "link.fa")
    inputs = {"config: reference.fasta": "link.fa"}
    one(results_folder_problems(inputs, "out"), "'link.fa' (resolved: ", "lies inside")


def test_results_folder_that_is_a_symlink_to_the_inputs(workdir):
    touch("data/genome.fa")
    os.symlink(workdir / "data", "out")
    one(results_folder_problems({"config: reference.fasta": "data/genome.fa"}, "out"), "inside")


def test_hard_link_of_an_input_inside_the_results_folder(workdir):
    touch("data/genome.fa")
    Path("results/reference").mkdir(parents=True)
    os.link("data/genome.fa", "results/reference/genome.fa")
    one(
        results_folder_problems({"config: reference.fasta": "data/genome.fa"}, "results"),
        "'results/reference/genome.fa' in the results folder is a hard link of this input",
    )


def test_symlink_to_an_input_inside_the_results_folder(workdir):
    touch("data/genome.fa")
    Path("results").mkdir()
    os.symlink(workdir / "data/genome.fa", "results/genome.fa")
    one(
        results_folder_problems({"config: reference.fasta": "data/genome.fa"}, "results"),
        "is a symlink to this input",
    )


def test_missing_input_a_folder_or_unreadable(workdir):
    Path("reference").mkdir()
    problems = missing_input_problems(
        {
            "config: reference.fasta": "reference/missing.fa",
            "config: reference.annotation": "reference",
            "config: reference.vectors": "",
            "config: reference.targets": "nowhere/targets.bed",
        }
    )
    assert problems == [
        "config: reference.fasta: file not found: 'reference/missing.fa'",
        "config: reference.annotation: 'reference' is a folder, not a file",
        "config: reference.targets: file not found: 'nowhere/targets.bed'"
        " (its folder does not exist either)",
    ]


# --- the workflow stops before anything is written --------------------------------


@pytest.mark.parametrize(
    ("results", "fasta"),
    [(".", "reference/genome.fa"), ("out", "out/reference/genome.fa")],
    ids=["results-dot", "fasta-inside-results"],
)
def test_results_folder_holding_the_reference_stops_before_anything_is_written(
    tmp_path, results, fasta
):
    config = write_user_inputs(tmp_path, fasta=fasta)
    config["reference"]["fasta"] = fasta  # as a user writes it: relative to the folder
    config["results"] = results
    write_config(tmp_path / "my_config.yaml", config)
    before = files_with_content(tmp_path)
    done = snakemake(tmp_path, "--configfile", "my_config.yaml", "--cores", "1")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    assert f"config: reference.fasta: '{fasta}'" in output, output[-3000:]
    assert f"lies inside the results folder '{results}'" in output
    assert "Traceback" not in output
    assert files_with_content(tmp_path) == before
