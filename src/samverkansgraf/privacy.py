"""Privacy: recognise and mask personal contact data in text.

The source documents contain contact blocks (e-mail addresses, phone numbers).
They stay untouched in ``data/sources/`` — every offset points into their bytes —
but nothing derived for people to read or for publication may show them. Masking
replaces each character one for one, so offsets computed on the original text stay
valid on the masked text.

One definition, three engines: the patterns are built here from named pieces and
used by Python's ``re`` (this module, the published-output scans), by rdflib's
``REGEX`` (pySHACL) and by Oxigraph's Rust ``regex`` crate (the fast SHACL engine)
through the SPARQL of ``skgsh:NoContactLiteralShape`` in
``shapes/samverkansgraf-shapes.ttl``, whose ``REGEX`` arguments must equal
:data:`SHACL_EMAIL_PATTERN` and :data:`SHACL_PHONE_PATTERN` (``tests/test_privacy.py``
checks it). The Rust crate has no look-around, so the pieces use only classes,
groups, alternation and counted repetition; the boundaries — a phone number is not
part of a longer run of digits — are look-arounds in Python (which keeps adjacent
matches apart) and consuming groups in SPARQL (which only asks *whether* a literal
matches).

Phone numbers follow the Swedish numbering plan (PTS, "Svensk nummerplan"): a
trunk ``0`` or ``+46``/``0046`` (with or without the ``(0)`` or ``0`` that should
be dropped after it), an area code of 1–3 digits after the ``0`` (08 Stockholm,
010–099 two digits, 0120–0980 three; 07X mobile; 020/0200/0771 service numbers),
then a subscriber number that never starts with 0, written compact or in groups.
Separators are a space, a hyphen or dash (spaced or not), a slash, parentheses
around the area code, and a line break anywhere between groups.

What is deliberately *not* contact data and not matched: years and periods
(2019–2022), dates (2019-05-14), SFS numbers (2010:2012), amounts (500 000 kr),
postcodes (791 29) and organisation numbers (212000-2213). An organisation number
identifies a public body or company, is printed on every letter it sends and is in
the public company register: it is public data about an organisation, not personal
contact data, and the graph may carry it. None of these starts with a ``0`` that
follows a non-digit, and a digit run that follows a digit and a date or range
separator (``2019-05-14``, ``14-05-2019``, ``LD17/03997``) is excluded outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "CONTACT_PATTERNS",
    "EMAIL",
    "MASK",
    "PHONE",
    "SHACL_EMAIL_FLAGS",
    "SHACL_EMAIL_PATTERN",
    "SHACL_PHONE_PATTERN",
    "find_contact_data",
    "mask_contact_data",
]

# -- pieces -----------------------------------------------------------------------
# Blank inside a line: space, tab, no-break space (PDF extraction emits U+00A0).
# Non-ASCII characters go into the patterns as themselves, never as a "\u" escape:
# SPARQL expands "\u" escapes before it parses a query (SPARQL 1.1, 19.2).
_BLANK = "[ \\t\u00a0]"
# A line break, with the blanks PDF extraction leaves around it.
_BREAK = rf"{_BLANK}{{0,2}}\r?\n{_BLANK}{{0,2}}"
# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash.
_DASHES = "\\-\u2010\u2011\u2012\u2013"

# -- phone numbers ----------------------------------------------------------------
# "+46 70…", "+46 (0)70…", "+46 070…", "0046 70…": the trunk 0 may or may not be
# dropped after the country code.
_INTERNATIONAL = (
    rf"(?:\+|00)46{_BLANK}{{0,2}}(?:\(0\){_BLANK}{{0,2}}|0)?[1-9][0-9]{{0,2}}"
)
# "070…", "08…", "0225…", and the same in parentheses: "(08) 123 45 67".
_NATIONAL = r"0[1-9][0-9]{0,2}"
_NATIONAL_PARENTHESISED = rf"\(0[1-9][0-9]{{0,2}}\){_BLANK}{{0,2}}"
# Between area code and subscriber number: "-", " - ", "/", " ", a line break, or
# nothing ("0706843481").
_AREA_GAP = (
    rf"(?:{_BLANK}{{0,2}}[{_DASHES}/]{_BLANK}{{0,2}}(?:\r?\n{_BLANK}{{0,2}})?"
    rf"|{_BREAK}|{_BLANK}{{1,2}})?"
)
# Between groups of the subscriber number: one blank, a hyphen, or a line break.
_GROUP_GAP = rf"(?:{_BREAK}|{_BLANK}|[{_DASHES}])"
# The subscriber number never starts with 0 (0 is the trunk prefix): 5–8 digits
# compact, or groups of 2–4 ("684 34 81", "123 456 78", "567 567", "1234 5678").
_SUBSCRIBER = (
    rf"(?:[1-9][0-9]{{1,3}}(?:{_GROUP_GAP}[0-9]{{2,4}}){{1,3}}|[1-9][0-9]{{4,7}})"
)
_PHONE_CORE = (
    rf"(?:{_INTERNATIONAL}|{_NATIONAL}|{_NATIONAL_PARENTHESISED})"
    rf"{_AREA_GAP}{_SUBSCRIBER}"
)
# Not inside a longer run of digits, and not the second half of a date, a range
# or a diary number: "2019-05-14", "14-05-2019", "LD17/03997", "kl. 9.05-10".
_AFTER_DIGIT_SEPARATORS = f"{_DASHES}/.:"

# -- e-mail addresses -------------------------------------------------------------
# Letters include Å, Ä, Ö and the rest of Latin-1: "förnamn.efternamn@…" must be
# masked from its first letter.
_WORD = "[A-Za-z\u00c0-\u00ff0-9_%+\\-]+"
_DOT = rf"(?:\.(?:\r?\n)?|{_BLANK}?[(\[]dot[)\]]{_BLANK}?|{_BLANK}dot{_BLANK})"
_AT = (
    rf"(?:(?:{_BLANK}|\r?\n){{0,2}}@(?:{_BLANK}|\r?\n){{0,2}}"
    rf"|{_BLANK}{{0,2}}[(\[{{<]{_BLANK}?at{_BLANK}?[)\]}}>]{_BLANK}{{0,2}}"
    rf"|{_BLANK}{{0,2}}[(\[]snabel-a[)\]]{_BLANK}{{0,2}}"
    rf"|{_BLANK}(?:at|snabel-a){_BLANK})"
)
_LABEL = r"[A-Za-z0-9\-]+"
_EMAIL_CORE = (
    rf"{_WORD}(?:{_DOT}{_WORD})*{_AT}"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,}}"
)

# -- the patterns -----------------------------------------------------------------
EMAIL = re.compile(_EMAIL_CORE, re.IGNORECASE)
"""E-mail addresses, also written with ``(at)``, ``[at]``, `` at ``, ``snabel-a``,
``(dot)``, ``[dot]``, spaces around ``@`` or a line break inside."""

PHONE = re.compile(
    rf"(?<![0-9])(?<![0-9][{_AFTER_DIGIT_SEPARATORS}]){_PHONE_CORE}(?![0-9])"
)
"""Swedish phone numbers (see the module docstring for the numbering plan)."""

CONTACT_PATTERNS = (EMAIL, PHONE)
"""Every pattern :func:`find_contact_data` applies."""

# EMAIL, tried at every position, retries its first word from every letter of
# every word (~1.7 µs per character of text). _EMAIL_AT_WORD_START starts only
# where a run of local-part characters starts: within a run, a start succeeds
# only if the run's first allowed position does (every separator and every "at"
# begins outside the run, so the word before it is the whole rest of the run).
# finditer's first allowed position is the run's start, or the end of the
# previous address when that ends inside a run ("a@b.se-c@d.se"): there
# _email_spans tries EMAIL itself once. Same spans, ~4x faster.
_WORD_CHARACTER = re.compile(_WORD[:-1], re.IGNORECASE)
_EMAIL_AT_WORD_START = re.compile(rf"(?<!{_WORD[:-1]}){_EMAIL_CORE}", re.IGNORECASE)


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``EMAIL.finditer(text)``, found faster."""
    position = 0
    while True:
        found = None
        if position and _WORD_CHARACTER.match(text, position - 1):
            found = EMAIL.match(text, position)  # right after an address
        if found is None:
            found = _EMAIL_AT_WORD_START.search(text, position)
        if found is None:
            return
        yield found.span()
        position = found.end()


