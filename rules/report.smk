# The MultiQC safety report: the custom content built from the gate's decisions,
# certificates and findings (it shows them; it never decides), and MultiQC over every
# QC and findings file.


rule safety_report_content:
    input:
        gates=[path_of("gate", line=line) for line in LINES],
        certificates=[path_of("certificate", line=line) for line in LINES],
        findings=[path for checks in report_findings().values() for path in checks.values()],
        figures=[path_of("copy_number_figure", sample=line) for line in LINES],
    output:
        **{name: path_of("report_content", name=name) for name in REPORT_CONTENT},
    log:
        log_of("report/content"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        findings=report_findings(),
        figures={line: path_of("copy_number_figure", sample=line) for line in LINES},
    script:
        "../scripts/safety_report_content.py"


rule multiqc:
    input:
        report_inputs(),
        config=RESOURCES / "multiqc_config.yaml",
    output:
        html=path_of("report"),
        data=directory(path_of("report_data")),
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
        # MultiQC of the Python that runs the workflow when none is on PATH (a fresh shell
        # running .venv/bin/snakemake); a conda job finds its environment's on PATH
        beside_python=str(Path(sys.executable).parent / "multiqc"),
    shell:
        '"$(command -v multiqc || echo {params.beside_python:q})" --force --no-ansi'
        " --config {input.config:q} --outdir {params.outdir:q}"
        " --filename multiqc_report.html {input:q} 2> {log:q}"
