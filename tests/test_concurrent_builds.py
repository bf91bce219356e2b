"""Two builds of different inputs into one dist/ at the same time never leave a
mix: after both, dist/ is one build's output, every file of it (issue 16)."""

from __future__ import annotations

import multiprocessing
import shutil
import time
from pathlib import Path

import pytest

from samverkansgraf.build import build
from samverkansgraf.sources import ProjectPaths

NAMES = (
    "samverkansgraf.trig",
    "samverkansgraf.nq",
    "samverkansgraf.ttl",
    "samverkansgraf.jsonld",
    "build-report.json",
)
ROUNDS = 20
ROUND_SECONDS = 120


def _outputs(dist: Path) -> dict[str, bytes]:
    return {name: (dist / name).read_bytes() for name in NAMES}


def _build_into(root: str, out: str) -> None:
    build(ProjectPaths(Path(root)), out)


@pytest.mark.slow
def test_concurrent_builds_of_two_inputs_never_mix(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    other = ProjectPaths(tmp_path / "other")
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(scratch.root / name, other.root / name)
    curated = other.curated_dir / "hedemora-2019-2022.ttl"
    curated.write_text(
        curated.read_text("utf-8").replace(
            'skos:note "Texten anger inga underskrifter och inget datum."@sv',
            'skos:note "Texten anger inga underskrifter och inget datum (B)."@sv',
        ),
        "utf-8",
    )
    # What each input gives on its own (builds are deterministic).
    expected = [
        _outputs(build(project, tmp_path / f"alone-{n}").outputs[0].parent)
        for n, project in enumerate((scratch, other))
    ]
    assert expected[0] != expected[1]
    dist = tmp_path / "dist"
    # Forked, so each build starts at once (no interpreter start to stagger them).
    context = multiprocessing.get_context("fork")
    for _ in range(ROUNDS):
        builds = [
            context.Process(target=_build_into, args=(str(p.root), str(dist)))
            for p in (scratch, other)
        ]
        for process in builds:
            process.start()
        deadline = time.monotonic() + ROUND_SECONDS
        for process in builds:
            process.join(max(0.0, deadline - time.monotonic()))
            assert process.exitcode == 0, "a build failed or did not end in time"
        found = _outputs(dist)
        assert found in expected, "dist/ holds a mix of the two builds"
    # Generations of builds that have ended are removed by the next build.
    process = context.Process(target=_build_into, args=(str(other.root), str(dist)))
    process.start()
    process.join(ROUND_SECONDS)
    generations = sorted(p.name for p in (dist / ".generations").iterdir())
    assert len(generations) == 3  # .lock, current and the current generation
    assert _outputs(dist) == expected[1]
