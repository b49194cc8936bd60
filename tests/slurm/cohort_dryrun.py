"""A dry run of the workflow for a large generated cohort: how long the DAG takes.

Writes sheets for N lines (5 lines per donor, each donor with its parental sample,
every fifth sample sequenced on two lanes), empty placeholder FASTQ files and a
config that reuses the toy reference, then times `snakemake -n` from the repository's
Snakefile in its own working folder.

    python tests/slurm/cohort_dryrun.py --lines 50 --reference-dir toy_data/reference
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def write_cohort(outdir: Path, lines: int, lines_per_donor: int = 5) -> dict:
    """Sheets, placeholder reads and the sample counts of a generated cohort."""
    reads = outdir / "reads"
    reads.mkdir(parents=True, exist_ok=True)
    samples = ["sample\tdonor\trole\tparental\tsex\tpassage\tnotes"]
    units = ["sample\tunit\tfq1\tfq2"]
    donors = (lines + lines_per_donor - 1) // lines_per_donor
    names = []
    for donor_index in range(1, donors + 1):
        donor = f"D{donor_index:03d}"
        sex = "female" if donor_index % 2 else "male"
        parental = f"{donor}_parental"
        samples.append(f"{parental}\t{donor}\tparental\t\t{sex}\t0\tfibroblasts")
        names.append(parental)
        first = (donor_index - 1) * lines_per_donor
        for line_index in range(first, min(first + lines_per_donor, lines)):
            line = f"{donor}_line{line_index + 1:03d}"
            samples.append(f"{line}\t{donor}\tline\t{parental}\t{sex}\t10\tclone")
            names.append(line)
    for index, sample in enumerate(names):
        for unit in ["L1", "L2"] if index % 5 == 0 else ["L1"]:
            pair = []
            for read in ("R1", "R2"):
                path = reads / f"{sample}_{unit}_{read}.fastq.gz"
                with gzip.open(path, "wb"):
                    pass
                pair.append(str(path))
            units.append(f"{sample}\t{unit}\t{pair[0]}\t{pair[1]}")
    (outdir / "samples.tsv").write_text("\n".join(samples) + "\n")
    (outdir / "units.tsv").write_text("\n".join(units) + "\n")
    return {"lines": lines, "donors": donors, "samples": len(names), "units": len(units) - 1}


def write_config(outdir: Path, reference_dir: Path) -> Path:
    config = outdir / "config.yaml"
    config.write_text(
        f"samples: {outdir / 'samples.tsv'}\n"
        f"units: {outdir / 'units.tsv'}\n"
        "results: results\n"
        "reference:\n"
        f"  fasta: {reference_dir / 'genome.fa'}\n"
        f"  annotation: {reference_dir / 'annotation.gff3'}\n"
        f"  vectors: {reference_dir / 'vectors.fa'}\n"
        "  build: toy\n"
        "copy_number:\n"
        f"  centromeres: {reference_dir / 'centromeres.bed'}\n"
        f"  recurrent_regions: {reference_dir / 'recurrent_regions.bed'}\n"
    )
    return config


def dry_run(outdir: Path, config: Path) -> tuple[float, int, str]:
    """Seconds, number of jobs and the output of `snakemake -n`."""
    start = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(REPO / "Snakefile"),
            "--directory",
            str(outdir),
            "--configfile",
            str(config),
            "--dry-run",
            "--quiet",
            "rules",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
    )
    seconds = time.monotonic() - start
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"dry run failed:\n{output[-4000:]}")
    total = re.search(r"^total\s+(\d+)", output, flags=re.M)
    return seconds, int(total.group(1)) if total else 0, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--outdir", type=Path, default=None)
    parser.add_argument("--reference-dir", type=Path, default=REPO / "toy_data/reference")
    args = parser.parse_args()
    import tempfile

    outdir = args.outdir or Path(tempfile.mkdtemp(prefix="ipscqc-cohort-"))
    counts = write_cohort(outdir, args.lines)
    config = write_config(outdir, args.reference_dir.resolve())
    seconds, jobs, _ = dry_run(outdir, config)
    print(
        f"{counts['lines']} lines, {counts['donors']} donors, {counts['samples']} samples, "
        f"{counts['units']} units: {jobs} jobs, dry run {seconds:.1f} s ({outdir})"
    )


if __name__ == "__main__":
    main()
