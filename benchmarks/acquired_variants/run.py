"""Benchmarks of the acquired-variant classifier on generated allele counts.

    python benchmarks/acquired_variants/run.py curve [--out docs/acquired_variants]
    python benchmarks/acquired_variants/run.py throughput [--rows 1000000]

``curve`` sweeps the allele fraction (0.02-0.5) and the depth (30x-500x, line and
parental alike) and writes the detection curve: the fraction of planted acquired
variants classed acquired (sensitivity), the fraction seen at all (acquired or
uncertain), and the false acquired calls per Mb from sequencing errors. Reads are
drawn from binomial distributions: a planted variant gives the line Binomial(depth,
AF) alt reads and the parental Binomial(depth, e/3) error reads; every other base
gives both samples Binomial(depth, e/3) reads of one specific wrong base (e = per-base
error rate), once at the rate the classifier assumes and once at 3 times it. Sites
pass the workflow's candidate filter (candidate_min_alt_reads in some sample) before
the classifier runs with the shipped defaults. Strand, position and mapping biases are
not simulated.

``throughput`` classifies a generated ``bcftools query`` table of candidate records
(the file the workflow reads) and reports variants per second, reading included.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from ipscqc.readers.bcftools_query import read_query_table  # noqa: E402
from ipscqc.variants.classify import Thresholds, classify  # noqa: E402
from ipscqc.variants.detection import min_detectable_af  # noqa: E402
from ipscqc.variants.sites import candidate_sites  # noqa: E402

AFS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]
DEPTHS = [30, 50, 100, 200, 500]
CANDIDATE_MIN_ALT_READS = 2


def _sites(line_alt, line_depth, parental_alt, parental_depth) -> pd.DataFrame:
    line_ref = line_depth - line_alt
    half_alt, half_ref = line_alt // 2, line_ref // 2
    n = len(line_alt)
    return pd.DataFrame(
        {
            "chrom": np.full(n, "chr1"),
            "pos": np.arange(1, n + 1),
            "ref": "C",
            "alt": "T",
            "rpbz": np.nan,
            "mqbz": np.nan,
            "line_alt": line_alt,
            "line_ref": line_ref,
            "line_depth": line_depth,
            "line_ref_fwd": half_ref,
            "line_ref_rev": line_ref - half_ref,
            "line_alt_fwd": half_alt,
            "line_alt_rev": line_alt - half_alt,
            "parental_alt": parental_alt,
            "parental_ref": parental_depth - parental_alt,
            "parental_depth": parental_depth,
            "hotspot": "",
        }
    )


def detection_curve(
    thresholds: Thresholds,
    error_rate: float,
    planted: int = 2000,
    background_bases: int = 2_000_000,
    seed: int = 1,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_allele_error = error_rate / 3
    rows = []
    for depth in DEPTHS:
        false_per_mb = {}
        # errors at the assumed rate, and at 3 times it (an under-estimated error rate)
        for label, true_rate in (("", error_rate), ("_3x_error", 3 * error_rate)):
            depths = np.full(background_bases, depth)
            line_errors = rng.binomial(depths, true_rate / 3)
            parental_errors = rng.binomial(depths, true_rate / 3)
            candidate = np.maximum(line_errors, parental_errors) >= CANDIDATE_MIN_ALT_READS
            background = _sites(
                line_errors[candidate],
                depths[candidate],
                parental_errors[candidate],
                depths[candidate],
            )
            calls = (classify(background, thresholds, True)["class"] == "acquired").sum()
            false_per_mb[label] = calls / background_bases * 1e6
        for af in AFS:
            n = np.full(planted, depth)
            line_alt = rng.binomial(n, af * (1 - error_rate))
            parental_alt = rng.binomial(n, per_allele_error)
            sites = _sites(line_alt, n, parental_alt, n)
            kept = np.maximum(line_alt, parental_alt) >= CANDIDATE_MIN_ALT_READS
            classes = classify(sites, thresholds, True)["class"].where(kept, "absent")
            rows.append(
                {
                    "depth": depth,
                    "af": af,
                    "sensitivity": float((classes == "acquired").mean()),
                    "seen": float(classes.isin(["acquired", "uncertain"]).mean()),
                    "false_acquired_per_mb": float(false_per_mb[""]),
                    "false_acquired_per_mb_3x_error": float(false_per_mb["_3x_error"]),
                    "predicted_min_detectable_af": float(
                        min_detectable_af(
                            depth,
                            error_rate,
                            thresholds.min_alt_reads,
                            thresholds.max_p_line,
                            thresholds.min_af,
                            thresholds.detection_power,
                        )[0]
                    ),
                }
            )
    return pd.DataFrame(rows)


def plot_curve(curve: pd.DataFrame, path: Path) -> None:
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for depth, group in curve.groupby("depth"):
        axis.plot(group["af"], group["sensitivity"], marker="o", label=f"{depth}x")
    axis.set_xlabel("allele fraction in the line")
    axis.set_ylabel("sensitivity (classed acquired)")
    axis.set_xscale("log")
    axis.set_xticks(AFS, [f"{af:g}" for af in AFS])
    axis.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    axis.set_ylim(0, 1.02)
    axis.grid(alpha=0.3)
    axis.legend(title="line and parental depth")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def curve_command(args) -> None:
    thresholds = Thresholds(error_rate=args.error_rate)
    started = time.perf_counter()
    curve = detection_curve(thresholds, args.error_rate, args.planted, args.background_bases)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    curve.to_csv(f"{out}_detection.tsv", sep="\t", index=False, float_format="%.4g")
    plot_curve(curve, Path(f"{out}_detection.png"))
    wide = curve.pivot(index="af", columns="depth", values="sensitivity")
    print(wide.to_string(float_format=lambda x: f"{x:.2f}"))
    false_calls = ["false_acquired_per_mb", "false_acquired_per_mb_3x_error"]
    print(curve.groupby("depth")[false_calls].first().to_string())
    print(f"written {out}_detection.tsv/.png in {time.perf_counter() - started:.1f} s")


def generated_query_table(path: Path, rows: int, seed: int = 2) -> None:
    """A candidate table as ``bcftools query`` writes it: parental P and line L."""
    rng = np.random.default_rng(seed)
    depth_p, depth_l = rng.poisson(30, rows), rng.poisson(30, rows)
    kind = rng.random(rows)
    af_p = np.where(kind < 0.6, 0.5, np.where(kind < 0.8, 1.0, 0.0))
    af_l = np.where(kind < 0.95, af_p, rng.uniform(0.05, 0.5, rows))
    alt_p, alt_l = rng.binomial(depth_p, af_p), rng.binomial(depth_l, af_l)
    fwd_p, fwd_l = rng.binomial(alt_p, 0.5), rng.binomial(alt_l, 0.5)
    rfwd_p, rfwd_l = rng.binomial(depth_p - alt_p, 0.5), rng.binomial(depth_l - alt_l, 0.5)
    bcsq = np.where(
        rng.random(rows) < 0.02, "missense|TOYG1|T1|protein_coding|+|10A>10T|100G>A", "."
    )
    table = pd.DataFrame(
        {
            "# [1]CHROM": "chr1",
            "[2]POS": np.arange(1, rows + 1),
            "[3]REF": "G",
            "[4]ALT": "A",
            "[5]RPBZ": np.round(rng.normal(0, 1, rows), 3),
            "[6]MQBZ": 0,
            "[7]BCSQ": bcsq,
            "[8]P:AD": [f"{r},{a}" for r, a in zip(depth_p - alt_p, alt_p, strict=True)],
            "[9]P:ADF": [f"{r},{a}" for r, a in zip(rfwd_p, fwd_p, strict=True)],
            "[10]P:ADR": [
                f"{r},{a}" for r, a in zip(depth_p - alt_p - rfwd_p, alt_p - fwd_p, strict=True)
            ],
            "[11]P:DP": depth_p,
            "[12]L:AD": [f"{r},{a}" for r, a in zip(depth_l - alt_l, alt_l, strict=True)],
            "[13]L:ADF": [f"{r},{a}" for r, a in zip(rfwd_l, fwd_l, strict=True)],
            "[14]L:ADR": [
                f"{r},{a}" for r, a in zip(depth_l - alt_l - rfwd_l, alt_l - fwd_l, strict=True)
            ],
            "[15]L:DP": depth_l,
        }
    )
    table.to_csv(path, sep="\t", index=False)


def throughput_command(args) -> None:
    path = Path(args.workdir) / f"candidates_{args.rows}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    generated_query_table(path, args.rows)
    started = time.perf_counter()
    table = read_query_table(path)
    read_seconds = time.perf_counter() - started
    sites = candidate_sites(table, "L", "P", {"TP53"})
    classified = classify(sites, Thresholds(error_rate=0.002), True)
    total = time.perf_counter() - started
    counts = classified["class"].value_counts().to_dict()
    print(
        f"{args.rows} candidate records: read {read_seconds:.1f} s, total {total:.1f} s, "
        f"{args.rows / total:,.0f} variants/s; classes {counts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    curve = commands.add_parser("curve", help="detection curve over allele fraction and depth")
    curve.add_argument("--out", default="docs/acquired_variants")
    curve.add_argument("--error-rate", type=float, default=0.002)
    curve.add_argument("--planted", type=int, default=2000)
    curve.add_argument("--background-bases", type=int, default=2_000_000)
    curve.set_defaults(run=curve_command)
    throughput = commands.add_parser("throughput", help="classifier variants per second")
    throughput.add_argument("--rows", type=int, default=1_000_000)
    throughput.add_argument("--workdir", default="/tmp/ipscqc_benchmark")
    throughput.set_defaults(run=throughput_command)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
