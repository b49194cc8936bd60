"""Statistics of the acquired-variant check: allele fractions, tests of the line and of
the parental against error and germline, artefact filters, the class of each site,
clonality and tier.

Classes: ``acquired`` (in the line, absent from the parental sample given its depth),
``inherited`` (in both), ``lost`` (heterozygous in the parental sample, homozygous in
the line: loss of heterozygosity), ``uncertain`` (in the line, but the parental depth,
the line-versus-parental test or an artefact filter leaves it open), ``unclassified``
(in the line, no parental sample: line-only mode), ``absent`` (neither sample shows it;
kept only for hotspot positions, whose counts are reported even at zero alt reads).

Tiers: ``oncogenic_hotspot``, ``likely_oncogenic`` (truncating in a tumour suppressor,
protein-altering in a clonal haematopoiesis gene), ``cancer_gene_coding`` (other
protein-altering change in a cancer gene), ``other``.

Statistics (vectorised over sites, scipy.stats): the line's alt count against the
sequencing error rate (``p_line_error``); the parental's against error
(``p_parental_error``), the chance of so few parental alt reads if the parental were
heterozygous (``p_germline``), the likelihood ratio heterozygous / error-only
(``germline_lr``), and either a binomial test of the parental alt count against the
line's allele fraction (``p_parental_at_line_af``) or a one-sided Fisher exact test of
line against parental counts (``p_fisher``); filters: strand bias (Fisher on ADF/ADR),
read-position and mapping-quality bias (bcftools' RPBZ/MQBZ Z scores).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import stats

from ipscqc.genome import GenomeModel

TIERS = ("oncogenic_hotspot", "likely_oncogenic", "cancer_gene_coding", "other")
FLAGGED_TIERS = ("oncogenic_hotspot", "likely_oncogenic")


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds (config ``variants:``; see schemas/config.schema.yaml)."""

    error_rate: float = 0.002
    min_alt_reads: int = 3
    min_af: float = 0.02
    max_p_line: float = 1e-6
    hotspot_min_alt_reads: int = 2
    hotspot_max_p_line: float = 1e-3
    min_depth: int = 10
    min_parental_depth: int = 10
    parental_min_alt_reads: int = 2
    parental_max_p_present: float = 0.01
    max_germline_lr: float = 1e-3
    parental_test: str = "binomial"
    max_p_parental: float = 0.05
    lost_min_shift: float = 0.3
    lost_max_p: float = 1e-3
    min_p_strand: float = 1e-3
    max_abs_rpbz: float = 5.0
    min_mqbz: float = -5.0
    clonal_max_p: float = 0.01
    hotspot_min_depth: int = 20
    detection_power: float = 0.8

    @classmethod
    def from_config(cls, block: dict) -> Thresholds:
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in block.items() if key in known})


def binomial_sf(k: np.ndarray, n: np.ndarray, p: float | np.ndarray) -> np.ndarray:
    """P(X >= k) for X ~ Binomial(n, p); 1 where k <= 0."""
    k, n = np.asarray(k), np.asarray(n)
    return np.where(k <= 0, 1.0, stats.binom.sf(k - 1, n, p))


def fisher_greater(a, b, c, d) -> np.ndarray:
    """One-sided Fisher exact p of [[a, b], [c, d]] (a larger than expected)."""
    a, b, c, d = (np.asarray(x, dtype=np.int64) for x in (a, b, c, d))
    total = a + b + c + d
    p = stats.hypergeom.sf(a - 1, total, a + c, a + b)
    return np.where(total == 0, 1.0, np.clip(p, 0.0, 1.0))


def fisher_two_sided(a, b, c, d) -> np.ndarray:
    """Two-sided Fisher p as twice the smaller one-sided p (capped at 1)."""
    a, b, c, d = (np.asarray(x, dtype=np.int64) for x in (a, b, c, d))
    total = a + b + c + d
    greater = stats.hypergeom.sf(a - 1, total, a + c, a + b)
    less = stats.hypergeom.cdf(a, total, a + c, a + b)
    return np.where(total == 0, 1.0, np.clip(2 * np.minimum(greater, less), 0.0, 1.0))


