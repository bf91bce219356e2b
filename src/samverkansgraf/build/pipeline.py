"""Stage 3 — the build run: assemble, validate, write ``dist/``.

Input: the project. Output: the dumps in ``dist/`` (TriG, N-Quads, Turtle, JSON-LD)
and ``build-report.json``, written atomically, and a ``BuildResult``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

from .._gc import paused_gc
from ..atomic import (
    OUTPUT_MARKER,
    AtomicFiles,
    check_output_directory,
    holds_files,
    marker_text,
    write_files_atomically,
)
from ..rdfio import DUMP_FORMATS, N_QUADS
from ..sources import (
    ProjectPaths,
)
from ..validate import (
    ValidationReport,
    load_shapes,
    validate_graph,
    validate_nquads_taken,
)
from .dataset import DUMP_STEM, AssembledDataset, assemble_dataset, count_assembled
from .dumps import dump_chunks, nquads_bytes, serialise_dataset

log = logging.getLogger(__name__)


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
    return run_build(paths, out_dir, validate=validate, engine=engine)


def _is_earlier_build(folder: Path) -> bool:
    """A folder a build wrote before it left ``OUTPUT_MARKER``: it holds a dump."""
    return any(holds_files(f"{DUMP_STEM}{fmt.suffix}")(folder) for fmt in DUMP_FORMATS)


def _untimed(_name: str, action: Callable[[], Any]) -> Any:
    return action()


def run_build(
    paths: ProjectPaths,
    out_dir: str | Path | None = None,
    *,
    validate: bool = True,
    engine: str = "auto",
    clock: Callable[[str, Callable[[], Any]], Any] = _untimed,
) -> BuildResult:
    """``build`` with each step run through ``clock(name, action)`` (the benchmarks
    time ``assemble``, ``serialise``, ``validate`` and ``write`` with it).

    The fast path makes and stages the N-Quads dump first, validates it on
    Oxigraph in a second thread while it makes, stages and drops the other dumps
    one at a time, and renames all of them into place at the end (or removes
    them when the graph does not conform).
    """
    out = Path(out_dir) if out_dir is not None else paths.dist_dir
    # The build writes its own files into ``out`` and deletes nothing, but it must
    # not scatter them into a stranger's folder or the project's inputs: refuse
    # before the (long) assembly rather than after it.
    if out.resolve() != paths.dist_dir.resolve():  # dist/ is the build's own
        check_output_directory(
            out, "build", project_root=paths.root, recognise=_is_earlier_build
        )
    assembled = clock("assemble", lambda: assemble_dataset(paths))
    shapes = load_shapes(paths.shapes_dir) if validate else None
    counts = count_assembled(assembled)
    if engine == "pyshacl":
        dumps = clock("serialise", lambda: serialise_dataset(assembled, fast=False))
        report = None
        if shapes is not None:
            report = clock(
                "validate",
                lambda: validate_graph(assembled.union(), shapes, engine="pyshacl"),
            )
        if report is not None and not report.conforms:
            return BuildResult(assembled, report, [], counts)
        files = {out / f"{DUMP_STEM}{suffix}": data for suffix, data in dumps.items()}
        files[out / "build-report.json"] = _build_report(assembled, report, counts)
        files[out / OUTPUT_MARKER] = marker_text("build").encode("utf-8")
        written = clock("write", lambda: write_files_atomically(files))
        outputs = [path for path in written if path.name != OUTPUT_MARKER]
        return BuildResult(assembled, report, outputs, counts)
    with paused_gc():
        return _run_fast_build(assembled, out, shapes, engine, counts, clock)


def _run_fast_build(
    assembled: AssembledDataset,
    out: Path,
    shapes: Graph | None,
    engine: str,
    counts: dict[str, int],
    clock: Callable[[str, Callable[[], Any]], Any],
) -> BuildResult:
    """The fast build after assembly: the N-Quads dump first; then SHACL
    validation of it on Oxigraph in a background thread (pyoxigraph releases the
    GIL while it evaluates queries, so this uses the second core) while the
    other dumps are made and staged one at a time; all renamed into place at the
    end, or all removed when the graph does not conform."""
    # The validator takes the only reference to the N-Quads dump (holder.pop)
    # and drops it once Oxigraph has loaded it.
    holder = [clock("serialise", lambda: nquads_bytes(assembled))]
    writer = AtomicFiles()
    nq_target = out / f"{DUMP_STEM}{N_QUADS.suffix}"
    try:
        clock("write", lambda: writer.stage(nq_target, holder[0]))
    except BaseException:
        writer.abort()
        raise
    outcome: dict[str, Any] = {}

    def check() -> None:
        assert shapes is not None  # the checker thread runs only with shapes
        try:
            outcome["report"] = clock(
                "validate",
                lambda: validate_nquads_taken(holder.pop, shapes, engine=engine),
            )
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    checker = threading.Thread(target=check, name="shacl") if shapes else None
    if checker is not None:
        checker.start()
    else:
        holder.clear()
    later = dump_chunks(assembled)
    try:
        # dump_chunks yields the other dumps in DUMP_FORMATS order.
        for fmt in DUMP_FORMATS:
            if fmt is not N_QUADS:
                target = out / f"{DUMP_STEM}{fmt.suffix}"
                _stage_dump(writer, target, lambda: next(later)[1], clock)
        report = None
        if checker is not None:
            checker.join()
            if "error" in outcome:
                raise outcome["error"]
            report = outcome["report"]
        if report is not None and not report.conforms:
            writer.abort()
            return BuildResult(assembled, report, [], counts)
        report_bytes = _build_report(assembled, report, counts)
        clock("write", lambda: writer.stage(out / "build-report.json", report_bytes))
        writer.stage(out / OUTPUT_MARKER, marker_text("build").encode("utf-8"))
        order = [out / f"{DUMP_STEM}{fmt.suffix}" for fmt in DUMP_FORMATS]
        written = clock(
            "write", lambda: writer.commit(order + [out / "build-report.json"])
        )
        outputs = [path for path in written if path.name != OUTPUT_MARKER]
    except BaseException:
        if checker is not None and checker.is_alive():
            checker.join()
        writer.abort()
        raise
    return BuildResult(assembled, report, outputs, counts)


def _stage_dump(
    writer: AtomicFiles,
    target: Path,
    produce: Callable[[], bytes | Iterator[bytes]],
    clock: Callable[[str, Callable[[], Any]], Any],
) -> None:
    """Make one dump, stage it, and let it go (a dump made in chunks is written
    as it is made, and timed as serialisation)."""
    data = clock("serialise", produce)
    if isinstance(data, bytes):
        clock("write", lambda: writer.stage(target, data))
    else:
        clock("serialise", lambda: writer.stage(target, data))


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
