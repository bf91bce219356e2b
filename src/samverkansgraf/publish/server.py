"""Content negotiation for the published site: a small local HTTP server.

Input: a site folder written by ``publish``. Output: an aiohttp server that serves
the files as they are and, for a resource IRI's path without suffix
(``/id/kommun/2083``, ``/ontology``), answers ``303 See Other`` to the
representation the client's ``Accept`` header prefers — HTML for browsers, Turtle,
JSON-LD, N-Triples (or RDF/XML where one exists) for RDF clients — the same rules as
the production w3id.org/Apache/nginx configuration in docs/publish.md.

It keeps the discipline of the SPARQL endpoint (issue 16, ``serving.py``): only
``Host`` values that name it, a cap on concurrent requests, timeouts for idle and
slow clients, a listen backlog that holds a burst, ``400`` for malformed requests
and silence when a client hangs up. Only files inside the site are served: a
symbolic link that leads out of it, ``..`` in any encoding and directories without
an ``index.html`` all answer ``404``; a path with control characters, one longer
than ``MAX_PATH_BYTES`` or one that is not UTF-8 answers ``400``.

Binds 127.0.0.1 by default; a public deployment puts a reverse proxy in front.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import mimetypes
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote_to_bytes, urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from ..errors import OutputError, SourceError
from ..rdfio import FORMATS, JSON_LD, N_TRIPLES, RDF_XML, TURTLE
from ..serving import (
    BackgroundServer,
    Handler,
    ServingLimits,
    allowed_hosts,
    concurrency_cap_middleware,
    host_check_middleware,
    plain_response,
)

__all__ = [
    "MAX_PATH_BYTES",
    "MEDIA_TYPES",
    "SiteServer",
    "alternates_of",
    "choose_representation",
    "is_file_path",
    "representations",
    "make_site_server",
    "parse_accept",
    "running_site_server",
    "site_application",
]

log = logging.getLogger(__name__)

# Representations in the server's order of preference on ties (HTML first, so a
# client that accepts anything gets the page). A client asking for plain JSON
# gets the JSON-LD (JSON-LD is JSON).
MEDIA_TYPES: dict[str, str] = {
    "text/html": ".html",
    **{fmt.media_type: fmt.suffix for fmt in (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)},
    "application/json": JSON_LD.suffix,
}
SUFFIX_TYPES = {
    ".html": "text/html; charset=utf-8",
    **{fmt.suffix: fmt.content_type for fmt in FORMATS},
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
}

MAX_PATH_BYTES = 2048
"""Longest URL path (percent-encoded, without the query string) served; longer is
400. The longest path ``publish`` writes is under 200 bytes."""

CHUNK_BYTES = 1024 * 1024
"""Files are sent in pieces of this size, so memory stays below the request cap
× one chunk (16 MiB at the defaults) however large a dump is."""

SEND_TIMEOUT_S = 60.0
"""A client that does not take a chunk of a file within this time is cut off,
so one that stops reading cannot hold a request slot for ever."""

NOT_FOUND = "no page or file at this path in the site"


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an ``Accept`` header with their q-values, best first.

    Example:
        >>> parse_accept("text/html;q=0.8, text/turtle")
        [('text/turtle', 1.0), ('text/html', 0.8)]
    """
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges]


def choose_representation(accept: str | None, available: list[str]) -> str | None:
    """The available media type the client prefers most, or ``None`` (406).

    More specific ranges win over wildcards at equal q; among types a wildcard
    matches equally, the order of ``available`` decides.

    Example:
        >>> choose_representation("application/ld+json", ["text/html", "text/turtle"])
        >>> choose_representation("text/turtle", ["text/html", "text/turtle"])
        'text/turtle'
        >>> choose_representation("*/*", ["text/html", "text/turtle"])
        'text/html'
        >>> choose_representation("image/png", ["text/html"]) is None
        True
    """
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, media in enumerate(available):
        main = media.split("/")[0]
        # The most specific range matching a type gives its q (RFC 9110, 12.5.1).
        matches = []
        for accepted, q in ranges:
            if accepted == media:
                matches.append((2, q))
            elif accepted == f"{main}/*":
                matches.append((1, q))
            elif accepted == "*/*":
                matches.append((0, q))
        if not matches:
            continue
        specificity, q = max(matches, key=lambda m: m[0])
        if q <= 0:
            continue
        key = (q, specificity, -position)
        if best is None or key > best:
            best, chosen = key, media
    return chosen


