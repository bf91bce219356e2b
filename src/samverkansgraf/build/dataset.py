"""Stage 3a — the assembled dataset: every named graph of the project, checked.

Input: the project (``ontology/``, ``data/``). Parses the ontology, the SKOS
schemes and the reference gazetteer; builds each curated file (one per source
document: its source checked against ``SHA256SUMS``, its quotes resolved into
evidence and every offset verified — ``document``); checks that every
``skgid:``/``skg:`` IRI used is declared. Output: an ``AssembledDataset`` (one
named graph per source document plus ontology, schemes and reference), the data
model every later stage reads.
"""

from __future__ import annotations

import difflib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .._gc import paused_gc
from ..errors import SourceError
from ..evidence import EvidenceRecord
from ..namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SCHEMES,
    SKG,
    SKGID,
    bind_prefixes,
)
from ..rdfio import (
    N_QUADS,
    TURTLE,
    BlankNodeScope,
    format_for_path,
    load_union,
    to_rdflib,
)
from ..reference import load_reference
from ..sources import (
    ProjectPaths,
    SourceText,
    find_line,
    parse_turtle,
    read_checksums,
)
from .document import (
    DocumentBuild,
    DocumentGraph,
    Footprint,
    build_document,
    footprint_of,
    parse_document,
)
from .dumps import GraphPieces, graph_pieces, pieces_of_rdflib

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

    A document built by this version (``from_build``) keeps its graph as dump
    pieces (in memory, or in the build cache on disk) and its footprint; its
    rdflib ``graph`` and ``triples()`` are made from the pieces the first time
    code asks for them, so a national build never holds a million triples as
    rdflib terms (issues #9, #19). A document made from an rdflib graph (tests,
    the benchmarks' baseline) works the other way round.
    """

    def __init__(
        self,
        path: Path,
        document: URIRef,
        source: SourceText,
        graph: Graph | None = None,
        evidence: list[EvidenceRecord]
        | Callable[[], list[EvidenceRecord]]
        | None = None,
        *,
        pieces: GraphPieces | Callable[[], GraphPieces] | None = None,
        footprint: Footprint | None = None,
        prefixes: dict[str, str] | None = None,
        triples: int | None = None,
    ) -> None:
        if graph is None and pieces is None:
            raise ValueError("a curated document needs its graph or its pieces")
        self.path = path
        """The curated Turtle file."""
        self.document = document
        """The ``skg:SourceDocument`` it describes; also its named graph's IRI."""
        self.source = source
        """The document's text."""
        self._evidence = evidence if evidence is not None else []
        self._graph = graph
        self._pieces = pieces
        self._footprint = footprint
        self._prefixes = prefixes or {}
        self._count = triples
        self._triples: list[Triple] | None = None
        self.memo: dict[object, object] = {}
        """Reports derived from the document, kept with it (``curate`` keeps its
        coverage here; the build cache fills in the summary's)."""

    @classmethod
    def from_build(
        cls,
        build: DocumentBuild,
        pieces: GraphPieces | Callable[[], GraphPieces] | None = None,
    ) -> CuratedDocument:
        """The document of a ``DocumentBuild``; ``pieces`` replaces the build's own
        (a loader reading them back from the build cache, so they need not stay
        in memory)."""
        return cls(
            build.path,
            build.document,
            build.source,
            evidence=build.evidence,
            pieces=pieces if pieces is not None else build.pieces,
            footprint=build.footprint,
            prefixes=build.prefixes,
            triples=build.pieces.triples,
        )

    @property
    def evidence(self) -> list[EvidenceRecord]:
        """Every resolved quote, in document order (a document read back from the
        build cache decodes them the first time they are asked for)."""
        if callable(self._evidence):
            self._evidence = self._evidence()
        return self._evidence

    @evidence.setter
    def evidence(self, records: list[EvidenceRecord]) -> None:
        self._evidence = records

    def record_count(self) -> int:
        """How many evidence records (skipped passages included), without
        decoding the records of a cached document."""
        if callable(self._evidence) and self._footprint is not None:
            return self._footprint.records
        return len(self.evidence)

    def quote_count(self) -> int:
        """How many quotes were found in the source (skipped passages not
        counted), without decoding the records of a cached document."""
        if callable(self._evidence) and self._footprint is not None:
            return self._footprint.quotes
        return sum(1 for record in self.evidence if not record.skipped)

    def pieces(self) -> GraphPieces:
        """The document's graph in every dump format (``dumps.GraphPieces``)."""
        if self._graph is not None:
            return pieces_of_rdflib(self.document, self._graph)
        if callable(self._pieces):
            return self._pieces()
        assert self._pieces is not None
        return self._pieces

    @property
    def footprint(self) -> Footprint:
        """What the checks across documents read of this graph."""
        if self._footprint is None or self._graph is not None:
            return footprint_of(self.pieces())
        return self._footprint

    @property
    def graph(self) -> Graph:
        """Its triples, with evidence resolved, as an rdflib graph (built once)."""
        if self._graph is None:
            graph = bind_prefixes(Graph())
            graph.addN((s, p, o, graph) for s, p, o in self.triples())
            # rdflib's Turtle parser binds the file's prefixes after parsing.
            for prefix, namespace in self._prefixes.items():
                graph.bind(prefix, namespace)
            self._graph, self._triples = graph, None
        return self._graph

    @graph.setter
    def graph(self, graph: Graph) -> None:
        self._graph, self._triples, self._footprint = graph, None, None

    @property
    def materialised(self) -> bool:
        """True once ``graph`` has been built (or was given)."""
        return self._graph is not None

    def triples(self, shared: SharedTerms | None = None) -> list[Triple] | Graph:
        """The triples: the graph once it exists, else a list of rdflib triples
        made (once) from the document's N-Quads piece, with the IRIs and
        literals of ``shared`` (see ``_rdflib_triples``)."""
        if self._graph is not None:
            return self._graph
        if self._triples is None:
            self._triples = _rdflib_triples(self.pieces().nquads, shared)
        return self._triples

    def lookup(self) -> Graph | DocumentGraph:
        """The triples indexed for ``objects``/``value``/``subject_objects``
        lookups: the rdflib graph once it exists, else a ``DocumentGraph`` over
        the parsed N-Quads piece (only the predicates asked about are converted)."""
        if self._graph is not None:
            return self._graph
        quads = ox.parse(self.pieces().nquads, format=N_QUADS.oxigraph)
        return DocumentGraph(quad.triple for quad in quads)

    def triple_count(self) -> int:
        """Number of triples, without building the graph."""
        if self._graph is not None:
            return len(self._graph)
        if self._count is None:
            self._count = self.pieces().triples
        return self._count

    def types(self) -> dict[Node, list[Node]]:
        """Class → its instances in this graph (``rdf:type``), without building
        the graph."""
        if self._graph is not None:
            types: dict[Node, list[Node]] = defaultdict(list)
            for s, o in self._graph.subject_objects(RDF.type):
                types[o].append(s)
            return types
        return {
            URIRef(cls): [_term(name) for name in members]
            for cls, members in self.type_names().items()
        }

    def type_names(self) -> dict[str, list[str]]:
        """``types`` as names (IRIs; ``_:label`` for blank nodes): cheap to count."""
        return self.footprint.types

    def __repr__(self) -> str:
        return f"CuratedDocument({self.path.name!r}, <{self.document}>)"


def _term(name: str) -> Node:
    """A footprint name as an rdflib term."""
    return BNode(name[2:]) if name.startswith("_:") else URIRef(name)


SharedTerms = dict[object, Node]
"""pyoxigraph IRI or literal → its rdflib term, shared by the documents of one
``AssembledDataset.union_triples``."""


def _rdflib_triples(nquads: bytes, shared: SharedTerms | None = None) -> list[Triple]:
    """The triples of one graph's N-Quads as rdflib terms (each term converted
    once; one graph, one blank-node scope).

    With ``shared``, an IRI or literal met in an earlier document is that
    document's very object: looking terms up in dicts then finds them by
    identity, where equal but distinct ones each call rdflib's ``__eq__``
    (Python code: 10 million calls, 4.6 s, in the rest of a national publish),
    and each is made once. Blank nodes stay the document's own.
    """
    blank: dict[object, Node] = {}
    terms = shared if shared is not None else {}
    blank_nodes: BlankNodeScope = {}

    def convert(term: object) -> Node:
        table = blank if isinstance(term, ox.BlankNode) else terms
        found = table.get(term)
        if found is None:
            found = to_rdflib(term, blank_nodes)
            assert found is not None
            table[term] = found
        return found

    with paused_gc():
        return [
            (convert(q.subject), convert(q.predicate), convert(q.object))
            for q in ox.parse(nquads, format=N_QUADS.oxigraph)
        ]


class GraphMap(MutableMapping[URIRef, Graph]):
    """Graph IRI → rdflib graph, where a curated document's graph is built only
    when it is looked up (``assembled.graphs[iri]``, ``.values()``, ``.items()``).

    The build reads ``pieces_of``, ``triple_count`` and ``type_names`` instead,
    so a national build never holds a million triples in rdflib's store.
    """

    def __init__(self, entries: dict[URIRef, Graph | CuratedDocument] | None = None):
        self._entries: dict[URIRef, Graph | CuratedDocument] = dict(entries or {})
        self._pieces: dict[URIRef, GraphPieces] = {}

    def __getitem__(self, iri: URIRef) -> Graph:
        entry = self._entries[iri]
        return entry.graph if isinstance(entry, CuratedDocument) else entry

    def __setitem__(self, iri: URIRef, value: Graph | CuratedDocument) -> None:
        self._entries[iri] = value
        self._pieces.pop(iri, None)

    def __delitem__(self, iri: URIRef) -> None:
        del self._entries[iri]
        self._pieces.pop(iri, None)

    def __iter__(self) -> Iterator[URIRef]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def document(self, iri: URIRef) -> CuratedDocument | None:
        """The curated document whose graph ``iri`` is (None for the ontology,
        schemes and reference)."""
        entry = self._entries[iri]
        return entry if isinstance(entry, CuratedDocument) else None

    def triples_of(
        self, iri: URIRef, shared: SharedTerms | None = None
    ) -> Iterable[Triple]:
        """The graph's triples without building a document's rdflib graph
        (``shared``: see ``CuratedDocument.triples``)."""
        entry = self._entries[iri]
        return entry.triples(shared) if isinstance(entry, CuratedDocument) else entry

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

    def type_names(self, iri: URIRef) -> dict[str, list[str]]:
        """``types`` as names (no terms built for a document)."""
        entry = self._entries[iri]
        if isinstance(entry, CuratedDocument):
            return entry.type_names()
        return self.footprint_of(iri).types

    def footprint_of(self, iri: URIRef) -> Footprint:
        """The graph's footprint (``document.Footprint``)."""
        entry = self._entries[iri]
        if isinstance(entry, CuratedDocument):
            return entry.footprint
        return footprint_of(self.pieces_of(iri))

    def pieces_of(self, iri: URIRef) -> GraphPieces:
        """The graph in every dump format (``dumps.GraphPieces``); a vocabulary
        graph's pieces are made once."""
        entry = self._entries[iri]
        if isinstance(entry, CuratedDocument):
            return entry.pieces()
        found = self._pieces.get(iri)
        if found is None:
            found = self._pieces[iri] = pieces_of_rdflib(iri, entry)
        return found


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

    def union_triples(self) -> UnionTriples:
        """The distinct triples of all graphs, indexed by subject, read-only: what
        ``union`` gives for reading, without an rdflib graph (at national scale
        39 s and about a gigabyte less)."""
        shared: SharedTerms = {}
        return UnionTriples(self.graphs.triples_of(iri, shared) for iri in self.graphs)

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


class UnionTriples:
    """The union of some graphs' triples, each once, by subject: the read-only
    part of rdflib's ``Graph`` API that publishing asks of the union (iteration,
    ``len``, ``in``, ``subjects``, ``objects``, ``predicates``,
    ``subject_objects``, ``value``, ``namespace_manager``), with the same
    answers (as multisets; the order is first seen, not rdflib's).

    Why not an rdflib graph: its three nested indexes cost ~1 KB a triple and,
    at national scale, 39 s to fill; publishing needs one pass and lookups by
    subject.
    """

    def __init__(self, graphs: Iterable[Iterable[Triple]]) -> None:
        """Collect the triples of ``graphs`` (one in several graphs counts once)."""
        pairs: dict[Node, dict[tuple[Node, Node], None]] = {}
        for triples in graphs:
            for s, p, o in triples:
                found = pairs.get(s)
                if found is None:
                    found = pairs[s] = {}
                found[(p, o)] = None
        self.by_subject: dict[Node, list[tuple[Node, Node]]] = {
            s: list(found) for s, found in pairs.items()
        }
        """Subject → its (predicate, object) pairs."""
        self._length = sum(len(found) for found in self.by_subject.values())
        self.namespace_manager = bind_prefixes(Graph()).namespace_manager
        """The project's prefixes (as ``AssembledDataset.union`` binds them)."""

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Triple]:
        for s, found in self.by_subject.items():
            for p, o in found:
                yield s, p, o

    def __contains__(self, triple: Triple) -> bool:
        s, p, o = triple
        return (p, o) in self.by_subject.get(s, ())

    def objects(
        self, subject: Node | None = None, predicate: Node | None = None
    ) -> Iterator[Node]:
        """Like ``Graph.objects``: one per matching triple."""
        for _, p, o in self._matching(subject, predicate):
            if predicate is None or p == predicate:
                yield o

    def subjects(
        self, predicate: Node | None = None, object: Node | None = None
    ) -> Iterator[Node]:
        """Like ``Graph.subjects``: one per matching triple."""
        for s, p, o in self:
            if (predicate is None or p == predicate) and (
                object is None or o == object
            ):
                yield s

    def predicates(self) -> Iterator[Node]:
        """Like ``Graph.predicates()``: one per triple."""
        for _, p, _ in self:
            yield p

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        """Like ``Graph.subject_objects(predicate)``."""
        for s, p, o in self:
            if p == predicate:
                yield s, o

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """An object of ``subject`` and ``predicate``, or None."""
        return next(self.objects(subject, predicate), None)

    def _matching(
        self, subject: Node | None, predicate: Node | None
    ) -> Iterator[Triple]:
        if subject is None:
            yield from self
            return
        for p, o in self.by_subject.get(subject, ()):
            yield subject, p, o


