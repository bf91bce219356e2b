"""The published linked-data site (issue #7): pages, links, evidence in context,
privacy, DCAT-AP-SE and VoID records, content negotiation, and a real browser."""

from __future__ import annotations

import http.client
import os
import posixpath
import re
import shutil
import subprocess
import sys
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, VOID, XSD

from browser import chromium_driver, needs_browser
from helpers import (
    TEST_MAILBOX,
    folder_bytes,
    in_small_chunks,
    published_with_limit,
    write_publication,
)
from samverkansgraf.atomic import OUTPUT_MARKER
from samverkansgraf.build import AssembledDataset
from samverkansgraf.cli import cli
from samverkansgraf.errors import PublishError
from samverkansgraf.namespaces import (
    CC0,
    GRAPH_ONTOLOGY,
    GRAPH_SCHEMES,
    OA,
    SKG,
    SKGID,
    VCARD,
    WD,
)
from samverkansgraf.publish.alternates import AlternateWriter
from samverkansgraf.publish.checks import find_published_contact_data
from samverkansgraf.publish.html import make_environment
from samverkansgraf.publish.metadata import load_dcat_shapes, validate_catalogue
from samverkansgraf.publish.pages import Link
from samverkansgraf.publish.render import render_marked_text
from samverkansgraf.publish.server import choose_representation, running_site_server
from samverkansgraf.rdfio import to_rdflib
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "tests" / "artefacts"
HEDEMORA = SKGID["kommun/2083"]


@pytest.fixture(scope="module")
def site(published: tuple[Path, str]) -> Path:
    """The real data published once (``conftest.published``, through the CLI)."""
    out, stdout = published
    summary = re.search(
        r"published (\d+) pages \((\d+) files\) to .* in \d+\.\d s", stdout
    )
    assert summary and int(summary.group(1)) > 300, stdout
    return out


def test_every_folder_and_file_of_the_site_is_world_readable(site: Path) -> None:
    # Served by any web server under any user: 755 and 644, whatever the
    # umask of the publishing process (``atomic.make_world_readable``).
    modes = {path.stat().st_mode & 0o777 for path in site.rglob("*") if path.is_dir()}
    assert modes == {0o755}
    files = [p for p in site.rglob("*") if p.is_file() and p.name != OUTPUT_MARKER]
    assert {path.stat().st_mode & 0o777 for path in files} == {0o644}


class _Page(HTMLParser):
    """Collects links, ids, <mark> texts with their offsets, and alternates."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.alternates: dict[str, str] = {}
        self.marks: list[str] = []
        self.offsets: list[tuple[int, int]] = []
        self.html_lang: str | None = None
        self._in_mark = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if a.get("id"):
            self.ids.add(a["id"] or "")
        for name in ("href", "src"):
            if a.get(name):
                self.links.append(a[name] or "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a.get("type") or ""] = a.get("href") or ""
        if tag == "span" and "offsets" in (a.get("class") or ""):
            self.offsets.append((int(a["data-start"] or 0), int(a["data-end"] or 0)))
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    page.close()
    return page


def _target(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    return path, unquote(parts.fragment)


def test_hedemora_page_links_agreement_and_its_commitments(
    site: Path, union: Graph
) -> None:
    page_file = site / "id/kommun/2083.html"
    page = _parse(page_file)
    assert page.html_lang == "sv"
    targets = {_target(page_file, href)[0] for href in page.links}
    agreement = site / "id/agreement/hedemora-2019-2022.html"
    assert agreement.resolve() in targets
    committed = set(union.subjects(SKG.committedBy, HEDEMORA))
    assert len(committed) > 10
    for commitment in committed:
        path = str(commitment)[len(str(SKGID)) :]
        assert (site / f"id/{path}.html").resolve() in targets, commitment
    text = page_file.read_text("utf-8")
    assert "Åtaganden med ”åtagen av” Hedemora kommun" in text
    assert "Överenskommelser med ”part” Hedemora kommun" in text


def test_commitment_marks_equal_the_source_at_their_offsets(
    site: Path, union: Graph, assembled: AssembledDataset
) -> None:
    pages = sorted((site / "id/commitment").rglob("*.html"))
    assert len(pages) == len(set(union.subjects(RDF.type, SKG.Commitment)))
    for page_file in pages:
        iri = SKGID[page_file.relative_to(site / "id").with_suffix("").as_posix()]
        evidence = union.value(iri, SKG.evidence)
        text = assembled.texts[union.value(evidence, OA.hasSource)]
        page = _parse(page_file)
        assert page.marks and len(page.marks) == len(page.offsets), page_file
        for mark, (start, end) in zip(page.marks, page.offsets, strict=True):
            assert mark == text[start:end], page_file


def test_every_internal_link_resolves(site: Path) -> None:
    ids: dict[Path, set[str]] = {}
    broken = []
    pages = sorted(site.rglob("*.html"))
    parsed = {p.resolve(): _parse(p) for p in pages}
    for path, page in parsed.items():
        ids[path] = page.ids
    checked = 0
    for path, page in parsed.items():
        for href in page.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href):
                assert href.startswith(("http://", "https://")), href
                continue
            target, fragment = _target(path, href)
            checked += 1
            if not target.is_file() or site.resolve() not in target.parents:
                broken.append(f"{path.relative_to(site.resolve())}: {href}")
            elif fragment and target.suffix == ".html" and fragment not in ids[target]:
                broken.append(f"{path.relative_to(site.resolve())}: {href} (anchor)")
    assert checked > 5000
    assert broken == []


def test_every_page_is_well_formed_html5(site: Path) -> None:
    import html5lib

    pages = sorted(site.rglob("*.html"))
    # html5lib is pure Python: parse every page that is not one of the 290 very
    # similar municipality pages, and a sample of those.
    sample = [p for p in pages if "/kommun/" not in p.as_posix()]
    sample += [p for p in pages if "/kommun/" in p.as_posix()][::29]
    for page in sample:
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(page.read_bytes(), transport_encoding="utf-8")
        text = page.read_text("utf-8")
        assert text.startswith('<!DOCTYPE html>\n<html lang="sv">'), page
        # The query page (issue 20) runs SPARQL in the browser: the one page
        # with scripts, all of them files of the site (its own test checks).
        assert "<script" not in text or page.name == "query.html", page


def test_nothing_published_contains_contact_data(site: Path) -> None:
    # privacy.find_contact_data on every file; SHA-256 digests (skg:sha256) are
    # hex strings whose digit runs can look like phone numbers and are exempt.
    # The configured functional mailbox is the one address allowed, and only in
    # the catalogue record (issue #17).
    scanned = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        scanned += 1
        found = [text[a:b] for a, b in find_published_contact_data(text)]
        if path.parent == site and path.stem == "dcat":
            assert found == [TEST_MAILBOX], path
        else:
            assert found == [], path
    assert scanned > 2000


def test_publish_refuses_without_a_mailbox_naming_the_setting(
    runner: CliRunner, scratch: ProjectPaths, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "publication.toml", scratch.root / "publication.toml")
    result = runner.invoke(
        cli, ["--project", str(scratch.root), "publish", "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "[contact] email is not set" in lines[0], lines
    assert "publish --preview" in lines[0]
    assert not (tmp_path / "s").exists()


def _publish_preview(runner: CliRunner, root: Path, out: Path) -> Result:
    """``samverkansgraf --project ROOT publish --preview --out OUT``."""
    return runner.invoke(
        cli, ["--project", str(root), "publish", "--preview", "--out", str(out)]
    )


def test_publish_without_a_query_catalogue_stops_before_building(
    runner: CliRunner,
    scratch: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The query page needs queries/: its absence is said at once, not after
    building and validating (89 s at L, where synth projects had none)."""
    import samverkansgraf.publish.site as site

    def no_build(*_: object) -> None:
        raise AssertionError("built before the catalogue was checked")

    monkeypatch.setattr(site, "assemble_dataset", no_build)
    shutil.copy(ROOT / "publication.toml", scratch.root / "publication.toml")
    shutil.rmtree(scratch.queries_dir)
    result = _publish_preview(runner, scratch.root, tmp_path / "s")
    assert result.exit_code == 4, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "query catalogue directory is missing" in lines[0]
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_preview_publishes_without_a_mailbox_and_says_so(
    runner: CliRunner, scratch: ProjectPaths, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "publication.toml", scratch.root / "publication.toml")
    out = tmp_path / "s"
    result = _publish_preview(runner, scratch.root, out)
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: preview"), lines
    record = Graph().parse(out / "dcat.ttl")
    # Exactly the mailbox is missing; the record says it is not for portals.
    assert not list(record.objects(None, VCARD.hasEmail))
    catalog = next(record.subjects(RDF.type, DCAT.Catalog))
    notes = {n.language: str(n) for n in record.objects(catalog, SKOS.editorialNote)}
    assert notes["en"].startswith("Preview:") and "not for harvesting" in notes["en"]
    assert notes["sv"].startswith("Förhandsversion:")
    report = validate_catalogue(record, load_dcat_shapes(scratch.shapes_dir))
    assert {v.path for v in report.violations} == {VCARD.hasEmail}


