"""Agreement of contig names across the reference, annotation, vector decoys, targets and
every resource file (centromeres, recurrent regions, identity sites).

Coordinates are not used here; only names. When the names differ only by the 'chr'
prefix (UCSC ``chr1``/``chrM`` against Ensembl ``1``/``MT``), the problem says so and
how to rename.
"""

from __future__ import annotations


def check_contigs(
    genome: list[str],
    annotation: set[str],
    annotation_path: str,
    vectors: list[str] = (),
    vectors_path: str = "",
    targets: set[str] = frozenset(),
    targets_path: str = "",
) -> list[str]:
    """Problems with contig names across reference, annotation, vectors and targets.

    The annotation and targets must only name reference contigs; decoy vector
    contigs must not share a name with a reference contig.
    """
    problems = []
    if len(set(genome)) != len(genome):
        problems.append("reference FASTA has duplicate contig names")
    known = set(genome)
    unknown = sorted(annotation - known)
    if unknown:
        renaming = chr_renaming(set(unknown), genome)
        hint = (
            ": only the 'chr' prefix differs; use the annotation made for the reference's"
            " names (Ensembl's GFF3 names contigs 1, X, MT; UCSC/GENCODE chr1, chrX, chrM)"
            if renaming
            else ""
        )
        problems.append(
            f"{annotation_path}: {len(unknown)} contig(s) not in the reference: "
            f"{', '.join(unknown[:5])}; reference has {', '.join(genome[:5])}{hint}"
        )
    if annotation and not annotation & known:
        problems.append(f"{annotation_path}: no contig in common with the reference")
    clash = sorted(known & set(vectors))
    if clash:
        problems.append(f"{vectors_path}: vector contig(s) named like reference contigs: {clash}")
    outside = sorted(targets - known)
    if outside:
        problems.append(f"{targets_path}: target contig(s) not in the reference: {outside[:5]}")
    return problems


def _without_chr(name: str) -> str:
    stripped = name[3:] if name.startswith("chr") else name
    return "MT" if stripped == "M" else stripped


def _with_chr(name: str) -> str:
    return "chrM" if name == "MT" else f"chr{name}"


def chr_renaming(names: set[str], genome: list[str]) -> str | None:
    """How every name becomes a reference contig name when only the 'chr' prefix differs
    (UCSC ``chr1``, ``chrM`` against Ensembl ``1``, ``MT``): "remove" or "add" the
    prefix; None when that is not all that differs."""
    known = set(genome)
    if names and all(_without_chr(name) in known for name in names):
        return "remove"
    if names and all(_with_chr(name) in known for name in names):
        return "add"
    return None


#: sed commands that rename BED contigs when only the 'chr' prefix differs.
RENAME_COMMANDS = {
    "remove": r"sed -E 's/^chrM\t/MT\t/; s/^chr//'",
    "add": r"sed -E 's/^MT\t/M\t/; s/^([0-9]+|X|Y|M)\t/chr\1\t/'",
}


def resource_contig_problems(
    label: str, path: str, used: set[str], genome: list[str], kind: str = "BED"
) -> list[str]:
    """Contigs a resource file (BED, VCF) names that the reference lacks, as one line;
    when only the 'chr' prefix differs, the line says how to rename them."""
    unknown = sorted(used - set(genome))
    if not unknown:
        return []
    shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    problem = (
        f"{label}: {path}: {len(unknown)} contig(s) not in the reference: {shown};"
        f" the reference has {', '.join(genome[:5])}{', ...' if len(genome) > 5 else ''}"
    )
    renaming = chr_renaming(set(unknown), genome)
    if renaming:
        style = "Ensembl names (1, X, MT)" if renaming == "remove" else "UCSC names (chr1, chrM)"
        if kind == "BED":
            how = f"{RENAME_COMMANDS[renaming]} {path} > renamed.bed"
        else:
            rename = _without_chr if renaming == "remove" else _with_chr
            how = (
                f"bcftools annotate --rename-chrs names.txt -Oz -o renamed.vcf.gz {path}, with"
                f" one 'old new' pair per line in names.txt ('{unknown[0]} {rename(unknown[0])}')"
            )
        problem += (
            f": only the 'chr' prefix differs, and the reference uses {style}. Give a copy"
            f" with the reference's names, e.g. {how}"
        )
    else:
        problem += ": use a file made for this reference"
    return [problem]
