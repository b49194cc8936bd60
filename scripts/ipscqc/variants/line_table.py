"""The site table of one line before its classification: every candidate allele of the
donor's joint pileup and every catalogue allele genotyped by force, with the line's and
the parental's counts, the annotation, the catalogue match, whether the allele is
targeted (a catalogue allele or protein-altering in a cancer gene: the lenient
donor-mosaic bar) and the lowest germline fraction of the parental (1.0 on the
single X or Y of a male). Positions are 1-based (VCF)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipscqc.genome import GenomeModel

from .sites import candidate_sites, hotspot_sites, merge_hotspots
from .tiers import hotspot_matches


def line_sites(
    candidates: pd.DataFrame,
    hotspot_pileup: pd.DataFrame,
    hotspot_alleles: pd.DataFrame,
    catalogue: pd.DataFrame,
    cancer_genes: pd.DataFrame,
    line: str,
    parental: str | None,
    sex: str,
    genome: GenomeModel,
) -> pd.DataFrame:
    """One line's unclassified site table (``bcftools query`` tables of the donor's
    candidates and hotspot pileup, map_hotspots' alleles, the catalogue and the cancer
    gene list); ``parental`` None in line-only mode (parental counts 0)."""
    genes = set(cancer_genes["gene"])
    found = candidate_sites(candidates, line, parental, genes)
    forced = hotspot_sites(hotspot_pileup, hotspot_alleles, line, parental)
    sites = merge_hotspots(found, forced)
    sites = pd.concat(
        [
            sites.drop(columns=["hotspot", "hotspot_category"], errors="ignore"),
            hotspot_matches(sites, catalogue),
        ],
        axis=1,
    )
    altering = sites["protein_altering"].fillna(False).astype(bool)
    sites["targeted"] = (sites["hotspot"] != "") | (sites["gene"].isin(genes) & altering)
    copies = np.array(
        [max(1, genome.baseline_copies(str(name), sex)[0]) for name in sites["chrom"]],
        dtype=float,
    )
    sites["parental_germline_af"] = np.where(copies == 1, 1.0, np.nan)
    return sites


def usable_for_overdispersion(sites: pd.DataFrame, segments: pd.DataFrame | None) -> np.ndarray:
    """Sites outside the line's copy-number events (segments: chrom, start, end 1-based
    closed, type; every type but ``normal`` is an event), or every site without segments:
    allele fractions inside a gain or an LOH are not heterozygous ones."""
    usable = np.ones(len(sites), dtype=bool)
    if segments is None or not len(segments) or "type" not in segments:
        return usable
    chrom = sites["chrom"].astype(str).to_numpy()
    pos = sites["pos"].to_numpy()
    for segment in segments[segments["type"] != "normal"].itertuples(index=False):
        inside = (chrom == str(segment.chrom)) & (pos >= segment.start) & (pos <= segment.end)
        usable[inside] = False
    return usable
