"""Commands that ask the dataset and serve it: ``query``, ``sparql``, ``serve``,
``upload`` (issue #5)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from ..build.summary import display_path
from ..errors import QueryError
from ..publish.settings import PUBLICATION_FILE, load_publication
from ..query.catalogue import (
    catalogue_dir,
    find_query,
    load_catalogue,
    render_catalogue_markdown,
)
from ..query.engines import (
    DEFAULT_TIMEOUT,
    ENGINES,
    WRITERS,
    QueryResult,
    bound_query_text,
    catalogue_bindings,
    dataset_file,
    run_query,
    run_sparql,
)
from .app import CommandT, format_option, project_if_any, project_paths

__all__ = ["query_command", "serve", "sparql_command", "upload"]


def _endpoint_option(help_text: str, **extra: Any) -> Callable[[CommandT], CommandT]:
    """``--endpoint URL``: a SPARQL endpoint or store instead of dist/."""
    return click.option("--endpoint", metavar="URL", help=help_text, **extra)


def _timeout_option(default: float, help_text: str) -> Callable[[CommandT], CommandT]:
    """``--timeout SECONDS`` for the requests to an endpoint."""
    return click.option(
        "--timeout", type=float, default=default, show_default=True, help=help_text
    )


def _query_options(function: CommandT) -> CommandT:
    """The options shared by `query` and `sparql`."""
    options = [
        format_option(
            list(WRITERS),
            "table",
            "table for reading; csv, tsv or SPARQL JSON for tools.",
        ),
        _endpoint_option(
            "Ask this SPARQL endpoint instead of dist/ (e.g. the URL printed "
            "by `samverkansgraf serve`)."
        ),
        click.option(
            "--engine",
            type=click.Choice(list(ENGINES)),
            default="oxigraph",
            show_default=True,
            help="Local engine over dist/ (ignored with --endpoint).",
        ),
        _timeout_option(DEFAULT_TIMEOUT, "Seconds to wait for --endpoint."),
        click.option(
            "--allow-federation",
            is_flag=True,
            help="Let the local engine follow SERVICE to other servers (refused "
            "by default: local queries make no network request).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _echo_result(result: QueryResult, output_format: str) -> None:
    click.echo(result.write(output_format), nl=False)


@click.command("query")
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
    help="A query parameter (once each); IRIs as skgid:… or <https://…>.",
)
@click.option(
    "--show",
    is_flag=True,
    help="Print the query text that would be sent, parameters bound, and exit.",
)
@_query_options
@click.pass_context
def query_command(
    ctx: click.Context,
    name: str | None,
    list_queries: bool,
    markdown: bool,
    params: tuple[str, ...],
    show: bool,
    output_format: str,
    endpoint: str | None,
    engine: str,
    timeout: float,
    allow_federation: bool,
) -> None:
    """Run a query of the catalogue (queries/*.rq), or list them.

    NAME is the query id, its number or its slug. Queries see the union of all
    named graphs as their default graph. Without --endpoint they run on
    dist/samverkansgraf.nq (run `samverkansgraf build` first). A parameter
    value that names nothing in the graph (an unknown IRI, a county code no
    region has) is warned about on stderr; the query still runs.

    \b
    Example:
        samverkansgraf query --list
        samverkansgraf query --list --markdown > catalogue.md
        samverkansgraf query 08 --param programme=skgid:programme/skapande-skola
        samverkansgraf query 13_municipalities_in_no_activity -p county=18 --format csv
        samverkansgraf query 01 --endpoint http://127.0.0.1:7878/query
        samverkansgraf query 24 -p county=18 --show
    """
    # Outside a project the installed package's copy of the catalogue serves
    # --list, --show and --endpoint (a local run still needs the project).
    paths = project_if_any(ctx)
    catalogue = load_catalogue(catalogue_dir(paths))
    if list_queries and markdown:
        # Each query links to its run URL on the published site, if the project
        # says where that is.
        run_base = None
        if paths is not None and (paths.root / PUBLICATION_FILE).is_file():
            run_base = load_publication(paths.root).base_url
        click.echo(
            render_catalogue_markdown(catalogue.values(), run_base=run_base), nl=False
        )
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
    if show:
        click.echo(bound_query_text(spec, values), nl=False)
        return
    result = run_query(
        spec,
        values,
        engine=engine,
        endpoint=endpoint,
        project=paths,
        timeout=timeout,
        allow_federation=allow_federation,
        warn=lambda message: click.echo(f"warning: {message}", err=True),
    )
    _echo_result(result, output_format)


@click.command("sparql")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_query_options
@click.pass_context
def sparql_command(
    ctx: click.Context,
    file: IO[str],
    output_format: str,
    endpoint: str | None,
    engine: str,
    timeout: float,
    allow_federation: bool,
) -> None:
    """Run your own SELECT or ASK query from FILE (or - for stdin).

    The default graph is the union of all named graphs, as for the catalogue. A
    syntax error is reported with its line and column (exit code 4). Queries are
    screened first: SERVICE (without --allow-federation), nesting deeper than 64
    brackets, more than 64 KiB, and FROM with --engine rdflib are refused (exit 4).

    \b
    Example:
        samverkansgraf sparql my-question.rq --format csv
        echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | samverkansgraf sparql -
    """
    text = file.read()
    if not text.strip():
        raise QueryError("the query is empty", hint="give a SELECT or ASK query")
    paths = None if endpoint else project_paths(ctx)
    result = run_sparql(
        text,
        engine=engine,
        endpoint=endpoint,
        project=paths,
        timeout=timeout,
        allow_federation=allow_federation,
    )
    _echo_result(result, output_format)


@click.command("serve")
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
    type=click.IntRange(1),
    default=30,
    show_default=True,
    help="Oxigraph's per-query timeout in seconds: a runaway query is cut off.",
)
@click.option(
    "--max-result-mb",
    type=click.IntRange(0),
    default=64,
    show_default=True,
    help="Refuse answers larger than this (HTTP 413, 'add a LIMIT'); 0: no limit.",
)
@click.option(
    "--allow-federation",
    is_flag=True,
    help="Let queries use SERVICE (the server then fetches URLs clients name).",
)
@click.option(
    "--public-host",
    "public_hosts",
    multiple=True,
    metavar="NAME",
    help="A Host name to answer for besides localhost, 127.0.0.1 and [::1] "
    "(repeatable; e.g. the name a reverse proxy forwards).",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(1),
    default=16,
    show_default=True,
    help="Requests handled at once; more are answered 503 with Retry-After.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    writable: bool,
    timeout_s: int | None,
    max_result_mb: int,
    allow_federation: bool,
    public_hosts: tuple[str, ...],
    max_concurrent: int,
) -> None:
    """Serve dist/ as a SPARQL endpoint (an Oxigraph server) until Ctrl-C.

    Loads dist/samverkansgraf.nq with its named graphs into a fresh Oxigraph
    store and serves it read-only, with the union of the named graphs as the
    default graph. Query it with --endpoint, any SPARQL client, or the browser.
    Answers larger than --max-result-mb are refused with HTTP 413 (Oxigraph has
    no such limit, so a small proxy in front of it enforces it). The proxy also
    refuses SERVICE (unless --allow-federation), deep nesting and oversized
    queries (400), Host names other than loopback and --public-host (421),
    timed-out queries (504) and requests over --max-concurrent (503); if
    Oxigraph dies, serve says so and exits with code 5.

    Open the server's address in a browser for the query page: a SPARQL
    editor with the project's prefixes and every catalogue query as an example
    (shareable links: /?name=13&county=18). GET queries carry CORS headers, so
    pages and notebooks on other origins can read the answers.

    \b
    Example:
        samverkansgraf serve
        samverkansgraf query 01 --endpoint http://127.0.0.1:7878/query
        samverkansgraf serve --port 7879 --writable
    """
    # Imported when needed: only `serve` and `upload` use the endpoint module.
    from ..query.endpoint import start_server
    from ..serving import ServingLimits

    paths = project_paths(ctx)
    dump = dataset_file(paths)
    catalogue = load_catalogue(paths.queries_dir).values()
    # SIGTERM (kill, service managers) stops the server like Ctrl-C does, and
    # both may come at any moment, so the oxigraph process and its temporary
    # store are cleaned up whenever this command ends.
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    server = None
    code = 0
    try:
        server = start_server(
            dump,
            host=host,
            port=port,
            read_only=not writable,
            timeout_s=timeout_s,
            max_result_bytes=max_result_mb * 2**20 if max_result_mb else None,
            allow_federation=allow_federation,
            public_hosts=public_hosts,
            limits=ServingLimits(max_concurrent=max_concurrent),
            catalogue=catalogue,
        )
        mode = "read-write" if writable else "read-only"
        if max_result_mb:
            mode += f", answers up to {max_result_mb} MB"
        click.echo(
            f"serving {display_path(dump)} ({mode}) with Oxigraph at {server.url}"
        )
        click.echo(f"SPARQL endpoint: {server.query_url}")
        click.echo(f"query page: {server.url}/ (open it in a browser)")
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


@click.command("upload")
@_endpoint_option(
    "The store: its base URL or its …/query or …/update URL.", required=True
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
@_timeout_option(120.0, "Seconds to wait for the store.")
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
    from ..query.endpoint import upload_dataset

    source = dump if dump is not None else dataset_file(project_paths(ctx))
    report = upload_dataset(endpoint, source, method=method, timeout=timeout)
    size = report.bytes_sent / 1024
    click.echo(
        f"replaced the dataset at {report.url}: {report.triples} triples in "
        f"{len(report.graphs)} graphs, one {report.method} request of {size:.0f} KiB "
        f"in {report.seconds:.2f} s; counts checked"
    )
