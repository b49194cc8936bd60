"""The genome model every check uses: what kind of contig each name is, where the
pseudoautosomal regions lie, and how many copies of each chromosome a normal cell has.

Contig classes (``contig_class``):

- ``autosome``: the numbered primary chromosomes (``chr1``..``chr22`` or ``1``..``22``);
- ``X``, ``Y``: the sex chromosomes;
- ``mitochondrion``: ``chrM``, ``MT``;
- ``alt``, ``unplaced``, ``decoy``, ``hla``, ``ebv``: the other contigs of GRCh38/GRCh37
  analysis sets (``chr6_GL000250v2_alt``, ``chrUn_KI270302v1``, ``chr1_KI270706v1_random``,
  ``chrUn_JTFH01000001v1_decoy``, ``hs37d5``, ``HLA-A*01:01:01:01``, ``chrEBV``/``NC_007605``);
- ``vector``: reprogramming-vector decoy contigs added to the alignment reference;
- ``other``: anything else.

Only autosomes, X and Y are analysed (depth figures, calling, copy number); the other
classes stay in the alignment index so that their reads do not land elsewhere.

Coordinates of the pseudoautosomal regions are 1-based closed, as the Genome Reference
Consortium publishes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

CONTIG_CLASSES = (
    "autosome",
    "X",
    "Y",
    "mitochondrion",
    "alt",
    "unplaced",
    "decoy",
    "hla",
    "ebv",
    "vector",
    "other",
)
ANALYSED_CLASSES = ("autosome", "X", "Y")

_AUTOSOME = re.compile(r"^(chr)?([1-9]|[1-9][0-9])$", re.IGNORECASE)
_X = {"x", "chrx"}
_Y = {"y", "chry"}
_MITOCHONDRION = {"m", "mt", "chrm", "chrmt"}
_EBV = {"chrebv", "ebv", "nc_007605", "nc_007605.1"}


def contig_class(name: str, vectors: Iterable[str] = ()) -> str:
    """The class of a contig name (see the module docstring)."""
    if name in set(vectors):
        return "vector"
    lowered = name.lower()
    if _AUTOSOME.match(name):
        return "autosome"
    if lowered in _X:
        return "X"
    if lowered in _Y:
        return "Y"
    if lowered in _MITOCHONDRION:
        return "mitochondrion"
    if lowered in _EBV:
        return "ebv"
    if name.startswith("HLA-") or name.startswith("HLA_"):
        return "hla"
    if lowered.endswith("_alt"):
        return "alt"
    if lowered.endswith("_decoy") or lowered in ("hs37d5", "hs38d1"):
        return "decoy"
    if (
        lowered.endswith("_random")
        or lowered.startswith(("chrun", "un_"))
        or re.match(r"^(gl|ki|kn|kz|jh)\d", lowered)
    ):
        return "unplaced"
    return "other"


@dataclass(frozen=True)
class GenomeBuild:
    """A reference build: its name and its pseudoautosomal regions (1-based closed)."""

    name: str
    x_par: tuple[tuple[int, int], ...] = ()
    y_par: tuple[tuple[int, int], ...] = ()


# Pseudoautosomal regions from the GRC assembly reports (GRCh38.p14, GRCh37.p13).
BUILDS = {
    "GRCh38": GenomeBuild(
        "GRCh38",
        x_par=((10_001, 2_781_479), (155_701_383, 156_030_895)),
        y_par=((10_001, 2_781_479), (56_887_903, 57_217_415)),
    ),
    "GRCh37": GenomeBuild(
        "GRCh37",
        x_par=((60_001, 2_699_520), (154_931_044, 155_260_560)),
        y_par=((10_001, 2_649_520), (59_034_050, 59_363_566)),
    ),
    "toy": GenomeBuild("toy"),
}


def build_of(name: str) -> GenomeBuild:
    """The known build of that name; an unknown name has no pseudoautosomal regions."""
    return BUILDS.get(name, GenomeBuild(name))


@dataclass(frozen=True)
class GenomeModel:
    """Contig names of a reference (in reference order), its build and its vector decoys."""

    build: GenomeBuild
    contigs: tuple[str, ...] = ()
    vectors: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, build: str, contigs: Iterable[str] = (), vectors: Iterable[str] = ()):
        return cls(build_of(build), tuple(contigs), frozenset(vectors))

    def contig_class(self, name: str) -> str:
        return contig_class(name, self.vectors)

    def classes(self, names) -> np.ndarray:
        """The class of every name of an array or column (vectorised over distinct names)."""
        names = np.asarray(names, dtype=object)
        distinct = {name: self.contig_class(str(name)) for name in set(names.tolist())}
        return np.array([distinct[name] for name in names.tolist()], dtype=object)

    def of_class(self, *classes: str) -> list[str]:
        """The reference's contigs of the given classes, in reference order."""
        return [name for name in self.contigs if self.contig_class(name) in classes]

    @property
    def autosomes(self) -> list[str]:
        return self.of_class("autosome")

    @property
    def analysed(self) -> list[str]:
        """Contigs the checks analyse: autosomes, X and Y."""
        return self.of_class(*ANALYSED_CLASSES)

    def pseudoautosomal(self, chrom: str) -> tuple[tuple[int, int], ...]:
        kind = self.contig_class(chrom)
        if kind == "X":
            return self.build.x_par
        if kind == "Y":
            return self.build.y_par
        return ()

    def outside_par(self, chrom: str, pos) -> np.ndarray:
        """True for 1-based positions of ``chrom`` outside its pseudoautosomal regions."""
        pos = np.asarray(pos)
        keep = np.ones(pos.shape, dtype=bool)
        for start, end in self.pseudoautosomal(chrom):
            keep &= ~((pos >= start) & (pos <= end))
        return keep

    def outside_par_many(self, chroms, pos) -> np.ndarray:
        """``outside_par`` over parallel arrays of contig names and 1-based positions."""
        chroms = np.asarray(chroms, dtype=object)
        pos = np.asarray(pos)
        keep = np.ones(len(pos), dtype=bool)
        for chrom in set(chroms.tolist()):
            on = chroms == chrom
            keep[on] = self.outside_par(str(chrom), pos[on])
        return keep

    def baseline_copies(self, chrom: str, sex: str) -> tuple[int, int]:
        """Copies of a contig in a normal cell of that sex (c0) and copies of its more
        frequent allele (m0): (2, 1) for autosomes, X of a female; (1, 1) for X and Y of
        a male and for the mitochondrion; (0, 0) for Y of a female. An unknown sex is
        treated as female (two X, no Y). Pseudoautosomal regions are not told apart."""
        kind = self.contig_class(chrom)
        if kind == "X":
            return (1, 1) if sex == "male" else (2, 1)
        if kind == "Y":
            return (1, 1) if sex == "male" else (0, 0)
        if kind == "mitochondrion":
            return (1, 1)
        return (2, 1)
