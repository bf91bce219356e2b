"""Network pictures people can trust (issue 20): the same bytes in every
process, Swedish and English side by side, labels that do not overlap, and a
warning where a measure degenerates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from samverkansgraf.cli import cli
from samverkansgraf.network import analyse_graphs, extract_network_data
from samverkansgraf.network.graphs import participation_matrices
from samverkansgraf.network.pictures import draw_graph, draw_heatmap, label_overlaps
from samverkansgraf.sources import ProjectPaths


@pytest.fixture(scope="module")
def analysed(full_dump: Path):  # type: ignore[no-untyped-def]
    data = extract_network_data(full_dump)
    return data, analyse_graphs(data, None, seed=42)


@pytest.mark.slow
def test_no_two_node_labels_overlap(analysed) -> None:  # type: ignore[no-untyped-def]
    """The Örebro cluster of the actor graph once drew "Arbetsgrupp Kulturkraft",
    "Ulrika Johansson" and "Katarina Strömgren Sandh" on top of each other."""
    data, results = analysed
    for name in ("municipalities", "actors"):
        assert label_overlaps(results[name], data) == [], name


@pytest.mark.slow
def test_titles_and_legends_are_in_swedish_and_english(analysed) -> None:  # type: ignore[no-untyped-def]
    data, results = analysed
    actors = draw_graph(results["actors"], data)[".svg"].decode("utf-8")
    for text in (
        "Aktörer och deras band",
        "Actors and their ties",
        "kommun / municipality",
        "person / person",
        "färg = Louvain-grupp / colour = Louvain group",
        "grupp / group 1",
    ):
        assert text in actors, text
    towns = draw_graph(results["municipalities"], data)[".svg"].decode("utf-8")
    assert "Municipalities taking part in the same activities" in towns
    assert "Utan band / no ties (16 isolat / isolates)" in towns
    (matrix,) = participation_matrices(data)
    heatmap = draw_heatmap(matrix, data)[".svg"].decode("utf-8")
    assert "Municipalities of Örebro län" in heatmap and "blue = takes part" in heatmap


_DRAW = """
import hashlib, sys
from samverkansgraf.network import analyse_graphs, extract_network_data
from samverkansgraf.network.pictures import draw_graph
data = extract_network_data(sys.argv[1])
for name, result in sorted(analyse_graphs(data, ["actors"], seed=42).items()):
    for suffix, blob in sorted(draw_graph(result, data).items()):
        print(name, suffix, hashlib.sha256(blob).hexdigest())
"""


@pytest.mark.slow
def test_pictures_are_the_same_bytes_whatever_the_hash_seed(full_dump: Path) -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-c", _DRAW, str(full_dump)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "4711")
    ]
    assert runs[0].count("\n") == 2
    assert runs[0] == runs[1]


def test_eigenvector_centrality_across_components_is_warned_about(
    analysed, built_project: ProjectPaths, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Region Dalarna is the hub of its component but scored 0.000 without a
    word: eigenvector centrality lives on one component of a disconnected graph."""
    _, results = analysed
    actors = results["actors"]
    assert (
        actors.graph.nodes["https://w3id.org/samverkansgraf/id/region/20"][
            "eigenvector"
        ]
        < 0.0005
    )
    (warning,) = [w for w in actors.summary["warnings"] if w.startswith("eigenvector")]
    assert "the component of Region Örebro län" in warning
    # One component with ties: nothing to warn about.
    assert not [
        w
        for w in results["municipalities"].summary["warnings"]
        if w.startswith("eigenvector")
    ]
    result = CliRunner().invoke(
        cli,
        ["--project", str(built_project.root), "network", "--graph", "actors",
         "--out", str(tmp_path / "net")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"warning: {warning}" in result.stderr.splitlines()
    codebook = (tmp_path / "net" / "codebook.md").read_text("utf-8")
    assert f"**Warning**: {warning}." in codebook
