"""Stage 3a — one curated document, built: parsed, evidence resolved, dumped.

Input: a curated Turtle file (``data/curated/<slug>.ttl``) and the source text it
names, checked against ``SHA256SUMS``. Output: a ``DocumentBuild`` — the
document's graph as dump pieces (``dumps.GraphPieces``), its evidence records and
its *footprint*: the few facts about its graph that the checks across documents
read (its subjects and their classes, the resources it points to, the ontology
terms it uses). A ``DocumentBuild`` is everything a build needs from one
document: it is what the build cache keeps per document (``cache``) and what a
worker process hands back (``pipeline``).

The triples stay pyoxigraph terms from the parser to the dumps. Evidence
resolution (``evidence.resolve_evidence``), which reads and writes rdflib terms,
works on a ``DocumentGraph``: a view that converts to rdflib only the triples of
the predicates it is asked about, and keeps the rest as they were parsed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ..errors import SourceError
from ..evidence import (
    EvidenceRecord,
    check_evidence,
    first_quotes,
    resolve_evidence,
)
from ..labels import generated_labels
from ..namespaces import SKG, SKGID, bind_prefixes
from ..privacy import mask_contact_data
from ..rdfio import TURTLE, to_oxigraph, to_rdflib
from ..sources import SourceText, find_line, parse_turtle, read_source_text
from .dumps import GraphPieces, graph_pieces, oxigraph_triples

__all__ = [
    "DocumentBuild",
    "DocumentGraph",
    "Footprint",
    "build_document",
    "document_of",
    "parse_document",
]

log = logging.getLogger(__name__)

_RDF_TYPE = b"<" + str(RDF.type).encode() + b">"


@dataclass(frozen=True)
class Footprint:
    """What the checks across documents (and the build's summary) need to know
    of one document's graph, without reading the graph.

    Terms are written as in N-Triples without brackets: an IRI as itself, a blank
    node as ``_:label``. Lists are sorted.
    """

    subjects: list[str]
    """Every subject of the graph."""
    types: dict[str, list[str]]
    """Class → its instances here (``rdf:type``)."""
    references: list[str]
    """IRIs and blank nodes used as objects that are not subjects here."""
    outward: list[str]
    """Predicates with an object that is not a subject here (a literal, or a
    resource described elsewhere): what validation by document checks
    ``sh:targetObjectsOf`` against."""
    skg_terms: list[str]
    """``skg:`` IRIs used as predicate or object (each must be in the ontology)."""
    skgid_objects: list[str]
    """``skgid:`` IRIs without a fragment used as objects (each must be typed
    somewhere in the dataset)."""
    quotes: int = 0
    """How many quotes of the source the document's evidence holds (skipped
    passages not counted)."""
    records: int = 0
    """How many evidence records it has (skipped passages included)."""


@dataclass
class DocumentBuild:
    """One curated document, built (see the module docstring)."""

    path: Path
    """The curated file."""
    document: URIRef
    """Its ``skg:SourceDocument``, also its named graph's IRI."""
    source: SourceText
    """The source text its quotes were found in."""
    evidence: list[EvidenceRecord] | Callable[[], list[EvidenceRecord]]
    """Every resolved quote, in document order (or, read back from the build
    cache, what decodes them when first needed)."""
    pieces: GraphPieces
    """The graph, in every dump format."""
    footprint: Footprint
    """What the checks across documents read."""
    prefixes: dict[str, str] = field(default_factory=dict)
    """The prefixes the file declares (rdflib binds them on the document's graph)."""
    coverage: dict[str, Any] | None = None
    """The summary's coverage of the document (``curate.document_coverage`` as
    JSON), when the build cache keeps it."""


def document_of(graph: Graph | DocumentGraph, path: Path) -> URIRef:
    """The one ``skg:SourceDocument`` a curated file describes.

    Raises:
        SourceError: none or several, or one without an IRI.
    """
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


def parse_document(path: Path) -> tuple[list[ox.Triple], dict[str, str]]:
    """A curated file's triples (pyoxigraph terms, in file order) and prefixes.

    Oxigraph's Rust parser reads it; a file Oxigraph rejects is parsed by rdflib,
    whose located error (``file:line:column``) the curator gets, and which is
    used if rdflib accepts it after all (it is the more lenient of the two).

    Raises:
        SourceError: the file cannot be read or is not Turtle.
    """
    try:
        data = path.read_bytes()
        parser = ox.parse(
            data, format=TURTLE.oxigraph, base_iri=path.resolve().as_uri()
        )
        triples = [quad.triple for quad in parser]
        return triples, dict(parser.prefixes)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        graph = parse_turtle(path)  # raises the located error, or accepts the file
        return oxigraph_triples(graph), {}


