"""Stage 3 — the build cache: what a build computed per document, kept for the next.

Input: ``document.DocumentBuild`` results and the project's files. Output: a
``BuildCache`` in ``<project>/.build-cache/`` from which a later build takes every
document whose inputs did not change, so that a rebuild after editing one document
redoes one document (``pipeline``).

**Keys are content hashes.** A document's entry is named by the SHA-256 of
everything its build read: the curated file's bytes and location (relative IRIs
resolve against it), the reference names its generated labels use (the pipeline
adds them to the bytes it hashes), and a fingerprint of the code that builds it
(every module of the package, pyoxigraph's and rdflib's versions). Its source
text is checked
separately on every build: the entry records the source file and digest it was
built from, which must equal ``SHA256SUMS`` and the file's bytes now.

**Never trusted blindly.** The cache folder carries ``CACHEDIR.TAG`` and a
manifest naming its format and code fingerprint; a cache of another format or
version is emptied and rebuilt, a folder that is not a build cache is left alone
(the build runs without it and says so). Each entry starts with a header holding
the CRC-32 of the header itself and of every section; an entry that is
truncated, damaged or whose key does not match its name is treated as missing
(``CacheCorruptError``) and the document is built again. Entries are written to a
temporary name and renamed, so a killed build leaves whole entries or none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rdflib import URIRef

from .. import __version__
from ..evidence import EvidenceRecord, Span
from ..rdfio import known_iri
from ..sources import ProjectPaths, SourceText, read_source_text
from ..validate.bydocument import ShapeScopes, ValidationMemory
from .document import DocumentBuild, Footprint
from .dumps import GraphPieces

__all__ = [
    "CACHE_DIRECTORY",
    "BuildCache",
    "CacheCorruptError",
    "CachedDocument",
    "code_fingerprint",
]

log = logging.getLogger(__name__)

CACHE_DIRECTORY = ".build-cache"
"""The cache's folder inside the project (ignored by git)."""
FORMAT = 1
"""The layout of the cache's files; a cache of another format is rebuilt."""
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by samverkansgraf build.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_MAGIC = b"samverkansgraf build cache entry\n"
_MEMORY_MAGIC = b"samverkansgraf validation memory\n"
_MEMORY = "validation.memory"
_SCOPES = "shape-scopes"
_PAGES = "pages"
"""One state file per site folder ``publish`` wrote (``publish.reuse``)."""
_SECTIONS = ("nquads", "turtle", "jsonld")
_HEAD = struct.Struct(">II")  # header length, CRC-32 of the header


class CacheCorruptError(Exception):
    """A cache entry that cannot be read back exactly: build the document again."""


def code_fingerprint() -> str:
    """A digest of the code that builds a document: every module of the package
    and the versions of pyoxigraph and rdflib (their serialisers write the
    pieces). Changing any of them invalidates every entry."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in ("pyoxigraph", "rdflib"):
        digest.update(f"{name} {version(name)}\n".encode())
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        digest.update(module.read_bytes())
    return digest.hexdigest()


@dataclass
class CachedDocument:
    """A document read back from the cache: its build without the pieces, which
    ``pieces()`` reads (and checks) when the dumps are written."""

    build: DocumentBuild
    """The build; its ``pieces`` hold only the triple count until read."""
    entry: Path
    """The entry file."""
    header: dict[str, Any] | None = None
    """The entry's header as ``load`` read it, with its checksum: the pieces
    are then read without decoding the header's JSON a second time (a third
    of a national rebuild's reading)."""
    header_crc: int | None = None

    def pieces(self) -> GraphPieces:
        """The document's dump pieces, read from the entry and checked.

        Raises:
            CacheCorruptError: the entry changed since it was checked.
        """
        known = None
        if self.header is not None and self.header_crc is not None:
            known = (self.header, self.header_crc)
        return _read_pieces(self.entry, str(self.build.document), known)


