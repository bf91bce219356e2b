"""Shared HTTP discipline for the servers samverkansgraf runs (issue 16).

Input: an ``aiohttp.web.Application`` built by a server module (the SPARQL
endpoint's proxy in ``query/endpoint.py``, the site server in
``publish/server.py``). Output: the same application guarded by the limits every
public-facing server here keeps, running in a background thread on loopback.

What the limits defend against (each measured on loopback in issue 16):

- **DNS rebinding**: a web page on ``evil.example`` that resolves to 127.0.0.1
  reaches a researcher's local server with ``Host: evil.example``. Only ``Host``
  values that name this server are accepted (``allowed_hosts``); others get
  ``421 Misdirected Request`` with a one-line reason.
- **Starvation**: idle or slow clients held sockets for ever (~650–1,000 of them
  used up the file handles). aiohttp closes a connection that sends no complete
  request within ``keepalive_timeout_s`` (the timer starts when the connection
  opens and is not reset by a trickle of header bytes), and the handlers bound
  the time to read a request body by ``body_timeout_s``.
- **Overload**: at most ``max_concurrent`` requests are handled at once; the
  others are answered ``503`` with ``Retry-After`` at once, so memory stays below
  ``max_concurrent`` × the largest answer a handler buffers.
- **Bursts**: the listen backlog holds ``backlog`` connections (the standard
  library's server had 5).
- **Malformed requests** (``Content-Length: abc``, control bytes in the path, a
  60 KB request line) are answered ``400`` by aiohttp's parser; the log filter of
  ``quiet_logging`` drops the tracebacks aiohttp would print for them and for
  client disconnects.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Middleware

__all__ = [
    "LOOPBACK_NAMES",
    "BackgroundServer",
    "ServingLimits",
    "allowed_hosts",
    "concurrency_cap_middleware",
    "host_check_middleware",
    "host_is_allowed",
    "plain_response",
    "quiet_logging",
]

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""Host names that always name a server bound to loopback."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ServingLimits:
    """The limits a server keeps against careless and hostile clients.

    The defaults hold the project's load test (8 clients × 200 queries) without a
    single refusal, and keep a loopback server responsive with hundreds of idle
    sockets open.
    """

    max_concurrent: int = 16
    """Requests handled at once; more are answered 503 with ``Retry-After``.
    Memory is bounded by this × the largest answer a handler buffers (for the
    SPARQL endpoint: 16 × 64 MiB = 1 GiB at the default ``--max-result-mb``)."""
    retry_after_s: int = 1
    """Seconds a refused client is told to wait (the ``Retry-After`` header)."""
    keepalive_timeout_s: float = 15.0
    """An idle connection, or one that has not sent a whole request head within
    this time, is closed."""
    body_timeout_s: float = 60.0
    """Deadline for reading a request body (a slow upload is cut off)."""
    backlog: int = 128
    """Listen backlog: connections the kernel queues during a burst."""
    max_line_bytes: int = 8190
    """Longest request line (method, path and query string): longer is 400.
    Longer queries can be sent with POST."""
    max_field_bytes: int = 8190
    """Longest header line: longer is 400."""
    max_headers: int = 100
    """Most header lines in a request: more is 400."""
    shutdown_timeout_s: float = 2.0
    """How long ``BackgroundServer.stop`` waits for requests in flight."""

    def __post_init__(self) -> None:
        if self.max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")


def allowed_hosts(port: int, public_hosts: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` header values that name a server listening on ``port``.

    Each of ``LOOPBACK_NAMES`` and ``public_hosts`` (e.g. ``--public-host
    sparql.example.org``) is allowed alone and with ``:port``; names are compared
    in lower case, and an IPv6 address may be given with or without brackets.

    Example:
        >>> sorted(allowed_hosts(7878))[:3]
        ['127.0.0.1', '127.0.0.1:7878', '[::1]']
        >>> "sparql.example.org:7878" in allowed_hosts(7878, ["SPARQL.example.org"])
        True
    """
    names: set[str] = set()
    for name in (*LOOPBACK_NAMES, *public_hosts):
        name = name.strip().lower().rstrip(".")
        if ":" in name and not name.startswith("["):
            name = f"[{name}]"  # a bare IPv6 address
        if name:
            names.update((name, f"{name}:{port}"))
    return frozenset(names)


