"""Network analysis (issue #6): graphs built by SPARQL from a hand-made fixture in
the data model (tests/fixtures/network/, numbers computed by hand in its
headers), measures checked on tiny graphs with known values, exports, pictures,
the cross-agreement comparison, the CLI, and a smoke test on the real data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph

from samverkansgraf.build import ONTOLOGY_FILE, SCHEMES_FILE
from samverkansgraf.cli import cli
from samverkansgraf.errors import OutputError, SourceError
from samverkansgraf.namespaces import SKGID
from samverkansgraf.network import (
    EDGE_COLUMNS,
    GRAPHS,
    MEASURES,
    NODE_COLUMNS,
    NetworkData,
    NetworkError,
    analyse_network,
    build_actor_graph,
    build_bipartite_graph,
    build_municipality_graph,
    compare_agreements,
    draw_graph,
    draw_heatmap,
    export_network,
    extract_network_data,
    format_comparison,
    format_rows,
    load_network_graph,
    load_network_source,
    normalise_words,
    participation_matrices,
    rank_nodes,
)
from samverkansgraf.sources import ProjectPaths, parse_turtle
from samverkansgraf.validate import load_shapes, validate_graph

FIXTURE = Path(__file__).parent / "fixtures" / "network"
ID = str(SKGID)

ORE, HAL, LAX, LIN, HLF, LEK = (
    f"{ID}kommun/{c}" for c in ("1880", "1861", "1860", "1885", "1863", "1814")
)
HED, SME, FAL, UPP = (f"{ID}kommun/{c}" for c in ("2083", "2061", "2080", "0380"))
R18, R20 = f"{ID}region/18", f"{ID}region/20"
ANNA, BERTIL, CECILIA = (
    f"{ID}person/{p}" for p in ("anna-andersson", "bertil-berg", "cecilia-carlsson")
)
DALATEATERN = f"{ID}actor/dalateatern"
PLAN = f"{ID}activity/fixture-handlingsplan/"


def _pair(a: str, b: str) -> tuple[str, str]:
    return (min(a, b), max(a, b))


@pytest.fixture(scope="module")
def fixture_graph() -> Graph:
    graph = Graph()
    for path in sorted(FIXTURE.glob("*.ttl")):
        parse_turtle(path, graph)
    return graph


@pytest.fixture(scope="module")
def data(fixture_graph: Graph) -> NetworkData:
    return extract_network_data(fixture_graph)


@pytest.fixture(scope="module")
def fixture_nq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture as a built dump would hold it: one named graph per file."""
    dataset = Dataset()
    for path in sorted(FIXTURE.glob("*.ttl")):
        dataset.graph(SKGID[f"graph/{path.stem}"]).parse(path, format="turtle")
    target = tmp_path_factory.mktemp("dump") / "samverkansgraf.nq"
    dataset.serialize(target, format="nquads")
    return target


def test_fixture_is_in_the_data_model(
    fixture_graph: Graph, project: ProjectPaths
) -> None:
    graph = Graph() + fixture_graph
    parse_turtle(project.ontology_dir / ONTOLOGY_FILE, graph)
    parse_turtle(project.ontology_dir / SCHEMES_FILE, graph)
    report = validate_graph(graph, load_shapes(project.shapes_dir))
    assert report.conforms, report.format_text(graph)


# --- municipality projection ---------------------------------------------------


def test_municipality_graph_has_every_municipality_of_the_covered_counties(
    data: NetworkData,
) -> None:
    graph = build_municipality_graph(data)
    # Örebro län (6 in the fixture) and Dalarna (3) are covered; Uppsala is not.
    assert set(graph) == {ORE, HAL, LAX, LIN, HLF, LEK, HED, SME, FAL}
    assert UPP not in graph


