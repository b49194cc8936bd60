"""Entry point of rules sample_checksums and reference_checksums: sha256 of the inputs.

FASTQs (and a unit's BAM/CRAM) are recorded with their path as the units sheet gives
it, the kept alignments (BAM, or CRAM) and the alignment reference with their path
under the results folder, reference files with their config path, so the same inputs
give the same record wherever the results are written.
"""

from ipscqc.certificate import file_record
from ipscqc.contract import write_json
from ipscqc.snake import run


def main(inputs, outputs, params):
    if params.kind == "reference":
        document = {
            name: file_record(path) if path else None
            for name, path in zip(params.names, params.paths, strict=True)
        }
        document["alignment_reference"] = file_record(
            inputs.alignment_reference, params.alignment_reference_name
        )
    else:
        document = {
            "sample": params.sample,
            "fastq": [
                {"unit": unit, "read": read, **file_record(path)}
                for unit, read, path in zip(params.units, params.reads, inputs.fastq, strict=True)
            ],
            "bam": file_record(inputs.bam, params.bam_name),
        }
    write_json(outputs[0], document)


if "snakemake" in globals():
    run(main, snakemake)  # noqa: F821
