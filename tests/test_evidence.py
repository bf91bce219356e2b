"""The evidence matcher: quotes survive line wraps, differences are explained,
ambiguity is refused, and offsets always slice back to the quote."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from samverkansgraf.errors import EvidenceError
from samverkansgraf.evidence import (
    EvidenceIndex,
    QuoteError,
    Span,
    add_evidence,
    check_evidence,
    find_quote,
    find_span,
    read_evidence,
    resolve_evidence,
)
from samverkansgraf.namespaces import OA, SKG
from samverkansgraf.sources import ProjectPaths

TEXT = (
    "5 Alla Dalarnas invånare, oavsett var man bor, ska ha möjl ighet att ta del av \n"
    "professionell scenkonst. Region Dalarna stödjer även Folkmusikens Hus.\n"
    "Region Dalarna stödjer även Riksteatern.\n"
)


def test_quote_matches_across_a_line_break_and_keeps_the_original_span() -> None:
    span = find_quote(TEXT, "ta del av professionell scenkonst.")
    assert span.exact == "ta del av \nprofessionell scenkonst."
    assert TEXT[span.start : span.end] == span.exact


def test_broken_words_must_be_quoted_as_printed() -> None:
    with pytest.raises(QuoteError) as problem:
        find_quote(TEXT, "ska ha möjlighet att ta del")
    message = str(problem.value)
    assert "'möjlighet att ta del'" in message  # the quote's continuation
    assert "'möjl ighet att ta del" in message  # the source's continuation


def test_quote_not_in_source_names_the_first_word_when_nothing_matches() -> None:
    with pytest.raises(QuoteError, match="not even its first word 'Kulturbuss'"):
        find_quote(TEXT, "Kulturbuss ska utvecklas")


def test_ambiguous_quote_is_refused_with_its_line_numbers() -> None:
    with pytest.raises(QuoteError, match=r"occurs 2 times \(source lines 2, 3\)"):
        find_quote(TEXT, "Region Dalarna stödjer även")


def test_occurrence_picks_the_nth_match() -> None:
    second = find_quote(TEXT, "Region Dalarna stödjer även", occurrence=2)
    assert TEXT[second.end :].startswith(" Riksteatern")
    with pytest.raises(QuoteError, match="occurrence 3 asked for"):
        find_quote(TEXT, "Region Dalarna stödjer även", occurrence=3)


def test_search_within_a_span_disambiguates() -> None:
    line3 = TEXT.index("Region Dalarna stödjer även Riksteatern")
    span = find_quote(TEXT, "Region Dalarna stödjer även", within=(line3, len(TEXT)))
    assert span.start == line3


def test_find_span_from_first_and_last_words() -> None:
    span = find_span(TEXT, "5 Alla Dalarnas", "Folkmusikens Hus.")
    assert span.start == 0
    assert span.exact.endswith("Folkmusikens Hus.")
    with pytest.raises(QuoteError, match="does not occur after the start"):
        find_span(TEXT, "Riksteatern.", "Folkmusikens Hus.")


DOC = URIRef("https://w3id.org/samverkansgraf/id/document/test")
CLAUSE = URIRef("https://w3id.org/samverkansgraf/id/clause/test/1")
COMMITMENT = URIRef("https://w3id.org/samverkansgraf/id/commitment/test/1-1")


def _graph() -> Graph:
    graph = Graph()
    graph.add((CLAUSE, RDF.type, SKG.Clause))
    graph.add(
        (CLAUSE, SKG.quoteStartsWith, Literal("Region Dalarna stödjer även Riks"))
    )
    graph.add((CLAUSE, SKG.quoteEndsWith, Literal("Riksteatern.")))
    graph.add((COMMITMENT, SKG.inClause, CLAUSE))
    # Occurs twice in the text, but only once inside its clause.
    graph.add((COMMITMENT, SKG.quote, Literal("Region Dalarna stödjer även")))
    return graph


def test_resolve_evidence_writes_the_model_pattern_and_removes_shorthands() -> None:
    graph = _graph()
    records = resolve_evidence(graph, DOC, TEXT)
    assert [r.fact for r in records] == [CLAUSE, COMMITMENT]
    evidence = graph.value(COMMITMENT, SKG.evidence)
    assert evidence == URIRef(f"{COMMITMENT}#evidence")
    assert graph.value(evidence, OA.hasSource) == DOC
    position = URIRef(f"{COMMITMENT}#position")
    start, end = (
        int(graph.value(position, OA.start)),
        int(graph.value(position, OA.end)),
    )
    assert TEXT[start:end] == "Region Dalarna stödjer även"
    assert start == TEXT.index("Region Dalarna stödjer även Riksteatern")
    assert (None, SKG.quote, None) not in graph
    assert check_evidence(graph, {DOC: TEXT}) == 2


def test_records_name_the_resources_the_pattern_was_written_with() -> None:
    graph = _graph()
    records = resolve_evidence(graph, DOC, TEXT)
    commitment = next(r for r in records if r.fact == COMMITMENT)
    assert commitment.resource == URIRef(f"{COMMITMENT}#evidence")
    assert commitment.selectors == (
        URIRef(f"{COMMITMENT}#quote"),
        URIRef(f"{COMMITMENT}#position"),
    )
    # Reading the written pattern back gives the same records (evidence read
    # once: consumers use the records, read_evidence only for graphs without).
    assert read_evidence(graph, TEXT) == sorted(
        records, key=lambda r: (r.fact, r.span.start)
    )


def test_evidence_written_out_in_full_is_in_the_records_too() -> None:
    graph = Graph()
    fact = URIRef("https://w3id.org/samverkansgraf/id/clause/x/1")
    start = TEXT.index("Region Dalarna stödjer även Folkmusikens")
    span = Span(start, start + 14, "Region Dalarna")
    add_evidence(graph, fact, DOC, span)
    (record,) = resolve_evidence(graph, DOC, TEXT)
    assert (record.fact, record.document, record.span) == (fact, DOC, span)
    assert record.resource == URIRef(f"{fact}#evidence")


def test_evidence_index_looks_records_up_by_fact_in_offset_order() -> None:
    graph = _graph()
    records = resolve_evidence(graph, DOC, TEXT)
    index = EvidenceIndex(reversed(records))
    assert index.facts() == [CLAUSE, COMMITMENT]
    assert [r.fact for r in index.of(COMMITMENT)] == [COMMITMENT]
    assert index.of(URIRef("https://example.org/none")) == []


def test_quote_outside_its_clause_is_reported_as_such() -> None:
    graph = _graph()
    graph.set((COMMITMENT, SKG.quote, Literal("Folkmusikens Hus.")))
    with pytest.raises(EvidenceError, match="in the source but not inside its clause"):
        resolve_evidence(graph, DOC, TEXT)


def test_a_commitment_in_the_second_piece_of_a_split_clause_is_found() -> None:
    """A clause broken by a page footer is quoted in two pieces; a commitment
    after the footer is looked up in the clause's whole extent (issue 21)."""
    text = (
        "1 Regionen ska stödja teatern.\nSida 1 av 2\n"
        "Kommunen ska hyra ut scenen i Exempelby.\n"
        "2 Kommunen ska hyra ut scenen.\n"
    )
    graph = Graph()
    graph.add((CLAUSE, RDF.type, SKG.Clause))
    graph.add((CLAUSE, SKG.quote, Literal("1 Regionen ska stödja teatern.")))
    graph.add((CLAUSE, SKG.quote, Literal("Kommunen ska hyra ut scenen i Exempelby.")))
    graph.add((COMMITMENT, SKG.inClause, CLAUSE))
    # Twice in the text, once inside the clause (in its second piece).
    graph.add((COMMITMENT, SKG.quote, Literal("Kommunen ska hyra ut scenen")))
    records = resolve_evidence(graph, DOC, text)
    (commitment,) = [r for r in records if r.fact == COMMITMENT]
    assert commitment.span.start == text.index("Kommunen ska hyra ut scenen i")


