"""Copy number, loss of heterozygosity and mosaicism of a sample against its parental.

Signals (scripts/ipscqc/copynumber/): depth from mosdepth bins (line and parental),
GC-corrected, filtered and turned into a centred log2 ratio (signal.py); allele balance
at sites heterozygous in the parental (line-only: in the line) from the donor's joint
VCF (sites.py). Both are segmented, each segment explained by a copy number, major
allele copies and a mosaic fraction (model.py, segments.py), and calls are annotated
with scope, genes and recurrent regions (calls.py). docs/copy_number.md describes it.

Item coordinates are 0-based half-open (BED-like); the findings table
(``findings/{sample}/copy_number.tsv``) is 1-based closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import pandas as pd

    from ipscqc.copynumber.params import Params
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
    sites: pd.DataFrame  # allele counts at the reference's heterozygous sites
    centromeres: pd.DataFrame  # analysed chromosomes and their centromeres (BED)
    genes: pd.DataFrame  # chrom, start, end, name (0-based)
    recurrent: pd.DataFrame  # recurrent hPSC regions (BED)


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


def analyse(inputs: CopyNumberInputs, params: Params) -> Findings:
    """The whole check on in-memory inputs: signals, segments, calls and findings.

    Only chromosomes listed in ``centromeres`` are analysed. The bins, sites, segments
    and calls ride along in ``tables`` (and the sex used in ``tables["sex"]``).
    """
    from ipscqc.copynumber.calls import annotate_calls
    from ipscqc.copynumber.segments import normal_offset, segment_and_fit
    from ipscqc.copynumber.signal import depth_signal

    genome = inputs.genome
    chromosomes = list(dict.fromkeys(inputs.centromeres["chrom"]))
    composition = inputs.composition[inputs.composition["chrom"].isin(chromosomes)]
    bins, sex = depth_signal(
        composition, inputs.line_depth, inputs.parental_depth, inputs.sex, params, genome
    )
    # allele balance is read on chromosomes with two copies in the reference only
    two_copies = {chrom for chrom in chromosomes if genome.baseline_copies(chrom, sex)[0] >= 2}
    sites = inputs.sites[inputs.sites["chrom"].isin(two_copies)].reset_index(drop=True)
    segments = segment_and_fit(bins, sites, sex, params, genome)
    # the mean log2 ratio of normal bins is not exactly the mode (log of a noisy ratio is
    # skewed at low depth): centre on the segments that are not calls, and refit
    offset = normal_offset(segments, genome)
    if abs(offset) > 1e-3:
        bins["log2"] = bins["log2"] - offset
        segments = segment_and_fit(bins, sites, sex, params, genome)
    calls = annotate_calls(
        segments, bins, inputs.centromeres, inputs.genes, inputs.recurrent, params
    )
    values = {**_metrics(calls, sites), **_adequacy(bins, sites, genome)}
    result = findings(
        SPEC,
        inputs.sample,
        inputs.parental,
        values,
        _items(calls),
        _notes(bool(inputs.parental), sex, values, params),
    )
    result.tables.update(bins=bins, sites=sites, segments=segments, calls=calls, sex=sex)
    return result


# ---------------------------------------------------------------- files


def read_inputs(inputs, params) -> CopyNumberInputs:
    """The check's inputs from the rule's files (paths) and params."""
    import pandas as pd

    from ipscqc.copynumber.params import Params
    from ipscqc.copynumber.sites import read_het_sites
    from ipscqc.genome import GenomeModel
    from ipscqc.readers.bed import read_bed
    from ipscqc.readers.gff3 import read_annotation
    from ipscqc.readers.mosdepth import read_regions

    settings = Params.from_config(dict(params.settings))
    parental = params.parental or None
    centromeres = read_bed(inputs.centromeres)
    chromosomes = list(dict.fromkeys(centromeres["chrom"]))
    return CopyNumberInputs(
        sample=params.sample,
        parental=parental,
        sex=params.sex,
        genome=GenomeModel.of(**params.genome),
        composition=pd.read_csv(inputs.composition, sep="\t", dtype={"chrom": str}),
        line_depth=read_regions(inputs.line),
        parental_depth=read_regions(inputs.parental) if parental else None,
        sites=read_het_sites(
            inputs.vcf, params.sample, parental or params.sample, settings, chromosomes
        ),  # fmt: skip
        centromeres=centromeres,
        genes=read_annotation(inputs.annotation).genes_table(),
        recurrent=read_bed(inputs.recurrent),
    )


def main(inputs, outputs, params) -> None:
    """Snakemake rule copy_number: analyse one sample, write tables, figure, findings."""
    from ipscqc import cn_figure
    from ipscqc.contract import write_findings
    from ipscqc.copynumber.calls import segments_for_findings
    from ipscqc.copynumber.params import Params
    from ipscqc.paired_assessability import against_parental

    check_inputs = read_inputs(inputs, params)
    result = analyse(check_inputs, Params.from_config(dict(params.settings)))
    tables, paired = result.tables, bool(check_inputs.parental)
    columns = ["chrom", "start", "end", "gc", "n_fraction", "line_depth"]
    columns += ["parental_depth"] if paired else []
    columns += ["line_corrected"] + (["parental_corrected"] if paired else [])
    columns += ["reference_copies", "used", "log2"]
    write = {"sep": "\t", "index": False, "float_format": "%.4f"}
    tables["bins"][columns].to_csv(outputs.bins, **write)
    tables["sites"].to_csv(outputs.sites, **write)
    tables["segments"].to_csv(outputs.segments, **write)
    tables["calls"].to_csv(outputs.calls, **write)
    segments_for_findings(tables["segments"]).to_csv(outputs.findings_table, **write)
    mode = f"against {check_inputs.parental}" if paired else "line-only"
    cn_figure.draw(
        outputs.figure,
        f"{check_inputs.sample}: copy number {mode}",
        tables["bins"],
        tables["sites"],
        tables["segments"],
        tables["calls"],
    )
    # null findings when the sample is another individual than its parental
    write_findings(outputs.findings, against_parental(result, inputs.get("pairing"), SPEC), SPEC)
