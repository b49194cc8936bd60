"""MultiQC custom content written by the cohort-wide check jobs: summary tables
(``*_mqc.tsv``) and the relatedness heatmap (``*_mqc.json``)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _value(x):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else x


def relatedness_heatmap(pairs: pd.DataFrame, samples: list[str]) -> dict:
    """MultiQC custom-content heatmap of the relatedness matrix (diagonal 1)."""
    index = {sample: i for i, sample in enumerate(samples)}
    matrix = [[None] * len(samples) for _ in samples]
    for i in range(len(samples)):
        matrix[i][i] = 1.0
    for row in pairs.itertuples():
        value = _value(row.relatedness)
        value = None if value is None else round(float(value), 3)
        i, j = index[row.sample_a], index[row.sample_b]
        matrix[i][j] = matrix[j][i] = value
    return {
        "id": "ipscqc_relatedness",
        "section_name": "Identity: relatedness",
        "description": (
            "Pairwise relatedness of every sample of the run at shared germline sites "
            "((shared hets - 2 x IBS0) / min(hets), as somalier): about 1 for the same "
            "individual, 0.5 for first-degree relatives, 0 or below for unrelated people. "
            "Samples of the same donor must be about 1; a line that is not is not its donor's."
        ),
        "plot_type": "heatmap",
        "xcats": list(samples),
        "ycats": list(samples),
        "data": matrix,
        "pconfig": {
            "id": "ipscqc_relatedness_heatmap",
            "title": "ipsc-qc: pairwise relatedness",
            "min": -1.0,
            "max": 1.0,
            "square": True,
        },
    }


def mqc_table(header: str, rows: list[dict]) -> str:
    """A MultiQC custom-content TSV: '#' header lines, then one row per sample.

    Unknown values are written NA; numbers keep their type (a count stays an integer).
    """

    def cell(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "NA"
        if isinstance(value, float):
            return f"{value:.4g}"
        if isinstance(value, list | tuple):
            return ",".join(str(item) for item in value) or "-"
        return str(value)

    columns = list(rows[0]) if rows else []
    lines = ["\t".join(columns)] + ["\t".join(cell(row[c]) for c in columns) for row in rows]
    return header + "\n".join(lines) + "\n"
