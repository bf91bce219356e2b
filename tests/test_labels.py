"""labels.py: the one label rule and the one natural sort (issue 14), with the
cases where the earlier copies disagreed."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from samverkansgraf.build import AssembledDataset
from samverkansgraf.labels import (
    find_label,
    local_name,
    names_of,
    natural_key,
    preferred_label,
)
from samverkansgraf.namespaces import SKG, SKGID
from samverkansgraf.publish.pages import SiteIndex, SiteLabels

ROOT = Path(__file__).resolve().parents[1]
NODE = SKGID["actor/exempel"]


def _graph(*pairs: tuple[URIRef, Literal]) -> Graph:
    graph = Graph()
    for prop, value in pairs:
        graph.add((NODE, prop, value))
    return graph


def test_natural_key_orders_numbers_by_value() -> None:
    names = ["Avsnitt 10", "Avsnitt 2", "Avsnitt 1", "Avsnitt 1b"]
    assert sorted(names, key=natural_key) == [
        "Avsnitt 1",
        "Avsnitt 1b",
        "Avsnitt 2",
        "Avsnitt 10",
    ]
    iris = [SKGID["activity/x/10"], SKGID["activity/x/9"]]
    assert sorted(iris, key=natural_key) == [SKGID["activity/x/9"], iris[0]]


def test_natural_key_is_case_blind_where_the_copies_disagreed() -> None:
    # release.py and network.py compared case-sensitively (every capital before
    # every small letter, as plain sorted() does); publish.py case-blind. The
    # site's order is the one kept.
    names = ["beta", "alfa 9", "Gamma", "Alfa 10"]
    assert sorted(names, key=natural_key) == ["alfa 9", "Alfa 10", "beta", "Gamma"]
    assert sorted(names) == ["Alfa 10", "Gamma", "alfa 9", "beta"]


def test_natural_key_breaks_case_ties_so_input_order_does_not_matter() -> None:
    assert sorted(["b", "B", "a"], key=natural_key) == ["a", "B", "b"]
    assert sorted(["B", "b", "a"], key=natural_key) == ["a", "B", "b"]


def test_the_wanted_language_wins_then_property_priority() -> None:
    graph = _graph(
        (SKOS.prefLabel, Literal("Föredragen", lang="sv")),
        (RDFS.label, Literal("Label", lang="en")),
    )
    assert preferred_label(graph, NODE) == "Föredragen"
    assert preferred_label(graph, NODE, "en") == "Label"
    graph.add((NODE, RDFS.label, Literal("Etikett", lang="sv")))
    assert preferred_label(graph, NODE) == "Etikett"


def test_within_a_property_the_alphabetically_first_value_wins() -> None:
    graph = _graph(
        (RDFS.label, Literal("Örebro", lang="sv")),
        (RDFS.label, Literal("Arboga", lang="sv")),
    )
    assert preferred_label(graph, NODE) == "Arboga"


def test_fallbacks_any_language_then_the_local_name() -> None:
    assert preferred_label(Graph(), NODE) == "exempel"
    assert local_name(URIRef("https://w3id.org/samverkansgraf/ontology#Plan")) == "Plan"
    graph = _graph((SKOS.prefLabel, Literal("Example", lang="en")))
    assert preferred_label(graph, NODE) == "Example"
    assert find_label(graph, NODE, "sv", any_language=False) is None


def test_any_language_fallback_follows_property_priority_where_copies_disagreed(
    project_settings_site: SiteLabels,
) -> None:
    # Neither label is Swedish. namespaces.preferred_label took rdfs:label first
    # ("Zeta"); the site sorted all label values together ("Alfa"). The rule
    # kept is property priority, everywhere, so a page title and a network
    # picture name the resource alike.
    graph = _graph(
        (RDFS.label, Literal("Zeta", lang="en")),
        (SKOS.prefLabel, Literal("Alfa", lang="de")),
    )
    assert preferred_label(graph, NODE) == "Zeta"
    assert project_settings_site.label(NODE) == "Zeta"
    # English has no fallback on the site: a missing English label stays empty.
    assert project_settings_site.label(NODE, "en") == "Zeta"
    assert project_settings_site.label(SKGID["actor/utan-engelska"], "en") == ""


def test_site_reads_its_own_label_properties(project_settings_site: SiteLabels) -> None:
    document = SKGID["document/exempel"]
    assert project_settings_site.label(document) == "Ett dokument"


def test_names_of_lists_every_name_once() -> None:
    graph = _graph(
        (RDFS.label, Literal("Lindesbergs kommun", lang="sv")),
        (SKOS.altLabel, Literal("Lindesberg", lang="sv")),
        (SKOS.hiddenLabel, Literal("Lindsberg", lang="sv")),
        (SKG.formerName, Literal("Lindesbergs stad", lang="sv")),
        (SKOS.altLabel, Literal("Lindesberg")),
    )
    assert names_of(graph, NODE) == [
        "Lindesberg",
        "Lindesbergs kommun",
        "Lindesbergs stad",
        "Lindsberg",
    ]


# A tiny site over a hand-made graph, to check the site uses the shared rule.
def _site() -> SiteLabels:
    graph = Graph()
    graph.add((NODE, RDFS.label, Literal("Zeta", lang="en")))
    graph.add((NODE, SKOS.prefLabel, Literal("Alfa", lang="de")))
    graph.add((SKGID["actor/utan-engelska"], RDFS.label, Literal("Bara", lang="sv")))
    graph.add((SKGID["document/exempel"], DCTERMS.title, Literal("Ett dokument")))
    assembled = AssembledDataset(graphs={SKGID["graph/test"]: graph}, documents=[])
    return SiteLabels(SiteIndex(assembled))


@pytest.fixture(scope="module")
def project_settings_site() -> SiteLabels:
    """A site renderer's label index over a hand-made graph."""
    return _site()


