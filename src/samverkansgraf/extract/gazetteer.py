"""Extraction, names — the gazetteer of the reference graph.

Input: the reference graph (regions, municipalities, institutions, organisations,
people, programmes and plans with their ``rdfs:label``, ``skos:altLabel`` …
variants). Output: a ``Gazetteer`` that finds those names in a text as
``Mention``s (exact in a compact form, or fuzzily for OCR damage), and the place
names (counties, "Sverige" …) that are not unknown actors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from rapidfuzz import fuzz, process
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ..labels import NAME_PROPERTIES, names_of, preferred_label
from ..namespaces import SKG
from .results import Mention
from .text import NAME_GAP, Token, compact, word_tokens

__all__ = [
    "ACTOR_CLASSES",
    "DEFAULT_FUZZY_THRESHOLD",
    "LABEL_PROPERTIES",
    "NAMED_CLASSES",
    "Gazetteer",
    "NameIndex",
    "county_index",
    "place_names",
]


DEFAULT_FUZZY_THRESHOLD = 90.0
"""rapidfuzz ``fuzz.ratio`` (0–100) a name must reach to count as OCR-damaged."""

ACTOR_CLASSES = (
    SKG.Region,
    SKG.Municipality,
    SKG.CulturalInstitution,
    SKG.CivilSocietyOrganisation,
    SKG.Network,
    SKG.Person,
    SKG.Actor,
)
NAMED_CLASSES = (*ACTOR_CLASSES, SKG.Programme, SKG.Plan)
LABEL_PROPERTIES = NAME_PROPERTIES
"""The properties names are read from (``labels.NAME_PROPERTIES``); the first four
(label, prefLabel, officialName, formerName) are used without the variants."""


class NameIndex(Protocol):
    """What the reading steps need of names: a ``Gazetteer``, or a document's
    ``proposals.DocumentNames`` (the gazetteer scoped to the document's county,
    plus the resources proposed from its text)."""

    kinds: dict[URIRef, URIRef]
    labels: dict[URIRef, str]

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every name in ``text[start:end]``, in text order."""
        ...


