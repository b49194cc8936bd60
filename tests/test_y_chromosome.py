"""Y depth over a regions BED, and Y loss judged only where a normal ratio is known:
hand-built depth tables shaped like GRCh38 (chrY mostly unmappable)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.checks.sex import SPEC, SexEvidence, SexInputs, analyse, covered_bins, depth_ratios
from ipscqc.contract import config_defaults, validation_problems
from ipscqc.genome import GenomeModel
from ipscqc.y_chromosome import YSettings, region_mask, y_loss
from ipscqc.y_chromosome import y_depth as y_depth_of

SETTINGS = YSettings()
GENOME = GenomeModel.of("GRCh38")


def y_depth(bins, keep, mask, settings):
    return y_depth_of(bins, GENOME.classes(bins["chrom"]), keep, mask, settings)


BIN = 1000

# chrY of 100 bins: 20 X-degenerate bins (uniquely mappable), 50 ampliconic bins where
# MAPQ >= 20 keeps a tenth of a haplotype's depth, 30 bins of assembly gap (no reads)
X_DEGENERATE = [(10_000, 20_000), (50_000, 60_000)]  # 0-based half-open
AMPLICONIC = list(range(20, 50)) + list(range(60, 80))
GAP = list(range(0, 10)) + list(range(80, 100))


def _table(autosome: float, y_single: float) -> pd.DataFrame:
    """mosdepth-like bins: chr1, chr2 at ``autosome``; chrY with ``y_single`` in its
    X-degenerate bins, a tenth of it in ampliconic bins, 0 in gaps."""
    rows = [(c, i * BIN, (i + 1) * BIN, autosome) for c in ("chr1", "chr2") for i in range(50)]
    for i in range(100):
        depth = 0.0 if i in GAP else (y_single / 10 if i in AMPLICONIC else y_single)
        rows.append(("chrY", i * BIN, (i + 1) * BIN, depth))
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "depth"])


REGIONS = pd.DataFrame(
    [("chrY", a, b) for a, b in X_DEGENERATE] + [("chr1", 0, 3000)],
    columns=["chrom", "start", "end"],
)


def test_region_mask_takes_bins_mostly_inside():
    bins = pd.DataFrame(
        {"chrom": ["chrY"] * 4, "start": [0, 1000, 2000, 3000], "end": [1000, 2000, 3000, 4000]}
    )
    regions = pd.DataFrame({"chrom": ["chrY", "chrY"], "start": [900, 1500], "end": [1600, 2400]})
    # bin 0: 100 bp inside; bin 1: 1000 (merged 900-2400); bin 2: 400; bin 3: none
    assert region_mask(bins, regions, 0.5).tolist() == [False, True, False, False]
    assert region_mask(bins, regions, 0.4).tolist() == [False, True, True, False]


def test_y_ratio_over_the_x_degenerate_bins_is_one_copy():
    male = _table(30.0, 15.0)
    keep = covered_bins([male])
    mask = region_mask(male, REGIONS, SETTINGS.min_region_overlap)
    assert int((mask & (male["chrom"] == "chrY")).sum()) == 20
    over_regions = y_depth(male, keep, mask, SETTINGS)
    assert over_regions.ratio == pytest.approx(0.5)
    assert over_regions.bins == 20
    # every covered chrY bin: (20 * 15 + 50 * 1.5) / 70 / 30 = 0.179
    over_all = y_depth(male, keep, None, SETTINGS)
    assert over_all.ratio == pytest.approx((20 * 15 + 50 * 1.5) / 70 / 30)


def test_normal_male_line_without_parental_never_gets_y_loss():
    male = _table(30.0, 15.0)
    keep = covered_bins([male])
    # with the regions BED: expected 0.5, measured 0.5, no loss
    mask = region_mask(male, REGIONS, SETTINGS.min_region_overlap)
    loss = y_loss(y_depth(male, keep, mask, SETTINGS), None, "male", "male", SETTINGS)
    assert loss.flagged is False and loss.fraction == pytest.approx(0.0)
    assert loss.basis == "regions"
    # without it: cannot be assessed (not a loss against a constant)
    loss = y_loss(y_depth(male, keep, None, SETTINGS), None, "male", "male", SETTINGS)
    assert loss.flagged is None and loss.fraction is None
    assert "cannot be assessed" in loss.reason
    # a fixed expected ratio of 0.5 read this normal male as a Y loss in
    # 1 - 0.179 / 0.5 = 64% of cells; the check now says it cannot be assessed
    assert 1 - y_depth(male, keep, None, SETTINGS).ratio / 0.5 > SETTINGS.min_loss_fraction
    ratios = {**depth_ratios(male, GENOME, keep), "x_depth_ratio": 0.5}
    for measured, basis, flagged in (
        (y_depth(male, keep, None, SETTINGS), "not_assessable", None),
        (y_depth(male, keep, mask, SETTINGS), "regions", False),
    ):
        ratios["y_depth_ratio"] = measured.ratio
        evidence = SexEvidence(0.0, 300, ratios, measured)
        result = analyse(SexInputs("L1", None, "male", evidence), config_defaults("sex"))
        assert validation_problems(result.document(), SPEC) == []
        assert result.metrics["inferred_sex"] == "male"
        assert result.metrics["y_loss"] is flagged
        assert result.metrics["y_loss_basis"] == basis


@pytest.mark.parametrize("regions", [True, False])
def test_y_loss_in_half_of_the_cells_is_found_against_the_parental(regions):
    parental = _table(30.0, 15.0)
    line = _table(40.0, 10.0)  # deeper line; half of its cells lost the Y: 0.25 ratio
    keep = covered_bins([parental, line])
    mask = region_mask(parental, REGIONS, SETTINGS.min_region_overlap) if regions else None
    measured_line = y_depth(line, keep, mask, SETTINGS)
    measured_parental = y_depth(parental, keep, mask, SETTINGS)
    loss = y_loss(measured_line, measured_parental, "male", "male", SETTINGS)
    assert loss.basis == "parental"
    assert loss.fraction == pytest.approx(0.5)
    assert loss.flagged is True
    # the same line with its Y intact is not flagged
    intact = y_depth(_table(40.0, 20.0), keep, mask, SETTINGS)
    assert y_loss(intact, measured_parental, "male", "male", SETTINGS).flagged is False


def test_y_loss_does_not_apply_to_female_lines_or_female_genomes():
    female = _table(30.0, 0.0)
    keep = covered_bins([female, _table(30.0, 15.0)])
    measured = y_depth(female, keep, None, SETTINGS)
    assert y_loss(measured, None, "female", "female", SETTINGS).flagged is None
    # declared male, genome female: a different individual, identity says so
    swapped = y_loss(measured, y_depth(_table(30.0, 15.0), keep, None, SETTINGS), "male",
                     "female", SETTINGS)  # fmt: skip
    assert swapped.flagged is False and "identity" in swapped.reason


def test_too_few_y_bins_is_not_measured():
    male = _table(30.0, 15.0)
    tiny = pd.DataFrame([("chrY", 10_000, 12_000)], columns=["chrom", "start", "end"])
    mask = region_mask(male, tiny, 0.5)
    measured = y_depth(male, covered_bins([male]), mask, SETTINGS)
    assert measured.ratio is None and measured.bins == 2
    assert "too few chrY bins" in y_loss(measured, None, "male", "male", SETTINGS).reason


def test_autosomal_depth_is_the_median_of_kept_bins():
    male = _table(30.0, 15.0)
    male.loc[male.index[:5], "depth"] = 300.0  # a collapsed repeat on chr1
    mask = region_mask(male, REGIONS, 0.5)
    assert y_depth(male, np.ones(len(male), bool), mask, SETTINGS).ratio == pytest.approx(0.5)
