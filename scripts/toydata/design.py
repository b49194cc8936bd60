"""The planted truth: donors, samples, cell populations (clones), copy-number events
and acquired variants.

A sample is a mixture of populations. Each population has, per chromosome and
haplotype, a copy count over reference intervals (gain: 2 copies of one haplotype;
loss: 0; copy-neutral LOH: 2 copies of A and 0 of B) and a set of acquired variants
on a chosen haplotype. Expected allele fractions and log2 ratios follow from the
fractions and copy counts (expected.py); sites are chosen by sites.py.

Genomic positions are 0-based (``pos0``, half-open intervals) unless named ``pos``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .genes import GeneModel
from .genome import Contig
from .sites import (
    SitePicker,
    coding_snv,
    filler_missense,
    gene_named,
    intergenic_indel,
    intergenic_snv,
)
from .variants import Allele, Donor

DONORS = [Donor("D1", "male"), Donor("D2", "female")]
# D3: an individual with no sample in the run (the contaminant of the one-donor design)
ALL_DONORS = DONORS + [Donor("D3", "female")]
EVENTS_SAMPLE = "D1_clone_events"
DUPLICATE_RATE = 0.06
# the donor's clonal-haematopoiesis clone: in the parental's blood cells, and the cell
# D1_clone_events was reprogrammed from (so the line carries it in all cells)
DONOR_MOSAIC_CLONE = "CH"
DONOR_MOSAIC_FRACTION = 0.30
PARENTAL_DEPTH = 30  # D1_parental, below its lines' 35x
# episomal plasmid family left in D1_clone_events (copies per cell, 0.02 in all)
EVENTS_PLASMIDS = [("toy_pCXLE_POU5F1", 0.01), ("toy_pCXLE_SOX2", 0.005), ("toy_pCXLE_KLF4", 0.005)]


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
    origin: str = "acquired"  # or "donor_mosaic": also in the parental, at a low fraction


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
    donor: str | None = None  # None: the sample's genotype donor (else a contaminant)

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
        return donor_of(self.genotype_donor).sex


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


def _mosaic_parental_populations() -> list[Population]:
    f = DONOR_MOSAIC_FRACTION
    return [
        Population("P0", round(1.0 - f, 6), ["germline"], "donor germline genome only"),
        Population("P_CH", f, [DONOR_MOSAIC_CLONE], "clonal haematopoiesis clone of the donor"),
    ]


def sample_designs(extra_lines: int = 0) -> list[SampleDesign]:
    """The samples of the default design, one literal per sample (long on purpose: it
    is the sample sheet of the toy data set, written out as data)."""
    samples = [
        SampleDesign(
            "D1_parental",
            "D1",
            "parental",
            "",
            "male",
            "D1",
            PARENTAL_DEPTH,
            0,
            "peripheral blood mononuclear cells",
            ["L1"],
            _mosaic_parental_populations(),
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
            vectors=list(EVENTS_PLASMIDS),
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
            "dermal fibroblasts",
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
    return next(d for d in ALL_DONORS if d.name == name)


# length of the small 1p loss per unit genome_scale: 300 kb at the default scale 0.4
SMALL_LOSS_BP_PER_SCALE = 750_000


def _small_loss_interval(chr1: Contig, genes: list[GeneModel], genome_scale: float):
    """An interval of 1p clear of DNMT3A (whose planted variant must keep its allele
    fraction): centred in the larger free stretch; shorter only if 1p is too small."""
    length = int(round(SMALL_LOSS_BP_PER_SCALE * genome_scale / 100.0)) * 100
    pad = max(2_000, int(20_000 * min(1.0, genome_scale)))
    dnmt3a = gene_named(genes, "DNMT3A")
    free = [
        (chr1.telomere + pad, dnmt3a.start - pad),
        (dnmt3a.end + pad, chr1.centromere_start - pad),
    ]
    lo, hi = next(
        ((a, b) for a, b in free if b - a >= length), max(free, key=lambda x: x[1] - x[0])
    )
    length = min(length, hi - lo)
    start = lo + (hi - lo - length) // 2
    return start, start + length


def plant_events(
    rng: np.random.Generator,
    contigs: list[Contig],
    sequences: dict[str, np.ndarray],
    genes: list[GeneModel],
    samples: list[SampleDesign],
    genome_scale: float,
) -> tuple[list[CopyNumberEvent], list[AcquiredVariant]]:
    """Place the copy-number events and acquired variants of D1_clone_events and attach
    them to its populations.

    Long on purpose: it is the list of planted events, read top to bottom as the truth
    table of docs/toy_data.md, and each placement draws from ``rng`` in this order, so
    splitting it would change every planted position and every read of the data set.
    """
    by_name = {c.name: c for c in contigs}
    picker = SitePicker(rng, contigs, sequences, genes, genome_scale)
    s = EVENTS_SAMPLE
    events: list[CopyNumberEvent] = []

    # 20q11.21 gain over HM13/ID1/BCL2L1 (and neighbours), 3 copies in 50% of cells
    chr20 = by_name["chr20"]
    hm13, bcl2l1 = gene_named(genes, "HM13"), gene_named(genes, "BCL2L1")
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
    # small interstitial loss on 1p (no recurrent region there), haplotype B, 50% of cells
    l_start, l_end = _small_loss_interval(chr1, genes, genome_scale)
    events.append(
        CopyNumberEvent(
            "loss_1p_interstitial",
            s,
            "A2",
            "chr1",
            l_start,
            l_end,
            "loss",
            [CopyChange("chr1", l_start, l_end, "B", 0)],
            False,
            "1p (interstitial)",
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
        origin="acquired",
    ):
        picker.claim(allele.chrom, allele.pos0)
        variants.append(
            AcquiredVariant(
                key, s, clone, hap, allele, gene, consequence, change, hotspot, note, origin
            )
        )

    tp53 = gene_named(genes, "TP53")
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
    dnmt3a = gene_named(genes, "DNMT3A")
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
        "DNMT3A c.2645G>A, clonal haematopoiesis hotspot; donor mosaic: in "
        f"{DONOR_MOSAIC_FRACTION:.0%} of the parental's cells, all cells of the line",
        origin="donor_mosaic",
    )
    tet2 = gene_named(genes, "TET2")
    allele, csq, change = coding_snv(tet2, sequences, 1034, 1, "T")  # CAG>TAG
    add("TET2_Q1034*", "A2", "A", allele, "TET2", csq, change, False, "TET2 truncating")
    bcor = gene_named(genes, "BCOR")
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
    filler, allele, change = filler_missense(picker, genes)
    add("filler_missense", "B", "B", allele, filler.name, "missense", change)
    add("intergenic_ins_root", "root", "B", intergenic_indel(picker, "chr17", 0.55, 0.95, 2))
    add(
        "chr12_trisomy_snv",
        "root",
        "A",
        intergenic_snv(picker, "chr12", 0.35, 0.95, inside_events=True),
        note="inside trisomy 12 on the non-duplicated haplotype: AF 1/3",
    )
    add("intergenic_snv_A", "A", "A", intergenic_snv(picker, "chr20", 0.02, 0.40))
    add("intergenic_del_A1", "A1", "B", intergenic_indel(picker, "chr1", 0.35, 0.45, -4))
    add("intergenic_snv_A4", "A4", "B", intergenic_snv(picker, "chr17", 0.2, 0.5))
    add("intergenic_snv_B1", "B1", "A", intergenic_snv(picker, "chr20", 0.02, 0.40))

    sample = next(x for x in samples if x.name == s)
    for pop in sample.populations:
        for e in events:
            if e.clone in pop.clones:
                pop.changes.extend(e.changes)
        pop.variants = [v for v in variants if v.clone in pop.clones]
    for other in samples:  # the parental's clonal-haematopoiesis cells
        for pop in other.populations:
            if DONOR_MOSAIC_CLONE in pop.clones:
                pop.variants = [v for v in variants if v.origin == "donor_mosaic"]
    for v in variants:
        assert not v.hotspot or v.gene in ("TP53", "DNMT3A")
    return events, variants
