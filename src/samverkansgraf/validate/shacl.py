"""Stage 4 — validate: SHACL validation of the graph, with pySHACL or the fast engine.

Input: the union of the dataset's named graphs (ontology and schemes included, so
that ``sh:class`` sees the subclass hierarchy) — an rdflib graph or a pyoxigraph
store — and the shapes in ``shapes/``. Output: a ``ValidationReport`` —
non-conformance is a result, not an exception, as in pySHACL;
``raise_for_results()`` turns it into a ``NonConformanceError``.

Engines (``engine=``): ``pyshacl`` runs pySHACL (the reference); ``fast`` compiles
the shapes into SPARQL queries run by Oxigraph (``fastshacl``), with the same
results, and falls back to pySHACL when the shapes use a feature it does not
compile; ``auto`` (the default) is ``fast``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .._gc import paused_gc
from ..errors import NonConformanceError
from ..namespaces import SH, bind_prefixes
from ..rdfio import N_QUADS, store_to_union, union_of_quads
from ..sources import parse_turtle

__all__ = [
    "ENGINES",
    "ValidationReport",
    "ValidationResult",
    "fast_results",
    "load_shapes",
    "report_of",
    "result_key",
    "validate_graph",
    "validate_nquads",
    "validate_nquads_taken",
]

ENGINES = ("auto", "fast", "pyshacl")
"""The validation engines ``validate_graph`` accepts."""


if TYPE_CHECKING:
    from .fast import CompiledShapes, Finding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result."""

    focus: Node
    """The node that failed."""
    path: Node | None
    """The property path checked, if any."""
    message: str
    """The shape's message (``sh:resultMessage``)."""
    severity: str
    """``Violation``, ``Warning`` or ``Info``."""
    shape: Node | None
    """The shape (``sh:sourceShape``) that produced it."""
    value: Node | None
    """The offending value, if any."""
    messages: tuple[Literal, ...] = ()
    """Every ``sh:resultMessage``, with its language (``message`` is the first)."""


def _message_key(message: Literal) -> tuple[str, str]:
    """Messages in a fixed order, by language then text, on both engines."""
    return (message.language or "", str(message))


@dataclass
class ValidationReport:
    """What pySHACL found."""

    conforms: bool
    """True when there is no violation."""
    results: list[ValidationResult] = field(default_factory=list)
    """Every result, sorted by shape, focus node and path."""
    graph: Graph | None = None
    """The report graph (``sh:ValidationReport``)."""
    engine: str = "pyshacl"
    """The engine that produced the report: ``pyshacl`` or ``fast``."""

    @property
    def violations(self) -> list[ValidationResult]:
        """Results of severity Violation."""
        return [r for r in self.results if r.severity == "Violation"]

    def format_text(self, graph: Graph | None = None) -> str:
        """A readable report: results grouped by shape, one line each.

        Args:
            graph: a graph whose prefixes shorten IRIs (default: the report's).
        """
        names = graph or self.graph or bind_prefixes(Graph())

        def show(node: Node | None) -> str:
            if node is None:
                return "-"
            if isinstance(node, URIRef):
                return names.namespace_manager.normalizeUri(node)
            if isinstance(node, Literal):
                text = str(node)
                return repr(text if len(text) < 60 else text[:57] + "…")
            return str(node)

        if not self.results:
            return "Validation: conforms (0 results)."
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for result in self.results:
            groups[show(result.shape)].append(result)
        lines = [
            f"Validation: {'conforms' if self.conforms else 'DOES NOT CONFORM'} "
            f"({len(self.violations)} violation(s), {len(self.results)} result(s))"
        ]
        for shape, results in sorted(groups.items()):
            lines.append(f"\n{shape} — {len(results)} result(s)")
            for r in results:
                value = f" value={show(r.value)}" if r.value is not None else ""
                lines.append(
                    f"  [{r.severity}] {show(r.focus)}  path={show(r.path)}{value}\n"
                    f"      {r.message}"
                )
        return "\n".join(lines)

    def raise_for_results(self) -> None:
        """Raise ``NonConformanceError`` when the graph does not conform."""
        if not self.conforms:
            first = self.violations[0] if self.violations else self.results[0]
            raise NonConformanceError(
                f"the graph does not conform: {len(self.violations)} violation(s); "
                f"first: <{first.focus}> {first.message}",
                hint="run `samverkansgraf validate` for the full report",
            )


