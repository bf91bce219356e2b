"""The synthetic national generator: deterministic per seed, builds and validates,
quotes slice back out of the generated texts, never writes into data/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from samverkansgraf.build import assemble_dataset, build
from samverkansgraf.devtools.synth import parse_scale, synth_project
from samverkansgraf.errors import OutputError, SourceError
from samverkansgraf.namespaces import OA, SKG
from samverkansgraf.sources import ProjectPaths


def _digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def small(project: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "s"
    synth_project(out, scale=8_000, seed=7, project=project)
    return out


def test_same_seed_gives_byte_identical_output(
    project: ProjectPaths, small: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    synth_project(again, scale=8_000, seed=7, project=project)
    assert _digest(again) == _digest(small)
    other = tmp_path / "other"
    synth_project(other, scale=8_000, seed=8, project=project)
    assert _digest(other) != _digest(small)


def test_small_scale_builds_and_validates(small: Path, tmp_path: Path) -> None:
    result = build(ProjectPaths(small), tmp_path / "dist")
    assert result.validation is not None and result.validation.conforms, (
        result.validation.format_text()
    )
    total = sum(len(g) for g in result.assembled.graphs.values())
    assert 6_000 < total < 10_000, total
    assert result.counts["regions"] == 21 and result.counts["activities"] > 0


def test_carries_the_query_catalogue(project: ProjectPaths, small: Path) -> None:
    """`query NAME` and `publish` (its query page) need queries/."""
    assert _digest(small / "queries") == _digest(project.queries_dir)
    assert (small / "queries" / "19_weak_commitments.rq").is_file()


def test_every_quote_slices_back_out_of_its_text(small: Path) -> None:
    assembled = assemble_dataset(ProjectPaths(small))
    checked = 0
    for doc in assembled.documents:
        graph, text = doc.graph, doc.source.text
        for record in doc.evidence:
            assert text[record.span.start : record.span.end] == record.span.exact
        for selector in graph.subjects(RDF.type, OA.TextPositionSelector):
            start = int(graph.value(selector, OA.start))
            end = int(graph.value(selector, OA.end))
            quote = URIRef(str(selector).replace("#position", "#quote"))
            assert text[start:end] == str(graph.value(quote, OA.exact))
            checked += 1
        assert "SYNTETISK TESTDATA" in text
    assert checked > 30
    assert not any(
        "@" in str(o)
        for o in assembled.graphs[assembled.documents[0].document].objects()
    )
    persons = {
        str(o)
        for doc in assembled.documents
        for o in doc.graph.objects(None, SKG.convenor)
    }
    assert persons and all("/person/synth-" in p for p in persons)


def test_refuses_to_write_inside_data(project: ProjectPaths, tmp_path: Path) -> None:
    scratch = ProjectPaths(tmp_path)
    (tmp_path / "data").mkdir()
    for target in (tmp_path / "data" / "synth", tmp_path / "data"):
        with pytest.raises(SourceError, match="inside the project's data/"):
            synth_project(target, scale=8_000, project=scratch)
    with pytest.raises(SourceError, match="inside the project's data/"):
        synth_project(project.root / "data" / "x", scale=8_000, project=project)
    assert not (project.root / "data" / "x").exists()


def test_refuses_a_non_empty_foreign_directory(
    project: ProjectPaths, tmp_path: Path
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not written by samverkansgraf synth"):
        synth_project(tmp_path, scale=8_000, project=project)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_refuses_to_write_over_the_project(project: ProjectPaths) -> None:
    with pytest.raises(OutputError, match="project"):
        synth_project(project.root, scale=8_000, project=project)
    assert (project.root / "data" / "curated").is_dir()


def test_cli_synth_writes_and_reports_progress(runner, tmp_path: Path) -> None:
    from samverkansgraf.cli import cli

    result = runner.invoke(
        cli, ["synth", "--scale", "8k", "--out", str(tmp_path / "p")]
    )
    assert result.exit_code == 0, result.output
    assert "[21/21] 25 Norrbottens län" in result.stderr
    assert (tmp_path / "p" / "SYNTHETIC.md").is_file()


def test_parse_scale_rejects_nonsense() -> None:
    assert parse_scale("1.5M") == 1_500_000
    with pytest.raises(ValueError):
        parse_scale("lots")


def test_build_summary_of_a_national_project_stays_short(
    runner, project: ProjectPaths, tmp_path: Path
) -> None:
    """With more documents than SUMMARY_DOCUMENTS, the document graphs and their
    coverage are one line each, not one per document."""
    import re

    from samverkansgraf.build.summary import SUMMARY_DOCUMENTS
    from samverkansgraf.cli import cli

    small = tmp_path / "s20k"
    synth_project(small, scale=20_000, seed=1, project=project)
    documents = len(list((small / "data" / "sources").glob("*.txt")))
    assert documents > SUMMARY_DOCUMENTS
    result = runner.invoke(
        cli, ["--project", str(small), "build", "--out", str(tmp_path / "dist")]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) < 15, result.stdout
    assert re.search(
        rf"^ +\d+  in {documents} document graphs \(smallest \d+, largest \d+\)$",
        result.stdout,
        re.M,
    )
    assert re.search(
        rf"^coverage: {documents} documents, median \d+\.\d%, lowest \d+\.\d% "
        r"\(synth-[^)]+\.txt\) \(\d+ uncovered passages",
        result.stdout,
        re.M,
    )
