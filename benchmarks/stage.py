"""One benchmark process: time the stages of one pipeline on one project.

Usage (``benchmarks/run.py`` calls it; each run is its own process, so peak
memory is that pipeline's alone)::

    python -m benchmarks.stage fast PROJECT WORK
    python -m benchmarks.stage baseline PROJECT WORK
    python -m benchmarks.stage hook NAME PROJECT WORK
    python -m benchmarks.stage hook-baseline NAME PROJECT WORK

Input: a project directory (synthetic) and a scratch directory. Output: one JSON
line on stdout: per stage the seconds and the process's peak resident memory
(MB, ``getrusage`` max RSS) at the end of that stage, plus the triple count and
the SHA-256 of every dump (so the run can check both pipelines wrote the same
bytes).
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from samverkansgraf.build import DUMP_STEM, run_build
from samverkansgraf.sources import ProjectPaths
from samverkansgraf.validate import load_shapes, validate_nquads


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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


def _digests(dumps: dict[str, bytes]) -> dict[str, str]:
    return {suffix: hashlib.sha256(data).hexdigest() for suffix, data in dumps.items()}


def run_fast(paths: ProjectPaths, work: Path) -> dict[str, Any]:
    """``build.build`` itself, its steps timed through its ``clock`` hook."""
    clock = _Clock()
    start = time.perf_counter()
    result = run_build(paths, clock=clock.run)  # into the project's dist/
    # Validation runs beside serialisation (a second thread), so the stages
    # overlap: "full" is the wall time of the whole build.
    clock.stages["full"] = {
        "seconds": round(time.perf_counter() - start, 3),
        "peak_mb": _peak_mb(),
    }
    dumps = {
        path.name.removeprefix(DUMP_STEM): path.read_bytes()
        for path in result.outputs
        if path.name.startswith(DUMP_STEM)
    }
    assert result.validation is not None
    # The build validates beside the dump writers (a second thread); this times
    # validation alone on the dump it wrote, for a per-stage comparison.
    shapes = load_shapes(paths.shapes_dir)
    alone = clock.run("validate-alone", lambda: validate_nquads(dumps[".nq"], shapes))
    assert alone.conforms == result.validation.conforms
    return {
        "stages": clock.stages,
        "triples": sum(
            result.assembled.graphs.triple_count(i) for i in result.assembled.graphs
        ),
        "documents": len(result.assembled.documents),
        "conforms": result.validation.conforms,
        "results": len(result.validation.results),
        "engine": result.validation.engine,
        "dumps": _digests(dumps),
    }


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
        "dumps": _digests(dumps),
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
    kind = argv[0]
    if kind in ("hook", "hook-baseline"):
        result = run_hook(
            argv[1],
            ProjectPaths(Path(argv[2])),
            Path(argv[3]),
            baseline=kind == "hook-baseline",
        )
    else:
        runner = {"fast": run_fast, "baseline": run_baseline}[kind]
        result = runner(ProjectPaths(Path(argv[1])), Path(argv[2]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
