"""Stage 8c — release files: CSV, the Frictionless table schema, CITATION.cff and
the codebook, as bytes.

Input: table specs and rows, the publication settings. Output: file contents.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

from ..publish.settings import PublicationSettings
from .tables import SEPARATOR, TableSpec


def table_csv(spec: TableSpec, rows: list[list[str]]) -> bytes:
    """A table as UTF-8 CSV: its field names as the header row, then ``rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in spec.fields])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def table_schema(spec: TableSpec) -> dict[str, object]:
    """The Frictionless Table Schema of a table: fields, types, descriptions, keys."""
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


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` in hex, as ``SHA256SUMS`` lists it."""
    return hashlib.sha256(data).hexdigest()


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def citation_cff(settings: PublicationSettings, version: str, date: str) -> bytes:
    """``CITATION.cff`` (CFF 1.2.0) of this version, from the publication settings."""
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


def codebook_markdown(
    settings: PublicationSettings,
    version: str,
    date: str,
    tables: list[tuple[TableSpec, int]],
    others: list[dict[str, object]],
) -> bytes:
    """``codebook.md``: what each table and column means, and the other files."""
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
