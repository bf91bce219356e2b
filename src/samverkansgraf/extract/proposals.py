"""Extraction, step 5 — the document's names: known, refused and proposed.

Input: the ``PageLayout``, the reference ``Gazetteer``, the head words of the
kinds of resource (``data/reference/kind-lexicon.ttl``), the modality cues, the
document's county and municipality, and the range of the text to read. Output:
``DocumentNames``, the name index every later step reads (a
``gazetteer.NameIndex``):

- names of the reference graph, except those of a **county-bound resource of
  another county**, which are refused and listed ("studieförbunden" in a
  Halland text is not Dalarna's study associations);
- **proposed resources** (``ProposedResource``, ``skg:proposed true``) for names
  the reference graph lacks: a capitalised name whose head word gives its kind
  ("Teater i X", "Y Dansförening", "Z läns konstmuseum"), the county's or
  the municipality's own collective bodies ("studieförbunden i länet",
  "kommunens bibliotek"), a municipality's definite institution
  ("stadsbiblioteket"), and an unknown capitalised subject of a modality cue
  ("X ska …") that the text never writes in lower case;
- lower-case references back to a named institution ("konsthallens" after
  "Konsthallen X") as mentions of it.

A proposed name that contains a municipality's name ("Hallands konstmuseum",
"Falkenbergs teater") is one name, not the municipality.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from rdflib import URIRef

from ..namespaces import SKG, SKGID, slugify
from .gazetteer import Gazetteer
from .layout import PageLayout
from .lexicons import Cue, KindWord, find_cues, kind_of
from .results import Mention, ProposedResource
from .sentences import PARTY_REFERENCES, is_adverb, sentence_ranges
from .text import NAME_GAP, Token, compact, word_tokens

__all__ = ["DocumentNames", "ProposalContext", "propose_names"]

_PREFIXES = {
    SKG.CulturalInstitution: "actor",
    SKG.CivilSocietyOrganisation: "actor",
    SKG.Actor: "actor",
    SKG.Network: "network",
    SKG.Programme: "programme",
    SKG.Plan: "plan",
    SKG.Person: "person",
}
# Kinds a collective designation may have ("studieförbunden i länet").
_BODIES = frozenset({SKG.CulturalInstitution, SKG.CivilSocietyOrganisation, SKG.Actor})
# Words that join a place to an institution's head word ("Teater i X", "Musik i X").
_JOINERS = frozenset({"i", "på"})
# A municipality's own institution in the definite singular ("stadsbiblioteket").
_MUNICIPAL_DEFINITE = re.compile(r"^(?:stads|folk|huvud)\w+(?:et|en)$")
# Lower-case references back to a named institution: its head word in the
# definite singular or the genitive ("konsthallens").
_BACK_REFERENCE = ("en", "et", "n", "ens", "ets", "ns", "s")
# The county's collective bodies are named in the definite plural
# ("studieförbunden", "folkhögskolorna").
_PLURAL_DEFINITE = ("en", "na")
_OPENERS = ("*", '"', "«", "(", ":", "–", "-", "•", "[")
_MAX_PARENTHESIS = 8  # tokens of an apposition "X, <description>, ska …"


@dataclass
class DocumentNames:
    """The names of one document (a ``gazetteer.NameIndex``).

    Reference names of another county's resources are refused; resources
    proposed from the text are found at every occurrence of their names.
    """

    gazetteer: Gazetteer
    """The reference names."""
    county: URIRef | None
    """The document's county (``skgid:lan/NN``), or ``None`` when unknown."""
    proposed: list[ProposedResource] = field(default_factory=list)
    """Resources proposed from the text, in order of first occurrence."""
    occurrences: list[Mention] = field(default_factory=list)
    """Every occurrence of a proposed resource, and lower-case references back to
    a named one, in text order."""
    refused: list[Mention] = field(default_factory=list)
    """Reference names refused because their resource is of another county."""
    places: frozenset[str] = frozenset()
    """County and country names (never a person's or an actor's name alone)."""
    kinds: dict[URIRef, URIRef] = field(default_factory=dict)
    """Class of every known and proposed resource."""
    labels: dict[URIRef, str] = field(default_factory=dict)
    """Label of every known and proposed resource."""

    def __post_init__(self) -> None:
        self.kinds = {**self.gazetteer.kinds, **self.kinds}
        self.labels = {**self.gazetteer.labels, **self.labels}

    @property
    def counties(self) -> dict[URIRef, URIRef]:
        """The reference graph's county-bound resources and their counties."""
        return self.gazetteer.counties

    @property
    def entries(self) -> dict[str, set[URIRef]]:
        """The reference names by compact key (``Gazetteer.entries``)."""
        return self.gazetteer.entries

    def foreign(self, iri: URIRef) -> bool:
        """Whether ``iri`` is a resource of another county than the document's."""
        county = self.gazetteer.counties.get(iri)
        return self.county is not None and county is not None and county != self.county

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every name in ``text[start:end]``: proposed names first, then the
        reference names they do not overlap, never another county's resource."""
        end = len(text) if end is None else end
        local = [m for m in self.occurrences if start <= m.start and m.end <= end]
        reference = [
            m for m in self.gazetteer.find(text, start, end) if not self.foreign(m.iri)
        ]
        # Where a proposed name and a reference name overlap, the longer wins
        # ("Falkenbergs teater" over "Falkenbergs"; "Arbetsgrupp Kulturkraft" over a
        # proposed "Arbetsgrupp").
        found = [
            m
            for m in local
            if not any(
                r.start <= m.start
                and m.end <= r.end
                and r.end - r.start > m.end - m.start
                for r in reference
            )
        ]
        found += [
            r
            for r in reference
            if not any(m.start < r.end and r.start < m.end for m in found)
        ]
        return sorted(found, key=lambda m: m.start)


