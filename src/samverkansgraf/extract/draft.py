"""Extraction, step 8 — the draft graph and its Turtle.

Input: an ``ExtractionResult``. Output: the draft graph in the curated data model
— one ``skg:SourceDocument``, the ``skg:Agreement`` (or ``skg:Plan``) with its
``skg:Clause``s and ``skg:Commitment``s, each with evidence made by
``evidence.add_evidence`` from the spans found, and the skipped page furniture
as ``skg:SkippedPassage`` (offsets only) — every drafted resource marked
``prov:wasGeneratedBy`` the extractor; and that graph as deterministic Turtle
in document order, relative to ``@base <https://w3id.org/samverkansgraf/id/>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..evidence import Span, add_evidence, add_location
from ..namespaces import OA, PREFIXES, SKG, SKGID, bind_prefixes
from ..privacy import find_contact_data, mask_contact_data
from .results import (
    EXTRACTOR_VERSION,
    DraftCommitment,
    DraftSignature,
    ExtractionResult,
    extractor_iri,
    file_slug,
)

__all__ = ["build_draft_graph", "serialise_draft", "skip_note"]

_SKIP_NOTES = {
    "repeated": (
        "Upprepat sidhuvud eller sidfot (samma block på flera sidor).",
        "repeated page header or footer (the same block on several pages)",
    ),
    "repeated-line": (
        "Upprepad rad (sidhuvud eller sidfot).",
        "repeated line (page header or footer)",
    ),
    "contact": (
        "Kontakt- eller adressblock (telefon, e-post, adress).",
        "contact or address block (phone, e-mail, address)",
    ),
    "toc": ("Innehållsförteckning.", "table of contents"),
    "page-number": ("Sidnummer.", "page number"),
    "signature": (
        "Underskrifter (kurera skg:Signature för hand).",
        "signatures (curate skg:Signature by hand)",
    ),
}


_CLAUSE_KINDS_SV = {
    "numbered": "numrerad klausul",
    "bulleted": "klausul i punktlista",
    "headed": "klausul under rubrik",
    "paragraph": "stycke med åtagande, föreslaget som klausul",
}


def skip_note(reason: str, lang: int) -> str:
    """Why a block was skipped, in Swedish (``lang`` 0) or English (1)."""
    return " ".join(
        _SKIP_NOTES.get(part, (part, part))[lang] for part in reason.split("+")
    )


def build_draft_graph(
    result: ExtractionResult,
    *,
    identifier: str | None = None,
    date: str | None = None,
) -> Graph:
    """The draft graph of an extraction, in the curated data model.

    Every drafted fact (agreement or plan, clause, commitment, skipped passage) has
    ``prov:wasGeneratedBy`` the extractor and a ``skos:editorialNote`` saying it is
    a machine proposal; clauses and commitments have evidence made with
    ``evidence.add_evidence`` from the spans found, so ``check_evidence`` passes.

    Args:
        result: the extraction.
        identifier: the diary number found, if any.
        date: the document date found (``YYYY-MM-DD``), if any.

    Returns:
        A new graph with the project's prefixes bound.
    """
    graph = bind_prefixes(Graph())
    activity = extractor_iri()
    document = result.document
    graph.add((activity, RDF.type, PROV.SoftwareAgent))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add(
        (
            activity,
            RDFS.label,
            Literal(f"samverkansgraf extractor {EXTRACTOR_VERSION}", lang="en"),
        )
    )
    graph.add(
        (
            activity,
            SKOS.definition,
            Literal(
                "Regelbaserad utkastextraktion (layout, namnregister, lexikon för "
                "modalitet och teman) som föreslår klausuler och åtaganden med "
                "textbelägg; varje förslag ska granskas av en person.",
                lang="sv",
            ),
        )
    )
    graph.add((activity, PROV.used, document))

    title = (
        result.title if result.title and not find_contact_data(result.title) else None
    )
    graph.add((document, RDF.type, SKG.SourceDocument))
    graph.add((document, SKG.fileName, Literal(result.file_name)))
    graph.add(
        (
            document,
            DCTERMS.title,
            Literal(title or f"(utan titel) {result.file_name}", lang="sv"),
        )
    )
    graph.add((document, SKG.sha256, Literal(result.sha256)))
    graph.add(
        (document, SKG.characterCount, Literal(len(result.text), datatype=XSD.integer))
    )
    graph.add((document, DCTERMS.format, Literal("text/plain")))
    if result.kind != "empty":
        graph.add((document, DCTERMS.language, Literal("sv")))
    if identifier and not find_contact_data(identifier):
        graph.add((document, DCTERMS.identifier, Literal(identifier)))
    if date:
        graph.add((document, DCTERMS.date, Literal(date, datatype=XSD.date)))
    for warning in result.warnings:
        graph.add(
            (
                document,
                SKOS.editorialNote,
                Literal(mask_contact_data(warning), lang="en"),
            )
        )

    def machine(node: URIRef, note: str) -> None:
        """Mark ``node`` as a machine proposal with a note for the reviewer."""
        graph.add((node, PROV.wasGeneratedBy, activity))
        graph.add(
            (
                node,
                SKOS.editorialNote,
                Literal(f"Maskinförslag, granska: {note}", lang="sv"),
            )
        )

    holder = result.agreement
    if holder is not None and result.kind == "agreement" and title:
        graph.add((holder, RDF.type, SKG.Agreement))
        graph.add((holder, RDFS.label, Literal(title, lang="sv")))
        for party in result.parties:
            graph.add((holder, SKG.party, party))
        if result.period:
            _add_period(graph, holder, result.period)
        for plan in result.based_on:
            graph.add((holder, SKG.basedOn, plan))
        graph.add((holder, DCTERMS.source, document))
        machine(holder, "titel, parter och period ur rubriken.")
        _add_spans(graph, holder, document, result.title_spans)
    elif holder is not None and result.kind == "plan" and title:
        graph.add((holder, RDF.type, SKG.Plan))
        graph.add((holder, RDFS.label, Literal(title, lang="sv")))
        if result.period:
            _add_period(graph, holder, result.period)
        graph.add((holder, DCTERMS.source, document))
        machine(
            holder,
            "plan med titel ur rubriken; mål och aktiviteter ur planens tabeller.",
        )
        _add_spans(graph, holder, document, result.title_spans)
    else:
        holder = None

    slug = (
        str(holder).rsplit("/", 1)[-1]
        if holder is not None
        else file_slug(result.file_name)
    )
    if holder is not None and result.kind == "agreement":
        for clause in result.clauses:
            clause.iri = SKGID[f"clause/{slug}/{clause.position}"]
            graph.add((clause.iri, RDF.type, SKG.Clause))
            graph.add((clause.iri, DCTERMS.isPartOf, holder))
            graph.add(
                (
                    clause.iri,
                    SKG.position,
                    Literal(clause.position, datatype=XSD.integer),
                )
            )
            if clause.number is not None:
                graph.add((clause.iri, SKG.number, Literal(clause.number)))
            note = f"{_CLAUSE_KINDS_SV.get(clause.kind, clause.kind)}."
            if clause.candidates:
                note += (
                    " Okända namn (kandidater): " + ", ".join(clause.candidates) + "."
                )
            machine(clause.iri, note)
            _add_spans(graph, clause.iri, document, clause.spans)
            for index, commitment in enumerate(clause.commitments, 1):
                commitment.iri = SKGID[f"commitment/{slug}/{clause.position}-{index}"]
                _add_commitment(graph, commitment, document, clause.iri, machine)
    elif holder is not None and result.kind == "plan":
        for index, commitment in enumerate(result.loose_commitments, 1):
            commitment.iri = SKGID[f"commitment/{slug}/{index}"]
            _add_commitment(graph, commitment, document, None, machine)
        _add_plan_tables(graph, result, holder, slug, document, machine)

    if holder is not None:
        _add_proposed(graph, result, machine)
    if holder is not None and result.kind == "agreement":
        for signature in result.signatures:
            _add_signature(graph, signature, holder, slug, document, machine)

    document_slug = str(document).rsplit("/", 1)[-1]
    number = 0
    for block in result.skipped:
        if not block.in_graph:
            continue
        number += 1
        passage = SKGID[f"skipped/{document_slug}/{number}"]
        graph.add((passage, RDF.type, SKG.SkippedPassage))
        graph.add((passage, SKOS.note, Literal(skip_note(block.reason, 0), lang="sv")))
        graph.add((passage, PROV.wasGeneratedBy, activity))
        add_location(graph, passage, document, Span(block.start, block.end, ""))
    return graph


def _add_proposed(
    graph: Graph, result: ExtractionResult, machine: Callable[[URIRef, str], None]
) -> None:
    """The resources proposed from the text, each ``skg:proposed true`` with its
    kind, label, the other forms printed, confidence and county."""
    for proposed in result.proposed:
        iri = proposed.iri
        graph.add((iri, RDF.type, proposed.kind))
        if proposed.kind == SKG.Person:
            graph.add((iri, RDFS.label, Literal(proposed.label)))
        else:
            graph.add((iri, RDFS.label, Literal(proposed.label, lang="sv")))
        for variant in proposed.variants:
            graph.add((iri, SKOS.altLabel, Literal(variant, lang="sv")))
        graph.add((iri, SKG.proposed, Literal(True)))
        graph.add(
            (
                iri,
                SKG.confidence,
                Literal(str(round(proposed.confidence, 2)), datatype=XSD.decimal),
            )
        )
        if result.county is not None and proposed.kind != SKG.Person:
            graph.add((iri, SKG.inCounty, result.county))
        machine(
            iri,
            f"ny resurs föreslagen ur texten ({proposed.reason}; första "
            f"förekomst rad {proposed.line}, {proposed.count} förekomst(er)). "
            "Finns den redan i data/reference/ under annat namn, lägg namnet som "
            "skos:altLabel där i stället.",
        )


def _add_plan_tables(
    graph: Graph,
    result: ExtractionResult,
    plan: URIRef,
    slug: str,
    document: URIRef,
    machine: Callable[[URIRef, str], None],
) -> None:
    """A plan's goals and activity rows, each with its evidence."""
    goals: dict[str, URIRef] = {}
    for goal in result.goals:
        goal.iri = SKGID[f"goal/{slug}/{goal.number}"]
        goals[goal.number] = goal.iri
        graph.add((goal.iri, RDF.type, SKG.Goal))
        graph.add((goal.iri, DCTERMS.isPartOf, plan))
        graph.add((goal.iri, SKG.number, Literal(goal.number)))
        graph.add((goal.iri, RDFS.label, Literal(goal.label, lang="sv")))
        machine(goal.iri, 'mål ur en rad "… mål N: …".')
        _add_spans(graph, goal.iri, document, goal.spans)
    for activity in result.activities:
        iri = SKGID[f"activity/{slug}/{activity.position:02d}"]
        activity.iri = iri
        graph.add((iri, RDF.type, SKG.Activity))
        graph.add((iri, RDFS.label, Literal(activity.label, lang="sv")))
        graph.add((iri, SKG.partOfPlan, plan))
        if activity.goal in goals:
            graph.add((iri, SKG.contributesTo, goals[activity.goal]))
        if activity.heading:
            graph.add((iri, SKG.heading, Literal(activity.heading)))
        if activity.start_term:
            graph.add((iri, SKG.startTerm, Literal(activity.start_term)))
        if activity.completion_year is not None:
            year = Literal(str(activity.completion_year), datatype=XSD.gYear)
            graph.add((iri, SKG.completionYear, year))
        if activity.follow_up:
            graph.add((iri, SKG.followUp, Literal(activity.follow_up)))
        for prop, values in (
            (SKG.participant, activity.participants),
            (SKG.convenor, activity.convenors),
            (SKG.coordinator, activity.coordinators),
        ):
            for value in values:
                graph.add((iri, prop, value))
        for role in activity.coordinator_roles:
            graph.add((iri, SKG.coordinatorRole, Literal(role)))
        note = "rad ur planens aktivitetstabell"
        if activity.unresolved:
            note += "; deltagare som inte kunde tolkas: " + ", ".join(
                f'"{mask_contact_data(u)}"' for u in activity.unresolved
            )
        machine(iri, note + ".")
        _add_spans(graph, iri, document, activity.spans)


