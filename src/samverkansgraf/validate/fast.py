"""Stage 4 (fast engine) — SHACL validation compiled to SPARQL on a pyoxigraph store.

Input: a ``pyoxigraph.Store`` (or an rdflib graph, converted) and the SHACL shapes
graph. Output: the same ``ValidationResult`` tuples pySHACL reports — focus node,
source shape, result path and value — computed by one SPARQL query per constraint,
run by Oxigraph's Rust engine instead of pySHACL's per-focus-node Python loop.

The compiler covers the SHACL Core and SHACL-AF subset that ``shapes/`` uses:
targets ``sh:targetClass`` (instances of subclasses included), ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf`` and ``sh:SPARQLTarget``; constraints
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype`` (ill-typed literals
are checked with rdflib's own rules, as pySHACL does), ``sh:pattern`` (+ ``sh:flags``),
``sh:in``, ``sh:hasValue``, ``sh:node``, ``sh:nodeKind``, ``sh:or``, ``sh:and``,
``sh:not``, ``sh:uniqueLang``, ``sh:lessThan``, ``sh:min/maxInclusive``,
``sh:min/maxExclusive``, ``sh:min/maxLength``, ``sh:qualifiedValueShape`` with
``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``, and ``sh:sparql`` SELECT
constraints on node shapes. Property paths must be single IRIs. Anything else — a
complex path, ``sh:closed``, ``sh:equals``, ``sh:xone``, ``sh:languageIn``, SHACL
rules, SPARQL constraints with pre-bound variables other than ``$this`` — raises
``UnsupportedShapesError`` at compile time, and ``validate_graph`` falls back to
pySHACL.

Result semantics follow pySHACL 0.30+ exactly (tests compare both engines on every
fixture, the real data and synthetic data with injected violations): one result per
(focus, value) for value constraints, one per focus for count constraints, one per
duplicated language for ``sh:uniqueLang``, one per distinct solution for SPARQL
constraints (value = ``?value`` or the focus node). Messages are the shapes'
``sh:message`` (with ``{?var}`` substituted for SPARQL constraints); where a shape
has none, a short generic message is given (not pySHACL's wording).
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..namespaces import SH
from ..rdfio import to_oxigraph, to_rdflib

__all__ = [
    "CompiledShapes",
    "protect_nquads",
    "store_from_nquads",
    "store_from_nquads_file",
    "UnsupportedShapesError",
    "compile_shapes",
    "graph_to_store",
    "validate_store",
]

log = logging.getLogger(__name__)

_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"

# Shape predicates the compiler understands; any other sh: term is unsupported.
_KNOWN = {
    SH[name]
    for name in (
        "targetClass targetNode targetSubjectsOf targetObjectsOf target property path "
        "message severity deactivated name description order group minCount maxCount "
        "class datatype pattern flags in hasValue node nodeKind or and not uniqueLang "
        "lessThan minInclusive maxInclusive minExclusive maxExclusive minLength "
        "maxLength qualifiedValueShape qualifiedMinCount qualifiedMaxCount sparql "
        "declare prefixes"
    ).split()
}
_SINGLE = {
    SH[name]
    for name in (
        "path minCount maxCount datatype pattern flags nodeKind uniqueLang minLength "
        "maxLength minInclusive maxInclusive minExclusive maxExclusive "
        "qualifiedValueShape qualifiedMinCount qualifiedMaxCount deactivated severity"
    ).split()
}
_COMPARISONS: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "!isIRI({v})",
    SH.BlankNode: "!isBlank({v})",
    SH.Literal: "!isLiteral({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})",
    SH.BlankNodeOrLiteral: "isIRI({v})",
    SH.IRIOrLiteral: "isBlank({v})",
}
# Datatypes whose lexical forms need no check (every string is well-formed).
_ANY_LEXICAL = {XSD.string, RDF.langString, RDFS.Literal}
_RISKY_SPARQL = re.compile(
    r"\b(OPTIONAL|MINUS|NOT\s+EXISTS|EXISTS|SERVICE|VALUES|BIND|GROUP\s+BY|"
    r"LIMIT|OFFSET)\b|\$(?!this\b)[A-Za-z_]|\{[^{}]*\bSELECT\b",
    re.IGNORECASE,
)


# Placeholders filled at run time: the SPARQL target's focus nodes, and the
# ill-typed literals a datatype check found in Python.
_TARGET = "{{SPARQL-TARGET}}"
_BAD = "{{ILL-TYPED}}"
# In nested shapes: "the value {v} is one of the ill-typed literals of {datatype}".
_ILL_TYPED = "{{{{ILL-TYPED {datatype} {v}}}}}"
_ILL_TYPED_FOUND = re.compile(r"\{\{ILL-TYPED (\S+) (\S+)\}\}")


def _ill_typed_literals(
    store: ox.Store, queries: Iterable[str]
) -> dict[str, list[str]]:
    """For each datatype a nested check of ``queries`` names, the store's
    ill-typed literals of that datatype (as SPARQL terms).

    Every literal of those datatypes is listed by one scan of the store, not
    one scan per datatype: a chunk of a national build holds 150,000 quads,
    and three separate scans cost a fifth of its validation.
    """
    wanted = {
        match.group(1)
        for sparql in queries
        for match in _ILL_TYPED_FOUND.finditer(sparql)
    }
    found: dict[str, list[str]] = {datatype: [] for datatype in wanted}
    if not wanted:
        return found
    stored = {
        str(_TO_PRIVATE.get(URIRef(datatype), URIRef(datatype))): datatype
        for datatype in wanted
    }
    listing = (
        "SELECT DISTINCT ?v WHERE { ?s ?p ?v FILTER(isLiteral(?v) && DATATYPE(?v) IN ("
        + ", ".join(f"<{iri}>" for iri in sorted(stored))
        + ")) }"
    )
    for row in _rows(store, listing):
        value = row["v"]
        datatype = stored[value.datatype.value]
        if _ill_typed(value.value, URIRef(datatype)):
            found[datatype].append(str(value))
    for terms in found.values():
        terms.sort()  # the order of the store's scan is not the query's business
    return found


def _fill_ill_typed(sparql: str, ill_typed: Mapping[str, list[str]]) -> str:
    """``sparql`` with each nested ill-typed placeholder replaced by the test
    (``ill_typed``: from ``_ill_typed_literals``)."""

    def fill(match: re.Match[str]) -> str:
        datatype, v = match.group(1), match.group(2)
        bad = ill_typed[datatype]
        return " || ".join(f"sameTerm({v}, {b})" for b in bad) if bad else "false"

    return _ILL_TYPED_FOUND.sub(fill, sparql)


# Oxigraph's store canonicalises the datatypes derived from xsd:integer to
# xsd:integer ("5"^^xsd:nonNegativeInteger is stored as "5"^^xsd:integer), which
# would defeat sh:datatype. Such literals are loaded with a private datatype IRI
# instead, mapped back in results, and cast to numbers where compared.
_DERIVED_INTEGERS = tuple(
    XSD[name]
    for name in (
        "nonPositiveInteger negativeInteger long int short byte nonNegativeInteger "
        "unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger"
    ).split()
)
_PRIVATE_DT = "urn:x-samverkansgraf:datatype:"
_TO_PRIVATE = {
    dt: URIRef(_PRIVATE_DT + dt.rsplit("#", 1)[1]) for dt in _DERIVED_INTEGERS
}
_FROM_PRIVATE = {str(private): dt for dt, private in _TO_PRIVATE.items()}


def _numeric(v: str) -> str:
    """``v`` as a number when it carries a private integer datatype."""
    return (
        f'IF(STRSTARTS(STR(DATATYPE({v})), "{_PRIVATE_DT}"), '
        f"<{XSD.integer}>(STR({v})), {v})"
    )


_DERIVED_IN_NQUADS = re.compile(
    rb"\^\^<http://www\.w3\.org/2001/XMLSchema#("
    + b"|".join(dt.rsplit("#", 1)[1].encode() for dt in _DERIVED_INTEGERS)
    + rb")>"
)


def protect_nquads(data: bytes) -> bytes:
    """Rewrite derived-integer datatypes of N-Quads to the private IRIs (see above).

    One pass, and no copy at all when no such datatype occurs.
    """
    if _DERIVED_IN_NQUADS.search(data) is None:
        return data
    private = _PRIVATE_DT.encode()
    return _DERIVED_IN_NQUADS.sub(lambda m: b"^^<" + private + m.group(1) + b">", data)


_XSD_IRI = b"http://www.w3.org/2001/XMLSchema#"
# Typed literals Oxigraph's store rewrites on load (docs/literals.md): a valid but
# non-canonical integer ("04", "+4", " 4") or boolean ("1", "0"), and any decimal,
# double or float whose form is not canonical (checked one by one below).
# Ill-typed lexical forms ("x1"^^xsd:integer) are kept as written; derived integer
# types are made private by protect_nquads and so are kept as written too.
_NON_CANONICAL_IN_NQUADS = re.compile(
    rb'"(?=\s*[+-]?[0-9]+\s*")(?!(?:0|-?[1-9][0-9]*)")[^"]*"\^\^<'
    + re.escape(_XSD_IRI)
    + rb"integer>"
    rb'|"(?=\s*(?:true|false|1|0)\s*")(?!true"|false")[^"]*"\^\^<'
    + re.escape(_XSD_IRI)
    + rb"boolean>"
)
_FLOATING_IN_NQUADS = re.compile(
    rb'"((?:[^"\\]|\\.)*)"\^\^<' + re.escape(_XSD_IRI) + rb"(decimal|double|float)>"
)


_FLOATING_TYPES = tuple(
    b'"^^<' + _XSD_IRI + name + b">" for name in (b"decimal", b"double", b"float")
)


def _lines_with(data: bytes, needles: tuple[bytes, ...]) -> bytes:
    """The lines of ``data`` that contain one of ``needles``, in order.

    ``_FLOATING_IN_NQUADS`` walks every string literal character by character
    (20 s for a national dump); its matches lie within one line and end with one
    of these datatypes, so it needs to see only the lines that have one: found
    with ``bytes.find`` (most dumps have none at all).
    """
    starts: set[int] = set()
    for needle in needles:
        position = data.find(needle)
        while position >= 0:
            starts.add(data.rfind(b"\n", 0, position) + 1)
            position = data.find(needle, position + len(needle))
    lines = []
    for start in sorted(starts):
        end = data.find(b"\n", start)
        lines.append(data[start : len(data) if end < 0 else end + 1])
    return b"".join(lines)


def check_nquads_literals(data: bytes) -> None:
    """Refuse N-Quads holding a literal Oxigraph would rewrite on load.

    ``"4.0"^^xsd:decimal`` comes back from the store as ``"4"``, and ``"04"`` and
    ``"4"`` as one integer, so ``sh:in``, ``sh:hasValue`` and the counts would be
    answered about other values than the data's (issue 15). One regular-expression
    pass over the bytes; decimals, doubles and floats are checked per distinct
    value by a round trip through a store.

    Raises:
        UnsupportedShapesError: such a literal occurs (the caller falls back to
            pySHACL, which keeps literals as written).
    """
    found = _NON_CANONICAL_IN_NQUADS.search(data)
    if found is not None:
        raise UnsupportedShapesError(
            f"literal {found.group(0).decode('utf-8', 'replace')} is not canonical"
        )
    seen: set[tuple[bytes, bytes]] = set()
    for match in _FLOATING_IN_NQUADS.finditer(_lines_with(data, _FLOATING_TYPES)):
        key = (match.group(1), match.group(2))
        if key in seen:
            continue
        seen.add(key)
        lexical = key[0].decode("utf-8").encode().decode("unicode_escape")
        literal = ox.Literal(
            lexical, datatype=ox.NamedNode((_XSD_IRI + key[1]).decode())
        )
        if _canonicalised(literal):
            raise UnsupportedShapesError(f"literal {literal} is not canonical")


def unprotect_nquads(data: bytes) -> bytes:
    """The inverse of ``protect_nquads``: private datatype IRIs back to XSD's."""
    private = re.escape(_PRIVATE_DT.encode())
    return re.sub(
        b"\\^\\^<" + private + b"([A-Za-z]+)>",
        lambda m: b"^^<" + _XSD_IRI + m.group(1) + b">",
        data,
    )


