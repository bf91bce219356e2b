"""Profile pages of municipalities and regions (issue 20).

Expected values are computed from the graph (rdflib over the assembled dataset)
or stated from the source documents, never copied from the pages: the curated
data may grow (issue 18) and the assertions stay true.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from browser import chromium_driver, needs_browser
from helpers import published_with_limit
from samverkansgraf.build import AssembledDataset
from samverkansgraf.namespaces import SKG, SKGID
from samverkansgraf.network import compare_agreements
from samverkansgraf.publish.profiles import profile_path
from samverkansgraf.publish.server import running_site_server

HEDEMORA = SKGID["kommun/2083"]
SMEDJEBACKEN = SKGID["kommun/2061"]
HALLSBERG = SKGID["kommun/1861"]
DALARNA = SKGID["region/20"]


class _Page(HTMLParser):
    """Text by section id, links with their text, and the h1."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.sections: dict[str, str] = {}
        self._section = ""
        self._href: str | None = None
        self._text: list[str] = []
        self._in_h1 = False
        self.h1 = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "h2" and values.get("id"):
            self._section = str(values["id"])
        if tag == "a":
            self._href, self._text = values.get("href"), []
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self.sections[self._section] = self.sections.get(self._section, "") + data
        if self._href is not None:
            self._text.append(data)
        if self._in_h1:
            self.h1 += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def _named_in_documents(assembled: AssembledDataset) -> set[URIRef]:
    """Municipalities and regions some source document's graph mentions."""
    union = assembled.union()
    kinds = {SKG.Municipality, SKG.Region}
    found = set()
    for document in assembled.documents:
        graph = assembled.graphs[document.document]
        for s, _, o in graph:
            for node in (s, o):
                if isinstance(node, URIRef) and any(
                    (node, RDF.type, k) in union for k in kinds
                ):
                    found.add(node)
    return found


def test_every_municipality_and_region_of_a_document_has_a_profile(
    published_site: Path, assembled: AssembledDataset
) -> None:
    named = _named_in_documents(assembled)
    assert {HEDEMORA, SMEDJEBACKEN, HALLSBERG, DALARNA, SKGID["region/18"]} <= named
    pages = {
        p.relative_to(published_site).as_posix()
        for p in (published_site / "profil").rglob("*.html")
    }
    assert pages == {str(profile_path(str(n))) for n in named} | {"profil/index.html"}
    # Degerfors is named by no document (query 13's isolate): no profile.
    assert not (published_site / "profil/kommun/1862.html").exists()


def test_profiles_are_linked_from_resource_pages_class_indexes_and_home(
    published_site: Path,
) -> None:
    resource = _parse(published_site / "id/kommun/2083.html")
    assert ("../../profil/kommun/2083.html") in [h for h, _ in resource.links]
    index = _parse(published_site / "classes/skg-Municipality.html")
    assert ("../profil/kommun/2083.html", "Hedemora kommun") in index.links
    regions = _parse(published_site / "classes/skg-Region.html")
    assert ("../profil/region/20.html", "Region Dalarna") in regions.links
    home = _parse(published_site / "index.html")
    assert "profil/index.html" in [h for h, _ in home.links]
    listing = _parse(published_site / "profil/index.html")
    assert ("kommun/2083.html", "Hedemora kommun") in listing.links


def test_hedemora_profile_states_what_the_graph_holds(
    published_site: Path, union: Graph
) -> None:
    path = published_site / "profil/kommun/2083.html"
    page = _parse(path)
    assert page.h1 == "Hedemora kommun"
    # Its agreement: period and counterpart as printed in the source (000).
    agreements = page.sections["overenskommelser"]
    assert "2019–2022" in agreements and "Region Dalarna" in agreements
    # The commitments it makes, counted from the graph, by modality.
    mine = set(union.subjects(SKG.committedBy, HEDEMORA))
    text = re.sub(r"\s+", " ", page.sections["ataganden"])
    assert f"commitments ({len(mine)})" in text
    modalities = Counter(union.value(c, SKG.modality) for c in mine)
    assert len(modalities) >= 4
    for modality, count in modalities.items():
        label = next(
            str(v)
            for v in union.objects(modality, SKOS.prefLabel)
            if v.language == "sv"
        )
        # The group heading, e.g. "ska shall (5)".
        assert re.search(rf"{re.escape(label)} [a-z ]+ \({count}\)", text), label
    # Every commitment links to its own page at its evidence.
    linked = {
        unquote(urlsplit(href).path)
        for href, _ in page.links
        if "/commitment/" in href and href.endswith("#evidence")
    }
    expected = {f"../../id/{str(c).removeprefix(str(SKGID))}.html" for c in mine}
    assert expected <= linked
    for href, _ in page.links:
        if not re.match(r"^[a-z]+:", href) and not href.startswith("#"):
            target = (path.parent / unquote(urlsplit(href).path)).resolve()
            assert target.is_file(), href
    # No activity in the documents (Dalarna has no action plan in them).
    assert "Deltar inte i någon aktivitet" in page.sections["aktiviteter"]


