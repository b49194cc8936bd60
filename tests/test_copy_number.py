"""Unit tests of the copy-number check on hand-built signals (no workflow, no tools)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest
from ipscqc import cn_figure
from ipscqc.checks.copy_number import SPEC, CopyNumberInputs, analyse
from ipscqc.contract import validation_problems
from ipscqc.copynumber.calls import classify_scope, segments_for_findings
from ipscqc.copynumber.model import (
    baf_log_likelihood,
    expected_log2,
    expected_major_baf,
    fit_segment,
)
from ipscqc.copynumber.params import Params, Settings, SiteSettings
from ipscqc.copynumber.signal import bin_composition, density_mode, depth_signal, gc_expected
from ipscqc.copynumber.sites import baf_sites
from ipscqc.genome import GenomeModel
from ipscqc.readers.bed import read_bed
from ipscqc.readers.gff3 import read_annotation
from ipscqc.readers.vcf import read_het_site_counts
from ipscqc.segmentation import change_points, merge_breaks, robust_sd, segments_from_breaks

REPO = Path(__file__).resolve().parents[1]
BIN = 1000

# ------------------------------------------------------------------ synthetic genome


def synthetic_sample(
    rng: np.random.Generator,
    chromosomes: dict[str, int],
    events: list[tuple[str, int, int, int, int, float]],
    depth: float = 30.0,
    parental_depth: float = 30.0,
    het_every: int = 1500,
    sex: str = "female",
    gc_bias: float = 1.5,
):
    """Composition, line and parental mosdepth-like bins and het sites of a line with
    the given events (chrom, start, end, copies, major copies, fraction of cells)."""
    frames = []
    for chrom, length in chromosomes.items():
        starts = np.arange(0, length, BIN)
        gc = np.clip(
            0.42 + 0.08 * np.sin(starts / 97_000.0) + rng.normal(0, 0.03, len(starts)), 0.25, 0.7
        )
        frames.append(
            pd.DataFrame(
                {
                    "chrom": chrom,
                    "start": starts,
                    "end": np.minimum(starts + BIN, length),
                    "gc": gc,
                    "n_fraction": 0.0,
                }
            )  # fmt: skip
        )
    composition = pd.concat(frames, ignore_index=True)
    bias = 1 + gc_bias * (composition["gc"] - 0.45) - 6 * (composition["gc"] - 0.45) ** 2
    c0 = np.where(composition["chrom"].eq("chrX") & (sex == "male"), 1.0, 2.0)  # reference copies
    copies = c0.copy()
    for chrom, start, end, c, _m, f in events:
        inside = (
            composition["chrom"].eq(chrom)
            & (composition["start"] >= start)
            & (composition["end"] <= end)
        )
        copies[inside] = (1 - f) * c0[inside] + f * c
    line = rng.poisson(depth * bias * copies / 2 * 6.67) / 6.67
    parental = rng.poisson(parental_depth * bias * c0 / 2 * 6.67) / 6.67
    line_depth = composition[["chrom", "start", "end"]].assign(depth=line)
    parental_depth_table = composition[["chrom", "start", "end"]].assign(depth=parental)
    rows = []
    for chrom, length in chromosomes.items():
        if chrom == "chrX" and sex == "male":
            continue
        positions = np.sort(
            rng.choice(np.arange(500, length - 500), length // het_every, replace=False)
        )
        major = np.full(len(positions), 0.5)
        for e_chrom, start, end, c, m, f in events:
            if e_chrom == chrom:
                inside = (positions >= start) & (positions < end)
                major[inside] = float(expected_major_baf(c, m, f, 2, 1))
        n = rng.poisson(depth, len(positions))
        flip = rng.random(len(positions)) < 0.5
        alt = rng.binomial(n, np.where(flip, major, 1 - major))
        rows.append(
            pd.DataFrame({"chrom": chrom, "pos": positions, "ref_count": n - alt, "alt_count": alt})
        )
    sites = pd.concat(rows, ignore_index=True)
    # the parental's counts at its heterozygous sites: balanced, at its own depth
    n_parental = rng.poisson(parental_depth, len(sites))
    alt_parental = rng.binomial(n_parental, 0.5)
    sites["parental_ref_count"] = n_parental - alt_parental
    sites["parental_alt_count"] = alt_parental
    sites["parental_gq"] = np.nan  # no GQ in these calls
    return composition, line_depth, parental_depth_table, sites


CHROMOSOMES = {"chr1": 3_000_000, "chr12": 2_000_000, "chr18": 1_500_000, "chr20": 2_000_000,
               "chrX": 2_000_000}  # fmt: skip
CENTROMERES = pd.DataFrame(
    {"chrom": list(CHROMOSOMES), "start": [1_477_010, 522_733, 335_265, 862_075, 766_719],
     "end": [1_497_010, 542_733, 355_265, 882_075, 786_719], "name": "cen"}
)  # fmt: skip
GENES = pd.DataFrame(
    {"chrom": ["chr20", "chr20", "chr1"], "start": [969_123, 1_000_091, 100_000],
     "end": [986_878, 1_007_159, 110_000], "name": ["HM13", "BCL2L1", "FAR"]}
)  # fmt: skip
RECURRENT = pd.DataFrame(
    {"chrom": ["chr20", "chr18"], "start": [969_123, 355_265], "end": [1_133_656, 1_500_000],
     "name": ["20q11.21", "18q"]}
)  # fmt: skip
DRIVERS = pd.DataFrame(
    {"chrom": ["chr20"], "start": [969_123], "end": [1_007_159], "name": ["20q11.21"],
     "direction": ["gain"], "genes": ["HM13,BCL2L1"]}
)  # fmt: skip
# no MHC in the synthetic genome; a gate event that fits its 3 Mb chromosomes
SETTINGS = Settings.from_config({"mhc_region": "", "gate_event_bp": 1_000_000})
TOY_EVENTS = [
    ("chr20", 949_000, 1_749_000, 3, 2, 0.5),
    ("chr12", 0, 2_000_000, 3, 2, 1.0),
    ("chr1", 2_200_000, 3_000_000, 2, 2, 0.8),
    ("chr18", 900_000, 1_500_000, 1, 1, 0.4),
]


GENOME = GenomeModel.of("toy", ["chr1", "chr12", "chr17", "chr18", "chr20", "chrX", "chrY"])


class Result:
    """A check's findings and the tables that ride along, as attributes."""

    def __init__(self, findings):
        self.findings = findings.document()
        self.bins, self.sites = findings.tables["bins"], findings.tables["sites"]
        self.segments, self.calls = findings.tables["segments"], findings.tables["calls"]
        assert validation_problems(self.findings, SPEC) == []