# -- finding addresses quickly, with the same answer --------------------------------
# Even so, scanning every character of every published file made the privacy
# scan of a site (378 MB at 200k triples: 533 s of `publish`'s 721 s) most of its
# time. Three facts decide whether EMAIL.finditer finds anything while scanning
# only a few characters (issue 19, tests/test_privacy.py checks them on real and crafted
# text):
# 1. every match contains a match of _AT, so it contains an anchor of
#    _AT_ANCHOR ("@", "snabel-a", "(at)"-like brackets, " at "); a text
#    without an anchor holds no address;
# 2. a match consists only of _ADDRESS_CHARACTER_CLASS, so it lies inside one maximal
#    run of them, and that run contains the anchor;
# 3. in such a run, if EMAIL matches at all, its leftmost match starts at the
#    run's start or after a character _WORD cannot take (else it could start
#    one character earlier), so _EMAIL_AT_WORD_START finds a match there too.
# Only a text with an address in it is then scanned by EMAIL itself.
_AT_ANCHOR = re.compile(
    rf"@|snabel-a|[(\[{{<]{_BLANK}?at{_BLANK}?[)\]}}>]|{_BLANK}at{_BLANK}",
    re.IGNORECASE,
)
_ADDRESS_CHARACTER_CLASS = "A-Za-z\u00c0-\u00ff0-9_%+\\-.()\\[\\]{}<>@\r\n \t\u00a0"
_ADDRESS_RUN_END = re.compile(f"[{_ADDRESS_CHARACTER_CLASS}]*", re.IGNORECASE)
_ADDRESS_RUN_START = re.compile(f"[^{_ADDRESS_CHARACTER_CLASS}]", re.IGNORECASE)


