"""Nothing half-written: atomic replacement of output files and directories.

Every command that writes (build, publish, release, network) writes to a temporary
name beside the target and renames it into place, so a reader — or a later build
after a crash or a kill — sees either the old complete output or the new one.

A build's outputs change together, as one unit (``OutputGeneration``): each build
writes a new *generation* folder, ``dist/.generations/<id>/``, and publishes it by
one atomic rename of the ``dist/.generations/current`` link, through which the
documented names (``dist/samverkansgraf.nq`` …) lead. Two builds running at once,
or a build killed at any moment, leave all of the old outputs or all of the new.

It is also the one home of the output policy (issue 16): no command deletes or
overwrites what it did not create.

- Folders (``build``, ``publish``, ``release``, ``network``, ``synth``):
  ``check_output_directory`` / ``atomic_directory`` accept a folder only when it
  does not exist, is empty, or carries the marker file (``OUTPUT_MARKER``) that
  the same command wrote there last time; never the project, a folder above it,
  the project's inputs (``data/``, ``ontology/``, ``shapes/``, ``queries/``) or a
  folder holding ``.git``.
- Files (``extract --out/--review``, ``evaluate --out``, and every other
  ``--out FILE``): ``check_output_file`` never writes into the project's inputs
  or a ``.git`` folder, and — where the command can recognise its own earlier
  output — replaces an existing file only when it is such an output, unless the
  user passes ``--force``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError

__all__ = [
    "GENERATIONS",
    "OUTPUT_MARKER",
    "AtomicFiles",
    "OutputGeneration",
    "atomic_directory",
    "check_output_directory",
    "check_output_file",
    "holds_files",
    "make_world_readable",
    "marker_text",
    "project_inputs",
    "remove_tree",
    "syncing_in_background",
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


def marker_text(command: str | None) -> str:
    """The content of ``OUTPUT_MARKER`` in a folder ``command`` wrote.

    Example:
        >>> marker_text("build")
        'samverkansgraf build\\n'
    """
    return f"samverkansgraf {command or 'output'}\n"


def _refuse(target: Path, what: str) -> OutputError:
    return OutputError(
        f"{what}, so it will not be replaced",
        path=target,
        hint="choose a new or empty folder, or remove this one yourself",
    )


PROJECT_INPUTS = ("data", "ontology", "shapes", "queries", ".git")
"""The folders of a project that only people write: no command writes into them."""


def project_inputs(project_root: str | Path) -> list[Path]:
    """The project's input folders (``PROJECT_INPUTS`` under ``project_root``).

    Example:
        >>> [p.name for p in project_inputs("/p")]
        ['data', 'ontology', 'shapes', 'queries', '.git']
    """
    root = Path(project_root).resolve()
    return [root / name for name in PROJECT_INPUTS]


def _inside_inputs(target: Path, project_root: str | Path | None) -> Path | None:
    """The project input folder that holds (or is) ``target``, if any."""
    if project_root is None:
        return None
    for folder in project_inputs(project_root):
        if target == folder or folder in target.parents:
            return folder
    return None


def _inside_git(target: Path) -> bool:
    """``target`` lies in a ``.git`` folder (of any repository)."""
    return any(part == ".git" for part in target.parts)


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
    root, a folder above it, the project's inputs (``project_inputs``) or a
    folder below them, or a folder holding (or inside) ``.git``.

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
        inputs = _inside_inputs(target, root)
        if inputs is not None:
            raise _refuse(
                target, f"the folder is part of the project's inputs ({inputs.name}/)"
            )
    if _inside_git(target):
        raise _refuse(target, "the folder is inside a git repository's .git")
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
    if written_by == marker_text(command):
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


def check_output_file(
    target: str | Path,
    command: str,
    *,
    project_root: str | Path | None = None,
    recognise: Callable[[bytes], bool] | None = None,
    force: bool = False,
) -> None:
    """Refuse to write a file where it would overwrite what ``command`` did not make.

    Never allowed (not even with ``force``): a file inside the project's inputs
    (``project_inputs``: a draft must not land among the curated data unread) or
    inside a ``.git`` folder, or a path that exists and is not a regular file.
    With ``recognise``, an existing file is replaced only when ``recognise`` says
    its first 4 KiB are this command's own earlier output, or when ``force``.

    Args:
        target: the file to write.
        command: the CLI command writing it (``"extract"`` …), for the message.
        project_root: the project whose inputs are protected.
        recognise: tells this command's earlier output by its first bytes.
        force: replace an existing file that ``recognise`` does not accept.

    Raises:
        OutputError: one line naming the file and what to do instead.

    Example:
        >>> import tempfile
        >>> mine = Path(tempfile.mkdtemp()) / "draft.ttl"
        >>> _ = mine.write_text("my own notes")
        >>> try:
        ...     check_output_file(mine, "extract", recognise=lambda b: False)
        ... except OutputError as error:
        ...     print(error.message)
        the file exists and was not written by samverkansgraf extract, so it will \
