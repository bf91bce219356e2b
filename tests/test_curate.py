"""Curation reports: coverage of the sources, skipped passages, the entity list
and label collisions."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from samverkansgraf.build import assemble_dataset
from samverkansgraf.cli import cli
from samverkansgraf.curate import (
    compute_coverage,
    find_label_collisions,
    list_entities,
    normalise_label,
)
from samverkansgraf.namespaces import OA, SKG, SKGID
from samverkansgraf.sources import ProjectPaths


def test_every_substantive_passage_of_every_document_is_covered(assembled) -> None:
    report = compute_coverage(assembled, min_length=80)
    assert report.complete, report.format_text()
    for document in report.documents:
        assert document.share > 0.95, document.file_name


def test_hedemora_headings_are_the_only_skipped_text(assembled) -> None:
    report = compute_coverage(assembled, min_length=1)
    hedemora = next(d for d in report.documents if d.file_name.startswith("000"))
    # Everything but the two section headings is evidence; the headings are
    # skipped: "Bakgrund" and "Områden för överenskommelsen" (8 + 25 letters).
    assert hedemora.characters == 5736
    assert hedemora.skipped == len("Bakgrund") + len("Områdenföröverenskommelsen")
    uncovered = [p.text for p in hedemora.uncovered]
    assert uncovered == []


def test_deleting_a_clause_shows_up_as_an_uncovered_passage(
    scratch: ProjectPaths,
) -> None:
    path = scratch.curated_dir / "hedemora-2019-2022.ttl"
    text = path.read_text("utf-8")
    start = text.index("<clause/hedemora-2019-2022/10> a skg:Clause")
    end = text.index("# --- passages deliberately not curated")
    path.write_text(text[:start] + text[end:], "utf-8")
    report = compute_coverage(assemble_dataset(scratch))
    [passage] = report.documents[0].uncovered
    assert passage.text.startswith("9 För Hedemora kommun utgör resor en dryg kostnad")
    assert passage.line == 116


def test_skipped_passage_keeps_offsets_but_no_text(assembled) -> None:
    passage = SKGID[
        "document/overenskommelse-smedjebacken-2019-2022/skipped/page-footer"
    ]
    doc = next(d for d in assembled.documents if d.source.path.name.startswith("001"))
    graph = doc.graph
    locations = sorted(graph.objects(passage, SKG.location))
    # The footer is printed after each of the first three pages.
    assert len(locations) == 3
    assert graph.value(passage, SKG.evidence) is None
    for location in locations:
        assert graph.value(location, OA.hasSource) == doc.document
        selector = graph.value(location, OA.hasSelector)
        start = int(graph.value(selector, OA.start))
        end = int(graph.value(selector, OA.end))
        assert doc.source.text[start:end].startswith("Postadress")
        assert doc.source.text[start:end].endswith("@ltdalarna.se")
    # No literal anywhere in the graph carries the footer's text.
    assert not any(isinstance(o, Literal) and "Vasagatan" in o for o in graph.objects())


def test_repeated_header_skipped_with_all_occurrences(scratch: ProjectPaths) -> None:
    from samverkansgraf.evidence import resolve_evidence

    text = "HEAD\nclause one\nHEAD\nclause two\nHEAD\n"
    graph = Graph()
    passage = URIRef("https://example.org/skip")
    graph.add((passage, RDF.type, SKG.SkippedPassage))
    graph.add((passage, SKG.quote, Literal("HEAD")))
    graph.add((passage, SKG.allOccurrences, Literal(True)))
    records = resolve_evidence(graph, URIRef("https://example.org/doc"), text)
    assert [(r.span.start, r.skipped) for r in records] == [
        (0, True),
        (16, True),
        (32, True),
    ]
    assert len(list(graph.objects(passage, SKG.location))) == 3


def test_entities_lists_institutions_with_usage_and_variants(assembled) -> None:
    rows = {row.iri: row for row in list_entities(assembled)}
    lanskulturen = rows[str(SKGID["actor/lanskulturen-dalarna"])]
    assert lanskulturen.kind == "cultural institution"
    assert "Region Dalarnas kulturverksam heter" in lanskulturen.alt_labels
    assert lanskulturen.facts >= 4 and lanskulturen.documents >= 1
    icorn = rows[str(SKGID["programme/icorn"])]
    assert "lcorns" in icorn.alt_labels
    # Unmentioned gazetteer municipalities are hidden unless asked for.
    assert str(SKGID["kommun/0114"]) not in rows
    assert str(SKGID["kommun/0114"]) in {
        r.iri for r in list_entities(assembled, include_unused=True)
    }


def test_no_two_resources_share_a_normalised_label(union: Graph) -> None:
    assert find_label_collisions(union) == {}


def test_a_duplicate_institution_is_caught(union: Graph) -> None:
    graph = Graph() + union
    twin = SKGID["actor/dala-teatern"]
    graph.add((twin, RDF.type, SKG.CulturalInstitution))
    graph.add((twin, RDFS.label, Literal("DALATEATERN", lang="sv")))
    assert find_label_collisions(graph) == {
        "dalateatern": [
            str(SKGID["actor/dala-teatern"]),
            str(SKGID["actor/dalateatern"]),
        ]
    }
    assert normalise_label(
        "Dalarna – Sveriges bästa  ungdomsregion"
    ) == normalise_label("Dalarna - Sveriges bästa ungdomsregion")


def test_cli_coverage_and_entities(project: ProjectPaths, tmp_path: Path) -> None:
    runner = CliRunner()
    plot = tmp_path / "coverage.png"
    result = runner.invoke(
        cli,
        ["--project", str(project.root), "coverage", "--plot", str(plot), "--strict"],
    )
    assert result.exit_code == 0, result.output
    assert "000_c90c7f0945d9b53e.txt" in result.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = runner.invoke(
        cli, ["--project", str(project.root), "entities", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[0] == "kind,label,documents,facts,other labels,iri"
    )
    assert "cultural institution,Dalateatern," in result.output
