"""Unit tests of the pipeline benchmark's bookkeeping (benchmarks/pipeline/run.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "pipeline_benchmark", REPO / "benchmarks" / "pipeline" / "run.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_benchmark(path: Path, wall: float, cpu: float, rss: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        f"{wall}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n"
    )


def test_catalogue_knows_stages_and_script_rules(bench):
    catalogue = bench.rule_catalogue().set_index("rule")
    assert catalogue.loc["bwa_mem", "stage"] == "alignment"
    assert not catalogue.loc["bwa_mem", "python"]
    assert catalogue.loc["copy_number", "python"]
    assert catalogue.loc["fastp", "stage"] == "reads"


def test_collect_summarise_and_python_share(bench, tmp_path):
    root = tmp_path / "benchmarks"
    write_benchmark(root / "bwa_mem/S1.L1.tsv", 90.0, 170.0, 1000.0)
    write_benchmark(root / "copy_number/bins.tsv", 5.0, 5.0, 200.0)
    write_benchmark(root / "copy_number/S1.tsv", 5.0, 25.0, 300.0)
    jobs = bench.collect_benchmarks(tmp_path, bench.rule_catalogue())
    rules = dict(zip(jobs["job"], jobs["rule"], strict=True))
    assert rules["copy_number/bins"] == "copy_number_bins"  # literal pattern wins
    assert rules["copy_number/S1"] == "copy_number"
    stages = bench.summarise(jobs, "stage").set_index("stage")
    assert stages.loc["alignment", "wall_share"] == pytest.approx(0.9)
    assert stages.loc["copy_number", "max_rss_mb"] == 300.0
    assert bench.python_share(jobs) == pytest.approx(30 / 200)


def test_baseline_uses_same_inputs_and_threads(bench, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "samples.tsv").write_text(
        "sample\tdonor\trole\tparental\tsex\tpassage\tnotes\n"
        "P\tD1\tparental\t\tmale\t0\t\nL\tD1\tline\tP\tmale\t5\t\n"
    )
    (data / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\nP\tL1\treads/P_1.fq.gz\treads/P_2.fq.gz\n"
        "L\tL1\treads/L_1.fq.gz\treads/L_2.fq.gz\nL\tL2\treads/L2_1.fq.gz\treads/L2_2.fq.gz\n"
    )
    script = bench.baseline_script(data, tmp_path / "base", cores=3)
    assert script.count("fastp ") == 3 and script.count("bwa mem -t 3 ") == 3
    assert str(data / "reads/P_1.fq.gz") in script
    assert "samtools merge -@ 3 -u -o - L.L1.bam L.L2.bam" in script
    assert script.count("bcftools mpileup") == 1 and "P.md.bam L.md.bam" in script
