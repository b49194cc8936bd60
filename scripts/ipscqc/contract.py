"""The check contract: what every check declares, returns and writes.

- A check declares its numbers once, as ``Metric`` entries of its ``CheckSpec``, read
  from the YAML file beside its module (``checks/<check>.yaml``): name, kind, meaning,
  unit, report title and format, and the findings section it lives in (``metrics``:
  the headline numbers; ``adequacy``: how well the check could look).
  The gate's rules, the report's columns, the findings schema and the docs tables are
  all derived from these declarations (docs/development.md).
- A check's pure core, ``analyse(inputs, settings)``, returns a ``Findings``. When it
  cannot look at a sample at all it raises ``CannotAnalyse(reason)``; the entry point
  then writes the check's null findings (every declared number null, the reason in
  ``not_assessed`` and in the notes).
- Findings are validated against ``schemas/findings.schema.yaml`` plus the check's
  declarations when they are written (a producer bug stops the job) and when they are
  read (a file that does not validate makes the gate INCONCLUSIVE for that check, the
  validation message being the reason).

This module imports only the standard library (and jsonschema, when validating), so
that the gate and the report, which read declarations, start quickly.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FINDINGS_FORMAT = "ipsc-qc findings 1"
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
SECTIONS = ("metrics", "adequacy")

# Metric kinds and the JSON types they allow (null is always allowed: not measured).
KINDS: dict[str, dict] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "fraction": {"type": "number", "minimum": 0, "maximum": 1},
    "boolean": {"type": "boolean"},
    "string": {"type": "string"},
    "category": {"type": "string"},
    "strings": {"type": "array", "items": {"type": "string"}},
}


@dataclass(frozen=True)
class Metric:
    """One number (or label) a check writes, declared once.

    ``title`` and ``format`` are how the report shows it (no title: not a report
    column); ``values`` lists the allowed values of a category.
    """

    name: str
    kind: str
    meaning: str
    unit: str = ""
    section: str = "metrics"
    title: str = ""
    format: str = ""
    values: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name}: unknown kind {self.kind!r}")
        if self.section not in SECTIONS:
            raise ValueError(f"metric {self.name}: unknown section {self.section!r}")

    def json_schema(self) -> dict:
        schema = dict(KINDS[self.kind])
        if self.values:
            schema["enum"] = list(self.values)
        return {"anyOf": [schema, {"type": "null"}], "description": self.meaning}


def load_spec(module_file: str | Path) -> CheckSpec:
    """The declaration of a check from the YAML file beside its module
    (``checks/<check>.yaml``): title, summary, description (of its report section),
    roles, paired, item_columns, and its
    numbers under ``metrics`` and ``adequacy``, each with name, kind, meaning and
    optionally unit, title, format and values."""
    import yaml

    path = Path(module_file).with_suffix(".yaml")
    document = yaml.safe_load(path.read_text())
    numbers = tuple(
        Metric(
            section=section, **{key: tuple(v) if key == "values" else v for key, v in entry.items()}
        )  # fmt: skip
        for section in SECTIONS
        for entry in document.get(section) or []
    )
    return CheckSpec(
        name=path.stem,
        title=document["title"],
        summary=document["summary"],
        metrics=numbers,
        description=document.get("description", document["summary"]),
        roles=tuple(document.get("roles", ("parental", "line"))),
        paired=bool(document.get("paired", False)),
        item_columns=tuple(document.get("item_columns") or ()),
    )


def metric(name: str, kind: str, meaning: str, **options) -> Metric:
    return Metric(name, kind, meaning, section="metrics", **options)


def adequacy(name: str, kind: str, meaning: str, **options) -> Metric:
    return Metric(name, kind, meaning, section="adequacy", **options)


@dataclass(frozen=True)
class CheckSpec:
    """What a check is: its name, its declared numbers and what it applies to.

    ``roles``: the sample roles it runs for; ``paired``: its evidence is a comparison
    with the parental (weaker in line-only mode); ``item_columns``: the item fields the
    report shows first, in order.
    """

    name: str
    title: str
    summary: str
    metrics: tuple[Metric, ...]
    description: str = ""  # the report section's description
    roles: tuple[str, ...] = ("parental", "line")
    paired: bool = False
    item_columns: tuple[str, ...] = ()

    def __post_init__(self):
        names = [m.name for m in self.metrics]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"check {self.name}: metrics declared twice: {repeated}")

    def metric(self, name: str) -> Metric:
        for declared in self.metrics:
            if declared.name == name:
                return declared
        raise KeyError(f"check {self.name} declares no metric {name!r}")

    def declares(self, name: str) -> bool:
        return any(declared.name == name for declared in self.metrics)

    def section(self, section: str) -> tuple[Metric, ...]:
        return tuple(m for m in self.metrics if m.section == section)

    def reported(self) -> tuple[Metric, ...]:
        """Metrics shown as report columns, in declaration order."""
        return tuple(m for m in self.metrics if m.title)


@dataclass
class SampleInputs:
    """What every check's inputs start with: the sample and the parental sample it is
    compared with (None: line-only mode). Each check's inputs extend it."""

    sample: str
    parental: str | None


