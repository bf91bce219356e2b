"""Stage 3 — the build's validation: by document where it may, whole where it must.

Input: the assembled dataset, the shapes, the engine, the build cache's memory of
the last validation, and (for a whole validation) the N-Quads dump just written.
Output: the ``ValidationReport`` — always the one a validation of the whole
dataset gives — and the memory for the next build.

A rebuild validates only the documents a change can affect, on a small store
(the shared graphs, those documents and the documents they point to), runs the
shapes that join across documents on a store of just the triples they read, and
takes every other document's results from the memory (``validate.bydocument``
explains why that is exact, and when it does not hold). Whenever it does not hold
— no memory, other shapes or vocabulary, a condition broken, the fast engine
refusing the data, ``--engine pyshacl`` — the whole dataset is validated, as a
first build does.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SCHEMES
from ..validate import ValidationReport, ValidationResult, validate_nquads_taken
from ..validate.bydocument import (
    DocumentMemory,
    Ownership,
    ShapeScopes,
    ValidationMemory,
    closure,
    owner_of,
    ownership,
    projection_lines,
    shape_scopes,
    split_compiled,
)
from ..validate.fast import (
    CompiledShapes,
    UnsupportedShapesError,
    check_nquads_literals,
    compile_shapes,
    store_from_nquads,
    store_from_nquads_file,
)
from ..validate.shacl import fast_results, report_of
from .dataset import AssembledDataset

__all__ = [
    "SHARED_GRAPHS",
    "BuildValidation",
    "ChunkValidation",
    "ChunkValidator",
    "ShapesSetup",
    "plan_validation",
    "prepare_shapes",
]

log = logging.getLogger(__name__)

SHARED_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_SCHEMES, GRAPH_REFERENCE)
"""The graphs every document is validated with (vocabulary and reference)."""


@dataclass
class ChunkValidation:
    """The validation a worker process ran on the documents it had just built
    (with the shared graphs, forward-looking shapes only): exact for a document
    whose dependencies were all in the chunk, which ``BuildValidation`` decides
    once it knows them."""

    members: list[str]
    """The documents validated together (graph IRIs)."""
    results: dict[str, list[ValidationResult]] = field(default_factory=dict)
    """Document → the results for the focus nodes it describes."""
    projections: dict[str, bytes] = field(default_factory=dict)
    """Document → its triples the cross-document shapes read."""
    refused: str | None = None
    """Why the fast engine refused the chunk's data (the build then validates
    the whole dataset, and pySHACL decides)."""


@dataclass(frozen=True)
class ChunkValidator:
    """What a worker needs to validate the documents it builds."""

    shared: bytes
    """The N-Quads of the ontology, schemes and reference."""
    local: CompiledShapes
    """The forward-looking shapes, compiled."""
    projection: frozenset[str]
    """The predicates the cross-document shapes read."""

    def validate(
        self, documents: list[tuple[str, bytes, list[str]]]
    ) -> ChunkValidation:
        """Validate documents (graph IRI, N-Quads, subjects) together."""
        chunk = ChunkValidation([name for name, _, _ in documents])
        for name, nquads, _ in documents:
            chunk.projections[name] = projection_lines(nquads, self.projection)
        try:
            store = _store_of(self.shared + b"".join(n for _, n, _ in documents))
            results = fast_results(store, self.local)
        except UnsupportedShapesError as reason:
            chunk.refused = str(reason)
            return chunk
        owners = {s: name for name, _, subjects in documents for s in subjects}
        chunk.results = {name: [] for name in chunk.members}
        for result in results:
            owner = owner_of(result.focus, owners)
            if owner is not None:
                chunk.results[owner].append(result)
        return chunk


@dataclass
class BuildValidation:
    """How this build validates (``plan_validation``), and its outcome."""

    shapes: Graph
    """The shapes graph."""
    engine: str
    """``auto``, ``fast`` or ``pyshacl``."""
    key: str
    """What results depend on besides the documents: code, shapes, shared graphs."""
    keys: dict[str, str] = field(default_factory=dict)
    """Document graph IRI → its build-cache key (its content)."""
    compiled: CompiledShapes | None = None
    """The shapes compiled by the fast engine (None: it refused them)."""
    scopes: ShapeScopes | None = None
    """How far each shape looks (None: validate the whole dataset every time)."""
    owned: Ownership | None = None
    """Who describes which subject (None: a condition failed)."""
    memory: ValidationMemory | None = None
    """The last validation's results, when this build can use them."""
    chunks: dict[str, ChunkValidation] = field(default_factory=dict)
    """Document → the validation its worker ran (documents built this run)."""
    projections: dict[str, bytes] = field(default_factory=dict)
    """Document graph IRI → its triples the cross-document shapes read."""
    mode: str = "whole"
    """``by document`` or ``whole``: what ``run`` did."""
    revalidated: int = 0
    """How many documents were validated this run (in workers or here)."""
    next_memory: ValidationMemory | None = None
    """The memory to keep for the next build (after ``run``)."""

    @property
    def by_document(self) -> bool:
        """True when results can be computed and kept per document."""
        return (
            self.scopes is not None
            and self.owned is not None
            and not any(chunk.refused for chunk in self.chunks.values())
        )

    @property
    def validates_by_document(self) -> bool:
        """True when ``run`` validates by document: results of the last build
        or of the workers are there to start from."""
        return self.by_document and (self.memory is not None or bool(self.chunks))

    @property
    def needs_whole_store(self) -> bool:
        """True when the whole dataset goes into one store for the fast engine
        (the build feeds it graph by graph as it writes the dumps)."""
        return (
            self.compiled is not None
            and self.engine != "pyshacl"
            and not self.validates_by_document
        )

    def note_pieces(self, graph: str, nquads: bytes) -> None:
        """Keep a document's share of the cross-document shapes' triples, for a
        validation of the whole dataset (called as its pieces are written into
        the dumps; by document, only the documents validated here need it)."""
        if self.by_document and not self.validates_by_document and graph in self.keys:
            self._project(graph, nquads)

    def _project(self, graph: str, nquads: bytes) -> None:
        assert self.scopes is not None
        self.projections[graph] = projection_lines(nquads, self.scopes.projection)

    def run(
        self, assembled: AssembledDataset, nquads_file: Callable[[], Path]
    ) -> ValidationReport:
        """Validate by document when it may, else the whole dataset
        (``nquads_file()`` waits for, and gives, the written N-Quads dump)."""
        if self.validates_by_document:
            try:
                return self._by_document(assembled)
            except UnsupportedShapesError as reason:
                log.info("validating the whole dataset: %s", reason)
        return self.run_whole(None, nquads_file)

    def run_by_document(self, assembled: AssembledDataset) -> ValidationReport | None:
        """Validate by document from the last build's memory (``publish``
        checks what ``build`` checked without a store of the whole dataset),
        or None when it cannot: no usable memory, or the fast engine refused
        (the caller then validates the whole dataset)."""
        if not self.validates_by_document:
            return None
        try:
            return self._by_document(assembled)
        except UnsupportedShapesError as reason:
            log.info("validating the whole dataset: %s", reason)
            return None

    def run_whole(
        self,
        store: ox.Store | None,
        nquads_file: Callable[[], Path],
        *,
        refused: UnsupportedShapesError | None = None,
    ) -> ValidationReport:
        """Validate the whole dataset: on ``store`` (fed as the dumps were
        written) or, without one, on the dump read back; with pySHACL when the
        engine is ``pyshacl`` or the fast engine ``refused`` the data."""
        self.mode, self.revalidated = "whole", len(self.keys)
        if refused is not None:
            log.warning("fast SHACL engine: %s; falling back to pySHACL", refused)
        if self.engine == "pyshacl" or self.compiled is None or refused is not None:
            engine = "pyshacl" if refused is not None else self.engine
            return validate_nquads_taken(
                lambda: nquads_file().read_bytes(), self.shapes, engine=engine
            )
        try:
            if store is None:
                store = store_from_nquads_file(nquads_file())
            results = fast_results(store, self.compiled)
        except UnsupportedShapesError as reason:
            log.warning("fast SHACL engine: %s; falling back to pySHACL", reason)
            return validate_nquads_taken(
                lambda: nquads_file().read_bytes(), self.shapes, engine="pyshacl"
            )
        if self.by_document:
            found: dict[str, list[ValidationResult]] = {name: [] for name in self.keys}
            assert self.scopes is not None and self.owned is not None
            for result in results:
                owner = owner_of(result.focus, self.owned.owners)
                if owner is not None and result.shape not in self.scopes.across:
                    found[owner].append(result)
            self._remember(found)
        return report_of(results, engine="fast")

    def _by_document(self, assembled: AssembledDataset) -> ValidationReport:
        assert self.owned is not None and self.scopes is not None
        assert self.compiled is not None
        memory = self.memory.documents if self.memory is not None else {}
        deps, owners = self.owned.dependencies, self.owned.owners
        changed = {
            name
            for name, key in self.keys.items()
            if name not in memory
            or memory[name].key != key
            or set(memory[name].dependencies) != deps[name]
        }
        # A document that depends, transitively, on a changed one may have other
        # results now. Those a worker validated together with everything they
        # depend on are known; the others are validated here, on a store of
        # them and everything they depend on.
        affected = {name for name in self.keys if closure(deps, [name]) & changed}
        fresh = {
            name
            for name in affected
            if name in self.chunks
            and closure(deps, [name]) <= set(self.chunks[name].members)
        }
        again = affected - fresh
        batch = closure(deps, again)
        self.mode, self.revalidated = "by document", len(affected)
        log.info(
            "validating %d of %d documents (%d by the workers; %d in this store)",
            len(affected),
            len(self.keys),
            len(fresh),
            len(batch),
        )
        local, across = split_compiled(self.compiled, self.scopes.across)
        shared = [assembled.graphs.pieces_of(iri).nquads for iri in SHARED_GRAPHS]
        parts = list(shared)
        for doc in assembled.documents:
            name = str(doc.document)
            if name in batch:
                nquads = doc.pieces().nquads
                parts.append(nquads)
                self._project(name, nquads)
            elif name in self.chunks:
                self.projections[name] = self.chunks[name].projections[name]
            elif name not in self.projections:
                self.projections[name] = memory[name].projection.encode("utf-8")
        new = fast_results(_store_of(b"".join(parts)), local)
        del parts
        predicates = self.scopes.projection
        joined = fast_results(
            _store_of(
                b"".join(projection_lines(n, predicates) for n in shared)
                + b"".join(self.projections[name] for name in self.keys)
            ),
            across,
        )
        found: dict[str, list[ValidationResult]] = {name: [] for name in again}
        unowned = []
        for result in new:
            owner = owner_of(result.focus, owners)
            if owner is None:
                unowned.append(result)
            elif owner in found:
                found[owner].append(result)
        for name in fresh:
            found[name] = self.chunks[name].results[name]
        self._remember(found)
        assert self.next_memory is not None
        documents = self.next_memory.documents
        return report_of(
            [r for name in self.keys for r in documents[name].results]
            + unowned
            + joined,
            engine="fast",
        )

    def _remember(self, found: dict[str, list[ValidationResult]]) -> None:
        """The memory after this validation: the results ``found`` for the
        documents validated now (forward-looking shapes, focus nodes they
        describe), the last memory's for the others. Results of the
        cross-document shapes, and of focus nodes no document describes, are
        recomputed every time."""
        assert self.owned is not None
        documents = {}
        for name, key in self.keys.items():
            if name in found:
                documents[name] = DocumentMemory(
                    key,
                    sorted(self.owned.dependencies[name]),
                    found[name],
                    self.projections[name].decode("utf-8"),
                )
            else:
                assert self.memory is not None
                documents[name] = self.memory.documents[name]
        self.next_memory = ValidationMemory(self.key, documents)


