"""End to end: acquired point mutations of the toy lines against the planted truth.

Run on a finished workflow run (the ``toy_run`` fixture; IPSCQC_TEST_RESULTS points it
at an existing results folder).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pysam
import pytest
from ipscqc.readers.bcftools_query import read_query_table
from ipscqc.variants.sites import candidate_sites, normalise_allele

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EVENTS, CLEAN, PARENTAL = "D1_clone_events", "D1_clone_clean", "D1_parental"
# The clean line (35x against a 20x parental) may show a few acquired calls from
# sequencing errors, never one in an oncogenic tier.
MAX_CLEAN_ACQUIRED = 3


def af_tolerance(expected_af: float, depth: int) -> float:
    """Three binomial standard deviations of an allele fraction read from depth reads."""
    return 3.0 * math.sqrt(expected_af * (1 - expected_af) / max(depth, 1))


@pytest.fixture(scope="module")
def fasta(toy_run):
    with pysam.FastaFile(str(toy_run.results / "reference/genome.fa")) as handle:
        yield handle


def _table(toy_run, line: str) -> pd.DataFrame:
    path = toy_run.results / f"findings/{line}/acquired_variants.tsv"
    return pd.read_csv(path, sep="\t", dtype={"chrom": str}, keep_default_na=False,
                       na_values=["NA"])  # fmt: skip


def _findings(toy_run, line: str) -> dict:
    return json.loads((toy_run.results / f"findings/{line}/acquired_variants.json").read_text())


def _key(fasta, chrom, pos, ref, alt):
    return normalise_allele(chrom, int(pos), ref, alt, fasta.fetch)


def _by_key(table: pd.DataFrame, fasta) -> dict:
    return {
        _key(fasta, row["chrom"], row["pos"], row["ref"], row["alt"]): row
        for row in table.to_dict("records")
    }


def _candidate_counts(toy_run, fasta, line: str) -> dict:
    """Line alt reads and depth of every candidate allele of the donor's pileup."""
    table = read_query_table(toy_run.results / "variants/D1.candidates.tsv.gz")
    sites = candidate_sites(table, line, PARENTAL)
    return {
        _key(fasta, row["chrom"], row["pos"], row["ref"], row["alt"]): (
            row["line_alt"],
            row["line_depth"],
        )
        for row in sites[["chrom", "pos", "ref", "alt", "line_alt", "line_depth"]].to_dict(
            "records"
        )
    }


def _planted(truth: dict, sample: str) -> list[dict]:
    return [v for v in truth["acquired_variants"] if v["sample"] == sample]


def test_findings_envelope(toy_run):
    for line in (EVENTS, CLEAN):
        doc = _findings(toy_run, line)
        assert doc["check"] == "acquired_variants" and doc["sample"] == line
        assert doc["parental"] == PARENTAL and doc["mode"] == "paired"
        metrics = doc["metrics"]
        for name in (
            "acquired_count",
            "acquired_hotspot_count",
            "acquired_cancer_gene_count",
            "max_hotspot_af",
            "hotspots_checked",
            "hotspots_undercovered",
            "min_detectable_af",
        ):
            assert metrics[name] is not None, name
        assert doc["adequacy"]["median_depth"] > 5
        assert doc["adequacy"]["parental_median_depth"] > 5
        # TP53 (21 entries) and DNMT3A R882H/C sit on the toy genome; KRAS is a toy gene
        # whose residues differ, so its entries are reported as not checked
        assert metrics["hotspots_checked"] == 23


def test_every_planted_hotspot_is_flagged(toy_run):
    doc = _findings(toy_run, EVENTS)
    hotspot_items = {i["hotspot"]: i for i in doc["items"] if i["kind"] == "hotspot"}
    planted = [v for v in _planted(toy_run.truth, EVENTS) if v["hotspot"]]
    assert planted, "the toy truth plants hotspots"
    for variant in planted:
        name = f"{variant['gene']} {variant['protein_change'].removeprefix('p.')}"
        item = hotspot_items[name]
        assert item["detected"], name
        assert item["protein_change"] == variant["protein_change"], name
        assert (item["chrom"], item["pos"]) == (variant["chrom"], variant["pos"]), name
        tolerance = af_tolerance(variant["expected_af"], item["line_depth"])
        assert abs(item["line_af"] - variant["expected_af"]) <= tolerance, name
        assert item["class"] in ("acquired", "uncertain"), name
    assert doc["metrics"]["hotspots_detected"] == len(planted)
    assert doc["metrics"]["acquired_hotspot_count"] >= 1


