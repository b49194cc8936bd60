"""Settings of the copy-number check (config ``copy_number:``).

One flat config block; each dataclass below takes the keys it knows (``from_config``),
so that a key shared by two of them (the allele-balance band of heterozygous sites) is
one setting. Defaults live in ``schemas/config.schema.yaml`` too (the validated config
always carries every key); the ones here serve in-memory callers and tests.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


class _FromConfig:
    @classmethod
    def from_config(cls, block: dict | None):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (block or {}).items() if k in names})


@dataclass(frozen=True)
class Params(_FromConfig):
    """Signals, segmentation, state fit and calls."""

    max_n_fraction: float = 0.05
    min_gc: float = 0.2
    max_gc: float = 0.8
    min_reference_depth: float = 0.3  # relative to the expected depth of the chromosome
    max_reference_depth: float = 3.0
    gc_strata: int = 50
    penalty: float = 4.0  # change-point penalty, x log(n), on noise-scaled signals
    min_segment_bins: int = 20
    min_segment_snps: int = 20
    max_copy_number: int = 5
    min_call_bp: int = 100_000
    min_mosaic_fraction: float = 0.1
    min_llr: float = 15.0
    log2_se_floor: float = 0.01
    merge_llr: float = 10.0
    state_tolerance: float = 3.0  # log-likelihood cost of each step of state complexity
    whole_fraction: float = 0.9  # share of a chromosome or arm a call must cover
    genome_mismatch_fraction: float = 0.3
    allele_model: str = "beta_binomial"  # or "binomial" (against 0.5, no overdispersion)


@dataclass(frozen=True)
class SiteSettings(_FromConfig):
    """Which heterozygous SNVs of the parental are BAF sites, and the overdispersion bounds.

    Defaults: QUAL >= 20 (applied by the VCF reader); allele balance 0.3-0.7 at a
    heterozygous call (GATK's allele-balance annotation flags hets outside about 0.2-0.8
    as suspicious; 0.3-0.7 keeps about 97% of true hets at 30x); genotype quality >= 20
    (the usual GQ20 hard filter, 1% genotype error); parental depth >= ``min_het_depth``
    (10) and <= 2.5 x its median site depth (collapsed duplications pile up reads: Li
    2014, Bioinformatics 30:2843, filters sites
    above about 2-3x the mean depth); line depth >= ``min_baf_depth`` (8). Overdispersion:
    floor 0.001 (near-binomial libraries still have some), ceiling 0.2 (beyond that allele
    counts carry almost no information).
    """

    min_het_qual: float = 20.0
    min_het_allele_balance: float = 0.3
    max_het_allele_balance: float = 0.7
    min_het_gq: float = 20.0
    min_het_depth: int = 10
    max_het_depth_ratio: float = 2.5
    min_baf_depth: int = 8
    overdispersion_floor: float = 0.001
    overdispersion_ceiling: float = 0.2


@dataclass(frozen=True)
class MaskSettings(_FromConfig):
    """Defaults: a bin is left out when half of it lies in excluded regions; parental depth
    outliers at a robust z of 5 against the running median of 51 bins (Poisson noise at
    30x and 1 kb bins is about 7%, so z 5 is a 35% jump); smoothed parental depth kept
    between 0.35 and 1.75 of the expected copies (an inherited one-copy loss, 0.5, and
    gain, 1.5, stay in; collapsed two-copy duplications, 2.0, and unmappable stretches
    go); allele-balance windows of 25 parental het calls flagged when the share outside
    the het allele-balance band exceeds what their depths explain by 0.25."""

    mask_min_overlap: float = 0.5
    mask_depth_window: int = 51
    mask_max_depth_z: float = 5.0
    mask_min_relative_depth: float = 0.35
    mask_max_relative_depth: float = 1.75
    mask_balance_window: int = 25
    min_het_allele_balance: float = 0.3
    max_het_allele_balance: float = 0.7
    mask_max_unbalanced_excess: float = 0.25


GRCH38_MHC = "chr6:28500000-33500000"


@dataclass(frozen=True)
class ClassSettings(_FromConfig):
    """Defaults and sources: ``max_event_bp`` 5 Mb (CIRM iPSC repository: no deletion or
    amplification > 5 Mb; also G-banding's resolution); ``max_cnloh_bp`` 5 Mb
    (cytogenomic array practice reports regions of homozygosity from about 3-5 Mb up,
    and copy-neutral LOH is invisible to karyotyping: the same 5 Mb as for gains and
    losses); ``mhc_region`` chr6:28.5-33.5 Mb in GRCh38 (HLA class I to class II; set it
    for another build, empty for a genome without an MHC)."""

    max_event_bp: int = 5_000_000
    max_cnloh_bp: int = 5_000_000
    mhc_region: str = GRCH38_MHC

    @property
    def mhc(self) -> tuple[str, int, int] | None:
        """(chrom, start, end) of ``mhc_region`` ("chrom:start-end", 0-based half-open;
        commas allowed), None when empty."""
        text = (self.mhc_region or "").replace(",", "").strip()
        if not text:
            return None
        chrom, span = text.rsplit(":", 1)
        start, end = (int(part) for part in span.split("-"))
        if end <= start:
            raise ValueError(f"mhc_region {self.mhc_region!r}: end must follow start")
        return chrom, start, end


@dataclass(frozen=True)
class DetectionSettings(_FromConfig):
    """The gate figure: can the line see a ``gate_event_bp`` event (5 Mb: the karyotype
    release rule, Coriell/CIRM) in ``gate_event_fraction`` of cells (20%: SNP arrays'
    mosaicism floor, HipSci) for each of gain, loss and cnLOH, with
    ``detection_power`` (0.8). The limits themselves are stated at 20% and 50% of cells
    (``detection.FRACTIONS``: fixed, since they name declared numbers)."""

    gate_event_bp: int = 5_000_000
    gate_event_fraction: float = 0.2
    detection_power: float = 0.8


@dataclass(frozen=True)
class Settings:
    """Every setting of the check, from one config block."""

    params: Params = Params()
    sites: SiteSettings = SiteSettings()
    masks: MaskSettings = MaskSettings()
    classes: ClassSettings = ClassSettings()
    detection: DetectionSettings = DetectionSettings()

    @classmethod
    def from_config(cls, block: dict | None) -> Settings:
        return cls(
            Params.from_config(block),
            SiteSettings.from_config(block),
            MaskSettings.from_config(block),
            ClassSettings.from_config(block),
            DetectionSettings.from_config(block),
        )
