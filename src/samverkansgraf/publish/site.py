"""Stage 6 — publish: the static, dereferenceable linked-data site.

Input: the assembled dataset (``build.assemble_dataset``), validated against the
SHACL shapes (incl. the privacy shapes) — nothing is written when it does not
conform — and ``publication.toml``. Output: a folder (``site/``), written atomically,
with

- one HTML page per described resource at a path derived from its IRI
  (``…/id/kommun/2083`` → ``id/kommun/2083.html``; ontology terms ``skg:X`` →
  ``ontology/X.html``), with Turtle, JSON-LD and N-Triples alternates beside it
  (``2083.ttl``, ``2083.jsonld``, ``2083.nt``), every property as a link, inverse
  links grouped by property, and each piece of evidence quoted in its context from
  the source text;
- an index page per class, the ontology overview (``ontology/index.html``, with an
  anchor per term so that hash IRIs resolve), a home page;
- one page per source text, contact data masked one for one (offsets stay valid),
  with an anchor per evidence span;
- the RDF dumps (``download/``), the DCAT-AP-SE catalogue record (``dcat.ttl``,
  ``dcat.rdf``) and the VoID description (``void.ttl``, ``.well-known/void``).

The page generator is generic over classes: it knows nothing about municipalities or
commitments beyond the labels the ontology gives them.

This module is the orchestration: check the output folder, build and validate the
dataset, validate the catalogue record, then write every file that
``writer.SiteRenderer`` makes, each checked for contact data (``checks``), into
the folder atomically — the resource pages whose view did not change since the
last publish into the same folder linked from that site instead (``reuse``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

from .._gc import paused_gc
from ..atomic import (
    atomic_directory,
    check_output_directory,
    holds_files,
    make_world_readable,
)
from ..build import AssembledDataset, assemble_dataset, serialise_dataset
from ..build.cache import BuildCache
from ..build.pipeline import CachedLoader, validate_from_memory
from ..errors import PublishError, WorkerError
from ..namespaces import GRAPH_ONTOLOGY, GRAPH_SCHEMES, VCARD
from ..query.catalogue import QuerySpec, load_catalogue
from ..sources import ProjectPaths
from .checks import (
    check_conformance,
    check_file_privacy,
    check_functional_mailbox,
    unresolvable_iris,
)
from .metadata import load_dcat_shapes, validate_catalogue
from .reuse import (
    EarlierPages,
    PageFiles,
    identity,
    page_fingerprint,
    path_in_folder,
    state_of,
)
from .settings import PublicationSettings, data_modified, load_publication
from .writer import RECORD_FILES, RESOURCE_PAGES, SiteRenderer, store_of

__all__ = [
    "CHUNK_PAGES",
    "PARALLEL_FROM",
    "PROGRESS_EVERY",
    "PublishResult",
    "publish_site",
]

log = logging.getLogger(__name__)


@dataclass
class PublishResult:
    """What ``publish_site`` wrote."""

    out: Path
    """The site folder."""
    pages: int
    """HTML pages."""
    files: int
    """All files."""
    seconds: float
    """Wall-clock time of rendering and writing."""
    warnings: list[str] = field(default_factory=list)
    """DCAT-AP-SE recommendations the catalogue record does not meet."""
    preview: bool = False
    """The record lacks the contact mailbox and is not for portals
    (``publish_site(preview=True)`` without ``[contact] email``)."""
    rdfxml_fallbacks: int = 0
    """Pages rendered by this publish whose RDF/XML alternate Oxigraph could
    not write, written by rdflib instead (``alternates.AlternateWriter``)."""
    reused: int = 0
    """Resource pages whose view had not changed since the earlier site's, and
    whose files were linked from it (``reuse``) rather than rendered again."""


_VOCABULARY = (GRAPH_ONTOLOGY, GRAPH_SCHEMES)
"""The graphs of the ontology document, whose IRIs must resolve too."""

_EARLIER_SITE = holds_files("dcat.ttl", "void.ttl", "index.html")
"""How an earlier site written before ``atomic.OUTPUT_MARKER`` existed is known."""


PARALLEL_FROM = 2000
"""Resource pages from which workers write them: below, forking costs more than
it saves (the real data has ~400)."""

CHUNK_PAGES = 500
"""Resource pages per worker task."""

PROGRESS_EVERY = 10.0
"""Seconds between two reports of files written (``publish_site(progress=…)``)."""


class _Reporter:
    """Progress lines for ``publish_site``'s caller: each step as it begins,
    and how many files are written at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.last = time.monotonic()

    def step(self, message: str) -> None:
        """Say that a step begins."""
        if self.progress is not None:
            self.progress(message)
        self.last = time.monotonic()

    def written(self, done: int, what: str, total: int | None = None) -> None:
        """Say how many of ``what`` are written (when the last report is old)."""
        if self.progress is None or time.monotonic() - self.last < PROGRESS_EVERY:
            return
        of = f" of {total:,}" if total is not None else ""
        self.step(f"{done:,}{of} {what} written")


