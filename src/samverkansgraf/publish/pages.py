"""The page model of the published site: which resources get pages, and what is on them.

Input: the assembled dataset. Output: view models for the templates — ``Link`` and
``Value`` objects, the property rows of a resource, its inverse links grouped by
property and class, and its evidence quoted in context from the (masked) source
text. ``page_path`` maps an IRI to its page; ``SiteIndex`` indexes the graph once;
``SiteLabels`` names every node; ``PageContext`` carries both (and the templates)
to every page. Nothing here writes or renders a file (``render`` does).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox
from jinja2 import Environment
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ..build import AssembledDataset, UnionTriples, serialise_dataset
from ..evidence import EvidenceIndex, EvidenceRecord
from ..labels import find_label, natural_key
from ..namespaces import ONTOLOGY_IRI, SKG, SKGID
from ..privacy import mask_contact_data
from ..rdfio import N_QUADS
from .html import make_environment
from .vocabulary import (
    EXTERNAL_LABELS,
    INVERSE_SKIPPED,
    LABEL_PROPERTIES,
    PROPERTY_ORDER,
    plural_sv,
)

if TYPE_CHECKING:  # alternates reads relative_href from here
    from .alternates import AlternateWriter, PageTriples

__all__ = [
    "INVERSE_LISTED",
    "Link",
    "PageContext",
    "SiteIndex",
    "SiteLabels",
    "Value",
    "capitalise",
    "class_link",
    "evidence_blocks",
    "instances",
    "inverse_groups",
    "inverse_query_href",
    "link_to",
    "page_path",
    "property_rows",
    "relative_href",
    "safe_segment",
    "shorten",
    "value_of",
]

CONTEXT_CHARS = 240
"""Characters of source text shown on each side of a quote."""
LONG_LITERAL = 160
"""A literal longer than this (or with a line break) is shown as a block."""
INVERSE_LISTED = 1000
"""Links listed per group of resources pointing at a page's resource; a
larger group is counted, its first links listed and the rest left to a query
on the query page. At national scale the page of the modality "vill" listed
the 16,762 commitments that have it (4.2 MB of HTML)."""


@dataclass(frozen=True)
class Link:
    """A link to a page, an external IRI, or just a shown IRI (``href`` None)."""

    iri: str
    text: str
    href: str | None
    external: bool = False
    lang: str | None = None
    snippet: str | None = None

    def __html__(self) -> str:
        """The link's markup, as templates insert it (``{{ link }}``): an
        ``<a>`` (``class="external"`` off the site), or a ``<span>`` showing
        the IRI when nothing answers it; the snippet after it."""
        iri, text = escape(self.iri), escape(self.text)
        lang = f' lang="{escape(self.lang)}"' if self.lang else ""
        if self.href is None:
            html = f'<span class="iri" title="{iri}"{lang}>{text}</span>'
        else:
            external = ' class="external"' if self.external else ""
            href = escape(self.href)
            html = f'<a{external} href="{href}" title="{iri}"{lang}>{text}</a>'
        if self.snippet:
            html += f' <span class="snippet">{escape(self.snippet)}</span>'
        return html


@dataclass(frozen=True)
class Value:
    """A property value: a link or a literal."""

    link: Link | None = None
    text: str = ""
    lang: str | None = None
    datatype: str | None = None
    long: bool = False

    def __html__(self) -> str:
        """The value's markup, as templates insert it (``{{ value }}``): its
        link, or the literal in a ``<span>`` (a block when long) with its
        language and datatype tags. Rendered here rather than by a Jinja macro:
        a national site shows millions of values (a macro call each cost
        ~15 % of writing a resource page)."""
        if self.link is not None:
            return self.link.__html__()
        long = " long" if self.long else ""
        lang = f' lang="{escape(self.lang)}"' if self.lang else ""
        html = f'<span class="literal{long}"{lang}>{escape(self.text)}</span>'
        if self.lang:
            html += f' <span class="tag">@{escape(self.lang)}</span>'
        if self.datatype:
            html += f' <span class="tag">{escape(self.datatype)}</span>'
        return html


@functools.lru_cache(maxsize=1 << 18)
def page_path(iri: str) -> tuple[str, str] | None:
    """The site path of the page describing ``iri``, and the anchor on it
    (memoised: a municipality or a theme is linked from thousands of pages).

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
        return f"ontology/{safe_segment(local)}.html", ""
    if iri.startswith(str(SKGID)):
        rest, _, anchor = iri[len(str(SKGID)) :].partition("#")
        segments = [s for s in rest.split("/")]
        if not rest or rest.endswith("/"):
            segments = [s for s in segments if s] + ["index"]
        if any(s in ("", ".", "..") for s in segments):
            return None
        return "id/" + "/".join(safe_segment(s) for s in segments) + ".html", anchor
    return None


