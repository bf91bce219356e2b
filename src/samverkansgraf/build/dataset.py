"""Stage 3a — the assembled dataset: every named graph of the project, checked.

Input: the project (``ontology/``, ``data/``). Parses the ontology, the SKOS
schemes and the reference gazetteer; parses each curated file (one per source
document), checks its source's bytes against ``SHA256SUMS``, resolves its quotes
into evidence and verifies every evidence offset; checks that every
``skgid:``/``skg:`` IRI used is declared. Output: an ``AssembledDataset`` (one
named graph per source document plus ontology, schemes and reference), the data
model every later stage reads.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from .._gc import paused_gc
from ..errors import SourceError
from ..evidence import EvidenceRecord, check_evidence, resolve_evidence
from ..labels import generated_labels
from ..namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SCHEMES,
    SKG,
    SKGID,
    bind_prefixes,
)
from ..privacy import mask_contact_data
from ..rdfio import TURTLE, format_for_path, load_union
from ..reference import load_reference
from ..sources import (
    ProjectPaths,
    SourceText,
    find_line,
    parse_turtle,
    parse_turtle_triples,
    read_checksums,
    read_source_text,
)

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
        dataset = Dataset()
        bind_prefixes(dataset)
        for iri in self.graphs:
            named = dataset.graph(iri)
            named.addN((s, p, o, named) for s, p, o in self.graphs.triples_of(iri))
        return dataset

    @property
    def texts(self) -> dict[URIRef, str]:
        """Source-document IRI → text."""
        return {doc.document: doc.source.text for doc in self.documents}


def _document_of(graph: Graph, path: Path) -> URIRef:
    documents = sorted(graph.subjects(RDF.type, SKG.SourceDocument), key=str)
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
    path: Path,
    paths: ProjectPaths,
    checksums: dict[str, str],
    names: dict[Node, str] | None = None,
) -> CuratedDocument:
    """Parse a curated file, check its source and resolve its evidence.

    Clauses and commitments the curator gave no label get a generated one
    (``labels.generated_labels``), from ``names`` (``reference_names``).

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
    # The published copies are masked (privacy.py): give their checksum too.
    masked = mask_contact_data(source.text).encode("utf-8")
    graph.set((document, SKG.maskedSha256, Literal(hashlib.sha256(masked).hexdigest())))
    graph.set(
        (document, SKG.characterCount, Literal(len(source.text), datatype=XSD.integer))
    )
    first_quotes: dict[Node, tuple[int, str]] = {}
    for record in records:
        if not record.skipped and record.fact not in first_quotes:
            first_quotes[record.fact] = (record.span.start, record.span.exact)
    for triple in generated_labels(graph, first_quotes, names or {}):
        graph.add(triple)
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


def reference_names(reference: Graph) -> dict[Node, str]:
    """What generated labels call reference resources: a municipality's short
    name (``skg:shortName``), anything else its Swedish ``rdfs:label``."""
    names: dict[Node, str] = {}
    for node, value in reference.subject_objects(SKG.shortName):
        if isinstance(value, Literal) and value.language in ("sv", None):
            names[node] = str(value)
    for node, value in sorted(reference.subject_objects(RDFS.label)):
        if isinstance(value, Literal) and value.language == "sv":
            names.setdefault(node, str(value))
    return names


def _assemble(paths: ProjectPaths) -> AssembledDataset:
    graphs = load_vocabulary_and_reference(paths)
    names = reference_names(graphs[GRAPH_REFERENCE])
    checksums = read_checksums(paths.sources_dir)
    documents: list[CuratedDocument] = []
    seen: dict[URIRef, Path] = {}
    for path in sorted(paths.curated_dir.glob("*.ttl")):
        curated = load_curated_document(path, paths, checksums, names)
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


def load_files_with_vocabulary(paths: ProjectPaths, files: Iterable[Path]) -> Graph:
    """RDF files merged with the ontology, schemes and gazetteer, as ``validate``
    checks them (``sh:class`` needs the class hierarchy and the reference actors).

    Turtle is read by rdflib's parser, for the curator's located error messages (a
    draft or a hand-edited file is Turtle); every other format by its suffix.

    Raises:
        SourceError: a file that cannot be parsed, or of an unknown suffix.
    """
    data = bind_prefixes(Graph())
    for graph in load_vocabulary_and_reference(paths).values():
        data += graph
    for path in files:
        if format_for_path(path) is TURTLE:
            parse_turtle(path, data)
        else:
            data += load_union(path)
    return data
