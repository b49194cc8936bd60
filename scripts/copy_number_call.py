"""Entry point of rule copy_number: the copy_number check (ipscqc.checks)."""

from ipscqc.checks.copy_number import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
