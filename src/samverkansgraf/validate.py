"""Stage 4 — validate: SHACL validation of the graph with pySHACL.

Input: the union of the dataset's named graphs (ontology and schemes included, so
that ``sh:class`` sees the subclass hierarchy) and the shapes in ``shapes/``.
Output: a ``ValidationReport`` — non-conformance is a result, not an exception, as in
pySHACL; ``raise_for_results()`` turns it into a ``NonConformanceError``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .errors import NonConformanceError
from .namespaces import SH, bind_prefixes
from .sources import parse_turtle

__all__ = ["ValidationReport", "ValidationResult", "load_shapes", "validate_graph"]

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


@dataclass
class ValidationReport:
    """What pySHACL found."""

    conforms: bool
    """True when there is no violation."""
    results: list[ValidationResult] = field(default_factory=list)
    """Every result, sorted by shape, focus node and path."""
    graph: Graph | None = None
    """pySHACL's report graph (``sh:ValidationReport``)."""

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


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate ``data`` against ``shapes`` with pySHACL.

    SHACL-AF is enabled (``advanced=True``) for the SPARQL-based targets of the
    privacy shapes; no inference is run: the data graph already holds the
    ontology, and ``sh:class`` follows its ``rdfs:subClassOf`` triples.

    Args:
        data: the graph to validate (for the build: the union of all graphs).
        shapes: the shapes graph.

    Returns:
        The report, with results sorted for stable output.
    """
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
        results.append(
            ValidationResult(
                focus=report_graph.value(node, SH.focusNode),
                path=report_graph.value(node, SH.resultPath),
                message=str(report_graph.value(node, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=report_graph.value(node, SH.sourceShape),
                value=report_graph.value(node, SH.value),
            )
        )
    results.sort(key=lambda r: (str(r.shape), str(r.focus), str(r.path), str(r.value)))
    bind_prefixes(report_graph)
    log.info("SHACL: conforms=%s, %d result(s)", conforms, len(results))
    return ValidationReport(
        conforms=bool(conforms), results=results, graph=report_graph
    )
