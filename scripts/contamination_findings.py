"""Entry point of rule contamination_findings: the contamination check."""

from ipscqc.checks.contamination import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
