"""Stage 2 — evidence: tie every fact to the exact words of its source.

Input: a curated document graph in which curators wrote, on each clause, commitment,
activity or statement, the verbatim words it rests on (``skg:quote``, or
``skg:quoteStartsWith`` + ``skg:quoteEndsWith`` for long passages), and the decoded
source text. Output: the same graph with those shorthands replaced by the evidence
pattern of MODEL.md (``skg:evidence`` → ``oa:SpecificResource`` with an
``oa:TextQuoteSelector`` and an ``oa:TextPositionSelector``), for which
``text[start:end] == exact`` holds, or an ``EvidenceError`` naming the curated file,
line and resource with a short diff.

How quotes survive line wraps: a quote is matched with its whitespace normalised —
every run of whitespace in the quote matches any run of whitespace (spaces, line
breaks, no-break spaces) in the source — but the evidence records the *original*
span, so ``oa:exact`` keeps the source's own line breaks. Every other character,
including OCR damage and broken words ("verksam heter", "lcorns"), must be quoted
as printed. A commitment's quote is looked up inside its clause's span
(``skg:inClause``), which disambiguates sentences that recur across clauses;
``skg:occurrence n`` picks the n-th match where a quote still occurs twice.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from .errors import EvidenceError
from .namespaces import OA, SKG
from .privacy import MASK, mask_contact_data
from .sources import find_line

__all__ = [
    "EvidenceIndex",
    "EvidenceRecord",
    "TripleLookup",
    "document_evidence",
    "read_evidence",
    "add_evidence",
    "add_location",
    "find_all_quotes",
    "QuoteError",
    "Span",
    "check_evidence",
    "find_quote",
    "find_span",
    "first_quotes",
    "resolve_evidence",
    "quote_context",
]

# A fact's quote is searched inside the span of the fact it is part of.
PARENT_PROPERTIES = (SKG.inClause,)
_SHORTHANDS = (
    SKG.quote,
    SKG.quoteStartsWith,
    SKG.quoteEndsWith,
    SKG.occurrence,
    SKG.allOccurrences,
)


@dataclass(frozen=True)
class Span:
    """A character span of a source text (0-based code points, end exclusive)."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset just after the last character."""
    exact: str
    """``text[start:end]``."""


class QuoteError(ValueError):
    """A quote that is not found, or found more than once, in its search area."""


def _pattern(quote: str) -> re.Pattern[str]:
    """Regex matching ``quote`` with any whitespace run for each whitespace run."""
    tokens = quote.split()
    if not tokens:
        raise QuoteError("the quote is empty")
    return re.compile(r"\s+".join(re.escape(token) for token in tokens))


_WHITESPACE = re.compile(r"\s+")


_LONG_WHITESPACE = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class _NormalisedText:
    """A text with every whitespace run collapsed to one space (``text``), and
    how its offsets map back to the original's.

    Only runs of two or more characters shift offsets (a single newline or tab
    becomes a single space), so the map keeps one breakpoint per such run
    rather than one offset per character: at national scale that made
    normalising each source text a tenth of a document's build (#19).
    """

    text: str
    """The normalised text."""
    starts: array[int]
    """Per long run, in order: the normalised offset just after its space."""
    dropped: array[int]
    """Per long run: the characters dropped up to and including it."""
    ends: array[int]
    """Per long run: the original offset just after it."""

    def original(self, index: int) -> int:
        """The original offset of the normalised text's character ``index``."""
        run = bisect.bisect_right(self.starts, index) - 1
        return index + (self.dropped[run] if run >= 0 else 0)

    def first_from(self, offset: int) -> int:
        """The first normalised offset whose original offset is ``offset`` or
        later (the first character after a run, for an offset inside it)."""
        run = bisect.bisect_right(self.ends, offset) - 1
        index = offset - (self.dropped[run] if run >= 0 else 0)
        following = run + 1
        if following < len(self.starts):
            # Inside the next long run, past its first character: no character
            # of the normalised text stands there; the run's end does.
            run_start = self.starts[following] - 1
            if index > run_start:
                return self.starts[following]
        return index


