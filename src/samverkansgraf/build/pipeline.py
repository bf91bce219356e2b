"""Stage 3 — the build run: assemble, validate, publish ``dist/`` as one unit.

Input: the project. Output: the dumps in ``dist/`` (TriG, N-Quads, Turtle, JSON-LD)
and ``build-report.json``, published together by one rename
(``atomic.OutputGeneration``), and a ``BuildResult``.

A build takes every curated document whose inputs did not change from the build
cache (``cache``) and builds the others, in worker processes when there are many;
it writes the dumps from the documents' pieces while it validates (by document
when it may: ``validation``); nothing is published when the graph does not
conform. ``full=True`` (``build --full``) ignores what the cache holds.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
import queue
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from .._gc import paused_gc
from ..atomic import (
    OUTPUT_MARKER,
    OutputGeneration,
    check_output_directory,
    holds_files,
    marker_text,
    syncing_in_background,
    write_files_atomically,
)
from ..curate import COVERAGE_MIN_LENGTH, DocumentCoverage, document_coverage
from ..errors import WorkerError
from ..namespaces import GRAPH_REFERENCE
from ..rdfio import DUMP_FORMATS, N_QUADS
from ..sources import ProjectPaths
from ..validate import ValidationReport, load_shapes
from ..validate.fast import (
    UnsupportedShapesError,
    check_nquads_literals,
    protect_nquads,
)
from .cache import BuildCache, CacheCorruptError, CachedDocument, code_fingerprint
from .dataset import (
    DUMP_STEM,
    AssembledDataset,
    CuratedDocument,
    assemble_dataset,
    count_assembled,
    reference_names,
)
from .document import DocumentBuild, build_document
from .dumps import DumpWriter, GraphPieces, pieces_of_rdflib
from .validation import (
    SHARED_GRAPHS,
    BuildValidation,
    ChunkValidation,
    ChunkValidator,
    ShapesSetup,
    plan_validation,
    prepare_shapes,
)

__all__ = ["BuildResult", "build", "run_build", "validate_from_memory"]

log = logging.getLogger(__name__)

REPORT_FILE = "build-report.json"
OUTPUT_NAMES = [f"{DUMP_STEM}{fmt.suffix}" for fmt in DUMP_FORMATS] + [REPORT_FILE]
"""The files a build publishes, in the order it lists them."""
PARALLEL_FROM = 64
"""Build documents in worker processes when at least this many need building
(below that, starting the workers costs more than they save)."""
CHUNK = 160
"""At most this many documents per worker task (built, then validated together)."""
CHUNK_BYTES = 4 << 20
"""At most this much curated Turtle per worker task (about 160 documents of a
national project; fewer, larger ones at the XL scale)."""


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
    built: int = 0
    """Documents built by this run (the others came from the build cache)."""
    revalidated: int | None = None
    """Documents validated again (``None``: validation skipped)."""


def build(
    paths: ProjectPaths,
    out_dir: str | Path | None = None,
    *,
    validate: bool = True,
    engine: str = "auto",
    full: bool = False,
    jobs: int | None = None,
) -> BuildResult:
    """Assemble, validate and write the dataset.

    Nothing is written when the graph does not conform: ``outputs`` is then empty
    and the previous ``dist/`` stays as it was.

    Args:
        paths: the project.
        out_dir: where to write (default ``dist/``).
        validate: run SHACL validation (skip only for drafts).
        engine: the SHACL engine (``auto``, ``fast`` or ``pyshacl``; see
            ``validate.validate_graph``).
        full: build every document and validate the whole dataset, ignoring the
            build cache (which is refreshed).
        jobs: processes that build and validate the documents (default: one
            per CPU this process may use; 1: this process alone — slower, and
            at national scale not smaller: 0.73 GB against 0.35 GB for two
            processes at L). The result is the same.

    Returns:
        The dataset, the validation report, the files written and the counts.

    Raises:
        SourceError, EvidenceError: bad input.
        OutputError: the output directory cannot be written.
        WorkerError: a worker process was killed (out of memory?).
    """
    return run_build(
        paths, out_dir, validate=validate, engine=engine, full=full, jobs=jobs
    )


def _is_earlier_build(folder: Path) -> bool:
    """A folder a build wrote before it left ``OUTPUT_MARKER``: it holds a dump."""
    return any(holds_files(f"{DUMP_STEM}{fmt.suffix}")(folder) for fmt in DUMP_FORMATS)


def _mark_as_build_output(out: Path) -> None:
    """Leave ``OUTPUT_MARKER`` in ``out`` (once), so a later build — and no other
    command — may write there again."""
    marker = out / OUTPUT_MARKER
    text = marker_text("build")
    try:
        if marker.read_text("utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    write_files_atomically({marker: text.encode("utf-8")})


def _untimed(_name: str, action: Callable[[], Any]) -> Any:
    return action()


def run_build(
    paths: ProjectPaths,
    out_dir: str | Path | None = None,
    *,
    validate: bool = True,
    engine: str = "auto",
    full: bool = False,
    jobs: int | None = None,
    clock: Callable[[str, Callable[[], Any]], Any] = _untimed,
) -> BuildResult:
    """``build`` with each step run through ``clock(name, action)`` (the benchmarks
    time ``assemble``, ``write`` and ``validate`` with it) and ``jobs`` worker
    processes at most (default: the usable CPUs)."""
    out = Path(out_dir) if out_dir is not None else paths.dist_dir
    # The build writes its own files into ``out`` and deletes nothing, but it must
    # not scatter them into a stranger's folder or the project's inputs: refuse
    # before the (long) assembly rather than after it.
    if out.resolve() != paths.dist_dir.resolve():  # dist/ is the build's own
        check_output_directory(
            out, "build", project_root=paths.root, recognise=_is_earlier_build
        )
    cache = BuildCache.open(paths)
    code = cache.fingerprint if cache is not None else code_fingerprint()
    setup = _shapes_setup(paths, engine, cache, code) if validate else None
    loader = CachedLoader(cache, full=full, jobs=jobs, setup=setup)
    assembled = clock(
        "assemble", lambda: assemble_dataset(paths, load_documents=loader)
    )
    # The collector stays paused from here on: with the national graph alive,
    # every few thousand allocations (decoding the validation memory, planning)
    # made it walk millions of objects — a quarter of a second of a rebuild.
    with paused_gc():
        return _validate_and_write(
            out, assembled, loader, cache, setup, code, full, clock
        )


def _validate_and_write(
    out: Path,
    assembled: AssembledDataset,
    loader: CachedLoader,
    cache: BuildCache | None,
    setup: ShapesSetup | None,
    code: str,
    full: bool,
    clock: Callable[[str, Callable[[], Any]], Any],
) -> BuildResult:
    """The rest of ``run_build``: plan the validation, write the dumps while
    validating, publish them if the graph conforms, keep the cache's memory."""
    counts = count_assembled(assembled)
    plan = None
    if setup is not None:
        plan = plan_validation(
            assembled,
            setup,
            code=code,
            keys=loader.keys if cache is not None else {},
            memory=cache.load_memory() if cache is not None and not full else None,
            chunks=loader.chunks,
        )
    generation = OutputGeneration(out, OUTPUT_NAMES)
    try:
        report = _write_and_validate(assembled, generation, plan, clock)
        result = BuildResult(
            assembled,
            report,
            [],
            counts,
            built=loader.built,
            revalidated=None if plan is None else plan.revalidated,
        )
        if report is None or report.conforms:
            report_bytes = _build_report(assembled, report, counts)
            generation.path(REPORT_FILE).write_bytes(report_bytes)
            result.outputs = clock("write", generation.commit)
            _mark_as_build_output(out)
        else:
            generation.abort()
    except BaseException:
        generation.abort()
        raise
    if cache is not None:
        # Kept for a build that does not conform too: the fix is a rebuild.
        cache.save_memory(None if plan is None else plan.next_memory)
        cache.prune()
    return result