class BadPathError(ValueError):
    """A request path the server refuses to interpret (answered 400)."""


def path_segments(raw_path: str) -> list[str] | None:
    """The decoded segments of a request path; ``None`` when it cannot name a file.

    ``raw_path`` is the path as sent (percent-encoded, without the query). Empty
    and ``.`` segments are dropped; a ``..`` segment in any encoding (``%2e%2e``,
    ``..%2f``) gives ``None`` (404, as the standard library's server answered).

    Raises:
        BadPathError: the path is longer than ``MAX_PATH_BYTES``, holds a control
            character (raw or percent-encoded) or is not UTF-8 once decoded.

    Example:
        >>> path_segments("/id/kommun/2083")
        ['id', 'kommun', '2083']
        >>> path_segments("/id/%2e%2e/%2E%2E/etc/passwd") is None
        True
        >>> try:
        ...     path_segments("/a%00b")
        ... except BadPathError as exc:
        ...     print(exc)
        the path holds a control character; remove it
    """
    # aiohttp hands over undecodable bytes as surrogate escapes: undo that to
    # judge the bytes the client sent.
    sent = raw_path.encode("utf-8", "surrogateescape")
    if len(sent) > MAX_PATH_BYTES:
        raise BadPathError(
            f"the path is longer than {MAX_PATH_BYTES} bytes; shorten it"
        )
    decoded = unquote_to_bytes(sent)
    if any(byte < 0x20 or byte == 0x7F for byte in sent + decoded):
        raise BadPathError("the path holds a control character; remove it")
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise BadPathError(
            "the path is not UTF-8 once percent-decoded; encode it as UTF-8"
        ) from None
    segments = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in segments:
        return None
    return segments


def is_file_path(segments: list[str]) -> bool:
    """Whether a path names a file by its suffix (``2083.ttl``) rather than a
    resource (``2083``, ``ontology/1.1.0``: a version number is no suffix)."""
    suffix = Path(segments[-1]).suffix.lower() if segments else ""
    return suffix in SUFFIX_TYPES or suffix in (".nq", ".trig", ".turtle")


def representations(
    segments: list[str], exists: Callable[[str], bool]
) -> dict[str, str] | None:
    """Media type → site path of each representation of the resource at
    ``segments``, given which site files exist; ``None`` if it is no resource.

    The representations of ``/id/kommun/2083`` are the files
    ``id/kommun/2083.{html,ttl,jsonld,nt,rdf}`` (of ``/ontology``:
    ``ontology/index.*``; of ``/dcat``: ``dcat.{ttl,jsonld,rdf}``) that exist. The
    same rule decides what ``publish`` checks resolves (``check_resolvable``).
    """
    if not segments or is_file_path(segments):
        return None
    path = "/".join(segments)
    for stem in (path, f"{path}/index"):
        found = {
            media: f"/{stem}{suffix}"
            for media, suffix in MEDIA_TYPES.items()
            if exists(stem + suffix)
        }
        if found:
            return found
    return None


def alternates_of(path: str, exists: Callable[[str], bool]) -> list[tuple[str, str]]:
    """(media type, site path) of the other representations of a served file.

    Example: for ``id/kommun/2083.html`` the ``.ttl``, ``.jsonld``, ``.nt`` and
    ``.rdf`` beside it, as ``Link: <…>; rel="alternate"`` headers announce them.
    """
    stem, dot, suffix = path.rpartition(".")
    if not dot or f".{suffix}" not in MEDIA_TYPES.values():
        return []
    seen: set[str] = set()
    out = []
    for media, other in MEDIA_TYPES.items():
        if other == f".{suffix}" or other in seen or not exists(stem + other):
            continue
        seen.add(other)
        out.append((media, f"/{stem}{other}"))
    return out


@dataclass(frozen=True)
class _Site:
    """A site folder and the files it may serve: nothing outside ``root``."""

    root: Path
    """The site folder, resolved (symbolic links followed once, here)."""

    def file(self, relative: str) -> Path | None:
        """The regular file at ``relative`` inside the site, or ``None``.

        The path is resolved (every symbolic link followed) and must still lie
        inside the site, so a link to ``/etc/passwd`` or to a folder outside is
        not served; names the file system refuses (too long) are simply absent.
        """
        try:
            resolved = (self.root / relative).resolve()
            inside = resolved.is_relative_to(self.root)
            return resolved if inside and resolved.is_file() else None
        except (OSError, ValueError):
            return None

    def candidates(self, segments: list[str]) -> dict[str, str] | None:
        """Media type → site path of each representation of a resource path.

        ``None`` when the path is not a resource (it names a file by a suffix
        the site serves, or no representation exists for it).
        """
        return representations(segments, lambda path: self.file(path) is not None)


