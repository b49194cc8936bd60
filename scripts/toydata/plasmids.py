"""Plasmid-shaped vector decoys: one family of episomal plasmids sharing a backbone.

Like the pCXLE plasmids used for episomal reprogramming, the three toy plasmids share
one backbone (a CAG-promoter-like, a WPRE-like, an oriP-like, an EBNA1-like, a
pUC-ori-like and an AmpR-like stretch; random sequence standing for each element,
identical in the three plasmids) and differ only by their cDNA insert: the spliced
coding sequence (exons joined without introns, start to stop codon) of a toy
reprogramming gene. Reads from the backbone align equally well to the three decoys
(MAPQ 0); reads from an insert align both to the decoy and, split at the exon
junctions, to the gene.

Layout of every plasmid (circular, 0-based half-open): CAG-like | insert | WPRE-like |
oriP-like | EBNA1-like | ori-like | AmpR-like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .genes import GeneModel
from .sequtils import child_rng, random_bases

FAMILY = "toy_pCXLE"
INSERT_GENES = ("POU5F1", "SOX2", "KLF4")
# element, length (bp), G+C fraction; the insert goes after the first element
BACKBONE = [
    ("CAG_promoter_like", 1_700, 0.62),
    ("WPRE_like", 600, 0.52),
    ("oriP_like", 1_800, 0.45),
    ("EBNA1_like", 1_950, 0.55),
    ("pUC_ori_like", 600, 0.52),
    ("AmpR_like", 1_000, 0.48),
]
CASSETTE_FLANK = 200  # plasmid bases kept on each side of the insert in the cassette


@dataclass
class Plasmid:
    name: str
    gene: str
    transcript: str
    sequence: np.ndarray
    elements: list[tuple[str, int, int]]  # (name, start, end), the insert included
    insert_start: int
    insert_end: int
    exon_junctions: int

    @property
    def backbone_length(self) -> int:
        return len(self.sequence) - (self.insert_end - self.insert_start)

    def description(self) -> str:
        return (
            f"{self.name} stand-in for an episomal plasmid of family {FAMILY}: "
            f"{self.gene} cDNA (spliced CDS of {self.transcript}) at "
            f"{self.insert_start}-{self.insert_end} in a shared backbone "
            "(random sequence for each element, not the real elements)"
        )

    def cassette(self) -> tuple[np.ndarray, int, int]:
        """The insert with ``CASSETTE_FLANK`` plasmid bases on each side: sequence and
        its span on the plasmid."""
        start, end = self.insert_start - CASSETTE_FLANK, self.insert_end + CASSETTE_FLANK
        return self.sequence[start:end].copy(), start, end

    def as_truth(self) -> dict:
        return {
            "name": self.name,
            "family": FAMILY,
            "length": len(self.sequence),
            "backbone_length": self.backbone_length,
            "circular": True,
            "elements": [{"name": n, "start": s, "end": e} for n, s, e in self.elements],
            "insert": {
                "gene": self.gene,
                "transcript": self.transcript,
                "start": self.insert_start,
                "end": self.insert_end,
                "length": self.insert_end - self.insert_start,
                "exon_junctions": self.exon_junctions,
                "source": "spliced CDS (start to stop codon) of the toy annotation",
            },
        }


def backbone_elements(seed: int) -> list[tuple[str, np.ndarray]]:
    """The shared backbone: each element drawn once from its own random stream."""
    return [
        (name, random_bases(child_rng(seed, "vectors", name), gc, length))
        for name, length, gc in BACKBONE
    ]


def cds_junctions(model: GeneModel) -> int:
    """Exon-exon junctions inside the coding sequence of a gene model."""
    return len(model.segments(model.utr5, model.utr5 + model.cds_len)) - 1


def make_plasmids(seed: int, models: list[GeneModel]) -> list[Plasmid]:
    """One plasmid per insert gene, backbone identical in all of them."""
    elements = backbone_elements(seed)
    by_name = {m.name: m for m in models}
    plasmids = []
    for gene in INSERT_GENES:
        model = by_name[gene]
        insert = np.frombuffer(model.cds_seq.encode(), dtype=np.uint8).copy()
        parts = [elements[0], (f"{gene}_cDNA", insert)] + elements[1:]
        layout, pos = [], 0
        for name, seq in parts:
            layout.append((name, pos, pos + len(seq)))
            pos += len(seq)
        start = len(elements[0][1])
        plasmids.append(
            Plasmid(
                f"{FAMILY}_{gene}",
                gene,
                model.spec.transcript_id,
                np.concatenate([seq for _, seq in parts]),
                layout,
                start,
                start + len(insert),
                cds_junctions(model),
            )
        )
    return plasmids
