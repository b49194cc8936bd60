"""The toy data set generator (scripts/toydata) against its own planted truth.

Most tests build a small data set (genome_scale 0.1, coverage_scale 0.1; a few
seconds) once per session. Checks that need real tools (bwa, samtools, bcftools) are
skipped when a tool is missing. The allele-fraction check needs depth and is slow.

Coordinates: truth variant ``pos`` is 1-based; intervals are 0-based half-open.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from toydata import GENERATOR_VERSION, build
from toydata.dataset import source_digest

REPO = Path(__file__).resolve().parents[1]
SMALL = {"genome_scale": 0.1, "coverage_scale": 0.1}
ADAPTER = "AGATCGGAAGAGC"
SAMPLES = ["D1_parental", "D1_clone_clean", "D1_clone_events", "D1_clone_swap", "D2_parental"]

# standard genetic code, codons in TCAG order
_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODONS = {
    a + b + c: _AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}
# UniProt P04637 (NP_000537), 393 residues
TP53_PROTEIN = (
    "MEEPQSDPSVEPPLSQETFSDLWKLLPENNVLSPLPSQAMDDLMLSPDDIEQWFTEDPGP"
    "DEAPRMPEAAPPVAPAPAAPTPAAPAPAPSWPLSSSVPSQKTYQGSYGFRLGFLHSGTAK"
    "SVTCTYSPALNKMFCQLAKTCPVQLWVDSTPPPGTRVRAMAIYKQSQHMTEVVRRCPHHE"
    "RCSDSDGLAPPQHLIRVEGNLRVEYLDDRNTFRHSVVVPYEPPEVGSDCTTIHYNYMCNS"
    "SCMGGMNRRPILTIITLEDSSGNLLGRNSFEVRVCACPGRDRRTEEENLRKKGEPHHELP"
    "PGSTKRALPNNTSSSPQPKKKPLDGEYFTLQIRGRERFEMFRELNEALELKDAQAGKEPG"
    "GSRAHSSHLKSKKGQSTSRHKKLMFKTEGPDSD"
)


# ------------------------------------------------------------------ helpers


def revcomp(seq: str) -> str:
    return seq.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]


def translate(cds: str) -> str:
    return "".join(CODONS.get(cds[i : i + 3], "X") for i in range(0, len(cds) - 2, 3))


def read_fasta(path: Path) -> dict[str, str]:
    records: dict[str, list[str]] = {}
    name = None
    for line in path.read_text().splitlines():
        if line.startswith(">"):
            name = line[1:].split()[0]
            records[name] = []
        else:
            records[name].append(line)
    return {k: "".join(v) for k, v in records.items()}


def read_fastq(path: Path) -> tuple[list[str], list[str], list[str]]:
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    return lines[0::4], lines[1::4], lines[3::4]


def parse_gff(path: Path) -> dict[str, dict]:
    """transcript id -> {gene, chrom, strand, exons, cds: [(start0, end, phase)]}."""
    transcripts: dict[str, dict] = {}
    genes: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        chrom, _, ftype, start, end, _, strand, phase, attrs = line.split("\t")
        a = dict(kv.split("=", 1) for kv in attrs.split(";"))
        if ftype == "gene":
            genes[a["ID"]] = a["Name"]
        elif ftype == "mRNA":
            transcripts[a["ID"].removeprefix("transcript:")] = {
                "gene": genes[a["Parent"]],
                "chrom": chrom,
                "strand": strand,
                "exons": [],
                "cds": [],
                "biotype": a.get("biotype"),
            }
        elif ftype in ("exon", "CDS"):
            t = transcripts[a["Parent"].removeprefix("transcript:")]
            key = "exons" if ftype == "exon" else "cds"
            t[key].append((int(start) - 1, int(end), phase))
    return transcripts


def cds_sequence(genome: dict[str, str], tx: dict) -> tuple[str, list[int]]:
    """Coding sequence in transcript orientation and the 0-based genomic position of
    each coding base."""
    positions: list[int] = []
    for start, end, _ in sorted(tx["cds"]):
        positions.extend(range(start, end))
    plus = "".join(genome[tx["chrom"]][p] for p in positions)
    if tx["strand"] == "-":
        return revcomp(plus), positions[::-1]
    return plus, positions


def by_gene(transcripts: dict[str, dict], name: str) -> dict:
    return next(t for t in transcripts.values() if t["gene"] == name)


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} on PATH")


def run(cmd: list[str] | str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def kmer_allele_fraction(reads_blob: bytes, genome: dict[str, str], v: dict, flank: int):
    """Alt/(ref+alt) from exact k-mers across the site, both strands."""
    p0 = v["pos"] - 1
    seq = genome[v["chrom"]]
    left, right = seq[p0 - flank : p0], seq[p0 + len(v["ref"]) : p0 + len(v["ref"]) + flank]
    ref_k, alt_k = left + v["ref"] + right, left + v["alt"] + right
    ref_n = sum(reads_blob.count(k.encode()) for k in (ref_k, revcomp(ref_k)))
    alt_n = sum(reads_blob.count(k.encode()) for k in (alt_k, revcomp(alt_k)))
    return alt_n, ref_n


def read_sequences(paths: list[Path]) -> np.ndarray:
    """All reads of FASTQ files as an (n x 150) uint8 array."""
    seqs = [s for path in paths for s in read_fastq(path)[1]]
    return np.frombuffer("".join(seqs).encode(), dtype=np.uint8).reshape(len(seqs), -1)


_CODE = np.full(256, -1, dtype=np.int64)
for _i, _b in enumerate(b"ACGT"):
    _CODE[_b] = _i


def _kmer_codes(arr: np.ndarray, k: int) -> np.ndarray:
    """2-bit codes of every k-mer of every row (-1 where the k-mer holds a non-ACGT)."""
    bases = _CODE[arr]
    width = arr.shape[1] - k + 1
    codes = np.zeros((arr.shape[0], width), dtype=np.int64)
    bad = np.zeros((arr.shape[0], width), dtype=bool)
    for j in range(k):
        window = bases[:, j : j + width]
        codes = codes * 4 + np.maximum(window, 0)
        bad |= window < 0
    codes[bad] = -1
    return codes


def count_kmers(reads: np.ndarray, kmers: list[str]) -> dict[str, int]:
    """Occurrences of each k-mer (as written: no reverse complement) in the reads."""
    if not kmers:
        return {}
    lengths = {len(x) for x in kmers}
    if len(lengths) > 1:
        out: dict[str, int] = {}
        for k in sorted(lengths):
            out.update(count_kmers(reads, [x for x in kmers if len(x) == k]))
        return out
    k = len(kmers[0])
    as_rows = np.frombuffer("".join(kmers).encode(), dtype=np.uint8).reshape(len(kmers), k)
    wanted = _kmer_codes(as_rows, k)[:, 0]
    found: dict[int, int] = {}
    for lo in range(0, len(reads), 20_000):  # in chunks: bounded memory
        codes = _kmer_codes(reads[lo : lo + 20_000], k).ravel()
        values, counts = np.unique(codes[np.isin(codes, wanted)], return_counts=True)
        for value, count in zip(values.tolist(), counts.tolist(), strict=True):
            found[value] = found.get(value, 0) + count
    return {kmer: found.get(int(code), 0) for kmer, code in zip(kmers, wanted, strict=True)}


_READS: dict[tuple[str, str], np.ndarray] = {}


def sample_reads(outdir: Path, truth: dict, sample: str) -> np.ndarray:
    """All reads of a sample (read once per session and data set)."""
    key = (str(outdir), sample)
    if key not in _READS:
        units = truth["samples"][sample]["units"]
        _READS[key] = read_sequences([outdir / f for u in units for f in u["fastq"]])
    return _READS[key]


def site_kmers(seq: str, pos0: int, ref: str, alt: str, flank: int) -> tuple[str, str]:
    left, right = seq[pos0 - flank : pos0], seq[pos0 + len(ref) : pos0 + len(ref) + flank]
    return left + ref + right, left + alt + right


def allele_counts(reads: np.ndarray, sites: list[tuple[str, str]]) -> tuple[int, int]:
    """Summed (alt, ref) k-mer counts over sites given as (ref k-mer, alt k-mer), both
    strands."""
    kmers = sorted({x for pair in sites for kmer in pair for x in (kmer, revcomp(kmer))})
    counts = count_kmers(reads, kmers)
    alt = sum(counts[a] + counts[revcomp(a)] for _, a in sites)
    ref = sum(counts[r] + counts[revcomp(r)] for r, _ in sites)
    return alt, ref


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> tuple[Path, dict]:
    outdir = tmp_path_factory.mktemp("toy_small")
    truth = build(outdir, seed=7, quiet=True, **SMALL)
    return outdir, truth


@pytest.fixture(scope="session")
def genome(small) -> dict[str, str]:
    return read_fasta(small[0] / "reference" / "genome.fa")


@pytest.fixture(scope="session")
def transcripts(small) -> dict[str, dict]:
    return parse_gff(small[0] / "reference" / "annotation.gff3")


@pytest.fixture(scope="session")
def deep(tmp_path_factory) -> tuple[Path, dict]:
    """A smallest genome at the real depths (lines 35x): read-level checks of planted
    alleles (a few seconds to build)."""
    outdir = tmp_path_factory.mktemp("toy_deep")
    truth = build(outdir, seed=7, genome_scale=0.05, coverage_scale=1.0, quiet=True)
    return outdir, truth


@pytest.fixture(scope="session")
def aligned(small, tmp_path_factory) -> dict[str, Path]:
    """bwa mem + fixmate + sort + markdup per sample, against genome + vectors."""
    need("bwa", "samtools")
    outdir, truth = small
    work = tmp_path_factory.mktemp("toy_aligned")
    ref = work / "ref.fa"
    ref.write_bytes(
        (outdir / "reference" / "genome.fa").read_bytes()
        + (outdir / "reference" / "vectors.fa").read_bytes()
    )
    run(["bwa", "index", str(ref)])
    bams = {}
    for sample, info in truth["samples"].items():
        parts = []
        for unit in info["units"]:
            fq1, fq2 = (str(outdir / f) for f in unit["fastq"])
            part = work / f"{sample}_{unit['unit']}.bam"
            run(
                f"bwa mem -t 2 -v 1 {ref} {fq1} {fq2} | samtools fixmate -m - - "
                f"| samtools sort -o {part} -",
                shell=True,
            )
            parts.append(str(part))
        merged = work / f"{sample}.merged.bam"
        run(["samtools", "merge", "-f", str(merged), *parts])
        bam = work / f"{sample}.bam"
        run(["samtools", "markdup", "-s", str(merged), str(bam)])
        run(["samtools", "index", str(bam)])
        bams[sample] = bam
    return bams


def count_reads(bam: Path, region: str, min_mapq: int = 0) -> int:
    """Primary, mapped reads in a region (samtools view -c -F 0x904 -q)."""
    out = run(["samtools", "view", "-c", "-F", "0x904", "-q", str(min_mapq), str(bam), region])
    return int(out.stdout.strip())


def idxstats(bam: Path) -> dict[str, int]:
    out = run(["samtools", "idxstats", str(bam)]).stdout
    return {f[0]: int(f[2]) for f in (line.split("\t") for line in out.splitlines())}


# ------------------------------------------------------------------ layout and API


def test_layout_and_sheets(small):
    outdir, truth = small
    for rel in [
        "reference/genome.fa",
        "reference/annotation.gff3",
        "reference/vectors.fa",
        "reference/problem_regions.bed",
        "reference/chrY_x_degenerate.bed",
        "samples.tsv",
        "units.tsv",
        "truth.json",
    ]:
        assert (outdir / rel).is_file(), rel
    samples = [line.split("\t") for line in (outdir / "samples.tsv").read_text().splitlines()]
    assert samples[0] == ["sample", "donor", "role", "parental", "sex", "passage", "notes"]
    rows = {r[0]: r for r in samples[1:]}
    assert list(rows) == SAMPLES
    for name, r in rows.items():
        assert r[2] in ("parental", "line") and r[4] in ("female", "male")
        assert (r[3] == "") == (r[2] == "parental"), name
    assert rows["D1_clone_swap"][1:5] == ["D1", "line", "D1_parental", "male"]
    units = [line.split("\t") for line in (outdir / "units.tsv").read_text().splitlines()]
    assert units[0] == ["sample", "unit", "fq1", "fq2"]
    assert [u[1] for u in units[1:] if u[0] == "D1_clone_events"] == ["L1", "L2"]
    for _, _, fq1, fq2 in units[1:]:
        assert not Path(fq1).is_absolute() and (outdir / fq1).is_file()
        assert (outdir / fq2).is_file() and fq1.endswith("_R1.fastq.gz")
    stamp = truth["generator"]
    assert stamp["source"] == source_digest() and stamp["version"] == GENERATOR_VERSION
    assert {k: stamp[k] for k in ("seed", "genome_scale", "coverage_scale", "extra_lines")} == {
        "seed": 7,
        "genome_scale": 0.1,
        "coverage_scale": 0.1,
        "extra_lines": 0,
    }
    assert stamp["design"] == truth["design"] == "default"
    assert "1-based" in truth["coordinates"] and "0-based half-open" in truth["coordinates"]
    assert truth["duplicate_rate"] == 0.06


def test_same_seed_same_bytes_different_seed_differs(small, tmp_path):
    outdir, _ = small
    again = tmp_path / "again"
    build(again, seed=7, threads=1, quiet=True, **SMALL)
    assert file_digests(again) == file_digests(outdir)
    other = tmp_path / "other"
    build(other, seed=8, quiet=True, **SMALL)
    a, b = file_digests(outdir), file_digests(other)
    assert a["reference/genome.fa"] != b["reference/genome.fa"]
    assert a["reads/D1_parental_L1_R1.fastq.gz"] != b["reads/D1_parental_L1_R1.fastq.gz"]


def test_idempotent_unless_forced(small, tmp_path, capsys):
    target = tmp_path / "idem"
    build(target, seed=7, quiet=True, **SMALL)
    fastq = target / "reads" / "D1_parental_L1_R1.fastq.gz"
    before = fastq.stat().st_mtime_ns
    start = time.time()
    truth = build(target, seed=7, **SMALL)
    assert time.time() - start < 5
    assert "up to date" in capsys.readouterr().err
    assert fastq.stat().st_mtime_ns == before
    assert truth["generator"]["seed"] == 7
    build(target, seed=7, force=True, quiet=True, **SMALL)
    assert fastq.stat().st_mtime_ns != before


def test_cli_runs_and_reports_up_to_date(small):
    outdir, _ = small
    env = {"PYTHONPATH": str(REPO / "scripts"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toydata",
            "--outdir",
            str(outdir),
            "--genome-scale",
            "0.1",
            "--coverage-scale",
            "0.1",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "up to date" in done.stderr


# ------------------------------------------------------------------ genome


def test_contigs_centromeres_and_gaps(small, genome):
    _, truth = small
    contigs = {c["name"]: c for c in truth["genome"]["contigs"]}
    assert list(contigs) == ["chr1", "chr12", "chr17", "chr18", "chr20", "chr21", "chrX", "chrY"]
    real = contigs.pop("chr21")  # real GRCh38 sequence: tested on its own below
    assert real["sequence"] == "GRCh38" and real["length"] == 75_000
    assert {c["sequence"] for c in contigs.values()} == {"synthetic"}
    expected_mb = {
        "chr1": 3.0,
        "chr12": 2.0,
        "chr17": 2.0,
        "chr18": 1.5,
        "chr20": 2.0,
        "chrX": 2.0,
        "chrY": 0.5,
    }
    grch38_centromere = {
        "chr1": 123.4 / 248.9,
        "chr12": 35.5 / 133.3,
        "chr17": 25.1 / 83.3,
        "chr18": 18.5 / 80.4,
        "chr20": 28.1 / 64.4,
        "chrX": 60.6 / 156.0,
        "chrY": 10.4 / 57.2,
    }
    for name, c in contigs.items():
        seq = genome[name]
        assert len(seq) == c["length"] == round(expected_mb[name] * 1e6 * 0.1)  # synthetic
        assert set(seq) <= set("ACGTN")
        mid = (c["centromere_start"] + c["centromere_end"]) / 2 / c["length"]
        assert mid == pytest.approx(grch38_centromere[name], abs=0.01)
        assert set(seq[c["centromere_start"] : c["centromere_end"]]) == {"N"}
        assert seq[0] == seq[-1] == "N"
    n_mask = {name: np.zeros(len(seq), dtype=bool) for name, seq in genome.items()}
    for chrom, start, end in truth["genome"]["gaps"]:
        assert set(genome[chrom][start:end]) == {"N"}
        n_mask[chrom][start:end] = True
    for name, seq in genome.items():  # no N outside the declared gaps
        is_n = np.frombuffer(seq.encode(), dtype=np.uint8) == ord("N")
        assert (is_n == n_mask[name]).all(), name
    text = (small[0] / "reference" / "genome.fa").read_text()
    assert max(len(x) for x in text.splitlines() if not x.startswith(">")) == 60


def _masked(genome: dict[str, str], blocks: list[dict], skip: set[str]) -> str:
    """The synthetic contigs with the planted repeated blocks replaced by N."""
    out = []
    for name, seq in genome.items():
        if name in skip:
            continue
        chars = list(seq)
        for b in blocks:
            if b["chrom"] == name:
                chars[b["start"] : b["end"]] = "N" * (b["end"] - b["start"])
        out.append("".join(chars))
    return "N".join(out)


def _repeated_kmer_fraction(text: str, k: int = 32, step: int = 7) -> float:
    kmers = [text[i : i + k] for i in range(0, len(text) - k, step)]
    kmers = [x for x in kmers if "N" not in x]
    counts: dict[str, int] = {}
    for x in kmers:
        counts[x] = counts.get(x, 0) + 1
    return sum(1 for x in kmers if counts[x] > 1) / len(kmers)


def test_composition_gc_domains_and_repeats(genome, small):
    seq = genome["chr1"]
    windows = [seq[i : i + 20_000] for i in range(0, len(seq) - 20_000, 20_000)]
    gc = [(w.count("G") + w.count("C")) / max(1, len(w) - w.count("N")) for w in windows]
    assert min(gc) > 0.30 and max(gc) < 0.60 and max(gc) - min(gc) > 0.04
    # interspersed repeats exist but, outside the planted duplications (and the real
    # contig), exact repeats are rare: most 32-mers are unique
    blocks = small[1]["repeats"]["blocks"]
    assert _repeated_kmer_fraction(_masked(genome, blocks, {"chr21"})) < 0.01
    text = "".join(genome.values())
    cpg = text.count("CG") / max(1, text.count("GC"))
    assert cpg < 0.6  # CpG depletion as in vertebrate genomes


def test_vectors_are_labelled_stand_ins(small):
    vectors = read_fasta(small[0] / "reference" / "vectors.fa")
    assert set(vectors) == {"toy_pCXLE_POU5F1", "toy_pCXLE_SOX2", "toy_pCXLE_KLF4"}
    plasmids = {p["name"]: p for p in small[1]["plasmids"]}
    for name, seq in vectors.items():
        assert len(seq) == plasmids[name]["length"] > 8_000
        assert 0.45 < (seq.count("G") + seq.count("C")) / len(seq) < 0.58
    headers = (small[0] / "reference" / "vectors.fa").read_text()
    assert headers.count("stand-in") == 3 and headers.count("not the real elements") == 3


# ------------------------------------------------------------------ annotation


def test_every_transcript_has_a_clean_cds(genome, transcripts):
    assert len(transcripts) >= 40
    for tid, tx in transcripts.items():
        assert tx["biotype"] == "protein_coding"
        cds, _ = cds_sequence(genome, tx)
        protein = translate(cds)
        assert len(cds) % 3 == 0 and protein[0] == "M" and protein[-1] == "*", tid
        assert "*" not in protein[:-1], tid
        # GFF3 phase: bases to skip at this feature's 5' end (transcript orientation)
        done = 0
        ordered = sorted(tx["cds"], reverse=tx["strand"] == "-")
        for start, end, phase in ordered:
            assert int(phase) == (3 - done % 3) % 3, tid
            done += end - start


def test_tp53_encodes_the_canonical_protein(genome, transcripts, small):
    tx = transcripts["ENST00000269305"]
    assert tx["gene"] == "TP53" and tx["chrom"] == "chr17" and tx["strand"] == "-"
    assert len(tx["exons"]) == 11
    cds, _ = cds_sequence(genome, tx)
    assert len(cds) == 1182 and cds.startswith("ATG")
    protein = translate(cds)
    assert protein == TP53_PROTEIN + "*"
    for codon, aa in {
        175: "R",
        179: "H",
        220: "Y",
        245: "G",
        248: "R",
        249: "R",
        273: "R",
        282: "R",
    }.items():
        assert protein[codon - 1] == aa
    contig = next(c for c in small[1]["genome"]["contigs"] if c["name"] == "chr17")
    gene = next(g for g in small[1]["genes"] if g["name"] == "TP53")
    assert gene["end"] < contig["centromere_start"]  # 17p


def test_r273h_is_c818g_a_on_the_minus_strand(genome, transcripts, small):
    tx = transcripts["ENST00000269305"]
    cds, positions = cds_sequence(genome, tx)
    assert cds[816:819] == "CGT"  # codon 273
    pos0 = positions[817]  # c.818
    (v,) = [v for v in small[1]["acquired_variants"] if v["protein_change"] == "p.R273H"]
    assert (v["chrom"], v["pos"]) == ("chr17", pos0 + 1)
    assert genome["chr17"][pos0] == "C" == revcomp("G") and v["ref"] == "C" and v["alt"] == "T"
    mutated = cds[:817] + revcomp(v["alt"]) + cds[818:]
    assert translate(mutated)[272] == "H"
    assert v["gene"] == "TP53" and v["hotspot"] and v["expected_af"] == pytest.approx(0.2)


def test_named_genes_sit_on_their_arm_and_strand(small):
    truth = small[1]
    contigs = {c["name"]: c for c in truth["genome"]["contigs"]}
    genes = {g["name"]: g for g in truth["genes"]}
    expect = {
        "TP53": ("chr17", "p", "-"),
        "BCL2L1": ("chr20", "q", "-"),
        "ID1": ("chr20", "q", "+"),
        "HM13": ("chr20", "q", "+"),
        "MDM4": ("chr1", "q", "+"),
        "MCL1": ("chr1", "q", "-"),
        "NANOG": ("chr12", "p", "+"),
        "GDF3": ("chr12", "p", "-"),
        "KRAS": ("chr12", "p", "-"),
        "BCOR": ("chrX", "p", "-"),
        "KDM5D": ("chrY", "q", "-"),
        "SRY": ("chrY", "p", "-"),
    }
    for name, (chrom, arm, strand) in expect.items():
        g, c = genes[name], contigs[chrom]
        assert (g["chrom"], g["strand"]) == (chrom, strand), name
        side = "p" if g["end"] <= c["centromere_start"] else "q"
        assert side == arm and g["start"] >= 0, name
    for name in [
        "POU5F1",
        "SOX2",
        "KLF4",
        "MYC",
        "LIN28A",
        "DNMT3A",
        "TET2",
        "TPX2",
        "DNMT3B",
        "ASXL1",
    ]:
        assert genes[name]["n_exons"] >= 2
    assert sum(g["category"] == "filler" for g in truth["genes"]) >= 20


def test_bcftools_csq_reports_planted_protein_changes(small, tmp_path):
    need("bcftools")
    outdir, truth = small
    vcf = tmp_path / "acquired.vcf"
    header = ["##fileformat=VCFv4.2"]
    header += [
        f"##contig=<ID={c['name']},length={c['length']}>" for c in truth["genome"]["contigs"]
    ]
    header += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tline",
    ]
    order = [c["name"] for c in truth["genome"]["contigs"]]
    planted = truth["acquired_variants"] + truth["artefacts"]  # artefact alleles too
    rows = sorted(planted, key=lambda v: (order.index(v["chrom"]), v["pos"]))
    body = [
        f"{v['chrom']}\t{v['pos']}\t{v['id']}\t{v['ref']}\t{v['alt']}\t.\tPASS\t.\tGT\t0/1"
        for v in rows
    ]
    vcf.write_text("\n".join(header + body) + "\n")
    fasta = tmp_path / "genome.fa"
    shutil.copy(outdir / "reference" / "genome.fa", fasta)
    done = run(
        [
            "bcftools",
            "csq",
            "-f",
            str(fasta),
            "-g",
            str(outdir / "reference" / "annotation.gff3"),
            "-p",
            "a",
            str(vcf),
        ]
    )
    indexed = int(done.stderr.split("Indexed ")[1].split(" transcripts")[0])
    assert indexed == len(truth["genes"]) > 0
    csq = {}
    for line in done.stdout.splitlines():
        if not line.startswith("#"):
            f = line.split("\t")
            csq[f[2]] = f[7]
    assert "missense|TP53|ENST00000269305|protein_coding|-|273R>273H|" in csq["TP53_R273H"]
    assert "|882R>882H|" in csq["DNMT3A_R882H"] and "missense|DNMT3A" in csq["DNMT3A_R882H"]
    assert "stop_gained|BCOR|" in csq["BCOR_R1200*"] and "|1200R>1200*|" in csq["BCOR_R1200*"]
    assert "stop_gained|TET2|" in csq["TET2_Q1034*"]
    assert "missense|TP53|ENST00000269305|protein_coding|-|248R>248Q|" in csq["artefact_TP53_R248Q"]
    for v in rows:  # truth's consequence matches csq's for every coding variant
        if v["consequence"] in ("missense", "stop_gained"):
            change = v["protein_change"].removeprefix("p.")
            number = change[1:-1]
            assert f"{v['consequence']}|{v['gene']}|" in csq[v["id"]]
            assert f"|{number}{change[0]}>{number}{change[-1]}|" in csq[v["id"]]
        if v["consequence"] == "intergenic":
            assert csq[v["id"]] == "."


# ------------------------------------------------------------------ planted truth


def test_germline_variants_density_and_placement(small, genome, transcripts):
    truth = small[1]
    gaps = truth["genome"]["gaps"]
    tp53_exons = transcripts["ENST00000269305"]["exons"]
    (bcor,) = [t for t in transcripts.values() if t.get("gene") == "BCOR"]
    autosome_bp = sum(
        c["length"] for c in truth["genome"]["contigs"] if c["name"] not in ("chrX", "chrY")
    )
    synthetic = [v for v in truth["germline_variants"] if v["source"] == "synthetic"]
    assert {v["chrom"] for v in synthetic} <= {c["name"] for c in truth["genome"]["contigs"]}
    assert not [v for v in synthetic if v["chrom"] == "chr21"]
    autosome_bp -= next(c["length"] for c in truth["genome"]["contigs"] if c["name"] == "chr21")
    for donor, sex in (("D1", "male"), ("D2", "female")):
        mine = [v for v in synthetic if v["donor"] == donor]
        auto = [v for v in mine if v["chrom"] not in ("chrX", "chrY")]
        het = sum(v["genotype"] == "0/1" for v in auto) / autosome_bp * 1500
        hom = sum(v["genotype"] == "1/1" for v in auto) / autosome_bp * 3000
        assert 0.75 < het < 1.25 and 0.75 < hom < 1.25, (donor, het, hom)
        indels = sum(v["type"] == "indel" for v in mine) / len(mine)
        assert 0.06 < indels < 0.14
        sex_chrom = {v["genotype"] for v in mine if v["chrom"] in ("chrX", "chrY")}
        assert sex_chrom == ({"1"} if sex == "male" else {"0/1", "1/1"})
        if sex == "female":
            assert not [v for v in mine if v["chrom"] == "chrY"]
    shared = {
        (v["chrom"], v["pos"], v["alt"]) for v in truth["germline_variants"] if v["donor"] == "D1"
    } & {(v["chrom"], v["pos"], v["alt"]) for v in truth["germline_variants"] if v["donor"] == "D2"}
    assert len(shared) > 100  # population sites
    sites = sorted({(v["chrom"], v["pos"]) for v in synthetic})  # real calls can be closer
    for (c1, p1), (c2, p2) in zip(sites[:-1], sites[1:], strict=True):
        assert c1 != c2 or p2 - p1 >= 20
    blocks = truth["repeats"]["blocks"]
    for v in truth["germline_variants"]:
        p0 = v["pos"] - 1
        assert genome[v["chrom"]][p0 : p0 + len(v["ref"])] == v["ref"]
        assert v["ref"][0] == v["alt"][0] or len(v["ref"]) == len(v["alt"]) == 1
        for b in blocks:  # no germline variant in a planted duplication
            assert b["chrom"] != v["chrom"] or not b["start"] <= p0 < b["end"], b["name"]
        for chrom, start, end in gaps:
            assert chrom != v["chrom"] or not (start - 200 <= p0 < end + 200)
        if v["chrom"] == "chr17":  # nothing in TP53 exons, hence not on hotspot codons
            assert not any(start <= p0 < end for start, end, _ in tp53_exons)
        if v["chrom"] == "chrX":  # nor in BCOR's: no germline truncation of a suppressor
            assert not any(start - 2 <= p0 < end + 2 for start, end, _ in bcor["exons"])


def test_acquired_variants_cover_the_requested_fractions(small, genome):
    truth = small[1]
    acquired = [v for v in truth["acquired_variants"] if v["sample"] == "D1_clone_events"]
    assert {round(v["expected_af"], 2) for v in acquired} >= {
        0.5,
        0.4,
        0.35,
        0.25,
        0.2,
        0.15,
        0.1,
        0.05,
    }
    high = [v for v in acquired if v["expected_af"] >= 0.3]
    assert len(high) >= 3 and any(v["type"] == "indel" for v in high)
    for v in acquired:
        p0 = v["pos"] - 1
        assert genome[v["chrom"]][p0 : p0 + len(v["ref"])] == v["ref"]
    bcor = next(v for v in acquired if v["gene"] == "BCOR")
    assert bcor["chrom"] == "chrX" and bcor["consequence"] == "stop_gained"
    assert bcor["expected_af"] == pytest.approx(bcor["population_fraction"])  # hemizygous
    dnmt3a = next(v for v in acquired if v["gene"] == "DNMT3A")
    assert dnmt3a["consequence"] == "missense"
    events = truth["copy_number_events"]
    for v in acquired:  # only the flagged variant sits in a copy-number event
        inside = [
            e for e in events if e["chrom"] == v["chrom"] and e["start"] <= v["pos"] - 1 < e["end"]
        ]
        if inside:
            assert v["id"] == "chr12_trisomy_snv"
            assert v["expected_af"] == pytest.approx(1 / 3, abs=1e-3)
        elif v["chrom"] != "chrX":
            assert v["expected_af"] == pytest.approx(v["population_fraction"] / 2, abs=1e-3)


def test_copy_number_events_and_expected_values(small):
    truth = small[1]
    events = {e["id"]: e for e in truth["copy_number_events"]}
    contigs = {c["name"]: c for c in truth["genome"]["contigs"]}
    gain = events["gain_20q11.21"]
    assert (gain["chrom"], gain["type"], gain["copy_number"], gain["mosaic_fraction"]) == (
        "chr20",
        "gain",
        3,
        0.5,
    )
    assert {"ID1", "BCL2L1", "HM13"} <= set(gain["genes"])
    assert gain["start"] > contigs["chr20"]["centromere_end"]
    assert gain["expected_log2_ratio"] == pytest.approx(np.log2(2.5 / 2), abs=1e-3)
    assert gain["expected_baf_shift"] == pytest.approx(1.5 / 2.5 - 0.5, abs=1e-3)
    tri = events["trisomy_12"]
    assert tri["whole_chromosome"] and (tri["start"], tri["end"]) == (0, contigs["chr12"]["length"])
    assert tri["expected_log2_ratio"] == pytest.approx(np.log2(1.5), abs=1e-3)
    loh = events["cnloh_1q_distal"]
    assert (loh["type"], loh["copy_number"], loh["mosaic_fraction"]) == ("cnloh", 2, 0.8)
    assert loh["end"] == contigs["chr1"]["length"] and loh["expected_log2_ratio"] == 0
    assert loh["expected_baf_shift"] == pytest.approx(0.4, abs=1e-3)
    loss = events["loss_18q_distal"]
    assert (loss["type"], loss["copy_number"], loss["mosaic_fraction"]) == ("loss", 1, 0.4)
    assert loss["expected_log2_ratio"] == pytest.approx(np.log2(1.6 / 2), abs=1e-3)
    small_loss = events["loss_1p_interstitial"]
    assert (small_loss["type"], small_loss["copy_number"], small_loss["mosaic_fraction"]) == (
        "loss",
        1,
        0.5,
    )
    assert small_loss["end"] < contigs["chr1"]["centromere_start"]  # 1p: no recurrent region
    assert small_loss["recurrent_regions"] == [] and not small_loss["whole_chromosome"]
    assert small_loss["expected_log2_ratio"] == pytest.approx(np.log2(1.5 / 2), abs=1e-3)
    assert small_loss["expected_baf_shift"] == pytest.approx(1 / 1.5 - 0.5, abs=1e-3)
    dnmt3a = next(g for g in truth["genes"] if g["name"] == "DNMT3A")
    assert small_loss["end"] <= dnmt3a["start"] or small_loss["start"] >= dnmt3a["end"]
    assert {e["id"]: bool(e["recurrent_regions"]) for e in truth["copy_number_events"]} == {
        "gain_20q11.21": True,
        "trisomy_12": True,
        "cnloh_1q_distal": True,
        "loss_18q_distal": True,
        "loss_1p_interstitial": False,
    }
    scale = truth["generator"]["genome_scale"]
    assert small_loss["length"] == pytest.approx(750_000 * scale, rel=0.01)  # 300 kb at 0.4
    assert loh["length"] == pytest.approx(800_000 * scale, rel=0.01)
    assert loss["length"] == pytest.approx(600_000 * scale, rel=0.01)


def test_samples_truth(small):
    truth = small[1]
    samples = truth["samples"]
    assert sorted(samples) == sorted(SAMPLES)
    swap = samples["D1_clone_swap"]
    assert (swap["donor"], swap["genotype_donor"], swap["declared_sex"], swap["true_sex"]) == (
        "D1",
        "D2",
        "male",
        "female",
    )
    assert truth["swaps"] == [
        {"sample": "D1_clone_swap", "declared_donor": "D1", "true_donor": "D2"}
    ]
    for _name, s in samples.items():
        assert sum(p["fraction"] for p in s["populations"]) == pytest.approx(1.0)
        assert s["parental"] == (None if s["role"] == "parental" else "D1_parental")
    coverage = {k: v["coverage"] for k, v in samples.items()}
    assert coverage == {
        "D1_parental": 3.0,
        "D1_clone_clean": 3.5,
        "D1_clone_events": 3.5,
        "D1_clone_swap": 1.0,
        "D2_parental": 1.0,
    }
    assert {v["contig"] for v in truth["vectors"]} == {p["name"] for p in truth["plasmids"]}
    assert truth["transgenes"][0]["gene"] == "POU5F1"
    populations = {p["name"]: p for p in samples["D1_parental"]["populations"]}
    assert populations["P_CH"]["fraction"] == 0.3 and populations["P0"]["fraction"] == 0.7
    assert truth["contamination"] == [] and truth["design"] == "default"


# ------------------------------------------------------------------ reads


def test_fastq_records_are_well_formed(small):
    outdir, truth = small
    for name, info in truth["samples"].items():
        for unit in info["units"]:
            r1, r2 = (outdir / f for f in unit["fastq"])
            n1, s1, q1 = read_fastq(r1)
            n2, s2, q2 = read_fastq(r2)
            assert n1 == n2 and len(n1) == unit["read_pairs"]
            assert all(n.startswith(f"@{name}_{unit['unit']}:") for n in n1[:1000])
            for seqs, quals in ((s1, q1), (s2, q2)):
                assert all(len(s) == len(q) == 150 for s, q in zip(seqs, quals, strict=True))
                assert set("".join(quals[:2000])) <= {
                    chr(q + 33) for q in (2, 12, 22, 27, 32, 37, 41)
                }
                assert set("".join(seqs[:2000])) <= set("ACGTN")
    units = truth["samples"]["D1_clone_events"]["units"]
    pairs = [u["read_pairs"] for u in units]
    assert abs(pairs[0] - pairs[1]) / sum(pairs) < 0.05
    names = [set(read_fastq(outdir / u["fastq"][0])[0]) for u in units]
    assert not names[0] & names[1]


def test_read_counts_follow_coverage(small):
    """Read pairs = per-copy depth x copies x non-N length / 300 bp, plus duplicates."""
    outdir, truth = small
    non_n = {c["name"]: c["length"] for c in truth["genome"]["contigs"]}
    for chrom, start, end in truth["genome"]["gaps"]:
        non_n[chrom] -= end - start
    for name, s in truth["samples"].items():
        if name == "D1_clone_events":  # copy-number events, vector and transgene
            continue
        male = s["true_sex"] == "male"
        copies = {c: 2 for c in non_n} | {"chrX": 1 if male else 2, "chrY": 1 if male else 0}
        bases = sum(copies[c] * non_n[c] for c in non_n)
        for ins in truth["repeats"]["insertions"]:  # sequence the reference lacks
            bases += ins["length"] * len(ins["carriers"].get(s["genotype_donor"], []))
        originals = s["coverage"] / 2 * bases / 300
        expected = originals / (1 - truth["duplicate_rate"])
        assert s["read_pairs"] == pytest.approx(expected, rel=0.06), name
        assert s["duplicate_pairs"] / s["read_pairs"] == pytest.approx(0.06, abs=0.002)


def test_quality_tracks_errors_and_adapters_read_through(small, genome):
    outdir, _ = small
    _, seqs, quals = read_fastq(outdir / "reads" / "D1_parental_L1_R1.fastq.gz")
    first = np.array([ord(q[0]) - 33 for q in quals])
    last = np.array([ord(q[-1]) - 33 for q in quals])
    assert np.mean(10 ** (-last / 10)) > 3 * np.mean(10 ** (-first / 10))  # worse at the end
    with_adapter = sum(ADAPTER in s for s in seqs) / len(seqs)
    assert 0.005 < with_adapter < 0.02
    text = "".join(genome.values())
    assert ADAPTER not in text and revcomp(ADAPTER) not in text


# ------------------------------------------------------------------ aligned reads


def test_reads_map_with_expected_error_and_insert_size(aligned):
    stats = run(["samtools", "stats", str(aligned["D1_parental"])]).stdout
    sn = {
        line.split("\t")[1].rstrip(":"): line.split("\t")[2]
        for line in stats.splitlines()
        if line.startswith("SN")
    }
    mapped = int(sn["reads mapped"]) / int(sn["raw total sequences"])
    assert mapped > 0.99
    assert 0.002 < float(sn["error rate"]) < 0.012  # sequencing errors + germline variants
    assert float(sn["insert size average"]) == pytest.approx(350, abs=20)
    assert float(sn["insert size standard deviation"]) == pytest.approx(60, abs=15)


def test_duplicate_fraction_is_planted_rate(aligned, small):
    for sample in ("D1_parental", "D1_clone_events"):
        stats = run(["samtools", "flagstat", "-O", "json", str(aligned[sample])]).stdout
        flags = json.loads(stats)["QC-passed reads"]
        fraction = flags["duplicates"] / flags["primary"]
        assert fraction == pytest.approx(small[1]["duplicate_rate"], abs=0.015), sample


def ratio_tolerance(*read_counts: int, sds: float = 4.0) -> float:
    """Relative tolerance of a ratio of read counts: ``sds`` Poisson standard deviations
    counted in fragments (two reads each)."""
    return sds * sum(2.0 / n for n in read_counts) ** 0.5


def test_chr12_trisomy_gives_one_and_a_half_times_the_reads(aligned):
    """chr12 versus the copy-neutral chr1 + chr17 (the cnLOH keeps chr1 at two copies),
    in the line over the parental, which cancels GC and length effects."""
    counts = {s: idxstats(aligned[s]) for s in ("D1_clone_events", "D1_clone_clean", "D1_parental")}

    def ratio_and_counts(sample):
        c = counts[sample]
        return c["chr12"] / (c["chr1"] + c["chr17"]), [c["chr12"], c["chr1"] + c["chr17"]]

    parental, parental_n = ratio_and_counts("D1_parental")
    for sample, expected in (("D1_clone_events", 1.5), ("D1_clone_clean", 1.0)):
        line, line_n = ratio_and_counts(sample)
        tolerance = ratio_tolerance(*line_n, *parental_n)
        assert line / parental == pytest.approx(expected, rel=tolerance), sample
        assert tolerance < 0.25  # the check can tell 1.5 from 1.0


def test_sex_chromosomes_and_vector_reads(aligned, small):
    """X and Y depth relative to chr17, against the male parental (same GC effects)."""
    truth = small[1]
    counts = {sample: idxstats(aligned[sample]) for sample in SAMPLES}
    male = counts["D1_parental"]
    xtr = next(b for b in truth["repeats"]["blocks"] if b["name"] == "XTR_Y")
    decoys = {p["name"] for p in truth["plasmids"]}

    for sample in SAMPLES:
        mine = counts[sample]
        x = (mine["chrX"] / mine["chr17"]) / (male["chrX"] / male["chr17"])
        x_tol = ratio_tolerance(mine["chrX"], mine["chr17"], male["chrX"], male["chr17"])
        if truth["samples"][sample]["true_sex"] == "male":
            y = (mine["chrY"] / mine["chr17"]) / (male["chrY"] / male["chr17"])
            y_tol = ratio_tolerance(mine["chrY"], mine["chr17"], male["chrY"], male["chr17"])
            assert x == pytest.approx(1.0, rel=x_tol), sample
            assert y == pytest.approx(1.0, rel=y_tol), sample
        else:
            assert x == pytest.approx(2.0, rel=x_tol) and x_tol < 0.4, sample
            # no Y: the only chrY reads are chrX reads of the X-transposed copy, at MAPQ 0
            assert count_reads(aligned[sample], "chrY", min_mapq=20) == 0, sample
            in_xtr = count_reads(aligned[sample], f"chrY:{xtr['start'] + 1}-{xtr['end']}")
            assert count_reads(aligned[sample], "chrY") == in_xtr, sample
        on_decoys = sum(mine[d] for d in decoys)
        if sample == "D1_clone_events":
            # the integrated POU5F1 cassette (1 copy per cell) and 0.02 plasmid copies
            assert on_decoys > 0
            assert truth["transgenes"][0]["fragments"] > 0
        else:
            # genomic reads inside an exon match a decoy's cDNA insert as well: they may
            # land there, at MAPQ 0, and only inside an insert
            for p in truth["plasmids"]:
                bam, name = aligned[sample], p["name"]
                assert count_reads(bam, name, min_mapq=20) == 0, (sample, name)
                insert = f"{name}:{p['insert']['start'] + 1}-{p['insert']['end']}"
                assert count_reads(bam, name) == count_reads(bam, insert), (sample, name)


def test_swap_sample_carries_d2_genotype(aligned, small):
    import pysam

    truth = small[1]
    d1 = {(v["chrom"], v["pos"]): v for v in truth["germline_variants"] if v["donor"] == "D1"}
    d2 = {(v["chrom"], v["pos"]): v for v in truth["germline_variants"] if v["donor"] == "D2"}
    only = {
        "D1": [
            v
            for k, v in d1.items()
            if k not in d2 and v["type"] == "snv" and v["genotype"] == "1/1"
        ],
        "D2": [
            v
            for k, v in d2.items()
            if k not in d1 and v["type"] == "snv" and v["genotype"] == "1/1"
        ],
    }

    def alt_fraction(sample, variants):
        alt = total = 0
        with pysam.AlignmentFile(str(aligned[sample])) as bam:
            for v in variants:
                counts = bam.count_coverage(
                    v["chrom"], v["pos"] - 1, v["pos"], quality_threshold=13, read_callback="all"
                )
                by_base = {b: counts[i][0] for i, b in enumerate("ACGT")}
                alt += by_base[v["alt"]]
                total += by_base[v["alt"]] + by_base[v["ref"]]
        return alt / total

    assert alt_fraction("D1_clone_swap", only["D2"]) > 0.9
    assert alt_fraction("D1_clone_swap", only["D1"]) < 0.1
    assert alt_fraction("D1_clone_clean", only["D1"]) > 0.9


def test_transgene_reads_join_exons(small):
    outdir, truth = small
    genome = read_fasta(outdir / "reference" / "genome.fa")
    tx = by_gene(parse_gff(outdir / "reference" / "annotation.gff3"), "POU5F1")
    exons = sorted(tx["exons"], reverse=tx["strand"] == "-")
    seq = genome[tx["chrom"]]
    pieces = [seq[s:e] if tx["strand"] == "+" else revcomp(seq[s:e]) for s, e, _ in exons]
    junctions = [a[-15:] + b[:15] for a, b in zip(pieces[:-1], pieces[1:], strict=True)]
    counts = {}
    for sample in ("D1_clone_events", "D1_parental"):
        blob = b"".join(
            gzip.decompress((outdir / f).read_bytes())
            for u in truth["samples"][sample]["units"]
            for f in u["fastq"]
        )
        counts[sample] = sum(
            blob.count(k.encode()) + blob.count(revcomp(k).encode()) for k in junctions
        )
    assert counts["D1_clone_events"] > 0 and counts["D1_parental"] == 0


# ------------------------------------------------------------------ real sequence (chr21)

REAL_SEGMENT = REPO / "resources" / "real_segment"


def _resource_calls(length: int) -> list[dict]:
    """PASS records of the shipped HG004 calls whose REF ends within ``length``."""
    rows = []
    with gzip.open(REAL_SEGMENT / "HG004_GRCh38_chr21_22000000-22499999.vcf.gz", "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            values = dict(zip(f[8].split(":"), f[9].split(":"), strict=False))
            if f[6] != "PASS" or int(f[1]) - 1 + len(f[3]) > length:
                continue
            gt = values["GT"]
            rows.append(
                {"pos": int(f[1]), "ref": f[3], "alt": f[4], "gt": gt, "ps": values.get("PS")}
            )
    return rows


def _shiftable(seq: str, p0: int, ref: str, alt: str) -> bool:
    """True when an anchored indel can move one base left or right without changing the
    haplotype (it sits in a repeat: several representations); False for other alleles."""
    if ref[0] != alt[0] or min(len(ref), len(alt)) != 1 or len(ref) == len(alt):
        return False
    if len(ref) > len(alt):  # deletion of ref[1:]
        k = len(ref) - 1
        return seq[p0] == seq[p0 + k] or seq[p0 + 1] == seq[p0 + 1 + k]
    inserted = alt[1:]
    return inserted[-1] == seq[p0] or inserted[0] == seq[p0 + 1]


def test_real_segment_contig_is_grch38_sequence(small, genome):
    outdir, truth = small
    with gzip.open(REAL_SEGMENT / "GRCh38_chr21_22000000-22499999.fa.gz", "rt") as handle:
        source = "".join(line.strip() for line in handle if not line.startswith(">"))
    assert len(source) == 500_000
    real = truth["real_segment"]
    assert genome["chr21"] == source[: real["length"]].upper() and real["length"] == 75_000
    assert (real["grch38_chrom"], real["grch38_start"], real["grch38_end"]) == (
        "chr21",
        21_999_999,
        22_074_999,
    )
    # real microsatellites: D1's real indels include ones with more than one
    # representation (shiftable along a repeat), which no synthetic indel has
    seq = genome["chr21"]
    indels = [
        v
        for v in truth["germline_variants"]
        if v["chrom"] == "chr21" and v["donor"] == "D1" and len(v["ref"]) != len(v["alt"])
    ]
    shiftable = [v for v in indels if _shiftable(seq, v["pos"] - 1, v["ref"], v["alt"])]
    assert shiftable
    synthetic = [
        v
        for v in truth["germline_variants"]
        if v["source"] == "synthetic" and len(v["ref"]) != len(v["alt"])
    ]
    assert not [
        v for v in synthetic if _shiftable(genome[v["chrom"]], v["pos"] - 1, v["ref"], v["alt"])
    ]
    assert not [g for g in truth["genes"] if g["chrom"] == "chr21"]
    centromeres = (outdir / "reference" / "centromeres.bed").read_text().splitlines()
    assert "chr21\t0\t0\tcen" in centromeres  # the piece lies on 21q
    assert (
        "##sequence-region   chr21 1 75000"
        in (outdir / "reference" / "annotation.gff3").read_text()
    )


def test_real_segment_germline_is_the_giab_calls(small):
    truth = small[1]
    calls = _resource_calls(truth["real_segment"]["length"])
    d1 = [v for v in truth["germline_variants"] if v["donor"] == "D1" and v["chrom"] == "chr21"]
    as_called = {
        (c["pos"], c["ref"], c["alt"], "1/1" if c["gt"] in ("1/1", "1|1") else "0/1") for c in calls
    }
    assert {(v["pos"], v["ref"], v["alt"], v["genotype"]) for v in d1} == as_called
    assert {v["source"] for v in d1} == {"HG004"}
    assert any(len(v["ref"]) != len(v["alt"]) for v in d1)  # indels included
    assert {v["genotype"] for v in d1} == {"0/1", "1/1"}
    # phased hets keep their relative phase within a phase set
    by_pos = {v["pos"]: v for v in d1}
    phased = [c for c in calls if "|" in c["gt"] and c["gt"] != "1|1" and c["ps"]]
    for a, b in zip(phased[:-1], phased[1:], strict=True):
        if a["ps"] == b["ps"]:
            same = a["gt"] == b["gt"]
            assert (by_pos[a["pos"]]["haplotype"] == by_pos[b["pos"]]["haplotype"]) == same
    # D2: genotypes drawn at the same sites, not a copy of D1's
    d2 = [v for v in truth["germline_variants"] if v["donor"] == "D2" and v["chrom"] == "chr21"]
    sites = {(c["pos"], c["ref"], c["alt"]) for c in calls}
    assert d2 and {(v["pos"], v["ref"], v["alt"]) for v in d2} <= sites
    assert {(v["pos"], v["genotype"]) for v in d2} != {(v["pos"], v["genotype"]) for v in d1}


def test_real_sequence_reads_carry_the_donors_alleles(small, genome):
    """D1's hom-alt calls on chr21 (SNVs and indels) are in D1's reads and mostly not in
    D2's, whose drawn genotype lacks them."""
    outdir, truth = small
    seq = genome["chr21"]
    germ = [v for v in truth["germline_variants"] if v["chrom"] == "chr21"]
    positions = sorted(v["pos"] for v in germ)
    d2_sites = {v["pos"] for v in germ if v["donor"] == "D2"}

    def isolated(v):  # no other call within the k-mer flank
        return all(p == v["pos"] or abs(p - v["pos"]) > 12 for p in positions)

    def distinct(v):  # an allele inside a microsatellite shares its k-mers with the other
        return not _shiftable(seq, v["pos"] - 1, v["ref"], v["alt"])

    homs = [
        v
        for v in germ
        if v["donor"] == "D1" and v["genotype"] == "1/1" and isolated(v) and distinct(v)
    ]
    assert any(len(v["ref"]) != len(v["alt"]) for v in homs)  # indels among them
    kmers = [site_kmers(seq, v["pos"] - 1, v["ref"], v["alt"], 10) for v in homs]
    alt, ref = allele_counts(sample_reads(outdir, truth, "D1_clone_clean"), kmers)
    assert alt > 20 and alt / (alt + ref) > 0.9
    only_d1 = [k for v, k in zip(homs, kmers, strict=True) if v["pos"] not in d2_sites]
    alt, ref = allele_counts(sample_reads(outdir, truth, "D2_parental"), only_d1)
    assert ref > 5 and alt / (alt + ref) < 0.1


