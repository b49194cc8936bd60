# Configuration, sheets, the genome model, the file layout and the helpers the rules
# share. Paths come from one layout (scripts/ipscqc/layout.py); samples, parentals and
# checks reach scripts as params, never parsed back out of a path.
import re
import shlex
import sys
from functools import partial
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from ipscqc.checks import CHECKS, checks_for  # noqa: E402
from ipscqc.configuration import load_yaml, numbers_written_as_text  # noqa: E402
from ipscqc.contig_index import contig_name_problems  # noqa: E402
from ipscqc.genome import GenomeModel  # noqa: E402
from ipscqc.layout import Layout  # noqa: E402
from ipscqc.paths import (  # noqa: E402
    configured_inputs,
    fastq_inputs,
    missing_input_problems,
    results_folder_problems,
)
from ipscqc.preflight import config_problems  # noqa: E402
from ipscqc.prepared_reference import MANIFEST, read_manifest  # noqa: E402
from ipscqc.readers.fasta import fasta_contigs, fasta_lengths  # noqa: E402
from ipscqc.shards import plan_shards  # noqa: E402
from ipscqc.sheets import SheetError, load_and_check, unit_read_fields  # noqa: E402
from ipscqc.versions import tool_versions_shell  # noqa: E402

if not config:
    raise WorkflowError(
        "no configuration given: run with --configfile my_config.yaml"
        " (schemas/config.schema.yaml describes every key; bin/demo runs the toy data set"
        " with the demo's config.yaml)"
    )
# YAML reads 1e-6 as text: where the schema wants a number, it is that number
numbers_written_as_text(config, load_yaml(Path(workflow.basedir) / "schemas/config.schema.yaml"))
_config_problems = config_problems(config, Path(workflow.basedir) / "schemas/config.schema.yaml")
if _config_problems:
    raise WorkflowError("invalid configuration:\n" + "\n".join(_config_problems))
validate(config, "../schemas/config.schema.yaml", set_default=True)

RESULTS = config["results"].rstrip("/")
LAYOUT = Layout(RESULTS)
RESOURCES = Path(workflow.basedir) / "resources"
REFERENCE = config["reference"]
_missing_inputs = missing_input_problems(configured_inputs(config))
if _missing_inputs:
    raise WorkflowError("input files missing:\n" + "\n".join(_missing_inputs))

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
# what the scripts need of the sheet: sample -> donor, parental ("" for none), sex
SHEET = samples[["donor", "parental", "sex"]].to_dict("index")
GENOME_LENGTHS = fasta_lengths(REFERENCE["fasta"])
GENOME_CONTIGS = list(GENOME_LENGTHS)
VECTOR_CONTIGS = fasta_contigs(REFERENCE["vectors"]) if REFERENCE["vectors"] else []
_contig_problems = contig_name_problems(GENOME_CONTIGS, REFERENCE["fasta"])
_contig_problems += contig_name_problems(VECTOR_CONTIGS, REFERENCE["vectors"])
if _contig_problems:
    raise WorkflowError("reference check failed:\n" + "\n".join(_contig_problems))
GENOME = GenomeModel.of(REFERENCE["build"], GENOME_CONTIGS, VECTOR_CONTIGS)
if not GENOME.autosomes:
    raise WorkflowError(
        f"reference check failed:\n{REFERENCE['fasta']}: no contig is an autosome"
        f" (chr1..chr22 or 1..22); its contigs are {', '.join(GENOME_CONTIGS[:5])}"
        f"{', ...' if len(GENOME_CONTIGS) > 5 else ''}: the workflow needs a human reference"
        " with UCSC or Ensembl chromosome names"
    )