class CannotAnalyse(Exception):
    """Raised by a check's core when it cannot look at the sample at all."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Findings:
    """What a check found for one sample: the shared envelope of every findings file."""

    check: str
    sample: str
    parental: str | None
    metrics: dict[str, Any]
    adequacy: dict[str, Any]
    items: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_assessed: str | None = None  # why the check could not look, when it could not
    # the check's tables (sites, segments...), written beside the findings by its entry
    # point; not part of the findings document
    tables: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def mode(self) -> str:
        return "paired" if self.parental else "line_only"

    def document(self) -> dict:
        return {
            "format": FINDINGS_FORMAT,
            "check": self.check,
            "sample": self.sample,
            "parental": self.parental or None,
            "mode": self.mode,
            "not_assessed": self.not_assessed,
            "adequacy": self.adequacy,
            "metrics": self.metrics,
            "items": self.items,
            "notes": self.notes,
        }


def findings(
    spec: CheckSpec,
    sample: str,
    parental: str | None,
    values: dict[str, Any],
    items: list[dict] | None = None,
    notes: list[str] | None = None,
) -> Findings:
    """Findings from a flat dict of every declared number, placed in its section.

    A declared number missing from ``values``, or a value nobody declared, is a
    programming error of the check and raises: what a check writes is its declaration.
    """
    declared = {m.name for m in spec.metrics}
    missing = sorted(declared - set(values))
    undeclared = sorted(set(values) - declared)
    if missing or undeclared:
        raise ValueError(
            f"check {spec.name}: values do not match its declaration"
            f" (missing {missing}, undeclared {undeclared})"
        )
    sections = {
        section: {m.name: values[m.name] for m in spec.section(section)} for section in SECTIONS
    }
    return Findings(
        spec.name,
        sample,
        parental or None,
        sections["metrics"],
        sections["adequacy"],
        list(items or []),
        list(notes or []),
    )


def null_findings(spec: CheckSpec, sample: str, parental: str | None, reason: str) -> Findings:
    """The findings of a check that could not look: every declared number null."""
    result = findings(spec, sample, parental, dict.fromkeys(m.name for m in spec.metrics))
    result.notes = [f"not assessed: {reason}"]
    result.not_assessed = reason
    return result


# ---------------------------------------------------------------- schema


@cache
def envelope_schema() -> dict:
    import yaml

    return yaml.safe_load((SCHEMAS / "findings.schema.yaml").read_text())


def findings_schema(spec: CheckSpec) -> dict:
    """The envelope schema narrowed to one check: its name, and every declared number
    present in its section with its declared type."""
    schema = json.loads(json.dumps(envelope_schema()))
    properties = schema["properties"]
    properties["check"] = {"const": spec.name}
    for section in SECTIONS:
        declared = spec.section(section)
        properties[section] = {
            "type": "object",
            "properties": {m.name: m.json_schema() for m in declared},
            "required": [m.name for m in declared],
            "additionalProperties": False,
        }
    return schema


def validation_problems(document: Any, spec: CheckSpec) -> list[str]:
    """Where a findings document breaks the schema: one message per problem."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(findings_schema(spec))
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(document)"
        problems.append(f"{where}: {error.message}")
    return problems


# ---------------------------------------------------------------- files


def clean(value: Any) -> Any:
    """JSON-safe values: NaN and infinities become null, numpy scalars plain numbers,
    tuples lists."""
    if isinstance(value, dict):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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
    text = json.dumps(clean(document), indent=1, sort_keys=True, allow_nan=False)
    write_atomic(path, text + "\n")


def read_json(path: str | Path) -> Any:
    with open(path) as handle:
        return json.load(handle)


def write_findings(path: str | Path, result: Findings, spec: CheckSpec) -> None:
    """Validate and write one findings file; a document that breaks the contract is a
    bug of the check and raises before anything is written."""
    document = clean(result.document())
    problems = validation_problems(document, spec)
    if problems:
        raise ValueError(
            f"findings of {spec.name} for {result.sample} break the contract: "
            + "; ".join(problems[:5])
        )
    write_json(path, document)


def load_findings(path: str | Path, spec: CheckSpec, sample: str) -> tuple[dict | None, str | None]:
    """(document, problem): a findings file that validates and is about this sample,
    or None and why it cannot be used (missing, unreadable, invalid, another sample)."""
    path = Path(path)
    if not path.exists():
        return None, f"findings file {path.name} is missing (the check did not run)"
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"findings file {path.name} is unreadable ({type(error).__name__})"
    problems = validation_problems(document, spec)
    if problems:
        shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
        return None, f"findings file {path.name} does not validate: {shown}"
    if document["sample"] != sample:
        return None, f"findings file {path.name} is about sample {document['sample']!r}"
    return document, None


def config_defaults(*section: str) -> dict:
    """The defaults of a config section, from schemas/config.schema.yaml (the one place
    that holds them): ``config_defaults("sex")``, ``config_defaults("params", "read_qc")``.
    Unit tests build settings from these; a run's settings are its validated config."""
    import yaml

    schema = yaml.safe_load((SCHEMAS / "config.schema.yaml").read_text())
    for key in section:
        schema = schema["properties"][key]
    return {
        key: spec["default"]
        for key, spec in schema.get("properties", {}).items()
        if "default" in spec
    }
