"""Stated detection limit: hand-computed cases through the same fit that decides."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from ipscqc.copynumber.detection import (
    DetectionSettings,
    LineNoise,
    detectable,
    detection_limits,
    smallest_detectable_bp,
)
from ipscqc.copynumber.params import Params


def noise_of(log2_sd=0.2, sites_per_mb=0.0, depth=30.0, largest=100_000_000, paired=True):
    depths = np.full(12, depth)
    return LineNoise(
        bin_size=1000.0,
        usable_fraction=1.0,
        log2_sd=log2_sd,
        sites_per_mb=sites_per_mb,
        line_depths=depths,
        parental_depths=depths if paired else None,
        overdispersion=0.005,
        paired=paired,
        mirrored_baf_sd=0.09,
        largest_span_bp=largest,
        chromosome_bins=2000,
        chromosome_sites=1300,
    )


def test_depth_only_gain_limit_matches_the_hand_computed_segmentation_bound():
    """Gain to 3 copies in 50% of cells: log2 0.322, per-bin sd 0.2. The fit needs
    sqrt(2 LLR) >= sqrt(2 x 15) + 0.84 (LLR = 0.5 k (0.322/0.2)^2: k >= 15.4 bins);
    segmentation needs sqrt(k) x 0.322/0.2 >= sqrt(2 x 4 x log 2000) + 0.84: k >= 28.8 bins,
    the binding bound."""
    params = Params(min_call_bp=10_000)
    delta = math.log2(1.25) / 0.2
    z = 0.8416
    bound_bins = ((math.sqrt(2 * 4.0 * math.log(2000)) + z) / delta) ** 2
    limit = smallest_detectable_bp(noise_of(), "gain", 0.5, params)
    assert limit == pytest.approx(bound_bins * 1000, rel=0.03)
    assert not detectable(noise_of(), "gain", 0.5, 0.95 * bound_bins * 1000, params, 0.8)
    assert detectable(noise_of(), "gain", 0.5, 1.05 * bound_bins * 1000, params, 0.8)


def test_min_call_bp_floors_the_limit_and_smaller_fractions_need_larger_events():
    """Also: at the threshold fraction itself (10% = min_mosaic_fraction) nothing is
    stated as detectable, since the fitted fraction falls below it half of the time."""
    params = Params()
    line = noise_of(sites_per_mb=600)
    # floor: min_call_bp plus the 5 bins at each end a called event may lose
    floor = params.min_call_bp + 10 * 1000
    assert smallest_detectable_bp(line, "gain", 0.5, params) == pytest.approx(floor, rel=0.01)
    at_20 = smallest_detectable_bp(line, "gain", 0.2, params)
    at_10 = smallest_detectable_bp(line, "gain", 0.15, params)
    assert floor * 1.01 < at_20 < at_10
    assert smallest_detectable_bp(line, "gain", params.min_mosaic_fraction, params) is None
    noisy = smallest_detectable_bp(noise_of(log2_sd=0.4, sites_per_mb=600), "gain", 0.2, params)
    assert noisy > at_20


def test_cnloh_needs_allele_sites_and_gets_easier_with_more_of_them():
    params = Params()
    assert smallest_detectable_bp(noise_of(sites_per_mb=0), "cnloh", 0.5, params) is None
    sparse = smallest_detectable_bp(noise_of(sites_per_mb=100), "cnloh", 0.2, params)
    dense = smallest_detectable_bp(noise_of(sites_per_mb=700), "cnloh", 0.2, params)
    assert dense is not None and sparse is not None and dense < sparse


def test_gate_figure_says_whether_a_5_mb_event_in_20_percent_of_cells_is_visible():
    params = Params()
    good = detection_limits(noise_of(sites_per_mb=600), params)
    assert good["sees_gate_event"] is True
    assert good["detection_limit_cnloh_20pct_bp"] < 5_000_000
    blind = detection_limits(noise_of(log2_sd=3.0, sites_per_mb=2), params)
    assert blind["sees_gate_event"] is False
    assert blind["detection_limit_gain_20pct_bp"] > 5_000_000
    small_genome = detection_limits(noise_of(sites_per_mb=600, largest=3_000_000), params)
    assert small_genome["sees_gate_event"] is None  # cannot be estimated: fail closed
    custom = detection_limits(
        noise_of(sites_per_mb=600, largest=3_000_000),
        params,
        DetectionSettings(gate_event_bp=2_000_000),
    )
    assert custom["sees_gate_event"] is True


def test_line_noise_measures_the_lines_own_noise_and_site_density():
    import pandas as pd
    from ipscqc.checks.copy_number import CopyNumberInputs, analyse
    from ipscqc.copynumber.params import Settings
    from ipscqc.genome import GenomeModel

    rng = np.random.default_rng(11)
    length, reads_per_bin = 3_000_000, 200  # 30x of 150 bp reads in 1 kb bins
    starts = np.arange(0, length, 1000)
    composition = pd.DataFrame({"chrom": "chr1", "start": starts, "end": starts + 1000,
                                "gc": 0.45, "n_fraction": 0.0})  # fmt: skip

    def depth():
        return composition[["chrom", "start", "end"]].assign(
            depth=rng.poisson(reads_per_bin, len(starts)) * 0.15
        )

    positions = np.arange(500, length - 500, 1500)
    n = rng.poisson(30, len(positions)) + 5
    n_p = rng.poisson(30, len(positions)) + 5
    alt, alt_p = rng.binomial(n, 0.5), rng.binomial(n_p, 0.5)
    counts = pd.DataFrame(
        {"chrom": "chr1", "pos": positions, "ref_count": n - alt, "alt_count": alt,
         "parental_ref_count": n_p - alt_p, "parental_alt_count": alt_p, "parental_gq": np.nan}
    )  # fmt: skip
    centromeres = pd.DataFrame({"chrom": ["chr1"], "start": [1_500_000], "end": [1_520_000],
                                "name": ["cen"]})  # fmt: skip
    empty = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    inputs = CopyNumberInputs(
        sample="L", parental="P", sex="female", genome=GenomeModel.of("toy", {"chr1": length}),
        composition=composition, line_depth=depth(), parental_depth=depth(), site_counts=counts,
        centromeres=centromeres, genes=empty, recurrent=empty,
    )  # fmt: skip
    settings = Settings.from_config({"mhc_region": "", "gate_event_bp": 1_000_000})
    noise = analyse(inputs, settings).tables["noise"]
    # log2 of a ratio of two Poisson(200) counts: sd about sqrt(2 / 200) / ln 2 = 0.144
    assert noise.log2_sd == pytest.approx(math.sqrt(2 / reads_per_bin) / math.log(2), rel=0.1)
    assert noise.sites_per_mb == pytest.approx(1e6 / 1500, rel=0.05)
    assert noise.bin_size == 1000
    assert noise.paired and noise.parental_depths is not None
    assert noise.largest_span_bp == pytest.approx(length, rel=0.01)


def test_a_mirrored_baf_without_spread_leaves_the_limit_to_depth():
    """Every site at one allele (another donor's genome): the mirrored BAF has no spread
    and no scale for a shift, so a cnLOH (no depth change) is not detectable at any size,
    while a gain is, by depth as with the BAF."""
    params = Params()
    flat = replace(noise_of(sites_per_mb=600), mirrored_baf_sd=0.0)
    assert smallest_detectable_bp(flat, "cnloh", 0.5, params) is None
    with_baf = smallest_detectable_bp(noise_of(sites_per_mb=600), "cnloh", 0.5, params)
    assert with_baf is not None
    assert smallest_detectable_bp(flat, "gain", 0.5, params) is not None
