"""Stage 8a — release versions: semantic version numbers and their changelog entry.

Input: a version string and ``CHANGELOG.md``. Output: the checked version and the
entry's date and text, or a ``PublishError`` saying what is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import PublishError

# The regular expression suggested by semver.org (FAQ, "Is there a suggested
# regular expression (RegEx) to check a SemVer string?").
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
CHANGELOG = "CHANGELOG.md"


def check_version(version: str) -> str:
    """Return ``version`` if it is a semantic version, else raise.

    Example:
        >>> check_version("0.1.0")
        '0.1.0'
        >>> check_version("v1.0")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        samverkansgraf.errors.PublishError: invalid version 'v1.0': not a semantic ...
    """
    if not SEMVER.match(version):
        raise PublishError(
            f"invalid version {version!r}: not a semantic version MAJOR.MINOR.PATCH",
            hint="use e.g. 0.1.0 or 1.0.0-rc.1 (https://semver.org)",
        )
    return version


_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?\s*$", re.M)


def changelog_entry(text: str, version: str, path: Path) -> tuple[str, str]:
    """The changelog from ``version``'s entry downwards, and that entry's date.

    Args:
        text: the Keep-a-Changelog style ``CHANGELOG.md``.
        version: the version being released.
        path: the file (for error messages).

    Returns:
        (Markdown of the entry and all older entries under the file's title, the
        ISO date of the entry).

    Raises:
        PublishError: no entry for ``version``, or one without a YYYY-MM-DD date.
    """
    headings = list(_HEADING.finditer(text))
    for match in headings:
        if match.group("version") != version:
            continue
        date = match.group("date") or ""
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise PublishError(
                f"the entry for {version} has no release date",
                path=path,
                line=text.count("\n", 0, match.start()) + 1,
                hint=f"write its heading as '## [{version}] - YYYY-MM-DD'",
            )
        title = text[: headings[0].start()].rstrip() if headings else ""
        body = text[match.start() :].rstrip()
        return (f"{title}\n\n{body}\n" if title else f"{body}\n"), date
    raise PublishError(
        f"no changelog entry for version {version}",
        path=path,
        hint=f"add a section '## [{version}] - YYYY-MM-DD' describing the changes",
    )
