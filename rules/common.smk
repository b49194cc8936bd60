# Configuration, sheets and the helpers that the rules share.
import re
import sys
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from ipscqc.sheets import SheetError, load_and_check  # noqa: E402
from ipscqc.reference import fasta_contigs  # noqa: E402

validate(config, "../schemas/config.schema.yaml", set_default=True)

RESULTS = config["results"].rstrip("/")
RESOURCES = Path(workflow.basedir) / "resources"
REFERENCE = config["reference"]

try:
    samples, units = load_and_check(
        config["samples"],
        config["units"],
        str(Path(workflow.basedir) / "schemas/samples.schema.yaml"),
        str(Path(workflow.basedir) / "schemas/units.schema.yaml"),
    )
except SheetError as error:
    hint = ""
    if not Path(config["samples"]).exists() and "toy_data" in config["samples"]:
        hint = (
            "\nThe default config runs the toy data set: generate it with bin/demo or "
            "`PYTHONPATH=scripts python -m toydata --outdir toy_data`."
        )
    raise WorkflowError(f"{error}{hint}") from None

SAMPLES = sorted(samples.index)
LINES = sorted(samples.index[samples["role"] == "line"])
PARENTALS = sorted(samples.index[samples["role"] == "parental"])
DONORS = sorted(set(samples["donor"]))
GENOME_CONTIGS = fasta_contigs(REFERENCE["fasta"])


wildcard_constraints:
    sample="|".join(re.escape(name) for name in SAMPLES),
    unit="|".join(sorted({re.escape(unit) for unit in units["unit"]})),
    donor="|".join(re.escape(name) for name in DONORS),
    contig="|".join(re.escape(name) for name in GENOME_CONTIGS),


def out(path):
    """A path under the results folder; every output goes through this."""
    return f"{RESULTS}/{path}"


def log_of(path):
    return f"{RESULTS}/logs/{path}.log"


def benchmark_of(path):
    return f"{RESULTS}/benchmarks/{path}.tsv"


def units_of(sample):
    return sorted(units.loc[units["sample"] == sample, "unit"])


def fastq_of(wildcards):
    unit = units.loc[(wildcards.sample, wildcards.unit)]
    return {"fq1": unit["fq1"], "fq2": unit["fq2"]}


def parental_of(sample):
    """The parental sample a line is compared with, or "" (line-only mode)."""
    return samples.loc[sample, "parental"]


def findings_file(sample, check):
    return out(f"findings/{sample}/{check}.json")


def samples_of_donor(donor):
    return sorted(samples.index[samples["donor"] == donor])


def unit_bams(wildcards):
    return [out(f"alignments/{wildcards.sample}/{unit}.bam") for unit in units_of(wildcards.sample)]


def bams_of_donor(wildcards):
    return [out(f"alignments/{sample}.bam") for sample in samples_of_donor(wildcards.donor)]


def bais_of_donor(wildcards):
    return [f"{bam}.bai" for bam in bams_of_donor(wildcards)]


def parent_folder(wildcards, output):
    return str(Path(output[0]).parent)


def mosdepth_prefix(wildcards, output):
    return output.summary.removesuffix(".mosdepth.summary.txt")


def memory_by_attempt(mb):
    """Memory in MB that grows with each retry after running out of memory."""
    return lambda wildcards, attempt: mb * attempt


def scaled_runtime(minutes_per_gb, minimum):
    """Runtime in minutes that grows with the input size and with each retry."""
    return lambda wildcards, input, attempt: (
        max(minimum, int(input.size_mb / 1024 * minutes_per_gb)) * attempt
    )


def sort_memory_per_thread(wildcards, resources, threads):
    """samtools sort -m: half of the job's memory, shared between its threads."""
    return max(256, resources.mem_mb // (2 * threads))


def cli_args(args):
    """Extra tool arguments from config, each one quoted for the shell."""
    import shlex

    return " ".join(shlex.quote(str(arg)) for arg in args)


# Files the MultiQC report reads, by stage, under the results folder. Patterns
# expand over the sheets: {sample} every sample, {line} every line, {donor} every
# donor, {sample}.{unit} every sequencing unit.
REPORT_FILES = {
    "reads": ["qc/fastp/{sample}.{unit}.fastp.json"],
    "alignment": [
        "qc/samtools/{sample}.stats.txt",
        "qc/samtools/{sample}.flagstat.txt",
        "qc/samtools/{sample}.idxstats.txt",
        "qc/markdup/{sample}.markdup.txt",
        "qc/mosdepth/{sample}.mosdepth.summary.txt",
        "qc/mosdepth/{sample}.mosdepth.global.dist.txt",
    ],
    "variants": ["qc/bcftools/{donor}.bcftools_stats.txt"],
}


def expand_over_sheets(pattern):
    """Paths for one pattern of REPORT_FILES, in a stable order."""
    if "{unit}" in pattern:
        return [
            out(pattern.format(sample=sample, unit=unit))
            for sample in SAMPLES
            for unit in units_of(sample)
        ]
    if "{sample}" in pattern:
        return [out(pattern.format(sample=sample)) for sample in SAMPLES]
    if "{line}" in pattern:
        return [out(pattern.format(line=line)) for line in LINES]
    if "{donor}" in pattern:
        return [out(pattern.format(donor=donor)) for donor in DONORS]
    return [out(pattern)]


def report_inputs():
    """Every file the MultiQC report reads."""
    return [
        path
        for patterns in REPORT_FILES.values()
        for pattern in patterns
        for path in expand_over_sheets(pattern)
    ]


def final_outputs():
    return [out("report/multiqc_report.html")] + expand(
        out("variants/{donor}.vcf.gz"), donor=DONORS
    )
