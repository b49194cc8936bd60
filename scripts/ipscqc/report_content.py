"""MultiQC custom content of the safety report, built from gate results and findings.

Every function returns a custom content document (a dict MultiQC reads from a
``*_mqc.json`` file) or the text of a file; none reads or writes files itself. Column
order is the order of the `headers` dicts, so documents are written without sorting
keys (their order is fixed here, which keeps reruns byte-identical).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ipscqc.gate import FAIL, FIELDS, INCONCLUSIVE, LINE_CHECKS, PASS, REVIEW, field_value

# Cell colours of the decisions (background) and their badges.
DECISION_COLOURS = {
    PASS: "#dff0d8",
    REVIEW: "#fcf8e3",
    INCONCLUSIVE: "#e0e0e0",
    FAIL: "#f2dede",
}
BADGE_COLOURS = {PASS: "#3c763d", REVIEW: "#b8860b", INCONCLUSIVE: "#555555", FAIL: "#a94442"}
COORDINATE_COLUMNS = {"pos", "start", "end", "size_bp", "length"}
CHECK_TITLES = {
    "read_qc": "Read QC",
    "acquired_variants": "Variants",
    "copy_number": "Copy number",
    "identity": "Identity",
    "sex": "Sex",
    "contamination": "Contamination",
    "vectors": "Vectors",
}


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
    """The first section: one row per line, decision and each check's status."""
    headers = {"decision": _decision_header("Decision", "release decision: worst of the checks")}
    for check in LINE_CHECKS:
        headers[check] = _decision_header(CHECK_TITLES[check], f"status of the {check} check")
    headers["reasons"] = {
        "title": "Reasons",
        "description": "why the line is not PASS: every rule that did not pass",
        "scale": False,
    }
    data = {}
    for gate in sorted(gates, key=lambda gate: gate["line"]):
        row = {"decision": gate["decision"]}
        for check in LINE_CHECKS:
            row[check] = gate["checks"][check]["status"]
        row["reasons"] = table_text("; ".join(gate["reasons"]) or "all rules passed")
        data[gate["line"]] = row
    return {
        "id": "ipscqc_safety_summary",
        "section_name": "Release decisions",
        "description": (
            "One row per iPSC line. The decision is the worst status of the line's checks"
            " (FAIL > INCONCLUSIVE > REVIEW > PASS); missing or weak evidence is INCONCLUSIVE,"
            " never PASS. Certificates: results/certificates/; rules and thresholds:"
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


def worst_variant_tier(acquired: dict | None) -> str:
    """hotspot > cancer_gene > other > none, or unknown when the numbers are missing."""
    tier = field_value(acquired, "worst_acquired_tier")
    if isinstance(tier, str) and tier:
        return tier.replace("_", " ")
    hotspots = field_value(acquired, "acquired_hotspot_count")
    cancer_genes = field_value(acquired, "acquired_cancer_gene_count")
    acquired_count = field_value(acquired, "acquired_count")
    if hotspots:
        return "hotspot"
    if cancer_genes:
        return "cancer gene"
    if acquired_count:
        return "other acquired"
    if hotspots == 0 and cancer_genes == 0 and acquired_count == 0:
        return "none"
    return "unknown"


def identity_label(identity: dict | None) -> str:
    matches = field_value(identity, "matches_declared_donor")
    if matches is True:
        return "match"
    if matches is False:
        best = field_value(identity, "best_match_sample")
        return f"MISMATCH ({best})" if best else "MISMATCH"
    return "unknown"


def general_statistics(gates: list[dict], findings_by_line: dict[str, dict]) -> dict:
    """General Statistics columns of each line (findings_by_line: line -> check -> doc)."""
    data = {}
    for gate in sorted(gates, key=lambda gate: gate["line"]):
        findings = findings_by_line.get(gate["line"], {})
        largest = field_value(findings.get("copy_number"), "largest_event_bp")
        copies = field_value(findings.get("vectors"), "max_vector_copies_per_cell")
        data[gate["line"]] = {
            "release_decision": gate["decision"],
            "identity": identity_label(findings.get("identity")),
            "worst_variant_tier": worst_variant_tier(findings.get("acquired_variants")),
            "largest_cnv_mb": None if largest is None else round(largest / 1e6, 3),
            "vector_copies": copies,
        }
    return {
        "id": "ipscqc_general_stats",
        "plot_type": "generalstats",
        "headers": {
            "release_decision": _decision_header(
                "Release", "release decision of the line (ipsc-qc gate)"
            ),
            "identity": {
                "title": "Identity",
                "description": "genotype matches the declared donor",
                "scale": False,
            },
            "worst_variant_tier": {
                "title": "Worst variant",
                "description": "worst tier among acquired variants",
                "scale": False,
            },
            "largest_cnv_mb": {
                "title": "Largest CNV",
                "description": "largest acquired copy-number/LOH event",
                "suffix": " Mb",
                "format": "{:,.3f}",
                "scale": "OrRd",
                "min": 0,
            },
            "vector_copies": {
                "title": "Vector copies",
                "description": "highest reprogramming vector copies per cell",
                "format": "{:,.3f}",
                "scale": "OrRd",
                "min": 0,
            },
        },
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


VARIANT_COLUMNS = (
    "gene",
    "protein_change",
    "tier",
    "class",
    "line_af",
    "line_alt",
    "line_depth",
    "parental_alt",
    "parental_depth",
    "clonality",
    "filters",
)
COPY_NUMBER_COLUMNS = (
    "type",
    "size_bp",
    "copy_number",
    "mosaic_fraction",
    "scope",
    "recurrent_regions",
    "gene_count",
    "genes",
)


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
    return {
        "id": section_id,
        "section_name": section_name,
        "description": description,
        "plot_type": "table",
        "pconfig": {"id": f"{section_id}_table", "title": section_name, "col1_header": "Event"},
        "headers": headers,
        "data": data,
    }


def variant_row_name(sample: str, item: dict, index: int) -> str:
    chrom, pos = item.get("chrom"), item.get("pos")
    ref, alt = item.get("ref"), item.get("alt")
    if chrom is not None and pos is not None:
        return f"{sample} {chrom}:{pos} {ref}>{alt}"
    return f"{sample} #{index}"


def segment_row_name(sample: str, item: dict, index: int) -> str:
    chrom, start, end = item.get("chrom"), item.get("start"), item.get("end")
    if chrom is not None and start is not None and end is not None:
        return f"{sample} {chrom}:{start}-{end} {item.get('type', '')}".rstrip()
    return f"{sample} #{index}"


def sample_metrics_table(
    section_id: str,
    section_name: str,
    description: str,
    findings_by_sample: dict[str, dict],
    columns: list[tuple[str, str, str]],
) -> dict:
    """One row per sample with some FIELDS numbers; columns are (field, title, format)."""
    headers = {}
    for field, title, number_format in columns:
        header = {"title": title, "scale": False}
        if number_format:
            header["format"] = number_format
        headers[field] = header
    data = {}
    for sample in sorted(findings_by_sample):
        row = {}
        for field, _title, _format in columns:
            value = _scalar(field_value(findings_by_sample[sample].get(FIELDS[field][0]), field))
            if value is not None:
                row[field] = value if not isinstance(value, bool) else str(value).lower()
        data[sample] = row
    return {
        "id": section_id,
        "section_name": section_name,
        "description": description,
        "plot_type": "table",
        "pconfig": {"id": f"{section_id}_table", "title": section_name, "col1_header": "Sample"},
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


def heatmap_section(
    section_id: str, section_name: str, description: str, names: list[str], matrix: list[list]
) -> dict:
    return {
        "id": section_id,
        "section_name": section_name,
        "description": description,
        "plot_type": "heatmap",
        "pconfig": {
            "id": f"{section_id}_heatmap",
            "title": section_name,
            "xcats_samples": True,
            "ycats_samples": True,
            "min": 0,
            "max": 1,
        },
        "xcats": names,
        "ycats": names,
        "data": matrix,
    }


def software_versions_yaml(software: dict) -> str:
    """A MultiQC *_mqc_versions.yml text: groups of tool: "version"."""
    lines = []
    for group, title in (("tools", "Command-line tools"), ("python", "Python packages")):
        lines.append(f"{title}:")
        for name, version in software.get(group, {}).items():
            lines.append(f'  {name}: "{version if version is not None else "not found"}"')
    return "\n".join(lines) + "\n"


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
                f"<tr><td>{html.escape(CHECK_TITLES.get(check, check))}</td>"
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
            " results/certificates/{line}.json (full checksums, versions, thresholds)."
        ),
        "plot_type": "html",
        "data": "\n".join(parts) or "<p>No certificates.</p>",
    }
