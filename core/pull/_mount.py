"""FUSE mounts of lazy images (Linux): :class:`LazyMount`, start-up profile recording, and
clean-up of mounts left behind by helpers that died.

```python
async with LazyMount(image, mountpoint, record=True) as mount:
    ...                                   # run something over ``mountpoint``
    profile = mount.profile()             # files in the order they were first opened
```

The FUSE file system runs in a helper process (:mod:`core.pull._fusechild`) with its own
event loop: the FUSE bindings allow one mount per process, and a process of its own keeps a
busy event loop here from stalling the kernel. The helper serves metadata and cached chunks
by itself and asks this process (the owner of the :class:`~core.pull.LazyImage`, its
registry connection and its metrics) for chunks it does not have. A spare helper can be
started ahead of time (:func:`prewarm_mount_helper`), as a snapshotter daemon would already be
running, so a cold start does not pay for interpreter start-up and imports.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import CoreError, MountError
from core.formats import EntryType
from core.pull._fusechild import recv_message, send_message
from core.pull._lazy import LazyImage
from core.pull._tree import LazyTree, Node

__all__ = [
    "LazyMount",
    "close_mount_helpers",
    "fuse_available",
    "prewarm_mount_helper",
    "serialize_tree",
    "unmount_stale",
]

_FSNAME = "fcdesk-lazy"
#: How far the kernel reads ahead through a mount (KiB; FUSE requests are at most 1 MiB).
READAHEAD_KB = 1024
_HELPER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fusechild.py")


def fuse_available() -> str | None:
    """``None`` when lazy mounts work here, otherwise the reason they do not."""
    if not sys.platform.startswith("linux"):
        return "FUSE mounts need Linux"
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing"
    if shutil.which("fusermount3") is None:
        return "fusermount3 (fuse3) is not installed"
    # Only looked up here: the bindings are imported by the mount helper process, when a
    # mount is made (which reports it if they turn out to be broken).
    if importlib.util.find_spec("pyfuse3") is None:
        return "pyfuse3 (the FUSE bindings for Python) is not installed"
    return None


#: One chunk record for the helper: file offset, size, blob offset, blob end, inner offset,
#: flags (1 = zeros, 2 = has a digest), sha256 (raw).
CHUNK_RECORD = struct.Struct("<QQQQQB32s")
#: Attributes per inode: mode, uid, gid, size, mtime_ns, rdev, nlink (mode 0 = no such inode).
ATTR_FIELDS = 7
_XATTR_LEN = struct.Struct("<I")
#: File type bits by entry type (symlinks are handled apart: they always show 0777).
_ST_TYPE = {
    EntryType.REG: stat.S_IFREG,
    EntryType.DIR: stat.S_IFDIR,
    EntryType.CHAR: stat.S_IFCHR,
    EntryType.BLOCK: stat.S_IFBLK,
    EntryType.FIFO: stat.S_IFIFO,
}


def serialize_tree(tree: LazyTree) -> dict[str, bytes]:
    """The tree as flat tables for the helper (see ``core.pull._fusechild``), all indexed by
    inode number, so handing over a tree of tens of thousands of files costs milliseconds
    and the helper decodes only what the kernel asks for:

    * ``attrs``: int64 x 7 per inode (mode, uid, gid, size, mtime_ns, rdev, nlink; mode 0 =
      no such inode);
    * ``dir_index``: int64 x 3 per inode (first entry in ``dir_inos``, entry count, offset of
      its first name in ``dir_names``; count -1 = not a directory); a directory's names follow
      each other in ``dir_names``, each NUL-terminated, in the order of its ``dir_inos``;
    * ``link_index``: int64 x 2 per inode (offset, length in ``links``; -1 = no target);
    * ``xattr_index``: int64 x 2 per inode (offset in ``xattrs``, count); each xattr is
      ``<u32 name length><name><u32 value length><value>``;
    * ``chunk_index``: int64 x 2 per inode (first record, count) into ``chunks``, records of
      :data:`CHUNK_RECORD`.
    """
    nodes = list(tree.nodes())
    top = max((n.ino for n in nodes), default=1)
    slots = top + 1
    attrs = [0] * (ATTR_FIELDS * slots)
    dir_index = [-1] * (3 * slots)
    link_index = [-1] * (2 * slots)
    xattr_index = [0] * (2 * slots)
    chunk_index = [0] * (2 * slots)
    dir_names = bytearray()
    dir_inos: list[int] = []
    links = bytearray()
    xattrs = bytearray()
    records = bytearray()
    pack = CHUNK_RECORD.pack
    pack_len = _XATTR_LEN.pack
    fromhex = bytes.fromhex
    no_digest = bytes(32)
    makedev = os.makedev
    no_device = (0, 0)
    type_bits = _ST_TYPE
    symlink = EntryType.SYMLINK
    count = 0
    for node in nodes:
        ino = node.ino
        base = ATTR_FIELDS * ino
        rdev = node.rdev
        kind = node.kind
        # Node.st_mode, inline (a symlink shows 0777, as on every Linux file system).
        mode = (stat.S_IFLNK | 0o777) if kind is symlink else type_bits[kind] | (node.mode & 0o7777)
        attrs[base : base + ATTR_FIELDS] = (
            mode,
            node.uid,
            node.gid,
            node.size,
            node.mtime_ns,
            0 if rdev == no_device else makedev(*rdev),
            node.nlink,
        )
        kids = node.children
        if kids is not None:
            dir_index[3 * ino : 3 * ino + 3] = (len(dir_inos), len(kids), len(dir_names))
            if kids:
                dir_names += b"\0".join([k.encode("utf-8", "surrogateescape") for k in kids])
                dir_names.append(0)
                dir_inos.extend([c.ino for c in kids.values()])
        elif node.link:
            target = node.link.encode("utf-8", "surrogateescape")
            link_index[2 * ino : 2 * ino + 2] = (len(links), len(target))
            links += target
        if node.xattrs:
            xattr_index[2 * ino : 2 * ino + 2] = (len(xattrs), len(node.xattrs))
            for key, value in node.xattrs.items():
                raw = key.encode("utf-8", "surrogateescape")
                xattrs += pack_len(len(raw)) + raw + pack_len(len(value)) + value
        chunks = node.chunks
        if chunks:
            chunk_index[2 * ino : 2 * ino + 2] = (count, len(chunks))
            for c in chunks:
                digest = c.digest
                records += pack(
                    c.offset,
                    c.size,
                    c.compressed_offset,
                    c.compressed_end,
                    c.inner_offset,
                    (1 if c.zeros else 0) | (2 if digest else 0),
                    fromhex(digest[7:]) if digest else no_digest,
                )
            count += len(chunks)

    def int64(values: list[int]) -> bytes:
        return array.array("q", values).tobytes()

    return {
        "attrs": int64(attrs),
        "dir_index": int64(dir_index),
        "dir_inos": int64(dir_inos),
        "dir_names": bytes(dir_names),
        "link_index": int64(link_index),
        "links": bytes(links),
        "xattr_index": int64(xattr_index),
        "xattrs": bytes(xattrs),
        "chunk_index": int64(chunk_index),
        "chunks": bytes(records),
    }


class _Helper:
    """A started helper process waiting for its tree (``sock`` is the owner's end of the
    socket pair, also held by ``writer``'s transport)."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        sock: socket.socket,
    ) -> None:
        self.proc = proc
        self.reader = reader
        self.writer = writer
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        #: While the helper is a spare: the task that cleans it up if it dies or its event
        #: loop ends (``asyncio.run`` cancels every task left before closing the loop).
        self.guard: asyncio.Task[None] | None = None

    @classmethod
    async def spawn(cls) -> _Helper:
        reason = fuse_available()
        if reason is not None:
            raise MountError(reason, code="FuseUnavailable")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            # Run as a script, not ``-m``: importing the package would load all of core.
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-I",
                _HELPER_SCRIPT,
                str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
                cwd="/",
                # Its own session: a Ctrl-C meant for the owner must not kill the mount
                # under the owner's feet; the owner stops it (or it dies with the owner).
                start_new_session=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        try:
            reader, writer = await asyncio.open_unix_connection(sock=ours, limit=1 << 24)
        except BaseException:
            ours.close()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(BaseException):
                await proc.wait()
            raise
        helper = cls(proc, reader, writer, ours)
        try:
            hello = await asyncio.wait_for(recv_message(reader), 60)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            await helper.kill()
            raise MountError(f"the FUSE helper did not start: {exc!r}") from exc
        except BaseException:  # cancelled (e.g. a spare being started when the owner stops)
            await helper.kill()
            raise
        if hello[0] == "error":
            await helper.kill()
            raise MountError(str(hello[1]), code="FuseUnavailable")
        if hello[0] != "warm":
            await helper.kill()
            raise MountError(f"unexpected FUSE helper greeting {hello!r}")
        return helper

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None

    def abort(self) -> None:
        """Kill the process and close the socket now, without waiting (the process is then
        reaped by the event loop's child watcher). Call from the helper's own loop."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self.writer.close()

    async def kill(self) -> None:
        """Kill the process, close the socket and wait for both (safe to cancel: the kill
        and the close happen before the first wait). Call from the helper's own loop."""
        self.abort()
        try:
            await self.proc.wait()
        finally:
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


