"""The build's summary: what ``samverkansgraf build`` and ``validate`` print.

Input: a ``BuildResult`` (or its parts: an ``AssembledDataset``, the resource
counts, a ``CoverageReport``, a ``ValidationReport``). Output: the summary as
lines of text — the named graphs and their sizes, the content counts, the evidence
and coverage lines, the validation verdict and the files written. The CLI only
prints them; keeping the wording here lets tests and other front ends reuse it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import __version__
from ..curate import CoverageReport, compute_coverage
from ..namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_SCHEMES
from ..validate import ValidationReport
from .dataset import AssembledDataset
from .pipeline import BuildResult

__all__ = [
    "SUMMARY_DOCUMENTS",
    "display_path",
    "format_count_lines",
    "format_coverage_line",
    "format_evidence_line",
    "format_graph_lines",
    "format_nonconformance",
    "format_rebuild_line",
    "format_validation_line",
    "format_written_line",
    "graph_names",
    "summarise_build",
]

SUMMARY_DOCUMENTS = 12
"""Above this many documents the build summary shows the document graphs and
their coverage in one line each (a national project has over a thousand)."""


def display_path(path: Path) -> str:
    """``path`` as shown to a user: relative to the working directory when inside it.

    Example:
        >>> display_path(Path.cwd() / "dist" / "samverkansgraf.nq")
        'dist/samverkansgraf.nq'
        >>> display_path(Path("/nowhere/else"))
        '/nowhere/else'
    """
    # The folders are resolved, the file itself is not: dist/samverkansgraf.nq
    # is a link into dist/.generations/, and the user asked for dist/.
    try:
        return str(
            (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve())
        )
    except ValueError:
        return str(path)


def graph_names(assembled: AssembledDataset) -> dict[str, str]:
    """A readable name for each named graph IRI of ``assembled``.

    The three vocabulary graphs get a word; a document graph is named after its
    source text and its curated file, e.g. ``000_c90c….txt (hedemora-2019-2022.ttl)``.
    """
    names = {
        str(GRAPH_ONTOLOGY): "ontology",
        str(GRAPH_SCHEMES): "SKOS schemes",
        str(GRAPH_REFERENCE): "reference (gazetteer, actors, programmes)",
    }
    for doc in assembled.documents:
        names[str(doc.document)] = f"{doc.source.path.name} ({doc.path.name})"
    return names


def format_graph_lines(assembled: AssembledDataset) -> list[str]:
    """The headline (version, triples, named graphs) and one line per graph.

    With more than ``SUMMARY_DOCUMENTS`` documents, the document graphs are
    summed up in one line (count, smallest, largest) instead of one line each.
    """
    graphs = assembled.graphs
    names = graph_names(assembled)
    total = sum(graphs.triple_count(iri) for iri in graphs)
    lines = [
        f"samverkansgraf {__version__}: {total} triples in {len(graphs)} named graphs"
    ]
    documents = {doc.document for doc in assembled.documents}
    many = len(documents) > SUMMARY_DOCUMENTS
    for iri in graphs:
        if many and iri in documents:
            continue
        lines.append(
            f"  {graphs.triple_count(iri):>7}  {names.get(str(iri), str(iri))}"
        )
    if many:  # a national project: one line instead of a thousand
        sizes = [graphs.triple_count(iri) for iri in documents]
        lines.append(
            f"  {sum(sizes):>7}  in {len(sizes)} document graphs "
            f"(smallest {min(sizes)}, largest {max(sizes)})"
        )
    return lines


def format_count_lines(counts: Mapping[str, int]) -> list[str]:
    """Resource counts as two lines: the actors, then the documents and content.

    ``counts`` is ordered as ``SUMMARY_CLASSES``: the actor classes up to and
    including ``persons`` come first.

    Example:
        >>> format_count_lines({"regions": 1, "persons": 2, "agreements": 3})
        ['actors:   1 regions · 2 persons', 'content:  3 agreements']
    """
    names = list(counts)
    split = names.index("persons") + 1
    actors = " · ".join(f"{counts[n]} {n}" for n in names[:split])
    content = " · ".join(f"{counts[n]} {n}" for n in names[split:])
    return [f"actors:   {actors}", f"content:  {content}"]


def format_evidence_line(assembled: AssembledDataset) -> str:
    """How many quotes were found in their sources (skipped passages not counted)."""
    spans = sum(doc.quote_count() for doc in assembled.documents)
    return f"evidence: {spans} quotes found in their sources, offsets checked"


def format_coverage_line(coverage: CoverageReport) -> str:
    """The share of each source covered by evidence, and the uncovered passages.

    Up to ``SUMMARY_DOCUMENTS`` documents: ``abc 97.1% · def 88.0%`` (the first
    three letters of each source file); beyond: the median and the lowest share.
    """
    documents = coverage.documents
    shares = " · ".join(f"{d.file_name[:3]} {d.share:.1%}" for d in documents)
    if len(documents) > SUMMARY_DOCUMENTS:
        ordered = sorted(documents, key=lambda d: d.share)
        shares = (
            f"{len(ordered)} documents, median "
            f"{ordered[len(ordered) // 2].share:.1%}, lowest {ordered[0].share:.1%} "
            f"({ordered[0].file_name})"
        )
    gaps = sum(len(d.uncovered) for d in documents)
    return f"coverage: {shares} ({gaps} uncovered passages; see `coverage`)"


def format_validation_line(report: ValidationReport | None) -> str:
    """The SHACL verdict in one line; ``None`` means validation was skipped."""
    if report is None:
        return "validation: skipped (--no-validate)"
    state = "conforms" if report.conforms else "DOES NOT CONFORM"
    return (
        f"validation: {state} ({len(report.violations)} violations, "
        f"{len(report.results)} results)"
    )


def format_rebuild_line(result: BuildResult) -> str:
    """What this build redid: documents built (the rest came from the build
    cache) and documents validated again.

    Example:
        >>> from types import SimpleNamespace as R
        >>> dataset = R(documents=[0] * 5)
        >>> format_rebuild_line(R(built=1, revalidated=2, assembled=dataset))
        'rebuilt:  1 of 5 documents (4 from .build-cache/), 2 validated again'
    """
    total = len(result.assembled.documents)
    cached = total - result.built
    line = f"rebuilt:  {result.built} of {total} documents"
    if cached:
        line += f" ({cached} from .build-cache/)"
    if result.revalidated is not None:
        line += f", {result.revalidated} validated again"
    return line


def format_nonconformance(report: ValidationReport) -> str:
    """The one-line verdict of a build that wrote nothing because of violations.

    Args:
        report: a report that does not conform (it has at least one violation).
    """
    violations = report.violations
    first = violations[0]
    return (
        f"the graph does not conform to the shapes "
        f"({len(violations)} violation(s); first: <{first.focus}> "
        f"{first.message}) — nothing written; fix the data and build again"
    )


def format_written_line(paths: Iterable[Path]) -> str:
    """``wrote a, b, …`` with each path as ``display_path`` shows it."""
    return "wrote " + ", ".join(display_path(path) for path in paths)


def summarise_build(result: BuildResult) -> list[str]:
    """Every summary line of a build, up to and including the validation verdict.

    The graphs and their sizes, the counts, the evidence and coverage lines, and
    the validation line. The files written (``format_written_line``) or the
    non-conformance (``format_nonconformance``) follow, as the outcome decides.
    """
    assembled = result.assembled
    return [
        *format_graph_lines(assembled),
        *format_count_lines(result.counts),
        format_evidence_line(assembled),
        format_coverage_line(compute_coverage(assembled)),
        format_rebuild_line(result),
        format_validation_line(result.validation),
    ]