def test_planted_variants_found_with_their_annotation(toy_run, fasta):
    """Every planted variant at AF >= 0.2 is classed acquired (uncertain allowed below 30x
    in line or parental), at about its planted fraction, with its gene and protein change;
    one is allowed to be missed only where the line's reads at the site are too few for
    the genome-wide test."""
    table = _by_key(_table(toy_run, EVENTS), fasta)
    counts = _candidate_counts(toy_run, fasta, EVENTS)
    planted = [v for v in _planted(toy_run.truth, EVENTS) if v["expected_af"] >= 0.2]
    found = 0
    for variant in planted:
        key = _key(fasta, variant["chrom"], variant["pos"], variant["ref"], variant["alt"])
        if key not in table:
            alt, depth = counts.get(key, (0, 0))
            assert depth < 30 and alt < 4, (variant["id"], alt, depth)
            continue
        row = table[key]
        found += 1
        assert row["class"] in ("acquired", "uncertain"), (variant["id"], row["class"])
        tolerance = af_tolerance(variant["expected_af"], row["line_depth"])
        assert abs(row["line_af"] - variant["expected_af"]) <= tolerance, variant["id"]
        if row["line_depth"] >= 30 and row["parental_depth"] >= 30:
            assert row["class"] == "acquired", variant["id"]
        if variant["protein_change"]:
            assert (row["gene"], row["protein_change"]) == (
                variant["gene"],
                variant["protein_change"],
            ), variant["id"]
    assert found >= len(planted) - 1


def test_tiers_of_the_planted_variants(toy_run, fasta):
    table = _by_key(_table(toy_run, EVENTS), fasta)
    expected = {
        "TP53_R273H": "oncogenic_hotspot",
        "DNMT3A_R882H": "oncogenic_hotspot",
        "BCOR_R1200*": "likely_oncogenic",
        "TET2_Q1034*": "likely_oncogenic",
    }
    checked = 0
    for variant in _planted(toy_run.truth, EVENTS):
        key = _key(fasta, variant["chrom"], variant["pos"], variant["ref"], variant["alt"])
        if variant["id"] in expected and key in table:
            assert table[key]["tier"] == expected[variant["id"]], variant["id"]
            checked += 1
    assert checked >= 3


def test_clean_line_has_no_oncogenic_acquired_calls(toy_run):
    table = _table(toy_run, CLEAN)
    acquired = table[table["class"] == "acquired"]
    assert len(acquired) <= MAX_CLEAN_ACQUIRED, acquired.head(20).to_string()
    assert not acquired["tier"].isin(["oncogenic_hotspot", "likely_oncogenic"]).any()
    metrics = _findings(toy_run, CLEAN)["metrics"]
    assert metrics["acquired_hotspot_count"] == 0
    assert metrics["acquired_cancer_gene_count"] == 0
    assert metrics["hotspots_detected"] == 0


def test_germline_variants_are_never_acquired(toy_run, fasta):
    germline = {
        _key(fasta, v["chrom"], v["pos"], v["ref"], v["alt"])
        for v in toy_run.truth["germline_variants"]
        if v["donor"] == "D1"
    }
    for line in (EVENTS, CLEAN):
        table = _table(toy_run, line)
        acquired = table[table["class"] == "acquired"]
        keys = {_key(fasta, r.chrom, r.pos, r.ref, r.alt) for r in acquired.itertuples()}
        assert not keys & germline, (line, sorted(keys & germline)[:5])


def test_germline_variants_are_inherited(toy_run, fasta):
    table = _by_key(_table(toy_run, CLEAN), fasta)
    germline = [v for v in toy_run.truth["germline_variants"] if v["donor"] == "D1"]
    keys = [_key(fasta, v["chrom"], v["pos"], v["ref"], v["alt"]) for v in germline]
    inherited = sum(1 for key in keys if key in table and table[key]["class"] == "inherited")
    print(f"{inherited} of {len(keys)} D1 germline variants inherited in {CLEAN}")
    assert inherited / len(keys) > 0.9


def test_loss_of_heterozygosity_is_reported_inside_the_planted_segment(toy_run):
    events = [
        e
        for e in toy_run.truth["copy_number_events"]
        if e["sample"] == EVENTS and e["type"] == "cnloh"
    ]
    assert events, "the toy truth plants a copy-neutral LOH"
    table = _table(toy_run, EVENTS)
    lost = table[table["class"] == "lost"]
    inside = pd.Series(False, index=lost.index)
    for event in events:
        inside |= (
            (lost["chrom"] == event["chrom"])
            & (lost["pos"] > event["start"])
            & (lost["pos"] <= event["end"])
        )
    assert len(lost) >= 20
    assert inside.mean() > 0.8


def test_swapped_line_shows_many_acquired_variants(toy_run):
    """A line with another donor's genome carries that donor's germline as 'acquired'."""
    metrics = _findings(toy_run, "D1_clone_swap")["metrics"]
    germline = toy_run.truth["germline_variants"]
    d1 = {(v["chrom"], v["pos"], v["alt"]) for v in germline if v["donor"] == "D1"}
    d2_private = [
        v for v in germline if v["donor"] == "D2" and (v["chrom"], v["pos"], v["alt"]) not in d1
    ]
    # a 10x line against a 20x parental: a quarter of the other donor's private variants
    # is well within reach of the acquired-variant test
    assert metrics["acquired_count"] > 0.25 * len(d2_private) > 100
