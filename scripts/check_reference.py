"""Check that reference, annotation, vector decoys and targets agree on contig names.

Writes the contig list as JSON; exits with a one-line message per problem.
"""

import json
import sys

from ipscqc.reference import bed_contigs, check_contigs, fasta_contigs, gff3_contigs
from ipscqc.snake import log_stderr_to


def main(inputs, output) -> None:
    genome = fasta_contigs(inputs.fasta)
    vectors = fasta_contigs(inputs.vectors) if inputs.vectors else []
    problems = check_contigs(
        genome,
        gff3_contigs(inputs.annotation),
        str(inputs.annotation),
        vectors,
        str(inputs.vectors),
        bed_contigs(inputs.targets) if inputs.targets else set(),
        str(inputs.targets),
    )
    if problems:
        sys.exit("reference check failed:\n" + "\n".join(problems))
    with open(output[0], "w") as handle:
        json.dump({"genome": genome, "vectors": vectors}, handle, indent=1)
        handle.write("\n")


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output)  # noqa: F821
