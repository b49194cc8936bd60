"""Can a line be compared with its declared parental at all?

The paired checks (acquired variants, copy number and LOH, vector and transgene reads
against the parental) read every difference between the line and its parental as a
change the line acquired. When the line is another person (a swap), that turns the other
person's genome into hundreds of "acquired" variants and genome-wide copy-neutral LOH.
This function reads the identity evidence once and says whether the paired checks are
assessable against this parental, for every paired check to use:

- ``same``: the line is the parental's individual: assessable;
- ``different``: conclusively not (relatedness below ``same_min_relatedness`` at
  enough informative sites): not assessable, reason given, the paired checks should
  report "not assessable against this parental" instead of their findings;
- ``undecided``: too few informative sites to tell: assessable None (the paired
  checks may run, but nothing they find may pass the line: identity is INCONCLUSIVE);
- ``no_parental``: line-only mode: nothing to pair with.
"""

from __future__ import annotations

from dataclasses import dataclass

from .relatedness import RelatednessSettings


@dataclass
class PairedAssessability:
    status: str  # 'same' | 'different' | 'undecided' | 'no_parental'
    assessable: bool | None
    reason: str | None


def paired_assessability(
    parental: str | None,
    relatedness_to_parental: float | None,
    informative_sites: int | None,
    settings: RelatednessSettings,
    best_match_sample: str | None = None,
    best_match_donor: str | None = None,
    contamination_fraction: float | None = None,
) -> PairedAssessability:
    """Status of the line's pairing with its declared parental.

    relatedness_to_parental / informative_sites: the identity findings' pair values
    (KING-robust relatedness, ipscqc.relatedness; informative sites of the pair).
    best_match_*: the sample of the run the line matches best, named in the reason.
    contamination_fraction: when known, a mixture is told apart from a swap in the
    reason (a line mixed with another person keeps every donor allele, so its
    relatedness falls but it is still partly the donor).
    """
    if not parental:
        return PairedAssessability("no_parental", False, "no parental: line-only mode")
    if (
        relatedness_to_parental is None
        or informative_sites is None
        or informative_sites < settings.min_sites
    ):
        return PairedAssessability(
            "undecided",
            None,
            f"identity with the parental {parental} could not be decided "
            f"({informative_sites or 0} informative sites, minimum {settings.min_sites})",
        )
    if relatedness_to_parental >= settings.same_min_relatedness:
        return PairedAssessability("same", True, None)
    where = ""
    if best_match_sample and best_match_sample != parental:
        where = f"; it matches {best_match_sample}" + (
            f" (donor {best_match_donor})" if best_match_donor else ""
        )
    if contamination_fraction is not None and contamination_fraction >= 0.1:
        kind = f"a mixture: about {contamination_fraction:.0%} of its DNA is another person's"
    elif relatedness_to_parental >= settings.related_min_relatedness:
        kind = "a relative of the donor, or the donor mixed with another person"
    else:
        kind = "a different individual"
    return PairedAssessability(
        "different",
        False,
        f"not assessable against this parental: {kind} (relatedness "
        f"{relatedness_to_parental:.2f} to {parental}){where}",
    )


# ---------------------------------------------------------------- the run's pairing table
# Written by the identity job (findings/cohort/pairing.tsv), read by the paired checks
# (acquired variants, copy number, vectors against the parental) and the gate.

PAIRING_COLUMNS = ["sample", "parental", "status", "assessable", "reason"]


def pairing_row(sample: str, parental: str | None, pairing: PairedAssessability) -> dict:
    return {
        "sample": sample,
        "parental": parental or "",
        "status": pairing.status,
        "assessable": "" if pairing.assessable is None else str(pairing.assessable).lower(),
        "reason": pairing.reason or "",
    }


def pairing_text(rows: list[dict]) -> str:
    """The pairing table as tab-separated text (one row per sample, PAIRING_COLUMNS)."""
    lines = ["\t".join(PAIRING_COLUMNS)]
    for row in rows:
        lines.append("\t".join(str(row[column]).replace("\t", " ") for column in PAIRING_COLUMNS))
    return "\n".join(lines) + "\n"


def read_pairing(path, sample: str) -> PairedAssessability:
    """One sample's row of a pairing table; a sample missing from it is 'undecided'."""
    with open(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=True))
            if row["sample"] == sample:
                assessable = {"true": True, "false": False}.get(row["assessable"])
                return PairedAssessability(row["status"], assessable, row["reason"] or None)
    return PairedAssessability("undecided", None, f"{sample} is not in the pairing table {path}")


def against_parental(result, path, spec):
    """A paired check's findings, or its null findings when the line is conclusively
    not its parental's individual (the reason says so): what the check found is then
    the other person's genome, not changes of the line. ``path``: the pairing table
    (None: no table, the findings as they are); ``spec``: the check's declaration."""
    from ipscqc.contract import null_findings

    if not path or not result.parental:
        return result
    pairing = read_pairing(path, result.sample)
    if pairing.status != "different":
        return result
    return null_findings(spec, result.sample, result.parental, pairing.reason)
