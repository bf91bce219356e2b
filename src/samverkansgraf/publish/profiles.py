"""Profile pages: what each municipality and region of the documents agreed and does.

Input: the dataset in a pyoxigraph store (loaded from the site's N-Quads dump)
and the site's ``PageContext`` (labels, links, templates). Output: one page per
municipality and region that a source document names — ``profil/kommun/2083.html``,
``profil/region/20.html`` — and their index ``profil/index.html``, as site path
→ bytes (``ProfileRenderer.files``).

A profile answers the questions a regional culture officer asks of the graph
("what did we and our neighbours agree?") on one page: the actor's agreements
(period, counterpart, signatories), its commitments grouped by modality and
theme with counts and a small bar chart, the programmes and institutions they
concern, the action-plan activities it takes part in and with whom, its place
in its county's collaboration networks (degree and betweenness rank, from the
``network`` stage's own graphs and measures, with a note where a measure says
nothing), how its agreement compares with the region's other agreements
(``network.compare_agreements``: the region's commitments that recur in them —
the regional template — and those only in this one), and the statements that
name it. Every fact links to its page, where its evidence is quoted.

Everything is computed from the graph, never written by hand: the store is
asked once per kind of fact (``PROFILE_QUERIES``), not once per page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox
from markupsafe import Markup, escape
from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from ..labels import natural_key
from ..namespaces import SKG, SKGID
from ..network import (
    MEASURES,
    ComparisonRow,
    NetworkSource,
    build_actor_graph,
    build_municipality_graph,
    compare_agreements,
    extract_network_data,
)
from ..query.engines import OxigraphEngine
from ..rdfio import to_oxigraph
from .pages import Link, PageContext, link_to, page_path, relative_href
from .render import render_template

__all__ = [
    "PROFILE_INDEX",
    "PROFILE_QUERIES",
    "ProfileRenderer",
    "profile_path",
]

PROFILE_INDEX = "profil/index.html"
"""The list of every profile."""

_PREFIXES = """\
PREFIX skg: <https://w3id.org/samverkansgraf/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

PROFILE_QUERIES: dict[str, str] = {
    # Municipalities and regions: those some source document's graph names
    # get a profile (``_named_by_a_document``, asked of the store).
    "actors": _PREFIXES
    + """
SELECT DISTINCT ?actor ?kind ?county WHERE {
  VALUES ?kind { skg:Municipality skg:Region }
  ?actor a ?kind .
  OPTIONAL { ?actor skg:countyCode ?county }
  OPTIONAL { ?actor skg:inRegion/skg:countyCode ?county }
}""",
    # Every agreement with its parties and period.
    "agreements": _PREFIXES
    + """
SELECT ?agreement ?party ?start ?end WHERE {
  ?agreement a skg:Agreement ; skg:party ?party .
  OPTIONAL { ?agreement skg:startYear ?start }
  OPTIONAL { ?agreement skg:endYear ?end }
}""",
    # Signatures of agreements: for whom, by whom (if readable), role, place, date.
    "signatures": _PREFIXES
    + """
SELECT ?agreement ?signature ?for ?signatory ?role ?place ?date ?readable WHERE {
  ?agreement skg:signature ?signature .
  OPTIONAL { ?signature skg:signedFor ?for }
  OPTIONAL { ?signature skg:signatory ?signatory }
  OPTIONAL { ?signature skg:signatoryRole ?role }
  OPTIONAL { ?signature skg:signingPlace ?place }
  OPTIONAL { ?signature skg:signingDate ?date }
  OPTIONAL { ?signature skg:signatoryNameReadable ?readable }
}""",
    # Commitments with who commits, modality, themes, what they concern, where
    # they stand (an agreement's clause, or a plan), and their first quote.
    "commitments": _PREFIXES
    + """
SELECT ?commitment ?committer ?modality ?theme ?concerns ?container ?clause
       ?number ?position ?exact ?start WHERE {
  ?commitment a skg:Commitment ; skg:committedBy ?committer .
  OPTIONAL { ?commitment skg:modality ?modality }
  OPTIONAL { ?commitment skg:theme ?theme }
  OPTIONAL { ?commitment skg:concerns ?concerns }
  OPTIONAL {
    ?commitment skg:inClause ?clause .
    ?clause dcterms:isPartOf ?container .
    OPTIONAL { ?clause skg:number ?number }
    OPTIONAL { ?clause skg:position ?position }
  }
  OPTIONAL { ?commitment skg:statedIn ?container }
  OPTIONAL {
    ?commitment skg:evidence ?evidence .
    ?evidence oa:hasSelector ?quote , ?where .
    ?quote oa:exact ?exact .
    ?where oa:start ?start .
  }
}""",
    # Action-plan activities and each actor's role in them.
    "activities": _PREFIXES
    + """
SELECT ?activity ?plan ?role ?actor WHERE {
  VALUES (?property ?role) {
    (skg:participant "participant") (skg:convenor "convenor")
    (skg:coordinator "coordinator")
  }
  ?activity a skg:Activity ; ?property ?actor .
  OPTIONAL { ?activity skg:partOfPlan ?plan }
}""",
    # Statements of the documents about an actor.
    "statements": _PREFIXES
    + """
SELECT ?statement ?about WHERE { ?statement a skg:Statement ; skg:about ?about }""",
}
"""The store is asked these once per site (each answer grouped by actor)."""

