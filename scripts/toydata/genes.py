"""Gene models of the toy genome and their Ensembl-style GFF3.

Named genes sit on the GRCh38 chromosome (or a stated stand-in chromosome) at the
GRCh38 relative position (position / chromosome length), on the real strand. TP53
encodes the canonical 393-residue protein (UniProt P04637, NP_000537) with the real
codons at the cancer hotspots, so that ``bcftools csq`` reports real protein changes.

Genomic coordinates are 0-based half-open; GFF3 output is 1-based closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .gene_catalogue import (
    N_FILLER_GENES,
    NAMED_GENES,
    TP53_CDS_EXON_LENGTHS,
    TP53_PROTEIN,
    GeneSpec,
)
from .genome import Contig
from .sequtils import (
    SENSE_CODONS,
    SYNONYMOUS,
    as_array,
    as_str,
    random_bases,
    reverse_complement,
    translate,
)


@dataclass
class GeneModel:
    spec: GeneSpec
    exon_lengths: list[int]  # transcript order
    intron_lengths: list[int]  # transcript order
    utr5: int
    cds_len: int  # including the stop codon
    utr3: int
    tx_seq: str = ""  # spliced transcript, transcript orientation
    start: int = -1  # genomic, 0-based half-open
    end: int = -1

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def chrom(self) -> str:
        return self.spec.chrom

    @property
    def strand(self) -> str:
        return self.spec.strand

    @property
    def span(self) -> int:
        return sum(self.exon_lengths) + sum(self.intron_lengths)

    @property
    def cds_seq(self) -> str:
        return self.tx_seq[self.utr5 : self.utr5 + self.cds_len]

    @property
    def protein(self) -> str:
        return translate(self.cds_seq)

    def _exon_blocks(self) -> list[tuple[int, int, int]]:
        """(spliced start, pre-mRNA start, length) per exon, transcript order."""
        blocks, spliced, pre = [], 0, 0
        for i, length in enumerate(self.exon_lengths):
            blocks.append((spliced, pre, length))
            spliced += length
            pre += length + (self.intron_lengths[i] if i < len(self.intron_lengths) else 0)
        return blocks

    def pre_to_genome(self, u: int) -> int:
        return self.start + u if self.strand == "+" else self.end - 1 - u

    def pre_interval_to_genome(self, a: int, b: int) -> tuple[int, int]:
        if self.strand == "+":
            return self.start + a, self.start + b
        return self.end - b, self.end - a

    def spliced_to_genome(self, t: int) -> int:
        for spliced, pre, length in self._exon_blocks():
            if spliced <= t < spliced + length:
                return self.pre_to_genome(pre + t - spliced)
        raise ValueError(f"{self.name}: transcript position {t} outside exons")

    def c_to_genome(self, c: int) -> int:
        """0-based genomic position of CDS position c (HGVS c. numbering, 1-based)."""
        if not 1 <= c <= self.cds_len:
            raise ValueError(f"{self.name}: c.{c} outside CDS")
        return self.spliced_to_genome(self.utr5 + c - 1)

    def codon(self, number: int) -> str:
        return self.cds_seq[(number - 1) * 3 : number * 3]

    def exons(self) -> list[tuple[int, int]]:
        """Genomic exon intervals, transcript order."""
        return [self.pre_interval_to_genome(p, p + n) for _, p, n in self._exon_blocks()]

    def introns(self) -> list[tuple[int, int]]:
        blocks = self._exon_blocks()
        out = []
        for (_, p, n), (_, p_next, _) in zip(blocks[:-1], blocks[1:], strict=True):
            out.append(self.pre_interval_to_genome(p + n, p_next))
        return out

    def segments(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """Genomic pieces of spliced interval [lo, hi): (start, end, bases before in
        [lo, hi) along the transcript), transcript order."""
        out = []
        for spliced, pre, length in self._exon_blocks():
            a, b = max(lo, spliced), min(hi, spliced + length)
            if a < b:
                gs, ge = self.pre_interval_to_genome(pre + a - spliced, pre + b - spliced)
                out.append((gs, ge, a - lo))
        return out

    def cds_interval(self) -> tuple[int, int]:
        segs = self.segments(self.utr5, self.utr5 + self.cds_len)
        return min(s for s, _, _ in segs), max(e for _, e, _ in segs)

    def region_of(self, pos: int) -> str:
        """Coarse consequence class of a genomic position (0-based)."""
        if not self.start <= pos < self.end:
            return "intergenic"
        for gs, ge, _ in self.segments(self.utr5, self.utr5 + self.cds_len):
            if gs <= pos < ge:
                return "coding"
        for gs, ge, _ in self.segments(0, self.utr5):
            if gs <= pos < ge:
                return "5_prime_utr"
        total = sum(self.exon_lengths)
        for gs, ge, _ in self.segments(self.utr5 + self.cds_len, total):
            if gs <= pos < ge:
                return "3_prime_utr"
        return "intron"

    def as_truth(self) -> dict:
        cds_start, cds_end = self.cds_interval()
        return {
            "name": self.name,
            "chrom": self.chrom,
            "start": self.start,
            "end": self.end,
            "strand": self.strand,
            "gene_id": self.spec.gene_id,
            "transcript": self.spec.transcript_id,
            "category": self.spec.category,
            "note": self.spec.note,
            "n_exons": len(self.exon_lengths),
            "cds_start": cds_start,
            "cds_end": cds_end,
            "protein_length": self.cds_len // 3 - 1,
        }


def _assign_ids(specs: list[GeneSpec]) -> None:
    for i, spec in enumerate(specs, start=1):
        spec.gene_id = spec.gene_id or f"ENSGTOY{i:08d}"
        spec.transcript_id = spec.transcript_id or f"ENSTTOY{i:08d}"
        spec.protein_id = spec.protein_id or f"ENSPTOY{i:08d}"


def _split_cds(rng: np.random.Generator, cds_len: int, n_coding: int) -> list[int]:
    if n_coding == 1:
        return [cds_len]
    sizes = [int(rng.integers(40, 161))] + [int(rng.integers(70, 221)) for _ in range(n_coding - 2)]
    rest = cds_len - sum(sizes)
    if rest >= 60:
        return sizes + [rest]
    weights = rng.uniform(0.7, 1.3, n_coding)
    sizes = [int(x) for x in np.floor(weights / weights.sum() * cds_len)]
    sizes[-1] = cds_len - sum(sizes[:-1])
    return sizes


def _design_structure(rng: np.random.Generator, spec: GeneSpec, intron_scale: float) -> GeneModel:
    cds_len = 3 * (spec.aa + 1)
    if spec.name == "TP53":
        utr5_exon1, utr5_exon2, utr3 = 200, 100, 1100
        exon_lengths = [utr5_exon1, utr5_exon2 + TP53_CDS_EXON_LENGTHS[0]]
        exon_lengths += TP53_CDS_EXON_LENGTHS[1:-1] + [TP53_CDS_EXON_LENGTHS[-1] + utr3]
        utr5 = utr5_exon1 + utr5_exon2
    else:
        utr5, utr3 = int(rng.integers(60, 251)), int(rng.integers(200, 1201))
        n_coding = spec.n_exons - (1 if spec.noncoding_first_exon else 0)
        pieces = _split_cds(rng, cds_len, n_coding)
        if spec.noncoding_first_exon:
            first_exon, second_exon_utr = int(rng.integers(80, 251)), int(rng.integers(20, 121))
            exon_lengths = [first_exon]
            utr5 = first_exon + second_exon_utr
            pieces[0] += second_exon_utr
        else:
            exon_lengths = []
            pieces[0] += utr5
        pieces[-1] += utr3
        exon_lengths += pieces
    n_introns = len(exon_lengths) - 1
    introns = np.exp(rng.uniform(np.log(500), np.log(5000), n_introns)) * intron_scale
    intron_lengths = [max(40, int(x)) for x in introns]
    return GeneModel(spec, exon_lengths, intron_lengths, utr5, cds_len, utr3)


def _design_cds(rng: np.random.Generator, spec: GeneSpec) -> str:
    if spec.protein is not None:
        codons = [SYNONYMOUS[aa][int(rng.integers(len(SYNONYMOUS[aa])))] for aa in spec.protein]
    else:
        idx = rng.integers(0, len(SENSE_CODONS), spec.aa)
        codons = [SENSE_CODONS[i] for i in idx]
    codons[0] = "ATG"
    for number, codon in spec.forced_codons.items():
        codons[number - 1] = codon
    stop = "TGA" if spec.name == "TP53" else ("TAA", "TAG", "TGA")[int(rng.integers(3))]
    return "".join(codons) + stop


def filler_specs(rng: np.random.Generator, contigs: list[Contig]) -> list[GeneSpec]:
    """Invented genes (TOYG0001...) spread over all contigs in proportion to length."""
    total = sum(c.length for c in contigs)
    specs = []
    counter = 1
    named_rel = {}
    for spec in NAMED_GENES:
        named_rel.setdefault(spec.chrom, []).append(spec.rel)
    for contig in contigs:
        n = max(1, int(round(N_FILLER_GENES * contig.length / total)))
        taken = list(named_rel.get(contig.name, []))
        for _ in range(n):
            for _attempt in range(1000):
                rel = float(rng.uniform(0.03, 0.97))
                cen_rel = contig.centromere_mid / contig.length
                if abs(rel - cen_rel) < 0.04 or any(abs(rel - t) < 0.04 for t in taken):
                    continue
                if min(cen_rel, 1 - cen_rel) < 0.25 and (rel < cen_rel) == (cen_rel < 0.5):
                    continue  # keep fillers off short arms (chr18p, chrYp)
                break
            taken.append(rel)
            specs.append(
                GeneSpec(
                    f"TOYG{counter:04d}",
                    contig.name,
                    rel,
                    "+" if rng.random() < 0.5 else "-",
                    int(rng.integers(2, 13)),
                    int(rng.integers(150, 701)),
                    category="filler",
                    note="invented gene",
                )
            )
            counter += 1
    return specs


def _layout(models: list[GeneModel], contig: Contig, genome_scale: float) -> None:
    """Place genes near their relative position, on the right arm, without overlaps."""
    gs = min(1.0, genome_scale)
    spacing = max(500, int(5_000 * gs))
    margin = max(300, int(5_000 * gs))
    arms = {
        "p": (contig.telomere + margin, contig.centromere_start - margin),
        "q": (contig.centromere_end + margin, contig.length - contig.telomere - margin),
    }
    for arm in ("p", "q"):
        group = [m for m in models if contig.arm(int(m.spec.rel * contig.length)) == arm]
        if not group:
            continue
        lo, hi = arms[arm]
        if sum(m.span for m in group) + spacing * (len(group) - 1) > hi - lo:
            raise ValueError(f"genes do not fit on {contig.name}{arm}; raise genome_scale")
        group.sort(key=lambda m: m.spec.rel)
        prev_end = lo - spacing
        for m in group:
            want = int(m.spec.rel * contig.length) - m.span // 2
            m.start = max(want, prev_end + spacing)
            m.end = m.start + m.span
            prev_end = m.end
        next_start = hi + spacing
        for m in reversed(group):
            if m.end > next_start - spacing:
                m.end = next_start - spacing
                m.start = m.end - m.span
            next_start = m.start


def design_genes(
    rng: np.random.Generator, contigs: list[Contig], genome_scale: float
) -> list[GeneModel]:
    specs = [GeneSpec(**vars(s)) for s in NAMED_GENES] + filler_specs(rng, contigs)
    for spec in specs:
        spec.forced_codons = dict(spec.forced_codons)
    _assign_ids(specs)
    intron_scale = min(1.0, genome_scale)
    models = [_design_structure(rng, spec, intron_scale) for spec in specs]
    by_contig = {c.name: c for c in contigs}
    for contig in contigs:
        _layout([m for m in models if m.chrom == contig.name], contig, genome_scale)
    for m in models:
        cds = _design_cds(rng, m.spec)
        utr5 = as_str(random_bases(rng, 0.55, m.utr5))
        utr3 = as_str(random_bases(rng, 0.42, sum(m.exon_lengths) - m.utr5 - m.cds_len))
        m.tx_seq = utr5 + cds + utr3
        assert len(m.tx_seq) == sum(m.exon_lengths)
        contig = by_contig[m.chrom]
        assert contig.telomere <= m.start < m.end <= contig.length - contig.telomere, m.name
    tp53 = next(m for m in models if m.name == "TP53")
    assert tp53.protein == TP53_PROTEIN + "*" and len(tp53.cds_seq) == 1182
    models.sort(key=lambda m: ([c.name for c in contigs].index(m.chrom), m.start))
    return models


def write_gene_sequences(models: list[GeneModel], sequences: dict[str, np.ndarray]) -> None:
    """Write exons and GT..AG splice sites of every gene into the contig sequences."""
    for m in models:
        seq = sequences[m.chrom]
        region = seq[m.start : m.end]
        pre = region.copy() if m.strand == "+" else reverse_complement(region)
        for (spliced, p, length), intron in zip(
            m._exon_blocks(), m.intron_lengths + [0], strict=True
        ):
            pre[p : p + length] = as_array(m.tx_seq[spliced : spliced + length])
            if intron:
                pre[p + length : p + length + 2] = as_array("GT")
                pre[p + length + intron - 2 : p + length + intron] = as_array("AG")
        seq[m.start : m.end] = pre if m.strand == "+" else reverse_complement(pre)


def write_gff3(path: Path, models: list[GeneModel], contigs: list[Contig]) -> None:
    """Ensembl-style GFF3 that ``bcftools csq`` indexes (gene:/transcript: ids,
    biotype on gene and mRNA, CDS including the stop codon, phases). Every gene has one
    transcript, tagged as Ensembl tags its canonical MANE Select transcript."""
    lines = ["##gff-version 3"]
    lines += [f"##sequence-region   {c.name} 1 {c.length}" for c in contigs]
    source = "toydata"
    for m in models:
        spec = m.spec
        gid, tid, pid = spec.gene_id, spec.transcript_id, spec.protein_id
        common = [m.chrom, source]
        lines.append(
            "\t".join(
                common
                + ["gene", str(m.start + 1), str(m.end), ".", m.strand, "."]
                + [f"ID=gene:{gid};Name={m.name};biotype=protein_coding;gene_id={gid}"]
            )
        )
        lines.append(
            "\t".join(
                common
                + ["mRNA", str(m.start + 1), str(m.end), ".", m.strand, "."]
                + [
                    f"ID=transcript:{tid};Parent=gene:{gid};Name={m.name}-201;"
                    f"biotype=protein_coding;tag=basic,Ensembl_canonical,MANE_Select;"
                    f"transcript_id={tid}"
                ]
            )
        )
        features = []
        for rank, (s, e) in enumerate(m.exons(), start=1):
            exon_id = f"{tid.replace('ENST', 'ENSE')}.{rank}"
            attrs = f"Parent=transcript:{tid};Name={exon_id};exon_id={exon_id};rank={rank}"
            features.append((s, 1, "exon", e, ".", attrs))
        total = sum(m.exon_lengths)
        for s, e, _ in m.segments(0, m.utr5):
            features.append((s, 0, "five_prime_UTR", e, ".", f"Parent=transcript:{tid}"))
        for s, e, before in m.segments(m.utr5, m.utr5 + m.cds_len):
            phase = (3 - before % 3) % 3
            attrs = f"ID=CDS:{pid};Parent=transcript:{tid};protein_id={pid}"
            features.append((s, 2, "CDS", e, str(phase), attrs))
        for s, e, _ in m.segments(m.utr5 + m.cds_len, total):
            features.append((s, 3, "three_prime_UTR", e, ".", f"Parent=transcript:{tid}"))
        for s, _, ftype, e, phase, attrs in sorted(features):
            lines.append(
                "\t".join(common + [ftype, str(s + 1), str(e), ".", m.strand, phase, attrs])
            )
        lines.append("###")
    path.write_text("\n".join(lines) + "\n")
