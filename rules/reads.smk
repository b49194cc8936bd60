# Read QC and trimming, one job per sequencing unit; a unit given as an aligned BAM or
# CRAM first has its reads taken out, to be aligned again like any FASTQ pair.


rule reads_from_alignment:
    input:
        alignment=alignment_input_of,
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        preflight=ancient(path_of("preflight_alignment")),
    output:
        fq1=temp(path_of("alignment_reads_r1")),
        fq2=temp(path_of("alignment_reads_r2")),
        versions=versions_of("reads_from_alignment", "{sample}.{unit}"),
    log:
        log_of("reads_from_alignment/{sample}.{unit}"),
    benchmark:
        benchmark_of("reads_from_alignment/{sample}.{unit}")
    conda:
        "../envs/samtools.yaml"
    threads: 2
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=scaled_runtime(minutes_per_gb=20, minimum=30),
    params:
        versions=versions_command("samtools"),
    shell:
        # mates side by side (collate), then primary reads only (fastq -F 0x900, its
        # default), read 1 and read 2 apart; reads without their mate are left out
        "(samtools collate -@ {threads} -u -O --reference {input.reference:q}"
        " {input.alignment:q} {output.fq1:q}.collate"
        " | samtools fastq -@ {threads} -n -0 /dev/null -s /dev/null"
        " -1 {output.fq1:q} -2 {output.fq2:q} -"
        " && {params.versions}) 2> {log:q}"


rule fastp:
    input:
        unpack(fastq_of),
        preflight=ancient(path_of("preflight_reads")),
    output:
        fq1=temp(path_of("trimmed_r1")),
        fq2=temp(path_of("trimmed_r2")),
        json=path_of("fastp_json"),
        html=path_of("fastp_html"),
        versions=versions_of("fastp", "{sample}.{unit}"),
    log:
        log_of("fastp/{sample}.{unit}"),
    benchmark:
        benchmark_of("fastp/{sample}.{unit}")
    conda:
        "../envs/fastp.yaml"
    threads: 2
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=scaled_runtime(minutes_per_gb=20, minimum=30),
    params:
        versions=versions_command("fastp"),
        min_length=config["params"]["fastp"]["min_length"],
        extra=cli_args(config["params"]["fastp"]["extra"]),
    shell:
        "(fastp --in1 {input.fq1:q} --in2 {input.fq2:q}"
        " --out1 {output.fq1:q} --out2 {output.fq2:q}"
        " --json {output.json:q} --html {output.html:q}"
        " --detect_adapter_for_pe --length_required {params.min_length}"
        " --thread {threads} --report_title {wildcards.sample:q}.{wildcards.unit:q}"
        " {params.extra} && {params.versions}) 2> {log:q}"