class Gazetteer:
    """Every name of the reference graph, ready to be found in text.

    Names are the labels (``rdfs:label``, ``skos:prefLabel``/``altLabel``/
    ``hiddenLabel``, ``skg:officialName``, ``skg:formerName``) of regions,
    municipalities, institutions, organisations, people, programmes and plans,
    plus generated forms: the genitive ("Hedemoras", "Region Dalarnas") and, for
    municipalities, "X kommun" with its genitives. A name is compared in a compact
    form (letters and digits, case-folded), so line breaks, hyphens and dashes do
    not matter; a capitalised name must be printed capitalised.

    Args:
        reference: the reference graph (gazetteer and ``data/reference/*.ttl``).
        use_alt_labels: include ``skos:altLabel``/``hiddenLabel`` variants (turn
            off to measure how much the curated variants contribute).
        fuzzy_threshold: the rapidfuzz ratio for an OCR-damaged name; ``None``
            turns fuzzy matching off.
    """

    def __init__(
        self,
        reference: Graph,
        *,
        use_alt_labels: bool = True,
        fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
    ) -> None:
        self.fuzzy_threshold = fuzzy_threshold
        self.kinds: dict[URIRef, URIRef] = {}
        self.labels: dict[URIRef, str] = {}
        entries: dict[str, set[URIRef]] = defaultdict(set)
        capital: dict[str, bool] = {}
        properties = LABEL_PROPERTIES if use_alt_labels else LABEL_PROPERTIES[:4]
        for cls in NAMED_CLASSES:
            for node in reference.subjects(RDF.type, cls):
                if not isinstance(node, URIRef) or node in self.kinds:
                    continue
                self.kinds[node] = cls
                self.labels[node] = preferred_label(reference, node)
                names = {
                    name
                    for name in names_of(reference, node, properties)
                    if name.strip()
                }
                for name in _name_variants(names, cls):
                    key = compact(name)
                    if len(key) < 2:
                        continue
                    entries[key].add(node)
                    upper = name[:1].isupper()
                    capital[key] = capital.get(key, True) and upper
        self.entries = dict(entries)
        self._capital = capital
        # A genitive is a name ending in -s whose form without it names the same
        # resource ("Region Dalarnas", "Hedemoras kommuns"; not "Borås").
        self._genitive = {
            key: key.endswith("s") and self.entries.get(key[:-1]) == iris
            for key, iris in self.entries.items()
        }
        self.max_tokens = 2 + max(
            (
                len(word_tokens(str(v)))
                for node in self.kinds
                for p in properties
                for v in reference.objects(node, p)
            ),
            default=1,
        )
        self._fuzzy_keys = [
            k for k, iris in self.entries.items() if len(k) >= 6 and len(iris) == 1
        ]
        self.counties = county_index(reference)
        """Resource → its county (``skgid:lan/NN``), for county-bound resources."""

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every name in ``text[start:end]``, in text order.

        Exact (compact) matches are found first, longest first, left to right;
        then capitalised stretches left over are compared fuzzily, so an exact
        name is never swallowed by a fuzzy window around it.

        Example:
            >>> from rdflib import Graph
            >>> g = Graph().parse(data='''
            ...   @prefix skg: <https://w3id.org/samverkansgraf/ontology#> .
            ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            ...   <https://w3id.org/samverkansgraf/id/region/20> a skg:Region ;
            ...       rdfs:label "Region Dalarna"@sv .''', format="turtle")
            >>> [m.surface for m in Gazetteer(g).find("Region\\nDalarnas plan")]
            ['Region Dalarnas']
        """
        tokens = word_tokens(text, start, end)
        found: dict[int, tuple[Mention, int]] = {}
        index = 0
        while index < len(tokens):
            hit = self._exact_at(text, tokens, index)
            if hit is None:
                index += 1
                continue
            found[index] = hit
            index += hit[1]
        if self.fuzzy_threshold is not None:
            covered = {
                i
                for first, (_, size) in found.items()
                for i in range(first, first + size)
            }
            index = 0
            while index < len(tokens):
                if index in covered:
                    index += 1
                    continue
                hit = self._fuzzy_at(text, tokens, index, covered)
                if hit is None:
                    index += 1
                    continue
                found[index] = hit
                index += hit[1]
        return [found[i][0] for i in sorted(found)]

    def _exact_at(
        self, text: str, tokens: Sequence[Token], index: int
    ) -> tuple[Mention, int] | None:
        for size in range(min(self.max_tokens, len(tokens) - index), 0, -1):
            if not _is_one_name(text, tokens[index : index + size]):
                continue
            key = "".join(t.text for t in tokens[index : index + size]).casefold()
            iris = self.entries.get(key)
            if not iris or len(iris) != 1:
                continue  # unknown, or ambiguous between two resources
            first, last = tokens[index], tokens[index + size - 1]
            if self._capital.get(key) and not first.text[:1].isupper():
                continue
            surface = " ".join(text[first.start : last.end].split())
            mention = Mention(
                first.start,
                last.end,
                next(iter(iris)),
                surface,
                100.0,
                self._genitive[key],
            )
            return mention, size
        return None

    def _fuzzy_at(
        self, text: str, tokens: Sequence[Token], index: int, covered: set[int]
    ) -> tuple[Mention, int] | None:
        first = tokens[index]
        if not first.text[:1].isupper() or len(first.text) < 3:
            return None
        for size in range(min(3, len(tokens) - index), 0, -1):
            if any(i in covered for i in range(index, index + size)):
                continue
            if not _is_one_name(text, tokens[index : index + size]):
                continue
            key = "".join(t.text for t in tokens[index : index + size]).casefold()
            if len(key) < 6:
                continue
            best = process.extractOne(
                key,
                self._fuzzy_keys,
                scorer=fuzz.ratio,
                score_cutoff=self.fuzzy_threshold,
            )
            if best is None:
                continue
            match, score, _ = best
            last = tokens[index + size - 1]
            surface = " ".join(text[first.start : last.end].split())
            iri = next(iter(self.entries[match]))
            mention = Mention(
                first.start, last.end, iri, surface, float(score), self._genitive[match]
            )
            return mention, size
        return None


def _is_one_name(text: str, window: Sequence[Token]) -> bool:
    """Only spaces, line breaks and hyphens may separate the words of a name."""
    return all(
        NAME_GAP.match(text[left.end : right.start])
        for left, right in zip(window, window[1:], strict=False)
    )


def _name_variants(names: set[str], cls: URIRef) -> list[str]:
    """The names with their genitive and (for municipalities) "X kommun" forms."""
    forms: set[str] = set()
    for name in names:
        base = [name]
        if cls == SKG.Municipality and not name.lower().endswith(("kommun", "kommuns")):
            base += [f"{name} kommun", f"{_genitive(name)} kommun"]
        for item in base:
            forms.add(item)
            forms.add(_genitive(item))
    return sorted(forms)


def _genitive(name: str) -> str:
    """Swedish genitive: "-s" unless the name ends in s, x or z."""
    return name if name.endswith(("s", "x", "z")) else name + "s"


def place_names(reference: Graph) -> frozenset[str]:
    """County names and their stems ("Dalarnas län" → "Dalarnas", "Dalarna")."""
    names = {"Sverige", "Sveriges", "Norden", "Europa", "EU", "Skandinavien"}
    for county in reference.subjects(RDF.type, SKG.County):
        for label in reference.objects(county, RDFS.label):
            stem = str(label).removesuffix(" län").strip()
            names |= {stem, stem.removesuffix("s")}
    return frozenset(names)


def county_index(reference: Graph) -> dict[URIRef, URIRef]:
    """Each county-bound resource of the reference graph and its county.

    A region's county is its ``skg:county``; a municipality's that of its
    ``skg:inRegion``; an institution's, network's, person's, programme's or plan's
    its ``skg:inCounty`` (``data/reference/in-county.ttl``), else, for a plan or
    programme, that of its ``dcterms:publisher``. National and cross-county
    resources have none.
    """
    counties: dict[URIRef, URIRef] = {}
    for region, county in reference.subject_objects(SKG.county):
        if isinstance(region, URIRef) and isinstance(county, URIRef):
            counties[region] = county
    for municipality, region in reference.subject_objects(SKG.inRegion):
        if isinstance(municipality, URIRef) and isinstance(region, URIRef):
            if region in counties:
                counties[municipality] = counties[region]
    for resource, county in reference.subject_objects(SKG.inCounty):
        if isinstance(resource, URIRef) and isinstance(county, URIRef):
            counties[resource] = county
    for resource, publisher in reference.subject_objects(DCTERMS.publisher):
        if isinstance(resource, URIRef) and isinstance(publisher, URIRef):
            found = counties.get(publisher)
            if resource not in counties and found is not None:
                counties[resource] = found
    return counties
