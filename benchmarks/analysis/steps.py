"""One Python analysis step of the workflow on the synthetic inputs, as its job runs it:
the step's own ``main(inputs, outputs, params)`` (the function its entry script hands to
Snakemake) with the rule's inputs, outputs and params, the files being those of
``synthetic.generate``. run.py starts each step in a process of its own:

    python benchmarks/analysis/steps.py STEP MANIFEST RESULT [--profile FILE] [--rss N]
        [--tracemalloc N]

The time spent in the step's readers of its large inputs (``read``), in its analysis core
(``core``) and in writing (``write``) is measured by wrapping those functions; the
outermost wrapped call counts, so nested ones are not counted twice. Time in ``main``
outside them (small reads, the findings) is left to the caller (run.py's ``rest_s``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

RESOURCES = REPO / "resources"


class Named(list):
    """Snakemake's named lists (input, output): by position, by attribute and ``get``."""

    def __init__(self, **items):
        super().__init__(items.values())
        self._names = dict(items)

    def __getattr__(self, name):
        names = self.__dict__.get("_names", {})
        if name in names:
            return names[name]
        raise AttributeError(name)

    def get(self, name, default=None):
        return self._names.get(name, default)


class Phases:
    """Seconds spent inside wrapped functions, by phase; only the outermost call counts."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self._depth = 0

    def wrap(self, module_name: str, attribute: str, phase: str) -> None:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute)

        def timed(*args, **kwargs):
            if self._depth:
                return original(*args, **kwargs)
            self._depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - start
                self._depth -= 1

        setattr(module, attribute, timed)


def defaults(*section: str) -> dict:
    """A config section's schema defaults, nested sections included (as the validated
    config of a run that sets nothing)."""
    import yaml

    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    for key in section:
        schema = schema["properties"][key]

    def of(spec):
        out = {}
        for key, value in spec.get("properties", {}).items():
            if value.get("type") == "object" and "properties" in value:
                out[key] = of(value)
            elif "default" in value:
                out[key] = value["default"]
        return out

    return of(schema)


def genome_params(manifest) -> dict:
    """GRCh38; at a smaller scale a build without pseudoautosomal regions (GRCh38's
    would cover the whole of a scaled chrY)."""
    build = "GRCh38" if manifest["scale"] == 1 else "GRCh38_scaled"
    return {"build": build, "contigs": list(manifest["genome"])}


def out_folder(manifest) -> Path:
    folder = Path(manifest["paths"]["fasta"]).parent / "out"
    folder.mkdir(exist_ok=True)
    return folder


def million(n: int) -> str:
    return f"{n / 1e6:.2f} M" if n >= 100_000 else f"{n:,}"


# ---------------------------------------------------------------- the steps
# Each returns (main, inputs, outputs, params, wrapped functions, input size).


def copy_number_bins(manifest):
    module = importlib.import_module("copy_number_bins")
    p, out = manifest["paths"], out_folder(manifest)
    inputs = Named(fasta=p["fasta"], fai=p["fasta"] + ".fai", centromeres=p["centromeres"])
    outputs = Named(composition=str(out / "bin_composition.tsv"))
    params = Named(bin_size=1000)
    wraps = [
        ("copy_number_bins", "read_bed", "read"),
        ("copy_number_bins", "fasta_contigs", "read"),
        ("copy_number_bins", "bin_composition", "core"),
    ]
    bases = sum(manifest["genome"].values())
    return module.main, inputs, outputs, params, wraps, f"FASTA {bases / 1e9:.2f} Gb, 24 contigs"


def read_qc(manifest):
    from ipscqc.checks.read_qc import main

    p, out, line = manifest["paths"], out_folder(manifest), manifest["pair"]["line"]
    inputs = Named(
        fastp=[p["fastp"]],
        stats=p["samtools_stats"],
        markdup=p["markdup"],
        summary=p["mosdepth_summary"],
        regions=p[f"regions_{line}"],
    )
    outputs = Named(findings=str(out / f"{line}.read_qc.json"))
    params = Named(
        sample=line,
        parental=manifest["pair"]["parental"],
        units=["L1"],
        settings=defaults("params", "read_qc"),
        genome=genome_params(manifest),
    )
    wraps = [
        ("ipscqc.readers.mosdepth", "read_regions", "read"),
        ("ipscqc.readers.mosdepth", "read_summary", "read"),
        ("ipscqc.checks.read_qc", "analyse", "core"),
    ]
    return main, inputs, outputs, params, wraps, f"{million(manifest['sizes']['bins'])} bins"


def copy_number(manifest):
    from ipscqc.checks.copy_number import main

    p, out = manifest["paths"], out_folder(manifest)
    line, parental = manifest["pair"]["line"], manifest["pair"]["parental"]
    inputs = Named(
        line=p[f"regions_{line}"],
        parental=p[f"regions_{parental}"],
        vcf=p["donor_vcf_D1"],
        pairing=str(out / "pairs.pairing.tsv"),
        composition=str(out / "bin_composition.tsv"),
        annotation=p["annotation"],
        centromeres=p["centromeres"],
        recurrent=p["recurrent"],
        drivers=p["drivers"],
        cancer_genes=str(RESOURCES / "hotspots/cancer_genes.tsv"),
        driver_definitions=str(RESOURCES / "recurrent_regions/driver_regions.tsv"),
    )
    names = ["bins", "sites", "segments", "calls", "findings_table"]
    outputs = Named(
        **{n: str(out / f"{line}.cn_{n}.tsv") for n in names},
        figure=str(out / f"{line}.cn.png"),
        findings=str(out / f"{line}.copy_number.json"),
    )
    settings = defaults("copy_number")
    scale = manifest["scale"]
    if scale < 1:  # the MHC where the scaled chr6 has it
        settings["mhc_region"] = f"chr6:{int(28_500_000 * scale)}-{int(33_500_000 * scale)}"
    params = Named(
        sample=line,
        parental=parental,
        sex="female",
        settings=settings,
        genome=genome_params(manifest),
    )
    wraps = [
        ("ipscqc.checks.copy_number", "read_inputs", "read"),
        ("ipscqc.checks.copy_number", "analyse", "core"),
    ]
    sizes = manifest["sizes"]
    size = (
        f"{million(sizes['bins'])} bins x 2, VCF {million(sizes['donor_vcf_records'])} "
        f"records ({million(sizes['parental_hets'])} parental het SNVs)"
    )
    return main, inputs, outputs, params, wraps, size


def panel_of_normals(manifest):
    module = importlib.import_module("panel_of_normals")
    p, out = manifest["paths"], out_folder(manifest)
    donors = sorted(manifest["donors"])
    inputs = Named(tables=[p[f"candidates_{d}"] for d in donors])
    outputs = Named(table=str(out / "panel_of_normals.tsv.gz"))
    params = Named(
        donors=donors,
        samples=manifest["donors"],
        min_alt_reads=defaults("variants")["origin"]["pon_min_alt_reads"],
    )
    wraps = [
        ("panel_of_normals", "read_query_table", "read"),
        ("panel_of_normals", "carriers", "core"),
    ]
    size = (
        f"{len(donors)} candidate tables of {million(manifest['sizes']['candidate_records'])} rows"
    )
    return module.main, inputs, outputs, params, wraps, size


def acquired_variants(manifest):
    from ipscqc.checks.acquired_variants import main

    p, out = manifest["paths"], out_folder(manifest)
    line, parental = manifest["pair"]["line"], manifest["pair"]["parental"]
    others = [s for d, names in manifest["donors"].items() if d != "D1" for s in names]
    inputs = Named(
        candidates=p["candidates_D1"],
        hotspot_pileup=p["hotspot_pileup_D1"],
        line_dist=p[f"dist_{line}"],
        parental_dist=p[f"dist_{parental}"],
        panel_of_normals=str(out / "panel_of_normals.tsv.gz"),
        pairing=str(out / "pairs.pairing.tsv"),
        reference=p["fasta"],
        fai=p["fasta"] + ".fai",
        hotspots=str(RESOURCES / "hotspots/hotspots.tsv"),
        cancer_genes=str(RESOURCES / "hotspots/cancer_genes.tsv"),
        hotspot_entries=p["hotspot_entries"],
        hotspot_alleles=p["hotspot_alleles"],
    )
    outputs = Named(
        findings=str(out / f"{line}.acquired_variants.json"),
        table=str(out / f"{line}.acquired_variants.tsv"),
    )
    params = Named(
        line=line,
        parental=parental,
        sex="female",
        donor="D1",
        other_lines=[],
        normal_samples=others,
        settings=defaults("variants"),
        genome=genome_params(manifest),
    )
    module = "ipscqc.checks.acquired_variants"
    wraps = [
        (module, "depth_distribution", "read"),
        (module, "read_normals", "read"),
        ("ipscqc.readers.bcftools_query", "read_query_table", "read"),
        ("ipscqc.hotspots", "read_hotspots", "read"),
        ("ipscqc.hotspots", "read_cancer_genes", "read"),
        (module, "analyse", "core"),
        (module, "write_table", "write"),
    ]
    size = f"{million(manifest['sizes']['candidate_records'])} candidate rows, panel of 1 donor"
    return main, inputs, outputs, params, wraps, size


def map_hotspots(manifest):
    module = importlib.import_module("map_hotspots")
    p, out = manifest["paths"], out_folder(manifest)
    inputs = Named(
        hotspots=str(RESOURCES / "hotspots/hotspots.tsv"),
        annotation=p["annotation"],
        reference=p["fasta"],
        fai=p["fasta"] + ".fai",
    )
    outputs = Named(
        entries=str(out / "hotspot_entries.tsv"),
        alleles=str(out / "hotspot_alleles.tsv"),
        positions=str(out / "hotspot_positions.tsv"),
    )
    wraps = [
        ("map_hotspots", "read_hotspots", "read"),
        ("map_hotspots", "read_annotation", "read"),
        ("map_hotspots", "map_hotspots", "core"),
    ]
    size = f"GFF3 of {manifest['sizes']['gff3_lines'] / 1e6:.2f} M lines, 52 catalogue entries"
    return module.main, inputs, outputs, Named(), wraps, size


def identity_sites(manifest):
    module = importlib.import_module("identity_sites")
    p, out = manifest["paths"], out_folder(manifest)
    donors = sorted(manifest["donors"])
    inputs = Named(sources=[p[f"donor_vcf_{d}"] for d in donors])
    outputs = Named(
        vcf=str(out / "identity_sites.vcf.gz"), alleles=str(out / "identity_alleles.tsv.gz")
    )
    settings = defaults("identity")
    params = Named(
        min_qual=settings["min_site_qual"],
        max_sites=settings["max_sites"],
        population_sites=False,
        genome=genome_params(manifest),
    )
    # select_sites reads the VCFs as it goes: reading and selection are one phase
    wraps = [("identity_sites", "select_sites", "core"), ("identity_sites", "write_sites", "write")]
    size = f"{len(donors)} donor VCFs of {million(manifest['sizes']['donor_vcf_records'])} records"
    return module.main, inputs, outputs, params, wraps, size


def _cohort(manifest, label: str):
    cohort = manifest["cohorts"][label]
    size = (
        f"{cohort['sites']:,} sites x {len(cohort['samples'])} samples "
        f"({cohort['per_donor']} per donor)"
    )
    return cohort, size


def identity(manifest, label: str):
    from ipscqc.checks.identity import main

    cohort, size = _cohort(manifest, label)
    out = out_folder(manifest)
    prefix = out / label
    inputs = Named(vcf=cohort["vcf"])
    outputs = Named(
        pairs=f"{prefix}.relatedness.tsv",
        heatmap=f"{prefix}.relatedness_mqc.json",
        pairing=f"{prefix}.pairing.tsv",
        findings=[f"{prefix}.{s}.identity.json" for s in cohort["samples"]],
    )
    params = Named(
        samples=cohort["samples"],
        sheet=cohort["sheet"],
        settings=defaults("identity"),
        genome=genome_params(manifest),
    )
    wraps = [
        ("ipscqc.readers.vcf", "read_cohort_genotypes", "read"),
        ("ipscqc.relatedness", "pairwise_table", "core"),
        ("ipscqc.mqc", "relatedness_heatmap", "core"),
        ("ipscqc.checks.identity", "analyse", "core"),
    ]
    return main, inputs, outputs, params, wraps, size


def sex(manifest, label: str):
    from ipscqc.checks.sex import main

    cohort, size = _cohort(manifest, label)
    prefix = out_folder(manifest) / label
    inputs = Named(
        vcf=cohort["vcf"], regions=[cohort["regions"][s] for s in cohort["samples"]], y_regions=[]
    )
    outputs = Named(findings=[f"{prefix}.{s}.sex.json" for s in cohort["samples"]])
    params = Named(
        samples=cohort["samples"],
        sheet=cohort["sheet"],
        settings=defaults("sex"),
        genome=genome_params(manifest),
    )
    wraps = [
        ("ipscqc.readers.vcf", "read_cohort_genotypes", "read"),
        ("ipscqc.readers.mosdepth", "read_regions", "read"),
        ("ipscqc.checks.sex", "cohort_evidence", "core"),
        ("ipscqc.checks.sex", "analyse", "core"),
    ]
    size += f", {len(cohort['samples'])} x {million(manifest['sizes']['bins'])} bins"
    return main, inputs, outputs, params, wraps, size


def contamination(manifest, label: str):
    from ipscqc.checks.contamination import main

    cohort, size = _cohort(manifest, label)
    prefix = out_folder(manifest) / label
    inputs = Named(vcf=cohort["vcf"], pairs=f"{prefix}.relatedness.tsv", sites="")
    outputs = Named(findings=[f"{prefix}.{s}.contamination.json" for s in cohort["samples"]])
    settings = defaults("contamination")
    if manifest["scale"] < 1:  # fewer sites than the minimum at a smaller scale
        settings["min_sites"] = min(settings["min_sites"], cohort["sites"] // 2)
    params = Named(
        samples=cohort["samples"],
        sheet=cohort["sheet"],
        settings=settings,
        sites_file=False,
        genome=genome_params(manifest),
    )
    wraps = [
        ("ipscqc.readers.vcf", "read_cohort_genotypes", "read"),
        ("ipscqc.relatedness", "representatives", "core"),
        ("ipscqc.checks.contamination", "analyse", "core"),
    ]
    return main, inputs, outputs, params, wraps, size


# step name -> (workflow rule, builder, steps whose outputs it reads); the pair's steps
# first, then the larger identity cohort's
STEPS = {
    "copy_number_bins": ("copy_number_bins", copy_number_bins, []),
    "read_qc": ("read_qc", read_qc, []),
    "map_hotspots": ("map_hotspots", map_hotspots, []),
    "identity_sites": ("identity_sites", identity_sites, []),
    "identity_pairs": ("identity_findings", lambda m: identity(m, "pairs"), []),
    "sex_pairs": ("sex_findings", lambda m: sex(m, "pairs"), []),
    "contamination_pairs": (
        "contamination_findings",
        lambda m: contamination(m, "pairs"),
        ["identity_pairs"],
    ),
    "copy_number": ("copy_number", copy_number, ["copy_number_bins", "identity_pairs"]),
    "panel_of_normals": ("panel_of_normals", panel_of_normals, []),
    "acquired_variants": (
        "classify_variants",
        acquired_variants,
        ["panel_of_normals", "identity_pairs"],
    ),
    "identity_cohort": ("identity_findings", lambda m: identity(m, "cohort"), []),
    "sex_cohort": ("sex_findings", lambda m: sex(m, "cohort"), []),
    "contamination_cohort": (
        "contamination_findings",
        lambda m: contamination(m, "cohort"),
        ["identity_cohort"],
    ),
}


def run_step(
    step: str, manifest: dict, profile: str | None, tracemalloc_top: int = 0, rss_top: int = 0
) -> dict:
    """Run one step in this process; returns its phases (seconds) and input size."""
    start = time.perf_counter()
    main, inputs, outputs, params, wraps, size = STEPS[step][1](manifest)
    phases = Phases()
    for module, attribute, phase in wraps:
        phases.wrap(module, attribute, phase)
    setup = time.perf_counter() - start  # imports of the step's modules
    watcher = PeakSnapshots() if tracemalloc_top else None
    sampler = RssSampler() if rss_top else None
    begin = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(main, inputs, outputs, params)
        profiler.dump_stats(profile)
    else:
        main(inputs, outputs, params)
    total = time.perf_counter() - begin
    result = {
        "step": step,
        "rule": STEPS[step][0],
        "input_size": size,
        "imports_s": setup,
        "main_s": total,
        **{f"{phase}_s": phases.seconds.get(phase, 0.0) for phase in ("read", "core", "write")},
    }
    result["other_s"] = total - sum(result[f"{p}_s"] for p in ("read", "core", "write"))
    if watcher is not None:
        result["tracemalloc"] = watcher.report(tracemalloc_top)
    if sampler is not None:
        result["rss"] = sampler.report(rss_top)
    return result


class RssSampler:
    """Where the resident memory peaks: a watcher thread reads this process's RSS every
    ``interval`` seconds and the main thread's stack at that moment; each rise of the
    high-water mark is put on the innermost project function then running (the rises
    add up to the peak less the RSS at the start), and the stack at the peak is kept.
    Far cheaper than tracemalloc on tables of millions of Python strings."""

    def __init__(self, interval: float = 0.05):
        import threading

        self.interval, self.main_id = interval, threading.main_thread().ident
        self.page = __import__("os").sysconf("SC_PAGE_SIZE")
        self.start = self._rss()
        self.peak, self.peak_stack = self.start, []
        self.growth: dict[str, float] = defaultdict(float)  # innermost project frame
        self.held: dict[str, float] = defaultdict(float)  # highest RSS with it on the stack
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _rss(self) -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * self.page

    def _stack(self) -> list[str]:
        frame = sys._current_frames().get(self.main_id)
        names = []
        while frame is not None:
            code = frame.f_code
            if "/scripts/" in code.co_filename:
                names.append(f"{Path(code.co_filename).name}:{code.co_name}")
            frame = frame.f_back
        return names  # innermost first

    def _watch(self):
        while not self.stop.wait(self.interval):
            rss, stack = self._rss(), self._stack()
            for name in set(stack):
                self.held[name] = max(self.held[name], rss)
            if rss > self.peak:
                self.growth[stack[0] if stack else "(outside the project)"] += rss - self.peak
                self.peak, self.peak_stack = rss, stack

    def report(self, top: int) -> dict:
        self.stop.set()
        self.thread.join()

        def ranked(values):
            best = sorted(values.items(), key=lambda item: -item[1])[:top]
            return [{"function": name, "mb": round(value / 2**20)} for name, value in best]

        return {
            "peak_mb": round(self.peak / 2**20),
            "start_mb": round(self.start / 2**20),
            "stack_at_peak": self.peak_stack,
            "growth_by_function": ranked(self.growth),
            "highest_rss_while_on_stack": ranked(self.held),
        }


class PeakSnapshots:
    """tracemalloc with a watcher thread that keeps a snapshot taken near the peak of
    traced memory (a new snapshot whenever the traced memory grows 5% past the last)."""

    def __init__(self, frames: int = 12, interval: float = 0.25):
        import threading
        import tracemalloc

        self.tracemalloc, self.interval = tracemalloc, interval
        tracemalloc.start(frames)
        self.best, self.snapshot, self.stop = 0, None, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.stop.wait(self.interval):
            current, _ = self.tracemalloc.get_traced_memory()
            if current > 1.05 * self.best:
                self.snapshot, self.best = self.tracemalloc.take_snapshot(), current

    def report(self, top: int) -> dict:
        self.stop.set()
        self.thread.join()
        _, peak = self.tracemalloc.get_traced_memory()
        self.tracemalloc.stop()
        rows = []
        if self.snapshot is not None:
            for stat in self.snapshot.statistics("traceback")[:top]:
                frames = [(f.filename, f.lineno) for f in stat.traceback]
                project = [f"{Path(n).name}:{line}" for n, line in frames if "/scripts/" in n]
                rows.append(
                    {
                        "mb": round(stat.size / 1e6, 1),
                        "project_frames": project[-3:],
                        "allocated_at": f"{Path(frames[-1][0]).name}:{frames[-1][1]}",
                    }
                )
        return {
            "peak_traced_mb": round(peak / 1e6, 1),
            "snapshot_mb": round(self.best / 1e6, 1),
            "top": rows,
        }


def main_cli(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("manifest")
    parser.add_argument("result")
    parser.add_argument("--profile", help="write cProfile statistics of main to this file")
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="N",
        help="trace allocations; report the N largest allocation sites",
    )
    parser.add_argument(
        "--rss",
        type=int,
        default=0,
        metavar="N",
        help="sample RSS; report the N project functions it grows in",
    )
    args = parser.parse_args(argv)
    manifest = json.loads(Path(args.manifest).read_text())
    result = run_step(args.step, manifest, args.profile, args.tracemalloc, args.rss)
    Path(args.result).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main_cli()
