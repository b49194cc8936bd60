"""The vectors check's numbers from a sample's evidence (ipscqc.vectors.evidence and
.junctions): copies per cell per family, the stretches above a family's level, the
detection limit at the sample's depth, transgene junction reads, items and notes.

Copies per cell = family depth / (autosomal depth / 2): one copy per diploid cell gives
the depth of one haplotype. Judging them against the release limit is the gate's job.
"""

from __future__ import annotations

SENDAI_NOTE = (
    "Sendai virus vectors are RNA and never enter the DNA: DNA sequencing cannot show "
    "their clearance; test them by RT-PCR."
)


def copies_per_cell(depth: float | None, autosomal_depth: float | None) -> float | None:
    """Copies per diploid cell from a depth and the median autosomal depth."""
    if depth is None or not autosomal_depth:
        return None
    return depth / (autosomal_depth / 2.0)


def detection_limit(
    autosomal_depth: float | None,
    read_length: float | None,
    effective_length: float,
    min_reads: int,
    probability: float = 0.95,
) -> float | None:
    """Copies per cell detected with ``probability`` by the ``min_reads`` rule.

    c copies per cell give about c * (depth / 2) * length / read_length reads on the
    family (Poisson); the limit is the c whose expected count reaches the smallest mean
    with P(reads >= min_reads) >= probability (6.3 for 3 reads at 95%).
    """
    from scipy.stats import poisson

    if not autosomal_depth or not read_length or effective_length <= 0:
        return None
    low, high = 0.0, float(min_reads) + 50.0
    for _ in range(60):  # bisection on the Poisson mean
        middle = (low + high) / 2
        if poisson.sf(min_reads - 1, middle) >= probability:
            high = middle
        else:
            low = middle
    reads_per_copy = (autosomal_depth / 2.0) * effective_length / read_length
    return high / reads_per_copy


def _stretch_label(stretch: dict, copies: float | None) -> str:
    """A stretch as people read coordinates (1-based, closed)."""
    shown = "" if copies is None else f": {copies:.3g} copies per cell"
    return (
        f"{stretch['contig']}:{stretch['start'] + 1}-{stretch['end']}"
        f" ({stretch['basis_bp']} bp of the family's sequence{shown})"
    )


def family_items(
    families: dict[str, dict],
    parental_families: dict[str, dict] | None,
    autosomal_depth: float | None,
    parental_autosomal_depth: float | None,
    read_length: float | None,
    min_reads: int,
) -> list[dict]:
    """One findings item per family (``families``: the evidence's ``families``): reads,
    copies per cell at the family's level, each stretch above it with its copies, the
    parental's copies, and the detection limit at this depth."""
    items = []
    for family, info in sorted(families.items()):
        parental = (parental_families or {}).get(family)
        stretches = [
            {**stretch, "copies_per_cell": copies_per_cell(stretch["depth"], autosomal_depth)}
            for stretch in info["stretches"]
        ]
        local = max((s["copies_per_cell"] or 0.0 for s in stretches), default=0.0)
        items.append(
            {
                "kind": "vector_family",
                "name": family,
                "members": info["members"],
                "reads": info["reads"],
                "low_mapq_reads": info["low_mapq_reads"],
                "chrEBV_reads": info["homolog_reads"],
                "copies_per_cell": copies_per_cell(info["level_depth"], autosomal_depth),
                "copies_basis": info["basis"],
                "effective_length": round(info["basis_bp"], 1),
                "stretches": stretches,
                "local_copies_per_cell": local if autosomal_depth else None,
                "detection_limit_copies_per_cell": detection_limit(
                    autosomal_depth, read_length, info["countable_length"], min_reads
                ),
                "detected": info["reads"] >= min_reads,
                "parental_reads": None if parental is None else parental["reads"],
                "parental_copies_per_cell": None
                if parental is None
                else copies_per_cell(parental["level_depth"], parental_autosomal_depth),
            }
        )
    return items


