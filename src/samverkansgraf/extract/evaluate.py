"""Evaluation of the draft extractor against the curated gold standard.

Input: the assembled dataset (every curated document, evidence resolved: the gold)
and an ``extract.Extractor``. For every curated document that describes an
``skg:Agreement``, the extractor drafts its source text afresh and the draft is
compared with the curated graph; documents without an agreement (plans, web
pages) are listed as out of scope, with what the extractor made of them. Output:
an ``EvaluationReport`` (per document and overall), as a text table, Markdown and
JSON.

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

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from ..build import AssembledDataset, CuratedDocument
from ..evidence import Span
from ..namespaces import OA, SKG
from ..sources import ProjectPaths
from .core import DraftClause, DraftCommitment, ExtractionResult, Extractor

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

IOU_THRESHOLD = 0.5
"""Minimum intersection over union for two spans to match."""

TARGETS = {
    "clause_f1": 0.95,
    "entity_f1": 0.90,
    "modality_accuracy": 0.90,
}
"""The figures issue #8 asks the extractor to reach."""

Intervals = list[tuple[int, int]]


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    """Matched."""
    fp: int = 0
    """Drafted but not curated."""
    fn: int = 0
    """Curated but not drafted."""

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was drafted and nothing was curated."""
        return (
            self.tp / (self.tp + self.fp) if self.tp + self.fp else float(not self.fn)
        )

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when nothing was curated and nothing was drafted."""
        return (
            self.tp / (self.tp + self.fn) if self.tp + self.fn else float(not self.fp)
        )

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    def as_dict(self) -> dict[str, float]:
        """Counts and rates, rounded, for JSON."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Ratio:
    """Correct out of total (an accuracy)."""

    correct: int = 0
    """How many were right."""
    total: int = 0
    """How many were judged."""

    @property
    def value(self) -> float:
        """correct / total (1.0 when nothing was judged)."""
        return self.correct / self.total if self.total else 1.0

    def __iadd__(self, other: Ratio) -> Ratio:
        self.correct += other.correct
        self.total += other.total
        return self

    def as_dict(self) -> dict[str, float]:
        """For JSON."""
        return {
            "correct": self.correct,
            "total": self.total,
            "accuracy": round(self.value, 4),
        }


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


@dataclass
class DocumentEvaluation:
    """The comparison for one curated document."""

    file_name: str
    """The source file."""
    document: str
    """The curated ``skg:SourceDocument``."""
    kind: str
    """What the curated graph holds: "agreement", "plan" or "other"."""
    in_scope: bool
    """True for agreements (the only kind the figures are computed for)."""
    note: str = ""
    """Why out of scope, or anything notable."""
    drafted_kind: str = ""
    """What the extractor took the text for."""
    clauses: Counts = field(default_factory=Counts)
    """Clause boundaries (IoU ≥ 0.5)."""
    commitments: Counts = field(default_factory=Counts)
    """Commitments (evidence IoU ≥ 0.5)."""
    actors: Ratio = field(default_factory=Ratio)
    """Exact committing-actor sets on matched commitments."""
    modality: Ratio = field(default_factory=Ratio)
    """Modality on matched commitments."""
    entities: Counts = field(default_factory=Counts)
    """(clause, entity) pairs."""
    entities_document: Counts = field(default_factory=Counts)
    """Entities named by the document's commitments, as one set."""
    themes: Counts = field(default_factory=Counts)
    """(commitment, theme) pairs on matched commitments (informational)."""
    confusion: dict[str, int] = field(default_factory=dict)
    """"curated→drafted" modality pairs that differ, with counts."""
    errors: list[str] = field(default_factory=list)
    """Readable list of misses and wrong readings."""
    curated_counts: dict[str, int] = field(default_factory=dict)
    """Clauses, commitments (and activities) in the curated graph."""
    drafted_counts: dict[str, int] = field(default_factory=dict)
    """Clauses and commitments in the draft."""