def test_every_clause_and_commitment_has_a_generated_bilingual_label(
    union: Graph,
) -> None:
    """Issue #17: 21 of 21 clauses and 68 of 76 commitments had no label."""
    from rdflib.namespace import RDF

    for cls in (SKG.Clause, SKG.Commitment):
        nodes = list(union.subjects(RDF.type, cls))
        assert nodes
        assert all((n, RDFS.label, None) in union for n in nodes), cls
    clause = SKGID["clause/hedemora-2019-2022/3"]
    assert {str(label) for label in union.objects(clause, RDFS.label)} == {
        "Hedemora 2019–2022 §3: ”3 Hedemora kommun verkar för att …”"
    }
    commitment = SKGID["commitment/hedemora-2019-2022/2-1"]
    labels = {(x.language, str(x)) for x in union.objects(commitment, RDFS.label)}
    quote = "”Hedemora kommun vill tillsammans med Region …”"
    assert labels == {
        ("sv", f"Hedemora 2019–2022 §2, åtagande 1: {quote}"),
        ("en", f"Hedemora 2019–2022 §2, commitment 1: {quote}"),
    }
    smedjebacken = SKGID["clause/smedjebacken-2019-2022/4"]
    labels = {x.language: str(x) for x in union.objects(smedjebacken, RDFS.label)}
    assert labels == {
        "sv": "Smedjebacken 2019–2022, punkt 4: ”- Konstområdet bild och form är …”",
        "en": "Smedjebacken 2019–2022, item 4: ”- Konstområdet bild och form är …”",
    }
    # A curator's own label is kept.
    curated = SKGID[
        "commitment/dalarna-kultur-och-bildningsplan-2023-2026/utveckling-1"
    ]
    assert [str(x) for x in union.objects(curated, RDFS.label)] == [
        "Stödja utvecklandet av ett kommunalt chefsnätverk inom kulturområdet"
    ]
