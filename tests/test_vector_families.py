"""Vector decoys as families: hand-built plasmid-like sequences (one backbone, three
inserts, one a cDNA of a gene of the genome), tiny BAMs written by pysam."""

from __future__ import annotations

import numpy as np
import pysam
import pytest
from ipscqc.gate.rules import undetected_above_limit
from ipscqc.vectors.evidence import evidence_summary, family_depths, scan_families
from ipscqc.vectors.families import (
    build_decoy_map,
    canonical_kmers,
    decoy_junction_points,
    effective_lengths,
)
from ipscqc.vectors.findings import detection_limit, family_items, vector_values
from ipscqc.vectors.junctions import Junction, attach_sequences

K = 31
BACKBONE, ORIP = 2000, 800  # the backbone's first 800 bp also sit in the reference's chrEBV
EXONS = [(100, 300), (600, 800), (1100, 1300)]  # the gene's exons on chr1, 0-based
FAMILY = "family:P1+P2+P3"
JUNCTIONS = ("chr1:300-600", "chr1:800-1100")  # the introns the cDNA leaves out


def _random(rng, n):
    return "".join(rng.choice(list("ACGT"), n))


@pytest.fixture(scope="module")
def world():
    rng = np.random.default_rng(42)
    genome = _random(rng, 3000)
    cdna = "".join(genome[a:b] for a, b in EXONS)  # 600 bp, junctions at 200 and 400
    backbone = _random(rng, BACKBONE)
    ebv = _random(rng, 1500) + backbone[:ORIP] + _random(rng, 1500)
    decoys = {
        "P1": backbone + cdna,
        "P2": backbone + _random(rng, 500),
        "P3": backbone + _random(rng, 400),
        "piggyBac": _random(rng, 1500),
    }
    exons = {f"exon{i}": genome[a:b] for i, (a, b) in enumerate(EXONS)}
    decoy_map = build_decoy_map(
        decoys, k=K, reference_contigs={"chrEBV": ebv}, genome_segments=exons
    )
    junctions = [Junction("POU5F1", "chr1", 300, 600), Junction("POU5F1", "chr1", 800, 1100)]
    attach_sequences(junctions, lambda chrom, a, b: genome[a:b], flank=60)
    return {
        "genome": genome,
        "ebv": ebv,
        "decoys": decoys,
        "map": decoy_map,
        "points": decoy_junction_points(decoys, junctions),
    }


def test_canonical_kmers_join_both_strands():
    assert canonical_kmers("AAC", 3) == ["AAC"]
    assert canonical_kmers("GTT", 3) == ["AAC"]  # reverse complement of AAC
    assert len(canonical_kmers("ACGTACGT", 5)) == 4


def test_shared_backbone_makes_one_family(world):
    decoy_map = world["map"]
    assert decoy_map.family_of == {"P1": FAMILY, "P2": FAMILY, "P3": FAMILY, "piggyBac": "piggyBac"}
    # chrEBV holds the oriP part of the backbone: one homologous stretch, of the family
    (homolog,) = decoy_map.homologs
    assert (homolog.contig, homolog.family) == ("chrEBV", FAMILY)
    assert homolog.start == 1500 and homolog.end == pytest.approx(1500 + ORIP, abs=K)


def test_positions_shared_with_the_genome_are_not_countable(world):
    decoy_map = world["map"]
    p1 = decoy_map.countable["P1"]
    assert p1[100:1900].all()  # backbone: only copies of the family
    insert = slice(BACKBONE + 20, BACKBONE + 160)  # inside the cDNA's first exon
    assert not p1[insert].any()
    assert decoy_map.genome_shared["P1"][insert].all()
    # k-mers across an exon-exon junction of the insert exist nowhere in the genome
    assert p1[BACKBONE + 200 - 15]
    # P2's insert is its own
    assert decoy_map.countable["P2"][BACKBONE + 10 : BACKBONE + 400].all()


def test_multiplicity_and_non_redundant_lengths(world):
    decoy_map = world["map"]
    # oriP k-mers: in P1, P2, P3 and chrEBV; the rest of the backbone: in the three
    assert decoy_map.multiplicity["P2"][100] == 4
    assert decoy_map.multiplicity["P2"][1000] == 3
    assert decoy_map.multiplicity["P2"][BACKBONE + 100] == 1
    lengths = effective_lengths(decoy_map, FAMILY)
    # the backbone once (its last k - 1 positions lead into the inserts), and
    # countable: backbone once + P2's and P3's inserts + the cDNA's junction k-mers
    assert lengths["shared"] == pytest.approx(BACKBONE - K + 1, abs=2)
    assert lengths["countable"] == pytest.approx(BACKBONE + 500 + 400 + 2 * 30 + 30, abs=40)
    assert effective_lengths(decoy_map, "piggyBac")["countable"] == pytest.approx(1500)


