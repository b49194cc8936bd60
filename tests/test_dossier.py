"""The release dossier builder on a hand-made certificate (no workflow).

The certificate is built by ipscqc.certificate from a gate of hand-made findings: a line
with an acquired TP53 hotspot and a contamination check that could not look. The PDF
tests need WeasyPrint and poppler-utils (pdftotext, pdftoppm, pdffonts).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from ipscqc.certificate import build_certificate
from ipscqc.checks import CHECKS, spec_of
from ipscqc.contract import null_findings
from ipscqc.dossier import STANDING_LIMITS, dossier_html, evidence_numbers
from ipscqc.gate import FAIL, INCONCLUSIVE
from ipscqc.plain_words import quantity
from test_gate import GOOD_READ_QC, clean_line, envelope, gate, schema_defaults, write_findings

REPO = Path(__file__).resolve().parents[1]
ISSUED = "2025-03-01T09:30:00+00:00"
LATER = "2026-11-30T17:05:41+00:00"


def sha(seed: str) -> str:
    return (seed * 64)[:64]


def hand_made_certificate(tmp_path: Path, issued: str = ISSUED) -> dict:
    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    thresholds = schema_defaults(schema["properties"]["gate"])
    root = tmp_path / "findings"
    documents = clean_line("L1", "P1")
    base = documents["acquired_variants"]
    documents["acquired_variants"] = envelope(
        "acquired_variants",
        "L1",
        "P1",
        {
            **base["metrics"],
            "carried_hotspot_count": 1,
            "carried_hotspot_germline_count": 0,
            "max_hotspot_af": 0.3,
        },
        base["adequacy"],
        [
            {
                "kind": "variant",
                "class": "acquired",
                "origin": "acquired",
                "line_carries": True,
                "tier": "oncogenic_hotspot",
                "gene": "TP53",
                "protein_change": "p.R273H",
                "line_alt": 7,
                "line_depth": 23,
                "line_af": 7 / 23,
                "parental_alt": 0,
                "parental_depth": 31,
            }
        ],
    )
    documents["contamination"] = null_findings(
        spec_of("contamination"), "L1", "P1", "no sites with depth in the line"
    ).document()
    documents["vectors"]["notes"] = ["Sendai virus vectors are RNA <never in DNA>"]
    write_findings(root, "L1", documents)
    write_findings(root, "P1", {"read_qc": envelope("read_qc", "P1", None, dict(GOOD_READ_QC))})
    result = gate("L1", "P1", root, thresholds, donor="D1")

    def fastq(sample, read, seed):
        return {
            "path": f"/data/{sample}_L1_{read}.fastq.gz",
            "bytes": 1234,
            "sha256": sha(seed),
            "unit": "L1",
            "read": read,
        }

    line_inputs = {
        "sample": "L1",
        "fastq": [fastq("L1", "fq1", "a1"), fastq("L1", "fq2", "b2")],
        "bam": {"path": "alignments/L1.bam", "bytes": 99, "sha256": sha("c3")},
    }
    parental_inputs = {
        "sample": "P1",
        "fastq": [fastq("P1", "fq1", "d4"), fastq("P1", "fq2", "e5")],
        "bam": {"path": "alignments/P1.bam", "bytes": 98, "sha256": sha("f6")},
    }
    reference = {
        "fasta": {"path": "/ref/genome.fa", "bytes": 10, "sha256": sha("07")},
        "annotation": {"path": "/ref/genes.gff3", "bytes": 11, "sha256": sha("18")},
    }
    software = {
        "tools": {"bwa": "0.7.17-r1188", "samtools": "1.16.1", "pandas": "3.1.1"},
        "steps": {"align": {"bwa": "0.7.17-r1188", "samtools": "1.16.1"}},
        "conflicts": [],
    }
    pipeline = {
        "name": "ipsc-qc",
        "version": "0.1.0",
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "git_tracked_changes": False,
    }
    config = {"gate": thresholds, "params": {"read_qc": {"min_bin_depth": 10}}}
    return build_certificate(
        result,
        line_inputs,
        parental_inputs,
        reference,
        software,
        config,
        pipeline,
        issued,
        passage=12,
    )


def visible_text(html: str) -> str:
    """The text of the body, tags removed and entities kept as written."""
    body = html.split("<body>", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def certificate(tmp_path) -> dict:
    return hand_made_certificate(tmp_path)


def test_the_dossier_names_the_line_its_decision_and_every_check(certificate):
    assert certificate["decision"] == FAIL and certificate["passage"] == 12
    html = dossier_html(certificate, "WeasyPrint 0")
    text = visible_text(html)
    for expected in ("Line L1", "Donor D1", "Parental sample P1", "Passage 12"):
        assert expected in text
    assert "Decision FAIL" in text
    overview = text.split("Checks check status leading reason", 1)[1]
    for check in CHECKS:
        status = certificate["checks"][check]["status"]
        assert f"{spec_of(check).title} {status}" in overview, check
    assert "TP53 p.R273H, 7 of 23 reads (30%), in 0 of 31 parental reads" in text


def test_every_number_of_the_rules_and_the_adequacy_is_shown(certificate):
    html = dossier_html(certificate)
    text = visible_text(html)
    for check, entry in certificate["checks"].items():
        numbers = evidence_numbers(entry)
        names = {name for results in entry["rules"] for name in results["values"]}
        assert names | set(entry["adequacy"]) == {name for _, name, _ in numbers}
        for _section, name, value in numbers:
            assert f"<code>{name}</code>" in html, (check, name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert quantity(check, name, value) in text, (check, name, value)
    # an adequacy number no rule reads is shown too (callable_fraction of the variants)
    adequacy = certificate["checks"]["acquired_variants"]["adequacy"]
    assert "callable_fraction" in adequacy
    assert "<code>callable_fraction</code>" in html.split(">Variants ", 1)[1]


def test_what_the_assay_could_not_see(certificate):
    assert certificate["checks"]["contamination"]["status"] == INCONCLUSIVE
    text = visible_text(dossier_html(certificate))
    section = text.split("What the assay could not see", 1)[1].split("Sign-off", 1)[0]
    for limit in STANDING_LIMITS:
        assert limit.split(":")[0] in section
    assert "Contamination the check could not look: no sites with depth in the line" in section
    assert "Detection limit: 0.2, at most 0.3" in section  # a stated detection limit
    assert "Sendai virus vectors are RNA &lt;never in DNA&gt;" in text  # notes, escaped


def test_checksums_versions_digest_and_sign_off(certificate):
    text = visible_text(dossier_html(certificate))
    inputs = certificate["inputs"]
    records = (
        inputs["line"]["fastq"]
        + inputs["parental"]["fastq"]
        + [inputs["line"]["bam"], inputs["parental"]["bam"]]
        + list(inputs["reference"].values())
    )
    for record in records:
        assert f"sha256 {record['sha256']}" in text
    assert certificate["config_digest"]["sha256"] in text
    assert "0123456789abcdef0123456789abcdef01234567" in text
    assert "bwa 0.7.17-r1188" in text and "pandas 3.1.1" in text
    signoff = text.split("Sign-off", 1)[1]
    for field in ("Reviewed by", "Signature", "Date", "Decision", "release", "do not release"):
        assert field in signoff


def without(text: str, *dates: str) -> str:
    for date in dates:
        text = text.replace(date, "DATE")
    return text


def test_two_dates_are_the_only_difference(tmp_path):
    first = hand_made_certificate(tmp_path / "a", ISSUED)
    second = hand_made_certificate(tmp_path / "b", LATER)
    one, two = dossier_html(first, "r"), dossier_html(second, "r")
    assert one != two
    assert ISSUED in one and LATER in two
    assert without(one, ISSUED) == without(two, LATER)


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"no {tool}: install the Debian package poppler-utils")
    return path


@pytest.fixture(scope="module")
def weasyprint():
    return pytest.importorskip("weasyprint")


def test_the_pdf_embeds_its_fonts_renders_and_differs_only_in_the_date(tmp_path, weasyprint):
    from ipscqc.dossier import pdf_bytes, renderer_name

    texts = []
    for name, issued in (("a", ISSUED), ("b", LATER)):
        certificate = hand_made_certificate(tmp_path / name, issued)
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(pdf_bytes(dossier_html(certificate, renderer_name())))
        texts.append(
            subprocess.run(
                [poppler("pdftotext"), "-layout", str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    first, second = texts
    assert "Release dossier: L1" in first and "FAIL" in first
    assert sha("a1") in first and certificate["config_digest"]["sha256"] in first
    assert without(first, ISSUED) == without(second, LATER)
    fonts = subprocess.run(
        [poppler("pdffonts"), str(tmp_path / "a.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                [poppler("pdfinfo"), str(tmp_path / "a.pdf")], capture_output=True, text=True
            ).stdout,
        ).group(1)
    )
    subprocess.run(
        [poppler("pdftoppm"), "-r", "30", "-png", str(tmp_path / "a.pdf"), str(tmp_path / "page")],
        check=True,
    )
    assert len(list(tmp_path.glob("page-*.png"))) == pages >= 2
