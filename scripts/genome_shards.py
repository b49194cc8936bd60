"""Entry point of rule genome_shards: one regions file per shard of the analysed genome
(ipscqc.shards), cuts moved into assembly gaps of the alignment reference, and a table
of the shards (shard, contig, start, end, bases)."""

import pysam
from ipscqc.contract import write_atomic
from ipscqc.shards import Region, Shard, cut_in_gaps
from ipscqc.snake import run


def main(inputs, outputs, params) -> None:
    planned = [
        Shard(index, tuple(Region(*region) for region in regions))
        for index, regions in enumerate(params.shards)
    ]
    with pysam.FastaFile(inputs.reference) as fasta:
        shards = cut_in_gaps(
            planned,
            params.shard_bases,
            lambda contig, start, end: fasta.fetch(contig, start, end).encode(),
        )
    for shard, path in zip(shards, outputs.regions, strict=True):
        write_atomic(path, shard.regions_file_text())
    rows = ["shard\tcontig\tstart\tend\tbases\n"] + [
        f"s{shard.index}\t{r.contig}\t{r.start}\t{r.end}\t{r.bases}\n"
        for shard in shards
        for r in shard.regions
    ]
    write_atomic(outputs.table, "".join(rows))


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
