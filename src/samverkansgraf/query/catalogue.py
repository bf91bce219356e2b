"""Stage 4a — catalogue: the SPARQL queries of ``queries/`` and their headers.

Input: ``queries/<nn>_<slug>.rq`` files, each opening with a block of comment lines
that describe it (STYLE.md section 5)::

    # title: Municipalities committed to a programme
    # question: Vilka kommuner …? / Which municipalities …?
    # parameters: programme (IRI, default skgid:programme/enprocentregeln)
    # columns: municipality, municipalityLabel, agreement, commitment, modality
    # description: Optional free text; continuation lines are indented
    #   like this one.

Output: one frozen ``QuerySpec`` per file (the file stem is its id), the Markdown
table of the catalogue for the README, and lint checks (``check_query``) that the
tests run on every file. A malformed header is a ``CatalogueError`` naming the file
and line; an unknown query name is a ``CatalogueError`` with the closest names.

Every query runs against the union of all named graphs as its default graph (the
ontology, the SKOS schemes, the gazetteer and one graph per source document), so
queries never need ``GRAPH``; ``GRAPH ?g`` still reaches the document graphs.

Parameter grammar (``# parameters:``): ``none``, or entries separated by ``;``,
each ``name (TYPE, default VALUE)`` or ``name (TYPE, required)``, where TYPE is
``IRI``, ``string`` or ``integer``; an IRI default is a prefixed name of
``namespaces.PREFIXES`` or ``<full IRI>``, a string default is double-quoted.

A parameter with a default also carries it in the query body, as a one-variable
``VALUES ?name { <term> }`` block in the outer group (IRIs written in full), so
the file run unchanged anywhere (YASGUI, SPARQLWrapper, any endpoint) gives the
CLI's default answer; ``read_query_file`` refuses a file whose block and header
disagree, and the binder replaces the block with the caller's value. A required
parameter has no block: the file run as-is leaves it unbound (21 then lists the
evidence of every resource).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..errors import CatalogueError, QueryError, SourceError
from ..namespaces import PREFIXES
from ..sources import ProjectPaths, bundled_dir, find_project_root

__all__ = [
    "HEADER_KEYS",
    "IRI_FORBIDDEN",
    "PARAMETER_TYPES",
    "Parameter",
    "QuerySpec",
    "SparqlText",
    "catalogue_dir",
    "check_query",
    "find_query",
    "load_catalogue",
    "read_query_file",
    "render_catalogue_markdown",
    "ValuesBlock",
    "scan_sparql",
    "values_blocks",
]

REQUIRED_KEYS = ("title", "question", "parameters", "columns")
# Keyword arguments of query.run_query: a parameter cannot share their names.
RESERVED_PARAMETER_NAMES = frozenset(
    {"engine", "endpoint", "project", "timeout", "allow_federation", "warn"}
)
HEADER_KEYS = (*REQUIRED_KEYS, "description")
PARAMETER_TYPES = ("IRI", "string", "integer")
QUERY_FILE = re.compile(r"^[0-9]{2}_[a-z0-9_]+\.rq$")

_KEY_LINE = re.compile(r"^#\s?([A-Za-z_-]+):\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_PARAMETER = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<type>[A-Za-z]+)\s*"
    r"(?:,\s*(?P<rest>.*?))?\s*\)$"
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Characters SPARQL's IRIREF never allows inside <…> (also used by query.py).
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
# Years, counts and codes: far fewer digits than Python's 4,300-digit limit on
# int(), past which conversion raises instead of answering.
_MAX_INTEGER_DIGITS = 18


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a query."""

    name: str
    """The SPARQL variable it binds (without ``?``)."""
    type: str
    """``IRI``, ``string`` or ``integer``."""
    default: Identifier | None = None
    """The RDF term used when the caller gives no value."""
    required: bool = False
    """True when the caller must give a value (no default)."""

    def to_term(self, value: object) -> Identifier:
        """Turn a caller's value into the RDF term this parameter binds.

        Args:
            value: a string as typed on the command line (an IRI, a prefixed name
                such as ``skgid:programme/icorn``, a string, an integer), or an
                rdflib term, or a Python ``int``.

        Returns:
            A ``URIRef`` for IRI parameters, a plain ``Literal`` for strings and an
            ``xsd:integer`` ``Literal`` for integers.

        Raises:
            QueryError: when the value does not fit the type.

        Example:
            >>> Parameter("year", "integer").to_term("2021")
            rdflib.term.Literal('2021', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
        """
        if self.type == "IRI":
            if isinstance(value, URIRef):
                return parse_iri(str(value), f"parameter {self.name}")
            if not isinstance(value, str):
                raise QueryError(
                    f"parameter {self.name} takes an IRI, got {value!r}",
                    hint="give a full IRI or a prefixed name such as "
                    "skgid:programme/icorn",
                )
            return parse_iri(value, f"parameter {self.name}")
        if self.type == "integer":
            text = str(value).strip()
            if isinstance(value, bool) or not _INTEGER.match(text):
                raise QueryError(
                    f"parameter {self.name} takes an integer, got {value!r}",
                    hint=f"for example --param {self.name}=2021",
                )
            digits = len(text.lstrip("+-"))
            if digits > _MAX_INTEGER_DIGITS:
                raise QueryError(
                    f"parameter {self.name} takes an integer of at most "
                    f"{_MAX_INTEGER_DIGITS} digits, got one of {digits} digits",
                    hint=f"for example --param {self.name}=2021",
                )
            return Literal(int(text), datatype=XSD.integer)
        if isinstance(value, Literal):
            return Literal(str(value))
        if not isinstance(value, str):
            raise QueryError(f"parameter {self.name} takes a string, got {value!r}")
        return Literal(value)

    def describe(self) -> str:
        """The parameter as a header writes it: ``county (string, default "20")``."""
        if self.required:
            return f"{self.name} ({self.type}, required)"
        return f"{self.name} ({self.type}, default {_show_term(self.default)})"


