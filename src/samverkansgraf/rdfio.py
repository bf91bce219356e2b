"""RDF input and output shared by every stage: formats, loading, terms, JSON.

The one home (issue 14) of four concepts that used to be written once per module:

* **Formats and media types** — ``FORMATS``, one :class:`FormatInfo` per RDF
  serialisation the project reads or writes, built on ``pyoxigraph.RdfFormat``'s
  own media types and file extensions; ``format_for_path`` and
  ``format_for_media_type`` look them up, ``DUMP_FORMATS`` are the dumps the build
  writes.
* **Loading a dump** — ``load_store`` (pyoxigraph), ``load_dump`` (an rdflib
  ``Dataset`` with its named graphs) and ``load_union`` (one rdflib ``Graph``),
  all parsed by pyoxigraph, which is 10–25 times faster than rdflib's parsers.
* **Term conversion** — ``to_rdflib`` and ``to_oxigraph``.
* **Canonical JSON** — ``canonical_tree`` and ``canonical_json``: the byte-stable
  JSON(-LD) of the dumps and of the published pages.

Input: paths, pyoxigraph or rdflib terms, JSON-compatible values. Output: rdflib
and pyoxigraph objects, text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier, Node

from .errors import SourceError
from .namespaces import bind_prefixes

__all__ = [
    "DUMP_FORMATS",
    "FORMATS",
    "JSON_LD",
    "N_QUADS",
    "N_TRIPLES",
    "RDF_XML",
    "TRIG",
    "TURTLE",
    "BlankNodeScope",
    "FormatInfo",
    "canonical_json",
    "canonical_tree",
    "format_for_media_type",
    "format_for_path",
    "indented_json",
    "known_iri",
    "load_dump",
    "load_store",
    "load_union",
    "quad_to_rdflib",
    "refuse_remote_contexts",
    "store_to_union",
    "to_oxigraph",
    "to_rdflib",
    "union_of_quads",
]


# ---------------------------------------------------------------------------
# Formats and media types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormatInfo:
    """One RDF serialisation: its file suffixes, media type and parser names.

    Named ``FormatInfo`` so as not to shadow ``pyoxigraph.RdfFormat``, which it
    wraps (``oxigraph``) and takes its media type and extension from.
    """

    key: str
    """Short stable name, e.g. ``"trig"`` (used in file names and tables)."""
    oxigraph: ox.RdfFormat
    """The pyoxigraph format, for ``pyoxigraph.parse``/``Store.load``/``dump``."""
    rdflib: str
    """rdflib's plugin name, for ``Graph.parse``/``serialize``."""
    suffixes: tuple[str, ...]
    """File suffixes with their dot; the first is the canonical one."""
    label_sv: str
    """Swedish name of a dump in this format (the site's download list)."""
    label_en: str
    """English name of a dump in this format."""

    @property
    def suffix(self) -> str:
        """The canonical file suffix, e.g. ``".ttl"``."""
        return self.suffixes[0]

    @property
    def name(self) -> str:
        """The format's display name, e.g. ``"Turtle"`` (pyoxigraph's)."""
        return self.oxigraph.name

    @property
    def media_type(self) -> str:
        """The IANA media type, e.g. ``"text/turtle"`` (pyoxigraph's)."""
        return self.oxigraph.media_type

    @property
    def content_type(self) -> str:
        """The HTTP ``Content-Type``: ``text/*`` types say their charset (UTF-8,
        which every RDF syntax here uses; RFC 6838 §4.2.1 wants it stated for
        ``text/*``)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def named_graphs(self) -> bool:
        """Whether the format can hold named graphs (TriG, N-Quads, JSON-LD)."""
        return self.oxigraph.supports_datasets


def _format(
    oxigraph: ox.RdfFormat,
    key: str,
    rdflib: str,
    label_sv: str,
    label_en: str,
    *aliases: str,
) -> FormatInfo:
    return FormatInfo(
        key=key,
        oxigraph=oxigraph,
        rdflib=rdflib,
        suffixes=(f".{oxigraph.file_extension}", *aliases),
        label_sv=label_sv,
        label_en=label_en,
    )


TRIG = _format(
    ox.RdfFormat.TRIG,
    "trig",
    "trig",
    "TriG (namngivna grafer)",
    "TriG (named graphs)",
)
N_QUADS = _format(
    ox.RdfFormat.N_QUADS,
    "nquads",
    "nquads",
    "N-Quads (namngivna grafer)",
    "N-Quads (named graphs)",
)
# The Turtle dump is the union of all graphs: Turtle has no named graphs.
TURTLE = _format(
    ox.RdfFormat.TURTLE,
    "turtle",
    "turtle",
    "Turtle (alla grafer i en)",
    "Turtle (union of all graphs)",
    ".turtle",
)
JSON_LD = _format(
    ox.RdfFormat.JSON_LD,
    "jsonld",
    "json-ld",
    "JSON-LD (namngivna grafer)",
    "JSON-LD (named graphs)",
)
N_TRIPLES = _format(ox.RdfFormat.N_TRIPLES, "ntriples", "nt", "N-Triples", "N-Triples")
RDF_XML = _format(ox.RdfFormat.RDF_XML, "rdfxml", "xml", "RDF/XML", "RDF/XML", ".owl")

FORMATS: tuple[FormatInfo, ...] = (TRIG, N_QUADS, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""Every RDF format the project reads or writes."""

