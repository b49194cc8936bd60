"""Artefact rules that work at low allele fractions (3-10 alt reads): strand, read
position and mapping quality, a panel of normals, and recurrence across a donor's
independent lines.

- Strand: the alt reads of a real variant split between the strands as the site's ref
  reads do. Two rules: a Fisher exact test of alt against ref reads by strand
  (``strand_bias``, for many reads), and ``alt_on_one_strand``:
  alt reads on both strands are required when the expected count on the weaker strand,
  alt reads x the smaller strand fraction of all the site's reads, is at least
  ``strand_min_expected``. At 3-10 alt reads no test reaches a small p, but a variant
  with all its reads on one strand is then rare: 2 x 0.5^k of real variants (25% at 3
  reads, 6% at 5) are lost, and the detection limit counts that loss. Amplicon data, whose
  ref reads are all on one strand, expect nothing on the other and are never flagged.
- Panel of normals: an allele that unrelated samples of the run (other donors) or a
  user panel of normals carry is a systematic artefact or a population variant.
- Recurrence: the same allele new in two or more independent lines of one donor is
  much more likely a parental mosaic or an artefact than two independent mutations;
  the parental's and the other lines' counts are pooled to test it.

Sites are 1-based (chrom, pos, ref, alt as bcftools norm writes them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .settings import VariantSettings

# the rules by what they say about the alt reads
READ_ARTEFACTS = ("strand_bias", "alt_on_one_strand", "read_position_bias", "mapping_quality_bias")
PANEL_ARTEFACTS = ("panel_of_normals", "user_panel_of_normals")
ORIGIN_DOUBTS = ("recurrent_in_lines", "low_level_in_donor")
ARTEFACTS = READ_ARTEFACTS + PANEL_ARTEFACTS + ORIGIN_DOUBTS
KEY = ["chrom", "pos", "ref", "alt"]


def _column(sites: pd.DataFrame, name: str, default=0) -> np.ndarray:
    if name not in sites:
        return np.full(len(sites), default, dtype=float)
    return pd.to_numeric(sites[name], errors="coerce").to_numpy(float)


def strand_evidence(alt_fwd, alt_rev, ref_fwd, ref_rev) -> dict[str, np.ndarray]:
    """Strand statistics of each site (vectorised).

    Returns ``forward_fraction`` (the forward fraction of all the site's reads, alt and
    ref, (fwd + 1) / (reads + 2): a real allele's reads split as the site's do, and an
    artefact that takes its reads from one strand leaves the ref reads biased to the
    other, so the ref reads alone would under-state what the other strand should show),
    ``strand_expected_minor`` (alt reads x the smaller strand fraction: the alt count
    expected on the weaker strand) and ``p_strand``: the
    two-sided Fisher exact p (twice the smaller tail) of alt against ref reads by strand.
    With many more ref than alt reads this is the binomial test of the alt forward count
    against the ref reads' fraction; unlike that test it stays exact when the ref
    fraction is itself uncertain (few ref reads, high allele fraction)."""
    alt_fwd, alt_rev, ref_fwd, ref_rev = (
        np.nan_to_num(np.asarray(x, dtype=float)).astype(np.int64)
        for x in (alt_fwd, alt_rev, ref_fwd, ref_rev)
    )
    alt = alt_fwd + alt_rev
    total = alt + ref_fwd + ref_rev
    forward = alt_fwd + ref_fwd
    greater = stats.hypergeom.sf(alt_fwd - 1, total, forward, alt)
    less = stats.hypergeom.cdf(alt_fwd, total, forward, alt)
    p = np.where(alt > 0, np.clip(2 * np.minimum(greater, less), 0.0, 1.0), 1.0)
    fraction = (forward + 1.0) / (total + 2.0)
    return {
        "forward_fraction": fraction,
        "strand_expected_minor": alt * np.minimum(fraction, 1.0 - fraction),
        "p_strand": p,
    }


def artefact_flags(
    sites: pd.DataFrame, settings: VariantSettings, hotspot: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every artefact rule on every site: (flags by name, strand statistics).

    Reads the line's strand counts (line_alt_fwd/rev, line_ref_fwd/rev), and when present
    rpbz, mqbz (bcftools), pon_samples, in_user_pon (panel_of_normals) and
    recurrent_in_lines (recurrence). Hotspots skip the strand rules only when
    ``hotspot_strand_rule`` is off."""
    strand = strand_evidence(
        _column(sites, "line_alt_fwd"),
        _column(sites, "line_alt_rev"),
        _column(sites, "line_ref_fwd"),
        _column(sites, "line_ref_rev"),
    )
    alt_fwd, alt_rev = _column(sites, "line_alt_fwd"), _column(sites, "line_alt_rev")
    strand_applies = np.ones(len(sites), dtype=bool)
    if not settings.hotspot_strand_rule:
        strand_applies &= ~hotspot
    one_strand = np.zeros(len(sites), dtype=bool)
    if settings.strand_min_expected is not None:
        one_strand = (
            (strand["strand_expected_minor"] >= settings.strand_min_expected)
            & ((alt_fwd == 0) | (alt_rev == 0))
            & (alt_fwd + alt_rev > 0)
        )
    rpbz = np.nan_to_num(_column(sites, "rpbz", np.nan))
    mqbz = np.nan_to_num(_column(sites, "mqbz", np.nan))
    flags = {
        "strand_bias": strand_applies & (strand["p_strand"] < settings.strand_max_p),
        "alt_on_one_strand": strand_applies & one_strand,
        "read_position_bias": np.abs(rpbz) > settings.max_abs_rpbz,
        "mapping_quality_bias": mqbz < settings.min_mqbz,
        "panel_of_normals": np.nan_to_num(_column(sites, "pon_samples"))
        >= settings.pon_min_samples,
        "user_panel_of_normals": sites["in_user_pon"].fillna(False).astype(bool).to_numpy()
        if "in_user_pon" in sites
        else np.zeros(len(sites), dtype=bool),
        "recurrent_in_lines": np.nan_to_num(_column(sites, "recurrent_in_lines"))
        >= settings.recurrence_min_lines,
    }
    return flags, strand


