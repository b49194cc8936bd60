"""Vector findings of every sample: copies per cell of each vector decoy and transgene
exon-junction reads, each line against its parental."""

from pathlib import Path

import numpy as np
from ipscqc.findings import findings, read_json, write_atomic, write_json
from ipscqc.identity import mqc_table
from ipscqc.sex import contig_class, read_mosdepth_regions
from ipscqc.snake import log_stderr_to
from ipscqc.vectors import vector_metrics

SUMMARY_HEADER = """# id: ipscqc_vectors
# section_name: "Vector and transgene residue"
# description: "Reprogramming vector DNA as copies per cell (decoy contig depth / haploid autosomal depth) and transgene cDNA reads joining exons without their introns, each line against its parental (which should have none). Sendai virus (RNA) cannot be seen in DNA sequencing."
# plot_type: table
"""  # noqa: E501


def autosomal_depth(regions_path: str) -> float | None:
    """Median depth of the autosomal mosdepth bins that have reads."""
    bins = read_mosdepth_regions(regions_path)
    autosomal = bins["chrom"].map(contig_class).to_numpy() == "autosome"
    depth = bins.loc[autosomal, "depth"].to_numpy()
    depth = depth[depth > 0]
    return float(np.median(depth)) if depth.size else None


def main(inputs, outputs, params):
    sheet = params.samples
    evidence = {
        Path(path).name.removesuffix(".evidence.json"): read_json(path) for path in inputs.evidence
    }
    depth = {
        Path(path).name.removesuffix(".regions.bed.gz"): autosomal_depth(path)
        for path in inputs.regions
    }
    rows = []
    for path in outputs.findings:
        sample = path.split("/")[-2]
        parental = sheet[sample].get("parental") or ""
        metrics, items, notes = vector_metrics(
            evidence[sample],
            evidence[parental] if parental else None,
            depth[sample],
            depth[parental] if parental else None,
            min_reads=params.min_reads,
            min_junction_reads=params.min_junction_reads,
        )
        adequacy = {
            "autosomal_depth": depth[sample],
            "decoy_contigs": len(evidence[sample]["decoys"]),
            "genes_searched": len(evidence[sample]["genes"]),
            "read_length": evidence[sample]["read_length"],
        }
        write_json(path, findings("vectors", sample, parental, adequacy, metrics, items, notes))
        rows.append(
            {
                "Sample": sample,
                "max vector copies per cell": metrics["max_vector_copies_per_cell"],
                "vector": metrics["vector_contig_with_max"] or "-",
                "parental max copies per cell": metrics["parental_max_vector_copies_per_cell"],
                "transgene junction reads": metrics["transgene_junction_reads"],
                "transgene genes": ",".join(metrics["transgene_genes"]) or "-",
                "parental junction reads": metrics["parental_transgene_junction_reads"],
            }
        )
    write_atomic(outputs.table, mqc_table(SUMMARY_HEADER, rows))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
