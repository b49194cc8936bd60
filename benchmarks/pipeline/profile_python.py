"""Hot spots of the Python analysis steps of a finished run (cProfile).

The main benchmark run keeps Snakemake's wrapper scripts (``--skip-script-cleanup``):
each ``.snakemake/scripts/tmp*.<name>.py`` is one ``script:`` job with its inputs,
outputs and parameters embedded. After the run each is executed once more, on its own,
under ``python -m cProfile`` in the run's folder, so every Python step is profiled with
its real inputs and nothing else runs again (the outputs it rewrites are the same). The
workflow code is not touched. Tabulates, per script, the profiled seconds and the
functions that take the most time of their own.
"""

from __future__ import annotations

import pstats
import subprocess
import sys
from pathlib import Path

import pandas as pd

# strict_gate exits 1 by design when a line is not PASS; it only reads one table
SKIP = {"strict_gate"}


def script_name(wrapper: Path) -> str:
    """copy_number_call from .snakemake/scripts/tmpab12cd.copy_number_call.py"""
    return wrapper.name.split(".", 1)[1].removesuffix(".py")


def rerun_profiled(workdir: Path, out: Path, environment: dict) -> list[str]:
    """Profile every kept wrapper script; returns the scripts that failed on rerun."""
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for index, wrapper in enumerate(sorted((workdir / ".snakemake" / "scripts").glob("tmp*.py"))):
        name = script_name(wrapper)
        if name in SKIP:
            continue
        command = [sys.executable, "-m", "cProfile", "-o", str(out / f"{name}.{index}.prof"),
                   str(wrapper)]  # fmt: skip
        done = subprocess.run(command, cwd=workdir, env=environment, capture_output=True)
        if done.returncode != 0:
            failed.append(name)
    return failed


def hot_spots(folder: Path, top: int = 3) -> pd.DataFrame:
    """Per script: jobs, profiled seconds, seconds spent importing modules, the project's
    functions that take the most time (cumulative, calls included) and the functions
    of any code that take the most time of their own."""
    rows = []
    by_script: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.prof")):
        by_script.setdefault(path.name.split(".")[0], []).append(path)
    for script, paths in by_script.items():
        stats = pstats.Stats(*[str(p) for p in paths])
        own, project, import_s = [], [], 0.0
        for (filename, line, function), (_, _, own_s, cumulative, _) in stats.stats.items():
            name = f"{code_file(filename)}:{line}({function})"
            own.append((own_s, name))
            if function == "_find_and_load" and "importlib" in filename:
                import_s = max(import_s, cumulative)
            elif is_project_code(filename) and function != "<module>":
                project.append((cumulative, name))
        own.sort(reverse=True)
        project.sort(reverse=True)
        rows.append(
            {
                "script": script,
                "jobs": len(paths),
                "profiled_s": round(stats.total_tt, 2),
                "imports_s": round(import_s, 2),
                "top_project_cumulative": "; ".join(f"{n} {t:.2f}s" for t, n in project[:top]),
                "top_own_time": "; ".join(f"{n} {t:.2f}s" for t, n in own[:top]),
            }
        )
    columns = ["script", "jobs", "profiled_s", "imports_s", "top_project_cumulative",
               "top_own_time"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("profiled_s", ascending=False).reset_index(drop=True)


def code_file(filename: str) -> str:
    """File name of a profiled function; a kept wrapper is named after its script."""
    name = Path(filename).name
    if "/.snakemake/scripts/" in filename.replace("\\", "/") and name.startswith("tmp"):
        return script_name(Path(filename)) + ".py"
    return name


def is_project_code(filename: str) -> bool:
    """The project's Python: scripts/ipscqc modules and the scripts Snakemake runs."""
    path = filename.replace("\\", "/")
    return "/scripts/ipscqc/" in path or "/.snakemake/scripts/" in path