def test_check_evidence_catches_offsets_that_do_not_slice_to_the_quote() -> None:
    graph = _graph()
    resolve_evidence(graph, DOC, TEXT)
    position = URIRef(f"{COMMITMENT}#position")
    start = int(graph.value(position, OA.start))
    graph.set((position, OA.start, Literal(start + 1)))
    with pytest.raises(EvidenceError, match="differs from the source"):
        check_evidence(graph, {DOC: TEXT})


@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab åö\n\t.,")), min_size=1, max_size=80
    ),
    data=st.data(),
)
def test_any_substring_is_found_and_slices_back(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    if not quote.split():
        with pytest.raises(QuoteError):
            find_quote(text, quote)
        return
    try:
        span = find_quote(text, quote)
    except QuoteError as problem:
        # Only ambiguity may stop it; then every occurrence slices back too.
        assert "occurs" in str(problem)
        span = find_quote(text, quote, occurrence=1)
    assert text[span.start : span.end] == span.exact
    assert span.exact.split() == quote.split()


def test_quotes_that_occur_twice_carry_prefix_and_suffix(union: Graph) -> None:
    """Issue #17: six quotes of the Örebro plan occur twice in their source;
    oa:prefix/oa:suffix (from the masked text) make each one unique."""
    from pathlib import Path

    from samverkansgraf.privacy import MASK

    texts = {}
    for path in (Path(__file__).parents[1] / "data" / "sources").glob("*.txt"):
        texts[path.name] = path.read_text("utf-8")
    selectors = list(union.subjects(OA.prefix, None))
    assert len(selectors) == 6
    orebro = texts["004_ebdeabd1e232db28.txt"]
    for selector in selectors:
        exact = str(union.value(selector, OA.exact))
        prefix = str(union.value(selector, OA.prefix))
        suffix = str(union.value(selector, OA.suffix))
        assert orebro.count(exact) >= 2
        assert orebro.count(prefix + exact + suffix) == 1, exact
        assert MASK not in prefix + suffix
    # A quote that occurs once has none.
    once = [
        s for s in union.subjects(OA.exact, None) if (s, OA.prefix, None) not in union
    ]
    assert len(once) > 200


def test_building_a_document_leaves_no_cycles_for_the_collector(
    project: ProjectPaths,
) -> None:
    """A document's build is freed as soon as it is dropped: nothing of it
    waits for the cyclic collector (a recursive closure in the evidence
    resolution once kept every document graph alive until a collection — half
    a million objects and a second of collecting per chunk of a national
    build)."""
    import gc

    from samverkansgraf.build.document import build_document
    from samverkansgraf.sources import read_checksums

    path = project.curated_dir / "orebro-handlingsplan-2020-2023.ttl"
    checksums = read_checksums(project.sources_dir)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        built = build_document(path, project.sources_dir, checksums)
        assert len(built.evidence) > 100  # a real document, fully resolved
        del built
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert left == []
