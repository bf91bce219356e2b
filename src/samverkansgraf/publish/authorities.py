"""The controlled vocabularies the catalogue record names, described where used.

Input: the EU authority-table codes and media types the record uses. Output: the
few triples that say what each named concept is — its class as DCAT-AP 3 expects
it (``dct:MediaType``, ``dct:MediaTypeOrExtent``, ``dct:LinguisticSystem``,
``dct:Location``, ``dct:RightsStatement``, ``dct:LicenseDocument``,
``skos:Concept`` with ``skos:prefLabel``), its ``skos:inScheme`` and the scheme's
``dct:title``.

Why the record says this itself: the official shapes check the class and the
scheme of every value (DCAT-AP 3's range and controlled-vocabulary shapes), and a
harvester or validator that has not loaded the EU vocabularies (as DIGG's and the
EU test bed's offline configurations have not) sees an unknown IRI otherwise. The
labels are the EU Publications Office's own (data themes, access rights) or the
authority's name for the code; ``tests/test_dcat_official.py`` checks them against
a local copy of the EU tables when one is provided.

Media types are IANA IRIs (``http://www.iana.org/assignments/media-types/…``),
formats the EU file-type IRIs (``…/authority/file-type/RDF_TURTLE``) that
data.europa.eu's quality assessment counts as machine-readable and
non-proprietary.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ..namespaces import CC0

__all__ = [
    "ACCESS_RIGHT",
    "AUTHORITY",
    "COUNTRY",
    "DATA_THEME",
    "FILE_TYPE",
    "FILE_TYPES",
    "IANA",
    "LICENCE_TYPE",
    "LANGUAGE",
    "PLANNED_AVAILABILITY",
    "PUBLISHER_TYPE",
    "describe_authorities",
    "file_type_of",
]

AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(f"{AUTHORITY}data-theme/")
COUNTRY = Namespace(f"{AUTHORITY}country/")
LANGUAGE = Namespace(f"{AUTHORITY}language/")
ACCESS_RIGHT = Namespace(f"{AUTHORITY}access-right/")
FILE_TYPE = Namespace(f"{AUTHORITY}file-type/")
PLANNED_AVAILABILITY = Namespace(f"{AUTHORITY}planned-availability/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")

FILE_TYPES: dict[str, str] = {
    "text/turtle": "RDF_TURTLE",
    "application/trig": "RDF_TRIG",
    "application/n-quads": "RDF_N_QUADS",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "text/csv": "CSV",
    "application/json": "JSON",
}
"""IANA media type → EU file-type code."""

# Scheme IRI → (class DCAT-AP 3 expects of its concepts, scheme title).
_SCHEMES: dict[str, tuple[URIRef, str]] = {
    f"{AUTHORITY}data-theme": (SKOS.Concept, "Data theme"),
    f"{AUTHORITY}access-right": (DCTERMS.RightsStatement, "Access right"),
    f"{AUTHORITY}language": (DCTERMS.LinguisticSystem, "Language"),
    f"{AUTHORITY}country": (DCTERMS.Location, "Country"),
    f"{AUTHORITY}file-type": (DCTERMS.MediaTypeOrExtent, "File type"),
    f"{AUTHORITY}planned-availability": (SKOS.Concept, "Planned availability"),
    "http://purl.org/adms/publishertype/1.0": (SKOS.Concept, "Publisher type"),
    "http://purl.org/adms/licencetype/1.0": (SKOS.Concept, "Licence type"),
}

# Concepts that are skos:Concepts (DCAT-AP 3 requires a skos:prefLabel of each):
# the EU Publications Office's labels (sv, en).
_LABELS: dict[str, tuple[str, str]] = {
    str(DATA_THEME.EDUC): (
        "Utbildning, kultur och sport",
        "Education, culture and sport",
    ),
    str(DATA_THEME.SOCI): ("Befolkning och samhälle", "Population and society"),
    str(DATA_THEME.GOVE): (
        "Regeringen och den offentliga sektorn",
        "Government and public sector",
    ),
    str(ACCESS_RIGHT.PUBLIC): ("offentligt", "public"),
    str(PLANNED_AVAILABILITY.AVAILABLE): ("tillgänglig", "available"),
    str(LICENCE_TYPE.PublicDomain): ("allmän egendom", "Public domain"),
    str(PUBLISHER_TYPE.NonProfitOrganisation): (
        "ideell organisation",
        "Non-Profit Organisation",
    ),
}


def file_type_of(media_type: str) -> URIRef:
    """The EU file-type IRI of a media type.

    Raises:
        KeyError: a media type without an EU file-type code here.

    Example:
        >>> str(file_type_of("text/turtle"))
        'http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE'
    """
    return FILE_TYPE[FILE_TYPES[media_type]]


def _scheme_of(concept: str) -> str | None:
    if concept.startswith(str(PUBLISHER_TYPE)):
        return "http://purl.org/adms/publishertype/1.0"
    if concept.startswith(str(LICENCE_TYPE)):
        return "http://purl.org/adms/licencetype/1.0"
    for scheme in _SCHEMES:
        if concept.startswith(scheme + "/"):
            return scheme
    return None


def describe_authorities(record: Graph) -> None:
    """Add to ``record`` what each EU concept, IANA type and licence it names is.

    Every object of the record in an EU authority table, the ADMS publisher
    types or the IANA media types gets its class and ``skos:inScheme``; every
    scheme its class and title; concepts that are ``skos:Concept`` their labels.
    The CC0 licence is a ``dct:LicenseDocument``.

    Raises:
        KeyError: a ``skos:Concept`` code without a label in ``_LABELS`` (add it,
            from the authority's own table).
    """
    objects = {o for o in record.objects() if isinstance(o, URIRef)}
    if CC0 in objects:  # CC0 dedicates to the public domain (ADMS licence type)
        record.add((CC0, DCTERMS.type, LICENCE_TYPE.PublicDomain))
        objects.add(LICENCE_TYPE.PublicDomain)
    for value in sorted(objects):
        text = str(value)
        if value == CC0:
            record.add((value, RDF.type, DCTERMS.LicenseDocument))
            continue
        if text.startswith(str(IANA)):
            record.add((value, RDF.type, DCTERMS.MediaType))
            continue
        if text in _SCHEMES:  # a scheme itself (dcat:themeTaxonomy)
            record.add((value, RDF.type, SKOS.ConceptScheme))
            record.add((value, DCTERMS.title, Literal(_SCHEMES[text][1], lang="en")))
            continue
        scheme = _scheme_of(text)
        if scheme is None:
            continue
        cls, title = _SCHEMES[scheme]
        record.add((value, RDF.type, cls))
        record.add((value, SKOS.inScheme, URIRef(scheme)))
        record.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
        record.add((URIRef(scheme), DCTERMS.title, Literal(title, lang="en")))
        if cls == SKOS.Concept:
            label_sv, label_en = _LABELS[text]
            record.add((value, SKOS.prefLabel, Literal(label_sv, lang="sv")))
            record.add((value, SKOS.prefLabel, Literal(label_en, lang="en")))
