"""Contamination of one sample: the fraction of its DNA from another individual, with
its 95% interval, or None with the reason when the data cannot give it.

This is the entry point of the contamination check (the model is in
contamination_model.py, the fitting in contamination_fit.py). It works with one donor
in the run: the foreign person need not be a sample of the run.

- The contaminant's genotypes are marginalised with the population allele frequency of
  each site when the site list gives one (INFO/AF of a somalier-style sites VCF), else
  with a frequency spectrum fitted to the data (``site_selection`` says how the list
  was made: 'population' for a sites file, 'donor_variants' for the run's own germline
  calls of ``donors_in_site_list`` donors).
- Against each other individual of the run (named sources, genotypes known) the same
  model is fitted with the contaminant's genotype fixed; a named source is reported
  when it explains the reads at least as well as an unknown person and beats no
  contamination by ``min_source_llr``.
- The donor's own genotype comes from an independent call (the parental's, when it is
  the same individual) or, without one, from the sample's own reads inside the model
  (its own calls are not used: they come from the same, possibly contaminated, reads).

All arrays are per site, in the same order; ``ref``/``alt`` are read counts of the two
alleles (FORMAT/AD), ``other`` (optional) reads with neither allele (FORMAT/DP minus
the AD sum); genotypes are alternate-allele dosages 0/1/2 and -1 for missing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .fit import ProfileEstimate, profile_estimate
from .model import MAX_FRACTION, SiteFrequencies, count_table


@dataclass(frozen=True)
class ContaminationSettings:
    """Settings of the contamination estimate (config ``contamination:``).

    min_depth: reads (ref + alt) a site needs to be used (10, as before).
    min_sites: sites with that depth below which nothing is estimated (1000: about the
      fewest with which the 95% interval reaches +-1 point at 30x, see
      docs/identity.md; somalier's published sites files hold about 17,000 sites).
    min_homozygous_sites: sites homozygous in the donor below which the fraction cannot
      be separated from allele balance (100).
    max_interval: widest 95% interval (upper - lower) that still yields a number (0.02:
      +-1 point, the precision needed to judge the release limit of 2%).
    min_source_llr: log-likelihood ratio against no contamination a named source needs
      before it is named (10, as before).
    site_selection / donors_in_site_list: how the site list was chosen (see module doc).
    """

    min_depth: int = 10
    min_sites: int = 1000
    min_homozygous_sites: int = 100
    max_interval: float = 0.02
    min_source_llr: float = 10.0
    site_selection: str = "donor_variants"
    donors_in_site_list: int = 1

    @classmethod
    def from_config(
        cls, contamination: dict, site_selection: str, donors_in_site_list: int
    ) -> ContaminationSettings:
        """The settings of the config's ``contamination:`` block (validated, defaults
        filled) and of the run's site list: 'population' for a sites file
        (identity.sites), 'donor_variants' for the run's own calls of that many donors."""
        return cls(
            min_depth=int(contamination["min_depth"]),
            min_sites=int(contamination["min_sites"]),
            min_homozygous_sites=int(contamination["min_homozygous_sites"]),
            max_interval=float(contamination["max_interval"]),
            min_source_llr=float(contamination["min_source_llr"]),
            site_selection=site_selection,
            donors_in_site_list=int(donors_in_site_list),
        )


@dataclass
class ContaminationEstimate:
    """One fit. ``fraction`` is None when it cannot be estimated (``reason`` says why);
    ``lower``/``upper`` (95% profile-likelihood interval) are kept whenever a fit ran."""

    fraction: float | None
    lower: float | None
    upper: float | None
    reason: str | None
    method: str
    source: str | None
    sites_used: int
    homozygous_sites: int
    error_rate: float | None = None
    het_balance: float | None = None
    call_error: float | None = None
    log_likelihood: float | None = None
    log_likelihood_ratio: float | None = None

    def as_item(self) -> dict:
        return asdict(self)


def _homozygous_sites(ref: np.ndarray, alt: np.ndarray, call: np.ndarray | None) -> int:
    """Sites where the donor is homozygous: by its call, else by the reads (allele
    fraction below 0.1 or above 0.9, robust to contamination up to about 20%)."""
    if call is not None:
        return int(np.isin(call, (0, 2)).sum())
    fraction = alt / np.maximum(ref + alt, 1)
    return int(((fraction < 0.1) | (fraction > 0.9)).sum())


