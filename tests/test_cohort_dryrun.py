"""The DAG of a 50-line cohort (generated sheets) builds in reasonable time."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import TOY_DATA

sys.path.insert(0, str(Path(__file__).resolve().parent / "slurm"))
from cohort_dryrun import dry_run, write_cohort, write_config  # noqa: E402

pytestmark = pytest.mark.slow

# Two cores shared with other work: generous, but a DAG that grows badly fails.
MAX_SECONDS = 180


def job_counts(output: str) -> dict[str, int]:
    return {
        name: int(count) for name, count in re.findall(r"^([a-z_]+)\s+(\d+)$", output, flags=re.M)
    }


def test_a_50_line_cohort_plans_every_job_in_reasonable_time(toy_truth, tmp_path):
    counts = write_cohort(tmp_path, lines=50)
    config = write_config(tmp_path, TOY_DATA / "reference")
    seconds, total, output = dry_run(tmp_path, config)
    jobs = job_counts(output)
    print(f"50-line cohort: {total} jobs planned in {seconds:.1f} s")
    assert counts == {"lines": 50, "donors": 10, "samples": 60, "units": 72}
    assert jobs["gate"] == 50 and jobs["certificate"] == 50
    assert jobs["fastp"] == jobs["bwa_mem"] == 72
    assert jobs["markdup"] == 60
    assert jobs["multiqc"] == 1
    assert seconds < MAX_SECONDS