def test_municipality_edge_weights_are_the_shared_activities(
    data: NetworkData,
) -> None:
    graph = build_municipality_graph(data)
    weights = {_pair(a, b): w for a, b, w in graph.edges(data="weight")}
    assert weights == {
        _pair(ORE, HAL): 2,
        _pair(ORE, LAX): 1,
        _pair(HAL, LAX): 1,
        _pair(ORE, LIN): 1,
        _pair(HAL, LIN): 2,
    }
    edge = graph.edges[HAL, LIN]
    assert edge["activities"] == 2 and edge["agreements"] == 0
    assert edge["shared"] == (
        "activity/fixture-handlingsplan/kulturskolor;"
        "activity/fixture-handlingsplan/barnkulturplaner"
    )
    assert edge["distance"] == 0.5


def test_highest_weighted_degree_and_isolates(data: NetworkData) -> None:
    result = analyse_network(build_municipality_graph(data), "municipalities")
    rows = rank_nodes(result, "weighted_degree")
    assert [(r["iri"], r["weighted_degree"]) for r in rows[:4]] == [
        (HAL, 5),
        (ORE, 4),
        (LIN, 3),
        (LAX, 2),
    ]
    isolates = {r["iri"] for r in rows if r["isolate"]}
    # Hällefors takes part, but alone among municipalities: still no tie.
    assert isolates == {HLF, LEK, HED, SME, FAL}
    assert all(result.graph.degree(n) == 0 for n in isolates)
    assert result.summary["isolates"] == 5
    assert result.summary["nodes"] == 9 and result.summary["edges"] == 5


def test_node_attributes(data: NetworkData) -> None:
    node = build_municipality_graph(data).nodes[HAL]
    assert node == {
        "label": "Hallsbergs kommun",
        "short_label": "Hallsberg",
        "type": "municipality",
        "county": "18",
        "municipality": "1861",
        "wikidata": "Q508180",
        "iri": HAL,
    }


# --- actor graph ---------------------------------------------------------------


def test_actor_graph_keeps_every_kind_of_tie(data: NetworkData) -> None:
    graph = build_actor_graph(data)
    assert len(graph) == 17
    types = {n: t for n, t in graph.nodes(data="type")}
    assert types[ANNA] == "person"
    assert types[f"{ID}actor/natverket-for-regional-kulturutveckling"] == "network"
    assert types[f"{ID}actor/korda-art-in-motion"] == "civil_society_organisation"

    dalarna = graph.edges[R20, HED]
    assert dalarna["kinds"] == "same_agreement;joint_commitment"
    assert (dalarna["same_agreement"], dalarna["joint_commitment"]) == (1, 1)
    assert dalarna["weight"] == 2

    bertil = graph.edges[BERTIL, R18]  # convenes one activity, coordinates another
    assert (bertil["convenor"], bertil["coordinator"], bertil["weight"]) == (1, 1, 2)
    assert graph.edges[ANNA, ORE]["convenor"] == 2
    assert graph.edges[CECILIA, HAL]["kinds"] == "convenor;coordinator"
    assert graph.edges[ORE, R18]["same_activity"] == 2
    assert graph.edges[R20, DALATEATERN]["commitment_concerning"] == 2
    assert graph.edges[HED, DALATEATERN]["kinds"] == "commitment_concerning"
    assert not graph.has_edge(ANNA, CECILIA)  # persons are tied via participants


def test_bipartite_graph(data: NetworkData) -> None:
    graph = build_bipartite_graph(data)
    top = {n for n, side in graph.nodes(data="bipartite") if side == 1}
    assert len(top) == 6  # four activities, two agreements
    assert nx.bipartite.is_bipartite_node_set(graph, top)
    assert graph.edges[BERTIL, f"{PLAN}transporter"]["roles"] == "coordinator"
    assert graph.edges[R20, f"{ID}agreement/fixture-hedemora"]["roles"] == "party"
    assert graph.nodes[f"{PLAN}transporter"]["type"] == "activity"


# --- measures on tiny graphs with known values ------------------------------------


def _weighted(graph: nx.Graph, weights: dict[tuple[int, int], int] | None = None):
    for a, b in graph.edges:
        weight = (weights or {}).get((a, b), (weights or {}).get((b, a), 1))
        graph.edges[a, b].update(weight=weight, distance=1 / weight)
    return graph


