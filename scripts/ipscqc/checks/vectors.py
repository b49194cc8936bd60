"""Vectors: reprogramming-vector DNA (reads on the vector decoy contigs, as copies per
cell) and transgene cDNA (reads joining exons without their introns), each line against
its parental, which never saw the vector (scripts/ipscqc/vectors.py; docs/vectors.md)."""

from __future__ import annotations

from dataclasses import dataclass

from ipscqc.contract import CheckSpec, Findings, adequacy, findings, metric

SPEC = CheckSpec(
    name="vectors",
    title="Vectors",
    summary="reprogramming vector copies per cell and transgene cDNA reads",
    item_columns=("kind", "name", "reads", "copies_per_cell", "junction_reads", "detected"),
    metrics=(
        metric(
            "max_vector_copies_per_cell",
            "number",
            "largest copies per cell over the decoy contigs (decoy depth / (autosomal depth"
            " / 2)); null when there are no decoys",
            unit="copies/cell",
            title="Vector copies/cell",
            format="{:,.3f}",
        ),
        metric("vector_contig_with_max", "string", "that decoy", title="Vector"),
        metric(
            "parental_max_vector_copies_per_cell",
            "number",
            "the same for the parental; null without one",
            unit="copies/cell",
        ),
        metric("vectors_detected", "strings", "decoys with at least `vectors.min_reads` reads"),
        metric(
            "transgene_junction_reads",
            "integer",
            "reads joining exons of the reprogramming genes without the intron, all genes",
            title="Transgene junction reads",
            format="{:,.0f}",
        ),
        metric(
            "transgene_genes",
            "strings",
            "genes with at least `vectors.min_junction_reads` junction reads whose parental"
            " has fewer",
            title="Transgenes",
        ),
        metric(
            "parental_transgene_junction_reads",
            "integer",
            "the parental's total; null without a parental",
        ),
        adequacy(
            "autosomal_depth", "number", "median depth of autosomal bins with reads", unit="x"
        ),
        adequacy("decoy_contigs", "integer", "vector decoy contigs in the alignment reference"),
        adequacy("genes_searched", "integer", "reprogramming genes found in the annotation"),
        adequacy("read_length", "number", "median read length in the searched genes", unit="bp"),
    ),
)


@dataclass(frozen=True)
class VectorSettings:
    min_reads: int = 3
    min_junction_reads: int = 2


@dataclass
class VectorInputs:
    sample: str
    parental: str | None
    evidence: dict  # the sample's read evidence (ipscqc.vectors.scan_bam)
    parental_evidence: dict | None
    autosomal_depth: float | None
    parental_autosomal_depth: float | None


def analyse(inputs: VectorInputs, settings: VectorSettings) -> Findings:
    from ipscqc.vectors import vector_metrics

    values, items, notes = vector_metrics(
        inputs.evidence,
        inputs.parental_evidence,
        inputs.autosomal_depth,
        inputs.parental_autosomal_depth,
        min_reads=settings.min_reads,
        min_junction_reads=settings.min_junction_reads,
    )
    return findings(SPEC, inputs.sample, inputs.parental, values, items, notes)


def autosomal_depth(bins, genome) -> float | None:
    """Median depth of the autosomal mosdepth bins that have reads."""
    import numpy as np

    depth = bins.loc[genome.classes(bins["chrom"]) == "autosome", "depth"].to_numpy()
    depth = depth[depth > 0]
    return float(np.median(depth)) if depth.size else None


SUMMARY_HEADER = """# id: ipscqc_vectors
# section_name: "Vector and transgene residue"
# description: "Reprogramming vector DNA as copies per cell (decoy contig depth / haploid autosomal depth) and transgene cDNA reads joining exons without their introns, each line against its parental (which should have none). Sendai virus (RNA) cannot be seen in DNA sequencing."
# plot_type: table
"""  # noqa: E501


def main(inputs, outputs, params) -> None:
    """Snakemake rule vector_findings: one findings file per sample (``params.samples``,
    in the order of ``outputs.findings`` and of the evidence and regions inputs)."""
    from ipscqc.contract import read_json, settings_from, write_atomic, write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.mqc import mqc_table
    from ipscqc.readers.mosdepth import read_regions

    settings = settings_from(VectorSettings, dict(params.settings))
    genome = GenomeModel.of(**params.genome)
    samples = list(params.samples)
    evidence = dict(zip(samples, (read_json(p) for p in inputs.evidence), strict=True))
    depth = {
        sample: autosomal_depth(read_regions(path), genome)
        for sample, path in zip(samples, inputs.regions, strict=True)
    }
    rows = []
    for sample, path in zip(samples, outputs.findings, strict=True):
        parental = params.sheet[sample]["parental"] or None
        check_inputs = VectorInputs(
            sample,
            parental,
            evidence[sample],
            evidence[parental] if parental else None,
            depth[sample],
            depth[parental] if parental else None,
        )
        result = analyse(check_inputs, settings)
        write_findings(path, result, SPEC)
        m = result.metrics
        rows.append(
            {
                "Sample": sample,
                "max vector copies per cell": m["max_vector_copies_per_cell"],
                "vector": m["vector_contig_with_max"] or "-",
                "parental max copies per cell": m["parental_max_vector_copies_per_cell"],
                "transgene junction reads": m["transgene_junction_reads"],
                "transgene genes": ",".join(m["transgene_genes"]) or "-",
                "parental junction reads": m["parental_transgene_junction_reads"],
            }
        )
    write_atomic(outputs.table, mqc_table(SUMMARY_HEADER, rows))
