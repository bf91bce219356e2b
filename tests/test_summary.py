"""What the CLI prints, as library functions: the build summary (build/summary.py)
and the entity listing (curate.format_entities)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rdflib import URIRef

from samverkansgraf import __version__
from samverkansgraf.build import AssembledDataset, count_facts
from samverkansgraf.build import summary as summary_module
from samverkansgraf.build.summary import (
    display_path,
    format_count_lines,
    format_coverage_line,
    format_evidence_line,
    format_graph_lines,
    format_nonconformance,
    format_validation_line,
    format_written_line,
)
from samverkansgraf.curate import (
    EntityRow,
    compute_coverage,
    format_entities,
    format_label_collisions,
)
from samverkansgraf.validate import ValidationReport
from samverkansgraf.validate.shacl import ValidationResult

HEDEMORA = "000_c90c7f0945d9b53e.txt (hedemora-2019-2022.ttl)"


def test_graph_lines_name_every_graph_and_add_up(assembled: AssembledDataset) -> None:
    lines = format_graph_lines(assembled)
    total = sum(assembled.graphs.triple_count(iri) for iri in assembled.graphs)
    assert lines[0] == (
        f"samverkansgraf {__version__}: {total} triples in "
        f"{len(assembled.graphs)} named graphs"
    )
    assert len(lines) == 1 + len(assembled.graphs)
    sizes = {line[11:]: int(line[:9]) for line in lines[1:]}
    assert sum(sizes.values()) == total
    assert {"ontology", "SKOS schemes", HEDEMORA} <= set(sizes)


def test_many_documents_collapse_into_one_line(
    assembled: AssembledDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary_module, "SUMMARY_DOCUMENTS", 1)
    lines = format_graph_lines(assembled)
    documents = len(assembled.documents)
    assert documents > 1
    assert not any(HEDEMORA in line for line in lines)
    sizes = [assembled.graphs.triple_count(doc.document) for doc in assembled.documents]
    assert lines[-1] == (
        f"  {sum(sizes):>7}  in {documents} document graphs "
        f"(smallest {min(sizes)}, largest {max(sizes)})"
    )
    coverage = format_coverage_line(compute_coverage(assembled))
    assert re.match(
        rf"coverage: {documents} documents, median \d+\.\d%, "
        r"lowest \d+\.\d% \(\S+\.txt\)",
        coverage,
    )


def test_coverage_line_shows_each_document_share(assembled: AssembledDataset) -> None:
    report = compute_coverage(assembled)
    line = format_coverage_line(report)
    first = report.documents[0]
    assert line.startswith(f"coverage: {first.file_name[:3]} {first.share:.1%} · ")
    gaps = sum(len(d.uncovered) for d in report.documents)
    assert line.endswith(f"({gaps} uncovered passages; see `coverage`)")


def test_count_lines_split_after_persons(assembled: AssembledDataset) -> None:
    assert format_count_lines({"regions": 2, "persons": 1, "clauses": 21}) == [
        "actors:   2 regions · 1 persons",
        "content:  21 clauses",
    ]
    actors, content = format_count_lines(count_facts(assembled.union()))
    assert actors.startswith("actors:   ") and "persons" in actors
    assert "· 2 agreements · 21 clauses ·" in content


def test_evidence_line_counts_quotes_not_skipped_passages(
    assembled: AssembledDataset,
) -> None:
    quotes = sum(
        1 for doc in assembled.documents for r in doc.evidence if not r.skipped
    )
    skipped = sum(1 for doc in assembled.documents for r in doc.evidence if r.skipped)
    assert skipped > 0  # the Hedemora headings
    assert format_evidence_line(assembled) == (
        f"evidence: {quotes} quotes found in their sources, offsets checked"
    )


def _violation(focus: str, message: str) -> ValidationResult:
    return ValidationResult(
        focus=URIRef(focus),
        path=None,
        message=message,
        severity="Violation",
        shape=None,
        value=None,
    )


def test_validation_lines() -> None:
    assert format_validation_line(None) == "validation: skipped (--no-validate)"
    assert format_validation_line(ValidationReport(conforms=True)) == (
        "validation: conforms (0 violations, 0 results)"
    )
    warning = ValidationResult(
        focus=URIRef("https://x/w"),
        path=None,
        message="odd",
        severity="Warning",
        shape=None,
        value=None,
    )
    report = ValidationReport(
        conforms=False,
        results=[_violation("https://x/a", "no label"), warning],
    )
    assert format_validation_line(report) == (
        "validation: DOES NOT CONFORM (1 violations, 2 results)"
    )
    assert format_nonconformance(report) == (
        "the graph does not conform to the shapes (1 violation(s); first: "
        "<https://x/a> no label) — nothing written; fix the data and build again"
    )


def test_paths_are_shown_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "dist" / "samverkansgraf.nq"
    outside = tmp_path.parent / "elsewhere.ttl"
    assert display_path(inside) == "dist/samverkansgraf.nq"
    assert display_path(outside) == str(outside)
    assert format_written_line([inside, tmp_path / "dist" / "samverkansgraf.ttl"]) == (
        "wrote dist/samverkansgraf.nq, dist/samverkansgraf.ttl"
    )


ROWS = [
    EntityRow(
        iri="https://id/org/kulturradet",
        label="Kulturrådet",
        kind="cultural institution",
        alt_labels=("Statens kulturråd", "KUR"),
        documents=3,
        facts=12,
    ),
    EntityRow(
        iri="https://id/kommun/2083",
        label="Hedemora",
        kind="municipality",
        alt_labels=(),
        documents=1,
        facts=4,
    ),
]


def test_entity_table_aligns_four_columns_and_omits_the_iri() -> None:
    assert format_entities(ROWS).splitlines() == [
        "kind                  label        documents  facts  other labels",
        "cultural institution  Kulturrådet  3          12     Statens kulturråd | KUR",
        "municipality          Hedemora     1          4      ",
    ]


def test_entity_table_of_no_rows_is_the_header() -> None:
    assert format_entities([]) == "kind  label  documents  facts  other labels"


def test_entity_csv_and_json_keep_every_field() -> None:
    records = list(csv.reader(io.StringIO(format_entities(ROWS, "csv"))))
    assert records[0] == ["kind", "label", "documents", "facts", "other labels", "iri"]
    assert records[1] == [
        "cultural institution",
        "Kulturrådet",
        "3",
        "12",
        "Statens kulturråd | KUR",
        "https://id/org/kulturradet",
    ]
    data = json.loads(format_entities(ROWS, "json"))
    assert data[0]["alt_labels"] == ["Statens kulturråd", "KUR"]
    assert data[1] == {
        "iri": "https://id/kommun/2083",
        "label": "Hedemora",
        "kind": "municipality",
        "alt_labels": [],
        "documents": 1,
        "facts": 4,
    }
    with pytest.raises(ValueError, match="unknown entity format 'xml'"):
        format_entities(ROWS, "xml")


def test_label_collision_lines() -> None:
    collisions = {"hedemora": ["https://id/a", "https://id/b"]}
    assert format_label_collisions(collisions) == [
        "collision: 'hedemora' is a label of https://id/a, https://id/b"
    ]
    assert format_label_collisions({}) == []
