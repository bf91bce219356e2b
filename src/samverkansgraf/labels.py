"""Labels and natural sort: how a resource is named and how names are ordered.

Shared by every stage that shows a resource to a person (curation reports,
network pictures, the published site, the release tables, extraction drafts);
input is an rdflib graph and a node, output a string or a sort key. One home so
that the site, the release and the pictures cannot name the same resource
differently (issue 14: four label rules and three natural sorts had drifted).

The label rule, in order:

1. a label in the wanted language, taking the properties in priority order
   (``rdfs:label`` before ``skos:prefLabel`` …) and, within one property, the
   alphabetically first value, so the answer does not depend on parse order;
2. unless ``any_language=False``: a label in any language (or none), again by
   property priority, then alphabetically;
3. for :func:`preferred_label` only: the IRI's last path segment or fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .namespaces import SKG

__all__ = [
    "DISPLAY_PROPERTIES",
    "NAME_PROPERTIES",
    "find_label",
    "generated_labels",
    "local_name",
    "names_of",
    "natural_key",
    "preferred_label",
    "quote_start",
    "swedish_key",
]


class _Lookup(Protocol):
    """What ``generated_labels`` reads: an rdflib graph or the build's index."""

    def value(self, subject: Any, predicate: Any) -> Any: ...
    def objects(self, subject: Any, predicate: Any) -> Iterable[Any]: ...
    def subject_objects(self, predicate: Any) -> Iterable[tuple[Any, Any]]: ...


class ObjectLookup(Protocol):
    """What ``find_label`` reads: an rdflib graph, or any index that answers
    ``objects(subject, predicate)`` the same way."""

    def objects(self, subject: Any, predicate: Any) -> Iterable[Any]:
        """The objects of ``subject``'s ``predicate``, one per triple."""
        ...


DISPLAY_PROPERTIES: tuple[URIRef, ...] = (RDFS.label, SKOS.prefLabel)
"""The properties a display label is read from, by priority."""

NAME_PROPERTIES: tuple[URIRef, ...] = (
    RDFS.label,
    SKOS.prefLabel,
    SKG.officialName,
    SKG.formerName,
    SKOS.altLabel,
    SKOS.hiddenLabel,
)
"""Every property a resource's names are given by (display label first, then
official, former and alternative names, then hidden misspellings)."""


