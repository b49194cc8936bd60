"""Versions recorded by each job from its own environment, and their gathering."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from ipscqc import versions


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bwa", "samtools", "bcftools", "fastp", "mosdepth")),
    reason="the pipeline's tools are not installed",
)
def test_the_shell_snippet_records_the_installed_tools(tmp_path):
    target = tmp_path / "versions.yaml"
    tools = ("bwa", "samtools", "bcftools", "htslib", "fastp", "mosdepth")
    command = versions.tool_versions_shell(tools, str(target))
    subprocess.run(["bash", "-c", command], check=True)
    recorded = versions.read_versions(target)
    assert list(recorded) == list(tools)
    assert recorded["bwa"].startswith("0.7.")
    assert recorded["samtools"][0].isdigit() and recorded["bcftools"][0].isdigit()
    samtools = subprocess.run(
        ["samtools", "--version"], capture_output=True, text=True, errors="replace"
    ).stdout
    assert samtools.splitlines()[0] == f"samtools {recorded['samtools']}"


def test_an_unknown_tool_is_refused():
    with pytest.raises(ValueError, match="no version command"):
        versions.tool_versions_shell(["sometool"], "x")


def test_python_steps_report_the_packages_they_loaded(tmp_path):
    path = tmp_path / "step.yaml"
    code = (
        "import sys; sys.path.insert(0, 'scripts'); import numpy;"
        "from ipscqc.versions import write_python_versions;"
        f"write_python_versions({str(path)!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    recorded = versions.read_versions(path)
    assert recorded["python"].count(".") == 2
    assert "numpy" in recorded and "pandas" not in recorded  # only what the step loaded


def test_gather_names_each_tool_once_and_flags_two_versions(tmp_path):
    files = {}
    for step, job, text in (
        ("align", "a", 'tools:\n  bwa: "0.7.17"\n  samtools: "1.16.1"\n'),
        ("align", "b", 'tools:\n  bwa: "0.7.17"\n  samtools: "1.16.1"\n'),
        ("markdup", "a", 'tools:\n  samtools: "1.19"\n'),
    ):
        path = tmp_path / f"{step}.{job}.yaml"
        path.write_text(text)
        files.setdefault(step, []).append(path)
    software = versions.gather(files)
    assert software["tools"] == {"bwa": "0.7.17", "samtools": "1.16.1 / 1.19"}
    assert software["steps"]["markdup"] == {"samtools": "1.19"}
    assert software["conflicts"] == ["samtools"]
    assert 'samtools: "1.16.1 / 1.19"' in versions.multiqc_versions_yaml(software)
