# Reference preparation: contig checks, the alignment reference (genome plus vector
# decoy contigs), its FASTA index, sequence dictionary and bwa index, and the manifest
# that lets a later run reuse them (reference.prepared); or, when reference.prepared
# names such a folder, the check that it fits this config (ipscqc.prepared_reference).


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
        # the dictionary names the FASTA beside it, not its absolute path (UR:), so a
        # reference folder reads the same wherever it was built or moved
        uri=Path(path_of("alignment_reference")).name,
    shell:
        "(samtools faidx {input:q} && samtools dict -u {params.uri:q} -o {output.dict:q} {input:q}"
        " && {params.versions}) 2> {log:q}"


rule bwa_index:
    input:
        fasta=path_of("alignment_reference"),
        preflight=ancient(path_of("preflight_reference")),
    output:
        multiext(path_of("alignment_reference"), *BWA_INDEX_SUFFIXES),
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


rule prepared_reference:
    input:
        files=ALIGNMENT_REFERENCE_FILES,
        versions=[versions_of(step, "reference") for step in REFERENCE_BUILD_STEPS],
        fasta=REFERENCE["fasta"],
        vectors=REFERENCE["vectors"] or [],
    output:
        path_of("reference_manifest"),
    log:
        log_of("reference/prepared_reference"),
    benchmark:
        benchmark_of("reference/prepared_reference")
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=memory_by_attempt(500),
        runtime=scaled_runtime(minutes_per_gb=1, minimum=10),
    params:
        steps=REFERENCE_BUILD_STEPS,
    script:
        "../scripts/prepared_reference.py"


if PREPARED_REFERENCE:

    # the versions of the jobs that built the folder come from its manifest
    ruleorder: check_prepared_reference > faidx
    ruleorder: check_prepared_reference > bwa_index

    rule check_prepared_reference:
        input:
            manifest=f"{PREPARED_REFERENCE}/{MANIFEST}",
            files=ALIGNMENT_REFERENCE_FILES,
            fasta=REFERENCE["fasta"],
            vectors=REFERENCE["vectors"] or [],
        output:
            checked=path_of("prepared_reference_check"),
            built_versions=[versions_of(step, "reference") for step in REFERENCE_BUILD_STEPS],
        log:
            log_of("reference/check_prepared_reference"),
        benchmark:
            benchmark_of("reference/check_prepared_reference")
        priority: 50
        conda:
            "../envs/python.yaml"
        resources:
            mem_mb=memory_by_attempt(500),
            runtime=scaled_runtime(minutes_per_gb=1, minimum=10),
        params:
            steps=REFERENCE_BUILD_STEPS,
        script:
            "../scripts/check_prepared_reference.py"