def find_label(
    graph: Graph | ObjectLookup,
    node: Node,
    lang: str = "sv",
    properties: Iterable[URIRef] = DISPLAY_PROPERTIES,
    *,
    any_language: bool = True,
) -> str | None:
    """The label of ``node`` in ``lang``, or ``None`` when it has none.

    Args:
        graph: where to look.
        node: the resource.
        lang: the wanted language tag.
        properties: the label properties, highest priority first.
        any_language: fall back to a label in another language (or untagged)
            when none is in ``lang``.

    Returns:
        The label text, or ``None``.

    Example:
        >>> from rdflib import Graph, Literal, URIRef
        >>> g = Graph()
        >>> n = URIRef("https://example.org/x")
        >>> _ = g.add((n, SKOS.prefLabel, Literal("Ex", lang="en")))
        >>> find_label(g, n, "sv")
        'Ex'
        >>> find_label(g, n, "sv", any_language=False) is None
        True
    """
    properties = tuple(properties)
    values = {
        prop: [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
        for prop in properties
    }
    for prop in properties:
        wanted = sorted(str(v) for v in values[prop] if v.language == lang)
        if wanted:
            return wanted[0]
    if any_language:
        for prop in properties:
            if values[prop]:
                return min(str(v) for v in values[prop])
    return None


def local_name(node: Node) -> str:
    """The last path segment or fragment of an IRI (the fallback label).

    Example:
        >>> local_name(URIRef("https://example.org/id/actor/falun/"))
        'falun'
        >>> local_name(URIRef("https://example.org/ontology#Plan"))
        'Plan'
    """
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def preferred_label(
    graph: Graph | ObjectLookup,
    node: Node,
    lang: str = "sv",
    properties: Iterable[URIRef] = DISPLAY_PROPERTIES,
) -> str:
    """The label to show for ``node``: see the module docstring for the rule.

    Args:
        graph: where to look.
        node: the resource.
        lang: preferred language tag.
        properties: the label properties, highest priority first.

    Returns:
        A label in ``lang``, else in any language, else the IRI's local name.

    Example:
        >>> from rdflib import Graph, Literal, URIRef
        >>> g = Graph()
        >>> n = URIRef("https://example.org/id/actor/falun")
        >>> preferred_label(g, n)
        'falun'
        >>> _ = g.add((n, SKOS.prefLabel, Literal("Falu kommun", lang="sv")))
        >>> _ = g.add((n, RDFS.label, Literal("Falun", lang="en")))
        >>> preferred_label(g, n), preferred_label(g, n, "en")
        ('Falu kommun', 'Falun')
    """
    found = find_label(graph, node, lang, properties, any_language=True)
    return local_name(node) if found is None else found


def names_of(
    graph: Graph, node: Node, properties: Iterable[URIRef] = NAME_PROPERTIES
) -> list[str]:
    """Every distinct name ``node`` is given (any language), sorted.

    Example:
        >>> from rdflib import Graph, Literal, URIRef
        >>> g = Graph()
        >>> n = URIRef("https://example.org/id/actor/falun")
        >>> _ = g.add((n, RDFS.label, Literal("Falu kommun", lang="sv")))
        >>> _ = g.add((n, SKOS.altLabel, Literal("Falun")))
        >>> names_of(g, n)
        ['Falu kommun', 'Falun']
    """
    return sorted(
        {
            str(v)
            for p in properties
            for v in graph.objects(node, p)
            if isinstance(v, Literal)
        }
    )


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: object) -> tuple[list[tuple[int, int, str]], str]:
    """A sort key that orders runs of digits by value and letters case-blind.

    Numbers sort before words at the same position; letters compare after
    ``str.casefold``; texts equal but for case are then ordered by the text
    itself, so the order never depends on the input's order. Accepts any object
    (an IRI, a node) by its ``str``.

    Example:
        >>> sorted(["Avsnitt 10", "avsnitt 2", "Avsnitt 1"], key=natural_key)
        ['Avsnitt 1', 'avsnitt 2', 'Avsnitt 10']
        >>> sorted(["activity/x/10", "activity/x/9"], key=natural_key)
        ['activity/x/9', 'activity/x/10']
        >>> sorted(["b", "B", "a"], key=natural_key)
        ['a', 'B', 'b']
    """
    raw = str(text)
    parts = [
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(raw)
        if part
    ]
    return parts, raw


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_key(text: str) -> str:
    """A sort key that puts å, ä, ö after z, as Swedish dictionaries do.

    Example:
        >>> sorted(["Örebro", "Askersund", "Ängelholm", "Åre"], key=swedish_key)
        ['Askersund', 'Åre', 'Ängelholm', 'Örebro']
    """
    return text.casefold().translate(_SWEDISH_ORDER)


# ---------------------------------------------------------------------------
# Generated labels of clauses and commitments (issue #17)
# ---------------------------------------------------------------------------

QUOTE_WORDS = 6
"""Words of the quote a generated label starts with."""


def quote_start(text: str, words: int = QUOTE_WORDS) -> str:
    """The first ``words`` words of a quote, with "…" when it goes on.

    Example:
        >>> quote_start("Hedemora kommun verkar för att kultur ska finnas")
        'Hedemora kommun verkar för att kultur …'
        >>> quote_start("Kort citat.")
        'Kort citat.'
    """
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]) + " …"


