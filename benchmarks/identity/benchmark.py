"""Identity accuracy against depth and site count, and the vector limit of detection,
measured on a finished toy run (real reads, real bcftools calls).

    PYTHONPATH=scripts python benchmarks/identity/benchmark.py --results results \
        --outdir benchmarks/identity
    PYTHONPATH=scripts python benchmarks/identity/benchmark.py contamination [options]
        (simulated read counts, no toy run needed: benchmarks/identity/contamination.py)

Identity: the reads of a same-individual pair (D1_parental, D1_clone_clean) and a
different-individual pair (D1_parental, D2_parental) are subsampled with samtools to
each target depth, genotyped at the run's identity sites with the workflow's own
commands (bcftools mpileup -R | call -C alleles), and random subsets of N sites are
scored with the workflow's pair statistics. A replicate is correct when the same pair
is called 'same' and the different pair is not.

Vectors: the reads on a decoy contig of a line with a known vector load are thinned
at random to lower loads (the genome depth unchanged); a load is detected when at
least min_reads reads remain. An analytic Poisson table gives the 95% limit of
detection at other depths.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from ipscqc.genome import contig_class
from ipscqc.readers.vcf import read_cohort_genotypes as load_cohort_vcf
from ipscqc.relatedness import classify_relationship, pair_statistics
from ipscqc.vectors import EXCLUDED_FLAGS, copies_per_cell, decoy_coverage
from scipy.stats import poisson

SAME = ("D1_parental", "D1_clone_clean")
DIFFERENT = ("D1_parental", "D2_parental")
DEPTHS = [1, 2, 4, 6, 8, 10]
SITE_COUNTS = [25, 50, 100, 200, 500, 1000, 2000, 5000]
MIN_DEPTHS = [2, 8]
REPLICATES = 50


def autosomal_depth(results: Path, sample: str) -> float:
    bins = pd.read_csv(
        results / f"qc/mosdepth/{sample}.regions.bed.gz", sep="\t", header=None,
        names=["chrom", "start", "end", "depth"],
    )  # fmt: skip
    depth = bins.loc[bins["chrom"].map(contig_class) == "autosome", "depth"]
    return float(np.median(depth[depth > 0]))


def genotype_at_depth(results: Path, samples: list[str], target: float, workdir: Path) -> Path:
    """Subsample each BAM to the target depth and genotype them at the identity sites."""
    bams = []
    for sample in samples:
        fraction = min(1.0, target / autosomal_depth(results, sample))
        bam = workdir / f"{sample}.{target}x.bam"
        source = results / f"alignments/{sample}.bam"
        if fraction < 1.0:
            subprocess.run(
                ["samtools", "view", "-b", "--subsample", f"{fraction:.4f}",
                 "--subsample-seed", "11", "-o", str(bam), str(source)],
                check=True,
            )  # fmt: skip
            subprocess.run(["samtools", "index", str(bam)], check=True)
        else:
            bam = source
        bams.append(str(bam))
    vcf = workdir / f"cohort.{target}x.vcf.gz"
    mpileup = subprocess.Popen(
        ["bcftools", "mpileup", "--fasta-ref", str(results / "reference/genome.fa"),
         "--regions-file", str(results / "identity/sites.vcf.gz"),
         "--annotate", "FORMAT/AD,FORMAT/DP", "--min-MQ", "20", "--min-BQ", "20",
         "--output-type", "u", *bams],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        ["bcftools", "call", "--multiallelic-caller", "--constrain", "alleles",
         "--targets-file", str(results / "identity/alleles.tsv.gz"),
         "--output-type", "z", "--output", str(vcf)],
        stdin=mpileup.stdout, check=True, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    mpileup.wait()
    return vcf


def identity_benchmark(results: Path, workdir: Path) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    samples = sorted(set(SAME + DIFFERENT))
    rows = []
    for target in DEPTHS:
        cohort = load_cohort_vcf(str(genotype_at_depth(results, samples, target, workdir)))
        autosomal = np.array([contig_class(c) == "autosome" for c in cohort.chrom])
        cohort = cohort.subset(autosomal)
        depth = cohort.depth
        columns = {sample: cohort.column(sample) for sample in samples}
        total = len(cohort.pos)
        for min_depth in MIN_DEPTHS:
            for n_sites in [n for n in SITE_COUNTS if n <= total] + [total]:
                correct, informative, same_rel, diff_rel = 0, [], [], []
                for _ in range(REPLICATES if n_sites < total else 1):
                    chosen = rng.choice(total, size=n_sites, replace=False)
                    verdicts = []
                    for pair, store in ((SAME, same_rel), (DIFFERENT, diff_rel)):
                        a, b = columns[pair[0]], columns[pair[1]]
                        stats = pair_statistics(
                            cohort.gt[chosen, a], cohort.gt[chosen, b],
                            depth[chosen, a], depth[chosen, b], min_depth,
                        )  # fmt: skip
                        informative.append(stats["informative_sites"])
                        store.append(stats["relatedness"])
                        verdicts.append(
                            classify_relationship(
                                stats["relatedness"], stats["informative_sites"], 1, 0.8, 0.4
                            )
                        )
                    correct += verdicts[0] == "same" and verdicts[1] in ("unrelated", "related")
                replicates = REPLICATES if n_sites < total else 1

                def median(values):
                    values = [v for v in values if v is not None]
                    return float(np.median(values)) if values else None

                rows.append(
                    {
                        "target_depth": target,
                        "min_depth": min_depth,
                        "sites_sampled": n_sites,
                        "median_informative_sites": float(np.median(informative)),
                        "median_relatedness_same": median(same_rel),
                        "median_relatedness_different": median(diff_rel),
                        "accuracy": correct / replicates,
                    }
                )
        print(f"identity: {target}x done", flush=True)
    return pd.DataFrame(rows)


def vector_benchmark(results: Path, sample: str, contig: str, min_reads: int) -> pd.DataFrame:
    import pysam

    depth = autosomal_depth(results, sample)
    with pysam.AlignmentFile(str(results / f"alignments/{sample}.bam")) as bam:
        length = bam.get_reference_length(contig)
        reads = [
            (read.reference_start, read.reference_end)
            for read in bam.fetch(contig)
            if not read.flag & EXCLUDED_FLAGS and read.mapping_quality >= 20
        ]
    full = copies_per_cell(decoy_coverage(reads, length)["mean_depth"], depth)
    rng = np.random.default_rng(3)
    rows = []
    for keep in [1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005]:
        detected, estimates = 0, []
        for _ in range(REPLICATES):
            kept = [r for r in reads if rng.random() < keep]
            estimate = copies_per_cell(decoy_coverage(kept, length)["mean_depth"], depth)
            estimates.append(estimate)
            detected += len(kept) >= min_reads
        rows.append(
            {
                "sample_depth": round(depth, 1),
                "planted_copies_per_cell": full * keep,
                "median_estimate": float(np.median(estimates)),
                "estimate_5th_percentile": float(np.percentile(estimates, 5)),
                "estimate_95th_percentile": float(np.percentile(estimates, 95)),
                "detection_rate": detected / REPLICATES,
            }
        )
    return pd.DataFrame(rows)


def analytic_lod(length: int, read_length: int, min_reads: int) -> pd.DataFrame:
    """Copies per cell detected with 95% probability (Poisson reads >= min_reads)."""
    rows = []
    # smallest mean read count with P(X >= min_reads) >= 0.95
    lam = next(x / 100 for x in range(1, 10_000) if poisson.sf(min_reads - 1, x / 100) >= 0.95)
    for depth in (10, 20, 30, 60, 100):
        copies = lam / ((depth / 2) * length / read_length)
        rows.append({"depth": depth, "vector_length": length, "lod95_copies_per_cell": copies})
    return pd.DataFrame(rows)


def main() -> None:
    if sys.argv[1:2] == ["contamination"]:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from contamination import main as contamination_main

        contamination_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--outdir", type=Path, default=Path("benchmarks/identity"))
    parser.add_argument("--vector-sample", default="D1_clone_events")
    parser.add_argument("--vector-contig", default="toy_oriP_EBNA1")
    parser.add_argument("--min-reads", type=int, default=3)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    vectors = vector_benchmark(args.results, args.vector_sample, args.vector_contig, args.min_reads)
    vectors.to_csv(args.outdir / "vector_lod.tsv", sep="\t", index=False, float_format="%.4g")
    lod = analytic_lod(9000, 150, args.min_reads)
    lod.to_csv(args.outdir / "vector_lod_analytic.tsv", sep="\t", index=False, float_format="%.4g")
    print(vectors.to_string(index=False), lod.to_string(index=False), sep="\n\n", flush=True)
    with tempfile.TemporaryDirectory() as workdir:
        identity = identity_benchmark(args.results, Path(workdir))
    identity.to_csv(
        args.outdir / "identity_vs_depth.tsv", sep="\t", index=False, float_format="%.4g"
    )
    print(identity.to_string(index=False))


if __name__ == "__main__":
    main()
