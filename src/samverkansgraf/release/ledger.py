"""Stage 8b — the ledger of issued releases: a version means one content, for ever.

Input: ``releases.json`` at the project root (committed with the project) and the
files of a release being made. Output: a refusal when a version that was issued
before would now hold different data, or the new entry recorded.

A release's *content* is its data: the CSV tables, the N-Quads dump (the other
dumps are the same triples in other syntaxes) and the masked source texts. Its
digest is the sha256 of their ``sha256sum`` lines, sorted; the metadata files
(datapackage, codebook, citation, changelog, checksums) may be reworded without
changing what the version holds.

The ledger also lists the ontology versions issued with each release and their
terms, so that ``tests/test_release.py`` can hold the ontology to its version:
a released version's terms never change, and new terms need the next version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_files_atomically
from ..errors import PublishError, SourceError

__all__ = [
    "LEDGER",
    "Ledger",
    "ReleaseEntry",
    "content_digest",
    "load_ledger",
]

LEDGER = "releases.json"
# The files that make up what a release holds (see the module docstring).
_CONTENT_PREFIXES = ("data/", "sources/")
_CONTENT_FILES = ("rdf/samverkansgraf.nq",)


def content_digest(files: dict[str, bytes]) -> str:
    """The sha256 of a release's data files (module docstring), as hex.

    Example:
        >>> a = content_digest({"data/x.csv": b"1", "CHANGELOG.md": b"old"})
        >>> a == content_digest({"data/x.csv": b"1", "CHANGELOG.md": b"new"})
        True
        >>> a == content_digest({"data/x.csv": b"2", "CHANGELOG.md": b"old"})
        False
    """
    lines = sorted(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n"
        for path, data in files.items()
        if path.startswith(_CONTENT_PREFIXES) or path in _CONTENT_FILES
    )
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReleaseEntry:
    """One issued release."""

    version: str
    """Its semantic version."""
    date: str
    """Its release date (ISO)."""
    content_sha256: str
    """``content_digest`` of its files."""
    rows: dict[str, int]
    """Rows per CSV table."""
    ontology: str
    """The ontology version it carries (``owl:versionInfo``)."""


@dataclass
class Ledger:
    """The issued releases and ontology versions of a project."""

    path: Path
    """``releases.json``."""
    releases: list[ReleaseEntry] = field(default_factory=list)
    """Issued releases, oldest first."""
    ontology: dict[str, list[str]] = field(default_factory=dict)
    """Ontology version → the local names of its terms, as issued."""

    def find(self, version: str) -> ReleaseEntry | None:
        """The entry of ``version``, if it was issued."""
        return next((r for r in self.releases if r.version == version), None)

    def check(self, version: str, digest: str) -> bool:
        """Whether ``version`` was issued already (with this very content).

        Raises:
            PublishError: it was issued with other content — a version is never
                reissued with different data.
        """
        issued = self.find(version)
        if issued is None:
            return False
        if issued.content_sha256 != digest:
            raise PublishError(
                f"version {version} was issued on {issued.date} with other content "
                f"(content sha256 {issued.content_sha256[:12]}…, now {digest[:12]}…)",
                path=self.path,
                hint="release the changes as a new version (add its entry to "
                "CHANGELOG.md); a version is never reissued with different data",
            )
        return True

    def check_ontology(self, version: str, terms: list[str]) -> None:
        """Refuse an ontology version that was issued before with other terms.

        Raises:
            PublishError: naming the version and what to change.
        """
        known = self.ontology.get(version)
        if known is not None and sorted(known) != sorted(terms):
            added = sorted(set(terms) - set(known))
            removed = sorted(set(known) - set(terms))
            raise PublishError(
                f"ontology version {version} was issued with other terms "
                f"(added since: {', '.join(added) or '-'}; "
                f"removed: {', '.join(removed) or '-'})",
                path=self.path,
                hint="raise owl:versionInfo and owl:versionIRI in "
                "ontology/samverkansgraf.ttl: new terms need a new version",
            )

    def record(
        self, entry: ReleaseEntry, ontology_version: str, terms: list[str]
    ) -> None:
        """Add a newly issued release (and its ontology version) and save.

        Raises:
            PublishError: the ontology version was issued before with other terms.
        """
        self.check_ontology(ontology_version, terms)
        self.releases.append(entry)
        self.ontology[ontology_version] = sorted(terms)
        self.save()

    def save(self) -> None:
        """Write ``releases.json`` atomically, in a stable layout."""
        data: dict[str, Any] = {
            "releases": [
                {
                    "version": r.version,
                    "date": r.date,
                    "content_sha256": r.content_sha256,
                    "rows": r.rows,
                    "ontology": r.ontology,
                }
                for r in self.releases
            ],
            "ontology": {v: self.ontology[v] for v in sorted(self.ontology)},
        }
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        write_files_atomically({self.path: text.encode("utf-8")})


def load_ledger(root: str | Path) -> Ledger:
    """Read ``releases.json`` from the project root (an empty ledger if absent).

    Raises:
        SourceError: the file is not the ledger's JSON.
    """
    path = Path(root) / LEDGER
    if not path.is_file():
        return Ledger(path)
    try:
        data = json.loads(path.read_text("utf-8"))
        releases = [
            ReleaseEntry(
                version=str(r["version"]),
                date=str(r["date"]),
                content_sha256=str(r["content_sha256"]),
                rows={str(k): int(v) for k, v in r["rows"].items()},
                ontology=str(r["ontology"]),
            )
            for r in data["releases"]
        ]
        ontology = {str(v): [str(t) for t in ts] for v, ts in data["ontology"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SourceError(
            f"not a release ledger: {exc}",
            path=path,
            hint="restore it from version control",
        ) from exc
    return Ledger(path, releases, ontology)
