"""The CLI end to end through click's runner: summaries, exit codes, and one-line
errors without tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import click
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


def test_validate_a_dump_merges_it_with_the_vocabulary(
    runner: CliRunner, project: ProjectPaths, hedemora_dump: Path
) -> None:
    result = _run(runner, project, "validate", str(hedemora_dump))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Validation: conforms")
    assert "· 1 source documents · 7 plans · 1 agreements · 10 clauses ·" in (
        result.output
    )


def test_validate_an_unknown_file_type_is_a_usage_error(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    path = tmp_path / "draft.xyz"
    path.write_text("<a> <b> <c> .\n")
    result = _run(runner, project, "validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {path}: not an RDF file: unknown suffix '.xyz' — use one of "
    )


def test_validate_a_broken_turtle_file_names_its_line(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    path = tmp_path / "draft.ttl"
    path.write_text("@prefix skg: <https://example.org/> .\n\nskg:a skg:b .\n")
    result = _run(runner, project, "validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:3:")
    assert "Traceback" not in result.output


def test_build_without_validation_says_so_and_writes(
    runner: CliRunner, scratch: ProjectPaths, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = _run(runner, scratch, "build", "--no-validate", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-2] == "validation: skipped (--no-validate)"
    assert lines[-1].startswith("wrote out/samverkansgraf.")
    assert (out / "samverkansgraf.nq").stat().st_size > 1000


def test_entities_csv_to_a_file(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    out = tmp_path / "entities.csv"
    result = _run(runner, project, "entities", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    header, *rows = out.read_text("utf-8").splitlines()
    assert header == "kind,label,documents,facts,other labels,iri"
    hedemora = next(row for row in rows if row.endswith("/id/kommun/2083"))
    assert hedemora.startswith("municipality,Hedemora kommun,")
    assert ",Hedemora | Hedemoras kommun | " in hedemora


def test_a_bad_scale_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["synth", "--scale", "12q", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--scale': not a size: '12q' (use e.g. 20000, 200k or 1M)"
        in result.stderr
    )
    assert not any(tmp_path.iterdir())


def test_every_command_lives_in_the_module_the_package_docstring_names() -> None:
    import samverkansgraf.cli as package

    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None and command.callback is not None
        module = command.callback.__module__.rsplit(".", 1)[-1]
        entry = re.search(rf"^- ``{module}``: (.*)$", package.__doc__ or "", re.M)
        assert entry, f"cli.{module} is not listed in the cli package docstring"
        assert f"``{name}``" in entry[1], f"{name} is not listed under cli.{module}"