class BuildCache:
    """The per-document build cache of a project (see the module docstring)."""

    def __init__(self, root: Path, fingerprint: str) -> None:
        self.root = root
        """The cache folder."""
        self.fingerprint = fingerprint
        """The code fingerprint every key includes."""
        self.documents = root / "documents"
        """One entry file per built document."""
        self.used: set[str] = set()
        """Entries read or written by this build (the others are pruned)."""

    @classmethod
    def open(cls, paths: ProjectPaths) -> BuildCache | None:
        """The project's cache, made or emptied as needed; None (with a warning)
        when ``.build-cache`` exists and is not a samverkansgraf build cache."""
        root = paths.root / CACHE_DIRECTORY
        fingerprint = code_fingerprint()
        manifest = {"format": FORMAT, "code": fingerprint, "version": __version__}
        try:
            if root.exists() and not _is_ours(root):
                log.warning(
                    "%s is not a samverkansgraf build cache: building without it",
                    root,
                )
                return None
            cache = cls(root, fingerprint)
            if _read_manifest(root) != manifest:
                cache.clear()
                root.mkdir(parents=True, exist_ok=True)
                _write_atomically(root / "CACHEDIR.TAG", _TAG.encode())
                _write_atomically(
                    root / "manifest.json", json.dumps(manifest).encode("utf-8")
                )
            cache.documents.mkdir(exist_ok=True)
        except OSError as exc:
            log.warning("build cache unusable (%s): building without it", exc)
            return None
        return cache

    def clear(self) -> None:
        """Remove every entry this cache holds (its own files only)."""
        for entry in [*self._entries(), self.root / _MEMORY, self.root / _SCOPES]:
            with contextlib.suppress(OSError):
                entry.unlink()

    def key(self, path: Path, data: bytes) -> str:
        """The entry key of a curated file with these bytes."""
        digest = hashlib.sha256()
        digest.update(self.fingerprint.encode())
        digest.update(path.resolve().as_uri().encode("utf-8") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def load(
        self,
        key: str,
        path: Path,
        sources_dir: Path,
        checksums: dict[str, str],
    ) -> CachedDocument | None:
        """The cached build of a curated file, or None when there is none that
        still holds: no entry, a damaged one, or a source that changed.

        The source text is read (and its bytes checked against ``SHA256SUMS``)
        as a build would; any mismatch means the document is built again, which
        raises the proper error if there is one.
        """
        entry = self.documents / f"{key}.entry"
        try:
            header, header_crc = _read_header(entry)
        except FileNotFoundError:
            return None
        except (OSError, CacheCorruptError, ValueError, KeyError) as problem:
            log.warning("cache entry %s unusable (%s): rebuilding", entry.name, problem)
            return None
        if header.get("key") != key:
            log.warning("cache entry %s holds another key: rebuilding", entry.name)
            return None
        file_name = header["file_name"]
        expected = checksums.get(file_name)
        if expected is None or expected != header["source_sha256"]:
            return None
        try:
            source = read_source_text(sources_dir / file_name, expected)
        except Exception:  # noqa: BLE001 - the full build reports it
            return None
        self.used.add(key)
        build = _build_of(header, path, source)
        # What reading the pieces needs of the header, not its footprint text.
        kept = {name: header[name] for name in ("sections", "document", "triples")}
        return CachedDocument(build, entry, kept, header_crc)

    def store(self, key: str, build: DocumentBuild) -> CachedDocument:
        """Write a document's build as the entry ``key`` (atomically)."""
        entry = self.documents / f"{key}.entry"
        rows = [_record_json(r, build.source.text) for r in _records(build)]
        _write_atomically(entry, b"".join(_entry_bytes(key, build, rows)))
        self.used.add(key)
        # The pieces are in the entry now: not kept in memory, nor sent back
        # from a worker process. The evidence goes back as the entry's rows,
        # decoded if asked for: a tenth of their pickling cost, and a full
        # build asks only for their count (the footprint's).
        pieces = build.pieces
        light = GraphPieces(pieces.graph, b"", b"", b"", pieces.triples)
        evidence = _decoder(rows, build.document, build.source.text)
        return CachedDocument(
            dataclasses.replace(build, pieces=light, evidence=evidence), entry
        )

    def load_memory(self) -> ValidationMemory | None:
        """The last validation's memory, or None (none, damaged, or unreadable:
        the build then validates the whole dataset)."""
        try:
            data = _read_record(self.root / _MEMORY)
            return ValidationMemory.from_json(json.loads(data))
        except FileNotFoundError:
            return None
        except (OSError, CacheCorruptError, ValueError, KeyError, TypeError) as problem:
            log.warning(
                "validation memory unusable (%s): validating everything", problem
            )
            return None

    def save_memory(self, memory: ValidationMemory | None) -> None:
        """Keep ``memory`` for the next build (None: forget the last one)."""
        target = self.root / _MEMORY
        try:
            if memory is None:
                target.unlink(missing_ok=True)
                return
            data = json.dumps(memory.to_json(), ensure_ascii=False).encode("utf-8")
            _write_atomically(target, b"".join(_record(data)))
        except OSError as exc:
            log.warning("validation memory not kept (%s)", exc)

    def load_scopes(self, key: str) -> ShapeScopes | None:
        """The shapes' classification kept for ``key`` (code and shapes), or None."""
        try:
            data = json.loads(_read_record(self.root / _SCOPES))
            return ShapeScopes.from_json(data["scopes"]) if data["key"] == key else None
        except FileNotFoundError:
            return None
        except (OSError, CacheCorruptError, ValueError, KeyError, TypeError):
            return None

    def save_scopes(self, key: str, scopes: ShapeScopes | None) -> None:
        """Keep the shapes' classification for ``key``."""
        if scopes is None:
            return
        data = json.dumps({"key": key, "scopes": scopes.to_json()}).encode("utf-8")
        try:
            _write_atomically(self.root / _SCOPES, b"".join(_record(data)))
        except OSError as exc:
            log.warning("shape classification not kept (%s)", exc)

    def _pages_state(self, site: Path) -> Path:
        name = hashlib.sha256(str(site.resolve()).encode("utf-8")).hexdigest()[:32]
        return self.root / _PAGES / f"{name}.state"

    def load_pages_state(self, site: Path) -> Any:
        """What the last ``publish`` into ``site`` kept about its resource
        pages (``publish.reuse``), or None (none, damaged or unreadable: the
        publish then renders every page)."""
        try:
            return json.loads(_read_record(self._pages_state(site)))
        except FileNotFoundError:
            return None
        except (OSError, CacheCorruptError, ValueError) as problem:
            log.warning("earlier pages' state unusable (%s): rendering all", problem)
            return None

    def save_pages_state(self, site: Path, state: Any) -> None:
        """Keep ``state`` for the next publish into ``site`` (None: forget it —
        done before a site is replaced, so that a publish stopped between the
        two never reads a state of a folder that is gone)."""
        target = self._pages_state(site)
        try:
            if state is None:
                target.unlink(missing_ok=True)
                return
            target.parent.mkdir(exist_ok=True)
            data = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
            _write_atomically(target, b"".join(_record(data.encode("utf-8"))))
        except OSError as exc:
            log.warning("pages' state not kept (%s): the next publish renders all", exc)

    def prune(self) -> int:
        """Remove the entries this build did not use; the number removed."""
        removed = 0
        for entry in self._entries():
            if entry.stem not in self.used:
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed += 1
        return removed

    def _entries(self) -> Iterable[Path]:
        if not self.documents.is_dir():
            return []
        return [p for p in self.documents.iterdir() if p.suffix == ".entry"]


def _is_ours(root: Path) -> bool:
    try:
        return (root / "CACHEDIR.TAG").read_text("utf-8") == _TAG
    except (OSError, UnicodeDecodeError):
        return not any(root.iterdir()) if root.is_dir() else False


def _read_manifest(root: Path) -> dict[str, Any] | None:
    try:
        found = json.loads((root / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


# ---------------------------------------------------------------------------
# Entry files: magic, header length and CRC, JSON header, sections
# ---------------------------------------------------------------------------


def _entry_bytes(key: str, build: DocumentBuild, rows: list[list[Any]]) -> list[bytes]:
    pieces = build.pieces
    sections = [pieces.nquads, pieces.turtle, pieces.jsonld]
    footprint = build.footprint
    header: dict[str, Any] = {
        "key": key,
        "document": str(build.document),
        "file_name": build.source.path.name,
        "source_sha256": build.source.sha256,
        "prefixes": build.prefixes,
        "coverage": build.coverage,
        "triples": pieces.triples,
        "evidence": rows,
        "footprint": {
            "subjects": "\n".join(footprint.subjects),
            "types": {c: "\n".join(m) for c, m in footprint.types.items()},
            "references": "\n".join(footprint.references),
            "outward": footprint.outward,
            "skg_terms": footprint.skg_terms,
            "skgid_objects": "\n".join(footprint.skgid_objects),
            "quotes": footprint.quotes,
            "records": footprint.records,
        },
        "sections": {},
    }
    # Offsets are relative to the end of the header, whose length they do not
    # change.
    offset = 0
    for name, data in zip(_SECTIONS, sections, strict=True):
        header["sections"][name] = [offset, len(data), zlib.crc32(data)]
        offset += len(data)
    encoded = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return [_MAGIC, _HEAD.pack(len(encoded), zlib.crc32(encoded)), encoded, *sections]


def _record(data: bytes) -> list[bytes]:
    """A checked record: magic, length and CRC-32, data (the validation memory)."""
    return [_MEMORY_MAGIC, _HEAD.pack(len(data), zlib.crc32(data)), data]


def _read_record(path: Path) -> bytes:
    raw = path.read_bytes()
    start = len(_MEMORY_MAGIC) + _HEAD.size
    if not raw.startswith(_MEMORY_MAGIC) or len(raw) < start:
        raise CacheCorruptError("not a record of the build cache")
    length, crc = _HEAD.unpack(raw[len(_MEMORY_MAGIC) : start])
    data = raw[start:]
    if len(data) != length or zlib.crc32(data) != crc:
        raise CacheCorruptError("damaged record")
    return data


def _read_header(entry: Path) -> tuple[dict[str, Any], int]:
    """An entry's header and the checksum of its bytes."""
    with entry.open("rb") as stream:
        return _header_from(stream.read(len(_MAGIC) + _HEAD.size), stream)


def _header_from(
    start: bytes, stream: Any, known: tuple[dict[str, Any], int] | None = None
) -> tuple[dict[str, Any], int]:
    """Read the header after ``start`` from ``stream`` and check it; ``known``
    (a header read before, and its checksum) is returned undecoded when the
    bytes are still the same."""
    if not start.startswith(_MAGIC) or len(start) != len(_MAGIC) + _HEAD.size:
        raise CacheCorruptError("not an entry")
    length, crc = _HEAD.unpack(start[len(_MAGIC) :])
    encoded = stream.read(length)
    if len(encoded) != length or zlib.crc32(encoded) != crc:
        raise CacheCorruptError("damaged header")
    if known is not None and known[1] == crc:
        return known
    header = json.loads(encoded)
    if not isinstance(header, dict):
        raise CacheCorruptError("damaged header")
    return header, crc


def _read_pieces(
    entry: Path, graph: str, known: tuple[dict[str, Any], int] | None = None
) -> GraphPieces:
    try:
        with entry.open("rb") as stream:
            header, _ = _header_from(
                stream.read(len(_MAGIC) + _HEAD.size), stream, known
            )
            data = stream.read()
        found = []
        for name in _SECTIONS:
            offset, length, crc = header["sections"][name]
            section = data[offset : offset + length]
            if len(section) != length or zlib.crc32(section) != crc:
                raise CacheCorruptError(f"damaged {name} section")
            found.append(section)
        if header["document"] != graph:
            raise CacheCorruptError("entry of another document")
        return GraphPieces(graph, found[0], found[1], found[2], header["triples"])
    except (OSError, ValueError, KeyError, TypeError) as problem:
        raise CacheCorruptError(str(problem)) from problem


def _records(build: DocumentBuild) -> list[EvidenceRecord]:
    return build.evidence() if callable(build.evidence) else build.evidence


def _record_json(record: EvidenceRecord, text: str) -> list[Any]:
    span = record.span
    return [
        str(record.fact),
        span.start,
        span.end,
        # The quote is the source's text at the offsets (the build checked it):
        # kept only if it were not.
        None if text[span.start : span.end] == span.exact else span.exact,
        record.skipped,
        None if record.resource is None else str(record.resource),
        [str(s) for s in record.selectors],
    ]


def _decoder(
    rows: list[list[Any]], document: URIRef, text: str
) -> functools.partial[list[EvidenceRecord]]:
    """What decodes a document's evidence rows when called (picklable: a
    worker process sends it back)."""
    return functools.partial(_records_of, rows, document, text)


def _records_of(
    rows: list[list[Any]], document: URIRef, text: str
) -> list[EvidenceRecord]:
    return [_record_of(row, document, text) for row in rows]


def _record_of(row: list[Any], document: URIRef, text: str) -> EvidenceRecord:
    fact, start, end, exact, skipped, resource, selectors = row
    return EvidenceRecord(
        known_iri(fact),
        document,
        Span(start, end, text[start:end] if exact is None else exact),
        skipped,
        None if resource is None else known_iri(resource),
        tuple(known_iri(s) for s in selectors),
    )


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _build_of(header: dict[str, Any], path: Path, source: SourceText) -> DocumentBuild:
    footprint = header["footprint"]
    document = header["document"]
    iri = known_iri(document)
    rows = header["evidence"]
    return DocumentBuild(
        path=path,
        document=iri,
        source=source,
        # Decoded when first asked for (a rebuild's summary needs the count only).
        evidence=_decoder(rows, iri, source.text),
        # The pieces stay in the entry until the dumps are written; only the
        # count is read now.
        pieces=GraphPieces(document, b"", b"", b"", header["triples"]),
        footprint=Footprint(
            subjects=_lines(footprint["subjects"]),
            types={c: _lines(m) for c, m in footprint["types"].items()},
            references=_lines(footprint["references"]),
            outward=footprint["outward"],
            skg_terms=footprint["skg_terms"],
            skgid_objects=_lines(footprint["skgid_objects"]),
            quotes=footprint["quotes"],
            records=footprint["records"],
        ),
        prefixes=header["prefixes"],
        coverage=header["coverage"],
    )
