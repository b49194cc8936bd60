"""The release gate on the toy data set, against its planted truth.

Uses the session fixture `toy_run` (tests/conftest.py): a finished workflow run.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from conftest import run_workflow
from ipscqc.certificate import without_date
from ipscqc.checks import CHECKS as LINE_CHECKS
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS
from ipscqc.gate.cohort import read_cohort_summary

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))


def planted_problems(truth: dict, line: str) -> dict[str, list]:
    """What the toy data planted in one line, by the check that must see it."""
    return {
        "hotspots": [
            variant["id"]
            for variant in truth["acquired_variants"]
            if variant["sample"] == line and variant["hotspot"]
        ],
        "whole_chromosome": [
            event["id"]
            for event in truth["copy_number_events"]
            if event["sample"] == line and event["whole_chromosome"]
        ],
        "recurrent": [
            event["id"]
            for event in truth["copy_number_events"]
            if event["sample"] == line and event.get("band", "").startswith("20q11")
        ],
        "vectors": [
            family["family"]
            for family in truth["vector_families"]
            if family["sample"] == line and family["copies_per_cell"] > 0.01
        ],
        "swap": [swap["true_donor"] for swap in truth["swaps"] if swap["sample"] == line],
        "sex": [line] if truth["sex"][line]["declared"] != truth["sex"][line]["true"] else [],
        "any_event": [
            item["id"]
            for item in truth["acquired_variants"] + truth["copy_number_events"]
            if item["sample"] == line
        ],
    }


def lines_of(truth: dict) -> list[str]:
    return sorted(name for name, sample in truth["samples"].items() if sample["role"] == "line")


@pytest.fixture(scope="module")
def gates(toy_run) -> dict[str, dict]:
    folder = toy_run.results / "gate"
    return {
        line: json.loads((folder / f"{line}.json").read_text()) for line in lines_of(toy_run.truth)
    }


def all_reasons(gate: dict) -> str:
    return " | ".join(gate["reasons"]).lower()


def test_clean_line_passes(toy_run, gates):
    clean = [line for line in gates if not any(planted_problems(toy_run.truth, line).values())]
    assert clean == ["D1_clone_clean"]
    for line in clean:
        assert gates[line]["decision"] == PASS, gates[line]["reasons"]
        assert {check["status"] for check in gates[line]["checks"].values()} == {PASS}


def test_events_line_fails_for_each_planted_problem(toy_run, gates):
    line = "D1_clone_events"
    planted = planted_problems(toy_run.truth, line)
    gate = gates[line]
    reasons = all_reasons(gate)
    assert gate["decision"] == FAIL
    assert planted["hotspots"] and "hotspot" in reasons
    assert gate["checks"]["acquired_variants"]["status"] == FAIL
    # the numbers behind the hotspot rule: the line carries both planted hotspots (TP53
    # R273H at ~0.2 and the donor-mosaic DNMT3A R882H at ~0.5 in the toy design), and the
    # reason names each one's origin
    rule = next(
        rule
        for rule in gate["checks"]["acquired_variants"]["rules"]
        if rule["id"] == "acquired_variants.max_carried_hotspot_count"
    )
    planted_hotspots = [
        variant
        for variant in toy_run.truth["acquired_variants"]
        if variant["sample"] == line and variant["hotspot"]
    ]
    assert rule["status"] == FAIL
    assert rule["values"]["carried_hotspot_count"] == len(planted_hotspots)
    assert rule["values"]["carried_hotspot_germline_count"] == 0
    assert rule["values"]["max_hotspot_af"] == pytest.approx(
        max(variant["expected_af"] for variant in planted_hotspots), abs=0.2
    )
    (mosaic,) = [variant for variant in planted_hotspots if variant["origin"] == "donor_mosaic"]
    assert f"{mosaic['gene']} {mosaic['protein_change']}" in rule["reason"]
    assert "(donor_mosaic, parental AF" in rule["reason"]
    assert planted["whole_chromosome"] and "whole-chromosome" in reasons
    assert planted["recurrent"] and "touches driver region 20q11.21" in reasons
    assert gate["checks"]["copy_number"]["status"] == FAIL
    assert planted["vectors"] and "vector copies per cell" in reasons
    assert gate["checks"]["vectors"]["status"] == FAIL


def test_swapped_line_fails_on_identity_and_sex(toy_run, gates):
    line = "D1_clone_swap"
    planted = planted_problems(toy_run.truth, line)
    gate = gates[line]
    assert planted["swap"] and planted["sex"]
    assert gate["decision"] == FAIL
    assert gate["checks"]["identity"]["status"] == FAIL
    assert gate["checks"]["sex"]["status"] == FAIL
    reasons = all_reasons(gate)
    assert "does not match the declared donor" in reasons
    assert "differs from declared sex" in reasons
    declared = next(
        rule
        for rule in gate["checks"]["identity"]["rules"]
        if rule["id"] == "identity.declared_donor"
    )
    assert declared["status"] == FAIL
    assert declared["values"]["best_match_donor"] in planted["swap"]
    # a swap is a swap: the reasons lead with identity and sex, and the paired checks
    # say they cannot compare another person's genome with this parental
    checks_in_order = list(dict.fromkeys(reason.split(":")[0] for reason in gate["reasons"]))
    assert checks_in_order[:2] == ["identity", "sex"]
    for check in ("acquired_variants", "copy_number"):
        result = gate["checks"][check]
        assert result["status"] == INCONCLUSIVE, check
        assert len(result["reasons"]) == 1, (check, result["reasons"])
        assert "not assessable against this parental" in result["reasons"][0], check
        findings = json.loads((toy_run.results / "findings" / line / f"{check}.json").read_text())
        assert findings["items"] == [] and "different individual" in findings["not_assessed"]


def test_a_shallow_line_cannot_show_vector_clearance(toy_run, gates):
    """No vector read is a PASS only where the depth would have seen the limit: about
    6.3 reads (3 with 95%) on the shared backbone at the line's depth."""
    truth = toy_run.truth
    carrying = {f["sample"] for f in truth["vector_families"] if f["copies_per_cell"] > 0}
    limit = toy_run_threshold(toy_run, "vectors", "max_copies_per_cell")
    statuses = {}
    for line, gate in gates.items():
        if line in carrying:
            continue
        metrics = json.loads((toy_run.results / "findings" / line / "vectors.json").read_text())[
            "metrics"
        ]
        assert metrics["vectors_detected"] == [], line
        result = gate["checks"]["vectors"]
        if metrics["vector_detection_limit"] > limit:
            assert result["status"] == INCONCLUSIVE, line
            assert "clearance cannot be shown" in " ".join(result["reasons"]), line
        else:
            assert result["status"] == PASS, line
        statuses[line] = result["status"]
    # the 10x swap line is too shallow, the 35x clean line deep enough
    assert statuses == {"D1_clone_clean": PASS, "D1_clone_swap": INCONCLUSIVE}