def test_preview_still_refuses_a_malformed_mailbox(
    runner: CliRunner, scratch: ProjectPaths, tmp_path: Path
) -> None:
    write_publication(scratch.root, mailbox="data-at-example.org")
    result = _publish_preview(runner, scratch.root, tmp_path / "s")
    assert result.exit_code == 2, result.output
    assert "not an e-mail address: 'data-at-example.org'" in result.stderr


def test_publish_refuses_a_mailbox_that_names_a_person(
    runner: CliRunner, scratch: ProjectPaths, tmp_path: Path, union: Graph
) -> None:
    family = next(
        name
        for person in sorted(union.subjects(RDF.type, SKG.Person))
        for name in [str(union.value(person, RDFS.label)).split()[-1].lower()]
        if name.isascii() and len(name) > 2
    )
    write_publication(scratch.root, mailbox=f"{family}@example.org")
    result = runner.invoke(
        cli, ["--project", str(scratch.root), "publish", "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 2, result.output
    assert "names a person" in result.stderr and not (tmp_path / "s").exists()


def test_alternates_describe_the_resource_with_its_evidence(site: Path) -> None:
    page_file = site / "id/commitment/hedemora-2019-2022/3-1.html"
    page = _parse(page_file)
    commitment = SKGID["commitment/hedemora-2019-2022/3-1"]
    formats = {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
    }
    graphs = []
    for media, fmt in formats.items():
        href = page.alternates[media]
        graph = Graph().parse(_target(page_file, href)[0], format=fmt)
        assert (commitment, SKG.committedBy, HEDEMORA) in graph
        exact = list(graph.objects(None, OA.exact))
        assert exact and str(exact[0]).startswith(
            "Hedemora kommun verkar för att kultur"
        )
        graphs.append(graph)
    assert len(graphs[0]) == len(graphs[1]) == len(graphs[2])


_ALTERNATE_FORMATS = {
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".nt": "nt",
    ".rdf": "xml",
}


def test_every_alternate_has_the_triples_of_its_resource(
    site: Path, union: Graph, assembled: AssembledDataset
) -> None:
    # Issue 19: the alternates are written by Oxigraph from the store; parsed
    # back by rdflib, each is isomorphic to the rdflib description the pages
    # were written from before — for every page of the real data.
    by_subject: dict[str, Graph] = defaultdict(Graph)
    for s, p, o in union:
        if isinstance(s, URIRef):  # a hash IRI is on its base's page (not a term's)
            owner = str(s) if s.startswith(str(SKG)) else str(s).split("#", 1)[0]
            by_subject[owner].add((s, p, o))
    vocabulary = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_SCHEMES):
        for triple in assembled.graphs[iri]:
            vocabulary.add(triple)
    checked = 0
    for page_file in sorted(site.glob("id/**/*.html")) + sorted(
        site.glob("ontology/*.html")
    ):
        stem = page_file.with_suffix("")
        relative = stem.relative_to(site).as_posix()
        if relative == "ontology/index" or relative[len("ontology/") :][:1].isdigit():
            expected = vocabulary  # the ontology, and its version IRI's copy
        elif relative.startswith("ontology/"):
            expected = by_subject[str(SKG) + unquote(relative[len("ontology/") :])]
        else:
            expected = by_subject[str(SKGID) + unquote(relative[len("id/") :])]
        assert len(expected) > 0, page_file
        for suffix, fmt in _ALTERNATE_FORMATS.items():
            alternate = Path(f"{stem}{suffix}")
            parsed = Graph().parse(alternate, format=fmt)
            assert parsed.isomorphic(expected), alternate
            checked += 1
    assert checked > 4 * 300


def test_rdfxml_alternates_fall_back_to_rdflib_only_where_oxigraph_cannot() -> None:
    node = ox.NamedNode(str(SKGID["actor/x"]))
    label = ox.NamedNode(str(RDFS.label))
    plain = [
        ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(SKG.Actor))),
        ox.Triple(node, label, ox.Literal("Kulturhuset <&>", language="sv")),
        ox.Triple(
            node,
            ox.NamedNode(str(SKG.number)),
            ox.Literal("3", datatype=ox.NamedNode(str(XSD.integer))),
        ),
        ox.Triple(node, ox.NamedNode(str(DCTERMS.isPartOf)), ox.BlankNode("part")),
    ]
    writer = AlternateWriter()
    files, links = writer.files("id/actor/x.html", plain)
    assert writer.rdfxml_fallbacks == 0
    assert [link["href"] for link in links] == ["x.ttl", "x.jsonld", "x.nt", "x.rdf"]
    expected = Graph()
    for triple in plain:
        expected.add(tuple(to_rdflib(t) for t in triple))  # type: ignore[arg-type]
    for suffix, fmt in _ALTERNATE_FORMATS.items():
        parsed = Graph().parse(data=files[f"id/actor/x{suffix}"], format=fmt)
        assert parsed.isomorphic(expected), suffix
    # Oxigraph writes a carriage return raw, which XML reads as a line feed:
    # that page is written by rdflib (as &#13;), and counted.
    two_lines = [ox.Triple(node, label, ox.Literal("rad 1\r\nrad 2"))]
    files, _ = writer.files("id/actor/x.html", two_lines)
    assert writer.rdfxml_fallbacks == 1
    parsed = Graph().parse(data=files["id/actor/x.rdf"], format="xml")
    assert set(parsed.objects(None, RDFS.label)) == {Literal("rad 1\r\nrad 2")}
    # What no RDF/XML can hold is refused, naming the page.
    for triple in (
        ox.Triple(node, label, ox.Literal("styr\x01tecken")),
        ox.Triple(node, ox.NamedNode("https://example.org/p/1"), ox.Literal("x")),
    ):
        with pytest.raises(PublishError, match="id/actor/x.html: .* RDF/XML"):
            writer.files("id/actor/x.html", [triple])


