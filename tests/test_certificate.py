"""Release certificates: checksums, config digest, versions, reproducibility."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ipscqc import certificate as cert
from ipscqc.checks import CHECKS as LINE_CHECKS
from ipscqc.gate import PASS

REPO = Path(__file__).resolve().parents[1]


def test_sha256_streams_and_matches_hashlib(tmp_path, monkeypatch):
    monkeypatch.setattr(cert, "CHUNK_BYTES", 7)  # many chunks on a small file
    path = tmp_path / "reads.fastq"
    content = b"@r1\nACGT\n+\nIIII\n" * 1000
    path.write_bytes(content)
    cert._sha256_cached.cache_clear()
    assert cert.sha256_file(path) == hashlib.sha256(content).hexdigest()
    record = cert.file_record(path, name="reads.fastq")
    assert record == {
        "path": "reads.fastq",
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def test_sha256_is_computed_once_per_file_version(tmp_path):
    path = tmp_path / "a.bam"
    path.write_bytes(b"one")
    cert._sha256_cached.cache_clear()
    first = cert.sha256_file(path)
    cert.sha256_file(path)
    assert cert._sha256_cached.cache_info().hits == 1
    path.write_bytes(b"two!")  # a new version (size and mtime) is hashed again
    assert cert.sha256_file(path) != first


def test_config_digest_is_canonical_and_ignores_the_output_folder():
    config = {"samples": "s.tsv", "gate": {"vectors": {"max_copies_per_cell": 0.01}, "a": 1}}
    reordered = json.loads(json.dumps({"gate": {"a": 1, **config["gate"]}, "samples": "s.tsv"}))
    assert cert.config_digest(config) == cert.config_digest(reordered)
    assert cert.config_digest({**config, "results": "elsewhere"}) == cert.config_digest(config)
    changed = {**config, "gate": {**config["gate"], "a": 2}}
    assert cert.config_digest(changed) != cert.config_digest(config)


def test_project_version_reads_pyproject_and_git():
    version = cert.project_version(REPO)
    assert version["name"] == "ipsc-qc" and version["version"]
    assert version["git_commit"] is None or len(version["git_commit"]) == 40


def gate_result():
    checks = {
        check: {
            "status": PASS,
            "reasons": [],
            "mode": "paired",
            "parental": "P1",
            "rules": [
                {
                    "id": f"{check}.x",
                    "status": PASS,
                    "reason": "",
                    "values": {"n": 1},
                    "threshold": 1,
                    "description": "d",
                }
            ],
            "notes": [],
        }
        for check in LINE_CHECKS
    }
    return {
        "line": "L1",
        "donor": "D1",
        "parental": "P1",
        "decision": PASS,
        "reasons": [],
        "checks": checks,
        "parental_read_qc": checks["read_qc"],
        "thresholds": {"vectors": {"max_copies_per_cell": 0.01}},
    }


def test_certificates_differ_only_by_date():
    arguments = (
        gate_result(),
        {"sample": "L1", "fastq": [{"unit": "u", "read": "fq1", "path": "a", "sha256": "0"}]},
        {"sample": "P1", "fastq": []},
        {"fasta": {"path": "g.fa", "sha256": "1", "bytes": 1}},
        {"tools": {"bwa": "0.7.17"}, "steps": {"align": {"bwa": "0.7.17"}}, "conflicts": []},
        {"samples": "s.tsv", "params": {"read_qc": {"min_bin_depth": 10}}, "results": "r"},
        {"name": "ipsc-qc", "version": "0.1.0", "git_commit": None},
    )
    first = cert.build_certificate(*arguments, issued="2024-01-01T00:00:00+00:00")
    second = cert.build_certificate(*arguments, issued="2025-06-30T12:00:00+00:00")
    assert first != second
    assert cert.without_date(first) == cert.without_date(second)
    assert set(first) - set(cert.without_date(first)) == {cert.ISSUED_KEY}
    assert first["decision"] == PASS and first["thresholds"]["read_qc_min_bin_depth"] == 10
    assert first["inputs"]["line"]["fastq"][0]["sha256"] == "0"
    assert first["software"]["tools"] == {"bwa": "0.7.17"}


def test_the_certificate_names_the_passage_and_each_checks_adequacy():
    gate = gate_result()
    gate["checks"]["read_qc"]["adequacy"] = {"autosomal_bins": 4500, "callable_min_depth": 10}
    arguments = (gate, {"sample": "L1", "fastq": []}, None, {}, {}, {}, {"name": "x"})
    certificate = cert.build_certificate(*arguments, issued="2024-01-01", passage=12)
    assert certificate["passage"] == 12
    assert certificate["checks"]["read_qc"]["adequacy"] == {
        "autosomal_bins": 4500,
        "callable_min_depth": 10,
    }
    assert certificate["checks"]["vectors"]["adequacy"] == {}  # none given: empty, not absent
    assert cert.build_certificate(*arguments, issued="2024-01-01")["passage"] is None


def test_passage_numbers_from_the_samples_sheet():
    assert [cert.passage_number(value) for value in ("12", 0, "0", "", None, float("nan"))] == [
        12,
        0,
        0,
        None,
        None,
        None,
    ]
    for bad in ("12.5", "-1"):
        with pytest.raises(ValueError, match="whole number"):
            cert.passage_number(bad)
