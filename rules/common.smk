# Configuration, sheets and the helpers that the rules share.
import re
import sys
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from ipscqc.sheets import SheetError, load_and_check  # noqa: E402
from ipscqc.reference import fasta_contigs  # noqa: E402
from ipscqc.preflight import config_problems  # noqa: E402

_config_problems = config_problems(config, Path(workflow.basedir) / "schemas/config.schema.yaml")
if _config_problems:
    raise WorkflowError("invalid configuration:\n" + "\n".join(_config_problems))
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


UNITS_OF_SAMPLE = {sample: [] for sample in SAMPLES}
for _sample, _unit in sorted(zip(units["sample"], units["unit"])):
    UNITS_OF_SAMPLE[_sample].append(_unit)


def units_of(sample):
    return UNITS_OF_SAMPLE[sample]


def fastq_of(wildcards):
    unit = units.loc[(wildcards.sample, wildcards.unit)]
    return {"fq1": unit["fq1"], "fq2": unit["fq2"]}


def units_of_sample(wildcards):
    return units_of(wildcards.sample)


def fastp_reports_of_sample(wildcards):
    sample = wildcards.sample
    return [out(f"qc/fastp/{sample}.{unit}.fastp.json") for unit in units_of_sample(wildcards)]


def fastp_logs_of_sample(wildcards):
    return [log_of(f"fastp/{wildcards.sample}.{unit}") for unit in units_of_sample(wildcards)]


def parental_of(sample):
    """The parental sample a line is compared with, or "" (line-only mode)."""
    return samples.loc[sample, "parental"]


def findings_file(sample, check):
    return out(f"findings/{sample}/{check}.json")


def declared_sex_of_donor(wildcards):
    """Declared sex of each sample of a donor (male X/Y are called haploid)."""
    return {sample: samples.loc[sample, "sex"] for sample in samples_of_donor(wildcards.donor)}


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
    "identity": [
        "findings/cohort/relatedness_mqc.json",
        "findings/cohort/identity_mqc.tsv",
        "findings/cohort/sex_mqc.tsv",
        "findings/cohort/contamination_mqc.tsv",
    ],
    "vectors": ["findings/cohort/vectors_mqc.tsv"],
    "gate": [
        "report/content/ipscqc_safety_summary_mqc.json",
        "report/content/ipscqc_general_stats_mqc.json",
        "report/content/ipscqc_acquired_variants_mqc.json",
        "report/content/ipscqc_copy_number_figures_mqc.json",
        "report/content/ipscqc_copy_number_calls_mqc.json",
        "report/content/ipscqc_sex_contamination_vectors_mqc.json",
        "report/content/ipscqc_read_qc_mqc.json",
        "report/content/ipscqc_certificates_mqc.json",
        "report/content/ipscqc_software_mqc_versions.yml",
    ],
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
    return (
        [out("report/multiqc_report.html"), out("gate/cohort_summary.tsv")]
        + expand(out("variants/{donor}.vcf.gz"), donor=DONORS)
        + expand(out("certificates/{line}.json"), line=LINES)
    )


# ---------------------------------------------------------------- release gate
# (rules/gate.smk; docs/release_gate.md)
from ipscqc.gate import LINE_CHECKS  # noqa: E402
from ipscqc.read_qc import autosomes_of  # noqa: E402

AUTOSOMES = autosomes_of(GENOME_CONTIGS)
LINE_PATTERN = "|".join(re.escape(name) for name in LINES) or "^$"
# Inputs named in the certificate beside the FASTQs and BAMs (empty paths left out).
REFERENCE_INPUTS = {
    name: config["reference"][name]
    for name in ("fasta", "annotation", "vectors", "targets")
    if config["reference"].get(name)
}
# The copy-number check's figure of each sample, placed in the safety report.
COPY_NUMBER_FIGURE = "findings/{sample}/copy_number.png"


def producible(paths):
    """The paths some rule of this workflow writes. A check whose rule is not in the
    workflow is left out of the gate's inputs: the gate then finds its findings
    missing and says INCONCLUSIVE (never PASS)."""
    return [path for path in paths if any(rule.is_producer(path) for rule in workflow.rules)]


def parental_of_wildcards(wildcards):
    return parental_of(wildcards.sample)


def parental_of_line(wildcards):
    return parental_of(wildcards.line)


def donor_of_line(wildcards):
    return samples.loc[wildcards.line, "donor"]


def gate_findings_of(wildcards):
    """Findings of a line's checks, and its parental's read QC."""
    paths = [findings_file(wildcards.line, check) for check in LINE_CHECKS]
    if parental_of(wildcards.line):
        paths.append(findings_file(parental_of(wildcards.line), "read_qc"))
    return producible(paths)


