# Reference preparation: contig checks, the alignment reference (genome plus vector
# decoy contigs), its FASTA index, sequence dictionary and bwa index.


rule check_reference:
    input:
        fasta=REFERENCE["fasta"],
        annotation=REFERENCE["annotation"],
        vectors=REFERENCE["vectors"] or [],
        targets=REFERENCE["targets"] or [],
    output:
        out("reference/contigs.json"),
    log:
        log_of("reference/check_reference"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/check_reference.py"


rule alignment_reference:
    input:
        fasta=REFERENCE["fasta"],
        vectors=REFERENCE["vectors"] or [],
        checked=out("reference/contigs.json"),
    output:
        out("reference/genome.fa"),
    log:
        log_of("reference/alignment_reference"),
    localrule: True
    conda:
        "../envs/samtools.yaml"
    shell:
        "(gzip -cdf {input.fasta:q} {input.vectors:q} > {output:q}) 2> {log:q}"


rule faidx:
    input:
        out("reference/genome.fa"),
    output:
        fai=out("reference/genome.fa.fai"),
        dict=out("reference/genome.dict"),
    log:
        log_of("reference/faidx"),
    localrule: True
    conda:
        "../envs/samtools.yaml"
    shell:
        "(samtools faidx {input:q} && samtools dict -o {output.dict:q} {input:q}) 2> {log:q}"


rule bwa_index:
    input:
        fasta=out("reference/genome.fa"),
        preflight=ancient(out("preflight/reference.json")),
    output:
        multiext(out("reference/genome.fa"), ".amb", ".ann", ".bwt", ".pac", ".sa"),
    log:
        log_of("reference/bwa_index"),
    benchmark:
        benchmark_of("reference/bwa_index")
    conda:
        "../envs/bwa.yaml"
    resources:
        mem_mb=memory_by_attempt(8000),
        runtime=scaled_runtime(minutes_per_gb=40, minimum=30),
    shell:
        "bwa index {input.fasta:q} 2> {log:q}"
