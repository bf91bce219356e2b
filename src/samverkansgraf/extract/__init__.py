"""Stage 0 — extract: draft candidate Turtle from a new agreement or plan text.

Input: a source text (plain text, Markdown or HTML). Output: a draft Turtle file and
a review list for a curator, and (``evaluate``) scores of the drafts against the
curated gold standard.
"""

from .core import ExtractionResult, Extractor, extract_file, write_draft
from .evaluate import EvaluationReport, evaluate_extraction, evaluate_project

__all__ = [
    "EvaluationReport",
    "ExtractionResult",
    "Extractor",
    "evaluate_extraction",
    "evaluate_project",
    "extract_file",
    "write_draft",
]
