"""Entry point of rule read_qc: the read_qc check (ipscqc.checks)."""

from ipscqc.checks.read_qc import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
