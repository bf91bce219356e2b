"""The catalogue record against the portals' own yardsticks (issue #17).

- SEMIC's official DCAT-AP 3.0.0 SHACL (vendored in ``shapes/dcat-ap/`` from a
  package registry): 0 results, always.
- SEMIC's DCAT-AP 3.0.1 release and DIGG's DCAT-AP-SE validation pipeline, which no
  registry carries: run when ``SAMVERKANSGRAF_DCAT_AP_RELEASE`` (a folder of the
  release, e.g. ``…/DCAT-AP/releases/3.0.1``) and ``SAMVERKANSGRAF_DCAT_AP_SE_SHAPES``
  (the ``shapes/`` resources of DIGG's DCAT-AP-SE processor) point at local copies;
  skipped with that reason otherwise (docs/publish.md, "Official shapes").
- data.europa.eu's Metadata Quality Assessment: every indicator of its methodology
  that a record can earn offline, and the download URLs answering once served.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from helpers import TEST_MAILBOX
from samverkansgraf.devtools.official_shapes import (
    check_digg_pipeline,
    check_semic_release,
    load_shapes_files,
    shape_results,
)
from samverkansgraf.namespaces import CC0, VCARD
from samverkansgraf.publish.authorities import ACCESS_RIGHT, FILE_TYPE, IANA
from samverkansgraf.publish.server import running_site_server

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "shapes" / "dcat-ap" / "dcat-ap-SHACL.jsonld"
SEMIC_RELEASE = os.environ.get("SAMVERKANSGRAF_DCAT_AP_RELEASE")
DIGG_SHAPES = os.environ.get("SAMVERKANSGRAF_DCAT_AP_SE_SHAPES")
SHACL = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def record(published: tuple[Path, str]) -> Graph:
    """The catalogue record of the real data (RDF/XML, as the portals harvest it)."""
    site, _ = published
    graph = Graph().parse(site / "dcat.rdf", format="xml")
    assert graph.isomorphic(Graph().parse(site / "dcat.ttl"))
    assert graph.isomorphic(Graph().parse(site / "dcat.jsonld", format="json-ld"))
    return graph


def test_vendored_shapes_are_the_pinned_file() -> None:
    digest = hashlib.sha256(VENDORED.read_bytes()).hexdigest()
    licence = (VENDORED.parent / "LICENSE.md").read_text("utf-8")
    assert f"file sha256: `{digest}`" in licence
    script = (ROOT / "scripts" / "refresh_dcat_ap_shacl.py").read_text("utf-8")
    wheel = re.search(r'WHEEL_SHA256 = "([0-9a-f]{64})"', script)
    assert wheel and f"wheel sha256: `{wheel.group(1)}`" in licence
    # SEMIC's 3.0.0 shapes: 1,968 triples, node shapes for every DCAT-AP class.
    shapes = load_shapes_files(VENDORED)
    assert len(shapes) == 1968
    targets = {str(c) for c in shapes.objects(None, URIRef(str(SHACL) + "targetClass"))}
    assert {str(DCAT.Catalog), str(DCAT.Dataset), str(DCAT.Distribution)} <= targets


def test_record_meets_dcat_ap_3(record: Graph) -> None:
    results = shape_results(record, load_shapes_files(VENDORED))
    assert results == [], "\n".join(r.line() for r in results)


def test_a_literal_format_fails_dcat_ap_3(record: Graph) -> None:
    """The record of main before issue 17 gave dcterms:format as a literal."""
    broken = Graph()
    broken += record
    dist = next(broken.subjects(RDF.type, DCAT.Distribution))
    broken.set((dist, DCTERMS.format, URIRef("text/turtle")))
    broken.remove((IANA["text/turtle"], RDF.type, DCTERMS.MediaType))
    results = shape_results(broken, load_shapes_files(VENDORED))
    assert {r.path for r in results} >= {str(DCTERMS.format), str(DCAT.mediaType)}


@pytest.mark.skipif(
    not SEMIC_RELEASE,
    reason="set SAMVERKANSGRAF_DCAT_AP_RELEASE to a local copy of SEMIC's "
    "DCAT-AP release folder (no package registry carries it)",
)
def test_record_meets_every_semic_shape_set(record: Graph) -> None:
    sets = check_semic_release(record, str(SEMIC_RELEASE))
    assert "shacl/dcat-ap-SHACL.ttl" in sets
    violations = [
        f"{name}: {r.line()}"
        for name, results in sets.items()
        for r in results
        if r.severity == "Violation"
    ]
    assert violations == [], "\n".join(violations)


@pytest.mark.skipif(
    not DIGG_SHAPES,
    reason="set SAMVERKANSGRAF_DCAT_AP_SE_SHAPES to a local copy of DIGG's "
    "DCAT-AP-SE validation shapes (no package registry carries them)",
)
def test_record_meets_diggs_dcat_ap_se_pipeline(record: Graph) -> None:
    results = check_digg_pipeline(record, str(DIGG_SHAPES))
    assert results == [], "\n".join(r.line() for r in results)


@pytest.mark.skipif(
    not DIGG_SHAPES,
    reason="set SAMVERKANSGRAF_DCAT_AP_SE_SHAPES to compare the labels with "
    "the EU tables it holds",
)
def test_concept_labels_are_the_eu_tables_own(record: Graph) -> None:
    tables = Graph()
    for path in sorted((Path(str(DIGG_SHAPES)) / "vocabularies").glob("*.rdf")):
        tables.parse(path, format="xml")
    checked = 0
    for concept, label in record.subject_objects(SKOS.prefLabel):
        official = set(tables.objects(concept, SKOS.prefLabel))
        if official:
            assert label in official, (concept, label)
            checked += 1
    assert checked >= 6  # three themes and the access right, sv and en


# --- data.europa.eu's Metadata Quality Assessment ------------------------------
# The methodology's indicators and weights (data.europa.eu/mqa/methodology):
# dimension → indicator → points; 405 in all, "Excellent" from 351.
MQA = {
    "findability": {"keyword": 30, "theme": 30, "spatial": 20, "temporal": 20},
    "accessibility": {"accessURL": 50, "downloadURL": 20, "downloadURL answers": 30},
    "interoperability": {
        "format": 20,
        "mediaType": 10,
        "format/mediaType from vocabulary": 10,
        "non-proprietary": 20,
        "machine-readable": 20,
        "DCAT-AP compliance": 30,
    },
    "reusability": {
        "licence": 20,
        "licence from vocabulary": 10,
        "access restrictions": 10,
        "access restrictions from vocabulary": 5,
        "contact point": 20,
        "publisher": 10,
    },
    "contextuality": {"rights": 5, "byte size": 5, "issued": 5, "modified": 5},
}
# The EU file types data.europa.eu counts as non-proprietary and machine-readable
# (its vocabularies, checked by hand against a copy of them for these codes).
OPEN_MACHINE_READABLE = {
    FILE_TYPE[code]
    for code in (
        "RDF_TURTLE",
        "RDF_TRIG",
        "RDF_N_QUADS",
        "RDF_N_TRIPLES",
        "RDF_XML",
        "JSON_LD",
        "JSON",
    )
}


def mqa_indicators(record: Graph, answers: dict[str, int]) -> dict[str, bool]:
    """Each offline-decidable indicator, earned or not, for the record's dataset
    and every distribution; ``answers`` gives the HTTP status of each URL."""
    dataset = next(record.subjects(RDF.type, DCAT.Dataset))
    dists = list(record.objects(dataset, DCAT.distribution))
    assert dists

    def every(predicate) -> bool:  # type: ignore[no-untyped-def]
        return all(predicate(d) for d in dists)

    def has(node, prop) -> bool:  # type: ignore[no-untyped-def]
        return (node, prop, None) in record

    def in_scheme(value, scheme: str) -> bool:  # type: ignore[no-untyped-def]
        return (value, SKOS.inScheme, URIRef(scheme)) in record

    formats = [record.value(d, DCTERMS.format) for d in dists]
    media = [record.value(d, DCAT.mediaType) for d in dists]
    shapes = load_shapes_files(VENDORED)
    return {
        "keyword": has(dataset, DCAT.keyword),
        "theme": has(dataset, DCAT.theme),
        "spatial": has(dataset, DCTERMS.spatial),
        "temporal": has(dataset, DCTERMS.temporal),
        "accessURL": every(
            lambda d: answers.get(str(record.value(d, DCAT.accessURL))) == 200
        ),
        "downloadURL": every(lambda d: has(d, DCAT.downloadURL)),
        "downloadURL answers": every(
            lambda d: answers.get(str(record.value(d, DCAT.downloadURL))) == 200
        ),
        "format": every(lambda d: has(d, DCTERMS.format)),
        "mediaType": every(lambda d: has(d, DCAT.mediaType)),
        "format/mediaType from vocabulary": all(
            in_scheme(f, str(FILE_TYPE).rstrip("/")) for f in formats
        )
        and all(str(m).startswith(str(IANA)) for m in media),
        "non-proprietary": set(formats) <= OPEN_MACHINE_READABLE,
        "machine-readable": set(formats) <= OPEN_MACHINE_READABLE,
        "DCAT-AP compliance": shape_results(record, shapes) == [],
        "licence": every(lambda d: has(d, DCTERMS.license)),
        "licence from vocabulary": every(
            lambda d: record.value(d, DCTERMS.license) == CC0
        ),
        "access restrictions": has(dataset, DCTERMS.accessRights),
        "access restrictions from vocabulary": in_scheme(
            record.value(dataset, DCTERMS.accessRights),
            str(ACCESS_RIGHT).rstrip("/"),
        ),
        "contact point": has(dataset, DCAT.contactPoint),
        "publisher": has(dataset, DCTERMS.publisher),
        "rights": every(lambda d: has(d, DCTERMS.rights)),
        "byte size": every(lambda d: has(d, DCAT.byteSize)),
        "issued": has(dataset, DCTERMS.issued)
        and every(lambda d: has(d, DCTERMS.issued)),
        "modified": has(dataset, DCTERMS.modified)
        and every(lambda d: has(d, DCTERMS.modified)),
    }


def mqa_score(earned: dict[str, bool]) -> int:
    """Points of the earned indicators (the methodology's weights)."""
    return sum(
        points
        for indicators in MQA.values()
        for name, points in indicators.items()
        if earned[name]
    )


def test_mqa_weights_add_up_to_the_methodology() -> None:
    assert sum(sum(d.values()) for d in MQA.values()) == 405


def test_record_earns_every_offline_mqa_indicator(record: Graph) -> None:
    earned = mqa_indicators(record, {})
    missing = [name for name, ok in earned.items() if not ok]
    # Without the web, only the two "answers" indicators cannot be earned.
    assert missing == ["accessURL", "downloadURL answers"]
    assert mqa_score(earned) == 405 - 50 - 30


@pytest.mark.network
def test_record_earns_excellent_once_served(
    published: tuple[Path, str], record: Graph
) -> None:
    site, _ = published
    base = "https://w3id.org/samverkansgraf/"
    answers = {}
    with running_site_server(site) as local:
        for url in {str(o) for o in record.objects() if str(o).startswith(base)}:
            if "/download/" not in url:
                continue
            local_url = local + url[len(base) :]
            with urllib.request.urlopen(local_url, timeout=30) as answer:
                answers[url] = answer.status
    earned = mqa_indicators(record, answers)
    assert all(earned.values()), [n for n, ok in earned.items() if not ok]
    assert mqa_score(earned) == 405


def test_record_has_the_configured_mailbox_and_no_other(record: Graph) -> None:
    contact = next(record.objects(None, DCAT.contactPoint))
    assert set(record.objects(contact, VCARD.hasEmail)) == {
        URIRef(f"mailto:{TEST_MAILBOX}")
    }
    text = record.serialize(format="nt")
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]+", text) == [TEST_MAILBOX]