@dataclass(frozen=True)
class ProposalContext:
    """What proposing names needs to know about the document and the lexicons."""

    gazetteer: Gazetteer
    """The reference names."""
    kinds: Sequence[KindWord]
    """Head words of the kinds of resource."""
    cues: Sequence[Cue]
    """The modality cues (an unknown name right before one is an actor)."""
    places: Set[str]
    """County and country names, never actors."""
    county: URIRef | None = None
    """The document's county."""
    county_label: str = ""
    """Its name ("Hallands län"), for "… i länet"."""
    municipality: URIRef | None = None
    """The municipality party ("kommunens bibliotek" is its)."""


@dataclass
class _Found:
    """A name found in the text, before it becomes a ``ProposedResource``."""

    label: str
    kind: URIRef
    confidence: float
    reason: str
    head: str
    spans: list[tuple[int, int]]
    variants: set[str]


def propose_names(
    layout: PageLayout, context: ProposalContext, start: int, end: int
) -> DocumentNames:
    """Read the names of ``work[start:end]``: refuse another county's, propose
    resources for names the reference graph lacks, and find references back.

    Args:
        layout: the text and its working copy.
        context: the reference names, lexicons and the document's county.
        start: where the range begins.
        end: where it ends.

    Returns:
        The document's names.
    """
    work = layout.work
    names = DocumentNames(
        context.gazetteer, context.county, places=frozenset(context.places)
    )
    lower = {t.text for t in word_tokens(work, start, end) if t.text.islower()}
    found: dict[str, _Found] = {}
    for s_start, s_end in sentence_ranges(work, start, end):
        for candidate in _sentence_names(work, s_start, s_end, context, names, lower):
            key = compact(candidate.label)
            if key in found:
                found[key].spans += candidate.spans
                found[key].variants |= candidate.variants
            else:
                found[key] = candidate
    _build(names, found, layout, start, end)
    _back_references(names, work, start, end, context)
    return names


def _sentence_names(
    work: str,
    start: int,
    end: int,
    context: ProposalContext,
    names: DocumentNames,
    lower: Set[str],
) -> list[_Found]:
    """The names one sentence proposes (and the refused names it holds)."""
    gazetteer = context.gazetteer
    tokens = word_tokens(work, start, end)
    piece = work[start:end]
    heading = "\n" not in piece.strip() and not piece.rstrip().endswith(
        (".", "!", "?", ":", ";", ",")
    )
    blocked: set[int] = set()  # a known institution, programme … : not a new name
    municipal: set[int] = set()  # a region or municipality: may be inside one
    for mention in gazetteer.find(work, start, end):
        covered = {
            i for i, t in enumerate(tokens) if mention.start <= t.start < mention.end
        }
        if names.foreign(mention.iri):
            names.refused.append(mention)
        elif gazetteer.kinds.get(mention.iri) in (SKG.Region, SKG.Municipality):
            municipal |= covered
        else:
            blocked |= covered
    cue_starts = {
        tokens[c.first].start
        for c in find_cues([t.text.casefold() for t in tokens], context.cues)
    }
    found: list[_Found] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if index in blocked:
            index += 1
            continue
        candidate = _lower_case_body(work, tokens, index, context)
        if candidate is not None:
            found.append(candidate)
            index += 1
            continue
        if not _name_like(token.text):
            index += 1
            continue
        run = _capitalised_run(work, tokens, index, blocked, context)
        if heading and len(run) == 1:
            index = run[-1] + 1  # a one-word heading ("Dans") is no name
            continue
        candidate = _name_of_run(work, tokens, run, index, context, municipal, lower)
        skip_to = run[-1] + 1
        own = [i for i in run if i not in municipal and i not in blocked]
        if (
            candidate is None
            and own
            and token.text.casefold() not in PARTY_REFERENCES
            and not is_adverb(token.text)
        ):
            apposition = _subject_of_cue(work, tokens, run, cue_starts)
            if apposition is not None and not _common_opener(work, tokens, run, lower):
                label = " ".join(work[token.start : tokens[run[-1]].end].split())
                variants = {label}
                if apposition > run[-1] + 1:
                    described = " ".join(
                        work[
                            tokens[run[-1] + 1].start : tokens[apposition - 1].end
                        ].split()
                    )
                    variants.add(described)
                    skip_to = apposition
                candidate = _Found(
                    label,
                    SKG.Actor,
                    0.4,
                    "unknown name as the subject of a modality cue",
                    "",
                    [(token.start, tokens[run[-1]].end)],
                    variants,
                )
        if candidate is not None:
            found.append(candidate)
        index = skip_to
    return found