def store_from_nquads(data: bytes) -> ox.Store:
    """A store for ``validate_store`` from N-Quads or N-Triples bytes.

    When the caller holds no other reference to ``data`` (the build hands its
    dump over), the original bytes are let go once rewritten, before Oxigraph
    loads them: at 1M triples that keeps a 270 MB copy out of the build's peak.
    """
    store = ox.Store()
    protected = protect_nquads(data)
    del data  # the rewritten copy is all the load needs
    store.bulk_load(protected, format=ox.RdfFormat.N_QUADS)
    return store


def store_from_nquads_file(path: str | Path, chunk: int = 1 << 26) -> ox.Store:
    """``store_from_nquads`` for a file, which Oxigraph reads itself (the dump's
    bytes never held in Python) unless a literal needs the private datatypes.

    The file is read once, a chunk at a time, for the checks of
    ``check_nquads_literals``.

    Raises:
        UnsupportedShapesError: as ``check_nquads_literals``.
    """
    path = Path(path)
    protect = False
    with path.open("rb") as stream:
        rest = b""
        while True:
            block = stream.read(chunk)
            data = rest + block
            if block:
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
            if data:
                check_nquads_literals(data)
                protect = protect or _DERIVED_IN_NQUADS.search(data) is not None
            if not block:
                break
    if protect:
        return store_from_nquads(path.read_bytes())
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


