"""One benchmark process: time the stages of one pipeline on one project.

Usage (``benchmarks/run.py`` calls it; each run is its own process, so peak
memory is that pipeline's alone)::

    python -m benchmarks.stage fast PROJECT WORK        # a full build (cold cache)
    python -m benchmarks.stage rebuild PROJECT WORK     # after a one-document edit
    python -m benchmarks.stage limit PROJECT WORK       # the I/O limit
    python -m benchmarks.stage baseline PROJECT WORK
    python -m benchmarks.stage hook NAME PROJECT WORK
    python -m benchmarks.stage hook-baseline NAME PROJECT WORK

Input: a project directory (synthetic) and a scratch directory. Output: one JSON
line on stdout: per stage the seconds and the peak resident memory (MB) of the
process *and its worker processes together* (their proportional set sizes),
sampled every 20 ms or, for large processes, less often (the sampler takes at
most a tenth of a core), at the end of that stage, plus the triple count and
a digest of the dumps' quads (so the run can check both pipelines wrote the
same dataset).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from samverkansgraf.build import DUMP_STEM, run_build
from samverkansgraf.sources import ProjectPaths
from samverkansgraf.validate import load_shapes, validate_nquads


def _tree_rss_kb(pid: int) -> int:
    """Memory of ``pid`` and all its descendants (kB): the sum of their
    proportional set sizes (``Pss``: a page shared by forked workers counts
    once in all, not once per process), from /proc."""
    total, waiting = 0, [pid]
    while waiting:
        current = waiting.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    waiting += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    return total


_SAMPLER = """
import os, sys, time
from benchmarks.stage import _tree_rss_kb
pid, peak = int(sys.argv[1]), 0
try:
    while os.path.exists(f"/proc/{pid}"):
        start = time.perf_counter()
        peak = max(peak, _tree_rss_kb(pid) - _tree_rss_kb(os.getpid()))
        sys.stdout.write(f"{peak}\\n")
        sys.stdout.flush()
        # Reading smaps_rollup walks a process's page tables (33 ms for 3 GB):
        # sampling every 20 ms regardless kept ~80 % of a core busy beside a
        # national publish (157 s measured instead of 116 s). At most a tenth.
        time.sleep(max(0.02, 9 * (time.perf_counter() - start)))
except BrokenPipeError:  # the measured process has ended
    pass