OTHERS_LISTED = 10
"""At most this many of the region's other agreements are named in each
comparison paragraph; more are counted and linked to the region's list of
its agreements. A region of 49 municipalities over four plan periods has ~200
agreements: naming all the others in the paragraph of each made its profile
~200 × 200 links (18 MB of HTML at national scale, two thirds of the page)."""

MODALITY_ORDER = ("Shall", "Intends", "StrivesFor", "May", "States")
ROLE_LABELS = {
    "participant": ("deltagare", "participant"),
    "convenor": ("sammankallande", "convenor"),
    "coordinator": ("samordnare", "coordinator"),
}


def profile_path(iri: str) -> str | None:
    """The profile page of a municipality or region IRI (else ``None``).

    Example:
        >>> profile_path("https://w3id.org/samverkansgraf/id/kommun/2083")
        'profil/kommun/2083.html'
        >>> profile_path("https://w3id.org/samverkansgraf/id/actor/x") is None
        True
    """
    local = iri.removeprefix(str(SKGID))
    kind, _, code = local.partition("/")
    if iri.startswith(str(SKGID)) and kind in ("kommun", "region") and code.isdigit():
        return f"profil/{kind}/{code}.html"
    return None


@dataclass
class _Commitment:
    """One commitment as the profiles read it."""

    iri: URIRef
    committers: set[URIRef] = field(default_factory=set)
    modality: URIRef | None = None
    themes: set[URIRef] = field(default_factory=set)
    concerns: set[URIRef] = field(default_factory=set)
    container: URIRef | None = None
    number: str = ""
    position: int = 0
    quote: str = ""
    start: int = 0


def _int(value: object, default: int = 0) -> int:
    try:
        return int(str(value)) if value is not None else default
    except ValueError:
        return default


