"""Entry point of rule identity_findings: the identity check (ipscqc.checks)."""

from ipscqc.checks.identity import main
from ipscqc.snake import run

if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
