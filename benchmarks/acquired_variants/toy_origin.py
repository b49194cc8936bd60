"""The origin decision on the toy data set's real candidate tables (donor D1).

    PYTHONPATH=scripts python -m toydata --outdir toy_data --genome-scale 0.1
    snakemake -c 2 -- results/variants/D1.candidates.tsv.gz results/variants/D1.hotspots.tsv \\
        results/variants/hotspots/alleles.tsv
    python benchmarks/acquired_variants/toy_origin.py [--results results --toy toy_data]

Builds each line's site table as the existing check does (candidates, forced hotspot
rows, catalogue matches, tiers), measures the noise model of every line
(variant_noise.estimate_noise), classifies the donor's lines (classify_donor), and
prints the classes, the alleles each line carries as new, the planted truth and the
detection limit at the median depths.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pysam

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from ipscqc.acquired_variants import (  # noqa: E402
    assign_tiers,
    candidate_sites,
    hotspot_matches,
    hotspot_sites,
    merge_hotspots,
    read_query_table,
)
from ipscqc.hotspots import read_hotspots  # noqa: E402
from ipscqc.variants.classify import classify_donor  # noqa: E402
from ipscqc.variants.limit import detection_limit  # noqa: E402
from ipscqc.variants.noise import estimate_noise  # noqa: E402
from ipscqc.variants.settings import VariantSettings  # noqa: E402

LINES = ("D1_clone_clean", "D1_clone_events", "D1_clone_swap")
PARENTAL = "D1_parental"
SHOWN = ["chrom", "pos", "ref", "alt", "gene", "protein_change", "tier", "line_alt"]
SHOWN += ["line_depth", "parental_alt", "parental_depth", "class", "reason"]


def line_sites(candidates, pileup, alleles, catalogue, genes, line) -> pd.DataFrame:
    sites = candidate_sites(candidates, line, PARENTAL, set(genes["gene"]))
    sites = merge_hotspots(sites, hotspot_sites(pileup, alleles, line, PARENTAL))
    sites = pd.concat(
        [
            sites.drop(columns=["hotspot", "hotspot_category"], errors="ignore"),
            hotspot_matches(sites, catalogue),
        ],
        axis=1,
    )
    sites["tier"] = assign_tiers(sites, genes)
    # a male donor: germline alleles of chrX/chrY are in every read (toy: no PAR)
    sites["parental_germline_af"] = np.where(sites["chrom"].isin(["chrX", "chrY"]), 1.0, np.nan)
    return sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--toy", default="toy_data")
    args = parser.parse_args()
    results, toy = Path(args.results), Path(args.toy)
    settings = VariantSettings()
    candidates = read_query_table(results / "variants/D1.candidates.tsv.gz")
    pileup = read_query_table(results / "variants/D1.hotspots.tsv")
    alleles = pd.read_csv(results / "variants/hotspots/alleles.tsv", sep="\t")
    catalogue = read_hotspots("resources/hotspots/hotspots.tsv")
    genes = pd.read_csv("resources/hotspots/cancer_genes.tsv", sep="\t", comment="#")
    truth = json.loads((toy / "truth.json").read_text())
    tables, noises = {}, {}
    for line in LINES:
        tables[line] = line_sites(candidates, pileup, alleles, catalogue, genes, line)
        noises[line], provenance = estimate_noise(tables[line], settings)
        rates = {
            f"{e['sample']} {e['context']}": (round(e["rate"], 5), e["source"])
            for e in provenance["error_rates"]
            if e["context"] == "snv"
        }
        print(
            f"{line}: {len(tables[line])} alleles; rho line {noises[line].line_rho:.4f}, "
            f"parental {noises[line].parental_rho:.4f}; SNV error {rates}"
        )
    started = time.perf_counter()
    with pysam.FastaFile(str(toy / "reference/genome.fa")) as fasta:
        classified = classify_donor(
            tables, settings, noises, fetch=fasta.fetch, lineage={line: line for line in LINES}
        )
    print(f"classify_donor: {time.perf_counter() - started:.1f} s")
    planted = {(a["chrom"], a["pos"]) for a in truth["acquired_variants"]}
    for line in LINES:
        table = classified[line]
        acquired = table[table["class"] == "acquired"]
        hits = sum(key in planted for key in zip(acquired["chrom"], acquired["pos"], strict=True))
        print(f"\n== {line}: {table['class'].value_counts().to_dict()}")
        print(f"acquired {len(acquired)}, of them planted {hits}")
        limit = detection_limit(
            table["line_depth"].median(),
            table["parental_depth"].median(),
            settings,
            settings.detection_power,
            noises[line],
        )
        print(
            f"median depths {table['line_depth'].median():g}x / "
            f"{table['parental_depth'].median():g}x: limit {limit}"
        )
        if line != "D1_clone_swap":
            new = table["class"].isin(["acquired", "donor_mosaic"]) | (
                (table["class"] == "uncertain") & table["line_carries"]
            )
            print(table.loc[new, SHOWN].to_string())
    print("\n== planted (D1_clone_events)")
    events = classified["D1_clone_events"]
    for variant in truth["acquired_variants"]:
        if variant["sample"] != "D1_clone_events":
            continue
        rows = events[(events["chrom"] == variant["chrom"]) & (events["pos"] == variant["pos"])]
        found = rows[["line_alt", "line_depth", "parental_alt", "parental_depth", "class"]]
        print(variant["id"], variant["expected_af"], found.values.tolist())


if __name__ == "__main__":
    main()
