"""Facts of source 004 (Region Örebro län, Handlingsplan för kultursamverkan
region/kommun 2020–2023) as read from the text, checked against the built graph.

Every expected value below was read off the source by hand; a change to the
curated data that contradicts the text makes one of these fail.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from samverkansgraf.build import AssembledDataset
from samverkansgraf.namespaces import OA, SKG, SKGID

PLAN = SKGID["plan/orebro-handlingsplan-kultursamverkan-2020-2023"]
DOCUMENT = SKGID["document/orebro-handlingsplan-kultursamverkan-2020-2023"]
REGION = SKGID["region/18"]
PREFIXES = """
PREFIX skg: <https://w3id.org/samverkansgraf/ontology#>
PREFIX skgid: <https://w3id.org/samverkansgraf/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# Örebro län's municipalities by name, for readable expectations.
CODES = {
    "Lekeberg": "1814",
    "Laxå": "1860",
    "Hallsberg": "1861",
    "Degerfors": "1862",
    "Hällefors": "1863",
    "Ljusnarsberg": "1864",
    "Örebro": "1880",
    "Kumla": "1881",
    "Askersund": "1882",
    "Karlskoga": "1883",
    "Nora": "1884",
    "Lindesberg": "1885",
}


def activity(number: int) -> URIRef:
    return SKGID[f"activity/orebro-handlingsplan-2020-2023/{number:02d}"]


def kommuner(*names: str) -> set[URIRef]:
    return {SKGID[f"kommun/{CODES[name]}"] for name in names}


def person(slug: str) -> URIRef:
    return SKGID[f"person/{slug}"]


def objects(graph: Graph, subject: URIRef, prop: URIRef) -> set:
    return set(graph.objects(subject, prop))


# --- the document and the plan ------------------------------------------------------


def test_document_metadata(union: Graph) -> None:
    assert (DOCUMENT, RDF.type, SKG.SourceDocument) in union
    assert str(union.value(DOCUMENT, SKG.fileName)) == "004_ebdeabd1e232db28.txt"
    identifier = union.value(DOCUMENT, URIRef("http://purl.org/dc/terms/identifier"))
    assert str(identifier) == "20RS9126"
    date = union.value(DOCUMENT, URIRef("http://purl.org/dc/terms/date"))
    assert date == Literal("2020-10-29", datatype=XSD.date)
    publisher = URIRef("http://purl.org/dc/terms/publisher")
    assert objects(union, DOCUMENT, publisher) == {REGION}


def test_plan_period_version_and_basis(union: Graph) -> None:
    assert (PLAN, RDF.type, SKG.Plan) in union
    assert union.value(PLAN, SKG.startYear) == Literal("2020", datatype=XSD.gYear)
    assert union.value(PLAN, SKG.endYear) == Literal("2023", datatype=XSD.gYear)
    assert str(union.value(PLAN, URIRef("https://schema.org/version"))) == "1"
    assert objects(union, PLAN, SKG.basedOn) == {
        SKGID["plan/orebro-lans-kulturplan-2020-2023"],
        SKGID["plan/orebro-lan-regional-utvecklingsstrategi-2018-2030"],
    }


def test_plan_evidence_includes_dnr_and_date(union: Graph) -> None:
    exacts = {
        " ".join(str(exact).split())
        for evidence in union.objects(PLAN, SKG.evidence)
        for selector in union.objects(evidence, OA.hasSelector)
        for exact in union.objects(selector, OA.exact)
    }
    assert "Dnr 20RS9126" in exacts
    assert "Anette Granberg 2020-10-29" in exacts
    assert "Version: 1, Extern rapport" in exacts


# --- goals and activities ------------------------------------------------------------


def test_three_goals_numbered_1_to_3(union: Graph) -> None:
    goals = set(union.subjects(RDF.type, SKG.Goal))
    ours = {
        g for g in goals if str(g).startswith(str(SKGID["goal/orebro-handlingsplan"]))
    }
    assert len(ours) == 3
    assert {str(union.value(g, SKG.number)) for g in ours} == {"1", "2", "3"}
    for goal in ours:
        assert union.value(goal, SKG.evidence) is not None