def _content_type(path: Path) -> str:
    """Media type by suffix; ``/.well-known/void`` is Turtle (VoID, section 7)."""
    if path.name == "void" and path.parent.name == ".well-known":
        return TURTLE.content_type
    known = SUFFIX_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _negotiate(request: web.Request, candidates: dict[str, str]) -> web.Response:
    """303 to the representation the ``Accept`` header prefers, or 406."""
    chosen = choose_representation(request.headers.get("Accept"), list(candidates))
    if chosen is None:
        return web.Response(
            status=406,
            text="Not acceptable. Available: " + ", ".join(candidates) + "\n",
            content_type="text/plain",
            charset="utf-8",
            headers={"Vary": "Accept"},
        )
    location = quote(candidates[chosen], safe="/-._~")
    return web.Response(
        status=303,
        headers={
            "Location": location,
            "Vary": "Accept",
            "Link": _link_header(
                (media, path)
                for media, path in candidates.items()
                if media != "application/json"
            ),
        },
    )


def _link_header(alternates: Iterable[tuple[str, str]]) -> str:
    """``Link`` header value announcing each representation (RFC 8288)."""
    return ", ".join(
        f'<{quote(path, safe="/-._~")}>; rel="alternate"; type="{media}"'
        for media, path in alternates
    )


def _not_modified(request: web.Request, mtime: float) -> bool:
    """Whether ``If-Modified-Since`` shows the client's copy is current."""
    since = request.if_modified_since
    return since is not None and int(mtime) <= int(since.timestamp())


async def _send_file(
    request: web.Request, path: Path, links: list[tuple[str, str]] | None = None
) -> web.StreamResponse:
    """Stream a site file in chunks, with ``Last-Modified`` and 304 support and
    a ``Link`` header naming its alternates."""
    try:
        handle: BinaryIO = path.open("rb")
    except OSError:
        return web.Response(status=404, text=NOT_FOUND + "\n")
    with handle:
        stat = os.fstat(handle.fileno())
        if _not_modified(request, stat.st_mtime):
            return web.Response(status=304)
        headers = {
            "Content-Type": _content_type(path),
            "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
        }
        if links:
            headers["Link"] = _link_header(links)
        response = web.StreamResponse(headers=headers)
        response.content_length = stat.st_size
        await response.prepare(request)
        if request.method == "HEAD":
            return response
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            try:
                await asyncio.wait_for(response.write(chunk), SEND_TIMEOUT_S)
            except TimeoutError:
                # A client that stops reading would otherwise hold its request
                # slot for ever: cut it off, as a disconnect (logged quietly).
                if request.transport is not None:
                    request.transport.abort()
                raise ConnectionResetError("the client stopped reading") from None
        await response.write_eof()
        return response


def _handler(site: _Site) -> Handler:
    """The request handler for ``site``: negotiate resources, serve files."""

    async def handle(request: web.Request) -> web.StreamResponse:
        target = request.raw_path
        if not target.startswith("/"):  # absolute form: GET http://host/path
            target = urlsplit(target).path
        raw_path = target.split("?", 1)[0].split("#", 1)[0]
        try:
            segments = path_segments(raw_path)
        except BadPathError as exc:
            return plain_response(400, str(exc))
        if segments is None:
            return web.Response(status=404, text=NOT_FOUND + "\n")
        candidates = site.candidates(segments)
        if candidates:
            return _negotiate(request, candidates)
        relative = "/".join(segments)
        # A folder is served by its index.html; never by a listing of its files.
        found = site.file(relative) or site.file(f"{relative}/index.html".lstrip("/"))
        if found is None:
            return web.Response(status=404, text=NOT_FOUND + "\n")
        served = found.relative_to(site.root).as_posix()
        links = alternates_of(served, lambda p: site.file(p) is not None)
        return await _send_file(request, found, links)

    return handle


def _local_host_check(public_hosts: Iterable[str]) -> Middleware:
    """``serving.host_check_middleware`` for the port each request arrived on.

    The port is known only once the socket is bound (``--port 0`` picks one), so
    the allowed names are made on the first request to each port.
    """
    public = tuple(public_hosts)
    checks: dict[int, Middleware] = {}

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport else None
        port = int(sockname[1]) if sockname else 0
        if port not in checks:
            checks[port] = host_check_middleware(allowed_hosts(port, public))
        return await checks[port](request, handler)

    return check