DUMP_FORMATS: tuple[FormatInfo, ...] = (TRIG, N_QUADS, TURTLE, JSON_LD)
"""The dumps the build writes, in the order it writes and lists them."""

_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}


def format_for_path(path: str | Path) -> FormatInfo:
    """The RDF format of a file, from its suffix (case-insensitive).

    Example:
        >>> format_for_path("dist/samverkansgraf.nq").media_type
        'application/n-quads'

    Raises:
        SourceError: the suffix is not an RDF format's (the hint lists them).
    """
    found = _BY_SUFFIX.get(Path(path).suffix.lower())
    if found is None:
        known = ", ".join(sorted(_BY_SUFFIX))
        raise SourceError(
            f"not an RDF file: unknown suffix {Path(path).suffix or '(none)'!r}",
            path=path,
            hint=f"use one of {known}",
        )
    return found


def format_for_media_type(media_type: str) -> FormatInfo | None:
    """The RDF format of a media type (parameters such as ``charset`` and
    pyoxigraph's known aliases, e.g. ``application/x-turtle``, accepted), or
    ``None`` for a type that is not one of ``FORMATS``.

    Example:
        >>> format_for_media_type("text/turtle; charset=utf-8").key
        'turtle'
        >>> format_for_media_type("text/html") is None
        True
    """
    oxigraph = ox.RdfFormat.from_media_type(media_type.strip())
    return next((fmt for fmt in FORMATS if fmt.oxigraph == oxigraph), None)


# ---------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

BlankNodeScope = MutableMapping[ox.BlankNode, BNode]
"""Blank nodes of one document: each pyoxigraph blank node to its rdflib node."""


