"""Stage 6 — network, alongside: commitments compared across bilateral agreements.

Input: the built dataset (as for :mod:`.source`). Output: a ``ComparisonReport``:
for each commitment a region makes in a bilateral agreement (the region and one
municipality as parties), its best match among the region's commitments in its
other bilateral agreements, by the words of their evidence, and whether it
*recurs* or is *local*; ``format_comparison`` prints it as a table, CSV or JSON.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from ..atomic import write_files_atomically
from ..labels import ObjectLookup, natural_key, preferred_label, swedish_key
from ..namespaces import SKG
from .source import (
    NetworkError,
    NetworkSource,
    load_network_source,
    text_or_empty,
)
from .tables import csv_text, text_table

__all__ = [
    "write_comparison",
    "COMPARISON_COLUMNS",
    "DEFAULT_THRESHOLD",
    "SIMILARITIES",
    "STOP_WORDS",
    "ComparisonReport",
    "ComparisonRow",
    "best_matches",
    "compare_agreements",
    "format_comparison",
    "normalise_words",
]

DEFAULT_THRESHOLD = 0.5
"""Similarity from which two commitments count as the same (``compare``)."""

COMPARISON_COLUMNS: dict[str, str] = {
    "region": "IRI of the region whose commitment it is",
    "region_label": "its label",
    "agreement": "IRI of the bilateral agreement the commitment is in",
    "agreement_label": "its label",
    "municipality": "IRI of the agreement's municipal party",
    "municipality_label": "its label",
    "clause": "IRI of the clause",
    "clause_number": "the clause's number as printed (else its position)",
    "commitment": "IRI of the commitment",
    "text": "its evidence text (oa:exact), whitespace collapsed",
    "best_agreement": "the other agreement holding the most similar commitment of "
    "the same region (empty with only one agreement)",
    "best_commitment": "that commitment",
    "best_text": "its evidence text",
    "score": "similarity of the two texts, 0–1 (see method)",
    "status": "recurring (score ≥ threshold) or local",
    "recurs_in": "every other agreement with a commitment at or above the "
    "threshold, ';'-separated",
    "method": "the similarity measure",
    "threshold": "the threshold used",
}


STOP_WORDS = frozenset(
    """och i att det som en ett på är av för med till den de om så sin sina sitt
    samt hos där här vid eller men även också inom mellan från under genom detta
    denna dessa""".split()
)
"""Swedish function words left out of the word sets: they occur in almost every
sentence and would make unrelated commitments look alike."""

_ROLE_WORDS = {
    "region": "REGION",
    "regionen": "REGION",
    "regionens": "REGION",
    "kommun": "KOMMUN",
    "kommunen": "KOMMUN",
    "kommunens": "KOMMUN",
}


def normalise_words(
    text: str, party_names: Mapping[str, str] | None = None
) -> list[str]:
    """The words of ``text`` as the comparison sees them.

    Steps: Unicode NFKC; lower case; words split by a line-break hyphen are
    joined ("länskultur-verksamheterna" → "länskulturverksamheterna"); every
    name of the agreement's parties (with any ending: "Hedemoras kommuns") and
    the generic words "regionen"/"kommunen" become the placeholders ``REGION`` /
    ``KOMMUN``, so that the same promise made to two municipalities reads the
    same; words are runs of letters and digits; ``STOP_WORDS`` are dropped.

    Args:
        text: an evidence text.
        party_names: name → placeholder (``REGION`` or ``KOMMUN``).

    Returns:
        The words, in order.

    Example:
        >>> normalise_words("Hedemora kommun och Region Dalarna vill",
        ...                 {"Hedemora kommun": "KOMMUN", "Region Dalarna": "REGION"})
        ['KOMMUN', 'REGION', 'vill']
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\w)-\s*(?=\w)", "", text)
    for name, placeholder in sorted(
        (party_names or {}).items(), key=lambda item: (-len(item[0]), item[0])
    ):
        folded = unicodedata.normalize("NFKC", name).lower()
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, folded.split())) + r"\w*"
        text = re.sub(pattern, f" {placeholder} ", text)
    words = []
    for word in re.findall(r"\w+", text):
        word = _ROLE_WORDS.get(word, word)
        if word not in STOP_WORDS:
            words.append(word)
    return words


