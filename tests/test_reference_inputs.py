"""Reference inputs as real downloads and editors write them: FASTA, GFF3, BED and resource
files read or refused with one line naming the file and the line; every resource and
configured gene checked against the reference and annotation before any alignment
(ipscqc.readers, ipscqc.reference, ipscqc.transgenes, scripts/check_reference.py)."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pysam
import pytest
from ipscqc.preflight import bed_problems
from ipscqc.readers.bed import BedError, no_intervals_problem, read_bed, scan_bed
from ipscqc.readers.fasta import ReferenceError, fasta_contigs, scan_fasta
from ipscqc.readers.gene_synonyms import read_gene_synonyms
from ipscqc.reference import chr_renaming, resource_contig_problems
from ipscqc.transgenes import transgene_gene_problems
from test_input_safety import planned_jobs
from user_inputs import GRCH38_CONTIGS, REPO, snakemake, write_config, write_user_inputs

SYNONYMS = REPO / "resources/gene_synonyms/transgenes.tsv"
ENSEMBL_CONTIGS = [str(n) for n in range(1, 23)] + ["X", "Y", "MT"]


def one(problems, *words):
    assert len(problems) == 1, problems
    assert "\n" not in problems[0]
    for word in words:
        assert word in problems[0], problems[0]
    return problems[0]


# --- FASTA -------------------------------------------------------------------------


def fasta(tmp_path, text: str, name="genome.fa") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_fasta_lengths_match_samtools_also_with_crlf_and_no_last_newline(tmp_path):
    path = fasta(tmp_path, ">chr1 desc\r\nACGTACGT\r\nACG\r\n>chr2\r\nGG")
    scan = scan_fasta(path)
    assert scan.problems == [] and scan.names == ["chr1", "chr2"]
    assert scan.lengths == {"chr1": 11, "chr2": 2}
    assert not scan.ends_with_newline
    pysam.faidx(str(path))
    fai = dict(line.split("\t")[:2] for line in Path(f"{path}.fai").read_text().splitlines())
    assert {name: int(length) for name, length in fai.items()} == scan.lengths


def test_fasta_duplicate_names_name_the_file_the_contig_and_both_lines(tmp_path):
    path = fasta(tmp_path, ">chr1\nAC\n>chr2\nGG\n>chr1\nTT\n")
    one(
        scan_fasta(path).problems,
        f"{path}, line 5: duplicate contig name 'chr1' (first on line 1)",
    )
    with pytest.raises(ReferenceError, match=r"line 5: duplicate contig name 'chr1'"):
        fasta_contigs(path)


def test_blank_line_inside_a_sequence_is_reported_on_the_users_file(tmp_path):
    path = fasta(tmp_path, ">chr1\nACGT\n\nACGT\n>chr2\nGG\n\n\n>chr3\n\nTT\n")
    assert scan_fasta(path).problems == [
        f"{path}, line 3: blank line inside the sequence of contig 'chr1': samtools faidx"
        " cannot index it; remove the line",
        f"{path}, line 10: blank line inside the sequence of contig 'chr3': samtools faidx"
        " cannot index it; remove the line",
    ]  # the blank lines at the end of chr2 are fine (samtools accepts them)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no FASTA header ('>name') found"),
        ("@read1\nACGT\n+\nIIII\n", "line 1: text before the first header ('>name')"),
        (">chr1\n>chr2\nAC\n", "line 1: contig 'chr1' has no sequence"),
        (">\nAC\n", "line 1: header without a name"),
    ],
    ids=["empty", "a-fastq", "no-sequence", "no-name"],
)
def test_fasta_that_is_not_one(tmp_path, text, message):
    one(scan_fasta(fasta(tmp_path, text)).problems, message)


def test_gzipped_fasta_told_from_its_content(tmp_path):
    path = tmp_path / "genome.fa"  # no .gz in the name
    path.write_bytes(gzip.compress(b">chr1\nACGT\n"))
    assert scan_fasta(path).lengths == {"chr1": 4}
    assert fasta_contigs(path) == ["chr1"]


def test_missing_fasta_or_a_folder_is_one_line(tmp_path):
    with pytest.raises(ReferenceError, match=r"genome.fa: reference FASTA not found$"):
        fasta_contigs(tmp_path / "genome.fa")
    with pytest.raises(ReferenceError, match=r"is a folder, not a FASTA file$"):
        fasta_contigs(tmp_path)


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_missing_fasta_path_or_a_folder_stops_at_start(tmp_path, kind):
    config = write_user_inputs(tmp_path / "inputs")
    path = str(tmp_path / "nowhere.fa") if kind == "missing" else str(tmp_path / "inputs")
    config["reference"]["fasta"] = path
    write_config(tmp_path / "my_config.yaml", config)
    done = snakemake(tmp_path, "--configfile", "my_config.yaml", "-n")
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output, output
    expected = {
        "missing": f"config: reference.fasta: file not found: '{path}'",
        "folder": f"config: reference.fasta: '{path}' is a folder, not a file",
    }[kind]
    assert expected in output, output


def test_the_alignment_reference_never_glues_the_vector_header_onto_the_genome(tmp_path):
    """rules/reference.smk's own command on a genome whose last line has no newline."""
    from snakemake.utils import format as snakemake_format

    genome = fasta(tmp_path, ">chr1\r\nACGT\r\nAC")
    vectors = tmp_path / "vectors.fa.gz"
    vectors.write_bytes(gzip.compress(b">pCXLE\nGGCC"))
    configfile = write_config(tmp_path / "my_config.yaml", write_user_inputs(tmp_path / "in"))
    jobs = planned_jobs(tmp_path, configfile, REPO / "Snakefile")
    shell = next(job.rule.shellcmd for job in jobs if job.rule.name == "alignment_reference")
    output = tmp_path / "alignment.fa"
    command = snakemake_format(
        shell,
        input=SimpleNamespace(fasta=str(genome), vectors=[str(vectors)]),
        params=SimpleNamespace(with_vectors="yes"),
        output=[str(output)],
        log=[str(tmp_path / "log")],
    )
    subprocess.run(["bash", "-c", command], check=True)
    assert output.read_text() == ">chr1\nACGT\nAC\n>pCXLE\nGGCC\n"


