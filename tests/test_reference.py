"""The gazetteer built from data/reference: counts, IRIs, names, links, and clear
errors for malformed CSV rows."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from samverkansgraf.errors import SourceError
from samverkansgraf.namespaces import SKG, SKGID, WD
from samverkansgraf.reference import load_gazetteer
from samverkansgraf.sources import ProjectPaths


@pytest.fixture(scope="module")
def gazetteer(project: ProjectPaths) -> Graph:
    return load_gazetteer(project.reference_dir)


def test_all_counties_regions_and_municipalities(gazetteer: Graph) -> None:
    assert len(set(gazetteer.subjects(RDF.type, SKG.County))) == 21
    assert len(set(gazetteer.subjects(RDF.type, SKG.Region))) == 21
    assert len(set(gazetteer.subjects(RDF.type, SKG.Municipality))) == 290


def test_hedemora_as_model_md_fixes_it(gazetteer: Graph) -> None:
    hedemora = SKGID["kommun/2083"]
    assert (hedemora, RDF.type, SKG.Municipality) in gazetteer
    assert gazetteer.value(hedemora, SKG.municipalityCode) == Literal("2083")
    assert gazetteer.value(hedemora, SKG.inRegion) == SKGID["region/20"]
    assert gazetteer.value(hedemora, RDFS.label) == Literal(
        "Hedemora kommun", lang="sv"
    )
    assert gazetteer.value(hedemora, OWL.sameAs) == WD["Q507684"]
    assert str(gazetteer.value(hedemora, SKG.organisationNumber)) == "212000-2254"


def test_dalarna_and_orebro_have_15_and_12_municipalities(gazetteer: Graph) -> None:
    def count(region: str) -> int:
        return len(set(gazetteer.subjects(SKG.inRegion, SKGID[region])))

    assert count("region/20") == 15
    assert count("region/18") == 12


def test_region_and_county_are_distinct_resources(gazetteer: Graph) -> None:
    region, county = SKGID["region/20"], SKGID["lan/20"]
    assert gazetteer.value(region, SKG.countyCode) == Literal("20")
    assert gazetteer.value(region, SKG.county) == county
    assert gazetteer.value(region, OWL.sameAs) == WD["Q3231325"]
    assert gazetteer.value(county, OWL.sameAs) == WD["Q103732"]
    assert str(gazetteer.value(region, RDFS.label)) == "Region Dalarna"


def test_municipality_without_official_name_keeps_short_name(gazetteer: Graph) -> None:
    vasby = SKGID["kommun/0114"]
    assert str(gazetteer.value(vasby, RDFS.label)) == "Upplands Väsby"
    assert gazetteer.value(vasby, SKG.officialName) is None


def test_malformed_code_names_file_and_line(scratch: ProjectPaths) -> None:
    path = scratch.reference_dir / "kommuner.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[0], "117", 1)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(
        SourceError, match=r"kommuner\.csv:4: kommunkod '117' is malformed"
    ):
        load_gazetteer(scratch.reference_dir)


def test_duplicated_code_is_refused(scratch: ProjectPaths) -> None:
    path = scratch.reference_dir / "kommuner.csv"
    lines = path.read_text("utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", "utf-8")
    with pytest.raises(
        SourceError, match=r"kommuner\.csv:292: municipality code 0114 occurs twice"
    ):
        load_gazetteer(scratch.reference_dir)