def safe_segment(segment: str) -> str:
    """One path segment percent-encoded for a file name (unreserved kept).

    Example:
        >>> safe_segment("Kommun å/1")
        'Kommun%20%C3%A5%2F1'
    """
    return quote(segment, safe="-._~")


def relative_href(from_path: str, to_path: str, anchor: str = "") -> str:
    """A relative link from one site file to another (works from any folder).

    Example:
        >>> relative_href("id/kommun/2083.html", "classes/index.html", "x")
        '../../classes/index.html#x'
    """
    # A site path has no doubled or trailing "/": its folder is what comes
    # before the last one (``posixpath.dirname``'s answer, without its calls).
    href = _relative_path(from_path.rpartition("/")[0], to_path)
    return f"{href}#{_quoted_anchor(anchor)}" if anchor else href


@functools.lru_cache(maxsize=65536)
def _quoted_anchor(anchor: str) -> str:
    """A fragment percent-encoded like a path segment (memoised: the same
    evidence anchors are linked from the pages of a fact and of its parts)."""
    return quote(anchor, safe="-._~")


@functools.lru_cache(maxsize=65536)
def _relative_path(from_dir: str, to_path: str) -> str:
    """``posixpath.relpath(to_path, from_dir or ".")``, quoted, for two
    normalised site paths — computed from their segments, without the working
    directory ``relpath`` asks the system for on every call (a fifth of
    rendering a national site's pages), and memoised: a site's pages live in
    a few dozen folders."""
    start = from_dir.split("/") if from_dir else []
    target = to_path.split("/")
    common = 0
    for mine, theirs in zip(start, target, strict=False):
        if mine != theirs:
            break
        common += 1
    rel = "/".join([".."] * (len(start) - common) + target[common:]) or "."
    return quote(rel, safe="/-._~")


def capitalise(text: str) -> str:
    """``text`` with its first character upper-cased (the rest untouched)."""
    return text[:1].upper() + text[1:]


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis.

    Example:
        >>> shorten("ett  långt\\n citat", 8)
        'ett lån…'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _type_rank(cls: Node) -> tuple[int, str]:
    """Our own classes first, then the reused ones, each by IRI."""
    return (0 if str(cls).startswith(str(SKG)) else 1, str(cls))


