"""Research releases (issue #7): the Frictionless data package, CSV tables,
CITATION.cff, changelog, checksums, version checks and privacy."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF

from helpers import NEXT, TEST_MAILBOX, next_release_copy
from samverkansgraf.atomic import OUTPUT_MARKER
from samverkansgraf.build import AssembledDataset
from samverkansgraf.cli import cli
from samverkansgraf.errors import PublishError
from samverkansgraf.namespaces import SKG
from samverkansgraf.publish.checks import find_published_contact_data
from samverkansgraf.publish.settings import load_publication
from samverkansgraf.release import TABLES, build_release, changelog_entry, check_version
from samverkansgraf.release.ledger import load_ledger
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def next_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    return next_release_copy(tmp_path_factory.mktemp("next"))


@pytest.fixture(scope="module")
def release(
    next_project: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Release 0.2.0 of the real data, written once through the CLI."""
    out = tmp_path_factory.mktemp("release") / f"samverkansgraf-{NEXT}"
    result = CliRunner().invoke(
        cli,
        ["--project", str(next_project.root), "release", "--version", NEXT]
        + ["--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert f"released samverkansgraf {NEXT} (2026-12-07)" in result.stdout
    return out


def test_datapackage_is_structurally_valid(release: Path) -> None:
    package = json.loads((release / "datapackage.json").read_text("utf-8"))
    for key in ("name", "title", "version", "licenses", "resources", "created"):
        assert package[key], key
    assert package["profile"] == "data-package"
    assert re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["licenses"][0]["name"] == "CC0-1.0"
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names))
    assert {t.name for t in TABLES} <= set(names)
    for resource in package["resources"]:
        for key in ("name", "path", "format", "mediatype"):
            assert resource[key], (resource["name"], key)
        path = release / resource["path"]
        assert path.is_file(), resource["path"]
        content = path.read_bytes()
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        if resource.get("profile") != "tabular-data-resource":
            continue
        fields = resource["schema"]["fields"]
        for field in fields:
            assert field["name"] and field["description"]
            assert field["type"] in {"string", "integer", "boolean", "year"}
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        assert rows[0] == [f["name"] for f in fields], resource["name"]
        for row in rows[1:]:
            assert len(row) == len(fields)
            for value, field in zip(row, fields, strict=True):
                if value and field["type"] in ("integer", "year"):
                    assert re.fullmatch(r"-?\d+", value), (field["name"], value)
                if value and field["type"] == "boolean":
                    assert value in ("true", "false")
        key = resource["schema"].get("primaryKey", [])
        columns = [rows[0].index(k) for k in key]
        keys = [tuple(row[c] for c in columns) for row in rows[1:]]
        assert len(keys) == len(set(keys)), resource["name"]


def test_foreign_keys_resolve(release: Path) -> None:
    package = json.loads((release / "datapackage.json").read_text("utf-8"))
    tables = {}
    for resource in package["resources"]:
        if resource.get("profile") == "tabular-data-resource":
            with (release / resource["path"]).open(encoding="utf-8") as stream:
                tables[resource["name"]] = list(csv.DictReader(stream))
    for resource in package["resources"]:
        for key in resource.get("schema", {}).get("foreignKeys", []):
            other = key["reference"]
            known = {row[other["fields"]] for row in tables[other["resource"]]}
            for row in tables[resource["name"]]:
                value = row[key["fields"]]
                assert value == "" or value in known, (resource["name"], row)


def test_tables_match_the_graph(release: Path, union: Graph) -> None:
    def rows(name: str) -> list[dict[str, str]]:
        with (release / f"data/{name}.csv").open(encoding="utf-8") as stream:
            return list(csv.DictReader(stream))

    assert len(rows("commitments")) == len(
        set(union.subjects(RDF.type, SKG.Commitment))
    )
    assert len(rows("clauses")) == len(set(union.subjects(RDF.type, SKG.Clause)))
    assert len(rows("actors")) >= 290 + 21
    assert len(rows("evidence")) == len(list(union.subject_objects(SKG.evidence)))
    hedemora = [r for r in rows("actors") if r["municipality_code"] == "2083"]
    assert hedemora[0]["mentioned"] == "true"
    positions = [(r["agreement"], int(r["position"])) for r in rows("clauses")]
    assert positions == sorted(positions)
    per_agreement = Counter(agreement for agreement, _ in positions)
    assert sorted(per_agreement.values()) == [10, 11]  # Hedemora 10, Smedjebacken 11


