"""The names check (issue #18, docs/reading-convention.md §5): every name of a body
in the words a fact quotes is linked from that fact, or explained in
data/reference/names-check.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from samverkansgraf.build import assemble_dataset
from samverkansgraf.cli import cli
from samverkansgraf.curate import (
    NAMES_CHECK_FILE,
    NamesReport,
    check_names,
    read_names_check,
)
from samverkansgraf.errors import SourceError
from samverkansgraf.sources import ProjectPaths

HEDEMORA = "data/curated/hedemora-2019-2022.ttl"
ID = "https://w3id.org/samverkansgraf/id/"


def _check(paths: ProjectPaths) -> NamesReport:
    check = read_names_check(paths.reference_dir / NAMES_CHECK_FILE)
    return check_names(assemble_dataset(paths), check)


def test_every_name_in_the_five_sources_is_linked_or_explained(
    assembled, project: ProjectPaths
) -> None:
    report = check_names(
        assembled, read_names_check(project.reference_dir / NAMES_CHECK_FILE)
    )
    assert report.complete, report.format_text()
    assert report.gaps == [] and report.unused == []
    assert report.found > 300
    assert report.found == report.linked + len(report.explained)
    # The two agreements need no exception: every body they name is linked.
    explained_in = {gap.document for gap, _ in report.explained}
    assert explained_in == {"002_17c74e83647f94d3.txt", "004_ebdeabd1e232db28.txt"}


def test_an_unlinked_glossary_term_is_a_gap(scratch: ProjectPaths) -> None:
    # Hedemora 3-9 before issue #18: no skg:concerns for the elevkulturombud.
    path = scratch.root / HEDEMORA
    text = path.read_text("utf-8")
    linked = "skg:concerns <actor/elevkulturombud-i-dalarna> , <region/20> ;"
    assert linked in text
    path.write_text(text.replace(linked, "skg:concerns <region/20> ;"), "utf-8")
    report = _check(scratch)
    assert not report.complete
    assert [(g.resource, g.name, g.line, g.names) for g in report.gaps] == [
        (
            ID + "commitment/hedemora-2019-2022/3-9",
            "kommunala elevkulturombud",
            41,
            ID + "actor/elevkulturombud-i-dalarna",
        )
    ]
    gap = report.gaps[0]
    assert gap.problem == (
        "names <actor/elevkulturombud-i-dalarna>, which the fact does not link"
    )


def test_a_name_no_resource_has_is_a_gap(scratch: ProjectPaths) -> None:
    # Without the exception, "Högskolan Dalarna" (002) is a name nothing names.
    path = scratch.reference_dir / NAMES_CHECK_FILE
    text = path.read_text("utf-8")
    start = text.index('[[exception]]\nname = "Högskolan Dalarna"')
    end = text.index("[[exception]]", start + 1)
    path.write_text(text[:start] + text[end:], "utf-8")
    report = _check(scratch)
    assert [(g.document, g.name, g.names) for g in report.gaps] == [
        ("002_17c74e83647f94d3.txt", "Högskolan Dalarna", None)
    ]
    assert report.gaps[0].problem == "no resource has this name"


def test_a_stale_exception_is_reported(scratch: ProjectPaths) -> None:
    path = scratch.reference_dir / NAMES_CHECK_FILE
    path.write_text(
        path.read_text("utf-8")
        + '\n[[exception]]\nname = "Konsthallen MEKEN"\nreason = "linked anyway"\n',
        "utf-8",
    )
    report = _check(scratch)
    assert report.gaps == []
    assert [e.name for e in report.unused] == ["Konsthallen MEKEN"]
    assert not report.complete
    assert "the exception 'Konsthallen MEKEN' explains no name any more" in (
        report.format_text()
    )


def test_an_exception_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / NAMES_CHECK_FILE
    path.write_text('[[exception]]\nname = "Anoda"\n', "utf-8")
    with pytest.raises(SourceError, match=r"exception 1 \('Anoda'\) has no 'reason'"):
        read_names_check(path)


def test_cli_coverage_names(project: ProjectPaths, scratch: ProjectPaths) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--project", str(project.root), "coverage", "--names", "--strict"]
    )
    assert result.exit_code == 0, result.output
    assert "0 unexplained" in result.output
    assert "every name is linked or explained" in result.output
    # Smedjebacken 10-4 without its link to the Sweden Finns: exit 1, one line.
    path = scratch.root / "data/curated/smedjebacken-2019-2022.ttl"
    text = path.read_text("utf-8")
    linked = "skg:concerns <actor/sverigefinnar> ;\n"
    assert text.count(linked) == 1
    path.write_text(text.replace(linked, ""), "utf-8")
    result = runner.invoke(
        cli, ["--project", str(scratch.root), "coverage", "--names", "--strict"]
    )
    assert result.exit_code == 1
    assert (
        "001_2d90e2fd4dad697e.txt:120: <commitment/smedjebacken-2019-2022/10-4>: "
        "'sverigefinnar' names <actor/sverigefinnar>, which the fact does not link"
    ) in result.output
