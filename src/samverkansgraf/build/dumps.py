"""Stage 3b — dumps: the assembled dataset in every dump format, deterministically.

Input: an ``AssembledDataset``. Output: the bytes (or byte chunks) of TriG,
N-Quads, Turtle (union) and JSON-LD, in a fixed order so that the same input gives
byte-identical files in any process.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator

from rdflib import Graph, URIRef
from rdflib.term import Node

from .._gc import paused_gc
from ..namespaces import (
    PREFIXES,
    bind_prefixes,
)
from ..rdfio import JSON_LD, N_QUADS, TRIG, TURTLE, canonical_tree, indented_json
from .dataset import AssembledDataset, GraphMap, Triple

log = logging.getLogger(__name__)


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
        TRIG.suffix: _trig(assembled, fast=False),
        N_QUADS.suffix: ("\n".join(line for line in lines if line) + "\n").encode(
            "utf-8"
        ),
        TURTLE.suffix: assembled.union().serialize(format="turtle", encoding="utf-8"),
        JSON_LD.suffix: _jsonld(assembled, fast=False),
    }


def _serialise_fast(assembled: AssembledDataset) -> dict[str, bytes]:
    """``serialise_dataset`` with the ``fastdump`` writers."""
    nquads = nquads_bytes(assembled)
    dumps = {
        suffix: data if isinstance(data, bytes) else b"".join(data)
        for suffix, data in dump_chunks(assembled)
    }
    return {
        TRIG.suffix: dumps[TRIG.suffix],
        N_QUADS.suffix: nquads,
        TURTLE.suffix: dumps[TURTLE.suffix],
        JSON_LD.suffix: dumps[JSON_LD.suffix],
    }


# Characters str.splitlines() breaks at besides "\n", which rdflib's N-Quads rows
# may contain inside literals (the reference path splits the whole dump).
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def nquads_bytes(assembled: AssembledDataset) -> bytes:
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


def dump_chunks(
    assembled: AssembledDataset,
) -> Iterator[tuple[str, bytes | Iterator[bytes]]]:
    """TriG, Turtle and JSON-LD, one at a time (so a writer can store and drop
    each before the next is made; JSON-LD comes as chunks, graph by graph), in
    one pass over each graph's triples."""
    from .writers import (
        UnsupportedGraphError,
        clear_caches,
        index_triples,
        merge_indexes,
        turtle_pieces,
    )

    graphs = assembled.graphs
    indexes = {iri: index_triples(graphs.triples_of(iri)) for iri in graphs}
    yield TRIG.suffix, _trig_chunks(assembled, fast=True, indexes=indexes)
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
    yield TURTLE.suffix, union_ttl
    del union_ttl, union, pieces
    clear_caches()
    context = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    yield JSON_LD.suffix, _jsonld_chunks(assembled, context, indexes)


def _graph_turtle(
    graphs: GraphMap,
    iri: URIRef,
    fast: bool,
    index: dict[Node, dict[Node, list[Node]]] | None = None,
) -> str:
    """rdflib's Turtle of ``bind_prefixes(Graph() + graph)`` (fast when possible)."""
    if fast:
        from .writers import UnsupportedGraphError, index_triples, turtle_text

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
        from .writers import UnsupportedGraphError, jsonld_nodes

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
        text = f"<{iri}> {{\n" + "\n".join(body).strip("\n") + "\n}\n"
        blocks.append(text.encode("utf-8"))
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

    context = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    if fast:
        return _jsonld_fast(assembled, context, indexes or {})
    graphs = []
    for iri in assembled.graphs:
        nodes = _graph_jsonld(assembled.graphs, iri, fast)
        graphs.append({"@id": str(iri), "@graph": canonical_tree(nodes)})
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
    from .writers import index_items

    yield b'{\n "@context": ' + indented_json(context, 1).encode("utf-8")
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
        nodes = canonical_tree(_graph_jsonld(assembled.graphs, iri, True, triples))
        entry = {"@id": str(iri), "@graph": nodes}
        yield (b"[\n  " if number == 0 else b",\n  ") + indented_json(entry, 2).encode(
            "utf-8"
        )
    if assembled.graphs:
        yield b"\n ]"
    yield b"\n}\n"
