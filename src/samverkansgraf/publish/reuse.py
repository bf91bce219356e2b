"""Republishing: the earlier site's resource pages, reused where they are unchanged.

Input: the state the last ``publish`` into the same folder kept in the build
cache (``BuildCache.load_pages_state``), and each page's ``render.ResourceView``.
Output: the page's files hard-linked from the earlier site into the new one,
instead of rendered, checked and written again — or None, and the page is
rendered as in a full publish.

A page is a function of its view (the template's values and its triples) and
of the code and templates (``page_fingerprint``). The state records, per page,
the digest of its view and the identity of each file written for it (inode,
size, modification time, on the site's device). A page is reused only when its
view's digest is the recorded one, its files are the ones the code writes now,
and each still has the identity recorded: a file edited, replaced or removed in
the site since, a state of another folder, format or code, or a damaged one,
means the page is rendered again — never trusted blindly. The new site is still
written whole into a new folder and swapped in (``atomic_directory``); a link
costs a directory entry, not the ~1.6 ms of CPU that rendering a page with its
four alternates, checking it for contact data and writing five files takes
(at L; docs/scale.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..build.cache import code_fingerprint
from .html import TEMPLATE_NAMES, template_text

__all__ = [
    "STATE_FORMAT",
    "EarlierPages",
    "PageFiles",
    "identity",
    "page_fingerprint",
    "path_in_folder",
    "state_of",
]

log = logging.getLogger(__name__)

STATE_FORMAT = 1
"""The state's layout; a state of another format is not read."""

FileIdentity = tuple[str, int, int, int]
"""A file of a page as written: site path, inode, size, modification time (ns)."""


def page_fingerprint() -> str:
    """A digest of what turns a view into files besides the view: the package's
    code (``code_fingerprint``: every module, pyoxigraph's and rdflib's
    versions), the templates, and Jinja2's and MarkupSafe's versions."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for name in ("jinja2", "markupsafe"):
        digest.update(f"{name} {version(name)}\n".encode())
    for name in TEMPLATE_NAMES:
        text = template_text(name).encode("utf-8")
        digest.update(name.encode() + b"\0" + text + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class PageFiles:
    """A resource page as the site holds it: what the next publish compares."""

    iri: str
    """The resource."""
    digest: str
    """``ResourceView.digest()`` of what it shows."""
    files: tuple[FileIdentity, ...]
    """Its files, as written (or linked)."""
    reused: bool = False
    """Linked from the earlier site rather than rendered."""

    @property
    def page(self) -> str:
        """The site path of the HTML page (its last file; the alternates come
        first)."""
        return self.files[-1][0]


def path_in_folder(folder: Path, relative: str, made: set[str]) -> str:
    """The path of site path ``relative`` in ``folder``, its folder created
    unless ``made`` lists it (and then listed).

    Strings, not ``pathlib``: joining and taking the parent cost 4.7 µs a
    file that way, 0.2 µs this way — 325,000 files at national scale, twice
    over for a page linked from the earlier site.
    """
    target = f"{os.fspath(folder)}/{relative}"
    parent = target.rpartition("/")[0]
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    return target


def identity(relative: str, stat: os.stat_result) -> FileIdentity:
    """The identity ``PageFiles`` records of a file just written."""
    return (relative, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class EarlierPages:
    """The pages of the site a publish replaces, as its state recorded them."""

    def __init__(
        self, folder: Path, device: int, pages: Mapping[str, list[Any]]
    ) -> None:
        """The site in ``folder`` (on ``device``) and its recorded pages: IRI →
        [digest, [[site path, inode, size, mtime_ns], …]]."""
        self.folder = folder
        self.device = device
        self.pages = pages

    @classmethod
    def of(cls, state: Any, folder: Path, fingerprint: str) -> EarlierPages | None:
        """The earlier pages of ``folder`` from a state the cache kept, or None
        when there is none to trust (another format, code or folder, or a
        malformed state: every page is rendered)."""
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            return None
        if state.get("fingerprint") != fingerprint:
            log.info("the code or templates changed: rendering every page")
            return None
        try:
            device = os.stat(folder).st_dev
        except OSError:
            return None
        pages = state.get("pages")
        if state.get("device") != device or not isinstance(pages, dict):
            return None
        return cls(folder, device, pages)

    def link(
        self,
        iri: str,
        digest: str,
        paths: list[str],
        work: Path,
        made: set[str],
    ) -> PageFiles | None:
        """Hard-link the earlier site's files of the page of ``iri`` into
        ``work`` when its view's ``digest`` is the recorded one, its files are
        ``paths`` and each is as recorded; None otherwise (nothing linked)."""
        recorded = self.pages.get(iri)
        earlier = os.fspath(self.folder)
        try:
            if recorded is None or recorded[0] != digest:
                return None
            files = [tuple(entry) for entry in recorded[1]]
            if [entry[0] for entry in files] != paths:
                return None
            for relative, inode, size, mtime in files:
                stat = os.stat(f"{earlier}/{relative}", follow_symlinks=False)
                if (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns) != (
                    self.device,
                    inode,
                    size,
                    mtime,
                ):
                    return None
        except (OSError, TypeError, ValueError, IndexError):
            return None  # gone, or a malformed record: render it
        linked: list[str] = []
        try:
            for relative in paths:
                target = path_in_folder(work, relative, made)
                os.link(f"{earlier}/{relative}", target)
                linked.append(target)
        except OSError:
            # No hard links here (another file system, a limit): render it.
            for target in linked:
                os.unlink(target)
            return None
        return PageFiles(iri, digest, tuple(files), reused=True)


def state_of(
    fingerprint: str, folder: Path, pages: Iterable[PageFiles]
) -> dict[str, Any]:
    """The state a publish keeps of the site it wrote to ``folder`` (JSON)."""
    return {
        "format": STATE_FORMAT,
        "fingerprint": fingerprint,
        "device": os.stat(folder).st_dev,
        "pages": {page.iri: [page.digest, page.files] for page in pages},
    }
