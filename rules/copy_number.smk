# Copy number, LOH and mosaicism of every sample: against its parental for a line that
# has one, on its own otherwise. See docs/copy_number.md.


rule copy_number_bins:
    input:
        fasta=out("reference/genome.fa"),
        fai=out("reference/genome.fa.fai"),
        centromeres=COPY_NUMBER_CENTROMERES,
    output:
        out("copy_number/bins.gc.tsv.gz"),
    log:
        log_of("copy_number/bins"),
    benchmark:
        benchmark_of("copy_number/bins")
    conda:
        "../envs/copy_number.yaml"
    resources:
        mem_mb=memory_by_attempt(4000),
        runtime=scaled_runtime(minutes_per_gb=10, minimum=10),
    params:
        bin_size=config["params"]["mosdepth"]["bin_size"],
    script:
        "../scripts/copy_number_bins.py"


rule copy_number:
    input:
        unpack(copy_number_inputs),
        composition=out("copy_number/bins.gc.tsv.gz"),
        annotation=config["reference"]["annotation"],
        centromeres=COPY_NUMBER_CENTROMERES,
        recurrent=COPY_NUMBER_RECURRENT_REGIONS,
    output:
        bins=out("copy_number/{sample}/bins.tsv"),
        sites=out("copy_number/{sample}/baf.tsv"),
        segments=out("copy_number/{sample}/segments.tsv"),
        calls=out("copy_number/{sample}/calls.tsv"),
        findings_table=out("findings/{sample}/copy_number.tsv"),
        figure=out("findings/{sample}/copy_number.png"),
        findings=out("findings/{sample}/copy_number.json"),
    log:
        log_of("copy_number/{sample}"),
    benchmark:
        benchmark_of("copy_number/{sample}")
    conda:
        "../envs/copy_number.yaml"
    resources:
        mem_mb=memory_by_attempt(4000),
        runtime=scaled_runtime(minutes_per_gb=30, minimum=20),
    params:
        sample="{sample}",
        parental=parental_of_wildcards,
        sex=copy_number_reference_sex,
        settings=config["copy_number"],
    script:
        "../scripts/copy_number_call.py"
