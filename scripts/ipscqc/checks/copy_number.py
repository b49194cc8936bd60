"""Copy number, loss of heterozygosity and mosaicism of a sample against its parental.

Signals (scripts/ipscqc/copynumber/): depth from mosdepth bins (line and parental),
GC-corrected, filtered and turned into a centred log2 ratio (signal.py); allele balance
at sites heterozygous in the parental (line-only: in the line) from the donor's joint
VCF, kept where the parental's allele balance, depth and genotype quality are sound
(sites.py), scored against the parental's own allele fraction with the run's
overdispersion (allele_balance.py). Regions a configured BED or the parental's own depth
and allele balance mark as unreliable are left out (masks.py). Both signals are
segmented, each segment explained by a copy number, major allele copies and a mosaic
fraction (model.py, segments.py); calls are annotated with scope, genes and recurrent
regions (calls.py) and classed FAIL or REVIEW with a score, the MHC looked at
(classes.py); the line's own noise gives its stated detection limit (detection.py).
docs/copy_number.md describes it.

Item coordinates are 0-based half-open (BED-like); the findings table
(``findings/{sample}/copy_number.tsv``) is 1-based closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import pandas as pd

    from ipscqc.copynumber.params import Params, Settings
    from ipscqc.genome import GenomeModel

MAX_GENES_IN_ITEM = 50

SPEC = load_spec(__file__)  # the declaration: copy_number.yaml beside this module


@dataclass
class CopyNumberInputs(SampleInputs):
    sex: str  # declared sex of the reference genome (the parental, or the sample)
    genome: GenomeModel
    composition: pd.DataFrame  # bins with GC and N content
    line_depth: pd.DataFrame  # mosdepth bins of the sample
    parental_depth: pd.DataFrame | None  # and of its parental (None: line-only)
    # line and parental allele counts (and parental GQ) at the reference's heterozygous
    # SNVs: readers.vcf.read_het_site_counts (line-only: the line's own, as both)
    site_counts: pd.DataFrame
    centromeres: pd.DataFrame  # analysed chromosomes and their centromeres (BED)
    genes: pd.DataFrame  # chrom, start, end, name (0-based)
    recurrent: pd.DataFrame  # recurrent hPSC regions (BED), informative
    # driver regions (chrom, start, end, name, direction, genes); None: derived from
    # driver_definitions with the genes and the analysed arms
    drivers: pd.DataFrame | None = None
    driver_definitions: pd.DataFrame | None = None  # name, direction, genes, arm
    tumour_suppressors: frozenset[str] = frozenset()
    exclude_regions: pd.DataFrame | None = None  # configured mask (BED), None: none
    exclude_name: str | None = None  # its file name, for the findings


def _adequacy(bins: pd.DataFrame, sites: pd.DataFrame, genome: GenomeModel) -> dict:
    import numpy as np

    used = bins[bins["used"]]
    autosomal = used[genome.classes(used["chrom"]) == "autosome"]
    noise = float(np.median(np.abs(np.diff(used["log2"].to_numpy())))) if len(used) > 2 else None
    return {
        "log2_noise": noise,
        "bins_used": int(len(used)),
        "het_sites_used": int(len(sites)),
        "median_depth": float(np.median(autosomal["line_depth"])) if len(autosomal) else None,
    }


def genome_mismatch_fraction(sites: pd.DataFrame) -> float | None:
    """Share of the reference's heterozygous sites where the line shows one allele only
    (BAF < 0.05 or > 0.95): about 0.01 for the same genome, far higher for another."""
    if len(sites) == 0:
        return None
    return float(((sites["baf"] < 0.05) | (sites["baf"] > 0.95)).mean())


def _metrics(calls: pd.DataFrame, sites: pd.DataFrame) -> dict:
    return {
        "call_count": int(len(calls)),
        "gain_count": int((calls["type"] == "gain").sum()),
        "loss_count": int((calls["type"] == "loss").sum()),
        "cnloh_count": int((calls["type"] == "cnloh").sum()),
        "largest_event_bp": int(calls["size_bp"].max()) if len(calls) else 0,
        "whole_chromosome_event_count": int((calls["scope"] == "whole_chromosome").sum()),
        "arm_event_count": int((calls["scope"] == "arm").sum()),
        "recurrent_region_hit_count": int(calls["recurrent"].sum()) if len(calls) else 0,
        "max_mosaic_fraction": float(calls["mosaic_fraction"].max()) if len(calls) else 0.0,
        "max_copy_number": int(calls["copy_number"].max()) if len(calls) else None,
        "het_sites_single_allele_fraction": genome_mismatch_fraction(sites),
    }


def _items(calls: pd.DataFrame) -> list[dict]:
    items = []
    for call in calls.to_dict("records"):
        genes = call["genes"].split(",") if call["genes"] else []
        if len(genes) > MAX_GENES_IN_ITEM:
            call["genes"] = ",".join(genes[:MAX_GENES_IN_ITEM]) + ",..."
        call["recurrent"] = bool(call["recurrent"])
        call["mhc"] = bool(call["mhc"])
        items.append(call)
    return items


def _notes(paired: bool, sex: str, values: dict, params: Params) -> list[str]:
    notes = [
        f"Reference sex used for the sex chromosomes: {sex}.",
        "Copy number is estimated as the simplest state that explains depth and allele "
        "balance; e.g. 3 copies in 50% of cells cannot be told from 4 copies in 25%.",
    ]
    if not paired:
        notes.append(
            "Line-only mode: depth is compared with the line's own autosomes and allele "
            "balance is read at the line's own heterozygous sites; copy-neutral LOH that "
            "removed heterozygosity in most cells cannot be seen, and inherited copy-number "
            "variants are reported as if acquired."
        )
    mismatch = values["het_sites_single_allele_fraction"]
    if paired and mismatch is not None and mismatch > params.genome_mismatch_fraction:
        notes.append(
            f"{mismatch:.0%} of the parental's heterozygous sites show a single allele in "
            "the line: the line may not come from this donor (see identity); the copy-number "
            "comparison with this parental is not meaningful."
        )
    return notes


def _allele_model(sites: pd.DataFrame, settings: Settings):
    """The line's allele-balance model fitted on its sites (None: binomial against 0.5)."""
    from ipscqc.copynumber.allele_balance import fit_allele_balance_model

    if settings.params.allele_model == "binomial":
        return None
    return fit_allele_balance_model(sites, settings.sites)