# ------------------------------------------------------------------ donor-mosaic clone


def test_donor_mosaic_clone_truth(small):
    truth = small[1]
    variants = {v["id"]: v for v in truth["acquired_variants"]}
    ch = variants["DNMT3A_R882H"]
    assert (ch["origin"], ch["hotspot"], ch["gene"], ch["protein_change"]) == (
        "donor_mosaic",
        True,
        "DNMT3A",
        "p.R882H",
    )
    # heterozygous in all cells of the line; in 30% of the parental's cells
    assert ch["expected_af"] == 0.5 and ch["population_fraction"] == 1.0
    assert ch["parental"] == "D1_parental" and ch["parental_population_fraction"] == 0.3
    assert ch["parental_expected_af"] == pytest.approx(0.3 * 1 / 2)
    others = [v for v in variants.values() if v["id"] != "DNMT3A_R882H"]
    assert {v["origin"] for v in others} == {"acquired"}
    assert {v["parental_expected_af"] for v in others} == {0.0}
    parental = truth["samples"]["D1_parental"]
    clone = next(p for p in parental["populations"] if p["name"] == "P_CH")
    assert "DNMT3A_R882H" in clone["description"]
    rows = (small[0] / "samples.tsv").read_text().splitlines()
    assert "peripheral blood" in next(r for r in rows if r.startswith("D1_parental"))