def toy_run_threshold(toy_run, check: str, key: str):
    """A gate threshold of the run (its config, else the schema's default)."""
    config = yaml.safe_load(toy_run.config.read_text())
    value = config.get("gate", {}).get(check, {}).get(key)
    if value is not None:
        return value
    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    return schema["properties"]["gate"]["properties"][check]["properties"][key]["default"]


def test_every_findings_and_gate_file_validates_against_its_schema(toy_run, gates):
    from ipscqc.checks import spec_of
    from ipscqc.contract import validation_problems
    from ipscqc.gate.evaluate import gate_problems

    checked = 0
    swapped = {swap["sample"] for swap in toy_run.truth["swaps"]}
    for sample in toy_run.truth["samples"]:
        for path in sorted((toy_run.results / "findings" / sample).glob("*.json")):
            document = json.loads(path.read_text())
            assert validation_problems(document, spec_of(path.stem)) == [], path
            if sample in swapped and spec_of(path.stem).paired and path.stem != "identity":
                # compared with nothing: the line is another person than its parental
                assert "different individual" in document["not_assessed"], path
            else:
                assert document["not_assessed"] is None, path
            checked += 1
    lines = [s for s, info in toy_run.truth["samples"].items() if info["role"] == "line"]
    assert checked == 7 * len(lines) + 6 * (len(toy_run.truth["samples"]) - len(lines))
    for line, gate in gates.items():
        assert gate_problems(gate) == [], line


