# Alignment per unit, then merge, duplicate marking and indexing per sample.
# A unit's BAM is temporary and read once by markdup: it is written at compression
# level 1 (-l 1), which costs a fifth of the CPU of the default level.

READ_GROUP = r"@RG\tID:{sample}.{unit}\tSM:{sample}\tLB:{sample}\tPU:{unit}\tPL:ILLUMINA"


rule bwa_mem:
    input:
        fq1=path_of("trimmed_r1"),
        fq2=path_of("trimmed_r2"),
        reference=reference_of("alignment_reference"),
        index=ALIGNMENT_INDEX,
        reference_checked=ancient(path_of("preflight_reference")),
        preflight=ancient(path_of("preflight_trimmed")),
    output:
        bam=temp(path_of("unit_bam")),
        versions=versions_of("align", "{sample}.{unit}"),
    log:
        log_of("bwa_mem/{sample}.{unit}"),
    benchmark:
        benchmark_of("bwa_mem/{sample}.{unit}")
    conda:
        "../envs/bwa.yaml"
    threads: 8
    resources:
        mem_mb=memory_by_attempt(16000),
        runtime=scaled_runtime(minutes_per_gb=120, minimum=60),
    params:
        versions=versions_command("bwa", "samtools"),
        read_group=READ_GROUP,
        extra=cli_args(config["params"]["bwa"]["extra"]),
        sort_mem_mb=sort_memory_per_thread,
    shell:
        # -K fixes the batch size so the output does not depend on the thread count.
        "(bwa mem -t {threads} -K 100000000 -Y -R {params.read_group:q} {params.extra}"
        " {input.reference:q} {input.fq1:q} {input.fq2:q}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -l 1 -m {params.sort_mem_mb}M -T {output.bam:q}.tmp"
        " -o {output.bam:q} - && {params.versions}) 2> {log:q}"


rule markdup:
    input:
        unit_bams,
    output:
        bam=temp(path_of("bam")) if CRAM_OUTPUT else path_of("bam"),
        bai=temp(path_of("bai")) if CRAM_OUTPUT else path_of("bai"),
        stats=path_of("markdup"),
        versions=versions_of("markdup", "{sample}"),
    log:
        log_of("markdup/{sample}"),
    benchmark:
        benchmark_of("markdup/{sample}")
    group:
        "bam_qc"
    conda:
        "../envs/samtools.yaml"
    threads: 4
    resources:
        mem_mb=memory_by_attempt(4000),
        runtime=scaled_runtime(minutes_per_gb=15, minimum=30),
    params:
        versions=versions_command("samtools"),
    shell:
        "(samtools merge -@ {threads} -u -o - {input:q}"
        " | samtools markdup -@ {threads} -f {output.stats:q} -T {output.bam:q}.tmp - {output.bam:q}"
        " && samtools index -@ {threads} {output.bam:q} && {params.versions}) 2> {log:q}"


# CRAM output (alignments.format: cram): the kept alignments, from the BAM.
rule cram:
    input:
        bam=path_of("bam"),
        bai=path_of("bai"),
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
    output:
        cram=path_of("cram"),
        crai=path_of("crai"),
        versions=versions_of("cram", "{sample}"),
    log:
        log_of("cram/{sample}"),
    benchmark:
        benchmark_of("cram/{sample}")
    conda:
        "../envs/samtools.yaml"
    threads: 4
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=scaled_runtime(minutes_per_gb=10, minimum=30),
    params:
        versions=versions_command("samtools"),
    shell:
        "(samtools view -@ {threads} --cram --reference {input.reference:q}"
        " --output {output.cram:q} {input.bam:q}"
        " && samtools index -@ {threads} {output.cram:q} && {params.versions}) 2> {log:q}"


# The alternative aligner (params.aligner: minimap2): same output, no bwa index needed.
rule minimap2_align:
    input:
        fq1=path_of("trimmed_r1"),
        fq2=path_of("trimmed_r2"),
        reference=reference_of("alignment_reference"),
        reference_checked=ancient(path_of("preflight_reference")),
        preflight=ancient(path_of("preflight_trimmed")),
    output:
        bam=temp(path_of("unit_bam")),
        versions=versions_of("align", "{sample}.{unit}"),
    log:
        log_of("minimap2/{sample}.{unit}"),
    benchmark:
        benchmark_of("minimap2/{sample}.{unit}")
    conda:
        "../envs/minimap2.yaml"
    threads: 8
    resources:
        mem_mb=memory_by_attempt(16000),
        runtime=scaled_runtime(minutes_per_gb=60, minimum=60),
    params:
        versions=versions_command("minimap2", "samtools"),
        read_group=READ_GROUP,
        extra=cli_args(config["params"]["minimap2"]["extra"]),
        sort_mem_mb=sort_memory_per_thread,
    shell:
        "(minimap2 -ax sr -t {threads} -Y -R {params.read_group:q} {params.extra}"
        " {input.reference:q} {input.fq1:q} {input.fq2:q}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -l 1 -m {params.sort_mem_mb}M -T {output.bam:q}.tmp"
        " -o {output.bam:q} - && {params.versions}) 2> {log:q}"


if config["params"]["aligner"] == "minimap2":

    ruleorder: minimap2_align > bwa_mem

else:

    ruleorder: bwa_mem > minimap2_align
