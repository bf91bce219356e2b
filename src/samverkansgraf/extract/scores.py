"""Extraction evaluation, the figures: counts, accuracies and the report.

Input: the comparisons ``evaluate.evaluate_document`` makes. Output: the
``EvaluationReport`` (per document and micro-averaged overall, with ablations),
as a plain-text table, Markdown and JSON, and the targets of issue #8 it is
judged against.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..atomic import check_output_file, write_files_atomically

__all__ = [
    "IOU_THRESHOLD",
    "TARGETS",
    "Counts",
    "DocumentEvaluation",
    "EvaluationReport",
    "Ratio",
    "format_counts",
]

IOU_THRESHOLD = 0.5
"""Minimum intersection over union for two spans to match."""

TARGETS = {
    "clause_f1": 0.95,
    "entity_f1": 0.90,
    "modality_accuracy": 0.90,
}
"""The figures issue #8 asks the extractor to reach."""


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

    def write(
        self,
        out: Path,
        *,
        project_root: str | Path | None = None,
        force: bool = False,
    ) -> list[Path]:
        """Write the report as ``out.json`` and ``out.md`` (the suffix of ``out``
        is replaced), atomically; returns the paths written.

        An existing file is replaced only when it is an earlier report, or with
        ``force``; nothing is written into the project's inputs
        (``atomic.check_output_file``).
        """
        json_path, markdown_path = out.with_suffix(".json"), out.with_suffix(".md")
        for path, recognise in (
            (json_path, _is_earlier_json_report),
            (markdown_path, _is_earlier_markdown_report),
        ):
            check_output_file(
                path,
                "evaluate",
                project_root=project_root,
                recognise=recognise,
                force=force,
            )
        return write_files_atomically(
            {
                json_path: self.to_json().encode("utf-8"),
                markdown_path: self.format_markdown().encode("utf-8"),
            }
        )

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
                f"Curated: {format_counts(doc.curated_counts)}; drafted: "
                f"{format_counts(doc.drafted_counts)}.",
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
    """Precision, recall and F1 as "0.95/1.00/0.977"."""
    return f"{counts.precision:.2f}{sep}{counts.recall:.2f}{sep}{counts.f1:.3f}"


def format_counts(counts: dict[str, int]) -> str:
    """ "3 clauses, 7 commitments" (or "nothing")."""
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"


def _is_earlier_json_report(head: bytes) -> bool:
    """An ``evaluate`` JSON report starts with its IoU threshold."""
    return head.startswith(b'{\n  "iou_threshold"')


def _is_earlier_markdown_report(head: bytes) -> bool:
    """An ``evaluate`` Markdown report starts with its title."""
    return head.startswith(b"# Extraction evaluation")
