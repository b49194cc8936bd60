"""Vectors: copies per cell, GFF3 gene models, cDNA junction reads, the check's values."""

from __future__ import annotations

import numpy as np
import pysam
import pytest
from ipscqc.readers.gff3 import read_annotation
from ipscqc.vectors.evidence import evidence_summary, scan_families
from ipscqc.vectors.families import build_decoy_map
from ipscqc.vectors.findings import copies_per_cell, detection_limit, vector_values
from ipscqc.vectors.junctions import (
    Junction,
    attach_sequences,
    gene_junctions,
    junction_of_read,
    prepared_junctions,
    scan_gene_junctions,
)
from ipscqc.vectors.junctions import gene_models as gene_models_of


def read_gene_models(path, names):
    return gene_models_of(read_annotation(path, gene_names=set(names)))


EXONS = [(100, 200), (500, 600), (900, 1000)]  # 0-based half-open


def test_copies_per_cell():
    # decoy at 5x in a 20x genome: one haplotype is 10x, so 0.5 copies per cell
    assert copies_per_cell(5.0, 20.0) == pytest.approx(0.5)
    # 0.05 copies per cell at 30x is 0.75x on the decoy
    assert copies_per_cell(0.75, 30.0) == pytest.approx(0.05)
    assert copies_per_cell(0.0, 30.0) == 0.0
    assert copies_per_cell(1.0, 0.0) is None
    assert copies_per_cell(None, 30.0) is None


def _genome(seed=0, length=2000):
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list("ACGT"), length))


GFF3 = """##gff-version 3
chr1\ttoy\tgene\t101\t1000\t.\t+\t.\tID=gene:G1;Name=POU5F1;biotype=protein_coding
chr1\ttoy\tmRNA\t101\t1000\t.\t+\t.\tID=transcript:T1;Parent=gene:G1;biotype=protein_coding
chr1\ttoy\texon\t101\t200\t.\t+\t.\tParent=transcript:T1
chr1\ttoy\texon\t501\t600\t.\t+\t.\tParent=transcript:T1
chr1\ttoy\texon\t901\t1000\t.\t+\t.\tParent=transcript:T1
chr1\ttoy\tgene\t1201\t1500\t.\t-\t.\tID=gene:G2;Name=TP53;biotype=protein_coding
chr1\ttoy\tmRNA\t1201\t1500\t.\t-\t.\tID=transcript:T2;Parent=gene:G2
chr1\ttoy\texon\t1201\t1300\t.\t-\t.\tParent=transcript:T2
"""


def test_read_gene_models_and_junctions(tmp_path):
    path = tmp_path / "genes.gff3"
    path.write_text(GFF3)
    models = read_gene_models(str(path), ["POU5F1", "SOX2"])
    assert list(models) == ["POU5F1"]
    model = models["POU5F1"]
    assert (model.chrom, model.start, model.end) == ("chr1", 100, 1000)
    assert model.transcripts["T1"] == EXONS
    junctions = gene_junctions(model)
    assert [(j.left_end, j.right_start) for j in junctions] == [(200, 500), (600, 900)]


def _junctions(genome):
    junctions = [Junction("POU5F1", "chr1", 200, 500), Junction("POU5F1", "chr1", 600, 900)]
    attach_sequences(junctions, lambda chrom, a, b: genome[a:b], flank=60)
    return junctions


def _cdna(genome):
    return "".join(genome[a:b] for a, b in EXONS)


def test_right_clipped_read_across_a_junction():
    genome = _genome()
    cdna = _cdna(genome)
    read = cdna[20:170]  # 80 bases of exon 1, 70 of exon 2
    cigar = [(0, 80), (4, 70)]
    found = junction_of_read(read, cigar, 120, 200, _junctions(genome), min_clip=8, anchor=20)
    assert found is not None and (found.left_end, found.right_start) == (200, 500)


def test_left_clipped_read_and_a_short_clip():
    genome = _genome(1)
    cdna = _cdna(genome)
    read = cdna[90:240]  # 10 bases of exon 1, 100 of exon 2, 40 of exon 3
    cigar = [(4, 10), (0, 100), (4, 40)]
    found = junction_of_read(read, cigar, 500, 600, _junctions(genome), min_clip=8, anchor=20)
    assert found is not None
    # clips shorter than min_clip are not trusted
    short = junction_of_read(read, cigar, 500, 600, _junctions(genome), min_clip=12, anchor=20)
    assert short is not None and short.right_start == 900  # the 40-base right clip


