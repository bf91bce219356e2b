"""Dataset metadata: the DCAT-AP-SE catalogue record and the VoID description.

Input: the union graph of the build, the publication settings (``publication.toml``)
and the files offered for download. Output: two small rdflib graphs without blank
nodes — a ``dcat:Catalog`` with one ``dcat:Dataset`` and its ``dcat:Distribution``s
for Sveriges dataportal (harvested as RDF/XML), and a ``void:Dataset`` with counts,
class and property partitions and the Wikidata linkset — plus their validation
against ``shapes/dcat/`` (never against the data graph's shapes).

The DCAT-AP-SE 3.0.1 requirements checked by ``shapes/dcat/dcat-ap-se.ttl`` come from
the specification's form templates (github.com/diggsweden/DCAT-AP-SE, ``templates/``)
and its harvesting guide (``docs/harvesting.md`` there); see docs/publish.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD
from rdflib.term import Node

from ..namespaces import CC0, SKGID, VCARD, WD, bind_prefixes
from ..rdfio import TURTLE
from ..sources import parse_turtle
from ..validate import ValidationReport, validate_graph
from .settings import PublicationSettings

__all__ = [
    "DATA_THEME",
    "serialise_rdfxml",
    "Distribution",
    "describe_catalogue",
    "describe_void",
    "load_dcat_shapes",
    "validate_catalogue",
]

DATA_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
ACCESS_RIGHT = Namespace(
    "http://publications.europa.eu/resource/authority/access-right/"
)
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
WIKIDATA_DATASET = URIRef("http://www.wikidata.org/entity/Q2013")
SKG_YEAR_START = URIRef("https://w3id.org/samverkansgraf/ontology#startYear")
SKG_YEAR_END = URIRef("https://w3id.org/samverkansgraf/ontology#endYear")


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


def _period(graph: Graph) -> tuple[int, int] | None:
    """The earliest start year and latest end year of anything in the data."""
    starts = [int(str(y)[:4]) for y in graph.objects(None, SKG_YEAR_START)]
    ends = [int(str(y)[:4]) for y in graph.objects(None, SKG_YEAR_END)]
    if not starts or not ends:
        return None
    return min(starts), max(ends)


def describe_catalogue(
    union: Graph,
    settings: PublicationSettings,
    distributions: list[Distribution],
    *,
    issued: dt.date,
) -> Graph:
    """The DCAT-AP-SE record: one catalogue, one dataset, its distributions.

    Every node has an IRI (dataportal.se refuses blank nodes for catalogues,
    datasets, distributions, publishers and contacts); the licence is CC0 by its
    exact IRI; the contact point is functional (an organisation's web address).

    Args:
        union: the built graph (for the covered period).
        settings: publication.toml.
        distributions: the downloadable files.
        issued: the publication date (``dcterms:modified``).

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
    homepage = URIRef(settings.base_url)
    date = Literal(issued.isoformat(), datatype=XSD.date)

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add(
        (catalog, DCTERMS.title, Literal(f"{settings.title_sv} (katalog)", lang="sv"))
    )
    g.add(
        (catalog, DCTERMS.title, Literal(f"{settings.title_en} (catalogue)", lang="en"))
    )
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal("Datakatalog för samverkansgraf.", lang="sv"),
        )
    )
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal("Data catalogue of samverkansgraf.", lang="en"),
        )
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, CC0))
    g.add((catalog, DCTERMS.language, LANGUAGE.SWE))
    g.add((catalog, DCTERMS.modified, date))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((catalog, DCAT.themeTaxonomy, URIRef(str(DATA_THEME).rstrip("/"))))
    g.add((catalog, DCAT.dataset, dataset))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(settings.publisher_name_sv, lang="sv")))
    g.add((publisher, FOAF.name, Literal(settings.publisher_name_en, lang="en")))
    g.add((publisher, DCTERMS.type, PUBLISHER_TYPE[settings.publisher_type]))
    g.add((publisher, FOAF.homepage, URIRef(settings.publisher_homepage)))

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(settings.contact_name_sv, lang="sv")))
    g.add((contact, VCARD.fn, Literal(settings.contact_name_en, lang="en")))
    g.add((contact, VCARD.hasURL, URIRef(settings.contact_url)))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(settings.title_sv, lang="sv")))
    g.add((dataset, DCTERMS.title, Literal(settings.title_en, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(settings.description_sv, lang="sv")))
    g.add((dataset, DCTERMS.description, Literal(settings.description_en, lang="en")))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.contactPoint, contact))
    for word in settings.keywords_sv:
        g.add((dataset, DCAT.keyword, Literal(word, lang="sv")))
    for word in settings.keywords_en:
        g.add((dataset, DCAT.keyword, Literal(word, lang="en")))
    for theme in settings.themes:
        g.add((dataset, DCAT.theme, DATA_THEME[theme]))
    g.add((dataset, DCTERMS.spatial, COUNTRY[settings.spatial_country]))
    g.add((dataset, DCTERMS.language, LANGUAGE.SWE))
    g.add((dataset, DCTERMS.accessRights, ACCESS_RIGHT.PUBLIC))
    g.add((dataset, DCTERMS.modified, date))
    g.add((dataset, DCAT.landingPage, homepage))
    period = _period(union)
    if period is not None:
        node = URIRef(f"{base}#period")
        g.add((dataset, DCTERMS.temporal, node))
        g.add((node, RDF.type, DCTERMS.PeriodOfTime))
        g.add((node, DCAT.startDate, Literal(f"{period[0]}-01-01", datatype=XSD.date)))
        g.add((node, DCAT.endDate, Literal(f"{period[1]}-12-31", datatype=XSD.date)))
    g.add((dataset, RDFS.seeAlso, URIRef(f"{settings.base_url}void.ttl")))

    for dist in distributions:
        node = URIRef(f"{base}#dist-{dist.key}")
        url = URIRef(settings.base_url + dist.path)
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(dist.title_sv, lang="sv")))
        g.add((node, DCTERMS.title, Literal(dist.title_en, lang="en")))
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        # DCAT-AP-SE: dcterms:format as a media-type literal; DCAT-AP 3: the IANA IRI.
        g.add((node, DCTERMS.format, Literal(dist.media_type)))
        g.add((node, DCAT.mediaType, IANA[dist.media_type]))
        g.add((node, DCTERMS.license, CC0))
        g.add(
            (
                node,
                DCAT.byteSize,
                Literal(dist.byte_size, datatype=XSD.nonNegativeInteger),
            )
        )
        g.add((node, DCTERMS.modified, date))
    return g


