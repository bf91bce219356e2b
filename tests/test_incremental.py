"""A rebuild redoes only what changed, and gives exactly what a clean build gives:
the same dumps, byte for byte, and the same validation report — after edits,
added and deleted documents, changes that reach across documents, and with a
damaged or foreign cache (never trusted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from samverkansgraf.build import BuildResult, build
from samverkansgraf.build.cache import CACHE_DIRECTORY
from samverkansgraf.cli import cli
from samverkansgraf.sources import ProjectPaths
from samverkansgraf.validate.bydocument import result_to_json

HEDEMORA = "hedemora-2019-2022.ttl"
DALARNA = "dalarna-kultur-och-bildningsplan-2023-2026.ttl"
OREBRO = "orebro-handlingsplan-2020-2023.ttl"
WEBPAGE = "landstinget-dalarna-overenskommelser-webbsida.ttl"
# A sentence of the Dalarna plan (data/sources/002_…), quoted by statement 18.
DALARNA_QUOTE = (
    "Sedan den första regionala kulturplanen år 2013 har regionen erbjudit "
    "kommunerna att skriva överenskommelser, vilket alla valde att göra under "
    "planperioden 2019-2022."
)
# A commitment of the Dalarna plan whose partner is Hedemora's agreement, which
# is no skg:Actor (a violation the plan gets from another document).
PARTNER_COMMITMENT = (
    "<commitment/dalarna-kultur-och-bildningsplan-2023-2026/test> "
    "a skg:Commitment ;\n"
    "    skg:committedBy <region/20> ;\n"
    "    skg:modality skg:Shall ;\n"
    "    skg:partner <agreement/hedemora-2019-2022> ;\n"
    f'    skg:quote "{DALARNA_QUOTE}" .\n\n'
)


def _files(result: BuildResult) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in result.outputs}


def _results(result: BuildResult) -> list[object]:
    assert result.validation is not None
    return [result_to_json(r) for r in result.validation.results]


def _clean_build(project: ProjectPaths, where: Path) -> BuildResult:
    """A build of a copy of ``project``'s inputs, without any cache."""
    shutil.rmtree(where, ignore_errors=True)
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(project.root / name, where / name)
    return build(ProjectPaths(where))


