"""Extraction, lexicons — modality cues and theme keywords.

Input: the SKOS schemes (and ``data/reference/*-lexicon.ttl``): the Swedish labels
of the ``skg:ModalityScheme`` concepts ("ska", "verka för", "arbetar … för") and
of the ``skg:ThemeScheme`` concepts. Output: ``Cue`` and ``Keyword`` lists read
once per extractor, and the cue matches and themes found in a sentence's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDFS, SKOS

from ..namespaces import SKG
from .text import word_tokens

__all__ = [
    "Cue",
    "CueMatch",
    "KIND_CLASSES",
    "KindWord",
    "Keyword",
    "find_cues",
    "find_themes",
    "kind_of",
    "read_cues",
    "read_keywords",
    "read_kinds",
    "read_roles",
]

# The endings a short theme keyword may take and still count ("kultur" → "kulturen").
_INFLECTIONS = (
    "",
    "s",
    "n",
    "en",
    "ens",
    "et",
    "ets",
    "er",
    "ers",
    "erna",
    "ernas",
    "ar",
    "arna",
    "or",
    "orna",
    "na",
    "a",
    "e",
    "es",
    "r",
    "rna",
    "t",
)


@dataclass(frozen=True)
class Cue:
    """A modality cue: one or more word groups that signal a modality."""

    parts: tuple[tuple[str, ...], ...]
    """Word groups; a gap of up to six words lies between consecutive groups."""
    modality: URIRef
    """The ``skg:ModalityScheme`` concept it signals."""
    label: str
    """The label it was read from."""


@dataclass(frozen=True)
class CueMatch:
    """Where a cue occurs in a sentence's words."""

    first: int
    """Index of its first token."""
    head_last: int
    """Index of the last token of its first word group (the cue's position)."""
    last: int
    """Index of its last token."""
    modality: URIRef
    """The modality it signals."""
    label: str
    """The cue's label."""


def read_cues(schemes: Graph) -> list[Cue]:
    """Modality cues: the Swedish labels of the modality concepts."""
    cues = []
    for concept in schemes.subjects(SKOS.inScheme, SKG.ModalityScheme):
        if not isinstance(concept, URIRef):
            continue
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in schemes.objects(concept, prop):
                if not isinstance(label, Literal) or label.language != "sv":
                    continue
                groups = tuple(
                    tuple(t.text.casefold() for t in word_tokens(part))
                    for part in re.split(r"…|\.\.\.", str(label))
                    if word_tokens(part)
                )
                if groups:
                    cues.append(Cue(groups, concept, str(label)))
    # Longer cues first, so "arbetar gemensamt för" beats "arbetar för".
    return sorted(cues, key=lambda c: (-sum(len(g) for g in c.parts), c.label))


def _match_group(words: Sequence[str], at: int, group: tuple[str, ...]) -> bool:
    """Whether the words from ``at`` on are exactly ``group``."""
    return tuple(words[at : at + len(group)]) == group


def find_cues(words: Sequence[str], cues: Sequence[Cue]) -> list[CueMatch]:
    """Every cue occurrence, leftmost-longest, non-overlapping."""
    found: list[CueMatch] = []
    index = 0
    while index < len(words):
        hit = None
        for cue in cues:
            if not _match_group(words, index, cue.parts[0]):
                continue
            position = index + len(cue.parts[0])
            ok = True
            for group in cue.parts[1:]:
                for gap in range(0, 7):
                    if _match_group(words, position + gap, group):
                        position += gap + len(group)
                        break
                else:
                    ok = False
                    break
            if ok:
                head_last = index + len(cue.parts[0]) - 1
                hit = CueMatch(index, head_last, position - 1, cue.modality, cue.label)
                break
        if hit is None:
            index += 1
        else:
            found.append(hit)
            index = hit.last + 1
    return found


@dataclass(frozen=True)
class Keyword:
    """A theme keyword: the case-folded words of a theme concept's label."""

    words: tuple[str, ...]
    """Its words; the last may be inflected."""
    concept: URIRef
    """The ``skg:ThemeScheme`` concept."""