#: The spare helper of each event loop (at most one per loop): a loop only ever uses, replaces
#: or stops its own, since a helper's process and socket belong to the loop that started it.
_spares: dict[asyncio.AbstractEventLoop, _Helper] = {}
_spares_lock = threading.Lock()
_background: set[asyncio.Task[None]] = set()


def _pop_spare(loop: asyncio.AbstractEventLoop, helper: _Helper | None = None) -> _Helper | None:
    """Remove and return ``loop``'s spare (only if it is ``helper``, when given)."""
    with _spares_lock:
        current = _spares.get(loop)
        if current is None or (helper is not None and current is not helper):
            return None
        del _spares[loop]
        return current


def _reap_orphans() -> None:
    """Helpers whose event loop was closed without stopping them (``asyncio.run`` never
    leaves one: their guard task stops them): kill the process, close the socket."""
    with _spares_lock:
        orphans = [(loop, h) for loop, h in _spares.items() if loop.is_closed()]
        for loop, _ in orphans:
            del _spares[loop]
    for _, helper in orphans:
        if helper.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(helper.proc.pid, signal.SIGKILL)
        helper.sock.close()


async def _guard_spare(helper: _Helper) -> None:
    try:
        await helper.proc.wait()
    finally:
        # It died by itself, or its loop is ending: stop it unless a mount took it meanwhile.
        if _pop_spare(helper.loop, helper) is not None:
            await helper.kill()


