# Alignment QC per sample: samtools stats/flagstat/idxstats and mosdepth depth, and the
# read_qc check that turns them (with fastp's reports) into findings.


rule samtools_stats:
    input:
        bam=path_of("bam"),
        bai=path_of("bai"),
        reference=reference_of("alignment_reference"),
    output:
        stats=path_of("samtools_stats"),
        flagstat=path_of("flagstat"),
        idxstats=path_of("idxstats"),
        versions=versions_of("samtools_stats", "{sample}"),
    log:
        log_of("samtools_stats/{sample}"),
    benchmark:
        benchmark_of("samtools_stats/{sample}")
    group:
        "bam_qc"
    conda:
        "../envs/samtools.yaml"
    threads: 2
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=scaled_runtime(minutes_per_gb=10, minimum=20),
    params:
        versions=versions_command("samtools"),
    shell:
        "(samtools stats -@ {threads} --reference {input.reference:q} {input.bam:q} > {output.stats:q}"
        " && samtools flagstat -@ {threads} {input.bam:q} > {output.flagstat:q}"
        " && samtools idxstats {input.bam:q} > {output.idxstats:q}"
        " && {params.versions}) 2> {log:q}"


rule mosdepth:
    input:
        bam=path_of("bam"),
        bai=path_of("bai"),
    output:
        summary=path_of("mosdepth_summary"),
        dist=path_of("mosdepth_dist"),
        regions=path_of("mosdepth_regions"),
        versions=versions_of("mosdepth", "{sample}"),
    log:
        log_of("mosdepth/{sample}"),
    benchmark:
        benchmark_of("mosdepth/{sample}")
    group:
        "bam_qc"
    conda:
        "../envs/mosdepth.yaml"
    threads: 2
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=scaled_runtime(minutes_per_gb=5, minimum=20),
    params:
        versions=versions_command("mosdepth"),
        prefix=mosdepth_prefix,
        bin_size=config["params"]["mosdepth"]["bin_size"],
        min_mapq=config["params"]["mosdepth"]["min_mapq"],
    shell:
        "(mosdepth --threads {threads} --no-per-base --fast-mode --by {params.bin_size}"
        " --mapq {params.min_mapq} {params.prefix:q} {input.bam:q}"
        " && {params.versions}) 2> {log:q}"


rule read_qc:
    input:
        fastp=fastp_reports_of_sample,
        stats=path_of("samtools_stats"),
        markdup=path_of("markdup"),
        summary=path_of("mosdepth_summary"),
        regions=path_of("mosdepth_regions"),
    output:
        findings=findings_of("{sample}", "read_qc"),
        versions=versions_of("read_qc", "{sample}"),
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
        settings=config["params"]["read_qc"],
        genome=GENOME_PARAMS,
    script:
        "../scripts/read_qc_findings.py"
