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

import importlib.metadata

# The version is defined once, in pyproject.toml; the installed metadata carries it.
__version__ = importlib.metadata.version("samverkansgraf")

from typing import TYPE_CHECKING

# The build's names are imported at once (the function ``build`` must shadow the
# subpackage of that name); every other stage only when first used, so that a
# command loads only what it needs (``samverkansgraf build`` needs neither the
# site server's aiohttp nor networkx: about a second of start-up, issue 19).
from .build import AssembledDataset, BuildResult, assemble_dataset, build
from .errors import (
    CatalogueError,
    EndpointError,
    EvidenceError,
    NonConformanceError,
    OutputError,
    PublishError,
    QueryError,
    SamverkansgrafError,
    SourceError,
)
from .evidence import Span, check_evidence, find_quote, find_span, resolve_evidence
from .sources import ProjectPaths, find_project_root

if TYPE_CHECKING:
    from .extract import (
        EvaluationReport,
        ExtractionResult,
        Extractor,
        evaluate_extraction,
        evaluate_project,
        extract_file,
        write_draft,
    )
    from .network import (
        NetworkResult,
        analyse_network,
        compare_agreements,
        export_network,
        extract_network_data,
    )
    from .publish import PublishResult, make_site_server, publish_site
    from .query import (
        QueryResult,
        QuerySpec,
        find_query,
        load_catalogue,
        render_catalogue_markdown,
        run_query,
        run_sparql,
    )
    from .release import ReleaseResult, write_release
    from .validate import ValidationReport, validate_graph

_LAZY = {
    ".extract": (
        "EvaluationReport",
        "ExtractionResult",
        "Extractor",
        "evaluate_extraction",
        "evaluate_project",
        "extract_file",
        "write_draft",
    ),
    ".network": (
        "NetworkResult",
        "analyse_network",
        "compare_agreements",
        "export_network",
        "extract_network_data",
    ),
    ".publish": ("PublishResult", "make_site_server", "publish_site"),
    ".query": (
        "QueryResult",
        "QuerySpec",
        "find_query",
        "load_catalogue",
        "render_catalogue_markdown",
        "run_query",
        "run_sparql",
    ),
    ".release": ("ReleaseResult", "write_release"),
    ".validate": ("ValidationReport", "validate_graph"),
}
_HOMES = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> object:
    """A public name of a stage, imported on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "AssembledDataset",
    "BuildResult",
    "CatalogueError",
    "EndpointError",
    "EvaluationReport",
    "EvidenceError",
    "NetworkResult",
    "ExtractionResult",
    "Extractor",
    "NonConformanceError",
    "OutputError",
    "ProjectPaths",
    "PublishError",
    "PublishResult",
    "QueryError",
    "ReleaseResult",
    "QueryResult",
    "QuerySpec",
    "SamverkansgrafError",
    "SourceError",
    "Span",
    "ValidationReport",
    "__version__",
    "analyse_network",
    "assemble_dataset",
    "build",
    "check_evidence",
    "compare_agreements",
    "export_network",
    "extract_network_data",
    "evaluate_extraction",
    "evaluate_project",
    "extract_file",
    "find_project_root",
    "find_query",
    "find_quote",
    "make_site_server",
    "find_span",
    "publish_site",
    "load_catalogue",
    "render_catalogue_markdown",
    "resolve_evidence",
    "run_query",
    "run_sparql",
    "validate_graph",
    "write_release",
    "write_draft",
]
