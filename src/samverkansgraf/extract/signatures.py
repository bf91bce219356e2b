"""Extraction, step 8 — the signature area: who signed, for whom, where, when.

Input: the ``PageLayout`` (where the signature area begins), the document's
names (``proposals.DocumentNames``) and the agreement's parties. Output:
``DraftSignature``s, one per party signing: the place and date ("Falkenberg den
3 maj 2022", "Falun 2019-10-09"), the signatory's name and role. Two columns
side by side ("För Region X        För Y kommun" / "Eva F        Olle P" / roles)
are split into their signatories; one column after another is read block by
block, each opened by its place-and-date line.

Lines with contact data, addresses and the words "Ort och datum" are never read.
A signatory is a person only when the name has two to four capitalised words; a
garbled single word is left out (no person is guessed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import URIRef

from ..evidence import Span
from ..namespaces import SKG, SKGID, slugify
from ..privacy import find_contact_data
from .layout import (
    MONTHS,
    PLACE_AND_DATE,
    PageLayout,
    is_contact_block,
    split_blocks,
    split_lines,
)
from .proposals import DocumentNames
from .results import DraftSignature, ProposedResource

__all__ = ["find_signatures"]

_COLUMNS = re.compile(r"\t+|[ ]{2,}")
_SKIP = re.compile(
    r"^(?:ort och datum|underskrift(?:er)?|namnteckning|namnförtydligande|"
    r"postadress|besöksadress|box\b|telefon|tel\b|e-?post|kontakt|handläggare|"
    r"frågor|sida\b|\d{1,2}\.?\s+underskrift)",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?"
    r"(?: [A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?){1,3}$"
)


@dataclass
class _Cell:
    """The text of one column of one line, and where it is."""

    start: int
    end: int
    text: str


@dataclass
class _Group:
    """The cells of one signatory: place and date, party, name, role lines."""

    cells: list[_Cell] = field(default_factory=list)
    place: str | None = None
    date: str | None = None


def find_signatures(
    layout: PageLayout,
    names: DocumentNames,
    parties: Sequence[URIRef],
) -> tuple[list[DraftSignature], list[ProposedResource]]:
    """The signatures of the signature area, and the persons it proposes.

    Args:
        layout: the text; ``layout.signature`` is where the area begins.
        names: the document's names (known persons, parties).
        parties: the agreement's parties, in order.

    Returns:
        One signature per party found (in text order), and the signatories the
        reference graph lacks, proposed as ``skg:Person``.
    """
    if layout.signature is None or not parties:
        return [], []
    groups = _groups(layout)
    signatures: list[DraftSignature] = []
    proposed: list[ProposedResource] = []
    for group in groups:
        signature = _read_group(layout, names, parties, group)
        if signature is not None:
            signatures.append(signature)
    unsigned = [p for p in parties if p not in {s.signed_for for s in signatures}]
    for signature in signatures:
        if signature.signed_for is None and len(unsigned) == 1:
            signature.signed_for = unsigned.pop()
    signatures = [s for s in signatures if s.signed_for is not None]
    seen: dict[str, URIRef] = {}
    for signature in signatures:
        person = _known_person(names, signature.name)
        if person is None:
            key = slugify(signature.name)
            person = seen.get(key)
            if person is None:
                person = SKGID[f"person/{key}"]
                seen[key] = person
                first = signature.spans[0].start
                proposed.append(
                    ProposedResource(
                        iri=person,
                        label=signature.name,
                        kind=SKG.Person,
                        confidence=0.6,
                        reason="signatory named in the signature area",
                        start=first,
                        line=layout.text.count("\n", 0, first) + 1,
                    )
                )
        signature.person = person
    return signatures, proposed


def _groups(layout: PageLayout) -> list[_Group]:
    """The signature area's lines, split into columns and grouped per signatory."""
    text = layout.text
    assert layout.signature is not None
    area_start = text.rfind("\n", 0, layout.signature) + 1
    contact = find_contact_data(text)
    groups: list[_Group] = []
    shared: list[_Group] = []  # place-and-date lines before a two-column block
    columns: list[_Group] = []
    lines = split_lines(text[area_start:])
    contact_lines = {
        line.index
        for block in split_blocks(lines)
        if is_contact_block(block)
        for line in block
    }
    closed = False  # a blank line after a signatory's role ends the signatory
    for line in lines:
        offset = area_start + line.start
        if not line.text.strip():
            closed = bool(groups and groups[-1].cells and len(groups[-1].cells) > 1)
            continue
        if line.index in contact_lines or _SKIP.match(line.text.strip()):
            continue
        if any(a < offset + len(line.text) and offset < b for a, b in contact):
            continue
        cells = _cells(line.text, offset)
        if len(cells) >= 2:
            if not columns:
                columns = [_Group() for _ in cells]
                for column in columns:
                    for before in shared:
                        column.place = column.place or before.place
                        column.date = column.date or before.date
                groups += columns
                shared = []
            for column, cell in zip(columns, cells, strict=False):
                _take(column, cell)
            continue
        cell = cells[0]
        dated = PLACE_AND_DATE.fullmatch(cell.text)
        if dated:
            group = _Group()
            _take(group, cell)
            closed = False
            if columns:
                columns = []
            shared.append(group)
            groups.append(group)
            continue
        if groups and not closed:
            _take(groups[-1], cell)
    return [g for g in groups if any(_PERSON.match(c.text) for c in g.cells)]