class UnsupportedShapesError(Exception):
    """The shapes use a SHACL feature the fast engine does not compile."""


@dataclass(frozen=True)
class Finding:
    """One result before conversion to ``ValidationResult``."""

    focus: Node
    shape: Node
    path: Node | None
    value: Node | None
    message: str
    severity: str


@dataclass
class _Query:
    """A compiled top-level check: a SELECT returning violations."""

    shape: Node
    path: Node | None
    message: str | None
    generic: str
    severity: str
    sparql: str
    kind: str = "value"
    """``value`` (rows ?this ?v), ``focus`` (rows ?this) or ``sparql``."""
    datatype: URIRef | None = None
    """For datatype checks: the datatype whose lexical forms Python checks."""
    datatype_values: str = ""
    """For datatype checks: the query listing the literals to check."""
    focus_query: str = ""
    """For SPARQL constraints: the query listing the shape's focus nodes."""


@dataclass
class CompiledShapes:
    """The shapes graph compiled to SPARQL queries."""

    queries: list[_Query] = field(default_factory=list)
    """One query per top-level constraint."""
    sparql_targets: dict[Node, list[str]] = field(default_factory=dict)
    """Shape → SPARQL target queries (run first; their nodes become VALUES)."""
    messages: dict[Node, tuple[Literal, ...]] = field(default_factory=dict)
    """Shape or constraint → all its ``sh:message`` literals, languages kept, so a
    report carries every message as pySHACL's does (issue 15)."""


_ROUND_TRIP = ox.Store()
_ROUND_TRIP_SUBJECT = ox.NamedNode("urn:x-samverkansgraf:round-trip")


def _canonicalised(literal: ox.Literal) -> bool:
    """Whether Oxigraph's store rewrites ``literal`` ("4.0"^^xsd:decimal → "4")."""
    if literal.language or literal.datatype.value in _ANY_LEXICAL:
        return False
    quad = ox.Quad(_ROUND_TRIP_SUBJECT, _ROUND_TRIP_SUBJECT, literal)
    _ROUND_TRIP.add(quad)
    stored = [q.object for q in _ROUND_TRIP.quads_for_pattern(None, None, None)]
    _ROUND_TRIP.clear()
    return stored != [literal]


