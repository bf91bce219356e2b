"""Nothing half-written: a build killed at any moment leaves dist/ the previous
complete version or the new complete one (dist/ is published as one generation,
by one rename), and write failures are one clear error."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Dataset

from samverkansgraf.atomic import (
    GENERATIONS,
    atomic_directory,
    make_world_readable,
    remove_tree,
    write_files_atomically,
)
from samverkansgraf.build import build
from samverkansgraf.errors import OutputError
from samverkansgraf.sources import ProjectPaths

DUMPS = ("samverkansgraf.trig", "samverkansgraf.nq", "samverkansgraf.ttl")


def _snapshot(dist: Path) -> dict[str, bytes]:
    return {name: (dist / name).read_bytes() for name in DUMPS}


def _changed(scratch: ProjectPaths) -> None:
    """Change the data so that the new dumps differ from the old ones."""
    curated = scratch.curated_dir / "hedemora-2019-2022.ttl"
    curated.write_text(
        curated.read_text("utf-8").replace(
            'skos:note "Texten anger inga underskrifter och inget datum."@sv',
            'skos:note "Texten anger inga underskrifter och inget datum (ändrad)."@sv',
        ),
        "utf-8",
    )


# Runs a build in a child process that kills itself (SIGKILL) at one chosen
# moment: just before or just after the rename that publishes the new generation
# (``swap-before``/``swap-after``), or while it links the k-th public name of an
# older, plain dist/ (``link-3``).
_KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from samverkansgraf import atomic
from samverkansgraf.build import build
from samverkansgraf.sources import ProjectPaths

moment = sys.argv[2]
real_replace = os.replace
links = 0

def replace(source, target):
    global links
    name = os.fspath(target)
    if name.endswith("/.generations/current") and moment == "swap-before":
        os.kill(os.getpid(), signal.SIGKILL)
    if ".generations" not in name and moment.startswith("link-"):
        links += 1
        if links == int(moment.split("-")[1]):
            os.kill(os.getpid(), signal.SIGKILL)
    real_replace(source, target)
    if name.endswith("/.generations/current") and moment == "swap-after":
        os.kill(os.getpid(), signal.SIGKILL)

atomic.os.replace = replace
build(ProjectPaths(Path(sys.argv[1])))
"""


def _killed_build(project: ProjectPaths, moment: str) -> None:
    process = subprocess.run(
        [sys.executable, "-c", _KILLED_BUILD, str(project.root), moment],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]


@pytest.mark.slow
def test_a_kill_at_the_swap_leaves_the_old_or_the_new_dist_whole(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """The build is killed at the one rename that publishes it: just before it,
    dist/ is the old version, every file; just after, the new one."""
    build(scratch)
    old = _snapshot(scratch.dist_dir)
    _changed(scratch)
    # Builds are deterministic, so the complete new dumps are known in advance.
    new = _snapshot(build(scratch, tmp_path / "expected").outputs[0].parent)
    assert new != old
    _killed_build(scratch, "swap-before")
    assert _snapshot(scratch.dist_dir) == old
    _killed_build(scratch, "swap-after")
    assert _snapshot(scratch.dist_dir) == new
    # The killed builds' generations are removed by the next build that ends.
    result = build(scratch)
    generations = scratch.dist_dir / GENERATIONS
    assert sorted(p.name for p in generations.iterdir()) == [".lock", "current"] + [
        os.readlink(generations / "current")
    ]
    assert _snapshot(scratch.dist_dir) == new
    assert result.outputs[0] == scratch.dist_dir / "samverkansgraf.trig"


@pytest.mark.slow
def test_a_kill_while_a_plain_dist_is_linked_leaves_the_old_version(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """dist/ of an older version holds plain files: the first build that
    publishes generations links them one by one. Killed between two of those
    renames, every name still gives the old file."""
    built = build(scratch, tmp_path / "before")
    dist = scratch.dist_dir
    dist.mkdir()
    for path in built.outputs:
        shutil.copyfile(path, dist / path.name)  # plain files, as builds made them
    old = _snapshot(dist)
    _changed(scratch)
    _killed_build(scratch, "link-3")
    assert sum((dist / name).is_symlink() for name in DUMPS) >= 1
    assert _snapshot(dist) == old
    build(scratch)
    assert _snapshot(dist) != old
    assert all((dist / name).is_symlink() for name in DUMPS)


@pytest.mark.slow
def test_killed_builds_never_leave_a_mix(scratch: ProjectPaths, tmp_path: Path) -> None:
    """SIGKILL lands while the new generation is being written (its folder
    exists, the build still runs): dist/ stays the complete old version."""
    build(scratch)
    old = _snapshot(scratch.dist_dir)
    _changed(scratch)
    command = [
        sys.executable,
        "-m",
        "samverkansgraf",
        "--project",
        str(scratch.root),
        "build",
        "--full",
    ]
    generations = scratch.dist_dir / GENERATIONS
    killed = []
    for _ in range(3):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while not list(generations.glob(f"g*-{process.pid}-*/samverkansgraf.nq")):
            assert process.poll() is None, "the build ended before writing"
            assert time.monotonic() < deadline, "the build wrote nothing in 120 s"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
        killed.append(process.pid)
        assert _snapshot(scratch.dist_dir) == old
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    assert _snapshot(scratch.dist_dir) != old
    # The generations the killed builds left are removed by the next one.
    assert not [g for pid in killed for g in generations.glob(f"g*-{pid}-*")]
    dataset = Dataset()
    dataset.parse(scratch.dist_dir / "samverkansgraf.trig", format="trig")
    assert len(dataset) > 3000


def test_a_full_disk_is_one_clear_error_and_the_old_file_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"old")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError) as error:
        write_files_atomically({target: b"new"})
    assert "No space left on device" in str(error.value)
    assert "choose a writable --out directory or free some disk space" in str(
        error.value
    )
    assert error.value.exit_code == 6
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_an_output_path_below_a_file_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "dist"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="cannot write output"):
        write_files_atomically({blocker / "samverkansgraf.trig": b"x"})


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_directory_is_one_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            write_files_atomically({locked / "x.ttl": b"x"})
    finally:
        locked.chmod(0o755)