def _add_signature(
    graph: Graph,
    signature: DraftSignature,
    agreement: URIRef,
    slug: str,
    document: URIRef,
    machine: Callable[[URIRef, str], None],
) -> None:
    """A signatory of the agreement: party, person, role, place, date, evidence."""
    party = signature.signed_for
    assert party is not None
    party_slug = "-".join(str(party).rsplit("/", 2)[-2:])
    iri = SKGID[f"signature/{slug}/{party_slug}"]
    signature.iri = iri
    graph.add((agreement, SKG.signature, iri))
    graph.add((iri, RDF.type, SKG.Signature))
    graph.add((iri, SKG.signedFor, party))
    if signature.person is not None:
        graph.add((iri, SKG.signatory, signature.person))
        graph.add((iri, SKG.signatoryNameReadable, Literal(True)))
    if signature.role:
        graph.add((iri, SKG.signatoryRole, Literal(signature.role)))
    if signature.place:
        graph.add((iri, SKG.signingPlace, Literal(signature.place)))
    if signature.date:
        graph.add((iri, SKG.signingDate, Literal(signature.date, datatype=XSD.date)))
    machine(iri, "undertecknare, roll, ort och datum ur underskriftsområdet.")
    _add_spans(graph, iri, document, signature.spans)


def _add_period(graph: Graph, holder: URIRef, period: tuple[int, int]) -> None:
    """The agreement's or plan's first and last year (``skg:startYear``/``endYear``)."""
    start, end = period
    graph.add((holder, SKG.startYear, Literal(str(start), datatype=XSD.gYear)))
    graph.add((holder, SKG.endYear, Literal(str(end), datatype=XSD.gYear)))


