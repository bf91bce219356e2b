"""Extraction, step 7 — action plans: goals and the rows of activity tables.

Input: the ``PageLayout`` of a plan, the document's names
(``proposals.DocumentNames``), the role words and the plan's region. Output:
``DraftGoal``s ("Utvecklingsmål 1: …", "Mål 2: …", "Insatsområde 1: …") and
``DraftActivity`` rows with participants, convenors, coordinators and their
roles, start term, follow-up and completion year, each with the row's words as
evidence, plus the persons the tables name that the reference graph lacks.

Tables are rows of tab-separated cells or Markdown pipes (``| a | b |``) under a
header row whose first cell names the activity ("Aktivitet", "Aktiviteter").
The columns are recognised by their header words (start, samordnare/ansvariga,
samverkan/deltar, uppföljning, klart/slutår). A row whose first cells are
empty continues the row before it — also after a footnote and a page break.
A row's goal is the last "… mål N" / "insatsområde N" line above its table, its
heading the last "Rubrik: …" line. Names the plan marks — bold (``<b>``,
``**``) or with an asterisk — in the coordinator column are convenors when the
plan says that marked names convene ("sammankallande").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import URIRef

from ..evidence import Span
from ..namespaces import SKG, SKGID, slugify
from .layout import Line, PageLayout, cut_spans
from .lexicons import KindWord, kind_of
from .proposals import DocumentNames
from .results import DraftActivity, DraftGoal, ProposedResource
from .text import word_tokens

__all__ = ["find_plan_tables"]

_COLUMNS = {
    "start": re.compile(r"^(?:start|påbörjas|tid)", re.I),
    "coordinators": re.compile(r"ansvari|samordnar|sammankall|ansvar\b", re.I),
    "participants": re.compile(
        r"^(?:samverkan|deltar|deltagande|deltagare|medverk|parter|kommuner)", re.I
    ),
    "follow_up": re.compile(r"^uppföljning", re.I),
    "completion": re.compile(r"^(?:klart|slutår|avslut|slut)", re.I),
}
_ACTIVITY_HEADER = re.compile(r"^(?:\*\*)?aktivitet(?:er)?\b", re.I)
_SEPARATOR = re.compile(r"^[\s|:\-–—]*$")
_GOAL_LINE = re.compile(
    r"^[#*\s-]*(?P<word>utvecklingsmål|mål|insatsområde|målområde|delmål)\s+"
    r"(?P<number>\d{1,2})\s*:\**\s*(?P<text>\S.*?)\s*$",
    re.IGNORECASE,
)
_GOAL_MENTION = re.compile(
    r"\b(?:utvecklingsmål|mål|insatsområde|målområde|delmål)\s+(\d{1,2})\b", re.I
)
_RUBRIK = re.compile(r"^[#*\s]*rubrik\s*:\s*\**\s*(?P<text>.+?)[*\s]*$", re.I)
_MARKED = re.compile(r"<b>(?P<b>.*?)</b>|\*\*(?P<md>.+?)\*\*")
_STARRED = re.compile(r"(?P<name>[A-ZÅÄÖÉ][\w-]+(?: [A-ZÅÄÖÉ][\w-]+){1,3})\*")
_TAGS = re.compile(r"<sup>.*?</sup>|</?[a-z]+>|\*\*|[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_PARENTHESIS = re.compile(r"\([^)]*\)")
_PERSON = re.compile(
    r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?: [A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?){1,3}$"
)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_REGION_WORD = re.compile(r"(?<!\w)Region(?:en)?(?!\w)")


@dataclass
class _Piece:
    """The text of one cell on one line, and where it is."""

    start: int
    end: int
    text: str


@dataclass
class _Row:
    """A table row being read: the cells per column, and its lines."""

    cells: dict[str, list[_Piece]] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    goal: str | None = None
    heading: str | None = None


def find_plan_tables(
    layout: PageLayout,
    names: DocumentNames,
    roles: Sequence[KindWord],
    region: URIRef | None,
    start: int,
    end: int,
) -> tuple[list[DraftGoal], list[DraftActivity], list[ProposedResource]]:
    """The goals and activity rows of the plan in ``work[start:end]``.

    Args:
        layout: the plan's text.
        names: the document's names (known and proposed actors, persons).
        roles: role words ("chef", "samordnare" …) of the coordinator column.
        region: the plan's region ("Region" among the participants).
        start: where the body begins.
        end: where it ends.

    Returns:
        The goals, the activities in document order, and the persons the tables
        name that are not in the reference graph (proposed ``skg:Person``).
    """
    lines = [line for line in layout.lines if start <= line.start and line.end <= end]
    goals = _goals(layout, lines)
    convening = "sammankall" in layout.work.casefold()
    rows: list[_Row] = []
    header: dict[int, str] | None = None
    goal: str | None = None
    heading: str | None = None
    for line in lines:
        cells = _split(line)
        if cells is None:
            # Text between tables: the goal and "Rubrik" the next rows stand
            # under (a footnote or page number between a row and its
            # continuation changes neither).
            if line.blank or _is_footnote(line.text):
                continue
            mention = _GOAL_MENTION.search(line.text)
            if mention:
                goal = mention.group(1)
            rubrik = _RUBRIK.match(line.text)
            if rubrik:
                heading = _TAGS.sub("", rubrik.group("text")).strip(" *#")
            continue
        if all(_SEPARATOR.match(c.text) for c in cells):
            continue
        if _ACTIVITY_HEADER.match(cells[0].text.strip()):
            header = {0: "label"}
            for index, cell in enumerate(cells[1:], 1):
                for column, pattern in _COLUMNS.items():
                    if (
                        pattern.search(cell.text.strip())
                        and column not in header.values()
                    ):
                        header[index] = column
                        break
            continue
        if header is None:
            continue
        if not cells[0].text.strip() and rows:
            row = rows[-1]  # a row continued (after a page break or footnote)
        else:
            row = _Row(goal=goal, heading=heading)
            rows.append(row)
        row.lines.append(line)
        for index, cell in enumerate(cells):
            role = header.get(index)
            if role is not None and cell.text.strip():
                row.cells.setdefault(role, []).append(cell)
    activities: list[DraftActivity] = []
    persons: dict[str, ProposedResource] = {}
    for row in rows:
        activity = _activity(layout, names, roles, region, row, convening, persons)
        if activity is not None:
            activity.position = len(activities) + 1
            activities.append(activity)
    return goals, activities, list(persons.values())


def _split(line: Line) -> list[_Piece] | None:
    """A table line's cells (tab- or pipe-separated), or None for other lines."""
    text = line.text
    if (
        text.lstrip().startswith("|")
        and text.rstrip().endswith("|")
        and text.count("|") >= 3
    ):
        inner_start = text.index("|") + 1
        inner_end = text.rindex("|")
        parts = text[inner_start:inner_end].split("|")
        offset = inner_start
    elif text.count("\t") >= 2:
        parts = text.split("\t")
        offset = 0
    else:
        return None
    pieces = []
    for part in parts:
        lead = len(part) - len(part.lstrip())
        stripped = part.strip()
        pieces.append(
            _Piece(
                line.start + offset + lead,
                line.start + offset + lead + len(stripped),
                stripped,
            )
        )
        offset += len(part) + 1
    return pieces