def build_document(
    path: Path,
    sources_dir: Path,
    checksums: dict[str, str],
    names: dict[Node, str] | None = None,
) -> DocumentBuild:
    """Parse a curated file, check its source, resolve its evidence, dump its graph.

    Clauses and commitments the curator gave no label get a generated one
    (``labels.generated_labels``), naming reference resources by ``names``
    (``dataset.reference_names``).

    Args:
        path: ``data/curated/<slug>.ttl``.
        sources_dir: ``data/sources``.
        checksums: ``SHA256SUMS`` of ``data/sources``.
        names: reference resource → the name generated labels give it.

    Returns:
        The document with evidence resolved and ``skg:sha256``,
        ``skg:maskedSha256`` and ``skg:characterCount`` added to its
        ``skg:SourceDocument``.

    Raises:
        SourceError: malformed Turtle or a missing ``skg:fileName``.
        EvidenceError: changed or missing source, or a quote not in it.
    """
    triples, prefixes = parse_document(path)
    graph = DocumentGraph(triples)
    del triples
    document = document_of(graph, path)
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
    source = read_source_text(sources_dir / str(file_name), checksums[str(file_name)])
    records = resolve_evidence(graph, document, source.text, curated_path=path)  # type: ignore[arg-type]
    check_evidence(graph, {document: source.text}, path=path)  # type: ignore[arg-type]
    graph.set((document, SKG.sha256, Literal(source.sha256)))
    # The published copies are masked (privacy.py): give their checksum too.
    masked = mask_contact_data(source.text).encode("utf-8")
    graph.set((document, SKG.maskedSha256, Literal(hashlib.sha256(masked).hexdigest())))
    graph.set(
        (document, SKG.characterCount, Literal(len(source.text), datatype=XSD.integer))
    )
    for triple in generated_labels(graph, first_quotes(records), names or {}):
        graph.add(triple)
    log.info("%s: %d evidence span(s)", path.name, len(records))
    pieces = graph_pieces(str(document), graph.final_triples())
    footprint = dataclasses.replace(
        footprint_of(pieces),
        quotes=sum(1 for r in records if not r.skipped),
        records=len(records),
    )
    return DocumentBuild(path, document, source, records, pieces, footprint, prefixes)


def footprint_of(pieces: GraphPieces) -> Footprint:
    """The footprint of a graph, read from its N-Quads lines (no terms built)."""
    subjects: dict[bytes, None] = {}
    types: dict[bytes, list[bytes]] = {}
    objects: dict[bytes, set[bytes]] = {}  # predicate → its non-literal objects
    literal_predicates: set[bytes] = set()
    tail = len(pieces.graph.encode("utf-8")) + 5  # ' <graph> .'
    for line in pieces.nquads.split(b"\n"):
        if not line:
            continue
        subject, predicate, rest = line.split(b" ", 2)
        obj = rest[:-tail]
        subjects[subject] = None
        if obj[:1] == b'"':
            literal_predicates.add(predicate)
            continue
        objects.setdefault(predicate, set()).add(obj)
        if predicate == _RDF_TYPE:
            types.setdefault(obj, []).append(subject)
    references = {o for found in objects.values() for o in found} - subjects.keys()
    outward = {p for p, found in objects.items() if not found <= subjects.keys()}
    outward |= literal_predicates
    used = set(objects) | {o for found in objects.values() for o in found}
    skg = b"<" + str(SKG).encode()
    skgid = b"<" + str(SKGID).encode()
    return Footprint(
        subjects=_names(subjects),
        types={_name(c): _names(members) for c, members in sorted(types.items())},
        references=_names(references),
        outward=_names(outward),
        skg_terms=_names(t for t in used if t.startswith(skg)),
        skgid_objects=_names(
            o
            for found in objects.values()
            for o in found
            if o.startswith(skgid) and b"#" not in o
        ),
    )


def _name(term: bytes) -> str:
    """An N-Triples IRI or blank node as a name: ``<x>`` → ``x``, ``_:b`` stays."""
    text = term.decode("utf-8")
    return text[1:-1] if text.startswith("<") else text


def _names(terms: Iterable[bytes]) -> list[str]:
    return sorted({_name(term) for term in terms})


class _PredicateIndex:
    """The triples of one predicate as rdflib terms, insertion-ordered."""

    __slots__ = ("order", "pos", "spo")

    def __init__(self) -> None:
        self.order: dict[tuple[Node, Node], ox.Triple | None] = {}
        """(subject, object) → the parsed triple, or None for one added since."""
        self.spo: dict[Node, list[Node]] = {}
        self.pos: dict[Node, list[Node]] = {}

    def add(self, s: Node, o: Node, parsed: ox.Triple | None) -> None:
        if (s, o) in self.order:
            return
        self.order[(s, o)] = parsed
        self.spo.setdefault(s, []).append(o)
        self.pos.setdefault(o, []).append(s)

    def remove(self, s: Node, o: Node) -> None:
        del self.order[(s, o)]
        self.spo[s].remove(o)
        self.pos[o].remove(s)


