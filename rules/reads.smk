# Read QC and trimming, one job per sequencing unit.


rule fastp:
    input:
        unpack(fastq_of),
        preflight=ancient(out("preflight/reads/{sample}.{unit}.json")),
    output:
        fq1=temp(out("reads/{sample}/{unit}.R1.fastq.gz")),
        fq2=temp(out("reads/{sample}/{unit}.R2.fastq.gz")),
        json=out("qc/fastp/{sample}.{unit}.fastp.json"),
        html=out("qc/fastp/{sample}.{unit}.fastp.html"),
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
        min_length=config["params"]["fastp"]["min_length"],
        extra=cli_args(config["params"]["fastp"]["extra"]),
    shell:
        "fastp --in1 {input.fq1:q} --in2 {input.fq2:q}"
        " --out1 {output.fq1:q} --out2 {output.fq2:q}"
        " --json {output.json:q} --html {output.html:q}"
        " --detect_adapter_for_pe --length_required {params.min_length}"
        " --thread {threads} --report_title {wildcards.sample:q}.{wildcards.unit:q}"
        " {params.extra} 2> {log:q}"
