"""Synthetic GRCh38-sized inputs of the Python analysis steps, written as the tools write
them (FASTA and .fai, mosdepth regions and global distribution, bcftools VCFs and
``bcftools query`` tables, a GFF3, fastp / samtools reports), so that every step reads
the files its workflow job reads.

The run: two donors, each a parental and one line at 30x (D1 female, D2 male); the
per-sample steps work on donor D1's pair, the run-wide ones (panel of normals, identity
sites) read both donors. Identity, sex and contamination also get a cohort of 20 samples
per donor (a parental and 19 lines). Every size is GRCh38's times ``scale`` (1/50 for
``--quick``), chromosome lengths and coordinates included.

Sequence: 1 kb blocks copied from pools of random sequence of 41 GC levels (0.30 to
0.70), the level of each block following a slow wave plus noise; N over the first and
last 10 kb of each chromosome, the short arms of the acrocentric chromosomes and the
heterochromatin of chrY q (about 150 Mb, as GRCh38). Depth: Poisson read counts (150 bp
reads) of 30x with a GC bias, 5% extra noise per bin, 0.5% repeat-like outlier bins, and
the line's planted copy-number events.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

GRCH38 = {
    "chr1": 248_956_422,
    "chr2": 242_193_529,
    "chr3": 198_295_559,
    "chr4": 190_214_555,
    "chr5": 181_538_259,
    "chr6": 170_805_979,
    "chr7": 159_345_973,
    "chr8": 145_138_636,
    "chr9": 138_394_717,
    "chr10": 133_797_422,
    "chr11": 135_086_622,
    "chr12": 133_275_309,
    "chr13": 114_364_328,
    "chr14": 107_043_718,
    "chr15": 101_991_189,
    "chr16": 90_338_345,
    "chr17": 83_257_441,
    "chr18": 80_373_285,
    "chr19": 58_617_616,
    "chr20": 64_444_167,
    "chr21": 46_709_983,
    "chr22": 50_818_468,
    "chrX": 156_040_895,
    "chrY": 57_227_415,
}
REPO = Path(__file__).resolve().parents[2]
BIN = 1000
READ_LENGTH = 150
DEPTH = 30.0
BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
N_CODE = ord("N")
GC_LEVELS = np.round(np.arange(0.30, 0.701, 0.01), 2)
POOL_LENGTH = 1 << 20

# sizes at scale 1 (GRCh38, 30x)
DONOR_VCF_RECORDS = 4_000_000  # germline calls of one donor (85% SNVs)
CANDIDATE_RECORDS = 4_500_000  # candidate alleles of one donor's joint pileup
CANDIDATE_GERMLINE_HETS = 350_000
CANDIDATE_GERMLINE_HOMS = 150_000
ACQUIRED = 24
IDENTITY_SITES = 50_000
GENES = 62_000  # genes of an Ensembl GRCh38 GFF3 (all types)

# approximate GRCh38 starts of the catalogue's genes (the GFF3 places them there)
GENE_PLACES = {
    "TP53": ("chr17", 7_668_402),
    "KRAS": ("chr12", 25_205_246),
    "NRAS": ("chr1", 114_704_469),
    "HRAS": ("chr11", 532_242),
    "BRAF": ("chr7", 140_719_327),
    "PIK3CA": ("chr3", 179_148_114),
    "CTNNB1": ("chr3", 41_194_741),
    "EGFR": ("chr7", 55_019_017),
    "IDH1": ("chr2", 208_236_227),
    "IDH2": ("chr15", 90_083_045),
    "JAK2": ("chr9", 4_985_033),
    "DNMT3A": ("chr2", 25_227_855),
    "AKT1": ("chr14", 104_769_349),
    "GNAS": ("chr20", 58_839_718),
    "SF3B1": ("chr2", 197_388_515),
    "SRSF2": ("chr17", 76_734_115),
    "U2AF1": ("chr21", 43_092_956),
    "BCOR": ("chrX", 40_049_815),
    "BCL2L1": ("chr20", 31_664_452),
    "MDM4": ("chr1", 204_516_378),
}
# the line's copy-number events: chrom, start, end (fractions of the chromosome),
# copies, major copies, fraction of cells
EVENTS = [
    ("chr20", 0.465, 0.495, 3, 2, 0.5),  # 20q11.21 gain (about 2 Mb)
    ("chr1", 0.51, 1.0, 3, 2, 0.3),  # mosaic 1q gain
    ("chr17", 0.75, 1.0, 2, 2, 0.6),  # copy-neutral LOH of distal 17q
    ("chr18", 0.55, 0.75, 1, 1, 0.4),  # mosaic loss on 18q
]


@dataclass
class Sample:
    name: str
    donor: str
    sex: str
    parental: str | None  # None for a parental
    events: list = field(default_factory=list)


def samples_of(donor: str, sex: str, lines: int, events: list) -> list[Sample]:
    parental = Sample(f"{donor}_parental", donor, sex, None)
    return [parental] + [
        Sample(f"{donor}_line{i:02d}", donor, sex, parental.name, events if i == 1 else [])
        for i in range(1, lines + 1)
    ]


def scaled_genome(scale: float) -> dict[str, int]:
    return {chrom: max(200 * BIN, int(length * scale)) for chrom, length in GRCH38.items()}


def centromeres(scale: float) -> pd.DataFrame:
    table = pd.read_csv(
        REPO / "resources/centromeres/GRCh38.bed",
        sep="\t",
        comment="#",
        header=None,
        names=["chrom", "start", "end", "name"],
    )
    return _scaled_bed(table, scale)


def _scaled_bed(table: pd.DataFrame, scale: float) -> pd.DataFrame:
    lengths = scaled_genome(scale)
    table = table.copy()
    for column in ("start", "end"):
        table[column] = (table[column] * scale).astype(np.int64)
    table["end"] = np.minimum(table["end"], table["chrom"].map(lengths))
    table["end"] = np.maximum(table["end"], table["start"] + 1)
    return table


def n_regions(chrom: str, length: int, centromere_start: int, scale: float) -> list[tuple]:
    """0-based half-open N stretches of a chromosome (see the module doc)."""
    edge = max(BIN, int(10_000 * scale)) if scale < 1 else 10_000
    regions = [(0, edge), (length - edge, length)]
    if chrom in ("chr13", "chr14", "chr15", "chr21", "chr22"):
        regions.append((0, int(centromere_start * 0.9)))
    if chrom == "chrY":
        regions.append((int(26_600_000 * scale), int(56_800_000 * scale)))
    return regions


# ---------------------------------------------------------------- sequence


def gc_pools(rng: np.random.Generator) -> np.ndarray:
    """(levels, POOL_LENGTH) random bases, each row of its GC level."""
    pools = np.empty((len(GC_LEVELS), POOL_LENGTH), dtype=np.uint8)
    for i, level in enumerate(GC_LEVELS):
        gc = rng.random(POOL_LENGTH) < level
        pick = rng.integers(0, 2, POOL_LENGTH)
        # A C G T: GC bases are 1 (C) and 2 (G), AT bases 0 (A) and 3 (T)
        code = np.where(gc, 1 + pick, 3 * pick)
        pools[i] = BASES[code]
    return pools


def chromosome_sequence(rng, pools, chrom: str, length: int, gaps: list[tuple]) -> np.ndarray:
    """The bases of one chromosome (uint8 ASCII, upper case)."""
    blocks = math.ceil(length / BIN)
    phase = rng.uniform(0, 2 * np.pi)
    starts = np.arange(blocks) * BIN
    target = 0.41 + 0.06 * np.sin(starts / 1_300_000 + phase) + rng.normal(0, 0.035, blocks)
    level = np.clip(np.round((target - GC_LEVELS[0]) / 0.01), 0, len(GC_LEVELS) - 1)
    level = level.astype(np.intp)
    offset = rng.integers(0, POOL_LENGTH - BIN, blocks)
    sequence = np.empty(blocks * BIN, dtype=np.uint8)
    step, span = 20_000, np.arange(BIN)
    for first in range(0, blocks, step):
        chunk = slice(first, min(first + step, blocks))
        taken = pools[level[chunk, None], offset[chunk, None] + span]
        sequence[first * BIN : chunk.stop * BIN] = taken.ravel()
    sequence = sequence[:length]
    for start, end in gaps:
        sequence[max(0, start) : min(length, end)] = N_CODE
    return sequence


def write_fasta(handle, chrom: str, sequence: np.ndarray, offset: int) -> tuple[str, int]:
    """Write one contig (60 bases a line); returns its .fai line and the new offset."""
    header = f">{chrom}\n".encode()
    handle.write(header)
    start = offset + len(header)
    width = 60
    full = len(sequence) // width * width
    step = width * 200_000
    newline = np.full((1,), ord("\n"), dtype=np.uint8)
    for first in range(0, full, step):
        block = sequence[first : min(first + step, full)].reshape(-1, width)
        lines = np.hstack([block, np.broadcast_to(newline, (len(block), 1))])
        handle.write(lines.tobytes())
    if full < len(sequence):
        handle.write(sequence[full:].tobytes() + b"\n")
    written = full // width * (width + 1) + (
        len(sequence) - full + 1 if full < len(sequence) else 0
    )
    return f"{chrom}\t{len(sequence)}\t{start}\t{width}\t{width + 1}\n", start + written


def bin_content(sequence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GC fraction of the A/C/G/T bases and the A/C/G/T fraction of each bin."""
    blocks = math.ceil(len(sequence) / BIN)
    padded = np.full(blocks * BIN, N_CODE, dtype=np.uint8)
    padded[: len(sequence)] = sequence
    view = padded.reshape(blocks, BIN)
    gc = ((view == ord("G")) | (view == ord("C"))).sum(axis=1)
    acgt = gc + ((view == ord("A")) | (view == ord("T"))).sum(axis=1)
    ends = np.minimum((np.arange(blocks) + 1) * BIN, len(sequence))
    widths = ends - np.arange(blocks) * BIN
    return np.where(acgt > 0, gc / np.maximum(acgt, 1), 0.45), acgt / widths


