"""Extraction, step 5 — sentences and their grammar.

Input: the working text of a ``PageLayout`` (page furniture blanked out), a range
of it, the ``Gazetteer`` and the modality ``Cue``s. Output: sentence ranges
(bullets and list numbers stripped, abbreviations not taken for sentence ends),
each sentence as a list of ``SentenceItem``s (words, names, party references such
as "kommunen", modality cues, punctuation), and the small Swedish grammar the
commitment rules are written in: where an actor phrase ends, the subject before
or after a cue, a finite verb, a purpose clause, a sentence holding two
predications joined by "och".

Every function here is pure: it reads its arguments only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from .gazetteer import ACTOR_CLASSES, NameIndex
from .layout import LIST_MARKER, is_heading_line
from .lexicons import Cue, find_cues
from .text import WORD, joined_word_tokens

__all__ = [
    "PARTNER_WORDS",
    "is_adverb",
    "PARTY_REFERENCES",
    "SentenceItem",
    "is_purpose",
    "phrase_end",
    "sentence_items",
    "sentence_ranges",
    "skip_adverbs",
    "split_at_conjunctions",
    "statement_verb",
    "subject_after",
    "subject_before",
]

# Words that may stand between a subject and its verb, or open a clause, without
# breaking the subject-verb link (adverbs, "å sin sida", auxiliaries).
_ADVERBS = frozenset(
    "båda bägge tillsammans gemensamt även också själv själva därför dessutom "
    "därtill redan fortsatt fortsättningsvis gärna aktivt å sin sida "
    "härmed vidare likaså alltid särskilt fortlöpande löpande kontinuerligt "
    "årligen".split()
)
_AUXILIARIES = frozenset({"har", "hade", "kommer", "att"})
_CONNECTORS = frozenset({"och", "samt", ",", "&", "respektive"})
_COPULAS = frozenset(
    "är var blir blev vara finns fanns utgör utgjorde betyder innebär heter "
    "får fick kallas ligger låg".split()
)
_NOT_VERBS = frozenset(
    "och samt eller men att som där när om för av på i med till från under "
    "över efter inom genom mellan vid hos utan enligt".split()
)
_PREPOSITIONS = frozenset(
    "i för av på med till från under över efter inom genom mellan vid hos utan "
    "enligt via bland om hos".split()
)
_PURPOSE = (("för", "att"), ("så", "att"))
_SUBORDINATORS = frozenset({"som", "om", "när", "innan", "eftersom", "ifall"})
_ABBREVIATIONS = frozenset(
    "t.ex ex bl.a m.m s.k ca dvs d.v.s inkl resp nr kap jfr osv etc o.s.v "
    "t.o.m fr.o.m m.fl p.g.a s dnr tel".split()
)
PARTNER_WORDS = (
    ("tillsammans", "med"),
    ("i", "samarbete", "med"),
    ("i", "nära", "samarbete", "med"),
    ("i", "samverkan", "med"),
)
"""Words that introduce the actors the committers act together with."""

# Agreement-internal references to the parties (GLOSSARY: "kommunen"/"regionen"
# refer back to the two parties; "parterna" means both).
PARTY_REFERENCES = {
    "kommunen": "municipality",
    "kommun": "municipality",
    "kommuner": "municipality-plural",
    "kommunerna": "municipality-plural",
    "regionen": "region",
    "region": "region",
    "parterna": "both",
    "parter": "both",
}
"""Words that refer back to a party of the agreement, and which party they mean."""

_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"”’)\]]*[¹²³⁴⁵⁶⁷⁸⁹⁰]*(?=\s+(?:[•·▪‣◦●○■□*–—-]\s+|[a-zåäö]\)\s+)?"
    r"[A-ZÅÄÖÉÜ0-9¹²³⁴⁵⁶⁷⁸⁹\"«(§])"
)
_LINE_BULLET = re.compile(
    r"\n[ \t]*(?:[•·▪‣◦●○■□\uf0b7*–—-]|[a-zåäö]\))[ \t]+(?=[A-ZÅÄÖÉÜ])"
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*(?=[A-ZÅÄÖÉÜ¹²³⁴⁵⁶⁷⁸⁹\"«(§])")
_BULLET_ANYWHERE = re.compile(r"^\s*(?:[•·▪‣◦●○■□\uf0b7*–—-]|[a-zåäö]\))\s+")


@dataclass
class SentenceItem:
    """A unit of a sentence: a word, a name, a party reference, a cue or a comma."""

    kind: str
    """"WORD", "ACTOR" (an actor's name), "NAME" (a programme or plan), "PARTY"
    ("kommunen", "parterna" …), "CUE" (a modality cue) or "PUNCT"."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset after its last character."""
    text: str
    """The words as printed, whitespace collapsed."""
    iris: tuple[URIRef, ...] = ()
    """The resource a name names."""
    party: str = ""
    """For "PARTY": "municipality", "municipality-plural", "region" or "both"."""
    modality: URIRef | None = None
    """For "CUE": the modality concept."""
    genitive: bool = False
    """True when a name is printed in the genitive ("Hedemoras")."""
    score: float = 100.0
    """For a name: 100, or the rapidfuzz ratio of a fuzzy match."""

    @property
    def word(self) -> str:
        """The text, case-folded."""
        return self.text.casefold()

    @property
    def is_actorish(self) -> bool:
        """An actor's name or a reference to a party (not a programme or plan)."""
        return self.kind in ("ACTOR", "PARTY")


Items = Sequence[SentenceItem]


def sentence_ranges(work: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence ranges of ``work[start:end]``, bullets and numbers stripped."""
    chunk = work[start:end]
    cuts = {0, len(chunk)}
    for match in _SENTENCE_END.finditer(chunk):
        before = re.search(r"(\S+)$", chunk[: match.start()])
        word = before.group(1).rstrip(".").casefold() if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        cuts.add(match.end())
    for pattern in (_LINE_BULLET, _PARAGRAPH):
        cuts.update(match.start() for match in pattern.finditer(chunk))
    # A heading printed right above its paragraph is not part of a sentence.
    lines = chunk.split("\n")
    offset = 0
    for index, line in enumerate(lines[:-1]):
        previous = lines[index - 1].rstrip() if index else ""
        following = next((n for n in lines[index + 1 :] if n.strip()), "")
        if (
            (not previous or previous.endswith((".", "!", "?", ":")))
            and line.strip()
            and is_heading_line(line, following)
        ):
            cuts.update({offset, offset + len(line)})
        offset += len(line) + 1
    ordered = sorted(cuts)
    sentences = []
    for piece_start, piece_end in zip(ordered, ordered[1:], strict=False):
        piece = chunk[piece_start:piece_end]
        marker = (LIST_MARKER if piece_start == 0 else _BULLET_ANYWHERE).match(piece)
        left = marker.end() if marker else 0
        left += len(piece[left:]) - len(piece[left:].lstrip())
        right = len(piece.rstrip())
        if right > left and WORD.search(piece, left, right):
            sentences.append((start + piece_start + left, start + piece_start + right))
    return sentences


def sentence_items(
    work: str, start: int, end: int, gazetteer: NameIndex, cues: Sequence[Cue]
) -> list[SentenceItem]:
    """The sentence ``work[start:end]`` as items: names first, then cues (a cue
    never inside a name), party references, other words and punctuation."""
    tokens = joined_word_tokens(work, start, end)
    words = [t.text.casefold() for t in tokens]
    by_start = {t.start: i for i, t in enumerate(tokens)}
    by_end = {t.end: i for i, t in enumerate(tokens)}
    # first token index -> (last token index, the item covering them)
    spans: dict[int, tuple[int, SentenceItem]] = {}
    for mention in gazetteer.find(work, start, end):
        first, last = by_start.get(mention.start), by_end.get(mention.end)
        if first is None or last is None:
            continue
        is_actor = gazetteer.kinds.get(mention.iri) in ACTOR_CLASSES
        spans[first] = (
            last,
            SentenceItem(
                "ACTOR" if is_actor else "NAME",
                mention.start,
                mention.end,
                mention.surface,
                iris=(mention.iri,),
                genitive=mention.genitive,
                score=mention.score,
            ),
        )
    covered = {i for first, (last, _) in spans.items() for i in range(first, last + 1)}
    for cue in find_cues(words, cues):
        if any(i in covered for i in range(cue.first, cue.head_last + 1)):
            continue
        first_token, last_token = tokens[cue.first], tokens[cue.head_last]
        spans[cue.first] = (
            cue.head_last,
            SentenceItem(
                "CUE",
                first_token.start,
                last_token.end,
                " ".join(work[first_token.start : last_token.end].split()),
                modality=cue.modality,
            ),
        )
    items: list[SentenceItem] = []
    index = 0
    previous_end = start
    while index < len(tokens):
        token = tokens[index]
        for offset, char in enumerate(work[previous_end : token.start]):
            if char in ",;:()":
                position = previous_end + offset
                items.append(SentenceItem("PUNCT", position, position + 1, char))
        if index in spans:
            last, item = spans[index]
            items.append(item)
            index = last + 1
        else:
            party = PARTY_REFERENCES.get(words[index], "")
            kind = "PARTY" if party else "WORD"
            items.append(
                SentenceItem(kind, token.start, token.end, token.text, party=party)
            )
            index += 1
        previous_end = tokens[index - 1].end
    return items


# The two parts of "X medverkar i Y och tillsammans vill parterna Z" are two
# commitments: a conjunction followed by a new subject and cue splits a sentence
# when the part before it is already a complete predication.
def split_at_conjunctions(
    start: int, end: int, items: list[SentenceItem]
) -> list[tuple[int, int, list[SentenceItem]]]:
    """The sentence's predications: (start, end, items) of each part."""
    for j, item in enumerate(items):
        if item.kind != "WORD" or item.word not in ("och", "samt") or j == 0:
            continue
        before, after = items[:j], items[j + 1 :]
        if _opens_predication(after) and _has_predication(before):
            head_end = before[-1].end
            return [
                (start, head_end, before),
                *split_at_conjunctions(after[0].start, end, after),
            ]
    return [(start, end, items)]


def is_adverb(word: str) -> bool:
    """Whether ``word`` (any case) is an adverb that may open a clause ("Dessutom")."""
    return word.casefold() in _ADVERBS


def skip_adverbs(items: Items, index: int, step: int = 1) -> int:
    """The first index from ``index`` on (in direction ``step``) that is no adverb."""
    while (
        0 <= index < len(items)
        and items[index].kind == "WORD"
        and (items[index].word in _ADVERBS)
    ):
        index += step
    return index


def phrase_end(items: Items, index: int) -> int:
    """Index after an actor phrase ("X, Y och Z") starting at ``index``."""
    while index < len(items) and items[index].is_actorish:
        index += 1
        if (
            index + 1 < len(items)
            and (items[index].word in _CONNECTORS)
            and items[index + 1].is_actorish
        ):
            index += 1
        else:
            break
    return index


def _opens_predication(items: Items) -> bool:
    """Items that begin with a cue and a subject, or a subject and a cue."""
    k = skip_adverbs(items, 0)
    if k < len(items) and items[k].kind == "CUE":
        k = skip_adverbs(items, k + 1)
        return k < len(items) and items[k].is_actorish
    if k < len(items) and items[k].is_actorish:
        k = skip_adverbs(items, phrase_end(items, k))
        return k < len(items) and items[k].kind == "CUE"
    return False


def _has_predication(items: Items) -> bool:
    """Items holding an actor subject followed by a cue or a finite verb."""
    for index, item in enumerate(items):
        if not item.is_actorish:
            continue
        if index and items[index - 1].word in _PREPOSITIONS:
            continue
        k = skip_adverbs(items, phrase_end(items, index))
        if k < len(items) and (
            items[k].kind == "CUE"
            or (items[k].kind == "WORD" and _verb_like(items[k].text))
        ):
            return True
    return False


def subject_before(items: Items, cue: int) -> list[SentenceItem]:
    """The actor phrase right before the cue at index ``cue`` ("Regionen ska")."""
    k = cue - 1
    while (
        k >= 0
        and items[k].kind == "WORD"
        and (items[k].word in _ADVERBS or items[k].word in _AUXILIARIES)
    ):
        k -= 1
    if k >= 2 and items[k].text == ",":
        # "X och Y, via Z, delfinansierar …": step over the parenthesis.
        for j in range(k - 1, max(k - 9, 0), -1):
            if items[j].text == ",":
                if items[j - 1].is_actorish:
                    k = j - 1
                break
    if (
        k >= 1
        and items[k].kind == "WORD"
        and items[k].text.islower()
        and items[k].word not in _NOT_VERBS
        and items[k - 1].is_actorish
        and items[k - 1].genitive
    ):
        k -= 1  # "Hedemoras kommuns och Region Dalarnas verksamheter bidrar"
    phrase: list[SentenceItem] = []
    while k >= 0 and items[k].is_actorish:
        phrase.insert(0, items[k])
        if k >= 2 and items[k - 1].word in _CONNECTORS and items[k - 2].is_actorish:
            k -= 2
        else:
            k -= 1
            break
    if phrase and k >= 0 and items[k].word in _PREPOSITIONS:
        return []  # "För Hedemora kommun …", "i Hedemora kommun …"
    return phrase


def subject_after(items: Items, cue: int) -> list[SentenceItem]:
    """The actor phrase right after the cue at index ``cue`` ("vill regionen")."""
    k = skip_adverbs(items, cue + 1)
    end = phrase_end(items, k)
    return list(items[k:end])


def is_purpose(items: Items, cue: int) -> bool:
    """A cue inside a purpose, relative or conditional clause ("för att … ska")."""
    words = [item.word for item in items[:cue]]
    for pair in _PURPOSE:
        for index in range(len(words) - 1):
            if (words[index], words[index + 1]) == pair:
                return True
    return bool(
        (words and words[-1] == "som") or (words and words[0] in _SUBORDINATORS)
    )


def statement_verb(items: Items, phrase: Items) -> str | None:
    """The finite verb after a subject ``phrase`` opening the sentence, if any."""
    k = len(phrase)
    if phrase and phrase[-1].genitive and k < len(items) and items[k].kind == "WORD":
        k += 1  # the noun the genitive owns
    if k < len(items) and items[k].kind == "PUNCT" and items[k].text == ",":
        for j in range(k + 1, min(k + 9, len(items))):
            if items[j].kind == "PUNCT" and items[j].text == ",":
                k = j + 1
                break
    k = skip_adverbs(items, k)
    if k >= len(items) or items[k].kind != "WORD":
        return None
    verb = items[k].text
    if verb in ("har", "hade"):
        j = skip_adverbs(items, k + 1)
        if j < len(items) and items[j].kind == "WORD" and _supine_like(items[j].text):
            return f"{verb} … {items[j].text}"
        return None
    return verb if _verb_like(verb) else None


def _verb_like(word: str) -> bool:
    """A plausible Swedish finite verb (present or past tense)."""
    return (
        len(word) >= 3
        and word.islower()
        and word not in _COPULAS
        and word not in _NOT_VERBS
        # -r present, -de/-te past, -s deponent present ("träffas", "möts").
        and word.endswith(("r", "de", "te", "dde", "as", "ts"))
    )


def _supine_like(word: str) -> bool:
    """A plausible Swedish supine ("genomfört", "tagit")."""
    return (
        len(word) >= 4
        and word.islower()
        and word.endswith("t")
        and word not in {"inte", "mest", "helt", "fast", "just", "redan", "ofta"}
    )