def test_goal_2_is_culture_and_health(union: Graph) -> None:
    goal = SKGID["goal/orebro-handlingsplan-2020-2023/2"]
    assert "kultur och hälsa" in str(union.value(goal, SKOS.definition))


def test_eighteen_activities_in_document_order(union: Graph) -> None:
    found = set(union.subjects(SKG.partOfPlan, PLAN))
    assert found == {activity(n) for n in range(1, 19)}
    for n in range(1, 19):
        assert (activity(n), RDF.type, SKG.Activity) in union
        assert union.value(activity(n), SKG.evidence) is not None
        assert str(union.value(activity(n), SKG.followUp)) == "Årlig uppföljning"
        assert union.value(activity(n), SKG.completionYear) == Literal(
            "2023", datatype=XSD.gYear
        )


def test_start_terms(union: Graph) -> None:
    terms = {n: str(union.value(activity(n), SKG.startTerm)) for n in range(1, 19)}
    assert {n for n, t in terms.items() if t == "Ht 2020"} == set(range(1, 13))
    assert {n for n, t in terms.items() if t == "Ht 2021"} == set(range(13, 19))


def test_activities_per_goal(union: Graph) -> None:
    def under(goal: int) -> set[int]:
        iri = SKGID[f"goal/orebro-handlingsplan-2020-2023/{goal}"]
        return {
            n for n in range(1, 19) if (activity(n), SKG.contributesTo, iri) in union
        }

    assert under(1) == {1, 2, 3, 4, 7, 8, 9, 13, 14}
    assert under(2) == {10, 15, 16}
    assert under(3) == {5, 6, 11, 12, 17, 18}


def test_activities_per_section(union: Graph) -> None:
    part_of = URIRef("http://purl.org/dc/terms/isPartOf")
    for section, numbers in ((5, range(1, 7)), (6, range(7, 13)), (7, range(13, 19))):
        iri = SKGID[f"section/orebro-handlingsplan-2020-2023/{section}"]
        assert {n for n in range(1, 19) if (activity(n), part_of, iri) in union} == set(
            numbers
        )


def test_headings_as_printed(union: Graph) -> None:
    assert str(union.value(activity(2), SKG.heading)) == (
        "Utveckling av transporter till kultur"
    )
    # printed with a trailing comma
    assert str(union.value(activity(17), SKG.heading)) == (
        "Ökad samverkan mellan kommuner, utvecklingsledare,"
    )
    assert str(union.value(activity(13), SKG.heading)) == (
        "Ökade kunskaper – dela erfarenheter"
    )


# --- participation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (
            1,
            kommuner(
                "Lindesberg",
                "Laxå",
                "Ljusnarsberg",
                "Örebro",
                "Hallsberg",
                "Lekeberg",
                "Kumla",
                "Karlskoga",
                "Hällefors",
            )
            | {REGION},
        ),
        (
            2,  # "Lindsberg" in the source
            kommuner(
                "Hallsberg",
                "Lindesberg",
                "Ljusnarsberg",
                "Laxå",
                "Nora",
                "Kumla",
                "Örebro",
                "Lekeberg",
                "Hällefors",
            )
            | {REGION},
        ),
        (3, kommuner(*(set(CODES) - {"Degerfors"})) | {REGION}),
        (
            5,
            kommuner(
                "Hallsberg", "Hällefors", "Lindesberg", "Ljusnarsberg", "Laxå", "Nora"
            )
            | {REGION, SKGID["actor/kulturinstitutioner-orebro-lan"]},
        ),
        (
            6,
            kommuner("Örebro", "Askersund")
            | {
                REGION,
                SKGID["actor/lansmusiken-orebro-lan"],
                SKGID["actor/kulturkvarteret-orebro"],
            },
        ),
        (8, kommuner("Örebro", "Hallsberg", "Askersund") | {REGION}),
        (11, kommuner("Hallsberg", "Hällefors")),
        (12, kommuner("Hällefors", "Karlskoga")),
        (
            13,
            kommuner(
                "Hallsberg", "Ljusnarsberg", "Laxå", "Kumla", "Lindesberg", "Lekeberg"
            ),
        ),
        (14, kommuner("Askersund", "Hallsberg", "Karlskoga", "Örebro")),
        (15, kommuner("Hallsberg", "Karlskoga")),
        (16, kommuner("Lindesberg", "Kumla", "Lekeberg") | {REGION}),
        (17, kommuner("Hällefors", "Lindesberg", "Ljusnarsberg", "Laxå") | {REGION}),
        (18, kommuner("Laxå", "Ljusnarsberg", "Kumla")),
    ],
)
def test_exact_participants(union: Graph, number: int, expected: set[URIRef]) -> None:
    assert objects(union, activity(number), SKG.participant) == expected