not be replaced
    """
    target = Path(target).resolve()
    hint = "choose another file name, or pass --force to replace it"
    inputs = _inside_inputs(target, project_root)
    if inputs is not None:
        raise OutputError(
            f"the file is inside the project's inputs ({inputs.name}/), which only "
            "people write",
            path=target,
            hint="write it elsewhere, review it, then copy what holds into "
            f"{inputs.name}/ yourself",
        )
    if _inside_git(target):
        raise OutputError(
            "the file is inside a git repository's .git",
            path=target,
            hint="write it elsewhere",
        )
    if not target.exists():
        return
    if not target.is_file():
        raise OutputError(
            "it exists and is not a regular file, so it will not be replaced",
            path=target,
            hint="choose another file name",
        )
    if recognise is None or force:
        return
    try:
        with target.open("rb") as stream:
            head = stream.read(4096)
    except OSError as exc:
        raise _output_error(target, exc) from exc
    if not recognise(head):
        raise OutputError(
            f"the file exists and was not written by samverkansgraf {command}, so it "
            "will not be replaced",
            path=target,
            hint=hint,
        )


def make_world_readable(folder: str | Path) -> None:
    """Give every folder under ``folder`` mode 755 and every file 644, as web
    content is served.

    Under the usual umask (022) what this process made already has them, and
    nothing is done (a national site's 325,000 files took 1.1 s to walk);
    under a stricter one (077: 700 and 600) every entry is set.
    """
    if _UMASK == 0o022:
        return
    for directory, _, names in os.walk(folder):
        os.chmod(directory, 0o755)
        for name in names:
            os.chmod(os.path.join(directory, name), 0o644)


REMOVERS = 8
"""``rm`` processes ``remove_tree`` runs at once."""


def remove_tree(path: str | Path) -> None:
    """Remove the folder ``path`` and everything in it, ignoring errors (as
    ``shutil.rmtree(path, ignore_errors=True)``), several folders at a time.

    Removing a national site (325,000 files) is mostly waiting for the file
    system when its files' data is freed: one file at a time 21.4 s (1.6 s of
    CPU), in eight ``rm -rf`` processes 8.7 s, each given a share of the
    folders that hold no folder. When the files live on as links in the new
    site (a publish that reused them) removing is quick work for the kernel:
    2.2 s for ``shutil.rmtree``, 1.1 s in eight processes — where threads,
    tried first, took 3.2 s, handing Python's lock from one to the other at
    every file. ``rm`` removes a symbolic link and never follows it, as
    ``shutil.rmtree`` (which is used where there is no ``rm``).
    """
    if os.path.islink(path) or not os.path.isdir(path):
        return  # as rmtree(ignore_errors=True): a link to a folder is not emptied
    remover = shutil.which("rm")
    if remover is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    leaves = [folder for folder, folders, _ in os.walk(path) if not folders]
    size = max(1, min(256, -(-len(leaves) // (4 * REMOVERS))))

    def remove(folders: list[str]) -> None:
        subprocess.run(
            [remover, "-rf", "--", *folders],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )

    with ThreadPoolExecutor(REMOVERS, thread_name_prefix="remove") as pool:
        list(
            pool.map(
                remove, [leaves[i : i + size] for i in range(0, len(leaves), size)]
            )
        )
    remove([os.fspath(path)])  # the folders above the leaves, and their files
    if os.path.lexists(path):  # whatever rm could not remove
        shutil.rmtree(path, ignore_errors=True)


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
        (work / OUTPUT_MARKER).write_text(marker_text(command), "utf-8")
        old = None
        if target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent)
            )
            os.replace(target, old / target.name)
        os.replace(work, target)
        if old is not None:
            remove_tree(old)
    except OSError as exc:
        remove_tree(work)
        raise _output_error(target, exc) from exc
    except BaseException:
        remove_tree(work)
        raise


# ---------------------------------------------------------------------------
# Outputs that change as one unit: generation folders and one rename
# ---------------------------------------------------------------------------

GENERATIONS = ".generations"
"""The folder, inside an output folder, that holds its generations."""
_CURRENT = "current"


class OutputGeneration:
    """A set of output files published together by one rename.

    Layout of an output folder ``out`` (``dist/``)::

        out/samverkansgraf.nq -> .generations/current/samverkansgraf.nq
        out/.generations/current -> g1733…-4242-9f3a1c
        out/.generations/g1733…-4242-9f3a1c/samverkansgraf.nq

    The files are written into a new generation folder (``path(name)``);
    ``commit`` syncs them and renames a fresh ``current`` link over the old one,
    which is atomic: a reader who opens ``out/samverkansgraf.nq`` gets the old
    generation's file or the new one's, and two builds committing at once leave
    one whole generation, never a mix. Generations of builds that are no longer
    running are removed at the next commit; readers that still hold their files
    open keep reading them.

    Usage::

        generation = OutputGeneration(out, ["samverkansgraf.nq", "build-report.json"])
        try:
            write(generation.path("samverkansgraf.nq"))
            ...
            generation.commit()
        except BaseException:
            generation.abort()
            raise

    The names were plain files before this layout existed: the first commit into
    such a folder first links the old files into a generation of their own and
    makes ``current`` point to it, so at no moment does a name lead to nothing or
    to a mix.
    """

    def __init__(self, out: str | Path, names: Iterable[str]) -> None:
        self.out = Path(out)
        """The output folder."""
        self.names = list(names)
        """The public file names, in the order ``commit`` returns them."""
        self.root = self.out / GENERATIONS
        self.id = f"g{time.time_ns()}-{os.getpid()}-{secrets.token_hex(3)}"
        """This generation's folder name (its process id marks it as in use)."""
        self.folder = self.root / self.id
        """Where this generation's files are written."""
        try:
            self.folder.mkdir(parents=True)
        except OSError as exc:
            raise _output_error(self.out, exc) from exc
        _WRITING.add(self.id)

    def path(self, name: str) -> Path:
        """Where to write the output ``name`` of this generation."""
        if name not in self.names:
            raise ValueError(f"{name} is not an output of this generation")
        return self.folder / name

    def commit(self) -> list[Path]:
        """Publish this generation: sync its files, swap ``current``, link the
        public names, remove generations nobody is writing any more.

        Returns:
            The public paths (``out/<name>``), in ``names`` order.

        Raises:
            OutputError: a file is missing or the folder cannot be written.
        """
        try:
            for name in self.names:
                with (self.folder / name).open("rb") as stream:
                    os.fsync(stream.fileno())
            _fsync_directory(self.folder)
            with _locked(self.root / ".lock"):
                self._adopt_plain_files()
                link = self.root / f".{_CURRENT}.{self.id}"
                os.symlink(self.id, link)
                os.replace(link, self.root / _CURRENT)
                _fsync_directory(self.root)
                self._link_names()
                self._remove_old_generations()
        except OSError as exc:
            raise _output_error(self.out, exc) from exc
        finally:
            _WRITING.discard(self.id)
        return [self.out / name for name in self.names]

    def abort(self) -> None:
        """Remove this generation's folder (nothing was published)."""
        _WRITING.discard(self.id)
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers ----------------------------------------------------------------

    def _public_target(self, name: str) -> str:
        return f"{GENERATIONS}/{_CURRENT}/{name}"

    def _adopt_plain_files(self) -> None:
        """Before the first generation: keep the plain files as the current one."""
        if (self.root / _CURRENT).is_symlink():
            return
        plain = [
            name
            for name in self.names
            if (self.out / name).is_file() and not (self.out / name).is_symlink()
        ]
        if not plain:
            return
        adopted = self.root / f"g0-{os.getpid()}-adopted-{secrets.token_hex(3)}"
        adopted.mkdir()
        for name in plain:
            os.link(self.out / name, adopted / name)
        link = self.root / f".{_CURRENT}.{adopted.name}"
        os.symlink(adopted.name, link)
        os.replace(link, self.root / _CURRENT)
        _fsync_directory(self.root)
        self._link_names()

    def _link_names(self) -> None:
        """Make every public name a link through ``current`` (once)."""
        for name in self.names:
            public = self.out / name
            target = self._public_target(name)
            if public.is_symlink() and os.readlink(public) == target:
                continue
            temporary = self.out / f".{name}.{self.id}.link"
            os.symlink(target, temporary)
            os.replace(temporary, public)
        _fsync_directory(self.out)

    def _remove_old_generations(self) -> None:
        """Remove generations other than ``current`` whose builds have ended."""
        current = os.readlink(self.root / _CURRENT)
        for entry in self.root.iterdir():
            name = entry.name
            if name == current or name == _CURRENT or name == ".lock":
                continue
            pid = _generation_pid(name)
            if pid is None or name.lstrip(".").split(".")[-1] in _WRITING:
                continue
            if pid != os.getpid() and _process_alive(pid):
                continue
            if entry.is_symlink() or entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()
            else:
                shutil.rmtree(entry, ignore_errors=True)


