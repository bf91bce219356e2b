"""Stage 6 — network: the collaboration network of the graph, with networkx.

Input: the built dataset (``dist/samverkansgraf.nq`` or another dump, an rdflib
``Graph``/``Dataset``, or the curated data assembled in memory), read only
through the SPARQL queries in ``queries/*.rq``.

Output: networkx graphs with their node measures (``NetworkResult``), printable
rankings, an export folder (GraphML, GEXF, node and edge CSV, participation
matrices, ``codebook.md``, ``summary.json``), pictures (PNG and SVG), and the
cross-agreement comparison of a region's commitments (``ComparisonReport``).

Modules, in pipeline order:

- :mod:`.source` — the input (pyoxigraph for a dump, rdflib in memory) and the
  SPARQL extraction into ``NetworkData``;
- :mod:`.graphs` — the ``bipartite``, ``municipalities`` and ``actors`` graphs
  (``GRAPHS``) and the participation matrix of each action plan;
- :mod:`.measures` — ``MEASURES`` (degree … Louvain communities with a fixed
  seed), ``analyse_network`` → ``NetworkResult``, ``rank_nodes``;
- :mod:`.tables` — rankings and summaries as a table, CSV or JSON;
- :mod:`.exports` — ``export_network``: the folder, written atomically, with its
  codebook;
- :mod:`.pictures` — ``draw_graph``, ``draw_heatmap`` and the layout;
- :mod:`.compare` — ``compare_agreements``: which of a region's commitments
  recur, by their words, across its bilateral agreements.

Weights and distances. An edge's ``weight`` counts what two nodes share: in the
municipality graph the activities plus agreements both take part in; in the actor
graph the ties of every kind; in the bipartite graph the roles an actor has in the
event. Shortest-path measures (betweenness) read ``distance = 1 / weight``, so
that a strong tie is a short one; PageRank, eigenvector centrality, Burt's
constraint and Louvain read ``weight``.

The library never prints; long steps report through an optional ``progress``
callback.
"""

from .compare import (
    COMPARISON_COLUMNS,
    DEFAULT_THRESHOLD,
    SIMILARITIES,
    ComparisonReport,
    ComparisonRow,
    compare_agreements,
    format_comparison,
    normalise_words,
    write_comparison,
)
from .exports import EDGE_COLUMNS, NODE_COLUMNS, export_network, render_codebook
from .graphs import (
    GRAPHS,
    GraphSpec,
    ParticipationMatrix,
    build_actor_graph,
    build_bipartite_graph,
    build_municipality_graph,
    participation_matrices,
)
from .measures import (
    DEFAULT_SEED,
    MEASURES,
    Measure,
    NetworkResult,
    analyse_graphs,
    analyse_network,
    check_names,
    describe_names,
    rank_nodes,
)
from .pictures import draw_graph, draw_heatmap
from .source import (
    ACTOR_TYPES,
    NetworkData,
    NetworkError,
    NetworkSource,
    extract_network_data,
    load_network_graph,
    load_network_source,
    load_project_graph,
)
from .tables import format_rows, format_summary

__all__ = [
    "ACTOR_TYPES",
    "COMPARISON_COLUMNS",
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
    "EDGE_COLUMNS",
    "GRAPHS",
    "MEASURES",
    "NODE_COLUMNS",
    "SIMILARITIES",
    "ComparisonReport",
    "ComparisonRow",
    "GraphSpec",
    "Measure",
    "NetworkData",
    "NetworkError",
    "NetworkResult",
    "NetworkSource",
    "ParticipationMatrix",
    "analyse_graphs",
    "analyse_network",
    "describe_names",
    "build_actor_graph",
    "build_bipartite_graph",
    "build_municipality_graph",
    "check_names",
    "compare_agreements",
    "draw_graph",
    "draw_heatmap",
    "export_network",
    "extract_network_data",
    "format_comparison",
    "write_comparison",
    "format_rows",
    "format_summary",
    "load_network_graph",
    "load_network_source",
    "load_project_graph",
    "normalise_words",
    "participation_matrices",
    "rank_nodes",
    "render_codebook",
]