def test_cohort_summary_has_one_row_per_line(toy_run, gates):
    rows = read_cohort_summary((toy_run.results / "gate" / "cohort_summary.tsv").read_text())
    assert [row["line"] for row in rows] == sorted(gates)
    for row in rows:
        assert row["decision"] == gates[row["line"]]["decision"]
        assert [row[check] for check in LINE_CHECKS] == [
            gates[row["line"]]["checks"][check]["status"] for check in LINE_CHECKS
        ]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def units_sheet(toy_run) -> list[dict]:
    path = toy_run.toy_data / "units.tsv"
    with open(path) as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_certificates_name_decisions_checksums_and_versions(toy_run, gates):
    units = units_sheet(toy_run)
    for line, gate in gates.items():
        certificate = json.loads((toy_run.results / "certificates" / f"{line}.json").read_text())
        assert certificate["decision"] == gate["decision"]
        assert set(certificate["checks"]) == set(LINE_CHECKS)
        assert certificate["thresholds"]["gate"]["vectors"]["max_copies_per_cell"] == 0.01
        for side, sample in (("line", line), ("parental", gate["parental"])):
            records = certificate["inputs"][side]["fastq"]
            expected = [unit for unit in units if unit["sample"] == sample]
            assert len(records) == 2 * len(expected)
            for record in records:
                path = Path(record["path"])
                if not path.is_absolute():
                    path = toy_run.toy_data / path
                assert record["sha256"] == sha256(path)
            bam = certificate["inputs"][side]["bam"]
            assert bam["sha256"] == sha256(toy_run.results / bam["path"])
        reference = certificate["inputs"]["reference"]
        assert reference["fasta"]["sha256"] == sha256(toy_run.toy_data / "reference/genome.fa")
        assert reference["annotation"]["sha256"]
        software = certificate["software"]
        for tool in ("bwa", "samtools", "bcftools", "fastp", "mosdepth", "snakemake", "pandas"):
            assert software["tools"][tool], tool
        # each from the jobs that ran it, one version each in this run
        assert software["steps"]["align"]["bwa"] == software["tools"]["bwa"]
        assert software["steps"]["copy_number"]["pandas"] == software["tools"]["pandas"]
        assert software["conflicts"] == []
        assert certificate["pipeline"]["version"]
        assert len(certificate["config_digest"]["sha256"]) == 64
        assert certificate["issued"]