@functools.lru_cache(maxsize=4)
def _normalised(text: str) -> _NormalisedText:
    """``text`` with every whitespace run collapsed to one space, and the map
    from its offsets back to ``text``'s.

    Searching this with ``str.find`` finds exactly what ``_pattern(quote)`` finds
    with ``finditer`` (the same whitespace definition, leftmost and
    non-overlapping), without compiling a regex per quote: a 10-50x saving when
    every fact of a national dataset has a quote (issue #9).
    """
    starts, dropped, ends = array("q"), array("q"), array("q")
    total = 0
    for run in _LONG_WHITESPACE.finditer(text):
        start, end = run.span()
        starts.append(start - total + 1)
        total += end - start - 1
        dropped.append(total)
        ends.append(end)
    return _NormalisedText(_WHITESPACE.sub(" ", text), starts, dropped, ends)


def _spans(text: str, quote: str, area: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (start, end) of ``quote`` in ``text[area]``, whitespace-normalised."""
    tokens = quote.split()
    if not tokens:
        raise QuoteError("the quote is empty")
    needle = " ".join(tokens)
    normalised = _normalised(text)
    norm = normalised.text
    position = normalised.first_from(area[0])
    found = []
    while True:
        index = norm.find(needle, position)
        if index < 0:
            break
        end = normalised.original(index + len(needle) - 1) + 1
        if end > area[1]:
            break
        found.append((normalised.original(index), end))
        position = index + len(needle)
    return found


def _matches(text: str, quote: str, area: tuple[int, int]) -> list[tuple[int, int]]:
    return _spans(text, quote, area)


def _pick(
    matches: list[tuple[int, int]], occurrence: int | None, quote: str, text: str
) -> tuple[int, int]:
    """Choose the match meant: the only one, or the ``occurrence``-th."""
    if occurrence is not None:
        if not 1 <= occurrence <= len(matches):
            raise QuoteError(
                f"occurrence {occurrence} asked for, but the quote occurs "
                f"{len(matches)} time(s)"
            )
        return matches[occurrence - 1]
    if len(matches) > 1:
        lines = ", ".join(str(text.count("\n", 0, m[0]) + 1) for m in matches)
        raise QuoteError(
            f"the quote {_short(quote)} occurs {len(matches)} times (source lines "
            f"{lines}); add skg:occurrence N (1-based) or a longer quote"
        )
    return matches[0]


def find_quote(
    text: str,
    quote: str,
    *,
    within: tuple[int, int] | None = None,
    occurrence: int | None = None,
) -> Span:
    """Find a quote in a text, whitespace-normalised, and return its exact span.

    Args:
        text: the whole source text.
        quote: the curator's quote; whitespace runs match any whitespace run.
        within: ``(start, end)`` to search in instead of the whole text.
        occurrence: 1-based index of the match meant when there are several.

    Returns:
        The span in ``text`` and the original characters there.

    Raises:
        QuoteError: not found (with a diff against the closest passage), or
            found more than once without ``occurrence``.

    Example:
        >>> find_quote("Region Dalarna\\nska verka", "Dalarna ska")
        Span(start=7, end=18, exact='Dalarna\\nska')
    """
    area = within or (0, len(text))
    matches = _matches(text, quote, area)
    if not matches:
        raise QuoteError(_explain_missing(text, quote, area))
    start, end = _pick(matches, occurrence, quote, text)
    return Span(start, end, text[start:end])


def find_all_quotes(
    text: str, quote: str, *, within: tuple[int, int] | None = None
) -> list[Span]:
    """Every occurrence of a quote (whitespace-normalised), in text order.

    Raises:
        QuoteError: when the quote does not occur at all.
    """
    area = within or (0, len(text))
    matches = _matches(text, quote, area)
    if not matches:
        raise QuoteError(_explain_missing(text, quote, area))
    return [Span(start, end, text[start:end]) for start, end in matches]


def find_span(
    text: str,
    starts_with: str,
    ends_with: str,
    *,
    within: tuple[int, int] | None = None,
    occurrence: int | None = None,
) -> Span:
    """Find a long passage given its first and last words.

    Args:
        text: the whole source text.
        starts_with: the passage's beginning (must be unambiguous, or use
            ``occurrence``).
        ends_with: the passage's end: its first occurrence that ends after the
            beginning does.
        within: ``(start, end)`` to search in instead of the whole text.
        occurrence: which occurrence of ``starts_with`` is meant.

    Returns:
        The span from the start of ``starts_with`` to the end of ``ends_with``.

    Raises:
        QuoteError: when either end cannot be found unambiguously.
    """
    area = within or (0, len(text))
    first = find_quote(text, starts_with, within=area, occurrence=occurrence)
    for _, end in _matches(text, ends_with, (first.start, area[1])):
        if end >= first.end:
            return Span(first.start, end, text[first.start : end])
    raise QuoteError(
        f"the end {_short(ends_with)} does not occur after the start "
        f"{_short(starts_with)}; " + _explain_missing(text, ends_with, area)
    )


def _short(quote: str, limit: int = 60) -> str:
    quote = " ".join(quote.split())
    return repr(quote if len(quote) <= limit else quote[: limit - 1] + "…")


def _explain_missing(text: str, quote: str, area: tuple[int, int]) -> str:
    """Say how far the quote matches and where it first differs from the source."""
    tokens = quote.split()
    low, high = 0, len(tokens)  # longest token prefix that still matches
    while low < high:
        middle = (low + high + 1) // 2
        if _matches(text, " ".join(tokens[:middle]), area):
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return (
            f"the quote {_short(quote)} is not in the source: not even its first "
            f"word {tokens[0]!r} occurs there"
        )
    match_end = _matches(text, " ".join(tokens[:low]), area)[0][1]
    source_next = " ".join(text[match_end : match_end + 40].split())
    quote_next = " ".join(tokens[low:])[:40]
    line = text.count("\n", 0, match_end) + 1
    return (
        f"the quote {_short(quote)} is not in the source: it matches up to "
        f"{_short(' '.join(tokens[max(0, low - 4) : low]), 40)} (source line "
        f"{line}), then the quote has {quote_next!r} where the source has "
        f"{source_next!r}"
    )


@dataclass(frozen=True)
class EvidenceRecord:
    """One resolved piece of evidence."""

    fact: URIRef
    """The clause, commitment, activity or statement."""
    document: URIRef
    """The source document."""
    span: Span
    """Where its words are."""
    skipped: bool = False
    """True for a passage deliberately left uncurated (``skg:SkippedPassage``)."""
    resource: URIRef | None = None
    """The ``oa:SpecificResource`` written for it (``skg:evidence`` or, when
    skipped, ``skg:location``)."""
    selectors: tuple[URIRef, ...] = ()
    """Its selectors: the ``oa:TextQuoteSelector`` first (evidence only), then the
    ``oa:TextPositionSelector``."""


def first_quotes(records: Iterable[EvidenceRecord]) -> dict[Node, tuple[int, str]]:
    """Fact → (start offset, words) of its first evidence in ``records`` (skipped
    passages left out): what ``labels.generated_labels`` names facts by."""
    found: dict[Node, tuple[int, str]] = {}
    for record in records:
        if not record.skipped and record.fact not in found:
            found[record.fact] = (record.span.start, record.span.exact)
    return found


def _parent(graph: Graph, fact: URIRef) -> URIRef | None:
    for prop in PARENT_PROPERTIES:
        for parent in graph.objects(fact, prop):
            if isinstance(parent, URIRef):
                return parent
    return None


def _one_literal(graph: Graph, fact: URIRef, prop: URIRef) -> str | None:
    values = [str(v) for v in graph.objects(fact, prop)]
    if len(values) > 1:
        raise QuoteError(f"has {len(values)} values of {graph.qname(prop)}")
    return values[0] if values else None


class _Resolver:
    """The spans of a document's quoted facts, each resolved once, a fact inside
    its parent's (``PARENT_PROPERTIES``) extent.

    A class, not a recursive closure: a closure that calls itself is a
    reference cycle, which kept every document graph alive until the cyclic
    collector ran (half a million objects a chunk of a national build).
    """

    def __init__(
        self,
        graph: Graph,
        text: str,
        facts: set[URIRef],
        curated_path: str | Path | None,
    ) -> None:
        self.graph = graph
        self.text = text
        self.facts = facts
        self.curated_path = curated_path
        self.spans: dict[URIRef, list[Span]] = {}
        """Fact → its spans, in document order."""

    def resolve(self, fact: URIRef, chain: tuple[URIRef, ...] = ()) -> list[Span]:
        """The spans of ``fact`` (``chain``: the facts asking, to find cycles)."""
        graph, text, spans = self.graph, self.text, self.spans
        if fact in spans:
            return spans[fact]
        if fact in chain:
            raise _evidence_error(
                graph, fact, "skg:inClause forms a cycle", self.curated_path
            )
        parent = _parent(graph, fact)
        within = None
        if parent in self.facts:
            # The whole extent of the parent: a clause split by a page footer has
            # two pieces, and its later commitments stand in the second one.
            pieces = self.resolve(parent, (*chain, fact))
            start, end = pieces[0].start, pieces[-1].end
            within = Span(start, end, text[start:end])
        try:
            spans[fact] = _locate(graph, fact, text, within)
        except QuoteError as problem:
            message = str(problem)
            if within is not None and "not in the source" in message:
                try:  # Is it elsewhere in the document, outside its clause?
                    _locate(graph, fact, text, None)
                    message = (
                        f"the quote is in the source but not inside its clause "
                        f"<{parent}>; check skg:inClause"
                    )
                except QuoteError:
                    pass
            raise _evidence_error(graph, fact, message, self.curated_path) from problem
        return spans[fact]


def resolve_evidence(
    graph: Graph,
    document: URIRef,
    text: str,
    *,
    curated_path: str | Path | None = None,
) -> list[EvidenceRecord]:
    """Replace the quote shorthands of a document graph by full evidence.

    Args:
        graph: the curated graph of one source document (modified in place).
        document: the ``skg:SourceDocument`` IRI the quotes are taken from.
        text: that document's text.
        curated_path: the curated file, for error messages.

    Returns:
        One record per span of a fact that had a quote, and per evidence the
        file already wrote out in full, in document order.

    Raises:
        EvidenceError: naming the curated file and line, the resource, and how
            its quote differs from the source.
    """
    facts = {
        fact
        for prop in (SKG.quote, SKG.quoteStartsWith, SKG.quoteEndsWith)
        for fact in graph.subjects(prop, None)
        if isinstance(fact, URIRef)
    }
    resolver = _Resolver(graph, text, facts, curated_path)
    for fact in sorted(facts):
        resolver.resolve(fact)
    spans = resolver.spans

    records = []
    for fact, found in spans.items():
        for prop in _SHORTHANDS:
            graph.remove((fact, prop, None))
        skipped = (fact, RDF.type, SKG.SkippedPassage) in graph
        for index, span in enumerate(found, 1):
            if skipped:
                resource = add_location(graph, fact, document, span, index)
            else:
                resource = add_evidence(graph, fact, document, span, index, text=text)
            selectors = _selector_iris(fact, index, skipped)
            records.append(
                EvidenceRecord(fact, document, span, skipped, resource, selectors)
            )
    # Evidence a curated file writes out in full (test fixtures, hand-made
    # examples) is read once here, so every consumer finds it in the records.
    records.extend(
        record
        for record in read_evidence(graph, text)
        if record.fact not in spans and record.document == document
    )
    records.sort(key=lambda record: (record.span.start, record.fact))
    return records


def _locate(graph: Graph, fact: URIRef, text: str, within: Span | None) -> list[Span]:
    """All spans a fact's shorthands point to, in document order."""
    quotes = sorted(str(q) for q in graph.objects(fact, SKG.quote))
    starts = _one_literal(graph, fact, SKG.quoteStartsWith)
    ends = _one_literal(graph, fact, SKG.quoteEndsWith)
    raw_occurrence = _one_literal(graph, fact, SKG.occurrence)
    occurrence = int(raw_occurrence) if raw_occurrence is not None else None
    area = (within.start, within.end) if within else None
    if quotes and (starts or ends):
        raise QuoteError("has both skg:quote and skg:quoteStartsWith/EndsWith")
    if len(quotes) > 1 and occurrence is not None:
        raise QuoteError("skg:occurrence needs a single skg:quote")
    every = _one_literal(graph, fact, SKG.allOccurrences) == "true"
    if quotes:
        if every:
            found = [s for q in quotes for s in find_all_quotes(text, q, within=area)]
        else:
            found = [
                find_quote(text, q, within=area, occurrence=occurrence) for q in quotes
            ]
        return sorted(found, key=lambda span: span.start)
    if starts is None or ends is None:
        raise QuoteError("needs both skg:quoteStartsWith and skg:quoteEndsWith")
    if every:
        count = len(find_all_quotes(text, starts, within=area))
        return [
            find_span(text, starts, ends, within=area, occurrence=n)
            for n in range(1, count + 1)
        ]
    return [find_span(text, starts, ends, within=area, occurrence=occurrence)]


