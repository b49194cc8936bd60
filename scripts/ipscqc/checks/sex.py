"""Sex: the sex inferred from chrX heterozygosity and chrX/chrY depth relative to the
autosomes, against the declared sex, and the sex-chromosome losses seen in culture (an X
in female lines, the Y in male lines).

Depth bins are mosdepth ``--by`` regions (0-based half-open, mean depth per bin); chrX
calls and bins inside the build's pseudoautosomal regions are left out (genome model).
The Y ratio is measured over a Y regions BED (the build's X-degenerate, uniquely
mappable part of chrY) when one is configured, and Y loss judged only against a ratio
known for this build: the male parental's, or the regions' one copy
(scripts/ipscqc/y_chromosome.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ipscqc.genome import GenomeModel
    from ipscqc.y_chromosome import YMeasurement

SPEC = load_spec(__file__)  # the declaration: sex.yaml beside this module


@dataclass
class SexEvidence:
    """What one sample's data say about its sex chromosomes."""

    x_het: float | None
    x_sites: int
    ratios: dict  # autosomal_depth, x_depth_ratio, y_depth_ratio
    y: YMeasurement | None = None  # the Y ratio with its bins and basis (None: no chrY)


@dataclass
class SexInputs(SampleInputs):
    declared_sex: str
    evidence: SexEvidence
    parental_evidence: SexEvidence | None = None
    parental_declared_sex: str | None = None


def covered_bins(depth_tables: list[pd.DataFrame]) -> np.ndarray:
    """Bins with reads in at least one sample: assembly gaps (N runs) and unmappable
    stretches are left out of every depth ratio. All tables must share their bins."""
    import numpy as np

    stacked = np.vstack([table["depth"].to_numpy() for table in depth_tables])
    return stacked.max(axis=0) > 0


def depth_ratios(bins: pd.DataFrame, genome: GenomeModel, keep: np.ndarray | None = None) -> dict:
    """X depth relative to the autosomes.

    autosomal depth: the median of autosomal bins (robust to a trisomy or a large
    gain); x_depth_ratio: median chrX bin / autosomal depth (about 1 for two X copies,
    0.5 for one), None when the reference lacks chrX or the autosomes have no depth.
    y_depth_ratio is left None here: the Y ratio depends on the build's mappable part of
    chrY (ipscqc.y_chromosome.y_depth, filled in by cohort_evidence).
    """
    import numpy as np

    if keep is None:
        keep = np.ones(len(bins), dtype=bool)
    classes = genome.classes(bins["chrom"])
    depth = bins["depth"].to_numpy()
    autosomal = depth[(classes == "autosome") & keep]
    autosomal_depth = float(np.median(autosomal)) if autosomal.size else None
    result = {"autosomal_depth": autosomal_depth, "x_depth_ratio": None, "y_depth_ratio": None}
    if not autosomal_depth:
        return result
    x_bins = depth[(classes == "X") & keep]
    if x_bins.size:
        result["x_depth_ratio"] = float(np.median(x_bins)) / autosomal_depth
    return result


def x_heterozygosity(gt: np.ndarray, depth: np.ndarray, min_depth: int) -> tuple[float | None, int]:
    """Fraction of heterozygous calls among non-reference chrX calls with enough depth,
    and the number of such calls. A male has one X and so (almost) no X hets."""
    usable = (gt > 0) & (depth >= min_depth)
    n = int(usable.sum())
    if n == 0:
        return None, 0
    return float((gt[usable] == 1).sum()) / n, n


