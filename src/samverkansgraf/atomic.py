"""Nothing half-written: atomic replacement of output files and directories.

Every command that writes (build, publish, release, network) writes to a temporary
name beside the target and renames it into place, so a reader — or a later build
after a crash or a kill — sees either the old complete output or the new one.

It is also the one home of the output-directory policy (issue 16): no command
deletes what it did not create. ``atomic_directory`` replaces a folder only when
it does not exist, is empty, or carries the marker file (``OUTPUT_MARKER``) that
the same command wrote there last time; it never replaces the project, a folder
above it, or a folder holding ``.git``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from .errors import OutputError

__all__ = [
    "OUTPUT_MARKER",
    "AtomicFiles",
    "atomic_directory",
    "check_output_directory",
    "holds_files",
    "write_files_atomically",
]

OUTPUT_MARKER = ".samverkansgraf-output"
"""The file a command leaves in each output folder it writes: its content names
the command (``samverkansgraf publish``), which may replace the folder next time."""


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


def _marker_text(command: str | None) -> str:
    return f"samverkansgraf {command or 'output'}\n"


def _refuse(target: Path, what: str) -> OutputError:
    return OutputError(
        f"{what}, so it will not be replaced",
        path=target,
        hint="choose a new or empty folder, or remove this one yourself",
    )


def holds_files(*names: str) -> Callable[[Path], bool]:
    """A ``recognise`` test: the folder holds all these files.

    For outputs written before ``OUTPUT_MARKER`` existed, recognised by files
    only that command writes together (a site's ``dcat.ttl`` + ``void.ttl`` +
    ``index.html``).

    Example:
        >>> holds_files("dcat.ttl", "index.html")(Path("/nonexistent"))
        False
    """

    def recognise(folder: Path) -> bool:
        return all((folder / name).is_file() for name in names)

    return recognise


def check_output_directory(
    target: str | Path,
    command: str | None,
    *,
    project_root: str | Path | None = None,
    recognise: Callable[[Path], bool] | None = None,
) -> None:
    """Refuse to replace a folder that ``command`` did not create.

    Allowed: a folder that does not exist, an empty folder, or one holding
    ``OUTPUT_MARKER`` written by the same command. Never allowed: the project
    root, a folder above it, or a folder holding ``.git``.

    Args:
        target: the output folder.
        command: the CLI command that writes it (``"publish"``, ``"release"`` …);
            ``None`` only for callers not yet updated: then the marker names no
            command and any such unnamed output may be replaced.
        project_root: the project, which is never replaced.
        recognise: also accept a folder for which this returns True (outputs
            written before the marker existed, e.g. an earlier network export).

    Raises:
        OutputError: one line naming the folder and what to do instead.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> check_output_directory(folder, "publish")  # empty: fine
        >>> _ = (folder / "notes.txt").write_text("mine")
        >>> try:
        ...     check_output_directory(folder, "publish")
        ... except OutputError as error:
        ...     print(error.message)
        the folder is not empty and was not written by samverkansgraf publish, so \
it will not be replaced
    """
    target = Path(target).resolve()
    if project_root is not None:
        root = Path(project_root).resolve()
        if target == root or target in root.parents:
            raise _refuse(target, "the folder is the project itself or holds it")
    if not target.exists():
        return
    if not target.is_dir():
        raise _refuse(target, "it exists and is not a folder")
    if (target / ".git").exists():
        raise _refuse(target, "the folder holds a git repository (.git)")
    if not any(target.iterdir()):
        return
    marker = target / OUTPUT_MARKER
    try:
        written_by = marker.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        written_by = None
    if written_by == _marker_text(command):
        return
    if recognise is not None and recognise(target):
        return
    if written_by is not None:
        other = written_by.strip() or "another command"
        raise _refuse(target, f"the folder was written by {other}")
    raise _refuse(
        target,
        "the folder is not empty and was not written by samverkansgraf"
        + (f" {command}" if command else ""),
    )


@contextlib.contextmanager
def atomic_directory(
    target: str | Path,
    command: str | None = None,
    *,
    project_root: str | Path | None = None,
    recognise: Callable[[Path], bool] | None = None,
) -> Iterator[Path]:
    """Build a directory under a temporary name and swap it in when done.

    Usage::

        with atomic_directory("site", "publish", project_root=paths.root) as work:
            (work / "index.html").write_text(...)

    Before anything is written, ``check_output_directory`` decides whether
    ``target`` may be replaced (the arguments are passed on to it); the new
    folder gets ``OUTPUT_MARKER`` naming ``command``, so the next run of the
    same command may replace it.

    On an exception inside the block the temporary directory is removed and
    ``target`` is left as it was. The swap renames the old directory aside first,
    so the window in which ``target`` is missing is two renames long.

    Raises:
        OutputError: ``target`` is not ours to replace (see
            ``check_output_directory``), the parent directory is not writable or
            the disk is full.
    """
    target = Path(target).resolve()
    check_output_directory(
        target, command, project_root=project_root, recognise=recognise
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        work.chmod(0o777 & ~_UMASK)  # mkdtemp creates 0700
    except OSError as exc:
        raise _output_error(target, exc) from exc
    try:
        yield work
        (work / OUTPUT_MARKER).write_text(_marker_text(command), "utf-8")
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