class TripleLookup(Protocol):
    """What reading the evidence pattern needs of a graph: an rdflib ``Graph`` or
    the build's light triple index (``CuratedDocument.lookup()``)."""

    def objects(self, subject: Any, predicate: Any) -> Iterable[Any]:
        """Objects of ``subject``'s ``predicate``."""
        ...

    def value(self, subject: Any, predicate: Any) -> Any:
        """One object of ``subject``'s ``predicate``, or ``None``."""
        ...

    def subject_objects(self, predicate: Any) -> Iterable[tuple[Any, Any]]:
        """Every (subject, object) pair of ``predicate``."""
        ...


def read_evidence(graph: TripleLookup, text: str | None = None) -> list[EvidenceRecord]:
    """Read the MODEL.md evidence pattern back from a graph, as records.

    The one reader of ``skg:evidence`` / ``skg:location`` → ``oa:hasSource`` /
    ``oa:hasSelector`` / ``oa:start`` / ``oa:end`` / ``oa:exact``: for graphs that
    were not resolved from quote shorthands by ``resolve_evidence`` (evidence
    written out in full). Incomplete patterns (no source or no offsets) are left
    out; ``check_evidence`` is the place that reports them.

    Args:
        graph: the graph holding the pattern.
        text: the source text, for the ``exact`` of a skipped passage's span
            (locations record no ``oa:exact``); without it that is ``""``.

    Returns:
        One record per evidence or location, sorted by fact, start, end.
    """
    records = []
    for prop, skipped in ((SKG.evidence, False), (SKG.location, True)):
        for fact, resource in graph.subject_objects(prop):
            document = graph.value(resource, OA.hasSource)
            if not isinstance(fact, URIRef) or not isinstance(document, URIRef):
                continue
            start = end = None
            exact: str | None = None
            quote: list[URIRef] = []
            position: list[URIRef] = []
            for selector in sorted(graph.objects(resource, OA.hasSelector)):
                begins = graph.value(selector, OA.start)
                if begins is not None:
                    start, end = int(begins), int(graph.value(selector, OA.end))
                    position.append(selector)
                written = graph.value(selector, OA.exact)
                if written is not None:
                    exact = str(written)
                    quote.append(selector)
            if start is None or end is None:
                continue
            if exact is None:
                exact = text[start:end] if text is not None else ""
            records.append(
                EvidenceRecord(
                    fact,
                    document,
                    Span(start, end, exact),
                    skipped,
                    resource,
                    tuple(quote + [p for p in position if p not in quote]),
                )
            )
    records.sort(key=lambda r: (r.fact, r.span.start, r.span.end, r.skipped))
    return records


