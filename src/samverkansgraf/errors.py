"""Exception hierarchy of samverkansgraf.

Every error a person can cause with bad input is a ``SamverkansgrafError``: it names
the file (and line, column or resource where known), says what is wrong and what to
do, and carries the process exit code the CLI uses. Unexpected exceptions are bugs
and keep their traceback.

Exit codes (documented in the README): 0 OK; 1 the graph does not conform to the
shapes (a result, not an input error); 2 usage error or unparsable input; 3 evidence
or source-integrity error; 4 query catalogue or query error; 5 SPARQL endpoint
error; 6 output could not be written; 7 a worker process was killed.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CatalogueError",
    "EndpointError",
    "EvidenceError",
    "NonConformanceError",
    "OutputError",
    "PublishError",
    "QueryError",
    "SamverkansgrafError",
    "SourceError",
    "WorkerError",
]


class SamverkansgrafError(Exception):
    """Root of all errors caused by input, configuration or environment.

    Args:
        message: what is wrong, in one sentence.
        path: the file concerned, if any.
        line: 1-based line in ``path``, if known.
        column: 1-based column in ``path``, if known.
        hint: what the user can do about it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint

    def location(self) -> str:
        """The ``path:line:column`` prefix of the message, or an empty string."""
        if self.path is None:
            return ""
        parts = [_display_path(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class SourceError(SamverkansgrafError):
    """Input that cannot be read or parsed (Turtle, CSV, source text, headers)."""

    exit_code = 2


class EvidenceError(SamverkansgrafError):
    """A quote that is not in its source, is ambiguous, or a changed source file."""

    exit_code = 3


class NonConformanceError(SamverkansgrafError):
    """The graph does not conform to the SHACL shapes (``raise_for_results``)."""

    exit_code = 1


class CatalogueError(SamverkansgrafError):
    """A malformed query header or an unknown query name."""

    exit_code = 4


class QueryError(SamverkansgrafError):
    """Bad query parameters, a SPARQL syntax error or a failed execution."""

    exit_code = 4


class EndpointError(SamverkansgrafError):
    """A SPARQL endpoint that is down, too slow or answers with something unusable."""

    exit_code = 5


class PublishError(SamverkansgrafError):
    """Publication metadata or output that must not be published (an invalid
    version, a catalogue record failing its shapes, contact data in the output)."""

    exit_code = 2


class OutputError(SamverkansgrafError):
    """An output that cannot be written (read-only directory, full disk)."""

    exit_code = 6


class WorkerError(SamverkansgrafError):
    """A worker process stopped before it finished its work (killed: at
    national scale most likely by the system, out of memory)."""

    exit_code = 7

    @classmethod
    def stopped(cls, what: str, hint: str) -> WorkerError:
        """The error of a worker process doing ``what`` that stopped, with
        what to do (``hint``)."""
        return cls(
            f"a worker process {what} stopped before it finished (killed, most "
            "likely by the system for want of memory); nothing was replaced",
            hint=hint,
        )


def _display_path(path: Path) -> str:
    """Show ``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
