"""Stage 3 — build: assemble, check and write the whole dataset.

Input: the project (``ontology/``, ``shapes/``, ``data/``). Steps: parse the
ontology, the SKOS schemes and the reference gazetteer; parse each curated file
(one per source document), check its source's bytes against ``SHA256SUMS``, resolve
its quotes into evidence, verify every evidence offset; check that every
``skgid:``/``skg:`` IRI used is declared; validate with SHACL. Output: an
``AssembledDataset`` (one named graph per source document plus ontology, schemes and
reference) and, from ``build()``, the dumps in ``dist/`` — TriG, N-Quads, Turtle
(union) and JSON-LD, plus ``build-report.json`` — written atomically.
"""

from __future__ import annotations

import difflib
import itertools
import json
import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ._gc import paused_gc
from .atomic import AtomicFiles, write_files_atomically
from .errors import SourceError
from .evidence import EvidenceRecord, check_evidence, resolve_evidence
from .namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SCHEMES,
    PREFIXES,
    SKG,
    SKGID,
    bind_prefixes,
)
from .reference import load_reference
from .sources import (
    ProjectPaths,
    SourceText,
    find_line,
    parse_turtle,
    parse_turtle_triples,
    read_checksums,
    read_source_text,
)
from .validate import (
    ValidationReport,
    load_shapes,
    validate_graph,
    validate_nquads_taken,
)

__all__ = [
    "AssembledDataset",
    "BuildResult",
    "CuratedDocument",
    "assemble_dataset",
    "build",
    "GraphMap",
    "count_assembled",
    "count_facts",
    "count_facts_in",
    "load_vocabulary_and_reference",
    "run_build",
    "serialise_dataset",
]

log = logging.getLogger(__name__)

ONTOLOGY_FILE = "samverkansgraf.ttl"
SCHEMES_FILE = "schemes.ttl"
DUMP_STEM = "samverkansgraf"

# Classes counted in the build summary, in display order.
SUMMARY_CLASSES = {
    "regions": SKG.Region,
    "municipalities": SKG.Municipality,
    "cultural institutions": SKG.CulturalInstitution,
    "civil society organisations": SKG.CivilSocietyOrganisation,
    "networks": SKG.Network,
    "persons": SKG.Person,
    "programmes": SKG.Programme,
    "source documents": SKG.SourceDocument,
    "plans": SKG.Plan,
    "agreements": SKG.Agreement,
    "clauses": SKG.Clause,
    "commitments": SKG.Commitment,
    "goals": SKG.Goal,
    "activities": SKG.Activity,
}


Triple = tuple[Node, Node, Node]


class CuratedDocument:
    """One curated file and the source document it describes.

    Its rdflib ``graph`` is built on first use: the build itself (checks,
    dumps, validation) works from the document's plain ``triples``, which take a
    fraction of the memory and time of rdflib's indexed store (issue #9).
    """

    def __init__(
        self,
        path: Path,
        document: URIRef,
        source: SourceText,
        graph: Graph | None = None,
        evidence: list[EvidenceRecord] | None = None,
        *,
        triples: list[Triple] | None = None,
        prefixes: dict[str, str] | None = None,
        types: dict[Node, list[Node]] | None = None,
    ) -> None:
        if graph is None and triples is None:
            raise ValueError("a curated document needs its graph or its triples")
        self.path = path
        """The curated Turtle file."""
        self.document = document
        """The ``skg:SourceDocument`` it describes; also its named graph's IRI."""
        self.source = source
        """The document's text."""
        self.evidence = evidence if evidence is not None else []
        """Every resolved quote, in document order."""
        self._graph = graph
        self._triples = triples if graph is None else None
        self._prefixes = prefixes or {}
        self._types = types

    @property
    def graph(self) -> Graph:
        """Its triples, with evidence resolved, as an rdflib graph (built once)."""
        if self._graph is None:
            graph = bind_prefixes(Graph())
            graph.addN((s, p, o, graph) for s, p, o in self._triples or ())
            # rdflib's Turtle parser binds the file's prefixes after parsing.
            for prefix, namespace in self._prefixes.items():
                graph.bind(prefix, namespace)
            self._graph, self._triples = graph, None
        return self._graph

    @graph.setter
    def graph(self, graph: Graph) -> None:
        self._graph, self._triples, self._types = graph, None, None

    @property
    def materialised(self) -> bool:
        """True once ``graph`` has been built (or was given)."""
        return self._graph is not None

    def triples(self) -> list[Triple] | Graph:
        """The triples: the plain list, or the graph once it exists."""
        return self._graph if self._graph is not None else self._triples or []

    def lookup(self) -> Graph | _TripleIndex:
        """The triples indexed for ``objects``/``value``/``subject_objects``
        lookups: the rdflib graph once it exists, else a light index (a national
        build's coverage summary reads every document this way)."""
        if self._graph is not None:
            return self._graph
        return _TripleIndex(self._triples or [])

    def triple_count(self) -> int:
        """Number of triples, without building the graph."""
        if self._graph is not None:
            return len(self._graph)
        return len(self._triples or [])

    def types(self) -> dict[Node, list[Node]]:
        """Class → its instances in this graph (``rdf:type``), without building
        the graph."""
        if self._types is None or self._graph is not None:
            types: dict[Node, list[Node]] = defaultdict(list)
            for s, o in self.graph.subject_objects(RDF.type):
                types[o].append(s)
            return types
        return self._types

    def namespaces_graph(self) -> Graph:
        """An empty graph with the namespace bindings ``graph`` has."""
        if self._graph is not None:
            return self._graph
        key = frozenset(self._prefixes.items())
        found = _NAMESPACE_GRAPHS.get(key)
        if found is None:
            found = bind_prefixes(Graph())
            for prefix, namespace in self._prefixes.items():
                found.bind(prefix, namespace)
            _NAMESPACE_GRAPHS[key] = found
        return found

    def __repr__(self) -> str:
        return f"CuratedDocument({self.path.name!r}, <{self.document}>)"