def test_degerfors_takes_part_in_no_activity(union: Graph) -> None:
    rows = union.query(
        PREFIXES
        + f"""
        SELECT ?kommun WHERE {{
            ?kommun skg:inRegion <{REGION}> .
            FILTER NOT EXISTS {{
                ?activity skg:partOfPlan <{PLAN}> ; skg:participant ?kommun .
            }}
        }}"""
    )
    assert {row[0] for row in rows} == kommuner("Degerfors")


def test_activity_counts_per_actor(union: Graph) -> None:
    def count(actor: URIRef) -> int:
        return sum(
            1 for n in range(1, 19) if (activity(n), SKG.participant, actor) in union
        )

    assert count(SKGID["kommun/1861"]) == 12  # Hallsberg
    assert count(REGION) == 12
    assert count(SKGID["kommun/1882"]) == 4  # Askersund: 03, 06, 08, 14
    assert count(SKGID["kommun/1884"]) == 6  # Nora: 02, 03, 04, 05, 07, 09
    assert count(SKGID["kommun/1862"]) == 0  # Degerfors


def test_lindsberg_is_lindesberg(union: Graph) -> None:
    lindesberg = SKGID["kommun/1885"]
    assert Literal("Lindsberg", lang="sv") in objects(union, lindesberg, SKOS.altLabel)
    for number in (2, 3, 4):
        assert (activity(number), SKG.participant, lindesberg) in union
    municipalities = set(union.subjects(RDF.type, SKG.Municipality))
    assert len(municipalities) == 290


def test_unresolved_entries_are_notes_not_participants(union: Graph) -> None:
    note6 = " ".join(str(n) for n in union.objects(activity(6), SKOS.note))
    assert "Norra länsdelen?" in note6
    note15 = " ".join(str(n) for n in union.objects(activity(15), SKOS.note))
    assert "ungdomsmottagning" in note15
    for number in (6, 15):
        for actor in union.objects(activity(number), SKG.participant):
            label = " ".join(
                str(x) for x in union.objects(actor, None) if isinstance(x, Literal)
            )
            assert "norra" not in label.lower()
            assert "ungdomsmottagning" not in label


# --- convenors, coordinators and persons ---------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, {person("maria-gille")}),
        (2, {person("ulrika-johansson"), person("katarina-stromgren-sandh")}),
        (3, {person("daniel-eriksson")}),
        (4, {person("andreas-lundholm")}),
        (8, {person("katarina-stromgren-sandh")}),  # printed "Katarina Strömgren"
        (9, {person("anna-nordlund")}),
        (12, {person("katarina-stromgren-sandh")}),  # printed "Strömberg Sandh"
        (13, {person("thomas-dahlberg")}),
        (15, {person("maria-motin")}),
        (16, {person("anette-granberg")}),
        (17, {SKGID["network/arbetsgrupp-kulturkraft"], person("lena-backlund")}),
        (18, {person("thomas-dahlberg")}),  # printed "Tomas Dahlberg"
    ],
)
def test_convenors(union: Graph, number: int, expected: set[URIRef]) -> None:
    assert objects(union, activity(number), SKG.convenor) == expected


