"""The workflow on a real SLURM scheduler (tests/slurm/run_slurm_test.sh).

The script installs SLURM from Debian packages, starts a private single-node cluster,
runs the toy workflow through `snakemake --executor slurm` and locally, checks that
the jobs ran under SLURM and that both runs give identical results, then stops the
daemons it started. It needs root and apt-get; anywhere else it is skipped, saying so.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

SCRIPT = Path(__file__).resolve().parent / "slurm" / "run_slurm_test.sh"
CANNOT_RUN_HERE = 77


def test_workflow_runs_on_slurm_like_locally():
    if os.geteuid() != 0:
        pytest.skip("starting a SLURM cluster needs root (and apt-get to install it)")
    result = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=1800, check=False
    )
    report = result.stderr[-6000:]
    if result.returncode == CANNOT_RUN_HERE:
        pytest.skip(f"SLURM test cannot run here: {report.strip().splitlines()[-1]}")
    assert result.returncode == 0, f"SLURM test failed:\n{report}"
    assert "PASSED" in result.stderr
    print(report)
