"""The straightforward pipeline the fast one is measured against (issue #9).

Input: a project. Output: the same dataset and dumps as ``build.assemble_dataset``
and ``build.serialise_dataset``, computed the plain way the project did before the
performance work: every curated file parsed by rdflib into an in-memory graph,
quotes resolved and checked on that graph, references checked on a union copy,
dumps written by rdflib's own serialisers, and SHACL validation by pySHACL with
its default settings (plus ``advanced=True``, which the shapes' SPARQL targets
need). Benchmarks only: nothing in ``src/`` imports this.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from samverkansgraf.build import (
    AssembledDataset,
    CuratedDocument,
    document_of,
    load_vocabulary_and_reference,
)
from samverkansgraf.build.dataset import reference_names
from samverkansgraf.errors import SourceError
from samverkansgraf.evidence import check_evidence, first_quotes, resolve_evidence
from samverkansgraf.labels import generated_labels
from samverkansgraf.namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_REFERENCE,
    GRAPH_SCHEMES,
    SKG,
    SKGID,
)
from samverkansgraf.privacy import mask_contact_data
from samverkansgraf.sources import (
    ProjectPaths,
    parse_turtle,
    read_checksums,
    read_source_text,
)
from samverkansgraf.validate import ValidationReport, load_shapes, validate_graph

__all__ = ["assemble_baseline", "serialise_baseline", "validate_baseline"]


def _load(
    path: Path,
    paths: ProjectPaths,
    checksums: dict[str, str],
    names: dict[Node, str],
) -> CuratedDocument:
    graph = parse_turtle(path)
    document = document_of(graph, path)
    file_name = str(graph.value(document, SKG.fileName))
    source = read_source_text(paths.sources_dir / file_name, checksums[file_name])
    records = resolve_evidence(graph, document, source.text, curated_path=path)
    check_evidence(graph, {document: source.text}, path=path)
    graph.set((document, SKG.sha256, Literal(source.sha256)))
    masked = mask_contact_data(source.text).encode("utf-8")
    graph.set((document, SKG.maskedSha256, Literal(hashlib.sha256(masked).hexdigest())))
    graph.set(
        (document, SKG.characterCount, Literal(len(source.text), datatype=XSD.integer))
    )
    # The labels the build gives unlabelled clauses and commitments, from the
    # first quote of each (as ``build.document.build_document``).
    for triple in list(generated_labels(graph, first_quotes(records), names)):
        graph.add(triple)
    return CuratedDocument(path, document, source, graph, records)


def _check_references(assembled: AssembledDataset, paths: ProjectPaths) -> None:
    union = assembled.union()
    typed = {s for s in union.subjects(RDF.type, None) if isinstance(s, URIRef)}
    vocabulary = {
        s
        for graph in (assembled.graphs[GRAPH_ONTOLOGY], assembled.graphs[GRAPH_SCHEMES])
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef)
    }
    files = [(doc.path, doc.graph) for doc in assembled.documents]
    files += [(p, parse_turtle(p)) for p in sorted(paths.reference_dir.glob("*.ttl"))]
    for path, graph in files:
        for s, p, o in sorted(graph):
            for node in (p, o):
                if not isinstance(node, URIRef):
                    continue
                iri = str(node)
                unknown = (iri.startswith(str(SKG)) and node not in vocabulary) or (
                    node is o
                    and iri.startswith(str(SKGID))
                    and "#" not in iri
                    and node not in typed
                )
                if unknown:
                    close = difflib.get_close_matches(iri, [str(k) for k in typed], n=3)
                    raise SourceError(
                        f"unknown <{node}> used by <{s}> ({close})", path=path
                    )


def assemble_baseline(paths: ProjectPaths) -> AssembledDataset:
    """``assemble_dataset`` the plain rdflib way."""
    graphs = load_vocabulary_and_reference(paths)
    checksums = read_checksums(paths.sources_dir)
    names = reference_names(graphs[GRAPH_REFERENCE])
    documents = [
        _load(path, paths, checksums, names)
        for path in sorted(paths.curated_dir.glob("*.ttl"))
    ]
    documents.sort(key=lambda doc: doc.source.path.name)
    for doc in documents:
        graphs[doc.document] = doc.graph
    assembled = AssembledDataset(graphs=graphs, documents=documents)
    _check_references(assembled, paths)
    return assembled


def serialise_baseline(assembled: AssembledDataset) -> dict[str, bytes]:
    """The dumps, written by rdflib's serialisers: N-Quads (lines sorted),
    TriG, Turtle of the union and JSON-LD, as the project wrote them before
    issue 19 (without its byte-for-byte fast writers)."""
    dataset = assembled.dataset()
    lines = sorted(set(dataset.serialize(format="nquads").splitlines()))
    return {
        ".trig": dataset.serialize(format="trig", encoding="utf-8"),
        ".nq": ("\n".join(line for line in lines if line) + "\n").encode("utf-8"),
        ".ttl": assembled.union().serialize(format="turtle", encoding="utf-8"),
        ".jsonld": dataset.serialize(format="json-ld", encoding="utf-8"),
    }


def validate_baseline(data: Graph, paths: ProjectPaths) -> ValidationReport:
    """pySHACL on the in-memory union graph."""
    return validate_graph(data, load_shapes(paths.shapes_dir), engine="pyshacl")