@dataclass(frozen=True)
class QuerySpec:
    """A catalogue query: its header and its SPARQL text."""

    id: str
    """The file stem, e.g. ``08_municipalities_committed_to_programme``."""
    title: str
    """A short title."""
    question: str
    """The question it answers, ``Swedish / English``."""
    parameters: tuple[Parameter, ...]
    """Declared parameters, in header order."""
    columns: tuple[str, ...]
    """The variables the query projects, in order."""
    text: str
    """The whole file (header comments included; they are SPARQL comments)."""
    path: Path
    """The ``.rq`` file."""
    description: str = ""
    """Optional longer explanation (how the question is answered)."""
    header_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """Header key → 1-based line in the file, for messages."""

    def parameter(self, name: str) -> Parameter:
        """The declared parameter ``name``.

        Raises:
            QueryError: when the query declares no such parameter.
        """
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = [p.name for p in self.parameters]
        close = difflib.get_close_matches(name, known, n=1)
        hint = (
            f"did you mean {close[0]}?"
            if close
            else f"it takes {', '.join(known)}"
            if known
            else "it takes no parameters"
        )
        raise QueryError(f"query {self.id} has no parameter {name!r}", hint=hint)

    def bind(self, values: Mapping[str, object] | None = None) -> dict[str, Identifier]:
        """Every parameter's RDF term: the caller's value, else the default.

        Args:
            values: parameter name → value (see ``Parameter.to_term``).

        Returns:
            Parameter name → RDF term, for every declared parameter.

        Raises:
            QueryError: for an unknown parameter, a value of the wrong type, or a
                missing required parameter (named in the message).
        """
        values = dict(values or {})
        for name in values:
            self.parameter(name)
        bound: dict[str, Identifier] = {}
        for parameter in self.parameters:
            value = values.get(parameter.name)
            if value is not None:
                bound[parameter.name] = parameter.to_term(value)
            elif parameter.default is not None:
                bound[parameter.name] = parameter.default
            else:
                raise QueryError(
                    f"query {self.id} needs the parameter {parameter.name!r} "
                    f"({parameter.type})",
                    hint=f"add --param {parameter.name}=VALUE",
                )
        return bound


