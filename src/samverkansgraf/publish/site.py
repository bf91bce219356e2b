"""Stage 6 — publish: the static, dereferenceable linked-data site.

Input: the assembled dataset (``build.assemble_dataset``), validated against the
SHACL shapes (incl. the privacy shapes) — nothing is written when it does not
conform — and ``publication.toml``. Output: a folder (``site/``), written atomically,
with

- one HTML page per described resource at a path derived from its IRI
  (``…/id/kommun/2083`` → ``id/kommun/2083.html``; ontology terms ``skg:X`` →
  ``ontology/X.html``), with Turtle, JSON-LD and N-Triples alternates beside it
  (``2083.ttl``, ``2083.jsonld``, ``2083.nt``), every property as a link, inverse
  links grouped by property, and each piece of evidence quoted in its context from
  the source text;
- an index page per class, the ontology overview (``ontology/index.html``, with an
  anchor per term so that hash IRIs resolve), a home page;
- one page per source text, contact data masked one for one (offsets stay valid),
  with an anchor per evidence span;
- the RDF dumps (``download/``), the DCAT-AP-SE catalogue record (``dcat.ttl``,
  ``dcat.rdf``) and the VoID description (``void.ttl``, ``.well-known/void``).

The page generator is generic over classes: it knows nothing about municipalities or
commitments beyond the labels the ontology gives them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import posixpath
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from .. import __version__
from ..atomic import atomic_directory, check_output_directory, holds_files
from ..build import DUMP_STEM, AssembledDataset, assemble_dataset, serialise_dataset
from ..errors import PublishError
from ..evidence import EvidenceIndex, EvidenceRecord
from ..labels import find_label, natural_key
from ..namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_SCHEMES,
    OA,
    ONTOLOGY_IRI,
    PREFIXES,
    SKG,
    SKGID,
    bind_prefixes,
)
from ..privacy import find_contact_data, mask_contact_data
from ..rdfio import DUMP_FORMATS, JSON_LD, N_TRIPLES, TURTLE, canonical_json
from ..sources import ProjectPaths
from ..validate import load_shapes, validate_graph
from .html import make_environment, style_sheet
from .metadata import (
    Distribution,
    describe_catalogue,
    describe_void,
    load_dcat_shapes,
    serialise_rdfxml,
    validate_catalogue,
)
from .settings import PublicationSettings, load_publication, today

__all__ = [
    "ALTERNATES",
    "PublishResult",
    "canonical_json",
    "check_conformance",
    "find_published_contact_data",
    "page_path",
    "publish_site",
    "SiteRenderer",
    "check_file_privacy",
    "render_site",
]

log = logging.getLogger(__name__)

# Machine-readable alternates written beside every page: suffix → (media type, name,
# rdflib format). serve-site and the production configs negotiate among these.
ALTERNATES: dict[str, tuple[str, str, str]] = {
    fmt.suffix: (fmt.media_type, fmt.name, fmt.rdflib)
    for fmt in (TURTLE, JSON_LD, N_TRIPLES)
}
# Dump suffix → (media type, Swedish title, English title) for the download list.
DUMP_MEDIA_TYPES = {
    fmt.suffix: (fmt.media_type, fmt.label_sv, fmt.label_en) for fmt in DUMP_FORMATS
}
CONTEXT_CHARS = 240
"""Characters of source text shown on each side of a quote."""

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
LONG_LITERAL = 160


@dataclass(frozen=True)
class Link:
    """A link to a page, an external IRI, or just a shown IRI (``href`` None)."""

    iri: str
    text: str
    href: str | None
    external: bool = False
    lang: str | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class Value:
    """A property value: a link or a literal."""

    link: Link | None = None
    text: str = ""
    lang: str | None = None
    datatype: str | None = None
    long: bool = False


@dataclass
class PublishResult:
    """What ``publish_site`` wrote."""

    out: Path
    """The site folder."""
    pages: int
    """HTML pages."""
    files: int
    """All files."""
    seconds: float
    """Wall-clock time of rendering and writing."""
    warnings: list[str] = field(default_factory=list)
    """DCAT-AP-SE recommendations the catalogue record does not meet."""


def page_path(iri: str) -> tuple[str, str] | None:
    """The site path of the page describing ``iri``, and the anchor on it.

    Resource IRIs map to ``id/<path>.html`` (a hash IRI to its base's page and the
    fragment as anchor), ontology terms to ``ontology/<Term>.html`` and the ontology
    itself to ``ontology/index.html``. Other IRIs have no page (``None``).

    Example:
        >>> page_path("https://w3id.org/samverkansgraf/id/kommun/2083")
        ('id/kommun/2083.html', '')
        >>> page_path("https://w3id.org/samverkansgraf/id/clause/x/1#evidence")
        ('id/clause/x/1.html', 'evidence')
        >>> page_path("https://w3id.org/samverkansgraf/ontology#Commitment")
        ('ontology/Commitment.html', '')
    """
    if iri == str(ONTOLOGY_IRI):
        return "ontology/index.html", ""
    if iri.startswith(str(SKG)):
        local = iri[len(str(SKG)) :]
        if not local or "/" in local:
            return None
        return f"ontology/{_safe_segment(local)}.html", ""
    if iri.startswith(str(SKGID)):
        rest, _, anchor = iri[len(str(SKGID)) :].partition("#")
        segments = [s for s in rest.split("/")]
        if not rest or rest.endswith("/"):
            segments = [s for s in segments if s] + ["index"]
        if any(s in ("", ".", "..") for s in segments):
            return None
        return "id/" + "/".join(_safe_segment(s) for s in segments) + ".html", anchor
    return None


def _safe_segment(segment: str) -> str:
    return quote(segment, safe="-._~")


def _href(from_path: str, to_path: str, anchor: str = "") -> str:
    """A relative link from one site file to another (works from any folder)."""
    rel = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    return quote(rel, safe="/-._~") + (
        f"#{quote(anchor, safe='-._~')}" if anchor else ""
    )


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Site:
    """Indexes of the graph and the rendering of every page."""

    def __init__(
        self,
        assembled: AssembledDataset,
        settings: PublicationSettings,
    ) -> None:
        self.assembled = assembled
        self.settings = settings
        self.graph = assembled.union()
        self.env = make_environment()
        self.out: dict[Node, list[tuple[URIRef, Node]]] = defaultdict(list)
        self.inv: dict[Node, list[tuple[Node, URIRef]]] = defaultdict(list)
        for s, p, o in self.graph:
            if isinstance(s, URIRef) and isinstance(p, URIRef):
                self.out[s].append((p, o))
                if isinstance(o, URIRef):
                    self.inv[o].append((s, p))
        # Page resources: described IRIs with a page path and no anchor.
        self.pages: dict[Node, str] = {}
        self.children: dict[Node, list[URIRef]] = defaultdict(list)
        for s in self.out:
            mapped = page_path(str(s))
            if mapped is None:
                continue
            path, anchor = mapped
            if anchor:
                owner = URIRef(str(s).split("#", 1)[0])
                self.children[owner].append(URIRef(str(s)))
            else:
                self.pages[s] = path
        self.types: dict[Node, list[URIRef]] = {
            s: sorted(
                (o for p, o in pairs if p == RDF.type and isinstance(o, URIRef)),
                key=self._type_rank,
            )
            for s, pairs in self.out.items()
        }
        self.texts = assembled.texts
        self.masked: dict[Node, str] = {
            doc: mask_contact_data(text) for doc, text in self.texts.items()
        }
        self.files: dict[Node, str] = {
            doc.document: doc.source.path.name for doc in assembled.documents
        }
        # The build's resolved records: evidence is read once, not from triples.
        self.evidence = EvidenceIndex.of_documents(assembled.documents)
        self._labels: dict[tuple[Node, str], str] = {}
        self.class_pages = self._class_pages()

    # -- labels -------------------------------------------------------------

    @staticmethod
    def _type_rank(cls: Node) -> tuple[int, str]:
        return (0 if str(cls).startswith(str(SKG)) else 1, str(cls))

    def _literal(self, node: Node, props: Iterable[URIRef], lang: str) -> str | None:
        """A value of ``props`` in exactly ``lang`` (the shared rule, no fallback)."""
        return find_label(self.graph, node, lang, props, any_language=False)

    def label(self, node: Node, lang: str = "sv") -> str:
        """The display label of ``node`` in ``lang`` (falling back sensibly)."""
        key = (node, lang)
        if key in self._labels:
            return self._labels[key]
        # Swedish is the site's main language: a page always has a Swedish
        # title, so only Swedish falls back to other languages and to a name
        # made from the IRI; an English label is shown only when one exists.
        text = find_label(
            self.graph, node, lang, LABEL_PROPERTIES, any_language=lang == "sv"
        )
        if text is None and lang == "sv":
            if node in EXTERNAL_LABELS:
                text = EXTERNAL_LABELS[node][0]
            else:
                text = self._fallback_label(node)
        if text is None and lang == "en" and node in EXTERNAL_LABELS:
            text = EXTERNAL_LABELS[node][1]
        self._labels[key] = text or ""
        return text or ""

    def _fallback_label(self, node: Node) -> str:
        iri = str(node)
        if "#" in iri and iri.startswith(str(SKGID)):
            owner = URIRef(iri.split("#", 1)[0])
            return f"{self.label(owner)} › {iri.split('#', 1)[1]}"
        if iri.startswith(str(SKGID)):
            kind, _, rest = iri[len(str(SKGID)) :].partition("/")
            classes = self.types.get(node, [])
            name = self.label(classes[0]) if classes else kind
            return _capitalise(f"{name} {rest or kind}")
        try:
            curie = self.graph.namespace_manager.normalizeUri(str(node))
        except (ValueError, KeyError):  # pragma: no cover - rdflib edge cases
            return iri
        return iri if curie.startswith("<") else curie

    def snippet(self, node: Node) -> str | None:
        """A short excerpt of the first evidence quote, for unlabeled facts."""
        if self._literal(node, LABEL_PROPERTIES, "sv") is not None:
            return None
        # The first evidence by its IRI (``#evidence`` before ``#evidence-2``).
        quoted = sorted(
            (r for r in self.evidence.of(node) if not r.skipped),
            key=lambda r: str(r.resource),
        )
        for record in quoted:
            if record.span.exact:
                return "”" + _plain(record.span.exact, 90) + "”"
        return None

    # -- links --------------------------------------------------------------

    def link(self, node: Node, from_path: str, *, snippet: bool = False) -> Link:
        """A link to ``node``'s page, an external link, or a shown IRI."""
        iri = str(node)
        mapped = page_path(iri)
        label = self.label(node)
        if mapped is not None:
            path, anchor = mapped
            owner = URIRef(iri.split("#", 1)[0]) if anchor else node
            if owner in self.pages and (not anchor or node in self.out):
                return Link(
                    iri,
                    label,
                    _href(from_path, path, anchor),
                    snippet=self.snippet(node) if snippet else None,
                )
            return Link(iri, label, None)
        if iri.startswith(("http://", "https://")):
            return Link(iri, label, iri, external=True)
        return Link(iri, label, None)

    def class_link(self, cls: Node, from_path: str) -> Link:
        """A class: its index page when it has one, else its term page / IRI."""
        if cls in self.class_pages:
            return Link(
                str(cls), self.label(cls), _href(from_path, self.class_pages[cls])
            )
        return self.link(cls, from_path)

    def _class_pages(self) -> dict[Node, str]:
        pages: dict[Node, str] = {}
        for cls in {c for s in self.pages for c in self.types.get(s, [])}:
            try:
                prefix, _, local = self.graph.namespace_manager.compute_qname(
                    cls, generate=False
                )
                name = f"{prefix}-{local}"
            except (ValueError, KeyError):
                name = re.sub(r"[^A-Za-z0-9]+", "-", str(cls)).strip("-")
            pages[cls] = f"classes/{_safe_segment(name)}.html"
        return pages

    def instances(self, cls: Node) -> list[Node]:
        """Page resources typed ``cls`` (directly)."""
        return sorted(
            (
                s
                for s, _ in self.inv.get(cls, [])
                if s in self.pages and (s, RDF.type, cls) in self.graph
            ),
            key=lambda s: natural_key(self.label(s)),
        )

    # -- values and rows ----------------------------------------------------

    def value(self, node: Node, from_path: str) -> Value:
        if isinstance(node, Literal):
            text = str(node)
            datatype = None
            if node.datatype is not None and node.datatype != XSD.string:
                datatype = self.graph.namespace_manager.normalizeUri(node.datatype)
            return Value(
                text=text,
                lang=node.language,
                datatype=datatype,
                long=len(text) > LONG_LITERAL or "\n" in text,
            )
        return Value(link=self.link(node, from_path, snippet=True))

    def property_link(self, prop: URIRef, from_path: str) -> tuple[Link, str | None]:
        link = self.link(prop, from_path)
        english = self.label(prop, "en")
        return link, (english if english and english != link.text else None)

    def rows(
        self, node: Node, from_path: str, skip: Iterable[URIRef] = ()
    ) -> list[dict[str, Any]]:
        skipped = {RDF.type, *skip}
        grouped: dict[URIRef, list[Node]] = defaultdict(list)
        for prop, value in self.out.get(node, []):
            if prop not in skipped:
                grouped[prop].append(value)

        def order(prop: URIRef) -> tuple[int, str]:
            if prop in PROPERTY_ORDER:
                return (PROPERTY_ORDER.index(prop), "")
            return (len(PROPERTY_ORDER), self.label(prop).casefold())

        rows = []
        for prop in sorted(grouped, key=order):
            link, english = self.property_link(prop, from_path)
            values = [self.value(v, from_path) for v in grouped[prop]]
            values.sort(
                key=lambda v: (
                    v.lang or "",
                    natural_key(v.link.text if v.link else v.text),
                )
            )
            rows.append({"prop": link, "prop_en": english, "vals": values})
        return rows

    # -- evidence -----------------------------------------------------------

    def evidence_views(
        self, node: Node, from_path: str
    ) -> tuple[list[dict[str, Any]], set[Node]]:
        """The evidence blocks of ``node`` and the nodes they consume."""
        views: list[dict[str, Any]] = []
        consumed: set[Node] = set()
        # Evidence before skipped locations, each by IRI (the order the views
        # are sorted from).
        records = sorted(
            self.evidence.of(node), key=lambda r: (r.skipped, str(r.resource))
        )
        for record in records:
            view = self._evidence_view(record, from_path)
            if view is None:
                continue
            if record.resource is not None:
                consumed.add(record.resource)
            consumed.update(record.selectors)
            views.append(view)
        views.sort(key=lambda v: (str(v["file"]), v["start"], v["end"]))
        return views, consumed

    def _evidence_view(
        self, record: EvidenceRecord, from_path: str
    ) -> dict[str, Any] | None:
        document, start, end = record.document, record.span.start, record.span.end
        if document not in self.masked:
            return None
        # Only evidence has a quote selector (listed first); a skipped
        # passage's location records offsets only.
        quote_anchor = (
            str(record.selectors[0]).rpartition("#")[2]
            if record.selectors and not record.skipped
            else None
        )
        text = self.masked[document]
        file_name = self.files[document]
        before_start = max(0, start - CONTEXT_CHARS)
        after_end = min(len(text), end + CONTEXT_CHARS)
        source_page = self.source_page_path(document)
        heading = "Överhoppat avsnitt" if record.skipped else "Citat"
        return {
            "anchor": str(record.resource).rpartition("#")[2],
            "heading": heading,
            "document": self.link(document, from_path),
            "file": file_name,
            "start": start,
            "end": end,
            "before": text[before_start:start],
            "exact": text[start:end],
            "after": text[end:after_end],
            "before_ellipsis": "…" if before_start > 0 else "",
            "after_ellipsis": "…" if after_end < len(text) else "",
            "quote_anchor": quote_anchor,
            "source_href": _href(from_path, source_page, f"ev-{start}-{end}"),
        }

    def source_page_path(self, document: Node) -> str:
        """The site path of a source document's text page."""
        return f"sources/{_safe_segment(Path(self.files[document]).stem)}.html"

    # -- inverse links ------------------------------------------------------

    def inverse_groups(self, node: Node, from_path: str) -> list[dict[str, Any]]:
        groups: dict[tuple[URIRef, URIRef | None, bool], list[Link]] = defaultdict(list)
        for subject, prop in self.inv.get(node, []):
            if prop in INVERSE_SKIPPED:
                continue
            via_part = False
            target = subject
            if subject not in self.pages:
                owner = URIRef(str(subject).split("#", 1)[0])
                if owner not in self.pages or owner == node:
                    continue
                target, via_part = owner, True
            classes = self.types.get(target, [])
            groups[(prop, classes[0] if classes else None, via_part)].append(
                self.link(target, from_path, snippet=True)
            )
        views = []
        for (prop, cls, via_part), links in groups.items():
            unique = sorted(set(links), key=lambda link: natural_key(link.text))
            singular = self.label(cls) if cls is not None else "resurs"
            plural = PLURALS_SV.get(singular.casefold(), singular)
            prop_sv, prop_en = self.label(prop), self.label(prop, "en")
            via = " (via delresurs)" if via_part else ""
            heading = f"{_capitalise(plural)} med ”{prop_sv}” {self.label(node)}{via}"
            cls_en = self.label(cls, "en") if cls is not None else "resource"
            heading_en = f"{cls_en}: {prop_en or prop_sv}" if cls_en else None
            views.append(
                {"heading": heading, "heading_en": heading_en, "links": unique}
            )
        views.sort(key=lambda v: str(v["heading"]).casefold())
        return views

    # -- alternates ---------------------------------------------------------

    def description(self, node: Node) -> Graph:
        """The triples of ``node`` and of its hash sub-resources (evidence …)."""
        graph = bind_prefixes(Graph())
        for subject in [node, *self.children.get(node, [])]:
            for prop, value in self.out.get(subject, []):
                graph.add((subject, prop, value))
        return graph

    def alternates(
        self, path: str, graph: Graph
    ) -> tuple[dict[str, bytes], list[dict[str, str]]]:
        stem = path[: -len(".html")]
        files = {}
        links = []
        for suffix, (media_type, name, fmt) in ALTERNATES.items():
            files[stem + suffix] = serialise(graph, fmt)
            links.append(
                {
                    "type": media_type,
                    "name": name,
                    "href": _href(path, stem + suffix),
                }
            )
        return files, links

    # -- pages --------------------------------------------------------------

    def render(self, template: str, path: str, **context: object) -> bytes:
        root = _href(path, "index.html")[: -len("index.html")]
        html = self.env.get_template(template).render(
            root=root, version=__version__, **context
        )
        return html.encode("utf-8")

    def resource_page(self, node: Node) -> dict[str, bytes]:
        path = self.pages[node]
        evidence, consumed = self.evidence_views(node, path)
        parts = []
        for child in sorted(self.children.get(node, [])):
            if child in consumed:
                continue
            parts.append(
                {
                    "anchor": str(child).rpartition("#")[2],
                    "types": [
                        self.class_link(t, path) for t in self.types.get(child, [])
                    ],
                    "rows": self.rows(child, path),
                }
            )
        extras = []
        if node in self.class_pages:
            count = len(self.instances(node))
            extras.append(
                Link(
                    str(node),
                    f"Alla instanser ({count})",
                    _href(path, self.class_pages[node]),
                )
            )
        if node in self.files:
            source_page = self.source_page_path(node)
            extras.append(
                Link(
                    str(node),
                    "Källtexten (kontaktuppgifter maskerade)",
                    _href(path, source_page),
                )
            )
        files, alternates = self.alternates(path, self.description(node))
        label_sv = self.label(node)
        label_en = self._literal(node, LABEL_PROPERTIES, "en")
        files[path] = self.render(
            "resource.html",
            path,
            title=label_sv,
            alternates=alternates,
            label=label_sv,
            label_en=label_en if label_en != label_sv else None,
            iri=str(node),
            types=[self.class_link(t, path) for t in self.types.get(node, [])],
            extras=extras,
            rows=self.rows(node, path, skip=EVIDENCE_PROPERTIES),
            evidence=evidence,
            parts=parts,
            inverse=self.inverse_groups(node, path),
        )
        return files

    def class_index_pages(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        rows: list[dict[str, Any]] = []
        for cls, path in sorted(self.class_pages.items(), key=lambda kv: kv[1]):
            items = [self.link(s, path, snippet=True) for s in self.instances(cls)]
            singular = self.label(cls)
            title = _capitalise(PLURALS_SV.get(singular.casefold(), singular))
            files[path] = self.render(
                "class_index.html",
                path,
                title=title,
                title_en=self.label(cls, "en") or None,
                alternates=[],
                cls=self.link(cls, path),
                items=items,
            )
            rows.append(
                {
                    "link": Link(str(cls), title, _href("classes/index.html", path)),
                    "label_en": self.label(cls, "en"),
                    "count": len(items),
                    "curie": self.graph.namespace_manager.normalizeUri(str(cls)),
                }
            )
        rows.sort(
            key=lambda r: (
                not str(r["link"].iri).startswith(str(SKG)),
                str(r["link"].text).casefold(),
            )
        )
        files["classes/index.html"] = self.render(
            "classes.html",
            "classes/index.html",
            title="Klasser",
            alternates=[],
            rows=rows,
        )
        self.class_rows = rows
        return files

    def ontology_page(self) -> dict[str, bytes]:
        path = "ontology/index.html"
        vocab = bind_prefixes(Graph())
        vocab += self.assembled.graphs[GRAPH_ONTOLOGY]
        if GRAPH_SCHEMES in self.assembled.graphs:
            vocab += self.assembled.graphs[GRAPH_SCHEMES]
        kinds = [
            ("classes", "Klasser", "classes", OWL.Class),
            (
                "object-properties",
                "Objektegenskaper",
                "object properties",
                OWL.ObjectProperty,
            ),
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
            (
                "concept-schemes",
                "Begreppsscheman",
                "concept schemes",
                SKOS.ConceptScheme,
            ),
            ("collections", "Samlingar", "collections", SKOS.Collection),
            ("concepts", "Begrepp", "concepts", SKOS.Concept),
        ]
        sections: list[dict[str, Any]] = []
        for anchor, title, title_en, kind in kinds:
            terms: list[dict[str, Any]] = []
            for term in sorted(vocab.subjects(RDF.type, kind), key=str):
                if not str(term).startswith(str(SKG)) or term not in self.pages:
                    continue
                local = str(term)[len(str(SKG)) :]
                details: list[dict[str, Any]] = []
                for label, prop, inverse in (
                    ("underklass till", RDFS.subClassOf, False),
                    ("domän", RDFS.domain, False),
                    ("värdemängd", RDFS.range, False),
                    ("i schema", SKOS.inScheme, False),
                    ("överordnat", SKOS.broader, False),
                    ("underordnade", SKOS.broader, True),
                    ("toppbegrepp", SKOS.hasTopConcept, False),
                    ("medlemmar", SKOS.member, False),
                ):
                    values = (
                        [s for s, p in self.inv.get(term, []) if p == prop]
                        if inverse
                        else [o for p, o in self.out.get(term, []) if p == prop]
                    )
                    if values:
                        details.append(
                            {
                                "label": label,
                                "links": sorted(
                                    (self.link(v, path) for v in values),
                                    key=lambda link: str(link.text).casefold(),
                                ),
                            }
                        )
                terms.append(
                    {
                        "anchor": local,
                        "link": Link(
                            str(term), self.label(term), _href(path, self.pages[term])
                        ),
                        "label_en": self.label(term, "en"),
                        "definition": self._literal(
                            term, [SKOS.definition, RDFS.comment], "sv"
                        ),
                        "definition_en": self._literal(
                            term, [SKOS.definition, RDFS.comment], "en"
                        ),
                        "details": details,
                    }
                )
            if terms:
                sections.append(
                    {
                        "anchor": anchor,
                        "title": title,
                        "title_en": title_en,
                        "terms": terms,
                    }
                )
        # Hash IRIs dereference to this page: every term has its anchor here once.
        seen: set[str] = set()
        for section in sections:
            unique = []
            for entry in section["terms"]:
                if entry["anchor"] not in seen:
                    seen.add(entry["anchor"])
                    unique.append(entry)
            section["terms"] = unique
        files, alternates = self.alternates(path, vocab)
        files[path] = self.render(
            "ontology.html",
            path,
            title=self.label(ONTOLOGY_IRI),
            alternates=alternates,
            label=self.label(ONTOLOGY_IRI),
            label_en=self._literal(ONTOLOGY_IRI, LABEL_PROPERTIES, "en"),
            iri=str(ONTOLOGY_IRI),
            namespace=str(SKG),
            rows=self.rows(ONTOLOGY_IRI, path),
            sections=sections,
        )
        return files

    def source_pages(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        listing = []
        spans_by_doc: dict[Node, dict[tuple[int, int], list[tuple[Node, bool]]]] = (
            defaultdict(lambda: defaultdict(list))
        )
        for record in self.evidence.records:
            if record.document in self.masked:
                key = (record.span.start, record.span.end)
                spans_by_doc[record.document][key].append((record.fact, record.skipped))
        for doc in self.assembled.documents:
            document = doc.document
            file_name = doc.source.path.name
            stem = _safe_segment(Path(file_name).stem)
            path = f"sources/{stem}.html"
            txt = f"sources/{stem}.txt"
            text = self.masked[document]
            spans = spans_by_doc.get(document, {})
            body = render_marked_text(text, spans)
            rows = []
            for (start, end), facts in sorted(spans.items()):
                rows.append(
                    {
                        "anchor": f"ev-{start}-{end}",
                        "start": start,
                        "end": end,
                        "facts": sorted(
                            {self.link(f, path) for f, _ in facts},
                            key=lambda link: natural_key(link.text),
                        ),
                        "excerpt": _plain(text[start:end], 70),
                    }
                )
            title = self.label(document)
            files[txt] = text.encode("utf-8")
            files[path] = self.render(
                "source.html",
                path,
                title=title,
                alternates=[],
                document=self.link(document, path),
                file=file_name,
                length=len(text),
                txt=_href(path, txt),
                body=body,
                spans=rows,
            )
            listing.append(
                {
                    "href": _href("sources/index.html", path),
                    "txt": _href("sources/index.html", txt),
                    "title": title,
                    "file": file_name,
                    "spans": len(rows),
                    "resource": self.link(document, "sources/index.html"),
                }
            )
        files["sources/index.html"] = self.render(
            "sources.html",
            "sources/index.html",
            title="Källtexter",
            alternates=[],
            documents=listing,
        )
        return files


def render_marked_text(
    text: str, spans: dict[tuple[int, int], list[tuple[Node, bool]]]
) -> Markup:
    """The (masked) source text as HTML with one ``<span id="ev-S-E">`` per span.

    Spans nest (a commitment inside its clause); where two spans cross, the inner
    one is closed and reopened so the HTML stays well-formed. Each span's first
    element carries the anchor; later fragments only the class.

    Example:
        >>> str(render_marked_text("a<b>c", {(1, 4): []}))
        'a<span class="ev" id="ev-1-4">&lt;b&gt;</span>c'
    """
    starts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start, end in spans:
        if 0 <= start < end <= len(text):
            starts[start].append((start, end))
    points = sorted({p for s, e in spans for p in (s, e) if 0 <= s < e <= len(text)})
    out: list[str] = []
    stack: list[tuple[int, int]] = []
    position = 0

    def open_tag(span: tuple[int, int], first: bool) -> str:
        skipped = all(is_skip for _, is_skip in spans[span]) if spans[span] else False
        cls = "ev skipped" if skipped else "ev"
        anchor = f' id="ev-{span[0]}-{span[1]}"' if first else ""
        return f'<span class="{cls}"{anchor}>'

    for point in points:
        out.append(str(escape(text[position:point])))
        position = point
        # Close every open span ending here, reopening crossing inner ones.
        if any(end == point for _, end in stack):
            reopen = []
            while any(end == point for _, end in stack):
                span = stack.pop()
                out.append("</span>")
                if span[1] != point:
                    reopen.append(span)
            for span in reversed(reopen):
                out.append(open_tag(span, first=False))
                stack.append(span)
        for span in sorted(starts.get(point, []), key=lambda s: -s[1]):
            out.append(open_tag(span, first=True))
            stack.append(span)
    out.append(str(escape(text[position:])))
    out.extend("</span>" for _ in stack)
    return Markup("".join(out))


def serialise(graph: Graph, fmt: str) -> bytes:
    """Serialise a small graph deterministically (N-Triples lines sorted)."""
    if fmt == "nt":
        lines = sorted(set(graph.serialize(format="nt").splitlines()))
        return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")
    if fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        data = graph.serialize(format="json-ld", context=context)
        return canonical_json(json.loads(data)).encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")


class SiteRenderer:
    """The files of the site, made one resource at a time.

    The dataset dumps, the DCAT record and VoID are made first (``record`` is
    ready for validation before any page exists); ``files()`` then yields every
    file, so that ``publish_site`` writes each as it comes instead of holding a
    national site (~240,000 files at 1M triples) in memory.
    """

    def __init__(
        self,
        assembled: AssembledDataset,
        settings: PublicationSettings,
        *,
        issued: dt.date | None = None,
    ) -> None:
        """Index the graph, make the dumps and the catalogue record."""
        self.assembled = assembled
        self.settings = settings
        self.site = _Site(assembled, settings)
        self._dumps: dict[str, bytes] | None = serialise_dataset(assembled)
        self.distributions = []
        for suffix, data in self._dumps.items():
            media_type, title_sv, title_en = DUMP_MEDIA_TYPES[suffix]
            path = f"download/{DUMP_STEM}{suffix}"
            self.distributions.append(
                Distribution(
                    suffix.lstrip("."), path, media_type, title_sv, title_en, len(data)
                )
            )
        date = issued if issued is not None else today()
        self.record: Graph = describe_catalogue(
            self.site.graph, settings, self.distributions, issued=date
        )
        """The DCAT-AP-SE catalogue record (``dcat.ttl``, ``dcat.rdf``)."""

    def files(self) -> Iterator[tuple[str, bytes]]:
        """Every file of the site as (site-relative path, bytes), once."""
        site, settings = self.site, self.settings
        pages: list[str] = []

        def page(path: str, data: bytes) -> tuple[str, bytes]:
            if path.endswith(".html"):
                pages.append(path)
            return path, data

        yield "style.css", style_sheet().encode("utf-8")
        if self._dumps is None:
            raise RuntimeError("SiteRenderer.files() can run only once")
        dumps, self._dumps = self._dumps, None  # let each dump go once written
        for suffix in list(dumps):
            yield f"download/{DUMP_STEM}{suffix}", dumps.pop(suffix)
        for node in sorted(site.pages, key=str):
            for item in site.resource_page(node).items():
                yield page(*item)
        for rendered in (
            site.class_index_pages(),
            site.ontology_page(),
            site.source_pages(),
        ):
            for item in rendered.items():
                yield page(*item)
        yield "dcat.ttl", self.record.serialize(format="turtle", encoding="utf-8")
        yield "dcat.rdf", serialise_rdfxml(self.record)
        void = describe_void(
            site.graph, settings, [d.path for d in self.distributions]
        ).serialize(format="turtle", encoding="utf-8")
        yield "void.ttl", void
        yield ".well-known/void", void

        counts: list[dict[str, Any]] = [
            {
                **row,
                "link": Link(
                    row["link"].iri,
                    row["link"].text,
                    _href("index.html", site.class_pages[URIRef(row["link"].iri)]),
                ),
            }
            for row in site.class_rows
            if str(row["link"].iri).startswith(str(SKG))
        ]
        yield page(
            "index.html",
            site.render(
                "home.html",
                "index.html",
                title=settings.title_sv,
                alternates=[
                    {
                        "type": "text/turtle",
                        "name": "DCAT (Turtle)",
                        "href": "dcat.ttl",
                    },
                    {
                        "type": "application/rdf+xml",
                        "name": "DCAT (RDF/XML)",
                        "href": "dcat.rdf",
                    },
                ],
                settings=settings,
                triples=len(site.graph),
                graphs=len(self.assembled.graphs),
                evidence=sum(len(doc.evidence) for doc in self.assembled.documents),
                documents=len(self.assembled.documents),
                counts=counts,
                downloads=self.distributions,
            ),
        )
        yield (
            "site.json",
            (
                json.dumps(
                    {
                        "generator": f"samverkansgraf {__version__}",
                        "base_url": settings.base_url,
                        "pages": sorted(pages),
                        "alternates": {
                            suffix: media
                            for suffix, (media, _, _) in ALTERNATES.items()
                        },
                    },
                    indent=1,
                    ensure_ascii=False,
                )
                + "\n"
            ).encode("utf-8"),
        )


def render_site(
    assembled: AssembledDataset,
    settings: PublicationSettings,
    *,
    issued: dt.date | None = None,
) -> tuple[dict[str, bytes], Graph]:
    """Render every file of the site in memory (``SiteRenderer`` streams them).

    Args:
        assembled: the dataset (already validated by the caller).
        settings: publication.toml.
        issued: publication date (a ``datetime.date``; default ``today()``).

    Returns:
        Site-relative path → bytes, and the DCAT catalogue record graph.
    """
    renderer = SiteRenderer(assembled, settings, issued=issued)
    return dict(renderer.files()), renderer.record


def check_conformance(assembled: AssembledDataset, paths: ProjectPaths) -> None:
    """Refuse to publish a graph that fails the SHACL shapes (privacy included).

    Raises:
        NonConformanceError: with the first violation and how to see them all.
    """
    report = validate_graph(assembled.union(), load_shapes(paths.shapes_dir))
    report.raise_for_results()


_DIGEST = re.compile(r"[0-9a-f]{64}")


def find_published_contact_data(text: str) -> list[tuple[int, int]]:
    """Contact-data matches in published text, ignoring SHA-256 hex digests.

    A digest can contain a run of digits that looks like a phone number; it is not
    one. Everything else ``privacy.find_contact_data`` finds counts.
    """
    digests = [m.span() for m in _DIGEST.finditer(text)]
    return [
        (start, end)
        for start, end in find_contact_data(text)
        if not any(ds <= start and end <= de for ds, de in digests)
    ]


def check_privacy(files: dict[str, bytes]) -> None:
    """Refuse output that contains an e-mail address or a phone number.

    Raises:
        PublishError: naming the file and the offset of the first match.
    """
    for path, data in sorted(files.items()):
        check_file_privacy(path, data)


def check_file_privacy(path: str, data: bytes) -> None:
    """``check_privacy`` for one output file (binary files pass).

    Raises:
        PublishError: naming the file and the offset of the first match.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    found = find_published_contact_data(text)
    if found:
        start, end = found[0]
        raise PublishError(
            f"output file {path} would contain contact data at {start}–{end}",
            hint="mask it (privacy.mask_contact_data) or remove it from the data",
        )


_EARLIER_SITE = holds_files("dcat.ttl", "void.ttl", "index.html")
"""How an earlier site written before ``atomic.OUTPUT_MARKER`` existed is known."""


def publish_site(
    paths: ProjectPaths,
    out: str | Path = "site",
    *,
    settings: PublicationSettings | None = None,
) -> PublishResult:
    """Validate the dataset and write the linked-data site atomically.

    Args:
        paths: the project.
        out: the site folder (replaced whole, or left as it was on any error);
            it must be new, empty or an earlier site (``atomic.atomic_directory``).
        settings: publication metadata (default: the project's publication.toml).

    Returns:
        Counts and timing.

    Raises:
        NonConformanceError: the graph fails the SHACL shapes — nothing is written.
        PublishError: the catalogue record fails shapes/dcat, or contact data would
            be published.
        SourceError, EvidenceError: bad input. OutputError: cannot write, or
            ``out`` is a folder publish did not write.
    """
    began = time.perf_counter()
    # Issue 16: never replace a folder publish did not write (a site from before
    # the output marker is known by its catalogue files). Checked before the
    # build, so a refused --out fails at once; atomic_directory checks again.
    check_output_directory(
        out, "publish", project_root=paths.root, recognise=_EARLIER_SITE
    )
    assembled = assemble_dataset(paths)
    check_conformance(assembled, paths)
    settings = settings or load_publication(paths.root)
    renderer = SiteRenderer(assembled, settings)
    report = validate_catalogue(renderer.record, load_dcat_shapes(paths.shapes_dir))
    if not report.conforms:
        first = report.violations[0]
        raise PublishError(
            f"the DCAT-AP-SE record does not conform: <{first.focus}> {first.message}",
            path=paths.root / "publication.toml",
            hint="complete the publication metadata",
        )
    written: set[str] = set()
    # Each file is checked and written as it is made; any error (contact data,
    # a full disk) leaves the previous site as it was (atomic_directory). A path
    # made twice (the ontology's own page replaces its generic resource page)
    # keeps its last version, as it always has.
    with atomic_directory(
        out, "publish", project_root=paths.root, recognise=_EARLIER_SITE
    ) as work:
        made: set[Path] = set()
        for relative, data in renderer.files():
            check_file_privacy(relative, data)
            target = work / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)
            written.add(relative)
        # A site is for serving: world-readable like any web content.
        for directory, _, names in os.walk(work):
            os.chmod(directory, 0o755)
            for name in names:
                os.chmod(os.path.join(directory, name), 0o644)
    files = len(written)
    pages = sum(1 for path in written if path.endswith(".html"))
    warnings = [f"{r.message}" for r in report.results if r.severity != "Violation"]
    result = PublishResult(
        Path(out), pages, files, time.perf_counter() - began, warnings
    )
    log.info("published %d pages (%d files) in %.1f s", pages, files, result.seconds)
    return result
