"""SHACL shapes on fixture graphs: every valid fixture conforms; every invalid
fixture fails exactly on the focus nodes and shapes listed in its header
(``# expect: <focus> <shape>``), and on nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from samverkansgraf.build import load_vocabulary_and_reference
from samverkansgraf.namespaces import SKGID, bind_prefixes
from samverkansgraf.sources import ProjectPaths, parse_turtle
from samverkansgraf.validate import load_shapes, validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
SKGSH = "https://w3id.org/samverkansgraf/shapes#"


@pytest.fixture(scope="module")
def context(project: ProjectPaths) -> Graph:
    graph = bind_prefixes(Graph())
    for part in load_vocabulary_and_reference(project).values():
        graph += part
    return graph


@pytest.fixture(scope="module")
def shapes(project: ProjectPaths) -> Graph:
    return load_shapes(project.shapes_dir)


def _expand(name: str) -> URIRef:
    prefix, local = name.split(":", 1)
    return URIRef({"skgid": str(SKGID), "skgsh": SKGSH}[prefix] + local)


def _expectations(path: Path) -> set[tuple[URIRef, URIRef]]:
    found = re.findall(r"^# expect: (\S+) (\S+)$", path.read_text("utf-8"), re.M)
    return {(_expand(focus), _expand(shape)) for focus, shape in found}


def _validate(path: Path, context: Graph, shapes: Graph):
    data = Graph() + context
    parse_turtle(path, data)
    return validate_graph(data, shapes)


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "valid").glob("*.ttl")), ids=lambda p: p.stem
)
def test_valid_fixture_conforms(path: Path, context: Graph, shapes: Graph) -> None:
    report = _validate(path, context, shapes)
    assert report.conforms, report.format_text()


def _shape_of(result, shapes: Graph) -> URIRef | None:
    """The named shape behind a result (a property shape's parent if anonymous)."""
    shape = result.shape
    if isinstance(shape, URIRef):
        return shape
    from samverkansgraf.namespaces import SH

    parent = shapes.value(None, SH.property, shape)
    return parent if isinstance(parent, URIRef) else None


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "invalid").glob("*.ttl")), ids=lambda p: p.stem
)
def test_invalid_fixture_fails_exactly_as_declared(
    path: Path, context: Graph, shapes: Graph
) -> None:
    expected = _expectations(path)
    assert expected, f"{path.name} declares no '# expect:' lines"
    report = _validate(path, context, shapes)
    assert not report.conforms
    actual = {(r.focus, _shape_of(r, shapes)) for r in report.violations}
    assert actual == expected, report.format_text()


def test_real_data_conforms(union: Graph, shapes: Graph) -> None:
    report = validate_graph(union, shapes)
    assert report.conforms, report.format_text()


def test_an_email_in_any_literal_of_the_real_data_fails(
    union: Graph, shapes: Graph
) -> None:
    data = Graph() + union
    commitment = SKGID["commitment/hedemora-2019-2022/5-2"]
    from rdflib import Literal
    from rdflib.namespace import RDFS

    data.add(
        (commitment, RDFS.comment, Literal("frågor: malin.lagergren@ltdalarna.se"))
    )
    report = validate_graph(data, shapes)
    assert [(r.focus, str(r.value)) for r in report.violations] == [
        (commitment, "frågor: malin.lagergren@ltdalarna.se")
    ]
    assert (
        "looks like an e-mail address or a phone number" in report.violations[0].message
    )
