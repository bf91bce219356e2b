"""Commands for developers, not for the published data: ``synth``."""

from __future__ import annotations

from pathlib import Path

import click

from ..build.summary import display_path
from ..devtools.synth import parse_scale, synth_project
from .app import out_option, project_paths

__all__ = ["synth"]


def _scale(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """``--scale`` as a number of triples (``200k``, ``1M``), or a usage error."""
    try:
        return parse_scale(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


@click.command()
@click.option(
    "--scale",
    default="20k",
    show_default=True,
    callback=_scale,
    help="Target size in triples: 20000, 200k, 1M …",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@out_option(
    "Project directory to write (outside the project's data/).",
    folder=True,
    required=True,
)
@click.pass_context
def synth(ctx: click.Context, scale: int, seed: int, out: Path) -> None:
    """Write a synthetic all-Sweden project for benchmarks and load tests.

    Generates agreements, clauses, commitments and action plans for every county
    and its real municipalities, with source texts the quotes really occur in, as
    a complete project directory that `--project DIR build` builds and validates.
    The same --scale and --seed give byte-identical files. Synthetic data is never
    real: it is refused inside the project's data/ and must not be published.

    \b
    Example:
        samverkansgraf synth --scale 200k --seed 1 --out /tmp/synth-m
        samverkansgraf --project /tmp/synth-m build --out /tmp/synth-m/dist
    """
    report = synth_project(
        out,
        scale=scale,
        seed=seed,
        project=project_paths(ctx),
        progress=lambda line: click.echo(line, err=True),
    )
    click.echo(
        f"wrote {display_path(report.root)}: {report.documents} documents "
        f"({report.agreements} agreements, {report.action_plans} action plans), "
        f"~{report.estimated_triples:,} triples (seed {seed})"
    )
