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
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rdflib import Graph

from .. import __version__
from ..atomic import write_files_atomically
from ..build import assemble_dataset, count_facts, load_vocabulary_and_reference
from ..build import build as build_dataset
from ..curate import (
    EntityRow,
    compute_coverage,
    find_label_collisions,
    list_entities,
    plot_coverage,
)
from ..errors import QueryError, SamverkansgrafError, SourceError
from ..extract.core import Extractor, extract_file, write_draft
from ..extract.evaluate import evaluate_project
from ..namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SCHEMES, bind_prefixes
from ..network.core import (
    DEFAULT_SEED,
    DEFAULT_THRESHOLD,
    GRAPHS,
    MEASURES,
    SIMILARITIES,
    analyse_network,
    check_names,
    compare_agreements,
    export_network,
    extract_network_data,
    format_comparison,
    format_rows,
    format_summary,
    load_project_graph,
    rank_nodes,
)
from ..publish.server import make_site_server
from ..publish.site import publish_site
from ..query.catalogue import find_query, load_catalogue, render_catalogue_markdown
from ..query.engines import (
    DEFAULT_TIMEOUT,
    ENGINES,
    WRITERS,
    QueryResult,
    catalogue_bindings,
    dataset_file,
    run_query,
    run_sparql,
)
from ..release import write_release
from ..sources import ProjectPaths, find_project_root, parse_turtle
from ..validate import ENGINES as SHACL_ENGINES
from ..validate import ValidationReport, load_shapes, validate_graph

SUMMARY_DOCUMENTS = 12
"""Above this many documents the build summary shows the document graphs and
their coverage in one line each (a national project has over a thousand)."""


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


def _format_option(
    choices: list[str], default: str, help_text: str = "Output format."
) -> Any:
    """The ``--format`` option shared by the commands that print results."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help_text,
    )


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
    type=click.Choice(SHACL_ENGINES),
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
    documents = {doc.document for doc in assembled.documents}
    many = len(documents) > SUMMARY_DOCUMENTS
    for iri in assembled.graphs:
        if many and iri in documents:
            continue
        size = assembled.graphs.triple_count(iri)
        click.echo(f"  {size:>7}  {_graph_name(str(iri), names)}")
    if many:  # a national project: one line instead of a thousand
        sizes = [assembled.graphs.triple_count(iri) for iri in documents]
        click.echo(
            f"  {sum(sizes):>7}  in {len(sizes)} document graphs "
            f"(smallest {min(sizes)}, largest {max(sizes)})"
        )
    for line in _count_lines(result.counts):
        click.echo(line)
    spans = sum(1 for doc in assembled.documents for r in doc.evidence if not r.skipped)
    click.echo(f"evidence: {spans} quotes found in their sources, offsets checked")
    coverage = compute_coverage(assembled)
    shares = " · ".join(f"{d.file_name[:3]} {d.share:.1%}" for d in coverage.documents)
    if len(coverage.documents) > SUMMARY_DOCUMENTS:
        ordered = sorted(coverage.documents, key=lambda d: d.share)
        shares = (
            f"{len(ordered)} documents, median "
            f"{ordered[len(ordered) // 2].share:.1%}, lowest {ordered[0].share:.1%} "
            f"({ordered[0].file_name})"
        )
    gaps = sum(len(d.uncovered) for d in coverage.documents)
    click.echo(f"coverage: {shares} ({gaps} uncovered passages; see `coverage`)")
    if result.validation is None:
        click.echo("validation: skipped (--no-validate)")
    else:
        click.echo(_validation_line(result.validation))
    if result.validation is not None and not result.validation.conforms:
        # The full report goes to stdout; stderr gets the one-line verdict.
        click.echo(result.validation.format_text(assembled.union()))
        violations = result.validation.violations
        first = violations[0]
        click.echo(
            f"error: the graph does not conform to the shapes "
            f"({len(violations)} violation(s); first: <{first.focus}> "
            f"{first.message}) — nothing written; fix the data and build again",
            err=True,
        )
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
@_format_option(
    ["text", "turtle"],
    "text",
    "Report as readable text or as the SHACL report graph in Turtle.",
)
@click.option(
    "--engine",
    type=click.Choice(SHACL_ENGINES),
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
@_format_option(["text", "json"], "text")
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
@_format_option(["table", "csv", "json"], "table")
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


class _Progress:
    """Report slow steps on stderr, but only once the command has run a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if time.monotonic() - self.start > 1.0:
            click.echo(f"{message} …", err=True)


