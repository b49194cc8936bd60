"""Strict mode: exit non-zero unless every line of the cohort summary is PASS.

Run by rule strict (`snakemake strict`) and by bin/gate-strict; usable alone:
    python scripts/strict_gate.py results/gate/cohort_summary.tsv
"""

import sys
from pathlib import Path

from ipscqc.gate.cohort import read_cohort_summary, strict_failures


def check(summary_path) -> int:
    """0 when every line is PASS; 1 otherwise (also when the summary is missing)."""
    path = Path(summary_path)
    if not path.exists():
        print(f"strict: {path} is missing: no line was shown to be safe", file=sys.stderr)
        return 1
    rows = read_cohort_summary(path.read_text())
    failures = strict_failures(rows)
    for failure in failures:
        print(f"strict: not releasable: {failure}", file=sys.stderr)
    if not failures:
        print(f"strict: all {len(rows)} line(s) PASS", file=sys.stderr)
    return 1 if failures else 0


if "snakemake" in globals():
    from ipscqc.snake import log_stderr_to

    log_stderr_to(snakemake.log[0])  # noqa: F821
    status = check(snakemake.input.summary)  # noqa: F821
    if status:
        raise SystemExit(f"strict mode: not every line is PASS (see {snakemake.input.summary})")  # noqa: F821
elif __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: strict_gate.py RESULTS/gate/cohort_summary.tsv")
    sys.exit(check(sys.argv[1]))
