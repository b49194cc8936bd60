# Copy number, LOH and mosaicism of every sample: against its parental for a line that
# has one, on its own otherwise. See docs/copy_number.md.


rule copy_number_bins:
    input:
        fasta=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        centromeres=COPY_NUMBER_CENTROMERES,
    output:
        path_of("bin_composition"),
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
        composition=path_of("bin_composition"),
        annotation=config["reference"]["annotation"],
        centromeres=COPY_NUMBER_CENTROMERES,
        recurrent=COPY_NUMBER_RECURRENT_REGIONS,
    output:
        bins=path_of("cn_bins"),
        sites=path_of("cn_sites"),
        segments=path_of("cn_segments"),
        calls=path_of("cn_calls"),
        findings_table=path_of("findings_table", check="copy_number"),
        figure=path_of("copy_number_figure"),
        findings=findings_of("{sample}", "copy_number"),
        versions=versions_of("copy_number", "{sample}"),
    log:
        log_of("copy_number/{sample}"),
    benchmark:
        benchmark_of("copy_number/{sample}")
    conda:
        "../envs/copy_number.yaml"
    resources:
        # 4.8 GB at GRCh38 size (3.1 M bins, 2 M parental hets: docs/benchmarks_human_scale.md)
        mem_mb=memory_by_attempt(6000),
        runtime=scaled_runtime(minutes_per_gb=30, minimum=20),
    params:
        sample="{sample}",
        parental=parental_of_wildcards,
        sex=copy_number_reference_sex,
        settings=config["copy_number"],
        genome=GENOME_PARAMS,
    script:
        "../scripts/copy_number_call.py"
