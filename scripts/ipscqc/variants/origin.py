"""Origin of every allele a line carries, against its donor's parental sample.

One decision function, ``classify_origin``, vectorised over the alleles of a site table;
the detection limit (limit.py) calls the same function on every possible outcome, so
the limit is the limit of this decision.

Classes (``class``) and the origin the release gate reads (``origin``, in brackets):

- ``germline`` (germline): the parental carries the allele at a fraction consistent
  with a germline heterozygous (or homozygous) genotype under a beta-binomial with the
  parental's overdispersion.
- ``donor_mosaic`` (donor_mosaic): the parental carries it above its error rate but
  significantly below the germline fraction (a clone of the donor: clonal
  haematopoiesis, a fibroblast clone); the line carries it; ``expansion`` = line
  fraction / parental fraction.
- ``acquired`` (acquired): the line carries it; the parental does not: depth enough, a
  germline genotype excluded (likelihood ratio), the line's fraction excluded; no
  artefact rule and no doubt about its origin (recurrence).
- ``lost`` (germline): loss of heterozygosity, parental heterozygous, line fraction far
  from it.
- ``artefact`` (artefact): the parental does not carry it and the line's alt reads fail
  a read-level rule (strand, read position, mapping quality): the reads, not the cells,
  carry it.
- ``uncertain`` (unknown): the line has the alt reads, the origin cannot be told;
  ``reason`` says why (parental too shallow, a germline genotype not excluded, a panel
  of normals or recurrence across the donor's lines, a germline allele missing from
  the line).
- ``unclassified`` (unknown): line-only mode; the line carries it, no parental.
- ``absent`` (none): the line does not carry it (no or too few alt reads; a donor
  mosaic not in the line).

``line_call`` is ``present`` (alt reads pass the line test), ``weak`` (some alt reads,
below the bar) or ``none``. ``line_carries`` is True when the line carries the allele
whatever its origin: germline (not missing from the line), or present without a
read-level or panel-of-normals artefact (recurrence across lines leaves it carried:
shared descent and a donor mosaic below detection are both carried). The release gate
judges what the line carries through this column.

Counts are read per allele from the columns line_alt, line_depth, line_alt_fwd,
line_alt_rev, line_ref_fwd, line_ref_rev, parental_alt, parental_depth; optional columns:
context (context.py), hotspot (non-empty: catalogue allele), targeted (catalogue allele
or cancer gene: the lenient donor-mosaic bar), rpbz, mqbz, parental_germline_af (lowest
germline fraction: 0.5 diploid, 1.0 hemizygous; default the fitted heterozygous mean),
pon_samples / in_user_pon (artefacts.panel_of_normals), recurrent_in_lines /
donor_pooled_alt / donor_pooled_depth (artefacts.recurrence), parental_equivalent_alt /
parental_equivalent_depth (representation.py). Positions are not read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import beta_binomial as bb
from .artefacts import ORIGIN_DOUBTS, PANEL_ARTEFACTS, READ_ARTEFACTS, artefact_flags
from .columns import ORIGIN_TEST_COLUMNS
from .context import default_context
from .noise import NoiseModel
from .settings import VariantSettings

CLASSES = (
    "germline",
    "donor_mosaic",
    "acquired",
    "lost",
    "artefact",
    "uncertain",
    "unclassified",
    "absent",
)
ORIGIN_OF_CLASS = {
    "germline": "germline",
    "donor_mosaic": "donor_mosaic",
    "acquired": "acquired",
    "lost": "germline",
    "artefact": "artefact",
    "uncertain": "unknown",
    "unclassified": "unknown",
    "absent": "none",
}
ORIGIN_COLUMNS = [
    "line_af",
    "parental_af",
    "parental_alt_used",
    "parental_depth_used",
    "context",
    "line_error_rate",
    "parental_error_rate",
    *ORIGIN_TEST_COLUMNS,
    "p_donor_pooled",
    "p_strand",
    "strand_expected_minor",
    "line_call",
    "artefacts",
    "class",
    "origin",
    "line_carries",
    "expansion",
    "reason",
]


def _ints(sites: pd.DataFrame, name: str) -> np.ndarray:
    if name not in sites:
        return np.zeros(len(sites), dtype=np.int64)
    return pd.to_numeric(sites[name], errors="coerce").fillna(0).to_numpy(np.int64)


def _fraction(alt: np.ndarray, depth: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(depth > 0, alt / np.maximum(depth, 1), np.nan)


def _binomial_sf(k, n, p) -> np.ndarray:
    """P(X >= k), X ~ Binomial(n, p); 1 where k <= 0."""
    return np.where(k <= 0, 1.0, stats.binom.sf(k - 1, n, p))


def _fisher_greater(a, b, c, d) -> np.ndarray:
    """One-sided Fisher exact p of [[a, b], [c, d]] (a larger than expected)."""
    total = a + b + c + d
    p = stats.hypergeom.sf(a - 1, total, a + c, a + b)
    return np.where(total == 0, 1.0, np.clip(p, 0.0, 1.0))


def _join(flags: dict[str, np.ndarray], shown: np.ndarray) -> np.ndarray:
    """Semicolon-joined names of the flags set on each row where ``shown``."""
    names = np.full(len(shown), "", dtype=object)
    for name, mask in flags.items():
        mask = np.asarray(mask) & shown
        if mask.any():
            names[mask] = np.where(names[mask] == "", name, names[mask] + ";" + name)
    return names


def line_evidence(
    sites: pd.DataFrame, settings: VariantSettings, noise: NoiseModel, hotspot: np.ndarray
) -> dict[str, np.ndarray]:
    """The line test: alt count, fraction and binomial p against the allele's error
    rate; the same read and strand rules at hotspots unless the settings lower them."""
    k, n = _ints(sites, "line_alt"), _ints(sites, "line_depth")
    context = default_context(sites)
    error = noise.line_error.of(context)
    af = _fraction(k, n)
    p_error = _binomial_sf(k, n, error)
    min_alt = np.where(hotspot, settings.effective_hotspot_min_alt_reads, settings.min_alt_reads)
    max_p = np.where(hotspot, settings.hotspot_max_p_line, settings.max_p_line)
    present = (k >= min_alt) & (np.nan_to_num(af) >= settings.min_af) & (p_error < max_p)
    call = np.where(present, "present", np.where(k > 0, "weak", "none")).astype(object)
    return {
        "alt": k,
        "depth": n,
        "af": af,
        "context": context,
        "error": error,
        "p_error": p_error,
        "present": present,
        "call": call,
    }


def parental_evidence(
    sites: pd.DataFrame,
    settings: VariantSettings,
    noise: NoiseModel,
    context: np.ndarray,
    line_af: np.ndarray,
    line_alt: np.ndarray,
    line_depth: np.ndarray,
) -> dict[str, np.ndarray]:
    """The parental tests: present above error, below the germline fraction, germline
    likelihood ratio, exclusion at the line's fraction. An equivalent representation of
    the allele in the parental (parental_equivalent_alt/depth) counts when it has more
    alt reads than the allele as written."""
    j, n = _ints(sites, "parental_alt"), _ints(sites, "parental_depth")
    if "parental_equivalent_alt" in sites:
        eq_alt = _ints(sites, "parental_equivalent_alt")
        eq_depth = _ints(sites, "parental_equivalent_depth")
        use = eq_alt > j
        j, n = np.where(use, eq_alt, j), np.where(use, np.maximum(eq_depth, eq_alt), n)
    error = noise.parental_error.of(context)
    rho = noise.rho("parental", context)
    af = _fraction(j, n)
    if "parental_germline_af" in sites:
        germline = pd.to_numeric(sites["parental_germline_af"], errors="coerce")
        germline = germline.fillna(noise.het_mean).to_numpy(float)
    else:
        germline = np.full(len(sites), noise.het_mean)
    germline = np.minimum(germline, 1.0 - error)  # a hemizygous allele still shows errors
    p_error = _binomial_sf(j, n, error)
    present = (j >= settings.parental_min_alt_reads) & (p_error < settings.parental_max_p_present)
    p_below = np.where(n > 0, bb.cdf(j, n, germline, rho), 1.0)
    germline_lr = np.exp(bb.logpmf(j, n, germline, rho) - stats.binom.logpmf(j, n, error))
    if settings.parental_test == "fisher":
        p_at_line = _fisher_greater(line_alt, line_depth - line_alt, j, n - j)
    else:
        at = np.nan_to_num(line_af)
        p_at_line = np.where(
            (n > 0) & (line_depth > 0), bb.cdf(j, n, np.maximum(at, 1e-9), rho), 1.0
        )
    return {
        "alt": j,
        "depth": n,
        "af": af,
        "error": error,
        "germline": germline,
        "p_error": p_error,
        "present": present,
        "p_below": p_below,
        "germline_lr": germline_lr,
        "p_at_line": p_at_line,
    }


def _any(flags: dict[str, np.ndarray], names: tuple[str, ...], size: int) -> np.ndarray:
    chosen = [flags[name] for name in names if name in flags]
    return np.logical_or.reduce(chosen) if chosen else np.zeros(size, dtype=bool)


def _mosaic_bar(sites: pd.DataFrame, settings: VariantSettings, hotspot: np.ndarray):
    """The donor-mosaic p bar of each allele: lenient where it is targeted."""
    targeted = hotspot.copy()
    if "targeted" in sites:
        targeted |= sites["targeted"].fillna(False).astype(bool).to_numpy()
    return np.where(targeted, settings.targeted_max_p_mosaic, settings.max_p_mosaic)


def classify_origin(
    sites: pd.DataFrame,
    settings: VariantSettings,
    noise: NoiseModel,
    paired: bool = True,
    explain: bool = True,
) -> pd.DataFrame:
    """Add the ORIGIN_COLUMNS (class, origin, line_call, line_carries, reason and the
    statistics behind them) to every allele of a site table (one row per allele).

    ``paired`` False is line-only mode. ``explain`` False leaves ``artefacts`` and
    ``reason`` empty (the class is the same; the detection limit uses this to save time).
    """
    out = sites.copy()
    hotspot = (
        out["hotspot"].fillna("").astype(str).to_numpy() != ""
        if "hotspot" in out
        else np.zeros(len(out), dtype=bool)
    )
    line = line_evidence(out, settings, noise, hotspot)
    flags, strand = artefact_flags(out, settings, hotspot)
    for column, key in _LINE_COLUMNS.items():
        out[column] = line[key]
    out["p_strand"] = strand["p_strand"]
    out["strand_expected_minor"] = strand["strand_expected_minor"]
    out["line_call"] = line["call"]
    out["p_donor_pooled"] = _donor_pooled(out, settings, noise, line["context"], flags)
    if not paired:
        return _line_only(out, settings, line, flags, explain)
    return _paired(out, settings, noise, line, flags, hotspot, explain)


def _donor_pooled(out, settings, noise, context, flags) -> np.ndarray:
    """p of the donor's pooled alt reads (all its other samples) against the error rate;
    sets the ``low_level_in_donor`` flag. NaN where the table has no pooled counts."""
    if "donor_pooled_alt" not in out:
        return np.full(len(out), np.nan)
    pooled_alt, pooled_depth = _ints(out, "donor_pooled_alt"), _ints(out, "donor_pooled_depth")
    p_pooled = _binomial_sf(pooled_alt, pooled_depth, noise.parental_error.of(context))
    flags["low_level_in_donor"] = (pooled_alt >= settings.parental_min_alt_reads) & (
        p_pooled < settings.parental_max_p_present
    )
    return p_pooled


def _artefact_masks(flags, size) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(read-level artefact, panel-of-normals artefact, doubt about origin) per allele."""
    return (
        _any(flags, READ_ARTEFACTS, size),
        _any(flags, PANEL_ARTEFACTS, size),
        _any(flags, ORIGIN_DOUBTS, size),
    )


