"""Evaluation of the draft extractor against the curated gold standard.

Input: the assembled dataset (every curated document, evidence resolved: the gold)
and an ``extract.Extractor``. For every curated document that describes an
``skg:Agreement``, the extractor drafts its source text afresh and the draft is
compared with the curated graph; documents without an agreement (plans, web
pages) are listed as out of scope, with what the extractor made of them. Output:
an ``EvaluationReport`` (per document and overall; see ``scores``), as a text
table, Markdown and JSON.

How things are matched (all on character offsets of the source):

- **Clauses**: a drafted clause matches a curated one when the intersection over
  union (IoU) of their characters is at least ``IOU_THRESHOLD`` (0.5), one-to-one,
  best IoU first. Precision, recall and F1 count matched pairs.
- **Commitments**: the same, on the characters of their evidence.
- **Committing actor**: on matched commitments, the set of ``skg:committedBy``
  must be exactly the curated set (accuracy).
- **Modality**: on matched commitments, the ``skg:modality`` must be the curated
  one (accuracy, and the confusion pairs).
- **Entities**: per clause, the set of actors, programmes and plans its
  commitments name (``skg:committedBy`` ∪ ``skg:concerns`` ∪ ``skg:partner``);
  counted over matched clause pairs (an unmatched clause's entities are all missed
  or all spurious); precision, recall, F1 over (clause, entity) pairs. The same
  per document is reported too.
- **Themes** (informational, no target): (commitment, theme) pairs over matched
  commitments.

- **Strict commitments** (issue 21): a matched commitment counts only with the
  curated committing actors *and* modality.
- **Concerns**: (commitment, resource) pairs of ``skg:concerns``; an unmatched
  commitment's are all missed or all spurious.
- **Activities** of a plan: rows matched on their evidence like commitments;
  (activity, participant) pairs give the participant-link F1, the convenor set of
  a matched row must be exactly the curated one.
- **Every text**: the share of drafted evidence pieces whose offsets slice to
  their quote, the contact data of the source (phone, e-mail) found in the draft
  or its review, and links to resources of another county.
- Resources the draft **proposes** (``skg:proposed``) are compared with the
  gold's resources by name (label or variant, compact form).

Targets: issue 8 (development agreements, overall): clause F1 ≥ 0.95, entity F1
≥ 0.9, modality accuracy ≥ 0.9; issue 21 (``scores.BLIND_TARGETS``, the mean over
the blind agreements; ``scores.PLAN_TARGETS`` on the Örebro plan).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ..build import AssembledDataset, CuratedDocument
from ..evidence import EvidenceRecord, Span, read_evidence
from ..labels import NAME_PROPERTIES, local_name, names_of
from ..namespaces import SKG
from ..privacy import find_contact_data
from ..sources import ProjectPaths
from .extractor import Extractor
from .gazetteer import NAMED_CLASSES
from .results import DraftClause, DraftCommitment, ExtractionResult
from .scores import (
    IOU_THRESHOLD,
    TARGETS,
    Counts,
    DocumentEvaluation,
    EvaluationReport,
    Ratio,
    format_counts,
)
from .text import compact

__all__ = [
    "IOU_THRESHOLD",
    "TARGETS",
    "Counts",
    "DocumentEvaluation",
    "EvaluationReport",
    "Ratio",
    "evaluate_document",
    "evaluate_extraction",
    "evaluate_project",
    "span_iou",
]

Intervals = list[tuple[int, int]]


@dataclass
class _Fact:
    """A clause or commitment, curated or drafted, reduced to what is compared."""

    key: str
    spans: Intervals
    text: str
    clause: str | None = None
    actors: frozenset[URIRef] = frozenset()
    entities: frozenset[URIRef] = frozenset()
    modality: URIRef | None = None
    themes: frozenset[URIRef] = frozenset()
    concerns: frozenset[URIRef] = frozenset()
    participants: frozenset[URIRef] = frozenset()
    convenors: frozenset[URIRef] = frozenset()
    coordinators: frozenset[URIRef] = frozenset()
    goal: str | None = None


# --- intervals --------------------------------------------------------------------


def _merge(spans: Iterable[tuple[int, int]]) -> Intervals:
    merged: Intervals = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _length(spans: Intervals) -> int:
    return sum(end - start for start, end in spans)


def span_iou(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> float:
    """Intersection over union of two sets of character intervals.

    Example:
        >>> span_iou([(0, 10)], [(5, 15)])
        0.3333333333333333
        >>> span_iou([(0, 4), (6, 10)], [(0, 10)])
        0.8
    """
    a, b = _merge(a), _merge(b)
    inter = 0
    for a_start, a_end in a:
        for b_start, b_end in b:
            inter += max(0, min(a_end, b_end) - max(a_start, b_start))
    union = _length(a) + _length(b) - inter
    return inter / union if union else 0.0


def _match(
    gold: Sequence[_Fact], drafted: Sequence[_Fact]
) -> list[tuple[_Fact, _Fact]]:
    """One-to-one pairs with IoU ≥ the threshold, best IoU first."""
    scored = sorted(
        (
            (span_iou(g.spans, d.spans), i, j)
            for i, g in enumerate(gold)
            for j, d in enumerate(drafted)
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    used_gold: set[int] = set()
    used_draft: set[int] = set()
    pairs = []
    for iou, i, j in scored:
        if iou < IOU_THRESHOLD:
            break
        if i in used_gold or j in used_draft:
            continue
        used_gold.add(i)
        used_draft.add(j)
        pairs.append((gold[i], drafted[j]))
    return pairs


# --- reading the gold and the draft ----------------------------------------------


def _evidence_intervals(records: Iterable[EvidenceRecord]) -> dict[URIRef, Intervals]:
    """Each fact's evidence as merged intervals, from the build's resolved records.

    The records are what the build resolved and checked (``CuratedDocument.
    evidence``), so the gold is not read back from the evidence triples a second
    time (issue 14). Skipped passages have locations, not evidence: left out.
    """
    spans: dict[URIRef, list[tuple[int, int]]] = {}
    for record in records:
        if not record.skipped:
            spans.setdefault(record.fact, []).append(
                (record.span.start, record.span.end)
            )
    return {fact: _merge(found) for fact, found in spans.items()}


def _score(
    gold: Sequence[_Fact],
    draft: Sequence[_Fact],
    pairs: list[tuple[_Fact, _Fact]],
    kind: str,
    gold_name: Callable[[str], str],
    errors: list[str],
) -> Counts:
    """Matched, extra and missed counts of one kind of fact; each unmatched fact
    is listed in ``errors`` (gold facts by ``gold_name`` of their key)."""
    paired_gold = {g.key for g, _ in pairs}
    paired_draft = {d.key for _, d in pairs}
    for fact in gold:
        if fact.key not in paired_gold:
            errors.append(f"missed {kind} <{gold_name(fact.key)}> {_short(fact.text)}")
    for fact in draft:
        if fact.key not in paired_draft:
            errors.append(f"extra {kind} ({fact.key}) {_short(fact.text)}")
    return Counts(len(pairs), len(draft) - len(pairs), len(gold) - len(pairs))


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _gold_facts(
    curated: CuratedDocument, agreements: set[URIRef]
) -> tuple[list[_Fact], list[_Fact]]:
    """The curated clauses of the agreements and every curated commitment."""
    graph = curated.graph
    text = curated.source.text
    evidence = _evidence_intervals(curated.evidence)
    clauses = []
    for clause in sorted(_uris(graph.subjects(RDF.type, SKG.Clause))):
        if graph.value(clause, DCTERMS.isPartOf) not in agreements:
            continue
        spans = evidence.get(clause, [])
        if spans:
            clauses.append(_Fact(str(clause), spans, text[spans[0][0] : spans[-1][1]]))
    commitments = []
    for commitment in sorted(_uris(graph.subjects(RDF.type, SKG.Commitment))):
        spans = evidence.get(commitment, [])
        if not spans:
            continue
        in_clause = graph.value(commitment, SKG.inClause)
        # skg:modality is an IRI of skg:ModalityScheme (the shapes require it).
        modality = graph.value(commitment, SKG.modality)
        commitments.append(
            _Fact(
                str(commitment),
                spans,
                text[spans[0][0] : spans[-1][1]],
                clause=str(in_clause) if in_clause is not None else None,
                actors=_objects(graph, commitment, SKG.committedBy),
                entities=_objects(
                    graph, commitment, SKG.committedBy, SKG.concerns, SKG.partner
                ),
                modality=modality if isinstance(modality, URIRef) else None,
                themes=_objects(graph, commitment, SKG.theme),
                concerns=_objects(graph, commitment, SKG.concerns),
            )
        )
    return clauses, commitments


def _gold_activities(curated: CuratedDocument) -> list[_Fact]:
    """The curated activities with their participants, convenors, coordinators."""
    graph = curated.graph
    text = curated.source.text
    evidence = _evidence_intervals(curated.evidence)
    found = []
    for activity in sorted(_uris(graph.subjects(RDF.type, SKG.Activity))):
        spans = evidence.get(activity, [])
        if not spans:
            continue
        goal = graph.value(activity, SKG.contributesTo)
        number = graph.value(goal, SKG.number) if goal is not None else None
        found.append(
            _Fact(
                str(activity),
                spans,
                str(
                    graph.value(activity, RDFS.label) or text[spans[0][0] : spans[0][1]]
                ),
                participants=_objects(graph, activity, SKG.participant),
                convenors=_objects(graph, activity, SKG.convenor),
                coordinators=_objects(graph, activity, SKG.coordinator),
                goal=str(number) if number is not None else None,
            )
        )
    return found


def _objects(graph: Graph, subject: URIRef, *properties: URIRef) -> frozenset[URIRef]:
    """The IRIs ``subject`` has for any of ``properties``."""
    return frozenset(
        o
        for p in properties
        for o in graph.objects(subject, p)
        if isinstance(o, URIRef)
    )


def _uris(nodes: Iterable[object]) -> set[URIRef]:
    """The IRIs among ``nodes`` (a typed resource is never a literal here)."""
    return {node for node in nodes if isinstance(node, URIRef)}


def _spans(spans: Sequence[Span]) -> Intervals:
    return _merge((span.start, span.end) for span in spans)


def _draft_facts(
    result: ExtractionResult, same: Callable[[Iterable[URIRef]], frozenset[URIRef]]
) -> tuple[list[_Fact], list[_Fact]]:
    """The draft's clauses and commitments, proposed resources renamed by
    ``same`` to the gold's resources they correspond to."""
    clauses: list[_Fact] = []
    commitments: list[_Fact] = []

    def fact(c: DraftCommitment, clause: DraftClause | None, index: int) -> _Fact:
        key = f"drafted {clause.position}-{index}" if clause else f"drafted {index}"
        return _Fact(
            key,
            _spans(c.spans),
            c.text,
            clause=f"drafted clause {clause.position}" if clause else None,
            actors=same(c.committed_by),
            entities=same([*c.committed_by, *c.concerns, *c.partners]),
            modality=c.modality,
            themes=frozenset(c.themes),
            concerns=same(c.concerns),
        )

    for clause in result.clauses:
        clauses.append(
            _Fact(
                f"drafted clause {clause.position}",
                _spans(clause.spans),
                " ".join(s.exact for s in clause.spans),
            )
        )
        commitments += [fact(c, clause, i) for i, c in enumerate(clause.commitments, 1)]
    return clauses, commitments


