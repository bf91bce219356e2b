"""Nothing half-written: atomic replacement of output files and directories.

Every command that writes (build, publish, release, network) writes to a temporary
name beside the target and renames it into place, so a reader — or a later build
after a crash or a kill — sees either the old complete output or the new one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .errors import OutputError

__all__ = ["AtomicFiles", "atomic_directory", "write_files_atomically"]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    hint = "choose a writable --out directory or free some disk space"
    return OutputError(f"cannot write output ({reason})", path=path, hint=hint)


class AtomicFiles:
    """Stage files one by one, then rename them all into place (or none).

    ``write_files_atomically`` in steps, so that a writer can produce, stage and
    forget one large file at a time (a national build's dumps are hundreds of MB
    each) and still replace all of them together or not at all.
    """

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []

    def stage(self, target: Path, data: bytes | Iterable[bytes]) -> None:
        """Write ``data`` (bytes, or chunks of bytes written as they come) to a
        temporary file beside ``target`` (flushed, synced).

        Raises:
            OutputError: when the directory is not writable or the disk is full.
        """
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(target)
            handle, temp_name = tempfile.mkstemp(
                prefix=f".{target.name}.{os.getpid()}.",
                suffix=".tmp",
                dir=target.parent,
            )
            self.staged.append((Path(temp_name), target))
            # mkstemp creates 0600; outputs are ordinary files (0666 minus umask).
            os.fchmod(handle, 0o666 & ~_UMASK)
            with os.fdopen(handle, "wb") as stream:
                if isinstance(data, bytes | bytearray | memoryview):
                    stream.write(data)
                else:
                    for chunk in data:
                        stream.write(chunk)
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as exc:
            self.abort()
            raise _output_error(target, exc) from exc

    def commit(self, order: list[Path] | None = None) -> list[Path]:
        """Rename every staged file into place.

        Args:
            order: the targets in the order to rename them (and return them);
                default: the order they were staged in.

        Returns:
            The targets, in that order.
        """
        if order is not None:
            position = {target: number for number, target in enumerate(order)}
            self.staged.sort(key=lambda item: position.get(item[1], len(position)))
        try:
            for temp, target in self.staged:
                os.replace(temp, target)
        except OSError as exc:
            failed = self.staged[-1][1] if self.staged else Path(".")
            self.abort()
            raise _output_error(failed, exc) from exc
        targets = [target for _, target in self.staged]
        self.staged = []
        return targets

    def abort(self) -> None:
        """Remove every staged temporary file."""
        for temp, _ in self.staged:
            with contextlib.suppress(OSError):
                temp.unlink()
        self.staged = []


def write_files_atomically(files: Mapping[Path, bytes]) -> list[Path]:
    """Write several files so that each is replaced whole or not at all.

    All contents are first written and flushed to temporary files in the target
    directories; only when every write has succeeded are they renamed into place
    (``os.replace`` is atomic on POSIX). On failure the temporary files are removed
    and the old files are untouched.

    Args:
        files: target path → bytes.

    Returns:
        The target paths, in the order given.

    Raises:
        OutputError: when a directory is not writable or the disk is full.
    """
    writer = AtomicFiles()
    for target, data in files.items():
        writer.stage(target, data)
    writer.commit()
    return list(files)


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files a killed writer left beside ``target``.

    Temporary names carry the writer's process id; files of processes that no
    longer exist are leftovers, files of live processes belong to a concurrent
    writer and are left alone.
    """
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        parts = leftover.name[len(target.name) + 2 :].split(".")
        if parts and parts[0].isdigit() and not _process_alive(int(parts[0])):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Build a directory under a temporary name and swap it in when done.

    Usage::

        with atomic_directory("site") as work:
            (work / "index.html").write_text(...)

    On an exception inside the block the temporary directory is removed and
    ``target`` is left as it was. The swap renames the old directory aside first,
    so the window in which ``target`` is missing is two renames long.

    Raises:
        OutputError: when the parent directory is not writable or the disk is full.
    """
    target = Path(target).resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        work.chmod(0o777 & ~_UMASK)  # mkdtemp creates 0700
    except OSError as exc:
        raise _output_error(target, exc) from exc
    try:
        yield work
        old = None
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent)
            )
            os.replace(target, old / target.name)
        os.replace(work, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _output_error(target, exc) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
