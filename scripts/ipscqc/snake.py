"""Glue for scripts run by Snakemake's script: directive."""

import sys


def log_stderr_to(path: str) -> None:
    """Send this process's stderr (warnings, tracebacks) to the rule's log file."""
    sys.stderr = open(path, "w", buffering=1)  # noqa: SIM115 (kept open for the process)