def _keys(table: pd.DataFrame) -> pd.Series:
    return (
        table["chrom"].astype(str)
        + ":"
        + table["pos"].astype(np.int64).astype(str)
        + ":"
        + table["ref"].astype(str).str.upper()
        + ":"
        + table["alt"].astype(str).str.upper()
    )


def panel_of_normals(
    sites: pd.DataFrame,
    normals: pd.DataFrame | None,
    settings: VariantSettings,
    user_panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Panel-of-normals evidence for every allele of a line's site table.

    normals: the same alleles' counts in unrelated samples of the run (other donors'
    samples; columns chrom, pos, ref, alt, sample, alt_count, depth); an unrelated
    sample carries an allele with at least ``pon_min_alt_reads`` alt reads.
    user_panel: alleles of a user panel-of-normals VCF (chrom, pos, ref, alt), split into
    biallelic records and normalised against the same reference as the sites.
    Returns columns pon_samples (unrelated samples carrying it), pon_max_af (their
    highest fraction) and in_user_pon, on the sites' index."""
    keys = _keys(sites)
    pon_samples = pd.Series(0, index=sites.index, dtype=np.int64)
    pon_max_af = pd.Series(np.nan, index=sites.index)
    if normals is not None and len(normals):
        carrying = normals[normals["alt_count"] >= settings.pon_min_alt_reads]
        if len(carrying):
            grouped = carrying.assign(
                key=_keys(carrying),
                af=carrying["alt_count"] / carrying["depth"].clip(lower=1),
            ).groupby("key")
            pon_samples = keys.map(grouped["sample"].nunique()).fillna(0).astype(np.int64)
            pon_max_af = keys.map(grouped["af"].max())
    in_user = (
        keys.isin(set(_keys(user_panel)))
        if user_panel is not None and len(user_panel)
        else pd.Series(False, index=sites.index)
    )
    return pd.DataFrame(
        {"pon_samples": pon_samples, "pon_max_af": pon_max_af, "in_user_pon": in_user},
        index=sites.index,
    )


