"""Stage 6 — network, step 2: the networkx graphs and participation matrices.

Input: ``NetworkData`` (from :mod:`.source`, or a dataset to extract it from).
Output: three undirected networkx graphs (``GRAPHS``): ``bipartite`` (actors ×
activities and agreements, node attribute ``bipartite`` 0/1), ``municipalities``
(the co-participation projection onto the municipalities of every covered
county, isolates included) and ``actors`` (a multiplex actor–actor graph whose
edges count each kind of tie); and a municipality × activity
``ParticipationMatrix`` per action plan.

Every edge carries ``weight`` (what its ends share) and ``distance = 1 / weight``
(so that a strong tie is a short one for shortest-path measures).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph

from ..labels import swedish_key
from ..namespaces import SKGID
from .source import ROLES, NetworkData, network_data

__all__ = [
    "GRAPHS",
    "TIE_KINDS",
    "GraphSpec",
    "ParticipationMatrix",
    "build_actor_graph",
    "build_bipartite_graph",
    "build_municipality_graph",
    "participation_matrices",
]

TIE_KINDS = (
    "same_activity",
    "same_agreement",
    "joint_commitment",
    "commitment_concerning",
    "convenor",
    "coordinator",
)
"""Kinds of tie in the actor graph (see ``build_actor_graph``)."""


def _add_nodes(
    graph: nx.Graph, data: NetworkData, iris: Iterable[str], **extra: Any
) -> None:
    """Add nodes in a stable order with their attributes."""
    for iri in sorted(set(iris)):
        graph.add_node(iri, **data.nodes[iri].attributes(), **extra)


def _set_distances(graph: nx.Graph) -> None:
    """``distance = 1 / weight`` on every edge (strong ties are short)."""
    for _, _, attrs in graph.edges(data=True):
        attrs["distance"] = 1.0 / attrs["weight"]


def build_bipartite_graph(
    source: NetworkData | Graph | Dataset | str | Path,
) -> nx.Graph:
    """Actors × activities and agreements.

    Every actor with a role in an activity (participant, convenor, coordinator)
    or agreement (party) is a node with ``bipartite=0``; every activity and
    agreement a node with ``bipartite=1``. An edge joins an actor to an event;
    ``roles`` lists its roles there (``;``-separated) and ``weight`` counts them.

    Args:
        source: the extracted data, or the dataset to extract it from.

    Returns:
        An undirected networkx graph.
    """
    data = network_data(source)
    graph: nx.Graph[str] = nx.Graph(name="bipartite")
    actors = {a for _, _, a in data.ties}
    events = [e for e in data.events if data.participants(e, ROLES)]
    _add_nodes(graph, data, actors, bipartite=0)
    for event in events:
        graph.add_node(event, **data.nodes[event].attributes(), bipartite=1)
    roles: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event, role, actor in data.ties:
        roles[(actor, event)].append(role)
    for (actor, event), names in sorted(roles.items()):
        graph.add_edge(actor, event, weight=len(names), roles=";".join(sorted(names)))
    _set_distances(graph)
    return graph


_PLURAL = {"activity": "activities", "agreement": "agreements"}


def build_municipality_graph(
    source: NetworkData | Graph | Dataset | str | Path,
) -> nx.Graph:
    """Municipality–municipality co-participation, isolates included.

    Nodes: every municipality of every covered county (a county is covered when
    one of its municipalities or its region takes part in an activity or is a
    party to an agreement), whether or not it has a tie. Edge between two
    municipalities that take part in the same activities (as participants) or
    are parties to the same agreements: ``activities`` and ``agreements`` count
    them, ``weight`` is their sum, ``shared`` lists them (IRIs without the
    ``skgid:`` base, ``;``-separated).

    Args:
        source: the extracted data, or the dataset to extract it from.

    Returns:
        An undirected networkx graph.
    """
    data = network_data(source)
    graph: nx.Graph[str] = nx.Graph(name="municipalities")
    members = set(data.covered_municipalities)
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event in data.events:
        kind = data.nodes[event].type
        towns = [
            a
            for a in data.participants(event, ("participant", "party"))
            if data.nodes[a].type == "municipality"
        ]
        members.update(towns)
        for pair in combinations(towns, 2):
            counts[pair][_PLURAL[kind]] += 1
            shared[pair].append(event.removeprefix(str(SKGID)))
    _add_nodes(graph, data, members)
    for (a, b), count in sorted(counts.items()):
        graph.add_edge(
            a,
            b,
            weight=count["activities"] + count["agreements"],
            activities=count["activities"],
            agreements=count["agreements"],
            shared=";".join(shared[(a, b)]),
        )
    _set_distances(graph)
    return graph


def build_actor_graph(source: NetworkData | Graph | Dataset | str | Path) -> nx.Graph:
    """The multiplex actor–actor graph over every kind of actor.

    Kinds of tie, each counted on the edge (0 when absent) and listed in
    ``kinds``; ``weight`` is the sum of the counts:

    - ``same_activity``: both are participants of an activity (per activity);
    - ``same_agreement``: both are parties to an agreement (per agreement);
    - ``joint_commitment``: both are ``skg:committedBy`` of one commitment;
    - ``commitment_concerning``: one is ``skg:committedBy`` of a commitment that
      ``skg:concerns`` the other (per commitment; direction not kept);
    - ``convenor`` / ``coordinator``: one is the convenor / coordinator of an
      activity in which the other is a participant (per activity).

    Args:
        source: the extracted data, or the dataset to extract it from.

    Returns:
        An undirected networkx graph.
    """
    data = network_data(source)
    graph: nx.Graph[str] = nx.Graph(name="actors")
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    def tie(a: str, b: str, kind: str) -> None:
        if a != b:
            counts[(min(a, b), max(a, b))][kind] += 1

    members: set[str] = {a for _, _, a in data.ties}
    for event in data.events:
        participants = data.participants(event, ("participant", "party"))
        kind = (
            "same_activity"
            if data.nodes[event].type == "activity"
            else "same_agreement"
        )
        for a, b in combinations(participants, 2):
            tie(a, b, kind)
        for role in ("convenor", "coordinator"):
            for person in data.participants(event, (role,)):
                for other in participants:
                    tie(person, other, role)
    for _, committers, concerned in data.commitments.values():
        members.update(committers | concerned)
        for a, b in combinations(sorted(committers), 2):
            tie(a, b, "joint_commitment")
        for a in committers:
            for b in concerned:
                tie(a, b, "commitment_concerning")
    _add_nodes(graph, data, members)
    for (a, b), count in sorted(counts.items()):
        kinds = {k: count[k] for k in TIE_KINDS}
        graph.add_edge(
            a,
            b,
            weight=sum(kinds.values()),
            kinds=";".join(k for k in TIE_KINDS if kinds[k]),
            **kinds,
        )
    _set_distances(graph)
    return graph


@dataclass(frozen=True)
class GraphSpec:
    """A graph the CLI can build (``--graph NAME``)."""

    build: Callable[[NetworkData], nx.Graph]
    """Builds it from the extracted data."""
    description: str
    """One line for ``network --list``."""
    colour_by: str
    """Node attribute the pictures colour by."""


GRAPHS: dict[str, GraphSpec] = {
    "municipalities": GraphSpec(
        build_municipality_graph,
        "municipality × municipality, weight = shared activities + agreements; "
        "every municipality of a covered county, isolates included",
        "county",
    ),
    "actors": GraphSpec(
        build_actor_graph,
        "actor × actor over all actor types, edges count each kind of tie",
        "community",
    ),
    "bipartite": GraphSpec(
        build_bipartite_graph,
        "actors × activities and agreements (node attribute bipartite 0/1)",
        "type",
    ),
}
"""Graph name → how to build it."""


@dataclass(frozen=True)
class ParticipationMatrix:
    """Which municipalities of a plan's county take part in which activities."""

    plan: str
    """The plan's IRI."""
    label: str
    """The plan's label."""
    county: str
    """County code of the rows."""
    rows: list[str]
    """Municipality IRIs: every municipality of the county, by name."""
    columns: list[str]
    """Activity IRIs in the plan's order."""
    cells: list[list[int]]
    """``cells[i][j]`` = 1 when ``rows[i]`` is a participant of ``columns[j]``."""

    @property
    def slug(self) -> str:
        """The plan's IRI tail, for file names."""
        return self.plan.rstrip("/").rsplit("/", 1)[-1]


