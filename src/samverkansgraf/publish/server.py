"""Content negotiation for the published site: a small local HTTP server.

Input: a site folder written by ``publish``. Output: an ``http.server`` that serves
the files as they are and, for a resource IRI's path without suffix
(``/id/kommun/2083``, ``/ontology``), answers ``303 See Other`` to the
representation the client's ``Accept`` header prefers — HTML for browsers, Turtle,
JSON-LD, N-Triples (or RDF/XML where one exists) for RDF clients — the same rules as
the production w3id.org/Apache/nginx configuration in docs/publish.md.

For local use and tests only: it binds 127.0.0.1 by default and is single-process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..errors import OutputError, SourceError
from ..rdfio import FORMATS, JSON_LD, N_TRIPLES, RDF_XML, TURTLE

__all__ = [
    "MEDIA_TYPES",
    "SiteRequestHandler",
    "choose_representation",
    "make_site_server",
    "parse_accept",
    "running_site_server",
]

log = logging.getLogger(__name__)

# Representations in the server's order of preference on ties (HTML first, so a
# client that accepts anything gets the page).
MEDIA_TYPES: dict[str, str] = {
    "text/html": ".html",
    **{fmt.media_type: fmt.suffix for fmt in (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)},
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


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Serves a site folder, negotiating representations for resource paths."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **SUFFIX_TYPES}

    def _candidates(self, url_path: str) -> dict[str, str] | None:
        """Media type → site path of each representation of a resource path."""
        path = unquote(url_path).rstrip("/")
        if not path or "." in path.rsplit("/", 1)[-1]:
            return None
        root = Path(self.directory).resolve()
        for stem in (path, f"{path}/index"):
            html = (root / (stem.lstrip("/") + ".html")).resolve()
            if root not in html.parents or not html.is_file():
                continue
            found = {}
            for media, suffix in MEDIA_TYPES.items():
                candidate = html.with_suffix(suffix)
                if candidate.is_file():
                    found[media] = "/" + candidate.relative_to(root).as_posix()
            return found
        return None

    def _negotiate(self) -> bool:
        """Answer 303/406 for a negotiable path; False to serve it as a file."""
        url = urlsplit(self.path)
        candidates = self._candidates(url.path)
        if not candidates:
            return False
        accept = self.headers.get("Accept")
        chosen = choose_representation(accept, list(candidates))
        if chosen is None:
            body = (
                "Not acceptable. Available: " + ", ".join(candidates) + "\n"
            ).encode()
            self.send_response(HTTPStatus.NOT_ACCEPTABLE)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return True
        location = quote(candidates[chosen], safe="/-._~")
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", location)
        self.send_header("Vary", "Accept")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Negotiate resource paths, serve everything else as files."""
        if not self._negotiate():
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        """As GET, without a body."""
        if not self._negotiate():
            super().do_HEAD()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """Media type by suffix; ``/.well-known/void`` is Turtle (VoID, section 7)."""
        if str(path).replace(os.sep, "/").endswith("/.well-known/void"):
            return TURTLE.content_type
        return super().guess_type(path)

    def end_headers(self) -> None:
        """Allow cross-origin reads of the open data, like the production config."""
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Log through ``logging`` instead of stderr."""
        log.info("%s %s", self.address_string(), format % args)


def make_site_server(
    directory: str | Path, host: str = "127.0.0.1", port: int = 8000
) -> ThreadingHTTPServer:
    """A server for ``directory`` (not yet serving; call ``serve_forever``).

    Args:
        directory: the site folder written by ``publish``.
        host: interface to bind (loopback by default).
        port: TCP port; 0 picks a free one (see ``server.server_address``).

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
    handler = partial(SiteRequestHandler, directory=str(site.resolve()))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise OutputError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc})",
            hint="choose another --port",
        ) from exc


@contextmanager
def running_site_server(
    directory: str | Path, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve ``directory`` in a background thread; yields the base URL.

    Example::

        with running_site_server("site") as url:
            urllib.request.urlopen(url + "id/kommun/2083")
    """
    server = make_site_server(directory, host, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        bound_host, bound_port = server.server_address[:2]
        yield f"http://{bound_host!s}:{bound_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
