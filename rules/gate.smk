# Release gate: read QC findings, one decision and one certificate per line, the cohort
# summary, strict mode and the safety report's custom content. See docs/release_gate.md.


rule read_qc:
    input:
        fastp=fastp_reports_of_sample,
        stats=out("qc/samtools/{sample}.stats.txt"),
        markdup=out("qc/markdup/{sample}.markdup.txt"),
        summary=out("qc/mosdepth/{sample}.mosdepth.summary.txt"),
        regions=out("qc/mosdepth/{sample}.regions.bed.gz"),
    output:
        out("findings/{sample}/read_qc.json"),
    log:
        log_of("read_qc/{sample}"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        sample="{sample}",
        parental=parental_of_wildcards,
        units=units_of_sample,
        autosomes=AUTOSOMES,
        min_bin_depth=config["params"]["read_qc"]["min_bin_depth"],
    script:
        "../scripts/read_qc_findings.py"


rule gate:
    input:
        gate_findings_of,
    output:
        out("gate/{line}.json"),
    log:
        log_of("gate/{line}"),
    wildcard_constraints:
        line=LINE_PATTERN,
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        line="{line}",
        parental=parental_of_line,
        donor=donor_of_line,
        findings_dir=out("findings"),
        thresholds=config["gate"],
    script:
        "../scripts/gate_line.py"


rule cohort_summary:
    input:
        gates=expand(out("gate/{line}.json"), line=LINES),
    output:
        out("gate/cohort_summary.tsv"),
    log:
        log_of("gate/cohort_summary"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/cohort_summary.py"


rule sample_checksums:
    input:
        fastq=fastqs_of_sample,
        bam=out("alignments/{sample}.bam"),
    output:
        out("gate/checksums/{sample}.json"),
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
        bam_name="alignments/{sample}.bam",
    script:
        "../scripts/input_checksums.py"


rule reference_checksums:
    input:
        REFERENCE_INPUTS.values(),
    output:
        out("gate/checksums/reference.json"),
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
    script:
        "../scripts/input_checksums.py"


rule software_versions:
    output:
        json=out("gate/software_versions.json"),
        multiqc=out("report/content/ipscqc_software_mqc_versions.yml"),
    log:
        log_of("gate/software_versions"),
    localrule: True
    conda:
        "../envs/versions.yaml"
    script:
        "../scripts/software_versions.py"


rule certificate:
    input:
        gate=out("gate/{line}.json"),
        line=out("gate/checksums/{line}.json"),
        parental=parental_checksums_of_line,
        reference=out("gate/checksums/reference.json"),
        software=out("gate/software_versions.json"),
    output:
        out("certificates/{line}.json"),
    log:
        log_of("certificates/{line}"),
    wildcard_constraints:
        line=LINE_PATTERN,
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        config=config,
        repository=workflow.basedir,
    script:
        "../scripts/release_certificate.py"


rule safety_report_content:
    input:
        gates=expand(out("gate/{line}.json"), line=LINES),
        certificates=expand(out("certificates/{line}.json"), line=LINES),
        findings=report_findings,
    output:
        summary=out("report/content/ipscqc_safety_summary_mqc.json"),
        general_stats=out("report/content/ipscqc_general_stats_mqc.json"),
        variants=out("report/content/ipscqc_acquired_variants_mqc.json"),
        copy_number_figures=out("report/content/ipscqc_copy_number_figures_mqc.json"),
        copy_number_calls=out("report/content/ipscqc_copy_number_calls_mqc.json"),
        sample_checks=out("report/content/ipscqc_sex_contamination_vectors_mqc.json"),
        read_qc=out("report/content/ipscqc_read_qc_mqc.json"),
        certificates=out("report/content/ipscqc_certificates_mqc.json"),
    log:
        log_of("report/content"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        findings_dir=out("findings"),
        samples=SAMPLES,
        copy_number_figures={line: out(COPY_NUMBER_FIGURE.format(sample=line)) for line in LINES},
    script:
        "../scripts/safety_report_content.py"


# Strict mode for laboratories that gate automatically: `snakemake strict` fails (exit
# status 1) unless every line is PASS. bin/gate-strict runs it.
rule strict:
    input:
        summary=out("gate/cohort_summary.tsv"),
    log:
        log_of("gate/strict"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/strict_gate.py"