def parse_iri(text: str, what: str = "value") -> URIRef:
    """Parse an IRI given as ``<…>``, a full IRI or a project prefixed name.

    Args:
        text: e.g. ``skgid:programme/icorn`` or ``<https://…>``.
        what: how to name the value in an error message.

    Returns:
        The IRI.

    Raises:
        QueryError: when ``text`` is not an absolute IRI.

    Example:
        >>> str(parse_iri("skgid:kommun/2083"))
        'https://w3id.org/samverkansgraf/id/kommun/2083'
    """
    raw = text.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    else:
        prefix, colon, local = raw.partition(":")
        if colon and prefix in PREFIXES and not local.startswith("//"):
            raw = str(PREFIXES[prefix]) + local
    hint = (
        "give a full IRI (https://…) or a prefixed name such as "
        "skgid:programme/icorn (prefixes: " + ", ".join(PREFIXES) + ")"
    )
    if not _IRI_SCHEME.match(raw) or IRI_FORBIDDEN.search(raw):
        raise QueryError(f"{what}: {text!r} is not an IRI", hint=hint)
    try:  # RFC 3987 as the engines read it (e.g. '%' needs two hex digits)
        pyoxigraph.NamedNode(raw)
    except ValueError as exc:
        raise QueryError(f"{what}: {text!r} is not an IRI ({exc})", hint=hint) from None
    return URIRef(raw)


def _show_term(term: Identifier | None) -> str:
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(term).startswith(str(namespace)) and prefix in ("skgid", "skg"):
                return f"{prefix}:{str(term)[len(str(namespace)) :]}"
        return f"<{term}>"
    if isinstance(term, Literal) and term.datatype == XSD.integer:
        return str(term)
    return json.dumps(str(term), ensure_ascii=False)


def _parse_default(raw: str, type_: str, error: CatalogueError) -> Identifier:
    """A header default value as an RDF term."""
    try:
        if type_ == "string":
            value = json.loads(raw)
            if not isinstance(value, str):
                raise ValueError(raw)
            return Literal(value)
        return Parameter("default", type_).to_term(raw)
    except (QueryError, ValueError) as exc:
        raise error from exc


def _parse_parameters(text: str, path: Path, line: int) -> tuple[Parameter, ...]:
    if text.strip().lower() in {"none", "-", ""}:
        return ()
    parameters: list[Parameter] = []
    for entry in (part.strip() for part in text.split(";")):
        match = _PARAMETER.match(entry)

        def error(what: str, entry: str = entry) -> CatalogueError:
            return CatalogueError(
                f"parameter {entry!r}: {what}",
                path=path,
                line=line,
                hint="write 'name (TYPE, default VALUE)' or 'name (TYPE, required)', "
                "TYPE one of "
                + ", ".join(PARAMETER_TYPES)
                + ", entries separated by ;",
            )

        if match is None:
            raise error("cannot read it")
        name, type_, rest = match["name"], match["type"], (match["rest"] or "").strip()
        canonical = {t.lower(): t for t in PARAMETER_TYPES}.get(type_.lower())
        if canonical is None:
            raise error(f"unknown type {type_!r}")
        if any(p.name == name for p in parameters):
            raise error("declared twice")
        if name in RESERVED_PARAMETER_NAMES:
            raise error(f"the name {name!r} is reserved for run_query's own options")
        if rest in {"", "required"}:
            parameters.append(Parameter(name, canonical, None, True))
        elif rest.startswith("default "):
            raw = rest.removeprefix("default ").strip()
            default = _parse_default(raw, canonical, error(f"bad default {raw!r}"))
            parameters.append(Parameter(name, canonical, default, False))
        else:
            raise error(f"expected 'default VALUE' or 'required', got {rest!r}")
    return tuple(parameters)