# Where an anchor other than "@" can begin, found by patterns with a literal
# first character (which re searches for in C): the "-a" of "snabel-a" after an
# "l", and an "at" (in any case) between an opening bracket or blank and a
# closing bracket or blank — a condition every "at" anchor meets. "at" alone
# is in every other word of a page's markup.
# An "@" stands in an address only as its at-sign, right after a word's last
# character or a blank or line break (``_AT``): one after anything else (the
# quote of JSON-LD's "@id", a Turtle language tag's "@sv") is no anchor. Found
# with the literal "@" first, the look-behind tried only there, with EMAIL's own
# character class and flags (so "ſ" and "K" count as letters, as in EMAIL).
_AT_SIGN = re.compile(f"@(?<=[{_WORD[1:-2]} \t\u00a0\r\n]@)", re.IGNORECASE)
_OPEN, _CLOSE = "(\\[{< \t\u00a0", ")\\]}> \t\u00a0"
_ANCHOR_HINTS = (
    (re.compile("-[aA](?<=[lL]-[aA])"), (6,)),
    *(
        (re.compile(f"{at}(?<=[{_OPEN}]{at})(?=[{_CLOSE}])"), (1, 2))
        for at in ("at", "aT", "At", "AT")
    ),
)


def _anchors(text: str) -> Iterator[re.Match[str]]:
    """Every match of ``_AT_ANCHOR`` in ``text`` (overlapping ones too), in order.

    Why not ``finditer``: the pattern, case-insensitive and without a literal
    prefix, is tried at every position (4 s per 100 MB). Every anchor begins at
    an "@" that can be an at-sign (``_AT_SIGN``: a JSON-LD alternate has
    hundreds that cannot), six characters before the "-a" of "snabel-a" (its
    "s" may be an "ſ"), or one or two before an "at" (``_ANCHOR_HINTS``); those
    are found in C, and the pattern is tried there only. Extra overlapping
    anchors change nothing: each lies inside the run of its neighbour, which
    ``_may_hold_address`` searches once.
    """
    starts = {sign.start() for sign in _AT_SIGN.finditer(text)}
    for hint, before in _ANCHOR_HINTS:
        for hinted in hint.finditer(text):
            at = hinted.start()
            starts.update(at - back for back in before if at >= back)
    for start in sorted(starts):
        match = _AT_ANCHOR.match(text, start)
        if match is not None:
            yield match


