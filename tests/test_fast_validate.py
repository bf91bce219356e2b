"""The fast SHACL engine (SPARQL on Oxigraph) reports exactly what pySHACL reports:
the same (focus node, source shape, path, value) results on every fixture, on the
real data and on synthetic data with a violation of every kind injected; and it
hands shapes it cannot compile to pySHACL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from samverkansgraf.build import assemble_dataset, load_vocabulary_and_reference
from samverkansgraf.devtools.synth import synth_project
from samverkansgraf.namespaces import OA, SH, SKG, SKGID, bind_prefixes
from samverkansgraf.sources import ProjectPaths, parse_turtle
from samverkansgraf.validate import (
    ValidationReport,
    load_shapes,
    validate_graph,
    validate_nquads,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _results(report: ValidationReport) -> Counter[tuple[str, ...]]:
    return Counter(
        (str(r.focus), str(r.shape), str(r.path), str(r.value), r.severity)
        for r in report.results
    )


def _same(data: Graph, shapes: Graph) -> ValidationReport:
    reference = validate_graph(data, shapes, engine="pyshacl")
    fast = validate_graph(data, shapes, engine="fast")
    assert fast.engine == "fast" and reference.engine == "pyshacl"
    assert _results(fast) == _results(reference)
    assert fast.conforms == reference.conforms
    return fast


@pytest.fixture(scope="module")
def shapes(project: ProjectPaths) -> Graph:
    return load_shapes(project.shapes_dir)


@pytest.fixture(scope="module")
def context(project: ProjectPaths) -> Graph:
    graph = bind_prefixes(Graph())
    for part in load_vocabulary_and_reference(project).values():
        graph += part
    return graph


@pytest.mark.parametrize(
    "path",
    sorted([*FIXTURES.glob("valid/*.ttl"), *FIXTURES.glob("invalid/*.ttl")]),
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_fixture_results_equal_pyshacl(
    path: Path, context: Graph, shapes: Graph
) -> None:
    data = Graph() + context
    parse_turtle(path, data)
    report = _same(data, shapes)
    assert report.conforms == (path.parent.name == "valid")


@pytest.mark.slow
def test_real_data_results_equal_pyshacl(union: Graph, shapes: Graph) -> None:
    assert _same(union, shapes).conforms


def _inject(graph: Graph) -> None:
    """One violation of every constraint kind the shapes use."""
    commitments = sorted(graph.subjects(RDF.type, SKG.Commitment))
    clauses = sorted(graph.subjects(RDF.type, SKG.Clause))
    agreements = sorted(graph.subjects(RDF.type, SKG.Agreement))
    activities = sorted(graph.subjects(RDF.type, SKG.Activity))
    selectors = sorted(graph.subjects(RDF.type, OA.TextPositionSelector))
    quotes = sorted(graph.subjects(RDF.type, OA.TextQuoteSelector))
    documents = sorted(graph.subjects(RDF.type, SKG.SourceDocument))
    c = commitments
    graph.remove((c[0], SKG.modality, None))  # minCount
    graph.add((c[1], SKG.modality, SKG.May))  # maxCount (and still in)
    graph.add((c[2], SKG.modality, SKG.Sometimes))  # in
    graph.add((c[3], SKG.committedBy, SKG.Shall))  # class
    graph.add((c[4], SKG.theme, SKG.Shall))  # node (not a theme concept)
    graph.add((c[5], SKG.concerns, Literal("kulturen")))  # nodeKind + or
    graph.add((c[6], SKG.concerns, SKGID["programme/okand"]))  # or
    graph.set((clauses[0], SKG.position, Literal("ett")))  # datatype
    graph.set((clauses[1], SKG.position, Literal(0)))  # minInclusive
    graph.set((clauses[2], SKG.position, Literal("x1", datatype=XSD.integer)))
    graph.set(  # SPARQL constraint: two clauses with the same position
        (clauses[4], SKG.position, graph.value(clauses[3], SKG.position))
    )
    graph.set((clauses[4], DCTERMS.isPartOf, graph.value(clauses[3], DCTERMS.isPartOf)))
    graph.set((agreements[0], SKG.startYear, Literal("2030", datatype=XSD.gYear)))
    graph.add((agreements[0], RDFS.label, Literal("Överenskommelse", lang="sv")))
    graph.set((documents[0], SKG.sha256, Literal("ABC")))  # pattern
    graph.set((quotes[0], OA.exact, Literal("")))  # minLength
    start = graph.value(selectors[0], OA.start)
    graph.set((selectors[0], OA.end, start))  # lessThan
    graph.set(  # datatype of a derived integer type
        (selectors[1], OA.start, Literal(3, datatype=XSD.integer))
    )
    evidence = graph.value(activities[0], SKG.evidence)
    graph.add((evidence, OA.hasSelector, quotes[1]))  # qualifiedMaxCount
    evidence = graph.value(activities[1], SKG.evidence)
    for selector in list(graph.objects(evidence, OA.hasSelector)):
        if (selector, RDF.type, OA.TextQuoteSelector) in graph:
            graph.remove((evidence, OA.hasSelector, selector))  # qualifiedMinCount
    graph.add((activities[2], SKG.evidence, SKG.Shall))  # sh:class on a node shape
    municipality = SKGID["kommun/2083"]
    graph.remove((municipality, DCTERMS.source, None))  # hasValue
    graph.set((municipality, SKG.municipalityCode, Literal("2084")))  # SPARQL targets
    person = sorted(graph.subjects(RDF.type, SKG.Person))[0]
    graph.add((person, FOAF.mbox, URIRef("mailto:test@example.org")))  # maxCount 0
    graph.add((person, SKOS.note, Literal("ring 023-12 34 56")))  # privacy regex


@pytest.mark.slow
def test_synthetic_data_with_injected_violations_equals_pyshacl(
    project: ProjectPaths, shapes: Graph, tmp_path: Path
) -> None:
    synth_project(tmp_path / "s", scale=20_000, seed=5, project=project)
    data = assemble_dataset(ProjectPaths(tmp_path / "s")).union()
    assert _same(data, shapes).conforms
    _inject(data)
    report = _same(data, shapes)
    assert not report.conforms
    paths = {r.path for r in report.results}
    shapes_hit = {str(r.shape) for r in report.results}
    assert len(report.results) >= 25, report.format_text()
    assert {SKG.modality, SKG.position, OA.hasSelector, OA.start} <= paths
    assert any("MunicipalityCodeUniqueShape" in s for s in shapes_hit)
    assert any("ClausePositionUniqueShape" in s for s in shapes_hit)
    assert any("NoContactLiteralShape" in s for s in shapes_hit)


def test_nquads_input_equals_graph_input(assembled, shapes: Graph) -> None:
    from samverkansgraf.build import serialise_dataset

    data = assembled.union()
    _inject(data)
    nquads = data.serialize(format="nt", encoding="utf-8")
    from_dump = validate_nquads(nquads, shapes)
    assert from_dump.engine == "fast"
    assert _results(from_dump) == _results(validate_graph(data, shapes, engine="fast"))
    assert serialise_dataset(assembled)[".nq"]  # the build's own dump loads too
    assert validate_nquads(serialise_dataset(assembled)[".nq"], shapes).conforms


@pytest.mark.slow
def test_unsupported_shapes_fall_back_to_pyshacl(context: Graph, shapes: Graph) -> None:
    closed = Graph() + shapes
    shape = URIRef("https://w3id.org/samverkansgraf/shapes#CommitmentShape")
    closed.add((shape, SH.closed, Literal(True)))
    data = Graph() + context
    parse_turtle(FIXTURES / "invalid" / "commitment-incomplete.ttl", data)
    report = validate_graph(data, closed, engine="fast")
    assert report.engine == "pyshacl"
    assert _results(report) == _results(validate_graph(data, closed, engine="pyshacl"))
    assert not report.conforms


def test_unknown_engine_is_refused(context: Graph, shapes: Graph) -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        validate_graph(context, shapes, engine="turbo")


@pytest.mark.slow
def test_cli_engine_option(runner, project: ProjectPaths, tmp_path: Path) -> None:
    from samverkansgraf.cli import cli

    for engine in ("pyshacl", "fast"):
        result = runner.invoke(
            cli,
            ["--project", str(project.root), "validate", "--engine", engine],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        assert "Validation: conforms" in result.output
    result = runner.invoke(
        cli,
        [
            "--project",
            str(project.root),
            "build",
            "--engine",
            "fast",
            "--out",
            str(tmp_path),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "samverkansgraf.nq").is_file()


@pytest.mark.parametrize("lexical", ["2020-13-45", "aldi"])
def test_ill_typed_start_date_under_sh_or_is_flagged_as_pyshacl_flags_it(
    shapes: Graph, lexical: str
) -> None:
    """EventShape's sh:or of datatypes rejects an ill-typed xsd:date (both engines)."""
    from samverkansgraf.namespaces import SCHEMA

    event = URIRef("https://example.org/event/1")
    bad = Literal(lexical, datatype=XSD.date)
    data = Graph()
    data.add((event, RDF.type, SKG.Event))
    data.add((event, SCHEMA.startDate, bad))
    report = _same(data, shapes)  # the default engine, compiled, equals pySHACL
    flagged = [
        r for r in report.results if r.focus == event and r.path == SCHEMA.startDate
    ]
    assert [(r.value, r.severity) for r in flagged] == [(bad, "Violation")]
    assert validate_graph(data, shapes).engine == "fast"


