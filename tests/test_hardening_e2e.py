"""End to end hardening: bad inputs stop the workflow before alignment, hostile names
never reach a shell, a killed run resumes to identical outputs, and outputs do not
depend on sheet row order or thread counts.

All runs use a small toy data set (genome scale 0.1, coverage scale 0.2) in folders of
their own. docs/hardening.md lists each case with the message the user sees.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, toy_config, user_environment
from ipscqc.certificate import ISSUED_KEY

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SNAKEFILE = Path(os.environ.get("IPSCQC_TEST_SNAKEFILE", REPO / "Snakefile"))
HOSTILE_IDS = ["a;touch pwned", "$(touch x)", "q'uote", 'd"quote', "with space", "../x"]
# Folders and files a run may create in its working folder.
RUN_OWNED = ("results", ".snakemake")


def snakemake(workdir: Path, config: Path, *args: str, cores: int = 2, **popen):
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--configfile",
        str(config),
        "--cores",
        str(cores),
        *args,
    ]
    if popen:
        log = open(workdir / f"snakemake.{time.monotonic_ns()}.log", "w")  # noqa: SIM115
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=user_environment(), **popen
        )
    return subprocess.run(
        command, capture_output=True, text=True, check=False, env=user_environment()
    )


@pytest.fixture(scope="session")
def small_toy(tmp_path_factory) -> Path:
    """The small toy data set, generated once per test session."""
    outdir = tmp_path_factory.mktemp("small_toy")
    subprocess.run(
        [sys.executable, "-m", "toydata", "--outdir", str(outdir), "--quiet"]
        + ["--genome-scale", "0.1", "--coverage-scale", "0.2"],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
    )
    return outdir


def files_under(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root (relative path -> size, mtime ns), symlinks not followed."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            stat = path.lstat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


# --- bad inputs through the whole workflow -----------------------------------------


def sample_set(small_toy: Path, folder: Path, samples=("D2_parental",)) -> dict:
    """Parental samples that each carry a copy of one toy sample's reads, with their own
    sheets, reference copy and config text."""
    folder.mkdir(parents=True)
    reads = folder / "reads"
    reads.mkdir()
    rows, units = [], []
    for sample in samples:
        for mate in (1, 2):
            source = small_toy / "reads" / f"D2_parental_L1_R{mate}.fastq.gz"
            shutil.copy(source, reads / f"{sample}_R{mate}.fq.gz")
        rows.append(f"{sample}\tD_{sample}\tparental\t\tfemale")
        units.append(f"{sample}\tL1\treads/{sample}_R1.fq.gz\treads/{sample}_R2.fq.gz")
    (folder / "samples.tsv").write_text(
        "\n".join(["sample\tdonor\trole\tparental\tsex", *rows]) + "\n"
    )
    (folder / "units.tsv").write_text("\n".join(["sample\tunit\tfq1\tfq2", *units]) + "\n")
    reference = folder / "reference"
    shutil.copytree(small_toy / "reference", reference)
    config = toy_config(small_toy)
    for name in ("samples.tsv", "units.tsv", "reference"):
        config = config.replace(str(small_toy / name), str(folder / name))
    return {"folder": folder, "reads": reads, "reference": reference, "config": config}


def fastq_lines(path: Path) -> list[bytes]:
    return gzip.decompress(path.read_bytes()).rstrip(b"\n").split(b"\n")


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))


def break_reads(kind: str, reads: Path, sample: str) -> None:
    """Break the FASTQ pair of one sample."""
    fq1, fq2 = reads / f"{sample}_R1.fq.gz", reads / f"{sample}_R2.fq.gz"
    if kind == "truncated_gzip":
        content = fq1.read_bytes()
        fq1.write_bytes(content[: len(content) // 2])
    elif kind == "pair_counts":
        write_lines(fq2, fastq_lines(fq2)[:-40])
    elif kind == "pair_names":
        write_lines(fq2, fastq_lines(fq2)[4:])
    elif kind == "empty":
        fq1.write_bytes(gzip.compress(b""))
    elif kind == "phred64":
        for path in (fq1, fq2):
            lines = fastq_lines(path)
            lines[3::4] = [bytes(min(q + 31, 126) for q in line) for line in lines[3::4]]
            write_lines(path, lines)


def run_bad(tmp_path: Path, config_text: str, *args: str):
    config = tmp_path / "config.yaml"
    config.write_text(config_text)
    workdir = tmp_path / "run"
    workdir.mkdir()
    started = time.monotonic()
    done = snakemake(workdir, config, *args)
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    results = workdir / "results"
    # nothing was aligned, and no findings or release decision exists
    assert not list(results.glob("logs/bwa_mem/*")), "an alignment started"
    assert not (results / "alignments").exists()
    assert not list(results.glob("findings/**/*.json"))
    assert not list(results.glob("**/*certificate*"))
    return output, elapsed


def assert_messages(output: str, messages, elapsed: float) -> None:
    for message in messages:
        lines = [line.strip() for line in output.splitlines() if message in line]
        assert lines, f"{message!r} not in the output:\n{output[-3000:]}"
        print(f"[{elapsed:.0f} s] {lines[0]}")


READ_PROBLEMS = {
    "truncated_gzip": "gzip stream ends early",
    "pair_counts": "different read counts ({n} vs {n_cut})",
    "pair_names": "read names differ at record 1",
    "empty": "FASTQ file has no reads (empty)",
    "phred64": "this looks like phred+64",
}


def test_bad_reads_stop_before_alignment(small_toy, tmp_path):
    """Five samples, each with one broken FASTQ pair: all five are reported in one run."""
    data = sample_set(small_toy, tmp_path / "inputs", samples=list(READ_PROBLEMS))
    for kind in READ_PROBLEMS:
        break_reads(kind, data["reads"], kind)
    output, elapsed = run_bad(tmp_path, data["config"], "--keep-going")
    records = len(fastq_lines(data["reads"] / "pair_counts_R1.fq.gz")) // 4
    messages = [text.format(n=records, n_cut=records - 10) for text in READ_PROBLEMS.values()]
    assert_messages(output, messages, elapsed)
    for kind in READ_PROBLEMS:
        assert f"pre-flight check failed for unit {kind}/L1:" in output


def test_bad_reference_inputs_stop_before_indexing(small_toy, tmp_path):
    data = sample_set(small_toy, tmp_path / "inputs")
    gff = data["reference"] / "annotation.gff3"
    gff.write_text(gff.read_text().replace("biotype=protein_coding", "type=coding"))
    (data["reference"] / "targets.bed").write_text("chr20\t0\t1000\nchr20\t100\t999999999\n")
    # the reference folder is read-only: its FASTA is copied and indexed under results/
    inputs = sorted(path.name for path in data["reference"].iterdir())
    data["reference"].chmod(0o555)
    targets = f"  targets: {data['reference'] / 'targets.bed'}\n"
    config = data["config"].replace("  build: toy\n", "  build: toy\n" + targets)
    output, elapsed = run_bad(tmp_path, config)
    assert_messages(
        output,
        ["bcftools csq found 0 transcripts", "line 2: chr20:100-999999999 ends after the contig"],
        elapsed,
    )
    assert not list((tmp_path / "run" / "results" / "reference").glob("*.bwt"))
    assert (tmp_path / "run" / "results" / "reference" / "genome.fa.fai").exists()
    assert sorted(path.name for path in data["reference"].iterdir()) == inputs
    data["reference"].chmod(0o755)


def test_annotation_on_other_contigs_stops(small_toy, tmp_path):
    data = sample_set(small_toy, tmp_path / "inputs")
    gff = data["reference"] / "annotation.gff3"
    gff.write_text(gff.read_text().replace("\nchr", "\n"))
    output, elapsed = run_bad(tmp_path, data["config"])
    assert_messages(output, ["contig(s) not in the reference: 1, 12, 17"], elapsed)


def test_bad_sheets_stop_at_start(small_toy, tmp_path):
    """Row problems are reported first; the checks across rows once every row is valid."""
    data = sample_set(small_toy, tmp_path / "inputs", samples=["P1"])
    sheet = data["folder"] / "samples.tsv"
    with open(sheet, "a") as handle:
        handle.write("L1\tD_P1\tline\tL2\tF\n")  # line 3: bad sex
        handle.write("L2\tD_P1\tline\tP9\tfemale\n")  # line 4: parental missing
        handle.write("P1\tD_P1\tparental\t\tfemale\n")  # line 5: duplicate
    output, elapsed = run_bad(tmp_path, data["config"])
    message = "samples.tsv, line 3 (L1), field 'sex': 'F' is not one of: female, male, unknown"
    assert_messages(output, [message], elapsed)

    sheet.write_text(sheet.read_text().replace("\tF\n", "\tfemale\n"))
    (data["reads"] / "P1_R2.fq.gz").unlink()
    shutil.rmtree(tmp_path / "run")
    output, elapsed = run_bad(tmp_path, data["config"])
    assert_messages(
        output,
        [
            "line 3 (L1), field 'parental': 'L2' (line 4) has role 'line', not 'parental'",
            "line 4 (L2), field 'parental': unknown parental 'P9': no such sample in this sheet",
            "line 5 (P1), field 'sample': duplicate sample ID (first on line 2)",
            "line 3 (L1), field 'sample': sample has no units",
            "units.tsv, line 2 (P1/L1), field 'fq2': FASTQ file not found",
        ],
        elapsed,
    )


def test_bad_config_stops_at_start(small_toy, tmp_path):
    data = sample_set(small_toy, tmp_path / "inputs")
    config = data["config"] + "params:\n  fastp:\n    min_length: fifty\n"
    config += "  mpileup:\n    min_mapq: 99\n"
    output, elapsed = run_bad(tmp_path, config)
    assert_messages(
        output,
        [
            "config: params.fastp.min_length: 'fifty' is not of type 'integer'",
            "config: params.mpileup.min_mapq: 99 is greater than the maximum of 60",
        ],
        elapsed,
    )


def test_too_few_reads_after_trimming_stops_before_alignment(small_toy, tmp_path):
    data = sample_set(small_toy, tmp_path / "inputs")
    config = data["config"] + "preflight:\n  min_trimmed_reads: 100000000\n"
    output, elapsed = run_bad(tmp_path, config)
    assert_messages(output, ["D2_parental: only ", "reads left after trimming (L1: "], elapsed)
    assert "at least 100000000 are needed (preflight.min_trimmed_reads)" in output


# --- security ----------------------------------------------------------------------


def test_hostile_ids_rejected_and_nothing_runs(small_toy, tmp_path):
    data = sample_set(small_toy, tmp_path / "inputs")
    samples = ["sample\tdonor\trole\tparental\tsex", "D2_parental\tD2\tparental\t\tfemale"]
    pair = "reads/D2_parental_R1.fq.gz\treads/D2_parental_R2.fq.gz"
    units = ["sample\tunit\tfq1\tfq2", f"D2_parental\tL1\t{pair}"]
    for index, hostile in enumerate(HOSTILE_IDS):
        samples.append(f"{hostile}\tD2\tline\tD2_parental\tfemale")
        units.append(f"D2_parental\t{hostile}\treads/D2_parental_R1.fq.gz\treads/x_R2.fq.gz")
        samples.append(f"L{index}\t{hostile}\tline\tD2_parental\tfemale")
    (data["folder"] / "samples.tsv").write_text("\n".join(samples) + "\n")
    (data["folder"] / "units.tsv").write_text("\n".join(units) + "\n")
    config = tmp_path / "config.yaml"
    config.write_text(data["config"])
    workdir = tmp_path / "run"
    workdir.mkdir()
    before = files_under(tmp_path)
    done = snakemake(workdir, config)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    for hostile in HOSTILE_IDS:
        assert f"field 'sample': invalid value {hostile!r}" in output, hostile
        assert f"field 'donor': invalid value {hostile!r}" in output, hostile
        assert f"field 'unit': invalid value {hostile!r}" in output, hostile
    assert_nothing_written_outside(tmp_path, before, workdir)


@pytest.mark.parametrize("results", ["../outside", "/", "r;touch pwned", "$(touch x)"])
def test_hostile_config_rejected(small_toy, tmp_path, results):
    data = sample_set(small_toy, tmp_path / "inputs")
    text = data["config"].replace("results: results", f"results: '{results}'")
    text += "params:\n  bwa:\n    extra: ['-k', '19; touch pwned']\n"
    text += "  fastp:\n    extra: ['$(touch x)', \"'; touch pwned; '\"]\n"
    config = tmp_path / "config.yaml"
    config.write_text(text)
    workdir = tmp_path / "run"
    workdir.mkdir()
    before = files_under(tmp_path)
    done = snakemake(workdir, config)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"config: results: {results!r} is not allowed" in output, output[-2000:]
    assert "config: params.bwa.extra[1]: '19; touch pwned' is not allowed" in output
    assert "config: params.fastp.extra[0]: '$(touch x)' is not allowed" in output
    assert "config: params.fastp.extra[1]: \"'; touch pwned; '\" is not allowed" in output
    assert_nothing_written_outside(tmp_path, before, workdir)
    assert not (tmp_path / "outside").exists()


def test_hostile_but_legal_paths_are_quoted(small_toy, tmp_path):
    """FASTQ paths may hold spaces, quotes, ; and $( ): they reach the tools quoted."""
    data = sample_set(small_toy, tmp_path / "inputs")
    hostile = data["folder"] / "reads; touch pwned $(touch x) 'q `touch y`"
    hostile.mkdir()
    for mate in (1, 2):
        shutil.move(
            data["reads"] / f"D2_parental_R{mate}.fq.gz", hostile / f"R{mate} ;$(touch x).fq.gz"
        )
    fq1, fq2 = (f"{hostile.name}/R{mate} ;$(touch x).fq.gz" for mate in (1, 2))
    (data["folder"] / "units.tsv").write_text(
        f"sample\tunit\tfq1\tfq2\nD2_parental\tL1\t{fq1}\t{fq2}\n"
    )
    (data["folder"] / "samples.tsv").write_text(
        "sample\tdonor\trole\tparental\tsex\tnotes\n"
        "D2_parental\tD2\tparental\t\tfemale\t$(touch pwned); `touch x` 'q\" a;b\n"
    )
    config = tmp_path / "config.yaml"
    config.write_text(data["config"])
    workdir = tmp_path / "run"
    workdir.mkdir()
    before = files_under(tmp_path)
    target = "results/qc/fastp/D2_parental.L1.fastp.json"
    done = snakemake(workdir, config, target)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    report = json.loads((workdir / target).read_text())
    assert report["summary"]["before_filtering"]["total_reads"] > 1000
    assert_nothing_written_outside(tmp_path, before, workdir)


def assert_nothing_written_outside(root: Path, before: dict, workdir: Path) -> None:
    after = files_under(root)
    owned = tuple(str((workdir / name).relative_to(root)) + os.sep for name in RUN_OWNED)
    changed = sorted(
        path
        for path, stat in after.items()
        if before.get(path) != stat and not path.startswith(owned)
    )
    assert changed == [], f"written outside the results folder: {changed}"
    removed = sorted(set(before) - set(after))
    assert removed == [], f"removed: {removed}"
    for name in ("pwned", "x", "y"):
        assert not list(root.rglob(name)), f"{name} was created: shell injection"
        assert not (REPO / name).exists() and not (Path.cwd() / name).exists()


# --- interruption and reproducibility ----------------------------------------------

#: Folders of the results that hold run records rather than outputs.
NOT_COMPARED = ("logs/", "benchmarks/", "report/")


def canonical(path: Path) -> bytes:
    """The content of an output that must not change between runs.

    BAM: the records and the @SQ/@RG header lines (the @PG lines hold the command
    lines, thread counts included). VCF/BCF: the records. fastp JSON: all but the
    command line and the insert-size estimate (which fastp samples per thread).
    Certificates and input checksums: without the date, the BAM sha256 and size (they
    cover the @PG lines; the BAM records are compared themselves) and the config digest (run B's
    config names sheets in another folder).
    Text reports: without the lines that repeat the command line ('COMMAND:' of samtools
    markdup, '# The command line was' of samtools stats) and with the VCF of bcftools
    stats named without its folder (run A's results lie elsewhere). Certificates: without
    their date.
    Dossier PDFs: see canonical_dossier. Everything else: the bytes.
    """
    name = path.name
    if path.parent.name == "dossiers" and name.endswith(".pdf"):
        return canonical_dossier(path)
    if name.endswith((".bai", ".tbi", ".csi", ".crai", ".html")):
        return b""  # indexes follow from the data; HTML reports hold timestamps
    if name.endswith((".bam", ".cram")):
        header = subprocess.run(["samtools", "view", "-H", path], capture_output=True, check=True)
        kept = [line for line in header.stdout.split(b"\n") if line.startswith((b"@SQ", b"@RG"))]
        body = subprocess.run(["samtools", "view", path], capture_output=True, check=True).stdout
        return b"\n".join(kept) + hashlib.sha256(body).digest()
    if name.endswith((".vcf.gz", ".bcf", ".vcf")):
        return subprocess.run(
            ["bcftools", "view", "-H", path], capture_output=True, check=True
        ).stdout
    if name.endswith(".fastp.json"):
        report = json.loads(path.read_text())
        report.pop("command", None)
        report.pop("insert_size", None)
        return json.dumps(report, sort_keys=True).encode()
    if name.endswith(".json") and path.parent.name in ("certificates", "checksums"):
        document = without_bam_digests(without_dates(json.loads(path.read_text())))
        document.pop("config_digest", None)
        return json.dumps(document, sort_keys=True).encode()
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    if name.endswith((".txt", ".tsv")):
        data = b"\n".join(
            line
            for line in data.split(b"\n")
            if not line.startswith(b"COMMAND:") and b"The command line was" not in line
        )
    if name.endswith(".bcftools_stats.txt"):  # its ID line names the VCF by its path
        data = re.sub(rb"(?m)^(ID\t\d+\t)\S*/", rb"\1", data)
    return data


FIXED_DATE = "2000-01-01T00:00:00+00:00"


def canonical_dossier(pdf: Path) -> bytes:
    """A release dossier PDF. It must be byte for byte the rendering of its run's
    certificate (the rendering is deterministic: rendered again here, in another process,
    it gives the same bytes). It is then compared as the rendering of that certificate
    with the fields the certificate comparison leaves out (the date, the config digest,
    the BAM digests) set to fixed values: two runs agree when their dossiers differ only
    where those fields are printed."""
    from ipscqc.dossier import dossier_html, pdf_bytes, renderer_name

    certificate = json.loads((pdf.parent.parent / "certificates" / f"{pdf.stem}.json").read_text())
    rendered = pdf_bytes(dossier_html(certificate, renderer_name()))
    assert pdf.read_bytes() == rendered, f"{pdf} is not the rendering of its certificate"
    return pdf_bytes(dossier_html(with_fixed_run_fields(certificate), renderer_name()))


def with_fixed_run_fields(value, key: str = ""):
    """The certificate with its run-dependent fields (its date, the config digest and the
    BAM digests, which the certificate comparison leaves out) set to fixed values."""
    if isinstance(value, dict):
        if key == "bam":
            fixed = {"sha256": "0" * 64, "bytes": 0}
            return {name: fixed.get(name, item) for name, item in value.items()}
        if key == "config_digest":
            return {**value, "sha256": "0" * 64}
        return {name: with_fixed_run_fields(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [with_fixed_run_fields(item) for item in value]
    if key == ISSUED_KEY:  # the certificate's only date
        return FIXED_DATE
    return value


def without_dates(value):
    if isinstance(value, dict):
        return {
            key: without_dates(item)
            for key, item in value.items()
            if key != "issued" and not any(word in key.lower() for word in ("date", "created"))
        }
    if isinstance(value, list):
        return [without_dates(item) for item in value]
    return value


def without_bam_digests(value):
    """Drop the sha256 and size of BAM files: their @PG header lines name thread counts."""
    if isinstance(value, dict):
        return {
            key: (
                {k: v for k, v in item.items() if k not in ("sha256", "bytes")}
                if key == "bam" and isinstance(item, dict)
                else without_bam_digests(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [without_bam_digests(item) for item in value]
    return value


def digests(results: Path) -> dict[str, str]:
    found = {}
    for path in sorted(results.rglob("*")):
        relative = str(path.relative_to(results))
        if path.is_dir() or relative.startswith(NOT_COMPARED) or path.name.startswith("."):
            continue
        found[relative] = hashlib.sha256(canonical(path)).hexdigest()
    return found


def checksums_under(root: Path) -> dict[str, str]:
    """sha256 of every file under root (relative path -> digest), with its mode."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(root))] = f"{digest} {path.stat().st_mode:o}"
    return found


def reversed_sheets(small_toy: Path, folder: Path) -> tuple[Path, Path]:
    """The toy sheets with their data rows in reverse order and absolute FASTQ paths."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = (small_toy / "samples.tsv").read_text().rstrip("\n").split("\n")
    units = (small_toy / "units.tsv").read_text().rstrip("\n").split("\n")
    units = [units[0]] + [
        "\t".join(
            cell if index < 2 else str(small_toy / cell)
            for index, cell in enumerate(line.split("\t"))
        )
        for line in units[1:]
    ]
    samples_path, units_path = folder / "samples.tsv", folder / "units.tsv"
    samples_path.write_text("\n".join([samples[0], *reversed(samples[1:])]) + "\n")
    units_path.write_text("\n".join([units[0], *reversed(units[1:])]) + "\n")
    return samples_path, units_path


def kill_when(process: subprocess.Popen, ready, timeout: float = 900) -> float:
    """SIGKILL the run's whole process group as soon as ready() is true."""
    started = time.monotonic()
    while not ready():
        if process.poll() is not None:
            workdir = Path(process.args[process.args.index("--directory") + 1])
            logs = sorted(workdir.glob("snakemake.*.log"))
            pytest.fail(f"the run ended before it could be interrupted:\n{logs[-1].read_text()}")
        if time.monotonic() - started > timeout:
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return time.monotonic() - started


def unlock(workdir: Path, config: Path) -> None:
    """A killed Snakemake leaves its lock behind: remove it, as a user would."""
    done = snakemake(workdir, config, "--unlock")
    assert done.returncode == 0, done.stdout + done.stderr


def jobs_in_flight(workdir: Path) -> int:
    incomplete = workdir / ".snakemake" / "incomplete"
    return len(list(incomplete.iterdir())) if incomplete.exists() else 0


def test_interruption_and_reproducibility(small_toy, tmp_path, request):
    """Run A straight through, its results in an absolute folder outside its working
    folder; beside it run B, killed twice (alignment, analysis) and resumed, with sheets
    in reverse row order and one thread per job. Outputs must be identical."""
    timings = {}
    inputs_before = checksums_under(small_toy)  # the runs read their inputs from here
    config_a = tmp_path / "a.yaml"
    results_a = tmp_path / "scratch" / "results_a"
    config_a.write_text(toy_config(small_toy, results=str(results_a)))
    run_a = tmp_path / "run_a"
    run_a.mkdir()
    # A runs beside B: each alone leaves a core idle during its chains of small jobs
    started_a = time.monotonic()
    process_a = snakemake(run_a, config_a, start_new_session=True)

    def stop_a():  # a failure in B must not leave A running after the test
        if process_a.poll() is None:
            os.killpg(process_a.pid, signal.SIGKILL)
            process_a.wait()

    request.addfinalizer(stop_a)

    samples, units = reversed_sheets(small_toy, tmp_path / "sheets_b")
    text = toy_config(small_toy).replace(str(small_toy / "samples.tsv"), str(samples))
    config_b = tmp_path / "b.yaml"
    config_b.write_text(text.replace(str(small_toy / "units.tsv"), str(units)))
    run_b = tmp_path / "run_b"
    run_b.mkdir()
    one_thread = ["--set-threads"] + [
        f"{rule}=1" for rule in ("fastp", "bwa_mem", "markdup", "samtools_stats", "mosdepth")
    ]
    results_b = run_b / "results"
    started = time.monotonic()

    # 1. kill while reads are being aligned
    process = snakemake(run_b, config_b, *one_thread, start_new_session=True)
    timings["kill_1_after_s"] = round(
        kill_when(process, lambda: any((results_b / "logs" / "bwa_mem").glob("*.log"))), 1
    )
    timings["jobs_in_flight_at_kill_1"] = jobs_in_flight(run_b)
    assert timings["jobs_in_flight_at_kill_1"] > 0
    assert not list(results_b.glob("alignments/*.bam.bai")), "alignment already finished"

    # 2. resume, kill again once every sample is aligned and the analysis runs
    samples_all = [line.split("\t")[0] for line in samples.read_text().split("\n")[1:] if line]

    def analysing():
        aligned = all((results_b / f"alignments/{s}.bam.bai").exists() for s in samples_all)
        # and Snakemake has booked it: the temporary unit BAMs are gone (a kill between a
        # job's end and that bookkeeping leaves them behind; docs/hardening.md)
        booked = not list(results_b.glob("alignments/*/*.bam"))
        return aligned and booked and jobs_in_flight(run_b) > 0

    unlock(run_b, config_b)
    process = snakemake(run_b, config_b, *one_thread, "--rerun-incomplete", start_new_session=True)
    timings["kill_2_after_s"] = round(kill_when(process, analysing), 1)
    timings["jobs_in_flight_at_kill_2"] = jobs_in_flight(run_b)
    assert timings["jobs_in_flight_at_kill_2"] > 0

    # 3. resume to the end
    unlock(run_b, config_b)
    done = snakemake(run_b, config_b, *one_thread, "--rerun-incomplete")
    timings["interrupted_run_total_s"] = round(time.monotonic() - started, 1)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    returncode_a = process_a.wait(timeout=900)
    timings["uninterrupted_run_s"] = round(time.monotonic() - started_a, 1)
    assert returncode_a == 0, sorted(run_a.glob("snakemake.*.log"))[-1].read_text()[-4000:]

    # no input was changed, removed or added to (no index written next to the FASTA)
    assert checksums_under(small_toy) == inputs_before, "the runs changed their inputs"
    timings["input_files_unchanged"] = len(inputs_before)
    assert not (run_a / "results").exists(), "run A wrote into its working folder"
    digests_a, digests_b = digests(results_a), digests(results_b)
    assert set(digests_a) == set(digests_b), set(digests_a) ^ set(digests_b)
    differ = sorted(name for name in digests_a if digests_a[name] != digests_b[name])
    timings["files_compared"] = len(digests_a)
    timings["files_differing"] = differ
    print(json.dumps(timings, indent=1))
    (tmp_path / "interruption.json").write_text(json.dumps(timings, indent=1))
    assert differ == [], f"outputs differ after interruption/reorder/threads: {differ}"
    # the comparison covered the calls and the findings
    assert any(name.startswith("variants/") and name.endswith(".vcf.gz") for name in digests_a)
    vcf = next((results_a / "variants").glob("*.vcf.gz"))
    records = subprocess.run(["bcftools", "view", "-H", vcf], capture_output=True, check=True)
    assert records.stdout.count(b"\n") > 100


# --- a reference prepared once, reused by another results folder -------------------


def planned_rules(output: str) -> set[str]:
    """The rules of Snakemake's "Job stats" table in a run's output."""
    table = output.split("Job stats:", 1)[1].split("total", 1)[0]
    return {line.split()[0] for line in table.splitlines()[3:] if line.strip()}


def test_a_prepared_reference_is_reused_and_checked(small_toy, tmp_path):
    """Run A prepares the reference; run B, in another folder, aligns and calls with it
    and builds none of it; a changed FASTA or a changed index file stops a run before
    any alignment, naming the file."""
    import pysam
    import yaml

    data = sample_set(small_toy, tmp_path / "data")
    run_a = tmp_path / "a"
    run_a.mkdir()
    (run_a / "config.yaml").write_text(data["config"])
    done = snakemake(run_a, run_a / "config.yaml", "prepared_reference")
    assert done.returncode == 0, done.stderr[-3000:]
    prepared = run_a / "results" / "reference"
    manifest = json.loads((prepared / "manifest.json").read_text())
    assert manifest["built_from"]["fasta"]["path"] == str(data["reference"] / "genome.fa")
    assert {"genome.fa", "genome.fa.fai", "genome.dict", "genome.fa.bwt"} <= set(manifest["files"])
    assert set(manifest["versions"]) == {"faidx", "bwa_index"}

    def run_with_prepared(name: str, **reference) -> subprocess.CompletedProcess:
        folder = tmp_path / name
        folder.mkdir()
        config = yaml.safe_load(data["config"])
        config["reference"].update(prepared=str(prepared), **reference)
        (folder / "config.yaml").write_text(yaml.safe_dump(config))
        donor_vcf = "results/variants/D_D2_parental.vcf.gz"
        return snakemake(folder, folder / "config.yaml", donor_vcf, "gather_versions")

    done = run_with_prepared("b")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    rules = planned_rules(output)
    assert {"check_prepared_reference", "bwa_mem", "pileup_variants"} <= rules, rules
    assert not rules & {"alignment_reference", "faidx", "bwa_index", "prepared_reference"}
    assert not (tmp_path / "b" / "results" / "reference" / "genome.fa").exists()
    with pysam.VariantFile(str(tmp_path / "b/results/variants/D_D2_parental.vcf.gz")) as vcf:
        assert sum(1 for _ in vcf) > 100  # the donor's germline calls, on the prepared index
    versions = json.loads((tmp_path / "b/results/gate/software_versions.json").read_text())
    assert "bwa" in versions["steps"]["bwa_index"]  # recorded from the manifest

    changed = tmp_path / "changed.fa"
    lines = (data["reference"] / "genome.fa").read_text().splitlines(keepends=True)
    lines[1] = ("C" if lines[1][0] != "C" else "G") + lines[1][1:]
    changed.write_text("".join(lines))
    done = run_with_prepared("c", fasta=str(changed))
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"but '{changed}' has sha256" in output, output[-3000:]
    assert "the prepared index does not fit this file" in output
    assert not list((tmp_path / "c").rglob("*.bam"))

    with open(prepared / "genome.fa.sa", "ab") as index:
        index.write(b"\0")
    done = run_with_prepared("d")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"{prepared}/genome.fa.sa changed since the folder was prepared" in output, output[
        -3000:
    ]
    assert not list((tmp_path / "d").rglob("*.bam"))


# --- a unit given as an aligned CRAM -----------------------------------------------


def test_cram_in_and_out_give_the_same_results_as_fastq_and_bam(small_toy, tmp_path):
    """A facility's CRAM of the toy reads (sorted, another read group) is checked, its
    reads taken out and aligned again: the same calls and read QC as from the FASTQ,
    and the certificate's checksums name the CRAM. With alignments.format cram, the
    kept CRAM holds the same records as the BAM of a run without it, the BAM is gone,
    and the reference checksums name the alignment reference it decodes with."""
    import pysam

    data = sample_set(small_toy, tmp_path / "data")
    genome, reads = data["reference"] / "genome.fa", data["reads"]
    facility = tmp_path / "facility"
    facility.mkdir()
    cram = facility / "D2_parental.cram"
    subprocess.run(["bwa", "index", "-p", str(facility / "ref"), str(genome)], check=True,
                   capture_output=True)  # fmt: skip
    aligned = subprocess.run(
        ["bwa", "mem", "-R", r"@RG\tID:run7\tSM:facility_id", str(facility / "ref"),
         str(reads / "D2_parental_R1.fq.gz"), str(reads / "D2_parental_R2.fq.gz")],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(
        ["samtools", "sort", "-O", "cram", "--reference", str(genome), "-o", str(cram), "-"],
        input=aligned, check=True, capture_output=True,
    )  # fmt: skip
    units = data["folder"] / "units_cram.tsv"
    units.write_text(f"sample\tunit\tfq1\tfq2\tbam\nD2_parental\tL1\t\t\t{cram}\n")
    cram_in = data["config"].replace(str(data["folder"] / "units.tsv"), str(units))
    cram_out = data["config"] + "\nalignments:\n  format: cram\n"
    checksums = "results/gate/checksums/D2_parental.json"
    targets = ("results/variants/D_D2_parental.vcf.gz",
               "results/findings/D2_parental/read_qc.json", checksums)  # fmt: skip
    runs = {}
    for name, config_text, extra in (
        ("fastq", data["config"], ()),
        ("cram_in", cram_in, ()),
        ("cram_out", cram_out, ("results/alignments/D2_parental.cram.crai",
                                "results/gate/checksums/reference.json")),
    ):  # fmt: skip
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.yaml").write_text(config_text)
        done = snakemake(folder, folder / "config.yaml", *targets, *extra)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        runs[name] = (folder / "results", planned_rules(done.stdout + done.stderr))
    fastq, from_cram, to_cram = (runs[name][0] for name in ("fastq", "cram_in", "cram_out"))
    assert {"preflight_alignment", "reads_from_alignment"} <= runs["cram_in"][1]
    assert not {"preflight_alignment", "reads_from_alignment"} & runs["fastq"][1]

    def calls(results: Path) -> list[tuple]:
        with pysam.VariantFile(str(results / "variants/D_D2_parental.vcf.gz")) as vcf:
            return [(r.chrom, r.pos, r.ref, r.alts, r.samples[0]["GT"]) for r in vcf]

    assert len(calls(fastq)) > 100 and calls(from_cram) == calls(fastq) == calls(to_cram)
    metrics = [
        json.loads((results / "findings/D2_parental/read_qc.json").read_text())["metrics"]
        for results in (fastq, from_cram)
    ]
    # bwa estimates insert sizes per batch of reads, and the reads come out of the CRAM
    # in another order: a few pairs align differently (0.0001 of the duplicate
    # fraction here); everything else is the same
    assert metrics[0]["duplicate_fraction"] == pytest.approx(
        metrics[1]["duplicate_fraction"], abs=0.001
    )
    assert {**metrics[0], "duplicate_fraction": 0} == {**metrics[1], "duplicate_fraction": 0}
    records = json.loads((from_cram / "gate/checksums/D2_parental.json").read_text())
    assert [(entry["read"], entry["path"]) for entry in records["fastq"]] == [("bam", str(cram))]
    assert not list(from_cram.glob("reads/from_alignments/**/*.fastq.gz"))  # temporary

    def alignments(path: Path, reference: Path) -> list[tuple]:
        """Every record's fields and tags (CRAM keeps the tags, not their order)."""
        with pysam.AlignmentFile(str(path), reference_filename=str(reference)) as records:
            return [
                (*record.to_string().split("\t")[:11], sorted(record.get_tags()))
                for record in records
            ]

    kept = to_cram / "alignments/D2_parental.cram"
    assert not (to_cram / "alignments/D2_parental.bam").exists()  # temporary with CRAM
    bam_records = alignments(fastq / "alignments/D2_parental.bam", genome)
    assert len(bam_records) > 10_000
    assert alignments(kept, to_cram / "reference/genome.fa") == bam_records
    records = json.loads((to_cram / "gate/checksums/D2_parental.json").read_text())
    assert records["bam"]["path"] == "alignments/D2_parental.cram"
    reference = json.loads((to_cram / "gate/checksums/reference.json").read_text())
    assert reference["alignment_reference"]["path"] == "reference/genome.fa"
    assert len(reference["alignment_reference"]["sha256"]) == 64


# --- a reference shaped like a GRCh38 analysis set ---------------------------------

#: contigs of hs38DH-like analysis sets beyond the primary chromosomes (bases)
ANALYSIS_SET_CONTIGS = {
    "chrM": 16569,
    "chr1_KI270706v1_random": 5000,
    "chr6_GL000250v2_alt": 5000,
    "chrUn_JTFH01000001v1_decoy": 3000,
    "chrEBV": 10000,
    "HLA-A*01:01:01:01": 3503,
    "HLA-DRB1*15:01:01:01": 3000,
}


def reverse_complement(bases: str) -> str:
    return bases[::-1].translate(str.maketrans("ACGT", "TGCA"))


def append_reads_from(sequence: str, name: str, pairs: int, reads: Path, sample: str) -> None:
    """Error-free 150-bp pairs (300-bp fragments) from a contig, appended to the
    sample's FASTQ pair (a second gzip member)."""
    import random

    rng = random.Random(name)
    mates = ([], [])
    for number in range(pairs):
        start = rng.randrange(len(sequence) - 300)
        fragment = sequence[start : start + 300]
        for mate, bases in enumerate((fragment[:150], reverse_complement(fragment)[:150])):
            mates[mate].append(f"@{name}_{number}\n{bases}\n+\n{'I' * 150}\n")
    for mate in (1, 2):
        with open(reads / f"{sample}_R{mate}.fq.gz", "ab") as handle:
            handle.write(gzip.compress("".join(mates[mate - 1]).encode()))


def test_an_analysis_set_reference_changes_no_finding(small_toy, tmp_path):
    """The small toy genome plus chrM, unplaced, alt, decoy, EBV and HLA contigs named as
    hs38DH names them, with reads on chrM and an HLA contig: the run works, no file or
    job is named after a contig, only the primary chromosomes are called and sharded,
    and the depth, copy-number, sex and variant results equal those without them."""
    import random

    import pysam

    targets = (
        "results/variants/D_D2_parental.vcf.gz",
        *(f"results/findings/D2_parental/{check}.json"
          for check in ("read_qc", "copy_number", "sex")),
        "results/qc/samtools/D2_parental.idxstats.txt",
    )  # fmt: skip
    results = {}
    for name in ("primary", "analysis_set"):
        data = sample_set(small_toy, tmp_path / f"data_{name}")
        if name == "analysis_set":
            rng = random.Random(11)
            extra = {
                contig: "".join(rng.choice("ACGT") for _ in range(length))
                for contig, length in ANALYSIS_SET_CONTIGS.items()
            }
            with open(data["reference"] / "genome.fa", "a") as fasta:
                for contig, bases in extra.items():
                    fasta.write(f">{contig}\n{bases}\n")
            append_reads_from(extra["chrM"], "chrM", 2000, data["reads"], "D2_parental")
            hla = "HLA-A*01:01:01:01"
            append_reads_from(extra[hla], "hla", 200, data["reads"], "D2_parental")
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.yaml").write_text(data["config"])
        done = snakemake(folder, folder / "config.yaml", *targets)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        results[name] = folder / "results"
    primary, analysis_set = results["primary"], results["analysis_set"]

    for path in analysis_set.rglob("*"):
        assert not set("*:") & set(path.name) and "HLA" not in path.name, path
    shards = (analysis_set / "variants/shards/shards.tsv").read_text()
    assert shards == (primary / "variants/shards/shards.tsv").read_text()
    assert not any(contig in shards for contig in ANALYSIS_SET_CONTIGS)
    mapped = {
        line.split("\t")[0]: int(line.split("\t")[2])
        for line in (analysis_set / "qc/samtools/D2_parental.idxstats.txt").read_text().splitlines()
    }
    assert mapped["chrM"] > 3000 and mapped["HLA-A*01:01:01:01"] > 300  # reads are there

    def calls(results: Path) -> list[tuple]:
        with pysam.VariantFile(str(results / "variants/D_D2_parental.vcf.gz")) as vcf:
            return [(r.chrom, r.pos, r.ref, r.alts, r.samples[0]["GT"]) for r in vcf]

    assert len(calls(primary)) > 100 and calls(analysis_set) == calls(primary)

    def findings(results: Path, check: str) -> dict:
        return json.loads((results / f"findings/D2_parental/{check}.json").read_text())

    depth = ("mean_depth", "callable_fraction")
    assert [findings(analysis_set, "read_qc")["metrics"][key] for key in depth] == [
        findings(primary, "read_qc")["metrics"][key] for key in depth
    ]
    bins = findings(analysis_set, "read_qc")["adequacy"]["autosomal_bins"]
    assert bins == findings(primary, "read_qc")["adequacy"]["autosomal_bins"]
    for check in ("copy_number", "sex"):
        assert findings(analysis_set, check)["metrics"] == findings(primary, check)["metrics"]
        assert findings(analysis_set, check)["items"] == findings(primary, check)["items"]