def test_strömgren_sandh_variants_are_one_person(union: Graph) -> None:
    matches = {
        s
        for s, _, o in union.triples((None, None, None))
        if (s, RDF.type, SKG.Person) in union
        and isinstance(o, Literal)
        and str(o).startswith("Katarina Ström")
    }
    assert matches == {person("katarina-stromgren-sandh")}
    labels = {
        str(o) for o in union.objects(person("katarina-stromgren-sandh"), SKOS.altLabel)
    }
    assert labels == {"Katarina Strömberg Sandh", "Katarina Strömgren"}
    assert (
        union.value(person("katarina-stromgren-sandh"), SKOS.editorialNote) is not None
    )
    convened = {
        n
        for n in range(1, 19)
        if (activity(n), SKG.convenor, person("katarina-stromgren-sandh")) in union
    }
    assert convened == {2, 5, 6, 7, 8, 11, 12}


def test_dahlberg_variants_are_one_person(union: Graph) -> None:
    persons = {
        s
        for s in union.subjects(RDF.type, SKG.Person)
        if any("Dahlberg" in str(o) for o in union.objects(s, None))
    }
    assert persons == {person("thomas-dahlberg")}
    dahlberg = person("thomas-dahlberg")
    assert Literal("Tomas Dahlberg") in objects(union, dahlberg, SKOS.altLabel)
    assert union.value(dahlberg, SKOS.editorialNote) is not None


def test_coordinators_and_roles(union: Graph) -> None:
    assert objects(union, activity(6), SKG.coordinator) == {
        SKGID["network/tjanstemannastodet-orebro-lan"],
        person("karin-beckman"),
        person("daniel-eriksson"),
        person("anna-nordlund"),
        person("katarina-stromgren-sandh"),
    }
    roles = {str(r) for r in union.objects(activity(14), SKG.coordinatorRole)}
    assert roles == {"Kulturchef", "Skolchef"}
    assert objects(union, activity(16), SKG.coordinator) == {
        person("gertrud-astrand"),
        person("anette-granberg"),
    }


def test_fourteen_persons_without_contact_data(union: Graph) -> None:
    ours = {
        s
        for s in union.subjects(RDF.type, SKG.Person)
        if any(
            s in union.objects(a, SKG.coordinator) for a in map(activity, range(1, 19))
        )
    }
    assert len(ours) == 14
    for who in ours:
        for _, value in union.predicate_objects(who):
            assert "@" not in str(value)


def test_documentation_commitment_binds_exactly_the_convenors(union: Graph) -> None:
    commitment = SKGID["commitment/orebro-handlingsplan-2020-2023/1-2"]
    convenors = {
        c for n in range(1, 19) for c in union.objects(activity(n), SKG.convenor)
    }
    assert objects(union, commitment, SKG.committedBy) == convenors
    assert union.value(commitment, SKG.modality) == SKG.Shall


# --- evidence ----------------------------------------------------------------------


def test_split_first_row_has_both_parts_as_evidence(
    assembled: AssembledDataset,
) -> None:
    graph = assembled.graphs[DOCUMENT]
    text = assembled.texts[DOCUMENT]
    spans = []
    for evidence in graph.objects(activity(1), SKG.evidence):
        for selector in graph.objects(evidence, OA.hasSelector):
            start = graph.value(selector, OA.start)
            if start is not None:
                spans.append(text[int(start) : int(graph.value(selector, OA.end))])
    joined = [" ".join(s.split()) for s in spans]
    assert "Kulturkraft genom Lena Backlund Hällefors Region" in joined
    assert any(s.startswith("<b>Gemensam kompetensutveckling") for s in joined)


def test_activity_row_evidence_names_its_convenor(assembled: AssembledDataset) -> None:
    graph = assembled.graphs[DOCUMENT]
    exacts = {
        n: " ".join(
            str(e)
            for ev in graph.objects(activity(n), SKG.evidence)
            for sel in graph.objects(ev, OA.hasSelector)
            for e in graph.objects(sel, OA.exact)
        )
        for n in range(1, 19)
    }
    assert "<b>Katarina Strömberg Sandh</b>" in exacts[12]
    assert "<b>Tomas Dahlberg</b>" in exacts[18]
    assert "Norra länsdelen?" in exacts[6]