class DocumentGraph:
    """A document's parsed triples with the rdflib ``Graph`` methods that evidence
    resolution and checking use (``objects``, ``subjects``, ``value``,
    ``subject_objects``, ``add``, ``remove``, ``set``, ``in``).

    Every lookup names its predicate; the triples of a predicate are converted
    to rdflib terms and indexed the first time it is asked about, and only
    then. Triples of predicates nobody asks about stay the parsed pyoxigraph
    triples, and ``final_triples`` hands them on unconverted. Lookups answer in
    insertion (file) order, as rdflib's parser would have added the triples.
    """

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self._parsed: dict[str, list[ox.Triple]] = {}
        for triple in triples:
            self._parsed.setdefault(triple.predicate.value, []).append(triple)
        self._indexes: dict[Node, _PredicateIndex] = {}
        self._to_rdflib: dict[object, Node] = {}
        self._to_oxigraph: dict[Node, object] = {}
        self._blank_nodes: dict[ox.BlankNode, object] = {}
        self.namespace_manager = _NAMES.namespace_manager

    # -- terms ------------------------------------------------------------------

    def _rdflib(self, term: object) -> Node:
        found = self._to_rdflib.get(term)
        if found is None:
            found = to_rdflib(term, self._blank_nodes)  # type: ignore[arg-type]
            assert found is not None
            self._to_rdflib[term] = found
            self._to_oxigraph[found] = term
        return found

    def _oxigraph(self, term: Node) -> object:
        found = self._to_oxigraph.get(term)
        if found is None:
            found = self._to_oxigraph[term] = to_oxigraph(term)
        return found

    def _index(self, predicate: Node) -> _PredicateIndex:
        try:
            return self._indexes[predicate]
        except KeyError:
            pass
        if not isinstance(predicate, URIRef):
            raise NotImplementedError("lookups name an IRI predicate")
        index = self._indexes[predicate] = _PredicateIndex()
        convert = self._rdflib
        for triple in self._parsed.pop(str(predicate), ()):
            index.add(convert(triple.subject), convert(triple.object), triple)
        return index

    # -- the rdflib Graph methods evidence.py uses --------------------------------

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        """Add a triple (no duplicates)."""
        s, p, o = triple
        self._index(p).add(s, o, None)

    def remove(self, pattern: tuple[Node | None, Node | None, Node | None]) -> None:
        """Remove ``(s, p, o)`` or, with ``o`` None, every object of ``s``'s ``p``."""
        s, p, o = pattern
        if s is None or p is None:
            raise NotImplementedError("remove needs a subject and a predicate")
        index = self._index(p)
        for obj in list(index.spo.get(s, [])):
            if o is None or obj == o:
                index.remove(s, obj)

    def set(self, triple: tuple[Node, Node, Node]) -> None:
        """Replace every object of the subject's predicate by this one."""
        self.remove((triple[0], triple[1], None))
        self.add(triple)

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        return (s, o) in self._index(p).order

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of ``subject``'s ``predicate``."""
        return iter(list(self._index(predicate).spo.get(subject, ())))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of ``subject``'s ``predicate`` (the first added), or None."""
        values = self._index(predicate).spo.get(subject)
        return values[0] if values else None

    def subjects(self, predicate: Node, obj: Node | None = None) -> Iterator[Node]:
        """The subjects of ``predicate`` (with ``obj`` as object, if given)."""
        by_object = self._index(predicate).pos
        if obj is not None:
            return iter(list(by_object.get(obj, ())))
        return iter([s for subjects in list(by_object.values()) for s in subjects])

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        """Every (subject, object) pair of ``predicate``."""
        return iter(list(self._index(predicate).order))

    def qname(self, uri: URIRef) -> str:
        """The prefixed name of ``uri`` (for messages)."""
        return self.namespace_manager.qname(uri)

    def types(self) -> dict[Node, list[Node]]:
        """Class → its instances (``rdf:type``)."""
        return {c: list(members) for c, members in self._index(RDF.type).pos.items()}

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for name in list(self._parsed):
            self._index(URIRef(name))
        for predicate, index in self._indexes.items():
            for s, o in list(index.order):
                yield s, predicate, o

    def __len__(self) -> int:
        parsed = sum(len(triples) for triples in self._parsed.values())
        return parsed + sum(len(index.order) for index in self._indexes.values())

    # -- the result -----------------------------------------------------------------

    def final_triples(self) -> list[ox.Triple]:
        """Every triple now in the graph, as pyoxigraph triples (those never looked
        at are the parsed ones; the order is of no consequence, the dumps sort)."""
        triples = [t for parsed in self._parsed.values() for t in parsed]
        convert = self._oxigraph
        for predicate, index in self._indexes.items():
            # The parsed triples as they are, in one pass; only the added ones
            # are made (most of a document's triples were parsed).
            triples += [t for t in index.order.values() if t is not None]
            added = [pair for pair, parsed in index.order.items() if parsed is None]
            if added:
                p = convert(predicate)
                triples += [
                    ox.Triple(convert(s), p, convert(o))  # type: ignore[arg-type]
                    for s, o in added
                ]
        return triples


_NAMES = bind_prefixes(Graph())
