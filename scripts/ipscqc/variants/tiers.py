"""Tiers, catalogue matches and clonality of the classified alleles of a line.

Tiers: ``oncogenic_hotspot`` (a catalogue entry), ``likely_oncogenic`` (truncating in a
tumour suppressor, whatever its origin; protein-altering in a clonal haematopoiesis gene
unless the donor's germline carries it: germline missense variants of these genes are
common and benign, a clone's are its driver), ``cancer_gene_coding`` (other
protein-altering change in a cancer gene), ``other``. Positions are 1-based (VCF).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ipscqc.genome import GenomeModel

TIERS = ("oncogenic_hotspot", "likely_oncogenic", "cancer_gene_coding", "other")
FLAGGED_TIERS = ("oncogenic_hotspot", "likely_oncogenic")
# classes whose alt reads the line shows (clonality is given for them)
SEEN_CLASSES = ("germline", "donor_mosaic", "acquired", "uncertain", "unclassified", "lost")
GERMLINE_CLASSES = ("germline", "lost")


def copy_number_at(
    sites: pd.DataFrame, sex: str, genome: GenomeModel, segments: pd.DataFrame | None = None
) -> np.ndarray:
    """Copy number at each site: from copy-number segments (chrom, start, end,
    copy_number; 1-based closed) when given, else the genome model's normal copies for
    the line's sex (1 on chrX/chrY of a male), never below 1."""
    chrom = sites["chrom"].astype(str).to_numpy()
    copies = np.array([max(1, genome.baseline_copies(name, sex)[0]) for name in chrom], dtype=float)
    if segments is not None and len(segments):
        pos = sites["pos"].to_numpy()
        for segment in segments.itertuples(index=False):
            inside = (chrom == str(segment.chrom)) & (pos >= segment.start) & (pos <= segment.end)
            copies[inside] = float(segment.copy_number)
    return copies


def add_clonality(sites: pd.DataFrame, copies: np.ndarray, max_p: float) -> pd.DataFrame:
    """Cell fraction (one mutant copy of ``copies``) and a clonal/subclonal label:
    subclonal when the line's alt count is significantly below the clonal fraction."""
    out = sites.copy()
    copies = np.maximum(np.asarray(copies, dtype=float), 1.0)
    clonal_af = 1.0 / copies
    alt = out["line_alt"].to_numpy(np.int64)
    depth = out["line_depth"].to_numpy(np.int64)
    p_below = np.where(depth > 0, stats.binom.cdf(alt, depth, clonal_af), 1.0)
    out["copy_number"] = copies
    out["cell_fraction"] = np.minimum(1.0, out["line_af"].to_numpy(float) * copies)
    present = out["line_call"].eq("present") & out["class"].isin(SEEN_CLASSES)
    label = np.where(p_below < max_p, "subclonal", "clonal")
    out["clonality"] = np.where(present & (depth > 0), label, "")
    return out


def hotspot_matches(sites: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Catalogue entry (``GENE R273H``) and category matched by each site's annotation:
    the exact protein change, or any missense change at a residue-level entry."""
    change = sites["protein_change"].fillna("").str.removeprefix("p.")
    gene = sites["gene"].fillna("")
    exact = catalogue[catalogue["alt_aa"] != ""].set_index(["gene", "protein_change"])
    residue = catalogue[catalogue["alt_aa"] == ""]
    residue = residue.assign(key=residue["ref_aa"] + residue["residue"].astype(str))
    residue = residue.set_index(["gene", "key"])
    missense = sites["consequence"].fillna("").str.split("&").map(lambda t: "missense" in t)
    residue_key = change.str.extract(r"^([A-Z]\d+)[A-Z]$")[0].fillna("")
    names, categories = [], []
    for g, c, r, is_missense in zip(gene, change, residue_key, missense, strict=True):
        if (g, c) in exact.index:
            names.append(f"{g} {c}")
            categories.append(exact.loc[(g, c), "category"])
        elif is_missense and r and (g, r) in residue.index:
            names.append(f"{g} {r}")
            categories.append(residue.loc[(g, r), "category"])
        else:
            names.append("")
            categories.append("")
    return pd.DataFrame({"hotspot": names, "hotspot_category": categories}, index=sites.index)


def assign_tiers(sites: pd.DataFrame, cancer_genes: pd.DataFrame) -> np.ndarray:
    """Tier of every site from its hotspot match, gene role, consequence and (when the
    table has a ``class`` column) origin: a germline protein-altering variant of a
    clonal haematopoiesis gene is ``cancer_gene_coding``, not ``likely_oncogenic``."""
    roles = dict(zip(cancer_genes["gene"], cancer_genes["role"], strict=True))
    role = sites["gene"].fillna("").map(roles).fillna("").to_numpy()
    truncating = sites["truncating"].fillna(False).astype(bool).to_numpy()
    altering = sites["protein_altering"].fillna(False).astype(bool).to_numpy()
    hotspot = sites["hotspot"].fillna("").to_numpy() != ""
    germline = (
        sites["class"].isin(GERMLINE_CLASSES).to_numpy()
        if "class" in sites
        else np.zeros(len(sites), dtype=bool)
    )
    likely = ((role == "tumour_suppressor") & truncating) | (
        (role == "clonal_haematopoiesis") & altering & ~germline
    )
    coding = (role != "") & altering
    return np.select(
        [hotspot, likely, coding],
        ["oncogenic_hotspot", "likely_oncogenic", "cancer_gene_coding"],
        default="other",
    )
