"""Issue 16 part 1 / issue 14: one output-directory policy — no command deletes
what it did not create.

``publish --out DIR`` and ``release --out DIR`` used to replace DIR whole without
a check (a user's notes.txt gone; ``--out data`` deleted 37 tracked files;
``--out .`` replaced the checkout, .git included). Now ``atomic.atomic_directory``
replaces a folder only when it is new, empty, or carries the marker the same
command wrote there; never the project, a folder above it, or one holding .git.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from samverkansgraf.atomic import (
    OUTPUT_MARKER,
    atomic_directory,
    check_output_directory,
)
from samverkansgraf.cli import cli
from samverkansgraf.errors import OutputError
from samverkansgraf.publish.site import _EARLIER_SITE, publish_site
from samverkansgraf.release import write_release
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
HINT = "choose a new or empty folder, or remove this one yourself"
NETWORK_FIXTURE = ROOT / "tests" / "fixtures" / "network"


@pytest.fixture()
def notes(tmp_path: Path) -> Path:
    """A user's folder with a file samverkansgraf did not write."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes", "utf-8")
    return folder


def test_publish_refuses_a_folder_it_did_not_write(
    project: ProjectPaths, notes: Path
) -> None:
    with pytest.raises(OutputError) as error:
        publish_site(project, notes)
    assert str(error.value) == (
        f"{notes}: the folder is not empty and was not written by samverkansgraf "
        f"publish, so it will not be replaced — {HINT}"
    )
    assert error.value.exit_code == 6
    assert (notes / "notes.txt").read_text("utf-8") == "my notes"
    assert sorted(p.name for p in notes.iterdir()) == ["notes.txt"]


def test_release_refuses_a_folder_it_did_not_write(
    project: ProjectPaths, notes: Path
) -> None:
    with pytest.raises(OutputError, match="not written by samverkansgraf release"):
        write_release(project, "0.1.0", notes)
    assert (notes / "notes.txt").read_text("utf-8") == "my notes"


@pytest.mark.parametrize("command", ["publish", "release"])
def test_cli_refuses_with_one_line_and_exit_code_6(
    runner: CliRunner, project: ProjectPaths, notes: Path, command: str
) -> None:
    args = ["--project", str(project.root), command, "--out", str(notes)]
    if command == "release":
        args += ["--version", "0.1.0"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 6, result.output
    assert result.stderr == (
        f"error: {notes}: the folder is not empty and was not written by "
        f"samverkansgraf {command}, so it will not be replaced — {HINT}\n"
    )
    assert (notes / "notes.txt").read_text("utf-8") == "my notes"


def test_out_dot_in_the_project_is_refused(
    runner: CliRunner, project: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.root)
    result = runner.invoke(
        cli, ["--project", str(project.root), "publish", "--out", "."]
    )
    assert result.exit_code == 6, result.output
    assert "the folder is the project itself or holds it" in result.stderr
    assert (project.root / "pyproject.toml").is_file()  # nothing was touched


def test_a_folder_above_the_project_is_refused(project: ProjectPaths) -> None:
    with pytest.raises(OutputError, match="the project itself or holds it"):
        check_output_directory(
            project.root.parent, "publish", project_root=project.root
        )


def test_publish_out_data_keeps_the_tracked_files(
    scratch: ProjectPaths, runner: CliRunner
) -> None:
    before = sorted(p for p in (scratch.root / "data").rglob("*") if p.is_file())
    assert before
    result = runner.invoke(
        cli,
        [
            "--project",
            str(scratch.root),
            "publish",
            "--out",
            str(scratch.root / "data"),
        ],
    )
    assert result.exit_code == 6
    assert (
        sorted(p for p in (scratch.root / "data").rglob("*") if p.is_file()) == before
    )


def test_a_folder_holding_git_is_refused_even_with_a_marker(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / OUTPUT_MARKER).write_text("samverkansgraf publish\n", "utf-8")
    with pytest.raises(OutputError, match=r"holds a git repository \(\.git\)"):
        check_output_directory(tmp_path, "publish")


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="it exists and is not a folder"):
        check_output_directory(target, "publish")


def test_own_output_is_replaced_and_others_output_is_not(tmp_path: Path) -> None:
    target = tmp_path / "site"
    with atomic_directory(target, "publish") as work:
        (work / "index.html").write_text("first")
        (work / "stale.html").write_text("old page")
    assert (target / OUTPUT_MARKER).read_text("utf-8") == "samverkansgraf publish\n"
    with atomic_directory(target, "publish") as work:
        (work / "index.html").write_text("second")
    assert (target / "index.html").read_text() == "second"
    assert not (target / "stale.html").exists()
    # Another command's output is not publish's to replace.
    with (
        pytest.raises(OutputError, match="was written by samverkansgraf publish"),
        atomic_directory(target, "release"),
    ):
        pass
    assert (target / "index.html").read_text() == "second"


