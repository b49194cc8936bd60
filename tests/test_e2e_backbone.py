"""End to end: the backbone (reads to joint calls and MultiQC) against the toy truth."""

from __future__ import annotations

import re

import pysam
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MIN_DEPTH = 10  # "well covered" for genotype checks


def copy_number_regions(truth: dict, sample: str) -> list[tuple[str, int, int]]:
    return [
        (event["chrom"], event["start"], event["end"])
        for event in truth["copy_number_events"]
        if event["sample"] == sample
    ]


def inside(regions, chrom: str, pos: int) -> bool:
    """pos is 1-based; regions are 0-based half-open."""
    return any(c == chrom and start < pos <= end for c, start, end in regions)


def genotype_calls(vcf_path, sample: str) -> dict:
    """(chrom, pos, ref, alt) -> (genotype tuple, depth) for one sample's non-ref calls."""
    calls = {}
    with pysam.VariantFile(str(vcf_path)) as vcf:
        for record in vcf:
            call = record.samples[sample]
            genotype = tuple(allele for allele in call["GT"] if allele is not None)
            depth = sum(value or 0 for value in call["AD"]) if call.get("AD") else 0
            calls[(record.chrom, record.pos, record.ref, record.alts[0])] = (genotype, depth)
    return calls


def allele_depths(bam_path, chrom: str, pos: int, ref: str, alt: str) -> tuple[int, int]:
    """Reference and alternate read counts of an SNV (pos 1-based) in a BAM."""
    with pysam.AlignmentFile(str(bam_path)) as bam:
        counts = bam.count_coverage(chrom, pos - 1, pos, quality_threshold=20, read_callback="all")
    by_base = {base: counts[index][0] for index, base in enumerate("ACGT")}
    return by_base[ref], by_base[alt]


@pytest.mark.parametrize(
    ("sample", "donor_vcf", "genotype_donor"),
    [
        ("D1_parental", "D1", "D1"),
        ("D1_clone_clean", "D1", "D1"),
        ("D1_clone_events", "D1", "D1"),
        ("D1_clone_swap", "D1", "D2"),
        ("D2_parental", "D2", "D2"),
    ],
)
def test_germline_variants_genotyped(toy_run, sample, donor_vcf, genotype_donor):
    """Planted germline SNVs in well-covered, copy-neutral regions get their genotype."""
    truth = toy_run.truth
    calls = genotype_calls(toy_run.results / f"variants/{donor_vcf}.vcf.gz", sample)
    excluded = copy_number_regions(truth, sample)
    # Sex chromosomes are called with the declared sex's ploidy: a sample whose true
    # sex differs (the swap) is judged on its autosomes here, and by the sex check.
    facts = truth["samples"][sample]
    skip_sex_chromosomes = facts["declared_sex"] != facts["true_sex"]
    checked = correct = 0
    for variant in truth["germline_variants"]:
        if variant["donor"] != genotype_donor or variant["type"] != "snv":
            continue
        if skip_sex_chromosomes and variant["chrom"] in ("chrX", "chrY"):
            continue
        if inside(excluded, variant["chrom"], variant["pos"]):
            continue
        key = (variant["chrom"], variant["pos"], variant["ref"], variant["alt"])
        genotype, depth = calls.get(key, ((), 0))
        if depth < MIN_DEPTH:
            continue
        checked += 1
        expected = {"0/1": (0, 1), "1/1": (1, 1), "1": (1,)}[variant["genotype"]]
        correct += tuple(sorted(genotype)) == expected
    assert checked > 500, f"too few well-covered germline SNVs to judge: {checked}"
    assert correct / checked > 0.97, f"{sample}: {correct}/{checked} genotypes right"