_NAMESPACE_GRAPHS: dict[frozenset[tuple[str, str]], Graph] = {}


class GraphMap(MutableMapping[URIRef, Graph]):
    """Graph IRI → rdflib graph, where a curated document's graph is built only
    when it is looked up (``assembled.graphs[iri]``, ``.values()``, ``.items()``).

    The build reads ``triples_of`` and ``triple_count`` instead, so a national
    build never holds a million triples in rdflib's store.
    """

    def __init__(self, entries: dict[URIRef, Graph | CuratedDocument] | None = None):
        self._entries: dict[URIRef, Graph | CuratedDocument] = dict(entries or {})

    def __getitem__(self, iri: URIRef) -> Graph:
        entry = self._entries[iri]
        return entry.graph if isinstance(entry, CuratedDocument) else entry

    def __setitem__(self, iri: URIRef, value: Graph | CuratedDocument) -> None:
        self._entries[iri] = value

    def __delitem__(self, iri: URIRef) -> None:
        del self._entries[iri]

    def __iter__(self) -> Iterator[URIRef]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def triples_of(self, iri: URIRef) -> Iterable[Triple]:
        """The graph's triples without building a document's rdflib graph."""
        entry = self._entries[iri]
        return entry.triples() if isinstance(entry, CuratedDocument) else entry

    def triple_count(self, iri: URIRef) -> int:
        """The graph's size without building a document's rdflib graph."""
        entry = self._entries[iri]
        if isinstance(entry, CuratedDocument):
            return entry.triple_count()
        return len(entry)

    def types(self, iri: URIRef) -> dict[Node, list[Node]]:
        """Class → instances in the graph (no document graph built)."""
        entry = self._entries[iri]
        if isinstance(entry, CuratedDocument):
            return entry.types()
        types: dict[Node, list[Node]] = defaultdict(list)
        for s, o in entry.subject_objects(RDF.type):
            types[o].append(s)
        return types

    def namespaces_of(self, iri: URIRef) -> Graph:
        """A graph with the namespace bindings of the graph (no graph built)."""
        entry = self._entries[iri]
        if isinstance(entry, CuratedDocument):
            return entry.namespaces_graph()
        return entry


@dataclass
class AssembledDataset:
    """Every named graph of the build, checked but not yet validated."""

    graphs: GraphMap
    """Graph IRI → graph: ontology, schemes, reference, then one per document
    (a mapping whose document graphs are built in rdflib on first access)."""
    documents: list[CuratedDocument]
    """The curated documents, in source-file order (000, 001, …)."""

    def __post_init__(self) -> None:
        if not isinstance(self.graphs, GraphMap):
            self.graphs = GraphMap(dict(self.graphs))

    def union(self) -> Graph:
        """All triples of all graphs in one graph (for SHACL and summaries)."""
        union = bind_prefixes(Graph())
        for iri in self.graphs:
            union.addN((s, p, o, union) for s, p, o in self.graphs.triples_of(iri))
        return union

    def dataset(self) -> Dataset:
        """An rdflib ``Dataset`` with one named graph per entry of ``graphs``."""
        dataset = bind_prefixes(Dataset())
        for iri in self.graphs:
            named = dataset.graph(iri)
            named.addN((s, p, o, named) for s, p, o in self.graphs.triples_of(iri))
        return dataset

    @property
    def texts(self) -> dict[URIRef, str]:
        """Source-document IRI → text."""
        return {doc.document: doc.source.text for doc in self.documents}