def _junction_reads(gene: dict, on_decoys: dict[str, list[str]]) -> dict[str, set[str]]:
    """Junction -> names of the reads across it, in the genome or on a decoy insert."""
    reads: dict[str, set[str]] = {}
    for source in (gene.get("reads_by_junction") or {}, on_decoys):
        for key, names in source.items():
            reads.setdefault(key, set()).update(names)
    return reads


def cdna_copies_per_cell(
    crossings: list[int],
    autosomal_depth: float | None,
    read_length: float | None,
    min_overhang: int,
) -> float | None:
    """Copies per cell of a gene's cDNA from the reads across its exon junctions.

    One copy per cell puts about (depth / 2) * (read_length - 2 min_overhang) /
    read_length reads across each junction of the cDNA (a read start anywhere that
    leaves ``min_overhang`` bases on each side). ``crossings``: reads across each
    junction that has any (junctions of other transcripts, absent from the cDNA, have
    none and are left out; with few reads this leans high). None without reads."""
    crossings = [count for count in crossings if count > 0]
    if not crossings or not autosomal_depth or not read_length:
        return None
    per_copy = (autosomal_depth / 2.0) * max(read_length - 2 * min_overhang, 1) / read_length
    return sum(crossings) / len(crossings) / per_copy


def transgene_items(
    genes: dict[str, dict],
    decoy_reads: dict[str, dict[str, list[str]]],
    parental_genes: dict[str, dict] | None,
    parental_decoy_reads: dict[str, dict[str, list[str]]] | None,
    min_junction_reads: int,
    autosomal_depth: float | None = None,
    read_length: float | None = None,
    min_overhang: int = 8,
) -> list[dict]:
    """One item per reprogramming gene: its junction reads in the genome and on decoy
    cDNA inserts, each read once (by name), the parental's, and the cDNA's copies per
    cell from the reads across each junction."""
    items = []
    for gene, info in sorted(genes.items()):
        by_junction = _junction_reads(info, decoy_reads.get(gene, {}))
        reads = set().union(*by_junction.values()) if by_junction else set()
        on_decoys = (
            set().union(*decoy_reads.get(gene, {}).values()) if gene in decoy_reads else set()
        )
        parental_reads = None
        if parental_genes is not None and gene in parental_genes:
            parental = _junction_reads(
                parental_genes[gene], (parental_decoy_reads or {}).get(gene, {})
            )
            parental_reads = len(set().union(*parental.values())) if parental else 0
        items.append(
            {
                "kind": "transgene",
                "name": gene,
                "junctions": info["junctions"],
                "junction_reads": len(reads),
                "genome_junction_reads": len(info["reads"]),
                "decoy_junction_reads": len(on_decoys),
                "junctions_with_reads": sum(1 for names in by_junction.values() if names),
                "copies_per_cell": cdna_copies_per_cell(
                    [len(names) for names in by_junction.values()],
                    autosomal_depth,
                    read_length,
                    min_overhang,
                ),
                "parental_junction_reads": parental_reads,
                "detected": len(reads) >= min_junction_reads
                and (parental_reads is None or parental_reads < min_junction_reads),
            }
        )
    return items


def vector_values(
    evidence: dict,
    parental_evidence: dict | None,
    autosomal_depth: float | None,
    parental_autosomal_depth: float | None,
    min_reads: int,
    min_junction_reads: int,
    min_overhang: int = 8,
) -> tuple[dict, list, list]:
    """Values (every number the vectors check declares), items and notes of one
    sample's vector findings, from its evidence file's content and its parental's
    (None: no parental to compare with)."""
    families = evidence["families"]
    read_length = evidence["read_length"]
    items = family_items(
        families,
        parental_evidence["families"] if parental_evidence else None,
        autosomal_depth,
        parental_autosomal_depth,
        read_length,
        min_reads,
    )
    transgenes = transgene_items(
        evidence["genes"],
        evidence["decoy_junction_reads"],
        parental_evidence["genes"] if parental_evidence else None,
        parental_evidence["decoy_junction_reads"] if parental_evidence else None,
        min_junction_reads,
        autosomal_depth,
        read_length,
        min_overhang,
    )
    notes = [SENDAI_NOTE, *_evidence_notes(evidence, items, transgenes, min_junction_reads)]
    values = {
        **_family_values(items),
        **_transgene_values(transgenes, parental_evidence is not None),
        "autosomal_depth": autosomal_depth,
        "decoy_contigs": sum(len(item["members"]) for item in items),
        "vector_families": len(items),
        "genes_searched": len(transgenes),
        "read_length": read_length,
    }
    return values, items + transgenes, notes