def participation_matrices(
    source: NetworkData | Graph | Dataset | str | Path,
) -> list[ParticipationMatrix]:
    """The municipality × activity matrix of every plan with activities.

    Rows are all municipalities of the plan's county — its publishing region's
    county, else the county most of its participating municipalities lie in —
    including those in no activity; columns are the plan's activities in the
    order of its text.

    Args:
        source: the extracted data, or the dataset to extract it from.

    Returns:
        One matrix per plan, by plan IRI.
    """
    data = network_data(source)
    matrices = []
    for plan in sorted({p for p in data.event_plan.values()}):
        columns = [e for e in data.events if data.event_plan.get(e) == plan]
        county = data.plan_counties.get(plan, "")
        if not county:
            counties = Counter(
                data.nodes[a].county
                for e in columns
                for a in data.participants(e, ("participant",))
                if data.nodes[a].type == "municipality"
            )
            county = counties.most_common(1)[0][0] if counties else ""
        rows = sorted(
            (
                n.iri
                for n in data.nodes.values()
                if n.type == "municipality" and n.county == county
            ),
            key=lambda iri: swedish_key(data.nodes[iri].short_label),
        )
        members = {e: set(data.participants(e, ("participant",))) for e in columns}
        cells = [[int(r in members[c]) for c in columns] for r in rows]
        label = data.plan_labels.get(plan) or plan.rsplit("/", 1)[-1]
        matrices.append(ParticipationMatrix(plan, label, county, rows, columns, cells))
    return matrices
