"""Read and coverage QC of one sample, from the backbone's tool outputs.

Sources (all written by the backbone, parsed here without re-computing anything the
tools already measured):

- fastp JSON per sequencing unit: reads and Q30 bases after trimming;
- samtools stats (SN section): reads and mapped reads (primary, as samtools counts them);
- samtools markdup statistics (``-f``): duplicates among the examined reads;
- mosdepth summary: mean depth per contig (duplicates and MAPQ below the minimum excluded);
- mosdepth regions (``--by``): mean depth per bin, for the callable fraction.

The metrics are documented in docs/findings.md (section read_qc).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

SEX_AND_ORGANELLE = {"X", "Y", "M", "MT", "chrX", "chrY", "chrM", "chrMT"}


def autosomes_of(contigs: Iterable[str]) -> list[str]:
    """The autosomes among a genome's contigs: everything but X, Y and mitochondria."""
    return [contig for contig in contigs if contig not in SEX_AND_ORGANELLE]


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
        key = fields[1].rstrip(":")
        try:
            numbers[key] = float(fields[2])
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


def mosdepth_mean_depth(summary_text: str, autosomes: Iterable[str]) -> float | None:
    """Length-weighted mean depth over the autosomes, from a mosdepth summary."""
    wanted = set(autosomes)
    length = bases = 0
    for line in summary_text.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 4 or fields[0] not in wanted:
            continue
        length += int(fields[1])
        bases += float(fields[2])
    return bases / length if length else None


def callable_fraction(
    regions: Iterable[tuple[str, int, int, float]], autosomes: Iterable[str], min_depth: float
) -> tuple[float | None, int]:
    """Fraction of autosomal bins whose mean depth is at least min_depth, and the bin count.

    Regions are mosdepth's (chrom, start, end, mean depth) bins, 0-based half-open.
    """
    wanted = set(autosomes)
    bins = callable_bins = 0
    for chrom, _start, _end, depth in regions:
        if chrom not in wanted:
            continue
        bins += 1
        callable_bins += depth >= min_depth
    return (callable_bins / bins if bins else None), bins


def read_mosdepth_regions(path: str | Path):
    """Yield (chrom, start, end, mean depth) from a mosdepth regions.bed.gz."""
    with gzip.open(path, "rt") as handle:
        for line in handle:
            chrom, start, end, depth = line.rstrip("\n").split("\t")[:4]
            yield chrom, int(start), int(end), float(depth)


def read_qc_metrics(
    fastp_reports: dict[str, dict],
    stats_text: str,
    markdup_text: str,
    mosdepth_summary: str,
    regions: Iterable[tuple[str, int, int, float]],
    autosomes: list[str],
    min_bin_depth: float,
) -> tuple[dict, dict, list[dict]]:
    """(adequacy, metrics, items) of the read_qc findings of one sample."""
    units = [
        {"unit": unit, **fastp_after_trimming(report)}
        for unit, report in sorted(fastp_reports.items())
    ]
    reads = sum(unit["reads_after_trimming"] for unit in units) if units else None
    bases = sum(unit["bases_after_trimming"] for unit in units)
    q30 = sum(unit["q30_bases_after_trimming"] for unit in units)
    summary = samtools_summary_numbers(stats_text)
    total = summary.get("raw total sequences")
    mapped = summary.get("reads mapped")
    fraction, bins = callable_fraction(regions, autosomes, min_bin_depth)
    metrics = {
        "reads_after_trimming": reads,
        "q30_fraction": q30 / bases if bases else None,
        "mapped_fraction": mapped / total if total and mapped is not None else None,
        "duplicate_fraction": duplicate_fraction(markdup_numbers(markdup_text)),
        "mean_depth": mosdepth_mean_depth(mosdepth_summary, autosomes),
        "callable_fraction": fraction,
    }
    adequacy = {"autosomal_bins": bins, "callable_min_depth": min_bin_depth}
    return adequacy, metrics, units


def read_fastp_reports(paths_by_unit: dict[str, str | Path]) -> dict[str, dict]:
    reports = {}
    for unit, path in paths_by_unit.items():
        with open(path) as handle:
            reports[unit] = json.load(handle)
    return reports