async def prewarm_mount_helper() -> None:
    """Start a spare FUSE helper now so the next :class:`LazyMount` mounts without waiting
    for an interpreter to start (keeps at most one spare per event loop; another loop's
    spare is left alone). Call :func:`close_mount_helpers` before the event loop ends
    (``asyncio.run`` stops a spare left behind)."""
    loop = asyncio.get_running_loop()
    _reap_orphans()
    with _spares_lock:
        current = _spares.get(loop)
    if current is not None and current.alive:
        return
    helper = await _Helper.spawn()
    # Another prewarm on this loop may have installed a spare while this one started.
    with _spares_lock:
        current = _spares.get(loop)
        if current is None or not current.alive:
            _spares[loop] = helper
            installed = True
        else:
            installed = False
    if not installed:
        await helper.kill()
        return
    helper.guard = loop.create_task(_guard_spare(helper), name="fuse-spare-guard")
    if current is not None:  # the previous spare had died
        await _discard(current)


async def _discard(helper: _Helper) -> None:
    if helper.guard is not None:
        helper.guard.cancel()
    await helper.kill()


async def close_mount_helpers() -> None:
    """Stop this event loop's spare helper, if any (it holds no mount), and any spare still
    being started for it in the background."""
    loop = asyncio.get_running_loop()
    pending = [t for t in list(_background) if t.get_loop() is loop]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    helper = _pop_spare(loop)
    if helper is not None:
        await _discard(helper)
    _reap_orphans()


async def _take_helper() -> _Helper:
    helper = _pop_spare(asyncio.get_running_loop())
    if helper is not None:
        if helper.guard is not None:
            helper.guard.cancel()
        if helper.alive:
            return helper
        await helper.kill()
    return await _Helper.spawn()