def _draft_activities(
    result: ExtractionResult, same: Callable[[Iterable[URIRef]], frozenset[URIRef]]
) -> list[_Fact]:
    """The draft's activity rows, proposed resources renamed by ``same``."""
    return [
        _Fact(
            f"drafted activity {a.position}",
            _spans(a.spans),
            a.label,
            participants=same(a.participants),
            convenors=same(a.convenors),
            coordinators=same(a.coordinators),
            goal=a.goal,
        )
        for a in result.activities
    ]


def _name(iri: URIRef | None) -> str:
    """An IRI's local name for the error list ("Shall", "2083")."""
    return local_name(iri) if iri is not None else "None"


def _names(iris: Iterable[URIRef]) -> str:
    return "{" + ", ".join(sorted(_name(i) for i in iris)) + "}"


# --- resources proposed by the draft, checks every text gets -----------------------


def _alignment(
    curated: CuratedDocument, result: ExtractionResult, extractor: Extractor
) -> Callable[[Iterable[URIRef]], frozenset[URIRef]]:
    """A renaming of the draft's proposed resources to the gold's own resources.

    The gold of a blind text declares the actors it names that the reference
    graph lacks; a resource the draft proposes is the same when its name, in the
    compact form, is one of that resource's names (label or variant).
    """
    known = extractor.gazetteer.kinds
    names: dict[str, URIRef] = {}
    graph = curated.graph
    for cls in NAMED_CLASSES:
        for node in _uris(graph.subjects(RDF.type, cls)):
            if node in known:
                continue
            for name in names_of(graph, node, NAME_PROPERTIES):
                names.setdefault(compact(name), node)
    renamed = {}
    for proposed in result.proposed:
        for name in (proposed.label, *proposed.variants):
            if compact(name) in names:
                renamed[proposed.iri] = names[compact(name)]
                break

    def same(iris: Iterable[URIRef]) -> frozenset[URIRef]:
        return frozenset(renamed.get(iri, iri) for iri in iris)

    return same


