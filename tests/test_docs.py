"""The README and docs/ tell the truth: every CLI command, the query catalogue,
the bad-input matrix and the set-up commands are listed; every link and
repository path resolves; the version and licences are defined once; and every
figure quoted from the data is what the current data gives."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from rdflib import RDF, Graph

from samverkansgraf.build import AssembledDataset
from samverkansgraf.cli import cli
from samverkansgraf.namespaces import SKG

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make (\w+)", quick_start, re.M)
    assert commands[:2] == ["run", "test"]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert len(names) >= 15
    table = README.split("## Command line", 1)[1].split("### Exit codes", 1)[0]
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None and command.help, f"{name} has no help"
        assert "Example:" in command.help, f"{name}'s help has no example"
        assert re.search(rf"\| `{name}[ `]", table), f"{name} is not in the README"


def test_every_bad_input_row_is_in_the_readme_table() -> None:
    from test_reliability import MATRIX

    section = README.split("## Reliability", 1)[1].split("## Privacy", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| (\d) \|", section, re.M)
    assert rows == [(case.row, str(case.exit_code)) for case in MATRIX]


def test_every_exit_code_used_is_documented() -> None:
    from samverkansgraf import errors

    codes = {
        cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.SamverkansgrafError)
    }
    documented = set(
        re.findall(r"^\| (\d) \|", README.split("### Exit codes")[1], re.M)
    )
    assert {str(code) for code in codes} <= documented


def test_every_image_the_readme_shows_exists() -> None:
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), image
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / link).exists(), link


# ---------------------------------------------------------------------------
# No reference to a missing file (issue 14): every relative link and every
# repository path in backticks, in README.md and docs/*.md, must resolve.
# ---------------------------------------------------------------------------

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Top-level folders of the repository: a backticked `folder/...` names a file.
REPO_FOLDERS = (
    "src",
    "docs",
    "tests",
    "data",
    "ontology",
    "shapes",
    "queries",
    "benchmarks",
)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REPO_PATH = re.compile(rf"`((?:{'|'.join(REPO_FOLDERS)})/[^`\s]*)`")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
# Folders that runs create (git ignores them): a path inside names an output the
# docs describe, which a fresh clone does not have yet.
GENERATED = ("tests/artefacts/", "benchmarks/.work/")


def _prose(text: str) -> str:
    """The text without fenced code blocks (commands and outputs, not links)."""
    return FENCE.sub("", text)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors of a Markdown file."""
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", _prose(path.read_text("utf-8")), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def _missing_targets(document: Path) -> list[str]:
    """The links and repository paths of ``document`` that name nothing."""
    text = _prose(document.read_text("utf-8"))
    missing = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto: …: not in the repository
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (document.parent / file_part).resolve() if file_part else document
        if not resolved.exists():
            missing.append(f"link {target}")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            missing.append(f"anchor {target}")
    for path in REPO_PATH.findall(text):
        if (
            "<" in path or "{" in path
        ):  # a pattern such as `tests/test_curated_<slug>.py`
            continue
        if path.startswith(GENERATED):
            continue
        if not any(ROOT.glob(path.rstrip("/"))):
            missing.append(f"path `{path}`")
    return missing


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_link_and_path_in_the_docs_exists(document: Path) -> None:
    assert _missing_targets(document) == []


def test_the_link_check_finds_a_missing_file(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "See [the model](MODEL.md), `src/samverkansgraf/nowhere.py` and "
        "[a section](#there).\n\n## Here\n",
        "utf-8",
    )
    assert _missing_targets(page) == [
        "link MODEL.md",
        "anchor #there",
        "path `src/samverkansgraf/nowhere.py`",
    ]


def test_the_version_is_defined_once() -> None:
    import tomllib

    import samverkansgraf

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert samverkansgraf.__version__ == pyproject["project"]["version"]
    for path in (ROOT / "src").rglob("*.py"):
        assert not re.search(r"^__version__ = \"", path.read_text("utf-8"), re.M), path


def test_the_licence_files_exist_and_are_declared() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "MIT AND CC0-1.0"
    assert project["license-files"] == ["LICENSE", "LICENSE-DATA"]
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
    assert "CC0 1.0 Universal" in (ROOT / "LICENSE-DATA").read_text("utf-8")


# ---------------------------------------------------------------------------
# Figures from the data (issue 14): a figure the current data gives is written
# <!-- figure: NAME -->VALUE<!-- /figure --> and recomputed here; command
# outputs quoted in code blocks are matched by the lines they print.
# ---------------------------------------------------------------------------

MARKED = re.compile(r"<!-- figure: ([\w-]+) -->(.*?)<!-- /figure -->")


def _marked_figures() -> list[tuple[str, str, str]]:
    """(document, figure name, value as written) of every marked figure."""
    return [
        (document.name, name, value)
        for document in DOCUMENTS
        for name, value in MARKED.findall(document.read_text("utf-8"))
    ]


def _count_of(union: Graph, cls: str) -> int:
    return len(set(union.subjects(RDF.type, SKG[cls])))


