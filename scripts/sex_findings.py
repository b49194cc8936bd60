"""Entry point of rule sex_findings: the sex check (ipscqc.checks)."""

from ipscqc.checks.sex import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
