"""Stage 3c — curation reports on the assembled dataset, for the curator.

Input: an ``AssembledDataset`` (evidence resolved). Output: three reports, one
module each — ``coverage`` (how much of each source the evidence covers, and the
passages still uncovered), ``entities`` (every actor, programme and plan with its
names and usage, and label collisions) and ``names`` (names of bodies in a fact's
quoted words that the fact does not link, minus the explained exceptions of
``data/reference/names-check.toml``).
"""

from __future__ import annotations

from .coverage import (
    COVERAGE_MIN_LENGTH,
    CoverageReport,
    DocumentCoverage,
    Passage,
    compute_coverage,
    document_coverage,
    plot_coverage,
)
from .entities import (
    ENTITY_CLASSES,
    ENTITY_FORMATS,
    EntityRow,
    find_label_collisions,
    format_entities,
    format_label_collisions,
    list_entities,
    normalise_label,
)
from .names import (
    CHECKED_CLASSES,
    NAMES_CHECK_FILE,
    NameAlias,
    NameException,
    NameGap,
    NamesCheck,
    NamesReport,
    check_names,
    read_names_check,
)

__all__ = [
    "CHECKED_CLASSES",
    "COVERAGE_MIN_LENGTH",
    "ENTITY_CLASSES",
    "ENTITY_FORMATS",
    "NAMES_CHECK_FILE",
    "CoverageReport",
    "DocumentCoverage",
    "EntityRow",
    "NameAlias",
    "NameException",
    "NameGap",
    "NamesCheck",
    "NamesReport",
    "Passage",
    "check_names",
    "compute_coverage",
    "document_coverage",
    "find_label_collisions",
    "format_entities",
    "format_label_collisions",
    "list_entities",
    "normalise_label",
    "plot_coverage",
    "read_names_check",
]
