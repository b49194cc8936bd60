"""Vector decoys as families: which decoys share sequence, which of their positions a
read can be counted on, and where a decoy's cDNA insert joins two exons.

Real episomal plasmids (the Addgene pCXLE set) share a backbone (CAG promoter, WPRE,
oriP/EBNA1, ori/AmpR) and differ by their human cDNA inserts. Reads from the backbone
map equally well to every plasmid (mapping quality 0); reads from an insert map to
the plasmid and to the gene's exons; reads from oriP/EBNA1 map to the plasmids and to
a reference's chrEBV. Everything here is measured from the sequences themselves, by
canonical k-mers (a k-mer and its reverse complement are one), without the genome:

- decoys sharing at least ``min_shared_kmers`` k-mers form a family (union of pairs);
- each position of a decoy (the k-mer starting there; the last k - 1 positions take
  the last k-mer's) has a multiplicity: how often its k-mer occurs in the family's
  sequence space (its decoys, plus homologous stretches of reference contigs such as
  chrEBV);
- a position is countable when its k-mer occurs in no other family and in none of the
  genome segments given (the reprogramming genes' exons, taken from the reference by
  the caller): a read there with mapping quality 0 can only come from the family;
- shared positions are those whose k-mer occurs in every member (the backbone).

What cannot be measured without the whole genome: decoy sequence that matches human
sequence other than the given segments (e.g. a human promoter or polyA signal in a
plasmid). Give such segments too, or they count as decoy sequence.

Coordinates are 0-based; sequences are upper-case strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ipscqc.components import connected_components

COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def canonical_kmers(sequence: str, k: int) -> list[str]:
    """The canonical k-mer starting at each position (len - k + 1 of them)."""
    sequence = sequence.upper()
    reverse = sequence.translate(COMPLEMENT)[::-1]
    n = len(sequence) - k + 1
    result = []
    for i in range(max(0, n)):
        forward = sequence[i : i + k]
        backward = reverse[len(sequence) - i - k : len(sequence) - i]
        result.append(min(forward, backward))
    return result


def _per_position(values: np.ndarray, length: int, k: int) -> np.ndarray:
    """Per-k-mer values spread to every position (the tail takes the last k-mer's)."""
    if length == 0:
        return values[:0]
    if values.size == 0:
        return np.zeros(length, dtype=values.dtype)
    tail = np.full(length - values.size, values[-1], dtype=values.dtype)
    return np.concatenate([values, tail])


@dataclass
class Homolog:
    """A stretch of a reference contig (0-based half-open) sharing a family's k-mers."""

    contig: str
    start: int
    end: int
    family: str


@dataclass
class DecoyMap:
    """Families of decoys and per-position read-counting masks."""

    k: int
    family_of: dict[str, str]  # decoy -> family name
    members: dict[str, list[str]]  # family -> decoys
    multiplicity: dict[str, np.ndarray]  # contig (decoy or homolog contig) -> per position
    countable: dict[str, np.ndarray]  # per position: a MAPQ-0 read here is family evidence
    shared: dict[str, np.ndarray]  # per position: k-mer in every member of the family
    genome_shared: dict[str, np.ndarray]  # decoy -> per position: k-mer in a genome segment
    homologs: list[Homolog] = field(default_factory=list)
    # contig -> per position: an id of the position's canonical k-mer (the same id at
    # every copy of it, in any contig), -1 for the last k - 1 positions (no k-mer starts
    # there); lays a family's copies over one another (ipscqc.vectors.level)
    kmer_id: dict[str, np.ndarray] = field(default_factory=dict)

    def family_contigs(self, family: str) -> list[str]:
        """The family's decoys and the reference contigs with stretches homologous to it."""
        contigs = list(self.members[family])
        contigs += sorted({h.contig for h in self.homologs if h.family == family})
        return contigs

    def homolog_family(self, contig: str, start: int, end: int) -> str | None:
        """The family a read on a reference contig at [start, end) belongs to: the one
        whose homologous stretch holds at least half of it."""
        best, best_overlap = None, 0
        for homolog in self.homologs:
            if homolog.contig != contig:
                continue
            overlap = min(end, homolog.end) - max(start, homolog.start)
            if overlap > best_overlap:
                best, best_overlap = homolog.family, overlap
        return best if best_overlap * 2 >= max(1, end - start) else None


def _families(decoys: dict[str, list[str]], min_shared_kmers: int) -> dict[str, str]:
    names = sorted(decoys)
    sets = {name: set(kmers) for name, kmers in decoys.items()}
    sharing = [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if len(sets[a] & sets[b]) >= min_shared_kmers
    ]
    family_of = {}
    for group in connected_components(names, sharing):
        label = group[0] if len(group) == 1 else "family:" + "+".join(group)
        for name in group:
            family_of[name] = label
    return family_of


def _homolog_runs(
    kmers: list[str], owner: dict[str, set[str]], length: int, k: int, min_run: int
) -> list[tuple[int, int, str]]:
    """Runs of a reference contig's positions whose k-mers belong to one family."""
    labels = [next(iter(owner[km])) if len(owner.get(km, ())) == 1 else None for km in kmers]
    runs, start, current = [], None, None
    for i, label in enumerate([*labels, None]):
        if label != current:
            if current is not None and i - start + k - 1 >= min_run:
                runs.append((start, min(length, i + k - 1), current))
            start, current = i, label
    return runs


def build_decoy_map(
    decoys: dict[str, str],
    k: int = 31,
    min_shared_kmers: int = 100,
    reference_contigs: dict[str, str] | None = None,
    genome_segments: dict[str, str] | None = None,
    min_homolog_length: int = 200,
) -> DecoyMap:
    """Families and masks of the decoys.

    decoys: name -> sequence (the vector FASTA). reference_contigs: other contigs of the
    alignment reference that may hold decoy sequence (chrEBV of GRCh38 analysis sets);
    stretches of at least ``min_homolog_length`` bp sharing a family's k-mers become
    part of the family's sequence space. genome_segments: human sequence known to occur
    in decoys (the exons of the transgene genes); decoy positions sharing their k-mers
    are not countable for reads of low mapping quality.
    """
    reference_contigs = reference_contigs or {}
    kmers = {name: canonical_kmers(seq, k) for name, seq in decoys.items()}
    family_of = _families(kmers, min_shared_kmers)
    members: dict[str, list[str]] = {}
    for name, family in sorted(family_of.items()):
        members.setdefault(family, []).append(name)
    owner: dict[str, set[str]] = {}  # k-mer -> families holding it
    for name, kms in kmers.items():
        for km in kms:
            owner.setdefault(km, set()).add(family_of[name])
    homologs, space_kmers = _sequence_space(kmers, owner, reference_contigs, k, min_homolog_length)
    families_at = {
        contig: _position_families(contig, len(kms), decoys, family_of, homologs, k)
        for contig, kms in space_kmers.items()
    }
    masks = _ContigMasks(
        k,
        owner,
        {km for seq in (genome_segments or {}).values() for km in canonical_kmers(seq, k)},
        {name: set(kms) for name, kms in kmers.items()},
        members,
        _occurrences(space_kmers, families_at),
    )
    ids: dict[str, int] = {}
    multiplicity, countable, shared, genome_shared, kmer_id = {}, {}, {}, {}, {}
    for contig, kms in space_kmers.items():
        length = len(decoys.get(contig) or reference_contigs[contig])
        numbered = np.full(length, -1, dtype=np.int64)
        numbered[: len(kms)] = [ids.setdefault(km, len(ids)) for km in kms]
        kmer_id[contig] = numbered
        mult, ok, every, in_genome = masks.of(kms, families_at[contig])
        multiplicity[contig] = _per_position(mult, length, k)
        countable[contig] = _per_position(ok, length, k)
        shared[contig] = _per_position(every & ok, length, k)
        if contig in decoys:
            genome_shared[contig] = _per_position(in_genome, length, k)
    return DecoyMap(
        k, family_of, members, multiplicity, countable, shared, genome_shared, homologs, kmer_id
    )


def _sequence_space(
    kmers: dict[str, list[str]],
    owner: dict[str, set[str]],
    reference_contigs: dict[str, str],
    k: int,
    min_homolog_length: int,
) -> tuple[list[Homolog], dict[str, list[str]]]:
    """Stretches of the reference contigs holding a family's k-mers, and the k-mers of
    every contig of the families' sequence space (decoys and those contigs)."""
    homologs: list[Homolog] = []
    space_kmers = dict(kmers)
    for contig, seq in reference_contigs.items():
        contig_kmers = canonical_kmers(seq, k)
        for start, end, family in _homolog_runs(
            contig_kmers, owner, len(seq), k, min_homolog_length
        ):
            homologs.append(Homolog(contig, start, end, family))
        space_kmers[contig] = contig_kmers
    return homologs, space_kmers


def _position_families(
    contig: str,
    count: int,
    decoys: dict[str, str],
    family_of: dict[str, str],
    homologs: list[Homolog],
    k: int,
) -> list[str | None]:
    """The family each k-mer of a contig belongs to (None: outside the space)."""
    if contig in decoys:
        return [family_of[contig]] * count
    fams: list[str | None] = [None] * count
    for h in homologs:
        if h.contig == contig:
            for i in range(h.start, min(h.end - k + 1, count)):
                fams[i] = h.family
    return fams


def _occurrences(
    space_kmers: dict[str, list[str]], families_at: dict[str, list[str | None]]
) -> dict[tuple[str, str], int]:
    """(family, k-mer) -> how often the k-mer occurs in the family's sequence space."""
    occurrences: dict[tuple[str, str], int] = {}
    for contig, kms in space_kmers.items():
        for km, fam in zip(kms, families_at[contig], strict=True):
            if fam is not None:
                occurrences[(fam, km)] = occurrences.get((fam, km), 0) + 1
    return occurrences


@dataclass(frozen=True)
class _ContigMasks:
    """Per-k-mer masks of one contig of the sequence space."""

    k: int
    owner: dict[str, set[str]]
    genome_kmers: set[str]
    member_sets: dict[str, set[str]]
    members: dict[str, list[str]]
    occurrences: dict[tuple[str, str], int]

    def of(self, kms: list[str], fams: list[str | None]):
        """Multiplicity in the family, countable (in the family, no other family's and
        no genome k-mer), shared by every member, and shared with the genome."""
        pairs = list(zip(kms, fams, strict=True))
        mult = np.array([self.occurrences.get((f, km), 0) if f else 0 for km, f in pairs], float)
        foreign = np.array(
            [bool(f) and len(self.owner.get(km, {f}) - {f}) > 0 for km, f in pairs], dtype=bool
        )
        in_genome = np.array([km in self.genome_kmers for km in kms], dtype=bool)
        every = np.array(
            [
                bool(f) and all(km in self.member_sets[m] for m in self.members[f])
                for km, f in pairs
            ],
            dtype=bool,
        )
        ok = np.array([f is not None for f in fams], dtype=bool) & ~foreign & ~in_genome
        return mult, ok, every, in_genome


def effective_lengths(decoy_map: DecoyMap, family: str) -> dict[str, float]:
    """Non-redundant lengths of a family's sequence (bp): 'countable' (every countable
    position once, whichever copy holds it: sum of 1 / multiplicity) and 'shared'
    (the countable positions shared by every member: the backbone)."""
    result = {"countable": 0.0, "shared": 0.0}
    for contig in decoy_map.family_contigs(family):
        mult = np.maximum(decoy_map.multiplicity[contig], 1.0)
        result["countable"] += float((decoy_map.countable[contig] / mult).sum())
        result["shared"] += float((decoy_map.shared[contig] / mult).sum())
    return result


def junction_key(junction) -> str:
    """A junction's name within its gene: the intron it removes, 0-based half-open."""
    return f"{junction.chrom}:{junction.left_end}-{junction.right_start}"


def decoy_junction_points(
    decoys: dict[str, str], junctions: list, core: int = 16
) -> dict[str, list[tuple[int, str, str]]]:
    """Where each exon-exon junction of the transgene genes lies in a decoy's cDNA
    insert: decoy -> [(position of the junction, gene, junction_key)], found by the
    ``core`` bases on each side of the junction (Junction.spliced with its flank; either
    strand)."""
    found: dict[str, list[tuple[int, str, str]]] = {name: [] for name in decoys}
    for junction in junctions:
        if junction.flank < core or len(junction.spliced) - junction.flank < core:
            continue
        probe = junction.spliced[junction.flank - core : junction.flank + core]
        reverse = probe.translate(COMPLEMENT)[::-1]
        for name, seq in decoys.items():
            seq = seq.upper()
            for pattern in {probe, reverse}:
                index = seq.find(pattern)
                while index != -1:
                    found[name].append((index + core, junction.gene, junction_key(junction)))
                    index = seq.find(pattern, index + 1)
    return {name: sorted(set(points)) for name, points in found.items()}
