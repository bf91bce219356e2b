"""Stage 6 — network, step 6: pictures of the graphs and participation matrices.

Input: an analysed graph (``NetworkResult``) or a ``ParticipationMatrix``, and
the ``NetworkData`` (labels, county names). Output: PNG and SVG bytes, drawn with
matplotlib's Agg backend and written without dates or versions; the layout is
also the GEXF layout of :mod:`.exports`.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping
from typing import Any

import networkx as nx

from ..labels import natural_key, swedish_key
from .graphs import GRAPHS, ParticipationMatrix
from .measures import NetworkResult, components_largest_first
from .source import NetworkData

__all__ = [
    "ADJUST_LABELS_UP_TO",
    "ISOLATE_ROW",
    "draw_graph",
    "draw_heatmap",
    "label_overlaps",
    "layout_positions",
    "node_colours",
]

_TYPE_MARKERS = {
    "region": "H",
    "municipality": "o",
    "cultural_institution": "^",
    "civil_society_organisation": "v",
    "network": "D",
    "person": "P",
    "actor": "h",
    "activity": "s",
    "agreement": "s",
}
# Every text of a picture in Swedish and English (the site's habit: "sv / en").
_TYPE_NAMES = {
    "region": "region / region",
    "municipality": "kommun / municipality",
    "cultural_institution": "kulturinstitution / cultural institution",
    "civil_society_organisation": "civilsamhälle / civil society",
    "network": "nätverk / network",
    "person": "person / person",
    "actor": "annan aktör / other actor",
    "activity": "aktivitet / activity",
    "agreement": "överenskommelse / agreement",
}
_TITLES = {
    "municipalities": "Kommuner som deltar i samma aktiviteter och överenskommelser\n"
    "Municipalities taking part in the same activities and agreements",
    "actors": "Aktörer och deras band (alla slags band)\n"
    "Actors and their ties (every kind of tie)",
    "bipartite": "Aktörer × aktiviteter och överenskommelser\n"
    "Actors × activities and agreements",
}
_COLOUR_NAMES = {
    "county": "färg = län / colour = county",
    "community": "färg = Louvain-grupp / colour = Louvain group",
}


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, set up for reproducible files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Same input, same bytes: fixed SVG ids, text kept as text, no dates.
    matplotlib.rcParams["svg.hashsalt"] = "samverkansgraf"
    matplotlib.rcParams["svg.fonttype"] = "none"
    return plt


RGBA = tuple[float, float, float, float]
"""A matplotlib colour: red, green, blue, alpha, each 0–1."""


def _palette(count: int) -> list[RGBA]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(max(count, 1))]


def node_colours(graph: nx.Graph, attribute: str) -> dict[str, RGBA]:
    """One palette colour per node, by its value of ``attribute``.

    The values are numbered in natural order (county ``2`` before ``10``) and
    take the palette's colours in that order, so a colour means the same value
    in every picture of one export (and in its GEXF).

    Args:
        graph: the graph whose nodes to colour.
        attribute: the node attribute to colour by (``county``, ``community``,
            ``type``); a node without it counts as the empty value.

    Returns:
        Node → RGBA colour.
    """
    values = sorted(
        {str(graph.nodes[n].get(attribute, "")) for n in graph}, key=natural_key
    )
    palette = _palette(len(values))
    index = {v: palette[i] for i, v in enumerate(values)}
    return {n: index[str(graph.nodes[n].get(attribute, ""))] for n in graph}


ADJUST_LABELS_UP_TO = 150
"""Labels of connected nodes are moved apart up to this many nodes (adjustText
compares every pair in each of its iterations: seconds for the actor graph of
the real data, hours for a national graph of thousands of nodes, whose labels
no picture could show legibly anyway)."""

ISOLATE_ROW = 0.3
"""Vertical distance between rows of isolates in the layout."""


def layout_positions(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Node positions for the pictures and the GEXF export.

    Each connected component is laid out by Kamada–Kawai, side by side (largest
    first, wrapping into rows), with the isolates in rows below them. No
    randomness and no dependence on set order: the same graph gives the same
    positions in every process.

    Args:
        graph: the graph to lay out.

    Returns:
        Node → (x, y).
    """
    parts = [c for c in components_largest_first(graph) if len(c) > 1]
    alone = sorted(
        (n for n in graph if graph.degree(n) == 0),
        key=lambda n: swedish_key(str(graph.nodes[n].get("short_label", n))),
    )
    positions: dict[str, tuple[float, float]] = {}
    row_width = max(5.0, 2.0 * math.sqrt(len(parts[0]))) if parts else 5.0
    x = y = row_height = 0.0
    for part in parts:
        radius = 0.45 * math.sqrt(len(part))
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y - row_height - 0.5, 0.0
        # Kamada–Kawai on hop distance (weights ignored: in these dense graphs
        # weighted lengths pull the busiest nodes on top of each other). It
        # starts from a circle in node order, so it needs no seed, but that order
        # must be fixed: a ``graph.subgraph`` view of a small part iterates a set
        # of node ids, whose order changes with PYTHONHASHSEED (issue 14). The
        # component is copied with its nodes (and edges) sorted.
        component: nx.Graph[str] = nx.Graph()
        component.add_nodes_from(part)
        component.add_edges_from(
            sorted((min(a, b), max(a, b)) for a, b in graph.subgraph(part).edges())
        )
        layout = nx.kamada_kawai_layout(component, weight=None, scale=radius)
        for node, (px, py) in layout.items():
            positions[node] = (x + radius + float(px), y - radius + float(py))
        x += 2 * radius + 0.5
        row_height = max(row_height, 2 * radius)
    width = max((px for px, _ in positions.values()), default=2.0)
    width = max(width, 2.0)
    top = y - row_height - 0.6 if parts else 0.0
    per_row = max(4, min(8, int(width / 0.45)))
    for i, node in enumerate(alone):
        row, col = divmod(i, per_row)
        positions[node] = (width * (col + 0.5) / per_row, top - ISOLATE_ROW * row)
    return positions