# --- BED ---------------------------------------------------------------------------

LENGTHS = {"chr1": 1000, "chr2": 500}


@pytest.mark.parametrize(
    "content",
    [
        b"chr1\t0\t100\tcen\nchr2\t5\t10\n",
        b"\xef\xbb\xbfchr1\t0\t100\tcen\r\nchr2\t5\t10\r\n",  # BOM, CRLF
        b"chr1\t0\t100\tcen\t\t\nchr2 \t 5\t10  \n",  # empty trailing columns, spaces
        b"chr1 0 100 cen\nchr2   5   10\n",  # space-separated, unambiguous
        b"track name=x\nbrowser position chr1\n# comment\nchr1\t0\t100\tcen\nchr2\t5\t10\n",
    ],
    ids=["plain", "bom-crlf", "trailing", "space-separated", "comments"],
)
def test_bed_as_tools_and_editors_write_it(tmp_path, content):
    path = tmp_path / "regions.bed"
    path.write_bytes(content)
    frame = read_bed(path)
    assert frame.to_dict("records") == [
        {"chrom": "chr1", "start": 0, "end": 100, "name": "cen"},
        {"chrom": "chr2", "start": 5, "end": 10, "name": ""},
    ]
    gzipped = tmp_path / "regions.txt"  # compression told from the content
    gzipped.write_bytes(gzip.compress(content))
    assert read_bed(gzipped).equals(frame)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("chr1 100", "2 column(s); BED needs chrom, start, end (fields separated by spaces?"),
        ("chrom\tstart\tend", "start and end must be whole numbers, not 'start', 'end' (a header"),
        ("chr1\t30\t20", "start 30 is after end 20"),
    ],
)
def test_bed_lines_that_are_not_intervals_name_the_line(tmp_path, line, message):
    path = tmp_path / "targets.bed"
    path.write_text(f"chr1\t0\t10\n{line}\n")
    one(scan_bed(path).problems, f"{path}, line 2: {message}")
    with pytest.raises(BedError, match="line 2"):
        read_bed(path)


def test_comment_only_bed_has_no_intervals(tmp_path):
    path = tmp_path / "targets.bed"
    path.write_text("# exome targets v2\ntrack name=targets\n")
    assert no_intervals_problem(scan_bed(path)) == [
        f"{path}: no intervals (the file is empty or holds only comment lines)"
    ]
    one(bed_problems(path, LENGTHS), "no intervals")


def test_centromere_bed_may_hold_an_empty_interval(tmp_path):
    path = tmp_path / "centromeres.bed"
    path.write_text("chr1\t400\t500\tcen\nchr2\t0\t0\tno centromere on this piece\n")
    assert bed_problems(path, LENGTHS, allow_empty=True) == []
    one(bed_problems(path, LENGTHS), "line 2: start 0 is not before end 0")


# --- contig names of resources -----------------------------------------------------