@dataclass
class BuildResult:
    """What ``build()`` produced."""

    assembled: AssembledDataset
    """The dataset."""
    validation: ValidationReport | None
    """The SHACL report (``None`` when validation was skipped)."""
    outputs: list[Path]
    """Files written (empty when the graph did not conform)."""
    counts: dict[str, int]
    """Resources per summary class."""


def _document_of(graph: Graph, path: Path) -> URIRef:
    documents = sorted(graph.subjects(RDF.type, SKG.SourceDocument))
    if len(documents) != 1:
        raise SourceError(
            f"declares {len(documents)} skg:SourceDocument resources, expected 1",
            path=path,
            hint="each curated file describes exactly one source document; shared "
            "actors and programmes belong in data/reference/",
        )
    document = documents[0]
    if not isinstance(document, URIRef):
        raise SourceError(
            "the skg:SourceDocument must have an IRI", path=path, hint="name it"
        )
    return document


def load_curated_document(
    path: Path, paths: ProjectPaths, checksums: dict[str, str]
) -> CuratedDocument:
    """Parse a curated file, check its source and resolve its evidence.

    The file is parsed by Oxigraph and its evidence resolved on a light triple
    index; only the finished graph is built in rdflib (once, without the removals
    and additions that make rdflib's store slow). Files Oxigraph cannot read are
    parsed by rdflib, for its located error messages. Both ways give the same
    graph.

    Args:
        path: ``data/curated/<slug>.ttl``.
        paths: the project.
        checksums: ``SHA256SUMS`` of ``data/sources``.

    Returns:
        The document with evidence resolved and ``skg:sha256`` and
        ``skg:characterCount`` added to its ``skg:SourceDocument``.

    Raises:
        SourceError: malformed Turtle or a missing ``skg:fileName``.
        EvidenceError: changed or missing source, or a quote not in it.
    """
    parsed = parse_turtle_triples(path)
    graph: Graph | _TripleIndex
    if parsed is None:
        graph = parse_turtle(path)
        prefixes: dict[str, str] = {}
    else:
        triples, prefixes = parsed
        graph = _TripleIndex(triples)
    document = _document_of(graph, path)  # type: ignore[arg-type]
    file_name = graph.value(document, SKG.fileName)
    if file_name is None:
        raise SourceError(
            f"<{document}> has no skg:fileName",
            path=path,
            line=find_line(path, document),
            hint="name its file in data/sources/",
        )
    if str(file_name) not in checksums:
        raise SourceError(
            f"skg:fileName {str(file_name)!r} is not listed in data/sources/SHA256SUMS",
            path=path,
            line=find_line(path, document),
            hint="copy the source into data/sources/ and add its checksum "
            "(sha256sum FILE >> SHA256SUMS)",
        )
    source = read_source_text(
        paths.sources_dir / str(file_name), checksums[str(file_name)]
    )
    records = resolve_evidence(graph, document, source.text, curated_path=path)  # type: ignore[arg-type]
    check_evidence(graph, {document: source.text}, path=path)  # type: ignore[arg-type]
    graph.set((document, SKG.sha256, Literal(source.sha256)))
    graph.set(
        (document, SKG.characterCount, Literal(len(source.text), datatype=XSD.integer))
    )
    log.info("%s: %d evidence span(s)", path.name, len(records))
    if isinstance(graph, _TripleIndex):
        return CuratedDocument(
            path,
            document,
            source,
            evidence=records,
            triples=list(graph),
            prefixes=prefixes,
            types=graph.types(),
        )
    return CuratedDocument(path, document, source, graph, records)