def to_rdflib(
    term: object, blank_nodes: BlankNodeScope | None = None
) -> Identifier | None:
    """The rdflib term of a pyoxigraph term, as rdflib's own parser makes it.

    ``None`` stays ``None`` (an unbound query variable); an ``xsd:string`` literal
    becomes a plain ``Literal`` (rdflib's parsers do the same); the default graph
    becomes ``DATASET_DEFAULT_GRAPH_ID``.

    Blank nodes: a blank node's scope is the document or store it came from.
    pyoxigraph keeps a document's labels (``_:a`` stays ``a``), so

    * without ``blank_nodes`` the label is kept (``BNode("a")``): right for terms
      of one store, as query results are — the same node in two rows, or in two
      queries over one store, is the same rdflib node, and ``to_oxigraph`` gives
      the original back;
    * when several parsed documents are merged, pass one empty dict per document:
      each new blank node then gets a fresh rdflib node, so ``_:a`` in two files
      stays two nodes, as rdflib's parser keeps them.

    Example:
        >>> to_rdflib(ox.Literal("1", datatype=ox.NamedNode(
        ...     "http://www.w3.org/2001/XMLSchema#integer"))).toPython()
        1
        >>> to_rdflib(ox.BlankNode("a")) == BNode("a")
        True

    Raises:
        TypeError: not a pyoxigraph term (nor ``None``).
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        if blank_nodes is None:
            return BNode(term.value)
        found = blank_nodes.get(term)
        if found is None:
            found = blank_nodes[term] = BNode()
        return found
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"not a pyoxigraph term: {term!r}")


def quad_to_rdflib(
    quad: ox.Quad, blank_nodes: BlankNodeScope | None = None
) -> tuple[Identifier, Identifier, Identifier, Identifier]:
    """``(subject, predicate, object, graph)`` of a pyoxigraph quad in rdflib
    terms (the default graph as ``DATASET_DEFAULT_GRAPH_ID``); see ``to_rdflib``
    for ``blank_nodes``."""
    s, p, o, g = (
        to_rdflib(term, blank_nodes)
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name)
    )
    assert s is not None and p is not None and o is not None and g is not None
    return s, p, o, g


def known_iri(value: str) -> URIRef:
    """The ``URIRef`` of an IRI this program checked and wrote itself (read back
    from the build cache), made without rdflib's per-character check: that
    check only ever warns, and it is most of the cost of a URIRef.

    Example:
        >>> known_iri("https://w3id.org/samverkansgraf/id/kommun/2083")
        rdflib.term.URIRef('https://w3id.org/samverkansgraf/id/kommun/2083')
    """
    return str.__new__(URIRef, value)


OxigraphTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph


def to_oxigraph(term: Node) -> OxigraphTerm:
    """The pyoxigraph term of an rdflib term (the inverse of ``to_rdflib``).

    A blank node keeps its label when N-Triples allows it, and is hex-encoded
    (``x`` + hex) otherwise, so the store's dumps stay parsable. rdflib's
    ``DATASET_DEFAULT_GRAPH_ID`` becomes pyoxigraph's default graph.

    Example:
        >>> to_oxigraph(Literal("hej", lang="sv"))
        <Literal value=hej language=sv>

    Raises:
        TypeError: an rdflib term with no pyoxigraph counterpart (a variable).
    """
    if isinstance(term, URIRef):
        if term == DATASET_DEFAULT_GRAPH_ID:
            return ox.DefaultGraph()
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        label = str(term)
        if not _BLANK_LABEL.fullmatch(label):
            label = "x" + label.encode().hex()
        return ox.BlankNode(label)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"no pyoxigraph term for {term!r}")


# ---------------------------------------------------------------------------
# Loading dumps
# ---------------------------------------------------------------------------

_POSITION = re.compile(r"line (\d+) column (\d+)")
_REBUILD = "rebuild it with `samverkansgraf build`"


def _parse_error(path: Path, exc: BaseException) -> SourceError:
    """``exc`` from pyoxigraph as a ``SourceError`` located by line and column."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    position = _POSITION.search(reason)
    return SourceError(
        f"cannot parse: {reason}",
        path=path,
        line=int(position[1]) if position else None,
        column=int(position[2]) if position else None,
        hint=_REBUILD,
    )


def refuse_remote_contexts(path: Path, fmt: FormatInfo) -> None:
    """Refuse a JSON-LD file whose ``@context`` (or ``@import``) names a document.

    Loading a file makes no network request (issue 16): rdflib's JSON-LD parser
    would fetch such a context from the web, pyoxigraph stops with "No
    LoadDocumentCallback has been set"; both deserve one clear line first. Inline
    contexts (JSON objects) are fine. Other formats, and files that are not JSON
    (left to the parser to report), pass.

    Raises:
        SourceError: naming the file and the context reference.
    """
    if fmt is not JSON_LD:
        return
    try:
        tree = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return  # the parser reports it, with its position
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        references = [node.get("@import")]
        context = node.get("@context")
        references += context if isinstance(context, list) else [context]
        for reference in references:
            if isinstance(reference, str):
                raise SourceError(
                    f"the JSON-LD @context refers to {reference!r}, which would "
                    "have to be fetched",
                    path=path,
                    hint="samverkansgraf loads no remote contexts: put the context "
                    "object into the file",
                )
        stack.extend(node.values())


