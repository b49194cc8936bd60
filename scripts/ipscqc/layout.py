"""Where every file of a run lives, under the results folder: one name per kind of file.

Rules and scripts ask for paths by name: ``layout.path("bam", sample="L1")`` gives
``results/alignments/L1.bam``; wildcards not given stay as Snakemake wildcards
(``layout.path("bam")`` is ``results/alignments/{sample}.bam``). Nothing parses a path
to learn what it holds: samples, checks and donors travel as params. Per-shard files
carry the shard's index (``s{shard}``, ipscqc.shards), never a contig name
(ipscqc.contig_index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATHS = {
    # reference
    "contigs": "reference/contigs.json",
    "alignment_reference": "reference/genome.fa",
    "alignment_reference_fai": "reference/genome.fa.fai",
    "alignment_reference_dict": "reference/genome.dict",
    "reference_manifest": "reference/manifest.json",
    "prepared_reference_check": "preflight/prepared_reference.json",
    # pre-flight
    "preflight_reads": "preflight/reads/{sample}.{unit}.json",
    "preflight_alignment": "preflight/alignments/{sample}.{unit}.json",
    "preflight_reference": "preflight/reference.json",
    "preflight_trimmed": "preflight/trimmed/{sample}.json",
    # reads and alignment
    "alignment_reads_r1": "reads/from_alignments/{sample}/{unit}.R1.fastq.gz",
    "alignment_reads_r2": "reads/from_alignments/{sample}/{unit}.R2.fastq.gz",
    "trimmed_r1": "reads/{sample}/{unit}.R1.fastq.gz",
    "trimmed_r2": "reads/{sample}/{unit}.R2.fastq.gz",
    "fastp_json": "qc/fastp/{sample}.{unit}.fastp.json",
    "fastp_html": "qc/fastp/{sample}.{unit}.fastp.html",
    "unit_bam": "alignments/{sample}/{unit}.bam",
    "bam": "alignments/{sample}.bam",
    "bai": "alignments/{sample}.bam.bai",
    "cram": "alignments/{sample}.cram",
    "crai": "alignments/{sample}.cram.crai",
    # alignment QC
    "markdup": "qc/markdup/{sample}.markdup.txt",
    "samtools_stats": "qc/samtools/{sample}.stats.txt",
    "flagstat": "qc/samtools/{sample}.flagstat.txt",
    "idxstats": "qc/samtools/{sample}.idxstats.txt",
    "mosdepth_summary": "qc/mosdepth/{sample}.mosdepth.summary.txt",
    "mosdepth_dist": "qc/mosdepth/{sample}.mosdepth.global.dist.txt",
    "mosdepth_regions": "qc/mosdepth/{sample}.regions.bed.gz",
    # variants
    "shard_regions": "variants/shards/s{shard}.regions.tsv",
    "shard_table": "variants/shards/shards.tsv",
    "pileup": "variants/{donor}/s{shard}.pileup.bcf",
    "ploidy": "variants/{donor}.ploidy.txt",
    "sexes": "variants/{donor}.sexes.txt",
    "calls_part": "variants/{donor}/s{shard}.bcf",
    "calls_part_index": "variants/{donor}/s{shard}.bcf.csi",
    "donor_vcf": "variants/{donor}.vcf.gz",
    "donor_vcf_index": "variants/{donor}.vcf.gz.tbi",
    "variant_stats": "qc/bcftools/{donor}.bcftools_stats.txt",
    "candidates_part": "variants/{donor}/s{shard}.candidates.bcf",
    "candidates_part_index": "variants/{donor}/s{shard}.candidates.bcf.csi",
    "candidates_vcf": "variants/{donor}.candidates.vcf.gz",
    "candidates_vcf_index": "variants/{donor}.candidates.vcf.gz.tbi",
    "candidates_table": "variants/{donor}.candidates.tsv.gz",
    "hotspot_entries": "variants/hotspots/entries.tsv",
    "hotspot_alleles": "variants/hotspots/alleles.tsv",
    "hotspot_positions": "variants/hotspots/positions.tsv",
    "hotspot_pileup": "variants/{donor}.hotspots.tsv",
    "panel_of_normals": "variants/panel_of_normals.tsv.gz",
    "user_panel_of_normals": "variants/user_panel_of_normals.tsv",
    # copy number
    "bin_composition": "copy_number/bins.gc.tsv.gz",
    "cn_bins": "copy_number/{sample}/bins.tsv",
    "cn_sites": "copy_number/{sample}/baf.tsv",
    "cn_segments": "copy_number/{sample}/segments.tsv",
    "cn_calls": "copy_number/{sample}/calls.tsv",
    # identity
    "identity_sites": "identity/sites.vcf.gz",
    "identity_sites_index": "identity/sites.vcf.gz.tbi",
    "identity_alleles": "identity/alleles.tsv.gz",
    "identity_alleles_index": "identity/alleles.tsv.gz.tbi",
    "cohort_vcf": "identity/cohort.vcf.gz",
    "cohort_vcf_index": "identity/cohort.vcf.gz.tbi",
    "relatedness": "findings/cohort/relatedness.tsv",
    "relatedness_mqc": "findings/cohort/relatedness_mqc.json",
    "pairing": "findings/cohort/pairing.tsv",
    # vectors
    "vector_evidence": "vectors/{sample}.evidence.json",
    # findings of every check
    "findings": "findings/{sample}/{check}.json",
    "findings_table": "findings/{sample}/{check}.tsv",
    "copy_number_figure": "findings/{sample}/copy_number.png",
    # gate, certificates, versions
    "gate": "gate/{line}.json",
    "cohort_summary": "gate/cohort_summary.tsv",
    "sample_checksums": "gate/checksums/{sample}.json",
    "reference_checksums": "gate/checksums/reference.json",
    "job_versions": "versions/{step}/{job}.yaml",
    "software_versions": "gate/software_versions.json",
    "certificate": "certificates/{line}.json",
    "dossier_html": "dossiers/{line}.html",
    "dossier_pdf": "dossiers/{line}.pdf",
    # report
    "report_content": "report/content/ipscqc_{name}_mqc.json",
    "software_versions_mqc": "report/content/ipscqc_software_mqc_versions.yml",
    "report": "report/multiqc_report.html",
    "report_data": "report/multiqc_report_data",
    # logs and benchmarks of the jobs
    "log": "logs/{name}.log",
    "benchmark": "benchmarks/{name}.tsv",
}

_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Layout:
    """The files of one run under ``results``."""

    results: str

    def path(self, kind: str, **wildcards) -> str:
        """The path of a kind of file; wildcards not given stay ``{name}``."""
        template = PATHS[kind]
        filled = _FIELD.sub(lambda m: str(wildcards.get(m.group(1), m.group(0))), template)
        return f"{self.results}/{filled}"

    def relative(self, kind: str, **wildcards) -> str:
        """The path of a kind of file relative to the results folder."""
        return self.path(kind, **wildcards)[len(self.results) + 1 :]
