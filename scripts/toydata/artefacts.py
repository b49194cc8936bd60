"""Strand-biased artefact reads in a clean line: the false "acquired" variants that
oxidative damage (8-oxoG: G>T / C>A) and end-repair deamination (C>T / G>A) make in
library preparation.

At each artefact site a few reads of the clean line (3-10, at the line's depth) carry
an alt base, all of them aligned to ONE strand (the read of the pair on that strand;
fragments whose two reads both cover the site are never used, nor fragments that have
a PCR duplicate). The line's cells do not carry the variant: a check must never call
these sites acquired. Planting re-points the chosen fragments at a copy of their
haplotype window with the alt base, so everything else about the reads (qualities,
errors, mates) is simulated as for any other read.

Positions: ``pos0`` 0-based; truth ``pos`` 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import reads
from .genes import GeneModel
from .sequtils import as_array, translate
from .sites import SitePicker, coding_snv
from .variants import Allele

ARTEFACT_SAMPLE = "D1_clone_clean"
WINDOW = 1_500  # haplotype bases on each side of the site in the re-pointed copy
OXOG = {"G": "T", "C": "A"}
OXOG_KIND = "8-oxoG-like (G>T / C>A)"
DEAMINATION_KIND = "deamination-like (C>T / G>A)"


@dataclass
class ArtefactSite:
    key: str
    allele: Allele
    strand: str  # "+": the alt reads align to the forward strand; "-": reverse
    alt_reads: int  # planted
    kind: str
    gene: str | None = None
    consequence: str = "intergenic"
    protein_change: str | None = None
    note: str = ""


def _oxog_coding(picker: SitePicker, gene: GeneModel) -> tuple[Allele, str, str]:
    """A G>T (transcript orientation) missense change in a gene's coding sequence, from
    the middle of the CDS outwards, at a site the picker accepts."""
    n_codons = gene.cds_len // 3 - 1
    order = sorted(range(2, n_codons), key=lambda k: abs(k - n_codons // 2))
    for number in order:
        codon = gene.codon(number)
        for base in (1, 2, 3):
            if codon[base - 1] != "G":
                continue
            new = codon[: base - 1] + "T" + codon[base:]
            if translate(new) in ("*", translate(codon)):
                continue
            allele, consequence, change = coding_snv(gene, picker.sequences, number, base, "T")
            if picker.ok(gene.chrom, allele.pos0, False):
                picker.claim(gene.chrom, allele.pos0)
                return allele, consequence, change
    raise RuntimeError(f"no coding site for an artefact in {gene.name}")


def _oxog_intergenic(picker: SitePicker, chrom: str, lo: float, hi: float) -> Allele:
    for _ in range(1000):
        p = picker.intergenic(chrom, lo, hi)
        ref = chr(picker.sequences[chrom][p])
        if ref in OXOG:
            return Allele(chrom, p, ref, OXOG[ref])
        picker.taken[chrom].pop()
    raise RuntimeError(f"no G/C intergenic site on {chrom}")


def _real_site(sequence: np.ndarray, chrom: str, germline_pos0: list[int]) -> Allele:
    """A G or C of the real-sequence contig at least 200 bp from every germline call and
    outside homopolymers (no run of 4 equal bases within 10 bp), nearest its middle."""
    calls = np.array(sorted(germline_pos0), dtype=np.int64)
    n = len(sequence)
    for p in sorted(range(2_000, n - 2_000), key=lambda x: abs(x - n // 2)):
        ref = chr(sequence[p])
        if ref not in OXOG:
            continue
        i = np.searchsorted(calls, p)
        near = [calls[j] for j in (i - 1, i) if 0 <= j < len(calls)]
        if any(abs(int(q) - p) < 200 for q in near):
            continue
        window = sequence[p - 10 : p + 11]
        runs = np.nonzero(np.diff(window.astype(np.int16)))[0]
        if np.max(np.diff(np.concatenate([[-1], runs, [len(window) - 1]]))) >= 4:
            continue
        return Allele(chrom, p, ref, OXOG[ref])
    raise RuntimeError(f"no artefact site on {chrom}")


def pick_sites(
    picker: SitePicker,
    genes: list[GeneModel],
    real_chrom: str,
    real_sequence: np.ndarray,
    real_germline_pos0: list[int],
) -> list[ArtefactSite]:
    """Six artefact sites: a TP53 hotspot codon (R248Q, c.743G>A), coding sites of a
    clonal-haematopoiesis gene (ASXL1) and a filler gene, two intergenic sites and one
    on the real-sequence contig; 3-10 alt reads, both strand orientations."""
    by_name = {g.name: g for g in genes}
    tp53 = by_name["TP53"]
    allele, csq, change = coding_snv(tp53, picker.sequences, 248, 2, "A")
    picker.claim(tp53.chrom, allele.pos0)
    sites = [
        ArtefactSite(
            "artefact_TP53_R248Q",
            allele,
            "+",
            6,
            DEAMINATION_KIND,
            "TP53",
            csq,
            change,
            "one-strand reads at a TP53 dominant-negative hotspot codon",
        ),
    ]
    asxl1 = by_name["ASXL1"]
    allele, csq, change = _oxog_coding(picker, asxl1)
    sites.append(ArtefactSite("artefact_ASXL1", allele, "-", 8, OXOG_KIND, "ASXL1", csq, change))
    filler = next(g for g in genes if g.spec.category == "filler" and g.chrom == "chr17")
    allele, csq, change = _oxog_coding(picker, filler)
    sites.append(
        ArtefactSite("artefact_filler", allele, "+", 4, OXOG_KIND, filler.name, csq, change)
    )
    allele = _oxog_intergenic(picker, "chr17", 0.55, 0.95)
    sites.append(ArtefactSite("artefact_intergenic_3", allele, "-", 3, OXOG_KIND))
    allele = _oxog_intergenic(picker, "chr1", 0.52, 0.70)
    sites.append(ArtefactSite("artefact_intergenic_10", allele, "+", 10, OXOG_KIND))
    allele = _real_site(real_sequence, real_chrom, real_germline_pos0)
    sites.append(
        ArtefactSite(
            "artefact_real_sequence",
            allele,
            "-",
            5,
            OXOG_KIND,
            note="on the real GRCh38 sequence of the toy chr21",
        )
    )
    return sites


@dataclass
class SiteCopies:
    """Where one site sits in the source buffer, per haplotype: the site's buffer
    position and the buffer offset of the window copy that carries the alt base."""

    site: ArtefactSite
    positions: list[int]  # buffer position of the site on each haplotype
    window_offsets: list[int]


def add_windows(buffer: reads.SourceBuffer, site: ArtefactSite, haplotypes: list) -> SiteCopies:
    """Lay out, for each (haplotype, buffer offset of the haplotype), a copy of the
    haplotype around the site with the alt base."""
    a = site.allele
    positions, windows = [], []
    for hap, base in haplotypes:
        hp = int(hap.ref_to_hap(a.pos0))
        assert chr(hap.seq[hp]) == a.ref, site.key
        window = hap.seq[hp - WINDOW : hp + WINDOW + 1].copy()
        window[WINDOW] = as_array(a.alt)[0]
        positions.append(base + hp)
        windows.append(buffer.add(window))
    return SiteCopies(site, positions, windows)


def _fragment_keys(frags: reads.Fragments) -> np.ndarray:
    return (frags.offset * 1024 + frags.length) * 2 + frags.reverse.astype(np.int64)


def plant_reads(rng: np.random.Generator, library: reads.Fragments, copies: SiteCopies) -> dict:
    """Re-point ``alt_reads`` fragments whose only read over the site lies on the
    site's strand at the alt-carrying window; returns the counts for the truth."""
    site = copies.site
    dup_keys = set(_fragment_keys(library.take(np.nonzero(library.duplicate)[0])).tolist())
    off, length = library.offset, library.length
    candidates, targets = [], []
    depth = {"reads": 0, "forward": 0, "reverse": 0}
    for position, window in zip(copies.positions, copies.window_offsets, strict=True):
        cover = (off <= position) & (position < off + length)
        top = cover & (position - off < np.minimum(reads.READ_LENGTH, length))
        bottom = cover & (position >= off + length - reads.READ_LENGTH)
        depth["forward"] += int(top.sum())
        depth["reverse"] += int(bottom.sum())
        only = (top & ~bottom) if site.strand == "+" else (bottom & ~top)
        idx = np.nonzero(only & ~library.duplicate)[0]
        keys = _fragment_keys(library.take(idx))
        idx = idx[[k not in dup_keys for k in keys.tolist()]]
        candidates.append(idx)
        targets.append(np.full(len(idx), window - (position - WINDOW), dtype=np.int64))
    pool, shift = np.concatenate(candidates), np.concatenate(targets)
    k = min(site.alt_reads, len(pool))
    chosen = rng.choice(len(pool), size=k, replace=False)
    library.offset[pool[chosen]] += shift[chosen]
    depth["reads"] = depth["forward"] + depth["reverse"]
    return {
        "alt_reads": int(k),
        "site_reads": depth["reads"],
        "site_reads_forward": depth["forward"],
        "site_reads_reverse": depth["reverse"],
    }


def truth_record(site: ArtefactSite, counts: dict) -> dict:
    a = site.allele
    return {
        "id": site.key,
        "sample": ARTEFACT_SAMPLE,
        "chrom": a.chrom,
        "pos": a.pos0 + 1,
        "ref": a.ref,
        "alt": a.alt,
        "type": "snv",
        "kind": site.kind,
        "alt_strand": site.strand,
        "planted_alt_reads": site.alt_reads,
        **counts,
        "gene": site.gene,
        "consequence": site.consequence,
        "protein_change": site.protein_change,
        "expected_class": "artefact",
        "note": site.note or "alt reads on one strand only; never acquired",
    }
