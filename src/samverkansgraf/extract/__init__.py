"""Stage 0 — extract: draft candidate Turtle from a new agreement or plan text.

Input: the bytes of a plain-text source document (as extracted from a PDF or a
web page: line wraps, broken words, repeated page headers and contact blocks)
and the project's reference graph (gazetteer, actors, programmes, plans with
their ``skos:altLabel`` variants) and SKOS schemes (modality cue words, theme
keywords; more of both in ``data/reference/*-lexicon.ttl``). Output: an
``ExtractionResult`` holding a draft graph in the curated data model, every
drafted resource marked ``prov:wasGeneratedBy`` the extractor, a Markdown review
list for the curator, and (``evaluate``) scores of the drafts against the
curated gold standard.

The extractor proposes; a person decides. Its rules are general (layout
heuristics, the gazetteer, the lexicons, the reading convention), never strings
of one document. The modules, in pipeline order:

1. ``text`` — decode the bytes (UTF-8, else UTF-16/cp1252/Latin-1 with a
   warning); word tokens with offsets.
2. ``layout`` — lines and blank-line blocks; repeated page headers and footers,
   contact blocks, tables of contents, page numbers and the signature area set
   aside and blanked out of a working copy that keeps every offset.
3. ``document`` — title, parties, period, county, diary number, date;
   agreement, plan or other.
4. ``proposals`` — the document's names: the reference graph's (never one of
   another county), resources proposed for names it lacks, references back.
5. ``segmentation`` — the clause region cut into numbered, headed, bulleted or
   paragraph clauses; front and back matter left out.
6. ``sentences`` — sentences as words, names, party references and cues; the
   small Swedish grammar of subjects and verbs.
7. ``commitments`` — lead-in lists and each predication's committing actors,
   modality, concerns, partners and themes.
8. ``plans`` — a plan's goals and the rows of its activity tables.
9. ``signatures`` — the signatories of the signature area.
10. ``candidates`` — capitalised names left unknown.
11. ``draft`` — the draft graph with evidence, and its Turtle.
12. ``review`` — the Markdown review list.

Used by several steps: ``gazetteer`` (the reference graph's names, matched in a
compact form and fuzzily, and the counties of county-bound resources),
``lexicons`` (modality cues, theme keywords, head words of kinds, role words)
and ``results`` (the data classes). ``extractor`` runs the steps (``Extractor``,
``extract_file``, ``write_draft``); ``evaluate`` compares drafts with the
curated documents and the blind set (``blind``), and ``scores`` holds and
formats the figures.
"""

from .draft import build_draft_graph, serialise_draft
from .evaluate import EvaluationReport, evaluate_extraction, evaluate_project
from .extractor import Extractor, extract_file, write_draft
from .gazetteer import Gazetteer
from .results import (
    EXTRACTOR_VERSION,
    Candidate,
    DraftActivity,
    DraftClause,
    DraftCommitment,
    DraftGoal,
    DraftSignature,
    ExtractionResult,
    Mention,
    ProposedResource,
    SkippedBlock,
    extractor_iri,
)
from .review import format_review
from .text import decode_source

__all__ = [
    "EXTRACTOR_VERSION",
    "Candidate",
    "DraftActivity",
    "DraftClause",
    "DraftCommitment",
    "DraftGoal",
    "DraftSignature",
    "EvaluationReport",
    "ExtractionResult",
    "Extractor",
    "Gazetteer",
    "Mention",
    "ProposedResource",
    "SkippedBlock",
    "build_draft_graph",
    "decode_source",
    "evaluate_extraction",
    "evaluate_project",
    "extract_file",
    "extractor_iri",
    "format_review",
    "serialise_draft",
    "write_draft",
]
