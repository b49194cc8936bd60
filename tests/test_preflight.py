"""Unit tests of the pre-flight checks (ipscqc.fastq, ipscqc.preflight, scripts/preflight.py).

Each bad input is built in the test; every test asserts the one-line message the user
sees. docs/hardening.md lists them, with the test that proves each one.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pysam
import pytest
from ipscqc.fastq import BGZF_EOF, fastq_pair_problems, gzip_kind, quality_encoding
from ipscqc.preflight import (
    alignment_header_problems,
    alignment_input_problems,
    bam_reference_problems,
    bed_problems,
    config_problems,
    csq_problems,
    fastp_problems,
    trimmed_read_problems,
)
from ipscqc.reference import check_contigs

REPO = Path(__file__).resolve().parents[1]
CONFIG_SCHEMA = REPO / "schemas" / "config.schema.yaml"
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
needs_bcftools = pytest.mark.skipif(not shutil.which("bcftools"), reason="bcftools not on PATH")
needs_fastp = pytest.mark.skipif(not shutil.which("fastp"), reason="fastp not on PATH")


# --- FASTQ helpers -----------------------------------------------------------------


def fastq_records(count, mate, quality="I", start=0, length=50, seed=1):
    rng = random.Random(seed * 3 + mate)  # the two mates of a pair differ
    records = []
    for index in range(start, start + count):
        sequence = "".join(rng.choice("ACGT") for _ in range(length))
        records.append(f"@read{index}/{mate} extra\n{sequence}\n+\n{quality * length}\n")
    return "".join(records)


def write_fastq(path: Path, text: str, kind="gzip") -> Path:
    data = text.encode()
    if kind == "gzip":
        path.write_bytes(gzip.compress(data, mtime=0))
    elif kind == "bgzf":
        plain = path.with_suffix(".plain")
        plain.write_bytes(data)
        pysam.tabix_compress(str(plain), str(path), force=True)
        plain.unlink()
    else:
        path.write_bytes(data)
    return path


def pair(tmp_path, count1=200, count2=200, kind="gzip", **options):
    suffix = ".fq" if kind == "plain" else ".fq.gz"  # as fastp needs (fastq_compression)
    fq1 = write_fastq(tmp_path / f"r1{suffix}", fastq_records(count1, 1, **options), kind)
    fq2 = write_fastq(tmp_path / f"r2{suffix}", fastq_records(count2, 2, **options), kind)
    return fq1, fq2


def problems_of(fq1, fq2, records=100, full_check_bytes=1 << 30):
    problems, _ = fastq_pair_problems(fq1, fq2, records=records, full_check_bytes=full_check_bytes)
    return problems


def one(problems, *words):
    """Exactly one problem, a single line, containing every word."""
    assert len(problems) == 1, problems
    assert "\n" not in problems[0]
    for word in words:
        assert word in problems[0], problems[0]
    return problems[0]


# --- FASTQ: good inputs ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gzip", "bgzf", "plain"])
@pytest.mark.parametrize("records", [50, 100, 1000])
def test_good_pair_passes(tmp_path, kind, records):
    fq1, fq2 = pair(tmp_path, kind=kind)
    problems, summary = fastq_pair_problems(fq1, fq2, records=records, full_check_bytes=1 << 30)
    assert problems == []
    assert summary["fq1"]["compression"] == kind
    assert summary["fq1"]["quality_encoding"] == "phred+33"
    assert summary["fq1"]["end_checked"]


def test_gzip_kind(tmp_path):
    fq1, _ = pair(tmp_path, kind="bgzf")
    assert gzip_kind(fq1) == "bgzf"
    assert fq1.read_bytes().endswith(BGZF_EOF)


# --- FASTQ: bad inputs -------------------------------------------------------------


def test_missing_fastq(tmp_path):
    fq1, fq2 = pair(tmp_path)
    fq1.unlink()
    one(problems_of(fq1, fq2), str(fq1), "FASTQ file not found")


@pytest.mark.skipif(ROOT, reason="root can read any file")
def test_unreadable_fastq(tmp_path):
    fq1, fq2 = pair(tmp_path)
    fq1.chmod(0)
    one(problems_of(fq1, fq2), str(fq1), "not readable")


def test_unreadable_fastq_reported(tmp_path, monkeypatch):
    fq1, fq2 = pair(tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: str(p) != str(fq1) and real_access(p, mode))
    one(problems_of(fq1, fq2), str(fq1), "not readable (permission denied)")


def test_truncated_gzip_in_head(tmp_path):
    fq1, fq2 = pair(tmp_path, 2000, 2000)
    data = fq1.read_bytes()
    fq1.write_bytes(data[: len(data) // 3])
    one(problems_of(fq1, fq2, records=1000), str(fq1), "file is truncated")


def test_truncated_gzip_after_head_full_check(tmp_path):
    """Cut near the end: the head reads fine; the whole-file read finds it."""
    fq1, fq2 = pair(tmp_path, 2000, 2000)
    data = fq1.read_bytes()
    fq1.write_bytes(data[:-20])
    one(problems_of(fq1, fq2, records=100), str(fq1), "gzip stream ends early", "truncated")


def test_truncated_gzip_after_head_large_file_not_seen(tmp_path):
    """Above full_gzip_check_mb only the head is read: fastp's read finds the rest."""
    fq1, fq2 = pair(tmp_path, 2000, 2000)
    data = fq1.read_bytes()
    fq1.write_bytes(data[:-20])
    assert problems_of(fq1, fq2, records=100, full_check_bytes=0) == []


