"""Benchmark hooks for the stages after the build: network analysis, the query
catalogue, publication.

Each hook takes a ``HookContext`` (the project and its freshly built ``dist/``)
and runs its stage once through the stage's public functions
(``samverkansgraf.network``, ``samverkansgraf.query.catalogue`` and
``.engines``, ``samverkansgraf.publish``); ``benchmarks/run.py`` times it in its
own process and records its peak memory. A hook whose module cannot be imported
raises ``StageMissing`` and the table says "n/a — stage not merged"; a hook that
fails is reported as "n/a — hook failed: …" with the error, not as a crash.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samverkansgraf.sources import ProjectPaths

__all__ = ["BASELINES", "HOOKS", "HookContext", "StageMissing"]


class StageMissing(Exception):  # noqa: N818 - a signal, not an error
    """The stage's module cannot be imported from this checkout."""


@dataclass
class HookContext:
    """What a hook gets."""

    paths: ProjectPaths
    """The (synthetic) project."""
    dist: Path
    """Its built dumps (``samverkansgraf.nq`` etc.): the project's ``dist/``."""
    work: Path
    """A scratch directory for the stage's output."""
    queries: Path
    """The query catalogue (the real project's ``queries/``)."""


def _module(name: str) -> object:
    try:
        return importlib.import_module(f"samverkansgraf.{name}")
    except ImportError as exc:
        raise StageMissing(name) from exc


def _network_data_file(ctx: HookContext) -> Path:
    """Where ``network`` leaves the extracted data for ``network_measures``."""
    return ctx.work.parent / "network-data.pickle"


def _build_network_graphs(module: Any, data: Any) -> dict[str, Any]:
    return {
        name: getattr(module, f"build_{name}_graph")(data)
        for name in ("bipartite", "municipality", "actor")
    }


def network(ctx: HookContext) -> dict[str, object]:
    """Network construction (``samverkansgraf.network``): the dump read into
    pyoxigraph, the network queries, the three networkx graphs."""
    import pickle

    module: Any = _module("network")
    data = module.extract_network_data(ctx.dist / "samverkansgraf.nq")
    graphs = _build_network_graphs(module, data)
    _network_data_file(ctx).write_bytes(pickle.dumps(data))
    return {"nodes": {name: g.number_of_nodes() for name, g in graphs.items()}}


def network_rdflib(ctx: HookContext) -> dict[str, object]:
    """Baseline of ``network``: the same queries on rdflib's in-memory parse."""
    module: Any = _module("network")
    graph = module.load_network_graph(ctx.dist / "samverkansgraf.nq")
    data = module.extract_network_data(graph)
    graphs = _build_network_graphs(module, data)
    return {"nodes": {name: g.number_of_nodes() for name, g in graphs.items()}}


def network_measures(ctx: HookContext) -> dict[str, object]:
    """Every measure of the three graphs (networkx: exact weighted betweenness,
    Burt's constraint, PageRank, eigenvector, clustering, Louvain), on the data
    ``network`` extracted; the 290-municipality projection timed on its own."""
    import pickle

    module: Any = _module("network")
    data = pickle.loads(_network_data_file(ctx).read_bytes())
    seconds = {}
    for name, graph in _build_network_graphs(module, data).items():
        start = time.perf_counter()
        module.analyse_network(graph, name, seed=42)
        seconds[name] = round(time.perf_counter() - start, 3)
    return {"seconds": seconds}


def queries(ctx: HookContext) -> dict[str, object]:
    """Every catalogue query on the local Oxigraph engine
    (``samverkansgraf.query``: ``catalogue`` and ``engines``); ``queries_rdflib``
    is its baseline."""
    catalogue: Any = _module("query.catalogue")
    query: Any = _module("query.engines")
    specs = catalogue.load_catalogue(ctx.queries)
    engine = query.OxigraphEngine.from_file(ctx.dist / "samverkansgraf.nq")
    timings: dict[str, object] = {}
    for name, spec in sorted(specs.items()):
        missing = [
            p.name
            for p in getattr(spec, "parameters", ())
            if getattr(p, "required", False) and getattr(p, "default", None) is None
        ]
        if missing:  # no value to bind on synthetic data
            timings[name] = f"skipped (needs {', '.join(missing)})"
            continue
        start = time.perf_counter()
        query.run_query(spec, engine=engine)
        timings[name] = round(time.perf_counter() - start, 4)
    return {"queries": timings}


def queries_rdflib(ctx: HookContext) -> dict[str, object]:
    """Baseline of ``queries``: the same catalogue on rdflib's in-memory SPARQL."""
    catalogue: Any = _module("query.catalogue")
    query: Any = _module("query.engines")
    specs = catalogue.load_catalogue(ctx.queries)
    engine = query.ENGINES["rdflib"](ctx.dist / "samverkansgraf.nq")
    for _, spec in sorted(specs.items()):
        if any(p.required and p.default is None for p in spec.parameters):
            continue
        query.run_query(spec, engine=engine)
    return {}


def _publish_settings(ctx: HookContext) -> Any:
    """The project's publication settings (a synthetic mailbox where it has
    none), with the real project's query catalogue copied in for the query
    page (a synthetic project has none of its own)."""
    import shutil

    if not ctx.paths.queries_dir.is_dir():
        shutil.copytree(ctx.queries, ctx.paths.queries_dir)
    publication: Any = _module("publish.settings")
    settings = publication.load_publication(ctx.paths.root)
    if not settings.contact_email:  # a synthetic project: a synthetic mailbox
        settings = dataclasses.replace(settings, contact_email="data@example.org")
    return settings


def _site(ctx: HookContext) -> Path:
    """Where the ``publish`` hook writes its site (``republish`` publishes
    into it again)."""
    return ctx.work.parent / "publish" / "site"


def publish(ctx: HookContext) -> dict[str, object]:
    """The static linked-data site (``samverkansgraf.publish``) from the built
    ``dist/``, with the real project's query catalogue on its query page."""
    module: Any = _module("publish")
    settings = _publish_settings(ctx)
    module.publish_site(ctx.paths, _site(ctx), settings=settings)
    return {}


def republish(ctx: HookContext) -> dict[str, object]:
    """``publish`` again into the ``publish`` hook's site after one document
    is edited (the label ``benchmarks.stage.edit_one_document`` changes): the
    edited document is built, and the pages whose view did not change are
    linked from the earlier site."""
    from benchmarks.stage import edit_one_document

    module: Any = _module("publish")
    settings = _publish_settings(ctx)
    edit_one_document(ctx.paths)
    result = module.publish_site(ctx.paths, _site(ctx), settings=settings)
    return {"pages": result.pages, "reused": result.reused}


HOOKS: dict[str, Callable[[HookContext], dict[str, object]]] = {
    "network": network,
    "network_measures": network_measures,
    "queries": queries,
    "publish": publish,
    "republish": republish,
}
"""Stage name → hook, in table order."""

BASELINES: dict[str, Callable[[HookContext], dict[str, object]]] = {
    "network": network_rdflib,
    "queries": queries_rdflib,
}
"""Stage name → its straightforward baseline, run at ``HOOK_BASELINE_SCALES``.
``network_measures`` has none of its own: networkx (exact betweenness) is what
both pipelines run."""