_TWO_DATATYPES_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:shape> a sh:NodeShape ; sh:targetSubjectsOf <urn:when>, <urn:count> ;
    sh:property [ sh:path <urn:when> ;
        sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:dateTime ] ) ] ;
    sh:property [ sh:path <urn:count> ;
        sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ] .
"""


def test_ill_typed_literals_of_several_datatypes_are_each_flagged() -> None:
    """Nested datatype checks of four datatypes, an ill-typed and a well-typed
    literal of each: the fast engine lists them in one scan of the store and
    flags exactly the ill-typed ones, as pySHACL does."""
    shapes = Graph().parse(data=_TWO_DATATYPES_SHAPES, format="turtle")
    when, count = URIRef("urn:when"), URIRef("urn:count")
    values = {
        (when, Literal("2020-13-45", datatype=XSD.date)): True,
        (when, Literal("2020-01-31", datatype=XSD.date)): False,
        (when, Literal("igår", datatype=XSD.dateTime)): True,
        (when, Literal("2020-01-31T10:00:00", datatype=XSD.dateTime)): False,
        (count, Literal("x1", datatype=XSD.integer)): True,
        (count, Literal("12", datatype=XSD.integer)): False,
        (count, Literal("1,5", datatype=XSD.decimal)): True,
        (count, Literal("1.5", datatype=XSD.decimal)): False,
    }
    data = Graph()
    for number, (path, value) in enumerate(values):
        data.add((URIRef(f"urn:node:{number}"), path, value))
    report = _same(data, shapes)
    flagged = {(r.path, r.value) for r in report.results}
    assert flagged == {key for key, ill in values.items() if ill}


def test_an_ill_typed_boolean_rdflib_rewrote_is_left_to_pyshacl(
    shapes: Graph,
) -> None:
    """rdflib makes "kanske"^^xsd:boolean the literal "false" (and still calls
    it ill-typed): the fast engine cannot see what was written, so a graph
    holding one is validated by pySHACL, which flags it."""
    shapes = Graph().parse(
        data=_TWO_DATATYPES_SHAPES.replace("xsd:decimal", "xsd:boolean"),
        format="turtle",
    )
    with pytest.warns(UserWarning, match="weird boolean"):
        value = Literal("kanske", datatype=XSD.boolean)  # rdflib makes it "false"
    assert str(value) == "false" and value.ill_typed
    data = Graph()
    data.add((URIRef("urn:node"), URIRef("urn:count"), value))
    report = validate_graph(data, shapes)
    assert report.engine == "pyshacl"
    assert [(r.value, r.severity) for r in report.results] == [(value, "Violation")]


_NQ_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:shape> a sh:NodeShape ; sh:targetNode <urn:a> ;
    sh:property [ sh:path <urn:p> ; sh:pattern "[.]0$" ] .
"""


