"""Extraction, step 6 — commitments: who commits to what, and how strongly.

Input: a range of the working text, read through a ``CommitmentContext`` (the
layout, the gazetteer, the lexicons and the document's ``Classification``).
Output: a ``DraftCommitment`` for each predication that has one: the first
modality cue decides the modality (``ska … verka för`` is StrivesFor); the
subject next to the cue gives the committing actors ("kommunen", "regionen",
"parterna" resolve to the agreement's parties); a party-subject sentence with a
finite verb and no cue is a statement (States). As the reading convention has
it (docs/reading-convention.md, issue #18): a sentence without an actor as
subject is no commitment (its "ska" is the sentence's, not a party's), nor is
one whose subject is every municipality ("Dalarnas kommuner kan av staten söka
…"); a party named after "tillsammans med" is a co-committer, another actor a
partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ..evidence import Span
from ..namespaces import SKG
from .document import Classification
from .gazetteer import ACTOR_CLASSES, Gazetteer
from .layout import PageLayout, cut_spans
from .lexicons import Cue, Keyword, find_themes
from .results import DraftCommitment
from .sentences import (
    PARTNER_WORDS,
    SentenceItem,
    phrase_end,
    sentence_items,
    sentence_ranges,
    split_at_conjunctions,
    statement_verb,
    subject_after,
    subject_before,
)
from .text import joined_word_tokens

__all__ = ["CommitmentContext", "read_commitments"]

Items = Sequence[SentenceItem]


@dataclass(frozen=True)
class CommitmentContext:
    """What reading commitments needs to know about the document."""

    layout: PageLayout
    """The text, its working copy and the blanked intervals."""
    gazetteer: Gazetteer
    """The names of the reference graph."""
    cues: Sequence[Cue]
    """The modality cues."""
    keywords: Sequence[Keyword]
    """The theme keywords."""
    classification: Classification
    """The document's kind and, for an agreement, its two parties."""

    @property
    def is_agreement(self) -> bool:
        """True when the document was classified as an agreement."""
        return self.classification.kind == "agreement"

    @property
    def parties(self) -> set[URIRef | None]:
        """The agreement's region and municipality (``None`` when not known)."""
        return {self.classification.region, self.classification.municipality}


def read_commitments(
    context: CommitmentContext, start: int, end: int
) -> list[DraftCommitment]:
    """Every commitment in ``work[start:end]``, in text order.

    Args:
        context: the document.
        start: offset where the range begins.
        end: offset where it ends.

    Returns:
        The commitments of its sentences (a sentence joining two predications
        with "och" gives two).
    """
    found = []
    work = context.layout.work
    for sentence_start, sentence_end in sentence_ranges(work, start, end):
        items = sentence_items(
            work, sentence_start, sentence_end, context.gazetteer, context.cues
        )
        for unit_start, unit_end, unit in split_at_conjunctions(
            sentence_start, sentence_end, items
        ):
            commitment = _read_commitment(context, unit_start, unit_end, unit)
            if commitment is not None:
                found.append(commitment)
    return found


def _read_commitment(
    context: CommitmentContext, start: int, end: int, items: list[SentenceItem]
) -> DraftCommitment | None:
    """The commitment of one predication, or None when it has no actor."""
    cues = [i for i, item in enumerate(items) if item.kind == "CUE"]
    if cues:
        first = cues[0]
        modality = items[first].modality
        cue_text = items[first].text
        if modality == SKG.Shall:
            for other in cues[1:]:
                if other - first <= 4 and items[other].modality == SKG.StrivesFor:
                    modality = SKG.StrivesFor
                    cue_text = f"{cue_text} … {items[other].text}"
                    break
        phrase = subject_before(items, first)
        confidence = 0.9
        if not phrase:
            phrase = subject_after(items, first)
            confidence = 0.85
        actors, factor = _resolve_actors(context, phrase)
        if not actors:
            return None  # no acting subject: a statement (reading convention §2)
    else:
        phrase, actors, factor = _statement_subject(context, items)
        if not actors:
            return None
        modality, confidence = SKG.States, 0.7
        verb = statement_verb(items, phrase)
        cue_text = f"(finite verb {verb!r})"
    assert modality is not None
    layout = context.layout
    spans = cut_spans(layout.text, start, end, layout.blanked)
    if spans and spans[-1].exact.endswith(","):
        last = spans[-1]
        trimmed = last.exact[:-1].rstrip()
        spans[-1] = Span(last.start, last.start + len(trimmed), trimmed)
    spans = [span for span in spans if span.exact]
    if not spans:
        return None
    exclude = context.parties if context.is_agreement else set(actors)
    concerns = []
    for item in items:
        for iri in item.iris:
            if iri not in exclude and iri not in concerns:
                concerns.append(iri)
    partners = [p for p in _partners(context, items) if p not in actors]
    if context.is_agreement:
        # "X vill tillsammans med Y": a party Y is a co-committer (convention §4).
        actors += [p for p in partners if p in context.parties]
        partners = [p for p in partners if p not in context.parties]
    words = [t.text.casefold() for t in joined_word_tokens(layout.work, start, end)]
    subject = " ".join(layout.work[phrase[0].start : phrase[-1].end].split())
    return DraftCommitment(
        spans=spans,
        committed_by=actors,
        modality=modality,
        cue=cue_text,
        subject=subject,
        confidence=round(confidence * factor, 2),
        concerns=concerns,
        partners=partners,
        themes=find_themes(words, context.keywords),
    )


def _resolve_actors(
    context: CommitmentContext, phrase: Items
) -> tuple[list[URIRef], float]:
    """Actors of a subject phrase, and a confidence factor."""
    actors: list[URIRef | None] = []
    factor = 1.0
    classification = context.classification
    for item in phrase:
        if item.kind == "ACTOR":
            for iri in item.iris:
                if context.gazetteer.kinds.get(iri) in ACTOR_CLASSES:
                    actors.append(iri)
                    factor *= item.score / 100
        elif context.is_agreement:
            party = item.party
            if party == "municipality-plural":
                continue  # every municipality, not the party (convention §2)
            if party.startswith("municipality") or party == "both":
                actors.append(classification.municipality)
            if party in ("region", "both"):
                actors.append(classification.region)
    ordered: list[URIRef] = []
    for actor in actors:
        if actor is not None and actor not in ordered:
            ordered.append(actor)
    return ordered, factor


def _statement_subject(
    context: CommitmentContext, items: Items
) -> tuple[list[SentenceItem], list[URIRef], float]:
    """A party subject opening the sentence and followed by a finite verb."""
    if not items or not items[0].is_actorish:
        return [], [], 1.0
    end = phrase_end(items, 0)
    phrase = list(items[:end])
    actors, factor = _resolve_actors(context, phrase)
    wanted = (
        context.parties
        if context.is_agreement
        else {
            a
            for a in actors
            if context.gazetteer.kinds.get(a) in (SKG.Region, SKG.Municipality)
        }
    )
    if not actors or not wanted.intersection(actors):
        return [], [], 1.0
    return (phrase, actors, factor) if statement_verb(items, phrase) else ([], [], 1.0)


def _partners(context: CommitmentContext, items: Items) -> list[URIRef]:
    """The actors after "tillsammans med", "i samarbete med"."""
    partners: list[URIRef] = []
    words = [item.word for item in items]
    for pattern in PARTNER_WORDS:
        size = len(pattern)
        for index in range(len(words) - size + 1):
            if tuple(words[index : index + size]) == pattern:
                end = phrase_end(items, index + size)
                actors, _ = _resolve_actors(context, items[index + size : end])
                partners += [a for a in actors if a not in partners]
    return partners
