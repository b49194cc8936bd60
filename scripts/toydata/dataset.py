"""Build the toy data set: reference, annotation, vectors, reads, sheets and truth.

``build()`` is the API; ``python -m toydata`` wraps it. Output bytes depend only on
the seed and the parameters (fixed file names, gzip mtime 0, one random stream per
named task), not on the number of worker processes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import design, genes, genome, reads, regions, variants
from .sequtils import as_array, child_rng, random_bases, write_fasta

GENERATOR_VERSION = "1.0.0"

VECTOR_SPECS = [
    ("toy_oriP_EBNA1", 9_000, 0.48, "stand-in for an oriP/EBNA1 episomal plasmid"),
    ("toy_piggyBac", 6_000, 0.46, "stand-in for a piggyBac transposon vector"),
    ("toy_lentiviral", 7_000, 0.50, "stand-in for a lentiviral vector"),
]
CDNA_FLANK = 200
CIRCULAR_OVERHANG = 1_000
WINDOW = 1_500  # flank of an acquired-variant patch (> longest fragment)

COORDINATES_NOTE = (
    "Variant positions ('pos') are 1-based as in VCF. Intervals (contigs, gaps, genes, "
    "copy-number events, centromeres) are 0-based half-open [start, end)."
)

OUTPUT_FILES = [
    "reference/genome.fa",
    "reference/annotation.gff3",
    "reference/vectors.fa",
    "reference/centromeres.bed",
    "reference/recurrent_regions.bed",
    "samples.tsv",
    "units.tsv",
]

# state shared with forked read-writing workers (set before the pool starts)
_WORKER_STATE: dict = {}


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"[toydata] {msg}", file=sys.stderr, flush=True)


def source_digest() -> str:
    """Digest of the generator's own code: any change to it invalidates old outputs."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _publish(path: Path, write) -> None:
    """Write through a process-unique temporary file, then rename into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    tmp.replace(path)


def _stamp(seed, genome_scale, coverage_scale, extra_lines) -> dict:
    return {
        "version": GENERATOR_VERSION,
        "source": source_digest(),
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
        truth = json.loads(truth_path.read_text())
    except json.JSONDecodeError:
        return None
    if truth.get("generator") != stamp:
        return None
    expected = OUTPUT_FILES + [
        f for s in truth["samples"].values() for u in s["units"] for f in u["fastq"]
    ]
    if not all((outdir / f).exists() for f in expected):
        return None
    return truth


def make_vectors(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {name: random_bases(rng, gc, length) for name, length, gc, _ in VECTOR_SPECS}


def _write_sheets(outdir: Path, samples: list[design.SampleDesign]) -> None:
    rows = ["sample\tdonor\trole\tparental\tsex\tpassage\tnotes"]
    for s in samples:
        rows.append(
            f"{s.name}\t{s.donor}\t{s.role}\t{s.parental}\t{s.declared_sex}\t{s.passage}\t{s.notes}"
        )
    text = "\n".join(rows) + "\n"
    _publish(outdir / "samples.tsv", lambda p: p.write_text(text))
    rows = ["sample\tunit\tfq1\tfq2"]
    for s in samples:
        for unit in s.units:
            r1, r2 = _fastq_names(s.name, unit)
            rows.append(f"{s.name}\t{unit}\treads/{r1}\treads/{r2}")
    units = "\n".join(rows) + "\n"
    _publish(outdir / "units.tsv", lambda p: p.write_text(units))


def _fastq_names(sample: str, unit: str) -> tuple[str, str]:
    return f"{sample}_{unit}_R1.fastq.gz", f"{sample}_{unit}_R2.fastq.gz"


def _write_unit(job: tuple[str, int]) -> tuple[str, int]:
    sample_name, unit_index = job
    state = _WORKER_STATE
    library: reads.Fragments = state["libraries"][sample_name]
    unit = state["units"][sample_name][unit_index]
    sel = np.nonzero(library.unit == unit_index)[0]
    digits = len(str(max(1, len(library) - 1)))
    r1, r2 = _fastq_names(sample_name, unit)
    rng = child_rng(state["seed"], "reads", sample_name, unit)
    reads.write_fastq_pair(
        rng,
        state["buffer"],
        library.take(sel),
        sel,
        digits,
        f"{sample_name}_{unit}",
        state["outdir"] / "reads" / r1,
        state["outdir"] / "reads" / r2,
    )
    return f"{sample_name}_{unit}", len(sel)


def build(
    outdir: str | Path,
    seed: int = 7,
    genome_scale: float = 0.4,
    coverage_scale: float = 1.0,
    extra_lines: int = 0,
    force: bool = False,
    threads: int | None = None,
    quiet: bool = False,
) -> dict:
    """Generate the toy data set in ``outdir`` and return the truth (as in truth.json).

    If ``outdir/truth.json`` carries the same generator version and parameters and all
    files exist, nothing is done (unless ``force``)."""
    outdir = Path(outdir)
    stamp = _stamp(seed, genome_scale, coverage_scale, extra_lines)
    outdir.mkdir(parents=True, exist_ok=True)
    # one generator at a time per folder; a second caller waits, then finds it done
    with open(outdir / ".toydata.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force:
            existing = _up_to_date(outdir, stamp)
            if existing is not None:
                _log(f"{outdir}/truth.json is up to date for {stamp}; nothing to do", quiet)
                return existing
        return _generate(outdir, stamp, extra_lines, threads, quiet)


def _generate(outdir: Path, stamp: dict, extra_lines: int, threads, quiet: bool) -> dict:
    seed, genome_scale = stamp["seed"], stamp["genome_scale"]
    coverage_scale = stamp["coverage_scale"]
    t0 = time.time()
    (outdir / "reference").mkdir(parents=True, exist_ok=True)
    (outdir / "reads").mkdir(parents=True, exist_ok=True)
    # a half-written data set must never look complete, nor keep reads of old samples
    (outdir / "truth.json").unlink(missing_ok=True)
    for stale in (outdir / "reads").glob("*.fastq.gz"):
        stale.unlink()

    # ---- reference genome and annotation
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
    for c in contigs:
        genome.apply_gaps(c, sequences[c.name])
    vectors = make_vectors(child_rng(seed, "vectors"))
    _log(f"genome {sum(c.length for c in contigs) / 1e6:.1f} Mb, {len(models)} genes", quiet)

    # ---- samples, planted events, germline variants, haplotypes
    samples = design.sample_designs(extra_lines)
    events, acquired = design.plant_events(
        child_rng(seed, "events"), contigs, sequences, models, samples, genome_scale
    )
    for s in samples:
        design.describe_populations(s, events)
    exclude: dict[str, list[tuple[int, int]]] = {}
    tp53 = next(m for m in models if m.name == "TP53")
    exclude["chr17"] = [(s - 20, e + 20) for s, e in tp53.exons()]
    for v in acquired:
        a = v.allele
        exclude.setdefault(a.chrom, []).append((a.pos0 - 50, a.pos0 + len(a.ref) + 50))
    germline = variants.germline_variants(
        child_rng(seed, "germline"), contigs, sequences, design.DONORS, exclude
    )
    haplotypes: dict[tuple[str, str, str], variants.Haplotype] = {}
    for donor in design.DONORS:
        mine = [g for g in germline if g.donor == donor.name]
        for c in contigs:
            for hap in donor.haplotypes(c.name):
                alleles = [
                    g.allele for g in mine if g.allele.chrom == c.name and hap in g.haplotypes
                ]
                haplotypes[donor.name, hap, c.name] = variants.Haplotype(sequences[c.name], alleles)
    _log(f"{len(germline)} germline genotypes, {len(acquired)} acquired variants", quiet)

    # ---- source buffer: haplotypes, acquired-variant patches, vector, transgene cDNA
    buffer = reads.SourceBuffer()
    hap_offset = {key: buffer.add(h.seq) for key, h in haplotypes.items()}
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
    vector_offset = {
        name: buffer.add(np.concatenate([seq, seq[:CIRCULAR_OVERHANG]]))
        for name, seq in vectors.items()
    }
    constructs = {}
    for s in samples:
        for gene_name, _ in s.transgenes:
            m = next(x for x in models if x.name == gene_name)
            ori = vectors["toy_oriP_EBNA1"]
            construct = np.concatenate(
                [ori[1000 : 1000 + CDNA_FLANK], as_array(m.tx_seq), ori[3000 : 3000 + CDNA_FLANK]]
            )
            constructs[gene_name] = (buffer.add(construct), len(construct))
    source = buffer.finish()
    ref_index = {c.name: reads.ReferenceIndex.build(sequences[c.name], c.gaps) for c in contigs}
    gc_norm = _gc_normaliser(child_rng(seed, "gc-norm"), contigs, ref_index)

    # ---- fragments per sample
    sources = ReadSources(
        contigs=contigs,
        ref_index=ref_index,
        haplotypes=haplotypes,
        hap_offset=hap_offset,
        patches=patches,
        vector_offset=vector_offset,
        vector_length={name: len(seq) for name, seq in vectors.items()},
        constructs=constructs,
        coverage_scale=coverage_scale,
        gc_norm=gc_norm,
    )
    libraries: dict[str, reads.Fragments] = {}
    for s in samples:
        rng = child_rng(seed, "fragments", s.name)
        libraries[s.name] = _sample_library(rng, s, sources)
    _log(
        f"{sum(len(x) for x in libraries.values()):,} read pairs to write "
        f"({time.time() - t0:.1f} s so far)",
        quiet,
    )

    # ---- reference files and sheets
    ref_dir = outdir / "reference"
    _publish(
        ref_dir / "genome.fa",
        lambda p: write_fasta(p, [(c.name, sequences[c.name]) for c in contigs]),
    )
    _publish(ref_dir / "annotation.gff3", lambda p: genes.write_gff3(p, models, contigs))
    vector_records = [
        (f"{name} {desc} (random sequence, not the real element)", vectors[name])
        for name, _, _, desc in VECTOR_SPECS
    ]
    _publish(ref_dir / "vectors.fa", lambda p: write_fasta(p, vector_records))
    scale = f"genome_scale {genome_scale}"
    _publish(
        ref_dir / "centromeres.bed",
        lambda p: regions.write_bed(
            p, f"Centromeres of the toy genome ({scale}): chrom, start, end, name",
            regions.centromere_rows(contigs),
        ),
    )  # fmt: skip
    _publish(
        ref_dir / "recurrent_regions.bed",
        lambda p: regions.write_bed(
            p, f"Recurrent hPSC copy-number regions of the toy genome ({scale}): "
            "chrom, start, end, name, usual direction",
            regions.recurrent_region_rows(contigs, models),
        ),
    )  # fmt: skip
    _write_sheets(outdir, samples)

    # ---- reads (one job per sample unit, largest first, forked workers)
    _WORKER_STATE.clear()
    _WORKER_STATE.update(
        seed=seed,
        buffer=source,
        libraries=libraries,
        outdir=outdir,
        units={s.name: s.units for s in samples},
    )
    reads.quality_lookup(0), reads.quality_lookup(1)  # built once, shared by the workers
    jobs = [(s.name, i) for s in samples for i in range(len(s.units))]
    jobs.sort(key=lambda j: -int((libraries[j[0]].unit == j[1]).sum()))
    n_workers = max(1, min(threads or os.cpu_count() or 1, len(jobs)))
    counts = {}
    if n_workers == 1:
        counts = dict(_write_unit(j) for j in jobs)
    else:
        with multiprocessing.get_context("fork").Pool(n_workers) as pool:
            counts = dict(pool.imap_unordered(_write_unit, jobs))
    _WORKER_STATE.clear()

    # ---- truth
    truth = _truth(
        stamp,
        contigs,
        models,
        samples,
        events,
        acquired,
        germline,
        libraries,
        counts,
        constructs,
    )
    text = json.dumps(truth, sort_keys=True, indent=1) + "\n"
    _publish(outdir / "truth.json", lambda p: p.write_text(text))
    _log(f"done in {time.time() - t0:.1f} s: {outdir}", quiet)
    return json.loads((outdir / "truth.json").read_text())


def _gc_normaliser(rng, contigs, ref_index) -> float:
    """Mean GC acceptance of N-free fragments, so that depth matches the request."""
    weights = []
    total = sum(c.length for c in contigs)
    for c in contigs:
        idx = ref_index[c.name]
        n = int(200_000 * c.length / total)
        starts = rng.integers(0, c.length - reads.FRAGMENT_MAX, n)
        lengths = reads.fragment_lengths(rng, n)
        ok = ~idx.touches_gap(starts, lengths)
        weights.append(reads.gc_weight(idx.gc(starts[ok], lengths[ok])))
    return float(np.concatenate(weights).mean())


@dataclass(frozen=True)
class ReadSources:
    """Where every sample's fragments come from: the reference index for placing them,
    the haplotypes, acquired-variant patches, vectors and transgene constructs laid out
    in the shared source buffer, and the depth settings."""

    contigs: list
    ref_index: dict
    haplotypes: dict  # (donor, haplotype, contig) -> variants.Haplotype
    hap_offset: dict  # (donor, haplotype, contig) -> offset in the source buffer
    patches: dict  # (sample, variant key) -> reads.Patch
    vector_offset: dict  # vector name -> offset
    vector_length: dict  # vector name -> length
    constructs: dict  # transgene -> (offset, length)
    coverage_scale: float
    gc_norm: float


def _sample_library(rng, sample, sources: ReadSources) -> reads.Fragments:
    donor = design.donor_of(sample.genotype_donor)
    per_copy_rate = sample.coverage * sources.coverage_scale / 2.0 / (2 * reads.READ_LENGTH)
    parts = []
    for pop in sample.populations:
        for c in sources.contigs:
            for hap_name in donor.haplotypes(c.name):
                hap = sources.haplotypes[donor.name, hap_name, c.name]
                base = sources.hap_offset[donor.name, hap_name, c.name]
                mine = sorted(
                    (
                        sources.patches[sample.name, v.key]
                        for v in pop.variants
                        if v.allele.chrom == c.name and v.haplotype == hap_name
                    ),
                    key=lambda p: p.ref_start,
                )

                def to_buffer(starts, lengths, hap=hap, base=base, mine=mine):
                    hs = hap.ref_to_hap(starts)
                    offsets = base + hs
                    if mine:
                        p_start = np.array([p.ref_start for p in mine])
                        idx = np.searchsorted(p_start, starts + lengths, side="left") - 1
                        ok = idx >= 0
                        ends = np.array([p.ref_end for p in mine])
                        hit = ok & (ends[np.maximum(idx, 0)] > starts)
                        for j in np.unique(idx[hit]):
                            sel = hit & (idx == j)
                            offsets[sel] = mine[j].offset + (hs[sel] - mine[j].hap_window_start)
                    return offsets

                bounds = {0, c.length}
                for ch in pop.changes:
                    if ch.chrom == c.name and ch.haplotype == hap_name:
                        bounds.update((ch.start, ch.end))
                bounds = sorted(bounds)
                for a, b in zip(bounds[:-1], bounds[1:], strict=True):
                    copies = pop.copies(donor, c.name, hap_name, a)
                    if copies == 0:
                        continue
                    expected = pop.fraction * copies * (b - a) * per_copy_rate
                    parts.append(
                        reads.sample_genomic(
                            rng,
                            sources.ref_index[c.name],
                            a,
                            b,
                            expected,
                            sources.gc_norm,
                            to_buffer,
                        )
                    )
    for name, copies in sample.vectors:
        length = sources.vector_length[name]
        parts.append(
            reads.sample_construct(
                rng, sources.vector_offset[name], length, copies * length * per_copy_rate, True
            )
        )
    for gene_name, copies in sample.transgenes:
        offset, length = sources.constructs[gene_name]
        parts.append(
            reads.sample_construct(rng, offset, length, copies * length * per_copy_rate, False)
        )
    originals = reads.Fragments.concat(parts)
    return reads.finish_library(rng, originals, len(sample.units), design.DUPLICATE_RATE)


def _truth(
    stamp, contigs, models, samples, events, acquired, germline, libraries, counts, constructs
) -> dict:
    by_sample = {s.name: s for s in samples}
    sample_truth = {}
    for s in samples:
        lib = libraries[s.name]
        sample_truth[s.name] = {
            "donor": s.donor,
            "role": s.role,
            "parental": s.parental or None,
            "declared_sex": s.declared_sex,
            "true_sex": s.true_sex,
            "genotype_donor": s.genotype_donor,
            "coverage": s.coverage * stamp["coverage_scale"],
            "passage": s.passage,
            "read_pairs": len(lib),
            "duplicate_pairs": int(lib.duplicate.sum()),
            "units": [
                {
                    "unit": u,
                    "read_pairs": counts[f"{s.name}_{u}"],
                    "read_name_prefix": f"{s.name}_{u}",
                    "fastq": [f"reads/{n}" for n in _fastq_names(s.name, u)],
                }
                for u in s.units
            ],
            "populations": [
                {
                    "name": p.name,
                    "fraction": p.fraction,
                    "clones": p.clones,
                    "description": p.description,
                }
                for p in s.populations
            ],
        }
    acquired_truth = []
    for v in acquired:
        s = by_sample[v.sample]
        a = v.allele
        acquired_truth.append(
            {
                "id": v.key,
                "sample": v.sample,
                "chrom": a.chrom,
                "pos": a.pos0 + 1,
                "ref": a.ref,
                "alt": a.alt,
                "type": a.kind,
                "expected_af": round(design.expected_af(s, v), 4),
                "population_fraction": round(design.population_fraction(s, v), 4),
                "clone": v.clone,
                "haplotype": v.haplotype,
                "gene": v.gene,
                "consequence": v.consequence,
                "protein_change": v.protein_change,
                "hotspot": v.hotspot,
                "note": v.note,
            }
        )
    acquired_truth.sort(key=lambda d: -d["expected_af"])
    events_truth = [design.event_truth(by_sample[e.sample], e, models) for e in events]
    vectors_truth = [
        {
            "sample": s.name,
            "contig": name,
            "copies_per_cell": copies,
            "length": next(x[1] for x in VECTOR_SPECS if x[0] == name),
            "circular": True,
        }
        for s in samples
        for name, copies in s.vectors
    ]
    transgene_truth = [
        {
            "sample": s.name,
            "gene": g,
            "copies_per_cell": copies,
            "construct_length": constructs[g][1],
            "flanks": f"{CDNA_FLANK} bp of toy_oriP_EBNA1 on each side",
            "exon_junctions": len(next(m for m in models if m.name == g).exon_lengths) - 1,
        }
        for s in samples
        for g, copies in s.transgenes
    ]
    return {
        "generator": stamp,
        "coordinates": COORDINATES_NOTE,
        "genome": {
            "contigs": [
                {
                    "name": c.name,
                    "length": c.length,
                    "centromere_start": c.centromere_start,
                    "centromere_end": c.centromere_end,
                    "telomere_gap": c.telomere,
                }
                for c in contigs
            ],
            "gaps": [[c.name, s, e] for c in contigs for s, e in c.gaps],
            "pseudoautosomal_regions": [],
            "total_length": sum(c.length for c in contigs),
        },
        "genes": [m.as_truth() for m in models],
        "samples": sample_truth,
        "germline_variants": [g.as_truth() for g in germline],
        "acquired_variants": acquired_truth,
        "copy_number_events": events_truth,
        "vectors": vectors_truth,
        "transgenes": transgene_truth,
        "sex": {s.name: {"declared": s.declared_sex, "true": s.true_sex} for s in samples},
        "swaps": [
            {"sample": s.name, "declared_donor": s.donor, "true_donor": s.genotype_donor}
            for s in samples
            if s.donor != s.genotype_donor
        ],
        "duplicate_rate": design.DUPLICATE_RATE,
        "read_layout": {
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
        },
    }