class _TripleIndex:
    """A small in-memory triple index with the rdflib ``Graph`` methods that
    evidence resolution and checking use (``objects``, ``subjects``, ``value``,
    ``add``, ``remove``, ``set``, ``in``); insertion-ordered, so the graph built
    from it adds triples in the order rdflib's parser and resolver would."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._order: dict[tuple[Node, Node, Node], None] = {}
        self._spo: dict[Node, dict[Node, list[Node]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._pos: dict[Node, dict[Node, list[Node]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.namespace_manager = _NAMES.namespace_manager
        for triple in triples:
            self.add(triple)

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        if triple in self._order:
            return
        s, p, o = triple
        self._order[triple] = None
        self._spo[s][p].append(o)
        self._pos[p][o].append(s)

    def remove(self, pattern: tuple[Node | None, Node | None, Node | None]) -> None:
        s, p, o = pattern
        if s is None or p is None:
            raise NotImplementedError("remove needs a subject and a predicate")
        for obj in list(self._spo.get(s, {}).get(p, [])):
            if o is None or obj == o:
                del self._order[(s, p, obj)]
                self._spo[s][p].remove(obj)
                self._pos[p][obj].remove(s)

    def set(self, triple: tuple[Node, Node, Node]) -> None:
        self.remove((triple[0], triple[1], None))
        self.add(triple)

    def __contains__(self, triple: object) -> bool:
        return triple in self._order

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        return iter(list(self._spo.get(subject, {}).get(predicate, ())))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        values = self._spo.get(subject, {}).get(predicate)
        return values[0] if values else None

    def subjects(self, predicate: Node, obj: Node | None = None) -> Iterator[Node]:
        by_object = self._pos.get(predicate, {})
        if obj is not None:
            return iter(list(by_object.get(obj, ())))
        return iter([s for subjects in list(by_object.values()) for s in subjects])

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        by_object = self._pos.get(predicate, {})
        return iter([(s, o) for o, subjects in by_object.items() for s in subjects])

    def qname(self, uri: URIRef) -> str:
        return self.namespace_manager.qname(uri)

    def types(self) -> dict[Node, list[Node]]:
        return {cls: list(subjects) for cls, subjects in self._pos[RDF.type].items()}


_NAMES = bind_prefixes(Graph())


def load_vocabulary_and_reference(paths: ProjectPaths) -> dict[URIRef, Graph]:
    """The ontology, schemes and reference graphs, keyed by graph IRI.

    These are what any data file is checked against: ``validate FILE`` merges them
    with the file so that ``sh:class`` sees the class hierarchy and the gazetteer.
    """
    return {
        GRAPH_ONTOLOGY: parse_turtle(paths.ontology_dir / ONTOLOGY_FILE),
        GRAPH_SCHEMES: parse_turtle(paths.ontology_dir / SCHEMES_FILE),
        GRAPH_REFERENCE: load_reference(paths),
    }


def assemble_dataset(paths: ProjectPaths) -> AssembledDataset:
    """Load and check every input of the project (no SHACL yet).

    Args:
        paths: the project.

    Returns:
        The named graphs and curated documents.

    Raises:
        SourceError, EvidenceError: for the first input that fails, with its file,
            line and what to do.
    """
    with paused_gc():
        return _assemble(paths)


def _assemble(paths: ProjectPaths) -> AssembledDataset:
    graphs = load_vocabulary_and_reference(paths)
    checksums = read_checksums(paths.sources_dir)
    documents: list[CuratedDocument] = []
    seen: dict[URIRef, Path] = {}
    for path in sorted(paths.curated_dir.glob("*.ttl")):
        curated = load_curated_document(path, paths, checksums)
        if curated.document in seen or curated.document in graphs:
            other = seen[curated.document].name if curated.document in seen else None
            raise SourceError(
                f"<{curated.document}> is also described by {other or 'the build'}",
                path=path,
                hint="give each source document one curated file and its own IRI",
            )
        seen[curated.document] = path
        documents.append(curated)
    # Documents (and their graphs) in source-file order: 000, 001, …
    documents.sort(key=lambda doc: doc.source.path.name)
    entries: dict[URIRef, Graph | CuratedDocument] = dict(graphs)
    for doc in documents:
        entries[doc.document] = doc
    assembled = AssembledDataset(graphs=GraphMap(entries), documents=documents)
    check_references(assembled, paths)
    return assembled


def check_references(assembled: AssembledDataset, paths: ProjectPaths) -> None:
    """Fail on IRIs that are used but never declared.

    Every ``skgid:`` IRI used as an object must have an ``rdf:type`` somewhere in
    the dataset (so a mistyped ``<kommun/2038>`` or a forgotten actor is caught),
    and every ``skg:`` term used as a predicate, class or object must be declared
    in the ontology or the schemes (so ``skg:Shal`` is caught).

    Raises:
        SourceError: naming the file, line and the unknown IRI, with the closest
            known IRIs as suggestions.
    """
    # Per graph, not on a union copy, and unsorted: only the failures are sorted,
    # so the first one reported is the one a sorted scan would meet first.
    typed = {
        s
        for iri in assembled.graphs
        for subjects in assembled.graphs.types(iri).values()
        for s in subjects
        if isinstance(s, URIRef)
    }
    vocabulary = {
        s
        for graph in (assembled.graphs[GRAPH_ONTOLOGY], assembled.graphs[GRAPH_SCHEMES])
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef)
    }
    files: list[tuple[Path, Iterable[Triple]]] = [
        (doc.path, doc.triples()) for doc in assembled.documents
    ]
    files += [
        (path, parse_turtle(path)) for path in sorted(paths.reference_dir.glob("*.ttl"))
    ]
    skg, skgid = str(SKG), str(SKGID)
    for path, graph in files:
        failures: list[tuple[Triple, int, URIRef, bool]] = []
        for triple in graph:
            s, p, o = triple
            if isinstance(p, URIRef) and p.startswith(skg) and p not in vocabulary:
                failures.append((triple, 0, p, True))
            if isinstance(o, URIRef):
                if o.startswith(skg):
                    if o not in vocabulary:
                        failures.append((triple, 1, o, True))
                elif o.startswith(skgid) and "#" not in o and o not in typed:
                    failures.append((triple, 1, o, False))
        if failures:
            (s, _, _), _, node, term = min(failures, key=lambda f: (f[0], f[1]))
            if term:
                _unknown(path, node, vocabulary, "term of the ontology", s)
            _unknown(path, node, typed, "resource (it has no rdf:type)", s)


def _unknown(
    path: Path, node: URIRef, known: set[URIRef], what: str, subject: object
) -> None:
    close = difflib.get_close_matches(str(node), [str(k) for k in known], n=3)
    hint = (
        "did you mean " + " or ".join(f"<{c}>" for c in close) + "?"
        if close
        else "declare it (actors and programmes go in data/reference/)"
    )
    raise SourceError(
        f"unknown {what} <{node}> used by <{subject}>",
        path=path,
        line=find_line(path, node),
        hint=hint,
    )


def count_facts(graph: Graph) -> dict[str, int]:
    """Number of resources of each summary class in ``graph``."""
    return count_facts_in([graph])


def count_assembled(assembled: AssembledDataset) -> dict[str, int]:
    """``count_facts`` of the whole dataset, without building any graph."""
    by_class: dict[str, set[Node]] = {name: set() for name in SUMMARY_CLASSES}
    for iri in assembled.graphs:
        types = assembled.graphs.types(iri)
        for name, cls in SUMMARY_CLASSES.items():
            by_class[name].update(types.get(cls, ()))
    return {name: len(subjects) for name, subjects in by_class.items()}


def count_facts_in(graphs: Iterable[Graph]) -> dict[str, int]:
    """``count_facts`` of the union of ``graphs``, without building the union."""
    graphs = list(graphs)
    return {
        name: len({s for graph in graphs for s in graph.subjects(RDF.type, cls)})
        for name, cls in SUMMARY_CLASSES.items()
    }


def serialise_dataset(
    assembled: AssembledDataset, *, fast: bool = True
) -> dict[str, bytes]:
    """Serialise the dataset deterministically in every dump format.

    There are no blank nodes (evidence IRIs are derived from the fact's IRI).
    rdflib orders named graphs, and JSON-LD values, by Python's per-process
    string hashing, so this function fixes the order itself: graphs in
    ``assembled.graphs`` order (ontology, schemes, reference, documents), N-Quads
    lines sorted, JSON-LD nodes and values sorted. The same input therefore gives
    byte-identical dumps in any process, so releases have stable checksums.

    Args:
        assembled: the dataset.
        fast: write with ``fastdump`` (the same bytes as rdflib's serialisers,
            several times faster); graphs it cannot mirror (blank nodes) are
            written by rdflib. ``False`` uses rdflib throughout (the reference).

    Returns:
        File suffix → bytes: ``.trig``, ``.nq``, ``.ttl`` (union of all graphs,
        without graph names) and ``.jsonld``.
    """
    if fast:
        with paused_gc():
            return _serialise_fast(assembled)
    text = (
        assembled.dataset().serialize(format="nquads", encoding="utf-8").decode("utf-8")
    )
    lines = sorted(set(text.splitlines()))
    return {
        ".trig": _trig(assembled, fast=False),
        ".nq": ("\n".join(line for line in lines if line) + "\n").encode("utf-8"),
        ".ttl": assembled.union().serialize(format="turtle", encoding="utf-8"),
        ".jsonld": _jsonld(assembled, fast=False),
    }


def _serialise_fast(assembled: AssembledDataset) -> dict[str, bytes]:
    """``serialise_dataset`` with the ``fastdump`` writers."""
    nquads = _nquads_fast(assembled)
    dumps = {
        suffix: data if isinstance(data, bytes) else b"".join(data)
        for suffix, data in _dumps_fast(assembled)
    }
    return {
        ".trig": dumps[".trig"],
        ".nq": nquads,
        ".ttl": dumps[".ttl"],
        ".jsonld": dumps[".jsonld"],
    }


# Characters str.splitlines() breaks at besides "\n", which rdflib's N-Quads rows
# may contain inside literals (the reference path splits the whole dump).
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _nquads_fast(assembled: AssembledDataset) -> bytes:
    """The N-Quads dump (sorted, unique lines) from the plain triples.

    Lines are kept as UTF-8 bytes: bytes sort in the same order as their strings
    (UTF-8 preserves code-point order), and the dump is joined once, without a
    second full-size copy for the encoding.
    """
    from rdflib.plugins.serializers.nquads import _nq_row

    lines: set[bytes] = set()
    add = lines.add
    graphs = assembled.graphs
    for iri in graphs:
        for triple in graphs.triples_of(iri):
            row = _nq_row(triple, iri)
            if _LINE_BREAKS.search(row):
                lines.update(line.encode("utf-8") for line in row.splitlines())
            else:
                add(row[:-1].encode("utf-8"))
    lines.discard(b"")
    ordered = sorted(lines)
    del lines
    return b"\n".join(ordered) + b"\n"


def _dumps_fast(
    assembled: AssembledDataset,
) -> Iterator[tuple[str, bytes | Iterator[bytes]]]:
    """TriG, Turtle and JSON-LD, one at a time (so a writer can store and drop
    each before the next is made; JSON-LD comes as chunks, graph by graph), in
    one pass over each graph's triples."""
    from .fastdump import (
        UnsupportedGraphError,
        clear_caches,
        index_triples,
        merge_indexes,
        turtle_pieces,
    )

    graphs = assembled.graphs
    indexes = {iri: index_triples(graphs.triples_of(iri)) for iri in graphs}
    yield ".trig", _trig_chunks(assembled, fast=True, indexes=indexes)
    try:
        union = merge_indexes(indexes.values())
        # Made (and checked for unsupported terms) before the first piece goes out.
        pieces = turtle_pieces(union, None)
        first = next(pieces)
        union_ttl: bytes | Iterator[bytes] = itertools.chain(
            [first.encode("utf-8")], (piece.encode("utf-8") for piece in pieces)
        )
    except UnsupportedGraphError as reason:
        log.info("union Turtle written by rdflib: %s", reason)
        union_ttl = assembled.union().serialize(format="turtle", encoding="utf-8")
    yield ".ttl", union_ttl
    del union_ttl, union, pieces
    clear_caches()
    context = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    yield ".jsonld", _jsonld_chunks(assembled, context, indexes)


def _graph_turtle(
    graphs: GraphMap,
    iri: URIRef,
    fast: bool,
    index: dict[Node, dict[Node, list[Node]]] | None = None,
) -> str:
    """rdflib's Turtle of ``bind_prefixes(Graph() + graph)`` (fast when possible)."""
    if fast:
        from .fastdump import UnsupportedGraphError, index_triples, turtle_text

        try:
            return turtle_text(
                index or index_triples(graphs.triples_of(iri)),
                graphs.namespaces_of(iri),
            )
        except UnsupportedGraphError as reason:
            log.info("graph written by rdflib: %s", reason)
    return bind_prefixes(Graph() + graphs[iri]).serialize(format="turtle")


def _graph_jsonld(
    graphs: GraphMap,
    iri: URIRef,
    fast: bool,
    triples: Iterable[Triple] | None = None,
) -> object:
    """rdflib's JSON-LD node objects of a graph (fast when possible)."""
    if fast:
        from .fastdump import UnsupportedGraphError, jsonld_nodes

        try:
            return jsonld_nodes(graphs.triples_of(iri) if triples is None else triples)
        except UnsupportedGraphError as reason:
            log.info("graph written by rdflib: %s", reason)
    return json.loads(graphs[iri].serialize(format="json-ld"))


def _trig(
    assembled: AssembledDataset,
    *,
    fast: bool = True,
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]] | None = None,
) -> bytes:
    """TriG with one ``<graph> { … }`` block per named graph, in a fixed order.

    Each block is rdflib's (deterministic) Turtle of that graph without its prefix
    lines; the prefixes are declared once at the top.
    """
    return b"".join(_trig_chunks(assembled, fast=fast, indexes=indexes))