# Variants are called per shard of the analysed contigs (autosomes, X, Y: ipscqc.genome):
# pieces of at most variants.shard_size_mb, small contigs packed together (ipscqc.shards);
# jobs and files are named by the shard's index (s0, s1, ...), never by a contig name.
SHARD_BASES = round(config["variants"]["shard_size_mb"] * 1_000_000)
SHARDS = plan_shards({name: GENOME_LENGTHS[name] for name in GENOME.analysed}, SHARD_BASES)
SHARD_INDEXES = [shard.index for shard in SHARDS]
# each shard's share of the analysed bases (its jobs' runtime scales with it)
SHARD_FRACTIONS = {shard.index: shard.bases / sum(s.bases for s in SHARDS) for shard in SHARDS}


# the genome model as a script param (scripts rebuild it with GenomeModel.of(**genome))
GENOME_PARAMS = {"build": REFERENCE["build"], "contigs": GENOME_CONTIGS}


wildcard_constraints:
    sample="|".join(re.escape(name) for name in SAMPLES),
    unit="|".join(sorted({re.escape(unit) for unit in units["unit"]})),
    donor="|".join(re.escape(name) for name in DONORS),
    shard="[0-9]+",
    line="|".join(re.escape(name) for name in LINES) or "^$",


def path_of(kind, **wildcards):
    """A path of the run's layout under the results folder; every output goes through
    this. Wildcards not given stay Snakemake wildcards."""
    return LAYOUT.path(kind, **wildcards)


def log_of(name):
    return LAYOUT.path("log", name=name)


# ---------------------------------------------------------------- alignment reference
# Genome plus vector decoys, FASTA index, dictionary and aligner index: built under the
# results folder (reference/, with a manifest.json that makes it reusable), or taken
# from a folder an earlier run prepared (reference.prepared), checked against its
# manifest before any alignment (ipscqc.prepared_reference, docs/hardening.md).
PREPARED_REFERENCE = REFERENCE["prepared"].rstrip("/")
if PREPARED_REFERENCE:
    _prepared_problems = read_manifest(PREPARED_REFERENCE)[1]
    if _prepared_problems:
        raise WorkflowError("reference check failed:\n" + "\n".join(_prepared_problems))


def reference_of(kind):
    """A file of the alignment reference (genome.fa, its .fai or .dict)."""
    path = path_of(kind)
    return f"{PREPARED_REFERENCE}/{Path(path).name}" if PREPARED_REFERENCE else path


# the alignments kept: BAM, or CRAM written from a temporary BAM
CRAM_OUTPUT = config["alignments"]["format"] == "cram"
KEPT_ALIGNMENT = "cram" if CRAM_OUTPUT else "bam"
BWA_INDEX_SUFFIXES = (".amb", ".ann", ".bwt", ".pac", ".sa")
ALIGNMENT_INDEX = (
    [reference_of("alignment_reference") + suffix for suffix in BWA_INDEX_SUFFIXES]
    if config["params"]["aligner"] == "bwa"
    else []
)  # minimap2 indexes the FASTA itself
ALIGNMENT_REFERENCE_FILES = [
    reference_of(kind)
    for kind in ("alignment_reference", "alignment_reference_fai", "alignment_reference_dict")
] + ALIGNMENT_INDEX
# the jobs that build the reference, whose versions a prepared folder's manifest keeps
REFERENCE_BUILD_STEPS = ["faidx"] + (["bwa_index"] if ALIGNMENT_INDEX else [])


def benchmark_of(name):
    return LAYOUT.path("benchmark", name=name)


def versions_of(step, job):
    """The file in which one job records the versions of the tools it ran."""
    return LAYOUT.path("job_versions", step=step, job=job)


UNITS_OF_SAMPLE = {sample: [] for sample in SAMPLES}
for _sample, _unit in sorted(zip(units["sample"], units["unit"])):
    UNITS_OF_SAMPLE[_sample].append(_unit)


def units_of(sample):
    return UNITS_OF_SAMPLE[sample]


def units_of_sample(wildcards):
    return units_of(wildcards.sample)


