"""Stage 6 — network, step 3: node measures and graph-level figures.

Input: a graph from :mod:`.graphs` (edges carry ``weight`` and ``distance``).
Output: a ``NetworkResult``: the graph with every measure of ``MEASURES`` as a
node attribute (degree, weighted degree, betweenness, Burt's constraint,
PageRank, eigenvector centrality, clustering, components, isolates, Louvain
communities with a fixed seed) and a summary; ``rank_nodes`` sorts its rows by
any measure.

Shortest-path measures (betweenness) read ``distance = 1 / weight``; PageRank,
eigenvector centrality, Burt's constraint and Louvain read ``weight``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..labels import swedish_key
from .graphs import GRAPHS
from .source import NetworkData, NetworkError

__all__ = [
    "analyse_graphs",
    "describe_names",
    "DEFAULT_SEED",
    "MEASURES",
    "NODE_ATTRIBUTES",
    "Measure",
    "NetworkResult",
    "analyse_network",
    "check_names",
    "components_largest_first",
    "louvain_communities",
    "measure_warnings",
    "rank_nodes",
]

DEFAULT_SEED = 42
"""Seed of Louvain community detection: same input, same communities."""

MeasureFunction = Callable[[nx.Graph, int], Mapping[str, Any]]


@dataclass(frozen=True)
class Measure:
    """A node measure (``--sort NAME``)."""

    compute: MeasureFunction
    """``(graph, seed) → {node: value}``."""
    description: str
    """One sentence: what it says about a node."""
    descending: bool = True
    """Sort so that the most central (or brokering) node comes first."""


def _degree(graph: nx.Graph, seed: int) -> dict[str, int]:
    return dict(graph.degree())


def _weighted_degree(graph: nx.Graph, seed: int) -> dict[str, float]:
    return {n: d for n, d in graph.degree(weight="weight")}


def _betweenness(graph: nx.Graph, seed: int) -> dict[str, float]:
    return nx.betweenness_centrality(graph, weight="distance", normalized=True)


def _constraint(graph: nx.Graph, seed: int) -> dict[str, float]:
    # networkx gives NaN for isolates (constraint is undefined there).
    return nx.constraint(graph, weight="weight")


def _pagerank(graph: nx.Graph, seed: int) -> dict[str, float]:
    return nx.pagerank(graph, weight="weight") if len(graph) else {}


def _eigenvector(graph: nx.Graph, seed: int) -> dict[str, float]:
    if not len(graph):
        return {}
    try:
        return nx.eigenvector_centrality(graph, weight="weight", max_iter=2000)
    except nx.PowerIterationFailedConvergence:  # pragma: no cover - rare
        return nx.eigenvector_centrality_numpy(graph, weight="weight")


def _clustering(graph: nx.Graph, seed: int) -> dict[str, float]:
    values = nx.clustering(graph)
    # Without ``nodes``, networkx returns a dict of every node (a number only for
    # a single node asked by name); the stubs type the union.
    assert isinstance(values, dict)
    return {n: float(c) for n, c in values.items()}


def components_largest_first(graph: nx.Graph) -> list[list[str]]:
    """Connected components, largest first, ties by their first node."""
    parts = [sorted(c) for c in nx.connected_components(graph)]
    return sorted(parts, key=lambda c: (-len(c), c[0]))


def _component(graph: nx.Graph, seed: int) -> dict[str, int]:
    return {
        n: i for i, part in enumerate(components_largest_first(graph), 1) for n in part
    }


def _component_size(graph: nx.Graph, seed: int) -> dict[str, int]:
    return {n: len(part) for part in components_largest_first(graph) for n in part}


def _isolate(graph: nx.Graph, seed: int) -> dict[str, bool]:
    return {n: graph.degree(n) == 0 for n in graph}


def louvain_communities(graph: nx.Graph, seed: int = DEFAULT_SEED) -> list[list[str]]:
    """Louvain communities (``weight``), largest first, ties by their first node.

    Deterministic: a fixed ``seed`` and nodes inserted in sorted order.
    """
    if not len(graph):
        return []
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def _community(graph: nx.Graph, seed: int) -> dict[str, int]:
    groups = louvain_communities(graph, seed)
    return {n: i for i, group in enumerate(groups, 1) for n in group}


MEASURES: dict[str, Measure] = {
    "degree": Measure(_degree, "number of direct partners"),
    "weighted_degree": Measure(
        _weighted_degree,
        "sum of the weights of a node's ties (in the municipality graph: how many "
        "shared activities and agreements it has, partner by partner)",
    ),
    "betweenness": Measure(
        _betweenness,
        "share of shortest paths between other nodes that pass through the node "
        "(weighted, path length = sum of 1/weight, normalised to 0–1): a bridge",
    ),
    "constraint": Measure(
        _constraint,
        "Burt's constraint: how much a node's ties are redundant, i.e. its "
        "partners are tied to each other; low = broker across structural holes "
        "(undefined for isolates); sorted lowest first",
        descending=False,
    ),
    "pagerank": Measure(
        _pagerank, "PageRank (weighted, damping 0.85): tied to well-tied nodes"
    ),
    "eigenvector": Measure(
        _eigenvector,
        "eigenvector centrality (weighted): high when a node's partners are "
        "central themselves",
    ),
    "clustering": Measure(
        _clustering,
        "local clustering coefficient (unweighted): share of a node's partner "
        "pairs that are tied to each other",
    ),
    "component": Measure(
        _component,
        "connected component number (1 = largest)",
        descending=False,
    ),
    "component_size": Measure(_component_size, "size of the node's component"),
    "isolate": Measure(_isolate, "true when the node has no tie at all"),
    "community": Measure(
        _community,
        "Louvain community number (weighted, fixed seed; 1 = largest)",
        descending=False,
    ),
}
"""Measure name → how to compute it; each becomes a node attribute and column."""


@dataclass
class NetworkResult:
    """A graph with its measures (as node attributes) and graph-level figures."""

    name: str
    """The ``GRAPHS`` name."""
    graph: nx.Graph
    """The graph; each node carries every measure (``constraint`` is left out
    where undefined, so exports hold no empty values)."""
    summary: dict[str, Any]
    """Nodes, edges, density, components, isolates, communities, modularity,
    seed."""
    communities: list[list[str]] = field(default_factory=list)
    """Louvain communities, largest first."""

    def rows(self) -> list[dict[str, Any]]:
        """One dict per node: attributes then measures (None where undefined)."""
        out = []
        for _, attrs in self.graph.nodes(data=True):
            row = {k: attrs.get(k, "") for k in NODE_ATTRIBUTES}
            if "bipartite" in attrs:
                row["bipartite"] = attrs["bipartite"]
            for name in MEASURES:
                row[name] = attrs.get(name)
            out.append(row)
        return out


NODE_ATTRIBUTES = (
    "label",
    "short_label",
    "type",
    "county",
    "municipality",
    "wikidata",
    "iri",
)


def analyse_network(
    graph: nx.Graph, name: str | None = None, *, seed: int = DEFAULT_SEED
) -> NetworkResult:
    """Compute every measure of ``MEASURES`` and the graph-level summary.

    Args:
        graph: a graph from ``GRAPHS`` (edges carry ``weight`` and ``distance``);
            measures are added to its nodes in place.
        name: its name (default: ``graph.name``).
        seed: Louvain's seed.

    Returns:
        The result.

    Example:
        >>> star = nx.star_graph(3)
        >>> nx.set_edge_attributes(star, 1, "weight")
        >>> nx.set_edge_attributes(star, 1.0, "distance")
        >>> analyse_network(star, "star").graph.nodes[0]["betweenness"]
        1.0
    """
    for measure_name, measure in MEASURES.items():
        values = measure.compute(graph, seed)
        for node, value in values.items():
            if isinstance(value, float) and math.isnan(value):
                graph.nodes[node].pop(measure_name, None)
            else:
                graph.nodes[node][measure_name] = value
    communities = louvain_communities(graph, seed)
    modularity = (
        # networkx turns each community into a set itself; the stubs ask for sets,
        # but the sorted lists keep the order (and the float sum) of before.
        nx.community.modularity(graph, communities, weight="weight")  # type: ignore[arg-type]
        if graph.number_of_edges()
        else None
    )
    isolates = sum(1 for n in graph if graph.degree(n) == 0)
    components = components_largest_first(graph)
    warnings = measure_warnings(graph, components)
    summary = {
        "graph": name or graph.name,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": nx.density(graph) if len(graph) > 1 else 0.0,
        "components": len(components),
        "largest_component": len(components[0]) if components else 0,
        "isolates": isolates,
        "communities": len(communities),
        "modularity": modularity,
        "louvain_seed": seed,
        "node_types": dict(
            sorted(Counter(str(t) for _, t in graph.nodes(data="type")).items())
        ),
        "warnings": warnings,
    }
    return NetworkResult(name or graph.name, graph, summary, communities)


def measure_warnings(graph: nx.Graph, components: list[list[str]]) -> list[str]:
    """Where a measure degenerates on this graph, one sentence each.

    - Eigenvector centrality on a graph with ties in more than one component:
      the power iteration converges to the leading eigenvector of the whole
      adjacency matrix, which lives on one component (the one with the largest
      eigenvalue); every node of the other components gets ≈ 0 however central
      it is there (Region Dalarna, the hub of its county, scored 0.000).
    - Betweenness that is 0 for every node: no node lies on another pair's
      shortest path (complete components, pairs, isolates), so it ranks nothing.

    Args:
        graph: an analysed graph (measures as node attributes).
        components: its connected components, largest first.

    Returns:
        Sentences, empty when every measure is meaningful.
    """
    warnings = []
    tied = [c for c in components if len(c) > 1]
    if len(tied) > 1:
        values = nx.get_node_attributes(graph, "eigenvector")
        leading = max(graph, key=lambda n: (values.get(n, 0.0), str(n)))
        home = next(c for c in tied if leading in c)
        label = graph.nodes[leading].get("label", leading)
        outside = [
            n
            for c in tied
            if c is not home
            for n in c
            if values.get(n, 0.0) < 0.0005  # printed as 0.000
        ]
        warnings.append(
            f"eigenvector centrality is not comparable across the {len(tied)} "
            f"components with ties: it concentrates on the component of {label} "
            f"({len(home)} nodes); {len(outside)} of the "
            f"{sum(len(c) for c in tied) - len(home)} nodes of the other components "
            "get 0.000 however central they are there — compare it within one "
            "component only, or use degree, PageRank or betweenness"
        )
    betweenness = nx.get_node_attributes(graph, "betweenness")
    if graph.number_of_edges() and betweenness and not any(betweenness.values()):
        warnings.append(
            "betweenness is 0 for every node: no node lies between two others, "
            "so it ranks nothing here"
        )
    return warnings


def rank_nodes(
    result: NetworkResult, sort: str = "weighted_degree", top: int | None = None
) -> list[dict[str, Any]]:
    """The result's rows sorted by one measure, most central first.

    Ties (and undefined values, which come last) are broken by label.

    Args:
        result: from ``analyse_network``.
        sort: a ``MEASURES`` name.
        top: keep only the first ``top`` rows.

    Returns:
        Rows with a ``rank`` (1-based) first.

    Raises:
        NetworkError: ``sort`` is not a measure; the message lists the valid ones.
    """
    measure = _measure(sort)
    rows = result.rows()

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        value = row[sort]
        missing = value is None
        number = 0.0 if missing else float(value)
        return (
            missing,
            -number if measure.descending else number,
            swedish_key(row["label"]),
            row["iri"],
        )

    ranked = sorted(rows, key=key)[: top or None]
    return [{"rank": i, **row} for i, row in enumerate(ranked, 1)]


def _measure(name: str) -> Measure:
    if name not in MEASURES:
        raise NetworkError(
            f"unknown measure {name!r}",
            hint="choose one of: " + ", ".join(MEASURES),
        )
    return MEASURES[name]


def check_names(graph: str | None = None, sort: str | None = None) -> None:
    """Fail early, with the valid names, on an unknown graph or measure.

    Raises:
        NetworkError: for the first unknown name.
    """
    if graph is not None and graph not in GRAPHS:
        raise NetworkError(
            f"unknown graph {graph!r}", hint="choose one of: " + ", ".join(GRAPHS)
        )
    if sort is not None:
        _measure(sort)


def analyse_graphs(
    data: NetworkData, names: Iterable[str] | None = None, *, seed: int
) -> dict[str, NetworkResult]:
    """Build and analyse the named graphs of ``GRAPHS`` (all of them by default),
    in ``GRAPHS`` order.

    Raises:
        NetworkError: an unknown graph name.
    """
    wanted = set(GRAPHS if names is None else names)
    for name in wanted:
        check_names(graph=name)
    return {
        name: analyse_network(spec.build(data), name, seed=seed)
        for name, spec in GRAPHS.items()
        if name in wanted
    }


def describe_names() -> str:
    """The graphs and measures, one per line, as ``network --list`` prints them."""
    lines = ["graphs:"]
    lines += [f"  {name:<16} {spec.description}" for name, spec in GRAPHS.items()]
    lines.append("measures (--sort):")
    lines += [f"  {name:<16} {m.description}" for name, m in MEASURES.items()]
    return "\n".join(lines)
