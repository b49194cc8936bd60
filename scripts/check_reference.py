"""Check, before the reference is prepared, that every reference input is readable and
agrees with the others (rule check_reference; docs/hardening.md):

- the genome and vector FASTA (names, duplicates, blank lines inside a sequence, each
  named by file and line), and that no vector contig is named like a genome contig;
- the annotation (lines that are not GFF3, contigs the reference lacks) and that every
  configured transgene gene is one of its genes (synonyms named: OCT4 -> POU5F1);
- every BED and resource (targets, centromeres, recurrent regions, identity sites): an
  interval at least, and only contigs of the reference (with the chr/no-chr renaming
  when that is all that differs).

Writes the contig names and lengths as JSON; exits with one line per problem.
"""

import sys

from ipscqc.contract import write_json
from ipscqc.readers.bed import no_intervals_problem, scan_bed
from ipscqc.readers.byte_order_mark import byte_order_mark_problem
from ipscqc.readers.fasta import scan_fasta
from ipscqc.readers.gene_synonyms import read_gene_synonyms
from ipscqc.readers.gff3 import annotation_summary
from ipscqc.readers.vcf import record_contigs
from ipscqc.reference import check_contigs, resource_contig_problems
from ipscqc.snake import run
from ipscqc.transgenes import transgene_gene_problems


def fail(problems: list[str]) -> None:
    sys.exit("reference check failed:\n" + "\n".join(problems))


def not_text(path, error: UnicodeDecodeError) -> str:
    return f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x}): is it the right file?"


def fasta_problems(inputs):
    genome = scan_fasta(inputs.fasta)
    vectors = scan_fasta(inputs.vectors) if inputs.vectors else None
    problems = genome.problems + (vectors.problems if vectors else [])
    return genome, vectors, problems


def annotation_problems(inputs, params, genome, vectors):
    try:
        summary = annotation_summary(inputs.annotation)
    except UnicodeDecodeError as error:
        return [not_text(inputs.annotation, error)]
    mark = byte_order_mark_problem(inputs.annotation, "bcftools csq")
    problems = [mark] if mark else []
    problems += [
        f"{inputs.annotation}, line {line}: {columns} tab-separated column(s), not the 9 of"
        " GFF3 (fields separated by spaces?)"
        for line, columns in summary.bad_lines[:5]
    ]
    problems += check_contigs(
        genome.names,
        summary.contigs,
        str(inputs.annotation),
        vectors.names if vectors else [],
        str(inputs.vectors),
    )
    synonyms = read_gene_synonyms(inputs.synonyms)
    return problems + transgene_gene_problems(
        params.transgene_genes, summary.gene_names, synonyms, str(inputs.annotation)
    )


def resource_problems(inputs, params, genome):
    problems = []
    for name, label in params.resources.items():
        path = inputs.get(name)
        if not path:
            continue
        if name == "identity_sites":
            used, kind = record_contigs(str(path)), "VCF"
        else:
            try:
                scan = scan_bed(path)
            except UnicodeDecodeError as error:
                problems.append(not_text(path, error))
                continue
            problems += scan.problems + no_intervals_problem(scan)
            used, kind = scan.contigs, "BED"
        problems += resource_contig_problems(label, str(path), used, genome.names, kind)
    return problems


def main(inputs, outputs, params) -> None:
    genome, vectors, problems = fasta_problems(inputs)
    if not genome.names:
        fail(problems)
    problems += annotation_problems(inputs, params, genome, vectors)
    problems += resource_problems(inputs, params, genome)
    if problems:
        fail(problems)
    write_json(
        outputs[0],
        {
            "genome": genome.names,
            "vectors": vectors.names if vectors else [],
            "lengths": genome.lengths,
        },
    )


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
