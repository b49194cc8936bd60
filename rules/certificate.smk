# Release certificates: the gate's decision of each line with the checksums of every
# input, the versions of the tools each job ran, the config digest and the pipeline
# version; and the printable release dossier of each line, made from its certificate
# only. See docs/release_gate.md.


rule sample_checksums:
    input:
        fastq=fastqs_of_sample,
        bam=path_of(KEPT_ALIGNMENT),
    output:
        path_of("sample_checksums"),
    log:
        log_of("gate/checksums/{sample}"),
    benchmark:
        benchmark_of("gate/checksums/{sample}")
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=memory_by_attempt(500),
        runtime=scaled_runtime(minutes_per_gb=1, minimum=10),
    params:
        kind="sample",
        sample="{sample}",
        units=fastq_units_of_sample,
        reads=fastq_reads_of_sample,
        bam_name=LAYOUT.relative(KEPT_ALIGNMENT),
    script:
        "../scripts/input_checksums.py"


rule reference_checksums:
    input:
        REFERENCE_INPUTS.values(),
        alignment_reference=reference_of("alignment_reference"),
    output:
        path_of("reference_checksums"),
    log:
        log_of("gate/checksums/reference"),
    benchmark:
        benchmark_of("gate/checksums/reference")
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=memory_by_attempt(500),
        runtime=scaled_runtime(minutes_per_gb=1, minimum=10),
    params:
        kind="reference",
        names=list(REFERENCE_INPUTS),
        paths=list(REFERENCE_INPUTS.values()),
        # the sequence the reads were aligned to (and a CRAM is decoded with), named as
        # the run's layout names it; a prepared folder's file by its own path (None)
        alignment_reference_name=(
            None if PREPARED_REFERENCE else LAYOUT.relative("alignment_reference")
        ),
    script:
        "../scripts/input_checksums.py"


rule gather_versions:
    input:
        job_versions(),
    output:
        json=path_of("software_versions"),
        multiqc=path_of("software_versions_mqc"),
    log:
        log_of("gate/software_versions"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        steps=[step for step, jobs in VERSIONED_JOBS.items() for _job in jobs],
    script:
        "../scripts/gather_versions.py"


rule certificate:
    input:
        gate=path_of("gate"),
        line=path_of("sample_checksums", sample="{line}"),
        parental=parental_checksums_of_line,
        reference=path_of("reference_checksums"),
        software=path_of("software_versions"),
    output:
        path_of("certificate"),
    log:
        log_of("certificates/{line}"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        config=config,
        repository=workflow.basedir,
        passage=passage_of_line,
    script:
        "../scripts/release_certificate.py"


rule dossier:
    input:
        certificate=path_of("certificate"),
    output:
        html=path_of("dossier_html"),
        pdf=path_of("dossier_pdf"),
    log:
        log_of("dossiers/{line}"),
    localrule: True
    conda:
        "../envs/dossier.yaml"
    resources:
        mem_mb=memory_by_attempt(1000),
        runtime=10,
    script:
        "../scripts/release_dossier.py"