# the site-table column of each statistic of the line test and of the parental tests
_LINE_COLUMNS = {
    "line_af": "af",
    "context": "context",
    "line_error_rate": "error",
    "p_line_error": "p_error",
}
_PARENTAL_EVIDENCE = {
    "parental_af": "af",
    "parental_alt_used": "alt",
    "parental_depth_used": "depth",
    "parental_error_rate": "error",
    "p_parental_error": "p_error",
    "germline_fraction": "germline",
    "p_below_germline": "p_below",
    "germline_lr": "germline_lr",
    "p_parental_at_line_af": "p_at_line",
}
_PARENTAL_COLUMNS = (
    "parental_af",
    "parental_error_rate",
    "p_parental_error",
    "germline_fraction",
    "p_below_germline",
    "germline_lr",
    "p_parental_at_line_af",
    "expansion",
)


def _line_only(out, settings, line, flags, explain) -> pd.DataFrame:
    """Line-only mode: present alleles are unclassified (or artefacts) without a
    parental to tell their origin."""
    present, k = line["present"], line["alt"]
    shallow_line = line["depth"] < settings.min_depth
    read_artefact, panel, _ = _artefact_masks(flags, len(out))
    for column in _PARENTAL_COLUMNS:
        out[column] = np.nan
    out["parental_alt_used"] = pd.NA
    out["parental_depth_used"] = pd.NA
    unclassified = present & ~read_artefact & ~panel & ~shallow_line
    classes = np.select(
        [unclassified, present & read_artefact, present],
        ["unclassified", "artefact", "uncertain"],
        default="absent",
    ).astype(object)
    reasons = None
    if explain:
        reasons = _join({**flags, "line_depth_below_minimum": shallow_line}, classes != "absent")
        reasons[classes == "unclassified"] = "line_only_mode"
        absent = classes == "absent"
        reasons[absent] = np.where(k[absent] > 0, "line_evidence_below_bar", "no_alt_reads")
    carried = present & ~read_artefact & ~panel
    return _finish(out, classes, present, carried, flags, reasons, explain)


