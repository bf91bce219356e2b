"""The draft extractor (issue #8): segmentation, names, commitments, the draft
graph, robustness on odd input (with hypothesis), the CLI, and the evaluation
against the curated gold standard."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from samverkansgraf.build import (
    AssembledDataset,
    CuratedDocument,
    load_vocabulary_and_reference,
)
from samverkansgraf.cli import cli
from samverkansgraf.evidence import EvidenceRecord, check_evidence
from samverkansgraf.extract import (
    ExtractionResult,
    Extractor,
    Gazetteer,
    decode_source,
    extract_file,
    extractor_iri,
)
from samverkansgraf.extract.evaluate import (
    TARGETS,
    evaluate_document,
    evaluate_extraction,
    span_iou,
)
from samverkansgraf.namespaces import (
    GRAPH_REFERENCE,
    GRAPH_SCHEMES,
    SKG,
    SKGID,
    bind_prefixes,
)
from samverkansgraf.privacy import find_contact_data
from samverkansgraf.sources import ProjectPaths
from samverkansgraf.validate import load_shapes, validate_graph

HEDEMORA = "000_c90c7f0945d9b53e.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "extract"
REGION = SKGID["region/20"]
HEDEMORA_KOMMUN = SKGID["kommun/2083"]
RATTVIK = SKGID["kommun/2031"]


@pytest.fixture(scope="module")
def extractor(project: ProjectPaths) -> Extractor:
    """One extractor over the real reference data (index built once)."""
    return Extractor.from_project(project)


@pytest.fixture(scope="module")
def vocabulary(project: ProjectPaths) -> Graph:
    """Ontology, schemes and reference: what `validate FILE` checks a draft with."""
    graph = bind_prefixes(Graph())
    for part in load_vocabulary_and_reference(project).values():
        graph += part
    return graph


@pytest.fixture(scope="module")
def shapes(project: ProjectPaths) -> Graph:
    return load_shapes(project.shapes_dir)


@pytest.fixture(scope="module")
def hedemora(project: ProjectPaths, extractor: Extractor) -> ExtractionResult:
    return extract_file(project.sources_dir / HEDEMORA, extractor=extractor)


@pytest.fixture(scope="module")
def bulleted(extractor: Extractor) -> ExtractionResult:
    return extract_file(FIXTURES / "bulleted-agreement.txt", extractor=extractor)


def _commitment(result: ExtractionResult, starts: str):
    found = [c for c in result.commitments if c.text.startswith(starts)]
    assert len(found) == 1, [c.text[:60] for c in result.commitments]
    return found[0]


def _conforms(result: ExtractionResult, vocabulary: Graph, shapes: Graph) -> bool:
    """Parse the Turtle, check every evidence offset, validate with SHACL."""
    draft = Graph().parse(data=result.turtle().decode("utf-8"), format="turtle")
    check_evidence(draft, {result.document: result.text})
    data = bind_prefixes(Graph())
    data += vocabulary
    data += draft
    report = validate_graph(data, shapes)
    assert report.conforms, report.format_text(data)
    return True


# --- Hedemora (000): the worked example ------------------------------------------


def test_hedemora_has_ten_clauses_in_order_with_both_sixes(
    hedemora: ExtractionResult,
) -> None:
    assert hedemora.kind == "agreement"
    assert [c.number for c in hedemora.clauses] == [
        "1", "2", "3", "4", "5", "6", "6", "7", "8", "9",
    ]  # fmt: skip
    assert [c.position for c in hedemora.clauses] == list(range(1, 11))
    sixes = [c.spans[0].exact for c in hedemora.clauses[5:7]]
    assert sixes[0].startswith("6. Region Dalarna och Hedemora kommun ska")
    assert sixes[1].startswith("6 Hedemora kommun och Länsbibliotek Dalarna")
    assert hedemora.clauses[-1].spans[-1].exact.endswith("kan nyttja denna service.")


def test_hedemora_metadata(hedemora: ExtractionResult) -> None:
    assert hedemora.title == (
        "Överenskommelse mellan Hedemora kommun och Region Dalarna för åren 2019-2022"
    )
    assert set(hedemora.parties) == {REGION, HEDEMORA_KOMMUN}
    assert hedemora.period == (2019, 2022)
    assert SKGID["plan/dalarna-kultur-och-bildningsplan-2019-2022"] in hedemora.based_on
    assert hedemora.agreement == SKGID["agreement/hedemora-2019-2022"]


def test_ska_verka_for_is_strives_for_by_the_region(hedemora: ExtractionResult) -> None:
    commitment = _commitment(hedemora, "Region Dalarna ska verka för en jämställd")
    assert commitment.committed_by == [REGION]
    assert commitment.modality == SKG.StrivesFor
    assert SKG.Gender in commitment.themes


def test_icorn_through_the_damaged_lcorns(hedemora: ExtractionResult) -> None:
    commitment = _commitment(hedemora, "Hedemora kommun vill tillsammans med Region")
    # "X vill tillsammans med Y", Y the other party: both commit (issue 18's
    # reading convention, §4); the fristad "i Hedemora kommun" is a place.
    assert commitment.committed_by == [HEDEMORA_KOMMUN, REGION]
    assert commitment.modality == SKG.Intends
    assert commitment.concerns == [SKGID["programme/icorn"]]
    assert commitment.partners == []


@pytest.mark.parametrize(
    ("starts", "actors", "modality"),
    [
        ("Kommunen och regionen följer båda", {REGION, HEDEMORA_KOMMUN}, SKG.States),
        ("Hedemora kommun är villig att", {HEDEMORA_KOMMUN}, SKG.Intends),
        ("Regionen och kommunen kan agera", {REGION, HEDEMORA_KOMMUN}, SKG.May),
        ("Region Dalarna och Hedemora kommun ska tillsammans sträva", None, None),
        ("Kommun och region medverkar i projektet Dalapop", None, SKG.States),
        ("tillsammans vill parterna samverka", None, SKG.Intends),
        ("Region Dalarna har å sin sida gett Dalateatern", {REGION}, SKG.States),
    ],
)
def test_actor_and_modality_readings(
    hedemora: ExtractionResult, starts: str, actors: set | None, modality: URIRef | None
) -> None:
    commitment = _commitment(hedemora, starts)
    assert set(commitment.committed_by) == (actors or {REGION, HEDEMORA_KOMMUN})
    assert commitment.modality == (modality or SKG.StrivesFor)


def test_a_ska_of_the_sentence_is_no_commitment(hedemora: ExtractionResult) -> None:
    """Reading convention §2: a "ska" or "kan" with no acting subject (a shared
    value, a third party's permission) is a statement, not a commitment of the
    parties; "Dalarnas kommuner" are all the county's municipalities."""
    texts = [c.text for c in hedemora.commitments]
    for sentence in (
        "Alla Dalarnas invånare",
        "Skolan är en arena",
        "Dalarnas kommuner kan av staten",
        "En stimulerande fritid",
    ):
        assert not any(t.startswith(sentence) for t in texts), sentence
    assert not any(c.subject_implied for c in hedemora.commitments)


def test_the_other_party_as_the_one_helped_is_concerned(
    extractor: Extractor,
) -> None:
    """Reading convention §5: a party the sentence names as the one helped is
    concerned; as the place of the work ("i kommunen") it is not."""
    result = extract_file(FIXTURES / "leadin-agreement.txt", extractor=extractor)
    museum = _commitment(result, "Hallands konstmuseum ska ge kommunens")
    assert SKGID["kommun/1382"] in museum.concerns
    offer = _commitment(result, "erbjuda kommunens skolor")
    assert SKGID["kommun/1382"] in offer.concerns
    partner = _commitment(result, "Kommunen vill tillsammans med Hallands")
    assert partner.partners and not set(partner.partners) & set(partner.concerns)


def test_hedemora_draft_parses_conforms_and_checks_evidence(
    hedemora: ExtractionResult, vocabulary: Graph, shapes: Graph
) -> None:
    assert _conforms(hedemora, vocabulary, shapes)


def test_every_drafted_fact_is_marked_as_machine_proposed(
    hedemora: ExtractionResult,
) -> None:
    graph = hedemora.graph
    activity = extractor_iri()
    assert (activity, RDF.type, PROV.SoftwareAgent) in graph
    assert (activity, RDF.type, PROV.Activity) in graph
    for cls in (SKG.Agreement, SKG.Clause, SKG.Commitment):
        for fact in graph.subjects(RDF.type, cls):
            assert (fact, PROV.wasGeneratedBy, activity) in graph


def test_the_draft_is_deterministic(
    project: ProjectPaths, extractor: Extractor, hedemora: ExtractionResult
) -> None:
    again = extract_file(project.sources_dir / HEDEMORA, extractor=extractor)
    assert again.turtle() == hedemora.turtle()
    assert b"@base <https://w3id.org/samverkansgraf/id/> ." in again.turtle()


# --- a bulleted agreement with a repeated page footer (like 001) --------------------


def test_bulleted_agreement_skips_the_repeated_footer(
    bulleted: ExtractionResult,
) -> None:
    assert bulleted.kind == "agreement"
    assert set(bulleted.parties) == {RATTVIK, REGION}
    assert bulleted.period == (2020, 2023)
    assert [c.kind for c in bulleted.clauses] == ["bulleted"] * 4
    reasons = {b.reason for b in bulleted.skipped}
    assert "repeated" in reasons and "signature" in reasons
    for clause in bulleted.clauses:
        for span in clause.spans:
            assert "Postadress" not in span.exact
            assert "ÖVERENSKOMMELSE" not in span.exact
            assert not find_contact_data(span.exact)


def test_a_bullet_broken_by_a_page_break_is_one_clause_in_two_pieces(
    bulleted: ExtractionResult,
) -> None:
    clause = bulleted.clauses[2]
    assert len(clause.spans) == 2
    assert clause.spans[0].exact.startswith("- Rättviks kommun vill")
    assert clause.spans[1].exact.startswith("unga i kommunen.")
    commitment = clause.commitments[0]
    assert commitment.committed_by == [RATTVIK]
    assert commitment.partners == [SKGID["actor/lansbibliotek-dalarna"]]
    assert [s.exact.split()[-1] for s in commitment.spans] == ["och", "kommunen."]


def test_bulleted_readings_and_unknown_names(bulleted: ExtractionResult) -> None:
    first = _commitment(bulleted, "Kommunen ska å sin sida")
    assert (first.committed_by, first.modality) == ([RATTVIK], SKG.Shall)
    both = _commitment(bulleted, "Parterna vill")
    assert set(both.committed_by) == {RATTVIK, REGION}
    # Names with a head word are proposed as new resources, not left unknown.
    proposed = {(p.label, p.kind) for p in bulleted.proposed}
    assert proposed == {
        ("Folkhögskolan Exempelby", SKG.CulturalInstitution),
        ("Nordiska Exempelteatern", SKG.CulturalInstitution),
        ("Anna Exempel", SKG.Person),  # the signatory, from the signature area
    }
    parterna = _commitment(bulleted, "Parterna vill")
    institutions = {p.iri for p in bulleted.proposed if p.kind != SKG.Person}
    assert institutions == set(parterna.concerns)
    assert [c.name for c in bulleted.candidates] == []
    (signature,) = bulleted.signatures
    assert (signature.signed_for, signature.name, signature.role) == (
        RATTVIK,
        "Anna Exempel",
        "Ordförande kulturnämnden",
    )
    assert (signature.place, signature.date) == ("Rättvik", "2020-02-01")
    # The contact block after the signature is never read into the role.
    assert "example" not in " ".join(s.exact for s in signature.spans)


def test_bulleted_draft_conforms_with_skipped_passages(
    bulleted: ExtractionResult, vocabulary: Graph, shapes: Graph
) -> None:
    assert _conforms(bulleted, vocabulary, shapes)
    passages = set(bulleted.graph.subjects(RDF.type, SKG.SkippedPassage))
    assert len(passages) == 3
    literals = [
        str(o)
        for _, p, o in bulleted.graph
        if isinstance(o, Literal) and p != SKG.sha256
    ]
    assert not any(find_contact_data(text) for text in literals)
    review = bulleted.review_markdown()
    assert "example.org" not in review and "012-345" not in review
    assert "Nordiska Exempelteatern" in review


def test_numbers_on_their_own_line_and_headers_inside_paragraphs(
    extractor: Extractor, vocabulary: Graph, shapes: Graph
) -> None:
    result = extract_file(
        FIXTURES / "numbered-wrapped-agreement.txt", extractor=extractor
    )
    assert [c.number for c in result.clauses] == ["1", "2", "3"]
    first = result.clauses[0]
    assert len(first.spans) == 2  # "Sida 1 av 3" and the running header cut out
    assert all("Sida" not in s.exact for c in result.clauses for s in c.spans)
    stated = _commitment(result, "Regionen stödjer kommunens arbete med")
    assert [s.exact.split()[-1] for s in stated.spans] == ["med", "kulturskolan."]
    broken = _commitment(result, "Kommu-")  # "Kommu-\nnen" is "kommunen"
    assert broken.committed_by == [SKGID["kommun/2029"]]
    assert broken.modality == SKG.States
    assert _conforms(result, vocabulary, shapes)


def test_headed_clauses_keep_their_heading_out_of_the_sentences(
    extractor: Extractor,
) -> None:
    result = extract_file(FIXTURES / "headed-agreement.txt", extractor=extractor)
    assert [c.kind for c in result.clauses] == ["headed"] * 3
    assert result.clauses[1].spans[0].exact.startswith("Bibliotek och läsfrämjande")
    texts = [c.text for c in result.commitments]
    assert "Kommunen och regionen arbetar för att stärka läsandet bland barn." in texts
    assert not any(t.startswith(("Barn och unga", "Kulturarv")) for t in texts)


# --- names ------------------------------------------------------------------


def test_gazetteer_variants_and_fuzzy_matching(extractor: Extractor) -> None:
    gazetteer = extractor.gazetteer
    text = (
        "Hedemoras kommuns plan, Smedjebackens kommun, Falun och Region Dalarnas "
        "stöd till Riksleatern och Lansbibli-\notek Dalarna; mora och vara."
    )
    found = {m.surface: m.iri for m in gazetteer.find(text)}
    assert found["Hedemoras kommuns"] == HEDEMORA_KOMMUN
    assert found["Smedjebackens kommun"] == SKGID["kommun/2061"]
    assert found["Falun"] == SKGID["kommun/2080"]
    assert found["Region Dalarnas"] == REGION
    assert found["Riksleatern"] == SKGID["actor/riksteatern"]  # OCR: t → l
    assert found["Lansbibli- otek Dalarna"] == SKGID["actor/lansbibliotek-dalarna"]
    assert "mora" not in found and "vara" not in found  # lower case: common words


def test_names_come_from_the_reference_graph_not_the_code(
    project: ProjectPaths,
) -> None:
    graphs = load_vocabulary_and_reference(project)
    reference = graphs[GRAPH_REFERENCE]
    actor = SKGID["actor/exempelteatern"]
    reference.add((actor, RDF.type, SKG.CulturalInstitution))
    reference.add((actor, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                   Literal("Exempelteatern", lang="sv")))  # fmt: skip
    extractor = Extractor(reference, graphs[GRAPH_SCHEMES])
    mentions = extractor.gazetteer.find("Regionen stödjer Exempelteatern.")
    assert [m.iri for m in mentions] == [actor]
    bare = Gazetteer(reference, use_alt_labels=False)
    assert not bare.find("inom ramen för lcorns-program")


# --- robustness ---------------------------------------------------------------


def test_empty_file_gives_a_message_and_a_valid_draft(
    extractor: Extractor, vocabulary: Graph, shapes: Graph
) -> None:
    result = extractor.extract_bytes(b"  \n\n", "tom.txt")
    assert result.kind == "empty"
    assert "empty" in result.warnings[0]
    assert _conforms(result, vocabulary, shapes)
    assert not set(result.graph.subjects(RDF.type, SKG.Clause))


def test_cp1252_is_decoded_with_a_warning(
    extractor: Extractor, vocabulary: Graph, shapes: Graph
) -> None:
    text = (FIXTURES / "bulleted-agreement.txt").read_text("utf-8")
    result = extractor.extract_bytes(text.encode("cp1252"), "ansi.txt")
    assert result.encoding == "cp1252"
    assert "not UTF-8" in result.warnings[0] and "iconv" in result.warnings[0]
    assert result.text == text  # code points, hence offsets, survive conversion
    assert result.title is not None and result.title.startswith("Överenskommelse")
    assert len(result.clauses) == 4
    assert "cp1252" in result.review_markdown()
    assert _conforms(result, vocabulary, shapes)


def test_decode_source_fallbacks() -> None:
    assert decode_source("Å".encode())[1] == "utf-8"
    assert decode_source("Å".encode("utf-16"))[:2] == ("Å", "utf-16")
    assert decode_source(b"\x81\xff")[1] == "latin-1"


def test_text_without_clauses_is_explained(extractor: Extractor) -> None:
    text = (
        "Överenskommelse mellan Hedemora kommun och Region Dalarna 2019-2022\n\n"
        "Detta är bara en rad text utan åtaganden.\n"
    )
    result = extractor.extract_text(text, "kort.txt")
    assert result.kind == "agreement" and result.clauses == []
    assert any("no clause recognised" in w for w in result.warnings)


def test_another_kind_of_document_drafts_no_agreement(
    project: ProjectPaths, extractor: Extractor
) -> None:
    result = extract_file(
        project.sources_dir / "003_f28668cc414657ec.txt", extractor=extractor
    )
    assert result.kind == "other"
    assert not set(result.graph.subjects(RDF.type, SKG.Agreement))
    assert not set(result.graph.subjects(RDF.type, SKG.Commitment))
    assert any("not recognised as an agreement" in w for w in result.warnings)


def test_pdf_bytes_are_refused_politely(extractor: Extractor) -> None:
    result = extractor.extract_bytes(b"%PDF-1.7\n\x00\x01binary", "x.pdf")
    assert result.kind == "empty" and "pdftotext" in result.warnings[0]


FRAGMENTS = [
    "1 ", "6. ", "• ", "- ", "\n", "\n\n", " ", ".", ",", ":", "ska ", "kan ",
    "vill ", "verka för ", "har gett ", "i uppdrag ", "Region Dalarna ",
    "Hedemoras kommun ", "kommunen ", "Regionen ", "Parterna ", "och ", "lcorns ",
    "Överenskommelse mellan Hedemora kommun och Region Dalarna för åren 2019-2022",
    "kommit överens om följande områden", "Postadress\nBox 1\n123 45 Ort",
    "012-345 67 89", "a@example.org", "Ort och datum", "Falun 2020-01-01",
    "Ekomuseum Bergslagen ", "teater ", "\u00a0", "\t", "\r\n", "é", "¹",
]  # fmt: skip


def _check_invariants(result: ExtractionResult) -> None:
    text = result.text
    for clause in result.clauses:
        for span in clause.spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.exact
    for commitment in result.commitments:
        for span in commitment.spans:
            assert text[span.start : span.end] == span.exact
    check_evidence(result.graph, {result.document: text})
    literals = [
        str(o)
        for _, p, o in result.graph
        if isinstance(o, Literal) and p != SKG.sha256  # exempt: see the shapes
    ]
    assert not any(find_contact_data(value) for value in literals)
    reparsed = Graph().parse(data=result.turtle().decode("utf-8"), format="turtle")
    assert len(reparsed) == len(result.graph)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join))
