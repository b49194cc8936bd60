"""Entry point of rule safety_report_content: the MultiQC custom content files."""

import json
from pathlib import Path

from ipscqc.findings import read_json, write_atomic
from ipscqc.gate import LINE_CHECKS, findings_path, load_findings
from ipscqc.report_content import (
    COPY_NUMBER_COLUMNS,
    VARIANT_COLUMNS,
    certificates_section,
    general_statistics,
    images_section,
    items_table,
    safety_summary,
    sample_metrics_table,
    segment_row_name,
    variant_row_name,
)
from ipscqc.snake import log_stderr_to

SEX_CONTAMINATION_VECTORS = [
    ("declared_sex", "Declared sex", ""),
    ("inferred_sex", "Inferred sex", ""),
    ("sex_matches", "Sex matches", ""),
    ("x_loss", "X loss", ""),
    ("y_loss", "Y loss", ""),
    ("contamination_fraction", "Contamination", "{:,.3f}"),
    ("contamination_sites_used", "Contam. sites", "{:,.0f}"),
    ("max_vector_copies_per_cell", "Vector copies/cell", "{:,.3f}"),
    ("vector_contig_with_max", "Vector", ""),
    ("transgene_junction_reads", "Transgene junction reads", "{:,.0f}"),
    ("transgene_genes", "Transgenes", ""),
    ("relatedness_to_parental", "Relatedness to parental", "{:,.3f}"),
    ("best_match_sample", "Best match", ""),
]
READ_QC = [
    ("reads_after_trimming", "Reads after trimming", "{:,.0f}"),
    ("q30_fraction", "Q30 fraction", "{:,.3f}"),
    ("mapped_fraction", "Mapped", "{:,.3f}"),
    ("duplicate_fraction", "Duplicates", "{:,.3f}"),
    ("mean_depth", "Mean depth", "{:,.1f}"),
    ("callable_fraction", "Callable", "{:,.3f}"),
]


def load_all(findings_dir, samples):
    """sample -> check -> findings document (absent when missing or unusable)."""
    loaded = {}
    for sample in samples:
        loaded[sample] = {}
        for check in LINE_CHECKS:
            document, _problem = load_findings(
                findings_path(findings_dir, sample, check), check, sample
            )
            if document is not None:
                loaded[sample][check] = document
    return loaded


def write_content(path, document):
    write_atomic(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def main(inputs, outputs, params):
    gates = [read_json(path) for path in inputs.gates]
    certificates = [read_json(path) for path in inputs.certificates]
    findings = load_all(params.findings_dir, params.samples)
    lines = [gate["line"] for gate in gates]
    write_content(outputs.summary, safety_summary(gates))
    write_content(outputs.general_stats, general_statistics(gates, findings))
    write_content(
        outputs.variants,
        items_table(
            "ipscqc_acquired_variants",
            "Acquired variants",
            "Acquired variants of each line (absent from its parental sample), and variants"
            " in cancer-gene tiers whose origin is uncertain, with tier, class and allele"
            " fraction (acquired_variants findings; more columns under Configure columns).",
            {line: findings[line].get("acquired_variants", {}).get("items", []) for line in lines},
            variant_row_name,
            shown=VARIANT_COLUMNS,
            kinds=("variant",),
        ),
    )
    write_content(
        outputs.copy_number_calls,
        items_table(
            "ipscqc_copy_number_calls",
            "Copy-number calls",
            "Acquired gains, losses and LOH of each line relative to its parental sample"
            " (copy_number findings).",
            {line: findings[line].get("copy_number", {}).get("items", []) for line in lines},
            segment_row_name,
            shown=COPY_NUMBER_COLUMNS,
        ),
    )
    write_content(
        outputs.copy_number_figures,
        images_section(
            "ipscqc_copy_number_figures",
            "Copy-number profiles",
            "Binned log2 depth ratio line/parental and allele balance at parental"
            " heterozygous sites, per line.",
            {line: Path(params.copy_number_figures[line]) for line in lines},
        ),
    )
    write_content(
        outputs.sample_checks,
        sample_metrics_table(
            "ipscqc_sex_contamination_vectors",
            "Identity, sex, contamination and vectors",
            "Per sample: inferred sex against the declared sex, contamination estimate,"
            " reprogramming vector copies per cell and transgene exon-junction reads.",
            findings,
            SEX_CONTAMINATION_VECTORS,
        ),
    )
    write_content(
        outputs.read_qc,
        sample_metrics_table(
            "ipscqc_read_qc",
            "Read and coverage QC",
            "Per sample: the read_qc findings the gate compares with its minimums"
            " (a parental below them makes its lines' paired checks INCONCLUSIVE).",
            findings,
            READ_QC,
        ),
    )
    write_content(outputs.certificates, certificates_section(certificates))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