def test_issue_15_nquads_keep_literals_as_written() -> None:
    """On the build's N-Quads path a literal that Oxigraph would rewrite on load
    ("4.0"^^xsd:decimal is stored as "4", which no longer matches the pattern)
    gives pySHACL's answer, and the fallback survives a one-shot take() as the
    build hands its dump over."""
    from samverkansgraf.validate import validate_nquads_taken
    from samverkansgraf.validate.fast import (
        check_nquads_literals,
        compile_shapes,
        store_from_nquads,
        validate_store,
    )

    shapes = Graph().parse(data=_NQ_SHAPES, format="turtle")
    data = b'<urn:a> <urn:p> "4.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    # What the fast path alone would say: a violation that is not in the data.
    assert validate_store(store_from_nquads(data), compile_shapes(shapes))
    with pytest.raises(Exception, match="not canonical"):
        check_nquads_literals(data)
    reference = validate_nquads_taken([data].pop, shapes, engine="pyshacl")
    default = validate_nquads_taken([data].pop, shapes, engine="auto")
    assert reference.conforms and default.conforms
    assert default.engine == "pyshacl"


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [(lex, "integer") for lex in ("04", "+4", "-0", "4", "-5", "0", "x1", " 4", "10")]
    + [(lex, "boolean") for lex in ("1", "0", "true", "false", "yes")]
    + [(lex, "decimal") for lex in ("4.0", "4.5", "4.50", "04.5", "4")]
    + [(lex, "double") for lex in ("1.0E0", "1", "1.5E2", "abc")],
)
def test_issue_15_no_literal_oxigraph_rewrites_is_let_through(
    lexical: str, datatype: str
) -> None:
    """``check_nquads_literals`` never accepts a literal the store rewrites
    (measured on pyoxigraph itself); refusing a kept one only costs a fallback."""
    import pyoxigraph as ox

    from samverkansgraf.validate.fast import (
        UnsupportedShapesError,
        check_nquads_literals,
    )

    data = (
        f'<urn:a> <urn:p> "{lexical}"^^'
        f"<http://www.w3.org/2001/XMLSchema#{datatype}> .\n"
    ).encode()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_QUADS)
    rewritten = next(iter(store)).object.value != lexical
    try:
        check_nquads_literals(data)
        accepted = True
    except UnsupportedShapesError:
        accepted = False
    assert not (accepted and rewritten), f"{lexical!r}^^{datatype} let through"


