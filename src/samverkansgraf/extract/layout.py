"""Extraction, step 2 — layout: lines, blocks and page furniture.

Input: the decoded text. Output: a ``PageLayout``: the text's lines and blank-line
blocks, the blocks set aside (repeated page headers and footers, contact blocks,
tables of contents, page numbers, the signature area) as ``SkippedBlock``s, and a
working copy of the text with those blocks and all contact data blanked out. The
working copy keeps every offset (line breaks stay), so every later step reads it
and every span found is a span of the original text; ``cut_spans`` turns a range
into evidence spans that never quote the blanked parts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..evidence import Span
from ..privacy import find_contact_data
from .results import SkippedBlock

__all__ = [
    "BULLET",
    "HEADING_MAX",
    "ITEM_MARKER",
    "LIST_MARKER",
    "MONTHS",
    "PLACE_AND_DATE",
    "Line",
    "PageLayout",
    "cut_spans",
    "is_contact_block",
    "is_heading",
    "is_heading_line",
    "read_layout",
    "split_blocks",
    "split_lines",
]

BULLET = re.compile(r"^[ \t]*([•·▪‣◦●○■□\u2022\uf0b7*–—-])[ \t]+(?=\S)")
"""A bullet opening a line."""
LIST_MARKER = re.compile(
    r"^\s*(?:(?:§\s*)?\d{1,2}(?:\.\d{1,2})?[.)]?|[a-zåäö]\)|[•·▪‣◦●○■□\uf0b7*–—-])\s+"
)
"""A list number ("3", "3.", "4.1", "§ 3"), letter ("a)") or bullet opening a line."""
ITEM_MARKER = re.compile(r"^[ \t]*(?:[•·▪‣◦●○■□\uf0b7*–—-]|[a-zåäö]\))[ \t]+(?=\S)")
"""A list item's bullet, dash or letter ("a)") opening a line."""
HEADING_MAX = 80
"""The longest line (in characters) taken for a heading or a page header."""

_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:sida|sid\.?|page)\s*\d{1,3}(?:\s*(?:av|/|of)\s*\d{1,3})?"
    r"|\d{1,3}\s*(?:\(\s*\d{1,3}\s*\)|(?:av|/)\s*\d{1,3}))\s*$"
    # A running footer that ends in the page number ("Region X – Y kommun  Sida 1
    # av 2"): short, and the number is "N av M", so body text never ends so.
    r"|^.{0,100}\S\s+(?:sida|sid\.?|page)\s*\d{1,3}\s*(?:av|/|of)\s*\d{1,3}\s*$",
    re.IGNORECASE,
)
_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,})\s*\d{1,3}\s*$")
_URL = re.compile(r"(?:www\.|https?://)\S+", re.IGNORECASE)
_POSTCODE = re.compile(r"(?<!\d)\d{3} ?\d{2}[ \t]+[A-ZÅÄÖ][a-zåäö]+")
_ADDRESS_WORDS = re.compile(
    r"^\s*(?:box \d+|postadress|besöksadress|telefon|tel\.?|fax|e-?post|"
    r"org\.? ?nr|organisationsnummer|kontakt|handläggare)\b",
    re.IGNORECASE,
)
MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober "
    "november december"
).split()
"""Swedish month names, in order."""
_PLACE = r"[A-ZÅÄÖ][\wåäöé-]+(?: [A-ZÅÄÖ][\wåäöé-]+)?"
_DATE_WORDS = (
    r"(?:\d{4}-\d{2}-\d{2}|(?:den )?\d{1,2}:?e? (?:"
    + "|".join(MONTHS)
    + r") \d{4}|i (?:"
    + "|".join(MONTHS)
    + r") \d{4})"
)
_PLACE_DATE = rf"{_PLACE}(?: (?:och|&) {_PLACE})?,? (?:den )?{_DATE_WORDS}"
PLACE_AND_DATE = re.compile(
    rf"(?P<place>{_PLACE}(?: (?:och|&) {_PLACE})?),? (?:den )?(?P<date>{_DATE_WORDS})"
)
"""A place-and-date line of the signature area ("Falkenberg den 3 maj 2022",
"Falun 2019-10-09", "Uppsala och Enköping i mars 2021")."""
_SIGNATURE_START = re.compile(
    r"^\s*(?:\d{1,2}\.?\s+|§\s*\d{1,2}\s+)?(?i:ort och datum|underskrift(?:er)?|"
    r"namnteckning|namnförtydligande)\s*$"
    # One place-and-date per column: "Uppsala 2021-02-01<TAB>Enköping 2021-02-03".
    rf"|^\s*{_PLACE_DATE}(?:(?:\t|[ ]{{2,}})\s*{_PLACE_DATE})?\s*$"
    # Two columns naming the parties: "För Region X      För Y kommun".
    r"|^\s*För [A-ZÅÄÖ][^\t]*?(?:\t|[ ]{2,})\s*För [A-ZÅÄÖ].*$",
)