_INPUT_OPTION = click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A built dump to analyse (.nq, .trig, .ttl). Default: "
    "dist/samverkansgraf.nq, or the curated data assembled in memory when dist/ "
    "has no build yet.",
)


@cli.command()
@click.option(
    "--graph",
    "graph_name",
    default="municipalities",
    show_default=True,
    help="Which graph to rank: " + ", ".join(GRAPHS) + ".",
)
@click.option(
    "--sort",
    default="weighted_degree",
    show_default=True,
    help="Measure to rank by (see --list).",
)
@_format_option(["table", "csv", "json"], "table")
@click.option(
    "--top", type=click.IntRange(1), help="Show only the first N rows of the ranking."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every graph (GraphML, GEXF, node/edge CSV), the participation "
    "matrices, codebook.md and summary.json into this folder, replacing it whole "
    "(only an empty folder or an earlier export is ever replaced).",
)
@click.option(
    "--plot",
    is_flag=True,
    help="Also draw PNG and SVG pictures of every graph and a heatmap per action "
    "plan (into --out, default dist/network/).",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the Louvain community detection (pictures need none).",
)
@click.option(
    "--list", "list_names", is_flag=True, help="List the graphs and measures and exit."
)
@_INPUT_OPTION
@click.pass_context
def network(
    ctx: click.Context,
    graph_name: str,
    sort: str,
    output_format: str,
    top: int | None,
    out: Path | None,
    plot: bool,
    seed: int,
    list_names: bool,
    input_path: Path | None,
) -> None:
    """Analyse the collaboration network: rank actors, export graphs, draw them.

    Builds three graphs from the dataset by SPARQL: municipalities (who takes part
    in the same activities and agreements; every municipality of a covered county,
    isolates included), actors (all actor types; edges count each kind of tie) and
    bipartite (actors × activities and agreements). Computes degree, weighted
    degree, betweenness (distance = 1/weight), Burt's constraint, PageRank,
    eigenvector centrality, clustering, components and Louvain communities, and
    prints the --graph ranked by --sort (summary line on stderr for csv/json).

    Input: --input, else dist/samverkansgraf.nq, else the curated data assembled
    in memory (when there is no build yet).

    \b
    Example:
        samverkansgraf network
        samverkansgraf network --graph actors --sort betweenness --top 10
        samverkansgraf network --format csv --out network/ --plot
    """
    if list_names:
        click.echo("graphs:")
        for name, spec in GRAPHS.items():
            click.echo(f"  {name:<16} {spec.description}")
        click.echo("measures (--sort):")
        for name, measure in MEASURES.items():
            click.echo(f"  {name:<16} {measure.description}")
        return
    check_names(graph=graph_name, sort=sort)
    progress = _Progress()
    paths = None if input_path is not None and not plot else _paths(ctx)
    graph, origin = load_project_graph(paths, input_path)
    data = extract_network_data(graph)
    results = {}
    for name, spec in GRAPHS.items():
        if name == graph_name or out is not None or plot:
            results[name] = analyse_network(spec.build(data), name, seed=seed)
    result = results[graph_name]
    rows = rank_nodes(result, sort, top)
    text = format_rows(rows, output_format)
    summary = f"{format_summary(result.summary)}\ninput: {origin}"
    if output_format == "table":
        click.echo(summary)
        click.echo(text)
    else:
        click.echo(summary, err=True)
        click.echo(text)
    if plot and out is None and paths is not None:
        out = paths.dist_dir / "network"
    if out is not None:
        written = export_network(
            results,
            out,
            data=data,
            plot=plot,
            source=origin,
            progress=progress,
        )
        click.echo(f"wrote {len(written)} files to {_relative(out)}/", err=True)


