"""Y-chromosome depth calibrated to the build, and Y loss judged only where it can be.

Most of chrY does not take uniquely mapped short reads (ampliconic and palindromic
repeats, the X-transposed region, heterochromatin, the PARs masked or shared with X):
with reads of mapping quality >= 20 (mosdepth's filter in this pipeline), a normal male
reaches a depth ratio of about 0.5 only in the X-degenerate single-copy regions
(Skaletsky et al. 2003). The mean over all of chrY is lower by an amount that depends on
the build, the read length and the aligner, so a fixed expected ratio is wrong on real
genomes. Hence:

- the Y ratio is measured over the bins of a regions BED (the X-degenerate regions of
  the build, ``sex.y_regions``) when one is configured, else over every chrY bin with
  reads in some sample of the run;
- the ratio a normal male has is the parental's (the same bins, the same pipeline),
  when the line has a male parental;
- without a parental, only a regions BED gives an expected ratio: one copy of a region
  the autosomes have two of, 0.5 (``sex.y_regions_male_ratio``);
- with neither, Y loss cannot be assessed: ``y_loss`` is None and the reason says so.

Depth bins are mosdepth regions (0-based half-open, mean depth per bin); regions BEDs
are 0-based half-open too. A loss in a fraction f of cells lowers a male line's Y ratio
by the factor (1 - f).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class YSettings:
    """Settings of the Y measurement and loss rule (config ``sex:``).

    min_loss_fraction: cells that must have lost the Y for ``y_loss`` (0.3, as before).
    y_regions_male_ratio: expected ratio of a normal male over the regions BED when
      there is no parental (0.5: one copy against two of the autosomes; a
      property of single-copy regions, not of the data set).
    min_region_overlap: fraction of a bin inside the regions for it to count (0.5).
    min_y_bins: bins below which the Y ratio is not measured (10).
    """

    min_loss_fraction: float = 0.3
    y_regions_male_ratio: float = 0.5
    min_region_overlap: float = 0.5
    min_y_bins: int = 10

    @classmethod
    def from_config(cls, sex: dict) -> YSettings:
        """The settings of the config's ``sex:`` block (validated, defaults filled)."""
        return cls(
            min_loss_fraction=float(sex["min_loss_fraction"]),
            y_regions_male_ratio=float(sex["y_regions_male_ratio"]),
            min_region_overlap=float(sex["min_region_overlap"]),
            min_y_bins=int(sex["min_y_bins"]),
        )


@dataclass
class YMeasurement:
    ratio: float | None  # mean Y bin depth / median autosomal bin depth
    bins: int
    basis: str  # 'regions' or 'all chrY bins'


@dataclass
class YLoss:
    fraction: float | None  # of cells, 0-1
    flagged: bool | None
    expected_ratio: float | None
    # 'parental', 'regions', 'not_assessable' (a male line with neither), or None (not
    # a male line, or Y not measured)
    basis: str | None
    reason: str | None  # why not assessed, when it is not


def region_mask(bins: pd.DataFrame, regions: pd.DataFrame, min_overlap: float) -> np.ndarray:
    """Bins (chrom, start, end) with at least ``min_overlap`` of their length inside the
    regions (chrom, start, end); both 0-based half-open. Regions may overlap."""
    covered = np.zeros(len(bins), dtype=float)
    for chrom, group in regions.groupby("chrom", sort=False):
        on_chrom = np.flatnonzero(bins["chrom"].to_numpy() == chrom)
        if not on_chrom.size:
            continue
        starts = bins["start"].to_numpy()[on_chrom]
        ends = bins["end"].to_numpy()[on_chrom]
        merged = _merge(group["start"].to_numpy(), group["end"].to_numpy())
        for region_start, region_end in merged:
            overlap = np.minimum(ends, region_end) - np.maximum(starts, region_start)
            covered[on_chrom] += np.clip(overlap, 0, None)
    length = (bins["end"] - bins["start"]).to_numpy().astype(float)
    return covered >= min_overlap * np.maximum(length, 1.0)


def _merge(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    order = np.argsort(starts)
    merged: list[list[int]] = []
    for start, end in zip(starts[order], ends[order], strict=True):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], int(end))
        else:
            merged.append([int(start), int(end)])
    return [(a, b) for a, b in merged]


def y_depth(
    bins: pd.DataFrame,
    classes: np.ndarray,
    keep: np.ndarray,
    regions_mask: np.ndarray | None,
    settings: YSettings,
) -> YMeasurement:
    """Y ratio of one sample: mean depth of its chrY bins (those in the regions when a
    mask is given, else those kept: with reads in some sample of the run; every chrY bin
    when none has a read, as in a run of females) over the median of its kept autosomal
    bins. ``classes``: the contig class of each bin (GenomeModel.classes)."""
    depth = bins["depth"].to_numpy(dtype=float)
    autosomal = depth[(classes == "autosome") & keep]
    on_y = classes == "Y"
    if regions_mask is not None:
        chosen, basis = on_y & regions_mask, "regions"
    else:
        chosen, basis = on_y & keep, "all chrY bins"
        if not chosen.any():
            chosen = on_y
    n = int(chosen.sum())
    if not autosomal.size or not np.median(autosomal) or n < settings.min_y_bins:
        return YMeasurement(None, n, basis)
    return YMeasurement(float(np.mean(depth[chosen]) / np.median(autosomal)), n, basis)


def y_loss(
    line: YMeasurement,
    parental: YMeasurement | None,
    origin_sex: str | None,
    inferred_sex: str | None,
    settings: YSettings,
) -> YLoss:
    """Y loss of a line against the ratio a normal male of this build has.

    origin_sex: the sex the line started with (its parental's, else the declared one);
    inferred_sex: the line's own. The parental's measurement must use the same bins.
    """
    if origin_sex != "male":
        return YLoss(None, None, None, None, "not a male line: Y loss does not apply")
    if line.ratio is None:
        return YLoss(None, None, None, None, f"too few chrY bins ({line.bins}) to measure Y")
    if inferred_sex == "female":
        # a female genome where a male was expected: another individual, not a Y loss
        return YLoss(None, False, None, None, "the line's genome is female: identity, not Y loss")
    if parental is not None and parental.ratio:
        expected, basis = parental.ratio, "parental"
    elif line.basis == "regions":
        expected, basis = settings.y_regions_male_ratio, "regions"
    else:
        return YLoss(
            None,
            None,
            None,
            "not_assessable",
            "Y loss cannot be assessed: no male parental to measure the normal Y ratio "
            "and no Y regions BED (sex.y_regions) for this build",
        )
    fraction = max(0.0, 1.0 - line.ratio / expected)
    return YLoss(fraction, fraction >= settings.min_loss_fraction, expected, basis, None)
