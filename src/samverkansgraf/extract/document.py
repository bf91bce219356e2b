"""Extraction, step 3 — the document: title, parties, period and kind.

Input: the ``PageLayout`` of a text and the ``Gazetteer``. Output: the title and
where it is printed, the period ("2019-2022"), the diary number and date, the
parties (the region and municipality named in the title or a "mellan X och Y"
sentence), plans named in the introduction, where the clause region begins, and
a ``Classification``: agreement, plan or other, with the IRIs of the drafted
document and agreement or plan set on the ``ExtractionResult``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ..evidence import Span
from ..namespaces import SKG, SKGID, slugify
from .gazetteer import Gazetteer, NameIndex
from .layout import Line, PageLayout, cut_spans
from .results import ExtractionResult, Mention, file_slug
from .text import compact

__all__ = [
    "AGREEMENT_WORD",
    "Classification",
    "classify_document",
    "find_based_on",
    "find_county",
    "find_date",
    "find_definitions",
    "find_identifier",
    "find_parties",
    "find_period",
    "find_region_start",
    "find_title",
    "title_spans",
]

AGREEMENT_WORD = re.compile(r"överenskommelse(?!r)|avtal\b|avsiktsförklaring\b", re.I)
"""A title naming an agreement. Singular only: a page *about* "Överenskommelser"
is not an agreement."""

_TITLE_WORD = re.compile(r"överenskommelse|avtal|avsiktsförklaring|plan|strategi", re.I)
_PLAN_WORD = re.compile(r"plan\b|planen\b|strategi|handlingsplan|program\b", re.I)
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)")
_DATE = re.compile(r"\bdatum:?\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_DIARY = re.compile(
    r"^\s*(?:dnr:?\s*|diarienummer:?\s*)?([A-ZÅÄÖ]{1,4}\s?\d{2,4}/\d{3,6}|"
    r"\d{2}[A-Z]{2,3}\d{3,6})\s*$",
    re.IGNORECASE,
)
_DIARY_INLINE = re.compile(r"\b(?:dnr|diarienummer):?\s*(\S+\d)", re.IGNORECASE)
_REGION_MARKER = re.compile(
    r"kommit överens om|överenskommit|följande (?:områden|samverkansområden)|"
    r"^\s*områden för (?:överenskommelsen|samverkan)\s*$|^\s*samverkansområden\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Classification:
    """What kind of document a text is, and who "kommunen" and "regionen" are."""

    kind: str
    """"agreement", "plan" or "other"."""
    municipality: URIRef | None = None
    """The municipality party of an agreement ("kommunen")."""
    region: URIRef | None = None
    """The region party of an agreement ("regionen")."""


def find_title(blocks: Sequence[list[Line]]) -> list[Line] | None:
    """The title: among the first blocks, one naming an agreement or plan, else
    the first short block without a full stop."""
    early = [b for b in blocks[:12] if not _DIARY.match(b[0].text)]

    def short(block: Sequence[Line], lines: int, size: int) -> bool:
        text = " ".join(line.key for line in block)
        return len(block) <= lines and len(text) <= size

    for block in early[:4]:
        text = " ".join(line.key for line in block)
        if (
            short(block, 4, 250)
            and _TITLE_WORD.search(text)
            and not text.rstrip("*").endswith(".")
        ):
            return block
    for block in early:
        text = " ".join(line.key for line in block)
        if short(block, 3, 200) and len(text) >= 3 and not text.endswith("."):
            return block
    return None


def title_spans(layout: PageLayout, block: Sequence[Line]) -> list[Span]:
    """Where the title block's words are, Markdown marks (``#``, ``*``) left out."""
    start = block[0].first
    while start < block[-1].last and layout.work[start] in "#* \t":
        start += 1
    end = block[-1].last
    while end > start and layout.work[end - 1] in "*# \t":
        end -= 1
    return cut_spans(layout.text, start, end, layout.blanked)


def find_period(title: str | None, work: str) -> tuple[int, int] | None:
    """The first plausible "YYYY-YYYY" in the title, else early in the text."""
    for haystack in (title or "", work[:3000]):
        for match in _PERIOD.finditer(haystack):
            first, last = int(match.group(1)), int(match.group(2))
            if first <= last <= first + 10:
                return first, last
    return None


