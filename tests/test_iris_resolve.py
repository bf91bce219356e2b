"""Every IRI the DCAT record, VoID and the ontology use under the base URL
resolves (issue #17): on ``serve-site``, and under the w3id.org (Apache) and nginx
rules of docs/publish.md, interpreted here for the published folder."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from samverkansgraf.publish.server import running_site_server

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/samverkansgraf/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPTS = {
    "text/html": "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}


@pytest.fixture(scope="module")
def site(published: tuple[Path, str]) -> Path:
    return published[0]


@pytest.fixture(scope="module")
def advertised(site: Path) -> set[str]:
    """Every IRI under the base URL in dcat.ttl, void.ttl and the ontology."""
    iris = set()
    for name in ("dcat.ttl", "void.ttl", "ontology/index.ttl"):
        for triple in Graph().parse(site / name):
            iris |= {str(t) for t in triple if isinstance(t, URIRef)}
    found = {iri for iri in iris if iri.startswith(BASE)}
    assert len(found) > 100  # ontology terms, partitions, dumps, the dataset …
    return found


def _paths(iris: set[str]) -> set[str]:
    """The request paths (no fragment) of the IRIs."""
    return {iri[len(BASE) :].split("#", 1)[0] for iri in iris}


def test_advertised_iris_include_the_ones_that_were_missing(
    advertised: set[str],
) -> None:
    paths = _paths(advertised)
    assert {"dcat", "void", "ontology", "ontology/1.1.0"} <= paths
    assert not any(p.startswith("sparql") for p in paths)  # none configured


@pytest.mark.network
def test_every_advertised_iri_resolves_on_serve_site(
    site: Path, advertised: set[str]
) -> None:
    failures = []
    with running_site_server(site) as local:
        for path in sorted(_paths(advertised)):
            for accept in (BROWSER, "text/turtle", "application/rdf+xml"):
                request = urllib.request.Request(
                    local + path, headers={"Accept": accept}
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        if answer.status != 200:
                            failures.append((path, accept, answer.status))
                except urllib.error.HTTPError as error:
                    failures.append((path, accept, error.code))
    assert failures == []


@pytest.mark.network
def test_hash_iris_are_in_the_documents_they_resolve_to(
    site: Path, advertised: set[str]
) -> None:
    # (a namespace IRI ending in "#" names the document itself)
    hashed = sorted(i for i in advertised if "#" in i and not i.endswith("#"))
    assert len(hashed) > 50
    documents: dict[str, Graph] = {}
    with running_site_server(site) as local:
        for iri in hashed:
            path = iri[len(BASE) :].split("#", 1)[0]
            if path not in documents:
                request = urllib.request.Request(
                    local + path, headers={"Accept": "text/turtle"}
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    documents[path] = Graph().parse(data=answer.read(), format="turtle")
            graph = documents[path]
            assert (URIRef(iri), None, None) in graph or (
                None,
                None,
                URIRef(iri),
            ) in graph, iri


def _block(language: str) -> str:
    text = (ROOT / "docs" / "publish.md").read_text("utf-8")
    found = re.search(rf"```{language}\n(.*?)```", text, re.S)
    assert found, f"no {language} block in docs/publish.md"
    return found.group(1)


def apache_target(path: str, accept: str) -> str | None:
    """The site path the documented w3id.org rules send ``path`` to.

    Interprets the block's ``RewriteCond %{HTTP_ACCEPT} regex`` (applies to the
    next rule) and ``RewriteRule pattern https://HOST/samverkansgraf/target``.
    """
    conditions: list[str] = []
    for line in _block("apache").splitlines():
        parts = line.split()
        if parts[:2] == ["RewriteCond", "%{HTTP_ACCEPT}"]:
            conditions.append(parts[2])
        elif parts[:1] == ["RewriteRule"]:
            pattern, target = parts[1], parts[2]
            met = all(re.search(c, accept) for c in conditions)
            conditions = []
            match = re.match(pattern, path)
            if met and match:
                result = match.expand(target.replace("$", "\\"))
                return result.split("https://HOST/samverkansgraf/", 1)[1]
    return None


def nginx_target(path: str, accept: str, site: Path) -> str | None:
    """The site path the documented nginx server sends ``/path`` to (its maps,
    ``location =``/``location ~`` with ``return 303`` and ``if (-f …)``, and the
    static files)."""
    block = _block("nginx")
    maps: dict[str, list[tuple[str, str]]] = {}
    for name, body in re.findall(r"map \$http_accept \$(\w+) \{(.*?)\n\}", block, re.S):
        entries = []
        for line in body.splitlines():
            fields = line.split("#")[0].split()
            if len(fields) == 2:
                entries.append((fields[0], fields[1].rstrip(";")))
        maps[name] = entries

    def variable(name: str) -> str:
        default = next(v for k, v in maps[name] if k == "default")
        for key, value in maps[name]:
            if key.startswith("~*") and re.search(key[2:], accept, re.I):
                return value
        return default

    uri = "/" + path
    for line_kind, pattern, body in re.findall(
        r"location (=|~) (\S+) \{((?:[^{}]|\{[^{}]*\})*)\}", block
    ):
        match = re.fullmatch(pattern, uri) if line_kind == "~" else None
        if line_kind == "=" and pattern != uri:
            continue
        if line_kind == "~" and not match:
            continue

        def fill(text: str, found: re.Match[str] | None = match) -> str:
            text = re.sub(r"\$(skg_\w+)", lambda m: variable(m.group(1)), text)
            if found:
                text = re.sub(r"\$(\d)", lambda m: found.group(int(m.group(1))), text)
            return text

        conditional = re.search(
            r"if \(-f \$document_root(\S+)\) \{ return 303 (\S+); \}", body
        )
        if conditional:
            if (site / fill(conditional.group(1)).lstrip("/")).is_file():
                return fill(conditional.group(2)).lstrip("/")
            return None
        redirect = re.search(r"return 303 (\S+);", body)
        if redirect:
            return fill(redirect.group(1)).lstrip("/")
        tried = re.search(r"try_files (\S+) =404;", body)
        if tried:
            return tried.group(1).lstrip("/")
        return path
    return path or "index.html"


@pytest.mark.parametrize("rules", ["apache", "nginx"])
def test_every_advertised_iri_resolves_under_the_documented_rules(
    site: Path, advertised: set[str], rules: str
) -> None:
    failures = []
    for path in sorted(_paths(advertised)):
        for accept in ACCEPTS:
            if rules == "apache":
                target = apache_target(path, accept)
            else:
                target = nginx_target(path, accept, site)
            if target == "":
                target = "index.html"
            if target is None or not (site / target).is_file():
                failures.append((path, accept, target))
    assert failures == []


def test_the_rules_negotiate_by_media_type(site: Path) -> None:
    assert apache_target("id/kommun/2083", "text/turtle") == "id/kommun/2083.ttl"
    assert apache_target("dcat", "application/rdf+xml") == "dcat.rdf"
    assert (
        apache_target("ontology/1.1.0", "application/json") == "ontology/1.1.0.jsonld"
    )
    assert nginx_target("dcat", "text/html", site) == "dcat.ttl"
    assert nginx_target("id/kommun/2083", "text/html", site) == "id/kommun/2083.html"
    assert nginx_target("id/kommun/9999", "text/html", site) is None
