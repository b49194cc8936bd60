"""Settings of the variant-origin decision, its detection limit and artefact rules.

One frozen (hashable) dataclass read from the ``variants`` block of the config: the
bars a user sets most often (``SHARED_KEYS``: the line and parental tests, hotspot
bars, clonality, detection power) come from ``variants`` itself, the statistics of the
noise model, artefact rules, representation matching and detection limit from
``variants.origin`` (schemas/config.schema.yaml lists each with its default and source).

Error rates are per allele: the probability that a read at a site without the allele
shows this particular allele (for an SNV one of the three wrong bases, not any).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# keys read from ``variants`` (the rest from ``variants.origin``)
SHARED_KEYS = (
    "min_alt_reads",
    "min_af",
    "max_p_line",
    "hotspot_min_alt_reads",
    "hotspot_max_p_line",
    "hotspot_min_depth",
    "min_depth",
    "min_parental_depth",
    "parental_min_alt_reads",
    "parental_max_p_present",
    "max_germline_lr",
    "parental_test",
    "max_p_parental",
    "lost_min_shift",
    "lost_max_p",
    "max_abs_rpbz",
    "min_mqbz",
    "clonal_max_p",
    "detection_power",
)


@dataclass(frozen=True)
class VariantSettings:
    """Thresholds of the origin decision (see docs/acquired_variants.md).

    Line evidence: ``min_alt_reads`` alt reads, fraction >= ``min_af``, binomial p of the
    alt count against the allele's error rate < ``max_p_line``. Hotspots use the same
    read and strand rules unless ``hotspot_min_alt_reads`` / ``hotspot_strand_rule``
    lower them; their error-p bar ``hotspot_max_p_line`` reflects the few positions
    tested (about 100 catalogue positions, against 3e9 genome-wide).
    """

    # line evidence
    min_alt_reads: int = 3
    min_af: float = 0.02
    max_p_line: float = 1e-6
    hotspot_min_alt_reads: int | None = None  # None: min_alt_reads
    hotspot_max_p_line: float = 1e-3
    hotspot_strand_rule: bool = True
    hotspot_min_depth: int = 20
    min_depth: int = 10
    # parental evidence
    min_parental_depth: int = 10
    parental_min_alt_reads: int = 2
    parental_max_p_present: float = 0.01
    max_germline_lr: float = 1e-3
    parental_test: str = "binomial"
    max_p_parental: float = 0.05
    max_p_mosaic: float = 1e-6
    targeted_max_p_mosaic: float = 0.01
    lost_min_shift: float = 0.3
    lost_max_p: float = 1e-3
    # strand and read-level artefacts
    strand_min_expected: float | None = 1.25
    strand_max_p: float = 1e-3
    max_abs_rpbz: float = 5.0
    min_mqbz: float = -5.0
    # panel of normals and recurrence
    pon_min_samples: int = 1
    pon_min_alt_reads: int = 2
    pon_vcf: str = ""  # read by the caller (artefacts.panel_of_normals takes alleles)
    recurrence_min_lines: int = 2
    # sequence context of indels
    repeat_min_length: int = 8
    long_repeat_min_length: int = 12
    max_repeat_period: int = 6
    # error rates per allele: defaults when the data cannot measure them, and a floor
    snv_error_rate: float = 1.6e-3
    indel_error_rate: float = 3.1e-3
    indel_repeat_error_rate: float = 7.3e-3
    indel_long_repeat_error_rate: float = 2.0e-2
    min_allele_error_rate: float = 1e-4
    error_rate_min_reads: int = 2000
    error_site_min_depth: int = 15
    # overdispersion of allele fractions at heterozygous sites
    overdispersion_default: float = 0.017
    overdispersion_floor: float = 1e-4
    overdispersion_min_sites: int = 50
    het_site_min_depth: int = 10
    # representation matching
    representation_window: int = 10
    representation_max_alleles: int = 8
    # clonality and detection limit
    clonal_max_p: float = 0.01
    detection_power: float = 0.8
    strand_fraction: float = 0.5
    detection_tolerance: float = 1e-8

    @property
    def effective_hotspot_min_alt_reads(self) -> int:
        if self.hotspot_min_alt_reads is None:
            return self.min_alt_reads
        return self.hotspot_min_alt_reads

    def error_rate_defaults(self) -> dict[str, float]:
        """Default per-allele error rate of each sequence context."""
        return {
            "snv": self.snv_error_rate,
            "indel": self.indel_error_rate,
            "indel_repeat": self.indel_repeat_error_rate,
            "indel_long_repeat": self.indel_long_repeat_error_rate,
        }

    @classmethod
    def from_config(cls, variants: dict) -> VariantSettings:
        """Settings from the config's ``variants`` block (shared keys) and its
        ``origin`` sub-block (the rest); unknown keys are ignored."""
        known = {field.name for field in fields(cls)}
        values = {key: variants[key] for key in SHARED_KEYS if key in variants}
        values.update(
            {key: value for key, value in (variants.get("origin") or {}).items() if key in known}
        )
        return cls(**values)