def load_store(path: str | Path, store: ox.Store | None = None) -> ox.Store:
    """Parse an RDF file (format from its suffix) into a pyoxigraph store.

    Args:
        path: a dump or any file of ``FORMATS``.
        store: the store to add to (default: a new in-memory store).

    Returns:
        The store; a triples-only format lands in its default graph.

    Raises:
        SourceError: unknown suffix, missing or unreadable file, or a syntax error
            (with its line and column).
    """
    path = Path(path)
    fmt = format_for_path(path)
    refuse_remote_contexts(path, fmt)
    store = ox.Store() if store is None else store
    try:
        store.bulk_load(path=str(path), format=fmt.oxigraph)
    except (SyntaxError, OSError, ValueError) as exc:
        raise _parse_error(path, exc) from exc
    return store


def _parsed_quads(path: str | Path) -> Iterable[ox.Quad]:
    path = Path(path)
    fmt = format_for_path(path)
    refuse_remote_contexts(path, fmt)
    try:
        # list(): the parser is lazy; its errors must surface here.
        return list(ox.parse(path=str(path), format=fmt.oxigraph))
    except (SyntaxError, OSError, ValueError) as exc:
        raise _parse_error(path, exc) from exc


def load_dump(path: str | Path) -> Dataset:
    """Parse an RDF file into an rdflib ``Dataset`` with its named graphs, whose
    default graph is the union (as the SPARQL engines query it).

    Parsed by pyoxigraph; one file is one blank-node scope (see ``to_rdflib``).

    Raises:
        SourceError: as ``load_store``.
    """
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    blank_nodes: BlankNodeScope = {}
    for quad in _parsed_quads(path):
        dataset.add(quad_to_rdflib(quad, blank_nodes))  # type: ignore[arg-type] # a 4-tuple of terms is a quad
    return dataset


def load_union(path: str | Path) -> Graph:
    """Parse an RDF file into one rdflib ``Graph`` holding the triples of all its
    graphs, with the project's prefixes bound.

    Raises:
        SourceError: as ``load_store``.
    """
    return union_of_quads(_parsed_quads(path))


def union_of_quads(quads: Iterable[ox.Quad]) -> Graph:
    """The triples of pyoxigraph ``quads`` (e.g. from ``pyoxigraph.parse``) as
    one rdflib ``Graph`` with the project's prefixes bound; the quads are one
    blank-node scope (one document)."""
    graph = bind_prefixes(Graph())
    blank_nodes: BlankNodeScope = {}
    for quad in quads:
        s, p, o, _ = quad_to_rdflib(quad, blank_nodes)
        graph.add((s, p, o))
    return graph


def store_to_union(store: ox.Store) -> Graph:
    """The triples of all of a store's graphs as one rdflib ``Graph`` (project
    prefixes bound); blank nodes keep their labels (one store, one scope)."""
    graph = bind_prefixes(Graph())
    converted: dict[object, Identifier | None] = {}  # terms repeat: convert each once

    def convert(term: object) -> Identifier:
        found = converted.get(term)
        if found is None:
            found = converted[term] = to_rdflib(term)
        assert found is not None
        return found

    for quad in store:
        graph.add(
            (convert(quad.subject), convert(quad.predicate), convert(quad.object))
        )
    return graph


# ---------------------------------------------------------------------------
# Canonical JSON
# ---------------------------------------------------------------------------