def test_dumps_hold_every_quad_of_the_dataset(
    site: Path, assembled: AssembledDataset
) -> None:
    expected = {
        (s, p, o, graph)
        for graph, triples in assembled.graphs.items()
        for s, p, o in triples
    }
    for name, fmt in (("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")):
        dataset = Dataset()
        dataset.parse(site / f"download/samverkansgraf.{name}", format=fmt)
        quads = {
            (s, p, o, getattr(g, "identifier", g)) for s, p, o, g in dataset.quads()
        }
        assert quads == expected, name
    union = Graph().parse(site / "download/samverkansgraf.ttl")
    assert len(union) == len({q[:3] for q in expected})


def test_ontology_and_concept_pages(site: Path) -> None:
    overview = _parse(site / "ontology/index.html")
    for term in ("Commitment", "committedBy", "ModalityScheme", "Shall", "ThemeScheme"):
        assert term in overview.ids
        assert (site / f"ontology/{term}.html").is_file()
    scheme = (site / "ontology/ModalityScheme.html").read_text("utf-8")
    assert "Shall.html" in scheme and "modalitet" in scheme and 'lang="en"' in scheme
    shall = (site / "ontology/Shall.html").read_text("utf-8")
    assert "Åtaganden med ”modalitet” ska" in shall


def test_source_page_masks_contact_data_and_anchors_every_span(
    site: Path, union: Graph
) -> None:
    page = _parse(site / "sources/000_c90c7f0945d9b53e.html")
    hedemora = SKGID["document/overenskommelse-hedemora-2019-2022"]
    starts = {
        (int(union.value(sel, OA.start)), int(union.value(sel, OA.end)))
        for evidence in union.objects(None, SKG.evidence)
        if union.value(evidence, OA.hasSource) == hedemora
        for sel in union.objects(evidence, OA.hasSelector)
        if union.value(sel, OA.start) is not None
    }
    assert len(starts) > 40
    for start, end in starts:
        assert f"ev-{start}-{end}" in page.ids


def test_marked_text_stays_well_formed_when_spans_cross() -> None:
    html = str(render_marked_text("abcdefgh", {(1, 5): [], (3, 7): [], (1, 3): []}))
    assert html.count("<span") == html.count("</span>")
    assert re.sub(r"<[^>]+>", "", html) == "abcdefgh"
    assert 'id="ev-1-5"' in html and 'id="ev-3-7"' in html and 'id="ev-1-3"' in html