# ------------------------------------------------------------------ artefact reads


def test_artefact_reads_are_on_one_strand_of_the_clean_line(deep):
    outdir, truth = deep
    genome = read_fasta(outdir / "reference" / "genome.fa")
    artefacts = truth["artefacts"]
    assert len(artefacts) == 6 and {a["sample"] for a in artefacts} == {"D1_clone_clean"}
    assert {a["alt_strand"] for a in artefacts} == {"+", "-"}
    assert any(a["gene"] == "TP53" and a["protein_change"] == "p.R248Q" for a in artefacts)
    assert any(a["chrom"] == "chr21" for a in artefacts)
    clean = sample_reads(outdir, truth, "D1_clone_clean")
    for a in artefacts:
        assert 3 <= a["planted_alt_reads"] <= 10
        assert a["alt_reads"] == a["planted_alt_reads"], a["id"]  # enough reads at 35x
        assert 15 <= a["site_reads"] <= 80, a["id"]  # the line's depth
        _, alt = site_kmers(genome[a["chrom"]], a["pos"] - 1, a["ref"], a["alt"], 8)
        counts = count_kmers(clean, [alt, revcomp(alt)])
        same, other = (counts[alt], counts[revcomp(alt)])
        if a["alt_strand"] == "-":
            same, other = other, same
        # a read holding the site within 8 bases of its end, or with an error in the
        # 17-mer, is not counted: at least half of the alt reads are
        assert other == 0 and a["alt_reads"] / 2 <= same <= a["alt_reads"], a["id"]
    parental = sample_reads(outdir, truth, "D1_parental")
    alts = []
    for a in artefacts:
        alt = site_kmers(genome[a["chrom"]], a["pos"] - 1, a["ref"], a["alt"], 8)[1]
        alts += [alt, revcomp(alt)]
    assert sum(count_kmers(parental, alts).values()) == 0


