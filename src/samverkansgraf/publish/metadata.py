"""Dataset metadata: the DCAT-AP-SE catalogue record and the VoID description.

Input: the union graph of the build, the publication settings (``publication.toml``)
and the files offered for download. Output: two small rdflib graphs without blank
nodes — a ``dcat:Catalog`` with one ``dcat:Dataset`` and its ``dcat:Distribution``s
for Sveriges dataportal (harvested as RDF/XML), and a ``void:Dataset`` with counts,
class and property partitions and the Wikidata linkset — plus the record's
validation (never against the data graph's shapes) with

- ``shapes/dcat-ap/``: SEMIC's official DCAT-AP 3.0.0 SHACL, unchanged (vendored
  from a package registry; ``scripts/refresh_dcat_ap_shacl.py``), and
- ``shapes/dcat-ap-se/``: where DCAT-AP-SE 3.0.1 is stricter than DCAT-AP, as DIGG's
  own validator encodes it, plus this project's rules (Swedish and English,
  CC0 everywhere, a functional contact with a mailbox, no blank nodes).

``devtools.official_shapes`` measures the record against local copies of SEMIC's
3.0.1 release and DIGG's validation pipeline, which no registry carries; see
docs/publish.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node

from ..build import UnionTriples
from ..errors import SourceError
from ..namespaces import CC0, SKGID, VCARD, WD, bind_prefixes
from ..rdfio import TURTLE
from ..sources import parse_turtle
from ..validate import ValidationReport, validate_graph
from .authorities import (
    ACCESS_RIGHT,
    COUNTRY,
    DATA_THEME,
    IANA,
    LANGUAGE,
    PLANNED_AVAILABILITY,
    PUBLISHER_TYPE,
    describe_authorities,
    file_type_of,
)
from .settings import PublicationSettings

__all__ = [
    "DCAT_AP_SHAPES",
    "DCAT_AP_SE_SHAPES",
    "PREVIEW_NOTE",
    "Distribution",
    "RecordDates",
    "describe_catalogue",
    "describe_void",
    "load_dcat_shapes",
    "temporal_coverage",
    "validate_catalogue",
]

DCATAP = Namespace("http://data.europa.eu/r5r/")
WIKIDATA_DATASET = URIRef("http://www.wikidata.org/entity/Q2013")
DCAT_AP_SHAPES = "dcat-ap"
"""Folder of ``shapes/`` with SEMIC's DCAT-AP 3 SHACL (vendored, see its LICENSE.md)."""
DCAT_AP_SE_SHAPES = "dcat-ap-se"
"""Folder of ``shapes/`` with the DCAT-AP-SE rules and this project's own."""
# Metadata about the data, not times the data is about.
_NOT_COVERAGE = {DCTERMS.created, DCTERMS.modified, DCTERMS.issued}
_TIME_TYPES = {XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth}


@dataclass(frozen=True)
class Distribution:
    """One downloadable file of the dataset."""

    key: str
    """Short name, used in the distribution's IRI (``…/dcat#dist-<key>``)."""
    path: str
    """Path of the file relative to the site root, e.g. ``download/x.ttl``."""
    media_type: str
    """IANA media type, e.g. ``text/turtle``."""
    title_sv: str
    """Swedish title."""
    title_en: str
    """English title."""
    byte_size: int
    """Size in bytes."""


@dataclass(frozen=True)
class RecordDates:
    """The dates a catalogue record states."""

    issued: dt.date
    """First publication of the dataset (``[dataset] issued`` in publication.toml)."""
    modified: dt.date
    """Last change of the data (``settings.data_modified``)."""


