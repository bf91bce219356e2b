"""Stage 1 — sources: find the project's inputs and read them safely.

Input: a project directory with ``ontology/``, ``shapes/`` and ``data/`` (``sources/``,
``reference/``, ``curated/``). Output: parsed rdflib graphs and decoded source texts,
or a ``SourceError``/``EvidenceError`` naming the file, line and column and saying
what to do. Nothing here interprets the data; later stages do.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from .errors import EvidenceError, SourceError
from .namespaces import SKGID, bind_prefixes
from .rdfio import TURTLE, BlankNodeScope, to_rdflib

__all__ = [
    "BUNDLED_FOLDERS",
    "ProjectPaths",
    "bundled_dir",
    "SourceText",
    "find_line",
    "find_project_root",
    "parse_turtle",
    "parse_turtle_triples",
    "read_checksums",
    "read_source_text",
    "sha256_of",
]

CHECKSUM_FILE = "SHA256SUMS"

BUNDLED_FOLDERS = ("queries", "ontology", "shapes")
"""The project folders a wheel carries (``setup.py`` copies them into the package
as ``samverkansgraf/_bundled/<name>/``), so the catalogue, the ontology and the
shapes are there without a checkout."""


def bundled_dir(name: str) -> Path | None:
    """The installed package's copy of ``queries/``, ``ontology/`` or ``shapes/``.

    Returns:
        The folder, or ``None`` when the package carries none (an editable
        install, which reads the checkout instead).
    """
    if name not in BUNDLED_FOLDERS:
        raise ValueError(f"{name!r} is not one of {BUNDLED_FOLDERS}")
    folder = Path(__file__).resolve().parent / "_bundled" / name
    return folder if folder.is_dir() else None


@dataclass(frozen=True)
class ProjectPaths:
    """Where a samverkansgraf project keeps its inputs and outputs."""

    root: Path
    """The project directory (holds ``ontology/``, ``shapes/``, ``data/``)."""

    @property
    def ontology_dir(self) -> Path:
        """``ontology/``: the OWL ontology and the SKOS schemes."""
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        """``shapes/``: the SHACL shapes."""
        return self.root / "shapes"

    @property
    def sources_dir(self) -> Path:
        """``data/sources/``: the verbatim source documents and their checksums."""
        return self.root / "data" / "sources"

    @property
    def reference_dir(self) -> Path:
        """``data/reference/``: gazetteer CSVs and shared actors/programmes."""
        return self.root / "data" / "reference"

    @property
    def curated_dir(self) -> Path:
        """``data/curated/``: one Turtle file per source document."""
        return self.root / "data" / "curated"

    @property
    def queries_dir(self) -> Path:
        """``queries/``: the SPARQL query catalogue."""
        return self.root / "queries"

    @property
    def dist_dir(self) -> Path:
        """``dist/``: build output (never committed)."""
        return self.root / "dist"


def find_project_root(start: str | Path | None = None) -> ProjectPaths:
    """Locate the project directory.

    The environment variable ``SAMVERKANSGRAF_HOME`` wins; otherwise ``start`` (or
    the working directory) and its parents are searched for a directory holding
    both ``ontology/`` and ``data/``.

    Args:
        start: where to begin the search.

    Returns:
        The project's paths.

    Raises:
        SourceError: when no project directory is found.
    """
    env = os.environ.get("SAMVERKANSGRAF_HOME")
    candidates = [Path(env)] if env else []
    here = Path(start or Path.cwd()).resolve()
    candidates += [here, *here.parents]
    for candidate in candidates:
        if (candidate / "ontology").is_dir() and (candidate / "data").is_dir():
            return ProjectPaths(candidate.resolve())
    raise SourceError(
        f"no samverkansgraf project found in {here} or its parents",
        hint="run the command inside the project (the folder with ontology/ and "
        "data/), pass --project DIR, or set SAMVERKANSGRAF_HOME",
    )


def parse_turtle(path: str | Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file, turning syntax errors into a located ``SourceError``.

    Oxigraph's parser reads it (``parse_turtle_triples``, 10–25 times faster than
    rdflib's, the same terms); a file it rejects is parsed by rdflib, which
    accepts it or names the line and column of the error.

    Args:
        path: the ``.ttl`` file.
        graph: a graph to parse into; a new one when omitted.

    Returns:
        The graph holding the file's triples.

    Raises:
        SourceError: ``file:line:column: what is wrong — what to do``.
    """
    path = Path(path)
    graph = bind_prefixes(Graph()) if graph is None else graph
    parsed = parse_turtle_triples(path)
    if parsed is not None:
        triples, prefixes = parsed
        graph.addN((s, p, o, graph) for s, p, o in triples)
        # rdflib's parser binds the file's prefixes as it reads them.
        for prefix, namespace in prefixes.items():
            graph.bind(prefix, namespace)
        return graph
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read the file ({exc.strerror})", path=path, hint="check the path"
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x})",
            path=path,
            line=line,
            hint="save the file as UTF-8",
        ) from exc
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        line, column = _bad_syntax_position(exc, text)
        why = exc._why  # rdflib keeps the bare reason here
        hint = "fix the Turtle syntax at that place"
        if "not bound" in why:
            hint = "declare the prefix with @prefix or fix its spelling"
        raise SourceError(
            f"malformed Turtle: {why}", path=path, line=line, column=column, hint=hint
        ) from exc
    except Exception as exc:  # rdflib raises plain exceptions for bad IRIs, literals
        raise SourceError(
            f"malformed Turtle: {exc}", path=path, hint="fix the Turtle syntax"
        ) from exc
    return graph


