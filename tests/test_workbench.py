"""The query page (issue 20): SPARQL in the browser with no server.

Without a browser: the vendored Oxigraph and CodeMirror files are the pinned npm
releases with their licences, the page binds parameters exactly as the CLI does
(its binding.js run in Node.js against ``bound_query_text``), and the published
``query.html`` lists and links every catalogue query. In headless Chromium: the
page opened from ``serve-site`` with a shareable URL runs the query in
WebAssembly and shows the CLI's rows, making no request outside the site.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browser import RecordingProxy, chromium_driver, needs_browser, wait_for
from samverkansgraf.errors import CatalogueError, QueryError
from samverkansgraf.publish.checks import find_published_contact_data
from samverkansgraf.publish.server import running_site_server
from samverkansgraf.query.catalogue import load_catalogue
from samverkansgraf.query.engines import OxigraphEngine, bound_query_text, run_query
from samverkansgraf.query.workbench import (
    ASSET_FILES,
    asset_files,
    catalogue_entries,
    integrity,
    page_config,
    page_weight,
    render_query_page,
    run_url,
)

ROOT = Path(__file__).resolve().parents[1]
WORKBENCH = ROOT / "src" / "samverkansgraf" / "query" / "workbench"
ARTEFACTS = ROOT / "tests" / "artefacts"
CATALOGUE = load_catalogue(ROOT / "queries")
NODE = shutil.which("node")
DEGERFORS_URL = "query.html?name=13_municipalities_in_no_activity&county=18"


# -- vendored assets -------------------------------------------------------------


def test_vendored_assets_are_the_pinned_npm_releases() -> None:
    """Every vendored file is byte for byte what refresh_web_assets.py took from
    the pinned npm tarballs (sha256 in MANIFEST.json, versions pinned)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "refresh_web_assets.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    manifest = json.loads((WORKBENCH / "vendor" / "MANIFEST.json").read_text())
    assert manifest["oxigraph"]["version"] == "0.5.11"
    assert manifest["codemirror"]["version"] == "5.65.21"
    assert manifest["oxigraph"]["licence"] == "MIT OR Apache-2.0"
    assert "oxigraph/web_bg.wasm" in manifest["oxigraph"]["files"]
    # The same engine line as pyoxigraph, so browser and CLI answers agree.
    import pyoxigraph

    assert pyoxigraph.__version__.split(".")[:2] == ["0", "5"]


def test_vendored_licences_travel_with_the_code() -> None:
    vendor = WORKBENCH / "vendor"
    apache = (vendor / "oxigraph" / "LICENSE-Apache-2.0").read_text("utf-8")
    assert apache.lstrip().startswith("Apache License")
    assert "Version 2.0, January 2004" in apache
    note = (vendor / "oxigraph" / "LICENSE.md").read_text("utf-8")
    assert "MIT OR Apache-2.0" in note and "0.5.11" in note
    assert (
        (vendor / "codemirror" / "LICENSE").read_text("utf-8").startswith("MIT License")
    )
    # The shipped package.json files state the licences too.
    assert json.loads((vendor / "codemirror" / "package.json").read_text())[
        "license"
    ] == ("MIT")


def test_published_assets_carry_no_contact_data_but_name_their_licences() -> None:
    """CodeMirror's licence names its author's e-mail address: the site carries
    it masked (as every address on the site), the package the original."""
    files = dict(asset_files())
    assert set(ASSET_FILES) | {"vendor/THIRD-PARTY.md"} == set(files)
    for path, data in files.items():
        if not path.endswith(".wasm"):
            assert find_published_contact_data(data.decode("utf-8")) == [], path
    notice = files["vendor/THIRD-PARTY.md"].decode("utf-8")
    assert "## codemirror 5.65.21" in notice and "## oxigraph 0.5.11" in notice
    assert "Copyright (C) 2017 by Marijn Haverbeke" in notice
    assert "masked" in notice
    original = (WORKBENCH / "vendor" / "codemirror" / "LICENSE").read_text()
    assert find_published_contact_data(original)  # kept whole in the package
    assert files["vendor/oxigraph/web_bg.wasm"][:4] == b"\0asm"


# -- binding: the browser's rules are the CLI's ------------------------------------


def test_each_values_block_position_is_its_data() -> None:
    """The offsets handed to the page (UTF-16 units) cut out the VALUES data."""
    entries = {e["id"]: e for e in catalogue_entries(CATALOGUE.values())}
    checked = 0
    for spec in CATALOGUE.values():
        utf16 = spec.text.encode("utf-16-le")
        for parameter in entries[spec.id]["parameters"]:  # type: ignore[attr-defined]
            if parameter["block"] is None:
                assert parameter["required"]
                continue
            start, end = parameter["block"]
            data = utf16[2 * start : 2 * end].decode("utf-16-le").strip()
            assert data == parameter["default_term"] or (
                parameter["type"] == "integer" and data == parameter["default_display"]
            ), (spec.id, data)
            checked += 1
    assert checked >= 8


