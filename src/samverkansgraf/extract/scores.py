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
    "AGREEMENT_FIGURES",
    "BLIND_TARGETS",
    "IOU_THRESHOLD",
    "PLAN_FIGURES",
    "PLAN_TARGETS",
    "TARGETS",
    "Counts",
    "DocumentEvaluation",
    "EvaluationReport",
    "Ratio",
    "format_counts",
    "mean_figures",
]

IOU_THRESHOLD = 0.5
"""Minimum intersection over union for two spans to match."""

TARGETS = {
    "clause_f1": 0.95,
    "entity_f1": 0.90,
    "modality_accuracy": 0.90,
}
"""The figures issue #8 asks the extractor to reach (development agreements,
micro-averaged)."""

BLIND_TARGETS = {
    "clause_f1": (">=", 0.90),
    "commitment_f1": (">=", 0.85),
    "concerns_recall": (">=", 0.80),
    "evidence_exact": (">=", 1.0),
    "contact_copied": ("<=", 0),
    "foreign_actors": ("<=", 0),
}
"""What issue 21 asks on the blind agreements: the mean over texts of each figure
(contact data copied and actors of another county: the sum, which must be 0)."""

PLAN_TARGETS = {"participant_f1": (">=", 0.90)}
"""What issue 21 asks of plan activities, measured on the curated Örebro plan."""

AGREEMENT_FIGURES = (
    "clause_f1",
    "commitment_f1",
    "concerns_recall",
    "signatory_f1",
    "evidence_exact",
    "contact_copied",
    "foreign_actors",
)
"""The per-text figures of an agreement (issue 21), in report order."""

PLAN_FIGURES = (
    "activity_f1",
    "participant_f1",
    "convenor_accuracy",
    "evidence_exact",
    "contact_copied",
    "foreign_actors",
)
"""The per-text figures of a plan (issue 21), in report order."""

_SUMMED = frozenset({"contact_copied", "foreign_actors"})


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
    collection: str = "development"
    """"development" (the curated sources the rules were written on) or "blind"
    (synthetic texts nobody tuned to)."""
    commitments_strict: Counts = field(default_factory=Counts)
    """Commitments matched with the right committing actors and modality."""
    concerns: Counts = field(default_factory=Counts)
    """(commitment, concerned resource) pairs; an unmatched commitment's are all
    missed or all spurious."""
    signatories: Counts = field(default_factory=Counts)
    """(party signed for, signatory name) pairs."""
    evidence: Ratio = field(default_factory=Ratio)
    """Drafted evidence pieces whose offsets slice exactly to their quote."""
    contact_copied: int = 0
    """Contact data of the source (phone, e-mail) found in the draft or review."""
    foreign: list[str] = field(default_factory=list)
    """Links in the draft to a resource of another county."""
    plan_scored: bool = False
    """True for plans whose activities are scored."""
    activities: Counts = field(default_factory=Counts)
    """Activity rows (evidence IoU ≥ 0.5)."""
    participants: Counts = field(default_factory=Counts)
    """(activity, participant) pairs; an unmatched row's are all missed or
    spurious."""
    convenor: Ratio = field(default_factory=Ratio)
    """Curated activities whose row was drafted with exactly the curated
    convenor set (a missed row counts as wrong)."""
    coordinators: Counts = field(default_factory=Counts)
    """(activity, coordinator) pairs (informational)."""
    activity_goal: Ratio = field(default_factory=Ratio)
    """Matched activities under the right goal (informational)."""

    def figures(self) -> dict[str, float]:
        """The issue-21 figures of this text (agreement or plan)."""
        common = {
            "evidence_exact": self.evidence.value,
            "contact_copied": float(self.contact_copied),
            "foreign_actors": float(len(self.foreign)),
        }
        if self.plan_scored:
            return {
                "activity_f1": self.activities.f1,
                "participant_f1": self.participants.f1,
                "convenor_accuracy": self.convenor.value,
                **common,
            }
        return {
            "clause_f1": self.clauses.f1,
            "commitment_f1": self.commitments_strict.f1,
            "concerns_recall": self.concerns.recall,
            "signatory_f1": self.signatories.f1,
            **common,
        }