@pytest.fixture(scope="module")
def figures(
    assembled: AssembledDataset, union: Graph, full_dump: Path
) -> dict[str, str]:
    """Every cheap figure the docs quote, computed from the current data."""
    from samverkansgraf import run_query
    from samverkansgraf.network import (
        GRAPHS,
        analyse_network,
        compare_agreements,
        extract_network_data,
    )
    from samverkansgraf.query.engines import OxigraphEngine

    engine = OxigraphEngine.from_file(full_dump)
    values: dict[str, object] = {
        "triples": sum(len(graph) for graph in assembled.graphs.values()),
        "named-graphs": len(assembled.graphs),
        "activities": _count_of(union, "Activity"),
    }
    participation = {
        row["municipalityLabel"]: row["activities"]
        for row in run_query("12", engine=engine).records()
    }
    values["hallsberg-activities"] = participation["Hallsbergs kommun"]
    data = extract_network_data(full_dump)
    municipalities = analyse_network(
        GRAPHS["municipalities"].build(data), "municipalities"
    )
    hallsberg = next(
        row for row in municipalities.rows() if row["label"] == "Hallsbergs kommun"
    )
    values["hallsberg-weighted-degree"] = hallsberg["weighted_degree"]
    dalarna = compare_agreements(full_dump).counts()["Region Dalarna"]
    values["dalarna-bilateral-agreements"] = dalarna["agreements"]
    values["dalarna-compared-commitments"] = dalarna["commitments"]
    values["dalarna-recurring"] = dalarna["recurring"]
    values["dalarna-local"] = dalarna["local"]
    return {name: str(value) for name, value in values.items()}


def test_docs_mark_their_figures() -> None:
    names = {name for _, name, _ in _marked_figures()}
    assert {"triples", "dalarna-bilateral-agreements", "hallsberg-activities"} <= names


def _stale(figures: dict[str, str], marked: list[tuple[str, str, str]]) -> list[str]:
    """The marked figures whose written value is not what the data gives."""
    return [
        f"{document}: {name} is {value!r}, the data gives {figures[name]!r}"
        for document, name, value in marked
        if name in figures and figures[name] != value.replace(",", "")
    ]


def test_every_marked_figure_matches_the_current_data(
    figures: dict[str, str],
) -> None:
    assert _stale(figures, _marked_figures()) == []


def test_a_stale_figure_is_reported() -> None:
    text = "It has <!-- figure: triples -->8,856<!-- /figure --> triples."
    marked = [("x.md", name, value) for name, value in MARKED.findall(text)]
    assert _stale({"triples": "8856"}, marked) == []
    assert _stale({"triples": "9000"}, marked) == [
        "x.md: triples is '8,856', the data gives '9000'"
    ]


def test_every_marked_figure_has_a_computation(figures: dict[str, str]) -> None:
    slow = {"publish-pages", "publish-files"}  # test_quoted_publish_figures_…
    marked = {name for _, name, _ in _marked_figures()}
    assert marked - set(figures) - slow == set(), "a figure without a computation"
    # named-graphs is checked against the quoted build summaries instead.
    assert set(figures) - marked == {"named-graphs"}, "a computation nobody quotes"


def test_quoted_build_summaries_match_the_current_data(
    figures: dict[str, str],
) -> None:
    for document in DOCUMENTS:
        text = document.read_text("utf-8")
        for triples, graphs in re.findall(
            r"samverkansgraf [\d.]+: (\d+) triples in (\d+) named graphs", text
        ):
            assert (triples, graphs) == (
                figures["triples"],
                figures["named-graphs"],
            ), document.name


def test_quoted_release_rows_match_the_current_data(
    assembled: AssembledDataset,
) -> None:
    from samverkansgraf.publish.settings import load_publication
    from samverkansgraf.release import build_release

    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    _, _, rows = build_release(
        assembled,
        load_publication(ROOT),
        "0.1.0",
        changelog,
        ROOT / "CHANGELOG.md",
    )
    quoted = [
        dict((name, int(count)) for count, name in re.findall(r"(\d+) (\w+)", line))
        for document in DOCUMENTS
        for line in re.findall(
            r"released samverkansgraf .*rows: (.*)", document.read_text("utf-8")
        )
    ]
    assert quoted, "no release output quoted in the docs"
    for found in quoted:
        assert found == rows


@pytest.mark.slow
def test_quoted_publish_figures_match_the_current_data(
    published: tuple[Path, str],
) -> None:
    summary = re.search(r"published (\d+) pages \((\d+) files\)", published[1])
    assert summary, published[1]
    current = (summary.group(1), summary.group(2))
    for document in DOCUMENTS:
        text = document.read_text("utf-8")
        for quoted in re.findall(r"published (\d+) pages \((\d+) files\)", text):
            assert quoted == current, document.name
        for name, value in MARKED.findall(text):
            if name in ("publish-pages", "publish-files"):
                expected = current[0] if name == "publish-pages" else current[1]
                assert value.replace(",", "") == expected, (document.name, name)