def _trig_chunks(
    assembled: AssembledDataset,
    *,
    fast: bool = True,
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]] | None = None,
) -> Iterator[bytes]:
    """``_trig``'s bytes in pieces: the prefix lines, then one block per graph
    (each block is encoded as soon as it is made; the prefixes are known only
    when every block is)."""
    prefixes: set[str] = set()
    blocks: list[bytes] = []
    for iri in assembled.graphs:
        turtle = _graph_turtle(assembled.graphs, iri, fast, (indexes or {}).get(iri))
        body = []
        for line in turtle.splitlines():
            if line.startswith("@prefix "):
                prefixes.add(line)
            else:
                body.append(line)
        del turtle
        block = f"<{iri}> {{\n" + "\n".join(body).strip("\n") + "\n}\n"
        blocks.append(block.encode("utf-8"))
    yield ("\n".join(sorted(prefixes)) + "\n\n").encode("utf-8")
    for number, block in enumerate(blocks):
        yield b"\n" + block if number else block


def _jsonld(
    assembled: AssembledDataset,
    *,
    fast: bool = True,
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]] | None = None,
) -> bytes:
    """JSON-LD with one named-graph object per graph; nodes and values sorted."""

    def canonical(value: object) -> object:
        if isinstance(value, dict):
            return {key: canonical(value[key]) for key in sorted(value)}
        if isinstance(value, list):
            items = [canonical(item) for item in value]
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return value

    context = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    if fast:
        return _jsonld_fast(assembled, context, indexes or {})
    graphs = []
    for iri in assembled.graphs:
        nodes = _graph_jsonld(assembled.graphs, iri, fast)
        graphs.append({"@id": str(iri), "@graph": canonical(nodes)})
    document = {"@context": context, "@graph": graphs}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _jsonld_fast(
    assembled: AssembledDataset,
    context: dict[str, str],
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]],
) -> bytes:
    """``_jsonld``'s bytes, written graph by graph (one graph's nodes in memory)."""
    return b"".join(_jsonld_chunks(assembled, context, indexes))


