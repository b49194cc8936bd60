"""Genome-wide copy-number figure: log2 ratio and B-allele fraction by chromosome,
segments drawn as lines, calls shaded by type."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

CALL_COLOURS = {"gain": "#d62728", "loss": "#1f77b4", "cnloh": "#9467bd"}
MAX_POINTS = 60_000


def _thin(table: pd.DataFrame, limit: int) -> pd.DataFrame:
    if len(table) <= limit:
        return table
    step = int(np.ceil(len(table) / limit))
    return table.iloc[::step]


def _chromosome_offsets(bins: pd.DataFrame) -> tuple[list[str], pd.Series, dict[str, float]]:
    """Chromosomes in the order of ``bins``, their lengths (last bin end, bp) and the
    offset (bp) of each when they are laid end to end."""
    chromosomes = list(dict.fromkeys(bins["chrom"]))
    lengths = bins.groupby("chrom", sort=False)["end"].max().reindex(chromosomes)
    offsets = dict(
        zip(chromosomes, np.concatenate([[0], np.cumsum(lengths.to_numpy())[:-1]]), strict=True)
    )
    return chromosomes, lengths, offsets


def _draw_points(ax_ratio, ax_baf, bins: pd.DataFrame, sites: pd.DataFrame, offsets: dict):
    """The used bins' log2 ratio (clipped to [-2, 2]) and the sites' B-allele fraction,
    each thinned to at most ``MAX_POINTS``."""
    used = _thin(bins[bins["used"]], MAX_POINTS)
    x = used["chrom"].map(offsets) + (used["start"] + used["end"]) / 2
    ax_ratio.scatter(x, used["log2"].clip(-2, 2), s=1, c="#555555", alpha=0.3, linewidths=0)
    if len(sites):
        shown = _thin(sites, MAX_POINTS)
        ax_baf.scatter(
            shown["chrom"].map(offsets) + shown["pos"],
            shown["baf"],
            s=1,
            c="#555555",
            alpha=0.3,
            linewidths=0,
        )


def _draw_segments(ax_ratio, ax_baf, segments: pd.DataFrame, offsets: dict):
    """Each segment's mean log2 ratio as a line coloured by its type, and for abnormal
    segments with sites their expected major and minor allele fractions."""
    for segment in segments.to_dict("records"):
        offset = offsets.get(segment["chrom"], 0)
        colour = CALL_COLOURS.get(segment["type"], "#222222")
        xs = [offset + segment["start"], offset + segment["end"]]
        ax_ratio.plot(xs, [np.clip(segment["log2_mean"], -2, 2)] * 2, color=colour, lw=2)
        if segment["snps"] > 0 and np.isfinite(segment["expected_major_baf"]):
            for level in (segment["expected_major_baf"], 1 - segment["expected_major_baf"]):
                if segment["type"] != "normal":
                    ax_baf.plot(xs, [level] * 2, color=colour, lw=1.5)


def _shade_calls(axes, calls: pd.DataFrame, offsets: dict):
    """Each call shaded across ``axes`` in the colour of its type."""
    for call in calls.to_dict("records"):
        offset = offsets.get(call["chrom"], 0)
        colour = CALL_COLOURS.get(call["type"], "#ff7f0e")
        for axis in axes:
            axis.axvspan(offset + call["start"], offset + call["end"], color=colour, alpha=0.15)


def _label_axes(ax_ratio, ax_baf, chromosomes: list[str], lengths: pd.Series, offsets: dict):
    """Chromosome boundaries and names, axis limits and labels, and the call legend."""
    for chrom in chromosomes:
        for axis in (ax_ratio, ax_baf):
            axis.axvline(offsets[chrom], color="#bbbbbb", lw=0.5)
    ax_ratio.axhline(0, color="black", lw=0.5)
    ax_ratio.set_ylim(-2, 2)
    ax_ratio.set_ylabel("log2 ratio")
    ax_baf.set_ylim(0, 1)
    ax_baf.set_ylabel("B-allele fraction")
    ax_baf.set_xlim(0, float(lengths.sum()) if len(lengths) else 1.0)
    ax_baf.set_xticks([offsets[c] + lengths[c] / 2 for c in chromosomes])
    ax_baf.set_xticklabels([c.removeprefix("chr") for c in chromosomes], fontsize=8)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=colour, alpha=0.4) for colour in CALL_COLOURS.values()
    ]
    ax_ratio.legend(handles, ["gain", "loss", "copy-neutral LOH"], loc="upper right", fontsize=8)


def draw(
    path: str,
    title: str,
    bins: pd.DataFrame,
    sites: pd.DataFrame,
    segments: pd.DataFrame,
    calls: pd.DataFrame,
) -> None:
    """Write the figure as PNG. Chromosomes are laid end to end in the order of ``bins``."""
    chromosomes, lengths, offsets = _chromosome_offsets(bins)
    fig, (ax_ratio, ax_baf) = plt.subplots(2, 1, figsize=(14, 6), sharex=True, dpi=100)
    _draw_points(ax_ratio, ax_baf, bins, sites, offsets)
    _draw_segments(ax_ratio, ax_baf, segments, offsets)
    _shade_calls((ax_ratio, ax_baf), calls, offsets)
    _label_axes(ax_ratio, ax_baf, chromosomes, lengths, offsets)
    ax_ratio.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
