"""Extraction, step 6 — segmentation: the clause region cut into clauses.

Input: the ``PageLayout``, the clause region (after "… har kommit överens om
följande områden", or after the title; before the signatures) and a
``CommitmentContext``. Output: ``DraftClause``s with their commitments, found in
this order of preference:

1. **numbered** areas — "1 ", "6." (a number may be printed twice), "4.1", "§ 3";
   a number whose sub-numbers follow ("4. Samverkansområden", "4.1 …") is a
   container and its sub-areas are the clauses;
2. **headed** sections, when at least two headings name areas of agreement;
   bullets and dashes inside a section are its commitments, not clauses;
3. **bulleted** items starting with a capital (the items of a lead-in list —
   "Regionen åtar sig att" — are never clauses);
4. paragraphs that contain a commitment.

Front matter (title, "Bakgrund", "Inledning", "Syfte", "Parter",
"Avtalsperiod", "Period: …", "Gemensamma utgångspunkter" …) and back matter
("Underskrifter", "Kontakt") are never clauses, whatever their layout; headings
and paragraphs that are not clauses are kept as context for the review list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..privacy import mask_contact_data
from .commitments import CommitmentContext, find_leadins, read_commitments
from .layout import (
    BULLET,
    ITEM_MARKER,
    LIST_MARKER,
    Line,
    cut_spans,
    is_heading,
    is_heading_line,
)
from .results import DraftClause, ExtractionResult

__all__ = ["FRONT_MATTER", "find_clauses", "heading_kind"]

_NUMBERED = re.compile(
    r"^[ \t]*(?:§[ \t]*)?(\d{1,2})(?:\.(\d{1,2}))?([.)])?[ \t]+(?=[A-ZÅÄÖÉÜ\"«(])"
)
_BARE_NUMBER = re.compile(r"^[ \t]*(?:§[ \t]*)?(\d{1,2})[.)]?[ \t]*$")

FRONT_MATTER = re.compile(
    r"^(?:\w+a\s+)?(?:bakgrund|inledning|syfte|parter(?:na)?|avtalsparter|"
    r"avtalsperiod|avtalstid|överenskommelsens\s+period|period|giltighet(?:stid)?|"
    r"utgångspunkt(?:er)?|definitioner|innehåll(?:sförteckning)?)\b",
    re.IGNORECASE,
)
"""A heading of front matter: not an area of agreement ("Bakgrund och syfte",
"Avtalstid: 2024–2027", "Gemensamma utgångspunkter")."""
_BACK_MATTER = re.compile(
    r"^(?:underskrift(?:er)?|kontakt(?:uppgifter|personer|person)?|bilag(?:a|or))\b",
    re.IGNORECASE,
)

# (start, end, kind) of a bullet item, heading or paragraph of the clause region.
Unit = tuple[int, int, str]


@dataclass(frozen=True)
class _Numbered:
    """A numbered line that opens an area (or a container of areas)."""

    index: int
    """Its index in the region's lines."""
    number: str
    """The number as printed ("6", "4.1")."""
    heading: str
    """The rest of the line when it is a heading ("Parter"), else ""."""


def heading_kind(text: str) -> str:
    """ "front", "back" or "area" for a heading's text (numbers and marks off)."""
    key = " ".join(LIST_MARKER.sub("", text, count=1).split()).strip("#*: ")
    if FRONT_MATTER.match(key):
        return "front"
    if _BACK_MATTER.match(key):
        return "back"
    return "area"


def find_clauses(
    context: CommitmentContext, start: int, end: int, result: ExtractionResult
) -> list[DraftClause]:
    """Segment the clause region ``work[start:end]`` into clauses.

    Args:
        context: the document (layout, names, lexicons, parties).
        start: where the clause region begins.
        end: where it ends (the signature area, or the end of the text).
        result: the extraction; warnings and context blocks are appended to it.

    Returns:
        The clauses in text order, numbered from 1, each with its commitments.
    """
    layout = context.layout
    region = [line for line in layout.lines if line.start >= start and line.end <= end]
    ranges = _numbered_ranges(context, region, end, result)
    if not ranges:
        ranges = _unit_ranges(context, region, result)
    clauses: list[DraftClause] = []
    for clause_start, clause_stop, printed, kind in sorted(ranges):
        spans = cut_spans(layout.text, clause_start, clause_stop, layout.blanked)
        if not spans:
            continue
        clause = DraftClause(len(clauses) + 1, printed, spans, kind)
        clause.commitments = read_commitments(context, spans[0].start, spans[-1].end)
        clauses.append(clause)
    return clauses