def run_synthetic(events, sex="female", parental=True, seed=3, **kwargs):
    rng = np.random.default_rng(seed)
    composition, line, parental_depth, sites = synthetic_sample(
        rng, CHROMOSOMES, events, sex=sex, **kwargs
    )
    if not parental:  # line-only: the line's own calls and counts define the sites
        sites = sites.assign(
            parental_ref_count=sites["ref_count"], parental_alt_count=sites["alt_count"]
        )
    inputs = CopyNumberInputs(
        sample="L1",
        parental="P1" if parental else None,
        sex=sex,
        genome=GENOME,
        composition=composition,
        line_depth=line,
        parental_depth=parental_depth if parental else None,
        site_counts=sites,
        centromeres=CENTROMERES,
        genes=GENES,
        recurrent=RECURRENT,
        drivers=DRIVERS,
        tumour_suppressors=frozenset({"FAR_TS"}),
    )
    return Result(analyse(inputs, SETTINGS))


# ------------------------------------------------------------------------ correction


def test_gc_correction_removes_the_gc_trend():
    rng = np.random.default_rng(0)
    gc = rng.uniform(0.3, 0.6, 5000)
    depth = 30 * (1 + 2 * (gc - 0.45) - 8 * (gc - 0.45) ** 2) * rng.normal(1, 0.05, 5000)
    corrected = depth / gc_expected(depth, gc, np.ones(5000, bool), 50)
    assert abs(np.corrcoef(gc, depth)[0, 1]) > 0.5
    assert abs(np.corrcoef(gc, corrected)[0, 1]) < 0.05
    assert np.median(corrected) == pytest.approx(1.0, abs=0.02)