class _Documented(Protocol):
    """A curated document as ``EvidenceIndex`` reads it (``build.CuratedDocument``)."""

    @property
    def evidence(self) -> list[EvidenceRecord]: ...

    @property
    def source(self) -> Any: ...

    def lookup(self) -> Any: ...


class EvidenceIndex:
    """Every fact's evidence records, looked up by fact.

    Built from the records the build resolved (``CuratedDocument.evidence``), so
    curation reports, publishing and the release read evidence once instead of
    re-reading the pattern from triples. A document that carries no records (one
    made by hand, e.g. in a test) has its records read from its graph instead.

    Example:
        >>> from rdflib import URIRef
        >>> fact, doc = URIRef("https://ex.org/f"), URIRef("https://ex.org/d")
        >>> index = EvidenceIndex([EvidenceRecord(fact, doc, Span(4, 9, "words"))])
        >>> [r.span.exact for r in index.of(fact)], index.of(doc)
        (['words'], [])
    """

    def __init__(self, records: Iterable[EvidenceRecord]) -> None:
        self.records: list[EvidenceRecord] = sorted(
            records,
            key=lambda r: (r.fact, str(r.document), r.span.start, r.span.end),
        )
        """Every record, by fact, document, start and end."""
        self._by_fact: dict[URIRef, list[EvidenceRecord]] = {}
        for record in self.records:
            self._by_fact.setdefault(record.fact, []).append(record)

    @classmethod
    def of_documents(cls, documents: Iterable[_Documented]) -> EvidenceIndex:
        """The index of a dataset's documents (``AssembledDataset.documents``)."""
        return cls(record for doc in documents for record in document_evidence(doc))

    def of(self, fact: object) -> list[EvidenceRecord]:
        """The records of ``fact`` (evidence and skipped locations), in order."""
        return self._by_fact.get(fact, [])  # type: ignore[call-overload]

    def facts(self) -> list[URIRef]:
        """Every fact with at least one record, sorted."""
        return list(self._by_fact)