def _wrap(text: str, width: int = 18) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def _figure_bytes(figure: Any, plt: Any) -> dict[str, bytes]:
    """The figure as PNG and SVG bytes, without dates or software versions."""
    out = {}
    for suffix, options in (
        (".png", {"dpi": 100, "metadata": {"Software": None}}),
        (".svg", {"metadata": {"Date": None, "Creator": None}}),
    ):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=suffix[1:], bbox_inches="tight", **options)
        out[suffix] = buffer.getvalue()
    plt.close(figure)
    return out


def draw_graph(
    result: NetworkResult, data: NetworkData | None = None
) -> dict[str, bytes]:
    """A picture of one graph, as PNG and SVG bytes.

    Node area grows with degree; colour shows the county (municipality graph),
    the Louvain community (actor graph) or the node type (bipartite graph);
    marker shape shows the type; edge width grows with weight, and in the
    municipality graph (up to 80 edges) each edge carries its weight as a
    number. Isolates are lined up below the rest. The layout (Kamada–Kawai
    from a circle in node order) has no randomness, so the same input gives
    the same picture. Titles and legends are in Swedish and English. Labels of
    connected nodes are moved apart by adjustText (a fixed number of
    iterations, no time limit, so the result does not depend on the machine's
    speed), with a thin leader line where a label had to leave its node.

    Args:
        result: an analysed graph.
        data: the extracted data (county names for the legend).

    Returns:
        ``{".png": …, ".svg": …}``.
    """
    plt = _pyplot()
    figure, _ = _render_graph(result, data)
    return _figure_bytes(figure, plt)


def label_overlaps(
    result: NetworkResult, data: NetworkData | None = None
) -> list[tuple[str, str]]:
    """The pairs of node labels whose boxes overlap in ``draw_graph``'s picture.

    Measured on the drawn figure (display coordinates of each label's text
    box); empty when every label can be read.
    """
    plt = _pyplot()
    figure, labels = _render_graph(result, data)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = {node: text.get_window_extent(renderer) for node, text in labels.items()}
    plt.close(figure)
    nodes = sorted(boxes, key=natural_key)
    return [
        (result.graph.nodes[a]["short_label"], result.graph.nodes[b]["short_label"])
        for i, a in enumerate(nodes)
        for b in nodes[i + 1 :]
        if boxes[a].overlaps(boxes[b])
    ]


