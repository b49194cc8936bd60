"""The configuration as YAML gives it, made to mean what the user wrote.

YAML 1.1, which PyYAML (and so Snakemake) follows, reads a number in scientific
notation without a decimal point as text: ``1e-6`` and ``5E6`` are strings, while
``1.0e-6`` is a float. The rule here: where the config schema expects a number (or an
integer), a text value that is a number in scientific notation (``1e-6``, ``-2.5E+3``,
``5e6``) is read as that number (an integer only when the schema wants one and the value
is whole). Any other text stays text, and the schema then reports it as the wrong type.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping

SCIENTIFIC = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _types(spec: dict) -> set[str]:
    kind = spec.get("type", ())
    return {kind} if isinstance(kind, str) else set(kind)


def _number(text: str, types: set[str]):
    value = float(text)
    if "number" in types:
        return value
    if "integer" in types and value.is_integer():
        return int(value)
    return None


def numbers_written_as_text(config: MutableMapping, schema: dict, where: str = "") -> list[str]:
    """Turn, in place, every text value in scientific notation at a place where
    ``schema`` expects a number into that number; returns the dotted keys turned."""
    turned = []
    for key, spec in schema.get("properties", {}).items():
        if key not in config:
            continue
        value, place = config[key], f"{where}{key}"
        if isinstance(value, MutableMapping) and spec.get("properties"):
            turned += numbers_written_as_text(value, spec, f"{place}.")
        elif isinstance(value, str) and SCIENTIFIC.fullmatch(value.strip()):
            number = _number(value.strip(), _types(spec))
            if number is not None:
                config[key] = number
                turned.append(place)
    return turned


def load_yaml(path) -> dict:
    """A YAML file (the config schema) as a dict."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
