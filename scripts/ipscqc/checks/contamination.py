"""Contamination: the fraction of DNA from another individual in a sample, with its 95%
interval, from the allele counts at every autosomal identity site (hom-ref, het and
hom-alt), with the donor's and the contaminant's genotypes latent, so that it is right
with one donor in the run (scripts/ipscqc/contamination/; docs/identity.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import numpy as np

SPEC = load_spec(__file__)  # the declaration: contamination.yaml beside this module


@dataclass
class SampleCounts:
    """One sample's read counts and genotypes at the identity sites (same order)."""

    ref: np.ndarray  # reads with the reference allele (FORMAT/AD)
    alt: np.ndarray  # reads with the alternate allele
    gt: np.ndarray  # dosage 0/1/2, -1 missing
    other: np.ndarray | None = None  # reads with neither allele (FORMAT/DP - sum AD)


@dataclass
class ContaminationInputs(SampleInputs):
    counts: SampleCounts
    donor_genotype: np.ndarray | None  # the parental's calls when it is the same individual
    sources: dict[str, np.ndarray]  # other individuals of the run: genotype dosages
    population_af: np.ndarray | None = None  # INFO/AF of a sites file, NaN unknown
    site_selection: str = "donor_variants"  # 'population' for a sites file
    donors_in_site_list: int = 1  # donors whose calls made the site list
    parental_is_other_individual: bool = False


def analyse(inputs: ContaminationInputs, settings: dict) -> Findings:
    """The contamination findings of one sample; ``settings`` is the config's
    ``contamination:``. The fraction is null (reason in the notes) when it cannot be
    estimated to within ``max_interval``; its interval is kept whenever a fit ran."""
    from ipscqc.contamination.estimate import (
        ContaminationSettings,
        contamination_values,
        contamination_with_sources,
    )

    estimate_settings = ContaminationSettings.from_config(
        settings, inputs.site_selection, inputs.donors_in_site_list
    )
    own = inputs.counts
    reported, fits = contamination_with_sources(
        own.ref,
        own.alt,
        inputs.donor_genotype,
        inputs.sources,
        estimate_settings,
        population_af=inputs.population_af,
        other=own.other,
    )
    from_parental = inputs.parental if inputs.donor_genotype is not None else None
    values, items, notes = contamination_values(reported, fits, estimate_settings, from_parental)
    if inputs.parental_is_other_individual:
        notes.insert(
            0, f"{inputs.sample} is not the same individual as {inputs.parental}: own reads used"
        )
    return findings(SPEC, inputs.sample, inputs.parental, values, items, notes)


def main(inputs, outputs, params) -> None:
    """Snakemake rule contamination_findings: one findings file per sample
    (``params.samples``, in the order of ``outputs.findings``)."""
    import pandas as pd

    from ipscqc.contract import write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.readers.vcf import read_cohort_genotypes, read_site_frequencies
    from ipscqc.relatedness import representatives

    settings = dict(params.settings)
    sheet = params.sheet
    genome = GenomeModel.of(**params.genome)
    cohort = read_cohort_genotypes(inputs.vcf)
    cohort = cohort.subset(genome.classes(cohort.chrom) == "autosome")
    population_af = None
    if params.sites_file:
        population_af = read_site_frequencies(inputs.sites, cohort.chrom, cohort.pos)
    pairs = pd.read_csv(inputs.pairs, sep="\t", keep_default_na=True)
    groups, chosen = representatives(pairs, cohort.samples, cohort.depth)
    donors = sorted({sheet[sample]["donor"] for sample in cohort.samples})

    def counts(sample):
        i = cohort.column(sample)
        other = None if cohort.other_depth is None else cohort.other_depth[:, i]
        return SampleCounts(cohort.ref_depth[:, i], cohort.alt_depth[:, i], cohort.gt[:, i], other)

    for sample, path in zip(params.samples, outputs.findings, strict=True):
        parental = sheet[sample]["parental"] or None
        same = bool(parental) and groups[parental] == groups[sample]
        sources = {
            other: cohort.gt[:, cohort.column(other)]
            for group, other in sorted(chosen.items())
            if group != groups[sample]
        }
        check_inputs = ContaminationInputs(
            sample,
            parental,
            counts(sample),
            cohort.gt[:, cohort.column(parental)] if same else None,
            sources,
            population_af=population_af,
            site_selection="population" if params.sites_file else "donor_variants",
            donors_in_site_list=len(donors),
            parental_is_other_individual=bool(parental) and not same,
        )
        result = analyse(check_inputs, settings)
        write_findings(path, result, SPEC)