def test_alignment_extended_into_the_intron_still_counts():
    genome = list(_genome(2))
    # make the intron start with the next exon's first two bases, as chance often does
    genome[200:202] = genome[500:502]
    genome = "".join(genome)
    cdna = _cdna(genome)
    read = cdna[50:200]  # 50 of exon 1, 100 of exon 2
    cigar = [(0, 52), (4, 98)]  # aligner matched 2 intron bases before clipping
    found = junction_of_read(read, cigar, 150, 202, _junctions(genome), min_clip=8, anchor=20)
    assert found is not None


def test_intron_as_a_deletion():
    genome = _genome(3)
    cigar = [(0, 60), (2, 300), (0, 90)]
    found = junction_of_read("A" * 150, cigar, 140, 500 + 90, _junctions(genome), 8, 20)
    assert found is not None and found.left_end == 200


def test_genomic_and_unrelated_clipped_reads_are_not_junction_reads():
    genome = _genome(4)
    junctions = _junctions(genome)
    genomic = genome[150:300]  # exon 1 into the intron, no clip
    assert junction_of_read(genomic, [(0, 150)], 150, 300, junctions, 8, 20) is None
    rng = np.random.default_rng(9)
    junk = genome[120:200] + "".join(rng.choice(list("ACGT"), 70))
    assert junction_of_read(junk, [(0, 80), (4, 70)], 120, 200, junctions, 8, 20) is None


def _write_bam(path, genome, decoy, reads):
    header = {
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": [{"SN": "chr1", "LN": len(genome)}, {"SN": "toy_vector", "LN": len(decoy)}],
    }
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for number, (contig, start, seq, cigar, flag, mapq) in enumerate(reads):
            read = pysam.AlignedSegment()
            read.query_name = f"r{number}"
            read.query_sequence = seq
            read.flag = flag
            read.reference_id = 0 if contig == "chr1" else 1
            read.reference_start = start
            read.mapping_quality = mapq
            read.cigartuples = cigar
            read.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
            bam.write(read)
    pysam.index(str(path))


def test_scan_counts_decoy_reads_and_junction_reads(tmp_path):
    genome = _genome(5)
    decoy = _genome(6, 1000)
    fasta = tmp_path / "genome.fa"
    fasta.write_text(f">chr1\n{genome}\n>toy_vector\n{decoy}\n")
    pysam.faidx(str(fasta))
    cdna = _cdna(genome)
    reads = [
        ("chr1", 120, cdna[20:170], [(0, 80), (4, 70)], 0, 60),  # junction 1
        ("chr1", 130, cdna[30:180], [(0, 70), (4, 80)], 0x400, 60),  # duplicate: ignored
        ("chr1", 150, genome[150:300], [(0, 150)], 0, 60),  # genomic
        ("toy_vector", 0, decoy[0:100], [(0, 100)], 0, 60),
        ("toy_vector", 400, decoy[400:500], [(0, 100)], 0, 60),
        # MAPQ 0 on sequence found in no other decoy nor exon: still this family's read
        ("toy_vector", 600, decoy[600:700], [(0, 100)], 0, 0),
        ("toy_vector", 700, decoy[700:800], [(0, 100)], 0x100, 60),  # secondary: ignored
    ]
    bam = tmp_path / "sample.bam"
    _write_bam(bam, genome, decoy, reads)
    gff = tmp_path / "genes.gff3"
    gff.write_text(GFF3)
    models = read_gene_models(str(gff), ["POU5F1"])
    with pysam.FastaFile(str(fasta)) as reference:
        junctions = prepared_junctions(models, reference.fetch)
    genes, read_length = scan_gene_junctions(str(bam), models, junctions, 20, 8, 20)
    assert genes["POU5F1"]["reads"] == ["r0"]
    assert genes["POU5F1"]["junctions"] == 2
    assert genes["POU5F1"]["junctions_with_reads"] == 1
    assert read_length == 150
    decoy_map = build_decoy_map({"toy_vector": decoy}, k=31)
    lengths = {"chr1": len(genome), "toy_vector": len(decoy)}
    evidence = scan_families(str(bam), decoy_map, lengths, {}, min_mapq=20)
    summary = evidence_summary(evidence, decoy_map)
    family = summary["families"]["toy_vector"]
    assert (family["reads"], family["low_mapq_reads"]) == (3, 1)
    assert family["basis"] == "countable sequence"
    # 300 aligned bases over the decoy's 1,000 countable positions
    assert family["depth"] == pytest.approx(0.3)


