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
    assert metrics["recurrent_region_hit_count"] == len(events)  # 20q, 12, 1q, 18q
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


def test_swapped_line_is_flagged_as_another_genome(toy_run):
    doc = _findings(toy_run, "D1_clone_swap")
    assert doc["metrics"]["het_sites_single_allele_fraction"] > 0.3
    assert any("another donor" in note or "not come from" in note for note in doc["notes"])


def test_line_only_reading_of_the_events_line_finds_the_large_events(toy_run, tmp_path):
    from types import SimpleNamespace

    from ipscqc.checks.copy_number import main

    results = toy_run.results
    outputs = SimpleNamespace(
        **{
            name: str(tmp_path / f"{name}.out")
            for name in ("bins", "sites", "segments", "calls", "findings_table", "figure")
        },
        findings=str(tmp_path / "findings.json"),
    )
    inputs = SimpleNamespace(
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
