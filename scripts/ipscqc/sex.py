"""Sex inference from chrX heterozygosity and chrX/chrY depth relative to the autosomes,
and the sex-chromosome losses seen in culture (an X in female lines, the Y in male lines).

Contig names with and without "chr" are both understood (chr1/1, chrX/X, chrY/Y).
Depth bins are mosdepth ``--by`` regions (0-based half-open, mean depth per bin).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

AUTOSOME_RE = re.compile(r"^(chr)?([1-9]|[1-9][0-9])$", re.IGNORECASE)
X_NAMES = {"x", "chrx"}
Y_NAMES = {"y", "chry"}

# Pseudo-autosomal regions of chrX (1-based closed; GRCh38 and GRCh37 as published by
# the Genome Reference Consortium). Reads there are diploid in males too, so they are
# left out of X heterozygosity and X depth. The toy genome has none.
X_PAR = {
    "GRCh38": [(10_001, 2_781_479), (155_701_383, 156_030_895)],
    "GRCh37": [(60_001, 2_699_520), (154_931_044, 155_260_560)],
    "toy": [],
}


def outside_par(pos: np.ndarray, build: str) -> np.ndarray:
    """True for chrX positions (1-based) outside the build's pseudo-autosomal regions."""
    keep = np.ones(len(pos), dtype=bool)
    for start, end in X_PAR.get(build, []):
        keep &= ~((pos >= start) & (pos <= end))
    return keep


def contig_class(name: str) -> str:
    """'autosome', 'X', 'Y' or 'other' (mitochondria, alternates, decoys)."""
    lowered = name.lower()
    if lowered in X_NAMES:
        return "X"
    if lowered in Y_NAMES:
        return "Y"
    if AUTOSOME_RE.match(name):
        return "autosome"
    return "other"


def read_mosdepth_regions(path: str) -> pd.DataFrame:
    """mosdepth ``{prefix}.regions.bed.gz``: chrom, start, end, depth."""
    return pd.read_csv(
        path,
        sep="\t",
        header=None,
        names=["chrom", "start", "end", "depth"],
        dtype={"chrom": str, "start": np.int64, "end": np.int64, "depth": float},
    )


def covered_bins(depth_tables: list[pd.DataFrame]) -> np.ndarray:
    """Bins with reads in at least one sample: assembly gaps (N runs) and unmappable
    stretches are left out of every depth ratio. All tables must share their bins."""
    stacked = np.vstack([table["depth"].to_numpy() for table in depth_tables])
    return stacked.max(axis=0) > 0


def depth_ratios(bins: pd.DataFrame, keep: np.ndarray | None = None) -> dict:
    """Sex-chromosome depth relative to the autosomes.

    autosomal depth: the median of autosomal bins (robust to a trisomy or a large
    gain); x_depth_ratio: median chrX bin / autosomal depth (about 1 for two X copies,
    0.5 for one); y_depth_ratio: mean chrY bin / autosomal depth (about 0.5 with a Y,
    near 0 without; a mean, so that a little Y is seen). A ratio is None when the
    reference lacks the chromosome or the autosomes have no depth.
    """
    if keep is None:
        keep = np.ones(len(bins), dtype=bool)
    classes = bins["chrom"].map(contig_class).to_numpy()
    depth = bins["depth"].to_numpy()
    autosomal = depth[(classes == "autosome") & keep]
    autosomal_depth = float(np.median(autosomal)) if autosomal.size else None
    result = {"autosomal_depth": autosomal_depth, "x_depth_ratio": None, "y_depth_ratio": None}
    if not autosomal_depth:
        return result
    x_bins = depth[(classes == "X") & keep]
    if x_bins.size:
        result["x_depth_ratio"] = float(np.median(x_bins)) / autosomal_depth
    has_y = classes == "Y"
    if has_y.any():
        # chrY with no read in any sample of the run (an all-female run) still says "no Y"
        y_bins = depth[has_y & keep] if (has_y & keep).any() else depth[has_y]
        result["y_depth_ratio"] = float(np.mean(y_bins)) / autosomal_depth
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
    x_het: float | None,
    x_sites: int,
    ratios: dict,
    parental_ratios: dict | None,
    parental_sex: str | None,
    params: dict,
) -> tuple[dict, list[str]]:
    """Metrics and notes of one sample's sex findings.

    Losses compare the sample with its parental when there is one (depth ratio of the
    line / the parental), else with the expected ratio of the declared (or inferred) sex.
    A loss in a fraction f of cells lowers the X ratio of a female line by f/2 and the
    Y ratio of a male line by f; losses in at least ``min_loss_fraction`` of cells are
    flagged.
    """
    x_ratio, y_ratio = ratios["x_depth_ratio"], ratios["y_depth_ratio"]
    inferred, evidence = infer_sex(x_het, x_sites, x_ratio, y_ratio, params)
    notes = list(evidence)
    declared = declared_sex if declared_sex in ("female", "male") else None
    sex_matches = None
    if declared and inferred != "ambiguous":
        sex_matches = inferred == declared
    # the karyotypic sex the sample started with: the parental's, else the declared one
    origin = parental_sex if parental_sex in ("female", "male") else declared
    if origin is None and inferred in ("female", "male"):
        origin = inferred
    min_loss = params["min_loss_fraction"]
    x_loss_fraction = y_loss_fraction = None
    if origin == "female" and x_ratio is not None:
        reference = (parental_ratios or {}).get("x_depth_ratio") or 1.0
        x_loss_fraction = max(0.0, 2.0 * (1.0 - x_ratio / reference))
    if origin == "male" and y_ratio is not None:
        reference = (parental_ratios or {}).get("y_depth_ratio") or params["male_y_ratio"]
        y_loss_fraction = max(0.0, 1.0 - y_ratio / reference)
    x_loss = None if x_loss_fraction is None else x_loss_fraction >= min_loss
    y_loss = None if y_loss_fraction is None else y_loss_fraction >= min_loss
    if origin == "male" and inferred == "female":
        # not a loss: a different (female) genome
        y_loss = False
    if x_loss:
        notes.append(f"X loss in about {x_loss_fraction:.0%} of cells of a female line")
    if y_loss:
        notes.append(f"Y loss in about {y_loss_fraction:.0%} of cells of a male line")
    if sex_matches is False:
        notes.append(f"declared sex {declared} but the data say {inferred}")
    if y_ratio is None:
        notes.append("the reference has no chrY: sex rests on chrX alone")
    metrics = {
        "declared_sex": declared_sex,
        "inferred_sex": inferred,
        "x_heterozygosity": x_het,
        "x_sites": x_sites,
        "x_depth_ratio": x_ratio,
        "y_depth_ratio": y_ratio,
        "sex_matches": sex_matches,
        "x_loss": x_loss,
        "y_loss": y_loss,
        "x_loss_fraction": x_loss_fraction,
        "y_loss_fraction": y_loss_fraction,
    }
    return metrics, notes
