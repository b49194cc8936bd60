"""MultiQC custom content of the safety report, built from gate results and findings.

The report shows; it never decides: statuses come from the gate, numbers from the
findings, and every column's title and format from the checks' declarations
(``CheckSpec``). Every function returns a custom content document (a dict MultiQC
reads from a ``*_mqc.json`` file); none reads or writes files itself. Column order is
the order of the `headers` dicts, so documents are written without sorting keys (their
order is fixed here, which keeps reruns byte-identical).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ipscqc.checks import CHECKS, spec_of
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS, REVIEW

# Cell colours of the decisions (background) and their badges.
DECISION_COLOURS = {
    PASS: "#dff0d8",
    REVIEW: "#fcf8e3",
    INCONCLUSIVE: "#e0e0e0",
    FAIL: "#f2dede",
}
BADGE_COLOURS = {PASS: "#3c763d", REVIEW: "#b8860b", INCONCLUSIVE: "#555555", FAIL: "#a94442"}
COORDINATE_COLUMNS = {"pos", "start", "end", "size_bp", "length"}


def table_text(text: str) -> str:
    """Text for a MultiQC table cell: MultiQC turns every comma of a cell into a
    thousands separator, so commas are written as an HTML entity."""
    return text.replace(",", "&#44;")


def _decision_header(title: str, description: str) -> dict:
    """A column of statuses: coloured cell background and badge per status."""
    return {
        "title": title,
        "description": description,
        "scale": False,
        "bgcols": dict(DECISION_COLOURS),
        "cond_formatting_rules": {
            f"ipscqc_{status.lower()}": [{"s_eq": status}] for status in BADGE_COLOURS
        },
        "cond_formatting_colours": [
            {f"ipscqc_{status.lower()}": colour} for status, colour in BADGE_COLOURS.items()
        ],
    }


def safety_summary(gates: list[dict]) -> dict:
    """The first section: one row per line, decision and each check's status (the
    reasons, grouped by check, are in the decision cards: ipscqc.decision_card)."""
    headers = {"decision": _decision_header("Decision", "release decision: worst of the checks")}
    for check in CHECKS:
        headers[check] = _decision_header(spec_of(check).title, f"status of the {check} check")
    data = {}
    for gate in sorted(gates, key=lambda gate: gate["line"]):
        row = {"decision": gate["decision"]}
        for check in CHECKS:
            row[check] = gate["checks"][check]["status"]
        data[gate["line"]] = row
    return {
        "id": "ipscqc_safety_summary",
        "section_name": "Release decisions",
        "description": (
            "One row per iPSC line. The decision is the worst status of the line's checks"
            " (FAIL > INCONCLUSIVE > REVIEW > PASS); missing or weak evidence is INCONCLUSIVE,"
            " never PASS. The reasons of each line, check by check, are in its decision card"
            " below; certificates: results/certificates/, printable dossiers:"
            " results/dossiers/; rules, thresholds and a reviewer's guide:"
            " docs/release_gate.md."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "ipscqc_safety_summary_table",
            "title": "ipsc-qc: release decisions",
            "col1_header": "Line",
        },
        "headers": headers,
        "data": data,
    }


def metric_value(findings: dict | None, check: str, name: str):
    """A declared number of a findings document (None when the document is missing)."""
    if findings is None:
        return None
    return findings[spec_of(check).metric(name).section][name]


# General Statistics: the gate's decision, then the checks' headline numbers, each
# (check, metric) as the check declares it.
GENERAL_STATISTICS = (
    ("acquired_variants", "worst_acquired_tier"),
    ("copy_number", "largest_event_bp"),
    ("vectors", "max_vector_copies_per_cell"),
)


PARENTAL_LABEL = "parental"  # the Release cell of a parental sample (it gets no decision)


def general_statistics(
    gates: list[dict], findings_by_line: dict[str, dict], parentals: tuple[str, ...] = ()
) -> dict:
    """General Statistics columns of each line (findings_by_line: line -> check -> doc):
    the decision and the identity status from the gate, then declared numbers. Each
    parental sample gets the label "parental" in the Release column instead of an empty
    cell."""
    headers = {
        "release_decision": _decision_header("Release", "release decision of the line"),
        "identity": _decision_header("Identity", "status of the identity check"),
    }
    for check, name in GENERAL_STATISTICS:
        declared = spec_of(check).metric(name)
        header = {"title": declared.title or name, "description": declared.meaning}
        header.update({"format": declared.format} if declared.format else {"scale": False})
        if declared.unit:
            header["suffix"] = f" {declared.unit}"
        headers[f"{check}_{name}"] = header
    data = {}
    for gate in sorted(gates, key=lambda gate: gate["line"]):
        findings = findings_by_line.get(gate["line"], {})
        row = {
            "release_decision": gate["decision"],
            "identity": gate["checks"]["identity"]["status"],
        }
        for check, name in GENERAL_STATISTICS:
            value = _scalar(metric_value(findings.get(check), check, name))
            if value is not None:
                row[f"{check}_{name}"] = value
        data[gate["line"]] = row
    for parental in sorted(parentals):
        data.setdefault(parental, {"release_decision": PARENTAL_LABEL})
    return {
        "id": "ipscqc_general_stats",
        "plot_type": "generalstats",
        "headers": headers,
        "data": data,
    }


def _scalar(value):
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return None
    if isinstance(value, str):
        return table_text(value)
    return value


def items_table(
    section_id: str,
    section_name: str,
    description: str,
    items_by_sample: dict[str, list[dict]],
    row_name,
    shown: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
) -> dict:
    """A table of findings items across samples.

    The `shown` columns come first, in that order; other columns follow hidden (a
    reviewer can show them with "Configure columns"). With `kinds`, only items of
    those kinds (or without a kind) are listed.
    """
    headers: dict[str, dict] = {
        "sample": {"title": "sample", "scale": False},
        **{key: {"title": key.replace("_", " "), "scale": False} for key in shown},
    }
    data: dict[str, dict] = {}
    for sample in sorted(items_by_sample):
        items = [
            item
            for item in items_by_sample[sample]
            if not kinds or item.get("kind", kinds[0]) in kinds
        ]
        for index, item in enumerate(items, start=1):
            row = {"sample": sample}
            for key, value in item.items():
                value = _scalar(value)
                if value is None:
                    continue
                row[key] = value
            for key in row:
                header = {"title": key.replace("_", " "), "scale": False}
                if shown and key not in shown and key != "sample":
                    header["hidden"] = True
                headers.setdefault(key, header)
            data[row_name(sample, item, index)] = row
    for key, header in headers.items():
        if key in COORDINATE_COLUMNS:
            header["format"] = "{:.0f}"  # no thousands separator in positions
    headers = {
        key: header for key, header in headers.items() if any(key in row for row in data.values())
    }
    if not data:
        return {
            "id": section_id,
            "section_name": section_name,
            "description": description,
            "plot_type": "html",
            "data": "<p>No events in any line.</p>",
        }
    return _table(section_id, section_name, description, "Event", headers, data)


def variant_row_name(sample: str, item: dict, index: int) -> str:
    chrom, pos = item.get("chrom"), item.get("pos")
    ref, alt = item.get("ref"), item.get("alt")
    if chrom is not None and pos is not None:
        return f"{sample} {chrom}:{pos} {ref}>{alt}"
    return f"{sample} #{index}"


def segment_row_name(sample: str, item: dict, index: int) -> str:
    """A copy-number call as people read coordinates: 1-based closed (items are 0-based
    half-open)."""
    return f"{sample} {item['chrom']}:{item['start'] + 1}-{item['end']} {item['type']}"


def check_table(check: str, findings_by_sample: dict[str, dict]) -> dict:
    """One row per sample with the report columns the check declares (its titled
    numbers, in declaration order); the section's title and description are the
    check's own."""
    spec = spec_of(check)
    columns = spec.reported()
    headers = {}
    for declared in columns:
        header = {"title": declared.title, "description": declared.meaning, "scale": False}
        if declared.format:
            header["format"] = declared.format
        headers[f"{check}_{declared.name}"] = header
    data = {}
    for sample in sorted(findings_by_sample):
        document = findings_by_sample[sample].get(check)
        row = {}
        for declared in columns:
            value = _scalar(metric_value(document, check, declared.name))
            if value is not None:
                row[f"{check}_{declared.name}"] = (
                    value if not isinstance(value, bool) else str(value).lower()
                )
        data[sample] = row
    return _table(f"ipscqc_{check}", spec.title, spec.description, "Sample", headers, data)


