"""Files replaced whole or not at all, files locked between processes, and tree sizes.

`atomic_write` is the one atomic writer core and the console use for settings, secrets,
layouts, profiles, reports and exports; `lock_exclusive` the one advisory lock (``flock`` on
POSIX, ``msvcrt.locking`` on Windows, where ``fcntl`` does not exist); `tree_size` the total
size of a directory's regular files.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from pathlib import Path

__all__ = ["atomic_write", "fsync_directory", "lock_exclusive", "tree_size"]

_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def fsync_directory(path: str | os.PathLike[str]) -> None:
    """Flush a directory's entries to disk, so a rename into it survives a power cut.

    Best effort: some file systems and platforms (Windows) cannot open or flush a directory.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, private: bool = False) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old content or the new one,
    never a part, even after a crash.

    The bytes go to a temporary file next to ``path`` with a name unique to this write
    (created exclusively, so concurrent writers never share one), are flushed to disk, and the
    file is renamed over ``path``; then the directory is flushed. A ``str`` is written as
    UTF-8. The new file's mode follows the umask like any other, or is 0600 when ``private``.
    Nothing is left behind when a step fails.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, _CREATE, 0o600 if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_directory(target.parent)


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows bundle
    import msvcrt

    def lock_exclusive(fd: int, *, wait: bool = True) -> None:
        """Lock the open file ``fd`` for this process until it is closed.

        Without ``wait``, a lock held elsewhere raises `BlockingIOError` at once.
        """
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if wait:
                raise
            raise BlockingIOError(exc.errno, exc.strerror) from exc

else:
    import fcntl

    def lock_exclusive(fd: int, *, wait: bool = True) -> None:
        """Lock the open file ``fd`` for this process until it is closed.

        Without ``wait``, a lock held elsewhere raises `BlockingIOError` at once.
        """
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)


def tree_size(root: str | os.PathLike[str]) -> int:
    """Total size of the regular files under ``root`` (symlinks not followed; files that
    vanish or cannot be read while it walks are left out). Blocking."""
    total = 0
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            with contextlib.suppress(OSError):
                st = os.lstat(os.path.join(dirpath, name))
                if stat.S_ISREG(st.st_mode):
                    total += st.st_size
    return total
