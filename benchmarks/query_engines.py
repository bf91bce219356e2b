"""Measure the local query engines on the built dataset: load time of
dist/samverkansgraf.nq and time to run the whole query catalogue, for rdflib and
pyoxigraph, and check that both give the same answers.

Run after `samverkansgraf build`:

    .venv/bin/python benchmarks/query_engines.py [--repeat 5]

Prints one line per engine (median of the repeats) and exits 1 if the engines
disagree on any query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from samverkansgraf.query.catalogue import load_catalogue
from samverkansgraf.query.engines import ENGINES, dataset_file, run_query
from samverkansgraf.sources import find_project_root

# Parameters for queries that have no default.
REQUIRED = {
    "21_evidence_of_resource": {"resource": "skgid:agreement/hedemora-2019-2022"}
}


def main() -> int:
    """Time every engine; return 1 when their answers differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per engine")
    args = parser.parse_args()
    paths = find_project_root()
    dump = dataset_file(paths)
    catalogue = load_catalogue(paths.queries_dir)
    answers: dict[str, dict[str, list[tuple[str, ...]]]] = {}
    print(
        f"dataset: {dump} ({dump.stat().st_size / 1024:.0f} KiB), "
        f"{len(catalogue)} queries, median of {args.repeat} runs"
    )
    for name, load in ENGINES.items():
        loads, runs, slowest = [], [], {}
        for _ in range(args.repeat):
            started = time.perf_counter()
            engine = load(dump)
            loads.append(time.perf_counter() - started)
            total = 0.0
            for spec in catalogue.values():
                started = time.perf_counter()
                result = run_query(spec, REQUIRED.get(spec.id), engine=engine)
                elapsed = time.perf_counter() - started
                total += elapsed
                slowest[spec.id] = max(slowest.get(spec.id, 0.0), elapsed)
                answers.setdefault(name, {})[spec.id] = result.canonical()
            runs.append(total)
        worst = max(slowest, key=slowest.__getitem__)
        print(
            f"{name:9s} load {statistics.median(loads) * 1000:8.1f} ms   "
            f"catalogue {statistics.median(runs) * 1000:8.1f} ms   "
            f"slowest query {worst} {slowest[worst] * 1000:.1f} ms"
        )
    first, *others = answers.values()
    differ = [q for other in others for q in first if first[q] != other[q]]
    print("answers identical" if not differ else f"answers differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
