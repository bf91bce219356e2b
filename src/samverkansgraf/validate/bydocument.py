"""Stage 4 (by document) — which results a changed document can change, so that a
rebuild validates only those.

Input: the shapes (compiled by ``fast``) and, per named graph, its *footprint*: its
subjects, the resources it points to, the predicates whose objects lie outside it.
Output: the split of the shapes into those that look only *forward* from a focus
node and those that join across documents (``ShapeScopes``), the documents each
document depends on (``dependencies``), and ``ValidationMemory``: the results of
the last validation, per document, with what they depended on.

**Why a document's results can be kept.** A shape that only looks forward from
its focus node (predicate paths, ``sh:class`` following ``rdf:type`` and
``rdfs:subClassOf``, a SPARQL query whose every triple pattern starts at ``$this``
or at a node such a pattern reached) sees only triples whose subject is reachable
from the focus node. When every subject is described by one graph alone (a
document, or the shared vocabulary and reference), the results for a focus node
described by document D depend only on D, the shared graphs and the documents D
points to, transitively — and not at all on any other document. So:

1. ``validate(dataset)`` = the results of validating ``shared ∪ D ∪ deps(D)`` for
   every D, each kept for the focus nodes D describes;
2. after a change, a document's kept results still hold when neither it nor any
   document it depends on changed, and its dependencies are the same;
3. shapes that join across documents (``ClausePositionUniqueShape``: two clauses of
   one agreement; a code claimed twice) are SPARQL queries over a few constant
   predicates: they are run again on every build, on a store of just the triples
   with those predicates (each document's share is kept too).

**Never a guess.** Every condition is checked on every build, and any that fails
means validating the whole dataset, as a build without memory does: a subject
described by two graphs, a shared graph pointing into a document, a
``sh:targetObjectsOf`` predicate pointing out of its document, a shape this module
cannot classify (an inverse path, ``EXISTS``, a query it cannot parse), or a
memory that is missing, damaged or made from other shapes, vocabulary or code.
``tests/test_incremental.py`` checks that the results are always those of a full
validation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.term import Node

from ..namespaces import SH
from .fast import CompiledShapes
from .shacl import ValidationResult

if TYPE_CHECKING:
    # rdflib's SPARQL package (a tenth of a second of imports) is loaded only
    # when shapes are classified (``_algebra``), not with every build.
    from rdflib.plugins.sparql.parserutils import CompValue

__all__ = [
    "DocumentMemory",
    "GraphFootprint",
    "ShapeScopes",
    "ValidationMemory",
    "Ownership",
    "closure",
    "owner_of",
    "ownership",
    "projection_lines",
    "result_from_json",
    "result_to_json",
    "shape_scopes",
    "split_compiled",
]


class GraphFootprint(Protocol):
    """What this module reads of a graph (``build.document.Footprint``)."""

    @property
    def subjects(self) -> list[str]:
        """Every subject of the graph."""
        ...

    @property
    def references(self) -> list[str]:
        """Resources used as objects that are not subjects of the graph."""
        ...

    @property
    def outward(self) -> list[str]:
        """Predicates with an object that is not a subject of the graph."""
        ...


@dataclass(frozen=True)
class ShapeScopes:
    """How far the shapes look."""

    across: frozenset[Node]
    """Shapes whose SPARQL joins across documents (run on every build)."""
    projection: frozenset[str]
    """The predicates those shapes read: their store holds only these triples."""
    objects_of: frozenset[str]
    """The predicates of ``sh:targetObjectsOf``."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible copy."""
        return {
            "across": [_term_json(shape) for shape in sorted(self.across, key=str)],
            "projection": sorted(self.projection),
            "objects_of": sorted(self.objects_of),
        }

    @classmethod
    def from_json(cls, data: Any) -> ShapeScopes:
        """The scopes of ``to_json``'s output.

        Raises:
            ValueError, KeyError, TypeError: malformed data.
        """
        return cls(
            frozenset(_term_of(shape) for shape in data["across"]),
            frozenset(data["projection"]),
            frozenset(data["objects_of"]),
        )