def load_curated_document(
    path: Path,
    paths: ProjectPaths,
    checksums: dict[str, str],
    names: dict[Node, str] | None = None,
) -> CuratedDocument:
    """Parse a curated file, check its source and resolve its evidence
    (``document.build_document``).

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
    return CuratedDocument.from_build(
        build_document(path, paths.sources_dir, checksums, names)
    )


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


DocumentLoader = Callable[
    [list[Path], ProjectPaths, dict[str, str], Mapping[URIRef, Graph]],
    list[CuratedDocument],
]
"""Builds the curated documents of a project (paths in sorted order, the project,
``SHA256SUMS``, the ontology, schemes and reference graphs): ``build_documents``
one after the other, or the build's cache-aware loader that builds the changed
ones in worker processes."""


def build_documents(
    files: list[Path],
    paths: ProjectPaths,
    checksums: dict[str, str],
    shared: Mapping[URIRef, Graph] | None = None,
) -> list[CuratedDocument]:
    """Build every curated file in turn (``load_curated_document``), in memory;
    generated labels name reference resources as ``shared``'s reference graph
    does."""
    names = reference_names(shared[GRAPH_REFERENCE]) if shared is not None else {}
    return [load_curated_document(path, paths, checksums, names) for path in files]


def assemble_dataset(
    paths: ProjectPaths, *, load_documents: DocumentLoader | None = None
) -> AssembledDataset:
    """Load and check every input of the project (no SHACL yet).

    Args:
        paths: the project.
        load_documents: how the curated documents are built (default:
            ``build_documents``; ``build`` passes its cache-aware loader).

    Returns:
        The named graphs and curated documents.

    Raises:
        SourceError, EvidenceError: for the first input that fails, with its file,
            line and what to do.
    """
    with paused_gc():
        return _assemble(paths, load_documents or build_documents)


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


def _assemble(paths: ProjectPaths, load_documents: DocumentLoader) -> AssembledDataset:
    graphs = load_vocabulary_and_reference(paths)
    checksums = read_checksums(paths.sources_dir)
    files = sorted(paths.curated_dir.glob("*.ttl"))
    documents: list[CuratedDocument] = []
    seen: dict[URIRef, Path] = {}
    for curated in load_documents(files, paths, checksums, graphs):
        if curated.document in seen or curated.document in graphs:
            other = seen[curated.document].name if curated.document in seen else None
            raise SourceError(
                f"<{curated.document}> is also described by {other or 'the build'}",
                path=curated.path,
                hint="give each source document one curated file and its own IRI",
            )
        seen[curated.document] = curated.path
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

    The check runs on the documents' footprints (names, no terms); only when it
    finds a problem are the files read again, to name the first one the way a
    curator can find it.

    Raises:
        SourceError: naming the file, line and the unknown IRI, with the closest
            known IRIs as suggestions.
    """
    typed = {
        name
        for iri in assembled.graphs
        for members in assembled.graphs.type_names(iri).values()
        for name in members
    }
    vocabulary = {str(term) for term in _vocabulary(assembled)}
    footprints = [doc.footprint for doc in assembled.documents]
    footprints += [
        _file_footprint(path) for path in sorted(paths.reference_dir.glob("*.ttl"))
    ]
    for footprint in footprints:
        if not vocabulary.issuperset(footprint.skg_terms) or not typed.issuperset(
            footprint.skgid_objects
        ):
            _name_first_unknown(assembled, paths)
            return