def test_leftovers_of_dead_writers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "a.ttl"
    dead = tmp_path / ".a.ttl.999999999.abc.tmp"  # no such process
    alive = tmp_path / f".a.ttl.{os.getpid()}.def.tmp"
    dead.write_text("x")
    alive.write_text("x")
    write_files_atomically({target: b"new"})
    assert not dead.exists() and alive.exists()


def test_streams_are_synced_while_written_and_no_longer_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's dumps reach the disk while they are written (the commit's
    fsync then finds little left); the syncing stops with the block, before
    the files are closed, and a stream that cannot be synced (a pipe) is no
    error."""
    from samverkansgraf import atomic

    synced: list[int] = []
    real_fdatasync = os.fdatasync

    def recording(number: int) -> None:
        synced.append(number)
        real_fdatasync(number)

    monkeypatch.setattr(atomic, "SYNC_EVERY", 0.01)
    monkeypatch.setattr(atomic.os, "fdatasync", recording)
    read_end, write_end = os.pipe()
    with (
        (tmp_path / "a.nq").open("wb") as first,
        (tmp_path / "b.ttl").open("wb") as second,
        os.fdopen(write_end, "wb") as pipe,
    ):
        with atomic.syncing_in_background([first, second, pipe]):
            deadline = time.monotonic() + 5
            while not {first.fileno(), second.fileno()} <= set(synced):
                assert time.monotonic() < deadline, "never synced"
                first.write(b"<urn:a> <urn:b> <urn:c> .\n")
                first.flush()
                time.sleep(0.005)
        after = len(synced)
        time.sleep(0.05)
        assert len(synced) == after  # the thread has stopped with the block
        assert pipe.fileno() in synced  # tried, its EINVAL ignored
    os.close(read_end)
    assert (tmp_path / "a.nq").read_bytes().startswith(b"<urn:a>")


@pytest.mark.parametrize("with_rm", [True, False], ids=["rm", "without-rm"])
def test_remove_tree_removes_a_nested_folder_and_never_follows_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_rm: bool
) -> None:
    from samverkansgraf import atomic

    if not with_rm:  # a system without rm: the standard library removes it
        monkeypatch.setattr(atomic.shutil, "which", lambda name: None)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("kept")
    tree = tmp_path / "tree"
    for folder in ("a/b/c", "a/d", "e"):
        (tree / folder).mkdir(parents=True)
    for number, folder in enumerate(("a", "a/b", "a/b/c", "a/d", "e", ".")):
        for name in range(30):
            (tree / folder / f"{number}-{name}.html").write_bytes(b"x" * name)
    (tree / "a" / "link-to-folder").symlink_to(outside, target_is_directory=True)
    (tree / "e" / "link-to-file").symlink_to(outside / "kept.txt")
    (tree / "e" / "hard-link").hardlink_to(outside / "kept.txt")

    remove_tree(tree)

    assert not os.path.lexists(tree)
    assert sorted(p.name for p in outside.iterdir()) == ["kept.txt"]
    assert (outside / "kept.txt").read_text() == "kept"


def test_remove_tree_leaves_a_linked_folder_and_a_missing_path_alone(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("kept")
    link = tmp_path / "link"
    link.symlink_to(outside, target_is_directory=True)

    remove_tree(link)  # as shutil.rmtree(ignore_errors=True): not emptied
    remove_tree(tmp_path / "missing")

    assert (outside / "kept.txt").read_text() == "kept"
    assert link.is_symlink()


def test_a_replaced_site_folder_is_removed_whole(tmp_path: Path) -> None:
    target = tmp_path / "site"
    for generation in ("old", "new"):
        with atomic_directory(target, "publish") as work:
            for folder in ("id/kommun", "ontology"):
                (work / folder).mkdir(parents=True)
                (work / folder / f"{generation}.html").write_text(generation)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (target / "id/kommun/new.html").read_text() == "new"
    assert not (target / "id/kommun/old.html").exists()


def test_an_output_made_under_a_strict_umask_is_made_world_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from samverkansgraf import atomic

    monkeypatch.setattr(atomic, "_UMASK", 0o077)
    previous = os.umask(0o077)
    try:
        (tmp_path / "id/kommun").mkdir(parents=True)
        (tmp_path / "id/kommun/2083.html").write_text("Hedemora")
        (tmp_path / "index.html").write_text("start")
    finally:
        os.umask(previous)
    assert (tmp_path / "index.html").stat().st_mode & 0o777 == 0o600

    make_world_readable(tmp_path)

    modes = {
        path.relative_to(tmp_path).as_posix(): path.stat().st_mode & 0o777
        for path in tmp_path.rglob("*")
    }
    assert modes == {
        "id": 0o755,
        "id/kommun": 0o755,
        "id/kommun/2083.html": 0o644,
        "index.html": 0o644,
    }
