"""Identity findings of every sample of the run: the pairwise relatedness table, the
MultiQC heatmap and summary table, and one identity.json per sample."""

import json

import numpy as np
from ipscqc.findings import findings, write_atomic, write_json
from ipscqc.identity import (
    identity_metrics,
    load_cohort_vcf,
    mqc_table,
    pairwise_table,
    relatedness_heatmap,
)
from ipscqc.sex import contig_class
from ipscqc.snake import log_stderr_to

SUMMARY_HEADER = """# id: ipscqc_identity
# section_name: "Identity: declared donor"
# description: "Each sample against its declared donor: relatedness to its parental, and the sample of the run it matches best. A line whose best match belongs to another donor is a swap."
# plot_type: table
"""  # noqa: E501


def main(inputs, outputs, params):
    sheet = params.samples  # sample -> {"donor", "parental", "sex", ...}
    cohort = load_cohort_vcf(inputs.vcf)
    missing = sorted(set(sheet) - set(cohort.samples))
    if missing:
        raise ValueError(f"{inputs.vcf}: no genotypes for sample(s) {', '.join(missing)}")
    autosomal = np.array([contig_class(c) == "autosome" for c in cohort.chrom], dtype=bool)
    cohort = cohort.subset(autosomal)
    donors = {sample: sheet[sample]["donor"] for sample in cohort.samples}
    pairs = pairwise_table(
        cohort,
        donors,
        min_depth=params.min_depth,
        min_informative_sites=params.min_informative_sites,
        same_min=params.same_min,
        related_min=params.related_min,
    )
    write_atomic(outputs.pairs, pairs.to_csv(sep="\t", index=False, na_rep="NA"))
    heatmap = relatedness_heatmap(pairs, cohort.samples)
    write_atomic(outputs.heatmap, json.dumps(heatmap, indent=1, sort_keys=True) + "\n")
    depth = cohort.depth
    rows = []
    for path in outputs.findings:
        sample = path.split("/")[-2]
        info = sheet[sample]
        parental = info.get("parental") or ""
        metrics, items, notes = identity_metrics(
            sample, info["donor"], parental, donors, pairs, params.min_informative_sites
        )
        column = depth[:, cohort.column(sample)]
        adequacy = {
            "informative_sites": metrics["informative_sites"],
            "min_informative_sites": params.min_informative_sites,
            "sites_genotyped": int(len(column)),
            "sites_with_depth": int((column >= params.min_depth).sum()),
            "median_site_depth": float(np.median(column)) if len(column) else None,
        }
        document = findings("identity", sample, parental, adequacy, metrics, items, notes)
        write_json(path, document)
        rows.append(
            {
                "Sample": sample,
                "donor": info["donor"],
                "parental": parental or "-",
                "matches declared donor": metrics["matches_declared_donor"],
                "relatedness to parental": metrics["relatedness_to_parental"],
                "best match": metrics["best_match_sample"],
                "best match donor": metrics["best_match_donor"],
                "best match relatedness": metrics["best_match_relatedness"],
                "informative sites": metrics["informative_sites"],
            }
        )
    write_atomic(outputs.table, mqc_table(SUMMARY_HEADER, rows))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
