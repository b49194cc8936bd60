"""Unit tests of the pipeline benchmark's bookkeeping (benchmarks/pipeline/)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def load(name: str):
    spec = importlib.util.spec_from_file_location(
        name, REPO / "benchmarks" / "pipeline" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return load("run")


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


def test_truth_recall_counts_found_missed_and_af_error(tmp_path):
    recall = load("truth_recall")
    truth = {
        "samples": {"P": {"role": "parental"}, "L": {"role": "line"}},
        "acquired_variants": [
            {"id": "snv1", "sample": "L", "chrom": "chr1", "pos": 100, "ref": "C", "alt": "T",
             "type": "snv", "expected_af": 0.5},
            {"id": "del1", "sample": "L", "chrom": "chr1", "pos": 500, "ref": "CAG", "alt": "C",
             "type": "indel", "expected_af": 0.3},
            {"id": "snv2", "sample": "L", "chrom": "chr2", "pos": 100, "ref": "G", "alt": "A",
             "type": "snv", "expected_af": 0.4},
            {"id": "faint", "sample": "L", "chrom": "chr2", "pos": 900, "ref": "G", "alt": "A",
             "type": "snv", "expected_af": 0.1},
        ],
        "copy_number_events": [
            {"id": "gain", "sample": "L", "chrom": "chr3", "start": 1000, "end": 5000,
             "type": "gain", "copy_number": 3},
            {"id": "loss", "sample": "L", "chrom": "chr4", "start": 1000, "end": 5000,
             "type": "loss", "copy_number": 1},
        ],
    }  # fmt: skip
    results = tmp_path / "results"
    (results / "findings/L").mkdir(parents=True)
    (results / "findings/L/acquired_variants.tsv").write_text(
        "chrom\tpos\tref\talt\tline_af\n"
        "chr1\t100\tC\tT\t0.45\n"  # the SNV
        "chr1\t503\tCAG\tC\t0.25\n"  # the deletion, shifted by left-alignment
        "chr2\t100\tG\tC\t0.40\n"  # right place, wrong allele: not snv2
    )
    (results / "copy_number/L").mkdir(parents=True)
    (results / "copy_number/L/calls.tsv").write_text(
        "chrom\tstart\tend\ttype\tcopy_number\n"
        "chr3\t1200\t4800\tgain\t3\n"
        "chr4\t1000\t5000\tgain\t3\n"  # wrong type for the planted loss
    )
    (results / "gate").mkdir()
    (results / "gate/L.json").write_text('{"decision": "FAIL"}')
    acquired = recall.acquired_recall(results, truth)
    assert (acquired["planted"], acquired["found"], acquired["missed"]) == (3, 2, ["snv2"])
    assert acquired["max_af_error"] == pytest.approx(0.05)
    copy_number = recall.copy_number_recall(results, truth)
    assert (copy_number["found"], copy_number["missed"]) == (1, ["loss"])
    assert recall.gate_decisions(results, truth) == {"L": "FAIL"}
    assert recall.gate_decisions(tmp_path, truth) == {"L": "missing"}


def test_hot_spots_name_the_function_that_takes_the_time(tmp_path):
    import cProfile

    profiler = load("profile_python")

    def slow_loop():  # all its time is its own: no calls inside the loop
        total = 0
        for i in range(300_000):
            total += i * i
        return total

    for pid in (1, 2):
        profile = cProfile.Profile()
        profile.runcall(slow_loop)
        profile.dump_stats(str(tmp_path / f"copy_number_call.{pid}.prof"))
    table = profiler.hot_spots(tmp_path)
    assert table["script"].tolist() == ["copy_number_call"]
    assert table.loc[0, "jobs"] == 2 and table.loc[0, "profiled_s"] > 0
    assert "slow_loop" in table.loc[0, "top_own_time"].split(";")[0]


def test_data_description_follows_the_generator_design(bench):
    text = bench.describe_data({"genome_scale": 0.3, "coverage_scale": 1.0, "lines": 0}, 12.0)
    assert "about 3.9 Mb" in text and "parentals 10/30x" in text and "lines 10/35x" in text
    doubled = bench.describe_data({"genome_scale": 0.1, "coverage_scale": 2.0, "lines": 2}, 1.0)
    assert "parentals 20/60x" in doubled and "lines 20/30/70x" in doubled