def _store_of(nquads: bytes) -> ox.Store:
    """A validation store of N-Quads (refused as the whole validation would)."""
    check_nquads_literals(nquads)
    return store_from_nquads(nquads)


@dataclass
class ShapesSetup:
    """The shapes, read and classified before the documents are built (the
    workers validate with them)."""

    shapes: Graph
    """The shapes graph."""
    shapes_bytes: bytes
    """The shape files' bytes (part of every validation key)."""
    engine: str
    """``auto``, ``fast`` or ``pyshacl``."""
    compiled: CompiledShapes | None = None
    """Compiled by the fast engine (None: ``pyshacl``, or refused)."""
    scopes: ShapeScopes | None = None
    """How far each shape looks (None: not classified)."""

    def validator(self, shared: bytes) -> ChunkValidator | None:
        """What the workers validate with, given the shared graphs' N-Quads."""
        if self.compiled is None or self.scopes is None:
            return None
        local, _ = split_compiled(self.compiled, self.scopes.across)
        return ChunkValidator(shared, local, self.scopes.projection)


def prepare_shapes(
    shapes: Graph,
    shapes_bytes: bytes,
    engine: str,
    *,
    known_scopes: Callable[[], ShapeScopes | None] | None = None,
) -> ShapesSetup:
    """Compile and classify the shapes (``known_scopes`` gives a classification
    kept from an earlier build with the same code and shapes: classifying parses
    their SPARQL, which takes seconds)."""
    setup = ShapesSetup(shapes, shapes_bytes, engine)
    if engine == "pyshacl":
        return setup
    try:
        setup.compiled = compile_shapes(shapes)
    except UnsupportedShapesError:
        return setup
    found = known_scopes() if known_scopes is not None else None
    setup.scopes = found if found is not None else shape_scopes(shapes, setup.compiled)
    return setup


