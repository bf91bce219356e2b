"""The machine-readable alternates written beside every page of the site.

Input: a page's site path and the triples it describes (pyoxigraph terms, read
from the dataset's Oxigraph store once per page — ``PageTriples``). Output: the
same description in Turtle, JSON-LD, N-Triples and RDF/XML (``2083.ttl``,
``2083.jsonld``, ``2083.nt``, ``2083.rdf`` beside ``2083.html``), written by
Oxigraph's serialisers from the triples in sorted order, so that published sites
are deterministic and diff cleanly, and the ``<link rel="alternate">`` entries
that point at them. ``ALTERNATES`` is the table ``serve-site`` and the
production configs negotiate among (it is written into ``site.json``).

RDF/XML cannot write every graph (a property IRI without an XML local name, a
character XML 1.0 forbids), and Oxigraph then writes something else rather than
failing; so every RDF/XML alternate is parsed back, and a page whose triples do
not come back is written by rdflib instead (``AlternateWriter.rdfxml_fallbacks``
counts them). The catalogue record and VoID are small rdflib graphs and keep
``serialise``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef

from ..build.dumps import DUMP_PREFIXES
from ..errors import PublishError
from ..namespaces import PREFIXES, bind_prefixes
from ..rdfio import (
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    TURTLE,
    canonical_json,
    to_oxigraph,
    to_rdflib,
)
from .pages import relative_href

__all__ = [
    "ALTERNATES",
    "AlternateWriter",
    "PageTriples",
    "alternate_files",
    "alternate_paths",
    "serialise",
    "serialise_rdfxml",
    "triples_of_graph",
]

# Machine-readable alternates written beside every page: suffix → (media type, name,
# rdflib format). serve-site and the production configs negotiate among these.
ALTERNATES: dict[str, tuple[str, str, str]] = {
    fmt.suffix: (fmt.media_type, fmt.name, fmt.rdflib)
    for fmt in (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
}

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 cannot hold (its ``Char`` production), not even escaped."""
_XML_NAME_END = re.compile(r"[^\W\d][\w.\-]*\Z")
"""The end of a property IRI that RDF/XML can write as an element name."""
_JSON_LD_HEAD = (
    b'{"@context":'
    + json.dumps(DUMP_PREFIXES, ensure_ascii=False).encode("utf-8")
    + b',\n"@graph":'
)


def alternate_paths(path: str) -> list[str]:
    """The site paths of the alternates of the page at ``path`` (``….html``),
    in ``ALTERNATES`` order."""
    stem = path[: -len(".html")]
    return [stem + suffix for suffix in ALTERNATES]


def _triple_key(triple: ox.Triple) -> tuple[str, bool, str]:
    """Subjects in order, each with its types first, then by property and value.

    The triple's own text (``<s> <p> <o>``, made by Oxigraph in one call)
    orders a subject's triples exactly as (property, value) would: a property
    is an ``<IRI>``, never the beginning of another, so two texts first differ
    where their properties or values do — with one call instead of three
    ``PageTriples.of`` took 5.0 s of CPU at L instead of 5.6 s.
    """
    return (str(triple.subject), triple.predicate != _RDF_TYPE, str(triple))


class PageTriples:
    """The triples a page describes, read from an Oxigraph store of the dataset."""

    def __init__(self, store: ox.Store) -> None:
        """Read from ``store`` (every named graph; a triple in several counts once)."""
        self.store = store

    def of(self, subjects: Iterable[str]) -> list[ox.Triple]:
        """The triples whose subject is one of ``subjects`` (IRIs), sorted."""
        found: set[ox.Triple] = set()
        for subject in subjects:
            for quad in self.store.quads_for_pattern(ox.NamedNode(subject), None, None):
                found.add(quad.triple)
        return sorted(found, key=_triple_key)


