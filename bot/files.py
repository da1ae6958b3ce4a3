"""File edges: atomic writes, writing through a list's symbolic link, and the run lock.

Every OSError on our own files becomes a FileWriteError naming the path and the fix
(disk full, read-only, no permission): a maintainer's problem to fix, not a bug.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bot.errors import FileWriteError, LockedError

_FIXES = {
    errno.ENOSPC: "free disk space on that file system, then rerun",
    errno.EDQUOT: "free space within your disk quota, then rerun",
    errno.EFBIG: "the file system refuses a file this large; free space or raise the limit",
    errno.EROFS: "the file system is read-only: make it writable, or point "
    "target.file / target.state_file in config.toml at a writable folder",
    errno.EACCES: "give this user write permission on the folder, or point "
    "target.file / target.state_file in config.toml at a writable folder",
    errno.ELOOP: "it is a symbolic link: remove it (the bot does not follow links there)",
}
_FIXES[errno.EPERM] = _FIXES[errno.EACCES]


def write_error(path: Path, exc: OSError) -> FileWriteError:
    """The one-line error for an OSError while writing `path`."""
    fix = _FIXES.get(exc.errno or 0, "check the file and its folder, then rerun")
    return FileWriteError(str(path), exc.strerror or str(exc), fix, exc.errno)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old or the new file, never half of one.

    Raises FileWriteError (the old file untouched) when the disk is full, the folder
    read-only or not ours.
    """
    try:
        _replace_atomically(path, text)
    except OSError as exc:
        raise write_error(path, exc) from None


def _replace_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_through(path: Path, text: str, tree: Path) -> None:
    """Write `path` atomically; a symbolic link is written through to its target.

    The target is replaced in its own folder (so the rename stays atomic) and the
    link is kept. A target outside `tree` (the working tree: the folder the paths
    in config.toml are relative to) is refused with FileWriteError.
    """
    atomic_write_text(target_inside(path, tree), text)


def target_inside(path: Path, tree: Path) -> Path:
    """The real file `path` names (links followed), which must lie inside `tree`.

    A `path` given outside `tree` (an explicit --target) is checked against its own folder.
    """
    absolute = Path(os.path.abspath(path))
    root = tree.resolve() if absolute.is_relative_to(tree.absolute()) else absolute.parent
    real = absolute.resolve()
    if real == absolute:
        return path  # no link: named as given, for messages
    if real.is_relative_to(root.resolve()):
        return real
    raise FileWriteError(
        str(path),
        f"it is a symbolic link to {real}, outside the working tree {root}",
        "the bot writes only inside it: replace the link with the file, "
        "or set target.file to the real file",
    )


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` for one run; a second run fails at once.

    The lock file is opened without following a symbolic link (O_NOFOLLOW) and must
    be a regular file: a link planted there cannot make the bot truncate its target.
    Raises LockedError when another run holds it, FileWriteError when it cannot be made.
    """
    import fcntl

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileWriteError(
                str(path), "it is not a regular file", "remove it; the bot makes its own lock file"
            )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("utf-8", "replace").strip() or "unknown"
            raise LockedError(
                f"{path}: another run is in progress (pid {holder}); wait for it to finish"
            ) from None
        try:  # unbuffered: nothing is left to flush (and fail) at close
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError as exc:
            raise write_error(path, exc) from None
        yield
    finally:
        os.close(fd)
