"""The CLI end to end through click's runner: summaries, exit codes, and one-line
errors without tracebacks."""

from __future__ import annotations

from click.testing import CliRunner

from samverkansgraf.cli import cli
from samverkansgraf.sources import ProjectPaths


def _run(runner: CliRunner, project: ProjectPaths, *args: str):
    return runner.invoke(cli, ["--project", str(project.root), *args])


def test_build_prints_summary_and_writes_dist(
    runner: CliRunner, scratch: ProjectPaths
) -> None:
    result = runner.invoke(
        cli, ["--project", str(scratch.root), "build"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "validation: conforms (0 violations" in result.output
    assert "000_c90c7f0945d9b53e.txt (hedemora-2019-2022.ttl)" in result.output
    assert "· 2 agreements · 21 clauses ·" in result.output
    for suffix in ("trig", "nq", "ttl", "jsonld"):
        assert (scratch.dist_dir / f"samverkansgraf.{suffix}").stat().st_size > 1000


def test_validate_exits_zero_on_real_data(
    runner: CliRunner, project: ProjectPaths
) -> None:
    result = _run(runner, project, "validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Validation: conforms")


def test_validate_file_reports_by_shape_and_exits_one(
    runner: CliRunner, project: ProjectPaths
) -> None:
    fixture = project.root / "tests/fixtures/invalid/contact-data.ttl"
    result = _run(runner, project, "validate", str(fixture))
    assert result.exit_code == 1
    assert "DOES NOT CONFORM (6 violation(s)" in result.output
    assert "skgsh:NoContactLiteralShape — 4 result(s)" in result.output


def test_wrong_quote_is_one_line_with_exit_code_3(
    runner: CliRunner, scratch: ProjectPaths
) -> None:
    path = scratch.curated_dir / "hedemora-2019-2022.ttl"
    path.write_text(
        path.read_text("utf-8").replace("Kulturbuss så att", "Kulturbussen så att")
    )
    result = runner.invoke(cli, ["--project", str(scratch.root), "build"])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert (
        "hedemora-2019-2022.ttl:" in lines[0]
        and "commitment/hedemora-2019-2022/10-1" in lines[0]
    )
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(runner: CliRunner, scratch: ProjectPaths) -> None:
    (scratch.sources_dir / "SHA256SUMS").unlink()
    result = runner.invoke(cli, ["--project", str(scratch.root), "--debug", "build"])
    assert result.exit_code != 0
    assert result.exc_info is not None and result.exc_info[0].__name__ == "SourceError"


def test_not_a_project_is_explained(runner: CliRunner, tmp_path) -> None:
    result = runner.invoke(cli, ["--project", str(tmp_path), "build"])
    assert result.exit_code == 2
    assert "no samverkansgraf project found" in result.stderr


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "validate"):
        assert f"  {command}" in result.output