_LINKS = (
    SKG.committedBy,
    SKG.concerns,
    SKG.partner,
    SKG.party,
    SKG.participant,
    SKG.convenor,
    SKG.coordinator,
    SKG.signatory,
    SKG.signedFor,
    SKG.basedOn,
)


def _document_county(curated: CuratedDocument, extractor: Extractor) -> URIRef | None:
    """The gold's county: that of its agreement's region party or plan publisher."""
    graph = curated.graph
    counties = extractor.gazetteer.counties
    holders = [
        *graph.subjects(RDF.type, SKG.Agreement),
        *graph.subjects(RDF.type, SKG.Plan),
    ]
    for holder in holders:
        for prop in (SKG.party, DCTERMS.publisher):
            for actor in _uris(graph.objects(holder, prop)):
                if extractor.gazetteer.kinds.get(actor) == SKG.Region:
                    return counties.get(actor)
    return None


def _check_every_text(
    evaluation: DocumentEvaluation,
    curated: CuratedDocument,
    result: ExtractionResult,
    extractor: Extractor,
) -> None:
    """Evidence exactness, contact data copied, actors of another county."""
    text = result.text
    for record in read_evidence(result.graph, text):
        if record.skipped:
            continue
        evaluation.evidence.total += 1
        span = record.span
        if 0 <= span.start < span.end <= len(text) and text[span.start : span.end] == (
            span.exact
        ):
            evaluation.evidence.correct += 1
        else:
            evaluation.errors.append(
                f"evidence of <{_name_path(str(record.fact))}> does not slice to "
                "its quote"
            )
    outputs = " ".join(
        (
            result.turtle().decode("utf-8")
            + "\n"
            + result.review_markdown(extractor.reference)
        ).split()
    )
    copied = {
        " ".join(text[start:end].split())
        for start, end in find_contact_data(text)
        if " ".join(text[start:end].split()) in outputs
    }
    evaluation.contact_copied = len(copied)
    for item in sorted(copied):
        evaluation.errors.append(f"contact data copied into the draft: {item!r}")
    county = _document_county(curated, extractor)
    if county is None:
        return
    counties = extractor.gazetteer.counties
    foreign = sorted(
        {
            str(o)
            for p in _LINKS
            for o in result.graph.objects(None, p)
            if isinstance(o, URIRef) and counties.get(o, county) != county
        }
    )
    evaluation.foreign = foreign
    for iri in foreign:
        evaluation.errors.append(
            f"linked to <{_name_path(iri)}> of another county "
            f"({_name(counties[URIRef(iri)])})"
        )


