"""The SLURM test script, started in the background as soon as pytest knows it will run.

Most of the script's wall time is waiting (package install, daemons starting, job
submission and status polls), so it runs beside the other tests instead of after them;
``test_slurm.py`` waits for its result. Output goes to a temporary file, not a pipe, so
a chatty script can never block.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "run_slurm_test.sh"


@dataclass
class Running:
    process: subprocess.Popen
    log: Path
    started: float


_running: list[Running] = []


def start() -> Running:
    """Start the script once per session; later calls return the running script."""
    if not _running:
        with tempfile.NamedTemporaryFile(
            prefix="ipscqc-slurm-test-", suffix=".log", delete=False
        ) as log:
            process = subprocess.Popen(
                ["bash", str(SCRIPT)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        _running.append(Running(process, Path(log.name), time.monotonic()))
    return _running[0]


def stop() -> None:
    """Stop a script nobody waited for (the session ended early); it stops its daemons."""
    for running in _running:
        if running.process.poll() is None:
            running.process.terminate()
            try:
                running.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                running.process.kill()


def result(timeout_s: float) -> tuple[int, str, float]:
    """Exit status, output and wall seconds of the script (starting it if needed)."""
    running = start()
    remaining = max(1.0, timeout_s - (time.monotonic() - running.started))
    try:
        status = running.process.wait(timeout=remaining)
    except subprocess.TimeoutExpired:
        running.process.kill()
        status = running.process.wait()
    output = running.log.read_text(errors="replace")
    return status, output, time.monotonic() - running.started