class SiteIndex:
    """The graph indexed the way the pages read it, built once per site."""

    def __init__(
        self, assembled: AssembledDataset, union: Graph | UnionTriples | None = None
    ) -> None:
        """Index the union graph (``union``, made here when not given), the
        source texts and the evidence records."""
        if union is None:
            union = assembled.union_triples()
        elif isinstance(union, Graph):
            union = UnionTriples([union])
        self.graph: UnionTriples = union
        """The union of the dataset's named graphs."""
        self.outgoing: dict[Node, list[tuple[URIRef, Node]]] = defaultdict(list)
        """Subject → its (property, value) pairs (the union's own lists)."""
        self.incoming: dict[Node, list[tuple[Node, URIRef]]] = defaultdict(list)
        """IRI object → the (subject, property) pairs that point at it."""
        for s, pairs in union.by_subject.items():
            if isinstance(s, URIRef):  # every predicate is an IRI
                self.outgoing[s] = pairs  # type: ignore[assignment]
                for p, o in pairs:
                    if isinstance(o, URIRef):
                        self.incoming[o].append((s, p))  # type: ignore[arg-type]
        self.page_paths: dict[Node, str] = {}
        """Described IRIs with a page of their own (no anchor) → the page path."""
        self.parts: dict[Node, list[URIRef]] = defaultdict(list)
        """A page resource → its described hash sub-resources (``…#evidence``)."""
        for s in self.outgoing:
            mapped = page_path(str(s))
            if mapped is None:
                continue
            path, anchor = mapped
            if anchor:
                owner = URIRef(str(s).split("#", 1)[0])
                self.parts[owner].append(URIRef(str(s)))
            else:
                self.page_paths[s] = path
        # rdflib's URIRef.__eq__ (and RDF.type, looked up through the
        # namespace's __getattr__) are Python calls: once per triple, the
        # index took 3.1 s at L instead of 2.3 s, before the first page. A
        # URIRef equals rdf:type exactly when it is a URIRef with its text.
        rdf_type = str(RDF.type)
        self.types: dict[Node, list[URIRef]] = {
            s: sorted(
                (
                    o
                    for p, o in pairs
                    if type(p) is URIRef
                    and str.__eq__(p, rdf_type)
                    and isinstance(o, URIRef)
                ),
                key=_type_rank,
            )
            for s, pairs in self.outgoing.items()
        }
        """Subject → its IRI classes, the ontology's own first."""
        self.masked_texts: dict[Node, str] = {
            doc: mask_contact_data(text) for doc, text in assembled.texts.items()
        }
        """Source document → its text with contact data masked (same offsets)."""
        self.file_names: dict[Node, str] = {
            doc.document: doc.source.path.name for doc in assembled.documents
        }
        """Source document → the file name of its text."""
        # The build's resolved records: evidence is read once, not from triples.
        self.evidence: EvidenceIndex = EvidenceIndex.of_documents(assembled.documents)
        """The build's evidence records, by fact."""
        self.class_pages: dict[Node, str] = self._class_pages()
        """Class of some page resource → the path of its index page."""

    def _class_pages(self) -> dict[Node, str]:
        pages: dict[Node, str] = {}
        for cls in {c for s in self.page_paths for c in self.types.get(s, [])}:
            try:
                prefix, _, local = self.graph.namespace_manager.compute_qname(
                    cls, generate=False
                )
                name = f"{prefix}-{local}"
            except (ValueError, KeyError):
                name = re.sub(r"[^A-Za-z0-9]+", "-", str(cls)).strip("-")
            pages[cls] = f"classes/{safe_segment(name)}.html"
        return pages

    def described(self, node: Node) -> list[str]:
        """The IRIs a page describes: ``node`` and its hash sub-resources
        (evidence …); their triples are its alternates."""
        return [str(node), *map(str, self.parts.get(node, []))]

    def source_page_path(self, document: Node) -> str:
        """The site path of a source document's text page."""
        return f"sources/{safe_segment(Path(self.file_names[document]).stem)}.html"


class _OutgoingLookup:
    """``Graph.objects`` answered from the index's subject → (property, value)
    lists: a label asks for six properties of one node, which rdflib's triple
    patterns answer ~20× slower (46 s of a national site's pages). Nodes the
    index does not list (blank nodes) are asked of the graph itself."""

    def __init__(self, index: SiteIndex) -> None:
        self.index = index

    def objects(self, subject: Node, predicate: URIRef) -> Iterator[Node]:
        pairs = self.index.outgoing.get(subject)
        if pairs is None and not isinstance(subject, URIRef):
            yield from self.index.graph.objects(subject, predicate)
            return
        # Compared as strings: rdflib's ``URIRef.__eq__`` is Python code, a
        # third of a label's cost, and both sides are always IRIs here.
        wanted = str(predicate)
        for prop, value in pairs or ():
            if str.__eq__(prop, wanted):
                yield value