def fastq_of(wildcards):
    """A unit's FASTQ pair: from the sheet, or taken out of its BAM/CRAM."""
    unit = units.loc[(wildcards.sample, wildcards.unit)]
    if unit["bam"]:
        return {
            "fq1": path_of("alignment_reads_r1", sample=wildcards.sample, unit=wildcards.unit),
            "fq2": path_of("alignment_reads_r2", sample=wildcards.sample, unit=wildcards.unit),
        }
    return {"fq1": unit["fq1"], "fq2": unit["fq2"]}


def alignment_input_of(wildcards):
    """The BAM/CRAM a unit's reads come from (units sheet, column bam)."""
    return units.loc[(wildcards.sample, wildcards.unit)]["bam"]


def sheet_reads_of_sample(sample):
    """(unit, column, path) of every read file the units sheet names for a sample:
    fq1 and fq2, or bam."""
    return [
        (unit, field, units.loc[(sample, unit)][field])
        for unit in units_of(sample)
        for field in unit_read_fields(units.loc[(sample, unit)])
    ]


def fastqs_of_sample(wildcards):
    return [path for _, _, path in sheet_reads_of_sample(wildcards.sample)]


def fastq_units_of_sample(wildcards):
    return [unit for unit, _, _ in sheet_reads_of_sample(wildcards.sample)]


def fastq_reads_of_sample(wildcards):
    return [field for _, field, _ in sheet_reads_of_sample(wildcards.sample)]


def fastp_reports_of_sample(wildcards):
    return [
        path_of("fastp_json", sample=wildcards.sample, unit=unit)
        for unit in units_of(wildcards.sample)
    ]


def fastp_logs_of_sample(wildcards):
    return [log_of(f"fastp/{wildcards.sample}.{unit}") for unit in units_of(wildcards.sample)]


def unit_bams(wildcards):
    return [
        path_of("unit_bam", sample=wildcards.sample, unit=unit)
        for unit in units_of(wildcards.sample)
    ]


def parental_of(sample):
    """The parental sample a line is compared with, or "" (line-only mode)."""
    return samples.loc[sample, "parental"]


def parental_of_wildcards(wildcards):
    return parental_of(wildcards.sample)


def parental_of_line(wildcards):
    return parental_of(wildcards.line)


def donor_of_line(wildcards):
    return samples.loc[wildcards.line, "donor"]


def passage_of_line(wildcards):
    """The line's passage as the sheet gives it ("" when empty)."""
    passage = samples.loc[wildcards.line].get("passage", "")
    return "" if passage is None or passage != passage else str(passage)  # NaN != NaN


def sex_of_line(wildcards):
    return samples.loc[wildcards.line, "sex"]


def samples_of_donor(donor):
    return sorted(samples.index[samples["donor"] == donor])


def other_lines_of_line(wildcards):
    """The other lines of the line's donor (recurrence across the donor's lines)."""
    donor = samples.loc[wildcards.line, "donor"]
    return [
        sample
        for sample in samples_of_donor(donor)
        if sample != wildcards.line and samples.loc[sample, "role"] == "line"
    ]


def unrelated_samples_of_line(wildcards):
    """Samples of the other donors: the run's panel of normals for this line."""
    donor = samples.loc[wildcards.line, "donor"]
    return sorted(samples.index[samples["donor"] != donor])


def declared_sex_of_donor(wildcards):
    """Declared sex of each sample of a donor (male X/Y are called haploid)."""
    return {sample: samples.loc[sample, "sex"] for sample in samples_of_donor(wildcards.donor)}


def bams_of_donor(wildcards):
    return [path_of("bam", sample=sample) for sample in samples_of_donor(wildcards.donor)]


def bais_of_donor(wildcards):
    return [path_of("bai", sample=sample) for sample in samples_of_donor(wildcards.donor)]


def findings_of(sample, check):
    return path_of("findings", sample=sample, check=check)


def checks_of_sample(sample):
    """The checks that run for a sample (by its role)."""
    return checks_for(samples.loc[sample, "role"])


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


