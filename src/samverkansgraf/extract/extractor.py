"""Extraction, the driver: an ``Extractor`` runs the steps over one text.

Input: a source file's bytes (or its decoded text) and the project's reference
graph and SKOS schemes. Output: an ``ExtractionResult`` with the draft graph,
and (``write_draft``) the draft Turtle and the review list written atomically.

The steps, in order: decode (``text``), set page furniture aside (``layout``),
read the title, parties, period and kind (``document``), cut the clause region
into clauses (``segmentation``) and read their commitments (``sentences``,
``commitments``; names from ``gazetteer``, cues and themes from ``lexicons``),
list unknown names (``candidates``), build the draft graph (``draft``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ..atomic import check_output_file, write_files_atomically
from ..errors import SourceError
from ..labels import preferred_label
from ..namespaces import SKG, SKGID, bind_prefixes
from ..sources import ProjectPaths
from .candidates import find_candidates
from .commitments import CommitmentContext, read_commitments
from .document import (
    AGREEMENT_WORD,
    classify_document,
    find_based_on,
    find_county,
    find_date,
    find_identifier,
    find_parties,
    find_period,
    find_region_start,
    find_title,
    title_spans,
)
from .draft import build_draft_graph
from .gazetteer import DEFAULT_FUZZY_THRESHOLD, Gazetteer, place_names
from .layout import read_layout
from .lexicons import read_cues, read_keywords, read_kinds, read_roles
from .plans import find_plan_tables
from .proposals import ProposalContext, propose_names
from .results import ExtractionResult, SkippedBlock, file_slug
from .segmentation import find_clauses
from .signatures import find_signatures
from .text import compact, decode_source

__all__ = ["Extractor", "extract_file", "write_draft"]


class Extractor:
    """Draft clauses and commitments from source texts with one reference graph.

    Build it once (the gazetteer index and lexicons are reused) and call
    ``extract_bytes`` or ``extract_text`` per document.

    Args:
        reference: the reference graph (gazetteer, actors, programmes, plans,
            lexicons from ``data/reference/``).
        schemes: the SKOS schemes (modality and theme concepts); merged with
            ``reference`` for the lexicons.
        use_alt_labels: use the curated name variants (``skos:altLabel``).
        fuzzy_threshold: rapidfuzz ratio for OCR-damaged names, or ``None``.
    """

    def __init__(
        self,
        reference: Graph,
        schemes: Graph | None = None,
        *,
        use_alt_labels: bool = True,
        fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
    ) -> None:
        self.reference = reference
        vocabulary = Graph()
        vocabulary += reference
        if schemes is not None:
            vocabulary += schemes
        self.gazetteer = Gazetteer(
            reference, use_alt_labels=use_alt_labels, fuzzy_threshold=fuzzy_threshold
        )
        self.cues = read_cues(vocabulary)
        self.keywords = read_keywords(vocabulary)
        self.kinds = read_kinds(vocabulary)
        self.roles = read_roles(vocabulary)
        self.places = place_names(reference)
        self.county_labels = {
            county: preferred_label(reference, county)
            for county in reference.subjects(RDF.type, SKG.County)
            if isinstance(county, URIRef)
        }

    @classmethod
    def from_project(
        cls,
        paths: ProjectPaths,
        *,
        use_alt_labels: bool = True,
        fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
    ) -> Extractor:
        """An extractor with the project's reference graph and schemes.

        Raises:
            SourceError: when the reference data cannot be read.
        """
        from ..build import load_vocabulary_and_reference
        from ..namespaces import GRAPH_REFERENCE, GRAPH_SCHEMES

        graphs = load_vocabulary_and_reference(paths)
        return cls(
            graphs[GRAPH_REFERENCE],
            graphs[GRAPH_SCHEMES],
            use_alt_labels=use_alt_labels,
            fuzzy_threshold=fuzzy_threshold,
        )

    # -- entry points ----------------------------------------------------------

    # -- entry points ----------------------------------------------------------

    def extract_bytes(self, data: bytes, file_name: str) -> ExtractionResult:
        """Decode a file's bytes and draft it (never raises on odd content).

        Args:
            data: the file's bytes.
            file_name: its name, recorded as ``skg:fileName``.

        Returns:
            The result; see ``ExtractionResult.warnings`` for what went wrong.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        if data.startswith(b"%PDF"):
            return self._empty(
                file_name,
                "",
                sha256,
                "binary",
                "this is a PDF file, not text: extract its text first (e.g. "
                "`pdftotext -layout FILE.pdf`) and draft the .txt",
            )
        if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return self._empty(
                file_name,
                "",
                sha256,
                "binary",
                "the file contains NUL bytes: it is not a text document; nothing "
                "was extracted",
            )
        text, encoding, warnings = decode_source(data)
        return self.extract_text(
            text, file_name, encoding=encoding, sha256=sha256, warnings=warnings
        )

    def extract_text(
        self,
        text: str,
        file_name: str,
        *,
        encoding: str = "utf-8",
        sha256: str | None = None,
        warnings: Sequence[str] = (),
    ) -> ExtractionResult:
        """Draft an already decoded text.

        Args:
            text: the source text; all offsets point into it.
            file_name: recorded as ``skg:fileName``.
            encoding: how the text was decoded (for the review list).
            sha256: checksum of the file's bytes (default: of ``text`` in UTF-8).
            warnings: warnings from decoding.

        Returns:
            The draft and everything found.
        """
        if sha256 is None:
            sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if not text.strip():
            return self._empty(
                file_name,
                text,
                sha256,
                encoding,
                "the file is empty or holds only whitespace: nothing to extract",
                list(warnings),
            )
        return _draft_text(self, text, file_name, encoding, sha256, list(warnings))

    def _empty(
        self,
        file_name: str,
        text: str,
        sha256: str,
        encoding: str,
        message: str,
        warnings: list[str] | None = None,
    ) -> ExtractionResult:
        """The result for a text with nothing to extract: a document only."""
        result = ExtractionResult(
            file_name=file_name,
            text=text,
            sha256=sha256,
            encoding=encoding,
            kind="empty",
            graph=bind_prefixes(Graph()),
            document=SKGID[f"document/{file_slug(file_name)}"],
            warnings=[*(warnings or []), message],
        )
        result.graph = build_draft_graph(result)
        return result