def _table(section_id, section_name, description, first_column, headers, data) -> dict:
    """A MultiQC custom-content table document."""
    return {
        "id": section_id,
        "section_name": section_name,
        "description": description,
        "plot_type": "table",
        "pconfig": {
            "id": f"{section_id}_table",
            "title": section_name,
            "col1_header": first_column,
        },
        "headers": headers,
        "data": data,
    }


def images_section(
    section_id: str, section_name: str, description: str, images: dict[str, Path]
) -> dict:
    """An HTML section with one PNG per sample, embedded (the report stays one file)."""
    parts = []
    for sample in sorted(images):
        path = Path(images[sample])
        if not path.exists():
            parts.append(f"<h4>{html.escape(sample)}</h4><p>No figure (the check did not run).</p>")
            continue
        encoded = base64.b64encode(path.read_bytes()).decode()
        parts.append(
            f"<h4>{html.escape(sample)}</h4>"
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(section_name)}:'
            f' {html.escape(sample)}" style="max-width:100%">'
        )
    return {
        "id": section_id,
        "section_name": section_name,
        "description": description,
        "plot_type": "html",
        "data": "\n".join(parts) or "<p>No figures.</p>",
    }


def _badge(status: str) -> str:
    colour = BADGE_COLOURS.get(status, "#555555")
    return (
        f'<span class="badge" style="background-color:{colour}">{html.escape(str(status))}</span>'
    )


