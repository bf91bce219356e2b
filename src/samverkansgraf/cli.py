"""The command-line interface: a thin click layer over the library.

Every command calls one or two library functions and formats their result. Errors
raised by the library (``SamverkansgrafError``) are caught in one place and shown
as one line on stderr with the error's exit code; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rdflib import Graph

from . import __version__
from .atomic import write_files_atomically
from .build import assemble_dataset, count_facts, load_vocabulary_and_reference
from .build import build as build_dataset
from .curate import (
    EntityRow,
    compute_coverage,
    find_label_collisions,
    list_entities,
    plot_coverage,
)
from .errors import SamverkansgrafError, SourceError
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SCHEMES, bind_prefixes
from .sources import ProjectPaths, find_project_root, parse_turtle
from .validate import ENGINES, ValidationReport, load_shapes, validate_graph


class CommandError(click.ClickException):
    """A library error shown as one line, with the library's exit code."""

    def __init__(self, error: SamverkansgrafError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file: Any = None) -> None:
        """Print ``error: <message>`` on stderr."""
        click.echo(f"error: {self.format_message()}", err=True)


class Group(click.Group):
    """A click group that turns library errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, converting ``SamverkansgrafError`` unless --debug."""
        try:
            return super().invoke(ctx)
        except SamverkansgrafError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise CommandError(error) from error


def _write_or_print(text: str, out: Path | None) -> None:
    """Print ``text``, or write it atomically to ``out``."""
    if out is None:
        click.echo(text)
    else:
        write_files_atomically({out: text.encode("utf-8")})
        click.echo(f"wrote {_relative(out)}", err=True)


def _paths(ctx: click.Context) -> ProjectPaths:
    project = ctx.obj.get("project")
    return find_project_root(project) if project else find_project_root()


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
    5 SPARQL endpoint error · 6 output cannot be written.
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj.update(project=project, debug=debug)


def _graph_name(iri: str, names: dict[str, str]) -> str:
    return names.get(iri, iri)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory (default: dist/).",
)
@click.option(
    "--no-validate", is_flag=True, help="Skip SHACL validation (for quick checks)."
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="SHACL engine: fast (SPARQL on Oxigraph), pyshacl (reference), auto.",
)
@click.pass_context
def build(ctx: click.Context, out: Path | None, no_validate: bool, engine: str) -> None:
    """Build the dataset: parse, check evidence, validate, write dist/.

    Loads the ontology, SKOS schemes, gazetteer and every curated document, checks
    each source file against data/sources/SHA256SUMS, finds every quote in its
    source, validates with SHACL, and writes dist/samverkansgraf.{trig,nq,ttl,jsonld}
    atomically. Nothing is written when the graph does not conform.

    \b
    Example:
        samverkansgraf build
        samverkansgraf build --out /tmp/out
    """
    paths = _paths(ctx)
    result = build_dataset(paths, out, validate=not no_validate, engine=engine)
    assembled = result.assembled
    names = {
        str(GRAPH_ONTOLOGY): "ontology",
        str(GRAPH_SCHEMES): "SKOS schemes",
        str(GRAPH_REFERENCE): "reference (gazetteer, actors, programmes)",
    }
    for doc in assembled.documents:
        names[str(doc.document)] = f"{doc.source.path.name} ({doc.path.name})"
    total = sum(assembled.graphs.triple_count(iri) for iri in assembled.graphs)
    click.echo(
        f"samverkansgraf {__version__}: {total} triples in "
        f"{len(assembled.graphs)} named graphs"
    )
    for iri in assembled.graphs:
        size = assembled.graphs.triple_count(iri)
        click.echo(f"  {size:>7}  {_graph_name(str(iri), names)}")
    for line in _count_lines(result.counts):
        click.echo(line)
    spans = sum(1 for doc in assembled.documents for r in doc.evidence if not r.skipped)
    click.echo(f"evidence: {spans} quotes found in their sources, offsets checked")
    coverage = compute_coverage(assembled)
    shares = " · ".join(f"{d.file_name[:3]} {d.share:.1%}" for d in coverage.documents)
    gaps = sum(len(d.uncovered) for d in coverage.documents)
    click.echo(f"coverage: {shares} ({gaps} uncovered passages; see `coverage`)")
    if result.validation is None:
        click.echo("validation: skipped (--no-validate)")
    else:
        click.echo(_validation_line(result.validation))
    if result.validation is not None and not result.validation.conforms:
        click.echo(result.validation.format_text(assembled.union()), err=True)
        click.echo("nothing written: fix the data and build again", err=True)
        ctx.exit(1)
    shown = ", ".join(_relative(p) for p in result.outputs)
    click.echo(f"wrote {shown}")


def _count_lines(counts: dict[str, int]) -> list[str]:
    """Counts as two readable lines: actors, then documents and their content."""
    names = list(counts)
    split = names.index("persons") + 1
    actors = " · ".join(f"{counts[n]} {n}" for n in names[:split])
    content = " · ".join(f"{counts[n]} {n}" for n in names[split:])
    return [f"actors:   {actors}", f"content:  {content}"]