def _writers(jobs: int | None, pages: int) -> int:
    """How many processes write the resource pages: this one and the workers
    it forks (1: this one alone).

    Only a process without other threads is forked (a lock another thread
    holds would stay locked in the copy), and only where ``fork`` exists.
    """
    wanted = jobs if jobs is not None else len(os.sched_getaffinity(0))
    if (
        wanted < 2
        or pages < PARALLEL_FROM
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return wanted


def _write_checked(
    work: Path,
    relative: str,
    data: bytes,
    allowed: frozenset[str] | None,
    made: set[str],
) -> os.stat_result:
    """Check one file for contact data (unless ``allowed`` is None: a worker
    checks it) and write it under ``work``: the new file's status."""
    if allowed is not None:
        check_file_privacy(relative, data, allowed)
    target = path_in_folder(work, relative, made)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(target, flags, 0o666)
    except FileExistsError:
        # A path made twice (the ontology's pages replace the generic pages
        # of its terms) gets a new file: the old one may be a link to the
        # earlier site's file, which must not change while that site is served.
        os.unlink(target)
        handle = os.open(target, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        return os.fstat(handle)
    finally:
        os.close(handle)


def _write_pages(
    renderer: SiteRenderer,
    work: Path,
    chunk: Iterable[int],
    earlier: EarlierPages | None,
) -> list[PageFiles]:
    """Write the resource pages of a chunk (indexes into ``page_nodes()``): each
    page whose view is unchanged linked from the ``earlier`` site, the others
    rendered, checked and written.

    Raises:
        PublishError: a page would publish contact data.
    """
    nodes = renderer.page_nodes()
    pages: list[PageFiles] = []
    made: set[str] = set()
    for position in chunk:
        view = renderer.resource_view(nodes[position])
        iri, digest = str(nodes[position]), view.digest()
        if earlier is not None:
            linked = earlier.link(iri, digest, view.file_paths(), work, made)
            if linked is not None:
                pages.append(linked)
                continue
        files = [
            identity(relative, _write_checked(work, relative, data, frozenset(), made))
            for relative, data in renderer.render_view(view).items()
        ]
        pages.append(PageFiles(iri, digest, tuple(files)))
    # The collector is paused (publish_site): collect this chunk's cycles, in
    # the youngest generation only — what the chunk made and kept. At L the
    # pages made none, and full collections, which walk every object this
    # process made since the fork, took 19 s in the main process.
    gc.collect(0)
    return pages


def _write_unchecked_dumps(
    renderer: SiteRenderer, work: Path, made: set[str]
) -> list[str]:
    """Write the dumps, not yet checked for contact data, and let them go
    before the workers are forked (they check them, and no site is published
    before they have passed): their site paths."""
    written = []
    for relative, data in renderer.dump_files():
        _write_checked(work, relative, data, None, made)
        written.append(relative)
    return written


def _write_pages_here(
    renderer: SiteRenderer,
    work: Path,
    earlier: EarlierPages | None,
    reporter: _Reporter,
) -> list[PageFiles]:
    """Write every resource page in this process (``_write_pages``), saying
    how many are written as it goes."""
    total = len(renderer.page_nodes())
    pages: list[PageFiles] = []
    for start in range(0, total, CHUNK_PAGES):
        chunk = range(start, min(start + CHUNK_PAGES, total))
        pages += _write_pages(renderer, work, chunk, earlier)
        reporter.written(len(pages), "resource pages", total)
    return pages


def _as_written(page: PageFiles, work: Path, replaced: set[str]) -> PageFiles:
    """``page`` with the files of it that a later file ``replaced`` (the
    ontology's pages) as they are now."""
    if not replaced.intersection(entry[0] for entry in page.files):
        return page
    files = tuple(identity(entry[0], os.stat(work / entry[0])) for entry in page.files)
    return dataclasses.replace(page, files=files)


_WORKER_RENDERER: SiteRenderer | None = None
"""The renderer a forked worker inherits (set only while workers run)."""
_WORKER_EARLIER: EarlierPages | None = None
"""The earlier site's pages a forked worker inherits, likewise."""

_ChunkResult = tuple[list[PageFiles], int, tuple[str, str | None] | None]
"""A worker's pages written, RDF/XML fallbacks and first error."""


def _write_chunk_in_worker(
    task: tuple[Path, list[int], str | None],
) -> _ChunkResult:
    """In a worker process: render, check and write the resource pages of a
    chunk (``_write_pages``), or check one dump, already written under the
    work folder (its site path), for contact data.

    Returns:
        The pages written, the RDF/XML fallbacks, and the first error (its
        message and hint: a ``PublishError`` is raised again by the parent).
    """
    work, chunk, dump = task
    renderer = _WORKER_RENDERER
    assert renderer is not None
    alternates = renderer.context.alternates
    before = alternates.rdfxml_fallbacks
    try:
        if dump is not None:
            check_file_privacy(dump, (work / dump).read_bytes(), frozenset())
            return [], 0, None
        written = _write_pages(renderer, work, chunk, _WORKER_EARLIER)
    except PublishError as exc:
        return [], alternates.rdfxml_fallbacks - before, (exc.message, exc.hint)
    return written, alternates.rdfxml_fallbacks - before, None


class _PageWriters:
    """This process and the workers it forks write every resource page and its
    alternates in chunks of ``CHUNK_PAGES`` (the same files, bytes and checks
    as in one process: the workers inherit this process's renderer as it is).

    The workers start when the dumps are written (they do not hold them: at L
    0.7 GB) and check those first; then they take the chunks from the first
    on, while this process writes the other files. When it has, this process
    takes the chunks no worker has begun from the last one back. A process
    fewer holds its own copy of the pages of the index it touches (~0.9 GB at
    L), and no core waits at the end.

    Used as a context manager inside ``atomic_directory``: leaving it waits for
    the workers (or cancels what they have not begun, on an error) before the
    work folder is renamed or removed.
    """

    def __init__(
        self,
        renderer: SiteRenderer,
        work: Path,
        writers: int,
        dumps: list[str],
        reporter: _Reporter | None = None,
        earlier: EarlierPages | None = None,
    ) -> None:
        self.renderer = renderer
        self.work = work
        self.earlier = earlier
        """The earlier site's pages, reused where unchanged."""
        self.workers = writers - 1
        """Worker processes (this process writes pages too)."""
        self.reporter = reporter or _Reporter(None)
        self.pages = len(renderer.page_nodes())
        """Resource pages the workers and this process write."""
        self.pool: ProcessPoolExecutor | None = None
        self.dumps = dumps
        """The dumps' site paths, written already: the workers check them."""
        self.chunks = [
            list(range(start, min(start + CHUNK_PAGES, self.pages)))
            for start in range(0, self.pages, CHUNK_PAGES)
        ]
        self.checks: list[Future[_ChunkResult]] = []
        self.futures: list[Future[_ChunkResult]] = []
        """One per chunk."""

    def __enter__(self) -> _PageWriters:
        global _WORKER_RENDERER, _WORKER_EARLIER
        _WORKER_RENDERER, _WORKER_EARLIER = self.renderer, self.earlier
        # Objects made before the fork are frozen: the workers' collections
        # leave them, and the memory pages they share with this process, alone.
        gc.freeze()
        context = multiprocessing.get_context("fork")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        self.checks = [
            self.pool.submit(_write_chunk_in_worker, (self.work, [], dump))
            for dump in self.dumps
        ]
        self.futures = [
            self.pool.submit(_write_chunk_in_worker, (self.work, chunk, None))
            for chunk in self.chunks
        ]
        return self

    def written(self) -> list[PageFiles]:
        """Write the chunks no worker has begun here, then wait for the others:
        the pages written (the dumps' checks come first: no site is published
        before they have passed).

        Raises:
            PublishError: a page would publish contact data (or has triples
                no RDF/XML can hold); the site is not replaced.
        """
        here: dict[int, list[PageFiles]] = {}
        for position in reversed(range(len(self.chunks))):
            # A chunk a worker has begun cannot be cancelled; the workers take
            # them in order, so every earlier one has begun too.
            if not self.futures[position].cancel():
                break
            here[position] = _write_pages(
                self.renderer, self.work, self.chunks[position], self.earlier
            )
            self.reporter.written(self._done(here), "resource pages", self.pages)
        for check in self.checks:
            self._raise_error(self._result(check))
        written: list[PageFiles] = []
        for position, future in enumerate(self.futures):
            if position in here:
                pages = here[position]
            else:
                result = self._result(future)
                self._raise_error(result)
                pages = result[0]
                self.renderer.context.alternates.rdfxml_fallbacks += result[1]
                self.reporter.written(self._done(here), "resource pages", self.pages)
            written += pages
        return written

    def _done(self, here: Mapping[int, list[PageFiles]]) -> int:
        """Resource pages written so far, here and by the workers."""
        pairs = enumerate(zip(self.chunks, self.futures, strict=True))
        return sum(
            len(chunk)
            for position, (chunk, future) in pairs
            if position in here or (future.done() and not future.cancelled())
        )

    @staticmethod
    def _result(future: Future[_ChunkResult]) -> _ChunkResult:
        """A worker's result, waited for.

        Raises:
            WorkerError: the worker was killed (the pool is broken).
        """
        try:
            return future.result()
        except BrokenProcessPool:
            raise WorkerError.stopped(
                "writing pages",
                "run `samverkansgraf publish --jobs 1` (one process: less memory, "
                "slower), or free memory",
            ) from None

    @staticmethod
    def _raise_error(result: _ChunkResult) -> None:
        """Raise the ``PublishError`` a worker met again, here."""
        error = result[2]
        if error is not None:
            raise PublishError(error[0], hint=error[1])

    def __exit__(self, *exc: object) -> None:
        global _WORKER_RENDERER, _WORKER_EARLIER
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _WORKER_RENDERER, _WORKER_EARLIER = None, None


_T = TypeVar("_T")


def _in_own_thread(function: Callable[..., _T], *args: object) -> _T:
    """``function(*args)``, called in a thread of its own (and waited for).

    For pySHACL: rdflib's SPARQL parser (pyparsing) raises and catches
    exceptions while it backtracks, and each one keeps its traceback's frames
    in a reference cycle — the caller's frames too, which at national scale
    hold the whole indexed dataset (7.5 million objects at L). Called from
    here, those frames are the thread's own; the dataset is let go when
    ``publish_site`` returns instead of at the next full collection (7 s, at
    the CLI's exit), or never while objects are frozen for the workers.
    """
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(function, *args).result()


def _check_shapes(
    assembled: AssembledDataset,
    paths: ProjectPaths,
    loader: CachedLoader,
    loading: Future[ox.Store],
) -> None:
    """Refuse a dataset that fails the shapes: by document from the build
    cache's memory of the last build where it holds (the build's own check,
    which reads no whole-dataset store: at L 15 s became 0.4 s, and the pages
    waited 6 s for it), else the whole dataset's store once ``loading`` has it.

    Raises:
        NonConformanceError: the first violation.
    """
    report = validate_from_memory(paths, assembled, loader)
    if report is not None:
        report.raise_for_results()
        return
    check_conformance(assembled, paths, loading.result())


def publish_site(
    paths: ProjectPaths,
    out: str | Path = "site",
    *,
    settings: PublicationSettings | None = None,
    preview: bool = False,
    jobs: int | None = None,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """Validate the dataset and write the linked-data site atomically.

    Args:
        paths: the project.
        out: the site folder (replaced whole, or left as it was on any error);
            it must be new, empty or an earlier site (``atomic.atomic_directory``).
        settings: publication metadata (default: the project's publication.toml).
        preview: allow a missing ``[contact] email``: the record then lacks the
            mandatory ``vcard:hasEmail`` (the one DCAT-AP-SE violation allowed,
            and only then) and says it is not for harvesting; the result's
            ``preview`` is True. A site to look at before the publisher's
            mailbox is known — not one to register with a portal.
        jobs: worker processes that build the documents the build cache
            (``.build-cache``, shared with ``build``) does not hold, and
            processes that render, check and write the resource pages: this one
            and ``jobs - 1`` forked workers (default: one per CPU this process
            may use); one, or a site of fewer than ``PARALLEL_FROM`` pages, is
            written by this process alone. The site is byte for byte the same
            either way, and with or without the cache.
        full: render every resource page. By default a publish into the
            folder of the last publish links the files of each page whose
            view did not change from that site into the new one
            (``reuse``; its state is kept in the build cache): the same site,
            in a fraction of the time after a small edit.
        progress: called with a line as each step begins and, while files are
            written, with their count every ``PROGRESS_EVERY`` seconds (the
            CLI prints them on a terminal: minutes at national scale).

    Returns:
        Counts and timing.

    Raises:
        NonConformanceError: the graph fails the SHACL shapes — nothing is written.
        PublishError: the catalogue record fails its shapes (``shapes/dcat-ap/``,
            ``shapes/dcat-ap-se/``), the contact mailbox names a person, or
            contact data would be published.
        SourceError: ``[contact] email`` is not set in publication.toml (and
            this is no preview), or is not an e-mail address.
        SourceError, EvidenceError: bad input. OutputError: cannot write, or
            ``out`` is a folder publish did not write. WorkerError: a worker
            process was killed (out of memory?); the old site stays.
    """
    began = time.perf_counter()
    # Issue 16: never replace a folder publish did not write (a site from before
    # the output marker is known by its catalogue files). Checked before the
    # build, so a refused --out fails at once; atomic_directory checks again.
    check_output_directory(
        out, "publish", project_root=paths.root, recognise=_EARLIER_SITE
    )
    settings = settings or load_publication(paths.root)
    # Before the build: fail at once.
    mailbox = settings.record_mailbox(preview=preview)
    catalogue = load_catalogue(paths.queries_dir)  # the query page's
    reporter = _Reporter(progress)
    # The cyclic collector stays paused until the site is written, as in
    # ``build``: indexing a national graph makes tens of millions of objects,
    # and the collections they triggered walked all of them (measured at L:
    # 12 s of the 26 s before the pages, 21 s in this process in all). The
    # garbage cycles of a page are collected by the worker that wrote it.
    with paused_gc():
        return _publish(
            paths,
            Path(out),
            settings,
            mailbox,
            catalogue,
            _Options(preview, jobs, full),
            reporter,
            began,
        )


@dataclass(frozen=True)
class _Options:
    """``publish_site``'s choices, as ``_publish`` reads them."""

    preview: bool
    jobs: int | None
    full: bool


def _publish(
    paths: ProjectPaths,
    out: Path,
    settings: PublicationSettings,
    mailbox: str | None,
    catalogue: Mapping[str, QuerySpec],
    options: _Options,
    reporter: _Reporter,
    began: float,
) -> PublishResult:
    """The rest of ``publish_site``: build, check and write the site."""
    preview, jobs = options.preview, options.jobs
    reporter.step(
        "building the dataset (documents from the build cache where it holds)"
    )
    # The documents as `build` makes them: from the build cache where it still
    # holds, the others built (in worker processes when many) and kept there —
    # at national scale 30 s of building in one process become a few seconds
    # of reading after a build.
    cache = BuildCache.open(paths)
    loader = CachedLoader(cache, full=False, jobs=jobs)
    assembled = assemble_dataset(paths, load_documents=loader)
    # The dumps, their store and the union are made once: the store is
    # validated and answers the pages' alternates and the profiles; the union
    # is the pages' index.
    reporter.step(
        f"{len(assembled.documents):,} documents: checking the shapes and "
        "indexing the pages"
    )
    dumps = serialise_dataset(assembled)
    # Two more threads load the dumps' store and check the shapes while this
    # one indexes the union for the pages: Oxigraph works without the GIL, so
    # both cores work (at L the load, 4.4 s, costs nothing). Nothing is
    # written before the check has passed.
    with ThreadPoolExecutor(2, thread_name_prefix="shacl") as shapes:
        loading = shapes.submit(store_of, dumps)
        checking = shapes.submit(_check_shapes, assembled, paths, loader, loading)
        try:
            union = assembled.union_triples()
            renderer = SiteRenderer(
                assembled,
                settings,
                modified=data_modified(paths.root),
                catalogue=catalogue,
                preview=preview,
                dumps=dumps,
                store=loading.result(),
                union=union,
            )
        except Exception:
            refused = checking.exception()  # waits for the check
            if refused is not None:  # a graph the shapes refuse may break a page
                raise refused from None
            raise
        checking.result()
    if mailbox is not None:
        check_functional_mailbox(mailbox, union)
    del dumps  # the renderer lets each dump go once written
    report = _in_own_thread(
        validate_catalogue, renderer.record, load_dcat_shapes(paths.shapes_dir)
    )
    violations = report.violations
    if mailbox is None:
        # A preview's record lacks exactly the mailbox; nothing else is excused.
        violations = [v for v in violations if v.path != VCARD.hasEmail]
    if violations:
        first = violations[0]
        raise PublishError(
            f"the DCAT-AP-SE record does not conform: <{first.focus}> {first.message}",
            path=paths.root / "publication.toml",
            hint="complete the publication metadata",
        )
    # The earlier site's pages, linked where unchanged (``reuse``).
    fingerprint = page_fingerprint()
    earlier = None
    if cache is not None and not options.full:
        state = cache.load_pages_state(out)
        earlier = EarlierPages.of(state, out.resolve(), fingerprint)
    written: set[str] = set()
    replaced: set[str] = set()
    pages: list[PageFiles] = []
    # Each file is checked and written as it is made; any error (contact data,
    # a full disk) leaves the previous site as it was (atomic_directory). A path
    # made twice (the ontology's own page replaces its generic resource page)
    # keeps its last version, as it always has.
    with atomic_directory(
        out, "publish", project_root=paths.root, recognise=_EARLIER_SITE
    ) as work:
        made: set[str] = set()
        page_count = len(renderer.page_nodes())
        writers = _writers(jobs, page_count)
        reporter.step(
            f"writing {page_count:,} resource pages, their alternates and the other "
            "files "
            + (f"({writers} processes)" if writers > 1 else "(in this process)")
            + (
                ", unchanged pages linked from the earlier site"
                if earlier is not None
                else ""
            )
        )
        parallel: _PageWriters | None = None
        if writers > 1:
            unchecked = _write_unchecked_dumps(renderer, work, made)
            written.update(unchecked)
            parallel = _PageWriters(
                renderer, work, writers, unchecked, reporter, earlier
            )
        with parallel or contextlib.nullcontext():
            for relative, data in renderer.files(resource_pages=False):
                if (relative, data) == RESOURCE_PAGES:
                    pages = (
                        parallel.written()
                        if parallel is not None
                        else _write_pages_here(renderer, work, earlier, reporter)
                    )
                    for page in pages:
                        written.update(entry[0] for entry in page.files)
                    renderer.add_pages(page.page for page in pages)
                    continue
                # The configured mailbox is allowed in the record, nowhere else.
                allowed = (
                    frozenset({mailbox})
                    if mailbox is not None and relative in RECORD_FILES
                    else frozenset()
                )
                _write_checked(work, relative, data, allowed, made)
                if relative in written:
                    replaced.add(relative)
                written.add(relative)
                reporter.written(len(written), "files")
        if replaced:  # the next publish compares the files as they are now
            pages = [_as_written(page, work, replaced) for page in pages]
        # Every IRI the record, VoID and the ontology advertise under the base
        # URL must be answered by the site (checked before the site replaces
        # the old one).
        advertised = [renderer.record, renderer.void or Graph()]
        # Only the vocabulary graphs: asking for a document's graph builds it
        # (28 s for all documents at L).
        advertised += [
            assembled.graphs[iri] for iri in _VOCABULARY if iri in assembled.graphs
        ]
        missing = unresolvable_iris(advertised, settings.base_url, written)
        if missing:
            raise PublishError(
                f"{len(missing)} IRI(s) the site advertises would not resolve, "
                f"first: <{missing[0]}>",
                path=paths.root / "publication.toml",
                hint="an IRI under base_url must name a page or file of the site "
                "(publisher iri, sparql_endpoint …); use an external IRI otherwise",
            )
        # A site is for serving: world-readable like any web content.
        make_world_readable(work)
        if cache is not None:
            # Forgotten before the swap: a publish stopped between the swap
            # and the next line leaves no state of a site that is gone.
            cache.save_pages_state(out, None)
    if cache is not None:
        cache.save_pages_state(out, state_of(fingerprint, out.resolve(), pages))
    warnings = [f"{r.message}" for r in report.results if r.severity != "Violation"]
    result = PublishResult(
        out,
        sum(1 for path in written if path.endswith(".html")),
        len(written),
        time.perf_counter() - began,
        warnings,
        preview=mailbox is None,
        rdfxml_fallbacks=renderer.context.alternates.rdfxml_fallbacks,
        reused=sum(page.reused for page in pages),
    )
    log.info(
        "published %d pages (%d files) in %.1f s",
        result.pages,
        result.files,
        result.seconds,
    )
    if result.rdfxml_fallbacks:
        log.info("%d RDF/XML alternate(s) written by rdflib", result.rdfxml_fallbacks)
    return result
