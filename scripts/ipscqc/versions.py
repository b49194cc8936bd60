"""Tool and package versions, recorded by each job from the environment it ran in.

Every tool rule writes a small YAML file ``versions/{step}/{job}.yaml`` naming the
versions of the tools its command ran (``tool_versions_shell`` builds that part of its
shell command); every Python step writes the versions of the Python packages it loaded
(``write_python_versions``). ``gather`` turns all of them into the software block of the
certificates and MultiQC's software-versions section, so the versions reported are
those of the environments the jobs really ran in (one conda environment per tool with
``--sdm conda``, the tools on PATH otherwise).

Version file format::

    step: bwa_mem
    tools:
      bwa: "0.7.17-r1188"
      samtools: "1.16.1"
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

# How each command-line tool prints its version: a shell pipeline with a fixed text
# (no user input) whose output is the bare version.
TOOL_VERSION_COMMANDS = {
    "bwa": "bwa 2>&1 | sed -n 's/^Version: //p'",
    "samtools": "samtools --version | sed -n '1s/^samtools //p'",
    "bcftools": "bcftools --version | sed -n '1s/^bcftools //p'",
    "htslib": "bcftools --version | sed -n 's/^Using htslib //p'",
    "fastp": "fastp --version 2>&1 | sed -n 's/^fastp //p'",
    "mosdepth": "mosdepth --version | sed -n 's/^mosdepth //p'",
    "minimap2": "minimap2 --version",
}
# Python packages whose versions a Python step reports when it has loaded them:
# distribution name -> module name.
PYTHON_PACKAGES = {
    "snakemake": "snakemake",
    "numpy": "numpy",
    "pandas": "pandas",
    "scipy": "scipy",
    "pysam": "pysam",
    "cyvcf2": "cyvcf2",
    "matplotlib": "matplotlib",
    "ruptures": "ruptures",
    "jsonschema": "jsonschema",
    "PyYAML": "yaml",
}


def tool_versions_shell(tools, target: str) -> str:
    """Shell commands writing the versions of ``tools`` to ``target`` (a Snakemake
    placeholder such as ``{output.versions:q}``), as the YAML described above."""
    unknown = sorted(set(tools) - set(TOOL_VERSION_COMMANDS))
    if unknown:
        raise ValueError(f"no version command for {unknown}")
    lines = "".join(
        f' && printf \'  %s: "%s"\\n\' {name} "$({TOOL_VERSION_COMMANDS[name]})"' for name in tools
    )
    return f"(printf 'tools:\\n'{lines}) > {target}"


def python_versions(loaded_only: bool = True) -> dict[str, str]:
    """Versions of Python and of the packages of PYTHON_PACKAGES (those this process
    has loaded, or all installed ones)."""
    versions = {"python": ".".join(str(part) for part in sys.version_info[:3])}
    for distribution, module in PYTHON_PACKAGES.items():
        if loaded_only and module not in sys.modules:
            continue
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def write_python_versions(path: str | Path) -> None:
    """The versions file of a Python step: the packages it has loaded."""
    from ipscqc.contract import write_atomic

    lines = ["tools:"] + [f'  {name}: "{version}"' for name, version in python_versions().items()]
    write_atomic(path, "\n".join(lines) + "\n")


def read_versions(path: str | Path) -> dict[str, str]:
    import yaml

    document = yaml.safe_load(Path(path).read_text()) or {}
    return {str(name): str(version) for name, version in (document.get("tools") or {}).items()}


def gather(files_by_step: dict[str, list[str | Path]]) -> dict:
    """{"tools": {name: version}, "steps": {step: {name: version}}, "conflicts": [...]}
    from every job's versions file. A tool seen with two versions in one run is a
    conflict: its versions are joined with " / " and named in ``conflicts``."""
    steps: dict[str, dict[str, set[str]]] = {}
    for step, files in sorted(files_by_step.items()):
        for path in files:
            for name, version in read_versions(path).items():
                steps.setdefault(step, {}).setdefault(name, set()).add(version or "unknown")
    tools: dict[str, set[str]] = {}
    for by_name in steps.values():
        for name, versions in by_name.items():
            tools.setdefault(name, set()).update(versions)
    return {
        "tools": {name: " / ".join(sorted(v)) for name, v in sorted(tools.items())},
        "steps": {
            step: {name: " / ".join(sorted(v)) for name, v in sorted(by_name.items())}
            for step, by_name in steps.items()
        },
        "conflicts": sorted(name for name, versions in tools.items() if len(versions) > 1),
    }


def multiqc_versions_yaml(software: dict) -> str:
    """A MultiQC ``*_mqc_versions.yml`` text: the gathered tools, one group."""
    lines = ["ipsc-qc jobs:"]
    lines += [f'  {name}: "{version}"' for name, version in software["tools"].items()]
    return "\n".join(lines) + "\n"