class SiteLabels:
    """The display label of every node, in Swedish and English (memoised)."""

    def __init__(self, index: SiteIndex) -> None:
        """Name the nodes of ``index`` (its graph, types and evidence)."""
        self.index = index
        """The graph the labels are read from."""
        self._lookup = _OutgoingLookup(index)
        self._cache: dict[tuple[Node, str], str] = {}
        self._snippets: dict[Node, str | None] = {}
        self._literals: dict[tuple[Node, tuple[URIRef, ...], str], str | None] = {}

    def literal(self, node: Node, props: Iterable[URIRef], lang: str) -> str | None:
        """A value of ``props`` in exactly ``lang`` (the shared rule, no fallback;
        memoised: a fact's page and every page linking it ask)."""
        key = (node, tuple(props), lang)
        if key not in self._literals:
            self._literals[key] = find_label(
                self._lookup, node, lang, key[1], any_language=False
            )
        return self._literals[key]

    def label(self, node: Node, lang: str = "sv") -> str:
        """The display label of ``node`` in ``lang`` (falling back sensibly)."""
        key = (node, lang)
        if key in self._cache:
            return self._cache[key]
        # Swedish is the site's main language: a page always has a Swedish
        # title, so only Swedish falls back to other languages and to a name
        # made from the IRI; an English label is shown only when one exists.
        text = find_label(
            self._lookup, node, lang, LABEL_PROPERTIES, any_language=lang == "sv"
        )
        if text is None and lang == "sv":
            if node in EXTERNAL_LABELS:
                text = EXTERNAL_LABELS[node][0]
            else:
                text = self._fallback_label(node)
        if text is None and lang == "en" and node in EXTERNAL_LABELS:
            text = EXTERNAL_LABELS[node][1]
        self._cache[key] = text or ""
        return text or ""

    def _fallback_label(self, node: Node) -> str:
        iri = str(node)
        if "#" in iri and iri.startswith(str(SKGID)):
            owner = URIRef(iri.split("#", 1)[0])
            return f"{self.label(owner)} › {iri.split('#', 1)[1]}"
        if iri.startswith(str(SKGID)):
            kind, _, rest = iri[len(str(SKGID)) :].partition("/")
            classes = self.index.types.get(node, [])
            name = self.label(classes[0]) if classes else kind
            return capitalise(f"{name} {rest or kind}")
        try:
            curie = self.index.graph.namespace_manager.normalizeUri(str(node))
        except (ValueError, KeyError):  # pragma: no cover - rdflib edge cases
            return iri
        return iri if curie.startswith("<") else curie

    def snippet(self, node: Node) -> str | None:
        """A short excerpt of the first evidence quote, for unlabeled facts
        (memoised: a fact is linked from many pages)."""
        if node in self._snippets:
            return self._snippets[node]
        found = self._snippet(node)
        self._snippets[node] = found
        return found

    def _snippet(self, node: Node) -> str | None:
        if self.literal(node, LABEL_PROPERTIES, "sv") is not None:
            return None
        # The first evidence by its IRI (``#evidence`` before ``#evidence-2``).
        quoted = sorted(
            (r for r in self.index.evidence.of(node) if not r.skipped),
            key=lambda r: str(r.resource),
        )
        for record in quoted:
            if record.span.exact:
                return "”" + shorten(record.span.exact, 90) + "”"
        return None


@dataclass(frozen=True)
class PageContext:
    """What every page needs: the indexed graph, its labels and the templates."""

    index: SiteIndex
    """The graph, page paths, source texts and evidence."""
    labels: SiteLabels
    """Display labels of the index's nodes."""
    templates: Environment
    """The Jinja2 environment of ``templates/``."""
    triples: PageTriples
    """Each page's triples, from the dataset's Oxigraph store (its alternates)."""
    alternates: AlternateWriter
    """Writes the alternates (and counts RDF/XML fallbacks)."""

    @classmethod
    def of(
        cls,
        assembled: AssembledDataset,
        store: ox.Store | None = None,
        union: Graph | UnionTriples | None = None,
    ) -> PageContext:
        """Index ``assembled`` and load the templates.

        Args:
            assembled: the dataset.
            store: an Oxigraph store of the same dataset (``writer`` loads one
                from the N-Quads dump it publishes); made here when not given.
            union: ``assembled.union_triples()`` (or ``union()``) when the
                caller has it already.
        """
        from .alternates import AlternateWriter, PageTriples

        if store is None:
            store = ox.Store()
            store.bulk_load(
                serialise_dataset(assembled)[N_QUADS.suffix], N_QUADS.oxigraph
            )
        index = SiteIndex(assembled, union)
        return cls(
            index,
            SiteLabels(index),
            make_environment(),
            PageTriples(store),
            AlternateWriter(),
        )


# -- links and values ---------------------------------------------------------


def link_to(
    context: PageContext, node: Node, from_path: str, *, snippet: bool = False
) -> Link:
    """A link from ``from_path`` to ``node``'s page, an external link, or a shown IRI.

    Args:
        context: the site.
        node: the target.
        from_path: the site path of the page the link is on.
        snippet: add the first evidence quote of an unlabeled fact.
    """
    index, labels = context.index, context.labels
    iri = str(node)
    mapped = page_path(iri)
    label = labels.label(node)
    if mapped is not None:
        path, anchor = mapped
        owner = URIRef(iri.split("#", 1)[0]) if anchor else node
        if owner in index.page_paths and (not anchor or node in index.outgoing):
            return Link(
                iri,
                label,
                relative_href(from_path, path, anchor),
                snippet=labels.snippet(node) if snippet else None,
            )
        return Link(iri, label, None)
    if iri.startswith(("http://", "https://")):
        return Link(iri, label, iri, external=True)
    return Link(iri, label, None)


