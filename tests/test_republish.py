"""Republishing (issue 19): a publish into the folder of the last one links the
files of every resource page whose view did not change from the earlier site,
renders only the others, and writes exactly the site a full publish writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import folder_bytes, in_small_chunks, write_publication
from samverkansgraf.atomic import OUTPUT_MARKER
from samverkansgraf.build.cache import BuildCache
from samverkansgraf.cli import cli
from samverkansgraf.errors import PublishError
from samverkansgraf.publish import reuse
from samverkansgraf.publish import site as site_module
from samverkansgraf.sources import ProjectPaths

HEDEMORA_AGREEMENT = (
    "Överenskommelse mellan Hedemora kommun och Region Dalarna 2019–2022"
)


def _inodes(folder: Path) -> dict[str, int]:
    """Site path → inode of every file in ``folder``."""
    return {
        path.relative_to(folder).as_posix(): path.stat().st_ino
        for path in folder.rglob("*")
        if path.is_file()
    }


def _resource_pages(project: ProjectPaths, site: Path) -> set[str]:
    """The resource pages' HTML paths, as the last publish to ``site`` kept them."""
    cache = BuildCache.open(project)
    assert cache is not None
    state = cache.load_pages_state(site)
    return {page[1][-1][0] for page in state["pages"].values()}


@pytest.fixture()
def project(scratch: ProjectPaths) -> ProjectPaths:
    """A project to edit, with a mailbox to publish with."""
    write_publication(scratch.root)
    return scratch


def _edit(project: ProjectPaths, name: str, old: str, new: str) -> None:
    path = project.curated_dir / name
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_republish_renders_exactly_the_changed_pages_and_writes_the_full_site(
    project: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
) -> None:
    if jobs > 1:  # the real data's pages, written by a worker in small chunks
        in_small_chunks(monkeypatch)
    site = tmp_path / "site"
    first = site_module.publish_site(project, site, jobs=jobs)
    assert first.reused == 0
    before, inodes = folder_bytes(site), _inodes(site)
    # The ontology's own pages replace the generic pages of its IRIs (a new
    # file each time); every other page is its resource page.
    pages = _resource_pages(project, site)
    replaced = {"ontology/index.html", "ontology/1.1.0.html"} & pages
    pages -= replaced
    assert len(pages) > 700

    # Nothing changed: every resource page is linked, none rendered.
    again = site_module.publish_site(project, site, jobs=jobs)
    assert again.reused == len(pages) + len(replaced)
    assert folder_bytes(site) == before
    now = _inodes(site)
    assert all(now[page] == inodes[page] for page in pages)

    # The agreement's label changes: its page and every page that shows it.
    _edit(
        project,
        "hedemora-2019-2022.ttl",
        f'"{HEDEMORA_AGREEMENT}"@sv',
        f'"{HEDEMORA_AGREEMENT} (ändrad)"@sv',
    )
    inodes = _inodes(site)
    edited = site_module.publish_site(project, site, jobs=jobs)
    after = folder_bytes(site)
    changed = {page for page in pages if after[page] != before[page]}
    now = _inodes(site)
    rendered = {page for page in pages if now[page] != inodes[page]}
    assert "id/agreement/hedemora-2019-2022.html" in changed
    assert "id/kommun/2083.html" in changed  # Hedemora's inverse links
    assert rendered == changed
    assert edited.reused == len(pages) + len(replaced) - len(changed)
    assert f"{HEDEMORA_AGREEMENT} (ändrad)" in after[
        "id/agreement/hedemora-2019-2022.html"
    ].decode("utf-8")

    # A document gone: its pages go, the pages that linked to them change.
    (project.curated_dir / "orebro-handlingsplan-2020-2023.ttl").unlink()
    removed = site_module.publish_site(project, site, jobs=jobs)
    assert 0 < removed.reused < len(pages)
    plan = "id/plan/orebro-handlingsplan-kultursamverkan-2020-2023.html"
    assert plan in before and plan not in folder_bytes(site)

    # Whatever was reused, the site is the one a full publish writes.
    full = site_module.publish_site(project, tmp_path / "full", jobs=jobs, full=True)
    assert full.reused == 0
    assert folder_bytes(site) == folder_bytes(tmp_path / "full")


