"""End to end on the toy data set: identity, sex, contamination and vector findings
against the planted truth (toy_data/truth.json)."""

from __future__ import annotations

import itertools
import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from ipscqc.checks.contamination import ContaminationInputs, SampleCounts
from ipscqc.checks.contamination import analyse as contamination_of
from ipscqc.contract import config_defaults
from ipscqc.genome import contig_class
from ipscqc.readers.vcf import read_cohort_genotypes as load_cohort_vcf

pytestmark = pytest.mark.e2e


def _findings(run, sample, check):
    return json.loads((run.results / "findings" / sample / f"{check}.json").read_text())


def _genotype_donor(truth, sample):
    return truth["samples"][sample]["genotype_donor"]


def test_relatedness_matrix_covers_every_pair(toy_run):
    pairs = pd.read_csv(toy_run.results / "findings/cohort/relatedness.tsv", sep="\t")
    samples = sorted(toy_run.truth["samples"])
    assert len(pairs) == len(samples) * (len(samples) - 1) // 2
    heatmap = json.loads((toy_run.results / "findings/cohort/relatedness_mqc.json").read_text())
    assert sorted(heatmap["xcats"]) == samples


def test_same_individual_pairs_are_related_and_others_are_not(toy_run):
    truth = toy_run.truth
    pairs = pd.read_csv(toy_run.results / "findings/cohort/relatedness.tsv", sep="\t")
    by_pair = {frozenset((r.sample_a, r.sample_b)): r for r in pairs.itertuples()}
    for a, b in itertools.combinations(sorted(truth["samples"]), 2):
        row = by_pair[frozenset((a, b))]
        if _genotype_donor(truth, a) == _genotype_donor(truth, b):
            assert row.relatedness > 0.95, (a, b, row.relatedness)
            assert row.observed in ("duplicate", "same"), (a, b, row.observed)
        else:
            assert row.relatedness < 0.2, (a, b, row.relatedness)
            assert row.observed == "unrelated"


def test_swap_is_flagged_naming_the_matching_donor(toy_run):
    truth = toy_run.truth
    assert truth["swaps"], "the toy data set plants a swap"
    swapped = {swap["sample"] for swap in truth["swaps"]}
    for swap in truth["swaps"]:
        metrics = _findings(toy_run, swap["sample"], "identity")["metrics"]
        assert metrics["matches_declared_donor"] is False
        assert metrics["best_match_donor"] == swap["true_donor"]
        assert swap["true_donor"] in metrics["matching_other_donors"]
        assert metrics["relatedness_to_parental"] < 0.2
        assert (
            _findings(toy_run, swap["sample"], "identity")["adequacy"]["informative_sites"] >= 100
        )
    for sample, info in truth["samples"].items():
        if sample in swapped:
            continue
        metrics = _findings(toy_run, sample, "identity")["metrics"]
        same_donor = [
            other
            for other, other_info in truth["samples"].items()
            if other != sample and other not in swapped and other_info["donor"] == info["donor"]
        ]
        # a donor's only sample has nothing to be compared with: unknown, not a pass
        assert metrics["matches_declared_donor"] is (True if same_donor else None), sample
        if info["parental"]:
            assert metrics["relatedness_to_parental"] > 0.95
            assert metrics["concordance_to_parental"] > 0.95


def test_inferred_sex_is_right_and_a_declared_sex_error_is_flagged(toy_run):
    truth = toy_run.truth
    errors = 0
    for sample, info in truth["samples"].items():
        metrics = _findings(toy_run, sample, "sex")["metrics"]
        assert metrics["inferred_sex"] == info["true_sex"], (sample, metrics)
        assert metrics["declared_sex"] == info["declared_sex"]
        assert metrics["sex_matches"] is (info["true_sex"] == info["declared_sex"])
        errors += info["true_sex"] != info["declared_sex"]
        if info["true_sex"] == "male":
            assert metrics["x_depth_ratio"] == pytest.approx(0.5, abs=0.1)
            assert metrics["y_depth_ratio"] == pytest.approx(0.5, abs=0.15)
            assert metrics["x_heterozygosity"] < 0.1
        else:
            assert metrics["x_depth_ratio"] == pytest.approx(1.0, abs=0.15)
            assert metrics["y_depth_ratio"] < 0.05
            assert metrics["x_heterozygosity"] > 0.3
        # no sex-chromosome loss is planted
        assert metrics["x_loss"] in (False, None) and metrics["y_loss"] in (False, None)
    assert errors >= 1, "the toy data set plants a declared-sex error"


