"""Benchmark of the whole workflow: how fast, how big, and where the time goes.

    .venv/bin/python benchmarks/pipeline/run.py --mode small|default [--cores N] [--out DIR]
        [--genome-scale X] [--coverage-scale X] [--lines N] [--aligner bwa|minimap2]
        [--scaling | --no-scaling] [--no-profile] [--doc docs/benchmarks.md]
    .venv/bin/python benchmarks/pipeline/run.py --render-only OUT | --collect RESULTS

Generates a synthetic data set with the toy generator, runs the workflow on it, collects
every rule's ``benchmark:`` file into tables per rule and per stage (wall, CPU, peak RSS,
share of the total), runs a plain shell baseline with only the unavoidable tools on the
same inputs with the same threads (fastp; bwa mem | fixmate | sort; merge + markdup;
mpileup | call per donor), reports pipeline wall / baseline wall and the CPU share of
the Python analysis rules, reruns each Python step under cProfile, and counts the
planted truth each run found. The default mode also runs minimap2 on the main data set,
the scaling series (coverage, lines, cores) on a smaller genome and dry runs of large
cohorts. Writes JSON and Markdown under ``--out`` and the page ``--doc`` (``--collect``
writes the page only when ``--doc`` is given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "slurm"))

from cohort_dryrun import dry_run, write_cohort, write_config  # noqa: E402
from conftest import toy_config  # noqa: E402

sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_python import hot_spots, rerun_profiled  # noqa: E402
from toydata.design import sample_designs  # noqa: E402
from truth_recall import truth_recall  # noqa: E402

# Stage of each rule file; the reference index belongs to alignment, pre-flight to reads.
STAGE_OF_FILE = {
    "preflight": "reads",
    "reads": "reads",
    "reference": "alignment",
    "align": "alignment",
    "qc": "qc",
    "variants": "variants",
    "copy_number": "copy_number",
    "identity": "identity",
    "vectors": "vectors",
    "gate": "gate",
    "report": "report",
}
STAGES = list(dict.fromkeys(STAGE_OF_FILE.values()))
# genome scale, coverage scale, extra lines (the generator's parental sample is 20x)
MODES = {
    "small": {"genome_scale": 0.2, "coverage_scale": 0.5, "lines": 0},
    "default": {"genome_scale": 0.3, "coverage_scale": 1.0, "lines": 0},
}
GENERATOR_PARENTAL_DEPTH = 20
SCALING_GENOME = 0.1  # genome scale of the scaling series


# ------------------------------------------------------------------ rule catalogue
def rule_catalogue(rules_dir: Path = REPO / "rules") -> pd.DataFrame:
    """Every rule with a benchmark file: name, stage, benchmark pattern, script rule."""
    rows = []
    for path in sorted(rules_dir.glob("*.smk")):
        stage = STAGE_OF_FILE.get(path.stem)
        blocks = re.split(r"^\s*rule\s+", path.read_text(), flags=re.M)[1:]
        for block in blocks:
            name = block.split(":", 1)[0].strip()
            bench = re.search(r'benchmark_of\(\s*"([^"]+)"', block)
            rows.append(
                {
                    "rule": name,
                    "stage": stage or path.stem,
                    "pattern": bench.group(1) if bench else None,
                    "python": bool(re.search(r"^\s+script:", block, flags=re.M)),
                }
            )
    return pd.DataFrame(rows)


def pattern_regex(pattern: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", pattern)
    body = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{body}$")


def rule_of(relative: str, catalogue: pd.DataFrame) -> pd.Series | None:
    """The rule whose benchmark pattern matches a benchmark file (literal patterns first)."""
    candidates = catalogue.dropna(subset=["pattern"]).copy()
    candidates["wildcards"] = candidates["pattern"].str.count(r"\{")
    for _, row in candidates.sort_values("wildcards").iterrows():
        if pattern_regex(row["pattern"]).match(relative):
            return row
    return None


def collect_benchmarks(results: Path, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per benchmark file: rule, stage, python, wall s, CPU s, max RSS MB."""
    rows = []
    root = results / "benchmarks"
    for path in sorted(root.rglob("*.tsv")):
        relative = str(path.relative_to(root))[: -len(".tsv")]
        rule = rule_of(relative, catalogue)
        table = pd.read_csv(path, sep="\t")
        rows.append(
            {
                "job": relative,
                "rule": rule["rule"] if rule is not None else relative.split("/")[0],
                "stage": rule["stage"] if rule is not None else "other",
                "python": bool(rule["python"]) if rule is not None else False,
                "wall_s": float(table["s"].iloc[-1]),
                "cpu_s": float(pd.to_numeric(table["cpu_time"], errors="coerce").iloc[-1]),
                "max_rss_mb": float(pd.to_numeric(table["max_rss"], errors="coerce").iloc[-1]),
            }
        )
    return pd.DataFrame(
        rows, columns=["job", "rule", "stage", "python", "wall_s", "cpu_s", "max_rss_mb"]
    )