def _family(level_depth, reads, length=5000, members=("toy_pCXLE_A", "toy_pCXLE_B")):
    return {
        "members": list(members),
        "reads": reads,
        "low_mapq_reads": 0,
        "homolog_reads": 0,
        "countable_length": float(length),
        "shared_length": float(length),
        "depth": level_depth,
        "shared_depth": level_depth,
        "basis": "shared backbone",
        "basis_bp": length,
        "level_depth": level_depth,
        "stretches": [],
    }


def _evidence(vector_depth, junction_reads):
    reads = [f"j{i}" for i in range(junction_reads)]
    return {
        "families": {
            "family:toy_pCXLE_A+toy_pCXLE_B": _family(vector_depth, int(vector_depth * 5000 / 150)),
            "toy_piggyBac": _family(0.0, 0, 3000, ("toy_piggyBac",)),
        },
        "genes": {
            "POU5F1": {
                "chrom": "chr17",
                "junctions": 4,
                "reads": reads,
                "reads_by_junction": {"chr17:100-200": reads},
                "junctions_with_reads": min(1, junction_reads),
            },
            "SOX2": {
                "chrom": "chr18",
                "junctions": 1,
                "reads": [],
                "reads_by_junction": {"chr18:100-200": []},
                "junctions_with_reads": 0,
            },
        },
        "decoy_junction_reads": {},
        "viral_contig_reads": {},
        "dropped_reads": 0,
        "read_length": 150.0,
    }


FAMILY = "family:toy_pCXLE_A+toy_pCXLE_B"


def test_vector_values_against_the_parental():
    line, parental = _evidence(6.25, 40), _evidence(0.0, 0)
    values, items, notes = vector_values(line, parental, 25.0, 20.0, 3, 2)
    # 6.25x over the shared backbone at 25x (12.5x per haplotype): 0.5 copies per cell
    assert values["max_vector_copies_per_cell"] == pytest.approx(0.5)
    assert values["vector_family_with_max"] == FAMILY
    assert values["parental_max_vector_copies_per_cell"] == 0.0
    assert values["vectors_detected"] == [FAMILY]
    assert values["transgene_junction_reads"] == 40
    assert values["transgene_genes"] == ["POU5F1"]
    assert values["parental_transgene_junction_reads"] == 0
    assert values["vector_families"] == 2 and values["decoy_contigs"] == 3
    assert any("Sendai" in note for note in notes)
    assert {item["name"] for item in items} >= {FAMILY, "POU5F1"}
    # a transgene cDNA: 40 reads across its one junction with reads; one copy per cell
    # puts 12.5 * (150 - 16) / 150 = 11.2 reads across a junction
    (pou5f1,) = [item for item in items if item["name"] == "POU5F1"]
    assert pou5f1["copies_per_cell"] == pytest.approx(40 / (12.5 * 134 / 150))


def test_clean_line_and_a_donor_retrocopy():
    clean, _, _ = vector_values(_evidence(0.0, 0), _evidence(0.0, 0), 25.0, 20.0, 3, 2)
    assert clean["max_vector_copies_per_cell"] == 0.0
    assert clean["vector_family_with_max"] is None
    assert clean["vectors_detected"] == []
    assert clean["transgene_genes"] == []
    # the shortest family (3 kb) limits what this depth detects: 3 reads with 95%
    # need a Poisson mean of 6.296; 12.5 * 3000 / 150 = 250 reads per copy per cell
    assert clean["vector_detection_limit"] == pytest.approx(6.2958 / 250, rel=1e-3)
    assert detection_limit(25.0, 150.0, 3000.0, 3) == clean["vector_detection_limit"]
    # junction reads in the parental too: the donor's own retrocopy, not a transgene
    shared, _, notes = vector_values(_evidence(0.0, 12), _evidence(0.0, 10), 25.0, 20.0, 3, 2)
    assert shared["transgene_genes"] == []
    assert shared["transgene_junction_reads"] == 12
    assert any("retrocopy" in note for note in notes)


def test_line_only_and_no_decoys():
    evidence = _evidence(0.0, 0)
    evidence["families"] = {}
    values, _, notes = vector_values(evidence, None, 25.0, None, 3, 2)
    assert values["max_vector_copies_per_cell"] is None
    assert values["vector_detection_limit"] is None
    assert values["parental_transgene_junction_reads"] is None
    assert any("not looked for" in note for note in notes)
