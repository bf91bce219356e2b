"""Stage 4 — validate: SHACL validation of the dataset.

Input: an rdflib graph or N-Quads and the shapes of ``shapes/``. Output: a
``ValidationReport``. ``shacl`` holds the report and the engine choice (pySHACL, the
reference); ``fast`` compiles the shapes it can to SPARQL on pyoxigraph and refuses
the rest, which then fall back to pySHACL.
"""

from .shacl import (
    ENGINES,
    ValidationReport,
    ValidationResult,
    load_shapes,
    validate_graph,
    validate_nquads,
    validate_nquads_taken,
)

__all__ = [
    "ENGINES",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate_graph",
    "validate_nquads",
    "validate_nquads_taken",
]
