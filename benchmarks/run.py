"""Benchmarks at national scale: the pipeline beside its baseline and its I/O limit.

Usage: ``make bench`` (or ``python -m benchmarks.run [--scales S,M,L]
[--baseline-scales S,M] [--publish-scales S,M] [--out benchmarks/results]
[--no-readme]``; ``--scales XL`` runs the ~5M-triple project of docs/scale.md;
``make bench-l`` is ``make bench`` with publish at L too).

Input: the real project (its ontology, shapes and gazetteer). Steps, per scale
(S ~20k, M ~200k, L ~1.1M triples): generate a synthetic all-Sweden project
(``samverkansgraf synth``); measure, each in its own process so that peak memory
is its own (with its worker processes):

- the **I/O limit** of the same work: Oxigraph alone parses every Turtle input
  and writes the four dumps (no Python per triple), synced to disk;
- the **full build** (``build --full``: every document built, the whole dataset
  validated), its stages timed (assemble, write, validate overlap);
- the **rebuild** after one document is edited, as the library and as the
  ``samverkansgraf build`` command a curator runs (imports and summary included);
- the **baseline** (rdflib parse and serialisers, pySHACL) at S and M, its L figure
  extrapolated from the growth exponent between S and M, and marked so;
- every stage hook of ``benchmarks/hooks.py`` (network, queries, publish).

Output: a table on stdout, ``benchmarks/results/latest.{json,md}`` (each time beside
its baseline and its I/O limit measured in the same run, growth exponents, peak
memory) and the README's Performance figures, rewritten between its
``<!-- bench:begin -->`` and ``<!-- bench:end -->`` lines.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from samverkansgraf.devtools.synth import synth_project
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
SCALES = {"S": 20_000, "M": 200_000, "L": 1_100_000, "XL": 5_000_000}
DEFAULT_SCALES = "S,M,L"
STAGES = ("assemble", "write", "validate", "validate-alone", "full", "rebuild")
BASELINE_BUILD = ("assemble", "serialise")
BASELINE_FULL = ("assemble", "serialise", "validate")
SEED = 1
# Stages too slow for the budget at every scale: where they run. Publishing a
# page per resource at L (~60,000 pages, ~240,000 files) takes minutes by
# itself: `make bench` leaves it out, `make bench-l` (--publish-scales S,M,L)
# runs it too.
HOOK_SCALES = {"publish": ("S", "M"), "republish": ("S", "M")}
# Where each hook's baseline runs: the rdflib baseline of the query catalogue
# takes 23 s at S and minutes at M; the network's rdflib load is ~20 s at M.
HOOK_BASELINE_SCALES = {"queries": ("S",), "network": ("S", "M")}
# Issue 19's goals at L on the 2-core machine.
GOALS = {
    "full_seconds": 20.0,
    "full_peak_mb": 1024.0,
    "full_limit_ratio": 8.0,
    "rebuild_seconds": 3.0,
    "rebuild_limit_ratio": 1.5,
    "query_seconds": 0.5,
    "publish_seconds": 90.0,
    "publish_peak_mb": 1536.0,
    "republish_seconds": 10.0,
}
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _quiet_disk() -> None:
    """Flush what earlier stages left for the kernel to write before a stage is
    timed: publish at L leaves ~2 GB of files behind, and a rebuild timed while
    they were written back measured 3.3-3.5 s against 2.4-2.7 s with the disk
    idle — the earlier stage's cost, not the rebuild's. A curator's rebuild
    comes seconds to minutes after the last command, by when the kernel has
    written its files (Linux: within 30 s)."""
    os.sync()


def _child(args: list[str]) -> dict[str, Any]:
    """Run ``benchmarks.stage`` in a fresh interpreter (after ``_quiet_disk``)
    and return its JSON."""
    _quiet_disk()
    env = dict(os.environ, PYTHONHASHSEED="0")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.stage", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks.stage {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _command_rebuild(project: Path) -> dict[str, Any]:
    """``samverkansgraf build`` as a curator runs it, after a one-document edit:
    wall time, CPU time and peak memory of that process alone (``wait4``:
    ``RUSAGE_CHILDREN`` would give the largest of every child so far — the
    publish's 3.7 GB at L)."""
    from benchmarks.stage import edit_one_document

    edit_one_document(ProjectPaths(project))
    _quiet_disk()
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "samverkansgraf",
                "--project",
                str(project),
                "build",
            ],
            stdout=output,
            stderr=errors,
            text=True,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        errors.seek(0)
        stdout, stderr = output.read(), errors.read()
    if child.returncode != 0:
        raise RuntimeError(f"samverkansgraf build failed:\n{stderr[-3000:]}")
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "rebuilt_line": next(
            (line for line in stdout.splitlines() if line.startswith("rebuilt:")),
            "",
        ),
    }