def _numbered_ranges(
    context: CommitmentContext,
    region: Sequence[Line],
    end: int,
    result: ExtractionResult,
) -> list[tuple[int, int, str | None, str]]:
    """Clause ranges of a numbered layout, front and back matter and containers
    left out (and listed as context)."""
    layout = context.layout
    chain = _numbered_chain(region)
    ranges: list[tuple[int, int, str | None, str]] = []
    for position, item in enumerate(chain):
        first = region[item.index].first
        stop = (
            region[chain[position + 1].index].start
            if position + 1 < len(chain)
            else end
        )
        stop = _trim_trailing_heading(layout.blocks, first, stop)
        following = chain[position + 1] if position + 1 < len(chain) else None
        container = following is not None and following.number.startswith(
            f"{item.number}."
        )
        if container or heading_kind(item.heading) != "area":
            reason = (
                "container" if container else f"{heading_kind(item.heading)} matter"
            )
            result.context.append(_context_entry(layout.text, first, stop, reason))
            continue
        ranges.append((first, stop, item.number, "numbered"))
    return ranges


def _unit_ranges(
    context: CommitmentContext, region: Sequence[Line], result: ExtractionResult
) -> list[tuple[int, int, str | None, str]]:
    """Clause ranges from headings, bullets or paragraphs."""
    layout = context.layout
    units = _units(context, region)
    bullets = [u for u in units if u[2] == "bullet"]
    headings = [u for u in units if u[2] == "heading"]
    areas = [u for u in headings if heading_kind(layout.work[u[0] : u[1]]) == "area"]
    if len(areas) >= 2:
        mode = "headed"
    elif len(bullets) >= 2:
        mode = "bulleted"
    elif len(headings) >= 2:
        mode = "headed"
    else:
        mode = "paragraph"
        if units:
            result.warnings.append(
                "no numbered, bulleted or headed areas: paragraphs with a "
                "commitment are proposed as clauses"
            )
    ranges: list[tuple[int, int, str | None, str]] = []
    open_heading: list[int] | None = None
    skipping: str | None = None  # "front"/"back" while inside such a section
    for unit_start, unit_end, kind in units:
        if mode == "headed" and kind == "heading":
            if open_heading is not None and open_heading[1] > open_heading[2]:
                ranges.append((open_heading[0], open_heading[1], None, "headed"))
            elif open_heading is not None:
                result.context.append(
                    _context_entry(
                        layout.text, open_heading[0], open_heading[1], "heading"
                    )
                )
            heading = heading_kind(layout.work[unit_start:unit_end])
            if heading != "area":
                skipping = heading
                open_heading = None
                result.context.append(
                    _context_entry(
                        layout.text, unit_start, unit_end, f"{heading} matter"
                    )
                )
                continue
            skipping = None
            open_heading = [unit_start, unit_end, unit_end]
            continue
        if skipping is not None:
            result.context.append(
                _context_entry(layout.text, unit_start, unit_end, f"{skipping} matter")
            )
            continue
        if open_heading is not None:
            open_heading[1] = unit_end
            continue
        if kind == "bullet":
            ranges.append((unit_start, unit_end, None, "bulleted"))
        elif kind == "heading":
            result.context.append(
                _context_entry(layout.text, unit_start, unit_end, "heading")
            )
        elif read_commitments(context, unit_start, unit_end):
            ranges.append((unit_start, unit_end, None, "paragraph"))
        else:
            result.context.append(
                _context_entry(layout.text, unit_start, unit_end, "context")
            )
    if open_heading is not None and open_heading[1] > open_heading[2]:
        ranges.append((open_heading[0], open_heading[1], None, "headed"))
    return ranges


def _context_entry(text: str, start: int, end: int, kind: str) -> tuple[int, str]:
    """(line, "kind: masked text") of a non-clause block, for the review list."""
    masked = " ".join(mask_contact_data(text[start:end]).split())
    return text.count("\n", 0, start) + 1, f"{kind}: {masked}"


