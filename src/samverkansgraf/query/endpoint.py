"""Stage 4c — endpoint: serve the dataset with Oxigraph, replace it on a live store.

Input: the built dump ``dist/samverkansgraf.nq`` and the ``oxigraph`` command (the
``oxigraph`` PyPI package's binary, installed beside the Python interpreter).
Output: a running Oxigraph SPARQL server on a loopback address (``OxigraphServer``),
or a live store whose whole dataset has been replaced (``upload_dataset``).

How upload stays atomic (what a concurrent reader can see):

- ``PUT /store?graph=G`` once per graph (Graph Store Protocol) is one transaction
  per graph: readers see old and new graphs mixed. Measured with
  ``benchmarks/upload_atomicity.py``: 75 of 322 reads saw neither dataset.
- ``PUT /store`` with the whole dataset as N-Quads (Oxigraph's dataset extension
  of the GSP) cleared the store and loaded the data in two transactions up to
  Oxigraph 0.5.9 (oxigraph/oxigraph#1895): readers polling during uploads saw an
  empty store in 2763 of 2841 reads. Since #1896 (Oxigraph 0.5.13 is what we
  pin and measured) it is one transaction: 0 of 69361 reads saw an empty store.
- One SPARQL 1.1 Update request, ``DROP SILENT ALL ; INSERT DATA { GRAPH <g> {
  … } … }``, is evaluated by Oxigraph in a single transaction, on every version:
  0 of 35855 (0.5.9) and 0 of 86910 (0.5.13) reads saw anything but the old or
  the new dataset. It is also atomic on other SPARQL 1.1 stores that run an
  update request as one transaction.

``upload_dataset`` therefore sends one SPARQL Update by default (``method=
"update"``), or one whole-dataset GSP ``PUT`` (``method="gsp"``) for stores known
to replace datasets atomically (Oxigraph >= 0.5.13; it streams, without the
128 MiB limit Oxigraph sets on update bodies). ``tests/test_endpoint.py`` checks
both with a reader polling during uploads.

The guard in front: Oxigraph has a query timeout (``--timeout-s``) but no limit on
the size of an answer, no screening of what it is asked (6,000 nested brackets
kill it, ``SERVICE`` makes it fetch any URL) and no ``Host`` check, so
``start_server`` always puts a ``ResultLimitProxy`` (``query/proxy.py``, aiohttp)
in front of it: Oxigraph listens on a private loopback port, the proxy on the
public one. It screens every query and update, passes an answer on only if it
stays within ``max_result_bytes`` (else HTTP 413 with a one-line reason), turns a
timed-out answer into 504, and streams Graph Store uploads through.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from rdflib import URIRef
from rdflib.term import Identifier

from ..errors import EndpointError, SourceError
from ..rdfio import format_for_path, to_rdflib
from ..serving import ServingLimits
from .catalogue import QuerySpec
from .engines import (
    DEFAULT_TIMEOUT,
    RemoteEngine,
    network_error,
    server_base,
    sparql_term,
)
from .proxy import TIMEOUT_MARGIN_S, ResultLimitProxy
from .workbench import endpoint_page_files

__all__ = [
    "LoadReport",
    "OxigraphServer",
    "ResultLimitProxy",
    "UploadReport",
    "find_oxigraph",
    "free_port",
    "read_dump",
    "run_load_test",
    "start_server",
    "update_text",
    "upload_dataset",
]

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 20.0


def find_oxigraph() -> Path:
    """The ``oxigraph`` server binary: beside the interpreter, else on ``PATH``.

    Raises:
        EndpointError: when it is not installed.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise EndpointError(
        "the oxigraph server is not installed",
        hint="pip install oxigraph (it is a dependency of samverkansgraf; "
        "reinstall with `make install`)",
    )


