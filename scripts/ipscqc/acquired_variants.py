"""Acquired point mutations: a line's allele counts against its parental sample's.

Every candidate site (an allele with alt reads in the donor's joint pileup, or a
position of the hotspot catalogue genotyped by force) gets allele counts in the line
and in the parental sample, statistical tests, artefact filters, a class, a clonality
label and a tier:

- class: ``acquired`` (in the line, absent from the parental sample given its depth),
  ``inherited`` (in both), ``lost`` (heterozygous in the parental
  sample, homozygous in the line: loss of heterozygosity), ``uncertain`` (in the line,
  but the parental depth, the line-versus-parental test or an artefact filter leaves
  it open), ``unclassified`` (in the line, no parental sample: line-only mode),
  ``absent`` (neither sample shows it; kept only for hotspot positions, whose counts
  are reported even at zero alt reads).
- tier: ``oncogenic_hotspot``, ``likely_oncogenic`` (truncating in a tumour suppressor,
  protein-altering in a clonal haematopoiesis gene), ``cancer_gene_coding`` (other
  protein-altering change in a cancer gene), ``other``.

Statistics (all vectorised over sites, scipy.stats):
- line evidence: binomial test of the line's alt count against the sequencing error
  rate (``p_line_error``);
- parental evidence: the same test in the parental sample (``p_parental_error``), the
  chance of so few parental alt reads if the parental sample were heterozygous
  (``p_germline``) and the likelihood ratio of the parental counts under heterozygous
  against error-only (``germline_lr``), and either a binomial test of the parental alt
  count against the line's allele fraction (``p_parental_at_line_af``) or a one-sided
  Fisher exact test of line against parental counts (``p_fisher``);
- filters: strand bias (Fisher test on ADF/ADR), read-position and mapping-quality bias
  (bcftools' RPBZ/MQBZ Mann-Whitney Z scores).

Positions are 1-based (VCF).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .annotation import ANNOTATION_COLUMNS, annotate

CLASSES = ("acquired", "inherited", "lost", "uncertain", "unclassified", "absent")
TIERS = ("oncogenic_hotspot", "likely_oncogenic", "cancer_gene_coding", "other")
FLAGGED_TIERS = ("oncogenic_hotspot", "likely_oncogenic")
TABLE_COLUMNS = [
    "chrom",
    "pos",
    "ref",
    "alt",
    "gene",
    "transcript",
    "consequence",
    "protein_change",
    "line_alt",
    "line_ref",
    "line_depth",
    "line_af",
    "parental_alt",
    "parental_ref",
    "parental_depth",
    "parental_af",
    "p_line_error",
    "p_parental_error",
    "p_germline",
    "germline_lr",
    "p_parental_at_line_af",
    "p_fisher",
    "p_strand",
    "rpbz",
    "mqbz",
    "class",
    "clonality",
    "copy_number",
    "cell_fraction",
    "tier",
    "hotspot",
    "hotspot_category",
    "source",
    "filters",
]


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


# --- reading bcftools query tables ----------------------------------------------


def read_query_table(path: str | Path) -> pd.DataFrame:
    """A ``bcftools query -H`` table; header names lose their ``# [n]`` prefixes."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as handle:
        first = handle.readline()
    if not first.strip():
        return pd.DataFrame(columns=["CHROM", "POS", "REF", "ALT"], dtype=str)
    header = first.lstrip("#").rstrip("\n").split("\t")
    names = [name.strip().split("]", 1)[-1] for name in header]
    text_columns = {name: str for name in names if not name.endswith(("DP", "RPBZ", "MQBZ"))}
    return pd.read_csv(
        path,
        sep="\t",
        skiprows=1,
        header=None,
        names=names,
        dtype=text_columns,
        na_values=["."],
        keep_default_na=False,
    )


def _split_counts(column: pd.Series, width: int) -> np.ndarray:
    """Comma-separated per-allele counts ("12,3") as an int array (rows x width);
    missing values ('.') count 0. Parsed by pandas' C reader, not per row."""
    if len(column) == 0:
        return np.zeros((0, width), dtype=np.int64)
    text = "\n".join(column.fillna(".").astype(str).tolist())
    values = pd.read_csv(
        io.StringIO(text), header=None, names=range(width), na_values=["."], dtype=float
    )
    return values.fillna(0).to_numpy(dtype=np.int64)