# ---------------------------------------------------------------- depth


def reference_copies(chrom: str, sex: str) -> float:
    if chrom == "chrX":
        return 1.0 if sex == "male" else 2.0
    if chrom == "chrY":
        return 1.0 if sex == "male" else 0.0
    return 2.0


def event_copies(chrom: str, length: int, events: list, positions: np.ndarray, base: float):
    """Mean copies at positions (0-based) in the cells of a sample with these events,
    and the expected major-allele fraction at heterozygous sites there."""
    from ipscqc.copynumber.model import expected_major_baf

    copies = np.full(len(positions), base)
    major = np.full(len(positions), 0.5)
    for e_chrom, start, end, c, m, f in events:
        if e_chrom != chrom:
            continue
        inside = (positions >= start * length) & (positions < end * length)
        copies[inside] = (1 - f) * base + f * c
        major[inside] = float(expected_major_baf(c, m, f, 2, 1))
    return copies, major


def bin_depth(rng, gc, acgt, copies) -> np.ndarray:
    bias = np.clip(1 + 1.5 * (gc - 0.45) - 6 * (gc - 0.45) ** 2, 0.1, None)
    mean = DEPTH * BIN / READ_LENGTH * bias * copies / 2 * acgt
    mean = mean * rng.lognormal(0, 0.05, len(mean))
    outliers = rng.random(len(mean)) < 0.005
    mean[outliers] *= rng.uniform(0, 3, outliers.sum())
    return rng.poisson(mean) * READ_LENGTH / BIN


# ---------------------------------------------------------------- alleles


