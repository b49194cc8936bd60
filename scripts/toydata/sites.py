"""Sites for planted variants: away from N gaps, repeats, genes (for intergenic sites),
copy-number events (unless asked) and each other; coding changes at a chosen codon.

Genomic positions are 0-based (``pos0``).
"""

from __future__ import annotations

import numpy as np

from .genes import GeneModel
from .genome import AUTOSOMES, interval_mask_check
from .sequtils import as_str, revcomp_str, translate
from .variants import Allele, make_insertion, snv_alt, unambiguous_deletion


class SitePicker:
    """Chooses acquired-variant sites away from gaps, repeats, genes (for intergenic
    sites), copy-number events (unless asked) and each other."""

    def __init__(self, rng, contigs, sequences, genes, genome_scale):
        self.rng = rng
        self.contigs = {c.name: c for c in contigs}
        self.sequences = sequences
        self.genes = genes
        self.gs = min(1.0, genome_scale)
        self.taken: dict[str, list[tuple[int, int]]] = {}
        self.events: dict[str, list[tuple[int, int]]] = {}

    def block(self, chrom: str, start: int, end: int) -> None:
        self.events.setdefault(chrom, []).append((start, end))

    def claim(self, chrom: str, pos0: int) -> None:
        self.taken.setdefault(chrom, []).append((pos0, pos0 + 1))

    def ok(self, chrom: str, pos0: int, inside_events: bool) -> bool:
        contig = self.contigs[chrom]
        p = np.array([pos0])
        if interval_mask_check(p, contig.gaps, 1000)[0]:
            return False
        if interval_mask_check(p, contig.repeats, 300)[0]:
            return False
        if interval_mask_check(p, self.taken.get(chrom, []), 5000)[0]:
            return False
        in_event = interval_mask_check(p, self.events.get(chrom, []), 2000)[0]
        return inside_events or not in_event

    def intergenic(self, chrom: str, lo: float, hi: float, inside_events: bool = False) -> int:
        contig = self.contigs[chrom]
        gene_iv = [(g.start, g.end) for g in self.genes if g.chrom == chrom]
        margin = max(1000, int(5000 * self.gs))
        for _ in range(10_000):
            p = int(self.rng.integers(int(lo * contig.length), int(hi * contig.length)))
            if interval_mask_check(np.array([p]), gene_iv, margin)[0]:
                continue
            if self.ok(chrom, p, inside_events):
                self.claim(chrom, p)
                return p
        raise RuntimeError(f"no free intergenic site on {chrom}")


def gene_named(genes: list[GeneModel], name: str) -> GeneModel:
    return next(g for g in genes if g.name == name)


def coding_snv(
    gene: GeneModel, sequences, codon_number: int, codon_base: int, new_base: str
) -> tuple[Allele, str, str]:
    """SNV changing base ``codon_base`` (1..3) of a codon to ``new_base`` (transcript
    orientation). Returns the genomic allele, consequence and protein change."""
    c = 3 * (codon_number - 1) + codon_base
    pos0 = gene.c_to_genome(c)
    old_codon = gene.codon(codon_number)
    new_codon = old_codon[: codon_base - 1] + new_base + old_codon[codon_base:]
    old_aa, new_aa = translate(old_codon), translate(new_codon)
    ref = chr(sequences[gene.chrom][pos0])
    alt = new_base if gene.strand == "+" else revcomp_str(new_base)
    expected_ref = old_codon[codon_base - 1]
    assert ref == (expected_ref if gene.strand == "+" else revcomp_str(expected_ref)), gene.name
    if new_aa == "*":
        consequence = "stop_gained"
    elif new_aa == old_aa:
        consequence = "synonymous"
    else:
        consequence = "missense"
    return Allele(gene.chrom, pos0, ref, alt), consequence, f"p.{old_aa}{codon_number}{new_aa}"


def intergenic_snv(picker: SitePicker, chrom: str, lo: float, hi: float, **kw) -> Allele:
    p = picker.intergenic(chrom, lo, hi, **kw)
    ref = int(picker.sequences[chrom][p])
    return Allele(chrom, p, chr(ref), chr(snv_alt(picker.rng, ref)))


def intergenic_indel(picker: SitePicker, chrom: str, lo: float, hi: float, k: int) -> Allele:
    """k > 0: insertion of k bases; k < 0: deletion of -k bases."""
    seq = picker.sequences[chrom]
    for _ in range(1000):
        p = picker.intergenic(chrom, lo, hi)
        if k < 0 and unambiguous_deletion(seq, p, -k):
            return Allele(chrom, p, as_str(seq[p : p - k + 1]), chr(seq[p]))
        if k > 0:
            ins = make_insertion(picker.rng, seq, p, k)
            if ins is not None:
                return Allele(chrom, p, chr(seq[p]), chr(seq[p]) + ins)
        picker.taken[chrom].pop()
    raise RuntimeError("no site for an unambiguous indel")


def filler_missense(picker: SitePicker, genes: list[GeneModel]) -> tuple[GeneModel, Allele, str]:
    for g in genes:
        if g.spec.category != "filler" or g.chrom not in AUTOSOMES or g.chrom == "chr12":
            continue
        if interval_mask_check(np.array([g.start, g.end]), picker.events.get(g.chrom, []), 0).any():
            continue
        codon_number = g.cds_len // 6
        old = g.codon(codon_number)
        for base in "ACGT":
            new = old[0] + base + old[2]
            if base != old[1] and translate(new) not in ("*", translate(old)):
                allele, consequence, change = coding_snv(g, picker.sequences, codon_number, 2, base)
                if picker.ok(g.chrom, allele.pos0, False):
                    picker.claim(g.chrom, allele.pos0)
                    return g, allele, change
    raise RuntimeError("no filler gene for a missense variant")