def _frequencies(population_af, settings: ContaminationSettings) -> tuple[SiteFrequencies, str]:
    if population_af is not None:
        return (
            SiteFrequencies("per_site", np.asarray(population_af, float), "population", 1),
            "population allele frequencies of the site list (INFO/AF)",
        )
    return (
        SiteFrequencies("spectrum", None, settings.site_selection, settings.donors_in_site_list),
        "allele-frequency spectrum fitted to the data (no frequency per site)",
    )


def _run(ref, alt, call, other, frequencies, method, source, settings) -> ContaminationEstimate:
    sites = len(ref)
    homozygous = _homozygous_sites(ref, alt, call)

    def unknown(reason: str, fitted: ProfileEstimate | None = None) -> ContaminationEstimate:
        result = ContaminationEstimate(None, None, None, reason, method, source, sites, homozygous)
        if fitted is not None:
            _fill(result, fitted, call is not None)
        return result

    if sites < settings.min_sites:
        return unknown(
            f"only {sites} sites with depth >= {settings.min_depth} "
            f"(minimum {settings.min_sites}): contamination cannot be estimated"
        )
    if homozygous < settings.min_homozygous_sites:
        return unknown(
            f"only {homozygous} sites homozygous in the donor (minimum "
            f"{settings.min_homozygous_sites}): foreign alleles cannot be told apart from "
            "allele balance"
        )
    table = count_table(ref, alt, call, frequencies, other=other)
    fitted = profile_estimate(table)
    if not np.isfinite(fitted.fit.log_likelihood):
        return unknown("the likelihood could not be evaluated", None)
    width = fitted.upper - fitted.lower
    if width > settings.max_interval:
        return unknown(
            f"95% interval {fitted.lower:.3f}-{fitted.upper:.3f} is wider than "
            f"{settings.max_interval}: the data cannot pin the fraction (more sites or "
            "depth needed)",
            fitted,
        )
    result = ContaminationEstimate(
        fitted.fraction, None, None, None, method, source, sites, homozygous
    )
    _fill(result, fitted, call is not None)
    if fitted.upper >= MAX_FRACTION:
        result.reason = (
            "the fraction reaches the model's limit of 0.5: a mixture of two people in "
            "about equal parts"
        )
    return result


def _fill(result: ContaminationEstimate, fitted: ProfileEstimate, has_call: bool) -> None:
    params = fitted.fit.parameters
    result.lower, result.upper = fitted.lower, fitted.upper
    result.error_rate = params.error
    result.het_balance = params.het_balance
    result.call_error = params.call_error if has_call else None
    result.log_likelihood = fitted.fit.log_likelihood
    result.log_likelihood_ratio = fitted.log_likelihood_ratio


def _usable(ref, alt, settings, *arrays):
    ref, alt = np.asarray(ref, np.int64), np.asarray(alt, np.int64)
    keep = (ref + alt) >= settings.min_depth
    return [ref[keep], alt[keep]] + [None if a is None else np.asarray(a)[keep] for a in arrays]


def estimate_contamination(
    ref: np.ndarray,
    alt: np.ndarray,
    donor_genotype: np.ndarray | None,
    settings: ContaminationSettings,
    population_af: np.ndarray | None = None,
    other: np.ndarray | None = None,
) -> ContaminationEstimate:
    """Contamination by a person who is not (necessarily) in the run.

    donor_genotype: the donor's dosage from an independent sample (the parental when it
    is the same individual), or None. population_af: alternate-allele frequency of each
    site (NaN unknown), or None to fit a frequency spectrum.
    """
    ref, alt, call, af, other = _usable(ref, alt, settings, donor_genotype, population_af, other)
    frequencies, method = _frequencies(af, settings)
    return _run(ref, alt, call, other, frequencies, method, None, settings)


