"""The per-site table of one line: allele counts of the line and its parental at every
candidate allele of the donor's joint pileup and at every allele of the hotspot
catalogue genotyped by force, with the annotation of each allele.

Positions are 1-based (VCF).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ipscqc.annotation import ANNOTATION_COLUMNS, annotate
from ipscqc.variants.columns import ALLELE_COLUMNS, ORIGIN_TEST_COLUMNS, TRANSCRIPT_COLUMNS

TABLE_COLUMNS = [
    *ALLELE_COLUMNS,
    *TRANSCRIPT_COLUMNS,
    "line_alt",
    "line_ref",
    "line_depth",
    "line_af",
    "parental_alt",
    "parental_ref",
    "parental_depth",
    "parental_af",
    "parental_equivalent",
    "context",
    "line_error_rate",
    *ORIGIN_TEST_COLUMNS,
    "p_strand",
    "rpbz",
    "mqbz",
    "pon_samples",
    "in_user_pon",
    "recurrent_in_lines",
    "line_call",
    "class",
    "origin",
    "line_carries",
    "expansion",
    "clonality",
    "copy_number",
    "cell_fraction",
    "tier",
    "hotspot",
    "hotspot_category",
    "source",
    "artefacts",
    "reason",
]


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
