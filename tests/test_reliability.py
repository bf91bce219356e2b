"""The bad-input matrix (README, "Reliability"): every bad input gives one clear
line on stderr naming the file, line or resource and what to do, no traceback,
and the documented exit code. Each row of the README table is one case here;
``tests/test_docs.py`` checks that the table and this list agree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import ROOT, start_fake_endpoint
from samverkansgraf.cli import cli
from samverkansgraf.sources import ProjectPaths

HEDEMORA = "data/curated/hedemora-2019-2022.ttl"
SOURCE = "data/sources/000_c90c7f0945d9b53e.txt"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


@dataclass(frozen=True)
class BadInput:
    """One row of the bad-input matrix."""

    row: str
    """The row's name in the README table."""
    setup: Callable[[Path], list[str]]
    """Breaks the scratch project; returns the CLI arguments to run."""
    exit_code: int
    """The documented exit code."""
    message: str
    """A fragment the stderr line must contain."""
    server: bool = False
    """The case talks to 127.0.0.1 (a server, or a closed port), so it is marked
    ``network`` and ``make test-fast`` leaves it out."""


def _malformed_turtle(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "skg:position 4 ;", "skg:position 4")
    return ["build"]


def _unknown_prefix(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "skg:modality skg:May", "skg:modality skgg:May")
    return ["build"]


def _unknown_actor(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "<actor/riksteatern>", "<actor/riksteatren>")
    return ["build"]


def _duplicate_municipality(root: Path) -> list[str]:
    (root / "data/reference/extra.ttl").write_text(
        "@base <https://w3id.org/samverkansgraf/id/> .\n"
        "@prefix skg: <https://w3id.org/samverkansgraf/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<kommun/hedemora> a skg:Municipality ; rdfs:label "Hedemora"@sv ;\n'
        '    skg:municipalityCode "2083" ; skg:inRegion <region/20> .\n',
        "utf-8",
    )
    return ["build"]


def _quote_not_in_source(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "utveckla Kulturbuss så att", "utveckla Kulturbussen så att")
    return ["build"]


def _quote_found_twice(root: Path) -> list[str]:
    _edit(
        root / HEDEMORA,
        'skg:quote "Kommun och region medverkar i projektet Dalapop" .',
        'skg:quote "Region Dalarna" .',
    )
    return ["build"]


def _changed_source(root: Path) -> list[str]:
    path = root / SOURCE
    path.write_bytes(path.read_bytes().replace(b"Hedemora", b"Hedemore", 1))
    return ["build"]


def _missing_source(root: Path) -> list[str]:
    (root / SOURCE).unlink()
    return ["build"]


def _non_utf8_source(root: Path) -> list[str]:
    path = root / SOURCE
    path.write_bytes(path.read_text("utf-8").encode("cp1252", errors="replace"))
    _fix_checksum(root, path)
    return ["build"]


def _empty_source(root: Path) -> list[str]:
    path = root / SOURCE
    path.write_bytes(b"")
    _fix_checksum(root, path)
    return ["build"]


def _fix_checksum(root: Path, path: Path) -> None:
    import hashlib

    manifest = root / "data/sources/SHA256SUMS"
    lines = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}"
        if line.endswith(path.name)
        else line
        for line in manifest.read_text().splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n")


def _output_below_a_file(root: Path) -> list[str]:
    (root / "blocked").write_text("a file, not a directory")
    return ["build", "--out", str(root / "blocked" / "dist")]


def _unknown_query(root: Path) -> list[str]:
    return ["query", "01_commitment_per_actor"]


def _missing_parameter(root: Path) -> list[str]:
    return ["query", "21"]


def _ill_typed_parameter(root: Path) -> list[str]:
    return ["query", "30", "--param", "year=tjugo"]


def _injection_attempt(root: Path) -> list[str]:
    return ["query", "08", "--param", 'programme="} ; DROP ALL ; #']


def _sparql_syntax_error(root: Path) -> list[str]:
    query = root / "mine.rq"
    query.write_text("SELECT ?x WHERE {\n  ?x ?y\n}\n", "utf-8")
    return ["sparql", str(query)]


def _endpoint_down(root: Path) -> list[str]:
    from samverkansgraf.query.endpoint import free_port

    return ["query", "01", "--endpoint", f"http://127.0.0.1:{free_port()}/query"]


