from ipscqc.genome import GenomeModel
from ipscqc.ploidy import ploidy_lines, sample_sex_lines


def lines_of(lengths, build):
    return ploidy_lines(lengths, GenomeModel.of(build, lengths))


def test_toy_build_male_x_haploid_whole_length_and_y_absent_in_females():
    lines = lines_of({"chr1": 100, "chrX": 50, "chrY": 20}, "toy")
    assert "chrX\t1\t50\tM\t1" in lines
    assert "chrY\t1\t20\tM\t1" in lines
    assert "chrY\t1\t20\tF\t0" in lines
    assert not any(line.startswith("chr1\t") for line in lines)


def test_grch38_pseudoautosomal_regions_stay_diploid_in_males():
    lines = lines_of({"chrX": 156_040_895}, "GRCh38")
    haploid = [line.split("\t") for line in lines if line.startswith("chrX")]
    assert haploid == [
        ["chrX", "1", "10000", "M", "1"],
        ["chrX", "2781480", "155701382", "M", "1"],
        ["chrX", "156030896", "156040895", "M", "1"],
    ]


def test_x_without_chr_prefix_and_no_y():
    lines = lines_of({"1": 10, "X": 30}, "toy")
    assert "X\t1\t30\tM\t1" in lines
    assert not any(line.startswith("Y") for line in lines)


def test_unknown_sex_called_as_female():
    assert sample_sex_lines({"b": "unknown", "a": "male"}) == ["a\tM", "b\tF"]


def test_the_mitochondrion_is_haploid_in_everyone():
    lines = lines_of({"chr1": 100, "chrM": 16_569}, "GRCh38")
    assert "chrM\t1\t16569\tM\t1" in lines and "chrM\t1\t16569\tF\t1" in lines
