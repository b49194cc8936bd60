"""Small, hand-made inputs shaped like a user's own (not the toy data set): a reference
named and laid out like GRCh38, an Ensembl-style GFF3, sheets and tiny FASTQ files.
They are enough for Snakemake to parse the workflow and plan a run (start-up checks and
dry runs); their reads are not meant to be aligned.
"""

from __future__ import annotations

import gzip
import os
import random
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

#: GRCh38's primary assembly contig names (UCSC style), at a tiny size each.
GRCH38_CONTIGS = [f"chr{n}" for n in range(1, 23)] + ["chrX", "chrY", "chrM"]
CONTIG_LENGTH = 3000

GFF3 = """##gff-version 3
{chrom}\tensembl\tgene\t101\t1000\t.\t+\t.\tID=gene:G1;Name={gene};biotype=protein_coding
{chrom}\tensembl\tmRNA\t101\t1000\t.\t+\t.\tID=transcript:T1;Parent=gene:G1;Name=T1;biotype=protein_coding
{chrom}\tensembl\texon\t101\t1000\t.\t+\t.\tParent=transcript:T1
{chrom}\tensembl\tCDS\t101\t1000\t.\t+\t0\tParent=transcript:T1
"""


def write_fasta(path: Path, names, length: int = CONTIG_LENGTH, seed: int = 1) -> Path:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        for name in names:
            sequence = "".join(rng.choice("ACGT") for _ in range(length))
            handle.write(f">{name}\n")
            for start in range(0, length, 60):
                handle.write(sequence[start : start + 60] + "\n")
    return path


def write_fastq(path: Path, mate: int, reads: int = 4) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    records = "".join(
        f"@r{index} {mate}:N:0:ACGT\n{'ACGT' * 10}\n+\n{'I' * 40}\n" for index in range(reads)
    )
    path.write_bytes(gzip.compress(records.encode(), mtime=0))
    return path


def write_user_inputs(
    folder: Path,
    fasta: str = "reference/GRCh38_fake.fa",
    contigs=GRCH38_CONTIGS,
    build: str = "GRCh38",
    genes=("POU5F1", "SOX2", "KLF4", "MYC", "MYCL", "LIN28A", "NANOG"),
) -> dict:
    """Write a user's inputs under ``folder`` and return a config naming only them (no
    vectors, centromeres or recurrent regions: those keys are left to the schema)."""
    folder.mkdir(parents=True, exist_ok=True)
    fasta_path = folder / fasta
    write_fasta(fasta_path, contigs)
    annotation = folder / "reference" / "Homo_sapiens.GRCh38.gff3"
    annotation.parent.mkdir(parents=True, exist_ok=True)
    annotation.write_text(
        "".join(
            GFF3.format(chrom=contigs[0], gene=gene)
            .replace("G1", f"G{index}")
            .replace("T1", f"T{index}")
            .replace("##gff-version 3\n", "" if index else "##gff-version 3\n")
            for index, gene in enumerate(genes)
        )
    )
    sheets = folder / "sheets"
    sheets.mkdir(exist_ok=True)
    (sheets / "samples.tsv").write_text(
        "sample\tdonor\trole\tparental\tsex\nP1\tD1\tparental\t\tfemale\nL1\tD1\tline\tP1\tfemale\n"
    )
    (sheets / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\n"
        "P1\tu1\t../fastq/P1_R1.fq.gz\t../fastq/P1_R2.fq.gz\n"
        "L1\tu1\t../fastq/L1_R1.fq.gz\t../fastq/L1_R2.fq.gz\n"
    )
    for sample in ("P1", "L1"):
        for mate in (1, 2):
            write_fastq(folder / "fastq" / f"{sample}_R{mate}.fq.gz", mate)
    return {
        "samples": str(sheets / "samples.tsv"),
        "units": str(sheets / "units.tsv"),
        "reference": {"fasta": str(fasta_path), "annotation": str(annotation), "build": build},
    }


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def snakemake(workdir: Path, *args: str, snakefile: Path | None = None, timeout: int = 300):
    """Run snakemake from ``workdir`` (its working folder, also the folder relative
    paths of the command line start from); returns the finished process."""
    command = [sys.executable, "-m", "snakemake", "--directory", str(workdir)]
    command += ["--snakefile", str(snakefile or REPO / "Snakefile"), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=timeout, env=env, cwd=workdir
    )


def files_with_content(root: Path, skip=(".snakemake",)) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), leaving out Snakemake's folder."""
    found = {}
    for folder, names, files in os.walk(root):
        names[:] = [name for name in names if name not in skip]
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = path.read_bytes()
    return found
