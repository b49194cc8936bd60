"""Identity: is each sample the individual its sheet says (its parental, its donor)?

Pairwise relatedness of every sample of the run at shared germline sites, as somalier
computes it (KING-robust, IBS0/IBS2; scripts/ipscqc/relatedness.py), decides which
samples are the same individual; this check turns a sample's pairs into its findings
(docs/identity.md), and tells the paired checks whether the line can be compared with
its parental at all (scripts/ipscqc/paired_assessability.py). Autosomal sites only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SPEC = load_spec(__file__)  # the declaration: identity.yaml beside this module


@dataclass
class IdentityInputs(SampleInputs):
    donor: str
    pairs: pd.DataFrame  # the run's pairwise table (relatedness.pairwise_table)
    site_depth: np.ndarray  # this sample's depth at every identity site


def _none_if_nan(value):
    return None if value is None or (isinstance(value, float) and value != value) else value


def _match(own: pd.DataFrame, parental: str | None, donor: str, minimum: int):
    """(matches, informative sites, note) against the parental, else the donor."""
    from ipscqc.relatedness import SAME_INDIVIDUAL

    if parental and (own["other"] == parental).any():
        row = own[own["other"] == parental].iloc[0]
        informative = int(row["informative_sites"])
        if row["observed"] == "inconclusive":
            return (
                None,
                informative,
                (
                    f"only {informative} informative sites shared with the parental {parental} "
                    f"(minimum {minimum}): identity could not be decided"
                ),
            )
        return row["observed"] in SAME_INDIVIDUAL, informative, None
    same_donor = own[own["other_donor"] == donor]
    decided = same_donor[same_donor["observed"] != "inconclusive"]
    if len(decided):
        return (
            bool(decided["observed"].isin(SAME_INDIVIDUAL).any()),
            int(decided["informative_sites"].max()),
            None,
        )
    informative = int(own["informative_sites"].max()) if len(own) else 0
    return (
        None,
        informative,
        (
            f"no parental and no other sample of donor {donor} with enough informative "
            "sites to compare with: identity with the donor could not be checked"
        ),
    )


def _to_parental(own: pd.DataFrame, parental: str | None) -> dict:
    row = own[own["other"] == parental] if parental else own.iloc[0:0]

    def value(column):
        return _none_if_nan(row[column].iloc[0]) if len(row) else None

    return {
        "relatedness_to_parental": value("relatedness"),
        "concordance_to_parental": value("concordance"),
        "ibs0_ibs2_ratio_to_parental": value("ibs0_ibs2_ratio"),
        "relationship_to_parental": value("observed"),
    }


def _best_match(conclusive: pd.DataFrame) -> dict:
    """The most related other sample among the conclusive pairs."""
    if not len(conclusive):
        return dict.fromkeys(("best_match_sample", "best_match_donor", "best_match_relatedness"))
    best = conclusive.sort_values(["relatedness", "other"], ascending=[False, True]).iloc[0]
    return {
        "best_match_sample": best["other"],
        "best_match_donor": best["other_donor"],
        "best_match_relatedness": _none_if_nan(best["relatedness"]),
    }


def _swap_notes(sample, donor, matches, other_donors, other_samples) -> list[str]:
    if matches is False:
        where = (
            f"it matches {', '.join(other_samples)} (donor {', '.join(other_donors)})"
            if other_samples
            else "it matches no other sample of the run"
        )
        return [f"{sample} is not the same individual as its declared donor {donor}; {where}"]
    if other_donors:
        return [
            f"{sample} is the same individual as sample(s) of other donor(s): "
            f"{', '.join(other_samples)} ({', '.join(other_donors)})"
        ]
    return []


def analyse(inputs: IdentityInputs, settings: dict) -> Findings:
    """The identity findings of one sample from the run's pairwise table.

    ``matches_declared_donor`` is True when the sample is the same individual as its
    parental (or, without a parental, as any other sample of its donor), False when
    that comparison is conclusive and says otherwise, and None when it could not be
    decided (too few informative sites, or no other sample of the donor). ``settings``
    is the config's ``identity:``.
    """
    from ipscqc.paired_assessability import paired_assessability
    from ipscqc.relatedness import SAME_INDIVIDUAL, RelatednessSettings, pairs_of

    sample, parental, donor = inputs.sample, inputs.parental, inputs.donor
    own = pairs_of(inputs.pairs, sample)
    items = _pair_items(own, donor)
    matches, informative, note = _match(own, parental, donor, settings["min_informative_sites"])
    notes = [note] if note else []
    conclusive = own[own["observed"] != "inconclusive"]
    same_elsewhere = conclusive[
        conclusive["observed"].isin(SAME_INDIVIDUAL) & (conclusive["other_donor"] != donor)
    ]
    other_donors = sorted(set(same_elsewhere["other_donor"]))
    other_samples = sorted(same_elsewhere["other"])
    notes += _swap_notes(sample, donor, matches, other_donors, other_samples)
    to_parental = _to_parental(own, parental)
    best = _best_match(conclusive)
    pairing = paired_assessability(
        parental,
        to_parental["relatedness_to_parental"],
        informative if parental else None,
        RelatednessSettings.from_config(settings),
        best["best_match_sample"],
        best["best_match_donor"],
    )
    if pairing.status == "different":
        notes.append(f"acquired variants, copy number and vectors are {pairing.reason}")
    values = {
        **to_parental,
        "paired_assessable": pairing.assessable if parental else None,
        "matches_declared_donor": matches,
        **best,
        "matching_other_donors": other_donors,
        "matching_other_samples": other_samples,
        "informative_sites": informative,
        "min_informative_sites": settings["min_informative_sites"],
        **_site_values(inputs.site_depth, settings["min_depth"]),
    }
    result = findings(SPEC, sample, parental, values, items, notes)
    result.tables["pairing"] = pairing  # for the run's pairing table (main)
    return result


def _pair_items(own, donor: str) -> list[dict]:
    """One item per other sample of the run: its donor, what was expected of the pair
    and what was observed."""
    return [
        {
            "other_sample": row.other,
            "other_donor": row.other_donor,
            "expected": "same" if row.other_donor == donor else "different",
            "informative_sites": int(row.informative_sites),
            "concordance": _none_if_nan(row.concordance),
            "relatedness": _none_if_nan(row.relatedness),
            "observed": row.observed,
        }
        for row in own.sort_values("other").itertuples()
    ]


def _site_values(depth, min_depth: int) -> dict:
    """How many identity sites were genotyped, how many reached ``min_depth``, and
    their median depth."""
    import numpy as np

    return {
        "sites_genotyped": int(len(depth)),
        "sites_with_depth": int((depth >= min_depth).sum()),
        "median_site_depth": float(np.median(depth)) if len(depth) else None,
    }


def main(inputs, outputs, params) -> None:
    """Snakemake rule identity_findings: the run's pairwise table and heatmap, then one
    findings file per sample (``params.samples``, in the order of ``outputs.findings``)."""
    import json

    from ipscqc.contract import write_atomic, write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.mqc import relatedness_heatmap
    from ipscqc.paired_assessability import pairing_row, pairing_text
    from ipscqc.readers.vcf import read_cohort_genotypes
    from ipscqc.relatedness import RelatednessSettings, pairwise_table

    settings = dict(params.settings)
    sheet = params.sheet  # sample -> {"donor", "parental", "sex"}
    cohort = read_cohort_genotypes(inputs.vcf)
    missing = sorted(set(sheet) - set(cohort.samples))
    if missing:
        raise ValueError(f"{inputs.vcf}: no genotypes for sample(s) {', '.join(missing)}")
    genome = GenomeModel.of(**params.genome)
    cohort = cohort.subset(genome.classes(cohort.chrom) == "autosome")
    donors = {sample: sheet[sample]["donor"] for sample in cohort.samples}
    pairs = pairwise_table(cohort, donors, RelatednessSettings.from_config(settings))
    write_atomic(outputs.pairs, pairs.to_csv(sep="\t", index=False, na_rep="NA"))
    heatmap = relatedness_heatmap(pairs, cohort.samples)
    write_atomic(outputs.heatmap, json.dumps(heatmap, indent=1, sort_keys=True) + "\n")
    rows = []
    for sample, path in zip(params.samples, outputs.findings, strict=True):
        info = sheet[sample]
        check_inputs = IdentityInputs(
            sample,
            info["parental"] or None,
            info["donor"],
            pairs,
            cohort.depth[:, cohort.column(sample)],
        )
        result = analyse(check_inputs, settings)
        write_findings(path, result, SPEC)
        rows.append(pairing_row(sample, result.parental, result.tables["pairing"]))
    write_atomic(outputs.pairing, pairing_text(rows))
