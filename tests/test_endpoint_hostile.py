"""The SPARQL endpoint against careless and hostile clients (issue 16, item 2).

Each attack is refused with its stated status and one-line reason, the server
answers the next normal catalogue query, and the private backend port never
appears in anything a client receives. Every server listens on 127.0.0.1; every
request loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlencode
from urllib.request import urlopen

import pytest
from aiohttp import web

from helpers import interruptible
from samverkansgraf.errors import EndpointError
from samverkansgraf.query.catalogue import load_catalogue
from samverkansgraf.query.endpoint import OxigraphServer, free_port, start_server
from samverkansgraf.query.engines import run_query
from samverkansgraf.query.proxy import ResultLimitProxy
from samverkansgraf.serving import BackgroundServer, ServingLimits
from samverkansgraf.sources import ProjectPaths

pytestmark = pytest.mark.network

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(ROOT / "queries")
NORMAL = CATALOGUE["01_commitments_per_actor_and_modality"]
DEEP = "ASK { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }"
DEEP_REASON = (
    "the query nests brackets 6002 deep, more than the limit of 64 — flatten the "
    "expression or split the query\n"
)
# Oxigraph cuts these off at its timeout: a 200 with the rows so far and a line
# "The SPARQL operation has been cancelled".
CUT_OFF = (
    "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y FILTER(STR(?x) = STR(?y) && ?a != ?b) }"
)
NO_ROWS = (
    "SELECT ?a WHERE { ?a ?p ?x . ?b ?q ?y FILTER(CONCAT(STR(?a), STR(?b)) = 'no') }"
)
# Oxigraph does not stop this one at its timeout: it counts on.
NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
TIMEOUT_REASON = (
    "the query did not finish within this server's time limit of 1 s; add a "
    "LIMIT, narrow the query or run it locally\n"
)


class Answer:
    """Status, headers and body of one HTTP exchange."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _assert_private_port_hidden(server: OxigraphServer, answer: Answer) -> None:
    private = str(server.port)
    assert private not in answer.text, answer.text[:300]
    for name, value in answer.headers.items():
        assert private not in value, (name, value)


