"""Entry point of rule panel_of_normals: the alleles every sample of the run carries,
by donor (a line reads the other donors' rows as its panel of normals)."""

import pandas as pd
from ipscqc.readers.bcftools_query import read_query_table
from ipscqc.snake import run
from ipscqc.variants.artefacts import carriers


def main(inputs, outputs, params):
    tables = [
        carriers(read_query_table(path), donor, params.samples[donor], params.min_alt_reads)
        for donor, path in zip(params.donors, inputs.tables, strict=True)
    ]
    pd.concat(tables, ignore_index=True).to_csv(outputs.table, sep="\t", index=False)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
