"""Change-point segmentation of copy-number signals, a thin wrapper around ruptures.

ruptures' bottom-up segmentation (``BottomUp``) with the least-squares cost finds mean
shifts: it starts from a fine grid and merges neighbours while the penalised cost
falls, so that short segments inside long chromosomes are kept (plain binary
segmentation misses them: its first single split gains too little), and runs in well
under a second on tens of thousands of points. Breaks are then moved to the best
position near them. The penalty is scaled to the signal's own noise, so that one
setting works across coverages.

Positions are indices into the signal; a segment is ``(start, end)`` half-open.
"""

from __future__ import annotations

import numpy as np
import ruptures


def robust_sd(values: np.ndarray) -> float:
    """Noise of a signal from the differences of neighbours (insensitive to level shifts):
    1.4826 x the median absolute difference, divided by sqrt(2)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 3:
        return float("nan")
    return float(1.4826 * np.median(np.abs(np.diff(values))) / np.sqrt(2))


class CumulativeL2Cost(ruptures.base.BaseCost):
    """ruptures' least-squares cost (as ``CostL2``, one-dimensional signals) from prefix
    sums: each segment's cost in O(1) instead of a variance over its points."""

    model = "l2_cumulative"
    min_size = 1

    def fit(self, signal) -> CumulativeL2Cost:
        self.signal = np.asarray(signal, dtype=float).reshape(len(signal), -1)
        values = self.signal.sum(axis=1)
        self.cumsum = np.concatenate([[0.0], np.cumsum(values)])
        self.cumsq = np.concatenate([[0.0], np.cumsum(values**2)])
        return self

    def error(self, start, end) -> float:
        if end - start < self.min_size:
            raise ruptures.exceptions.NotEnoughPoints
        total = self.cumsum[end] - self.cumsum[start]
        return float(self.cumsq[end] - self.cumsq[start] - total * total / (end - start))


def change_points(
    values: np.ndarray, penalty: float, min_size: int, sd: float | None = None
) -> list[int]:
    """Indices where the mean of ``values`` changes (exclusive ends of segments, without
    the final length).

    The signal is divided by its noise ``sd`` (estimated when not given) and segmented
    with a penalty of ``penalty * log(n)`` per change point.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n < 2 * min_size:
        return []
    sd = robust_sd(values) if sd is None else sd
    if not np.isfinite(sd) or sd <= 0:
        sd = float(np.std(values)) or 1.0
    algo = ruptures.BottomUp(custom_cost=CumulativeL2Cost(), min_size=min_size, jump=1)
    algo = algo.fit(values / sd)
    ends = algo.predict(pen=penalty * np.log(n))
    breaks = [int(end) for end in ends if end < n]
    return refine_breaks(values, breaks, window=min_size, min_size=2)


def refine_breaks(values: np.ndarray, breaks: list[int], window: int, min_size: int) -> list[int]:
    """Move each break to the position within ``window`` that best splits the two
    segments around it (least squares), one break at a time from left to right.

    Bottom-up segmentation starts from a grid of ``min_size`` points, so its breaks sit
    on that grid; this puts them back where the mean changes.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    cumsum = np.concatenate([[0.0], np.cumsum(values)])
    cumsq = np.concatenate([[0.0], np.cumsum(values**2)])

    def cost(lo: int, hi: int) -> float:
        total = cumsum[hi] - cumsum[lo]
        return float(cumsq[hi] - cumsq[lo] - total * total / (hi - lo))

    refined = sorted(breaks)
    for i, current in enumerate(refined):
        lo = refined[i - 1] if i > 0 else 0
        hi = refined[i + 1] if i + 1 < len(refined) else n
        first = max(lo + min_size, current - window)
        last = min(hi - min_size, current + window)
        if first > last:
            continue
        refined[i] = min(
            range(first, last + 1), key=lambda b, lo=lo, hi=hi: cost(lo, b) + cost(b, hi)
        )
    return refined


def segments_from_breaks(n: int, breaks: list[int]) -> list[tuple[int, int]]:
    """Half-open segments covering 0..n from sorted break indices."""
    edges = [0] + sorted(b for b in set(breaks) if 0 < b < n) + [n]
    return list(zip(edges[:-1], edges[1:], strict=True))


def merge_breaks(
    primary: list[int], secondary: list[int], snap: int, min_size: int, n: int
) -> list[int]:
    """Union of two sets of break positions (same coordinate), where a secondary break
    within ``snap`` of a primary one is dropped, and any break that would leave a
    segment shorter than ``min_size`` is dropped (secondary ones first)."""
    breaks = sorted(set(primary))
    for candidate in sorted(set(secondary)):
        if all(abs(candidate - b) > snap for b in breaks):
            breaks.append(candidate)
    breaks.sort()
    primary_set = set(primary)
    changed = True
    while changed:
        changed = False
        edges = [0] + breaks + [n]
        short = [i for i in range(len(edges) - 1) if edges[i + 1] - edges[i] < min_size]
        if not short:
            break
        i = short[0]
        # remove the break that closes the short segment; prefer a secondary one
        options = [b for b in (edges[i], edges[i + 1]) if b in breaks]
        options.sort(key=lambda b: b in primary_set)
        if options:
            breaks.remove(options[0])
            changed = True
    return breaks