def _n3(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.datatype in _TO_PRIVATE:
            return Literal(str(node), datatype=_TO_PRIVATE[node.datatype]).n3()
        stored = to_oxigraph(node)
        if isinstance(stored, ox.Literal) and _canonicalised(stored):
            raise UnsupportedShapesError(f"constant {node.n3()} is not canonical")
        return node.n3()
    raise UnsupportedShapesError(f"blank node {node} used as a constant")


def _severity(shapes: Graph, shape: Node) -> str:
    value = shapes.value(shape, SH.severity)
    if value is not None and value not in (SH.Violation, SH.Warning, SH.Info):
        # A custom severity makes the graph non-conforming; the report keeps
        # only local names, so such shapes go to pySHACL.
        raise UnsupportedShapesError(f"custom severity {value} on {shape}")
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _lang_key(message: Literal) -> tuple[str, str]:
    return (message.language or "", str(message))


def _message(shapes: Graph, shape: Node) -> str | None:
    """The text of the shape's first message (by language, then text): the one
    the report's plain ``message`` shows; all of them go into the report graph."""
    messages = sorted(
        (m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)),
        key=_lang_key,
    )
    return str(messages[0]) if messages else None


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.counter = itertools.count()
        self.checked: set[Node] = set()
        self.nesting = 0
        """How deep in nested shapes (sh:node, sh:or, …) the compiler is."""

    def var(self) -> str:
        return f"?_v{next(self.counter)}"

    def check_shape(self, shape: Node) -> None:
        """Raise ``UnsupportedShapesError`` for any predicate or arity not compiled."""
        if shape in self.checked:
            return
        self.checked.add(shape)
        seen: dict[Node, int] = {}
        for predicate, _ in self.shapes.predicate_objects(shape):
            if str(predicate).startswith(str(SH)):
                if predicate not in _KNOWN:
                    raise UnsupportedShapesError(f"{predicate} on {shape}")
                seen[predicate] = seen.get(predicate, 0) + 1
        for predicate, count in seen.items():
            if predicate in _SINGLE and count > 1:
                raise UnsupportedShapesError(
                    f"{count} values of {predicate} on {shape}"
                )
        for predicate in (SH["class"], SH.hasValue, SH.lessThan, SH.node, SH["in"]):
            if seen.get(predicate, 0) > 1:
                raise UnsupportedShapesError(f"several {predicate} on {shape}")
        path = self.shapes.value(shape, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapesError(f"complex property path on {shape}")

    def list_items(self, head: Node) -> list[Node]:
        return list(Collection(self.shapes, head))

    # -- value-level conditions: true when value {v} violates -------------------------

    def value_condition(self, predicate: Node, argument: Node, v: str) -> str | None:
        """A SPARQL expression true when ``v`` violates one value-level constraint."""
        if predicate == SH["class"]:
            return f"NOT EXISTS {{ {v} {_TYPE_PATH} {_n3(argument)} }}"
        if predicate == SH.datatype:
            if argument == RDFS.Literal:
                return f"!isLiteral({v})"
            datatype = _TO_PRIVATE.get(argument, argument)  # type: ignore[call-overload]
            well_typed = ""
            if self.nesting and argument not in _ANY_LEXICAL:
                # Nested (sh:or/sh:and/sh:node…): the ill-typed literals of this
                # datatype are listed in Python at run time (``_fill_ill_typed``).
                well_typed = f" && !({_ILL_TYPED.format(datatype=argument, v=v)})"
            return f"!(isLiteral({v}) && DATATYPE({v}) = {_n3(datatype)}{well_typed})"
        if predicate == SH.nodeKind:
            if argument not in _NODE_KINDS:
                raise UnsupportedShapesError(f"sh:nodeKind {argument}")
            return _NODE_KINDS[argument].format(v=v)
        if predicate == SH.pattern:
            return None  # compiled with its flags in value_conditions
        if predicate == SH["in"]:
            items = self.list_items(argument)
            if not items:
                return "true"
            return "!(" + " || ".join(f"sameTerm({v}, {_n3(i)})" for i in items) + ")"
        if predicate in (SH.minLength, SH.maxLength):
            length = _int(argument)
            if predicate == SH.minLength:
                if length == 0:
                    return "false"
                return f"(isBlank({v}) || STRLEN(STR({v})) < {length})"
            return f"(isBlank({v}) || STRLEN(STR({v})) > {length})"
        if predicate in _COMPARISONS:
            operator = _COMPARISONS[predicate]
            return (
                f"!COALESCE({_numeric(v)} {operator} {_numeric(_n3(argument))}, false)"
            )
        if predicate == SH.node:
            return self.violates(argument, v)
        if predicate == SH["or"]:
            members = self.list_items(argument)
            if not members:
                return "true"
            return "(" + " && ".join(self.violates(m, v) for m in members) + ")"
        if predicate == SH["and"]:
            members = self.list_items(argument)
            if not members:
                return "false"
            return "(" + " || ".join(self.violates(m, v) for m in members) + ")"
        if predicate == SH["not"]:
            return f"!({self.violates(argument, v)})"
        return None

    def pattern_condition(self, shape: Node, v: str) -> str | None:
        pattern = self.shapes.value(shape, SH.pattern)
        if pattern is None:
            return None
        flags = self.shapes.value(shape, SH.flags)
        arguments = Literal(str(pattern)).n3()
        if flags is not None:
            arguments += ", " + Literal(str(flags)).n3()
        return f"(isBlank({v}) || !REGEX(STR({v}), {arguments}))"

    def value_conditions(self, shape: Node, v: str) -> list[tuple[Node, str]]:
        """Every value-level constraint of ``shape`` as (parameter, condition)."""
        conditions = []
        for predicate, argument in sorted(self.shapes.predicate_objects(shape)):
            condition = self.value_condition(predicate, argument, v)
            if condition is not None:
                conditions.append((predicate, condition))
        pattern = self.pattern_condition(shape, v)
        if pattern is not None:
            conditions.append((SH.pattern, pattern))
        return conditions

    # -- nested conformance: true when node {v} does not conform to shape -------------

    def violates(self, shape: Node, v: str) -> str:
        """A SPARQL expression true when node ``v`` does not conform to ``shape``."""
        self.nesting += 1
        try:
            return self._violates(shape, v)
        finally:
            self.nesting -= 1

    def _violates(self, shape: Node, v: str) -> str:
        self.check_shape(shape)
        if self.shapes.value(shape, SH.sparql) is not None:
            raise UnsupportedShapesError(f"sh:sparql in a nested shape {shape}")
        if self.shapes.value(shape, SH.qualifiedValueShape) is not None:
            raise UnsupportedShapesError(f"qualified value shape nested in {shape}")
        if _deactivated(self.shapes, shape):
            return "false"
        parts: list[str] = []
        path = self.shapes.value(shape, SH.path)
        if path is None:
            parts += [condition for _, condition in self.value_conditions(shape, v)]
            for value in self.shapes.objects(shape, SH.hasValue):
                parts.append(f"!sameTerm({v}, {_n3(value)})")
        else:
            parts += self.property_violations(shape, path, v)
        for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
            parts.append(self.violates(prop, v))
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def property_violations(self, shape: Node, path: Node, v: str) -> list[str]:
        """Conditions on focus ``v`` for the constraints of a property shape."""
        p = _n3(path)
        parts = []
        x = self.var()
        for _, condition in self.value_conditions(shape, x):
            parts.append(f"EXISTS {{ {v} {p} {x} FILTER({condition}) }}")
        minimum = self.shapes.value(shape, SH.minCount)
        if minimum is not None and _int(minimum) > 0:
            parts.append(
                f"NOT EXISTS {{ {self._distinct_values(v, p, _int(minimum))} }}"
            )
        maximum = self.shapes.value(shape, SH.maxCount)
        if maximum is not None:
            parts.append(
                f"EXISTS {{ {self._distinct_values(v, p, _int(maximum) + 1)} }}"
            )
        for value in self.shapes.objects(shape, SH.hasValue):
            parts.append(f"NOT EXISTS {{ {v} {p} {_n3(value)} }}")
        if _true(self.shapes.value(shape, SH.uniqueLang)):
            a, b = self.var(), self.var()
            parts.append(
                f"EXISTS {{ {v} {p} {a} . {v} {p} {b} FILTER(!sameTerm({a}, {b}) && "
                f'LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
            )
        for other in self.shapes.objects(shape, SH.lessThan):
            y = self.var()
            parts.append(
                f"EXISTS {{ {v} {p} {x} . {v} {_n3(other)} {y} "
                f"FILTER(!COALESCE({_numeric(x)} < {_numeric(y)}, false)) }}"
            )
        return parts

    def _distinct_values(self, v: str, p: str, count: int) -> str:
        if count > 4:
            raise UnsupportedShapesError(f"a nested count of {count}")
        names = [self.var() for _ in range(count)]
        triples = " . ".join(f"{v} {p} {n}" for n in names)
        pairs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        return triples + (f" FILTER({' && '.join(pairs)})" if pairs else "")

    # -- top level ------------------------------------------------------------------

    def focus_pattern(self, shape: Node, compiled: CompiledShapes) -> str | None:
        """A subquery binding ``?this`` to the shape's focus nodes (None: no target)."""
        branches = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            branches.append(f"?this {_TYPE_PATH} {_n3(cls)} .")
        if (shape, RDF.type, RDFS.Class) in self.shapes or (
            shape,
            RDF.type,
            OWL.Class,
        ) in self.shapes:
            branches.append(f"?this {_TYPE_PATH} {_n3(shape)} .")
        nodes = list(self.shapes.objects(shape, SH.targetNode))
        if nodes:
            branches.append("VALUES ?this { " + " ".join(_n3(n) for n in nodes) + " }")
        for prop in self.shapes.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {_n3(prop)} ?_any .")
        for prop in self.shapes.objects(shape, SH.targetObjectsOf):
            branches.append(f"?_any {_n3(prop)} ?this .")
        for target in self.shapes.objects(shape, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in self.shapes:
                raise UnsupportedShapesError(f"custom target {target} of {shape}")
            for predicate, _ in self.shapes.predicate_objects(target):
                if predicate not in (RDF.type, SH.select, SH.prefixes):
                    raise UnsupportedShapesError(
                        f"{predicate} on SPARQL target of {shape}"
                    )
            select = str(self.shapes.value(target, SH.select))
            query = self.prefixes(target) + select
            compiled.sparql_targets.setdefault(shape, []).append(query)
            branches.append(_TARGET)
        if not branches:
            return None
        union = " UNION ".join("{ " + b + " }" for b in branches)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def prefixes(self, node: Node) -> str:
        lines = []
        for declarer in self.shapes.objects(node, SH.prefixes):
            for declaration in self.shapes.objects(declarer, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines))) + "\n"

    def compile_shape(self, shape: Node, compiled: CompiledShapes) -> None:
        self.check_shape(shape)
        if _deactivated(self.shapes, shape):
            return
        focus = self.focus_pattern(shape, compiled)
        if focus is None:
            return
        path = self.shapes.value(shape, SH.path)
        if path is not None:
            raise UnsupportedShapesError(f"property shape {shape} with its own target")
        severity = _severity(self.shapes, shape)
        message = _message(self.shapes, shape)
        # Node-level constraints: the value node is the focus node.
        for predicate, condition in self.value_conditions(shape, "?this"):
            compiled.queries.append(
                _Query(
                    shape,
                    None,
                    message,
                    f"Node does not satisfy {_local(predicate)}",
                    severity,
                    f"SELECT DISTINCT ?this ?v WHERE {{ {focus} BIND(?this AS ?v) "
                    f"FILTER({_BAD}{condition}) }}",
                )
            )
            if predicate == SH.datatype:
                self._datatype_check(compiled.queries[-1], shape, focus, "?this")
        for value in self.shapes.objects(shape, SH.hasValue):
            compiled.queries.append(
                _Query(
                    shape,
                    None,
                    message,
                    "Node is not the required value",
                    severity,
                    f"SELECT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, "
                    f"{_n3(value)})) }}",
                    kind="focus",
                )
            )
        for constraint in self.shapes.objects(shape, SH.sparql):
            self.compile_sparql(shape, constraint, focus, severity, message, compiled)
        for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
            self.compile_property(prop, focus, compiled)

    def compile_sparql(
        self,
        shape: Node,
        constraint: Node,
        focus: str,
        severity: str,
        message: str | None,
        compiled: CompiledShapes,
    ) -> None:
        for predicate, _ in self.shapes.predicate_objects(constraint):
            if predicate not in (RDF.type, SH.select, SH.prefixes, SH.message):
                if predicate == SH.deactivated:
                    continue
                raise UnsupportedShapesError(
                    f"{predicate} on SPARQL constraint {constraint}"
                )
        if _deactivated(self.shapes, constraint):
            return
        select = str(self.shapes.value(constraint, SH.select))
        projection = select.split("WHERE", 1)[0]
        if (
            _RISKY_SPARQL.search(select)
            or not re.search(r"[$?]this\b", projection)
            or not re.search(
                r"[$?]this\b", _without_filters(select.split("WHERE", 1)[-1])
            )
            or re.search(r"[$?](currentShape|shapesGraph)\b", select)
            # Inner groups are evaluated before the join with $this, and a
            # FILTER without parentheses is not stripped above: both refused.
            or _without_filters(select.split("WHERE", 1)[-1]).count("{") > 1
            or re.search(r"\bFILTER\s*[^\s(]", select, re.IGNORECASE)
        ):
            raise UnsupportedShapesError(
                f"SPARQL constraint {constraint} needs per-focus pre-binding"
            )
        compiled.queries.append(
            _Query(
                shape,
                None,
                _message(self.shapes, constraint) or message,
                "SPARQL constraint violated",
                severity,
                self.prefixes(constraint) + select,
                kind="sparql",
                focus_query=f"SELECT ?this WHERE {{ {focus} }}",
            )
        )

    def compile_property(
        self, shape: Node, focus: str, compiled: CompiledShapes
    ) -> None:
        self.check_shape(shape)
        if _deactivated(self.shapes, shape):
            return
        path = self.shapes.value(shape, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShapesError(f"property shape {shape} without an IRI path")
        if self.shapes.value(shape, SH.sparql) is not None:
            raise UnsupportedShapesError(f"sh:sparql on property shape {shape}")
        if any(True for _ in self.shapes.objects(shape, SH.property)):
            raise UnsupportedShapesError(f"sh:property inside property shape {shape}")
        p = _n3(path)
        severity = _severity(self.shapes, shape)
        message = _message(self.shapes, shape)

        def add(sparql: str, generic: str, kind: str = "value") -> _Query:
            query = _Query(shape, path, message, generic, severity, sparql, kind=kind)
            compiled.queries.append(query)
            return query

        for predicate, condition in self.value_conditions(shape, "?v"):
            query = add(
                f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {p} ?v "
                f"FILTER({_BAD}{condition}) }}",
                f"Value does not satisfy {_local(predicate)}",
            )
            if predicate == SH.datatype:
                self._datatype_check(query, shape, focus, f"?this {p} ?v")
        # Small counts as (anti-)joins of distinct values: 2-3x faster on Oxigraph
        # than grouping every focus node, and the same answer.
        minimum = self.shapes.value(shape, SH.minCount)
        if minimum is not None and _int(minimum) > 0:
            if _int(minimum) <= 4:
                chain = self._distinct_values("?this", p, _int(minimum))
                sparql = (
                    f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {chain} }} }}"
                )
            else:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?v }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {_int(minimum)})"
                )
            add(sparql, f"Less than {_int(minimum)} values", kind="focus")
        maximum = self.shapes.value(shape, SH.maxCount)
        if maximum is not None:
            if _int(maximum) <= 3:
                chain = self._distinct_values("?this", p, _int(maximum) + 1)
                sparql = f"SELECT DISTINCT ?this WHERE {{ {focus} {chain} }}"
            else:
                sparql = (
                    f"SELECT ?this WHERE {{ {focus} ?this {p} ?v }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {_int(maximum)})"
                )
            add(sparql, f"More than {_int(maximum)} values", kind="focus")
        for value in self.shapes.objects(shape, SH.hasValue):
            add(
                f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS "
                f"{{ ?this {p} {_n3(value)} }} }}",
                f"Missing expected value {value}",
                kind="focus",
            )
        if _true(self.shapes.value(shape, SH.uniqueLang)):
            add(
                f"SELECT DISTINCT ?this ?lang WHERE {{ {focus} ?this {p} ?a . "
                f'?this {p} ?b FILTER(!sameTerm(?a, ?b) && LANG(?a) != "" && '
                "LCASE(LANG(?a)) = LCASE(LANG(?b))) BIND(LCASE(LANG(?a)) AS ?lang) }",
                "More than one value shares a language tag",
                kind="focus",
            )
        for other in self.shapes.objects(shape, SH.lessThan):
            add(
                f"SELECT DISTINCT ?this ?v ?w WHERE {{ {focus} ?this {p} ?v . "
                f"?this {_n3(other)} ?w "
                f"FILTER(!COALESCE({_numeric('?v')} < {_numeric('?w')}, false)) }}",
                f"Value is not < value of {other}",
            )
        qualified = self.shapes.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            condition = self.violates(qualified, "?q")
            counted = (
                f"SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {focus} "
                f"OPTIONAL {{ ?this {p} ?q FILTER(!({condition})) }} }} GROUP BY ?this"
            )
            low = self.shapes.value(shape, SH.qualifiedMinCount)
            high = self.shapes.value(shape, SH.qualifiedMaxCount)
            if low is not None and high is not None and _int(low) > _int(high):
                raise UnsupportedShapesError(f"qualifiedMinCount > MaxCount on {shape}")
            bounds = []
            if low is not None:
                bounds.append(f"?n < {_int(low)}")
            if high is not None:
                bounds.append(f"?n > {_int(high)}")
            if bounds:
                # One count for both bounds (a focus node can break only one).
                add(
                    f"SELECT ?this WHERE {{ {{ {counted} }} "
                    f"FILTER({' || '.join(bounds)}) }}",
                    "The number of values conforming to the qualified shape is "
                    f"outside {_int(low) if low is not None else 0}.."
                    f"{_int(high) if high is not None else '*'}",
                    kind="focus",
                )

    def _datatype_check(
        self, query: _Query, shape: Node, focus: str, pattern: str
    ) -> None:
        datatype = self.shapes.value(shape, SH.datatype)
        if not isinstance(datatype, URIRef) or datatype in _ANY_LEXICAL:
            return
        query.datatype = datatype
        stored = _TO_PRIVATE.get(datatype, datatype)
        query.datatype_values = (
            f"SELECT DISTINCT ?v WHERE {{ {focus} {pattern} "
            f"FILTER(isLiteral(?v) && DATATYPE(?v) = {_n3(stored)}) }}"
        )