def describe_void(
    union: Graph, settings: PublicationSettings, dumps: list[str]
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
    base = f"{settings.base_url}void"
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
    if settings.sparql_endpoint:
        g.add((dataset, VOID.sparqlEndpoint, URIRef(settings.sparql_endpoint)))
        g.add(
            (
                dataset,
                RDFS.comment,
                Literal(
                    "void:sparqlEndpoint is a placeholder: no public endpoint is "
                    "deployed yet; run `samverkansgraf serve` for a local one.",
                    lang="en",
                ),
            )
        )
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


def _fragment(graph: Graph, iri: Node) -> str:
    """A readable IRI fragment for a class or property: ``skg-Municipality``."""
    try:
        prefix, _, local = graph.namespace_manager.compute_qname(
            str(iri), generate=False
        )
        text = f"{prefix}-{local}"
    except (ValueError, KeyError):
        text = str(iri)
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def serialise_rdfxml(graph: Graph) -> bytes:
    """Plain RDF/XML with subjects, properties and namespaces in sorted order.

    rdflib's RDF/XML serialisers order namespaces and subjects by hash, so their
    output changes between runs; a catalogue record must diff cleanly. Handles
    what the DCAT and VoID records use: IRI subjects and objects, plain,
    language-tagged and typed literals (no blank nodes, no lists).

    Raises:
        ValueError: for a blank node or a predicate that has no XML local name.
    """
    names: dict[str, str] = {str(RDF): "rdf"}
    known = {str(ns): prefix for prefix, ns in graph.namespaces()}
    lines: list[str] = []

    def qname(iri: URIRef) -> str:
        text = str(iri)
        cut = max(text.rfind("#"), text.rfind("/")) + 1
        namespace, local = text[:cut], text[cut:]
        if not local or not (local[0].isalpha() or local[0] == "_"):
            raise ValueError(f"no RDF/XML name for <{iri}>")
        if namespace not in names:
            prefix = known.get(namespace) or f"ns{len(names)}"
            names[namespace] = (
                prefix if prefix not in names.values() else f"ns{len(names)}"
            )
        return f"{names[namespace]}:{local}"

    for subject in sorted(set(graph.subjects()), key=str):
        if not isinstance(subject, URIRef):
            raise ValueError("RDF/XML record with a blank node")
        lines.append(f'  <rdf:Description rdf:about="{quoteattr(str(subject))[1:-1]}">')
        for prop, value in sorted(graph.predicate_objects(subject)):
            name = qname(prop)  # type: ignore[arg-type]
            if isinstance(value, URIRef):
                resource = quoteattr(str(value))
                lines.append(f"    <{name} rdf:resource={resource}/>")
            elif isinstance(value, Literal):
                attrs = ""
                if value.language:
                    attrs = f" xml:lang={quoteattr(value.language)}"
                elif value.datatype is not None:
                    attrs = f" rdf:datatype={quoteattr(str(value.datatype))}"
                lines.append(f"    <{name}{attrs}>{escape(str(value))}</{name}>")
            else:
                raise ValueError("RDF/XML record with a blank node")
        lines.append("  </rdf:Description>")
    declarations = "".join(
        f"\n  xmlns:{prefix}={quoteattr(namespace)}"
        for namespace, prefix in sorted(names.items(), key=lambda kv: kv[1])
    )
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<rdf:RDF{declarations}>\n" + "\n".join(lines) + "\n</rdf:RDF>\n"
    )
    return text.encode("utf-8")


def load_dcat_shapes(shapes_dir: str | Path) -> Graph:
    """The DCAT-AP-SE shapes of ``shapes/dcat/`` (not applied to the data graph).

    Args:
        shapes_dir: the project's ``shapes/`` directory.

    Raises:
        SourceError: a shapes file that does not parse (with its line).
    """
    graph = Graph()
    for path in sorted((Path(shapes_dir) / "dcat").glob(f"*{TURTLE.suffix}")):
        parse_turtle(path, graph)  # a syntax error names the file and line
    return graph


def validate_catalogue(record: Graph, shapes: Graph) -> ValidationReport:
    """Validate a catalogue record against the DCAT-AP-SE shapes.

    Warnings (recommended properties) do not make it fail.

    Args:
        record: the DCAT graph.
        shapes: from ``load_dcat_shapes``.

    Returns:
        The report.
    """
    return validate_graph(record, shapes)