def temporal_coverage(graph: Graph | UnionTriples) -> tuple[dt.date, dt.date] | None:
    """The first and last day of any time the data is about.

    Every ``xsd:date``, ``xsd:dateTime``, ``xsd:gYear`` and ``xsd:gYearMonth``
    literal counts (periods of agreements and plans, events, signing dates,
    years stated), except dates about the records themselves (``dcterms:created``,
    ``modified``, ``issued``). A year covers 1 January to 31 December.

    Example:
        >>> from rdflib import BNode
        >>> g = Graph()
        >>> _ = g.add((BNode(), DCTERMS.date, Literal("2015-02-12", datatype=XSD.date)))
        >>> _ = g.add((BNode(), DCTERMS.date, Literal("2030", datatype=XSD.gYear)))
        >>> temporal_coverage(g)
        (datetime.date(2015, 2, 12), datetime.date(2030, 12, 31))
    """
    firsts: list[dt.date] = []
    lasts: list[dt.date] = []
    for _, prop, value in graph:
        if not isinstance(value, Literal) or value.datatype not in _TIME_TYPES:
            continue
        if prop in _NOT_COVERAGE:
            continue
        text = str(value)
        try:
            year = int(text[:4])
            if value.datatype == XSD.gYear:
                firsts.append(dt.date(year, 1, 1))
                lasts.append(dt.date(year, 12, 31))
            elif value.datatype == XSD.gYearMonth:
                month = int(text[5:7])
                firsts.append(dt.date(year, month, 1))
                lasts.append(dt.date(year + month // 12, month % 12 + 1, 1))
                lasts[-1] -= dt.timedelta(days=1)
            else:
                day = dt.date.fromisoformat(text[:10])
                firsts.append(day)
                lasts.append(day)
        except ValueError:
            continue  # an ill-formed literal is the data shapes' business
    if not firsts:
        return None
    return min(firsts), max(lasts)


def _bilingual(g: Graph, node: URIRef, prop: URIRef, sv: str, en: str) -> None:
    g.add((node, prop, Literal(sv, lang="sv")))
    g.add((node, prop, Literal(en, lang="en")))


PREVIEW_NOTE = (
    "Förhandsversion: posten saknar utgivarens funktionsbrevlåda "
    "(vcard:hasEmail, obligatorisk i DCAT-AP-SE) och ska inte skördas av en "
    "dataportal.",
    "Preview: the record lacks the publisher's functional mailbox "
    "(vcard:hasEmail, mandatory in DCAT-AP-SE) and is not for harvesting by a "
    "data portal.",
)
"""What a preview's record says (sv, en) on its catalogue and dataset."""


def describe_catalogue(
    union: Graph | UnionTriples,
    settings: PublicationSettings,
    distributions: list[Distribution],
    *,
    dates: RecordDates,
    contact_email: str | None,
) -> Graph:
    """The DCAT-AP-SE record: one catalogue, one dataset, its distributions.

    Made to conform to SEMIC's DCAT-AP 3 shapes (base, ranges and controlled
    vocabularies) and DIGG's DCAT-AP-SE validation, with every recommended
    property: every node has an IRI (dataportal.se refuses blank nodes), the
    licence is CC0 by its exact IRI, the contact point is functional (an
    organisation's web address and mailbox), formats are EU file-type IRIs and
    media types IANA IRIs, and every EU concept the record names says what it is
    (``authorities.describe_authorities``). A SPARQL endpoint is described (as a
    ``dcat:DataService``) only when ``publication.toml`` configures one.

    Args:
        union: the built graph (for the temporal coverage).
        settings: publication.toml.
        distributions: the downloadable files.
        dates: first publication and last change of the data.
        contact_email: the functional mailbox (``settings.require_contact_email``);
            None only for a preview (``publish --preview``): the record then
            lacks the mandatory ``vcard:hasEmail`` and says on the catalogue and
            the dataset that it is not for harvesting (``PREVIEW_NOTE``).

    Returns:
        The record as a graph.
    """
    g = bind_prefixes(Graph())
    g.bind("vcard", VCARD)
    g.bind("dcatap", DCATAP)
    base = settings.catalogue_iri
    catalog = URIRef(f"{base}#catalog")
    dataset = URIRef(settings.dataset_iri)
    publisher = URIRef(settings.publisher_iri)
    contact = URIRef(f"{base}#contact")
    rights = URIRef(f"{base}#rights")
    homepage = URIRef(settings.base_url)
    issued = Literal(dates.issued.isoformat(), datatype=XSD.date)
    modified = Literal(dates.modified.isoformat(), datatype=XSD.date)
    sweden = COUNTRY[settings.spatial_country]

    g.add((catalog, RDF.type, DCAT.Catalog))
    _bilingual(
        g,
        catalog,
        DCTERMS.title,
        f"{settings.title_sv} (katalog)",
        f"{settings.title_en} (catalogue)",
    )
    _bilingual(
        g,
        catalog,
        DCTERMS.description,
        "Datakatalog för samverkansgraf.",
        "Data catalogue of samverkansgraf.",
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, CC0))
    g.add((catalog, DCTERMS.language, LANGUAGE.SWE))
    g.add((catalog, DCTERMS.spatial, sweden))
    g.add((catalog, DCTERMS.issued, issued))
    g.add((catalog, DCTERMS.modified, modified))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((catalog, DCAT.themeTaxonomy, URIRef(str(DATA_THEME).rstrip("/"))))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((homepage, RDF.type, FOAF.Document))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, RDF.type, FOAF.Organization))
    _bilingual(
        g, publisher, FOAF.name, settings.publisher_name_sv, settings.publisher_name_en
    )
    g.add((publisher, DCTERMS.type, PUBLISHER_TYPE[settings.publisher_type]))
    g.add((publisher, FOAF.homepage, URIRef(settings.publisher_homepage)))
    g.add((URIRef(settings.publisher_homepage), RDF.type, FOAF.Document))

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    _bilingual(g, contact, VCARD.fn, settings.contact_name_sv, settings.contact_name_en)
    if contact_email is not None:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{contact_email}")))
    else:
        for node in (catalog, dataset):
            _bilingual(g, node, SKOS.editorialNote, *PREVIEW_NOTE)
    g.add((contact, VCARD.hasURL, URIRef(settings.contact_url)))

    g.add((rights, RDF.type, DCTERMS.RightsStatement))
    _bilingual(
        g,
        rights,
        RDFS.label,
        "Fri att använda, ändra och sprida utan villkor (CC0 1.0, allmän egendom). "
        "Källtexterna är allmänna handlingar; kontaktuppgifter är maskerade.",
        "Free to use, change and share without conditions (CC0 1.0, public domain). "
        "The source texts are public documents; contact data is masked.",
    )

    g.add((dataset, RDF.type, DCAT.Dataset))
    _bilingual(g, dataset, DCTERMS.title, settings.title_sv, settings.title_en)
    _bilingual(
        g,
        dataset,
        DCTERMS.description,
        settings.description_sv,
        settings.description_en,
    )
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.contactPoint, contact))
    for word in settings.keywords_sv:
        g.add((dataset, DCAT.keyword, Literal(word, lang="sv")))
    for word in settings.keywords_en:
        g.add((dataset, DCAT.keyword, Literal(word, lang="en")))
    for theme in settings.themes:
        g.add((dataset, DCAT.theme, DATA_THEME[theme]))
    g.add((dataset, DCTERMS.spatial, sweden))
    g.add((dataset, DCTERMS.language, LANGUAGE.SWE))
    g.add((dataset, DCTERMS.accessRights, ACCESS_RIGHT.PUBLIC))
    g.add((dataset, DCTERMS.issued, issued))
    g.add((dataset, DCTERMS.modified, modified))
    g.add((dataset, DCAT.landingPage, homepage))
    period = temporal_coverage(union)
    if period is not None:
        node = URIRef(f"{base}#period")
        g.add((dataset, DCTERMS.temporal, node))
        g.add((node, RDF.type, DCTERMS.PeriodOfTime))
        g.add((node, DCAT.startDate, Literal(period[0].isoformat(), datatype=XSD.date)))
        g.add((node, DCAT.endDate, Literal(period[1].isoformat(), datatype=XSD.date)))
    g.add((dataset, RDFS.seeAlso, URIRef(settings.void_iri)))

    for dist in distributions:
        node = URIRef(f"{base}#dist-{dist.key}")
        url = URIRef(settings.base_url + dist.path)
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        _bilingual(g, node, DCTERMS.title, dist.title_sv, dist.title_en)
        _bilingual(
            g,
            node,
            DCTERMS.description,
            f"Hela datamängden som {dist.title_sv}, en fil.",
            f"The whole dataset as {dist.title_en}, one file.",
        )
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        g.add((url, RDF.type, RDFS.Resource))  # DCAT-AP 3's range of both
        g.add((node, DCTERMS.format, file_type_of(dist.media_type)))
        g.add((node, DCAT.mediaType, IANA[dist.media_type]))
        g.add((node, DCTERMS.license, CC0))
        g.add((node, DCTERMS.rights, rights))
        g.add((node, DCATAP.availability, PLANNED_AVAILABILITY.AVAILABLE))
        g.add(
            (
                node,
                DCAT.byteSize,
                Literal(dist.byte_size, datatype=XSD.nonNegativeInteger),
            )
        )
        g.add((node, DCTERMS.issued, issued))
        g.add((node, DCTERMS.modified, modified))

    if settings.sparql_endpoint:
        service = URIRef(f"{base}#sparql")
        g.add((catalog, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        _bilingual(
            g,
            service,
            DCTERMS.title,
            f"{settings.title_sv} (SPARQL)",
            f"{settings.title_en} (SPARQL)",
        )
        g.add((service, DCAT.endpointURL, URIRef(settings.sparql_endpoint)))
        g.add((service, DCAT.servesDataset, dataset))
        g.add((service, DCTERMS.license, CC0))
        g.add((service, DCTERMS.publisher, publisher))
    describe_authorities(g)
    return g


def describe_void(
    union: Graph | UnionTriples, settings: PublicationSettings, dumps: list[str]
) -> Graph:
    """The VoID description of the dataset, computed from the graph.

    ``void:triples`` counts the distinct triples of the union of all named graphs;
    ``void:entities`` the distinct subject IRIs in the ``skgid:`` URI space;
    partitions give the instances per class and the triples per property; the
    linkset counts the ``owl:sameAs`` links to Wikidata.

    Args:
        union: the built graph.
        settings: publication.toml.
        dumps: site-relative paths of the RDF dumps.

    Returns:
        The description (partitions and linkset have IRIs, no blank nodes).
    """
    g = bind_prefixes(Graph())
    base = settings.void_iri
    dataset = URIRef(settings.dataset_iri)
    subjects = set(union.subjects())
    objects = set(union.objects())
    entities = {s for s in subjects if str(s).startswith(str(SKGID))}
    classes = Counter(o for _, o in union.subject_objects(RDF.type))
    properties = Counter(p for p in union.predicates())

    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal(settings.title_sv, lang="sv")))
    g.add((dataset, DCTERMS.title, Literal(settings.title_en, lang="en")))
    g.add((dataset, DCTERMS.license, CC0))
    g.add((dataset, VOID.uriSpace, Literal(str(SKGID))))
    g.add((dataset, VOID.triples, Literal(len(union), datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    g.add(
        (dataset, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer))
    )
    g.add((dataset, VOID.distinctObjects, Literal(len(objects), datatype=XSD.integer)))
    g.add((dataset, VOID.exampleResource, SKGID["kommun/2083"]))
    g.add((dataset, VOID.feature, URIRef(TURTLE.oxigraph.iri)))
    if settings.sparql_endpoint:  # only a configured (deployed) endpoint
        g.add((dataset, VOID.sparqlEndpoint, URIRef(settings.sparql_endpoint)))
    for path in dumps:
        g.add((dataset, VOID.dataDump, URIRef(settings.base_url + path)))
    vocabularies = {_namespace_of(p) for p in properties} | {
        _namespace_of(c) for c in classes
    }
    for vocabulary in sorted(vocabularies):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for cls, count in sorted(classes.items()):
        node = URIRef(f"{base}#class-{_fragment(union, cls)}")
        g.add((dataset, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in sorted(properties.items()):
        node = URIRef(f"{base}#property-{_fragment(union, prop)}")
        g.add((dataset, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, Literal(count, datatype=XSD.integer)))
    links = [
        (s, o)
        for s, o in union.subject_objects(OWL.sameAs)
        if str(o).startswith(str(WD))
    ]
    if links:
        linkset = URIRef(f"{base}#wikidata-links")
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, OWL.sameAs))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, WIKIDATA_DATASET))
        g.add((linkset, VOID.triples, Literal(len(links), datatype=XSD.integer)))
        g.add((WIKIDATA_DATASET, RDF.type, VOID.Dataset))
        g.add((WIKIDATA_DATASET, DCTERMS.title, Literal("Wikidata", lang="en")))
        g.add((WIKIDATA_DATASET, VOID.uriSpace, Literal(str(WD))))
    return g