def read_query_file(path: str | Path) -> QuerySpec:
    """Read one ``.rq`` file and its header.

    Args:
        path: ``queries/<nn>_<slug>.rq``.

    Returns:
        Its ``QuerySpec``.

    Raises:
        CatalogueError: ``file:line: what is wrong — what to do`` for an unreadable
            file, an unknown or repeated header key, a missing required key, a bad
            parameter declaration or a bad column list.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(
            f"cannot read the query ({exc})", path=path, hint="save it as UTF-8 text"
        ) from exc
    fields: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    current: str | None = None
    number = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.startswith("#"):
            break
        if line.strip() == "#":
            current = None
            continue
        if (match := _CONTINUATION.match(line)) and current is not None:
            fields[current].append(match[1].strip())
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            raise CatalogueError(
                f"header line {line!r} is not '# key: value'",
                path=path,
                line=number,
                hint="header keys are "
                + ", ".join(HEADER_KEYS)
                + "; indent continuation lines ('#   more text')",
            )
        key = match[1].lower()
        if key not in HEADER_KEYS:
            close = difflib.get_close_matches(key, HEADER_KEYS, n=1)
            raise CatalogueError(
                f"unknown header key {key!r}",
                path=path,
                line=number,
                hint=f"did you mean {close[0]!r}?"
                if close
                else "header keys are " + ", ".join(HEADER_KEYS),
            )
        if key in fields:
            raise CatalogueError(
                f"header key {key!r} occurs twice",
                path=path,
                line=number,
                hint=f"it was first given on line {lines[key]}",
            )
        fields[key] = [match[2].strip()]
        lines[key] = number
        current = key
    for key in REQUIRED_KEYS:
        if key not in fields or not " ".join(fields[key]).strip():
            raise CatalogueError(
                f"the header lacks '# {key}:'",
                path=path,
                line=1 if not lines else min(lines.values()),
                hint="every query opens with # title:, # question:, # parameters: "
                "(or 'none') and # columns:",
            )
    values = {key: " ".join(parts).strip() for key, parts in fields.items()}
    columns = tuple(c.strip().lstrip("?$") for c in values["columns"].split(","))
    if not all(_NAME.match(c) for c in columns) or len(set(columns)) != len(columns):
        raise CatalogueError(
            f"bad column list {values['columns']!r}",
            path=path,
            line=lines["columns"],
            hint="list the projected variable names, comma-separated, each once",
        )
    parameters = _parse_parameters(values["parameters"], path, lines["parameters"])
    _check_values_defaults(text, parameters, path)
    return QuerySpec(
        id=path.stem,
        title=values["title"],
        question=values["question"],
        parameters=parameters,
        columns=columns,
        text=text,
        path=path,
        description=values.get("description", ""),
        header_lines=dict(lines),
    )


def _check_values_defaults(
    text: str, parameters: tuple[Parameter, ...], path: Path
) -> None:
    """Check that each parameter's ``VALUES`` block holds the header's default.

    Raises:
        CatalogueError: a default without a block, a block for a required
            parameter, or a block whose value is not the header's default.
    """
    blocks = {b.name: b for b in values_blocks(text) if b.outer}
    for parameter in parameters:
        block = blocks.get(parameter.name)
        line = text.count("\n", 0, block.start) + 1 if block else None
        if parameter.required:
            if block is not None:
                raise CatalogueError(
                    f"required parameter {parameter.name} has a VALUES block",
                    path=path,
                    line=line,
                    hint="give it a default in the header, or drop the block",
                )
            continue
        default = _show_term(parameter.default)
        if block is None:
            continue  # check_query reports it: hand-written probes may lack one
        written = text[block.data_start : block.data_end].strip()
        try:
            term = _parse_values_term(written, parameter.type)
        except (QueryError, ValueError):
            term = None
        if term != parameter.default:
            raise CatalogueError(
                f"VALUES ?{parameter.name} holds {written}, the header's default is "
                f"{default}",
                path=path,
                line=line,
                hint="write the same value in both places",
            )


def _values_term(term: Identifier | None) -> str:
    """A default as the ``VALUES`` block of a catalogue file writes it."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    return _show_term(term)


def _parse_values_term(raw: str, type_: str) -> Identifier:
    """The one value of a parameter's ``VALUES`` block, as an RDF term.

    Raises:
        QueryError, ValueError: when it is not one term of the parameter's type.
    """
    if type_ == "IRI":
        if not (raw.startswith("<") and raw.endswith(">")):
            raise ValueError(raw)
        return parse_iri(raw)
    if type_ == "integer":
        if not _INTEGER.match(raw):
            raise ValueError(raw)
        return Literal(int(raw), datatype=XSD.integer)
    value = json.loads(raw)
    if not isinstance(value, str):
        raise ValueError(raw)
    return Literal(value)