class LazyMount:
    """A read-only FUSE mount of a :class:`LazyImage` at ``mountpoint``.

    ``record``: remember the order in which files are first opened (the start-up profile;
    reads of a file always begin with an open). ``keep_warm``: start a spare helper for the
    next mount as soon as this one has taken its helper. ``allow_other``: let other users
    read the mount too (without it only the user who mounted it can, which covers this
    process, and a sandbox it starts, whatever uid the sandbox maps itself to). Metrics of
    reads through the mount land in ``image.metrics`` (``mounted_at`` is set when the mount
    is up).
    """

    def __init__(
        self,
        image: LazyImage,
        mountpoint: str | os.PathLike[str],
        *,
        record: bool = True,
        keep_warm: bool = False,
        allow_other: bool = False,
        count_requests: bool = False,
    ) -> None:
        self.image = image
        self.count_requests = count_requests
        #: With ``count_requests``, once stopped: per operation, the requests the helper
        #: served and the seconds its handlers took (``negative_lookup``: lookups of names
        #: that do not exist), and ``cpu_s``, the helper's CPU time.
        self.request_stats: dict[str, Any] | None = None
        self.allow_other = allow_other
        self.mountpoint = Path(mountpoint)
        self.record = record
        self.keep_warm = keep_warm
        self.opened: list[tuple[float, str]] = []
        self.mounted_at: float | None = None
        self.mount_seconds: float | None = None
        self.read_errors: list[str] = []
        #: Which FUSE server the helper runs (as it reports itself: ``pyfuse3``).
        self.engine: str | None = None
        self._helper: _Helper | None = None
        self._rpc: asyncio.Task[None] | None = None
        self._requests: set[asyncio.Task[None]] = set()
        self._opened_inodes: set[int] = set()

    async def start(self) -> float:
        """Mount; returns the seconds it took (tree transfer and the mount itself)."""
        started = time.monotonic()
        await asyncio.to_thread(_prepare_mountpoint, self.mountpoint)
        helper = await _take_helper()
        self._helper = helper
        if self.keep_warm:
            task = asyncio.ensure_future(_keep_spare())
            _background.add(task)
            task.add_done_callback(_background.discard)
        t0 = time.monotonic()
        try:
            tree = await asyncio.to_thread(serialize_tree, self.image.tree)
            send_message(
                helper.writer,
                {
                    "mountpoint": str(self.mountpoint),
                    "chunk_dir": str(self.image.cache.root / "chunks" / "sha256"),
                    # Opens are reported only while a profile is recorded; otherwise the
                    # kernel is told that opening needs no round trip to the helper.
                    "record": self.record,
                    "allow_other": self.allow_other,
                    "count_requests": self.count_requests,
                    "tree": tree,
                },
            )
            await helper.writer.drain()
            answer = await asyncio.wait_for(recv_message(helper.reader), 60)
            if answer[0] != "mounted":
                raise MountError(f"mounting {self.mountpoint} failed: {answer[1]}")
        except BaseException as exc:
            # Failed or cancelled half-way: nothing of this mount may outlive the call (the
            # mount carries auto_unmount; a lazy unmount covers a helper slow to go).
            self._helper = None
            await helper.kill()
            if await asyncio.to_thread(_is_mounted, self.mountpoint):
                await asyncio.to_thread(_lazy_unmount, self.mountpoint)
            if isinstance(exc, TimeoutError | asyncio.IncompleteReadError | ConnectionError):
                raise MountError(f"mounting {self.mountpoint} failed: {exc!r}") from exc
            raise
        self.engine = str(answer[2]) if len(answer) > 2 else "pyfuse3"
        await asyncio.to_thread(_raise_readahead, self.mountpoint)
        self.mounted_at = time.monotonic()
        self.image.metrics.mounted_at = self.mounted_at
        self.mount_seconds = self.mounted_at - t0
        self._rpc = asyncio.ensure_future(self._serve(helper))
        return self.mounted_at - started

    async def _serve(self, helper: _Helper) -> None:
        try:
            while True:
                message = await recv_message(helper.reader)
                kind = message[0]
                if kind == "open":
                    _, ino, stamp = message
                    if self.record and ino not in self._opened_inodes:
                        self._opened_inodes.add(ino)
                        self.opened.append((stamp, self.image.tree.by_ino(ino).path))
                elif kind == "read":
                    self._note_read(message[1])
                elif kind == "stats":
                    _, counts, cpu = message
                    self.request_stats = {"requests": counts, "cpu_s": cpu}
                elif kind == "need":
                    _, rid, ino, chunks = message
                    task = asyncio.ensure_future(self._need(helper, rid, ino, chunks))
                    self._requests.add(task)
                    task.add_done_callback(self._requests.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def _note_read(self, ino: int) -> None:
        neighbourhoods = self.image.neighbourhoods
        if neighbourhoods is not None:
            with contextlib.suppress(KeyError):
                neighbourhoods.read(self.image.tree.by_ino(ino), missed=False)

    async def _need(self, helper: _Helper, rid: int, ino: int, indexes: Sequence[int]) -> None:
        error: str | None = None
        try:
            node: Node = self.image.tree.by_ino(ino)
            await self.image.ensure(node, [node.chunks[i] for i in indexes])
        except CoreError as exc:
            error = f"{exc.code}: {exc}"
            self.read_errors.append(error)
        except (KeyError, IndexError) as exc:
            error = f"bad request: {exc!r}"
        with contextlib.suppress(ConnectionError, RuntimeError):
            send_message(helper.writer, ("done", rid, error))

    def profile(self) -> list[str]:
        """Paths in the order they were first opened through this mount."""
        return [path for _, path in sorted(self.opened)]

    async def stop(self) -> None:
        """Unmount and stop the helper (lazy unmount if it does not go quietly)."""
        helper, self._helper = self._helper, None
        if helper is None:
            return
        for task in list(self._requests):
            task.cancel()
        with contextlib.suppress(ConnectionError, RuntimeError):
            send_message(helper.writer, ("stop",))
            await helper.writer.drain()
        try:
            await asyncio.wait_for(helper.proc.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                helper.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(helper.proc.wait(), 5)
            except TimeoutError:
                await helper.kill()
        if self._rpc is not None:
            if self.count_requests:  # the helper's last words (its counts) are on the way
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._rpc), 5)
            self._rpc.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rpc
        helper.writer.close()
        with contextlib.suppress(OSError):
            await helper.writer.wait_closed()
        if await asyncio.to_thread(_is_mounted, self.mountpoint):
            await asyncio.to_thread(_lazy_unmount, self.mountpoint)

    async def __aenter__(self) -> LazyMount:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def _keep_spare() -> None:
    with contextlib.suppress(MountError):
        await prewarm_mount_helper()


