"""Extraction, step 4 — segmentation: the clause region cut into clauses.

Input: the ``PageLayout``, the clause region (after "… har kommit överens om
följande områden", before the signatures) and a ``CommitmentContext``. Output:
``DraftClause``s with their commitments, tried in this order: numbered ("1 ",
"6." — a number may be printed twice), bulleted ("•", "-", starting with a
capital), headed, or as a last resort paragraphs with a commitment; headings and
paragraphs that are not clauses are kept as context for the review list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..privacy import mask_contact_data
from .commitments import CommitmentContext, read_commitments
from .layout import BULLET, Line, cut_spans, is_heading, is_heading_line
from .results import DraftClause, ExtractionResult

__all__ = ["find_clauses"]

_NUMBERED = re.compile(r"^[ \t]*(\d{1,2})([.)])?[ \t]+(?=[A-ZÅÄÖÉÜ\"«(])")
_BARE_NUMBER = re.compile(r"^[ \t]*(\d{1,2})[.)]?[ \t]*$")

# (start, end, kind) of a bullet item, heading or paragraph of the clause region.
Unit = tuple[int, int, str]


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
    chain = _numbered_chain(region)
    ranges: list[tuple[int, int, str | None, str]] = []
    if chain:
        for index, (line_index, number) in enumerate(chain):
            first = region[line_index].first
            stop = region[chain[index + 1][0]].start if index + 1 < len(chain) else end
            stop = _trim_trailing_heading(layout.blocks, first, stop)
            ranges.append((first, stop, number, "numbered"))
    else:
        units = _units(layout.work, region)
        bullets = [u for u in units if u[2] == "bullet"]
        headings = [u for u in units if u[2] == "heading"]
        if len(bullets) >= 2:
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
        open_heading: list[int] | None = None
        for unit_start, unit_end, kind in units:
            if mode == "headed" and kind == "heading":
                if open_heading is not None:
                    ranges.append((open_heading[0], open_heading[1], None, "headed"))
                open_heading = [unit_start, unit_end]
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
        if open_heading is not None:
            ranges.append((open_heading[0], open_heading[1], None, "headed"))
    clauses: list[DraftClause] = []
    for clause_start, clause_stop, printed, kind in sorted(ranges):
        spans = cut_spans(layout.text, clause_start, clause_stop, layout.blanked)
        if not spans:
            continue
        clause = DraftClause(len(clauses) + 1, printed, spans, kind)
        clause.commitments = read_commitments(context, spans[0].start, spans[-1].end)
        clauses.append(clause)
    return clauses


def _context_entry(text: str, start: int, end: int, kind: str) -> tuple[int, str]:
    """(line, "kind: masked text") of a non-clause block, for the review list."""
    masked = " ".join(mask_contact_data(text[start:end]).split())
    return text.count("\n", 0, start) + 1, f"{kind}: {masked}"


def _numbered_chain(region: Sequence[Line]) -> list[tuple[int, str]]:
    """The longest run of numbered lines 1, 2, … (a number may repeat).

    Returns:
        (index into ``region``, number as printed) of each clause's first line.
    """
    found: list[tuple[int, int, str]] = []
    for index, line in enumerate(region):
        match = _NUMBERED.match(line.text)
        if match is None:
            bare = _BARE_NUMBER.match(line.text)
            following = next((n for n in region[index + 1 :] if not n.blank), None)
            if bare is None or following is None or not following.key[:1].isupper():
                continue
            match = bare
        found.append((index, int(match.group(1)), match.group(1)))
    best = [0] * len(found)
    previous = [-1] * len(found)
    for j, (_, number, _) in enumerate(found):
        if number == 1:
            best[j] = 1
        for k in range(j):
            if best[k] and number in (found[k][1], found[k][1] + 1):
                if best[k] + 1 > best[j]:
                    best[j], previous[j] = best[k] + 1, k
    if not best or max(best) < 2:
        return []
    j = max(range(len(found)), key=lambda i: (best[i], -i))
    chain = []
    while j >= 0:
        chain.append((found[j][0], found[j][2]))
        j = previous[j]
    chain.reverse()
    if max(int(number) for _, number in chain) < 2:
        return []
    return chain


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


def _units(work: str, region: Sequence[Line]) -> list[Unit]:
    """Bullet items, headings and paragraphs of the clause region.

    A bullet item starting with a capital opens a unit; wrapped lines, and lines
    after a page break that start in lower case, continue it; a bullet starting
    in lower case continues the sentence before it ("genom: • att …").
    """
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
        bullet = BULLET.match(line.text)
        offset = bullet.end() if bullet else len(line.text) - len(line.text.lstrip())
        first_char = line.text[offset : offset + 1]
        if bullet and (first_char.isupper() or first_char.isdigit()):
            units.append([line.first, line.last, "bullet", 1])
        elif units and (not gap or first_char.islower()):
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
