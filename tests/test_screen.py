"""Screening SPARQL before any engine sees it (issue 16, items 2 and 4): nesting,
size, SERVICE, LOAD and FROM refused with one sentence; keywords inside strings,
IRIs and comments left alone; every catalogue query passes; the local engines and
``validate`` make no network request unless asked."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from samverkansgraf import run_query
from samverkansgraf.cli import cli
from samverkansgraf.errors import QueryError
from samverkansgraf.query.catalogue import load_catalogue
from samverkansgraf.query.engines import bind_values
from samverkansgraf.query.screen import (
    MAX_NESTING,
    MAX_QUERY_BYTES,
    ScreeningError,
    screen_query,
    screen_update,
)
from samverkansgraf.rdfio import JSON_LD, refuse_remote_contexts
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(ROOT / "queries")
# Values for parameters that have no default.
REQUIRED = {"resource": "skgid:commitment/hedemora-2019-2022/6-3"}

DEEP = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }"
DEPTH_MESSAGE = (
    "the query nests brackets 6002 deep, more than the limit of 64 — flatten the "
    "expression or split the query"
)
SERVICE_MESSAGE = (
    "the query uses SERVICE (federation), which sends requests to other servers — "
    "remove it, or pass --allow-federation if you mean it"
)
FROM_MESSAGE = (
    "the query names a dataset with FROM, which this engine would fetch from the "
    "web and use instead of the local data — remove the FROM clause (the local "
    "dataset is queried by default), or use --engine oxigraph"
)
LOAD_MESSAGE = (
    "the update uses LOAD, which fetches data from other servers — remove it, or "
    "pass --allow-federation if you mean it"
)


def _refusal(text: str, **options: bool) -> str:
    with pytest.raises(ScreeningError) as caught:
        screen_query(text, **options)
    return str(caught.value)


# ---------------------------------------------------------------------------
# Nesting and size
# ---------------------------------------------------------------------------


def test_a_6000_deep_filter_is_refused_before_any_parser() -> None:
    started = time.perf_counter()
    assert _refusal(DEEP) == DEPTH_MESSAGE
    assert time.perf_counter() - started < 1.0
    assert issubclass(ScreeningError, QueryError) and ScreeningError.exit_code == 4


def test_the_depth_limit_is_exact() -> None:
    # "{" and "FILTER(" are two levels; the parentheses make up the rest.
    def nested(levels: int) -> str:
        inner = "(" * (levels - 2) + "1" + ")" * (levels - 2)
        return "ASK { FILTER(" + inner + ") }"

    screen_query(nested(MAX_NESTING))
    assert "nests brackets 65 deep" in _refusal(nested(MAX_NESTING + 1))
    braces = "SELECT * WHERE " + "{" * 65 + " ?s ?p ?o " + "}" * 65
    assert "65 deep" in _refusal(braces)
    lists = "SELECT * WHERE { ?s ?p " + "(" * 70 + "1" + ")" * 70 + " }"
    assert "71 deep" in _refusal(lists)


def test_nesting_hidden_by_an_ambiguous_angle_bracket_is_counted() -> None:
    # A lexer that always reads <'> as an IRI would see the string '(((…' and
    # miss the nesting that a parser (which reads ?a < '>?b') descends into.
    text = "ASK { FILTER(?a<'>?b' && " + "(" * 6000 + "1" + ")" * 6000 + ") <x'> }"
    assert "nests brackets 6002 deep" in _refusal(text)
    # Closers in strings and escaped closers never lower the count.
    text = "ASK { FILTER(" + '(((( "))))) " ex:a\\)' * 100 + ") }"
    assert "deep" in _refusal(text)


def test_nested_quoted_triples_count() -> None:
    # Oxigraph parses << >> recursively too: 6,000 nested ones hang it for minutes.
    text = "SELECT * WHERE { ?s ?p " + "<<?a ?b " * 3000 + "?c" + ">>" * 3000 + " }"
    assert "nests brackets 3001 deep" in _refusal(text)
    flat = "SELECT * WHERE { " + "<< ?a ?b <urn:c>>> ?p ?o . " * 100 + "}"
    screen_query(flat)


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    text = (
        'SELECT * WHERE { ?s ?p "' + "(" * 500 + '" . ?s ?p """' + "{" * 500 + '""" '
        "# " + "[" * 500 + "\n ?s <http://x/a_(b)> ?o }"
    )
    screen_query(text)
    # Inside <…> they do count (once read as the operator "<"): a real IRI has a
    # few balanced ones, and only a reading that counts them is safe.
    assert "deep" in _refusal("SELECT * WHERE { ?s <http://x/" + "(" * 70 + "> ?o }")


def test_queries_over_the_size_limit_are_refused_updates_are_not() -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_BYTES
    assert _refusal(big) == (
        f"the query is {len(big)} bytes, more than the limit of 65536 — shorten it "
        "(bind long value lists as parameters or split the query)"
    )
    dump = (
        "INSERT DATA { "
        + " ".join(
            f'<http://ex.org/service/{i}> <http://ex.org/load#p> "LOAD <x> {i}" .'
            for i in range(3000)
        )
        + " }"
    )
    assert len(dump) > 3 * MAX_QUERY_BYTES
    screen_update(dump)


# ---------------------------------------------------------------------------
# Federation, LOAD and dataset clauses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "select * where { { OPTIONAL { SeRvIcE SILENT <http://127.0.0.1:9/> "
        "{ ?s ?p ?o } } } }",
        "SELECT * WHERE { ?s ?p ?o { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?p ?o }"
        " } } }",
        "SELECT * WHERE { ?s ?p ?o.SERVICE<http://127.0.0.1:9/>{?s ?p ?o} }",
        # \u escapes are expanded before parsing (SPARQL 1.1 §19.2).
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        # rdflib cannot parse this, another parser might: still refused.
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } NONSENSE",
    ],
)
def test_service_is_refused_in_every_spelling(text: str) -> None:
    assert _refusal(text) == SERVICE_MESSAGE
    screen_query(text, allow_federation=True)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" }',
        "SELECT * WHERE { ?s ?p '''LOAD <http://x/>\nSERVICE <http://x/> {}''' }",
        "SELECT * WHERE { ?s <http://x.org/a.service#b> ?o }",
        "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
        "SELECT ?service WHERE { ?service ?p ?o }",
        'SELECT * WHERE { ?s ?p "from" FILTER(?p != <http://x/from>) }',
    ],
)
def test_keywords_in_strings_iris_comments_and_names_pass(text: str) -> None:
    screen_query(text, allow_dataset_clauses=False)


def test_from_is_refused_only_where_the_engine_would_fetch_it() -> None:
    text = "SELECT * FROM <http://127.0.0.1:9/x> FROM NAMED <file:///etc/passwd> "
    text += "WHERE { ?s ?p ?o }"
    screen_query(text)  # Oxigraph selects local graphs with FROM
    assert _refusal(text, allow_dataset_clauses=False) == FROM_MESSAGE


def test_load_and_service_in_updates() -> None:
    with pytest.raises(ScreeningError) as caught:
        screen_update("LOAD SILENT <http://127.0.0.1:9/x> INTO GRAPH <urn:g>")
    assert str(caught.value) == LOAD_MESSAGE
    with pytest.raises(ScreeningError, match="the update uses SERVICE"):
        screen_update(
            "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
        )
    screen_update("INSERT DATA { <urn:a> <urn:b> 'SERVICE <http://x/> {}' }")
    screen_update("LOAD <http://127.0.0.1:9/x>", allow_federation=True)
    # A dump too large to parse is screened lexically, and still caught.
    padding = " ".join(f"<urn:s{i}> <urn:p> <urn:o> ." for i in range(3000))
    sneaky = (
        f"INSERT DATA {{ {padding} }} ; INSERT {{ ?s ?p ?o }} WHERE {{ "
        "FILTER(?a<'>?b') SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    )
    with pytest.raises(ScreeningError, match="the update uses SERVICE"):
        screen_update(sneaky)


def test_a_syntax_error_is_left_to_the_engine() -> None:
    screen_query("SELECT * WHERE { ?s ?p }")
    screen_query("SELECT * FROM WHERE { ?s ?p ?o", allow_dataset_clauses=False)


# ---------------------------------------------------------------------------
# The catalogue passes, quickly
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec", CATALOGUE.values(), ids=list(CATALOGUE))
def test_every_catalogue_query_passes_screening(spec) -> None:
    values = {p.name: REQUIRED[p.name] for p in spec.parameters if p.required}
    bound = bind_values(spec.text, spec.bind(values))
    for text in (spec.text, bound):
        screen_query(text, allow_dataset_clauses=False)


# ---------------------------------------------------------------------------
# The local engines and `validate` stay local (item 4)
# ---------------------------------------------------------------------------

EMPTY_RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request and answers with empty
    SPARQL results (or a JSON-LD context); yields its base URL and the log."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            requests.append(f"{self.command} {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
            self.end_headers()
            self.wfile.write(EMPTY_RESULTS)

        do_GET = do_POST = _answer  # noqa: N815 (http.server's naming)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def _invoke(runner: CliRunner, project: ProjectPaths, *args: str, **kwargs):
    return runner.invoke(cli, ["--project", str(project.root), *args], **kwargs)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_sparql_refuses_a_deep_query_in_one_line_without_crashing(
    built_project: ProjectPaths, engine: str
) -> None:
    # A subprocess: before the screen, Oxigraph overflowed its stack (exit 139).
    done = subprocess.run(
        [sys.executable, "-m", "samverkansgraf", "--project", str(built_project.root)]
        + ["sparql", "-", "--engine", engine],
        input=DEEP,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 4, done.stderr
    assert done.stdout == ""
    assert done.stderr == f"error: {DEPTH_MESSAGE}\n"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize(
    "pattern",
    [
        "SERVICE <{url}/sparql> {{ ?s ?p ?o }}",
        "{{ OPTIONAL {{ sErViCe SILENT <{url}/sparql> {{ ?s ?p ?o }} }} }}",
    ],
)
def test_sparql_refuses_service_and_sends_nothing(
    runner: CliRunner,
    built_project: ProjectPaths,
    listener: tuple[str, list[str]],
    engine: str,
    pattern: str,
) -> None:
    url, requests = listener
    text = "SELECT ?s WHERE { " + pattern.format(url=url) + " } LIMIT 1"
    result = _invoke(
        runner, built_project, "sparql", "-", "--engine", engine, input=text
    )
    assert result.exit_code == 4
    assert result.output == f"error: {SERVICE_MESSAGE}\n"
    assert requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_allow_federation_lets_service_through(
    runner: CliRunner,
    built_project: ProjectPaths,
    listener: tuple[str, list[str]],
    engine: str,
) -> None:
    url, requests = listener
    text = f"SELECT ?s WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} LIMIT 1"
    result = _invoke(
        runner,
        built_project,
        "sparql",
        "-",
        "--engine",
        engine,
        "--allow-federation",
        "--format",
        "csv",
        input=text,
    )
    assert result.exit_code == 0, result.output
    assert result.output == "s\n"
    assert len(requests) == 1 and requests[0].split()[1].startswith("/sparql")


def test_rdflib_refuses_from_and_fetches_nothing(
    runner: CliRunner, built_project: ProjectPaths, listener: tuple[str, list[str]]
) -> None:
    url, requests = listener
    text = f"SELECT (COUNT(*) AS ?n) FROM <{url}/x> WHERE {{ ?s ?p ?o }}"
    result = _invoke(
        runner, built_project, "sparql", "-", "--engine", "rdflib", input=text
    )
    assert result.exit_code == 4
    assert result.output == f"error: {FROM_MESSAGE}\n"
    assert requests == []


def test_query_command_has_allow_federation(
    runner: CliRunner, built_project: ProjectPaths
) -> None:
    result = _invoke(
        runner, built_project, "query", "30", "--allow-federation", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("agreement,")
    assert run_query("30", project=built_project, allow_federation=True).columns


def test_validate_refuses_a_remote_json_ld_context(
    runner: CliRunner,
    scratch: ProjectPaths,
    listener: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    url, requests = listener
    draft = tmp_path / "draft.jsonld"
    draft.write_text(
        json.dumps(
            {
                "@context": [{"skg": "https://w3id.org/samverkansgraf/ontology#"}],
                "@graph": [{"@context": f"{url}/context.jsonld", "@id": "urn:x:a"}],
            }
        ),
        encoding="utf-8",
    )
    result = _invoke(runner, scratch, "validate", str(draft))
    assert result.exit_code == 2
    assert result.output == (
        f"error: {draft}: the JSON-LD @context refers to '{url}/context.jsonld', "
        "which would have to be fetched — samverkansgraf loads no remote contexts: "
        "put the context object into the file\n"
    )
    assert requests == []
    # An inline context is read as before.
    draft.write_text(
        json.dumps({"@context": {"name": "http://schema.org/name"}, "name": "x"}),
        encoding="utf-8",
    )
    assert refuse_remote_contexts(draft, JSON_LD) is None