def _node_binding(cases: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Bind each case with binding.js in Node.js; errors as 'ERROR <message>'."""
    script = """
const fs = require('fs');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const binding = require(process.argv[1])(input.config);
const out = input.cases.map(([name, values]) => {
  try { return binding.bindQuery(binding.findQuery(name), values); }
  catch (error) { return 'ERROR ' + error.message.split(' — ')[0]; }
});
process.stdout.write(JSON.stringify(out));
"""
    config = page_config(CATALOGUE.values(), assets="assets/")
    result = subprocess.run(
        [str(NODE), "-e", script, str(WORKBENCH / "binding.js")],
        input=json.dumps({"config": config, "cases": cases}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _cli_binding(name: str, values: dict[str, str]) -> str:
    try:
        return bound_query_text(name, values, project=ROOT)
    except (QueryError, CatalogueError) as error:
        return "ERROR " + str(error).split(" — ")[0]


HOSTILE_VALUES = [
    ("08", {"programme": "skgid:programme/icorn"}),
    ("08", {"programme": " <https://w3id.org/samverkansgraf/id/programme/x> "}),
    ("08", {"programme": "not an iri"}),
    ("08", {"programme": "skgid://evil"}),
    ("13", {"county": '"} ; DROP ALL ; #'}),
    ("13", {"county": "20"}),
    ("13", {"nope": "1"}),
    ("30", {"year": " +0021 "}),
    ("30", {"year": "tjugo"}),
    (
        "30",
        {"year": "\x1c2023\x1f"},
    ),  # Python's strip() knows these; JS's trim() does not
    ("29", {"name": 'Ö\\n"x\r\n'}),
    ("21", {"resource": "skgid:commitment/hedemora-2019-2022/6-3"}),
    ("21", {}),
    ("9", {}),
    ("municipalities_in_no_activity", {}),
    ("99", {}),
]


@pytest.mark.skipif(NODE is None, reason="no node binary to run binding.js")
def test_browser_binding_is_the_cli_binding_for_every_query_and_hostile_values() -> (
    None
):
    cases = [(spec.id, {}) for spec in CATALOGUE.values()] + HOSTILE_VALUES
    expected = [_cli_binding(name, values) for name, values in cases]
    assert _node_binding(cases) == expected
    assert sorted(e for e in expected if e.startswith("ERROR")) == [
        "ERROR no query named '99'",
        "ERROR parameter programme: 'not an iri' is not an IRI",
        "ERROR parameter year takes an integer, got 'tjugo'",
        "ERROR query 13_municipalities_in_no_activity has no parameter 'nope'",
        "ERROR query 21_evidence_of_resource needs the parameter 'resource' (IRI)",
        "ERROR query 21_evidence_of_resource needs the parameter 'resource' (IRI)",
    ]


@pytest.mark.skipif(NODE is None, reason="no node binary to run binding.js")
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["08", "13", "29", "30", "21"]),
            st.text(
                st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
            ),
        ),
        min_size=150,
        max_size=150,
    )
)
def test_random_values_bind_alike_in_the_browser_and_the_cli(
    draws: list[tuple[str, str]],
) -> None:
    """150 random values per run (one Node.js process): same text or same error."""
    names = {
        "08": "programme",
        "13": "county",
        "29": "name",
        "30": "year",
        "21": "resource",
    }
    cases = [(query, {names[query]: value}) for query, value in draws]
    expected = [_cli_binding(name, values) for name, values in cases]
    assert _node_binding(cases) == expected


def test_a_configured_endpoint_is_offered_and_allowed_by_the_policy() -> None:
    """Where publication.toml names a SPARQL endpoint, the page can switch to it,
    and its Content-Security-Policy lets the page reach it, and nothing else."""
    config = page_config(
        CATALOGUE.values(),
        assets="assets/",
        endpoints=[("endpoint", "https://data.example.org/sparql?x=1")],
    )
    html = render_query_page(config).decode("utf-8")
    parser = _Links()
    parser.feed(html)
    policy = next(
        str(attrs["content"])
        for tag, attrs in parser.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    )
    assert "connect-src 'self' https://data.example.org;" in policy
    options = [a.get("value") for t, a in parser.tags if t == "option"]
    assert "https://data.example.org/sparql?x=1" in options
    assert "browser" not in options  # no dataset: no in-browser engine


def test_run_urls_are_shareable() -> None:
    url = run_url("08_municipalities_committed_to_programme", {"programme": "skgid:x"})
    assert url == (
        "query.html?name=08_municipalities_committed_to_programme&programme=skgid%3Ax"
    )
    assert parse_qs(urlsplit(url).query)["programme"] == ["skgid:x"]


# -- the published page ---------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")


def test_the_site_has_the_query_page_and_its_catalogue(published_site: Path) -> None:
    html = (published_site / "query.html").read_text("utf-8")
    parser = _Links()
    parser.feed(html)
    for spec in CATALOGUE.values():
        assert f"query.html?name={spec.id}" in parser.links, spec.id
    # Every script and style sheet is a file of the site.
    loaded = [
        str(attrs.get("src") if tag == "script" else attrs.get("href"))
        for tag, attrs in parser.tags
        if (tag == "script" and attrs.get("src"))
        or (tag == "link" and attrs.get("rel") == "stylesheet")
    ]
    assert len(loaded) == 10
    for href in loaded:
        assert (published_site / href).is_file(), href
    policy = next(
        str(attrs["content"])
        for tag, attrs in parser.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    )
    # Requests to the site only (publication.toml names no endpoint now).
    assert "connect-src 'self';" in policy
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert not re.search(r"<script>(?!\s*$)", html)  # no inline script (CSP)
    config = json.loads(
        re.search(
            r'<script type="application/json" id="workbench-config">(.*?)</script>',
            html,
            re.S,
        )[1]  # type: ignore[index]
    )
    wasm = (published_site / config["dataset"]["wasm"]).read_bytes()
    assert config["dataset"]["wasmIntegrity"] == integrity(wasm)
    dump = published_site / config["dataset"]["dataset"]
    assert dump.name == "samverkansgraf.trig" and dump.is_file()
    # Linked from the home page and from every page's header.
    assert 'href="query.html"' in (published_site / "index.html").read_text("utf-8")
    page = (published_site / "id" / "kommun" / "2083.html").read_text("utf-8")
    assert 'href="../../query.html"' in page
    weight = page_weight(config, dump.stat().st_size)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "query-page-weight.json").write_text(json.dumps(weight, indent=1))
    assert weight["engine"] > 3_000_000  # the WebAssembly build
    assert weight["total"] < 8_000_000


# -- in the browser ------------------------------------------------------------


def _wait_for_answer(driver, timeout: float = 60.0) -> str:  # type: ignore[no-untyped-def]
    """Wait until the page shows results or an error; return the status line."""
    wait_for(
        driver,
        "return document.querySelector('#results .summary, #results .ask') "
        "|| document.querySelector('#status.error')",
        timeout,
    )
    return driver.execute_script("return document.getElementById('status').textContent")


def _column(driver, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_script(
        """
        const table = document.getElementById('results-table');
        const names = [...table.querySelectorAll('thead th')].map(th => th.textContent);
        const index = names.indexOf(arguments[0]);
        return [...table.querySelectorAll('tbody tr')]
            .map(tr => tr.children[index].dataset.value || '');
        """,
        name,
    )


@pytest.mark.browser
@pytest.mark.network
@needs_browser
def test_the_query_page_finds_degerfors_with_no_request_outside_the_site(
    published_site: Path,
) -> None:
    """Issue 20's done-when: the shareable URL of query 13 for county 18 runs in
    the browser and shows Degerfors and no other municipality; every request
    of the page and its worker goes to the site (a recording proxy sees them)."""
    with running_site_server(published_site) as base:
        proxy = RecordingProxy(base)
        try:
            with chromium_driver(proxy=proxy, window="1200,1300") as driver:
                driver.get(base + DEGERFORS_URL)
                status = _wait_for_answer(driver)
                assert _column(driver, "municipalityLabel") == ["Degerfors kommun"], (
                    status
                )
                assert _column(driver, "municipalityCode") == ["1862"]
                timings = driver.execute_script(
                    "return window.samverkansgrafWorkbench.timings"
                )
                # The share link keeps the query and its parameter.
                share = driver.find_element("id", "share").get_attribute("href")
                assert parse_qs(urlsplit(share).query) == {
                    "name": ["13_municipalities_in_no_activity"],
                    "county": ["18"],
                }
                ARTEFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTEFACTS / "query-page.png"
                driver.save_screenshot(str(shot))
                if os.environ.get("SAMVERKANSGRAF_UPDATE_SCREENSHOT"):
                    _save_docs_image(shot, "query-page.png")
        finally:
            proxy.close()
    paths = {urlsplit(url).path for _, url, _ in proxy.requests}
    # The worker's requests are seen too: the engine and the dataset.
    assert "/assets/vendor/oxigraph/web_bg.wasm" in paths
    assert "/download/samverkansgraf.trig" in paths
    assert "/assets/worker.js" in paths
    assert proxy.outside() == []
    (ARTEFACTS / "query-page-timings.json").write_text(
        json.dumps({"url": DEGERFORS_URL, **timings}, indent=1)
    )


# Shareable URLs with parameters; each browser answer must be the CLI's.
BROWSER_CASES = [
    (
        "08_municipalities_committed_to_programme",
        {"programme": "skgid:programme/icorn"},
    ),
    (
        "08_municipalities_committed_to_programme",
        {"programme": "skgid:programme/skapande-skola"},
    ),
    ("13_municipalities_in_no_activity", {"county": "20"}),
    (
        "21_evidence_of_resource",
        {"resource": "skgid:commitment/hedemora-2019-2022/6-3"},
    ),
    ("29_find_actor_by_name", {"name": "Hedemora"}),
    ("30_agreements_in_force", {"year": "2020"}),
    ("10_commitments_per_theme", {}),
]


@pytest.mark.browser
@pytest.mark.network
@needs_browser
def test_browser_answers_and_texts_are_the_clis(published_site: Path) -> None:
    engine = OxigraphEngine.from_file(published_site / "download/samverkansgraf.trig")
    with running_site_server(published_site) as base:
        with chromium_driver() as driver:
            for name, values in BROWSER_CASES:
                driver.get(base + run_url(name, values))
                status = _wait_for_answer(driver)
                expected = run_query(name, values, engine=engine, project=ROOT)
                csv = driver.execute_script("return samverkansgrafWorkbench.csv()")
                assert csv == expected.to_csv(), (name, values, status)
                assert len(expected) > 0, name
                shown = driver.execute_script(
                    "return samverkansgrafWorkbench.bind(arguments[0], arguments[1])",
                    name,
                    values,
                )
                assert shown == bound_query_text(name, values, project=ROOT)
                assert (
                    driver.execute_script(
                        "return document.querySelector('.CodeMirror')"
                        ".CodeMirror.getValue()"
                    )
                    == shown
                )
                json_text = driver.execute_script(
                    "return samverkansgrafWorkbench.json()"
                )
                assert json.loads(json_text) == json.loads(expected.to_json())
                if name.startswith("10_"):
                    bars = driver.find_elements("css selector", "svg.chart rect")
                    assert len(bars) == len(expected)
                    driver.execute_script(
                        "document.getElementById('status').scrollIntoView()"
                    )
                    ARTEFACTS.mkdir(parents=True, exist_ok=True)
                    chart = ARTEFACTS / "query-page-chart.png"
                    driver.save_screenshot(str(chart))
                    if os.environ.get("SAMVERKANSGRAF_UPDATE_SCREENSHOT"):
                        _save_docs_image(chart, "query-page-chart.png")


@pytest.mark.browser
@pytest.mark.network
@needs_browser
def test_free_queries_bad_values_and_sorting(published_site: Path) -> None:
    from urllib.parse import quote

    free = "SELECT (COUNT(*) AS ?municipalities) WHERE { ?m a skg:Municipality }"
    with running_site_server(published_site) as base:
        with chromium_driver() as driver:
            # ?sparql=: our prefixes are declared for the reader (WDQS habit).
            driver.get(base + "query.html?sparql=" + quote(free))
            _wait_for_answer(driver)
            assert _column(driver, "municipalities") == ["290"]
            # A bad value is one line, as on the command line, and no run.
            driver.get(base + "query.html?name=30&year=tjugo")
            time.sleep(0.5)
            status = driver.find_element("id", "status").text
            assert "parameter year takes an integer, got 'tjugo'" in status
            assert driver.find_elements("id", "results-table") == []
            driver.get(base + "query.html?name=99")
            time.sleep(0.5)
            assert "no query named '99'" in driver.find_element("id", "status").text
            # Sorting by a column header, numerically for numbers.
            driver.get(base + run_url("12_activity_participation_per_municipality"))
            _wait_for_answer(driver)
            header = driver.find_element(
                "xpath", "//table[@id='results-table']//th[button='activities']/button"
            )
            header.click()
            counts = [int(v) for v in _column(driver, "activities")]
            assert counts == sorted(counts) and len(counts) > 5
            header.click()
            counts = [int(v) for v in _column(driver, "activities")]
            assert counts == sorted(counts, reverse=True)


@pytest.mark.browser
@needs_browser
def test_opened_from_the_files_alone_the_page_says_what_it_needs(
    published_site: Path,
) -> None:
    """From file:// Chromium lets no page start a module worker or read its
    data: the page says how to serve it instead of failing silently. Started
    with --allow-file-access-from-files, the same files answer."""
    page = (published_site / "query.html").as_uri() + "?name=13&county=18"
    with chromium_driver() as driver:
        driver.get(page)
        status = _wait_for_answer(driver, 20)
        assert "this page needs a web server" in status
        assert "serve-site" in status
    with chromium_driver(flags=["--allow-file-access-from-files"]) as driver:
        driver.get(page)
        _wait_for_answer(driver)
        assert _column(driver, "municipalityLabel") == ["Degerfors kommun"]


def _save_docs_image(shot: Path, name: str) -> None:
    """Refresh docs/img/NAME (committed; kept small: 64 colours)."""
    from PIL import Image

    target = ROOT / "docs" / "img" / name
    image = Image.open(shot).convert("RGB")
    image.quantize(colors=64).save(target, optimize=True)


# -- the endpoint's own query page and CORS (`serve`) -------------------------------


@pytest.fixture(scope="module")
def endpoint(full_dump: Path):  # type: ignore[no-untyped-def]
    from samverkansgraf.query.endpoint import start_server

    with start_server(full_dump, catalogue=CATALOGUE.values()) as server:
        yield server


def _http(method: str, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.network
def test_serve_shows_our_query_page_and_answers_get_with_cors(endpoint) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    status, headers, body = _http("GET", endpoint.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = body.decode("utf-8")
    assert "Fråga grafen" in html and "unpkg" not in html and "yasgui" not in html
    config = json.loads(
        re.search(r'id="workbench-config">(.*?)</script>', html, re.S)[1]  # type: ignore[index]
    )
    assert config["dataset"] is None
    assert config["endpoints"] == [
        {"label": "this server / den här servern", "url": "query"}
    ]
    assert [q["id"] for q in config["queries"]] == list(CATALOGUE)
    assert config["prefixes"]["skgid"] == "https://w3id.org/samverkansgraf/id/"
    status, headers, body = _http(
        "GET", endpoint.url + "/assets/vendor/oxigraph/web_bg.wasm"
    )
    assert status == 200 and headers["Content-Type"] == "application/wasm"
    assert _http("GET", endpoint.url + "/assets/worker.js")[1][
        "Content-Type"
    ].startswith("text/javascript")
    # CORS for GET queries: any origin may read the answers (open data) …
    query = quote(
        "SELECT (COUNT(*) AS ?n) WHERE "
        "{ ?m a <https://w3id.org/samverkansgraf/ontology#Municipality> }"
    )
    status, headers, body = _http(
        "GET",
        f"{endpoint.url}/query?query={query}",
        {
            "Origin": "https://notebook.example",
            "Accept": "application/sparql-results+json",
        },
    )
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "290"
    # … refusals too, so a page can show the reason …
    status, headers, body = _http("GET", f"{endpoint.url}/query?query=SELEC")
    assert status == 400 and headers["Access-Control-Allow-Origin"] == "*"
    # … a preflight for GET is answered by the proxy …
    status, headers, _ = _http(
        "OPTIONS",
        f"{endpoint.url}/query",
        {"Origin": "https://notebook.example", "Access-Control-Request-Method": "GET"},
    )
    assert status == 204 and headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    # … and POST stays same-origin.
    status, headers, _ = _http(
        "POST", f"{endpoint.url}/query", {"Content-Type": "application/sparql-query"}
    )
    assert "Access-Control-Allow-Origin" not in headers


@pytest.mark.browser
@pytest.mark.network
@needs_browser
def test_the_endpoint_query_page_runs_shareable_urls(endpoint) -> None:  # type: ignore[no-untyped-def]
    with chromium_driver() as driver:
        driver.get(endpoint.url + "/?" + DEGERFORS_URL.split("?", 1)[1])
        status = _wait_for_answer(driver)
        assert _column(driver, "municipalityLabel") == ["Degerfors kommun"], status
        # Completion knows our terms once the engine answered the terms query.
        terms = wait_for(
            driver,
            "return document.querySelector('.CodeMirror') && "
            "window.samverkansgrafWorkbench.completions().length > 200 && "
            "window.samverkansgrafWorkbench.completions()",
        )
        texts = {t["text"] for t in terms}
        assert {"skg:Commitment", "skg:committedBy", "skgid:kommun/2083"} <= texts