# --- the evaluation ---------------------------------------------------------------


def evaluate_document(
    curated: CuratedDocument, extractor: Extractor, collection: str = "development"
) -> DocumentEvaluation:
    """Draft one curated document's source afresh and compare.

    Args:
        curated: the curated (or blind gold) document, evidence resolved.
        extractor: the extractor to evaluate.
        collection: "development" or "blind".

    Returns:
        The comparison: agreements' clauses and commitments, plans' activities;
        other documents are out of scope.
    """
    graph = curated.graph
    agreements = {
        a for a in graph.subjects(RDF.type, SKG.Agreement) if isinstance(a, URIRef)
    }
    result = extractor.extract_bytes(
        curated.source.path.read_bytes(), curated.source.path.name
    )
    counted = {
        name: len(set(graph.subjects(RDF.type, cls)))
        for name, cls in (
            ("clauses", SKG.Clause),
            ("commitments", SKG.Commitment),
            ("goals", SKG.Goal),
            ("activities", SKG.Activity),
            ("statements", SKG.Statement),
        )
    }
    drafted = {
        "clauses": len(result.clauses),
        "commitments": len(result.commitments),
        "goals": len(result.goals),
        "activities": len(result.activities),
        "proposed resources": len(result.proposed),
    }
    evaluation = DocumentEvaluation(
        file_name=curated.source.path.name,
        document=str(curated.document),
        kind="agreement" if agreements else "other",
        in_scope=bool(agreements),
        drafted_kind=result.kind,
        curated_counts={k: v for k, v in counted.items() if v},
        drafted_counts={k: v for k, v in drafted.items() if v},
        collection=collection,
    )
    same = _alignment(curated, result, extractor)
    if agreements:
        _score_agreement(
            evaluation, curated, agreements, result, same, extractor.reference
        )
    elif counted["activities"]:
        evaluation.kind = "plan"
        evaluation.plan_scored = True
        _score_plan(evaluation, curated, result, same)
    else:
        plans = set(graph.subjects(RDF.type, SKG.Plan))
        evaluation.kind = "plan" if plans else "other"
        evaluation.note = (
            "the curated graph holds no skg:Agreement and no skg:Activity "
            f"({format_counts(evaluation.curated_counts)}); "
            "the extractor drafts agreements' clauses and commitments and plans' "
            f"activities (it took this text for: {result.kind}, drafting "
            f"{format_counts(evaluation.drafted_counts)})"
        )
        return evaluation
    _check_every_text(evaluation, curated, result, extractor)
    return evaluation


