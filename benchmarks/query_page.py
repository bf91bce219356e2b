"""The query page in a browser: page weight, engine start, time to first result.

Usage: ``python -m benchmarks.query_page [--scales real,L] [--out benchmarks/results]``.

For each dataset — the real data (assembled from the project) and, at ``L``,
a synthetic all-Sweden project of ~1M triples (``samverkansgraf synth`` then
``samverkansgraf build``) — a minimal site is written: ``query.html``, its
``assets/`` and ``download/samverkansgraf.trig``, exactly as ``publish`` writes
them (``publish.querypage``). ``serve-site`` serves it to headless Chromium,
which opens the shareable URL of query 13 (county 18) and reports when the
engine was ready and when the first result showed (milliseconds since the
navigation began), then runs every catalogue query with its defaults (21 with
a commitment of the data) in the same tab. Output: a table on stdout and
``query-page.{json,md}`` in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium_driver, wait_for  # noqa: E402
from samverkansgraf.publish.querypage import query_page_files  # noqa: E402
from samverkansgraf.publish.server import running_site_server  # noqa: E402
from samverkansgraf.publish.settings import load_publication  # noqa: E402
from samverkansgraf.query.catalogue import load_catalogue  # noqa: E402
from samverkansgraf.query.engines import bound_query_text  # noqa: E402
from samverkansgraf.sources import ProjectPaths  # noqa: E402

SHARE_URL = "query.html?name=13_municipalities_in_no_activity&county=18"
L_TRIPLES = 1_000_000


def real_trig(work: Path) -> tuple[Path, int]:
    """The real data's TriG dump (assembled and serialised as the build does)."""
    from samverkansgraf.build import assemble_dataset, serialise_dataset

    assembled = assemble_dataset(ProjectPaths(ROOT))
    dumps = serialise_dataset(assembled)
    path = work / "real.trig"
    path.write_bytes(dumps[".trig"])
    return path, len(assembled.union())


def synthetic_trig(work: Path, triples: int) -> tuple[Path, int]:
    """A synthetic national project built with the CLI; its TriG dump."""
    project = work / "synth"
    cli = [sys.executable, "-m", "samverkansgraf"]
    subprocess.run(
        [*cli, "synth", "--scale", str(triples), "--seed", "1", "--out", str(project)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*cli, "--project", str(project), "build"], check=True, capture_output=True
    )
    report = json.loads((project / "dist" / "build-report.json").read_text())
    return project / "dist" / "samverkansgraf.trig", int(report["triples"])


def write_site(site: Path, trig: Path, triples: int) -> dict[str, int]:
    """The query page, its assets and the dump; returns bytes by file."""
    catalogue = load_catalogue(ROOT / "queries")
    sizes = {}
    for path, data in query_page_files(
        catalogue.values(),
        load_publication(ROOT),
        trig_bytes=trig.stat().st_size,
        triples=triples,
    ):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(data)
        sizes[path] = len(data)
    # serve-site serves published sites only (it checks for index.html).
    (site / "index.html").write_text('<a href="query.html">query.html</a>\n')
    (site / "download").mkdir(parents=True, exist_ok=True)
    try:
        os.link(trig, site / "download" / "samverkansgraf.trig")
    except OSError:  # another file system
        shutil.copyfile(trig, site / "download" / "samverkansgraf.trig")
    sizes["download/samverkansgraf.trig"] = trig.stat().st_size
    return sizes


def _run_in_page(driver: Any, text: str, limit: float) -> dict[str, Any]:
    """Run ``text`` in the page's engine; polled, so a slow query cannot hit
    the WebDriver's own HTTP timeout. Past ``limit`` seconds the page stops
    it (its worker is replaced and loads the data again) and it counts as
    timed out."""
    driver.execute_script(
        "window.__answer = null; const t0 = performance.now();"
        "window.samverkansgrafWorkbench.select(arguments[0]).then("
        "r => { window.__answer = {rows: r.rows, engine_ms: r.ms,"
        " ms: performance.now() - t0}; },"
        "e => { window.__answer = {error: String(e)}; });",
        text,
    )
    began = time.monotonic()
    while time.monotonic() - began < limit:
        answer = driver.execute_script("return window.__answer")
        if answer is not None:
            return dict(answer)
        time.sleep(0.25)
    driver.execute_script("window.samverkansgrafWorkbench.stop()")
    wait_for(
        driver,
        "return window.__ready || (window.samverkansgrafWorkbench.ready()"
        ".then(() => { window.__ready = true; }), false)",
        limit * 4,
    )
    driver.execute_script("window.__ready = false")
    return {"error": f"stopped after {limit:g} s", "ms": limit * 1000}