def test_corrupt_gzip(tmp_path):
    fq1, fq2 = pair(tmp_path, 2000, 2000)
    data = bytearray(fq1.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    fq1.write_bytes(bytes(data))
    problem = one(problems_of(fq1, fq2, records=100), str(fq1))
    assert "corrupt" in problem or "truncated" in problem


def test_truncated_bgzip(tmp_path):
    fq1, fq2 = pair(tmp_path, 5000, 5000, kind="bgzf")
    data = fq1.read_bytes()
    fq1.write_bytes(data[: int(len(data) * 0.8)])
    one(problems_of(fq1, fq2, full_check_bytes=0), str(fq1), "end-of-file block is missing")


def test_corrupt_bgzip_last_block(tmp_path):
    fq1, fq2 = pair(tmp_path, 5000, 5000, kind="bgzf")
    data = bytearray(fq1.read_bytes())
    position = len(data) - len(BGZF_EOF) - 200
    data[position : position + 20] = bytes(20)
    fq1.write_bytes(bytes(data))
    problem = one(problems_of(fq1, fq2, full_check_bytes=0), str(fq1), "bgzip block")
    assert "corrupt" in problem or "CRC" in problem


def test_bgzip_pair_counts_differ_seen_at_the_end(tmp_path):
    """Counts beyond the head differ: the last read names of the bgzip tails differ."""
    fq1, fq2 = pair(tmp_path, 5000, 4990, kind="bgzf")
    one(problems_of(fq1, fq2, full_check_bytes=0), "last read names differ", "read4999")


def test_pair_counts_differ(tmp_path):
    fq1, fq2 = pair(tmp_path, 300, 290)
    one(problems_of(fq1, fq2, records=100), "different read counts", "300 vs 290")


def test_pair_counts_differ_within_head(tmp_path):
    fq1, fq2 = pair(tmp_path, 300, 50)
    one(problems_of(fq1, fq2, records=100, full_check_bytes=0), "different read counts")


def test_pair_names_differ(tmp_path):
    fq1 = write_fastq(tmp_path / "r1.fq.gz", fastq_records(200, 1))
    fq2 = write_fastq(tmp_path / "r2.fq.gz", fastq_records(200, 2, start=1))
    one(problems_of(fq1, fq2), "read names differ at record 1", "'read0' vs 'read1'", "not mates")


@pytest.mark.parametrize("content", [b"", gzip.compress(b"", mtime=0)], ids=["zero-bytes", "gzip"])
def test_empty_fastq(tmp_path, content):
    _, fq2 = pair(tmp_path)
    fq1 = tmp_path / "empty.fq.gz"
    fq1.write_bytes(content)
    one(problems_of(fq1, fq2), str(fq1), "no reads (empty)")


def test_phred64(tmp_path):
    quality = "".join(chr(64 + q) for q in (2, 20, 30, 38, 40))  # 'B'..'h' range
    fq1, fq2 = pair(tmp_path, quality=quality, length=50)
    # the quality string repeats to the read length: build it explicitly
    text1 = fastq_records(200, 1, length=50).replace("I" * 50, quality * 10)
    text2 = fastq_records(200, 2, length=50).replace("I" * 50, quality * 10)
    write_fastq(fq1, text1)
    write_fastq(fq2, text2)
    problems = problems_of(fq1, fq2)
    assert len(problems) == 2
    assert "looks like phred+64" in problems[0] and str(fq1) in problems[0]


def test_quality_outside_phred33(tmp_path):
    fq1, fq2 = pair(tmp_path, quality=" ")
    assert any("outside '!'..'~'" in problem for problem in problems_of(fq1, fq2))


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (33, 74, "phred+33"),  # Illumina 1.8+: '!'..'J'
        (35, 70, "phred+33"),  # binned NovaSeq qualities
        (66, 104, "phred+64"),  # Illumina 1.5: 'B'..'h'
        (64, 73, "phred+33"),  # ambiguous, all high: accepted
        (32, 70, "invalid"),
        (None, None, "unknown"),
    ],
)
def test_quality_encoding(low, high, expected):
    assert quality_encoding(low, high) == expected