def infer_sex(
    x_het: float | None,
    x_sites: int,
    x_ratio: float | None,
    y_ratio: float | None,
    params: dict,
) -> tuple[str, list[str]]:
    """'female', 'male' or 'ambiguous', and the evidence behind it.

    Evidence: X heterozygosity (when at least ``min_x_sites`` calls), Y depth (when
    the reference has a chrY), X depth. Two different X chromosomes (X hets) mean
    female; a Y means male; otherwise the X copy number decides. Conflicting evidence
    (X hets and a Y; one X copy, no X het and no Y) is 'ambiguous'.
    """
    evidence = []
    het_call = None
    if x_het is not None and x_sites >= params["min_x_sites"]:
        if x_het >= params["female_min_x_het"]:
            het_call = "female"
        elif x_het <= params["male_max_x_het"]:
            het_call = "male"
        evidence.append(f"X heterozygosity {x_het:.3f} over {x_sites} calls: {het_call or '?'}")
    y_call = None
    if y_ratio is not None:
        y_call = "male" if y_ratio >= params["y_present_min_ratio"] else "female"
        evidence.append(
            f"Y depth ratio {y_ratio:.3f}: Y {'present' if y_call == 'male' else 'absent'}"
        )
    x_call = None
    if x_ratio is not None:
        if x_ratio >= params["two_x_min_ratio"]:
            x_call = "female"
        elif x_ratio <= params["one_x_max_ratio"]:
            x_call = "male"
        evidence.append(f"X depth ratio {x_ratio:.3f}: {x_call or '?'}")
    if het_call == "female":
        return ("ambiguous" if y_call == "male" else "female"), evidence
    if y_call == "male":
        return "male", evidence
    if het_call == "male":
        # one X haplotype and no Y (when the reference has one): a male line that lost
        # its Y or a female line that lost an X; the parental tells which
        if y_call == "female" and x_call != "female":
            return "ambiguous", evidence
        return "male", evidence
    # no usable X genotype evidence: depth alone
    if y_call == "female" and x_call == "female":
        return "female", evidence
    if y_call is None and x_call is not None:
        return x_call, evidence
    return "ambiguous", evidence


def sex_metrics(
    declared_sex: str,
    own: SexEvidence,
    parental: SexEvidence | None,
    parental_sex: str | None,
    params: dict,
) -> tuple[dict, list[str]]:
    """Metrics and notes of one sample's sex findings.

    X loss compares a female line's X ratio with its parental's (else with 1); a loss
    in a fraction f of cells lowers it by f/2. Y loss (ipscqc.y_chromosome.y_loss)
    compares a male line's Y ratio with its male parental's on the same bins, else with
    one copy over the Y regions BED, else cannot be assessed (``y_loss`` null,
    ``y_loss_basis`` 'not_assessable'); a loss in a fraction f of cells lowers it by f.
    Losses in at least ``min_loss_fraction`` of cells are flagged.
    """
    from ipscqc.y_chromosome import YSettings, y_loss

    x_ratio, y_ratio = own.ratios["x_depth_ratio"], own.ratios["y_depth_ratio"]
    inferred, evidence = infer_sex(own.x_het, own.x_sites, x_ratio, y_ratio, params)
    notes = list(evidence)
    declared = declared_sex if declared_sex in ("female", "male") else None
    sex_matches = None
    if declared and inferred != "ambiguous":
        sex_matches = inferred == declared
    origin = _karyotypic_origin(parental_sex, declared, inferred)
    x_loss_fraction = _x_loss_fraction(origin, x_ratio, parental)
    x_loss = None if x_loss_fraction is None else x_loss_fraction >= params["min_loss_fraction"]
    y = y_loss(
        own.y if own.y is not None else _no_y(),
        parental.y if parental is not None and parental_sex == "male" else None,
        origin,
        inferred,
        YSettings.from_config(params),
    )
    if x_loss:
        notes.append(f"X loss in about {x_loss_fraction:.0%} of cells of a female line")
    if y.flagged:
        notes.append(f"Y loss in about {y.fraction:.0%} of cells of a male line")
    if y.basis == "not_assessable":
        notes.append(y.reason)
    if sex_matches is False:
        notes.append(f"declared sex {declared} but the data say {inferred}")
    if y_ratio is None:
        notes.append("the reference has no chrY: sex rests on chrX alone")
    metrics = {
        "declared_sex": declared_sex,
        "inferred_sex": inferred,
        "x_heterozygosity": own.x_het,
        "x_sites": own.x_sites,
        "x_depth_ratio": x_ratio,
        "y_depth_ratio": y_ratio,
        "sex_matches": sex_matches,
        "x_loss": x_loss,
        "y_loss": y.flagged,
        "x_loss_fraction": x_loss_fraction,
        "y_loss_fraction": y.fraction,
        "y_loss_basis": y.basis,
        "y_expected_ratio": y.expected_ratio,
        "y_bins": None if own.y is None else own.y.bins,
        "y_ratio_basis": None if own.y is None else own.y.basis,
    }
    return metrics, notes


def _karyotypic_origin(parental_sex: str | None, declared: str | None, inferred: str):
    """The karyotypic sex the sample started with: the parental's, else the declared
    one, else the one its data show."""
    origin = parental_sex if parental_sex in ("female", "male") else declared
    if origin is None and inferred in ("female", "male"):
        origin = inferred
    return origin


