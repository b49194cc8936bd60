# Alignment QC per sample: samtools stats/flagstat/idxstats and mosdepth depth.


rule samtools_stats:
    input:
        bam=out("alignments/{sample}.bam"),
        bai=out("alignments/{sample}.bam.bai"),
        reference=out("reference/genome.fa"),
    output:
        stats=out("qc/samtools/{sample}.stats.txt"),
        flagstat=out("qc/samtools/{sample}.flagstat.txt"),
        idxstats=out("qc/samtools/{sample}.idxstats.txt"),
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
    shell:
        "(samtools stats -@ {threads} --reference {input.reference:q} {input.bam:q} > {output.stats:q}"
        " && samtools flagstat -@ {threads} {input.bam:q} > {output.flagstat:q}"
        " && samtools idxstats {input.bam:q} > {output.idxstats:q}) 2> {log:q}"


rule mosdepth:
    input:
        bam=out("alignments/{sample}.bam"),
        bai=out("alignments/{sample}.bam.bai"),
    output:
        summary=out("qc/mosdepth/{sample}.mosdepth.summary.txt"),
        dist=out("qc/mosdepth/{sample}.mosdepth.global.dist.txt"),
        regions=out("qc/mosdepth/{sample}.regions.bed.gz"),
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
        prefix=mosdepth_prefix,
        bin_size=config["params"]["mosdepth"]["bin_size"],
        min_mapq=config["params"]["mosdepth"]["min_mapq"],
    shell:
        "mosdepth --threads {threads} --no-per-base --fast-mode --by {params.bin_size}"
        " --mapq {params.min_mapq} {params.prefix:q} {input.bam:q} 2> {log:q}"