def _namespace_of(iri: Node) -> str:
    text = str(iri)
    cut = max(text.rfind("#"), text.rfind("/"))
    return text[: cut + 1]


def _fragment(graph: Graph | UnionTriples, iri: Node) -> str:
    """A readable IRI fragment for a class or property: ``skg-Municipality``."""
    try:
        prefix, _, local = graph.namespace_manager.compute_qname(
            str(iri), generate=False
        )
        text = f"{prefix}-{local}"
    except (ValueError, KeyError):
        text = str(iri)
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def load_dcat_shapes(shapes_dir: str | Path) -> Graph:
    """The shapes for the catalogue record (not applied to the data graph).

    SEMIC's DCAT-AP 3 SHACL (``shapes/dcat-ap/*.jsonld``) and the DCAT-AP-SE and
    project rules (``shapes/dcat-ap-se/*.ttl``).

    Raises:
        SourceError: a shapes file that does not parse (with its line), or a
            missing folder.
    """
    graph = Graph()
    root = Path(shapes_dir)
    official = sorted((root / DCAT_AP_SHAPES).glob("*.jsonld"))
    if not official:
        raise SourceError(
            "the DCAT-AP 3 shapes are missing",
            path=root / DCAT_AP_SHAPES,
            hint="restore them with `python scripts/refresh_dcat_ap_shacl.py`",
        )
    for path in official:
        graph.parse(path, format="json-ld")
    for path in sorted((root / DCAT_AP_SE_SHAPES).glob(f"*{TURTLE.suffix}")):
        parse_turtle(path, graph)  # a syntax error names the file and line
    return graph


def validate_catalogue(record: Graph, shapes: Graph) -> ValidationReport:
    """Validate a catalogue record against DCAT-AP 3 and the DCAT-AP-SE rules.

    Warnings (recommended properties) do not make it fail.

    Args:
        record: the DCAT graph.
        shapes: from ``load_dcat_shapes``.

    Returns:
        The report.
    """
    return validate_graph(record, shapes, engine="pyshacl")