def _draft_text(
    extractor: Extractor,
    text: str,
    file_name: str,
    encoding: str,
    sha256: str,
    warnings: list[str],
) -> ExtractionResult:
    """Layout, metadata and kind, clauses and commitments, names, graph."""
    gazetteer = extractor.gazetteer
    layout = read_layout(text)
    result = ExtractionResult(
        file_name=file_name,
        text=text,
        sha256=sha256,
        encoding=encoding,
        kind="other",
        graph=bind_prefixes(Graph()),
        document=SKGID[f"document/{file_slug(file_name)}"],
        skipped=list(layout.skipped),
        warnings=warnings,
    )
    title_block = find_title(layout.blocks)
    after_title = title_block[-1].end if title_block else 0
    end = layout.end_of_body()
    if title_block is not None:
        result.title_spans = title_spans(layout, title_block)
        title = " ".join(" ".join(s.exact for s in result.title_spans).split())
        result.title = title or None
    marker_end = find_region_start(layout.blocks, after_title, end)
    region_start = marker_end if marker_end is not None else after_title
    result.period = find_period(result.title, layout.work)
    result.parties = find_parties(
        gazetteer,
        layout.work,
        result.title_spans,
        after_title,
        region_start,
        layout.blocks,
    )
    result.county = find_county(gazetteer, layout.work, result.parties)
    classification = classify_document(result, gazetteer)
    names = propose_names(
        layout,
        ProposalContext(
            gazetteer=gazetteer,
            kinds=extractor.kinds,
            cues=extractor.cues,
            places=extractor.places,
            county=result.county,
            county_label=extractor.county_labels.get(result.county, "")
            if result.county is not None
            else "",
            municipality=classification.municipality,
        ),
        after_title,
        end,
    )
    result.proposed = names.proposed
    result.refused = sorted(
        {
            f"{m.surface!r} is <{m.iri}> of another county: not linked"
            for m in names.refused
        }
    )
    result.based_on = find_based_on(names, layout.work, after_title, region_start)
    context = CommitmentContext(
        layout=layout,
        gazetteer=names,
        cues=extractor.cues,
        keywords=extractor.keywords,
        classification=classification,
    )
    if layout.signature is not None:
        line = text.count("\n", 0, layout.signature) + 1
        end_of_text = len(text.rstrip())
        result.skipped.append(
            SkippedBlock(
                layout.signature, end_of_text, line, "signature", in_graph=False
            )
        )
    if result.title and AGREEMENT_WORD.search(result.title):
        result.clauses = find_clauses(context, region_start, end, result)
        if not result.clauses:
            result.warnings.append(
                "no clause recognised: no numbered, bulleted or headed areas and "
                "no paragraph with a commitment after the introduction"
            )
    else:
        result.loose_commitments = read_commitments(context, after_title, end)
    if result.kind == "plan":
        region = next(
            (
                r
                for r, county in gazetteer.counties.items()
                if county == result.county and gazetteer.kinds.get(r) == SKG.Region
            ),
            None,
        )
        result.goals, result.activities, persons = find_plan_tables(
            layout, names, extractor.roles, region, after_title, end
        )
        known = {p.iri for p in result.proposed}
        result.proposed += [p for p in persons if p.iri not in known]
    if result.kind == "agreement":
        result.signatures, signatories = find_signatures(layout, names, result.parties)
        known = {p.iri for p in result.proposed}
        result.proposed += [p for p in signatories if p.iri not in known]
    result.candidates, offsets = find_candidates(
        layout, names, extractor.places, after_title, end
    )
    proposed = {compact(p.label) for p in result.proposed}
    result.candidates = [
        c for c in result.candidates if compact(c.name) not in proposed
    ]
    for clause in result.clauses:
        clause.candidates = sorted(
            {
                candidate.name
                for candidate in result.candidates
                for offset in offsets[candidate.name]
                if any(s.start <= offset < s.end for s in clause.spans)
            }
        )
    result.skipped.sort(key=lambda b: b.start)
    result.graph = build_draft_graph(
        result,
        identifier=find_identifier(layout.blocks, layout.work),
        date=find_date(text),
    )
    return result