class ProfileRenderer:
    """Every profile page of a site, from one pass of ``PROFILE_QUERIES``."""

    def __init__(self, context: PageContext, store: Any) -> None:
        """Ask the store (a pyoxigraph ``Store`` of the dataset) which actors
        have a profile; the facts of the pages are asked for when the first
        page is made (``files``, ``page``), so that a site's resource pages —
        which only link to the profiles — need not wait for them (40 s at
        national scale, in the publishing process while its workers render)."""
        self.context = context
        self.store = store
        self.kinds: dict[URIRef, str] = {}
        self.counties: dict[URIRef, str] = {}
        documents = {
            quad.subject
            for quad in store.quads_for_pattern(
                None, to_oxigraph(RDF.type), to_oxigraph(SKG.SourceDocument), None
            )
        }
        for row in self._answers("actors"):
            if not _named_by_a_document(store, str(row["actor"]), documents):
                continue
            actor = URIRef(str(row["actor"]))
            self.kinds[actor] = str(row["kind"]).removeprefix(str(SKG))
            if row["county"] is not None:
                self.counties[actor] = str(row["county"])
        self._prepared = False

    def _answers(self, name: str) -> list[dict[str, Any]]:
        result = OxigraphEngine(self.store).select(PROFILE_QUERIES[name])
        return [dict(zip(result.columns, row, strict=True)) for row in result.rows]

    def _prepare(self) -> None:
        """Ask for every other kind of fact once, index them, measure the
        networks and compare the agreements (once per renderer)."""
        if self._prepared:
            return
        self._prepared = True
        answers = {
            name: self._answers(name)
            for name in PROFILE_QUERIES
            if name not in ("actors", "commitments")
        }
        self.agreements: dict[URIRef, dict[str, Any]] = {}
        self.agreements_of: dict[URIRef, list[URIRef]] = defaultdict(list)
        for row in answers["agreements"]:
            agreement = URIRef(str(row["agreement"]))
            entry = self.agreements.setdefault(
                agreement,
                {"parties": set(), "start": row["start"], "end": row["end"]},
            )
            entry["parties"].add(URIRef(str(row["party"])))
            if agreement not in self.agreements_of[URIRef(str(row["party"]))]:
                self.agreements_of[URIRef(str(row["party"]))].append(agreement)
        self.signatures: dict[URIRef, list[Mapping[str, Node | None]]] = defaultdict(
            list
        )
        for row in answers["signatures"]:
            self.signatures[URIRef(str(row["agreement"]))].append(row)
        self.commitments: dict[URIRef, _Commitment] = {}
        for values in self._values("commitments"):
            self._add_commitment(values)
        self.commitments_of: dict[URIRef, list[_Commitment]] = defaultdict(list)
        for commitment in self.commitments.values():
            for actor in commitment.committers:
                self.commitments_of[actor].append(commitment)
        self.activity_roles: dict[URIRef, list[tuple[str, URIRef]]] = defaultdict(list)
        self.activities_of: dict[URIRef, set[URIRef]] = defaultdict(set)
        self.activity_plan: dict[URIRef, URIRef | None] = {}
        for row in answers["activities"]:
            activity, actor = URIRef(str(row["activity"])), URIRef(str(row["actor"]))
            self.activity_roles[activity].append((str(row["role"]), actor))
            self.activities_of[actor].add(activity)
            plan = row["plan"]
            self.activity_plan[activity] = URIRef(str(plan)) if plan else None
        self.statements_of: dict[URIRef, list[URIRef]] = defaultdict(list)
        for row in answers["statements"]:
            self.statements_of[URIRef(str(row["about"]))].append(
                URIRef(str(row["statement"]))
            )
        self.network = _NetworkPlaces(self.store)
        self.comparison = compare_agreements(self.network.source)
        # Rows by agreement, once: a region's profile asks for each of its ~60
        # agreements, and scanning every row each time cost minutes at L.
        # Commitments per agreement, counted once (was a scan of all ~47,000
        # commitments per agreement of each profile: 50 s at L).
        self.commitments_in: Counter[URIRef | None] = Counter(
            c.container for c in self.commitments.values()
        )
        self.comparison_rows: dict[str, list[ComparisonRow]] = defaultdict(list)
        for comparison_row in self.comparison.rows:
            self.comparison_rows[comparison_row.agreement].append(comparison_row)

    def _values(self, name: str) -> Iterator[dict[str, str | None]]:
        """The rows of a query as its values' text (an IRI, a literal's
        lexical form): for the commitments' ~100,000 rows at L, where making
        rdflib terms of every value (``_answers``) took half the time."""
        solutions = self.store.query(
            PROFILE_QUERIES[name], use_default_graph_as_union=True
        )
        columns = [variable.value for variable in solutions.variables]
        for solution in solutions:
            yield {
                column: None if term is None else term.value
                for column, term in zip(columns, solution, strict=True)
            }

    def _add_commitment(self, row: Mapping[str, str | None]) -> None:
        commitment, committer = row["commitment"], row["committer"]
        assert commitment is not None and committer is not None  # not OPTIONAL
        iri = URIRef(commitment)
        item = self.commitments.setdefault(iri, _Commitment(iri))
        item.committers.add(URIRef(committer))
        for key, target in (("theme", item.themes), ("concerns", item.concerns)):
            if (value := row[key]) is not None:
                target.add(URIRef(value))
        if (modality := row["modality"]) is not None:
            item.modality = URIRef(modality)
        if (container := row["container"]) is not None:
            item.container = URIRef(container)
        if (number := row["number"]) is not None:
            item.number = number
        item.position = _int(row["position"], item.position)
        start = _int(row["start"], -1)
        exact = row["exact"]
        if exact is not None and (not item.quote or start < item.start):
            item.quote, item.start = " ".join(exact.split()), start

    # -- what gets a profile ------------------------------------------------

    def actors(self) -> list[URIRef]:
        """Municipalities and regions a document names, regions first, by label."""
        labels = self.context.labels
        return sorted(
            (a for a in self.kinds if profile_path(str(a)) is not None),
            key=lambda a: (
                self.kinds[a] != "Region",
                natural_key(labels.label(a)),
                str(a),
            ),
        )

    def paths(self) -> dict[URIRef, str]:
        """Actor → its profile page's site path."""
        return {a: str(profile_path(str(a))) for a in self.actors()}

    def files(self) -> Iterator[tuple[str, bytes]]:
        """Every profile page, then the index."""
        self._prepare()
        for actor in self.actors():
            path = str(profile_path(str(actor)))
            yield path, self.page(actor, path)
        yield PROFILE_INDEX, self.index_page()

    # -- one page -------------------------------------------------------------

    def link(self, node: Node, path: str, *, profile: bool = True) -> Link:
        """A link to ``node``'s profile when it has one, else to its page."""
        target = profile_path(str(node)) if profile else None
        if target is not None and URIRef(str(node)) in self.kinds:
            return Link(
                str(node),
                self.context.labels.label(node),
                relative_href(path, target),
            )
        return link_to(self.context, node, path)

    def evidence_link(self, node: Node, path: str, text: str | None = None) -> Link:
        """A link to the page of a fact, at its evidence."""
        base = link_to(self.context, node, path)
        if base.href is None:
            return base
        mapped = page_path(str(node))
        anchor = "evidence" if mapped and not mapped[1] else ""
        href = base.href + (f"#{anchor}" if anchor and "#" not in base.href else "")
        return Link(base.iri, text or base.text, href)

    def page(self, actor: URIRef, path: str) -> bytes:
        """The profile page of ``actor``."""
        self._prepare()
        labels = self.context.labels
        commitments = sorted(
            self.commitments_of.get(actor, []),
            key=lambda c: (
                natural_key(labels.label(c.container)) if c.container else [],
                c.position,
                c.start,
                natural_key(str(c.iri)),
            ),
        )
        activities = self._activities(actor, path)
        # One plan for all: said once above the table, not on every row.
        plans = []
        if activities and activities[0]["plan"] is not None:
            if len({str(a["plan"].iri) if a["plan"] else "" for a in activities}) == 1:
                plans = [activities[0]["plan"]]
                for row in activities:
                    row["plan"] = None
        return render_template(
            self.context,
            "profile.html",
            path,
            title=f"Profil: {labels.label(actor)}",
            alternates=[],
            actor=link_to(self.context, actor, path),
            label=labels.label(actor),
            kind=self.kinds[actor],
            county=self._county_name(actor),
            agreements=self._agreements(actor, path),
            modalities=self._counts(
                [c.modality for c in commitments if c.modality is not None],
                path,
                order=[SKG[m] for m in MODALITY_ORDER],
            ),
            themes=self._counts([t for c in commitments for t in c.themes], path),
            groups=self._commitment_groups(commitments, actor, path),
            commitment_count=len(commitments),
            concerns=self._counts([x for c in commitments for x in c.concerns], path),
            activities=activities,
            activity_plans=plans,
            network=self.network.places(actor, self.counties.get(actor, "")),
            comparison=self._comparison(actor, path),
            statements=[
                self.evidence_link(s, path)
                for s in sorted(
                    self.statements_of.get(actor, []), key=lambda s: natural_key(str(s))
                )
            ],
            query_links=self._query_links(actor),
            root_profiles=relative_href(path, PROFILE_INDEX),
        )

    def _county_name(self, actor: URIRef) -> str:
        code = self.counties.get(actor, "")
        return self.network.county_names.get(code, code)

    def _agreements(self, actor: URIRef, path: str) -> list[dict[str, Any]]:
        rows = []
        for agreement in sorted(
            self.agreements_of.get(actor, []), key=lambda a: natural_key(str(a))
        ):
            entry = self.agreements[agreement]
            start, end = entry["start"], entry["end"]
            period = "–".join(str(v) for v in (start, end) if v is not None)
            signatures = []
            for sig in sorted(
                self.signatures.get(agreement, []), key=lambda r: str(r["signature"])
            ):
                who = (
                    self.link(sig["signatory"], path)
                    if sig["signatory"] is not None
                    else None
                )
                unreadable = (
                    isinstance(sig["readable"], Literal)
                    and not sig["readable"].toPython()
                )
                signatures.append(
                    {
                        "evidence": self.evidence_link(
                            URIRef(str(sig["signature"])), path, "underskrift"
                        ),
                        "for": self.link(sig["for"], path) if sig["for"] else None,
                        "who": who,
                        "unreadable": unreadable,
                        "role": str(sig["role"] or ""),
                        "place": str(sig["place"] or ""),
                        "date": str(sig["date"] or ""),
                    }
                )
            rows.append(
                {
                    "agreement": self.evidence_link(agreement, path),
                    "period": period,
                    "counterparts": [
                        self.link(p, path)
                        for p in sorted(entry["parties"] - {actor}, key=str)
                    ],
                    "signatures": signatures,
                    "commitments": self.commitments_in[agreement],
                    "clauses_url": f"query.html?name=27_clauses_of_agreement&agreement="
                    f"{str(agreement).replace(str(SKGID), 'skgid:')}",
                }
            )
        return rows

    def _counts(
        self, values: Iterable[URIRef], path: str, order: Sequence[URIRef] = ()
    ) -> list[dict[str, Any]]:
        counts = Counter(values)
        labels = self.context.labels
        ranked = sorted(
            counts,
            key=lambda v: (
                list(order).index(v) if v in order else len(order),
                -counts[v],
                natural_key(labels.label(v)),
                str(v),
            ),
        )
        top = max(counts.values(), default=1)
        return [
            {
                "link": self.link(v, path),
                "label_en": labels.label(v, "en") or "",
                "count": counts[v],
                "bar": _bar(counts[v], top),
            }
            for v in ranked
        ]

    def _commitment_groups(
        self, commitments: list[_Commitment], actor: URIRef, path: str
    ) -> list[dict[str, Any]]:
        labels = self.context.labels
        groups: dict[URIRef | None, list[dict[str, Any]]] = defaultdict(list)
        # Where the commitments stand is said only when they stand in several
        # agreements or plans (one agreement's name on every line is noise).
        several = len({c.container for c in commitments}) > 1
        for c in commitments:
            others = sorted(c.committers - {actor}, key=str)
            groups[c.modality].append(
                {
                    "link": self.evidence_link(
                        c.iri,
                        path,
                        f"§ {c.number}" if c.number else labels.label(c.iri),
                    ),
                    "quote": c.quote,
                    "container": self.link(c.container, path)
                    if c.container and several
                    else None,
                    "themes": [self.link(t, path) for t in sorted(c.themes, key=str)],
                    "concerns": [
                        self.link(x, path) for x in sorted(c.concerns, key=str)
                    ],
                    "with": [self.link(o, path) for o in others],
                }
            )
        order = [SKG[m] for m in MODALITY_ORDER]
        return [
            {
                "modality": self.link(m, path) if m is not None else None,
                "label_en": labels.label(m, "en") if m is not None else "",
                "entries": groups[m],
            }
            for m in sorted(groups, key=lambda m: order.index(m) if m in order else 99)
        ]

    def _activities(self, actor: URIRef, path: str) -> list[dict[str, Any]]:
        labels = self.context.labels
        rows = []
        for activity in sorted(
            self.activities_of.get(actor, set()), key=lambda a: natural_key(str(a))
        ):
            roles = self.activity_roles[activity]
            mine = sorted({r for r, a in roles if a == actor})
            others = sorted(
                {a for r, a in roles if a != actor and r == "participant"},
                key=lambda a: (natural_key(labels.label(a)), str(a)),
            )
            plan = self.activity_plan.get(activity)
            rows.append(
                {
                    "activity": self.evidence_link(activity, path),
                    "plan": self.link(plan, path) if plan else None,
                    "roles": [ROLE_LABELS[r] for r in mine],
                    "with": [self.link(a, path) for a in others],
                }
            )
        return rows

    def _comparison(self, actor: URIRef, path: str) -> list[dict[str, Any]]:
        """Per agreement of the actor: the region's commitments in it that recur
        in the region's other agreements, and those only in it."""
        out = []
        labels = self.context.labels
        mine = {str(a) for a in self.agreements_of.get(actor, [])}
        for agreement in sorted(mine, key=natural_key):
            rows = self.comparison_rows.get(agreement, [])
            if not rows:
                continue
            region = URIRef(rows[0].region)
            others = [
                a
                for a in self.comparison.agreements.get(rows[0].region, [])
                if a != agreement
            ]
            listed = len(others) <= OTHERS_LISTED
            out.append(
                {
                    "agreement": self.evidence_link(URIRef(agreement), path),
                    "region": self.link(region, path),
                    "others": [
                        self.evidence_link(URIRef(a), path)
                        for a in (others if listed else [])
                    ],
                    "others_count": len(others),
                    "others_list": None
                    if listed
                    else self._agreement_list(region, path),
                    "threshold": self.comparison.threshold,
                    "recurring": [
                        {
                            "link": self.evidence_link(
                                URIRef(r.commitment),
                                path,
                                labels.label(URIRef(r.commitment)),
                            ),
                            "text": r.text,
                            "best": self.evidence_link(
                                URIRef(r.best_commitment),
                                path,
                                labels.label(URIRef(r.best_commitment)),
                            ),
                            "score": r.score,
                        }
                        for r in rows
                        if r.status == "recurring"
                    ],
                    "local": [
                        {
                            "link": self.evidence_link(
                                URIRef(r.commitment),
                                path,
                                labels.label(URIRef(r.commitment)),
                            ),
                            "text": r.text,
                            "score": r.score,
                        }
                        for r in rows
                        if r.status == "local"
                    ],
                }
            )
        return out

    def _agreement_list(self, region: URIRef, path: str) -> str | None:
        """Where the region's agreements are listed: its profile's agreements
        (or, without a profile, its page, which lists what links to it)."""
        target = profile_path(str(region))
        if target is not None and URIRef(str(region)) in self.kinds:
            return relative_href(path, target, "overenskommelser")
        return link_to(self.context, region, path).href

    def _query_links(self, actor: URIRef) -> list[tuple[str, str]]:
        short = str(actor).replace(str(SKGID), "skgid:")
        links = [
            (
                f"query.html?name=21_evidence_of_resource&resource={short}",
                "belägg / evidence (21)",
            )
        ]
        county = self.counties.get(actor)
        if county:
            links.append(
                (
                    f"query.html?name=13_municipalities_in_no_activity&county={county}",
                    "länets kommuner utan aktivitet / municipalities of the county "
                    "in no activity (13)",
                )
            )
            links.append(
                (
                    f"query.html?name=24_municipalities_without_agreement&county={county}",
                    "länets kommuner utan överenskommelse / without an agreement (24)",
                )
            )
        return links

    # -- the index ------------------------------------------------------------

    def index_page(self) -> bytes:
        """``profil/index.html``: every profile, by county."""
        self._prepare()
        by_county: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for actor in self.actors():
            by_county[self.counties.get(actor, "")].append(
                {
                    "link": self.link(actor, PROFILE_INDEX),
                    "kind": self.kinds[actor],
                    "commitments": len(self.commitments_of.get(actor, [])),
                    "agreements": len(self.agreements_of.get(actor, [])),
                    "activities": len(self.activities_of.get(actor, set())),
                }
            )
        counties = [
            {
                "name": self.network.county_names.get(code, code) or "–",
                "code": code,
                "actors": by_county[code],
            }
            for code in sorted(by_county)
        ]
        return render_template(
            self.context,
            "profiles.html",
            PROFILE_INDEX,
            title="Profiler: kommuner och regioner",
            alternates=[],
            counties=counties,
        )


