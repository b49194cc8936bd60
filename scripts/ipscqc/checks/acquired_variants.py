"""Acquired point mutations: where every allele a line carries comes from, against its
donor's parental sample, and how oncogenic it is.

Every candidate allele of the donor's joint pileup and every catalogue allele genotyped
by force gets the line's and the parental's counts, a noise model measured on the run's
own sites (per-context error rates, beta-binomial overdispersion), artefact rules that
work at 3-10 alt reads (strand, a panel of normals, recurrence across the donor's lines),
a haplotype-aware comparison with the parental's alleles, an origin class (germline,
donor_mosaic, acquired, lost, artefact, uncertain; unclassified without a parental), a
tier, clonality, and the detection limit of that whole decision (scripts/ipscqc/variants/,
docs/acquired_variants.md). Positions are 1-based (VCF).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import pandas as pd

    from ipscqc.genome import GenomeModel
    from ipscqc.variants.settings import VariantSettings


SPEC = load_spec(__file__)  # the declaration: acquired_variants.yaml beside this module
DepthBins = list[tuple[int, float]]


@dataclass
class AcquiredVariantsInputs(SampleInputs):
    """One line's evidence. ``candidates`` and ``hotspot_pileup`` are the donor's
    ``bcftools query`` tables (a column per sample: the line, its parental and the
    donor's ``other_lines``); ``line_depths`` / ``parental_depths`` the depth
    distribution of the covered bases as (depth, weight) bins (variants.limit.depth_bins);
    ``normals`` the allele counts of unrelated samples of the run (chrom, pos, ref, alt,
    sample, alt_count, depth), ``panel_samples`` how many such samples there are;
    ``user_panel`` the alleles of a user panel of normals (chrom, pos, ref, alt);
    ``fetch(chrom, start, end)`` reference bases of a 0-based half-open interval."""

    sex: str
    genome: GenomeModel
    candidates: pd.DataFrame
    hotspot_pileup: pd.DataFrame
    hotspot_entries: pd.DataFrame  # map_hotspots entries
    hotspot_alleles: pd.DataFrame  # map_hotspots alleles
    catalogue: pd.DataFrame
    cancer_genes: pd.DataFrame
    other_lines: tuple[str, ...] = ()
    lineage: dict[str, str] | None = None
    fetch: Callable[[str, int, int], str] | None = None
    normals: pd.DataFrame | None = None
    panel_samples: int = 0
    user_panel: pd.DataFrame | None = None
    line_depths: DepthBins | None = None
    parental_depths: DepthBins | None = None
    line_median_depth: float | None = None
    parental_median_depth: float | None = None
    line_callable_fraction: float | None = None
    parental_callable_fraction: float | None = None
    copy_number_segments: pd.DataFrame | None = None
    use_copy_number: bool = False


@dataclass(frozen=True)
class AcquiredVariantsSettings:
    variants: VariantSettings
    max_items: int = 200

    @classmethod
    def from_config(cls, block: dict) -> AcquiredVariantsSettings:
        from ipscqc.variants.settings import VariantSettings

        return cls(VariantSettings.from_config(block), int(block.get("max_items", 200)))


def _sites_of(inputs: AcquiredVariantsInputs, line: str):
    from ipscqc.variants.line_table import line_sites

    return line_sites(
        inputs.candidates,
        inputs.hotspot_pileup,
        inputs.hotspot_alleles,
        inputs.catalogue,
        inputs.cancer_genes,
        line,
        inputs.parental,
        inputs.sex,
        inputs.genome,
    )


def classified_sites(inputs: AcquiredVariantsInputs, settings: VariantSettings):
    """The line's classified site table (every allele the line or its parental shows,
    and every catalogue allele), with its noise model and the model's provenance."""
    from ipscqc.variants.classify import classify_donor
    from ipscqc.variants.line_table import usable_for_overdispersion
    from ipscqc.variants.noise import estimate_noise
    from ipscqc.variants.tiers import add_clonality, assign_tiers, copy_number_at

    paired = bool(inputs.parental)
    tables = {inputs.sample: _sites_of(inputs, inputs.sample)}
    if paired:
        tables.update({line: _sites_of(inputs, line) for line in inputs.other_lines})
    usable = usable_for_overdispersion(tables[inputs.sample], inputs.copy_number_segments)
    noises, provenance = {}, {}
    for line, table in tables.items():
        line_usable = usable if line == inputs.sample else None
        noises[line], provenance[line] = estimate_noise(table, settings, paired, line_usable)
    sites = classify_donor(
        tables,
        settings,
        noises,
        paired=paired,
        lineage=inputs.lineage,
        fetch=inputs.fetch,
        normals=inputs.normals,
        user_panel=inputs.user_panel,
        only=inputs.sample,
    )[inputs.sample]
    shown = (sites["class"] != "absent") | (sites["source"] == "hotspot_genotyping")
    sites = sites[shown | (sites["hotspot"] != "")].reset_index(drop=True)
    segments = inputs.copy_number_segments if inputs.use_copy_number else None
    copies = copy_number_at(sites, inputs.sex, inputs.genome, segments)
    sites = add_clonality(sites, copies, settings.clonal_max_p)
    sites["tier"] = assign_tiers(sites, inputs.cancer_genes)
    if not paired:
        for column in ("parental_alt", "parental_ref", "parental_depth"):
            sites[column] = None
    return sites, noises[inputs.sample], provenance[inputs.sample]


