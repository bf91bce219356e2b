"""Stage 8 — the release run: check, build and write one version's data package.

Input: the assembled dataset (validated against the SHACL shapes; nothing is
written when it does not conform), ``publication.toml`` and the project's
``CHANGELOG.md``, which must have an entry ``## [X.Y.Z] - YYYY-MM-DD`` for the
version (its date is the release date). Output: a folder, written atomically, with

- ``data/*.csv`` — actors, agreements, clauses, commitments, activities,
  participation (activity × actor) and evidence, rows in a deterministic order;
- ``datapackage.json`` — a Frictionless tabular data package (fields, types,
  descriptions, keys) that also lists the RDF dumps and the masked source texts;
- ``codebook.md``, ``CITATION.cff`` (CFF 1.2.0), ``CHANGELOG.md``;
- ``rdf/`` — the dumps; ``sources/`` — masked copies of the source texts (contact
  data replaced one for one, so the evidence offsets hold);
- ``SHA256SUMS`` over every other file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import DCTERMS, OWL

from .. import __version__
from ..atomic import atomic_directory, check_output_directory, holds_files
from ..build import DUMP_STEM, AssembledDataset, assemble_dataset, serialise_dataset
from ..errors import PublishError
from ..namespaces import GRAPH_SCHEMES, ONTOLOGY_IRI, SKG
from ..privacy import mask_contact_data
from ..publish.checks import check_conformance, check_privacy
from ..publish.settings import PublicationSettings, load_publication
from ..rdfio import format_for_path
from ..sources import ProjectPaths
from .files import citation_cff, codebook_markdown, sha256_hex, table_csv, table_schema
from .ledger import ReleaseEntry, content_digest, load_ledger
from .tables import TABLES, TableData
from .versions import CHANGELOG, changelog_entry, check_version


@dataclass
class ReleaseResult:
    """What ``write_release`` wrote."""

    out: Path
    """The release folder."""
    version: str
    """The version."""
    date: str
    """Its release date (from the changelog)."""
    files: list[str]
    """Release-relative paths of every file."""
    rows: dict[str, int]
    """Rows per CSV table."""


def build_release(
    assembled: AssembledDataset,
    settings: PublicationSettings,
    version: str,
    changelog: str,
    changelog_path: Path,
) -> tuple[dict[str, bytes], str, dict[str, int]]:
    """Every file of a release, in memory.

    Args:
        assembled: the dataset (validated by the caller).
        settings: publication.toml.
        version: a semantic version.
        changelog: text of the project's CHANGELOG.md.
        changelog_path: its path (for messages).

    Returns:
        (release-relative path → bytes, release date, rows per table).

    Raises:
        PublishError: invalid version or no dated changelog entry for it.
    """
    check_version(version)
    changes, date = changelog_entry(changelog, version, changelog_path)
    data = TableData(assembled)
    files: dict[str, bytes] = {}
    resources: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    table_counts = []
    for spec in TABLES:
        rows = spec.rows(data)
        path = f"data/{spec.name}.csv"
        files[path] = table_csv(spec, rows)
        counts[spec.name] = len(rows)
        table_counts.append((spec, len(rows)))
        resources.append(
            {
                "name": spec.name,
                "path": path,
                "profile": "tabular-data-resource",
                "title": spec.title,
                "description": spec.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(spec),
            }
        )
    others: list[dict[str, object]] = []
    for suffix, dump in serialise_dataset(assembled).items():
        path = f"rdf/{DUMP_STEM}{suffix}"
        files[path] = dump
        others.append(
            {
                "name": f"rdf-{suffix.lstrip('.')}",
                "path": path,
                "title": f"The complete dataset as RDF ({suffix.lstrip('.')})",
                "format": suffix.lstrip("."),
                "mediatype": format_for_path(path).media_type,
                "encoding": "utf-8",
            }
        )
    for doc in assembled.documents:
        path = f"sources/{doc.source.path.name}"
        files[path] = mask_contact_data(doc.source.text).encode("utf-8")
        title = data.label(doc.document, "sv", DCTERMS.title) or doc.source.path.name
        others.append(
            {
                "name": "source-"
                + re.sub(r"[^a-z0-9]+", "-", doc.source.path.stem.lower()),
                "path": path,
                "title": f"Source text, contact data masked: {title}",
                "format": "txt",
                "mediatype": "text/plain",
                "encoding": "utf-8",
            }
        )
    for resource in [*resources, *others]:
        content = files[str(resource["path"])]
        resource["bytes"] = len(content)
        resource["hash"] = f"sha256:{sha256_hex(content)}"
    package = {
        "profile": "data-package",
        "name": "samverkansgraf",
        "title": settings.title_en,
        "description": settings.description_en,
        "version": version,
        "created": f"{date}T00:00:00Z",
        "homepage": settings.base_url,
        "keywords": list(settings.keywords_en),
        "licenses": [
            {
                "name": "CC0-1.0",
                "path": "http://creativecommons.org/publicdomain/zero/1.0/",
                "title": "Creative Commons Zero v1.0 Universal",
            }
        ],
        "contributors": [
            {"title": author, "role": "author"} for author in settings.authors
        ],
        "sources": [
            {
                "title": data.label(doc.document, "sv", DCTERMS.title)
                or doc.source.path.name,
                "path": f"sources/{doc.source.path.name}",
            }
            for doc in assembled.documents
        ],
        "resources": [*resources, *others],
        "generator": f"samverkansgraf {__version__}",
    }
    files["datapackage.json"] = (
        json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    ).encode("utf-8")
    files["codebook.md"] = codebook_markdown(
        settings, version, date, table_counts, others
    )
    files["CITATION.cff"] = citation_cff(settings, version, date)
    files["CHANGELOG.md"] = with_contents(
        changes, version, contents_lines(assembled, data, counts)
    ).encode("utf-8")
    files["SHA256SUMS"] = "".join(
        f"{sha256_hex(files[path])}  {path}\n" for path in sorted(files)
    ).encode("utf-8")
    return files, date, counts


def ontology_version(assembled: AssembledDataset) -> tuple[str, list[str]]:
    """The ontology's ``owl:versionInfo`` and the local names of its terms."""
    graph = assembled.graphs[ONTOLOGY_IRI]
    version = str(graph.value(ONTOLOGY_IRI, OWL.versionInfo) or "")
    terms = {
        str(s)[len(str(SKG)) :]
        for iri in (ONTOLOGY_IRI, GRAPH_SCHEMES)
        if iri in assembled.graphs
        for s in assembled.graphs[iri].subjects()
        if str(s).startswith(str(SKG)) and len(str(s)) > len(str(SKG))
    }
    return version, sorted(terms)