def _may_hold_address(text: str) -> bool:
    """Whether ``EMAIL`` can match somewhere in ``text`` (exact: False only
    when it matches nowhere; see the comment above)."""
    checked_to = 0
    for anchor in _anchors(text):
        if anchor.start() < checked_to:
            continue  # inside a run already searched
        start, window = anchor.start(), 256
        # Mostly the anchor begins its run ('"text"@sv', '"@id"'): the character
        # before it cannot be in one. Otherwise search back for the run's start.
        while start and not _ADDRESS_RUN_START.match(text, start - 1):
            lower = max(0, start - window)
            last = None
            for last in _ADDRESS_RUN_START.finditer(text, lower, start):  # noqa: B007
                continue
            if last is not None:
                start = last.end()
                break
            if lower == 0:
                start = 0
                break
            start, window = lower, window * 4
        run = _ADDRESS_RUN_END.match(text, anchor.start())  # ``*``: always
        end = run.end() if run else anchor.end()
        if _EMAIL_AT_WORD_START.search(text, start, end):
            return True
        checked_to = end
    return False


# PHONE tried at every position costs ~0.07 µs per character (7 s for the 100 MB
# Turtle dump at national scale). Every match starts with "+", "(" or a "0" that
# follows no digit (the look-behind of PHONE). _PHONE_STARTS find those places
# with a literal first character, which re searches for in C (a character class
# first, or a look-behind, is tried position by position: 4 s instead of 0.3 s),
# and PHONE is tried only there — the leftmost match from each position, as
# finditer finds it.
_PHONE_STARTS = (re.compile(r"\+"), re.compile(r"\("), re.compile(r"0(?<![0-9]0)"))


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``PHONE.finditer(text)``, found faster."""
    starts = sorted(m.start() for p in _PHONE_STARTS for m in p.finditer(text))
    position = 0
    for start in starts:
        if start < position:
            continue  # inside the number found last
        found = PHONE.match(text, start)
        if found is not None:
            yield found.span()
            position = found.end()


MASK = "█"
"""The character that replaces each character of contact data."""

SHACL_EMAIL_PATTERN = _EMAIL_CORE
"""The ``REGEX`` pattern for e-mail addresses in the privacy shape (with flags
:data:`SHACL_EMAIL_FLAGS`); a SPARQL REGEX only asks whether a literal matches."""

SHACL_EMAIL_FLAGS = "i"
"""SPARQL ``REGEX`` flags for :data:`SHACL_EMAIL_PATTERN` (``re.IGNORECASE``)."""

SHACL_PHONE_PATTERN = (
    rf"(?:^|[^0-9{_AFTER_DIGIT_SEPARATORS}]|(?:^|[^0-9])[{_AFTER_DIGIT_SEPARATORS}])"
    rf"{_PHONE_CORE}(?:[^0-9]|$)"
)
"""The ``REGEX`` pattern for phone numbers in the privacy shape: :data:`PHONE` with
its look-arounds spelled as consuming groups, which Oxigraph's regex engine accepts.
"""


def find_contact_data(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that look like e-mail addresses or Swedish phone numbers.

    Overlapping spans (an e-mail and a phone number sharing characters) are merged.

    Example:
        >>> find_contact_data("Ring 070-684 34 81 eller 2019-10-29.")
        [(5, 18)]
        >>> find_contact_data("+46 70 684 34 81, erik(at)ltdalarna(dot)se")
        [(0, 16), (18, 42)]
    """
    emails = _email_spans(text) if _may_hold_address(text) else iter(())
    spans = sorted([*emails, *_phone_spans(text)])
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_contact_data(text: str, mask: str = MASK) -> str:
    """Replace every character of contact data by ``mask``, keeping the length.

    The whole match is masked, the local part of an address from its first letter.
    Line breaks inside a match are kept so that line numbers stay valid too.

    Example:
        >>> mask_contact_data("a: x.y@ltdalarna.se, org.nr 232100-0180")
        'a: ████████████████, org.nr 232100-0180'
    """
    chars = list(text)
    for start, end in find_contact_data(text):
        for index in range(start, end):
            if chars[index] not in "\r\n":
                chars[index] = mask
    return "".join(chars)