# ------------------------------------------------------------------ plasmid decoys


def test_plasmids_share_one_backbone_and_carry_the_spliced_cds(small, genome, transcripts):
    outdir, truth = small
    vectors = read_fasta(outdir / "reference" / "vectors.fa")
    plasmids = {p["name"]: p for p in truth["plasmids"]}
    backbones = set()
    for name, p in plasmids.items():
        seq, insert = vectors[name], p["insert"]
        cds, _ = cds_sequence(genome, by_gene(transcripts, insert["gene"]))
        assert seq[insert["start"] : insert["end"]] == cds  # exons joined, no intron
        assert translate(cds)[0] == "M" and translate(cds)[-1] == "*"
        backbone = seq[: insert["start"]] + seq[insert["end"] :]
        assert len(backbone) == p["backbone_length"] == p["length"] - insert["length"]
        backbones.add(backbone)
        elements = p["elements"]
        assert elements[0]["start"] == 0 and elements[-1]["end"] == p["length"]
        assert all(a["end"] == b["start"] for a, b in zip(elements[:-1], elements[1:], strict=True))
        names = [e["name"] for e in elements]
        assert names[0] == "CAG_promoter_like" and names[1] == f"{insert['gene']}_cDNA"
        assert {"WPRE_like", "oriP_like", "EBNA1_like", "pUC_ori_like", "AmpR_like"} <= set(names)
    assert len(backbones) == 1 and len(plasmids) == 3  # one backbone, identical in all
    assert {p["insert"]["gene"] for p in plasmids.values()} == {"POU5F1", "SOX2", "KLF4"}
    assert plasmids["toy_pCXLE_SOX2"]["insert"]["exon_junctions"] == 0
    assert plasmids["toy_pCXLE_POU5F1"]["insert"]["exon_junctions"] == 4
    families = {f["sample"]: f["copies_per_cell"] for f in truth["vector_families"]}
    assert families.pop("D1_clone_events") == pytest.approx(0.02)
    assert set(families.values()) == {0}
    (cassette,) = truth["transgenes"]
    source = vectors[cassette["source_plasmid"]]
    start, end = cassette["plasmid_span"]
    assert end - start == cassette["construct_length"] == 200 + 1083 + 200
    assert source[start + 200 : end - 200] == vectors["toy_pCXLE_POU5F1"][1700:2783]