def _with_totals(run: dict[str, Any]) -> dict[str, Any]:
    """Add the baseline's ``build`` (assemble + serialise) and ``full`` rows."""
    stages = run["stages"]
    for name, parts in (("build", BASELINE_BUILD), ("full", BASELINE_FULL)):
        present = [stages[p] for p in parts if p in stages]
        if present and name not in stages:
            stages[name] = {
                "seconds": round(sum(s["seconds"] for s in present), 3),
                "peak_mb": max(s["peak_mb"] for s in present),
            }
    return run


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(seconds) over log(triples)."""
    points = [(n, t) for n, t in points if n > 0 and t > 0]
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(
    scales: list[str],
    baseline_scales: set[str],
    out: Path,
    work: Path,
    hook_scales: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """Run every benchmark and return the results (also written to ``out``).

    ``hook_scales`` overrides ``HOOK_SCALES`` (where each slow hook runs)."""
    where = {**HOOK_SCALES, **(hook_scales or {})}
    started = time.perf_counter()
    project = ProjectPaths(ROOT)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "rdflib": version("rdflib"),
            "pyshacl": version("pyshacl"),
            "pyoxigraph": version("pyoxigraph"),
        },
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seed": SEED,
        "load_average": {"start": _load_average()},
        "scales": {},
    }
    from benchmarks.hooks import BASELINES, HOOKS

    for scale in scales:
        directory = work / scale
        shutil.rmtree(directory, ignore_errors=True)
        start = time.perf_counter()
        synth = synth_project(
            directory / "project", scale=SCALES[scale], seed=SEED, project=project
        )
        synth_seconds = round(time.perf_counter() - start, 3)
        _say(f"[{scale}] synth: {synth.documents} documents in {synth_seconds}s")
        args = [str(directory / "project"), str(directory)]
        entry: dict[str, Any] = {
            "target": SCALES[scale],
            "synth_seconds": synth_seconds,
        }
        entry["limit"] = _child(["limit", *args])
        _say(f"[{scale}] I/O limit: {entry['limit']['stages']['limit']['seconds']}s")
        # At XL, validating the whole dump in one store takes ~4 GB: not run.
        fast = _child(["fast" if scale != "XL" else "fast-only", *args])
        entry.update(triples=fast["triples"], documents=fast["documents"], fast=fast)
        _say(f"[{scale}] full build: {fast['stages']['full']['seconds']}s")
        if scale in baseline_scales:
            baseline = _with_totals(_child(["baseline", *args]))
            entry["baseline"] = baseline
            entry["same_dataset"] = baseline["dumps"] == fast["dumps"]
            entry["same_validation"] = (baseline["conforms"], baseline["results"]) == (
                fast["conforms"],
                fast["results"],
            )
            _say(f"[{scale}] baseline: {baseline['stages']['full']['seconds']}s")
        entry["hooks"] = {
            name: _child(["hook", name, *args])
            if scale in where.get(name, SCALES)
            else {"skipped": f"not run at {scale} (the 10-minute budget)"}
            for name in HOOKS
        }
        entry["hook_baselines"] = {
            name: _child(["hook-baseline", name, *args])
            for name in BASELINES
            if scale in HOOK_BASELINE_SCALES.get(name, ())
        }
        # Last: the rebuilds edit the project.
        entry["rebuild"] = _child(["rebuild", *args])
        _say(f"[{scale}] rebuild: {entry['rebuild']['stages']['rebuild']['seconds']}s")
        entry["command_rebuild"] = _command_rebuild(directory / "project")
        _say(f"[{scale}] command: {entry['command_rebuild']['seconds']}s")
        results["scales"][scale] = entry
        shutil.rmtree(directory, ignore_errors=True)
    _analyse(results, scales)
    results["load_average"]["end"] = _load_average()
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "latest.md").write_text(format_markdown(results))
    return results


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _seconds(entry: dict[str, Any], stage: str) -> float | None:
    """The seconds of one of our stages (``limit``: the I/O limit)."""
    if stage == "limit":
        return float(entry["limit"]["stages"]["limit"]["seconds"])
    found = entry["rebuild" if stage == "rebuild" else "fast"]["stages"].get(stage)
    return None if found is None else float(found["seconds"])


def _analyse(results: dict[str, Any], scales: list[str]) -> None:
    """Exponents, extrapolated baselines, ratios and the goals of issue #19."""
    data = results["scales"]
    exponents: dict[str, dict[str, float | None]] = {}
    for stage in (*STAGES, "limit"):
        fast = [
            (data[s]["triples"], seconds)
            for s in scales
            if (seconds := _seconds(data[s], stage)) is not None
        ]
        base = [
            (data[s]["triples"], data[s]["baseline"]["stages"][_base(stage)]["seconds"])
            for s in scales
            if "baseline" in data[s] and _base(stage) in data[s]["baseline"]["stages"]
        ]
        exponents[stage] = {"fast": _slope(fast), "baseline": _slope(base)}
    for name in next(iter(data.values()))["hooks"]:
        points = [
            (data[s]["triples"], data[s]["hooks"][name]["stages"][name]["seconds"])
            for s in scales
            if "stages" in data[s]["hooks"][name]
        ]
        base_points = [
            (
                data[s]["triples"],
                data[s]["hook_baselines"][name]["stages"][name]["seconds"],
            )
            for s in scales
            if "stages" in data[s].get("hook_baselines", {}).get(name, {})
        ]
        exponents[name] = {"fast": _slope(points), "baseline": _slope(base_points)}
    results["exponents"] = exponents
    measured = [s for s in scales if "baseline" in data[s]]
    for scale in scales:
        entry = data[scale]
        if "baseline" in entry or not measured:
            continue
        reference = data[measured[-1]]
        stages = {}
        for stage in ("assemble", "serialise", "build", "validate", "full"):
            slope = exponents.get(stage, {}).get("baseline") or _slope(
                [
                    (
                        data[s]["triples"],
                        data[s]["baseline"]["stages"][stage]["seconds"],
                    )
                    for s in measured
                ]
            )
            if slope is None or stage not in reference["baseline"]["stages"]:
                continue
            seconds = (
                reference["baseline"]["stages"][stage]["seconds"]
                * (entry["triples"] / reference["triples"]) ** slope
            )
            stages[stage] = {"seconds": round(seconds, 1), "peak_mb": None}
        entry["baseline"] = {"stages": stages, "extrapolated": True}
    for entry in data.values():
        limit = entry["limit"]["stages"]["limit"]["seconds"]
        full = entry["fast"]["stages"]["full"]["seconds"]
        rebuild = entry["rebuild"]["stages"]["rebuild"]["seconds"]
        base_full = entry.get("baseline", {}).get("stages", {}).get("full")
        entry["ratios"] = {
            "full_to_limit": round(full / limit, 1) if limit else None,
            "rebuild_to_limit": round(rebuild / limit, 2) if limit else None,
            "baseline_to_full": round(base_full["seconds"] / full, 1)
            if base_full
            else None,
        }
        queries = entry["hooks"].get("queries", {}).get("extra", {}).get("queries", {})
        timed = {k: v for k, v in queries.items() if isinstance(v, float | int)}
        if timed:
            slowest = max(timed, key=lambda k: timed[k])
            entry["slowest_query"] = {"name": slowest, "seconds": timed[slowest]}
    largest = scales[-1]
    entry = data[largest]
    full = entry["fast"]["stages"]["full"]
    rebuild = entry["rebuild"]["stages"]["rebuild"]
    slowest = entry.get("slowest_query", {"name": None, "seconds": None})
    results["goals"] = {
        "scale": largest,
        "triples": entry["triples"],
        "full_seconds": full["seconds"],
        "full_peak_mb": full["peak_mb"],
        "full_limit_ratio": entry["ratios"]["full_to_limit"],
        "rebuild_seconds": rebuild["seconds"],
        "rebuild_limit_ratio": entry["ratios"]["rebuild_to_limit"],
        "command_rebuild_seconds": entry["command_rebuild"]["seconds"],
        "slowest_query": slowest,
        "met": {
            "full_seconds": full["seconds"] <= GOALS["full_seconds"],
            "full_peak_mb": full["peak_mb"] <= GOALS["full_peak_mb"],
            "full_limit_ratio": (entry["ratios"]["full_to_limit"] or 99)
            <= GOALS["full_limit_ratio"],
            "rebuild_seconds": rebuild["seconds"] <= GOALS["rebuild_seconds"],
            "rebuild_limit_ratio": (entry["ratios"]["rebuild_to_limit"] or 99)
            <= GOALS["rebuild_limit_ratio"],
            "query_seconds": slowest["seconds"] is not None
            and slowest["seconds"] < GOALS["query_seconds"],
        },
    }


