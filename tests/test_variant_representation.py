"""Haplotype-aware matching of a line allele against the parental's alleles, on
hand-built reference sequences (1-based positions)."""

from __future__ import annotations

import pandas as pd
from ipscqc.variants.noise import NoiseModel
from ipscqc.variants.origin import classify_origin
from ipscqc.variants.representation import (
    apply_alleles,
    equivalent_parental_alleles,
    parental_equivalents,
)
from ipscqc.variants.settings import VariantSettings

SETTINGS = VariantSettings()


def test_apply_alleles():
    reference = "GAATTC"  # positions 1-6
    assert apply_alleles(reference, 1, [(2, "A", "ATT")]) == "GATTATTC"
    assert apply_alleles(reference, 1, [(3, "A", "T"), (4, "T", "TAT")]) == "GATTATTC"
    assert apply_alleles(reference, 1, [(3, "AT", "A")]) == "GAATC"
    assert apply_alleles(reference, 1, [(3, "A", "T"), (3, "AT", "A")]) is None  # overlap
    assert apply_alleles(reference, 1, [(3, "G", "T")]) is None  # not the reference base
    assert apply_alleles("TTGAATTC", 3, [(6, "A", "C")]) == "TTGCATTC"  # window from 3


def test_line_insertion_is_the_parental_snv_plus_insertion():
    # issue 14: the parental carries A>T (hom) and a neighbouring insertion; the line's
    # reads are written as one insertion A>ATT: the same haplotype
    reference = "GAATTC"
    parental = [(3, "A", "T"), (4, "T", "TAT")]
    match = equivalent_parental_alleles(reference, 1, (2, "A", "ATT"), [], parental)
    assert match == ((3, "A", "T"), (4, "T", "TAT"))
    assert equivalent_parental_alleles(reference, 1, (2, "A", "AGG"), [], parental) is None


def test_indel_written_at_another_place_of_a_repeat():
    reference = "TCACACACAG"  # (CA)4 from position 2
    left = (1, "TCA", "T")
    right = (7, "ACA", "A")  # the same deletion, written at the right end
    assert equivalent_parental_alleles(reference, 1, left, [], [right]) == (right,)
    other = (1, "TCACA", "T")  # two units deleted: another allele
    assert equivalent_parental_alleles(reference, 1, other, [], [right]) is None


def test_two_adjacent_line_snvs_against_one_parental_change():
    reference = "GGCATT"
    line_snvs = [(3, "C", "T"), (4, "A", "G")]
    parental_mnv = [(3, "CA", "TG")]
    # either SNV alone is not the parental's haplotype; with its neighbour it is
    match = equivalent_parental_alleles(reference, 1, line_snvs[0], [line_snvs[1]], parental_mnv)
    assert match == ((3, "CA", "TG"),)
    assert equivalent_parental_alleles(reference, 1, line_snvs[0], [], parental_mnv) is None


def _row(pos, ref, alt, line_alt, parental_alt, depth=22):
    return {
        "chrom": "chr21",
        "pos": pos,
        "ref": ref,
        "alt": alt,
        "line_alt": line_alt,
        "line_ref": depth - line_alt,
        "line_depth": depth,
        "line_alt_fwd": line_alt // 2,
        "line_alt_rev": line_alt - line_alt // 2,
        "line_ref_fwd": (depth - line_alt) // 2,
        "line_ref_rev": depth - line_alt - (depth - line_alt) // 2,
        "parental_alt": parental_alt,
        "parental_ref": depth - parental_alt,
        "parental_depth": depth,
    }


def test_site_table_match_turns_an_acquired_call_into_germline():
    reference = "CCGTGAATTCAGGT"  # positions 1-14; "GAATTC" from position 5
    sites = pd.DataFrame(
        [
            _row(6, "A", "ATT", line_alt=19, parental_alt=0),  # the line's representation
            _row(7, "A", "T", line_alt=0, parental_alt=21),  # the parental's two records
            _row(8, "T", "TAT", line_alt=1, parental_alt=20),
            _row(12, "G", "C", line_alt=9, parental_alt=0),  # a new SNV nearby
        ]
    )

    def fetch(chrom, start, end):
        return reference[start:end]

    equivalents = parental_equivalents(sites, fetch, SETTINGS)
    assert equivalents["parental_equivalent"].tolist() == [
        "chr21:7:A>T;chr21:8:T>TAT",
        "",
        "",
        "",
    ]
    assert equivalents.loc[0, "parental_equivalent_alt"] == 20  # the weaker record
    noise = NoiseModel.default(SETTINGS)
    before = classify_origin(sites, SETTINGS, noise)["class"].tolist()
    after = classify_origin(pd.concat([sites, equivalents], axis=1), SETTINGS, noise)
    assert before[0] == "acquired" and after.loc[0, "class"] == "germline"
    assert after.loc[3, "class"] == "acquired"  # the new SNV stays acquired
