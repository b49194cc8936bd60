"""One donor's lines through the whole origin decision: context, representation, panel
of normals, classification and recurrence."""

from __future__ import annotations

import pandas as pd
from ipscqc.variants.classify import classify_donor, classify_line
from ipscqc.variants.noise import NoiseModel
from ipscqc.variants.settings import VariantSettings

SETTINGS = VariantSettings()
NOISE = NoiseModel.default(SETTINGS)
# 1-based: a microsatellite-free stretch, then A9 from position 31
REFERENCE = "CCGTGAATTCAGGTCAGTCCGATGCATCGT" + "A" * 9 + "GCTAGCATCGATCGGATC"


def _fetch(chrom, start, end):
    return REFERENCE[max(0, start) : end]


def _row(pos, ref, alt, line_alt, parental_alt, depth=30):
    return {
        "chrom": "chr1",
        "pos": pos,
        "ref": ref,
        "alt": alt,
        "hotspot": "",
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


def _line(new_in_both, private, repeat_alt):
    return pd.DataFrame(
        [
            _row(6, "A", "ATT", 26, 0),  # parental writes it as 7 A>T + 8 T>TAT
            _row(7, "A", "T", 0, 28),
            _row(8, "T", "TAT", 1, 27),
            _row(12, "G", "C", new_in_both, 0),  # new in lines A and B
            _row(18, "C", "A", private, 0),  # new in line A only
            _row(30, "TA", "T", repeat_alt, 0),  # a deletion in A9: repeat error rate
        ]
    )


def test_one_line_with_representation_repeat_and_panel_of_normals():
    normals = pd.DataFrame(
        {
            "chrom": ["chr1"],
            "pos": [18],
            "ref": ["C"],
            "alt": ["A"],
            "sample": ["D2_parental"],
            "alt_count": [4],
            "depth": [30],
        }
    )
    result = classify_line(_line(12, 11, 4), SETTINGS, NOISE, fetch=_fetch, normals=normals)
    assert result.loc[0, "class"] == "germline"  # another representation in the parental
    assert result.loc[0, "parental_equivalent"] == "chr1:7:A>T;chr1:8:T>TAT"
    assert result.loc[3, "class"] == "acquired"
    assert (result.loc[4, "class"], result.loc[4, "reason"]) == ("uncertain", "panel_of_normals")
    assert result.loc[5, "context"] == "indel_repeat"
    # 4 of 30 reads: p 8e-5 at the repeat rate 7.3e-3 (an SNV: 1.8e-7, present)
    assert (result.loc[5, "line_call"], result.loc[5, "class"]) == ("weak", "absent")


def test_an_allele_new_in_two_independent_lines_is_not_acquired():
    lines = {"A": _line(12, 11, 0), "B": _line(10, 0, 0), "A_p10": _line(13, 12, 0)}
    noises = dict.fromkeys(lines, NOISE)
    result = classify_donor(
        lines, SETTINGS, noises, lineage={"A": "A", "A_p10": "A", "B": "B"}, fetch=_fetch
    )
    # chr1:12 is new in lineages A and B; chr1:18 only in lineage A (two passages)
    for name in ("A", "B", "A_p10"):
        assert result[name].loc[3, "class"] == "uncertain"
        assert "recurrent_in_lines" in result[name].loc[3, "reason"]
    assert result["A"].loc[4, "class"] == "acquired"
    assert result["A_p10"].loc[4, "class"] == "acquired"
    assert result["A"].loc[4, "recurrent_in_lines"] == 1
    assert result["A"].loc[0, "class"] == "germline"