def _raise_readahead(mountpoint: Path) -> None:
    """Let the kernel read ahead ``READAHEAD_KB`` through the mount instead of its 128 KiB:
    a program mapping a large library then costs a request per MiB it touches, not one per
    128 KiB (a chunk is fetched whole anyway: 4 MiB by default). Needs root (the setting
    is the mount's backing device's, in sysfs); left as it is otherwise."""
    try:
        dev = os.stat(mountpoint).st_dev
        with open(f"/sys/class/bdi/{os.major(dev)}:{os.minor(dev)}/read_ahead_kb", "w") as f:
            f.write(str(READAHEAD_KB))
    except OSError:
        pass


def _prepare_mountpoint(path: Path) -> None:
    if _is_mounted(path):
        raise MountError(f"{path} is already a mount point", code="MountpointBusy")
    path.mkdir(parents=True, exist_ok=True)
    if any(path.iterdir()):
        raise MountError(f"mount point {path} is not empty", code="MountpointBusy")


def _mounts() -> list[tuple[str, str, str]]:
    """``(mount point, fs type, source)`` from ``/proc/self/mountinfo``."""
    out = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                fields = left.split()
                rest = right.split()
                if len(fields) >= 5 and len(rest) >= 2:
                    point = fields[4].encode().decode("unicode_escape")
                    out.append((point, rest[0], rest[1]))
    except OSError:
        pass
    return out


def _is_mounted(path: Path) -> bool:
    target = os.path.realpath(path)
    return any(point == target for point, _, _ in _mounts())


def _lazy_unmount(path: Path) -> bool:
    result = subprocess.run(
        ["fusermount3", "-u", "-z", str(path)], capture_output=True, check=False, timeout=30
    )
    return result.returncode == 0


def unmount_stale(under: str | os.PathLike[str] | None = None) -> list[str]:
    """Lazily unmount lazy-image mounts whose helper process is gone (optionally only those
    below ``under``); returns the mount points cleaned. Blocking."""
    cleaned: list[str] = []
    base = os.path.realpath(under) if under is not None else None
    for point, fstype, source in _mounts():
        if not fstype.startswith("fuse") or not source.startswith(_FSNAME + ":"):
            continue
        if base is not None and not (point == base or point.startswith(base + "/")):
            continue
        pid_text = source.split(":", 1)[1]
        alive = pid_text.isdigit() and _helper_alive(int(pid_text))
        if not alive and _lazy_unmount(Path(point)):
            cleaned.append(point)
    return cleaned


def _helper_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"_fusechild.py" in f.read()
    except OSError:
        return False
