"""The site server keeps the endpoint's discipline (issue 16, item 3).

A small hand-made site in a temporary folder, served on 127.0.0.1 only: symbolic
links out of the site, folder listings, malformed and overlong paths, foreign
``Host`` values, idle sockets and disconnects — each answered as the README's
bad-input matrix says, and the server still answers the next request. Every loop
is bounded in count and time.
"""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import interruptible
from samverkansgraf.errors import OutputError, SourceError
from samverkansgraf.publish.server import MAX_PATH_BYTES, SiteServer, make_site_server
from samverkansgraf.serving import ServingLimits

pytestmark = pytest.mark.network

SECRET = "SECRET-OUTSIDE-THE-SITE-7f3a"
TURTLE = (
    "<https://w3id.org/samverkansgraf/id/kommun/2083> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "Hedemora kommun"@sv .\n'
)


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """A minimal published site, with symbolic links that lead out of it."""
    root = tmp_path / "site"
    files = {
        "index.html": "<h1>samverkansgraf</h1>",
        "style.css": "body {}",
        "id/kommun/2083.html": "<h1>Hedemora kommun</h1>",
        "id/kommun/2083.ttl": TURTLE,
        "id/kommun/2083.jsonld": '{"@id": "2083"}',
        "id/kommun/2083.nt": TURTLE,
        "ontology/index.html": "<h1>Ontologi</h1>",
        "ontology/index.ttl": TURTLE,
        "classes/index.html": "<h1>Klasser</h1>",
        ".well-known/void": TURTLE,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text(SECRET, "utf-8")
    (outside / "secret.ttl").write_text(SECRET, "utf-8")
    (root / "evil").symlink_to("/etc/passwd")
    (root / "evildir").symlink_to("/etc", target_is_directory=True)
    (root / "secretdir").symlink_to(outside, target_is_directory=True)
    # A page of a resource that is a link out of the site: not negotiated.
    (root / "id/kommun/leak.html").symlink_to(outside / "secret.html")
    (root / "id/kommun/leak.ttl").symlink_to(outside / "secret.ttl")
    # A link that stays inside the site is an ordinary file.
    (root / "alias.html").symlink_to(root / "index.html")
    return root


@pytest.fixture()
def server(site: Path) -> Iterator[SiteServer]:
    """The site served on a free loopback port."""
    with make_site_server(site, port=0) as running:
        yield running


def exchange(
    server: SiteServer, raw: bytes, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read one answer: status, headers (lower-case), body."""
    with socket.create_connection(server.server_address, timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            head, found, body = data.partition(b"\r\n\r\n")
            if found:
                headers = _headers(head)
                length = int(headers.get("content-length", "-1"))
                if raw.startswith(b"HEAD") or 0 <= length <= len(body):
                    break
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head, f"no answer to {raw[:60]!r}"
    status = int(head.split(b" ", 2)[1])
    return status, _headers(head), body


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines)
    }


def get(
    server: SiteServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A well-formed GET of ``path`` (bytes as given)."""
    fields = {"Host": "127.0.0.1", "Connection": "close", **(headers or {})}
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return exchange(server, f"GET {path} HTTP/1.1\r\n{head}\r\n".encode("latin-1"))


def assert_still_answering(server: SiteServer) -> None:
    """The next normal request gets the page."""
    status, _, body = get(server, "/id/kommun/2083.ttl")
    assert (status, body.decode()) == (200, TURTLE)


@pytest.mark.parametrize(
    "path",
    [
        "/evil",
        "/evildir/passwd",
        "/evildir/",
        "/evildir",
        "/secretdir/secret.html",
        "/secretdir/",
        "/id/kommun/leak.html",
        "/id/kommun/leak.ttl",
        "/id/kommun/leak",
    ],
)
def test_symbolic_links_out_of_the_site_are_not_followed(
    server: SiteServer, path: str
) -> None:
    status, _, body = get(server, path, {"Accept": "text/turtle"})
    assert status == 404
    assert body == b"no page or file at this path in the site\n"
    assert SECRET.encode() not in body and b"root:" not in body


def test_a_link_inside_the_site_is_served(server: SiteServer) -> None:
    status, headers, body = get(server, "/alias.html")
    assert (status, body) == (200, b"<h1>samverkansgraf</h1>")
    assert headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path", ["/id/", "/id", "/id/kommun/", "/.well-known/"])
def test_folders_are_not_listed(server: SiteServer, path: str) -> None:
    status, _, body = get(server, path)
    assert (status, body) == (404, b"no page or file at this path in the site\n")


def test_folders_with_an_index_page_serve_it(server: SiteServer) -> None:
    assert get(server, "/")[2] == b"<h1>samverkansgraf</h1>"
    status, headers, _ = get(server, "/classes/")
    assert (status, headers["location"]) == (303, "/classes/index.html")


@pytest.mark.parametrize(
    ("request_bytes", "message"),
    [
        (
            b"GET /a\x00b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "Invalid char in url path",
        ),
        (
            b"GET /a\x01b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "Invalid char in url path",
        ),
        (
            b"GET /a\xffb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "Invalid char in url path",
        ),
        (
            b"GET /index.html%00.ttl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "the path holds a control character; remove it\n",
        ),
        (
            b"GET /a%01b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "the path holds a control character; remove it\n",
        ),
        (
            b"GET /a%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "the path holds a control character; remove it\n",
        ),
        (
            b"GET /a%ffb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "the path is not UTF-8 once percent-decoded; encode it as UTF-8\n",
        ),
        (
            b"GET /" + b"a" * MAX_PATH_BYTES + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            f"the path is longer than {MAX_PATH_BYTES} bytes; shorten it\n",
        ),
        (
            b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "Got more than 8190 bytes when reading",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
            "Invalid character in Content-Length",
        ),
        (b"HELLO\r\n\r\n", "Invalid method encountered"),
    ],
    ids=[
        "NUL",
        "x01",
        "raw-xff",
        "%00",
        "%01",
        "%0d%0a",
        "%ff",
        "2 KB path",
        "60 KB path",
        "Content-Length abc",
        "no method",
    ],
)
def test_malformed_requests_get_400_and_the_server_goes_on(
    server: SiteServer, request_bytes: bytes, message: str
) -> None:
    status, headers, body = exchange(server, request_bytes)
    assert status == 400
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert body.decode("utf-8", "replace").startswith(message)
    assert_still_answering(server)


TRAVERSALS = [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/..%2F..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/..\\..\\..\\etc\\passwd",
    "/..%5c..%5c..%5cetc%5cpasswd",
    "/%252e%252e/%252e%252e/etc/passwd",
    "/..%252f..%252fetc/passwd",
    "/....//....//etc/passwd",
    "/..;/..;/etc/passwd",
    "/./../.././../etc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "/etc/passwd",
    "/id/../../../etc/passwd",
    "/id/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%5c%2e%2e%5cetc/passwd",
    "/.%2e/.%2e/etc/passwd",
    "/%2e./%2e./etc/passwd",
    "/id/kommun/../../../../etc/passwd.html",
    "/%u002e%u002e/etc/passwd",
    "http://127.0.0.1/../../etc/passwd",
    "/../outside/secret.html",
    "/%2e%2e/outside/secret.html",
]
MALFORMED_TRAVERSALS = [
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8: not UTF-8
    "/%c0%af..%c0%afetc/passwd",
    "/..%00/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS + MALFORMED_TRAVERSALS)
def test_path_traversal_is_refused_in_every_encoding(
    server: SiteServer, path: str
) -> None:
    status, _, body = get(server, path)
    assert status == (400 if path in MALFORMED_TRAVERSALS else 404)
    assert b"root:" not in body and SECRET.encode() not in body


def test_a_foreign_host_is_refused(server: SiteServer, site: Path) -> None:
    status, _, body = get(server, "/", {"Host": "evil.example"})
    assert status == 421
    assert body.decode().startswith(
        "this server does not answer for the host 'evil.example'; it answers for "
    )
    port = server.server_address[1]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST", "[::1]"):
        assert get(server, "/", {"Host": host})[0] == 200, host
    status, _, body = exchange(server, b"GET / HTTP/1.0\r\n\r\n")
    assert (status, body) == (400, b"the request has no Host header; send one\n")
    with make_site_server(site, port=0, public_hosts=["data.example.org"]) as public:
        assert get(public, "/", {"Host": "data.example.org"})[0] == 200
        assert get(public, "/", {"Host": "evil.example"})[0] == 421


def test_idle_sockets_do_not_starve_the_server(server: SiteServer) -> None:
    idle: list[socket.socket] = []
    try:
        for index in range(300):
            sock = socket.create_connection(server.server_address, timeout=5)
            if index % 2:  # half of them send an unfinished request head
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(sock)
        started = time.monotonic()
        assert_still_answering(server)
        assert time.monotonic() - started < 3.0
    finally:
        for sock in idle:
            sock.close()


def test_idle_and_slow_connections_are_closed(site: Path) -> None:
    limits = ServingLimits(keepalive_timeout_s=1.0)
    with make_site_server(site, port=0, limits=limits) as server:
        idle = socket.create_connection(server.server_address, timeout=5)
        slow = socket.create_connection(server.server_address, timeout=5)
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        with idle, slow:
            slow.sendall(b"X-Trickle: 1\r\n")  # a trickle does not reset the timer
            assert idle.recv(1024) == b""  # closed by the server
            assert slow.recv(1024) == b""
        assert time.monotonic() - started < 4.0


def test_requests_over_the_cap_get_503(site: Path) -> None:
    big = site / "download" / "big.nq"
    big.parent.mkdir()
    big.write_bytes(b"x" * (32 * 1024 * 1024))
    with make_site_server(
        site, port=0, limits=ServingLimits(max_concurrent=1)
    ) as server:
        # A client that never reads its answer holds the only slot.
        hog = socket.create_connection(server.server_address, timeout=5)
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        with hog:
            hog.sendall(b"GET /download/big.nq HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.5)
            status, headers, body = get(server, "/")
            assert (status, headers["retry-after"]) == (503, "1")
            assert body.startswith(
                b"the server is busy (1 requests at once is its limit)"
            )
        deadline = time.monotonic() + 5
        while get(server, "/")[0] != 200:  # the slot is freed once the hog left
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_disconnects_print_nothing(
    server: SiteServer, site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (site / "download").mkdir()
    (site / "download" / "dump.nq").write_bytes(b"<a> <b> <c> .\n" * 200_000)
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        sock = socket.create_connection(server.server_address, timeout=5)
        sock.sendall(b"GET /download/dump.nq HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.recv(100)
        sock.close()
    for _ in range(5):
        sock = socket.create_connection(server.server_address, timeout=5)
        sock.sendall(b"GET /id/kom")
        sock.close()
    assert_still_answering(server)
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == []


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/turtle", "/id/kommun/2083.ttl"),
        ("application/ld+json", "/id/kommun/2083.jsonld"),
        ("application/n-triples", "/id/kommun/2083.nt"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "/id/kommun/2083.html"),
        (None, "/id/kommun/2083.html"),
        ("text/turtle;q=0.4, application/ld+json;q=0.9", "/id/kommun/2083.jsonld"),
    ],
)
def test_content_negotiation(
    server: SiteServer, accept: str | None, location: str
) -> None:
    status, headers, body = get(
        server, "/id/kommun/2083", {"Accept": accept} if accept else {}
    )
    assert (status, headers["location"], headers["vary"], body) == (
        303,
        location,
        "Accept",
        b"",
    )
    assert headers["access-control-allow-origin"] == "*"


def test_files_headers_and_methods(server: SiteServer) -> None:
    status, headers, body = get(server, "/id/kommun/2083", {"Accept": "image/png"})
    assert (status, headers["vary"]) == (406, "Accept")
    assert body == (
        b"Not acceptable. Available: text/html, text/turtle, "
        b"application/ld+json, application/n-triples, application/json\n"
    )
    status, headers, _ = get(server, "/ontology", {"Accept": "text/turtle"})
    assert (status, headers["location"]) == (303, "/ontology/index.ttl")
    # Plain JSON is answered with the JSON-LD (issue #17: was 406).
    status, headers, _ = get(server, "/id/kommun/2083", {"Accept": "application/json"})
    assert (status, headers["location"]) == (303, "/id/kommun/2083.jsonld")
    assert (
        '</id/kommun/2083.ttl>; rel="alternate"; type="text/turtle"'
        in (headers["link"])
    )
    status, headers, body = get(server, "/id/kommun/2083.ttl?x=1")
    assert (status, headers["content-type"], body.decode()) == (
        200,
        "text/turtle; charset=utf-8",
        TURTLE,
    )
    # A served file names its other representations (RFC 8288).
    assert headers["link"].startswith(
        '</id/kommun/2083.html>; rel="alternate"; type="text/html", '
        '</id/kommun/2083.jsonld>; rel="alternate"; type="application/ld+json"'
    )
    assert headers["access-control-allow-origin"] == "*"
    assert (
        get(server, "/.well-known/void")[1]["content-type"]
        == "text/turtle; charset=utf-8"
    )
    assert get(server, "/style.css")[1]["content-type"] == "text/css; charset=utf-8"
    absolute = f"http://127.0.0.1:{server.server_address[1]}/id/kommun/2083.ttl"
    assert get(server, absolute)[:3:2] == (200, TURTLE.encode())
    status, headers, _ = get(
        server, "/style.css", {"If-Modified-Since": headers["last-modified"]}
    )
    assert status == 304
    status, headers, body = exchange(
        server, b"HEAD /id/kommun/2083.ttl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    assert (status, headers["content-length"], body) == (200, str(len(TURTLE)), b"")
    status, headers, _ = exchange(
        server,
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nab",
    )
    assert status == 405 and "GET" in headers["allow"]


def test_library_errors(site: Path, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a published site"):
        make_site_server(tmp_path / "nowhere", port=0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OutputError) as error:
            make_site_server(site, port=port)
    assert str(error.value).startswith(
        f"cannot listen on 127.0.0.1:{port} (Address already in use)"
    )


@pytest.mark.slow
def test_serve_site_command_stops_on_ctrl_c(site: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "samverkansgraf", "serve-site"]
    process = subprocess.Popen(
        [*command, "--dir", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,  # as Ctrl-C reaches it
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/id/kommun/2083.ttl")
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        answer = connection.getresponse()
        assert (answer.status, answer.read().decode()) == (200, TURTLE)
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0
    assert out == f"serving {site} at http://127.0.0.1:{port}/\n"
    assert err == "stopped\n"
