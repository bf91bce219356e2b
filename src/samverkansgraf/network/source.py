"""Stage 6 — network, step 1: the input, read by SPARQL into ``NetworkData``.

Input: the built dataset (an rdflib ``Graph`` or ``Dataset``, or a path to
``dist/samverkansgraf.nq``/``.trig``/``.ttl``/``.nt``/``.jsonld``). It is read
only through the SPARQL queries in ``queries/*.rq`` (beside this module), run on
the union of its named graphs: on pyoxigraph for a dump file (``NetworkSource``:
Rust parsing and SPARQL; the rdflib load dominated the stage at national scale),
on rdflib for a graph handed over in memory. Both give the same ``NetworkData``
(tested).

Output: ``NetworkData`` (nodes with their labels and codes, events in document
order, ties, commitments, covered municipalities, county names), from which
:mod:`.graphs` builds the networkx graphs.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from .. import labels
from ..build import assemble_dataset
from ..errors import SamverkansgrafError, SourceError
from ..labels import find_label, natural_key, preferred_label, swedish_key
from ..namespaces import SKG, bind_prefixes
from ..query.engines import OxigraphEngine
from ..rdfio import (
    DUMP_FORMATS,
    N_TRIPLES,
    FormatInfo,
    load_store,
    load_union,
    to_oxigraph,
    to_rdflib,
)
from ..sources import ProjectPaths

__all__ = [
    "ACTOR_TYPES",
    "NAME_PROPERTIES",
    "ROLES",
    "NetworkData",
    "NetworkError",
    "NetworkSource",
    "NodeInfo",
    "StoreNames",
    "extract_network_data",
    "load_network_graph",
    "load_network_source",
    "load_project_graph",
    "INPUT_FORMATS",
    "network_data",
    "text_or_empty",
]

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

ROLES = ("participant", "convenor", "coordinator", "party")
"""Roles an actor can have in an event (``queries/event_ties.rq``)."""


class NetworkError(SamverkansgrafError):
    """A network analysis asked for something that does not exist (a graph, a
    measure, a similarity method) or cannot run on the input."""

    exit_code = 2


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


INPUT_FORMATS: tuple[FormatInfo, ...] = (*DUMP_FORMATS, N_TRIPLES)
"""The dumps the stage reads (``rdfio``'s table): those the build writes, and
N-Triples."""
_INPUT_SUFFIXES = {suffix: fmt for fmt in INPUT_FORMATS for suffix in fmt.suffixes}


def load_network_graph(source: str | Path | Graph | Dataset) -> Graph:
    """The union of all named graphs of ``source``, as one rdflib ``Graph``.

    For users who want the network stage's input in rdflib; the stage itself
    reads files through ``load_network_source`` (a pyoxigraph store).

    Args:
        source: a built dump (``.nq``, ``.trig``, ``.ttl``, ``.nt``, ``.jsonld``),
            an rdflib ``Dataset`` or a ``Graph`` (returned as it is).

    Returns:
        One graph holding every triple.

    Raises:
        SourceError: the file is missing, of an unknown type, unparsable (with
            the line and column), or holds neither an activity nor an agreement.
    """
    if isinstance(source, Dataset):
        union = bind_prefixes(Graph())
        for s, p, o, _ in source.quads():
            union.add((s, p, o))
        return union
    if isinstance(source, Graph):
        return source
    path = _checked_dump_path(source)
    union = load_union(path)  # parsed by pyoxigraph, errors located
    _require_content(NetworkSource.from_graph(union), path)
    return union


NAME_PROPERTIES: tuple[URIRef, ...] = (*labels.NAME_PROPERTIES, SKG.shortName)
"""The naming properties the network stage reads besides its queries: every name
property of :mod:`..labels` (labels; a region's and municipality's names in
``compare``) and ``skg:shortName`` (short names for pictures)."""

_NAMING = frozenset(NAME_PROPERTIES)


class StoreNames:
    """The naming triples (``NAME_PROPERTIES``) of a pyoxigraph store, read
    when asked: ``objects`` and ``value`` answer as an rdflib graph of those
    triples would (the union of the named graphs, each triple once, in the
    store's order).

    Why not copy them into an rdflib graph: at national scale that was 120,000
    triples and 6.6 s, for the few hundred actors and agreements the network
    stage names.
    """

    def __init__(self, store: Any) -> None:
        """Read from ``store`` (a pyoxigraph ``Store``)."""
        self.store = store
        self._found: dict[tuple[Node, Node], list[Node]] = {}

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The values of ``subject``'s naming ``predicate`` (none for any other
        property: the names are all this holds)."""
        key = (subject, predicate)
        found = self._found.get(key)
        if found is None:
            found = []
            if predicate in _NAMING:
                values = self.store.quads_for_pattern(
                    to_oxigraph(subject), to_oxigraph(predicate), None, None
                )
                # A triple in several graphs counts once, as in a graph.
                unique = dict.fromkeys(quad.object for quad in values)
                found = [t for v in unique if (t := to_rdflib(v)) is not None]
            self._found[key] = found
        return iter(found)

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """A value of ``subject``'s naming ``predicate``, or None."""
        return next(self.objects(subject, predicate), None)


class NetworkSource:
    """The dataset the network stage reads: network queries and names.

    Either a pyoxigraph store (from a dump file, by ``load_network_source``) or
    an rdflib graph (handed over in memory); ``select`` runs a
    ``queries/*.rq`` query on the union of the named graphs, ``names``
    answers for the naming triples (``NAME_PROPERTIES``) for
    ``preferred_label`` and friends: the graph itself, or ``StoreNames``.
    """

    def __init__(
        self,
        names: Graph | StoreNames,
        *,
        store: Any = None,
        graph: Graph | None = None,
    ):
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
        return cls(StoreNames(store), store=store)

    def select(self, name: str) -> list[dict[str, Node]]:
        """Run ``queries/<name>.rq``; each row a dict of its bound values
        (the same list on every call: do not change it)."""
        if name not in self._answers:
            text = _query_text(name)
            rows: list[dict[str, Node]]
            if self.graph is not None:
                # A SELECT yields ResultRows; rdflib types the rows of any query
                # form (bool for ASK, triples for CONSTRUCT).
                rows = [
                    dict(row.asdict())  # type: ignore[union-attr]
                    for row in self.graph.query(text)
                ]
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
    path = _checked_dump_path(source)
    store = load_store(path)  # pyoxigraph; errors located by line and column
    found = NetworkSource.from_store(store)
    _require_content(found, path)
    return found


def _checked_dump_path(source: str | Path) -> Path:
    path = Path(source)
    if path.suffix.lower() not in _INPUT_SUFFIXES:
        suffixes = [fmt.suffix for fmt in INPUT_FORMATS]
        raise SourceError(
            "unknown RDF file type",
            path=path,
            hint="give a built dump: "
            + ", ".join(suffixes[:-1])
            + f" or {suffixes[-1]}",
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
    """The text of ``queries/<name>.rq``."""
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


def text_or_empty(value: Node | None) -> str:
    """The text of a query answer's value; ``""`` for an unbound variable."""
    return "" if value is None else str(value)


def _municipality_short_label(
    graph: Graph | StoreNames, node: URIRef, label: str
) -> str:
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
        wikidata = text_or_empty(row.get("wikidata")).rsplit("/", 1)[-1]
        nodes[iri] = NodeInfo(
            iri=iri,
            label=label,
            short_label=short,
            type=kind,
            county=text_or_empty(row.get("countyCode")),
            municipality=text_or_empty(row.get("municipalityCode")),
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
        str(r["plan"]): text_or_empty(r.get("countyCode"))
        for r in found.select("plans")
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
            natural_key(str(row["event"])),
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
            if find_label(graph, node) is None and row.get("exact") is not None:
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
            key, (text_or_empty(row.get("agreement")), set(), set())
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


def network_data(source: NetworkData | Graph | Dataset | str | Path) -> NetworkData:
    """``source`` itself when it is already extracted, else its ``NetworkData``.

    Lets every builder accept either the data or the dataset (the house style:
    a path or an already-loaded object).
    """
    return source if isinstance(source, NetworkData) else extract_network_data(source)
