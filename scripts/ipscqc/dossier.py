"""The release dossier of one line: a printable document a QA reviewer reads and signs.

Made from the line's release certificate only (results/certificates/{line}.json,
ipscqc.certificate): line, donor, parental, passage, the decision and each check's
status with its rules in plain words (ipscqc.plain_words), every number the rule results
and the check's adequacy carry (its evidence and detection limits), what the assay could
not see, the input, reference and annotation checksums, the pipeline and tool versions,
the config digest and a sign-off block. It shows the certificate; it never decides.

``dossier_html(certificate, renderer) -> str`` is the HTML (A4 print layout); ``pdf_bytes
(html) -> bytes`` prints it with WeasyPrint (fonts embedded as subsets). The only
run-dependent text is the certificate's date (``issued``): two dossiers of the same
certificate issued on two dates differ only where that date is written.
"""

from __future__ import annotations

import html

from ipscqc.checks import CHECKS, spec_of
from ipscqc.gate import FAIL, INCONCLUSIVE, PASS, REVIEW
from ipscqc.gate.rules import RULES_BY_ID
from ipscqc.plain_words import (
    label,
    leading_result,
    number,
    quantity,
    rule_sentence,
    segment_phrase,
    transgene_phrase,
    variant_phrase,
    vector_phrase,
)

STATUS_COLOURS = {PASS: "#3c763d", REVIEW: "#b8860b", INCONCLUSIVE: "#555555", FAIL: "#a94442"}
STATUS_MEANING = {
    PASS: "Every rule of every check was evaluated on adequate evidence and passed. The line"
    " may be released on this evidence once the reviewer has signed below.",
    REVIEW: "The checks looked and found something a person must judge (the REVIEW reasons"
    " below). The reviewer reads the evidence and decides: release, do not release, or"
    " test further. REVIEW is never an automatic release.",
    INCONCLUSIVE: "At least one check could not look, or its evidence is below a minimum."
    " Do not release on this dossier: fix the cause named below (resequence deeper, rerun"
    " the check, replace a weak parental sample) and run the pipeline again.",
    FAIL: "A rule found a safety problem (the FAIL reasons below). Do not release.",
}
# What DNA sequencing by this pipeline cannot see, whatever the data (docs/vectors.md,
# docs/copy_number.md, docs/acquired_variants.md).
STANDING_LIMITS = (
    "RNA reprogramming vectors (Sendai virus) stay in the cytoplasm and never enter the"
    " DNA: DNA sequencing cannot show their clearance; test them by RT-PCR.",
    "Balanced rearrangements (translocations, inversions) change neither depth nor allele"
    " balance: this assay does not look for them; a karyotype (G-banding) does.",
    "Events below the detection limits stated for each check (allele fraction, fraction of"
    " cells, depth) can be missed: a clean result means that none was found above those"
    " limits, not that none is present.",
)
EVIDENCE_PHRASES = {
    "acquired_hotspot_evidence": variant_phrase,
    "carried_hotspot_evidence": variant_phrase,
    "carried_likely_oncogenic_evidence": variant_phrase,
    "germline_oncogenic_evidence": variant_phrase,
    "acquired_cancer_gene_evidence": variant_phrase,
    "uncertain_flagged_evidence": variant_phrase,
    "whole_chromosome_evidence": segment_phrase,
    "recurrent_evidence": segment_phrase,
    "cnloh_evidence": segment_phrase,
    "largest_event_evidence": segment_phrase,
    "call_evidence": segment_phrase,
    "vector_evidence": vector_phrase,
    "transgene_evidence": transgene_phrase,
}

STYLE = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 7.5pt; color: #555;
  @bottom-left { content: "ipsc-qc release dossier: __LINE__, certificate issued __ISSUED__"; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); } }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9pt;
  line-height: 1.3; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #999; }