def _out_a_strangers_folder(command: str):
    def setup(root: Path) -> list[str]:
        mine = root / "mine"
        mine.mkdir()
        (mine / "notes.txt").write_text("my notes", "utf-8")
        extra = ["--version", "9.9.9"] if command == "release" else []
        return [command, "--out", str(mine), *extra]

    return setup


def _publish_without_a_mailbox(root: Path) -> list[str]:
    # publication.toml as shipped: no [contact] email.
    (root / "publication.toml").write_bytes((ROOT / "publication.toml").read_bytes())
    return ["publish", "--out", str(root / "site")]


def _out_into_data(root: Path) -> list[str]:
    return ["publish", "--out", str(root / "data")]


def _extract_over_a_file(root: Path) -> list[str]:
    mine = root / "draft.ttl"
    mine.write_text("# my hand-corrected curation\n", "utf-8")
    return ["extract", str(root / SOURCE), "--out", str(mine)]


def _deep_nesting(root: Path) -> list[str]:
    query = root / "deep.rq"
    query.write_text("ASK { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }", "utf-8")
    return ["sparql", str(query)]


def _service_in_a_local_query(root: Path) -> list[str]:
    query = root / "service.rq"
    query.write_text(
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "utf-8"
    )
    return ["sparql", str(query)]


def _remote_from(root: Path) -> list[str]:
    query = root / "from.rq"
    query.write_text(
        "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "utf-8"
    )
    return ["sparql", "--engine", "rdflib", str(query)]


def _remote_context(root: Path) -> list[str]:
    document = root / "draft.jsonld"
    document.write_text(
        '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x", '
        '"name": "x"}',
        "utf-8",
    )
    return ["validate", str(document)]


def _huge_integer(root: Path) -> list[str]:
    return ["query", "30", "--param", "year=" + "9" * 5000]


def _odd_query_name(root: Path) -> list[str]:
    return ["query", "²"]


def _malformed_iri(root: Path) -> list[str]:
    return ["query", "21", "--param", "resource=http://a%zz"]


_RUNNING: list[ThreadingHTTPServer] = []  # stopped by _stop_fake_endpoints


@pytest.fixture(autouse=True)
def _stop_fake_endpoints() -> Iterator[None]:
    yield
    while _RUNNING:
        server = _RUNNING.pop()
        server.shutdown()
        server.server_close()


def _endpoint(status: int, body: bytes, kind: str, delay: float = 0.0):
    def setup(root: Path) -> list[str]:
        url, server = start_fake_endpoint(status, body, kind, delay)
        _RUNNING.append(server)
        return ["query", "01", "--endpoint", url, "--timeout", "1"]

    return setup


_SERVERS: list = []  # real Oxigraph servers, stopped by _stop_servers


@pytest.fixture(autouse=True)
def _stop_servers() -> Iterator[None]:
    yield
    while _SERVERS:
        _SERVERS.pop().stop()


def _answer_over_the_limit(root: Path) -> list[str]:
    from samverkansgraf.query.endpoint import start_server

    server = start_server(root / "dist" / "samverkansgraf.nq", max_result_bytes=500)
    _SERVERS.append(server)
    return ["query", "01", "--endpoint", server.query_url]


