"""Glue for scripts run by Snakemake's script: directive."""

from __future__ import annotations

import sys


def log_stderr_to(path: str) -> None:
    """Send this process's stderr (warnings, tracebacks) to the rule's log file."""
    sys.stderr = open(path, "w", buffering=1)  # noqa: SIM115 (kept open for the process)


def run(main, smk) -> None:
    """Run a step's ``main(inputs, outputs, params)`` for Snakemake: stderr to the rule's
    log; afterwards, when the rule has a ``versions`` output, the versions of the Python
    packages the step loaded (ipscqc.versions)."""
    log_stderr_to(smk.log[0])
    main(smk.input, smk.output, smk.params)
    versions = getattr(smk.output, "versions", None)
    if versions:
        from ipscqc.versions import write_python_versions

        write_python_versions(versions)