def plan_validation(
    assembled: AssembledDataset,
    setup: ShapesSetup,
    *,
    code: str,
    keys: dict[str, str],
    memory: ValidationMemory | None,
    chunks: dict[str, ChunkValidation] | None = None,
) -> BuildValidation:
    """Decide how this build validates.

    Args:
        assembled: the dataset.
        setup: the shapes (``prepare_shapes``).
        code: the code fingerprint (``cache.code_fingerprint``).
        keys: document graph IRI → build-cache key; empty without a cache.
        memory: the last build's memory, if any.
        chunks: document → the validation its worker ran with it.
    """
    digest = hashlib.sha256()
    for part in (code.encode(), setup.engine.encode(), setup.shapes_bytes):
        digest.update(hashlib.sha256(part).digest())
    for iri in SHARED_GRAPHS:
        digest.update(hashlib.sha256(assembled.graphs.pieces_of(iri).nquads).digest())
    plan = BuildValidation(
        setup.shapes, setup.engine, digest.hexdigest(), keys=dict(keys)
    )
    plan.compiled = setup.compiled
    if plan.compiled is None or not keys:
        return plan
    plan.scopes = setup.scopes
    if plan.scopes is None:
        return plan
    plan.owned = ownership(
        [assembled.graphs.footprint_of(iri) for iri in SHARED_GRAPHS],
        {str(doc.document): doc.footprint for doc in assembled.documents},
        plan.scopes,
    )
    if plan.owned is not None:
        plan.memory = memory if memory is not None and memory.key == plan.key else None
        plan.chunks = dict(chunks or {})
    return plan
