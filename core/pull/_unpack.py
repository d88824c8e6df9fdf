"""Safe extraction of image layers (tar, tar+gzip, tar+zstd) into a root filesystem.

Layers are applied in order onto one target directory with OCI semantics: ``.wh.NAME``
removes ``NAME`` from the layers below, ``.wh..wh..opq`` empties its directory of everything
the layers below put there, a non-directory entry replaces whatever was at its path.

Extraction never writes outside its target. Every path is resolved component by component
from a directory file descriptor with ``O_NOFOLLOW`` (openat-style), so a symlink planted by
an earlier layer (or earlier in the same layer) is never followed; names that are absolute or
contain ``..`` and hard links whose target leaves the root are refused with
:class:`~core.errors.UnsafeContent` naming the entry. Ownership, modes, times and device
nodes are kept where the process may set them (root); extended attributes are best effort.

Decompression bombs are refused (:class:`~core.errors.UnsafeContent` naming the layer and
the limit) with the limits the converter uses (:class:`core.formats.DecompressionLimits`):
past ``ratio_grace`` bytes a layer may not expand more than ``max_ratio`` times its
compressed size, and never beyond ``max_uncompressed`` bytes (a full pull applies that to
the whole image). Given the config's ``diff_id``, the decompressed stream is hashed as it is
read (to its very end, past the tar end-of-archive marker) and a mismatch is refused with
:class:`~core.errors.DigestMismatch` (code ``DiffIDMismatch``).

Decompression streams (gzip through ISA-L, zstd through python-zstandard
across frames, skippable frames included) and all of this runs in a worker thread: call
:func:`unpack_layer` from async code, :func:`unpack_layer_sync` from a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import os
import shutil
import stat
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import zstandard
from isal import isal_zlib

from core.errors import DigestMismatch, PullError, UnsafeContent
from core.formats import (
    DecompressionLimits,
    hardlink_target,
    split_name,
    through_symlink,
    unsafe,
)
from core.oci import Digest, DigestHasher, sniff_compression

__all__ = [
    "UnpackStats",
    "open_decompressed",
    "safe_components",
    "unpack_layer",
    "unpack_layer_sync",
]

_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_COPY_BLOCK = 1 << 20
#: tarfile's stream buffer: each header read joins and slices the whole buffer, so a large
#: one is copied twice per entry (1 MiB: 4.8-7.8 s of CPU for a 15,600-entry layer that
#: 16 KiB unpacks in 4.0-5.1 s, load 13).
_TAR_BUFFER = 16 << 10
_IsalError = cast("type[Exception]", isal_zlib.error)
_DIR_OPEN = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(slots=True)
class UnpackStats:
    """What one layer's extraction did. ``skipped`` lists ``(entry, reason)`` pairs for entries
    the platform did not allow (device nodes without privilege, ownership as non-root …)."""

    entries: int = 0
    files: int = 0
    dirs: int = 0
    symlinks: int = 0
    hardlinks: int = 0
    devices: int = 0
    whiteouts: int = 0
    opaque_dirs: int = 0
    bytes_written: int = 0
    compressed_bytes: int = 0
    uncompressed_bytes: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "files": self.files,
            "dirs": self.dirs,
            "symlinks": self.symlinks,
            "hardlinks": self.hardlinks,
            "devices": self.devices,
            "whiteouts": self.whiteouts,
            "opaque_dirs": self.opaque_dirs,
            "bytes_written": self.bytes_written,
            "compressed_bytes": self.compressed_bytes,
            "uncompressed_bytes": self.uncompressed_bytes,
            "skipped": [list(s) for s in self.skipped],
        }


#: The safety policy's name check (`core.formats` safety), under the name the pull code uses.
safe_components = split_name


class _CountingReader(io.RawIOBase):
    """Counts the compressed bytes read from the underlying file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._raw.read(len(view))
        n = len(data)
        view[:n] = data
        self.count += n
        return n


