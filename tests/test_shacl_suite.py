"""The W3C SHACL test suite (vendored in ``tests/w3c_shacl/``, see its LICENSE.md).

Every ``sht:Validate`` entry runs through pySHACL, our default engine
(``validate_graph(engine="auto")``) and the fast engine alone; a report passes
when its conforms flag and its set of results (focus node, result path, value,
source shape, severity) equal the expected ``sh:ValidationReport``, blank nodes
compared by their structure (their outgoing triples, recursively), as the W3C
suite and pySHACL's own ``test_sht_validate.py`` do. The default engine must
pass wherever pySHACL passes; the fast engine must pass or refuse
(``UnsupportedShapesError``) — never a wrong report, never a crash.

``sh:sourceConstraintComponent`` is not compared: our ``ValidationResult`` does
not carry it. Run this file as a script for the per-suite tally.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from samverkansgraf.namespaces import SH
from samverkansgraf.validate import ValidationReport, validate_graph
from samverkansgraf.validate.fast import UnsupportedShapesError, compile_shapes
from samverkansgraf.validate.shacl import _validate_fast

SUITE = Path(__file__).parent / "w3c_shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

Result = tuple[object, ...]


@dataclass(frozen=True)
class Entry:
    """One ``sht:Validate`` entry of the suite."""

    name: str
    """``core/node/datatype-001`` and so on."""
    suite: str
    """``core`` or ``sparql``."""
    data: Graph
    shapes: Graph
    expected: tuple[bool, Counter[Result]] | None
    """(conforms, results), or None when the entry expects ``sht:Failure``."""


def _key(graph: Graph, node: Node | None, depth: int = 0) -> object:
    """A comparable form of ``node``: blank nodes by their outgoing triples."""
    if isinstance(node, BNode):
        if depth > 4:
            return "_:…"
        if (node, RDF.first, None) in graph:
            return (
                "list",
                tuple(_key(graph, i, depth + 1) for i in Collection(graph, node)),
            )
        return frozenset(
            (str(p), _key(graph, o, depth + 1))
            for p, o in graph.predicate_objects(node)
        )
    if isinstance(node, Literal):
        return ("literal", str(node), str(node.datatype), node.language)
    return None if node is None else str(node)


def _expected(
    manifest: Graph, result: Node, sources: Graph
) -> tuple[bool, Counter[Result]]:
    conforms = bool(manifest.value(result, SH.conforms).toPython())  # type: ignore[union-attr]
    results: Counter[Result] = Counter()
    for node in manifest.objects(result, SH.result):
        severity = manifest.value(node, SH.resultSeverity)
        results[
            (
                _key(sources, manifest.value(node, SH.focusNode)),
                _key(sources, manifest.value(node, SH.resultPath)),
                _key(sources, manifest.value(node, SH.value)),
                _key(sources, manifest.value(node, SH.sourceShape)),
                str(severity).rsplit("#", 1)[-1],
            )
        ] += 1
    return conforms, results


def _parse(path: str) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def _manifests(path: str) -> list[tuple[str, Graph]]:
    """The manifest at ``path`` and every manifest it includes, recursively."""
    manifest = _parse(path)
    found = [(path, manifest)]
    for part in sorted(manifest.objects(None, MF.include)):
        found += _manifests(str(part))
    return found


def _entries() -> list[Entry]:
    entries = []
    for _, manifest in _manifests(str(SUITE / "manifest.ttl")):
        for head in manifest.objects(None, MF.entries):
            for test in Collection(manifest, head):
                if (test, RDF.type, SHT.Validate) not in manifest:
                    continue
                action = manifest.value(test, MF.action)
                data = _parse(str(manifest.value(action, SHT.dataGraph)))
                shapes = _parse(str(manifest.value(action, SHT.shapesGraph)))
                result = manifest.value(test, MF.result)
                relative = Path(str(test).split("#")[0].removeprefix("file://"))
                name = str(relative.relative_to(SUITE).with_suffix(""))
                expected = (
                    None
                    if result == SHT.Failure
                    else _expected(manifest, result, manifest + data + shapes)  # type: ignore[arg-type]
                )
                entries.append(Entry(name, name.split("/")[0], data, shapes, expected))
    return sorted(entries, key=lambda e: e.name)


def _got(report: ValidationReport, entry: Entry) -> tuple[bool, Counter[Result]]:
    # pySHACL's report graph holds its own copy of blank-node paths.
    sources = entry.data + entry.shapes + (report.graph or Graph())
    return report.conforms, Counter(
        (
            _key(sources, r.focus),
            _key(sources, r.path),
            _key(sources, r.value),
            _key(sources, r.shape),
            r.severity,
        )
        for r in report.results
    )


def outcome(entry: Entry, engine: str) -> str:
    """``passed``, ``wrong``, ``crashed`` or (fast engine only) ``refused``."""
    try:
        if engine == "fast-only":
            try:
                compiled = compile_shapes(entry.shapes)
            except UnsupportedShapesError:
                return "refused"
            try:
                report = _validate_fast(entry.data, compiled)
            except UnsupportedShapesError:
                return "refused"
        else:
            report = validate_graph(entry.data, entry.shapes, engine=engine)
    except Exception:
        # An entry expecting sht:Failure passes when the engine refuses to run.
        return "passed" if entry.expected is None else "crashed"
    if entry.expected is None:
        return "wrong"
    return "passed" if _got(report, entry) == entry.expected else "wrong"


ENTRIES = _entries()
PYSHACL_FAILS = {e.name for e in ENTRIES if outcome(e, "pyshacl") != "passed"}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_default_engine_matches_the_suite(entry: Entry) -> None:
    """The default engine gives the expected report wherever pySHACL does."""
    if entry.name in PYSHACL_FAILS:
        pytest.xfail("pySHACL itself fails this entry")
    assert outcome(entry, "auto") == "passed"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_fast_engine_is_right_or_refuses(entry: Entry) -> None:
    """The fast engine alone is exactly right or hands the entry to pySHACL."""
    assert outcome(entry, "fast-only") in ("passed", "refused")


def test_the_suite_is_complete() -> None:
    """All 149 suite files are there and the manifests list 121 sht:Validate entries."""
    assert len(list(SUITE.rglob("*.ttl"))) == 150  # 149 + the top manifest
    assert Counter(e.suite for e in ENTRIES) == Counter(core=98, sparql=23)


def tally() -> str:
    """Per suite: entries; fast compiled, passed, refused, wrong, crashed; pySHACL."""
    lines = ["suite  entries compiled passed refused wrong crashed pyshacl-passed"]
    for suite in ("core", "sparql"):
        chosen = [e for e in ENTRIES if e.suite == suite]
        fast = Counter(outcome(e, "fast-only") for e in chosen)
        compiled = len(chosen) - fast["refused"]
        lines.append(
            f"{suite:6} {len(chosen):7} {compiled:8} {fast['passed']:6} "
            f"{fast['refused']:7} {fast['wrong']:5} {fast['crashed']:7} "
            f"{len(chosen) - len(PYSHACL_FAILS & {e.name for e in chosen}):14}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(tally())
    if "-v" in sys.argv:
        for e in ENTRIES:
            print(
                e.name,
                outcome(e, "fast-only"),
                outcome(e, "auto"),
                e.name in PYSHACL_FAILS,
            )
