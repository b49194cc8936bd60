"""One reader per file format the checks read: mosdepth, BED, GFF3, VCF, FASTA and
``bcftools query`` tables. Readers parse; they never decide."""