def mean_figures(documents: list[DocumentEvaluation]) -> dict[str, float]:
    """The mean of each per-text figure (the sum for contact data and actors of
    another county, which must be 0 in every text)."""
    if not documents:
        return {}
    per_text = [doc.figures() for doc in documents]
    return {
        name: (
            sum(f[name] for f in per_text)
            if name in _SUMMED
            else sum(f[name] for f in per_text) / len(per_text)
        )
        for name in per_text[0]
    }


def _meets(value: float, rule: tuple[str, float]) -> bool:
    """Whether ``value`` satisfies ``(">=", x)`` or ``("<=", x)``."""
    operator, bound = rule
    return value >= bound - 1e-12 if operator == ">=" else value <= bound + 1e-12


@dataclass
class EvaluationReport:
    """Per-document and overall figures, development and blind texts apart."""

    documents: list[DocumentEvaluation]
    """Every curated document (the development texts), in file-name order."""
    ablations: dict[str, dict[str, float]] = field(default_factory=dict)
    """Overall entity F1 with parts of the name matching turned off."""
    blind: list[DocumentEvaluation] = field(default_factory=list)
    """Every blind text (``evaluation/blind/``), in file-name order."""

    @property
    def in_scope(self) -> list[DocumentEvaluation]:
        """The development agreements."""
        return [d for d in self.documents if d.in_scope]

    @property
    def development_plans(self) -> list[DocumentEvaluation]:
        """The development plans whose activities are scored (Örebro)."""
        return [d for d in self.documents if d.plan_scored]

    @property
    def blind_agreements(self) -> list[DocumentEvaluation]:
        """The blind agreements."""
        return [d for d in self.blind if d.in_scope]

    @property
    def blind_plans(self) -> list[DocumentEvaluation]:
        """The blind plans."""
        return [d for d in self.blind if d.plan_scored]

    def overall(self) -> DocumentEvaluation:
        """Micro-averaged figures over the development agreements."""
        total = DocumentEvaluation("overall", "", "agreement", True)
        confusion: Counter[str] = Counter()
        for doc in self.in_scope:
            total.clauses += doc.clauses
            total.commitments += doc.commitments
            total.commitments_strict += doc.commitments_strict
            total.concerns += doc.concerns
            total.actors += doc.actors
            total.modality += doc.modality
            total.entities += doc.entities
            total.entities_document += doc.entities_document
            total.themes += doc.themes
            total.evidence += doc.evidence
            total.contact_copied += doc.contact_copied
            total.foreign += doc.foreign
            confusion.update(doc.confusion)
        total.confusion = dict(sorted(confusion.items()))
        return total

    def figures(self) -> dict[str, float]:
        """The issue-8 figures, overall on the development agreements."""
        overall = self.overall()
        return {
            "clause_f1": overall.clauses.f1,
            "entity_f1": overall.entities.f1,
            "modality_accuracy": overall.modality.value,
        }

    def checks(self) -> list[tuple[str, float, str, bool]]:
        """The issue-21 targets: (name, value, target as text, met).

        Blind agreements are judged on the mean over texts, plan participants on
        the development plan (the curated Örebro plan).
        """
        found = []
        means = mean_figures(self.blind_agreements)
        for name, rule in BLIND_TARGETS.items():
            if name in means:
                found.append(
                    (
                        f"blind agreements {name}",
                        means[name],
                        f"{rule[0]} {rule[1]}",
                        _meets(means[name], rule),
                    )
                )
        plans = mean_figures(self.development_plans)
        for name, rule in PLAN_TARGETS.items():
            if name in plans:
                found.append(
                    (
                        f"development plan {name}",
                        plans[name],
                        f"{rule[0]} {rule[1]}",
                        _meets(plans[name], rule),
                    )
                )
        return found

    def shortfalls(self) -> list[str]:
        """Targets not reached (issue 8 on the development agreements, issue 21
        on the blind agreements and the development plan)."""
        missed = []
        if self.in_scope:
            missed += [
                f"{name} {value:.3f} < {TARGETS[name]:.2f}"
                for name, value in self.figures().items()
                if value < TARGETS[name]
            ]
        missed += [
            f"{name} {value:.3f} (target {target})"
            for name, value, target, met in self.checks()
            if not met
        ]
        return missed

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
            for name in (
                "clauses",
                "commitments",
                "commitments_strict",
                "concerns",
                "signatories",
                "entities",
                "entities_document",
                "themes",
                "activities",
                "participants",
                "coordinators",
            ):
                data[name] = getattr(doc, name).as_dict()
            for name in ("actors", "modality", "evidence", "convenor", "activity_goal"):
                data[name] = getattr(doc, name).as_dict()
            data["figures"] = (
                {k: round(v, 4) for k, v in doc.figures().items()}
                if doc.in_scope or doc.plan_scored
                else None
            )
            return data

        def means(docs: list[DocumentEvaluation]) -> dict[str, float]:
            return {k: round(v, 4) for k, v in mean_figures(docs).items()}

        payload = {
            "iou_threshold": IOU_THRESHOLD,
            "targets": TARGETS,
            "issue_21_targets": {
                "blind_agreements": BLIND_TARGETS,
                "development_plan": PLAN_TARGETS,
            },
            "overall": document(self.overall()) if self.in_scope else None,
            "figures": {k: round(v, 4) for k, v in self.figures().items()}
            if self.in_scope
            else None,
            "means": {
                "development_agreements": means(self.in_scope),
                "development_plans": means(self.development_plans),
                "blind_agreements": means(self.blind_agreements),
                "blind_plans": means(self.blind_plans),
            },
            "checks": [
                {"name": n, "value": round(v, 4), "target": t, "met": m}
                for n, v, t, m in self.checks()
            ],
            "shortfalls": self.shortfalls(),
            "ablations": self.ablations,
            "documents": [document(doc) for doc in self.documents],
            "blind": [document(doc) for doc in self.blind],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def figure_tables(self, markdown: bool = False) -> list[str]:
        """Per-text and mean issue-21 figures: development and blind agreements,
        development and blind plans, each in a table of its own."""
        lines: list[str] = []
        groups = (
            ("development agreements", self.in_scope, AGREEMENT_FIGURES),
            ("blind agreements", self.blind_agreements, AGREEMENT_FIGURES),
            ("development plan", self.development_plans, PLAN_FIGURES),
            ("blind plans", self.blind_plans, PLAN_FIGURES),
        )
        for title, docs, names in groups:
            if not docs:
                continue
            rows = [(doc.file_name, doc.figures()) for doc in docs]
            if len(docs) > 1:
                rows.append(("mean (sum for the last two)", mean_figures(docs)))
            if markdown:
                lines += [
                    f"### {title[:1].upper()}{title[1:]}",
                    "",
                    "| text | " + " | ".join(_HEADERS[n] for n in names) + " |",
                    "|---|" + "---|" * len(names),
                ]
                for name, figures in rows:
                    label = f"`{name}`" if name.endswith(".txt") else f"**{name}**"
                    cells = " | ".join(_cell(n, figures[n]) for n in names)
                    lines.append(f"| {label} | {cells} |")
            else:
                lines.append(f"{title}:")
                lines.append(
                    f"  {'text':<36}" + "".join(f"{_SHORT[n]:>10}" for n in names)
                )
                for name, figures in rows:
                    lines.append(
                        f"  {name[:36]:<36}"
                        + "".join(f"{_cell(n, figures[n]):>10}" for n in names)
                    )
            lines.append("")
        return lines

    def format_table(self) -> str:
        """A plain-text report: the issue-8 table of the development agreements,
        then the issue-21 figures of development and blind texts, then targets."""
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
            if not doc.in_scope and not doc.plan_scored:
                lines.append(f"{doc.file_name[:28]:<28} out of scope: {doc.note}")
        lines.append("")
        lines += self.figure_tables()
        if self.in_scope:
            for name, value in self.figures().items():
                state = "ok" if value >= TARGETS[name] else "BELOW TARGET"
                lines.append(
                    f"{name:<18} {value:.3f}  (target {TARGETS[name]:.2f}) {state}"
                )
            for name, values in self.ablations.items():
                lines.append(f"ablation {name}: entity F1 {values['entity_f1']:.3f}")
        else:
            lines.append("no curated agreement to evaluate on")
        for name, value, target, met in self.checks():
            state = "ok" if met else "BELOW TARGET"
            lines.append(f"{name:<40} {value:.3f}  (target {target}) {state}")
        return "\n".join(lines)

    def format_markdown(self) -> str:
        """The report as Markdown: method, tables, targets, errors per document."""
        lines = [
            "# Extraction evaluation",
            "",
            "The extractor (`samverkansgraf extract`) drafted every curated source "
            "and every blind text (`evaluation/blind/`, synthetic) afresh; its "
            "drafts are compared with the gold. Spans match at "
            f"IoU ≥ {IOU_THRESHOLD} (one-to-one, best first). Entities are the actors, "
            "programmes and plans a clause's commitments name (committedBy ∪ "
            "concerns ∪ partner), per matched clause. Actor and modality are judged "
            "on matched commitments; the strict commitment F1 counts a commitment "
            "only with its exact actors and modality. Concerns are (commitment, "
            "resource) pairs. Development texts are those the rules were written "
            "on; blind texts were written before the rules of issue 21 and never "
            "tuned to.",
            "",
            "## Development agreements (issue 8 figures)",
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
        lines += ["## Per text and mean (issue 21 figures)", ""]
        lines += self.figure_tables(markdown=True)
        lines += [
            "## Targets",
            "",
            "| figure | value | target | |",
            "|---|---|---|---|",
        ]
        if self.in_scope:
            for name, value in self.figures().items():
                state = "met" if value >= TARGETS[name] else "**not met**"
                lines.append(
                    f"| development {name} (overall) | {value:.3f} | "
                    f"≥ {TARGETS[name]:.2f} | {state} |"
                )
        for name, value, target, met in self.checks():
            state = "met" if met else "**not met**"
            lines.append(f"| {name} | {value:.3f} | {target} | {state} |")
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
        out = [d for d in self.documents if not d.in_scope and not d.plan_scored]
        if out:
            lines += ["## Out of scope", ""]
            lines += [f"- `{d.file_name}` ({d.kind}): {d.note}" for d in out]
            lines.append("")
        scored = [
            d for d in [*self.documents, *self.blind] if d.in_scope or d.plan_scored
        ]
        for doc in scored:
            lines += [
                f"## `{doc.file_name}` ({doc.collection}, {doc.kind})",
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


_HEADERS = {
    "clause_f1": "clause F1",
    "commitment_f1": "commitment F1 (actor + modality)",
    "concerns_recall": "concerns recall",
    "signatory_f1": "signatories F1",
    "evidence_exact": "evidence exact",
    "contact_copied": "contact data copied",
    "foreign_actors": "actors of another county",
    "activity_f1": "activity F1",
    "participant_f1": "participant-link F1",
    "convenor_accuracy": "convenor accuracy",
}
_SHORT = {
    "clause_f1": "clause",
    "commitment_f1": "commitm.",
    "concerns_recall": "concerns",
    "signatory_f1": "signat.",
    "evidence_exact": "evidence",
    "contact_copied": "contact",
    "foreign_actors": "foreign",
    "activity_f1": "activity",
    "participant_f1": "particip.",
    "convenor_accuracy": "convenor",
}


def _cell(name: str, value: float) -> str:
    """A figure as printed: counts as integers, rates with three decimals."""
    return str(int(value)) if name in _SUMMED else f"{value:.3f}"


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
