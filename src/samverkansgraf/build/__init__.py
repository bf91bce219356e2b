"""Stage 3 — build: the project's inputs become one checked dataset in ``dist/``.

Input: the project (``ontology/``, ``shapes/``, ``data/``). Output: an
``AssembledDataset`` (``dataset``; each curated document built by ``document``),
its deterministic dumps written by Oxigraph (``dumps``), the per-document build
cache that makes a rebuild redo only what changed (``cache``), and ``build()``'s
run that validates and publishes them into ``dist/`` as one unit with
``build-report.json`` (``pipeline``).
"""

from .dataset import (
    DUMP_STEM,
    ONTOLOGY_FILE,
    SCHEMES_FILE,
    SUMMARY_CLASSES,
    AssembledDataset,
    CuratedDocument,
    DocumentLoader,
    GraphMap,
    UnionTriples,
    assemble_dataset,
    build_documents,
    count_assembled,
    count_facts,
    count_facts_in,
    load_files_with_vocabulary,
    load_vocabulary_and_reference,
)
from .document import DocumentBuild, build_document, document_of
from .dumps import GraphPieces, graph_pieces, serialise_dataset
from .pipeline import BuildResult, build, run_build

__all__ = [
    "DUMP_STEM",
    "ONTOLOGY_FILE",
    "SCHEMES_FILE",
    "SUMMARY_CLASSES",
    "AssembledDataset",
    "UnionTriples",
    "BuildResult",
    "CuratedDocument",
    "DocumentBuild",
    "DocumentLoader",
    "GraphMap",
    "GraphPieces",
    "assemble_dataset",
    "build",
    "build_document",
    "build_documents",
    "count_assembled",
    "count_facts",
    "count_facts_in",
    "document_of",
    "graph_pieces",
    "load_files_with_vocabulary",
    "load_vocabulary_and_reference",
    "run_build",
    "serialise_dataset",
]