@dataclass
class EvaluationReport:
    """Per-document and overall figures."""

    documents: list[DocumentEvaluation]
    """Every curated document, in file-name order."""
    ablations: dict[str, dict[str, float]] = field(default_factory=dict)
    """Overall entity F1 with parts of the name matching turned off."""

    @property
    def in_scope(self) -> list[DocumentEvaluation]:
        """The agreements."""
        return [d for d in self.documents if d.in_scope]

    def overall(self) -> DocumentEvaluation:
        """Micro-averaged figures over the in-scope documents."""
        total = DocumentEvaluation("overall", "", "agreement", True)
        confusion: Counter[str] = Counter()
        for doc in self.in_scope:
            total.clauses += doc.clauses
            total.commitments += doc.commitments
            total.actors += doc.actors
            total.modality += doc.modality
            total.entities += doc.entities
            total.entities_document += doc.entities_document
            total.themes += doc.themes
            confusion.update(doc.confusion)
        total.confusion = dict(sorted(confusion.items()))
        return total

    def figures(self) -> dict[str, float]:
        """The targeted figures, overall."""
        overall = self.overall()
        return {
            "clause_f1": overall.clauses.f1,
            "entity_f1": overall.entities.f1,
            "modality_accuracy": overall.modality.value,
        }

    def shortfalls(self) -> list[str]:
        """Targets not reached (empty when all are met or nothing is in scope)."""
        if not self.in_scope:
            return []
        return [
            f"{name} {value:.3f} < {TARGETS[name]:.2f}"
            for name, value in self.figures().items()
            if value < TARGETS[name]
        ]

    def to_json(self) -> str:
        """Everything as JSON (figures rounded to four decimals)."""

        def document(doc: DocumentEvaluation) -> dict[str, object]:
            data = asdict(doc)
            for name in ("clauses", "commitments", "entities", "entities_document"):
                data[name] = getattr(doc, name).as_dict()
            data["themes"] = doc.themes.as_dict()
            data["actors"] = doc.actors.as_dict()
            data["modality"] = doc.modality.as_dict()
            return data

        payload = {
            "iou_threshold": IOU_THRESHOLD,
            "targets": TARGETS,
            "overall": document(self.overall()) if self.in_scope else None,
            "figures": {k: round(v, 4) for k, v in self.figures().items()}
            if self.in_scope
            else None,
            "shortfalls": self.shortfalls(),
            "ablations": self.ablations,
            "documents": [document(doc) for doc in self.documents],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def format_table(self) -> str:
        """A plain-text table: one row per document, then overall."""
        header = (
            f"{'document':<28} {'clauses P/R/F1':>18} {'commitm. P/R/F1':>18} "
            f"{'actor':>6} {'modal.':>6} {'entity P/R/F1':>18} {'theme F1':>8}"
        )
        lines = [header, "-" * len(header)]
        rows = [*self.in_scope, self.overall()] if self.in_scope else []
        for doc in rows:
            lines.append(
                f"{doc.file_name[:28]:<28} {_prf(doc.clauses):>18} "
                f"{_prf(doc.commitments):>18} {doc.actors.value:>6.3f} "
                f"{doc.modality.value:>6.3f} {_prf(doc.entities):>18} "
                f"{doc.themes.f1:>8.3f}"
            )
        for doc in self.documents:
            if not doc.in_scope:
                lines.append(f"{doc.file_name[:28]:<28} out of scope: {doc.note}")
        if self.in_scope:
            lines.append("")
            for name, value in self.figures().items():
                state = "ok" if value >= TARGETS[name] else "BELOW TARGET"
                lines.append(
                    f"{name:<18} {value:.3f}  (target {TARGETS[name]:.2f}) {state}"
                )
            for name, values in self.ablations.items():
                lines.append(f"ablation {name}: entity F1 {values['entity_f1']:.3f}")
        else:
            lines.append("no curated agreement to evaluate on")
        return "\n".join(lines)

    def format_markdown(self) -> str:
        """The report as Markdown: method, table, targets, errors per document."""
        lines = [
            "# Extraction evaluation",
            "",
            "The extractor (`samverkansgraf extract`) drafted every curated source "
            "afresh; its drafts are compared with the curated graph. Spans match at "
            f"IoU ≥ {IOU_THRESHOLD} (one-to-one, best first). Entities are the actors, "
            "programmes and plans a clause's commitments name (committedBy ∪ "
            "concerns ∪ partner), per matched clause. Actor and modality are judged "
            "on matched commitments.",
            "",
            "| document | clauses P / R / F1 | commitments P / R / F1 | actor acc. | "
            "modality acc. | entities P / R / F1 | entities per document F1 | "
            "themes F1 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        rows = [*self.in_scope, self.overall()] if self.in_scope else []
        for doc in rows:
            name = "**overall**" if doc.file_name == "overall" else f"`{doc.file_name}`"
            lines.append(
                f"| {name} | {_prf(doc.clauses, ' / ')} | "
                f"{_prf(doc.commitments, ' / ')} | {doc.actors.value:.3f} "
                f"({doc.actors.correct}/{doc.actors.total}) | {doc.modality.value:.3f} "
                f"({doc.modality.correct}/{doc.modality.total}) | "
                f"{_prf(doc.entities, ' / ')} | {doc.entities_document.f1:.3f} | "
                f"{doc.themes.f1:.3f} |"
            )
        lines.append("")
        if self.in_scope:
            lines += [
                "## Targets",
                "",
                "| figure | value | target | |",
                "|---|---|---|---|",
            ]
            for name, value in self.figures().items():
                state = "met" if value >= TARGETS[name] else "**not met**"
                lines.append(
                    f"| {name} | {value:.3f} | {TARGETS[name]:.2f} | {state} |"
                )
            lines.append("")
        if self.ablations:
            lines += [
                "## Ablations (entity F1 overall)",
                "",
                "| name matching | entity F1 |",
                "|---|---|",
            ]
            lines += [
                f"| {name} | {values['entity_f1']:.3f} |"
                for name, values in self.ablations.items()
            ]
            lines.append("")
        out = [d for d in self.documents if not d.in_scope]
        if out:
            lines += ["## Out of scope", ""]
            lines += [f"- `{d.file_name}` ({d.kind}): {d.note}" for d in out]
            lines.append("")
        for doc in self.in_scope:
            lines += [
                f"## `{doc.file_name}`",
                "",
                f"Curated: {_counts(doc.curated_counts)}; drafted: "
                f"{_counts(doc.drafted_counts)}.",
                "",
            ]
            if doc.confusion:
                lines.append(
                    "Modality confusions (curated → drafted): "
                    + ", ".join(f"{k} ×{v}" for k, v in doc.confusion.items())
                )
                lines.append("")
            if doc.errors:
                lines += [f"- {error}" for error in doc.errors]
            else:
                lines.append("No errors.")
            lines.append("")
        return "\n".join(lines)


def _prf(counts: Counts, sep: str = "/") -> str:
    return f"{counts.precision:.2f}{sep}{counts.recall:.2f}{sep}{counts.f1:.3f}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"


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


def _evidence_spans(graph: Graph, fact: URIRef) -> Intervals:
    spans = []
    for evidence in graph.objects(fact, SKG.evidence):
        for selector in graph.objects(evidence, OA.hasSelector):
            start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
            if start is not None and end is not None:
                spans.append((int(start), int(end)))
    return _merge(spans)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _gold_facts(
    graph: Graph, text: str, agreements: set[URIRef]
) -> tuple[list[_Fact], list[_Fact]]:
    clauses = []
    for clause in sorted(set(graph.subjects(RDF.type, SKG.Clause))):
        if graph.value(clause, DCTERMS.isPartOf) not in agreements:
            continue
        spans = _evidence_spans(graph, clause)
        if spans:
            clauses.append(_Fact(str(clause), spans, text[spans[0][0] : spans[-1][1]]))
    commitments = []
    for commitment in sorted(set(graph.subjects(RDF.type, SKG.Commitment))):
        spans = _evidence_spans(graph, commitment)
        if not spans:
            continue
        actors = frozenset(graph.objects(commitment, SKG.committedBy))
        named = {
            o
            for p in (SKG.committedBy, SKG.concerns, SKG.partner)
            for o in graph.objects(commitment, p)
        }
        clause = graph.value(commitment, SKG.inClause)
        commitments.append(
            _Fact(
                str(commitment),
                spans,
                text[spans[0][0] : spans[-1][1]],
                clause=str(clause) if clause is not None else None,
                actors=frozenset(a for a in actors if isinstance(a, URIRef)),
                entities=frozenset(e for e in named if isinstance(e, URIRef)),
                modality=graph.value(commitment, SKG.modality),  # type: ignore[arg-type]
                themes=frozenset(
                    t
                    for t in graph.objects(commitment, SKG.theme)
                    if isinstance(t, URIRef)
                ),
            )
        )
    return clauses, commitments


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


def _name(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


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
    text = curated.source.text
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
            f"({_counts(evaluation.curated_counts)}); "
            "the extractor drafts agreements' clauses and commitments only "
            f"(it took this text for: {result.kind}, drafting "
            f"{_counts(evaluation.drafted_counts)})"
        )
        return evaluation

    gold_clauses, gold_commitments = _gold_facts(graph, text, agreements)
    draft_clauses, draft_commitments = _draft_facts(result)
    if result.kind != "agreement":
        evaluation.errors.append(
            f"the extractor did not recognise an agreement (kind {result.kind}): "
            + "; ".join(result.warnings)
        )

    clause_pairs = _match(gold_clauses, draft_clauses)
    evaluation.clauses = Counts(
        len(clause_pairs),
        len(draft_clauses) - len(clause_pairs),
        len(gold_clauses) - len(clause_pairs),
    )
    paired_gold = {g.key for g, _ in clause_pairs}
    paired_draft = {d.key for _, d in clause_pairs}
    for fact in gold_clauses:
        if fact.key not in paired_gold:
            evaluation.errors.append(f"missed clause <{fact.key}> {_short(fact.text)}")
    for fact in draft_clauses:
        if fact.key not in paired_draft:
            evaluation.errors.append(f"extra clause ({fact.key}) {_short(fact.text)}")

    commitment_pairs = _match(gold_commitments, draft_commitments)
    evaluation.commitments = Counts(
        len(commitment_pairs),
        len(draft_commitments) - len(commitment_pairs),
        len(gold_commitments) - len(commitment_pairs),
    )
    matched_gold = {g.key for g, _ in commitment_pairs}
    matched_draft = {d.key for _, d in commitment_pairs}
    for fact in gold_commitments:
        if fact.key not in matched_gold:
            evaluation.errors.append(
                f"missed commitment <{_name_path(fact.key)}> {_short(fact.text)}"
            )
    for fact in draft_commitments:
        if fact.key not in matched_draft:
            evaluation.errors.append(
                f"extra commitment ({fact.key}) {_short(fact.text)}"
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
