"""The run's noise model, measured from its own data: per-allele error rates by
sequence context, and the overdispersion of allele fractions at germline
heterozygous sites.

Both come from the donor's site table (one row per allele, columns ``line_alt``,
``line_ref``, ``line_depth``, ``parental_alt``, ``parental_ref``, ``parental_depth``, and
``context`` from context.allele_context):

- error rates: at germline homozygous-alt sites the reads showing the reference allele
  are errors (slippage in a repeat, a misread base, a mismapped read), so ref reads /
  depth there is the rate at which a read shows one particular wrong allele. Sites are
  selected on the *other* sample (hom-alt there), so this sample's error reads do not
  decide which sites count. The rate used is the one-sided 95% upper bound (Clopper-
  Pearson), so a context with few sites is not trusted below what its reads show.
- overdispersion: the beta-binomial rho of one sample's counts at sites the other
  sample shows as heterozygous (robust fit, beta_binomial.estimate_overdispersion).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .beta_binomial import Overdispersion, estimate_overdispersion
from .context import CONTEXTS, default_context
from .settings import VariantSettings

HOM_ALT_MIN_AF = 0.95  # the selecting sample: homozygous alt
HOM_ALT_OWN_MIN_AF = 0.8  # the measured sample: excludes its heterozygous sites only
HET_AF_RANGE = (0.2, 0.8)  # the selecting sample: heterozygous-looking


@dataclass(frozen=True)
class ErrorRates:
    """Per-allele error rate of each sequence context (context.CONTEXTS)."""

    snv: float
    indel: float
    indel_repeat: float
    indel_long_repeat: float

    def of(self, contexts: np.ndarray) -> np.ndarray:
        """The rate of every allele given its context label (unknown labels: snv)."""
        rates = {name: getattr(self, name) for name in CONTEXTS}
        contexts = np.asarray(contexts, dtype=object)
        out = np.full(len(contexts), self.snv, dtype=float)
        for name, rate in rates.items():
            out[contexts == name] = rate
        return out

    @classmethod
    def default(cls, settings: VariantSettings) -> ErrorRates:
        floor = settings.min_allele_error_rate
        return cls(**{k: max(v, floor) for k, v in settings.error_rate_defaults().items()})


@dataclass(frozen=True)
class NoiseModel:
    """Error rates and overdispersion of a line and its parental sample.

    line_rho / parental_rho: overdispersion of SNV allele fractions; the *_indel ones
    that of indels (at least the SNV value: indel fractions scatter more). het_mean: the
    parental's fitted heterozygous allele fraction (0.5 without reference bias), the
    germline fraction that donor_mosaic is tested against."""

    line_error: ErrorRates
    parental_error: ErrorRates
    line_rho: float
    parental_rho: float
    het_mean: float = 0.5
    line_rho_indel: float | None = None
    parental_rho_indel: float | None = None

    def rho(self, sample: str, contexts: np.ndarray) -> np.ndarray:
        """Overdispersion of ``sample`` (line or parental) for each allele's context."""
        snv = self.line_rho if sample == "line" else self.parental_rho
        indel = self.line_rho_indel if sample == "line" else self.parental_rho_indel
        indel = snv if indel is None else max(indel, snv)
        contexts = np.asarray(contexts, dtype=object)
        return np.where(contexts == "snv", snv, indel).astype(float)

    @classmethod
    def default(cls, settings: VariantSettings) -> NoiseModel:
        rates = ErrorRates.default(settings)
        rho = max(settings.overdispersion_default, settings.overdispersion_floor)
        return cls(rates, rates, rho, rho, 0.5)


@dataclass(frozen=True)
class RateEstimate:
    """How one context's error rate was obtained (for the findings)."""

    sample: str
    context: str
    rate: float
    errors: int
    reads: int
    sites: int
    source: str  # measured | default
    reason: str = ""


