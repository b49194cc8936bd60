"""The detection limit of the whole acquired-variant decision.

``power(af, ...)`` is the probability that an allele truly present in the line at allele
fraction ``af`` and absent from the parental is classed ``acquired`` (``unclassified``
in line-only mode) by origin.classify_origin: the line test, the parental
exclusion and the artefact rules together. It is computed exactly, by calling that
decision on every outcome and weighting each by its probability:

- the line's alt count k ~ BetaBinomial(line depth, af (1 - e) + (1 - af) e, line rho);
- the alt reads' forward count ~ Binomial(k, s) and the ref reads' forward count ~
  Binomial(line depth - k, s) (s: ``strand_fraction``, 0.5 for paired-end WGS);
- the parental's alt count ~ Binomial(parental depth, e_parental) (error reads only);

with e the per-allele error rate of the allele's context. The sum is over outcomes of
probability >= ``detection_tolerance`` in each count; the mass left out (below 1e-6)
counts as not detected, so the power is exact to that bound and never over-stated.

Conditioning on k makes it fast: A(k) = P(detected | k) needs the decision on the
strand and parental outcomes only, and power(af) = sum_k P_af(k) A(k). A(k) does not
depend on af, so it is computed once per k (cached) and every further power or limit
at the same depths is a dot product. Read position, mapping quality, panel of normals
and recurrence are not simulated (a true acquired variant passes them).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from . import beta_binomial as bb
from .noise import NoiseModel
from .origin import classify_origin
from .settings import VariantSettings

Decide = Callable[[pd.DataFrame], np.ndarray]
MAX_ROWS = 400_000  # outcomes classified per call (memory bound)


def _support(n: int, p: float, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Values of Binomial(n, p) with probability >= tol and their probabilities."""
    values = np.arange(0, int(n) + 1)
    pmf = stats.binom.pmf(values, int(n), p)
    keep = pmf >= tol
    if not keep.any():  # degenerate p: keep the mode
        keep = pmf == pmf.max()
    return values[keep], pmf[keep]


