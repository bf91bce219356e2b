"""Stage 6 — network, step 5: the export folder (GraphML, GEXF, CSV, codebook).

Input: analysed graphs (``NetworkResult`` from :mod:`.measures`) and the
``NetworkData`` they came from. Output: one folder, written atomically:
``<graph>.graphml``, ``<graph>.gexf``, ``<graph>-nodes.csv``,
``<graph>-edges.csv``, ``matrix-<plan>.csv``, ``codebook.md`` (every file and
column explained) and ``summary.json``; with ``plot`` also the pictures of
:mod:`.pictures`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from .. import __version__
from ..atomic import OUTPUT_MARKER, atomic_directory, check_output_directory
from .graphs import GRAPHS, ParticipationMatrix, participation_matrices
from .measures import MEASURES, NODE_ATTRIBUTES, NetworkResult
from .pictures import draw_graph, draw_heatmap, layout_positions, node_colours
from .source import NetworkData
from .tables import csv_text

__all__ = [
    "EDGE_COLUMNS",
    "EXPORT_MARKER",
    "MATRIX_COLUMNS",
    "NODE_COLUMNS",
    "export_network",
    "render_codebook",
]

EXPORT_MARKER = "samverkansgraf network"
"""The ``generator`` of ``summary.json``: marks a folder this module may replace."""

NODE_COLUMNS: dict[str, str] = {
    "id": "node id: the resource's IRI (GraphML/GEXF node id)",
    "label": "Swedish label (rdfs:label or skos:prefLabel; for an activity without "
    "a label, the first words of its evidence)",
    "short_label": "short form used in the pictures (a municipality's short name, "
    "'Överenskommelse <municipality>' for an agreement, 'Aktivitet <n>' for the "
    "n-th activity of its plan, numbered as in the heatmap)",
    "type": "region, municipality, cultural_institution, civil_society_organisation, "
    "network, person, actor (other), activity or agreement",
    "county": "SCB county code (län, two digits); empty when not applicable",
    "municipality": "SCB municipality code (kommunkod, four digits); empty when not "
    "a municipality",
    "wikidata": "Wikidata id (Q…) from owl:sameAs; empty when unknown",
    "iri": "the resource's IRI in the knowledge graph",
    "bipartite": "bipartite graph only: 0 = actor, 1 = activity or agreement",
    **{name: m.description for name, m in MEASURES.items()},
}
"""Node CSV column → meaning (also the node attributes of GraphML and GEXF)."""

EDGE_COLUMNS: dict[str, str] = {
    "source": "IRI of one end (the smaller IRI)",
    "target": "IRI of the other end",
    "source_label": "label of source",
    "target_label": "label of target",
    "weight": "tie strength: municipalities = activities + agreements shared; actors "
    "= sum of the kind counts; bipartite = number of roles",
    "distance": "1 / weight: the length betweenness uses (strong ties are short)",
    "activities": "municipalities graph: activities both take part in",
    "agreements": "municipalities graph: agreements both are parties to",
    "shared": "municipalities graph: the shared activities and agreements (IRIs "
    "after https://w3id.org/samverkansgraf/id/, ';'-separated)",
    "kinds": "actors graph: the kinds of tie present, ';'-separated",
    "same_activity": "actors graph: activities in which both are participants",
    "same_agreement": "actors graph: agreements to which both are parties",
    "joint_commitment": "actors graph: commitments both are committedBy",
    "commitment_concerning": "actors graph: commitments by one that concern the "
    "other (skg:committedBy → skg:concerns), either direction",
    "convenor": "actors graph: activities one convenes and the other takes part in",
    "coordinator": "actors graph: activities one coordinates and the other takes "
    "part in",
    "roles": "bipartite graph: the actor's roles in the event (participant, "
    "convenor, coordinator, party), ';'-separated",
}
"""Edge CSV column → meaning (also the edge attributes of GraphML and GEXF)."""

MATRIX_COLUMNS: dict[str, str] = {
    "municipality": "municipality IRI (every municipality of the plan's county)",
    "label": "its label",
    "<activity IRI>": "1 when the municipality is a participant of that activity, "
    "else 0; columns in the plan's order",
    "total": "activities the municipality takes part in",
}


def _graph_edges(result: NetworkResult) -> tuple[list[str], list[dict[str, Any]]]:
    graph = result.graph
    keys: list[str] = []
    for _, _, attrs in graph.edges(data=True):
        keys.extend(k for k in attrs if k not in keys)
    ordered = [k for k in EDGE_COLUMNS if k in keys]
    columns = ["source", "target", "source_label", "target_label", *ordered]
    rows = []
    for a, b, attrs in sorted(
        graph.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))
    ):
        a, b = min(a, b), max(a, b)
        rows.append(
            {
                "source": a,
                "target": b,
                "source_label": graph.nodes[a]["label"],
                "target_label": graph.nodes[b]["label"],
                **attrs,
            }
        )
    if not rows:
        columns = [
            "source",
            "target",
            "source_label",
            "target_label",
            "weight",
            "distance",
        ]
    return columns, rows


def _node_table(result: NetworkResult) -> tuple[list[str], list[dict[str, Any]]]:
    rows = []
    for node, attrs in result.graph.nodes(data=True):
        rows.append({"id": node, **{k: attrs.get(k) for k in attrs}})
    columns = ["id", *NODE_ATTRIBUTES]
    if result.name == "bipartite" or any("bipartite" in r for r in rows):
        columns.append("bipartite")
    columns += list(MEASURES)
    return columns, rows


def render_codebook(results: Mapping[str, NetworkResult], files: Iterable[str]) -> str:
    """``codebook.md``: every file of the export and every column's meaning.

    Args:
        results: the exported graphs.
        files: the names of the files written beside it.

    Returns:
        Markdown text.
    """
    lines = [
        "# Codebook of the samverkansgraf network export",
        "",
        f"Written by samverkansgraf {__version__} (`samverkansgraf network --out`). "
        "Node ids are IRIs of the knowledge graph; every number is computed from "
        "the built dataset by the SPARQL queries in "
        "`src/samverkansgraf/network/queries/`.",
        "",
        "Weights and distances: an edge's `weight` counts what its ends share; "
        "betweenness uses `distance = 1/weight` as the length of an edge, so that "
        "a strong tie is a short one. PageRank, eigenvector centrality, Burt's "
        "constraint and Louvain communities use `weight`.",
        "",
        "## Files",
        "",
        "| file | content |",
        "|---|---|",
    ]
    described = {
        ".graphml": "the graph with every node and edge attribute (GraphML; "
        "lists are ';'-separated strings)",
        ".gexf": "the same for Gephi (GEXF 1.2, with layout position, size and "
        "colour of each node)",
        "-nodes.csv": "one row per node: attributes and measures",
        "-edges.csv": "one row per edge: its ends and attributes",
        ".png": "picture of the graph (PNG)",
        ".svg": "picture of the graph (SVG)",
        "summary.json": "graph-level figures (nodes, edges, density, components, "
        "isolates, Louvain communities and modularity, seed) and the input",
        "codebook.md": "this file",
        OUTPUT_MARKER: "marks the folder as written by `samverkansgraf network`, "
        "which may replace it next time (no other folder is ever replaced)",
    }
    for name in sorted(files):
        if name.startswith("matrix-"):
            text = "municipality × activity participation matrix of one action plan"
        elif name.startswith("heatmap-"):
            stem = name.removeprefix("heatmap-").rsplit(".", 1)[0]
            kind = name.rsplit(".", 1)[-1].upper()
            text = f"heatmap of `matrix-{stem}.csv` ({kind})"
        else:
            text = next(
                (v for k, v in described.items() if name.endswith(k)), "export file"
            )
        graph = name.split(".")[0].removesuffix("-nodes").removesuffix("-edges")
        if graph in GRAPHS:
            text = f"{graph}: {text}"
        lines.append(f"| `{name}` | {text} |")
    lines += ["", "## Graphs", ""]
    for name, result in results.items():
        s = result.summary
        lines.append(
            f"- `{name}`: {GRAPHS[name].description}. {s['nodes']} nodes, "
            f"{s['edges']} edges."
        )
        lines += [f"  - **Warning**: {w}." for w in s.get("warnings", [])]
    lines += ["", "## Node columns (`*-nodes.csv`, node attributes)", ""]
    lines += ["| column | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in NODE_COLUMNS.items()]
    lines += ["", "## Edge columns (`*-edges.csv`, edge attributes)", ""]
    lines += ["| column | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in EDGE_COLUMNS.items()]
    lines += ["", "## Participation matrix columns (`matrix-*.csv`)", ""]
    lines += ["| column | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in MATRIX_COLUMNS.items()]
    lines.append("")
    return "\n".join(lines)


def _graphml_bytes(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def _gexf_bytes(graph: nx.Graph, positions: Mapping[str, tuple[float, float]]) -> bytes:
    """GEXF with Gephi's viz attributes (position, size, colour)."""
    copy = graph.copy()
    colours = node_colours(
        graph, "community" if "community" in _any_attrs(graph) else "type"
    )
    for node, attrs in copy.nodes(data=True):
        x, y = positions.get(node, (0.0, 0.0))
        r, g, b = (int(255 * c) for c in colours[node][:3])
        attrs["viz"] = {
            "position": {
                "x": round(float(x) * 500, 3),
                "y": round(float(y) * 500, 3),
                "z": 0.0,
            },
            "size": 5.0 + 3.0 * graph.degree(node),
            "color": {"r": r, "g": g, "b": b, "a": 1.0},
        }
    buffer = io.BytesIO()
    nx.write_gexf(copy, buffer, encoding="utf-8")
    return buffer.getvalue()