def parse_turtle_triples(
    path: str | Path,
) -> tuple[list[tuple[Node, Node, Node]], dict[str, str]] | None:
    """Parse one Turtle file fast (Oxigraph's Rust parser) into rdflib terms.

    The terms are those rdflib's own parser would make, and the prefixes are the
    file's declarations, which the caller binds as rdflib would. Whenever Oxigraph
    rejects the file (or is stricter than rdflib), the file is parsed by
    ``parse_turtle`` instead, so error messages — and what is accepted — stay the
    same.

    Args:
        path: the ``.ttl`` file.

    Returns:
        The triples in document order and the declared prefixes, or ``None`` when
        Oxigraph cannot read the file: parse it with ``parse_turtle`` then (which
        accepts it or raises the located error).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        parser = ox.parse(
            data, format=TURTLE.oxigraph, base_iri=path.resolve().as_uri()
        )
        quads = list(parser)
        prefixes = dict(parser.prefixes)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    # One file is one blank-node scope: ``_:a`` in two files stays two nodes
    # (rdfio.to_rdflib). Terms repeat; each is converted once.
    blank_nodes: BlankNodeScope = {}
    converted: dict[object, Node] = {}

    def convert(term: object) -> Node:
        found = converted.get(term)
        if found is None:
            found = to_rdflib(term, blank_nodes)
            assert found is not None  # a parsed triple has no unbound terms
            converted[term] = found
        return found

    triples = [
        (convert(quad.subject), convert(quad.predicate), convert(quad.object))
        for quad in quads
    ]
    return triples, prefixes


def _bad_syntax_position(exc: BadSyntax, text: str) -> tuple[int, int]:
    """Line and column (1-based) of an rdflib ``BadSyntax`` in ``text``."""
    line = exc.lines + 1
    # exc._i indexes the UTF-8 bytes rdflib parsed; count columns in characters.
    raw = text.encode("utf-8")
    offset = min(exc._i, len(raw))
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


@dataclass(frozen=True)
class SourceText:
    """A source document's decoded text and checksum."""

    path: Path
    """The file in ``data/sources/``."""
    text: str
    """The whole text; offsets are Unicode code points into it."""
    sha256: str
    """SHA-256 of the file's bytes, hex."""


def sha256_of(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_checksums(sources_dir: str | Path) -> dict[str, str]:
    """Read ``data/sources/SHA256SUMS`` (the format of ``sha256sum``).

    Args:
        sources_dir: the ``data/sources`` directory.

    Returns:
        File name → expected hex digest.

    Raises:
        SourceError: when the manifest is missing or a line is malformed.
    """
    manifest = Path(sources_dir) / CHECKSUM_FILE
    if not manifest.is_file():
        raise SourceError(
            "the checksum manifest is missing",
            path=manifest,
            hint="restore it from git; it records the exact bytes of every source",
        )
    expected: dict[str, str] = {}
    for number, raw in enumerate(manifest.read_text("utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64:
            raise SourceError(
                "expected '<sha256>  <file name>'",
                path=manifest,
                line=number,
                hint="use the output format of sha256sum",
            )
        expected[parts[1].lstrip("*").strip()] = parts[0].lower()
    return expected


def read_source_text(path: str | Path, expected_sha256: str | None) -> SourceText:
    """Read a source document, checking its bytes against the recorded checksum.

    Args:
        path: the file in ``data/sources/``.
        expected_sha256: the digest recorded in ``SHA256SUMS``; ``None`` skips the
            check (for drafts of new documents).

    Returns:
        The decoded text with its checksum.

    Raises:
        EvidenceError: when the file is missing, empty, not UTF-8, or its bytes
            differ from the recorded checksum.
    """
    path = Path(path)
    if not path.is_file():
        raise EvidenceError(
            "source document is missing",
            path=path,
            hint="copy it byte for byte from the original (../shared/sources)",
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise EvidenceError(
            f"source document changed: sha256 is {digest[:12]}…, "
            f"SHA256SUMS records {expected_sha256[:12]}…",
            path=path,
            hint="sources are never edited; restore the original bytes "
            "(git checkout -- the file), or re-curate and update SHA256SUMS",
        )
    if not data:
        raise EvidenceError(
            "source document is empty", path=path, hint="copy the real document in"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EvidenceError(
            f"source document is not UTF-8 (byte 0x{data[exc.start]:02x})",
            path=path,
            line=line,
            hint="convert it to UTF-8 (e.g. iconv -f cp1252 -t utf-8) before curating",
        ) from exc
    return SourceText(path=path, text=text, sha256=digest)


def find_line(path: str | Path, node: URIRef) -> int | None:
    """Best-effort 1-based line where ``node`` is described in the Turtle file.

    rdflib does not keep line numbers, so look for the resource's name as curated
    files write it: ``<{full IRI}>``, or relative to ``@base
    <https://w3id.org/samverkansgraf/id/>`` such as ``<kommun/2083>``, or a prefixed
    name. A line that starts with the name (a subject) wins over any mention.
    """
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    iri = str(node)
    needles = [f"<{iri}>", f"<{iri.removeprefix(str(SKGID))}>"]
    if "#" in iri:
        needles.append(iri.rsplit("#", 1)[1])
    else:
        needles.append(":" + iri.rsplit("/", 1)[-1])
    for starts_only in (True, False):
        for needle in needles:
            for number, line in enumerate(lines, 1):
                text = line.lstrip()
                if text.startswith("#"):
                    continue
                if (starts_only and text.startswith(needle)) or (
                    not starts_only and needle in text
                ):
                    return number
    return None