def _same_as_clean(result: BuildResult, project: ProjectPaths, where: Path) -> None:
    clean = _clean_build(project, where)
    assert clean.built == len(clean.assembled.documents)
    assert _results(result) == _results(clean)
    assert (result.validation and result.validation.conforms) == (
        clean.validation and clean.validation.conforms
    )
    assert _files(result) == _files(clean)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_rebuild_after_edit_add_and_delete_equals_a_clean_build(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    aside = tmp_path / "aside"
    aside.mkdir()
    shutil.move(scratch.curated_dir / OREBRO, aside / OREBRO)
    first = build(scratch)
    assert first.built == 4 and first.revalidated == 4
    unchanged = build(scratch)
    assert (unchanged.built, unchanged.revalidated) == (0, 0)
    assert _files(unchanged) == _files(first)

    # Edit one document, add one, delete one.
    _edit(
        scratch.curated_dir / HEDEMORA,
        'skos:note "Texten anger inga underskrifter och inget datum."@sv',
        'skos:note "Texten anger inga underskrifter och inget datum (ändrad)."@sv',
    )
    shutil.move(aside / OREBRO, scratch.curated_dir / OREBRO)
    (scratch.curated_dir / WEBPAGE).unlink()
    rebuilt = build(scratch)
    # Hedemora and Örebro are built; the Dalarna plan points to Hedemora's
    # agreement, so it is validated again too.
    assert rebuilt.built == 2
    assert rebuilt.revalidated == 3
    assert "(ändrad)" in _files(rebuilt)["samverkansgraf.nq"].decode("utf-8")
    _same_as_clean(rebuilt, scratch, tmp_path / "clean")


@pytest.mark.slow
def test_a_change_reaches_the_documents_that_point_to_it(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """The Dalarna plan gets a commitment whose partner is Hedemora's agreement,
    which is no skg:Actor: a violation in the plan. Declaring the agreement an
    organisation in the Hedemora file (the plan unchanged) removes it; the rebuild
    sees that because the plan depends on Hedemora."""
    _edit(
        scratch.curated_dir / DALARNA,
        "<statement/dalarna-kultur-och-bildningsplan-2023-2026/18> a skg:Statement ;",
        PARTNER_COMMITMENT
        + "<statement/dalarna-kultur-och-bildningsplan-2023-2026/18> a skg:Statement ;",
    )
    broken = build(scratch)
    assert broken.validation is not None and not broken.validation.conforms
    assert [str(r.focus).rsplit("/", 1)[-1] for r in broken.validation.results] == [
        "test"
    ]
    assert broken.outputs == []
    _same_as_clean(broken, scratch, tmp_path / "clean-1")

    _edit(
        scratch.curated_dir / HEDEMORA,
        "<agreement/hedemora-2019-2022> a skg:Agreement",
        "<agreement/hedemora-2019-2022> a skg:Agreement , skg:CivilSocietyOrganisation",
    )
    mended = build(scratch)
    assert mended.built == 1  # Hedemora only...
    assert mended.revalidated == 2  # ...but the plan is validated again
    assert mended.validation is not None and mended.validation.conforms
    _same_as_clean(mended, scratch, tmp_path / "clean-2")


@pytest.mark.slow
def test_shapes_across_documents_are_checked_on_every_rebuild(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """Two clauses of Hedemora's agreement at one position, one of them curated in
    another file: ClausePositionUniqueShape joins across documents."""
    build(scratch)
    _edit(
        scratch.curated_dir / DALARNA,
        "<statement/dalarna-kultur-och-bildningsplan-2023-2026/18> a skg:Statement ;",
        "<clause/dalarna-test/1> a skg:Clause ;\n"
        "    dcterms:isPartOf <agreement/hedemora-2019-2022> ;\n"
        "    skg:position 1 ;\n"
        f'    skg:quote "{DALARNA_QUOTE}" .\n\n'
        "<statement/dalarna-kultur-och-bildningsplan-2023-2026/18> a skg:Statement ;",
    )
    clash = build(scratch)
    assert clash.built == 1
    assert clash.validation is not None and not clash.validation.conforms
    shapes = {str(r.shape).rsplit("#", 1)[-1] for r in clash.validation.results}
    assert shapes == {"ClausePositionUniqueShape"}
    # Both clauses are reported, Hedemora's too, though its file did not change.
    assert len(clash.validation.results) == 2
    _same_as_clean(clash, scratch, tmp_path / "clean")


def _entries(project: ProjectPaths) -> list[Path]:
    return sorted((project.root / CACHE_DIRECTORY / "documents").glob("*.entry"))


def test_a_damaged_cache_entry_is_rebuilt_not_trusted(
    scratch: ProjectPaths, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = build(scratch)
    entries = _entries(scratch)
    assert len(entries) == 5
    # A flipped byte near the end (inside a dump section), a truncated entry and
    # a damaged header.
    data = bytearray(entries[0].read_bytes())
    data[-10] ^= 0x20
    entries[0].write_bytes(bytes(data))
    entries[1].write_bytes(entries[1].read_bytes()[:-1000])
    data = bytearray(entries[2].read_bytes())
    data[60] ^= 0x01
    entries[2].write_bytes(bytes(data))
    rebuilt = build(scratch)
    assert _files(rebuilt) == _files(first)
    assert "rebuilding" in caplog.text
    # The header damage is found before the document is used: it is built again.
    assert rebuilt.built >= 1
    assert build(scratch).built == 0  # all entries sound again


def test_a_damaged_validation_memory_means_validating_everything(
    scratch: ProjectPaths,
) -> None:
    first = build(scratch)
    memory = scratch.root / CACHE_DIRECTORY / "validation.memory"
    data = bytearray(memory.read_bytes())
    data[len(data) // 2] ^= 0x01
    memory.write_bytes(bytes(data))
    again = build(scratch)
    assert again.revalidated == 5
    assert _results(again) == _results(first)
    assert build(scratch).revalidated == 0


def test_a_cache_of_another_format_is_emptied_and_rebuilt(
    scratch: ProjectPaths,
) -> None:
    build(scratch)
    manifest = scratch.root / CACHE_DIRECTORY / "manifest.json"
    manifest.write_text('{"format": 0}', "utf-8")
    again = build(scratch)
    assert again.built == 5
    assert len(_entries(scratch)) == 5


def test_a_folder_that_is_not_a_build_cache_is_left_alone(
    scratch: ProjectPaths, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = scratch.root / CACHE_DIRECTORY
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine", "utf-8")
    result = build(scratch)
    assert result.validation is not None and result.validation.conforms
    assert result.built == 5
    assert sorted(p.name for p in stranger.iterdir()) == ["notes.txt"]
    assert "is not a samverkansgraf build cache" in caplog.text


def test_full_rebuilds_everything_and_says_so(scratch: ProjectPaths) -> None:
    build(scratch)
    runner = CliRunner()
    quick = runner.invoke(cli, ["--project", str(scratch.root), "build"])
    assert quick.exit_code == 0, quick.output
    assert "rebuilt:  0 of 5 documents (5 from .build-cache/), 0 validated again" in (
        quick.output
    )
    full = runner.invoke(cli, ["--project", str(scratch.root), "build", "--full"])
    assert full.exit_code == 0, full.output
    assert "rebuilt:  5 of 5 documents, 5 validated again" in full.output


def _run_script(script: str, root: Path) -> subprocess.CompletedProcess[str]:
    """``python -c script root`` in a process of its own (one without the test
    runner's threads, so that the build forks its workers as the CLI does)."""
    return subprocess.run(
        [sys.executable, "-c", script, str(root)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


_CHUNKED_BUILD = """
import json, logging, sys
from pathlib import Path
from samverkansgraf.build import build, pipeline
from samverkansgraf.sources import ProjectPaths
from samverkansgraf.validate.bydocument import result_to_json

logging.basicConfig(level=logging.INFO, format="%(message)s")
pipeline.PARALLEL_FROM, pipeline.CHUNK = 2, 2  # workers, two documents a chunk
result = build(ProjectPaths(Path(sys.argv[1])), full=True)
print(json.dumps({
    "built": result.built,
    "results": [result_to_json(r) for r in result.validation.results],
    "files": {p.name: p.read_text("utf-8") for p in result.outputs},
}))
"""


@pytest.mark.slow
def test_workers_validating_in_chunks_give_a_clean_build(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """Worker processes validate the documents they build, two at a time here:
    the Dalarna plan, which points into Hedemora and Smedjebacken, is validated
    again where its dependencies were in another chunk; a clause clash across
    files is found by the cross-document shapes. Same report as a clean build."""
    import json

    _edit(
        scratch.curated_dir / DALARNA,
        "<statement/dalarna-kultur-och-bildningsplan-2023-2026/18> a skg:Statement ;",
        PARTNER_COMMITMENT + "<clause/dalarna-test/1> a skg:Clause ;\n"
        "    dcterms:isPartOf <agreement/hedemora-2019-2022> ;\n"
        "    skg:position 1 ;\n"
        f'    skg:quote "{DALARNA_QUOTE}" .\n\n'
        "<statement/dalarna-kultur-och-bildningsplan-2023-2026/18> a skg:Statement ;",
    )
    done = _run_script(_CHUNKED_BUILD, scratch.root)
    assert done.returncode == 0, done.stderr
    assert "by the workers" in done.stderr  # the chunked path was taken
    chunked = json.loads(done.stdout)
    clean = _clean_build(scratch, tmp_path / "clean")
    assert clean.validation is not None and not clean.validation.conforms
    assert chunked["results"] == _results(clean)
    assert len(chunked["results"]) == 3  # the partner, and both clashing clauses
    assert chunked["files"] == {}  # nothing published: it does not conform


_KILLED_BUILD = """
import functools, os, signal, sys
from samverkansgraf.build import pipeline
from samverkansgraf.cli import main

pipeline.PARALLEL_FROM, pipeline.CHUNK = 2, 2
real = pipeline._build_chunk_in_worker

@functools.wraps(real)
def killed(task):
    os.kill(os.getpid(), signal.SIGKILL)  # as the system's OOM killer would

pipeline._build_chunk_in_worker = killed
sys.argv = ["samverkansgraf", "--project", sys.argv[1], "build", "--full"]
main()
"""


@pytest.mark.slow
def test_a_killed_build_worker_gives_one_line_exit_7_and_leaves_dist(
    scratch: ProjectPaths,
) -> None:
    """A worker the system kills (at national scale: for want of memory)
    stops the build with one line naming what to do, exit 7; dist/ stays."""
    clean = build(scratch)
    before = {p.name: p.read_bytes() for p in clean.outputs}
    done = _run_script(_KILLED_BUILD, scratch.root)
    assert done.returncode == 7, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: a worker process building documents stopped before it finished "
        "(killed, most likely by the system for want of memory); nothing was "
        "replaced — free memory and build again (at national scale the build "
        "and its workers need ~0.4 GB; --jobs 1 needs more, in one process)"
    ]
    assert {p.name: p.read_bytes() for p in clean.outputs} == before


def test_a_renamed_municipality_relabels_the_cached_documents_that_name_it(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """Generated labels name an agreement by its municipality's short name
    (kommuner.csv): the reference names are part of every cache key."""
    build(scratch)
    _edit(
        scratch.reference_dir / "kommuner.csv",
        "2083,Hedemora,Hedemora kommun",
        "2083,Hedemorax,Hedemora kommun",
    )
    renamed = build(scratch)
    assert renamed.built == len(renamed.assembled.documents)
    trig = next(p for p in renamed.outputs if p.suffix == ".trig").read_text("utf-8")
    assert "Hedemorax 2019–2022 §3" in trig
    _same_as_clean(renamed, scratch, tmp_path / "clean")
