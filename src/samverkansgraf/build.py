"""Stage 3 — build: assemble, check and write the whole dataset.

Input: the project (``ontology/``, ``shapes/``, ``data/``). Steps: parse the
ontology, the SKOS schemes and the reference gazetteer; parse each curated file
(one per source document), check its source's bytes against ``SHA256SUMS``, resolve
its quotes into evidence, verify every evidence offset; check that every
``skgid:``/``skg:`` IRI used is declared; validate with SHACL. Output: an
``AssembledDataset`` (one named graph per source document plus ontology, schemes and
reference) and, from ``build()``, the dumps in ``dist/`` — TriG, N-Quads, Turtle
(union) and JSON-LD, plus ``build-report.json`` — written atomically.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ._gc import paused_gc
from .atomic import write_files_atomically
from .errors import SourceError
from .evidence import EvidenceRecord, check_evidence, resolve_evidence
from .namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SCHEMES,
    PREFIXES,
    SKG,
    SKGID,
    bind_prefixes,
)
from .reference import load_reference
from .sources import (
    ProjectPaths,
    SourceText,
    find_line,
    parse_turtle,
    parse_turtle_triples,
    read_checksums,
    read_source_text,
)
from .validate import ValidationReport, load_shapes, validate_graph, validate_nquads

__all__ = [
    "AssembledDataset",
    "BuildResult",
    "CuratedDocument",
    "assemble_dataset",
    "build",
    "count_facts",
    "count_facts_in",
    "load_vocabulary_and_reference",
    "serialise_dataset",
]

log = logging.getLogger(__name__)

ONTOLOGY_FILE = "samverkansgraf.ttl"
SCHEMES_FILE = "schemes.ttl"
DUMP_STEM = "samverkansgraf"

# Classes counted in the build summary, in display order.
SUMMARY_CLASSES = {
    "regions": SKG.Region,
    "municipalities": SKG.Municipality,
    "cultural institutions": SKG.CulturalInstitution,
    "civil society organisations": SKG.CivilSocietyOrganisation,
    "networks": SKG.Network,
    "persons": SKG.Person,
    "programmes": SKG.Programme,
    "source documents": SKG.SourceDocument,
    "plans": SKG.Plan,
    "agreements": SKG.Agreement,
    "clauses": SKG.Clause,
    "commitments": SKG.Commitment,
    "goals": SKG.Goal,
    "activities": SKG.Activity,
}


@dataclass
class CuratedDocument:
    """One curated file and the source document it describes."""

    path: Path
    """The curated Turtle file."""
    document: URIRef
    """The ``skg:SourceDocument`` it describes; also its named graph's IRI."""
    source: SourceText
    """The document's text."""
    graph: Graph
    """Its triples, with evidence resolved."""
    evidence: list[EvidenceRecord] = field(default_factory=list)
    """Every resolved quote, in document order."""


@dataclass
class AssembledDataset:
    """Every named graph of the build, checked but not yet validated."""

    graphs: dict[URIRef, Graph]
    """Graph IRI → graph: ontology, schemes, reference, then one per document."""
    documents: list[CuratedDocument]
    """The curated documents, in source-file order (000, 001, …)."""

    def union(self) -> Graph:
        """All triples of all graphs in one graph (for SHACL and summaries)."""
        union = bind_prefixes(Graph())
        for graph in self.graphs.values():
            union += graph
        return union

    def dataset(self) -> Dataset:
        """An rdflib ``Dataset`` with one named graph per entry of ``graphs``."""
        dataset = bind_prefixes(Dataset())
        for iri, graph in self.graphs.items():
            named = dataset.graph(iri)
            named += graph
        return dataset

    @property
    def texts(self) -> dict[URIRef, str]:
        """Source-document IRI → text."""
        return {doc.document: doc.source.text for doc in self.documents}


@dataclass
class BuildResult:
    """What ``build()`` produced."""

    assembled: AssembledDataset
    """The dataset."""
    validation: ValidationReport | None
    """The SHACL report (``None`` when validation was skipped)."""
    outputs: list[Path]
    """Files written (empty when the graph did not conform)."""
    counts: dict[str, int]
    """Resources per summary class."""


