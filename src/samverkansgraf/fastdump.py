"""Stage 3b — fast dump writers: byte-identical to rdflib's, without its overhead.

Input: the named graphs of an ``AssembledDataset``. Output: the same bytes rdflib's
N-Quads, Turtle and JSON-LD serialisers produce for those graphs (as
``build.serialise_dataset`` post-processes them), written in a fraction of the time:
rdflib's Turtle serialiser spends most of its time copying graphs and recomputing
prefixed names graph by graph, which these writers do once per IRI.

Exactness is by construction where possible — the N-Quads rows come from rdflib's
own row function, literals from rdflib's own ``_literal_n3``, objects are ordered by
rdflib's own term ordering, prefixed names by rdflib's own ``compute_qname`` — and
the layout code mirrors ``rdflib.plugins.serializers.turtle.TurtleSerializer`` line
by line for graphs without blank nodes. Anything outside that (blank nodes, RDF
lists, a predicate needing a generated ``ns1:`` prefix) raises
``UnsupportedGraphError`` and the caller uses rdflib. ``tests/test_fastdump.py``
compares both on the real data and on synthetic data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from .namespaces import bind_prefixes

__all__ = ["UnsupportedGraphError", "jsonld_nodes", "nquads_text", "turtle_text"]

_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NATIVE = {XSD.boolean, XSD.integer, XSD.double, XSD.string}


class UnsupportedGraphError(Exception):
    """The graph needs a feature these writers do not mirror; use rdflib."""


def nquads_text(graphs: dict[URIRef, Graph]) -> str:
    """All quads as rdflib's N-Quads serialiser writes them (unsorted)."""
    return "".join(
        _nq_row(triple, iri) for iri, graph in graphs.items() for triple in graph
    )


class _Names:
    """Prefixed names computed once per IRI for graphs sharing their bindings."""

    def __init__(self, namespaces: Iterable[tuple[str, URIRef]] | None) -> None:
        if namespaces is None:  # the union graph of build: bind_prefixes(Graph())
            self.graph = bind_prefixes(Graph())
        else:
            bare = Graph(bind_namespaces="none")
            for prefix, namespace in namespaces:
                bare.bind(prefix, namespace, override=True, replace=True)
            # The namespace manager of bind_prefixes(Graph() + graph), which
            # build._trig serialises.
            self.graph = bind_prefixes(Graph() + bare)
        self.manager = self.graph.namespace_manager
        self.cache: dict[tuple[URIRef, bool], tuple[str, URIRef] | None] = {}

    def pname(self, uri: URIRef, verb: bool) -> tuple[str, URIRef] | None:
        """``TurtleSerializer.get_pname``: (``prefix:local``, namespace) or None."""
        key = (uri, verb)
        if key in self.cache:
            return self.cache[key]
        try:
            prefix, namespace, local = self.manager.compute_qname(uri, generate=False)
        except KeyError as exc:
            if verb:  # rdflib would generate an ns1: prefix for this graph
                raise UnsupportedGraphError(
                    f"predicate {uri} needs a generated prefix"
                ) from exc
            result = self._bare_prefix(uri)
        except Exception:
            result = self._bare_prefix(uri)
        else:
            local = local.replace("(", r"\(").replace(")", r"\)")
            local = _PERCENT.sub("\\%", local)
            if prefix.startswith("_"):
                raise UnsupportedGraphError(f"prefix {prefix} starts with '_'")
            result = None if local.endswith(".") else (f"{prefix}:{local}", namespace)
        self.cache[key] = result
        return result

    def _bare_prefix(self, uri: URIRef) -> tuple[str, URIRef] | None:
        prefix = self.graph.store.prefix(uri)
        return (f"{prefix}:", uri) if prefix is not None else None


_NAMES: dict[frozenset[tuple[str, URIRef]] | None, _Names] = {}


def _names_for(graph: Graph | None) -> _Names:
    key = None if graph is None else frozenset(graph.namespaces())
    names = _NAMES.get(key)
    if names is None:
        names = _NAMES[key] = _Names(key)
    return names


