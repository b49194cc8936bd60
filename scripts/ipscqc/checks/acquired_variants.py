"""Acquired point mutations: a line's allele counts against its parental sample's.

Every candidate site (an allele with alt reads in the donor's joint pileup, or a
position of the hotspot catalogue genotyped by force) gets allele counts in the line
and in the parental sample, statistical tests, artefact filters, a class, a clonality
label and a tier (scripts/ipscqc/variants/: sites.py builds the table, classify.py
decides, detection.py says what could have been missed). docs/acquired_variants.md
describes the method. Positions are 1-based (VCF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import pandas as pd

    from ipscqc.genome import GenomeModel
    from ipscqc.variants.classify import Thresholds


SPEC = load_spec(__file__)  # the declaration: acquired_variants.yaml beside this module


@dataclass
class AcquiredVariantsInputs(SampleInputs):
    sex: str
    genome: GenomeModel
    candidates: pd.DataFrame  # query table of the donor's candidates
    hotspot_pileup: pd.DataFrame  # query table of the donor's hotspot pileup
    hotspot_entries: pd.DataFrame  # map_hotspots entries
    hotspot_alleles: pd.DataFrame  # map_hotspots alleles
    catalogue: pd.DataFrame
    cancer_genes: pd.DataFrame
    line_error_rate: float | None = None
    parental_error_rate: float | None = None
    line_median_depth: float | None = None
    parental_median_depth: float | None = None
    line_callable_fraction: float | None = None
    parental_callable_fraction: float | None = None
    copy_number_segments: pd.DataFrame | None = None


@dataclass(frozen=True)
class AcquiredVariantsSettings:
    thresholds: Thresholds
    max_items: int = 200


def site_table(inputs: AcquiredVariantsInputs, th: Thresholds) -> pd.DataFrame:
    """Every site of one line, classified, with clonality and tier."""
    import pandas as pd

    from ipscqc.variants.classify import (
        add_clonality,
        assign_tiers,
        classify,
        copy_number_at,
        hotspot_matches,
    )
    from ipscqc.variants.sites import TABLE_COLUMNS, candidate_sites, hotspot_sites, merge_hotspots

    genes = set(inputs.cancer_genes["gene"])
    candidates = candidate_sites(inputs.candidates, inputs.sample, inputs.parental, genes)
    forced = hotspot_sites(
        inputs.hotspot_pileup, inputs.hotspot_alleles, inputs.sample, inputs.parental
    )
    sites = merge_hotspots(candidates, forced)
    sites = pd.concat(
        [sites.drop(columns=["hotspot", "hotspot_category"], errors="ignore"),
         hotspot_matches(sites, inputs.catalogue)],
        axis=1,
    )  # fmt: skip
    sites = classify(
        sites,
        th,
        paired=bool(inputs.parental),
        line_error_rate=inputs.line_error_rate,
        parental_error_rate=inputs.parental_error_rate,
    )
    keep = (sites["class"] != "absent") | (sites["source"] == "hotspot_genotyping")
    keep |= sites["hotspot"] != ""
    sites = sites[keep].reset_index(drop=True)
    copies = copy_number_at(sites, inputs.sex, inputs.genome, inputs.copy_number_segments)
    sites = add_clonality(sites, copies, th.clonal_max_p)
    sites["tier"] = assign_tiers(sites, inputs.cancer_genes)
    if not inputs.parental:
        for column in ("parental_alt", "parental_ref", "parental_depth"):
            sites[column] = pd.NA
    return sites.reindex(columns=TABLE_COLUMNS)


def variant_item(row) -> dict:
    """A findings item for one site (flat, numbers as numbers, unknown as null)."""
    import numpy as np
    import pandas as pd

    from ipscqc.variants.sites import TABLE_COLUMNS

    item = {"kind": "variant"}
    for column in TABLE_COLUMNS:
        value = row[column]
        if value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value)):
            value = None
        item[column] = value
    return item


def _counts(sites: pd.DataFrame, paired: bool) -> dict:
    """The class-by-tier counts; the paired ones null in line-only mode, and back."""
    from ipscqc.variants.classify import FLAGGED_TIERS, TIERS

    classes, tiers = sites["class"], sites["tier"]
    acquired = classes == "acquired"

    def paired_count(mask):
        return int(mask.sum()) if paired else None

    def line_only_count(mask):
        return None if paired else int(mask.sum())

    acquired_tiers = tiers[acquired]
    worst = next((tier for tier in TIERS if (acquired_tiers == tier).any()), None)
    return {
        "acquired_count": paired_count(acquired),
        "acquired_hotspot_count": paired_count(acquired & (tiers == "oncogenic_hotspot")),
        "acquired_likely_oncogenic_count": paired_count(acquired & (tiers == "likely_oncogenic")),
        "acquired_cancer_gene_count": paired_count(
            acquired & tiers.isin(["likely_oncogenic", "cancer_gene_coding"])
        ),
        "acquired_cancer_gene_coding_count": paired_count(
            acquired & (tiers == "cancer_gene_coding")
        ),
        "acquired_other_count": paired_count(acquired & (tiers == "other")),
        "worst_acquired_tier": worst or ("none" if paired else None),
        "uncertain_count": paired_count(classes == "uncertain"),
        "uncertain_flagged_count": paired_count(
            (classes == "uncertain") & tiers.isin(FLAGGED_TIERS)
        ),
        "unclassified_count": line_only_count(classes == "unclassified"),
        "unclassified_flagged_count": line_only_count(
            (classes == "unclassified") & tiers.isin(FLAGGED_TIERS)
        ),
        "inherited_count": paired_count(classes == "inherited"),
        "lost_count": paired_count(classes == "lost"),
    }


def _hotspot_counts(hotspots: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Counts of the catalogue's entries, and the entries placed on the genome."""
    mapped = hotspots[hotspots["status"] == "mapped"] if len(hotspots) else hotspots
    detected = mapped[mapped["detected"] == True] if len(mapped) else mapped  # noqa: E712
    max_af = None
    if len(mapped):
        max_af = float(detected["line_af"].max()) if len(detected) else 0.0
    counts = {
        "hotspots_in_catalogue": int(len(hotspots)),
        "hotspots_checked": int(len(mapped)),
        "hotspots_unmapped": int(len(hotspots) - len(mapped)),
        "hotspots_undercovered": int(mapped["undercovered"].fillna(True).astype(bool).sum())
        if len(mapped)
        else 0,
        "hotspots_detected": int(len(detected)),
        "max_hotspot_af": max_af,
    }
    return counts, mapped