def document_evidence(doc: _Documented) -> list[EvidenceRecord]:
    """A curated document's evidence records: those the build resolved, or, when
    it carries none, those written out in its graph (read by ``read_evidence``)."""
    if doc.evidence:
        return list(doc.evidence)
    return read_evidence(doc.lookup(), doc.source.text)


def _selector_iris(fact: URIRef, index: int, skipped: bool) -> tuple[URIRef, ...]:
    """The selector IRIs ``add_evidence`` / ``add_location`` give span ``index``."""
    if skipped:
        return (URIRef(f"{fact}#position-{index}"),)
    suffix = "" if index == 1 else f"-{index}"
    return (URIRef(f"{fact}#quote{suffix}"), URIRef(f"{fact}#position{suffix}"))


CONTEXT_LENGTHS = (32, 64, 128)
"""Characters of ``oa:prefix``/``oa:suffix`` tried, shortest first, until the
quote with its context occurs once in the source."""


@functools.lru_cache(maxsize=4)
def _masked(text: str) -> str:
    """The text with contact data masked (one document's, reused per quote)."""
    return mask_contact_data(text)


def quote_context(text: str, span: Span) -> tuple[str, str] | None:
    """``oa:prefix`` and ``oa:suffix`` for a quote that occurs more than once.

    ``None`` when ``span.exact`` occurs once in ``text`` (the quote alone
    identifies the passage). Otherwise the text just before and after the span,
    the shortest of ``CONTEXT_LENGTHS`` that makes prefix + quote + suffix occur
    once, taken from the text with contact data masked (``privacy``) and cut at
    the nearest mask, so that no contact data enters the graph.

    Example:
        >>> text = "Kommunen ska. Regionen ska. Kommunen ska."
        >>> quote_context(text, Span(28, 40, "Kommunen ska"))
        ('Kommunen ska. Regionen ska. ', '.')
        >>> quote_context(text, Span(14, 26, "Regionen ska")) is None
        True
    """
    if text.count(span.exact) < 2:
        return None
    masked = _masked(text)
    prefix = suffix = ""
    for length in CONTEXT_LENGTHS:
        prefix = masked[max(0, span.start - length) : span.start]
        suffix = masked[span.end : span.end + length]
        if text.count(prefix + span.exact + suffix) == 1:
            break
    prefix = prefix.rsplit(MASK, 1)[-1]
    suffix = suffix.split(MASK, 1)[0]
    return prefix, suffix