def _validation_line(report: ValidationReport) -> str:
    state = "conforms" if report.conforms else "DOES NOT CONFORM"
    return (
        f"validation: {state} ({len(report.violations)} violations, "
        f"{len(report.results)} results)"
    )


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "turtle"]),
    default="text",
    show_default=True,
    help="Report as readable text or as the SHACL report graph in Turtle.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="SHACL engine: fast (SPARQL on Oxigraph), pyshacl (reference), auto.",
)
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
    paths = _paths(ctx)
    if files:
        data = bind_prefixes(Graph())
        for graph in load_vocabulary_and_reference(paths).values():
            data += graph
        for path in files:
            _parse_any(path, data)
    else:
        data = assemble_dataset(paths).union()
    report = validate_graph(data, load_shapes(paths.shapes_dir), engine=engine)
    if output_format == "turtle" and report.graph is not None:
        click.echo(report.graph.serialize(format="turtle"))
    else:
        click.echo(report.format_text(data))
        for line in _count_lines(count_facts(data)):
            click.echo(line)
    ctx.exit(0 if report.conforms else 1)


@cli.command()
@click.option(
    "--min-length",
    type=click.IntRange(1),
    default=80,
    show_default=True,
    help="List uncovered passages with at least this many letters and digits.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the coverage strips to this PNG or SVG file.",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 when an uncovered passage is listed."
)
@click.pass_context
def coverage(
    ctx: click.Context,
    min_length: int,
    output_format: str,
    plot: Path | None,
    strict: bool,
) -> None:
    """Show how much of each source document the evidence covers.

    Per document: the share of letters and digits inside some evidence span or a
    deliberately skipped passage (skg:SkippedPassage: headers, footers, contact
    blocks), and every uncovered passage of at least --min-length characters with
    its line, offsets and text (contact data masked), so a curator sees what is
    missing.

    \b
    Example:
        samverkansgraf coverage
        samverkansgraf coverage --min-length 20 --plot coverage.png
    """
    assembled = assemble_dataset(_paths(ctx))
    report = compute_coverage(assembled, min_length)
    click.echo(report.to_json() if output_format == "json" else report.format_text())
    if plot is not None:
        plot_coverage(report, assembled, plot)
        click.echo(f"wrote {_relative(plot)}", err=True)
    ctx.exit(1 if strict and not report.complete else 0)


@cli.command()
@click.option(
    "--all",
    "include_unused",
    is_flag=True,
    help="Include gazetteer regions and municipalities no document mentions.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
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
    assembled = assemble_dataset(_paths(ctx))
    rows = list_entities(assembled, include_unused=include_unused)
    collisions = find_label_collisions(assembled.union())
    _write_or_print(_format_entities(rows, output_format), out)
    for label, iris in collisions.items():
        click.echo(f"collision: {label!r} is a label of {', '.join(iris)}", err=True)
    ctx.exit(1 if collisions else 0)


def _format_entities(rows: list[EntityRow], output_format: str) -> str:
    """Entity rows as an aligned table, CSV or JSON."""
    if output_format == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2)
    header = ["kind", "label", "documents", "facts", "other labels", "iri"]
    records = [
        [
            r.kind,
            r.label,
            str(r.documents),
            str(r.facts),
            " | ".join(r.alt_labels),
            r.iri,
        ]
        for r in rows
    ]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records)
        return buffer.getvalue().rstrip("\n")
    widths = [
        max(len(h), *(len(rec[i]) for rec in records)) for i, h in enumerate(header[:4])
    ]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header[:4], widths, strict=True))
        + "  other labels"
    ]
    for rec in records:
        cells = "  ".join(c.ljust(w) for c, w in zip(rec[:4], widths, strict=True))
        lines.append(f"{cells}  {rec[4]}")
    return "\n".join(lines)


@cli.command()
@click.option(
    "--scale",
    default="20k",
    show_default=True,
    help="Target size in triples: 20000, 200k, 1M …",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Project directory to write (outside the project's data/).",
)
@click.pass_context
def synth(ctx: click.Context, scale: str, seed: int, out: Path) -> None:
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
    from .synth import parse_scale, synth_project

    try:
        target = parse_scale(scale)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scale") from exc
    report = synth_project(
        out,
        scale=target,
        seed=seed,
        project=_paths(ctx),
        progress=lambda line: click.echo(line, err=True),
    )
    click.echo(
        f"wrote {_relative(report.root)}: {report.documents} documents "
        f"({report.agreements} agreements, {report.action_plans} action plans), "
        f"~{report.estimated_triples:,} triples (seed {seed})"
    )


def _parse_any(path: Path, graph: Graph) -> None:
    """Parse Turtle with located errors, or TriG/N-Quads by suffix."""
    if path.suffix in {".ttl", ".turtle"}:
        parse_turtle(path, graph)
        return
    formats = {".trig": "trig", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}
    if path.suffix not in formats:
        raise SourceError(
            "unknown RDF file type",
            path=path,
            hint="use .ttl, .trig, .nq, .nt or .jsonld",
        )
    try:
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(path, format=formats[path.suffix])
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    except (OSError, ValueError, SyntaxError) as exc:
        raise SourceError(
            f"cannot parse: {exc}", path=path, hint="check the file"
        ) from exc


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="samverkansgraf")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
