"""Quote search without regexes finds exactly what the whitespace-normalised regex
finds (issue #9: compiling one regex per quote dominated national-scale builds)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from samverkansgraf.evidence import _pattern, _spans

ALPHABET = st.sampled_from(list("ab .\n\t\u00a0\u2028x-"))


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(ALPHABET, max_size=60),
    quote=st.text(ALPHABET, min_size=1, max_size=8).filter(lambda q: q.split()),
    start=st.integers(0, 60),
    length=st.integers(0, 60),
)
def test_spans_equal_regex_finditer(
    text: str, quote: str, start: int, length: int
) -> None:
    start = min(start, len(text))
    end = min(len(text), start + length)
    expected = [m.span() for m in _pattern(quote).finditer(text, start, end)]
    assert _spans(text, quote, (start, end)) == expected
