"""Identity sites: the user's site list, or the run's own good germline SNVs (the union
over donors), thinned to at most a set number, as a sites VCF (for bcftools mpileup -R)
and an alleles table (for bcftools call -C alleles -T)."""

import sys

from ipscqc.genome import GenomeModel
from ipscqc.relatedness import select_sites
from ipscqc.snake import run


def main(inputs, outputs, params):
    sites = select_sites(
        list(inputs.sources),
        GenomeModel.of(**params.genome),
        min_qual=params.min_qual,
        max_sites=params.max_sites,
        keep_frequency=params.population_sites,
    )
    write_sites(sites, outputs.vcf, outputs.alleles)
    print(f"{len(sites)} identity sites", file=sys.stderr)


def write_sites(sites, vcf_path, alleles_path):
    import pysam

    vcf_plain = vcf_path.removesuffix(".gz")
    with open(vcf_plain, "w") as vcf:
        vcf.write("##fileformat=VCFv4.2\n")
        vcf.write(
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Population allele frequency'
            ' of the site list">\n'
        )
        for contig in dict.fromkeys(site[0] for site in sites):
            vcf.write(f"##contig=<ID={contig}>\n")
        vcf.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for chrom, pos, ref, alt, af in sites:
            info = "." if af is None else f"AF={af:.6g}"
            vcf.write(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t{info}\n")
    pysam.tabix_index(vcf_plain, preset="vcf", force=True)
    alleles_plain = alleles_path.removesuffix(".gz")
    with open(alleles_plain, "w") as table:
        for chrom, pos, ref, alt, _ in sites:
            table.write(f"{chrom}\t{pos}\t{ref},{alt}\n")
    pysam.tabix_index(alleles_plain, seq_col=0, start_col=1, end_col=1, force=True)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
