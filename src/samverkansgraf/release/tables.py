"""Stage 8b — release tables: the dataset as the release's CSV tables.

Input: an ``AssembledDataset``. Output: one ``TableSpec`` per table (its fields and
their descriptions) and its rows in a deterministic order (``TABLES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..build import AssembledDataset
from ..evidence import EvidenceIndex
from ..labels import find_label, natural_key
from ..namespaces import GRAPH_ONTOLOGY, SKG, WD

SEPARATOR = " | "
"""Between the values of a multi-valued cell."""

# -- tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One CSV column and its Frictionless field descriptor."""

    name: str
    type: str
    description: str
    format: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One CSV table of the release."""

    name: str
    """Resource name and file stem (``data/<name>.csv``)."""
    title: str
    """Human title."""
    description: str
    """What a row is."""
    fields: tuple[Field, ...]
    """Columns, in order."""
    rows: Callable[[TableData], list[list[str]]]
    """Computes the rows (already sorted)."""
    primary_key: tuple[str, ...] = ()
    """Columns that identify a row."""
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    """(column, other table, its column)."""


def _iri(name: str, description: str) -> Field:
    return Field(name, "string", description, "uri")


def _text(name: str, description: str) -> Field:
    return Field(name, "string", description)


def _many(name: str, description: str) -> Field:
    return Field(
        name, "string", f"{description} Several values are separated by ' | '."
    )


class TableData:
    """The union graph with the look-ups the tables need."""

    def __init__(self, assembled: AssembledDataset) -> None:
        self.graph = assembled.union()
        self.ontology = assembled.graphs[GRAPH_ONTOLOGY]
        self.files = {d.document: d.source.path.name for d in assembled.documents}
        self.document_of: dict[Node, URIRef] = {}
        for doc in assembled.documents:
            for subject in doc.graph.subjects(RDF.type, None):
                self.document_of.setdefault(subject, doc.document)
        # The build's resolved records: evidence is read once, not from triples.
        self.evidence = EvidenceIndex.of_documents(assembled.documents)
        self.mentioned = {
            o
            for doc in assembled.documents
            for o in doc.graph.objects()
            if isinstance(o, URIRef)
        }

    def values(self, s: Node, p: URIRef) -> list[Node]:
        """The objects of ``s p``, sorted."""
        return sorted(self.graph.objects(s, p), key=str)

    def one(self, s: Node, p: URIRef) -> str:
        """The first (sorted) object of ``s p`` as text, else ``""``."""
        values = self.values(s, p)
        return str(values[0]) if values else ""

    def many(self, s: Node, p: URIRef) -> str:
        """Every object of ``s p``, sorted, in one multi-valued cell."""
        return SEPARATOR.join(str(v) for v in self.values(s, p))

    def label(self, s: Node, lang: str, prop: URIRef = RDFS.label) -> str:
        """``s``'s ``prop`` in exactly ``lang`` (a column per language: no
        fallback to another language), else ``""``."""
        return find_label(self.graph, s, lang, (prop,), any_language=False) or ""

    def alt_labels(self, s: Node) -> str:
        """The distinct ``skos:altLabel`` values of ``s``, sorted, in one cell."""
        return SEPARATOR.join(
            sorted({str(v) for v in self.graph.objects(s, SKOS.altLabel)})
        )

    def instances(self, cls: URIRef) -> list[URIRef]:
        """The IRIs typed ``cls``, in natural order."""
        return sorted(
            (s for s in self.graph.subjects(RDF.type, cls) if isinstance(s, URIRef)),
            key=natural_key,
        )

    def subclasses(self, cls: URIRef) -> set[URIRef]:
        """``cls`` and every class below it in the ontology."""
        found = {cls}
        frontier = [cls]
        while frontier:
            for sub in self.ontology.subjects(RDFS.subClassOf, frontier.pop()):
                if isinstance(sub, URIRef) and sub not in found:
                    found.add(sub)
                    frontier.append(sub)
        return found

    def curie(self, node: Node) -> str:
        """``node`` as a prefixed name where a prefix fits."""
        return self.graph.namespace_manager.normalizeUri(node)  # type: ignore[arg-type]

    def spans(self, fact: Node) -> list[tuple[URIRef, int, int, str]]:
        """(document, start, end, exact) of every evidence of ``fact``."""
        found = [
            (r.document, r.span.start, r.span.end, r.span.exact)
            for r in self.evidence.of(fact)
            if not r.skipped
        ]
        return sorted(found, key=lambda f: (str(f[0]), f[1], f[2]))

    def first_span(self, fact: Node) -> list[str]:
        """The span columns (document, file, start, end, quote) of ``fact``'s first
        evidence; only document and file when it has none."""
        spans = self.spans(fact)
        if not spans:
            document = self.document_of.get(fact)
            return [str(document or ""), self.files.get(document, ""), "", "", ""]  # type: ignore[arg-type]
        document, start, end, exact = spans[0]
        return [
            str(document),
            self.files.get(document, ""),
            str(start),
            str(end),
            exact,
        ]


_SPAN_FIELDS = (
    _iri("document", "The skg:SourceDocument the first evidence quotes."),
    _text("file", "Its file in sources/ (masked copy)."),
    Field(
        "start",
        "integer",
        "First evidence: 0-based code-point offset of the quote in the file.",
    ),
    Field(
        "end",
        "integer",
        "First evidence: end offset (exclusive); file[start:end] == quote.",
    ),
    _text("quote", "First evidence: the verbatim quote (all evidence: evidence.csv)."),
)


def _actors(d: TableData) -> list[list[str]]:
    classes = d.subclasses(SKG.Actor)
    actors = sorted({s for cls in classes for s in d.instances(cls)}, key=natural_key)
    rows = []
    for actor in actors:
        types = sorted(
            (t for t in d.graph.objects(actor, RDF.type) if t in classes), key=str
        )
        wikidata = [
            str(o) for o in d.values(actor, OWL.sameAs) if str(o).startswith(str(WD))
        ]
        rows.append(
            [
                str(actor),
                SEPARATOR.join(d.curie(t) for t in types),
                d.label(actor, "sv"),
                d.label(actor, "en"),
                d.alt_labels(actor),
                d.one(actor, SKG.municipalityCode),
                d.one(actor, SKG.countyCode),
                d.one(actor, SKG.organisationNumber),
                d.one(actor, SKG.inRegion),
                SEPARATOR.join(wikidata),
                "true" if actor in d.mentioned else "false",
            ]
        )
    return rows


def _agreements(d: TableData) -> list[list[str]]:
    return [
        [
            str(a),
            d.label(a, "sv"),
            d.label(a, "en"),
            d.many(a, SKG.party),
            d.one(a, SKG.startYear)[:4],
            d.one(a, SKG.endYear)[:4],
            d.many(a, SKG.basedOn),
            str(d.document_of.get(a, "")),
            d.files.get(d.document_of.get(a), ""),  # type: ignore[arg-type]
        ]
        for a in d.instances(SKG.Agreement)
    ]


def _clauses(d: TableData) -> list[list[str]]:
    rows = [
        [
            str(c),
            d.one(c, DCTERMS.isPartOf),
            d.one(c, SKG.position),
            d.one(c, SKG.number),
        ]
        + d.first_span(c)
        for c in d.instances(SKG.Clause)
    ]
    return sorted(rows, key=lambda r: (r[1], int(r[2] or 0), r[0]))


def _commitments(d: TableData) -> list[list[str]]:
    rows = []
    for c in d.instances(SKG.Commitment):
        clause = d.one(c, SKG.inClause)
        modality = d.values(c, SKG.modality)
        rows.append(
            [
                str(c),
                d.label(c, "sv"),
                clause,
                d.one(URIRef(clause), DCTERMS.isPartOf) if clause else "",
                d.one(c, SKG.statedIn),
                d.many(c, SKG.committedBy),
                d.many(c, SKG.partner),
                SEPARATOR.join(str(m) for m in modality),
                SEPARATOR.join(d.label(m, "sv", SKOS.prefLabel) for m in modality),
                d.many(c, SKG.concerns),
                d.many(c, SKG.theme),
                d.one(c, SKG.subjectImplied) or "false",
            ]
            + d.first_span(c)
        )
    return rows


def _activities(d: TableData) -> list[list[str]]:
    return [
        [
            str(a),
            d.one(a, SKG.partOfPlan),
            d.one(a, SKG.heading),
            d.many(a, SKG.contributesTo),
            d.one(a, SKG.startTerm),
            d.one(a, SKG.completionYear)[:4],
            d.one(a, SKG.followUp),
            d.many(a, SKG.participant),
            d.many(a, SKG.convenor),
            d.many(a, SKG.coordinator),
        ]
        + d.first_span(a)
        for a in d.instances(SKG.Activity)
    ]


PARTICIPATION_ROLES = (
    ("participant", SKG.participant),
    ("convenor", SKG.convenor),
    ("coordinator", SKG.coordinator),
)


def _participation(d: TableData) -> list[list[str]]:
    rows = []
    for activity in d.instances(SKG.Activity):
        for role, prop in PARTICIPATION_ROLES:
            for actor in d.values(activity, prop):
                rows.append([str(activity), str(actor), role, d.label(actor, "sv")])
    return rows


def _evidence(d: TableData) -> list[list[str]]:
    rows = []
    for fact in d.evidence.facts():
        types = sorted(d.curie(t) for t in d.graph.objects(fact, RDF.type))
        for document, start, end, exact in d.spans(fact):
            rows.append(
                [
                    str(fact),
                    SEPARATOR.join(types),
                    str(document),
                    d.files.get(document, ""),
                    str(start),
                    str(end),
                    exact,
                ]
            )
    unique = {tuple(r) for r in rows}
    return sorted(
        (list(r) for r in unique), key=lambda r: (r[3], int(r[4]), int(r[5]), r[0])
    )


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "actors",
        "Actors",
        "One row per actor (region, municipality, institution, organisation, network, "
        "person): all of the gazetteer, plus whether any curated document mentions it.",
        (
            _iri("iri", "The actor's IRI."),
            _text("type", "Its class(es) as CURIEs, e.g. skg:Municipality."),
            _text("label_sv", "Name in Swedish (rdfs:label@sv)."),
            _text("label_en", "Name in English, where given."),
            _many(
                "alt_labels", "Other names and spelling variants met in the sources."
            ),
            _text(
                "municipality_code",
                "SCB municipality code (4 digits), municipalities only.",
            ),
            _text("county_code", "SCB county code (2 digits), regions only."),
            _text("organisation_number", "Swedish organisation number, where known."),
            _iri("in_region", "The region a municipality belongs to."),
            _many("wikidata", "owl:sameAs links to Wikidata."),
            Field(
                "mentioned",
                "boolean",
                "True when a curated document refers to the actor.",
            ),
        ),
        _actors,
        ("iri",),
    ),
    TableSpec(
        "agreements",
        "Agreements",
        "One row per agreement (överenskommelse).",
        (
            _iri("iri", "The agreement's IRI."),
            _text("label_sv", "Title in Swedish."),
            _text("label_en", "Title in English, where given."),
            _many("parties", "IRIs of the parties (actors.csv)."),
            Field("start_year", "year", "First year of the agreement period."),
            Field("end_year", "year", "Last year of the agreement period."),
            _many("based_on", "IRIs of the plans the agreement builds on."),
            _iri("document", "The source document that describes it."),
            _text("file", "The source document's file in sources/."),
        ),
        _agreements,
        ("iri",),
    ),
    TableSpec(
        "clauses",
        "Clauses",
        "One row per clause: a numbered or bulleted area of an agreement, in "
        "document order.",
        (
            _iri("iri", "The clause's IRI."),
            _iri("agreement", "The agreement it belongs to (agreements.csv)."),
            Field(
                "position", "integer", "1-based order of the clause in its document."
            ),
            _text("number", "The number as printed, if any."),
            *_SPAN_FIELDS,
        ),
        _clauses,
        ("iri",),
        (("agreement", "agreements", "iri"),),
    ),
    TableSpec(
        "commitments",
        "Commitments",
        "One row per commitment: what one or more actors undertake, with how binding "
        "the wording is (modality) and what it concerns.",
        (
            _iri("iri", "The commitment's IRI."),
            _text("label_sv", "A curator's summary in Swedish, where given."),
            _iri("clause", "The agreement clause it is part of (clauses.csv), if any."),
            _iri("agreement", "The clause's agreement."),
            _iri("stated_in", "The plan or document it is stated in, if not a clause."),
            _many("committed_by", "IRIs of the committing actors (actors.csv)."),
            _many(
                "partner", "IRIs of actors it is made together with, not its subjects."
            ),
            _iri(
                "modality",
                "The modality concept (skg:Shall, skg:Intends, skg:StrivesFor, "
                "skg:May, skg:States).",
            ),
            _text(
                "modality_label",
                "The modality's Swedish label (ska, vill, verkar för, kan, "
                "konstaterar).",
            ),
            _many(
                "concerns",
                "IRIs of the programmes, institutions or actors it is about.",
            ),
            _many("themes", "IRIs of its theme concepts (skg:ThemeScheme)."),
            Field(
                "subject_implied",
                "boolean",
                "True when the text names no actor and the parties are implied.",
            ),
            *_SPAN_FIELDS,
        ),
        _commitments,
        ("iri",),
        (("clause", "clauses", "iri"),),
    ),
    TableSpec(
        "activities",
        "Activities",
        "One row per activity of an action plan (one table row of the plan).",
        (
            _iri("iri", "The activity's IRI."),
            _iri("plan", "The plan it is part of."),
            _text("heading", "Its heading (Rubrik) as printed."),
            _many("goals", "IRIs of the development goals it contributes to."),
            _text("start_term", "Start as printed, e.g. 'Ht 2020'."),
            Field("completion_year", "year", "Planned completion year, where given."),
            _text("follow_up", "Follow-up as printed."),
            _many(
                "participants",
                "IRIs of participating actors (also in participation.csv).",
            ),
            _many("convenors", "IRIs of the convenors (the bold name)."),
            _many("coordinators", "IRIs of the coordinators."),
            *_SPAN_FIELDS,
        ),
        _activities,
        ("iri",),
    ),
    TableSpec(
        "participation",
        "Participation",
        "One row per activity × actor × role (participant, convenor, coordinator).",
        (
            _iri("activity", "The activity (activities.csv)."),
            _iri("actor", "The actor (actors.csv)."),
            _text("role", "participant, convenor or coordinator."),
            _text("actor_label", "The actor's Swedish name, for reading."),
        ),
        _participation,
        ("activity", "actor", "role"),
        (("activity", "activities", "iri"), ("actor", "actors", "iri")),
    ),
    TableSpec(
        "evidence",
        "Evidence",
        "One row per piece of evidence: the exact words a fact rests on and where they "
        "are in the source file.",
        (
            _iri(
                "fact",
                "The clause, commitment, activity, statement … the quote supports.",
            ),
            _text("fact_type", "Its class(es) as CURIEs."),
            _iri("document", "The source document."),
            _text(
                "file",
                "The source file in sources/ (masked copy; offsets are valid in it).",
            ),
            Field("start", "integer", "0-based code-point offset of the quote."),
            Field(
                "end",
                "integer",
                "End offset (exclusive): file text[start:end] == quote.",
            ),
            _text("quote", "The verbatim quote (oa:exact)."),
        ),
        _evidence,
        ("fact", "document", "start", "end"),
    ),
)
