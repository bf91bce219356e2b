"""Stage 4c — network: the collaboration network of the graph, with networkx.

Input: the built dataset (an rdflib ``Graph`` or ``Dataset``, or a path to
``dist/samverkansgraf.nq``/``.trig``/``.ttl``), read only through the SPARQL
queries in ``network_queries/*.rq`` run on the union of its named graphs — on
pyoxigraph for a dump file (``NetworkSource``: Rust parsing and SPARQL, the
rdflib load dominated the stage at national scale), on rdflib for a graph
handed over in memory. Both give the same ``NetworkData`` (tested).

Output:

- three networkx graphs (``GRAPHS``): ``bipartite`` (actors × activities and
  agreements, node attribute ``bipartite`` 0/1), ``municipalities`` (the
  co-participation projection onto the municipalities of every covered county,
  isolates included) and ``actors`` (a multiplex actor–actor graph whose edges
  count each kind of tie);
- node measures (``MEASURES``: degree, weighted degree, betweenness, Burt's
  constraint, PageRank, eigenvector centrality, clustering, components, isolates,
  Louvain communities with a fixed seed) in a ``NetworkResult``, rows sortable by
  any measure and printable as a table, CSV or JSON;
- exports (GraphML, GEXF, node and edge CSV, a codebook, a participation matrix
  per action plan, a summary) and pictures (PNG and SVG of every graph, a
  municipality × activity heatmap per plan), written atomically into one folder;
- the cross-agreement comparison (``compare_agreements``): which of a region's
  commitments recur, by their words, across its bilateral agreements.

Weights and distances. An edge's ``weight`` counts what two nodes share: in the
municipality graph the activities plus agreements both take part in; in the actor
graph the ties of every kind; in the bipartite graph the roles an actor has in the
event. Shortest-path measures (betweenness) read ``distance = 1 / weight``, so
that a strong tie is a short one; PageRank, eigenvector centrality, Burt's
constraint and Louvain read ``weight``.

The library never prints; long steps report through an optional ``progress``
callback.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import logging
import math
import re
import textwrap
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from .. import __version__
from ..atomic import atomic_directory
from ..build import assemble_dataset
from ..errors import OutputError, SamverkansgrafError, SourceError
from ..namespaces import SKG, SKGID, bind_prefixes, preferred_label
from ..query.engines import OxigraphEngine, term_from_oxigraph
from ..sources import ProjectPaths, parse_turtle

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
    "analyse_network",
    "build_actor_graph",
    "build_bipartite_graph",
    "build_municipality_graph",
    "compare_agreements",
    "draw_graph",
    "draw_heatmap",
    "export_network",
    "extract_network_data",
    "format_comparison",
    "format_rows",
    "load_network_graph",
    "load_network_source",
    "load_project_graph",
    "normalise_words",
    "participation_matrices",
    "rank_nodes",
    "render_codebook",
]

log = logging.getLogger(__name__)

DEFAULT_SEED = 42
"""Seed of Louvain community detection: same input, same communities."""
DEFAULT_THRESHOLD = 0.5
"""Similarity from which two commitments count as the same (``compare``)."""
EXPORT_MARKER = "samverkansgraf network"
"""The ``generator`` of ``summary.json``: marks a folder this module may replace."""

ACTOR_TYPES: dict[URIRef, str] = {
    SKG.Region: "region",
    SKG.Municipality: "municipality",
    SKG.CulturalInstitution: "cultural_institution",
    SKG.CivilSocietyOrganisation: "civil_society_organisation",
    SKG.Network: "network",
    SKG.Person: "person",
}
"""The actor classes of MODEL.md and the ``type`` they get as nodes, most specific
first (a resource with two of them takes the first)."""

TIE_KINDS = (
    "same_activity",
    "same_agreement",
    "joint_commitment",
    "commitment_concerning",
    "convenor",
    "coordinator",
)
"""Kinds of tie in the actor graph (see ``build_actor_graph``)."""
ROLES = ("participant", "convenor", "coordinator", "party")
"""Roles an actor can have in an event (``network_queries/event_ties.rq``)."""


class NetworkError(SamverkansgrafError):
    """A network analysis asked for something that does not exist (a graph, a
    measure, a similarity method) or cannot run on the input."""

    exit_code = 2


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


_RDF_FORMATS = {
    ".nq": "nquads",
    ".trig": "trig",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
}


def load_network_graph(source: str | Path | Graph | Dataset) -> Graph:
    """The union of all named graphs of ``source``, as one rdflib ``Graph``.

    For users who want the network stage's input in rdflib; the stage itself
    reads files through ``load_network_source`` (pyoxigraph).

    Args:
        source: a built dump (``.nq``, ``.trig``, ``.ttl``, ``.nt``, ``.jsonld``),
            an rdflib ``Dataset`` or a ``Graph`` (returned as it is).

    Returns:
        One graph holding every triple.

    Raises:
        SourceError: the file is missing, of an unknown type, unparsable, or holds
            neither an activity nor an agreement.
    """
    if isinstance(source, Dataset):
        union = bind_prefixes(Graph())
        for s, p, o, _ in source.quads():
            union.add((s, p, o))
        return union
    if isinstance(source, Graph):
        return source
    path = _checked_dump_path(source)
    try:
        if path.suffix == ".ttl":
            union = parse_turtle(path)  # errors located by line and column
        else:
            dataset = Dataset()
            dataset.parse(path, format=_RDF_FORMATS[path.suffix])
            union = load_network_graph(dataset)
    # rdflib's parsers fail in several ways on broken input (ParserError from
    # the line-based formats, even IndexError on a truncated Turtle file).
    except (ParserError, OSError, ValueError, SyntaxError, IndexError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SourceError(
            f"cannot parse: {reason}",
            path=path,
            hint="rebuild it with `samverkansgraf build`",
        ) from exc
    _require_content(NetworkSource.from_graph(union), path)
    return union


NAME_PROPERTIES = (
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKG.shortName,
    SKG.officialName,
    SKG.formerName,
)
"""The naming properties the network stage reads besides its queries (labels,
short names for pictures, a region's and municipality's names in ``compare``)."""

_OXIGRAPH_FORMATS = {
    ".nq": "N_QUADS",
    ".trig": "TRIG",
    ".ttl": "TURTLE",
    ".nt": "N_TRIPLES",
    ".jsonld": "JSON_LD",
}
_PARSER_POSITION = re.compile(r"line (\d+) column (\d+)")


class NetworkSource:
    """The dataset the network stage reads: network queries and names.

    Either a pyoxigraph store (from a dump file, by ``load_network_source``) or
    an rdflib graph (handed over in memory); ``select`` runs a
    ``network_queries/*.rq`` query on the union of the named graphs, ``names``
    is an rdflib graph of the naming triples (``NAME_PROPERTIES``) for
    ``preferred_label`` and friends.
    """

    def __init__(self, names: Graph, *, store: Any = None, graph: Graph | None = None):
        """Wrap a pyoxigraph ``store`` or an rdflib ``graph`` (exactly one)."""
        if (store is None) == (graph is None):
            raise ValueError("give a pyoxigraph store or an rdflib graph")
        self.names = names
        self.store = store
        self.graph = graph
        # Each query runs once: the content check and the extraction both ask
        # for "events".
        self._answers: dict[str, list[dict[str, Node]]] = {}

    @classmethod
    def from_graph(cls, graph: Graph) -> NetworkSource:
        """A source over an rdflib graph (its own triples are the names)."""
        return cls(graph, graph=graph)

    @classmethod
    def from_store(cls, store: Any) -> NetworkSource:
        """A source over a pyoxigraph ``Store`` holding the dataset."""
        names = Graph()
        for prop in NAME_PROPERTIES:
            for quad in store.quads_for_pattern(None, _ox_node(prop), None, None):
                names.add(
                    (
                        term_from_oxigraph(quad.subject),
                        prop,
                        term_from_oxigraph(quad.object),
                    )
                )
        return cls(names, store=store)

    def select(self, name: str) -> list[dict[str, Node]]:
        """Run ``network_queries/<name>.rq``; each row a dict of its bound values
        (the same list on every call: do not change it)."""
        if name not in self._answers:
            text = _query_text(name)
            if self.graph is not None:
                rows = [row.asdict() for row in self.graph.query(text)]  # type: ignore[union-attr]
            else:
                result = OxigraphEngine(self.store).select(text)
                rows = [
                    {
                        c: v
                        for c, v in zip(result.columns, row, strict=True)
                        if v is not None
                    }
                    for row in result.rows
                ]
            self._answers[name] = rows
        return self._answers[name]


def _ox_node(iri: URIRef) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(str(iri))


def load_network_source(
    source: str | Path | Graph | Dataset | NetworkSource,
) -> NetworkSource:
    """What the network stage reads from ``source``, checked to hold something.

    A dump file is parsed by pyoxigraph into an in-memory store (about ten times
    faster than rdflib, which dominated the stage at national scale); an rdflib
    ``Graph`` or ``Dataset`` is queried with rdflib as it is.

    Args:
        source: a built dump (``.nq``, ``.trig``, ``.ttl``, ``.nt``, ``.jsonld``),
            an rdflib ``Dataset`` or ``Graph``, or a ``NetworkSource``.

    Raises:
        SourceError: the file is missing, of an unknown type, unparsable, or holds
            neither an activity nor an agreement.
    """
    if isinstance(source, NetworkSource):
        return source
    if isinstance(source, (Graph, Dataset)):
        found = NetworkSource.from_graph(load_network_graph(source))
        _require_content(found, None)
        return found
    import pyoxigraph as ox

    path = _checked_dump_path(source)
    store = ox.Store()
    try:
        store.bulk_load(
            path=str(path), format=getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[path.suffix])
        )
    except (SyntaxError, OSError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        position = _PARSER_POSITION.search(reason)
        raise SourceError(
            f"cannot parse: {reason}",
            path=path,
            line=int(position[1]) if position else None,
            column=int(position[2]) if position else None,
            hint="rebuild it with `samverkansgraf build`",
        ) from exc
    found = NetworkSource.from_store(store)
    _require_content(found, path)
    return found


def _checked_dump_path(source: str | Path) -> Path:
    path = Path(source)
    if path.suffix not in _RDF_FORMATS:
        raise SourceError(
            "unknown RDF file type",
            path=path,
            hint="give a built dump: .nq, .trig, .ttl, .nt or .jsonld",
        )
    if not path.is_file():
        raise SourceError(
            "no such file", path=path, hint="run `samverkansgraf build` first"
        )
    return path


def _require_content(source: NetworkSource, path: Path | None) -> None:
    """Fail with one clear line when there is nothing to analyse."""
    if source.select("events"):
        return
    raise SourceError(
        "the input holds no skg:Activity and no skg:Agreement",
        path=path,
        hint="build the dataset first (`samverkansgraf build`) or pass --input "
        "a built dump",
    )


def load_project_graph(
    paths: ProjectPaths | None, dump: str | Path | None = None
) -> tuple[NetworkSource, str]:
    """What ``network`` and ``compare`` analyse, and where it came from.

    ``dump`` if given; else ``dist/samverkansgraf.nq`` when it exists; else the
    project's curated data, assembled in memory (evidence checked, no SHACL), so
    that the commands also work before the first build.

    Args:
        paths: the project (may be None when ``dump`` is given).
        dump: an explicit built dump to read instead.

    Returns:
        The source and a short description of its origin (for messages); the
        description says when ``dist/`` is older than ``data/curated``.

    Raises:
        SourceError, EvidenceError: unreadable input, or nothing to analyse.
    """

    def shown(path: Path) -> str:
        try:
            base = Path(paths.root if paths is not None else Path.cwd()).resolve()
            return str(Path(path).resolve().relative_to(base))
        except ValueError:
            return str(path)

    if dump is not None:
        return load_network_source(dump), shown(Path(dump))
    if paths is None:
        raise SourceError(
            "no input", hint="pass --input a built dump or run inside the project"
        )
    default = Path(paths.dist_dir) / "samverkansgraf.nq"
    if default.is_file():
        source = load_network_source(default)
        curated = list(Path(paths.curated_dir).glob("*.ttl"))
        newest = max((p.stat().st_mtime for p in curated), default=0.0)
        if newest > default.stat().st_mtime:
            stale = "older than data/curated/: run `samverkansgraf build` to refresh"
            return source, f"{shown(default)} ({stale})"
        return source, shown(default)
    source = load_network_source(assemble_dataset(paths).union())
    return source, f"{shown(paths.curated_dir)}/ (assembled: no {shown(default)} yet)"


# ---------------------------------------------------------------------------
# Extraction by SPARQL
# ---------------------------------------------------------------------------


def _query_text(name: str) -> str:
    """The text of ``network_queries/<name>.rq``."""
    folder = resources.files(__package__) / "queries"
    return (folder / f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class NodeInfo:
    """What a node of any graph carries (all strings: GraphML has no None)."""

    iri: str
    """The resource's IRI (also the node id)."""
    label: str
    """Its Swedish label (``preferred_label``)."""
    short_label: str
    """A short form for pictures: a municipality's short name, "Överenskommelse
    <municipality>" for an agreement, "Aktivitet <n>" for the n-th activity of
    its plan (numbered as in the heatmap)."""
    type: str
    """``region``, ``municipality``, ``cultural_institution``,
    ``civil_society_organisation``, ``network``, ``person``, ``actor`` (an actor of
    none of these classes), ``activity`` or ``agreement``."""
    county: str = ""
    """SCB county code (two digits), or empty."""
    municipality: str = ""
    """SCB municipality code (four digits), or empty."""
    wikidata: str = ""
    """Wikidata id (``Q…``) from ``owl:sameAs``, or empty."""

    def attributes(self) -> dict[str, str]:
        """The node attributes of the exported graphs."""
        return {
            "label": self.label,
            "short_label": self.short_label,
            "type": self.type,
            "county": self.county,
            "municipality": self.municipality,
            "wikidata": self.wikidata,
            "iri": self.iri,
        }


@dataclass
class NetworkData:
    """Everything the graphs are built from, extracted once by SPARQL."""

    nodes: dict[str, NodeInfo]
    """IRI → node info, for every actor (all of the gazetteer) and event."""
    events: list[str]
    """Activities and agreements, in document order within each plan."""
    event_plan: dict[str, str]
    """Activity → its plan's IRI."""
    ties: list[tuple[str, str, str]]
    """(event, role, actor): role ``participant``, ``convenor``, ``coordinator``
    (activities) or ``party`` (agreements)."""
    commitments: dict[str, tuple[str, set[str], set[str]]]
    """Commitment → (its agreement or "", committed by, actors it concerns)."""
    covered_municipalities: list[str]
    """Every municipality of a covered county."""
    county_names: dict[str, str]
    """County code → the county's Swedish name."""
    plan_counties: dict[str, str]
    """Plan with activities → the county of its publishing region, or ""."""
    plan_labels: dict[str, str] = field(default_factory=dict)
    """Plan with activities → its label."""

    @cached_property
    def _roles(self) -> dict[str, list[tuple[str, str]]]:
        """Event → its (role, actor) pairs."""
        index: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for event, role, actor in self.ties:
            index[event].append((role, actor))
        return index

    def participants(self, event: str, roles: Iterable[str]) -> list[str]:
        """The actors of ``event`` in any of ``roles``, sorted."""
        wanted = set(roles)
        return sorted({a for r, a in self._roles.get(event, []) if r in wanted})


def _str(value: Node | None) -> str:
    return "" if value is None else str(value)


def _natural_key(text: str) -> tuple[Any, ...]:
    """Sort ``activity/x/10`` after ``activity/x/9``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_key(text: str) -> str:
    """A sort key that puts å, ä, ö after z, as Swedish dictionaries do.

    Example:
        >>> sorted(["Örebro", "Askersund", "Ängelholm", "Åre"], key=swedish_key)
        ['Askersund', 'Åre', 'Ängelholm', 'Örebro']
    """
    return text.casefold().translate(_SWEDISH_ORDER)


def _has_label(graph: Graph, node: URIRef) -> bool:
    return any(
        isinstance(v, Literal)
        for prop in (RDFS.label, SKOS.prefLabel)
        for v in graph.objects(node, prop)
    )


def _municipality_short_label(graph: Graph, node: URIRef, label: str) -> str:
    """A municipality's short name ("Falun" for "Falu kommun").

    The gazetteer's ``skg:shortName`` (SCB's short name) wins; only without it
    the shortest Swedish name is taken — never blindly among altLabels, which
    also hold misspellings met in the sources ("Lindsberg").
    """
    short = graph.value(node, SKG.shortName)
    if short is not None:
        return str(short)
    names = [label] + [
        str(v)
        for prop in (RDFS.label, SKOS.altLabel)
        for v in graph.objects(node, prop)
        if isinstance(v, Literal) and v.language in (None, "sv")
    ]
    return min(names, key=lambda n: (len(n), n))


def _first_words(text: str, limit: int = 48) -> str:
    """The start of an evidence text, without markup, for a picture."""
    text = re.sub(r"<[^>]+>", "", text)
    text = " ".join(text.split("\t")[0].split())
    return textwrap.shorten(text, width=limit, placeholder="…") if text else ""


def extract_network_data(
    source: Graph | Dataset | str | Path | NetworkSource,
) -> NetworkData:
    """Run the network queries once and collect their answers.

    Args:
        source: the built dataset, or a path to a dump.

    Returns:
        The nodes, events, ties, commitments and covered municipalities.
    """
    found = load_network_source(source)
    graph = found.names  # labels; everything else comes from the queries
    nodes: dict[str, NodeInfo] = {}
    chosen: dict[str, int] = {}
    ranks = {str(cls): i for i, cls in enumerate(ACTOR_TYPES)}
    for row in found.select("actors"):
        iri = str(row["actor"])
        rank = ranks[str(row["class"])]
        if iri in chosen and chosen[iri] <= rank:
            continue
        chosen[iri] = rank
        node = URIRef(iri)
        kind = ACTOR_TYPES[URIRef(str(row["class"]))]
        label = preferred_label(graph, node)
        short = (
            _municipality_short_label(graph, node, label)
            if kind == "municipality"
            else label
        )
        wikidata = _str(row.get("wikidata")).rsplit("/", 1)[-1]
        nodes[iri] = NodeInfo(
            iri=iri,
            label=label,
            short_label=short,
            type=kind,
            county=_str(row.get("countyCode")),
            municipality=_str(row.get("municipalityCode")),
            wikidata=wikidata,
        )

    ties = sorted(
        {
            (str(r["event"]), str(r["role"]), str(r["actor"]))
            for r in found.select("event_ties")
        }
    )
    for _, _, actor in ties:
        if actor not in nodes:  # an actor outside the six classes: keep it
            node = URIRef(actor)
            label = preferred_label(graph, node)
            nodes[actor] = NodeInfo(actor, label, label, "actor")

    event_actors: dict[str, list[str]] = defaultdict(list)
    for event, _, actor in ties:
        event_actors[event].append(actor)

    plan_counties = {
        str(r["plan"]): _str(r.get("countyCode")) for r in found.select("plans")
    }
    event_rows = found.select("events")
    event_plan = {
        str(r["event"]): str(r["plan"]) for r in event_rows if r.get("plan") is not None
    }

    def event_key(row: dict[str, Node]) -> tuple[Any, ...]:
        first = row.get("first")
        return (
            str(row["kind"]),
            swedish_key(preferred_label(graph, URIRef(str(row["plan"]))))
            if row.get("plan") is not None
            else "",
            int(first) if first is not None else math.inf,  # type: ignore[call-overload]
            _natural_key(str(row["event"])),
        )

    events: list[str] = []
    numbers: Counter[str] = Counter()
    for row in sorted(event_rows, key=event_key):
        iri = str(row["event"])
        events.append(iri)
        node = URIRef(iri)
        kind = str(row["kind"])
        label = preferred_label(graph, node)
        parties = [nodes[a] for a in event_actors.get(iri, ()) if a in nodes]
        county = ""
        if kind == "activity":
            county = plan_counties.get(event_plan.get(iri, ""), "")
            if not _has_label(graph, node) and row.get("exact") is not None:
                label = _first_words(str(row["exact"]), limit=80) or label
            numbers[event_plan.get(iri, "")] += 1
            short = f"Aktivitet {numbers[event_plan.get(iri, '')]}"
        else:
            regions = [p for p in parties if p.type == "region"]
            county = regions[0].county if regions else ""
            towns = [p.short_label for p in parties if p.type == "municipality"]
            short = "Överenskommelse " + "–".join(towns) if towns else label
        nodes[iri] = NodeInfo(iri, label, short, kind, county=county)

    commitments: dict[str, tuple[str, set[str], set[str]]] = {}
    for row in found.select("commitment_ties"):
        key = str(row["commitment"])
        agreement, committers, concerned = commitments.setdefault(
            key, (_str(row.get("agreement")), set(), set())
        )
        committers.add(str(row["committer"]))
        if row.get("concerned") is not None:
            concerned.add(str(row["concerned"]))
    for _, committers, concerned in commitments.values():
        for actor in committers | concerned:
            if actor not in nodes:
                label = preferred_label(graph, URIRef(actor))
                nodes[actor] = NodeInfo(actor, label, label, "actor")

    covered = sorted(
        str(r["municipality"]) for r in found.select("covered_municipalities")
    )
    county_names = {}
    for row in found.select("counties"):
        place = row.get("county")
        name = (
            preferred_label(graph, place)
            if place is not None
            else preferred_label(graph, row["region"])
        )
        county_names[str(row["countyCode"])] = name
    return NetworkData(
        nodes=nodes,
        events=events,
        event_plan=event_plan,
        ties=ties,
        commitments=dict(sorted(commitments.items())),
        covered_municipalities=covered,
        county_names=county_names,
        plan_counties=plan_counties,
        plan_labels={p: preferred_label(graph, URIRef(p)) for p in plan_counties},
    )


def _data(source: NetworkData | Graph | Dataset | str | Path) -> NetworkData:
    return source if isinstance(source, NetworkData) else extract_network_data(source)


# ---------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------


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
    data = _data(source)
    graph = nx.Graph(name="bipartite")
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
    data = _data(source)
    graph = nx.Graph(name="municipalities")
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
    data = _data(source)
    graph = nx.Graph(name="actors")
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


# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------

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
    return {n: float(c) for n, c in nx.clustering(graph).items()}


def _components(graph: nx.Graph) -> list[list[str]]:
    """Connected components, largest first, ties by their first node."""
    parts = [sorted(c) for c in nx.connected_components(graph)]
    return sorted(parts, key=lambda c: (-len(c), c[0]))


def _component(graph: nx.Graph, seed: int) -> dict[str, int]:
    return {n: i for i, part in enumerate(_components(graph), 1) for n in part}


def _component_size(graph: nx.Graph, seed: int) -> dict[str, int]:
    return {n: len(part) for part in _components(graph) for n in part}


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
        nx.community.modularity(graph, communities, weight="weight")
        if graph.number_of_edges()
        else None
    )
    isolates = sum(1 for n in graph if graph.degree(n) == 0)
    components = _components(graph)
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
    }
    return NetworkResult(name or graph.name, graph, summary, communities)


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


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

TABLE_COLUMNS = ("rank", "label", "type", "county") + tuple(MEASURES)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return value


def _table(
    rows: list[dict[str, Any]], columns: Iterable[str], widths: Mapping[str, int]
) -> str:
    """An aligned plain-text table; long cells are shortened."""
    columns = list(columns)
    cells = [
        [
            textwrap.shorten(_cell(r.get(c)), widths.get(c, 60), placeholder="…")
            for c in columns
        ]
        for r in rows
    ]
    size = [
        max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)
    ]
    numeric = [
        all(
            isinstance(r.get(c), int | float)
            and not isinstance(r.get(c), bool)
            or r.get(c) is None
            for r in rows
        )
        for c in columns
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, size, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(columns)] + [line(row) for row in cells])


def format_rows(rows: list[dict[str, Any]], output_format: str = "table") -> str:
    """Ranked node rows as an aligned table, CSV or JSON.

    The table shows label, type, county and the measures; CSV and JSON carry
    every column (IRIs, codes, Wikidata ids too).

    Args:
        rows: from ``rank_nodes``.
        output_format: ``table``, ``csv`` or ``json``.

    Returns:
        The text (no trailing newline).
    """
    if output_format == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if output_format == "csv":
        columns = list(rows[0]) if rows else ["rank", *NODE_ATTRIBUTES, *MEASURES]
        return _csv_text(columns, rows).rstrip("\n")
    if output_format != "table":
        raise NetworkError(
            f"unknown format {output_format!r}", hint="table, csv or json"
        )
    return _table(rows, TABLE_COLUMNS, {"label": 36})


def _csv_text(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return buffer.getvalue()


def format_summary(summary: Mapping[str, Any]) -> str:
    """One line of graph-level figures, for the CLI."""
    modularity = summary["modularity"]
    mod = "undefined (no edges)" if modularity is None else f"{modularity:.3f}"
    return (
        f"{summary['graph']}: nodes {summary['nodes']}, edges {summary['edges']}, "
        f"density {summary['density']:.3f}, components {summary['components']} "
        f"(largest {summary['largest_component']}), isolates {summary['isolates']}, "
        f"Louvain communities {summary['communities']} (seed "
        f"{summary['louvain_seed']}), modularity {mod}"
    )


# ---------------------------------------------------------------------------
# Codebook and exports
# ---------------------------------------------------------------------------

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

COMPARISON_COLUMNS: dict[str, str] = {
    "region": "IRI of the region whose commitment it is",
    "region_label": "its label",
    "agreement": "IRI of the bilateral agreement the commitment is in",
    "agreement_label": "its label",
    "municipality": "IRI of the agreement's municipal party",
    "municipality_label": "its label",
    "clause": "IRI of the clause",
    "clause_number": "the clause's number as printed (else its position)",
    "commitment": "IRI of the commitment",
    "text": "its evidence text (oa:exact), whitespace collapsed",
    "best_agreement": "the other agreement holding the most similar commitment of "
    "the same region (empty with only one agreement)",
    "best_commitment": "that commitment",
    "best_text": "its evidence text",
    "score": "similarity of the two texts, 0–1 (see method)",
    "status": "recurring (score ≥ threshold) or local",
    "recurs_in": "every other agreement with a commitment at or above the "
    "threshold, ';'-separated",
    "method": "the similarity measure",
    "threshold": "the threshold used",
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
        "`src/samverkansgraf/network_queries/`.",
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
    colours = _node_colours(
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


def _check_replaceable(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier network export."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(
            "exists and is not a folder", path=out, hint="choose another --out"
        )
    if not any(out.iterdir()):
        return
    marker = out / "summary.json"
    try:
        generator = json.loads(marker.read_text("utf-8")).get("generator")
    except (OSError, ValueError, AttributeError):
        generator = None
    if generator != EXPORT_MARKER:
        raise OutputError(
            "the folder is not empty and is not an earlier network export, so it "
            "will not be replaced",
            path=out,
            hint="choose a new or empty --out folder",
        )


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
    data = _data(source)
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


def _matrix_csv(matrix: ParticipationMatrix, data: NetworkData) -> str:
    columns = ["municipality", "label", *matrix.columns, "total"]
    rows = []
    for iri, cells in zip(matrix.rows, matrix.cells, strict=True):
        row: dict[str, Any] = {"municipality": iri, "label": data.nodes[iri].label}
        row.update(dict(zip(matrix.columns, cells, strict=True)))
        row["total"] = sum(cells)
        rows.append(row)
    return _csv_text(columns, rows)


def export_network(
    results: Mapping[str, NetworkResult],
    out_dir: str | Path,
    *,
    data: NetworkData,
    plot: bool = False,
    source: str = "",
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write every graph's exports (and pictures) into ``out_dir``, atomically.

    The folder is built under a temporary name and swapped in whole; an existing
    folder is replaced only when it is empty or an earlier network export (its
    ``summary.json`` says so), never an unrelated folder.

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

    Returns:
        The files written, sorted.

    Raises:
        OutputError: the folder cannot be written or is not replaceable.
    """
    out = Path(out_dir)
    _check_replaceable(out.resolve())
    note = progress or (lambda _message: None)
    files: dict[str, bytes] = {}
    for name, result in results.items():
        positions = _layout(result.graph)
        files[f"{name}.graphml"] = _graphml_bytes(result.graph)
        files[f"{name}.gexf"] = _gexf_bytes(result.graph, positions)
        node_columns, node_rows = _node_table(result)
        files[f"{name}-nodes.csv"] = _csv_text(node_columns, node_rows).encode()
        edge_columns, edge_rows = _graph_edges(result)
        files[f"{name}-edges.csv"] = _csv_text(edge_columns, edge_rows).encode()
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
    files["codebook.md"] = render_codebook(results, [*files, "codebook.md"]).encode()
    with atomic_directory(out) as work:
        work.chmod(0o755)  # mkdtemp makes it private; this is a publishable export
        for name, blob in sorted(files.items()):
            (work / name).write_bytes(blob)
    return sorted(out / name for name in files)


# ---------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------

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
_TYPE_NAMES_SV = {
    "region": "region",
    "municipality": "kommun",
    "cultural_institution": "kulturinstitution",
    "civil_society_organisation": "civilsamhälle",
    "network": "nätverk",
    "person": "person",
    "actor": "annan aktör",
    "activity": "aktivitet",
    "agreement": "överenskommelse",
}
_TITLES = {
    "municipalities": "Kommuner som deltar i samma aktiviteter och överenskommelser",
    "actors": "Aktörer och deras band (alla slags band)",
    "bipartite": "Aktörer × aktiviteter och överenskommelser",
}
_COLOUR_NAMES = {"county": "färg = län", "community": "färg = Louvain-grupp"}


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, set up for reproducible files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Same input, same bytes: fixed SVG ids, text kept as text, no dates.
    matplotlib.rcParams["svg.hashsalt"] = "samverkansgraf"
    matplotlib.rcParams["svg.fonttype"] = "none"
    return plt


def _palette(count: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(max(count, 1))]


def _node_colours(graph: nx.Graph, attribute: str) -> dict[str, tuple[float, ...]]:
    """One palette colour per value of ``attribute``, in natural order."""
    values = sorted(
        {str(graph.nodes[n].get(attribute, "")) for n in graph}, key=_natural_key
    )
    palette = _palette(len(values))
    index = {v: palette[i] for i, v in enumerate(values)}
    return {n: index[str(graph.nodes[n].get(attribute, ""))] for n in graph}


ISOLATE_ROW = 0.3
"""Vertical distance between rows of isolates in the layout."""


def _layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Deterministic layout: each connected component by Kamada–Kawai, side by
    side (largest first, wrapping into rows), isolates in rows below them. No
    randomness: the same graph gives the same picture."""
    parts = [c for c in _components(graph) if len(c) > 1]
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
        # starts from a circle in node order, so it needs no seed.
        layout = nx.kamada_kawai_layout(graph.subgraph(part), weight=None, scale=radius)
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
    the same picture.

    Args:
        result: an analysed graph.
        data: the extracted data (county names for the legend).

    Returns:
        ``{".png": …, ".svg": …}``.
    """
    plt = _pyplot()
    from matplotlib import patheffects

    graph = result.graph
    colour_by = GRAPHS[result.name].colour_by if result.name in GRAPHS else "type"
    colours = _node_colours(graph, colour_by)
    positions = _layout(graph)
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    width = 11.0
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
            edge_labels={(a, b): str(w) for a, b, w in graph.edges(data="weight")},
            font_size=7,
            ax=axis,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    most = max((d for _, d in graph.degree()), default=0) or 1
    sizes = {n: 120.0 + 480.0 * graph.degree(n) / most for n in graph}
    for kind in sorted({t for _, t in graph.nodes(data="type")}):
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
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for node in graph:
        axis.annotate(
            _wrap(str(graph.nodes[node]["short_label"])),
            positions[node],
            xytext=(0, -(math.sqrt(sizes[node]) / 2 + 2)),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7,
            path_effects=halo,
        )
    isolates = [n for n in graph if graph.degree(n) == 0]
    if isolates:
        y = max(positions[n][1] for n in isolates) + 0.17
        axis.text(
            min(xs),
            y,
            f"Utan band ({len(isolates)} isolat)",
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
                numbered, key=lambda n: _natural_key(graph.nodes[n]["short_label"])
            )
        )
        axis.text(
            1.02,
            0.0,
            "Aktiviteter:\n" + key,
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
        f"{summary['nodes']} noder, {summary['edges']} band; "
        f"Louvain-grupper: {summary['communities']}"
        + (f" (modularitet {mod:.2f})" if mod is not None else "")
        + "; storlek = grad"
        + (f", {_COLOUR_NAMES[colour_by]}" if colour_by in _COLOUR_NAMES else "")
    )
    axis.set_title(
        _TITLES.get(result.name, result.name) + "\n" + subtitle, loc="left", fontsize=11
    )
    lo_x, hi_x = min(xs), max(xs)
    lo_y, hi_y = min(ys), max(ys)
    axis.set_xlim(lo_x - 0.25, hi_x + 0.25)
    axis.set_ylim(lo_y - 0.3, hi_y + 0.3)
    return _figure_bytes(figure, plt)


def _legend(
    graph: nx.Graph,
    colour_by: str,
    colours: Mapping[str, tuple[float, ...]],
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

    types = sorted({t for _, t in graph.nodes(data="type")})
    if colour_by == "type":
        first = {
            t: next(n for n in graph if graph.nodes[n]["type"] == t) for t in types
        }
        return [
            entry(
                _TYPE_MARKERS.get(t, "o"), colours[first[t]], _TYPE_NAMES_SV.get(t, t)
            )
            for t in types
        ]
    seen: dict[str, tuple[float, ...]] = {}
    for node in sorted(
        graph, key=lambda n: _natural_key(str(graph.nodes[n].get(colour_by, "")))
    ):
        seen.setdefault(str(graph.nodes[node].get(colour_by, "")), colours[node])
    handles = []
    for value, colour in list(seen.items())[:20]:
        if colour_by == "county":
            name = (
                data.county_names.get(value, value) if data else value
            ) or "utan län"
        else:
            name = f"grupp {value}"
        handles.append(entry("o", colour, name))
    if len(types) > 1:
        handles += [
            entry(_TYPE_MARKERS.get(t, "o"), "white", _TYPE_NAMES_SV.get(t, t))
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
        "planens ordning (antal kommuner); blå = deltar",
        loc="left",
        fontsize=10,
        pad=16,
    )
    figure.tight_layout()
    return _figure_bytes(figure, plt)


# ---------------------------------------------------------------------------
# Cross-agreement comparison
# ---------------------------------------------------------------------------

STOP_WORDS = frozenset(
    """och i att det som en ett på är av för med till den de om så sin sina sitt
    samt hos där här vid eller men även också inom mellan från under genom detta
    denna dessa""".split()
)
"""Swedish function words left out of the word sets: they occur in almost every
sentence and would make unrelated commitments look alike."""

_ROLE_WORDS = {
    "region": "REGION",
    "regionen": "REGION",
    "regionens": "REGION",
    "kommun": "KOMMUN",
    "kommunen": "KOMMUN",
    "kommunens": "KOMMUN",
}


def normalise_words(
    text: str, party_names: Mapping[str, str] | None = None
) -> list[str]:
    """The words of ``text`` as the comparison sees them.

    Steps: Unicode NFKC; lower case; words split by a line-break hyphen are
    joined ("länskultur-verksamheterna" → "länskulturverksamheterna"); every
    name of the agreement's parties (with any ending: "Hedemoras kommuns") and
    the generic words "regionen"/"kommunen" become the placeholders ``REGION`` /
    ``KOMMUN``, so that the same promise made to two municipalities reads the
    same; words are runs of letters and digits; ``STOP_WORDS`` are dropped.

    Args:
        text: an evidence text.
        party_names: name → placeholder (``REGION`` or ``KOMMUN``).

    Returns:
        The words, in order.

    Example:
        >>> normalise_words("Hedemora kommun och Region Dalarna vill",
        ...                 {"Hedemora kommun": "KOMMUN", "Region Dalarna": "REGION"})
        ['KOMMUN', 'REGION', 'vill']
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\w)-\s*(?=\w)", "", text)
    for name, placeholder in sorted(
        (party_names or {}).items(), key=lambda item: (-len(item[0]), item[0])
    ):
        folded = unicodedata.normalize("NFKC", name).lower()
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, folded.split())) + r"\w*"
        text = re.sub(pattern, f" {placeholder} ", text)
    words = []
    for word in re.findall(r"\w+", text):
        word = _ROLE_WORDS.get(word, word)
        if word not in STOP_WORDS:
            words.append(word)
    return words


def _jaccard(a: list[str], b: list[str]) -> float:
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _overlap(a: list[str], b: list[str]) -> float:
    first, second = set(a), set(b)
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def _difflib(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


SIMILARITIES: dict[str, tuple[Callable[[list[str], list[str]], float], str]] = {
    "jaccard": (
        _jaccard,
        "Jaccard index of the two normalised word sets: shared words / all words",
    ),
    "overlap": (
        _overlap,
        "overlap coefficient: shared words / words of the shorter text (finds a "
        "sentence repeated inside a longer commitment)",
    ),
    "difflib": (
        _difflib,
        "difflib.SequenceMatcher ratio of the two normalised word sequences "
        "(word order counts)",
    ),
}
"""Similarity method name → (function of two word lists, description)."""


@dataclass(frozen=True)
class ComparisonRow:
    """One commitment of a region in one bilateral agreement, and its best match."""

    region: str
    region_label: str
    agreement: str
    agreement_label: str
    municipality: str
    municipality_label: str
    clause: str
    clause_number: str
    commitment: str
    text: str
    best_agreement: str
    best_commitment: str
    best_text: str
    score: float | None
    """Similarity to the best match (None when the region has one agreement)."""
    status: str
    """``recurring`` or ``local``."""
    recurs_in: str
    """Other agreements with a match at or above the threshold, ``;``-separated."""
    method: str
    threshold: float


@dataclass
class ComparisonReport:
    """The comparison of each region's commitments across its agreements."""

    rows: list[ComparisonRow]
    """One per commitment, by region, agreement, clause, position in text."""
    method: str
    """The similarity method."""
    threshold: float
    """The threshold."""
    agreements: dict[str, list[str]]
    """Region → its bilateral agreements."""

    def counts(self) -> dict[str, dict[str, int]]:
        """Region label → commitments, recurring, local, agreements."""
        out: dict[str, dict[str, int]] = {}
        for row in self.rows:
            entry = out.setdefault(
                row.region_label,
                {
                    "agreements": len(self.agreements.get(row.region, [])),
                    "commitments": 0,
                    "recurring": 0,
                    "local": 0,
                },
            )
            entry["commitments"] += 1
            entry[row.status] += 1
        return out


def _party_names(graph: Graph, region: str, municipality: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for iri, placeholder in ((region, "REGION"), (municipality, "KOMMUN")):
        for prop in (
            RDFS.label,
            SKOS.prefLabel,
            SKOS.altLabel,
            SKG.officialName,
            SKG.formerName,
        ):
            for value in graph.objects(URIRef(iri), prop):
                if isinstance(value, Literal) and value.language in (None, "sv"):
                    names[str(value)] = placeholder
    return names


def compare_agreements(
    source: Graph | Dataset | str | Path | NetworkSource,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    method: str = "jaccard",
) -> ComparisonReport:
    """Which of a region's commitments recur across its bilateral agreements.

    A bilateral agreement has exactly two parties, a region and a municipality.
    For every commitment the region makes in one (alone or jointly), its
    evidence text (``oa:exact``) is compared with each of the region's
    commitments in its other bilateral agreements, after ``normalise_words``.
    The commitment *recurs* when its best match scores at least ``threshold``;
    otherwise it is *local* (always so while the region has one agreement).

    Args:
        source: the built dataset or a path to a dump.
        threshold: the similarity from which two commitments count as the same.
        method: a ``SIMILARITIES`` name (default Jaccard).

    Returns:
        The report.

    Raises:
        NetworkError: unknown method or a threshold outside 0–1.
    """
    if method not in SIMILARITIES:
        raise NetworkError(
            f"unknown similarity method {method!r}",
            hint="choose one of: " + ", ".join(SIMILARITIES),
        )
    if not 0.0 <= threshold <= 1.0:
        raise NetworkError(f"threshold {threshold} is outside 0–1", hint="use e.g. 0.5")
    found = load_network_source(source)
    graph = found.names
    similarity = SIMILARITIES[method][0]
    items: dict[str, dict[str, Any]] = {}
    for row in found.select("bilateral_commitments"):
        key = str(row["commitment"])
        start = int(row["start"]) if row.get("start") is not None else math.inf  # type: ignore[call-overload]
        current = items.get(key)
        if current is not None and current["start"] <= start:
            continue
        position = row.get("position")
        items[key] = {
            "region": str(row["region"]),
            "municipality": str(row["municipality"]),
            "agreement": str(row["agreement"]),
            "clause": str(row["clause"]),
            "position": int(position) if position is not None else math.inf,  # type: ignore[call-overload]
            "number": _str(row.get("number")) or _str(position),
            "text": " ".join(str(row["exact"]).split()),
            "start": start,
        }
    names: dict[tuple[str, str], dict[str, str]] = {}
    for item in items.values():
        pair = (item["region"], item["municipality"])
        if pair not in names:
            names[pair] = _party_names(graph, *pair)
        item["words"] = normalise_words(item["text"], names[pair])

    agreements: dict[str, list[str]] = defaultdict(list)
    for item in items.values():
        if item["agreement"] not in agreements[item["region"]]:
            agreements[item["region"]].append(item["agreement"])
    labels: dict[str, str] = {}

    def label(iri: str) -> str:
        if iri not in labels:
            labels[iri] = preferred_label(graph, URIRef(iri))
        return labels[iri]

    ordered = sorted(
        items.items(),
        key=lambda kv: (
            swedish_key(label(kv[1]["region"])),
            swedish_key(label(kv[1]["agreement"])),
            kv[1]["position"],
            kv[1]["start"],
            _natural_key(kv[0]),
        ),
    )
    rows = []
    for key, item in ordered:
        best: tuple[float, str] | None = None
        recurs: set[str] = set()
        for other_key, other in ordered:
            if (
                other["region"] != item["region"]
                or other["agreement"] == item["agreement"]
            ):
                continue
            score = similarity(item["words"], other["words"])
            if score >= threshold:
                recurs.add(other["agreement"])
            if best is None or score > best[0]:
                best = (score, other_key)
        best_score = best[0] if best else None
        match = items[best[1]] if best else None
        rows.append(
            ComparisonRow(
                region=item["region"],
                region_label=label(item["region"]),
                agreement=item["agreement"],
                agreement_label=label(item["agreement"]),
                municipality=item["municipality"],
                municipality_label=label(item["municipality"]),
                clause=item["clause"],
                clause_number=item["number"],
                commitment=key,
                text=item["text"],
                best_agreement=match["agreement"] if match else "",
                best_commitment=best[1] if best else "",
                best_text=match["text"] if match else "",
                score=best_score,
                status="recurring"
                if best_score is not None and best_score >= threshold
                else "local",
                recurs_in=";".join(sorted(recurs)),
                method=method,
                threshold=threshold,
            )
        )
    return ComparisonReport(
        rows=rows,
        method=method,
        threshold=threshold,
        agreements={k: sorted(v) for k, v in sorted(agreements.items())},
    )


def format_comparison(report: ComparisonReport, output_format: str = "table") -> str:
    """The comparison as an aligned table (with a summary), CSV or JSON.

    Args:
        report: from ``compare_agreements``.
        output_format: ``table``, ``csv`` or ``json``.

    Returns:
        The text (no trailing newline).
    """
    records = [vars(row) for row in report.rows]
    if output_format == "json":
        payload = {
            "method": report.method,
            "method_description": SIMILARITIES[report.method][1],
            "threshold": report.threshold,
            "agreements": report.agreements,
            "counts": report.counts(),
            "rows": records,
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)
    if output_format == "csv":
        return _csv_text(list(COMPARISON_COLUMNS), records).rstrip("\n")
    if output_format != "table":
        raise NetworkError(
            f"unknown format {output_format!r}", hint="table, csv or json"
        )
    by_commitment = {r.commitment: r for r in report.rows}

    def where(row: ComparisonRow | None) -> str:
        return f"{row.municipality_label} § {row.clause_number}" if row else "–"

    shown = [
        {
            "agreement with": r.municipality_label,
            "§": r.clause_number,
            "status": r.status,
            "score": r.score,
            "best match": where(by_commitment.get(r.best_commitment)),
            "text": r.text,
        }
        for r in report.rows
    ]
    lines = []
    for region, counts in report.counts().items():
        lines.append(
            f"{region}: {counts['commitments']} commitments in {counts['agreements']} "
            f"bilateral agreement(s): {counts['recurring']} recurring, "
            f"{counts['local']} local ({report.method} ≥ {report.threshold:g})"
        )
    if not report.rows:
        lines.append(
            "no bilateral agreement (a region and a municipality as parties) "
            "with commitments of the region"
        )
        return "\n".join(lines)
    table = _table(
        shown,
        ["agreement with", "§", "status", "score", "best match", "text"],
        {"agreement with": 30, "best match": 36, "text": 70},
    )
    return "\n".join(lines + ["", table])
