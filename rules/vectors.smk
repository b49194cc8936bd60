# Reprogramming vector and transgene residue: reads on the vector decoy contigs of the
# alignment reference, and reads joining exons of reprogramming genes without introns.

VECTORS = config["vectors"]


rule vector_evidence:
    input:
        bam=out("alignments/{sample}.bam"),
        bai=out("alignments/{sample}.bam.bai"),
        reference=out("reference/genome.fa"),
        fai=out("reference/genome.fa.fai"),
        annotation=REFERENCE["annotation"],
        vectors=REFERENCE["vectors"] or [],
    output:
        out("vectors/{sample}.evidence.json"),
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
        genes=VECTORS["transgene_genes"],
        min_mapq=VECTORS["min_mapq"],
        min_clip=VECTORS["min_clip"],
        anchor=VECTORS["anchor"],
    script:
        "../scripts/vectors_evidence.py"


rule vector_findings:
    input:
        evidence=expand(out("vectors/{sample}.evidence.json"), sample=SAMPLES),
        regions=expand(out("qc/mosdepth/{sample}.regions.bed.gz"), sample=SAMPLES),
    output:
        table=out("findings/cohort/vectors_mqc.tsv"),
        findings=[findings_file(sample, "vectors") for sample in SAMPLES],
    log:
        log_of("vectors/findings"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=15,
    params:
        samples=samples[["donor", "parental", "sex"]].to_dict("index"),
        min_reads=VECTORS["min_reads"],
        min_junction_reads=VECTORS["min_junction_reads"],
    script:
        "../scripts/vectors_findings.py"