# Node shape predicates a shape joining across documents may carry: its SPARQL
# target(s) and constraint(s), and nothing that needs more of the data.
_ACROSS_ONLY = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.target,
    SH.sparql,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
}
_PATTERN_NODES = {
    "SelectQuery",
    "Project",
    "Distinct",
    "Reduced",
    "Filter",
    "BGP",
    "Join",
    "Extend",
}


class _UnclassifiedError(Exception):
    """A query or shape this module cannot classify: validate everything."""


def shape_scopes(shapes: Graph, compiled: CompiledShapes) -> ShapeScopes | None:
    """Classify the shapes; None when some shape cannot be classified (then every
    build validates the whole dataset).

    Args:
        shapes: the shapes graph.
        compiled: the same shapes compiled by the fast engine.
    """
    try:
        return _shape_scopes(shapes, compiled)
    except _UnclassifiedError:
        return None


def _shape_scopes(shapes: Graph, compiled: CompiledShapes) -> ShapeScopes:
    for path in shapes.objects(None, SH.path):
        if not isinstance(path, URIRef):  # the fast engine compiles IRI paths only
            raise _UnclassifiedError(f"path {path}")
    across: set[Node] = set()
    projection: set[str] = set()
    queries: dict[Node, list[str]] = {}
    for shape, targets in compiled.sparql_targets.items():
        queries.setdefault(shape, []).extend(targets)
    for query in compiled.queries:
        if query.kind == "sparql":
            queries.setdefault(query.shape, []).append(query.sparql)
    for shape, texts in queries.items():
        if all(_forward(text) for text in texts):
            continue
        if any(p not in _ACROSS_ONLY for p, _ in shapes.predicate_objects(shape)):
            raise _UnclassifiedError(f"shape {shape} joins across documents and more")
        across.add(shape)
        for text in texts:
            projection |= _constant_predicates(text)
    objects_of = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    return ShapeScopes(frozenset(across), frozenset(projection), frozenset(objects_of))


def _algebra(text: str) -> CompValue:
    from rdflib.plugins.sparql import prepareQuery  # a second of imports: when needed

    try:
        return prepareQuery(text).algebra
    except Exception as error:  # noqa: BLE001 - unparsable here: unclassified
        raise _UnclassifiedError(f"query not parsed: {error}") from error