def test_random_agreement_like_text_keeps_the_invariants(text: str) -> None:
    extractor = _shared_extractor()
    _check_invariants(extractor.extract_text(text, "random.txt"))


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_random_text_keeps_the_invariants(text: str) -> None:
    _check_invariants(_shared_extractor().extract_text(text, "random.txt"))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=200))
@example(b"\xff\xfe\x00")  # a UTF-16 byte-order mark, then truncated data
@example(b"\xfe\xff\xd8\x00")  # a lone UTF-16 surrogate
@example("Överenskommelse".encode("utf-16"))
def test_random_bytes_never_crash(data: bytes) -> None:
    result = _shared_extractor().extract_bytes(data, "random.bin")
    assert result.kind in {"agreement", "plan", "other", "empty"}
    _check_invariants(result)


_EXTRACTOR: list[Extractor] = []


def _shared_extractor() -> Extractor:
    """Hypothesis tests cannot take function-scoped fixtures; build once."""
    if not _EXTRACTOR:
        root = Path(__file__).resolve().parents[1]
        _EXTRACTOR.append(Extractor.from_project(ProjectPaths(root)))
    return _EXTRACTOR[0]


# --- the CLI -------------------------------------------------------------------


def test_cli_extract_writes_draft_and_review(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    draft, review = tmp_path / "draft.ttl", tmp_path / "review.md"
    result = runner.invoke(
        cli,
        [
            "--project", str(project.root), "extract",
            str(FIXTURES / "bulleted-agreement.txt"),
            "--out", str(draft), "--review", str(review),
        ],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "agreement; 4 clauses, 7 commitments" in result.stderr
    assert draft.read_text("utf-8").startswith("# Machine-proposed DRAFT")
    assert "## Skipped blocks" in review.read_text("utf-8")
    validated = runner.invoke(
        cli, ["--project", str(project.root), "validate", str(draft)]
    )
    assert validated.exit_code == 0, validated.output
    assert validated.output.startswith("Validation: conforms")


def test_cli_extract_to_stdout_and_odd_files(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    base = ["--project", str(project.root), "extract"]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(cli, [*base, str(empty)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "warning: the file is empty" in result.stderr
    assert "a skg:SourceDocument" in result.stdout
    missing = runner.invoke(cli, [*base, str(tmp_path / "missing.txt")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


@pytest.mark.slow
def test_cli_evaluate_writes_json_and_markdown(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    out = tmp_path / "evaluation.json"
    result = runner.invoke(
        cli,
        ["--project", str(project.root), "evaluate", "--out", str(out), "--strict"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "clause_f1" in result.stdout and HEDEMORA in result.stdout
    assert out.is_file() and out.with_suffix(".md").is_file()
    assert "# Extraction evaluation" in out.with_suffix(".md").read_text("utf-8")


# --- evaluation against the gold ---------------------------------------------------


def test_span_iou() -> None:
    assert span_iou([(0, 10)], [(0, 10)]) == 1.0
    assert span_iou([(0, 10)], [(20, 30)]) == 0.0


def test_hedemora_reaches_the_targets(
    assembled: AssembledDataset, extractor: Extractor
) -> None:
    """Measured on the development document (the rules were written while reading
    it), so these figures are optimistic; see docs/extract.md."""
    report = evaluate_extraction(assembled, extractor)
    hedemora = next(d for d in report.documents if d.file_name == HEDEMORA)
    assert hedemora.in_scope
    assert hedemora.clauses.f1 >= TARGETS["clause_f1"]
    assert hedemora.entities.f1 >= TARGETS["entity_f1"]
    assert hedemora.modality.value >= TARGETS["modality_accuracy"]
    # The figures measured after the second reading (#18): 31 curated
    # commitments; the one miss is 6-4, "samt tillämpar enprocentregeln", which
    # the curators split from the fees in the same sentence (convention §6).
    assert (hedemora.clauses.tp, hedemora.clauses.fp, hedemora.clauses.fn) == (10, 0, 0)
    assert (hedemora.commitments.tp, hedemora.commitments.fn) == (30, 1)
    assert hedemora.commitments.fp == 0
    assert hedemora.modality.correct == 30 and hedemora.actors.correct == 30
    assert hedemora.entities.fn == 0 and hedemora.entities.fp == 0


def test_every_curated_document_is_evaluated_or_explained(
    assembled: AssembledDataset, extractor: Extractor
) -> None:
    report = evaluate_extraction(assembled, extractor)
    assert [d.file_name for d in report.documents] == [
        doc.source.path.name for doc in assembled.documents
    ]
    for doc in report.documents:
        assert doc.in_scope or doc.plan_scored or "no skg:Agreement" in doc.note
    assert [d.file_name for d in report.documents if d.plan_scored] == [
        "004_ebdeabd1e232db28.txt"
    ]
    assert '"figures"' in report.to_json()


def test_issue_14_evaluation_reads_the_builds_evidence_records(
    assembled: AssembledDataset, extractor: Extractor
) -> None:
    """The gold spans come from ``CuratedDocument.evidence`` (resolved once by the
    build), not from the evidence triples read back: without the triples the
    figures stay the same, without the records no curated clause is found."""
    curated = next(d for d in assembled.documents if d.source.path.name == HEDEMORA)
    without_triples = Graph()
    without_triples += curated.graph
    without_triples.remove((None, SKG.evidence, None))

    def variant(graph: Graph, records: list[EvidenceRecord]) -> CuratedDocument:
        return CuratedDocument(
            curated.path, curated.document, curated.source, graph, records
        )

    figures = evaluate_document(variant(without_triples, curated.evidence), extractor)
    normal = evaluate_document(curated, extractor)
    assert (figures.clauses.tp, figures.clauses.fp, figures.clauses.fn) == (10, 0, 0)
    assert (figures.commitments.tp, figures.commitments.fn) == (30, 1)
    assert figures.commitments == normal.commitments
    no_records = evaluate_document(variant(curated.graph, []), extractor)
    assert (no_records.clauses.tp, no_records.clauses.fn) == (0, 0)
    assert no_records.clauses.fp == 10


# --- issue 21: layouts, new actors, counties, signatures, plans ------------------


@pytest.fixture(scope="module")
def leadin(extractor: Extractor) -> ExtractionResult:
    return extract_file(FIXTURES / "leadin-agreement.txt", extractor=extractor)


@pytest.fixture(scope="module")
def sections(extractor: Extractor) -> ExtractionResult:
    return extract_file(FIXTURES / "sections-agreement.txt", extractor=extractor)


def test_headed_sections_without_front_and_back_matter(
    leadin: ExtractionResult,
) -> None:
    """Headed areas are clauses; "Giltighetstid", "Bakgrund", "Syfte", the
    place-and-date line, the signatures and the contact line are not."""
    assert leadin.kind == "agreement"
    assert leadin.parties == [SKGID["region/13"], SKGID["kommun/1382"]]
    starts = [" ".join(c.spans[0].exact.split()[:2]) for c in leadin.clauses]
    assert starts == [
        "Scenkonst och",
        "Bildkonst Hallands",
        "Folkbildning Studieförbunden",
        "Uppföljning Parterna",
    ]
    context = " ".join(text for _, text in leadin.context)
    assert "front matter: Bakgrund" in context and "front matter: Syfte" in context


def test_a_leadin_gives_subject_and_modality_to_its_items(
    leadin: ExtractionResult,
) -> None:
    region, kommun = SKGID["region/13"], SKGID["kommun/1382"]
    first, second, third, fourth = leadin.clauses[0].commitments
    assert first.text == (
        "erbjuda kommunens skolor föreställningar med Teater Halland varje läsår"
    )
    assert (first.committed_by, first.modality) == ([region], SKG.Shall)
    # "åtar sig att … verka för" is a striving.
    assert (second.committed_by, second.modality) == ([region], SKG.StrivesFor)
    assert third.committed_by == [kommun] and fourth.committed_by == [kommun]
    assert fourth.text == "marknadsföra föreställningarna lokalt."
    for commitment in (first, second, third, fourth):
        assert not commitment.text.startswith(("-", "Regionen", "Kommunen"))


def test_new_institutions_are_proposed_with_a_kind(leadin: ExtractionResult) -> None:
    proposed = {p.label: p for p in leadin.proposed}
    assert proposed["Teater Halland"].kind == SKG.CulturalInstitution
    assert proposed["Musik i Halland"].kind == SKG.CulturalInstitution
    assert proposed["Hallands konstmuseum"].kind == SKG.CulturalInstitution
    assert proposed["Katrinebergs folkhögskola"].kind == SKG.CulturalInstitution
    studie = proposed["studieförbunden i Hallands län"]
    assert studie.kind == SKG.CivilSocietyOrganisation
    assert studie.variants == ["studieförbunden i länet"]
    museum = _commitment(leadin, "Hallands konstmuseum ska ge")
    assert museum.committed_by == [proposed["Hallands konstmuseum"].iri]
    triples = set(leadin.graph.triples((studie.iri, None, None)))
    assert (studie.iri, SKG.proposed, Literal(True)) in triples
    assert (studie.iri, SKG.inCounty, SKGID["lan/13"]) in triples


def test_names_of_another_county_are_refused(leadin: ExtractionResult) -> None:
    """ "studieförbunden" is an altLabel of Dalarna's study associations: in a
    Halland agreement it is not linked to them (issue 21)."""
    dalarna = SKGID["actor/studieforbunden-i-dalarna"]
    linked = {o for _, _, o in leadin.graph if isinstance(o, URIRef)}
    assert dalarna not in linked
    assert any("studieforbunden-i-dalarna" in text for text in leadin.refused)
    both = _commitment(leadin, "Regionen och kommunen stödjer båda")
    assert [leadin.graph.value(c, RDF.type) for c in both.concerns] == [
        SKG.CivilSocietyOrganisation
    ]


def test_two_column_signatures_are_split(leadin: ExtractionResult) -> None:
    signed = [
        (s.signed_for, s.name, s.role, s.place, s.date) for s in leadin.signatures
    ]
    assert signed == [
        (SKGID["region/13"], "Eva Fiktivsson", "Ordförande, kulturnämnden",
         "Falkenberg", "2022-05-03"),
        (SKGID["kommun/1382"], "Olle Påhittsson", "Kommunstyrelsens ordförande",
         "Falkenberg", "2022-05-03"),
    ]  # fmt: skip
    review = leadin.review_markdown()
    assert "pia.exempel" not in review and "465 004" not in review
    assert "pia.exempel" not in leadin.turtle().decode("utf-8")


def test_numbered_sections_sub_areas_and_paragraph_signs(
    sections: ExtractionResult,
) -> None:
    """ "1. Parter", "2. Avtalstid" are front matter, "3. Samverkansområden" a
    container of 3.1–3.3, "4. Uppföljning" an area, "5. Underskrifter" starts the
    signatures."""
    assert [c.number for c in sections.clauses] == ["3.1", "3.2", "3.3", "4"]
    parterna = _commitment(sections, "verka för att Enköpings museum")
    assert parterna.modality == SKG.StrivesFor
    assert set(parterna.committed_by) == {SKGID["region/03"], SKGID["kommun/0381"]}
    library = _commitment(sections, "Regionbibliotek Uppsala ska")
    proposed = {p.iri: p for p in sections.proposed}
    assert proposed[library.committed_by[0]].label == "Regionbibliotek Uppsala"
    assert [proposed[c].variants for c in library.concerns] == [["kommunens bibliotek"]]
    assert [s.signed_for for s in sections.signatures] == [
        SKGID["region/03"],
        SKGID["kommun/0381"],
    ]
    # "Dans i Uppland turnerar …" describes the body: no commitment.
    assert not any(c.text.startswith("Dans i Uppland") for c in sections.commitments)


def test_pipe_table_plan_activities(
    extractor: Extractor, vocabulary: Graph, shapes: Graph
) -> None:
    plan = extract_file(FIXTURES / "pipe-plan.txt", extractor=extractor)
    assert plan.kind == "plan" and plan.county == SKGID["lan/23"]
    assert [(g.number, g.label) for g in plan.goals] == [
        ("1", "Fler unga deltar i kulturlivet."),
        ("2", "Kulturarvet blir tillgängligt för fler."),
    ]
    first, second, third = plan.activities
    assert (first.label, first.goal, first.start_term, first.completion_year) == (
        "Ungdomsscen i länet",
        "1",
        "Ht 2022",
        2022 + 2,
    )
    assert first.participants == [
        SKGID["kommun/2321"], SKGID["kommun/2309"], SKGID["kommun/2380"],
        SKGID["region/23"],
    ]  # fmt: skip
    persons = {p.iri: p.label for p in plan.proposed if p.kind == SKG.Person}
    assert [persons[c] for c in first.convenors] == ["Siv Fiktivsson"]
    assert first.coordinator_roles == ["Kulturchef Åre"]
    assert [persons[c] for c in second.convenors] == ["Per Påhittsson"]
    assert third.goal == "2" and third.follow_up == "Årlig uppföljning"
    assert _conforms(plan, vocabulary, shapes)


def test_orebro_plan_rows_continued_after_a_footnote(
    project: ProjectPaths, extractor: Extractor
) -> None:
    plan = extract_file(
        project.sources_dir / "004_ebdeabd1e232db28.txt", extractor=extractor
    )
    assert len(plan.activities) == 18
    first = plan.activities[0]
    # The row breaks at footnote 3; "Hällefors Region" on the line after it.
    assert len(first.spans) == 2
    assert SKGID["kommun/1863"] in first.participants
    assert SKGID["region/18"] in first.participants
    assert first.convenors == [SKGID["person/maria-gille"]]
    assert SKGID["person/lena-backlund"] in first.coordinators
    assert "Kulturchef" in first.coordinator_roles
    sixth = plan.activities[5]
    assert "Norra länsdelen?" in sixth.unresolved  # not read as a participant