def summarise(jobs: pd.DataFrame, by: str) -> pd.DataFrame:
    """Wall, CPU and peak RSS per rule or stage, with the share of the total."""
    table = (
        jobs.groupby(by)
        .agg(
            jobs=("job", "count"),
            wall_s=("wall_s", "sum"),
            cpu_s=("cpu_s", "sum"),
            max_rss_mb=("max_rss_mb", "max"),
        )
        .fillna(0.0)
    )
    table["wall_share"] = table["wall_s"] / max(table["wall_s"].sum(), 1e-9)
    table["cpu_share"] = table["cpu_s"] / max(table["cpu_s"].sum(), 1e-9)
    if by == "stage":
        table = table.reindex(
            [s for s in STAGES if s in table.index] + [s for s in table.index if s not in STAGES]
        )
    else:
        table = table.sort_values("wall_s", ascending=False)
    return table.reset_index()


def python_share(jobs: pd.DataFrame) -> float | None:
    total = jobs["cpu_s"].sum()
    if not total:
        return None
    return float(jobs.loc[jobs["python"], "cpu_s"].sum() / total)


# ------------------------------------------------------------------ data and runs
def generate(outdir: Path, genome_scale: float, coverage_scale: float, lines: int) -> float:
    command = [
        sys.executable, "-m", "toydata", "--outdir", str(outdir),
        "--genome-scale", str(genome_scale), "--coverage-scale", str(coverage_scale),
        "--quiet",
    ]  # fmt: skip
    if lines:
        command += ["--lines", str(lines)]
    start = time.monotonic()
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(REPO / "scripts")})
    return time.monotonic() - start


