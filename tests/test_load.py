"""A bounded load test on loopback (issue 10): 8 concurrent clients × 200
catalogue queries against a read-only Oxigraph server complete with zero errors;
the latency percentiles are reported (and written to tests/artefacts/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samverkansgraf.query.catalogue import load_catalogue
from samverkansgraf.query.endpoint import run_load_test, start_server
from samverkansgraf.sources import ProjectPaths

ARTEFACTS = Path(__file__).parent / "artefacts"


@pytest.mark.network
@pytest.mark.slow
def test_eight_clients_times_two_hundred_queries_without_errors(
    built_project: ProjectPaths,
) -> None:
    specs = list(load_catalogue(built_project.queries_dir).values())
    params = {
        spec.id: {"resource": "skgid:commitment/hedemora-2019-2022/6-3"}
        for spec in specs
        if any(p.name == "resource" for p in spec.parameters)
    }
    dump = built_project.dist_dir / "samverkansgraf.nq"
    # Through the result-size-limiting proxy, as `samverkansgraf serve` runs it.
    with start_server(
        dump, read_only=True, timeout_s=30, max_result_bytes=64 * 2**20
    ) as server:
        report = run_load_test(
            server.query_url, specs, clients=8, queries_per_client=200, params=params
        )
    assert report.queries == 1600
    assert report.errors == 0
    assert 0 < report.p50_ms <= report.p95_ms <= report.max_ms
    ARTEFACTS.mkdir(exist_ok=True)
    summary = {
        "clients": report.clients,
        "queries": report.queries,
        "errors": report.errors,
        "seconds": round(report.seconds, 2),
        "queries_per_second": round(report.queries_per_second, 1),
        "p50_ms": round(report.p50_ms, 1),
        "p95_ms": round(report.p95_ms, 1),
        "max_ms": round(report.max_ms, 1),
    }
    (ARTEFACTS / "load-test.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nload test: {summary}")
