"""Entry point of rule vector_findings: the vectors check (ipscqc.checks)."""

from ipscqc.checks.vectors import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