def _shapes_setup(
    paths: ProjectPaths, engine: str, cache: BuildCache | None, code: str
) -> ShapesSetup:
    """Read, compile and classify the shapes (the classification is kept in the
    cache for the same code and shapes)."""
    shapes = load_shapes(paths.shapes_dir)
    shapes_bytes = b"".join(
        path.read_bytes() for path in sorted(paths.shapes_dir.glob("*.ttl"))
    )
    key = hashlib.sha256(code.encode() + b"\0" + shapes_bytes).hexdigest()
    kept = cache.load_scopes(key) if cache is not None else None
    setup = prepare_shapes(shapes, shapes_bytes, engine, known_scopes=lambda: kept)
    if cache is not None and kept is None:
        cache.save_scopes(key, setup.scopes)
    return setup


def validate_from_memory(
    paths: ProjectPaths, assembled: AssembledDataset, loader: CachedLoader
) -> ValidationReport | None:
    """Validate ``assembled`` (loaded by ``loader``) by document, as a rebuild
    does: the documents the last build validated keep its results, the others
    and the shapes that look across documents are checked now. None when the
    build cache holds no memory this can use (no cache, other code or shapes,
    a shape the fast engine refuses): the caller validates the whole dataset.
    The memory is only read.
    """
    cache = loader.cache
    if cache is None:
        return None
    setup = _shapes_setup(paths, "auto", cache, cache.fingerprint)
    plan = plan_validation(
        assembled,
        setup,
        code=cache.fingerprint,
        keys=loader.keys,
        memory=cache.load_memory(),
        chunks=loader.chunks,
    )
    return plan.run_by_document(assembled)


