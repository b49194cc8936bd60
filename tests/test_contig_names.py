"""Every contig name a SAM file may hold is handled: hs38DH's ``HLA-A*01:01:01:01`` never
reaches a region string, a file name or a wildcard (per-shard jobs are ``s<index>``,
their contigs read from a regions file: ipscqc.shards); names the tools cannot use stop
the run at start-up (ipscqc.contig_index)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pysam
import pytest
from ipscqc.contig_index import contig_name_problems
from ipscqc.shards import Region, Shard
from test_input_safety import planned_jobs, strings_in
from user_inputs import GRCH38_CONTIGS, REPO, snakemake, write_config, write_user_inputs

HLA = "HLA-A*01:01:01:01"
HS38DH_LIKE = GRCH38_CONTIGS + [
    "chr1_KI270706v1_random",
    "chrUn_JTFH01000001v1_decoy",
    "chrEBV",
    HLA,
    "HLA-DRB1*15:01:01:01",
]


def test_sam_names_pass_and_others_are_named():
    assert contig_name_problems(HS38DH_LIKE + ["chr1:100-200", "a|b;c"], "ref.fa") == []
    problems = contig_name_problems(["chr1", "*chr2", "chr(3)", 'chr"4', "chr5,6"], "ref.fa")
    assert len(problems) == 1
    assert problems[0].startswith(
        "ref.fa: 4 contig name(s) that are not SAM reference names: '*chr2', 'chr(3)',"
    )


@pytest.fixture(scope="module")
def hs38dh_run(tmp_path_factory):
    """A user's GRCh38 analysis set with alt, decoy, EBV and HLA contigs."""
    folder = tmp_path_factory.mktemp("hs38dh")
    config = write_user_inputs(folder / "inputs", contigs=HS38DH_LIKE)
    configfile = write_config(folder / "my_config.yaml", config)
    workdir = folder / "run"
    workdir.mkdir()
    return workdir, configfile, planned_jobs(workdir, configfile, REPO / "Snakefile")


def test_shard_jobs_are_named_by_index_and_call_the_analysed_contigs(hs38dh_run):
    _, _, jobs = hs38dh_run
    (shards,) = [job for job in jobs if job.rule.name == "genome_shards"]
    regions = [region for shard in shards.params.shards for region in shard]
    # chr1..chr22, chrX, chrY whole (3 kb each: packed into one shard), in FASTA order;
    # chrM, the random, decoy, EBV and HLA contigs stay out of calling
    assert regions == [(name, 1, 3000) for name in GRCH38_CONTIGS if name != "chrM"]
    pileups = [job for job in jobs if job.rule.name == "pileup_variants"]
    assert sorted(int(job.wildcards.shard) for job in pileups) == [0]
    for job in jobs:
        for path in strings_in(list(job.output) + list(job.log)):
            assert "*" not in path and ":" not in path and "HLA" not in path, (job, path)


def test_no_rule_takes_a_contig_name_as_a_wildcard_or_region_string():
    text = "\n".join(path.read_text() for path in (REPO / "rules").glob("*.smk"))
    assert "{contig}" not in text and "wildcards.contig}" not in text
    assert "--regions {" not in text and " -r {" not in text


def write_reads(path: Path, names, sequences) -> Path:
    header = {
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": [{"SN": name, "LN": len(sequences[name])} for name in names],
        "RG": [{"ID": "P1", "SM": "P1"}],
    }
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for tid, name in enumerate(names):
            for index in range(30):
                read = pysam.AlignedSegment(bam.header)
                start = 100 + index * 3
                bases = list(sequences[name][start : start + 50])
                bases[20] = "T" if bases[20] != "T" else "G"  # a variant at start + 21
                read.query_name, read.reference_id, read.reference_start = f"r{index}", tid, start
                read.query_sequence, read.cigarstring = "".join(bases), "50M"
                read.mapping_quality, read.query_qualities = 60, [35] * 50
                read.set_tag("RG", "P1")
                bam.write(read)
    pysam.index(str(path))
    return path


def test_the_pileup_command_calls_a_contig_named_like_hs38dh_hla(hs38dh_run, tmp_path):
    """The rule's own shell command, run on a reference whose contig is HLA-A*01:01:01:01."""
    from snakemake.utils import format as snakemake_format

    _, _, jobs = hs38dh_run
    rule = next(job.rule for job in jobs if job.rule.name == "pileup_variants")
    rng = random.Random(5)
    names = ["chr1", HLA]
    sequences = {name: "".join(rng.choice("ACGT") for _ in range(1000)) for name in names}
    fasta = tmp_path / "genome.fa"
    fasta.write_text("".join(f">{name}\n{sequences[name]}\n" for name in names))
    pysam.faidx(str(fasta))
    bam = write_reads(tmp_path / "P1.bam", names, sequences)
    regions = tmp_path / "s1.regions.tsv"
    regions.write_text(Shard(1, (Region(HLA, 1, 1000),)).regions_file_text())
    output = SimpleNamespace(bcf=str(tmp_path / "s1.bcf"), versions="")
    command = snakemake_format(
        rule.shellcmd,
        input=SimpleNamespace(
            bams=[str(bam)], reference=str(fasta), fai=f"{fasta}.fai", regions=str(regions)
        ),
        output=output,
        params=SimpleNamespace(versions="true", min_mapq=20, min_baseq=20, max_depth=1000),
        wildcards=SimpleNamespace(shard="1"),
        log=[str(tmp_path / "pileup.log")],
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert done.returncode == 0, (tmp_path / "pileup.log").read_text()
    with pysam.VariantFile(output.bcf) as calls:
        records = [(record.chrom, record.pos) for record in calls]
    assert records and {chrom for chrom, _ in records} == {HLA}
    assert (HLA, 121) in records  # the planted variant of the first read


@pytest.mark.parametrize(
    ("contigs", "messages"),
    [
        (
            ["NC_000001.11", "NC_000002.12", "NC_000023.11"],
            [
                "GRCh38_fake.fa: no contig is an autosome (chr1..chr22 or 1..22)",
                "its contigs are NC_000001.11, NC_000002.12, NC_000023.11",
            ],
        ),
        (
            GRCH38_CONTIGS + ["chrUn(1)"],
            ["GRCh38_fake.fa: 1 contig name(s) that are not SAM reference names: 'chrUn(1)'"],
        ),
    ],
    ids=["no-autosome", "not-a-sam-name"],
)
def test_unusable_contig_names_stop_at_start(tmp_path, contigs, messages):
    config = write_user_inputs(tmp_path / "inputs", contigs=contigs)
    write_config(tmp_path / "my_config.yaml", config)
    (tmp_path / "run").mkdir()
    done = snakemake(tmp_path, "--configfile", "my_config.yaml", "-n", "--directory", "run")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    for message in messages:
        assert message in output, output
    assert "Traceback" not in output
