"""samverkansgraf: an RDF knowledge graph of Swedish regional-municipal cultural
cooperation (kultursamverkansmodellen), built from its source documents with exact
evidence for every fact.

The library is usable without the CLI::

    from samverkansgraf import find_project_root, build
    result = build(find_project_root())
    result.validation.conforms

and, after a build, the query catalogue (in a notebook)::

    from samverkansgraf import run_query
    run_query("08", programme="skgid:programme/icorn").to_dataframe()
"""

from __future__ import annotations

__version__ = "0.1.0"

from .build import AssembledDataset, BuildResult, assemble_dataset, build
from .catalogue import (
    QuerySpec,
    find_query,
    load_catalogue,
    render_catalogue_markdown,
)
from .errors import (
    CatalogueError,
    EndpointError,
    EvidenceError,
    NonConformanceError,
    OutputError,
    QueryError,
    SamverkansgrafError,
    SourceError,
)
from .evidence import Span, check_evidence, find_quote, find_span, resolve_evidence
from .query import QueryResult, run_query, run_sparql
from .sources import ProjectPaths, find_project_root
from .validate import ValidationReport, validate_graph

__all__ = [
    "AssembledDataset",
    "BuildResult",
    "CatalogueError",
    "EndpointError",
    "EvidenceError",
    "NonConformanceError",
    "OutputError",
    "ProjectPaths",
    "QueryError",
    "QueryResult",
    "QuerySpec",
    "SamverkansgrafError",
    "SourceError",
    "Span",
    "ValidationReport",
    "__version__",
    "assemble_dataset",
    "build",
    "check_evidence",
    "find_project_root",
    "find_query",
    "find_quote",
    "find_span",
    "load_catalogue",
    "render_catalogue_markdown",
    "resolve_evidence",
    "run_query",
    "run_sparql",
    "validate_graph",
]
