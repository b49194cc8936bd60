"""What a finished run found of the toy generator's planted truth.

Used to compare aligners (and any other speed option) on the calls that matter, not only
on time: planted acquired variants found (and their allele fractions), planted
copy-number events called with the right type and copy number, and the gate decision of
every line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

# The acquired-variant check is validated from this allele fraction up (docs/acquired_variants.md).
MIN_PLANTED_AF = 0.2
POSITION_SLACK = 10  # an indel may be reported left-aligned a few bases away


def _table(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=["chrom", "pos", "ref", "alt", "line_af"])
    return pd.read_csv(path, sep="\t", dtype={"chrom": str}, keep_default_na=False,
                       na_values=["NA"])  # fmt: skip


def _variant_found(table: pd.DataFrame, variant: dict) -> pd.Series | None:
    same = table[
        (table["chrom"] == variant["chrom"])
        & ((table["pos"].astype(int) - int(variant["pos"])).abs() <= POSITION_SLACK)
    ]
    if variant["type"] == "snv":
        same = same[(same["ref"] == variant["ref"]) & (same["alt"] == variant["alt"])]
    else:
        change = len(variant["alt"]) - len(variant["ref"])
        same = same[same["alt"].str.len() - same["ref"].str.len() == change]
    return None if same.empty else same.iloc[0]


def acquired_recall(results: Path, truth: dict) -> dict:
    """Planted acquired variants at AF >= MIN_PLANTED_AF found in their line's table."""
    planted = [v for v in truth["acquired_variants"] if v["expected_af"] >= MIN_PLANTED_AF]
    found, errors, missed = 0, [], []
    for variant in planted:
        table = _table(results / "findings" / variant["sample"] / "acquired_variants.tsv")
        row = _variant_found(table, variant)
        if row is None:
            missed.append(variant["id"])
            continue
        found += 1
        errors.append(abs(float(row["line_af"]) - variant["expected_af"]))
    return {
        "planted": len(planted),
        "found": found,
        "missed": missed,
        "max_af_error": max(errors) if errors else None,
    }


def copy_number_recall(results: Path, truth: dict) -> dict:
    """Planted events called once, overlapping, with the planted type and copy number."""
    events = truth["copy_number_events"]
    found, missed = 0, []
    for event in events:
        path = results / "copy_number" / event["sample"] / "calls.tsv"
        calls = pd.read_csv(path, sep="\t", dtype={"chrom": str}) if path.exists() else None
        hit = (
            pd.DataFrame()
            if calls is None
            else calls[
                (calls["chrom"] == event["chrom"])
                & (calls["start"] < event["end"])
                & (calls["end"] > event["start"])
                & (calls["type"] == event["type"])
                & (calls["copy_number"] == event["copy_number"])
            ]
        )
        if hit.empty:
            missed.append(event["id"])
        else:
            found += 1
    return {"planted": len(events), "found": found, "missed": missed}


def gate_decisions(results: Path, truth: dict) -> dict[str, str]:
    lines = sorted(name for name, sample in truth["samples"].items() if sample["role"] == "line")
    decisions = {}
    for line in lines:
        path = results / "gate" / f"{line}.json"
        decisions[line] = json.loads(path.read_text())["decision"] if path.exists() else "missing"
    return decisions


def truth_recall(results: Path, truth_json: Path) -> dict:
    truth = json.loads(truth_json.read_text())
    return {
        "acquired_variants": acquired_recall(results, truth),
        "copy_number": copy_number_recall(results, truth),
        "decisions": gate_decisions(results, truth),
    }
