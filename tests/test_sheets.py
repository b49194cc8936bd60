"""Tests for scripts/ipscqc/sheets.py and the sheet schemas."""

import importlib
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
_sheets = importlib.import_module("ipscqc.sheets")
SheetError = _sheets.SheetError
check_sheets = _sheets.check_sheets
load_and_check = _sheets.load_and_check
load_samples = _sheets.load_samples
load_units = _sheets.load_units
read_sheet = _sheets.read_sheet

SAMPLES_SCHEMA = ROOT / "schemas" / "samples.schema.yaml"
UNITS_SCHEMA = ROOT / "schemas" / "units.schema.yaml"

SAMPLES_HEADER = "sample\tdonor\trole\tparental\tsex\tpassage\tnotes"
GOOD_SAMPLES = [
    "# donor D1: one parental, two lines",
    SAMPLES_HEADER,
    "P1\tD1\tparental\t\tfemale\t\tblood",
    "L1\tD1\tline\tP1\t\t12\t",
    "L2\tD1\tline\tP1\tfemale\t3\tclone #2",
    "",
    "# donor D2: line-only",
    "L3\tD2\tline\t\t\t\t",
]
UNITS_HEADER = "sample\tunit\tfq1\tfq2"
GOOD_UNITS = [
    UNITS_HEADER,
    "P1\tu1\tfastq/P1_R1.fq.gz\tfastq/P1_R2.fq.gz",
    "L1\tu1\tfastq/L1_R1.fq.gz\tfastq/L1_R2.fq.gz",
    "L2\tu1\tfastq/L2_u1_R1.fq.gz\tfastq/L2_u1_R2.fq.gz",
    "L2\tu2\tfastq/L2_u2_R1.fq.gz\tfastq/L2_u2_R2.fq.gz",
    "L3\tu1\tfastq/L3_R1.fq.gz\tfastq/L3_R2.fq.gz",
]


def write(path: Path, lines) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def make_fastqs(directory: Path, units_lines) -> None:
    for line in units_lines[1:]:
        for name in filter(None, line.split("\t")[2:]):
            fastq = directory / name
            fastq.parent.mkdir(parents=True, exist_ok=True)
            fastq.write_text("@r\nACGT\n+\nIIII\n")


@pytest.fixture
def sheets(tmp_path):
    """Write good sheets (units in a subdirectory) and their FASTQ files."""

    def _write(samples=GOOD_SAMPLES, units=GOOD_UNITS, fastqs=True):
        sdir = tmp_path / "cfg"
        sdir.mkdir(exist_ok=True)
        samples_path = write(sdir / "samples.tsv", samples)
        units_path = write(sdir / "units.tsv", units)
        if fastqs:
            make_fastqs(sdir, units)
        return samples_path, units_path

    return _write


def load(samples_path, units_path, check_files=True):
    return load_and_check(
        samples_path, units_path, SAMPLES_SCHEMA, UNITS_SCHEMA, check_files=check_files
    )


def assert_error(exc_info, file, line, field):
    """One line of the error names the file, line and field."""
    pattern = rf"^{re.escape(str(file))}, line {line}( \([^)]*\))?, field '{field}': \S"
    lines = str(exc_info.value).splitlines()
    assert any(re.match(pattern, text) for text in lines), lines


def test_good_sheets_load_with_defaults(sheets):
    samples_path, units_path = sheets()
    samples, units = load(samples_path, units_path)
    assert list(samples.index) == ["P1", "L1", "L2", "L3"]
    assert samples.loc["L1", "sex"] == "unknown"
    assert samples.loc["P1", "sex"] == "female"
    assert samples.loc["L3", "notes"] == ""
    assert samples.loc["L2", "notes"] == "clone #2"
    assert samples.loc["L3", "parental"] == ""
    assert samples.loc["L1", "passage"] == "12"
    assert samples.loc["L2", "_line"] == 5
    assert units.index.names == ["sample", "unit"]
    assert len(units) == 5


def test_relative_fastq_paths_resolved_against_sheet_dir(sheets, tmp_path, monkeypatch):
    sheets()
    monkeypatch.chdir(tmp_path)
    units = load_units(Path("cfg/units.tsv"), UNITS_SCHEMA)
    fq1 = units.loc[("L2", "u2"), "fq1"]
    assert fq1 == str(tmp_path / "cfg" / "fastq" / "L2_u2_R1.fq.gz")
    assert Path(fq1).is_absolute()


