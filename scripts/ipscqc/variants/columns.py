"""Column groups the variant tables share, in their order in every table."""

ALLELE_COLUMNS = ["chrom", "pos", "ref", "alt"]
# the annotation of an allele on its transcript (annotation.py adds more columns)
TRANSCRIPT_COLUMNS = ["gene", "transcript", "consequence", "protein_change"]
# alt reads, depth and allele fraction in the line and in its parental
COUNT_COLUMNS = [
    "line_alt",
    "line_depth",
    "line_af",
    "parental_alt",
    "parental_depth",
    "parental_af",
]
# the statistics of the origin decision (origin.py)
ORIGIN_TEST_COLUMNS = [
    "p_line_error",
    "p_parental_error",
    "germline_fraction",
    "p_below_germline",
    "germline_lr",
    "p_parental_at_line_af",
]