def test_a_site_from_before_the_marker_is_recognised(tmp_path: Path) -> None:
    for name in ("dcat.ttl", "void.ttl", "index.html"):
        (tmp_path / name).write_text("x")
    check_output_directory(tmp_path, "publish", recognise=_EARLIER_SITE)
    (tmp_path / "void.ttl").unlink()
    with pytest.raises(OutputError):
        check_output_directory(tmp_path, "publish", recognise=_EARLIER_SITE)


def test_a_second_publish_replaces_its_previous_output(
    publishable: ProjectPaths,
    published: tuple[Path, str],
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    project = publishable
    out = tmp_path / "site"
    # A copy of the session's site (published from the same inputs by the
    # same command) stands for the first publish.
    shutil.copytree(published[0], out)
    files = sum(1 for p in out.rglob("*") if p.is_file() and p.name != OUTPUT_MARKER)
    (out / "stale.html").write_text("left from an older site")
    result = runner.invoke(
        cli,
        ["--project", str(project.root), "publish", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert not (out / "stale.html").exists()
    pages = [p for p in out.rglob("*") if p.is_file() and p.name != OUTPUT_MARKER]
    assert len(pages) == files
    assert (out / OUTPUT_MARKER).read_text("utf-8") == "samverkansgraf publish\n"


def test_network_still_refuses_a_folder_it_did_not_write(notes: Path) -> None:
    from samverkansgraf.network import (
        analyse_network,
        build_municipality_graph,
        export_network,
        extract_network_data,
    )
    from samverkansgraf.sources import parse_turtle

    graph = Graph()
    for path in sorted(NETWORK_FIXTURE.glob("*.ttl")):
        parse_turtle(path, graph)
    data = extract_network_data(graph)
    results = {"municipalities": analyse_network(build_municipality_graph(data))}
    with pytest.raises(OutputError, match="not empty"):
        export_network(results, notes, data=data)
    assert sorted(p.name for p in notes.iterdir()) == ["notes.txt"]
    # Its own earlier export is still replaced.
    out = notes.parent / "net"
    export_network(results, out, data=data)
    (out / "stale.csv").write_text("old")
    export_network(results, out, data=data)
    assert not (out / "stale.csv").exists()


# --- issue 16, the remaining --out: build, extract, evaluate, entities, compare ---

SOURCE_000 = ROOT / "data" / "sources" / "000_c90c7f0945d9b53e.txt"


def _invoke(runner: CliRunner, project: ProjectPaths, *args: str):
    return runner.invoke(cli, ["--project", str(project.root), *args])


def test_build_refuses_a_stranger_folder_before_assembling(
    runner: CliRunner, project: ProjectPaths, notes: Path
) -> None:
    result = _invoke(runner, project, "build", "--out", str(notes))
    assert result.exit_code == 6, result.output
    assert result.stderr == (
        f"error: {notes}: the folder is not empty and was not written by "
        f"samverkansgraf build, so it will not be replaced — {HINT}\n"
    )
    assert sorted(p.name for p in notes.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("inputs", ["data", "data/curated", "ontology", "queries"])
def test_build_refuses_the_project_inputs(
    runner: CliRunner, scratch: ProjectPaths, inputs: str
) -> None:
    before = sorted(p for p in scratch.root.rglob("*") if p.is_file())
    target = scratch.root / inputs
    result = _invoke(runner, scratch, "build", "--out", str(target))
    assert result.exit_code == 6, result.output
    top = inputs.split("/")[0]
    assert result.stderr == (
        f"error: {target}: the folder is part of the project's inputs ({top}/), so "
        f"it will not be replaced — {HINT}\n"
    )
    assert sorted(p for p in scratch.root.rglob("*") if p.is_file()) == before


def test_an_empty_new_folder_inside_data_is_refused_too(scratch: ProjectPaths) -> None:
    target = scratch.root / "data" / "new"
    target.mkdir()
    with pytest.raises(OutputError, match=r"part of the project's inputs \(data/\)"):
        check_output_directory(target, "network", project_root=scratch.root)


def test_build_marks_its_folder_and_rebuilds_into_it(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    for _ in range(2):
        result = _invoke(runner, project, "build", "--no-validate", "--out", str(out))
        assert result.exit_code == 0, result.output
    assert (out / OUTPUT_MARKER).read_text("utf-8") == "samverkansgraf build\n"
    assert (out / "samverkansgraf.trig").stat().st_size > 0
    # The marker is not reported as one of the dataset's outputs.
    assert OUTPUT_MARKER not in result.stderr + result.stdout


def test_a_dist_from_before_the_marker_is_still_rebuilt(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    for name in ("samverkansgraf.trig", "build-report.json", "extra.json"):
        (out / name).write_text("old")
    result = _invoke(runner, project, "build", "--no-validate", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "extra.json").read_text() == "old"  # the build deletes nothing


def test_extract_will_not_overwrite_a_file_it_did_not_write(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    mine = tmp_path / "draft.ttl"
    mine.write_text("# my hand-corrected curation\n", "utf-8")
    result = _invoke(runner, project, "extract", str(SOURCE_000), "--out", str(mine))
    assert result.exit_code == 6, result.output
    assert result.stderr == (
        f"error: {mine}: the file exists and was not written by samverkansgraf "
        "extract, so it will not be replaced — choose another file name, or pass "
        "--force to replace it\n"
    )
    assert mine.read_text("utf-8") == "# my hand-corrected curation\n"
    forced = _invoke(
        runner, project, "extract", str(SOURCE_000), "--out", str(mine), "--force"
    )
    assert forced.exit_code == 0, forced.output
    assert mine.read_text("utf-8").startswith("# Machine-proposed DRAFT of ")


def test_extract_replaces_its_own_draft_and_review(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    draft, review = tmp_path / "d.ttl", tmp_path / "d.md"
    args = ["extract", str(SOURCE_000), "--out", str(draft), "--review", str(review)]
    for _ in range(2):
        result = _invoke(runner, project, *args)
        assert result.exit_code == 0, result.output
    assert review.read_text("utf-8").startswith("# Extraction review: ")


def test_extract_review_is_checked_before_anything_is_written(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    draft, review = tmp_path / "d.ttl", tmp_path / "review.md"
    review.write_text("my review notes", "utf-8")
    args = ["extract", str(SOURCE_000), "--out", str(draft), "--review", str(review)]
    result = _invoke(runner, project, *args)
    assert result.exit_code == 6
    assert not draft.exists()  # all or nothing
    assert review.read_text("utf-8") == "my review notes"


def test_extract_never_writes_into_the_curated_data(
    runner: CliRunner, scratch: ProjectPaths
) -> None:
    target = scratch.curated_dir / "new-draft.ttl"
    result = _invoke(
        runner, scratch, "extract", str(SOURCE_000), "--out", str(target), "--force"
    )
    assert result.exit_code == 6, result.output
    assert result.stderr == (
        f"error: {target}: the file is inside the project's inputs (data/), which "
        "only people write — write it elsewhere, review it, then copy what holds "
        "into data/ yourself\n"
    )
    assert not target.exists()


def test_entities_and_compare_out_are_kept_out_of_the_inputs(
    runner: CliRunner, scratch: ProjectPaths
) -> None:
    for args in (
        ["entities", "--format", "csv", "--out"],
        ["compare", "--out"],
        ["coverage", "--plot"],
    ):
        target = scratch.root / "ontology" / "x.csv"
        result = _invoke(runner, scratch, *args, str(target))
        assert result.exit_code == 6, (args, result.output)
        assert "inside the project's inputs (ontology/)" in result.stderr
        assert not target.exists()


def test_network_out_inside_data_is_refused(
    runner: CliRunner, scratch: ProjectPaths
) -> None:
    target = scratch.root / "data" / "network"
    result = _invoke(runner, scratch, "network", "--out", str(target))
    assert result.exit_code == 6, result.output
    assert "part of the project's inputs (data/)" in result.stderr
    assert not target.exists()


def test_evaluate_replaces_only_its_own_report(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    out = tmp_path / "evaluation.json"
    args = ["evaluate", "--no-ablations", "--no-blind", "--out", str(out)]
    first = _invoke(runner, project, *args)
    assert first.exit_code == 0, first.output
    again = _invoke(runner, project, *args)
    assert again.exit_code == 0, again.output  # its own earlier report
    (tmp_path / "evaluation.md").write_text("# My notes on the extractor\n", "utf-8")
    refused = _invoke(runner, project, *args)
    assert refused.exit_code == 6
    assert "was not written by samverkansgraf evaluate" in refused.stderr
    assert (tmp_path / "evaluation.md").read_text("utf-8").startswith("# My notes")