def contents_lines(
    assembled: AssembledDataset, data: TableData, counts: dict[str, int]
) -> list[str]:
    """What a release holds, as Markdown list items (its changelog states them)."""
    titles = [
        data.label(doc.document, "sv", DCTERMS.title) or doc.source.path.name
        for doc in assembled.documents
    ]
    version, terms = ontology_version(assembled)
    rows = ", ".join(f"{n} {name}" for name, n in counts.items())
    return [
        f"- {len(titles)} source document(s): " + "; ".join(titles),
        f"- rows: {rows}",
        f"- ontology {version} ({len(terms)} terms)",
    ]


def with_contents(changes: str, version: str, lines: list[str]) -> str:
    """The changelog with a generated *Contents* section closing ``version``'s entry,
    so that the changelog a release carries always matches what it holds."""
    block = f"### Contents of {version} (generated from the data)\n\n" + "\n".join(
        lines
    )
    headings = [m.start() for m in re.finditer(r"^## \[", changes, re.M)]
    if len(headings) < 2:
        return changes.rstrip() + "\n\n" + block + "\n"
    cut = headings[1]
    return changes[:cut].rstrip() + "\n\n" + block + "\n\n" + changes[cut:]


_EARLIER_RELEASE = holds_files("datapackage.json", "CITATION.cff", "SHA256SUMS")
"""How an earlier release written before ``atomic.OUTPUT_MARKER`` existed is known."""


def write_release(
    paths: ProjectPaths, version: str, out: str | Path | None = None
) -> ReleaseResult:
    """Validate the dataset and write a release folder atomically.

    Args:
        paths: the project.
        version: a semantic version with a dated entry in CHANGELOG.md.
        out: the release folder (default ``dist/releases/samverkansgraf-<version>``).

    Returns:
        What was written.

    Raises:
        PublishError: invalid version, missing changelog entry, contact data, a
            version issued before with other content (``releases.json``), or an
            ontology version issued before with other terms.
        NonConformanceError: the graph fails the SHACL shapes — nothing is written.
        SourceError, EvidenceError: bad input. OutputError: cannot write, or
            ``out`` is a folder release did not write.
    """
    check_version(version)
    target = (
        Path(out)
        if out is not None
        else paths.dist_dir / "releases" / f"samverkansgraf-{version}"
    )
    # Issue 16: never replace a folder release did not write (a release from
    # before the marker is known by its package files). Checked before the
    # build, so a refused --out fails at once; atomic_directory checks again.
    check_output_directory(
        target, "release", project_root=paths.root, recognise=_EARLIER_RELEASE
    )
    changelog_path = paths.root / CHANGELOG
    try:
        changelog = changelog_path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise PublishError(
            "no CHANGELOG.md", path=changelog_path, hint="create it with an entry"
        ) from exc
    changelog_entry(changelog, version, changelog_path)
    assembled = assemble_dataset(paths)
    check_conformance(assembled, paths)
    settings = load_publication(paths.root)
    files, date, counts = build_release(
        assembled, settings, version, changelog, changelog_path
    )
    check_privacy(files)
    # A version means one content: never reissue it with different data.
    ledger = load_ledger(paths.root)
    digest = content_digest(files)
    issued_before = ledger.check(version, digest)
    onto_version, terms = ontology_version(assembled)
    ledger.check_ontology(onto_version, terms)
    with atomic_directory(
        target, "release", project_root=paths.root, recognise=_EARLIER_RELEASE
    ) as work:
        for relative, content in files.items():
            path = work / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        work.chmod(0o755)
    if not issued_before:
        ledger.record(
            ReleaseEntry(version, date, digest, counts, onto_version),
            onto_version,
            terms,
        )
    return ReleaseResult(target, version, date, sorted(files), counts)