def recurrence(
    lines: dict[str, pd.DataFrame], lineage: dict[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """Recurrence of new alleles across the classified site tables of one donor's lines.

    lines: line name -> its table after origin.classify_origin (columns chrom,
    pos, ref, alt, line_alt, line_depth, parental_alt, parental_depth, line_call, origin).
    lineage: line name -> clone of origin; passages or subclones of one clone share an
    acquired variant by descent, so only distinct lineages count as independent (default:
    every line its own lineage).

    Returns, for each line, columns on its index: recurrent_in_lines (independent
    lineages in which the allele is new: present in the line, origin acquired or
    unknown), donor_pooled_alt and donor_pooled_depth (the parental's counts plus those of
    the lines of other lineages that do not carry it as new)."""
    lineage = lineage or {}
    frames = []
    for name, table in lines.items():
        new = (table["line_call"] == "present") & table["origin"].isin(["acquired", "unknown"])
        frames.append(
            pd.DataFrame(
                {
                    "key": _keys(table).to_numpy(),
                    "line": name,
                    "lineage": lineage.get(name, name),
                    "new": new.to_numpy(),
                    "alt": table["line_alt"].to_numpy(np.int64),
                    "depth": table["line_depth"].to_numpy(np.int64),
                }
            )
        )
    if not frames:
        return {}
    every = pd.concat(frames, ignore_index=True)
    lineages_new = every[every["new"]].groupby("key")["lineage"].nunique()
    out = {}
    for name, table in lines.items():
        keys = _keys(table)
        own_lineage = lineage.get(name, name)
        others = every[(every["lineage"] != own_lineage) & ~every["new"]]
        pooled = others.groupby("key")[["alt", "depth"]].sum()
        par_alt = pd.to_numeric(table["parental_alt"], errors="coerce").fillna(0)
        par_depth = pd.to_numeric(table["parental_depth"], errors="coerce").fillna(0)
        out[name] = pd.DataFrame(
            {
                "recurrent_in_lines": keys.map(lineages_new).fillna(0).astype(np.int64),
                "donor_pooled_alt": (par_alt + keys.map(pooled["alt"]).fillna(0)).astype(np.int64),
                "donor_pooled_depth": (par_depth + keys.map(pooled["depth"]).fillna(0)).astype(
                    np.int64
                ),
            },
            index=table.index,
        )
    return out


def carriers(
    candidates: pd.DataFrame, donor: str, samples: list[str], min_alt_reads: int
) -> pd.DataFrame:
    """The alleles each sample of one donor carries with at least ``min_alt_reads`` alt
    reads, from the donor's candidate table (``bcftools query`` with each sample's AD and
    DP): chrom, pos, ref, alt, donor, sample, alt_count, depth. Every donor's table
    together is the run's panel of normals; a line reads the other donors' rows."""
    from .sites import sample_counts

    frames = []
    for sample in samples:
        if f"{sample}:AD" not in candidates:
            continue
        counts = sample_counts(candidates, sample)
        carried = counts["alt"].to_numpy() >= min_alt_reads
        frames.append(
            pd.DataFrame(
                {
                    "chrom": candidates["CHROM"].astype(str).to_numpy()[carried],
                    "pos": candidates["POS"].astype(np.int64).to_numpy()[carried],
                    "ref": candidates["REF"].astype(str).to_numpy()[carried],
                    "alt": candidates["ALT"].astype(str).to_numpy()[carried],
                    "donor": donor,
                    "sample": sample,
                    "alt_count": counts["alt"].to_numpy()[carried],
                    "depth": counts["depth"].to_numpy()[carried],
                }
            )
        )
    columns = ["chrom", "pos", "ref", "alt", "donor", "sample", "alt_count", "depth"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