def _jaccard(a: list[str], b: list[str]) -> float:
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _overlap(a: list[str], b: list[str]) -> float:
    first, second = set(a), set(b)
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def _difflib(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


SIMILARITIES: dict[str, tuple[Callable[[list[str], list[str]], float], str]] = {
    "jaccard": (
        _jaccard,
        "Jaccard index of the two normalised word sets: shared words / all words",
    ),
    "overlap": (
        _overlap,
        "overlap coefficient: shared words / words of the shorter text (finds a "
        "sentence repeated inside a longer commitment)",
    ),
    "difflib": (
        _difflib,
        "difflib.SequenceMatcher ratio of the two normalised word sequences "
        "(word order counts)",
    ),
}
"""Similarity method name → (function of two word lists, description)."""


Candidate = tuple[str, str, str, list[str]]
"""One commitment as ``best_matches`` sees it: its key, region, agreement and
normalised words."""

Match = tuple[str | None, float | None, set[str]]
"""``best_matches``' answer for one commitment: the key of its best match (None
when the region has no other agreement), that score, and every other agreement
holding a commitment scored at or above the threshold."""

_SET_MEASURES = frozenset({"jaccard", "overlap"})
"""Measures of the word *sets* alone: computed for all pairs at once from the
counts of shared words (sparse matrix products, a block of rows at a time)."""


def best_matches(
    candidates: list[Candidate], *, method: str, threshold: float
) -> list[Match]:
    """For each commitment, its best match among the same region's commitments
    in *other* agreements, and the agreements where it recurs.

    The answer is the one of comparing every pair in ``candidates``' order (the
    best is the highest score, the earliest on a tie; a score of 0 still makes a
    best match), found without comparing every pair: commitments with the same
    words (the same promise to every municipality) are scored once, and for the
    set measures the scores of a region come from products of sparse word
    matrices, ``SCORE_ROWS`` rows at a time. A region of n commitments with u
    distinct word lists costs u² scores instead of n², which at national scale
    (~2,000 commitments a region) is the difference between seconds and an
    hour.

    Args:
        candidates: (key, region, agreement, words) in the comparison's order.
        method: a ``SIMILARITIES`` name.
        threshold: the score from which a match counts as recurring.

    Returns:
        One ``Match`` per candidate, in order.
    """
    by_region: dict[str, list[int]] = defaultdict(list)
    for index, (_, region, _, _) in enumerate(candidates):
        by_region[region].append(index)
    out: list[Match] = [(None, None, set()) for _ in candidates]
    for members in by_region.values():
        _region_matches(candidates, members, method, threshold, out)
    return out


def _region_matches(
    candidates: list[Candidate],
    members: list[int],
    method: str,
    threshold: float,
    out: list[Match],
) -> None:
    """``best_matches`` for the commitments of one region (indexes in order)."""
    import numpy as np

    as_set = method in _SET_MEASURES
    keys: dict[object, int] = {}
    kind = np.empty(len(members), dtype=np.int64)  # member → its distinct word list
    for position, index in enumerate(members):
        words = candidates[index][3]
        key = frozenset(words) if as_set else tuple(words)
        kind[position] = keys.setdefault(key, len(keys))
    distinct: list[Any] = list(keys)
    agreements = [candidates[index][2] for index in members]
    agreement_ids: dict[str, int] = {}
    agreement_of = np.array(
        [agreement_ids.setdefault(a, len(agreement_ids)) for a in agreements],
        dtype=np.int64,
    )
    # Per distinct word list: its earliest member, and the earliest member of
    # another agreement than that one — the best candidate for any commitment
    # (a member of the first one's agreement takes the second).
    never = len(members)
    first = np.full(len(distinct), never, dtype=np.int64)
    second = np.full(len(distinct), never, dtype=np.int64)
    holders: list[set[int]] = [set() for _ in distinct]
    positions_of: list[list[int]] = [[] for _ in distinct]
    for position in range(len(members)):
        k = int(kind[position])
        positions_of[k].append(position)
        holders[k].add(int(agreement_of[position]))
        if first[k] == never:
            first[k] = position
        elif second[k] == never and agreement_of[position] != agreement_of[first[k]]:
            second[k] = position
    first_agreement = agreement_of[first]  # every word list has a first member
    names = list(agreement_ids)
    # Each commitment's answer depends only on its word list's row of scores
    # and its agreement, so the rows are made a block at a time.
    for start, block in _score_rows(distinct, method):
        for k in range(start, start + len(block)):
            row = block[k - start]
            recurring: dict[int, set[str]] = {}
            for position in positions_of[k]:
                own = int(agreement_of[position])
                candidate = np.where(first_agreement == own, second, first)
                usable = candidate < never
                if not usable.any():
                    continue  # the region's only agreement
                best_score = row[usable].max()
                best_position = int(candidate[usable & (row == best_score)].min())
                if own not in recurring:
                    reached: set[int] = set()
                    for other in np.flatnonzero(row >= threshold):
                        reached |= holders[int(other)]
                    reached.discard(own)
                    recurring[own] = {names[a] for a in reached}
                out[members[position]] = (
                    candidates[members[best_position]][0],
                    float(best_score),
                    set(recurring[own]),
                )


SCORE_ROWS = 256
"""Rows of a region's score matrix made at once. The whole matrix of a region
with 5,202 distinct word lists (synthetic L) is 216 MB, and with its
temporaries the comparison grew from 0.76 to 1.62 GB; made in blocks it
grows by 0.05 GB (and takes 3.2 s instead of 4.6 s)."""


def _score_rows(distinct: list[Any], method: str) -> Iterator[tuple[int, Any]]:
    """The scores of every pair of distinct word lists (sets for the set
    measures), each the very float the measure's function returns for the
    pair, as (first row, block of ``SCORE_ROWS`` rows)."""
    import numpy as np

    size = len(distinct)
    if method not in _SET_MEASURES:
        function = SIMILARITIES[method][0]
        for start in range(0, size, SCORE_ROWS):
            block = np.zeros((min(SCORE_ROWS, size - start), size))
            for i, a in enumerate(distinct[start : start + SCORE_ROWS]):
                for j, b in enumerate(distinct):  # difflib's ratio is not symmetric
                    block[i, j] = function(list(a), list(b))
            yield start, block
        return
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for i, words in enumerate(distinct):
        for word in words:
            rows.append(i)
            columns.append(vocabulary.setdefault(word, len(vocabulary)))
    matrix = csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, columns)),
        shape=(size, max(len(vocabulary), 1)),
    )
    transposed = matrix.T.tocsc()
    sizes = np.array([len(words) for words in distinct], dtype=np.float64)
    for start in range(0, size, SCORE_ROWS):
        stop = min(start + SCORE_ROWS, size)
        shared = (matrix[start:stop] @ transposed).toarray().astype(np.float64)
        if method == "jaccard":
            whole = sizes[start:stop, None] + sizes[None, :] - shared
        else:
            whole = np.minimum(sizes[start:stop, None], sizes[None, :])
        # Integer counts below 2**53 divide to the same correctly rounded
        # float as Python's int / int.
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = np.where(whole > 0, shared / np.where(whole > 0, whole, 1), 0.0)
        yield start, scores