def test_hedemora_profile_compares_with_the_regions_other_agreement(
    published_site: Path, union: Graph
) -> None:
    report = compare_agreements(union)
    rows = [
        r for r in report.rows if r.agreement.endswith("agreement/hedemora-2019-2022")
    ]
    recurring = sum(r.status == "recurring" for r in rows)
    local = sum(r.status == "local" for r in rows)
    assert recurring and local
    section = re.sub(
        r"\s+",
        " ",
        _parse(published_site / "profil/kommun/2083.html").sections["jamforelse"],
    )
    assert f"shared with the regional template ({recurring})" in section
    assert f"only in this agreement ({local})" in section
    assert "Smedjebackens kommun och Region Dalarna" in section
    # KORDA support is only in Hedemora's agreement (README, `compare`).
    assert "KORDA" in section.split("only in this agreement")[1]


def test_a_region_of_many_agreements_counts_the_others_and_links_their_list(
    publishable, union: Graph, tmp_path: Path, monkeypatch
) -> None:
    """Past ``OTHERS_LISTED`` the paragraph of each agreement counts the
    region's other agreements and links to the list on the region's profile
    (naming them all in each paragraph made a national region's profile
    18 MB); at or under it, they are named (the test above)."""
    site = published_with_limit(
        publishable, tmp_path / "site", monkeypatch, "profiles.OTHERS_LISTED", 0
    )
    hedemora = _parse(site / "profil/kommun/2083.html")
    section = re.sub(r"\s+", " ", hedemora.sections["jamforelse"])
    others = [
        a
        for a in compare_agreements(union).agreements[str(DALARNA)]
        if not a.endswith("agreement/hedemora-2019-2022")
    ]
    plural = "r" if len(others) != 1 else ""
    counted = f"regionens {len(others)} andra överenskommelse{plural}"
    assert f"jämförda ord för ord med dess åtaganden i {counted} (Jaccard" in section
    assert "Smedjebackens kommun och Region Dalarna" not in section
    targets = [href for href, text in hedemora.links if text == counted]
    assert targets == ["../region/20.html#overenskommelser"]
    region = _parse(site / "profil/region/20.html")
    listed = re.sub(r"\s+", " ", region.sections["overenskommelser"])
    assert "Smedjebackens kommun och Region Dalarna" in listed


def test_smedjebacken_profile_shows_signatories_as_the_source_prints_them(
    published_site: Path,
) -> None:
    section = re.sub(
        r"\s+",
        " ",
        _parse(published_site / "profil/kommun/2061.html").sections["overenskommelser"],
    )
    # 001: signed in Smedjebacken 2019-10-29 by Vanja Larsson; the region's
    # signatory's name is garbled in the source and is not guessed.
    assert (
        "Vanja Larsson, Ordförande kulturnämnden (Smedjebacken 2019-10-29)" in section
    )
    assert "namnet oläsligt i källan" in section
    assert "(Falun 2019-10-09)" in section


def test_hallsberg_profile_lists_its_activities_and_network_place(
    published_site: Path, union: Graph
) -> None:
    page = _parse(published_site / "profil/kommun/1861.html")
    activities = set(union.subjects(SKG.participant, HALLSBERG))
    section = re.sub(r"\s+", " ", page.sections["aktiviteter"])
    assert f"action-plan activities ({len(activities)})" in section
    linked = {h for h, _ in page.links if "/activity/" in h and h.endswith("#evidence")}
    assert len(linked) == len(activities)
    network = re.sub(r"\s+", " ", page.sections["natverk"])
    # README: Hallsberg has the highest weighted degree of the municipality
    # graph; its degree (10 partners) is shared with ten others of Örebro län.
    assert "kommunnätverket" in network and "av 12" in network


@pytest.mark.browser
@pytest.mark.network
@needs_browser
def test_every_profile_opens_in_a_browser(published_site: Path) -> None:
    listing = _parse(published_site / "profil/index.html")
    targets = [h for h, _ in listing.links if h.startswith(("kommun/", "region/"))]
    assert len(targets) >= 20
    with running_site_server(published_site) as base:
        with chromium_driver(window="1200,1600") as driver:
            for href in targets:
                driver.get(base + "profil/" + href)
                h1 = driver.find_element("tag name", "h1").text
                assert h1 and h1 == dict((h, t) for h, t in listing.links)[href]
                for anchor in ("overenskommelser", "ataganden", "natverk"):
                    assert driver.find_elements("id", anchor), (href, anchor)
            driver.get(base + "profil/kommun/2083.html")
            shot = Path(__file__).parent / "artefacts" / "profile-hedemora.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(shot))
            import os

            if os.environ.get("SAMVERKANSGRAF_UPDATE_SCREENSHOT"):
                from PIL import Image

                target = (
                    Path(__file__).parents[1] / "docs" / "img" / "profile-hedemora.png"
                )
                Image.open(shot).convert("RGB").quantize(colors=64).save(
                    target, optimize=True
                )
