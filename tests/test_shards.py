"""Shards of the analysed genome (ipscqc.shards): bounded size at GRCh38 scale, small
contigs packed, every base in exactly one shard, cuts moved into assembly gaps; and the
workflow's own pileup, candidate and gather commands give the same records from a genome
cut in two as from it whole, also for an indel left-aligned across the cut."""

from __future__ import annotations

import random
import subprocess
from types import SimpleNamespace

import pysam
import pytest
from ipscqc.shards import CUT_WINDOW, MIN_GAP, Region, Shard, cut_in_gaps, gap_cut, plan_shards
from test_input_safety import planned_jobs
from user_inputs import REPO, write_config, write_user_inputs

#: GRCh38 primary assembly: autosomes, X and Y (GRC, GCA_000001405.15), bases.
GRCH38 = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555,
    "chr5": 181538259, "chr6": 170805979, "chr7": 159345973, "chr8": 145138636,
    "chr9": 138394717, "chr10": 133797422, "chr11": 135086622, "chr12": 133275309,
    "chr13": 114364328, "chr14": 107043718, "chr15": 101991189, "chr16": 90338345,
    "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415,
}  # fmt: skip


def tiles(shards: list[Shard], lengths: dict[str, int]) -> None:
    """Every base of every contig in exactly one shard, in FASTA order."""
    regions = [region for shard in shards for region in shard.regions]
    assert [r.contig for r in regions] == sorted(
        (r.contig for r in regions), key=list(lengths).index
    )
    for contig, length in lengths.items():
        pieces = [r for r in regions if r.contig == contig]
        assert pieces[0].start == 1 and pieces[-1].end == length, contig
        for before, after in zip(pieces, pieces[1:], strict=False):
            assert after.start == before.end + 1, (contig, before, after)


def test_grch38_is_cut_into_bounded_shards():
    shards = plan_shards(GRCH38, 25_000_000)
    tiles(shards, GRCH38)
    assert len(shards) == 136
    assert max(shard.bases for shard in shards) <= 25_000_000
    assert min(shard.bases for shard in shards) > 16_000_000  # near-equal pieces
    assert sum(shard.regions[0].contig == "chr1" for shard in shards) == 10
    assert [shard.index for shard in shards] == list(range(136))
    # the largest shard is a tenth of chr1: no job holds a whole large chromosome
    assert max(shard.bases for shard in shards) < GRCH38["chr1"] / 9


def test_small_contigs_are_packed_in_order_and_large_ones_cut():
    lengths = {"a": 10, "b": 10, "c": 15, "d": 40, "e": 5}
    shards = plan_shards(lengths, 30)
    tiles(shards, lengths)
    assert [shard.regions for shard in shards] == [
        (Region("a", 1, 10), Region("b", 1, 10)),  # 20; adding c would make 35
        (Region("c", 1, 15),),  # closed before d is cut
        (Region("d", 1, 20),),
        (Region("d", 21, 40),),
        (Region("e", 1, 5),),
    ]
    assert shards[0].regions_file_text() == "a\t1\t10\nb\t1\t10\n"
    with pytest.raises(ValueError, match="at least 1 base"):
        plan_shards(lengths, 0)


def sequence_with_gaps(length: int, gaps: list[tuple[int, int]], seed: int = 1) -> str:
    rng = random.Random(seed)
    bases = [rng.choice("ACGT") for _ in range(length)]
    for start, size in gaps:
        bases[start : start + size] = "N" * size
    return "".join(bases)


def cut_shards(length: int, gaps: list[tuple[int, int]], shard_bases: int) -> list[Shard]:
    sequence = sequence_with_gaps(length, gaps)
    shards = plan_shards({"chr1": length}, shard_bases)
    return cut_in_gaps(shards, shard_bases, lambda c, a, b: sequence[a:b].encode())


def test_a_cut_moves_into_the_longest_gap_nearby():
    # nominal cut at 50,000; window 10% of 50,000 = 5,000 either side
    shards = cut_shards(100_000, [(46_000, 1_500), (52_000, 3_000)], 50_000)
    tiles(shards, {"chr1": 100_000})
    assert shards[0].regions[0].end == 52_000 + 1_500  # the middle of the 3 kb gap


def test_a_cut_stays_without_a_gap_long_enough_or_near_enough():
    assert CUT_WINDOW == 0.1 and MIN_GAP == 1000
    for gaps in ([], [(50_500, MIN_GAP - 1)], [(56_000, 5_000)]):
        shards = cut_shards(100_000, gaps, 50_000)
        assert shards[0].regions[0].end == 50_000, gaps
        tiles(shards, {"chr1": 100_000})


def test_gap_cut_prefers_the_nearer_of_equal_gaps():
    sequence = b"A" * 100 + b"N" * 1000 + b"A" * 300 + b"N" * 1000 + b"A" * 100
    assert gap_cut(sequence, 0, 2000) == 1400 + 500
    assert gap_cut(sequence, 10, 0) == 10 + 100 + 500
    assert gap_cut(b"ACGT" * 1000, 0, 2000) is None


# ---------------------------------------------------------------- the rules' commands

CONTIG = "chr1"
LENGTH = 4000
CUT = 2000  # shard 0: 1-2000, shard 1: 2001-4000
RUN = 2010  # an A homopolymer over bases 1991..2010 (1-based), across the cut
SNVS = {1000: "A", 1995: "C", 2500: "A"}  # position (1-based) -> alt base


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    """The workflow's rules, planned on a user's GRCh38-shaped inputs."""
    folder = tmp_path_factory.mktemp("shards")
    configfile = write_config(folder / "my_config.yaml", write_user_inputs(folder / "inputs"))
    (folder / "run").mkdir()
    jobs = planned_jobs(folder / "run", configfile, REPO / "Snakefile")
    return {job.rule.name: job.rule for job in jobs}