def _render_graph(
    result: NetworkResult, data: NetworkData | None
) -> tuple[Any, dict[str, Any]]:
    """The figure of ``draw_graph`` and its node labels (node → text artist)."""
    plt = _pyplot()
    from adjustText import adjust_text
    from matplotlib import patheffects

    graph = result.graph
    colour_by = GRAPHS[result.name].colour_by if result.name in GRAPHS else "type"
    colours = node_colours(graph, colour_by)
    positions = layout_positions(graph)
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    # Dense graphs get a wider canvas, so their labels have room to part.
    labelled = sum(1 for n in graph if graph.degree(n) > 0)
    width = 11.0 if labelled <= 30 else 15.0
    span_y = (max(ys) - min(ys) + 0.8) / (max(xs) - min(xs) + 0.6)
    figure, axis = plt.subplots(figsize=(width, min(16.0, max(3.5, width * span_y))))
    axis.set_axis_off()
    axis.set_aspect("equal")
    weights = [attrs["weight"] for _, _, attrs in graph.edges(data=True)]
    top = max(weights, default=1)
    nx.draw_networkx_edges(
        graph,
        positions,
        ax=axis,
        width=[0.8 + 3.2 * (w - 1) / (top - 1) if top > 1 else 1.2 for w in weights],
        edge_color="#868e96",
        alpha=0.55,
    )
    if result.name == "municipalities" and 0 < graph.number_of_edges() <= 80:
        nx.draw_networkx_edge_labels(
            graph,
            positions,
            edge_labels={
                (a, b): str(attrs["weight"]) for a, b, attrs in graph.edges(data=True)
            },
            font_size=7,
            ax=axis,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    most = max((d for _, d in graph.degree()), default=0) or 1
    sizes = {n: 120.0 + 480.0 * graph.degree(n) / most for n in graph}
    for kind in sorted({str(t) for _, t in graph.nodes(data="type")}):
        members = [n for n in graph if graph.nodes[n]["type"] == kind]
        nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=members,
            node_shape=_TYPE_MARKERS.get(kind, "o"),
            node_size=[sizes[n] for n in members],
            node_color=[colours[n] for n in members],
            edgecolors="#343a40",
            linewidths=0.6,
            ax=axis,
        )
    lo_x, hi_x = min(xs), max(xs)
    lo_y, hi_y = min(ys), max(ys)
    axis.set_xlim(lo_x - 0.25, hi_x + 0.25)
    axis.set_ylim(lo_y - 0.3, hi_y + 0.3)
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    labels: dict[str, Any] = {}
    tied = [n for n in graph if graph.degree(n) > 0]
    for n in graph:
        if graph.degree(n) == 0:
            # Isolates stand in rows with room for their labels below them.
            labels[n] = axis.annotate(
                _wrap(str(graph.nodes[n]["short_label"])),
                positions[n],
                xytext=(0, -(math.sqrt(sizes[n]) / 2 + 2)),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7,
                path_effects=halo,
            )
            continue
        # Start just below the marker (its radius in points, as data units).
        x, y = positions[n]
        below = (math.sqrt(sizes[n]) / 2 + 2) * figure.dpi / 72
        _, lowered = axis.transData.inverted().transform(
            axis.transData.transform((x, y)) - (0, below)
        )
        labels[n] = axis.text(
            x,
            float(lowered),
            _wrap(str(graph.nodes[n]["short_label"])),
            ha="center",
            va="top",
            fontsize=7,
            path_effects=halo,
            zorder=5,
        )
    if 0 < len(tied) <= ADJUST_LABELS_UP_TO:
        # Moved apart from each other and from the nodes, each pulled towards
        # its node; a label that had to leave its node gets a leader line.
        adjust_text(
            [labels[n] for n in tied],
            target_x=[positions[n][0] for n in tied],
            target_y=[positions[n][1] for n in tied],
            ax=axis,
            expand=(1.15, 1.35),
            force_text=(0.3, 0.5),
            force_static=(0.2, 0.4),
            iter_lim=250,
            prevent_crossings=False,
            min_arrow_len=8,
            arrowprops={"arrowstyle": "-", "color": "#495057", "lw": 0.5},
        )
    isolates = [n for n in graph if graph.degree(n) == 0]
    if isolates:
        y = max(positions[n][1] for n in isolates) + 0.17
        axis.text(
            min(xs),
            y,
            f"Utan band / no ties ({len(isolates)} isolat / isolates)",
            fontsize=9,
            style="italic",
            color="#495057",
        )
    numbered = [n for n in graph if graph.nodes[n]["type"] == "activity"]
    if numbered:
        key = "\n".join(
            textwrap.shorten(
                f"{graph.nodes[n]['short_label'].removeprefix('Aktivitet ')}. "
                f"{graph.nodes[n]['label']}",
                48,
                placeholder="…",
            )
            for n in sorted(
                numbered, key=lambda n: natural_key(graph.nodes[n]["short_label"])
            )
        )
        axis.text(
            1.02,
            0.0,
            "Aktiviteter / activities:\n" + key,
            transform=axis.transAxes,
            fontsize=7,
            va="bottom",
            ha="left",
            color="#343a40",
        )
    axis.legend(
        handles=_legend(graph, colour_by, colours, data),
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
        labelspacing=1.0,
    )
    summary = result.summary
    mod = summary["modularity"]
    subtitle = (
        f"{summary['nodes']} noder / nodes, {summary['edges']} band / ties; "
        f"Louvain-grupper / groups: {summary['communities']}"
        + (f" (modularitet / modularity {mod:.2f})" if mod is not None else "")
        + "; storlek = grad / size = degree"
        + (f"; {_COLOUR_NAMES[colour_by]}" if colour_by in _COLOUR_NAMES else "")
    )
    axis.set_title(
        _TITLES.get(result.name, result.name) + "\n" + subtitle, loc="left", fontsize=11
    )
    return figure, labels