def class_link(context: PageContext, cls: Node, from_path: str) -> Link:
    """A class: its index page when it has one, else its term page / IRI."""
    class_pages = context.index.class_pages
    if cls in class_pages:
        return Link(
            str(cls),
            context.labels.label(cls),
            relative_href(from_path, class_pages[cls]),
        )
    return link_to(context, cls, from_path)


def instances(context: PageContext, cls: Node) -> list[Node]:
    """Page resources typed ``cls`` (directly), in natural order of their labels."""
    index = context.index
    return sorted(
        (
            s
            for s, _ in index.incoming.get(cls, [])
            if s in index.page_paths and (s, RDF.type, cls) in index.graph
        ),
        key=lambda s: (natural_key(context.labels.label(s)), str(s)),
    )


def value_of(context: PageContext, node: Node, from_path: str) -> Value:
    """A property value as shown: a literal (with language, datatype) or a link."""
    if isinstance(node, Literal):
        text = str(node)
        datatype = None
        if node.datatype is not None and node.datatype != XSD.string:
            namespaces = context.index.graph.namespace_manager
            datatype = namespaces.normalizeUri(node.datatype)
        return Value(
            text=text,
            lang=node.language,
            datatype=datatype,
            long=len(text) > LONG_LITERAL or "\n" in text,
        )
    return Value(link=link_to(context, node, from_path, snippet=True))


def property_link(
    context: PageContext, prop: URIRef, from_path: str
) -> tuple[Link, str | None]:
    """A property's link and its English label when that differs from the Swedish."""
    link = link_to(context, prop, from_path)
    english = context.labels.label(prop, "en")
    return link, (english if english and english != link.text else None)


def property_rows(
    context: PageContext, node: Node, from_path: str, skip: Iterable[URIRef] = ()
) -> list[dict[str, Any]]:
    """The rows of ``node``'s page: one per property (``rdf:type`` and ``skip`` left
    out), the label properties first (``PROPERTY_ORDER``), the rest by label, and
    each row's values by language and natural order."""
    skipped = {RDF.type, *skip}
    grouped: dict[URIRef, list[Node]] = defaultdict(list)
    for prop, value in context.index.outgoing.get(node, []):
        if prop not in skipped:
            grouped[prop].append(value)

    def order(prop: URIRef) -> tuple[int, str, str]:
        if prop in PROPERTY_ORDER:
            return (PROPERTY_ORDER.index(prop), "", "")
        return (len(PROPERTY_ORDER), context.labels.label(prop).casefold(), str(prop))

    rows = []
    for prop in sorted(grouped, key=order):
        link, english = property_link(context, prop, from_path)
        values = [value_of(context, v, from_path) for v in grouped[prop]]
        values.sort(
            key=lambda v: (
                v.lang or "",
                natural_key(v.link.text if v.link else v.text),
                v.link.iri if v.link else v.datatype or "",
            )
        )
        rows.append({"prop": link, "prop_en": english, "vals": values})
    return rows


# -- inverse links --------------------------------------------------------------


def inverse_groups(
    context: PageContext, node: Node, from_path: str
) -> list[dict[str, Any]]:
    """The resources pointing at ``node``, grouped by property and class.

    A hash sub-resource pointing here is shown as its owner's page ("via
    delresurs"); ``INVERSE_SKIPPED`` properties are left out.
    """
    index, labels = context.index, context.labels
    groups: dict[tuple[URIRef, URIRef | None, bool], list[Link]] = defaultdict(list)
    for subject, prop in index.incoming.get(node, []):
        if prop in INVERSE_SKIPPED:
            continue
        via_part = False
        target = subject
        if subject not in index.page_paths:
            owner = URIRef(str(subject).split("#", 1)[0])
            if owner not in index.page_paths or owner == node:
                continue
            target, via_part = owner, True
        classes = index.types.get(target, [])
        groups[(prop, classes[0] if classes else None, via_part)].append(
            link_to(context, target, from_path, snippet=True)
        )
    views = []
    for (prop, cls, via_part), links in groups.items():
        unique = sorted(set(links), key=lambda link: (natural_key(link.text), link.iri))
        plural = plural_sv(labels.label(cls) if cls is not None else "resurs")
        prop_sv, prop_en = labels.label(prop), labels.label(prop, "en")
        via = " (via delresurs)" if via_part else ""
        heading = f"{capitalise(plural)} med ”{prop_sv}” {labels.label(node)}{via}"
        cls_en = labels.label(cls, "en") if cls is not None else "resource"
        heading_en = f"{cls_en}: {prop_en or prop_sv}" if cls_en else None
        views.append(
            {
                "heading": heading,
                "heading_en": heading_en,
                "links": unique[:INVERSE_LISTED],
                "count": len(unique),
                "query": (  # for the links left out
                    inverse_query_href(from_path, node, prop, cls, via_part, heading)
                    if len(unique) > INVERSE_LISTED
                    else None
                ),
            }
        )
    views.sort(key=lambda v: str(v["heading"]).casefold())
    return views


