"""Entry point of rule classify_variants: the acquired_variants check."""

from ipscqc.checks.acquired_variants import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