def _counts(sites: pd.DataFrame, sample: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    alt = pd.to_numeric(sites[f"{sample}_alt"], errors="coerce").fillna(0).to_numpy(float)
    depth = pd.to_numeric(sites[f"{sample}_depth"], errors="coerce").fillna(0).to_numpy(float)
    if f"{sample}_ref" in sites:
        ref = pd.to_numeric(sites[f"{sample}_ref"], errors="coerce").fillna(0).to_numpy(float)
    else:
        ref = depth - alt
    return alt, ref, depth


def _fraction(alt: np.ndarray, depth: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(depth > 0, alt / np.maximum(depth, 1), np.nan)


def hom_alt_mask(
    sites: pd.DataFrame, sample: str, reference_sample: str | None, settings: VariantSettings
) -> np.ndarray:
    """Germline homozygous-alt sites at which ``sample``'s ref reads measure its error
    rate: homozygous alt in ``reference_sample`` (or, without one, in ``sample`` itself,
    which truncates its error reads at 10% and under-estimates a little)."""
    alt, _, depth = _counts(sites, sample)
    min_depth = settings.error_site_min_depth
    own = (depth >= min_depth) & (np.nan_to_num(_fraction(alt, depth)) >= HOM_ALT_OWN_MIN_AF)
    if reference_sample is None:
        return own & (np.nan_to_num(_fraction(alt, depth)) >= 0.9)
    ref_alt, _, ref_depth = _counts(sites, reference_sample)
    other = (ref_depth >= min_depth) & (
        np.nan_to_num(_fraction(ref_alt, ref_depth)) >= HOM_ALT_MIN_AF
    )
    return own & other


def measure_error_rates(
    sites: pd.DataFrame,
    sample: str,
    settings: VariantSettings,
    reference_sample: str | None = None,
) -> tuple[ErrorRates, list[RateEstimate]]:
    """Per-allele error rates of ``sample`` (``line`` or ``parental``) by context.

    Returns the rates (measured where the hom-alt sites of a context hold at least
    ``error_rate_min_reads`` reads, else the configured default; never below
    ``min_allele_error_rate``) and one RateEstimate per context saying which."""
    mask = hom_alt_mask(sites, sample, reference_sample, settings)
    _, ref, depth = _counts(sites, sample)
    contexts = default_context(sites)
    defaults = settings.error_rate_defaults()
    floor = settings.min_allele_error_rate
    rates, estimates = {}, []
    for context in CONTEXTS:
        chosen = mask & (contexts == context)
        errors, reads = int(ref[chosen].sum()), int(depth[chosen].sum())
        if reads >= settings.error_rate_min_reads:
            upper = float(stats.beta.ppf(0.95, errors + 1, max(reads - errors, 1)))
            rate, source, reason = max(upper, floor), "measured", ""
        else:
            rate, source = max(defaults[context], floor), "default"
            reason = (
                f"{reads} reads at {int(chosen.sum())} homozygous-alt sites, fewer than "
                f"{settings.error_rate_min_reads} needed"
            )
        rates[context] = rate
        estimates.append(
            RateEstimate(sample, context, rate, errors, reads, int(chosen.sum()), source, reason)
        )
    return ErrorRates(**rates), estimates


def het_site_mask(
    sites: pd.DataFrame,
    sample: str,
    select_by: str,
    settings: VariantSettings,
    indels: bool = False,
) -> np.ndarray:
    """SNV (or, with ``indels``, indel) sites that ``select_by`` shows as heterozygous
    (fraction within 0.2-0.8, depth >= het_site_min_depth) and that ``sample`` covers:
    the counts of ``sample`` there are not truncated by the selection."""
    sel_alt, _, sel_depth = _counts(sites, select_by)
    _, _, depth = _counts(sites, sample)
    fraction = np.nan_to_num(_fraction(sel_alt, sel_depth), nan=-1.0)
    kind = (default_context(sites) == "snv") != indels
    return (
        kind
        & (sel_depth >= settings.het_site_min_depth)
        & (depth >= settings.het_site_min_depth)
        & (fraction >= HET_AF_RANGE[0])
        & (fraction <= HET_AF_RANGE[1])
    )


def sample_overdispersion(
    sites: pd.DataFrame,
    sample: str,
    select_by: str,
    settings: VariantSettings,
    indels: bool = False,
    usable: np.ndarray | None = None,
) -> Overdispersion:
    """Overdispersion of ``sample``'s counts at the heterozygous sites of ``select_by``
    (only where ``usable``, when given)."""
    mask = het_site_mask(sites, sample, select_by, settings, indels)
    if usable is not None:
        mask &= np.asarray(usable, dtype=bool)
    alt, _, depth = _counts(sites, sample)
    return estimate_overdispersion(
        alt[mask],
        depth[mask],
        floor=settings.overdispersion_floor,
        default=settings.overdispersion_default,
        min_sites=settings.overdispersion_min_sites,
    )


def estimate_noise(
    sites: pd.DataFrame,
    settings: VariantSettings,
    paired: bool = True,
    line_usable: np.ndarray | None = None,
) -> tuple[NoiseModel, dict]:
    """The noise model of one line (and its parental) from the donor's site table.

    ``line_usable`` (optional, one boolean per site) leaves sites out of the line's
    overdispersion fit: those inside the line's copy-number gains, losses and LOH,
    whose allele fractions are not heterozygous ones.

    Returns the model and a provenance dict for the findings: every error rate with its
    source and counts, and both overdispersion fits. Line-only mode: the line's rates are
    measured on its own hom-alt sites, its overdispersion is the default (no second
    sample selects heterozygous sites independently)."""
    if paired:
        line_rates, line_estimates = measure_error_rates(sites, "line", settings, "parental")
        parental_rates, parental_estimates = measure_error_rates(
            sites, "parental", settings, "line"
        )
        parental_fit = sample_overdispersion(sites, "parental", "line", settings)
        line_fit = sample_overdispersion(sites, "line", "parental", settings, False, line_usable)
        parental_indel = sample_overdispersion(sites, "parental", "line", settings, True)
        line_indel = sample_overdispersion(sites, "line", "parental", settings, True, line_usable)
    else:
        line_rates, line_estimates = measure_error_rates(sites, "line", settings, None)
        parental_rates, parental_estimates = line_rates, []
        rho = max(settings.overdispersion_default, settings.overdispersion_floor)
        line_fit = Overdispersion(
            rho, 0.5, 0.0, 0, "default", "line-only mode: no parental to select het sites"
        )
        parental_fit = line_indel = parental_indel = line_fit
    model = NoiseModel(
        line_error=line_rates,
        parental_error=parental_rates,
        line_rho=line_fit.rho,
        parental_rho=parental_fit.rho,
        het_mean=parental_fit.mean if parental_fit.source != "default" else 0.5,
        line_rho_indel=line_indel.rho if line_indel.source != "default" else None,
        parental_rho_indel=parental_indel.rho if parental_indel.source != "default" else None,
    )
    provenance = {
        "error_rates": [vars(e) for e in line_estimates + parental_estimates],
        "overdispersion": {
            "line": vars(line_fit),
            "parental": vars(parental_fit),
            "line_indel": vars(line_indel),
            "parental_indel": vars(parental_indel),
        },
    }
    return model, provenance
