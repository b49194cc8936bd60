"""Build the toy data set: reference, annotation, vectors, reads, sheets and truth.

``build()`` is the API; ``python -m toydata`` wraps it. Output bytes depend only on
the seed and the parameters (fixed file names, gzip mtime 0, one random stream per
named task), not on the number of worker processes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import (
    artefacts,
    design,
    duplications,
    expected,
    genes,
    genome,
    library,
    one_donor,
    outputs,
    plasmids,
    reads,
    real_segment,
    sites,
    truth,
    variants,
)
from .sequtils import as_array, child_rng

GENERATOR_VERSION = "2.0.0"
DESIGNS = ("default", one_donor.DESIGN)
DEFAULT_GENOME_SCALE = {"default": 0.4, one_donor.DESIGN: one_donor.DEFAULT_GENOME_SCALE}
CIRCULAR_OVERHANG = 1_000
WINDOW = 1_500  # flank of an acquired-variant patch (> longest fragment)
# GRCh38 order of the contigs in the output
CONTIG_ORDER = ["chr1", "chr12", "chr17", "chr18", "chr20", "chr21", "chrX", "chrY"]

OUTPUT_FILES = [
    "reference/genome.fa",
    "reference/annotation.gff3",
    "reference/vectors.fa",
    "reference/centromeres.bed",
    "reference/recurrent_regions.bed",
    "reference/problem_regions.bed",
    "reference/chrY_x_degenerate.bed",
    "samples.tsv",
    "units.tsv",
]


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"[toydata] {msg}", file=sys.stderr, flush=True)


def source_digest() -> str:
    """Digest of the generator's own code and its shipped real-sequence resource: any
    change to either invalidates old outputs."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")) + real_segment.resource_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _stamp(seed, genome_scale, coverage_scale, extra_lines, design_name) -> dict:
    return {
        "version": GENERATOR_VERSION,
        "source": source_digest(),
        "design": design_name,
        "seed": int(seed),
        "genome_scale": float(genome_scale),
        "coverage_scale": float(coverage_scale),
        "extra_lines": int(extra_lines),
    }


def _up_to_date(outdir: Path, stamp: dict) -> dict | None:
    truth_path = outdir / "truth.json"
    if not truth_path.exists():
        return None
    try:
        known = json.loads(truth_path.read_text())
    except json.JSONDecodeError:
        return None
    if known.get("generator") != stamp:
        return None
    expected_files = OUTPUT_FILES + [
        f for s in known["samples"].values() for u in s["units"] for f in u["fastq"]
    ]
    if not all((outdir / f).exists() for f in expected_files):
        return None
    return known


