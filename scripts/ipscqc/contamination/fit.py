"""Fitting the contamination model (contamination_model.py): the profile likelihood of
the contamination fraction, its maximum and its 95% interval.

The fraction is profiled on a fixed grid from 0 to 0.5 (every other parameter fitted at
each grid point, warm-started from the neighbour), so a second local optimum cannot
hide the best one; the maximum is then refined between its grid neighbours and the
interval ends found by bisection where the profile crosses the maximum minus 1.92
log-likelihood units (a 95% likelihood-ratio interval).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from .model import (
    MAX_ERROR,
    MAX_FRACTION,
    NO_CALL,
    CountTable,
    Parameters,
    log_likelihood,
    log_likelihood_and_gradient,
)

FRACTION_GRID = (
    0.0, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1,
    0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
)  # fmt: skip
LEVEL_95 = 1.92  # half the 95% quantile of chi-square with 1 degree of freedom
STOP_BELOW_MAX = 30.0  # the grid sweep stops this far below the best point

# parameter -> (bounds on the optimiser's scale, scale)
_SCALES = {
    "error": ((np.log(1e-5), np.log(MAX_ERROR)), "log"),
    "het_balance": ((0.3, 0.7), "linear"),
    "het_overdispersion": ((np.log(1e-4), np.log(0.2)), "log"),
    "call_error": ((np.log(1e-6), np.log(0.3)), "log"),
    "alpha": ((np.log(0.02), np.log(50.0)), "log"),
    "beta": ((np.log(0.02), np.log(50.0)), "log"),
    "logit_het": ((-20.0, 20.0), "linear"),
    "logit_hom_alt": ((-20.0, 20.0), "linear"),
}


@dataclass
class Fit:
    parameters: Parameters
    log_likelihood: float
    converged: bool


@dataclass
class ProfileEstimate:
    """The maximum-likelihood fraction, its 95% interval and the fit behind them."""

    fraction: float
    lower: float
    upper: float  # MAX_FRACTION when the data do not bound it
    fit: Fit
    null_log_likelihood: float  # best fit at fraction 0
    converged: bool
    profile: list[tuple[float, float]]  # (fraction, profile log-likelihood) evaluated

    @property
    def log_likelihood_ratio(self) -> float:
        """How much better the best fraction explains the reads than no contamination."""
        return max(0.0, self.fit.log_likelihood - self.null_log_likelihood)


def nuisance_names(table: CountTable) -> list[str]:
    """The parameters fitted besides the fraction, for this table."""
    names = ["error", "het_balance", "het_overdispersion"]
    if (table.call != NO_CALL).any():
        names.append("call_error")
    if table.frequencies.kind == "spectrum":
        names += ["alpha", "beta"]
    if table.frequencies.kind == "named":
        names += ["logit_het", "logit_hom_alt"]
    return names


def _pack(params: Parameters, names: list[str]) -> np.ndarray:
    values = [getattr(params, name) for name in names]
    scaled = [
        np.log(v) if _SCALES[n][1] == "log" else v for n, v in zip(names, values, strict=True)
    ]
    bounds = np.array([_SCALES[name][0] for name in names])
    return np.clip(np.array(scaled, float), bounds[:, 0], bounds[:, 1])


def _unpack(vector: np.ndarray, names: list[str], base: Parameters) -> Parameters:
    values = {
        name: float(np.exp(v) if _SCALES[name][1] == "log" else v)
        for name, v in zip(names, vector, strict=True)
    }
    return replace(base, **values)


def fit_at_fraction(table: CountTable, fraction: float, start: Parameters, names: list[str]) -> Fit:
    """Best parameters with the fraction held at ``fraction`` (one profile point)."""
    base = replace(start, fraction=float(fraction))
    x0 = _pack(base, names)
    # centred on the starting value: L-BFGS-B's stopping rule is relative to |f|, and a
    # log-likelihood of -1e5 would otherwise stop it 1e-4 units short in flat valleys
    offset = log_likelihood(table, _unpack(x0, names, base))
    chain = np.array([_SCALES[name][1] == "log" for name in names])

    def negative(vector):
        params = _unpack(vector, names, base)
        value, gradient = log_likelihood_and_gradient(table, params)
        natural = np.array([gradient[name] for name in names])
        scaled = np.where(chain, natural * np.array([getattr(params, n) for n in names]), natural)
        return offset - value, -scaled

    result = minimize(
        negative,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=[_SCALES[name][0] for name in names],
        options={"maxiter": 1000, "maxls": 50, "ftol": 1e-11, "gtol": 1e-6},
    )
    return Fit(_unpack(result.x, names, base), offset - float(result.fun), bool(result.success))


def profile_estimate(
    table: CountTable,
    start: Parameters | None = None,
    level: float = LEVEL_95,
) -> ProfileEstimate:
    """Maximum-likelihood fraction with its profile-likelihood interval."""
    profile = _Profile(table, nuisance_names(table))
    best_c = profile.refine(profile.sweep(start or Parameters()))
    best = profile.evaluated[round(best_c, 10)]
    threshold = best.log_likelihood - level
    lower = profile.crossing(best_c, threshold, -1)
    upper = profile.crossing(best_c, threshold, +1)
    return ProfileEstimate(
        fraction=float(best_c),
        lower=float(lower),
        upper=float(min(upper, MAX_FRACTION)),
        fit=best,
        null_log_likelihood=profile.evaluated[0.0].log_likelihood,
        converged=best.converged,
        profile=sorted((c, f.log_likelihood) for c, f in profile.evaluated.items()),
    )


class _Profile:
    """The profile likelihood of one table: fits at fractions, each computed once
    (keyed by the fraction rounded to 1e-10) and warm-started from a neighbour."""

    def __init__(self, table: CountTable, names: list[str]) -> None:
        self.table, self.names = table, names
        self.evaluated: dict[float, Fit] = {}

    def at(self, c: float, seed: Parameters) -> Fit:
        key = round(float(c), 10)
        if key not in self.evaluated:
            self.evaluated[key] = fit_at_fraction(self.table, key, seed, self.names)
        return self.evaluated[key]

    def _log_likelihood(self, c: float) -> float:
        return self.evaluated[round(c, 10)].log_likelihood

    def sweep(self, seed: Parameters) -> float:
        """The best fraction of the grid, swept upwards with warm starts until the
        likelihood falls STOP_BELOW_MAX below its maximum."""
        best_c = 0.0
        for c in FRACTION_GRID:
            point = self.at(c, seed)
            seed = point.parameters
            if point.log_likelihood > self._log_likelihood(best_c):
                best_c = c
            if point.log_likelihood < self._log_likelihood(best_c) - STOP_BELOW_MAX:
                break
        return best_c

    def refine(self, best_c: float) -> float:
        """The maximum refined between its grid neighbours."""
        grid = sorted(self.evaluated)
        i = grid.index(round(best_c, 10))
        low, high = grid[max(0, i - 1)], grid[min(len(grid) - 1, i + 1)]
        anchor = self.evaluated[grid[i]].parameters
        if high > low:
            refined = minimize_scalar(
                lambda c: -self.at(c, anchor).log_likelihood,
                bounds=(low, high),
                method="bounded",
                options={"xatol": 5e-4},
            )
            candidate = round(float(refined.x), 10)
            if self.evaluated[candidate].log_likelihood > self.evaluated[grid[i]].log_likelihood:
                best_c = candidate
        return best_c

    def crossing(self, best_c: float, threshold: float, direction: int) -> float:
        """An interval end: bisection between the last point inside and the first
        outside, in ``direction`` from the maximum."""
        inside = best_c
        outside_candidates = [c for c in sorted(self.evaluated) if (c - inside) * direction > 0]
        outside_candidates.sort(key=lambda c: abs(c - inside))
        outside = None
        for c in outside_candidates:
            if self.evaluated[c].log_likelihood < threshold:
                outside = c
                break
            inside = c
        if outside is None:
            return 0.0 if direction < 0 else MAX_FRACTION
        seed_params = self.evaluated[round(inside, 10)].parameters
        for _ in range(5):
            middle = (inside + outside) / 2
            point = self.at(middle, seed_params)
            if point.log_likelihood < threshold:
                outside = middle
            else:
                inside, seed_params = middle, point.parameters
        return (inside + outside) / 2
