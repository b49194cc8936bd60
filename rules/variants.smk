# Variants of each donor's samples (parental and lines together): one joint pileup per
# donor and shard of the analysed genome (s{shard}: pieces of bounded size, small contigs
# packed, cuts in assembly gaps; ipscqc.shards; contig names are data in the shard's
# regions file, so names like HLA-A*01:01:01:01 work) feeds both the germline calls
# (bcftools call) and the sensitive candidate sites of the acquired-variant check (every
# allele with alt reads); the hotspot catalogue is genotyped by force; each line is then
# classified against its parental sample (docs/acquired_variants.md).


rule genome_shards:
    input:
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
    output:
        regions=[path_of("shard_regions", shard=index) for index in SHARD_INDEXES],
        table=path_of("shard_table"),
        versions=versions_of("genome_shards", "genome"),
    log:
        log_of("genome_shards/genome"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        shards=[
            [(region.contig, region.start, region.end) for region in shard.regions]
            for shard in SHARDS
        ],
        shard_bases=SHARD_BASES,
    script:
        "../scripts/genome_shards.py"


rule pileup_variants:
    input:
        bams=bams_of_donor,
        bais=bais_of_donor,
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        regions=path_of("shard_regions"),
    output:
        bcf=temp(path_of("pileup")),
        versions=versions_of("pileup_variants", "{donor}.s{shard}"),
    log:
        log_of("pileup_variants/{donor}.s{shard}"),
    benchmark:
        benchmark_of("pileup_variants/{donor}.s{shard}")
    group:
        "shard_calls"
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=memory_by_attempt(2000),
        runtime=shard_runtime(minutes_per_gb=20, minimum=30),
    params:
        versions=versions_command("bcftools", "htslib"),
        min_mapq=config["params"]["mpileup"]["min_mapq"],
        min_baseq=config["params"]["mpileup"]["min_baseq"],
        max_depth=config["params"]["mpileup"]["max_depth"],
    shell:
        # the shard's stretches from its regions file (contig names are data there, never
        # a region string); then keeps the sites with an observed alt allele (<*> alone
        # means none)
        "(bcftools mpileup --fasta-ref {input.reference:q} --regions-file {input.regions:q}"
        " --annotate FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP,FORMAT/SP"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth {params.max_depth}"
        " --output-type u {input.bams:q}"
        " | bcftools view --include 'N_ALT>1 || TYPE=\"indel\"' --output-type b"
        " --output {output.bcf:q} && {params.versions}) 2> {log:q}"


rule sex_chromosome_ploidy:
    input:
        fai=reference_of("alignment_reference_fai"),
    output:
        ploidy=path_of("ploidy"),
        sexes=path_of("sexes"),
    log:
        log_of("sex_chromosome_ploidy/{donor}"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        genome=GENOME_PARAMS,
        declared_sex=declared_sex_of_donor,
    script:
        "../scripts/ploidy_files.py"


rule call_variants:
    input:
        pileup=path_of("pileup"),
        reference=reference_of("alignment_reference"),
        ploidy=path_of("ploidy"),
        sexes=path_of("sexes"),
    output:
        bcf=temp(path_of("calls_part")),
        csi=temp(path_of("calls_part_index")),
        versions=versions_of("call_variants", "{donor}.s{shard}"),
    log:
        log_of("call_variants/{donor}.s{shard}"),
    group:
        "shard_calls"
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        versions=versions_command("bcftools"),
    shell:
        "(bcftools call --multiallelic-caller --variants-only --annotate GQ --output-type u"
        " --ploidy-file {input.ploidy:q} --samples-file {input.sexes:q} {input.pileup:q}"
        " | bcftools norm --fasta-ref {input.reference:q} --multiallelics -both"
        " --output-type b --output {output.bcf:q} && bcftools index {output.bcf:q}"
        " && {params.versions}) 2> {log:q}"


rule gather_variants:
    input:
        parts=[path_of("calls_part", shard=index) for index in SHARD_INDEXES],
        indexes=[path_of("calls_part_index", shard=index) for index in SHARD_INDEXES],
    output:
        vcf=path_of("donor_vcf"),
        tbi=path_of("donor_vcf_index"),
        versions=versions_of("gather_variants", "{donor}"),
    log:
        log_of("gather_variants/{donor}"),
    localrule: True
    conda:
        "../envs/bcftools.yaml"
    params:
        versions=versions_command("bcftools"),
    shell:
        # the shards joined in genome order (--allow-overlaps: sorted across a cut, where
        # an indel may be left-aligned into the shard before; ipscqc.shards)
        "(bcftools concat --allow-overlaps --output-type z --output {output.vcf:q}"
        " {input.parts:q}"
        " && bcftools index --tbi {output.vcf:q} && {params.versions}) 2> {log:q}"


rule variant_stats:
    input:
        vcf=path_of("donor_vcf"),
        reference=reference_of("alignment_reference"),
    output:
        stats=path_of("variant_stats"),
        versions=versions_of("variant_stats", "{donor}"),
    log:
        log_of("variant_stats/{donor}"),
    localrule: True
    conda:
        "../envs/bcftools.yaml"
    params:
        versions=versions_command("bcftools"),
    shell:
        "(bcftools stats --samples - --fasta-ref {input.reference:q} {input.vcf:q}"
        " > {output.stats:q} && {params.versions}) 2> {log:q}"


rule candidate_variants:
    input:
        pileup=path_of("pileup"),
        reference=reference_of("alignment_reference"),
    output:
        bcf=temp(path_of("candidates_part")),
        csi=temp(path_of("candidates_part_index")),
        versions=versions_of("candidate_variants", "{donor}.s{shard}"),
    log:
        log_of("candidate_variants/{donor}.s{shard}"),
    group:
        "shard_calls"
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        min_alt_reads=config["variants"]["candidate_min_alt_reads"],
        versions=versions_command("bcftools"),
    shell:
        # one record per allele, left-aligned; an allele with enough reads in any sample
        "(bcftools norm --fasta-ref {input.reference:q} --multiallelics -any --output-type u"
        " {input.pileup:q}"
        " | bcftools view --include 'ALT!=\"<*>\" && MAX(FMT/AD[:1])>={params.min_alt_reads}'"
        " --output-type b --output {output.bcf:q} && bcftools index {output.bcf:q}"
        " && {params.versions}) 2> {log:q}"


rule annotate_candidates:
    input:
        parts=[path_of("candidates_part", shard=index) for index in SHARD_INDEXES],
        indexes=[path_of("candidates_part_index", shard=index) for index in SHARD_INDEXES],
        reference=reference_of("alignment_reference"),
        annotation=config["reference"]["annotation"],
    output:
        vcf=path_of("candidates_vcf"),
        tbi=path_of("candidates_vcf_index"),
        table=path_of("candidates_table"),
        versions=versions_of("annotate_candidates", "{donor}"),
    log:
        log_of("annotate_candidates/{donor}"),
    benchmark:
        benchmark_of("annotate_candidates/{donor}")
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=memory_by_attempt(4000),
        runtime=60,
    params:
        versions=versions_command("bcftools"),
        fields=CANDIDATE_FIELDS,
    shell:
        # csq without genotypes (--samples -) and one record at a time (--local-csq)
        "(bcftools concat --allow-overlaps --output-type u {input.parts:q}"
        " | bcftools csq --fasta-ref {input.reference:q} --gff-annot {input.annotation:q}"
        " --samples - --local-csq --output-type z --output {output.vcf:q}"
        " && bcftools index --tbi {output.vcf:q}"
        " && bcftools query --print-header --format {params.fields:q} {output.vcf:q}"
        " | gzip -c > {output.table:q} && {params.versions}) 2> {log:q}"


rule map_hotspots:
    input:
        hotspots=HOTSPOT_CATALOGUE,
        annotation=config["reference"]["annotation"],
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
    output:
        entries=path_of("hotspot_entries"),
        alleles=path_of("hotspot_alleles"),
        positions=path_of("hotspot_positions"),
        versions=versions_of("map_hotspots", "catalogue"),
    log:
        log_of("map_hotspots/map"),
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/map_hotspots.py"


rule genotype_hotspots:
    input:
        bams=bams_of_donor,
        bais=bais_of_donor,
        reference=reference_of("alignment_reference"),
        positions=path_of("hotspot_positions"),
    output:
        table=path_of("hotspot_pileup"),
        versions=versions_of("genotype_hotspots", "{donor}"),
    log:
        log_of("genotype_hotspots/{donor}"),
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        versions=versions_command("bcftools"),
        min_mapq=config["params"]["mpileup"]["min_mapq"],
        min_baseq=config["params"]["mpileup"]["min_baseq"],
        max_depth=config["params"]["mpileup"]["max_depth"],
        fields=HOTSPOT_FIELDS,
    shell:
        # counts at every catalogue position, also where no alt read is seen (ALT <*>)
        "(if [ -s {input.positions:q} ]; then"
        " bcftools mpileup --fasta-ref {input.reference:q} --regions-file {input.positions:q}"
        " --annotate FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth {params.max_depth}"
        " --output-type u {input.bams:q}"
        " | bcftools query --print-header --format {params.fields:q};"
        " fi > {output.table:q} && {params.versions}) 2> {log:q}"


rule panel_of_normals:
    input:
        tables=[path_of("candidates_table", donor=donor) for donor in DONORS],
    output:
        table=path_of("panel_of_normals"),
        versions=versions_of("panel_of_normals", "run"),
    log:
        log_of("panel_of_normals/run"),
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=memory_by_attempt(4000),
        runtime=60,
    params:
        donors=DONORS,
        samples={donor: samples_of_donor(donor) for donor in DONORS},
        min_alt_reads=config["variants"]["origin"]["pon_min_alt_reads"],
    script:
        "../scripts/panel_of_normals.py"


rule user_panel_of_normals:
    input:
        vcf=config["variants"]["origin"]["pon_vcf"] or [],
        reference=reference_of("alignment_reference"),
    output:
        table=path_of("user_panel_of_normals"),
        versions=versions_of("user_panel_of_normals", "run"),
    log:
        log_of("user_panel_of_normals/run"),
    conda:
        "../envs/bcftools.yaml"
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        versions=versions_command("bcftools"),
    shell:
        # biallelic records, left-aligned against the same reference as the candidates
        "(bcftools norm --fasta-ref {input.reference:q} --multiallelics -any {input.vcf:q}"
        " | bcftools query --format '%CHROM\\t%POS\\t%REF\\t%ALT\\n'"
        " > {output.table:q} && {params.versions}) 2> {log:q}"


rule classify_variants:
    input:
        unpack(variant_classification_inputs),
        reference=reference_of("alignment_reference"),
        fai=reference_of("alignment_reference_fai"),
        hotspots=HOTSPOT_CATALOGUE,
        cancer_genes=CANCER_GENES,
        hotspot_entries=path_of("hotspot_entries"),
        hotspot_alleles=path_of("hotspot_alleles"),
    output:
        findings=findings_of("{line}", "acquired_variants"),
        table=path_of("findings_table", sample="{line}", check="acquired_variants"),
        versions=versions_of("classify_variants", "{line}"),
    log:
        log_of("classify_variants/{line}"),
    benchmark:
        benchmark_of("classify_variants/{line}")
    conda:
        "../envs/python.yaml"
    resources:
        # 7.3 GB for 4.5 M candidate rows (docs/benchmarks_human_scale.md)
        mem_mb=memory_by_attempt(9000),
        runtime=60,
    params:
        line="{line}",
        parental=parental_of_line,
        sex=sex_of_line,
        donor=donor_of_line,
        other_lines=other_lines_of_line,
        normal_samples=unrelated_samples_of_line,
        settings=config["variants"],
        genome=GENOME_PARAMS,
    script:
        "../scripts/classify_variants.py"