def build(
    outdir: str | Path,
    seed: int = 7,
    genome_scale: float | None = None,
    coverage_scale: float = 1.0,
    extra_lines: int = 0,
    force: bool = False,
    threads: int | None = None,
    quiet: bool = False,
    design_name: str = "default",
) -> dict:
    """Generate the toy data set in ``outdir`` and return the truth (as in truth.json).

    ``design_name``: "default" (two donors, five samples) or "one_donor" (D1's parental,
    a clean line and a line contaminated by an individual not in the run); the genome
    scale defaults to 0.4 and 0.2 respectively. If ``outdir/truth.json`` carries the
    same generator version and parameters and all files exist, nothing is done (unless
    ``force``)."""
    if design_name not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, not {design_name!r}")
    if design_name != "default" and extra_lines:
        raise ValueError("extra lines belong to the default design")
    if genome_scale is None:
        genome_scale = DEFAULT_GENOME_SCALE[design_name]
    outdir = Path(outdir)
    stamp = _stamp(seed, genome_scale, coverage_scale, extra_lines, design_name)
    outdir.mkdir(parents=True, exist_ok=True)
    # one generator at a time per folder; a second caller waits, then finds it done
    with open(outdir / ".toydata.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force:
            existing = _up_to_date(outdir, stamp)
            if existing is not None:
                _log(f"{outdir}/truth.json is up to date for {stamp}; nothing to do", quiet)
                return existing
        return _generate(outdir, stamp, threads, quiet)


@dataclass
class Reference:
    """The toy reference: synthetic contigs, the real-sequence contig, genes, planted
    duplications and the plasmid decoys."""

    contigs: list  # synthetic contigs
    all_contigs: list  # output order, the real-sequence contig included
    sequences: dict
    models: list
    features: duplications.GenomeFeatures
    real_calls: list
    plasmids: list


def _reference(seed: int, genome_scale: float) -> Reference:
    contigs = genome.contig_layout(genome_scale)
    models = genes.design_genes(child_rng(seed, "genes"), contigs, genome_scale)
    occupied = {}
    for m in models:
        occupied.setdefault(m.chrom, []).append((m.start, m.end))
    genome.place_small_gaps(child_rng(seed, "gaps"), contigs, occupied, genome_scale)
    families = genome.repeat_families(child_rng(seed, "repeat-families"))
    sequences = {
        c.name: genome.generate_sequence(child_rng(seed, "sequence", c.name), c, families)
        for c in contigs
    }
    genes.write_gene_sequences(models, sequences)
    features = duplications.plant_features(
        child_rng(seed, "duplications"), contigs, sequences, models, genome_scale
    )
    for c in contigs:
        genome.apply_gaps(c, sequences[c.name])
    length = real_segment.segment_length(genome_scale)
    real = real_segment.real_contig(length)
    sequences[real.name] = real_segment.load_sequence(length)
    ordered = sorted(contigs + [real], key=lambda c: CONTIG_ORDER.index(c.name))
    return Reference(
        contigs,
        ordered,
        sequences,
        models,
        features,
        real_segment.load_calls(length),
        plasmids.make_plasmids(seed, models),
    )


def _samples(design_name: str, extra_lines: int):
    if design_name == one_donor.DESIGN:
        return one_donor.sample_designs(), one_donor.donors()
    return design.sample_designs(extra_lines), list(design.DONORS)


def _artefact_sites(seed: int, ref: Reference, genome_scale: float, acquired: list) -> list:
    picker = sites.SitePicker(
        child_rng(seed, "artefacts"), ref.contigs, ref.sequences, ref.models, genome_scale
    )
    for v in acquired:
        picker.claim(v.allele.chrom, v.allele.pos0)
    return artefacts.pick_sites(
        picker,
        ref.models,
        real_segment.CONTIG_NAME,
        ref.sequences[real_segment.CONTIG_NAME],
        [c.pos0 for c in ref.real_calls],
    )


# named genes whose germline loss of function predisposes to cancer (the catalogue's
# tumour suppressors): the toy donors carry no germline variant in their exons
GERMLINE_FREE_GENES = ("TP53", "BCOR")


def _outside_tumour_suppressor_exons(germline: list, models) -> list:
    """The germline variants outside the exons (and 2 bp splice sites) of
    GERMLINE_FREE_GENES, drawn first and filtered after, so that the other sites and
    every random draw stay as they are. (A male carrying a germline BCOR truncation, as
    the draws could give, is not a healthy donor.)"""
    blocks = [
        (m.chrom, s - 2, e + 2)
        for m in models
        if m.name in GERMLINE_FREE_GENES
        for s, e in m.exons()
    ]

    def inside(g) -> bool:
        a = g.allele
        return any(
            a.chrom == chrom and a.pos0 < end and a.pos0 + len(a.ref) > start
            for chrom, start, end in blocks
        )

    return [g for g in germline if not inside(g)]


def _germline(seed, ref: Reference, donors, acquired, artefact_sites) -> tuple[list, int]:
    """Synthetic germline on the synthetic contigs, real calls (and genotypes drawn at
    their sites) on the real-sequence contig; the number of real calls left out."""
    exclude: dict[str, list[tuple[int, int]]] = ref.features.exclusions()
    tp53 = next(m for m in ref.models if m.name == "TP53")
    exclude.setdefault("chr17", []).extend((s - 20, e + 20) for s, e in tp53.exons())
    for a in [v.allele for v in acquired] + [x.allele for x in artefact_sites]:
        exclude.setdefault(a.chrom, []).append((a.pos0 - 50, a.pos0 + len(a.ref) + 50))
    germline = variants.germline_variants(
        child_rng(seed, "germline"), ref.contigs, ref.sequences, donors, exclude
    )
    germline = _outside_tumour_suppressor_exons(germline, ref.models)
    source = real_segment.SOURCE_DONOR
    real, dropped = real_segment.source_germline(
        child_rng(seed, "real-germline", source), ref.real_calls, source
    )
    germline += real
    for donor in donors:
        if donor.name != source:
            rng = child_rng(seed, "real-germline", donor.name)
            germline += real_segment.drawn_germline(rng, ref.real_calls, donor.name)
    return germline, dropped


def _haplotypes(ref: Reference, donors, germline) -> tuple[dict, dict]:
    """Haplotype of every donor, contig and haplotype label, and the large insertions
    each one carries (the planted duplications the reference lacks)."""
    haplotypes, structural = {}, {}
    for donor in donors:
        mine = [g for g in germline if g.donor == donor.name]
        for c in ref.all_contigs:
            for hap in donor.haplotypes(c.name):
                alleles = [
                    g.allele for g in mine if g.allele.chrom == c.name and hap in g.haplotypes
                ]
                extra = [
                    a
                    for ins in ref.features.insertions
                    if ins.chrom == c.name
                    for a in [ins.allele(ref.sequences[c.name], donor.name, hap)]
                    if a is not None
                ]
                key = (donor.name, hap, c.name)
                haplotypes[key] = variants.Haplotype(ref.sequences[c.name], alleles + extra)
                structural[key] = extra
    return haplotypes, structural


def _patches(buffer, samples, haplotypes) -> dict:
    patches: dict[tuple[str, str], reads.Patch] = {}
    for s in samples:
        donor = design.donor_of(s.genotype_donor)
        for v in {v.key: v for p in s.populations for v in p.variants}.values():
            a = v.allele
            hap = haplotypes[donor.name, v.haplotype, a.chrom]
            hv = int(hap.ref_to_hap(a.pos0))
            assert hap.seq[hv : hv + len(a.ref)].tobytes().decode() == a.ref, v.key
            w0, w1 = hv - WINDOW, hv + len(a.ref) + WINDOW
            window = np.concatenate(
                [hap.seq[w0:hv], as_array(a.alt), hap.seq[hv + len(a.ref) : w1]]
            )
            span_end = a.pos0 + max(len(a.ref), 2 if len(a.alt) > len(a.ref) else 1)
            patches[s.name, v.key] = reads.Patch(a.pos0, span_end, w0, buffer.add(window))
    return patches


def _mosaic_reads(samples, patches, libraries) -> dict:
    """Reads of the parental covering each donor-mosaic variant (from its patch)."""
    out = {}
    for s in samples:
        if s.role != "parental":
            continue
        for pop in s.populations:
            for v in pop.variants:
                patch = patches[s.name, v.key]
                size = 2 * WINDOW + len(v.allele.alt)
                out[v.key] = library.reads_covering(
                    libraries[s.name], patch.offset + WINDOW, patch.offset, patch.offset + size
                )
    return out


def _construct_ranges(ref: Reference, vector_offset: dict, constructs: dict) -> dict:
    """Buffer range (offset, size) of every plasmid and transgene cassette."""
    ranges = {p.name: (vector_offset[p.name], len(p.sequence)) for p in ref.plasmids}
    ranges.update({f"cassette:{g}": c[:2] for g, c in constructs.items()})
    return ranges


def _generate(outdir: Path, stamp: dict, threads, quiet: bool) -> dict:
    """Every step of one data set in order: reference, design, germline and acquired
    variants, haplotypes, libraries, files and truth. Long on purpose: each step feeds
    the next and draws from its own named random stream, and the order is the recipe
    a reader follows; each step is a function of its own.
    """
    seed, genome_scale = stamp["seed"], stamp["genome_scale"]
    design_name = stamp["design"]
    t0 = time.time()
    (outdir / "reference").mkdir(parents=True, exist_ok=True)
    (outdir / "reads").mkdir(parents=True, exist_ok=True)
    # a half-written data set must never look complete, nor keep reads of old samples
    (outdir / "truth.json").unlink(missing_ok=True)
    for stale in (outdir / "reads").glob("*.fastq.gz"):
        stale.unlink()

    # ---- reference genome, annotation, duplications, the real contig, decoys
    ref = _reference(seed, genome_scale)
    total_mb = sum(c.length for c in ref.all_contigs) / 1e6
    _log(f"genome {total_mb:.2f} Mb, {len(ref.models)} genes", quiet)

    # ---- samples, planted events, artefact sites, germline variants, haplotypes
    samples, donors = _samples(design_name, stamp["extra_lines"])
    events, acquired = [], []
    if any(s.name == design.EVENTS_SAMPLE for s in samples):
        events, acquired = design.plant_events(
            child_rng(seed, "events"), ref.contigs, ref.sequences, ref.models, samples, genome_scale
        )
    for s in samples:
        expected.describe_populations(s, events)
    # artefact reads belong to the default design's clean line
    artefact_sites = []
    if design_name == "default":
        artefact_sites = _artefact_sites(seed, ref, genome_scale, acquired)
    germline, dropped = _germline(seed, ref, donors, acquired, artefact_sites)
    haplotypes, structural = _haplotypes(ref, donors, germline)
    _log(f"{len(germline)} germline genotypes, {len(acquired)} acquired variants", quiet)

    # ---- source buffer: haplotypes, patches, artefact windows, plasmids, cassette
    buffer = reads.SourceBuffer()
    hap_offset = {key: buffer.add(h.seq) for key, h in haplotypes.items()}
    patches = _patches(buffer, samples, haplotypes)
    site_copies = []
    artefact_donor = design.donor_of(
        next((s.genotype_donor for s in samples if s.name == artefacts.ARTEFACT_SAMPLE), "D1")
    )
    for site in artefact_sites:
        donor = artefact_donor
        haps = [
            (
                haplotypes[donor.name, h, site.allele.chrom],
                hap_offset[donor.name, h, site.allele.chrom],
            )
            for h in donor.haplotypes(site.allele.chrom)
        ]
        site_copies.append(artefacts.add_windows(buffer, site, haps))
    vector_offset = {
        p.name: buffer.add(np.concatenate([p.sequence, p.sequence[:CIRCULAR_OVERHANG]]))
        for p in ref.plasmids
    }
    constructs = {}
    for s in samples:
        for gene_name, _ in s.transgenes:
            source = next(p for p in ref.plasmids if p.gene == gene_name)
            cassette, a, b = source.cassette()
            constructs[gene_name] = (buffer.add(cassette), len(cassette), (source.name, a, b))
    source_buffer = buffer.finish()
    ref_index = {
        c.name: reads.ReferenceIndex.build(ref.sequences[c.name], c.gaps) for c in ref.all_contigs
    }
    sources = library.ReadSources(
        contigs=ref.all_contigs,
        ref_index=ref_index,
        haplotypes=haplotypes,
        hap_offset=hap_offset,
        patches=patches,
        inserted={k: library.inserted_stretches(haplotypes[k], a) for k, a in structural.items()},
        vector_offset=vector_offset,
        vector_length={p.name: len(p.sequence) for p in ref.plasmids},
        constructs={g: c[:2] for g, c in constructs.items()},
        coverage_scale=stamp["coverage_scale"],
        gc_norm=library.gc_normaliser(child_rng(seed, "gc-norm"), ref.all_contigs, ref_index),
    )

    # ---- fragments per sample, then the artefact reads of the clean line
    libraries = {
        s.name: library.sample_library(child_rng(seed, "fragments", s.name), s, sources)
        for s in samples
    }
    artefact_truth = []
    for copies in site_copies:
        rng = child_rng(seed, "artefact-reads", copies.site.key)
        counts = artefacts.plant_reads(rng, libraries[artefacts.ARTEFACT_SAMPLE], copies)
        artefact_truth.append(artefacts.truth_record(copies.site, counts))
    source_fragments = {
        (s.name, name): library.fragments_in(libraries[s.name], lo, lo + size)
        for s in samples
        for name, (lo, size) in _construct_ranges(ref, vector_offset, constructs).items()
    }
    n_pairs = sum(len(x) for x in libraries.values())
    _log(f"{n_pairs:,} read pairs to write ({time.time() - t0:.1f} s so far)", quiet)

    recurrent_rows = outputs.write_reference(outdir, ref, genome_scale)
    outputs.write_sheets(outdir, samples)
    counts = outputs.write_reads(outdir, seed, source_buffer, libraries, samples, threads)

    planted = truth.Planted(
        stamp=stamp,
        design=design_name,
        contigs=ref.all_contigs,
        real_contig=real_segment.CONTIG_NAME,
        models=ref.models,
        samples=samples,
        events=events,
        acquired=acquired,
        germline=germline,
        libraries=libraries,
        counts=counts,
        plasmids=ref.plasmids,
        constructs=constructs,
        features=ref.features,
        real_record=real_segment.truth_record(
            ref.sequences[real_segment.CONTIG_NAME].size,
            ref.real_calls,
            sum(g.source == "HG004" for g in germline),
            dropped,
        ),
        artefacts=artefact_truth,
        mosaic_reads=_mosaic_reads(samples, patches, libraries),
        source_fragments=source_fragments,
        recurrent_rows=recurrent_rows,
    )
    text = json.dumps(truth.build_truth(planted), sort_keys=True, indent=1) + "\n"
    outputs.publish(outdir / "truth.json", lambda p: p.write_text(text))
    _log(f"done in {time.time() - t0:.1f} s: {outdir}", quiet)
    return json.loads((outdir / "truth.json").read_text())
