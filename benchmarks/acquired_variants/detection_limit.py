"""The detection limit of the acquired-variant decision, stated against simulated
sensitivity.

    python benchmarks/acquired_variants/detection_limit.py [--sites 4000] [--out PREFIX]

Three tables:

1. ``issue``: issue 14's depth pairs at a per-allele error rate of 0.003: the limit of
   the line test alone (what the check stated before: line depth and line test only),
   through the same enumeration, and the limit of the whole decision
   (variants.origin.classify_origin, shipped defaults) that the check states now.
2. ``sweep``: line depth 30/100/300x x parental depth 10/30x x allele fraction: the
   stated limit (variants.limit.detection_limit) and power next to the sensitivity
   observed by simulating reads and classifying them with classify_origin; the
   fraction where the simulated sensitivity crosses 80% (interpolated) against the
   stated limit. Reads are simulated one by one (independently of the enumeration): a
   site's variant fraction is drawn from the beta distribution of the line's
   overdispersion; each read comes from a variant molecule with that probability and
   then shows the alt base unless misread (3 x the per-allele rate), or, from a
   reference molecule, shows this alt base by error; each read is on the forward strand
   with probability 0.5; the parental's reads show the alt base by error only. Also: the
   sensitivity when the depths vary from site to site (Poisson around the nominal
   depth), and false acquired calls per Mb of error-only sites (at the assumed error
   rate and at 3 times it). With varying depths the limit is stated by
   detection_limit_over_depths on quantile bins of the depth distribution (3 for the
   line, 5 for the parental).
3. ``limits``: the stated limit by line and parental depth, genome-wide and at hotspots.

Written to PREFIX_{issue,sweep,limits}.tsv (default docs/acquired_variants_limit).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from ipscqc.variants.limit import (  # noqa: E402
    DetectionModel,
    depth_bins,
    detection_limit,
    detection_limit_over_depths,
    power,
)
from ipscqc.variants.noise import ErrorRates, NoiseModel  # noqa: E402
from ipscqc.variants.origin import classify_origin, line_evidence  # noqa: E402
from ipscqc.variants.settings import VariantSettings  # noqa: E402

LINE_DEPTHS = (30, 100, 300)
PARENTAL_DEPTHS = (10, 30)
AFS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
TARGET = 0.8


def site_table(k, f, r, j, line_depth, parental_depth) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_alt": k,
            "line_ref": line_depth - k,
            "line_depth": line_depth,
            "line_alt_fwd": f,
            "line_alt_rev": k - f,
            "line_ref_fwd": r,
            "line_ref_rev": line_depth - k - r,
            "parental_alt": j,
            "parental_ref": parental_depth - j,
            "parental_depth": parental_depth,
            "context": "snv",
            "hotspot": "",
            "rpbz": np.nan,
            "mqbz": np.nan,
        }
    )


def simulate_reads(af, line_depth, parental_depth, noise, rng, sites) -> pd.DataFrame:
    """Counts of ``sites`` planted variants, simulated read by read. ``line_depth`` and
    ``parental_depth`` are arrays (one depth per site)."""
    e_line, e_par = noise.line_error.snv, noise.parental_error.snv
    rho = noise.line_rho
    scale = (1 - rho) / rho
    fraction = rng.beta(af * scale, (1 - af) * scale, sites)
    n_max = int(line_depth.max())
    reads = np.arange(n_max)[None, :] < line_depth[:, None]
    from_variant = rng.random((sites, n_max)) < fraction[:, None]
    misread = rng.random((sites, n_max))
    alt = np.where(from_variant, misread >= 3 * e_line, misread < e_line) & reads
    forward = rng.random((sites, n_max)) < 0.5
    k = alt.sum(axis=1)
    f = (alt & forward).sum(axis=1)
    r = (~alt & forward & reads).sum(axis=1)
    j = rng.binomial(parental_depth, e_par)
    return site_table(k, f, r, j, line_depth, parental_depth)


def crossing(afs, sensitivity, target=TARGET) -> float | None:
    """The fraction where sensitivity first reaches ``target`` (linear interpolation)."""
    afs, sensitivity = np.asarray(afs), np.asarray(sensitivity)
    above = np.flatnonzero(sensitivity >= target)
    if not len(above):
        return None
    i = above[0]
    if i == 0:
        return float(afs[0])
    x0, x1, y0, y1 = afs[i - 1], afs[i], sensitivity[i - 1], sensitivity[i]
    return float(x0 + (target - y0) * (x1 - x0) / (y1 - y0))


def false_calls_per_mb(line_depth, parental_depth, noise, settings, rng, bases, factor):
    """Acquired calls among error-only sites whose true per-allele error rate is
    ``factor`` times the assumed one (only sites with enough alt reads to possibly
    pass are classified)."""
    e_line, e_par = factor * noise.line_error.snv, factor * noise.parental_error.snv
    k = rng.binomial(line_depth, e_line, bases)
    candidate = k >= settings.min_alt_reads
    k = k[candidate]
    f = rng.binomial(k, 0.5)
    r = rng.binomial(line_depth - k, 0.5)
    j = rng.binomial(parental_depth, e_par, len(k))
    table = site_table(k, f, r, j, line_depth, parental_depth)
    calls = (classify_origin(table, settings, noise, explain=False)["class"] == "acquired").sum()
    return float(calls / bases * 1e6)


def issue_table(settings) -> pd.DataFrame:
    rates = ErrorRates(0.003, 0.003, 0.003, 0.003)
    noise = NoiseModel.default(settings)
    noise = NoiseModel(rates, rates, noise.line_rho, noise.parental_rho)

    def line_test_only(table):
        hotspot = np.zeros(len(table), dtype=bool)
        return line_evidence(table, settings, noise, hotspot)["present"]

    rows = []
    for line_depth, parental_depth in ((30, 10), (100, 30), (300, 30)):
        line_test = DetectionModel(
            settings, noise, line_depth, parental_depth, decide=line_test_only
        )
        rows.append(
            {
                "line_depth": line_depth,
                "parental_depth": parental_depth,
                "line_test_only": line_test.limit(TARGET),
                "whole_decision": detection_limit(
                    line_depth, parental_depth, settings, TARGET, noise
                ),
            }
        )
    return pd.DataFrame(rows)


def sweep(settings, noise, sites, seed) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for line_depth in LINE_DEPTHS:
        for parental_depth in PARENTAL_DEPTHS:
            limit = detection_limit(line_depth, parental_depth, settings, TARGET, noise)
            limit_poisson = detection_limit_over_depths(
                poisson_bins(line_depth, 3),
                poisson_bins(parental_depth, 5),
                settings,
                TARGET,
                noise,
            )
            around = {
                round(value + d, 3)
                for value in (limit, limit_poisson)
                if value
                for d in (-0.03, 0.0, 0.03)
            }
            afs = sorted(set(AFS) | around)
            afs = [af for af in afs if 0 < af <= 1]
            fixed_line = np.full(sites, line_depth)
            fixed_parental = np.full(sites, parental_depth)
            observed, varying = [], []
            for af in afs:
                table = simulate_reads(af, fixed_line, fixed_parental, noise, rng, sites)
                classes = classify_origin(table, settings, noise, explain=False)["class"]
                observed.append(float((classes == "acquired").mean()))
                table = simulate_reads(
                    af,
                    np.maximum(rng.poisson(line_depth, sites), 1),
                    rng.poisson(parental_depth, sites),
                    noise,
                    rng,
                    sites,
                )
                classes = classify_origin(table, settings, noise, explain=False)["class"]
                varying.append(float((classes == "acquired").mean()))
            simulated_limit = crossing(afs, observed)
            simulated_limit_poisson = crossing(afs, varying)
            false_rate = false_calls_per_mb(
                line_depth, parental_depth, noise, settings, rng, 2_000_000, 1
            )
            false_rate_3x = false_calls_per_mb(
                line_depth, parental_depth, noise, settings, rng, 2_000_000, 3
            )
            for af, sensitivity, poisson in zip(afs, observed, varying, strict=True):
                rows.append(
                    {
                        "line_depth": line_depth,
                        "parental_depth": parental_depth,
                        "af": af,
                        "power": round(power(af, line_depth, parental_depth, settings, noise), 4),
                        "simulated_sensitivity": sensitivity,
                        "simulated_sensitivity_poisson_depth": poisson,
                        "stated_limit": limit,
                        "simulated_limit": _round(simulated_limit),
                        "stated_limit_poisson_depth": limit_poisson,
                        "simulated_limit_poisson_depth": _round(simulated_limit_poisson),
                        "false_acquired_per_mb": false_rate,
                        "false_acquired_per_mb_3x_error": false_rate_3x,
                    }
                )
    return pd.DataFrame(rows)


def _round(value):
    return None if value is None else round(value, 3)


def poisson_bins(depth: int, bins: int) -> list[tuple[int, float]]:
    """Quantile depths of Poisson(depth): the depth varying from site to site."""
    values = np.arange(0, 3 * depth + 10)
    return depth_bins(values, stats.poisson.pmf(values, depth), bins)


def limits_table(settings, noise) -> pd.DataFrame:
    rows = []
    for line_depth in (30, 35, 60, 100, 200, 300):
        for parental_depth in (10, 15, 20, 25, 30, 60):
            rows.append(
                {
                    "line_depth": line_depth,
                    "parental_depth": parental_depth,
                    "limit": detection_limit(line_depth, parental_depth, settings, TARGET, noise),
                    "hotspot_limit": detection_limit(
                        line_depth, parental_depth, settings, TARGET, noise, hotspot=True
                    ),
                }
            )
        rows.append(
            {
                "line_depth": line_depth,
                "parental_depth": "line-only",
                "limit": detection_limit(line_depth, None, settings, TARGET, noise),
                "hotspot_limit": detection_limit(
                    line_depth, None, settings, TARGET, noise, hotspot=True
                ),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=4000, help="planted variants per point")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="docs/acquired_variants_limit")
    parser.add_argument("--skip-limits", action="store_true", help="no depth-by-depth table")
    args = parser.parse_args()
    settings = VariantSettings()
    noise = NoiseModel.default(settings)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    issue = issue_table(settings)
    issue.to_csv(f"{out}_issue.tsv", sep="\t", index=False)
    print("# issue 14's depths: line test alone against the whole decision (error 0.003)")
    print(issue.to_string(index=False))
    table = sweep(settings, noise, args.sites, args.seed)
    table.to_csv(f"{out}_sweep.tsv", sep="\t", index=False, float_format="%.4g")
    print("\n# stated limit and power against simulated sensitivity (classify_origin)")
    shown = ["line_depth", "parental_depth", "af", "power", "simulated_sensitivity"]
    shown += ["simulated_sensitivity_poisson_depth"]
    print(table[shown].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    summary = table.groupby(["line_depth", "parental_depth"]).first()[
        [
            "stated_limit",
            "simulated_limit",
            "stated_limit_poisson_depth",
            "simulated_limit_poisson_depth",
            "false_acquired_per_mb",
            "false_acquired_per_mb_3x_error",
        ]
    ]
    summary["difference"] = summary["simulated_limit"] - summary["stated_limit"]
    summary["difference_poisson"] = (
        summary["simulated_limit_poisson_depth"] - summary["stated_limit_poisson_depth"]
    )
    print("\n# stated limit against the simulated 80% crossing")
    print(summary.to_string(float_format=lambda x: f"{x:.3f}"))
    if not args.skip_limits:
        limits = limits_table(settings, noise)
        limits.to_csv(f"{out}_limits.tsv", sep="\t", index=False)
        print("\n# limit by depth (shipped defaults)")
        print(limits.to_string(index=False))
    print(f"\nwritten {out}_*.tsv in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