def _without_filters(where: str) -> str:
    """``where`` with every ``FILTER (…)`` removed: a ``$this`` left only in a
    filter would run unbound in one query, not pre-bound per focus node."""
    kept = []
    position = 0
    for match in re.finditer(r"\bFILTER\s*\(", where, re.IGNORECASE):
        if match.start() < position:
            continue
        kept.append(where[position : match.start()])
        depth, index = 1, match.end()
        while index < len(where) and depth:
            depth += {"(": 1, ")": -1}.get(where[index], 0)
            index += 1
        position = index
    kept.append(where[position:])
    return "".join(kept)


def _int(node: Node) -> int:
    """The integer a shape's count or length literal gives (``"4"`` → 4)."""
    # rdflib literals are str subclasses, so this is exactly int(Literal(...)).
    return int(str(node))


def _local(node: Node) -> str:
    return str(node).rsplit("#", 1)[-1]


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.value is True


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return _true(shapes.value(shape, SH.deactivated))


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile a SHACL shapes graph into SPARQL queries (see ``_compile_shapes``).

    Raises:
        UnsupportedShapesError: for a feature the compiler lacks, and for any
            unexpected failure while compiling (deep recursion included): the
            caller then validates with pySHACL instead of crashing.
    """
    try:
        return _compile_shapes(shapes)
    except UnsupportedShapesError:
        raise
    except Exception as error:  # noqa: BLE001 - refuse rather than crash
        raise UnsupportedShapesError(f"compiler failed: {error!r}") from error


def _compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile a SHACL shapes graph into SPARQL queries.

    Args:
        shapes: the shapes graph.

    Returns:
        The compiled checks.

    Raises:
        UnsupportedShapesError: when the shapes use a feature the compiler lacks (the
            caller then validates with pySHACL).
    """
    for predicate in (SH.rule, SH.shapesGraph, SH.entailment, SH.function):
        if any(True for _ in shapes.subject_objects(predicate)):
            raise UnsupportedShapesError(
                f"{predicate} (SHACL rules/functions/entailment)"
            )
    for predicate, why in (
        (OWL.imports, "owl:imports (imported shapes and prefixes not followed)"),
        (SH.parameter, "custom constraint components"),
    ):
        if any(True for _ in shapes.subject_objects(predicate)):
            raise UnsupportedShapesError(why)
    if any(True for _ in shapes.subjects(RDF.type, SH.ConstraintComponent)):
        raise UnsupportedShapesError("custom constraint components")
    compiler = _Compiler(shapes)
    compiled = CompiledShapes()
    for node, message in shapes.subject_objects(SH.message):
        if isinstance(message, Literal):
            found = compiled.messages.get(node, ())
            compiled.messages[node] = tuple(sorted((*found, message), key=_lang_key))
    targeted: set[Node] = set()
    for predicate in (
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.target,
    ):
        targeted.update(shapes.subjects(predicate, None))
    for cls in (RDFS.Class, OWL.Class):
        for shape in shapes.subjects(RDF.type, cls):
            if (shape, RDF.type, SH.NodeShape) in shapes:
                targeted.add(shape)
    for shape in sorted(targeted, key=lambda n: (isinstance(n, BNode), str(n))):
        compiler.compile_shape(shape, compiled)
    return compiled