def _paired(out, settings, noise, line, flags, hotspot, explain) -> pd.DataFrame:
    """Paired mode: the parental's evidence decides germline, donor mosaic, acquired,
    lost, artefact or uncertain."""
    th = settings
    present, k, n_line = line["present"], line["alt"], line["depth"]
    shallow_line = n_line < th.min_depth
    read_artefact, panel, doubt = _artefact_masks(flags, len(out))
    par = parental_evidence(out, th, noise, line["context"], line["af"], k, n_line)
    for column, key in _PARENTAL_EVIDENCE.items():
        out[column] = par[key]
    germline_like = par["present"] & (par["p_below"] >= _mosaic_bar(out, th, hotspot))
    mosaic_parental = par["present"] & ~germline_like
    lost, missing = _lost_and_missing(th, noise, line, par, germline_like, shallow_line)
    exclusion = {
        "parental_depth_below_minimum": par["depth"] < th.min_parental_depth,
        "parental_could_be_germline": par["germline_lr"] > th.max_germline_lr,
        "parental_not_excluded_at_line_af": par["p_at_line"] >= th.max_p_parental,
        "line_depth_below_minimum": shallow_line,
    }
    excluded = ~np.logical_or.reduce(list(exclusion.values()))
    new = present & ~par["present"]
    acquired = new & excluded & ~read_artefact & ~panel & ~doubt
    mosaic = mosaic_parental & present & ~read_artefact & ~panel
    classes = np.select(
        [
            lost,
            germline_like & ~missing,
            mosaic,
            acquired,
            new & read_artefact,
            present | missing,
        ],
        ["lost", "germline", "donor_mosaic", "acquired", "artefact", "uncertain"],
        default="absent",
    ).astype(object)
    out["expansion"] = np.where(
        np.nan_to_num(par["af"]) > 0, line["af"] / np.where(par["af"] > 0, par["af"], 1.0), np.nan
    )
    reasons = None
    if explain:
        reasons = _paired_reasons(
            classes, flags, exclusion, par, k, mosaic_parental, missing, present
        )
    carried = (
        (present & ~read_artefact & ~panel)
        | (classes == "germline")
        | ((classes == "lost") & present)
    )
    return _finish(out, classes, present, carried, flags, reasons, explain)


