"""Sex inference: contig naming, depth ratios, X heterozygosity, edge cases, losses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.checks.sex import (
    SPEC,
    SexEvidence,
    SexInputs,
    analyse,
    covered_bins,
    infer_sex,
    sex_metrics,
    x_heterozygosity,
)
from ipscqc.checks.sex import depth_ratios as depth_ratios_of
from ipscqc.contract import config_defaults, validation_problems
from ipscqc.genome import GenomeModel
from ipscqc.y_chromosome import YMeasurement, YSettings, y_depth

GENOME = GenomeModel.of("GRCh38")


def depth_ratios(bins, keep=None):
    """X ratio of the check, and the Y ratio over every kept chrY bin (no regions BED)."""
    keep = np.ones(len(bins), dtype=bool) if keep is None else keep
    ratios = depth_ratios_of(bins, GENOME, keep)
    classes = GENOME.classes(bins["chrom"])
    if (classes == "Y").any():
        ratios["y_depth_ratio"] = y_depth(bins, classes, keep, None, YSettings()).ratio
    return ratios


def evidence_of(x_het, x_sites, ratios):
    """SexEvidence from ratios; the Y measured over 50 chrY bins when it has a ratio."""
    y = ratios.get("y_depth_ratio")
    measured = None if y is None else YMeasurement(y, 50, "all chrY bins")
    return SexEvidence(x_het, x_sites, {"autosomal_depth": 30.0, **ratios}, measured)


PARAMS = {
    "min_x_sites": 20,
    "female_min_x_het": 0.3,
    "male_max_x_het": 0.1,
    "y_present_min_ratio": 0.1,
    "two_x_min_ratio": 0.8,
    "one_x_max_ratio": 0.65,
    "min_loss_fraction": 0.3,
    "y_regions_male_ratio": 0.5,
    "min_region_overlap": 0.5,
    "min_y_bins": 10,
}


def _bins(depths: dict[str, float], bins_per_contig=50, noise=0.0, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for chrom, depth in depths.items():
        for i in range(bins_per_contig):
            value = max(0.0, depth + rng.normal(0, noise)) if depth else 0.0
            rows.append((chrom, i * 1000, (i + 1) * 1000, value))
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "depth"])


def test_depth_ratios_female_male_and_no_chry():
    female = depth_ratios(_bins({"chr1": 30, "chr2": 30, "chrX": 30, "chrY": 0}, noise=2))
    assert female["x_depth_ratio"] == pytest.approx(1.0, abs=0.05)
    assert female["y_depth_ratio"] == pytest.approx(0.0)
    male = depth_ratios(_bins({"1": 30, "2": 30, "X": 15, "Y": 15}, noise=2))
    assert male["x_depth_ratio"] == pytest.approx(0.5, abs=0.05)
    assert male["y_depth_ratio"] == pytest.approx(0.5, abs=0.05)
    no_y = depth_ratios(_bins({"chr1": 30, "chrX": 15}))
    assert no_y["y_depth_ratio"] is None
    assert no_y["x_depth_ratio"] == pytest.approx(0.5)


def test_depth_ratios_resist_a_trisomy_and_skip_gaps():
    # chr12 trisomy: 1.5x depth on one of three autosomes; the median ignores it
    bins = _bins({"chr1": 20, "chr12": 30, "chr17": 20, "chrX": 10, "chrY": 10})
    bins.loc[bins.index[:10], "depth"] = 0.0  # an assembly gap at the start of chr1
    keep = covered_bins([bins, bins])
    ratios = depth_ratios(bins, keep)
    assert ratios["autosomal_depth"] == pytest.approx(20)
    assert ratios["x_depth_ratio"] == pytest.approx(0.5)


def test_depth_ratios_without_autosomal_depth_are_unknown():
    ratios = depth_ratios(_bins({"chr1": 0, "chrX": 0}))
    assert ratios["x_depth_ratio"] is None and ratios["y_depth_ratio"] is None


def test_x_heterozygosity_counts_non_reference_calls_with_depth():
    gt = np.array([1, 1, 2, 0, 0, 1])
    depth = np.array([20, 20, 20, 20, 20, 3])
    het, n = x_heterozygosity(gt, depth, min_depth=10)
    assert n == 3
    assert het == pytest.approx(2 / 3)
    assert x_heterozygosity(np.array([0, 0]), np.array([20, 20]), 10) == (None, 0)


def test_findings_of_a_male_line_against_its_parental():
    evidence = evidence_of(0.01, 200, {"x_depth_ratio": 0.5, "y_depth_ratio": 0.45})
    result = analyse(
        SexInputs("L1", "P1", "male", evidence, evidence, "male"), config_defaults("sex")
    )
    assert validation_problems(result.document(), SPEC) == []
    assert result.metrics["inferred_sex"] == "male" and result.metrics["sex_matches"] is True
    assert result.metrics["y_loss"] is False and result.metrics["x_loss"] is None
    assert result.metrics["y_loss_basis"] == "parental"
    assert result.adequacy == {
        "y_bins": 50,
        "y_ratio_basis": "all chrY bins",
        "x_sites": 200,
        "min_x_sites": 20,
        "autosomal_depth": 30.0,
    }


@pytest.mark.parametrize(
    "x_het, x_sites, x_ratio, y_ratio, expected",
    [
        (0.6, 500, 1.0, 0.0, "female"),
        (0.0, 500, 0.5, 0.5, "male"),
        # no chrY in the reference: chrX alone decides
        (0.6, 500, 1.0, None, "female"),
        (0.01, 500, 0.5, None, "male"),
        # low depth: too few X calls, depth decides
        (None, 0, 1.02, 0.01, "female"),
        (0.5, 5, 0.48, 0.47, "male"),
        (None, 0, 0.5, None, "male"),
        (None, 0, 0.72, None, "ambiguous"),
        # X hets and a Y (XXY, or a mix of a female and a male sample)
        (0.6, 500, 1.0, 0.5, "ambiguous"),
        # one X haplotype, one X copy, no Y: Y-lost male or X-lost female
        (0.0, 500, 0.5, 0.0, "ambiguous"),
    ],
)
def test_infer_sex(x_het, x_sites, x_ratio, y_ratio, expected):
    inferred, evidence = infer_sex(x_het, x_sites, x_ratio, y_ratio, PARAMS)
    assert inferred == expected
    assert evidence or expected == "ambiguous"


def test_declared_sex_error_is_flagged():
    metrics, notes = sex_metrics(
        "male", evidence_of(0.62, 400, {"x_depth_ratio": 1.0, "y_depth_ratio": 0.0}), None,
        None, PARAMS,
    )  # fmt: skip
    assert metrics["inferred_sex"] == "female"
    assert metrics["sex_matches"] is False
    assert metrics["y_loss"] is False  # a female genome, not a lost Y
    assert any("declared sex male" in note for note in notes)


def test_mosaic_x_loss_in_a_female_line_against_its_parental():
    parental = evidence_of(0.55, 300, {"x_depth_ratio": 0.98, "y_depth_ratio": 0.0})
    # X lost in 50% of cells
    line = evidence_of(0.55, 300, {"x_depth_ratio": 0.98 * (1 - 0.5 / 2), "y_depth_ratio": 0.0})
    metrics, notes = sex_metrics("female", line, parental, "female", PARAMS)
    assert metrics["x_loss"] is True
    assert metrics["x_loss_fraction"] == pytest.approx(0.5)
    assert metrics["y_loss"] is None
    assert any("X loss" in note for note in notes)


def test_y_loss_in_a_male_line():
    parental = evidence_of(0.0, 300, {"x_depth_ratio": 0.5, "y_depth_ratio": 0.46})
    line = evidence_of(0.0, 300, {"x_depth_ratio": 0.5, "y_depth_ratio": 0.0})
    metrics, _ = sex_metrics("male", line, parental, "male", PARAMS)
    assert metrics["inferred_sex"] == "ambiguous"
    assert metrics["sex_matches"] is None
    assert metrics["y_loss"] is True
    assert metrics["y_loss_fraction"] == pytest.approx(1.0)
    kept = sex_metrics("male", parental, parental, "male", PARAMS)[0]
    assert kept["y_loss"] is False and kept["sex_matches"] is True


def test_no_chry_reference_leaves_y_unknown():
    metrics, notes = sex_metrics(
        "male", evidence_of(0.0, 300, {"x_depth_ratio": 0.5, "y_depth_ratio": None}), None,
        None, PARAMS,
    )  # fmt: skip
    assert metrics["inferred_sex"] == "male"
    assert metrics["y_loss"] is None
    assert any("no chrY" in note for note in notes)
