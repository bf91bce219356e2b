"""Display tables of the published site: how the pages name and order terms.

Input: none (constant tables). Output: the Swedish and English labels of the
reused vocabularies' terms (the ontology labels its own), the Swedish plurals of
class labels for headings, the order in which properties are shown, which
properties are labels or evidence, and the sections of the ontology page. The
page model (``pages``) and the renderers (``render``) read them; nothing here
depends on the graph.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import OA, SKG

__all__ = [
    "EVIDENCE_PROPERTIES",
    "EXTERNAL_LABELS",
    "INVERSE_SKIPPED",
    "LABEL_PROPERTIES",
    "ONTOLOGY_SECTIONS",
    "PLURALS_SV",
    "PROPERTY_ORDER",
    "TERM_DETAILS",
    "plural_sv",
]

# Labels of the reused vocabularies' terms (ours come from the ontology).
EXTERNAL_LABELS: dict[Node, tuple[str, str]] = {
    RDF.type: ("typ", "type"),
    RDFS.label: ("etikett", "label"),
    RDFS.comment: ("kommentar", "comment"),
    RDFS.subClassOf: ("underklass till", "subclass of"),
    RDFS.subPropertyOf: ("underegenskap till", "subproperty of"),
    RDFS.domain: ("domän", "domain"),
    RDFS.range: ("värdemängd", "range"),
    RDFS.isDefinedBy: ("definieras av", "defined by"),
    RDFS.seeAlso: ("se även", "see also"),
    OWL.sameAs: ("samma som", "same as"),
    OWL.inverseOf: ("invers till", "inverse of"),
    OWL.versionInfo: ("version", "version"),
    OWL.versionIRI: ("versions-IRI", "version IRI"),
    SKOS.prefLabel: ("föredragen term", "preferred label"),
    SKOS.altLabel: ("alternativ term", "alternative label"),
    SKOS.hiddenLabel: ("dold term", "hidden label"),
    SKOS.definition: ("definition", "definition"),
    SKOS.note: ("anmärkning", "note"),
    SKOS.editorialNote: ("redaktionell anmärkning", "editorial note"),
    SKOS.historyNote: ("historik", "history note"),
    SKOS.changeNote: ("ändringar", "change note"),
    SKOS.scopeNote: ("omfång", "scope note"),
    SKOS.notation: ("notation", "notation"),
    SKOS.inScheme: ("i begreppsschema", "in scheme"),
    SKOS.topConceptOf: ("toppbegrepp i", "top concept of"),
    SKOS.hasTopConcept: ("toppbegrepp", "top concept"),
    SKOS.broader: ("överordnat begrepp", "broader"),
    SKOS.narrower: ("underordnat begrepp", "narrower"),
    SKOS.related: ("relaterat begrepp", "related"),
    SKOS.member: ("medlem", "member"),
    SKOS.exactMatch: ("exakt motsvarighet", "exact match"),
    SKOS.closeMatch: ("nära motsvarighet", "close match"),
    DCTERMS.title: ("titel", "title"),
    DCTERMS.description: ("beskrivning", "description"),
    DCTERMS.publisher: ("utgivare", "publisher"),
    DCTERMS.creator: ("upphov", "creator"),
    DCTERMS.date: ("datum", "date"),
    DCTERMS.created: ("skapad", "created"),
    DCTERMS.modified: ("ändrad", "modified"),
    DCTERMS.identifier: ("identifierare", "identifier"),
    DCTERMS.isPartOf: ("del av", "is part of"),
    DCTERMS.hasPart: ("har del", "has part"),
    DCTERMS.source: ("källa", "source"),
    DCTERMS.license: ("licens", "licence"),
    DCTERMS.language: ("språk", "language"),
    DCTERMS.format: ("format", "format"),
    DCTERMS.subject: ("ämne", "subject"),
    FOAF.name: ("namn", "name"),
    FOAF.homepage: ("webbplats", "homepage"),
    ORG.classification: ("klassificering", "classification"),
    PROV.wasDerivedFrom: ("härledd från", "derived from"),
    OA.hasSource: ("källa", "has source"),
    OA.hasSelector: ("väljare", "selector"),
    OA.exact: ("exakt text", "exact text"),
    OA.start: ("början", "start"),
    OA.end: ("slut", "end"),
    OA.SpecificResource: ("textavsnitt", "specific resource"),
    OA.TextQuoteSelector: ("citatväljare", "text quote selector"),
    OA.TextPositionSelector: ("positionsväljare", "text position selector"),
    SKOS.Concept: ("begrepp", "concept"),
    SKOS.ConceptScheme: ("begreppsschema", "concept scheme"),
    SKOS.Collection: ("samling", "collection"),
    OWL.Class: ("klass", "class"),
    OWL.ObjectProperty: ("objektegenskap", "object property"),
    OWL.DatatypeProperty: ("dataegenskap", "datatype property"),
    OWL.AnnotationProperty: ("annoteringsegenskap", "annotation property"),
    OWL.FunctionalProperty: ("funktionell egenskap", "functional property"),
    OWL.Ontology: ("ontologi", "ontology"),
    FOAF.Agent: ("agent", "agent"),
    FOAF.Person: ("person", "person"),
    ORG.Organization: ("organisation", "organisation"),
    ORG.FormalOrganization: ("formell organisation", "formal organisation"),
}

# Swedish plurals of class labels, for headings only ("Åtaganden med …"); a class
# not listed here keeps its singular label.
PLURALS_SV = {
    "aktivitet": "aktiviteter",
    "aktör": "aktörer",
    "begrepp": "begrepp",
    "begreppsschema": "begreppsscheman",
    "beslut": "beslut",
    "civilsamhällesorganisation": "civilsamhällesorganisationer",
    "händelse": "händelser",
    "klass": "klasser",
    "klausul": "klausuler",
    "kommun": "kommuner",
    "konstaterande": "konstateranden",
    "kulturinstitution": "kulturinstitutioner",
    "källdokument": "källdokument",
    "län": "län",
    "möte": "möten",
    "nätverk": "nätverk",
    "objektegenskap": "objektegenskaper",
    "dataegenskap": "dataegenskaper",
    "person": "personer",
    "plan": "planer",
    "program": "program",
    "region": "regioner",
    "samling": "samlingar",
    "textavsnitt": "textavsnitt",
    "underskrift": "underskrifter",
    "utvecklingsmål": "utvecklingsmål",
    "åtagande": "åtaganden",
    "överenskommelse": "överenskommelser",
    "överhoppat textavsnitt": "överhoppade textavsnitt",
}

# Shown first, in this order; all other properties follow alphabetically.
PROPERTY_ORDER = [
    RDFS.label,
    SKOS.prefLabel,
    DCTERMS.title,
    FOAF.name,
    SKOS.altLabel,
    SKOS.definition,
    RDFS.comment,
]
# Properties whose values are too many to list on the target's page as inverse links
# (every municipality is in a region: the region page lists them; every term is
# defined by the ontology: the ontology page lists them itself).
INVERSE_SKIPPED = {RDF.type, RDFS.isDefinedBy}
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name, SKG.heading)
EVIDENCE_PROPERTIES = (SKG.evidence, SKG.location)


def plural_sv(singular: str) -> str:
    """The Swedish plural of a class label, or the label itself when not listed.

    Example:
        >>> plural_sv("Kommun"), plural_sv("okänd klass")
        ('kommuner', 'okänd klass')
    """
    return PLURALS_SV.get(singular.casefold(), singular)


# The ontology page's sections, in order: (anchor, Swedish title, English title,
# the rdf:type of the terms listed).
ONTOLOGY_SECTIONS: tuple[tuple[str, str, str, URIRef], ...] = (
    ("classes", "Klasser", "classes", OWL.Class),
    ("object-properties", "Objektegenskaper", "object properties", OWL.ObjectProperty),
    (
        "datatype-properties",
        "Dataegenskaper",
        "datatype properties",
        OWL.DatatypeProperty,
    ),
    (
        "annotation-properties",
        "Annoteringsegenskaper",
        "annotation properties",
        OWL.AnnotationProperty,
    ),
    ("concept-schemes", "Begreppsscheman", "concept schemes", SKOS.ConceptScheme),
    ("collections", "Samlingar", "collections", SKOS.Collection),
    ("concepts", "Begrepp", "concepts", SKOS.Concept),
)
# The details shown under each term on the ontology page: (Swedish label, the
# property, whether it is read backwards — "underordnade" are the terms whose
# skos:broader is this one).
TERM_DETAILS: tuple[tuple[str, URIRef, bool], ...] = (
    ("underklass till", RDFS.subClassOf, False),
    ("domän", RDFS.domain, False),
    ("värdemängd", RDFS.range, False),
    ("i schema", SKOS.inScheme, False),
    ("överordnat", SKOS.broader, False),
    ("underordnade", SKOS.broader, True),
    ("toppbegrepp", SKOS.hasTopConcept, False),
    ("medlemmar", SKOS.member, False),
)
