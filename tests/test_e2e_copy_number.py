"""End to end on the toy data set: copy-number calls against the planted truth
(toy_data/truth.json `copy_number_events`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
EVENTS_LINE = "D1_clone_events"
BIN = 1000
BOUNDARY_BINS = 10  # "boundaries within a few bins" (1 kb bins)


def _findings(run, sample):
    return json.loads((run.results / "findings" / sample / "copy_number.json").read_text())


def _calls(run, sample):
    return pd.read_csv(run.results / "copy_number" / sample / "calls.tsv", sep="\t")


def _events(run):
    return [e for e in run.truth["copy_number_events"] if e["sample"] == EVENTS_LINE]


def _matching(calls: pd.DataFrame, event: dict) -> pd.DataFrame:
    return calls[
        (calls["chrom"] == event["chrom"])
        & (calls["start"] < event["end"])
        & (calls["end"] > event["start"])
    ]


def _contig_ends(run, chrom):
    contig = next(c for c in run.truth["genome"]["contigs"] if c["name"] == chrom)
    # the analysable span stops at the telomere N runs
    return contig["telomere_gap"], contig["length"] - contig["telomere_gap"]


def test_every_planted_event_is_called_with_type_copy_number_boundaries_and_fraction(toy_run):
    calls = _calls(toy_run, EVENTS_LINE)
    for event in _events(toy_run):
        hit = _matching(calls, event)
        assert len(hit) == 1, (event["id"], calls)
        call = hit.iloc[0]
        assert call["type"] == event["type"], event["id"]
        assert call["copy_number"] == event["copy_number"], event["id"]
        assert call["mosaic_fraction"] == pytest.approx(event["mosaic_fraction"], abs=0.1)
        low, high = _contig_ends(toy_run, event["chrom"])
        # an event that reaches a chromosome end ends where the analysable span ends
        want_start = max(event["start"], low)
        want_end = min(event["end"], high)
        assert abs(call["start"] - want_start) <= BOUNDARY_BINS * BIN, event["id"]
        assert abs(call["end"] - want_end) <= BOUNDARY_BINS * BIN, event["id"]
        if event["whole_chromosome"]:
            assert call["scope"] == "whole_chromosome"
        else:
            assert call["scope"] != "whole_chromosome"


def test_cnloh_is_called_copy_neutral_and_the_20q_gain_is_recurrent(toy_run):
    calls = _calls(toy_run, EVENTS_LINE)
    events = {e["type"]: e for e in _events(toy_run) if not e["whole_chromosome"]}
    cnloh = _matching(calls, events["cnloh"]).iloc[0]
    assert cnloh["type"] == "cnloh" and cnloh["copy_number"] == 2
    assert abs(cnloh["log2_mean"]) < 0.05
    gain = next(e for e in _events(toy_run) if e["band"] == "20q11.21")
    call = _matching(calls, gain).iloc[0]
    assert call["recurrent"] and "20q11.21" in call["recurrent_regions"]
    assert {"BCL2L1", "ID1", "HM13"} <= set(call["genes"].split(","))


def test_findings_metrics_summarise_the_events_line(toy_run):
    doc = _findings(toy_run, EVENTS_LINE)
    events = _events(toy_run)
    assert doc["mode"] == "paired" and doc["parental"] == "D1_parental"
    metrics = doc["metrics"]
    assert metrics["call_count"] == len(events)
    assert metrics["whole_chromosome_event_count"] == sum(e["whole_chromosome"] for e in events)
    assert metrics["cnloh_count"] == sum(e["type"] == "cnloh" for e in events)
    assert metrics["largest_event_bp"] >= max(e["length"] for e in events) - 2 * BOUNDARY_BINS * BIN
    # 20q, 12, 1q, 18q; the interstitial 1p loss lies in no recurrent region
    assert metrics["recurrent_region_hit_count"] == sum(
        bool(e["recurrent_regions"]) for e in events
    )
    assert metrics["max_mosaic_fraction"] == pytest.approx(1.0, abs=0.1)
    assert len(doc["items"]) == len(events)
    adequacy = doc["adequacy"]
    genome_bp = sum(contig["length"] for contig in toy_run.truth["genome"]["contigs"])
    assert adequacy["bins_used"] > 0.8 * genome_bp / BIN and adequacy["het_sites_used"] > 1000
    assert adequacy["log2_noise"] < 0.3


@pytest.mark.parametrize("sample", ["D1_clone_clean", "D1_parental", "D2_parental"])
def test_clean_line_and_parentals_have_no_calls(toy_run, sample):
    doc = _findings(toy_run, sample)
    assert doc["metrics"]["call_count"] == 0, doc["items"]
    assert _calls(toy_run, sample).empty


def test_swapped_line_is_not_read_against_another_genome(toy_run):
    """Copy number against a parental of another individual would call every het site
    a loss of heterozygosity: the identity check's pairing table withholds it."""
    doc = _findings(toy_run, "D1_clone_swap")
    assert doc["metrics"] and all(value is None for value in doc["metrics"].values())
    notes = " ".join(doc["notes"])
    assert "not assessable against this parental: a different individual" in notes
    assert "D2_parental" in notes
    assert _calls(toy_run, "D1_clone_swap").empty


