"""Helpers shared by several test modules (not tests themselves)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start_fake_endpoint(
    status: int, body: bytes, content_type: str, delay: float = 0.0
) -> tuple[str, ThreadingHTTPServer]:
    """Start a tiny loopback HTTP server answering every request the same way.

    Returns:
        Its URL and the server (call ``shutdown()`` and ``server_close()``).
    """

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer()

        def do_POST(self) -> None:  # noqa: N802
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}/sparql-endpoint", server


@contextlib.contextmanager
def fake_endpoint(
    status: int, body: bytes, content_type: str, delay: float = 0.0
) -> Iterator[str]:
    """A fake endpoint for the duration of a ``with`` block; yields its URL."""
    url, server = start_fake_endpoint(status, body, content_type, delay)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