"""


class _Memory:
    """The peak of ``_tree_rss_kb`` over the life of this process, sampled by a
    separate process (a thread here would keep the build from forking its
    workers: it forks only a process without other threads)."""

    def __init__(self) -> None:
        self.sampler = subprocess.Popen(
            [sys.executable, "-c", _SAMPLER, str(os.getpid())],
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.sampler.stdout is not None
        os.set_blocking(self.sampler.stdout.fileno(), False)
        self.peak = 0

    def peak_mb(self) -> float:
        assert self.sampler.stdout is not None
        for line in self.sampler.stdout.readlines():
            if line.strip():
                self.peak = max(self.peak, int(line))
        self.peak = max(self.peak, _tree_rss_kb(os.getpid()) - self._sampler_kb())
        return round(self.peak / 1024, 1)

    def _sampler_kb(self) -> int:
        return _tree_rss_kb(self.sampler.pid)


MEMORY: _Memory | None = None


def _peak_mb() -> float:
    assert MEMORY is not None
    return MEMORY.peak_mb()


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        """Run ``action``, adding its time to the stage ``name``."""
        start = time.perf_counter()
        result = action()
        before = self.stages.get(name, {}).get("seconds", 0.0)
        self.stages[name] = {
            "seconds": round(before + time.perf_counter() - start, 3),
            "peak_mb": _peak_mb(),
        }
        return result

    def total(self, name: str, start: float) -> None:
        """Record the wall time since ``start`` as stage ``name``."""
        self.stages[name] = {
            "seconds": round(time.perf_counter() - start, 3),
            "peak_mb": _peak_mb(),
        }


def quads_digest(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> str:
    """A digest of the quads of a dump, whoever wrote it: each quad as Oxigraph
    writes it, sorted (the datasets have no blank nodes)."""
    lines = sorted({str(quad) for quad in ox.parse(data, format=fmt)})
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _build_stages(clock: _Clock, paths: ProjectPaths, *, full: bool) -> dict[str, Any]:
    start = time.perf_counter()
    result = run_build(paths, full=full, clock=clock.run)  # into the project's dist/
    # Validation runs beside the writing (a second thread), so the stages
    # overlap: the total is the wall time of the whole build.
    clock.total("full" if full else "rebuild", start)
    assert result.validation is not None
    return {
        "result": result,
        "triples": sum(
            result.assembled.graphs.triple_count(i) for i in result.assembled.graphs
        ),
        "documents": len(result.assembled.documents),
        "conforms": result.validation.conforms,
        "results": len(result.validation.results),
        "engine": result.validation.engine,
        "built": result.built,
        "revalidated": result.revalidated,
    }


def run_fast(paths: ProjectPaths, work: Path, *, alone: bool = True) -> dict[str, Any]:
    """A full build (``build --full``: every document built, the whole dataset
    validated), its steps timed through its ``clock`` hook; then (``alone``) the
    whole dump validated again in one store, for comparison."""
    clock = _Clock()
    found = _build_stages(clock, paths, full=True)
    result = found.pop("result")
    nquads = paths.dist_dir / f"{DUMP_STEM}.nq"
    # The build validates beside the dump writers; this times validation alone on
    # the dump it wrote, for a per-stage comparison.
    data = nquads.read_bytes()
    if alone:
        shapes = load_shapes(paths.shapes_dir)
        report = clock.run("validate-alone", lambda: validate_nquads(data, shapes))
        assert report.conforms == result.validation.conforms
    found["stages"] = clock.stages
    found["dumps"] = quads_digest(data)
    found["sizes_mb"] = {
        path.name: round(path.stat().st_size / 2**20, 1) for path in result.outputs
    }
    return found


def edit_one_document(paths: ProjectPaths) -> Path:
    """Change one label of the middle curated document (what a curator does)."""
    files = sorted(paths.curated_dir.glob("*.ttl"))
    path = files[len(files) // 2]
    text = path.read_text("utf-8")
    marker = '"@sv'
    index = text.index(marker)
    path.write_text(text[:index] + " (ändrad)" + text[index:], "utf-8")
    return path


def run_rebuild(paths: ProjectPaths, work: Path) -> dict[str, Any]:
    """A rebuild after a one-document edit (the project was built before)."""
    edit_one_document(paths)
    clock = _Clock()
    found = _build_stages(clock, paths, full=False)
    found.pop("result")
    found["stages"] = clock.stages
    return found


def run_limit(paths: ProjectPaths, work: Path) -> dict[str, Any]:
    """The I/O limit of the same work: Oxigraph alone (no Python per triple)
    parses every Turtle input into a store and writes the four dumps of the
    build, synced to disk as the build's are."""
    clock = _Clock()
    store = ox.Store()
    inputs = [
        *sorted(paths.ontology_dir.glob("*.ttl")),
        *sorted(paths.reference_dir.glob("*.ttl")),
        *sorted(paths.curated_dir.glob("*.ttl")),
    ]

    def parse() -> None:
        for number, path in enumerate(inputs):
            store.bulk_load(
                path=str(path),
                format=ox.RdfFormat.TURTLE,
                base_iri=path.resolve().as_uri(),
                to_graph=ox.NamedNode(f"urn:x-graph:{number}"),
            )

    def dump(fmt: ox.RdfFormat, suffix: str) -> None:
        target = work / f"limit{suffix}"
        with target.open("wb") as stream:
            if fmt.supports_datasets:
                store.dump(stream, format=fmt)
            else:  # Turtle: the union, graph after graph, as the build writes it
                for number in range(len(inputs)):
                    graph = ox.NamedNode(f"urn:x-graph:{number}")
                    store.dump(stream, format=fmt, from_graph=graph)
            stream.flush()
            os.fsync(stream.fileno())

    work.mkdir(parents=True, exist_ok=True)
    clock.run("parse", parse)
    for fmt, suffix in (
        (ox.RdfFormat.N_QUADS, ".nq"),
        (ox.RdfFormat.TRIG, ".trig"),
        (ox.RdfFormat.TURTLE, ".ttl"),
        (ox.RdfFormat.JSON_LD, ".jsonld"),
    ):
        clock.run(f"dump{suffix}", lambda f=fmt, s=suffix: dump(f, s))
    seconds = {name: stage["seconds"] for name, stage in clock.stages.items()}
    clock.stages["limit"] = {
        "seconds": round(sum(seconds.values()), 3),
        "peak_mb": _peak_mb(),
    }
    clock.stages["limit-two-dumps"] = {
        "seconds": round(
            seconds["parse"] + seconds["dump.nq"] + seconds["dump.trig"], 3
        ),
        "peak_mb": _peak_mb(),
    }
    return {"stages": clock.stages, "quads": len(store)}


def run_baseline(paths: ProjectPaths, work: Path) -> dict[str, Any]:
    """The straightforward pipeline (``benchmarks/baseline.py``)."""
    from benchmarks.baseline import (
        assemble_baseline,
        serialise_baseline,
        validate_baseline,
    )

    clock = _Clock()
    assembled = clock.run("assemble", lambda: assemble_baseline(paths))
    dumps = clock.run("serialise", lambda: serialise_baseline(assembled))
    report = clock.run("validate", lambda: validate_baseline(assembled.union(), paths))
    return {
        "stages": clock.stages,
        "triples": sum(len(g) for g in assembled.graphs.values()),
        "conforms": report.conforms,
        "results": len(report.results),
        "dumps": quads_digest(dumps[".nq"]),
    }


def run_hook(
    name: str, paths: ProjectPaths, work: Path, *, baseline: bool = False
) -> dict[str, Any]:
    """One hook of ``benchmarks/hooks.py`` (or its baseline) on the built dumps."""
    from benchmarks.hooks import BASELINES, HOOKS, HookContext, StageMissing

    clock = _Clock()
    queries = Path(__file__).resolve().parents[1] / "queries"
    context = HookContext(paths, paths.dist_dir, work / name, queries)
    hook = (BASELINES if baseline else HOOKS)[name]
    try:
        extra = clock.run(name, lambda: hook(context))
    except StageMissing as missing:
        return {"missing": str(missing)}
    except Exception as exc:  # a hook whose guessed API does not match yet
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"stages": clock.stages, "extra": extra}


def main(argv: list[str]) -> None:
    """Run one pipeline and print its JSON line."""
    global MEMORY
    MEMORY = _Memory()
    kind = argv[0]
    if kind in ("hook", "hook-baseline"):
        result = run_hook(
            argv[1],
            ProjectPaths(Path(argv[2])),
            Path(argv[3]),
            baseline=kind == "hook-baseline",
        )
    else:
        runner = {
            "fast": run_fast,
            "fast-only": partial(run_fast, alone=False),
            "rebuild": run_rebuild,
            "limit": run_limit,
            "baseline": run_baseline,
        }[kind]
        result = runner(ProjectPaths(Path(argv[1])), Path(argv[2]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