def _vocabulary(assembled: AssembledDataset) -> set[URIRef]:
    return {
        s
        for graph in (assembled.graphs[GRAPH_ONTOLOGY], assembled.graphs[GRAPH_SCHEMES])
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef)
    }


def _file_footprint(path: Path) -> Footprint:
    """The footprint of a reference file (its own triples, parsed by Oxigraph)."""
    triples, _ = parse_document(path)
    return footprint_of(graph_pieces(path.resolve().as_uri(), triples))


def _name_first_unknown(assembled: AssembledDataset, paths: ProjectPaths) -> None:
    """Raise the ``SourceError`` for the first unknown IRI, file by file."""
    # Per graph, not on a union copy, and unsorted: only the failures are sorted,
    # so the first one reported is the one a sorted scan would meet first.
    typed = {
        s
        for iri in assembled.graphs
        for subjects in assembled.graphs.types(iri).values()
        for s in subjects
        if isinstance(s, URIRef)
    }
    vocabulary = _vocabulary(assembled)
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
    by_class: dict[str, set[str]] = {name: set() for name in SUMMARY_CLASSES}
    for iri in assembled.graphs:
        types = assembled.graphs.type_names(iri)
        for name, cls in SUMMARY_CLASSES.items():
            by_class[name].update(types.get(str(cls), ()))
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
