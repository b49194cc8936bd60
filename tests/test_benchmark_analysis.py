"""The human-scale benchmark of the Python analysis steps (benchmarks/analysis/run.py) at
its quick scale: every step runs on the synthetic inputs and gets a row with its time and
memory (a step that fails makes the command fail and its row say so). About 30 s on 2
cores: the steps run two at a time."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "benchmarks" / "analysis" / "run.py"
STEPS = {
    "copy_number_bins",
    "read_qc",
    "map_hotspots",
    "identity_sites",
    "identity_pairs",
    "sex_pairs",
    "contamination_pairs",
    "copy_number",
    "panel_of_normals",
    "acquired_variants",
    "identity_cohort",
    "sex_cohort",
    "contamination_cohort",
}


@pytest.mark.slow
def test_quick_benchmark_times_every_step(tmp_path):
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with open(tmp_path / "results_quick.tsv") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert {row["step"] for row in rows} == STEPS
    assert len(rows) == len(STEPS)
    for row in rows:
        assert row["met"] in ("yes", "no"), row
        assert float(row["wall_s"]) > 0, row
        assert float(row["peak_rss_mb"]) > 0, row
        assert float(row["cpu_s"]) > 0, row
        assert row["input_size"], row
    # the analysis itself ran, not only the interpreter: the heavy steps take time in
    # their core and more memory than importing their libraries
    by_step = {row["step"]: row for row in rows}
    for step in ("copy_number", "acquired_variants", "contamination_pairs"):
        assert float(by_step[step]["core_s"]) > 0.1, by_step[step]
    assert float(by_step["copy_number"]["peak_rss_mb"]) > 200
