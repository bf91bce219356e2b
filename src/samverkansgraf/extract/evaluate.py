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

Targets (issue #8): clause F1 ≥ 0.95, entity F1 ≥ 0.9, modality accuracy ≥ 0.9.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from ..build import AssembledDataset, CuratedDocument
from ..evidence import EvidenceRecord, Span
from ..labels import local_name
from ..namespaces import SKG
from ..sources import ProjectPaths
from .extractor import Extractor
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
        actors = frozenset(graph.objects(commitment, SKG.committedBy))
        named = {
            o
            for p in (SKG.committedBy, SKG.concerns, SKG.partner)
            for o in graph.objects(commitment, p)
        }
        in_clause = graph.value(commitment, SKG.inClause)
        # skg:modality is an IRI of skg:ModalityScheme (the shapes require it).
        modality = graph.value(commitment, SKG.modality)
        commitments.append(
            _Fact(
                str(commitment),
                spans,
                text[spans[0][0] : spans[-1][1]],
                clause=str(in_clause) if in_clause is not None else None,
                actors=frozenset(a for a in actors if isinstance(a, URIRef)),
                entities=frozenset(e for e in named if isinstance(e, URIRef)),
                modality=modality if isinstance(modality, URIRef) else None,
                themes=frozenset(
                    t
                    for t in graph.objects(commitment, SKG.theme)
                    if isinstance(t, URIRef)
                ),
            )
        )
    return clauses, commitments


def _uris(nodes: Iterable[object]) -> set[URIRef]:
    """The IRIs among ``nodes`` (a typed resource is never a literal here)."""
    return {node for node in nodes if isinstance(node, URIRef)}


def _spans(spans: Sequence[Span]) -> Intervals:
    return _merge((span.start, span.end) for span in spans)


def _draft_facts(result: ExtractionResult) -> tuple[list[_Fact], list[_Fact]]:
    clauses: list[_Fact] = []
    commitments: list[_Fact] = []

    def fact(c: DraftCommitment, clause: DraftClause | None, index: int) -> _Fact:
        key = f"drafted {clause.position}-{index}" if clause else f"drafted {index}"
        return _Fact(
            key,
            _spans(c.spans),
            c.text,
            clause=f"drafted clause {clause.position}" if clause else None,
            actors=frozenset(c.committed_by),
            entities=frozenset([*c.committed_by, *c.concerns, *c.partners]),
            modality=c.modality,
            themes=frozenset(c.themes),
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


def _name(iri: URIRef | None) -> str:
    """An IRI's local name for the error list ("Shall", "2083")."""
    return local_name(iri) if iri is not None else "None"


def _names(iris: Iterable[URIRef]) -> str:
    return "{" + ", ".join(sorted(_name(i) for i in iris)) + "}"


# --- the evaluation ---------------------------------------------------------------


def evaluate_document(
    curated: CuratedDocument, extractor: Extractor
) -> DocumentEvaluation:
    """Draft one curated document's source afresh and compare.

    Args:
        curated: the curated document (evidence resolved).
        extractor: the extractor to evaluate.

    Returns:
        The comparison (out of scope when the curated graph has no agreement).
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
            ("activities", SKG.Activity),
            ("statements", SKG.Statement),
        )
    }
    evaluation = DocumentEvaluation(
        file_name=curated.source.path.name,
        document=str(curated.document),
        kind="agreement" if agreements else "other",
        in_scope=bool(agreements),
        drafted_kind=result.kind,
        curated_counts={k: v for k, v in counted.items() if v},
        drafted_counts={
            "clauses": len(result.clauses),
            "commitments": len(result.commitments),
        },
    )
    if not agreements:
        plans = set(graph.subjects(RDF.type, SKG.Plan)) | set(
            graph.subjects(RDF.type, SKG.Activity)
        )
        evaluation.kind = "plan" if plans else "other"
        evaluation.note = (
            "the curated graph holds no skg:Agreement "
            f"({format_counts(evaluation.curated_counts)}); "
            "the extractor drafts agreements' clauses and commitments only "
            f"(it took this text for: {result.kind}, drafting "
            f"{format_counts(evaluation.drafted_counts)})"
        )
        return evaluation

    gold_clauses, gold_commitments = _gold_facts(curated, agreements)
    draft_clauses, draft_commitments = _draft_facts(result)
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
        evaluation.themes += Counts(
            len(gold.themes & draft.themes),
            len(draft.themes - gold.themes),
            len(gold.themes - draft.themes),
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
    return evaluation


def _name_path(key: str) -> str:
    """``…/id/commitment/hedemora-2019-2022/3-4`` → ``commitment/…/3-4``."""
    parts = key.split("/id/", 1)
    return parts[1] if len(parts) == 2 else key


def evaluate_extraction(
    assembled: AssembledDataset,
    extractor: Extractor,
    *,
    ablations: dict[str, Extractor] | None = None,
) -> EvaluationReport:
    """Evaluate the extractor on every curated document.

    Args:
        assembled: the dataset (``build.assemble_dataset``): the gold standard.
        extractor: the extractor to evaluate.
        ablations: name → a differently configured extractor whose overall entity
            F1 is reported beside the main figures.

    Returns:
        The report.
    """
    report = EvaluationReport(
        [evaluate_document(doc, extractor) for doc in assembled.documents]
    )
    for name, variant in (ablations or {}).items():
        other = EvaluationReport(
            [evaluate_document(doc, variant) for doc in assembled.documents]
        )
        report.ablations[name] = {"entity_f1": round(other.overall().entities.f1, 4)}
    return report


def evaluate_project(
    paths: ProjectPaths, *, ablations: bool = True
) -> EvaluationReport:
    """Evaluate the extractor on a project's curated documents.

    Args:
        paths: the project (its curated data is the gold standard, its reference
            data feeds the extractor).
        ablations: also measure entity F1 without the curated name variants
            (``skos:altLabel``) and without fuzzy matching.

    Returns:
        The report.

    Raises:
        SourceError, EvidenceError: when the curated data does not assemble.
    """
    from ..build import assemble_dataset, load_vocabulary_and_reference
    from ..namespaces import GRAPH_REFERENCE, GRAPH_SCHEMES

    assembled = assemble_dataset(paths)
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
        assembled, Extractor(reference, schemes), ablations=variants
    )
