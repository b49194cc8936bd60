"""End to end: the origin of the toy lines' alleles against the planted truth.

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
# at most one false acquired call per 10 Mb of sequence, on each kind of contig
MAX_FALSE_ACQUIRED_PER_MB = 0.1


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


def _truthy(value) -> bool:
    return str(value).lower() in ("true", "1")


def test_findings_envelope(toy_run):
    for line in (EVENTS, CLEAN):
        doc = _findings(toy_run, line)
        assert doc["check"] == "acquired_variants" and doc["sample"] == line
        assert doc["parental"] == PARENTAL and doc["mode"] == "paired"
        metrics = doc["metrics"]
        for name in (
            "acquired_count",
            "germline_count",
            "donor_mosaic_count",
            "carried_hotspot_count",
            "carried_hotspot_germline_count",
            "max_hotspot_af",
            "hotspots_checked",
            "hotspots_undercovered",
            "min_detectable_af",
            "tp53_dn_max_detectable_af",
            "line_snv_error_rate",
            "line_overdispersion",
        ):
            assert metrics[name] is not None, name
        assert doc["adequacy"]["median_depth"] > 5
        assert doc["adequacy"]["parental_median_depth"] > 5
        # TP53 (21 entries) and DNMT3A R882H/C sit on the toy genome; KRAS is a toy gene
        # whose residues differ, so its entries are reported as not checked
        assert metrics["hotspots_checked"] == 23
        # TP53 is on its MANE Select transcript; the toy DNMT3A's transcript has a toy ID,
        # so its entries are numbered on the annotation's MANE_Select transcript, noted
        assert metrics["tp53_dn_entries"] == 12 and metrics["tp53_dn_unmapped"] == 0
        assert metrics["hotspots_on_another_transcript"] == 2
        assert any("Hotspots of DNMT3A: ENST00000321117 is not in the annotation" in note
                   for note in doc["notes"])  # fmt: skip
        # the whole decision at a ~33x line and a ~28x parental: about 0.2
        assert 0.15 < metrics["min_detectable_af"] < 0.3


def test_donor_mosaic_hotspot_is_donor_mosaic_and_carried(toy_run, fasta):
    (mosaic,) = [v for v in _planted(toy_run.truth, EVENTS) if v["origin"] == "donor_mosaic"]
    assert mosaic["parental_alt_reads"] >= 2, "the toy parental shows the clone"
    row = _by_key(_table(toy_run, EVENTS), fasta)[
        _key(fasta, mosaic["chrom"], mosaic["pos"], mosaic["ref"], mosaic["alt"])
    ]
    assert (row["class"], row["origin"]) == ("donor_mosaic", "donor_mosaic")
    assert _truthy(row["line_carries"]) and row["tier"] == "oncogenic_hotspot"
    assert 2 <= row["parental_alt"] <= 2 * mosaic["parental_alt_reads"]
    assert abs(row["parental_af"] - mosaic["parental_expected_af"]) <= af_tolerance(
        mosaic["parental_expected_af"], row["parental_depth"]
    )
    assert abs(row["line_af"] - mosaic["expected_af"]) <= af_tolerance(
        mosaic["expected_af"], row["line_depth"]
    )
    assert row["expansion"] > 2
    metrics = _findings(toy_run, EVENTS)["metrics"]
    assert metrics["donor_mosaic_count"] >= 1


def test_planted_variants_found_with_their_origin_and_annotation(toy_run, fasta):
    """Every planted acquired variant at AF >= 0.2 is acquired, or uncertain where the
    parental cannot exclude the line's fraction at its depth, at about its planted
    fraction, with its gene and protein change; one may be missed where the line's reads
    are too few for the genome-wide test. The hotspot and likely-oncogenic ones are
    carried whatever their class."""
    table = _by_key(_table(toy_run, EVENTS), fasta)
    counts = _candidate_counts(toy_run, fasta, EVENTS)
    planted = [
        v
        for v in _planted(toy_run.truth, EVENTS)
        if v["expected_af"] >= 0.2 and v["origin"] == "acquired"
    ]
    found = 0
    for variant in planted:
        key = _key(fasta, variant["chrom"], variant["pos"], variant["ref"], variant["alt"])
        if key not in table or table[key]["line_call"] != "present":
            alt, depth = counts.get(key, (0, 0))
            assert depth < 40 and alt <= 4, (variant["id"], alt, depth)
            continue
        row = table[key]
        found += 1
        assert row["class"] in ("acquired", "uncertain"), (variant["id"], row["class"])
        if row["class"] == "uncertain":
            assert "parental" in row["reason"], (variant["id"], row["reason"])
        assert abs(row["line_af"] - variant["expected_af"]) <= af_tolerance(
            variant["expected_af"], row["line_depth"]
        ), variant["id"]
        if variant["hotspot"] or variant["gene"] in ("BCOR", "TET2"):
            assert _truthy(row["line_carries"]), variant["id"]
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


def test_no_artefact_read_set_becomes_acquired_or_carried(toy_run, fasta):
    artefacts = toy_run.truth["artefacts"]
    assert artefacts, "the toy truth plants one-strand artefact reads"
    table = _by_key(_table(toy_run, CLEAN), fasta)
    for artefact in artefacts:
        key = _key(fasta, artefact["chrom"], artefact["pos"], artefact["ref"], artefact["alt"])
        row = table.get(key)
        if row is None:  # too few reads to be a candidate at all
            continue
        assert row["class"] not in ("acquired", "uncertain"), (artefact["id"], row["class"])
        assert not _truthy(row["line_carries"]), artefact["id"]
        if row["line_call"] == "present":
            assert row["class"] == "artefact", artefact["id"]
            assert "strand" in row["artefacts"], artefact["id"]


def _contig_types(toy_run) -> dict[str, tuple[str, int]]:
    """Each toy contig's kind of sequence (synthetic or GRCh38) and length, autosomes
    and X/Y alike."""
    return {c["name"]: (c["sequence"], c["length"]) for c in toy_run.truth["genome"]["contigs"]}


def false_acquired_rates(toy_run, fasta) -> dict[str, tuple[int, float]]:
    """Acquired calls that match no planted variant, in both D1 lines, per kind of contig:
    (calls, calls per Mb of that kind of sequence, both lines counted)."""
    kinds = _contig_types(toy_run)
    planted = {
        _key(fasta, v["chrom"], v["pos"], v["ref"], v["alt"])
        for v in toy_run.truth["acquired_variants"]
    }
    calls = dict.fromkeys({kind for kind, _ in kinds.values()}, 0)
    for line in (CLEAN, EVENTS):
        table = _table(toy_run, line)
        for row in table[table["class"] == "acquired"].itertuples():
            if _key(fasta, row.chrom, row.pos, row.ref, row.alt) not in planted:
                calls[kinds[row.chrom][0]] += 1
    megabases = {kind: 0.0 for kind in calls}
    for kind, length in kinds.values():
        megabases[kind] += 2 * length / 1e6
    return {kind: (calls[kind], calls[kind] / megabases[kind]) for kind in calls}


def test_clean_line_has_no_oncogenic_calls_and_few_false_acquired(toy_run, fasta):
    table = _table(toy_run, CLEAN)
    carried = table[table["line_carries"].map(_truthy)]
    assert not carried["tier"].isin(["oncogenic_hotspot", "likely_oncogenic"]).any(), carried[
        carried["tier"].isin(["oncogenic_hotspot", "likely_oncogenic"])
    ].to_string()
    metrics = _findings(toy_run, CLEAN)["metrics"]
    assert metrics["carried_hotspot_count"] == 0
    assert metrics["carried_likely_oncogenic_count"] == 0
    assert metrics["acquired_cancer_gene_count"] == 0
    assert metrics["hotspots_detected"] == 0
    rates = false_acquired_rates(toy_run, fasta)
    print("false acquired calls (both D1 lines):", rates)
    assert set(rates) == {"synthetic", "GRCh38"}
    for kind, (_, per_mb) in rates.items():
        assert per_mb <= MAX_FALSE_ACQUIRED_PER_MB, (kind, rates)


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


def test_germline_variants_are_germline(toy_run, fasta):
    table = _by_key(_table(toy_run, CLEAN), fasta)
    germline = [v for v in toy_run.truth["germline_variants"] if v["donor"] == "D1"]
    keys = [_key(fasta, v["chrom"], v["pos"], v["ref"], v["alt"]) for v in germline]
    classed = sum(1 for key in keys if key in table and table[key]["class"] == "germline")
    print(f"{classed} of {len(keys)} D1 germline variants classed germline in {CLEAN}")
    assert classed / len(keys) > 0.9


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


def test_swapped_line_shows_another_donors_alleles(toy_run):
    """A line with another donor's genome carries that donor's germline as new alleles:
    acquired, or uncertain where the run's other donor (the panel of normals) carries
    them too. The line's table shows them; its findings are withheld, since they are
    another person's genome and not changes of the line."""
    doc = _findings(toy_run, "D1_clone_swap")
    assert all(value is None for value in doc["metrics"].values())
    notes = " ".join(doc["notes"])
    assert "a different individual" in notes and "D2_parental" in notes
    table = _table(toy_run, "D1_clone_swap")
    germline = toy_run.truth["germline_variants"]
    d1 = {(v["chrom"], v["pos"], v["alt"]) for v in germline if v["donor"] == "D1"}
    d2_private = [
        v for v in germline if v["donor"] == "D2" and (v["chrom"], v["pos"], v["alt"]) not in d1
    ]
    # a 10x line against a 30x parental: a quarter of the other donor's private variants
    # is well within reach of the line test
    new = table[table["class"].isin(["acquired", "uncertain"])]
    assert len(new) > 0.25 * len(d2_private) > 100
    assert (new["pon_samples"] > 0).sum() > 0.25 * len(d2_private)