def test_contamination_within_five_percent_of_truth(toy_run):
    truth = toy_run.truth
    planted = {entry["sample"]: entry["fraction"] for entry in truth.get("contamination", [])}
    for sample in truth["samples"]:
        document = _findings(toy_run, sample, "contamination")
        metrics = document["metrics"]
        expected = planted.get(sample, 0.0)
        assert metrics["contamination_fraction"] == pytest.approx(expected, abs=0.05), sample
        assert document["adequacy"]["sites_used"] >= 100
        if expected == 0.0:
            assert metrics["contamination_fraction"] < 0.02  # the gate's default limit


def test_vector_copies_within_a_factor_of_two(toy_run):
    """Copies per cell of each decoy family (the plasmids sharing a backbone count
    together, as an EBNA1/oriP qPCR would) against the planted family load."""
    truth = toy_run.truth
    family_of = {plasmid["name"]: plasmid["family"] for plasmid in truth["plasmids"]}
    planted = {(v["sample"], v["family"]): v["copies_per_cell"] for v in truth["vector_families"]}
    for sample in truth["samples"]:
        document = _findings(toy_run, sample, "vectors")
        families = [item for item in document["items"] if item["kind"] == "vector_family"]
        assert families, sample
        for item in families:
            # one decoy family is one planted family
            (family,) = {family_of[member] for member in item["members"]}
            expected = planted.get((sample, family))
            value = item["copies_per_cell"]
            if expected:
                assert expected / 2 <= value <= expected * 2, (sample, family, value)
                assert item["detected"] is True
            else:
                assert value < 0.01, (sample, family, value)
        assert any("Sendai" in note for note in document["notes"])


def test_integrated_cassette_is_a_stretch_above_the_family_level(toy_run):
    """The events line's integrated POU5F1 cassette carries backbone on each side of its
    cDNA at its own copy number: a stretch far above the episomal level, placed on
    those flanks, and not above the planted copies. The toy simulates the cassette's
    reads inside the construct only, so its depth ramps from 0 at the construct's ends
    over its 200-bp flanks (in a genome, reads across the insertion site cover them):
    the stretch reads about half the planted copy per cell here (0.48 measured)."""
    truth = toy_run.truth
    limit = 0.01  # gate.vectors.max_copies_per_cell, the default
    plasmids = {plasmid["name"]: plasmid for plasmid in truth["plasmids"]}
    for cassette in truth["transgenes"]:
        document = _findings(toy_run, cassette["sample"], "vectors")
        local = document["metrics"]["max_local_vector_copies_per_cell"]
        expected = cassette["copies_per_cell"]
        assert expected / 4 <= local <= expected * 2, (cassette["sample"], local)
        (family,) = [
            item
            for item in document["items"]
            if item["kind"] == "vector_family" and cassette["source_plasmid"] in item["members"]
        ]
        assert local > 10 * family["copies_per_cell"] and local > limit
        # the flanks in the coordinates of the decoy the stretch is reported on
        source = plasmids[cassette["source_plasmid"]]["insert"]
        left = source["start"] - cassette["plasmid_span"][0]
        right = cassette["plasmid_span"][1] - source["end"]
        (stretch,) = family["stretches"]
        layout = plasmids[stretch["contig"]]["insert"]
        assert layout["start"] - left <= stretch["start"] < layout["start"]
        assert layout["end"] < stretch["end"] <= layout["end"] + right
    cassettes = {cassette["sample"] for cassette in truth["transgenes"]}
    for sample in set(truth["samples"]) - cassettes:
        metrics = _findings(toy_run, sample, "vectors")["metrics"]
        assert metrics["max_local_vector_copies_per_cell"] < limit, sample
        assert metrics["local_vector_stretch"] is None, sample


