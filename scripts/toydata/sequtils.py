"""Sequence helpers shared by the toy data generator.

Sequences are numpy ``uint8`` arrays of ASCII codes (``b"ACGTN"``), so that slicing,
reverse-complementing and writing never loop over bases in Python.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
N_CODE = ord("N")

# ASCII -> complement ASCII (N stays N; anything unknown becomes N)
COMPLEMENT = np.full(256, N_CODE, dtype=np.uint8)
for _a, _b in zip(b"ACGTNacgtn", b"TGCANtgcan", strict=True):
    COMPLEMENT[_a] = _b

# ASCII -> 0..3 for A, C, G, T; 4 for anything else
BASE_INDEX = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    BASE_INDEX[_b] = _i

# ASCII -> 1 for G/C, else 0
IS_GC = np.zeros(256, dtype=np.uint8)
IS_GC[ord("G")] = IS_GC[ord("C")] = 1

# The generator keeps its own genetic code (and imports nothing from ipscqc), so the
# planted truth never depends on the code under test.
CODON_TABLE = {
    "TTT": "F", "TTC": "F", "TTA": "L", "TTG": "L", "CTT": "L", "CTC": "L", "CTA": "L",
    "CTG": "L", "ATT": "I", "ATC": "I", "ATA": "I", "ATG": "M", "GTT": "V", "GTC": "V",
    "GTA": "V", "GTG": "V", "TCT": "S", "TCC": "S", "TCA": "S", "TCG": "S", "CCT": "P",
    "CCC": "P", "CCA": "P", "CCG": "P", "ACT": "T", "ACC": "T", "ACA": "T", "ACG": "T",
    "GCT": "A", "GCC": "A", "GCA": "A", "GCG": "A", "TAT": "Y", "TAC": "Y", "TAA": "*",
    "TAG": "*", "CAT": "H", "CAC": "H", "CAA": "Q", "CAG": "Q", "AAT": "N", "AAC": "N",
    "AAA": "K", "AAG": "K", "GAT": "D", "GAC": "D", "GAA": "E", "GAG": "E", "TGT": "C",
    "TGC": "C", "TGA": "*", "TGG": "W", "CGT": "R", "CGC": "R", "CGA": "R", "CGG": "R",
    "AGT": "S", "AGC": "S", "AGA": "R", "AGG": "R", "GGT": "G", "GGC": "G", "GGA": "G",
    "GGG": "G",
}  # fmt: skip
SENSE_CODONS = sorted(c for c, aa in CODON_TABLE.items() if aa != "*")
STOP_CODONS = sorted(c for c, aa in CODON_TABLE.items() if aa == "*")
SYNONYMOUS = {}
for _codon, _aa in CODON_TABLE.items():
    SYNONYMOUS.setdefault(_aa, []).append(_codon)
for _aa in SYNONYMOUS:
    SYNONYMOUS[_aa].sort()


def child_rng(seed: int, *names: str) -> np.random.Generator:
    """An independent, reproducible generator for one named task.

    The stream depends only on the seed and the names (CRC32 of each name), never on
    the order in which tasks run, so parallel workers give identical bytes.
    """
    keys = [int(seed)] + [zlib.crc32(name.encode()) for name in names]
    return np.random.default_rng(np.random.SeedSequence(keys))


def as_array(seq: str | bytes) -> np.ndarray:
    if isinstance(seq, str):
        seq = seq.encode()
    return np.frombuffer(seq, dtype=np.uint8).copy()


def as_str(arr: np.ndarray) -> str:
    return np.asarray(arr, dtype=np.uint8).tobytes().decode()


def reverse_complement(arr: np.ndarray) -> np.ndarray:
    return COMPLEMENT[np.asarray(arr)[..., ::-1]]


def revcomp_str(seq: str) -> str:
    return as_str(reverse_complement(as_array(seq)))


def translate(cds: str) -> str:
    return "".join(CODON_TABLE.get(cds[i : i + 3], "X") for i in range(0, len(cds) - 2, 3))


def random_bases(rng: np.random.Generator, gc: np.ndarray | float, n: int) -> np.ndarray:
    """n random bases; ``gc`` is a scalar or a per-base array of G+C probability."""
    u = rng.random(n, dtype=np.float32)
    gc = np.asarray(gc, dtype=np.float32)
    half_gc = gc / 2
    out = np.full(n, ord("T"), dtype=np.uint8)
    out[u < gc + (1 - gc) / 2] = ord("A")
    out[u < gc] = ord("C")
    out[u < half_gc] = ord("G")
    return out


def mutate(rng: np.random.Generator, arr: np.ndarray, rate: float) -> np.ndarray:
    """Copy of ``arr`` with substitutions at ``rate`` (each to a different base)."""
    out = arr.copy()
    hit = np.nonzero(rng.random(len(arr)) < rate)[0]
    codes = BASE_INDEX[out[hit]]
    ok = codes < 4
    hit, codes = hit[ok], codes[ok]
    out[hit] = BASES[(codes + rng.integers(1, 4, len(hit))) % 4]
    return out


def gc_fraction(arr: np.ndarray) -> float:
    acgt = BASE_INDEX[arr] < 4
    return float(IS_GC[arr].sum() / max(1, acgt.sum()))


def write_fasta(path: Path, records: list[tuple[str, np.ndarray]], width: int = 60) -> None:
    """Write records as FASTA with fixed line width, without per-base Python loops."""
    with open(path, "wb") as handle:
        for name, seq in records:
            handle.write(b">" + name.encode() + b"\n")
            n = len(seq)
            full = n // width
            if full:
                block = np.empty((full, width + 1), dtype=np.uint8)
                block[:, :width] = np.asarray(seq[: full * width]).reshape(full, width)
                block[:, width] = 10
                handle.write(block.tobytes())
            if n % width:
                handle.write(np.asarray(seq[full * width :]).tobytes() + b"\n")
