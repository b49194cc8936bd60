"""Classify a line's variants against its parental sample; write the acquired-variants
table and findings (docs/acquired_variants.md)."""

import pandas as pd
from ipscqc.acquired_variants import (
    LineInputs,
    Thresholds,
    hotspot_results,
    median_depth_from_dist,
    read_query_table,
    samtools_error_rate,
    site_table,
    summarise,
    write_table,
)
from ipscqc.findings import findings, write_json
from ipscqc.hotspots import read_cancer_genes, read_hotspots
from ipscqc.snake import log_stderr_to


def error_rate_of(stats_path, settings) -> float:
    """The configured error rate, else samtools' error rate, never below the floor."""
    if settings.get("error_rate") is not None:
        return float(settings["error_rate"])
    measured = samtools_error_rate(stats_path) if stats_path else None
    return max(settings["min_error_rate"], measured or 0.0)


def depth_summary(dist_path, min_depth):
    if not dist_path:
        return None, None
    median, cumulative = median_depth_from_dist(dist_path)
    callable_fraction = cumulative.get(int(min_depth)) if cumulative else None
    return median, callable_fraction


def read_segments(path):
    if not path:
        return None
    table = pd.read_csv(path, sep="\t")
    if "copy_number" not in table.columns and "cn" in table.columns:
        table = table.rename(columns={"cn": "copy_number"})
    return table[["chrom", "start", "end", "copy_number"]].dropna()


def optional(inputs, name):
    """The path of an optional named input, or None when the rule left it out."""
    value = inputs.get(name)
    if value is None or isinstance(value, str):
        return value or None
    value = list(value)
    return str(value[0]) if value else None


def main(inputs, outputs, params):
    settings = params.settings
    thresholds = Thresholds.from_config(settings)
    parental = params.parental or None
    line_median, line_callable = depth_summary(optional(inputs, "line_dist"), thresholds.min_depth)
    parental_median, parental_callable = (
        depth_summary(optional(inputs, "parental_dist"), thresholds.min_parental_depth)
        if parental
        else (None, None)
    )
    line_inputs = LineInputs(
        line=params.line,
        parental=parental,
        sex=params.sex,
        candidates=read_query_table(inputs.candidates),
        hotspot_pileup=read_query_table(inputs.hotspot_pileup),
        hotspot_entries=pd.read_csv(inputs.hotspot_entries, sep="\t", dtype=str).fillna(""),
        hotspot_alleles=pd.read_csv(inputs.hotspot_alleles, sep="\t", dtype={"chrom": str}),
        catalogue=read_hotspots(inputs.hotspots),
        cancer_genes=read_cancer_genes(inputs.cancer_genes),
        line_error_rate=error_rate_of(optional(inputs, "line_stats"), settings),
        parental_error_rate=error_rate_of(optional(inputs, "parental_stats"), settings)
        if parental
        else None,
        line_median_depth=line_median,
        parental_median_depth=parental_median,
        line_callable_fraction=line_callable,
        parental_callable_fraction=parental_callable,
        copy_number_segments=read_segments(optional(inputs, "copy_number")),
    )
    sites = site_table(line_inputs, thresholds)
    hotspots = hotspot_results(
        sites, line_inputs.hotspot_entries, thresholds, line_inputs.line_error_rate
    )
    summary = summarise(sites, hotspots, line_inputs, thresholds, settings["max_items"])
    write_table(sites, outputs.table)
    write_json(
        outputs.findings,
        findings(
            "acquired_variants",
            params.line,
            parental,
            summary["adequacy"],
            summary["metrics"],
            summary["items"],
            summary["notes"],
        ),
    )


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
