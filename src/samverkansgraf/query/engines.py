"""Stage 4b — query: run catalogue queries (or any SPARQL) on the built dataset.

Input: a ``QuerySpec`` (or SPARQL text) and parameter values; the dataset comes
from ``dist/samverkansgraf.nq`` (local engine, no server needed) or from a SPARQL
endpoint (``endpoint=URL``, via SPARQLWrapper). Output: a ``QueryResult`` with
``columns`` and ``rows`` of rdflib terms, writable as a table, CSV, TSV or SPARQL
JSON, or turned into a pandas DataFrame.

The default graph is the union of all named graphs: locally with rdflib's
``Dataset(default_union=True)`` or pyoxigraph's ``use_default_graph_as_union``;
remotely the server must be started that way (``samverkansgraf serve`` passes
``--union-default-graph`` to Oxigraph).

Parameters are bound as RDF terms, never pasted into the text as typed: a
catalogue file carries each default as a ``VALUES ?name { … }`` block, and
``bind_values`` replaces that block's value with the term serialised by
``sparql_term`` (which escapes every quote and backslash), so every engine gets
the same text (``samverkansgraf query --show`` prints it). A variable without a
block gets one placed at the start of the outermost group pattern (pyoxigraph and
remote endpoints) or is passed as rdflib ``initBindings``. The catalogue
lint (``catalogue.check_query``) keeps parameters out of sub-SELECTs, where the two
mechanisms would differ, and a test compares the engines on every query.

Engines: ``oxigraph`` (the default) and ``rdflib`` (pure Python, the reference
implementation of ``initBindings``). Measured with ``benchmarks/query_engines.py``
on the Hedemora build (3841 triples, 31 queries, median of 5 runs): loading the
dump takes 8 ms with pyoxigraph and 100 ms with rdflib, the whole catalogue 18 ms
and about 2 s; the answers are identical.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..errors import EndpointError, QueryError
from ..namespaces import PREFIXES
from ..rdfio import load_dump, load_store, to_rdflib
from ..sources import ProjectPaths, find_project_root

if TYPE_CHECKING:
    from rdflib.query import ResultRow

from .catalogue import (
    IRI_FORBIDDEN,
    QuerySpec,
    catalogue_dir,
    find_query,
    load_catalogue,
    scan_sparql,
    values_blocks,
)
from .screen import screen_query

__all__ = [
    "ENGINES",
    "WRITERS",
    "Engine",
    "OxigraphEngine",
    "QueryResult",
    "RdflibEngine",
    "RemoteEngine",
    "bind_values",
    "bound_query_text",
    "dataset_file",
    "open_engine",
    "run_query",
    "run_sparql",
    "sparql_term",
    "unknown_values",
]

log = logging.getLogger(__name__)

DATASET_FILE = "samverkansgraf.nq"
DEFAULT_ENGINE = "oxigraph"
DEFAULT_TIMEOUT = 30.0

Row = tuple[Identifier | None, ...]

_NUMERIC = {
    XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.decimal, XSD.double,
    XSD.float, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger,
    XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
    XSD.unsignedByte,
}  # fmt: skip
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def normalise_term(term: object) -> Identifier | None:
    """One canonical rdflib term for values every engine returns alike.

    ``"x"^^xsd:string`` and the simple literal ``"x"`` are the same RDF 1.1 term;
    rdflib and Oxigraph spell them differently, so both become ``Literal("x")``.
    """
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    if isinstance(term, (URIRef, BNode, Literal)):
        return term
    raise QueryError(f"unsupported result value {term!r}")


def _plain(term: Identifier | None) -> str:
    return "" if term is None else str(term)


def _python(term: Identifier | None) -> object:
    if term is None:
        return None
    if isinstance(term, Literal) and (
        term.datatype in _NUMERIC or term.datatype == XSD.boolean
    ):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(term)
    return str(term)


def _short(term: Identifier | None) -> str:
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef):
        for prefix in ("skgid", "skg", "wd"):
            namespace = str(PREFIXES[prefix])
            if text.startswith(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
    return " ".join(text.split()) if "\n" in text else text


@dataclass(frozen=True)
class QueryResult:
    """The answer of a SELECT (or ASK) query: named columns and rows of terms."""

    columns: tuple[str, ...]
    """Projected variable names, in order."""
    rows: tuple[Row, ...]
    """One tuple per solution; ``None`` where a variable is unbound."""
    query_id: str | None = field(default=None, compare=False)
    """The catalogue id, when the result came from the catalogue."""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def values(self) -> list[tuple[str, ...]]:
        """Rows as plain strings (IRI, literal's lexical form, ``""`` if unbound)."""
        return [tuple(_plain(term) for term in row) for row in self.rows]

    def canonical(self) -> list[tuple[str, ...]]:
        """Rows in N-Triples notation (datatypes and languages kept), sorted.

        Two engines gave the same answer when their ``canonical()`` are equal.
        """
        return sorted(
            tuple("" if term is None else term.n3() for term in row)
            for row in self.rows
        )

    def records(self) -> list[dict[str, object]]:
        """Rows as dicts of Python values: numbers and booleans as such, the rest
        as strings, ``None`` where unbound."""
        return [
            {
                column: _python(term)
                for column, term in zip(self.columns, row, strict=True)
            }
            for row in self.rows
        ]

    def to_dataframe(self) -> Any:
        """The result as a pandas ``DataFrame`` (needs the ``[pandas]`` extra).

        Raises:
            QueryError: when pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise QueryError(
                "pandas is not installed",
                hint="pip install 'samverkansgraf[pandas]'",
            ) from exc
        frame = pd.DataFrame.from_records(self.records(), columns=list(self.columns))
        return frame.convert_dtypes()

    def to_csv(self) -> str:
        """CSV with a header row, plain values (as the SPARQL 1.1 CSV format)."""
        return _delimited(self, ",")

    def to_tsv(self) -> str:
        """Tab-separated values with a header row, plain values."""
        return _delimited(self, "\t")

    def to_json(self) -> str:
        """The SPARQL 1.1 Query Results JSON format (lossless)."""
        bindings = []
        for row in self.rows:
            binding: dict[str, dict[str, str]] = {}
            for column, term in zip(self.columns, row, strict=True):
                if term is None:
                    continue
                if isinstance(term, URIRef):
                    binding[column] = {"type": "uri", "value": str(term)}
                elif isinstance(term, BNode):
                    binding[column] = {"type": "bnode", "value": str(term)}
                else:
                    assert isinstance(term, Literal)
                    value: dict[str, str] = {"type": "literal", "value": str(term)}
                    if term.language:
                        value["xml:lang"] = term.language
                    elif term.datatype is not None:
                        value["datatype"] = str(term.datatype)
                    binding[column] = value
            bindings.append(binding)
        payload = {
            "head": {"vars": list(self.columns)},
            "results": {"bindings": bindings},
        }
        return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"

    def to_table(self) -> str:
        """An aligned plain-text table; IRIs shortened to prefixed names."""
        cells = [list(self.columns)] + [[_short(t) for t in row] for row in self.rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(self.columns))]
        lines = [
            "  ".join(
                cell.ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
            for line in cells
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        count = len(self.rows)
        lines.append(f"({count} row{'' if count == 1 else 's'})")
        return "\n".join(lines) + "\n"

    def write(self, output_format: str) -> str:
        """The result in one of ``WRITERS`` (table, csv, tsv, json)."""
        try:
            writer = WRITERS[output_format]
        except KeyError:
            raise QueryError(
                f"unknown output format {output_format!r}",
                hint="use one of " + ", ".join(WRITERS),
            ) from None
        return writer(self)


def _delimited(result: QueryResult, delimiter: str) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(result.values())
    return stream.getvalue()


WRITERS: dict[str, Callable[[QueryResult], str]] = {
    "table": QueryResult.to_table,
    "csv": QueryResult.to_csv,
    "tsv": QueryResult.to_tsv,
    "json": QueryResult.to_json,
}
"""Output format name → writer; the CLI's ``--format`` choices."""


# ---------------------------------------------------------------------------
# Binding parameters as terms
# ---------------------------------------------------------------------------


def sparql_term(term: Identifier) -> str:
    """Serialise an RDF term as SPARQL syntax, safe to place in a query.

    Quotes, backslashes and line breaks in literals are escaped (ECHAR), so the
    value ends exactly where the literal ends, whatever it contains; an IRI with
    characters an IRI cannot hold is refused.

    Raises:
        QueryError: for an IRI with forbidden characters, a bad language tag or a
            blank node.

    Example:
        >>> print(sparql_term(Literal('"} ; DROP ALL ; #')))
        "\\"} ; DROP ALL ; #"
    """
    if isinstance(term, URIRef):
        if IRI_FORBIDDEN.search(str(term)):
            raise QueryError(
                f"{str(term)!r} is not an IRI (it has forbidden characters)"
            )
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if term.language:
            if not _LANGUAGE_TAG.match(term.language):
                raise QueryError(f"bad language tag {term.language!r}")
            return f'"{lexical}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{lexical}"^^{sparql_term(term.datatype)}'
        return f'"{lexical}"'
    raise QueryError(f"cannot bind {term!r}: parameters are IRIs or literals")


def bind_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """Bind variables in the query text, replacing each one's ``VALUES`` block.

    A variable with a one-variable ``VALUES ?name { … }`` block in the outer group
    (a catalogue parameter's default, see ``catalogue.values_blocks``) gets its
    block's value replaced by the term. Any other variable is bound by a block
    inserted at the start of the outer group: ``SELECT … WHERE { … }`` becomes
    ``SELECT … WHERE { VALUES (?a ?b) { (A B) } … }``, which joins the bindings
    with the whole query pattern, as rdflib's ``initBindings`` does for
    variables of the outer query.

    Args:
        text: a SELECT or ASK query.
        bindings: variable name → term.

    Returns:
        The query text with the values bound (unchanged without bindings).

    Raises:
        QueryError: when the text has no group pattern to bind in.
    """
    if not bindings:
        return text
    blocks = {b.name: b for b in values_blocks(text) if b.outer}
    replaced = [blocks[name] for name in bindings if name in blocks]
    # From the end of the text backwards, so earlier offsets stay valid.
    for block in sorted(replaced, key=lambda b: b.start, reverse=True):
        term = sparql_term(bindings[block.name])
        text = f"{text[: block.data_start]} {term} {text[block.data_end :]}"
    rest = {name: term for name, term in bindings.items() if name not in blocks}
    if not rest:
        return text
    structure = scan_sparql(text)
    if structure.outer_open is None or structure.outer_close is None:
        raise QueryError("cannot bind parameters: the query has no WHERE { … } clause")
    names = " ".join(f"?{name}" for name in rest)
    terms = " ".join(sparql_term(term) for term in rest.values())
    injected = f" VALUES ({names}) {{ ({terms}) }} "
    start, end = structure.outer_open + 1, structure.outer_close
    if structure.outer_starts_with_select:
        # `{ SELECT … }` may hold nothing but the sub-select: nest it one level.
        return f"{text[:start]}{injected}{{ {text[start:end]} }}{text[end:]}"
    return f"{text[:start]}{injected}{text[start:]}"


def _split_by_blocks(
    text: str, bindings: Mapping[str, Identifier]
) -> tuple[str, dict[str, Identifier]]:
    """The text with the bindings that have a ``VALUES`` block written in, and
    the bindings that have none (for rdflib's ``initBindings``: a binding and a
    block of the same variable would be joined, not replaced)."""
    blocks = {b.name for b in values_blocks(text) if b.outer}
    in_text = {n: t for n, t in bindings.items() if n in blocks}
    return bind_values(text, in_text), {
        n: t for n, t in bindings.items() if n not in blocks
    }


# ---------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------


class Engine(Protocol):
    """Something that answers SPARQL SELECT/ASK queries over the dataset."""

    name: str

    def select(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        allow_federation: bool = False,
    ) -> QueryResult:
        """Run a SELECT or ASK query with the variables in ``bindings`` bound.

        Local engines screen the text first (``screen.screen_query``) and refuse
        ``SERVICE`` unless ``allow_federation`` is true.
        """
        ...


def _syntax_error(message: str, line: int | None, column: int | None) -> QueryError:
    where = f"line {line}, column {column}: " if line is not None else ""
    return QueryError(f"SPARQL syntax error: {where}{message}", hint="fix the query")


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """Silence the DeprecationWarning rdflib 7 emits about its *own* use of
    ``Dataset.default_context`` on every triple lookup of a union dataset (over
    300000 of them in a test run)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "Dataset.default_context is deprecated", DeprecationWarning
        )
        yield


class RdflibEngine:
    """rdflib over an in-memory ``Dataset`` whose default graph is the union."""

    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @classmethod
    def from_file(cls, path: Path) -> RdflibEngine:
        """Load a dump (``.nq``, ``.trig`` or any format of ``rdfio.FORMATS``).

        Raises:
            SourceError: an unknown suffix or a file that does not parse.
        """
        return cls(load_dump(path))

    def select(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        allow_federation: bool = False,
    ) -> QueryResult:
        """Run ``text`` with ``bindings`` as rdflib ``initBindings``.

        Raises:
            ScreeningError: the text nests too deep, or uses ``SERVICE`` without
                ``allow_federation``, or names ``FROM`` graphs, which rdflib would
                fetch from the web in place of the local data (issue 16).
            QueryError: a syntax error or a failed evaluation.
        """
        from pyparsing import ParseException

        text, init_bindings = _split_by_blocks(text, bindings or {})
        screen_query(
            text, allow_federation=allow_federation, allow_dataset_clauses=False
        )
        try:
            with _quiet_rdflib():
                result = self.dataset.query(text, initBindings=init_bindings)
                if result.type == "ASK":
                    answer = Literal(bool(result.askAnswer))
                    return QueryResult(("result",), ((answer,),))
                if result.type != "SELECT":
                    raise QueryError(
                        f"{result.type} queries are not supported; use SELECT or ASK"
                    )
                # A SELECT result iterates over ResultRows (rdflib types it wider).
                select_rows = cast("Iterable[ResultRow]", result)
                rows = tuple(
                    tuple(normalise_term(term) for term in row) for row in select_rows
                )
        except ParseException as exc:
            raise _syntax_error(exc.msg, exc.lineno, exc.col) from exc
        except QueryError:
            raise
        except RecursionError as exc:  # pyparsing: ~38 frames per nesting level
            raise QueryError(
                "the query nests too deep for rdflib's parser",
                hint="flatten the expression, or use --engine oxigraph",
            ) from exc
        except Exception as exc:  # rdflib raises plain exceptions while evaluating
            raise QueryError(f"the query failed in rdflib: {exc}") from exc
        return QueryResult(tuple(str(v) for v in result.vars or ()), rows)


_OXIGRAPH_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


class OxigraphEngine:
    """pyoxigraph's in-memory store; the default graph is the union of all graphs."""

    name = "oxigraph"

    def __init__(self, store: Any) -> None:
        self.store = store

    @classmethod
    def from_file(cls, path: Path) -> OxigraphEngine:
        """Load a dump (``.nq``, ``.trig`` or any format of ``rdfio.FORMATS``).

        Raises:
            SourceError: an unknown suffix or a file that does not parse.
        """
        return cls(load_store(path))

    def select(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        allow_federation: bool = False,
    ) -> QueryResult:
        """Run ``text`` with ``bindings`` injected as a ``VALUES`` block.

        Raises:
            ScreeningError: the text nests too deep (Oxigraph's recursive parser
                would overflow the stack and kill the process) or uses
                ``SERVICE`` without ``allow_federation`` (issue 16).
            QueryError: a syntax error or a failed evaluation.
        """
        import pyoxigraph as ox

        query_text = bind_values(text, bindings or {})
        screen_query(query_text, allow_federation=allow_federation)
        try:
            result = self.store.query(query_text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            message = str(exc)
            match = _OXIGRAPH_POSITION.match(message)
            if match:
                raise _syntax_error(match[3], int(match[1]), int(match[2])) from exc
            raise _syntax_error(message, None, None) from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed in Oxigraph: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(("result",), ((Literal(bool(result)),),))
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(
                "CONSTRUCT and DESCRIBE queries are not supported; use SELECT"
            )
        columns = tuple(v.value for v in result.variables)
        # Values repeat across rows (modalities, booleans, documents, counts) and
        # making an rdflib Literal is the costly part: convert each term once.
        # 22,870 rows of query 19 at 1M triples: 1.1 s -> 0.4 s.
        converted: dict[Any, Identifier | None] = {}

        def convert(term: Any) -> Identifier | None:
            if term is None:
                return None
            found = converted.get(term)
            if found is None:
                try:
                    # Labels kept: one store is one blank-node scope (rdfio).
                    found = converted[term] = to_rdflib(term)
                except TypeError as exc:  # e.g. an RDF-star quoted triple
                    raise QueryError(f"unsupported result value {term!r}") from exc
            return found

        rows = tuple(
            tuple(convert(solution[column]) for column in columns)
            for solution in result
        )
        return QueryResult(columns, rows)


class RemoteEngine:
    """A SPARQL 1.1 endpoint, queried with SPARQLWrapper (JSON results).

    The endpoint must answer over the union of the named graphs as its default
    graph (Oxigraph: ``--union-default-graph``; ``samverkansgraf serve`` does so).
    """

    name = "remote"

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.endpoint = query_url(endpoint)
        self.timeout = timeout

    def select(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        allow_federation: bool = False,
    ) -> QueryResult:
        """Send ``text`` (with a ``VALUES`` block for ``bindings``) to the endpoint.

        The text is not screened here: the server runs it, and it decides what
        it allows (``samverkansgraf serve`` screens every query itself, and other
        servers may well permit federation or deeper nesting).
        ``allow_federation`` is accepted for the ``Engine`` protocol and ignored.

        Raises:
            QueryError: the endpoint rejected the query (HTTP 400).
            EndpointError: the endpoint is down, too slow, failed (HTTP 5xx) or
                answered with something that is not SPARQL JSON results.
        """
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            SPARQLWrapperException,
            Unauthorized,
            URITooLong,
        )

        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setQuery(bind_values(text, bindings or {}))
        wrapper.setMethod(POST)
        wrapper.setReturnFormat(JSON)
        wrapper.setTimeout(max(1, round(self.timeout)))
        try:
            response = wrapper.query()
            body = response.response.read()
            content_type = response.response.headers.get("Content-Type", "")
        except QueryBadFormed as exc:
            raise _remote_syntax_error(exc) from exc
        except SPARQLWrapperException as exc:
            status = {
                EndPointNotFound: "404 Not Found",
                Unauthorized: "401 Unauthorized",
                URITooLong: "414 URI Too Long",
                EndPointInternalError: "500 Internal Server Error",
            }.get(type(exc), type(exc).__name__)
            detail = _response_text(exc)
            raise EndpointError(
                f"{self.endpoint} answered HTTP {status}"
                + (f": {detail}" if detail else ""),
                hint="is it a SPARQL endpoint? look at the server's log",
            ) from exc
        except Exception as exc:  # urllib: URLError, HTTPError, socket timeouts
            raise network_error(self.endpoint, exc, self.timeout) from exc
        return _parse_json_results(self.endpoint, body, content_type)


def _response_text(exc: BaseException) -> str:
    """The body SPARQLWrapper quotes in its exception messages, on one line."""
    text = " ".join(str(exc).split())
    match = re.search(r"Response: b?(['\"])(.*)\1$", text)
    return match[2][:200] if match else ""


def _remote_syntax_error(exc: BaseException) -> QueryError:
    """The server's own message from SPARQLWrapper's ``QueryBadFormed``."""
    message = _response_text(exc) or _first_line(exc)
    position = _OXIGRAPH_POSITION.match(message)
    if position:
        return _syntax_error(position[3], int(position[1]), int(position[2]))
    return QueryError(
        f"the endpoint rejected the query: {message[:300]}",
        hint="check the SPARQL syntax",
    )


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


def network_error(url: str, exc: BaseException, timeout: float) -> EndpointError:
    """One clear ``EndpointError`` line for a failed HTTP exchange with ``url``."""
    import socket
    import urllib.error

    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(exc, urllib.error.HTTPError):
        detail = _http_error_text(exc)
        hint: str | None = "is it a SPARQL endpoint? look at the server's log"
        if exc.code == 413:  # an answer over the server's size limit
            # ResultLimitProxy's reason already says what to do.
            hint = None if detail else "add a LIMIT or narrow the query"
        return EndpointError(
            f"{url} answered HTTP {exc.code} {exc.reason}"
            + (f": {detail}" if detail else ""),
            hint=hint,
        )
    if isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason):
        return EndpointError(
            f"{url} did not answer within {timeout:g} s",
            hint="is the server busy? raise --timeout or try again",
        )
    if isinstance(reason, ConnectionRefusedError) or "refused" in str(reason):
        return EndpointError(
            f"cannot connect to {url}: connection refused",
            hint="is the server running? start one with `samverkansgraf serve`",
        )
    return EndpointError(
        f"cannot reach {url}: {_first_line(exc)}", hint="check the URL and the server"
    )