def load_catalogue(queries_dir: str | Path) -> dict[str, QuerySpec]:
    """Read every ``queries/*.rq`` file.

    Args:
        queries_dir: the ``queries/`` directory.

    Returns:
        Query id → spec, in file-name order.

    Raises:
        CatalogueError: for a missing directory, a file not named
            ``<nn>_<slug>.rq``, two files with the same number, or a bad header.
    """
    queries_dir = Path(queries_dir)
    if not queries_dir.is_dir():
        raise CatalogueError(
            "the query catalogue directory is missing",
            path=queries_dir,
            hint="run inside the project (it has queries/) or pass --project",
        )
    specs: dict[str, QuerySpec] = {}
    numbers: dict[str, str] = {}
    for path in sorted(queries_dir.glob("*.rq")):
        if not QUERY_FILE.match(path.name):
            raise CatalogueError(
                "query file name is not '<nn>_<slug>.rq'",
                path=path,
                hint="two digits, an underscore, a lower-case slug with underscores",
            )
        number = path.name[:2]
        if number in numbers:
            raise CatalogueError(
                f"query number {number} is also used by {numbers[number]}",
                path=path,
                hint="give every query its own number",
            )
        numbers[number] = path.name
        spec = read_query_file(path)
        specs[spec.id] = spec
    return specs


def catalogue_dir(paths: ProjectPaths | None = None) -> Path:
    """Where the catalogue is: the project's ``queries/``, else the package's copy.

    Inside a project (or with ``paths``) its ``queries/`` wins, so edits show at
    once; outside one, an installed wheel's copy (``sources.bundled_dir``) lets
    ``query NAME --endpoint URL`` and ``run_query(NAME, endpoint=URL)`` run
    anywhere.

    Raises:
        CatalogueError: outside a project, with a package that carries none
            (an editable install used outside its checkout).
    """
    if paths is not None:
        return paths.queries_dir
    try:
        return find_project_root().queries_dir
    except SourceError as exc:
        bundled = bundled_dir("queries")
        if bundled is not None:
            return bundled
        raise CatalogueError(
            "no query catalogue: this is not a samverkansgraf project and the "
            "installed package carries no copy of queries/",
            hint="run inside the project, pass --project DIR, set "
            "SAMVERKANSGRAF_HOME, or install the package from a wheel",
        ) from exc


def find_query(name: str, catalogue: Mapping[str, QuerySpec]) -> QuerySpec:
    """Look a query up by id, by its number (``08``) or by its slug.

    Args:
        name: ``08_municipalities_committed_to_programme``, ``08``, ``8`` or
            ``municipalities_committed_to_programme``.
        catalogue: from ``load_catalogue``.

    Returns:
        The spec.

    Raises:
        CatalogueError: for an unknown name, suggesting the closest ids.
    """
    key = name.strip().removesuffix(".rq")
    if key in catalogue:
        return catalogue[key]
    for spec in catalogue.values():
        number, _, slug = spec.id.partition("_")
        # ASCII digits only: "²".isdigit() is True, but it is no query number.
        numeric = key.isascii() and key.isdigit()
        if key in {slug, number} or (numeric and int(key) == int(number)):
            return spec
    ids = list(catalogue)
    slugs = {spec.id.partition("_")[2]: spec.id for spec in catalogue.values()}
    close = difflib.get_close_matches(key, ids, n=3, cutoff=0.5)
    close += [slugs[s] for s in difflib.get_close_matches(key, slugs, n=3, cutoff=0.5)]
    close = list(dict.fromkeys(close))[:3]
    hint = (
        "did you mean " + " or ".join(close) + "?"
        if close
        else "list the queries with `samverkansgraf query --list`"
    )
    raise CatalogueError(f"no query named {name!r}", hint=hint)


# ---------------------------------------------------------------------------
# The structure of a SPARQL text, for parameter binding and lint checks
# ---------------------------------------------------------------------------