def run_pipeline(data: Path, workdir: Path, cores: int, aligner: str = "bwa") -> float:
    """Wall seconds of a full workflow run in its own working folder."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "config.yaml"
    settings = yaml.safe_load(toy_config(data))
    settings["params"]["aligner"] = aligner
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
        "--directory", str(workdir), "--configfile", str(config), "--cores", str(cores),
        "--skip-script-cleanup",  # keeps each script job's wrapper for the profiling rerun
    ]  # fmt: skip
    start = time.monotonic()
    with open(workdir / "snakemake.log", "w") as log:
        completed = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, check=False, env=tool_environment()
        )
    seconds = time.monotonic() - start
    if completed.returncode != 0:
        raise RuntimeError(
            f"workflow failed (exit {completed.returncode}): {workdir}/snakemake.log"
        )
    return seconds


def tool_environment(**extra: str) -> dict:
    """This interpreter's environment with its bin folder (MultiQC, snakemake) on PATH."""
    tools = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def baseline_script(data: Path, workdir: Path, cores: int) -> str:
    """The plain shell equivalent: the unavoidable tools only, same threads."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())["params"]
    samples = pd.read_csv(data / "samples.tsv", sep="\t", dtype=str).fillna("")
    units = pd.read_csv(data / "units.tsv", sep="\t", dtype=str)
    q = shlex.quote
    ref = workdir / "genome.fa"
    fastp_threads = min(2, cores)
    lines = [
        "set -euo pipefail",
        f"cd {q(str(workdir))}",
        f"cat {q(str(data / 'reference/genome.fa'))} {q(str(data / 'reference/vectors.fa'))}"
        f" > {q(str(ref))}",
        f"samtools faidx {q(str(ref))}",
        f"bwa index {q(str(ref))} 2> bwa_index.log",
    ]
    for unit in units.itertuples():
        name = f"{unit.sample}.{unit.unit}"
        fq1, fq2 = (str(data / path) for path in (unit.fq1, unit.fq2))
        rg = f"@RG\\tID:{name}\\tSM:{unit.sample}\\tLB:{unit.sample}\\tPU:{unit.unit}\\tPL:ILLUMINA"
        lines += [
            f"fastp --in1 {q(fq1)} --in2 {q(fq2)} --out1 {name}.R1.fq.gz"
            f" --out2 {name}.R2.fq.gz --json {name}.fastp.json --html {name}.fastp.html"
            f" --detect_adapter_for_pe --length_required {config['fastp']['min_length']}"
            f" --thread {fastp_threads} 2> {name}.fastp.log",
            f"bwa mem -t {cores} -K 100000000 -Y -R {q(rg)} {q(str(ref))}"
            f" {name}.R1.fq.gz {name}.R2.fq.gz 2> {name}.bwa.log"
            f" | samtools fixmate -m -u - -"
            f" | samtools sort -@ {cores} -l 1 -o {name}.bam - 2> /dev/null",
        ]
    for sample, group in units.groupby("sample"):
        bams = " ".join(f"{sample}.{unit}.bam" for unit in group["unit"])
        lines.append(
            f"samtools merge -@ {cores} -u -o - {bams} | samtools markdup -@ {cores}"
            f" - {sample}.md.bam 2> {sample}.markdup.log && samtools index {sample}.md.bam"
        )
    mp = config["mpileup"]
    for donor, group in samples.groupby("donor"):
        bams = " ".join(f"{sample}.md.bam" for sample in group["sample"])
        lines.append(
            f"bcftools mpileup -f {q(str(ref))} -a FORMAT/AD,FORMAT/DP"
            f" -q {mp['min_mapq']} -Q {mp['min_baseq']} -d {mp['max_depth']} -Ou {bams}"
            f" | bcftools call -mv -Oz -o {donor}.vcf.gz 2> {donor}.call.log"
        )
    return "\n".join(lines) + "\n"


def run_baseline(data: Path, workdir: Path, cores: int) -> float:
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "baseline.sh"
    script.write_text(baseline_script(data, workdir, cores))
    start = time.monotonic()
    subprocess.run(["bash", str(script)], check=True)
    return time.monotonic() - start


def measure(
    data: Path, workdir: Path, cores: int, baseline: bool = True, aligner: str = "bwa"
) -> dict:
    """One pipeline run (and its baseline) on one data set."""
    catalogue = rule_catalogue()
    pipeline_s = run_pipeline(data, workdir / "pipeline", cores, aligner)
    jobs = collect_benchmarks(workdir / "pipeline" / "results", catalogue)
    result = {
        "cores": cores,
        "aligner": aligner,
        "pipeline_wall_s": pipeline_s,
        "python_cpu_share": python_share(jobs),
        "benchmarked_cpu_s": float(jobs["cpu_s"].sum()),
        "jobs": jobs,
        "reads": read_pairs(data),
    }
    if baseline:
        baseline_s = run_baseline(data, workdir / "baseline", cores)
        result["baseline_wall_s"] = baseline_s
        result["overhead_ratio"] = pipeline_s / baseline_s
    if (data / "truth.json").exists():
        result["truth"] = truth_recall(workdir / "pipeline" / "results", data / "truth.json")
    return result


def read_pairs(data: Path) -> int | None:
    truth = data / "truth.json"
    if not truth.exists():
        return None
    doc = json.loads(truth.read_text())
    pairs = [s.get("read_pairs") for s in doc.get("samples", {}).values() if isinstance(s, dict)]
    return sum(p for p in pairs if isinstance(p, int)) or None


# ------------------------------------------------------------------ machine and report
def machine() -> dict:
    model = platform.processor() or ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), flags=re.M)
        model = found.group(1).strip() if found else model
    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), flags=re.M)
        memory_gb = round(int(found.group(1)) / 1024**2, 1) if found else None
    return {"nproc": os.cpu_count(), "memory_gb": memory_gb, "cpu": model}


def markdown_table(frame: pd.DataFrame, floats: str = "{:.1f}") -> str:
    def cell(value):
        if isinstance(value, float):
            return floats.format(value)
        return str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *body])


def shares_as_percent(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    for column in ("wall_share", "cpu_share"):
        table[column] = (100 * table[column]).round(1)
    return table.rename(columns={"wall_share": "wall_%", "cpu_share": "cpu_%"})


def seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.0f}"


def verdict(value: float | None, goal: float, below: bool) -> str:
    if value is None:
        return "not measured"
    met = value < goal if below else value <= goal
    return "met" if met else "not met"


def write_outputs(summary: dict, out: Path, doc: Path | None) -> str:
    main = summary["main"]
    jobs = main.pop("jobs")
    jobs.to_csv(out / "jobs.tsv", sep="\t", index=False)
    by_rule = summarise(jobs, "rule")
    by_stage = summarise(jobs, "stage")
    by_rule.to_csv(out / "rules.tsv", sep="\t", index=False)
    by_stage.to_csv(out / "stages.tsv", sep="\t", index=False)
    for entry in summary.get("scaling", []):
        entry.pop("jobs", None)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    text = render(summary, by_rule, by_stage)
    (out / "benchmarks.md").write_text(text)
    if doc is not None:
        doc.write_text(text)
    return text


def render(summary: dict, by_rule: pd.DataFrame, by_stage: pd.DataFrame) -> str:
    main, host, mode = summary["main"], summary["machine"], summary["mode"]
    ratio, share = main.get("overhead_ratio"), main.get("python_cpu_share")
    top_stage = by_stage.sort_values("wall_s", ascending=False).iloc[0]
    top_rule = by_rule.iloc[0]
    peak_rule = by_rule.loc[by_rule["max_rss_mb"].idxmax(), "rule"]
    lines = [
        "# Benchmarks",
        "",
        "How fast the workflow runs, how much memory it takes and where the time goes,",
        "measured by `benchmarks/pipeline/run.py` on a synthetic data set from the toy",
        "generator (`python -m toydata`). All figures below are measured, none estimated;",
        "this page is written by the command.",
        "",
        "    .venv/bin/python benchmarks/pipeline/run.py --mode small    # a few minutes",
        "    .venv/bin/python benchmarks/pipeline/run.py --mode default  # under an hour, 2 cores",
        "    .venv/bin/python benchmarks/pipeline/run.py --collect RESULTS",
        "",
        "`--cores N` for bigger machines (the cores series then runs 1, 2 and N);",
        "`--genome-scale`, `--coverage-scale` and `--lines` make the main data set bigger;",
        "`--aligner minimap2` for the main run; `--out DIR` keeps every run's folder.",
        "Both modes run the main data set through the workflow and then through the shell",
        "baseline, and rerun the Python steps under cProfile. The default mode adds",
        "minimap2 on the main data set, the scaling series (coverage, lines, cores) on a",
        "smaller genome, and dry runs of generated cohorts of 10, 100 and 500 lines.",
        "",
        "## Machine and command",
        "",
        f"- CPU: {host['cpu']}; {host['nproc']} cores (`nproc`); memory {host['memory_gb']} GB",
        f"- Command: `{summary['command']}`",
        f"- Mode `{mode}`: {summary['data_description']}; {main['cores']} cores; aligner "
        f"{main['aligner']}."
        + (
            f" The whole command took {summary['benchmark_wall_s'] / 60:.0f} min."
            if summary.get("benchmark_wall_s")
            else ""
        ),
        "",
        "## Goals",
        "",
        "| measure | value | goal | verdict |",
        "|---|---|---|---|",
        f"| pipeline wall (s) | {seconds(main.get('pipeline_wall_s'))} | | |",
        f"| baseline wall (s) | {seconds(main.get('baseline_wall_s'))} | | |",
        f"| overhead ratio (pipeline / baseline wall) | "
        f"{'n/a' if ratio is None else f'{ratio:.2f}'} | <= 1.15 | "
        f"{verdict(ratio, 1.15, below=False)} |",
        f"| Python share of benchmarked CPU | "
        f"{'n/a' if share is None else f'{100 * share:.1f}%'} | < 10% | "
        f"{verdict(share, 0.10, below=True)} |",
        "",
        "The baseline is a plain shell script run in the same invocation right after the",
        "workflow, on the same FASTQ files and reference (genome + vector contigs), with",
        "the same threads: bwa index; fastp; bwa mem | samtools fixmate | samtools sort",
        "per unit; samtools merge | markdup and index per sample; bcftools mpileup | call",
        "per donor over the whole genome. It has none of the checks (copy number,",
        "identity, vectors, gate, report, pre-flight), so the ratio charges all of them",
        "and all orchestration to the workflow.",
        "",
        "The Python share is the CPU time of the rules run by `script:` (the analysis",
        "steps) over the CPU time of every benchmarked job; small local script rules",
        "without a `benchmark:` file (findings writers, gate, certificates) are not in",
        "either sum, but they are in the pipeline wall time.",
        "",
        "## Per stage",
        "",
        markdown_table(shares_as_percent(by_stage)),
        "",
        "## Per rule",
        "",
        markdown_table(shares_as_percent(by_rule)),
        "",
        "## What dominates",
        "",
        f"Stage `{top_stage['stage']}` takes {100 * top_stage['wall_share']:.0f}% of the "
        f"benchmarked wall time; the largest rule is `{top_rule['rule']}` "
        f"({100 * top_rule['wall_share']:.0f}%). Peak memory of any job: "
        f"{by_rule['max_rss_mb'].max():.0f} MB (`{peak_rule}`).",
        "",
    ]
    lines += render_goal_notes(summary, by_stage)
    lines += render_truth(main)
    lines += render_profile(summary)
    lines += render_aligners(summary)
    lines += render_scaling(summary)
    return "\n".join(lines) + "\n"


BASELINE_STAGES = ("reads", "alignment", "variants")


def render_goal_notes(summary: dict, by_stage: pd.DataFrame) -> list[str]:
    main = summary["main"]
    ratio, share = main.get("overhead_ratio"), main.get("python_cpu_share")
    notes = ["## Goals not met: reason and next step", ""]
    if ratio is not None and ratio > 1.15:
        extra = main["pipeline_wall_s"] - main["baseline_wall_s"]
        checks = by_stage[~by_stage["stage"].isin(BASELINE_STAGES)]
        checks = checks.sort_values("wall_s", ascending=False)
        listed = ", ".join(f"{row.stage} {row.wall_s:.0f} s" for row in checks.itertuples())
        notes.append(
            f"- Overhead ratio {ratio:.2f} > 1.15: the workflow took {extra:.0f} s longer than "
            f"the baseline. Its checks that the baseline does not run took {listed} of job "
            "wall time; most of them run after the last alignment, on a chain (pileups, "
            "calls, identity sites, cohort genotyping, findings, gate, report) with few jobs "
            "side by side, and every `script:` job starts its own Python. The fixed part "
            "weighs less as data grow (see Scaling). Next steps: genotype the identity sites "
            "per contig side by side (one single-threaded job on the chain today), and fold "
            "the small per-sample findings jobs into one job per sample."
        )
    if share is not None and share >= 0.10:
        notes.append(
            f"- Python share {100 * share:.1f}% >= 10%. On a small genome at low coverage the "
            "fixed cost of each Python step (interpreter and library import, reading the "
            "reference) weighs against short alignment; measure at 30x, where the goal applies."
        )
    if len(notes) == 2:
        notes.append("- None: both goals are met at this size.")
    return notes + [""]


def truth_cells(truth: dict | None) -> dict:
    if not truth:
        return {"acquired_found": "n/a", "copy_number_found": "n/a", "decisions": "n/a"}
    acquired, copy_number = truth["acquired_variants"], truth["copy_number"]
    error = acquired["max_af_error"]
    return {
        "acquired_found": f"{acquired['found']}/{acquired['planted']}"
        + ("" if error is None else f" (max AF error {error:.2f})"),
        "copy_number_found": f"{copy_number['found']}/{copy_number['planted']}",
        "decisions": ", ".join(f"{line}: {d}" for line, d in truth["decisions"].items()),
    }


def render_truth(main: dict) -> list[str]:
    if not main.get("truth"):
        return []
    cells = truth_cells(main["truth"])
    missed = main["truth"]["acquired_variants"]["missed"] + main["truth"]["copy_number"]["missed"]
    return [
        "## Planted truth found by the main run",
        "",
        f"- Acquired variants planted at AF >= 0.2 found: {cells['acquired_found']}.",
        f"- Copy-number events called with the planted type and copy number: "
        f"{cells['copy_number_found']}.",
        f"- Missed: {', '.join(missed) if missed else 'none'}.",
        f"- Gate decisions: {cells['decisions']}.",
        "",
    ]


def render_profile(summary: dict) -> list[str]:
    profiled = summary.get("profile")
    if not profiled:
        return []
    lines = [
        "## Python hot spots (cProfile)",
        "",
        "Every Python step of the main run executed once more on its own under cProfile",
        "(`benchmarks/pipeline/profile_python.py`: Snakemake keeps each script job's",
        "wrapper, which is rerun in the run's folder with the same inputs). Profiled",
        "seconds include starting Python; `imports_s` is the part spent importing",
        "modules; the project's functions are ranked by cumulative time (calls",
        "included), all functions by their own time.",
        "",
        markdown_table(pd.DataFrame(profiled["hot_spots"]), floats="{:.2f}"),
        "",
    ]
    frame = pd.DataFrame(profiled["hot_spots"])
    if not frame.empty and "imports_s" in frame:
        total, imports = frame["profiled_s"].sum(), frame["imports_s"].sum()
        lines += [
            f"Of {total:.0f} profiled seconds, {imports:.0f} ({100 * imports / total:.0f}%) "
            "are module imports, paid once per job.",
            "",
        ]
    if profiled["failed"]:
        lines += [f"Not profiled (failed on rerun): {', '.join(profiled['failed'])}.", ""]
    return lines


def render_aligners(summary: dict) -> list[str]:
    lines = [
        "## Aligner",
        "",
        "bwa mem is the default (`params.aligner: bwa`); `params.aligner: minimap2` runs",
        "`minimap2 -ax sr` instead (same read groups, fixmate and sort; the reference is",
        "indexed on the fly, so no bwa index is built).",
        "",
    ]
    runs = summary.get("aligners") or []
    if not runs:
        return lines + ["Not compared in this run (the default mode compares both).", ""]
    table = pd.DataFrame(
        [
            {"aligner": run["aligner"], "pipeline_wall_s": run["pipeline_wall_s"],
             "cpu_s": run["benchmarked_cpu_s"], **truth_cells(run.get("truth"))}
            for run in runs
        ]
    )  # fmt: skip
    return lines + [
        "Both on the main data set, one after the other in this run:",
        "",
        markdown_table(table, floats="{:.0f}"),
        "",
    ]


def render_scaling(summary: dict) -> list[str]:
    lines = ["## Scaling", ""]
    scaling = summary.get("scaling") or []
    if scaling:
        frame = pd.DataFrame(scaling)
        frame["read_pairs_m"] = frame["reads"] / 1e6
        frame["s_per_m_pairs"] = frame["pipeline_wall_s"] / frame["read_pairs_m"]
        lines += [
            f"Genome scale {SCALING_GENOME}; all samples of the toy design; one pipeline run",
            "per row (a run shared by two axes is run once and listed twice).",
            "",
            markdown_table(
                frame[
                    [
                        "axis",
                        "value",
                        "cores",
                        "read_pairs_m",
                        "pipeline_wall_s",
                        "s_per_m_pairs",
                        "python_cpu_share",
                        "benchmarked_cpu_s",
                    ]
                ],
                floats="{:.2f}",
            ),  # fmt: skip
            "",
        ]
        lines += scaling_notes(frame)
    else:
        lines += ["Coverage, lines and cores: not measured in this run "
                  "(run the default mode, or `--scaling`).", ""]  # fmt: skip
    dags = summary.get("dry_run") or []
    if dags:
        lines += ["Dry-run DAG time (`snakemake -n`, generated cohorts with empty FASTQ files):",
                  "", markdown_table(pd.DataFrame(dags), floats="{:.1f}"), ""]  # fmt: skip
    else:
        lines += ["Dry-run DAG time: not measured in this run.", ""]
    return lines


def scaling_notes(frame: pd.DataFrame) -> list[str]:
    """Ratios along each axis: wall time against read pairs, and the core speed-up."""
    notes = []
    coverage = frame[frame["axis"] == "coverage"].sort_values("reads")
    if len(coverage) >= 2:
        first, last = coverage.iloc[0], coverage.iloc[-1]
        slope, fixed = np.polyfit(coverage["reads"] / 1e6, coverage["pipeline_wall_s"], 1)
        fitted = fixed + slope * coverage["reads"] / 1e6
        worst = float(
            (abs(fitted - coverage["pipeline_wall_s"]) / coverage["pipeline_wall_s"]).max()
        )
        notes.append(
            f"- Coverage: {last['reads'] / first['reads']:.1f}x the read pairs took "
            f"{last['pipeline_wall_s'] / first['pipeline_wall_s']:.1f}x the wall time "
            f"({first['value']} to {last['value']}). A straight line fits every point within "
            f"{100 * worst:.0f}%: {slope:.0f} s per million read pairs plus {fixed:.0f} s that "
            "do not grow with depth (reference, pre-flight, per-contig and per-sample steps, "
            "start-up)."
        )
    lines = frame[frame["axis"] == "lines"].sort_values("reads")
    if len(lines) >= 2:
        first, last = lines.iloc[0], lines.iloc[-1]
        notes.append(
            f"- Lines: {last['value']} extra lines, {last['reads'] / first['reads']:.1f}x the "
            f"read pairs, {last['pipeline_wall_s'] / first['pipeline_wall_s']:.1f}x the wall."
        )
    cores = frame[frame["axis"] == "cores"].sort_values("cores")
    if len(cores) >= 2:
        one = cores.iloc[0]
        for _, row in cores.iloc[1:].iterrows():
            speedup = one["pipeline_wall_s"] / row["pipeline_wall_s"]
            notes.append(
                f"- Cores: `-c {row['cores']}` ran {speedup:.2f}x as fast as `-c {one['cores']}`."
            )
    return notes + ([""] if notes else [])


# ------------------------------------------------------------------ main
def describe_data(base: dict, generate_s: float) -> str:
    samples = sample_designs(base["lines"])
    scale = base["coverage_scale"]
    parental = sorted({round(d.coverage * scale) for d in samples if d.role == "parental"})
    lines = sorted({round(d.coverage * scale) for d in samples if d.role == "line"})
    return (
        f"genome scale {base['genome_scale']} (about {13 * base['genome_scale']:.1f} Mb), "
        f"coverage scale {scale} (parentals {'/'.join(map(str, parental))}x, lines "
        f"{'/'.join(map(str, lines))}x), {base['lines']} extra lines; data generation "
        f"{generate_s:.0f} s (not counted below)"
    )


def profile(workdir: Path, out: Path) -> dict:
    """cProfile hot spots of every Python step of the main run, each rerun on its own."""
    failed = rerun_profiled(workdir, out, tool_environment())
    return {"hot_spots": hot_spots(out).to_dict("records"), "failed": failed}


def dry_runs(out: Path, reference_dir: Path, sizes: list[int]) -> list[dict]:
    rows = []
    for lines in sizes:
        folder = out / f"cohort_{lines}"
        counts = write_cohort(folder, lines)
        config = write_config(folder, reference_dir.resolve())
        seconds, jobs, _ = dry_run(folder, config)
        rows.append(
            {"samples": counts["samples"], "lines": lines, "jobs": jobs, "dry_run_s": seconds}
        )
    return rows


def scaling_runs(out: Path, cores: int) -> list[dict]:
    """Coverage 10/30/60x (parental), extra lines and cores 1..N.

    On a smaller genome than the main run (SCALING_GENOME) so that the default mode fits
    in an hour on two cores; a point shared by two axes runs once.
    """
    done: dict[tuple, dict] = {}

    def point(coverage: float, lines: int, run_cores: int, aligner: str = "bwa") -> dict:
        key = (coverage, lines, run_cores, aligner)
        if key not in done:
            data = out / f"data_cov{coverage}_lines{lines}"
            generate(data, SCALING_GENOME, coverage, lines)
            workdir = out / f"run_cov{coverage}_lines{lines}_c{run_cores}_{aligner}"
            result = measure(data, workdir, run_cores, baseline=False, aligner=aligner)
            result.pop("jobs")
            result["truth"] = truth_recall(workdir / "pipeline" / "results", data / "truth.json")
            done[key] = result
        return done[key]

    base = 10 / GENERATOR_PARENTAL_DEPTH
    rows = []
    for depth in (10, 30, 60):
        rows.append({"axis": "coverage", "value": f"{depth}x",
                     **point(depth / GENERATOR_PARENTAL_DEPTH, 0, cores)})  # fmt: skip
    for lines in (0, 4):
        rows.append({"axis": "lines", "value": lines, **point(base, lines, cores)})
    for run_cores in sorted({1, 2, cores}):
        rows.append({"axis": "cores", "value": run_cores, **point(base, 0, run_cores)})
    return rows


def aligner_runs(data: Path, out: Path, main_run: dict, cores: int) -> list[dict]:
    """The main data set through the other aligner: wall time and planted truth found."""
    other = "minimap2" if main_run["aligner"] == "bwa" else "bwa"
    result = measure(data, out / f"aligner_{other}", cores, baseline=False, aligner=other)
    result.pop("jobs")
    keep = ("aligner", "pipeline_wall_s", "benchmarked_cpu_s", "truth")
    return [{key: run.get(key) for key in keep} for run in (main_run, result)]


def render_only(out: Path, doc: Path | None) -> dict:
    """The page again from a finished benchmark's folder: its summary, job table and
    profiles (for a changed page layout; every figure is the one measured then)."""
    summary = json.loads((out / "summary.json").read_text())
    summary["main"]["jobs"] = pd.read_csv(out / "jobs.tsv", sep="\t")
    if "genome_scale" in summary["data"]:
        summary["data_description"] = describe_data(summary["data"], summary["data"]["generate_s"])
    if (out / "profile").is_dir() and summary.get("profile"):
        summary["profile"]["hot_spots"] = hot_spots(out / "profile").to_dict("records")
    text = write_outputs(summary, out, doc)
    print(text)
    return summary


def collect_only(args: argparse.Namespace, argv: list[str] | None) -> dict:
    """Tables and Python share of a finished run (no generation, run or baseline)."""
    out = (args.out or Path(tempfile.mkdtemp(prefix="ipscqc-bench-collect-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    jobs = collect_benchmarks(args.collect, rule_catalogue())
    summary = {
        "mode": args.mode,
        "command": "python benchmarks/pipeline/run.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "data_description": f"the finished run `{args.collect}` (tables only: no "
        "generation, no baseline, no pipeline wall time)",
        "main": {
            "cores": args.cores,
            "aligner": args.aligner,
            "pipeline_wall_s": None,
            "python_cpu_share": python_share(jobs),
            "benchmarked_cpu_s": float(jobs["cpu_s"].sum()),
            "jobs": jobs,
        },
    }
    text = write_outputs(summary, out, None if args.no_doc else args.doc)
    print(text)
    return summary


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=list(MODES), default="small")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--aligner", choices=["bwa", "minimap2"], default="bwa")
    parser.add_argument("--genome-scale", type=float, help="main data set: override the mode's")
    parser.add_argument("--coverage-scale", type=float, help="main data set: override the mode's")
    parser.add_argument("--lines", type=int, help="main data set: extra lines (override)")
    parser.add_argument("--scaling", action="store_true", help="also run the scaling series")
    parser.add_argument("--no-scaling", action="store_true", help="default mode without it")
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the cProfile rerun of the Python steps"
    )
    parser.add_argument(
        "--dag-sizes",
        type=int,
        nargs="*",
        default=None,
        help="lines of the dry-run cohorts (default mode: 10 100 500; small: none)",
    )
    parser.add_argument(
        "--doc",
        type=Path,
        default=None,
        help="page to write (default docs/benchmarks.md; with --collect only when given)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not write the docs page")
    parser.add_argument(
        "--collect", type=Path, default=None, help="only tabulate a finished run's results folder"
    )
    parser.add_argument(
        "--render-only",
        type=Path,
        default=None,
        metavar="OUT",
        help="rewrite the page from a finished benchmark's --out folder (no runs)",
    )
    args = parser.parse_args(argv)
    if args.collect:  # a side look at some run: the published page stays as it is
        return collect_only(args, argv)
    args.doc = args.doc or REPO / "docs" / "benchmarks.md"
    if args.render_only:
        return render_only(args.render_only, None if args.no_doc else args.doc)

    started = time.monotonic()
    out = (args.out or Path(tempfile.mkdtemp(prefix=f"ipscqc-bench-{args.mode}-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    overrides = {"genome_scale": args.genome_scale, "coverage_scale": args.coverage_scale,
                 "lines": args.lines}  # fmt: skip
    base = {**MODES[args.mode], **{k: v for k, v in overrides.items() if v is not None}}
    data = out / "data"
    generate_s = generate(data, base["genome_scale"], base["coverage_scale"], base["lines"])
    main_run = measure(data, out / "main", args.cores, aligner=args.aligner)
    summary = {
        "mode": args.mode,
        "command": "python benchmarks/pipeline/run.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "data": {**base, "generate_s": generate_s},
        "data_description": describe_data(base, generate_s),
        "main": main_run,
    }
    if not args.no_profile:
        summary["profile"] = profile(out / "main" / "pipeline", out / "profile")
    scaling = args.scaling or (args.mode == "default" and not args.no_scaling)
    if scaling:
        summary["aligners"] = aligner_runs(data, out, main_run, args.cores)
        summary["scaling"] = scaling_runs(out, args.cores)
    dag_sizes = args.dag_sizes
    if dag_sizes is None:
        dag_sizes = [10, 100, 500] if args.mode == "default" else []
    if dag_sizes:
        summary["dry_run"] = dry_runs(out, data / "reference", dag_sizes)
    summary["benchmark_wall_s"] = time.monotonic() - started
    text = write_outputs(summary, out, None if args.no_doc else args.doc)
    print(text)
    print(f"outputs: {out}")
    return summary


if __name__ == "__main__":
    main()
