"""The same reads given as both mates are refused: fq2 a copy or hard link of fq1, or
two files of the same mate (ipscqc.mates, ipscqc.fastq, ipscqc.sheets)."""

from __future__ import annotations

import gzip
import os
import random
import shutil
from collections import Counter

import pytest
from conftest import REPO
from ipscqc.fastq import fastq_pair_problems
from ipscqc.mates import mate_number, mate_problems
from ipscqc.sheets import SheetError, load_and_check

SCHEMAS = REPO / "schemas"


def casava_records(count: int, mate: int, seed: int) -> str:
    """Illumina (CASAVA 1.8+) records: '@<name> <mate>:N:0:<index>'."""
    rng = random.Random(seed)
    return "".join(
        f"@M00001:1:FC1:1:1101:{1000 + index}:2000 {mate}:N:0:ACGTACGT\n"
        f"{''.join(rng.choice('ACGT') for _ in range(50))}\n+\n{'F' * 50}\n"
        for index in range(count)
    )


def write(path, text):
    path.write_bytes(gzip.compress(text.encode(), mtime=0))
    return path


def problems_of(fq1, fq2):
    problems, _ = fastq_pair_problems(fq1, fq2, records=100, full_check_bytes=1 << 30)
    return problems


@pytest.mark.parametrize(
    ("header", "mate"),
    [
        (b"@M1:1:FC:1:1:1:1 1:N:0:ACGT", 1),
        (b"@M1:1:FC:1:1:1:1 2:Y:18:ACGT+TTGA", 2),
        (b"@read7/2", 2),
        (b"@read7/1 extra", 1),
        (b"@SRR1.1 1 length=50", None),
        (b"@read7", None),
    ],
)
def test_mate_number(header, mate):
    assert mate_number(header) == mate


def test_a_true_pair_passes(tmp_path):
    fq1 = write(tmp_path / "R1.fq.gz", casava_records(200, 1, seed=1))
    fq2 = write(tmp_path / "R2.fq.gz", casava_records(200, 2, seed=2))
    assert problems_of(fq1, fq2) == []


def test_fq2_a_byte_copy_of_fq1(tmp_path):
    fq1 = write(tmp_path / "R1.fq.gz", casava_records(200, 1, seed=1))
    fq2 = tmp_path / "R2.fq.gz"
    shutil.copy(fq1, fq2)
    problems = problems_of(fq1, fq2)
    assert (
        f"{fq1} and {fq2}: the two files hold the same reads (the first 100 record(s) have"
        " the same sequences): fq2 is a copy of fq1, not its mate"
    ) in problems
    assert any("both files hold read 1" in problem for problem in problems)


def test_fq2_a_hard_link_of_fq1(tmp_path):
    fq1 = write(tmp_path / "R1.fq.gz", casava_records(200, 1, seed=1))
    fq2 = tmp_path / "R2.fq.gz"
    os.link(fq1, fq2)
    assert any("hold the same reads" in problem for problem in problems_of(fq1, fq2))


def test_two_read_1_files(tmp_path):
    """Both headers say 1:N:0 (e.g. R1 of lane 1 and R1 of lane 2 with equal names)."""
    fq1 = write(tmp_path / "L1_R1.fq.gz", casava_records(200, 1, seed=1))
    fq2 = write(tmp_path / "L2_R1.fq.gz", casava_records(200, 1, seed=2))
    assert problems_of(fq1, fq2) == [
        f"{fq1} and {fq2}: both files hold read 1 (their headers say '1:N:...' or '/1'): fq1"
        " must be the read 1 file and fq2 the read 2 file of the same unit"
    ]


def test_interleaved_file_is_named():
    problems = mate_problems("a.fq", "b.fq", Counter({1: 50, 2: 50}), Counter({2: 100}), [1], [2])
    assert problems == [
        "a.fq: the headers state both read 1 (50) and read 2 (50): an interleaved FASTQ;"
        " split it into a read 1 and a read 2 file"
    ]


def test_headers_without_mate_numbers_are_not_judged():
    assert mate_problems("a", "b", Counter({None: 9}), Counter({None: 9}), [1, 2], [3, 4]) == []


def test_sheet_with_fq2_a_hard_link_of_fq1(tmp_path):
    (tmp_path / "samples.tsv").write_text("sample\tdonor\trole\nP1\tD1\tparental\n")
    write(tmp_path / "R1.fq.gz", casava_records(4, 1, seed=1))
    os.link(tmp_path / "R1.fq.gz", tmp_path / "R2.fq.gz")
    (tmp_path / "units.tsv").write_text("sample\tunit\tfq1\tfq2\nP1\tu1\tR1.fq.gz\tR2.fq.gz\n")
    with pytest.raises(SheetError) as exc_info:
        load_and_check(
            tmp_path / "samples.tsv",
            tmp_path / "units.tsv",
            SCHEMAS / "samples.schema.yaml",
            SCHEMAS / "units.schema.yaml",
        )
    assert exc_info.value.errors == [
        f"{tmp_path / 'units.tsv'}, line 2 (P1/u1), field 'fq2': same file as fq1 (a hard"
        f" link of it): '{tmp_path / 'R2.fq.gz'}'"
    ]


def test_sheet_with_a_fastq_hard_linked_into_another_unit(tmp_path):
    (tmp_path / "samples.tsv").write_text("sample\tdonor\trole\nP1\tD1\tparental\n")
    for name in ("u1_R1", "u1_R2"):
        write(tmp_path / f"{name}.fq.gz", casava_records(4, int(name[-1]), seed=len(name)))
    os.link(tmp_path / "u1_R2.fq.gz", tmp_path / "u2_R1.fq.gz")
    write(tmp_path / "u2_R2.fq.gz", casava_records(4, 2, seed=9))
    (tmp_path / "units.tsv").write_text(
        "sample\tunit\tfq1\tfq2\nP1\tu1\tu1_R1.fq.gz\tu1_R2.fq.gz\nP1\tu2\tu2_R1.fq.gz\tu2_R2.fq.gz\n"
    )
    with pytest.raises(SheetError) as exc_info:
        load_and_check(
            tmp_path / "samples.tsv",
            tmp_path / "units.tsv",
            SCHEMAS / "samples.schema.yaml",
            SCHEMAS / "units.schema.yaml",
        )
    assert exc_info.value.errors == [
        f"{tmp_path / 'units.tsv'}, line 3 (P1/u2), field 'fq1': FASTQ"
        f" '{tmp_path / 'u2_R1.fq.gz'}' is also fq2 of P1/u1 (line 2)"
    ]
