"""Reprogramming vector and transgene residue (docs/vectors.md).

- ``families``: decoys as families (shared k-mers), countable and shared positions,
  chrEBV homologs, where a decoy's cDNA insert joins two exons;
- ``evidence``: the reads of one sample counted for the family they fall in, and the
  junction reads on decoy cDNA inserts;
- ``level``: a family's depth along its sequence, its level and the stretches well
  above it (an integrated piece);
- ``junctions``: exon-junction reads of the reprogramming genes in the genome;
- ``findings``: copies per cell, the detection limit at a sample's depth, the items,
  metrics and notes of the vectors check.
"""