def test_evidence_offsets_hold_in_the_masked_sources(release: Path) -> None:
    with (release / "data/evidence.csv").open(encoding="utf-8") as stream:
        evidence = list(csv.DictReader(stream))
    texts: dict[str, str] = {}
    for row in evidence:
        if row["file"] not in texts:
            texts[row["file"]] = (release / "sources" / row["file"]).read_text("utf-8")
        assert texts[row["file"]][int(row["start"]) : int(row["end"])] == row["quote"]
    order = [(r["file"], int(r["start"]), int(r["end"]), r["fact"]) for r in evidence]
    assert order == sorted(order)


def test_sha256sums_cover_and_match_every_file(release: Path) -> None:
    listed = {}
    for line in (release / "SHA256SUMS").read_text("utf-8").splitlines():
        digest, _, path = line.partition("  ")
        listed[path] = digest
    files = {
        p.relative_to(release).as_posix()
        for p in release.rglob("*")
        # The output marker says which command wrote the folder; it is not data.
        if p.is_file() and p.name not in ("SHA256SUMS", OUTPUT_MARKER)
    }
    assert set(listed) == files
    for path, digest in listed.items():
        assert hashlib.sha256((release / path).read_bytes()).hexdigest() == digest


def test_citation_cff(release: Path) -> None:
    text = (release / "CITATION.cff").read_text("utf-8")
    for line in (
        "cff-version: 1.2.0",
        f'version: "{NEXT}"',
        'date-released: "2026-12-07"',
        "license: CC0-1.0",
        "type: dataset",
    ):
        assert line in text.splitlines()
    for key in ("message", "title", "repository", "authors"):
        assert re.search(rf"^{key}:", text, re.M), key
    assert re.search(r"^  - name: \"samverkansgraf contributors\"$", text, re.M)


def test_changelog_and_codebook(release: Path) -> None:
    changelog = (release / "CHANGELOG.md").read_text("utf-8")
    assert f"## [{NEXT}] - 2026-12-07" in changelog and "## [0.1.0] - 2026-11-25" in (
        changelog
    )
    rows = {}
    for spec in TABLES:
        with (release / f"data/{spec.name}.csv").open(encoding="utf-8") as handle:
            rows[spec.name] = sum(1 for _ in csv.reader(handle)) - 1
    # The changelog a release carries states what it holds (issue #17).
    contents = changelog.split(f"### Contents of {NEXT} (generated from the data)")[1]
    contents = contents.split("## [0.1.0]")[0]
    assert "- 5 source document(s): " in contents
    assert "Överenskommelse mellan Hedemora kommun och Region Dalarna" in contents
    assert "- rows: " + ", ".join(f"{n} {name}" for name, n in rows.items()) in contents
    assert "- ontology 1.1.0 (" in contents
    codebook = (release / "codebook.md").read_text("utf-8")
    for spec in TABLES:
        assert f"`data/{spec.name}.csv`" in codebook
        for field in spec.fields:
            assert f"`{field.name}`" in codebook


def test_release_holds_no_contact_data(release: Path) -> None:
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        text = path.read_text("utf-8")
        assert find_published_contact_data(text) == [], path


def test_release_is_deterministic(
    project: ProjectPaths, assembled: AssembledDataset
) -> None:
    settings = load_publication(project.root)
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    first, _, _ = build_release(assembled, settings, "0.1.0", changelog, ROOT)
    second, _, _ = build_release(assembled, settings, "0.1.0", changelog, ROOT)
    assert first == second