async def _allow_cross_origin(
    request: web.Request, response: web.StreamResponse
) -> None:
    """Allow cross-origin reads of the open data, like the production config."""
    response.headers["Access-Control-Allow-Origin"] = "*"


def site_application(
    directory: str | Path,
    limits: ServingLimits | None = None,
    public_hosts: Iterable[str] = (),
) -> web.Application:
    """The aiohttp application that serves ``directory`` (see the module docstring).

    Args:
        directory: the site folder written by ``publish``.
        limits: concurrency cap and timeouts (``serving.ServingLimits``).
        public_hosts: ``Host`` names accepted besides the loopback ones.
    """
    limits = limits or ServingLimits()
    app = web.Application(
        middlewares=[
            _local_host_check(public_hosts),
            concurrency_cap_middleware(limits),
        ],
        client_max_size=1024,  # GET and HEAD only: no body is ever read
    )
    # One route for every path: the handler judges the path itself (the
    # router would answer 404 where the answer is 400). Other methods: 405.
    app.router.add_get(r"/{path:[\s\S]*}", _handler(_Site(Path(directory).resolve())))
    app.on_response_prepare.append(_allow_cross_origin)
    return app


class SiteServer:
    """A running site server, shaped like the standard library's servers.

    ``make_site_server`` binds and starts it; ``serve_forever`` blocks until
    ``shutdown`` (or Ctrl-C); it is also a context manager that shuts down.
    """

    def __init__(self, background: BackgroundServer) -> None:
        self._background = background
        self._stopped = threading.Event()

    @property
    def server_address(self) -> tuple[str, int]:
        """The bound host and port."""
        return self._background.host, self._background.port

    @property
    def url(self) -> str:
        """The base URL with a trailing slash, e.g. ``http://127.0.0.1:8000/``."""
        return self._background.url + "/"

    def serve_forever(self) -> None:
        """Block until ``shutdown`` is called (KeyboardInterrupt passes through)."""
        # Wake up now and then: a signal may be delivered to the server's
        # thread, and the main thread only runs Python's handler (Ctrl-C ->
        # KeyboardInterrupt) once its wait returns.
        while not self._stopped.wait(0.2):
            pass

    def shutdown(self) -> None:
        """Stop serving and close every connection. Idempotent."""
        self._background.stop()
        self._stopped.set()

    def server_close(self) -> None:
        """The same as ``shutdown`` (kept for the standard library's shape)."""
        self.shutdown()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def make_site_server(
    directory: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    limits: ServingLimits | None = None,
    public_hosts: Iterable[str] = (),
) -> SiteServer:
    """Bind and start a server for ``directory`` in a background thread.

    Call ``serve_forever`` to block until ``shutdown``, or use it as a context
    manager.

    Args:
        directory: the site folder written by ``publish``.
        host: interface to bind (loopback by default).
        port: TCP port; 0 picks a free one (see ``server.server_address``).
        limits: concurrency cap, timeouts and backlog (``ServingLimits()``).
        public_hosts: ``Host`` names accepted besides localhost, 127.0.0.1 and
            [::1] (a public name the server is reached by).

    Raises:
        SourceError: ``directory`` is not a published site.
        OutputError: the port cannot be bound.
    """
    site = Path(directory)
    if not (site / "index.html").is_file():
        raise SourceError(
            "not a published site (no index.html)",
            path=site,
            hint="run `samverkansgraf publish --out DIR` first",
        )
    limits = limits or ServingLimits()
    hosts = tuple(public_hosts)
    background = BackgroundServer(
        lambda: site_application(site, limits, hosts), host, port, limits
    )
    try:
        background.start()
    except OSError as exc:
        raise OutputError(
            # asyncio's strerror repeats the address; the errno text alone reads
            # as the standard library's server did ("Address already in use").
            f"cannot listen on {host}:{port} "
            f"({os.strerror(exc.errno) if exc.errno else exc})",
            hint="choose another --port",
        ) from exc
    return SiteServer(background)


@contextmanager
def running_site_server(
    directory: str | Path, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve ``directory`` in a background thread; yields the base URL.

    Example::

        with running_site_server("site") as url:
            urllib.request.urlopen(url + "id/kommun/2083")
    """
    with make_site_server(directory, host, port) as server:
        yield server.url
