"""Throughput of the acquired-variant classifier on a generated candidate table.

    python benchmarks/acquired_variants/run.py throughput [--rows 1000000]

``throughput`` reads a generated ``bcftools query`` table of candidate records (the file
the workflow reads; 60% heterozygous and 20% homozygous germline sites, 5% new alleles
at fractions 0.05-0.5), builds the site table, measures the noise model on it and
classifies every allele's origin, reporting variants per second, reading included. The
detection limit against simulated sensitivity is benchmarks/acquired_variants/
detection_limit.py.
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
from ipscqc.variants.noise import estimate_noise  # noqa: E402
from ipscqc.variants.origin import classify_origin  # noqa: E402
from ipscqc.variants.settings import VariantSettings  # noqa: E402
from ipscqc.variants.sites import candidate_sites  # noqa: E402


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
    settings = VariantSettings()
    noise, _ = estimate_noise(sites, settings, True)
    classified = classify_origin(sites, settings, noise, True)
    total = time.perf_counter() - started
    counts = classified["class"].value_counts().to_dict()
    print(
        f"{args.rows} candidate records: read {read_seconds:.1f} s, total {total:.1f} s, "
        f"{args.rows / total:,.0f} variants/s; classes {counts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    throughput = commands.add_parser("throughput", help="classifier variants per second")
    throughput.add_argument("--rows", type=int, default=1_000_000)
    throughput.add_argument("--workdir", default="/tmp/ipscqc_benchmark")
    throughput.set_defaults(run=throughput_command)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