def test_plasmid_reads_only_in_the_events_line(deep):
    outdir, truth = deep
    vectors = read_fasta(outdir / "reference" / "vectors.fa")
    backbone = vectors["toy_pCXLE_POU5F1"][3000:]  # WPRE-like onwards: outside the cassette
    kmers = [backbone[i : i + 25] for i in range(0, len(backbone) - 25, 10)]
    kmers += [revcomp(k) for k in kmers]
    for sample in truth["samples"]:
        found = sum(count_kmers(sample_reads(outdir, truth, sample), kmers).values())
        assert (found > 0) == (sample == "D1_clone_events"), sample
    per_copy = truth["samples"]["D1_clone_events"]["coverage"] / 2 / 300  # fragments per bp
    for v in truth["vectors"]:
        expected = v["copies_per_cell"] * v["length"] * per_copy / (1 - truth["duplicate_rate"])
        assert abs(v["fragments"] - expected) <= 4 * expected**0.5 + 1, v["contig"]


# ------------------------------------------------------------------ chrY, segdups, problem regions


def _hamming(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def test_chr_y_repeated_blocks_and_x_degenerate_bed(small, genome):
    outdir, truth = small
    blocks = {b["name"]: b for b in truth["repeats"]["blocks"]}

    def seq(b):
        return genome[b["chrom"]][b["start"] : b["end"]]

    xtr_y, xtr_x = blocks["XTR_Y"], blocks["XTR_X"]
    assert _hamming(seq(xtr_y), seq(xtr_x)) == xtr_y["differences"] >= 1  # about 1 per kb
    arm1, arm2 = blocks["P1_arm1"], blocks["P1_arm2"]
    assert _hamming(revcomp(seq(arm1)), seq(arm2)) == arm1["differences"] >= 1  # palindrome
    copies = [seq(blocks[f"AMPL_copy{i}"]) for i in (1, 2, 3)]
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert 0 < _hamming(copies[i], copies[j]) <= len(copies[i]) / 500
    rows = [
        r.split("\t")
        for r in (outdir / "reference" / "chrY_x_degenerate.bed").read_text().splitlines()
        if not r.startswith("#")
    ]
    chr_y = next(c for c in truth["genome"]["contigs"] if c["name"] == "chrY")
    covered = np.zeros(chr_y["length"], dtype=int)
    for _, start, end, _ in rows:
        covered[int(start) : int(end)] += 1
    for b in blocks.values():
        if b["chrom"] == "chrY":
            covered[b["start"] : b["end"]] += 1
    for chrom, start, end in truth["genome"]["gaps"]:
        if chrom == "chrY":
            covered[start:end] += 1
    assert (covered == 1).all()  # X-degenerate, blocks and N gaps tile chrY exactly
    summary = truth["repeats"]["chrY"]
    assert summary["x_degenerate_bp"] == sum(int(r[2]) - int(r[1]) for r in rows)
    assert 0.2 < summary["expected_male_depth_ratio_mapq20"] < 0.4
    problem = (outdir / "reference" / "problem_regions.bed").read_text()
    for b in blocks.values():
        assert f"{b['chrom']}\t{b['start']}\t{b['end']}\t{b['name']}\t{b['kind']}" in problem


def test_male_chr_y_depth_ratio_at_mapq20_falls_below_one_half(aligned, small):
    """Reads at MAPQ >= 20 per non-N base, chrY over chr1 (D1_parental: no event on
    chr1), against the truth's expected ratio; on the X-degenerate part alone, 0.5."""
    truth = small[1]
    bam = aligned["D1_parental"]
    non_n = {c["name"]: c["length"] for c in truth["genome"]["contigs"]}
    for chrom, start, end in truth["genome"]["gaps"]:
        non_n[chrom] -= end - start
    chr1 = count_reads(bam, "chr1", 20) / non_n["chr1"]
    chr_y = count_reads(bam, "chrY", 20) / non_n["chrY"]
    ratio = chr_y / chr1
    expected = truth["repeats"]["chrY"]["expected_male_depth_ratio_mapq20"]
    assert ratio == pytest.approx(expected, abs=0.08) and ratio < 0.45
    rows = [
        r.split("\t")
        for r in (small[0] / "reference" / "chrY_x_degenerate.bed").read_text().splitlines()
        if not r.startswith("#")
    ]
    unique_reads = sum(count_reads(bam, f"chrY:{int(s) + 1}-{e}", 20) for _, s, e, _ in rows)
    unique_bp = sum(int(e) - int(s) for _, s, e, _ in rows)
    assert unique_reads / unique_bp / chr1 == pytest.approx(0.5, abs=0.1)


def test_segmental_duplication_copies_differ_at_the_stated_bases(small, genome):
    truth = small[1]
    blocks = {b["name"]: b for b in truth["repeats"]["blocks"]}
    a, b = blocks["SD1_copyA"], blocks["SD1_copyB"]
    seq_a = genome[a["chrom"]][a["start"] : a["end"]]
    seq_b = genome[b["chrom"]][b["start"] : b["end"]]
    psvs = truth["repeats"]["segmental_duplication_psvs"]
    differing = [i for i, (x, y) in enumerate(zip(seq_a, seq_b, strict=True)) if x != y]
    assert differing == [p["copy_a"][1] - 1 - a["start"] for p in psvs]
    for p in psvs:
        assert genome[p["copy_a"][0]][p["copy_a"][1] - 1] == p["base_a"] != p["base_b"]
        assert genome[p["copy_b"][0]][p["copy_b"][1] - 1] == p["base_b"]
    assert len(psvs) == pytest.approx(
        2.0 * a["length"] / 1000, abs=4 * (2.0 * a["length"] / 1000) ** 0.5
    )
    assert 30_000 * 0.1 <= a["length"] <= 60_000 * 0.1  # 30-60 kb at scale 1


def test_collapsed_duplication_gives_paralogous_hets_in_every_sample(deep):
    outdir, truth = deep
    genome = read_fasta(outdir / "reference" / "genome.fa")
    psvs = truth["repeats"]["collapsed_duplication_psvs"]
    seq = genome["chr18"]
    for p in psvs:
        assert seq[p["pos"] - 1] == p["ref"] != p["alt"]
        assert min(p["expected_af"].values()) >= 0.25 and max(p["expected_af"].values()) <= 0.5
    for sample in truth["samples"]:
        donor = truth["samples"][sample]["genotype_donor"]
        reads = sample_reads(outdir, truth, sample)
        for a_only in (False, True):
            chosen = [p for p in psvs if p["haplotype_a_copy_only"] == a_only]
            if not chosen:
                continue
            kmers = [site_kmers(seq, p["pos"] - 1, p["ref"], p["alt"], 7) for p in chosen]
            alt, ref = allele_counts(reads, kmers)
            af, want = alt / (alt + ref), chosen[0]["expected_af"][donor]
            assert af == pytest.approx(
                want, abs=4 * (want * (1 - want) / (alt + ref)) ** 0.5 + 0.02
            ), (sample, a_only)


def test_satellite_and_collapsed_copies_raise_depth_in_every_sample(aligned, small):
    """MAPQ >= 20 reads per base over the block, relative to chr1: D1 over D2 (GC
    effects cancel) is the ratio of their copies; D1's satellite is a clear spike."""
    truth = small[1]
    blocks = {b["name"]: b for b in truth["repeats"]["blocks"]}
    factors = truth["repeats"]["expected_depth_factor"]

    def relative(sample, b):
        bam = aligned[sample]
        inside = count_reads(bam, f"{b['chrom']}:{b['start'] + 1}-{b['end']}", 20) / b["length"]
        return inside / (count_reads(bam, "chr1", 20) / 300_000)

    for name in ("SAT1", "SD2_collapsed"):
        d1, d2 = relative("D1_parental", blocks[name]), relative("D2_parental", blocks[name])
        assert d1 / d2 == pytest.approx(factors[name]["D1"] / factors[name]["D2"], rel=0.2), name
    assert relative("D1_clone_clean", blocks["SAT1"]) > 2.5
    # reads split between the two reference copies of SD1: many lose MAPQ 20
    sd1 = relative("D1_parental", blocks["SD1_copyA"])
    assert 0.2 < sd1 < 0.8


# ------------------------------------------------------------------ one-donor design


def test_one_donor_design_with_a_contaminant_not_in_the_run(tmp_path):
    outdir = tmp_path / "one"
    truth = build(outdir, design_name="one_donor", genome_scale=0.1, coverage_scale=0.5, quiet=True)
    assert truth["design"] == truth["generator"]["design"] == "one_donor"
    assert sorted(truth["samples"]) == ["D1_clone_clean", "D1_clone_contaminated", "D1_parental"]
    assert {s["coverage"] for n, s in truth["samples"].items() if n != "D1_parental"} == {15.0}
    assert truth["contamination"] == [
        {
            "sample": "D1_clone_contaminated",
            "contaminant": "D3",
            "contaminant_sex": "female",
            "fraction": 0.04,
            "contaminant_in_run": False,
            "note": "fraction of the cells (and, for autosomes, of the reads)",
        }
    ]
    assert not truth["acquired_variants"] and not truth["copy_number_events"]
    assert not truth["artefacts"] and not [v for v in truth["vectors"]]
    assert {s["genotype_donor"] for s in truth["samples"].values()} == {"D1"}
    genome = read_fasta(outdir / "reference" / "genome.fa")
    germ = truth["germline_variants"]
    d1 = {(v["chrom"], v["pos"]) for v in germ if v["donor"] == "D1"}
    d3_only = [
        v
        for v in germ
        if v["donor"] == "D3"
        and v["genotype"] == "1/1"
        and v["type"] == "snv"
        and (v["chrom"], v["pos"]) not in d1
        and v["chrom"] not in ("chrX", "chrY")
    ]
    kmers = [
        site_kmers(genome[v["chrom"]], v["pos"] - 1, v["ref"], v["alt"], 10) for v in d3_only[:150]
    ]
    for sample, fraction in (("D1_clone_contaminated", 0.04), ("D1_clone_clean", 0.0)):
        alt, ref = allele_counts(sample_reads(outdir, truth, sample), kmers)
        assert alt / (alt + ref) == pytest.approx(
            fraction, abs=4 * (0.04 * 0.96 / (alt + ref)) ** 0.5
        ), sample


def test_cli_design_option_uses_its_own_default_scale(tmp_path):
    env = {"PYTHONPATH": str(REPO / "scripts"), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "toydata",
            "--outdir",
            str(tmp_path),
            "--design",
            "one_donor",
            "--coverage-scale",
            "0.01",
            "--quiet",
        ],
        check=True,
        env=env,
    )
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert (truth["generator"]["design"], truth["generator"]["genome_scale"]) == ("one_donor", 0.2)
    with pytest.raises(ValueError):
        build(tmp_path / "x", design_name="three_donors")


