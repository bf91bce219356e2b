"""Stage 4c — the guard in front of the Oxigraph server (issue 16).

Input: HTTP requests from any client on the public port. Output: the same requests
forwarded to Oxigraph on a private loopback port — only after they pass the checks
below — and Oxigraph's answers passed back whole, or a refusal of one line.

What a request goes through, in order (``ResultLimitProxy``):

1. ``serving``'s middlewares: a ``Host`` that names this server (else 421), at
   most ``ServingLimits.max_concurrent`` requests at once (else 503 with
   ``Retry-After``); aiohttp's parser has already answered malformed requests 400.
2. Screening (``query.screen``): every query (``GET ?query=``, a form ``query=``,
   an ``application/sparql-query`` body) and update (a form ``update=``, an
   ``application/sparql-update`` body) is screened before Oxigraph sees it —
   ``SERVICE``/``LOAD`` unless the operator allowed federation, nesting deeper
   than ``MAX_NESTING`` (6,000 nested brackets kill Oxigraph), queries larger
   than ``MAX_QUERY_BYTES``: 400 with the reason.
3. Forwarding with the client's ``Host``, so the base IRI Oxigraph resolves
   relative IRIs against is the public one, not the private port.
4. The answer is read into memory up to ``max_result_bytes`` (else 413, the
   upstream connection closed). A query answer that took Oxigraph longer than its
   own ``--timeout-s`` was cut off by it: Oxigraph then ends a *complete* ``200``
   whose rows stop where the timer fired, with the line "The SPARQL operation has
   been cancelled" after them (measured: 1.03 s for a 1 s timeout), so the proxy
   answers 504 instead. A query Oxigraph does not stop (an aggregate over a
   cross join computes on) is answered 504 at ``timeout`` and its upstream
   connection is closed. That stops a streaming query at its next write; an
   aggregate Oxigraph keeps computing (measured: a COUNT over a three-way cross
   join with a 2 s timeout ran 27 s), so the proxy then calls ``on_runaway``:
   ``OxigraphServer`` starts a fresh Oxigraph on the same read-only store and
   hands it to ``replace_upstream``; new requests go to it at once, and the old
   process is stopped — with the runaway work — as soon as no other request is
   still being answered by it.
5. Any mention of the private address in the answer's headers or body is
   replaced by the public one, so the backend port never reaches a client.

Two things the proxy answers itself, without Oxigraph: the query page
(``query.workbench``, configured for this endpoint: our prefixes, the catalogue
as examples) at ``/`` and ``/query.html`` with its files under ``/assets/`` —
instead of Oxigraph's own page, which loads YASGUI from a CDN and knows none of
our queries — and CORS for ``GET`` queries: answers to ``GET``/``HEAD /query``
(refusals included, so a page can show the reason) carry
``Access-Control-Allow-Origin: *`` and ``OPTIONS /query`` is answered as a
preflight for ``GET``, so a notebook or page on another origin can read the
open data. ``POST`` gets no CORS headers: updates stay same-origin.

Memory: at most ``max_concurrent`` answers are buffered at once, each at most
``max_result_bytes`` (16 × 64 MiB at ``serve``'s defaults); request bodies are
read whole only for queries (≤ ``MAX_QUERY_BYTES``) and updates (≤ 128 MiB,
Oxigraph's own update limit); Graph Store uploads stream through.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from ..errors import EndpointError
from ..serving import (
    BackgroundServer,
    ServingLimits,
    concurrency_cap_middleware,
    host_check_middleware,
    plain_response,
)
from .screen import (
    FEDERATION_HINT,
    MAX_QUERY_BYTES,
    ScreeningError,
    screen_query,
    screen_update,
)

__all__ = ["MAX_UPDATE_BYTES", "PAGE_TYPES", "TIMEOUT_MARGIN_S", "ResultLimitProxy"]

log = logging.getLogger(__name__)

MAX_UPDATE_BYTES = 128 * 2**20
"""Largest SPARQL Update body forwarded (Oxigraph refuses larger ones itself)."""
TIMEOUT_MARGIN_S = 1.0
"""Seconds past Oxigraph's query timeout before the proxy gives up on an answer
(Oxigraph's own cancellation arrives ~0.15 s late; measured in issue 16)."""
UPLOAD_TIMEOUT_S = 600.0
"""Deadline for an update or Graph Store request (Oxigraph's timeout is for
queries only; a whole-dataset upload takes ~2 s on loopback)."""

# Headers that belong to one HTTP connection, not to the message (RFC 9110 7.6.1),
# plus those the proxy sets itself.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "expect",
    }
)
_CHUNK = 1 << 16
_FORM = "application/x-www-form-urlencoded"
_QUERY_BODY = "application/sparql-query"
_UPDATE_BODY = "application/sparql-update"
# Percent-encoding triples a query's size in a form or a URL.
_MAX_FORM_QUERY_BYTES = 3 * MAX_QUERY_BYTES + 1024
# The keywords after which query.screen parses a text with rdflib (a superset:
# it also matches inside names and strings).
_MAY_NEED_A_PARSE = re.compile(r"service|load|from|using", re.IGNORECASE)
_CANCELLED = b"The SPARQL operation has been cancelled"
_READ_ONLY = "this server is read-only: it does not accept updates"
PAGE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
"""Media types of the query page's files (anything else: plain text)."""
_CORS = {"Access-Control-Allow-Origin": "*"}
_PREFLIGHT = {
    **_CORS,
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "Accept",
    "Access-Control-Max-Age": "600",
}