def _score_agreement(
    evaluation: DocumentEvaluation,
    curated: CuratedDocument,
    agreements: set[URIRef],
    result: ExtractionResult,
    same: Callable[[Iterable[URIRef]], frozenset[URIRef]],
    reference: Graph,
) -> None:
    """Clauses, commitments (loose and strict), actors, modality, entities,
    concerns and signatories of an agreement."""
    gold_clauses, gold_commitments = _gold_facts(curated, agreements)
    draft_clauses, draft_commitments = _draft_facts(result, same)
    if result.kind != "agreement":
        evaluation.errors.append(
            f"the extractor did not recognise an agreement (kind {result.kind}): "
            + "; ".join(result.warnings)
        )

    clause_pairs = _match(gold_clauses, draft_clauses)
    evaluation.clauses = _score(
        gold_clauses, draft_clauses, clause_pairs, "clause", str, evaluation.errors
    )
    paired_gold = {g.key for g, _ in clause_pairs}
    paired_draft = {d.key for _, d in clause_pairs}
    commitment_pairs = _match(gold_commitments, draft_commitments)
    evaluation.commitments = _score(
        gold_commitments,
        draft_commitments,
        commitment_pairs,
        "commitment",
        _name_path,
        evaluation.errors,
    )
    confusion: Counter[str] = Counter()
    strict = 0
    for gold, draft in commitment_pairs:
        evaluation.actors.total += 1
        evaluation.modality.total += 1
        if gold.actors == draft.actors:
            evaluation.actors.correct += 1
        else:
            evaluation.errors.append(
                f"actors of <{_name_path(gold.key)}>: curated {_names(gold.actors)}, "
                f"drafted {_names(draft.actors)}"
            )
        if gold.modality == draft.modality:
            evaluation.modality.correct += 1
        else:
            pair = f"{_name(gold.modality)}→{_name(draft.modality)}"
            confusion[pair] += 1
            evaluation.errors.append(
                f"modality of <{_name_path(gold.key)}>: curated "
                f"{_name(gold.modality)}, drafted {_name(draft.modality)} "
                f"{_short(gold.text, 60)}"
            )
        strict += gold.actors == draft.actors and gold.modality == draft.modality
        evaluation.themes += Counts(
            len(gold.themes & draft.themes),
            len(draft.themes - gold.themes),
            len(gold.themes - draft.themes),
        )
        evaluation.concerns += Counts(
            len(gold.concerns & draft.concerns),
            len(draft.concerns - gold.concerns),
            len(gold.concerns - draft.concerns),
        )
        if gold.concerns != draft.concerns:
            evaluation.errors.append(
                f"concerns of <{_name_path(gold.key)}>: missing "
                f"{_names(gold.concerns - draft.concerns)}, extra "
                f"{_names(draft.concerns - gold.concerns)}"
            )
    evaluation.commitments_strict = Counts(
        strict, len(draft_commitments) - strict, len(gold_commitments) - strict
    )
    paired_commitments = {g.key for g, _ in commitment_pairs}
    drafted_paired = {d.key for _, d in commitment_pairs}
    evaluation.concerns += Counts(
        0,
        sum(len(d.concerns) for d in draft_commitments if d.key not in drafted_paired),
        sum(
            len(g.concerns) for g in gold_commitments if g.key not in paired_commitments
        ),
    )
    evaluation.confusion = dict(sorted(confusion.items()))

    def clause_entities(commitments: Sequence[_Fact], clause_key: str) -> set[URIRef]:
        return {e for c in commitments if c.clause == clause_key for e in c.entities}

    for gold, draft in clause_pairs:
        expected = clause_entities(gold_commitments, gold.key)
        found = clause_entities(draft_commitments, draft.key)
        evaluation.entities += Counts(
            len(expected & found), len(found - expected), len(expected - found)
        )
        if expected != found:
            evaluation.errors.append(
                f"entities of <{_name_path(gold.key)}>: missing "
                f"{_names(expected - found)}, extra {_names(found - expected)}"
            )
    for fact in gold_clauses:
        if fact.key not in paired_gold:
            evaluation.entities.fn += len(clause_entities(gold_commitments, fact.key))
    for fact in draft_clauses:
        if fact.key not in paired_draft:
            evaluation.entities.fp += len(clause_entities(draft_commitments, fact.key))
    expected_all = {e for c in gold_commitments for e in c.entities}
    found_all = {e for c in draft_commitments for e in c.entities}
    evaluation.entities_document = Counts(
        len(expected_all & found_all),
        len(found_all - expected_all),
        len(expected_all - found_all),
    )
    _score_signatories(evaluation, curated, result, reference)