def _lost_and_missing(th, noise, line, par, germline_like, shallow_line):
    """(loss of heterozygosity, germline allele the line significantly lacks) per allele:
    a heterozygous parental with the line far from its fraction is a loss; a germline
    allele the line lacks without that pattern is missing."""
    k, n_line = line["alt"], line["depth"]
    g, j, n_par = par["germline"], par["alt"], par["depth"]
    rho_line = noise.rho("line", line["context"])
    rho_parental = noise.rho("parental", line["context"])
    parental_het = (
        germline_like
        & (n_par >= th.min_parental_depth)
        & (g < 0.75)
        & (np.abs(np.nan_to_num(par["af"], nan=0.0) - g) < th.lost_min_shift)
        & (bb.two_sided(j, n_par, g, rho_parental) > th.lost_max_p)
    )
    line_far = np.abs(np.nan_to_num(line["af"], nan=g) - g) >= th.lost_min_shift
    line_p_het = bb.two_sided(k, n_line, g, rho_line)
    lost = parental_het & ~shallow_line & line_far & (line_p_het < th.lost_max_p)
    missing = (
        germline_like
        & ~lost
        & ~line["present"]
        & ~shallow_line
        & (bb.cdf(k, n_line, g, rho_line) < th.lost_max_p)
    )
    return lost, missing


