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

__all__ = ["SHARED_GRAPHS", "BuildValidation", "plan_validation"]

log = logging.getLogger(__name__)

SHARED_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_SCHEMES, GRAPH_REFERENCE)
"""The graphs every document is validated with (vocabulary and reference)."""


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
    projections: dict[str, bytes] = field(default_factory=dict)
    """Document graph IRI → its triples the cross-document shapes read."""
    mode: str = "whole"
    """``by document`` or ``whole``: what ``run`` did."""
    revalidated: int = 0
    """How many documents ``run`` validated again."""
    next_memory: ValidationMemory | None = None
    """The memory to keep for the next build (after ``run``)."""

    @property
    def by_document(self) -> bool:
        """True when results can be computed and kept per document."""
        return self.scopes is not None and self.owned is not None

    @property
    def uses_memory(self) -> bool:
        """True when ``run`` validates by document, from the last memory."""
        return self.by_document and self.memory is not None

    @property
    def needs_whole_store(self) -> bool:
        """True when the whole dataset goes into one store for the fast engine
        (the build feeds it graph by graph as it writes the dumps)."""
        return (
            self.compiled is not None
            and self.engine != "pyshacl"
            and not self.uses_memory
        )

    def note_pieces(self, graph: str, nquads: bytes) -> None:
        """Keep a document's share of the cross-document shapes' triples, for a
        validation of the whole dataset (called as its pieces are written into
        the dumps; by document, only the documents validated again need it)."""
        if self.by_document and not self.uses_memory and graph in self.keys:
            self._project(graph, nquads)

    def _project(self, graph: str, nquads: bytes) -> None:
        assert self.scopes is not None
        self.projections[graph] = projection_lines(nquads, self.scopes.projection)

    def run(
        self, assembled: AssembledDataset, nquads_file: Callable[[], Path]
    ) -> ValidationReport:
        """Validate by document when the memory allows, else the whole dataset
        (``nquads_file()`` waits for, and gives, the written N-Quads dump)."""
        if self.uses_memory:
            try:
                return self._by_document(assembled)
            except UnsupportedShapesError as reason:
                log.info("validating the whole dataset: %s", reason)
        return self.run_whole(None, nquads_file)

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
            self._remember(results, set(self.keys))
        return report_of(results, engine="fast")

    def _by_document(self, assembled: AssembledDataset) -> ValidationReport:
        assert self.memory is not None and self.owned is not None
        assert self.scopes is not None and self.compiled is not None
        memory, deps = self.memory.documents, self.owned.dependencies
        changed = {
            name
            for name, key in self.keys.items()
            if name not in memory
            or memory[name].key != key
            or set(memory[name].dependencies) != deps[name]
        }
        # A document that depends, transitively, on a changed one is validated
        # again; the store holds them and everything they depend on.
        again = {name for name in self.keys if closure(deps, [name]) & changed}
        batch = closure(deps, again)
        self.mode, self.revalidated = "by document", len(again)
        log.info(
            "validating %d of %d documents again (%d in the store)",
            len(again),
            len(self.keys),
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
        self._remember(new, again)
        assert self.next_memory is not None
        documents = self.next_memory.documents
        owners = self.owned.owners
        unowned = [r for r in new if owner_of(r.focus, owners) is None]
        return report_of(
            [r for name in self.keys for r in documents[name].results]
            + unowned
            + joined,
            engine="fast",
        )

    def _remember(self, results: list[ValidationResult], again: set[str]) -> None:
        """The memory after this validation: ``results`` for the documents in
        ``again`` (those validated on a store holding all they depend on), the
        last memory's for the others. Results of the cross-document shapes, and
        of focus nodes no document describes, are recomputed every time."""
        assert self.scopes is not None and self.owned is not None
        found: dict[str, list[ValidationResult]] = {name: [] for name in again}
        for result in results:
            if result.shape in self.scopes.across:
                continue
            owner = owner_of(result.focus, self.owned.owners)
            if owner in found:
                found[owner].append(result)
        documents = {}
        for name, key in self.keys.items():
            if name in again:
                documents[name] = DocumentMemory(
                    key,
                    sorted(self.owned.dependencies[name]),
                    found[name],
                    self.projections[name].decode("utf-8"),
                )
            else:
                assert self.memory is not None
                documents[name] = self.memory.documents[name]
        self.next_memory = ValidationMemory(self.key, documents, self.scopes)


def _store_of(nquads: bytes) -> ox.Store:
    """A validation store of N-Quads (refused as the whole validation would)."""
    check_nquads_literals(nquads)
    return store_from_nquads(nquads)


def plan_validation(
    assembled: AssembledDataset,
    shapes: Graph,
    engine: str,
    *,
    code: str,
    shapes_bytes: bytes,
    keys: dict[str, str],
    memory: ValidationMemory | None,
) -> BuildValidation:
    """Decide how this build validates.

    Args:
        assembled: the dataset.
        shapes: the shapes graph.
        engine: ``auto``, ``fast`` or ``pyshacl``.
        code: the code fingerprint (``cache.code_fingerprint``).
        shapes_bytes: the shape files' bytes.
        keys: document graph IRI → build-cache key; empty without a cache.
        memory: the last build's memory, if any.
    """
    digest = hashlib.sha256()
    for part in (code.encode(), engine.encode(), shapes_bytes):
        digest.update(hashlib.sha256(part).digest())
    for iri in SHARED_GRAPHS:
        digest.update(hashlib.sha256(assembled.graphs.pieces_of(iri).nquads).digest())
    plan = BuildValidation(shapes, engine, digest.hexdigest(), keys=dict(keys))
    if engine == "pyshacl":
        return plan
    try:
        plan.compiled = compile_shapes(shapes)
    except UnsupportedShapesError:
        return plan
    if not keys:
        return plan
    usable = memory if memory is not None and memory.key == plan.key else None
    # Classifying the shapes parses their SPARQL (seconds): the memory of a
    # build with the same code and shapes holds the answer.
    plan.scopes = (
        usable.scopes if usable is not None else shape_scopes(shapes, plan.compiled)
    )
    if plan.scopes is None:
        return plan
    plan.owned = ownership(
        [assembled.graphs.footprint_of(iri) for iri in SHARED_GRAPHS],
        {str(doc.document): doc.footprint for doc in assembled.documents},
        plan.scopes,
    )
    if plan.owned is not None:
        plan.memory = usable
    return plan
