"""Extraction, step 6 — commitments: who commits to what, and how strongly.

Input: a range of the working text, read through a ``CommitmentContext`` (the
layout, the gazetteer, the lexicons and the document's ``Classification``).
Output: a ``DraftCommitment`` for each predication that has one: the first
modality cue decides the modality (``ska … verka för`` is StrivesFor); the
subject next to the cue gives the committing actors ("kommunen", "regionen",
"parterna" resolve to the agreement's parties); a party-subject sentence with a
finite verb and no cue is a statement (States); a subject-less normative "ska"
in an agreement is a commitment of both parties (``skg:subjectImplied``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ..evidence import Span
from ..namespaces import SKG
from .document import Classification
from .gazetteer import ACTOR_CLASSES, NameIndex
from .layout import ITEM_MARKER, Line, PageLayout, cut_spans
from .lexicons import Cue, Keyword, find_themes
from .results import DraftCommitment
from .sentences import (
    PARTNER_WORDS,
    SentenceItem,
    phrase_end,
    sentence_items,
    sentence_ranges,
    skip_adverbs,
    split_at_conjunctions,
    statement_verb,
    subject_after,
    subject_before,
)
from .text import joined_word_tokens

__all__ = ["CommitmentContext", "LeadIn", "find_leadins", "read_commitments"]

Items = Sequence[SentenceItem]


@dataclass(frozen=True)
class CommitmentContext:
    """What reading commitments needs to know about the document."""

    layout: PageLayout
    """The text, its working copy and the blanked intervals."""
    gazetteer: NameIndex
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


@dataclass(frozen=True)
class LeadIn:
    """A lead-in and its list: "Regionen åtar sig att" + "– item", "– item"."""

    start: int
    """Where the lead-in's words begin."""
    end: int
    """Where the last item ends."""
    subject: tuple[SentenceItem, ...]
    """The lead-in's subject phrase."""
    actors: tuple[URIRef, ...]
    """The actors it commits."""
    modality: URIRef
    """Its modality (every item's, unless the item says "verka för" …)."""
    cue: str
    """The cue (or finite verb) it was read from."""
    factor: float
    """Confidence factor of the subject (fuzzy names, "kommunerna")."""
    items: tuple[Span, ...]
    """Each item's words, bullet, dash or letter left out."""