def certificates_section(certificates: list[dict]) -> dict:
    """A human-readable rendering of each line's release certificate."""
    parts = []
    for certificate in sorted(certificates, key=lambda certificate: certificate["line"]):
        line = html.escape(certificate["line"])
        rows = []
        for check, entry in certificate["checks"].items():
            failing = [rule for rule in entry["rules"] if rule["status"] != PASS]
            passing = [rule for rule in entry["rules"] if rule["status"] == PASS]
            detail = "".join(
                f"<li>{_badge(rule['status'])} <code>{html.escape(rule['id'])}</code>"
                f" {html.escape(rule['reason'] or '')}"
                f" (threshold {html.escape(str(rule.get('threshold')))})</li>"
                for rule in failing
            )
            rows.append(
                f"<tr><td>{html.escape(spec_of(check).title)}</td>"
                f"<td>{_badge(entry['status'])}</td>"
                f"<td><ul style='margin:0'>{detail}</ul>"
                f"{len(passing)} rule(s) passed;"
                f" mode {html.escape(str(entry.get('mode')))}</td></tr>"
            )
        inputs = certificate["inputs"]
        fastqs = [
            record
            for side in ("line", "parental")
            for record in ((inputs.get(side) or {}).get("fastq") or [])
        ]
        reference = inputs.get("reference") or {}
        pipeline = certificate["pipeline"]
        parts.append(
            f'<div class="ipscqc-certificate" id="certificate-{line}">'
            f"<h4>{line}: {_badge(certificate['decision'])}</h4>"
            f"<p>Donor {html.escape(str(certificate.get('donor')))}, parental"
            f" {html.escape(str(certificate.get('parental')))}; issued"
            f" {html.escape(certificate['issued'])}; pipeline {html.escape(pipeline['name'])}"
            f" {html.escape(pipeline['version'])}"
            f" (commit {html.escape(str(pipeline.get('git_commit'))[:12])});"
            f" config sha256 <code>{certificate['config_digest']['sha256'][:16]}…</code>;"
            f" {len(fastqs)} FASTQ file(s) and"
            f" {sum(1 for side in ('line', 'parental') if (inputs.get(side) or {}).get('bam'))}"
            f" BAM(s) checksummed; reference sha256"
            f" <code>{html.escape(str((reference.get('fasta') or {}).get('sha256', ''))[:16])}…"
            "</code>.</p>"
            '<table class="table table-condensed"><thead><tr><th>Check</th><th>Status</th>'
            f"<th>Rules not passed</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    return {
        "id": "ipscqc_certificates",
        "section_name": "Release certificates",
        "description": (
            "Human-readable rendering of each line's release certificate; the record is"
            " results/certificates/{line}.json (full checksums, versions, thresholds), and"
            " the printable dossier to sign is results/dossiers/{line}.pdf."
        ),
        "plot_type": "html",
        "data": "\n".join(parts) or "<p>No certificates.</p>",
    }