MIN_SITES_OUTSIDE_CALLS = 0.25  # share of the sites needed to re-estimate without calls


def _outside_calls(sites: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The sites outside called segments (all sites when too few would remain)."""
    import numpy as np

    inside = np.zeros(len(sites), dtype=bool)
    for call in segments[segments["called"]].itertuples(index=False):
        inside |= (
            (sites["chrom"] == call.chrom)
            & (sites["pos"] >= call.start)
            & (sites["pos"] < call.end)
        ).to_numpy()
    outside = sites[~inside]
    return outside if len(outside) >= MIN_SITES_OUTSIDE_CALLS * len(sites) else sites


def _drivers(inputs: CopyNumberInputs, bins: pd.DataFrame) -> pd.DataFrame:
    """The configured driver regions, or those of the definitions on this genome."""
    import pandas as pd

    from ipscqc.copynumber.calls import chromosome_arms
    from ipscqc.copynumber.classes import DRIVER_COLUMNS, driver_regions_from_definitions

    if inputs.drivers is not None:
        return inputs.drivers
    if inputs.driver_definitions is None:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    arms = chromosome_arms(inputs.centromeres, bins)
    return driver_regions_from_definitions(inputs.driver_definitions, inputs.genes, arms)


def _allele_sites(inputs: CopyNumberInputs, settings: Settings, sex: str, paired: bool):
    """The allele-balance sites of the analysed chromosomes that have two copies in the
    reference of sex ``sex`` (allele balance is read there only).

    Returns (counts, sites, het_calls, removed): the site counts considered (rows of
    ``inputs.site_counts``) and what ``sites.baf_sites`` makes of them.
    """
    from ipscqc.copynumber.sites import baf_sites

    genome = inputs.genome
    chromosomes = dict.fromkeys(inputs.centromeres["chrom"])
    two_copies = {chrom for chrom in chromosomes if genome.baseline_copies(chrom, sex)[0] >= 2}
    counts = inputs.site_counts[inputs.site_counts["chrom"].isin(two_copies)]
    sites, het_calls, removed = baf_sites(counts.reset_index(drop=True), settings.sites, paired)
    return counts, sites, het_calls, removed


def _apply_masks(
    bins: pd.DataFrame,
    sites: pd.DataFrame,
    het_calls: pd.DataFrame,
    inputs: CopyNumberInputs,
    settings: Settings,
    paired: bool,
):
    """Leave out the configured BED and (paired) the regions where the parental's own depth
    or allele balance is abnormal (``masks.line_exclusion``, with the overdispersion of a
    first allele model on all sites).

    Marks the masked bins not ``used`` in ``bins`` (in place). Returns (sites, exclusion):
    the sites outside the masks (index reset) and the ``masks.Exclusion``.
    """
    from ipscqc.copynumber.masks import line_exclusion

    first_model = _allele_model(sites, settings)
    exclusion = line_exclusion(
        bins,
        sites,
        inputs.exclude_regions,
        settings.masks,
        het_calls if paired else None,
        first_model.overdispersion if first_model is not None else 0.001,
    )
    bins["used"] = bins["used"].to_numpy() & exclusion.keep_bins
    return sites[exclusion.keep_sites].reset_index(drop=True), exclusion


def _centred_segments(
    bins: pd.DataFrame, sites: pd.DataFrame, sex: str, settings: Settings, genome: GenomeModel
):
    """Segments with their fitted states, centred on the normal segments and refitted once.

    The mean log2 ratio of normal bins is not exactly the mode (log of a noisy ratio is
    skewed at low depth): the ratio is centred on the segments that are not calls; events
    inflate the overdispersion estimated on all sites (a widened balanced model then
    explains a mosaic imbalance): it is estimated again outside the calls. Shifts
    ``bins["log2"]`` by the offset (in place) when a refit is needed. Returns (segments,
    model): the allele-balance model the final segments were fitted with (None: binomial).
    """
    from ipscqc.copynumber.segments import normal_offset, segment_and_fit

    params = settings.params
    model = _allele_model(sites, settings)
    segments = segment_and_fit(bins, sites, sex, params, genome, model)
    offset = normal_offset(segments, genome)
    refined = _allele_model(_outside_calls(sites, segments), settings) if model else None
    if abs(offset) > 1e-3 or (refined is not None and refined != model):
        bins["log2"] = bins["log2"] - offset
        model = refined or model
        segments = segment_and_fit(bins, sites, sex, params, genome, model)
    return segments, model


def _classified_calls(
    inputs: CopyNumberInputs, settings: Settings, segments: pd.DataFrame, bins: pd.DataFrame
) -> pd.DataFrame:
    """The called segments annotated (scope, genes, recurrent regions) and classed FAIL or
    REVIEW with a score (``classes.classify_calls``), most concerning first."""
    from ipscqc.copynumber.calls import annotate_calls
    from ipscqc.copynumber.classes import classify_calls

    calls = annotate_calls(
        segments, bins, inputs.centromeres, inputs.genes, inputs.recurrent, settings.params
    )
    return classify_calls(
        calls, _drivers(inputs, bins), inputs.tumour_suppressors, settings.classes
    )


def _stated_noise(
    bins: pd.DataFrame, sites: pd.DataFrame, model, settings: Settings, genome: GenomeModel
):
    """The line's noise (``detection.LineNoise``) the stated detection limit is computed
    from: with the beta-binomial allele model, also when the binomial one ran (``model``
    None), so the stated limit is that of the beta-binomial model."""
    from ipscqc.copynumber.detection import line_noise

    beta_binomial = replace(settings, params=replace(settings.params, allele_model="beta_binomial"))
    return line_noise(bins, sites, model or _allele_model(sites, beta_binomial), genome)


def analyse(inputs: CopyNumberInputs, settings: Settings) -> Findings:
    """The whole check on in-memory inputs: signals, sites, masks, segments, calls, their
    classes, the MHC, the stated detection limit and the findings.

    Only chromosomes listed in ``centromeres`` are analysed. The bins, sites, segments,
    calls (classed), the exclusion and the line's noise (``detection.LineNoise``, what
    the stated limit is computed from) ride along in ``tables`` (and the sex used in
    ``tables["sex"]``).
    """
    from ipscqc.copynumber import summary
    from ipscqc.copynumber.classes import mhc_finding
    from ipscqc.copynumber.detection import detection_limits
    from ipscqc.copynumber.signal import depth_signal

    params, genome, paired = settings.params, inputs.genome, bool(inputs.parental)
    chromosomes = list(dict.fromkeys(inputs.centromeres["chrom"]))
    composition = inputs.composition[inputs.composition["chrom"].isin(chromosomes)]
    bins, sex = depth_signal(
        composition, inputs.line_depth, inputs.parental_depth, inputs.sex, params, genome
    )
    counts, sites, het_calls, removed = _allele_sites(inputs, settings, sex, paired)
    sites, exclusion = _apply_masks(bins, sites, het_calls, inputs, settings, paired)
    segments, model = _centred_segments(bins, sites, sex, settings, genome)
    classified = _classified_calls(inputs, settings, segments, bins)
    mhc = mhc_finding(classified, settings.classes, bins)
    noise = _stated_noise(bins, sites, model, settings, genome)
    values = {
        **_metrics(classified, sites),
        **_adequacy(bins, sites, genome),
        **summary.site_values(len(counts), removed),
        **summary.model_values(model),
        **summary.mask_values(exclusion, inputs.exclude_name),
        **summary.class_values(classified),
        **summary.mhc_values(mhc),
        **summary.detection_values(detection_limits(noise, params, settings.detection)),
    }
    notes = _notes(paired, sex, values, params) + summary.real_genome_notes(values, model, mhc)
    result = findings(SPEC, inputs.sample, inputs.parental, values, _items(classified), notes)
    result.tables.update(
        bins=bins,
        sites=sites,
        segments=segments,
        calls=classified,
        sex=sex,
        exclusion=exclusion,
        noise=noise,
    )
    return result


# ---------------------------------------------------------------- files


def _optional(inputs, name: str) -> str | None:
    """A named input of the rule, None when the rule has none (or an empty path)."""
    value = getattr(inputs, name, None)
    return str(value) if value else None


def read_inputs(inputs, params) -> CopyNumberInputs:
    """The check's inputs from the rule's files (paths) and params. Optional inputs:
    ``exclude`` (mask BED), ``drivers`` (driver-region BED; without it the regions come
    from ``driver_definitions`` and the annotation), ``cancer_genes`` (tumour
    suppressors)."""
    from pathlib import Path

    import pandas as pd

    from ipscqc.copynumber.classes import DRIVER_COLUMNS
    from ipscqc.copynumber.params import SiteSettings
    from ipscqc.genome import GenomeModel
    from ipscqc.hotspots import read_cancer_genes
    from ipscqc.readers.bed import read_bed
    from ipscqc.readers.gff3 import read_annotation
    from ipscqc.readers.mosdepth import read_regions
    from ipscqc.readers.vcf import read_het_site_counts

    sites = SiteSettings.from_config(dict(params.settings))
    parental = params.parental or None
    centromeres = read_bed(inputs.centromeres)
    chromosomes = list(dict.fromkeys(centromeres["chrom"]))
    exclude, drivers = _optional(inputs, "exclude"), _optional(inputs, "drivers")
    definitions, cancer_genes = (
        _optional(inputs, "driver_definitions"),
        _optional(inputs, "cancer_genes"),
    )
    suppressors = frozenset()
    if cancer_genes:
        table = read_cancer_genes(cancer_genes)
        suppressors = frozenset(table.loc[table["role"] == "tumour_suppressor", "gene"])
    return CopyNumberInputs(
        sample=params.sample,
        parental=parental,
        sex=params.sex,
        genome=GenomeModel.of(**params.genome),
        composition=pd.read_csv(inputs.composition, sep="\t", dtype={"chrom": str}),
        line_depth=read_regions(inputs.line),
        parental_depth=read_regions(inputs.parental) if parental else None,
        site_counts=read_het_site_counts(
            inputs.vcf, params.sample, parental or params.sample, chromosomes, sites.min_het_qual
        ),
        centromeres=centromeres,
        genes=read_annotation(inputs.annotation).genes_table(),
        recurrent=read_bed(inputs.recurrent),
        drivers=read_bed(drivers, extra=tuple(DRIVER_COLUMNS[4:])) if drivers else None,
        driver_definitions=(
            pd.read_csv(definitions, sep="\t", comment="#", dtype=str, keep_default_na=False)
            if definitions
            else None
        ),
        tumour_suppressors=suppressors,
        exclude_regions=read_bed(exclude) if exclude else None,
        exclude_name=Path(exclude).name if exclude else None,
    )


def main(inputs, outputs, params) -> None:
    """Snakemake rule copy_number: analyse one sample, write tables, figure, findings."""
    from ipscqc import cn_figure
    from ipscqc.contract import write_findings
    from ipscqc.copynumber.calls import segments_for_findings
    from ipscqc.copynumber.params import Settings
    from ipscqc.paired_assessability import against_parental

    check_inputs = read_inputs(inputs, params)
    result = analyse(check_inputs, Settings.from_config(dict(params.settings)))
    # null findings when the sample is another individual than its parental: its
    # "calls" would be the other person's genome, so the calls table stays empty
    reported = against_parental(result, inputs.get("pairing"), SPEC)
    tables, paired = result.tables, bool(check_inputs.parental)
    calls = tables["calls"] if reported is result else tables["calls"].iloc[0:0]
    columns = ["chrom", "start", "end", "gc", "n_fraction", "line_depth"]
    columns += ["parental_depth"] if paired else []
    columns += ["line_corrected"] + (["parental_corrected"] if paired else [])
    columns += ["reference_copies", "used", "log2"]
    write = {"sep": "\t", "index": False, "float_format": "%.4f"}
    tables["bins"][columns].to_csv(outputs.bins, **write)
    tables["sites"].to_csv(outputs.sites, **write)
    tables["segments"].to_csv(outputs.segments, **write)
    calls.to_csv(outputs.calls, **write)
    segments_for_findings(tables["segments"]).to_csv(outputs.findings_table, **write)
    mode = f"against {check_inputs.parental}" if paired else "line-only"
    if reported is not result:
        mode += " (not assessable: another individual)"
    cn_figure.draw(
        outputs.figure,
        f"{check_inputs.sample}: copy number {mode}",
        tables["bins"],
        tables["sites"],
        tables["segments"],
        calls,
    )
    write_findings(outputs.findings, reported, SPEC)
