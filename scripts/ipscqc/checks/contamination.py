"""Contamination: the fraction of DNA from another individual in a sample, by maximum
likelihood from allele counts at sites where the sample (or its parental, when it is
the same individual) is homozygous (scripts/ipscqc/contamination.py; docs/identity.md).
Autosomal sites only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import numpy as np

SPEC = load_spec(__file__)  # the declaration: contamination.yaml beside this module


@dataclass
class SampleCounts:
    """One sample's counts and genotypes at the identity sites."""

    ref: np.ndarray
    alt: np.ndarray
    gt: np.ndarray  # dosage 0/1/2, -1 missing

    @property
    def depth(self) -> np.ndarray:
        return self.ref + self.alt


@dataclass
class ContaminationInputs(SampleInputs):
    counts: SampleCounts
    parental_counts: SampleCounts | None  # the parental's, when it is the same individual
    sources: dict[str, np.ndarray]  # other individuals of the run: genotype dosages
    parental_is_other_individual: bool = False


def analyse(inputs: ContaminationInputs, settings: dict) -> Findings:
    """The contamination findings of one sample; ``settings`` is the config's
    ``contamination:``."""
    from ipscqc.contamination import contamination_metrics

    own, reference = inputs.counts, inputs.parental_counts
    notes = []
    if inputs.parental_is_other_individual:
        notes.append(
            f"{inputs.sample} is not the same individual as {inputs.parental}: own calls used"
        )
    values, items, more_notes = contamination_metrics(
        own.ref,
        own.alt,
        own.gt,
        own.depth,
        reference.gt if reference else None,
        reference.depth if reference else None,
        inputs.sources,
        min_depth=settings["min_depth"],
        min_sites=settings["min_sites"],
    )
    return findings(SPEC, inputs.sample, inputs.parental, values, items, notes + more_notes)


def main(inputs, outputs, params) -> None:
    """Snakemake rule contamination_findings: one findings file per sample
    (``params.samples``, in the order of ``outputs.findings``)."""
    import pandas as pd

    from ipscqc.contract import write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.readers.vcf import read_cohort_genotypes
    from ipscqc.relatedness import representatives

    settings = dict(params.settings)
    sheet = params.sheet
    genome = GenomeModel.of(**params.genome)
    cohort = read_cohort_genotypes(inputs.vcf)
    cohort = cohort.subset(genome.classes(cohort.chrom) == "autosome")
    pairs = pd.read_csv(inputs.pairs, sep="\t", keep_default_na=True)
    groups, chosen = representatives(pairs, cohort.samples, cohort.depth)

    def counts(sample):
        i = cohort.column(sample)
        return SampleCounts(cohort.ref_depth[:, i], cohort.alt_depth[:, i], cohort.gt[:, i])

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
            counts(parental) if same else None,
            sources,
            parental_is_other_individual=bool(parental) and not same,
        )
        result = analyse(check_inputs, settings)
        write_findings(path, result, SPEC)
