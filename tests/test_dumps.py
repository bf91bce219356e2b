"""The dumps, written by Oxigraph: every dump round-trips to the assembled graphs
(isomorphism, not bytes), their order is sorted and fixed, and blank nodes get
stable labels of their own graph."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from samverkansgraf.build import AssembledDataset, assemble_dataset, serialise_dataset
from samverkansgraf.build.dumps import DUMP_PREFIXES, graph_pieces, oxigraph_triples
from samverkansgraf.devtools.synth import synth_project
from samverkansgraf.sources import ProjectPaths

FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def _expected_quads(assembled: AssembledDataset) -> set[str]:
    """Every quad of the assembled dataset, as Oxigraph writes it (N-Quads)."""
    quads = set()
    for iri in assembled.graphs:
        graph = ox.NamedNode(str(iri))
        for triple in oxigraph_triples(assembled.graphs.triples_of(iri)):
            quads.add(
                str(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
            )
    return quads


def _round_trips(assembled: AssembledDataset) -> None:
    dumps = serialise_dataset(assembled)
    expected = _expected_quads(assembled)
    for suffix, fmt in FORMATS.items():
        found = {str(q) for q in ox.parse(dumps[suffix], format=fmt)}
        assert found == expected, suffix
    union = {str(q.triple) for q in ox.parse(dumps[".ttl"], format=ox.RdfFormat.TURTLE)}
    assert union == {
        str(triple)
        for iri in assembled.graphs
        for triple in oxigraph_triples(assembled.graphs.triples_of(iri))
    }


def test_every_dump_round_trips_to_the_assembled_graphs(
    assembled: AssembledDataset,
) -> None:
    _round_trips(assembled)


def test_the_benchmarks_baseline_builds_the_same_dataset(
    assembled: AssembledDataset, project: ProjectPaths
) -> None:
    """``benchmarks/baseline.py`` (the straightforward rdflib pipeline the
    benchmark compares with) computes the very quads the build does: the
    "same dataset as baseline" column of ``make bench`` said NO because it
    lacked the generated labels and masked checksums added to the build since.
    """
    sys.path.insert(0, str(project.root))
    try:
        from benchmarks.baseline import assemble_baseline, serialise_baseline
    finally:
        sys.path.remove(str(project.root))
    dumps = serialise_baseline(assemble_baseline(project))
    found = {str(q) for q in ox.parse(dumps[".nq"], format=ox.RdfFormat.N_QUADS)}
    assert found == _expected_quads(assembled)


@pytest.mark.slow
def test_every_dump_round_trips_on_synthetic_data(
    project: ProjectPaths, tmp_path: Path
) -> None:
    synth_project(tmp_path / "s", scale=12_000, seed=3, project=project)
    _round_trips(assemble_dataset(ProjectPaths(tmp_path / "s")))


def test_rdflib_reads_every_dump_as_the_same_dataset(
    assembled: AssembledDataset,
) -> None:
    """The dumps are for everyone's tools: rdflib's parsers read the same quads."""
    dumps = serialise_dataset(assembled)
    expected = assembled.dataset()
    for suffix, fmt in ((".nq", "nquads"), (".trig", "trig"), (".jsonld", "json-ld")):
        dataset = Dataset()
        dataset.parse(data=dumps[suffix], format=fmt)
        for iri in assembled.graphs:
            assert isomorphic(dataset.graph(iri), expected.graph(iri)), (suffix, iri)
    union = Graph().parse(data=dumps[".ttl"], format="turtle")
    assert isomorphic(union, assembled.union())


def test_nquads_are_sorted_within_each_graph_in_build_order(
    assembled: AssembledDataset,
) -> None:
    lines = serialise_dataset(assembled)[".nq"].decode("utf-8").splitlines()
    graphs = [line.rsplit(" ", 2)[1][1:-1] for line in lines]
    # One block per graph, in the build's order (ontology, schemes, reference,
    # documents by source file)...
    blocks = list(dict.fromkeys(graphs))
    assert blocks == [str(iri) for iri in assembled.graphs]
    assert len(blocks) == len(set(blocks))
    # ...and sorted, without duplicates, inside each block.
    for block in blocks:
        inside = [
            line for line, graph in zip(lines, graphs, strict=True) if graph == block
        ]
        assert inside == sorted(set(inside))


def test_turtle_and_trig_declare_the_project_prefixes_once(
    assembled: AssembledDataset,
) -> None:
    dumps = serialise_dataset(assembled)
    for suffix in (".ttl", ".trig"):
        text = dumps[suffix].decode("utf-8")
        prefixes = [line for line in text.splitlines() if line.startswith("@prefix")]
        assert prefixes == [f"@prefix {p}: <{ns}> ." for p, ns in DUMP_PREFIXES.items()]
        assert text.count("@prefix skg: ") == 1
    # Readable: the ontology's terms are written as prefixed names.
    assert "\tskg:inClause <https:" in dumps[".trig"].decode("utf-8")


def test_a_graph_with_blank_nodes_gets_labels_of_its_own() -> None:
    """Blank nodes are relabelled canonically (RDFC-1.0): the same graph gives the
    same bytes whatever its labels were, and two graphs never share a label."""
    p = URIRef("https://example.org/p")

    def graph(a: str, b: str) -> list[ox.Triple]:
        return oxigraph_triples(
            [
                (URIRef("https://example.org/s"), p, BNode(a)),
                (BNode(a), p, BNode(b)),
                (BNode(b), p, Literal("leaf")),
            ]
        )

    first = graph_pieces("https://example.org/g1", graph("x", "y"))
    again = graph_pieces("https://example.org/g1", graph("other", "labels"))
    assert first == again
    second = graph_pieces("https://example.org/g2", graph("x", "y"))
    labels = {
        token
        for piece in (first, second)
        for token in piece.nquads.decode().split()
        if token.startswith("_:")
    }
    assert len(labels) == 4  # two per graph, none shared
    parsed = Dataset()
    parsed.parse(data=first.nquads, format="nquads")
    reference = Graph()
    reference.parse(
        data=ox.serialize(graph("a", "b"), format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert isomorphic(parsed.graph(URIRef("https://example.org/g1")), reference)


@pytest.mark.slow
def test_dumps_are_byte_identical_across_processes_and_hash_seeds(
    tmp_path: Path,
) -> None:
    """Python's string hashing changes set and dict orders between processes: the
    dumps must not depend on it."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from samverkansgraf.build import assemble_dataset, serialise_dataset\n"
        "from samverkansgraf.sources import ProjectPaths\n"
        "dumps = serialise_dataset(assemble_dataset(ProjectPaths(Path(sys.argv[1]))))\n"
        "for suffix, data in dumps.items():\n"
        "    (Path(sys.argv[2]) / ('d' + suffix)).write_bytes(data)\n"
    )
    root = Path(__file__).resolve().parents[1]
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / seed
        out.mkdir()
        subprocess.run(
            [sys.executable, "-c", script, str(root), str(out)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(out)
    for suffix in (".nq", ".trig", ".ttl", ".jsonld"):
        contents = {(out / f"d{suffix}").read_bytes() for out in outputs}
        assert len(contents) == 1, suffix