def _name_like(word: str) -> bool:
    """A capitalised word of two letters or more, not a number or Roman numeral."""
    return (
        len(word) >= 2
        and word[:1].isupper()
        and not any(ch.isdigit() for ch in word)
        and not re.fullmatch(r"[IVXLC]+", word)
    )


def _capitalised_run(
    work: str,
    tokens: Sequence[Token],
    index: int,
    blocked: Set[int],
    context: ProposalContext,
) -> list[int]:
    """Token indices of the name starting at ``index``: capitalised words, then
    "i/på <Place>" after an institution's head word, then "<genitive> [läns]
    <lower-case head word>" ("Hallands konstmuseum", "X läns museum")."""

    def gap(a: int, b: int) -> bool:
        between = work[tokens[a].end : tokens[b].start]
        if "\n" in between:
            # A name may wrap to the next line, but never from one table row
            # to the next.
            left = work[work.rfind("\n", 0, tokens[a].start) + 1 : tokens[a].end]
            right_end = work.find("\n", tokens[b].start)
            right = work[tokens[b].start : right_end if right_end >= 0 else None]
            if any(mark in left + right for mark in ("\t", "|")):
                return False
        # A tab or a run of spaces separates table cells, never words of a name.
        return (
            bool(NAME_GAP.match(between))
            and "\t" not in between
            and "  " not in between
        )

    def plain(a: int, b: int) -> bool:
        return work[tokens[a].end : tokens[b].start] == " "

    run = [index]
    while run[-1] + 1 < len(tokens) and run[-1] + 1 not in blocked:
        following = tokens[run[-1] + 1].text
        county_word = (
            following == "län"
            and tokens[run[-1]].text in context.places
            and plain(run[-1], run[-1] + 1)
        )  # "… Jönköpings län": the county's name goes on
        if not county_word and not (
            _name_like(following) and gap(run[-1], run[-1] + 1)
        ):
            break
        run.append(run[-1] + 1)
    last = run[-1]
    if (
        last + 2 < len(tokens)
        and kind_of(tokens[last].text, context.kinds) is not None
        and tokens[last + 1].text in _JOINERS
        and _name_like(tokens[last + 2].text)
        and last + 2 not in blocked
        and plain(last, last + 1)
        and plain(last + 1, last + 2)
    ):
        run += [last + 1, last + 2]
    last = run[-1]
    follow = last + 1
    if follow < len(tokens) and tokens[follow].text == "läns" and plain(last, follow):
        follow += 1
    if (
        follow < len(tokens)
        and (tokens[last].text.endswith("s") or follow > last + 1)
        and tokens[follow].text.islower()
        and kind_of(tokens[follow].text, context.kinds) is not None
        and plain(follow - 1, follow)
    ):
        run += list(range(last + 1, follow + 1))
    return run