def turtle_text(
    by_subject: dict[Node, dict[Node, list[Node]]], graph: Graph | None
) -> str:
    """rdflib's Turtle for the triples ``by_subject`` (subject → predicate →
    objects).

    Args:
        by_subject: the triples, as from ``index_graphs``.
        graph: the graph whose namespace bindings ``build._trig`` serialises
            with (``bind_prefixes(Graph() + graph)``), or ``None`` for the union
            graph (``bind_prefixes(Graph())``).

    Raises:
        UnsupportedGraphError: for blank nodes or a predicate needing a
            generated prefix.
    """
    names = _names_for(graph)
    used: dict[str, URIRef] = {}
    references: dict[Node, int] = defaultdict(int)

    def pname(uri: Node, verb: bool) -> str | None:
        if not isinstance(uri, URIRef):
            return None
        found = names.pname(uri, verb)
        if found is None:
            return None
        text, namespace = found
        used[text.split(":", 1)[0]] = namespace
        return text

    # preprocess(): register the prefixes used and count references.
    for s, predicates in by_subject.items():
        if isinstance(s, BNode):
            raise UnsupportedGraphError("blank node")
        pname(s, False)
        for p, objects in predicates.items():
            if p != RDF.type:
                pname(p, True)
            for o in objects:
                references[o] += 1
                if isinstance(o, BNode):
                    raise UnsupportedGraphError("blank node")
                if isinstance(o, Literal):
                    if o.datatype is not None:
                        pname(o.datatype, False)
                elif o == RDF.nil:
                    raise UnsupportedGraphError("rdf:nil")
                else:
                    pname(o, False)

    def label(node: Node, verb: bool = False) -> str:
        if node == RDF.nil:
            return "()"
        if verb and node == RDF.type:
            return "a"
        if isinstance(node, Literal):
            return node._literal_n3(
                use_plain=True, qname_callback=lambda dt: pname(dt, False)
            )
        return pname(node, verb) or node.n3()

    # orderSubjects(): rdfs:Class instances first, then by (references, IRI).
    classes = sorted(
        s
        for s, predicates in by_subject.items()
        if RDFS.Class in predicates.get(RDF.type, ())
    )
    seen = set(classes)
    rest = sorted((references[s], s) for s in by_subject if s not in seen)
    out: list[str] = []
    for subject in classes + [s for _, s in rest]:
        properties = by_subject[subject]
        for objects in properties.values():
            objects.sort()
        order = [p for p in (RDF.type, RDFS.label) if p in properties]
        order += sorted(p for p in properties if p not in (RDF.type, RDFS.label))
        parts = ["\n", label(subject)]
        for index, predicate in enumerate(order):
            if index:
                parts.append(" ;\n    ")
                parts.append(label(predicate, True))
            else:
                parts.append(" " + label(predicate, True))
            objects = properties[predicate]
            parts.append(" " + label(objects[0]))
            for obj in objects[1:]:
                parts.append(",\n        " + label(obj))
        parts.append(" .\n")
        out.append("".join(parts))
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(used.items()))
    return header + "".join(out) + "\n"


def index_graphs(graphs: Iterable[Graph]) -> dict[Node, dict[Node, list[Node]]]:
    """Subject → predicate → objects of the union of ``graphs`` (no duplicates)."""
    index: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    for graph in graphs:
        for s, p, o in graph:
            index[s][p].add(o)
    return {
        s: {p: list(objects) for p, objects in predicates.items()}
        for s, predicates in index.items()
    }


def jsonld_nodes(graph: Graph) -> list[dict[str, Any]]:
    """The node objects rdflib's JSON-LD serialiser writes for ``graph`` (without
    a context), in no particular order: ``build._jsonld`` sorts them.

    Raises:
        UnsupportedGraphError: for blank nodes, RDF lists or literal
            ``rdf:type`` values.
    """
    nodes: dict[Node, dict[str, Any]] = {}
    for s, p, o in graph:
        if isinstance(s, BNode) or isinstance(o, BNode) or o == RDF.nil:
            raise UnsupportedGraphError("blank node or list")
        node = nodes.get(s)
        if node is None:
            node = nodes[s] = {"@id": str(s)}
        if p == RDF.type:
            if not isinstance(o, URIRef):
                raise UnsupportedGraphError("literal rdf:type")
            node.setdefault("@type", []).append(str(o))
            continue
        if p == RDF.first:
            raise UnsupportedGraphError("RDF list")
        if isinstance(o, URIRef):
            value: dict[str, Any] = {"@id": str(o)}
        elif isinstance(o, Literal):
            if o.datatype is not None:
                if o.datatype in _NATIVE:
                    native = o.toPython()
                    if isinstance(native, Literal):
                        raise UnsupportedGraphError("ill-typed literal")
                    value = {"@type": str(o.datatype), "@value": native}
                else:
                    value = {"@type": str(o.datatype), "@value": str(o)}
            elif o.language:
                value = {"@language": o.language, "@value": str(o)}
            else:
                value = {"@value": str(o)}
        else:  # pragma: no cover
            raise UnsupportedGraphError(f"term {o!r}")
        node.setdefault(str(p), []).append(value)
    return list(nodes.values())
