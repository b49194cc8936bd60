"""A prepared reference folder (ipscqc.prepared_reference): its manifest records what it
was built from and holds; a folder built from another FASTA or vectors file, or with a
file changed since, is refused with one line naming the file."""

from __future__ import annotations

import json

import pytest
from ipscqc.prepared_reference import MANIFEST, build_manifest, manifest_problems


@pytest.fixture
def prepared(tmp_path):
    fasta, vectors = tmp_path / "genome.fa", tmp_path / "vectors.fa"
    fasta.write_text(">chr1\nACGT\n")
    vectors.write_text(">pCXLE\nGGCC\n")
    folder = tmp_path / "prepared"
    folder.mkdir()
    files = []
    for name, text in (("genome.fa", ">chr1\nACGT\n>pCXLE\nGGCC\n"), ("genome.fa.bwt", "index")):
        (folder / name).write_text(text)
        files.append(folder / name)
    manifest = build_manifest(str(fasta), str(vectors), files, {"bwa_index": "bwa: 0.7.17\n"})
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return {"folder": folder, "fasta": str(fasta), "vectors": str(vectors), "files": files}


def problems(prepared, **changes) -> list[str]:
    arguments = {**prepared, **changes}
    _, found = manifest_problems(
        arguments["folder"], arguments["fasta"], arguments["vectors"], arguments["files"]
    )
    return found


def test_the_manifest_records_sources_files_and_versions(prepared):
    manifest = json.loads((prepared["folder"] / MANIFEST).read_text())
    assert manifest["built_from"]["fasta"]["path"] == prepared["fasta"]
    assert manifest["built_from"]["vectors"]["bytes"] == len(">pCXLE\nGGCC\n")
    assert manifest["files"]["genome.fa.bwt"]["bytes"] == len("index")
    assert len(manifest["files"]["genome.fa"]["sha256"]) == 64
    assert manifest["versions"] == {"bwa_index": "bwa: 0.7.17\n"}
    assert problems(prepared) == []


def test_another_fasta_is_refused(prepared, tmp_path):
    other = tmp_path / "other.fa"
    other.write_text(">chr1\nACGA\n")
    (found,) = problems(prepared, fasta=str(other))
    assert f"was built from reference.fasta {prepared['fasta']!r}" in found
    assert f"but {str(other)!r} has sha256" in found
    # the same FASTA edited in place is refused too
    with open(prepared["fasta"], "a") as handle:
        handle.write("A\n")
    (found,) = problems(prepared)
    assert "the prepared index does not fit this file" in found


def test_vectors_left_out_or_added_are_refused(prepared, tmp_path):
    (found,) = problems(prepared, vectors="")
    assert "this run has no reference.vectors" in found
    without = dict(prepared, folder=tmp_path / "without")
    without["folder"].mkdir()
    manifest = build_manifest(prepared["fasta"], "", prepared["files"], {})
    (without["folder"] / MANIFEST).write_text(json.dumps(manifest))
    (found,) = problems(without)
    assert "was built without reference.vectors" in found


def test_a_changed_missing_or_unlisted_file_is_refused(prepared):
    index = prepared["folder"] / "genome.fa.bwt"
    index.write_text("indeX")  # same size, other content
    (found,) = problems(prepared)
    assert found.startswith(f"reference.prepared: {index} changed since the folder was prepared")
    index.unlink()
    assert problems(prepared) == [f"reference.prepared: {index}: file not found"]
    (found,) = problems(prepared, files=[prepared["folder"] / "genome.fa.sa"])
    assert "was prepared without genome.fa.sa (another aligner?)" in found


def test_a_folder_without_a_manifest_or_with_another_format_is_refused(prepared, tmp_path):
    (found,) = problems(prepared, folder=tmp_path / "nowhere")
    assert found.startswith(f"reference.prepared: folder not found: {str(tmp_path / 'nowhere')!r}")
    (found,) = problems(prepared, folder=tmp_path)
    assert f"{str(tmp_path)!r} holds no {MANIFEST}: it is not a prepared reference folder" in found
    (prepared["folder"] / MANIFEST).write_text('{"format": 99}')
    (found,) = problems(prepared)
    assert "not a manifest of format 1" in found
    (prepared["folder"] / MANIFEST).write_text("{")
    (found,) = problems(prepared)
    assert "not a readable manifest" in found


def test_a_prepared_folder_inside_the_results_folder_is_refused_at_start(tmp_path):
    from user_inputs import snakemake, write_config, write_user_inputs

    config = write_user_inputs(tmp_path / "inputs")
    config.update(results="out")
    config["reference"]["prepared"] = "out/reference"
    write_config(tmp_path / "my_config.yaml", config)
    (tmp_path / "out" / "reference").mkdir(parents=True)
    (tmp_path / "out" / "reference" / MANIFEST).write_text('{"format": 1}')
    done = snakemake(tmp_path, "--configfile", "my_config.yaml", "-n")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert (
        "config: reference.prepared: 'out/reference/manifest.json' lies inside the results"
        " folder 'out'" in output
    ), output
