"""The oncogenic catalogue (hotspots and cancer genes) and its mapping onto a genome.

The catalogue is independent of the genome build: each hotspot is a gene and a protein
change (``R273H``, or a residue such as ``G12`` meaning any missense change there). It is
placed on the configured genome through the annotation (GFF3 CDS features of the gene's
transcript) and the reference FASTA: codon N of the transcript becomes three genomic
positions on the transcript's strand, and the reference codon is translated to check that
the catalogue's reference amino acid is really there.

Coordinates: GFF3 and the tables written here are 1-based closed; internal CDS blocks
are 0-based half-open.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ipscqc.readers.gff3 import Transcript, strip_version

CODON_TABLE = {
    "TTT": "F", "TTC": "F", "TTA": "L", "TTG": "L", "CTT": "L", "CTC": "L", "CTA": "L",
    "CTG": "L", "ATT": "I", "ATC": "I", "ATA": "I", "ATG": "M", "GTT": "V", "GTC": "V",
    "GTA": "V", "GTG": "V", "TCT": "S", "TCC": "S", "TCA": "S", "TCG": "S", "CCT": "P",
    "CCC": "P", "CCA": "P", "CCG": "P", "ACT": "T", "ACC": "T", "ACA": "T", "ACG": "T",
    "GCT": "A", "GCC": "A", "GCA": "A", "GCG": "A", "TAT": "Y", "TAC": "Y", "TAA": "*",
    "TAG": "*", "CAT": "H", "CAC": "H", "CAA": "Q", "CAG": "Q", "AAT": "N", "AAC": "N",
    "AAA": "K", "AAG": "K", "GAT": "D", "GAC": "D", "GAA": "E", "GAG": "E", "TGT": "C",
    "TGC": "C", "TGA": "*", "TGG": "W", "CGT": "R", "CGC": "R", "CGA": "R", "CGG": "R",
    "AGT": "S", "AGC": "S", "AGA": "R", "AGG": "R", "GGT": "G", "GGC": "G", "GGA": "G",
    "GGG": "G",
}  # fmt: skip
COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")

HOTSPOT_CATEGORIES = ("tp53_dominant_negative", "cancer_hotspot", "clonal_haematopoiesis")
GENE_ROLES = ("tumour_suppressor", "oncogene", "clonal_haematopoiesis", "unspecified")

PROTEIN_CHANGE = re.compile(r"^(?:p\.)?([A-Z*])(\d+)([A-Z*]?)$")

HOTSPOT_ALLELE_COLUMNS = [
    "gene",
    "protein_change",
    "category",
    "source",
    "transcript",
    "chrom",
    "pos",
    "ref",
    "alt",
    "variant_protein_change",
]


class CatalogueError(ValueError):
    """A catalogue file that does not follow the documented format."""


def reverse_complement(sequence: str) -> str:
    return sequence.translate(COMPLEMENT)[::-1]


def translate_codon(codon: str) -> str:
    return CODON_TABLE.get(codon.upper(), "X")


def parse_protein_change(text: str) -> tuple[str, int, str]:
    """``R273H`` -> ("R", 273, "H"); ``G12`` -> ("G", 12, "") (any missense change)."""
    match = PROTEIN_CHANGE.match(text.strip())
    if not match:
        raise CatalogueError(f"protein change {text!r} is not like R273H, R1200* or G12")
    return match.group(1), int(match.group(2)), match.group(3)


def _read_table(path: str | Path, required: list[str]) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise CatalogueError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def read_hotspots(path: str | Path) -> pd.DataFrame:
    """The hotspot catalogue, one row per gene and protein change, with parsed residues."""
    table = _read_table(path, ["gene", "protein_change", "category", "source"])
    if "transcript" not in table.columns:
        table["transcript"] = ""
    bad = sorted(set(table["category"]) - set(HOTSPOT_CATEGORIES))
    if bad:
        raise CatalogueError(f"{path}: unknown category {', '.join(bad)}")
    parsed = [parse_protein_change(change) for change in table["protein_change"]]
    table["ref_aa"] = [ref for ref, _, _ in parsed]
    table["residue"] = [residue for _, residue, _ in parsed]
    table["alt_aa"] = [alt for _, _, alt in parsed]
    table["protein_change"] = [f"{r}{n}{a}" for r, n, a in parsed]
    if table.duplicated(["gene", "protein_change"]).any():
        raise CatalogueError(f"{path}: duplicated gene + protein_change entries")
    return table.reset_index(drop=True)


def read_cancer_genes(path: str | Path) -> pd.DataFrame:
    """Cancer genes with their role (tumour_suppressor, oncogene, clonal_haematopoiesis)."""
    table = _read_table(path, ["gene", "role", "source"])
    bad = sorted(set(table["role"]) - set(GENE_ROLES))
    if bad:
        raise CatalogueError(f"{path}: unknown role {', '.join(bad)}")
    if table["gene"].duplicated().any():
        raise CatalogueError(f"{path}: duplicated genes")
    return table.reset_index(drop=True)


# --- annotation -------------------------------------------------------------------


def choose_transcript(
    transcripts: list[Transcript], gene: str, preferred: str = ""
) -> tuple[Transcript | None, str]:
    """The transcript whose numbering a catalogue entry uses, and a note when it is not
    the one the entry names.

    The named transcript (version ignored: ``ENST00000269305`` matches
    ``ENST00000269305.9``) when the annotation has it; else, with a note naming the
    transcript used, the annotation's ``MANE_Select`` transcript, its
    ``Ensembl_canonical`` one, or the longest coding sequence, in that order."""
    candidates = [transcript for transcript in transcripts if transcript.gene == gene]
    if not candidates:
        return None, ""
    if preferred:
        for transcript in candidates:
            if strip_version(transcript.id) == strip_version(preferred):
                return transcript, ""
    for label, pool in (
        ("the annotation's MANE_Select transcript", [t for t in candidates if t.mane_select]),
        ("the annotation's Ensembl_canonical transcript", [t for t in candidates if t.canonical]),
        ("the longest coding sequence", candidates),
    ):
        if pool:
            chosen = max(pool, key=lambda transcript: (transcript.cds_length, transcript.id))
            named = f"{preferred} is not in the annotation" if preferred else "no transcript named"
            return chosen, f"{named}; numbered on {chosen.id} ({label})"
    return None, ""


# --- mapping ----------------------------------------------------------------------


def _codon_alleles(
    codon: str, positions: list[int], strand: str, ref_aa: str, residue: int, alt_aa: str
) -> list[dict]:
    """Single-base changes of a codon that produce the catalogue's change: the named
    amino acid, or any other amino acid (not stop) for a residue-level entry."""
    alleles = []
    for offset in range(3):
        for base in "ACGT":
            if base == codon[offset]:
                continue
            changed = codon[:offset] + base + codon[offset + 1 :]
            amino_acid = translate_codon(changed)
            wanted = amino_acid == alt_aa if alt_aa else amino_acid not in (ref_aa, "*", "X")
            if not wanted:
                continue
            ref_base, alt_base = codon[offset], base
            if strand == "-":
                ref_base, alt_base = ref_base.translate(COMPLEMENT), alt_base.translate(COMPLEMENT)
            alleles.append(
                {
                    "pos": positions[offset] + 1,
                    "ref": ref_base,
                    "alt": alt_base,
                    "variant_protein_change": f"{ref_aa}{residue}{amino_acid}",
                }
            )
    return alleles


def map_hotspots(
    catalogue: pd.DataFrame, transcripts: list[Transcript], fetch
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Place every catalogue entry on the genome.

    ``fetch(chrom, start, end)`` returns the reference sequence of a 0-based half-open
    interval. Returns (entries, alleles): one row per entry with its status (``mapped``,
    ``gene_not_in_annotation``, ``residue_outside_cds``, ``reference_mismatch``) and the
    codon; one row per genomic single-base allele that makes the entry's change.
    """
    entries, alleles = [], []
    for entry in catalogue.itertuples(index=False):
        row = {
            "gene": entry.gene,
            "protein_change": entry.protein_change,
            "category": entry.category,
            "source": entry.source,
            "transcript": "",
            "transcript_note": "",
            "chrom": "",
            "strand": "",
            "codon_positions": "",
            "ref_codon": "",
            "ref_aa_found": "",
            "status": "mapped",
        }
        transcript, note = choose_transcript(transcripts, entry.gene, entry.transcript)
        row["transcript_note"] = note
        positions = transcript.codon_positions(entry.residue) if transcript else None
        if transcript is None:
            row["status"] = "gene_not_in_annotation"
        elif positions is None:
            row["status"] = "residue_outside_cds"
            row["transcript"] = transcript.id
        else:
            bases = "".join(fetch(transcript.chrom, p, p + 1) for p in positions).upper()
            codon = bases if transcript.strand == "+" else bases.translate(COMPLEMENT)
            found = translate_codon(codon)
            row.update(
                transcript=transcript.id,
                chrom=transcript.chrom,
                strand=transcript.strand,
                codon_positions=",".join(str(p + 1) for p in positions),
                ref_codon=codon,
                ref_aa_found=found,
            )
            if found != entry.ref_aa:
                row["status"] = "reference_mismatch"
            else:
                for allele in _codon_alleles(
                    codon, positions, transcript.strand, entry.ref_aa, entry.residue, entry.alt_aa
                ):
                    alleles.append(
                        {
                            "gene": entry.gene,
                            "protein_change": entry.protein_change,
                            "category": entry.category,
                            "source": entry.source,
                            "transcript": transcript.id,
                            "chrom": transcript.chrom,
                            **allele,
                        }
                    )
        entries.append(row)
    allele_table = pd.DataFrame(alleles, columns=HOTSPOT_ALLELE_COLUMNS)
    return pd.DataFrame(entries), allele_table


def pileup_positions(entries: pd.DataFrame, contig_order: list[str] | None = None) -> pd.DataFrame:
    """Unique (chrom, pos) of every codon base of the mapped entries, sorted in the
    reference's contig order: the regions file ``bcftools mpileup --regions-file``
    reads (1-based)."""
    mapped = entries[entries["status"] == "mapped"]
    rows = [
        (chrom, int(pos))
        for chrom, codon in zip(mapped["chrom"], mapped["codon_positions"], strict=True)
        for pos in codon.split(",")
    ]
    table = pd.DataFrame(rows, columns=["chrom", "pos"]).drop_duplicates()
    order = {name: rank for rank, name in enumerate(contig_order or sorted(set(table["chrom"])))}
    table["rank"] = table["chrom"].map(order)
    table = table.dropna(subset=["rank"]).sort_values(["rank", "pos"])
    return table.drop(columns="rank").reset_index(drop=True)