def host_is_allowed(host: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request's ``Host`` header names this server.

    Example:
        >>> allowed = allowed_hosts(7878)
        >>> host_is_allowed("LOCALHOST:7878", allowed)
        True
        >>> host_is_allowed("evil.example", allowed)
        False
    """
    if host is None:
        return False
    return host.strip().lower().rstrip(".") in allowed or (
        # "localhost.:7878": a trailing dot before the port names the same host.
        host.strip().lower().replace(".:", ":") in allowed
    )


def _without_port(host: str) -> str:
    """``[::1]:7878`` → ``[::1]``, ``localhost:7878`` → ``localhost``."""
    if host.startswith("["):
        return host[: host.index("]") + 1]
    return host.split(":", 1)[0]


def plain_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A one-line ``text/plain`` answer that closes the connection.

    Used for every refusal, so a client (and a person reading it with curl) gets
    one sentence and the status, never an HTML page or a traceback.
    """
    response = web.Response(
        status=status,
        text=message.rstrip("\n") + "\n",
        content_type="text/plain",
        charset="utf-8",
        headers=dict(headers or {}),
    )
    response.force_close()
    return response


def host_check_middleware(
    public_hosts: Iterable[str] = (),
) -> Middleware:
    """An aiohttp middleware that refuses requests whose ``Host`` is not allowed.

    The allowed values are ``allowed_hosts`` of the port the request came in on
    (so a server started on port 0 needs no second step) and ``public_hosts``.
    A request without ``Host`` gets 400; one naming another host gets
    ``421 Misdirected Request`` (RFC 9110 15.5.20) with the names that work.
    """
    public_hosts = tuple(public_hosts)
    by_port: dict[int, frozenset[str]] = {}

    @web.middleware
    async def check_host(request: web.Request, handler: Handler) -> web.StreamResponse:
        sockname = (
            request.transport.get_extra_info("sockname") if request.transport else None
        )
        port = int(sockname[1]) if sockname else 0
        allowed = by_port.get(port)
        if allowed is None:
            allowed = by_port[port] = allowed_hosts(port, public_hosts)
        host = request.headers.get("Host")
        if host is None:
            return plain_response(400, "the request has no Host header; send one")
        if not host_is_allowed(host, allowed):
            shown = host if len(host) <= 100 and host.isprintable() else "(unreadable)"
            names = ", ".join(sorted({_without_port(name) for name in allowed}))
            return plain_response(
                421,
                f"this server does not answer for the host {shown!r}; it answers "
                f"for {names} (an operator adds names with --public-host)",
            )
        return await handler(request)

    return check_host


def concurrency_cap_middleware(
    limits: ServingLimits,
) -> Middleware:
    """An aiohttp middleware that handles at most ``limits.max_concurrent`` requests.

    A request over the cap is answered at once with 503 and ``Retry-After``
    (RFC 9110 10.2.3) instead of waiting in a queue that would hold its memory.
    The count lives in the event loop's single thread, so a plain integer does.
    """
    in_flight = 0

    @web.middleware
    async def cap(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal in_flight
        if in_flight >= limits.max_concurrent:
            return plain_response(
                503,
                f"the server is busy ({limits.max_concurrent} requests at once is "
                f"its limit); try again in {limits.retry_after_s} s",
                {"Retry-After": str(limits.retry_after_s)},
            )
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return cap


class _DropClientNoise(logging.Filter):
    """Drop aiohttp's tracebacks for malformed requests and client disconnects.

    Those are the client's doing and are already answered (400) or moot (the
    client left); a bug in a handler still logs its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(
            exc, HttpProcessingError | ConnectionError | asyncio.CancelledError
        ):
            log.debug("client error: %s", exc)
            return False
        return True


_NOISE_FILTER = _DropClientNoise()


def quiet_logging() -> None:
    """Silence what bad clients make aiohttp print; keep real errors.

    The access log is off (servers are built with ``access_log=None``); this adds
    a filter to aiohttp's server logger and the asyncio logger that drops records
    caused by malformed requests and client disconnects. Idempotent.
    """
    for name in ("aiohttp.server", "aiohttp.web", "asyncio"):
        logger = logging.getLogger(name)
        if _NOISE_FILTER not in logger.filters:
            logger.addFilter(_NOISE_FILTER)


@dataclass
class BackgroundServer:
    """An aiohttp application served on ``host:port`` from a daemon thread.

    The thread runs its own event loop, so synchronous code (the CLI, tests)
    starts and stops it like the standard library's servers. The socket is bound
    with ``SO_REUSEADDR`` (a restart on the same port works at once) and the
    backlog of ``limits``.
    """

    app_factory: Callable[[], web.Application]
    """Builds the application inside the server's loop (aiohttp objects such as
    ``ClientSession`` must be made in the loop that uses them)."""
    host: str
    """Address to listen on."""
    port: int
    """TCP port (0: any free one; ``port`` holds the real one after ``start``)."""
    limits: ServingLimits = field(default_factory=ServingLimits)
    """Timeouts, caps and backlog."""
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _runner: web.AppRunner | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:7878``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Bind the socket and start serving; return once it accepts connections.

        Raises:
            OSError: the address cannot be bound (the caller words the error).
        """
        quiet_logging()
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        errors: list[BaseException] = []

        async def serve() -> None:
            runner = web.AppRunner(
                self.app_factory(),
                access_log=None,
                handle_signals=False,
                keepalive_timeout=self.limits.keepalive_timeout_s,
                max_line_size=self.limits.max_line_bytes,
                max_field_size=self.limits.max_field_bytes,
                max_headers=self.limits.max_headers,
                shutdown_timeout=self.limits.shutdown_timeout_s,
            )
            await runner.setup()
            site = web.TCPSite(
                runner,
                self.host,
                self.port,
                backlog=self.limits.backlog,
                reuse_address=True,
            )
            try:
                await site.start()
            except OSError:
                await runner.cleanup()
                raise
            self._runner = runner
            if not self.port:
                self.port = int(runner.addresses[0][1])  # the port bound

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(serve())
            except BaseException as exc:  # handed to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="http-server", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            self._thread.join()
            loop.close()
            self._loop = self._thread = None
            raise errors[0]

    def call_soon(self, callback: Callable[..., object], *args: object) -> None:
        """Run ``callback(*args)`` in the server's loop (from any thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(callback, *args)

    def stop(self) -> None:
        """Stop serving, close every connection and the loop. Idempotent."""
        loop, thread, runner = self._loop, self._thread, self._runner
        if loop is None or thread is None:
            return
        self._loop = self._thread = self._runner = None
        if runner is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(runner.cleanup(), loop)
            try:
                future.result(timeout=self.limits.shutdown_timeout_s + 5)
            except Exception as exc:  # a stuck connection must not block the exit
                log.debug("server cleanup: %s", exc)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