def add_evidence(
    graph: Graph,
    fact: URIRef,
    document: URIRef,
    span: Span,
    index: int = 1,
    *,
    text: str | None = None,
) -> URIRef:
    """Add the MODEL.md evidence pattern for ``span`` to ``fact``.

    A fact quoted in several places gets one evidence per place (``index`` 1, 2 …).

    The evidence and selector IRIs are the fact's IRI with a fragment, so they are
    stable across builds (no blank nodes: dumps stay byte-identical). Given the
    source ``text``, a quote that occurs more than once in it also gets
    ``oa:prefix`` and ``oa:suffix`` (``quote_context``: from the masked text, so
    no neighbouring contact block is copied into the graph), as the Web
    Annotation model asks of an ambiguous ``oa:exact``.

    Returns:
        The ``oa:SpecificResource`` IRI.
    """
    suffix = "" if index == 1 else f"-{index}"
    evidence = URIRef(f"{fact}#evidence{suffix}")
    quote_selector, position_selector = _selector_iris(fact, index, skipped=False)
    graph.add((fact, SKG.evidence, evidence))
    graph.add((evidence, RDF.type, OA.SpecificResource))
    graph.add((evidence, OA.hasSource, document))
    graph.add((evidence, OA.hasSelector, quote_selector))
    graph.add((evidence, OA.hasSelector, position_selector))
    graph.add((quote_selector, RDF.type, OA.TextQuoteSelector))
    graph.add((quote_selector, OA.exact, Literal(span.exact)))
    context = quote_context(text, span) if text is not None else None
    if context is not None:
        graph.add((quote_selector, OA.prefix, Literal(context[0])))
        graph.add((quote_selector, OA.suffix, Literal(context[1])))
    graph.add((position_selector, RDF.type, OA.TextPositionSelector))
    # xsd:integer, not xsd:nonNegativeInteger: Oxigraph stores derived integer
    # types as xsd:integer, so served terms would differ from the dump's (#15);
    # the shapes keep the offsets non-negative with sh:minInclusive 0.
    graph.add((position_selector, OA.start, _offset(span.start)))
    graph.add((position_selector, OA.end, _offset(span.end)))
    return evidence


