# Pre-flight checks: bad inputs are found in seconds, before any alignment (a unit given
# as BAM/CRAM is checked before its reads are taken out).
# fastp waits for its unit's reads check, the bwa index and the aligners for the
# reference check (which waits for the check of a prepared reference folder), and the
# aligners for their sample's after-trimming check. Those rules take the checks' outputs
# as ancient() inputs: the checks order the jobs, but rerunning a check never by
# itself reruns the costly steps. See docs/hardening.md.


rule preflight_reads:
    input:
        unpack(fastq_of),
    output:
        path_of("preflight_reads"),
    log:
        log_of("preflight/reads/{sample}.{unit}"),
    priority: 50
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        step="reads",
        sample="{sample}",
        unit="{unit}",
        records=config["preflight"]["fastq_records"],
        full_check_mb=config["preflight"]["full_gzip_check_mb"],
    script:
        "../scripts/preflight.py"


rule preflight_alignment:
    input:
        alignment=alignment_input_of,
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
    output:
        path_of("preflight_alignment"),
    log:
        log_of("preflight/alignments/{sample}.{unit}"),
    priority: 50
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        step="alignment",
        sample="{sample}",
        unit="{unit}",
        records=config["preflight"]["fastq_records"],
    script:
        "../scripts/preflight.py"


rule preflight_reference:
    input:
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        contigs=path_of("contigs"),
        annotation=REFERENCE["annotation"],
        targets=REFERENCE["targets"] or [],
        centromeres=COPY_NUMBER_CENTROMERES,
        recurrent_regions=COPY_NUMBER_RECURRENT_REGIONS,
        prepared=path_of("prepared_reference_check") if PREPARED_REFERENCE else [],
    output:
        path_of("preflight_reference"),
    log:
        log_of("preflight/reference"),
    priority: 50
    localrule: True
    conda:
        "../envs/preflight.yaml"
    params:
        step="reference",
    script:
        "../scripts/preflight.py"


rule preflight_trimmed:
    input:
        reports=fastp_reports_of_sample,
        logs=fastp_logs_of_sample,
    output:
        path_of("preflight_trimmed"),
    log:
        log_of("preflight/trimmed/{sample}"),
    priority: 50
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        step="trimmed",
        sample="{sample}",
        units=units_of_sample,
        minimum=config["preflight"]["min_trimmed_reads"],
    script:
        "../scripts/preflight.py"
