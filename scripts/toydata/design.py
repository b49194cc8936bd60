"""The planted truth: donors, samples, cell populations (clones), copy-number events
and acquired variants.

A sample is a mixture of populations. Each population has, per chromosome and
haplotype, a copy count over reference intervals (gain: 2 copies of one haplotype;
loss: 0; copy-neutral LOH: 2 copies of A and 0 of B) and a set of acquired variants
on a chosen haplotype. Expected allele fractions and log2 ratios follow from the
fractions and copy counts, computed here rather than typed in.

Genomic positions are 0-based (``pos0``, half-open intervals) unless named ``pos``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .genes import GeneModel
from .genome import AUTOSOMES, Contig, interval_mask_check
from .sequtils import as_str, revcomp_str, translate
from .variants import Allele, Donor, make_insertion, snv_alt, unambiguous_deletion

DONORS = [Donor("D1", "male"), Donor("D2", "female")]
EVENTS_SAMPLE = "D1_clone_events"
DUPLICATE_RATE = 0.06


@dataclass
class CopyChange:
    chrom: str
    start: int
    end: int
    haplotype: str
    copies: int


@dataclass
class AcquiredVariant:
    key: str
    sample: str
    clone: str
    haplotype: str
    allele: Allele
    gene: str | None
    consequence: str
    protein_change: str | None
    hotspot: bool
    note: str = ""


@dataclass
class CopyNumberEvent:
    key: str
    sample: str
    clone: str
    chrom: str
    start: int
    end: int
    kind: str  # gain | loss | cnloh
    changes: list[CopyChange]
    whole_chromosome: bool
    band: str


@dataclass
class Population:
    name: str
    fraction: float
    clones: list[str]
    description: str = ""
    changes: list[CopyChange] = field(default_factory=list)
    variants: list[AcquiredVariant] = field(default_factory=list)

    def copies(self, donor: Donor, chrom: str, haplotype: str, pos: int) -> int:
        if haplotype not in donor.haplotypes(chrom):
            return 0
        n = 1
        for c in self.changes:
            if c.chrom == chrom and c.haplotype == haplotype and c.start <= pos < c.end:
                n = c.copies
        return n


@dataclass
class SampleDesign:
    name: str
    donor: str  # declared donor
    role: str  # parental | line
    parental: str
    declared_sex: str
    genotype_donor: str
    coverage: float  # diploid autosomal depth
    passage: int
    notes: str
    units: list[str]
    populations: list[Population]
    vectors: list[tuple[str, float]] = field(default_factory=list)
    transgenes: list[tuple[str, float]] = field(default_factory=list)

    @property
    def true_sex(self) -> str:
        return next(d.sex for d in DONORS if d.name == self.genotype_donor)


# clone tree of D1_clone_events: clone -> fraction of cells carrying it
CLONE_FRACTIONS = {
    "root": 1.0,
    "A": 0.8,
    "A1": 0.7,
    "A2": 0.5,
    "A3": 0.4,
    "A4": 0.3,
    "B": 0.2,
    "B1": 0.1,
}
# disjoint cell populations (leaves of the tree) and the clones each carries
EVENT_POPULATIONS = [
    ("P1", 0.1, ["root", "B", "B1"]),
    ("P2", 0.1, ["root", "B"]),
    ("P3", 0.1, ["root", "A"]),
    ("P4", 0.2, ["root", "A", "A1"]),
    ("P5", 0.1, ["root", "A", "A1", "A2"]),
    ("P6", 0.1, ["root", "A", "A1", "A2", "A3"]),
    ("P7", 0.3, ["root", "A", "A1", "A2", "A3", "A4"]),
]


def _clean_population() -> list[Population]:
    return [Population("P0", 1.0, ["germline"], "all cells: donor germline genome only")]


def sample_designs(extra_lines: int = 0) -> list[SampleDesign]:
    samples = [
        SampleDesign(
            "D1_parental",
            "D1",
            "parental",
            "",
            "male",
            "D1",
            20,
            0,
            "dermal fibroblasts",
            ["L1"],
            _clean_population(),
        ),
        SampleDesign(
            "D1_clone_clean",
            "D1",
            "line",
            "D1_parental",
            "male",
            "D1",
            35,
            12,
            "episomal reprogramming; clone 1",
            ["L1"],
            _clean_population(),
        ),
        SampleDesign(
            EVENTS_SAMPLE,
            "D1",
            "line",
            "D1_parental",
            "male",
            "D1",
            35,
            25,
            "episomal reprogramming; clone 2",
            ["L1", "L2"],
            [Population(n, f, c) for n, f, c in EVENT_POPULATIONS],
            vectors=[("toy_oriP_EBNA1", 0.5)],
            transgenes=[("POU5F1", 1.0)],
        ),
        SampleDesign(
            "D1_clone_swap",
            "D1",
            "line",
            "D1_parental",
            "male",
            "D2",
            10,
            8,
            "episomal reprogramming; clone 3",
            ["L1"],
            _clean_population(),
        ),
        SampleDesign(
            "D2_parental",
            "D2",
            "parental",
            "",
            "female",
            "D2",
            10,
            0,
            "peripheral blood mononuclear cells",
            ["L1"],
            _clean_population(),
        ),
    ]
    for i in range(1, extra_lines + 1):
        donor = "D1" if i % 2 else "D2"
        sex = "male" if donor == "D1" else "female"
        samples.append(
            SampleDesign(
                f"{donor}_clone_extra{i:02d}",
                donor,
                "line",
                f"{donor}_parental",
                sex,
                donor,
                15,
                10 + i,
                f"episomal reprogramming; extra clone {i}",
                ["L1"],
                _clean_population(),
            )
        )
    return samples


def donor_of(name: str) -> Donor:
    return next(d for d in DONORS if d.name == name)


# ---------------------------------------------------------------- site selection


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


def _gene(genes: list[GeneModel], name: str) -> GeneModel:
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


def _intergenic_snv(picker: SitePicker, chrom: str, lo: float, hi: float, **kw) -> Allele:
    p = picker.intergenic(chrom, lo, hi, **kw)
    ref = int(picker.sequences[chrom][p])
    return Allele(chrom, p, chr(ref), chr(snv_alt(picker.rng, ref)))


def _intergenic_indel(picker: SitePicker, chrom: str, lo: float, hi: float, k: int) -> Allele:
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


def _filler_missense(picker: SitePicker, genes: list[GeneModel]) -> tuple[GeneModel, Allele, str]:
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


def plant_events(
    rng: np.random.Generator,
    contigs: list[Contig],
    sequences: dict[str, np.ndarray],
    genes: list[GeneModel],
    samples: list[SampleDesign],
    genome_scale: float,
) -> tuple[list[CopyNumberEvent], list[AcquiredVariant]]:
    """Place the copy-number events and acquired variants of D1_clone_events and attach
    them to its populations."""
    by_name = {c.name: c for c in contigs}
    picker = SitePicker(rng, contigs, sequences, genes, genome_scale)
    s = EVENTS_SAMPLE
    events: list[CopyNumberEvent] = []

    # 20q11.21 gain over HM13/ID1/BCL2L1 (and neighbours), 3 copies in 50% of cells
    chr20 = by_name["chr20"]
    hm13, bcl2l1 = _gene(genes, "HM13"), _gene(genes, "BCL2L1")
    pad = max(2_000, int(20_000 * min(1.0, genome_scale)))
    g_start = hm13.start - pad
    g_end = max(g_start + int(800_000 * genome_scale), bcl2l1.end + pad)
    g_end = min(g_end, chr20.length - chr20.telomere - pad)
    assert g_start > chr20.centromere_end and g_end > bcl2l1.end
    events.append(
        CopyNumberEvent(
            "gain_20q11.21",
            s,
            "A2",
            "chr20",
            g_start,
            g_end,
            "gain",
            [CopyChange("chr20", g_start, g_end, "A", 2)],
            False,
            "20q11.21",
        )
    )
    # whole chromosome 12 trisomy in all cells (haplotype B duplicated)
    chr12 = by_name["chr12"]
    events.append(
        CopyNumberEvent(
            "trisomy_12",
            s,
            "root",
            "chr12",
            0,
            chr12.length,
            "gain",
            [CopyChange("chr12", 0, chr12.length, "B", 2)],
            True,
            "12",
        )
    )
    # terminal copy-neutral LOH of distal 1q in 80% of cells (B replaced by A)
    chr1 = by_name["chr1"]
    l_start = chr1.length - int(800_000 * genome_scale)
    assert l_start > chr1.centromere_end
    events.append(
        CopyNumberEvent(
            "cnloh_1q_distal",
            s,
            "A",
            "chr1",
            l_start,
            chr1.length,
            "cnloh",
            [
                CopyChange("chr1", l_start, chr1.length, "A", 2),
                CopyChange("chr1", l_start, chr1.length, "B", 0),
            ],
            False,
            "1q43-qter",
        )
    )
    # terminal loss of distal 18q in 40% of cells (haplotype B lost)
    chr18 = by_name["chr18"]
    d_start = chr18.length - int(600_000 * genome_scale)
    assert d_start > chr18.centromere_end
    events.append(
        CopyNumberEvent(
            "loss_18q_distal",
            s,
            "A3",
            "chr18",
            d_start,
            chr18.length,
            "loss",
            [CopyChange("chr18", d_start, chr18.length, "B", 0)],
            False,
            "18q22-qter",
        )
    )
    for e in events:
        if not e.whole_chromosome:
            picker.block(e.chrom, e.start, e.end)
    picker.block("chr12", 0, chr12.length)

    variants: list[AcquiredVariant] = []

    def add(
        key,
        clone,
        hap,
        allele,
        gene=None,
        consequence="intergenic",
        change=None,
        hotspot=False,
        note="",
    ):
        picker.claim(allele.chrom, allele.pos0)
        variants.append(
            AcquiredVariant(key, s, clone, hap, allele, gene, consequence, change, hotspot, note)
        )

    tp53 = _gene(genes, "TP53")
    allele, csq, change = coding_snv(tp53, sequences, 273, 2, "A")  # c.818G>A
    add(
        "TP53_R273H",
        "A3",
        "B",
        allele,
        "TP53",
        csq,
        change,
        True,
        "TP53 c.818G>A, dominant-negative hotspot",
    )
    dnmt3a = _gene(genes, "DNMT3A")
    allele, csq, change = coding_snv(dnmt3a, sequences, 882, 2, "A")  # c.2645G>A
    add(
        "DNMT3A_R882H",
        "root",
        "A",
        allele,
        "DNMT3A",
        csq,
        change,
        True,
        "DNMT3A c.2645G>A, clonal haematopoiesis hotspot",
    )
    tet2 = _gene(genes, "TET2")
    allele, csq, change = coding_snv(tet2, sequences, 1034, 1, "T")  # CAG>TAG
    add("TET2_Q1034*", "A2", "A", allele, "TET2", csq, change, False, "TET2 truncating")
    bcor = _gene(genes, "BCOR")
    allele, csq, change = coding_snv(bcor, sequences, 1200, 1, "T")  # CGA>TGA
    add(
        "BCOR_R1200*",
        "A4",
        "A",
        allele,
        "BCOR",
        csq,
        change,
        False,
        "BCOR truncating; chrX of a male, hemizygous",
    )
    filler, allele, change = _filler_missense(picker, genes)
    add("filler_missense", "B", "B", allele, filler.name, "missense", change)
    add("intergenic_ins_root", "root", "B", _intergenic_indel(picker, "chr17", 0.55, 0.95, 2))
    add(
        "chr12_trisomy_snv",
        "root",
        "A",
        _intergenic_snv(picker, "chr12", 0.35, 0.95, inside_events=True),
        note="inside trisomy 12 on the non-duplicated haplotype: AF 1/3",
    )
    add("intergenic_snv_A", "A", "A", _intergenic_snv(picker, "chr20", 0.02, 0.40))
    add("intergenic_del_A1", "A1", "B", _intergenic_indel(picker, "chr1", 0.35, 0.45, -4))
    add("intergenic_snv_A4", "A4", "B", _intergenic_snv(picker, "chr17", 0.2, 0.5))
    add("intergenic_snv_B1", "B1", "A", _intergenic_snv(picker, "chr20", 0.02, 0.40))

    sample = next(x for x in samples if x.name == s)
    for pop in sample.populations:
        for e in events:
            if e.clone in pop.clones:
                pop.changes.extend(e.changes)
        pop.variants = [v for v in variants if v.clone in pop.clones]
    for v in variants:
        assert not v.hotspot or v.gene in ("TP53", "DNMT3A")
    return events, variants


# ---------------------------------------------------------------- expected values


def expected_af(sample: SampleDesign, variant: AcquiredVariant) -> float:
    donor = donor_of(sample.genotype_donor)
    a = variant.allele
    alt = total = 0.0
    for pop in sample.populations:
        for hap in donor.haplotypes(a.chrom):
            n = pop.copies(donor, a.chrom, hap, a.pos0) * pop.fraction
            total += n
            if hap == variant.haplotype and variant in pop.variants:
                alt += n
    return alt / total


def population_fraction(sample: SampleDesign, variant: AcquiredVariant) -> float:
    return sum(p.fraction for p in sample.populations if variant in p.variants)


def expected_copy_state(sample: SampleDesign, chrom: str, pos: int) -> tuple[float, float]:
    """(log2 ratio versus a normal diploid/haploid genome, major haplotype fraction)."""
    donor = donor_of(sample.genotype_donor)
    haps = donor.haplotypes(chrom)
    per_hap = {
        h: sum(p.fraction * p.copies(donor, chrom, h, pos) for p in sample.populations)
        for h in haps
    }
    total = sum(per_hap.values())
    return math.log2(total / len(haps)), max(per_hap.values()) / total


def event_truth(sample: SampleDesign, event: CopyNumberEvent, genes: list[GeneModel]) -> dict:
    mid = (event.start + event.end) // 2
    log2, baf_major = expected_copy_state(sample, event.chrom, mid)
    copy_number = {"gain": 3, "loss": 1, "cnloh": 2}[event.kind]
    return {
        "sample": event.sample,
        "id": event.key,
        "chrom": event.chrom,
        "start": event.start,
        "end": event.end,
        "length": event.end - event.start,
        "type": event.kind,
        "band": event.band,
        "copy_number": copy_number,
        "mosaic_fraction": CLONE_FRACTIONS[event.clone],
        "clone": event.clone,
        "whole_chromosome": event.whole_chromosome,
        "haplotype_changes": [
            {"haplotype": c.haplotype, "copies": c.copies} for c in event.changes
        ],
        "genes": [
            g.name
            for g in genes
            if g.chrom == event.chrom and g.start < event.end and g.end > event.start
        ],
        "expected_log2_ratio": round(log2, 4) + 0.0,
        "expected_baf_major": round(baf_major, 4),
        "expected_baf_shift": round(baf_major - 0.5, 4),
    }


def describe_populations(sample: SampleDesign, events: list[CopyNumberEvent]) -> None:
    for pop in sample.populations:
        if pop.clones == ["germline"]:
            continue
        carried = [e.key for e in events if e.clone in pop.clones]
        carried += [v.key for v in pop.variants]
        pop.description = (
            f"{pop.fraction:.0%} of cells; clones {'+'.join(pop.clones)}; carries "
            + ", ".join(carried)
        )
