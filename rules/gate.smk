# Release gate: one decision per line from its findings (and its parental's read QC),
# the cohort summary and strict mode. See docs/release_gate.md.


rule gate:
    input:
        unpack(gate_inputs),
    output:
        path_of("gate"),
    log:
        log_of("gate/{line}"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        line="{line}",
        parental=parental_of_line,
        donor=donor_of_line,
        checks=CHECKS,
        thresholds=config["gate"],
    script:
        "../scripts/gate_line.py"


rule cohort_summary:
    input:
        gates=[path_of("gate", line=line) for line in LINES],
    output:
        path_of("cohort_summary"),
    log:
        log_of("gate/cohort_summary"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/cohort_summary.py"


# Strict mode for laboratories that gate automatically: `snakemake strict` fails (exit
# status 1) unless every line is PASS. bin/gate-strict runs it.
rule strict:
    input:
        summary=path_of("cohort_summary"),
    log:
        log_of("gate/strict"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/strict_gate.py"
