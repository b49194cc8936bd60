"""Exclusion masks: configured BED and masks derived from the parental, on hand-built data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipscqc.checks.copy_number import CopyNumberInputs, analyse
from ipscqc.copynumber.allele_balance import AlleleBalanceModel, fit_allele_balance_model
from ipscqc.copynumber.masks import (
    bins_in_regions,
    covered_fraction,
    merge_regions,
    parental_balance_regions,
    parental_depth_regions,
    sites_in_regions,
)
from ipscqc.copynumber.params import MaskSettings, Params, Settings
from ipscqc.copynumber.segments import segment_and_fit
from ipscqc.genome import GenomeModel
from ipscqc.readers.bed import read_bed

BIN = 1000


def _regions(*rows):
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "name"])


def test_covered_fraction_by_hand():
    regions = _regions(("chr1", 100, 300, "a"), ("chr1", 250, 400, "b"), ("chr1", 900, 1000, "c"))
    merged = merge_regions(regions)
    assert merged[["start", "end"]].values.tolist() == [[100, 400], [900, 1000]]
    fraction = covered_fraction(
        np.array(["chr1", "chr1", "chr1", "chr2"]),
        np.array([0, 350, 500, 0]),
        np.array([200, 950, 600, 100]),
        regions,
    )
    # [0,200): 100 of 200; [350,950): 50 + 50 of 600; [500,600): none; chr2: none
    assert fraction == pytest.approx([0.5, 100 / 600, 0.0, 0.0])


def test_configured_bed_removes_bins_and_sites(tmp_path):
    path = tmp_path / "exclude.bed"
    path.write_text("# segmental duplications\nchr1\t1000\t2500\tsegdup\nchr2\t0\t10\n")
    regions = read_bed(str(path))
    assert regions["name"].tolist() == ["segdup", ""]
    bins = pd.DataFrame({"chrom": "chr1", "start": [0, 1000, 2000, 3000],
                         "end": [1000, 2000, 3000, 4000]})  # fmt: skip
    assert bins_in_regions(bins, regions, 0.5).tolist() == [False, True, True, False]
    assert bins_in_regions(bins, regions, 0.6).tolist() == [False, True, False, False]
    sites = pd.DataFrame({"chrom": ["chr1", "chr1", "chr2"], "pos": [999, 2499, 5]})
    assert sites_in_regions(sites, regions).tolist() == [False, True, True]


def _depth_bins(rng, relative):
    """Paired depth_signal-like table: parental corrected depth = relative x noise."""
    n = len(relative)
    return pd.DataFrame(
        {
            "chrom": "chr1",
            "start": np.arange(n) * BIN,
            "end": np.arange(n) * BIN + BIN,
            "parental_corrected": relative * rng.normal(1, 0.07, n),
            "reference_copies": 2,
        }
    )


def test_parental_depth_spikes_and_collapsed_duplications_are_masked_but_inherited_cnvs_stay():
    rng = np.random.default_rng(0)
    relative = np.ones(3000)
    relative[500:503] = 3.0  # a spike of three bins (problem region)
    relative[1000:1200] = 2.0  # a collapsed duplication: two extra copies
    relative[2000:2200] = 0.5  # an inherited one-copy loss of the donor
    relative[2500:2600] = 1.5  # an inherited gain
    regions = parental_depth_regions(_depth_bins(rng, relative), MaskSettings())
    masked = covered_fraction(
        np.full(3000, "chr1"), np.arange(3000) * BIN, np.arange(3000) * BIN + BIN, regions
    )
    assert (masked[500:503] > 0).all()
    assert masked[1010:1190].min() == 1.0
    assert masked[2000:2200].sum() < 5  # the inherited loss is kept (a few noisy edges)
    assert masked[2500:2600].sum() < 5
    assert masked[np.r_[0:450, 1300:1900, 2700:3000]].sum() <= 3  # hardly any false masks


def test_parental_paralogous_cluster_is_masked_by_allele_balance():
    rng = np.random.default_rng(1)
    n = rng.poisson(30, 1500) + 5
    fraction = np.full(1500, 0.5)
    fraction[600:680] = 0.25  # 80 paralogous "hets" of a segmental duplication
    alt = rng.binomial(n, fraction)
    het_calls = pd.DataFrame(
        {"chrom": "chr1", "pos": np.arange(1500) * 1500, "parental_ref_count": n - alt,
         "parental_alt_count": alt}
    )  # fmt: skip
    regions = parental_balance_regions(het_calls, 0.005, MaskSettings())
    inside = sites_in_regions(het_calls, regions)
    assert inside[610:670].all()
    assert inside[np.r_[0:550, 730:1500]].sum() == 0


def _simulate_paired(rng, length=3_000_000, depth=30, het_every=1500, segdup=None, spike=None):
    """One chromosome pair of line and parental with no acquired change; optional
    segmental duplication (paralogous hets at 0.25 in both samples) and depth spikes
    shared by both samples (a problem region). Site counts as the VCF reader gives them."""
    starts = np.arange(0, length, BIN)
    composition = pd.DataFrame({"chrom": "chr1", "start": starts, "end": starts + BIN,
                                "gc": 0.45, "n_fraction": 0.0})  # fmt: skip
    shared = np.ones(len(starts))
    if spike is not None:
        inside = (starts >= spike[0]) & (starts < spike[1])
        shared[inside] = rng.uniform(2.0, 6.0, inside.sum())  # spikes in every sample

    def depth_of():
        return rng.poisson(depth * BIN / 150 * shared) * 150 / BIN

    line = composition[["chrom", "start", "end"]].assign(depth=depth_of())
    parental = composition[["chrom", "start", "end"]].assign(depth=depth_of())
    positions = np.arange(500, length - 500, het_every)
    fraction = np.full(len(positions), 0.5)
    if segdup is not None:
        fraction[(positions >= segdup[0]) & (positions < segdup[1])] = 0.25
    n_l = rng.poisson(depth, len(positions)) + 5
    n_p = rng.poisson(depth, len(positions)) + 5
    alt_l, alt_p = rng.binomial(n_l, fraction), rng.binomial(n_p, fraction)
    counts = pd.DataFrame({"chrom": "chr1", "pos": positions, "ref_count": n_l - alt_l,
                           "alt_count": alt_l, "parental_ref_count": n_p - alt_p,
                           "parental_alt_count": alt_p, "parental_gq": np.nan})  # fmt: skip
    return composition, line, parental, counts


# masks that leave nothing out and a band that keeps every parental het: the check as
# it was before masks and the allele-balance filter
NO_MASKS = {"mask_max_depth_z": 1e9, "mask_min_relative_depth": 0.0,
            "mask_max_relative_depth": 1e9, "mask_max_unbalanced_excess": 1.0,
            "max_het_depth_ratio": 1e9, "min_het_allele_balance": 0.0,
            "max_het_allele_balance": 1.0}  # fmt: skip


def test_segmental_duplication_and_problem_region_give_no_call_with_paired_model_and_masks():
    rng = np.random.default_rng(2)
    segdup, spike = (1_000_000, 1_400_000), (2_200_000, 2_260_000)
    composition, line, parental, counts = _simulate_paired(rng, segdup=segdup, spike=spike)
    empty = _regions()
    inputs = CopyNumberInputs(
        sample="L", parental="P", sex="female", genome=GenomeModel.of("toy", {"chr1": 3_000_000}),
        composition=composition, line_depth=line, parental_depth=parental, site_counts=counts,
        centromeres=_regions(("chr1", 1_500_000, 1_520_000, "cen")), genes=empty,
        recurrent=empty,
    )  # fmt: skip
    base = {"mhc_region": "", "gate_event_bp": 1_000_000}

    def run(**settings):
        return analyse(inputs, Settings.from_config(base | settings)).tables

    # the binomial model against 0.5, unmasked, reads the paralogous stretch as cnLOH
    plain = run(allele_model="binomial", **NO_MASKS)
    calls = plain["calls"]
    assert ((calls["type"] == "cnloh") & (calls["start"] < segdup[1])).any()
    # the paired model with the derived masks and the band filter: nothing called
    guarded = run()
    assert guarded["calls"].empty
    removed = guarded["exclusion"].regions
    assert ((removed["start"] < segdup[1]) & (removed["end"] > segdup[0])).any()
    assert ((removed["start"] < spike[1]) & (removed["end"] > spike[0])).any()
    # on the same unmasked bins and sites, the strict paired model (each site against
    # the parental's own fraction, no shrinkage towards balance) gives no cnLOH either
    sites = plain["sites"].assign(
        parental_alt_count=counts["parental_alt_count"],
        parental_depth=counts["parental_ref_count"] + counts["parental_alt_count"],
    )
    assert len(sites) == len(counts)  # nothing was filtered or masked
    strict = AlleleBalanceModel(True, fit_allele_balance_model(sites).overdispersion, 1.0)
    segments = segment_and_fit(plain["bins"], sites, "female", Params(), inputs.genome, strict)
    assert not (segments["called"] & (segments["type"] == "cnloh")).any()
