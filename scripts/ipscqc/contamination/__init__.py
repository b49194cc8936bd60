"""Contamination of a sample by another person's DNA, right with one donor in the run.

- ``model``: the likelihood of a sample's allele counts when a fraction of its DNA is
  another person's (donor and contaminant genotypes latent; contaminant allele
  frequencies per site, fitted as a spectrum, or known for a named sample of the run);
- ``fit``: the profile likelihood of the fraction, its maximum and 95% interval;
- ``estimate``: the entry point of the contamination check (``estimate_contamination``,
  ``contamination_with_sources``, ``contamination_values``), with the reasons a
  fraction cannot be estimated.

docs/identity.md describes the method and its benchmark (benchmarks/identity/).
"""