def _write_and_validate(
    assembled: AssembledDataset,
    generation: OutputGeneration,
    plan: BuildValidation | None,
    clock: Callable[[str, Callable[[], Any]], Any],
) -> ValidationReport | None:
    """Write the four dumps into the generation, graph by graph, while the
    validation runs in a second thread (pyoxigraph releases the GIL while it
    loads and queries, so it uses the second core)."""
    nquads_path = generation.path(f"{DUMP_STEM}{N_QUADS.suffix}")
    feed = _StoreFeed() if plan is not None and plan.needs_whole_store else None
    outcome: dict[str, Any] = {}
    written = threading.Event()

    def nquads_file() -> Path:
        written.wait()
        return nquads_path

    def check() -> None:
        assert plan is not None
        try:
            if feed is not None:
                outcome["report"] = clock(
                    "validate", lambda: feed.validate(plan, nquads_file)
                )
            else:
                outcome["report"] = clock(
                    "validate", lambda: plan.run(assembled, nquads_file)
                )
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    checker = threading.Thread(target=check, name="shacl") if plan else None
    if checker is not None:
        checker.start()
    failed = True
    try:
        clock("write", lambda: _write_dumps(assembled, generation, plan, feed))
        failed = False
    finally:
        written.set()
        if feed is not None:
            feed.close(cancel=failed)
        if checker is not None:
            checker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("report")


def _write_dumps(
    assembled: AssembledDataset,
    generation: OutputGeneration,
    plan: BuildValidation | None,
    feed: _StoreFeed | None,
) -> None:
    with ExitStack() as files:
        streams = {
            fmt: files.enter_context(
                generation.path(f"{DUMP_STEM}{fmt.suffix}").open("wb")
            )
            for fmt in DUMP_FORMATS
        }
        files.enter_context(syncing_in_background(streams.values()))
        writer = DumpWriter(streams)
        for iri in assembled.graphs:
            pieces = assembled.graphs.pieces_of(iri)
            writer.add(pieces)
            if plan is not None:
                plan.note_pieces(str(iri), pieces.nquads)
            if feed is not None:
                feed.put(pieces.nquads)
            del pieces
        writer.close()


class _StoreFeed:
    """The whole-dataset validation fed graph by graph as the dumps are written:
    each graph's N-Quads are loaded into the store in the validation thread while
    the main thread writes the next (no copy of the dump is ever held)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=64)
        self.store = ox.Store()
        self.refused: UnsupportedShapesError | None = None
        self.cancelled = False

    def put(self, nquads: bytes) -> None:
        """Hand one graph's N-Quads to the validation thread."""
        self.queue.put(nquads)

    def close(self, *, cancel: bool = False) -> None:
        """No more graphs (``cancel``: the build failed, do not validate)."""
        self.cancelled = cancel
        self.queue.put(None)

    def validate(
        self, plan: BuildValidation, nquads_file: Callable[[], Path]
    ) -> ValidationReport | None:
        """Load every graph as it comes, then validate (None when cancelled).

        The queue is always drained, whatever happens, so the writer never waits
        on a thread that has stopped.
        """
        error: BaseException | None = None
        while (chunk := self.queue.get()) is not None:
            if error is not None or self.refused is not None or not chunk:
                continue
            try:
                check_nquads_literals(chunk)
                self.store.bulk_load(protect_nquads(chunk), format=N_QUADS.oxigraph)
            except UnsupportedShapesError as reason:
                self.refused = reason
            except BaseException as exc:  # noqa: BLE001 - re-raised after draining
                error = exc
        if error is not None:
            raise error
        if self.cancelled:
            return None
        return plan.run_whole(self.store, nquads_file, refused=self.refused)