def free_port(host: str = "127.0.0.1", port: int = 0) -> int:
    """A TCP port that is free on ``host`` right now (``port``, or any if 0).

    Raises:
        EndpointError: when ``port`` is taken.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the servers bind (SO_REUSEADDR): connections of a server that just
        # stopped, in TIME_WAIT, must not make its port look taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise EndpointError(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                hint="another server uses the port: choose another with --port",
            ) from exc
        return int(probe.getsockname()[1])


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve`` process holding a copy of the dataset."""

    process: subprocess.Popen[bytes]
    """The server process (a read-only server replaces it when a query runs away:
    see ``recycle``)."""
    host: str
    """The address it listens on."""
    port: int
    """Its port."""
    read_only: bool
    """True for ``serve-read-only`` (no updates, no uploads)."""
    location: Path
    """The store directory (temporary unless given, then removed by ``stop``)."""
    log_path: Path
    """Where the server's standard error goes (read when it fails to start)."""
    command: list[str] = field(default_factory=list)
    """The command that started it, with ``{port}`` standing for the port."""
    _workdir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    _log_offset: int = field(default=0, repr=False)
    _retired: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)
    _recycling: threading.Lock = field(default_factory=threading.Lock, repr=False)
    recycled: int = 0
    """How many times a runaway query made ``recycle`` replace the process."""
    proxy: ResultLimitProxy | None = None
    """The screening, result-size-limiting proxy users talk to (``start_server``
    always starts one; ``None`` only while starting)."""

    @property
    def url(self) -> str:
        """The server's public base URL, e.g. ``http://127.0.0.1:7878``."""
        if self.proxy is not None:
            return self.proxy.url
        return _base_url(self.host, self.port)

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint (``…/query``)."""
        return f"{self.url}/query"

    def wait(self) -> NoReturn:
        """Block until the Oxigraph process ends by itself, then raise.

        It is stopped only by ``stop`` (and, after a runaway query, replaced by
        ``recycle``), so ending by itself means it died (a crash, an
        out-of-memory kill).

        Raises:
            EndpointError: always, with the exit code and the last log line.
        """
        while True:
            process = self.process
            code = process.wait()
            if process is self.process:
                break  # not one that recycle replaced: it died
        with self.log_path.open("rb") as log_file:
            log_file.seek(self._log_offset)  # what it wrote since it came up
            lines = log_file.read().decode("utf-8", "replace").splitlines()
        last = f": {lines[-1].strip()}" if lines and lines[-1].strip() else ""
        raise EndpointError(
            f"the oxigraph server stopped unexpectedly (exit code {code}){last}",
            hint="the endpoint is down; start it again with `samverkansgraf serve`",
        )

    def recycle(self) -> bool:
        """Replace the Oxigraph process by a fresh one on the same store.

        For a query Oxigraph does not stop at its timeout (an aggregate over a
        cross join computes on for many times its limit): a second read-only
        process opens the same store on a new private port, the proxy sends new
        requests to it at once, and the old process — with the runaway work — is
        stopped as soon as it answers no other request. Only read-only servers
        are recycled (a store has one writer); one recycle runs at a time.

        Returns:
            Whether the process was replaced (False: writable, already
            recycling, stopped, or the new process did not come up — the old one
            then goes on serving).
        """
        if not self.read_only or self.proxy is None or self.process.poll() is not None:
            return False
        if not self._recycling.acquire(blocking=False):
            return False
        try:
            port = free_port("127.0.0.1")
            try:
                process = _spawn(self.command, port, self.log_path)
                _wait_until_up(process, self.host, port, self.log_path)
            except EndpointError as exc:
                log.warning("could not restart oxigraph after a runaway query: %s", exc)
                return False
            old = self.process
            self._retired.append(old)
            self.process, self.port = process, port
            self._log_offset = self.log_path.stat().st_size
            self.recycled += 1
            self.proxy.replace_upstream((self.host, port), lambda: _terminate(old))
            log.warning(
                "a query ran past its time limit and Oxigraph did not stop it: "
                "moved to a fresh Oxigraph process on the same store; the old one "
                "stops once its other answers are sent"
            )
            return True
        finally:
            self._recycling.release()

    def recycle_in_background(self) -> None:
        """``recycle`` in a thread of its own (the proxy's loop must not block)."""
        threading.Thread(target=self.recycle, name="recycle", daemon=True).start()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and remove its store."""
        if self.proxy is not None:
            self.proxy.stop()
        for process in [*self._retired, self.process]:
            _terminate(process)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> OxigraphServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """Stop a process: SIGTERM, then SIGKILL after 10 s. Idempotent."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _spawn(command: list[str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` (``{port}`` replaced) with its stderr appended to the log."""
    argv = [part.replace("{port}", str(port)) for part in command]
    log.info("starting %s", " ".join(argv))
    with log_path.open("ab") as log_file:  # the child keeps its own handle
        # In its own session: a Ctrl-C in the terminal reaches `serve`, which
        # stops Oxigraph itself, so Oxigraph ending means it died.
        return subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            start_new_session=True,
        )