def test_betweenness_of_a_star_centre_is_one() -> None:
    result = analyse_network(_weighted(nx.star_graph(4)), "star")
    assert result.graph.nodes[0]["betweenness"] == pytest.approx(1.0)
    assert result.graph.nodes[1]["betweenness"] == 0.0


def test_betweenness_reads_distance_as_one_over_weight() -> None:
    # Square a–b–c–d–a: strong ties a–b and b–c make b, not d, the way a→c.
    square = _weighted(nx.cycle_graph(4), {(0, 1): 3, (1, 2): 3, (2, 3): 1, (3, 0): 1})
    nodes = analyse_network(square, "square").graph.nodes
    assert nodes[1]["betweenness"] == pytest.approx(1 / 3)
    assert nodes[3]["betweenness"] == 0.0


def test_burt_constraint_of_known_configurations() -> None:
    star = analyse_network(_weighted(nx.star_graph(3)), "star").graph.nodes
    assert star[0]["constraint"] == pytest.approx(3 * (1 / 3) ** 2)  # broker
    assert star[1]["constraint"] == pytest.approx(1.0)
    triangle = analyse_network(_weighted(nx.complete_graph(3)), "t").graph.nodes
    assert triangle[0]["constraint"] == pytest.approx(2 * (1 / 2 + 1 / 4) ** 2)
    lonely = nx.empty_graph(2)
    assert "constraint" not in analyse_network(lonely, "e").graph.nodes[0]


def test_louvain_finds_two_triangles_with_known_modularity() -> None:
    graph = _weighted(nx.barbell_graph(3, 0))  # two triangles and one bridge
    result = analyse_network(graph, "barbell", seed=7)
    assert sorted(map(sorted, result.communities)) == [[0, 1, 2], [3, 4, 5]]
    assert result.summary["modularity"] == pytest.approx(2 * (3 / 7 - (7 / 14) ** 2))


def test_louvain_is_deterministic_with_a_seed(data: NetworkData) -> None:
    first = analyse_network(build_actor_graph(data), "actors", seed=42)
    second = analyse_network(build_actor_graph(data), "actors", seed=42)
    assert first.communities == second.communities
    assert first.summary["modularity"] == second.summary["modularity"]
    assert len(first.communities) >= 2  # Dalarna and Örebro are not tied


def test_unknown_measure_lists_the_valid_ones(data: NetworkData) -> None:
    result = analyse_network(build_municipality_graph(data), "municipalities")
    with pytest.raises(NetworkError) as caught:
        rank_nodes(result, "centrality")
    assert all(name in str(caught.value) for name in MEASURES)


def test_constraint_sorts_brokers_first_and_undefined_last(data: NetworkData) -> None:
    result = analyse_network(build_municipality_graph(data), "municipalities")
    rows = rank_nodes(result, "constraint")
    values = [r["constraint"] for r in rows]
    defined = [v for v in values if v is not None]
    assert defined == sorted(defined) and values[len(defined) :] == [None] * 5
    assert rows[0]["iri"] == HAL


# --- tables, exports, pictures ---------------------------------------------------


def test_format_rows(data: NetworkData) -> None:
    result = analyse_network(build_municipality_graph(data), "municipalities")
    rows = rank_nodes(result, "weighted_degree", top=2)
    table = format_rows(rows, "table").splitlines()
    assert table[0].split()[:4] == ["rank", "label", "type", "county"]
    assert "Hallsbergs kommun" in table[1] and len(table) == 3
    parsed = list(csv.DictReader(format_rows(rows, "csv").splitlines()))
    assert parsed[0]["iri"] == HAL and parsed[0]["constraint"] != ""
    assert json.loads(format_rows(rows, "json"))[1]["iri"] == ORE


