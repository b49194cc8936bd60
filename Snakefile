# ipsc-qc: genomic release QC of iPSC lines against their donor's parental sample.
# This file only sets the configuration and includes the stages; see rules/.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


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
