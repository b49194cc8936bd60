"""The findings envelope shared by every check, and its atomic, reproducible writer.

See docs/findings.md for the contract the release gate relies on.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

CHECKS = (
    "read_qc",
    "acquired_variants",
    "copy_number",
    "identity",
    "sex",
    "contamination",
    "vectors",
)


def _clean(value: Any) -> Any:
    """JSON-safe values: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def findings(
    check: str,
    sample: str,
    parental: str | None,
    adequacy: dict,
    metrics: dict,
    items: list | None = None,
    notes: list | None = None,
) -> dict:
    """Build a findings document in the shared envelope."""
    if check not in CHECKS:
        raise ValueError(f"unknown check {check!r}; expected one of {', '.join(CHECKS)}")
    return {
        "check": check,
        "sample": sample,
        "parental": parental or None,
        "mode": "paired" if parental else "line_only",
        "adequacy": adequacy,
        "metrics": metrics,
        "items": items or [],
        "notes": notes or [],
    }


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, document: dict) -> None:
    """Write a JSON document atomically, with sorted keys, so reruns give identical bytes."""
    text = json.dumps(_clean(document), indent=1, sort_keys=True, allow_nan=False)
    write_atomic(path, text + "\n")


def read_json(path: str | Path) -> dict:
    with open(path) as handle:
        return json.load(handle)
