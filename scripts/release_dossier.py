"""Entry point of rule dossier: the printable release dossier (HTML and PDF) of one line,
from its release certificate only."""

from pathlib import Path

from ipscqc.contract import read_json, write_atomic
from ipscqc.dossier import dossier_html, pdf_bytes, renderer_name
from ipscqc.snake import run


def main(inputs, outputs, params):
    document = dossier_html(read_json(inputs.certificate), renderer_name())
    write_atomic(outputs.html, document)
    pdf = Path(outputs.pdf)
    temporary = pdf.with_name(f".{pdf.name}.tmp")
    temporary.write_bytes(pdf_bytes(document))
    temporary.replace(pdf)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