def _document_of(graph: Graph, path: Path) -> URIRef:
    documents = sorted(graph.subjects(RDF.type, SKG.SourceDocument))
    if len(documents) != 1:
        raise SourceError(
            f"declares {len(documents)} skg:SourceDocument resources, expected 1",
            path=path,
            hint="each curated file describes exactly one source document; shared "
            "actors and programmes belong in data/reference/",
        )
    document = documents[0]
    if not isinstance(document, URIRef):
        raise SourceError(
            "the skg:SourceDocument must have an IRI", path=path, hint="name it"
        )
    return document


def load_curated_document(
    path: Path, paths: ProjectPaths, checksums: dict[str, str]
) -> CuratedDocument:
    """Parse a curated file, check its source and resolve its evidence.

    The file is parsed by Oxigraph and its evidence resolved on a light triple
    index; only the finished graph is built in rdflib (once, without the removals
    and additions that make rdflib's store slow). Files Oxigraph cannot read are
    parsed by rdflib, for its located error messages. Both ways give the same
    graph.

    Args:
        path: ``data/curated/<slug>.ttl``.
        paths: the project.
        checksums: ``SHA256SUMS`` of ``data/sources``.

    Returns:
        The document with evidence resolved and ``skg:sha256`` and
        ``skg:characterCount`` added to its ``skg:SourceDocument``.

    Raises:
        SourceError: malformed Turtle or a missing ``skg:fileName``.
        EvidenceError: changed or missing source, or a quote not in it.
    """
    parsed = parse_turtle_triples(path)
    graph: Graph | _TripleIndex
    if parsed is None:
        graph = parse_turtle(path)
        prefixes: dict[str, str] = {}
    else:
        triples, prefixes = parsed
        graph = _TripleIndex(triples)
    document = _document_of(graph, path)  # type: ignore[arg-type]
    file_name = graph.value(document, SKG.fileName)
    if file_name is None:
        raise SourceError(
            f"<{document}> has no skg:fileName",
            path=path,
            line=find_line(path, document),
            hint="name its file in data/sources/",
        )
    if str(file_name) not in checksums:
        raise SourceError(
            f"skg:fileName {str(file_name)!r} is not listed in data/sources/SHA256SUMS",
            path=path,
            line=find_line(path, document),
            hint="copy the source into data/sources/ and add its checksum "
            "(sha256sum FILE >> SHA256SUMS)",
        )
    source = read_source_text(
        paths.sources_dir / str(file_name), checksums[str(file_name)]
    )
    records = resolve_evidence(graph, document, source.text, curated_path=path)  # type: ignore[arg-type]
    check_evidence(graph, {document: source.text}, path=path)  # type: ignore[arg-type]
    graph.set((document, SKG.sha256, Literal(source.sha256)))
    graph.set(
        (document, SKG.characterCount, Literal(len(source.text), datatype=XSD.integer))
    )
    if isinstance(graph, _TripleIndex):
        graph = graph.to_graph(prefixes)
    log.info("%s: %d evidence span(s)", path.name, len(records))
    return CuratedDocument(path, document, source, graph, records)


