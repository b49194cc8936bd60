"""Consequences from ``bcftools csq`` (INFO/BCSQ) as gene, transcript, consequence and
protein change (p.R273H style, 1-based residue numbers).

A BCSQ value holds one or more comma-separated predictions, each
``consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change``, e.g.
``missense|TP53|ENST00000269305|protein_coding|-|273R>273H|7673802C>T``.
"""

from __future__ import annotations

import re

import pandas as pd

# Most severe first. Terms are those bcftools csq writes.
SEVERITY = [
    "stop_gained",
    "frameshift",
    "splice_acceptor",
    "splice_donor",
    "start_lost",
    "stop_lost",
    "inframe_altering",
    "inframe_deletion",
    "inframe_insertion",
    "missense",
    "splice_region",
    "start_retained",
    "stop_retained",
    "synonymous",
    "coding_sequence",
    "5_prime_utr",
    "3_prime_utr",
    "non_coding",
    "feature_elongation",
    "intron",
    "intergenic",
]
RANK = {term: rank for rank, term in enumerate(SEVERITY)}
TRUNCATING = {"stop_gained", "frameshift", "splice_acceptor", "splice_donor", "start_lost"}
PROTEIN_ALTERING = TRUNCATING | {
    "stop_lost",
    "inframe_altering",
    "inframe_deletion",
    "inframe_insertion",
    "missense",
}
ANNOTATION_COLUMNS = [
    "gene",
    "transcript",
    "consequence",
    "protein_change",
    "protein_position",
    "truncating",
    "protein_altering",
]
AA_CHANGE = re.compile(r"^(\d+)([A-Z*]+)(?:>(\d+)([A-Z*]+))?$")


def consequence_rank(consequence: str) -> int:
    """Rank of a (possibly compound, ``stop_gained&frameshift``) consequence; 0 is worst."""
    terms = consequence.lstrip("*").split("&")
    return min(RANK.get(term, len(SEVERITY)) for term in terms)


def protein_change(consequence: str, amino_acid_change: str) -> tuple[str, int | None]:
    """csq's amino-acid change as HGVS-like protein change and its 1-based position.

    ``273R>273H`` -> p.R273H, ``1200R>1200*`` -> p.R1200*, ``273R`` -> p.R273=,
    frameshifts -> p.R123fs, other multi-residue changes -> p.Q29_G30delinsR.
    """
    match = AA_CHANGE.match(amino_acid_change or "")
    if not match:
        return "", None
    position, ref = int(match.group(1)), match.group(2)
    alt = match.group(4)
    terms = set(consequence.split("&"))
    if "frameshift" in terms:
        return f"p.{ref[0]}{position}fs", position
    if alt is None:
        return f"p.{ref}{position}=", position
    if len(ref) == 1 and len(alt) == 1:
        return f"p.{ref}{position}{alt}", position
    # trim the shared leading residues of multi-residue changes
    shared = 0
    while shared < min(len(ref), len(alt)) - 1 and ref[shared] == alt[shared]:
        shared += 1
    ref, alt, position = ref[shared:], alt[shared:], position + shared
    if ref.startswith(alt) and len(alt) < len(ref):  # deletion keeping its first residue
        ref, position, alt = ref[len(alt) :], position + len(alt), ""
    last = position + len(ref) - 1
    span = f"{ref[0]}{position}" if len(ref) == 1 else f"{ref[0]}{position}_{ref[-1]}{last}"
    return (f"p.{span}del" if not alt else f"p.{span}delins{alt}"), position


def worst_prediction(bcsq: str, preferred_genes: set[str] | None = None) -> dict:
    """The most severe prediction of one BCSQ value; ties go to genes in
    ``preferred_genes`` (the cancer genes), then to the first listed."""
    empty = dict.fromkeys(ANNOTATION_COLUMNS, "")
    empty.update(protein_position=None, truncating=False, protein_altering=False)
    if not bcsq or bcsq == ".":
        return empty
    best, best_key = None, None
    for prediction in bcsq.split(","):
        fields = prediction.split("|")
        if not fields[0] or fields[0].startswith("@"):
            continue
        gene = fields[1] if len(fields) > 1 else ""
        key = (consequence_rank(fields[0]), 0 if gene in (preferred_genes or ()) else 1)
        if best_key is None or key < best_key:
            best, best_key = fields, key
    if best is None:
        return empty
    consequence = best[0].lstrip("*")
    change, position = protein_change(consequence, best[5] if len(best) > 5 else "")
    terms = set(consequence.split("&"))
    return {
        "gene": best[1] if len(best) > 1 else "",
        "transcript": best[2] if len(best) > 2 else "",
        "consequence": consequence,
        "protein_change": change,
        "protein_position": position,
        "truncating": bool(terms & TRUNCATING),
        "protein_altering": bool(terms & PROTEIN_ALTERING),
    }


def annotate(bcsq: pd.Series, preferred_genes: set[str] | None = None) -> pd.DataFrame:
    """One annotation row per BCSQ value (same index); distinct values parsed once."""
    codes, uniques = pd.factorize(bcsq.fillna("").astype(str))
    parsed = pd.DataFrame(
        [worst_prediction(value, preferred_genes) for value in uniques],
        columns=ANNOTATION_COLUMNS,
    )
    if len(parsed) == 0:
        return pd.DataFrame(index=bcsq.index, columns=ANNOTATION_COLUMNS)
    table = parsed.iloc[codes].set_index(bcsq.index)
    return table.reindex(columns=ANNOTATION_COLUMNS)