def _from_ox(term: object) -> Node:
    """The rdflib term of a store term, with the validator's private datatypes
    (see ``protect_nquads``) turned back into the data's own."""
    node = to_rdflib(term)
    if isinstance(node, Literal) and node.datatype is not None:
        original = _FROM_PRIVATE.get(str(node.datatype))
        if original is not None:
            return Literal(str(node), datatype=original)
    if node is None:  # pragma: no cover - result rows bind every variable read
        raise TypeError("unbound term")
    return node


def _to_ox(term: Node, cache: dict[Node, object]) -> object:
    """The store term of an rdflib term, with derived datatypes made private so
    that Oxigraph keeps their lexical forms (``protect_nquads``); cached, since a
    graph repeats its terms."""
    found = cache.get(term)
    if found is not None:
        return found
    if isinstance(term, Literal) and not term.language and term.datatype is not None:
        if term.ill_typed and not _ill_typed(str(term), term.datatype):
            # rdflib replaced an ill-typed lexical form by a well-formed one
            # ("kanske"^^xsd:boolean is made "false") but still calls the term
            # ill-typed, as pySHACL does: the store would see a valid literal.
            raise UnsupportedShapesError(
                f"literal {term.n3()} is ill-typed, its written form lost"
            )
        private = _TO_PRIVATE.get(term.datatype)
        if private is not None:
            term = Literal(str(term), datatype=private)
    converted = to_oxigraph(term)
    if isinstance(converted, ox.Literal) and _canonicalised(converted):
        # Oxigraph rewrote the lexical form ("4.0"^^xsd:decimal → "4"), which
        # would merge distinct terms for sh:in, sh:hasValue and the counts.
        raise UnsupportedShapesError(f"literal {term.n3()} canonicalised on load")
    cache[term] = converted
    return converted