def genome_wide_limit(inputs: AcquiredVariantsInputs, settings: VariantSettings, noise):
    """The allele fraction classed acquired (unclassified in line-only mode) with
    probability ``detection_power`` over the line's and the parental's depth
    distributions; None when not reachable or without depths."""
    from ipscqc.variants.limit import detection_limit_over_depths

    paired = bool(inputs.parental)
    if not inputs.line_depths or (paired and not inputs.parental_depths):
        return None
    return detection_limit_over_depths(
        inputs.line_depths,
        inputs.parental_depths if paired else None,
        settings,
        settings.detection_power,
        noise,
    )


def variant_item(row) -> dict:
    """A findings item for one site (flat, numbers as numbers, unknown as null)."""
    import numpy as np
    import pandas as pd

    from ipscqc.variants.summary import ITEM_COLUMNS

    item = {"kind": "variant"}
    for column in ITEM_COLUMNS:
        value = row.get(column)
        if value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value)):
            value = None
        elif isinstance(value, np.bool_):
            value = bool(value)
        elif isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            value = float(value)
        item[column] = value
    return item


def _depths(sites, inputs: AcquiredVariantsInputs) -> dict:
    import pandas as pd

    paired = bool(inputs.parental)
    present = sites[sites["line_call"] == "present"]
    line_depths = pd.to_numeric(present["line_depth"], errors="coerce")
    parental_depths = pd.to_numeric(present["parental_depth"], errors="coerce")

    def median(values):
        return float(values.median()) if len(values) and values.notna().any() else None

    return {
        "median_depth": inputs.line_median_depth,
        "parental_median_depth": inputs.parental_median_depth if paired else None,
        "callable_fraction": inputs.line_callable_fraction,
        "parental_callable_fraction": inputs.parental_callable_fraction if paired else None,
        "median_depth_at_sites": median(line_depths),
        "parental_median_depth_at_sites": median(parental_depths) if paired else None,
    }


def summarise(sites, hotspots, noise, provenance, inputs, settings) -> Findings:
    """The findings document of one line from its classified sites and hotspot results."""
    from ipscqc.contract import clean
    from ipscqc.variants import summary

    th = settings.variants
    paired = bool(inputs.parental)
    hotspot_values, mapped = summary.hotspot_counts(hotspots)
    tp53_values, tp53_entries = summary.tp53_counts(hotspots)
    values = {
        **summary.class_counts(sites, paired),
        **summary.carried_counts(sites, paired),
        **summary.artefact_counts(sites, inputs.panel_samples, inputs.user_panel is not None),
        **hotspot_values,
        **tp53_values,
        "min_detectable_af": genome_wide_limit(inputs, th, noise),
        **summary.noise_values(provenance, noise),
        **_depths(sites, inputs),
    }
    rows = summary.item_rows(sites)
    items = [variant_item(row) for row in rows.head(settings.max_items).to_dict("records")]
    # every catalogue entry placed on this genome (the unplaced ones are a note below)
    items += [clean(row) for row in mapped.to_dict("records")]
    notes = _notes(inputs, hotspots, tp53_entries, values, len(rows), settings, provenance)
    return findings(SPEC, inputs.sample, inputs.parental, values, items, notes)


