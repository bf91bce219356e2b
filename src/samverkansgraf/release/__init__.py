"""Stage 8 — release: a citable research data package of one version.

Input: the assembled dataset (it must conform to the shapes), ``publication.toml``
and ``CHANGELOG.md`` (an entry ``## [X.Y.Z] - YYYY-MM-DD`` for the version). Output:
a folder, written atomically: ``data/*.csv`` tables, ``datapackage.json``
(Frictionless), ``codebook.md``, ``CITATION.cff``, ``CHANGELOG.md``, the RDF dumps,
masked source texts and ``SHA256SUMS``.

Modules, in the order a release is made: ``versions`` (the semantic version and its
changelog entry), ``ledger`` (``releases.json``: a version is issued once, with
one content), ``tables`` (the dataset as CSV tables), ``files`` (CSV, table
schema, citation, codebook as bytes), ``writer`` (``build_release``,
``write_release``).
"""

from .tables import TABLES, TableSpec
from .versions import SEMVER, changelog_entry, check_version
from .writer import ReleaseResult, build_release, write_release

__all__ = [
    "SEMVER",
    "TABLES",
    "ReleaseResult",
    "TableSpec",
    "build_release",
    "changelog_entry",
    "check_version",
    "write_release",
]
