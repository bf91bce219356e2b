"""The examples run (issue 20): the notebook from top to bottom with nbclient,
the R script on a release's CSV tables when Rscript exists."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from helpers import NEXT, next_release_copy
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RSCRIPT = shutil.which("Rscript")


@pytest.mark.slow
def test_the_notebook_runs_and_shows_the_graphs_answers(
    built_project: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(EXAMPLES / "samverkansgraf.ipynb", as_version=4)
    # The kernel finds the (scratch) project from its working directory, as a
    # reader's kernel finds the checkout from examples/.
    monkeypatch.delenv("SAMVERKANSGRAF_HOME", raising=False)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(built_project.root)}},
    )
    client.execute()
    outputs = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    assert not [o for o in outputs if o.output_type == "error"]
    texts = "\n".join(
        str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
        for o in outputs
    )
    assert "Degerfors kommun" in texts  # query 13, county 18
    assert "Hallsbergs kommun" in texts  # the network measures
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the chart


def _release(tmp_path: Path) -> Path:
    """The next release of the real data (0.1.0 is issued and may not be
    reissued with today's content: releases.json)."""
    from samverkansgraf.release import write_release

    out = tmp_path / "release"
    write_release(next_release_copy(tmp_path / "project"), NEXT, out=out)
    return out


@pytest.mark.slow
@pytest.mark.skipif(
    RSCRIPT is None, reason="Rscript is not installed (apt install r-base-core)"
)
def test_the_r_script_reads_the_release_tables(tmp_path: Path) -> None:
    release = _release(tmp_path)
    result = subprocess.run(
        [str(RSCRIPT), str(EXAMPLES / "release_tables.R"), str(release)],
        capture_output=True,
        text=True,
        env={**os.environ, "LANG": "C.UTF-8"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    sections: dict[str, dict[str, int]] = {}
    current = ""
    for line in result.stdout.splitlines():
        if "\t" in line:
            key, value = line.rsplit("\t", 1)
            sections[current][key] = int(value)
        elif line.strip():
            current = line.strip()
            sections[current] = {}
    with (release / "data" / "commitments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sections["commitments by modality"] == dict(
        Counter(r["modality_label"] for r in rows)
    )
    with (release / "data" / "participation.csv").open(encoding="utf-8") as handle:
        taking_part = [
            r
            for r in csv.DictReader(handle)
            if r["role"] == "participant" and "/kommun/" in r["actor"]
        ]
    expected = Counter(r["actor_label"] for r in taking_part)
    assert sections["activities per municipality"] == dict(expected)
    assert sections["activities per municipality"]["Hallsbergs kommun"] == 12
    assert sections["commitments by committing actor"]["Region Dalarna"] > 0