def _number(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def sample_counts(table: pd.DataFrame, sample: str) -> pd.DataFrame:
    """Per-site counts of one sample from a biallelic (split) query table."""
    ad = _split_counts(table[f"{sample}:AD"], 2)
    adf = _split_counts(table[f"{sample}:ADF"], 2)
    adr = _split_counts(table[f"{sample}:ADR"], 2)
    depth = _number(table[f"{sample}:DP"]) if f"{sample}:DP" in table else ad.sum(axis=1)
    depth = np.maximum(np.nan_to_num(depth, nan=0).astype(np.int64), ad.sum(axis=1))
    return pd.DataFrame(
        {
            "ref": ad[:, 0],
            "alt": ad[:, 1],
            "depth": depth,
            "ref_fwd": adf[:, 0],
            "alt_fwd": adf[:, 1],
            "ref_rev": adr[:, 0],
            "alt_rev": adr[:, 1],
        },
        index=table.index,
    )


def candidate_sites(
    table: pd.DataFrame, line: str, parental: str | None, cancer_genes: set[str] | None = None
) -> pd.DataFrame:
    """Site table of one line (and its parental sample) from the donor's candidates."""
    sites = pd.DataFrame(
        {
            "chrom": table["CHROM"].astype(str),
            "pos": table["POS"].astype(np.int64),
            "ref": table["REF"].astype(str),
            "alt": table["ALT"].astype(str),
            "rpbz": _number(table["RPBZ"]) if "RPBZ" in table else np.nan,
            "mqbz": _number(table["MQBZ"]) if "MQBZ" in table else np.nan,
        }
    )
    sites = _with_counts(sites, sample_counts(table, line), _parental_counts(table, parental))
    bcsq = table["BCSQ"] if "BCSQ" in table else pd.Series("", index=table.index)
    sites = pd.concat([sites, annotate(bcsq, cancer_genes)], axis=1)
    sites["source"] = "candidate"
    return sites


def _parental_counts(table: pd.DataFrame, parental: str | None) -> pd.DataFrame | None:
    return sample_counts(table, parental) if parental else None


def _with_counts(
    sites: pd.DataFrame, line: pd.DataFrame, parental: pd.DataFrame | None
) -> pd.DataFrame:
    sites = sites.copy()
    for name in line.columns:
        sites[f"line_{name}"] = line[name].to_numpy()
    for name in ("ref", "alt", "depth"):
        sites[f"parental_{name}"] = parental[name].to_numpy() if parental is not None else 0
    return sites


def hotspot_sites(
    pileup: pd.DataFrame, alleles: pd.DataFrame, line: str, parental: str | None
) -> pd.DataFrame:
    """Forced-genotyping rows: every allele of the mapped catalogue with the line's and
    the parental counts at its position (zero alt reads when the allele was not seen)."""
    snv = pileup[pileup["REF"].str.len() == 1]
    snv = snv.drop_duplicates(["CHROM", "POS"]).set_index(["CHROM", "POS"])
    rows = []
    for allele in alleles.itertuples(index=False):
        key = (str(allele.chrom), str(allele.pos))
        record = snv.loc[key] if key in snv.index else None
        counts = {}
        for role, sample in (("line", line), ("parental", parental)):
            counts[role] = _allele_counts(record, sample, allele.alt)
        rows.append(
            {
                "chrom": str(allele.chrom),
                "pos": int(allele.pos),
                "ref": allele.ref,
                "alt": allele.alt,
                "rpbz": np.nan,
                "mqbz": np.nan,
                **{f"line_{name}": value for name, value in counts["line"].items()},
                **{
                    f"parental_{name}": counts["parental"][name] for name in ("ref", "alt", "depth")
                },
                "gene": allele.gene,
                "transcript": allele.transcript,
                "consequence": "stop_gained"
                if allele.variant_protein_change.endswith("*")
                else "missense",
                "protein_change": f"p.{allele.variant_protein_change}",
                "protein_position": int(allele.variant_protein_change[1:-1]),
                "truncating": allele.variant_protein_change.endswith("*"),
                "protein_altering": True,
                "source": "hotspot_genotyping",
            }
        )
    return pd.DataFrame(rows)


def _allele_counts(record: pd.Series | None, sample: str | None, alt: str) -> dict:
    zero = dict.fromkeys(("ref", "alt", "depth", "ref_fwd", "alt_fwd", "ref_rev", "alt_rev"), 0)
    if record is None or not sample or f"{sample}:AD" not in record.index:
        return zero

    def values(tag: str) -> list[int]:
        text = str(record.get(f"{sample}:{tag}", "."))
        return [int(x) if x.isdigit() else 0 for x in text.split(",")]

    alts = str(record["ALT"]).split(",")
    index = alts.index(alt) + 1 if alt in alts else None
    ad, adf, adr = values("AD"), values("ADF"), values("ADR")

    def pick(counts: list[int], i: int | None) -> int:
        return counts[i] if i is not None and i < len(counts) else 0

    depth = pd.to_numeric(record.get(f"{sample}:DP"), errors="coerce")
    depth = 0 if pd.isna(depth) else int(depth)
    return {
        "ref": pick(ad, 0),
        "alt": pick(ad, index),
        "depth": max(depth, sum(ad)),
        "ref_fwd": pick(adf, 0),
        "alt_fwd": pick(adf, index),
        "ref_rev": pick(adr, 0),
        "alt_rev": pick(adr, index),
    }


def merge_hotspots(candidates: pd.DataFrame, forced: pd.DataFrame) -> pd.DataFrame:
    """Candidates plus the forced hotspot rows not already among them (same allele).
    A candidate that is a catalogue allele takes the catalogue's annotation (its
    transcript and protein numbering), whatever transcript csq found most severe."""
    if forced.empty:
        return candidates.reset_index(drop=True)
    key = ["chrom", "pos", "ref", "alt"]
    merged = candidates.reset_index(drop=True)
    forced_by_key = forced.drop_duplicates(key).set_index(key)
    candidate_keys = pd.MultiIndex.from_frame(merged[key])
    seen = candidate_keys.isin(forced_by_key.index)
    if seen.any():
        catalogue = forced_by_key.loc[candidate_keys[seen], ANNOTATION_COLUMNS]
        for column in ANNOTATION_COLUMNS:
            merged[column] = merged[column].astype(object)
            merged.loc[seen, column] = catalogue[column].to_numpy()
    extra = forced[~forced.set_index(key).index.isin(candidate_keys)]
    if len(extra):
        merged = pd.concat([merged, extra], ignore_index=True)
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


def normalise_allele(chrom: str, pos: int, ref: str, alt: str, fetch) -> tuple[str, int, str, str]:
    """Trim and left-align one allele as ``bcftools norm`` does (Tan et al. 2015), so that
    an indel written at another place of a repeat compares equal. ``fetch(chrom, start,
    end)`` returns reference bases of a 0-based half-open interval; pos is 1-based."""
    while True:
        changed = False
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt, changed = ref[:-1], alt[:-1], True
        if (not ref or not alt) and pos > 1:
            base = fetch(chrom, pos - 2, pos - 1).upper()
            ref, alt, pos, changed = base + ref, base + alt, pos - 1, True
        if not changed:
            break
    while len(ref) >= 2 and len(alt) >= 2 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return chrom, pos, ref, alt


# --- statistics -------------------------------------------------------------------


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


# --- clonality ----------------------------------------------------------------------


def copy_number_at(
    sites: pd.DataFrame, sex: str, segments: pd.DataFrame | None = None
) -> np.ndarray:
    """Copy number at each site: from copy-number segments (chrom, start, end,
    copy_number; 1-based closed) when given, else 2 (1 on chrX/chrY of a male)."""
    chrom = sites["chrom"].astype(str).to_numpy()
    bare = np.char.lower(np.char.replace(chrom.astype(str), "chr", ""))
    copies = np.full(len(sites), 2.0)
    if sex == "male":
        copies[np.isin(bare, ["x", "y"])] = 1.0
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


# --- tiers --------------------------------------------------------------------------


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


# --- limit of detection -------------------------------------------------------------


def min_detectable_af(
    depth: float | np.ndarray,
    error_rate: float,
    min_alt_reads: int,
    max_p: float,
    min_af: float = 0.0,
    power: float = 0.8,
) -> np.ndarray:
    """Smallest allele fraction detected with probability ``power`` at a depth, given
    the line test (alt count >= min_alt_reads, binomial p against the error rate below
    max_p, fraction >= min_af). NaN where depth is 0 or no fraction up to 1 suffices."""
    depths = np.atleast_1d(np.asarray(depth, dtype=float)).round().astype(np.int64)
    grid = np.arange(0.001, 1.0005, 0.001)
    result = np.full(len(depths), np.nan)
    for i, n in enumerate(depths):
        if n <= 0:
            continue
        k = np.arange(0, n + 1)
        passing = (k >= min_alt_reads) & (binomial_sf(k, np.full_like(k, n), error_rate) < max_p)
        passing &= k / n >= min_af
        if not passing.any():
            continue
        k_min = int(k[passing][0])
        detected = stats.binom.sf(k_min - 1, n, grid) >= power
        if detected.any():
            result[i] = float(grid[detected][0])
    return result


# --- the whole check ----------------------------------------------------------------


def median_depth_from_dist(path: str | Path) -> tuple[float | None, dict[int, float]]:
    """Median depth and the cumulative fractions by depth of mosdepth's global
    distribution (``total`` rows: depth, fraction of bases at >= depth)."""
    table = pd.read_csv(path, sep="\t", header=None, names=["region", "depth", "fraction"])
    total = table[table["region"] == "total"]
    if total.empty:
        return None, {}
    cumulative = dict(zip(total["depth"].astype(int), total["fraction"].astype(float), strict=True))
    at_least_half = [depth for depth, fraction in cumulative.items() if fraction >= 0.5]
    return (float(max(at_least_half)) if at_least_half else 0.0), cumulative


def samtools_error_rate(path: str | Path) -> float | None:
    """The ``error rate`` of ``samtools stats`` (mismatches / bases mapped)."""
    with open(path) as handle:
        for line in handle:
            if line.startswith("SN\terror rate:"):
                return float(line.split("\t")[2])
    return None


@dataclass
class LineInputs:
    line: str
    parental: str | None
    sex: str
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


def site_table(inputs: LineInputs, th: Thresholds) -> pd.DataFrame:
    """Every site of one line, classified, with clonality and tier."""
    genes = set(inputs.cancer_genes["gene"])
    candidates = candidate_sites(inputs.candidates, inputs.line, inputs.parental, genes)
    forced = hotspot_sites(
        inputs.hotspot_pileup, inputs.hotspot_alleles, inputs.line, inputs.parental
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
    copies = copy_number_at(sites, inputs.sex, inputs.copy_number_segments)
    sites = add_clonality(sites, copies, th.clonal_max_p)
    sites["tier"] = assign_tiers(sites, inputs.cancer_genes)
    if not inputs.parental:
        for column in ("parental_alt", "parental_ref", "parental_depth"):
            sites[column] = pd.NA
    return sites.reindex(columns=TABLE_COLUMNS)


def hotspot_results(
    sites: pd.DataFrame, entries: pd.DataFrame, th: Thresholds, error_rate: float
) -> pd.DataFrame:
    """One row per catalogue entry: its best allele in the line (most alt reads), the
    codon depth, whether it was detected, and the fraction that could have been missed."""
    rows = []
    hotspot_rows = sites[sites["hotspot"] != ""]
    by_entry = {name: group for name, group in hotspot_rows.groupby("hotspot")}
    for entry in entries.itertuples(index=False):
        name = f"{entry.gene} {entry.protein_change}"
        row = {
            "kind": "hotspot",
            "hotspot": name,
            "gene": entry.gene,
            "hotspot_category": entry.category,
            "status": entry.status,
            "chrom": entry.chrom or None,
            "pos": None,
            "ref": None,
            "alt": None,
            "protein_change": None,
            "line_alt": None,
            "line_depth": None,
            "line_af": None,
            "parental_alt": None,
            "parental_depth": None,
            "parental_af": None,
            "p_line_error": None,
            "class": None,
            "tier": "oncogenic_hotspot",
            "detected": None,
            "undercovered": None,
            "min_detectable_af": None,
        }
        group = by_entry.get(name)
        if entry.status == "mapped" and group is not None and len(group):
            best = group.sort_values(["line_alt", "line_depth"], ascending=False).iloc[0]
            depth = int(group["line_depth"].max())
            row.update(
                pos=int(best["pos"]),
                ref=best["ref"],
                alt=best["alt"],
                protein_change=best["protein_change"],
                line_alt=int(best["line_alt"]),
                line_depth=int(best["line_depth"]),
                line_af=_none_if_nan(best["line_af"]),
                parental_alt=_int_or_none(best["parental_alt"]),
                parental_depth=_int_or_none(best["parental_depth"]),
                parental_af=_none_if_nan(best["parental_af"]),
                p_line_error=_none_if_nan(best["p_line_error"]),
                **{"class": best["class"]},
                detected=bool(best["class"] in ("acquired", "uncertain", "unclassified")),
                undercovered=bool(depth < th.hotspot_min_depth),
                min_detectable_af=_none_if_nan(
                    min_detectable_af(
                        depth,
                        error_rate,
                        th.hotspot_min_alt_reads,
                        th.hotspot_max_p_line,
                        th.min_af,
                        th.detection_power,
                    )[0]
                ),
            )
            if best["class"] in ("inherited", "lost"):
                row["detected"] = False
        elif entry.status == "mapped":
            row.update(detected=False, undercovered=True, line_depth=0)
        rows.append(row)
    return pd.DataFrame(rows)


def _none_if_nan(value):
    return None if value is None or pd.isna(value) else float(value)


def _int_or_none(value):
    return None if value is None or pd.isna(value) else int(value)


def variant_item(row: pd.Series) -> dict:
    """A findings item for one site (flat, numbers as numbers, unknown as null)."""
    item = {"kind": "variant"}
    for column in TABLE_COLUMNS:
        value = row[column]
        if value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value)):
            value = None
        item[column] = value
    return item


