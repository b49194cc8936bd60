"""Haplotype-aware comparison of a line's allele with the parental's alleles.

A pileup writes one haplotype in different ways in different samples, most of all in
repeats: the line's reads may give ``A>ATT`` where the parental's give ``A>T`` and a
neighbouring insertion, two adjacent SNVs where the other sample has one multi-base
change, or an indel at another place of a microsatellite. Before a line allele is
called absent from the parental, the alleles near it are applied to the reference and
the resulting sequences compared: if a haplotype the line carries (the allele, alone or
with the line's neighbouring alleles) equals a haplotype made of alleles the parental
carries, the parental carries the line's allele in another representation.

Coordinates: alleles are (pos, ref, alt) with 1-based VCF positions; a reference window
is a string whose first base is at 1-based ``start``; ``fetch(chrom, start, end)``
returns reference bases of a 0-based half-open interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations

import numpy as np
import pandas as pd

from .settings import VariantSettings

Allele = tuple[int, str, str]
Fetch = Callable[[str, int, int], str]
REPRESENTATION_COLUMNS = [
    "parental_equivalent",
    "parental_equivalent_alt",
    "parental_equivalent_depth",
]


def apply_alleles(reference: str, start: int, alleles: Iterable[Allele]) -> str | None:
    """The sequence of ``reference`` (first base at 1-based ``start``) with the alleles
    applied; None when two alleles overlap, one lies outside the window or its ref bases
    are not the reference's."""
    ordered = sorted(alleles)
    pieces, cursor = [], 0  # cursor: 0-based offset in reference already copied
    for pos, ref, alt in ordered:
        offset = pos - start
        if offset < cursor or offset + len(ref) > len(reference):
            return None
        if reference[offset : offset + len(ref)].upper() != ref.upper():
            return None
        pieces.append(reference[cursor:offset])
        pieces.append(alt)
        cursor = offset + len(ref)
    pieces.append(reference[cursor:])
    return "".join(pieces).upper()


def haplotypes(
    reference: str, start: int, alleles: list[Allele], required: Allele | None = None
) -> dict[str, tuple[Allele, ...]]:
    """Every sequence made by applying a non-empty set of ``alleles`` (always including
    ``required`` when given) to the reference window, with the smallest set giving it."""
    out: dict[str, tuple[Allele, ...]] = {}
    pool = [allele for allele in alleles if allele != required]
    base = (required,) if required is not None else ()
    for size in range(0 if required is not None else 1, len(pool) + 1):
        for chosen in combinations(pool, size):
            subset = base + chosen
            sequence = apply_alleles(reference, start, subset)
            if sequence is not None and sequence not in out:
                out[sequence] = subset
    return out


def equivalent_parental_alleles(
    reference: str,
    start: int,
    allele: Allele,
    line_alleles: list[Allele],
    parental_alleles: list[Allele],
) -> tuple[Allele, ...] | None:
    """The parental alleles whose haplotype equals a line haplotype that contains
    ``allele`` (alone or with the line's other alleles), or None."""
    line_haplotypes = haplotypes(reference, start, line_alleles, required=allele)
    parental_haplotypes = haplotypes(reference, start, parental_alleles)
    for sequence, parental in parental_haplotypes.items():
        if sequence in line_haplotypes and allele not in parental:
            return parental
    return None


def _describe(chrom: str, alleles: tuple[Allele, ...]) -> str:
    return ";".join(f"{chrom}:{pos}:{ref}>{alt}" for pos, ref, alt in alleles)


def parental_equivalents(
    sites: pd.DataFrame, fetch: Fetch, settings: VariantSettings
) -> pd.DataFrame:
    """For every allele with line evidence (>= min_alt_reads alt reads) but too few
    parental reads to count as carried, the parental alleles within
    ``representation_window`` bases (plus the allele's repeat tract when the table has
    ``repeat_length``) that describe the same haplotype.

    Returns on the sites' index: parental_equivalent (the matching parental alleles,
    ``chrom:pos:ref>alt`` joined by ``;``; empty when none), parental_equivalent_alt (the
    smallest parental alt count among them: the haplotype has at least that support) and
    parental_equivalent_depth (the parental depth at that allele); origin.py reads
    the last two as the allele's parental evidence when they exceed its own."""
    out = pd.DataFrame(
        {
            "parental_equivalent": "",
            "parental_equivalent_alt": 0,
            "parental_equivalent_depth": 0,
        },
        index=sites.index,
    )
    if sites.empty:
        return out
    line_alt = pd.to_numeric(sites["line_alt"], errors="coerce").fillna(0).to_numpy()
    par_alt = pd.to_numeric(sites["parental_alt"], errors="coerce").fillna(0).to_numpy()
    par_depth = pd.to_numeric(sites["parental_depth"], errors="coerce").fillna(0).to_numpy()
    carried_by_line = line_alt >= settings.min_alt_reads
    carried_by_parental = par_alt >= settings.parental_min_alt_reads
    tested = carried_by_line & ~carried_by_parental
    repeat = (
        pd.to_numeric(sites["repeat_length"], errors="coerce").fillna(0).to_numpy(np.int64)
        if "repeat_length" in sites
        else np.zeros(len(sites), dtype=np.int64)
    )
    chroms = sites["chrom"].astype(str).to_numpy()
    positions = sites["pos"].to_numpy(np.int64)
    refs = sites["ref"].astype(str).str.upper().to_numpy()
    alts = sites["alt"].astype(str).str.upper().to_numpy()
    cap = settings.representation_max_alleles
    for chrom in np.unique(chroms[tested]):
        on_chrom = np.flatnonzero(chroms == chrom)
        order = on_chrom[np.argsort(positions[on_chrom], kind="stable")]
        sorted_pos = positions[order]
        for i in np.flatnonzero(tested & (chroms == chrom)):
            reach = settings.representation_window + int(repeat[i]) + len(refs[i])
            lo = np.searchsorted(sorted_pos, positions[i] - reach, side="left")
            hi = np.searchsorted(sorted_pos, positions[i] + reach, side="right")
            near = [r for r in order[lo:hi] if r != i]
            parental = [r for r in near if carried_by_parental[r]][:cap]
            if not parental:
                continue
            line = [r for r in near if carried_by_line[r]][:cap]
            rows = [i, *parental, *line]
            first = int(min(positions[r] for r in rows))
            last = int(max(positions[r] + len(refs[r]) for r in rows))
            start = max(1, first - 1)
            reference = fetch(chrom, start - 1, last)
            allele = (int(positions[i]), refs[i], alts[i])
            match = equivalent_parental_alleles(
                reference,
                start,
                allele,
                [(int(positions[r]), refs[r], alts[r]) for r in line],
                [(int(positions[r]), refs[r], alts[r]) for r in parental],
            )
            if match is None:
                continue
            by_allele = {(int(positions[r]), refs[r], alts[r]): r for r in parental}
            weakest = min((by_allele[a] for a in match), key=lambda r: par_alt[r])
            label = sites.index[i]
            out.at[label, "parental_equivalent"] = _describe(chrom, match)
            out.at[label, "parental_equivalent_alt"] = int(par_alt[weakest])
            out.at[label, "parental_equivalent_depth"] = int(par_depth[weakest])
    return out
