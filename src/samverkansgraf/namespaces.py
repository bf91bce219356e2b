"""Every IRI and prefix of samverkansgraf, in one place.

Input: nothing. Output: rdflib ``Namespace`` objects, the named-graph IRIs of the
build, the prefix map used by every serialisation and the slug rule for resource
IRIs (MODEL.md: ``skgid:{kind}/{slug}`` with an ASCII slug, å→a, ä→a, ö→o). The
display-label rule lives in :mod:`.labels`.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    VOID,
    XSD,
)


class _Namespace(Namespace):
    """rdflib's ``Namespace``, with each term made once.

    ``SKG.quote`` makes a new ``URIRef`` on every access in rdflib (validating the
    IRI each time), and a new object compares by a Python-level ``__eq__`` in every
    dictionary it is looked up in. Evidence resolution reads such terms millions
    of times in a national build; the first access keeps the term as an instance
    attribute, so later ones are plain attribute lookups of the same object.
    (Only names that are not ``str`` methods reach ``__getattr__``, so nothing of
    ``str`` is shadowed.)
    """

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # as rdflib: no special Python names
            raise AttributeError(name)
        term = self.term(name)
        self.__dict__[name] = term
        return term


SKG = _Namespace("https://w3id.org/samverkansgraf/ontology#")
SKGID = _Namespace("https://w3id.org/samverkansgraf/id/")
SKGSH = _Namespace("https://w3id.org/samverkansgraf/shapes#")
OA = _Namespace("http://www.w3.org/ns/oa#")
SCHEMA = _Namespace("https://schema.org/")
VCARD = _Namespace("http://www.w3.org/2006/vcard/ns#")
SH = _Namespace("http://www.w3.org/ns/shacl#")
WD = _Namespace("http://www.wikidata.org/entity/")
VANN = _Namespace("http://purl.org/vocab/vann/")

ONTOLOGY_IRI = URIRef("https://w3id.org/samverkansgraf/ontology")
# Named graphs besides one per source document (whose IRI is the document's IRI).
GRAPH_ONTOLOGY = ONTOLOGY_IRI
GRAPH_SCHEMES = SKGID["graph/schemes"]
GRAPH_REFERENCE = SKGID["graph/reference"]

# The SCB code list the gazetteer's municipalities and counties are taken from;
# every skg:Municipality carries it as dcterms:source (shapes check it, so curated
# data cannot invent a municipality).
SCB_CODE_LIST = URIRef(
    "https://www.scb.se/hitta-statistik/regional-statistik-och-kartor/"
    "regionala-indelningar/lan-och-kommuner/"
)
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")

PREFIXES: dict[str, Namespace] = {
    "skg": SKG,
    "skgid": SKGID,
    "skgsh": SKGSH,
    "oa": OA,
    "org": Namespace(str(ORG)),
    "foaf": Namespace(str(FOAF)),
    "prov": Namespace(str(PROV)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "schema": SCHEMA,
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
    "time": Namespace(str(TIME)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "wd": WD,
}

__all__ = [
    "CC0",
    "GRAPH_ONTOLOGY",
    "GRAPH_REFERENCE",
    "GRAPH_SCHEMES",
    "OA",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "SCB_CODE_LIST",
    "SCHEMA",
    "SH",
    "SKG",
    "SKGID",
    "SKGSH",
    "VCARD",
    "WD",
    "bind_prefixes",
    "slugify",
]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults).

    Args:
        graph: any rdflib graph or dataset.

    Returns:
        The same graph, for chaining.
    """
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


_TRANSLITERATION = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o", "é": "e", "É": "e"}
)


def slugify(text: str) -> str:
    """Turn a Swedish name into the ASCII slug used in resource IRIs.

    Args:
        text: a name such as ``"Länsbibliotek Dalarna"``.

    Returns:
        Lower-case ASCII words joined by ``-``.

    Example:
        >>> slugify("Länsbibliotek Dalarna")
        'lansbibliotek-dalarna'
        >>> slugify("Malung-Sälen")
        'malung-salen'
    """
    text = text.translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