def test_line_only_reading_of_the_events_line_finds_the_large_events(toy_run, tmp_path):
    from types import SimpleNamespace

    from ipscqc.checks.copy_number import main

    class RuleInputs(SimpleNamespace):
        """A rule's named inputs: optional ones are read with .get, as Snakemake allows."""

        def get(self, name, default=None):
            return getattr(self, name, default)

    results = toy_run.results
    outputs = SimpleNamespace(
        **{
            name: str(tmp_path / f"{name}.out")
            for name in ("bins", "sites", "segments", "calls", "findings_table", "figure")
        },
        findings=str(tmp_path / "findings.json"),
    )
    inputs = RuleInputs(
        line=str(results / f"qc/mosdepth/{EVENTS_LINE}.regions.bed.gz"),
        vcf=str(results / "variants/D1.vcf.gz"),
        composition=str(results / "copy_number/bins.gc.tsv.gz"),
        annotation=str(toy_run.toy_data / "reference/annotation.gff3"),
        centromeres=str(toy_run.toy_data / "reference/centromeres.bed"),
        recurrent=str(toy_run.toy_data / "reference/recurrent_regions.bed"),
    )
    contigs = [line.split("\t")[0] for line in (results / "reference/genome.fa.fai").open()]
    params = SimpleNamespace(
        sample=EVENTS_LINE,
        parental="",
        sex="male",
        settings={},
        genome={"build": "toy", "contigs": contigs},
    )
    main(inputs, outputs, params)
    calls = pd.read_csv(outputs.calls, sep="\t", dtype={"chrom": str})
    for event in _events(toy_run):
        if event["type"] == "cnloh":
            continue  # line-only cannot see LOH present in most cells (docs/copy_number.md)
        hit = _matching(calls, event)
        assert len(hit) >= 1, (event["id"], calls)
        assert (hit["type"] == event["type"]).all(), event["id"]
        assert (hit["copy_number"] == event["copy_number"]).all(), event["id"]
    assert json.loads(Path(outputs.findings).read_text())["mode"] == "line_only"


def _problem_regions(run) -> pd.DataFrame:
    path = run.toy_data / run.truth["repeats"]["problem_regions_bed"]
    return pd.read_csv(
        path, sep="\t", comment="#", header=None, names=["chrom", "start", "end", "name", "kind"]
    )


@pytest.mark.parametrize(
    "sample", ["D1_clone_events", "D1_clone_clean", "D1_parental", "D2_parental"]
)
def test_no_call_in_the_segmental_duplications_or_the_problem_regions(toy_run, sample):
    calls = _calls(toy_run, sample)
    for region in _problem_regions(toy_run).itertuples(index=False):
        inside = _matching(calls, {"chrom": region.chrom, "start": region.start,
                                   "end": region.end})  # fmt: skip
        # a planted event may span a problem region; no call may sit in one otherwise
        planted = [
            e for e in _events(toy_run) if e["chrom"] == region.chrom and sample == EVENTS_LINE
        ]
        unexplained = inside[
            [not any(c.start < e["end"] and c.end > e["start"] for e in planted)
             for c in inside.itertuples()]
        ]  # fmt: skip
        assert unexplained.empty, (region.name, unexplained)


def test_calls_are_classed_as_release_practice_does(toy_run):
    """The 20q11.21 gain touches the driver region (FAIL), the trisomy is whole-chromosome
    (FAIL), the 300 kb interstitial 1p loss in no recurrent region is REVIEW, not FAIL."""
    calls = _calls(toy_run, EVENTS_LINE)
    by_id = {e["id"]: _matching(calls, e).iloc[0] for e in _events(toy_run)}
    gain = by_id["gain_20q11.21"]
    assert gain["class"] == "FAIL" and "driver region 20q11.21" in gain["class_reasons"]
    trisomy = by_id["trisomy_12"]
    assert (
        trisomy["class"] == "FAIL" and "whole-chromosome gain of chr12" in trisomy["class_reasons"]
    )
    small = next(e for e in _events(toy_run) if not e["recurrent_regions"])
    assert small["length"] == 300_000 and small["type"] == "loss"
    assert by_id[small["id"]]["class"] == "REVIEW"
    assert by_id[small["id"]]["score"] < gain["score"]


def test_stated_detection_limit_is_in_the_findings_and_covers_the_planted_events(toy_run):
    """Each line states its own limit; the events line's planted events are larger than
    the limit for their type at their fraction of cells (so finding them all agrees with
    it), and the gate figure says the line can see the configured gate event."""
    for sample in ("D1_clone_events", "D1_clone_clean"):
        adequacy = _findings(toy_run, sample)["adequacy"]
        for kind in ("gain", "loss", "cnloh"):
            for pct in (20, 50):
                limit = adequacy[f"detection_limit_{kind}_{pct}pct_bp"]
                assert limit is not None and 100_000 <= limit < 1_000_000, (sample, kind, pct)
        assert adequacy["sees_gate_event"] is True, sample
        notes = " ".join(_findings(toy_run, sample)["notes"])
        assert "Stated detection limit of this line" in notes
    adequacy = _findings(toy_run, EVENTS_LINE)["adequacy"]
    for event in _events(toy_run):
        pct = 50 if event["mosaic_fraction"] >= 0.5 else 20
        assert event["length"] >= adequacy[f"detection_limit_{event['type']}_{pct}pct_bp"]
    certificate = json.loads((toy_run.results / "certificates" / f"{EVENTS_LINE}.json").read_text())
    carried = certificate["checks"]["copy_number"]["adequacy"]
    assert carried["detection_limit_loss_20pct_bp"] == adequacy["detection_limit_loss_20pct_bp"]
    assert carried["sees_gate_event"] is True
