"""The one-donor design (``--design one_donor``): a run as a clinical release run often
is, with one donor only. D1's parental, a clean line and a line contaminated by cells
of D3, an individual with no sample in the run, so that a contamination estimate cannot
lean on another individual of the run.

Nothing else is planted in the samples (no clone tree, no acquired variant, no vector);
the genome, its duplications and the real-sequence contig are those of any design.
"""

from __future__ import annotations

from .design import DONORS, Population, SampleDesign, donor_of

DESIGN = "one_donor"
DEFAULT_GENOME_SCALE = 0.2
CONTAMINANT = "D3"
CONTAMINATION_FRACTION = 0.04
CONTAMINATED_SAMPLE = "D1_clone_contaminated"


def donors() -> list:
    """D1 (the run's donor) and D3 (the contaminant); D2 is not part of this design."""
    return [DONORS[0], donor_of(CONTAMINANT)]


def sample_designs() -> list[SampleDesign]:
    clean = [Population("P0", 1.0, ["germline"], "all cells: donor germline genome only")]
    f = CONTAMINATION_FRACTION
    mixed = [
        Population("P0", round(1.0 - f, 6), ["germline"], "the line's cells (donor D1)"),
        Population(
            "P_contaminant", f, ["contaminant"], f"cells of {CONTAMINANT}", donor=CONTAMINANT
        ),
    ]
    return [
        SampleDesign(
            "D1_parental",
            "D1",
            "parental",
            "",
            "male",
            "D1",
            20,
            0,
            "peripheral blood mononuclear cells",
            ["L1"],
            clean,
        ),
        SampleDesign(
            "D1_clone_clean",
            "D1",
            "line",
            "D1_parental",
            "male",
            "D1",
            30,
            10,
            "episomal reprogramming; clone 1",
            ["L1"],
            [Population(**vars(clean[0]))],
        ),
        SampleDesign(
            CONTAMINATED_SAMPLE,
            "D1",
            "line",
            "D1_parental",
            "male",
            "D1",
            30,
            14,
            "episomal reprogramming; clone 2",
            ["L1"],
            mixed,
        ),
    ]


def contamination_truth(samples: list[SampleDesign]) -> list[dict]:
    """Each population of another individual in a sample, as a contamination entry."""
    out = []
    for s in samples:
        for pop in s.populations:
            if pop.donor and pop.donor != s.genotype_donor:
                out.append(
                    {
                        "sample": s.name,
                        "contaminant": pop.donor,
                        "contaminant_sex": donor_of(pop.donor).sex,
                        "fraction": pop.fraction,
                        "contaminant_in_run": any(x.genotype_donor == pop.donor for x in samples),
                        "note": "fraction of the cells (and, for autosomes, of the reads)",
                    }
                )
    return out
