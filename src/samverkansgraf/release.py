"""Stage 8 — release: a citable research data package of one version.

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

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from . import __version__
from .atomic import atomic_directory, check_output_directory, holds_files
from .build import DUMP_STEM, AssembledDataset, assemble_dataset, serialise_dataset
from .errors import PublishError
from .evidence import EvidenceIndex
from .labels import find_label, natural_key
from .namespaces import GRAPH_ONTOLOGY, SKG, WD
from .privacy import mask_contact_data
from .publish.checks import check_conformance, check_privacy
from .publish.settings import PublicationSettings, load_publication
from .rdfio import format_for_path
from .sources import ProjectPaths

__all__ = [
    "SEMVER",
    "TABLES",
    "ReleaseResult",
    "TableSpec",
    "build_release",
    "changelog_entry",
    "check_version",
    "write_release",
]

# The regular expression suggested by semver.org (FAQ, "Is there a suggested
# regular expression (RegEx) to check a SemVer string?").
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
SEPARATOR = " | "
"""Between the values of a multi-valued CSV cell (IRIs never contain it)."""
CHANGELOG = "CHANGELOG.md"


def check_version(version: str) -> str:
    """Return ``version`` if it is a semantic version, else raise.

    Example:
        >>> check_version("0.1.0")
        '0.1.0'
        >>> check_version("v1.0")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        samverkansgraf.errors.PublishError: invalid version 'v1.0': not a semantic ...
    """
    if not SEMVER.match(version):
        raise PublishError(
            f"invalid version {version!r}: not a semantic version MAJOR.MINOR.PATCH",
            hint="use e.g. 0.1.0 or 1.0.0-rc.1 (https://semver.org)",
        )
    return version


_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?\s*$", re.M)


def changelog_entry(text: str, version: str, path: Path) -> tuple[str, str]:
    """The changelog from ``version``'s entry downwards, and that entry's date.

    Args:
        text: the Keep-a-Changelog style ``CHANGELOG.md``.
        version: the version being released.
        path: the file (for error messages).

    Returns:
        (Markdown of the entry and all older entries under the file's title, the
        ISO date of the entry).

    Raises:
        PublishError: no entry for ``version``, or one without a YYYY-MM-DD date.
    """
    headings = list(_HEADING.finditer(text))
    for match in headings:
        if match.group("version") != version:
            continue
        date = match.group("date") or ""
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise PublishError(
                f"the entry for {version} has no release date",
                path=path,
                line=text.count("\n", 0, match.start()) + 1,
                hint=f"write its heading as '## [{version}] - YYYY-MM-DD'",
            )
        title = text[: headings[0].start()].rstrip() if headings else ""
        body = text[match.start() :].rstrip()
        return (f"{title}\n\n{body}\n" if title else f"{body}\n"), date
    raise PublishError(
        f"no changelog entry for version {version}",
        path=path,
        hint=f"add a section '## [{version}] - YYYY-MM-DD' describing the changes",
    )


# -- tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One CSV column and its Frictionless field descriptor."""

    name: str
    type: str
    description: str
    format: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One CSV table of the release."""

    name: str
    """Resource name and file stem (``data/<name>.csv``)."""
    title: str
    """Human title."""
    description: str
    """What a row is."""
    fields: tuple[Field, ...]
    """Columns, in order."""
    rows: Callable[[_Data], list[list[str]]]
    """Computes the rows (already sorted)."""
    primary_key: tuple[str, ...] = ()
    """Columns that identify a row."""
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    """(column, other table, its column)."""


def _iri(name: str, description: str) -> Field:
    return Field(name, "string", description, "uri")


def _text(name: str, description: str) -> Field:
    return Field(name, "string", description)


def _many(name: str, description: str) -> Field:
    return Field(
        name, "string", f"{description} Several values are separated by ' | '."
    )


class _Data:
    """The union graph with the look-ups the tables need."""

    def __init__(self, assembled: AssembledDataset) -> None:
        self.graph = assembled.union()
        self.ontology = assembled.graphs[GRAPH_ONTOLOGY]
        self.files = {d.document: d.source.path.name for d in assembled.documents}
        self.document_of: dict[Node, URIRef] = {}
        for doc in assembled.documents:
            for subject in doc.graph.subjects(RDF.type, None):
                self.document_of.setdefault(subject, doc.document)
        # The build's resolved records: evidence is read once, not from triples.
        self.evidence = EvidenceIndex.of_documents(assembled.documents)
        self.mentioned = {
            o
            for doc in assembled.documents
            for o in doc.graph.objects()
            if isinstance(o, URIRef)
        }

    def values(self, s: Node, p: URIRef) -> list[Node]:
        return sorted(self.graph.objects(s, p), key=str)

    def one(self, s: Node, p: URIRef) -> str:
        values = self.values(s, p)
        return str(values[0]) if values else ""

    def many(self, s: Node, p: URIRef) -> str:
        return SEPARATOR.join(str(v) for v in self.values(s, p))

    def label(self, s: Node, lang: str, prop: URIRef = RDFS.label) -> str:
        """``s``'s ``prop`` in exactly ``lang`` (a column per language: no
        fallback to another language), else ``""``."""
        return find_label(self.graph, s, lang, (prop,), any_language=False) or ""

    def alt_labels(self, s: Node) -> str:
        return SEPARATOR.join(
            sorted({str(v) for v in self.graph.objects(s, SKOS.altLabel)})
        )

    def instances(self, cls: URIRef) -> list[URIRef]:
        return sorted(
            (s for s in self.graph.subjects(RDF.type, cls) if isinstance(s, URIRef)),
            key=natural_key,
        )

    def subclasses(self, cls: URIRef) -> set[URIRef]:
        found = {cls}
        frontier = [cls]
        while frontier:
            for sub in self.ontology.subjects(RDFS.subClassOf, frontier.pop()):
                if isinstance(sub, URIRef) and sub not in found:
                    found.add(sub)
                    frontier.append(sub)
        return found

    def curie(self, node: Node) -> str:
        return self.graph.namespace_manager.normalizeUri(node)  # type: ignore[arg-type]

    def spans(self, fact: Node) -> list[tuple[URIRef, int, int, str]]:
        """(document, start, end, exact) of every evidence of ``fact``."""
        found = [
            (r.document, r.span.start, r.span.end, r.span.exact)
            for r in self.evidence.of(fact)
            if not r.skipped
        ]
        return sorted(found, key=lambda f: (str(f[0]), f[1], f[2]))

    def first_span(self, fact: Node) -> list[str]:
        spans = self.spans(fact)
        if not spans:
            document = self.document_of.get(fact)
            return [str(document or ""), self.files.get(document, ""), "", "", ""]  # type: ignore[arg-type]
        document, start, end, exact = spans[0]
        return [
            str(document),
            self.files.get(document, ""),
            str(start),
            str(end),
            exact,
        ]


_SPAN_FIELDS = (
    _iri("document", "The skg:SourceDocument the first evidence quotes."),
    _text("file", "Its file in sources/ (masked copy)."),
    Field(
        "start",
        "integer",
        "First evidence: 0-based code-point offset of the quote in the file.",
    ),
    Field(
        "end",
        "integer",
        "First evidence: end offset (exclusive); file[start:end] == quote.",
    ),
    _text("quote", "First evidence: the verbatim quote (all evidence: evidence.csv)."),
)


def _actors(d: _Data) -> list[list[str]]:
    classes = d.subclasses(SKG.Actor)
    actors = sorted({s for cls in classes for s in d.instances(cls)}, key=natural_key)
    rows = []
    for actor in actors:
        types = sorted(
            (t for t in d.graph.objects(actor, RDF.type) if t in classes), key=str
        )
        wikidata = [
            str(o) for o in d.values(actor, OWL.sameAs) if str(o).startswith(str(WD))
        ]
        rows.append(
            [
                str(actor),
                SEPARATOR.join(d.curie(t) for t in types),
                d.label(actor, "sv"),
                d.label(actor, "en"),
                d.alt_labels(actor),
                d.one(actor, SKG.municipalityCode),
                d.one(actor, SKG.countyCode),
                d.one(actor, SKG.organisationNumber),
                d.one(actor, SKG.inRegion),
                SEPARATOR.join(wikidata),
                "true" if actor in d.mentioned else "false",
            ]
        )
    return rows


def _agreements(d: _Data) -> list[list[str]]:
    return [
        [
            str(a),
            d.label(a, "sv"),
            d.label(a, "en"),
            d.many(a, SKG.party),
            d.one(a, SKG.startYear)[:4],
            d.one(a, SKG.endYear)[:4],
            d.many(a, SKG.basedOn),
            str(d.document_of.get(a, "")),
            d.files.get(d.document_of.get(a), ""),  # type: ignore[arg-type]
        ]
        for a in d.instances(SKG.Agreement)
    ]


def _clauses(d: _Data) -> list[list[str]]:
    rows = [
        [
            str(c),
            d.one(c, DCTERMS.isPartOf),
            d.one(c, SKG.position),
            d.one(c, SKG.number),
        ]
        + d.first_span(c)
        for c in d.instances(SKG.Clause)
    ]
    return sorted(rows, key=lambda r: (r[1], int(r[2] or 0), r[0]))


def _commitments(d: _Data) -> list[list[str]]:
    rows = []
    for c in d.instances(SKG.Commitment):
        clause = d.one(c, SKG.inClause)
        modality = d.values(c, SKG.modality)
        rows.append(
            [
                str(c),
                d.label(c, "sv"),
                clause,
                d.one(URIRef(clause), DCTERMS.isPartOf) if clause else "",
                d.one(c, SKG.statedIn),
                d.many(c, SKG.committedBy),
                d.many(c, SKG.partner),
                SEPARATOR.join(str(m) for m in modality),
                SEPARATOR.join(d.label(m, "sv", SKOS.prefLabel) for m in modality),
                d.many(c, SKG.concerns),
                d.many(c, SKG.theme),
                d.one(c, SKG.subjectImplied) or "false",
            ]
            + d.first_span(c)
        )
    return rows


def _activities(d: _Data) -> list[list[str]]:
    return [
        [
            str(a),
            d.one(a, SKG.partOfPlan),
            d.one(a, SKG.heading),
            d.many(a, SKG.contributesTo),
            d.one(a, SKG.startTerm),
            d.one(a, SKG.completionYear)[:4],
            d.one(a, SKG.followUp),
            d.many(a, SKG.participant),
            d.many(a, SKG.convenor),
            d.many(a, SKG.coordinator),
        ]
        + d.first_span(a)
        for a in d.instances(SKG.Activity)
    ]


PARTICIPATION_ROLES = (
    ("participant", SKG.participant),
    ("convenor", SKG.convenor),
    ("coordinator", SKG.coordinator),
)


def _participation(d: _Data) -> list[list[str]]:
    rows = []
    for activity in d.instances(SKG.Activity):
        for role, prop in PARTICIPATION_ROLES:
            for actor in d.values(activity, prop):
                rows.append([str(activity), str(actor), role, d.label(actor, "sv")])
    return rows


def _evidence(d: _Data) -> list[list[str]]:
    rows = []
    for fact in d.evidence.facts():
        types = sorted(d.curie(t) for t in d.graph.objects(fact, RDF.type))
        for document, start, end, exact in d.spans(fact):
            rows.append(
                [
                    str(fact),
                    SEPARATOR.join(types),
                    str(document),
                    d.files.get(document, ""),
                    str(start),
                    str(end),
                    exact,
                ]
            )
    unique = {tuple(r) for r in rows}
    return sorted(
        (list(r) for r in unique), key=lambda r: (r[3], int(r[4]), int(r[5]), r[0])
    )


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "actors",
        "Actors",
        "One row per actor (region, municipality, institution, organisation, network, "
        "person): all of the gazetteer, plus whether any curated document mentions it.",
        (
            _iri("iri", "The actor's IRI."),
            _text("type", "Its class(es) as CURIEs, e.g. skg:Municipality."),
            _text("label_sv", "Name in Swedish (rdfs:label@sv)."),
            _text("label_en", "Name in English, where given."),
            _many(
                "alt_labels", "Other names and spelling variants met in the sources."
            ),
            _text(
                "municipality_code",
                "SCB municipality code (4 digits), municipalities only.",
            ),
            _text("county_code", "SCB county code (2 digits), regions only."),
            _text("organisation_number", "Swedish organisation number, where known."),
            _iri("in_region", "The region a municipality belongs to."),
            _many("wikidata", "owl:sameAs links to Wikidata."),
            Field(
                "mentioned",
                "boolean",
                "True when a curated document refers to the actor.",
            ),
        ),
        _actors,
        ("iri",),
    ),
    TableSpec(
        "agreements",
        "Agreements",
        "One row per agreement (överenskommelse).",
        (
            _iri("iri", "The agreement's IRI."),
            _text("label_sv", "Title in Swedish."),
            _text("label_en", "Title in English, where given."),
            _many("parties", "IRIs of the parties (actors.csv)."),
            Field("start_year", "year", "First year of the agreement period."),
            Field("end_year", "year", "Last year of the agreement period."),
            _many("based_on", "IRIs of the plans the agreement builds on."),
            _iri("document", "The source document that describes it."),
            _text("file", "The source document's file in sources/."),
        ),
        _agreements,
        ("iri",),
    ),
    TableSpec(
        "clauses",
        "Clauses",
        "One row per clause: a numbered or bulleted area of an agreement, in "
        "document order.",
        (
            _iri("iri", "The clause's IRI."),
            _iri("agreement", "The agreement it belongs to (agreements.csv)."),
            Field(
                "position", "integer", "1-based order of the clause in its document."
            ),
            _text("number", "The number as printed, if any."),
            *_SPAN_FIELDS,
        ),
        _clauses,
        ("iri",),
        (("agreement", "agreements", "iri"),),
    ),
    TableSpec(
        "commitments",
        "Commitments",
        "One row per commitment: what one or more actors undertake, with how binding "
        "the wording is (modality) and what it concerns.",
        (
            _iri("iri", "The commitment's IRI."),
            _text("label_sv", "A curator's summary in Swedish, where given."),
            _iri("clause", "The agreement clause it is part of (clauses.csv), if any."),
            _iri("agreement", "The clause's agreement."),
            _iri("stated_in", "The plan or document it is stated in, if not a clause."),
            _many("committed_by", "IRIs of the committing actors (actors.csv)."),
            _many(
                "partner", "IRIs of actors it is made together with, not its subjects."
            ),
            _iri(
                "modality",
                "The modality concept (skg:Shall, skg:Intends, skg:StrivesFor, "
                "skg:May, skg:States).",
            ),
            _text(
                "modality_label",
                "The modality's Swedish label (ska, vill, verkar för, kan, "
                "konstaterar).",
            ),
            _many(
                "concerns",
                "IRIs of the programmes, institutions or actors it is about.",
            ),
            _many("themes", "IRIs of its theme concepts (skg:ThemeScheme)."),
            Field(
                "subject_implied",
                "boolean",
                "True when the text names no actor and the parties are implied.",
            ),
            *_SPAN_FIELDS,
        ),
        _commitments,
        ("iri",),
        (("clause", "clauses", "iri"),),
    ),
    TableSpec(
        "activities",
        "Activities",
        "One row per activity of an action plan (one table row of the plan).",
        (
            _iri("iri", "The activity's IRI."),
            _iri("plan", "The plan it is part of."),
            _text("heading", "Its heading (Rubrik) as printed."),
            _many("goals", "IRIs of the development goals it contributes to."),
            _text("start_term", "Start as printed, e.g. 'Ht 2020'."),
            Field("completion_year", "year", "Planned completion year, where given."),
            _text("follow_up", "Follow-up as printed."),
            _many(
                "participants",
                "IRIs of participating actors (also in participation.csv).",
            ),
            _many("convenors", "IRIs of the convenors (the bold name)."),
            _many("coordinators", "IRIs of the coordinators."),
            *_SPAN_FIELDS,
        ),
        _activities,
        ("iri",),
    ),
    TableSpec(
        "participation",
        "Participation",
        "One row per activity × actor × role (participant, convenor, coordinator).",
        (
            _iri("activity", "The activity (activities.csv)."),
            _iri("actor", "The actor (actors.csv)."),
            _text("role", "participant, convenor or coordinator."),
            _text("actor_label", "The actor's Swedish name, for reading."),
        ),
        _participation,
        ("activity", "actor", "role"),
        (("activity", "activities", "iri"), ("actor", "actors", "iri")),
    ),
    TableSpec(
        "evidence",
        "Evidence",
        "One row per piece of evidence: the exact words a fact rests on and where they "
        "are in the source file.",
        (
            _iri(
                "fact",
                "The clause, commitment, activity, statement … the quote supports.",
            ),
            _text("fact_type", "Its class(es) as CURIEs."),
            _iri("document", "The source document."),
            _text(
                "file",
                "The source file in sources/ (masked copy; offsets are valid in it).",
            ),
            Field("start", "integer", "0-based code-point offset of the quote."),
            Field(
                "end",
                "integer",
                "End offset (exclusive): file text[start:end] == quote.",
            ),
            _text("quote", "The verbatim quote (oa:exact)."),
        ),
        _evidence,
        ("fact", "document", "start", "end"),
    ),
)


def _csv(spec: TableSpec, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in spec.fields])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _schema(spec: TableSpec) -> dict[str, object]:
    fields = []
    for f in spec.fields:
        descriptor: dict[str, object] = {
            "name": f.name,
            "type": f.type,
            "description": f.description,
        }
        if f.format:
            descriptor["format"] = f.format
        fields.append(descriptor)
    schema: dict[str, object] = {"fields": fields, "missingValues": [""]}
    if spec.primary_key:
        schema["primaryKey"] = list(spec.primary_key)
    if spec.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": table, "fields": other}}
            for column, table, other in spec.foreign_keys
        ]
    return schema


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _citation(settings: PublicationSettings, version: str, date: str) -> bytes:
    lines = [
        "cff-version: 1.2.0",
        f"message: {_yaml(settings.citation_message)}",
        "type: dataset",
        f"title: {_yaml(settings.title_en)}",
        f"version: {_yaml(version)}",
        f"date-released: {_yaml(date)}",
        "license: CC0-1.0",
        f"repository: {_yaml(settings.repository)}",
        f"url: {_yaml(settings.base_url)}",
        f"abstract: {_yaml(settings.description_en)}",
        "keywords:",
        *(f"  - {_yaml(k)}" for k in settings.keywords_en),
        "authors:",
    ]
    for author in settings.authors:
        family, comma, given = author.partition(", ")
        if comma:
            lines += [
                f"  - family-names: {_yaml(family)}",
                f"    given-names: {_yaml(given)}",
            ]
        else:
            lines.append(f"  - name: {_yaml(author)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _codebook(
    settings: PublicationSettings,
    version: str,
    date: str,
    tables: list[tuple[TableSpec, int]],
    others: list[dict[str, object]],
) -> bytes:
    out = [
        f"# Codebook — {settings.title_en}, version {version}",
        "",
        f"Released {date}. Licence: CC0 1.0 "
        "(<http://creativecommons.org/publicdomain/zero/1.0/>).",
        "",
        settings.description_en,
        "",
        "## Conventions",
        "",
        "- Every resource is identified by an IRI under "
        "`https://w3id.org/samverkansgraf/id/`; classes and concepts by IRIs under "
        "`https://w3id.org/samverkansgraf/ontology#` (prefix `skg:`), which the "
        "ontology in `rdf/` defines in Swedish and English.",
        f"- A multi-valued cell holds the values separated by `{SEPARATOR}`; an empty "
        "cell means no value.",
        "- Offsets (`start`, `end`) are 0-based Unicode code-point offsets into the "
        "file "
        "in `sources/`, end exclusive: `text[start:end] == quote`.",
        "- The files in `sources/` are the source documents with contact data (e-mail "
        "addresses, phone numbers) replaced character for character by `█`, so every "
        "offset is valid in them; their SHA-256 therefore differs from the original's "
        "(`skg:sha256` in the RDF).",
        "- Rows are sorted (by IRI, or by document order for clauses and evidence), so "
        "two releases diff cleanly.",
        "- The RDF dumps in `rdf/` are the complete dataset; the CSV tables are views "
        "of it.",
        "",
        "## Tables",
        "",
    ]
    for spec, count in tables:
        out += [
            f"### `data/{spec.name}.csv` — {spec.title} ({count} rows)",
            "",
            spec.description,
            "",
            "| column | type | description |",
            "|---|---|---|",
        ]
        for f in spec.fields:
            kind = f.type + (f" ({f.format})" if f.format else "")
            out.append(f"| `{f.name}` | {kind} | {f.description.replace('|', '/')} |")
        if spec.primary_key:
            out += ["", "Key: " + ", ".join(f"`{k}`" for k in spec.primary_key) + "."]
        out.append("")
    out += ["## Other files", "", "| file | content |", "|---|---|"]
    for resource in others:
        out.append(f"| `{resource['path']}` | {resource['title']} |")
    out += [
        "| `CITATION.cff` | how to cite this release |",
        "| `CHANGELOG.md` | what changed in this and earlier versions |",
        "| `SHA256SUMS` | checksums of every other file (`sha256sum -c SHA256SUMS`) |",
        "",
    ]
    return "\n".join(out).encode("utf-8")


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
    data = _Data(assembled)
    files: dict[str, bytes] = {}
    resources: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    table_counts = []
    for spec in TABLES:
        rows = spec.rows(data)
        path = f"data/{spec.name}.csv"
        files[path] = _csv(spec, rows)
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
                "schema": _schema(spec),
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
        resource["hash"] = f"sha256:{_sha256(content)}"
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
    files["codebook.md"] = _codebook(settings, version, date, table_counts, others)
    files["CITATION.cff"] = _citation(settings, version, date)
    files["CHANGELOG.md"] = changes.encode("utf-8")
    files["SHA256SUMS"] = "".join(
        f"{_sha256(files[path])}  {path}\n" for path in sorted(files)
    ).encode("utf-8")
    return files, date, counts


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
        PublishError: invalid version, missing changelog entry, contact data.
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
    with atomic_directory(
        target, "release", project_root=paths.root, recognise=_EARLIER_RELEASE
    ) as work:
        for relative, content in files.items():
            path = work / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        work.chmod(0o755)
    return ReleaseResult(target, version, date, sorted(files), counts)