def test_density_mode_ignores_a_large_gained_minority():
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(0, 0.15, 6000), rng.normal(0.58, 0.15, 3000)])
    assert abs(np.median(values)) > 0.1  # the median is pulled towards the gain
    assert abs(density_mode(values)) < 0.05


def test_depth_signal_paired_male_x_and_a_gain():
    rng = np.random.default_rng(2)
    composition, line, parental, _ = synthetic_sample(
        rng, CHROMOSOMES, [("chr12", 0, 2_000_000, 3, 2, 1.0)], sex="male"
    )
    bins, sex = depth_signal(composition, line, parental, "unknown", Params(), GENOME)
    assert sex == "male"  # inferred from the parental's chrX depth
    used = bins[bins["used"]]
    assert used["chrom"].eq("chrX").sum() > 1500  # chrX kept despite half depth
    by_chrom = used.groupby("chrom")["log2"].median()
    assert by_chrom["chr12"] == pytest.approx(np.log2(1.5), abs=0.05)
    assert by_chrom["chr1"] == pytest.approx(0, abs=0.03)
    assert by_chrom["chrX"] == pytest.approx(0, abs=0.03)


def test_line_gc_model_is_refitted_away_from_a_low_gc_trisomy(monkeypatch):
    """A trisomy of a low-GC chromosome inflates the line's low-GC strata; fitted on all
    bins, the GC model then pushes copy-neutral low-GC bins below zero."""
    from ipscqc.copynumber import signal as copy_number

    rng = np.random.default_rng(5)
    layout = [("chr1", 3_000_000, 0.3, 0.55), ("chr12", 1_500_000, 0.3, 0.40),
              ("chr18", 1_500_000, 0.3, 0.55)]  # fmt: skip
    frames = []
    for chrom, length, low, high in layout:
        starts = np.arange(0, length, BIN)
        frames.append(pd.DataFrame({"chrom": chrom, "start": starts, "end": starts + BIN,
                                    "gc": rng.uniform(low, high, len(starts)),
                                    "n_fraction": 0.0}))  # fmt: skip
    composition = pd.concat(frames, ignore_index=True)
    copies = np.where(composition["chrom"].eq("chr12"), 3.0, 2.0)
    line_bias = 1 + 2.0 * (composition["gc"] - 0.45)
    parental_bias = 1 + 1.0 * (composition["gc"] - 0.45)
    coordinates = composition[["chrom", "start", "end"]]
    line = coordinates.assign(depth=rng.poisson(35 * line_bias * copies / 2 * 6.67) / 6.67)
    parental = coordinates.assign(depth=rng.poisson(20 * parental_bias * 6.67) / 6.67)

    def signal():
        bins, _ = depth_signal(composition, line, parental, "female", Params(), GENOME)
        used = bins[bins["used"]]
        low_gc = used[used["chrom"].ne("chr12") & (used["gc"] < 0.36)]["log2"].median()
        return low_gc, used[used["chrom"].eq("chr12")]["log2"].median()

    low_gc, trisomy = signal()
    assert low_gc == pytest.approx(0, abs=0.03)
    assert trisomy == pytest.approx(np.log2(1.5), abs=0.05)
    monkeypatch.setattr(copy_number, "GC_REFIT_DEPARTURE", np.inf)  # no refit
    low_gc, _ = signal()
    assert low_gc < -0.05


def test_depth_signal_line_only_uses_the_expected_copies_of_chrx():
    rng = np.random.default_rng(2)
    composition, line, _, _ = synthetic_sample(rng, CHROMOSOMES, [], sex="male")
    bins, _ = depth_signal(composition, line, None, "male", Params(), GENOME)
    by_chrom = bins[bins["used"]].groupby("chrom")["log2"].median()
    assert by_chrom["chrX"] == pytest.approx(0, abs=0.03)
    assert by_chrom["chr20"] == pytest.approx(0, abs=0.03)