def graph_to_store(graph: Graph) -> ox.Store:
    """Copy an rdflib graph into a new in-memory pyoxigraph store (default graph)."""
    store = ox.Store()
    cache: dict[Node, object] = {}
    store.bulk_extend(
        ox.Quad(_to_ox(s, cache), _to_ox(p, cache), _to_ox(o, cache))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return store


@functools.lru_cache(maxsize=1 << 16)
def _ill_typed(lexical: str, datatype: URIRef) -> bool:
    """rdflib's (so pySHACL's) verdict: not a well-formed literal of ``datatype``.

    Memoised: the chunks of a national build hold the same dates over and
    over, and each verdict built an rdflib literal (a twentieth of a chunk's
    validation).
    """
    literal = Literal(lexical, datatype=datatype)
    if getattr(literal, "ill_typed", None) is True:
        return True
    value = literal.value
    checks: dict[URIRef, type | tuple[type, ...]] = {
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
    }
    expected = checks.get(datatype)
    return expected is not None and not isinstance(value, expected)


def _rows(store: ox.Store, sparql: str) -> Iterable[ox.QuerySolution]:
    return store.query(sparql, use_default_graph_as_union=True)  # type: ignore[return-value]


# ``?x rdf:type/rdfs:subClassOf* <C>`` as the compiler writes it (sh:class,
# targets): Oxigraph evaluates the path again in every query that has it.
_INSTANCE_OF = re.compile(r"([?$]\w+) " + re.escape(_TYPE_PATH) + r" <([^<>\s]+)>")
# IRIs (skipped whole: one may hold a quote) and string literals of a query:
# a class path written inside a literal (a sh:hasValue string, say) is text.
_IRI_OR_STRING = re.compile(
    r"<[^<>\"{}|^`\\\x00-\x20]*>"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*')",
    re.DOTALL,
)


def _class_paths(sparql: str) -> list[re.Match[str]]:
    """The class paths of ``sparql`` outside its string literals."""
    found = list(_INSTANCE_OF.finditer(sparql))
    if not found or ('"' not in sparql and "'" not in sparql):
        return found
    strings = [m.span() for m in _IRI_OR_STRING.finditer(sparql) if m.group("string")]
    return [m for m in found if not any(a <= m.start() < b for a, b in strings)]


class _Subclasses:
    """The subclasses of the classes some queries ask instances of, read from
    one store, so that ``?x rdf:type/rdfs:subClassOf* <C>`` can be asked as
    ``?x rdf:type ?t . VALUES ?t { <C> <D> … }``.

    The same solutions by construction: the closure is the store's own, over
    the same union graph, and both forms give one solution per type of ``?x``
    that reaches ``<C>``. At national scale this cut a sixth of a chunk's query
    time (#19). A class with a blank-node subclass (which VALUES cannot name)
    keeps its path.
    """

    def __init__(self, store: ox.Store, queries: Iterable[str]) -> None:
        classes = sorted({found.group(2) for q in queries for found in _class_paths(q)})
        closure: dict[str, set[str]] = {c: {c} for c in classes}
        unnamable: set[str] = set()
        if classes:
            listing = (
                "SELECT ?c ?s WHERE { VALUES ?c { "
                + " ".join(f"<{c}>" for c in classes)
                + f" }} ?s <{RDFS.subClassOf}>+ ?c }}"
            )
            for row in _rows(store, listing):
                cls, sub = row["c"].value, row["s"]
                if isinstance(sub, ox.NamedNode):
                    closure[cls].add(sub.value)
                else:
                    unnamable.add(cls)
        self.members = {
            c: " ".join(f"<{m}>" for m in sorted(found))
            for c, found in closure.items()
            if c not in unnamable
        }
        self._names = itertools.count()

    def fill(self, sparql: str) -> str:
        """``sparql`` with each class path it can replace replaced (a fresh
        variable per occurrence: one inside NOT EXISTS must not meet another)."""

        def replace(match: re.Match[str]) -> str:
            members = self.members.get(match.group(2))
            if members is None:
                return match.group(0)
            kind = f"?_subclassOf{next(self._names)}"
            typed = f"{match.group(1)} <{RDF.type}> {kind}"
            return f"{typed} . VALUES {kind} {{ {members} }}"

        parts, position = [], 0
        for match in _class_paths(sparql):
            parts += [sparql[position : match.start()], replace(match)]
            position = match.end()
        return "".join(parts) + sparql[position:]


def validate_store(store: ox.Store, compiled: CompiledShapes) -> list[Finding]:
    """Run the compiled checks on a store (see ``_validate_store``).

    Raises:
        UnsupportedShapesError: when a query fails (Oxigraph rejects it): the
            caller then validates with pySHACL instead of crashing.
    """
    try:
        return _validate_store(store, compiled)
    except UnsupportedShapesError:
        raise
    except Exception as error:  # noqa: BLE001 - refuse rather than crash
        raise UnsupportedShapesError(f"query failed: {error!r}") from error


def _validate_store(store: ox.Store, compiled: CompiledShapes) -> list[Finding]:
    """Run the compiled checks on a store.

    Args:
        store: the data (all named graphs are validated as their union).
        compiled: from ``compile_shapes``.

    Returns:
        Every result, unsorted.
    """
    subclasses = _Subclasses(
        store,
        itertools.chain(
            (q.sparql for q in compiled.queries),
            (q.datatype_values for q in compiled.queries),
            (q.focus_query for q in compiled.queries),
            *compiled.sparql_targets.values(),
        ),
    )
    targets: dict[Node, str] = {}
    for shape, queries in compiled.sparql_targets.items():
        nodes: set[str] = set()
        for target_query in queries:
            for row in _rows(store, subclasses.fill(target_query)):
                nodes.add(str(row["this"]))
        targets[shape] = (
            "VALUES ?this { " + " ".join(sorted(nodes)) + " }"
            if nodes
            else "FILTER(false)"
        )
    findings: list[Finding] = []
    ill_typed = _ill_typed_literals(store, (q.sparql for q in compiled.queries))
    for query in compiled.queries:
        fill = targets.get(query.shape, "FILTER(false)")
        if query.kind == "sparql":
            findings += _sparql_findings(store, query, fill, subclasses)
            continue
        bad: list[str] = []
        if query.datatype is not None:
            listing = subclasses.fill(query.datatype_values.replace(_TARGET, fill))
            bad = [
                str(row["v"])
                for row in _rows(store, listing)
                if _ill_typed(row["v"].value, query.datatype)
            ]
        extra = "(" + " || ".join(f"sameTerm(?v, {v})" for v in bad) + ") || "
        sparql = query.sparql.replace(_TARGET, fill).replace(_BAD, extra if bad else "")
        sparql = subclasses.fill(_fill_ill_typed(sparql, ill_typed))
        for row in _rows(store, sparql):
            value = _from_ox(row["v"]) if query.kind == "value" else None
            findings.append(
                Finding(
                    _from_ox(row["this"]),
                    query.shape,
                    query.path,
                    value,
                    query.message or query.generic,
                    query.severity,
                )
            )
    return findings


def _sparql_findings(
    store: ox.Store, query: _Query, fill: str, subclasses: _Subclasses
) -> list[Finding]:
    # The focus query is the compiler's; the constraint's SELECT, the shapes
    # author's, is run as written.
    focus_query = subclasses.fill(query.focus_query.replace(_TARGET, fill))
    focus = {_from_ox(row["this"]) for row in _rows(store, focus_query)}
    if not focus:
        return []
    findings = []
    seen: set[tuple[tuple[str, Node], ...]] = set()
    solutions = store.query(query.sparql, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    for row in solutions:  # type: ignore[union-attr]
        bound = {name: _from_ox(row[name]) for name in names if row[name] is not None}
        this = bound.get("this")
        if this is None or this not in focus:
            continue
        key = tuple(sorted(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        message = query.message or query.generic
        for name, value in bound.items():
            message = re.sub(
                "{[?$]" + name + "}", str(value).replace("\\", "\\\\"), message
            )
        findings.append(
            Finding(
                this,
                query.shape,
                bound.get("path"),
                bound.get("value", this),
                message,
                query.severity,
            )
        )
    return findings
