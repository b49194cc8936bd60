"""Entry point of rule read_qc: read and coverage QC findings of one sample."""

from ipscqc.findings import findings, write_json
from ipscqc.read_qc import read_fastp_reports, read_mosdepth_regions, read_qc_metrics
from ipscqc.snake import log_stderr_to


def main(inputs, outputs, params):
    reports = read_fastp_reports(dict(zip(params.units, inputs.fastp, strict=True)))
    with open(inputs.stats) as stats, open(inputs.markdup) as markdup:
        stats_text, markdup_text = stats.read(), markdup.read()
    with open(inputs.summary) as summary:
        summary_text = summary.read()
    adequacy, metrics, units = read_qc_metrics(
        reports,
        stats_text,
        markdup_text,
        summary_text,
        read_mosdepth_regions(inputs.regions),
        list(params.autosomes),
        float(params.min_bin_depth),
    )
    notes = []
    if not units:
        notes.append("no fastp report: reads after trimming and Q30 are unknown")
    write_json(
        outputs[0],
        findings("read_qc", params.sample, params.parental, adequacy, metrics, units, notes),
    )


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