def estimate_against_source(
    ref: np.ndarray,
    alt: np.ndarray,
    donor_genotype: np.ndarray | None,
    source_name: str,
    source_genotype: np.ndarray,
    settings: ContaminationSettings,
    other: np.ndarray | None = None,
) -> ContaminationEstimate:
    """Contamination by a named sample of the run whose genotypes are known (sites
    where the source has no genotype are left out)."""
    ref, alt, call, source, other = _usable(
        ref, alt, settings, donor_genotype, source_genotype, other
    )
    known = np.isin(source, (0, 1, 2))
    ref, alt, source = ref[known], alt[known], source[known]
    call = None if call is None else call[known]
    other = None if other is None else other[known]
    frequencies = SiteFrequencies("named", source)
    return _run(
        ref, alt, call, other, frequencies, f"genotypes of {source_name}", source_name, settings
    )


def contamination_with_sources(
    ref: np.ndarray,
    alt: np.ndarray,
    donor_genotype: np.ndarray | None,
    sources: dict[str, np.ndarray],
    settings: ContaminationSettings,
    population_af: np.ndarray | None = None,
    other: np.ndarray | None = None,
) -> tuple[ContaminationEstimate, list[ContaminationEstimate]]:
    """The reported estimate and every fit behind it (unknown person first).

    A named source is reported when its fit converged to a number, beats no
    contamination by ``min_source_llr`` and explains the reads at least as well as an
    unknown person (its log-likelihood is not lower); otherwise the unknown-person
    estimate is reported. With no other individual in the run only the latter exists.
    """
    unknown = estimate_contamination(ref, alt, donor_genotype, settings, population_af, other)
    named = [
        estimate_against_source(ref, alt, donor_genotype, name, gt, settings, other)
        for name, gt in sorted(sources.items())
    ]
    reported = unknown
    candidates = [
        fit
        for fit in named
        if fit.fraction is not None
        and fit.log_likelihood_ratio is not None
        and fit.log_likelihood_ratio >= settings.min_source_llr
        and (unknown.log_likelihood is None or fit.log_likelihood >= unknown.log_likelihood)
    ]
    if candidates:
        reported = max(candidates, key=lambda fit: fit.log_likelihood)
    return reported, [unknown, *named]


def contamination_values(
    reported: ContaminationEstimate,
    fits: list[ContaminationEstimate],
    settings: ContaminationSettings,
    donor_genotype_from: str | None,
) -> tuple[dict, list, list]:
    """Values (every number the contamination check declares), items (one per fit,
    unknown person first) and notes of one sample's contamination findings.

    donor_genotype_from: the sample whose calls gave the donor's genotypes (its
    parental), or None when the sample's own reads did. Judging the fraction against
    the release limit is the gate's job (its fraction and its interval's lower bound).
    """
    notes = []
    if donor_genotype_from is None:
        notes.append(
            "the donor's genotypes come from the sample's own reads (no matching parental)"
        )
    else:
        notes.append(f"the donor's genotypes are {donor_genotype_from}'s calls")
    notes.append(f"contaminant allele frequencies: {reported.method}")
    if reported.reason:
        notes.append(reported.reason)
    if reported.fraction is not None and reported.source:
        notes.append(
            f"about {reported.fraction:.1%} foreign DNA, best explained by {reported.source}"
        )
    values = {
        "contamination_fraction": reported.fraction,
        "contamination_fraction_lower": reported.lower,
        "contamination_fraction_upper": reported.upper,
        "contamination_source": reported.source,
        "unknown_source_fraction": fits[0].fraction,
        "error_rate": reported.error_rate,
        "sites_used": reported.sites_used,
        "homozygous_sites": reported.homozygous_sites,
        "min_sites": settings.min_sites,
        "interval_width": None
        if reported.lower is None
        else round(reported.upper - reported.lower, 6),
        "max_interval": settings.max_interval,
    }
    items = [
        {
            "source": fit.source or "unknown person",
            "fraction": fit.fraction,
            "lower": fit.lower,
            "upper": fit.upper,
            "log_likelihood_ratio": fit.log_likelihood_ratio,
            "reported": fit is reported,
            **{
                key: value
                for key, value in fit.as_item().items()
                if key not in ("source", "fraction", "lower", "upper", "log_likelihood_ratio")
            },
        }
        for fit in fits
    ]
    return values, items, notes
