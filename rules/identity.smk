# Identity across every sample of the run: genotypes at shared sites (the user's site
# list, or the run's own germline SNVs), pairwise relatedness, inferred sex and
# contamination. One cohort-wide job per step; findings per sample, in the order of
# params.samples.

IDENTITY = config["identity"]


rule identity_sites:
    input:
        sources=(
            [IDENTITY["sites"]]
            if IDENTITY["sites"]
            else [path_of("donor_vcf", donor=donor) for donor in DONORS]
        ),
    output:
        vcf=path_of("identity_sites"),
        tbi=path_of("identity_sites_index"),
        alleles=path_of("identity_alleles"),
        alleles_tbi=path_of("identity_alleles_index"),
    log:
        log_of("identity/sites"),
    benchmark:
        benchmark_of("identity/sites")
    conda:
        "../envs/python.yaml"
    resources:
        # 3.9 GB for two donor VCFs of 3.9 M records (docs/benchmarks_human_scale.md)
        mem_mb=memory_by_attempt(5000),
        runtime=30,
    params:
        min_qual=0 if IDENTITY["sites"] else IDENTITY["min_site_qual"],
        max_sites=IDENTITY["max_sites"],
        population_sites=bool(IDENTITY["sites"]),
        genome=GENOME_PARAMS,
    script:
        "../scripts/identity_sites.py"


rule genotype_cohort:
    input:
        bams=[path_of("bam", sample=sample) for sample in SAMPLES],
        bais=[path_of("bai", sample=sample) for sample in SAMPLES],
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        sites=path_of("identity_sites"),
        sites_tbi=path_of("identity_sites_index"),
        alleles=path_of("identity_alleles"),
        alleles_tbi=path_of("identity_alleles_index"),
    output:
        vcf=path_of("cohort_vcf"),
        tbi=path_of("cohort_vcf_index"),
        versions=versions_of("genotype_cohort", "cohort"),
    log:
        log_of("identity/genotype_cohort"),
    benchmark:
        benchmark_of("identity/genotype_cohort")
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=scaled_runtime(minutes_per_gb=5, minimum=30),
    params:
        versions=versions_command("bcftools"),
        min_mapq=config["params"]["mpileup"]["min_mapq"],
        min_baseq=config["params"]["mpileup"]["min_baseq"],
        max_depth=config["params"]["mpileup"]["max_depth"],
    shell:
        "(bcftools mpileup --fasta-ref {input.reference:q} --regions-file {input.sites:q}"
        " --annotate FORMAT/AD,FORMAT/DP --min-MQ {params.min_mapq} --min-BQ {params.min_baseq}"
        " --max-depth {params.max_depth} --output-type u {input.bams:q}"
        " | bcftools call --multiallelic-caller --constrain alleles"
        " --targets-file {input.alleles:q} --output-type z --output {output.vcf:q}"
        " && bcftools index --tbi {output.vcf:q} && {params.versions}) 2> {log:q}"


rule identity_findings:
    input:
        vcf=path_of("cohort_vcf"),
    output:
        pairs=path_of("relatedness"),
        heatmap=path_of("relatedness_mqc"),
        pairing=path_of("pairing"),
        findings=[findings_of(sample, "identity") for sample in SAMPLES],
        versions=versions_of("identity_findings", "cohort"),
    log:
        log_of("identity/findings"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=SAMPLES,
        sheet=SHEET,
        settings=IDENTITY,
        genome=GENOME_PARAMS,
    script:
        "../scripts/identity_findings.py"


rule sex_findings:
    input:
        vcf=path_of("cohort_vcf"),
        regions=[path_of("mosdepth_regions", sample=sample) for sample in SAMPLES],
        y_regions=config["sex"]["y_regions"] or [],
    output:
        findings=[findings_of(sample, "sex") for sample in SAMPLES],
        versions=versions_of("sex_findings", "cohort"),
    log:
        log_of("identity/sex"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=SAMPLES,
        sheet=SHEET,
        settings=config["sex"],
        genome=GENOME_PARAMS,
    script:
        "../scripts/sex_findings.py"


rule contamination_findings:
    input:
        vcf=path_of("cohort_vcf"),
        pairs=path_of("relatedness"),
        sites=path_of("identity_sites"),
    output:
        findings=[findings_of(sample, "contamination") for sample in SAMPLES],
        versions=versions_of("contamination_findings", "cohort"),
    log:
        log_of("identity/contamination"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=SAMPLES,
        sheet=SHEET,
        settings=config["contamination"],
        sites_file=bool(IDENTITY["sites"]),
        genome=GENOME_PARAMS,
    script:
        "../scripts/contamination_findings.py"
