"""The release dossiers of the toy run (tests/conftest.py toy_run), read back as a
reviewer gets them: the PDF's text (pdftotext), its pages as images (pdftoppm) and its
fonts (pdffonts), against the run's own certificates (the decisions of the toy data are
the gate's business: tests/test_e2e_gate.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from ipscqc.checks import spec_of

pytestmark = pytest.mark.e2e


def lines_of(truth: dict) -> list[str]:
    return sorted(name for name, sample in truth["samples"].items() if sample["role"] == "line")


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"no {tool}: install the Debian package poppler-utils (bin/setup --test)")
    return path


def pdf_text(path) -> str:
    return subprocess.run(
        [poppler("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def page_count(path) -> int:
    info = subprocess.run(
        [poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.fixture(scope="module")
def dossiers(toy_run) -> dict[str, dict]:
    """line -> certificate, html path, pdf path."""
    found = {}
    for line in lines_of(toy_run.truth):
        found[line] = {
            "certificate": json.loads(
                (toy_run.results / "certificates" / f"{line}.json").read_text()
            ),
            "html": toy_run.results / "dossiers" / f"{line}.html",
            "pdf": toy_run.results / "dossiers" / f"{line}.pdf",
        }
    return found


def test_every_line_has_a_dossier_in_html_and_pdf(dossiers):
    for line, dossier in dossiers.items():
        assert dossier["html"].stat().st_size > 0, line
        assert dossier["pdf"].read_bytes()[:5] == b"%PDF-", line


def test_the_pdf_says_the_decision_every_check_status_and_the_checksums(dossiers, toy_run):
    for line, dossier in dossiers.items():
        certificate = dossier["certificate"]
        text = pdf_text(dossier["pdf"])
        assert f"Release dossier: {line}" in text
        decision = text.split("Decision", 1)[1].split("Checks", 1)[0]
        assert certificate["decision"] in decision, line
        overview = text.split("leading reason", 1)[1].split("What the assay could not see", 1)[0]
        for check, entry in certificate["checks"].items():
            title = spec_of(check).title
            row = re.search(rf"^\s*{re.escape(title)}\s+(\S+)", overview, re.M)
            assert row and row.group(1) == entry["status"], (line, check, row and row.group(0))
        inputs = certificate["inputs"]
        records = [
            record
            for side in ("line", "parental")
            for record in (inputs[side]["fastq"] + [inputs[side]["bam"]] if inputs[side] else [])
        ] + list(inputs["reference"].values())
        assert len(records) >= 6
        for record in records:
            assert record["sha256"] in text, (line, record["path"])
        assert certificate["config_digest"]["sha256"] in text
        sheet = toy_run.truth["samples"][line]  # the samples sheet's passage and donor
        assert certificate["passage"] == sheet["passage"]
        assert re.search(rf"Passage\s+{sheet['passage']}\b", text)
        assert re.search(rf"Donor\s+{sheet['donor']}\b", text)


def test_every_page_renders_and_every_font_is_embedded(dossiers, tmp_path):
    for line, dossier in dossiers.items():
        pages = page_count(dossier["pdf"])
        prefix = tmp_path / line
        subprocess.run(
            [poppler("pdftoppm"), "-r", "40", "-png", str(dossier["pdf"]), str(prefix)],
            check=True,
        )
        images = sorted(tmp_path.glob(f"{line}-*.png"))
        assert len(images) == pages >= 2, line
        assert all(image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
        fonts = subprocess.run(
            [poppler("pdffonts"), str(dossier["pdf"])], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert fonts, line
        for font in fonts:
            assert font.split()[-5] == "yes", (line, font)  # the "emb" column


def test_a_second_dossier_of_the_same_certificate_differs_only_in_the_date(dossiers, tmp_path):
    """The dossier entry point run on the run's certificate, and on a copy issued on
    another date: the HTML and the PDF's text differ only where the date is written."""
    pytest.importorskip("weasyprint")
    import release_dossier
    from snakemake.iocontainers import Namedlist

    line, dossier = sorted(dossiers.items())[0]
    certificate = dossier["certificate"]
    later = dict(certificate, issued="2031-01-02T03:04:05+00:00")
    (tmp_path / "later.json").write_text(json.dumps(later))
    release_dossier.main(
        Namedlist(fromdict={"certificate": str(tmp_path / "later.json")}),
        Namedlist(fromdict={"html": str(tmp_path / "later.html"), "pdf": str(tmp_path / "b.pdf")}),
        None,
    )
    original = dossier["html"].read_text()
    rebuilt = (tmp_path / "later.html").read_text()
    assert rebuilt.replace(later["issued"], "DATE") == original.replace(
        certificate["issued"], "DATE"
    )
    assert pdf_text(tmp_path / "b.pdf").replace(later["issued"], "DATE") == pdf_text(
        dossier["pdf"]
    ).replace(certificate["issued"], "DATE")
