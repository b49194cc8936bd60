"""Every row of issue 14's first table, from hand-built allele counts through the whole
acquired_variants check (analyse) to the release gate's decision on its findings."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml
from ipscqc.checks.acquired_variants import (
    SPEC,
    AcquiredVariantsInputs,
    AcquiredVariantsSettings,
    analyse,
)
from ipscqc.contract import validation_problems
from ipscqc.gate import FAIL, PASS, REVIEW
from ipscqc.gate.evaluate import evaluate_check
from ipscqc.genome import GenomeModel
from ipscqc.hotspots import read_cancer_genes, read_hotspots
from ipscqc.readers.bcftools_query import read_query_table
from ipscqc.variants.settings import VariantSettings

GENOME = GenomeModel.of("GRCh38", ["chr1", "chr2", "chr17"])
SETTINGS = AcquiredVariantsSettings(VariantSettings(), max_items=50)
# the checked catalogue entries: TP53 R175H (no alt read, 30x) and the case's own entry
R175H = ("TP53", "R175H", "tp53_dominant_negative", "chr17", 1000, "C", "T")
CASE_POS = 2000


@pytest.fixture(scope="module")
def thresholds() -> dict:
    with open("schemas/config.schema.yaml") as handle:
        schema = yaml.safe_load(handle)["properties"]["gate"]

    def defaults(spec):
        return {
            key: defaults(sub) if sub.get("type") == "object" else sub.get("default")
            for key, sub in spec["properties"].items()
        }

    return defaults(schema)


def counts(alt, depth, alt_fwd=None):
    """AD, ADF, ADR, DP of one sample: alt and ref reads split evenly unless told."""
    ref = depth - alt
    alt_fwd = alt // 2 if alt_fwd is None else alt_fwd
    ref_fwd = ref // 2
    return (
        f"{ref},{alt}",
        f"{ref_fwd},{alt_fwd}",
        f"{ref - ref_fwd},{alt - alt_fwd}",
        str(depth),
    )


def query_table(tmp_path, name, rows, with_info):
    """A ``bcftools query`` table of samples P and L (rows: chrom, pos, ref, alt, bcsq,
    line counts, parental counts)."""
    info = "\t[5]RPBZ\t[6]MQBZ\t[7]BCSQ" if with_info else ""
    first = 8 if with_info else 5
    columns = [f"[{first + i}]{s}:{t}" for i, (s, t) in enumerate(
        (s, t) for s in ("P", "L") for t in ("AD", "ADF", "ADR", "DP")
    )]  # fmt: skip
    lines = ["# [1]CHROM\t[2]POS\t[3]REF\t[4]ALT" + info + "\t" + "\t".join(columns)]
    for chrom, pos, ref, alt, bcsq, line, parental in rows:
        fields = [chrom, str(pos), ref, alt] + (["0", "0", bcsq] if with_info else [])
        lines.append("\t".join(fields + list(parental) + list(line)))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return read_query_table(path)


def case_inputs(tmp_path, line, parental, hotspot=None, bcsq=".", paired=True, alt_fwd=None):
    """A line with one germline heterozygous SNV, TP53 R175H checked without alt reads,
    and the case's allele at chr17:2000 C>T (a catalogue entry when ``hotspot`` names
    one: gene, protein change, category)."""
    line_counts = counts(*line, alt_fwd=alt_fwd)
    parental_counts = counts(*parental) if parental else counts(0, 30)
    germline = ("chr2", 500, "A", "G", ".", counts(15, 30), counts(15, 30))
    case = ("chr17", CASE_POS, "C", "T", bcsq, line_counts, parental_counts)
    candidates = query_table(tmp_path, "candidates.tsv", [germline, case], True)
    entries = [R175H]
    if hotspot:
        gene, change, category = hotspot
        entries.append((gene, change, category, "chr17", CASE_POS, "C", "T"))
    pileup = [("chr17", 1000, "C", "T,<*>", "", counts(0, 30), counts(0, 30))]
    if hotspot:
        pileup.append(("chr17", CASE_POS, "C", "T", "", line_counts, parental_counts))
    hotspot_pileup = query_table(tmp_path, "pileup.tsv", pileup, False)
    entry_table = pd.DataFrame(
        {
            "gene": [e[0] for e in entries],
            "protein_change": [e[1] for e in entries],
            "category": [e[2] for e in entries],
            "source": "test",
            "transcript": "ENST00000269305",
            "transcript_note": "",
            "chrom": [e[3] for e in entries],
            "codon_positions": [f"{e[4]},{e[4] + 1},{e[4] + 2}" for e in entries],
            "status": "mapped",
        }
    )
    alleles = pd.DataFrame(
        {
            "gene": [e[0] for e in entries],
            "protein_change": [e[1] for e in entries],
            "category": [e[2] for e in entries],
            "source": "test",
            "transcript": "ENST00000269305",
            "chrom": [e[3] for e in entries],
            "pos": [e[4] for e in entries],
            "ref": [e[5] for e in entries],
            "alt": [e[6] for e in entries],
            "variant_protein_change": [e[1] for e in entries],
        }
    )
    return AcquiredVariantsInputs(
        sample="L",
        parental="P" if paired else None,
        sex="female",
        genome=GENOME,
        candidates=candidates,
        hotspot_pileup=hotspot_pileup,
        hotspot_entries=entry_table,
        hotspot_alleles=alleles,
        catalogue=read_hotspots("resources/hotspots/hotspots.tsv"),
        cancer_genes=read_cancer_genes("resources/hotspots/cancer_genes.tsv"),
        line_depths=[(30, 1.0)],
        parental_depths=[(30, 1.0)] if paired else None,
        line_median_depth=30.0,
        parental_median_depth=30.0 if paired else None,
    )


def decide(inputs, thresholds):
    """The case's row of the site table and the gate's status of the check."""
    result = analyse(inputs, SETTINGS)
    document = result.document()
    assert validation_problems(document, SPEC) == []
    sites = result.tables["sites"]
    row = sites[sites["pos"] == CASE_POS].iloc[0]
    gate = evaluate_check("acquired_variants", document, None, thresholds, inputs.parental, None)
    return row, gate


# case, counts (line alt/depth, parental alt/depth), catalogue entry, BCSQ, strand of the
# alt reads -> class, origin, the gate's status, a phrase of its reason
CH = ("DNMT3A", "R882H", "clonal_haematopoiesis")
DBD_MISSENSE = "missense|TP53|ENST00000269305|protein_coding|-|216V>216M|2000C>T"
ISSUE_TABLE = [
    (
        "donor's clonal haematopoiesis clone, line cloned from it: DNMT3A R882H",
        (15, 30),
        (3, 40),
        CH,
        ".",
        None,
        ("donor_mosaic", "donor_mosaic", FAIL, "DNMT3A p.R882H AF 0.50 (donor_mosaic"),
    ),
    (
        "TP53 R248W, parental low-level",
        (15, 30),
        (2, 30),
        ("TP53", "R248W", "tp53_dominant_negative"),
        ".",
        None,
        ("donor_mosaic", "donor_mosaic", FAIL, "TP53 p.R248W AF 0.50 (donor_mosaic"),
    ),
    (
        "germline TP53 hotspot of the donor (Li-Fraumeni)",
        (15, 30),
        (15, 30),
        ("TP53", "R248W", "tp53_dominant_negative"),
        ".",
        None,
        ("germline", "germline", FAIL, "the donor carries it (germline): TP53 p.R248W"),
    ),
    (
        "TP53 DNA-binding-domain missense not in the catalogue",
        (7, 30),
        (0, 10),
        None,
        DBD_MISSENSE,
        None,
        ("uncertain", "unknown", REVIEW, "of uncertain origin in TP53"),
    ),
    (
        "all alt reads on one strand, 5 reads",
        (5, 30),
        (0, 30),
        None,
        ".",
        5,
        ("artefact", "artefact", PASS, ""),
    ),
    (
        "all alt reads on one strand, 8 reads",
        (8, 30),
        (0, 30),
        None,
        ".",
        0,
        ("artefact", "artefact", PASS, ""),
    ),
    (
        "all alt reads on one strand at a TP53 hotspot, 6 reads",
        (6, 38),
        (0, 30),
        ("TP53", "R248Q", "tp53_dominant_negative"),
        ".",
        6,
        ("artefact", "artefact", PASS, ""),
    ),
    (
        "hotspot on 2 alt reads",
        (2, 40),
        (0, 40),
        ("TP53", "R273H", "tp53_dominant_negative"),
        ".",
        None,
        ("absent", "none", PASS, ""),
    ),
]


@pytest.mark.parametrize(
    ("case", "line", "parental", "hotspot", "bcsq", "alt_fwd", "expected"),
    ISSUE_TABLE,
    ids=[row[0] for row in ISSUE_TABLE],
)
def test_issue_table_row_through_the_gate(
    tmp_path, thresholds, case, line, parental, hotspot, bcsq, alt_fwd, expected
):
    inputs = case_inputs(tmp_path, line, parental, hotspot, bcsq, alt_fwd=alt_fwd)
    row, gate = decide(inputs, thresholds)
    klass, origin, status, phrase = expected
    assert (row["class"], row["origin"]) == (klass, origin), case
    assert gate["status"] == status, (case, gate["reasons"])
    assert phrase in " | ".join(gate["reasons"]), case


def test_germline_hotspot_is_review_when_the_user_downgrades_germline(tmp_path, thresholds):
    inputs = case_inputs(tmp_path, (15, 30), (15, 30), ("TP53", "R248W", "tp53_dominant_negative"))
    autologous = copy.deepcopy(thresholds)
    autologous["acquired_variants"]["germline_status"] = "REVIEW"
    row, gate = decide(inputs, autologous)
    assert row["class"] == "germline" and gate["status"] == REVIEW


def test_line_only_mode_fails_a_hotspot_and_reviews_a_likely_oncogenic(tmp_path, thresholds):
    hotspot = case_inputs(
        tmp_path, (15, 30), None, ("TP53", "R248W", "tp53_dominant_negative"), paired=False
    )
    row, gate = decide(hotspot, thresholds)
    assert row["class"] == "unclassified"
    assert gate["status"] == FAIL
    assert any("TP53 p.R248W AF 0.50" in reason for reason in gate["reasons"])
    assert any("line-only mode" in reason for reason in gate["reasons"])
    # a truncating allele of a tumour suppressor, origin unknown: REVIEW, not FAIL
    truncating = "stop_gained|TP53|ENST00000269305|protein_coding|-|196R>196*|2000C>T"
    likely = case_inputs(tmp_path, (15, 30), None, None, truncating, paired=False)
    row, gate = decide(likely, thresholds)
    assert (row["class"], row["tier"]) == ("unclassified", "likely_oncogenic")
    statuses = {rule["id"]: rule["status"] for rule in gate["rules"]}
    assert statuses["acquired_variants.max_line_only_likely_oncogenic_count"] == REVIEW
    assert statuses["acquired_variants.max_carried_hotspot_count"] == PASS
    assert gate["status"] == REVIEW


def test_a_shallow_parental_states_no_limit_and_is_inconclusive(tmp_path, thresholds):
    inputs = case_inputs(tmp_path, (0, 30), (0, 30))
    inputs.parental_depths = [(10, 1.0)]  # 10x: a germline genotype is never excluded
    result = analyse(inputs, SETTINGS)
    assert result.metrics["min_detectable_af"] is None
    gate = evaluate_check("acquired_variants", result.document(), None, thresholds, "P", None)
    rule = next(r for r in gate["rules"] if r["id"].endswith("max_min_detectable_af"))
    assert rule["status"] == "INCONCLUSIVE"
