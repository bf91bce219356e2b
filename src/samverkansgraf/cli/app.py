"""The click group, its one error handler, and the options several commands share.

Every command module (``build``, ``query``, ``network``, ``publish``, ``extract``,
``devtools``) defines its commands with the helpers here; ``cli/__init__`` adds
them to ``cli``. Errors raised by the library (``SamverkansgrafError``) are caught
in one place, ``Group.invoke``, and shown as one line on stderr with the error's
exit code; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__
from ..atomic import check_output_file, write_files_atomically
from ..build.summary import display_path
from ..errors import SamverkansgrafError, SourceError
from ..sources import ProjectPaths, find_project_root
from ..validate import ENGINES as SHACL_ENGINES

__all__ = [
    "CommandError",
    "CommandT",
    "Group",
    "cli",
    "echo_or_write",
    "echo_written",
    "force_option",
    "format_option",
    "main",
    "optional_project_root",
    "out_option",
    "project_paths",
    "protect_inputs",
    "shacl_engine_option",
    "strict_option",
]

CommandT = TypeVar("CommandT", bound=Callable[..., Any])
"""A command function or a click command, as option decorators take and return."""


class CommandError(click.ClickException):
    """A library error shown as one line, with the library's exit code."""

    def __init__(self, error: SamverkansgrafError) -> None:
        super().__init__(str(error))
        # click declares exit_code a ClassVar, but the code depends on the library
        # error, and click reads it from the instance when it exits.
        self.exit_code = error.exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        """Print ``error: <message>`` on stderr."""
        click.echo(f"error: {self.format_message()}", err=True)


class Group(click.Group):
    """A click group that turns library errors into one-line messages, and
    imports a command's module only when the command is wanted
    (``lazy_commands``: name → ``"module:function"`` in ``cli``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted (as click lists them)."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now if it was not yet."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in self.lazy_commands:
            return found
        module, name = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(f"samverkansgraf.cli.{module}"), name)
        self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, converting ``SamverkansgrafError`` unless --debug."""
        try:
            return super().invoke(ctx)
        except SamverkansgrafError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise CommandError(error) from error


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project directory (default: the nearest folder with ontology/ and data/).",
)
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.option("-v", "--verbose", count=True, help="Log progress (-v info, -vv debug).")
@click.version_option(__version__, prog_name="samverkansgraf")
@click.pass_context
def cli(ctx: click.Context, project: Path | None, debug: bool, verbose: int) -> None:
    """samverkansgraf: the knowledge graph of Swedish regional-municipal cultural
    cooperation, built from its source documents with exact evidence.

    \b
    Exit codes: 0 OK · 1 graph does not conform to the shapes · 2 usage error or
    unparsable input · 3 evidence/source-integrity error · 4 query error ·
    5 SPARQL endpoint error · 6 output cannot be written · 7 a worker
    process was killed (out of memory?).
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj.update(project=project, debug=debug)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="samverkansgraf")


def project_paths(ctx: click.Context) -> ProjectPaths:
    """The project of ``--project``, else the nearest one above the working dir."""
    project = ctx.obj.get("project")
    return find_project_root(project) if project else find_project_root()


def project_if_any(ctx: click.Context) -> ProjectPaths | None:
    """``project_paths``, or ``None`` outside any project (no ``--project``):
    commands that can work from an installed package alone (the catalogue
    against an endpoint) take that; the rest still fail with the project hint.
    """
    if ctx.obj.get("project"):
        return project_paths(ctx)
    try:
        return find_project_root()
    except SourceError:
        return None


def optional_project_root(ctx: click.Context) -> Path | None:
    """The project's root, or ``None`` outside a project (e.g. ``--input FILE``)."""
    try:
        return project_paths(ctx).root
    except SourceError:
        return None


def protect_inputs(ctx: click.Context, *outputs: Path | None) -> None:
    """Refuse (exit 6) output files inside the project's inputs or a ``.git``.

    For commands whose ``--out FILE`` (or ``--plot FILE``) is an ordinary file
    that the user names and may overwrite, but which must never land among the
    curated data (``atomic.check_output_file``). Checked before any work is done.
    """
    root = optional_project_root(ctx)
    for path in outputs:
        if path is not None:
            check_output_file(path, ctx.info_name or "output", project_root=root)


def echo_written(path: Path) -> None:
    """Tell stderr that ``path`` was written (stdout stays for the results)."""
    click.echo(f"wrote {display_path(path)}", err=True)


def echo_or_write(text: str, out: Path | None) -> None:
    """Print ``text``, or write it atomically to ``out``."""
    if out is None:
        click.echo(text)
    else:
        write_files_atomically({out: text.encode("utf-8")})
        echo_written(out)


# ---------------------------------------------------------------------------
# Options shared by several commands: one definition each, so their spelling,
# types and defaults cannot drift apart between commands.
# ---------------------------------------------------------------------------


def format_option(
    choices: Sequence[str], default: str, help_text: str = "Output format."
) -> Callable[[CommandT], CommandT]:
    """The ``--format`` option (stored as ``output_format``) of result commands."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help_text,
    )


def out_option(
    help_text: str, *, folder: bool = False, **extra: Any
) -> Callable[[CommandT], CommandT]:
    """The ``--out`` option: a file, or with ``folder`` a directory.

    Args:
        help_text: what is written there.
        folder: the option names a directory rather than a file.
        **extra: further ``click.option`` settings (``default``, ``required`` …).
    """
    kind = (
        click.Path(file_okay=False, path_type=Path)
        if folder
        else click.Path(dir_okay=False, path_type=Path)
    )
    return click.option("--out", type=kind, help=help_text, **extra)


force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace an existing output file even if this command did not write it.",
)
"""The ``--force`` flag of commands that recognise their own earlier output files."""


def strict_option(help_text: str) -> Callable[[CommandT], CommandT]:
    """The ``--strict`` flag: exit 1 on a finding that is otherwise only shown."""
    return click.option("--strict", is_flag=True, help=help_text)


shacl_engine_option = click.option(
    "--engine",
    type=click.Choice(SHACL_ENGINES),
    default="auto",
    show_default=True,
    help="SHACL engine: fast (SPARQL on Oxigraph), pyshacl (reference), auto.",
)
"""The ``--engine`` option of ``build`` and ``validate``."""


def jobs_option(help_text: str) -> Callable[[CommandT], CommandT]:
    """The ``--jobs`` option of ``build`` and ``publish``: how many processes
    work (default: one per CPU; the output is the same)."""
    return click.option(
        "--jobs", type=click.IntRange(min=1), default=None, help=help_text
    )
