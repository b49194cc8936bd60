"""The workflow on a real SLURM scheduler (tests/slurm/run_slurm_test.sh).

The script installs SLURM from Debian packages, starts a private single-node cluster,
runs the toy workflow through `snakemake --executor slurm` and locally, checks that
the jobs ran under SLURM and that both runs give identical results, then stops the
daemons it started. It needs root and apt-get; anywhere else it is skipped, saying so.
The script starts in the background when the session's tests are collected
(tests/slurm/background.py, conftest.py), so its waiting overlaps the other tests.
"""

from __future__ import annotations

import os

import pytest
from slurm import background

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

CANNOT_RUN_HERE = 77


def test_workflow_runs_on_slurm_like_locally():
    if os.geteuid() != 0:
        pytest.skip("starting a SLURM cluster needs root (and apt-get to install it)")
    status, output, seconds = background.result(timeout_s=1800)
    report = output[-6000:]
    if status == CANNOT_RUN_HERE:
        pytest.skip(f"SLURM test cannot run here: {report.strip().splitlines()[-1]}")
    assert status == 0, f"SLURM test failed after {seconds:.0f} s:\n{report}"
    assert "PASSED" in output
    print(f"SLURM test script: {seconds:.0f} s wall\n{report}")