def shard_runtime(minutes_per_gb, minimum):
    """Runtime in minutes of a per-shard job: as scaled_runtime, times the shard's share
    of the analysed genome."""
    return lambda wildcards, input, attempt: (
        max(
            minimum,
            int(input.size_mb / 1024 * minutes_per_gb * SHARD_FRACTIONS[int(wildcards.shard)]),
        )
        * attempt
    )


def sort_memory_per_thread(wildcards, resources, threads):
    """samtools sort -m: half of the job's memory, shared between its threads."""
    return max(256, resources.mem_mb // (2 * threads))


def cli_args(args):
    """Extra tool arguments from config, each one quoted for the shell."""
    return " ".join(shlex.quote(str(arg)) for arg in args)


def versions_command(*tools):
    """A param: the shell command (fixed text, the output path quoted) that writes the
    versions of some tools to the job's `versions` output."""
    return partial(versions_of_tools, tools)


def versions_of_tools(tools, wildcards, output):
    return tool_versions_shell(tools, shlex.quote(output.versions))


# ---------------------------------------------------------------- acquired variants
# (rules/variants.smk; docs/acquired_variants.md)
HOTSPOT_CATALOGUE = config["variants"]["hotspots"] or str(RESOURCES / "hotspots/hotspots.tsv")
CANCER_GENES = config["variants"]["cancer_genes"] or str(RESOURCES / "hotspots/cancer_genes.tsv")
# bcftools query formats of the candidate and hotspot tables (per-sample columns last)
CANDIDATE_FIELDS = (
    r"%CHROM\t%POS\t%REF\t%ALT\t%INFO/RPBZ\t%INFO/MQBZ\t%INFO/BCSQ[\t%AD\t%ADF\t%ADR\t%DP]\n"
)
HOTSPOT_FIELDS = r"%CHROM\t%POS\t%REF\t%ALT[\t%AD\t%ADF\t%ADR\t%DP]\n"


def variant_classification_inputs(wildcards):
    """Donor tables, and the QC of the line and its parental (absent in line-only mode);
    the copy-number segments when config asks for copy-number-corrected clonality."""
    line, donor = wildcards.line, samples.loc[wildcards.line, "donor"]
    inputs = {
        "candidates": path_of("candidates_table", donor=donor),
        "hotspot_pileup": path_of("hotspot_pileup", donor=donor),
        "line_dist": path_of("mosdepth_dist", sample=line),
        "panel_of_normals": path_of("panel_of_normals"),
    }
    parental = parental_of(line)
    if parental:
        inputs["parental_dist"] = path_of("mosdepth_dist", sample=parental)
        # whether the line is its parental's individual (the identity job's table)
        inputs["pairing"] = path_of("pairing")
    if config["variants"]["origin"]["pon_vcf"]:
        inputs["user_panel_of_normals"] = path_of("user_panel_of_normals")
    if config["variants"]["use_copy_number"]:
        inputs["copy_number"] = path_of("findings_table", sample=line, check="copy_number")
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
# How check_reference names each resource file in its messages (input name: label).
RESOURCE_LABELS = {
    "targets": "config: reference.targets",
    "centromeres": "config: copy_number.centromeres"
    + ("" if config["copy_number"]["centromeres"] else f" (shipped for {REFERENCE['build']})"),
    "recurrent_regions": "config: copy_number.recurrent_regions"
    + (
        "" if config["copy_number"]["recurrent_regions"] else f" (shipped for {REFERENCE['build']})"
    ),
    "identity_sites": "config: identity.sites",
}


# ---------------------------------------------------------------- input safety
# No input may lie inside the results folder (symlinks and hard links resolved): every
# output is written there. Checked before anything is written (docs/hardening.md).
_results_problems = results_folder_problems(
    {
        **configured_inputs(config),
        **fastq_inputs(units.to_dict("records"), config["units"]),
        "shipped centromeres": COPY_NUMBER_CENTROMERES,
        "shipped recurrent regions": COPY_NUMBER_RECURRENT_REGIONS,
        "shipped hotspot catalogue": HOTSPOT_CATALOGUE,
        "shipped cancer genes": CANCER_GENES,
        **(
            {"config: reference.prepared": f"{PREPARED_REFERENCE}/{MANIFEST}"}
            if PREPARED_REFERENCE
            else {}
        ),
    },
    RESULTS,
)
if _results_problems:
    raise WorkflowError("inputs inside the results folder:\n" + "\n".join(_results_problems))


def copy_number_optional_inputs():
    """Inputs of the copy-number classes and masks: the driver regions (the configured
    BED, the one shipped for the build, or else none: the check derives them from
    resources/recurrent_regions/driver_regions.tsv and the annotation), the definitions,
    the cancer genes (tumour suppressors) and the configured exclusion BED (none: only
    the masks derived from the parental)."""
    settings = config["copy_number"]
    shipped = RESOURCES / "recurrent_regions" / f"{config['reference']['build']}.drivers.bed"
    drivers = settings["driver_regions"] or (str(shipped) if shipped.exists() else "")
    inputs = {
        "driver_definitions": str(RESOURCES / "recurrent_regions" / "driver_regions.tsv"),
        "cancer_genes": CANCER_GENES,
        "drivers": drivers,
        "exclude": settings["exclude_regions"],
    }
    for name in ("drivers", "exclude"):
        if inputs[name] and not Path(inputs[name]).exists():
            raise WorkflowError(f"copy_number: {inputs[name]} ({name}) does not exist")
    return {name: path for name, path in inputs.items() if path}


def copy_number_inputs(wildcards):
    """Depth bins of the sample (and of its parental, when it has one) and its donor's
    joint VCF."""
    donor = samples.loc[wildcards.sample, "donor"]
    inputs = {
        "line": path_of("mosdepth_regions", sample=wildcards.sample),
        "vcf": path_of("donor_vcf", donor=donor),
        "tbi": path_of("donor_vcf_index", donor=donor),
    }
    parental = parental_of(wildcards.sample)
    if parental:
        inputs["parental"] = path_of("mosdepth_regions", sample=parental)
        # whether the sample is its parental's individual (the identity job's table)
        inputs["pairing"] = path_of("pairing")
    return inputs | copy_number_optional_inputs()


def copy_number_reference_sex(wildcards):
    """Declared sex of the genome the sample is compared with (its parental, or itself)."""
    return samples.loc[parental_of(wildcards.sample) or wildcards.sample, "sex"]


# ---------------------------------------------------------------- release gate
# (rules/gate.smk, rules/certificate.smk; docs/release_gate.md)
# Inputs named in the certificate beside the FASTQs and BAMs (empty paths left out).
REFERENCE_INPUTS = {
    name: config["reference"][name]
    for name in ("fasta", "annotation", "vectors", "targets")
    if config["reference"].get(name)
}


def gate_inputs(wildcards):
    """The findings of every check of a line, by check, and its parental's read QC."""
    inputs = {
        check: findings_of(wildcards.line, check) for check in checks_of_sample(wildcards.line)
    }
    parental = parental_of(wildcards.line)
    if parental:
        inputs["parental_read_qc"] = findings_of(parental, "read_qc")
    return inputs


def parental_checksums_of_line(wildcards):
    parental = parental_of(wildcards.line)
    return [path_of("sample_checksums", sample=parental)] if parental else []


def report_findings():
    """Every sample's findings files, as {sample: {check: path}}, in a stable order."""
    return {sample: {check: findings_of(sample, check) for check in checks_of_sample(sample)}
            for sample in SAMPLES}  # fmt: skip


# ---------------------------------------------------------------- versions
# The jobs whose tools are recorded, for gather_versions, as step -> job names. Each rule
# with a `versions` output writes versions_of(step, job) for the same names.
SHARD_JOBS = [f"{donor}.s{index}" for donor in DONORS for index in SHARD_INDEXES]
UNIT_JOBS = [f"{sample}.{unit}" for sample in SAMPLES for unit in units_of(sample)]
ALIGNMENT_INPUT_JOBS = [
    f"{sample}.{unit}"
    for sample in SAMPLES
    for unit in units_of(sample)
    if units.loc[(sample, unit)]["bam"]
]
VERSIONED_JOBS = {
    "faidx": ["reference"],  # with bwa_index below: from the manifest when prepared
    "fastp": UNIT_JOBS,
    "align": UNIT_JOBS,
    "markdup": SAMPLES,
    "samtools_stats": SAMPLES,
    "mosdepth": SAMPLES,
    "read_qc": SAMPLES,
    "genome_shards": ["genome"],
    "pileup_variants": SHARD_JOBS,
    "call_variants": SHARD_JOBS,
    "candidate_variants": SHARD_JOBS,
    "gather_variants": DONORS,
    "variant_stats": DONORS,
    "annotate_candidates": DONORS,
    "map_hotspots": ["catalogue"],
    "genotype_hotspots": DONORS,
    "classify_variants": LINES,
    "panel_of_normals": ["run"],
    "copy_number": SAMPLES,
    "genotype_cohort": ["cohort"],
    "identity_findings": ["cohort"],
    "sex_findings": ["cohort"],
    "contamination_findings": ["cohort"],
    "vector_evidence": SAMPLES,
    "vector_findings": ["cohort"],
}
if config["params"]["aligner"] == "bwa":
    VERSIONED_JOBS["bwa_index"] = ["reference"]
if CRAM_OUTPUT:
    VERSIONED_JOBS["cram"] = SAMPLES
if ALIGNMENT_INPUT_JOBS:
    VERSIONED_JOBS["reads_from_alignment"] = ALIGNMENT_INPUT_JOBS
if config["variants"]["origin"]["pon_vcf"]:
    VERSIONED_JOBS["user_panel_of_normals"] = ["run"]


def job_versions():
    return [versions_of(step, job) for step, jobs in VERSIONED_JOBS.items() for job in jobs]


# ---------------------------------------------------------------- report
# Files the MultiQC report reads, by stage. Patterns name layout entries and expand
# over the sheets: sample (every sample), sample+unit (every unit), donor.
REPORT_CONTENT = (
    "safety_summary",
    "decision_cards",
    "general_stats",
    "acquired_variants",
    "copy_number_figures",
    "copy_number_calls",
    "identity",
    "sex",
    "contamination",
    "vectors",
    "read_qc",
    "certificates",
)
REPORT_FILES = {
    "reads": ["fastp_json"],
    "alignment": [
        "samtools_stats",
        "flagstat",
        "idxstats",
        "markdup",
        "mosdepth_summary",
        "mosdepth_dist",
    ],
    "variants": ["variant_stats"],
    "identity": ["relatedness_mqc"],
}


def expand_over_sheets(kind):
    """Paths of one layout entry over the sheets, in a stable order."""
    template = LAYOUT.path(kind)
    if "{unit}" in template:
        return [path_of(kind, sample=s, unit=u) for s in SAMPLES for u in units_of(s)]
    if "{sample}" in template:
        return [path_of(kind, sample=sample) for sample in SAMPLES]
    if "{donor}" in template:
        return [path_of(kind, donor=donor) for donor in DONORS]
    return [template]


def report_inputs():
    """Every file the MultiQC report reads."""
    files = [path for kinds in REPORT_FILES.values() for kind in kinds
             for path in expand_over_sheets(kind)]  # fmt: skip
    files += [path_of("report_content", name=name) for name in REPORT_CONTENT]
    return files + [path_of("software_versions_mqc")]


def final_outputs():
    return (
        [path_of("report"), path_of("cohort_summary")]
        + [path_of("donor_vcf", donor=donor) for donor in DONORS]
        + [path_of("certificate", line=line) for line in LINES]
        + [path_of(kind, line=line) for line in LINES for kind in ("dossier_html", "dossier_pdf")]
        + ([] if PREPARED_REFERENCE else [path_of("reference_manifest")])
        + ([path_of("crai", sample=sample) for sample in SAMPLES] if CRAM_OUTPUT else [])
    )