# ------------------------------------------------------------------ allele fractions (deep)


@pytest.mark.slow
def test_subclonal_allele_fractions_match_truth(tmp_path):
    """Deep small genome: k-mer counts across each planted site in the FASTQ."""
    outdir = tmp_path / "deep"
    truth = build(outdir, seed=7, genome_scale=0.05, coverage_scale=6, quiet=True)
    genome = read_fasta(outdir / "reference" / "genome.fa")
    blob = b"".join(
        gzip.decompress((outdir / f).read_bytes())
        for u in truth["samples"]["D1_clone_events"]["units"]
        for f in u["fastq"]
    )
    expected, observed = [], []
    for v in truth["acquired_variants"]:
        alt, ref = kmer_allele_fraction(blob, genome, v, flank=15)
        n = alt + ref
        af, e = alt / n, v["expected_af"]
        # overlapping mates and duplicates inflate the binomial variance a little
        tolerance = 3.5 * 1.3 * (e * (1 - e) / n) ** 0.5 + 0.02
        assert abs(af - e) <= tolerance, (v["id"], af, e, n)
        expected.append(e)
        observed.append(af)
    assert np.mean(np.array(observed) - np.array(expected)) == pytest.approx(0, abs=0.04)
    assert np.corrcoef(expected, observed)[0, 1] > 0.9
    tp53 = next(v for v in truth["acquired_variants"] if v["gene"] == "TP53")
    alt, ref = kmer_allele_fraction(blob, genome, tp53, flank=15)
    assert alt / (alt + ref) == pytest.approx(0.2, abs=0.08)
    # the donor-mosaic clone: about 15% of the parental's reads (30% of its cells)
    mosaic = next(v for v in truth["acquired_variants"] if v["origin"] == "donor_mosaic")
    parental = sample_reads(outdir, truth, "D1_parental")
    site = site_kmers(genome[mosaic["chrom"]], mosaic["pos"] - 1, mosaic["ref"], mosaic["alt"], 10)
    alt, ref = allele_counts(parental, [site])
    e = mosaic["parental_expected_af"]
    assert alt / (alt + ref) == pytest.approx(e, abs=3.5 * (e * (1 - e) / (alt + ref)) ** 0.5)
    assert alt > 0