def test_not_a_fastq(tmp_path):
    _, fq2 = pair(tmp_path)
    fq1 = write_fastq(tmp_path / "genome.fa.gz", ">chr1\nACGT\nACGT\nACGT\n")
    one(problems_of(fq1, fq2), str(fq1), "does not start with '@'")


def test_sequence_quality_length_differ(tmp_path):
    _, fq2 = pair(tmp_path)
    fq1 = write_fastq(tmp_path / "bad.fq.gz", "@r1/1\nACGTACGT\n+\nIIII\n")
    one(problems_of(fq1, fq2), str(fq1), "sequence and quality lengths differ")


def test_plain_fastq_cut_short(tmp_path):
    fq1, fq2 = pair(tmp_path, kind="plain")
    data = fq1.read_bytes()
    fq1.write_bytes(data[:-30])
    one(problems_of(fq1, fq2, records=1000), str(fq1), "truncated")


@pytest.mark.parametrize("kind", ["gzip", "bgzf"])
def test_compressed_fastq_not_named_gz_is_refused_naming_the_rename(tmp_path, kind):
    fq1, fq2 = pair(tmp_path, kind=kind)
    named_plain = fq1.rename(tmp_path / "r1.fastq")
    message = one(problems_of(named_plain, fq2), str(named_plain))
    assert "gzip-compressed, but its name does not end in '.gz'" in message
    assert f"rename it (or link it) to {named_plain}.gz" in message


def test_plain_fastq_named_gz_is_refused(tmp_path):
    fq1, fq2 = pair(tmp_path, kind="plain")
    named_gz = fq2.rename(tmp_path / "r2.fastq.gz")
    message = one(problems_of(fq1, named_gz), str(named_gz))
    assert "the name ends in '.gz', but the file is plain text" in message


@pytest.mark.skipif(shutil.which("fastp") is None, reason="fastp not installed")
def test_fastp_reads_a_gzip_fastq_by_its_name_not_its_content(tmp_path):
    """Why the names must agree: fastp reads a gzip file without '.gz' as text (0 reads,
    exit 0) and stops on a plain file named '.gz'."""
    gzip_pair = pair(tmp_path, kind="gzip")
    renamed = [path.rename(path.with_suffix("")) for path in gzip_pair]  # r1.fq, r2.fq
    plain_folder = tmp_path / "plain"
    plain_folder.mkdir()
    plain = [
        path.rename(path.with_name(path.name + ".gz")) for path in pair(plain_folder, kind="plain")
    ]

    def fastp(fq1, fq2, name):
        report = tmp_path / f"{name}.json"
        done = subprocess.run(
            ["fastp", "--in1", fq1, "--in2", fq2, "--out1", tmp_path / "o1.fq"]
            + ["--out2", tmp_path / "o2.fq", "--json", report, "--html", tmp_path / "o.html"]
            + ["--thread", "1"],
            capture_output=True,
            text=True,
        )
        return done, report

    done, report = fastp(*renamed, "gzip-as-text")
    assert done.returncode == 0
    assert json.loads(report.read_text())["summary"]["before_filtering"]["total_reads"] == 0
    done, _ = fastp(*plain, "text-as-gzip")
    assert done.returncode != 0 and "gzip header" in done.stderr


# --- after trimming ----------------------------------------------------------------

FASTP_TRUNCATED_LOG = """ERROR: sequence and quality have different length:
@r9979/1
CCACTGTCGG


WARNNIG: different read numbers of the 7 pack
Read1 pack size: 979
Read2 pack size: 1000
"""


