"""Scripts that Snakemake runs through script: must survive its preamble."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def script_paths() -> list[Path]:
    names = set()
    for rules in (REPO / "rules").glob("*.smk"):
        names.update(re.findall(r'"\.\./scripts/([A-Za-z0-9_]+\.py)"', rules.read_text()))
    return [REPO / "scripts" / name for name in sorted(names)]


def test_every_script_directive_names_an_existing_script():
    paths = script_paths()
    assert paths, "no script: directives found"
    missing = [path.name for path in paths if not path.exists()]
    assert not missing


def test_no_future_import_in_scripts_run_by_snakemake():
    """Snakemake puts its preamble before the script's source, so a
    `from __future__` import there is a SyntaxError at run time."""
    offenders = [path.name for path in script_paths() if "from __future__" in path.read_text()]
    assert not offenders, offenders