def _is_footnote(text: str) -> bool:
    """A footnote line ("<sup>3</sup> …", "¹ …") or a page number."""
    stripped = text.strip()
    return bool(
        re.match(r"^(?:<sup>\d+</sup>|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)", stripped)
        or re.match(r"^(?:sida\s+)?\d+(?:\s+av\s+\d+)?$", stripped, re.I)
        or stripped in {"I", "II"}
    )


def _goals(layout: PageLayout, lines: Sequence[Line]) -> list[DraftGoal]:
    """The first "<goal word> N: text" line of each number."""
    goals: dict[str, DraftGoal] = {}
    for line in lines:
        match = _GOAL_LINE.match(line.text)
        if match is None or match.group("number") in goals:
            continue
        text = _TAGS.sub("", match.group("text")).strip(" *")
        if not text:
            continue
        spans = cut_spans(layout.text, line.first, line.last, layout.blanked)
        if spans:
            goals[match.group("number")] = DraftGoal(match.group("number"), text, spans)
    return sorted(goals.values(), key=lambda g: int(g.number))


def _activity(
    layout: PageLayout,
    names: DocumentNames,
    roles: Sequence[KindWord],
    region: URIRef | None,
    row: _Row,
    convening: bool,
    persons: dict[str, ProposedResource],
) -> DraftActivity | None:
    """One activity from a table row."""
    label_pieces = row.cells.get("label", [])
    label = " ".join(_TAGS.sub("", " ".join(p.text for p in label_pieces)).split())
    if not label:
        return None
    spans: list[Span] = []
    for line in row.lines:
        spans += cut_spans(layout.text, line.first, line.last, layout.blanked)
    activity = DraftActivity(0, label, spans, goal=row.goal, heading=row.heading)
    start = " ".join(p.text for p in row.cells.get("start", []))
    activity.start_term = " ".join(_TAGS.sub("", start).split()) or None
    completion = _YEAR.search(" ".join(p.text for p in row.cells.get("completion", [])))
    activity.completion_year = int(completion.group(0)) if completion else None
    follow = " ".join(p.text for p in row.cells.get("follow_up", []))
    activity.follow_up = " ".join(_TAGS.sub("", follow).split()) or None
    _participants(layout, names, region, row.cells.get("participants", []), activity)
    _coordinators(
        layout,
        names,
        roles,
        row.cells.get("coordinators", []),
        activity,
        convening,
        persons,
    )
    return activity


