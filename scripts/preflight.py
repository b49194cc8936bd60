"""Pre-flight checks run by the preflight_* rules (see rules/preflight.smk).

One entry point, three steps (params.step):

- ``reads``: one sequencing unit's FASTQ pair, before fastp;
- ``alignment``: a unit given as BAM/CRAM, before its reads are taken out (readable,
  paired-end, a CRAM written against this reference);
- ``reference``: annotation usable by bcftools csq, the intervals of the targets,
  centromeres and recurrent regions inside the contigs, the alignment reference index,
  before the bwa index is built;
- ``trimmed``: one sample's reads after fastp (enough left, no broken input seen by
  fastp), before its reads are aligned.

Each writes a small JSON summary when all is well, and otherwise exits non-zero with
one line per problem, which Snakemake shows from the rule's log.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ipscqc.contract import write_json
from ipscqc.fastq import fastq_pair_problems
from ipscqc.preflight import (
    alignment_input_problems,
    bed_problems,
    csq_problems,
    fastp_problems,
    trimmed_read_problems,
)
from ipscqc.readers.fasta import fai_lengths
from ipscqc.snake import run

EMPTY_VCF_HEADER = "##fileformat=VCFv4.2\n"
EMPTY_VCF_COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


def fail(what: str, problems: list[str]) -> None:
    sys.exit(f"pre-flight check failed for {what}:\n" + "\n".join(problems))


def check_reads(inputs, output, params) -> None:
    problems, summary = fastq_pair_problems(
        inputs.fq1,
        inputs.fq2,
        records=params.records,
        full_check_bytes=params.full_check_mb << 20,
    )
    unit = f"{params.sample}/{params.unit}"
    if problems:
        fail(f"unit {unit}", problems)
    write_json(output[0], {"unit": unit, **summary})


def check_alignment(inputs, output, params) -> None:
    problems, summary = alignment_input_problems(
        inputs.alignment, inputs.reference, fai_lengths(inputs.fai), params.records
    )
    unit = f"{params.sample}/{params.unit}"
    if problems:
        fail(f"unit {unit}", problems)
    write_json(output[0], {"unit": unit, **summary})


def run_csq(reference: str, annotation: str, contigs: dict[str, int]) -> list[str]:
    """Run bcftools csq on an empty VCF; return its problems with the annotation."""
    with tempfile.TemporaryDirectory() as folder:
        vcf = Path(folder) / "empty.vcf"
        header = "".join(f"##contig=<ID={name},length={size}>\n" for name, size in contigs.items())
        vcf.write_text(EMPTY_VCF_HEADER + header + EMPTY_VCF_COLUMNS)
        command = ["bcftools", "csq", "-f", reference, "-g", annotation, "-o", os.devnull, str(vcf)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as error:
            return [f"{annotation}: cannot run bcftools csq: {error}"]
    return csq_problems(done.stderr, done.returncode, annotation)


def check_reference(inputs, output, params) -> None:
    lengths = fai_lengths(inputs.fai)
    with open(inputs.contigs) as handle:
        genome = json.load(handle)["genome"]
    genome_lengths = {name: lengths[name] for name in genome}
    problems = run_csq(str(inputs.reference), str(inputs.annotation), genome_lengths)
    for name in ("targets", "centromeres", "recurrent_regions"):
        if inputs.get(name):
            allow_empty = name == "centromeres"  # 0 0: the contig has no centromere
            problems += bed_problems(inputs.get(name), genome_lengths, allow_empty=allow_empty)
    if problems:
        fail("the reference", problems)
    write_json(
        output[0],
        {
            "contigs": len(genome_lengths),
            "genome_length": sum(genome_lengths.values()),
            "annotation": "usable by bcftools csq",
            "targets": "inside the contigs" if inputs.get("targets") else None,
        },
    )


def check_trimmed(inputs, output, params) -> None:
    problems, reads = [], {}
    for unit, report, log in zip(params.units, inputs.reports, inputs.logs, strict=True):
        problems += fastp_problems(Path(log).read_text(errors="replace"), str(log), unit)
        with open(report) as handle:
            reads[unit] = json.load(handle)["summary"]["after_filtering"]["total_reads"]
    problems += trimmed_read_problems(params.sample, reads, params.minimum)
    if problems:
        fail(f"sample {params.sample} after trimming", problems)
    write_json(
        output[0],
        {"sample": params.sample, "reads_after_trimming": reads, "minimum": params.minimum},
    )


STEPS = {
    "reads": check_reads,
    "alignment": check_alignment,
    "reference": check_reference,
    "trimmed": check_trimmed,
}


def main(inputs, output, params) -> None:
    STEPS[params.step](inputs, output, params)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