# --- files ----------------------------------------------------------------------


def extract_file(
    path: str | Path,
    paths: ProjectPaths | None = None,
    *,
    extractor: Extractor | None = None,
) -> ExtractionResult:
    """Draft one source file.

    Args:
        path: the text file.
        paths: the project whose reference data to use (when ``extractor`` is not
            given).
        extractor: a prepared extractor (reused across files).

    Returns:
        The extraction result.

    Raises:
        SourceError: when the file cannot be read, or neither ``paths`` nor
            ``extractor`` is given.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read the file ({exc.strerror or exc})",
            path=path,
            hint="give the path of a plain-text source document",
        ) from exc
    if extractor is None:
        if paths is None:
            raise SourceError("no project given", hint="pass paths or an extractor")
        extractor = Extractor.from_project(paths)
    return extractor.extract_bytes(data, path.name)


def write_draft(
    result: ExtractionResult,
    out: str | Path | None,
    review: str | Path | None = None,
    reference: Graph | None = None,
    *,
    project_root: str | Path | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the draft Turtle and the review list, atomically.

    An existing file is replaced only when it is an earlier draft or review
    (recognised by its first line), or with ``force``; nothing is ever written
    into the project's inputs (``atomic.check_output_file``).

    Args:
        result: the extraction.
        out: the Turtle file (``None``: not written).
        review: the Markdown review list (``None``: not written).
        reference: graph for readable labels in the review list.
        project_root: the project whose inputs (``data/`` …) are protected.
        force: replace existing files that are not earlier drafts or reviews.

    Returns:
        The files written.

    Raises:
        OutputError: when a file may not or cannot be written.
    """
    files: dict[Path, bytes] = {}
    for target, content, recognise in (
        (out, result.turtle, is_earlier_draft),
        (
            review,
            lambda: result.review_markdown(reference).encode("utf-8"),
            is_earlier_review,
        ),
    ):
        if target is not None:
            check_output_file(
                target,
                "extract",
                project_root=project_root,
                recognise=recognise,
                force=force,
            )
            files[Path(target)] = content()
    return write_files_atomically(files) if files else []


def is_earlier_draft(head: bytes) -> bool:
    """The file starting with ``head`` is a draft Turtle ``extract`` wrote."""
    return head.startswith(b"# Machine-proposed DRAFT of ")


def is_earlier_review(head: bytes) -> bool:
    """The file starting with ``head`` is a review list ``extract`` wrote."""
    return head.startswith(b"# Extraction review: ")
