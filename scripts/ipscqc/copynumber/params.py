"""Settings of the copy-number check (config ``copy_number:``)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Params:
    """Settings of the copy-number check (config.yaml `copy_number:`)."""

    max_n_fraction: float = 0.05
    min_gc: float = 0.2
    max_gc: float = 0.8
    min_reference_depth: float = 0.3  # relative to the expected depth of the chromosome
    max_reference_depth: float = 3.0
    gc_strata: int = 50
    min_het_depth: int = 10  # depth of the sample that defines the heterozygous sites
    min_baf_depth: int = 8  # depth of the line at those sites
    min_het_qual: float = 20.0
    penalty: float = 4.0  # change-point penalty, x log(n), on noise-scaled signals
    min_segment_bins: int = 20
    min_segment_snps: int = 20
    max_copy_number: int = 5
    min_call_bp: int = 100_000
    min_mosaic_fraction: float = 0.1
    min_llr: float = 15.0
    log2_se_floor: float = 0.01
    merge_llr: float = 10.0
    state_tolerance: float = 3.0  # log-likelihood units within which the simplest state wins
    whole_fraction: float = 0.9  # share of a chromosome or arm a call must cover
    genome_mismatch_fraction: float = 0.3

    @classmethod
    def from_config(cls, block: dict | None) -> Params:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (block or {}).items() if k in names})
