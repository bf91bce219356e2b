"""samverkansgraf: an RDF knowledge graph of Swedish regional-municipal cultural
cooperation (kultursamverkansmodellen), built from its source documents with exact
evidence for every fact.

The library is usable without the CLI::

    from samverkansgraf import find_project_root, build
    result = build(find_project_root())
    result.validation.conforms
"""

from __future__ import annotations

__version__ = "0.1.0"

from .build import AssembledDataset, BuildResult, assemble_dataset, build
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
from .evaluate import EvaluationReport, evaluate_extraction, evaluate_project
from .evidence import Span, check_evidence, find_quote, find_span, resolve_evidence
from .extract import ExtractionResult, Extractor, extract_file, write_draft
from .sources import ProjectPaths, find_project_root
from .validate import ValidationReport, validate_graph

__all__ = [
    "AssembledDataset",
    "BuildResult",
    "CatalogueError",
    "EndpointError",
    "EvaluationReport",
    "EvidenceError",
    "ExtractionResult",
    "Extractor",
    "NonConformanceError",
    "OutputError",
    "ProjectPaths",
    "QueryError",
    "SamverkansgrafError",
    "SourceError",
    "Span",
    "ValidationReport",
    "__version__",
    "assemble_dataset",
    "build",
    "check_evidence",
    "evaluate_extraction",
    "evaluate_project",
    "extract_file",
    "find_project_root",
    "find_quote",
    "find_span",
    "resolve_evidence",
    "validate_graph",
    "write_draft",
]