_PARTICIPANT_KINDS = frozenset(
    {
        SKG.Region,
        SKG.Municipality,
        SKG.CulturalInstitution,
        SKG.CivilSocietyOrganisation,
        SKG.Network,
        SKG.Actor,
    }
)


def _participants(
    layout: PageLayout,
    names: DocumentNames,
    region: URIRef | None,
    pieces: Sequence[_Piece],
    activity: DraftActivity,
) -> None:
    """Every actor the participants column names; "Region(en)" is the plan's
    region; remarks in parentheses are left out."""
    for piece in pieces:
        text = layout.text[piece.start : piece.end]
        hidden = [(m.start(), m.end()) for m in _PARENTHESIS.finditer(text)]
        for mention in names.find(layout.work, piece.start, piece.end):
            offset = mention.start - piece.start
            if any(a <= offset < b for a, b in hidden):
                continue
            if names.kinds.get(mention.iri) in _PARTICIPANT_KINDS:
                if mention.iri not in activity.participants:
                    activity.participants.append(mention.iri)
        if region is not None:
            visible = _PARENTHESIS.sub(lambda m: " " * len(m.group(0)), text)
            named = [
                (m.start - piece.start, m.end - piece.start)
                for m in names.find(layout.work, piece.start, piece.end)
            ]
            for word in _REGION_WORD.finditer(visible):
                if not any(a <= word.start() < b for a, b in named):
                    _add(activity.participants, region)
        rest = _PARENTHESIS.sub(" ", text)
        for mention in names.find(layout.work, piece.start, piece.end):
            rest = rest.replace(mention.surface, " ")
        rest = _REGION_WORD.sub(" ", rest)
        for part in re.split(r"[,;\n]", rest):
            part = " ".join(part.split()).strip(" .")
            if part and any(ch.isalpha() for ch in part):
                activity.unresolved.append(part)