_IRIREF = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')
_VARIABLE = re.compile(r"[?$]([A-Za-z_0-9\u00b7\u00c0-\uffff]+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class SparqlText:
    """Where the parts of a query text are (0-based character offsets)."""

    outer_open: int | None
    """The ``{`` that opens the outermost group pattern (the WHERE clause)."""
    outer_close: int | None
    """Its matching ``}``."""
    outer_starts_with_select: bool
    """True when the outer group is a bare sub-SELECT (``WHERE { SELECT … }``)."""
    variables: tuple[tuple[str, int, bool], ...]
    """Every variable occurrence: name, offset, inside a nested sub-SELECT."""


def scan_sparql(text: str) -> SparqlText:
    """Find the outer group and the variable occurrences of a SPARQL text.

    Comments, string literals and IRIs are skipped, so braces or ``?x`` inside
    them do not count. Nested ``SELECT``s (sub-queries) are tracked so the lint
    can tell whether a parameter is used only in the outer query.

    Example:
        >>> s = scan_sparql('SELECT ?a WHERE { ?a <p> "{?b}" }  # ?c')
        >>> s.outer_open, [v[0] for v in s.variables]
        (16, ['a', 'a'])
    """
    depth = 0
    outer_open: int | None = None
    outer_close: int | None = None
    first_token_after_open: str | None = None
    subselect_depths: list[int] = []  # brace depth at which each open sub-SELECT lives
    variables: list[tuple[str, int, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if ch in "\"'":
            long = text.startswith(ch * 3, i)
            quote = ch * 3 if long else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            if outer_open is not None and first_token_after_open is None:
                first_token_after_open = "string"
            continue
        if ch == "<" and (match := _IRIREF.match(text, i)):
            i = match.end()
            if outer_open is not None and first_token_after_open is None:
                first_token_after_open = "iri"
            continue
        if ch in "?$" and (match := _VARIABLE.match(text, i)):
            variables.append((match[1], i, bool(subselect_depths)))
            if outer_open is not None and first_token_after_open is None:
                first_token_after_open = "variable"
            i = match.end()
            continue
        if ch == "{":
            if outer_open is None:
                outer_open = i
            elif first_token_after_open is None:
                first_token_after_open = "{"
            depth += 1
        elif ch == "}":
            depth -= 1
            while subselect_depths and depth < subselect_depths[-1]:
                subselect_depths.pop()
            if depth == 0 and outer_close is None and outer_open is not None:
                outer_close = i
        elif ch.isalpha() or ch == "_":
            match = _WORD.match(text, i)
            assert match is not None
            word = match[0]
            if outer_open is not None and first_token_after_open is None:
                first_token_after_open = word.upper()
            if word.upper() == "SELECT" and depth >= 1:
                subselect_depths.append(depth)
            i = match.end()
            continue
        i += 1
    return SparqlText(
        outer_open=outer_open,
        outer_close=outer_close,
        outer_starts_with_select=first_token_after_open == "SELECT",
        variables=tuple(variables),
    )


@dataclass(frozen=True)
class ValuesBlock:
    """A one-variable ``VALUES ?name { … }`` block (0-based character offsets)."""

    name: str
    """The variable it binds (without ``?``)."""
    start: int
    """Where the ``VALUES`` keyword starts."""
    end: int
    """Just after the block's closing ``}``."""
    data_start: int
    """Just after the data block's ``{``."""
    data_end: int
    """The data block's ``}``."""
    outer: bool
    """True when it stands directly in the outer group (not nested, not in a
    sub-SELECT): there it binds the variable for the whole query."""


def _tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """SPARQL tokens as (kind, text, start, end), comments dropped.

    Kinds: ``string``, ``iri``, ``variable`` (text without ``?``), ``word`` and
    ``punct`` (one character). Strings and IRIs are whole tokens, so a brace or
    ``VALUES`` inside them is not seen.
    """
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            yield "string", text[i : j + len(quote)], i, j + len(quote)
            i = j + len(quote)
        elif ch == "<" and (match := _IRIREF.match(text, i)):
            yield "iri", match[0], i, match.end()
            i = match.end()
        elif ch in "?$" and (match := _VARIABLE.match(text, i)):
            yield "variable", match[1], i, match.end()
            i = match.end()
        elif ch.isalpha() or ch == "_":
            match = _WORD.match(text, i)
            assert match is not None  # the character class of _WORD's first char
            yield "word", match[0], i, match.end()
            i = match.end()
        else:
            if not ch.isspace():
                yield "punct", ch, i, i + 1
            i += 1


def values_blocks(text: str) -> list[ValuesBlock]:
    """Every one-variable ``VALUES ?x { … }`` block of a query, in order.

    Found by tokens, not by a pattern over the raw text: a ``VALUES`` in a
    comment, a string or an IRI is not a block. The multi-variable form
    ``VALUES (?a ?b) { … }`` is not reported (parameters use the one-variable
    form).

    Example:
        >>> q = 'SELECT * WHERE { # VALUES ?a { 1 }\\n VALUES ?a { "}" } ?a ?b ?c }'
        >>> [(b.name, q[b.data_start:b.data_end], b.outer) for b in values_blocks(q)]
        [('a', ' "}" ', True)]
    """
    blocks: list[ValuesBlock] = []
    depth = 0
    subselect_depths: list[int] = []
    tokens = _tokens(text)
    for kind, token, start, _ in tokens:
        if kind == "punct" and token == "{":
            depth += 1
        elif kind == "punct" and token == "}":
            depth -= 1
            while subselect_depths and depth < subselect_depths[-1]:
                subselect_depths.pop()
        elif kind == "word" and token.upper() == "SELECT" and depth >= 1:
            subselect_depths.append(depth)
        elif kind == "word" and token.upper() == "VALUES":
            variable = next(tokens, None)
            if variable is None or variable[0] != "variable":
                continue  # the (?a ?b) form: its braces are counted as usual
            opening = next(tokens, None)
            if opening is None or opening[:2] != ("punct", "{"):
                continue
            for closing in tokens:
                if closing[:2] == ("punct", "}"):
                    blocks.append(
                        ValuesBlock(
                            name=variable[1],
                            start=start,
                            end=closing[3],
                            data_start=opening[3],
                            data_end=closing[2],
                            outer=depth == 1 and not subselect_depths,
                        )
                    )
                    break
    return blocks


def check_query(spec: QuerySpec) -> list[str]:
    """Lint one catalogue query; an empty list means it is fine.

    Checks that the text parses (rdflib ``prepareQuery``), is a SELECT query,
    projects exactly the header's columns in order, that every declared parameter
    occurs as ``?name`` in the query body, and that a parameter is used in the
    outer query and never inside a sub-SELECT (there rdflib's ``initBindings``
    and an injected ``VALUES`` block would mean different things).

    Args:
        spec: the query.

    Returns:
        Problems, one sentence each.
    """
    from rdflib.plugins.sparql import prepareQuery

    problems: list[str] = []
    try:
        prepared = prepareQuery(spec.text)
    except Exception as exc:  # pyparsing and rdflib raise several kinds
        return [f"does not parse: {exc}"]
    algebra = prepared.algebra
    if algebra.name != "SelectQuery":
        problems.append(f"is a {algebra.name}, the catalogue holds SELECT queries")
    # CompValue.get's second argument is not a default: `or` supplies one.
    projected = tuple(str(v) for v in algebra.get("PV") or [])
    if projected != spec.columns:
        problems.append(
            f"projects {', '.join(projected)} but the header declares "
            f"{', '.join(spec.columns)}"
        )
    structure = scan_sparql(spec.text)
    blocks = {b.name for b in values_blocks(spec.text) if b.outer}
    for parameter in spec.parameters:
        uses = [v for v in structure.variables if v[0] == parameter.name]
        if uses and not parameter.required and parameter.name not in blocks:
            problems.append(
                f"parameter {parameter.name} has no VALUES ?{parameter.name} block "
                f"with its default {_values_term(parameter.default)} in the outer "
                "group, so the file run as published leaves it unbound"
            )
        if not uses:
            problems.append(
                f"parameter {parameter.name} does not occur as ?{parameter.name}"
            )
        elif any(inside for _, _, inside in uses):
            problems.append(
                f"parameter {parameter.name} is used inside a sub-SELECT; use it in "
                "the outer query only"
            )
    return problems


def render_catalogue_markdown(
    specs: Iterable[QuerySpec], *, run_base: str | None = None
) -> str:
    """The catalogue as a Markdown table, generated from the headers.

    Args:
        specs: the queries, e.g. ``load_catalogue(...).values()``.
        run_base: where the published site is (``publication.toml``'s
            ``base_url``): each query id then links to its run URL on the
            site's query page, ``<run_base>query.html?name=<id>``.

    Returns:
        A table with one row per query: id, title, question, parameters, columns.
    """

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = [
        "| query | title | question | parameters | columns |",
        "|---|---|---|---|---|",
    ]
    for spec in specs:
        parameters = "; ".join(p.describe() for p in spec.parameters) or "—"
        name = f"`{spec.id}`"
        if run_base is not None:
            name = f"[{name}]({run_base}query.html?name={spec.id})"
        rows.append(
            f"| {name} | {cell(spec.title)} | {cell(spec.question)} | "
            f"{cell(parameters)} | {cell(', '.join(spec.columns))} |"
        )
    return "\n".join(rows) + "\n"