def find_identifier(blocks: Sequence[list[Line]], work: str) -> str | None:
    """The diary number ("KS 2019/123"), on a line of its own or after "Dnr"."""
    for block in blocks[:15]:
        for line in block:
            match = _DIARY.match(line.text)
            if match:
                return match.group(1)
    match = _DIARY_INLINE.search(work[:3000])
    return match.group(1) if match else None


def find_date(text: str) -> str | None:
    """The document date after "Datum" (``YYYY-MM-DD``), if printed early."""
    match = _DATE.search(text[:5000])
    return match.group(1) if match else None


def find_region_start(blocks: Sequence[list[Line]], after: int, end: int) -> int | None:
    """End of the introduction ("Områden …", "… har kommit överens om följande")."""
    run_end = None
    for block in blocks:
        if block[0].start < after or block[0].start >= end:
            continue
        text = " ".join(line.key for line in block)
        if _REGION_MARKER.search(text) and len(text) <= 400:
            run_end = block[-1].end
        elif run_end is not None:
            return run_end
    return run_end


def find_parties(
    gazetteer: Gazetteer,
    work: str,
    title: Sequence[Span],
    after: int,
    region_start: int,
    blocks: Sequence[list[Line]] = (),
) -> list[URIRef]:
    """Regions and municipalities named in the title, else in a short subtitle
    block right after it ("Region X och Y kommun"), in the first "mellan X och Y"
    of the introduction (``work[after:region_start]``), or in the definitions
    "X (nedan regionen)", "Y, nedan kallad kommunen" of the first pages."""
    parties: list[URIRef] = []

    def add(mentions: Iterable[Mention]) -> None:
        for mention in mentions:
            kind = gazetteer.kinds.get(mention.iri)
            if kind in (SKG.Region, SKG.Municipality) and mention.iri not in parties:
                parties.append(mention.iri)

    for span in title:
        add(gazetteer.find(work, span.start, span.end))
    following = [b for b in blocks if b[0].start >= after]
    if len(parties) < 2 and following:
        subtitle = following[0]
        text = " ".join(line.key for line in subtitle)
        if len(subtitle) <= 2 and len(text) <= 120 and not text.endswith("."):
            add(gazetteer.find(work, subtitle[0].start, subtitle[-1].end))
    if len(parties) < 2:
        intro = work[after:region_start]
        for match in re.finditer(r"\bmellan\b[^.]{3,200}", intro):
            base = after + match.start()
            add(gazetteer.find(work, base, base + len(match.group(0))))
            if len(parties) >= 2:
                break
    if len(parties) < 2:
        for party, _role in find_definitions(gazetteer, work, after):
            if party not in parties:
                parties.append(party)
    return parties


_DEFINITION = re.compile(
    r"[(,]?\s*\(?\s*nedan(?:\s+(?:kallad|kallat|kallade|benämnd|benämnt|benämnda|"
    r"betecknad))?\s+[\"”'»]?(regionen|kommunen|landstinget)\b",
    re.IGNORECASE,
)


def find_definitions(
    gazetteer: Gazetteer, work: str, start: int = 0, end: int | None = None
) -> list[tuple[URIRef, str]]:
    """The parties an agreement defines ("Region X (nedan regionen)", "Y kommun,
    nedan kallad kommunen"): each region or municipality named right before a
    "nedan …" definition, with the word it is defined as.

    Only the first pages are read (``work[start:end]``, by default 4000
    characters), where agreements define their parties.
    """
    end = min(len(work), start + 4000) if end is None else end
    found: list[tuple[URIRef, str]] = []
    mentions = [
        m
        for m in gazetteer.find(work, start, end)
        if gazetteer.kinds.get(m.iri) in (SKG.Region, SKG.Municipality)
    ]
    for match in _DEFINITION.finditer(work, start, end):
        before = [m for m in mentions if 0 <= match.start() - m.end <= 3]
        if before:
            found.append((before[-1].iri, match.group(1).casefold()))
    return found