def triples_of_graph(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph's triples as pyoxigraph terms, sorted like ``PageTriples``."""
    found = {
        ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    }
    return sorted(found, key=_triple_key)


class AlternateWriter:
    """Writes the alternates of pages and counts the RDF/XML fallbacks."""

    def __init__(self) -> None:
        """A writer with no fallback yet."""
        self.rdfxml_fallbacks = 0
        """Pages whose RDF/XML Oxigraph could not write (written by rdflib)."""
        self._namespaces: dict[str, tuple[tuple[str, str], ...]] = {}

    def _prefixes(self, triples: Sequence[ox.Triple]) -> dict[str, str]:
        """The prefixes of ``DUMP_PREFIXES`` some IRI of ``triples`` is in."""
        # Each distinct term once: a page's triples share their subject, and
        # most share a handful of properties and classes (3.7 s of CPU at L
        # when every term of every triple was looked at).
        terms: set[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = set()
        for triple in triples:
            terms.add(triple.subject)
            # rdf:type is written ``a`` (RDF/XML declares rdf: itself).
            if triple.predicate != _RDF_TYPE:
                terms.add(triple.predicate)
            terms.add(triple.object)
        used: dict[str, str] = {}
        for term in terms:
            if isinstance(term, ox.Literal):
                term = term.datatype
            if not isinstance(term, ox.NamedNode):
                continue
            iri = term.value
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            head = iri[:cut]
            known = self._namespaces.get(head)
            if known is None:
                known = tuple(
                    (prefix, namespace)
                    for prefix, namespace in DUMP_PREFIXES.items()
                    if head.startswith(namespace)
                )
                self._namespaces[head] = known
            used.update(known)
        return dict(sorted(used.items()))

    def files(
        self, path: str, triples: Sequence[ox.Triple]
    ) -> tuple[dict[str, bytes], list[dict[str, str]]]:
        """The alternates of the page at ``path`` describing ``triples``.

        Returns:
            Site path → bytes of each alternate, and the template's alternate
            links (media type, name, href relative to ``path``).
        """
        prefixes = self._prefixes(triples)
        lines = sorted(
            set((ox.serialize(triples, format=N_TRIPLES.oxigraph) or b"").splitlines())
        )
        array = ox.serialize(triples, format=JSON_LD.oxigraph) or b"[]"
        data = {
            TURTLE.suffix: ox.serialize(
                triples, format=TURTLE.oxigraph, prefixes=prefixes
            )
            or b"",
            JSON_LD.suffix: _JSON_LD_HEAD + array.strip() + b"}\n",
            N_TRIPLES.suffix: b"".join(line + b"\n" for line in lines if line),
            RDF_XML.suffix: self._rdfxml(path, triples, prefixes),
        }
        files = {}
        links = []
        for (suffix, (media_type, name, _)), alternate in zip(
            ALTERNATES.items(), alternate_paths(path), strict=True
        ):
            files[alternate] = data[suffix]
            links.append(
                {
                    "type": media_type,
                    "name": name,
                    "href": relative_href(path, alternate),
                }
            )
        return files, links

    def _rdfxml(
        self, path: str, triples: Sequence[ox.Triple], prefixes: dict[str, str]
    ) -> bytes:
        data = ox.serialize(triples, format=RDF_XML.oxigraph, prefixes=prefixes) or b""
        if _reads_back(data, triples):
            return data
        self.rdfxml_fallbacks += 1
        graph = bind_prefixes(Graph())
        for triple in triples:
            graph.add(
                (  # type: ignore[arg-type]
                    to_rdflib(triple.subject),
                    to_rdflib(triple.predicate),
                    to_rdflib(triple.object),
                )
            )
        try:
            try:
                data = serialise_rdfxml(graph)
            except ValueError:  # a blank node: rdflib's own writer
                data = graph.serialize(format="xml", encoding="utf-8")
        except ValueError as exc:  # a property without an XML local name
            raise PublishError(
                f"{path}: the page's triples cannot be written as RDF/XML ({exc})",
                hint="give the property an IRI that ends in a name (a letter first)",
            ) from exc
        if not _reads_back(data, triples):
            raise PublishError(
                f"{path}: the page's triples cannot be written as RDF/XML (a "
                "literal holds a character XML 1.0 does not allow)",
                hint="remove control characters from the literal in the data",
            )
        return data


def _reads_back(data: bytes, triples: Sequence[ox.Triple]) -> bool:
    """Whether RDF/XML ``data`` parses back to ``triples``.

    Oxigraph's parser is lenient where XML is not: it reads back a carriage
    return written raw (an XML parser reads a line feed, XML 1.0 §2.11) and an
    element without a local name; those count as not read back.
    """
    # The literals searched as one text (a line feed is allowed, so joining
    # adds no match) and each property once: per triple, these checks were
    # two thirds of the read-back (5.5 s of CPU at L).
    text = "\n".join(
        t.object.value for t in triples if isinstance(t.object, ox.Literal)
    )
    if _NOT_XML.search(text) or ("\r" in text and b"\r" in data):
        return False
    if not all(_has_xml_name(p) for p in {t.predicate.value for t in triples}):
        return False  # Oxigraph writes an empty element name and reads it
    try:
        back = [quad.triple for quad in ox.parse(data, format=RDF_XML.oxigraph)]
    except SyntaxError:
        return False
    return _same_triples(back, triples)


@functools.lru_cache(maxsize=4096)
def _has_xml_name(iri: str) -> bool:
    """Whether RDF/XML can write the property ``iri`` as an element name
    (memoised: a site has a few hundred properties)."""
    return _XML_NAME_END.search(iri) is not None


def _same_triples(back: Sequence[ox.Triple], triples: Sequence[ox.Triple]) -> bool:
    """Whether RDF/XML parsed back gives the triples (blank nodes get new labels
    when parsed: those are compared by position only)."""

    def shape(triple: ox.Triple) -> tuple[str, str, str]:
        return tuple(  # type: ignore[return-value]
            "_:" if isinstance(term, ox.BlankNode) else str(term)
            for term in (triple.subject, triple.predicate, triple.object)
        )

    if len(back) != len(triples):
        return False
    if not any(
        isinstance(term, ox.BlankNode)
        for t in triples
        for term in (t.subject, t.object)
    ):
        return set(back) == set(triples)
    return sorted(map(shape, back)) == sorted(map(shape, triples))


def alternate_files(
    path: str, triples: Sequence[ox.Triple]
) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """``AlternateWriter().files``: the alternates of one page."""
    return AlternateWriter().files(path, triples)


def serialise(graph: Graph, fmt: str) -> bytes:
    """Serialise a small graph deterministically (N-Triples lines sorted)."""
    if fmt == "nt":
        lines = sorted(set(graph.serialize(format="nt").splitlines()))
        return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")
    if fmt == "xml":
        return serialise_rdfxml(graph)
    if fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        data = graph.serialize(format="json-ld", context=context)
        return canonical_json(json.loads(data)).encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")


def serialise_rdfxml(graph: Graph) -> bytes:
    """Plain RDF/XML with subjects, properties and namespaces in sorted order.

    rdflib's RDF/XML serialisers order namespaces and subjects by hash, so their
    output changes between runs; a catalogue record must diff cleanly. Handles
    what the DCAT and VoID records use: IRI subjects and objects, plain,
    language-tagged and typed literals (no blank nodes, no lists).

    Raises:
        ValueError: for a blank node or a predicate that has no XML local name.
    """
    names: dict[str, str] = {str(RDF): "rdf"}
    known = {str(ns): prefix for prefix, ns in graph.namespaces()}
    lines: list[str] = []

    def qname(iri: URIRef) -> str:
        text = str(iri)
        cut = max(text.rfind("#"), text.rfind("/")) + 1
        namespace, local = text[:cut], text[cut:]
        if not local or not (local[0].isalpha() or local[0] == "_"):
            raise ValueError(f"no RDF/XML name for <{iri}>")
        if namespace not in names:
            prefix = known.get(namespace) or f"ns{len(names)}"
            names[namespace] = (
                prefix if prefix not in names.values() else f"ns{len(names)}"
            )
        return f"{names[namespace]}:{local}"

    for subject in sorted(set(graph.subjects()), key=str):
        if not isinstance(subject, URIRef):
            raise ValueError("RDF/XML record with a blank node")
        lines.append(f'  <rdf:Description rdf:about="{quoteattr(str(subject))[1:-1]}">')
        for prop, value in sorted(graph.predicate_objects(subject)):
            name = qname(prop)  # type: ignore[arg-type]
            if isinstance(value, URIRef):
                resource = quoteattr(str(value))
                lines.append(f"    <{name} rdf:resource={resource}/>")
            elif isinstance(value, Literal):
                attrs = ""
                if value.language:
                    attrs = f" xml:lang={quoteattr(value.language)}"
                elif value.datatype is not None:
                    attrs = f" rdf:datatype={quoteattr(str(value.datatype))}"
                # A carriage return as a reference: XML parsers turn a raw one
                # into a line feed.
                text = escape(str(value), {"\r": "&#13;"})
                lines.append(f"    <{name}{attrs}>{text}</{name}>")
            else:
                raise ValueError("RDF/XML record with a blank node")
        lines.append("  </rdf:Description>")
    declarations = "".join(
        f"\n  xmlns:{prefix}={quoteattr(namespace)}"
        for namespace, prefix in sorted(names.items(), key=lambda kv: kv[1])
    )
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<rdf:RDF{declarations}>\n" + "\n".join(lines) + "\n</rdf:RDF>\n"
    )
    return text.encode("utf-8")
