"""The command-line interface: a thin click layer over the library.

Every command calls one or two library functions and formats their result. Errors
raised by the library (``SamverkansgrafError``) are caught in one place and shown
as one line on stderr with the error's exit code; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Any

import click
from rdflib import Graph

from . import __version__
from .build import assemble_dataset, count_facts
from .build import build as build_dataset
from .catalogue import find_query, load_catalogue, render_catalogue_markdown
from .errors import QueryError, SamverkansgrafError, SourceError
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SCHEMES, bind_prefixes
from .query import (
    DEFAULT_TIMEOUT,
    ENGINES,
    WRITERS,
    QueryResult,
    catalogue_bindings,
    dataset_file,
    run_query,
    run_sparql,
)
from .reference import load_reference
from .sources import ProjectPaths, find_project_root, parse_turtle
from .validate import ValidationReport, load_shapes, validate_graph


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
@click.pass_context
def build(ctx: click.Context, out: Path | None, no_validate: bool) -> None:
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
    result = build_dataset(paths, out, validate=not no_validate)
    assembled = result.assembled
    names = {
        str(GRAPH_ONTOLOGY): "ontology",
        str(GRAPH_SCHEMES): "SKOS schemes",
        str(GRAPH_REFERENCE): "reference (gazetteer, actors, programmes)",
    }
    for doc in assembled.documents:
        names[str(doc.document)] = f"{doc.source.path.name} ({doc.path.name})"
    total = sum(len(g) for g in assembled.graphs.values())
    click.echo(f"samverkansgraf {__version__}: {total} triples in "
               f"{len(assembled.graphs)} named graphs")
    for iri, graph in assembled.graphs.items():
        click.echo(f"  {len(graph):>7}  {_graph_name(str(iri), names)}")
    counts = "  ".join(f"{name}: {n}" for name, n in result.counts.items())
    click.echo(f"counts: {counts}")
    spans = sum(len(doc.evidence) for doc in assembled.documents)
    click.echo(f"evidence: {spans} quotes found in their sources, offsets checked")
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
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], output_format: str) -> None:
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
        parse_turtle(paths.ontology_dir / "samverkansgraf.ttl", data)
        parse_turtle(paths.ontology_dir / "schemes.ttl", data)
        data += load_reference(paths)
        for path in files:
            _parse_any(path, data)
    else:
        data = assemble_dataset(paths).union()
    report = validate_graph(data, load_shapes(paths.shapes_dir))
    if output_format == "turtle" and report.graph is not None:
        click.echo(report.graph.serialize(format="turtle"))
    else:
        click.echo(report.format_text(data))
        click.echo(f"counts: {count_facts(data)}")
    ctx.exit(0 if report.conforms else 1)


def _parse_any(path: Path, graph: Graph) -> None:
    """Parse Turtle with located errors, or TriG/N-Quads by suffix."""
    if path.suffix in {".ttl", ".turtle"}:
        parse_turtle(path, graph)
        return
    formats = {".trig": "trig", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}
    if path.suffix not in formats:
        raise SourceError(
            "unknown RDF file type", path=path, hint="use .ttl, .trig, .nq, .nt or .jsonld"
        )
    try:
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(path, format=formats[path.suffix])
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    except (OSError, ValueError, SyntaxError) as exc:
        raise SourceError(f"cannot parse: {exc}", path=path, hint="check the file") from exc


# ---------------------------------------------------------------------------
# Queries and the SPARQL endpoint (issue #5)
# ---------------------------------------------------------------------------


def _query_options(function: Any) -> Any:
    """The options shared by `query` and `sparql`."""
    options = [
        click.option(
            "--format",
            "output_format",
            type=click.Choice(list(WRITERS)),
            default="table",
            show_default=True,
            help="table for reading; csv, tsv or SPARQL JSON for tools.",
        ),
        click.option(
            "--endpoint",
            metavar="URL",
            help="Ask this SPARQL endpoint instead of dist/ (e.g. the URL printed "
            "by `samverkansgraf serve`).",
        ),
        click.option(
            "--engine",
            type=click.Choice(list(ENGINES)),
            default="oxigraph",
            show_default=True,
            help="Local engine over dist/ (ignored with --endpoint).",
        ),
        click.option(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds to wait for --endpoint.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _echo_result(result: QueryResult, output_format: str) -> None:
    click.echo(result.write(output_format), nl=False)


@cli.command("query")
@click.argument("name", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the catalogue.")
@click.option(
    "--markdown",
    is_flag=True,
    help="With --list: the catalogue as the Markdown table of the docs.",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A query parameter (repeatable); IRIs as skgid:… or <https://…>.",
)
@_query_options
@click.pass_context
def query_command(
    ctx: click.Context,
    name: str | None,
    list_queries: bool,
    markdown: bool,
    params: tuple[str, ...],
    output_format: str,
    endpoint: str | None,
    engine: str,
    timeout: float,
) -> None:
    """Run a query of the catalogue (queries/*.rq), or list them.

    NAME is the query id, its number or its slug. Queries see the union of all
    named graphs as their default graph. Without --endpoint they run on
    dist/samverkansgraf.nq (run `samverkansgraf build` first).

    \b
    Example:
        samverkansgraf query --list
        samverkansgraf query --list --markdown > catalogue.md
        samverkansgraf query 08 --param programme=skgid:programme/skapande-skola
        samverkansgraf query 13_municipalities_in_no_activity -p county=18 --format csv
        samverkansgraf query 01 --endpoint http://127.0.0.1:7878/query
    """
    paths = _paths(ctx)
    catalogue = load_catalogue(paths.queries_dir)
    if list_queries and markdown:
        click.echo(render_catalogue_markdown(catalogue.values()), nl=False)
        return
    if list_queries:
        for spec in catalogue.values():
            parameters = "; ".join(p.describe() for p in spec.parameters)
            shown = f"  [{parameters}]" if parameters else ""
            click.echo(f"{spec.id}  {spec.title}{shown}")
        return
    if name is None:
        raise click.UsageError("give a query NAME, or --list to see the catalogue")
    spec = find_query(name, catalogue)
    values = catalogue_bindings(spec, params)
    result = run_query(
        spec, values, engine=engine, endpoint=endpoint, project=paths, timeout=timeout
    )
    _echo_result(result, output_format)


@cli.command("sparql")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_query_options
@click.pass_context
def sparql_command(
    ctx: click.Context,
    file: Any,
    output_format: str,
    endpoint: str | None,
    engine: str,
    timeout: float,
) -> None:
    """Run your own SELECT or ASK query from FILE (or - for stdin).

    The default graph is the union of all named graphs, as for the catalogue. A
    syntax error is reported with its line and column (exit code 4).

    \b
    Example:
        samverkansgraf sparql my-question.rq --format csv
        echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | samverkansgraf sparql -
    """
    text = file.read()
    if not text.strip():
        raise QueryError("the query is empty", hint="give a SELECT or ASK query")
    paths = None if endpoint else _paths(ctx)
    result = run_sparql(
        text, engine=engine, endpoint=endpoint, project=paths, timeout=timeout
    )
    _echo_result(result, output_format)


@cli.command("serve")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", type=int, default=7878, show_default=True, help="TCP port.")
@click.option(
    "--writable",
    is_flag=True,
    help="Accept SPARQL updates and `samverkansgraf upload` (default: read-only).",
)
@click.option(
    "--timeout-s",
    type=int,
    default=None,
    help="Oxigraph's per-query timeout in seconds.",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, writable: bool, timeout_s: int | None
) -> None:
    """Serve dist/ as a SPARQL endpoint (an Oxigraph server) until Ctrl-C.

    Loads dist/samverkansgraf.nq with its named graphs into a fresh Oxigraph
    store and serves it read-only, with the union of the named graphs as the
    default graph. Query it with --endpoint, any SPARQL client, or the browser.

    \b
    Example:
        samverkansgraf serve
        samverkansgraf query 01 --endpoint http://127.0.0.1:7878/query
        samverkansgraf serve --port 7879 --writable
    """
    from .endpoint import start_server

    dump = dataset_file(_paths(ctx))
    # SIGTERM (kill, service managers) stops the server like Ctrl-C does, and
    # both may come at any moment, so the oxigraph process and its temporary
    # store are cleaned up whenever this command ends.
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    server = None
    code = 0
    try:
        server = start_server(
            dump, host=host, port=port, read_only=not writable, timeout_s=timeout_s
        )
        mode = "read-write" if writable else "read-only"
        click.echo(f"serving {_relative(dump)} ({mode}) with Oxigraph at {server.url}")
        click.echo(f"SPARQL endpoint: {server.query_url}")
        click.echo("press Ctrl-C to stop")
        code = server.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        if server is not None:
            server.stop()
        signal.signal(signal.SIGTERM, previous)
    ctx.exit(code)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@cli.command("upload")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store: its base URL or its …/query or …/update URL.",
)
@click.option(
    "--file",
    "dump",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The dump to upload (default: dist/samverkansgraf.nq).",
)
@click.option(
    "--method",
    type=click.Choice(["update", "gsp"]),
    default="update",
    show_default=True,
    help="One SPARQL Update request, or one Graph Store Protocol PUT of the "
    "whole dataset (atomic on Oxigraph >= 0.5.13 only).",
)
@click.option(
    "--timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds to wait for the store.",
)
@click.pass_context
def upload(
    ctx: click.Context, endpoint: str, dump: Path | None, method: str, timeout: float
) -> None:
    """Replace the whole dataset of a running store, atomically.

    Sends one request: a SPARQL 1.1 Update (DROP ALL, then INSERT DATA with
    every named graph), which Oxigraph runs as one transaction, or with --method
    gsp one Graph Store Protocol PUT of the whole dataset. A concurrent reader
    sees the old dataset or the new one, never a half-loaded one; the triple
    counts are checked afterwards. The store must be writable
    (`samverkansgraf serve --writable`).

    \b
    Example:
        samverkansgraf upload --endpoint http://127.0.0.1:7878
        samverkansgraf upload --endpoint http://127.0.0.1:7878 --method gsp
    """
    from .endpoint import upload_dataset

    source = dump if dump is not None else dataset_file(_paths(ctx))
    report = upload_dataset(endpoint, source, method=method, timeout=timeout)
    size = report.bytes_sent / 1024
    click.echo(
        f"replaced the dataset at {report.url}: {report.triples} triples in "
        f"{len(report.graphs)} graphs, one {report.method} request of {size:.0f} KiB "
        f"in {report.seconds:.2f} s; counts checked"
    )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="samverkansgraf")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