class _TripleIndex:
    """A small in-memory triple index with the rdflib ``Graph`` methods that
    evidence resolution and checking use (``objects``, ``subjects``, ``value``,
    ``add``, ``remove``, ``set``, ``in``); insertion-ordered, so the graph built
    from it adds triples in the order rdflib's parser and resolver would."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._order: dict[tuple[Node, Node, Node], None] = {}
        self._spo: dict[Node, dict[Node, list[Node]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._pos: dict[Node, dict[Node, list[Node]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.namespace_manager = _NAMES.namespace_manager
        for triple in triples:
            self.add(triple)

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        if triple in self._order:
            return
        s, p, o = triple
        self._order[triple] = None
        self._spo[s][p].append(o)
        self._pos[p][o].append(s)

    def remove(self, pattern: tuple[Node | None, Node | None, Node | None]) -> None:
        s, p, o = pattern
        if s is None or p is None:
            raise NotImplementedError("remove needs a subject and a predicate")
        for obj in list(self._spo.get(s, {}).get(p, [])):
            if o is None or obj == o:
                del self._order[(s, p, obj)]
                self._spo[s][p].remove(obj)
                self._pos[p][obj].remove(s)

    def set(self, triple: tuple[Node, Node, Node]) -> None:
        self.remove((triple[0], triple[1], None))
        self.add(triple)

    def __contains__(self, triple: object) -> bool:
        return triple in self._order

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        return iter(list(self._spo.get(subject, {}).get(predicate, ())))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        values = self._spo.get(subject, {}).get(predicate)
        return values[0] if values else None

    def subjects(self, predicate: Node, obj: Node | None = None) -> Iterator[Node]:
        by_object = self._pos.get(predicate, {})
        if obj is not None:
            return iter(list(by_object.get(obj, ())))
        return iter([s for subjects in list(by_object.values()) for s in subjects])

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        by_object = self._pos.get(predicate, {})
        return iter([(s, o) for o, subjects in by_object.items() for s in subjects])

    def qname(self, uri: URIRef) -> str:
        return self.namespace_manager.qname(uri)

    def to_graph(self, prefixes: dict[str, str]) -> Graph:
        """The rdflib graph ``parse_turtle`` would have produced."""
        graph = bind_prefixes(Graph())
        graph.addN((s, p, o, graph) for s, p, o in self._order)
        # rdflib's Turtle parser binds the file's prefixes after parsing.
        for prefix, namespace in prefixes.items():
            graph.bind(prefix, namespace)
        return graph


_NAMES = bind_prefixes(Graph())


def load_vocabulary_and_reference(paths: ProjectPaths) -> dict[URIRef, Graph]:
    """The ontology, schemes and reference graphs, keyed by graph IRI.

    These are what any data file is checked against: ``validate FILE`` merges them
    with the file so that ``sh:class`` sees the class hierarchy and the gazetteer.
    """
    return {
        GRAPH_ONTOLOGY: parse_turtle(paths.ontology_dir / ONTOLOGY_FILE),
        GRAPH_SCHEMES: parse_turtle(paths.ontology_dir / SCHEMES_FILE),
        GRAPH_REFERENCE: load_reference(paths),
    }


def assemble_dataset(paths: ProjectPaths) -> AssembledDataset:
    """Load and check every input of the project (no SHACL yet).

    Args:
        paths: the project.

    Returns:
        The named graphs and curated documents.

    Raises:
        SourceError, EvidenceError: for the first input that fails, with its file,
            line and what to do.
    """
    with paused_gc():
        return _assemble(paths)


def _assemble(paths: ProjectPaths) -> AssembledDataset:
    graphs = load_vocabulary_and_reference(paths)
    checksums = read_checksums(paths.sources_dir)
    documents: list[CuratedDocument] = []
    seen: dict[URIRef, Path] = {}
    for path in sorted(paths.curated_dir.glob("*.ttl")):
        curated = load_curated_document(path, paths, checksums)
        if curated.document in seen or curated.document in graphs:
            other = seen[curated.document].name if curated.document in seen else None
            raise SourceError(
                f"<{curated.document}> is also described by {other or 'the build'}",
                path=path,
                hint="give each source document one curated file and its own IRI",
            )
        seen[curated.document] = path
        documents.append(curated)
    # Documents (and their graphs) in source-file order: 000, 001, …
    documents.sort(key=lambda doc: doc.source.path.name)
    for doc in documents:
        graphs[doc.document] = doc.graph
    assembled = AssembledDataset(graphs=graphs, documents=documents)
    check_references(assembled, paths)
    return assembled


def check_references(assembled: AssembledDataset, paths: ProjectPaths) -> None:
    """Fail on IRIs that are used but never declared.

    Every ``skgid:`` IRI used as an object must have an ``rdf:type`` somewhere in
    the dataset (so a mistyped ``<kommun/2038>`` or a forgotten actor is caught),
    and every ``skg:`` term used as a predicate, class or object must be declared
    in the ontology or the schemes (so ``skg:Shal`` is caught).

    Raises:
        SourceError: naming the file, line and the unknown IRI, with the closest
            known IRIs as suggestions.
    """
    # Per graph, not on a union copy, and unsorted: only the failures are sorted,
    # so the first one reported is the one a sorted scan would meet first.
    typed = {
        s
        for graph in assembled.graphs.values()
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef)
    }
    vocabulary = {
        s
        for graph in (assembled.graphs[GRAPH_ONTOLOGY], assembled.graphs[GRAPH_SCHEMES])
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef)
    }
    files = [(doc.path, doc.graph) for doc in assembled.documents]
    files += [
        (path, parse_turtle(path)) for path in sorted(paths.reference_dir.glob("*.ttl"))
    ]
    skg, skgid = str(SKG), str(SKGID)
    for path, graph in files:
        failures: list[tuple[tuple[Node, Node, Node], int, URIRef, bool]] = []
        for triple in graph:
            s, p, o = triple
            if isinstance(p, URIRef) and p.startswith(skg) and p not in vocabulary:
                failures.append((triple, 0, p, True))
            if isinstance(o, URIRef):
                if o.startswith(skg):
                    if o not in vocabulary:
                        failures.append((triple, 1, o, True))
                elif o.startswith(skgid) and "#" not in o and o not in typed:
                    failures.append((triple, 1, o, False))
        if failures:
            (s, _, _), _, node, term = min(failures, key=lambda f: (f[0], f[1]))
            if term:
                _unknown(path, node, vocabulary, "term of the ontology", s)
            _unknown(path, node, typed, "resource (it has no rdf:type)", s)


def _unknown(
    path: Path, node: URIRef, known: set[URIRef], what: str, subject: object
) -> None:
    close = difflib.get_close_matches(str(node), [str(k) for k in known], n=3)
    hint = (
        "did you mean " + " or ".join(f"<{c}>" for c in close) + "?"
        if close
        else "declare it (actors and programmes go in data/reference/)"
    )
    raise SourceError(
        f"unknown {what} <{node}> used by <{subject}>",
        path=path,
        line=find_line(path, node),
        hint=hint,
    )


def count_facts(graph: Graph) -> dict[str, int]:
    """Number of resources of each summary class in ``graph``."""
    return count_facts_in([graph])


def count_facts_in(graphs: Iterable[Graph]) -> dict[str, int]:
    """``count_facts`` of the union of ``graphs``, without building the union."""
    graphs = list(graphs)
    return {
        name: len({s for graph in graphs for s in graph.subjects(RDF.type, cls)})
        for name, cls in SUMMARY_CLASSES.items()
    }


def serialise_dataset(
    assembled: AssembledDataset, *, fast: bool = True
) -> dict[str, bytes]:
    """Serialise the dataset deterministically in every dump format.

    There are no blank nodes (evidence IRIs are derived from the fact's IRI).
    rdflib orders named graphs, and JSON-LD values, by Python's per-process
    string hashing, so this function fixes the order itself: graphs in
    ``assembled.graphs`` order (ontology, schemes, reference, documents), N-Quads
    lines sorted, JSON-LD nodes and values sorted. The same input therefore gives
    byte-identical dumps in any process, so releases have stable checksums.

    Args:
        assembled: the dataset.
        fast: write with ``fastdump`` (the same bytes as rdflib's serialisers,
            several times faster); graphs it cannot mirror (blank nodes) are
            written by rdflib. ``False`` uses rdflib throughout (the reference).

    Returns:
        File suffix → bytes: ``.trig``, ``.nq``, ``.ttl`` (union of all graphs,
        without graph names) and ``.jsonld``.
    """
    if fast:
        with paused_gc():
            return _serialise_fast(assembled)
    text = (
        assembled.dataset().serialize(format="nquads", encoding="utf-8").decode("utf-8")
    )
    lines = sorted(set(text.splitlines()))
    return {
        ".trig": _trig(assembled, fast=False),
        ".nq": ("\n".join(line for line in lines if line) + "\n").encode("utf-8"),
        ".ttl": assembled.union().serialize(format="turtle", encoding="utf-8"),
        ".jsonld": _jsonld(assembled, fast=False),
    }


def _serialise_fast(assembled: AssembledDataset) -> dict[str, bytes]:
    """``serialise_dataset`` with the ``fastdump`` writers, in one pass over each
    rdflib graph and holding one graph's JSON-LD nodes at a time."""
    from .fastdump import (
        UnsupportedGraphError,
        index_items,
        index_triples,
        merge_indexes,
        nquads_text,
        turtle_text,
    )

    indexes = {iri: index_triples(graph) for iri, graph in assembled.graphs.items()}
    text = nquads_text({iri: index_items(index) for iri, index in indexes.items()})
    lines = sorted(set(text.splitlines()))
    del text
    nquads = ("\n".join(line for line in lines if line) + "\n").encode("utf-8")
    del lines
    try:
        union_ttl = turtle_text(merge_indexes(indexes.values()), None).encode("utf-8")
    except UnsupportedGraphError as reason:
        log.info("union Turtle written by rdflib: %s", reason)
        union_ttl = assembled.union().serialize(format="turtle", encoding="utf-8")
    return {
        ".trig": _trig(assembled, fast=True, indexes=indexes),
        ".nq": nquads,
        ".ttl": union_ttl,
        ".jsonld": _jsonld(assembled, fast=True, indexes=indexes),
    }


def _graph_turtle(
    graph: Graph, fast: bool, index: dict[Node, dict[Node, list[Node]]] | None = None
) -> str:
    """rdflib's Turtle of ``bind_prefixes(Graph() + graph)`` (fast when possible)."""
    if fast:
        from .fastdump import UnsupportedGraphError, index_triples, turtle_text

        try:
            return turtle_text(index or index_triples(graph), graph)
        except UnsupportedGraphError as reason:
            log.info("graph written by rdflib: %s", reason)
    return bind_prefixes(Graph() + graph).serialize(format="turtle")


def _graph_jsonld(
    graph: Graph, fast: bool, triples: Iterable[tuple[Node, Node, Node]] | None = None
) -> object:
    """rdflib's JSON-LD node objects of ``graph`` (fast when possible)."""
    if fast:
        from .fastdump import UnsupportedGraphError, jsonld_nodes

        try:
            return jsonld_nodes(graph if triples is None else triples)
        except UnsupportedGraphError as reason:
            log.info("graph written by rdflib: %s", reason)
    return json.loads(graph.serialize(format="json-ld"))


def _trig(
    assembled: AssembledDataset,
    *,
    fast: bool = True,
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]] | None = None,
) -> bytes:
    """TriG with one ``<graph> { … }`` block per named graph, in a fixed order.

    Each block is rdflib's (deterministic) Turtle of that graph without its prefix
    lines; the prefixes are declared once at the top.
    """
    prefixes: set[str] = set()
    blocks = []
    for iri, graph in assembled.graphs.items():
        turtle = _graph_turtle(graph, fast, (indexes or {}).get(iri))
        body = []
        for line in turtle.splitlines():
            if line.startswith("@prefix "):
                prefixes.add(line)
            else:
                body.append(line)
        blocks.append(f"<{iri}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    header = "\n".join(sorted(prefixes))
    return (header + "\n\n" + "\n".join(blocks)).encode("utf-8")


def _jsonld(
    assembled: AssembledDataset,
    *,
    fast: bool = True,
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]] | None = None,
) -> bytes:
    """JSON-LD with one named-graph object per graph; nodes and values sorted."""

    def canonical(value: object) -> object:
        if isinstance(value, dict):
            return {key: canonical(value[key]) for key in sorted(value)}
        if isinstance(value, list):
            items = [canonical(item) for item in value]
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return value

    context = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}
    if fast:
        return _jsonld_fast(assembled, context, indexes or {})
    graphs = []
    for iri, graph in assembled.graphs.items():
        nodes = _graph_jsonld(graph, fast)
        graphs.append({"@id": str(iri), "@graph": canonical(nodes)})
    document = {"@context": context, "@graph": graphs}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _jsonld_fast(
    assembled: AssembledDataset,
    context: dict[str, str],
    indexes: dict[URIRef, dict[Node, dict[Node, list[Node]]]],
) -> bytes:
    """``_jsonld``'s bytes, written graph by graph (one graph's nodes in memory)."""
    from .fastdump import canonical_json, dumps_indented, index_items

    parts = [b'{\n "@context": ', dumps_indented(context, 1).encode("utf-8")]
    parts.append(b',\n "@graph": ')
    if not assembled.graphs:
        parts.append(b"[]")
    for number, (iri, graph) in enumerate(assembled.graphs.items()):
        index = indexes.get(iri)
        triples = index_items(index) if index is not None else None
        nodes = canonical_json(_graph_jsonld(graph, True, triples))
        entry = {"@id": str(iri), "@graph": nodes}
        parts.append(b"[\n  " if number == 0 else b",\n  ")
        parts.append(dumps_indented(entry, 2).encode("utf-8"))
    if assembled.graphs:
        parts.append(b"\n ]")
    parts.append(b"\n}\n")
    return b"".join(parts)


