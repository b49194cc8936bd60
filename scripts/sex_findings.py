"""Sex findings of every sample: chrX heterozygosity from the cohort genotypes, chrX
and chrY depth from mosdepth bins, compared with the declared sex and the parental."""

from pathlib import Path

import numpy as np
from ipscqc.findings import findings, write_atomic, write_json
from ipscqc.identity import load_cohort_vcf, mqc_table
from ipscqc.sex import (
    contig_class,
    covered_bins,
    depth_ratios,
    outside_par,
    read_mosdepth_regions,
    sex_metrics,
    x_heterozygosity,
)
from ipscqc.snake import log_stderr_to

SUMMARY_HEADER = """# id: ipscqc_sex
# section_name: "Identity: sex"
# description: "Sex inferred from chrX heterozygosity (het / non-reference calls) and chrX/chrY depth relative to the autosomes (about 1 and 0 for XX, 0.5 and 0.5 for XY), against the declared sex; X loss in female lines and Y loss in male lines are culture changes."
# plot_type: table
"""  # noqa: E501

THRESHOLDS = (
    "min_x_sites",
    "female_min_x_het",
    "male_max_x_het",
    "y_present_min_ratio",
    "two_x_min_ratio",
    "one_x_max_ratio",
    "min_loss_fraction",
    "male_y_ratio",
)


def main(inputs, outputs, params):
    sheet = params.samples
    thresholds = {key: params.thresholds[key] for key in THRESHOLDS}
    cohort = load_cohort_vcf(inputs.vcf)
    on_x = np.array([contig_class(c) == "X" for c in cohort.chrom], dtype=bool)
    on_x &= outside_par(cohort.pos, params.build)
    x_cohort = cohort.subset(on_x)
    bins = {
        Path(path).name.removesuffix(".regions.bed.gz"): read_mosdepth_regions(path)
        for path in inputs.regions
    }
    first = next(iter(bins.values()))
    keep = covered_bins(list(bins.values()))
    x_bins = first["chrom"].map(contig_class).to_numpy() == "X"
    keep &= ~x_bins | outside_par(first["start"].to_numpy() + 1, params.build)
    measured = {}
    for sample in sheet:
        column = x_cohort.column(sample)
        het, n = x_heterozygosity(
            x_cohort.gt[:, column], x_cohort.depth[:, column], params.thresholds["min_depth"]
        )
        measured[sample] = (het, n, depth_ratios(bins[sample], keep))
    rows = []
    for path in outputs.findings:
        sample = path.split("/")[-2]
        info = sheet[sample]
        parental = info.get("parental") or ""
        het, n, ratios = measured[sample]
        parental_ratios = parental_sex = None
        if parental:
            p_het, p_n, parental_ratios = measured[parental]
            parental_sex, _ = sex_metrics(
                sheet[parental]["sex"], p_het, p_n, parental_ratios, None, None, thresholds
            )
            parental_sex = parental_sex["inferred_sex"]
            if parental_sex not in ("female", "male"):
                parental_sex = sheet[parental]["sex"]
        metrics, notes = sex_metrics(
            info["sex"], het, n, ratios, parental_ratios, parental_sex, thresholds
        )
        adequacy = {
            "x_sites": n,
            "min_x_sites": thresholds["min_x_sites"],
            "autosomal_depth": ratios["autosomal_depth"],
        }
        document = findings("sex", sample, parental, adequacy, metrics, [], notes)
        write_json(path, document)
        rows.append(
            {
                "Sample": sample,
                "declared sex": metrics["declared_sex"],
                "inferred sex": metrics["inferred_sex"],
                "sex matches": metrics["sex_matches"],
                "X heterozygosity": metrics["x_heterozygosity"],
                "X depth ratio": metrics["x_depth_ratio"],
                "Y depth ratio": metrics["y_depth_ratio"],
                "X loss": metrics["x_loss"],
                "Y loss": metrics["y_loss"],
            }
        )
    write_atomic(outputs.table, mqc_table(SUMMARY_HEADER, rows))


if "snakemake" in globals():
    log_stderr_to(snakemake.log[0])  # noqa: F821
    main(snakemake.input, snakemake.output, snakemake.params)  # noqa: F821
