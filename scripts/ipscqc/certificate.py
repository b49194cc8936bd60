"""Release certificates: the gate's decision with everything needed to trace it.

A certificate names the decision and each check's status with reasons and numbers,
the thresholds applied, the sha256 of every input (FASTQ and BAM of the line and its
parental, reference, annotation, vectors), a digest of the effective config, the
versions of the tools and Python packages the jobs ran (gathered from each job's own
environment, ipscqc.versions), and the pipeline version. The date is the
only field that differs between two runs on the same inputs, and it lives in one
place: the top-level ``issued`` key (see ISSUED_KEY).
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

CERTIFICATE_FORMAT = "ipsc-qc release certificate 1"
ISSUED_KEY = "issued"  # the only run-dependent field of a certificate
CHUNK_BYTES = 8 * 1024 * 1024

# Config keys that say only where outputs go: left out of the config digest so that
# the same analysis written to another folder has the same digest.
OUTPUT_ONLY_CONFIG_KEYS = ("results", "alignments")


# ---------------------------------------------------------------- checksums


@cache
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: str | Path) -> str:
    """sha256 of a file, read in chunks; computed once per file and version per process."""
    status = Path(path).stat()
    return _sha256_cached(str(Path(path).resolve()), status.st_size, status.st_mtime_ns)


def file_record(path: str | Path, name: str | None = None) -> dict:
    """{"path", "bytes", "sha256"} of one input; path as given (or `name`)."""
    path = Path(path)
    return {
        "path": name if name is not None else str(path),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }


# ---------------------------------------------------------------- config and versions


def canonical_json(document) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def config_digest(config: dict) -> str:
    """sha256 of the canonical JSON of the effective config, output location left out."""
    analysis = {key: value for key, value in config.items() if key not in OUTPUT_ONLY_CONFIG_KEYS}
    return hashlib.sha256(canonical_json(analysis).encode()).hexdigest()


def project_version(repository: str | Path) -> dict:
    """{"name", "version", "git_commit", "git_tracked_changes"} of the pipeline."""
    import tomllib

    repository = Path(repository)
    project = tomllib.loads((repository / "pyproject.toml").read_text())["project"]

    def git(*args: str) -> subprocess.CompletedProcess | None:
        try:
            return subprocess.run(
                ["git", "-C", str(repository), *args], capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired):
            return None

    head = git("rev-parse", "HEAD")
    commit = head.stdout.strip() if head is not None and head.returncode == 0 else None
    changes = None
    if commit:
        diff = git("diff", "--quiet", "HEAD", "--")
        changes = None if diff is None or diff.returncode not in (0, 1) else diff.returncode == 1
    return {
        "name": project["name"],
        "version": project["version"],
        "git_commit": commit,
        "git_tracked_changes": changes,
    }


# ---------------------------------------------------------------- the certificate


def _check_entry(result: dict) -> dict:
    return {
        "status": result["status"],
        "reasons": result["reasons"],
        "mode": result.get("mode"),
        "parental": result.get("parental"),
        "rules": [
            {
                key: rule.get(key)
                for key in ("id", "status", "reason", "values", "threshold", "description")
            }
            for rule in result["rules"]
        ],
        "notes": result.get("notes", []),
        "adequacy": result.get("adequacy", {}),
    }


def build_certificate(
    gate: dict,
    line_inputs: dict,
    parental_inputs: dict | None,
    reference_inputs: dict,
    software: dict,
    config: dict,
    pipeline: dict,
    issued: str,
    passage: int | None = None,
) -> dict:
    """The certificate of one line. Only `issued` (an ISO date-time) is run-dependent;
    `passage` is the line's passage number from the samples sheet (None: not given)."""
    return {
        "format": CERTIFICATE_FORMAT,
        "line": gate["line"],
        "donor": gate.get("donor"),
        "parental": gate.get("parental"),
        "passage": passage,
        "decision": gate["decision"],
        "reasons": gate["reasons"],
        "checks": {check: _check_entry(result) for check, result in gate["checks"].items()},
        "check_order": list(gate.get("check_order") or gate["checks"]),
        "parental_read_qc": (
            _check_entry(gate["parental_read_qc"]) if gate.get("parental_read_qc") else None
        ),
        "thresholds": {
            "gate": gate["thresholds"],
            "read_qc_min_bin_depth": config.get("params", {})
            .get("read_qc", {})
            .get("min_bin_depth"),
        },
        "inputs": {
            "line": line_inputs,
            "parental": parental_inputs,
            "reference": reference_inputs,
        },
        "config_digest": {
            "sha256": config_digest(config),
            "left_out": list(OUTPUT_ONLY_CONFIG_KEYS),
        },
        "software": software,
        "pipeline": pipeline,
        ISSUED_KEY: issued,
    }


def passage_number(value) -> int | None:
    """A samples sheet's passage cell as a whole number; None when it is empty."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    number = float(text)
    if number != int(number) or number < 0:
        raise ValueError(f"passage {value!r} is not a whole number >= 0")
    return int(number)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def without_date(certificate: dict) -> dict:
    """A certificate without its run-dependent field, for comparing two runs."""
    return {key: value for key, value in certificate.items() if key != ISSUED_KEY}
