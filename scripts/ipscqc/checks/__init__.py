"""The checks, in report order, and the declaration (``CheckSpec``) of each.

Each check is one module here with the same shape (docs/development.md):

- ``SPEC``: the check's name, title and declared metrics (``ipscqc.contract``);
- ``analyse(inputs, settings) -> Findings``: the pure core, on in-memory inputs;
- ``main(inputs, outputs, params)``: file reading and writing around it, run by the
  check's thin entry script under Snakemake.

Check modules import only light modules at their top; the numeric libraries are
imported inside the functions that use them, so that reading the declarations (the
gate, the report, the docs) does not pay for them.
"""

from __future__ import annotations

import importlib
from functools import cache

from ipscqc.contract import CheckSpec

CHECKS = (
    "read_qc",
    "acquired_variants",
    "copy_number",
    "identity",
    "sex",
    "contamination",
    "vectors",
)


@cache
def spec_of(check: str) -> CheckSpec:
    """The declaration of a check, by name."""
    if check not in CHECKS:
        raise KeyError(f"unknown check {check!r}; expected one of {', '.join(CHECKS)}")
    return importlib.import_module(f"ipscqc.checks.{check}").SPEC


def specs() -> dict[str, CheckSpec]:
    return {check: spec_of(check) for check in CHECKS}


def checks_for(role: str, checks: tuple[str, ...] = CHECKS) -> list[str]:
    """The checks that run for a sample of this role (``line`` or ``parental``)."""
    return [check for check in checks if role in spec_of(check).roles]
