"""Curation report 2 — entities: every actor, programme and plan with its names
and usage, and label collisions (two resources sharing a normalised label are
probably one real-world thing curated twice).

Input: an ``AssembledDataset``. Output: ``EntityRow``s, formatted as a table, CSV
or JSON, and the collisions.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..build import AssembledDataset
from ..labels import names_of, preferred_label
from ..namespaces import SCB_CODE_LIST, SKG

__all__ = [
    "ENTITY_CLASSES",
    "ENTITY_FORMATS",
    "EntityRow",
    "find_label_collisions",
    "format_entities",
    "format_label_collisions",
    "list_entities",
    "normalise_label",
]

ENTITY_CLASSES = {
    SKG.Region: "region",
    SKG.Municipality: "municipality",
    SKG.CulturalInstitution: "cultural institution",
    SKG.CivilSocietyOrganisation: "civil society organisation",
    SKG.Network: "network",
    SKG.Person: "person",
    SKG.Programme: "programme",
    SKG.Plan: "plan",
}


@dataclass(frozen=True)
class EntityRow:
    """One actor, programme or plan and how the documents use it."""

    iri: str
    """The resource."""
    label: str
    """Its display label."""
    kind: str
    """Region, municipality, cultural institution, … programme, plan."""
    alt_labels: tuple[str, ...]
    """Every other name it is known by."""
    documents: int
    """Number of source documents whose facts mention it."""
    facts: int
    """Number of facts (clauses, commitments, activities …) that mention it."""


def _labels(graph: Graph, node: Node) -> list[str]:
    # Every name the extractor matches on (labels.NAME_PROPERTIES, with former
    # names and hidden misspellings), so collisions are the ones it would meet.
    return names_of(graph, node)


def list_entities(
    assembled: AssembledDataset, *, include_unused: bool = False
) -> list[EntityRow]:
    """Every actor, programme and plan, with its names and usage.

    Args:
        assembled: the dataset.
        include_unused: also list gazetteer regions and municipalities that no
            document mentions (290 + 21 rows otherwise hidden).

    Returns:
        Rows sorted by kind, then label.
    """
    union = assembled.union()
    mentions: dict[Node, set[Node]] = defaultdict(set)
    documents: dict[Node, set[Node]] = defaultdict(set)
    for doc in assembled.documents:
        for subject, _, obj in doc.triples():
            if isinstance(obj, URIRef):
                mentions[obj].add(subject)
                documents[obj].add(doc.document)
    rows = []
    for cls, kind in ENTITY_CLASSES.items():
        for node in sorted(set(union.subjects(RDF.type, cls)), key=str):
            from_gazetteer = (node, None, SCB_CODE_LIST) in union
            if not include_unused and from_gazetteer and not mentions.get(node):
                continue
            labels = _labels(union, node)
            label = preferred_label(union, node)
            rows.append(
                EntityRow(
                    iri=str(node),
                    label=label,
                    kind=kind,
                    alt_labels=tuple(name for name in labels if name != label),
                    documents=len(documents.get(node, ())),
                    facts=len(mentions.get(node, ())),
                )
            )
    return sorted(
        rows,
        key=lambda r: (list(ENTITY_CLASSES.values()).index(r.kind), r.label.casefold()),
    )


def normalise_label(label: str) -> str:
    """Fold a label for duplicate detection: case, accents kept, punctuation and
    dashes to spaces, whitespace collapsed.

    Example:
        >>> normalise_label("Dalarna – Sveriges  bästa ungdomsregion")
        'dalarna sveriges bästa ungdomsregion'
    """
    text = unicodedata.normalize("NFC", label).casefold()
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def find_label_collisions(graph: Graph) -> dict[str, list[str]]:
    """Normalised labels shared by more than one actor, programme or plan.

    Returns:
        Normalised label → the IRIs sharing it (only labels with 2+ IRIs).
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for cls in ENTITY_CLASSES:
        for node in graph.subjects(RDF.type, cls):
            for name in _labels(graph, node):
                owners[normalise_label(name)].add(str(node))
    return {
        label: sorted(iris) for label, iris in sorted(owners.items()) if len(iris) > 1
    }


ENTITY_FORMATS = ("table", "csv", "json")
"""The formats ``format_entities`` writes (the ``entities`` command's --format)."""


def format_entities(rows: list[EntityRow], output_format: str = "table") -> str:
    """Entity rows as an aligned table, CSV or JSON.

    Args:
        rows: rows from ``list_entities``.
        output_format: ``table`` (the first four columns aligned, the other labels
            last, no IRI), ``csv`` (every column, other labels joined with `` | ``)
            or ``json`` (a list of the rows' fields).

    Returns:
        The text, without a final newline.

    Raises:
        ValueError: for an output format not in ``ENTITY_FORMATS``.
    """
    if output_format not in ENTITY_FORMATS:
        raise ValueError(f"unknown entity format {output_format!r}")
    if output_format == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2)
    header = ["kind", "label", "documents", "facts", "other labels", "iri"]
    records = [
        [
            r.kind,
            r.label,
            str(r.documents),
            str(r.facts),
            " | ".join(r.alt_labels),
            r.iri,
        ]
        for r in rows
    ]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records)
        return buffer.getvalue().rstrip("\n")
    # The table leaves out the IRI and ends with the free-length other labels, so
    # only the first four columns are padded.
    widths = [
        max([len(h), *(len(record[i]) for record in records)])
        for i, h in enumerate(header[:4])
    ]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header[:4], widths, strict=True))
        + "  other labels"
    ]
    for record in records:
        cells = "  ".join(c.ljust(w) for c, w in zip(record[:4], widths, strict=True))
        lines.append(f"{cells}  {record[4]}")
    return "\n".join(lines)


def format_label_collisions(collisions: dict[str, list[str]]) -> list[str]:
    """One line per label collision from ``find_label_collisions``.

    Example:
        >>> format_label_collisions({"kulturrådet": ["https://a", "https://b"]})
        ["collision: 'kulturrådet' is a label of https://a, https://b"]
    """
    return [
        f"collision: {label!r} is a label of {', '.join(iris)}"
        for label, iris in collisions.items()
    ]