def _notes(inputs, hotspots, tp53_entries, values, item_count, settings, provenance):
    th = settings.variants
    notes = []
    if not inputs.parental:
        notes.append(
            "Line-only mode: no parental sample, so no allele's origin can be told; every "
            "allele the line carries is 'unclassified' and the evidence is weaker. Carried "
            "hotspots and likely-oncogenic alleles are still reported."
        )
    if item_count > settings.max_items:
        notes.append(
            f"{item_count} variants qualify as items; the {settings.max_items} most severe"
            " are listed here, all are in acquired_variants.tsv."
        )
    unmapped = hotspots[hotspots["status"] != "mapped"]
    if len(unmapped):
        listed = ", ".join(
            f"{h} ({s})" for h, s in zip(unmapped["hotspot"], unmapped["status"], strict=True)
        )
        notes.append(f"Hotspots not checked on this genome: {listed}.")
    moved = hotspots[hotspots["transcript_note"].fillna("") != ""]
    for gene, note in sorted(set(zip(moved["gene"], moved["transcript_note"], strict=True))):
        notes.append(f"Hotspots of {gene}: {note}.")
    if values["hotspots_undercovered"]:
        notes.append(
            f"{values['hotspots_undercovered']} hotspot position(s) have line depth below "
            f"{th.hotspot_min_depth}; a subclonal mutation there could be missed (see each "
            "hotspot's min_detectable_af)."
        )
    limits = [
        f"{row.hotspot} {row.min_detectable_af:.3f} at {row.line_depth}x"
        if row.min_detectable_af is not None and row.min_detectable_af == row.min_detectable_af
        else f"{row.hotspot} not reachable at {row.line_depth}x"
        for row in tp53_entries[tp53_entries["status"] == "mapped"].itertuples(index=False)
    ]
    if limits:
        notes.append(
            "Smallest allele fraction the line is seen to carry with "
            f"{th.detection_power:.0%} probability at each TP53 dominant-negative hotspot: "
            + "; ".join(limits)
            + "."
        )
    if values["min_detectable_af"] is not None:
        mode = "acquired" if inputs.parental else "seen (line-only)"
        notes.append(
            f"Genome-wide, at the depths of the line and its parental, an allele is classed "
            f"{mode} with {th.detection_power:.0%} probability from an allele fraction of "
            f"{values['min_detectable_af']:.3f} (the whole decision: line test, parental "
            "exclusion, strand rules)."
        )
    else:
        notes.append(
            "Genome-wide detection limit cannot be stated: no fraction up to 1 reaches "
            f"{th.detection_power:.0%} probability at these depths (a parental needs about "
            "12 reads at a site to exclude a germline genotype), or no depth distribution."
        )
    notes.append(_noise_note(provenance))
    return notes


def _noise_note(provenance: dict) -> str:
    def counted(e):
        return (
            f", {e['errors']}/{e['reads']} reads at {e['sites']} hom-alt sites"
            if e["reads"]
            else ""
        )

    rates = [
        f"{e['sample']} {e['context']} {e['rate']:.2g} ({e['source']}{counted(e)})"
        for e in provenance["error_rates"]
    ]
    fits = provenance["overdispersion"]
    rho = "; ".join(
        f"{name} {fit['rho']:.3g} ({fit['source']}, {fit['sites']} sites)"
        for name, fit in fits.items()
    )
    return f"Noise model: per-allele error rates {'; '.join(rates)}. Overdispersion: {rho}."


