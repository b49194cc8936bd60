"""Entry point of rule safety_report_content: the MultiQC custom content files, from the
gate's decisions, the certificates and every sample's findings (named in params)."""

import json
from pathlib import Path

from ipscqc.checks import spec_of
from ipscqc.contract import load_findings, read_json, write_atomic
from ipscqc.decision_card import decision_cards_section
from ipscqc.gate.evaluate import read_gate
from ipscqc.report_content import (
    certificates_section,
    check_table,
    general_statistics,
    images_section,
    items_table,
    safety_summary,
    segment_row_name,
    variant_row_name,
)
from ipscqc.snake import run


def load_all(findings: dict[str, dict[str, str]]) -> dict[str, dict]:
    """sample -> check -> findings document (absent when missing or invalid: the gate
    says why; the report only shows what validates)."""
    loaded = {}
    for sample, paths in findings.items():
        loaded[sample] = {}
        for check, path in paths.items():
            document, _problem = load_findings(path, spec_of(check), sample)
            if document is not None:
                loaded[sample][check] = document
    return loaded


def write_content(path, document):
    write_atomic(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def items_of(findings, lines, check):
    return {line: findings[line][check]["items"] for line in lines if check in findings[line]}


def main(inputs, outputs, params):
    gates = [read_gate(path) for path in inputs.gates]
    certificates = [read_json(path) for path in inputs.certificates]
    findings = load_all(params.findings)
    lines = [gate["line"] for gate in gates]
    write_content(outputs.safety_summary, safety_summary(gates))
    write_content(outputs.decision_cards, decision_cards_section(gates))
    parentals = tuple(sample for sample in findings if sample not in lines)
    write_content(outputs.general_stats, general_statistics(gates, findings, parentals))
    write_content(
        outputs.acquired_variants,
        items_table(
            "ipscqc_acquired_variants",
            "Acquired variants",
            "Variants of each line with their origin: everything acquired or donor mosaic,"
            " every hotspot or likely-oncogenic allele the line carries whatever its origin,"
            " and TP53 or flagged-tier alleles of uncertain origin, with tier, class, origin"
            " and allele fractions (acquired_variants findings; more columns under"
            " Configure columns). Each line's detection limit and TP53 hotspot limits are in"
            " the Variants table and the notes.",
            items_of(findings, lines, "acquired_variants"),
            variant_row_name,
            shown=spec_of("acquired_variants").item_columns,
            kinds=("variant",),
        ),
    )
    write_content(
        outputs.copy_number_calls,
        items_table(
            "ipscqc_copy_number_calls",
            "Copy-number calls",
            "Acquired gains, losses and LOH of each line relative to its parental sample"
            " (copy_number findings; coordinates 1-based).",
            items_of(findings, lines, "copy_number"),
            segment_row_name,
            shown=spec_of("copy_number").item_columns,
        ),
    )
    write_content(
        outputs.copy_number_figures,
        images_section(
            "ipscqc_copy_number_figures",
            "Copy-number profiles",
            "Binned log2 depth ratio line/parental and allele balance at parental"
            " heterozygous sites, per line.",
            {line: Path(params.figures[line]) for line in lines},
        ),
    )
    for check in ("identity", "sex", "contamination", "vectors", "read_qc"):
        write_content(outputs[check], check_table(check, findings))
    write_content(outputs.certificates, certificates_section(certificates))


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