def reference(path) -> str:
    rng = random.Random(7)
    bases = [rng.choice("CGT") for _ in range(LENGTH)]
    bases[RUN - 20 : RUN] = "A" * 20
    sequence = "".join(bases)
    path.write_text(f">{CONTIG}\n{sequence}\n")
    pysam.faidx(str(path))
    return sequence


def write_bam(path, sequence: str) -> None:
    """Reads over the whole contig, each with SNVs at 1,000, 1,995 (in the homopolymer,
    before the cut) and 2,500; those over the homopolymer carry a 1-base deletion placed
    at its right end, after the cut (aligners do not always left-align), which bcftools
    norm moves to its left end, before the cut and before the SNV at 1,995."""
    header = {
        "HD": {"VN": "1.6", "SO": "coordinate"},
        "SQ": [{"SN": CONTIG, "LN": LENGTH}],
        "RG": [{"ID": "P1", "SM": "P1"}],
    }
    reads = []
    for start in range(0, LENGTH - 100, 7):
        bases = list(sequence[start : start + 101])
        for snv, alt in SNVS.items():
            if start <= snv - 1 < start + 101:
                bases[snv - 1 - start] = alt
        cigar = "100M"
        if start + 10 < RUN - 1 and start + 101 > RUN + 10:
            del bases[RUN - 1 - start]  # the homopolymer's last A
            cigar = f"{RUN - 1 - start}M1D{100 - (RUN - 1 - start)}M"
        reads.append((start, "".join(bases[:100]), cigar))
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for number, (start, bases, cigar) in enumerate(reads):
            read = pysam.AlignedSegment(bam.header)
            read.query_name, read.reference_id, read.reference_start = f"r{number}", 0, start
            read.query_sequence, read.cigarstring = bases, cigar
            read.mapping_quality, read.query_qualities = 60, [35] * 100
            read.set_tag("RG", "P1")
            bam.write(read)
    pysam.index(str(path))


def run_rule(rule, tmp_path, **namespaces) -> None:
    from snakemake.utils import format as snakemake_format

    log = tmp_path / f"{rule.name}.log"
    command = snakemake_format(
        rule.shellcmd,
        **{key: SimpleNamespace(**value) for key, value in namespaces.items()},
        log=[str(log)],
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert done.returncode == 0, log.read_text()


def candidates(rules, tmp_path, shards: list[Shard]) -> list[tuple]:
    """The donor's candidate records from the workflow's commands, shard by shard."""
    fasta, bam = tmp_path / "genome.fa", tmp_path / "P1.bam"
    params = {"versions": "true", "min_mapq": 20, "min_baseq": 13, "max_depth": 1000}
    parts = []
    for shard in shards:
        regions = tmp_path / f"s{shard.index}.regions.tsv"
        regions.write_text(shard.regions_file_text())
        pileup, part = tmp_path / f"s{shard.index}.pileup.bcf", tmp_path / f"s{shard.index}.bcf"
        run_rule(
            rules["pileup_variants"], tmp_path,
            input={"bams": [str(bam)], "reference": str(fasta), "regions": str(regions)},
            output={"bcf": str(pileup), "versions": ""}, params=params,
        )  # fmt: skip
        run_rule(
            rules["candidate_variants"], tmp_path,
            input={"pileup": str(pileup), "reference": str(fasta)},
            output={"bcf": str(part), "versions": ""},
            params={"min_alt_reads": 2, "versions": "true"},
        )  # fmt: skip
        assert (tmp_path / f"s{shard.index}.bcf.csi").exists()
        parts.append(str(part))
    joined = tmp_path / "joined.vcf"
    subprocess.run(
        ["bcftools", "concat", "--allow-overlaps", "--output", str(joined), *parts], check=True
    )  # the gather rules' join (gather_variants, annotate_candidates)
    with pysam.VariantFile(str(joined)) as records:
        return [(r.chrom, r.pos, r.ref, r.alts[0], r.samples[0]["AD"]) for r in records]


def test_a_genome_cut_in_two_gives_the_same_candidates_as_whole(rules, tmp_path):
    sequence = reference(tmp_path / "genome.fa")
    write_bam(tmp_path / "P1.bam", sequence)
    whole = candidates(rules, tmp_path, [Shard(0, (Region(CONTIG, 1, LENGTH),))])
    cut = [Shard(0, (Region(CONTIG, 1, CUT),)), Shard(1, (Region(CONTIG, CUT + 1, LENGTH),))]
    (tmp_path / "cut").mkdir()
    for name in ("genome.fa", "genome.fa.fai", "P1.bam", "P1.bam.bai"):
        (tmp_path / "cut" / name).symlink_to(tmp_path / name)
    in_shards = candidates(rules, tmp_path / "cut", cut)
    positions = [(pos, ref, alt) for _, pos, ref, alt, _ in whole]
    # the SNVs, and the deletion seen right of the cut, left-aligned before it
    anchor = RUN - 20  # the base before the homopolymer
    assert positions == [
        (1000, sequence[999], "A"),
        (anchor, sequence[anchor - 1] + "A", sequence[anchor - 1]),
        (1995, "A", "C"),
        (2500, sequence[2499], "A"),
    ]
    # the deletion is in the second shard's part, before the first shard's last record:
    # only a sorted join (--allow-overlaps) keeps the records in order
    with pysam.VariantFile(str(tmp_path / "cut" / "s1.bcf")) as second:
        assert next(iter(second)).pos == anchor < CUT
    assert in_shards == whole