def outcome_table(
    k_values: np.ndarray,
    line_depth: int,
    parental_depth: int | None,
    parental_error: float,
    context: str,
    hotspot: bool,
    strand_fraction: float,
    tol: float,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Every (strand split, parental count) outcome of the given line alt counts, as a
    site table the decision reads, with each row's probability given its k and the
    index of its k in ``k_values``."""
    n = int(line_depth)
    n_par = int(parental_depth or 0)
    j_values, j_pmf = _support(n_par, parental_error, tol) if n_par else (np.array([0]), np.ones(1))
    parts, weights, index = [], [], []
    for i, k in enumerate(np.asarray(k_values, dtype=np.int64)):
        f_values, f_pmf = _support(k, strand_fraction, tol)
        r_values, r_pmf = _support(n - k, strand_fraction, tol)
        f, r, j = np.meshgrid(f_values, r_values, j_values, indexing="ij")
        w = (f_pmf[:, None, None] * r_pmf[None, :, None] * j_pmf[None, None, :]).ravel()
        keep = w >= tol * 1e-2
        parts.append((np.full(keep.sum(), k), f.ravel()[keep], r.ravel()[keep], j.ravel()[keep]))
        weights.append(w[keep])
        index.append(np.full(keep.sum(), i))
    k_col = np.concatenate([p[0] for p in parts])
    f_col = np.concatenate([p[1] for p in parts])
    r_col = np.concatenate([p[2] for p in parts])
    j_col = np.concatenate([p[3] for p in parts])
    table = pd.DataFrame(
        {
            "line_alt": k_col,
            "line_ref": n - k_col,
            "line_depth": n,
            "line_alt_fwd": f_col,
            "line_alt_rev": k_col - f_col,
            "line_ref_fwd": r_col,
            "line_ref_rev": n - k_col - r_col,
            "parental_alt": j_col,
            "parental_ref": n_par - j_col,
            "parental_depth": n_par,
            "context": context,
            "hotspot": "hotspot" if hotspot else "",
            "rpbz": np.nan,
            "mqbz": np.nan,
        }
    )
    return table, np.concatenate(weights), np.concatenate(index)


def origin_decision(settings: VariantSettings, noise: NoiseModel, paired: bool) -> Decide:
    """The decision whose limit is computed: classify_origin's class is ``acquired``
    (``unclassified`` in line-only mode)."""
    wanted = "acquired" if paired else "unclassified"

    def decide(table: pd.DataFrame) -> np.ndarray:
        return (
            classify_origin(table, settings, noise, paired, explain=False)["class"].to_numpy()
            == wanted
        )

    return decide


@dataclass
class DetectionModel:
    """Conditional detection probabilities A(k) at one (line depth, parental depth,
    context, hotspot) for one decision, computed on demand and kept."""

    settings: VariantSettings
    noise: NoiseModel
    line_depth: int
    parental_depth: int | None
    context: str = "snv"
    hotspot: bool = False
    decide: Decide | None = None
    conditional: dict[int, float] = field(default_factory=dict)

    def __post_init__(self):
        if self.decide is None:
            self.decide = origin_decision(
                self.settings, self.noise, self.parental_depth is not None
            )

    @property
    def line_error(self) -> float:
        return float(self.noise.line_error.of(np.array([self.context]))[0])

    @property
    def parental_error(self) -> float:
        return float(self.noise.parental_error.of(np.array([self.context]))[0])

    def _rows(self, k: int) -> float:
        """About how many outcomes the strand splits of k alt reads span."""
        s, n = self.settings.strand_fraction, self.line_depth
        spread = 12 * np.sqrt(s * (1 - s))
        return (spread * np.sqrt(k) + 2) * (spread * np.sqrt(n - k) + 2)

    def _fill(self, ks: list[int]) -> None:
        batch, rows = [], 0.0
        for k in ks:
            size = self._rows(k)
            if batch and rows + size > MAX_ROWS:
                self._classify(batch)
                batch, rows = [], 0.0
            batch.append(k)
            rows += size
        if batch:
            self._classify(batch)

    def _classify(self, ks: list[int]) -> None:
        table, weights, index = outcome_table(
            np.array(ks),
            self.line_depth,
            self.parental_depth,
            self.parental_error,
            self.context,
            self.hotspot,
            self.settings.strand_fraction,
            self.settings.detection_tolerance,
        )
        detected = np.asarray(self.decide(table), dtype=bool)
        sums = np.bincount(index, weights=weights * detected, minlength=len(ks))
        self.conditional.update({int(k): float(v) for k, v in zip(ks, sums, strict=True)})

    def line_alt_pmf(self, af: float) -> tuple[np.ndarray, np.ndarray]:
        """Alt counts of the line with probability >= tolerance at fraction ``af``."""
        n = self.line_depth
        e = self.line_error
        p_alt = af * (1.0 - e) + (1.0 - af) * e
        k = np.arange(n + 1)
        rho = self.noise.rho("line", np.array([self.context]))[0]
        pmf = np.exp(bb.logpmf(k, n, p_alt, rho))
        keep = pmf >= self.settings.detection_tolerance
        return k[keep], pmf[keep]

    def power(self, af: float) -> float:
        if self.line_depth <= 0:
            return 0.0
        k, pmf = self.line_alt_pmf(af)
        missing = [int(x) for x in k if int(x) not in self.conditional]
        if missing:
            self._fill(missing)
        return float(sum(p * self.conditional[int(x)] for x, p in zip(k, pmf, strict=True)))

    def limit(self, target: float, resolution: float = 0.001) -> float | None:
        """Smallest allele fraction (on a grid of ``resolution``) detected with
        probability >= target; None when no fraction up to 1 reaches it."""
        if self.line_depth <= 0:
            return None
        return smallest_fraction(self.power, target, resolution)


def smallest_fraction(
    power_at: Callable[[float], float], target: float, resolution: float = 0.001
) -> float | None:
    """Smallest fraction on a grid of ``resolution`` whose power reaches ``target``
    (doubling, then bisection); None when 1 does not. Assumes the power grows with the
    fraction (every test of the decision gets easier with it)."""
    steps = int(round(1.0 / resolution))
    lo, hi = 0, 1
    while power_at(hi * resolution) < target:
        if hi == steps:
            return None
        lo, hi = hi, min(2 * hi, steps)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if power_at(mid * resolution) >= target:
            hi = mid
        else:
            lo = mid
    return round(hi * resolution, 10)


_MODELS: OrderedDict = OrderedDict()
_MAX_MODELS = 256


def detection_model(
    line_depth: float,
    parental_depth: float | None,
    settings: VariantSettings,
    noise: NoiseModel | None = None,
    *,
    context: str = "snv",
    hotspot: bool = False,
) -> DetectionModel:
    """The (cached) model of the default decision at these depths (rounded to reads)."""
    noise = noise or NoiseModel.default(settings)
    depth_line = int(round(line_depth or 0))
    depth_parental = None if parental_depth is None else int(round(parental_depth))
    key = (depth_line, depth_parental, settings, noise, context, hotspot)
    model = _MODELS.get(key)
    if model is None:
        model = DetectionModel(settings, noise, depth_line, depth_parental, context, hotspot)
        _MODELS[key] = model
        if len(_MODELS) > _MAX_MODELS:
            _MODELS.popitem(last=False)
    else:
        _MODELS.move_to_end(key)
    return model


def power(
    af: float,
    line_depth: float,
    parental_depth: float | None,
    settings: VariantSettings,
    noise: NoiseModel | None = None,
    *,
    context: str = "snv",
    hotspot: bool = False,
) -> float:
    """Probability that an allele at fraction ``af`` in the line, absent from the
    parental, is classed acquired (line-only mode, ``parental_depth`` None:
    unclassified) at these depths (reads), by the whole decision."""
    model = detection_model(
        line_depth, parental_depth, settings, noise, context=context, hotspot=hotspot
    )
    return model.power(af)


def detection_limit(
    line_depth: float,
    parental_depth: float | None,
    settings: VariantSettings,
    power: float = 0.8,
    noise: NoiseModel | None = None,
    *,
    context: str = "snv",
    hotspot: bool = False,
    resolution: float = 0.001,
) -> float | None:
    """Smallest allele fraction classed acquired with probability >= ``power`` at these
    depths (reads); None when not reachable at any fraction (or no line depth)."""
    model = detection_model(
        line_depth, parental_depth, settings, noise, context=context, hotspot=hotspot
    )
    return model.limit(power, resolution)


def site_detection_limits(
    sites: pd.DataFrame,
    settings: VariantSettings,
    noise: NoiseModel | None = None,
    *,
    paired: bool = True,
    power: float | None = None,
) -> pd.Series:
    """The detection limit at every row's own line and parental depth (columns
    line_depth, parental_depth; context and hotspot when present), e.g. at each
    catalogue position; NaN where not reachable. Rows with the same depths, context and
    hotspot flag share one computation."""
    target = settings.detection_power if power is None else power
    line = pd.to_numeric(sites["line_depth"], errors="coerce").fillna(0).round().astype(int)
    if paired:
        parental = pd.to_numeric(sites["parental_depth"], errors="coerce").fillna(0)
        parental = parental.round().astype(int)
    else:
        parental = pd.Series(-1, index=sites.index)
    context = sites["context"].astype(str) if "context" in sites else "snv"
    hotspot = sites["hotspot"].fillna("").astype(str) != "" if "hotspot" in sites else False
    keys = pd.DataFrame(
        {"line": line, "parental": parental, "context": context, "hotspot": hotspot},
        index=sites.index,
    )
    limits = {}
    for key in keys.drop_duplicates().itertuples(index=False):
        value = detection_limit(
            key.line,
            None if key.parental < 0 else key.parental,
            settings,
            target,
            noise,
            context=key.context,
            hotspot=bool(key.hotspot),
        )
        limits[tuple(key)] = np.nan if value is None else value
    return pd.Series(
        [limits[tuple(row)] for row in keys.itertuples(index=False)], index=sites.index, dtype=float
    )


def depth_bins(depths, weights=None, bins: int = 5) -> list[tuple[int, float]]:
    """A depth distribution as ``bins`` equal-weight quantile depths: per-site depths
    (``weights`` None) or depth values with their weights (e.g. mosdepth's
    distribution). Returns (depth, weight) pairs summing to 1."""
    depths = np.asarray(depths, dtype=float)
    weights = np.ones(len(depths)) if weights is None else np.asarray(weights, dtype=float)
    order = np.argsort(depths)
    depths, cumulative = depths[order], np.cumsum(weights[order]) / weights.sum()
    quantiles = (np.arange(bins) + 0.5) / bins
    chosen = depths[np.minimum(np.searchsorted(cumulative, quantiles), len(depths) - 1)]
    return [(int(round(d)), 1.0 / bins) for d in chosen]


def power_over_depths(
    af: float,
    line_depths: list[tuple[int, float]],
    parental_depths: list[tuple[int, float]] | None,
    settings: VariantSettings,
    noise: NoiseModel | None = None,
    *,
    context: str = "snv",
    hotspot: bool = False,
) -> float:
    """Power averaged over the sites' depths: ``line_depths`` and ``parental_depths`` are
    (depth, weight) pairs (depth_bins), taken as independent; None: line-only mode."""
    pairs = [
        (line, None if parental_depths is None else parental, w_line * w_par)
        for line, w_line in line_depths
        for parental, w_par in (parental_depths or [(None, 1.0)])
    ]
    total = sum(weight for _, _, weight in pairs)
    return (
        sum(
            weight * power(af, line, parental, settings, noise, context=context, hotspot=hotspot)
            for line, parental, weight in pairs
        )
        / total
    )


def detection_limit_over_depths(
    line_depths: list[tuple[int, float]],
    parental_depths: list[tuple[int, float]] | None,
    settings: VariantSettings,
    power: float = 0.8,
    noise: NoiseModel | None = None,
    *,
    context: str = "snv",
    hotspot: bool = False,
    resolution: float = 0.001,
) -> float | None:
    """Smallest allele fraction detected with probability >= ``power`` on average over
    the sites' depths (the genome-wide limit when the depth varies from site to site;
    at one depth it equals detection_limit)."""
    return smallest_fraction(
        lambda af: power_over_depths(
            af, line_depths, parental_depths, settings, noise, context=context, hotspot=hotspot
        ),
        power,
        resolution,
    )
