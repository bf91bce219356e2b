"""rdfio: formats and media types, dump loading, term conversion, canonical JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD

from samverkansgraf.errors import SourceError
from samverkansgraf.rdfio import (
    DUMP_FORMATS,
    FORMATS,
    JSON_LD,
    N_QUADS,
    TURTLE,
    canonical_json,
    canonical_tree,
    format_for_media_type,
    format_for_path,
    load_dump,
    load_store,
    load_union,
    to_oxigraph,
    to_rdflib,
)

EX = "http://example.org/"


# --- formats ---------------------------------------------------------------


def test_dump_formats_are_the_four_the_build_writes_in_order() -> None:
    assert [f.suffix for f in DUMP_FORMATS] == [".trig", ".nq", ".ttl", ".jsonld"]
    assert [f.media_type for f in DUMP_FORMATS] == [
        "application/trig",
        "application/n-quads",
        "text/turtle",
        "application/ld+json",
    ]
    assert [f.rdflib for f in DUMP_FORMATS] == ["trig", "nquads", "turtle", "json-ld"]


def test_every_format_is_unique_by_key_suffix_and_media_type() -> None:
    suffixes = [s for f in FORMATS for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert len({f.key for f in FORMATS}) == len({f.media_type for f in FORMATS})
    assert len({f.key for f in FORMATS}) == len(FORMATS)


def test_format_for_path_by_suffix_case_insensitive() -> None:
    assert format_for_path("dist/samverkansgraf.nq") is N_QUADS
    assert format_for_path(Path("a/B.TTL")) is TURTLE
    assert format_for_path("x.turtle") is TURTLE
    assert format_for_path("x.jsonld").oxigraph == ox.RdfFormat.JSON_LD


def test_unknown_suffix_names_the_path_and_the_known_suffixes() -> None:
    with pytest.raises(SourceError) as raised:
        format_for_path("dist/report.csv")
    message = str(raised.value)
    assert message.startswith("dist/report.csv: not an RDF file: unknown suffix '.csv'")
    assert "use one of .jsonld, .nq, .nt, .owl, .rdf, .trig, .ttl, .turtle" in message


def test_format_for_media_type_ignores_parameters_and_knows_aliases() -> None:
    assert format_for_media_type("text/turtle; charset=utf-8") is TURTLE
    assert format_for_media_type("application/x-turtle") is TURTLE
    assert format_for_media_type("application/ld+json") is JSON_LD
    assert format_for_media_type("text/html") is None


def test_content_type_states_the_charset_of_text_types_only() -> None:
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert N_QUADS.content_type == "application/n-quads"


# --- terms -----------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    [
        URIRef(EX + "s"),
        Literal("hej"),
        Literal("hej", lang="sv"),
        Literal("7", datatype=XSD.integer),
        Literal("2024-01-31", datatype=XSD.date),
        BNode("b1"),
    ],
)
def test_terms_round_trip(term: URIRef | Literal | BNode) -> None:
    back = to_rdflib(to_oxigraph(term))
    assert back == term
    assert type(back) is type(term)


def test_an_xsd_string_literal_becomes_a_plain_literal() -> None:
    converted = to_rdflib(ox.Literal("hej"))
    assert converted == Literal("hej")
    assert isinstance(converted, Literal) and converted.datatype is None


def test_default_graph_and_none_convert() -> None:
    assert to_rdflib(ox.DefaultGraph()) == DATASET_DEFAULT_GRAPH_ID
    assert to_oxigraph(DATASET_DEFAULT_GRAPH_ID) == ox.DefaultGraph()
    assert to_rdflib(None) is None
    with pytest.raises(TypeError, match="not a pyoxigraph term"):
        to_rdflib("plain string")


def test_a_blank_node_label_rdflib_cannot_write_is_hex_encoded() -> None:
    assert to_oxigraph(BNode("a:b")).value == "x" + b"a:b".hex()


def test_blank_nodes_keep_their_label_within_one_store() -> None:
    """Query results: the same store node in two rows is the same rdflib node
    (sources.py used to mint a fresh node per call scope, query/engines.py kept
    the label; within one store the label is the identity)."""
    first, second = to_rdflib(ox.BlankNode("n1")), to_rdflib(ox.BlankNode("n1"))
    assert first == second == BNode("n1")


def test_two_documents_with_the_same_blank_label_stay_two_nodes() -> None:
    """Documents: pyoxigraph keeps ``_:a`` as ``a`` in both files; with one scope
    per document they are two nodes, as rdflib's parser keeps them."""
    one: dict[ox.BlankNode, BNode] = {}
    two: dict[ox.BlankNode, BNode] = {}
    a = ox.BlankNode("a")
    assert to_rdflib(a, one) is to_rdflib(a, one)
    assert to_rdflib(a, one) != to_rdflib(a, two)