@pytest.mark.parametrize(
    "version", ["1", "1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0 "]
)
def test_invalid_versions_are_refused(version: str) -> None:
    with pytest.raises(PublishError, match="not a semantic version"):
        check_version(version)


@pytest.mark.parametrize("version", ["0.1.0", "1.0.0-rc.1", "2.10.3+build.5"])
def test_valid_versions(version: str) -> None:
    assert check_version(version) == version


def test_cli_refuses_bad_version_and_missing_entry(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    for version, message in (
        ("v0.1", "invalid version 'v0.1': not a semantic version"),
        ("9.9.9", "no changelog entry for version 9.9.9"),
    ):
        result = runner.invoke(
            cli,
            ["--project", str(project.root), "release", "--version", version]
            + ["--out", str(tmp_path / "r")],
        )
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], lines
    assert not (tmp_path / "r").exists()


def test_changelog_entry_needs_a_date(tmp_path: Path) -> None:
    text = "# Changelog\n\n## [0.2.0]\n\n- x\n\n## [0.1.0] - 2026-11-25\n\n- y\n"
    with pytest.raises(PublishError, match="no release date"):
        changelog_entry(text, "0.2.0", tmp_path / "CHANGELOG.md")
    body, date = changelog_entry(text, "0.1.0", tmp_path / "CHANGELOG.md")
    assert (
        date == "2026-11-25" and "0.2.0" not in body and body.startswith("# Changelog")
    )


