# Reference preparation: contig checks, the alignment reference (genome plus vector
# decoy contigs), its FASTA index, sequence dictionary and bwa index.


rule check_reference:
    input:
        fasta=REFERENCE["fasta"],
        annotation=REFERENCE["annotation"],
        vectors=REFERENCE["vectors"] or [],
        targets=REFERENCE["targets"] or [],
        centromeres=COPY_NUMBER_CENTROMERES,
        recurrent_regions=COPY_NUMBER_RECURRENT_REGIONS,
        identity_sites=config["identity"]["sites"] or [],
        synonyms=RESOURCES / "gene_synonyms/transgenes.tsv",
    output:
        path_of("contigs"),
    log:
        log_of("reference/check_reference"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        transgene_genes=config["vectors"]["transgene_genes"],
        resources=RESOURCE_LABELS,
    script:
        "../scripts/check_reference.py"


rule alignment_reference:
    input:
        fasta=REFERENCE["fasta"],
        vectors=REFERENCE["vectors"] or [],
        checked=path_of("contigs"),
    output:
        path_of("alignment_reference"),
    log:
        log_of("reference/alignment_reference"),
    localrule: True
    conda:
        "../envs/samtools.yaml"
    params:
        with_vectors="yes" if REFERENCE["vectors"] else "no",
    shell:
        # each file uncompressed, without CR, and ending with a line end, so that the
        # next file's first header is never glued onto the last line of the one before
        "(gzip -cdf {input.fasta:q} | tr -d '\\r' | sed -e '$a\\'"
        " && if [ {params.with_vectors} = yes ]; then"
        " gzip -cdf {input.vectors:q} | tr -d '\\r' | sed -e '$a\\'; fi) > {output:q} 2> {log:q}"


rule faidx:
    input:
        path_of("alignment_reference"),
    output:
        fai=path_of("alignment_reference_fai"),
        dict=path_of("alignment_reference_dict"),
        versions=versions_of("faidx", "reference"),
    log:
        log_of("reference/faidx"),
    localrule: True
    conda:
        "../envs/samtools.yaml"
    params:
        versions=versions_command("samtools"),
    shell:
        "(samtools faidx {input:q} && samtools dict -o {output.dict:q} {input:q}"
        " && {params.versions}) 2> {log:q}"


rule bwa_index:
    input:
        fasta=path_of("alignment_reference"),
        preflight=ancient(path_of("preflight_reference")),
    output:
        multiext(path_of("alignment_reference"), ".amb", ".ann", ".bwt", ".pac", ".sa"),
        versions=versions_of("bwa_index", "reference"),
    log:
        log_of("reference/bwa_index"),
    benchmark:
        benchmark_of("reference/bwa_index")
    conda:
        "../envs/bwa.yaml"
    resources:
        mem_mb=memory_by_attempt(8000),
        runtime=scaled_runtime(minutes_per_gb=40, minimum=30),
    params:
        versions=versions_command("bwa"),
    shell:
        "(bwa index {input.fasta:q} && {params.versions}) 2> {log:q}"