h3 { font-size: 10pt; margin: 10pt 0 3pt 0; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt 0; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
.status { display: inline-block; min-width: 62pt; text-align: center; color: #fff;
  font-weight: bold; border-radius: 2pt; padding: 0 3pt; }
.decision { font-size: 14pt; padding: 2pt 8pt; }
.mono, code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 7pt; }
.sha { white-space: nowrap; }
.small { font-size: 7.5pt; color: #333; }
.signoff td { height: 22pt; }
h2, h3, p.lead-in, .check > p.small { break-after: avoid; }
table.rules, table.numbers, table.pairs { table-layout: fixed; }
.annex { break-before: page; }
table.rules th:nth-child(1), table.rules td:nth-child(1) { width: 12%; }
table.rules th:nth-child(2), table.rules td:nth-child(2) { width: 30%; }
table.rules th:nth-child(3), table.rules td:nth-child(3) { width: 44%; }
table.numbers th:nth-child(1), table.numbers td:nth-child(1) { width: 35%; }
table.numbers th:nth-child(2), table.numbers td:nth-child(2) { width: 10%; }
table.pairs td:nth-child(1) { width: 32%; }
td code { overflow-wrap: anywhere; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def status_badge(status: str, extra: str = "") -> str:
    colour = STATUS_COLOURS.get(status, "#555555")
    return f'<span class="status {extra}" style="background:{colour}">{_e(status)}</span>'


def _table(headers: tuple[str, ...], rows: list[tuple], css: str = "") -> str:
    head = "".join(f"<th>{_e(header)}</th>" for header in headers)
    head = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}">{head}<tbody>{body}</tbody></table>'


def _ordered_checks(certificate: dict) -> list[str]:
    """The checks in the gate's order (identity first when it fails), else CHECKS'."""
    present = certificate.get("checks") or {}
    order = [c for c in certificate.get("check_order") or CHECKS if c in present]
    return order + sorted(set(present) - set(order))


def _title(check: str) -> str:
    try:
        return spec_of(check).title
    except KeyError:
        return check


# ---------------------------------------------------------------- sections


def _identification(certificate: dict) -> str:
    passage = certificate.get("passage")
    rows = [
        ("Line", _e(certificate["line"])),
        ("Donor", _e(certificate.get("donor") or "not given")),
        ("Parental sample", _e(certificate.get("parental") or "none (line-only mode)")),
        ("Passage", _e(passage if passage is not None else "not given in the samples sheet")),
        ("Certificate issued (UTC)", _e(certificate.get("issued"))),
        ("Certificate format", _e(certificate.get("format"))),
    ]
    return _table(("", ""), rows, "pairs")


def _decision(certificate: dict) -> str:
    decision = certificate["decision"]
    return (
        f"<h2>Decision</h2><p>{status_badge(decision, 'decision')}</p>"
        f"<p>{_e(STATUS_MEANING.get(decision, ''))}</p>"
    )


def _overview(certificate: dict) -> str:
    rows = []
    for check in _ordered_checks(certificate):
        entry = certificate["checks"][check]
        leading = leading_result(entry)
        rows.append(
            (
                _e(_title(check)),
                status_badge(entry["status"]),
                _e(rule_sentence(leading) if leading else "no rule results"),
            )
        )
    return "<h2>Checks</h2>" + _table(("check", "status", "leading reason"), rows)


def _value_cell(check: str, name: str, value) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        phrase = EVIDENCE_PHRASES.get(name)
        items = [
            phrase(record)
            if phrase
            else ", ".join(f"{key} {number(item)}" for key, item in record.items())
            for record in value
        ]
        return "<br>".join(_e(item) for item in items)
    return _e(quantity(check, name, value))


def evidence_numbers(entry: dict) -> list[tuple[str, str, object]]:
    """Every number of a check's certificate entry: each rule's values (first seen
    first) and then the check's adequacy numbers, as (section, name, value)."""
    seen: dict[str, tuple[str, str, object]] = {}
    for result in entry.get("rules") or []:
        for name, value in (result.get("values") or {}).items():
            seen.setdefault(name, ("rule", name, value))
    for name, value in (entry.get("adequacy") or {}).items():
        seen.setdefault(name, ("adequacy", name, value))
    return list(seen.values())


def _check_section(check: str, entry: dict) -> str:
    context = f"mode {_e(entry.get('mode') or 'unknown')}"
    if entry.get("parental"):
        context += f", parental {_e(entry['parental'])}"
    rules = [
        (
            status_badge(result["status"]),
            _e(result.get("description") or result["id"]) + f"<br><code>{_e(result['id'])}</code>",
            _e(rule_sentence(result)),
            _e(number(result.get("threshold"))) if result.get("threshold") is not None else "",
        )
        for result in entry.get("rules") or []
    ]
    numbers = [
        (
            _e(label(check, name)) + f"<br><code>{_e(name)}</code>",
            _e(section),
            _value_cell(check, name, value),
        )
        for section, name, value in evidence_numbers(entry)
    ]
    notes = "".join(f"<li>{_e(note)}</li>" for note in entry.get("notes") or [])
    return (
        f'<div class="check"><h3>{_e(_title(check))} {status_badge(entry["status"])}</h3>'
        f'<p class="small">{context}</p>'
        + _table(("status", "rule", "result", "threshold"), rules, "rules")
        + (
            '<p class="lead-in"><b>Evidence and detection limits</b></p>'
            + _table(("number", "from", "value"), numbers, "numbers")
            if numbers
            else ""
        )
        + (f'<p class="lead-in"><b>Notes</b></p><ul class="small">{notes}</ul>' if notes else "")
        + "</div>"
    )


def _not_seen(certificate: dict) -> str:
    could_not_look = []
    limits = []
    for check in _ordered_checks(certificate):
        for result in certificate["checks"][check].get("rules") or []:
            if result["status"] == INCONCLUSIVE:
                could_not_look.append((_e(_title(check)), _e(rule_sentence(result))))
            rule = RULES_BY_ID.get(result["id"])
            if rule is not None and rule.status == INCONCLUSIVE and result["status"] == PASS:
                limits.append((_e(_title(check)), _e(rule_sentence(result))))
    standing = "".join(f"<li>{_e(limit)}</li>" for limit in STANDING_LIMITS)
    return (
        "<h2>What the assay could not see</h2>"
        f"<ul>{standing}</ul>"
        "<h3>Checks that could not look (INCONCLUSIVE)</h3>"
        + (
            _table(("check", "why"), could_not_look)
            if could_not_look
            else "<p>None: every check could look.</p>"
        )
        + "<h3>Detection limits met by this line</h3>"
        + (_table(("check", "limit"), limits) if limits else "<p>None stated.</p>")
    )


def _parental_read_qc(certificate: dict) -> str:
    entry = certificate.get("parental_read_qc")
    if not entry:
        return ""
    rows = [
        (status_badge(result["status"]), _e(rule_sentence(result)))
        for result in entry.get("rules") or []
    ]
    return f"<h3>Read QC of the parental sample {status_badge(entry['status'])}</h3>" + _table(
        ("status", "result"), rows
    )


def _file_rows(records: list[dict], role: str) -> list[tuple]:
    rows = []
    for record in records:
        what = role + (f" {record['unit']} {record['read']}" if record.get("unit") else "")
        rows.append(
            (
                _e(what),
                f'<span class="mono">{_e(record.get("path"))}</span><br>'
                f'<span class="mono sha">sha256 {_e(record.get("sha256"))}</span>',
                _e(number(record.get("bytes"))),
            )
        )
    return rows


def _inputs(certificate: dict) -> str:
    inputs = certificate.get("inputs") or {}
    rows = []
    for side in ("line", "parental"):
        block = inputs.get(side) or {}
        sample = block.get("sample") or side
        reads = block.get("fastq") or []
        rows += _file_rows([r for r in reads if r.get("read") != "bam"], f"{sample} FASTQ")
        rows += _file_rows([r for r in reads if r.get("read") == "bam"], f"{sample} BAM/CRAM in")
        if block.get("bam"):
            kind = "CRAM" if str(block["bam"].get("path", "")).endswith(".cram") else "BAM"
            rows += _file_rows([block["bam"]], f"{sample} {kind}")
    for name, record in (inputs.get("reference") or {}).items():
        rows += _file_rows([record], f"reference {name}")
    return "<h2>Inputs and checksums</h2>" + _table(("input", "path and sha256", "bytes"), rows)


def _flatten(prefix: str, value) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [
            pair
            for key in value
            for pair in _flatten(f"{prefix}.{key}" if prefix else key, value[key])
        ]
    return [(prefix, value)]


def _thresholds(certificate: dict) -> str:
    rows = [
        (f"<code>{_e(key)}</code>", _e(number(value)))
        for key, value in _flatten("", certificate.get("thresholds") or {})
    ]
    return "<h2>Thresholds applied</h2>" + _table(("setting", "value"), rows)


def _software(certificate: dict, renderer: str) -> str:
    pipeline = certificate.get("pipeline") or {}
    software = certificate.get("software") or {}
    changes = pipeline.get("git_tracked_changes")
    rows = [
        ("Pipeline", _e(f"{pipeline.get('name')} {pipeline.get('version')}")),
        ("Git commit", f'<span class="mono">{_e(pipeline.get("git_commit"))}</span>'),
        (
            "Tracked files changed since the commit",
            _e("unknown" if changes is None else ("yes" if changes else "no")),
        ),
        ("Dossier rendered with", _e(renderer or "not stated")),
    ]
    digest = certificate.get("config_digest") or {}
    rows.append(
        (
            "Config digest (sha256)",
            f'<span class="mono sha">{_e(digest.get("sha256"))}</span>'
            f"<br><span class='small'>left out: {_e(', '.join(digest.get('left_out') or []))}"
            "</span>",
        )
    )
    tools = [(_e(tool), _e(version)) for tool, version in (software.get("tools") or {}).items()]
    steps = [
        (
            _e(step),
            _e(", ".join(f"{tool} {version}" for tool, version in versions.items())),
        )
        for step, versions in (software.get("steps") or {}).items()
    ]
    conflicts = software.get("conflicts") or []
    return (
        "<h2>Pipeline, tools and configuration</h2>"
        + _table(("", ""), rows, "pairs")
        + "<h3>Tool and package versions (gathered from every job)</h3>"
        + _table(("tool", "version"), tools)
        + (
            "<p><b>Tools seen with two versions in this run:</b> "
            + _e(", ".join(str(conflict) for conflict in conflicts))
            + "</p>"
            if conflicts
            else "<p>No tool was seen with two versions in this run.</p>"
        )
        + "<h3>Versions by step</h3>"
        + _table(("step", "versions"), steps, "small")
    )


def _signoff(certificate: dict) -> str:
    decision = certificate["decision"]
    return (
        "<h2>Sign-off</h2>"
        f"<p>Pipeline decision: {status_badge(decision)}. The reviewer's decision below is"
        " the release decision; it may not release a line whose pipeline decision is FAIL"
        " or INCONCLUSIVE.</p>"
        + _table(
            ("", ""),
            [
                ("Reviewed by (name)", ""),
                ("Signature", ""),
                ("Date", ""),
                (
                    "Decision",
                    "&#9744; release &nbsp;&nbsp; &#9744; do not release &nbsp;&nbsp;"
                    " &#9744; further testing",
                ),
                ("Comments", ""),
            ],
            "signoff pairs",
        )
    )


def dossier_html(certificate: dict, renderer: str = "") -> str:
    """The dossier of one certificate as a complete HTML document (UTF-8, A4 print CSS).
    `renderer` names the tool that prints it (e.g. "WeasyPrint 70.0")."""
    line = certificate["line"]
    issued = str(certificate.get("issued") or "")
    style = STYLE.replace("__LINE__", line.replace('"', "")).replace("__ISSUED__", issued)
    checks = "".join(
        _check_section(check, certificate["checks"][check])
        for check in _ordered_checks(certificate)
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Release dossier: {_e(line)}</title>"
        f'<meta name="dcterms.created" content="{_e(issued)}">'
        '<meta name="generator" content="ipsc-qc">'
        f"<style>{style}</style></head><body>"
        f"<h1>Release dossier: {_e(line)}</h1>"
        '<p class="small">Genomic release QC of an iPSC line against its donor\'s parental'
        " sample, from the line's release certificate. How to read it:"
        " docs/release_gate.md (reviewer's guide).</p>"
        + _identification(certificate)
        + _decision(certificate)
        + _overview(certificate)
        + _not_seen(certificate)
        + _signoff(certificate)
        + '<h2 class="annex">Evidence by check</h2>'
        + checks
        + _parental_read_qc(certificate)
        + _inputs(certificate)
        + _thresholds(certificate)
        + _software(certificate, renderer)
        + "</body></html>\n"
    )


def renderer_name() -> str:
    """The PDF renderer and its version, e.g. "WeasyPrint 70.0"."""
    import weasyprint

    return f"WeasyPrint {weasyprint.__version__}"


def pdf_bytes(document: str) -> bytes:
    """The PDF of a dossier's HTML (WeasyPrint; fonts embedded as subsets). The PDF's
    creation date is the certificate's (the dcterms.created meta of the HTML)."""
    import weasyprint

    return weasyprint.HTML(string=document).write_pdf()