def _score_signatories(
    evaluation: DocumentEvaluation,
    curated: CuratedDocument,
    result: ExtractionResult,
    reference: Graph,
) -> None:
    """(party, signatory name) pairs of the curated and drafted signatures."""
    graph = curated.graph
    expected = set()
    for signature in _uris(graph.subjects(RDF.type, SKG.Signature)):
        person = graph.value(signature, SKG.signatory)
        if person is None:
            continue  # a name not readable in the source: nothing to find
        label = graph.value(person, RDFS.label) or reference.value(person, RDFS.label)
        if label is not None:
            signed_for = graph.value(signature, SKG.signedFor)
            expected.add((str(signed_for), compact(str(label))))
    found = {(str(s.signed_for), compact(s.name)) for s in result.signatures}
    evaluation.signatories = Counts(
        len(expected & found), len(found - expected), len(expected - found)
    )
    for kind, pairs in (("missed", expected - found), ("extra", found - expected)):
        for party, name in sorted(pairs):
            evaluation.errors.append(
                f"{kind} signatory {name!r} for <{_name_path(party)}>"
            )


def _score_plan(
    evaluation: DocumentEvaluation,
    curated: CuratedDocument,
    result: ExtractionResult,
    same: Callable[[Iterable[URIRef]], frozenset[URIRef]],
) -> None:
    """Activities, participant links, convenors, coordinators and goals."""
    gold = _gold_activities(curated)
    draft = _draft_activities(result, same)
    pairs = _match(gold, draft)
    evaluation.activities = _score(
        gold, draft, pairs, "activity", _name_path, evaluation.errors
    )
    paired_gold = {g.key for g, _ in pairs}
    paired_draft = {d.key for _, d in pairs}
    for g, d in pairs:
        evaluation.participants += Counts(
            len(g.participants & d.participants),
            len(d.participants - g.participants),
            len(g.participants - d.participants),
        )
        if g.participants != d.participants:
            evaluation.errors.append(
                f"participants of <{_name_path(g.key)}>: missing "
                f"{_names(g.participants - d.participants)}, extra "
                f"{_names(d.participants - g.participants)}"
            )
        evaluation.coordinators += Counts(
            len(g.coordinators & d.coordinators),
            len(d.coordinators - g.coordinators),
            len(g.coordinators - d.coordinators),
        )
        evaluation.convenor.total += 1
        if g.convenors == d.convenors:
            evaluation.convenor.correct += 1
        else:
            evaluation.errors.append(
                f"convenor of <{_name_path(g.key)}>: curated {_names(g.convenors)}, "
                f"drafted {_names(d.convenors)}"
            )
        evaluation.activity_goal.total += 1
        if g.goal == d.goal:
            evaluation.activity_goal.correct += 1
        else:
            evaluation.errors.append(
                f"goal of <{_name_path(g.key)}>: curated {g.goal}, drafted {d.goal}"
            )
    for g in gold:
        if g.key not in paired_gold:
            evaluation.participants.fn += len(g.participants)
            evaluation.coordinators.fn += len(g.coordinators)
            evaluation.convenor.total += 1  # a missed row's convenor is missed too
            evaluation.activity_goal.total += 1
    for d in draft:
        if d.key not in paired_draft:
            evaluation.participants.fp += len(d.participants)
            evaluation.coordinators.fp += len(d.coordinators)