def test_bins_with_ns_or_no_parental_reads_are_not_used():
    rng = np.random.default_rng(4)
    composition, line, parental, _ = synthetic_sample(rng, {"chr1": 200_000}, [])
    composition.loc[10, "n_fraction"] = 0.5
    parental.loc[20, "depth"] = 0.0
    bins, _ = depth_signal(composition, line, parental, "female", Params(), GENOME)
    assert not bins.loc[10, "used"] and not bins.loc[20, "used"]
    assert bins["used"].sum() >= 195


def test_bin_composition_matches_mosdepth_layout(tmp_path):
    fasta = tmp_path / "g.fa"
    fasta.write_text(">c1\n" + "GC" * 500 + "AT" * 250 + "N" * 500 + "ACGT" * 100 + "\n")
    pysam.faidx(str(fasta))
    table = bin_composition(str(fasta), ["c1"], 1000)
    assert table["start"].tolist() == [0, 1000, 2000]
    assert table["end"].tolist() == [1000, 2000, 2400]
    assert table["gc"].tolist() == pytest.approx([1.0, 0.0, 0.5])
    assert table["n_fraction"].tolist() == pytest.approx([0.0, 0.5, 0.0])


# ------------------------------------------------------------------------------ BAF


def test_expected_signals_of_the_usual_states():
    assert float(expected_log2(3, 1.0, 2)) == pytest.approx(np.log2(1.5))
    assert float(expected_log2(1, 0.4, 2)) == pytest.approx(np.log2(0.8))
    assert float(expected_log2(2, 0.8, 2)) == 0.0
    assert float(expected_major_baf(3, 2, 1.0, 2, 1)) == pytest.approx(2 / 3)
    assert float(expected_major_baf(3, 2, 0.5, 2, 1)) == pytest.approx(0.6)
    assert float(expected_major_baf(1, 1, 0.4, 2, 1)) == pytest.approx(1 / 1.6)
    # copy-neutral LOH in a fraction f of cells shifts the BAF by f/2
    assert float(expected_major_baf(2, 2, 0.8, 2, 1)) == pytest.approx(0.5 + 0.8 / 2)


def test_baf_likelihood_peaks_at_the_true_imbalance_without_phase():
    rng = np.random.default_rng(5)
    depth = rng.poisson(30, 800)
    major = 0.65
    alt = rng.binomial(depth, np.where(rng.random(800) < 0.5, major, 1 - major))
    grid = np.linspace(0.5, 0.95, 46)
    ll = baf_log_likelihood(alt, depth, grid)
    assert grid[np.argmax(ll)] == pytest.approx(major, abs=0.02)


def _write_vcf(path: Path, records: list[str]) -> str:
    header = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=100000>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP1\tL1",
    ]
    path.write_text("\n".join(header + records) + "\n")
    return pysam.tabix_index(str(path), preset="vcf", force=True)