# ---------------------------------------------------------------------------
# Documents from the cache, or built (in worker processes when many)
# ---------------------------------------------------------------------------


class CachedLoader:
    """The build's ``DocumentLoader``: every curated file whose cache entry still
    holds is read back from ``.build-cache``; the others are built (in worker
    processes when there are at least ``PARALLEL_FROM``) and stored there. The
    workers also validate the documents they built, in chunks (``ChunkValidator``),
    so that a full build never holds the whole dataset in one store."""

    def __init__(
        self,
        cache: BuildCache | None,
        *,
        full: bool,
        jobs: int | None,
        setup: ShapesSetup | None = None,
    ) -> None:
        self.cache = cache
        self.full = full
        self.jobs = jobs if jobs is not None else len(os.sched_getaffinity(0))
        self.setup = setup
        self.keys: dict[str, str] = {}
        """Document graph IRI → its cache key."""
        self.built = 0
        """How many documents this run built."""
        self.chunks: dict[str, ChunkValidation] = {}
        """Document → the validation its worker ran with it."""

    def __call__(
        self,
        files: list[Path],
        paths: ProjectPaths,
        checksums: dict[str, str],
        shared: Mapping[URIRef, Graph],
    ) -> list[CuratedDocument]:
        from .dataset import build_documents

        if self.cache is None:
            self.built = len(files)
            return build_documents(files, paths, checksums, shared)
        cache = self.cache
        names = reference_names(shared[GRAPH_REFERENCE])
        # Generated labels name reference resources: a renamed municipality
        # changes the documents that mention it, so the names are in every key.
        named = json.dumps(sorted((str(k), v) for k, v in names.items())).encode()
        keys = [cache.key(path, path.read_bytes() + b"\0" + named) for path in files]
        found: list[CachedDocument | None] = [
            None if self.full else cache.load(key, path, paths.sources_dir, checksums)
            for key, path in zip(keys, files, strict=True)
        ]
        missing = [i for i, entry in enumerate(found) if entry is None]
        self.built = len(missing)
        jobs = [
            (files[i], paths.sources_dir, checksums, names, keys[i]) for i in missing
        ]
        for index, entry in zip(missing, self._build(jobs, shared), strict=True):
            found[index] = entry
            cache.used.add(keys[index])
        documents = []
        for path, key, found_entry in zip(files, keys, found, strict=True):
            assert found_entry is not None
            entry = found_entry
            self.keys[str(entry.build.document)] = key
            document = CuratedDocument.from_build(
                entry.build,
                pieces=self._pieces(entry, path, paths, checksums, names, key),
            )
            if entry.build.coverage is not None:
                document.memo[("coverage", COVERAGE_MIN_LENGTH)] = (
                    DocumentCoverage.from_json(entry.build.coverage)
                )
            documents.append(document)
        return documents

    def _build(
        self, jobs: list[_Job], shared: Mapping[URIRef, Graph]
    ) -> list[CachedDocument]:
        assert self.cache is not None
        # The workers are forked: they start at once, with every module
        # imported, and no script is run again in them (as "spawn" would). A
        # process with other threads is not forked (a lock one of them holds
        # would stay locked in the copy): it builds the documents itself.
        if (
            len(jobs) < PARALLEL_FROM
            or self.jobs < 2
            or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return [_build_and_store(self.cache, *job) for job in jobs]
        validator = None
        if self.setup is not None:
            validator = self.setup.validator(
                b"".join(
                    pieces_of_rdflib(iri, shared[iri]).nquads for iri in SHARED_GRAPHS
                )
            )
        tasks = [
            (self.cache.root, self.cache.fingerprint, validator, chunk)
            for chunk in _chunks(jobs, self.jobs)
        ]
        entries: list[CachedDocument] = []
        context = multiprocessing.get_context("fork")
        # Objects made before the fork are frozen: the workers' collections
        # (see _build_chunk_in_worker) then leave them, and the pages they share
        # with this process, alone.
        gc.freeze()
        try:
            with ProcessPoolExecutor(self.jobs, mp_context=context) as pool:
                for built, chunk in pool.map(_build_chunk_in_worker, tasks):
                    entries += built
                    if chunk is not None:
                        self.chunks.update(dict.fromkeys(chunk.members, chunk))
        except BrokenProcessPool:
            raise WorkerError.stopped(
                "building documents",
                "free memory and build again (at national scale the build and "
                "its workers need ~0.4 GB; --jobs 1 needs more, in one process)",
            ) from None
        finally:
            gc.unfreeze()
        return entries

    def _pieces(
        self,
        entry: CachedDocument,
        path: Path,
        paths: ProjectPaths,
        checksums: dict[str, str],
        names: dict[Node, str],
        key: str,
    ) -> Callable[[], GraphPieces]:
        """The document's pieces, read from its entry; a damaged entry is
        rebuilt (the document's build is deterministic: same pieces)."""
        cache = self.cache
        assert cache is not None

        def read() -> GraphPieces:
            try:
                return entry.pieces()
            except CacheCorruptError as problem:
                log.warning(
                    "cache entry of %s damaged (%s): rebuilding", path.name, problem
                )
                build = _built(path, paths.sources_dir, checksums, names)
                cache.store(key, build)
                return build.pieces

        return read


def _build_and_store(
    cache: BuildCache,
    path: Path,
    sources_dir: Path,
    checksums: dict[str, str],
    names: dict[Node, str],
    key: str,
) -> CachedDocument:
    """Build a document and keep it."""
    return cache.store(key, _built(path, sources_dir, checksums, names))


def _built(
    path: Path, sources_dir: Path, checksums: dict[str, str], names: dict[Node, str]
) -> DocumentBuild:
    """``build_document``, with the summary's coverage of the document (measured
    here, in the worker, rather than by every later build)."""
    build = build_document(path, sources_dir, checksums, names)
    build.coverage = asdict(document_coverage(CuratedDocument.from_build(build)))
    return build


_Job = tuple[Path, Path, dict[str, str], dict[Node, str], str]
"""A document to build: its file, ``data/sources``, ``SHA256SUMS``, the reference
names of generated labels, its cache key."""


def _chunks(jobs: list[_Job], workers: int) -> list[list[_Job]]:
    """The documents in runs for the workers: big enough for a validation store
    to be worth its fixed cost (every chunk checks the shared graphs too), small
    enough to share the work evenly and to bound a worker's memory — at most
    ``CHUNK`` documents or ``CHUNK_BYTES`` of curated Turtle (the graph and its
    store grow with it). Sixteen runs per worker: a validation store's fixed
    cost is a few hundredths of a second, and with short runs at the end no
    worker waits long for the other (at national scale four runs per worker
    left one core idle for a second or more)."""
    limit = max(8, min(CHUNK, -(-len(jobs) // (16 * workers))))
    chunks: list[list[_Job]] = [[]]
    size = 0
    for job in jobs:
        weight = job[0].stat().st_size
        if chunks[-1] and (len(chunks[-1]) >= limit or size + weight > CHUNK_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(job)
        size += weight
    return chunks


def _build_chunk_in_worker(
    task: tuple[Path, str, ChunkValidator | None, list[_Job]],
) -> tuple[list[CachedDocument], ChunkValidation | None]:
    """In a worker process: build and keep a chunk of documents, then validate
    them together (their pieces are at hand)."""
    root, fingerprint, validator, jobs = task
    cache = BuildCache(root, fingerprint)
    entries, built = [], []
    for path, sources_dir, checksums, names, key in jobs:
        build = _built(path, sources_dir, checksums, names)
        if validator is not None:
            built.append(
                (str(build.document), build.pieces.nquads, build.footprint.subjects)
            )
        entries.append(cache.store(key, build))
    chunk = validator.validate(built) if validator is not None else None
    del built
    # The build pauses the cyclic collector, and a worker inherits that: the
    # cycles a document's rdflib objects leave are collected here, once per
    # chunk, or a worker would grow by hundreds of MB over a national build.
    gc.collect()
    return entries, chunk


def _build_report(
    assembled: AssembledDataset, report: ValidationReport | None, counts: dict[str, int]
) -> bytes:
    """A small JSON manifest of the build, for tools and the summary."""
    triples = Counter(
        {str(iri): assembled.graphs.triple_count(iri) for iri in assembled.graphs}
    )
    payload = {
        "graphs": dict(triples),
        "triples": sum(triples.values()),
        "counts": counts,
        "evidence": sum(doc.record_count() for doc in assembled.documents),
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
