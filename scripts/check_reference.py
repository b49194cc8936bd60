"""Check that reference, annotation, vector decoys and targets agree on contig names.

Writes the contig list as JSON; exits with a one-line message per problem.
"""

import sys

from ipscqc.contract import write_json
from ipscqc.readers.bed import bed_contigs
from ipscqc.readers.fasta import fasta_contigs
from ipscqc.readers.gff3 import annotation_contigs
from ipscqc.reference import check_contigs
from ipscqc.snake import run


def main(inputs, outputs, params) -> None:
    genome = fasta_contigs(inputs.fasta)
    vectors = fasta_contigs(inputs.vectors) if inputs.vectors else []
    problems = check_contigs(
        genome,
        annotation_contigs(inputs.annotation),
        str(inputs.annotation),
        vectors,
        str(inputs.vectors),
        bed_contigs(inputs.targets) if inputs.targets else set(),
        str(inputs.targets),
    )
    if problems:
        sys.exit("reference check failed:\n" + "\n".join(problems))
    write_json(outputs[0], {"genome": genome, "vectors": vectors})


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
