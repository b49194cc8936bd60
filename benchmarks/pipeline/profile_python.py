"""Hot spots of the Python analysis steps of a finished run (cProfile).

Reruns the workflow's ``script:`` rules in a finished working folder with a
``sitecustomize`` module on PYTHONPATH that profiles each script process (and only
those: Snakemake runs a script as ``.snakemake/scripts/tmp*.<name>.py``) and writes one
cProfile file per job. The workflow code is not touched. Tabulates, per script, the
profiled seconds and the functions that take the most time of their own.
"""

from __future__ import annotations

import pstats
import subprocess
import sys
from pathlib import Path

import pandas as pd

SITECUSTOMIZE = """\
import atexit, cProfile, os, sys
_script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
if "/.snakemake/scripts/" in os.path.abspath(sys.argv[0] or "") and _script.endswith(".py"):
    _name = _script.split(".", 1)[1] if "." in _script else _script
    _profile = cProfile.Profile()
    _profile.enable()

    def _dump():
        _profile.disable()
        folder = os.environ["IPSCQC_PROFILE_DIR"]
        _profile.dump_stats(os.path.join(folder, f"{_name}.{os.getpid()}.prof"))

    atexit.register(_dump)
"""


def rerun_profiled(workdir: Path, config: Path, snakefile: Path, rules: list[str],
                   cores: int, out: Path, environment: dict) -> None:  # fmt: skip
    """Rerun the named rules (and what depends on them) with every script profiled."""
    out.mkdir(parents=True, exist_ok=True)
    hook = out / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(snakefile),
        "--directory", str(workdir), "--configfile", str(config), "--cores", str(cores),
        "--forcerun", *rules,
    ]  # fmt: skip
    env = {"PYTHONPATH": str(hook), "IPSCQC_PROFILE_DIR": str(out)}
    with open(out / "snakemake.log", "w") as log:
        subprocess.run(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            env={**environment, **env},
        )


def hot_spots(folder: Path, top: int = 3) -> pd.DataFrame:
    """Per script: jobs, profiled seconds, and its top functions by own time."""
    rows = []
    by_script: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.prof")):
        by_script.setdefault(path.name.split(".")[0], []).append(path)
    for script, paths in by_script.items():
        stats = pstats.Stats(*[str(p) for p in paths])
        entries = []
        for (filename, line, function), (_, _, own, cumulative, _) in stats.stats.items():
            entries.append((own, cumulative, f"{Path(filename).name}:{line}({function})"))
        entries.sort(reverse=True)
        rows.append(
            {
                "script": script,
                "jobs": len(paths),
                "profiled_s": round(stats.total_tt, 2),
                "top_own_time": "; ".join(f"{name} {own:.2f}s" for own, _, name in entries[:top]),
            }
        )
    frame = pd.DataFrame(rows, columns=["script", "jobs", "profiled_s", "top_own_time"])
    return frame.sort_values("profiled_s", ascending=False).reset_index(drop=True)