def load_shapes(shapes_dir: str | Path) -> Graph:
    """Parse every ``*.ttl`` in ``shapes/`` into one shapes graph.

    Raises:
        SourceError: for a malformed shapes file.
    """
    graph = bind_prefixes(Graph())
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        parse_turtle(path, graph)
    return graph


def validate_graph(
    data: Graph | ox.Store, shapes: Graph, *, engine: str = "auto"
) -> ValidationReport:
    """Validate ``data`` against ``shapes``.

    With pySHACL, SHACL-AF is enabled (``advanced=True``) for the SPARQL-based
    targets of the privacy shapes; no inference is run: the data graph already
    holds the ontology, and ``sh:class`` follows its ``rdfs:subClassOf`` triples.
    The fast engine gives the same results (focus node, source shape, path,
    value) from SPARQL queries on an Oxigraph store.

    Args:
        data: the graph to validate (for the build: the union of all graphs), as
            an rdflib graph or a pyoxigraph store (whose named graphs are
            validated as their union).
        shapes: the shapes graph.
        engine: ``auto`` (default, = ``fast``), ``fast`` or ``pyshacl``.

    Returns:
        The report, with results sorted for stable output.

    Raises:
        ValueError: for an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    if engine in ("auto", "fast"):
        from .fast import UnsupportedShapesError, compile_shapes

        try:
            compiled = compile_shapes(shapes)
            with paused_gc():
                return _validate_fast(data, compiled)
        except UnsupportedShapesError as reason:
            log.warning("fast SHACL engine: %s; falling back to pySHACL", reason)
        except Exception as error:  # noqa: BLE001 - a fast-path bug must not crash
            # Never a crash nor a guess: any failure inside the fast path
            # (a query Oxigraph rejects, deep recursion) means pySHACL decides.
            log.warning("fast SHACL engine failed (%r); falling back to pySHACL", error)
    if isinstance(data, ox.Store):
        data = _store_to_graph(data)
    return _validate_pyshacl(data, shapes)


def validate_nquads(
    nquads: bytes, shapes: Graph, *, engine: str = "auto"
) -> ValidationReport:
    """Validate the union of the graphs of an N-Quads dump (as the build writes it).

    The fast engine bulk-loads the dump into Oxigraph (Rust parsing, no rdflib
    terms); pySHACL (``engine="pyshacl"`` or the fallback) gets it parsed by rdflib.

    Args:
        nquads: the dump's bytes.
        shapes: the shapes graph.
        engine: as for ``validate_graph``.

    Returns:
        The report.
    """
    return validate_nquads_taken(lambda: nquads, shapes, engine=engine)


def validate_nquads_taken(
    take: Callable[[], bytes], shapes: Graph, *, engine: str = "auto"
) -> ValidationReport:
    """``validate_nquads`` on the bytes ``take()`` returns, which the fast engine
    lets go as soon as they are loaded (the build hands over a dump of hundreds
    of MB this way, so it is not held while the queries run).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    # take() may hand over its only reference (the build's dump): it is called
    # once, and a fallback after the load reads the data back from the store.
    holder = [take()]
    store: ox.Store | None = None
    if engine in ("auto", "fast"):
        from .fast import (
            UnsupportedShapesError,
            check_nquads_literals,
            compile_shapes,
            store_from_nquads,
        )

        try:
            compiled = compile_shapes(shapes)
            check_nquads_literals(holder[0])
            with paused_gc():
                store = store_from_nquads(holder.pop())
                return _validate_fast(store, compiled)
        except UnsupportedShapesError as reason:
            log.warning("fast SHACL engine: %s; falling back to pySHACL", reason)
        except Exception as error:  # noqa: BLE001 - a fast-path bug must not crash
            log.warning("fast SHACL engine failed (%r); falling back to pySHACL", error)
    if holder:
        return _validate_pyshacl(_nquads_to_graph(holder.pop()), shapes)
    assert store is not None  # the data was taken by the load
    from .fast import unprotect_nquads

    dumped = store.dump(format=N_QUADS.oxigraph) or b""  # no output file: bytes
    return _validate_pyshacl(_nquads_to_graph(unprotect_nquads(dumped)), shapes)


