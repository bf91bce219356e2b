"""The machine-readable alternates written beside every page of the site.

Input: a page's site path and the small graph it describes. Output: the same
description in Turtle, JSON-LD and N-Triples (``2083.ttl``, ``2083.jsonld``,
``2083.nt`` beside ``2083.html``), serialised deterministically so that published
sites diff cleanly, and the ``<link rel="alternate">`` entries that point at them.
``ALTERNATES`` is the table ``serve-site`` and the production configs negotiate
among (it is written into ``site.json``).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from rdflib import RDF, Graph, Literal, URIRef

from ..namespaces import PREFIXES
from ..rdfio import JSON_LD, N_TRIPLES, RDF_XML, TURTLE, canonical_json
from .pages import relative_href

__all__ = ["ALTERNATES", "alternate_files", "serialise", "serialise_rdfxml"]

# Machine-readable alternates written beside every page: suffix → (media type, name,
# rdflib format). serve-site and the production configs negotiate among these.
ALTERNATES: dict[str, tuple[str, str, str]] = {
    fmt.suffix: (fmt.media_type, fmt.name, fmt.rdflib)
    for fmt in (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
}


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


def alternate_files(
    path: str, graph: Graph
) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """The alternates of the page at ``path`` describing ``graph``.

    Returns:
        Site path → bytes of each alternate, and the template's alternate links
        (media type, name, href relative to ``path``).
    """
    stem = path[: -len(".html")]
    files = {}
    links = []
    for suffix, (media_type, name, fmt) in ALTERNATES.items():
        files[stem + suffix] = serialise(graph, fmt)
        links.append(
            {
                "type": media_type,
                "name": name,
                "href": relative_href(path, stem + suffix),
            }
        )
    return files, links


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
                lines.append(f"    <{name}{attrs}>{escape(str(value))}</{name}>")
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