def _legend(
    graph: nx.Graph,
    colour_by: str,
    colours: Mapping[str, RGBA],
    data: NetworkData | None,
) -> list[Any]:
    """Legend entries: colours (county, group or type), then marker shapes."""
    from matplotlib.lines import Line2D

    def entry(marker: str, colour: Any, label: str) -> Any:
        return Line2D(
            [],
            [],
            marker=marker,
            linestyle="",
            markerfacecolor=colour,
            markeredgecolor="#343a40",
            markersize=8,
            label=label,
        )

    types = sorted({str(t) for _, t in graph.nodes(data="type")})
    if colour_by == "type":
        first = {
            t: next(n for n in graph if graph.nodes[n]["type"] == t) for t in types
        }
        return [
            entry(_TYPE_MARKERS.get(t, "o"), colours[first[t]], _TYPE_NAMES.get(t, t))
            for t in types
        ]
    seen: dict[str, RGBA] = {}
    for node in sorted(
        graph, key=lambda n: natural_key(str(graph.nodes[n].get(colour_by, "")))
    ):
        seen.setdefault(str(graph.nodes[node].get(colour_by, "")), colours[node])
    handles = []
    for value, colour in list(seen.items())[:20]:
        if colour_by == "county":
            name = (
                data.county_names.get(value, value) if data else value
            ) or "utan län / no county"
        else:
            name = f"grupp / group {value}"
        handles.append(entry("o", colour, name))
    if len(types) > 1:
        handles += [
            entry(_TYPE_MARKERS.get(t, "o"), "white", _TYPE_NAMES.get(t, t))
            for t in types
        ]
    return handles


def draw_heatmap(matrix: ParticipationMatrix, data: NetworkData) -> dict[str, bytes]:
    """The municipality × activity heatmap of one plan, as PNG and SVG bytes.

    Rows: every municipality of the plan's county (those in no activity too),
    with the number of activities each takes part in; columns: the activities
    in the order of the plan, numbered, with their first words and the number
    of participating municipalities.

    Args:
        matrix: from ``participation_matrices``.
        data: the extracted data (labels).

    Returns:
        ``{".png": …, ".svg": …}``.
    """
    plt = _pyplot()
    from matplotlib.colors import ListedColormap

    rows, cols = len(matrix.rows), len(matrix.columns)
    figure, axis = plt.subplots(figsize=(4.0 + 0.42 * cols, 3.2 + 0.3 * rows))
    axis.imshow(
        matrix.cells if rows and cols else [[0]],
        cmap=ListedColormap(["#eef1f4", "#1c7ed6"]),
        vmin=0,
        vmax=1,
        aspect="auto",
        interpolation="nearest",
    )
    axis.set_xticks(range(cols))
    axis.set_xticklabels(
        [
            textwrap.shorten(
                f"{data.nodes[c].short_label.removeprefix('Aktivitet ')}. "
                f"{data.nodes[c].label}",
                42,
                placeholder="…",
            )
            for c in matrix.columns
        ],
        rotation=60,
        ha="right",
        rotation_mode="anchor",
        fontsize=7,
    )
    axis.set_yticks(range(rows))
    axis.set_yticklabels(
        [
            f"{data.nodes[r].short_label} ({sum(cells)})"
            for r, cells in zip(matrix.rows, matrix.cells, strict=True)
        ],
        fontsize=8,
    )
    axis.set_xticks([x - 0.5 for x in range(1, cols)], minor=True)
    axis.set_yticks([y - 0.5 for y in range(1, rows)], minor=True)
    axis.grid(which="minor", color="white", linewidth=1.5)
    axis.tick_params(which="minor", length=0)
    for side in axis.spines.values():
        side.set_visible(False)
    for j in range(cols):
        total = sum(matrix.cells[i][j] for i in range(rows))
        axis.text(
            j, -0.6, str(total), ha="center", va="bottom", fontsize=7, color="#495057"
        )
    county = data.county_names.get(matrix.county, matrix.county)
    axis.set_title(
        f"{matrix.label}\nKommuner i {county} (antal aktiviteter) × aktiviteter i "
        "planens ordning (antal kommuner); blå = deltar\n"
        f"Municipalities of {county} (activities) × activities in the plan's order "
        "(municipalities); blue = takes part",
        loc="left",
        fontsize=10,
        pad=16,
    )
    figure.tight_layout()
    return _figure_bytes(figure, plt)