def effective_gate_config(toy_run) -> dict:
    """The gate block of the run's config with the schema's defaults filled in."""
    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())

    def defaults(spec):
        return {
            key: defaults(sub) if sub.get("type") == "object" else sub.get("default")
            for key, sub in spec.get("properties", {}).items()
        }

    merged = defaults(schema["properties"]["gate"])
    configured = yaml.safe_load(Path(toy_run.config).read_text()).get("gate", {})
    for key, value in configured.items():
        if isinstance(value, dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


def run_gate_on(findings: Path, gate_folder: Path, thresholds: dict, lines: dict) -> None:
    """The gate and cohort summary entry points, as the rules run them."""
    import cohort_summary
    import gate_line
    from ipscqc.checks import CHECKS
    from snakemake.iocontainers import Namedlist

    for line, (parental, donor) in lines.items():
        named = {check: str(findings / line / f"{check}.json") for check in CHECKS}
        if parental:
            named["parental_read_qc"] = str(findings / parental / "read_qc.json")
        gate_line.main(
            Namedlist(fromdict=named),
            [str(gate_folder / f"{line}.json")],
            SimpleNamespace(
                line=line, parental=parental, donor=donor, checks=CHECKS, thresholds=thresholds
            ),
        )
    cohort_summary.main(
        SimpleNamespace(gates=[str(gate_folder / f"{line}.json") for line in lines]),
        [str(gate_folder / "cohort_summary.tsv")],
        None,
    )


def strict(summary: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts/strict_gate.py"), str(summary)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO / "scripts"), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("check", ["copy_number", "identity", "read_qc"])
def test_removing_a_findings_file_makes_the_clean_line_inconclusive(toy_run, tmp_path, check):
    copy = tmp_path / "results"
    shutil.copytree(toy_run.results / "findings", copy / "findings")
    (copy / "findings" / "D1_clone_clean" / f"{check}.json").unlink()
    thresholds = effective_gate_config(toy_run)
    truth = toy_run.truth["samples"]
    lines = {
        line: (truth[line]["parental"], truth[line]["donor"]) for line in lines_of(toy_run.truth)
    }
    run_gate_on(copy / "findings", copy / "gate", thresholds, lines)
    gate = json.loads((copy / "gate" / "D1_clone_clean.json").read_text())
    assert gate["decision"] == INCONCLUSIVE
    assert gate["checks"][check]["status"] == INCONCLUSIVE
    assert any(f"{check}.json is missing" in reason for reason in gate["reasons"])
    # the other lines keep their decisions (a FAIL stays a FAIL)
    original = read_cohort_summary((toy_run.results / "gate/cohort_summary.tsv").read_text())
    copied = read_cohort_summary((copy / "gate" / "cohort_summary.tsv").read_text())
    for before, after in zip(original, copied, strict=True):
        if before["line"] != "D1_clone_clean":
            assert after["decision"] == before["decision"]
    # strict mode stops on the INCONCLUSIVE line
    result = strict(copy / "gate" / "cohort_summary.tsv")
    assert result.returncode == 1
    assert "D1_clone_clean: INCONCLUSIVE" in result.stderr


def test_removing_the_parental_read_qc_makes_paired_checks_inconclusive(toy_run, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(toy_run.results / "findings", copy / "findings")
    parental = toy_run.truth["samples"]["D1_clone_clean"]["parental"]
    (copy / "findings" / parental / "read_qc.json").unlink()
    run_gate_on(
        copy / "findings",
        copy / "gate",
        effective_gate_config(toy_run),
        {"D1_clone_clean": (parental, "D1")},
    )
    gate = json.loads((copy / "gate" / "D1_clone_clean.json").read_text())
    assert gate["decision"] == INCONCLUSIVE
    assert gate["checks"]["copy_number"]["status"] == INCONCLUSIVE


def test_strict_mode_exit_codes(toy_run, tmp_path):
    summary = toy_run.results / "gate" / "cohort_summary.tsv"
    failed = strict(summary)
    assert failed.returncode == 1
    assert "D1_clone_events: FAIL" in failed.stderr and "D1_clone_swap: FAIL" in failed.stderr
    # a cohort of only the clean line is releasable
    lines = summary.read_text().splitlines()
    only_clean = tmp_path / "cohort_summary.tsv"
    only_clean.write_text(
        "\n".join([lines[0]] + [row for row in lines[1:] if row.startswith("D1_clone_clean\t")])
        + "\n"
    )
    assert strict(only_clean).returncode == 0
    assert strict(tmp_path / "absent.tsv").returncode == 1


# The gate's own rules: the e2e tests below run only these, so that they never rerun a
# check (whose inputs may be newer than its outputs in a shared results folder).
GATE_RULES = (
    "gate",
    "cohort_summary",
    "strict",
    "certificate",
    "sample_checksums",
    "reference_checksums",
    "gather_versions",
)


def snakemake(toy_run, *args) -> subprocess.CompletedProcess:
    """Only the gate's rules, in the finished toy run's folder."""
    return run_workflow(
        toy_run.workdir,
        toy_run.config,
        "--config",
        f"results={toy_run.results.relative_to(toy_run.workdir)}",
        "--rerun-triggers",
        "mtime",
        "--allowed-rules",
        *GATE_RULES,
        *args,
        check=False,
    )


def test_strict_target_fails_when_a_line_is_not_pass(toy_run):
    completed = snakemake(toy_run, "--", "strict")
    assert completed.returncode != 0
    assert "strict mode: not every line is PASS" in (
        completed.stderr + (toy_run.results / "logs/gate/strict.log").read_text()
    )


def test_a_second_run_gives_the_same_certificates_apart_from_the_date(toy_run):
    """Checksums, versions, gate and certificates computed twice, back to back."""
    folder = toy_run.results / "certificates"
    targets = [
        str(Path(toy_run.results.name) / "certificates" / path.name)
        for path in sorted(folder.glob("*.json"))
    ]
    assert targets
    runs = []
    for _ in range(2):
        completed = snakemake(
            toy_run,
            "--forcerun",
            "sample_checksums",
            "reference_checksums",
            "gather_versions",
            "gate",
            "certificate",
            "--",
            *targets,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        runs.append(
            {path.name: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
        )
    first, second = runs
    assert set(first) == set(second)
    for name in first:
        assert without_date(first[name]) == without_date(second[name]), name
        assert set(first[name]) - set(without_date(first[name])) == {"issued"}