@pytest.fixture(scope="module")
def exported(data: NetworkData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = {
        name: analyse_network(spec.build(data), name) for name, spec in GRAPHS.items()
    }
    out = tmp_path_factory.mktemp("export") / "network"
    export_network(results, out, data=data, plot=False, source="fixture")
    return out


@pytest.mark.parametrize("name", list(GRAPHS))
def test_graphml_round_trips_with_attributes(
    name: str, data: NetworkData, exported: Path
) -> None:
    original = analyse_network(GRAPHS[name].build(data), name).graph
    read = nx.read_graphml(exported / f"{name}.graphml")
    assert dict(read.nodes(data=True)) == dict(original.nodes(data=True))
    assert {_pair(a, b): d for a, b, d in read.edges(data=True)} == {
        _pair(a, b): d for a, b, d in original.edges(data=True)
    }
    for _, attrs in read.nodes(data=True):
        assert None not in attrs.values()
    gexf = nx.read_gexf(exported / f"{name}.gexf")
    assert len(gexf) == len(original)


def test_export_files_and_codebook(exported: Path) -> None:
    names = {p.name for p in exported.iterdir()}
    for graph in GRAPHS:
        assert {f"{graph}.graphml", f"{graph}.gexf", f"{graph}-nodes.csv"} <= names
        assert f"{graph}-edges.csv" in names
    assert {"codebook.md", "summary.json", "matrix-fixture-handlingsplan.csv"} <= names
    codebook = (exported / "codebook.md").read_text("utf-8")
    for path in exported.glob("*.csv"):
        header = next(csv.reader(path.open(encoding="utf-8")))
        for column in header:
            if not column.startswith("http"):  # matrix columns are activity IRIs
                assert f"`{column}`" in codebook, (path.name, column)
    for name in names:
        assert f"`{name}`" in codebook
    assert set(NODE_COLUMNS) >= set(MEASURES) and "weight" in EDGE_COLUMNS
    summary = json.loads((exported / "summary.json").read_text("utf-8"))
    assert summary["graphs"]["municipalities"]["isolates"] == 5


def test_export_replaces_an_earlier_export_but_not_other_folders(
    data: NetworkData, tmp_path: Path
) -> None:
    results = {"municipalities": analyse_network(build_municipality_graph(data))}
    out = tmp_path / "net"
    export_network(results, out, data=data)
    (out / "stale.csv").write_text("old")
    export_network(results, out, data=data)
    assert not (out / "stale.csv").exists()
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("precious")
    with pytest.raises(OutputError):
        export_network(results, other, data=data)
    assert (other / "thesis.txt").read_text() == "precious"


def test_participation_matrix_keeps_every_municipality_in_plan_order(
    data: NetworkData,
) -> None:
    (matrix,) = participation_matrices(data)
    assert matrix.county == "18"
    assert matrix.columns == [
        f"{PLAN}{slug}"
        for slug in (
            "transporter",
            "kulturskolor",
            "barnkulturplaner",
            "kulturpolitiker",
        )
    ]
    assert set(matrix.rows) == {ORE, HAL, LAX, LIN, HLF, LEK}
    cells = dict(zip(matrix.rows, matrix.cells, strict=True))
    assert cells[HAL] == [1, 1, 1, 0]
    assert cells[LEK] == [0, 0, 0, 0]


def test_pictures_are_deterministic(data: NetworkData) -> None:
    result = analyse_network(build_actor_graph(data), "actors")
    first, second = draw_graph(result, data), draw_graph(result, data)
    assert first[".png"].startswith(b"\x89PNG") and b"<svg" in first[".svg"]
    assert first == second
    (matrix,) = participation_matrices(data)
    heatmap = draw_heatmap(matrix, data)
    assert heatmap == draw_heatmap(matrix, data)
    assert b"Lekeberg (0)" in heatmap[".svg"]


_LAYOUT_SCRIPT = """
import json, networkx as nx
from samverkansgraf.network.pictures import layout_positions
graph = nx.Graph()
graph.add_edges_from((f"n{i:02}", f"n{i + 1:02}") for i in range(11))
graph.add_edges_from([("n00", "n05"), ("n03", "n09")])
graph.add_nodes_from(f"isolate{i:02}" for i in range(30))
print(json.dumps(sorted(layout_positions(graph).items())))
"""


def test_issue_14_layout_does_not_depend_on_the_hash_seed() -> None:
    """The pictures and the GEXF positions are the same in every process: a
    small component's node order once came from a set (``graph.subgraph``), so
    two runs of the same export drew different pictures."""
    import os
    import subprocess
    import sys

    layouts = [
        subprocess.run(
            [sys.executable, "-c", _LAYOUT_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    ]
    assert len(json.loads(layouts[0])) == 42
    assert layouts[0] == layouts[1] == layouts[2]


# --- cross-agreement comparison ---------------------------------------------------


def test_normalised_words_of_the_fixture_commitment() -> None:
    names = {"Region Dalarna": "REGION", "Hedemora kommun": "KOMMUN"}
    words = normalise_words(
        "Region Dalarna har å sin sida gett Dalateatern och Musik i Dalarna i "
        "uppdrag att turnera runt till alla kommuner i länet.",
        names,
    )
    assert len(set(words)) == 14 and words[0] == "REGION"
    assert normalise_words("länskultur-\nverksamheterna") == [
        "länskulturverksamheterna"
    ]


def test_comparison_finds_the_recurring_and_the_local(fixture_graph: Graph) -> None:
    report = compare_agreements(fixture_graph)
    rows = {
        r.commitment.removeprefix(f"{ID}commitment/fixture-"): r for r in report.rows
    }
    assert len(report.rows) == 6  # Region Dalarna's commitments, not Hedemora's own
    first = rows["hedemora/1-1"]
    assert first.status == "recurring"
    assert first.score == pytest.approx(11 / 14)
    assert first.best_commitment == f"{ID}commitment/fixture-smedjebacken/1-1"
    assert first.recurs_in == f"{ID}agreement/fixture-smedjebacken"
    assert rows["hedemora/2-1"].score == 1.0  # only the municipality's name differs
    assert rows["hedemora/2-2"].status == "local"
    assert rows["smedjebacken/2-1"].status == "local"
    counts = report.counts()["Region Dalarna"]
    assert counts == {"agreements": 2, "commitments": 6, "recurring": 4, "local": 2}
    stricter = compare_agreements(fixture_graph, threshold=0.8)
    assert {r.status for r in stricter.rows if r.score == pytest.approx(11 / 14)} == {
        "local"
    }


def test_comparison_formats_and_methods(fixture_graph: Graph) -> None:
    report = compare_agreements(fixture_graph, method="overlap")
    assert "recurring" in format_comparison(report, "table")
    rows = list(csv.DictReader(format_comparison(report, "csv").splitlines()))
    assert rows[0]["method"] == "overlap" and rows[0]["status"] == "recurring"
    assert json.loads(format_comparison(report, "json"))["threshold"] == 0.5
    with pytest.raises(NetworkError, match="jaccard"):
        compare_agreements(fixture_graph, method="cosine")


# --- input -------------------------------------------------------------------------


@pytest.mark.parametrize("load", [load_network_graph, load_network_source])
def test_input_errors_are_clear(tmp_path: Path, load) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load(tmp_path / "missing.nq")
    empty = tmp_path / "empty.nq"
    empty.write_text("")
    with pytest.raises(SourceError, match="no skg:Activity and no skg:Agreement"):
        load(empty)
    broken = tmp_path / "broken.nq"
    broken.write_text("this is not N-Quads\n")
    with pytest.raises(SourceError, match="cannot parse"):
        load(broken)
    with pytest.raises(SourceError, match="unknown RDF file type"):
        load(tmp_path / "notes.txt")


@pytest.mark.parametrize("load", [load_network_graph, load_network_source])
@pytest.mark.parametrize(
    ("name", "text", "position"),
    [
        (
            "broken.nq",
            "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n",
            "2:23",
        ),
        (
            "broken.ttl",
            "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n",
            "2:23",
        ),
    ],
)
def test_issue_14_a_parse_error_in_a_dump_names_its_line_and_column(
    tmp_path: Path, load, name: str, text: str, position: str
) -> None:
    """Both loaders parse with ``rdfio`` (pyoxigraph). Before issue 14 the rdflib
    loader had its own parsers: no position for N-Quads, and "malformed Turtle"
    (an rdflib column) for Turtle, where the store loader said "cannot parse"."""
    broken = tmp_path / name
    broken.write_text(text)
    with pytest.raises(SourceError) as error:
        load(broken)
    assert error.value.location() == f"{broken}:{position}"
    assert "cannot parse" in str(error.value)


@pytest.mark.parametrize("load", [load_network_graph, load_network_source])
def test_issue_14_dump_suffixes_come_from_the_rdfio_table(
    tmp_path: Path, fixture_nq: Path, load
) -> None:
    upper = tmp_path / "FIXTURE.NQ"
    upper.write_bytes(fixture_nq.read_bytes())
    assert extract_network_data(load(upper)) == extract_network_data(fixture_nq)
    with pytest.raises(SourceError) as error:
        load(tmp_path / "notes.rdf")  # RDF, but not a dump the build writes
    assert "unknown RDF file type" in str(error.value)
    assert error.value.hint == "give a built dump: .trig, .nq, .ttl, .jsonld or .nt"


@pytest.mark.parametrize("dump_name", ["fixture", "full"])
def test_oxigraph_and_rdflib_inputs_give_the_same_network(
    dump_name: str, fixture_nq: Path, full_dump: Path
) -> None:
    """A dump is read with pyoxigraph, an in-memory graph with rdflib: the
    network data, the measures and the comparison are the same."""
    dump = fixture_nq if dump_name == "fixture" else full_dump
    from_oxigraph = load_network_source(dump)
    from_rdflib = load_network_source(load_network_graph(dump))
    assert from_oxigraph.store is not None and from_rdflib.graph is not None
    data = extract_network_data(from_oxigraph)
    assert data == extract_network_data(from_rdflib)
    assert len(data.events) > 0 and len(data.ties) > 0
    for spec in GRAPHS.values():
        ours = analyse_network(spec.build(data)).rows()
        theirs = analyse_network(spec.build(extract_network_data(from_rdflib))).rows()
        assert ours == theirs
    assert compare_agreements(from_oxigraph) == compare_agreements(from_rdflib)


def test_store_names_answer_as_a_graph_of_the_naming_triples() -> None:
    """``StoreNames`` reads names from the store when asked (issue 19: copying
    them into rdflib cost 6.6 s at L): a triple in two graphs counts once,
    only naming properties are held, ``value`` gives one of them."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS, SKOS

    from samverkansgraf.namespaces import SKG
    from samverkansgraf.network.source import StoreNames

    falun = "https://w3id.org/samverkansgraf/id/kommun/2080"
    store = ox.Store()
    store.load(
        f"""<{falun}> <{RDFS.label}> "Falu kommun"@sv <urn:a> .
<{falun}> <{RDFS.label}> "Falu kommun"@sv <urn:b> .
<{falun}> <{SKOS.altLabel}> "Falun" <urn:a> .
<{falun}> <{SKG.countyCode}> "20" <urn:a> .
""".encode(),
        format=ox.RdfFormat.N_QUADS,
    )
    names = StoreNames(store)
    node = URIRef(falun)
    assert list(names.objects(node, RDFS.label)) == [Literal("Falu kommun", lang="sv")]
    assert list(names.objects(node, SKOS.altLabel)) == [Literal("Falun")]
    assert list(names.objects(node, SKG.countyCode)) == []  # not a name
    assert names.value(node, SKOS.altLabel) == Literal("Falun")
    assert names.value(URIRef(falun + "x"), RDFS.label) is None


# --- CLI -----------------------------------------------------------------------------


def test_cli_network_csv(runner: CliRunner, fixture_nq: Path) -> None:
    result = runner.invoke(
        cli,
        ["network", "--input", str(fixture_nq), "--format", "csv", "--top", "3"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [r["label"] for r in rows] == [
        "Hallsbergs kommun",
        "Örebro kommun",
        "Lindesbergs kommun",
    ]
    assert "municipalities: nodes 9, edges 5" in result.stderr


def test_cli_network_out_and_plot(
    runner: CliRunner, fixture_nq: Path, tmp_path: Path
) -> None:
    out = tmp_path / "net"
    result = runner.invoke(
        cli,
        [
            "network",
            "--input",
            str(fixture_nq),
            "--graph",
            "actors",
            "--out",
            str(out),
            "--plot",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("actors: nodes 17, edges 39")
    for name in ("municipalities.png", "actors.svg", "bipartite.graphml"):
        assert (out / name).stat().st_size > 1000
    assert (out / "heatmap-fixture-handlingsplan.png").stat().st_size > 1000
    assert f"wrote 23 files to {out}" in result.stderr


def test_cli_bad_sort_is_one_line_listing_the_measures(
    runner: CliRunner, fixture_nq: Path
) -> None:
    result = runner.invoke(cli, ["network", "--input", str(fixture_nq), "--sort", "x"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown measure 'x'")
    assert all(name in lines[0] for name in MEASURES)


def test_cli_missing_input_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["network", "--input", str(tmp_path / "none.nq")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no such file" in result.stderr


def test_cli_without_a_build_assembles_the_project(
    runner: CliRunner, scratch: ProjectPaths
) -> None:
    assert not (scratch.dist_dir / "samverkansgraf.nq").exists()
    result = runner.invoke(
        cli,
        ["--project", str(scratch.root), "network", "--graph", "actors"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "input: data/curated/ (assembled: no dist/samverkansgraf.nq yet)" in (
        result.stdout
    )
    assert "Region Dalarna" in result.stdout


def test_cli_list(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["network", "--list"], catch_exceptions=False)
    assert result.exit_code == 0
    assert all(name in result.stdout for name in [*GRAPHS, *MEASURES])


def test_cli_compare(runner: CliRunner, fixture_nq: Path, tmp_path: Path) -> None:
    out = tmp_path / "comparison.csv"
    result = runner.invoke(
        cli,
        ["compare", "--input", str(fixture_nq), "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Region Dalarna: 6 commitments in 2 bilateral")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sum(r["status"] == "recurring" for r in rows) == 4
    assert float(rows[0]["score"]) == 11 / 14


# --- the real data, as far as it is curated ----------------------------------------


def test_real_data_actor_graph_ties_region_dalarna_and_hedemora(union: Graph) -> None:
    data = extract_network_data(union)
    actors = build_actor_graph(data)
    assert "same_agreement" in actors.edges[R20, HED]["kinds"].split(";")
    towns = build_municipality_graph(data)
    dalarna = {n for n, c in towns.nodes(data="county") if c == "20"}
    assert len(dalarna) == 15  # the whole county, ties or not
    report = compare_agreements(union)
    for region, agreements in report.agreements.items():
        if len(agreements) == 1:
            assert {r.status for r in report.rows if r.region == region} == {"local"}


# --- the real data (Örebro's action plan, the two Dalarna agreements) ---------

OREBRO_PLAN = SKGID["plan/orebro-handlingsplan-kultursamverkan-2020-2023"]


@pytest.fixture(scope="module")
def real(union: Graph) -> NetworkData:
    return extract_network_data(union)


def _participation_by_hand(union: Graph) -> dict[str, set[str]]:
    """Municipality → Örebro activities, read straight off skg:participant."""
    from rdflib.namespace import RDF

    from samverkansgraf.namespaces import SKG

    towns: dict[str, set[str]] = {}
    for activity in union.subjects(SKG.partOfPlan, OREBRO_PLAN):
        for actor in union.objects(activity, SKG.participant):
            if (actor, RDF.type, SKG.Municipality) in union:
                towns.setdefault(str(actor), set()).add(str(activity))
    return towns


def test_real_orebro_projection_has_the_twelve_municipalities(
    real: NetworkData,
) -> None:
    graph = build_municipality_graph(real)
    orebro = sorted(n for n, a in graph.nodes(data=True) if a["county"] == "18")
    assert len(orebro) == 12
    # Degerfors takes part in no activity of the plan (read from the source).
    assert graph.degree(str(SKGID["kommun/1862"])) == 0
    assert [n for n in orebro if graph.degree(n) == 0] == [str(SKGID["kommun/1862"])]


def test_real_weighted_degree_equals_shared_activities_counted_by_hand(
    real: NetworkData, union: Graph
) -> None:
    graph = build_municipality_graph(real)
    towns = _participation_by_hand(union)
    for town, activities in towns.items():
        expected = sum(
            len(activities & others) for other, others in towns.items() if other != town
        )
        assert graph.degree(town, weight="weight") == expected, town
    # Hallsberg takes part in 12 of the 18 activities and ties most.
    ranked = sorted(graph.degree(weight="weight"), key=lambda pair: -pair[1])
    assert ranked[0] == (str(SKGID["kommun/1861"]), 56)


def test_real_heatmap_is_twelve_municipalities_by_eighteen_activities(
    real: NetworkData,
) -> None:
    [matrix] = [m for m in participation_matrices(real) if m.plan == str(OREBRO_PLAN)]
    assert (len(matrix.rows), len(matrix.columns)) == (12, 18)
    row = matrix.rows.index(str(SKGID["kommun/1861"]))
    assert sum(matrix.cells[row]) == 12


def test_real_comparison_finds_recurring_and_local_commitments(union: Graph) -> None:
    report = compare_agreements(union)
    text = format_comparison(report, "csv")
    # The Dalateatern sentence is printed in both agreements; KORDA only in Hedemora's.
    assert "gett Dalateatern och Musik i Dalarna" in text
    rows = list(csv.DictReader(text.splitlines()))
    dalateatern = [r for r in rows if "gett Dalateatern" in r["text"]]
    korda = [r for r in rows if "KORDA" in r["text"]]
    assert {r["status"] for r in dalateatern} == {"recurring"}
    assert {r["status"] for r in korda} == {"local"}


# --- the comparison without comparing every pair (issue 19) -------------------


def _pairwise_matches(candidates, method, threshold):
    """The comparison as it was first written: every commitment against every
    other of its region in another agreement, in order (the reference)."""
    from samverkansgraf.network.compare import SIMILARITIES

    similarity = SIMILARITIES[method][0]
    out = []
    for _key, region, agreement, words in candidates:
        best = None
        recurs = set()
        for other_key, other_region, other_agreement, other_words in candidates:
            if other_region != region or other_agreement == agreement:
                continue
            score = similarity(words, other_words)
            if score >= threshold:
                recurs.add(other_agreement)
            if best is None or score > best[0]:
                best = (score, other_key)
        out.append((best[1], best[0], recurs) if best else (None, None, set()))
    return out


_WORDS = st.lists(
    st.sampled_from(["REGION", "KOMMUN", "ska", "bibliotek", "dans", "x"]), max_size=5
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("RS"), st.sampled_from("abcd"), _WORDS),
        max_size=14,
    ),
    st.sampled_from(["jaccard", "overlap", "difflib"]),
    st.sampled_from([0.0, 0.25, 0.5, 2 / 3, 1.0]),
)
def test_best_matches_equal_every_pairwise_comparison(rows, method, threshold):
    """Ties (earliest wins), zero scores (still a best match), empty word lists,
    a region with one agreement, repeated word lists in one agreement: the
    grouped, matrix-based answer is the pairwise one, float for float."""
    from samverkansgraf.network import compare
    from samverkansgraf.network.compare import best_matches

    candidates = [
        (f"c{i}", region, region + agreement, words)
        for i, (region, agreement, words) in enumerate(rows)
    ]
    expected = _pairwise_matches(candidates, method, threshold)
    assert best_matches(candidates, method=method, threshold=threshold) == expected
    # The scores are made a block of rows at a time (SCORE_ROWS): in blocks of
    # two, a region's word lists span several.
    whole = compare.SCORE_ROWS
    compare.SCORE_ROWS = 2
    try:
        assert best_matches(candidates, method=method, threshold=threshold) == (
            expected
        )
    finally:
        compare.SCORE_ROWS = whole
