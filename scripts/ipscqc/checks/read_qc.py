"""Read and coverage QC of one sample, from the backbone's tool outputs.

Sources (parsed here without re-computing anything the tools already measured):

- fastp JSON per sequencing unit: reads and Q30 bases after trimming;
- samtools stats (SN section): reads and mapped reads (primary, as samtools counts them);
- samtools markdup statistics (``-f``): duplicates among the examined reads;
- mosdepth summary: mean depth per contig (duplicates and MAPQ below the minimum excluded);
- mosdepth regions (``--by``): mean depth per bin, for the callable fraction.

Depth figures are over the autosomes of the genome model (primary numbered
chromosomes): sex chromosomes, mitochondria, alt/decoy/unplaced contigs and vector
decoys are left out. Bins are 0-based half-open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import pandas as pd

    from ipscqc.genome import GenomeModel

SPEC = load_spec(__file__)  # the declaration: read_qc.yaml beside this module


@dataclass
class ReadQcInputs(SampleInputs):
    fastp_reports: dict[str, dict]  # unit -> fastp JSON report
    samtools_stats: str  # text of `samtools stats`
    markdup: str  # text of `samtools markdup -f`
    mosdepth_summary: pd.DataFrame
    regions: pd.DataFrame  # mosdepth --by bins: chrom, start, end, depth
    genome: GenomeModel


def fastp_after_trimming(report: dict) -> dict:
    """Reads, bases and Q30 bases after fastp's filtering, from one fastp JSON report."""
    after = report["summary"]["after_filtering"]
    before = report["summary"]["before_filtering"]
    return {
        "reads_before_trimming": int(before["total_reads"]),
        "reads_after_trimming": int(after["total_reads"]),
        "bases_after_trimming": int(after["total_bases"]),
        "q30_bases_after_trimming": int(after["q30_bases"]),
    }


def samtools_summary_numbers(stats_text: str) -> dict[str, float]:
    """The SN section of `samtools stats`: {"raw total sequences": 1000.0, ...}."""
    numbers = {}
    for line in stats_text.splitlines():
        if not line.startswith("SN\t"):
            continue
        fields = line.split("\t")
        try:
            numbers[fields[1].rstrip(":")] = float(fields[2])
        except (IndexError, ValueError):
            continue
    return numbers


def markdup_numbers(markdup_text: str) -> dict[str, int]:
    """`samtools markdup -f` statistics: {"EXAMINED": 1000, "DUPLICATE PRIMARY TOTAL": 50, ...}."""
    numbers = {}
    for line in markdup_text.splitlines():
        key, separator, value = line.partition(":")
        if not separator or key == "COMMAND":
            continue
        try:
            numbers[key.strip()] = int(value.strip())
        except ValueError:
            continue
    return numbers


def duplicate_fraction(markdup: dict[str, int]) -> float | None:
    """Duplicates among the primary reads markdup examined; None when it examined none."""
    examined = markdup.get("EXAMINED")
    duplicates = markdup.get("DUPLICATE PRIMARY TOTAL")
    if duplicates is None:  # older samtools; DUPLICATE PAIR counts reads, not pairs
        pair = markdup.get("DUPLICATE PAIR")
        single = markdup.get("DUPLICATE SINGLE")
        duplicates = None if pair is None or single is None else pair + single
    if not examined or duplicates is None:
        return None
    return duplicates / examined


def mean_depth(summary: pd.DataFrame, contigs: list[str]) -> float | None:
    """Length-weighted mean depth over some contigs, from a mosdepth summary."""
    rows = summary[summary["chrom"].isin(contigs)]
    length = float(rows["length"].sum()) if len(rows) else 0.0
    return float(rows["bases"].sum()) / length if length else None


def callable_fraction(
    regions: pd.DataFrame, contigs: list[str], min_depth: float
) -> tuple[float | None, int]:
    """Fraction of the bins of some contigs whose mean depth is at least min_depth, and
    the number of bins."""
    bins = regions[regions["chrom"].isin(contigs)]
    if len(bins) == 0:
        return None, 0
    return float((bins["depth"] >= min_depth).mean()), int(len(bins))


def analyse(inputs: ReadQcInputs, settings: dict) -> Findings:
    """The read_qc findings of one sample; a number that cannot be measured is null.
    ``settings`` is the config's ``params.read_qc:``."""
    units = [
        {"unit": unit, **fastp_after_trimming(report)}
        for unit, report in sorted(inputs.fastp_reports.items())
    ]
    bases = sum(unit["bases_after_trimming"] for unit in units)
    q30 = sum(unit["q30_bases_after_trimming"] for unit in units)
    summary = samtools_summary_numbers(inputs.samtools_stats)
    total, mapped = summary.get("raw total sequences"), summary.get("reads mapped")
    autosomes = inputs.genome.autosomes
    fraction, bins = callable_fraction(inputs.regions, autosomes, settings["min_bin_depth"])
    values = {
        "reads_after_trimming": sum(u["reads_after_trimming"] for u in units) if units else None,
        "q30_fraction": q30 / bases if bases else None,
        "mapped_fraction": mapped / total if total and mapped is not None else None,
        "duplicate_fraction": duplicate_fraction(markdup_numbers(inputs.markdup)),
        "mean_depth": mean_depth(inputs.mosdepth_summary, autosomes),
        "callable_fraction": fraction,
        "autosomal_bins": bins,
        "callable_min_depth": settings["min_bin_depth"],
    }
    notes = [] if units else ["no fastp report: reads after trimming and Q30 are unknown"]
    return findings(SPEC, inputs.sample, inputs.parental, values, units, notes)


def main(inputs, outputs, params) -> None:
    """Snakemake rule read_qc: read the tool outputs, analyse, write the findings."""
    from ipscqc.contract import write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.readers.mosdepth import read_regions, read_summary

    reports = {}
    for unit, path in zip(params.units, inputs.fastp, strict=True):
        with open(path) as handle:
            reports[unit] = json.load(handle)
    with open(inputs.stats) as stats, open(inputs.markdup) as markdup:
        stats_text, markdup_text = stats.read(), markdup.read()
    check_inputs = ReadQcInputs(
        params.sample,
        params.parental or None,
        reports,
        stats_text,
        markdup_text,
        read_summary(inputs.summary),
        read_regions(inputs.regions),
        GenomeModel.of(**params.genome),
    )
    result = analyse(check_inputs, dict(params.settings))
    write_findings(outputs.findings, result, SPEC)