def _fraction(alt: np.ndarray, depth: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(depth > 0, alt / np.maximum(depth, 1), np.nan)


def classify(
    sites: pd.DataFrame,
    thresholds: Thresholds,
    paired: bool,
    line_error_rate: float | None = None,
    parental_error_rate: float | None = None,
) -> pd.DataFrame:
    """Add allele fractions, p-values, failed filters and the class of every site."""
    th = thresholds
    e_line = line_error_rate if line_error_rate is not None else th.error_rate
    e_parental = parental_error_rate if parental_error_rate is not None else th.error_rate
    out = sites.copy()
    line_alt = out["line_alt"].to_numpy(np.int64)
    line_depth = out["line_depth"].to_numpy(np.int64)
    par_alt = out["parental_alt"].to_numpy(np.int64)
    par_depth = out["parental_depth"].to_numpy(np.int64)
    hotspot = out.get("hotspot", pd.Series("", index=out.index)).fillna("").astype(str) != ""
    hotspot = hotspot.to_numpy()

    line_af = _fraction(line_alt, line_depth)
    par_af = _fraction(par_alt, par_depth)
    out["line_af"] = line_af
    out["parental_af"] = par_af if paired else np.nan
    out["p_line_error"] = binomial_sf(line_alt, line_depth, e_line)
    out["p_strand"] = fisher_two_sided(
        out["line_ref_fwd"], out["line_ref_rev"], out["line_alt_fwd"], out["line_alt_rev"]
    )

    failed = {
        "low_line_depth": line_depth < th.min_depth,
        "strand_bias": out["p_strand"].to_numpy() < th.min_p_strand,
        "read_position_bias": np.abs(np.nan_to_num(out["rpbz"].to_numpy(float))) > th.max_abs_rpbz,
        "mapping_quality_bias": np.nan_to_num(out["mqbz"].to_numpy(float)) < th.min_mqbz,
    }
    min_alt = np.where(hotspot, th.hotspot_min_alt_reads, th.min_alt_reads)
    max_p = np.where(hotspot, th.hotspot_max_p_line, th.max_p_line)
    line_present = (
        (line_alt >= min_alt)
        & (np.nan_to_num(line_af) >= th.min_af)
        & (out["p_line_error"].to_numpy() < max_p)
    )
    artefact = failed["strand_bias"] | failed["read_position_bias"] | failed["mapping_quality_bias"]

    if not paired:
        for column in (
            "p_parental_error",
            "p_germline",
            "germline_lr",
            "p_parental_at_line_af",
            "p_fisher",
        ):
            out[column] = np.nan
        out["class"] = np.where(line_present, "unclassified", "absent")
        out["filters"] = _filter_names(failed, line_present)
        return out

    out["p_parental_error"] = binomial_sf(par_alt, par_depth, e_parental)
    out["p_germline"] = np.where(par_depth > 0, stats.binom.cdf(par_alt, par_depth, 0.5), 1.0)
    # heterozygous against error-only (one specific wrong base: e / 3), in the parental
    out["germline_lr"] = np.exp(
        stats.binom.logpmf(par_alt, par_depth, 0.5)
        - stats.binom.logpmf(par_alt, par_depth, e_parental / 3)
    )
    out["p_parental_at_line_af"] = np.where(
        (par_depth > 0) & (line_depth > 0),
        stats.binom.cdf(par_alt, par_depth, np.nan_to_num(line_af)),
        1.0,
    )
    out["p_fisher"] = fisher_greater(line_alt, line_depth - line_alt, par_alt, par_depth - par_alt)

    par_present = (par_alt >= th.parental_min_alt_reads) & (
        out["p_parental_error"].to_numpy() < th.parental_max_p_present
    )
    parental_test = out["p_fisher" if th.parental_test == "fisher" else "p_parental_at_line_af"]
    failed["low_parental_depth"] = par_depth < th.min_parental_depth
    failed["parental_could_be_heterozygous"] = out["germline_lr"].to_numpy() > th.max_germline_lr
    failed["parental_not_excluded"] = parental_test.to_numpy() >= th.max_p_parental

    # loss of heterozygosity: heterozygous parental, line far from 0.5
    par_het = (
        par_present
        & (par_depth >= th.min_parental_depth)
        & (np.abs(np.nan_to_num(par_af, nan=0.0) - 0.5) < th.lost_min_shift)
        & (two_sided_half(par_alt, par_depth) > th.lost_max_p)
    )
    line_shift = np.abs(np.nan_to_num(line_af, nan=0.5) - 0.5) >= th.lost_min_shift
    lost = (
        par_het
        & (line_depth >= th.min_depth)
        & line_shift
        & (two_sided_half(line_alt, line_depth) < th.lost_max_p)
    )
    acquired = (
        line_present
        & ~par_present
        & ~failed["low_parental_depth"]
        & ~failed["parental_could_be_heterozygous"]
        & ~failed["parental_not_excluded"]
        & ~failed["low_line_depth"]
        & ~artefact
    )
    out["class"] = np.select(
        [lost, par_present & line_present, acquired, line_present & ~par_present],
        ["lost", "inherited", "acquired", "uncertain"],
        default="absent",
    )
    shown = line_present & ~par_present
    out["filters"] = _filter_names(failed, shown)
    return out


def two_sided_half(alt: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Two-sided binomial p of alt reads against a fraction of 0.5 (exact by symmetry)."""
    alt, depth = np.asarray(alt), np.asarray(depth)
    lower = stats.binom.cdf(alt, depth, 0.5)
    upper = stats.binom.sf(alt - 1, depth, 0.5)
    return np.where(depth > 0, np.clip(2 * np.minimum(lower, upper), 0.0, 1.0), 1.0)


def _filter_names(failed: dict[str, np.ndarray], shown: np.ndarray) -> np.ndarray:
    """Semicolon-joined names of the failed filters, on the sites where they matter."""
    names = np.full(len(shown), "", dtype=object)
    for name, mask in failed.items():
        mask = np.asarray(mask) & shown
        names[mask] = [f"{current};{name}" if current else name for current in names[mask]]
    return names


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
    present = out["class"].isin(["acquired", "uncertain", "unclassified", "inherited"])
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
    """Tier of every site from its hotspot match, gene role and consequence."""
    roles = dict(zip(cancer_genes["gene"], cancer_genes["role"], strict=True))
    role = sites["gene"].fillna("").map(roles).fillna("").to_numpy()
    truncating = sites["truncating"].fillna(False).astype(bool).to_numpy()
    altering = sites["protein_altering"].fillna(False).astype(bool).to_numpy()
    hotspot = sites["hotspot"].fillna("").to_numpy() != ""
    likely = ((role == "tumour_suppressor") & truncating) | (
        (role == "clonal_haematopoiesis") & altering
    )
    coding = (role != "") & altering
    return np.select(
        [hotspot, likely, coding],
        ["oncogenic_hotspot", "likely_oncogenic", "cancer_gene_coding"],
        default="other",
    )