# --- loading ---------------------------------------------------------------


_NQUADS = (
    f'<{EX}s> <{EX}p> "hej"@sv <{EX}g1> .\n'
    f"<{EX}s> <{EX}q> _:list <{EX}g1> .\n"
    f'<{EX}t> <{EX}p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}g2> .\n'
)


def test_load_dump_keeps_named_graphs_and_unions_them(tmp_path: Path) -> None:
    path = tmp_path / "d.nq"
    path.write_text(_NQUADS, encoding="utf-8")
    dataset = load_dump(path)
    assert sorted(str(g.identifier) for g in dataset.graphs() if len(g)) == [
        EX + "g1",
        EX + "g2",
    ]
    assert (URIRef(EX + "t"), URIRef(EX + "p"), Literal(2)) in dataset.graph(
        URIRef(EX + "g2")
    )
    assert len(load_union(path)) == 3
    assert len(load_store(path)) == 3


def test_load_union_of_turtle_binds_the_project_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "d.ttl"
    path.write_text(f"<{EX}s> <{EX}p> ( 3 1 2 ) .\n", encoding="utf-8")
    graph = load_union(path)
    assert isinstance(graph, Graph)
    head = graph.value(URIRef(EX + "s"), URIRef(EX + "p"))
    assert [n.toPython() for n in graph.items(head)] == [3, 1, 2]
    assert "skg" in dict(graph.namespaces())


def test_a_broken_dump_is_a_source_error_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.nq"
    path.write_text(_NQUADS + f'<{EX}s> <{EX}p> "open .\n', encoding="utf-8")
    for load in (load_dump, load_union, load_store):
        with pytest.raises(SourceError) as raised:
            load(path)
        assert raised.value.line == 4
        assert "rebuild it with `samverkansgraf build`" in str(raised.value)


def test_a_missing_dump_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot parse"):
        load_store(tmp_path / "missing.trig")


# --- canonical JSON --------------------------------------------------------


def test_canonical_json_is_independent_of_input_order() -> None:
    one = {"b": [2, 1, {"y": 1, "x": 2}], "a": "å"}
    two = {"a": "å", "b": [{"x": 2, "y": 1}, 1, 2]}
    assert canonical_json(one) == canonical_json(two)
    assert canonical_json(one).endswith("}\n")
    assert '"å"' in canonical_json(one)  # not escaped


def test_canonical_json_keeps_the_order_of_an_rdf_list() -> None:
    """publish/site.py kept ``@list`` order, build sorted it (scrambling the RDF
    list in the JSON-LD dump); the list's order is its meaning, so it stays."""
    value = {"@id": EX + "s", EX + "p": [{"@list": [{"@value": 3}, {"@value": 1}]}]}
    assert json.loads(canonical_json(value))[EX + "p"][0]["@list"] == [
        {"@value": 3},
        {"@value": 1},
    ]


def test_rdflib_json_ld_of_a_list_keeps_its_order() -> None:
    graph = Graph()
    graph.parse(data=f"<{EX}s> <{EX}p> ( 3 1 2 ) .", format="turtle")
    tree = canonical_tree(json.loads(graph.serialize(format="json-ld")))
    assert isinstance(tree, list)
    items = tree[0][EX + "p"][0]["@list"]
    assert [item["@value"] for item in items] == [3, 1, 2]


def test_node_arrays_sort_by_id_as_their_dumps_would() -> None:
    nodes = [{"@id": "b", "v": 1}, {"@id": "a"}, {"@id": "ab"}]
    assert canonical_tree(nodes) == sorted(
        nodes, key=lambda n: json.dumps(n, sort_keys=True)
    )


def test_store_to_union_holds_every_graphs_triples(tmp_path: Path) -> None:
    from samverkansgraf.rdfio import store_to_union, union_of_quads

    path = tmp_path / "d.nq"
    path.write_text(_NQUADS, encoding="utf-8")
    union = store_to_union(load_store(path))
    assert len(union) == 3
    assert isinstance(union.value(URIRef(EX + "s"), URIRef(EX + "q")), BNode)
    parsed = union_of_quads(ox.parse(_NQUADS.encode(), format=N_QUADS.oxigraph))
    assert len(parsed) == 3
    # one document, one scope: a fresh node, not the label "list"
    fresh = parsed.value(URIRef(EX + "s"), URIRef(EX + "q"))
    assert isinstance(fresh, BNode) and fresh != BNode("list")
