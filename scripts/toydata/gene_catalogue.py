"""The genes of the toy genome: named genes with their GRCh38 place, strand and
protein length, TP53's real protein and hotspot codons, and the filler-gene count.

Named genes sit on the GRCh38 chromosome (or a stated stand-in chromosome) at the
GRCh38 relative position (position / chromosome length), on the real strand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TP53_PROTEIN = (
    "MEEPQSDPSVEPPLSQETFSDLWKLLPENNVLSPLPSQAMDDLMLSPDDIEQWFTEDPGP"
    "DEAPRMPEAAPPVAPAPAAPTPAAPAPAPSWPLSSSVPSQKTYQGSYGFRLGFLHSGTAK"
    "SVTCTYSPALNKMFCQLAKTCPVQLWVDSTPPPGTRVRAMAIYKQSQHMTEVVRRCPHHE"
    "RCSDSDGLAPPQHLIRVEGNLRVEYLDDRNTFRHSVVVPYEPPEVGSDCTTIHYNYMCNS"
    "SCMGGMNRRPILTIITLEDSSGNLLGRNSFEVRVCACPGRDRRTEEENLRKKGEPHHELP"
    "PGSTKRALPNNTSSSPQPKKKPLDGEYFTLQIRGRERFEMFRELNEALELKDAQAGKEPG"
    "GSRAHSSHLKSKKGQSTSRHKKLMFKTEGPDSD"
)
# codon number (NP_000537) -> the codon in the human reference
TP53_HOTSPOT_CODONS = {
    175: "CGC",
    179: "CAT",
    220: "TAT",
    245: "GGC",
    248: "CGG",
    249: "AGG",
    273: "CGT",
    282: "CGG",
}
# coding bases per coding exon (exons 2-11 of ENST00000269305; exon 1 is non-coding)
TP53_CDS_EXON_LENGTHS = [74, 22, 279, 184, 113, 110, 137, 74, 107, 82]


@dataclass
class GeneSpec:
    name: str
    chrom: str
    rel: float  # centre of the gene / chromosome length (GRCh38 when real)
    strand: str
    n_exons: int
    aa: int  # protein length without the stop codon
    gene_id: str = ""
    transcript_id: str = ""
    protein_id: str = ""
    noncoding_first_exon: bool = False
    forced_codons: dict[int, str] = field(default_factory=dict)
    protein: str | None = None
    category: str = "named"
    note: str = ""


NAMED_GENES = [
    GeneSpec(
        "TP53",
        "chr17",
        0.0922,
        "-",
        11,
        393,
        "ENSG00000141510",
        "ENST00000269305",  # the MANE Select transcript (NM_000546.6, 393 aa)
        "ENSP00000269305",
        True,
        dict(TP53_HOTSPOT_CODONS),
        TP53_PROTEIN,
        category="tumour_suppressor",
        note="17p13.1",
    ),
    GeneSpec("HM13", "chr20", 0.4890, "+", 13, 377, category="20q11.21", note="20q11.21"),
    GeneSpec("ID1", "chr20", 0.4904, "+", 2, 155, category="20q11.21", note="20q11.21"),
    GeneSpec(
        "BCL2L1",
        "chr20",
        0.4913,
        "-",
        3,
        233,
        noncoding_first_exon=True,
        category="20q11.21",
        note="20q11.21; likely driver of the 20q gain",
    ),
    GeneSpec("TPX2", "chr20", 0.4925, "+", 18, 747, category="20q11.21", note="20q11.21"),
    GeneSpec(
        "ASXL1", "chr20", 0.5021, "+", 13, 1541, category="clonal_haematopoiesis", note="20q11.21"
    ),
    GeneSpec("DNMT3B", "chr20", 0.5084, "+", 23, 853, category="20q11.21", note="20q11.21"),
    GeneSpec("LIN28A", "chr1", 0.1061, "+", 4, 209, category="reprogramming", note="1p36.11"),
    GeneSpec(
        "DNMT3A",
        "chr1",
        0.3000,
        "-",
        23,
        912,
        forced_codons={882: "CGC"},
        category="clonal_haematopoiesis",
        note="GRCh38 chr2p23.3; placed on toy chr1 p-arm (chr2 is not in the toy genome)",
    ),
    GeneSpec("MCL1", "chr1", 0.6048, "-", 3, 350, category="1q_gain", note="1q21.2"),
    GeneSpec("MDM4", "chr1", 0.8215, "+", 11, 490, category="1q_gain", note="1q32.1"),
    GeneSpec("GDF3", "chr12", 0.0577, "-", 2, 364, category="12p_gain", note="12p13.31"),
    GeneSpec("NANOG", "chr12", 0.0584, "+", 4, 305, category="12p_gain", note="12p13.31"),
    GeneSpec(
        "KRAS",
        "chr12",
        0.1891,
        "-",
        5,
        189,
        noncoding_first_exon=True,
        category="12p_gain",
        note="12p12.1",
    ),
    GeneSpec(
        "MYC",
        "chr12",
        0.7500,
        "+",
        3,
        439,
        noncoding_first_exon=True,
        category="reprogramming",
        note="GRCh38 chr8q24.21; placed on toy chr12 q-arm",
    ),
    GeneSpec(
        "POU5F1",
        "chr17",
        0.5500,
        "-",
        5,
        360,
        category="reprogramming",
        note="GRCh38 chr6p21.33; placed on toy chr17 q-arm",
    ),
    GeneSpec(
        "SOX2",
        "chr18",
        0.0800,
        "+",
        2,
        317,
        noncoding_first_exon=True,
        category="reprogramming",
        note="GRCh38 chr3q26.33 and intronless in reality; toy chr18 p-arm with a "
        "non-coding first exon so that cDNA reads show an exon junction",
    ),
    GeneSpec(
        "TET2",
        "chr18",
        0.4000,
        "+",
        11,
        2002,
        noncoding_first_exon=True,
        forced_codons={1034: "CAG"},
        category="clonal_haematopoiesis",
        note="GRCh38 chr4q24; placed on toy chr18 q-arm, proximal to 18q21-qter",
    ),
    GeneSpec(
        "KLF4",
        "chr20",
        0.1500,
        "-",
        5,
        513,
        category="reprogramming",
        note="GRCh38 chr9q31.2; placed on toy chr20 p-arm",
    ),
    GeneSpec(
        "BCOR",
        "chrX",
        0.2567,
        "-",
        15,
        1755,
        noncoding_first_exon=True,
        forced_codons={1200: "CGA"},
        category="hpsc_recurrent",
        note="Xp11.4",
    ),
    GeneSpec("SRY", "chrY", 0.0487, "-", 1, 204, category="sex", note="Yp11.2"),
    GeneSpec("KDM5D", "chrY", 0.3440, "-", 27, 1539, category="sex", note="Yq11.223"),
]

N_FILLER_GENES = 30