def _patterns(node: Any, found: list[tuple[Any, Any, Any]]) -> None:
    """The triple patterns of a query's algebra; anything but a plain group of
    triple patterns, filters and BINDs without EXISTS is unclassified."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(node, CompValue) or node.name not in _PATTERN_NODES:
        raise _UnclassifiedError(f"query part {getattr(node, 'name', node)}")
    if node.name == "BGP":
        found.extend(node["triples"])
        return
    if "expr" in node and _has_exists(node["expr"]):
        raise _UnclassifiedError("EXISTS")
    for key in ("p", "p1", "p2"):
        if key in node:
            _patterns(node[key], found)


def _has_exists(expression: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(expression, CompValue):
        if expression.name.startswith(("Builtin_EXISTS", "Builtin_NOTEXISTS")):
            return True
        return any(_has_exists(value) for value in expression.values())
    if isinstance(expression, list | tuple):
        return any(_has_exists(value) for value in expression)
    return False


def _forward(text: str) -> bool:
    """True when every triple pattern of the query starts at ``$this`` or at a
    variable an earlier-matched pattern reached from it, along forward paths."""
    patterns: list[tuple[Any, Any, Any]] = []
    _patterns(_algebra(text), patterns)
    reached = {Variable("this")}
    waiting = list(patterns)
    while waiting:
        ready = [t for t in waiting if t[0] in reached]
        if not ready:
            return False
        for s, p, o in ready:
            if not _forward_path(p):
                return False
            if isinstance(o, Variable):
                reached.add(o)
            waiting.remove((s, p, o))
    return True


def _forward_path(path: Any) -> bool:
    if isinstance(path, URIRef | Variable):
        return True
    if isinstance(path, SequencePath | AlternativePath):
        return all(_forward_path(p) for p in path.args)
    if isinstance(path, MulPath):
        return _forward_path(path.path)
    if isinstance(path, NegatedPath):
        return all(isinstance(p, URIRef) for p in path.args)
    return False  # InvPath and anything unknown


def _constant_predicates(text: str) -> set[str]:
    """The predicates of a query whose patterns all name theirs; unclassified if
    one does not (a variable, a negated path) or may match a path of length zero
    (which would join every node of the data)."""
    patterns: list[tuple[Any, Any, Any]] = []
    _patterns(_algebra(text), patterns)
    found: set[str] = set()
    for _, p, _ in patterns:
        found |= _path_predicates(p)
    return found


def _path_predicates(path: Any) -> set[str]:
    if isinstance(path, URIRef):
        return {str(path)}
    if isinstance(path, SequencePath | AlternativePath):
        return {iri for p in path.args for iri in _path_predicates(p)}
    if isinstance(path, InvPath):
        return _path_predicates(path.arg)
    if isinstance(path, MulPath) and path.mod == "+":
        return _path_predicates(path.path)
    raise _UnclassifiedError(f"predicate {path}")


def split_compiled(
    compiled: CompiledShapes, across: Iterable[Node]
) -> tuple[CompiledShapes, CompiledShapes]:
    """The compiled shapes as (those looking forward, those joining across)."""
    across = set(across)
    parts = []
    for keep in (lambda shape: shape not in across, lambda shape: shape in across):
        parts.append(
            CompiledShapes(
                queries=[q for q in compiled.queries if keep(q.shape)],
                sparql_targets={
                    s: t for s, t in compiled.sparql_targets.items() if keep(s)
                },
                messages=compiled.messages,
            )
        )
    return parts[0], parts[1]


@dataclass
class Ownership:
    """Which document describes each subject, and which documents each points to."""

    owners: dict[str, str]
    """Subject name → the document graph describing it (shared graphs' subjects
    are not listed)."""
    dependencies: dict[str, set[str]]
    """Document → the documents whose subjects it points to."""


def ownership(
    shared: Iterable[GraphFootprint],
    documents: Mapping[str, GraphFootprint],
    scopes: ShapeScopes,
) -> Ownership | None:
    """Who describes what; None when the conditions of keeping results per
    document do not hold (see the module docstring): a subject described by two
    graphs, a shared graph pointing into a document, or a ``sh:targetObjectsOf``
    predicate pointing out of a document.

    Args:
        shared: the footprints of the ontology, schemes and reference graphs.
        documents: graph IRI → footprint of every document.
        scopes: from ``shape_scopes``.
    """
    owners: dict[str, str] = {}
    for name, footprint in documents.items():
        for subject in footprint.subjects:
            if owners.setdefault(subject, name) != name:
                return None
        if scopes.objects_of.intersection(footprint.outward):
            return None
    for footprint in shared:
        if not owners.keys().isdisjoint(footprint.subjects):
            return None
        if not owners.keys().isdisjoint(footprint.references):
            return None
    return Ownership(
        owners,
        {
            name: {owners[r] for r in footprint.references if r in owners} - {name}
            for name, footprint in documents.items()
        },
    )


def closure(graph: Mapping[str, set[str]], start: Iterable[str]) -> set[str]:
    """Every node reachable from ``start`` in ``graph`` (``start`` included)."""
    seen = set(start)
    waiting = list(seen)
    while waiting:
        for nxt in graph.get(waiting.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                waiting.append(nxt)
    return seen


def projection_lines(nquads: bytes, predicates: Iterable[str]) -> bytes:
    """The N-Quads lines of ``nquads`` whose predicate is one of ``predicates``.

    Each predicate is looked for with ``bytes.find`` and a line kept only when it
    stands right after the line's subject (not inside a literal); the lines come
    out in the input's order.
    """
    found: list[tuple[int, bytes]] = []
    for name in predicates:
        needle = b" <" + name.encode("utf-8") + b"> "
        position = nquads.find(needle)
        while position >= 0:
            start = nquads.rfind(b"\n", 0, position) + 1
            subject = nquads[start:position]
            if (
                subject.startswith(b"<") and subject.find(b">") == len(subject) - 1
            ) or (subject.startswith(b"_:") and b" " not in subject):
                end = nquads.find(b"\n", position) + 1
                found.append((start, nquads[start:end]))
            position = nquads.find(needle, position + len(needle))
    return b"".join(line for _, line in sorted(found))


def owner_of(focus: Node, owners: Mapping[str, str]) -> str | None:
    """The document describing ``focus`` (None: a shared graph, or nobody)."""
    if isinstance(focus, BNode):
        return owners.get(f"_:{focus}")
    if isinstance(focus, URIRef):
        return owners.get(str(focus))
    return None


# ---------------------------------------------------------------------------
# The memory of the last validation
# ---------------------------------------------------------------------------


@dataclass
class DocumentMemory:
    """What the last validation knew of one document."""

    key: str
    """The document's build-cache key (its content)."""
    dependencies: list[str]
    """The documents it pointed to."""
    results: list[ValidationResult]
    """The results for the focus nodes it describes (forward shapes only)."""
    projection: str
    """Its triples with a predicate of ``ShapeScopes.projection`` (N-Quads)."""