def test_decoy_junction_points_of_the_cdna_insert(world):
    points = world["points"]
    assert points["P1"] == [
        (BACKBONE + 200, "POU5F1", JUNCTIONS[0]),
        (BACKBONE + 400, "POU5F1", JUNCTIONS[1]),
    ]
    assert points["P2"] == [] and points["piggyBac"] == []


def _write_bam(path, world, reads):
    """reads: (name, contig, start, length, mapq, flag); sequence from the contig."""
    contigs = {"chr1": world["genome"], **world["decoys"], "chrEBV": world["ebv"]}
    names = list(contigs)
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": n, "LN": len(contigs[n])} for n in names]}  # fmt: skip
    ordered = sorted(reads, key=lambda r: (names.index(r[1]), r[2]))
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for name, contig, start, length, mapq, flag in ordered:
            read = pysam.AlignedSegment()
            read.query_name = name
            read.query_sequence = contigs[contig][start : start + length]
            read.flag = flag
            read.reference_id = names.index(contig)
            read.reference_start = start
            read.mapping_quality = mapq
            read.cigartuples = [(0, length)]
            read.query_qualities = pysam.qualitystring_to_array("I" * length)
            bam.write(read)
    pysam.index(str(path))
    return {n: len(s) for n, s in contigs.items()}


def test_reads_are_counted_once_for_their_family(world, tmp_path):
    reads = [
        ("backbone_a", "P2", 1000, 100, 0, 0),  # MAPQ 0 between plasmids: counted
        ("backbone_a", "P3", 1000, 100, 0, 0x100),  # its secondary alignment: not again
        ("backbone_b", "P1", 1200, 100, 0, 0),
        ("orip", "chrEBV", 1600, 100, 0, 0),  # chrEBV inside the oriP stretch: counted
        ("ebv_genome", "chrEBV", 200, 100, 60, 0),  # chrEBV elsewhere: EBV itself
        ("exon_read", "P1", BACKBONE + 20, 100, 0, 0),  # could be a genomic exon read
        ("junction", "P1", BACKBONE + 150, 100, 0, 0),  # across the cDNA's exon 1-2 join
        ("insert", "P2", BACKBONE + 100, 100, 60, 0),
        ("dup", "P2", BACKBONE + 100, 100, 60, 0x400),
        ("pb", "piggyBac", 500, 100, 60, 0),
    ]
    lengths = _write_bam(tmp_path / "s.bam", world, reads)
    evidence = scan_families(str(tmp_path / "s.bam"), world["map"], lengths, world["points"], 20)
    family = evidence.families[FAMILY]
    # backbone_a, backbone_b, orip and insert; the MAPQ-0 junction read has only the
    # k-mers across the join (30 of its 100 positions) off genome sequence
    assert family.reads == 4
    assert family.low_mapq_reads == 3 and family.homolog_reads == 1
    assert evidence.families["piggyBac"].reads == 1
    assert evidence.other_reads == {"chrEBV": 1}
    assert evidence.dropped_reads == 2  # exon_read and junction are not copy evidence
    assert evidence.junction_reads == {"POU5F1": {JUNCTIONS[0]: {"junction"}}}
    assert evidence.read_length == 100
    summary = {**evidence_summary(evidence, world["map"]), "genes": {"POU5F1": _gene()}}
    values, items, notes = vector_values(summary, None, 30.0, None, 3, 1)
    assert values["vectors_detected"] == [FAMILY]
    (pou5f1,) = [item for item in items if item["name"] == "POU5F1"]
    # the MAPQ-0 read across the insert's exon join is a transgene junction read
    assert (pou5f1["junction_reads"], pou5f1["decoy_junction_reads"]) == (1, 1)
    assert values["transgene_genes"] == ["POU5F1"]
    assert any("1 reads on chrEBV outside" in note for note in notes)
    assert any("1 reads on the reference's viral contig counted" in note for note in notes)
    # a family is detected: the detection limit does not make it INCONCLUSIVE
    assert not undetected_above_limit(values, 0.01)


