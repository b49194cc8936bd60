"""Contamination benchmark: true against estimated foreign-DNA fraction in one-donor and
two-donor runs, on simulated read counts (no reads are aligned).

    python benchmarks/identity/contamination.py --outdir benchmarks/identity \
        [--replicates 3] [--sites 20000] [--depth 30] [--fractions ...]

(or ``OPENBLAS_NUM_THREADS=1 PYTHONPATH=scripts python benchmarks/identity/benchmark.py
contamination ...``; run directly, this file sets one BLAS thread itself, which the
optimiser needs: with several it was three times slower here). Writes
``contamination_{sites}sites_{depth}x.tsv`` (one row per run and replicate) and
``..._summary.tsv`` (mean and range in %, as printed).

Simulation, per replicate: a population of biallelic SNVs whose alternate-allele
frequencies follow the neutral spectrum (density proportional to 1/f from 0.001 to 1:
the reference genome is one more haplotype, so this holds for 'alternate' as for
'derived' alleles); individuals get Hardy-Weinberg genotypes at those frequencies. The
site list is either

- the run's own germline variants: sites where a donor of the run is not hom-ref,
  called from its parental's simulated 30x reads (no frequency per site), or
- a somalier-style sites file: sites with population frequency 0.12-0.88 (the range
  somalier's find-sites keeps), each with its INFO/AF.

Read counts: depth Poisson(depth) per site, alternate reads binomial with
p = e + (1 - 2e) ((1 - c) g / 2 + c h / 2), error e = 0.002, heterozygous allele
balance beta-distributed around 0.49 (overdispersion 0.01, as real data's spread).
The parental's genotypes are called from its own reads by the most likely genotype
(error 0.01, flat prior), roughly what bcftools call does at 30x.

Runs (columns):

- one_donor: the line, its parental (same person), contaminant not in the run, the
  run's own sites; estimate with the parental's calls (frequency spectrum fitted);
- one_donor_line_only: the same line with no parental (the line's reads decide);
- one_donor_sites_af: the same with a sites file carrying INFO/AF;
- two_donor_named: a second donor in the run is the contaminant (its genotypes known);
- two_donor_outsider: a second donor in the run, contaminant not in the run;
- previous_one_donor: the previous estimator (hom sites, contaminant allele fraction
  0.5) on the one_donor data, for comparison.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# one BLAS thread: the optimiser's small matrix steps run far slower with several
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from ipscqc.contamination import contamination_metrics  # noqa: E402
from ipscqc.contamination_estimate import (  # noqa: E402
    ContaminationSettings,
    contamination_with_sources,
    estimate_contamination,
)

FRACTIONS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1)
ERROR = 0.002
HET_BALANCE, HET_OVERDISPERSION = 0.49, 0.01


def neutral_frequencies(rng, n: int, lowest: float = 1e-3) -> np.ndarray:
    """Alternate-allele frequencies with density proportional to 1/f on [lowest, 1)."""
    return lowest ** (1.0 - rng.random(n))


def genotypes(rng, freq: np.ndarray) -> np.ndarray:
    return rng.binomial(1, freq) + rng.binomial(1, freq)


def reads(rng, own: np.ndarray, foreign: np.ndarray, fraction: float, depth: float):
    """(ref, alt, other) counts of a sample with a fraction of foreign DNA."""
    n_sites = own.size
    depth_per_site = rng.poisson(depth, n_sites)
    scale = 1.0 / HET_OVERDISPERSION - 1.0
    balance = rng.beta(HET_BALANCE * scale, (1 - HET_BALANCE) * scale, n_sites)
    own_fraction = np.where(own == 1, balance, own / 2.0)
    p = ERROR + (1 - 2 * ERROR) * ((1 - fraction) * own_fraction + fraction * foreign / 2.0)
    alt = rng.binomial(depth_per_site, p)
    other = rng.binomial(depth_per_site, 2 * ERROR)
    return depth_per_site - alt, alt, other


def call_genotypes(ref: np.ndarray, alt: np.ndarray, error: float = 0.01) -> np.ndarray:
    """Most likely genotype from counts (flat prior), -1 without reads."""
    p = np.array([error, 0.5, 1 - error])
    loglik = alt[:, None] * np.log(p) + ref[:, None] * np.log1p(-p)
    called = loglik.argmax(axis=1)
    return np.where(ref + alt > 0, called, -1)


def simulate_run(rng, sites: int, donors: int, site_list: str):
    """One run: line (donor 0, contaminated), parental of donor 0, other donors, an
    outsider; returns the site table and everything needed by the estimators."""
    frequency, people = [], []
    total = 0
    while total < sites:
        freq = neutral_frequencies(rng, sites * 20)
        if site_list == "sites_af":
            freq = freq[(freq >= 0.12) & (freq <= 0.88)]
        everyone = [genotypes(rng, freq) for _ in range(donors + 1)]  # + outsider
        if site_list == "own":
            listed = np.zeros(freq.size, bool)
            for person in everyone[:donors]:
                listed |= person > 0
        else:
            listed = np.ones(freq.size, bool)
        frequency.append(freq[listed])
        people.append([person[listed] for person in everyone])
        total += int(listed.sum())
    freq = np.concatenate(frequency)[:sites]
    everyone = [np.concatenate([p[i] for p in people])[:sites] for i in range(donors + 1)]
    return freq, everyone


def one_replicate(rng, fraction: float, sites: int, depth: float) -> dict:
    settings_one = ContaminationSettings(site_selection="donor_variants", donors_in_site_list=1)
    settings_two = ContaminationSettings(site_selection="donor_variants", donors_in_site_list=2)
    settings_af = ContaminationSettings(site_selection="population")
    out = {}

    # one donor, the run's own sites
    _, (donor, outsider) = simulate_run(rng, sites, 1, "own")
    ref, alt, other = reads(rng, donor, outsider, fraction, depth)
    p_ref, p_alt, _ = reads(rng, donor, donor, 0.0, depth)
    parental_call = call_genotypes(p_ref, p_alt)
    est = estimate_contamination(ref, alt, parental_call, settings_one, other=other)
    out["one_donor"] = est
    out["one_donor_line_only"] = estimate_contamination(ref, alt, None, settings_one, other=other)
    # the previous estimator on the same data (hom sites of the parental, q = 0.5)
    depth_arr = ref + alt
    metrics, *_ = contamination_metrics(
        ref, alt, call_genotypes(ref, alt), depth_arr, parental_call, p_ref + p_alt, {},
        min_depth=10, min_sites=100,
    )  # fmt: skip
    out["previous_one_donor"] = metrics["contamination_fraction"]

    # one donor, a sites file with INFO/AF
    freq, (donor, outsider) = simulate_run(rng, sites, 1, "sites_af")
    ref, alt, other = reads(rng, donor, outsider, fraction, depth)
    p_ref, p_alt, _ = reads(rng, donor, donor, 0.0, depth)
    out["one_donor_sites_af"] = estimate_contamination(
        ref, alt, call_genotypes(p_ref, p_alt), settings_af, population_af=freq, other=other
    )

    # two donors, the run's own sites (union of both donors' variants)
    _, (donor, second, outsider) = simulate_run(rng, sites, 2, "own")
    p_ref, p_alt, _ = reads(rng, donor, donor, 0.0, depth)
    s_ref, s_alt, _ = reads(rng, second, second, 0.0, depth)
    parental_call, second_call = call_genotypes(p_ref, p_alt), call_genotypes(s_ref, s_alt)
    for name, contaminant in (("two_donor_named", second), ("two_donor_outsider", outsider)):
        ref, alt, other = reads(rng, donor, contaminant, fraction, depth)
        reported, _ = contamination_with_sources(
            ref, alt, parental_call, {"D2_parental": second_call}, settings_two, other=other
        )
        out[name] = reported
    return out


RUNS = (
    "one_donor",
    "one_donor_line_only",
    "one_donor_sites_af",
    "two_donor_named",
    "two_donor_outsider",
    "previous_one_donor",
)


def run_benchmark(
    replicates: int, sites: int, depth: float, seed: int, fractions=FRACTIONS
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for fraction in fractions:
        for replicate in range(replicates):
            started = time.time()
            result = one_replicate(rng, fraction, sites, depth)
            for run in RUNS:
                value = result[run]
                if run == "previous_one_donor":
                    row = {"estimate": value, "lower": None, "upper": None, "reason": None}
                else:
                    row = {
                        "estimate": value.fraction,
                        "lower": value.lower,
                        "upper": value.upper,
                        "reason": value.reason,
                        "source": value.source,
                    }
                rows.append(
                    {"true": fraction, "replicate": replicate, "run": run, "sites": sites,
                     "depth": depth, **row}
                )  # fmt: skip
            print(f"fraction {fraction}: replicate {replicate} {time.time() - started:.0f}s",
                  file=sys.stderr, flush=True)  # fmt: skip
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean estimate (min-max over replicates) per true fraction and run, in %."""

    def cell(values: pd.Series) -> str:
        values = values.astype(float)
        missing = int(values.isna().sum())
        present = values.dropna() * 100
        if present.empty:
            return f"None x{missing}"
        text = f"{present.mean():.2f} ({present.min():.2f}-{present.max():.2f})"
        return text + (f" None x{missing}" if missing else "")

    wide = table.groupby(["true", "run"], sort=False)["estimate"].apply(cell).unstack("run")
    wide.index = [f"{100 * t:g}%" for t in wide.index]
    return wide[[run for run in RUNS if run in wide.columns]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outdir", type=Path, default=Path("benchmarks/identity"))
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--sites", type=int, default=20_000)
    parser.add_argument("--depth", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--fractions", type=float, nargs="+", default=list(FRACTIONS))
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    table = run_benchmark(args.replicates, args.sites, args.depth, args.seed, args.fractions)
    name = f"contamination_{args.sites}sites_{args.depth:g}x"
    table.to_csv(args.outdir / f"{name}.tsv", sep="\t", index=False, float_format="%.5g")
    wide = summary(table)
    wide.to_csv(args.outdir / f"{name}_summary.tsv", sep="\t")
    print(wide.to_string())


if __name__ == "__main__":
    main()