def _scalar_json(value: object, encode: Callable[[str], str]) -> str | None:
    """``json.dumps`` of a scalar (``encode`` does the strings), None otherwise."""
    if isinstance(value, str):
        return encode(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _sort_key(item: object) -> str:
    """``json.dumps(item, sort_keys=True)``, fast for scalars and flat dicts."""
    scalar = _scalar_json(item, encode_basestring_ascii)
    if scalar is not None:
        return scalar
    if isinstance(item, dict):
        parts = []
        for key in sorted(item):
            value = _scalar_json(item[key], encode_basestring_ascii)
            if value is None or not isinstance(key, str):
                return json.dumps(item, sort_keys=True)
            parts.append(f"{encode_basestring_ascii(key)}: {value}")
        return "{" + ", ".join(parts) + "}"
    return json.dumps(item, sort_keys=True)


def canonical_tree(value: object, *, ordered: bool = False) -> object:
    """``value`` in canonical form: object keys sorted, and every array sorted by
    its items' ``json.dumps(item, sort_keys=True)`` — except the array of a
    ``@list``, whose order is the RDF list's and is kept (JSON-LD 1.1 §4.3: all
    other arrays are unordered sets).

    Node arrays (objects whose first key is a unique string ``@id``) are ordered
    by the encoded ``@id`` without dumping every node: their dumps begin
    ``{"@id": "<id>"`` and differ there first, so the order is the same.

    Args:
        value: JSON-compatible data.
        ordered: keep the order of ``value`` itself if it is an array.

    Example:
        >>> canonical_tree({"b": [2, 1], "a": {"@list": [2, 1]}})
        {'a': {'@list': [2, 1]}, 'b': [1, 2]}
    """
    if isinstance(value, dict):
        return {
            key: canonical_tree(value[key], ordered=key == "@list")
            for key in sorted(value)
        }
    if isinstance(value, list):
        items = [canonical_tree(item) for item in value]
        if ordered:
            return items
        ids = [
            item["@id"]
            for item in items
            if isinstance(item, dict)
            and item
            and min(item) == "@id"
            and isinstance(item["@id"], str)
        ]
        if len(ids) == len(items) and len(set(ids)) == len(ids):
            encoded = [encode_basestring_ascii(i) for i in ids]
            order = sorted(range(len(items)), key=encoded.__getitem__)
            return [items[k] for k in order]
        return sorted(items, key=_sort_key)
    return value


def indented_json(value: object, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, written directly
    (the standard library falls back to its pure-Python encoder for ``indent``,
    three times slower on the dumps).

    Args:
        value: JSON-compatible data.
        level: the nesting level the value is written at (its indentation).
    """
    parts: list[str] = []
    write = parts.append

    def emit(item: object, level: int) -> None:
        scalar = _scalar_json(item, encode_basestring)
        if scalar is not None:
            write(scalar)
            return
        if isinstance(item, dict):
            if not item:
                write("{}")
                return
            inner = "\n" + " " * (level + 1)
            write("{")
            first = True
            for key, child in item.items():
                write(inner if first else "," + inner)
                first = False
                write(encode_basestring(key) + ": ")
                emit(child, level + 1)
            write("\n" + " " * level + "}")
            return
        if isinstance(item, (list, tuple)):
            if not item:
                write("[]")
                return
            inner = "\n" + " " * (level + 1)
            write("[")
            first = True
            for child in item:
                write(inner if first else "," + inner)
                first = False
                emit(child, level + 1)
            write("\n" + " " * level + "]")
            return
        write(json.dumps(item, ensure_ascii=False))

    emit(value, level)
    return "".join(parts)


def canonical_json(value: object) -> str:
    """The one canonical JSON text of ``value``: ``canonical_tree`` written with
    one-space indentation, non-ASCII characters as they are, and a final newline.

    Equal data gives equal bytes whatever order rdflib emitted nodes and values
    in, so the dumps and the published JSON-LD diff cleanly; an RDF list
    (``@list``) keeps its order.

    Example:
        >>> canonical_json({"b": [2, 1], "a": "å"})
        '{\\n "a": "å",\\n "b": [\\n  1,\\n  2\\n ]\\n}\\n'
    """
    return indented_json(canonical_tree(value)) + "\n"
