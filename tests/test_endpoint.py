"""A real Oxigraph SPARQL server on loopback: upload, every catalogue query asked
remotely gives the local answer, uploads are atomic for a concurrent reader, and
a down, failing, slow or non-SPARQL endpoint is one clear line with exit code 5.

Every server here listens on 127.0.0.1 on a free port and is stopped at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import fake_endpoint, interruptible
from samverkansgraf.cli import cli
from samverkansgraf.errors import EndpointError
from samverkansgraf.query.catalogue import load_catalogue
from samverkansgraf.query.endpoint import (
    OxigraphServer,
    free_port,
    start_server,
    upload_dataset,
)
from samverkansgraf.query.engines import OxigraphEngine, RemoteEngine, run_query
from samverkansgraf.sources import ProjectPaths

pytestmark = pytest.mark.network

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(ROOT / "queries")
REQUIRED = {
    "21_evidence_of_resource": {"resource": "skgid:agreement/hedemora-2019-2022"}
}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _quads(dump: Path) -> int:
    return sum(1 for line in dump.read_text("utf-8").splitlines() if line.strip())


@pytest.fixture(scope="module")
def writable() -> Iterator[OxigraphServer]:
    """An empty, writable Oxigraph server (in a temporary store)."""
    with start_server(None, read_only=False) as server:
        yield server


def _count(url: str) -> int:
    (row,) = RemoteEngine(url, timeout=30).select(COUNT).rows
    return int(row[0])


def test_upload_then_every_query_answers_as_locally(
    writable: OxigraphServer, full_dump: Path
) -> None:
    report = upload_dataset(writable.url, full_dump)
    assert report.method == "update" and report.url == f"{writable.url}/update"
    assert report.triples == _quads(full_dump) == _count(writable.url)
    local = OxigraphEngine.from_file(full_dump)
    for spec in CATALOGUE.values():
        params = REQUIRED.get(spec.id, {})
        remote = run_query(spec, params, endpoint=writable.query_url)
        assert (
            remote.canonical() == run_query(spec, params, engine=local).canonical()
        ), spec.id
    # a value with SPARQL syntax stays a literal remotely too
    spec = CATALOGUE["29_find_actor_by_name"]
    assert (
        len(run_query(spec, {"name": '"} ; DROP ALL ; #'}, endpoint=writable.url)) == 0
    )
    assert _count(writable.url) == report.triples


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_a_concurrent_reader_sees_old_or_new_never_a_mix(
    writable: OxigraphServer, full_dump: Path, fixture_dump: Path, method: str
) -> None:
    """A reader counts quads while the two datasets replace each other.

    After each upload the writer waits until the reader has finished a read
    that began after it, so both states are observed (the test could fail
    either way: a mixed count, or a state never seen)."""
    sizes = {_quads(full_dump), _quads(fixture_dump)}
    assert len(sizes) == 2
    upload_dataset(writable.url, full_dump, method=method)
    seen: Counter[int] = Counter()
    reads = [0]  # reads completed so far (only the reader thread writes it)
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                seen[_count(writable.url)] += 1
                reads[0] += 1
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def wait_for_a_fresh_read() -> None:
        # The read under way may have begun before the upload; the next one not.
        target = reads[0] + 2
        deadline = time.monotonic() + 30
        while reads[0] < target and not errors:
            assert time.monotonic() < deadline, "the reader stalled"
            time.sleep(0.005)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(6):
            upload_dataset(
                writable.url, fixture_dump if i % 2 == 0 else full_dump, method=method
            )
            wait_for_a_fresh_read()
    finally:
        stop.set()
        reader.join(timeout=30)
    assert not errors
    mixed = {count: n for count, n in seen.items() if count not in sizes}
    assert not mixed, f"mixed reads {mixed}; expected only counts {sizes}"
    assert set(seen) == sizes, f"both states observed: {dict(seen)}"


def test_read_only_server_answers_and_refuses_uploads(
    full_dump: Path, runner: CliRunner
) -> None:
    with start_server(full_dump) as server:
        assert server.read_only
        local = OxigraphEngine.from_file(full_dump)
        spec = CATALOGUE["01_commitments_per_actor_and_modality"]
        remote = run_query(spec, endpoint=server.query_url)
        assert remote.canonical() == run_query(spec, engine=local).canonical()
        result = runner.invoke(
            cli, ["upload", "--endpoint", server.url, "--file", str(full_dump)]
        )
        assert result.exit_code == 5
        assert "refused the upload: HTTP 403" in result.output
        assert "read-only" in result.output
        assert result.output.count("\n") == 1


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_answers_over_the_size_limit_are_refused_uploads_stream_through(
    full_dump: Path, method: str
) -> None:
    """The result-size-limiting proxy: small answers and whole-dataset uploads
    pass, an answer over the limit is HTTP 413 with a reason, and the server
    keeps answering afterwards."""
    with start_server(None, read_only=False, max_result_bytes=4000) as server:
        assert server.proxy is not None and server.port != server.proxy.port
        report = upload_dataset(server.url, full_dump, method=method)
        assert report.bytes_sent > 4000
        assert _count(server.url) == report.triples == _quads(full_dump)
        everything = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
        with pytest.raises(EndpointError) as refused:
            RemoteEngine(server.url, timeout=30).select(everything)
        assert str(refused.value) == (
            f"{server.query_url} answered HTTP 413 Content Too Large: the answer to "
            "this request (/query) is larger than this server's limit of 4000 "
            "bytes; add a LIMIT or narrow the query"
        )
        assert refused.value.hint is None  # the reason already says what to do
        rows = RemoteEngine(server.url, timeout=30).select(everything + " LIMIT 3")
        assert len(rows) == 3
        assert _count(server.url) == report.triples


def test_remote_syntax_error_has_a_position(
    writable: OxigraphServer, runner: CliRunner
) -> None:
    result = runner.invoke(
        cli,
        ["sparql", "-", "--endpoint", writable.query_url],
        input="SELECT * { ?s ?p }",
    )
    assert result.exit_code == 4
    assert result.output.startswith("error: SPARQL syntax error: line 1, column ")
    assert result.output.count("\n") == 1


# ---------------------------------------------------------------------------
# Endpoints that fail: one line, exit code 5
# ---------------------------------------------------------------------------


def _query_against(runner: CliRunner, project: ProjectPaths, url: str, *extra: str):
    return runner.invoke(
        cli, ["--project", str(project.root), "query", "01", "--endpoint", url, *extra]
    )


@pytest.mark.parametrize(
    ("status", "body", "content_type", "message"),
    [
        (500, b"boom", "text/plain", "answered HTTP 500 Internal Server Error: boom"),
        (503, b"later", "text/plain", "answered HTTP 503"),
        (404, b"nothing here", "text/plain", "answered HTTP 404 Not Found"),
        (
            200,
            b"<html><body>Welcome</body></html>",
            "text/html",
            "did not answer with SPARQL JSON results (got text/html)",
        ),
        (
            200,
            b'{"hello": "world"}',
            "application/json",
            "did not answer with SPARQL JSON results (got application/json)",
        ),
    ],
)
def test_failing_endpoint_is_one_line_exit_5(
    runner: CliRunner,
    built_project: ProjectPaths,
    status: int,
    body: bytes,
    content_type: str,
    message: str,
) -> None:
    with fake_endpoint(status, body, content_type) as url:
        result = _query_against(runner, built_project, url)
    assert result.exit_code == 5, result.output
    assert message in result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1


def test_endpoint_down_is_one_line_exit_5(
    runner: CliRunner, built_project: ProjectPaths
) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = _query_against(runner, built_project, url)
    assert result.exit_code == 5
    assert f"cannot connect to {url}: connection refused" in result.output
    assert result.output.count("\n") == 1
    upload = runner.invoke(
        cli, ["--project", str(built_project.root), "upload", "--endpoint", url]
    )
    assert upload.exit_code == 5 and "connection refused" in upload.output


def test_slow_endpoint_times_out_exit_5(
    runner: CliRunner, built_project: ProjectPaths
) -> None:
    with fake_endpoint(200, b"{}", "application/json", delay=3) as url:
        started = time.monotonic()
        result = _query_against(runner, built_project, url, "--timeout", "1")
        assert time.monotonic() - started < 3
    assert result.exit_code == 5
    assert "did not answer within 1 s" in result.output
    assert result.output.count("\n") == 1


def test_upload_of_a_missing_server_binary_is_explained(monkeypatch) -> None:
    import samverkansgraf.query.endpoint as endpoint

    monkeypatch.setattr(endpoint.sys, "executable", "/nonexistent/python")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EndpointError, match="oxigraph server is not installed"):
        endpoint.find_oxigraph()


# ---------------------------------------------------------------------------
# `samverkansgraf serve` as a user runs it
# ---------------------------------------------------------------------------


def test_serve_command_serves_until_interrupted(built_project: ProjectPaths) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "samverkansgraf",
        "--project",
        str(built_project.root),
        "serve",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=interruptible,  # as Ctrl-C reaches it
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("serving ") and first.endswith(
            f"dist/samverkansgraf.nq (read-only, answers up to 64 MB) with Oxigraph at http://127.0.0.1:{port}\n"
        )
        endpoint = process.stdout.readline().strip()
        assert endpoint == f"SPARQL endpoint: http://127.0.0.1:{port}/query"
        url = endpoint.removeprefix("SPARQL endpoint: ")
        result = run_query("27", endpoint=url, project=built_project)
        assert len(result) == 10
        with pytest.raises(EndpointError, match="HTTP 403"):
            upload_dataset(url, built_project.dist_dir / "samverkansgraf.nq")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    with pytest.raises(EndpointError, match="connection refused"):
        RemoteEngine(url, timeout=5).select("ASK {}")


def test_serve_on_a_taken_port_is_one_line_exit_5(
    runner: CliRunner, built_project: ProjectPaths
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            cli, ["--project", str(built_project.root), "serve", "--port", str(port)]
        )
    assert result.exit_code == 5
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert result.output.count("\n") == 1