def _add_spans(
    graph: Graph, fact: URIRef, document: URIRef, spans: Sequence[Span]
) -> None:
    """One evidence per span (a fact split by page furniture has several)."""
    for index, span in enumerate(spans, 1):
        add_evidence(graph, fact, document, span, index)


def _add_commitment(
    graph: Graph,
    commitment: DraftCommitment,
    document: URIRef,
    clause: URIRef | None,
    machine: Callable[[URIRef, str], None],
) -> None:
    """A commitment's triples, its machine-proposal note and its evidence."""
    iri = commitment.iri
    assert iri is not None
    graph.add((iri, RDF.type, SKG.Commitment))
    if clause is not None:
        graph.add((iri, SKG.inClause, clause))
    for actor in commitment.committed_by:
        graph.add((iri, SKG.committedBy, actor))
    for partner in commitment.partners:
        graph.add((iri, SKG.partner, partner))
    graph.add((iri, SKG.modality, commitment.modality))
    for concern in commitment.concerns:
        graph.add((iri, SKG.concerns, concern))
    for theme in commitment.themes:
        graph.add((iri, SKG.theme, theme))
    if commitment.subject_implied:
        graph.add((iri, SKG.subjectImplied, Literal(True)))
    note = (
        f"modalitet ur {commitment.cue!r}, aktör ur {commitment.subject!r} "
        f"(säkerhet {commitment.confidence:.2f})."
    )
    machine(iri, note)
    _add_spans(graph, iri, document, commitment.spans)