def _jsonld_chunks(
    assembled: AssembledDataset,
    context: dict[str, str],
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]],
) -> Iterator[bytes]:
    """``_jsonld``'s bytes in pieces, one named graph at a time."""
    from .fastdump import canonical_json, dumps_indented, index_items

    yield b'{\n "@context": ' + dumps_indented(context, 1).encode("utf-8")
    yield b',\n "@graph": '
    if not assembled.graphs:
        yield b"[]"
    for number, iri in enumerate(assembled.graphs):
        index = indexes.pop(iri, None)  # the last use: let it go
        triples = (
            index_items(index)
            if index is not None
            else assembled.graphs.triples_of(iri)
        )
        nodes = canonical_json(_graph_jsonld(assembled.graphs, iri, True, triples))
        entry = {"@id": str(iri), "@graph": nodes}
        yield (b"[\n  " if number == 0 else b",\n  ") + dumps_indented(entry, 2).encode(
            "utf-8"
        )
    if assembled.graphs:
        yield b"\n ]"
    yield b"\n}\n"


def build(
    paths: ProjectPaths,
    out_dir: str | Path | None = None,
    *,
    validate: bool = True,
    engine: str = "auto",
) -> BuildResult:
    """Assemble, validate and write the dataset.

    Nothing is written when the graph does not conform: ``outputs`` is then empty
    and the previous ``dist/`` stays as it was.

    Args:
        paths: the project.
        out_dir: where to write (default ``dist/``).
        validate: run SHACL validation (skip only for drafts).
        engine: the SHACL engine (``auto``, ``fast`` or ``pyshacl``; see
            ``validate.validate_graph``). With ``pyshacl`` the dumps are also
            written by rdflib's serialisers (the reference path, for benchmarks).

    Returns:
        The dataset, the validation report, the files written and the counts.

    Raises:
        SourceError, EvidenceError: bad input.
        OutputError: the output directory cannot be written.
    """
    return run_build(paths, out_dir, validate=validate, engine=engine)