def summarise(
    sites: pd.DataFrame, hotspots: pd.DataFrame, inputs: LineInputs, th: Thresholds, max_items: int
) -> dict:
    """Metrics, adequacy, items and notes of the findings document."""
    paired = bool(inputs.parental)
    classes = sites["class"]
    tiers = sites["tier"]
    acquired = classes == "acquired"
    mapped = hotspots[hotspots["status"] == "mapped"] if len(hotspots) else hotspots
    e_line = inputs.line_error_rate if inputs.line_error_rate is not None else th.error_rate
    detected_hotspots = mapped[mapped["detected"] == True] if len(mapped) else mapped  # noqa: E712
    present = sites[classes.isin(["acquired", "uncertain", "unclassified", "inherited", "lost"])]

    def count(mask) -> int | None:
        return int(mask.sum())

    def paired_count(mask) -> int | None:
        return count(mask) if paired else None

    acquired_tiers = tiers[acquired]
    worst = next((tier for tier in TIERS if (acquired_tiers == tier).any()), None)
    if worst is None and paired:
        worst = "none"
    mda = min_detectable_af(
        inputs.line_median_depth or 0,
        e_line,
        th.min_alt_reads,
        th.max_p_line,
        th.min_af,
        th.detection_power,
    )[0]
    metrics = {
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
        "worst_acquired_tier": worst,
        "uncertain_count": paired_count(classes == "uncertain"),
        "uncertain_flagged_count": paired_count(
            (classes == "uncertain") & tiers.isin(FLAGGED_TIERS)
        ),
        "unclassified_count": None if paired else count(classes == "unclassified"),
        "unclassified_flagged_count": None
        if paired
        else count((classes == "unclassified") & tiers.isin(FLAGGED_TIERS)),
        "inherited_count": paired_count(classes == "inherited"),
        "lost_count": paired_count(classes == "lost"),
        "hotspots_in_catalogue": int(len(hotspots)),
        "hotspots_checked": int(len(mapped)),
        "hotspots_unmapped": int(len(hotspots) - len(mapped)),
        "hotspots_undercovered": int(mapped["undercovered"].fillna(True).astype(bool).sum())
        if len(mapped)
        else 0,
        "hotspots_detected": int(len(detected_hotspots)),
        "max_hotspot_af": (
            float(detected_hotspots["line_af"].max()) if len(detected_hotspots) else 0.0
        )
        if len(mapped)
        else None,
        "min_detectable_af": _none_if_nan(mda),
        "line_error_rate": e_line,
    }
    adequacy = {
        "median_depth": inputs.line_median_depth,
        "parental_median_depth": inputs.parental_median_depth if paired else None,
        "callable_fraction": inputs.line_callable_fraction,
        "parental_callable_fraction": inputs.parental_callable_fraction if paired else None,
        "median_depth_at_sites": _none_if_nan(present["line_depth"].median())
        if len(present)
        else None,
        "parental_median_depth_at_sites": _none_if_nan(
            pd.to_numeric(present["parental_depth"], errors="coerce").median()
        )
        if paired and len(present)
        else None,
        "hotspots_checked": metrics["hotspots_checked"],
    }
    flagged = sites[
        acquired | (classes.isin(["uncertain", "unclassified"]) & tiers.isin(TIERS[:3]))
    ]
    order = {tier: rank for rank, tier in enumerate(TIERS)}
    flagged = flagged.assign(_rank=flagged["tier"].map(order)).sort_values(
        ["_rank", "line_af"], ascending=[True, False]
    )
    items = [variant_item(row) for _, row in flagged.head(max_items).iterrows()]
    # every catalogue entry placed on this genome (the unplaced ones are a note below)
    items += [{k: _clean(v) for k, v in row.items()} for row in mapped.to_dict("records")]
    notes = []
    if not paired:
        notes.append(
            "Line-only mode: no parental sample, so no variant can be called acquired or "
            "inherited; every variant seen is 'unclassified' and the evidence is weaker. "
            "Hotspots and cancer-gene variants are still flagged."
        )
    if len(flagged) > max_items:
        notes.append(
            f"{len(flagged)} variants qualify as items; the {max_items} most severe are "
            "listed here, all are in acquired_variants.tsv."
        )
    unmapped = hotspots[hotspots["status"] != "mapped"] if len(hotspots) else hotspots
    if len(unmapped):
        listed = ", ".join(
            f"{h} ({s})" for h, s in zip(unmapped["hotspot"], unmapped["status"], strict=True)
        )
        notes.append(f"Hotspots not checked on this genome: {listed}.")
    if metrics["hotspots_undercovered"]:
        notes.append(
            f"{metrics['hotspots_undercovered']} hotspot position(s) have line depth below "
            f"{th.hotspot_min_depth}; a subclonal mutation there could be missed (see each "
            "hotspot's min_detectable_af)."
        )
    if metrics["min_detectable_af"] is not None:
        notes.append(
            f"At the line's median depth ({inputs.line_median_depth:g}x) a variant is "
            f"detected with {th.detection_power:.0%} probability from an allele fraction of "
            f"{metrics['min_detectable_af']:.3f}; lower fractions can be missed."
        )
    return {"metrics": metrics, "adequacy": adequacy, "items": items, "notes": notes}


def _clean(value):
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_table(sites: pd.DataFrame, path: str | Path) -> None:
    """The per-line table, every number, tab-separated, fixed column order."""
    sites.reindex(columns=TABLE_COLUMNS).to_csv(
        path, sep="\t", index=False, na_rep="NA", float_format="%.6g"
    )


def parameters(th: Thresholds) -> dict:
    return asdict(th)