def test_chr_renaming_only_when_that_is_all_that_differs():
    assert chr_renaming({"chr1", "chrX", "chrM"}, ENSEMBL_CONTIGS) == "remove"
    assert chr_renaming({"1", "X", "MT"}, GRCH38_CONTIGS) == "add"
    assert chr_renaming({"chr1", "chrUn_x"}, ENSEMBL_CONTIGS) is None


def test_resource_on_other_contig_names_offers_the_renaming():
    problem = one(
        resource_contig_problems(
            "config: copy_number.centromeres (shipped for GRCh38)",
            "resources/centromeres/GRCh38.bed",
            {"chr1", "chr2", "chrX"},
            ENSEMBL_CONTIGS,
        ),
        "config: copy_number.centromeres (shipped for GRCh38): resources/centromeres/GRCh38.bed:"
        " 3 contig(s) not in the reference: chr1, chr2, chrX; the reference has 1, 2, 3, 4, 5,",
        "only the 'chr' prefix differs, and the reference uses Ensembl names (1, X, MT)",
    )
    assert r"sed -E 's/^chrM\t/MT\t/; s/^chr//' resources/centromeres/GRCh38.bed" in problem


def test_sed_renaming_commands_do_what_they_say(tmp_path):
    from ipscqc.reference import RENAME_COMMANDS

    bed = tmp_path / "a.bed"
    bed.write_text("chr1\t0\t10\nchrX\t0\t10\nchrM\t0\t10\n")
    removed = subprocess.run(
        f"{RENAME_COMMANDS['remove']} {bed}", shell=True, capture_output=True, text=True
    ).stdout
    assert removed == "1\t0\t10\nX\t0\t10\nMT\t0\t10\n"
    bed.write_text(removed)
    added = subprocess.run(
        f"{RENAME_COMMANDS['add']} {bed}", shell=True, capture_output=True, text=True
    ).stdout
    assert added == "chr1\t0\t10\nchrX\t0\t10\nchrM\t0\t10\n"


# --- configured transgene genes ----------------------------------------------------


def test_synonyms_table_has_its_genes_and_ids():
    genes = read_gene_synonyms(SYNONYMS)
    assert list(genes) == ["POU5F1", "SOX2", "KLF4", "MYC", "MYCL", "LIN28A", "NANOG"]
    assert genes["POU5F1"].hgnc_id == "HGNC:9221" and "OCT4" in genes["POU5F1"].synonyms


def test_configured_genes_the_annotation_lacks_name_the_symbol_meant():
    annotation = {"POU5F1", "SOX2", "KLF4", "MYC", "LIN28A", "TP53"}
    problems = transgene_gene_problems(
        ["OCT4", "c-MYC", "L-MYC", "LIN28", "Sox2", "KLF4", "FOO1"],
        annotation,
        read_gene_synonyms(SYNONYMS),
        "genes.gff3",
    )
    start = "config: vectors.transgene_genes: "
    assert problems == [
        f"{start}'OCT4' is not a gene name of genes.gff3; OCT4 is a synonym of POU5F1"
        " (HGNC:9221), which the annotation has: write POU5F1",
        f"{start}'c-MYC' is not a gene name of genes.gff3; c-MYC is a synonym of MYC"
        " (HGNC:7553), which the annotation has: write MYC",
        f"{start}'L-MYC' is not a gene name of genes.gff3, nor is any of its names (MYCL,"
        " MYCL1, bHLHe38): the annotation lacks MYCL (HGNC:7555); remove it from"
        " vectors.transgene_genes or use a complete annotation",
        f"{start}'LIN28' is not a gene name of genes.gff3; LIN28 is a synonym of LIN28A"
        " (HGNC:15986), which the annotation has: write LIN28A",
        f"{start}'Sox2' is not a gene name of genes.gff3; it has 'SOX2': write SOX2",
        f"{start}'FOO1' is not a gene name of genes.gff3 (nor a known synonym of a"
        " reprogramming gene): use the gene's Name in the annotation, or remove it from"
        " vectors.transgene_genes",
    ]


# --- the whole reference check, before any alignment -------------------------------