def read_keywords(schemes: Graph) -> list[Keyword]:
    """Theme keywords: Swedish labels of the theme concepts."""
    keywords = set()
    for concept in schemes.subjects(SKOS.inScheme, SKG.ThemeScheme):
        if not isinstance(concept, URIRef):
            continue
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in schemes.objects(concept, prop):
                if isinstance(label, Literal) and label.language == "sv":
                    words = tuple(t.text.casefold() for t in word_tokens(str(label)))
                    if words:
                        keywords.add(Keyword(words, concept))
    return sorted(keywords, key=lambda k: (k.words, str(k.concept)))


def _word_matches(keyword: str, word: str) -> bool:
    """A keyword matches a word it starts (long keywords) or inflects (short)."""
    if len(keyword) > 5:
        return word.startswith(keyword)
    return word.startswith(keyword) and word[len(keyword) :] in _INFLECTIONS


def find_themes(words: Sequence[str], keywords: Sequence[Keyword]) -> list[URIRef]:
    """The themes whose keywords occur in ``words``, in order of first occurrence."""
    found: dict[URIRef, int] = {}
    for keyword in keywords:
        size = len(keyword.words)
        for index in range(len(words) - size + 1):
            if tuple(words[index : index + size - 1]) == keyword.words[:-1] and (
                _word_matches(keyword.words[-1], words[index + size - 1])
            ):
                found.setdefault(keyword.concept, index)
                break
    return [
        concept for concept, _ in sorted(found.items(), key=lambda i: (i[1], str(i[0])))
    ]


KIND_CLASSES = (
    SKG.CulturalInstitution,
    SKG.CivilSocietyOrganisation,
    SKG.Network,
    SKG.Actor,
    SKG.Programme,
    SKG.Plan,
)
"""The classes whose head words (``data/reference/kind-lexicon.ttl``) give a
proposed resource its kind."""

# The endings a head word may take and still be the head (-n, -en, -et, -s …).
_HEAD_ENDINGS = (
    "",
    "s",
    "n",
    "ns",
    "en",
    "ens",
    "et",
    "ets",
    "na",
    "nas",
    "er",
    "ers",
    "erna",
    "ernas",
    "ar",
    "arna",
    "or",
    "orna",
    "r",
    "rna",
)


@dataclass(frozen=True)
class KindWord:
    """A head word of a kind of resource ("teater" → skg:CulturalInstitution)."""

    stem: str
    """The word, case-folded."""
    kind: URIRef
    """The class it signals."""


def read_roles(schemes: Graph) -> list[KindWord]:
    """Role words (``org:Post``'s Swedish ``skos:hiddenLabel``s): "chef",
    "samordnare" …, longest first."""
    found = {
        KindWord(str(label).casefold(), ORG.Post)
        for label in schemes.objects(ORG.Post, SKOS.hiddenLabel)
        if isinstance(label, Literal) and label.language == "sv"
    }
    return sorted(found, key=lambda k: (-len(k.stem), k.stem))


def read_kinds(schemes: Graph) -> list[KindWord]:
    """Head words: the Swedish ``skos:hiddenLabel``s of the kind classes, longest
    first (so "studieförbund" wins over "förbund")."""
    found = {
        KindWord(str(label).casefold(), cls)
        for cls in KIND_CLASSES
        for label in schemes.objects(cls, SKOS.hiddenLabel)
        if isinstance(label, Literal) and label.language == "sv"
    }
    return sorted(found, key=lambda k: (-len(k.stem), k.stem, str(k.kind)))


def kind_of(word: str, kinds: Sequence[KindWord]) -> KindWord | None:
    """The head word ``word`` ends with (plus an inflection ending), if any.

    Example:
        >>> kinds = [KindWord("teater", SKG.CulturalInstitution)]
        >>> kind_of("Stadsteatern", kinds).stem
        'teater'
        >>> kind_of("teaterförening", kinds) is None
        True
    """
    folded = word.casefold()
    for kind in kinds:
        index = folded.rfind(kind.stem)
        if index < 0 or folded[index + len(kind.stem) :] not in _HEAD_ENDINGS:
            continue
        # A short head word ("råd", "hus") ends a compound only after the
        # linking -s ("Samverkansrådet"), so "områden" is not a "råd".
        if index == 0 or len(kind.stem) > 3 or folded[index - 1] == "s":
            return kind
    return None
