# Joint variant calling of each donor's samples (parental and lines together),
# scattered by contig, normalised, then gathered per donor.


rule call_variants:
    input:
        bams=bams_of_donor,
        bais=bais_of_donor,
        reference=out("reference/genome.fa"),
        fai=out("reference/genome.fa.fai"),
    output:
        temp(out("variants/{donor}/{contig}.bcf")),
    log:
        log_of("call_variants/{donor}.{contig}"),
    benchmark:
        benchmark_of("call_variants/{donor}.{contig}")
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=scaled_runtime(minutes_per_gb=20, minimum=30),
    params:
        min_mapq=config["params"]["mpileup"]["min_mapq"],
        min_baseq=config["params"]["mpileup"]["min_baseq"],
        max_depth=config["params"]["mpileup"]["max_depth"],
    shell:
        "(bcftools mpileup --fasta-ref {input.reference:q} --regions {wildcards.contig:q}"
        " --annotate FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP,FORMAT/SP"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth {params.max_depth}"
        " --output-type u {input.bams:q}"
        " | bcftools call --multiallelic-caller --variants-only --annotate GQ --output-type u"
        " | bcftools norm --fasta-ref {input.reference:q} --multiallelics -both"
        " --output-type b --output {output:q}) 2> {log:q}"


rule gather_variants:
    input:
        expand(out("variants/{{donor}}/{contig}.bcf"), contig=GENOME_CONTIGS),
    output:
        vcf=out("variants/{donor}.vcf.gz"),
        tbi=out("variants/{donor}.vcf.gz.tbi"),
    log:
        log_of("gather_variants/{donor}"),
    conda:
        "../envs/bcftools.yaml"
    shell:
        "(bcftools concat --output-type z --output {output.vcf:q} {input:q}"
        " && bcftools index --tbi {output.vcf:q}) 2> {log:q}"


rule variant_stats:
    input:
        vcf=out("variants/{donor}.vcf.gz"),
        reference=out("reference/genome.fa"),
    output:
        out("qc/bcftools/{donor}.bcftools_stats.txt"),
    log:
        log_of("variant_stats/{donor}"),
    conda:
        "../envs/bcftools.yaml"
    shell:
        "bcftools stats --samples - --fasta-ref {input.reference:q} {input.vcf:q}"
        " > {output:q} 2> {log:q}"