def _cells(text: str, offset: int) -> list[_Cell]:
    """The columns of one line (split at tabs or runs of two or more spaces)."""
    cells = []
    position = 0
    for piece in [*_COLUMNS.split(text)]:
        index = text.find(piece, position)
        position = index + len(piece)
        stripped = piece.strip()
        if stripped:
            start = offset + index + (len(piece) - len(piece.lstrip()))
            cells.append(_Cell(start, start + len(stripped), stripped))
    return cells or [_Cell(offset, offset, "")]


def _take(group: _Group, cell: _Cell) -> None:
    """Add a cell to a group; a place-and-date cell sets its place and date."""
    dated = PLACE_AND_DATE.fullmatch(cell.text)
    if dated:
        group.place = dated.group("place")
        group.date = _iso_date(dated.group("date"))
        return
    group.cells.append(cell)


def _iso_date(text: str) -> str | None:
    """ "2019-10-09" or "den 12 mars 2024" as ``YYYY-MM-DD``; "i mars 2023" has
    no day and gives ``None``."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    match = re.fullmatch(r"(?:den )?(\d{1,2}):?e? (\w+) (\d{4})", text)
    if match and match.group(2) in MONTHS:
        month = MONTHS.index(match.group(2)) + 1
        return f"{match.group(3)}-{month:02d}-{int(match.group(1)):02d}"
    return None


def _read_group(
    layout: PageLayout,
    names: DocumentNames,
    parties: Sequence[URIRef],
    group: _Group,
) -> DraftSignature | None:
    """One signatory: the party (a "För X" line, a line naming it, or the end of
    the role), the name (the first line that is a person's name) and the role."""
    party = None
    name_cell = None
    role: list[_Cell] = []
    for cell in group.cells:
        found = [
            m.iri
            for m in names.find(layout.text, cell.start, cell.end)
            if m.iri in parties
        ]
        if found and party is None:
            party = found[-1]
        if found and _is_party_line(names, layout, cell):
            continue
        if name_cell is None and _PERSON.match(cell.text) and not found:
            name_cell = cell
            continue
        if name_cell is not None and cell.text == name_cell.text:
            continue  # the name printed twice (signature and printed name)
        if name_cell is not None:
            role.append(cell)
    if name_cell is None:
        return None
    role_text = "\n".join(c.text for c in role)
    role_text = re.sub(
        r"(\w)-\n(?=[a-zåäö])", r"\1", role_text
    )  # "bildnings-"/"nämnden"
    role_text = " ".join(role_text.split())
    if party is not None:
        for label in (names.labels.get(party, ""),):
            role_text = re.sub(rf",?\s*{re.escape(label)}\s*$", "", role_text)
    role_text = re.sub(
        r",?\s*(?:Region [A-ZÅÄÖ][\w ]+|[A-ZÅÄÖ]\w+ kommun)$", "", role_text
    )
    spans = [
        Span(c.start, c.end, layout.text[c.start : c.end]) for c in [name_cell, *role]
    ]
    return DraftSignature(
        signed_for=party,
        name=name_cell.text,
        role=role_text.strip(" ,") or None,
        place=group.place,
        date=group.date,
        spans=spans,
    )


def _is_party_line(names: DocumentNames, layout: PageLayout, cell: _Cell) -> bool:
    """A line that only names a party ("För Region X", "Y kommun")."""
    mentions = names.find(layout.text, cell.start, cell.end)
    covered = sum(m.end - m.start for m in mentions)
    return covered >= len(re.sub(r"^För\s+", "", cell.text)) - 1


def _known_person(names: DocumentNames, name: str) -> URIRef | None:
    """A person of the reference graph (of this county) printed as ``name``."""
    for mention in names.gazetteer.find(name):
        if (
            mention.start == 0
            and mention.end == len(name)
            and names.kinds.get(mention.iri) == SKG.Person
            and not names.foreign(mention.iri)
        ):
            return mention.iri
    return None
