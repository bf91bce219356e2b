"""Extraction, step 1 — decoding and tokens.

Input: the bytes of a source file, then its decoded text. Output: the text with
the encoding used (and a warning when it was not UTF-8), and word tokens with
their character offsets, which every later step (layout, gazetteer, lexicons,
sentences) works on. Offsets are code points of the decoded text, the same
offsets the evidence of the draft records.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "NAME_GAP",
    "WORD",
    "Token",
    "compact",
    "decode_source",
    "joined_word_tokens",
    "word_tokens",
]

WORD = re.compile(r"[^\W_]+")
"""A word: a run of letters and digits."""

NAME_GAP = re.compile(r"^[\s\-–—‐‑'’]*$")
"""What may stand between the words of one name: spaces, line breaks, hyphens."""

# A word broken at a line end with a hyphen ("Kommu-\nnen").
_SOFT_BREAK = re.compile(r"-[ \t]*\r?\n[ \t]*")


def decode_source(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a source file's bytes, falling back with a warning.

    UTF-8 is expected (as ``data/sources`` requires). Other input is decoded as
    UTF-16 (with a byte-order mark), cp1252 or Latin-1, in that order, and a
    warning says so: code-point offsets stay valid after converting the file to
    UTF-8 (``iconv -f cp1252 -t utf-8``), since conversion keeps every character.

    Args:
        data: the file's bytes.

    Returns:
        The text, the encoding used and the warnings.

    Example:
        >>> decode_source("Å".encode("cp1252"))[:2]
        ('Å', 'cp1252')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a byte-order mark but no valid UTF-16: try the others
        else:
            return (
                text,
                "utf-16",
                [
                    "the file is UTF-16, not UTF-8: decoded as UTF-16; convert it "
                    "to UTF-8 before adding it to data/sources/ (offsets stay valid)"
                ],
            )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        reason = f"byte 0x{data[exc.start]:02x} on line {line}"
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (
            text,
            encoding,
            [
                f"the file is not UTF-8 ({reason}): decoded as {encoding}; check "
                f"the letters å, ä, ö in the draft, and convert the file with "
                f"`iconv -f {encoding} -t utf-8` before adding it to data/sources/ "
                "(the offsets stay valid)"
            ],
        )
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


@dataclass(frozen=True)
class Token:
    """A word of the text and where it is."""

    start: int
    """Offset of its first character."""
    end: int
    """Offset after its last character."""
    text: str
    """The word as printed."""


def word_tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]``, with offsets into ``text``.

    Example:
        >>> [t.text for t in word_tokens("Region Dalarna, 2019")]
        ['Region', 'Dalarna', '2019']
    """
    end = len(text) if end is None else end
    return [
        Token(m.start(), m.end(), m.group(0)) for m in WORD.finditer(text, start, end)
    ]


def joined_word_tokens(
    text: str, start: int = 0, end: int | None = None
) -> list[Token]:
    """Tokens with words broken at a line end rejoined ("Kommu-\\nnen").

    Example:
        >>> [t.text for t in joined_word_tokens("Kommu-\\nnen ska")]
        ['Kommunen', 'ska']
    """
    joined: list[Token] = []
    for token in word_tokens(text, start, end):
        if (
            joined
            and token.text[:1].islower()
            and _SOFT_BREAK.fullmatch(text[joined[-1].end : token.start])
        ):
            previous = joined.pop()
            token = Token(previous.start, token.end, previous.text + token.text)
        joined.append(token)
    return joined


def compact(text: str) -> str:
    """Case-folded letters and digits only: the key names are compared by.

    Example:
        >>> compact("Dalarna - Sveriges\\nläns-kulturen")
        'dalarnasverigeslänskulturen'
    """
    return "".join(
        m.group(0) for m in WORD.finditer(unicodedata.normalize("NFC", text))
    ).casefold()