def test_fastp_problems_from_log():
    problems = fastp_problems(FASTP_TRUNCATED_LOG, "logs/fastp/S.L1.log", "S/L1")
    assert len(problems) == 2
    assert problems[0].startswith("S/L1: fastp read a broken record")
    assert "different read counts" in problems[1] and "logs/fastp/S.L1.log" in problems[1]
    assert fastp_problems("Read1 before filtering:\ntotal reads: 10\n", "x", "S/L1") == []


@needs_fastp
def test_fastp_exits_zero_on_truncated_pair_and_the_log_shows_it(tmp_path):
    """fastp 0.23 stops at the shorter mate and exits 0: the log is the only trace."""
    fq1, fq2 = pair(tmp_path, 3000, 3000, length=100)
    data = fq1.read_bytes()
    fq1.write_bytes(data[: len(data) // 2])
    done = subprocess.run(
        ["fastp", "-i", fq1, "-I", fq2, "-o", tmp_path / "o1.fq.gz", "-O", tmp_path / "o2.fq.gz"]
        + ["-j", tmp_path / "o.json", "-h", tmp_path / "o.html"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0  # the reason this check exists
    assert fastp_problems(done.stderr, "fastp.log", "S/L1")


def test_too_few_reads_after_trimming():
    problem = one(
        trimmed_read_problems("L1", {"u2": 40, "u1": 60}, 1000),
        "L1: only 100 reads left after trimming",
        "u1: 60, u2: 40",
        "at least 1000",
    )
    assert "preflight.min_trimmed_reads" in problem
    assert trimmed_read_problems("L1", {"u1": 1000}, 1000) == []


# --- reference, annotation, targets ------------------------------------------------

LENGTHS = {"chr1": 1000, "chr2": 500}


def test_targets_inside_contigs(tmp_path):
    bed = tmp_path / "targets.bed"
    bed.write_text("track name=t\n# comment\nchr1\t0\t1000\nchr2\t10\t20\textra\n")
    assert bed_problems(bed, LENGTHS) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("chr3\t0\t10", "contig 'chr3' is not in the reference"),
        ("chr1\t900\t1001", "chr1:900-1001 ends after the contig end (1000)"),
        ("chr1\t20\t20", "start 20 is not before end 20"),
        ("chr1\t-5\t20", "start and end must be whole numbers"),
        ("chr1\t5", "2 column(s)"),
    ],
)
def test_targets_bad(tmp_path, line, message):
    bed = tmp_path / "targets.bed"
    bed.write_text(f"chr1\t0\t10\n{line}\n")
    one(bed_problems(bed, LENGTHS), f"{bed}, line 2: {message}")


def test_targets_many_bad_summarised(tmp_path):
    bed = tmp_path / "targets.bed.gz"
    bed.write_bytes(gzip.compress("".join(f"chrZ\t{i}\t{i + 1}\n" for i in range(9)).encode()))
    problems = bed_problems(bed, LENGTHS, max_reported=5)
    assert len(problems) == 6 and problems[-1].endswith("4 more bad interval(s) not listed")


def test_annotation_and_targets_contigs_must_be_in_reference():
    problems = check_contigs(
        ["chr1", "chr2"],
        {"1", "2"},
        "genes.gff3",
        targets={"chr1", "chrUn"},
        targets_path="targets.bed",
    )
    assert any(p.startswith("genes.gff3: 2 contig(s) not in the reference: 1, 2") for p in problems)
    assert any("no contig in common" in p for p in problems)
    assert any(p.startswith("targets.bed: target contig(s) not in the reference") for p in problems)


REFERENCE_FASTA = ">c1\n" + "ACGTTGCA" * 250 + "\n"
GOOD_GFF = """##gff-version 3
c1\t.\tgene\t101\t1000\t.\t+\t.\tID=gene:G1;Name=G1;biotype=protein_coding
c1\t.\tmRNA\t101\t1000\t.\t+\t.\tID=transcript:T1;Parent=gene:G1;biotype=protein_coding
c1\t.\texon\t101\t1000\t.\t+\t.\tParent=transcript:T1
c1\t.\tCDS\t101\t1000\t.\t+\t0\tParent=transcript:T1
"""


@pytest.fixture
def csq_reference(tmp_path):
    fasta = tmp_path / "genome.fa"
    fasta.write_text(REFERENCE_FASTA)
    pysam.faidx(str(fasta))
    return fasta


def run_csq(fasta, gff_text, tmp_path):
    import preflight

    gff = tmp_path / "genes.gff3"
    if gff_text is not None:
        gff.write_text(gff_text)
    return preflight.run_csq(str(fasta), str(gff), {"c1": 2000})


@needs_bcftools
def test_csq_good_annotation(csq_reference, tmp_path):
    assert run_csq(csq_reference, GOOD_GFF, tmp_path) == []


@needs_bcftools
@pytest.mark.parametrize(
    ("gff", "message"),
    [
        (GOOD_GFF.replace(";biotype=protein_coding", ""), "found 0 transcripts"),
        ("not a gff line\n", "cannot use this GFF3: [csq.c"),
        (GOOD_GFF.replace("c1\t", "chrZ\t"), 'GFF chromosome "chrZ" not part of the reference'),
        (None, "cannot use this GFF3: [E::hts_open_format] Failed to open file"),
    ],
    ids=["no-biotype", "not-gff", "other-contigs", "missing"],
)
def test_csq_bad_annotation(csq_reference, tmp_path, gff, message):
    problems = run_csq(csq_reference, gff, tmp_path)
    assert any(message in problem for problem in problems), problems
    assert all("\n" not in problem and "genes.gff3" in problem for problem in problems)


def test_csq_problems_exit_code_without_stderr():
    one(csq_problems("", 139, "a.gff3"), "a.gff3: bcftools csq cannot use this GFF3: exit code 139")


# --- alignments from another reference ---------------------------------------------


def write_bam(path: Path, contigs) -> Path:
    header = {"HD": {"VN": "1.6"}, "SQ": [{"SN": n, "LN": length} for n, length in contigs]}
    with pysam.AlignmentFile(str(path), "wb", header=header):
        pass
    return path


def test_bam_from_same_reference(tmp_path):
    bam = write_bam(tmp_path / "a.bam", LENGTHS.items())
    assert bam_reference_problems(bam, LENGTHS) == []


@pytest.mark.parametrize(
    ("contigs", "message"),
    [
        ([("1", 1000), ("2", 500)], "2 contig(s) not in the reference, e.g. 1, 2"),
        ([("chr1", 1200), ("chr2", 500)], "contig lengths differ: chr1 (1200 vs 1000)"),
    ],
    ids=["other-names", "other-lengths"],
)
def test_bam_from_another_reference(tmp_path, contigs, message):
    bam = write_bam(tmp_path / "a.bam", contigs)
    one(bam_reference_problems(bam, LENGTHS), str(bam), "aligned to another reference", message)


def test_bam_unreadable_and_headerless(tmp_path):
    junk = tmp_path / "junk.bam"
    junk.write_bytes(b"not a bam")
    one(bam_reference_problems(junk, LENGTHS), "cannot read the BAM/CRAM header")
    one(alignment_header_problems("x.bam", [], LENGTHS), "no @SQ lines")


# --- configuration -----------------------------------------------------------------

GOOD_CONFIG = {
    "samples": "samples.tsv",
    "units": "units.tsv",
    "reference": {"fasta": "g.fa", "annotation": "a.gff3", "build": "GRCh38"},
}


def with_value(path, value):
    config = {
        key: (dict(item) if isinstance(item, dict) else item) for key, item in GOOD_CONFIG.items()
    }
    node = config
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return config


def test_good_config():
    assert config_problems(GOOD_CONFIG, CONFIG_SCHEMA) == []
    assert (
        config_problems(
            with_value(
                [
                    "results",
                ],
                "out/run-1",
            ),
            CONFIG_SCHEMA,
        )
        == []
    )


CONFIG_CASES = {
    "wrong type": (
        ["params", "fastp", "min_length"],
        "abc",
        "params.fastp.min_length: 'abc' is not of type 'integer'",
    ),
    "out of range": (
        ["params", "mpileup", "min_mapq"],
        99,
        "params.mpileup.min_mapq: 99 is greater than the maximum of 60",
    ),
    "below minimum": (
        ["preflight", "min_trimmed_reads"],
        0,
        "preflight.min_trimmed_reads: 0 is less than the minimum of 1",
    ),
    "results outside": (
        ["results"],
        "../outside",
        "results: '../outside' is not allowed; expected a folder for every output",
    ),
    "results the root": (["results"], "/", "results: '/' is not allowed"),
    "results with ;": (["results"], "r;touch pwned", "results: 'r;touch pwned' is not allowed"),
    "extra args with ;": (
        ["params", "bwa", "extra"],
        ["-k", "19; touch pwned"],
        "params.bwa.extra[1]: '19; touch pwned' is not allowed; expected extra command-line",
    ),
    "extra args $()": (
        ["params", "fastp", "extra"],
        ["$(touch pwned)"],
        "params.fastp.extra[0]: '$(touch pwned)' is not allowed",
    ),
    "extra args as string": (
        ["params", "fastp", "extra"],
        "-x 1",
        "params.fastp.extra: '-x 1' is not of type 'array'",
    ),
    "unknown key": (
        ["params", "bwa", "threads"],
        4,
        "params.bwa: unknown key(s) are not allowed ('threads' was unexpected)",
    ),
    "bad build": (["reference", "build"], "hg19", "reference.build: 'hg19' is not one of"),
}


@pytest.mark.parametrize("case", CONFIG_CASES, ids=list(CONFIG_CASES))
def test_bad_config(case):
    path, value, message = CONFIG_CASES[case]
    problems = config_problems(with_value(path, value), CONFIG_SCHEMA)
    one(problems, f"config: {message}")


def test_config_missing_required():
    config = {key: value for key, value in GOOD_CONFIG.items() if key != "units"}
    one(
        config_problems(config, CONFIG_SCHEMA),
        "config: (top level): 'units' is a required property",
    )


def test_config_without_build_is_refused():
    """No build is assumed: the toy genome's model never applies by omission."""
    config = with_value(["reference", "fasta"], "GRCh38.fa")
    config["reference"] = {"fasta": "GRCh38.fa", "annotation": "a.gff3"}
    one(config_problems(config, CONFIG_SCHEMA), "config: reference: 'build' is a required property")


# --- units given as BAM/CRAM ---------------------------------------------------------


def write_reads_bam(path: Path, paired: bool, contigs=(("chr1", 1000),)) -> Path:
    header = {"HD": {"VN": "1.6"}, "SQ": [{"SN": n, "LN": length} for n, length in contigs]}
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for number in range(6):
            read = pysam.AlignedSegment(bam.header)
            read.query_name, read.query_sequence = f"r{number // 2}", "ACGTACGTAC"
            read.query_qualities = [30] * 10
            read.flag = (0x1 | (0x40 if number % 2 == 0 else 0x80) | 0x4) if paired else 0x4
            bam.write(read)
    return path


def test_a_paired_bam_passes_and_a_single_end_one_is_named(tmp_path):
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\n" + "ACGT" * 250 + "\n")
    pysam.faidx(str(fasta))
    good = write_reads_bam(tmp_path / "paired.bam", paired=True)
    problems, summary = alignment_input_problems(good, fasta, {"chr1": 1000}, records=100)
    assert problems == []
    assert summary == {"format": "BAM", "records_checked": 6, "paired": 6}
    single = write_reads_bam(tmp_path / "single.bam", paired=False)
    problems, _ = alignment_input_problems(single, fasta, {"chr1": 1000}, records=100)
    one(problems, f"{single}: the first 6 reads of the BAM are single-end")
    junk = tmp_path / "junk.bam"
    junk.write_bytes(b"not a bam")
    problems, _ = alignment_input_problems(junk, fasta, {"chr1": 1000}, records=100)
    one(problems, f"{junk}: cannot read it as BAM or CRAM")


def test_a_cram_of_another_reference_is_named_with_the_conversion(tmp_path):
    other = tmp_path / "other.fa"
    other.write_text(">1\n" + "ACGT" * 250 + "\n")
    pysam.faidx(str(other))
    bam = write_reads_bam(tmp_path / "a.bam", paired=True, contigs=(("1", 1000),))
    cram = tmp_path / "a.cram"
    pysam.view("-C", "-T", str(other), "-o", str(cram), str(bam), catch_stdout=False)
    ours = tmp_path / "ref.fa"
    ours.write_text(">chr1\n" + "ACGT" * 250 + "\n")
    pysam.faidx(str(ours))
    problems, _ = alignment_input_problems(cram, ours, {"chr1": 1000}, records=100)
    one(problems, "aligned to another reference", "samtools view -b -T its_reference.fa")
    problems, summary = alignment_input_problems(cram, other, {"1": 1000}, records=100)
    assert problems == [] and summary["format"] == "CRAM"