def inverse_query_href(
    from_path: str,
    node: Node,
    prop: Node,
    cls: Node | None,
    via_part: bool,
    heading: str,
) -> str:
    """A link from ``from_path`` to the query page with the query for a whole
    group of ``inverse_groups`` (whose first links a page lists): the
    resources of class ``cls`` whose ``prop`` is ``node`` — or, for a group
    ``via_part``, the resources whose hash sub-resources have it. ``heading``
    names the group in the query's comment.

    Example:
        >>> inverse_query_href("id/region/20.html", URIRef("https://w3id.org/x"),
        ...     URIRef("https://w3id.org/p"), None, False, "x").split("?")[0]
        '../../query.html'
    """
    typed = f"\n  ?resource a <{cls}> ." if cls is not None else ""
    if via_part:
        pattern = (
            f'?part <{prop}> <{node}> . FILTER(CONTAINS(STR(?part), "#"))\n'
            '  BIND(IRI(STRBEFORE(STR(?part), "#")) AS ?resource)' + typed
        )
    else:
        pattern = f"?resource <{prop}> <{node}> .{typed}"
    query = (
        f"# {' '.join(heading.split())}\n"
        f"SELECT DISTINCT ?resource WHERE {{\n  {pattern}\n}}\nORDER BY ?resource\n"
    )
    return relative_href(from_path, "query.html") + "?sparql=" + quote(query, safe="")


# -- evidence -------------------------------------------------------------------


def evidence_blocks(
    context: PageContext, node: Node, from_path: str
) -> tuple[list[dict[str, Any]], set[Node]]:
    """The evidence blocks of ``node`` and the nodes they consume.

    Each block quotes the span in ``CONTEXT_CHARS`` of masked source text on each
    side and links to the span on the source page; the consumed nodes (the
    evidence resource and its selectors) are not listed again as parts.
    """
    views: list[dict[str, Any]] = []
    consumed: set[Node] = set()
    # Evidence before skipped locations, each by IRI (the order the views
    # are sorted from).
    records = sorted(
        context.index.evidence.of(node), key=lambda r: (r.skipped, str(r.resource))
    )
    for record in records:
        view = _evidence_block(context, record, from_path)
        if view is None:
            continue
        if record.resource is not None:
            consumed.add(record.resource)
        consumed.update(record.selectors)
        views.append(view)
    views.sort(key=lambda v: (str(v["file"]), v["start"], v["end"]))
    return views, consumed


def _evidence_block(
    context: PageContext, record: EvidenceRecord, from_path: str
) -> dict[str, Any] | None:
    index = context.index
    document, start, end = record.document, record.span.start, record.span.end
    if document not in index.masked_texts:
        return None
    # Only evidence has a quote selector (listed first); a skipped
    # passage's location records offsets only.
    quote_anchor = (
        str(record.selectors[0]).rpartition("#")[2]
        if record.selectors and not record.skipped
        else None
    )
    text = index.masked_texts[document]
    file_name = index.file_names[document]
    before_start = max(0, start - CONTEXT_CHARS)
    after_end = min(len(text), end + CONTEXT_CHARS)
    source_page = index.source_page_path(document)
    heading = "Överhoppat avsnitt" if record.skipped else "Citat"
    return {
        "anchor": str(record.resource).rpartition("#")[2],
        "heading": heading,
        "document": link_to(context, document, from_path),
        "file": file_name,
        "start": start,
        "end": end,
        "before": text[before_start:start],
        "exact": text[start:end],
        "after": text[end:after_end],
        "before_ellipsis": "…" if before_start > 0 else "",
        "after_ellipsis": "…" if after_end < len(text) else "",
        "quote_anchor": quote_anchor,
        "source_href": relative_href(from_path, source_page, f"ev-{start}-{end}"),
    }
