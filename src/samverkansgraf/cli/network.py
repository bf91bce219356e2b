"""Commands that analyse the collaboration network: ``network``, ``compare``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..build.summary import display_path
from ..network import (
    DEFAULT_SEED,
    DEFAULT_THRESHOLD,
    GRAPHS,
    SIMILARITIES,
    analyse_graphs,
    check_names,
    compare_agreements,
    describe_names,
    export_network,
    extract_network_data,
    format_comparison,
    format_rows,
    format_summary,
    load_project_graph,
    rank_nodes,
    write_comparison,
)
from .app import (
    echo_written,
    format_option,
    optional_project_root,
    out_option,
    project_paths,
    protect_inputs,
)

__all__ = ["compare", "network"]


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


@click.command()
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
@format_option(["table", "csv", "json"], "table")
@click.option(
    "--top", type=click.IntRange(1), help="Show only the first N rows of the ranking."
)
@out_option(
    "Write every graph (GraphML, GEXF, node/edge CSV), the participation "
    "matrices, codebook.md and summary.json into this folder, replacing it whole "
    "(only an empty folder or an earlier export is ever replaced).",
    folder=True,
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
        click.echo(describe_names())
        return
    check_names(graph=graph_name, sort=sort)
    progress = _Progress()
    paths = None if input_path is not None and not plot else project_paths(ctx)
    graph, origin = load_project_graph(paths, input_path)
    data = extract_network_data(graph)
    everything = out is not None or plot
    results = analyse_graphs(data, None if everything else [graph_name], seed=seed)
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
    # Where a measure degenerates on this graph (eigenvector centrality across
    # components, an all-zero betweenness), say so rather than print 0.000.
    for warning in result.summary.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
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
            project_root=optional_project_root(ctx),
        )
        click.echo(f"wrote {len(written)} files to {display_path(out)}/", err=True)


@click.command()
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
@format_option(["table", "csv", "json"], "table")
@out_option("Also write every row to this file: CSV, or JSON when it ends in .json.")
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
    protect_inputs(ctx, out)
    paths = None if input_path is not None else project_paths(ctx)
    graph, origin = load_project_graph(paths, input_path)
    report = compare_agreements(graph, threshold=threshold, method=method)
    click.echo(format_comparison(report, output_format))
    if output_format != "json":
        click.echo(f"input: {origin}", err=True)
    if out is not None:
        echo_written(write_comparison(report, out))