class _BombGuard:
    """``read`` over a layer's decompressed stream that refuses a decompression bomb (and
    hashes what it reads when the layer's ``diff_id`` is to be checked)."""

    def __init__(
        self,
        reader: IO[bytes],
        raw: _CountingReader,
        limits: DecompressionLimits,
        *,
        layer: str,
        before: int,
        hasher: DigestHasher | None,
    ) -> None:
        self._reader = reader
        self._raw = raw
        self._limits = limits
        self._layer = layer
        self._before = before
        self._hasher = hasher
        self.produced = 0

    def read(self, n: int = -1) -> bytes:
        data = self._reader.read(n if n is not None and n >= 0 else _COPY_BLOCK)
        self.produced += len(data)
        self._limits.check(self.produced, self._raw.count, layer=self._layer, before=self._before)
        if self._hasher is not None:
            self._hasher.update(data)
        return data

    def drain(self) -> None:
        """Read (and hash) what the tar reader left: the end-of-archive blocks and padding."""
        while self.read(_COPY_BLOCK):
            pass


@contextlib.contextmanager
def open_decompressed(raw: BinaryIO, compression: str | None = None) -> Iterator[IO[bytes]]:
    """A streaming reader of the uncompressed bytes of ``raw`` (a layer blob).

    ``compression`` is ``"gzip"``, ``"zstd"``, ``"none"`` or ``None`` to sniff the magic bytes.
    """
    buffered = io.BufferedReader(_CountingReader(raw), buffer_size=_COPY_BLOCK)
    if compression is None:
        compression = sniff_compression(buffered.peek(4)[:4]).value
    if compression == "gzip":
        from isal import igzip

        # In this thread: a decompressing thread of its own (igzip_threaded) hands every
        # block over through the GIL, and on a loaded machine each hand-off waits for the
        # scheduler (1.3 GB Debian rootfs layer, load 13: 53.6 / 63.6 s threaded, 42.4 /
        # 31.1 s here, 9.3-9.9 s of CPU either way).
        reader: IO[bytes] = igzip.open(buffered, "rb")  # type: ignore[no-untyped-call]
    elif compression == "zstd":
        reader = zstandard.ZstdDecompressor().stream_reader(
            buffered, read_size=_COPY_BLOCK, read_across_frames=True
        )
    elif compression == "none":
        reader = buffered
    else:
        raise PullError(f"unknown layer compression {compression!r}")
    try:
        yield reader
    finally:
        reader.close()


