"""A run never writes over its inputs and never takes a setting from the demo.

- No input lies inside the results folder, symlinks and hard links resolved
  (ipscqc.paths); the workflow stops at start-up, before anything is written.
- The README's "your data" command with a user's GRCh38-like config plans a run in which
  no toy path reaches any rule.
docs/hardening.md lists each case with its message.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ipscqc.paths import missing_input_problems, results_folder_problems
from user_inputs import REPO, files_with_content, snakemake, write_config, write_user_inputs


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


# --- the README's "your data" command never takes a toy setting --------------------

#: What a clone holds beside the workflow: the demo's config.yaml and its toy data.
CLONE_PARTS = ("Snakefile", "rules", "scripts", "schemas", "resources", "envs", "profiles")


def readme_command() -> list[str]:
    """The README's command for running on one's own data, as a list of words."""
    import shlex

    readme = (REPO / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "--configfile my_config.yaml" in line)
    words = shlex.split(line.split("#")[0])
    assert words[0].endswith("snakemake"), line
    return words[1:]


def a_clone_with_the_demo(folder: Path) -> Path:
    """A folder laid out like a clone after bin/demo: the workflow, the demo's
    config.yaml and the toy files it names."""
    import yaml

    folder.mkdir()
    for name in CLONE_PARTS:
        (folder / name).symlink_to(REPO / name)
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    demo = yaml.safe_load((REPO / "config.yaml").read_text())
    toy_files = [
        demo["reference"]["fasta"],
        demo["reference"]["vectors"],
        demo["reference"]["annotation"],
        demo["copy_number"]["centromeres"],
        demo["copy_number"]["recurrent_regions"],
    ]
    for name in toy_files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(">toy_vector\nACGT\n" if name.endswith(".fa") else "chr1\t0\t10\n")
    return folder


def strings_in(value):
    """Every string inside a job's inputs, outputs or params (nested lists and dicts)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from strings_in(item)


def planned_jobs(workdir: Path, configfile: Path, snakefile: Path | None = None) -> list:
    """The jobs Snakemake plans for a run (a dry run through its API), in ``workdir``
    with the Snakefile there (or ``snakefile``)."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        Quietness,
        ResourceSettings,
    )

    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
            workflow_api = api.workflow(
                resource_settings=ResourceSettings(cores=1),
                config_settings=ConfigSettings(configfiles=[configfile]),
                snakefile=snakefile or workdir / "Snakefile",
                workdir=workdir,
            )
            workflow_api.dag(DAGSettings()).execute_workflow(executor="dryrun")
            return list(workflow_api._workflow.dag.jobs)
    finally:
        os.chdir(cwd)


def test_readme_command_with_a_grch38_config_takes_nothing_from_the_demo(tmp_path):
    clone = a_clone_with_the_demo(tmp_path / "clone")
    user = write_user_inputs(tmp_path / "mydata")
    write_config(clone / "my_config.yaml", user)
    done = snakemake(clone, *readme_command(), "--dry-run", snakefile=clone / "Snakefile")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "toy" not in output.replace("toy_vector", ""), output[-3000:]

    jobs = planned_jobs(clone, clone / "my_config.yaml")
    assert len(jobs) > 50
    leaked = sorted(
        {
            f"{job.rule.name}: {text}"
            for job in jobs
            for part in (job.input, job.output, job.log, dict(job.params.items()))
            for text in strings_in(list(part) if not isinstance(part, dict) else part)
            if "toy" in text
        }
    )
    assert leaked == [], leaked
    by_rule = {job.rule.name: job for job in jobs}
    assert list(by_rule["alignment_reference"].input) == [
        user["reference"]["fasta"],
        "results/reference/contigs.json",
    ]  # the user's FASTA, and no vector decoys of the demo
    centromeres = by_rule["copy_number_bins"].input.centromeres
    assert centromeres == str(clone / "resources/centromeres/GRCh38.bed")
    assert by_rule["copy_number"].params.genome["build"] == "GRCh38"
    assert by_rule["vector_evidence"].params.vectors == []


def test_no_config_given_is_one_line(tmp_path):
    clone = a_clone_with_the_demo(tmp_path / "clone")
    done = snakemake(clone, "--dry-run", snakefile=clone / "Snakefile")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "no configuration given: run with --configfile my_config.yaml" in output, output
    assert "Traceback" not in output


# --- YAML numbers -------------------------------------------------------------------


def test_yaml_reads_scientific_notation_without_a_point_as_text():
    import yaml

    assert yaml.safe_load("a: 1e-6\nb: 1.0e-6") == {"a": "1e-6", "b": 1e-6}


def test_numbers_written_as_text_are_read_where_the_schema_wants_a_number():
    from ipscqc.configuration import load_yaml, numbers_written_as_text

    schema = load_yaml(REPO / "schemas/config.schema.yaml")
    config = {
        "variants": {"max_p_line": "1e-6", "hotspot_max_p_line": "2.5E-4", "hotspots": "1e5"},
        "copy_number": {"min_call_bp": "1e5"},
        "gate": {"copy_number": {"min_bins_used": "5e3", "max_log2_noise": "3e-1"}},
        "params": {"mpileup": {"min_mapq": "2.55e1"}},
    }
    turned = numbers_written_as_text(config, schema)
    assert config["variants"] == {
        "max_p_line": 1e-6,
        "hotspot_max_p_line": 2.5e-4,
        "hotspots": "1e5",
    }
    assert config["copy_number"]["min_call_bp"] == 100000
    assert isinstance(config["copy_number"]["min_call_bp"], int)
    assert config["gate"]["copy_number"] == {"min_bins_used": 5000, "max_log2_noise": 0.3}
    assert config["params"]["mpileup"]["min_mapq"] == "2.55e1"  # not whole: stays text
    assert "variants.hotspots" not in turned and "variants.max_p_line" in turned


def test_a_user_config_with_1e_6_runs(tmp_path):
    config = write_user_inputs(tmp_path / "inputs")
    text = write_config(tmp_path / "my_config.yaml", config).read_text()
    (tmp_path / "my_config.yaml").write_text(text + "variants:\n  max_p_line: 1e-6\n")
    jobs = planned_jobs(tmp_path, tmp_path / "my_config.yaml", REPO / "Snakefile")
    classify = next(job for job in jobs if job.rule.name == "classify_variants")
    assert classify.params.settings["max_p_line"] == 1e-6


def test_every_config_the_readme_shows_is_valid():
    """The README's YAML examples of a user's config pass the config schema as written."""
    import re

    import yaml
    from ipscqc.preflight import config_problems

    readme = (REPO / "README.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    configs = [block for block in blocks if isinstance(block, dict) and "reference" in block]
    assert len(configs) >= 2, "the README shows a minimal and a GRCh38 release config"
    for config in configs:
        assert config_problems(config, REPO / "schemas/config.schema.yaml") == [], config
