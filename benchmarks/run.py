"""Benchmarks at national scale: fast pipeline vs the straightforward baseline.

Usage: ``make bench`` (or ``python -m benchmarks.run [--scales S,M,L]
[--baseline-scales S,M] [--out benchmarks/results]``).

Input: the real project (its ontology, shapes and gazetteer). Steps, per scale
(S ~20k, M ~200k, L ~1M triples): generate a synthetic all-Sweden project
(``samverkansgraf synth``), run the fast pipeline (assemble → serialise →
validate → write, as ``build`` does) in one process, the baseline pipeline
(rdflib in-memory parse, rdflib serialisers, pySHACL) in another, and every
stage hook of ``benchmarks/hooks.py`` in its own. Baselines that would blow the
10-minute budget run only at S and M; their L figure is extrapolated from the
growth exponent measured between S and M, and marked so. Output: a table on
stdout and ``benchmarks/results/latest.{json,md}`` with each time beside its
baseline measured in the same run (ratios, not machine-dependent seconds), the
growth exponent of every stage (log-log slope of time against triples) and the
peak memory of each process.
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
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from samverkansgraf.devtools.synth import synth_project
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
SCALES = {"S": 20_000, "M": 200_000, "L": 1_000_000}
STAGES = (
    "assemble",
    "serialise",
    "build",
    "validate",
    "validate-alone",
    "write",
    "full",
)
BUILD_PARTS = ("assemble", "serialise")
FULL_PARTS = ("assemble", "serialise", "validate", "write")
SEED = 1
# Stages too slow for the budget at every scale: where they run. Publishing a
# page per resource at L (~75,000 pages) would take minutes by itself; its
# growth exponent comes from S and M.
HOOK_SCALES = {"publish": ("S", "M")}
# Where each hook's baseline runs: the rdflib baseline of the query catalogue
# takes 23 s at S and minutes at M; the network's rdflib load is ~20 s at M.
HOOK_BASELINE_SCALES = {"queries": ("S",), "network": ("S", "M")}
# Growth exponent of n log n between S and L: the "no worse than n log n" bound.
NLOGN = 1 + math.log(math.log(SCALES["L"]) / math.log(SCALES["S"])) / math.log(
    SCALES["L"] / SCALES["S"]
)


def _child(args: list[str]) -> dict[str, Any]:
    """Run ``benchmarks.stage`` in a fresh interpreter and return its JSON."""
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


def _with_totals(run: dict[str, Any]) -> dict[str, Any]:
    """Add the ``build`` (assemble + serialise) and ``full`` rows."""
    stages = run["stages"]
    for name, parts in (("build", BUILD_PARTS), ("full", FULL_PARTS)):
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


def run(
    scales: list[str], baseline_scales: set[str], out: Path, work: Path
) -> dict[str, Any]:
    """Run every benchmark and return the results (also written to ``out``)."""
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
        "scales": {},
    }
    from benchmarks.hooks import BASELINES, HOOKS

    for scale in scales:
        directory = work / scale
        start = time.perf_counter()
        synth = synth_project(
            directory / "project", scale=SCALES[scale], seed=SEED, project=project
        )
        synth_seconds = round(time.perf_counter() - start, 3)
        print(
            f"[{scale}] synth: {synth.documents} documents in {synth_seconds}s",
            file=sys.stderr,
        )
        args = [str(directory / "project"), str(directory)]
        fast = _with_totals(_child(["fast", *args]))
        print(f"[{scale}] fast: {fast['stages']['full']['seconds']}s", file=sys.stderr)
        entry: dict[str, Any] = {
            "target": SCALES[scale],
            "triples": fast["triples"],
            "documents": fast["documents"],
            "synth_seconds": synth_seconds,
            "fast": fast,
        }
        if scale in baseline_scales:
            baseline = _with_totals(_child(["baseline", *args]))
            entry["baseline"] = baseline
            entry["identical_dumps"] = baseline["dumps"] == fast["dumps"]
            entry["same_validation"] = (baseline["conforms"], baseline["results"]) == (
                fast["conforms"],
                fast["results"],
            )
            print(
                f"[{scale}] baseline: {baseline['stages']['full']['seconds']}s",
                file=sys.stderr,
            )
        entry["hooks"] = {
            name: _child(["hook", name, *args])
            if scale in HOOK_SCALES.get(name, SCALES)
            else {"skipped": f"not run at {scale} (the 10-minute budget)"}
            for name in HOOKS
        }
        entry["hook_baselines"] = {
            name: _child(["hook-baseline", name, *args])
            for name in BASELINES
            if scale in HOOK_BASELINE_SCALES.get(name, ())
        }
        results["scales"][scale] = entry
        shutil.rmtree(directory / "project" / "data", ignore_errors=True)
    _analyse(results, scales)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "latest.md").write_text(format_markdown(results))
    return results


def _analyse(results: dict[str, Any], scales: list[str]) -> None:
    """Exponents, extrapolated baselines, ratios and the targets of issue #9."""
    data = results["scales"]
    exponents: dict[str, dict[str, float | None]] = {}
    for stage in STAGES:
        fast = [
            (data[s]["triples"], data[s]["fast"]["stages"][stage]["seconds"])
            for s in scales
            if stage in data[s]["fast"]["stages"]
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
        for stage in STAGES:
            slope = exponents[stage]["baseline"]
            if (
                slope is None
                or stage not in reference["baseline"]["stages"]
                or stage == "validate-alone"
            ):
                continue
            seconds = (
                reference["baseline"]["stages"][stage]["seconds"]
                * (entry["triples"] / reference["triples"]) ** slope
            )
            stages[stage] = {"seconds": round(seconds, 1), "peak_mb": None}
        entry["baseline"] = {"stages": stages, "extrapolated": True}
    for entry in data.values():
        ratios = {}
        for stage in STAGES:
            fast = entry["fast"]["stages"].get(stage)
            base = entry.get("baseline", {}).get("stages", {}).get(_base(stage))
            if fast and base and fast["seconds"] > 0:
                ratios[stage] = round(base["seconds"] / fast["seconds"], 1)
        entry["ratios"] = ratios
    largest = data[scales[-1]]
    full = largest["fast"]["stages"]["full"]
    results["targets"] = {
        "scale": scales[-1],
        "full_seconds": full["seconds"],
        "full_under_60s": full["seconds"] < 60,
        "peak_mb": full["peak_mb"],
        "peak_under_2gb": full["peak_mb"] < 2048,
        "nlogn_exponent": round(NLOGN, 3),
        "stages_within_nlogn": {
            stage: e["fast"] is not None and e["fast"] <= NLOGN + 0.05
            for stage, e in exponents.items()
            if e["fast"] is not None
        },
        "ratio_at_least_10": {
            stage: ratio >= 10
            for stage, ratio in largest["ratios"].items()
            if largest["baseline"]["stages"][_base(stage)]["seconds"] > 1
        },
    }


def _base(stage: str) -> str:
    """The baseline stage a fast stage is compared with."""
    return "validate" if stage == "validate-alone" else stage


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def format_markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    data = results["scales"]
    machine = results["machine"]
    lines = [
        "# samverkansgraf benchmarks",
        "",
        f"Run {results['date']} on {machine['cpus']} CPUs, Python {machine['python']}, "
        f"rdflib {machine['rdflib']}, pySHACL {machine['pyshacl']}, pyoxigraph "
        f"{machine['pyoxigraph']}; `make bench` wall time "
        f"{results.get('wall_seconds', '?')} s. Synthetic all-Sweden data "
        f"(`samverkansgraf synth`, seed {results['seed']}).",
        "",
        "**fast**: the project's pipeline (Oxigraph parsing, indexed evidence, "
        "byte-identical dump writers, SHACL compiled to SPARQL on Oxigraph). "
        "**baseline**: the straightforward pipeline, measured in the same run "
        "(rdflib in-memory parse and serialisers, pySHACL). *build* = assemble "
        "(parse, evidence, reference checks) + serialise (TriG, N-Quads, Turtle, "
        "JSON-LD); *full* = the wall time of `samverkansgraf build` (build + validate "
        "+ write; the fast build validates in a second thread while it writes the "
        "dumps, so its stages overlap and do not add up; *validate-alone* times "
        "the fast validation again on its own, after the build, for a per-stage "
        "comparison; its peak memory includes the finished build's). "
        "Peak memory is the process's max RSS at the end of the stage.",
        "",
        "| scale | triples | documents | dumps identical | same validation |",
        "|---|---:|---:|---|---|",
    ]
    for scale, entry in data.items():
        identical = entry.get("identical_dumps")
        same = entry.get("same_validation")
        lines.append(
            f"| {scale} | {entry['triples']:,} | {entry['documents']:,} | "
            f"{'–' if identical is None else ('yes' if identical else 'NO')} | "
            f"{'–' if same is None else ('yes' if same else 'NO')} |"
        )
    lines += [
        "",
        "| stage | scale | fast (s) | baseline (s) | ratio | fast peak (MB) | "
        "baseline peak (MB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for stage in STAGES:
        for scale, entry in data.items():
            fast = entry["fast"]["stages"].get(stage)
            if fast is None:
                continue
            base_run = entry.get("baseline", {})
            base = base_run.get("stages", {}).get(_base(stage))
            mark = " (extrapolated)" if base_run.get("extrapolated") else ""
            ratio = entry["ratios"].get(stage)
            lines.append(
                f"| {stage} | {scale} | {_fmt(fast['seconds'])} | "
                f"{_fmt(base and base['seconds'])}{mark if base else ''} | "
                f"{'–' if ratio is None else f'{ratio:g}×'} | "
                f"{_fmt(fast['peak_mb'], 0)} | "
                f"{_fmt(base and base['peak_mb'], 0)} |"
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
        "Growth exponents (log-log slope of time against triples; n log n between "
        f"S and L is {NLOGN:.2f}, linear is 1.00):",
        "",
        "| stage | fast | baseline |",
        "|---|---:|---:|",
    ]
    for stage, exponent in results["exponents"].items():
        lines.append(
            f"| {stage} | {_fmt(exponent['fast'])} | {_fmt(exponent['baseline'])} |"
        )
    targets = results["targets"]
    lines += [
        "",
        f"Targets at {targets['scale']} (issue #9):",
        "",
        f"- full build + validation under 60 s: **{targets['full_seconds']:.1f} s** — "
        f"{'met' if targets['full_under_60s'] else 'not met'}",
        f"- peak memory under 2 GB: **{targets['peak_mb']:.0f} MB** — "
        f"{'met' if targets['peak_under_2gb'] else 'not met'}",
        "- every stage growing no worse than n log n: "
        + ", ".join(
            f"{stage} {'yes' if ok else 'NO'}"
            for stage, ok in targets["stages_within_nlogn"].items()
        ),
        "- at least 10× faster than the baseline where it takes over 1 s: "
        + ", ".join(
            f"{stage} {'yes' if ok else 'NO'}"
            for stage, ok in targets["ratio_at_least_10"].items()
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="S,M,L")
    parser.add_argument("--baseline-scales", default="S,M")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work")
    options = parser.parse_args()
    scales = [s for s in options.scales.split(",") if s]
    baseline = {s for s in options.baseline_scales.split(",") if s}
    results = run(scales, baseline, options.out, options.work)
    print(format_markdown(results))


if __name__ == "__main__":
    main()
