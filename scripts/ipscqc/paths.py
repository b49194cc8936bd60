"""Path safety: every input exists as a readable file, and no input is ever an output.

Every output of a run is written under its results folder. So no output can be an
input when no input lies inside the results folder, once both are resolved: symlinks
followed (an input reached through a link into the results folder, or a results folder
that is a link to the inputs' folder), and hard links found (a file in the results
folder that is another name of an input file). The checks run when the workflow starts,
before anything is written.

Inputs are given as ``{label: path}``: the label says where the path was configured
(``config: reference.fasta`` or ``<units.tsv>, line 3 (P1/u1), field 'fq1'``) and
starts each problem line. Relative paths are taken from the working folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def _resolved(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def is_within(path: str | Path, folder: str | Path) -> bool:
    """True when ``path`` (symlinks resolved) is ``folder`` or lies inside it."""
    path, folder = _resolved(path), _resolved(folder)
    return path == folder or folder in path.parents


def missing_input_problems(inputs: Mapping[str, str]) -> list[str]:
    """One line per input that is not a readable file (missing, a folder, no access)."""
    problems = []
    for label, path in inputs.items():
        if not path:
            continue
        if not os.path.exists(path):
            where = "" if Path(path).parent.is_dir() else " (its folder does not exist either)"
            problems.append(f"{label}: file not found: {path!r}{where}")
        elif os.path.isdir(path):
            problems.append(f"{label}: {path!r} is a folder, not a file")
        elif not os.access(path, os.R_OK):
            problems.append(f"{label}: file not readable (permission denied): {path!r}")
    return problems


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _files_under(folder: Path):
    """Every file under ``folder`` (symlinks listed, not followed into folders)."""
    stack = [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                yield entry


def results_folder_problems(inputs: Mapping[str, str], results: str) -> list[str]:
    """Inputs that lie inside the results folder, or have another name there.

    ``results`` is the results folder (relative to the working folder, as configured).
    An input inside it would be overwritten or deleted by the run, or read after the
    run changed it. Hard links and symlinks inside the results folder that lead to an
    input are found by file identity (device and inode).
    """
    problems = []
    named, seen = {}, set()
    for label, path in inputs.items():  # the first label of a file names it
        if path and _resolved(path) not in seen:
            named[label] = path
            seen.add(_resolved(path))
    for label, path in named.items():
        if is_within(path, results):
            resolved = str(_resolved(path))
            shown = f" (resolved: {resolved!r})" if resolved != os.path.abspath(path) else ""
            problems.append(
                f"{label}: {path!r}{shown} lies inside the results folder {results!r}, where"
                " the workflow writes its outputs: it would be overwritten or deleted. Choose"
                " a results folder that holds no input (e.g. results: results) or move the file"
            )
    folder = _resolved(results)
    if not folder.is_dir():
        return problems
    identities = {}
    for label, path in named.items():
        identity = _identity(path)
        if identity and not is_within(path, results):
            identities.setdefault(identity, (label, path))
    linked = any(os.stat(path).st_nlink > 1 for _, path in identities.values())
    for entry in _files_under(folder):
        if not (entry.is_symlink() or linked):
            continue
        identity = _identity(entry.path)
        if identity in identities:
            label, path = identities[identity]
            kind = "a symlink to" if entry.is_symlink() else "a hard link of"
            shown = os.path.join(results, os.path.relpath(entry.path, folder))
            problems.append(
                f"{label}: {shown!r} in the results folder is {kind} this input"
                f" ({path!r}): the workflow could write through it; remove it from the"
                " results folder"
            )
    return problems


#: Configuration keys that name input files (dotted paths into the config).
INPUT_KEYS = (
    "samples",
    "units",
    "reference.fasta",
    "reference.annotation",
    "reference.vectors",
    "reference.targets",
    "copy_number.centromeres",
    "copy_number.recurrent_regions",
    "variants.hotspots",
    "variants.cancer_genes",
    "identity.sites",
)


def configured_inputs(config: Mapping) -> dict[str, str]:
    """``{"config: <key>": path}`` for every input file the configuration names (empty
    values, which pick a shipped resource or nothing, are left out)."""
    inputs = {}
    for key in INPUT_KEYS:
        value = config
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str) and value:
            inputs[f"config: {key}"] = value
    return inputs


def fastq_inputs(rows, units_path: str) -> dict[str, str]:
    """``{label: path}`` of every read file of the units sheet (FASTQ, or BAM/CRAM);
    ``rows`` are mappings with the sheet line (``_line``), ``sample``, ``unit`` and
    ``fq1``, ``fq2`` or ``bam``."""
    inputs = {}
    for row in rows:
        where = f"{units_path}, line {row['_line']} ({row['sample']}/{row['unit']})"
        for field in ("fq1", "fq2", "bam"):
            if row.get(field):
                inputs[f"{where}, field '{field}'"] = row[field]
    return inputs