def test_dcat_record_conforms_to_dcat_ap_se_shapes(
    site: Path, project: ProjectPaths
) -> None:
    record = Graph().parse(site / "dcat.ttl")
    assert Graph().parse(site / "dcat.rdf", format="xml").isomorphic(record)
    report = validate_catalogue(record, load_dcat_shapes(project.shapes_dir))
    assert report.conforms, report.format_text()
    assert not any(isinstance(n, BNode) for t in record for n in t)
    dataset = next(record.subjects(RDF.type, DCAT.Dataset))
    assert {t.language for t in record.objects(dataset, DCTERMS.title)} == {"sv", "en"}
    distributions = list(record.objects(dataset, DCAT.distribution))
    assert len(distributions) == 4
    for dist in distributions:
        assert (dist, DCTERMS.license, CC0) in record
        url = str(record.value(dist, DCAT.downloadURL))
        assert (site / url.split("samverkansgraf/", 1)[1]).is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no-licence", "licence"),
        ("other-licence", "CC0"),
        ("no-english-title", "English"),
        ("blank-publisher", "blank node"),
        ("person-contact", "functional contact"),
        ("no-media-type", "IANA"),
        ("no-mailbox", "vcard:hasEmail"),
        ("literal-format", "file-type"),
        ("second-mailbox", "outside the contact point"),
    ],
)
def test_broken_dcat_record_fails(
    site: Path, project: ProjectPaths, change: str, message: str
) -> None:
    record = Graph().parse(site / "dcat.ttl")
    catalog = next(record.subjects(RDF.type, DCAT.Catalog))
    dataset = next(record.subjects(RDF.type, DCAT.Dataset))
    if change == "no-licence":
        record.remove((catalog, DCTERMS.license, None))
    elif change == "other-licence":
        record.set(
            (
                catalog,
                DCTERMS.license,
                URIRef("https://creativecommons.org/publicdomain/zero/1.0"),
            )
        )
    elif change == "no-english-title":
        record.remove(
            (
                dataset,
                DCTERMS.title,
                next(
                    t
                    for t in record.objects(dataset, DCTERMS.title)
                    if t.language == "en"
                ),
            )
        )
    elif change == "blank-publisher":
        publisher = record.value(dataset, DCTERMS.publisher)
        blank = BNode()
        for p, o in list(record.predicate_objects(publisher)):
            record.add((blank, p, o))
        record.set((dataset, DCTERMS.publisher, blank))
    elif change == "person-contact":
        contact = record.value(dataset, DCAT.contactPoint)
        record.add(
            (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Individual"))
        )
    elif change == "no-media-type":
        dist = next(record.objects(dataset, DCAT.distribution))
        record.remove((dist, DCAT.mediaType, None))
    elif change == "no-mailbox":
        contact = record.value(dataset, DCAT.contactPoint)
        record.remove((contact, URIRef(str(VCARD) + "hasEmail"), None))
    elif change == "literal-format":
        dist = next(record.objects(dataset, DCAT.distribution))
        record.set((dist, DCTERMS.format, Literal("text/turtle")))
    elif change == "second-mailbox":
        record.add(
            (
                dataset,
                DCTERMS.description,
                Literal("Skriv till anna@example.org", lang="de"),
            )
        )
    report = validate_catalogue(record, load_dcat_shapes(project.shapes_dir))
    assert not report.conforms
    assert any(message in r.message for r in report.violations), report.format_text()


def test_void_counts_equal_the_graph(site: Path, union: Graph) -> None:
    void = Graph().parse(site / "void.ttl")
    dataset = next(
        s
        for s in void.subjects(RDF.type, VOID.Dataset)
        if (s, VOID.triples, None) in void
    )
    assert int(void.value(dataset, VOID.triples)) == len(union)
    assert int(void.value(dataset, VOID.properties)) == len(set(union.predicates()))
    assert int(void.value(dataset, VOID.classes)) == len(
        set(union.objects(None, RDF.type))
    )
    for partition in void.objects(dataset, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        expected = len(set(union.subjects(RDF.type, cls)))
        assert int(void.value(partition, VOID.entities)) == expected, cls
    for partition in void.objects(dataset, VOID.propertyPartition):
        prop = void.value(partition, VOID.property)
        assert int(void.value(partition, VOID.triples)) == len(
            list(union.triples((None, prop, None)))
        )
    linkset = void.value(dataset, VOID.subset)
    links = [o for o in union.objects(None, OWL.sameAs) if str(o).startswith(str(WD))]
    assert int(void.value(linkset, VOID.triples)) == len(links) > 200
    assert (linkset, VOID.linkPredicate, OWL.sameAs) in void
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert len(dumps) == 4


@pytest.mark.network
@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html",
        ),
        (None, "text/html"),
        ("text/turtle;q=0.4, application/ld+json;q=0.9", "application/ld+json"),
    ],
)
def test_content_negotiation(site: Path, accept: str | None, media: str) -> None:
    with running_site_server(site) as base:
        host, port = urlsplit(base).hostname, urlsplit(base).port
        connection = http.client.HTTPConnection(host, port, timeout=10)
        headers = {"Accept": accept} if accept else {}
        connection.request("GET", "/id/kommun/2083", headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 303
        assert response.getheader("Vary") == "Accept"
        request = urllib.request.Request(base + "id/kommun/2083", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.headers.get_content_type() == media
            body = answer.read().decode("utf-8")
        assert "2083" in body
        if media != "text/html":
            fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
            graph = Graph().parse(data=body, format=fmt.get(media, "nt"))
            assert (
                HEDEMORA,
                RDFS.label,
                Literal("Hedemora kommun", lang="sv"),
            ) in graph


@pytest.mark.network
def test_content_negotiation_edge_cases(site: Path) -> None:
    with running_site_server(site) as base:
        request = urllib.request.Request(
            base + "id/kommun/2083", headers={"Accept": "image/png"}
        )
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 406
        turtle = urllib.request.Request(
            base + "ontology", headers={"Accept": "text/turtle"}
        )
        with urllib.request.urlopen(turtle, timeout=10) as answer:
            assert answer.geturl().endswith("/ontology/index.ttl")
        with urllib.request.urlopen(base + "dcat.rdf", timeout=10) as answer:
            assert answer.headers.get_content_type() == "application/rdf+xml"
        with urllib.request.urlopen(base + ".well-known/void", timeout=10) as answer:
            assert answer.headers.get_content_type() == "text/turtle"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(base + "id/kommun/9999", timeout=10)
        assert error.value.code == 404
    assert choose_representation("text/*", ["text/html", "text/turtle"]) == "text/html"


def test_publish_refuses_a_graph_that_fails_the_privacy_shapes(
    runner: CliRunner, scratch: ProjectPaths, tmp_path: Path
) -> None:
    write_publication(scratch.root)
    curated = scratch.curated_dir / "hedemora-2019-2022.ttl"
    curated.write_text(
        curated.read_text("utf-8")
        + "\n<actor/dalateatern> <http://www.w3.org/2004/02/skos/core#note> "
        '"Kontakt: 070-684 34 81" .\n',
        "utf-8",
    )
    out = tmp_path / "site"
    for command in (
        ["publish", "--out", str(out)],
        ["release", "--version", "0.1.0", "--out", str(tmp_path / "rel")],
    ):
        result = runner.invoke(cli, ["--project", str(scratch.root), *command])
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            "error: the graph does not conform"
        )
    assert not out.exists() and not (tmp_path / "rel").exists()


def test_publish_checks_the_shapes_as_the_last_build_left_them(
    scratch: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a build, publish checks the shapes from the build cache's memory
    (by document, no store of the whole dataset): a document edited since is
    checked again, and a violation the build found is still refused."""
    from samverkansgraf.build import build
    from samverkansgraf.errors import NonConformanceError
    from samverkansgraf.publish import site as publish

    write_publication(scratch.root)
    assert build(scratch).outputs  # it conforms

    def whole_dataset(*args: object) -> None:
        raise AssertionError("validated the whole dataset")

    monkeypatch.setattr(publish, "check_conformance", whole_dataset)
    assert publish.publish_site(scratch, tmp_path / "site").pages > 300
    curated = scratch.curated_dir / "hedemora-2019-2022.ttl"
    curated.write_text(  # about a resource of its own: still checked by document
        curated.read_text("utf-8") + "\n<agreement/hedemora-2019-2022> "
        "<http://www.w3.org/2004/02/skos/core#note> "
        '"Kontakt: 070-684 34 81" .\n',
        "utf-8",
    )
    for rebuilt in (False, True):  # edited since the build; then built again
        if rebuilt:
            assert not build(scratch).outputs  # it does not conform
        with pytest.raises(NonConformanceError, match="does not conform") as refused:
            publish.publish_site(scratch, tmp_path / "site")
        assert "agreement/hedemora-2019-2022" in str(refused.value)
    # The site published before the edit is still there, whole.
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.slow
def test_contact_data_in_a_late_file_leaves_the_previous_site_intact(
    scratch: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are checked and written one by one; contact data found in the
    middle of the run aborts it, and the site published before stays whole."""
    from samverkansgraf.publish import site as publish

    write_publication(scratch.root)
    out = tmp_path / "site"
    first = publish.publish_site(scratch, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # Every page, plus the output marker that lets the next publish replace it.
    assert len(before) == first.files + 1 > 300
    assert (out / OUTPUT_MARKER).read_text("utf-8") == "samverkansgraf publish\n"
    real_files = publish.SiteRenderer.files

    def leaky(self: publish.SiteRenderer, **kwargs: bool):  # type: ignore[no-untyped-def]
        for item in real_files(self, **kwargs):
            yield item
            if item == publish.RESOURCE_PAGES:  # after the pages, before the rest
                yield "id/leak.html", b"<p>ring 070-684 34 81</p>"

    monkeypatch.setattr(publish.SiteRenderer, "files", leaky)
    with pytest.raises(publish.PublishError) as error:
        publish.publish_site(scratch, out)
    assert str(error.value).startswith(
        "output file id/leak.html would contain contact data at 8–21"
    )
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".site.*"))  # no temporary directory left


# -- a real browser --------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.network
@needs_browser
def test_browser_follows_hedemora_to_a_commitment_and_sees_the_quote(
    site: Path, assembled: AssembledDataset
) -> None:
    from selenium.webdriver.common.by import By

    text = assembled.texts[SKGID["document/overenskommelse-hedemora-2019-2022"]]
    with (
        running_site_server(site) as base,
        chromium_driver(window="1100,1000") as driver,
    ):
        driver.get(base + "id/kommun/2083")  # negotiated: a browser gets HTML
        assert driver.find_element(By.TAG_NAME, "h1").text == "Hedemora kommun"
        link = driver.find_element(
            By.CSS_SELECTOR, 'a[href$="commitment/hedemora-2019-2022/3-1.html"]'
        )
        link.click()
        assert driver.current_url.endswith("/id/commitment/hedemora-2019-2022/3-1.html")
        mark = driver.find_element(By.CSS_SELECTOR, "section.evidence mark")
        offsets = driver.find_element(By.CSS_SELECTOR, "section.evidence .offsets")
        start = int(offsets.get_attribute("data-start"))
        end = int(offsets.get_attribute("data-end"))
        assert mark.get_attribute("textContent") == text[start:end]
        assert mark.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTEFACTS / "site-commitment.png"
        assert driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("SAMVERKANSGRAF_UPDATE_SCREENSHOT"):
            _save_readme_screenshot(shot)


def _save_readme_screenshot(shot: Path) -> None:
    """Refresh docs/img/site-screenshot.png (committed; kept small: 64 colours)."""
    from PIL import Image

    target = ROOT / "docs" / "img" / "site-screenshot.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(shot).convert("RGB")
    image.quantize(colors=64).save(target, optimize=True)


def test_site_paths_mirror_iris(site: Path, union: Graph) -> None:
    described = defaultdict(int)
    for subject in set(union.subjects()):
        iri = str(subject)
        if iri.startswith(str(SKGID)) and "#" not in iri:
            described["id"] += 1
            assert (site / f"id/{iri[len(str(SKGID)) :]}.html").is_file(), iri
            assert (site / f"id/{iri[len(str(SKGID)) :]}.ttl").is_file(), iri
        elif iri.startswith(str(SKG)):
            described["ontology"] += 1
            assert (site / f"ontology/{iri[len(str(SKG)) :]}.html").is_file(), iri
    assert described["id"] > 300 and described["ontology"] > 50
    assert (site / "classes/skg-Municipality.html").is_file()
    assert (site / ".well-known/void").read_bytes() == (site / "void.ttl").read_bytes()


def test_a_large_class_index_is_split_into_numbered_pages(
    site: Path,
    publishable: ProjectPaths,
    union: Graph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 19: at national scale one page listed 47,336 commitments (11.7 MB).
    # With pages of 20, the real data's commitments take several; together
    # they list every commitment with a page once, in the one-page order.
    out = published_with_limit(
        publishable, tmp_path / "site", monkeypatch, "render.CLASS_PAGE_SIZE", 20
    )
    commitments = {
        str(s)
        for s in union.subjects(RDF.type, SKG.Commitment)
        if str(s).startswith(str(SKGID)) and "#" not in str(s)
    }
    pages = -(-len(commitments) // 20)
    assert pages >= 3
    first = out / "classes/skg-Commitment.html"
    paths = [first] + [
        out / f"classes/skg-Commitment/{n}.html" for n in range(2, pages + 1)
    ]
    assert not (out / f"classes/skg-Commitment/{pages + 1}.html").exists()

    def listed(path: Path) -> list[str]:
        html = path.read_text("utf-8")
        items = html.split('<ul class="index">', 1)[1].split("</ul>", 1)[0]
        return re.findall(r'<li><a href="[^"]+" title="([^"]+)"', items)

    shown = [iri for path in paths for iri in listed(path)]
    assert [len(listed(p)) for p in paths[:-1]] == [20] * (pages - 1)
    assert sorted(shown) == sorted(commitments) and len(shown) == len(commitments)
    one_page = listed(site / "classes/skg-Commitment.html")
    assert shown == one_page
    # Each page names its place and links to every other, both ways.
    second = paths[1].read_text("utf-8")
    assert f"Sida 2 av {pages}, nummer 21–40" in second
    assert "<title>Åtaganden, sida 2 – samverkansgraf</title>" in second
    assert f"({len(commitments)})</span></h1>" in second
    for path in paths:
        page = _parse(path)
        targets = {_target(path, href)[0] for href in page.links}
        assert set(paths) - {path} <= targets, path
    # Links to the class still lead to its first page; a small class has one.
    assert "skg-Commitment.html" in (out / "classes/index.html").read_text("utf-8")
    # The profiles of a class's instances are linked from its first page.
    first_regions = (out / "classes/skg-Region.html").read_text("utf-8")
    more_regions = (out / "classes/skg-Region/2.html").read_text("utf-8")
    assert 'class="profiles"' in first_regions
    assert 'class="profiles"' not in more_regions
    assert not (out / "classes/skg-Agreement").exists()
    assert "Sida 1 av" not in (out / "classes/skg-Agreement.html").read_text("utf-8")


def test_a_large_group_of_links_lists_its_first_and_queries_the_rest(
    site: Path,
    publishable: ProjectPaths,
    union: Graph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 19: at national scale the page of the modality "vill" listed
    # 16,762 commitments. With groups of 5, Region Dalarna's page lists the
    # first 5 of its 15 municipalities, counts them all, and links to the
    # query page with the query that answers every one of them.
    out = published_with_limit(
        publishable, tmp_path / "site", monkeypatch, "pages.INVERSE_LISTED", 5
    )
    dalarna = SKGID["region/20"]
    municipalities = set(union.subjects(SKG.inRegion, dalarna))
    assert len(municipalities) == 15

    def group(path: Path) -> tuple[str, list[str], str]:
        html = path.read_text("utf-8")
        start = html.index("<h3>Kommuner med ”i region” Region Dalarna")
        section = html[start : html.index("</section>", start)]
        links = re.findall(r'<li><a href="[^"]+" title="([^"]+)"', section)
        return section, links, html

    section, shown, _ = group(out / "id/region/20.html")
    _, every, _ = group(site / "id/region/20.html")
    assert '<span class="count">(15)</span>' in section
    assert shown == every[:5] and sorted(every) == sorted(map(str, municipalities))
    assert "De första 5 av 15;" in section
    href = re.search(r'<a href="([^"]+)">alla i frågesidan</a>', section)
    assert href is not None
    target, _, query_string = href.group(1).partition("?")
    assert target == "../../query.html" and (out / "query.html").is_file()
    sparql = unquote(query_string.removeprefix("sparql="))
    answered = {row[0] for row in union.query(sparql)}
    assert answered == municipalities
    # A small group is listed whole, with no query.
    assert "alla i frågesidan" not in group(site / "id/region/20.html")[0]


def test_the_query_of_a_group_via_parts_answers_their_owners() -> None:
    from samverkansgraf.publish.pages import inverse_query_href

    node, prop = SKGID["region/20"], SKG.concerns
    graph = Graph()
    for owner, cls in (("clause/a/1", SKG.Clause), ("clause/a/2", SKG.Clause)):
        graph.add((SKGID[owner], RDF.type, cls))
        graph.add((URIRef(f"{SKGID[owner]}#evidence"), prop, node))
    graph.add((SKGID["agreement/b"], RDF.type, SKG.Agreement))
    graph.add((URIRef(f"{SKGID['agreement/b']}#x"), prop, node))
    graph.add((SKGID["clause/a/3"], RDF.type, SKG.Clause))
    graph.add((SKGID["clause/a/3"], prop, node))  # not via a part
    href = inverse_query_href("id/region/20.html", node, prop, SKG.Clause, True, "h")
    sparql = unquote(href.partition("?sparql=")[2])
    assert [row[0] for row in graph.query(sparql)] == [
        SKGID["clause/a/1"],
        SKGID["clause/a/2"],
    ]
    href = inverse_query_href("id/region/20.html", node, prop, SKG.Clause, False, "h")
    sparql = unquote(href.partition("?sparql=")[2])
    assert [row[0] for row in graph.query(sparql)] == [SKGID["clause/a/3"]]


def test_dcat_byte_sizes_are_the_published_files(site: Path) -> None:
    from rdflib.namespace import DCAT

    record = Graph().parse(site / "dcat.ttl")
    distributions = list(record.subjects(DCAT.downloadURL, None))
    assert len(distributions) >= 4
    for distribution in distributions:
        url = str(record.value(distribution, DCAT.downloadURL))
        size = int(record.value(distribution, DCAT.byteSize))
        local = site / "download" / url.rsplit("/", 1)[-1]
        assert local.stat().st_size == size, url


@pytest.mark.slow
def test_worker_processes_write_the_same_site_byte_for_byte(
    site: Path,
    publishable: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 19: forked workers write the resource pages in chunks. The real
    # data has fewer pages than PARALLEL_FROM, so they are made to run here,
    # in small chunks; the site must equal the one process's (the session's
    # site, published by the CLI), and one published under another hash seed.
    from samverkansgraf.publish import site as site_module

    in_small_chunks(monkeypatch)
    monkeypatch.setattr(site_module, "PROGRESS_EVERY", 0.0)
    assert site_module._writers(2, 400) == 2
    lines: list[str] = []
    result = site_module.publish_site(
        publishable, tmp_path / "workers", jobs=2, progress=lines.append
    )
    # Long work shows progress: each step, then the pages as chunks finish.
    documents = len(list(publishable.curated_dir.glob("*.ttl")))
    assert lines[0].startswith("building the dataset")
    assert (
        lines[1] == f"{documents} documents: checking the shapes and indexing the pages"
    )
    writing = re.fullmatch(
        r"writing ([\d,]+) resource pages, .* \(2 processes\)", lines[2]
    )
    assert writing, lines[2]
    total = int(writing[1].replace(",", ""))
    done = [
        int(m[1])
        for line in lines
        if (m := re.fullmatch(rf"(\d+) of {total} resource pages written", line))
    ]
    assert len(done) >= total // 40 and done == sorted(done) and done[-1] == total
    single = folder_bytes(site)
    assert folder_bytes(tmp_path / "workers") == single
    assert (result.pages, result.files, result.rdfxml_fallbacks) == (
        sum(1 for name in single if name.endswith(".html")),
        len(single) - (OUTPUT_MARKER in single),
        0,
    )
    seeded = tmp_path / "seeded"
    done = subprocess.run(
        [sys.executable, "-m", "samverkansgraf", "--project", str(publishable.root)]
        + ["publish", "--out", str(seeded)],
        env=dict(os.environ, PYTHONHASHSEED="4711"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert folder_bytes(seeded) == single


def _earlier_site_in_small_chunks(
    published: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, bytes]]:
    """A copy of the published site to publish over (and its files), with
    workers writing chunks of 40 pages from now on, as at national scale."""
    out = tmp_path / "site"
    shutil.copytree(published[0], out)
    in_small_chunks(monkeypatch)
    return out, folder_bytes(out)


def _before_each_worker_task(
    monkeypatch: pytest.MonkeyPatch, action: Callable[[tuple[object, ...]], None]
) -> None:
    """Have a worker call ``action(task)`` before each of its tasks (a dump's
    check, or a chunk of pages)."""
    import functools

    from samverkansgraf.publish import site as site_module

    real_task = site_module._write_chunk_in_worker

    @functools.wraps(real_task)  # pickled by name: the worker finds this one
    def patched(task):  # type: ignore[no-untyped-def]
        action(task)
        return real_task(task)

    monkeypatch.setattr(site_module, "_write_chunk_in_worker", patched)


@pytest.mark.slow
def test_this_process_writes_the_chunks_no_worker_has_begun(
    site: Path,
    publishable: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 19: with two writers, one worker takes the chunks from the first
    # on while this process writes the other files, then this process takes
    # the chunks the worker has not begun, from the last one back. The worker
    # is slowed here, so that this process must take some; the site must
    # still be the one process's, byte for byte.
    import time

    from samverkansgraf.publish import site as site_module

    in_small_chunks(monkeypatch)
    parent = os.getpid()
    here: list[int] = []
    count: list[int] = []
    real_pages = site_module._write_pages

    def recorded(renderer, work, chunk, earlier):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            here.append(chunk[0])
            count[:] = [len(renderer.page_nodes())]
        return real_pages(renderer, work, chunk, earlier)

    def slow(task: tuple[object, ...]) -> None:
        if task[1]:  # a chunk of pages, not a dump's check
            time.sleep(1.0)

    held: list[int] = []
    real_enter = site_module._PageWriters.__enter__

    def forking(self):  # type: ignore[no-untyped-def]
        # The dumps are written and let go before the worker is forked.
        held.append(sum(len(data) for _, data in self.renderer.dump_files()))
        return real_enter(self)

    monkeypatch.setattr(site_module, "_write_pages", recorded)
    _before_each_worker_task(monkeypatch, slow)
    monkeypatch.setattr(site_module._PageWriters, "__enter__", forking)
    result = site_module.publish_site(publishable, tmp_path / "two", jobs=2)
    # This process began with the last chunk and went back from there.
    assert here and here[0] == (count[0] - 1) // 40 * 40, here
    assert here == sorted(here, reverse=True) and len(here) < count[0] / 40 - 1
    single = folder_bytes(site)
    assert folder_bytes(tmp_path / "two") == single
    assert result.pages == sum(1 for name in single if name.endswith(".html"))
    assert held == [0]


@pytest.mark.slow
def test_a_killed_worker_stops_the_publish_with_one_line_and_exit_7(
    runner: CliRunner,
    published: tuple[Path, str],
    publishable: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At national scale the system may kill a worker for want of memory: the
    # user gets one line saying so and what to do (--jobs 1), exit 7, and the
    # previous site as it was.
    import signal

    out, before = _earlier_site_in_small_chunks(published, tmp_path, monkeypatch)

    def killed(task: tuple[object, ...]) -> None:
        if task[1]:  # the first chunk of pages: as the system's OOM killer would
            os.kill(os.getpid(), signal.SIGKILL)

    _before_each_worker_task(monkeypatch, killed)
    result = runner.invoke(
        cli,
        ["--project", str(publishable.root), "publish", "--jobs", "2"]
        + ["--out", str(out)],
    )
    assert result.exit_code == 7, result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: a worker process writing pages stopped before it finished "
        "(killed, most likely by the system for want of memory); nothing was "
        "replaced — run `samverkansgraf publish --jobs 1` (one process: less "
        "memory, slower), or free memory"
    ], lines
    assert folder_bytes(out) == before
    assert not list(tmp_path.glob(".site.*"))  # no temporary directory left


def test_jobs_must_be_a_positive_number(runner: CliRunner, tmp_path: Path) -> None:
    for command in ("build", "publish"):
        result = runner.invoke(cli, [command, "--jobs", "0"])
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--jobs': 0 is not in the range x>=1." in (
            result.stderr
        )


def test_publish_lets_the_dataset_go_when_it_returns(
    publishable: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: nothing of the indexed dataset outlives ``publish_site``.

    pySHACL's SPARQL parser (validating the catalogue record) leaves exception
    cycles that held publish's frame — at L 7.5 million objects kept until the
    next full collection (7 s at the CLI's exit), or for ever while frozen for
    the workers. The collector is off here, so only what reference counting
    frees is gone; it is paused inside and must be as it was afterwards.
    """
    import gc

    from samverkansgraf.build import AssembledDataset
    from samverkansgraf.publish import site as site_module
    from samverkansgraf.publish.writer import SiteRenderer

    monkeypatch.setattr(site_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(site_module, "CHUNK_PAGES", 200)

    def alive() -> list[object]:
        kinds = (AssembledDataset, SiteRenderer)
        return [o for o in gc.get_objects() if isinstance(o, kinds)]

    gc.collect()
    before = alive()  # other tests' fixtures (held here: no id is reused)
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = site_module.publish_site(publishable, tmp_path / "site", jobs=2)
        assert not gc.isenabled()
        known = {id(o) for o in before}
        left = [type(o).__name__ for o in alive() if id(o) not in known]
    finally:
        if enabled:
            gc.enable()
    assert result.pages > 300
    assert left == []


@pytest.mark.slow
def test_contact_data_in_a_workers_page_leaves_the_previous_site_intact(
    published: tuple[Path, str],
    publishable: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from samverkansgraf.publish import site as site_module

    out, before = _earlier_site_in_small_chunks(published, tmp_path, monkeypatch)
    real = site_module.SiteRenderer.render_view

    def leaky(self: site_module.SiteRenderer, view):  # type: ignore[no-untyped-def]
        files = real(self, view)
        if view.values["iri"] == str(SKGID["kommun/2083"]):  # one worker's chunk
            files["id/leak.html"] = b"<p>ring 070-684 34 81</p>"
        return files

    monkeypatch.setattr(site_module.SiteRenderer, "render_view", leaky)
    with pytest.raises(PublishError) as error:
        site_module.publish_site(publishable, out, jobs=2)
    assert str(error.value).startswith(
        "output file id/leak.html would contain contact data at 8–21"
    )
    assert folder_bytes(out) == before
    assert not list(tmp_path.glob(".site.*"))  # no temporary directory left


@pytest.mark.slow
def test_contact_data_in_a_dump_checked_by_a_worker_stops_the_publish(
    publishable: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With workers, the parent writes the dumps while a worker checks them;
    # the site is published only once the checks have passed.
    from samverkansgraf.publish import site as site_module

    monkeypatch.setattr(site_module, "PARALLEL_FROM", 1)
    real = site_module.serialise_dataset

    def leaky(assembled: AssembledDataset) -> dict[str, bytes]:
        dumps = real(assembled)
        dumps[".ttl"] += b"# ring 070-684 34 81\n"
        return dumps

    monkeypatch.setattr(site_module, "serialise_dataset", leaky)
    with pytest.raises(PublishError) as error:
        site_module.publish_site(publishable, tmp_path / "site", jobs=2)
    assert str(error.value).startswith(
        "output file download/samverkansgraf.ttl would contain contact data"
    )
    assert not (tmp_path / "site").exists()


_SEGMENTS = st.sampled_from(
    ["id", "kommun", "2083.html", "classes", "a b", "å", "index.html"]
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_SEGMENTS, min_size=1, max_size=4),
    st.lists(_SEGMENTS, min_size=1, max_size=4),
)
def test_relative_links_are_relpaths(
    from_parts: list[str], to_parts: list[str]
) -> None:
    """Links are computed from path segments (issue 19: posixpath.relpath asked
    for the working directory on every link): the same hrefs as relpath."""
    from samverkansgraf.publish.pages import relative_href

    from_path, to_path = "/".join(from_parts), "/".join(to_parts)
    expected = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    assert relative_href(from_path, to_path) == quote(expected, safe="/-._~")
    assert (
        relative_href(from_path, to_path, "x y")
        == quote(expected, safe="/-._~") + "#x%20y"
    )


@pytest.mark.slow
def test_publish_reads_the_build_cache_and_writes_the_same_site(
    scratch: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """publish takes its documents from the build's cache (issue 19: 30 s of
    building at L), fills it when cold, and the site is the same byte for byte
    whether every document was built or read back."""
    from samverkansgraf.build import pipeline
    from samverkansgraf.publish import publish_site

    write_publication(scratch.root)
    cold = publish_site(scratch, tmp_path / "cold")
    entries = list((scratch.root / ".build-cache").rglob("*"))
    assert len([e for e in entries if e.is_file()]) > len(
        list(scratch.curated_dir.glob("*.ttl"))
    )

    def no_building(*_: object) -> None:
        raise AssertionError("a cached document was built again")

    monkeypatch.setattr(pipeline, "_built", no_building)
    warm = publish_site(scratch, tmp_path / "warm")
    assert (warm.pages, warm.files) == (cold.pages, cold.files)
    assert folder_bytes(tmp_path / "warm") == folder_bytes(tmp_path / "cold")


@pytest.mark.parametrize(
    ("link", "html"),
    [
        (
            Link("https://w3id.org/x", "Falu & Co", "../id/x.html"),
            '<a href="../id/x.html" title="https://w3id.org/x">Falu &amp; Co</a>',
        ),
        (
            Link(
                "http://www.wikidata.org/entity/Q1",
                "Q1",
                "http://www.wikidata.org/entity/Q1",
                external=True,
                lang="en",
            ),
            '<a class="external" href="http://www.wikidata.org/entity/Q1" '
            'title="http://www.wikidata.org/entity/Q1" lang="en">Q1</a>',
        ),
        (
            Link("urn:x:<1>", "x", None, snippet='"ska" <b>'),
            '<span class="iri" title="urn:x:&lt;1&gt;">x</span> '
            '<span class="snippet">&#34;ska&#34; &lt;b&gt;</span>',
        ),
    ],
)
def test_a_link_renders_itself_escaped_in_every_form(link: Link, html: str) -> None:
    """A page link, an external link with its language, and a shown IRI with
    a fact's snippet: the markup every template inserts with ``{{ link }}``,
    every value escaped (a label or quote may hold '&', '<' or quotes)."""
    template = make_environment().from_string("<p>{{ link }}</p>")
    assert template.render(link=link) == f"<p>{html}</p>"


_VALUE_MACRO = """{% macro value(v) -%}
{%- if v.link is not none -%}{{ v.link }}
{%- else -%}<span class="literal{% if v.long %} long{% endif %}"{% if v.lang %} lang="{{ v.lang }}"{% endif %}>{{ v.text }}</span>
{%- if v.lang %} <span class="tag">@{{ v.lang }}</span>{% endif -%}
{%- if v.datatype %} <span class="tag">{{ v.datatype }}</span>{% endif -%}
{%- endif -%}
{%- endmacro %}"""  # noqa: E501
"""The Jinja macro that rendered each value until issue 19 (``Value.__html__``
must give its very markup)."""


def test_a_value_renders_itself_as_the_macro_did() -> None:
    """Every form of a property value — a link, a literal short or long, with
    or without a language and a datatype, each with characters to escape —
    renders as the retired ``value`` macro rendered it."""
    from itertools import product

    from samverkansgraf.publish.pages import Value

    environment = make_environment()
    old = environment.from_string(_VALUE_MACRO + "{{ value(v) }}")
    new = environment.from_string("{{ v }}")
    links = [None, Link("urn:x:1", "A & B", "x.html", snippet="<q>")]
    texts = ["plain", 'Falu "kommun" <b> & co\nrad två']
    langs = [None, "", "sv", 'e"n']
    datatypes = [None, "", "xsd:gYear", "<urn:t>"]
    checked = 0
    for link, text, lang, datatype, long in product(
        links, texts, langs, datatypes, (False, True)
    ):
        value = Value(link, text, lang, datatype, long)
        assert new.render(v=value) == old.render(v=value), value
        checked += 1
    assert checked == 128
    sample = Value(None, "2019 & <x>", "sv", "xsd:gYear", True)
    assert new.render(v=sample) == (
        '<span class="literal long" lang="sv">2019 &amp; &lt;x&gt;</span> '
        '<span class="tag">@sv</span> <span class="tag">xsd:gYear</span>'
    )
