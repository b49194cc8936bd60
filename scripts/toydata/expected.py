"""Expected values of the planted truth, computed from the populations' fractions and
copy counts rather than typed in: allele fractions, population fractions, log2 ratios
and B-allele fractions. Positions are 0-based (``pos0``) unless named ``pos``.
"""

from __future__ import annotations

import math

from .design import CLONE_FRACTIONS, AcquiredVariant, CopyNumberEvent, SampleDesign, donor_of
from .genes import GeneModel


def expected_af(sample: SampleDesign, variant: AcquiredVariant) -> float:
    donor = donor_of(sample.genotype_donor)
    a = variant.allele
    alt = total = 0.0
    for pop in sample.populations:
        for hap in donor.haplotypes(a.chrom):
            n = pop.copies(donor, a.chrom, hap, a.pos0) * pop.fraction
            total += n
            if hap == variant.haplotype and variant in pop.variants:
                alt += n
    return alt / total


def population_fraction(sample: SampleDesign, variant: AcquiredVariant) -> float:
    return sum(p.fraction for p in sample.populations if variant in p.variants)


def expected_copy_state(sample: SampleDesign, chrom: str, pos: int) -> tuple[float, float]:
    """(log2 ratio versus a normal diploid/haploid genome, major haplotype fraction)."""
    donor = donor_of(sample.genotype_donor)
    haps = donor.haplotypes(chrom)
    per_hap = {
        h: sum(p.fraction * p.copies(donor, chrom, h, pos) for p in sample.populations)
        for h in haps
    }
    total = sum(per_hap.values())
    return math.log2(total / len(haps)), max(per_hap.values()) / total


def event_truth(sample: SampleDesign, event: CopyNumberEvent, genes: list[GeneModel]) -> dict:
    mid = (event.start + event.end) // 2
    log2, baf_major = expected_copy_state(sample, event.chrom, mid)
    copy_number = {"gain": 3, "loss": 1, "cnloh": 2}[event.kind]
    return {
        "sample": event.sample,
        "id": event.key,
        "chrom": event.chrom,
        "start": event.start,
        "end": event.end,
        "length": event.end - event.start,
        "type": event.kind,
        "band": event.band,
        "copy_number": copy_number,
        "mosaic_fraction": CLONE_FRACTIONS[event.clone],
        "clone": event.clone,
        "whole_chromosome": event.whole_chromosome,
        "haplotype_changes": [
            {"haplotype": c.haplotype, "copies": c.copies} for c in event.changes
        ],
        "genes": [
            g.name
            for g in genes
            if g.chrom == event.chrom and g.start < event.end and g.end > event.start
        ],
        "expected_log2_ratio": round(log2, 4) + 0.0,
        "expected_baf_major": round(baf_major, 4),
        "expected_baf_shift": round(baf_major - 0.5, 4),
    }


def describe_populations(sample: SampleDesign, events: list[CopyNumberEvent]) -> None:
    for pop in sample.populations:
        if pop.clones == ["germline"] or pop.donor:
            continue
        carried = [e.key for e in events if e.clone in pop.clones]
        carried += [v.key for v in pop.variants]
        pop.description = (
            f"{pop.fraction:.0%} of cells; clones {'+'.join(pop.clones)}; carries "
            + ", ".join(carried)
        )
