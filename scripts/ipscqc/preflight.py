"""Pre-flight checks: find bad inputs in seconds, before any alignment.

Every problem is one self-contained line naming the file and what is wrong. The
functions here are pure (they read files, never write them) and return lists of such
lines; an empty list means no problem was found. FASTQ pairs are checked by
``ipscqc.fastq``; this module checks the rest (fastp's outcome, BED files, the
annotation, alignment headers, the configuration).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from ipscqc.readers.bed import no_intervals_problem, scan_bed


def fastp_problems(log_text: str, log_path: str, unit: str) -> list[str]:
    """Problems fastp saw while reading a whole pair (it warns, but exits 0)."""
    problems = []
    for line in log_text.splitlines():
        if line.startswith("ERROR:"):
            problems.append(f"{unit}: fastp read a broken record ({line.strip()}); see {log_path}")
            break
    if "different read numbers" in log_text:
        problems.append(
            f"{unit}: fastp found different read counts in read 1 and read 2"
            f" (a FASTQ file is truncated or not a mate); see {log_path}"
        )
    return problems


def trimmed_read_problems(sample: str, reads_by_unit: dict, minimum: int) -> list[str]:
    """A sample with fewer than ``minimum`` reads (both mates) left after trimming."""
    total = sum(reads_by_unit.values())
    if total >= minimum:
        return []
    detail = ", ".join(f"{unit}: {count}" for unit, count in sorted(reads_by_unit.items()))
    return [
        f"{sample}: only {total} reads left after trimming ({detail}); at least {minimum}"
        " are needed (preflight.min_trimmed_reads)"
    ]


# --- reference, annotation, targets, alignments ------------------------------------


def bed_problems(
    path: str | Path, lengths: dict[str, int], max_reported: int = 5, allow_empty: bool = False
) -> list[str]:
    """Intervals of a BED file (targets, centromeres, recurrent regions) that are
    malformed or outside the reference contigs (ipscqc.readers.bed reads the lines).

    BED coordinates are 0-based half-open: 0 <= start < end <= contig length (start ==
    end too with ``allow_empty``: a centromere file's "no centromere on this contig").
    """
    scan = scan_bed(path, max_reported=max_reported)
    problems, count = list(scan.problems), scan.bad_lines
    for number, chrom, start, end, _ in scan.rows:
        problem = None
        if start == end and not allow_empty:
            problem = f"start {start} is not before end {end}"
        elif chrom not in lengths:
            problem = f"contig {chrom!r} is not in the reference"
        elif end > lengths[chrom]:
            problem = f"{chrom}:{start}-{end} ends after the contig end ({lengths[chrom]})"
        if problem:
            count += 1
            if count <= max_reported:
                problems.append(f"{path}, line {number}: {problem}")
    problems = [line for line in problems if "more bad line(s) not listed" not in line]
    if count > max_reported:
        problems.append(f"{path}: {count - max_reported} more bad interval(s) not listed")
    return problems + no_intervals_problem(scan)


def csq_problems(stderr: str, returncode: int, annotation_path: str) -> list[str]:
    """Turn the output of ``bcftools csq`` on an empty VCF into one-line problems."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if returncode != 0:
        detail = next(
            (
                line
                for line in lines
                if "Could not parse" in line or "Failed" in line or "[E::" in line
            ),
            lines[-1] if lines else f"exit code {returncode}",
        )
        return [f"{annotation_path}: bcftools csq cannot use this GFF3: {detail}"]
    problems = []
    for line in lines:
        if line.startswith("Indexed 0 transcripts"):
            problems.append(
                f"{annotation_path}: bcftools csq found 0 transcripts in this GFF3; it needs"
                " Ensembl-style GFF3 (ID=gene:..., ID=transcript:..., Parent=transcript:...,"
                " biotype=protein_coding)"
            )
    unknown = [line for line in lines if "not part of the reference genome" in line]
    if unknown:
        problems.append(f"{annotation_path}: {unknown[0]} ({len(unknown)} such warning(s))")
    return problems


def alignment_header_problems(
    path: str, header_contigs: Iterable[tuple[str, int]], reference: dict[str, int]
) -> list[str]:
    """Problems when a BAM/CRAM header's @SQ lines do not match the reference.

    Every @SQ must name a reference contig with the same length: a BAM aligned to
    another build (GRCh37 vs GRCh38, "1" vs "chr1") is refused.
    """
    header = list(header_contigs)
    if not header:
        return [f"{path}: no @SQ lines in the header: cannot tell which reference it used"]
    unknown = [name for name, _ in header if name not in reference]
    wrong = [
        f"{name} ({length} vs {reference[name]})"
        for name, length in header
        if name in reference and reference[name] != length
    ]
    problems = []
    if unknown:
        problems.append(
            f"{path}: aligned to another reference: {len(unknown)} contig(s) not in the"
            f" reference, e.g. {', '.join(unknown[:3])}"
        )
    if wrong:
        problems.append(
            f"{path}: aligned to another reference: contig lengths differ: {', '.join(wrong[:3])}"
        )
    return problems


def bam_reference_problems(path: str | Path, reference: dict[str, int]) -> list[str]:
    """Read a BAM/CRAM header with pysam and compare it with the reference lengths."""
    import pysam

    try:
        with pysam.AlignmentFile(str(path), "r", check_sq=False) as alignments:
            contigs = list(zip(alignments.references, alignments.lengths, strict=True))
    except (OSError, ValueError) as error:
        return [f"{path}: cannot read the BAM/CRAM header: {error}"]
    return alignment_header_problems(str(path), contigs, reference)


def alignment_input_problems(
    path: str | Path, reference_fasta: str | Path, reference: dict[str, int], records: int
) -> tuple[list[str], dict]:
    """A unit's BAM/CRAM, before its reads are taken out: readable, holding paired-end
    reads among its first ``records`` primary records, and, for a CRAM, written against
    this reference (a CRAM decodes only with its own reference; a BAM is realigned, so
    its reference does not matter). Returns problems and a summary."""
    import pysam

    path = str(path)
    try:
        alignments = pysam.AlignmentFile(
            path, "r", check_sq=False, reference_filename=str(reference_fasta)
        )
    except (OSError, ValueError) as error:
        return [f"{path}: cannot read it as BAM or CRAM: {error}"], {}
    with alignments:
        kind = "CRAM" if alignments.is_cram else "BAM"
        if alignments.is_cram:
            contigs = list(zip(alignments.references, alignments.lengths, strict=True))
            header = alignment_header_problems(path, contigs, reference)
            if header:
                return [
                    f"{line}; a CRAM decodes only with the reference it was written against:"
                    " convert it to BAM with that reference first (samtools view -b -T"
                    " its_reference.fa -o unit.bam unit.cram)"
                    for line in header
                ], {}
        primary = paired = 0
        try:
            for read in alignments.fetch(until_eof=True):
                if read.is_secondary or read.is_supplementary:
                    continue
                primary += 1
                paired += read.is_paired
                if primary >= records:
                    break
        except (OSError, ValueError) as error:
            return [f"{path}: cannot read its records ({kind}): {error}"], {}
    summary = {"format": kind, "records_checked": primary, "paired": paired}
    if primary == 0:
        return [f"{path}: the {kind} holds no reads"], summary
    if paired == 0:
        return [
            f"{path}: the first {primary} reads of the {kind} are single-end: the workflow"
            " needs paired-end reads"
        ], summary
    return [], summary


# --- configuration -----------------------------------------------------------------


def _where(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def config_problems(config: dict, schema_path: str | Path) -> list[str]:
    """One line per configuration value that breaks the schema (type, range, pattern)."""
    with open(schema_path) as handle:
        schema = yaml.safe_load(handle)
    validator = Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        where = _where(error.path)
        spec = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "pattern":
            described = spec.get("description") or _described(schema, error)
            problem = f"{error.instance!r} is not allowed"
            if described:
                problem += f"; expected {' '.join(str(described).split())}"
        elif error.validator == "additionalProperties":
            problem = error.message.replace("Additional properties", "unknown key(s)")
        else:
            problem = error.message
        problems.append(f"config: {where}: {problem}")
    return problems


def _described(schema: dict, error) -> str | None:
    """The description of the $defs entry an error's schema came from, if any."""
    for definition in schema.get("$defs", {}).values():
        if definition.get("items") is error.schema or definition is error.schema:
            return definition.get("description")
        items = definition.get("items")
        if isinstance(items, dict) and items.get("pattern") == error.schema.get("pattern"):
            return definition.get("description")
    return None
