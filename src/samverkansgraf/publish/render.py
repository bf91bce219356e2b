"""The HTML pages of the published site, rendered from the page model.

Input: a ``pages.PageContext`` (and, for the ontology and source pages, the
assembled dataset). Output: site path → bytes for each page and its alternates —
a resource page, the class index pages and their overview, the ontology overview,
and one page per source text with every evidence span marked
(``render_marked_text``). Each function returns its files; ``writer`` decides
the order in which they are written.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup, escape
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from .. import __version__
from ..build import AssembledDataset
from ..labels import natural_key
from ..namespaces import GRAPH_ONTOLOGY, GRAPH_SCHEMES, ONTOLOGY_IRI, SKG, bind_prefixes
from ..rdfio import N_TRIPLES
from .alternates import alternate_paths, triples_of_graph
from .metadata import Distribution
from .pages import (
    Link,
    PageContext,
    capitalise,
    class_link,
    evidence_blocks,
    instances,
    inverse_groups,
    link_to,
    property_rows,
    relative_href,
    safe_segment,
    shorten,
)
from .settings import PublicationSettings
from .vocabulary import (
    EVIDENCE_PROPERTIES,
    LABEL_PROPERTIES,
    ONTOLOGY_SECTIONS,
    TERM_DETAILS,
    plural_sv,
)

__all__ = [
    "CLASS_PAGE_SIZE",
    "ResourceView",
    "class_index_pages",
    "class_page_paths",
    "home_page",
    "ontology_page",
    "render_marked_text",
    "render_resource",
    "render_template",
    "resource_view",
    "source_pages",
]

CLASS_PAGE_SIZE = 1000
"""Instances listed on one class index page; a class with more gets numbered
pages. At national scale the index of the commitments listed 47,336 links on
one page (11.7 MB of HTML)."""

SpansByOffsets = dict[tuple[int, int], list[tuple[Node, bool]]]
"""(start, end) of a span in a source text → its (fact, skipped) records."""


def render_template(
    context: PageContext, template: str, path: str, **values: object
) -> bytes:
    """The page at site path ``path`` rendered from ``template`` (UTF-8 bytes).

    Every template also gets ``root`` (the relative link to the site root) and the
    package ``version``.
    """
    root = relative_href(path, "index.html")[: -len("index.html")]
    html = context.templates.get_template(template).render(
        root=root, version=__version__, **values
    )
    return html.encode("utf-8")


@dataclass(frozen=True)
class ResourceView:
    """Everything a resource page and its alternates are made from.

    The page is a function of this view alone (and of the templates and code,
    which ``reuse.page_fingerprint`` covers): two views with the same
    ``digest`` render to the same bytes, so a republish reuses the earlier
    site's files of a page whose view has not changed (``reuse``).
    """

    path: str
    """The page's site path (``id/kommun/2083.html``)."""
    values: dict[str, Any]
    """The template's values (labels, rows, evidence, parts, inverse links …)."""
    triples: list[ox.Triple]
    """The triples of its alternates, sorted."""

    def file_paths(self) -> list[str]:
        """The site paths of the page's files: its alternates, then the page."""
        return [*alternate_paths(self.path), self.path]

    def digest(self) -> str:
        """A digest of the view: the template's values (their ``repr``: every
        view-model class is a frozen dataclass, a string, a number or a
        container of them) and the triples in N-Triples."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(self.path.encode("utf-8") + b"\0")
        digest.update(repr(self.values).encode("utf-8", "surrogatepass") + b"\0")
        digest.update(ox.serialize(self.triples, format=N_TRIPLES.oxigraph) or b"")
        return digest.hexdigest()


def resource_view(
    context: PageContext, node: Node, *, profile: str | None = None
) -> ResourceView:
    """What the page of one described resource shows (``render_resource``
    renders it).

    Its properties, evidence quoted in context, hash sub-resources not consumed
    by the evidence, links to its class index / source text / profile page
    (``profile``: its site path), and inverse links.
    """
    index, labels = context.index, context.labels
    path = index.page_paths[node]
    evidence, consumed = evidence_blocks(context, node, path)
    parts = []
    for child in sorted(index.parts.get(node, [])):
        if child in consumed:
            continue
        parts.append(
            {
                "anchor": str(child).rpartition("#")[2],
                "types": [
                    class_link(context, t, path) for t in index.types.get(child, [])
                ],
                "rows": property_rows(context, child, path),
            }
        )
    extras = []
    if profile is not None:
        extras.append(
            Link(
                str(node),
                "Profil: överenskommelser, åtaganden, aktiviteter, nätverk",
                relative_href(path, profile),
            )
        )
    if node in index.class_pages:
        count = len(instances(context, node))
        extras.append(
            Link(
                str(node),
                f"Alla instanser ({count})",
                relative_href(path, index.class_pages[node]),
            )
        )
    if node in index.file_names:
        source_page = index.source_page_path(node)
        extras.append(
            Link(
                str(node),
                "Källtexten (kontaktuppgifter maskerade)",
                relative_href(path, source_page),
            )
        )
    label_sv = labels.label(node)
    label_en = labels.literal(node, LABEL_PROPERTIES, "en")
    values = {
        "title": label_sv,
        "label": label_sv,
        "label_en": label_en if label_en != label_sv else None,
        "iri": str(node),
        "types": [class_link(context, t, path) for t in index.types.get(node, [])],
        "extras": extras,
        "rows": property_rows(context, node, path, skip=EVIDENCE_PROPERTIES),
        "evidence": evidence,
        "parts": parts,
        "inverse": inverse_groups(context, node, path),
    }
    return ResourceView(path, values, context.triples.of(index.described(node)))


def render_resource(context: PageContext, view: ResourceView) -> dict[str, bytes]:
    """The page of ``view`` and its alternates: site path → bytes."""
    files, alternates = context.alternates.files(view.path, view.triples)
    files[view.path] = render_template(
        context, "resource.html", view.path, alternates=alternates, **view.values
    )
    return files


def class_page_paths(path: str, count: int) -> list[str]:
    """The site paths of the index of a class of ``count`` instances: ``path``
    (``classes/skg-Commitment.html``, what links to the class point at) and,
    past ``CLASS_PAGE_SIZE``, numbered pages in a folder of its name
    (``classes/skg-Commitment/2.html`` …; a folder, so that no class's own
    page name can be taken).

    Example:
        >>> class_page_paths("classes/skg-Clause.html", 1500)
        ['classes/skg-Clause.html', 'classes/skg-Clause/2.html']
    """
    pages = max(1, -(-count // CLASS_PAGE_SIZE))
    folder = path.removesuffix(".html")
    return [path, *(f"{folder}/{number}.html" for number in range(2, pages + 1))]


def class_index_pages(
    context: PageContext, *, profiles: Mapping[URIRef, str] | None = None
) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """The index pages of every class of some page resource, and their overview.

    A class's instances are listed in natural order of their labels,
    ``CLASS_PAGE_SIZE`` to a page (``class_page_paths``), each page with links
    to the others. ``profiles`` (resource → profile page path) adds, on the
    first page of a class whose instances have one, a link to each profile.

    Returns:
        The files (``classes/…``), and the overview's rows (link, English label,
        instance count, CURIE; the ontology's own classes first), which the home
        page lists again.
    """
    index, labels = context.index, context.labels
    files: dict[str, bytes] = {}
    rows: list[dict[str, Any]] = []
    for cls, path in sorted(index.class_pages.items(), key=lambda kv: kv[1]):
        members = instances(context, cls)
        title = capitalise(plural_sv(labels.label(cls)))
        paths = class_page_paths(path, len(members))
        profiled = [  # on the first page only
            Link(str(s), labels.label(s), relative_href(path, (profiles or {})[s]))
            for s in members
            if isinstance(s, URIRef) and s in (profiles or {})
        ]
        for number, page in enumerate(paths, 1):
            first = (number - 1) * CLASS_PAGE_SIZE
            shown = members[first : first + CLASS_PAGE_SIZE]
            pager = [
                {
                    "number": n,
                    "href": relative_href(page, other),
                    "current": n == number,
                }
                for n, other in enumerate(paths, 1)
            ]
            files[page] = render_template(
                context,
                "class_index.html",
                page,
                title=title if number == 1 else f"{title}, sida {number}",
                heading=title,
                title_en=labels.label(cls, "en") or None,
                alternates=[],
                cls=link_to(context, cls, page),
                count=len(members),
                items=[link_to(context, s, page, snippet=True) for s in shown],
                pager=pager if len(paths) > 1 else [],
                number=number,
                first=first + 1,
                last=first + len(shown),
                profiles=profiled if number == 1 else [],
                profile_index=relative_href(page, "profil/index.html"),
            )
        rows.append(
            {
                "link": Link(
                    str(cls), title, relative_href("classes/index.html", path)
                ),
                "label_en": labels.label(cls, "en"),
                "count": len(members),
                "curie": index.graph.namespace_manager.normalizeUri(str(cls)),
            }
        )
    rows.sort(
        key=lambda r: (
            not str(r["link"].iri).startswith(str(SKG)),
            str(r["link"].text).casefold(),
        )
    )
    files["classes/index.html"] = render_template(
        context,
        "classes.html",
        "classes/index.html",
        title="Klasser",
        alternates=[],
        rows=rows,
    )
    return files, rows


def ontology_page(
    context: PageContext, assembled: AssembledDataset
) -> dict[str, bytes]:
    """The ontology overview (``ontology/index.html``) and its alternates.

    One section per kind of term (``ONTOLOGY_SECTIONS``), each term with its
    definitions and ``TERM_DETAILS``; every term has its anchor here exactly once,
    so that hash IRIs of the ontology resolve.
    """
    index, labels = context.index, context.labels
    path = "ontology/index.html"
    vocab = bind_prefixes(Graph())
    vocab += assembled.graphs[GRAPH_ONTOLOGY]
    if GRAPH_SCHEMES in assembled.graphs:
        vocab += assembled.graphs[GRAPH_SCHEMES]
    sections: list[dict[str, Any]] = []
    for anchor, title, title_en, kind in ONTOLOGY_SECTIONS:
        terms: list[dict[str, Any]] = []
        for term in sorted(vocab.subjects(RDF.type, kind), key=str):
            if not str(term).startswith(str(SKG)) or term not in index.page_paths:
                continue
            local = str(term)[len(str(SKG)) :]
            details: list[dict[str, Any]] = []
            for label, prop, inverse in TERM_DETAILS:
                values = (
                    [s for s, p in index.incoming.get(term, []) if p == prop]
                    if inverse
                    else [o for p, o in index.outgoing.get(term, []) if p == prop]
                )
                if values:
                    details.append(
                        {
                            "label": label,
                            "links": sorted(
                                (link_to(context, v, path) for v in values),
                                key=lambda link: (str(link.text).casefold(), link.iri),
                            ),
                        }
                    )
            terms.append(
                {
                    "anchor": local,
                    "link": Link(
                        str(term),
                        labels.label(term),
                        relative_href(path, index.page_paths[term]),
                    ),
                    "label_en": labels.label(term, "en"),
                    "definition": labels.literal(
                        term, [SKOS.definition, RDFS.comment], "sv"
                    ),
                    "definition_en": labels.literal(
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
    files, alternates = context.alternates.files(path, triples_of_graph(vocab))
    files[path] = render_template(
        context,
        "ontology.html",
        path,
        title=labels.label(ONTOLOGY_IRI),
        alternates=alternates,
        label=labels.label(ONTOLOGY_IRI),
        label_en=labels.literal(ONTOLOGY_IRI, LABEL_PROPERTIES, "en"),
        iri=str(ONTOLOGY_IRI),
        namespace=str(SKG),
        rows=property_rows(context, ONTOLOGY_IRI, path),
        sections=sections,
    )
    return files


def source_pages(context: PageContext, assembled: AssembledDataset) -> dict[str, bytes]:
    """One page and one plain-text file per source text, and their listing.

    The text is the masked one (contact data replaced one for one, so evidence
    offsets stay valid), with every evidence span marked and listed.
    """
    index, labels = context.index, context.labels
    files: dict[str, bytes] = {}
    listing = []
    spans_by_doc: dict[Node, SpansByOffsets] = defaultdict(lambda: defaultdict(list))
    for record in index.evidence.records:
        if record.document in index.masked_texts:
            key = (record.span.start, record.span.end)
            spans_by_doc[record.document][key].append((record.fact, record.skipped))
    for doc in assembled.documents:
        document = doc.document
        file_name = doc.source.path.name
        stem = safe_segment(Path(file_name).stem)
        path = f"sources/{stem}.html"
        txt = f"sources/{stem}.txt"
        text = index.masked_texts[document]
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
                        {link_to(context, f, path) for f, _ in facts},
                        key=lambda link: (natural_key(link.text), link.iri),
                    ),
                    "excerpt": shorten(text[start:end], 70),
                }
            )
        title = labels.label(document)
        files[txt] = text.encode("utf-8")
        files[path] = render_template(
            context,
            "source.html",
            path,
            title=title,
            alternates=[],
            document=link_to(context, document, path),
            file=file_name,
            length=len(text),
            txt=relative_href(path, txt),
            body=body,
            spans=rows,
        )
        listing.append(
            {
                "href": relative_href("sources/index.html", path),
                "txt": relative_href("sources/index.html", txt),
                "title": title,
                "file": file_name,
                "spans": len(rows),
                "resource": link_to(context, document, "sources/index.html"),
            }
        )
    files["sources/index.html"] = render_template(
        context,
        "sources.html",
        "sources/index.html",
        title="Källtexter",
        alternates=[],
        documents=listing,
    )
    return files


def home_page(
    context: PageContext,
    assembled: AssembledDataset,
    settings: PublicationSettings,
    class_rows: list[dict[str, Any]],
    distributions: list[Distribution],
) -> bytes:
    """The home page (``index.html``): the dataset in figures and its downloads.

    Args:
        context: the site.
        assembled: the dataset (graph, evidence and document counts).
        settings: publication.toml (title, publisher …).
        class_rows: the class overview's rows (``class_index_pages``); the home
            page lists the ontology's own classes among them.
        distributions: the dumps in ``download/``.
    """
    index = context.index
    counts: list[dict[str, Any]] = [
        {
            **row,
            "link": Link(
                row["link"].iri,
                row["link"].text,
                relative_href("index.html", index.class_pages[URIRef(row["link"].iri)]),
            ),
        }
        for row in class_rows
        if str(row["link"].iri).startswith(str(SKG))
    ]
    return render_template(
        context,
        "home.html",
        "index.html",
        title=settings.title_sv,
        alternates=[
            {"type": "text/turtle", "name": "DCAT (Turtle)", "href": "dcat.ttl"},
            {
                "type": "application/rdf+xml",
                "name": "DCAT (RDF/XML)",
                "href": "dcat.rdf",
            },
        ],
        settings=settings,
        triples=len(index.graph),
        graphs=len(assembled.graphs),
        evidence=sum(len(doc.evidence) for doc in assembled.documents),
        documents=len(assembled.documents),
        counts=counts,
        downloads=distributions,
    )


def render_marked_text(text: str, spans: SpansByOffsets) -> Markup:
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
