"""Stage 3b — fast dump writers: byte-identical to rdflib's, without its overhead.

Input: the named graphs of an ``AssembledDataset``. Output: the same bytes rdflib's
N-Quads, Turtle and JSON-LD serialisers produce for those graphs (as
``build.serialise_dataset`` post-processes them), written in a fraction of the time:
rdflib's Turtle serialiser spends most of its time copying graphs and recomputing
prefixed names graph by graph, which these writers do once per IRI.

Exactness is by construction where possible — the N-Quads rows come from rdflib's
own row function, literals from rdflib's own ``_literal_n3``, objects are ordered by
rdflib's own term ordering, prefixed names by rdflib's ``split_uri`` and namespace
bindings (``_Names.compute_qname`` explains why its trie is not needed) — and the
layout code mirrors ``rdflib.plugins.serializers.turtle.TurtleSerializer`` line
by line for graphs without blank nodes. Anything outside that (blank nodes, RDF
lists, a predicate needing a generated ``ns1:`` prefix) raises
``UnsupportedGraphError`` and the caller uses rdflib. ``tests/test_fastdump.py``
compares both on the real data and on synthetic data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD, split_uri
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node, _is_valid_uri

from ..namespaces import bind_prefixes

__all__ = [
    "UnsupportedGraphError",
    "clear_caches",
    "turtle_pieces",
    "jsonld_nodes",
    "nquads_text",
    "turtle_text",
]

_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NATIVE = {XSD.boolean, XSD.integer, XSD.double, XSD.string}


class UnsupportedGraphError(Exception):
    """The graph needs a feature these writers do not mirror; use rdflib."""


def nquads_text(graphs: dict[URIRef, Iterable[tuple[Node, Node, Node]]]) -> str:
    """All quads as rdflib's N-Quads serialiser writes them (unsorted).

    Args:
        graphs: graph IRI → its triples (an rdflib graph or a list).
    """
    return "".join(
        _nq_row(triple, iri) for iri, triples in graphs.items() for triple in triples
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
        self.bound = sorted({str(ns) for _, ns in self.manager.namespaces()})
        self.node_labels: dict[Node, tuple[str, tuple[tuple[str, URIRef], ...]]] = {}
        self.verb_labels: dict[Node, tuple[str, tuple[tuple[str, URIRef], ...]]] = {}
        self.extensions: dict[str, list[str]] = {}

    def compute_qname(self, uri: URIRef) -> tuple[str, URIRef, str]:
        """``NamespaceManager.compute_qname(uri, generate=False)`` without its
        namespace trie, whose insertion of every new namespace (one per fact's
        ``#evidence`` fragment) made rdflib's version the serialiser's hot spot.

        rdflib splits the IRI (``split_uri``), then takes the longest namespace in
        its trie that extends the split namespace and begins the IRI. Namespaces
        enter that trie by binding or as split namespaces of earlier IRIs; an
        earlier split namespace can never be such an extension (it would end
        inside this IRI's local name, where ``split_uri`` does not split), so only
        bound namespaces count, and the answer does not depend on history.
        """
        if not _is_valid_uri(uri):
            raise ValueError(f"{uri} is not a valid URI")
        try:
            namespace, name = split_uri(uri)
        except ValueError:
            namespace, name = str(uri), ""
            if not self.graph.store.prefix(URIRef(namespace)):
                raise
        extensions = self.extensions.get(namespace)
        if extensions is None:
            extensions = [n for n in self.bound if n.startswith(namespace)]
            self.extensions[namespace] = extensions
        longest = None
        for candidate in extensions:
            if uri.startswith(candidate) and (
                longest is None or len(candidate) > len(longest)
            ):
                longest = candidate
        if longest is not None:
            namespace, name = longest, uri[len(longest) :]
        prefix = self.graph.store.prefix(URIRef(namespace))
        if prefix is None:
            raise KeyError(f"No known prefix for {namespace} and generate=False")
        return prefix, URIRef(namespace), name

    def pname(self, uri: URIRef, verb: bool) -> tuple[str, URIRef] | None:
        """``TurtleSerializer.get_pname``: (``prefix:local``, namespace) or None."""
        key = (uri, verb)
        if key in self.cache:
            return self.cache[key]
        try:
            prefix, namespace, local = self.compute_qname(uri)
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


def clear_caches() -> None:
    """Forget the cached labels (one entry per term written: hundreds of MB after a
    national graph). ``build`` calls it when its Turtle writing is done."""
    _NAMES.clear()


def _names_for(graph: Graph | None) -> _Names:
    key = None if graph is None else frozenset(graph.namespaces())
    names = _NAMES.get(key)
    if names is None:
        names = _NAMES[key] = _Names(key)
    return names


_TYPE = RDF.type
_LABEL = RDFS.label
_CLASS = RDFS.Class
_NIL = str(RDF.nil)
_TYPE_STR = str(RDF.type)
_FIRST_STR = str(RDF.first)
_TOP = (_TYPE, _LABEL)


def turtle_text(
    by_subject: dict[Node, dict[Node, list[Node]]], graph: Graph | None
) -> str:
    """rdflib's Turtle for the triples ``by_subject`` (subject → predicate →
    objects; the object lists are sorted in place); see ``turtle_pieces``."""
    return "".join(turtle_pieces(by_subject, graph))


def turtle_pieces(
    by_subject: dict[Node, dict[Node, list[Node]]],
    graph: Graph | None,
    batch: int = 65536,
) -> Iterator[str]:
    """``turtle_text`` in pieces (the prefixes, then about ``batch`` fragments at
    a time), so a large graph can be written without holding its whole text.

    The labels are all computed (and the prefixes they use registered) before
    the first statement is written, as rdflib's ``preprocess`` does, so the
    prefix lines come first.

    Args:
        by_subject: the triples, as from ``index_triples``.
        graph: the graph whose namespace bindings ``build._trig`` serialises
            with (``bind_prefixes(Graph() + graph)``), or ``None`` for the union
            graph (``bind_prefixes(Graph())``).

    Raises:
        UnsupportedGraphError: for blank nodes or a predicate needing a
            generated prefix.
    """
    names = _names_for(graph)
    node_labels = names.node_labels
    verb_labels = names.verb_labels
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

    def node_label(node: Node) -> str:
        """label(node, OBJECT/SUBJECT), registering its prefixes as preprocess()."""
        cached = node_labels.get(node)
        if cached is not None:
            text, prefixes = cached
            for prefix, namespace in prefixes:
                used[prefix] = namespace
            return text
        before = dict(used)
        used.clear()
        if isinstance(node, Literal):
            if node.datatype is not None:
                pname(node.datatype, False)
            text = node._literal_n3(
                use_plain=True, qname_callback=lambda dt: pname(dt, False)
            )
        elif isinstance(node, BNode):
            raise UnsupportedGraphError("blank node")
        elif node.__class__ is URIRef and str.__eq__(node, _NIL):
            raise UnsupportedGraphError("rdf:nil")
        else:
            text = pname(node, False) or node.n3()
        node_labels[node] = (text, tuple(used.items()))
        used.update(before)
        return text

    def verb_label(node: Node) -> str:
        cached = verb_labels.get(node)
        if cached is not None:
            text, prefixes = cached
            for prefix, namespace in prefixes:
                used[prefix] = namespace
            return text
        before = dict(used)
        used.clear()
        if node == _TYPE:
            text = "a"
        else:
            if isinstance(node, BNode):
                raise UnsupportedGraphError("blank node")
            text = pname(node, True) or node.n3()
        verb_labels[node] = (text, tuple(used.items()))
        used.update(before)
        return text

    # preprocess(): count references, compute every label (registering prefixes).
    subject_labels: dict[Node, str] = {}
    for subject, properties in by_subject.items():
        subject_labels[subject] = node_label(subject)
        for predicate, objects in properties.items():
            verb_label(predicate)
            for obj in objects:
                references[obj] += 1
                node_label(obj)

    # orderSubjects(): rdfs:Class instances first, then by (references, IRI).
    # rdflib terms order themselves (Identifier.__lt__), which typeshed's Node
    # does not declare: hence the type: ignore[type-var] on the sorts below.
    classes = sorted(  # type: ignore[type-var]
        s for s, properties in by_subject.items() if _CLASS in properties.get(_TYPE, ())
    )
    seen = set(classes)
    rest = sorted((references[s], s) for s in by_subject if s not in seen)
    yield "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(used.items()))
    out: list[str] = []
    write = out.append
    for subject in classes + [s for _, s in rest]:
        if len(out) >= batch:
            yield "".join(out)
            out.clear()
        properties = by_subject[subject]
        order: list[Node] = [p for p in _TOP if p in properties]
        order += sorted(p for p in properties if p not in _TOP)  # type: ignore[type-var]
        write("\n")
        write(subject_labels[subject])
        for index, predicate in enumerate(order):
            write(" ;\n    " if index else " ")
            write(verb_labels[predicate][0])
            objects = properties[predicate]
            if len(objects) > 1:
                objects.sort()  # type: ignore[call-arg] # terms order themselves
            write(" ")
            write(node_labels[objects[0]][0])
            for obj in objects[1:]:
                write(",\n        ")
                write(node_labels[obj][0])
        write(" .\n")
    write("\n")
    yield "".join(out)


def index_triples(
    triples: Iterable[tuple[Node, Node, Node]],
) -> dict[Node, dict[Node, list[Node]]]:
    """Subject → predicate → objects (no duplicates)."""
    index: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        properties = index.get(s)
        if properties is None:
            properties = index[s] = {}
        objects = properties.get(p)
        if objects is None:
            properties[p] = [o]
        else:
            objects.append(o)
    return index


def merge_indexes(
    indexes: Iterable[dict[Node, dict[Node, list[Node]]]],
) -> dict[Node, dict[Node, list[Node]]]:
    """The index of the union of several graphs' indexes (duplicates removed).

    A subject found in one graph only shares that graph's property dict (no
    copy: national graphs barely overlap); it is copied when a second graph
    adds to it. Sorting object lists in place, as ``turtle_text`` does, is
    harmless to the sharing graphs.
    """
    union: dict[Node, dict[Node, list[Node]]] = {}
    shared: set[Node] = set()
    for index in indexes:
        for s, properties in index.items():
            target = union.get(s)
            if target is None:
                union[s] = properties
                shared.add(s)
                continue
            if s in shared:
                target = union[s] = {p: list(o) for p, o in target.items()}
                shared.discard(s)
            for p, objects in properties.items():
                existing = target.get(p)
                if existing is None:
                    target[p] = list(objects)
                else:
                    present = set(existing)
                    existing.extend(o for o in objects if o not in present)
    return union


def index_items(
    index: dict[Node, dict[Node, list[Node]]],
) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of an index."""
    for s, properties in index.items():
        for p, objects in properties.items():
            for o in objects:
                yield s, p, o


def jsonld_nodes(graph: Iterable[tuple[Node, Node, Node]]) -> list[dict[str, Any]]:
    """The node objects rdflib's JSON-LD serialiser writes for ``graph`` (without
    a context), in no particular order: ``rdfio.canonical_tree`` sorts them.

    Raises:
        UnsupportedGraphError: for blank nodes, RDF lists or literal
            ``rdf:type`` values.
    """
    nodes: dict[Node, dict[str, Any]] = {}
    for s, p, o in graph:
        if (
            isinstance(s, BNode)
            or isinstance(o, BNode)
            or (o.__class__ is URIRef and str.__eq__(o, _NIL))
        ):
            raise UnsupportedGraphError("blank node or list")
        node = nodes.get(s)
        if node is None:
            node = nodes[s] = {"@id": str(s)}
        if _TYPE_STR.__eq__(p):
            if not isinstance(o, URIRef):
                raise UnsupportedGraphError("literal rdf:type")
            node.setdefault("@type", []).append(str(o))
            continue
        if _FIRST_STR.__eq__(p):
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