def test_a_rewritten_literal_among_a_national_dump_is_still_found() -> None:
    """The check reads only the lines with a decimal, double or float literal
    (issue 19: walking every string literal took 20 s at 1M triples): one such
    line among many others, the first or the last, is found as before, and a
    string that merely mentions the datatype is not one."""
    from samverkansgraf.validate.fast import (
        UnsupportedShapesError,
        check_nquads_literals,
    )

    decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    filler = [
        f'<urn:s{n}> <urn:p> "a \\"quote\\" ^^{decimal} in a text {n}" <urn:g> .'
        for n in range(2000)
    ]
    check_nquads_literals(("\n".join(filler) + "\n").encode())
    bad = f'<urn:x> <urn:p> "4.0"^^{decimal} <urn:g> .'
    for lines in ([bad, *filler], [*filler, bad], [*filler[:5], bad, *filler[5:]]):
        data = "\n".join(lines).encode()  # the last line without its "\n" too
        with pytest.raises(UnsupportedShapesError, match="not canonical"):
            check_nquads_literals(data)


def test_issue_15_every_message_keeps_its_language() -> None:
    """A shape with messages in two languages: both engines report both, each
    with its language, and the same first message."""
    shapes = Graph().parse(
        data="""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:shape> a sh:NodeShape ; sh:targetNode <urn:a> ;
    sh:property [ sh:path <urn:p> ; sh:minCount 1 ;
                  sh:message "Värde saknas"@sv, "A value is missing"@en ] .
""",
        format="turtle",
    )
    data = Graph().parse(data="<urn:a> <urn:q> 1 .", format="turtle")
    fast = validate_graph(data, shapes, engine="fast")
    reference = validate_graph(data, shapes, engine="pyshacl")
    assert fast.engine == "fast"
    expected = (
        Literal("A value is missing", lang="en"),
        Literal("Värde saknas", lang="sv"),
    )
    for report in (fast, reference):
        (result,) = report.results
        assert result.messages == expected
        assert result.message == "A value is missing"
        assert report.graph is not None
        assert set(report.graph.objects(None, SH.resultMessage)) == set(expected)


