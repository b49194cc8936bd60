"""Sequence context of indels on hand-built reference sequences."""

from __future__ import annotations

import pandas as pd
from ipscqc.variants.context import (
    allele_context,
    changed_sequence,
    indel_tract,
    minimal_unit,
    tract_length,
)
from ipscqc.variants.settings import VariantSettings

SETTINGS = VariantSettings()


def _fetch(sequence):
    return lambda chrom, start, end: sequence[max(0, start) : end]


def test_changed_sequence_and_unit():
    assert changed_sequence("A", "ATT") == (1, "", "TT")
    assert changed_sequence("GCA", "G") == (1, "CA", "")
    assert changed_sequence("ACGT", "AGGT") == (1, "C", "G")
    assert minimal_unit("CACACA") == "CA"
    assert minimal_unit("AAAA") == "A"
    assert minimal_unit("ACG") == "ACG"
    # the tract continues the unit begun at the offset, on both sides
    assert tract_length("GGTTTTTCC", 3, "T") == 5
    assert tract_length("GCACACAGG", 2, "AC") == 6  # C|ACACA: one base to the left


def test_homopolymer_and_microsatellite_contexts():
    homopolymer = "GCT" + "A" * 9 + "GCCTG"  # A9 from 1-based position 4
    long_homopolymer = "GCT" + "A" * 14 + "GCCTG"
    dinucleotide = "GTG" + "CA" * 6 + "TTGG"  # (CA)6 = 12 bp from position 4
    novel = "GATCCGTAGCTA"
    heptamer = "GT" + "ACGTTGC" * 3 + "GG"  # a 7-base unit: not a microsatellite
    sites = pd.DataFrame(
        {
            "chrom": ["h", "h", "l", "d", "n", "s", "m"],
            "pos": [3, 3, 3, 3, 5, 5, 2],
            "ref": ["TA", "T", "T", "GCA", "C", "C", "TACGTTGC"],
            "alt": ["T", "TA", "TA", "G", "CGGA", "G", "T"],
        }
    )
    sequences = {
        "h": homopolymer,
        "l": long_homopolymer,
        "d": dinucleotide,
        "n": novel,
        "s": novel,
        "m": heptamer,
    }

    def fetch(chrom, start, end):
        return sequences[chrom][max(0, start) : end]

    context = allele_context(sites, fetch, SETTINGS)
    assert context["context"].tolist() == [
        "indel_repeat",  # deletion of one A of A9
        "indel_repeat",  # insertion of an A into A9
        "indel_long_repeat",  # A14
        "indel_long_repeat",  # (CA)6
        "indel",  # novel GGA
        "snv",
        "indel",  # 21 bp of a 7-base unit
    ]
    assert context["repeat_length"].tolist()[:4] == [9, 9, 14, 12]
    assert context["repeat_unit"].tolist()[:4] == ["A", "A", "A", "CA"]


def test_tract_longer_than_the_first_window_is_measured_whole():
    sequence = "GC" + "T" * 300 + "GACG"
    unit, length = indel_tract("c", 2, "CT", "C", _fetch(sequence))
    assert (unit, length) == ("T", 300)
