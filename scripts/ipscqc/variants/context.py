"""Sequence context of an allele: SNV, indel, or indel inside a homopolymer or
microsatellite, whose polymerase slippage errors are far more frequent.

Contexts (in this order of error rate): ``snv`` (also multi-base substitutions),
``indel``, ``indel_repeat`` (tract of a unit of 1..``max_repeat_period`` bases at least
``repeat_min_length`` bases long and at least two units), ``indel_long_repeat`` (tract
at least ``long_repeat_min_length``). The tract is measured on the reference around the
inserted or deleted sequence. Positions are 1-based (VCF); ``fetch(chrom, start, end)``
returns reference bases of a 0-based half-open interval (as pysam.FastaFile.fetch).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .settings import VariantSettings

CONTEXTS = ("snv", "indel", "indel_repeat", "indel_long_repeat")
CONTEXT_COLUMNS = ["context", "repeat_unit", "repeat_length"]
Fetch = Callable[[str, int, int], str]


def changed_sequence(ref: str, alt: str) -> tuple[int, str, str]:
    """Shared prefix length and the remaining ref and alt sequences after trimming the
    shared prefix and suffix: ``("A", "ATT")`` -> (1, "", "TT")."""
    prefix = 0
    while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
        prefix += 1
    ref_rest, alt_rest = ref[prefix:], alt[prefix:]
    suffix = 0
    while (
        suffix < min(len(ref_rest), len(alt_rest))
        and ref_rest[-1 - suffix] == alt_rest[-1 - suffix]
    ):
        suffix += 1
    end = len(ref_rest) - suffix, len(alt_rest) - suffix
    return prefix, ref_rest[: end[0]], alt_rest[: end[1]]


def minimal_unit(sequence: str) -> str:
    """Shortest unit whose repetition makes ``sequence`` (``"CACA"`` -> ``"CA"``)."""
    for period in range(1, len(sequence) + 1):
        if (
            len(sequence) % period == 0
            and sequence[:period] * (len(sequence) // period) == sequence
        ):
            return sequence[:period]
    return sequence


def _tract_sides(reference: str, offset: int, unit: str) -> tuple[int, int]:
    period, right = len(unit), 0
    upper = reference.upper()
    while offset + right < len(upper) and upper[offset + right] == unit[right % period]:
        right += 1
    left = 0
    while offset - left - 1 >= 0 and upper[offset - left - 1] == unit[(-left - 1) % period]:
        left += 1
    return left, right


def tract_length(reference: str, offset: int, unit: str) -> int:
    """Bases of ``reference`` around 0-based ``offset`` that continue the periodic
    repetition of ``unit`` begun at ``offset``: to the right of it and to its left."""
    return sum(_tract_sides(reference, offset, unit)) if unit else 0


def indel_tract(
    chrom: str, pos: int, ref: str, alt: str, fetch: Fetch, flank: int = 64, max_flank: int = 4096
) -> tuple[str, int]:
    """Repeat unit and tract length (bp) around an indel at 1-based ``pos``. The unit is
    the shortest period of the inserted or deleted sequence (of the longer side of a
    complex change); the reference flank fetched grows until the tract ends inside it."""
    prefix, ref_rest, alt_rest = changed_sequence(ref.upper(), alt.upper())
    unit = minimal_unit(ref_rest if len(ref_rest) >= len(alt_rest) else alt_rest)
    if not unit:
        return "", 0
    start = pos - 1 + prefix  # 0-based first changed reference base
    while True:
        window_start = max(0, start - flank)
        window = fetch(chrom, window_start, start + flank)
        offset = start - window_start
        left, right = _tract_sides(window, offset, unit)
        at_left_edge = left == offset and window_start > 0
        at_right_edge = (
            offset + right == len(window) and len(window) == start + flank - window_start
        )
        if not (at_left_edge or at_right_edge) or flank >= max_flank:
            return unit, left + right
        flank *= 4


def context_of(unit: str, length: int, is_indel: bool, settings: VariantSettings) -> str:
    """Context label of one allele from its repeat unit and tract length."""
    if not is_indel:
        return "snv"
    repeat = 0 < len(unit) <= settings.max_repeat_period and length >= 2 * len(unit)
    if repeat and length >= settings.long_repeat_min_length:
        return "indel_long_repeat"
    if repeat and length >= settings.repeat_min_length:
        return "indel_repeat"
    return "indel"


def allele_context(sites: pd.DataFrame, fetch: Fetch, settings: VariantSettings) -> pd.DataFrame:
    """Context, repeat unit and tract length (bp) of every allele of a site table
    (columns chrom, pos 1-based, ref, alt). SNVs and substitutions get ``snv`` without a
    reference look-up; indels are measured on the reference one by one."""
    ref = sites["ref"].astype(str)
    alt = sites["alt"].astype(str)
    is_indel = (ref.str.len() != alt.str.len()).to_numpy()
    context = np.full(len(sites), "snv", dtype=object)
    units = np.full(len(sites), "", dtype=object)
    lengths = np.zeros(len(sites), dtype=np.int64)
    chroms = sites["chrom"].astype(str).to_numpy()
    positions = sites["pos"].to_numpy(np.int64)
    for i in np.flatnonzero(is_indel):
        unit, length = indel_tract(chroms[i], int(positions[i]), ref.iat[i], alt.iat[i], fetch)
        units[i], lengths[i] = unit, length
        context[i] = context_of(unit, length, True, settings)
    return pd.DataFrame(
        {"context": context, "repeat_unit": units, "repeat_length": lengths}, index=sites.index
    )


def default_context(sites: pd.DataFrame) -> np.ndarray:
    """``context`` when the table has it, else ``snv``/``indel`` from the allele lengths
    (no repeat information: indels in repeats then get the plain indel error rate)."""
    if "context" in sites:
        return sites["context"].fillna("snv").astype(str).to_numpy()
    if "ref" in sites and "alt" in sites:
        lengths_differ = sites["ref"].astype(str).str.len() != sites["alt"].astype(str).str.len()
        return np.where(lengths_differ.to_numpy(), "indel", "snv").astype(object)
    return np.full(len(sites), "snv", dtype=object)