def test_het_sites_are_the_parentals_and_read_the_lines_counts(tmp_path):
    vcf = _write_vcf(
        tmp_path / "d.vcf",
        [
            "chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:10,12\t0/0:25,0",  # LOH in line
            "chr1\t200\t.\tC\tT\t50\tPASS\t.\tGT:AD\t0/0:20,0\t0/1:10,10",  # acquired
            "chr1\t300\t.\tG\tA\t50\tPASS\t.\tGT:AD\t0/1:4,4\t0/1:10,10",  # shallow parental
            "chr1\t400\t.\tG\tGA\t50\tPASS\t.\tGT:AD\t0/1:10,10\t0/1:10,10",  # indel
            "chr1\t500\t.\tT\tC\t5\tPASS\t.\tGT:AD\t0/1:10,10\t0/1:10,10",  # low QUAL
            "chr1\t600\t.\tT\tC\t50\tPASS\t.\tGT:AD\t0/1:11,9\t0/1:12,18",
        ],
    )
    counts = read_het_site_counts(vcf, "L1", "P1", ["chr1"], min_qual=20)
    assert counts["pos"].tolist() == [99, 299, 599]  # 0-based; SNVs het in P1, QUAL >= 20
    assert counts["parental_alt_count"].tolist() == [12, 4, 9]
    assert counts["parental_gq"].isna().all()  # no GQ in this VCF
    sites, het_calls, removed = baf_sites(counts, SiteSettings(), paired=True)
    assert sites["pos"].tolist() == [99, 599]  # the shallow parental site is left out
    assert sites["alt_count"].tolist() == [0, 18]
    assert sites["baf"].tolist() == pytest.approx([0.0, 0.6])
    assert removed["parental_depth_low"] == 1 and removed["genotype_quality"] is None
    assert len(het_calls) == 3
    line_only = read_het_site_counts(vcf, "L1", "L1", ["chr1"], min_qual=20)
    sites, _, _ = baf_sites(line_only, SiteSettings(), paired=False)
    assert sites["pos"].tolist() == [199, 299, 599]


# ---------------------------------------------------------------------- segmentation


def test_change_points_find_steps_in_noise():
    rng = np.random.default_rng(6)
    signal = rng.normal(0, 0.2, 3000)
    signal[1000:1800] += 0.3
    signal[2500:] -= 0.25
    breaks = change_points(signal, 4.0, 20)
    assert len(breaks) == 3
    assert [abs(b - t) <= 10 for b, t in zip(breaks, [1000, 1800, 2500], strict=True)] == [True] * 3
    assert change_points(rng.normal(0, 0.2, 3000), 4.0, 20) == []
    assert robust_sd(signal) == pytest.approx(0.2, rel=0.1)


def test_merge_breaks_snaps_and_drops_slivers():
    assert merge_breaks([100, 500], [103, 300, 505], snap=10, min_size=20, n=1000) == [
        100,
        300,
        500,
    ]
    # a secondary break 15 bins from a primary one would leave a sliver: dropped
    assert merge_breaks([100], [115], snap=10, min_size=20, n=1000) == [100]
    assert segments_from_breaks(10, [4]) == [(0, 4), (4, 10)]


# ------------------------------------------------------------------------ the fit


@pytest.mark.parametrize(
    ("copies", "major", "fraction"),
    [(3, 2, 0.5), (3, 2, 1.0), (2, 2, 0.8), (1, 1, 0.4), (3, 2, 0.3), (1, 1, 0.2), (4, 2, 0.5)],
)
def test_fit_recovers_state_and_mosaic_fraction(copies, major, fraction):
    rng = np.random.default_rng(7)
    n_bins, n_sites = 800, 500
    log2 = float(expected_log2(copies, fraction, 2)) + rng.normal(0, 0.15, n_bins)
    b = float(expected_major_baf(copies, major, fraction, 2, 1))
    depth = rng.poisson(25, n_sites)
    alt = rng.binomial(depth, np.where(rng.random(n_sites) < 0.5, b, 1 - b))
    fit = fit_segment(log2.mean(), 0.15 / np.sqrt(n_bins), alt, depth, 2, 1, Params())
    assert (fit["copy_number"], fit["major_copies"]) == (copies, major)
    assert fit["mosaic_fraction"] == pytest.approx(fraction, abs=0.05)
    assert fit["llr"] > Params().min_llr


def test_fit_of_a_normal_segment_is_not_a_call():
    rng = np.random.default_rng(8)
    depth = rng.poisson(25, 500)
    alt = rng.binomial(depth, 0.5)
    fit = fit_segment(
        rng.normal(0, 0.15, 800).mean(), 0.15 / np.sqrt(800), alt, depth, 2, 1, Params()
    )
    assert fit["llr"] < Params().min_llr or fit["mosaic_fraction"] < 0.1


def test_fit_on_a_hemizygous_chromosome_uses_depth_only():
    fit = fit_segment(
        float(expected_log2(2, 0.5, 1)), 0.005, np.array([]), np.array([]), 1, 1, Params()
    )
    assert (fit["copy_number"], fit["mosaic_fraction"]) == (2, pytest.approx(0.5, abs=0.02))


