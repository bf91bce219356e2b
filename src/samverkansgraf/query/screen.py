"""Stage 4b — query: screen SPARQL text before any engine sees it (issue 16).

Input: the text of a SPARQL query or update. Output: nothing when the text may be
run, a ``ScreeningError`` (exit code 4, one sentence) when it must not.

Three things are refused, because an engine cannot refuse them itself:

* **Deep nesting.** Oxigraph's parser and evaluator recurse once per ``(``, ``{``
  or ``[``; 6,000 nested parentheses (a 12 KB ``FILTER((((…))))``) overflow its
  native stack and kill the process (``sparql`` segfaults, ``serve`` dies). rdflib's
  pyparsing grammar uses about 38 Python frames per level. The depth is therefore
  measured by a *lexical* scan that runs before any recursive parser.
* **Federation.** ``SERVICE`` makes the engine send a request to any address the
  client names (SSRF; the local bindings travel with it) — refused unless the caller
  passes ``allow_federation=True``. ``LOAD`` fetches a remote document; it is
  refused on the same terms.
* **Remote datasets.** rdflib dereferences every ``FROM``, ``FROM NAMED`` and
  ``USING`` IRI (``file:`` ones too) and replaces the local data with what it
  fetched. Callers whose engine does that pass ``allow_dataset_clauses=False``;
  Oxigraph only selects local named graphs with them, so they stay allowed there.

How the text is examined:

1. Queries over ``MAX_QUERY_BYTES`` (UTF-8) are refused outright.
2. The lexical scan (``_scan``) skips comments, string literals and IRIs, counts
   the bracket depth (``()``, ``{}``, ``[]`` and quoted triples ``<< >>``), and
   notes the keywords ``SERVICE``, ``LOAD``, ``FROM`` and ``USING`` where they
   stand as keywords. SPARQL's lexical grammar is ambiguous in
   two places — a ``<…>`` that matches IRIREF may still be the operator ``<`` in an
   expression (``?a<'>?b'`` is ``?a < '>?b'``), and ``\\`` escapes a character in
   a prefixed name — so the scan follows *both* readings at each such place (a small
   non-deterministic automaton whose states merge by position and mode, keeping the
   deeper one). The depth it reports is thus at least the depth any parser sees,
   and a keyword hidden by one reading is found by another. ``\\u`` escapes are
   expanded first, as SPARQL 1.1 §19.2 (and both parsers) do. The scan is linear
   (a state budget refuses pathological texts) and costs ~0.2 ms for a catalogue
   query.
3. Only a text in which the scan saw one of those keywords is parsed, with rdflib's
   SPARQL parser, which then has the final word (``<http://x.org/a.service#b>`` read
   as operators has a "service" keyword; the parser knows it is an IRI). A text
   without them needs no parse: the parser's reading is among the scan's, so it
   could not find a keyword the scan missed — and rdflib's parser costs ~100 ms per
   catalogue query. A syntax error is not a refusal (the engine reports it as
   before) unless the scan saw ``SERVICE`` or ``LOAD``: a text rdflib cannot parse
   but another parser might run is refused if it may reach out. A
   ``RecursionError`` in the parser is a depth refusal.
4. Updates over ``MAX_PARSED_UPDATE_BYTES`` (``upload`` sends a whole dump as one
   ``INSERT DATA``, megabytes that pyparsing would need minutes for) are judged on
   the lexical scan alone (~0.4 s per MB): depth, and ``SERVICE``/``LOAD`` as
   keywords in any reading. A keyword counts only between token boundaries and
   before what SPARQL allows after it, so ``<http://x/service/1>`` in a dump does
   not trip it.

Verdicts for the last 1,024 texts are kept by the texts' hash, so the endpoint's
repeated catalogue queries cost a hash and a dictionary look-up (~8 µs).

Example:
    >>> screen_query("SELECT * WHERE { ?s ?p ?o }")
    >>> screen_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    samverkansgraf.query.screen.ScreeningError: the query uses SERVICE (federation), ...
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import hashlib
import heapq
import re
import sys
import threading
from typing import Any

from ..errors import QueryError

__all__ = [
    "MAX_NESTING",
    "MAX_PARSED_UPDATE_BYTES",
    "MAX_QUERY_BYTES",
    "ScreeningError",
    "clear_cache",
    "screen_query",
    "screen_update",
]

MAX_NESTING: int = 64
"""Deepest nesting of ``(``, ``{``, ``[`` and ``<<`` (counted together) allowed.

The deepest catalogue query nests 7 levels; 64 leaves ample room for hand-written
queries and stays far below what crashes Oxigraph (depth 2,000 once killed the
server's thread, 6,000 always does). rdflib needs about 2,500 Python frames to parse
depth 64, which the screen provides in a worker thread with its own large stack.
"""

MAX_QUERY_BYTES: int = 64 * 1024
"""Largest query (UTF-8 bytes) accepted; the longest catalogue query is ~2 KB.

Updates have no size limit here: ``upload`` sends a whole dump as one update.
"""

MAX_PARSED_UPDATE_BYTES: int = 64 * 1024
"""Updates up to this size are parsed with rdflib; larger ones get the lexical scan
only (see the module docstring, step 4)."""

_FRAMES_PER_LEVEL = 40  # measured: rdflib 7.6 needs ~38 frames per nested "("
_PARSER_RECURSION_LIMIT = 1000 + _FRAMES_PER_LEVEL * (MAX_NESTING + 8)
_PARSER_STACK_BYTES = 64 * 1024 * 1024  # virtual; only touched pages are used

FEDERATION_HINT = "remove it, or pass --allow-federation if you mean it"


class ScreeningError(QueryError):
    """A SPARQL text refused before any engine saw it (too deep, too large, or
    reaching out to other servers); the message says what and what to do."""


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def screen_query(
    text: str, *, allow_federation: bool = False, allow_dataset_clauses: bool = True
) -> None:
    """Refuse a SPARQL query that is too large, too deep or would reach out.

    Args:
        text: the query text, after parameters are bound.
        allow_federation: let ``SERVICE`` through (the operator asked for it).
        allow_dataset_clauses: let ``FROM``/``FROM NAMED`` through; pass False for
            engines that fetch those IRIs (rdflib).

    Returns:
        None when the query may run — also when it is not valid SPARQL: the engine
        then reports the syntax error as usual.

    Raises:
        ScreeningError: with one sentence naming what was refused.

    Example:
        >>> deep = "(" * 100 + "1" + ")" * 100
        >>> screen_query("ASK { FILTER(" + deep + ") }")
        Traceback (most recent call last):
        ...
        samverkansgraf.query.screen.ScreeningError: the query nests brackets 102 ...
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise ScreeningError(
            f"the query is {size} bytes, more than the limit of {MAX_QUERY_BYTES}",
            hint="shorten it (bind long value lists as parameters or split the query)",
        )
    _refuse(
        _examined(text, "query"),
        "query",
        allow_federation,
        allow_dataset_clauses,
    )


def screen_update(
    text: str, *, allow_federation: bool = False, allow_dataset_clauses: bool = True
) -> None:
    """Refuse a SPARQL update that is too deep or would reach out (SERVICE, LOAD).

    Args:
        text: the update text (any size).
        allow_federation: let ``SERVICE`` and ``LOAD`` through.
        allow_dataset_clauses: let ``USING``/``USING NAMED`` through (checked only
            for updates small enough to parse, see ``MAX_PARSED_UPDATE_BYTES``).

    Returns:
        None when the update may run, or when it is not valid SPARQL.

    Raises:
        ScreeningError: with one sentence naming what was refused.

    Example:
        >>> screen_update("INSERT DATA { <s:a> <s:b> 'LOAD <http://x/>' }")
        >>> screen_update("LOAD <http://example.org/data.ttl>")
        Traceback (most recent call last):
        ...
        samverkansgraf.query.screen.ScreeningError: the update uses LOAD, which ...
    """
    _refuse(
        _examined(text, "update"),
        "update",
        allow_federation,
        allow_dataset_clauses,
    )


# ---------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Findings:
    """What the scan and the parser found in one text."""

    depth: int
    """Deepest bracket nesting over all lexical readings (or the parser's failure)."""
    too_deep_for_parser: bool
    """rdflib's parser ran out of recursion."""
    service: bool
    """``SERVICE`` is used (parsed), or may be (unparsable text or lexical only)."""
    load: bool
    """``LOAD`` is used, or may be."""
    dataset_clauses: bool
    """``FROM``/``FROM NAMED``/``USING`` is used (parsed texts only)."""


def _refuse(
    found: _Findings, kind: str, allow_federation: bool, allow_dataset_clauses: bool
) -> None:
    """Raise the ScreeningError that ``found`` calls for, if any."""
    if found.depth > MAX_NESTING or found.too_deep_for_parser:
        deep = f"{found.depth} deep" if found.depth > MAX_NESTING else "too deep"
        raise ScreeningError(
            f"the {kind} nests brackets {deep}, more than the limit of {MAX_NESTING}",
            hint=f"flatten the expression or split the {kind}",
        )
    if found.service and not allow_federation:
        raise ScreeningError(
            f"the {kind} uses SERVICE (federation), which sends requests to other "
            "servers",
            hint=FEDERATION_HINT,
        )
    if found.load and not allow_federation:
        raise ScreeningError(
            f"the {kind} uses LOAD, which fetches data from other servers",
            hint=FEDERATION_HINT,
        )
    if found.dataset_clauses and not allow_dataset_clauses:
        clause = "FROM" if kind == "query" else "USING"
        raise ScreeningError(
            f"the {kind} names a dataset with {clause}, which this engine would "
            "fetch from the web and use instead of the local data",
            hint=f"remove the {clause} clause (the local dataset is queried by "
            "default), or use --engine oxigraph",
        )


_CACHE_SIZE = 1024
_cache: collections.OrderedDict[tuple[bytes, str], _Findings] = (
    collections.OrderedDict()
)
_cache_lock = threading.Lock()


def _examined(text: str, kind: str) -> _Findings:
    """``_examine(text, kind)``, remembered for the last ``_CACHE_SIZE`` texts.

    The key is a 128-bit hash of the text, not the text: an LRU keyed by the texts
    themselves would keep up to a thousand megabyte-sized updates alive. A repeat
    (the endpoint's catalogue queries) costs the hash, ~8 µs for 2 KB.
    """
    digest = hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()
    key = (digest, kind)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    found = _examine(text, kind)  # outside the lock: scans may run in parallel
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def clear_cache() -> None:
    """Forget every remembered verdict (for measurements and tests)."""
    with _cache_lock:
        _cache.clear()


def _examine(text: str, kind: str) -> _Findings:
    """Scan and, when the scan saw a keyword that matters, parse ``text``."""
    lexical = _scan(text)
    suspect = _Findings(
        depth=lexical.depth,
        too_deep_for_parser=False,
        service="SERVICE" in lexical.keywords,
        load="LOAD" in lexical.keywords,
        dataset_clauses=bool(lexical.keywords & {"FROM", "USING"}),
    )
    if lexical.depth > MAX_NESTING or not lexical.keywords:
        # Nothing a parser could find as a keyword: the scan's readings include
        # the parser's, so parsing (~100 ms for a catalogue query) cannot add a
        # refusal.
        return suspect
    if kind == "update" and len(text.encode("utf-8", "surrogatepass")) > (
        MAX_PARSED_UPDATE_BYTES
    ):
        return suspect
    outcome = _parse_in_big_stack(text, kind)
    if outcome is None:
        # Not valid SPARQL for rdflib: keep the scan's suspicion of federation.
        # Dataset clauses matter only to rdflib, which will not run this text.
        return dataclasses.replace(suspect, dataset_clauses=False)
    if outcome == "recursion":
        return _Findings(lexical.depth, True, False, False, False)
    names = _component_names(outcome)
    return _Findings(
        depth=lexical.depth,
        too_deep_for_parser=False,
        service="ServiceGraphPattern" in names,
        load="Load" in names,
        dataset_clauses=bool(names & {"DatasetClause", "UsingClause"}),
    )


# ---------------------------------------------------------------------------
# The parser, run where deep recursion is safe
# ---------------------------------------------------------------------------

_PARSER_LOCK = threading.Lock()


def _parse_in_big_stack(text: str, kind: str) -> Any:
    """Parse with rdflib in a worker thread with a large stack.

    Returns the parse tree, ``"recursion"`` when the parser ran out of recursion,
    or None on a syntax error. The recursion limit is interpreter-wide, so parses
    are serialised and the old limit is restored afterwards.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    parse = parseQuery if kind == "query" else parseUpdate
    outcome: list[Any] = [None]

    def work() -> None:
        try:
            outcome[0] = parse(text)
        except RecursionError:
            outcome[0] = "recursion"
        except (ParseBaseException, ValueError, TypeError):
            # rdflib raises ValueError/TypeError for some malformed terms (bad
            # language tags, prefixes); all are syntax errors for the engine.
            outcome[0] = None

    with _PARSER_LOCK:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size()
        try:
            sys.setrecursionlimit(max(old_limit, _PARSER_RECURSION_LIMIT))
            threading.stack_size(_PARSER_STACK_BYTES)
            worker = threading.Thread(target=work, name="sparql-screen", daemon=True)
            try:
                worker.start()  # the stack size is read when the thread starts
            finally:
                threading.stack_size(old_stack)
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    return outcome[0]


def _component_names(tree: Any) -> set[str]:
    """Names of every rdflib ``CompValue`` in a parse tree (iteratively)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack: list[Any] = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
    return names


# ---------------------------------------------------------------------------
# The lexical scan
# ---------------------------------------------------------------------------

_CODE, _STRING, _COMMENT = "code", "string", "comment"

# The IRIREF production of SPARQL 1.1 (§19.8, [139]).
_IRIREF = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')
# Where a code stretch ends: a character that may change the lexical mode.
_MODE_EVENT = re.compile(r"[<'\"#\\]")
# ">>" closes a quoted triple (SPARQL-star "<< s p o >>", which Oxigraph parses
# recursively too: 6,000 nested ones hang it); "<<" is handled at the "<" event.
_BRACKET = re.compile(r"[()\[\]{}]|>>")
# A keyword stands as a keyword only between characters that end a token; the
# followers are what SPARQL allows after it (an IRI, a variable, SILENT, a comment).
_KEYWORD = re.compile(
    r"(?<![^\s{}()\[\].;,>\"'])"
    r"(?:(SERVICE)(?=[\s<?$#\\])|(LOAD|FROM|USING)(?=[\s<#\\]))",
    re.IGNORECASE,
)
_STRINGS = {
    "'''": re.compile(r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''", re.DOTALL),
    '"""': re.compile(r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""', re.DOTALL),
    "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'"),
    '"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"'),
}
_LINE_END = re.compile(r"[\n\r]")
# States the scan may visit per character before it gives up (a real text needs
# about 0.1: one or two per token; an adversarial one cannot make it quadratic).
_STATE_BUDGET_PER_CHAR = 4
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclasses.dataclass(frozen=True)
class _Lexical:
    """The result of the lexical scan."""

    depth: int
    """Deepest bracket nesting seen in any reading."""
    keywords: frozenset[str]
    """``SERVICE``, ``LOAD``, ``FROM``, ``USING`` where some reading has them as
    keywords."""


def _expand_unicode_escapes(text: str) -> str:
    r"""Apply ``\u``/``\U`` escapes as SPARQL 1.1 §19.2 says parsers do first."""

    def expand(match: re.Match[str]) -> str:
        code = int(match[1] or match[2], 16)
        return chr(code) if code <= sys.maxunicode else match[0]

    return _UNICODE_ESCAPE.sub(expand, text)


def _scan(text: str) -> _Lexical:
    """Scan the text as written and with ``\\u`` escapes expanded; merge both."""
    first = _scan_readings(text)
    expanded = _expand_unicode_escapes(text)
    if expanded == text:
        return first
    second = _scan_readings(expanded)
    return _Lexical(max(first.depth, second.depth), first.keywords | second.keywords)


def _scan_readings(text: str) -> _Lexical:
    """Follow every lexical reading of ``text`` at once (see the module docstring).

    A state is (position, mode, depth); states at the same position and mode merge,
    keeping the larger depth — a deeper start never ends shallower, so the maximum
    over the merged states is an upper bound of every reading's depth.
    """
    peak = 0
    keywords: set[str] = set()
    best: dict[tuple[int, str], int] = {}
    heap: list[tuple[int, str]] = []

    def push(position: int, mode: str, depth: int) -> None:
        key = (position, mode)
        if key not in best:
            heapq.heappush(heap, key)
            best[key] = depth
        elif depth > best[key]:
            best[key] = depth

    push(0, _CODE, 0)
    n = len(text)
    line_ends = [match.start() for match in _LINE_END.finditer(text)]
    budget = _STATE_BUDGET_PER_CHAR * n + 1000
    while heap:
        budget -= 1
        if budget < 0:
            raise ScreeningError(
                "the text is too irregular to screen (too many ambiguous '<', "
                "quotes or backslashes)",
                hint="write IRIs, strings and operators with spaces around them",
            )
        key = heapq.heappop(heap)
        depth = best.pop(key)
        position, mode = key
        if position >= n:
            continue
        if mode == _COMMENT:
            # Many readings may enter a comment on one long line: find its end by
            # bisection over the line ends, not by scanning again each time.
            index = bisect.bisect_left(line_ends, position)
            if index < len(line_ends):
                push(line_ends[index] + 1, _CODE, depth)
            continue
        if mode == _STRING:
            for quote in ("'''", '"""', "'", '"'):
                if text.startswith(quote, position):
                    match = _STRINGS[quote].match(text, position)
                    if match is not None:
                        push(match.end(), _CODE, depth)
                    else:  # unterminated: a parser stops here; read on to be safe
                        push(position + 1, _CODE, depth)
                    break
            continue
        # Code: read up to the next character that may change the mode.
        event = _MODE_EVENT.search(text, position)
        stop = event.start() if event is not None else n
        for bracket in _BRACKET.finditer(text, position, stop):
            if bracket[0] in "([{":
                depth += 1
                peak = max(peak, depth)
            elif depth:
                depth -= 1  # never below zero: stray closers cannot hide openers
        for keyword in _KEYWORD.finditer(text, position, stop + 1):
            if keyword.start() < stop:
                keywords.add((keyword[1] or keyword[2]).upper())
        if event is None:
            continue
        char = event[0]
        if char == "#":
            push(stop, _COMMENT, depth)
        elif char in "'\"":
            push(stop, _STRING, depth)
        elif char == "\\":
            push(stop + 2, _CODE, depth)  # an escape in a prefixed name
            push(stop + 1, _CODE, depth)  # or a stray backslash
        else:  # "<"
            iri = _IRIREF.match(text, stop)
            if iri is not None:
                push(iri.end(), _CODE, depth)  # an IRI
            elif text.startswith("<<", stop):  # or a quoted triple opening
                peak = max(peak, depth + 1)
                push(stop + 2, _CODE, depth + 1)
            push(stop + 1, _CODE, depth)  # or the operator "<"
    return _Lexical(peak, frozenset(keywords))