def _depths(sites: pd.DataFrame, inputs: AcquiredVariantsInputs) -> dict:
    import pandas as pd

    from ipscqc.variants.detection import _none_if_nan

    paired = bool(inputs.parental)
    present = sites[
        sites["class"].isin(["acquired", "uncertain", "unclassified", "inherited", "lost"])
    ]
    parental_depths = pd.to_numeric(present["parental_depth"], errors="coerce")
    return {
        "median_depth": inputs.line_median_depth,
        "parental_median_depth": inputs.parental_median_depth if paired else None,
        "callable_fraction": inputs.line_callable_fraction,
        "parental_callable_fraction": inputs.parental_callable_fraction if paired else None,
        "median_depth_at_sites": _none_if_nan(present["line_depth"].median())
        if len(present)
        else None,
        "parental_median_depth_at_sites": _none_if_nan(parental_depths.median())
        if paired and len(present)
        else None,
    }


def summarise(
    sites: pd.DataFrame,
    hotspots: pd.DataFrame,
    inputs: AcquiredVariantsInputs,
    settings: AcquiredVariantsSettings,
) -> Findings:
    """The findings document of one line from its classified sites and hotspot results."""
    from ipscqc.contract import clean
    from ipscqc.variants.classify import TIERS
    from ipscqc.variants.detection import _none_if_nan, min_detectable_af

    th = settings.thresholds
    paired = bool(inputs.parental)
    e_line = inputs.line_error_rate if inputs.line_error_rate is not None else th.error_rate
    limit = min_detectable_af(
        inputs.line_median_depth or 0,
        e_line,
        th.min_alt_reads,
        th.max_p_line,
        th.min_af,
        th.detection_power,
    )[0]
    hotspot_counts, mapped = _hotspot_counts(hotspots)
    values = {
        **_counts(sites, paired),
        **hotspot_counts,
        "min_detectable_af": _none_if_nan(limit),
        "line_error_rate": e_line,
        **_depths(sites, inputs),
    }
    classes, tiers = sites["class"], sites["tier"]
    flagged = sites[
        (classes == "acquired")
        | (classes.isin(["uncertain", "unclassified"]) & tiers.isin(TIERS[:3]))
    ]
    order = {tier: rank for rank, tier in enumerate(TIERS)}
    flagged = flagged.assign(_rank=flagged["tier"].map(order)).sort_values(
        ["_rank", "line_af"], ascending=[True, False]
    )
    items = [variant_item(row) for _, row in flagged.head(settings.max_items).iterrows()]
    # every catalogue entry placed on this genome (the unplaced ones are a note below)
    items += [clean(row) for row in mapped.to_dict("records")]
    notes = _notes(inputs, hotspots, values, len(flagged), settings)
    return findings(SPEC, inputs.sample, inputs.parental, values, items, notes)


def _notes(inputs, hotspots, values, flagged_count, settings) -> list[str]:
    th = settings.thresholds
    notes = []
    if not inputs.parental:
        notes.append(
            "Line-only mode: no parental sample, so no variant can be called acquired or "
            "inherited; every variant seen is 'unclassified' and the evidence is weaker. "
            "Hotspots and cancer-gene variants are still flagged."
        )
    if flagged_count > settings.max_items:
        notes.append(
            f"{flagged_count} variants qualify as items; the {settings.max_items} most severe"
            " are listed here, all are in acquired_variants.tsv."
        )
    unmapped = hotspots[hotspots["status"] != "mapped"] if len(hotspots) else hotspots
    if len(unmapped):
        listed = ", ".join(
            f"{h} ({s})" for h, s in zip(unmapped["hotspot"], unmapped["status"], strict=True)
        )
        notes.append(f"Hotspots not checked on this genome: {listed}.")
    if values["hotspots_undercovered"]:
        notes.append(
            f"{values['hotspots_undercovered']} hotspot position(s) have line depth below "
            f"{th.hotspot_min_depth}; a subclonal mutation there could be missed (see each "
            "hotspot's min_detectable_af)."
        )
    if values["min_detectable_af"] is not None:
        notes.append(
            f"At the line's median depth ({inputs.line_median_depth:g}x) a variant is "
            f"detected with {th.detection_power:.0%} probability from an allele fraction of "
            f"{values['min_detectable_af']:.3f}; lower fractions can be missed."
        )
    return notes