def _coordinators(
    layout: PageLayout,
    names: DocumentNames,
    roles: Sequence[KindWord],
    pieces: Sequence[_Piece],
    activity: DraftActivity,
    convening: bool,
    persons: dict[str, ProposedResource],
) -> None:
    """Persons and bodies of the coordinator column (marked ones convene) and
    the roles printed there."""
    for piece in pieces:
        text = layout.text[piece.start : piece.end]
        marked = [(m.start(), m.end()) for m in _MARKED.finditer(text)]
        marked += [(m.start("name"), m.end()) for m in _STARRED.finditer(text)]
        taken: list[tuple[int, int]] = []
        for mention in names.find(layout.work, piece.start, piece.end):
            kind = names.kinds.get(mention.iri)
            if kind in (SKG.Region, SKG.Municipality) or kind not in (
                SKG.Person,
                *_PARTICIPANT_KINDS,
            ):
                continue
            if _in_role(
                text, mention.start - piece.start, mention.end - piece.start, roles
            ):
                continue
            _add(activity.coordinators, mention.iri)
            offset = (mention.start - piece.start, mention.end - piece.start)
            taken.append(offset)
            if convening and any(a <= offset[0] < b for a, b in marked):
                _add(activity.convenors, mention.iri)
        for a, b in marked:
            inner = _TAGS.sub("", text[a:b]).strip(" ,*")
            if any(s < b and a < e for s, e in taken) or not _PERSON.match(inner):
                continue
            person = _person(layout, names, persons, inner, piece.start + a)
            _add(activity.coordinators, person)
            taken.append((a, b))
            if convening:
                _add(activity.convenors, person)
        rest = text
        for a, b in sorted(taken, reverse=True):
            rest = rest[:a] + "\n" + rest[b:]
        for part in re.split(r"[,;\n]|<sup>.*?</sup>", _TAGS.sub(" ", rest)):
            part = " ".join(part.replace("*", " ").split()).strip(" .,")
            if not part or not any(ch.isalpha() for ch in part):
                continue
            if (
                _PERSON.match(part)
                and not _starts_with_role(part, roles)
                and not any(word in names.places for word in part.split())
            ):
                person = _person(
                    layout, names, persons, part, piece.start + text.find(part)
                )
                _add(activity.coordinators, person)
            elif part not in activity.coordinator_roles:
                activity.coordinator_roles.append(part)


def _add(values: list[URIRef], value: URIRef) -> None:
    if value not in values:
        values.append(value)


def _starts_with_role(text: str, roles: Sequence[KindWord]) -> bool:
    first = text.split()[0] if text.split() else ""
    return kind_of(first, roles) is not None


def _in_role(text: str, start: int, end: int, roles: Sequence[KindWord]) -> bool:
    """Whether a name at ``text[start:end]`` belongs to a role: right after a role
    word ("kulturarvsstrateg Region X") or owning one ("Kulturkvarterets
    kulturchef")."""
    before = word_tokens(text, 0, start)
    after = word_tokens(text, end)
    if (
        before
        and kind_of(before[-1].text, roles) is not None
        and not re.search(r"[,;]", text[before[-1].end : start])
    ):
        return True
    return bool(
        after
        and text[start:end].endswith("s")
        and kind_of(after[0].text, roles) is not None
        and not re.search(r"[,;]", text[end : after[0].start])
    )


def _person(
    layout: PageLayout,
    names: DocumentNames,
    persons: dict[str, ProposedResource],
    name: str,
    offset: int,
) -> URIRef:
    """A person printed as ``name``: known in the county, else proposed."""
    for mention in names.gazetteer.find(name):
        if (
            mention.start == 0
            and mention.end == len(name)
            and names.kinds.get(mention.iri) == SKG.Person
            and not names.foreign(mention.iri)
        ):
            return mention.iri
    key = slugify(name)
    if key not in persons:
        persons[key] = ProposedResource(
            iri=SKGID[f"person/{key}"],
            label=name,
            kind=SKG.Person,
            confidence=0.6,
            reason="person named in a plan's coordinator column",
            start=offset,
            line=layout.text.count("\n", 0, offset) + 1,
        )
    else:
        persons[key].count += 1
    return persons[key].iri