@dataclass(frozen=True)
class ComparisonRow:
    """One commitment of a region in one bilateral agreement, and its best match."""

    region: str
    region_label: str
    agreement: str
    agreement_label: str
    municipality: str
    municipality_label: str
    clause: str
    clause_number: str
    commitment: str
    text: str
    best_agreement: str
    best_commitment: str
    best_text: str
    score: float | None
    """Similarity to the best match (None when the region has one agreement)."""
    status: str
    """``recurring`` or ``local``."""
    recurs_in: str
    """Other agreements with a match at or above the threshold, ``;``-separated."""
    method: str
    threshold: float


@dataclass
class ComparisonReport:
    """The comparison of each region's commitments across its agreements."""

    rows: list[ComparisonRow]
    """One per commitment, by region, agreement, clause, position in text."""
    method: str
    """The similarity method."""
    threshold: float
    """The threshold."""
    agreements: dict[str, list[str]]
    """Region → its bilateral agreements."""

    def counts(self) -> dict[str, dict[str, int]]:
        """Region label → commitments, recurring, local, agreements."""
        out: dict[str, dict[str, int]] = {}
        for row in self.rows:
            entry = out.setdefault(
                row.region_label,
                {
                    "agreements": len(self.agreements.get(row.region, [])),
                    "commitments": 0,
                    "recurring": 0,
                    "local": 0,
                },
            )
            entry["commitments"] += 1
            entry[row.status] += 1
        return out