def _untimed(_name: str, action: Callable[[], Any]) -> Any:
    return action()


def run_build(
    paths: ProjectPaths,
    out_dir: str | Path | None = None,
    *,
    validate: bool = True,
    engine: str = "auto",
    clock: Callable[[str, Callable[[], Any]], Any] = _untimed,
) -> BuildResult:
    """``build`` with each step run through ``clock(name, action)`` (the benchmarks
    time ``assemble``, ``serialise``, ``validate`` and ``write`` with it).

    The fast path makes and stages the N-Quads dump first, validates it on
    Oxigraph in a second thread while it makes, stages and drops the other dumps
    one at a time, and renames all of them into place at the end (or removes
    them when the graph does not conform).
    """
    assembled = clock("assemble", lambda: assemble_dataset(paths))
    out = Path(out_dir) if out_dir is not None else paths.dist_dir
    shapes = load_shapes(paths.shapes_dir) if validate else None
    counts = count_assembled(assembled)
    if engine == "pyshacl":
        dumps = clock("serialise", lambda: serialise_dataset(assembled, fast=False))
        report = None
        if shapes is not None:
            report = clock(
                "validate",
                lambda: validate_graph(assembled.union(), shapes, engine="pyshacl"),
            )
        if report is not None and not report.conforms:
            return BuildResult(assembled, report, [], counts)
        files = {out / f"{DUMP_STEM}{suffix}": data for suffix, data in dumps.items()}
        files[out / "build-report.json"] = _build_report(assembled, report, counts)
        outputs = clock("write", lambda: write_files_atomically(files))
        return BuildResult(assembled, report, outputs, counts)
    with paused_gc():
        return _run_fast_build(assembled, out, shapes, engine, counts, clock)


