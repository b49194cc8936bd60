# ipsc-qc: genomic release QC of iPSC lines against their donor's parental sample.
# This file only includes the stages; see rules/. The configuration is the file named
# with --configfile, alone (defaults from schemas/config.schema.yaml): the demo's
# config.yaml is read only when named (bin/demo does), so no run inherits toy settings.

from snakemake.utils import min_version

min_version("9.0")


include: "rules/common.smk"
include: "rules/reference.smk"
include: "rules/preflight.smk"
include: "rules/reads.smk"
include: "rules/align.smk"
include: "rules/qc.smk"
include: "rules/variants.smk"
include: "rules/copy_number.smk"
include: "rules/identity.smk"
include: "rules/vectors.smk"
include: "rules/gate.smk"
include: "rules/certificate.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