_WRITING: set[str] = set()
"""Generations this process is still writing (never removed by its own commits)."""


SYNC_EVERY = 0.1
"""Seconds between two background syncs (``syncing_in_background``)."""


@contextlib.contextmanager
def syncing_in_background(streams: Iterable[BinaryIO]) -> Iterator[None]:
    """Hand the written parts of ``streams`` to the disk while they are written.

    A second thread calls ``fdatasync`` on each stream every ``SYNC_EVERY``
    seconds while the block runs (the call releases the GIL), so that the
    ``fsync`` of ``OutputGeneration.commit`` finds little left: at national
    scale (0.7 GB of dumps) it took a third of a second after the writing,
    now mostly during it. Only durability moves earlier; no byte changes. A
    stream the system cannot sync (a pipe) is left to ``commit``.
    """
    numbers = [stream.fileno() for stream in streams]
    stop = threading.Event()

    def sync() -> None:
        while not stop.wait(SYNC_EVERY):
            for number in numbers:
                with contextlib.suppress(OSError):
                    os.fdatasync(number)

    syncer = threading.Thread(target=sync, name="sync", daemon=True)
    syncer.start()
    try:
        yield
    finally:
        stop.set()
        syncer.join()


def _generation_pid(name: str) -> int | None:
    """The process id in a generation's (or a temporary link's) name."""
    parts = name.lstrip(".").split("-")
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    return int(parts[1])


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` for the duration of the block."""
    with path.open("a") as stream:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def _fsync_directory(path: Path) -> None:
    """Make the renames inside ``path`` durable (a no-op where unsupported)."""
    with contextlib.suppress(OSError):
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
