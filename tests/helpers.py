"""Helpers shared by several test modules (not tests themselves)."""

from __future__ import annotations

import contextlib
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]


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


TEST_MAILBOX = "data@example.org"
"""The functional mailbox tests configure (publication.toml ships none: the
publisher must set its own before `publish` writes a catalogue record)."""


def write_publication(root: Path, mailbox: str = TEST_MAILBOX) -> Path:
    """The project's publication.toml and CHANGELOG.md copied into ``root``,
    with ``[contact] email`` set to ``mailbox``."""
    shutil.copy(ROOT / "CHANGELOG.md", root / "CHANGELOG.md")
    text = (ROOT / "publication.toml").read_text("utf-8")
    text = text.replace("[contact]\n", f'[contact]\nemail = "{mailbox}"\n', 1)
    (root / "publication.toml").write_text(text, "utf-8")
    return root / "publication.toml"


def publishable_copy(root: Path) -> ProjectPaths:
    """A copy of the project's inputs whose publication.toml has a mailbox."""
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "releases.json", root / "releases.json")
    write_publication(root)
    return ProjectPaths(root)


NEXT = "0.2.0"
"""The version the tests release: the real data as it is now (0.1.0, issued with
one agreement, may not be reissued with today's five documents)."""


def next_release_copy(root: Path) -> ProjectPaths:
    """A publishable copy of the project whose changelog dates the next version."""
    project = publishable_copy(root)
    changelog = root / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text("utf-8").replace(
            "## [Unreleased]", f"## [{NEXT}] - 2026-12-07", 1
        ),
        "utf-8",
    )
    return project


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Path relative to ``folder`` (POSIX) → bytes of every file in it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def in_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers write the real data's pages (fewer than ``PARALLEL_FROM``), in
    chunks of 40, as at national scale."""
    from samverkansgraf.publish import site as site_module

    monkeypatch.setattr(site_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(site_module, "CHUNK_PAGES", 40)


def published_with_limit(
    project: ProjectPaths,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: int,
) -> Path:
    """The real data published into ``out`` with one of the publish package's
    page limits lowered (``"render.CLASS_PAGE_SIZE"``, ``"pages.INVERSE_LISTED"``,
    ``"profiles.OTHERS_LISTED"``), so that its small groups behave as the
    national data's large ones."""
    import importlib

    from samverkansgraf.publish import publish_site

    module, _, name = limit.partition(".")
    publish = importlib.import_module(f"samverkansgraf.publish.{module}")
    assert hasattr(publish, name), limit
    monkeypatch.setattr(publish, name, value)
    publish_site(project, out)
    return out


def interruptible() -> None:
    """``preexec_fn`` for a command a test stops with SIGINT, as Ctrl-C does:
    a job a shell starts in the background without job control ignores SIGINT
    (POSIX), and its children inherit that — so a suite run that way saw
    ``serve`` ignore the test's Ctrl-C. The child gets the default instead."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
