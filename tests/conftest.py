"""Shared fixtures: the real project, its assembled dataset, a scratch copy of the
project for tests that corrupt inputs, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from helpers import publishable_copy
from samverkansgraf.build import AssembledDataset, assemble_dataset
from samverkansgraf.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SCHEMES
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


# ---------------------------------------------------------------------------
# Query catalogue (issue #5): the datasets expected answers are computed on
# ---------------------------------------------------------------------------

HEDEMORA_SOURCE = "000_c90c7f0945d9b53e.txt"
META_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_SCHEMES, GRAPH_REFERENCE)
QUERY_FIXTURE = ROOT / "tests" / "fixtures" / "queries" / "fiktiv.trig"


@pytest.fixture(scope="session")
def hedemora_dump(assembled: AssembledDataset, tmp_path_factory) -> Path:
    """N-Quads of ontology, schemes, reference and the Hedemora agreement only.

    tests/expected/*.csv hold the answers on exactly this scope, so they stay
    true when other documents are merged into data/curated/.
    """
    documents = [
        d for d in assembled.documents if d.source.path.name == HEDEMORA_SOURCE
    ]
    keep = {*META_GRAPHS, *(d.document for d in documents)}
    scoped = AssembledDataset(
        {iri: g for iri, g in assembled.graphs.items() if iri in keep}, documents
    )
    path = tmp_path_factory.mktemp("hedemora") / "hedemora.nq"
    path.write_bytes(scoped.dataset().serialize(format="nquads", encoding="utf-8"))
    return path


@pytest.fixture(scope="session")
def fixture_dump(assembled: AssembledDataset, tmp_path_factory) -> Path:
    """N-Quads of ontology, schemes, reference and the fictional query fixture."""
    from rdflib import Dataset

    dataset = Dataset()
    for iri in META_GRAPHS:
        named = dataset.graph(iri)
        named += assembled.graphs[iri]
    dataset.parse(QUERY_FIXTURE, format="trig")
    path = tmp_path_factory.mktemp("fixture") / "fiktiv.nq"
    path.write_bytes(dataset.serialize(format="nquads", encoding="utf-8"))
    return path


@pytest.fixture(scope="session")
def full_dump(assembled: AssembledDataset, tmp_path_factory) -> Path:
    """N-Quads of the whole curated dataset (what `samverkansgraf build` dumps)."""
    path = tmp_path_factory.mktemp("full") / "samverkansgraf.nq"
    path.write_bytes(assembled.dataset().serialize(format="nquads", encoding="utf-8"))
    return path


@pytest.fixture()
def built_project(scratch: ProjectPaths, full_dump: Path) -> ProjectPaths:
    """A scratch copy of the project with dist/samverkansgraf.nq in place."""
    scratch.dist_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(full_dump, scratch.dist_dir / "samverkansgraf.nq")
    return scratch


# ---------------------------------------------------------------------------
# Publishing (issues #7, #17): the real data published once per session
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def publishable(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """The project's inputs with a configured mailbox (read-only in tests)."""
    return publishable_copy(tmp_path_factory.mktemp("publishable"))


@pytest.fixture(scope="session")
def published(
    publishable: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The real data published once for the session, through the CLI, and the
    command's output."""
    from samverkansgraf.cli import cli

    out = tmp_path_factory.mktemp("publish") / "site"
    result = CliRunner().invoke(
        cli,
        ["--project", str(publishable.root), "publish", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return out, result.stdout


@pytest.fixture(scope="session")
def published_site(published: tuple[Path, str]) -> Path:
    """The published site's folder (the query page and profile tests, #20)."""
    return published[0]
