"""The origin decision for one line and for all lines of a donor, in the order the
pieces need: sequence context, other representations in the parental, panel of
normals, classification, then recurrence across the donor's lines and a second
classification that reads it.

The acquired_variants check calls classify_donor for one line (``only``); the noise
model comes from noise.estimate_noise on the same table, the limits from limit.py.
Inputs are in-memory tables (one row per allele, 1-based ``pos``);
``fetch(chrom, start, end)`` returns reference bases of a 0-based half-open interval.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .artefacts import panel_of_normals, recurrence
from .context import CONTEXT_COLUMNS, allele_context
from .noise import NoiseModel
from .origin import classify_origin
from .representation import REPRESENTATION_COLUMNS, parental_equivalents
from .settings import VariantSettings

Fetch = Callable[[str, int, int], str]


def prepare_sites(
    sites: pd.DataFrame,
    settings: VariantSettings,
    *,
    paired: bool = True,
    fetch: Fetch | None = None,
    normals: pd.DataFrame | None = None,
    user_panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The site table with the columns the decision reads besides the counts: context,
    repeat_unit, repeat_length (with ``fetch``; else snv/indel from the allele lengths),
    parental_equivalent* (paired, with ``fetch``), pon_samples, pon_max_af, in_user_pon."""
    out = sites.copy()
    if fetch is not None and "context" not in out:
        out = pd.concat([out, allele_context(out, fetch, settings)], axis=1)
    if paired and fetch is not None and "parental_equivalent" not in out:
        out = pd.concat([out, parental_equivalents(out, fetch, settings)], axis=1)
    if "pon_samples" not in out:
        out = pd.concat([out, panel_of_normals(out, normals, settings, user_panel)], axis=1)
    return out


def classify_line(
    sites: pd.DataFrame,
    settings: VariantSettings,
    noise: NoiseModel,
    *,
    paired: bool = True,
    fetch: Fetch | None = None,
    normals: pd.DataFrame | None = None,
    user_panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One line's site table, prepared and classified (origin.ORIGIN_COLUMNS
    added). Recurrence needs the donor's other lines: classify_donor."""
    prepared = prepare_sites(
        sites, settings, paired=paired, fetch=fetch, normals=normals, user_panel=user_panel
    )
    return classify_origin(prepared, settings, noise, paired)


def classify_donor(
    lines: dict[str, pd.DataFrame],
    settings: VariantSettings,
    noises: dict[str, NoiseModel],
    *,
    paired: bool = True,
    lineage: dict[str, str] | None = None,
    fetch: Fetch | None = None,
    normals: pd.DataFrame | None = None,
    user_panel: pd.DataFrame | None = None,
    only: str | None = None,
) -> dict[str, pd.DataFrame]:
    """All lines of one donor against its parental: each line classified, then the
    alleles new in several independent lineages (``lineage``: line -> clone of origin)
    re-tested with recurrent_in_lines and the pooled donor counts
    (artefacts.recurrence). Line-only donors skip recurrence (no parental
    counts to pool), but a recurrent allele is still counted.

    ``only``: the one line wanted (the others are then classified without the
    representation look-up, which only tells which of their alleles are new, and only
    ``only`` is returned)."""
    first = {
        name: classify_line(
            table,
            settings,
            noises[name],
            paired=paired,
            fetch=fetch if only in (None, name) else None,
            normals=normals,
            user_panel=user_panel,
        )
        for name, table in lines.items()
    }
    if len(first) < 2:
        return first if only is None else {only: first[only]}
    recurrent = recurrence(first, lineage)
    out = {}
    for name, table in first.items():
        if only is not None and name != only:
            continue
        extra = recurrent[name]
        if not paired:
            extra = extra[["recurrent_in_lines"]]
        base = table.drop(columns=[c for c in table.columns if c in extra.columns])
        keep = [c for c in lines[name].columns if c in base.columns] + _prepared(base)
        base = base[list(dict.fromkeys(keep))]
        out[name] = classify_origin(
            pd.concat([base, extra], axis=1), settings, noises[name], paired
        )
    return out


def _prepared(table: pd.DataFrame) -> list[str]:
    """Columns prepare_sites adds (kept for the second classification)."""
    names = CONTEXT_COLUMNS + REPRESENTATION_COLUMNS + ["pon_samples", "pon_max_af", "in_user_pon"]
    return [name for name in names if name in table.columns]
