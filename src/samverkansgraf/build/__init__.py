"""Stage 3 — build: the project's inputs become one checked dataset in ``dist/``.

Input: the project (``ontology/``, ``shapes/``, ``data/``). Output: an
``AssembledDataset`` (``dataset``), its deterministic dumps (``dumps``, written by
the fast ``writers``) and ``build()``'s run that validates and writes them
atomically with ``build-report.json`` (``pipeline``).
"""

from .dataset import (
    DUMP_STEM,
    ONTOLOGY_FILE,
    SCHEMES_FILE,
    SUMMARY_CLASSES,
    AssembledDataset,
    CuratedDocument,
    GraphMap,
    assemble_dataset,
    count_assembled,
    count_facts,
    count_facts_in,
    load_files_with_vocabulary,
    load_vocabulary_and_reference,
)
from .dumps import serialise_dataset
from .pipeline import BuildResult, build, run_build

__all__ = [
    "DUMP_STEM",
    "ONTOLOGY_FILE",
    "SCHEMES_FILE",
    "SUMMARY_CLASSES",
    "AssembledDataset",
    "BuildResult",
    "CuratedDocument",
    "GraphMap",
    "assemble_dataset",
    "build",
    "count_assembled",
    "count_facts",
    "count_facts_in",
    "load_files_with_vocabulary",
    "load_vocabulary_and_reference",
    "run_build",
    "serialise_dataset",
]