MATRIX = [
    BadInput("malformed Turtle", _malformed_turtle, 2, f"{HEDEMORA}:"),
    BadInput("unknown prefix", _unknown_prefix, 2, 'Prefix "skgg:" not bound'),
    BadInput(
        "reference to an actor that does not exist",
        _unknown_actor,
        2,
        "did you mean <https://w3id.org/samverkansgraf/id/actor/riksteatern>",
    ),
    BadInput(
        "two resources claiming the same municipality code",
        _duplicate_municipality,
        1,
        "does not conform",
    ),
    BadInput(
        "quote not in the source",
        _quote_not_in_source,
        3,
        "then the quote has 'Kulturbussen så att",
    ),
    BadInput("quote found twice", _quote_found_twice, 3, "add skg:occurrence N"),
    BadInput("changed source file", _changed_source, 3, "source document changed"),
    BadInput("missing source file", _missing_source, 3, "source document is missing"),
    BadInput("non-UTF-8 source", _non_utf8_source, 3, "is not UTF-8 (byte 0xd6)"),
    BadInput("empty source", _empty_source, 3, "source document is empty"),
    BadInput(
        "output directory not writable", _output_below_a_file, 6, "cannot write output"
    ),
    BadInput(
        "`publish --out` a folder it did not write",
        _out_a_strangers_folder("publish"),
        6,
        "the folder is not empty and was not written by samverkansgraf publish, so "
        "it will not be replaced",
    ),
    BadInput(
        "`publish` without `[contact] email` in publication.toml",
        _publish_without_a_mailbox,
        2,
        "publication.toml: [contact] email is not set — the DCAT-AP-SE record needs "
        "the publisher's functional mailbox — set e.g. email = ",
    ),
    BadInput(
        "`release --out` a folder it did not write",
        _out_a_strangers_folder("release"),
        6,
        "was not written by samverkansgraf release",
    ),
    BadInput(
        "`build --out` a folder it did not write",
        _out_a_strangers_folder("build"),
        6,
        "was not written by samverkansgraf build",
    ),
    BadInput(
        "`--out` the project's data/ (or the project itself, or a folder with .git)",
        _out_into_data,
        6,
        "the folder is part of the project's inputs (data/), so it will not be "
        "replaced",
    ),
    BadInput(
        "`extract --out` an existing file it did not write",
        _extract_over_a_file,
        6,
        "the file exists and was not written by samverkansgraf extract, so it will "
        "not be replaced — choose another file name, or pass --force",
    ),
    BadInput(
        "6,000 nested brackets in an ad-hoc query",
        _deep_nesting,
        4,
        "the query nests brackets 6002 deep, more than the limit of 64",
    ),
    BadInput(
        "`SERVICE` in a local query",
        _service_in_a_local_query,
        4,
        "the query uses SERVICE (federation)",
    ),
    BadInput(
        "`FROM <http://…>` with the rdflib engine",
        _remote_from,
        4,
        "the query names a dataset with FROM",
    ),
    BadInput(
        "JSON-LD with a remote `@context`",
        _remote_context,
        2,
        "samverkansgraf loads no remote contexts",
    ),
    BadInput(
        "an integer parameter of 5,000 digits",
        _huge_integer,
        4,
        "parameter year takes an integer of at most 18 digits, got one of 5000 digits",
    ),
    BadInput(
        "a query name that is not one (`²`)", _odd_query_name, 4, "no query named"
    ),
    BadInput(
        "a malformed IRI parameter (`http://a%zz`)",
        _malformed_iri,
        4,
        "is not an IRI (Invalid IRI percent encoding '%zz')",
    ),
    BadInput(
        "unknown query name",
        _unknown_query,
        4,
        "did you mean 01_commitments_per_actor_and_modality",
    ),
    BadInput(
        "missing parameter",
        _missing_parameter,
        4,
        "needs the parameter 'resource' (IRI)",
    ),
    BadInput(
        "ill-typed parameter",
        _ill_typed_parameter,
        4,
        "parameter year takes an integer, got 'tjugo'",
    ),
    BadInput("SPARQL injection in a parameter", _injection_attempt, 4, "is not an IRI"),
    BadInput(
        "SPARQL syntax error in an ad-hoc query",
        _sparql_syntax_error,
        4,
        "SPARQL syntax error: line ",
    ),
    BadInput("endpoint down", _endpoint_down, 5, "connection refused", server=True),
    BadInput(
        "endpoint too slow",
        _endpoint(200, b"{}", "application/json", 3),
        5,
        "did not answer within 1 s",
        server=True,
    ),
    BadInput(
        "endpoint answers HTTP 500",
        _endpoint(500, b"boom", "text/plain"),
        5,
        "answered HTTP 500",
        server=True,
    ),
    BadInput(
        "endpoint answers non-SPARQL content",
        _endpoint(200, b"<html>hi</html>", "text/html"),
        5,
        "did not answer with SPARQL JSON results",
        server=True,
    ),
    BadInput(
        "answer larger than the server's result-size limit",
        _answer_over_the_limit,
        5,
        "answered HTTP 413 Content Too Large: the answer to this request (/query) "
        "is larger than this server's limit of 500 bytes; add a LIMIT",
        server=True,
    ),
]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.network) if case.server else case
        for case in MATRIX
    ],
    ids=lambda case: case.row,
)
def test_bad_input_gives_one_clear_line(
    case: BadInput, built_project: ProjectPaths
) -> None:
    # built_project: a scratch copy of the project with dist/ in place.
    args = case.setup(built_project.root)
    result = CliRunner().invoke(cli, ["--project", str(built_project.root), *args])
    assert result.exit_code == case.exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert case.message in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