def start_server(
    dataset: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    read_only: bool = True,
    timeout_s: int | None = None,
    location: Path | None = None,
    max_result_bytes: int | None = None,
    allow_federation: bool = False,
    public_hosts: Sequence[str] = (),
    limits: ServingLimits | None = None,
    catalogue: Iterable[QuerySpec] | None = (),
) -> OxigraphServer:
    """Load a dump into a fresh Oxigraph store and start its SPARQL server.

    The server answers over the union of all named graphs as its default graph
    (``--union-default-graph``), like the local engines.

    Args:
        dataset: an N-Quads or TriG dump to load first (``None``: empty store).
        host: address to listen on (loopback by default).
        port: TCP port (default: a free one).
        read_only: start ``oxigraph serve-read-only`` (no updates or uploads).
        timeout_s: Oxigraph's per-query timeout in seconds.
        location: store directory to use (default: a temporary one, removed when
            the server stops).
        max_result_bytes: refuse answers larger than this with HTTP 413
            (``None``: no limit; answers are still buffered whole by the proxy).
        allow_federation: let ``SERVICE`` and ``LOAD`` through the screen.
        public_hosts: ``Host`` names to accept besides the loopback ones.
        limits: the proxy's timeouts, caps and backlog.
        catalogue: the queries the query page at ``/`` offers as examples
            (``query.workbench``; an empty catalogue still gives the page);
            ``None``: no page of ours, ``/`` is Oxigraph's own.

    Clients talk to a ``ResultLimitProxy`` on ``host:port``; Oxigraph listens on
    a private loopback port.

    Returns:
        The running server, answering queries.

    Raises:
        EndpointError: no oxigraph binary, the load failed, or the server did not
            come up (e.g. the port is taken).
    """
    binary = find_oxigraph()
    # A temporary directory for the server's log and, unless given, its store.
    workdir = tempfile.TemporaryDirectory(prefix="samverkansgraf-oxigraph-")
    location = location or Path(workdir.name) / "store"
    log_path = Path(workdir.name) / "oxigraph.log"
    server: OxigraphServer | None = None
    try:
        if dataset is not None:
            _run_oxigraph_load(binary, location, dataset)
        elif read_only:
            # serve-read-only needs an existing database: create an empty one.
            _run_oxigraph_load(binary, location, None)
        port = free_port(host, port or 0)
        public_host, public_port = host, port
        # The public port is checked first (the proxy binds it), then Oxigraph
        # listens privately on loopback.
        host, port = "127.0.0.1", free_port("127.0.0.1")
        command = [
            str(binary),
            "serve-read-only" if read_only else "serve",
            "--location",
            str(location),
            "--bind",
            f"{host}:{{port}}",
            "--union-default-graph",
        ]
        if timeout_s:
            command += ["--timeout-s", str(timeout_s)]
        process = _spawn(command, port, log_path)
        server = OxigraphServer(
            process, host, port, read_only, location, log_path, command, workdir
        )
        _wait_until_up(process, host, port, log_path)
        server._log_offset = log_path.stat().st_size
        server.proxy = ResultLimitProxy(
            (public_host, public_port),
            upstream=(host, port),
            max_result_bytes=max_result_bytes,
            timeout=(timeout_s or 300) + TIMEOUT_MARGIN_S,
            cancelled_after=timeout_s,
            allow_federation=allow_federation,
            public_hosts=public_hosts,
            writable=not read_only,
            limits=limits,
            page=None if catalogue is None else endpoint_page_files(catalogue),
        )
        server.proxy.on_runaway = server.recycle_in_background
    except BaseException:  # also Ctrl-C while starting: leave nothing behind
        if server is not None:
            server.stop()
        else:
            workdir.cleanup()
        raise
    return server