def _http_error_text(exc: BaseException) -> str:
    """The first line of a plain-text HTTP error body (e.g. a proxy's reason)."""
    try:
        content_type = exc.headers.get("Content-Type", "")  # type: ignore[attr-defined]
        if not content_type.startswith("text/plain"):
            return ""
        text = exc.read(2000).decode("utf-8", "replace")  # type: ignore[attr-defined]
    except Exception:  # the body may be gone or unreadable: the status says enough
        return ""
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else ""


def _parse_json_results(url: str, body: bytes, content_type: str) -> QueryResult:
    """Decode SPARQL 1.1 JSON results, refusing anything else."""
    try:
        payload = json.loads(body.decode("utf-8"))
        if "boolean" in payload:
            return QueryResult(("result",), ((Literal(bool(payload["boolean"])),),))
        columns = tuple(str(v) for v in payload["head"]["vars"])
        rows = tuple(
            tuple(_from_json(binding.get(column)) for column in columns)
            for binding in payload["results"]["bindings"]
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        kind = content_type.split(";")[0].strip() or "no content type"
        raise EndpointError(
            f"{url} did not answer with SPARQL JSON results (got {kind})",
            hint="is the URL a SPARQL query endpoint (for Oxigraph: …/query)?",
        ) from exc
    return QueryResult(columns, rows)


def _from_json(value: Mapping[str, str] | None) -> Identifier | None:
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return Literal(value["value"], lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype and datatype != str(XSD.string):
            return Literal(value["value"], datatype=URIRef(datatype))
        return Literal(value["value"])
    raise KeyError(kind)


def query_url(endpoint: str) -> str:
    """The query URL of an endpoint given as server base or as any of its URLs.

    ``http://127.0.0.1:7878`` and ``…/store`` become ``…/query``; a URL with any
    other path is used as given.

    Example:
        >>> query_url("http://127.0.0.1:7878/")
        'http://127.0.0.1:7878/query'
    """
    base = server_base(endpoint)
    return f"{base}/query" if base is not None else endpoint


def server_base(endpoint: str) -> str | None:
    """``http://host:port`` when ``endpoint`` is an Oxigraph-style server URL
    (no path, or ``/query``, ``/update``, ``/sparql``, ``/store``), else ``None``."""
    match = re.match(
        r"^(https?://[^/?#]+)(/(query|update|sparql|store)?)?/?$", endpoint
    )
    return match[1] if match else None


# ---------------------------------------------------------------------------
# Opening the local dataset, running catalogue queries
# ---------------------------------------------------------------------------

ENGINES: dict[str, Callable[[Path], Engine]] = {
    "oxigraph": OxigraphEngine.from_file,
    "rdflib": RdflibEngine.from_file,
}
"""Local engine name → loader of a dataset dump."""

_CACHE: dict[tuple[str, Path, int, int], Engine] = {}
_CACHE_LOCK = threading.Lock()


def dataset_file(paths: ProjectPaths) -> Path:
    """``dist/samverkansgraf.nq``, checked to exist.

    Raises:
        QueryError: when the project has not been built.
    """
    path = paths.dist_dir / DATASET_FILE
    if not path.is_file():
        raise QueryError(
            f"{path} does not exist",
            hint="run `samverkansgraf build` first",
        )
    return path


def open_engine(
    engine: str = DEFAULT_ENGINE,
    *,
    paths: ProjectPaths | None = None,
    dataset: Path | None = None,
) -> Engine:
    """A local engine over the built dataset, cached while the file is unchanged.

    Args:
        engine: a name of ``ENGINES``.
        paths: the project (default: found from the working directory).
        dataset: a dump to load instead of ``dist/samverkansgraf.nq``.

    Returns:
        The engine, loaded once per process and file version.

    Raises:
        QueryError: unknown engine, or no built dataset.
    """
    if engine not in ENGINES:
        raise QueryError(
            f"unknown engine {engine!r}", hint="use " + " or ".join(ENGINES)
        )
    if dataset is None:
        dataset = dataset_file(paths or find_project_root())
    elif not dataset.is_file():
        raise QueryError(
            f"{dataset} does not exist", hint="run `samverkansgraf build` first"
        )
    stat = dataset.stat()
    key = (engine, dataset.resolve(), stat.st_mtime_ns, stat.st_size)
    with _CACHE_LOCK:
        if key not in _CACHE:
            for old in [k for k in _CACHE if k[:2] == key[:2]]:
                del _CACHE[old]
            log.info("loading %s into %s", dataset, engine)
            _CACHE[key] = ENGINES[engine](dataset)
        return _CACHE[key]


def _engine_for(
    engine: str | Engine | None,
    endpoint: str | None,
    paths: ProjectPaths | None,
    timeout: float,
) -> Engine:
    if endpoint is not None:
        return RemoteEngine(endpoint, timeout)
    if engine is None or isinstance(engine, str):
        return open_engine(engine or DEFAULT_ENGINE, paths=paths)
    return engine


def run_query(
    query: str | QuerySpec,
    params: Mapping[str, object] | None = None,
    /,
    *,
    engine: str | Engine | None = None,
    endpoint: str | None = None,
    project: str | Path | ProjectPaths | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_federation: bool = False,
    warn: Callable[[str], None] | None = None,
    **kwargs: object,
) -> QueryResult:
    """Run a catalogue query with its parameters bound.

    Args:
        query: a ``QuerySpec``, or a catalogue name (``08``, the id or the slug).
        params: parameter name → value (strings as typed on the command line,
            rdflib terms or ints); missing ones take their defaults. Parameters
            may also be given as keyword arguments (``programme="skgid:…"``).
        engine: ``"oxigraph"`` (default) or ``"rdflib"`` over ``dist/``, or an
            ``Engine`` object.
        endpoint: a SPARQL endpoint URL to query instead of ``dist/``.
        project: the project directory (default: found from the working directory).
        timeout: seconds to wait for a remote endpoint.
        allow_federation: let a local engine follow ``SERVICE`` (off by default:
            local engines make no network request unless asked, issue 16).
        warn: called with one sentence per parameter value that names nothing
            in the graph (``unknown_values``); the query runs all the same.

    Returns:
        The result; ``result.to_dataframe()`` gives a pandas DataFrame.

    Raises:
        CatalogueError: unknown query name.
        QueryError: unknown, ill-typed or missing parameter; no built dataset;
            a query refused by screening (``ScreeningError``).
        EndpointError: the endpoint is down, slow or not a SPARQL endpoint.

    Example (in a notebook)::

        from samverkansgraf import run_query
        run_query("08", programme="skgid:programme/skapande-skola").to_dataframe()
    """
    paths = _project(project)
    spec = query if isinstance(query, QuerySpec) else _catalogue_query(query, paths)
    bindings = spec.bind({**(params or {}), **kwargs})
    runner = _engine_for(engine, endpoint, paths, timeout)
    if warn is not None:
        for message in unknown_values(spec, bindings, runner):
            warn(message)
    result = runner.select(spec.text, bindings, allow_federation=allow_federation)
    if result.columns != spec.columns:
        raise QueryError(
            f"query {spec.id} answered with columns {', '.join(result.columns)}, its "
            f"header declares {', '.join(spec.columns)}",
            path=spec.path,
            line=spec.header_lines.get("columns"),
            hint="make # columns: match the SELECT clause",
        )
    return QueryResult(result.columns, result.rows, spec.id)


def run_sparql(
    text: str,
    *,
    engine: str | Engine | None = None,
    endpoint: str | None = None,
    project: str | Path | ProjectPaths | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_federation: bool = False,
) -> QueryResult:
    """Run any SELECT or ASK query over the dataset (union default graph).

    Local engines screen the text first: too deep a nesting, ``SERVICE`` (unless
    ``allow_federation``) and, on rdflib, ``FROM`` are refused before any request
    or parse (issue 16).

    Raises:
        QueryError: a syntax error (with line and column), no built dataset, or a
            refusal by screening (``ScreeningError``).
        EndpointError: the endpoint is down, slow or not a SPARQL endpoint.
    """
    runner = _engine_for(engine, endpoint, _project(project), timeout)
    return runner.select(text, {}, allow_federation=allow_federation)


def _project(project: str | Path | ProjectPaths | None) -> ProjectPaths | None:
    if isinstance(project, ProjectPaths) or project is None:
        return project
    return find_project_root(project)


def _catalogue_query(name: str, paths: ProjectPaths | None) -> QuerySpec:
    return find_query(name, load_catalogue(catalogue_dir(paths)))


def catalogue_bindings(spec: QuerySpec, pairs: Sequence[str]) -> dict[str, str]:
    """Parse ``key=value`` strings (the CLI's ``--param``) into a dict.

    Raises:
        QueryError: for a pair without ``=``, a parameter the query lacks, or a
            parameter given twice (which value was meant cannot be guessed).
    """
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise QueryError(
                f"--param {pair!r} is not key=value", hint="e.g. --param county=20"
            )
        spec.parameter(key.strip())
        if key.strip() in values:
            raise QueryError(
                f"--param {key.strip()} is given twice "
                f"({values[key.strip()]!r} and {value!r})",
                hint="give each parameter once",
            )
        values[key.strip()] = value
    return values


def bound_query_text(
    query: str | QuerySpec,
    params: Mapping[str, object] | None = None,
    /,
    *,
    project: str | Path | ProjectPaths | None = None,
) -> str:
    """The exact text ``run_query`` sends for ``query`` with ``params`` bound.

    Raises:
        CatalogueError: unknown query name.
        QueryError: unknown, ill-typed or missing parameter.
    """
    spec = (
        query
        if isinstance(query, QuerySpec)
        else _catalogue_query(query, _project(project))
    )
    return bind_values(spec.text, spec.bind(params))


def unknown_values(
    spec: QuerySpec, bindings: Mapping[str, Identifier], runner: Engine
) -> list[str]:
    """One sentence per bound value that names nothing in the graph.

    An IRI parameter names nothing when the IRI is neither subject nor object of
    any triple (the closest IRI under the same path is suggested); a ``county``
    parameter when no skg:Region has that skg:countyCode. Other values (a name
    searched for, a year) are not checked: any value is meaningful there.

    Args:
        spec: the query.
        bindings: from ``spec.bind``.
        runner: the engine the query will run on (the checks are small queries).

    Returns:
        Sentences such as ``no resource <…/programme/icornn> in the graph — did
        you mean <…/programme/icorn>?``; empty when every value names something.
    """
    messages: list[str] = []
    for parameter in spec.parameters:
        term = bindings.get(parameter.name)
        if isinstance(term, URIRef):
            message = _unknown_iri(term, runner)
        elif parameter.name == "county" and term is not None:
            message = _unknown_county(str(term), runner)
        else:
            message = None
        if message:
            messages.append(message)
    return messages


def _unknown_iri(iri: URIRef, runner: Engine) -> str | None:
    """A sentence when ``iri`` occurs in no triple, else None."""
    iri_text = sparql_term(iri)
    used = runner.select(
        f"ASK {{ {{ {iri_text} ?p ?o }} UNION {{ ?s ?p {iri_text} }} }}"
    )
    if used.rows and used.rows[0][0] == Literal(True):
        return None
    base = str(iri).rsplit("/", 1)[0] + "/"
    found = runner.select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o . "
        f"FILTER(STRSTARTS(STR(?s), {sparql_term(Literal(base))})) }}"
    )
    known = sorted(str(row[0]) for row in found.rows if isinstance(row[0], URIRef))
    close = difflib.get_close_matches(str(iri), known, n=1, cutoff=0.6)
    if close:
        return f"no resource <{iri}> in the graph — did you mean <{close[0]}>?"
    if known:
        return (
            f"no resource <{iri}> in the graph — under <{base}> there are "
            f"{len(known)}, e.g. <{known[0]}>"
        )
    return f"no resource <{iri}> in the graph — nothing under <{base}> either"


def _unknown_county(code: str, runner: Engine) -> str | None:
    """A sentence when no region has the county code ``code``, else None."""
    found = runner.select(
        "PREFIX skg: <https://w3id.org/samverkansgraf/ontology#> "
        "SELECT DISTINCT ?code WHERE { ?region a skg:Region ; skg:countyCode ?code }"
    )
    codes = sorted({str(row[0]) for row in found.rows if row[0] is not None})
    if code in codes:
        return None
    return f"county {code} names no region — the regions have codes {', '.join(codes)}"
