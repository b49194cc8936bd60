# The MultiQC safety report over every QC and findings file.


rule multiqc:
    input:
        report_inputs(),
        config=RESOURCES / "multiqc_config.yaml",
    output:
        html=out("report/multiqc_report.html"),
        data=directory(out("report/multiqc_report_data")),
    log:
        log_of("multiqc/report"),
    benchmark:
        benchmark_of("multiqc/report")
    conda:
        "../envs/multiqc.yaml"
    resources:
        mem_mb=memory_by_attempt(4000),
        runtime=30,
    params:
        outdir=parent_folder,
    shell:
        "multiqc --force --no-ansi --config {input.config:q} --outdir {params.outdir:q}"
        " --filename multiqc_report.html {input:q} 2> {log:q}"