def _name_of_run(
    work: str,
    tokens: Sequence[Token],
    run: list[int],
    index: int,
    context: ProposalContext,
    municipal: Set[int],
    lower: Set[str],
) -> _Found | None:
    """The proposal a capitalised run makes when a head word gives its kind."""
    words = [tokens[i].text for i in run]
    if all(i in municipal for i in run) or all(w in context.places for w in words):
        return None
    if words[0].casefold() in PARTY_REFERENCES and len(words) == 1:
        return None
    if _common_opener(work, tokens, run, lower):
        return None  # a common noun opening the sentence ("Biblioteket är …")
    head_word = None
    for i in reversed(run):
        if tokens[i].text in _JOINERS:
            continue
        found = kind_of(tokens[i].text, context.kinds)
        if found is not None and i not in municipal:
            head_word = (tokens[i].text, found)
            break
    if head_word is None:
        return None
    label = " ".join(work[tokens[run[0]].start : tokens[run[-1]].end].split())
    span = (tokens[run[0]].start, tokens[run[-1]].end)
    lowercase_head = head_word[0].islower()
    return _Found(
        label,
        head_word[1].kind,
        0.7 if lowercase_head else 0.8,
        f"head word {head_word[1].stem!r}",
        head_word[0],
        [span],
        {label},
    )


def _common_opener(
    work: str, tokens: Sequence[Token], run: list[int], lower: Set[str]
) -> bool:
    """A single capitalised word opening the sentence that the text also writes
    in lower case: a common noun ("Kulturen ska …", "Handlingsplanen ska …")."""
    index = run[0]
    if len(run) != 1:
        return False
    opener = work[tokens[index - 1].end : tokens[index].start] if index else ""
    line_start = work.rfind("\n", 0, tokens[index].start) + 1
    line_end = work.find("\n", tokens[index].start)
    row = work[line_start : line_end if line_end >= 0 else None]
    cell_start = ("\t" in opener or "|" in opener) or (
        not work[line_start : tokens[index].start].strip() and "\t" in row
    )
    at_start = (
        index == 0
        or opener.strip() in _OPENERS
        or all(t.text.isdigit() for t in tokens[:index])
    )
    if cell_start:
        return True  # one capitalised word opening a table cell: not a name
    stem = _stem(tokens[index].text.casefold())
    return at_start and any(word.startswith(stem) for word in lower)


def _subject_of_cue(
    work: str, tokens: Sequence[Token], run: list[int], cue_starts: Set[int]
) -> int | None:
    """The index of the modality cue the run is the subject of, directly ("X ska
    …") or across an apposition ("X, Svenskt museum för Y, ska …"), else None."""
    after = run[-1] + 1
    if after >= len(tokens):
        return None
    between = work[tokens[run[-1]].end : tokens[after].start]
    if "," not in between:
        return after if tokens[after].start in cue_starts else None
    for k in range(after + 1, min(after + _MAX_PARENTHESIS, len(tokens))):
        if "," in work[tokens[k - 1].end : tokens[k].start]:
            return k if tokens[k].start in cue_starts else None
    return None