# --------------------------------------------------------------- calls, whole check


def _match(calls: pd.DataFrame, chrom: str, start: int, end: int) -> dict:
    hit = calls[(calls["chrom"] == chrom) & (calls["start"] < end) & (calls["end"] > start)]
    assert len(hit) == 1, calls
    return hit.iloc[0].to_dict()


def test_planted_toy_like_events_are_called_with_state_boundaries_and_fraction():
    result = run_synthetic(TOY_EVENTS)
    calls = result.calls
    assert len(calls) == 4, calls
    expected = {
        "chr20": ("gain", 3, 0.5, "segmental"),
        "chr12": ("gain", 3, 1.0, "whole_chromosome"),
        "chr1": ("cnloh", 2, 0.8, "segmental"),
        "chr18": ("loss", 1, 0.4, "segmental"),
    }
    for chrom, start, end, *_ in TOY_EVENTS:
        call = _match(calls, chrom, start, end)
        kind, copies, fraction, scope = expected[chrom]
        assert (call["type"], call["copy_number"], call["scope"]) == (kind, copies, scope)
        assert call["mosaic_fraction"] == pytest.approx(fraction, abs=0.1)
        assert abs(call["start"] - start) <= 5 * BIN or start == 0
        assert abs(call["end"] - end) <= 5 * BIN
    gain_20q = _match(calls, "chr20", 949_000, 1_749_000)
    assert gain_20q["recurrent"] and "BCL2L1" in gain_20q["genes"]
    assert _match(calls, "chr18", 900_000, 1_500_000)["recurrent_regions"] == "18q"
    metrics = result.findings["metrics"]
    assert metrics["call_count"] == 4
    assert metrics["whole_chromosome_event_count"] == 1
    assert metrics["cnloh_count"] == 1
    assert metrics["recurrent_region_hit_count"] == 2
    assert metrics["largest_event_bp"] == 2_000_000
    assert metrics["max_mosaic_fraction"] == pytest.approx(1.0, abs=0.05)
    assert result.findings["mode"] == "paired"
    adequacy = result.findings["adequacy"]
    assert adequacy["bins_used"] > 9000 and adequacy["het_sites_used"] > 5000
    assert 0.05 < adequacy["log2_noise"] < 0.3


def test_a_clean_line_has_no_calls_paired_or_line_only():
    assert run_synthetic([]).calls.empty
    assert run_synthetic([], parental=False).calls.empty
    assert run_synthetic([], sex="male", seed=11).calls.empty


def test_line_only_still_finds_the_large_events():
    result = run_synthetic(TOY_EVENTS, parental=False)
    assert result.findings["mode"] == "line_only"
    assert _match(result.calls, "chr12", 0, 2_000_000)["type"] == "gain"
    assert _match(result.calls, "chr20", 949_000, 1_749_000)["copy_number"] == 3
    assert _match(result.calls, "chr18", 900_000, 1_500_000)["type"] == "loss"


def test_mosaic_gain_of_a_male_x_is_called_from_depth():
    result = run_synthetic([("chrX", 0, 2_000_000, 2, 2, 0.5)], sex="male")
    call = _match(result.calls, "chrX", 0, 2_000_000)
    assert (call["type"], call["copy_number"], call["scope"]) == ("gain", 2, "whole_chromosome")
    assert call["mosaic_fraction"] == pytest.approx(0.5, abs=0.1)


def test_scope_of_calls():
    spans = {"chrom": (0, 1000), "p": (0, 400), "q": (420, 1000), "centromere": (400, 420)}
    assert classify_scope(0, 1000, spans, 0.9) == ("whole_chromosome", "p,q")
    assert classify_scope(420, 1000, spans, 0.9) == ("arm", "q")
    assert classify_scope(600, 800, spans, 0.9) == ("segmental", "q")