def _run_fast_build(
    assembled: AssembledDataset,
    out: Path,
    shapes: Graph | None,
    engine: str,
    counts: dict[str, int],
    clock: Callable[[str, Callable[[], Any]], Any],
) -> BuildResult:
    """The fast build after assembly: the N-Quads dump first; then SHACL
    validation of it on Oxigraph in a background thread (pyoxigraph releases the
    GIL while it evaluates queries, so this uses the second core) while the
    other dumps are made and staged one at a time; all renamed into place at the
    end, or all removed when the graph does not conform."""
    # The validator takes the only reference to the N-Quads dump (holder.pop)
    # and drops it once Oxigraph has loaded it.
    holder = [clock("serialise", lambda: _nquads_fast(assembled))]
    writer = AtomicFiles()
    nq_target = out / f"{DUMP_STEM}.nq"
    try:
        clock("write", lambda: writer.stage(nq_target, holder[0]))
    except BaseException:
        writer.abort()
        raise
    outcome: dict[str, Any] = {}

    def check() -> None:
        try:
            outcome["report"] = clock(
                "validate",
                lambda: validate_nquads_taken(holder.pop, shapes, engine=engine),
            )
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    checker = threading.Thread(target=check, name="shacl") if shapes else None
    if checker is not None:
        checker.start()
    else:
        holder.clear()
    later = _dumps_fast(assembled)
    try:
        for suffix in (".trig", ".ttl", ".jsonld"):
            _stage_dump(
                writer, out / f"{DUMP_STEM}{suffix}", lambda: next(later)[1], clock
            )
        report = None
        if checker is not None:
            checker.join()
            if "error" in outcome:
                raise outcome["error"]
            report = outcome["report"]
        if report is not None and not report.conforms:
            writer.abort()
            return BuildResult(assembled, report, [], counts)
        report_bytes = _build_report(assembled, report, counts)
        clock("write", lambda: writer.stage(out / "build-report.json", report_bytes))
        order = [out / f"{DUMP_STEM}{s}" for s in (".trig", ".nq", ".ttl", ".jsonld")]
        outputs = clock(
            "write", lambda: writer.commit(order + [out / "build-report.json"])
        )
    except BaseException:
        if checker is not None and checker.is_alive():
            checker.join()
        writer.abort()
        raise
    return BuildResult(assembled, report, outputs, counts)


def _stage_dump(
    writer: AtomicFiles,
    target: Path,
    produce: Callable[[], bytes | Iterator[bytes]],
    clock: Callable[[str, Callable[[], Any]], Any],
) -> None:
    """Make one dump, stage it, and let it go (a dump made in chunks is written
    as it is made, and timed as serialisation)."""
    data = clock("serialise", produce)
    if isinstance(data, bytes):
        clock("write", lambda: writer.stage(target, data))
    else:
        clock("serialise", lambda: writer.stage(target, data))


def _build_report(
    assembled: AssembledDataset, report: ValidationReport | None, counts: dict[str, int]
) -> bytes:
    """A small JSON manifest of the build, for tools and the summary."""
    triples = Counter(
        {str(iri): assembled.graphs.triple_count(iri) for iri in assembled.graphs}
    )
    payload = {
        "graphs": dict(triples),
        "triples": sum(triples.values()),
        "counts": counts,
        "evidence": sum(len(doc.evidence) for doc in assembled.documents),
        "sources": {
            doc.source.path.name: {
                "document": str(doc.document),
                "sha256": doc.source.sha256,
            }
            for doc in assembled.documents
        },
        "conforms": None if report is None else report.conforms,
    }
    return (
        json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    ).encode()
