"""Stage 6 — network, step 4: the ranked rows as text (table, CSV, JSON).

Input: rows from ``rank_nodes`` (:mod:`.measures`) or a summary. Output: text for
the CLI to print; ``csv_text`` and ``text_table`` are shared by the exports and
the comparison.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from .measures import MEASURES, NODE_ATTRIBUTES
from .source import NetworkError

__all__ = [
    "TABLE_COLUMNS",
    "csv_text",
    "format_rows",
    "format_summary",
    "text_table",
]

TABLE_COLUMNS = ("rank", "label", "type", "county") + tuple(MEASURES)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return value


def text_table(
    rows: list[dict[str, Any]], columns: Iterable[str], widths: Mapping[str, int]
) -> str:
    """An aligned plain-text table; long cells are shortened.

    Numeric columns are right-aligned; ``None`` shows as ``–``, booleans as
    ``yes``/``no``, floats with three decimals.

    Args:
        rows: the rows.
        columns: which keys to show, in order (also the header).
        widths: the longest a column's cells may be (default 60 characters).

    Returns:
        The table (no trailing newline).
    """
    columns = list(columns)
    cells = [
        [
            textwrap.shorten(_cell(r.get(c)), widths.get(c, 60), placeholder="…")
            for c in columns
        ]
        for r in rows
    ]
    size = [
        max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)
    ]
    numeric = [
        all(
            isinstance(r.get(c), int | float)
            and not isinstance(r.get(c), bool)
            or r.get(c) is None
            for r in rows
        )
        for c in columns
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, size, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(columns)] + [line(row) for row in cells])


def format_rows(rows: list[dict[str, Any]], output_format: str = "table") -> str:
    """Ranked node rows as an aligned table, CSV or JSON.

    The table shows label, type, county and the measures; CSV and JSON carry
    every column (IRIs, codes, Wikidata ids too).

    Args:
        rows: from ``rank_nodes``.
        output_format: ``table``, ``csv`` or ``json``.

    Returns:
        The text (no trailing newline).
    """
    if output_format == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if output_format == "csv":
        columns = list(rows[0]) if rows else ["rank", *NODE_ATTRIBUTES, *MEASURES]
        return csv_text(columns, rows).rstrip("\n")
    if output_format != "table":
        raise NetworkError(
            f"unknown format {output_format!r}", hint="table, csv or json"
        )
    return text_table(rows, TABLE_COLUMNS, {"label": 36})


def csv_text(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows as CSV text with a header line (``\\n`` line ends).

    Cells: ``None`` is empty, booleans are ``true``/``false``, floats are their
    shortest exact ``repr``; a column missing from a row is empty.

    Args:
        columns: the header, and which keys of each row to write, in order.
        rows: the rows.

    Returns:
        The text, ending in a newline.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return buffer.getvalue()


def format_summary(summary: Mapping[str, Any]) -> str:
    """One line of graph-level figures, for the CLI."""
    modularity = summary["modularity"]
    mod = "undefined (no edges)" if modularity is None else f"{modularity:.3f}"
    return (
        f"{summary['graph']}: nodes {summary['nodes']}, edges {summary['edges']}, "
        f"density {summary['density']:.3f}, components {summary['components']} "
        f"(largest {summary['largest_component']}), isolates {summary['isolates']}, "
        f"Louvain communities {summary['communities']} (seed "
        f"{summary['louvain_seed']}), modularity {mod}"
    )
