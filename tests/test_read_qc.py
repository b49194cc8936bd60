"""read_qc metrics from small synthetic tool outputs (formats as samtools 1.16,
fastp 0.23 and mosdepth 0.3 write them)."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest
from ipscqc.checks.read_qc import (
    SPEC,
    ReadQcInputs,
    analyse,
    callable_fraction,
    duplicate_fraction,
    markdup_numbers,
    mean_depth,
    samtools_summary_numbers,
)
from ipscqc.contract import validation_problems
from ipscqc.genome import GenomeModel
from ipscqc.readers.mosdepth import read_regions

STATS = (
    "# This file was produced by samtools stats\n"
    "SN\traw total sequences:\t1000\t# excluding supplementary and secondary reads\n"
    "SN\tfiltered sequences:\t0\n"
    "SN\treads mapped:\t950\n"
    "SN\treads duplicated:\t80\t# PCR or optical duplicate bit set\n"
    "FFQ\t1\t0\t0\n"
)
MARKDUP = (
    "COMMAND: samtools markdup -f md.txt in.bam out.bam\n"
    "READ: 1000\nWRITTEN: 1000\nEXCLUDED: 50\nEXAMINED: 950\nPAIRED: 940\nSINGLE: 10\n"
    "DUPLICATE PAIR: 76\nDUPLICATE SINGLE: 4\nDUPLICATE PAIR OPTICAL: 0\n"
    "DUPLICATE SINGLE OPTICAL: 0\nDUPLICATE NON PRIMARY: 0\nDUPLICATE NON PRIMARY OPTICAL: 0\n"
    "DUPLICATE PRIMARY TOTAL: 80\nDUPLICATE TOTAL: 80\nESTIMATED_LIBRARY_SIZE: 5000\n"
)
SUMMARY = (
    "chrom\tlength\tbases\tmean\tmin\tmax\n"
    "chr1\t1000\t20000\t20.00\t0\t40\n"
    "chr1_region\t1000\t20000\t20.00\t0\t40\n"
    "chr2\t3000\t30000\t10.00\t0\t30\n"
    "chrX\t1000\t5000\t5.00\t0\t10\n"
    "oriP_EBNA1\t5000\t500000\t100.00\t0\t200\n"
    "total\t11000\t575000\t52.27\t0\t200\n"
)


def fastp(reads_before, reads_after, bases, q30_bases):
    return {
        "summary": {
            "before_filtering": {"total_reads": reads_before, "total_bases": bases + 100},
            "after_filtering": {
                "total_reads": reads_after,
                "total_bases": bases,
                "q30_bases": q30_bases,
                "q30_rate": q30_bases / bases,
            },
        }
    }


def summary_table():
    return pd.read_csv(io.StringIO(SUMMARY), sep="\t", dtype={"chrom": str})


def bins(rows):
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "depth"])


GENOME = GenomeModel.of("GRCh38", ["chr1", "chr2", "chrX", "chrM", "chr1_KI270706v1_random"])


def test_samtools_and_markdup_parsing():
    numbers = samtools_summary_numbers(STATS)
    assert numbers["raw total sequences"] == 1000 and numbers["reads mapped"] == 950
    markdup = markdup_numbers(MARKDUP)
    assert markdup["EXAMINED"] == 950 and "COMMAND" not in markdup
    assert duplicate_fraction(markdup) == pytest.approx(80 / 950)
    legacy = {key: value for key, value in markdup.items() if "TOTAL" not in key}
    assert duplicate_fraction(legacy) == pytest.approx(80 / 950)  # pair counts reads
    assert duplicate_fraction({}) is None


def test_mean_depth_is_length_weighted_over_autosomes_only():
    # (20000 + 30000) / (1000 + 3000): the X, the "_region" row and the decoy are left out
    assert mean_depth(summary_table(), GENOME.autosomes) == pytest.approx(12.5)
    assert mean_depth(summary_table(), ["chr9"]) is None


def test_callable_fraction_counts_autosomal_bins_at_min_depth():
    regions = bins(
        [
            ("chr1", 0, 1000, 12.0),
            ("chr1", 1000, 2000, 10.0),  # exactly the minimum counts
            ("chr1", 2000, 3000, 9.99),
            ("chr2", 0, 1000, 0.0),
            ("chrX", 0, 1000, 50.0),  # not autosomal
            ("chr1_KI270706v1_random", 0, 1000, 50.0),  # unplaced: not a primary autosome
        ]
    )
    fraction, count = callable_fraction(regions, GENOME.autosomes, 10)
    assert count == 4 and fraction == pytest.approx(0.5)
    assert callable_fraction(bins([]), ["chr1"], 10) == (None, 0)


def test_read_qc_metrics_of_two_units(tmp_path):
    regions = tmp_path / "s.regions.bed.gz"
    with gzip.open(regions, "wt") as handle:
        handle.write("chr1\t0\t1000\t20.5\nchr2\t0\t1000\t3.0\nchrX\t0\t1000\t5\n")
    reports = {"L002": fastp(600, 500, 75_000, 60_000), "L001": fastp(600, 550, 80_000, 76_000)}
    inputs = ReadQcInputs(
        "S1", "P1", reports, STATS, MARKDUP, summary_table(), read_regions(regions), GENOME
    )
    result = analyse(inputs, {"min_bin_depth": 10})
    metrics, adequacy, items = result.metrics, result.adequacy, result.items
    assert metrics == {
        "reads_after_trimming": 1050,
        "q30_fraction": pytest.approx(136_000 / 155_000),
        "mapped_fraction": pytest.approx(0.95),
        "duplicate_fraction": pytest.approx(80 / 950),
        "mean_depth": pytest.approx(12.5),
        "callable_fraction": pytest.approx(0.5),
    }
    assert adequacy == {"autosomal_bins": 2, "callable_min_depth": 10}
    assert [item["unit"] for item in items] == ["L001", "L002"]
    assert validation_problems(result.document(), SPEC) == []


def test_missing_numbers_are_null_not_zero():
    empty_summary = pd.DataFrame(columns=["chrom", "length", "bases"])
    inputs = ReadQcInputs("S1", None, {}, "", "", empty_summary, bins([]), GENOME)
    result = analyse(inputs, {"min_bin_depth": 10})
    assert all(value is None for value in result.metrics.values())
    assert result.mode == "line_only" and result.notes
    assert validation_problems(result.document(), SPEC) == []
