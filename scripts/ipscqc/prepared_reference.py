"""A reference prepared once and reused: the alignment reference (genome plus vector
decoys), its FASTA index, sequence dictionary and aligner index.

Building them costs about an hour and 5 GB for GRCh38 (``bwa index``), so one run
prepares them (target ``prepared_reference``: ``<results>/reference/`` with a
``manifest.json``) and any later run, in any results folder, names that folder as
``reference.prepared`` instead of building its own. The manifest says what the folder
was built from and what it holds:

- ``built_from``: path, bytes and sha256 of the configured ``reference.fasta`` and
  ``reference.vectors`` (null when there were none);
- ``files``: bytes and sha256 of every file of the folder (genome.fa, .fai, .dict and
  the bwa index when the aligner is bwa);
- ``versions``: the versions files of the jobs that built them (samtools faidx, bwa
  index), so a run that reuses the folder still records them in its certificates.

Before a run uses a prepared folder (rule ``check_prepared_reference``, before any
alignment), every sha256 is computed again: the FASTA and vectors configured now must be
the ones the folder was built from, and no file of the folder may have changed since. So
a changed FASTA is never used with a stale index; any mismatch stops the run with one
line per problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from .certificate import file_record, sha256_file

MANIFEST = "manifest.json"
FORMAT = 1
#: the command that prepares a reference folder, for the messages
PREPARE = "snakemake --configfile <config> prepared_reference"


def one_path(value) -> str:
    """A rule input that is one file or none (an empty list) as a path, "" for none."""
    if isinstance(value, str):
        return value
    return str(value[0]) if len(value) else ""


def source_record(path: str) -> dict | None:
    return file_record(path) if path else None


def build_manifest(
    fasta: str, vectors: str, files: Iterable[str | Path], versions: Mapping[str, str]
) -> dict:
    """The manifest of a prepared folder holding ``files``, built from ``fasta`` and
    ``vectors`` ("" for none) by jobs whose versions files' texts are ``versions``."""
    return {
        "format": FORMAT,
        "built_from": {"fasta": source_record(fasta), "vectors": source_record(vectors)},
        "files": {
            Path(path).name: {"bytes": Path(path).stat().st_size, "sha256": sha256_file(path)}
            for path in files
        },
        "versions": dict(versions),
    }


def read_manifest(folder: str | Path) -> tuple[dict | None, list[str]]:
    path = Path(folder) / MANIFEST
    if not Path(folder).is_dir():
        return None, [
            f"reference.prepared: folder not found: {str(folder)!r}; name the reference/"
            f" folder of a run that prepared it (`{PREPARE}`) or leave reference.prepared empty"
        ]
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        return None, [
            f"reference.prepared: {str(folder)!r} holds no {MANIFEST}: it is not a prepared"
            f" reference folder; prepare one with `{PREPARE}` (it writes"
            f" <results>/reference/{MANIFEST}) or leave reference.prepared empty"
        ]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [f"reference.prepared: {path}: not a readable manifest ({error})"]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None, [
            f"reference.prepared: {path}: not a manifest of format {FORMAT}; prepare the"
            f" folder again with `{PREPARE}`"
        ]
    return manifest, []


def _source_problems(manifest: dict, key: str, configured: str, folder: str) -> list[str]:
    built = manifest["built_from"].get(key)
    label = f"reference.{key}"
    if not configured and not built:
        return []
    if not configured:
        return [
            f"reference.prepared: {folder!r} was built with {label} {built['path']!r}, and"
            f" this run has no {label}: its index holds contigs this run does not expect;"
            f" prepare the reference for this config with `{PREPARE}`"
        ]
    if not built:
        return [
            f"reference.prepared: {folder!r} was built without {label}, and this run names"
            f" {configured!r}: its index lacks those contigs; prepare the reference for this"
            f" config with `{PREPARE}`"
        ]
    digest = sha256_file(configured)
    if digest != built["sha256"]:
        return [
            f"reference.prepared: {folder!r} was built from {label} {built['path']!r}"
            f" (sha256 {built['sha256'][:16]}...), but {configured!r} has sha256"
            f" {digest[:16]}...: the prepared index does not fit this file; prepare the"
            f" reference again with `{PREPARE}` or leave reference.prepared empty"
        ]
    return []


def manifest_problems(
    folder: str | Path, fasta: str, vectors: str, needed: Iterable[str | Path]
) -> tuple[dict | None, list[str]]:
    """The folder's manifest and one line per reason not to use it: built from another
    FASTA or vectors file than configured, or a needed file missing or changed since."""
    folder = str(folder)
    manifest, problems = read_manifest(folder)
    if manifest is None:
        return None, problems
    problems += _source_problems(manifest, "fasta", fasta, folder)
    problems += _source_problems(manifest, "vectors", vectors, folder)
    for path in needed:
        name = Path(path).name
        listed = manifest["files"].get(name)
        if listed is None:
            problems.append(
                f"reference.prepared: {folder!r} was prepared without {name} (another"
                f" aligner?); prepare it with this config's params.aligner: `{PREPARE}`"
            )
        elif not Path(path).is_file():
            problems.append(f"reference.prepared: {path}: file not found")
        elif Path(path).stat().st_size != listed["bytes"] or sha256_file(path) != listed["sha256"]:
            problems.append(
                f"reference.prepared: {path} changed since the folder was prepared (bytes or"
                f" sha256 differ from {MANIFEST}): prepare the reference again with"
                f" `{PREPARE}`"
            )
    return manifest, problems