def test_findings_table_and_figure(tmp_path):
    result = run_synthetic(TOY_EVENTS[:1])
    table = segments_for_findings(result.segments)
    gained = table[table["type"] == "gain"].iloc[0]
    assert gained["copy_number"] == 3 and gained["mean_copies"] == pytest.approx(2.5, abs=0.1)
    assert table["start"].min() >= 1  # 1-based
    cn_figure.draw(str(tmp_path / "cn.png"), "L1", result.bins, result.sites, result.segments,
                   result.calls)  # fmt: skip
    assert (tmp_path / "cn.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------- resources


@pytest.mark.parametrize("scale", [1.0, 0.3])
def test_toy_beds_agree_with_the_generator_layout(tmp_path, scale):
    from toydata.genes import design_genes
    from toydata.genome import contig_layout
    from toydata.regions import centromere_rows, recurrent_region_rows, write_bed
    from toydata.sequtils import child_rng

    contigs = contig_layout(scale)
    models = design_genes(child_rng(7, "genes"), contigs, scale)
    write_bed(tmp_path / "cen.bed", "centromeres", centromere_rows(contigs))
    write_bed(tmp_path / "rec.bed", "regions", recurrent_region_rows(contigs, models))
    centromeres = read_bed(str(tmp_path / "cen.bed"))
    assert [(c.name, c.centromere_start, c.centromere_end) for c in contigs] == list(
        centromeres[["chrom", "start", "end"]].itertuples(index=False, name=None)
    )
    by_name = {c.name: c for c in contigs}
    genes = {m.name: m for m in models}
    regions = {row.name: row for row in read_bed(str(tmp_path / "rec.bed")).itertuples()}
    assert (regions["20q11.21"].start, regions["20q11.21"].end) == (
        genes["HM13"].start,
        genes["DNMT3B"].end,
    )
    assert (regions["20q11.21_BCL2L1"].start, regions["20q11.21_BCL2L1"].end) == (
        genes["BCL2L1"].start, genes["BCL2L1"].end)  # fmt: skip
    assert regions["20q11.21"].start < genes["ID1"].start < regions["20q11.21"].end
    assert (regions["1q"].start, regions["1q"].end) == (
        by_name["chr1"].centromere_end,
        by_name["chr1"].length,
    )
    assert (regions["12p"].start, regions["12p"].end) == (0, by_name["chr12"].centromere_start)
    assert (regions["17p"].end, regions["17q"].start) == (
        by_name["chr17"].centromere_start, by_name["chr17"].centromere_end)  # fmt: skip
    assert (regions["18q"].start, regions["18q"].end) == (
        by_name["chr18"].centromere_end,
        by_name["chr18"].length,
    )
    assert (regions["X"].start, regions["X"].end) == (0, by_name["chrX"].length)


def test_grch38_resources_are_well_formed():
    centromeres = read_bed(str(REPO / "resources/centromeres/GRCh38.bed"))
    assert len(centromeres) == 24 and (centromeres["end"] > centromeres["start"]).all()
    regions = read_bed(str(REPO / "resources/recurrent_regions/GRCh38.bed"))
    bcl2l1 = regions[regions["name"] == "20q11.21_BCL2L1"].iloc[0]
    assert (bcl2l1["start"], bcl2l1["end"]) == (31_664_451, 31_723_963)
    cen = centromeres.set_index("chrom")
    arm_1q = regions[regions["name"] == "1q"].iloc[0]
    assert arm_1q["start"] == cen.loc["chr1", "end"]


def test_gff3_genes_are_read_half_open(tmp_path):
    gff = tmp_path / "a.gff3"
    gff.write_text(
        "##gff-version 3\n"
        "chr1\tx\tgene\t101\t200\t.\t+\t.\tID=gene:G1;Name=ALPHA;biotype=protein_coding\n"
        "chr1\tx\tmRNA\t101\t200\t.\t+\t.\tID=transcript:T1;Parent=gene:G1\n"
    )
    genes = read_annotation(str(gff)).genes_table()
    assert genes.to_dict("records") == [
        {"chrom": "chr1", "start": 100, "end": 200, "name": "ALPHA"}
    ]
