"""truth.json: everything planted, with the values the pipeline should report.

Variant ``pos`` values are 1-based as in VCF; every interval is 0-based half-open.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import design, duplications, expected, one_donor, reads

COORDINATES_NOTE = (
    "Variant positions ('pos') are 1-based as in VCF. Intervals (contigs, gaps, genes, "
    "copy-number events, centromeres, repeated blocks) are 0-based half-open [start, end)."
)


@dataclass
class Planted:
    """What a build planted, gathered for the truth."""

    stamp: dict
    design: str
    contigs: list  # all contigs in output order
    real_contig: str
    models: list
    samples: list
    events: list
    acquired: list
    germline: list
    libraries: dict
    counts: dict  # (sample_unit) -> read pairs written
    plasmids: list
    constructs: dict  # gene -> (offset, length, span on the plasmid)
    features: duplications.GenomeFeatures
    real_record: dict
    artefacts: list  # truth records
    mosaic_reads: dict  # variant key -> reads covering the site in the parental
    source_fragments: dict  # (sample, plasmid or "cassette:<gene>") -> fragments drawn
    recurrent_rows: list


def _sample_truth(p: Planted) -> dict:
    out = {}
    for s in p.samples:
        lib = p.libraries[s.name]
        out[s.name] = {
            "donor": s.donor,
            "role": s.role,
            "parental": s.parental or None,
            "declared_sex": s.declared_sex,
            "true_sex": s.true_sex,
            "genotype_donor": s.genotype_donor,
            "coverage": s.coverage * p.stamp["coverage_scale"],
            "passage": s.passage,
            "read_pairs": len(lib),
            "duplicate_pairs": int(lib.duplicate.sum()),
            "units": [
                {
                    "unit": u,
                    "read_pairs": p.counts[f"{s.name}_{u}"],
                    "read_name_prefix": f"{s.name}_{u}",
                    "fastq": [f"reads/{s.name}_{u}_R1.fastq.gz", f"reads/{s.name}_{u}_R2.fastq.gz"],
                }
                for u in s.units
            ],
            "populations": [
                {
                    "name": pop.name,
                    "fraction": pop.fraction,
                    "clones": pop.clones,
                    "donor": pop.donor or s.genotype_donor,
                    "description": pop.description,
                }
                for pop in s.populations
            ],
        }
    return out


def _acquired_truth(p: Planted) -> list[dict]:
    by_sample = {s.name: s for s in p.samples}
    rows = []
    for v in p.acquired:
        s = by_sample[v.sample]
        parental = by_sample.get(s.parental)
        a = v.allele
        rows.append(
            {
                "id": v.key,
                "sample": v.sample,
                "chrom": a.chrom,
                "pos": a.pos0 + 1,
                "ref": a.ref,
                "alt": a.alt,
                "type": a.kind,
                "expected_af": round(expected.expected_af(s, v), 4),
                "population_fraction": round(expected.population_fraction(s, v), 4),
                "origin": v.origin,
                "parental": s.parental,
                "parental_expected_af": round(expected.expected_af(parental, v), 4),
                "parental_population_fraction": round(expected.population_fraction(parental, v), 4),
                "parental_alt_reads": p.mosaic_reads.get(v.key, {}).get("reads", 0),
                "clone": v.clone,
                "haplotype": v.haplotype,
                "gene": v.gene,
                "consequence": v.consequence,
                "protein_change": v.protein_change,
                "hotspot": v.hotspot,
                "note": v.note,
            }
        )
    return sorted(rows, key=lambda d: -d["expected_af"])


def _overlaps_recurrent(rows: list, chrom: str, start: int, end: int) -> list[str]:
    return [r[3] for r in rows if r[0] == chrom and r[1] < end and r[2] > start]


def _events_truth(p: Planted) -> list[dict]:
    by_sample = {s.name: s for s in p.samples}
    out = []
    for e in p.events:
        row = expected.event_truth(by_sample[e.sample], e, p.models)
        row["recurrent_regions"] = _overlaps_recurrent(p.recurrent_rows, e.chrom, e.start, e.end)
        out.append(row)
    return out


def _vectors_truth(p: Planted) -> dict:
    by_name = {x.name: x for x in p.plasmids}
    vectors = [
        {
            "sample": s.name,
            "contig": name,
            "family": "toy_pCXLE",
            "copies_per_cell": copies,
            "length": len(by_name[name].sequence),
            "backbone_length": by_name[name].backbone_length,
            "insert_gene": by_name[name].gene,
            "insert_start": by_name[name].insert_start,
            "insert_end": by_name[name].insert_end,
            "circular": True,
            "fragments": p.source_fragments[s.name, name],
        }
        for s in p.samples
        for name, copies in s.vectors
    ]
    families = [
        {
            "sample": s.name,
            "family": "toy_pCXLE",
            "copies_per_cell": round(sum(c for n, c in s.vectors if n in by_name), 6),
            "fragments": sum(p.source_fragments[s.name, n] for n in by_name),
        }
        for s in p.samples
    ]
    models = {m.name: m for m in p.models}
    transgenes = [
        {
            "sample": s.name,
            "gene": g,
            "copies_per_cell": copies,
            "construct_length": p.constructs[g][1],
            "source_plasmid": p.constructs[g][2][0],
            "plasmid_span": list(p.constructs[g][2][1:]),
            "flanks": "200 bp of the plasmid on each side of its cDNA insert "
            "(CAG-promoter-like and WPRE-like backbone)",
            "content": "spliced CDS (start to stop codon)",
            "fragments": p.source_fragments[s.name, f"cassette:{g}"],
            "exon_junctions": len(
                models[g].segments(models[g].utr5, models[g].utr5 + models[g].cds_len)
            )
            - 1,
            "note": "an integrated piece of the episomal plasmid: its reads align to the "
            "decoy's insert and, split at the exon junctions, to the gene",
        }
        for s in p.samples
        for g, copies in s.transgenes
    ]
    return {
        "plasmids": [x.as_truth() for x in p.plasmids],
        "vectors": vectors,
        "vector_families": families,
        "transgenes": transgenes,
    }


def _repeats_truth(p: Planted) -> dict:
    f = p.features
    chr_y = next(c for c in p.contigs if c.name == "chrY")
    carriers = {}
    for ins in f.insertions:
        by_donor: dict[str, list[str]] = {}
        for donor, hap in ins.sequences:
            by_donor.setdefault(donor, []).append(hap)
        length = len(next(iter(ins.sequences.values())))
        carriers[ins.name] = {
            "name": ins.name,
            "chrom": ins.chrom,
            "pos": ins.pos0 + 1,  # inserted after this reference base
            "length": length,
            "carriers": {d: sorted(h) for d, h in sorted(by_donor.items())},
        }
    sat = next((b for b in f.blocks if b.kind == "satellite"), None)
    collapsed = next((b for b in f.blocks if b.kind == "collapsed_duplication"), None)
    depth = {}
    if sat is not None:
        depth["SAT1"] = {d: 1 + k for d, k in duplications.SATELLITE_EXTRA_COPIES.items()}
    if collapsed is not None:
        depth["SD2_collapsed"] = {
            d: (2 + len(h)) / 2 for d, h in duplications.COLLAPSED_CARRIERS.items()
        }
    return {
        "blocks": [b.as_truth() for b in f.blocks],
        "insertions": list(carriers.values()),
        "expected_depth_factor": depth,
        "collapsed_duplication_psvs": f.collapsed_psvs,
        "segmental_duplication_psvs": f.segdup_psvs,
        "chrY": duplications.chr_y_summary(f, chr_y),
        "problem_regions_bed": "reference/problem_regions.bed",
        "x_degenerate_bed": "reference/chrY_x_degenerate.bed",
    }


def _read_layout() -> dict:
    return {
        "read_length": reads.READ_LENGTH,
        "fragment_length": {
            "mean": reads.FRAGMENT_MEAN,
            "sd": reads.FRAGMENT_SD,
            "min": reads.FRAGMENT_MIN,
            "max": reads.FRAGMENT_MAX,
        },
        "adapter_read_through_fraction": reads.SHORT_FRAGMENT_RATE,
        "adapters": {"R1": reads.ADAPTER_R1.decode(), "R2": reads.ADAPTER_R2.decode()},
        "quality_encoding": "phred+33",
        "quality_bins": [int(q) for q in reads.QUALITY_BINS],
        "error_rate_first_cycle": round(float(reads.expected_error_rate(0)[0]), 5),
        "error_rate_last_cycle": round(float(reads.expected_error_rate(0)[-1]), 5),
    }


def build_truth(p: Planted) -> dict:
    contigs = [
        {
            "name": c.name,
            "length": c.length,
            "centromere_start": c.centromere_start,
            "centromere_end": c.centromere_end,
            "telomere_gap": c.telomere,
            "sequence": "GRCh38" if c.name == p.real_contig else "synthetic",
        }
        for c in p.contigs
    ]
    return {
        "generator": p.stamp,
        "design": p.design,
        "coordinates": COORDINATES_NOTE,
        "genome": {
            "contigs": contigs,
            "gaps": [[c.name, s, e] for c in p.contigs for s, e in c.gaps],
            "pseudoautosomal_regions": [],
            "total_length": sum(c.length for c in p.contigs),
        },
        "real_segment": p.real_record,
        "repeats": _repeats_truth(p),
        "genes": [m.as_truth() for m in p.models],
        "samples": _sample_truth(p),
        "germline_variants": [g.as_truth() for g in p.germline],
        "acquired_variants": _acquired_truth(p),
        "artefacts": p.artefacts,
        "copy_number_events": _events_truth(p),
        **_vectors_truth(p),
        "contamination": one_donor.contamination_truth(p.samples),
        "sex": {s.name: {"declared": s.declared_sex, "true": s.true_sex} for s in p.samples},
        "swaps": [
            {"sample": s.name, "declared_donor": s.donor, "true_donor": s.genotype_donor}
            for s in p.samples
            if s.donor != s.genotype_donor
        ],
        "duplicate_rate": design.DUPLICATE_RATE,
        "read_layout": _read_layout(),
    }