def _bar(value: int, top: int, width: int = 160) -> Markup:
    """A small inline SVG bar (no script, no external file)."""
    length = max(2, round(width * value / max(top, 1)))
    return Markup(
        f'<svg class="bar" width="{width}" height="12" role="img" '
        f'aria-label="{escape(str(value))}"><rect width="{length}" height="12">'
        "</rect></svg>"
    )


def _named_by_a_document(store: Any, actor: str, documents: set[Any]) -> bool:
    """Whether a triple of a source document's graph has ``actor`` (an IRI) as
    its subject or object.

    Asked of the store's indexes, stopping at the first such triple: as a
    SPARQL join (``GRAPH ?document { … }``) it listed every triple naming
    every actor first — 2.2–2.7 s at L, before any page could be written.
    """
    node = ox.NamedNode(actor)
    for pattern in ((node, None, None, None), (None, None, node, None)):
        if any(q.graph_name in documents for q in store.quads_for_pattern(*pattern)):
            return True
    return False


@dataclass(frozen=True)
class _Place:
    """An actor's rank in one network among its county's peers."""

    network: tuple[str, str]
    measure: tuple[str, str]
    value: str
    rank: str
    note: str


class _NetworkPlaces:
    """Degree and betweenness of each actor in the municipality and actor graphs,
    computed once with the ``network`` stage's own graphs and measures."""

    def __init__(self, store: Any) -> None:
        self.source = NetworkSource.from_store(store)
        data = extract_network_data(self.source)
        self.county_names = data.county_names
        self.graphs: dict[str, nx.Graph] = {
            "municipalities": build_municipality_graph(data),
            "actors": build_actor_graph(data),
        }
        self.values: dict[tuple[str, str], Mapping[str, Any]] = {}
        for name, graph in self.graphs.items():
            for measure in ("degree", "betweenness"):
                self.values[(name, measure)] = MEASURES[measure].compute(graph, 42)

    def places(self, actor: URIRef, county: str) -> list[_Place]:
        """The actor's places; empty when it is in neither graph."""
        places = []
        titles = {
            "municipalities": (
                "kommunnätverket",
                "municipalities sharing activities or agreements",
            ),
            "actors": ("aktörsnätverket", "every kind of tie between actors"),
        }
        measures = {
            "degree": ("grad", "degree: direct partners"),
            "betweenness": ("mellanhet", "betweenness: a bridge between others"),
        }
        for name, graph in self.graphs.items():
            node = str(actor)
            if node not in graph:
                continue
            peers = [
                n
                for n, attrs in graph.nodes(data=True)
                if attrs.get("county") == county
                and attrs.get("type") in ("municipality", "region")
            ]
            for measure in ("degree", "betweenness"):
                values = self.values[(name, measure)]
                mine = values[node]
                better = sum(1 for p in peers if values[p] > mine)
                tied = sum(1 for p in peers if values[p] == mine)
                rank = f"{better + 1}" + (" (delad)" if tied > 1 else "")
                note = ""
                if len({values[p] for p in peers}) == 1:
                    note = (
                        f"alla {len(peers)} har samma värde: rangen säger inget / "
                        f"all {len(peers)} have the same value: the rank says nothing"
                    )
                elif graph.degree(node) == 0:
                    note = "inga band i dokumenten / no ties in the documents"
                places.append(
                    _Place(
                        titles[name],
                        measures[measure],
                        f"{mine:.3f}" if measure == "betweenness" else f"{mine:g}",
                        f"{rank} av {len(peers)}",
                        note,
                    )
                )
        return places
