"""Write the toy data set's files: reference, BED files, sheets and FASTQ reads.

Every file is written through a temporary name and renamed into place, so a file that
exists is complete. Reads are written in worker processes, one job per sample unit.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import design, duplications, genes, reads, regions
from .sequtils import child_rng, write_fasta

if TYPE_CHECKING:
    from .dataset import Reference

# the genome sequence, set once in each read-writing worker
_WORKER_STATE: dict = {}


def publish(path: Path, write) -> None:
    """Write through a process-unique temporary file, then rename into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    tmp.replace(path)


def write_sheets(outdir: Path, samples: list[design.SampleDesign]) -> None:
    rows = ["sample\tdonor\trole\tparental\tsex\tpassage\tnotes"]
    for s in samples:
        rows.append(
            f"{s.name}\t{s.donor}\t{s.role}\t{s.parental}\t{s.declared_sex}\t{s.passage}\t{s.notes}"
        )
    text = "\n".join(rows) + "\n"
    publish(outdir / "samples.tsv", lambda p: p.write_text(text))
    rows = ["sample\tunit\tfq1\tfq2"]
    for s in samples:
        for unit in s.units:
            r1, r2 = _fastq_names(s.name, unit)
            rows.append(f"{s.name}\t{unit}\treads/{r1}\treads/{r2}")
    units = "\n".join(rows) + "\n"
    publish(outdir / "units.tsv", lambda p: p.write_text(units))


def _fastq_names(sample: str, unit: str) -> tuple[str, str]:
    return f"{sample}_{unit}_R1.fastq.gz", f"{sample}_{unit}_R2.fastq.gz"


def _write_unit(job: tuple) -> tuple[str, int]:
    """Write one sample unit's FASTQ pair; the job carries everything but the genome."""
    sample_name, unit, fragments, selected, digits, seed, outdir = job
    r1, r2 = _fastq_names(sample_name, unit)
    rng = child_rng(seed, "reads", sample_name, unit)
    reads.write_fastq_pair(
        rng,
        _WORKER_STATE["buffer"],
        fragments,
        selected,
        digits,
        f"{sample_name}_{unit}",
        outdir / "reads" / r1,
        outdir / "reads" / r2,
    )
    return f"{sample_name}_{unit}", len(selected)


def _start_worker(buffer) -> None:
    _WORKER_STATE["buffer"] = buffer


def write_reference(outdir: Path, ref: Reference, genome_scale: float) -> list:
    """genome.fa, annotation.gff3, vectors.fa and the BED files; returns the recurrent
    region rows."""
    ref_dir = outdir / "reference"
    records = [(c.name, ref.sequences[c.name]) for c in ref.all_contigs]
    publish(ref_dir / "genome.fa", lambda p: write_fasta(p, records))
    publish(ref_dir / "annotation.gff3", lambda p: genes.write_gff3(p, ref.models, ref.all_contigs))
    vector_records = [(p.description(), p.sequence) for p in ref.plasmids]
    publish(ref_dir / "vectors.fa", lambda p: write_fasta(p, vector_records))
    scale = f"genome_scale {genome_scale}"
    recurrent = regions.recurrent_region_rows(ref.contigs, ref.models)
    chr_y = next(c for c in ref.contigs if c.name == "chrY")
    beds = {
        "centromeres.bed": (
            f"Centromeres of the toy genome ({scale}): chrom, start, end, name; chr21 is a "
            "piece of 21q whose centromere lies before it (0 0)",
            regions.centromere_rows(ref.all_contigs),
        ),
        "recurrent_regions.bed": (
            f"Recurrent hPSC copy-number regions of the toy genome ({scale}): "
            "chrom, start, end, name, usual direction",
            recurrent,
        ),
        "problem_regions.bed": (
            f"Problem regions of the toy genome ({scale}): segmental duplications (both "
            "copies), a collapsed duplication, a satellite, the repeated blocks of chrY "
            "and their chrX source: chrom, start, end, name, kind",
            duplications.problem_region_rows(ref.features),
        ),
        "chrY_x_degenerate.bed": (
            f"Uniquely mappable (X-degenerate-like) part of the toy chrY ({scale}): "
            "chrom, start, end, name",
            duplications.x_degenerate_rows(ref.features, chr_y),
        ),
    }
    for name, (header, rows) in beds.items():
        publish(ref_dir / name, lambda p, h=header, r=rows: regions.write_bed(p, h, r))
    return recurrent


def write_reads(outdir, seed, source_buffer, libraries, samples, threads) -> dict:
    """FASTQ files: one job per sample unit, largest first, in worker processes.

    Workers are spawned, not forked: a fork copies whatever lock another thread of
    the caller holds (a test runner, a notebook), and the child can wait on it
    forever. Each job carries its own fragments; the genome reaches each worker once.
    """
    jobs = []
    for s in samples:
        lib: reads.Fragments = libraries[s.name]
        digits = len(str(max(1, len(lib) - 1)))
        for index, unit in enumerate(s.units):
            selected = np.nonzero(lib.unit == index)[0]
            jobs.append((s.name, unit, lib.take(selected), selected, digits, seed, outdir))
    jobs.sort(key=lambda job: -len(job[3]))
    n_workers = max(1, min(threads or os.cpu_count() or 1, len(jobs)))
    if n_workers == 1:
        _start_worker(source_buffer)
        counts = dict(_write_unit(job) for job in jobs)
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(n_workers, _start_worker, (source_buffer,)) as pool:
            counts = dict(pool.imap_unordered(_write_unit, jobs))
    _WORKER_STATE.clear()
    return counts
