# Identity across every sample of the run: genotypes at shared sites (the user's site
# list, or the run's own germline SNVs), pairwise relatedness, inferred sex and
# contamination. One cohort-wide job per step; findings per sample.

IDENTITY = config["identity"]


rule identity_sites:
    input:
        sources=(
            [IDENTITY["sites"]]
            if IDENTITY["sites"]
            else expand(out("variants/{donor}.vcf.gz"), donor=DONORS)
        ),
        fai=out("reference/genome.fa.fai"),
    output:
        vcf=out("identity/sites.vcf.gz"),
        tbi=out("identity/sites.vcf.gz.tbi"),
        alleles=out("identity/alleles.tsv.gz"),
        alleles_tbi=out("identity/alleles.tsv.gz.tbi"),
    log:
        log_of("identity/sites"),
    benchmark:
        benchmark_of("identity/sites")
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=30,
    params:
        min_qual=0 if IDENTITY["sites"] else IDENTITY["min_site_qual"],
        max_sites=IDENTITY["max_sites"],
    script:
        "../scripts/identity_sites.py"


rule genotype_cohort:
    input:
        bams=expand(out("alignments/{sample}.bam"), sample=SAMPLES),
        bais=expand(out("alignments/{sample}.bam.bai"), sample=SAMPLES),
        reference=out("reference/genome.fa"),
        fai=out("reference/genome.fa.fai"),
        sites=out("identity/sites.vcf.gz"),
        sites_tbi=out("identity/sites.vcf.gz.tbi"),
        alleles=out("identity/alleles.tsv.gz"),
        alleles_tbi=out("identity/alleles.tsv.gz.tbi"),
    output:
        vcf=out("identity/cohort.vcf.gz"),
        tbi=out("identity/cohort.vcf.gz.tbi"),
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
        min_mapq=config["params"]["mpileup"]["min_mapq"],
        min_baseq=config["params"]["mpileup"]["min_baseq"],
        max_depth=config["params"]["mpileup"]["max_depth"],
    shell:
        "(bcftools mpileup --fasta-ref {input.reference:q} --regions-file {input.sites:q}"
        " --annotate FORMAT/AD,FORMAT/DP --min-MQ {params.min_mapq} --min-BQ {params.min_baseq}"
        " --max-depth {params.max_depth} --output-type u {input.bams:q}"
        " | bcftools call --multiallelic-caller --constrain alleles"
        " --targets-file {input.alleles:q} --output-type z --output {output.vcf:q}"
        " && bcftools index --tbi {output.vcf:q}) 2> {log:q}"


rule identity_findings:
    input:
        vcf=out("identity/cohort.vcf.gz"),
    output:
        pairs=out("findings/cohort/relatedness.tsv"),
        heatmap=out("findings/cohort/relatedness_mqc.json"),
        table=out("findings/cohort/identity_mqc.tsv"),
        findings=[findings_file(sample, "identity") for sample in SAMPLES],
    log:
        log_of("identity/findings"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=samples[["donor", "parental", "sex"]].to_dict("index"),
        min_depth=IDENTITY["min_depth"],
        min_informative_sites=IDENTITY["min_informative_sites"],
        same_min=IDENTITY["same_individual_min_relatedness"],
        related_min=IDENTITY["related_min_relatedness"],
    script:
        "../scripts/identity_findings.py"


rule sex_findings:
    input:
        vcf=out("identity/cohort.vcf.gz"),
        regions=expand(out("qc/mosdepth/{sample}.regions.bed.gz"), sample=SAMPLES),
    output:
        table=out("findings/cohort/sex_mqc.tsv"),
        findings=[findings_file(sample, "sex") for sample in SAMPLES],
    log:
        log_of("identity/sex"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=samples[["donor", "parental", "sex"]].to_dict("index"),
        thresholds=config["sex"],
        build=REFERENCE["build"],
    script:
        "../scripts/sex_findings.py"


rule contamination_findings:
    input:
        vcf=out("identity/cohort.vcf.gz"),
        pairs=out("findings/cohort/relatedness.tsv"),
    output:
        table=out("findings/cohort/contamination_mqc.tsv"),
        findings=[findings_file(sample, "contamination") for sample in SAMPLES],
    log:
        log_of("identity/contamination"),
    localrule: True
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=samples[["donor", "parental", "sex"]].to_dict("index"),
        min_depth=config["contamination"]["min_depth"],
        min_sites=config["contamination"]["min_sites"],
    script:
        "../scripts/contamination_findings.py"