Interval = tuple[int, int]


@dataclass(frozen=True)
class Line:
    """One line of the text (without its line break)."""

    index: int
    """0-based line number."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset after its last character (before the line break)."""
    text: str
    """The line as printed."""

    @property
    def key(self) -> str:
        """The line with whitespace collapsed: what repeated lines are compared by."""
        return " ".join(self.text.split())

    @property
    def blank(self) -> bool:
        """True for a line of whitespace only."""
        return not self.text.strip()

    @property
    def first(self) -> int:
        """Offset of the first non-blank character."""
        return self.start + (len(self.text) - len(self.text.lstrip()))

    @property
    def last(self) -> int:
        """Offset after the last non-blank character."""
        return self.start + len(self.text.rstrip())


def split_lines(text: str) -> list[Line]:
    """The lines of ``text`` with their offsets ("\\r\\n" and "\\n" alike)."""
    lines = []
    offset = 0
    for index, raw in enumerate(text.splitlines(keepends=True)):
        body = raw.rstrip("\r\n")
        lines.append(Line(index, offset, offset + len(body), body))
        offset += len(raw)
    return lines


def split_blocks(lines: Sequence[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.blank:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def is_contact_block(block: Sequence[Line]) -> bool:
    """A short block of short lines with phone, e-mail, URL or postal address."""
    if len(block) > 8 or any(len(line.key) > 100 for line in block):
        return False
    text = "\n".join(line.text for line in block)
    return bool(
        find_contact_data(text)
        or _URL.search(text)
        or _POSTCODE.search(text)
        or any(_ADDRESS_WORDS.match(line.text) for line in block)
    )


def is_heading_line(text: str, following: str) -> bool:
    """A short capitalised line printed right above a paragraph ("Barn och unga")."""
    key = " ".join(LIST_MARKER.sub("", text, count=1).split()).strip("#* ")
    return (
        0 < len(key) <= 60
        and len(key.split()) <= 8
        and key[:1].isupper()
        and not key.endswith((".", ",", ";", "!", "?"))
        and not BULLET.match(text)
        and following.lstrip()[:1].isupper()
    )


def is_heading(block: Sequence[Line]) -> bool:
    """A block of one short capitalised line without a closing full stop."""
    if len(block) != 1:
        return False
    key = block[0].key.lstrip("#* ").rstrip("*")
    return (
        0 < len(key) <= HEADING_MAX
        and key[:1].isupper()
        and not key.endswith((".", ",", ";"))
        and not BULLET.match(block[0].text)
        and len(key.split()) <= 10
    )


def cut_spans(
    text: str, start: int, end: int, blanked: Sequence[Interval]
) -> list[Span]:
    """``text[start:end]`` minus the blanked intervals, each piece trimmed.

    A fact whose words run across a page header becomes two spans, so evidence
    never quotes page furniture or contact data.
    """
    pieces = [(start, end)]
    for b_start, b_end in blanked:
        if b_end <= start or b_start >= end:
            continue
        next_pieces = []
        for p_start, p_end in pieces:
            if b_end <= p_start or b_start >= p_end:
                next_pieces.append((p_start, p_end))
                continue
            if p_start < b_start:
                next_pieces.append((p_start, b_start))
            if b_end < p_end:
                next_pieces.append((b_end, p_end))
        pieces = next_pieces
    spans = []
    for p_start, p_end in pieces:
        chunk = text[p_start:p_end]
        left = len(chunk) - len(chunk.lstrip())
        right = len(chunk.rstrip())
        if right > left:
            spans.append(Span(p_start + left, p_start + right, chunk[left:right]))
    return spans


@dataclass
class PageLayout:
    """The text's layout, with page furniture and contact data set aside."""

    text: str
    """The decoded text; every offset points into it."""
    work: str
    """``text`` with skipped blocks and contact data replaced by spaces (offsets
    and line breaks unchanged): what every later step reads."""
    blanked: list[Interval]
    """The blanked-out intervals, sorted (never quoted as evidence)."""
    skipped: list[SkippedBlock]
    """The blocks set aside before the signature area, in text order."""
    signature: int | None
    """Offset where the signature area begins, if one was found."""
    lines: list[Line]
    """The lines of ``work``."""
    blocks: list[list[Line]]
    """The blank-line blocks of ``work``."""

    def end_of_body(self) -> int:
        """Where the body ends: the signature area, else the end of the text."""
        return self.signature if self.signature is not None else len(self.text)


def read_layout(text: str) -> PageLayout:
    """Find the page furniture and the signature area, and blank them out.

    Args:
        text: the decoded text.

    Returns:
        The layout (see ``PageLayout``).

    Example:
        >>> layout = read_layout("Avtal\\n\\nTel 023-123 45\\n\\nText.\\n")
        >>> [block.reason for block in layout.skipped]
        ['contact']
    """
    lines = split_lines(text)
    skipped: list[SkippedBlock] = []
    blanked: list[Interval] = []
    for block, reason in _find_furniture(lines):
        start, end = block[0].first, block[-1].last
        if end <= start:
            continue
        skipped.append(SkippedBlock(start, end, block[0].index + 1, reason))
        blanked.append((block[0].start, block[-1].end))
    signature = _find_signature(text, lines, blanked)
    if signature is not None:
        blanked.append((signature.start, len(text)))
    blanked.extend(find_contact_data(text))
    work = _blank_out(text, blanked)
    blanked.sort()
    work_lines = split_lines(work)
    return PageLayout(
        text=text,
        work=work,
        blanked=blanked,
        skipped=[
            block
            for block in skipped
            if signature is None or block.start < signature.first
        ],
        signature=signature.first if signature is not None else None,
        lines=work_lines,
        blocks=split_blocks(work_lines),
    )


def _find_furniture(lines: Sequence[Line]) -> list[tuple[list[Line], str]]:
    """Repeated page headers/footers, contact blocks, TOC and page numbers.

    Returns:
        The passages to skip with their reasons ("repeated+contact" when
        neighbouring blocks, only blank lines between, were skipped for both).
    """
    blocks = split_blocks(lines)

    def short(block: Sequence[Line]) -> bool:
        return all(len(line.key) <= HEADING_MAX for line in block)

    block_counts = Counter(
        "\n".join(line.key for line in block) for block in blocks if short(block)
    )
    line_counts = Counter(
        line.key for line in lines if not line.blank and len(line.key) <= 60
    )
    marks: list[tuple[list[Line], str]] = []
    for block in blocks:
        key = "\n".join(line.key for line in block)
        if short(block) and block_counts[key] >= 2:
            marks.append((block, "repeated"))
        elif is_contact_block(block):
            marks.append((block, "contact"))
        elif all(_TOC_LINE.search(line.text) for line in block):
            marks.append((block, "toc"))
        else:
            for line in block:
                if line_counts[line.key] >= 3:
                    marks.append(([line], "repeated-line"))
                elif _PAGE_NUMBER.match(line.text):
                    marks.append(([line], "page-number"))
                elif _TOC_LINE.search(line.text):
                    marks.append(([line], "toc"))
    # Neighbouring skipped blocks (only blank lines between) form one passage.
    merged: list[tuple[list[Line], set[str]]] = []
    for block, reason in marks:
        if merged:
            previous = merged[-1][0][-1]
            between = lines[previous.index + 1 : block[0].index]
            if all(line.blank for line in between):
                merged[-1][0].extend(block)
                merged[-1][1].add(reason)
                continue
        merged.append((list(block), {reason}))
    return [(block, "+".join(sorted(reasons))) for block, reasons in merged]


def _find_signature(
    text: str, lines: Sequence[Line], blanked: Sequence[Interval]
) -> Line | None:
    """The line where the signature area begins (in the latter half), if any."""
    half = len(text) // 2
    for line in lines:
        if line.start < half or line.blank:
            continue
        if any(start <= line.first < end for start, end in blanked):
            continue
        if _SIGNATURE_START.match(line.text):
            return line
    return None


def _blank_out(text: str, blanked: Sequence[Interval]) -> str:
    """``text`` with the ``blanked`` intervals replaced by spaces (line breaks kept)."""
    chars = list(text)
    for start, end in blanked:
        for index in range(start, min(end, len(chars))):
            if chars[index] not in "\r\n":
                chars[index] = " "
    return "".join(chars)
