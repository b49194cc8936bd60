"""Contamination findings of every sample, from allele counts at homozygous sites of the
cohort genotypes, against each other individual of the run and their mean."""

import numpy as np
import pandas as pd
from ipscqc.contamination import contamination_metrics
from ipscqc.findings import findings, write_atomic, write_json
from ipscqc.identity import load_cohort_vcf, mqc_table, representatives
from ipscqc.sex import contig_class
from ipscqc.snake import log_stderr_to

SUMMARY_HEADER = """# id: ipscqc_contamination
# section_name: "Identity: contamination"
# description: "Fraction of DNA from another individual, by maximum likelihood from allele counts at sites homozygous in the sample (its parental's genotypes where the parental is the same individual), against each other individual of the run and their mean allele frequency."
# plot_type: table
"""  # noqa: E501


def main(inputs, outputs, params):
    sheet = params.samples
    cohort = load_cohort_vcf(inputs.vcf)
    autosomal = np.array([contig_class(c) == "autosome" for c in cohort.chrom], dtype=bool)
    cohort = cohort.subset(autosomal)
    pairs = pd.read_csv(inputs.pairs, sep="\t", keep_default_na=True)
    depth = cohort.depth
    groups, chosen = representatives(pairs, cohort.samples, depth)
    rows = []
    for path in outputs.findings:
        sample = path.split("/")[-2]
        parental = sheet[sample].get("parental") or ""
        i = cohort.column(sample)
        parental_gt = parental_depth = None
        notes = []
        if parental and groups[parental] == groups[sample]:
            j = cohort.column(parental)
            parental_gt, parental_depth = cohort.gt[:, j], depth[:, j]
        elif parental:
            notes.append(f"{sample} is not the same individual as {parental}: own calls used")
        sources = {
            other: cohort.gt[:, cohort.column(other)]
            for group, other in sorted(chosen.items())
            if group != groups[sample]
        }
        metrics, items, more_notes, adequacy = contamination_metrics(
            cohort.ref_depth[:, i],
            cohort.alt_depth[:, i],
            cohort.gt[:, i],
            depth[:, i],
            parental_gt,
            parental_depth,
            sources,
            min_depth=params.min_depth,
            min_sites=params.min_sites,
        )
        document = findings(
            "contamination", sample, parental, adequacy, metrics, items, notes + more_notes
        )
        write_json(path, document)
        rows.append(
            {
                "Sample": sample,
                "contamination fraction": metrics["contamination_fraction"],
                "likely source": metrics["contamination_source"] or "-",
                "population estimate": metrics["population_fraction"],
                "error rate": metrics["error_rate"],
                "sites used": metrics["sites_used"],
            }
        )
    write_atomic(outputs.table, mqc_table(SUMMARY_HEADER, rows))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