def measure(site: Path, timeout: float, limit: float = 120.0) -> dict[str, Any]:
    """Open the share URL, then run the whole catalogue in the same tab."""
    catalogue = load_catalogue(ROOT / "queries")
    with running_site_server(site) as base, chromium_driver() as driver:
        driver.set_script_timeout(timeout)
        # selenium's own HTTP client gives up after 120 s by default.
        driver.command_executor.client_config.timeout = timeout
        started = time.perf_counter()
        driver.get(base + SHARE_URL)
        wait_for(
            driver,
            "return document.querySelector('#results .summary, #status.error')",
            timeout,
        )
        wall = time.perf_counter() - started
        status = driver.execute_script(
            "return document.getElementById('status').textContent"
        )
        timings = driver.execute_script("return window.samverkansgrafWorkbench.timings")
        rows = driver.execute_script(
            "return document.querySelectorAll('#results-table tbody tr').length"
        )
        print(
            f"  first result {timings.get('firstResult', 0) / 1000:.2f} s "
            f"(engine ready {timings.get('engineReady', 0) / 1000:.2f} s)",
            flush=True,
        )
        queries = []
        for spec in catalogue.values():
            values = (
                {"resource": "skgid:commitment/hedemora-2019-2022/6-3"}
                if spec.id.startswith("21_")
                else {}
            )
            answer = _run_in_page(driver, bound_query_text(spec, values), limit)
            print(f"  {spec.id}: {answer}", flush=True)
            queries.append({"query": spec.id, **answer})
    return {
        "share_url": SHARE_URL,
        "status": status,
        "rows": rows,
        "engine_ready_ms": timings.get("engineReady"),
        "first_result_ms": timings.get("firstResult"),
        "engine_ms": timings.get("engine"),
        "wall_s": wall,
        "queries": queries,
        "catalogue_ms": sum(q.get("ms", 0) for q in queries),
    }


def main() -> None:
    """Measure each scale and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="real,L")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--l-project",
        type=Path,
        help="an already built synthetic project to use at L (skips synth and build)",
    )
    args = parser.parse_args()
    report: dict[str, Any] = {
        "machine": f"{platform.node()} ({os.cpu_count()} cores)",
        "chromium": subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "scales": {},
    }
    for scale in args.scales.split(","):
        print(f"{scale}: preparing the data", flush=True)
        work_root = ROOT / "benchmarks" / ".work"
        work_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=work_root) as scratch:
            work = Path(scratch)
            if scale == "real":
                trig, triples = real_trig(work)
            elif args.l_project is not None:
                report_file = args.l_project / "dist" / "build-report.json"
                trig = args.l_project / "dist" / "samverkansgraf.trig"
                triples = int(json.loads(report_file.read_text())["triples"])
            else:
                trig, triples = synthetic_trig(work, L_TRIPLES)
            sizes = write_site(work / "site", trig, triples)
            result = measure(work / "site", args.timeout)
            weight = {
                "page_and_code": sum(
                    v
                    for k, v in sizes.items()
                    if k.endswith((".html", ".js", ".css"))
                    and "vendor/oxigraph" not in k
                ),
                "engine": sizes["assets/vendor/oxigraph/web_bg.wasm"]
                + sizes["assets/vendor/oxigraph/web.js"],
                "dataset": sizes["download/samverkansgraf.trig"],
            }
            report["scales"][scale] = {"triples": triples, "bytes": weight, **result}
        entry = report["scales"][scale]
        print(
            f"{scale}: {triples} triples, dataset {weight['dataset'] / 1024:.0f} KB; "
            f"engine ready {entry['engine_ready_ms'] / 1000:.2f} s, first result "
            f"{entry['first_result_ms'] / 1000:.2f} s after navigation; whole "
            f"catalogue {entry['catalogue_ms'] / 1000:.2f} s"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "query-page.json").write_text(json.dumps(report, indent=1) + "\n")
    lines = [
        "# The query page in headless Chromium",
        "",
        f"{report['chromium']} on {report['machine']}; "
        "`python -m benchmarks.query_page`.",
        "",
        "| data | triples | dataset KB | engine ready s | first result s "
        "| catalogue s | slowest query |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for scale, entry in report["scales"].items():
        slowest = max(entry["queries"], key=lambda q: q.get("ms", 0))
        dataset_kb = entry["bytes"]["dataset"] / 1024
        lines.append(
            f"| {scale} | {entry['triples']:,} | {dataset_kb:,.0f} | "
            f"{entry['engine_ready_ms'] / 1000:.2f} | "
            f"{entry['first_result_ms'] / 1000:.2f} | "
            f"{entry['catalogue_ms'] / 1000:.2f} | {slowest['query']} "
            f"({slowest.get('ms', 0) / 1000:.2f} s) |"
        )
    lines += ["", "Per query (ms, rows):", ""]
    names = [q["query"] for q in next(iter(report["scales"].values()))["queries"]]
    lines.append("| query | " + " | ".join(report["scales"]) + " |")
    lines.append("|---|" + "---:|" * len(report["scales"]))
    for i, name in enumerate(names):
        cells = []
        for entry in report["scales"].values():
            q = entry["queries"][i]
            cells.append(
                f"{q['ms']:.0f} ({q['rows']})" if "rows" in q else q.get("error", "")
            )
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    (args.out / "query-page.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