@pytest.mark.slow
def test_release_default_folder(runner: CliRunner, scratch: ProjectPaths) -> None:
    for name in ("publication.toml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, scratch.root / name)
    result = runner.invoke(
        cli, ["--project", str(scratch.root), "release", "--version", "0.1.0"]
    )
    assert result.exit_code == 0, result.output
    assert (
        scratch.dist_dir / "releases/samverkansgraf-0.1.0/datapackage.json"
    ).is_file()


PLAN_FIXTURE = """
@base <https://w3id.org/samverkansgraf/id/> .
@prefix skg: <https://w3id.org/samverkansgraf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<document/plan-fixture> a skg:SourceDocument ; skg:fileName "plan-fixture.txt" .
<plan/fixture> a skg:Plan ; rdfs:label "Handlingsplan (fixtur)"@sv .
<goal/fixture/1> a skg:Goal ; skg:number "1" ; rdfs:label "Mål 1"@sv .
<person/anna-andersson> a skg:Person ; rdfs:label "Anna Andersson"@sv .
<activity/fixture/01> a skg:Activity ;
    skg:partOfPlan <plan/fixture> ; skg:heading "Läsfrämjande i länet" ;
    skg:contributesTo <goal/fixture/1> ; skg:startTerm "Ht 2020" ;
    skg:completionYear "2023"^^xsd:gYear ;
    skg:participant <kommun/2083> , <region/20> ;
    skg:convenor <person/anna-andersson> ; skg:coordinator <person/anna-andersson> ;
    skg:evidence <activity/fixture/01#evidence> .
<activity/fixture/01#evidence> a oa:SpecificResource ;
    oa:hasSource <document/plan-fixture> ;
    oa:hasSelector <activity/fixture/01#quote> , <activity/fixture/01#position> .
<activity/fixture/01#quote> a oa:TextQuoteSelector ; oa:exact "Läsfrämjande i länet" .
<activity/fixture/01#position> a oa:TextPositionSelector ;
    oa:start "11"^^xsd:integer ; oa:end "31"^^xsd:integer .
"""
PLAN_TEXT = "Aktivitet: Läsfrämjande i länet. Sammankallande: Anna Andersson.\n"


def test_activities_and_participation_from_a_fixture_plan(
    project: ProjectPaths,
) -> None:
    """Classes the real data does not have yet get tables, pages and indexes."""
    import datetime as dt

    from samverkansgraf.build import CuratedDocument, load_vocabulary_and_reference
    from samverkansgraf.namespaces import SKGID
    from samverkansgraf.publish.writer import render_site
    from samverkansgraf.sources import SourceText

    assert PLAN_TEXT[11:31] == "Läsfrämjande i länet"
    graphs = load_vocabulary_and_reference(project)
    graph = Graph().parse(data=PLAN_FIXTURE, format="turtle")
    document = SKGID["document/plan-fixture"]
    graphs[document] = graph
    source = SourceText(Path("plan-fixture.txt"), PLAN_TEXT, "0" * 64)
    assembled = AssembledDataset(
        graphs, [CuratedDocument(Path("plan.ttl"), document, source, graph)]
    )
    settings = dataclasses.replace(
        load_publication(project.root), contact_email=TEST_MAILBOX
    )
    files, _, counts = build_release(
        assembled, settings, "0.1.0", (ROOT / "CHANGELOG.md").read_text("utf-8"), ROOT
    )
    assert counts["activities"] == 1 and counts["participation"] == 4
    participation = files["data/participation.csv"].decode("utf-8").splitlines()
    roles = sorted(line.split(",")[2] for line in participation[1:])
    assert roles == ["convenor", "coordinator", "participant", "participant"]
    activity = files["data/activities.csv"].decode("utf-8").splitlines()[1]
    assert "Läsfrämjande i länet" in activity and ",2023," in activity
    site, _ = render_site(assembled, settings, issued=dt.date(2026, 1, 1))
    page = site["id/activity/fixture/01.html"].decode("utf-8")
    assert "<mark" in page and ">Läsfrämjande i länet</mark>" in page
    person = site["id/person/anna-andersson.html"].decode("utf-8")
    assert "Aktiviteter med ”sammankallande” Anna Andersson" in person
    assert "classes/skg-Activity.html" in site and "classes/skg-Goal.html" in site


def test_a_version_is_never_reissued_with_other_content(
    runner: CliRunner, project: ProjectPaths, tmp_path: Path
) -> None:
    """0.1.0 was issued with one agreement (releases.json); today's data holds
    five documents, so releasing 0.1.0 again is refused and nothing is written."""
    result = runner.invoke(
        cli,
        ["--project", str(project.root), "release", "--version", "0.1.0"]
        + ["--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "error: releases.json: version 0.1.0 was issued on 2026-11-25 "
        "with other content"
    ), lines
    assert "release the changes as a new version" in lines[0]
    assert not (tmp_path / "r").exists()
    issued = load_ledger(project.root).find("0.1.0")
    assert issued is not None and issued.rows["agreements"] == 1


def test_a_new_version_is_recorded_and_reissued_only_unchanged(
    release: Path, next_project: ProjectPaths, runner: CliRunner, tmp_path: Path
) -> None:
    ledger = load_ledger(next_project.root)
    entry = ledger.find(NEXT)
    assert entry is not None and entry.date == "2026-12-07"
    assert entry.rows["agreements"] == 2 and entry.ontology == "1.1.0"
    assert "PlanSection" in ledger.ontology["1.1.0"]
    assert "PlanSection" not in ledger.ontology["1.0.0"]
    # The same content may be written again (another folder, same version).
    again = runner.invoke(
        cli,
        ["--project", str(next_project.root), "release", "--version", NEXT]
        + ["--out", str(tmp_path / "again")],
    )
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "SHA256SUMS").read_bytes() == (
        release / "SHA256SUMS"
    ).read_bytes()
    assert len(load_ledger(next_project.root).releases) == len(ledger.releases)


@pytest.mark.slow
def test_new_terms_need_a_new_ontology_version(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = next_release_copy(tmp_path)
    ontology = project.ontology_dir / "samverkansgraf.ttl"
    ontology.write_text(
        ontology.read_text("utf-8").replace(
            'owl:versionInfo "1.1.0"', 'owl:versionInfo "1.0.0"'
        ),
        "utf-8",
    )
    result = runner.invoke(
        cli,
        ["--project", str(project.root), "release", "--version", NEXT]
        + ["--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 2, result.output
    assert "ontology version 1.0.0 was issued with other terms (added since: " in (
        result.stderr
    )
    assert "PlanSection" in result.stderr and not (tmp_path / "r").exists()
