"""The README tells the truth about what can be listed: every CLI command, the
query catalogue, the bad-input matrix, the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

import click

from samverkansgraf.cli import cli

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