@functools.lru_cache(maxsize=1 << 16)
def _offset(value: int) -> Literal:
    """An offset as its ``xsd:integer`` literal, made once per value (literals
    are immutable; a national build writes millions of offsets below ~10,000,
    and rdflib takes ~5 µs to make each)."""
    return Literal(value, datatype=XSD.integer)


def add_location(
    graph: Graph, passage: URIRef, document: URIRef, span: Span, index: int = 1
) -> URIRef:
    """Record where a deliberately skipped passage lies, by offsets only.

    Unlike evidence, no ``oa:exact`` is stored: skipped passages are typically
    page headers and contact blocks, whose text (phone numbers, e-mail addresses)
    must not enter the graph.

    Returns:
        The ``oa:SpecificResource`` IRI.
    """
    location = URIRef(f"{passage}#location-{index}")
    (position,) = _selector_iris(passage, index, skipped=True)
    graph.add((passage, SKG.location, location))
    graph.add((location, RDF.type, OA.SpecificResource))
    graph.add((location, OA.hasSource, document))
    graph.add((location, OA.hasSelector, position))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    # xsd:integer, not nonNegativeInteger: see add_evidence (#15).
    graph.add((position, OA.start, _offset(span.start)))
    graph.add((position, OA.end, _offset(span.end)))
    return location