def _run_oxigraph_load(binary: Path, location: Path, dataset: Path | None) -> None:
    if dataset is None:
        with tempfile.NamedTemporaryFile("w", suffix=".nq") as empty:
            _run_oxigraph_load(binary, location, Path(empty.name))
        return
    command = [str(binary), "load", "--location", str(location), "--file", str(dataset)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise EndpointError(
            f"oxigraph could not load {dataset}: {message}",
            hint="rebuild with `samverkansgraf build`",
        )


def _base_url(host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}"


def _wait_until_up(
    process: subprocess.Popen[bytes], host: str, port: int, log_path: Path
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    probe = f"{_base_url(host, port)}/query?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lines = log_path.read_text("utf-8", "replace").splitlines()
            message = lines[-1] if lines else f"exit code {process.returncode}"
            raise EndpointError(
                f"the oxigraph server on {host}:{port} stopped: {message}",
                hint="is the port taken? choose another with --port",
            )
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200 and process.poll() is None:
                    return
        time.sleep(0.05)
    raise EndpointError(
        f"the oxigraph server on {host}:{port} did not answer within "
        f"{STARTUP_TIMEOUT:g} s",
        hint="look at `oxigraph serve --help` and try another --port",
    )


# ---------------------------------------------------------------------------
# Replacing the dataset of a live store
# ---------------------------------------------------------------------------


UPLOAD_METHODS = ("update", "gsp")


@dataclass(frozen=True)
class UploadReport:
    """What ``upload_dataset`` sent and what the store holds afterwards."""

    url: str
    """Where the request went (the update endpoint, or the GSP ``/store``)."""
    method: str
    """``update`` (one SPARQL Update) or ``gsp`` (one whole-dataset PUT)."""
    graphs: dict[str, int]
    """Named graph IRI → triples sent."""
    triples: int
    """Total triples sent (and counted back on the store)."""
    seconds: float
    """Wall time of the request."""
    bytes_sent: int
    """Size of the request body."""


Triple = tuple[Identifier, Identifier, Identifier]


def read_dump(path: Path) -> dict[URIRef, list[Triple]]:
    """The triples of an N-Quads or TriG dump, by named graph, sorted.

    Parsed with pyoxigraph (25 times faster than rdflib on the dump).

    Raises:
        EndpointError: an unreadable dump, or triples outside named graphs (the
            build puts every triple in a named graph).
    """
    import pyoxigraph as ox

    graphs: dict[URIRef, list[Triple]] = {}
    try:
        fmt = format_for_path(path)
        for quad in ox.parse(path=str(path), format=fmt.oxigraph):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise EndpointError(
                    f"{path} has triples outside named graphs",
                    hint="every triple of the build lives in a named graph; rebuild",
                )
            # One dump is one blank-node scope: labels kept (rdfio.to_rdflib).
            s, p, o = (
                to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object)
            )
            assert s is not None and p is not None and o is not None
            graphs.setdefault(URIRef(quad.graph_name.value), []).append((s, p, o))
    except SourceError as exc:
        raise EndpointError(str(exc), hint="upload a .nq or .trig dump") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise EndpointError(
            f"cannot read {path}: {exc}", hint="rebuild with `samverkansgraf build`"
        ) from exc
    return {graph: sorted(triples) for graph, triples in sorted(graphs.items())}


def update_text(graphs: Mapping[URIRef, Iterable[Triple]]) -> str:
    """One SPARQL Update that replaces a store's content by ``graphs``.

    ``DROP SILENT ALL`` then one ``INSERT DATA`` with a ``GRAPH`` block per named
    graph, every term serialised by ``query.sparql_term``.

    Example:
        >>> from rdflib import Literal
        >>> g = URIRef("urn:g")
        >>> print(update_text({g: [(URIRef("urn:s"), URIRef("urn:p"), Literal("o"))]}))
        DROP SILENT ALL ;
        INSERT DATA {
        GRAPH <urn:g> {
        <urn:s> <urn:p> "o" .
        }
        }
        <BLANKLINE>
    """
    parts = ["DROP SILENT ALL ;", "INSERT DATA {"]
    for graph, triples in graphs.items():
        parts.append(f"GRAPH {sparql_term(graph)} {{")
        parts.extend(
            f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ."
            for s, p, o in triples
        )
        parts.append("}")
    parts.append("}")
    return "\n".join(parts) + "\n"


def upload_dataset(
    endpoint: str, dump: Path, *, method: str = "update", timeout: float = 120.0
) -> UploadReport:
    """Replace the whole dataset of a running store, atomically.

    Sends one request (see the module docstring for why one): a SPARQL 1.1
    Update ``DROP SILENT ALL ; INSERT DATA {…}`` to the server's ``/update``
    (``method="update"``), or the dump itself in one Graph Store Protocol ``PUT``
    to ``/store`` (``method="gsp"``). Then counts the triples of each graph back
    with a query and compares them with what was sent.

    Args:
        endpoint: the server's base URL or any of its ``/query``, ``/update``,
            ``/sparql``, ``/store`` URLs (Oxigraph layout), or the full URL of
            the update (or GSP) endpoint of another store.
        dump: ``dist/samverkansgraf.nq`` (or ``.trig``).
        method: ``update`` or ``gsp``.
        timeout: seconds to wait for the request.

    Returns:
        What was sent and how long it took.

    Raises:
        EndpointError: the server is down, read-only, rejects the upload, or
            holds other counts afterwards.
    """
    if method not in UPLOAD_METHODS:
        raise EndpointError(
            f"unknown upload method {method!r}", hint="use update or gsp"
        )
    triples = read_dump(dump)
    base = server_base(endpoint)
    graphs = {str(graph): len(set(items)) for graph, items in triples.items()}
    if method == "update":
        url = f"{base}/update" if base else endpoint
        body = update_text(triples).encode("utf-8")
        verb, content_type = "POST", "application/sparql-update; charset=utf-8"
    else:
        url = f"{base}/store" if base else endpoint
        body = dump.read_bytes()
        verb = "PUT"
        content_type = format_for_path(dump).media_type
    request = urllib.request.Request(
        url, data=body, method=verb, headers={"Content-Type": content_type}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip().splitlines()
        reason = detail[0] if detail else exc.reason
        hint = "look at the server's log"
        if exc.code == 403:
            hint = "the store is read-only; serve it with --writable"
        raise EndpointError(
            f"{url} refused the upload: HTTP {exc.code} {reason}", hint=hint
        ) from exc
    except Exception as exc:  # URLError, timeouts, resets
        raise network_error(url, exc, timeout) from exc
    seconds = time.monotonic() - started
    if base is not None:
        _check_counts(base, graphs, timeout)
    else:
        log.warning(
            "%s is not an Oxigraph-style URL: triple counts not checked", endpoint
        )
    return UploadReport(url, method, graphs, sum(graphs.values()), seconds, len(body))


def _check_counts(endpoint: str, expected: dict[str, int], timeout: float) -> None:
    """Count each graph's triples on the store and compare with what was sent."""
    engine = RemoteEngine(endpoint, timeout=min(timeout, DEFAULT_TIMEOUT))
    result = engine.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    found = {str(g): int(n) for g, n in result.rows if g is not None and n is not None}
    if found != expected:
        missing = sorted(set(expected) ^ set(found))[:3]
        raise EndpointError(
            f"after the upload the store holds {sum(found.values())} triples in "
            f"{len(found)} graphs, {sum(expected.values())} in {len(expected)} were "
            f"sent" + (f" (differing graphs: {', '.join(missing)})" if missing else ""),
            hint="another writer may be using the store; upload again",
        )


@dataclass(frozen=True)
class LoadReport:
    """What a load test measured."""

    clients: int
    """Concurrent clients."""
    queries: int
    """Queries sent in all."""
    errors: int
    """Queries that failed (any exception)."""
    seconds: float
    """Wall time of the whole test."""
    p50_ms: float
    """Median latency per query, milliseconds."""
    p95_ms: float
    """95th-percentile latency per query, milliseconds."""
    max_ms: float
    """Slowest query, milliseconds."""

    @property
    def queries_per_second(self) -> float:
        """Throughput over the whole test."""
        return self.queries / self.seconds if self.seconds else 0.0


def run_load_test(
    endpoint: str,
    specs: Sequence[QuerySpec],
    *,
    clients: int = 8,
    queries_per_client: int = 200,
    params: Mapping[str, Mapping[str, object]] | None = None,
    timeout: float = 30.0,
) -> LoadReport:
    """Hammer an endpoint with catalogue queries from concurrent clients.

    Each client sends ``queries_per_client`` queries, cycling through ``specs``
    (starting at a different query per client), and times each one.

    Args:
        endpoint: the SPARQL endpoint URL.
        specs: the ``QuerySpec``s to send.
        clients: number of concurrent clients (threads).
        queries_per_client: queries each client sends.
        params: query id → parameter values for queries that need them.
        timeout: seconds to wait for each answer.

    Returns:
        Counts, errors and latency percentiles.
    """
    import statistics
    from concurrent.futures import ThreadPoolExecutor

    from .engines import run_query

    engine = RemoteEngine(endpoint, timeout=timeout)
    params = params or {}

    def client(offset: int) -> tuple[list[float], int]:
        latencies, errors = [], 0
        for i in range(queries_per_client):
            spec = specs[(offset + i) % len(specs)]
            started = time.perf_counter()
            try:
                run_query(spec, dict(params.get(spec.id, {})), engine=engine)
            except Exception:  # every failure counts, whatever its kind
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, range(clients)))
    seconds = time.perf_counter() - started
    latencies = sorted(ms for found, _ in results for ms in found)
    percentiles = statistics.quantiles(latencies, n=100)
    return LoadReport(
        clients=clients,
        queries=len(latencies),
        errors=sum(errors for _, errors in results),
        seconds=seconds,
        p50_ms=statistics.median(latencies),
        p95_ms=percentiles[94],
        max_ms=latencies[-1],
    )
