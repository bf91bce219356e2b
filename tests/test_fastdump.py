"""The fast dump writers give the very bytes of rdflib's serialisers."""

from __future__ import annotations

from pathlib import Path

import pytest

from samverkansgraf.build import AssembledDataset, assemble_dataset, serialise_dataset
from samverkansgraf.devtools.synth import synth_project
from samverkansgraf.sources import ProjectPaths


def test_fast_dumps_equal_rdflib_on_the_real_data(assembled: AssembledDataset) -> None:
    fast = serialise_dataset(assembled, fast=True)
    reference = serialise_dataset(assembled, fast=False)
    for suffix in reference:
        assert fast[suffix] == reference[suffix], suffix


@pytest.mark.slow
def test_fast_dumps_equal_rdflib_on_synthetic_data(
    project: ProjectPaths, tmp_path: Path
) -> None:
    synth_project(tmp_path / "s", scale=12_000, seed=3, project=project)
    assembled = assemble_dataset(ProjectPaths(tmp_path / "s"))
    fast = serialise_dataset(assembled, fast=True)
    reference = serialise_dataset(assembled, fast=False)
    for suffix in reference:
        assert fast[suffix] == reference[suffix], suffix
