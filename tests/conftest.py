"""Shared fixtures: the real project, its assembled dataset, a scratch copy of the
project for tests that corrupt inputs, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from samverkansgraf.build import AssembledDataset, assemble_dataset
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> ProjectPaths:
    """The real project (read-only: never modify its files in a test)."""
    return ProjectPaths(ROOT)


@pytest.fixture(scope="session")
def assembled(project: ProjectPaths) -> AssembledDataset:
    """The real curated data, assembled once per test session (evidence resolved)."""
    return assemble_dataset(project)


@pytest.fixture(scope="session")
def union(assembled: AssembledDataset) -> Graph:
    """All triples of the real dataset in one graph."""
    return assembled.union()


@pytest.fixture()
def scratch(tmp_path: Path) -> ProjectPaths:
    """A copy of the project's inputs in a temporary folder, safe to corrupt."""
    for name in ("ontology", "shapes", "data", "queries"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    return ProjectPaths(tmp_path)


@pytest.fixture()
def runner() -> CliRunner:
    """A click runner that keeps stderr apart from stdout."""
    return CliRunner()
