"""Benchmark hooks for the stages other branches add (network analysis, the query
catalogue, publication).

Each hook takes a ``HookContext`` (the project and its freshly built ``dist/``)
and runs its stage once; ``benchmarks/run.py`` times it in its own process and
records its peak memory. A hook whose module is not merged yet raises
``StageMissing`` and the table says "n/a — stage not merged". To plug a stage
in, make its hook call the stage's public function (the bodies below guess the
names the issues give; adjust them when the module lands).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from samverkansgraf.sources import ProjectPaths

__all__ = ["HOOKS", "HookContext", "StageMissing"]


class StageMissing(Exception):  # noqa: N818 - a signal, not an error
    """The stage's module is not in this checkout."""


@dataclass
class HookContext:
    """What a hook gets."""

    paths: ProjectPaths
    """The (synthetic) project."""
    dist: Path
    """Its built dumps (``samverkansgraf.nq`` etc.)."""
    work: Path
    """A scratch directory for the stage's output."""


def _module(name: str) -> object:
    try:
        return importlib.import_module(f"samverkansgraf.{name}")
    except ImportError as exc:
        raise StageMissing(name) from exc


def network(ctx: HookContext) -> dict[str, object]:
    """Network construction and measures (``network.py``)."""
    module = _module("network")
    data = module.extract_network_data(ctx.dist / "samverkansgraf.nq")  # type: ignore[attr-defined]
    graphs = 0
    for name in (
        "build_bipartite_graph",
        "build_municipality_graph",
        "build_actor_graph",
    ):
        build = getattr(module, name, None)
        if build is not None:
            graph = build(data)
            graphs += 1
            analyses = getattr(module, "ANALYSES", {})
            for analysis in analyses.values():
                try:
                    analysis(graph, 42)
                except TypeError:
                    analysis(graph)
    return {"graphs": graphs}


def queries(ctx: HookContext) -> dict[str, object]:
    """Every catalogue query on the local engine (``catalogue.py``, ``query.py``)."""
    catalogue = _module("catalogue")
    query = _module("query")
    specs = catalogue.load_catalogue(ctx.paths.queries_dir)  # type: ignore[attr-defined]
    engine = query.OxigraphEngine.from_file(ctx.dist / "samverkansgraf.nq")  # type: ignore[attr-defined]
    timings = {}
    import time

    for spec in specs:
        start = time.perf_counter()
        query.run_query(spec, engine=engine)  # type: ignore[attr-defined]
        timings[spec.id] = round(time.perf_counter() - start, 4)
    return {"queries": timings}


def publish(ctx: HookContext) -> dict[str, object]:
    """The static linked-data site (``publish.py``)."""
    module = _module("publish")
    module.publish_site(ctx.paths, ctx.work / "site")  # type: ignore[attr-defined]
    return {}


HOOKS: dict[str, Callable[[HookContext], dict[str, object]]] = {
    "network": network,
    "queries": queries,
    "publish": publish,
}
"""Stage name → hook, in table order."""