def _numbered_chain(region: Sequence[Line]) -> list[_Numbered]:
    """The longest run of numbered lines 1, 2, … (a number may repeat), each
    followed by its sub-numbered lines N.1, N.2, … when it has them.

    Returns:
        The numbered lines that open areas or containers, in text order.
    """
    found: list[tuple[int, int, int | None, str, str]] = []
    for index, line in enumerate(region):
        match = _NUMBERED.match(line.text)
        heading = ""
        if match is None:
            bare = _BARE_NUMBER.match(line.text)
            following = next((n for n in region[index + 1 :] if not n.blank), None)
            if bare is None or following is None or not following.key[:1].isupper():
                continue
            found.append((index, int(bare.group(1)), None, bare.group(1), ""))
            continue
        rest = line.text[match.end() :]
        below = next((n.text for n in region[index + 1 :] if not n.blank), "")
        if is_heading_line(rest, below) or heading_kind(rest) != "area":
            heading = rest.strip()
        sub = int(match.group(2)) if match.group(2) else None
        printed = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
        found.append((index, int(match.group(1)), sub, printed, heading))
    top = [f for f in found if f[2] is None]
    best = [0] * len(top)
    previous = [-1] * len(top)
    for j, (_, number, _, _, _) in enumerate(top):
        if number == 1:
            best[j] = 1
        for k in range(j):
            if best[k] and number in (top[k][1], top[k][1] + 1):
                if best[k] + 1 > best[j]:
                    best[j], previous[j] = best[k] + 1, k
    if not best or max(best) < 2:
        return []
    j = max(range(len(top)), key=lambda i: (best[i], -i))
    chain: list[tuple[int, int, int | None, str, str]] = []
    while j >= 0:
        chain.append(top[j])
        j = previous[j]
    chain.reverse()
    if max(number for _, number, _, _, _ in chain) < 2:
        return []
    items: list[_Numbered] = []
    for position, (index, number, _, printed, heading) in enumerate(chain):
        items.append(_Numbered(index, printed, heading))
        stop = chain[position + 1][0] if position + 1 < len(chain) else len(region)
        expected = 1
        for sub_index, sub_number, sub, sub_printed, sub_heading in found:
            if index < sub_index < stop and sub_number == number and sub == expected:
                items.append(_Numbered(sub_index, sub_printed, sub_heading))
                expected += 1
    return items


def _trim_trailing_heading(blocks: Sequence[list[Line]], start: int, stop: int) -> int:
    """Leave a section heading printed just before the next clause out."""
    inside = [b for b in blocks if b[0].start >= start and b[-1].end <= stop]
    if (
        len(inside) >= 2
        and is_heading(inside[-1])
        and not _NUMBERED.match(inside[-1][0].text)
    ):
        return inside[-1][0].start
    return stop


def _units(context: CommitmentContext, region: Sequence[Line]) -> list[Unit]:
    """Bullet items, headings and paragraphs of the clause region.

    A bullet item starting with a capital opens a unit; wrapped lines, and lines
    after a page break that start in lower case, continue it; a bullet starting
    in lower case continues the sentence before it ("genom: • att …"), and so
    does every item of a lead-in list ("Regionen åtar sig att: – …").
    """
    work = context.layout.work
    items_of_leadins = {
        item.start
        for leadin in find_leadins(
            context, region[0].start if region else 0, region[-1].end if region else 0
        )
        for item in leadin.items
    }
    units: list[list] = []  # [start, stop, kind, line count], grown line by line
    gap = True
    ended = True  # the previous line ended a sentence
    for index, line in enumerate(region):
        if line.blank:
            gap = True
            continue
        following = next((n.text for n in region[index + 1 :] if not n.blank), "")
        if (gap or ended) and is_heading_line(line.text, following):
            units.append([line.first, line.last, "heading", 1])
            gap, ended = True, True
            continue
        ended = line.text.rstrip().endswith((".", "!", "?", ":"))
        bullet = BULLET.match(line.text) or ITEM_MARKER.match(line.text)
        offset = bullet.end() if bullet else len(line.text) - len(line.text.lstrip())
        first_char = line.text[offset : offset + 1]
        in_leadin = any(line.start <= s < line.end for s in items_of_leadins)
        if bullet and not in_leadin and (first_char.isupper() or first_char.isdigit()):
            units.append([line.first, line.last, "bullet", 1])
        elif units and (not gap or first_char.islower() or in_leadin):
            units[-1][1] = line.last
            units[-1][3] += 1
        else:
            units.append([line.first, line.last, "paragraph", 1])
        gap = False
    shaped = []
    for start, stop, kind, count in units:
        if kind == "paragraph" and count == 1:
            key = " ".join(work[start:stop].split())
            if is_heading([Line(0, start, stop, key)]):
                kind = "heading"
        shaped.append((start, stop, kind))
    return shaped