class _Extractor:
    """Applies one layer's tar stream onto a root directory, fd-relative throughout."""

    def __init__(
        self,
        root: Path,
        *,
        preserve_owner: bool,
        stats: UnpackStats,
        skip_root_names: frozenset[str] = frozenset(),
    ) -> None:
        self.root_fd = os.open(root, _DIR_OPEN)
        self.skip_root_names = skip_root_names
        self.preserve_owner = preserve_owner
        self.stats = stats
        self.created: set[tuple[str, ...]] = set()
        #: Directories this extraction made: nothing is in one but what it put there (and
        #: listed in ``created``), so a new entry there needs no look for what it replaces.
        self.fresh: set[tuple[str, ...]] = set()
        #: The directory of the entry being applied: its descriptor stays open while another
        #: is resolved (a hard link's target).
        self._pinned: tuple[str, ...] = ()
        self.deferred_dirs: dict[tuple[str, ...], tarfile.TarInfo] = {}
        self._fd_cache: dict[tuple[str, ...], int] = {}

    # -- directory resolution ---------------------------------------------------------------

    def close(self) -> None:
        self._drop_cache()
        os.close(self.root_fd)

    def _drop_cache(self) -> None:
        for fd in self._fd_cache.values():
            os.close(fd)
        self._fd_cache.clear()

    def _dir_fd(self, parts: tuple[str, ...], *, entry: str, create: bool) -> int | None:
        """An fd of directory ``parts`` under the root, never following a symlink.

        Missing directories are created (mode 0755) when ``create``; otherwise ``None``.
        The fd belongs to the cache; do not close it.
        """
        if not parts:
            return self.root_fd
        cached = self._fd_cache.get(parts)
        if cached is not None:
            return cached
        parent = self._dir_fd(parts[:-1], entry=entry, create=create)
        if parent is None:
            return None
        name = parts[-1]
        try:
            fd = os.open(name, _DIR_OPEN, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            os.mkdir(name, 0o755, dir_fd=parent)
            self.created.add(parts)
            self.fresh.add(parts)
            fd = os.open(name, _DIR_OPEN, dir_fd=parent)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            st = os.lstat(name, dir_fd=parent)
            if stat.S_ISLNK(st.st_mode):
                raise through_symlink(entry, "/".join(parts)) from exc
            raise PullError(
                f"archive entry {entry!r}: {'/'.join(parts)!r} is not a directory", entry=entry
            ) from exc
        if len(self._fd_cache) >= 64:
            # Keep the way to this directory (its parents are what the next entries use:
            # a tar lists a directory's entries together); close the others.
            pin = self._pinned
            for key in [k for k in self._fd_cache if k != parts[: len(k)] and k != pin[: len(k)]]:
                os.close(self._fd_cache.pop(key))
        self._fd_cache[parts] = fd
        return fd

    def _remove(self, parent: int, name: str) -> bool:
        """Remove ``name`` (a whole tree if a directory) under ``parent``; True if it existed."""
        try:
            st = os.lstat(name, dir_fd=parent)
        except FileNotFoundError:
            return False
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(name, dir_fd=parent)
        else:
            os.unlink(name, dir_fd=parent)
        # Cached descriptors (``parent`` included) may point into what was removed:
        # callers resolve again.
        self._drop_cache()
        return True

    # -- entries ----------------------------------------------------------------------------

    def apply(self, member: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
        self.stats.entries += 1
        entry = member.name
        parts = tuple(safe_components(entry))
        if not parts:
            return  # the root itself: the target keeps its own metadata
        if len(parts) == 1 and parts[0] in self.skip_root_names:
            self.stats.skipped.append((entry, "format metadata"))
            return
        base = parts[-1]
        if base.startswith(_WHITEOUT):
            self._whiteout(parts, entry)
            return
        self._pinned = parts[:-1]
        parent = self._dir_fd(parts[:-1], entry=entry, create=True)
        assert parent is not None
        existing: os.stat_result | None = None
        if parts[:-1] not in self.fresh or parts in self.created:
            with contextlib.suppress(FileNotFoundError):
                existing = os.lstat(base, dir_fd=parent)
        if member.isdir():
            if existing is not None and not stat.S_ISDIR(existing.st_mode):
                self._remove(parent, base)
                parent = self._dir_fd(parts[:-1], entry=entry, create=True)
                assert parent is not None
                existing = None
            if existing is None:
                os.mkdir(base, 0o700, dir_fd=parent)
                self.fresh.add(parts)
            self.created.add(parts)
            self.deferred_dirs[parts] = member
            self.stats.dirs += 1
            return
        if existing is not None:
            self._remove(parent, base)
            self._forget_dirs(parts)
            parent = self._dir_fd(parts[:-1], entry=entry, create=True)
            assert parent is not None
        self.created.add(parts)
        if member.isreg():
            self._regular(parent, base, member, tar)
        elif member.issym():
            os.symlink(member.linkname, base, dir_fd=parent)
            self._chown(parent, base, member)
            self._utime(parent, base, member)
            self.stats.symlinks += 1
        elif member.islnk():
            self._hardlink(parent, base, member)
        elif member.ischr() or member.isblk():
            self._device(parent, base, member)
        elif member.isfifo():
            os.mkfifo(base, 0o600, dir_fd=parent)
            self._chown(parent, base, member)
            os.chmod(base, stat.S_IMODE(member.mode), dir_fd=parent)
            self._utime(parent, base, member)
        else:
            self.stats.skipped.append((entry, f"unsupported entry type {member.type!r}"))

    def _forget_dirs(self, parts: tuple[str, ...]) -> None:
        """``parts`` was replaced by a non-directory: no directory metadata is due at or under
        it (this layer's directory entries there are gone)."""
        n = len(parts)
        for key in [k for k in self.deferred_dirs if k[:n] == parts]:
            del self.deferred_dirs[key]

    def _whiteout(self, parts: tuple[str, ...], entry: str) -> None:
        base = parts[-1]
        parent_parts = parts[:-1]
        try:
            parent = self._dir_fd(parent_parts, entry=entry, create=False)
        except UnsafeContent as exc:
            if exc.rule != "through-symlink":
                raise
            raise through_symlink(entry, str(exc.detail.get("link", "")), what="removes") from exc
        if base == _OPAQUE:
            self.stats.opaque_dirs += 1
            if parent is None:
                return
            for name in os.listdir(parent):
                if (*parent_parts, name) not in self.created:
                    self._remove(parent, name)
                    parent = self._dir_fd(parent_parts, entry=entry, create=False)
                    assert parent is not None
            return
        if base.startswith(_WHITEOUT + _WHITEOUT):
            return  # other AUFS metadata (.wh..wh.plnk …): nothing to apply
        self.stats.whiteouts += 1
        target = base[len(_WHITEOUT) :]
        safe_components(target, entry=entry)
        if not target or target in (".", "..") or parent is None:
            return
        if (*parent_parts, target) in self.created:
            return  # a whiteout hides lower layers only
        self._remove(parent, target)

    def _regular(
        self, parent: int, base: str, member: tarfile.TarInfo, tar: tarfile.TarFile
    ) -> None:
        fd = os.open(
            base,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o600,
            dir_fd=parent,
        )
        try:
            source = tar.extractfile(member)
            if source is not None:
                written = 0
                while chunk := source.read(_COPY_BLOCK):
                    view = memoryview(chunk)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
                    written += len(chunk)
                self.stats.bytes_written += written
            if self.preserve_owner:
                os.fchown(fd, member.uid, member.gid)
            os.fchmod(fd, stat.S_IMODE(member.mode))
            self._xattrs(fd, member)
            os.utime(fd, (member.mtime, member.mtime))
        finally:
            os.close(fd)
        self.stats.files += 1

    def _hardlink(self, parent: int, base: str, member: tarfile.TarInfo) -> None:
        entry = member.name
        target = tuple(hardlink_target(entry, member.linkname))
        try:
            target_parent = self._dir_fd(target[:-1], entry=entry, create=False)
        except UnsafeContent as exc:
            raise through_symlink(entry, str(exc.detail.get("link", "")), what="links") from exc
        if target_parent is None:
            raise PullError(
                f"entry {entry!r}: is a hard link to {member.linkname!r}, which does not exist",
                entry=entry,
            )
        try:
            os.link(
                target[-1], base, src_dir_fd=target_parent, dst_dir_fd=parent, follow_symlinks=False
            )
        except FileNotFoundError as exc:
            raise PullError(
                f"entry {entry!r}: is a hard link to {member.linkname!r}, which does not exist",
                entry=entry,
            ) from exc
        except PermissionError as exc:
            raise unsafe(
                "hardlink",
                f"is a hard link to {member.linkname!r}, which cannot be linked",
                entry=entry,
            ) from exc
        self.stats.hardlinks += 1

    def _device(self, parent: int, base: str, member: tarfile.TarInfo) -> None:
        kind = stat.S_IFCHR if member.ischr() else stat.S_IFBLK
        try:
            os.mknod(
                base,
                kind | 0o600,
                os.makedev(member.devmajor, member.devminor),
                dir_fd=parent,
            )
        except PermissionError:
            self.stats.skipped.append((member.name, "device node not permitted"))
            return
        self._chown(parent, base, member)
        os.chmod(base, stat.S_IMODE(member.mode), dir_fd=parent)
        self._utime(parent, base, member)
        self.stats.devices += 1

    def _chown(self, parent: int, base: str, member: tarfile.TarInfo) -> None:
        if self.preserve_owner:
            os.chown(base, member.uid, member.gid, dir_fd=parent, follow_symlinks=False)

    @staticmethod
    def _utime(parent: int, base: str, member: tarfile.TarInfo) -> None:
        with contextlib.suppress(OSError):
            os.utime(base, (member.mtime, member.mtime), dir_fd=parent, follow_symlinks=False)

    def _xattrs(self, fd: int, member: tarfile.TarInfo) -> None:
        for key, value in member.pax_headers.items():
            if not key.startswith("SCHILY.xattr."):
                continue
            name = key[len("SCHILY.xattr.") :]
            raw = value.encode("utf-8", "surrogateescape")
            try:
                os.setxattr(fd, name, raw)
            except OSError as exc:
                self.stats.skipped.append((member.name, f"xattr {name}: {exc.strerror}"))

    def finish(self) -> None:
        """Apply directory metadata last (deepest first), so writing children cannot
        disturb modes or times and read-only directories can still be filled."""
        for parts in sorted(self.deferred_dirs, key=len, reverse=True):
            member = self.deferred_dirs[parts]
            parent = self._dir_fd(parts[:-1], entry=member.name, create=False)
            if parent is None:
                continue
            try:
                fd = os.open(parts[-1], _DIR_OPEN, dir_fd=parent)
            except FileNotFoundError:
                continue  # removed later in this layer (opaque / replaced)
            try:
                if self.preserve_owner:
                    os.fchown(fd, member.uid, member.gid)
                os.fchmod(fd, stat.S_IMODE(member.mode))
                self._xattrs(fd, member)
                os.utime(fd, (member.mtime, member.mtime))
            finally:
                os.close(fd)


def unpack_layer_sync(
    source: str | os.PathLike[str] | BinaryIO,
    target: str | os.PathLike[str],
    *,
    compression: str | None = None,
    preserve_owner: bool | None = None,
    cancel: threading.Event | None = None,
    skip_root_names: frozenset[str] = frozenset(),
    limits: DecompressionLimits | None = None,
    max_uncompressed: int | None = None,
    max_ratio: float | None = None,
    before: int = 0,
    diff_id: Digest | str | None = None,
    layer: str = "",
) -> UnpackStats:
    """Apply one layer blob (path or binary file object) onto the directory ``target``.

    Blocking; run it in a worker thread. ``preserve_owner`` defaults to "running as root".
    Setting ``cancel`` stops before the next entry (with :class:`PullError` code ``Cancelled``).
    Top-level entries named in ``skip_root_names`` are not written (format metadata such as
    eStargz's ``stargz.index.json`` and landmark files).
    Raises :class:`UnsafeContent` for hostile entries and decompression bombs (``limits``,
    default :class:`~core.formats.DecompressionLimits`; ``max_uncompressed`` and
    ``max_ratio`` override its fields; ``before`` is what earlier layers of the image
    produced), :class:`PullError` for malformed ones, and :class:`DigestMismatch` (code
    ``DiffIDMismatch``) when ``diff_id`` is given and the decompressed stream does not match
    it. ``layer`` names the layer in errors.
    """
    root = Path(target)
    root.mkdir(parents=True, exist_ok=True)
    if preserve_owner is None:
        preserve_owner = os.geteuid() == 0
    stats = UnpackStats()
    limits = limits or DecompressionLimits()
    if max_uncompressed is not None or max_ratio is not None:
        limits = DecompressionLimits(
            limits.max_uncompressed if max_uncompressed is None else max_uncompressed,
            limits.max_ratio if max_ratio is None else max_ratio,
            limits.ratio_grace,
        )
    expected = Digest.parse(diff_id) if diff_id is not None else None
    hasher = expected.new_hasher() if expected is not None else None
    with contextlib.ExitStack() as stack:
        raw: BinaryIO
        if isinstance(source, (str, os.PathLike)):
            raw = stack.enter_context(open(source, "rb"))
        else:
            raw = source
        counted = _CountingReader(raw)
        decompressed = stack.enter_context(open_decompressed(cast(BinaryIO, counted), compression))
        guard = _BombGuard(decompressed, counted, limits, layer=layer, before=before, hasher=hasher)
        reader = cast(IO[bytes], guard)
        extractor = _Extractor(
            root, preserve_owner=preserve_owner, stats=stats, skip_root_names=skip_root_names
        )
        stack.callback(extractor.close)
        current = ""  # the entry being read, for errors
        try:
            tar = stack.enter_context(tarfile.open(fileobj=reader, mode="r|", bufsize=_TAR_BUFFER))
            for member in tar:
                current = member.name
                if cancel is not None and cancel.is_set():
                    raise PullError("unpacking was cancelled", code="Cancelled")
                extractor.apply(member, tar)
            current = ""
            extractor.finish()
            if hasher is not None:
                guard.drain()
        except UnsafeContent as exc:
            raise exc.locate(layer=layer) from None
        except tarfile.TarError as exc:
            if "unexpected end of data" in str(exc):  # the tar stream stops short
                raise PullError(
                    f"layer {layer}: the stream is truncated{_after(current, 'in')}",
                    layer=layer,
                    entry=current,
                    code="Truncated",
                ) from exc
            raise PullError(
                f"layer {layer}: not a valid tar stream{_after(current)}: {exc}",
                layer=layer,
                entry=current,
            ) from exc
        except (zstandard.ZstdError, _IsalError) as exc:
            raise PullError(
                f"layer {layer}: the compressed stream is corrupt{_after(current, 'in')}: {exc}",
                layer=layer,
                entry=current,
            ) from exc
        except (EOFError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise PullError(
                    f"layer {layer}: unpacking{_after(current, 'of')} into {root} failed: {exc}",
                    layer=layer,
                    entry=current,
                ) from exc
            raise PullError(
                f"layer {layer}: the stream is truncated{_after(current, 'in')}: {exc or 'EOF'}",
                layer=layer,
                entry=current,
                code="Truncated",
            ) from exc
        stats.uncompressed_bytes = guard.produced
    if expected is not None and hasher is not None:
        actual = hasher.digest()
        if actual != expected:
            raise DigestMismatch(
                f"layer {layer}: its uncompressed content is {actual}, the config's diff_id "
                f"says {expected}",
                code="DiffIDMismatch",
                expected=str(expected),
                actual=str(actual),
                layer=layer,
            )
    if isinstance(source, (str, os.PathLike)):
        stats.compressed_bytes = os.path.getsize(source)
    return stats


def _after(entry: str, how: str = "after") -> str:
    """`` after entry 'x'`` (or ``how``: in, of), or nothing before the first entry."""
    return f" {how} entry {entry!r}" if entry else ""


async def unpack_layer(
    source: str | os.PathLike[str] | BinaryIO,
    target: str | os.PathLike[str],
    *,
    compression: str | None = None,
    preserve_owner: bool | None = None,
    skip_root_names: frozenset[str] = frozenset(),
    limits: DecompressionLimits | None = None,
    before: int = 0,
    diff_id: Digest | str | None = None,
    layer: str = "",
) -> UnpackStats:
    """:func:`unpack_layer_sync` in a worker thread (decompression and file I/O stay off the
    event loop). On cancellation the worker stops at the next entry and is waited for, so no
    write happens after this coroutine has returned."""
    cancel = threading.Event()
    work = asyncio.ensure_future(
        asyncio.to_thread(
            unpack_layer_sync,
            source,
            target,
            compression=compression,
            preserve_owner=preserve_owner,
            cancel=cancel,
            skip_root_names=skip_root_names,
            limits=limits,
            before=before,
            diff_id=diff_id,
            layer=layer,
        )
    )
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        cancel.set()
        await asyncio.wait([work])
        if not work.cancelled():
            work.exception()  # retrieved: the cancellation is what the caller sees
        raise