def _name_path(key: str) -> str:
    """``…/id/commitment/hedemora-2019-2022/3-4`` → ``commitment/…/3-4``."""
    parts = key.split("/id/", 1)
    return parts[1] if len(parts) == 2 else key


def evaluate_extraction(
    assembled: AssembledDataset,
    extractor: Extractor,
    *,
    ablations: dict[str, Extractor] | None = None,
    blind: Sequence[CuratedDocument] = (),
) -> EvaluationReport:
    """Evaluate the extractor on every curated document and every blind text.

    Args:
        assembled: the dataset (``build.assemble_dataset``): the gold standard.
        extractor: the extractor to evaluate.
        ablations: name → a differently configured extractor whose overall entity
            F1 (development agreements) is reported beside the main figures.
        blind: the blind texts with their gold (``blind.load_blind_set``).

    Returns:
        The report.
    """
    report = EvaluationReport(
        [evaluate_document(doc, extractor) for doc in assembled.documents],
        blind=[evaluate_document(doc, extractor, "blind") for doc in blind],
    )
    for name, variant in (ablations or {}).items():
        other = EvaluationReport(
            [evaluate_document(doc, variant) for doc in assembled.documents]
        )
        report.ablations[name] = {"entity_f1": round(other.overall().entities.f1, 4)}
    return report


def evaluate_project(
    paths: ProjectPaths, *, ablations: bool = True, blind: bool = True
) -> EvaluationReport:
    """Evaluate the extractor on a project's curated documents and blind texts.

    Args:
        paths: the project (its curated data is the gold standard, its reference
            data feeds the extractor, ``evaluation/blind/`` holds the blind set).
        ablations: also measure entity F1 without the curated name variants
            (``skos:altLabel``) and without fuzzy matching.
        blind: also score the blind texts.

    Returns:
        The report.

    Raises:
        SourceError, EvidenceError: when the curated data or the blind set does
            not assemble (a changed blind text included).
    """
    from ..build import assemble_dataset, load_vocabulary_and_reference
    from ..namespaces import GRAPH_REFERENCE, GRAPH_SCHEMES
    from .blind import load_blind_set

    assembled = assemble_dataset(paths)
    blind_set = load_blind_set(paths) if blind else []
    graphs = load_vocabulary_and_reference(paths)
    reference, schemes = graphs[GRAPH_REFERENCE], graphs[GRAPH_SCHEMES]
    variants = (
        {
            "without skos:altLabel variants": Extractor(
                reference, schemes, use_alt_labels=False
            ),
            "without fuzzy matching": Extractor(
                reference, schemes, fuzzy_threshold=None
            ),
        }
        if ablations
        else {}
    )
    return evaluate_extraction(
        assembled, Extractor(reference, schemes), ablations=variants, blind=blind_set
    )