# A string that reads like the class path the engine rewrites: it stays text.
_NOTE = (
    "?v <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
    "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <urn:Body>"
)

_CLASS_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:shape:member> a sh:NodeShape ; sh:targetClass <urn:Member> ;
    sh:property [ sh:path <urn:partOf> ; sh:class <urn:Body> ; sh:minCount 1 ] .
<urn:shape:anon> a sh:NodeShape ; sh:targetClass <urn:Anonymous> ;
    sh:property [ sh:path <urn:partOf> ; sh:class <urn:Anonymous> ] .
<urn:shape:note> a sh:NodeShape ; sh:targetSubjectsOf <urn:note> ;
    sh:property [ sh:path <urn:note> ; sh:in ( "{_NOTE}" ) ] .
"""

_CLASS_DATA = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:Council> rdfs:subClassOf <urn:Body> .
<urn:Board> rdfs:subClassOf <urn:Council> .
<urn:Chair> rdfs:subClassOf <urn:Member> .
_:kind rdfs:subClassOf <urn:Anonymous> .
<urn:a> a <urn:Member> ; <urn:partOf> <urn:board> .
<urn:b> a <urn:Chair> ; <urn:partOf> <urn:nobody> .
<urn:c> a <urn:Member>, <urn:Chair> ; <urn:partOf> <urn:council>, <urn:nobody> .
<urn:d> a <urn:Chair> .
<urn:board> a <urn:Board> .
<urn:council> a <urn:Council> .
<urn:nobody> a <urn:Person> .
<urn:e> a _:kind ; <urn:partOf> <urn:f>, <urn:g> .
<urn:f> a _:kind .
<urn:g> a <urn:Person> .
<urn:a> <urn:note> "{_NOTE}" .
<urn:b> <urn:note> "{_NOTE.replace("Body", "Council")}" .
"""


def test_class_checks_follow_the_data_s_own_subclasses() -> None:
    """sh:targetClass and sh:class read each store's rdfs:subClassOf chains
    (the fast engine asks them once per store, and keeps the path for a class
    with a blank-node subclass): the same results as pySHACL, class by class."""
    shapes = Graph().parse(data=_CLASS_SHAPES, format="turtle")
    data = Graph().parse(data=_CLASS_DATA, format="turtle")
    report = _same(data, shapes)
    assert report.engine == "fast"
    flagged = sorted((str(r.focus), str(r.value)) for r in report.results)
    assert flagged == [
        ("urn:b", _NOTE.replace("Body", "Council")),  # not the listed string
        ("urn:b", "urn:nobody"),  # a Chair is a Member; a Person is no Body
        ("urn:c", "urn:nobody"),
        ("urn:d", "None"),  # a Member without sh:minCount's partOf
        ("urn:e", "urn:g"),  # through the blank-node subclass
    ]