def _request(
    server: OxigraphServer,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    assert server.proxy is not None
    connection = http.client.HTTPConnection(
        "127.0.0.1", server.proxy.port, timeout=timeout
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        answer = Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()
    _assert_private_port_hidden(server, answer)
    return answer


def _get_query(
    server: OxigraphServer, query: str, headers: dict[str, str] | None = None
) -> Answer:
    return _request(server, "GET", "/query?query=" + quote(query), headers=headers)


def _raw(server: OxigraphServer, data: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes, return everything the server sends until it closes."""
    assert server.proxy is not None
    with socket.create_connection(("127.0.0.1", server.proxy.port), timeout) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert str(server.port).encode() not in received
    return received


def _still_answers(server: OxigraphServer) -> None:
    assert server.process.poll() is None, "the oxigraph process died"
    result = run_query(NORMAL, endpoint=server.query_url)
    assert len(result) > 0


@pytest.fixture(scope="module")
def endpoint(full_dump: Path) -> Iterator[OxigraphServer]:
    """A read-only endpoint as `serve` runs it (size limit, screening)."""
    with start_server(full_dump, timeout_s=30, max_result_bytes=64 * 2**20) as server:
        yield server


@pytest.fixture(scope="module")
def tight(full_dump: Path) -> Iterator[OxigraphServer]:
    """An endpoint with a 1 s query timeout, 2 requests at once, 1 s socket
    timeouts, a federation allowance and a public host name."""
    limits = ServingLimits(max_concurrent=2, keepalive_timeout_s=1, body_timeout_s=1)
    with start_server(
        full_dump,
        timeout_s=1,
        max_result_bytes=64 * 2**20,
        limits=limits,
        allow_federation=True,
        public_hosts=["sparql.example.org"],
    ) as server:
        yield server


# ---------------------------------------------------------------------------
# Screening
# ---------------------------------------------------------------------------


def test_six_thousand_nested_brackets_as_a_plain_get_are_refused(
    endpoint: OxigraphServer,
) -> None:
    answer = _get_query(endpoint, DEEP)
    assert answer.status == 400
    assert answer.text == DEEP_REASON
    for content_type, body in [
        ("application/x-www-form-urlencoded", urlencode({"query": DEEP}).encode()),
        ("application/sparql-query", DEEP.encode()),
    ]:
        answer = _request(
            endpoint,
            "POST",
            "/query",
            body=body,
            headers={"Content-Type": content_type},
        )
        assert (answer.status, answer.text) == (400, DEEP_REASON)
    _still_answers(endpoint)


def test_oversized_query_is_refused_with_its_size(endpoint: OxigraphServer) -> None:
    query = "ASK {}" + " " * 70_000
    answer = _request(
        endpoint,
        "POST",
        "/query",
        body=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert answer.status == 413
    assert answer.text == (
        "the request body is larger than this server's limit of 65536 bytes; "
        "send a shorter query\n"
    )
    form = urlencode({"query": "ASK {} #" + "x" * 66_000}).encode()
    answer = _request(
        endpoint,
        "POST",
        "/query",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 400
    assert answer.text.startswith("the query is 66008 bytes, more than the limit of ")
    _still_answers(endpoint)


class _CountingServer(ThreadingHTTPServer):
    requests_seen = 0


class _CountingHandler(BaseHTTPRequestHandler):
    server: _CountingServer

    def _answer(self) -> None:
        self.server.requests_seen += 1
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bystander() -> Iterator[_CountingServer]:
    """A loopback HTTP server that counts the requests reaching it."""
    server = _CountingServer(("127.0.0.1", 0), _CountingHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_service_is_refused_and_nothing_reaches_its_target(
    endpoint: OxigraphServer, bystander: _CountingServer
) -> None:
    target = f"http://127.0.0.1:{bystander.server_address[1]}/x"
    query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    answer = _get_query(endpoint, query)
    assert answer.status == 400
    assert answer.text == (
        "the query uses SERVICE (federation), which sends requests to other "
        "servers; this endpoint does not federate (its operator can allow it with "
        "`serve --allow-federation`)\n"
    )
    form = urlencode({"query": query}).encode()
    answer = _request(
        endpoint,
        "POST",
        "/query",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 400
    assert bystander.requests_seen == 0
    _still_answers(endpoint)


def test_updates_on_a_read_only_endpoint_are_refused_unread(
    endpoint: OxigraphServer,
) -> None:
    for content_type, body in [
        ("application/sparql-update", b"LOAD <http://127.0.0.1:9/x>"),
        ("application/x-www-form-urlencoded", b"update=DROP+ALL"),
    ]:
        answer = _request(
            endpoint,
            "POST",
            "/update",
            body=body,
            headers={"Content-Type": content_type},
        )
        assert answer.status == 403
        assert answer.text == "this server is read-only: it does not accept updates\n"
    _still_answers(endpoint)


def test_allow_federation_lets_service_through(
    tight: OxigraphServer, bystander: _CountingServer
) -> None:
    """The refusal above is the screen's doing: allowed, SERVICE is forwarded."""
    target = f"http://127.0.0.1:{bystander.server_address[1]}/x"
    answer = _get_query(
        tight, f"SELECT * WHERE {{ SERVICE <{target}> {{ ?x ?p ?o }} }}"
    )
    assert answer.status == 200, answer.text
    assert bystander.requests_seen == 1
    # Still screened for depth with federation allowed.
    assert (_get_query(tight, DEEP).status, _get_query(tight, DEEP).text) == (
        400,
        DEEP_REASON,
    )


# ---------------------------------------------------------------------------
# Host names (DNS rebinding)
# ---------------------------------------------------------------------------


def test_foreign_host_names_are_refused(endpoint: OxigraphServer) -> None:
    answer = _get_query(endpoint, "ASK {}", headers={"Host": "evil.example"})
    assert answer.status == 421
    assert answer.text == (
        "this server does not answer for the host 'evil.example'; it answers for "
        "127.0.0.1, [::1], localhost (an operator adds names with --public-host)\n"
    )
    assert endpoint.proxy is not None
    port = endpoint.proxy.port
    for host in ["evil.example:" + str(port), "localhost.evil.example", "127.0.0.2"]:
        assert _get_query(endpoint, "ASK {}", headers={"Host": host}).status == 421
    for host in [f"localhost:{port}", "localhost", f"[::1]:{port}", "127.0.0.1"]:
        assert _get_query(endpoint, "ASK {}", headers={"Host": host}).status == 200
    _still_answers(endpoint)


def test_public_host_names_are_accepted(tight: OxigraphServer) -> None:
    assert tight.proxy is not None
    host = f"sparql.example.org:{tight.proxy.port}"
    answer = _get_query(
        tight,
        "SELECT (IRI('x') AS ?b) {}",
        headers={"Host": host, "Accept": "text/csv"},
    )
    assert answer.status == 200
    # Oxigraph resolves relative IRIs against the public name, not its own port.
    assert answer.text == f"b\r\nhttp://{host}/x\r\n"
    assert (
        _get_query(tight, "ASK {}", headers={"Host": "other.example.org"}).status == 421
    )


# ---------------------------------------------------------------------------
# Timeouts and caps
# ---------------------------------------------------------------------------


def test_a_query_over_its_time_is_504_never_partial_rows(tight: OxigraphServer) -> None:
    for query in (CUT_OFF, NO_ROWS, NEVER_ENDS):
        started = time.monotonic()
        answer = _get_query(tight, query, headers={"Accept": "text/csv"})
        seconds = time.monotonic() - started
        assert answer.status == 504, answer.text[:200]
        assert answer.text == TIMEOUT_REASON
        # 1 s timeout + 1 s margin, plus screening and scheduling slack.
        assert seconds < 3.5
    _still_answers(tight)


def test_a_runaway_aggregate_is_stopped_and_the_endpoint_moves_on(
    full_dump: Path,
) -> None:
    """Oxigraph does not stop NEVER_ENDS at its timeout (a 2 s limit let it run
    27 s): after the 504 the endpoint moves to a fresh process on the same store
    and stops the old one, with the runaway work, once it is idle."""
    with start_server(full_dump, timeout_s=1, max_result_bytes=2**20) as server:
        first = server.process
        answer = _get_query(server, NEVER_ENDS, headers={"Accept": "text/csv"})
        assert answer.status == 504
        assert answer.text == TIMEOUT_REASON
        deadline = time.monotonic() + 15
        while first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.poll() is not None, "the runaway query is still computing"
        assert server.recycled == 1
        assert server.process is not first
        _still_answers(server)
        # The replaced process ending is not reported as Oxigraph dying.
        stopper = threading.Timer(1.0, server.process.kill)
        stopper.start()
        with pytest.raises(EndpointError, match="stopped unexpectedly"):
            server.wait()
        stopper.cancel()


def test_a_replaced_upstream_finishes_its_answers_before_it_is_retired() -> None:
    """``replace_upstream`` sends new requests to the new server at once, and
    retires the old one only after the answers it is still giving are sent."""
    release = threading.Event()

    def upstream(name: str, slow: bool) -> BackgroundServer:
        async def answer(request: web.Request) -> web.Response:
            if slow:
                while not release.is_set():
                    await asyncio.sleep(0.02)
            return web.Response(text=f"{name}\n", content_type="text/csv")

        def app() -> web.Application:
            application = web.Application()
            application.router.add_get("/query", answer)
            return application

        server = BackgroundServer(app, "127.0.0.1", 0)
        server.start()
        return server

    old, new = upstream("old", slow=True), upstream("new", slow=False)
    proxy = ResultLimitProxy(
        ("127.0.0.1", 0), upstream=("127.0.0.1", old.port), max_result_bytes=None
    )
    retired = threading.Event()
    try:
        url = f"http://127.0.0.1:{proxy.port}/query?query=ASK%7B%7D"
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(lambda: urlopen(url, timeout=10).read())
            time.sleep(0.3)  # the request is now being answered by `old`
            proxy.replace_upstream(("127.0.0.1", new.port), retired.set)
            assert urlopen(url, timeout=10).read() == b"new\n"
            assert not retired.wait(0.3), "retired while it was still answering"
            release.set()
            assert pending.result(timeout=10) == b"old\n"
        assert retired.wait(5)
    finally:
        proxy.stop()
        old.stop()
        new.stop()


def test_requests_over_the_cap_get_503_with_retry_after(tight: OxigraphServer) -> None:
    """Six slow queries at once on a server that handles two at a time."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: _get_query(tight, CUT_OFF), range(6)))
    busy = [answer for answer in answers if answer.status == 503]
    assert len(busy) >= 3, [answer.status for answer in answers]
    assert {answer.headers.get("Retry-After") for answer in busy} == {"1"}
    assert busy[0].text == (
        "the server is busy (2 requests at once is its limit); try again in 1 s\n"
    )
    assert {answer.status for answer in answers} <= {503, 504}
    _still_answers(tight)


def test_three_hundred_idle_sockets_do_not_starve_a_query(
    endpoint: OxigraphServer,
) -> None:
    assert endpoint.proxy is not None
    idle = []
    try:
        for i in range(300):
            sock = socket.create_connection(("127.0.0.1", endpoint.proxy.port), 5)
            if i % 3 == 0:
                sock.sendall(b"GET /query?query=ASK")  # a request head never ended
            idle.append(sock)
        started = time.monotonic()
        _still_answers(endpoint)
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()


def test_idle_and_slow_clients_are_cut_off(tight: OxigraphServer) -> None:
    assert tight.proxy is not None
    address = ("127.0.0.1", tight.proxy.port)
    with socket.create_connection(address, 10) as idle:
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server
        assert time.monotonic() - started < 4
    with socket.create_connection(address, 10) as slow:
        slow.sendall(
            b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK"
        )
        started = time.monotonic()
        received = slow.recv(65536)
        assert time.monotonic() - started < 4
    assert received.startswith(b"HTTP/1.1 408 ")
    assert received.endswith(b"the request body did not arrive within 1 s\n")


# ---------------------------------------------------------------------------
# Malformed requests, disconnects, the backend's address
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"GET /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc",
        b"GET /que\x01ry HTTP/1.1\r\nHost: 127.0.0.1",
        b"GET /que\x00ry HTTP/1.1\r\nHost: 127.0.0.1",
        b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: 127.0.0.1",
        b"GET /query HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"b" * 9000,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello
    ],
    ids=["content-length-abc", "control-byte", "nul", "60kb-path", "9kb-header", "tls"],
)
def test_malformed_requests_get_400_and_print_nothing(
    endpoint: OxigraphServer, head: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        received = _raw(endpoint, head + b"\r\n\r\n")
        # aiohttp's parser answers (in HTTP/1.0: it could not read the version).
        assert received.split(b" ", 2)[1] == b"400", received[:200]
        _still_answers(endpoint)
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def test_client_disconnects_are_silent(
    endpoint: OxigraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert endpoint.proxy is not None
    query = quote("SELECT * WHERE { ?s ?p ?o }")
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", endpoint.proxy.port)) as sock:
                head = f"GET /query?query={query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                sock.sendall(head.encode() + b"\r\n")
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0"
                )
        time.sleep(0.5)
        _still_answers(endpoint)
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def test_the_backend_port_never_reaches_a_client(endpoint: OxigraphServer) -> None:
    """The pages and errors Oxigraph itself makes, through the proxy."""
    for path in ["/", "/query", "/update", "/store", "/nowhere", "/query?query=SELEC"]:
        _request(endpoint, "GET", path)  # the check is in _request
    answer = _get_query(
        endpoint, "SELECT (IRI('') AS ?base) {}", headers={"Accept": "text/csv"}
    )
    assert answer.status == 200
    assert answer.text.splitlines()[1].startswith("http://127.0.0.1:")
    _request(endpoint, "HEAD", "/query?query=ASK%7B%7D")


# ---------------------------------------------------------------------------
# Oxigraph dying, and `serve` restarting on the same port
# ---------------------------------------------------------------------------


def test_a_dead_oxigraph_is_reported_and_502(full_dump: Path) -> None:
    with start_server(full_dump, max_result_bytes=2**20) as server:
        server.process.kill()
        with pytest.raises(EndpointError) as died:
            server.wait()
        assert str(died.value).startswith(
            "the oxigraph server stopped unexpectedly (exit code -9)"
        )
        answer = _get_query(server, "ASK {}")
        assert answer.status == 502
        assert answer.text == (
            "the SPARQL server behind this endpoint is not answering; its operator "
            "must restart it\n"
        )


def _serve(project: ProjectPaths, port: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "samverkansgraf", "--project", str(project.root)]
    return subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=interruptible,  # as Ctrl-C reaches it
    )


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


@pytest.mark.slow
def test_serve_says_when_oxigraph_dies_and_restarts_on_the_same_port(
    built_project: ProjectPaths,
) -> None:
    port = free_port()
    first = _serve(built_project, port)
    try:
        assert first.stdout is not None
        assert first.stdout.readline().startswith("serving ")
        url = first.stdout.readline().strip().removeprefix("SPARQL endpoint: ")
        assert len(run_query(NORMAL, endpoint=url)) > 0  # leaves TIME_WAIT behind
        (oxigraph,) = _children(first.pid)
        os.kill(oxigraph, signal.SIGKILL)
        _, stderr = first.communicate(timeout=15)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 5
    assert stderr == (
        "error: the oxigraph server stopped unexpectedly (exit code -9) — the "
        "endpoint is down; start it again with `samverkansgraf serve`\n"
    )
    second = _serve(built_project, port)
    try:
        assert second.stdout is not None
        assert second.stdout.readline().startswith("serving "), second.stderr
        assert len(run_query(NORMAL, endpoint=url)) > 0
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=15)
    assert second.returncode == 0