def _any_attrs(graph: nx.Graph) -> set[str]:
    return {k for _, attrs in graph.nodes(data=True) for k in attrs}


def _is_earlier_export(folder: Path) -> bool:
    """An export written before ``OUTPUT_MARKER`` existed: its ``summary.json``
    names this module as its generator."""
    try:
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
        return bool(summary.get("generator") == EXPORT_MARKER)
    except (OSError, ValueError, AttributeError):
        return False


def _matrix_csv(matrix: ParticipationMatrix, data: NetworkData) -> str:
    columns = ["municipality", "label", *matrix.columns, "total"]
    rows = []
    for iri, cells in zip(matrix.rows, matrix.cells, strict=True):
        row: dict[str, Any] = {"municipality": iri, "label": data.nodes[iri].label}
        row.update(dict(zip(matrix.columns, cells, strict=True)))
        row["total"] = sum(cells)
        rows.append(row)
    return csv_text(columns, rows)


def export_network(
    results: Mapping[str, NetworkResult],
    out_dir: str | Path,
    *,
    data: NetworkData,
    plot: bool = False,
    source: str = "",
    progress: Callable[[str], None] | None = None,
    project_root: str | Path | None = None,
) -> list[Path]:
    """Write every graph's exports (and pictures) into ``out_dir``, atomically.

    The folder is built under a temporary name and swapped in whole; an existing
    folder is replaced only when it is empty or an earlier network export (its
    ``OUTPUT_MARKER`` names ``samverkansgraf network``, or, from before the
    marker, its ``summary.json`` does), never an unrelated folder or one holding
    ``.git`` (the policy of ``atomic.check_output_directory``).

    Files: ``<graph>.graphml``, ``<graph>.gexf``, ``<graph>-nodes.csv``,
    ``<graph>-edges.csv`` per graph; ``matrix-<plan>.csv`` per action plan;
    ``codebook.md``; ``summary.json``; with ``plot`` also ``<graph>.png``/``.svg``
    and ``heatmap-<plan>.png``/``.svg``.

    Args:
        results: graph name → analysed graph.
        out_dir: the folder.
        data: the extracted data (for the participation matrices).
        plot: also draw the pictures.
        source: where the input came from, recorded in ``summary.json``.
        progress: called with a short message before each slow step.
        project_root: the project, whose root and inputs are never replaced.

    Returns:
        The files written, sorted.

    Raises:
        OutputError: the folder cannot be written or is not replaceable.
    """
    out = Path(out_dir)
    # Checked now as well as on writing: refuse before the slow drawing.
    policy: dict[str, Any] = {
        "project_root": project_root,
        "recognise": _is_earlier_export,
    }
    check_output_directory(out, "network", **policy)
    note = progress or (lambda _message: None)
    files: dict[str, bytes] = {}
    for name, result in results.items():
        positions = layout_positions(result.graph)
        files[f"{name}.graphml"] = _graphml_bytes(result.graph)
        files[f"{name}.gexf"] = _gexf_bytes(result.graph, positions)
        node_columns, node_rows = _node_table(result)
        files[f"{name}-nodes.csv"] = csv_text(node_columns, node_rows).encode()
        edge_columns, edge_rows = _graph_edges(result)
        files[f"{name}-edges.csv"] = csv_text(edge_columns, edge_rows).encode()
        if plot:
            note(f"drawing {name} ({result.summary['nodes']} nodes)")
            for suffix, blob in draw_graph(result, data).items():
                files[f"{name}{suffix}"] = blob
    for matrix in participation_matrices(data):
        files[f"matrix-{matrix.slug}.csv"] = _matrix_csv(matrix, data).encode()
        if plot:
            note(f"drawing the heatmap of {matrix.slug}")
            for suffix, blob in draw_heatmap(matrix, data).items():
                files[f"heatmap-{matrix.slug}{suffix}"] = blob
    summary = {
        "generator": EXPORT_MARKER,
        "version": __version__,
        "input": source,
        "graphs": {name: r.summary for name, r in results.items()},
    }
    files["summary.json"] = (
        json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode()
    listed = [*files, "codebook.md", OUTPUT_MARKER]  # atomic_directory adds the marker
    files["codebook.md"] = render_codebook(results, listed).encode()
    with atomic_directory(out, "network", **policy) as work:
        work.chmod(0o755)  # mkdtemp makes it private; this is a publishable export
        for name, blob in sorted(files.items()):
            (work / name).write_bytes(blob)
    return sorted(out / name for name in files)
