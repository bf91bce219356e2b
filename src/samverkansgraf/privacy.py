"""Privacy: recognise and mask personal contact data in text.

The source documents contain contact blocks (e-mail addresses, phone numbers).
They stay untouched in ``data/sources/`` — every offset points into their bytes —
but nothing derived for people to read or for publication may show them. Masking
replaces each character one for one, so offsets computed on the original text stay
valid on the masked text.
"""

from __future__ import annotations

import re

__all__ = ["CONTACT_PATTERNS", "find_contact_data", "mask_contact_data"]

# The same patterns as the SHACL shape skgsh:NoContactLiteralShape.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(
    r"(?<![0-9])(?:\+46|0)[0-9]{1,3}[- /]?[0-9]{2,3}(?: ?[0-9]{2}){2}(?![0-9])"
)
CONTACT_PATTERNS = (EMAIL, PHONE)
MASK = "█"


def find_contact_data(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that look like e-mail addresses or Swedish phone numbers.

    Example:
        >>> find_contact_data("Ring 070-684 34 81 eller 2019-10-29.")
        [(5, 18)]
    """
    spans = {(m.start(), m.end()) for p in CONTACT_PATTERNS for m in p.finditer(text)}
    return sorted(spans)


def mask_contact_data(text: str, mask: str = MASK) -> str:
    """Replace every character of contact data by ``mask``, keeping the length.

    Line breaks inside a match are kept so that line numbers stay valid too.

    Example:
        >>> mask_contact_data("a: x.y@ltdalarna.se, org.nr 232100-0180")
        'a: ████████████████, org.nr 232100-0180'
    """
    chars = list(text)
    for start, end in find_contact_data(text):
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = mask
    return "".join(chars)