def test_transgene_junction_reads_in_the_right_genes_only(toy_run):
    truth = toy_run.truth
    planted: dict[str, set] = {}
    for transgene in truth["transgenes"]:
        planted.setdefault(transgene["sample"], set()).add(transgene["gene"])
    for sample in truth["samples"]:
        metrics = _findings(toy_run, sample, "vectors")["metrics"]
        genes = planted.get(sample, set())
        assert set(metrics["transgene_genes"]) == genes, sample
        if genes:
            assert metrics["transgene_junction_reads"] >= 10
            assert metrics["parental_transgene_junction_reads"] == 0
        else:
            assert metrics["transgene_junction_reads"] == 0, sample


def _run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


@pytest.mark.slow
def test_planted_mixture_of_two_donors_is_recovered(toy_run, tmp_path):
    """A D1 sample with about 10% of D2's reads mixed in: the estimate recovers the
    read fraction and names D2 as the source; the clean D1 sample stays near 0."""
    results = toy_run.results
    own, foreign = "D1_parental", "D2_parental"
    parts = []
    for sample, fraction in ((own, 0.6), (foreign, 0.15)):
        part = tmp_path / f"{sample}.part.bam"
        _run(["samtools", "view", "-b", "--subsample", str(fraction), "--subsample-seed", "3",
              "-o", str(part), str(results / f"alignments/{sample}.bam")])  # fmt: skip
        parts.append(part)
    counts = [int(_run(["samtools", "view", "-c", "-F", "0xF04", str(p)]).stdout) for p in parts]
    planted = counts[1] / sum(counts)
    merged, mixture = tmp_path / "merged.bam", tmp_path / "mixture.bam"
    _run(["samtools", "merge", "-f", "-o", str(merged), *map(str, parts)])
    # one read group, one sample name: the mixture is one sample
    _run(["samtools", "addreplacerg", "-m", "overwrite_all", "-r", "@RG\tID:mixture\tSM:mixture",
          "-o", str(mixture), str(merged)])  # fmt: skip
    _run(["samtools", "index", str(mixture)])
    bams = [str(mixture), str(results / f"alignments/{own}.bam")]
    bams.append(str(results / f"alignments/{foreign}.bam"))
    pileup = tmp_path / "pileup.bcf"
    _run(["bcftools", "mpileup", "--fasta-ref", str(results / "reference/genome.fa"),
          "--regions-file", str(results / "identity/sites.vcf.gz"),
          "--annotate", "FORMAT/AD,FORMAT/DP", "--min-MQ", "20", "--min-BQ", "20",
          "--output-type", "b", "--output", str(pileup), *bams])  # fmt: skip
    vcf = tmp_path / "mixture.vcf.gz"
    _run(["bcftools", "call", "--multiallelic-caller", "--constrain", "alleles",
          "--targets-file", str(results / "identity/alleles.tsv.gz"),
          "--output-type", "z", "--output", str(vcf), str(pileup)])  # fmt: skip
    cohort = load_cohort_vcf(str(vcf))
    cohort = cohort.subset(np.array([contig_class(c) == "autosome" for c in cohort.chrom]))
    mixed, parental, source = (cohort.column(name) for name in cohort.samples)
    counts = SampleCounts(
        cohort.ref_depth[:, mixed], cohort.alt_depth[:, mixed], cohort.gt[:, mixed]
    )
    inputs = ContaminationInputs(
        "mixture", own, counts, cohort.gt[:, parental], {foreign: cohort.gt[:, source]},
        donors_in_site_list=2,
    )  # fmt: skip
    settings = {**config_defaults("contamination"), "min_sites": 100}
    metrics = contamination_of(inputs, settings).metrics
    assert planted == pytest.approx(0.11, abs=0.03)
    assert metrics["contamination_fraction"] == pytest.approx(planted, abs=0.02)
    assert metrics["contamination_source"] == foreign