def _gene():
    """The POU5F1 entry of an evidence file with no junction read in the genome."""
    return {
        "chrom": "chr1",
        "junctions": 2,
        "reads": [],
        "reads_by_junction": {key: [] for key in JUNCTIONS},
        "junctions_with_reads": 0,
    }


def _simulate_family(rng, world, copies, haploid_depth, read_length=100):
    """Reads of P1, P2, P3 at ``copies`` each: backbone reads land on a random copy
    (a plasmid, or chrEBV for oriP) at MAPQ 0, insert reads on their own plasmid."""
    reads = []
    ebv_offset = 1500
    for plasmid in ("P1", "P2", "P3"):
        length = len(world["decoys"][plasmid])
        n = rng.poisson(copies * haploid_depth * length / read_length)
        for i, start in enumerate(rng.integers(0, length - read_length, n)):
            name = f"{plasmid}_{i}"
            if start + read_length <= BACKBONE:
                places = ["P1", "P2", "P3"] + (["chrEBV"] if start + read_length <= ORIP else [])
                place = places[rng.integers(len(places))]
                at = start + ebv_offset if place == "chrEBV" else start
                reads.append((name, place, int(at), read_length, 0, 0))
            else:
                reads.append((name, plasmid, int(start), read_length, 60, 0))
    return reads


def test_copies_per_cell_from_the_family_backbone(world, tmp_path):
    rng = np.random.default_rng(3)
    reads = _simulate_family(rng, world, copies=0.2, haploid_depth=10.0)
    lengths = _write_bam(tmp_path / "s.bam", world, reads)
    evidence = scan_families(str(tmp_path / "s.bam"), world["map"], lengths, world["points"], 20)
    depths = family_depths(evidence, world["map"])
    items = family_items(depths, None, 20.0, None, evidence.read_length, 3)
    family = next(item for item in items if item["name"] == FAMILY)
    # three plasmids at 0.2 copies each: 0.6 plasmids per cell on the shared backbone
    assert family["copies_basis"] == "shared backbone"
    assert family["copies_per_cell"] == pytest.approx(0.6, rel=0.15)
    assert family["chrEBV_reads"] > 0
    # dividing all reads by the whole length of one decoy, as per-decoy counting did at
    # MAPQ >= 20, sees only the insert reads: far below the truth
    per_decoy = (
        sum(1 for r in reads if r[1] == "P2" and r[4] >= 20) * 100 / len(world["decoys"]["P2"])
    )
    assert per_decoy / 10.0 < 0.1
    piggy = next(item for item in items if item["name"] == "piggyBac")
    assert piggy["copies_per_cell"] == 0.0 and piggy["detected"] is False


def test_detection_limit_by_hand():
    # 3 reads with 95%: Poisson mean 6.296; at 30x, 150 bp reads on 9 kb:
    # 15 * 9000 / 150 = 900 reads per copy per cell -> 0.0070 copies per cell
    assert detection_limit(30.0, 150.0, 9000.0, 3) == pytest.approx(6.2958 / 900, rel=1e-3)
    assert detection_limit(10.0, 150.0, 9000.0, 3) == pytest.approx(6.2958 / 300, rel=1e-3)
    assert detection_limit(None, 150.0, 9000.0, 3) is None


def test_shallow_clean_line_is_not_assessable(world, tmp_path):
    lengths = _write_bam(tmp_path / "s.bam", world, [("genomic", "chr1", 50, 100, 60, 0)])
    evidence = scan_families(str(tmp_path / "s.bam"), world["map"], lengths, world["points"], 20)
    summary = {**evidence_summary(evidence, world["map"]), "genes": {"POU5F1": _gene()}}
    summary["read_length"] = 150.0
    for depth, inconclusive in ((10.0, True), (2000.0, False)):
        values, _, _ = vector_values(summary, None, depth, None, 3, 2)
        assert values["vectors_detected"] == []
        # the worst family is the shortest: piggyBac, 1500 bp
        assert values["vector_detection_limit"] == pytest.approx(
            detection_limit(depth, 150.0, 1500.0, 3)
        )
        # at 10x: 6.296 / (5 * 1500 / 150) = 0.126 copies per cell, above a 0.01 limit
        assert undetected_above_limit(values, 0.01) is inconclusive