class _RefusedError(Exception):
    """A request refused with ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ResultLimitProxy:
    """Screen, forward and size-check requests to an upstream SPARQL server.

    Runs an aiohttp server in a daemon thread of this process (``serving.
    BackgroundServer``) and talks to upstream with one ``aiohttp.ClientSession``;
    see the module docstring for what each request goes through.
    """

    _session: aiohttp.ClientSession

    def __init__(
        self,
        address: tuple[str, int],
        *,
        upstream: tuple[str, int],
        max_result_bytes: int | None,
        timeout: float = 310.0,
        cancelled_after: float | None = None,
        allow_federation: bool = False,
        public_hosts: Iterable[str] = (),
        writable: bool = True,
        limits: ServingLimits | None = None,
        page: Mapping[str, bytes] | None = None,
    ) -> None:
        """Listen on ``address`` (host, port) and start serving in a thread.

        Args:
            address: where clients connect (port 0: any free one).
            upstream: Oxigraph's private (host, port).
            max_result_bytes: refuse larger answers with 413 (``None``: no limit,
                answers are still buffered whole).
            timeout: seconds to wait for a query's answer before answering 504.
            cancelled_after: Oxigraph's own query timeout: a query answer that
                took at least this long was cut off by it and is answered 504.
            allow_federation: let ``SERVICE`` and ``LOAD`` through.
            public_hosts: extra ``Host`` names this server answers for.
            writable: whether updates may be sent (their bodies are then read up
                to ``MAX_UPDATE_BYTES``; else the upstream refuses them anyway).
            limits: timeouts, caps and backlog (default ``ServingLimits()``).
            page: path → bytes of the query page and its files, answered by the
                proxy itself (``/`` serves ``/query.html``); ``None``: every
                path goes to Oxigraph.

        Raises:
            EndpointError: the address cannot be bound.
        """
        if max_result_bytes is not None and max_result_bytes < 1:
            raise ValueError("max_result_bytes must be positive")
        self.upstream = upstream
        self.max_result_bytes = max_result_bytes
        self.timeout = timeout
        self.cancelled_after = cancelled_after
        self.allow_federation = allow_federation
        self.public_hosts = tuple(public_hosts)
        self.writable = writable
        self.page = dict(page or {})
        if "/query.html" in self.page:
            self.page.setdefault("/", self.page["/query.html"])
        # A GET may carry a whole (percent-encoded) query: the request line must
        # hold one of MAX_QUERY_BYTES so the screen can answer it with its reason.
        limits = limits or ServingLimits()
        self.limits = dataclasses.replace(
            limits, max_line_bytes=max(limits.max_line_bytes, _MAX_FORM_QUERY_BYTES)
        )
        self._max_path_bytes = limits.max_line_bytes
        # Requests being answered per upstream, and what to do with an upstream
        # that was replaced once none is left (see replace_upstream).
        self._in_flight: Counter[tuple[str, int]] = Counter()
        self._retiring: dict[tuple[str, int], Callable[[], None]] = {}
        self.on_runaway: Callable[[], None] | None = None
        """Called (in the server's loop; it must not block) when a query is still
        being worked on upstream after its 504: Oxigraph did not stop it."""
        self._server = BackgroundServer(
            self._make_app, address[0], address[1], self.limits
        )
        try:
            self._server.start()
        except OSError as exc:
            raise EndpointError(
                f"cannot listen on {address[0]}:{address[1]}: {exc.strerror}",
                hint="another server uses the port: choose another with --port",
            ) from exc
        self.host, self.port = address[0], self._server.port

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        return self._server.url

    def stop(self) -> None:
        """Stop listening and close every connection."""
        self._server.stop()

    def replace_upstream(
        self, upstream: tuple[str, int], retire: Callable[[], None]
    ) -> None:
        """Send new requests to ``upstream``; retire the old one once it is idle.

        ``retire`` is called in a worker thread as soon as no request is being
        answered by the old upstream any more (at once if none is). Safe to call
        from any thread.
        """
        self._server.call_soon(self._switch_upstream, upstream, retire)

    def _switch_upstream(
        self, upstream: tuple[str, int], retire: Callable[[], None]
    ) -> None:
        old, self.upstream = self.upstream, upstream
        self._retiring[old] = retire
        self._retire_if_idle(old)

    def _retire_if_idle(self, upstream: tuple[str, int]) -> None:
        if self._in_flight[upstream] == 0 and upstream in self._retiring:
            retire = self._retiring.pop(upstream)
            asyncio.get_running_loop().run_in_executor(None, retire)

    # -- the aiohttp application -------------------------------------------

    def _make_app(self) -> web.Application:
        app = web.Application(
            middlewares=[
                host_check_middleware(self.public_hosts),
                concurrency_cap_middleware(self.limits),
            ],
            # Bodies are read by _read_body with their own limits.
            client_max_size=MAX_UPDATE_BYTES,
        )
        app.cleanup_ctx.append(self._client_session)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _client_session(self, app: web.Application) -> AsyncIterator[None]:
        # One connection per request (force_close), as the standard-library proxy
        # did: after an answer cut off at its timeout Oxigraph writes a stray
        # "500 Resource temporarily unavailable" on the same connection
        # (measured), which must never become the next request's answer.
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_concurrent, force_close=True
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            skip_auto_headers=("User-Agent",),
        )
        yield
        await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        query_path = request.path == "/query"
        if request.method == "OPTIONS" and query_path:
            return web.Response(status=204, headers=_PREFLIGHT)
        if request.method in ("GET", "HEAD") and request.path in self.page:
            return self._page_file(request.path)
        try:
            response: web.StreamResponse = await self._screen_and_forward(request)
        except _RefusedError as refusal:
            response = self._refuse(request, refusal.status, refusal.message)
        if request.method in ("GET", "HEAD") and query_path:
            response.headers.update(_CORS)
        return response

    def _page_file(self, path: str) -> web.Response:
        """A file of the query page, answered by the proxy itself."""
        name = "/query.html" if path == "/" else path
        suffix = name[name.rfind(".") :] if "." in name.rsplit("/", 1)[-1] else ""
        return web.Response(
            body=self.page[path],
            headers={
                "Content-Type": PAGE_TYPES.get(suffix, "text/plain; charset=utf-8"),
                "Cache-Control": "no-cache",
            },
        )

    async def _screen_and_forward(self, request: web.Request) -> web.StreamResponse:
        if len(request.raw_path.partition("?")[0]) > self._max_path_bytes:
            raise _RefusedError(
                400,
                f"the request path is longer than {self._max_path_bytes} bytes; "
                "no resource here has such a name",
            )
        kind, body = await self._screen(request)
        headers = CIMultiDict(
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in _HOP_BY_HOP
        )
        # The client's (checked) Host: Oxigraph takes the base IRI from it.
        headers["Host"] = request.headers["Host"]
        data: bytes | AsyncIterator[bytes] | None = body
        if body is None and request.body_exists:
            if request.content_length is not None:
                headers["Content-Length"] = str(request.content_length)
            data = self._stream_body(request)
        upstream_address = self.upstream  # the one this request is answered by
        private = f"{upstream_address[0]}:{upstream_address[1]}"
        url = URL(
            f"http://{upstream_address[0]}:{upstream_address[1]}{request.raw_path}",
            encoded=True,
        )
        deadline = self.timeout if kind == "query" else UPLOAD_TIMEOUT_S
        started = time.monotonic()
        self._in_flight[upstream_address] += 1
        try:
            async with asyncio.timeout(deadline):
                async with self._session.request(
                    request.method,
                    url,
                    headers=headers,
                    data=data,
                    allow_redirects=False,
                ) as upstream:
                    content = await self._read_answer(request, upstream)
                    elapsed = time.monotonic() - started
                    status, reason = upstream.status, upstream.reason
                    answer_headers = [
                        (name, self._public(request, value, private))
                        for name, value in upstream.headers.items()
                        if name.lower() not in _HOP_BY_HOP
                    ]
        except TimeoutError:
            # Oxigraph's own timeout fired a margin ago and the answer is still
            # not there: it is not stopping this one (an aggregate computes on).
            if kind == "query" and self.on_runaway is not None:
                self.on_runaway()
            raise self._timed_out() from None
        except (aiohttp.ClientError, OSError) as exc:
            log.debug("upstream failed: %s", exc)
            raise _RefusedError(
                502,
                "the SPARQL server behind this endpoint is not answering; "
                "its operator must restart it",
            ) from None
        finally:
            self._in_flight[upstream_address] -= 1
            self._retire_if_idle(upstream_address)
        if kind == "query" and status == 200 and self._was_cut_off(content, elapsed):
            raise self._timed_out()
        return web.Response(
            status=status,
            reason=reason,
            body=content.replace(
                private.encode("ascii"), self._public_authority(request)
            ),
            headers=CIMultiDict(answer_headers),
        )

    def _was_cut_off(self, content: bytes, elapsed: float) -> bool:
        """Whether Oxigraph stopped this answer at its timeout.

        It then appends its error text to the rows it had sent (CSV, TSV, JSON
        and XML alike) and ends the answer as if it were complete; any answer
        that took longer than its timeout was cut off too.
        """
        if _CANCELLED in content[-len(_CANCELLED) - 16 :]:
            return True
        return self.cancelled_after is not None and elapsed >= self.cancelled_after

    def _timed_out(self) -> _RefusedError:
        limit = self.cancelled_after or self.timeout
        return _RefusedError(
            504,
            f"the query did not finish within this server's time limit of "
            f"{limit:g} s; add a LIMIT, narrow the query or run it locally",
        )

    async def _read_answer(
        self, request: web.Request, upstream: aiohttp.ClientResponse
    ) -> bytes:
        """The whole answer, or a 413 refusal once it passes the size limit."""
        parts: list[bytes] = []
        size = 0
        limit = self.max_result_bytes
        async for chunk in upstream.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if limit is not None and size > limit:
                upstream.close()  # stop Oxigraph's work on it
                raise _RefusedError(
                    413,
                    f"the answer to this request ({request.path}) is larger than "
                    f"this server's limit of {limit} bytes; add a LIMIT or narrow "
                    "the query",
                )
            parts.append(chunk)
        return b"".join(parts)

    # -- screening ----------------------------------------------------------

    async def _screen(self, request: web.Request) -> tuple[str, bytes | None]:
        """Screen every query and update in the request.

        Returns:
            ``query``, ``update`` or ``other``, and the body if it had to be read
            (``None``: the body, if any, is streamed to upstream).
        """
        queries = request.query.getall("query", [])
        updates = request.query.getall("update", [])
        body: bytes | None = None
        media_type = request.content_type if request.body_exists else ""
        if request.method == "POST" and media_type == _FORM:
            limit = MAX_UPDATE_BYTES if self.writable else _MAX_FORM_QUERY_BYTES
            body = await self._read_body(request, limit)
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            queries += [value for name, value in form if name == "query"]
            updates += [value for name, value in form if name == "update"]
        elif media_type == _QUERY_BODY:
            body = await self._read_body(request, MAX_QUERY_BYTES)
            queries.append(self._decode(body))
        elif media_type == _UPDATE_BODY:
            if not self.writable:
                raise _RefusedError(403, _READ_ONLY)  # without reading the body
            body = await self._read_body(request, MAX_UPDATE_BYTES)
            updates.append(self._decode(body))
        if updates and not self.writable:
            raise _RefusedError(403, _READ_ONLY)
        if not queries and not updates:
            return "other", body
        try:
            for text in queries:
                if _MAY_NEED_A_PARSE.search(text):
                    # The screen then parses with rdflib (~100 ms): off the loop.
                    await asyncio.to_thread(
                        screen_query, text, allow_federation=self.allow_federation
                    )
                else:  # a lexical scan of well under a millisecond, or cached
                    screen_query(text, allow_federation=self.allow_federation)
            for text in updates:
                await asyncio.to_thread(
                    screen_update, text, allow_federation=self.allow_federation
                )
        except ScreeningError as exc:
            raise _RefusedError(400, self._reason(exc)) from None
        return ("update" if updates else "query"), body

    @staticmethod
    def _reason(exc: ScreeningError) -> str:
        if exc.hint == FEDERATION_HINT:
            return (
                f"{exc.message}; this endpoint does not federate (its operator "
                "can allow it with `serve --allow-federation`)"
            )
        return f"{exc.message} — {exc.hint}" if exc.hint else exc.message

    @staticmethod
    def _decode(body: bytes) -> str:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise _RefusedError(400, "the request body is not UTF-8 text") from None

    async def _read_body(self, request: web.Request, limit: int) -> bytes:
        """The request body, read within the body timeout and ``limit`` bytes."""
        if request.content_length is not None and request.content_length > limit:
            raise self._too_large(limit)
        parts: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.body_timeout_s):
                async for chunk in request.content.iter_chunked(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise self._too_large(limit)
                    parts.append(chunk)
        except TimeoutError:
            raise _RefusedError(
                408,
                f"the request body did not arrive within "
                f"{self.limits.body_timeout_s:g} s",
            ) from None
        return b"".join(parts)

    @staticmethod
    def _too_large(limit: int) -> _RefusedError:
        return _RefusedError(
            413,
            f"the request body is larger than this server's limit of {limit} "
            "bytes; send a shorter query",
        )

    async def _stream_body(self, request: web.Request) -> AsyncIterator[bytes]:
        """The request body as it comes; a pause over the body timeout ends it."""
        while True:
            try:
                async with asyncio.timeout(self.limits.body_timeout_s):
                    chunk = await request.content.read(_CHUNK)
            except TimeoutError:
                log.debug("request body stalled: upload cut off")
                raise
            if not chunk:
                return
            yield chunk

    # -- answers --------------------------------------------------------------

    def _public_authority(self, request: web.Request) -> bytes:
        return request.headers["Host"].encode("ascii", "replace")

    @staticmethod
    def _public(request: web.Request, value: str, private: str) -> str:
        """A header value with the private address replaced by the public one."""
        if private in value:
            return value.replace(private, request.headers["Host"])
        return value

    def _refuse(self, request: web.Request, status: int, message: str) -> web.Response:
        # RFC 9110's name for 413 (Python 3.11's http.HTTPStatus still says
        # "Request Entity Too Large"); the remote engine quotes the reason.
        reason = "Content Too Large" if status == 413 else None
        response = plain_response(status, message)
        if reason is not None:
            response.set_status(status, reason)
        return response