@dataclass
class ValidationMemory:
    """The results of the last validation, per document (kept in the build cache)."""

    key: str
    """What they were computed with: code, shapes and shared graphs."""
    documents: dict[str, DocumentMemory] = field(default_factory=dict)
    """Document graph IRI → its memory."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible copy."""
        return {
            "key": self.key,
            "documents": {
                name: {
                    "key": memory.key,
                    "dependencies": memory.dependencies,
                    "results": [result_to_json(r) for r in memory.results],
                    "projection": memory.projection,
                }
                for name, memory in self.documents.items()
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> ValidationMemory:
        """The memory of ``to_json``'s output.

        Raises:
            ValueError, KeyError, TypeError: a malformed memory.
        """
        return cls(
            key=data["key"],
            documents={
                name: DocumentMemory(
                    key=entry["key"],
                    dependencies=list(entry["dependencies"]),
                    results=[result_from_json(r) for r in entry["results"]],
                    projection=entry["projection"],
                )
                for name, entry in data["documents"].items()
            },
        )


def _term_json(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ["iri", str(term)]
    if isinstance(term, BNode):
        return ["bnode", str(term)]
    if isinstance(term, Literal):
        datatype = None if term.datatype is None else str(term.datatype)
        return ["literal", str(term), term.language, datatype]
    raise TypeError(f"term {term!r}")


def _term_of(data: Any) -> Any:
    if data is None:
        return None
    kind = data[0]
    if kind == "iri":
        return URIRef(data[1])
    if kind == "bnode":
        return BNode(data[1])
    if kind == "literal":
        _, value, language, datatype = data
        if language is not None:
            return Literal(value, lang=language)
        return Literal(value, datatype=None if datatype is None else URIRef(datatype))
    raise ValueError(f"term {data!r}")


def result_to_json(result: ValidationResult) -> list[Any]:
    """A result as JSON (terms exact: kind, value, language, datatype)."""
    return [
        _term_json(result.focus),
        _term_json(result.path),
        result.message,
        result.severity,
        _term_json(result.shape),
        _term_json(result.value),
        [_term_json(m) for m in result.messages],
    ]


def result_from_json(data: list[Any]) -> ValidationResult:
    """The inverse of ``result_to_json``."""
    focus, path, message, severity, shape, value, messages = data
    return ValidationResult(
        focus=_term_of(focus),
        path=_term_of(path),
        message=message,
        severity=severity,
        shape=_term_of(shape),
        value=_term_of(value),
        messages=tuple(_term_of(m) for m in messages),
    )