def _family_values(items: list[dict]) -> dict:
    """The line's values over its vector families: the highest copies per cell (whole
    family and local stretch), what was detected, and the detection limit."""
    copies = [item["copies_per_cell"] for item in items if item["copies_per_cell"] is not None]
    best = max(items, key=lambda item: item["copies_per_cell"] or 0.0, default=None)
    local = max(items, key=lambda item: item["local_copies_per_cell"] or 0.0, default=None)
    stretch = None
    if local is not None and local["stretches"]:
        top = max(local["stretches"], key=lambda s: s["copies_per_cell"] or 0.0)
        stretch = f"{local['name']}, {_stretch_label(top, top['copies_per_cell'])}"
    limits = [item["detection_limit_copies_per_cell"] for item in items]
    parental_copies = [
        item["parental_copies_per_cell"]
        for item in items
        if item["parental_copies_per_cell"] is not None
    ]
    return {
        "max_vector_copies_per_cell": max(copies) if items and len(copies) == len(items) else None,
        "vector_family_with_max": best["name"]
        if best and (best["copies_per_cell"] or 0) > 0
        else None,
        "parental_max_vector_copies_per_cell": max(parental_copies) if parental_copies else None,
        "max_local_vector_copies_per_cell": local["local_copies_per_cell"] if local else None,
        "local_vector_stretch": stretch,
        "vectors_detected": sorted(item["name"] for item in items if item["detected"]),
        "vector_detection_limit": None
        if not items or any(v is None for v in limits)
        else max(limits),
    }


def _transgene_values(transgenes: list[dict], has_parental: bool) -> dict:
    """The line's transgene junction reads, the genes they show, and the parental's."""
    parental_total = None
    if has_parental:
        parental_total = sum(item["parental_junction_reads"] or 0 for item in transgenes)
    return {
        "transgene_junction_reads": sum(item["junction_reads"] for item in transgenes)
        if transgenes
        else None,
        "transgene_genes": [item["name"] for item in transgenes if item["detected"]],
        "parental_transgene_junction_reads": parental_total,
    }


def _evidence_notes(
    evidence: dict, items: list[dict], transgenes: list[dict], min_junction_reads: int
) -> list[str]:
    notes = []
    if not items:
        notes.append("no vector decoy contigs in the reference: vector DNA was not looked for")
    if not transgenes:
        notes.append("none of the reprogramming genes is in the annotation: no cDNA search")
    for item in items:
        for stretch in item["stretches"]:
            notes.append(
                f"{item['name']}: {_stretch_label(stretch, stretch['copies_per_cell'])}, well"
                f" above the family's level of {item['copies_per_cell'] or 0:.3g} copies per"
                " cell: a piece of the vector at a higher copy number (an integrated piece,"
                " e.g. a transgene cassette with some backbone)"
            )
    for contig, reads in sorted(evidence["viral_contig_reads"].items()):
        notes.append(
            f"{reads} reads on {contig} outside the stretches it shares with the decoys: "
            "the viral genome itself (e.g. an EBV-transformed source), not plasmid evidence"
        )
    ebv = sum(item["chrEBV_reads"] for item in items)
    if ebv:
        notes.append(f"{ebv} reads on the reference's viral contig counted as plasmid evidence")
    if evidence["dropped_reads"]:
        notes.append(
            f"{evidence['dropped_reads']} decoy reads of low mapping quality on sequence shared "
            "with the genome or another family were not counted"
        )
    for item in transgenes:
        parental = item["parental_junction_reads"]
        if parental is not None and parental >= min_junction_reads:
            notes.append(
                f"{item['name']}: the parental also has {parental} exon-junction reads "
                "(a processed pseudogene or retrocopy of the donor, not a transgene)"
            )
    return notes
