"""Deterministic toy data set with planted truth for the ipsc-qc pipeline.

``build(outdir, seed=7, genome_scale=0.4, coverage_scale=1.0)`` writes a small
GRCh38-like genome, an Ensembl-style annotation, stand-in vector sequences, paired-end
reads for parental samples and iPSC lines, the sample and unit sheets, and truth.json
with every planted event and its expected values. See docs/toy_data.md.
"""

from .dataset import GENERATOR_VERSION, build

__all__ = ["GENERATOR_VERSION", "build"]