def generated_labels(
    graph: _Lookup,
    first_quotes: dict[Node, tuple[int, str]],
    names: dict[Node, str],
) -> list[tuple[Node, Node, Node]]:
    """``rdfs:label`` triples (sv, en) for the clauses and commitments that lack one.

    A clause is named by its agreement and number and the start of its quote
    (``Hedemora 2019–2022 §3: ”3 Hedemora kommun verkar för …”``); a commitment
    by its clause and its place there (``Hedemora 2019–2022 §3, åtagande 2: …`` /
    ``…, commitment 2: …``), or, outside a clause, by the document it is stated
    in. An agreement is named by its municipality's short name and its years
    (``Hedemora 2019–2022``); anything else by its Swedish label.

    Args:
        graph: one document's triples (``value``, ``objects``, ``subject_objects``).
        first_quotes: fact → (start offset, text) of its first evidence.
        names: reference names: municipality → short name, plan or document →
            Swedish label.

    Returns:
        The triples to add.
    """
    clauses = [s for s, o in graph.subject_objects(RDF.type) if o == SKG.Clause]
    commitments = [s for s, o in graph.subject_objects(RDF.type) if o == SKG.Commitment]

    def name(node: Node | None) -> str:
        if node is None:
            return ""
        # The municipality names a bilateral agreement (``…/kommun/<code>``).
        parties = [
            names[p]
            for p in sorted(
                graph.objects(node, SKG.party), key=lambda p: "/kommun/" not in str(p)
            )
            if p in names
        ]
        start = graph.value(node, SKG.startYear)
        end = graph.value(node, SKG.endYear)
        if parties and start is not None and end is not None:
            return f"{parties[0]} {str(start)[:4]}–{str(end)[:4]}"
        for prop in (RDFS.label, DCTERMS.title):
            for value in graph.objects(node, prop):
                if isinstance(value, Literal) and value.language == "sv":
                    return str(value)
        return names.get(node, local_name(node))

    def clause_name(clause: Node, lang: str) -> str:
        """``Hedemora 2019–2022 §3``; a clause without a number (a bullet) by
        its position: ``Smedjebacken 2019–2022, punkt 4`` / ``…, item 4``."""
        number = graph.value(clause, SKG.number)
        where = name(graph.value(clause, DCTERMS.isPartOf))
        if number is not None:
            return f"{where} §{number}"
        position = graph.value(clause, SKG.position)
        if position is None:
            return where
        return f"{where}, {'punkt' if lang == 'sv' else 'item'} {position}"

    def labelled(node: Node) -> bool:
        return graph.value(node, RDFS.label) is not None

    def quoted(node: Node) -> str:
        first = first_quotes.get(node)
        return f": ”{quote_start(first[1])}”" if first else ""

    out: list[tuple[Node, Node, Node]] = []
    for clause in sorted(clauses):
        if labelled(clause):
            continue
        for lang in ("sv", "en"):
            text = clause_name(clause, lang) + quoted(clause)
            out.append((clause, RDFS.label, Literal(text, lang=lang)))
    groups: dict[tuple[str, Node | None], list[Node]] = {}
    for commitment in commitments:
        clause = graph.value(commitment, SKG.inClause)
        key = (
            ("clause", clause)
            if clause is not None
            else (
                "stated",
                graph.value(commitment, SKG.statedIn),
            )
        )
        groups.setdefault(key, []).append(commitment)
    for (kind, parent), members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if kind == "clause" and parent is not None:
            where_sv, where_en = clause_name(parent, "sv"), clause_name(parent, "en")
        else:
            where_sv = where_en = name(parent)
        members.sort(key=lambda m: (first_quotes.get(m, (0, ""))[0], str(m)))
        for number, commitment in enumerate(members, 1):
            if labelled(commitment):
                continue
            tail = quoted(commitment)
            out.append(
                (
                    commitment,
                    RDFS.label,
                    Literal(f"{where_sv}, åtagande {number}{tail}", lang="sv"),
                )
            )
            out.append(
                (
                    commitment,
                    RDFS.label,
                    Literal(f"{where_en}, commitment {number}{tail}", lang="en"),
                )
            )
    return out
