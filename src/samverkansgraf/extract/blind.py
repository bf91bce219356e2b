"""Extraction evaluation, the blind set: synthetic texts nobody tuned to.

Input: ``evaluation/blind/`` of a project — ``texts/*.txt`` (synthetic agreements
and plans in layouts and counties the extractor was not developed on, with their
``SHA256SUMS``) and ``gold/*.ttl`` (a hand-written gold file per text, in the
curated data model with quote shorthands). Output: one ``CuratedDocument`` per
text with its evidence resolved exactly as the build resolves curated data, so
``evaluate`` scores blind texts with the same code as the development texts.
Nothing here enters the knowledge graph.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..build import CuratedDocument
from ..errors import SourceError
from ..evidence import check_evidence, resolve_evidence
from ..namespaces import SKG
from ..sources import ProjectPaths, parse_turtle, read_checksums, read_source_text

__all__ = ["BLIND_DIR", "blind_dir", "load_blind_set"]

BLIND_DIR = Path("evaluation") / "blind"
"""The blind set's folder, relative to the project root."""


def blind_dir(paths: ProjectPaths) -> Path:
    """The project's ``evaluation/blind/`` folder."""
    return paths.root / BLIND_DIR


def load_blind_set(paths: ProjectPaths) -> list[CuratedDocument]:
    """Every blind text with its gold, evidence resolved, in file-name order.

    A project without ``evaluation/blind/gold/`` has no blind set (an empty
    list). Every text must be listed in ``texts/SHA256SUMS`` with its checksum,
    so that a text changed after its gold was written is refused.

    Args:
        paths: the project.

    Returns:
        One document per gold file.

    Raises:
        SourceError: a gold file that does not parse, names no text, or whose
            text is missing or not in ``SHA256SUMS``.
        EvidenceError: a changed text, or a gold quote that is not in its text.
    """
    folder = blind_dir(paths)
    gold_dir, texts_dir = folder / "gold", folder / "texts"
    if not gold_dir.is_dir():
        return []
    checksums = read_checksums(texts_dir)
    documents = []
    for path in sorted(gold_dir.glob("*.ttl")):
        graph = parse_turtle(path)
        found = [
            s
            for s in graph.subjects(RDF.type, SKG.SourceDocument)
            if isinstance(s, URIRef)
        ]
        if len(found) != 1:
            raise SourceError(
                f"a blind gold file describes {len(found)} skg:SourceDocuments",
                path=path,
                hint="describe exactly one text of evaluation/blind/texts/",
            )
        document = found[0]
        file_name = str(graph.value(document, SKG.fileName) or "")
        if file_name not in checksums:
            raise SourceError(
                f"skg:fileName {file_name!r} is not listed in "
                f"{texts_dir / 'SHA256SUMS'}",
                path=path,
                hint="name a text of evaluation/blind/texts/ (and never change a "
                "blind text after its gold was written)",
            )
        source = read_source_text(texts_dir / file_name, checksums[file_name])
        records = resolve_evidence(graph, document, source.text, curated_path=path)
        check_evidence(graph, {document: source.text}, path=path)
        graph.set((document, SKG.sha256, Literal(source.sha256)))
        graph.set(
            (
                document,
                SKG.characterCount,
                Literal(len(source.text), datatype=XSD.integer),
            )
        )
        documents.append(CuratedDocument(path, document, source, graph, records))
    return documents
