"""Curation report 3 — the names check: every name of a body in the words a fact
quotes is linked from that fact (docs/reading-convention.md §5).

Input: an ``AssembledDataset`` and ``data/reference/names-check.toml`` (glossary
terms, explained exceptions, aliases). Output: a ``NamesReport``: the names found,
those linked, those explained, and the unexplained gaps a curator has to link or
explain; ``make test`` requires none.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import URIRef
from rdflib.namespace import RDF

from ..build import AssembledDataset
from ..errors import SourceError
from ..evidence import document_evidence
from ..labels import names_of
from ..namespaces import SKG

if TYPE_CHECKING:
    from ..extract.gazetteer import Gazetteer

# The extractor's name finder is imported where a names check runs, not with
# this module: ``curate`` comes with every build, the extractor (a tenth of a
# second of imports) only with this report.

__all__ = [
    "CHECKED_CLASSES",
    "NAMES_CHECK_FILE",
    "NameAlias",
    "NameException",
    "NameGap",
    "NamesCheck",
    "NamesReport",
    "check_names",
    "read_names_check",
]

NAMES_CHECK_FILE = "names-check.toml"
"""The file of glossary terms and explained exceptions, in ``data/reference/``."""

CHECKED_CLASSES = (
    SKG.Commitment,
    SKG.Statement,
    SKG.Goal,
    SKG.Activity,
    SKG.Event,
    SKG.Meeting,
    SKG.Decision,
)
"""The facts whose quoted words are checked: those that link what they name.
Clauses, agreements, plans and sections quote text without linking it."""

ROLE_PROPERTIES = (SKG.coordinatorRole, SKG.roleAsPrinted)
"""A role the fact records verbatim ("Kulturchef", "landstingsfullmäktige") is
recorded, not an unlinked name."""

_ID_BASE = "https://w3id.org/samverkansgraf/id/"
# Markup, footnote marks and list marks that may stand between a sentence end
# and its first word ("<b>", "**", "- ", "<sup>3</sup>", a numbered line "2.").
_LEADING_MARKS = re.compile(
    r"(<sup>[^<]*</sup>|<[^>]*>|\*+|#+|[-•–—(\"“]|(?:^|\n)[ \t]*\d+\.)\s*$"
)
_COUNTY_WORDS = frozenset({"län", "läns"})


@dataclass(frozen=True)
class NameException:
    """A name the curators deliberately leave unlinked, and why."""

    name: str
    """The name as found in the text (compared case-insensitively)."""
    reason: str
    """Why it is not linked."""
    resource: str | None = None
    """The fact (full IRI) the exception holds for; ``None``: every fact."""

    def explains(self, gap: NameGap) -> bool:
        """True when this exception covers ``gap``."""
        if self.name.casefold() != gap.name.casefold():
            return False
        return self.resource is None or self.resource == gap.resource


@dataclass(frozen=True)
class NameAlias:
    """A word that, in one source, names a resource but is too ambiguous to be
    one of its labels ("Region" in the Örebro plan's tables is Region Örebro län)."""

    name: str
    """The word as printed (compared case-insensitively)."""
    resource: str
    """The resource (full IRI) it names in that source."""
    document: str
    """The source file's name."""
    reason: str
    """Why the word names the resource there."""


@dataclass(frozen=True)
class NamesCheck:
    """The contents of ``names-check.toml``."""

    terms: tuple[str, ...] = ()
    """Lower-case glossary terms (word prefixes) looked for besides capitals."""
    exceptions: tuple[NameException, ...] = ()
    """The explained exceptions."""
    aliases: tuple[NameAlias, ...] = ()
    """Words that name a resource in one source only."""


def read_names_check(path: Path) -> NamesCheck:
    """Read the names check's terms and exceptions from ``path`` (TOML).

    Raises:
        SourceError: the file is missing, not TOML, or an entry lacks a name
            or a reason.
    """
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise SourceError(
            "names-check file not found", path=path, hint="create it"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"malformed TOML: {exc}", path=path, hint="fix it") from exc
    terms = data.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise SourceError("'terms' must be a list of strings", path=path, hint="fix it")
    exceptions = []
    for number, entry in enumerate(data.get("exception", []), start=1):
        name, reason = _name_and_reason(entry, "exception", number, path)
        resource = entry.get("resource")
        exceptions.append(
            NameException(name, reason, None if resource is None else _iri(resource))
        )
    aliases = []
    for number, entry in enumerate(data.get("alias", []), start=1):
        name, reason = _name_and_reason(entry, "alias", number, path)
        resource, document = entry.get("resource"), entry.get("document")
        if not isinstance(resource, str) or not isinstance(document, str):
            raise SourceError(
                f"alias {number} ({name!r}) needs 'resource' and 'document'",
                path=path,
                hint="give the resource it names and the source file it holds in",
            )
        aliases.append(NameAlias(name, _iri(resource), document, reason))
    return NamesCheck(
        tuple(t.casefold() for t in terms), tuple(exceptions), tuple(aliases)
    )


def _name_and_reason(
    entry: dict[str, object], kind: str, number: int, path: Path
) -> tuple[str, str]:
    name, reason = entry.get("name"), entry.get("reason")
    if not isinstance(name, str) or not name.strip():
        raise SourceError(f"{kind} {number} has no 'name'", path=path, hint="add it")
    if not isinstance(reason, str) or not reason.strip():
        raise SourceError(
            f"{kind} {number} ({name!r}) has no 'reason'",
            path=path,
            hint="say why",
        )
    return name.strip(), reason.strip()


def _iri(value: str) -> str:
    """A resource given relative to the id namespace, made absolute."""
    return value if value.startswith(("http://", "https://")) else _ID_BASE + value


@dataclass(frozen=True)
class NameGap:
    """A name in a fact's quoted words that the fact does not link."""

    document: str
    """The source file's name."""
    resource: str
    """The fact (IRI) that quotes the name."""
    name: str
    """The name as printed (whitespace collapsed)."""
    line: int
    """Line of the source where it stands (1-based)."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset after its last character."""
    names: str | None
    """The resource the name names, or ``None`` when no resource has it."""

    @property
    def problem(self) -> str:
        """What is wrong, in words."""
        if self.names is None:
            return "no resource has this name"
        return f"names {_short(self.names)}, which the fact does not link"


@dataclass
class NamesReport:
    """The names check over every checked fact of every source."""

    found: int
    """Names found in the quoted words of checked facts (per fact, distinct)."""
    linked: int
    """Of those, names of a resource the fact links (or a role it records)."""
    gaps: list[NameGap]
    """Unexplained: neither linked nor in the exceptions."""
    explained: list[tuple[NameGap, NameException]]
    """Not linked, with the exception that explains it."""
    unused: list[NameException | NameAlias]
    """Exceptions and aliases that explain nothing any more (stale entries)."""

    @property
    def complete(self) -> bool:
        """True when every name is linked or explained and no exception is stale."""
        return not self.gaps and not self.unused

    def format_text(self) -> str:
        """The report for a terminal: the counts, then each gap and stale entry."""
        lines = [
            f"names in quoted passages: {self.found} found, {self.linked} linked, "
            f"{len(self.explained)} explained by {NAMES_CHECK_FILE}, "
            f"{len(self.gaps)} unexplained"
        ]
        for gap in self.gaps:
            lines.append(
                f"{gap.document}:{gap.line}: {_short(gap.resource)}: "
                f"{gap.name!r} {gap.problem} — link it (skg:concerns on a "
                f"commitment, skg:about on a statement) or explain it in "
                f"data/reference/{NAMES_CHECK_FILE}"
            )
        for entry in self.unused:
            kind = "alias" if isinstance(entry, NameAlias) else "exception"
            where = f" for {_short(entry.resource)}" if entry.resource else ""
            lines.append(
                f"{NAMES_CHECK_FILE}: the {kind} {entry.name!r}{where} "
                "explains no name any more — remove it"
            )
        if self.complete:
            lines.append("every name is linked or explained")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The report as JSON."""
        payload = {
            "found": self.found,
            "linked": self.linked,
            "gaps": [asdict(gap) | {"problem": gap.problem} for gap in self.gaps],
            "explained": [
                asdict(gap) | {"reason": entry.reason} for gap, entry in self.explained
            ],
            "unused": [asdict(entry) for entry in self.unused],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)


def _short(iri: str) -> str:
    return f"<{iri.removeprefix(_ID_BASE)}>"


def _sentence_initial(text: str, span_start: int, start: int) -> bool:
    """True when the word at ``start`` opens a sentence, a list item or a cell.

    Boundaries: the start of the quoted span, a sentence end (``.!?:;``), a tab
    (a table cell), a blank line, or a line break after a table row; markup and
    list marks before the word do not count.
    """
    rest = text[span_start:start]
    while True:
        stripped = rest.rstrip()
        gap = rest[len(stripped) :]
        if "\t" in gap or "\n\n" in gap:
            return True
        if "\n" in gap and "\t" in stripped[stripped.rfind("\n") + 1 :]:
            return True  # the line before is a table row
        unmarked = _LEADING_MARKS.sub("", stripped)
        if unmarked == stripped:
            break
        rest = unmarked
    return not stripped or stripped[-1] in ".!?:;"


def _names_in(
    text: str,
    start: int,
    end: int,
    gazetteer: Gazetteer,
    places: frozenset[str],
    terms: tuple[str, ...],
) -> list[tuple[int, int, str, URIRef | None]]:
    """The names in ``text[start:end]``: (start, end, as printed, resource or None).

    Names of the reference graph are found by the gazetteer (every label and
    variant, exact; a municipality's name followed by "län" is the county, a
    place, and left out). Besides them: runs of capitalised words on one line
    that are not place names and not a sentence's first word (alone or followed
    by place names only: "Skolan", "Alla Dalarnas"), and words beginning with a
    glossary term.
    """
    found: list[tuple[int, int, str, URIRef | None]] = []
    from ..extract.text import NAME_GAP, word_tokens

    taken: list[tuple[int, int]] = []
    for mention in gazetteer.find(text, start, end):
        taken.append((mention.start, mention.end))
        after = word_tokens(text, mention.end, min(end, mention.end + 8))
        county = bool(after) and after[0].text.casefold() in _COUNTY_WORDS
        if county and gazetteer.kinds.get(mention.iri) == SKG.Municipality:
            continue
        found.append((mention.start, mention.end, mention.surface, mention.iri))

    def free(token_start: int, token_end: int) -> bool:
        return not any(s < token_end and token_start < e for s, e in taken)

    tokens = [t for t in word_tokens(text, start, end) if free(t.start, t.end)]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.text[:1].isupper():
            last = index + 1
            while last < len(tokens) and tokens[last].text[:1].isupper():
                between = text[tokens[last - 1].end : tokens[last].start]
                if not NAME_GAP.match(between) or "\n" in between or "\t" in between:
                    break
                last += 1
            words = tokens[index:last]
            if _sentence_initial(text, start, token.start) and all(
                w.text in places for w in words[1:]
            ):
                words = []  # "Skolan", "Alla Dalarnas": a sentence's first word
            if words and not all(w.text in places for w in words):
                first, final = words[0], words[-1]
                surface = " ".join(text[first.start : final.end].split())
                found.append((first.start, final.end, surface, None))
            index = last
            continue
        folded = token.text.casefold()
        if any(folded.startswith(term) for term in terms):
            found.append((token.start, token.end, token.text, None))
        index += 1
    return sorted(found)


def _is_recorded(
    text: str,
    start: int,
    surface: str,
    iri: URIRef | None,
    links: set[URIRef],
    linked_names: list[str],
    roles: str,
) -> bool:
    """Whether a name found at ``start`` is linked by the fact or recorded on it."""
    if iri is not None and iri in links:
        return True
    words = surface.casefold().split()
    if roles and all(word in roles for word in words):
        return True  # part of a role recorded verbatim (skg:coordinatorRole …)
    if iri is not None:
        return False
    # An unknown word inside the name of a linked resource that the name finder
    # cannot match whole ("Kultur för, och med, äldre i Dalarna" has commas,
    # "musik-/kulturskolor" a slash): the whole name stands around it.
    from ..extract.text import compact

    word = compact(surface)
    around = compact(text[max(0, start - 120) : start + 200])
    return any(word in name and name in around for name in linked_names)


def check_names(assembled: AssembledDataset, check: NamesCheck) -> NamesReport:
    """Find every name in a fact's quoted words that the fact does not link.

    A fact is a commitment, statement, goal, activity or event. A name is linked
    when the fact has any property whose value is the resource the name names
    (``skg:committedBy``, ``skg:partner``, ``skg:concerns``, ``skg:about``,
    ``skg:participant`` …), or when it is a role the fact records verbatim
    (``skg:coordinatorRole``, ``skg:roleAsPrinted``). What is neither is a gap
    unless ``check`` explains it.

    Args:
        assembled: the dataset with evidence resolved.
        check: the glossary terms and explained exceptions.

    Returns:
        The report; ``report.complete`` is what ``make test`` requires.
    """
    from ..extract.gazetteer import Gazetteer, place_names
    from ..extract.text import compact

    graph = assembled.union()
    gazetteer = Gazetteer(graph, fuzzy_threshold=None)
    places = place_names(graph)
    facts = {
        fact
        for cls in CHECKED_CLASSES
        for fact in graph.subjects(RDF.type, cls)
        if isinstance(fact, URIRef)
    }
    aliases = {(a.document, a.name.casefold()): a for a in check.aliases}
    used_aliases: set[NameAlias] = set()
    found = linked = 0
    gaps: list[NameGap] = []
    seen: set[tuple[URIRef, str, URIRef | None]] = set()
    for doc in assembled.documents:
        text = doc.source.text
        for record in document_evidence(doc):
            if record.skipped or record.fact not in facts:
                continue
            fact = record.fact
            links = {o for o in graph.objects(fact, None) if isinstance(o, URIRef)}
            linked_names = [
                compact(name)
                for link in links
                if link in gazetteer.kinds  # named things, not theme concepts
                for name in names_of(graph, link)
                if len(compact(name)) >= 6
            ]
            roles = " | ".join(
                str(role).casefold()
                for prop in ROLE_PROPERTIES
                for role in graph.objects(fact, prop)
            )
            for start, end, surface, iri in _names_in(
                text, record.span.start, record.span.end, gazetteer, places, check.terms
            ):
                alias = aliases.get((doc.source.path.name, surface.casefold()))
                if iri is None and alias is not None:
                    iri = URIRef(alias.resource)
                    used_aliases.add(alias)
                key = (fact, surface.casefold(), iri)
                if key in seen:
                    continue
                seen.add(key)
                found += 1
                if _is_recorded(text, start, surface, iri, links, linked_names, roles):
                    linked += 1
                    continue
                gaps.append(
                    NameGap(
                        document=doc.source.path.name,
                        resource=str(fact),
                        name=surface,
                        line=text.count("\n", 0, start) + 1,
                        start=start,
                        end=end,
                        names=None if iri is None else str(iri),
                    )
                )
    explained: list[tuple[NameGap, NameException]] = []
    unexplained: list[NameGap] = []
    used: set[NameException] = set()
    for gap in gaps:
        entry = next((e for e in check.exceptions if e.explains(gap)), None)
        if entry is None:
            unexplained.append(gap)
        else:
            explained.append((gap, entry))
            used.add(entry)
    unused: list[NameException | NameAlias] = [
        e for e in check.exceptions if e not in used
    ]
    unused += [a for a in check.aliases if a not in used_aliases]
    return NamesReport(found, linked, unexplained, explained, unused)