def reference_check(tmp_path, config) -> str:
    """Run the workflow up to its reference check; returns the output."""
    write_config(tmp_path / "my_config.yaml", config)
    done = snakemake(
        tmp_path, "--configfile", "my_config.yaml", "--cores", "1", "results/reference/contigs.json"
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output[-3000:]
    return output if done.returncode else ""


def test_ensembl_contig_names_with_grch38_resources_stop_before_alignment(tmp_path):
    config = write_user_inputs(tmp_path / "inputs", contigs=ENSEMBL_CONTIGS)
    output = reference_check(tmp_path, config)
    assert "reference check failed:" in output, output[-3000:]
    for resource in ("centromeres", "recurrent_regions"):
        label = f"config: copy_number.{resource} (shipped for GRCh38): "
        assert label in output, output[-3000:]
        assert f"{REPO}/resources/{resource}/GRCh38.bed" in output
    assert "only the 'chr' prefix differs, and the reference uses Ensembl names" in output
    assert not (tmp_path / "results/reference/genome.fa").exists()


def test_whole_reference_check_on_a_users_files(tmp_path):
    config = write_user_inputs(tmp_path / "inputs", genes=("POU5F1", "SOX2", "TP53"))
    inputs = tmp_path / "inputs/reference"
    targets = inputs / "targets.bed"
    targets.write_text("# only comments\n")
    sites = inputs / "sites.vcf"
    sites.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "1\t100\t.\tA\tG\t.\t.\t.\n"
    )
    gff = Path(config["reference"]["annotation"])
    gff.write_text(gff.read_text() + "chr1 ensembl gene 5 50 . + . ID=gene:X\n")
    config["reference"]["targets"] = str(targets)
    config["identity"] = {"sites": str(sites)}
    config["vectors"] = {"transgene_genes": ["OCT4", "MYCL"]}
    output = reference_check(tmp_path, config)
    expected = [
        f"{gff}, line 14: 1 tab-separated column(s), not the 9 of GFF3",
        "'OCT4' is not a gene name of",
        "write POU5F1",
        "the annotation lacks MYCL (HGNC:7555)",
        f"{targets}: no intervals",
        f"config: identity.sites: {sites}: 1 contig(s) not in the reference: 1;",
        "only the 'chr' prefix differs, and the reference uses UCSC names (chr1, chrM)."
        " Give a copy with the reference's names, e.g. bcftools annotate --rename-chrs names.txt",
        "one 'old new' pair per line in names.txt ('1 chr1')",
    ]
    for message in expected:
        assert message in output, (message, output[-3000:])


def test_good_reference_inputs_pass_and_give_contig_lengths(tmp_path):
    config = write_user_inputs(tmp_path / "inputs")
    assert reference_check(tmp_path, config) == ""
    contigs = json.loads((tmp_path / "results/reference/contigs.json").read_text())
    assert contigs["genome"] == GRCH38_CONTIGS and contigs["lengths"]["chrM"] == 3000


def test_resource_on_contigs_the_reference_lacks_without_a_renaming():
    one(
        resource_contig_problems(
            "config: reference.targets", "t.bed", {"chr1", "chrUn"}, GRCH38_CONTIGS
        ),
        "config: reference.targets: t.bed: 1 contig(s) not in the reference: chrUn; the"
        " reference has chr1, chr2, chr3, chr4, chr5, ...: use a file made for this reference",
    )


def test_annotation_with_a_byte_order_mark_is_named_before_bcftools_csq_fails_on_it(tmp_path):
    config = write_user_inputs(tmp_path / "inputs")
    gff = Path(config["reference"]["annotation"])
    gff.write_bytes(b"\xef\xbb\xbf" + gff.read_bytes())
    output = reference_check(tmp_path, config)
    assert (
        f"{gff}, line 1: the file starts with a byte-order mark (bytes EF BB BF, written by"
        " some editors), which bcftools csq cannot read: remove it, e.g."
        f" sed -i '1s/^\\xEF\\xBB\\xBF//' {gff}"
    ) in output, output[-3000:]


def test_bcftools_csq_stops_on_a_byte_order_mark_and_the_named_sed_removes_it(tmp_path):
    """Why the mark is refused, and that the command the message names is right."""
    config = write_user_inputs(tmp_path / "inputs")
    gff = Path(config["reference"]["annotation"])
    plain = gff.read_bytes()
    gff.write_bytes(b"\xef\xbb\xbf" + plain)
    fasta = config["reference"]["fasta"]
    pysam.faidx(fasta)
    empty = tmp_path / "empty.vcf"
    empty.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")

    def csq():
        return subprocess.run(
            ["bcftools", "csq", "-f", fasta, "-g", gff, empty, "-o", tmp_path / "out.vcf"],
            capture_output=True,
            text=True,
        )

    assert csq().returncode != 0 and "Could not parse the line" in csq().stderr
    subprocess.run(["sed", "-i", r"1s/^\xEF\xBB\xBF//", gff], check=True)
    assert gff.read_bytes() == plain
    assert csq().returncode == 0, csq().stderr
