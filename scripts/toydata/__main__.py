"""Command line: ``PYTHONPATH=scripts python -m toydata --outdir DIR``."""

from __future__ import annotations

import argparse
import sys

from .dataset import DESIGNS, build


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m toydata",
        description="Generate the ipsc-qc toy data set (reference, reads, sheets, truth.json).",
    )
    parser.add_argument("--outdir", required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--design",
        choices=DESIGNS,
        default="default",
        help="default: two donors, five samples; one_donor: D1's parental, a clean line "
        "and a line contaminated at 4%% by an individual not in the run (docs/toy_data.md)",
    )
    parser.add_argument(
        "--genome-scale",
        type=float,
        default=None,
        help="multiplies contig lengths (default 0.4 for the default design: about 5.5 Mb; "
        "0.2 for one_donor; 1.0: about 13.5 Mb; minimum 0.05)",
    )
    parser.add_argument(
        "--coverage-scale", type=float, default=1.0, help="multiplies every sample's depth"
    )
    parser.add_argument(
        "--lines",
        type=int,
        default=0,
        metavar="N_EXTRA",
        help="add N extra clean iPSC lines (alternating donors D1, D2) for scaling tests",
    )
    parser.add_argument("--threads", type=int, default=None, help="worker processes")
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    build(
        args.outdir,
        seed=args.seed,
        genome_scale=args.genome_scale,
        coverage_scale=args.coverage_scale,
        extra_lines=args.lines,
        force=args.force,
        threads=args.threads,
        quiet=args.quiet,
        design_name=args.design,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
