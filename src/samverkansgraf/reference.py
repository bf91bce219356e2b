"""Stage 1 — reference: the gazetteer of counties, regions and municipalities.

Input: ``data/reference/lan.csv`` and ``kommuner.csv`` (SCB codes, names, Wikidata
ids, organisation numbers) plus the hand-written Turtle beside them
(``data/reference/*.ttl``: former names, shared institutions, programmes, people).
Output: one rdflib ``Graph``, the reference named graph, with IRIs exactly as
MODEL.md fixes them: ``skgid:kommun/{kommunkod}``, ``skgid:region/{länskod}``, and
``skgid:lan/{länskod}`` for the county as a place.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .errors import SourceError
from .namespaces import SCB_CODE_LIST, SCHEMA, SKG, SKGID, WD, bind_prefixes
from .sources import ProjectPaths, parse_turtle

__all__ = [
    "county_iri",
    "load_gazetteer",
    "load_reference",
    "municipality_iri",
    "region_iri",
]

COUNTY_COLUMNS = [
    "lanskod",
    "lan",
    "iso_3166_2",
    "regional_authority",
    "wikidata_lan",
    "wikidata_authority",
    "authority_organisationsnummer",
]
MUNICIPALITY_COLUMNS = [
    "kommunkod",
    "kommun",
    "officiellt_namn",
    "lanskod",
    "lan",
    "wikidata",
    "organisationsnummer",
]
_CHECKS = {
    "lanskod": re.compile(r"^[0-9]{2}$"),
    "kommunkod": re.compile(r"^[0-9]{4}$"),
    "wikidata": re.compile(r"^(Q[0-9]+)?$"),
    "wikidata_lan": re.compile(r"^(Q[0-9]+)?$"),
    "wikidata_authority": re.compile(r"^(Q[0-9]+)?$"),
    "organisationsnummer": re.compile(r"^([0-9]{6}-[0-9]{4})?$"),
    "authority_organisationsnummer": re.compile(r"^([0-9]{6}-[0-9]{4})?$"),
}


def municipality_iri(code: str) -> URIRef:
    """IRI of a municipality from its SCB code, e.g. ``skgid:kommun/2083``."""
    return SKGID[f"kommun/{code}"]


def region_iri(county_code: str) -> URIRef:
    """IRI of a regional authority from its county code, e.g. ``skgid:region/20``."""
    return SKGID[f"region/{county_code}"]


def county_iri(county_code: str) -> URIRef:
    """IRI of a county as a place, e.g. ``skgid:lan/20``."""
    return SKGID[f"lan/{county_code}"]


def _read_rows(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Read a gazetteer CSV, checking its header and the format of every cell."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise SourceError(
            f"cannot read the gazetteer ({exc.strerror})",
            path=path,
            hint="copy it from ../shared/reference/",
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != columns:
            raise SourceError(
                f"unexpected columns {reader.fieldnames}",
                path=path,
                line=1,
                hint=f"the header must be {','.join(columns)}",
            )
        rows = []
        for row in reader:
            line = reader.line_num
            for column, pattern in _CHECKS.items():
                if column in row and not pattern.match(row[column] or ""):
                    raise SourceError(
                        f"{column} {row[column]!r} is malformed",
                        path=path,
                        line=line,
                        hint=f"expected {pattern.pattern}",
                    )
            rows.append((line, row))
    return rows


def load_gazetteer(reference_dir: str | Path) -> Graph:
    """Build the gazetteer graph from ``lan.csv`` and ``kommuner.csv``.

    Args:
        reference_dir: the ``data/reference`` directory.

    Returns:
        A graph with 21 ``skg:County``, 21 ``skg:Region`` and one
        ``skg:Municipality`` per row of ``kommuner.csv``.

    Raises:
        SourceError: for a missing file, a wrong header, a malformed cell, a
            duplicated code or a municipality of an unknown county.
    """
    reference_dir = Path(reference_dir)
    graph = bind_prefixes(Graph())
    county_rows = _read_rows(reference_dir / "lan.csv", COUNTY_COLUMNS)
    known_counties: set[str] = set()
    for line, row in county_rows:
        code = row["lanskod"]
        if code in known_counties:
            raise SourceError(
                f"county code {code} occurs twice",
                path=reference_dir / "lan.csv",
                line=line,
                hint="each county must have one row",
            )
        known_counties.add(code)
        _add_county(graph, row)

    municipality_path = reference_dir / "kommuner.csv"
    seen: set[str] = set()
    for line, row in _read_rows(municipality_path, MUNICIPALITY_COLUMNS):
        code = row["kommunkod"]
        if code in seen:
            raise SourceError(
                f"municipality code {code} occurs twice",
                path=municipality_path,
                line=line,
                hint="each municipality must have one row",
            )
        if row["lanskod"] not in known_counties or code[:2] != row["lanskod"]:
            raise SourceError(
                f"municipality {code} names county {row['lanskod']!r}, which is "
                "not in lan.csv or does not match the code's first two digits",
                path=municipality_path,
                line=line,
                hint="fix the lanskod column",
            )
        seen.add(code)
        _add_municipality(graph, row)
    return graph


def _add_county(graph: Graph, row: dict[str, str]) -> None:
    """Add one county and its regional authority."""
    code = row["lanskod"]
    county, region = county_iri(code), region_iri(code)
    graph.add((county, RDF.type, SKG.County))
    graph.add((county, RDFS.label, Literal(row["lan"], lang="sv")))
    graph.add((county, SKOS.notation, Literal(code)))
    graph.add((county, SCHEMA.identifier, Literal(row["iso_3166_2"])))
    graph.add((county, DCTERMS.source, SCB_CODE_LIST))
    if row["wikidata_lan"]:
        graph.add((county, OWL.sameAs, WD[row["wikidata_lan"]]))

    graph.add((region, RDF.type, SKG.Region))
    graph.add((region, RDFS.label, Literal(row["regional_authority"], lang="sv")))
    graph.add((region, SKG.countyCode, Literal(code)))
    graph.add((region, SKG.county, county))
    graph.add((region, DCTERMS.source, SCB_CODE_LIST))
    if row["wikidata_authority"]:
        graph.add((region, OWL.sameAs, WD[row["wikidata_authority"]]))
    if row["authority_organisationsnummer"]:
        number = Literal(row["authority_organisationsnummer"])
        graph.add((region, SKG.organisationNumber, number))


def _add_municipality(graph: Graph, row: dict[str, str]) -> None:
    """Add one municipality."""
    code = row["kommunkod"]
    municipality = municipality_iri(code)
    official = row["officiellt_namn"]
    graph.add((municipality, RDF.type, SKG.Municipality))
    # The official name is known only for Dalarna and Örebro län; elsewhere the
    # short name is the label rather than a guessed "X kommun".
    graph.add((municipality, RDFS.label, Literal(official or row["kommun"], lang="sv")))
    if official:
        graph.add((municipality, SKG.officialName, Literal(official, lang="sv")))
        if official != row["kommun"]:
            graph.add((municipality, SKOS.altLabel, Literal(row["kommun"], lang="sv")))
    graph.add((municipality, SKG.shortName, Literal(row["kommun"], lang="sv")))
    graph.add((municipality, SKG.municipalityCode, Literal(code)))
    graph.add((municipality, SKG.inRegion, region_iri(row["lanskod"])))
    graph.add((municipality, DCTERMS.source, SCB_CODE_LIST))
    if row["wikidata"]:
        graph.add((municipality, OWL.sameAs, WD[row["wikidata"]]))
    if row["organisationsnummer"]:
        number = Literal(row["organisationsnummer"])
        graph.add((municipality, SKG.organisationNumber, number))


def load_reference(paths: ProjectPaths) -> Graph:
    """The whole reference graph: gazetteer plus ``data/reference/*.ttl``.

    Args:
        paths: the project's paths.

    Returns:
        One graph (the reference named graph of the build).

    Raises:
        SourceError: for unreadable or malformed input.
    """
    graph = load_gazetteer(paths.reference_dir)
    for path in sorted(paths.reference_dir.glob("*.ttl")):
        parse_turtle(path, graph)
    return graph
