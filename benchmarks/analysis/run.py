"""Speed and memory of the workflow's Python analysis steps at human-genome size.

    python benchmarks/analysis/run.py [--out DIR] [--quick] [--keep DIR] [--steps A,B]
    python benchmarks/analysis/run.py --profile STEP [--quick] [--keep DIR] [--tracemalloc]

Writes synthetic GRCh38-sized inputs (benchmarks/analysis/synthetic.py: a 3.1 Gb FASTA,
3.1 M depth bins per sample, a 4 M-record donor VCF, a 4.5 M-row candidate table, a GFF3
of 62,000 genes, identity cohorts of 50,000 sites) to a temporary folder, then runs every
step in a process of its own, pinned to one core with one thread per numeric library, as
its workflow job runs it (benchmarks/analysis/steps.py: the step's ``main`` on the
rule's files, reading, analysis and writing). Each step's wall time and peak resident
memory (``wait4`` of that process) are set against the goal of the project: every
Python step of a 30x line/parental pair under 10 min and 4 GB on one core. Input
generation is not counted.

``--quick`` runs everything at 1/50 of GRCh38, with 4 samples per donor in the larger
identity cohort and two steps at a time (about 30 s on 2 cores; the unit test's scale;
its times are a smoke test, not figures). The table goes to ``DIR/results_grch38.tsv``
(``results_quick.tsv`` with ``--quick``): per step its wall and CPU seconds, peak RSS,
the goal and whether it is met, the seconds of imports, reading (``read_s``), analysis
core (``core_s``) and the rest of ``main`` (``rest_s``: writing its outputs), and the
memory its rule asks for (``rule_mem_mb``, rules/*.smk).
``--profile STEP`` runs the steps STEP needs, then STEP under cProfile and with its RSS
sampled (``--tracemalloc``: also traced), and prints where its time and memory go.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from steps import STEPS  # noqa: E402

GOAL_SECONDS = 600
GOAL_MB = 4096
QUICK_SCALE = 1 / 50
QUICK_COHORT = 4  # samples per donor of the larger identity cohort with --quick (20)
COLUMNS = [
    "step",
    "rule",
    "input_size",
    "wall_s",
    "peak_rss_mb",
    "goal",
    "met",
    "cpu_s",
    "imports_s",
    "read_s",
    "core_s",
    "rest_s",
    "rule_mem_mb",
]
SINGLE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}


def rule_memory() -> dict[str, int]:
    """The mem_mb each rule of rules/*.smk asks for (its first attempt)."""
    memory = {}
    for path in sorted((REPO / "rules").glob("*.smk")):
        text = path.read_text()
        for block in re.split(r"\n(?=rule )", text):
            name = re.match(r"rule (\w+):", block)
            mem = re.search(r"mem_mb=(?:memory_by_attempt\()?(\d+)", block)
            if name and mem:
                memory[name.group(1)] = int(mem.group(1))
    return memory


def start_step(step: str, manifest: Path, folder: Path, cpu: int, extra=()) -> dict:
    """Start one step in its own process, pinned to ``cpu``, one thread per library."""
    command = [
        sys.executable,
        str(HERE / "steps.py"),
        step,
        str(manifest),
        str(folder / f"{step}.result.json"),
        *extra,
    ]
    environment = {**os.environ, **SINGLE_THREAD, "MPLBACKEND": "Agg"}
    log = open(folder / f"{step}.log", "w")  # noqa: SIM115 (closed in finish_step)
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    return {
        "step": step,
        "process": process,
        "log": log,
        "cpu": cpu,
        "start": time.perf_counter(),
        "folder": folder,
    }


def finish_step(job: dict, status: int, usage) -> dict:
    """A finished step's wall time, CPU time and peak RSS (its own ``wait4`` rusage),
    with the phases it measured itself."""
    wall = time.perf_counter() - job["start"]
    job["log"].close()
    step, folder = job["step"], job["folder"]
    row = {
        "step": step,
        "rule": STEPS[step][0],
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = (folder / f"{step}.log").read_text().strip().splitlines()[-5:]
        row.update(error="; ".join(tail) or f"exit {code}")
        return row
    details = json.loads((folder / f"{step}.result.json").read_text())
    row.update(
        input_size=details["input_size"],
        imports_s=details["imports_s"],
        read_s=details["read_s"],
        core_s=details["core_s"],
        rest_s=details["main_s"] - details["read_s"] - details["core_s"],
        details=details,
    )
    return row


def run_one(step: str, manifest: Path, folder: Path, extra=()) -> dict:
    """Run one step on the first core this process may use."""
    job = start_step(step, manifest, folder, min(os.sched_getaffinity(0)), extra)
    _, status, usage = os.wait4(job["process"].pid, 0)
    return finish_step(job, status, usage)


def run_steps(steps: list[str], manifest: Path, folder: Path, jobs: int, report) -> list[dict]:
    """Run the steps, at most ``jobs`` at a time (each on a core of its own), a step only
    after the steps whose outputs it reads; ``report(row)`` as each one ends."""
    cpus = sorted(os.sched_getaffinity(0))[: max(1, jobs)]
    waiting, running, done, rows = list(steps), {}, set(), {}
    while waiting or running:
        free = [cpu for cpu in cpus if cpu not in {job["cpu"] for job in running.values()}]
        for step in list(waiting):
            if not free:
                break
            if all(d in done or d not in steps for d in STEPS[step][2]):
                waiting.remove(step)
                job = start_step(step, manifest, folder, free.pop(0))
                running[job["process"].pid] = job
        if not running:
            raise RuntimeError(f"steps waiting on steps that never ran: {waiting}")
        pid, status, usage = os.wait4(-1, 0)
        job = running.pop(pid)
        rows[job["step"]] = finish_step(job, status, usage)
        done.add(job["step"])
        report(rows[job["step"]])
    return [rows[step] for step in steps]


def table_row(row: dict, memory: dict[str, int]) -> dict:
    met = "failed"
    if "error" not in row:
        within = row["wall_s"] <= GOAL_SECONDS and row["peak_rss_mb"] <= GOAL_MB
        met = "yes" if within else "no"
    out = {column: row.get(column, "") for column in COLUMNS}
    out.update(
        goal=f"<= {GOAL_SECONDS} s, <= {GOAL_MB} MB",
        met=met,
        rule_mem_mb=memory.get(row["rule"], ""),
    )
    for column in ("wall_s", "peak_rss_mb", "cpu_s", "imports_s", "read_s", "core_s", "rest_s"):
        if isinstance(out[column], float):
            out[column] = f"{out[column]:.1f}" if column != "peak_rss_mb" else f"{out[column]:.0f}"
    return out


def write_table(rows: list[dict], path: Path) -> None:
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join(str(row[column]) for column in COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def needed(steps: list[str]) -> list[str]:
    """The steps in STEPS order, with the steps whose outputs they read."""
    wanted = set()

    def add(step):
        if step not in wanted:
            wanted.add(step)
            for dependency in STEPS[step][2]:
                add(dependency)

    for step in steps:
        add(step)
    return [step for step in STEPS if step in wanted]


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{model or platform.processor()}; {os.cpu_count()} cores (nproc "
        f"{len(os.sched_getaffinity(0))}); memory {memory:.1f} GiB; Python "
        f"{platform.python_version()}; load average {load}"
    )


def prepare_inputs(folder: Path, scale: float) -> Path:
    """Generate the inputs in ``folder`` unless a manifest of that scale is there. In a
    process of its own: a step's peak RSS would otherwise start at this process's (the
    kernel counts the forking parent's resident pages in the child's maximum)."""
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["scale"] == scale:
        print(f"inputs: reusing {folder}", flush=True)
        return manifest
    start = time.perf_counter()
    cohort = QUICK_COHORT if scale < 1 else 20
    command = [sys.executable, str(HERE / "synthetic.py"), str(folder), str(scale), str(cohort)]
    subprocess.run(command, check=True)
    print(f"inputs: generated in {time.perf_counter() - start:.0f} s ({folder})", flush=True)
    return manifest


def profile(step: str, manifest: Path, folder: Path, top: int = 15, tracemalloc=False) -> None:
    """Run the steps ``step`` needs, then ``step`` under cProfile, then with its RSS
    sampled (and under tracemalloc); print its project functions by cumulative time, all
    functions by own time, the project functions RSS grows in and the stack at its peak
    (the allocation sites that hold the most memory near the traced peak)."""
    for dependency in needed([step])[:-1]:
        if not (folder / f"{dependency}.result.json").exists():
            run_one(dependency, manifest, folder)
    stats_path = folder / f"{step}.prof"
    row = run_one(step, manifest, folder, ["--profile", str(stats_path)])
    if "error" in row:
        sys.exit(f"{step} failed: {row['error']}")
    print(
        f"\n{step} under cProfile: wall {row['wall_s']:.1f} s, peak RSS {row['peak_rss_mb']:.0f} MB"
    )
    stats = pstats.Stats(str(stats_path))
    project, own = [], []
    for (filename, line, function), (_, _, tt, ct, _) in stats.stats.items():
        name = f"{Path(filename).name}:{line}({function})"
        own.append((tt, name))
        if "/scripts/" in filename and function != "<module>":
            project.append((ct, name))
    print("\nproject functions by cumulative seconds:")
    for seconds, name in sorted(project, reverse=True)[:top]:
        print(f"  {seconds:8.1f}  {name}")
    print("\nall functions by own seconds:")
    for seconds, name in sorted(own, reverse=True)[:top]:
        print(f"  {seconds:8.1f}  {name}")
    row = run_one(step, manifest, folder, ["--rss", str(top)])
    if "error" in row:
        sys.exit(f"{step} failed while sampling RSS: {row['error']}")
    sampled = row["details"]["rss"]
    print(
        f"\n{step} with RSS sampling: peak {sampled['peak_mb']} MB (wait4: "
        f"{row['peak_rss_mb']:.0f} MB); project frames at the peak, innermost first:"
    )
    for name in sampled["stack_at_peak"]:
        print(f"  {name}")
    print(
        f"\nrises of the peak (MB, from {sampled['start_mb']} MB at the start of main) while "
        "each project function was the innermost one running:"
    )
    for entry in sampled["growth_by_function"]:
        print(f"  {entry['mb']:8d}  {entry['function']}")
    if tracemalloc:
        row = run_one(step, manifest, folder, ["--tracemalloc", str(top)])
        if "error" in row:
            sys.exit(f"{step} failed under tracemalloc: {row['error']}")
        traced = row["details"]["tracemalloc"]
        print(
            f"\n{step} under tracemalloc: peak traced {traced['peak_traced_mb']} MB; "
            f"near the peak ({traced['snapshot_mb']} MB):"
        )
        for entry in traced["top"]:
            print(
                f"  {entry['mb']:8.1f} MB  {' < '.join(reversed(entry['project_frames']))}"
                f"  [{entry['allocated_at']}]"
            )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder of the results table")
    parser.add_argument("--quick", action="store_true", help="1/50 of GRCh38 (seconds)")
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the inputs here, keep them")
    parser.add_argument("--steps", help="comma-separated steps (and what they need)")
    parser.add_argument("--profile", choices=sorted(STEPS), help="profile one step")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="with --profile: also trace allocations (slow and memory-hungry "
        "on millions of strings)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="steps run side by side, each on its own core (default 1; "
        "--quick: 2, its times are then not one core's alone)",
    )
    args = parser.parse_args(argv)
    scale = QUICK_SCALE if args.quick else 1.0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ipscqc-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    try:
        manifest = prepare_inputs(folder, scale)
        if args.profile:
            profile(args.profile, manifest, folder, tracemalloc=args.tracemalloc)
            return 0
        steps = needed(args.steps.split(",")) if args.steps else list(STEPS)
        jobs = args.jobs or (min(2, len(os.sched_getaffinity(0))) if args.quick else 1)
        start = time.perf_counter()

        def report(row):
            shown = row.get("error") or (
                f"{row['wall_s']:.1f} s, {row['peak_rss_mb']:.0f} MB ({row['input_size']})"
            )
            print(f"{row['step']}: {shown}", flush=True)

        memory = rule_memory()
        rows = [table_row(row, memory) for row in run_steps(steps, manifest, folder, jobs, report)]
        print(f"steps: {time.perf_counter() - start:.0f} s in all ({jobs} at a time)", flush=True)
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / ("results_quick.tsv" if args.quick else "results_grch38.tsv")
        write_table(rows, path)
        print(f"table: {path}", flush=True)
        return 1 if any(row["met"] == "failed" for row in rows) else 0
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