@cli.command()
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Similarity from which two commitments count as the same.",
)
@click.option(
    "--method",
    type=click.Choice(list(SIMILARITIES)),
    default="jaccard",
    show_default=True,
    help="jaccard: shared / all normalised words; overlap: shared / words of the "
    "shorter; difflib: SequenceMatcher ratio of the word sequences.",
)
@_format_option(["table", "csv", "json"], "table")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every row to this file: CSV, or JSON when it ends in .json.",
)
@_INPUT_OPTION
@click.pass_context
def compare(
    ctx: click.Context,
    threshold: float,
    method: str,
    output_format: str,
    out: Path | None,
    input_path: Path | None,
) -> None:
    """Compare a region's commitments across its bilateral agreements.

    For each region with bilateral agreements (exactly two parties: the region
    and a municipality), each of its commitments is compared, by the words of its
    evidence (oa:exact), with its commitments in its other agreements. Party names
    are replaced by REGION/KOMMUN and Swedish function words dropped before
    scoring. A commitment recurs when its best match scores at least --threshold,
    else it is local (always so while a region has only one agreement).

    Input: --input, else dist/samverkansgraf.nq, else the curated data assembled
    in memory.

    \b
    Example:
        samverkansgraf compare
        samverkansgraf compare --threshold 0.6 --out comparison.csv
    """
    paths = None if input_path is not None else _paths(ctx)
    graph, origin = load_project_graph(paths, input_path)
    report = compare_agreements(graph, threshold=threshold, method=method)
    click.echo(format_comparison(report, output_format))
    if output_format != "json":
        click.echo(f"input: {origin}", err=True)
    if out is not None:
        kind = "json" if out.suffix == ".json" else "csv"
        text = format_comparison(report, kind) + "\n"
        write_files_atomically({out: text.encode("utf-8")})
        click.echo(f"wrote {_relative(out)}", err=True)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Site folder (replaced whole, atomically).",
)
@click.pass_context
def publish(ctx: click.Context, out: Path) -> None:
    """Publish the linked-data site: one page per resource, DCAT, VoID.

    Validates the graph first (SHACL, privacy shapes included) and writes nothing
    when it does not conform. Writes one HTML page per resource at the path of its
    IRI with Turtle, JSON-LD and N-Triples beside it, class indexes, the ontology,
    the source texts (contact data masked), the dumps, a DCAT-AP-SE catalogue
    record (dcat.ttl, dcat.rdf) and a VoID description (void.ttl).

    \b
    Example:
        samverkansgraf publish --out site/
        samverkansgraf serve-site --dir site/
    """
    result = publish_site(_paths(ctx), out)
    click.echo(
        f"published {result.pages} pages ({result.files} files) to "
        f"{_relative(result.out)} in {result.seconds:.1f} s"
    )
    for warning in result.warnings:
        click.echo(f"DCAT-AP-SE recommendation not met: {warning}", err=True)