def codes_of(sequence: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """0..3 codes (A C G T) of the bases at 0-based positions."""
    lookup = np.zeros(256, dtype=np.int8)
    lookup[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4)
    return lookup[sequence[positions]]


def alleles_at(rng, sequence: np.ndarray, positions: np.ndarray, indel_fraction: float):
    """REF and ALT text of an allele at each 0-based position: SNVs (another base),
    1-4 bp deletions and insertions (positions must leave 5 bases before the end)."""
    ref_code = codes_of(sequence, positions)
    alt_code = (ref_code + rng.integers(1, 4, len(positions))) % 4
    letters = np.array(list("ACGT"), dtype=object)
    ref = letters[ref_code].copy()
    alt = letters[alt_code].copy()
    indel = np.flatnonzero(rng.random(len(positions)) < indel_fraction)
    sizes = rng.integers(1, 5, len(indel))
    deletion = rng.random(len(indel)) < 0.55
    text = sequence.tobytes()
    for i, size, is_deletion in zip(indel, sizes, deletion, strict=True):
        p = int(positions[i])
        anchor = chr(text[p])
        if is_deletion:
            ref[i], alt[i] = text[p : p + size + 1].decode(), anchor
        else:
            ref[i] = anchor
            alt[i] = anchor + "".join(letters[rng.integers(0, 4, size)])
    return ref, alt


def pair_text(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return (pd.Series(first).astype(str) + "," + pd.Series(second).astype(str)).to_numpy()


def strand_split(rng, ref: np.ndarray, alt: np.ndarray):
    ref_fwd, alt_fwd = rng.binomial(ref, 0.5), rng.binomial(alt, 0.5)
    return pair_text(ref_fwd, alt_fwd), pair_text(ref - ref_fwd, alt - alt_fwd)


def random_positions(rng, length: int, count: int, gaps: list[tuple]) -> np.ndarray:
    """About ``count`` distinct sorted 0-based positions outside the gaps and 10 bases
    away from the ends."""
    gapped = sum(min(length, end) - max(0, start) for start, end in gaps) / length
    wanted = int(count * 1.02 / max(0.05, 1 - gapped)) + 10
    drawn = np.unique(rng.integers(10, length - 10, wanted))
    keep = np.ones(len(drawn), dtype=bool)
    for start, end in gaps:
        keep &= ~((drawn >= start - 10) & (drawn < end + 10))
    drawn = drawn[keep]
    if len(drawn) > count:
        drawn = np.sort(rng.choice(drawn, count, replace=False))
    return drawn


# ---------------------------------------------------------------- writing


def gz_text(path: Path):
    return gzip.open(path, "wt", compresslevel=1, newline="\n")


def write_frame(handle, frame: pd.DataFrame, **options) -> None:
    frame.to_csv(handle, sep="\t", header=False, index=False, lineterminator="\n", **options)


VCF_INFO_TAIL = ";VDB=0.52;SGB=-0.69;RPBZ=0.3;MQBZ=0;MQSBZ=0;BQBZ=0.4;SCBZ=0;MQ0F=0;MQ=60"


def vcf_header(samples: list[str], genome: dict[str, int], kind: str) -> str:
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [f"##contig=<ID={c},length={n}>" for c, n in genome.items()]
    lines += [
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">',
        '##INFO=<ID=VDB,Number=1,Type=Float,Description="Variant distance bias">',
        '##INFO=<ID=SGB,Number=1,Type=Float,Description="Segregation based metric">',
        '##INFO=<ID=RPBZ,Number=1,Type=Float,Description="Read position bias">',
        '##INFO=<ID=MQBZ,Number=1,Type=Float,Description="Mapping quality bias">',
        '##INFO=<ID=MQSBZ,Number=1,Type=Float,Description="Mapping quality vs strand">',
        '##INFO=<ID=BQBZ,Number=1,Type=Float,Description="Base quality bias">',
        '##INFO=<ID=SCBZ,Number=1,Type=Float,Description="Soft-clip length bias">',
        '##INFO=<ID=MQ0F,Number=1,Type=Float,Description="Fraction of MQ0 reads">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total alleles">',
        '##INFO=<ID=DP4,Number=4,Type=Integer,Description="ref-fwd, ref-rev, alt-fwd, alt-rev">',
        '##INFO=<ID=MQ,Number=1,Type=Integer,Description="Average mapping quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled likelihoods">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    ]
    if kind == "donor":
        lines += [
            '##FORMAT=<ID=ADF,Number=R,Type=Integer,Description="Forward allelic depths">',
            '##FORMAT=<ID=ADR,Number=R,Type=Integer,Description="Reverse allelic depths">',
            '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        ]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples))
    return "\n".join(lines) + "\n"


def genotype_text(dosage: np.ndarray, haploid: np.ndarray) -> np.ndarray:
    diploid = np.array(["0/0", "0/1", "1/1"], dtype=object)[dosage]
    single = np.array(["0", "1", "1"], dtype=object)[dosage]
    return np.where(haploid, single, diploid)


def pl_text(dosage: np.ndarray, depth: np.ndarray, haploid=False) -> np.ndarray:
    strong = pd.Series(np.minimum(255, 3 * depth + 20)).astype(str).to_numpy()
    diploid = np.where(
        dosage == 1, "255,0," + strong, np.where(dosage == 2, "255," + strong + ",0", "0,90,255")
    )
    single = np.where(dosage >= 1, "255,0", "0," + strong)
    return np.where(haploid, single, diploid)


@dataclass
class Counts:
    """Reference and alternate read counts of one sample at a set of sites."""

    ref: np.ndarray
    alt: np.ndarray

    @property
    def depth(self) -> np.ndarray:
        return self.ref + self.alt


def germline_counts(rng, dosage, copies, major, flip) -> Counts:
    depth = rng.poisson(DEPTH * copies / 2)
    het_fraction = np.where(flip, major, 1 - major)
    fraction = np.where(dosage == 1, het_fraction, np.where(dosage == 2, 0.998, 0.002))
    alt = rng.binomial(depth, fraction)
    return Counts(depth - alt, alt)


def donor_vcf_frame(rng, chrom, positions, ref, alt, dosage, counts: list[Counts], haploid):
    """The rows of one donor's germline VCF (bcftools call -mv -a GQ) on one contig."""
    depth_total = sum(c.depth for c in counts)
    qual = np.where(
        rng.random(len(positions)) < 0.05,
        rng.uniform(3, 19, len(positions)),
        rng.uniform(40, 228, len(positions)),
    )
    frame = {
        "CHROM": chrom,
        "POS": positions + 1,
        "ID": ".",
        "REF": ref,
        "ALT": alt,
        "QUAL": np.round(qual, 2),
        "FILTER": ".",
        "INFO": "DP=" + pd.Series(depth_total).astype(str).to_numpy() + VCF_INFO_TAIL,
        "FORMAT": "GT:PL:DP:ADF:ADR:AD:GQ",
    }
    for index, sample_counts in enumerate(counts):
        adf, adr = strand_split(rng, sample_counts.ref, sample_counts.alt)
        gq = np.where(rng.random(len(positions)) < 0.05, rng.integers(3, 20, len(positions)), 99)
        depth = pd.Series(sample_counts.depth).astype(str).to_numpy()
        frame[f"S{index}"] = (
            genotype_text(dosage, haploid)
            + ":"
            + pl_text(dosage, sample_counts.depth, haploid)
            + ":"
            + depth
            + ":"
            + adf
            + ":"
            + adr
            + ":"
            + pair_text(sample_counts.ref, sample_counts.alt)
            + ":"
            + pd.Series(gq).astype(str).to_numpy()
        )
    return pd.DataFrame(frame)


# ---------------------------------------------------------------- candidate table


def bcsq_values(rng, count: int, genes: list[str]) -> np.ndarray:
    """INFO/BCSQ: '.' for 97% of alleles, else one csq prediction of a gene."""
    values = np.full(count, ".", dtype=object)
    annotated = np.flatnonzero(rng.random(count) < 0.03)
    kinds = ["missense", "synonymous", "intron", "3_prime_utr", "stop_gained", "splice_region"]
    kind = rng.choice(kinds, len(annotated), p=[0.25, 0.2, 0.35, 0.15, 0.02, 0.03])
    gene = rng.choice(genes, len(annotated))
    residue = rng.integers(2, 900, len(annotated))
    for i, k, g, r in zip(annotated, kind, gene, residue, strict=True):
        change = {"missense": f"{r}R>{r}H", "synonymous": f"{r}R", "stop_gained": f"{r}R>{r}*"}
        values[i] = f"{k}|{g}|ENST{r:011d}|protein_coding|+|{change.get(k, '')}|{r}C>T"
    return values


def candidate_frame(
    rng, chrom, sequence, length, gaps, count, germline, acquired, samples, haploid_x
):
    """The rows of one donor's candidate table (bcftools query) on one contig.

    germline: (positions, ref, alt, dosage) of the donor's calls to take from; acquired:
    (positions, ref, alt, fraction) of the line's acquired alleles."""
    g_pos, g_ref, g_alt, g_dose = germline
    het = np.flatnonzero(g_dose == 1)
    hom = np.flatnonzero(g_dose == 2)
    n_het = min(len(het), rng.poisson(count * CANDIDATE_GERMLINE_HETS / CANDIDATE_RECORDS))
    n_hom = min(len(hom), rng.poisson(count * CANDIDATE_GERMLINE_HOMS / CANDIDATE_RECORDS))
    chosen = np.sort(
        np.concatenate(
            [rng.choice(het, n_het, replace=False), rng.choice(hom, n_hom, replace=False)]
        )
    )
    a_pos, a_ref, a_alt, a_fraction = acquired
    n_error = max(0, count - len(chosen) - len(a_pos))
    e_pos = random_positions(rng, length, n_error, gaps)
    e_ref, e_alt = alleles_at(rng, sequence, e_pos, 0.12)
    # a few split multi-allelic records: a second allele at an error position
    extra = rng.choice(len(e_pos), len(e_pos) // 50, replace=False) if len(e_pos) else []
    x_ref, x_alt = alleles_at(rng, sequence, e_pos[extra], 0.0)
    x_alt = np.where(
        x_alt == e_alt[extra],
        np.array(list("ACGT"))[(codes_of(sequence, e_pos[extra]) + 2) % 4],
        x_alt,
    )
    positions = np.concatenate([g_pos[chosen], a_pos, e_pos, e_pos[extra]])
    ref = np.concatenate([g_ref[chosen], a_ref, e_ref, x_ref])
    alt = np.concatenate([g_alt[chosen], a_alt, e_alt, x_alt])
    kind = np.concatenate(
        [
            np.where(g_dose[chosen] == 1, 1, 2),
            np.full(len(a_pos), 3),
            np.zeros(len(e_pos) + len(extra), dtype=int),
        ]
    )
    fraction = np.concatenate(
        [np.zeros(len(chosen)), a_fraction, np.zeros(len(e_pos) + len(extra))]
    )
    order = np.argsort(positions, kind="stable")
    positions, ref, alt, kind, fraction = (x[order] for x in (positions, ref, alt, kind, fraction))
    n = len(positions)
    # error alleles: 1-2 alt reads in one sample or both (at least 2 in one), a few 3
    pattern = rng.choice(7, n, p=[0.38, 0.38, 0.06, 0.06, 0.04, 0.04, 0.04])
    line_error = np.array([2, 0, 2, 1, 2, 3, 0])[pattern]
    parental_error = np.array([0, 2, 1, 2, 2, 0, 3])[pattern]
    flip = rng.random(n) < 0.5
    frame = {
        "CHROM": chrom,
        "POS": positions + 1,
        "REF": ref,
        "ALT": alt,
        "RPBZ": np.where(rng.random(n) < 0.05, ".", np.round(rng.normal(0, 1, n), 3).astype(str)),
        "MQBZ": np.where(rng.random(n) < 0.05, ".", np.round(rng.normal(0, 0.5, n), 3).astype(str)),
        "BCSQ": bcsq_values(rng, n, _annotated_genes()),
    }
    haploid = haploid_x if chrom in ("chrX", "chrY") else False
    for sample in samples:
        is_line = sample.parental is not None
        copies, major = event_copies(
            chrom, length, sample.events, positions, 1.0 if haploid else 2.0
        )
        depth = rng.poisson(DEPTH * copies / 2)
        het_fraction = np.where(flip, major, 1 - major)
        germline_fraction = np.where(kind == 1, 0.5 if haploid else het_fraction, 0.998)
        alt_reads = np.where(kind >= 1, rng.binomial(depth, np.clip(germline_fraction, 0, 1)), 0)
        # acquired alleles: in the line at their fraction, absent from the parental
        acquired_reads = rng.binomial(depth, fraction) if is_line else 0
        alt_reads = np.where(kind == 3, acquired_reads, alt_reads)
        error = line_error if is_line else parental_error
        alt_reads = np.where(kind == 0, np.minimum(error, depth), alt_reads)
        ref_reads = depth - alt_reads
        adf, adr = strand_split(rng, ref_reads, alt_reads)
        frame[f"{sample.name}:AD"] = pair_text(ref_reads, alt_reads)
        frame[f"{sample.name}:ADF"] = adf
        frame[f"{sample.name}:ADR"] = adr
        frame[f"{sample.name}:DP"] = depth
    return pd.DataFrame(frame)


def candidate_header(samples: list[Sample]) -> str:
    names = ["CHROM", "POS", "REF", "ALT", "RPBZ", "MQBZ", "BCSQ"]
    for sample in samples:
        names += [f"{sample.name}:{tag}" for tag in ("AD", "ADF", "ADR", "DP")]
    return "# " + "\t".join(f"[{i}]{name}" for i, name in enumerate(names, start=1)) + "\n"


def _annotated_genes() -> list[str]:
    return list(GENE_PLACES) + [f"GENE{i:05d}" for i in range(1, 400)]


# ---------------------------------------------------------------- hotspots


def hotspot_tables(scale: float, sequence_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """map_hotspots' entries and alleles for the shipped catalogue, each entry's codon at
    its gene's place (``sequence_of(chrom)``: the contig's bases)."""
    from ipscqc.hotspots import read_hotspots

    catalogue = read_hotspots(REPO / "resources/hotspots/hotspots.tsv")
    entries, alleles = [], []
    for index, entry in enumerate(catalogue.itertuples(index=False)):
        chrom, start = GENE_PLACES.get(entry.gene, ("chr1", 1_000_000))
        codon = int(start * scale) + 5_000 + 3 * (entry.residue % 500) + 9 * index
        positions = [codon, codon + 1, codon + 2]  # 1-based
        sequence = sequence_of(chrom)
        entries.append(
            {
                "gene": entry.gene,
                "protein_change": entry.protein_change,
                "category": entry.category,
                "source": entry.source,
                "transcript": entry.transcript or f"ENST{index:011d}",
                "transcript_note": "",
                "chrom": chrom,
                "strand": "+",
                "codon_positions": ",".join(map(str, positions)),
                "ref_codon": "",
                "ref_aa_found": entry.ref_aa,
                "status": "mapped",
            }
        )
        changes = [entry.alt_aa] if entry.alt_aa else ["D", "V", "A"]
        for k, change in enumerate(changes):
            pos = positions[1] if len(changes) == 1 else positions[k % 3]
            ref = chr(sequence[pos - 1])
            alt = "ACGT"[("ACGT".index(ref) + 1 + k) % 4]
            alleles.append(
                {
                    "gene": entry.gene,
                    "protein_change": entry.protein_change,
                    "category": entry.category,
                    "source": entry.source,
                    "transcript": entries[-1]["transcript"],
                    "chrom": chrom,
                    "pos": pos,
                    "ref": ref,
                    "alt": alt,
                    "variant_protein_change": f"{entry.ref_aa}{entry.residue}{change}",
                }
            )
    return pd.DataFrame(entries), pd.DataFrame(alleles)


def hotspot_pileup(rng, entries: pd.DataFrame, samples, sequence_of):
    """``bcftools query`` of the forced genotyping at every codon base (HOTSPOT_FIELDS)."""
    names = ["CHROM", "POS", "REF", "ALT"]
    for sample in samples:
        names += [f"{sample.name}:{tag}" for tag in ("AD", "ADF", "ADR", "DP")]
    lines = ["# " + "\t".join(f"[{i}]{n}" for i, n in enumerate(names, start=1))]
    positions = sorted(
        {
            (row.chrom, int(p))
            for row in entries.itertuples()
            for p in row.codon_positions.split(",")
        }
    )
    for chrom, pos in positions:
        ref = chr(sequence_of(chrom)[pos - 1])
        cells = [chrom, str(pos), ref, "<*>"]
        for _ in samples:
            depth = int(rng.poisson(DEPTH))
            half = depth // 2
            cells += [f"{depth},0", f"{half},0", f"{depth - half},0", str(depth)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- annotation


def write_gff3(path: Path, rng, genome: dict[str, int], scale: float) -> int:
    """An Ensembl-style GFF3: genes (protein coding, ncRNA, pseudogenes), transcripts,
    exons and CDS in GRCh38's numbers times ``scale``; returns the feature lines."""
    total = sum(genome.values())
    genes = max(len(GENE_PLACES) + 10, int(GENES * scale))
    named = dict(GENE_PLACES)
    lines = 0
    with gz_text(path) as out:
        out.write("##gff-version 3\n")
        for chrom, length in genome.items():
            count = max(2, int(genes * length / total))
            starts = np.sort(rng.integers(20_000, max(20_001, length - 200_000), count))
            placed = [int(p * scale) for c, p in named.values() if c == chrom]
            starts = np.concatenate([starts, np.array(placed, dtype=np.int64)])
            names = [f"G{chrom[3:]}_{i:05d}" for i in range(count)]
            names += [g for g, (c, _) in named.items() if c == chrom]
            for name, start in zip(names, starts, strict=True):
                kind = (
                    "gene"
                    if name in named
                    else rng.choice(["gene", "ncRNA_gene", "pseudogene"], p=[0.33, 0.4, 0.27])
                )
                span = int(min(rng.lognormal(9.5, 1.2), 500_000))
                end = min(length - 1, start + span)
                strand = "+" if rng.random() < 0.5 else "-"
                gene_id = f"ENSG{lines:011d}"
                biotype = {"gene": "protein_coding", "ncRNA_gene": "lncRNA"}.get(kind, "pseudo")
                out.write(
                    f"{chrom}\tensembl\t{kind}\t{start}\t{end}\t.\t{strand}\t.\t"
                    f"ID=gene:{gene_id};Name={name};biotype={biotype}\n"
                )
                lines += 1
                transcripts = 1 + rng.poisson(5.5 if kind == "gene" else 1.5)
                for t in range(transcripts):
                    tid = f"ENST{lines:011d}"
                    ttype = {"gene": "mRNA", "ncRNA_gene": "lnc_RNA"}.get(kind, "transcript")
                    tag = ";tag=Ensembl_canonical" if t == 0 else ""
                    out.write(
                        f"{chrom}\tensembl\t{ttype}\t{start}\t{end}\t.\t{strand}\t.\t"
                        f"ID=transcript:{tid};Parent=gene:{gene_id};"
                        f"biotype={biotype}{tag}\n"
                    )
                    lines += 1
                    exons = 1 + rng.poisson(7 if kind == "gene" else 2)
                    cuts = np.sort(rng.integers(start, end + 1, 2 * exons))
                    for e in range(exons):
                        a, b = int(cuts[2 * e]), int(max(cuts[2 * e] + 1, cuts[2 * e + 1]))
                        out.write(
                            f"{chrom}\tensembl\texon\t{a}\t{b}\t.\t{strand}\t.\t"
                            f"Parent=transcript:{tid};exon_number={e + 1}\n"
                        )
                        lines += 1
                        if kind == "gene" and 0 < e < exons - 1 or (kind == "gene" and exons == 1):
                            out.write(
                                f"{chrom}\tensembl\tCDS\t{a}\t{b}\t.\t{strand}\t0\t"
                                f"ID=CDS:P{tid[4:]};Parent=transcript:{tid}\n"
                            )
                            lines += 1
    return lines


# ---------------------------------------------------------------- identity cohort


def cohort_vcf(
    path: Path,
    rng,
    genome: dict[str, int],
    gaps,
    samples: list[Sample],
    sites: int,
    contaminated: dict[str, tuple[str, float]],
) -> int:
    """The cohort genotypes at the identity sites (bcftools mpileup -R | call -C alleles):
    autosomal and chrX SNVs along the genome; each donor's genotypes from population
    frequencies, every sample of a donor carrying them; ``contaminated``: sample ->
    (source donor, fraction of its DNA)."""
    chromosomes = [c for c in genome if c != "chrY"]
    total = sum(genome[c] for c in chromosomes)
    donors = sorted({s.donor for s in samples})
    sex = {s.donor: s.sex for s in samples}
    frames = []
    for chrom in chromosomes:
        count = max(5, int(sites * genome[chrom] / total))
        positions = random_positions(rng, genome[chrom], count, gaps[chrom])
        frequency = rng.uniform(0.05, 0.95, len(positions))
        dosage = {}
        for donor in donors:
            haploid = chrom == "chrX" and sex[donor] == "male"
            dosage[donor] = (
                2 * (rng.random(len(positions)) < frequency)
                if haploid
                else rng.binomial(2, frequency)
            )
        ref_code = rng.integers(0, 4, len(positions))
        letters = np.array(list("ACGT"))
        frame = {
            "CHROM": chrom,
            "POS": positions + 1,
            "ID": ".",
            "REF": letters[ref_code],
            "ALT": letters[(ref_code + 1 + rng.integers(0, 3, len(positions))) % 4],
            "QUAL": np.round(rng.uniform(20, 200, len(positions)), 1),
            "FILTER": ".",
            "INFO": "DP="
            + pd.Series(rng.poisson(DEPTH * len(samples), len(positions))).astype(str).to_numpy()
            + ";AC=2;AN=4;DP4=10,10,10,10;MQ=60",
            "FORMAT": "GT:PL:DP:AD",
        }
        for sample in samples:
            own = dosage[sample.donor] / 2
            fraction = own
            if sample.name in contaminated:
                source, share = contaminated[sample.name]
                fraction = (1 - share) * own + share * dosage[source] / 2
            depth = rng.poisson(DEPTH, len(positions))
            alt = rng.binomial(depth, np.clip(fraction, 0.002, 0.998))
            called = np.where(alt < 0.15 * depth, 0, np.where(alt > 0.85 * depth, 2, 1))
            haploid = chrom == "chrX" and sample.sex == "male"
            missing = depth == 0
            gt = np.where(missing, "./.", genotype_text(called, np.full(len(called), haploid)))
            frame[sample.name] = (
                gt
                + ":"
                + pl_text(called, depth, haploid)
                + ":"
                + pd.Series(depth).astype(str).to_numpy()
                + ":"
                + pair_text(depth - alt, alt)
            )
        frames.append(pd.DataFrame(frame))
    table = pd.concat(frames, ignore_index=True)
    with gz_text(path) as out:
        out.write(vcf_header([s.name for s in samples], genome, "cohort"))
        write_frame(out, table)
    return len(table)


# ---------------------------------------------------------------- small reports


def fastp_report(reads: int) -> dict:
    bases = reads * 148
    return {
        "summary": {
            "before_filtering": {"total_reads": int(reads * 1.01), "total_bases": bases},
            "after_filtering": {
                "total_reads": reads,
                "total_bases": bases,
                "q30_bases": int(bases * 0.92),
            },
        }
    }


def samtools_stats(reads: int) -> str:
    return (
        "# synthetic samtools stats\n"
        f"SN\traw total sequences:\t{reads}\t# excluding supplementary\n"
        f"SN\treads mapped:\t{int(reads * 0.995)}\n"
        f"SN\treads duplicated:\t{int(reads * 0.08)}\n"
    )


def markdup_stats(reads: int) -> str:
    return (
        "COMMAND: samtools markdup -f stats.txt\n"
        f"READ: {reads}\nEXAMINED: {reads}\n"
        f"DUPLICATE PRIMARY TOTAL: {int(reads * 0.08)}\n"
    )


def mosdepth_summary(path: Path, genome: dict[str, int], mean: dict[str, float]) -> None:
    lines = ["chrom\tlength\tbases\tmean\tmin\tmax"]
    for chrom, length in genome.items():
        depth = mean.get(chrom, 0.0)
        lines.append(f"{chrom}\t{length}\t{int(length * depth)}\t{depth:.2f}\t0\t{int(depth * 5)}")
    total = sum(genome.values())
    bases = sum(int(length * mean.get(c, 0.0)) for c, length in genome.items())
    lines.append(f"total\t{total}\t{bases}\t{bases / total:.2f}\t0\t500")
    path.write_text("\n".join(lines) + "\n")


def mosdepth_distribution(path: Path, rng, depth: float) -> None:
    """Global distribution (total rows): fraction of bases at each depth or more."""
    values = rng.poisson(depth, 2_000_000)
    values[rng.random(len(values)) < 0.08] = 0  # gaps and unmappable bases
    counts = np.bincount(values)
    cumulative = counts[::-1].cumsum()[::-1] / len(values)
    rows = [f"total\t{d}\t{cumulative[d]:.2f}" for d in range(len(cumulative) - 1, -1, -1)]
    path.write_text("\n".join(rows) + "\n")


# ---------------------------------------------------------------- everything


def generate(folder: Path, scale: float, cohort_size: int = 20, seed: int = 38) -> dict:
    """Write every input under ``folder``; returns the manifest (paths, names, sizes).
    The identity cohorts: ``pairs`` (2 samples per donor) and ``cohort`` (``cohort_size``
    samples per donor)."""
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    genome = scaled_genome(scale)
    cen = centromeres(scale)
    cen_start = dict(zip(cen["chrom"], cen["start"], strict=True))
    gaps = {c: n_regions(c, n, cen_start[c], scale) for c, n in genome.items()}
    donors = {
        "D1": samples_of("D1", "female", 1, EVENTS),
        "D2": samples_of("D2", "male", 1, []),
    }
    pair = donors["D1"]
    paths = {
        "fasta": folder / "genome.fa",
        "centromeres": folder / "centromeres.bed",
        "recurrent": folder / "recurrent.bed",
        "drivers": folder / "drivers.bed",
        "annotation": folder / "genes.gff3.gz",
        "hotspot_entries": folder / "hotspot_entries.tsv",
        "hotspot_alleles": folder / "hotspot_alleles.tsv",
    }
    cen.to_csv(paths["centromeres"], sep="\t", header=False, index=False)
    for name, source in (("recurrent", "GRCh38.bed"), ("drivers", "GRCh38.drivers.bed")):
        table = pd.read_csv(
            REPO / "resources/recurrent_regions" / source,
            sep="\t",
            comment="#",
            header=None,
            dtype=str,
        )
        table[[1, 2]] = _scaled_bed(
            table.rename(columns={0: "chrom", 1: "start", 2: "end"}).astype(
                {"start": np.int64, "end": np.int64}
            ),
            scale,
        )[["start", "end"]].to_numpy()
        table.to_csv(paths[name], sep="\t", header=False, index=False)
    for donor in donors:
        paths[f"donor_vcf_{donor}"] = folder / f"{donor}.vcf.gz"
        paths[f"candidates_{donor}"] = folder / f"{donor}.candidates.tsv.gz"
    for sample in pair + donors["D2"]:
        paths[f"regions_{sample.name}"] = folder / f"{sample.name}.regions.bed.gz"

    acquired_per_chrom = _acquired_sites(rng, genome, gaps)
    pools = gc_pools(rng)
    fai, offset = [], 0
    sizes = {"bins": 0, "donor_vcf_records": 0, "candidate_records": 0, "parental_hets": 0}
    regions = {s.name: gz_text(paths[f"regions_{s.name}"]) for s in pair + donors["D2"]}
    vcfs = {d: gz_text(paths[f"donor_vcf_{d}"]) for d in donors}
    candidates = {d: gz_text(paths[f"candidates_{d}"]) for d in donors}
    for donor, members in donors.items():
        vcfs[donor].write(vcf_header([s.name for s in members], genome, "donor"))
        candidates[donor].write(candidate_header(members))
    kept_sequences = {}
    hotspot_chroms = {c for c, _ in GENE_PLACES.values()}
    autosomal_mean: dict[str, float] = {}
    with open(paths["fasta"], "wb") as fasta:
        for chrom, length in genome.items():
            sequence = chromosome_sequence(rng, pools, chrom, length, gaps[chrom])
            line, offset = write_fasta(fasta, chrom, sequence, offset)
            fai.append(line)
            gc, acgt = bin_content(sequence)
            starts = np.arange(len(gc), dtype=np.int64) * BIN
            ends = np.minimum(starts + BIN, length)
            sizes["bins"] += len(gc)
            for sample in pair + donors["D2"]:
                base = reference_copies(chrom, sample.sex)
                copies, _ = event_copies(chrom, length, sample.events, starts + BIN // 2, base)
                if base == 0:
                    copies = np.full(len(gc), 0.002)  # a few mismapped reads on chrY
                depth = bin_depth(rng, gc, acgt, copies)
                if sample.name == pair[1].name:
                    autosomal_mean[chrom] = float(depth.mean())
                write_frame(
                    regions[sample.name],
                    pd.DataFrame({"c": chrom, "s": starts, "e": ends, "d": depth}),
                    float_format="%.2f",
                )
            for donor, members in donors.items():
                sex = members[0].sex
                haploid_chrom = sex == "male" and chrom in ("chrX", "chrY")
                if sex == "female" and chrom == "chrY":
                    germline = (
                        np.zeros(0, np.int64),
                        np.zeros(0, object),
                        np.zeros(0, object),
                        np.zeros(0, np.int64),
                    )
                else:
                    count = int(DONOR_VCF_RECORDS * scale * length / sum(genome.values()))
                    positions = random_positions(rng, length, count, gaps[chrom])
                    ref, alt = alleles_at(rng, sequence, positions, 0.15)
                    dosage = np.where(rng.random(len(positions)) < 0.6, 1, 2)
                    if haploid_chrom:
                        dosage[:] = 2
                    counts = []
                    flip = rng.random(len(positions)) < 0.5
                    for sample in members:
                        base = 1.0 if haploid_chrom else 2.0
                        copies, major = event_copies(chrom, length, sample.events, positions, base)
                        counts.append(germline_counts(rng, dosage, copies, major, flip))
                    frame = donor_vcf_frame(
                        rng,
                        chrom,
                        positions,
                        ref,
                        alt,
                        dosage,
                        counts,
                        np.full(len(positions), haploid_chrom),
                    )
                    write_frame(vcfs[donor], frame)
                    sizes["donor_vcf_records"] += len(frame) if donor == "D1" else 0
                    if donor == "D1":
                        snv = np.array(
                            [len(r) == 1 == len(a) for r, a in zip(ref, alt, strict=True)]
                        )
                        sizes["parental_hets"] += int(((dosage == 1) & snv).sum())
                    germline = (positions, ref, alt, dosage)
                count = int(CANDIDATE_RECORDS * scale * length / sum(genome.values()))
                if sex == "female" and chrom == "chrY":
                    count = 0
                acquired = acquired_per_chrom.get(chrom) if donor == "D1" else None
                if acquired is None:
                    acquired = (
                        np.zeros(0, np.int64),
                        np.zeros(0, object),
                        np.zeros(0, object),
                        np.zeros(0),
                    )
                else:
                    a_pos, fractions = acquired
                    a_ref, a_alt = alleles_at(rng, sequence, a_pos, 0.0)
                    acquired = (a_pos, a_ref, a_alt, fractions)
                frame = candidate_frame(
                    rng,
                    chrom,
                    sequence,
                    length,
                    gaps[chrom],
                    count,
                    germline,
                    acquired,
                    members,
                    sex == "male",
                )
                if donor == "D1":
                    sizes["candidate_records"] += len(frame)
                write_frame(candidates[donor], frame)
            if chrom in hotspot_chroms:
                kept_sequences[chrom] = sequence
    for handle in [*regions.values(), *vcfs.values(), *candidates.values()]:
        handle.close()
    Path(f"{paths['fasta']}.fai").write_text("".join(fai))

    entries, alleles = hotspot_tables(scale, kept_sequences.__getitem__)
    entries.to_csv(paths["hotspot_entries"], sep="\t", index=False)
    alleles.to_csv(paths["hotspot_alleles"], sep="\t", index=False)
    for donor, members in donors.items():
        paths[f"hotspot_pileup_{donor}"] = folder / f"{donor}.hotspots.tsv"
        paths[f"hotspot_pileup_{donor}"].write_text(
            hotspot_pileup(rng, entries, members, kept_sequences.__getitem__)
        )
    kept_sequences.clear()
    sizes["gff3_lines"] = write_gff3(paths["annotation"], rng, genome, scale)

    # read QC reports of the line; depth distributions of the pair
    reads = int(2 * DEPTH * sum(genome.values()) / READ_LENGTH)
    line = pair[1]
    paths["fastp"] = folder / f"{line.name}.fastp.json"
    paths["fastp"].write_text(json.dumps(fastp_report(reads // 2)))
    paths["samtools_stats"] = folder / f"{line.name}.stats.txt"
    paths["samtools_stats"].write_text(samtools_stats(reads))
    paths["markdup"] = folder / f"{line.name}.markdup.txt"
    paths["markdup"].write_text(markdup_stats(reads))
    paths["mosdepth_summary"] = folder / f"{line.name}.mosdepth.summary.txt"
    mosdepth_summary(paths["mosdepth_summary"], genome, autosomal_mean)
    for sample in pair:
        paths[f"dist_{sample.name}"] = folder / f"{sample.name}.mosdepth.global.dist.txt"
        mosdepth_distribution(paths[f"dist_{sample.name}"], rng, DEPTH)

    # identity cohorts: 2 and 20 samples per donor
    cohorts = {}
    for label, per_donor in (("pairs", 2), ("cohort", cohort_size)):
        members = samples_of("D1", "female", per_donor - 1, []) + samples_of(
            "D2", "male", per_donor - 1, []
        )
        contaminated = {"D1_line01": ("D2", 0.03)}
        vcf = folder / f"{label}.vcf.gz"
        records = cohort_vcf(
            vcf, rng, genome, gaps, members, int(IDENTITY_SITES * scale), contaminated
        )
        region_paths = {}
        for member in members:
            source = paths[
                f"regions_{member.donor}_{'parental' if not member.parental else 'line01'}"
            ]
            target = folder / f"{label}.{member.name}.regions.bed.gz"
            if not target.exists():
                target.hardlink_to(source)
            region_paths[member.name] = str(target)
        cohorts[label] = {
            "per_donor": per_donor,
            "vcf": str(vcf),
            "sites": records,
            "samples": [m.name for m in members],
            "sheet": {
                m.name: {"donor": m.donor, "parental": m.parental or "", "sex": m.sex}
                for m in members
            },
            "regions": region_paths,
        }

    manifest = {
        "scale": scale,
        "seed": seed,
        "genome": genome,
        "paths": {key: str(value) for key, value in paths.items()},
        "donors": {d: [s.name for s in members] for d, members in donors.items()},
        "sheet": {
            s.name: {"donor": s.donor, "parental": s.parental or "", "sex": s.sex}
            for members in donors.values()
            for s in members
        },
        "pair": {"parental": pair[0].name, "line": pair[1].name},
        "cohorts": cohorts,
        "sizes": sizes,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def _acquired_sites(rng, genome, gaps) -> dict:
    """The line's acquired alleles: positions (0-based) and allele fractions by contig."""
    chromosomes = [c for c in genome if c != "chrY"]
    chosen = rng.choice(chromosomes, ACQUIRED)
    out = {}
    for chrom in sorted(set(chosen)):
        count = int((chosen == chrom).sum())
        positions = random_positions(rng, genome[chrom], count, gaps[chrom])
        out[chrom] = (positions, rng.uniform(0.1, 0.5, len(positions)))
    return out


if __name__ == "__main__":
    import sys

    generate(Path(sys.argv[1]), float(sys.argv[2]), cohort_size=int(sys.argv[3]))
