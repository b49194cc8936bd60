"""Ploidy of the sex chromosomes for bcftools call (--ploidy-file, --samples-file).

Males are haploid on chrX outside the pseudoautosomal regions (PARs) and on chrY;
females have two X and no Y; the mitochondrion is haploid in everyone. A sample of
unknown declared sex is called as female (diploid X), so that heterozygous X calls,
evidence for the sex check, are not lost. Contig classes and PARs come from the genome
model. Coordinates in the ploidy file are 1-based and inclusive, as bcftools expects.
"""

from __future__ import annotations

from ipscqc.genome import GenomeModel


def ploidy_lines(contig_lengths: dict[str, int], genome: GenomeModel) -> list[str]:
    """Lines of a bcftools ploidy file: 'chrom start end sex ploidy' (default 2)."""
    lines = []
    for contig, length in contig_lengths.items():
        kind = genome.contig_class(contig)
        if kind == "X":
            start = 1
            for par_start, par_end in genome.pseudoautosomal(contig):
                if par_start > start:
                    lines.append(f"{contig}\t{start}\t{par_start - 1}\tM\t1")
                start = par_end + 1
            if start <= length:
                lines.append(f"{contig}\t{start}\t{length}\tM\t1")
        elif kind == "Y":
            lines.append(f"{contig}\t1\t{length}\tM\t1")
            lines.append(f"{contig}\t1\t{length}\tF\t0")
        elif kind == "mitochondrion":
            lines.append(f"{contig}\t1\t{length}\tM\t1")
            lines.append(f"{contig}\t1\t{length}\tF\t1")
    lines.append("*\t*\t*\tM\t2")
    lines.append("*\t*\t*\tF\t2")
    return lines


def sample_sex_lines(declared_sex: dict[str, str]) -> list[str]:
    """Lines of a bcftools samples file: 'sample M|F'; unknown sex is called as F."""
    return [
        f"{sample}\t{'M' if sex == 'male' else 'F'}" for sample, sex in sorted(declared_sex.items())
    ]
