"""Commands that make and check the dataset: ``build``, ``validate``, ``coverage``,
``entities``."""

from __future__ import annotations

from pathlib import Path

import click

from ..build import assemble_dataset, count_facts, load_files_with_vocabulary
from ..build import build as build_dataset
from ..build.summary import (
    format_count_lines,
    format_nonconformance,
    format_written_line,
    summarise_build,
)
from ..curate import (
    ENTITY_FORMATS,
    NAMES_CHECK_FILE,
    check_names,
    compute_coverage,
    find_label_collisions,
    format_entities,
    format_label_collisions,
    list_entities,
    plot_coverage,
    read_names_check,
)
from ..validate import load_shapes, validate_graph
from .app import (
    echo_or_write,
    echo_written,
    format_option,
    jobs_option,
    out_option,
    project_paths,
    protect_inputs,
    shacl_engine_option,
    strict_option,
)

__all__ = ["build", "coverage", "entities", "validate"]


@click.command()
@out_option("Output directory (default: dist/).", folder=True)
@click.option(
    "--no-validate", is_flag=True, help="Skip SHACL validation (for quick checks)."
)
@click.option(
    "--full",
    is_flag=True,
    help="Build every document and validate everything, ignoring .build-cache/.",
)
@shacl_engine_option
@jobs_option(
    "Processes that build and validate the documents (default: one per CPU). "
    "Same output."
)
@click.pass_context
def build(
    ctx: click.Context,
    out: Path | None,
    no_validate: bool,
    full: bool,
    engine: str,
    jobs: int | None,
) -> None:
    """Build the dataset: parse, check evidence, validate, write dist/.

    Loads the ontology, SKOS schemes, gazetteer and every curated document, checks
    each source file against data/sources/SHA256SUMS, finds every quote in its
    source, validates with SHACL, and writes dist/samverkansgraf.{trig,nq,ttl,jsonld}
    as one unit (dist/ shows the old files or the new, never a mix). Nothing is
    written when the graph does not conform.

    A rebuild redoes only what changed: documents whose file and source are as
    last time come from .build-cache/, and only the documents a change can
    affect are validated again; the result is the same as a full build's.

    \b
    Example:
        samverkansgraf build
        samverkansgraf build --full
        samverkansgraf build --out /tmp/out
    """
    result = build_dataset(
        project_paths(ctx),
        out,
        validate=not no_validate,
        engine=engine,
        full=full,
        jobs=jobs,
    )
    for line in summarise_build(result):
        click.echo(line)
    if result.validation is not None and not result.validation.conforms:
        # The full report goes to stdout; stderr gets the one-line verdict.
        click.echo(result.validation.format_text(result.assembled.union()))
        click.echo(f"error: {format_nonconformance(result.validation)}", err=True)
        ctx.exit(1)
    click.echo(format_written_line(result.outputs))


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@format_option(
    ["text", "turtle"],
    "text",
    "Report as readable text or as the SHACL report graph in Turtle.",
)
@shacl_engine_option
@click.pass_context
def validate(
    ctx: click.Context, files: tuple[Path, ...], output_format: str, engine: str
) -> None:
    """Validate the graph against the SHACL shapes and print the report.

    Without FILES: assembles the project's curated data (with all evidence checks)
    and validates it. With FILES (Turtle, TriG or N-Quads): validates them together
    with the ontology, schemes and gazetteer, e.g. a machine draft or a fixture.
    Exits 1 when the graph does not conform.

    \b
    Example:
        samverkansgraf validate
        samverkansgraf validate draft.ttl
    """
    paths = project_paths(ctx)
    if files:
        data = load_files_with_vocabulary(paths, files)
    else:
        data = assemble_dataset(paths).union()
    report = validate_graph(data, load_shapes(paths.shapes_dir), engine=engine)
    if output_format == "turtle" and report.graph is not None:
        click.echo(report.graph.serialize(format="turtle"))
    else:
        click.echo(report.format_text(data))
        for line in format_count_lines(count_facts(data)):
            click.echo(line)
    ctx.exit(0 if report.conforms else 1)


@click.command()
@click.option(
    "--min-length",
    type=click.IntRange(1),
    default=80,
    show_default=True,
    help="List uncovered passages with at least this many letters and digits.",
)
@format_option(["text", "json"], "text")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the coverage strips to this PNG or SVG file.",
)
@click.option(
    "--names",
    is_flag=True,
    help=(
        "Instead: list the names of bodies in quoted passages that the fact "
        f"quoting them does not link, minus the exceptions of {NAMES_CHECK_FILE}."
    ),
)
@strict_option("Exit 1 when an uncovered passage (or an unexplained name) is listed.")
@click.pass_context
def coverage(
    ctx: click.Context,
    min_length: int,
    output_format: str,
    plot: Path | None,
    names: bool,
    strict: bool,
) -> None:
    """Show how much of each source document the evidence covers.

    Per document: the share of letters and digits inside some evidence span or a
    deliberately skipped passage (skg:SkippedPassage: headers, footers, contact
    blocks), and every uncovered passage of at least --min-length characters with
    its line, offsets and text (contact data masked), so a curator sees what is
    missing.

    With --names: every name of a body (a capitalised name, or a glossary term
    such as "elevkulturombud") in the words a commitment, statement, goal,
    activity or event quotes, that the fact does not link (skg:concerns,
    skg:about, skg:participant …) and data/reference/names-check.toml does not
    explain (docs/reading-convention.md, section 5).

    \b
    Example:
        samverkansgraf coverage
        samverkansgraf coverage --min-length 20 --plot coverage.png
        samverkansgraf coverage --names --strict
    """
    protect_inputs(ctx, plot)
    paths = project_paths(ctx)
    assembled = assemble_dataset(paths)
    if names:
        check = read_names_check(paths.reference_dir / NAMES_CHECK_FILE)
        named = check_names(assembled, check)
        click.echo(named.to_json() if output_format == "json" else named.format_text())
        ctx.exit(1 if strict and not named.complete else 0)
    report = compute_coverage(assembled, min_length)
    click.echo(report.to_json() if output_format == "json" else report.format_text())
    if plot is not None:
        plot_coverage(report, assembled, plot)
        echo_written(plot)
    ctx.exit(1 if strict and not report.complete else 0)


@click.command()
@click.option(
    "--all",
    "include_unused",
    is_flag=True,
    help="Include gazetteer regions and municipalities no document mentions.",
)
@format_option(ENTITY_FORMATS, "table")
@out_option("Write to this file instead of standard output.")
@click.pass_context
def entities(
    ctx: click.Context, include_unused: bool, output_format: str, out: Path | None
) -> None:
    """List every actor, programme and plan with its names and usage.

    One row per resource: kind, label, other labels (variants met in the
    sources), the number of documents and of facts mentioning it. Label
    collisions — two resources whose labels fold to the same text — are listed
    after the table and make the command exit 1: they are probably one
    real-world thing curated twice.

    \b
    Example:
        samverkansgraf entities
        samverkansgraf entities --format csv --out entities.csv
    """
    protect_inputs(ctx, out)
    assembled = assemble_dataset(project_paths(ctx))
    rows = list_entities(assembled, include_unused=include_unused)
    echo_or_write(format_entities(rows, output_format), out)
    collisions = find_label_collisions(assembled.union())
    for line in format_label_collisions(collisions):
        click.echo(line, err=True)
    ctx.exit(1 if collisions else 0)
