"""Extraction, step 9 — the review list for the curator.

Input: an ``ExtractionResult`` (and optionally the reference graph, for readable
names). Output: Markdown: the document's metadata and warnings, each clause with
its commitments (actor, modality, cue, confidence, concerns, partners, themes),
the unknown names, the context blocks and the skipped blocks. Contact data in
quoted text is masked.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, URIRef

from ..labels import local_name, preferred_label
from ..privacy import mask_contact_data
from .draft import skip_note
from .results import EXTRACTOR_VERSION, DraftCommitment, ExtractionResult

__all__ = ["format_review"]


def _label(graph: Graph | None, iri: URIRef) -> str:
    """The resource's label in ``graph``, else its IRI's last segment."""
    return preferred_label(graph, iri) if graph is not None else local_name(iri)


def _cell(text: str, limit: int = 160) -> str:
    """A Markdown table cell: contact data masked, shortened, pipes escaped."""
    text = " ".join(mask_contact_data(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|") or "–"


def format_review(result: ExtractionResult, reference: Graph | None = None) -> str:
    """A Markdown list for the curator: metadata, warnings, each clause and its
    commitments (actor, modality, cue, confidence), unknown names, skipped blocks.

    Contact data in quoted text is masked (``privacy.mask_contact_data``).

    Args:
        result: the extraction.
        reference: a graph to label IRIs with (default: IRIs' last segment).

    Returns:
        The Markdown text.
    """

    def names(iris: Sequence[URIRef]) -> str:
        return ", ".join(_label(reference, i) for i in iris) or "–"

    def modality(iri: URIRef) -> str:
        return local_name(iri)

    commitment_count = sum(len(c.commitments) for c in result.clauses) + len(
        result.loose_commitments
    )
    lines = [
        f"# Extraction review: {result.file_name}",
        "",
        f"Machine-proposed draft by samverkansgraf extractor {EXTRACTOR_VERSION}. "
        "Nothing here is curated: check every clause boundary, actor, modality and "
        "theme against the text before copying facts into `data/curated/`.",
        "",
        "| | |",
        "|---|---|",
        f"| file | `{result.file_name}` ({len(result.text)} characters, sha256 "
        f"`{result.sha256[:16]}…`) |",
        f"| encoding | {result.encoding} |",
        f"| kind | {result.kind} |",
        f"| title | {_cell(result.title or '–', 300)} |",
        f"| parties | {names(result.parties)} |",
        "| period | "
        + (f"{result.period[0]}–{result.period[1]}" if result.period else "–")
        + " |",
        f"| based on | {names(result.based_on)} |",
        f"| clauses | {len(result.clauses)} |",
        f"| commitments | {commitment_count} |",
        f"| proposed resources | {len(result.proposed)} |",
        f"| unknown names | {len(result.candidates)} |",
        f"| skipped blocks | {len(result.skipped)} |",
        "",
    ]
    if result.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {mask_contact_data(w)}" for w in result.warnings]
        lines.append("")

    def commitment_rows(
        commitments: Sequence[DraftCommitment], prefix: str
    ) -> list[str]:
        """A table of commitments numbered ``prefix`` 1, 2 …"""
        rows = [
            "| # | actor(s) | modality | cue | confidence | concerns | partner | "
            "themes | words |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for index, c in enumerate(commitments, 1):
            actors = names(c.committed_by) + (
                " *(implied)*" if c.subject_implied else ""
            )
            rows.append(
                f"| {prefix}{index} | {actors} | {modality(c.modality)} "
                f"| {_cell(c.cue, 40)} "
                f"| {c.confidence:.2f} | {names(c.concerns)} | {names(c.partners)} | "
                f"{', '.join(modality(t) for t in c.themes) or '–'} | {_cell(c.text)} |"
            )
        return rows

    if result.clauses:
        lines += ["## Clauses and commitments", ""]
        for clause in result.clauses:
            line = result.text.count("\n", 0, clause.start) + 1
            printed = f' (printed "{clause.number}")' if clause.number else ""
            lines += [
                f"### Clause {clause.position}{printed} — {clause.kind}, line {line}, "
                f"offsets {clause.start}–{clause.end}"
                + (f", {len(clause.spans)} pieces" if len(clause.spans) > 1 else ""),
                "",
                f"> {_cell(' '.join(s.exact for s in clause.spans), 400)}",
                "",
            ]
            if clause.candidates:
                lines += ["Unknown names: " + ", ".join(clause.candidates), ""]
            if clause.commitments:
                lines += commitment_rows(clause.commitments, f"{clause.position}-")
            else:
                lines.append("*No commitment found (context only?).*")
            lines.append("")
    if result.loose_commitments:
        drafted = result.kind == "plan"
        lines += [
            "## Commitments outside clauses"
            + ("" if drafted else " (listed only, not in the draft)"),
            "",
            *commitment_rows(result.loose_commitments, ""),
            "",
        ]

    def line_of(offset: int) -> int:
        return result.text.count("\n", 0, offset) + 1

    if result.goals or result.activities:
        lines += ["## Goals and activities", ""]
        lines += [
            f"- Goal {g.number} (line {line_of(g.spans[0].start)}): "
            f"{_cell(g.label, 200)}"
            for g in result.goals
        ]
        lines += [
            "",
            "| # | activity | goal | start | participants | convenor | coordinators "
            "(roles) | follow-up | done | line |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for a in result.activities:
            roles = "; ".join(a.coordinator_roles)
            roles = f" ({_cell(roles, 80)})" if roles else ""
            missed = ", ".join(a.unresolved)
            missed = f"; not read: {_cell(missed, 60)}" if missed else ""
            lines.append(
                f"| {a.position} | {_cell(a.label, 80)} | {a.goal or '–'} | "
                f"{_cell(a.start_term or '–', 20)} | "
                f"{names(a.participants)}{missed} | {names(a.convenors)} | "
                f"{names(a.coordinators)}{roles} | {_cell(a.follow_up or '–', 40)} | "
                f"{a.completion_year or '–'} | {line_of(a.start)} |"
            )
        lines.append("")
    if result.signatures:
        lines += [
            "## Signatures",
            "",
            "| party | signatory | role | place | date |",
            "|---|---|---|---|---|",
        ]
        for sig in result.signatures:
            party = names([sig.signed_for] if sig.signed_for else [])
            lines.append(
                f"| {party} | {_cell(sig.name, 60)} | {_cell(sig.role or '–', 80)} "
                f"| {_cell(sig.place or '–', 40)} | {sig.date or '–'} |"
            )
        lines.append("")
    if result.proposed:
        lines += [
            "## Proposed resources",
            "",
            "Names the reference graph lacks, proposed as new resources "
            "(`skg:proposed true`) with the kind their head word suggests. Accept "
            "a real one by adding it to `data/reference/*.ttl` (or its name as a "
            "`skos:altLabel` of an existing resource) and extract again.",
            "",
            "| name | kind | confidence | why | other forms | occurrences | "
            "first line |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(p.label, 80)} | {modality(p.kind)} | {p.confidence:.2f} | "
            f"{_cell(p.reason, 60)} | {_cell(', '.join(p.variants), 80)} | "
            f"{p.count} | {p.line} |"
            for p in result.proposed
        ]
        lines.append("")
    if result.refused:
        lines += [
            "## Names of another county (refused)",
            "",
            "These words match a resource that belongs to another county; "
            "they were not linked (a name in this document means this county's "
            "body).",
            "",
        ]
        lines += [f"- {_cell(text, 200)}" for text in result.refused]
        lines.append("")
    if result.candidates:
        lines += [
            "## Unknown names (candidates)",
            "",
            "Capitalised names not in the reference graph. Add real actors or "
            "programmes to `data/reference/*.ttl` (or a variant as `skos:altLabel`) "
            "and extract again.",
            "",
            "| name | occurrences | first line |",
            "|---|---|---|",
        ]
        lines += [
            f"| {_cell(c.name, 80)} | {c.count} | {c.line} |" for c in result.candidates
        ]
        lines.append("")
    if result.context:
        lines += ["## Not clauses (headings and context in the clause region)", ""]
        lines += [f"- line {line}: {_cell(text, 200)}" for line, text in result.context]
        lines.append("")
    if result.skipped:
        lines += [
            "## Skipped blocks",
            "",
            "Set aside and never quoted (recorded as `skg:SkippedPassage` with offsets "
            "only, except signatures).",
            "",
            "| line | offsets | reason |",
            "|---|---|---|",
        ]
        lines += [
            f"| {b.line} | {b.start}–{b.end} | {skip_note(b.reason, 1)} |"
            for b in result.skipped
        ]
        lines.append("")
    lines += [
        "## Confidence",
        "",
        "0.90 subject named next to a lexicon cue; 0.85 subject after the cue "
        '("vill regionen …"); 0.70 statement read from a finite verb; lower when a '
        "name matched only fuzzily. Sentences without an actor as subject are not "
        "drafted (docs/reading-convention.md).",
        "",
    ]
    return "\n".join(lines)