def _paired_reasons(classes, flags, exclusion, par, k, mosaic_parental, missing, present):
    """The ``reason`` of each allele's class in paired mode."""
    reasons = np.full(len(classes), "", dtype=object)
    uncertain = classes == "uncertain"
    not_parental = (uncertain | (classes == "artefact")) & ~par["present"]
    reasons[not_parental] = _join({**exclusion, **flags}, not_parental)[not_parental]
    mosaic_flagged = uncertain & mosaic_parental
    reasons[mosaic_flagged] = _join(flags, mosaic_flagged)[mosaic_flagged]
    reasons[mosaic_flagged] = "parental_below_germline_fraction;" + reasons[mosaic_flagged]
    reasons[uncertain & missing] = "germline_allele_missing_from_line"
    hom = np.nan_to_num(par["af"]) >= (par["germline"] + 1.0) / 2.0
    is_germline = classes == "germline"
    reasons[is_germline] = np.where(hom[is_germline], "germline_hom_alt", "germline_het")
    reasons[classes == "lost"] = "loss_of_heterozygosity"
    reasons[classes == "donor_mosaic"] = "parental_below_germline_fraction"
    reasons[classes == "acquired"] = "absent_from_parental"
    absent = classes == "absent"
    reasons[absent] = np.where(
        mosaic_parental[absent],
        "donor_mosaic_not_in_line",
        np.where(k[absent] > 0, "line_evidence_below_bar", "no_alt_reads"),
    )
    return reasons


def _finish(out, classes, present, carried, flags, reasons, explain) -> pd.DataFrame:
    out["class"] = classes
    out["origin"] = pd.Series(classes, index=out.index).map(ORIGIN_OF_CLASS).to_numpy()
    out["line_carries"] = np.asarray(carried, dtype=bool)
    if explain:
        out["artefacts"] = _join(flags, present)
        out["reason"] = reasons
    else:
        out["artefacts"] = ""
        out["reason"] = ""
    return out