def _base(stage: str) -> str:
    """The baseline stage a fast stage is compared with."""
    return {"validate-alone": "validate", "assemble": "build"}.get(stage, stage)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def format_markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (``latest.md``)."""
    data = results["scales"]
    machine = results["machine"]
    load = results["load_average"]
    lines = [
        "# samverkansgraf benchmarks",
        "",
        f"Run {results['date']} on {machine['cpus']} CPUs (load average "
        f"{load['start'][0]} at the start, {load.get('end', ['?'])[0]} at the end), "
        f"Python {machine['python']}, rdflib {machine['rdflib']}, pySHACL "
        f"{machine['pyshacl']}, pyoxigraph {machine['pyoxigraph']}; `make bench` "
        f"wall time {results.get('wall_seconds', '?')} s. Synthetic all-Sweden data "
        f"(`samverkansgraf synth`, seed {results['seed']}).",
        "",
        "**I/O limit**: Oxigraph alone parses every Turtle input of the project "
        "and writes the four dumps (N-Quads, TriG, Turtle, JSON-LD), synced — the "
        "same work without Python per triple. **full**: `samverkansgraf build "
        "--full` as a library call: *assemble* builds every document in worker "
        "processes, which also validate the documents they built; *validate* is "
        "what is left for the main process (documents whose dependencies were in "
        "another chunk, the cross-document shapes), in a second thread while "
        "*write* writes the dumps; *validate-alone* validates the whole dump again "
        "in one store, for comparison. **rebuild**: the same after "
        "editing one document (`build` reads the rest from `.build-cache/`). "
        "**command**: that rebuild as the `samverkansgraf build` process a curator "
        "runs (interpreter start, imports and the printed summary included). "
        "**baseline**: the straightforward pipeline (rdflib parsing and "
        "serialisers, pySHACL), in the same run. Peak memory: the process and its "
        "workers together (proportional set sizes), sampled every 20 ms, less "
        "often for large processes (the sampler takes at most a tenth of a core).",
        "",
        "| scale | triples | documents | I/O limit (s) | full (s) | full / limit "
        "| rebuild (s) | rebuild / limit | command (s) | full peak (MB) "
        "| same dataset as baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for scale, entry in data.items():
        same = entry.get("same_dataset")
        lines.append(
            f"| {scale} | {entry['triples']:,} | {entry['documents']:,} | "
            f"{_fmt(entry['limit']['stages']['limit']['seconds'])} | "
            f"{_fmt(entry['fast']['stages']['full']['seconds'])} | "
            f"{_fmt(entry['ratios']['full_to_limit'], 1)}× | "
            f"{_fmt(entry['rebuild']['stages']['rebuild']['seconds'])} | "
            f"{_fmt(entry['ratios']['rebuild_to_limit'], 2)}× | "
            f"{_fmt(entry['command_rebuild']['seconds'])} | "
            f"{_fmt(entry['fast']['stages']['full']['peak_mb'], 0)} | "
            f"{'–' if same is None else ('yes' if same else 'NO')} |"
        )
    lines += [
        "",
        "| stage | scale | ours (s) | baseline (s) | ratio | our peak (MB) | "
        "baseline peak (MB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for stage in STAGES:
        for scale, entry in data.items():
            seconds = _seconds(entry, stage)
            if seconds is None:
                continue
            source = entry["rebuild"] if stage == "rebuild" else entry["fast"]
            peak = source["stages"][stage]["peak_mb"]
            base_run = entry.get("baseline", {})
            base = (
                base_run.get("stages", {}).get(_base(stage))
                if stage != "rebuild"
                else None
            )
            mark = " (extrapolated)" if base and base_run.get("extrapolated") else ""
            ratio = f"{base['seconds'] / seconds:.1f}×" if base and seconds else "–"
            lines.append(
                f"| {stage} | {scale} | {_fmt(seconds)} | "
                f"{_fmt(base and base['seconds'])}{mark} | {ratio} | "
                f"{_fmt(peak, 0)} | {_fmt(base and base['peak_mb'], 0)} |"
            )
    for name in next(iter(data.values()))["hooks"]:
        for scale, entry in data.items():
            hook = entry["hooks"][name]
            if "stages" in hook:
                stage = hook["stages"][name]
                base_run = entry.get("hook_baselines", {}).get(name, {})
                base = base_run.get("stages", {}).get(name)
                ratio = (
                    f"{base['seconds'] / stage['seconds']:.1f}×"
                    if base and stage["seconds"]
                    else "–"
                )
                lines.append(
                    f"| {name} | {scale} | {_fmt(stage['seconds'])} | "
                    f"{_fmt(base and base['seconds'])} | {ratio} | "
                    f"{_fmt(stage['peak_mb'], 0)} | "
                    f"{_fmt(base and base['peak_mb'], 0)} |"
                )
            else:
                why = (
                    "n/a — stage not merged"
                    if "missing" in hook
                    else f"n/a — {hook['skipped']}"
                    if "skipped" in hook
                    else f"n/a — hook failed: {hook.get('error', '')[:60]}"
                )
                lines.append(f"| {name} | {scale} | {why} | | | | |")
    lines += [
        "",
        "Growth exponents (log-log slope of time against triples; linear is 1.00):",
        "",
        "| stage | ours | baseline |",
        "|---|---:|---:|",
    ]
    for stage, exponent in results["exponents"].items():
        lines.append(
            f"| {stage} | {_fmt(exponent['fast'])} | {_fmt(exponent['baseline'])} |"
        )
    slow = []
    for scale, entry in data.items():
        queries = entry["hooks"].get("queries", {}).get("extra", {}).get("queries", {})
        slow += [
            f"{name} {seconds:.2f} s at {scale}"
            for name, seconds in sorted(queries.items())
            if isinstance(seconds, float | int) and seconds >= GOALS["query_seconds"]
        ]
    lines += [
        "",
        "Catalogue queries of 0.5 s or more: " + (", ".join(slow) or "none") + ".",
        "",
        *_goal_lines(results),
        "",
    ]
    return "\n".join(lines)


def _goal_lines(results: dict[str, Any]) -> list[str]:
    goals = results["goals"]
    met = goals["met"]
    slowest = goals["slowest_query"]
    publish = results["scales"][goals["scale"]]["hooks"].get("publish", {})
    if "stages" in publish:
        seconds = publish["stages"]["publish"]["seconds"]
        peak = publish["stages"]["publish"]["peak_mb"]
        publish_line = (
            f"- publish ≤ 90 s: **{seconds:.0f} s** — "
            f"{_met(seconds <= GOALS['publish_seconds'])}; ≤ 1.5 GB: "
            f"**{peak:.0f} MB** — {_met(peak <= GOALS['publish_peak_mb'])}"
        )
    elif "error" in publish:
        publish_line = f"- publish: **failed** at {goals['scale']}: {publish['error']}"
    else:
        publish_line = f"- publish: not run at {goals['scale']} (`make bench-l`)"
    again = results["scales"][goals["scale"]]["hooks"].get("republish", {})
    if "stages" in again:
        seconds = again["stages"]["republish"]["seconds"]
        extra = again.get("extra", {})
        publish_line += (
            f"\n- republish after editing one document ≤ 10 s: **{seconds:.0f} s** "
            f"— {_met(seconds <= GOALS['republish_seconds'])} "
            f"({extra.get('reused', 0):,} resource pages reused)"
        )
    return [
        f"Goals of issue #19 at {goals['scale']} ({goals['triples']:,} triples):",
        "",
        f"- full build + validation ≤ 20 s: **{goals['full_seconds']:.1f} s** — "
        f"{_met(met['full_seconds'])}; ≤ 1 GB peak: **{goals['full_peak_mb']:.0f} "
        f"MB** — {_met(met['full_peak_mb'])}; ≤ 8× the I/O limit: "
        f"**{goals['full_limit_ratio']}×** — {_met(met['full_limit_ratio'])}",
        f"- rebuild after editing one document ≤ 3 s: **{goals['rebuild_seconds']:.2f} "
        f"s** — {_met(met['rebuild_seconds'])}; ≤ 1.5× the I/O limit: "
        f"**{goals['rebuild_limit_ratio']}×** — {_met(met['rebuild_limit_ratio'])} "
        f"(the whole `samverkansgraf build` command: "
        f"{goals['command_rebuild_seconds']:.1f} s)",
        f"- every catalogue query < 0.5 s: slowest {slowest['name']} "
        f"**{_fmt(slowest['seconds'])} s** — {_met(met['query_seconds'])}",
        publish_line,
    ]


def format_readme(results: dict[str, Any]) -> str:
    """The README's generated Performance figures (between its markers)."""
    data = results["scales"]
    lines = [
        BEGIN,
        f"Measured by `make bench` on {results['date']} "
        f"({results['machine']['cpus']} CPUs, load average "
        f"{results['load_average']['start'][0]}; "
        f"{results.get('wall_seconds', '?')} s; full tables in "
        "[benchmarks/results/latest.md](benchmarks/results/latest.md)).",
        "",
        "| | "
        + " | ".join(f"{s} ({data[s]['triples']:,} triples)" for s in data)
        + " |",
        "|---|" + "---:|" * len(data),
    ]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row(
        "I/O limit: Oxigraph parses the inputs, writes the 4 dumps",
        [f"{_fmt(e['limit']['stages']['limit']['seconds'])} s" for e in data.values()],
    )
    row(
        "`build --full` (all documents, whole validation)",
        [
            f"{_fmt(e['fast']['stages']['full']['seconds'])} s "
            f"({_fmt(e['ratios']['full_to_limit'], 1)}× limit)"
            for e in data.values()
        ],
    )
    row(
        "peak memory of that build (with its workers)",
        [
            f"{_fmt(e['fast']['stages']['full']['peak_mb'], 0)} MB"
            for e in data.values()
        ],
    )
    row(
        "rebuild after editing one document",
        [
            f"{_fmt(e['rebuild']['stages']['rebuild']['seconds'])} s "
            f"({_fmt(e['ratios']['rebuild_to_limit'], 2)}× limit)"
            for e in data.values()
        ],
    )
    row(
        "… as the `samverkansgraf build` command",
        [f"{_fmt(e['command_rebuild']['seconds'])} s" for e in data.values()],
    )
    row(
        "baseline: rdflib + pySHACL, full build",
        [
            (
                f"{_fmt(e['baseline']['stages']['full']['seconds'], 1)} s"
                + ("†" if e["baseline"].get("extrapolated") else "")
                + f" ({e['ratios']['baseline_to_full']}× ours)"
            )
            if e.get("baseline", {}).get("stages", {}).get("full")
            else "–"
            for e in data.values()
        ],
    )
    row(
        "`publish` (the static site; peak memory with its workers)",
        [
            f"{_fmt(hook['stages']['publish']['seconds'], 1)} s, "
            f"{_fmt(hook['stages']['publish']['peak_mb'], 0)} MB"
            if "stages" in (hook := e["hooks"].get("publish", {}))
            else "not run (`make bench-l` runs it)"
            for e in data.values()
        ],
    )
    row(
        "`publish` again after editing one document (pages reused)",
        [
            f"{_fmt(hook['stages']['republish']['seconds'], 1)} s "
            f"({hook.get('extra', {}).get('reused', 0):,} of "
            f"{hook.get('extra', {}).get('pages', 0):,} pages linked)"
            if "stages" in (hook := e["hooks"].get("republish", {}))
            else "not run (`make bench-l` runs it)"
            for e in data.values()
        ],
    )
    row(
        "slowest catalogue query",
        [
            f"{e['slowest_query']['name'].split('_')[0]}: "
            f"{_fmt(e['slowest_query']['seconds'])} s"
            if e.get("slowest_query")
            else "–"
            for e in data.values()
        ],
    )
    lines += [
        "",
        "† extrapolated from the growth measured between S and M.",
        "",
        *_goal_lines(results),
        END,
    ]
    return "\n".join(lines)


def update_readme(results: dict[str, Any], readme: Path = README) -> None:
    """Rewrite the README's figures between its bench markers."""
    text = readme.read_text("utf-8")
    begin, end = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:begin] + format_readme(results) + text[end:], "utf-8")


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default=DEFAULT_SCALES)
    parser.add_argument("--baseline-scales", default="S,M")
    parser.add_argument(
        "--publish-scales",
        default=",".join(HOOK_SCALES["publish"]),
        help="where the publish hook runs (make bench-l: S,M,L)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work")
    parser.add_argument(
        "--no-readme", action="store_true", help="leave the README as it is"
    )
    options = parser.parse_args()
    scales = [s for s in options.scales.split(",") if s]
    baseline = {s for s in options.baseline_scales.split(",") if s}
    publish = tuple(s for s in options.publish_scales.split(",") if s)
    results = run(
        scales,
        baseline,
        options.out,
        options.work,
        hook_scales={"publish": publish, "republish": publish},
    )
    if not options.no_readme and scales == DEFAULT_SCALES.split(","):
        update_readme(results)
    print(format_markdown(results))


if __name__ == "__main__":
    main()
