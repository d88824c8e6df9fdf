"""The FUSE helper process behind :class:`core.pull.LazyMount` (Linux).

Run as ``python -I …/core/pull/_fusechild.py FD`` (a script, so that it imports nothing of
``core``): ``FD`` is one end of a socket pair whose other
end belongs to the owner process. The helper imports the FUSE bindings and waits (so a spare
helper can be started ahead of time), receives the immutable tree and the chunk cache
directory, mounts, and serves the kernel from its own asyncio loop:

* metadata (lookup, getattr, readdir, readlink, xattrs) from the tree it was given, with long
  entry/attribute timeouts and negative lookups cached, since the tree never changes;
* reads from the verified chunk cache (each chunk file is hashed once more before its first
  use here); chunks not yet cached are requested from the owner, which fetches and verifies
  them and answers when they are in the cache, or with an error (the read fails with EIO);
* the first open of each file is reported to the owner (the start-up profile), and the
  first read of each file served from the cache (the owner's neighbourhood prefetch learns
  from it what the process reads next).

The helper dies with its owner: ``PR_SET_PDEATHSIG`` sends it SIGTERM, the owner's socket
closing stops it too, and the mount carries ``auto_unmount`` so the kernel mount goes away
even if the helper is killed outright.

Messages both ways are length-prefixed pickles (a private channel between two processes of
the same program).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import pickle
import signal
import socket
import stat
import struct
import sys
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyfuse3
else:
    # Imported by the helper only, when it starts (see _import_fuse): the owner imports this
    # module for its message framing, and must not need the FUSE bindings to do so.
    pyfuse3 = None

__all__ = ["recv_message", "send_message"]

_HEADER = struct.Struct("<Q")
_TIMEOUT = 3600.0
_LRU_BYTES = 64 << 20
_PR_SET_PDEATHSIG = 1

# The tree's tables (see core.pull._mount.serialize_tree).
_ATTR_FIELDS = 7
_CHUNK_RECORD = struct.Struct("<QQQQQB32s")
_U32 = struct.Struct("<I")
_ZEROS, _HAS_DIGEST = 1, 2


async def recv_message(reader: asyncio.StreamReader) -> Any:
    header = await reader.readexactly(_HEADER.size)
    (length,) = _HEADER.unpack(header)
    return pickle.loads(await reader.readexactly(length))


def send_message(writer: asyncio.StreamWriter, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_HEADER.pack(len(data)) + data)


def _int64(data: bytes) -> array.array[int]:
    values = array.array("q")
    values.frombytes(data)
    return values


class _Tree:
    """The immutable tree's tables (see ``core.pull._mount.serialize_tree``), decoded only as
    far as they are used: a directory's name table and a file's chunk list on first use."""

    def __init__(self, table: dict[str, bytes]) -> None:
        self.attrs = _int64(table["attrs"])
        self.count = len(self.attrs) // _ATTR_FIELDS
        self._dir_index = _int64(table["dir_index"])
        self._dir_inos = _int64(table["dir_inos"])
        self._dir_names = table["dir_names"]
        self._link_index = _int64(table["link_index"])
        self._links = table["links"]
        self._xattr_index = _int64(table["xattr_index"])
        self._xattrs = table["xattrs"]
        self._chunk_index = _int64(table["chunk_index"])
        self._records = table["chunks"]
        self._children: dict[int, dict[bytes, int]] = {}
        self._chunks: dict[int, list[tuple[int, int, str | None, bool]]] = {}

    def exists(self, ino: int) -> bool:
        return 0 < ino < self.count and self.attrs[_ATTR_FIELDS * ino] != 0

    def mode(self, ino: int) -> int:
        return self.attrs[_ATTR_FIELDS * ino]

    def size(self, ino: int) -> int:
        return self.attrs[_ATTR_FIELDS * ino + 3]

    def is_dir(self, ino: int) -> bool:
        return self._dir_index[3 * ino + 1] >= 0

    def children(self, ino: int) -> dict[bytes, int] | None:
        kids = self._children.get(ino)
        if kids is None:
            first, count, start = self._dir_index[3 * ino : 3 * ino + 3]
            if count < 0:
                return None
            names = self._dir_names
            kids = {}
            for k in range(first, first + count):
                end = names.index(0, start)
                kids[names[start:end]] = self._dir_inos[k]
                start = end + 1
            self._children[ino] = kids
        return kids

    def link(self, ino: int) -> bytes:
        offset, length = self._link_index[2 * ino], self._link_index[2 * ino + 1]
        return b"" if length < 0 else self._links[offset : offset + length]

    def xattrs(self, ino: int) -> dict[bytes, bytes]:
        offset, count = self._xattr_index[2 * ino], self._xattr_index[2 * ino + 1]
        out: dict[bytes, bytes] = {}
        data = self._xattrs
        for _ in range(count):
            (n,) = _U32.unpack_from(data, offset)
            name = data[offset + 4 : offset + 4 + n]
            offset += 4 + n
            (v,) = _U32.unpack_from(data, offset)
            out[name] = data[offset + 4 : offset + 4 + v]
            offset += 4 + v
        return out

    def chunks(self, ino: int) -> list[tuple[int, int, str | None, bool]]:
        """``(file offset, size, digest, zeros)`` of each chunk, in file order."""
        found = self._chunks.get(ino)
        if found is None:
            first = self._chunk_index[2 * ino]
            count = self._chunk_index[2 * ino + 1]
            found = []
            unpack = _CHUNK_RECORD.unpack_from
            for k in range(first, first + count):
                offset, size, _, _, _, flags, raw = unpack(self._records, k * _CHUNK_RECORD.size)
                digest = "sha256:" + raw.hex() if flags & _HAS_DIGEST else None
                found.append((offset, size, digest, bool(flags & _ZEROS)))
            self._chunks[ino] = found
        return found

    def total_size(self) -> int:
        return sum(self.attrs[_ATTR_FIELDS * i + 3] for i in range(1, self.count))


class _Ops:
    """The file system's operations; served as a subclass of ``pyfuse3.Operations``
    (:func:`_operations_type`), made once the bindings are imported."""

    def __init__(
        self,
        tree: _Tree,
        cache_dir: str,
        writer: asyncio.StreamWriter,
        *,
        record: bool,
    ) -> None:
        super().__init__()
        self.tree = tree
        self.cache_dir = cache_dir
        self.writer = writer
        self.record = record
        self.pending: dict[int, asyncio.Future[str | None]] = {}
        self.next_id = 0
        self.opened: set[int] = set()
        #: Files read at least once (the owner hears of each first read, see _read).
        self.read_once: set[int] = set()
        self.verified: set[str] = set()
        self.lru: OrderedDict[str, bytes] = OrderedDict()
        self.lru_size = 0
        self.sorted_children: dict[int, list[tuple[bytes, int]]] = {}

    # -- attributes -----------------------------------------------------------------------

    def _attrs(self, ino: int) -> pyfuse3.EntryAttributes:
        attrs = self.tree.attrs
        base = _ATTR_FIELDS * ino
        mode, uid, gid, size, mtime, rdev, nlink = attrs[base : base + _ATTR_FIELDS]
        a = pyfuse3.EntryAttributes()
        a.st_ino = ino
        a.generation = 0
        a.st_mode = mode
        a.st_nlink = nlink
        a.st_uid = uid
        a.st_gid = gid
        a.st_rdev = rdev
        a.st_size = size
        a.st_blksize = 4096
        a.st_blocks = (size + 511) // 512
        a.st_atime_ns = a.st_mtime_ns = a.st_ctime_ns = mtime
        a.entry_timeout = _TIMEOUT
        a.attr_timeout = _TIMEOUT
        return a

    def _check(self, ino: int) -> None:
        if not self.tree.exists(ino):
            raise pyfuse3.FUSEError(errno.ENOENT)

    async def lookup(
        self, parent_inode: int, name: bytes, ctx: pyfuse3.RequestContext | None = None
    ) -> pyfuse3.EntryAttributes:
        self._check(parent_inode)
        children = self.tree.children(parent_inode)
        if children is None:
            raise pyfuse3.FUSEError(errno.ENOTDIR)
        if name == b".":
            return self._attrs(parent_inode)
        ino = children.get(name)
        if ino is None:
            negative = pyfuse3.EntryAttributes()
            negative.st_ino = 0  # cached "does not exist": the tree never changes
            negative.entry_timeout = _TIMEOUT
            return negative
        return self._attrs(ino)

    async def getattr(
        self, inode: int, ctx: pyfuse3.RequestContext | None = None
    ) -> pyfuse3.EntryAttributes:
        self._check(inode)
        return self._attrs(inode)

    async def readlink(self, inode: int, ctx: pyfuse3.RequestContext) -> bytes:
        self._check(inode)
        if not stat.S_ISLNK(self.tree.mode(inode)):
            raise pyfuse3.FUSEError(errno.EINVAL)
        return self.tree.link(inode)

    async def opendir(self, inode: int, ctx: pyfuse3.RequestContext) -> int:
        self._check(inode)
        if not self.tree.is_dir(inode):
            raise pyfuse3.FUSEError(errno.ENOTDIR)
        return inode

    async def readdir(self, fh: int, start_id: int, token: pyfuse3.ReaddirToken) -> None:
        entries = self.sorted_children.get(fh)
        if entries is None:
            entries = sorted((self.tree.children(fh) or {}).items())
            self.sorted_children[fh] = entries
        for i in range(start_id, len(entries)):
            name, ino = entries[i]
            if not pyfuse3.readdir_reply(token, name, self._attrs(ino), i + 1):
                break

    async def releasedir(self, fh: int) -> None:
        return None

    async def getxattr(self, inode: int, name: bytes, ctx: pyfuse3.RequestContext) -> bytes:
        self._check(inode)
        value = self.tree.xattrs(inode).get(name)
        if value is None:
            raise pyfuse3.FUSEError(pyfuse3.ENOATTR)
        return bytes(value)

    async def listxattr(self, inode: int, ctx: pyfuse3.RequestContext) -> list[bytes]:
        self._check(inode)
        return list(self.tree.xattrs(inode))

    async def statfs(self, ctx: pyfuse3.RequestContext) -> pyfuse3.StatvfsData:
        s = pyfuse3.StatvfsData()
        s.f_bsize = s.f_frsize = 4096
        s.f_blocks = self.tree.total_size() // 4096 + 1
        s.f_bfree = s.f_bavail = 0
        s.f_files = self.tree.count
        s.f_ffree = s.f_favail = 0
        s.f_namemax = 255
        return s

    # -- file content ---------------------------------------------------------------------

    async def open(self, inode: int, flags: int, ctx: pyfuse3.RequestContext) -> pyfuse3.FileInfo:
        self._check(inode)
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC | os.O_APPEND):
            raise pyfuse3.FUSEError(errno.EROFS)
        if not stat.S_ISREG(self.tree.mode(inode)):
            raise pyfuse3.FUSEError(errno.EINVAL)
        if self.record and inode not in self.opened:
            self.opened.add(inode)
            send_message(self.writer, ("open", inode, time.monotonic()))
        # The file handle is the inode; cached pages stay valid (the tree never changes).
        return pyfuse3.FileInfo(fh=inode, keep_cache=True)

    async def read(self, fh: int, off: int, size: int) -> bytes | memoryview:
        return await self._read(fh, off, size)

    async def _read(self, ino: int, off: int, size: int) -> bytes | memoryview:
        end = min(self.tree.size(ino), off + size)
        if off >= end:
            return b""
        wanted = [
            (i, c) for i, c in enumerate(self.tree.chunks(ino)) if c[0] < end and c[0] + c[1] > off
        ]
        missing = [i for i, c in wanted if not c[3] and not self._present(c[2])]
        first = ino not in self.read_once
        if first:
            self.read_once.add(ino)
        if missing:
            error = await self._request(ino, missing)
            if error is not None:
                raise pyfuse3.FUSEError(errno.EIO)
        elif first:
            # Served from the cache: the owner learns from it all the same (what is read
            # next), without an answer to wait for.
            send_message(self.writer, ("read", ino))
        # Slices of the cached chunks are views (the kernel copies them), not copies.
        parts: list[bytes | memoryview] = []
        for _, (c_off, c_size, digest, zeros) in wanted:
            data = bytes(c_size) if zeros else self._chunk(digest)
            if data is None:
                raise pyfuse3.FUSEError(errno.EIO)
            lo = max(off, c_off) - c_off
            hi = min(end, c_off + c_size) - c_off
            parts.append(data if lo == 0 and hi == c_size else memoryview(data)[lo:hi])
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def release(self, fh: int) -> None:
        return None

    def _path(self, digest: str) -> str:
        hexd = digest.split(":", 1)[1]
        return os.path.join(self.cache_dir, hexd[:2], hexd)

    def _present(self, digest: str | None) -> bool:
        if digest is None:
            return False
        return digest in self.lru or os.path.exists(self._path(digest))

    def _chunk(self, digest: str | None) -> bytes | None:
        if digest is None:
            return None
        data = self.lru.get(digest)
        if data is not None:
            self.lru.move_to_end(digest)
            return data
        try:
            with open(self._path(digest), "rb") as f:
                data = f.read()
        except OSError:
            return None
        if digest not in self.verified:
            if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
                return None
            self.verified.add(digest)
        self.lru[digest] = data
        self.lru_size += len(data)
        while self.lru_size > _LRU_BYTES and self.lru:
            _, old = self.lru.popitem(last=False)
            self.lru_size -= len(old)
        return data

    async def _request(self, ino: int, chunks: list[int]) -> str | None:
        self.next_id += 1
        rid = self.next_id
        fut: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        send_message(self.writer, ("need", rid, ino, chunks))
        try:
            return await fut
        finally:
            self.pending.pop(rid, None)


_COUNTED = (
    "lookup",
    "getattr",
    "readlink",
    "opendir",
    "readdir",
    "releasedir",
    "open",
    "read",
    "release",
    "getxattr",
    "listxattr",
    "statfs",
)


def _count_requests(ops: Any) -> dict[str, list[float]]:
    """Wrap ``ops``' operations so that each counts its requests and the seconds spent in
    it (a benchmark's view of what the kernel asks; not done unless the owner asks)."""
    stats: dict[str, list[float]] = {}
    for name in _COUNTED:
        inner = getattr(ops, name)
        entry = stats.setdefault(name, [0, 0.0])

        async def counted(*args: Any, _inner: Any = inner, _entry: list[float] = entry) -> Any:
            t0 = time.perf_counter()
            try:
                return await _inner(*args)
            finally:
                _entry[0] += 1
                _entry[1] += time.perf_counter() - t0

        setattr(ops, name, counted)
    negative = stats.setdefault("negative_lookup", [0, 0.0])
    lookup = ops.lookup

    async def counted_lookup(*args: Any) -> Any:
        found = await lookup(*args)
        if found.st_ino == 0:
            negative[0] += 1
        return found

    ops.lookup = counted_lookup
    return stats


def _import_fuse() -> str | None:
    """Import the FUSE bindings (pyfuse3) into this module; the reason when they cannot be."""
    global pyfuse3
    try:
        import pyfuse3
        import pyfuse3.asyncio
    except ImportError as exc:
        return f"pyfuse3 (the FUSE bindings lazy mounts need) cannot be imported: {exc}"
    return None


async def _wait_readable(fd: int) -> None:
    """Wait until the FUSE device ``fd`` is readable (pyfuse3's asyncio layer, made safe).

    pyfuse3's own version registers ``future.set_result`` as the fd's reader and removes the
    reader from a done callback, one loop iteration later. When the future ends first —
    :func:`_notify_closing` from ``pyfuse3.terminate`` (the owner's "stop", SIGTERM) or a
    cancellation — in the iteration in which the kernel also made the fd readable, the reader
    still runs and sets the result of a finished future: the loop prints "Exception in
    callback Future.set_result(None) … InvalidStateError" as the helper stops. Here the
    reader sets a result only on a pending future and is removed as soon as the wait ends.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not future.done():
            future.set_result(None)

    waiting = _read_futures.setdefault(fd, set())
    waiting.add(future)
    loop.add_reader(fd, readable)
    try:
        await future
    finally:
        loop.remove_reader(fd)
        waiting.discard(future)
        if not waiting:
            _read_futures.pop(fd, None)


def _notify_closing(fd: int) -> None:
    """End the waits on ``fd`` with pyfuse3's ClosedResourceError (the main loop stops)."""
    for future in list(_read_futures.get(fd, ())):
        if not future.done():
            future.set_exception(pyfuse3.asyncio.ClosedResourceError())


_read_futures: dict[int, set[asyncio.Future[None]]] = {}


def _enable_asyncio() -> None:
    """Run pyfuse3 on asyncio, with its fd wait replaced by :func:`_wait_readable`
    (``pyfuse3.asyncio`` is the module pyfuse3 calls as its ``trio.lowlevel``)."""
    pyfuse3.asyncio.enable()
    pyfuse3.asyncio.wait_readable = _wait_readable
    pyfuse3.asyncio.notify_closing = _notify_closing


def _operations_type() -> type[Any]:
    return type("_FuseOps", (_Ops, pyfuse3.Operations), {})


def _set_pdeathsig() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


async def _serve(fd: int) -> int:
    sock = socket.socket(fileno=fd)
    reader, writer = await asyncio.open_unix_connection(sock=sock, limit=1 << 24)
    send_message(writer, ("warm", os.getpid()))
    await writer.drain()
    try:
        setup = await recv_message(reader)
    except (asyncio.IncompleteReadError, ConnectionError):
        return 0  # the owner went away before using this spare helper
    ops = _operations_type()(
        _Tree(setup["tree"]), setup["chunk_dir"], writer, record=bool(setup.get("record", True))
    )
    stats = _count_requests(ops) if setup.get("count_requests") else None
    options = set(pyfuse3.default_options)
    options.discard("default_permissions")
    options |= {
        f"fsname=fcdesk-lazy:{os.getpid()}",
        "subtype=fcdesk",
        "ro",
        "default_permissions",
        "auto_unmount",
    }
    if setup.get("allow_other"):
        # other users may read it too (the owner alone otherwise, as FUSE defaults to)
        options.add("allow_other")
    try:
        pyfuse3.init(ops, setup["mountpoint"], options)
    except (RuntimeError, OSError) as exc:
        send_message(writer, ("error", f"mount failed: {exc}"))
        await writer.drain()
        return 1
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, pyfuse3.terminate)
    send_message(writer, ("mounted", time.monotonic(), "pyfuse3"))
    await writer.drain()

    async def replies() -> None:
        try:
            while True:
                message = await recv_message(reader)
                if message[0] == "stop":
                    if stats is not None:
                        times = os.times()
                        counts = {k: (int(n), t) for k, (n, t) in stats.items() if n}
                        send_message(writer, ("stats", counts, times.user + times.system))
                        await writer.drain()
                    break
                if message[0] == "done":
                    fut = ops.pending.get(message[1])
                    if fut is not None and not fut.done():
                        fut.set_result(message[2])
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        pyfuse3.terminate()

    rpc = asyncio.ensure_future(replies())
    try:
        await pyfuse3.main(min_tasks=4, max_tasks=64)
    finally:
        rpc.cancel()
        pyfuse3.close(unmount=True)
    return 0


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _set_pdeathsig()
    if os.getppid() == 1:
        return 1  # the owner is already gone
    reason = _import_fuse()
    if reason is not None:
        # Tell the owner why instead of its greeting (it raises MountError with this).
        with socket.socket(fileno=int(sys.argv[1])) as sock:
            data = pickle.dumps(("error", reason), protocol=pickle.HIGHEST_PROTOCOL)
            with contextlib.suppress(OSError):
                sock.sendall(_HEADER.pack(len(data)) + data)
        return 2
    _enable_asyncio()
    return asyncio.run(_serve(int(sys.argv[1])))


if __name__ == "__main__":
    sys.exit(main())