def _stem(word: str) -> str:
    """A noun without its definite ending ("kulturen" → "kultur")."""
    for ending in ("erna", "arna", "orna", "en", "et", "na", "n", "t"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _lower_case_body(
    work: str, tokens: Sequence[Token], index: int, context: ProposalContext
) -> _Found | None:
    """The county's or the municipality's own body named in lower case:
    "<head word> i länet", "kommunens <head word>", "stadsbiblioteket"."""
    token = tokens[index]
    word = token.text.casefold() if token.text == "Kommunens" else token.text
    if not word.islower():
        return None
    gazetteer = context.gazetteer
    head = kind_of(word, context.kinds)
    if (
        head is not None
        and head.kind in _BODIES
        and word.endswith(_PLURAL_DEFINITE)
        and len(word) > len(head.stem) + 1
        and context.county_label
        and index + 2 < len(tokens)
        and (tokens[index + 1].text, tokens[index + 2].text) == ("i", "länet")
    ):
        printed = " ".join(work[token.start : tokens[index + 2].end].split())
        return _Found(
            f"{word} i {context.county_label}",
            head.kind,
            0.6,
            'the county\'s own body ("… i länet")',
            word,
            [(token.start, tokens[index + 2].end)],
            {printed},
        )
    municipality = context.municipality
    if word == "kommunens" and municipality is not None and index + 1 < len(tokens):
        following = tokens[index + 1]
        owned = kind_of(following.text, context.kinds)
        if (
            following.text.islower()
            and owned is not None
            and owned.kind in _BODIES
            and work[token.end : following.start] == " "
        ):
            printed = f"{word} {following.text}"
            owner = _municipality_name(gazetteer.labels.get(municipality, ""))
            return _Found(
                f"{following.text} i {owner}",
                owned.kind,
                0.6,
                'the municipality\'s own body ("kommunens …")',
                following.text,
                [(token.start, following.end)],
                {printed},
            )
    if (
        municipality is not None
        and head is not None
        and _MUNICIPAL_DEFINITE.match(word)
    ):
        owner = gazetteer.labels.get(municipality, "")
        short = re.sub(r"s?\s+kommun$", "", owner)
        return _Found(
            f"{_genitive(short)} {_indefinite(word)}",
            head.kind,
            0.5,
            "a definite institution of the municipality",
            word,
            [(token.start, token.end)],
            {word},
        )
    return None


def _municipality_name(label: str) -> str:
    """ "Falkenberg" → "Falkenbergs kommun"; "Smedjebackens kommun" stays."""
    if label.endswith("kommun"):
        return label
    return f"{_genitive(label)} kommun" if label else "kommunen"


def _genitive(name: str) -> str:
    """Swedish genitive: "-s" unless the name ends in s, x or z."""
    return name if not name or name.endswith(("s", "x", "z")) else name + "s"


def _indefinite(word: str) -> str:
    """ "stadsbiblioteket" → "stadsbibliotek"."""
    for ending in ("et", "en"):
        if word.endswith(ending):
            return word[: -len(ending)]
    return word


def _build(
    names: DocumentNames,
    found: dict[str, _Found],
    layout: PageLayout,
    start: int,
    end: int,
) -> None:
    """Turn what was found into proposed resources with IRIs, and find every
    occurrence of their names."""
    work = layout.work
    taken = set(names.gazetteer.kinds)
    occurrences: list[Mention] = []
    for item in sorted(found.values(), key=lambda f: min(s for s, _ in f.spans)):
        prefix = _PREFIXES.get(item.kind, "actor")
        slug = slugify(item.label) or "namn"
        iri = SKGID[f"{prefix}/{slug}"]
        number = 2
        while iri in taken:
            iri = SKGID[f"{prefix}/{slug}-{number}"]
            number += 1
        taken.add(iri)
        first = min(s for s, _ in item.spans)
        spans = set(item.spans)
        for variant in sorted(item.variants | {item.label}, key=len, reverse=True):
            for match in _occurrences(work, variant, start, end):
                if not any(a < match[1] and match[0] < b for a, b in spans):
                    spans.add(match)
        for s_start, s_end in sorted(spans):
            surface = " ".join(work[s_start:s_end].split())
            occurrences.append(Mention(s_start, s_end, iri, surface))
        names.proposed.append(
            ProposedResource(
                iri=iri,
                label=item.label,
                kind=item.kind,
                confidence=item.confidence,
                reason=item.reason,
                start=first,
                line=layout.text.count("\n", 0, first) + 1,
                count=len(spans),
                variants=sorted(item.variants - {item.label}),
                head=item.head,
            )
        )
        names.kinds[iri] = item.kind
        names.labels[iri] = item.label
    names.occurrences = _without_overlaps(occurrences)


def _occurrences(work: str, name: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where ``name`` is printed in ``work[start:end]`` (any whitespace between its
    words, whole words only, case as printed)."""
    words = name.split()
    if not words:
        return []
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return [
        (m.start(), m.end())
        for m in re.finditer(pattern, work[:end])
        if m.start() >= start
    ]


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Longest first, then leftmost: overlapping mentions are dropped."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(k.start < mention.end and mention.start < k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _back_references(
    names: DocumentNames, work: str, start: int, end: int, context: ProposalContext
) -> None:
    """Lower-case words that refer back to a named institution by its head word
    ("konsthallens" after "Konsthallen X"): mentions of it, when exactly
    one named resource of the document has that head word."""
    heads: dict[str, set[URIRef]] = {}
    for proposed in names.proposed:
        if proposed.head and not proposed.head.islower():
            heads.setdefault(proposed.head.casefold(), set()).add(proposed.iri)
    for mention in context.gazetteer.find(work, start, end):
        if names.foreign(mention.iri) or context.gazetteer.kinds.get(mention.iri) in (
            SKG.Region,
            SKG.Municipality,
        ):
            continue
        for word in mention.surface.split():
            if kind_of(word, context.kinds) is not None and not word.islower():
                heads.setdefault(word.casefold(), set()).add(mention.iri)
    added = []
    for token in word_tokens(work, start, end):
        if not token.text.islower():
            continue
        for ending in _BACK_REFERENCE:
            stem = token.text[: -len(ending)]
            iris = heads.get(stem) if token.text.endswith(ending) else None
            if iris and len(iris) == 1:
                added.append(
                    Mention(
                        token.start,
                        token.end,
                        next(iter(iris)),
                        token.text,
                        90.0,
                        token.text.endswith("s"),
                    )
                )
                break
    names.occurrences = _without_overlaps(
        [
            *names.occurrences,
            *(
                m
                for m in added
                if not any(
                    o.start < m.end and m.start < o.end for o in names.occurrences
                )
            ),
        ]
    )