def test_absolute_fastq_paths_kept(sheets, tmp_path):
    fq1, fq2 = tmp_path / "a_R1.fq.gz", tmp_path / "a_R2.fq.gz"
    units = [UNITS_HEADER, f"P1\tu1\t{fq1}\t{fq2}"]
    _, units_path = sheets(units=units, fastqs=False)
    frame = load_units(units_path, UNITS_SCHEMA)
    assert frame.loc[("P1", "u1"), "fq2"] == str(fq2)


def test_snakemake_validate_accepts_good_sheets(sheets):
    from snakemake.utils import validate

    samples_path, units_path = sheets()
    # as a workflow reads it: empty cells become NA, then defaults are filled
    raw = pd.read_csv(samples_path, sep="\t", dtype=str, comment="#")
    validate(raw, str(SAMPLES_SCHEMA), set_default=True)
    assert raw.loc[1, "sex"] == "unknown"
    validate(pd.read_csv(units_path, sep="\t", dtype=str), str(UNITS_SCHEMA), set_default=True)
    # the frames returned by load_and_check validate too
    samples, units = load(samples_path, units_path)
    validate(samples, str(SAMPLES_SCHEMA), set_default=True)
    validate(units, str(UNITS_SCHEMA), set_default=True)


def replace(lines, old, new):
    assert old in lines
    return [new if line == old else line for line in lines]


# Line numbers: samples sheet has a comment on line 1, header on line 2, P1 on line 3,
# L1 on 4, L2 on 5, blank 6, comment 7, L3 on 8; units sheet has the header on line 1.
SAMPLE_CASES = {
    "duplicate sample": ([*GOOD_SAMPLES, "L1\tD1\tline\tP1\t\t\t"], 9, "sample"),
    "unknown parental": (
        replace(GOOD_SAMPLES, "L1\tD1\tline\tP1\t\t12\t", "L1\tD1\tline\tP9\t\t12\t"),
        4,
        "parental",
    ),
    "parental is a line": (
        replace(GOOD_SAMPLES, "L1\tD1\tline\tP1\t\t12\t", "L1\tD1\tline\tL2\t\t12\t"),
        4,
        "parental",
    ),
    "parental with parental": (
        replace(GOOD_SAMPLES, "P1\tD1\tparental\t\tfemale\t\tblood", "P1\tD1\tparental\tL1\t\t\t"),
        3,
        "parental",
    ),
    "donor mismatch": (
        replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", "L3\tD2\tline\tP1\t\t\t"),
        8,
        "donor",
    ),
    "bad role": (
        replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", "L3\tD2\tclone\t\t\t\t"),
        8,
        "role",
    ),
    "bad sex": (
        replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", "L3\tD2\tline\t\tF\t\t"),
        8,
        "sex",
    ),
    "negative passage": (
        replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", "L3\tD2\tline\t\t\t-1\t"),
        8,
        "passage",
    ),
    "non-integer passage": (
        replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", "L3\tD2\tline\t\t\t2.5\t"),
        8,
        "passage",
    ),
    "missing donor": (
        replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", "L3\t\tline\t\t\t\t"),
        8,
        "donor",
    ),
    "sample without units": ([*GOOD_SAMPLES, "L4\tD2\tline\t\t\t\t"], 9, "sample"),
}


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=list(SAMPLE_CASES))
def test_bad_samples_sheet(sheets, case):
    samples, line, field = SAMPLE_CASES[case]
    samples_path, units_path = sheets(samples=samples)
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert_error(exc_info, samples_path, line, field)


UNIT_CASES = {
    "duplicate unit": ([*GOOD_UNITS, "L1\tu1\tx_R1.fq\tx_R2.fq"], 7, "unit"),
    "unit for unknown sample": ([*GOOD_UNITS, "X9\tu1\tx_R1.fq\tx_R2.fq"], 7, "sample"),
    "fq1 equals fq2": ([*GOOD_UNITS, "L3\tu2\tx_R1.fq\tx_R1.fq"], 7, "fq2"),
    "fastq used twice": ([*GOOD_UNITS, "L3\tu2\tx_R1.fq\tfastq/L1_R2.fq.gz"], 7, "fq2"),
    "missing fq2": ([*GOOD_UNITS, "L3\tu2\tx_R1.fq\t"], 7, "fq2"),
    "double quote in fq1": ([*GOOD_UNITS, 'L3\tu2\tx"1.fq\tx_R2.fq'], 7, "fq1"),
    "backslash in fq2": ([*GOOD_UNITS, "L3\tu2\tx_R1.fq\tx\\2.fq"], 7, "fq2"),
}