def _party_names(
    graph: Graph | ObjectLookup, region: str, municipality: str
) -> dict[str, str]:
    names: dict[str, str] = {}
    for iri, placeholder in ((region, "REGION"), (municipality, "KOMMUN")):
        for prop in (
            RDFS.label,
            SKOS.prefLabel,
            SKOS.altLabel,
            SKG.officialName,
            SKG.formerName,
        ):
            for value in graph.objects(URIRef(iri), prop):
                if isinstance(value, Literal) and value.language in (None, "sv"):
                    names[str(value)] = placeholder
    return names


def compare_agreements(
    source: Graph | Dataset | str | Path | NetworkSource,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    method: str = "jaccard",
) -> ComparisonReport:
    """Which of a region's commitments recur across its bilateral agreements.

    A bilateral agreement has exactly two parties, a region and a municipality.
    For every commitment the region makes in one (alone or jointly), its
    evidence text (``oa:exact``) is compared with each of the region's
    commitments in its other bilateral agreements, after ``normalise_words``.
    The commitment *recurs* when its best match scores at least ``threshold``;
    otherwise it is *local* (always so while the region has one agreement).

    Args:
        source: the built dataset or a path to a dump.
        threshold: the similarity from which two commitments count as the same.
        method: a ``SIMILARITIES`` name (default Jaccard).

    Returns:
        The report.

    Raises:
        NetworkError: unknown method or a threshold outside 0–1.
    """
    if method not in SIMILARITIES:
        raise NetworkError(
            f"unknown similarity method {method!r}",
            hint="choose one of: " + ", ".join(SIMILARITIES),
        )
    if not 0.0 <= threshold <= 1.0:
        raise NetworkError(f"threshold {threshold} is outside 0–1", hint="use e.g. 0.5")
    found = load_network_source(source)
    graph = found.names
    items: dict[str, dict[str, Any]] = {}
    for row in found.select("bilateral_commitments"):
        key = str(row["commitment"])
        start = int(row["start"]) if row.get("start") is not None else math.inf  # type: ignore[call-overload]
        current = items.get(key)
        if current is not None and current["start"] <= start:
            continue
        position = row.get("position")
        items[key] = {
            "region": str(row["region"]),
            "municipality": str(row["municipality"]),
            "agreement": str(row["agreement"]),
            "clause": str(row["clause"]),
            "position": int(position) if position is not None else math.inf,  # type: ignore[call-overload]
            "number": text_or_empty(row.get("number")) or text_or_empty(position),
            "text": " ".join(str(row["exact"]).split()),
            "start": start,
        }
    names: dict[tuple[str, str], dict[str, str]] = {}
    for item in items.values():
        pair = (item["region"], item["municipality"])
        if pair not in names:
            names[pair] = _party_names(graph, *pair)
        item["words"] = normalise_words(item["text"], names[pair])

    agreements: dict[str, list[str]] = defaultdict(list)
    for item in items.values():
        if item["agreement"] not in agreements[item["region"]]:
            agreements[item["region"]].append(item["agreement"])
    labels: dict[str, str] = {}

    def label(iri: str) -> str:
        if iri not in labels:
            labels[iri] = preferred_label(graph, URIRef(iri))
        return labels[iri]

    ordered = sorted(
        items.items(),
        key=lambda kv: (
            swedish_key(label(kv[1]["region"])),
            swedish_key(label(kv[1]["agreement"])),
            kv[1]["position"],
            kv[1]["start"],
            natural_key(kv[0]),
        ),
    )
    matches = best_matches(
        [
            (key, item["region"], item["agreement"], item["words"])
            for key, item in ordered
        ],
        method=method,
        threshold=threshold,
    )
    rows = []
    for (key, item), (best_key, best_score, recurs) in zip(
        ordered, matches, strict=True
    ):
        best = (best_score, best_key) if best_key is not None else None
        best_score = best[0] if best else None
        match = items[best[1]] if best else None
        rows.append(
            ComparisonRow(
                region=item["region"],
                region_label=label(item["region"]),
                agreement=item["agreement"],
                agreement_label=label(item["agreement"]),
                municipality=item["municipality"],
                municipality_label=label(item["municipality"]),
                clause=item["clause"],
                clause_number=item["number"],
                commitment=key,
                text=item["text"],
                best_agreement=match["agreement"] if match else "",
                best_commitment=best[1] if best else "",
                best_text=match["text"] if match else "",
                score=best_score,
                status="recurring"
                if best_score is not None and best_score >= threshold
                else "local",
                recurs_in=";".join(sorted(recurs)),
                method=method,
                threshold=threshold,
            )
        )
    return ComparisonReport(
        rows=rows,
        method=method,
        threshold=threshold,
        agreements={k: sorted(v) for k, v in sorted(agreements.items())},
    )


