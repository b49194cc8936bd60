"""Benchmarks of the copy-number check.

    python benchmarks/copy_number/run.py accuracy [--replicates 5] [--model paired|binomial]
        [--overdispersion RHO] [--out FILE]
    python benchmarks/copy_number/run.py cnvkit --results RESULTS --truth TRUTH [--out FILE]

``accuracy`` plants one event per simulated line and sweeps its size, mosaic fraction
and the coverage, plus whole-chromosome aneuploidy and clean lines, and writes a
Markdown table: the share of planted events called (a call of the right type
overlapping at least half of the event), the median error of the mosaic fraction and
of the boundaries, and the false calls. Depth bins (1 kb) are drawn from Poisson read
counts (150 bp reads) with 5% extra per-bin noise and a GC bias common to line and
parental; heterozygous sites (one per 1.5 kb) from binomial allele counts at the same
coverage. Mapping artefacts, GC bias that differs between libraries, and allelic bias
are not simulated: the numbers are an upper bound of what real data gives.

``cnvkit`` runs CNVkit (``cnvkit.py batch``, WGS mode, line against its parental as the
normal) on the BAMs of a finished toy run, and sets its segments and run time beside
this check's calls and run time, per planted event of toy_data/truth.json. CNVkit is
not a dependency of the workflow: install it in the benchmark environment only (PyPI
``cnvkit``, or Debian ``cnvkit``, which brings R DNAcopy for its default CBS).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from ipscqc.checks.copy_number import CopyNumberInputs, analyse  # noqa: E402
from ipscqc.copynumber.detection import (  # noqa: E402
    detectable,
    event_expectations,
    smallest_detectable_bp,
)
from ipscqc.copynumber.model import expected_major_baf  # noqa: E402
from ipscqc.copynumber.params import ClassSettings, Params, Settings  # noqa: E402
from ipscqc.genome import GenomeModel  # noqa: E402

BIN = 1000
READ_LENGTH = 150
HET_EVERY = 1500
EXTRA_NOISE = 0.05
# a small genome: the event sits on chr1; chr2 carries whole-chromosome events
CHROMOSOMES = {"chr1": 4_000_000, "chr2": 2_000_000, "chr3": 3_000_000, "chr4": 2_000_000}
GENOME = GenomeModel.of("toy", CHROMOSOMES)
CENTROMERES = pd.DataFrame(
    {
        "chrom": list(CHROMOSOMES),
        "start": [1_200_000, 800_000, 1_000_000, 600_000],
        "end": [1_220_000, 820_000, 1_020_000, 620_000],
        "name": "cen",
    }
)
EVENT_START = 2_000_000  # on chr1 q arm
SIZES = [100_000, 200_000, 500_000, 1_000_000, 2_000_000]
FRACTIONS = [0.1, 0.2, 0.3, 0.5]
COVERAGES = [10, 30]
WHOLE_FRACTIONS = [0.1, 0.2, 0.3]
EMPTY = pd.DataFrame(columns=["chrom", "start", "end", "name"])


def _allele_counts(rng, depth, fraction, overdispersion):
    """Binomial counts, or beta-binomial with intra-class correlation ``overdispersion``."""
    if overdispersion > 0:
        s = (1 - overdispersion) / overdispersion
        fraction = rng.beta(fraction * s, (1 - fraction) * s)
    return rng.binomial(depth, fraction)


def simulate(rng, coverage, events, overdispersion=0.0):
    """Composition, line and parental bins and het sites with events (chrom, start, end,
    copies, major copies, fraction). Sites carry the parental's counts too
    (parental_ref_count, parental_alt_count, drawn at 0.5; no GQ)."""
    frames = []
    for chrom, length in CHROMOSOMES.items():
        starts = np.arange(0, length, BIN)
        wave = 0.42 + 0.07 * np.sin(starts / 150_000.0 + len(chrom))
        gc = np.clip(wave + rng.normal(0, 0.03, len(starts)), 0.25, 0.7)
        frames.append(
            pd.DataFrame(
                {
                    "chrom": chrom,
                    "start": starts,
                    "end": np.minimum(starts + BIN, length),
                    "gc": gc,
                    "n_fraction": 0.0,
                }
            )
        )
    composition = pd.concat(frames, ignore_index=True)
    bias = 1 + 1.5 * (composition["gc"] - 0.45) - 6 * (composition["gc"] - 0.45) ** 2
    copies = np.full(len(composition), 2.0)
    for chrom, start, end, c, _m, f in events:
        inside = (
            composition["chrom"].eq(chrom)
            & (composition["start"] >= start)
            & (composition["end"] <= end)
        )
        copies[inside] = 2 * (1 - f) + c * f
    reads_per_bin = coverage * BIN / READ_LENGTH

    def depth(copy_state):
        mean = reads_per_bin * bias * copy_state / 2
        mean = mean * rng.lognormal(0, EXTRA_NOISE, len(mean))
        return rng.poisson(mean) * READ_LENGTH / BIN

    line = composition[["chrom", "start", "end"]].assign(depth=depth(copies))
    parental = composition[["chrom", "start", "end"]].assign(depth=depth(np.full(len(copies), 2.0)))
    rows = []
    for chrom, length in CHROMOSOMES.items():
        positions = np.sort(rng.choice(np.arange(500, length - 500), length // HET_EVERY, False))
        major = np.full(len(positions), 0.5)
        for e_chrom, start, end, c, m, f in events:
            if e_chrom == chrom:
                inside = (positions >= start) & (positions < end)
                major[inside] = float(expected_major_baf(c, m, f, 2, 1))
        n = rng.poisson(coverage, len(positions))
        oriented = np.where(rng.random(len(positions)) < 0.5, major, 1 - major)
        alt = _allele_counts(rng, n, oriented, overdispersion)
        parental_n = rng.poisson(coverage, len(positions))
        parental_alt = _allele_counts(rng, parental_n, np.full(len(positions), 0.5), overdispersion)
        rows.append(
            pd.DataFrame(
                {
                    "chrom": chrom,
                    "pos": positions,
                    "ref_count": n - alt,
                    "alt_count": alt,
                    "parental_ref_count": parental_n - parental_alt,
                    "parental_alt_count": parental_alt,
                    "parental_gq": np.nan,
                }
            )  # fmt: skip
        )
    # as readers.vcf.read_het_site_counts gives them: the check selects the BAF sites
    return composition, line, parental, pd.concat(rows, ignore_index=True)


def run_once(rng, coverage, events, params, model="paired", overdispersion=0.0):
    """Analyse one simulated line. ``model``: "paired" (beta-binomial against the
    parental's counts, overdispersion estimated from the sites) or "binomial" (the
    binomial model against 0.5). Returns the calls, the seconds taken and the line's
    noise (``copynumber.detection.LineNoise``; None with the binomial model)."""
    composition, line, parental, sites = simulate(rng, coverage, events, overdispersion)
    started = time.perf_counter()
    inputs = CopyNumberInputs(
        "L", "P", "female", GENOME, composition, line, parental, sites, CENTROMERES, EMPTY, EMPTY
    )
    allele_model = "beta_binomial" if model == "paired" else "binomial"
    # no MHC in the simulated genome
    settings = Settings(
        params=replace(params, allele_model=allele_model), classes=ClassSettings(mhc_region="")
    )
    result = analyse(inputs, settings)
    took = time.perf_counter() - started
    noise = result.tables["noise"] if model == "paired" else None
    return result.tables["calls"], took, noise


def score(calls, event):
    chrom, start, end, c, _m, f = event
    kind = "gain" if c > 2 else "loss" if c < 2 else "cnloh"
    hit = calls[(calls["chrom"] == chrom) & (calls["start"] < end) & (calls["end"] > start)]
    overlap = (np.minimum(hit["end"], end) - np.maximum(hit["start"], start)).clip(lower=0)
    good = hit[(hit["type"] == kind) & (overlap >= 0.5 * (end - start))]
    false_calls = len(calls) - len(good)
    if good.empty:
        return False, np.nan, np.nan, false_calls
    best = good.iloc[0]
    boundary = max(abs(best["start"] - max(start, 0)), abs(best["end"] - end))
    return True, abs(best["mosaic_fraction"] - f), boundary, false_calls


KINDS = (("gain", (3, 2)), ("loss", (1, 1)), ("cnloh", (2, 2)))


def accuracy(
    replicates: int, out: str | None, seed: int, model: str = "paired", overdispersion: float = 0.0
) -> str:
    rng = np.random.default_rng(seed)
    params = Params()
    rows = []
    seconds = []
    kinds = KINDS if model == "paired" else KINDS[:2]
    for coverage in COVERAGES:
        for kind, (c, m) in kinds:
            for size in SIZES:
                for fraction in FRACTIONS:
                    event = ("chr1", EVENT_START, EVENT_START + size, c, m, fraction)
                    outcomes, stated = [], []
                    for _ in range(replicates):
                        calls, took, noise = run_once(
                            rng, coverage, [event], params, model, overdispersion
                        )
                        seconds.append(took)
                        outcomes.append(score(calls, event))
                        if noise is not None:
                            stated.append(_stated(noise, kind, fraction, size, params))
                    rows.append(_row(kind, size, fraction, coverage, outcomes, stated))
        for fraction in WHOLE_FRACTIONS:
            event = ("chr2", 0, CHROMOSOMES["chr2"], 3, 2, fraction)
            outcomes = []
            for _ in range(replicates):
                calls, took, _noise = run_once(
                    rng, coverage, [event], params, model, overdispersion
                )
                seconds.append(took)
                outcomes.append(score(calls, event))
            rows.append(_row("trisomy", CHROMOSOMES["chr2"], fraction, coverage, outcomes, []))
        false_calls = []
        for _ in range(max(replicates, 5)):
            calls, took, _noise = run_once(rng, coverage, [], params, model, overdispersion)
            seconds.append(took)
            false_calls.append(len(calls))
        rows.append(
            {
                "event": "none (clean line)",
                "size": "",
                "mosaic": "",
                "coverage": coverage,
                "detected": "",
                "stated_detectable": "",
                "stated_limit_kb": "",
                "fraction_error": "",
                "boundary_error_kb": "",
                "false_calls": f"{sum(false_calls)} in {len(false_calls)} lines",
            }
        )
    table = pd.DataFrame(rows)
    genome_mb = sum(CHROMOSOMES.values()) / 1e6
    text = (
        f"Simulated lines: {genome_mb:.0f} Mb genome, 1 kb bins, {replicates} replicate(s) per"
        f" cell, seed {seed}, allele model {model}, overdispersion of the simulated counts"
        f" {overdispersion:g}; median analysis time {np.median(seconds):.1f} s per line."
        " detected: calls of the right type over at least half of the event;"
        " stated_detectable: replicates whose own stated detection limit (copynumber.detection, 80%"
        " power) says this event is detectable; stated_limit_kb: median stated smallest"
        " detectable size of this type at this fraction of cells.\n\n" + _markdown(table)
    )
    if out:
        Path(out).write_text(text)
    return text


def _stated(noise, kind, fraction, size, params):
    """(the event is detectable by the line's stated limit, the stated limit in bp)."""
    expectations = event_expectations(noise, kind, fraction)
    return (
        detectable(noise, kind, fraction, size, params, 0.8, expectations),
        smallest_detectable_bp(noise, kind, fraction, params, 0.8, expectations),
    )


def _row(kind, size, fraction, coverage, outcomes, stated):
    detected = [o[0] for o in outcomes]
    fraction_errors = [o[1] for o in outcomes if o[0]]
    boundaries = [o[2] for o in outcomes if o[0]]
    limits = [s[1] for s in stated]
    reachable = [limit for limit in limits if limit is not None]
    if not limits:
        stated_limit = ""
    elif len(reachable) * 2 < len(limits):
        stated_limit = "none"
    else:
        stated_limit = f"{np.median(reachable) / 1e3:.0f}"
    return {
        "event": kind,
        "size": f"{size / 1e6:g} Mb",
        "mosaic": fraction,
        "coverage": coverage,
        "detected": f"{sum(detected)}/{len(detected)}",
        "stated_detectable": f"{sum(s[0] for s in stated)}/{len(stated)}" if stated else "",
        "stated_limit_kb": stated_limit,
        "fraction_error": f"{np.median(fraction_errors):.2f}" if fraction_errors else "",
        "boundary_error_kb": f"{np.median(boundaries) / 1e3:.0f}" if boundaries else "",
        "false_calls": sum(o[3] for o in outcomes),
    }


def _markdown(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(table.columns) + " |\n"
    rule = "|" + "---|" * len(table.columns) + "\n"
    body = "".join(
        "| " + " | ".join(str(value) for value in row) + " |\n"
        for row in table.itertuples(index=False)
    )
    return header + rule + body


# ----------------------------------------------------------------------------- CNVkit


def cnvkit(
    results: Path, truth_path: Path, workdir: Path, out: str | None, method: str, executable: str
) -> str:
    """CNVkit and this check on the toy run's BAMs, side by side per planted event."""
    executable = shutil.which(executable)
    if executable is None:
        raise SystemExit("cnvkit.py is not on PATH: install CNVkit in the benchmark environment")
    results, workdir = results.resolve(), workdir.resolve()
    truth = json.loads(truth_path.read_text())
    events = truth["copy_number_events"]
    line = events[0]["sample"]
    parental = truth["samples"][line]["parental"]
    workdir.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(
        [executable, "version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    started = time.perf_counter()
    command = [
        executable, "batch", str(results / f"alignments/{line}.bam"),
        "--normal", str(results / f"alignments/{parental}.bam"),
        "--method", "wgs", "--fasta", str(results / "reference/genome.fa"),
        "--target-avg-size", str(BIN), "--output-dir", str(workdir),
        "--output-reference", str(workdir / "reference.cnn"), "-p", "1",
        "--segment-method", method,
    ]  # fmt: skip
    # CNVkit writes some files (genome.bed) to its working directory: run it in workdir
    subprocess.run(command, check=True, capture_output=True, text=True, cwd=workdir)
    cnvkit_seconds = time.perf_counter() - started
    segments = pd.read_csv(workdir / f"{line}.cns", sep="\t")
    calls_path = workdir / f"{line}.call.cns"
    subprocess.run(
        [executable, "call", str(workdir / f"{line}.cns"), "-o", str(calls_path)],
        check=True,
        capture_output=True,
    )
    called = pd.read_csv(calls_path, sep="\t")
    ours = pd.read_csv(results / f"copy_number/{line}/calls.tsv", sep="\t")
    bench = results / f"benchmarks/copy_number/{line}.tsv"
    our_seconds = float(pd.read_csv(bench, sep="\t")["s"].iloc[0]) if bench.exists() else None
    rows = []
    for event in events:
        mine = ours[
            (ours["chrom"] == event["chrom"])
            & (ours["start"] < event["end"])
            & (ours["end"] > event["start"])
        ]
        theirs = called[
            (called["chromosome"] == event["chrom"])
            & (called["start"] < event["end"])
            & (called["end"] > event["start"])
            & (called["cn"] != 2)
        ]
        rows.append(
            {
                "event": event["id"],
                "truth": f"{event['type']} CN{event['copy_number']} in"
                f" {event['mosaic_fraction']:.0%}, {event['start']}-{event['end']}",
                "ipsc-qc": "; ".join(
                    f"{r.type} CN{r.copy_number} in {r.mosaic_fraction:.0%}, {r.start}-{r.end}"
                    for r in mine.itertuples()
                )
                or "not called",
                "CNVkit": "; ".join(
                    f"CN{r.cn} log2 {r.log2:.2f}, {r.start}-{r.end}" for r in theirs.itertuples()
                )
                or "not called",
            }
        )
    false_ours = len(ours) - sum(1 for r in rows if r["ipsc-qc"] != "not called")
    altered = called[called["cn"] != 2]
    inside = np.zeros(len(altered), dtype=bool)
    for event in events:
        inside |= (
            (altered["chromosome"] == event["chrom"])
            & (altered["start"] < event["end"])
            & (altered["end"] > event["start"])
        ).to_numpy()
    false_cnvkit = int((~inside).sum())
    timing = (
        f"Run time on {line}: CNVkit {version} batch (segment method {method})"
        f" {cnvkit_seconds:.0f} s"
        f" ({len(segments)} segments); ipsc-qc copy_number rule "
        + (f"{our_seconds:.0f} s" if our_seconds is not None else "n/a")
        + f". Calls outside planted events: ipsc-qc {max(false_ours, 0)},"
        f" CNVkit {false_cnvkit} segments with cn != 2 (the clean regions of the same line).\n\n"
    )
    text = timing + _markdown(pd.DataFrame(rows))
    if out:
        Path(out).write_text(text)
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    acc = sub.add_parser("accuracy")
    acc.add_argument("--replicates", type=int, default=5)
    acc.add_argument("--seed", type=int, default=1)
    acc.add_argument("--out")
    acc.add_argument("--model", choices=["paired", "binomial"], default="paired")
    acc.add_argument(
        "--overdispersion", type=float, default=0.0, help="of the simulated allele counts"
    )
    cnv = sub.add_parser("cnvkit")
    cnv.add_argument("--results", type=Path, required=True)
    cnv.add_argument("--truth", type=Path, required=True)
    cnv.add_argument("--workdir", type=Path, default=Path("cnvkit_bench"))
    cnv.add_argument("--out")
    cnv.add_argument(
        "--segment-method", default="cbs", help="cbs needs R DNAcopy; haar runs without R"
    )
    cnv.add_argument("--cnvkit", default="cnvkit.py", help="the cnvkit.py to run")
    args = parser.parse_args(argv)
    if args.command == "accuracy":
        print(accuracy(args.replicates, args.out, args.seed, args.model, args.overdispersion))
    else:
        print(
            cnvkit(
                args.results, args.truth, args.workdir, args.out, args.segment_method, args.cnvkit
            )
        )


if __name__ == "__main__":
    main()