def build(
    paths: ProjectPaths,
    out_dir: str | Path | None = None,
    *,
    validate: bool = True,
    engine: str = "auto",
) -> BuildResult:
    """Assemble, validate and write the dataset.

    Nothing is written when the graph does not conform: ``outputs`` is then empty
    and the previous ``dist/`` stays as it was.

    Args:
        paths: the project.
        out_dir: where to write (default ``dist/``).
        validate: run SHACL validation (skip only for drafts).
        engine: the SHACL engine (``auto``, ``fast`` or ``pyshacl``; see
            ``validate.validate_graph``). With ``pyshacl`` the dumps are also
            written by rdflib's serialisers (the reference path, for benchmarks).

    Returns:
        The dataset, the validation report, the files written and the counts.

    Raises:
        SourceError, EvidenceError: bad input.
        OutputError: the output directory cannot be written.
    """
    assembled = assemble_dataset(paths)
    reference = engine == "pyshacl"
    dumps = serialise_dataset(assembled, fast=not reference)
    report = None
    if validate:
        shapes = load_shapes(paths.shapes_dir)
        if reference:
            report = validate_graph(assembled.union(), shapes, engine="pyshacl")
        else:
            report = validate_nquads(dumps[".nq"], shapes, engine=engine)
    counts = count_facts_in(assembled.graphs.values())
    if report is not None and not report.conforms:
        return BuildResult(assembled, report, [], counts)
    out = Path(out_dir) if out_dir is not None else paths.dist_dir
    files = {out / f"{DUMP_STEM}{suffix}": data for suffix, data in dumps.items()}
    files[out / "build-report.json"] = _build_report(assembled, report, counts)
    outputs = write_files_atomically(files)
    return BuildResult(assembled, report, outputs, counts)


def _build_report(
    assembled: AssembledDataset, report: ValidationReport | None, counts: dict[str, int]
) -> bytes:
    """A small JSON manifest of the build, for tools and the summary."""
    triples = Counter({str(iri): len(graph) for iri, graph in assembled.graphs.items()})
    payload = {
        "graphs": dict(triples),
        "triples": sum(triples.values()),
        "counts": counts,
        "evidence": sum(len(doc.evidence) for doc in assembled.documents),
        "sources": {
            doc.source.path.name: {
                "document": str(doc.document),
                "sha256": doc.source.sha256,
            }
            for doc in assembled.documents
        },
        "conforms": None if report is None else report.conforms,
    }
    return (
        json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    ).encode()
