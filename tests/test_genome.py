"""The genome model: contig classes of real analysis sets, PARs and normal copies."""

from __future__ import annotations

import numpy as np
import pytest
from ipscqc.genome import GenomeModel, contig_class


@pytest.mark.parametrize(
    "name, expected",
    [
        ("chr1", "autosome"),
        ("1", "autosome"),
        ("chr22", "autosome"),
        ("chrX", "X"),
        ("X", "X"),
        ("chrY", "Y"),
        ("Y", "Y"),
        ("chrM", "mitochondrion"),
        ("MT", "mitochondrion"),
        ("chr1_KI270706v1_random", "unplaced"),
        ("chrUn_KI270302v1", "unplaced"),
        ("GL000192.1", "unplaced"),
        ("chr6_GL000250v2_alt", "alt"),
        ("chrUn_JTFH01000001v1_decoy", "decoy"),
        ("hs37d5", "decoy"),
        ("HLA-A*01:01:01:01", "hla"),
        ("chrEBV", "ebv"),
        ("NC_007605", "ebv"),
        ("toy_oriP_EBNA1", "other"),
    ],
)
def test_contig_class_of_grch38_and_grch37_analysis_set_names(name, expected):
    assert contig_class(name) == expected


def test_vector_decoys_are_their_own_class():
    genome = GenomeModel.of("GRCh38", ["chr1", "chrX", "chrM", "oriP"], vectors=["oriP"])
    assert genome.contig_class("oriP") == "vector"
    assert genome.autosomes == ["chr1"]
    assert genome.analysed == ["chr1", "chrX"]
    assert genome.classes(np.array(["chrX", "chr1", "oriP"])).tolist() == [
        "X",
        "autosome",
        "vector",
    ]


def test_pseudoautosomal_regions_of_grch38_x_and_y():
    genome = GenomeModel.of("GRCh38")
    pos = np.array([5_000, 10_001, 2_781_479, 2_781_480, 155_701_383, 156_000_000])
    assert genome.outside_par("chrX", pos).tolist() == [True, False, False, True, False, False]
    assert genome.outside_par("chrY", np.array([10_001, 3_000_000, 57_000_000])).tolist() == [
        False,
        True,
        False,
    ]
    assert genome.outside_par("chr1", pos).all()
    assert GenomeModel.of("toy").outside_par("chrX", pos).all()
    chroms = np.array(["chrX", "chr1", "chrX"])
    assert genome.outside_par_many(chroms, np.array([20_000, 20_000, 3_000_000])).tolist() == [
        False,
        True,
        True,
    ]


def test_normal_copies_by_sex():
    genome = GenomeModel.of("GRCh38")
    assert genome.baseline_copies("chr7", "male") == (2, 1)
    assert genome.baseline_copies("chrX", "male") == (1, 1)
    assert genome.baseline_copies("chrX", "female") == (2, 1)
    assert genome.baseline_copies("chrX", "unknown") == (2, 1)
    assert genome.baseline_copies("chrY", "female") == (0, 0)
    assert genome.baseline_copies("chrM", "female") == (1, 1)
