"""Stage 3b — dumps: the dataset as TriG, N-Quads, Turtle and JSON-LD, written by
Oxigraph.

Input: the triples of each named graph (pyoxigraph terms). Output: each graph's
*pieces* (``GraphPieces``: its sorted N-Quads lines, its Turtle statements and its
JSON-LD graph object, every byte made by Oxigraph's serialisers) and the four dump
files, which are those pieces in graph order between a fixed header and footer
(``DumpWriter``).

**Deterministic.** A graph's triples are sorted by their canonical N-Triples line
(as bytes: UTF-8 keeps code-point order), duplicates dropped, and the graphs come
in the build's order (ontology, schemes, reference, then the documents by source
file). Blank nodes, where a graph has any, are relabelled by RDFC-1.0
(``pyoxigraph.Dataset.canonicalize``) and prefixed with a digest of the graph's
IRI, so labels are stable and never shared by two graphs. The same input gives the
same bytes in any process and under any ``PYTHONHASHSEED``, and a diff between two
builds shows the triples that changed.

**Per graph.** A graph's pieces depend on nothing but its own triples, so the build
cache keeps them per document and an incremental build writes the dumps by copying
(``build.cache``).

Layout of the files:

- N-Quads: the graphs' lines, one graph after the other (sorted within a graph);
- TriG: the prefixes once, then one ``<graph> { … }`` block per graph;
- Turtle: the prefixes once, then every graph's statements: the union of the graphs
  without their names (a triple in two graphs is written twice, which a Turtle
  parser reads as one);
- JSON-LD: ``{"@context": {prefixes}, "@graph": [...]}`` with one named-graph
  object per line, in Oxigraph's expanded form (full IRIs).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from .._gc import paused_gc
from ..namespaces import PREFIXES
from ..rdfio import (
    DUMP_FORMATS,
    JSON_LD,
    N_QUADS,
    TRIG,
    TURTLE,
    FormatInfo,
    to_oxigraph,
)

__all__ = [
    "DUMP_PREFIXES",
    "DumpWriter",
    "GraphPieces",
    "graph_pieces",
    "oxigraph_triples",
    "serialise_dataset",
]

DUMP_PREFIXES: dict[str, str] = {
    prefix: str(namespace)
    for prefix, namespace in sorted(PREFIXES.items())
    if prefix != "skgid"
}
"""The prefixes of the TriG and Turtle dumps (and the JSON-LD ``@context``). The
project's own ``skgid:`` is left out: its local names hold ``/``, which Turtle
allows only escaped (``skgid:kommun\\/2083``); the full IRI reads better."""

_NT = ox.RdfFormat.N_TRIPLES
_PREFIX_LINES = "".join(
    f"@prefix {prefix}: <{namespace}> .\n"
    for prefix, namespace in DUMP_PREFIXES.items()
).encode("utf-8")


@dataclass(frozen=True)
class GraphPieces:
    """One named graph in every dump format: what the dumps are made of.

    Each piece is complete on its own (the graph's IRI written into it), so the
    dumps are the pieces of all graphs, in order, between ``DumpWriter``'s header
    and footer.
    """

    graph: str
    """The graph's IRI."""
    nquads: bytes
    """Its N-Quads lines, sorted, without duplicates."""
    turtle: bytes
    """Its statements in Turtle, in the same order, without prefix lines (the
    dumps declare ``DUMP_PREFIXES`` once)."""
    jsonld: bytes
    """Its JSON-LD named-graph object ``{"@id": …, "@graph": […]}`` on one line."""
    triples: int
    """How many triples it holds."""

    def trig(self) -> bytes:
        """Its TriG block: ``<graph> {`` + the Turtle statements + ``}``."""
        return b"<" + self.graph.encode("utf-8") + b"> {\n" + self.turtle + b"}\n"


def oxigraph_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    """rdflib triples (an rdflib graph, say) as pyoxigraph triples.

    Terms repeat (predicates, classes, shared actors), so each is converted once.
    """
    converted: dict[Node, object] = {}

    def convert(term: Node) -> object:
        found = converted.get(term)
        if found is None:
            found = converted[term] = to_oxigraph(term)
        return found

    return [
        ox.Triple(convert(s), convert(p), convert(o))  # type: ignore[arg-type]
        for s, p, o in triples
    ]


def graph_pieces(graph: str, triples: Iterable[ox.Triple]) -> GraphPieces:
    """The pieces of one named graph, made by Oxigraph's serialisers.

    Args:
        graph: the graph's IRI.
        triples: its triples, in any order, duplicates allowed.

    Returns:
        The graph's sorted N-Quads lines, Turtle statements and JSON-LD object.
    """
    with paused_gc():
        triples = list(triples)
        if any(_has_blank_node(triple) for triple in triples):
            triples = _canonical_blank_nodes(graph, triples)
        # N-Triples gives one line per triple, in input order: sort the lines and
        # take the triples along, so Turtle and JSON-LD follow the same order.
        lines = (ox.serialize(triples, format=_NT) or b"").split(b"\n")
        lines.pop()  # after the last "\n"
        order = sorted(range(len(lines)), key=lines.__getitem__)
        kept_lines: list[bytes] = []
        kept: list[ox.Triple] = []
        previous = None
        for index in order:
            line = lines[index]
            if line != previous:
                kept_lines.append(line[:-2])  # without the final " ."
                kept.append(triples[index])
                previous = line
        del lines, order, triples
        end = b" <" + graph.encode("utf-8") + b"> .\n"
        nquads = end.join(kept_lines) + end if kept_lines else b""
        turtle = _statements(
            ox.serialize(kept, format=TURTLE.oxigraph, prefixes=DUMP_PREFIXES) or b""
        )
        array = ox.serialize(kept, format=JSON_LD.oxigraph) or b"[]"
        jsonld = (
            b'{"@id":'
            + json.dumps(graph, ensure_ascii=False).encode("utf-8")
            + b',"@graph":'
            + array.strip()
            + b"}"
        )
        return GraphPieces(graph, nquads, turtle, jsonld, len(kept))


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(
        triple.object, ox.BlankNode
    )


def _canonical_blank_nodes(graph: str, triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with their blank nodes relabelled by RDFC-1.0 and prefixed
    with a digest of the graph's IRI (labels stable, and unique to the graph)."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    prefix = "g" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:12] + "_"

    def relabel(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(prefix + term.value)
        return term

    return [
        ox.Triple(relabel(q.subject), q.predicate, relabel(q.object))  # type: ignore[arg-type]
        for q in dataset
    ]


def _statements(turtle: bytes) -> bytes:
    """Oxigraph's Turtle without its prefix lines (which come first)."""
    position = 0
    while turtle.startswith(b"@prefix ", position):
        position = turtle.index(b"\n", position) + 1
    return turtle[position:]


class DumpWriter:
    """The four dump files, written together one graph at a time.

    Usage::

        writer = DumpWriter({fmt: open(...) for fmt in DUMP_FORMATS})
        for pieces in every_graph:
            writer.add(pieces)
        writer.close()

    Only the header, one graph's pieces and the footer are ever in memory.
    """

    def __init__(self, streams: Mapping[FormatInfo, BinaryIO]) -> None:
        self.streams = dict(streams)
        self.graphs = 0
        for fmt, stream in self.streams.items():
            stream.write(_HEADERS[fmt.key])

    def add(self, pieces: GraphPieces) -> None:
        """Append one graph to every dump."""
        first = self.graphs == 0
        for fmt, stream in self.streams.items():
            if fmt is N_QUADS:
                stream.write(pieces.nquads)
            elif fmt is TRIG:
                stream.write(pieces.trig() if first else b"\n" + pieces.trig())
            elif fmt is TURTLE:
                stream.write(pieces.turtle)
            elif fmt is JSON_LD:
                stream.write(pieces.jsonld if first else b",\n" + pieces.jsonld)
        self.graphs += 1

    def close(self) -> None:
        """Write the footers (the streams stay open)."""
        for fmt, stream in self.streams.items():
            stream.write(_FOOTERS[fmt.key])


_HEADERS = {
    N_QUADS.key: b"",
    TRIG.key: _PREFIX_LINES + b"\n",
    TURTLE.key: _PREFIX_LINES + b"\n",
    JSON_LD.key: b'{"@context":'
    + json.dumps(DUMP_PREFIXES, ensure_ascii=False).encode("utf-8")
    + b',\n"@graph":[\n',
}
_FOOTERS = {N_QUADS.key: b"", TRIG.key: b"", TURTLE.key: b"", JSON_LD.key: b"\n]}\n"}


def dumps_of(pieces: Iterable[GraphPieces]) -> dict[str, bytes]:
    """The four dumps of ``pieces`` in memory: file suffix → bytes."""
    streams = {fmt: io.BytesIO() for fmt in DUMP_FORMATS}
    writer = DumpWriter(streams)
    for graph in pieces:
        writer.add(graph)
    writer.close()
    return {fmt.suffix: stream.getvalue() for fmt, stream in streams.items()}


def serialise_dataset(assembled: object) -> dict[str, bytes]:
    """The dumps of an assembled dataset, in memory (publish and release ship them).

    Args:
        assembled: an ``AssembledDataset``.

    Returns:
        File suffix → bytes: ``.trig``, ``.nq``, ``.ttl`` (the union of all graphs,
        without graph names) and ``.jsonld``, as ``build`` writes them to ``dist/``.
    """
    return dumps_of(_all_pieces(assembled))


def _all_pieces(assembled: object) -> Iterator[GraphPieces]:
    from .dataset import AssembledDataset

    assert isinstance(assembled, AssembledDataset)
    for iri in assembled.graphs:
        yield assembled.graphs.pieces_of(iri)


def pieces_of_rdflib(
    graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]
) -> GraphPieces:
    """``graph_pieces`` of rdflib triples (the ontology, schemes and reference)."""
    return graph_pieces(str(graph), oxigraph_triples(triples))