def analyse(inputs: AcquiredVariantsInputs, settings: AcquiredVariantsSettings) -> Findings:
    """The acquired-variant findings of one line; the site table rides along in
    ``tables["sites"]``."""
    from ipscqc.variants.detection import hotspot_results

    th = settings.thresholds
    sites = site_table(inputs, th)
    error_rate = inputs.line_error_rate if inputs.line_error_rate is not None else th.error_rate
    hotspots = hotspot_results(sites, inputs.hotspot_entries, th, error_rate)
    result = summarise(sites, hotspots, inputs, settings)
    result.tables["sites"] = sites
    return result


# ---------------------------------------------------------------- files


def error_rate_of(stats_path: str | None, settings: dict) -> float:
    """The configured error rate, else samtools' error rate, never below the floor."""
    from ipscqc.checks.read_qc import samtools_summary_numbers

    if settings.get("error_rate") is not None:
        return float(settings["error_rate"])
    measured = None
    if stats_path:
        with open(stats_path) as handle:
            measured = samtools_summary_numbers(handle.read()).get("error rate")
    return max(settings["min_error_rate"], measured or 0.0)


def depth_summary(dist_path: str | None, min_depth: float):
    """Median depth and the fraction of bases at >= min_depth, from mosdepth's global
    distribution (None, None without one)."""
    from ipscqc.readers.mosdepth import median_depth, read_global_distribution

    if not dist_path:
        return None, None
    cumulative = read_global_distribution(dist_path)
    return median_depth(cumulative), cumulative.get(int(min_depth)) if cumulative else None


def read_segments(path: str | None):
    """Copy-number segments (findings/{line}/copy_number.tsv, 1-based closed)."""
    import pandas as pd

    if not path:
        return None
    table = pd.read_csv(path, sep="\t", dtype={"chrom": str})
    return table[["chrom", "start", "end", "copy_number"]].dropna()


def main(inputs, outputs, params) -> None:
    """Snakemake rule classify_variants: read the donor's tables and the QC of the line
    and its parental, analyse, write the site table and the findings."""
    import pandas as pd

    from ipscqc.contract import write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.hotspots import read_cancer_genes, read_hotspots
    from ipscqc.paired_assessability import against_parental
    from ipscqc.readers.bcftools_query import read_query_table
    from ipscqc.variants.classify import Thresholds

    config = dict(params.settings)
    thresholds = Thresholds.from_config(config)
    parental = params.parental or None
    paths = {name: inputs.get(name) for name in ("line_dist", "parental_dist", "copy_number")}
    line_median, line_callable = depth_summary(paths["line_dist"], thresholds.min_depth)
    parental_median, parental_callable = (
        depth_summary(paths["parental_dist"], thresholds.min_parental_depth)
        if parental
        else (None, None)
    )
    check_inputs = AcquiredVariantsInputs(
        sample=params.line,
        parental=parental,
        sex=params.sex,
        genome=GenomeModel.of(**params.genome),
        candidates=read_query_table(inputs.candidates),
        hotspot_pileup=read_query_table(inputs.hotspot_pileup),
        hotspot_entries=pd.read_csv(inputs.hotspot_entries, sep="\t", dtype=str).fillna(""),
        hotspot_alleles=pd.read_csv(inputs.hotspot_alleles, sep="\t", dtype={"chrom": str}),
        catalogue=read_hotspots(inputs.hotspots),
        cancer_genes=read_cancer_genes(inputs.cancer_genes),
        line_error_rate=error_rate_of(inputs.line_stats, config),
        parental_error_rate=error_rate_of(inputs.get("parental_stats"), config)
        if parental
        else None,
        line_median_depth=line_median,
        parental_median_depth=parental_median,
        line_callable_fraction=line_callable,
        parental_callable_fraction=parental_callable,
        copy_number_segments=read_segments(paths["copy_number"]),
    )
    result = analyse(check_inputs, AcquiredVariantsSettings(thresholds, int(config["max_items"])))
    write_table(result.tables["sites"], outputs.table)
    # null findings when the line is another individual than its parental
    result = against_parental(result, inputs.get("pairing"), SPEC)
    write_findings(outputs.findings, result, SPEC)


def write_table(sites: pd.DataFrame, path) -> None:
    """The per-line table, every number, tab-separated, fixed column order."""
    from ipscqc.variants.sites import TABLE_COLUMNS

    sites.reindex(columns=TABLE_COLUMNS).to_csv(
        path, sep="\t", index=False, na_rep="NA", float_format="%.6g"
    )