def _x_loss_fraction(
    origin: str | None, x_ratio: float | None, parental: SexEvidence | None
) -> float | None:
    """Fraction of cells of a female line that lost an X: twice the drop of its X ratio
    below its parental's (else below 1). None for a line that did not start female."""
    if origin != "female" or x_ratio is None:
        return None
    reference = ((parental.ratios if parental else None) or {}).get("x_depth_ratio") or 1.0
    return max(0.0, 2.0 * (1.0 - x_ratio / reference))


def _no_y():
    from ipscqc.y_chromosome import YMeasurement

    return YMeasurement(None, 0, "all chrY bins")


def analyse(inputs: SexInputs, settings: dict) -> Findings:
    """The sex findings of one sample (losses against its parental when it has one);
    ``settings`` is the config's ``sex:``."""
    parental_sex = None
    parental = inputs.parental_evidence
    if parental is not None:
        inferred, _ = infer_sex(
            parental.x_het,
            parental.x_sites,
            parental.ratios["x_depth_ratio"],
            parental.ratios["y_depth_ratio"],
            settings,
        )
        parental_sex = inferred if inferred in ("female", "male") else inputs.parental_declared_sex
    own = inputs.evidence
    values, notes = sex_metrics(inputs.declared_sex, own, parental, parental_sex, settings)
    values.update(
        min_x_sites=settings["min_x_sites"], autosomal_depth=own.ratios["autosomal_depth"]
    )
    return findings(SPEC, inputs.sample, inputs.parental, values, [], notes)


def cohort_evidence(
    cohort,
    bins_by_sample: dict,
    genome: GenomeModel,
    settings: dict,
    y_regions: pd.DataFrame | None = None,
) -> dict:
    """Each sample's SexEvidence from the cohort genotypes and every sample's bins (all
    with the same bins): chrX calls outside the PARs; bins with reads in some sample;
    the Y ratio over the bins inside ``y_regions`` (chrom, start, end; 0-based
    half-open) when given, else over every chrY bin with reads in some sample."""
    import numpy as np

    from ipscqc.y_chromosome import YSettings, region_mask, y_depth

    y_settings = YSettings.from_config(settings)
    on_x = genome.classes(cohort.chrom) == "X"
    on_x &= genome.outside_par_many(cohort.chrom, cohort.pos)
    x_cohort = cohort.subset(on_x)
    first = next(iter(bins_by_sample.values()))
    keep = covered_bins(list(bins_by_sample.values()))
    classes = genome.classes(first["chrom"])
    keep &= (classes != "X") | genome.outside_par_many(
        first["chrom"], first["start"].to_numpy() + 1
    )
    keep &= (classes != "Y") | genome.outside_par_many(
        first["chrom"], first["start"].to_numpy() + 1
    )
    mask = None
    if y_regions is not None:
        mask = region_mask(first, y_regions, y_settings.min_region_overlap)
    has_y = bool((classes == "Y").any())
    evidence = {}
    for sample, bins in bins_by_sample.items():
        column = x_cohort.column(sample)
        het, n = x_heterozygosity(
            x_cohort.gt[:, column], x_cohort.depth[:, column], settings["min_depth"]
        )
        ratios = depth_ratios(bins, genome, np.asarray(keep))
        y = y_depth(bins, classes, np.asarray(keep), mask, y_settings) if has_y else None
        ratios["y_depth_ratio"] = None if y is None else y.ratio
        evidence[sample] = SexEvidence(het, n, ratios, y)
    return evidence


def main(inputs, outputs, params) -> None:
    """Snakemake rule sex_findings: every sample's evidence, then one findings file per
    sample (``params.samples``, in the order of ``outputs.findings``)."""
    from ipscqc.contract import write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.readers.bed import read_bed
    from ipscqc.readers.mosdepth import read_regions
    from ipscqc.readers.vcf import read_cohort_genotypes

    settings = dict(params.settings)
    sheet = params.sheet
    genome = GenomeModel.of(**params.genome)
    bins = {
        sample: read_regions(path)
        for sample, path in zip(params.samples, inputs.regions, strict=True)
    }
    y_regions = read_bed(inputs.y_regions) if settings["y_regions"] else None
    evidence = cohort_evidence(read_cohort_genotypes(inputs.vcf), bins, genome, settings, y_regions)
    for sample, path in zip(params.samples, outputs.findings, strict=True):
        parental = sheet[sample]["parental"] or None
        result = analyse(
            SexInputs(
                sample,
                parental,
                sheet[sample]["sex"],
                evidence[sample],
                evidence[parental] if parental else None,
                sheet[parental]["sex"] if parental else None,
            ),
            settings,
        )
        write_findings(path, result, SPEC)