@pytest.mark.parametrize("case", UNIT_CASES, ids=list(UNIT_CASES))
def test_bad_units_sheet(sheets, case):
    units, line, field = UNIT_CASES[case]
    samples_path, units_path = sheets(units=units)
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert_error(exc_info, units_path, line, field)


def test_missing_fastq(sheets):
    samples_path, units_path = sheets()
    (units_path.parent / "fastq" / "L2_u2_R1.fq.gz").unlink()
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert_error(exc_info, units_path, 5, "fq1")
    assert "L2_u2_R1.fq.gz" in str(exc_info.value)
    load(samples_path, units_path, check_files=False)  # no file check: fine


BAD_IDS = ["a b", "a/b", "../x", "a'b", 'a"b', "a;b", "$(id)", "a`id`", "a|b", "..", ".", "-x"]
BAD_IDS += ["x" * 65, "a\\b", "a*b"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_sample_id(sheets, bad):
    samples = replace(GOOD_SAMPLES, "L3\tD2\tline\t\t\t\t", f"{bad}\tD2\tline\t\t\t\t")
    units = replace(
        GOOD_UNITS,
        "L3\tu1\tfastq/L3_R1.fq.gz\tfastq/L3_R2.fq.gz",
        f"{bad}\tu1\tfastq/L3_R1.fq.gz\tfastq/L3_R2.fq.gz",
    )
    samples_path, units_path = sheets(samples=samples, units=units)
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert_error(exc_info, samples_path, 8, "sample")
    assert_error(exc_info, units_path, 6, "sample")


@pytest.mark.parametrize("bad", ["a b", "a/b", "a;b", "$(id)", ".."])
def test_bad_other_ids(sheets, bad):
    samples = replace(GOOD_SAMPLES, "L1\tD1\tline\tP1\t\t12\t", f"L1\t{bad}\tline\t{bad}\t\t\t")
    units = replace(
        GOOD_UNITS,
        "L3\tu1\tfastq/L3_R1.fq.gz\tfastq/L3_R2.fq.gz",
        f"L3\t{bad}\tfastq/L3_R1.fq.gz\tfastq/L3_R2.fq.gz",
    )
    samples_path, units_path = sheets(samples=samples, units=units)
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert_error(exc_info, samples_path, 4, "donor")
    assert_error(exc_info, samples_path, 4, "parental")
    assert_error(exc_info, units_path, 6, "unit")


def test_all_errors_reported_one_per_line(sheets):
    samples = [*GOOD_SAMPLES, "L4\tD2\tclone\t\tF\t\t"]
    samples_path, units_path = sheets(samples=samples)
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert len(exc_info.value.errors) == 2
    assert str(exc_info.value).count("\n") == 1
    assert_error(exc_info, samples_path, 9, "role")
    assert_error(exc_info, samples_path, 9, "sex")


def test_missing_required_column(sheets):
    samples = ["sample\trole", "P1\tparental", "L1\tline"]
    samples_path, _ = sheets(samples=samples)
    with pytest.raises(SheetError) as exc_info:
        load_samples(samples_path, SAMPLES_SCHEMA)
    assert_error(exc_info, samples_path, 1, "donor")
    assert "columns found: 'sample', 'role'" in str(exc_info.value)


@pytest.mark.parametrize("content", ["", "\n# only a comment\n\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "samples.tsv"
    path.write_text(content)
    with pytest.raises(SheetError, match=rf"^{re.escape(str(path))}: sheet is empty"):
        read_sheet(path)


def test_header_only(tmp_path):
    path = write(tmp_path / "samples.tsv", [SAMPLES_HEADER])
    with pytest.raises(SheetError, match="no data rows"):
        read_sheet(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.tsv"
    with pytest.raises(SheetError, match=rf"^{re.escape(str(path))}: cannot read sheet"):
        load_samples(path, SAMPLES_SCHEMA)


def test_too_many_cells(tmp_path):
    path = write(tmp_path / "units.tsv", [UNITS_HEADER, "A\tu1\ta\tb\textra"])
    with pytest.raises(SheetError, match=r"units\.tsv, line 2: 5 tab-separated cells"):
        read_sheet(path)


def test_read_sheet_strips_and_numbers_lines(tmp_path):
    path = write(tmp_path / "s.tsv", ["# c", " a \t b ", "", " x\t", "y \tz"])
    frame = read_sheet(path, required=["a", "b"])
    assert frame.to_dict("records") == [
        {"a": "x", "b": "", "_line": 4},
        {"a": "y", "b": "z", "_line": 5},
    ]


def test_check_sheets_directly(sheets):
    samples_path, units_path = sheets()
    samples = load_samples(samples_path, SAMPLES_SCHEMA)
    units = load_units(units_path, UNITS_SCHEMA)
    check_sheets(samples, units, samples_path, units_path)
    with pytest.raises(SheetError) as exc_info:
        check_sheets(samples, units.iloc[1:], samples_path, units_path)
    assert_error(exc_info, samples_path, 3, "sample")


# --- columns: known, or an explicit extra column ---------------------------------


@pytest.mark.parametrize(
    ("column", "meant"),
    [("Parental", "parental"), ("Sex", "sex"), ("gender", "sex"), ("Pasage", "passage")],
)
def test_misspelled_optional_column_is_an_error_naming_the_column_meant(sheets, column, meant):
    samples = [line.replace("parental\tsex", "parental\tsex") for line in GOOD_SAMPLES]
    samples[1] = SAMPLES_HEADER.replace(meant, column)
    samples_path, units_path = sheets(samples=samples)
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    message = f"{samples_path}, line 2, field '{column}': unknown column; did you mean '{meant}'?"
    assert any(line.startswith(message) for line in exc_info.value.errors), exc_info.value
    assert "must be named x_<name>" in str(exc_info.value)


def test_unknown_column_is_an_error(sheets):
    samples = list(GOOD_SAMPLES)
    samples[1] = SAMPLES_HEADER + "\tfreezer_box"
    samples[2] += "\tA3"
    samples_path, units_path = sheets(samples=samples)
    with pytest.raises(SheetError, match=r"field 'freezer_box': unknown column\. Columns are"):
        load(samples_path, units_path)


def test_extra_columns_named_x_are_kept_and_not_read(sheets):
    samples = list(GOOD_SAMPLES)
    samples[1] = SAMPLES_HEADER + "\tx_freezer_box"
    samples[2] += "\tA3"
    samples_path, units_path = sheets(samples=samples)
    frame, _ = load(samples_path, units_path)
    assert frame.loc["P1", "x_freezer_box"] == "A3"
    assert frame.loc["L1", "x_freezer_box"] == ""


def test_units_column_named_like_nf_core(sheets):
    units = [UNITS_HEADER.replace("fq1", "fastq_1")] + GOOD_UNITS[1:]
    _, units_path = sheets(units=units)
    with pytest.raises(SheetError) as exc_info:
        load_units(units_path, UNITS_SCHEMA)
    assert "field 'fastq_1': unknown column; did you mean 'fq1'?" in str(exc_info.value)


# --- what spreadsheets and editors write -------------------------------------------


def test_excel_trailing_empty_columns_are_dropped(sheets):
    samples = [SAMPLES_HEADER + "\t\t\t"] + [line + "\t\t" for line in GOOD_SAMPLES[2:5]]
    samples_path, units_path = sheets(samples=samples, units=GOOD_UNITS[:4])
    frame = load_samples(samples_path, SAMPLES_SCHEMA)
    assert list(frame.index) == ["P1", "L1", "L2"]
    assert frame.loc["L2", "notes"] == "clone #2"


def test_value_in_an_unnamed_trailing_column_is_an_error(sheets):
    samples = [SAMPLES_HEADER + "\t\t", GOOD_SAMPLES[2] + "\t\tstray"]
    samples_path, _ = sheets(samples=samples)
    with pytest.raises(SheetError, match=r"line 2: 9 tab-separated cells, but the header"):
        load_samples(samples_path, SAMPLES_SCHEMA)


def test_bom_crlf_and_trailing_whitespace(tmp_path):
    path = tmp_path / "samples.tsv"
    text = "\r\n".join([SAMPLES_HEADER + " ", "P1\tD1\tparental\t\tfemale \t\tblood  ", ""])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    frame = load_samples(path, SAMPLES_SCHEMA)
    assert frame.loc["P1", "sex"] == "female" and frame.loc["P1", "notes"] == "blood"


@pytest.mark.parametrize("line_end", ["\r", "\n"], ids=["classic-mac-cr", "lf"])
def test_utf16_unicode_text_and_cr_line_ends(tmp_path, line_end):
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark; old Mac Excel ends lines
    with CR alone."""
    path = tmp_path / "samples.tsv"
    text = line_end.join([SAMPLES_HEADER, "P1\tD1\tparental\t\tfemale\t\tZürich", ""])
    path.write_bytes(text.encode("utf-16"))
    frame = load_samples(path, SAMPLES_SCHEMA)
    assert frame.loc["P1", "notes"] == "Zürich"


def test_windows_1252_sheet_names_the_line_and_the_byte(tmp_path):
    path = tmp_path / "samples.tsv"
    text = "\n".join([SAMPLES_HEADER, "P1\tD1\tparental\t\tfemale\t\tZürich", ""])
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(SheetError) as exc_info:
        load_samples(path, SAMPLES_SCHEMA)
    assert exc_info.value.errors == [
        f"{path}, line 2: byte 0xfc (column 26) is not UTF-8; the file looks Windows-1252"
        " or Latin-1 encoded (0xfc is 'ü' there): save the sheet as UTF-8"
        " (e.g. iconv -f WINDOWS-1252 -t UTF-8)"
    ]


@pytest.mark.parametrize("separator", [",", ";"])
def test_comma_separated_sheet_is_named(tmp_path, separator):
    path = tmp_path / "samples.tsv"
    path.write_text(SAMPLES_HEADER.replace("\t", separator) + "\nP1,D1,parental,,,,\n")
    with pytest.raises(SheetError, match=r"line 1: the header has no tab but .*s: the sheet"):
        load_samples(path, SAMPLES_SCHEMA)


# --- units given as an aligned BAM or CRAM -----------------------------------------

BAM_HEADER = "sample\tunit\tfq1\tfq2\tbam"


def test_a_unit_may_give_its_reads_as_bam(sheets):
    units = [BAM_HEADER] + [f"{line}\t" for line in GOOD_UNITS[1:-1]]
    units.append("L3\tu1\t\t\tfacility/L3.cram")
    samples_path, units_path = sheets(units=units)
    _, loaded = load(samples_path, units_path)
    row = loaded.loc[("L3", "u1")]
    assert row["bam"] == str(units_path.parent / "facility" / "L3.cram")
    assert row["fq1"] == "" and row["fq2"] == ""
    assert loaded.loc[("P1", "u1"), "bam"] == ""
    # a sheet without the bam column reads as before (bam empty)
    _, plain = load(*sheets())
    assert set(plain["bam"]) == {""}


BAM_CASES = {
    "bam and fastq": ("L3\tu1\tfastq/L3_R1.fq.gz\tfastq/L3_R2.fq.gz\tL3.bam", "bam", "not both"),
    "no reads": ("L3\tu1\t\t\t", "fq1", "no reads: give fq1 and fq2"),
    "bam missing": ("L3\tu1\t\t\tL3.bam", "bam", "BAM/CRAM file not found"),
    "bam used twice": ("L3\tu1\t\t\tfastq/P1_R1.fq.gz", "bam", "is also fq1 of P1/u1"),
}


@pytest.mark.parametrize("case", BAM_CASES, ids=list(BAM_CASES))
def test_bad_bam_units(sheets, case):
    row, field, message = BAM_CASES[case]
    units = [BAM_HEADER] + [f"{line}\t" for line in GOOD_UNITS[1:-1]] + [row]
    samples_path, units_path = sheets(units=units, fastqs=False)
    make_fastqs(units_path.parent, [UNITS_HEADER, *GOOD_UNITS[1:]])
    with pytest.raises(SheetError) as exc_info:
        load(samples_path, units_path)
    assert_error(exc_info, units_path, 6, field)
    assert message in str(exc_info.value)
