"""Unit tests of the acquired-variant check: catalogue mapping, csq parsing, the
bcftools tables, clonality, tiers and the whole check on a hand-built line (the origin
decision itself: tests/test_variant_origin.py; with the gate: test_variant_gate.py)."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from ipscqc.annotation import annotate, protein_change, worst_prediction
from ipscqc.checks.acquired_variants import (
    SPEC,
    AcquiredVariantsInputs,
    AcquiredVariantsSettings,
    analyse,
)
from ipscqc.contract import validation_problems
from ipscqc.genome import GenomeModel
from ipscqc.hotspots import (
    CatalogueError,
    map_hotspots,
    parse_protein_change,
    pileup_positions,
    read_hotspots,
    reverse_complement,
    translate_codon,
)
from ipscqc.readers.bcftools_query import read_query_table
from ipscqc.readers.gff3 import read_annotation
from ipscqc.variants.limit import detection_limit
from ipscqc.variants.noise import NoiseModel
from ipscqc.variants.origin import classify_origin
from ipscqc.variants.settings import VariantSettings
from ipscqc.variants.sites import candidate_sites, hotspot_sites, merge_hotspots, normalise_allele
from ipscqc.variants.tiers import add_clonality, assign_tiers, copy_number_at, hotspot_matches

SETTINGS = VariantSettings()
NOISE = NoiseModel.default(SETTINGS)
GENOME = GenomeModel.of("GRCh38", ["chr1", "chrX", "chrY"])


def read_gff3_transcripts(path):
    return read_annotation(path).coding_transcripts()


# ------------------------------------------------------------------ synthetic genome
# chr1: 600 bp. One minus-strand gene GENEM with two coding exons whose protein is
# M K R G Q W S R E * (codon 3 = CGT, R; codon 4 = GGT, G; codon 8 = CGA, R).
CDS = "ATG" "AAA" "CGT" "GGT" "CAG" "TGG" "TCC" "CGA" "GAA" "TGA"  # fmt: skip
EXON1_CDS, EXON2_CDS = CDS[:14], CDS[14:]  # split inside codon 5


def _genome(tmp_path):
    rng = np.random.default_rng(7)
    seq = list("".join(rng.choice(list("ACGT"), 600)))
    # transcript order on the minus strand: exon A (higher coordinates) first
    exon_a = (400, 400 + len(EXON1_CDS))  # 0-based half-open genomic
    exon_b = (200, 200 + len(EXON2_CDS))
    seq[exon_a[0] : exon_a[1]] = reverse_complement(EXON1_CDS)
    seq[exon_b[0] : exon_b[1]] = reverse_complement(EXON2_CDS)
    seq[exon_b[1] : exon_b[1] + 2] = list("AC")  # intron end (GT..AG on the minus strand)
    seq[exon_a[0] - 2 : exon_a[0]] = list("AC")
    sequence = "".join(seq)
    fasta = tmp_path / "genome.fa"
    fasta.write_text(">chr1\n" + "\n".join(sequence[i : i + 60] for i in range(0, 600, 60)) + "\n")
    gff = tmp_path / "genes.gff3"
    rows = [
        ("gene", 201, 414, ".", "ID=gene:G1;Name=GENEM;biotype=protein_coding"),
        ("mRNA", 201, 414, ".", "ID=transcript:T1;Parent=gene:G1;biotype=protein_coding"),
        ("exon", 401, 414, ".", "Parent=transcript:T1"),
        ("exon", 201, 216, ".", "Parent=transcript:T1"),
        ("CDS", 401, 414, "0", "ID=CDS:P1;Parent=transcript:T1"),
        ("CDS", 201, 216, "1", "ID=CDS:P1;Parent=transcript:T1"),
    ]
    gff.write_text(
        "##gff-version 3\n"
        + "".join(
            f"chr1\tt\t{kind}\t{start}\t{end}\t.\t-\t{phase}\t{attrs}\n"
            for kind, start, end, phase, attrs in rows
        )
    )
    return fasta, gff, sequence


def _catalogue(tmp_path, rows):
    path = tmp_path / "hotspots.tsv"
    lines = ["gene\tprotein_change\ttranscript\tcategory\tsource"]
    lines += ["\t".join(row) for row in rows]
    path.write_text("# test catalogue\n" + "\n".join(lines) + "\n")
    return read_hotspots(path)


def _fetch(sequence):
    return lambda chrom, start, end: sequence[start:end]


def test_parse_protein_change():
    assert parse_protein_change("R273H") == ("R", 273, "H")
    assert parse_protein_change("p.R1200*") == ("R", 1200, "*")
    assert parse_protein_change("G12") == ("G", 12, "")
    with pytest.raises(CatalogueError):
        parse_protein_change("Arg273His")


def test_shipped_catalogue_reads():
    catalogue = read_hotspots("resources/hotspots/hotspots.tsv")
    tp53 = set(catalogue.loc[catalogue["gene"] == "TP53", "protein_change"])
    assert {"R175H", "G245S", "R248Q", "R248W", "R249S", "R273H", "Y220C", "R282W"} <= tp53
    assert "V617F" in set(catalogue.loc[catalogue["gene"] == "JAK2", "protein_change"])


def test_transcript_cds_on_minus_strand(tmp_path):
    fasta, gff, sequence = _genome(tmp_path)
    (transcript,) = read_gff3_transcripts(gff)
    assert transcript.gene == "GENEM" and transcript.strand == "-"
    coding = "".join(sequence[p] for p in transcript.cds_positions())
    assert reverse_complement(coding)[::-1] == CDS  # complement, read in transcript order
    assert "".join(translate_codon(CDS[i : i + 3]) for i in range(0, 30, 3)) == "MKRGQWSRE*"
    # codon 5 spans the exon junction: two bases in exon A, one in exon B (0-based)
    assert transcript.codon_positions(5) == [401, 400, 215]


def test_map_hotspots_minus_strand(tmp_path):
    fasta, gff, sequence = _genome(tmp_path)
    catalogue = _catalogue(
        tmp_path,
        [
            ("GENEM", "R3H", "", "tp53_dominant_negative", "test"),
            ("GENEM", "G4", "", "cancer_hotspot", "test"),
            ("GENEM", "R8*", "", "cancer_hotspot", "test"),
            ("GENEM", "W4C", "", "cancer_hotspot", "test"),  # wrong reference residue
            ("GENEM", "R40H", "", "cancer_hotspot", "test"),  # beyond the protein
            ("NOTAGENE", "R1H", "", "cancer_hotspot", "test"),
        ],
    )
    entries, alleles = map_hotspots(catalogue, read_gff3_transcripts(gff), _fetch(sequence))
    status = dict(zip(entries["protein_change"], entries["status"], strict=True))
    assert status == {
        "R3H": "mapped",
        "G4": "mapped",
        "R8*": "mapped",
        "W4C": "reference_mismatch",
        "R40H": "residue_outside_cds",
        "R1H": "gene_not_in_annotation",
    }
    # R3H: CGT -> CAT, the codon's middle base; minus strand: genomic C>T
    (r3h,) = alleles[alleles["protein_change"] == "R3H"].itertuples()
    codon = [int(p) for p in entries.loc[0, "codon_positions"].split(",")]
    assert r3h.pos == codon[1] and (r3h.ref, r3h.alt) == ("C", "T")
    assert sequence[r3h.pos - 1] == "C"
    # residue-level G4: every single-base missense change of GGT, never synonymous or stop
    g4 = alleles[alleles["protein_change"] == "G4"]
    assert set(g4["variant_protein_change"]) == {"G4C", "G4R", "G4S", "G4D", "G4A", "G4V"}
    positions = pileup_positions(entries, ["chr1"])
    assert positions["pos"].is_monotonic_increasing and len(positions) == 9


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not on PATH")
def test_mapped_alleles_agree_with_bcftools_csq(tmp_path):
    fasta, gff, sequence = _genome(tmp_path)
    catalogue = _catalogue(
        tmp_path,
        [
            ("GENEM", "R3H", "", "cancer_hotspot", "test"),
            ("GENEM", "G4", "", "cancer_hotspot", "test"),
            ("GENEM", "Q5", "", "cancer_hotspot", "test"),  # codon across the junction
            ("GENEM", "R8*", "", "cancer_hotspot", "test"),
        ],
    )
    _, alleles = map_hotspots(catalogue, read_gff3_transcripts(gff), _fetch(sequence))
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    vcf = tmp_path / "alleles.vcf"
    body = "".join(
        f"chr1\t{a.pos}\t.\t{a.ref}\t{a.alt}\t.\t.\t.\n"
        for a in alleles.sort_values("pos").itertuples()
    )
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=600>\n"
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + body)  # fmt: skip
    result = subprocess.run(
        ["bcftools", "csq", "-f", str(fasta), "-g", str(gff), "-s", "-", "-l", str(vcf)],
        check=True,
        capture_output=True,
        text=True,
    )
    records = [line.split("\t") for line in result.stdout.splitlines() if line[0] != "#"]
    bcsq = pd.Series([r[7].removeprefix("BCSQ=") for r in records])
    annotated = annotate(bcsq)
    expected = alleles.sort_values("pos")["variant_protein_change"].tolist()
    assert annotated["protein_change"].str.removeprefix("p.").tolist() == expected


# ------------------------------------------------------------------ csq parsing


@pytest.mark.parametrize(
    ("consequence", "change", "expected"),
    [
        ("missense", "273R>273H", "p.R273H"),
        ("stop_gained", "1200R>1200*", "p.R1200*"),
        ("synonymous", "273R", "p.R273="),
        ("frameshift", "30GICR>30VNLQ*", "p.G30fs"),
        ("stop_gained&frameshift", "30GIC>30*", "p.G30fs"),
        ("inframe_deletion", "29QG>29R", "p.Q29_G30delinsR"),
        ("inframe_deletion", "29QGS>29Q", "p.G30_S31del"),
        ("inframe_insertion", "29Q>29QKK", "p.Q29delinsQKK"),
    ],
)
def test_protein_change(consequence, change, expected):
    assert protein_change(consequence, change)[0] == expected


def test_worst_prediction_prefers_severe_and_cancer_genes():
    bcsq = (
        "synonymous|GENEA|T1|protein_coding|+|10A|100A>G,"
        "missense|TP53|ENST1|protein_coding|-|273R>273H|100A>G,"
        "missense|GENEB|T2|protein_coding|-|5R>5H|100A>G"
    )
    best = worst_prediction(bcsq, {"TP53"})
    assert (best["gene"], best["protein_change"], best["protein_altering"]) == (
        "TP53",
        "p.R273H",
        True,
    )
    assert worst_prediction("intron|GENEA||protein_coding")["protein_change"] == ""
    assert worst_prediction(".")["gene"] == ""
    table = annotate(pd.Series(["stop_gained|BCOR|T|protein_coding|-|1200R>1200*|1C>T", "."]))
    assert table["truncating"].tolist() == [True, False]


# ------------------------------------------------------------------ site rows


def _site(line_alt, line_depth, parental_alt, parental_depth, **extra):
    line_ref = line_depth - line_alt
    row = {
        "chrom": "chr1",
        "pos": 100,
        "ref": "C",
        "alt": "T",
        "rpbz": np.nan,
        "mqbz": np.nan,
        "line_alt": line_alt,
        "line_ref": line_ref,
        "line_depth": line_depth,
        "line_ref_fwd": line_ref // 2,
        "line_ref_rev": line_ref - line_ref // 2,
        "line_alt_fwd": line_alt // 2,
        "line_alt_rev": line_alt - line_alt // 2,
        "parental_alt": parental_alt,
        "parental_ref": parental_depth - parental_alt,
        "parental_depth": parental_depth,
        "hotspot": "",
    }
    row.update(extra)
    return row


def classify(sites, paired=True):
    return classify_origin(pd.DataFrame(sites), SETTINGS, NOISE, paired)


# ------------------------------------------------------------------ bcftools tables


def _query_table(tmp_path, text):
    path = tmp_path / "query.tsv"
    path.write_text(text)
    return read_query_table(path)


def test_multiallelic_split_records_and_counts(tmp_path):
    # a site with two alt alleles, split by bcftools norm -m-any into two records
    table = _query_table(
        tmp_path,
        "# [1]CHROM\t[2]POS\t[3]REF\t[4]ALT\t[5]RPBZ\t[6]MQBZ\t[7]BCSQ"
        "\t[8]P:AD\t[9]P:ADF\t[10]P:ADR\t[11]P:DP"
        "\t[12]L:AD\t[13]L:ADF\t[14]L:ADR\t[15]L:DP\n"
        "chr1\t100\tC\tT\t0.5\t0\t.\t10,10\t5,5\t5,5\t20\t10,10\t5,5\t5,5\t30\n"
        "chr1\t100\tC\tA\t0.5\t0\t.\t10,0\t5,0\t5,0\t20\t10,10\t5,5\t5,5\t30\n"
        "chr1\t200\tGTA\tG\t.\t.\t.\t20,0\t10,0\t10,0\t20\t12,8\t6,4\t6,4\t20\n",
    )
    sites = candidate_sites(table, "L", "P")
    assert sites["line_depth"].tolist() == [30, 30, 20]  # DP counts every allele
    classified = classify(sites)
    assert classified["line_af"].round(3).tolist() == [0.333, 0.333, 0.4]
    assert classified["class"].tolist() == ["germline", "acquired", "acquired"]


def test_hotspot_pileup_zero_alt_and_multiallelic(tmp_path):
    pileup = _query_table(
        tmp_path,
        "# [1]CHROM\t[2]POS\t[3]REF\t[4]ALT\t[5]P:AD\t[6]P:ADF\t[7]P:ADR\t[8]P:DP"
        "\t[9]L:AD\t[10]L:ADF\t[11]L:ADR\t[12]L:DP\n"
        "chr1\t300\tC\t<*>\t20,0\t10,0\t10,0\t20\t30,0\t15,0\t15,0\t30\n"
        "chr1\t301\tG\tA,T,<*>\t22,0,0,0\t11,0,0,0\t11,0,0,0\t22\t20,1,9,0\t10,1,5,0\t10,0,4,0\t30\n"
        "chr1\t301\tGTT\tG\t22,0\t11,0\t11,0\t22\t29,1\t15,0\t14,1\t30\n",
    )
    alleles = pd.DataFrame(
        {
            "gene": ["GENEM"] * 3,
            "protein_change": ["R3H", "G4", "G4"],
            "category": ["cancer_hotspot"] * 3,
            "source": ["test"] * 3,
            "transcript": ["T1"] * 3,
            "chrom": ["chr1"] * 3,
            "pos": [300, 301, 301],
            "ref": ["C", "G", "G"],
            "alt": ["T", "T", "C"],
            "variant_protein_change": ["R3H", "G4D", "G4A"],
        }
    )
    forced = hotspot_sites(pileup, alleles, "L", "P")
    assert forced["line_alt"].tolist() == [0, 9, 0]
    assert forced["line_depth"].tolist() == [30, 30, 30]
    assert forced["parental_depth"].tolist() == [20, 22, 22]
    assert forced["protein_change"].tolist() == ["p.R3H", "p.G4D", "p.G4A"]


def test_normalise_allele_left_aligns_indels():
    sequence = "GGGCACACACATTT"  # CA repeat; 1-based positions

    def fetch(chrom, start, end):
        return sequence[start:end]

    # deleting "CA" written at the right end of the repeat, or with padding, normalises
    # to the same left-aligned record
    left = normalise_allele("chr1", 3, "GCA", "G", fetch)
    assert left == ("chr1", 3, "GCA", "G")
    assert normalise_allele("chr1", 9, "ACA", "A", fetch) == left
    assert normalise_allele("chr1", 9, "ACAT", "AT", fetch) == left
    assert normalise_allele("chr1", 12, "T", "A", fetch) == ("chr1", 12, "T", "A")
    assert normalise_allele("chr1", 11, "ATT", "AGT", fetch) == ("chr1", 12, "T", "G")


def test_merge_keeps_candidate_and_adds_unseen_hotspot_rows():
    annotation = {
        "gene": "TP53",
        "transcript": "T_SHORT",
        "consequence": "missense",
        "protein_change": "p.R134H",  # csq's most severe prediction: another isoform
        "protein_position": 134,
        "truncating": False,
        "protein_altering": True,
    }
    candidates = pd.DataFrame([_site(5, 25, 0, 20, **annotation)]).assign(source="candidate")
    catalogue = {**annotation, "transcript": "T_CANONICAL", "protein_change": "p.R273H"}
    catalogue["protein_position"] = 273
    forced = pd.DataFrame(
        [_site(5, 25, 0, 20, **catalogue), _site(0, 25, 0, 20, pos=101, **catalogue)]
    ).assign(source="hotspot_genotyping")
    merged = merge_hotspots(candidates, forced)
    assert merged["source"].tolist() == ["candidate", "hotspot_genotyping"]
    assert merged.loc[0, "protein_change"] == "p.R273H"
    assert merged.loc[0, "transcript"] == "T_CANONICAL"


# ------------------------------------------------------------------ clonality and tiers


def test_clonality_with_sex_and_copy_number():
    rows = pd.DataFrame(
        [
            _site(20, 40, 0, 30),  # AF 0.5: clonal heterozygous
            _site(8, 40, 0, 30),  # AF 0.2: subclonal
            _site(30, 30, 0, 30, chrom="chrX"),  # hemizygous in a male: clonal
            _site(13, 40, 0, 30, pos=5000),  # AF 0.33 inside a CN3 gain: clonal
        ]
    )
    classified = classify(rows)
    segments = pd.DataFrame({"chrom": ["chr1"], "start": [4000], "end": [6000], "copy_number": [3]})
    copies = copy_number_at(classified, "male", GENOME, segments)
    assert copies.tolist() == [2, 2, 1, 3]
    labelled = add_clonality(classified, copies, SETTINGS.clonal_max_p)
    assert labelled["clonality"].tolist() == ["clonal", "subclonal", "clonal", "clonal"]
    assert labelled["cell_fraction"].round(2).tolist() == [1.0, 0.4, 1.0, 0.98]


def test_tiers_and_hotspot_matching(tmp_path):
    catalogue = _catalogue(
        tmp_path,
        [
            ("TP53", "R273H", "", "tp53_dominant_negative", "test"),
            ("KRAS", "G12", "", "cancer_hotspot", "test"),
        ],
    )
    cancer_genes = pd.DataFrame(
        {
            "gene": ["TP53", "BCOR", "DNMT3A", "KRAS"],
            "role": ["tumour_suppressor", "tumour_suppressor", "clonal_haematopoiesis", "oncogene"],
            "source": ["test"] * 4,
        }
    )
    sites = pd.DataFrame(
        {
            "gene": ["TP53", "TP53", "KRAS", "KRAS", "BCOR", "DNMT3A", "TP53", "TOYG1"],
            "protein_change": [
                "p.R273H", "p.R273C", "p.G12D", "p.G13D", "p.R1200*", "p.R882H", "p.R273=",
                "p.A5T",
            ],
            "consequence": [
                "missense", "missense", "missense", "missense", "stop_gained", "missense",
                "synonymous", "missense",
            ],
            "truncating": [False, False, False, False, True, False, False, False],
            "protein_altering": [True, True, True, True, True, True, False, True],
        }
    )  # fmt: skip
    sites = pd.concat([sites, hotspot_matches(sites, catalogue)], axis=1)
    assert sites["hotspot"].tolist() == ["TP53 R273H", "", "KRAS G12", "", "", "", "", ""]
    assert assign_tiers(sites, cancer_genes).tolist() == [
        "oncogenic_hotspot",
        "cancer_gene_coding",  # missense in a tumour suppressor, not a hotspot
        "oncogenic_hotspot",
        "cancer_gene_coding",
        "likely_oncogenic",  # truncating in a tumour suppressor
        "likely_oncogenic",  # clonal haematopoiesis gene
        "other",
        "other",
    ]
    # the donor's germline missense in a clonal haematopoiesis gene is common and benign:
    # not likely oncogenic; a germline truncating allele of a tumour suppressor still is
    germline = sites.assign(**{"class": "germline"})
    assert assign_tiers(germline, cancer_genes).tolist()[4:6] == [
        "likely_oncogenic",
        "cancer_gene_coding",
    ]


# ------------------------------------------------------------------ whole line


def _line_inputs(tmp_path, parental="P"):
    candidates = _query_table(
        tmp_path,
        "# [1]CHROM\t[2]POS\t[3]REF\t[4]ALT\t[5]RPBZ\t[6]MQBZ\t[7]BCSQ"
        "\t[8]P:AD\t[9]P:ADF\t[10]P:ADR\t[11]P:DP\t[12]L:AD\t[13]L:ADF\t[14]L:ADR\t[15]L:DP\n"
        "chr1\t100\tC\tT\t0\t0\tmissense|TP53|T|protein_coding|-|273R>273H|100C>T"
        "\t30,0\t15,0\t15,0\t30\t24,6\t12,3\t12,3\t30\n"
        "chr1\t200\tA\tG\t0\t0\t.\t15,15\t8,7\t7,8\t30\t16,14\t8,7\t8,7\t30\n",
    )
    catalogue = read_hotspots("resources/hotspots/hotspots.tsv")
    entries = pd.DataFrame(
        {
            "gene": ["TP53", "KRAS"],
            "protein_change": ["R273H", "G12"],
            "category": ["tp53_dominant_negative", "cancer_hotspot"],
            "source": ["merkle2017", "chang2016"],
            "transcript": ["T", ""],
            "chrom": ["chr1", ""],
            "codon_positions": ["101,100,99", ""],
            "status": ["mapped", "gene_not_in_annotation"],
        }
    )
    alleles = pd.DataFrame(
        {
            "gene": ["TP53"],
            "protein_change": ["R273H"],
            "category": ["tp53_dominant_negative"],
            "source": ["merkle2017"],
            "transcript": ["T"],
            "chrom": ["chr1"],
            "pos": [100],
            "ref": ["C"],
            "alt": ["T"],
            "variant_protein_change": ["R273H"],
        }
    )
    pileup_path = tmp_path / "pileup.tsv"
    pileup_path.write_text(
        "# [1]CHROM\t[2]POS\t[3]REF\t[4]ALT\t[5]P:AD\t[6]P:ADF\t[7]P:ADR\t[8]P:DP"
        "\t[9]L:AD\t[10]L:ADF\t[11]L:ADR\t[12]L:DP\n"
        "chr1\t100\tC\tT,<*>\t30,0,0\t15,0,0\t15,0,0\t30\t24,6,0\t12,3,0\t12,3,0\t30\n"
    )
    return AcquiredVariantsInputs(
        sample="L",
        parental=parental,
        sex="female",
        genome=GENOME,
        candidates=candidates,
        hotspot_pileup=read_query_table(pileup_path),
        hotspot_entries=entries,
        hotspot_alleles=alleles,
        catalogue=catalogue,
        cancer_genes=pd.read_csv("resources/hotspots/cancer_genes.tsv", sep="\t", comment="#"),
        line_depths=[(30, 1.0)],
        parental_depths=[(30, 1.0)] if parental else None,
        line_median_depth=30.0,
        parental_median_depth=30.0 if parental else None,
    )


def test_whole_line_paired(tmp_path):
    inputs = _line_inputs(tmp_path)
    result = analyse(inputs, AcquiredVariantsSettings(SETTINGS, max_items=10))
    sites = result.tables["sites"]
    assert sites["class"].tolist() == ["acquired", "germline"]
    assert sites.loc[0, "tier"] == "oncogenic_hotspot"
    assert sites.loc[0, "clonality"] == "subclonal"
    assert validation_problems(result.document(), SPEC) == []
    metrics = result.metrics
    assert metrics["acquired_count"] == 1 and metrics["acquired_hotspot_count"] == 1
    assert metrics["carried_hotspot_count"] == 1
    assert metrics["carried_hotspot_germline_count"] == 0
    assert metrics["germline_count"] == 1
    assert metrics["worst_acquired_tier"] == "oncogenic_hotspot"
    assert metrics["hotspots_checked"] == 1 and metrics["hotspots_unmapped"] == 1
    assert metrics["max_hotspot_af"] == pytest.approx(0.2)
    # the TP53 dominant-negative entry R273H is checked at 30x; the limit of the whole
    # decision at 30x line / 30x parental is that of variants.limit at the same depths
    assert metrics["tp53_dn_entries"] == 1 and metrics["tp53_dn_unmapped"] == 0
    assert metrics["min_detectable_af"] == detection_limit(30, 30, SETTINGS)
    assert metrics["tp53_dn_max_detectable_af"] == detection_limit(30, None, SETTINGS, hotspot=True)
    assert metrics["error_rate_source"] == "default"
    kinds = [item["kind"] for item in result.items]
    assert kinds == ["variant", "hotspot"]  # the unmapped KRAS entry is a note
    assert any("KRAS G12 (gene_not_in_annotation)" in note for note in result.notes)
    assert result.items[0]["protein_change"] == "p.R273H"
    assert result.items[0]["origin"] == "acquired" and result.items[0]["line_carries"]


def test_whole_line_only_mode(tmp_path):
    inputs = _line_inputs(tmp_path, parental=None)
    result = analyse(inputs, AcquiredVariantsSettings(SETTINGS, max_items=10))
    sites = result.tables["sites"]
    assert sites["class"].tolist() == ["unclassified", "unclassified"]
    assert sites["parental_depth"].isna().all()
    assert validation_problems(result.document(), SPEC) == []
    assert result.metrics["acquired_count"] is None
    assert result.metrics["carried_hotspot_count"] == 1
    assert result.metrics["carried_hotspot_germline_count"] is None
    assert result.metrics["unclassified_flagged_count"] == 1
    assert result.metrics["hotspots_detected"] == 1
    assert result.metrics["min_detectable_af"] == detection_limit(30, None, SETTINGS)
    assert result.adequacy["parental_median_depth"] is None
    assert any("Line-only" in note for note in result.notes)
