"""Snapshot tests of the published site on a tiny fixture (STYLE.md §6).

The pages rendered from ``tests/fixtures/valid/minimal-agreement.ttl`` (plus the
ontology, the schemes and two gazetteer entries) must equal the files in
``tests/__snapshots__/publish/``. After an intended change of the templates or the
ontology, regenerate them and review the diff:

    SAMVERKANSGRAF_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_publish_snapshots.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from pathlib import Path

import pytest
from rdflib import Graph

from helpers import TEST_MAILBOX
from samverkansgraf.build import (
    AssembledDataset,
    CuratedDocument,
    load_vocabulary_and_reference,
)
from samverkansgraf.namespaces import GRAPH_REFERENCE, SKGID
from samverkansgraf.privacy import MASK
from samverkansgraf.publish.settings import load_publication
from samverkansgraf.publish.writer import render_site
from samverkansgraf.sources import ProjectPaths, SourceText

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "__snapshots__" / "publish"
UPDATE = bool(os.environ.get("SAMVERKANSGRAF_UPDATE_SNAPSHOTS"))
# The fixture's quote is text[0:18]; the contact block must come out masked.
TEXT = (
    "Region Dalarna ska samverka med Hedemora kommun.\n"
    "Kontakt: fornamn.efternamn@example.se, 070-123 45 67\n"
)
SNAPSHOT_FILES = (
    "id/commitment/fixture/1-1.html",
    "id/commitment/fixture/1-1.ttl",
    "id/clause/fixture/1.html",
    "sources/fixture.html",
    "sources/fixture.txt",
    "dcat.ttl",
)


@pytest.fixture(scope="module")
def fixture_site(project: ProjectPaths) -> dict[str, bytes]:
    graphs = load_vocabulary_and_reference(project)
    keep = {SKGID["region/20"], SKGID["kommun/2083"]}
    reference = Graph()
    for s, p, o in graphs[GRAPH_REFERENCE]:
        if s in keep:
            reference.add((s, p, o))
    graphs[GRAPH_REFERENCE] = reference
    graph = Graph().parse(ROOT / "tests/fixtures/valid/minimal-agreement.ttl")
    document = SKGID["document/fixture"]
    source = SourceText(
        Path("fixture.txt"), TEXT, hashlib.sha256(TEXT.encode()).hexdigest()
    )
    graphs[document] = graph
    assembled = AssembledDataset(
        graphs=graphs,
        documents=[CuratedDocument(Path("fixture.ttl"), document, source, graph)],
    )
    settings = dataclasses.replace(
        load_publication(project.root), contact_email=TEST_MAILBOX
    )
    files, _ = render_site(assembled, settings, issued=dt.date(2026, 1, 1))
    return files


@pytest.mark.parametrize("name", SNAPSHOT_FILES)
def test_publish_output_matches_snapshot(
    fixture_site: dict[str, bytes], name: str
) -> None:
    snapshot = SNAPSHOTS / name
    # The dumps' byte sizes follow the ontology and gazetteer, which grow; they
    # are checked against the real files in test_publish, not frozen here.
    text = re.sub(
        r'dcat:byteSize "[0-9]+"', 'dcat:byteSize "…"', fixture_site[name].decode()
    )
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, "utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot}: run with UPDATE (see module)"
    assert text == snapshot.read_text("utf-8")


def test_fixture_source_is_masked_one_for_one(fixture_site: dict[str, bytes]) -> None:
    masked = fixture_site["sources/fixture.txt"].decode("utf-8")
    assert len(masked) == len(TEXT) and masked[:18] == TEXT[:18]
    assert "@" not in masked and MASK * 10 in masked
    assert "example.se" not in fixture_site["sources/fixture.html"].decode("utf-8")