@pytest.mark.slow
def test_pages_reused_under_another_hash_seed_and_full_renders_all(
    project: ProjectPaths, tmp_path: Path
) -> None:
    # The views' digests do not depend on the process: a publish in a new
    # process, under another hash seed, reuses every page.
    site = tmp_path / "site"
    runner = CliRunner()
    command = ["--project", str(project.root), "publish", "--out", str(site)]
    first = runner.invoke(cli, command, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "linked" not in first.stdout
    pages = len(_resource_pages(project, site))
    done = subprocess.run(
        [sys.executable, "-m", "samverkansgraf", *command],
        env=dict(os.environ, PYTHONHASHSEED="4711"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(
        f"; {pages} resource pages unchanged, linked from the earlier site"
    )
    full = runner.invoke(cli, [*command, "--full"], catch_exceptions=False)
    assert full.exit_code == 0, full.output
    assert "linked" not in full.stdout


@pytest.mark.slow
def test_a_page_changed_or_removed_in_the_site_is_rendered_again(
    project: ProjectPaths, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site_module.publish_site(project, site)
    before = folder_bytes(site)
    pages = _resource_pages(project, site)
    hedemora = site / "id/kommun/2083.html"
    hedemora.write_bytes(hedemora.read_bytes().replace(b"Hedemora", b"Hedemorra"))
    (site / "id/agreement/hedemora-2019-2022.ttl").unlink()
    again = site_module.publish_site(project, site)
    assert again.reused == len(pages) - 2
    assert folder_bytes(site) == before


@pytest.mark.slow
def test_a_damaged_or_foreign_state_is_not_trusted(
    project: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    site = tmp_path / "site"
    site_module.publish_site(project, site)
    before = folder_bytes(site)
    [state] = (project.root / ".build-cache" / "pages").iterdir()
    state.write_bytes(state.read_bytes()[:-10])  # truncated
    damaged = site_module.publish_site(project, site)
    assert damaged.reused == 0
    assert "earlier pages' state unusable (damaged record)" in caplog.text
    assert folder_bytes(site) == before
    # The code or templates changed since: every page rendered.
    monkeypatch.setattr(site_module, "page_fingerprint", lambda: "other code")
    assert site_module.publish_site(project, site).reused == 0
    assert site_module.publish_site(project, site).reused > 700
    # Another folder's state never applies: a copy of the site is a new folder.
    copy = tmp_path / "copy"
    os.rename(site, copy)
    assert site_module.publish_site(project, copy).reused == 0


@pytest.mark.slow
def test_a_failed_republish_leaves_the_earlier_sites_linked_files_alone(
    project: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ontology's pages replace the generic pages of its terms after they
    were linked from the earlier site: a new file, never a write through the
    link into the site still served — which a failure after them shows."""
    site = tmp_path / "site"
    site_module.publish_site(project, site)
    before = folder_bytes(site)
    real_files = site_module.SiteRenderer.files
    replaced: list[str] = []

    def leaky(self: site_module.SiteRenderer, **kwargs: bool):  # type: ignore[no-untyped-def]
        for relative, data in real_files(self, **kwargs):
            if relative == "ontology/index.html":  # a page that changed
                replaced.append(relative)
                data += b"<!-- changed -->\n"
            yield relative, data
            if relative == "index.html":
                yield "id/leak.html", b"<p>ring 070-684 34 81</p>"

    monkeypatch.setattr(site_module.SiteRenderer, "files", leaky)
    with pytest.raises(PublishError, match="id/leak.html would contain contact"):
        site_module.publish_site(project, site)
    assert replaced == ["ontology/index.html"]
    assert folder_bytes(site) == before
    assert (site / OUTPUT_MARKER).exists()
    assert not list(tmp_path.glob(".site.*"))


def test_the_fingerprint_covers_the_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    from samverkansgraf.publish import html

    plain = reuse.page_fingerprint()
    real = html.template_text

    def edited(name: str) -> str:
        text = real(name)
        return text + "<!-- edited -->" if name == "resource.html" else text

    monkeypatch.setattr(reuse, "template_text", edited)
    assert reuse.page_fingerprint() != plain


@pytest.mark.slow
def test_without_hard_links_every_page_is_rendered(
    project: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder on a file system without hard links (or across devices): the
    # pages are rendered, none half-linked, and the site is the same.
    import errno

    site = tmp_path / "site"
    site_module.publish_site(project, site)
    before = folder_bytes(site)
    linked: list[str] = []

    def no_links(source: object, target: object, **_: object) -> None:
        linked.append(str(target))
        if len(linked) % 3 == 0:  # fail partway through a page's five files
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        os.symlink(os.fspath(source), os.fspath(target))  # type: ignore[arg-type]

    monkeypatch.setattr(reuse.os, "link", no_links)
    again = site_module.publish_site(project, site)
    assert linked and again.reused == 0
    assert folder_bytes(site) == before
    assert not [path for path in site.rglob("*") if path.is_symlink()]
