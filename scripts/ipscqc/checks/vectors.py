"""Vectors: reprogramming-vector DNA as copies per cell of each decoy family (reads
counted once, for the family they fall in: shared backbone, chrEBV), stretches of a
family well above its level (an integrated piece), the detection limit at the sample's
depth, and transgene cDNA (reads joining exons without their introns, in the genome and
on the decoys' cDNA inserts), each line against its parental, which never saw the vector
(scripts/ipscqc/vectors/; docs/vectors.md)."""

from __future__ import annotations

from dataclasses import dataclass

from ipscqc.contract import Findings, SampleInputs, findings, load_spec

SPEC = load_spec(__file__)  # the declaration: vectors.yaml beside this module


@dataclass
class VectorInputs(SampleInputs):
    evidence: dict  # the sample's evidence file (scripts/vectors_evidence.py)
    parental_evidence: dict | None  # its parental's (None: nothing to compare with)
    autosomal_depth: float | None
    parental_autosomal_depth: float | None
    # why the parental is not compared with (a different individual), when it is not
    parental_not_compared: str | None = None


def analyse(inputs: VectorInputs, settings: dict) -> Findings:
    """The vectors findings of one sample; ``settings`` is the config's ``vectors:``."""
    from ipscqc.vectors.findings import vector_values

    values, items, notes = vector_values(
        inputs.evidence,
        inputs.parental_evidence,
        inputs.autosomal_depth,
        inputs.parental_autosomal_depth,
        min_reads=settings["min_reads"],
        min_junction_reads=settings["min_junction_reads"],
        min_overhang=settings["min_clip"],
    )
    if inputs.parental_not_compared:
        notes.append(f"the parental is not compared with: {inputs.parental_not_compared}")
    return findings(SPEC, inputs.sample, inputs.parental, values, items, notes)


def autosomal_depth(bins, genome) -> float | None:
    """Median depth of the autosomal mosdepth bins that have reads."""
    import numpy as np

    depth = bins.loc[genome.classes(bins["chrom"]) == "autosome", "depth"].to_numpy()
    depth = depth[depth > 0]
    return float(np.median(depth)) if depth.size else None


def main(inputs, outputs, params) -> None:
    """Snakemake rule vector_findings: one findings file per sample (``params.samples``,
    in the order of ``outputs.findings`` and of the evidence and regions inputs). A line
    that is conclusively not its parental's individual (the identity job's pairing
    table) is judged on its own reads, without the parental."""
    from ipscqc.contract import read_json, write_findings
    from ipscqc.genome import GenomeModel
    from ipscqc.paired_assessability import read_pairing
    from ipscqc.readers.mosdepth import read_regions

    settings = dict(params.settings)
    genome = GenomeModel.of(**params.genome)
    samples = list(params.samples)
    evidence = dict(zip(samples, (read_json(p) for p in inputs.evidence), strict=True))
    depth = {
        sample: autosomal_depth(read_regions(path), genome)
        for sample, path in zip(samples, inputs.regions, strict=True)
    }
    for sample, path in zip(samples, outputs.findings, strict=True):
        parental = params.sheet[sample]["parental"] or None
        not_compared = None
        if parental:
            pairing = read_pairing(inputs.pairing, sample)
            if pairing.status == "different":
                parental, not_compared = None, pairing.reason
        check_inputs = VectorInputs(
            sample,
            parental,
            evidence[sample],
            evidence[parental] if parental else None,
            depth[sample],
            depth[parental] if parental else None,
            not_compared,
        )
        result = analyse(check_inputs, settings)
        write_findings(path, result, SPEC)