def find_leadins(context: CommitmentContext, start: int, end: int) -> list[LeadIn]:
    """The lead-in lists of ``work[start:end]``.

    A lead-in is the last words of the line before a list (bullets, dashes or
    "a)", "b)" items) when they hold only a subject and a modality cue, optionally
    "att" and a colon: "Regionen åtar sig att", "Kommunen ska", "Parterna ska
    gemensamt:", "Region X ansvarar för att:". A subject and a finite verb with
    nothing after but "för:" is a lead-in of statements (States). Each item is the
    predicate of one commitment of that subject.
    """
    layout = context.layout
    lines = [line for line in layout.lines if start <= line.start and line.end <= end]
    found: list[LeadIn] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not ITEM_MARKER.match(line.text) or index == 0 or lines[index - 1].blank:
            index += 1
            continue
        items: list[list[int]] = []
        stop = index
        while stop < len(lines) and not lines[stop].blank:
            marker = ITEM_MARKER.match(lines[stop].text)
            if marker:
                items.append([lines[stop].start + marker.end(), lines[stop].last])
            elif items and _continues(lines[stop - 1].text, lines[stop].text):
                items[-1][1] = lines[stop].last
            else:
                break
            stop += 1
        leadin = _read_leadin(context, lines[index - 1], items)
        if leadin is not None:
            found.append(leadin)
        index = max(stop, index + 1)
    return found


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` wraps the list item of ``previous``: it is indented, starts
    in lower case, or follows a line that did not end a clause."""
    stripped = line.lstrip()
    return (
        len(line) > len(stripped)
        or stripped[:1].islower()
        or not previous.rstrip().endswith((".", ",", ";", ":", "!", "?"))
    )


_LEADIN_TAIL = frozenset({"att", "gemensamt", "tillsammans", "båda", "för"})


def _read_leadin(
    context: CommitmentContext, line: Line, items: list[list[int]]
) -> LeadIn | None:
    """The lead-in ending ``line``, if its last sentence is only subject + cue."""
    work = context.layout.work
    text = work[line.start : line.last]
    if not text.strip():
        return None
    boundary = max((m.end() for m in re.finditer(r"[.!?]\s+", text)), default=0)
    lead_start = line.start + boundary
    lead_start += len(work[lead_start : line.last]) - len(
        work[lead_start : line.last].lstrip()
    )
    entries = sentence_items(
        work, lead_start, line.last, context.gazetteer, context.cues
    )
    entries = [e for e in entries if not (e.kind == "PUNCT" and e.text == ":")]
    if not entries:
        return None
    cues = [i for i, e in enumerate(entries) if e.kind == "CUE"]
    if cues:
        tail = entries[cues[0] + 1 :]
        modality = entries[cues[0]].modality
        cue_text = entries[cues[0]].text
        phrase = subject_before(entries, cues[0])
    else:
        end = phrase_end(entries, 0)
        phrase = list(entries[:end])
        verb = statement_verb(entries, phrase) if phrase else None
        if verb is None:
            return None
        k = skip_adverbs(entries, end)
        tail = entries[k + 1 :]
        modality, cue_text = SKG.States, f"(finite verb {verb!r})"
    if not phrase or any(
        e.kind != "WORD" or (e.word not in _LEADIN_TAIL and skip_adverbs([e], 0) == 0)
        for e in tail
    ):
        return None
    actors, factor = _resolve_actors(context, phrase)
    if not actors or modality is None:
        return None
    spans = [
        Span(first, last, context.layout.text[first:last])
        for first, last in items
        if last > first
    ]
    if not spans:
        return None
    return LeadIn(
        phrase[0].start,
        spans[-1].end,
        tuple(phrase),
        tuple(actors),
        modality,
        cue_text,
        factor,
        tuple(spans),
    )


def _leadin_commitments(
    context: CommitmentContext, leadin: LeadIn
) -> list[DraftCommitment]:
    """One commitment per item of a lead-in list."""
    layout = context.layout
    found = []
    subject = " ".join(
        layout.work[leadin.subject[0].start : leadin.subject[-1].end].split()
    )
    for item in leadin.items:
        items = sentence_items(
            layout.work, item.start, item.end, context.gazetteer, context.cues
        )
        modality, cue = leadin.modality, f"lead-in {leadin.cue!r}"
        own = [i for i, e in enumerate(items[:5]) if e.kind == "CUE"]
        if own and items[own[0]].modality == SKG.StrivesFor:
            modality, cue = SKG.StrivesFor, f"{cue} … {items[own[0]].text}"
        spans = cut_spans(layout.text, item.start, item.end, layout.blanked)
        spans = _trim_comma(spans)
        if not spans:
            continue
        actors = list(leadin.actors)
        partners = [p for p in _partners(context, items) if p not in actors]
        words = [
            t.text.casefold()
            for t in joined_word_tokens(layout.work, item.start, item.end)
        ]
        found.append(
            DraftCommitment(
                spans=spans,
                committed_by=actors,
                modality=modality,
                cue=cue,
                subject=subject,
                confidence=round(0.85 * leadin.factor, 2),
                concerns=_concerns(context, items, set(actors) | set(partners)),
                partners=partners,
                themes=find_themes(words, context.keywords),
            )
        )
    return found


def read_commitments(
    context: CommitmentContext, start: int, end: int
) -> list[DraftCommitment]:
    """Every commitment in ``work[start:end]``, in text order.

    Lead-in lists give one commitment per item; the other sentences are read
    one by one.

    Args:
        context: the document.
        start: offset where the range begins.
        end: offset where it ends.

    Returns:
        The commitments of its sentences (a sentence joining two predications
        with "och" gives two).
    """
    found: list[DraftCommitment] = []
    pieces = [(start, end)]
    for leadin in find_leadins(context, start, end):
        found += _leadin_commitments(context, leadin)
        pieces = [
            part
            for a, b in pieces
            for part in ((a, min(b, leadin.start)), (max(a, leadin.end), b))
            if part[1] > part[0]
        ]
    for piece_start, piece_end in pieces:
        found += _read_sentences(context, piece_start, piece_end)
    return sorted(found, key=lambda c: c.start)


def _read_sentences(
    context: CommitmentContext, start: int, end: int
) -> list[DraftCommitment]:
    """The commitments of the sentences of ``work[start:end]``."""
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
            # The "ska" of the sentence, not of an actor ("Alla invånare … ska ha
            # möjlighet …"), a passive, a third party's permission: a statement
            # (reading convention §2), not a commitment of the parties.
            return None
    else:
        phrase, actors, factor = _statement_subject(context, items)
        if not actors:
            return None
        modality, confidence = SKG.States, 0.7
        verb = statement_verb(items, phrase)
        cue_text = f"(finite verb {verb!r})"
    assert modality is not None
    layout = context.layout
    spans = _trim_comma(cut_spans(layout.text, start, end, layout.blanked))
    if not spans:
        return None
    partners = [p for p in _partners(context, items) if p not in actors]
    if context.is_agreement:
        # "X vill tillsammans med Y", Y the other party: both commit (§4).
        joint = [p for p in partners if p in context.parties]
        actors += joint
        partners = [p for p in partners if p not in joint]
    concerns = _concerns(context, items, set(actors) | set(partners), phrase)
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


def _trim_comma(spans: list[Span]) -> list[Span]:
    """The spans without a trailing comma (a list item's "…,"), empty ones left out."""
    if spans and spans[-1].exact.endswith(","):
        last = spans[-1]
        trimmed = last.exact[:-1].rstrip()
        spans[-1] = Span(last.start, last.start + len(trimmed), trimmed)
    return [span for span in spans if span.exact]


# A party named after these words is the place of the work ("i kommunen"), not
# what the work concerns.
_PLACE_WORDS = frozenset({"i", "på", "inom", "runt", "utanför", "över", "kring"})
# The parties' genitives: "kommunens förskolor" names the municipality as the one
# offered something, unless a body of its own follows ("kommunens bibliotek").
_PARTY_GENITIVES = {"kommunens": "municipality", "regionens": "region"}


def _concerns(
    context: CommitmentContext,
    items: Items,
    exclude: set[URIRef],
    subject: Items = (),
) -> list[URIRef]:
    """What the sentence is about (reading convention §5): every resource it names
    except its committing actors and partners (``exclude``), and a party it names
    as the one helped or offered something: never as the place of the work ("i
    kommunen") and never in its own subject."""
    concerns: list[URIRef] = []
    in_subject = {id(item) for item in subject}
    classification = context.classification
    for index, item in enumerate(items):
        found: list[URIRef | None] = list(item.iris)
        before = items[index - 1].word if index else ""
        if context.is_agreement and id(item) not in in_subject:
            party = item.party or _PARTY_GENITIVES.get(item.word, "")
            if party == "municipality":
                found.append(classification.municipality)
            elif party == "region":
                found.append(classification.region)
            if item.word in _PARTY_GENITIVES and index + 1 < len(items):
                if items[index + 1].iris:
                    found = []  # "kommunens bibliotek": the body, not the party
        for iri in found:
            if iri is None or iri in exclude or iri in concerns:
                continue
            if iri in context.parties and (
                before in _PLACE_WORDS or id(item) in in_subject
            ):
                continue
            concerns.append(iri)
    return concerns


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
            # "Dalarnas kommuner", "kommunerna": every municipality of the county,
            # not the party (reading convention §2: a third party's permission).
            if party in ("municipality", "both"):
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