def test_germline_variants_called_in_parental(toy_run):
    """Sensitivity: the parental's calls hold nearly all planted SNVs and indels."""
    truth = toy_run.truth
    calls = genotype_calls(toy_run.results / "variants/D1.vcf.gz", "D1_parental")
    planted = [v for v in truth["germline_variants"] if v["donor"] == "D1"]
    found = sum(
        (v["chrom"], v["pos"], v["ref"], v["alt"]) in calls
        and any(calls[(v["chrom"], v["pos"], v["ref"], v["alt"])][0])
        for v in planted
    )
    assert found / len(planted) > 0.9, f"{found}/{len(planted)} planted germline variants"


def test_acquired_variants_in_line_not_in_parental(toy_run):
    """Autosomal acquired SNVs/indels at allele fraction >= 0.3 are in the joint calls of
    the line only. (A subclonal change on the male X has half the depth; it is left to
    the sensitive acquired-variant check, tested in test_e2e_variants.py, as is the
    donor-mosaic clone, which the parental carries.)"""
    truth = toy_run.truth
    planted = [
        v
        for v in truth["acquired_variants"]
        if v["sample"] == "D1_clone_events"
        and v["origin"] == "acquired"
        and v["expected_af"] >= 0.3
        and v["chrom"] not in ("chrX", "chrY")
    ]
    assert len(planted) >= 3
    line = genotype_calls(toy_run.results / "variants/D1.vcf.gz", "D1_clone_events")
    parental = genotype_calls(toy_run.results / "variants/D1.vcf.gz", "D1_parental")
    for variant in planted:
        key = (variant["chrom"], variant["pos"], variant["ref"], variant["alt"])
        assert key in line, f"acquired {key} (AF {variant['expected_af']}) not called"
        assert any(line[key][0]), f"acquired {key} called but genotyped ref in the line"
        assert not any(parental[key][0]), f"acquired {key} genotyped non-ref in the parental"


def test_subclonal_allele_fraction_measured(toy_run):
    """Read counts in the line's BAM give the planted allele fraction of acquired SNVs."""
    truth = toy_run.truth
    bam = toy_run.results / "alignments/D1_clone_events.bam"
    for variant in truth["acquired_variants"]:
        if variant["sample"] != "D1_clone_events" or variant["type"] != "snv":
            continue
        ref_reads, alt_reads = allele_depths(
            bam, variant["chrom"], variant["pos"], variant["ref"], variant["alt"]
        )
        depth = ref_reads + alt_reads
        assert depth >= 8, f"{variant['chrom']}:{variant['pos']} depth {depth}"
        # binomial spread at this depth, plus a margin for sampling of fragments
        tolerance = 3 * (variant["expected_af"] * (1 - variant["expected_af"]) / depth) ** 0.5
        assert abs(alt_reads / depth - variant["expected_af"]) <= tolerance + 0.05


def test_duplicates_marked(toy_run):
    """samtools markdup marks about the planted PCR duplicate rate."""
    rate = toy_run.truth["duplicate_rate"]
    for sample in toy_run.truth["samples"]:
        text = (toy_run.results / f"qc/markdup/{sample}.markdup.txt").read_text()
        fields = dict(re.findall(r"^([A-Z ]+?): (\d+)$", text, flags=re.MULTILINE))
        duplicates = int(fields["DUPLICATE TOTAL"])
        total = int(fields["READ"])
        assert 0.5 * rate < duplicates / total < 2 * rate, f"{sample}: {duplicates}/{total}"


def test_multiqc_report_has_native_modules(toy_run):
    report = toy_run.results / "report/multiqc_report.html"
    html = report.read_text()
    for module in ("fastp", "samtools", "mosdepth", "bcftools"):
        assert f'id="mqc-module-section-{module}"' in html, f"{module} section missing"
    data = toy_run.results / "report/multiqc_report_data"
    assert (data / "multiqc_samtools_markdup.txt").exists() or any(
        "markdup" in path.name for path in data.iterdir()
    ), "samtools markdup statistics not parsed"
    samples = toy_run.truth["samples"]
    general = (data / "multiqc_general_stats.txt").read_text()
    for sample in samples:
        assert sample in general, f"{sample} missing from General Statistics"