_TURTLE_HEADER = """\
# Machine-proposed DRAFT of {file} — samverkansgraf extractor {version}.
# Every fact below was proposed by rules (prov:wasGeneratedBy {activity}) and
# must be reviewed by a person before it is curated into data/curated/ (see the
# review list written with --review). Evidence offsets are computed from the text
# (encoding: {encoding}); `samverkansgraf validate` checks the model.

"""


def serialise_draft(result: ExtractionResult) -> bytes:
    """The draft as Turtle: a header comment, then the resources in document order
    (extractor, document, agreement or plan, each clause followed by its
    commitments, skipped passages), each with its evidence; IRIs are written
    relative to ``@base <https://w3id.org/samverkansgraf/id/>``.

    The output is deterministic: the same input gives the same bytes.
    """
    graph = result.graph
    order: list[URIRef] = [extractor_iri(), result.document]
    if result.agreement is not None:
        order.append(result.agreement)
    order += [s.iri for s in result.signatures if s.iri is not None]
    order += [p.iri for p in result.proposed]
    for clause in result.clauses:
        order += [clause.iri] if clause.iri is not None else []
        order += [c.iri for c in clause.commitments if c.iri is not None]
    order += [c.iri for c in result.loose_commitments if c.iri is not None]
    order += [g.iri for g in result.goals if g.iri is not None]
    order += [a.iri for a in result.activities if a.iri is not None]
    order += sorted(
        s
        for s in set(graph.subjects(RDF.type, SKG.SkippedPassage))
        if isinstance(s, URIRef)
    )
    seen: set[URIRef] = set()
    chunks = []
    for subject in [
        *order,
        *sorted(s for s in set(graph.subjects()) if isinstance(s, URIRef)),
    ]:
        if subject in seen or "#" in str(subject) or (subject, None, None) not in graph:
            continue
        seen.add(subject)
        part = bind_prefixes(Graph())
        for triple in graph.triples((subject, None, None)):
            part.add(triple)
        # The evidence and location nodes are "fact#…" IRIs: keep them with the fact.
        dependants = sorted(
            {
                o
                for _, o in graph.predicate_objects(subject)
                if isinstance(o, URIRef) and str(o).startswith(f"{subject}#")
            }
        )
        for node in dependants:
            for triple in graph.triples((node, None, None)):
                part.add(triple)
            selectors = graph.objects(node, OA.hasSelector)
            for selector in sorted(s for s in selectors if isinstance(s, URIRef)):
                for triple in graph.triples((selector, None, None)):
                    part.add(triple)
        chunks.append(_turtle_body(part))
    prefixes = _turtle_prefixes(graph)
    text = prefixes + "\n" + "\n".join(chunks)
    base = str(SKGID)
    if not any(f"<{base}" in str(o) for o in graph.objects() if isinstance(o, Literal)):
        text = re.sub(rf"<{re.escape(base)}([^>\s]*)>", r"<\1>", text)
        text = f"@base <{base}> .\n" + text
    header = _TURTLE_HEADER.format(
        file=result.file_name.replace("\n", " "),
        version=EXTRACTOR_VERSION,
        activity=f"<software/extractor/{EXTRACTOR_VERSION}>",
        encoding=result.encoding,
    )
    return (header + text).encode("utf-8")


def _turtle_prefixes(graph: Graph) -> str:
    """``@prefix`` lines for the project's namespaces the graph uses, sorted."""
    used = {str(ns) for _, p, o in graph for ns in _namespaces_of(p, o)}
    lines = [
        f"@prefix {prefix}: <{namespace}> ."
        for prefix, namespace in sorted(PREFIXES.items())
        if str(namespace) in used and prefix != "skgid"
    ]
    return "\n".join(lines) + "\n"


def _namespaces_of(*nodes: object) -> Iterable[str]:
    """The project namespaces the nodes (and literals' datatypes) are in."""
    for node in nodes:
        text = str(node)
        for namespace in PREFIXES.values():
            if text.startswith(str(namespace)):
                yield str(namespace)
        if isinstance(node, Literal) and node.datatype is not None:
            yield from _namespaces_of(node.datatype)


def _turtle_body(graph: Graph) -> str:
    """Turtle of a small graph without its prefix lines."""
    text = graph.serialize(format="turtle")
    return (
        "\n".join(
            line for line in text.splitlines() if not line.startswith("@prefix")
        ).strip()
        + "\n"
    )