def fastqs_of_sample(wildcards):
    return [
        units.loc[(wildcards.sample, unit)][read]
        for unit in units_of(wildcards.sample)
        for read in ("fq1", "fq2")
    ]


def fastq_units_of_sample(wildcards):
    return [unit for unit in units_of(wildcards.sample) for _read in ("fq1", "fq2")]


def fastq_reads_of_sample(wildcards):
    return [read for _unit in units_of(wildcards.sample) for read in ("fq1", "fq2")]


def parental_checksums_of_line(wildcards):
    parental = parental_of(wildcards.line)
    return [out(f"gate/checksums/{parental}.json")] if parental else []


def report_findings(wildcards):
    """Findings and figures the safety report shows, of every sample."""
    paths = [findings_file(sample, check) for sample in SAMPLES for check in LINE_CHECKS]
    paths += [out(COPY_NUMBER_FIGURE.format(sample=line)) for line in LINES]
    return producible(paths)


# ---------------------------------------------------------------- acquired variants
# (rules/variants.smk; docs/acquired_variants.md)
HOTSPOT_CATALOGUE = config["variants"]["hotspots"] or str(RESOURCES / "hotspots/hotspots.tsv")
CANCER_GENES = config["variants"]["cancer_genes"] or str(RESOURCES / "hotspots/cancer_genes.tsv")
# bcftools query formats of the candidate and hotspot tables (per-sample columns last)
CANDIDATE_FIELDS = (
    r"%CHROM\t%POS\t%REF\t%ALT\t%INFO/RPBZ\t%INFO/MQBZ\t%INFO/BCSQ[\t%AD\t%ADF\t%ADR\t%DP]\n"
)
HOTSPOT_FIELDS = r"%CHROM\t%POS\t%REF\t%ALT[\t%AD\t%ADF\t%ADR\t%DP]\n"


def sex_of_line(wildcards):
    return samples.loc[wildcards.line, "sex"]


def variant_classification_inputs(wildcards):
    """Donor tables, and the QC of the line and its parental (absent in line-only mode);
    the copy-number segments when config asks for copy-number-corrected clonality."""
    line, donor = wildcards.line, samples.loc[wildcards.line, "donor"]
    inputs = {
        "candidates": out(f"variants/{donor}.candidates.tsv.gz"),
        "hotspot_pileup": out(f"variants/{donor}.hotspots.tsv"),
        "line_stats": out(f"qc/samtools/{line}.stats.txt"),
        "line_dist": out(f"qc/mosdepth/{line}.mosdepth.global.dist.txt"),
    }
    parental = parental_of(line)
    if parental:
        inputs["parental_stats"] = out(f"qc/samtools/{parental}.stats.txt")
        inputs["parental_dist"] = out(f"qc/mosdepth/{parental}.mosdepth.global.dist.txt")
    if config["variants"]["use_copy_number"]:
        inputs["copy_number"] = out(f"findings/{line}/copy_number.tsv")
    return inputs


# ---------------------------------------------------------------- copy number
# (rules/copy_number.smk; docs/copy_number.md)
def shipped_resource(configured, folder):
    """A configured path, or the file shipped in resources/ for the genome build."""
    path = configured or str(RESOURCES / folder / f"{config['reference']['build']}.bed")
    if not Path(path).exists():
        raise WorkflowError(
            f"copy_number: {path} does not exist; set copy_number.{folder} in config.yaml"
            f" for build {config['reference']['build']}"
        )
    return path


COPY_NUMBER_CENTROMERES = shipped_resource(config["copy_number"]["centromeres"], "centromeres")
COPY_NUMBER_RECURRENT_REGIONS = shipped_resource(
    config["copy_number"]["recurrent_regions"], "recurrent_regions"
)


def copy_number_inputs(wildcards):
    """Depth bins of the sample (and of its parental, when it has one) and its donor's
    joint VCF."""
    donor = samples.loc[wildcards.sample, "donor"]
    inputs = {
        "line": out(f"qc/mosdepth/{wildcards.sample}.regions.bed.gz"),
        "vcf": out(f"variants/{donor}.vcf.gz"),
        "tbi": out(f"variants/{donor}.vcf.gz.tbi"),
    }
    parental = parental_of(wildcards.sample)
    if parental:
        inputs["parental"] = out(f"qc/mosdepth/{parental}.regions.bed.gz")
    return inputs


def copy_number_reference_sex(wildcards):
    """Declared sex of the genome the sample is compared with (its parental, or itself)."""
    return samples.loc[parental_of(wildcards.sample) or wildcards.sample, "sex"]