@cli.command("serve-site")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The published site folder.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0: any free one).",
)
def serve_site(directory: Path, host: str, port: int) -> None:
    """Serve a published site locally, with content negotiation.

    Resource paths such as /id/kommun/2083 answer 303 to the representation the
    Accept header prefers: HTML for browsers; Turtle, JSON-LD or N-Triples for
    RDF clients. Stop with Ctrl-C.

    \b
    Example:
        samverkansgraf serve-site --dir site/ --port 8000
        curl -L -H 'Accept: text/turtle' http://127.0.0.1:8000/id/kommun/2083
    """
    server = make_site_server(directory, host, port)
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"serving {_relative(directory)} at http://{bound_host!s}:{bound_port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@cli.command()
@click.option(
    "--version",
    "version",
    required=True,
    help="Semantic version X.Y.Z (needs a dated entry in CHANGELOG.md).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Release folder (default: dist/releases/samverkansgraf-X.Y.Z).",
)
@click.pass_context
def release(ctx: click.Context, version: str, out: Path | None) -> None:
    """Write a citable research release: CSV tables, data package, CITATION.cff.

    Validates the graph first and writes nothing when it does not conform. The
    folder holds datapackage.json (Frictionless), data/*.csv, codebook.md, the RDF
    dumps, masked source texts, CITATION.cff, CHANGELOG.md and SHA256SUMS.

    \b
    Example:
        samverkansgraf release --version 0.1.0
        samverkansgraf release --version 0.2.0 --out /tmp/release
    """
    result = write_release(_paths(ctx), version, out)
    tables = ", ".join(f"{n} {name}" for name, n in result.rows.items())
    click.echo(
        f"released samverkansgraf {result.version} ({result.date}) to "
        f"{_relative(result.out)}: {len(result.files)} files; rows: {tables}"
    )


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the draft Turtle to this file (default: standard output).",
)
@click.option(
    "--review",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown review list (clauses, commitments, unknown names, "
    "skipped blocks) to this file.",
)
@click.pass_context
def extract(
    ctx: click.Context, file: Path, out: Path | None, review: Path | None
) -> None:
    """Draft clauses and commitments from a new agreement or plan text.

    Segments the text (numbered, bulleted or headed clauses; repeated page headers,
    footers and contact blocks skipped), finds actors and programmes with the
    reference gazetteer, reads each commitment's actor, modality and themes, and
    writes Turtle in the curated model with evidence offsets, every fact marked
    prov:wasGeneratedBy the extractor. A machine proposal: review it before
    curating. Odd input (empty, not UTF-8, no clauses) gives warnings and a valid,
    possibly empty draft; exit 2 only when FILE cannot be read.

    \b
    Example:
        samverkansgraf extract data/sources/001_2d90e2fd4dad697e.txt \\
            --out draft.ttl --review draft.md
        samverkansgraf validate draft.ttl
    """
    paths = _paths(ctx)
    extractor = Extractor.from_project(paths)
    result = extract_file(file, extractor=extractor)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    written = write_draft(result, out, review, extractor.reference)
    if out is None:
        click.echo(result.turtle().decode("utf-8"), nl=False)
    click.echo(
        f"{file.name}: {result.kind}; {len(result.clauses)} clauses, "
        f"{len(result.commitments)} commitments, {len(result.candidates)} unknown "
        f"names, {len(result.skipped)} skipped blocks",
        err=True,
    )
    for path in written:
        click.echo(f"wrote {_relative(path)}", err=True)


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report as FILE.json and FILE.md (the suffix given is replaced).",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 when a target figure is not reached."
)
@click.option(
    "--no-ablations",
    is_flag=True,
    help="Skip the runs without name variants and without fuzzy matching.",
)
@click.pass_context
def evaluate(
    ctx: click.Context, out: Path | None, strict: bool, no_ablations: bool
) -> None:
    """Measure the extractor against every curated agreement.

    Drafts each curated source afresh and compares with the curated graph:
    precision/recall/F1 of clause boundaries and commitments (spans matched at
    IoU >= 0.5), committing-actor and modality accuracy on matched commitments,
    entity F1 per clause; plans and other documents are reported as out of scope.
    Targets: clause F1 >= 0.95, entity F1 >= 0.90, modality accuracy >= 0.90.

    \b
    Example:
        samverkansgraf evaluate
        samverkansgraf evaluate --out dist/extraction-evaluation.json
    """
    report = evaluate_project(_paths(ctx), ablations=not no_ablations)
    click.echo(report.format_table())
    if out is not None:
        files = {
            out.with_suffix(".json"): report.to_json().encode("utf-8"),
            out.with_suffix(".md"): report.format_markdown().encode("utf-8"),
        }
        for path in write_files_atomically(files):
            click.echo(f"wrote {_relative(path)}", err=True)
    for shortfall in report.shortfalls():
        click.echo(f"below target: {shortfall}", err=True)
    ctx.exit(1 if strict and report.shortfalls() else 0)


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
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    writable: bool,
    timeout_s: int | None,
    max_result_mb: int,
) -> None:
    """Serve dist/ as a SPARQL endpoint (an Oxigraph server) until Ctrl-C.

    Loads dist/samverkansgraf.nq with its named graphs into a fresh Oxigraph
    store and serves it read-only, with the union of the named graphs as the
    default graph. Query it with --endpoint, any SPARQL client, or the browser.
    Answers larger than --max-result-mb are refused with HTTP 413 (Oxigraph has
    no such limit, so a small proxy in front of it enforces it).

    \b
    Example:
        samverkansgraf serve
        samverkansgraf query 01 --endpoint http://127.0.0.1:7878/query
        samverkansgraf serve --port 7879 --writable
    """
    from ..query.endpoint import start_server

    dump = dataset_file(_paths(ctx))
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
        )
        mode = "read-write" if writable else "read-only"
        if max_result_mb:
            mode += f", answers up to {max_result_mb} MB"
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
    from ..query.endpoint import upload_dataset

    source = dump if dump is not None else dataset_file(_paths(ctx))
    report = upload_dataset(endpoint, source, method=method, timeout=timeout)
    size = report.bytes_sent / 1024
    click.echo(
        f"replaced the dataset at {report.url}: {report.triples} triples in "
        f"{len(report.graphs)} graphs, one {report.method} request of {size:.0f} KiB "
        f"in {report.seconds:.2f} s; counts checked"
    )


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
    from ..devtools.synth import parse_scale, synth_project

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