def find_county(
    gazetteer: Gazetteer, work: str, parties: Sequence[URIRef]
) -> URIRef | None:
    """The document's county: its region party's, else the county whose region and
    municipalities the text names most often (a plan names its municipalities)."""
    counties = gazetteer.counties
    for party in parties:
        if gazetteer.kinds.get(party) == SKG.Region and party in counties:
            return counties[party]
    for party in parties:
        if party in counties:
            return counties[party]
    tally: Counter[URIRef] = Counter()
    for mention in gazetteer.find(work):
        if gazetteer.kinds.get(mention.iri) in (SKG.Region, SKG.Municipality):
            county = counties.get(mention.iri)
            if county is not None:
                tally[county] += 1
    return tally.most_common(1)[0][0] if tally else None


def find_based_on(
    gazetteer: NameIndex, work: str, start: int, end: int
) -> list[URIRef]:
    """The plans named in ``work[start:end]`` (the introduction), in order."""
    plans = []
    for mention in gazetteer.find(work, start, end):
        if gazetteer.kinds.get(mention.iri) == SKG.Plan and mention.iri not in plans:
            plans.append(mention.iri)
    return plans


def classify_document(result: ExtractionResult, gazetteer: Gazetteer) -> Classification:
    """Agreement (title, two parties, period), plan, or other; name the IRIs.

    Sets ``result.kind``, and for an agreement or plan ``result.document`` and
    ``result.agreement``; appends to ``result.warnings`` what the curator must know.

    Args:
        result: the extraction so far (title, parties and period found).
        gazetteer: the names, for the parties' kinds and labels.

    Returns:
        The kind, and for an agreement its municipality and region party.
    """
    title = result.title or ""
    kind = "other"
    if AGREEMENT_WORD.search(title):
        missing = []
        if len(result.parties) < 2:
            missing.append(
                "two parties (region, municipality) in the title or a "
                "'mellan X och Y' sentence"
            )
        if not result.period:
            missing.append("a period (e.g. 2019-2022)")
        if not missing:
            kind = "agreement"
        else:
            result.warnings.append(
                "the title looks like an agreement, but "
                + " and ".join(missing)
                + " could not be found: no skg:Agreement is drafted; clauses "
                "and commitments are only listed in the review"
            )
    elif _PLAN_WORD.search(title):
        kind = "plan"
        result.warnings.append(
            "a plan: the skg:Plan, its goals, the rows of its activity tables and "
            "the commitments of named actors are drafted; statements and the "
            "plan's sections are not (curate them by hand)"
        )
    else:
        result.warnings.append(
            "not recognised as an agreement or a plan (no 'Överenskommelse …' or "
            "'…plan' title): only the document and its skipped blocks are "
            "drafted; commitment-like sentences are listed in the review"
        )
    result.kind = kind
    if kind == "agreement":
        kinds = gazetteer.kinds
        municipalities = [p for p in result.parties if kinds.get(p) == SKG.Municipality]
        regions = [p for p in result.parties if kinds.get(p) == SKG.Region]
        municipality = municipalities[0] if municipalities else None
        if len(municipalities) > 1:
            result.warnings.append(
                "several municipalities are parties: 'kommunen' is read as the "
                "first one named"
            )
        slug = _agreement_slug(gazetteer, municipality or result.parties[0], result)
        result.document = SKGID[f"document/overenskommelse-{slug}"]
        result.agreement = SKGID[f"agreement/{slug}"]
        return Classification(kind, municipality, regions[0] if regions else None)
    if kind == "plan":
        slug = slugify(title)[:60].strip("-") or file_slug(result.file_name)
        result.document = SKGID[f"document/{slug}"]
        result.agreement = SKGID[f"plan/{slug}"]
    return Classification(kind)


def _agreement_slug(
    gazetteer: Gazetteer, owner: URIRef, result: ExtractionResult
) -> str:
    """ "hedemora-2019-2022": the municipality (or first party) and the period."""
    name = gazetteer.labels.get(owner, "")
    name = re.sub(r"\s+kommun$", "", name)
    # "Smedjebackens kommun" → "Smedjebacken", but "Borås" stays "Borås".
    if name.endswith("s") and owner in gazetteer.entries.get(compact(name[:-1]), ()):
        name = name[:-1]
    first, last = result.period or (0, 0)
    return f"{slugify(name) or 'avtal'}-{first}-{last}"
