"""Files replaced whole or not at all: the one atomic writer core and the console use for
settings, secrets, layouts, profiles, reports and exports."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["atomic_write", "fsync_directory"]

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