def analyse(inputs: AcquiredVariantsInputs, settings: AcquiredVariantsSettings) -> Findings:
    """The acquired-variant findings of one line; the site table rides along in
    ``tables["sites"]``, the catalogue's results in ``tables["hotspots"]``."""
    from ipscqc.variants.hotspot_results import hotspot_results

    sites, noise, provenance = classified_sites(inputs, settings.variants)
    hotspots = hotspot_results(sites, inputs.hotspot_entries, settings.variants, noise)
    result = summarise(sites, hotspots, noise, provenance, inputs, settings)
    result.tables["sites"] = sites
    result.tables["hotspots"] = hotspots
    return result


# ---------------------------------------------------------------- files


def depth_distribution(dist_path: str | None, min_depth: float):
    """Median depth, the fraction of bases at >= min_depth, and the covered bases' depth
    bins (depth >= 1), from mosdepth's global distribution (None without one)."""
    from ipscqc.readers.mosdepth import median_depth, read_global_distribution
    from ipscqc.variants.limit import depth_bins

    if not dist_path:
        return None, None, None
    cumulative = read_global_distribution(dist_path)
    if not cumulative:
        return None, None, None
    depths = sorted(d for d in cumulative if d >= 1)
    weights = [cumulative[d] - cumulative.get(d + 1, 0.0) for d in depths]
    bins = depth_bins(depths, weights) if depths and sum(weights) > 0 else None
    return median_depth(cumulative), cumulative.get(int(min_depth)), bins


def read_segments(path: str | None):
    """Copy-number segments (findings/{line}/copy_number.tsv, 1-based closed)."""
    import pandas as pd

    if not path:
        return None
    table = pd.read_csv(path, sep="\t", dtype={"chrom": str})
    columns = ["chrom", "start", "end", "copy_number"] + (["type"] if "type" in table else [])
    return table[columns].dropna(subset=["chrom", "start", "end", "copy_number"])


def read_normals(path: str | None, donor: str):
    """The panel of normals' alleles of the other donors' samples (variants/
    panel_of_normals.tsv.gz), or None."""
    import pandas as pd

    if not path:
        return None
    table = pd.read_csv(path, sep="\t", dtype={"chrom": str, "donor": str, "sample": str})
    return table[table["donor"] != donor].reset_index(drop=True)


def read_user_panel(path: str | None):
    """Alleles of the user's panel-of-normals VCF, normalised (chrom, pos, ref, alt)."""
    import pandas as pd

    if not path:
        return None
    return pd.read_csv(
        path, sep="\t", header=None, names=["chrom", "pos", "ref", "alt"], dtype={"chrom": str}
    )


def main(inputs, outputs, params) -> None:
    """Snakemake rule classify_variants: read the donor's tables, the panel of normals
    and the depth distributions of the line and its parental, analyse, write the site
    table and the findings."""
    import pandas as pd
    import pysam

    from ipscqc.contract import write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.hotspots import read_cancer_genes, read_hotspots
    from ipscqc.paired_assessability import against_parental
    from ipscqc.readers.bcftools_query import read_query_table

    config = dict(params.settings)
    settings = AcquiredVariantsSettings.from_config(config)
    th = settings.variants
    parental = params.parental or None
    line_median, line_callable, line_bins = depth_distribution(
        inputs.get("line_dist"), th.min_depth
    )
    parental_median, parental_callable, parental_bins = (
        depth_distribution(inputs.get("parental_dist"), th.min_parental_depth)
        if parental
        else (None, None, None)
    )
    with pysam.FastaFile(inputs.reference) as fasta:
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
            other_lines=tuple(params.other_lines),
            fetch=fasta.fetch,
            normals=read_normals(inputs.get("panel_of_normals"), params.donor),
            panel_samples=len(params.normal_samples),
            user_panel=read_user_panel(inputs.get("user_panel_of_normals")),
            line_depths=line_bins,
            parental_depths=parental_bins,
            line_median_depth=line_median,
            parental_median_depth=parental_median,
            line_callable_fraction=line_callable,
            parental_callable_fraction=parental_callable,
            copy_number_segments=read_segments(inputs.get("copy_number")),
            use_copy_number=bool(config.get("use_copy_number")),
        )
        result = analyse(check_inputs, settings)
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