def _nquads_to_graph(nquads: bytes) -> Graph:
    """The union of an N-Quads dump as an rdflib graph (for pySHACL)."""
    return union_of_quads(ox.parse(nquads, format=N_QUADS.oxigraph))


def _store_to_graph(store: ox.Store) -> Graph:
    """The union of a store's graphs as an rdflib graph (for pySHACL)."""
    return store_to_union(store)


def _validate_fast(
    data: Graph | ox.Store, compiled: CompiledShapes
) -> ValidationReport:
    from .fast import graph_to_store

    store = data if isinstance(data, ox.Store) else graph_to_store(data)
    return report_of(fast_results(store, compiled), engine="fast")


def fast_results(store: ox.Store, compiled: CompiledShapes) -> list[ValidationResult]:
    """The fast engine's results on a store, unsorted.

    Raises:
        UnsupportedShapesError: a query Oxigraph rejects (validate with pySHACL).
    """
    from .fast import validate_store

    return [
        ValidationResult(
            focus=f.focus,
            path=f.path,
            message=f.message,
            severity=f.severity,
            shape=f.shape,
            value=f.value,
            messages=_messages_of(compiled, f),
        )
        for f in validate_store(store, compiled)
    ]


def result_key(result: ValidationResult) -> tuple[str, ...]:
    """The order of a report's results: by shape, focus node, path, value (then
    message and severity, so that equal keys are equal results)."""
    return (
        str(result.shape),
        str(result.focus),
        str(result.path),
        str(result.value),
        result.message,
        result.severity,
    )


def report_of(results: list[ValidationResult], *, engine: str) -> ValidationReport:
    """A report of ``results`` (sorted by ``result_key``), with its report graph."""
    results = sorted(results, key=result_key)
    conforms = not any(r.severity == "Violation" for r in results)
    log.info("SHACL (%s): conforms=%s, %d result(s)", engine, conforms, len(results))
    return ValidationReport(
        conforms=conforms,
        results=results,
        graph=_report_graph(conforms, results),
        engine=engine,
    )


def _messages_of(compiled: CompiledShapes, finding: Finding) -> tuple[Literal, ...]:
    """The finding's messages with their languages, as pySHACL reports them: all
    ``sh:message`` literals of its shape — or of its SPARQL constraint — when it
    shows one of them as written; a substituted or generic text stays as it is."""
    candidates = [compiled.messages.get(finding.shape, ())]
    candidates += list(compiled.messages.values())
    for messages in candidates:
        if any(str(m) == finding.message for m in messages):
            return messages
    return (Literal(finding.message),)


def _report_graph(conforms: bool, results: list[ValidationResult]) -> Graph:
    """A SHACL validation report graph for the fast engine's results."""
    graph = bind_prefixes(Graph())
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for result in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, result.focus))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        for message in result.messages or (Literal(result.message),):
            graph.add((node, SH.resultMessage, message))
        if result.shape is not None:
            graph.add((node, SH.sourceShape, result.shape))
        if result.path is not None:
            graph.add((node, SH.resultPath, result.path))
        if result.value is not None:
            graph.add((node, SH.value, result.value))
    return graph


def _validate_pyshacl(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate with pySHACL (the reference engine)."""
    # Imported here: the fast engine, and every command that does not validate,
    # need not load it (0.4 s of start-up).
    from pyshacl import validate as pyshacl_validate

    conforms, report_graph, _ = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    results = []
    # Nested results (sh:detail of an sh:node failure) explain a top-level result;
    # they are not separate findings.
    details = set(report_graph.objects(None, SH.detail))
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        if node in details:
            continue
        severity = report_graph.value(node, SH.resultSeverity)
        messages = tuple(
            sorted(
                (
                    m
                    for m in report_graph.objects(node, SH.resultMessage)
                    if isinstance(m, Literal)
                ),
                key=_message_key,
            )
        )
        results.append(
            ValidationResult(
                focus=report_graph.value(node, SH.focusNode),
                path=report_graph.value(node, SH.resultPath),
                message=str(messages[0]) if messages else "",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=report_graph.value(node, SH.sourceShape),
                value=report_graph.value(node, SH.value),
                messages=messages,
            )
        )
    results.sort(key=result_key)
    bind_prefixes(report_graph)
    log.info("SHACL: conforms=%s, %d result(s)", conforms, len(results))
    return ValidationReport(
        conforms=bool(conforms), results=results, graph=report_graph
    )
