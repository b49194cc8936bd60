"""MultiQC custom content written by the identity job: the relatedness heatmap of the
run (``*_mqc.json``). The per-sample tables of every check are built by the report
(ipscqc.report_content) from the findings."""

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
