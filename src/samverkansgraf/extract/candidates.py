"""Extraction, step 7 — unknown names: capitalised names the gazetteer lacks.

Input: the ``PageLayout``, the ``Gazetteer``, the place names and a range of the
text. Output: ``Candidate``s (maybe new actors, for the curator to add to
``data/reference/``) with where each first occurs and how often, and every
occurrence's offset (to list a clause's unknown names).

Swedish capitalises proper nouns only, so a capital inside a sentence marks a
name; a capital opening a sentence counts only when more capitals follow or the
word is an acronym ("PRO", "MEKEN").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set

from .gazetteer import NameIndex
from .layout import PageLayout
from .results import Candidate
from .sentences import PARTY_REFERENCES, sentence_ranges
from .text import NAME_GAP, word_tokens

__all__ = ["find_candidates"]

# What may open a sentence before its first word and still make it the opener.
_OPENERS = ("*", '"', "«", "(", ":", "–", "-")


def find_candidates(
    layout: PageLayout,
    gazetteer: NameIndex,
    places: Set[str],
    start: int,
    end: int,
) -> tuple[list[Candidate], dict[str, list[int]]]:
    """Capitalised names in ``work[start:end]`` the gazetteer does not know.

    Args:
        layout: the text and its working copy.
        gazetteer: the known names.
        places: place names that are not actors ("Dalarnas", "Sverige").
        start: where the range begins.
        end: where it ends.

    Returns:
        The candidates in order of first occurrence, and each name's offsets.
    """
    work = layout.work
    offsets: dict[str, list[int]] = defaultdict(list)
    for sentence_start, sentence_end in sentence_ranges(work, start, end):
        tokens = word_tokens(work, sentence_start, sentence_end)
        known = {
            i
            for mention in gazetteer.find(work, sentence_start, sentence_end)
            for i, t in enumerate(tokens)
            if mention.start <= t.start < mention.end
        }
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if not _name_like(token.text) or index in known:
                index += 1
                continue
            run = [index]
            while (
                run[-1] + 1 < len(tokens)
                and run[-1] + 1 not in known
                and _name_like(tokens[run[-1] + 1].text)
                and _same_name(work[tokens[run[-1]].end : tokens[run[-1] + 1].start])
            ):
                run.append(run[-1] + 1)
            opener = work[tokens[index - 1].end : token.start] if index else ""
            at_start = (
                all(t.text.isdigit() for t in tokens[:index])
                or opener.strip() in _OPENERS
                or any(mark in opener for mark in ("\t", "|", "  "))  # a cell's
            )
            index = run[-1] + 1
            if at_start and not tokens[run[0]].text.isupper():
                run = run[1:]  # a capital that only opens the sentence
            words = [tokens[i].text for i in run]
            if not run or all(w in places for w in words):
                continue
            if words[0].casefold() in PARTY_REFERENCES:
                continue
            name = " ".join(work[tokens[run[0]].start : tokens[run[-1]].end].split())
            offsets[name].append(tokens[run[0]].start)
    candidates = sorted(
        (
            Candidate(
                name,
                found_at[0],
                layout.text.count("\n", 0, found_at[0]) + 1,
                len(found_at),
            )
            for name, found_at in offsets.items()
        ),
        key=lambda c: c.start,
    )
    return candidates, dict(offsets)


def _same_name(gap: str) -> bool:
    """Whether two words with ``gap`` between may belong to one name: spaces, a
    line break or a hyphen, but never a tab, a pipe or a run of spaces (table
    cells)."""
    return bool(NAME_GAP.match(gap)) and "\t" not in gap and "  " not in gap


def _name_like(word: str) -> bool:
    """A capitalised word of two letters or more, not a number or Roman numeral."""
    return (
        len(word) >= 2
        and word[:1].isupper()
        and not any(ch.isdigit() for ch in word)
        and not re.fullmatch(r"[IVXLC]+", word)
    )