def check_evidence(
    graph: Graph, texts: dict[URIRef, str], *, path: str | Path | None = None
) -> int:
    """Verify every evidence of a graph against the source texts.

    For each ``oa:SpecificResource`` reached by ``skg:evidence``: its source must
    be one of ``texts``, and each position selector must satisfy
    ``0 <= start < end <= len(text)`` and ``text[start:end] == exact``. Locations
    of skipped passages (``skg:location``) are checked for bounds only.

    Args:
        graph: any graph with evidence (curated, built, or a machine draft).
        texts: source-document IRI → its text.
        path: the file the graph came from, for messages.

    Returns:
        The number of evidence resources and locations checked.

    Raises:
        EvidenceError: for the first evidence that fails, naming the fact.
    """
    checked = 0
    for fact, evidence in sorted(graph.subject_objects(SKG.evidence)):
        source = graph.value(evidence, OA.hasSource)
        text = texts.get(source) if isinstance(source, URIRef) else None
        if text is None:
            raise _evidence_error(
                graph,
                fact,
                f"evidence points to <{source}>, which is not a source document "
                "of this build",
                path,
            )
        exact_values = [
            str(e)
            for s in _selectors(graph, evidence, OA.TextQuoteSelector)
            for e in graph.objects(s, OA.exact)
        ]
        for selector in _selectors(graph, evidence, OA.TextPositionSelector):
            start = graph.value(selector, OA.start)
            end = graph.value(selector, OA.end)
            if start is None or end is None:
                raise _evidence_error(
                    graph, fact, "selector lacks oa:start/oa:end", path
                )
            # rdflib literals are str: int() reads their lexical form.
            start_i, end_i = int(str(start)), int(str(end))
            if not 0 <= start_i < end_i <= len(text):
                raise _evidence_error(
                    graph,
                    fact,
                    f"offsets {start_i}–{end_i} are outside the source "
                    f"(0–{len(text)}) or empty",
                    path,
                )
            actual = text[start_i:end_i]
            for exact in exact_values:
                if exact != actual:
                    raise _evidence_error(
                        graph,
                        fact,
                        f"oa:exact {_short(exact)} differs from the source at "
                        f"{start_i}–{end_i}, which reads {_short(actual)}",
                        path,
                    )
        checked += 1
    for passage, location in sorted(graph.subject_objects(SKG.location)):
        for selector in _selectors(graph, location, OA.TextPositionSelector):
            source = graph.value(location, OA.hasSource)
            start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
            text = texts.get(source) if isinstance(source, URIRef) else None
            if text is None or start is None or end is None:
                raise _evidence_error(graph, passage, "location is incomplete", path)
            if not 0 <= int(str(start)) < int(str(end)) <= len(text):
                raise _evidence_error(
                    graph,
                    passage,
                    f"location {start}–{end} is outside the source",
                    path,
                )
        checked += 1
    return checked


def _selectors(graph: Graph, evidence: Node, kind: URIRef) -> list[URIRef]:
    return sorted(
        s
        for s in graph.objects(evidence, OA.hasSelector)
        if isinstance(s, URIRef) and (s, RDF.type, kind) in graph
    )


def _evidence_error(
    graph: Graph, fact: Node, message: str, path: str | Path | None
) -> EvidenceError:
    line = find_line(path, fact) if path and isinstance(fact, URIRef) else None
    return EvidenceError(
        f"{_curie(graph, fact)}: {message}",
        path=path,
        line=line,
        hint="quote the source exactly as printed (whitespace may differ)",
    )


def _curie(graph: Graph, node: Node) -> str:
    try:
        return graph.namespace_manager.normalizeUri(str(node))
    except Exception:  # pragma: no cover - rdflib raises for odd IRIs
        return f"<{node}>"
