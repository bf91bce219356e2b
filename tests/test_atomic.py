"""Nothing half-written: a build killed at any moment leaves every dump either
the previous complete version or the new complete one, and write failures are
one clear error."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Dataset

from samverkansgraf.atomic import write_files_atomically
from samverkansgraf.build import build
from samverkansgraf.errors import OutputError
from samverkansgraf.sources import ProjectPaths

DUMPS = ("samverkansgraf.trig", "samverkansgraf.nq", "samverkansgraf.ttl")


def _snapshot(dist: Path) -> dict[str, bytes]:
    return {name: (dist / name).read_bytes() for name in DUMPS}


def _temporaries_of(dist: Path, pid: int) -> set[str]:
    """The names of the temporary files process ``pid`` has staged in ``dist``."""
    return {path.name for path in dist.glob(f".*.{pid}.*.tmp")}


@pytest.mark.slow
def test_killed_build_leaves_old_or_new_complete_dumps(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    """SIGKILL lands inside the build, provably: the build is killed when it
    has staged its k-th temporary dump (k = 1 … 4), while it is still running,
    and its temporaries are still there afterwards (so it never reached the
    rename step). Every dump is then the complete old or new version."""
    build(scratch)
    old = _snapshot(scratch.dist_dir)
    # Change the data so that the new dumps differ from the old ones.
    curated = scratch.curated_dir / "hedemora-2019-2022.ttl"
    curated.write_text(
        curated.read_text("utf-8").replace(
            'skos:note "Texten anger inga underskrifter och inget datum."@sv',
            'skos:note "Texten anger inga underskrifter och inget datum (ändrad)."@sv',
        ),
        "utf-8",
    )
    # Builds are deterministic, so the complete new dumps are known in advance.
    new = _snapshot(build(scratch, tmp_path / "expected").outputs[0].parent)
    assert new != old
    command = [
        sys.executable,
        "-m",
        "samverkansgraf",
        "--project",
        str(scratch.root),
        "build",
    ]
    dist = scratch.dist_dir
    # The build stages .nq, .trig, .ttl, .jsonld and build-report.json in turn
    # and renames them all at the end; kill it as the k-th temporary appears.
    for staged in (1, 2, 3, 4):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while len(_temporaries_of(dist, process.pid)) < staged:
            assert process.poll() is None, f"the build ended before {staged} temps"
            assert time.monotonic() < deadline, "the build staged nothing in 60 s"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, "the build exited before the kill"
        left = _temporaries_of(dist, process.pid)
        assert len(left) >= staged, f"the kill came after the renames: {left}"
        for name, data in _snapshot(dist).items():
            # Killed before its renames, the build leaves the old version whole.
            assert data == old[name], f"{name} is not the complete old version"
    # An unkilled build completes and removes the killed builds' temporary files.
    assert list(dist.glob(".*.tmp"))
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    assert _snapshot(dist) == new
    assert not list(dist.glob(".*.tmp"))
    dataset = Dataset()
    dataset.parse(dist / "samverkansgraf.trig", format="trig")
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
