# Reprogramming vector and transgene residue: reads on the vector decoy families of the
# alignment reference (and a reference's chrEBV), and reads joining exons of
# reprogramming genes without introns.

VECTORS = config["vectors"]


rule vector_evidence:
    input:
        bam=path_of("bam"),
        bai=path_of("bai"),
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        annotation=REFERENCE["annotation"],
    output:
        evidence=path_of("vector_evidence"),
        versions=versions_of("vector_evidence", "{sample}"),
    log:
        log_of("vectors/evidence.{sample}"),
    benchmark:
        benchmark_of("vectors/evidence.{sample}")
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=memory_by_attempt(1000),
        runtime=scaled_runtime(minutes_per_gb=2, minimum=15),
    params:
        sample="{sample}",
        vectors=VECTOR_CONTIGS,
        genes=VECTORS["transgene_genes"],
        min_mapq=VECTORS["min_mapq"],
        min_clip=VECTORS["min_clip"],
        anchor=VECTORS["anchor"],
        min_reads=VECTORS["min_reads"],
        kmer=VECTORS["kmer"],
        min_shared_kmers=VECTORS["min_shared_kmers"],
        genome=GENOME_PARAMS,
    script:
        "../scripts/vectors_evidence.py"


rule vector_findings:
    input:
        evidence=[path_of("vector_evidence", sample=sample) for sample in SAMPLES],
        regions=[path_of("mosdepth_regions", sample=sample) for sample in SAMPLES],
        pairing=path_of("pairing"),
    output:
        findings=[findings_of(sample, "vectors") for sample in SAMPLES],
        versions=versions_of("vector_findings", "cohort"),
    log:
        log_of("vectors/findings"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=15,
    params:
        samples=SAMPLES,
        sheet=SHEET,
        settings=VECTORS,
        genome=GENOME_PARAMS,
    script:
        "../scripts/vectors_findings.py"
