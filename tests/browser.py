"""Headless Chromium for the browser tests, with every request it makes recorded.

``chromium_driver`` starts Debian's chromium through chromedriver (skipping the
test with a reason when either is missing). With ``proxy=RecordingProxy(...)``
every HTTP request of the page *and of its workers* goes through the proxy
(``--proxy-server`` with loopback not bypassed): requests for the site are
forwarded to it, anything else is refused and recorded, so a test can assert
that a page made no request outside its own site.

Chromium itself talks to Google's services even headless with background
networking disabled (component updates at update.googleapis.com, time at
clients2.google.com, accounts.google.com): those requests are the browser's,
not the page's — they carry no ``Referer`` or ``Origin`` of the site, and they
come on a blank page too. ``RecordingProxy.outside`` leaves out requests to
``BROWSER_SERVICE_HOSTS`` that carry no site header; any other request that
leaves the site, and any request to those hosts that names the site, counts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = next(
    (
        p
        for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
        if os.path.exists(p)
    ),
    shutil.which("chromium") or shutil.which("chromium-browser"),
)
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
)
BROWSER_SERVICE_HOSTS = ("google.com", "googleapis.com", "gstatic.com")
"""Domains of Chromium's own service traffic (never named by our pages)."""
NO_BROWSER = "no chromium/chromedriver binary (run .ci/install-browser)"
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason=NO_BROWSER
)


class RecordingProxy:
    """A forward HTTP proxy that serves one site and refuses everything else.

    ``requests`` lists every request as ``(method, absolute URL, site header)``
    (``CONNECT`` with ``host:port``) in the order they came; the site header
    is true when its ``Origin`` or ``Referer`` names the site.
    """

    def __init__(self, site_base: str) -> None:
        """Forward requests for ``site_base``'s host and port; refuse others."""
        self.site = urlsplit(site_base).netloc
        self.requests: list[tuple[str, str, bool]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def _forward(self) -> None:
                named = any(
                    urlsplit(self.headers.get(h) or "").netloc == proxy.site
                    for h in ("Origin", "Referer")
                )
                proxy.requests.append((self.command, self.path, named))
                if urlsplit(self.path).netloc != proxy.site:
                    self.send_error(403, "outside the site")
                    return
                request = urllib.request.Request(self.path, method=self.command)
                for name in ("Accept", "Range", "If-Modified-Since"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    answer = opener.open(request, timeout=60)
                except urllib.error.HTTPError as error:
                    answer = error
                body = answer.read()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    if name.lower() not in ("connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = _forward  # noqa: N815 (http.server's naming)

            def do_CONNECT(self) -> None:  # noqa: N802
                proxy.requests.append(("CONNECT", self.path, False))
                self.send_error(403, "outside the site")

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def outside(self) -> list[tuple[str, str]]:
        """The recorded requests that left the site, Chromium's own service
        traffic (``BROWSER_SERVICE_HOSTS``, no site header) left out."""
        found = []
        for method, url, named in self.requests:
            host = (
                url.rsplit(":", 1)[0] if method == "CONNECT" else urlsplit(url).hostname
            )
            if method != "CONNECT" and urlsplit(url).netloc == self.site:
                continue
            service = any(
                host == domain or str(host).endswith("." + domain)
                for domain in BROWSER_SERVICE_HOSTS
            )
            if not service or named:
                found.append((method, url))
        return found

    def close(self) -> None:
        """Stop the proxy."""
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def chromium_driver(
    *, proxy: RecordingProxy | None = None, window: str = "1200,1000", **extra: Any
) -> Iterator[Any]:
    """A headless Chromium WebDriver, quit at the end.

    Args:
        proxy: send every request through this proxy (loopback included).
        window: the window size, ``W,H``.
        extra: ``flags=[...]`` adds command-line flags.
    """
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(NO_BROWSER)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        f"--window-size={window}",
        *extra.get("flags", ()),
    ):
        options.add_argument(flag)
    if proxy is not None:
        options.add_argument(f"--proxy-server={proxy.url}")
        options.add_argument("--proxy-bypass-list=<-loopback>")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, script: str, timeout: float = 60.0) -> Any:
    """Poll ``script`` (JavaScript returning a value) until it is truthy."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(script)
    )