def write_comparison(report: ComparisonReport, out: Path) -> Path:
    """Write every row of the comparison to ``out`` atomically: JSON when its
    name ends in ``.json``, else CSV. Returns ``out``."""
    kind = "json" if out.suffix == ".json" else "csv"
    text = format_comparison(report, kind) + "\n"
    write_files_atomically({out: text.encode("utf-8")})
    return out


def format_comparison(report: ComparisonReport, output_format: str = "table") -> str:
    """The comparison as an aligned table (with a summary), CSV or JSON.

    Args:
        report: from ``compare_agreements``.
        output_format: ``table``, ``csv`` or ``json``.

    Returns:
        The text (no trailing newline).
    """
    records = [vars(row) for row in report.rows]
    if output_format == "json":
        payload = {
            "method": report.method,
            "method_description": SIMILARITIES[report.method][1],
            "threshold": report.threshold,
            "agreements": report.agreements,
            "counts": report.counts(),
            "rows": records,
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)
    if output_format == "csv":
        return csv_text(list(COMPARISON_COLUMNS), records).rstrip("\n")
    if output_format != "table":
        raise NetworkError(
            f"unknown format {output_format!r}", hint="table, csv or json"
        )
    by_commitment = {r.commitment: r for r in report.rows}

    def where(row: ComparisonRow | None) -> str:
        return f"{row.municipality_label} § {row.clause_number}" if row else "–"

    shown = [
        {
            "agreement with": r.municipality_label,
            "§": r.clause_number,
            "status": r.status,
            "score": r.score,
            "best match": where(by_commitment.get(r.best_commitment)),
            "text": r.text,
        }
        for r in report.rows
    ]
    lines = []
    for region, counts in report.counts().items():
        lines.append(
            f"{region}: {counts['commitments']} commitments in {counts['agreements']} "
            f"bilateral agreement(s): {counts['recurring']} recurring, "
            f"{counts['local']} local ({report.method} ≥ {report.threshold:g})"
        )
    if not report.rows:
        lines.append(
            "no bilateral agreement (a region and a municipality as parties) "
            "with commitments of the region"
        )
        return "\n".join(lines)
    table = text_table(
        shown,
        ["agreement with", "§", "status", "score", "best match", "text"],
        {"agreement with": 30, "best match": 36, "text": 70},
    )
    return "\n".join(lines + ["", table])
