"""Copy number, LOH and mosaicism of one sample: tables, figure and findings.

A line with a parental is compared with it (paired); a line without one, and a parental
sample itself, are read on their own (line-only).
"""

from pathlib import Path

import pandas as pd
from ipscqc import cn_figure
from ipscqc.copy_number import (
    Params,
    analyse,
    read_bed,
    read_gff3_genes,
    read_het_sites,
    read_mosdepth_regions,
    segments_for_findings,
)
from ipscqc.findings import write_json
from ipscqc.snake import log_stderr_to


def run(inputs: dict, outputs: dict, sample: str, parental: str, sex: str, settings: dict):
    """Read the inputs (paths), analyse, write every output (paths)."""
    params = Params.from_config(settings)
    composition = pd.read_csv(inputs["composition"], sep="\t", dtype={"chrom": str})
    centromeres = read_bed(inputs["centromeres"])
    chromosomes = list(dict.fromkeys(centromeres["chrom"]))
    line_depth = read_mosdepth_regions(inputs["line"])
    parental_depth = read_mosdepth_regions(inputs["parental"]) if parental else None
    sites = read_het_sites(inputs["vcf"], sample, parental or sample, params, chromosomes)
    result = analyse(
        sample,
        parental,
        composition,
        line_depth,
        parental_depth,
        sites,
        centromeres,
        read_gff3_genes(inputs["annotation"]),
        read_bed(inputs["recurrent"]),
        sex,
        params,
    )
    for name in ("bins", "segments", "calls", "sites", "findings_table", "figure", "findings"):
        Path(outputs[name]).parent.mkdir(parents=True, exist_ok=True)
    columns = ["chrom", "start", "end", "gc", "n_fraction", "line_depth"]
    columns += ["parental_depth"] if parental else []
    columns += ["line_corrected"] + (["parental_corrected"] if parental else [])
    columns += ["reference_copies", "used", "log2"]
    result.bins[columns].to_csv(outputs["bins"], sep="\t", index=False, float_format="%.4f")
    result.sites.to_csv(outputs["sites"], sep="\t", index=False, float_format="%.4f")
    result.segments.to_csv(outputs["segments"], sep="\t", index=False, float_format="%.4f")
    result.calls.to_csv(outputs["calls"], sep="\t", index=False, float_format="%.4f")
    segments_for_findings(result.segments).to_csv(
        outputs["findings_table"], sep="\t", index=False, float_format="%.4f"
    )
    mode = f"against {parental}" if parental else "line-only"
    cn_figure.draw(
        outputs["figure"],
        f"{sample}: copy number {mode}",
        result.bins,
        result.sites,
        result.segments,
        result.calls,
    )
    write_json(outputs["findings"], result.findings)
    return result


def main(inputs, outputs, params):
    run(
        {key: str(value) for key, value in inputs.items()},
        {key: str(value) for key, value in outputs.items()},
        params.sample,
        params.parental,
        params.sex,
        dict(params.settings),
    )


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
