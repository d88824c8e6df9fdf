"""Decompressing layer sources with bomb limits: gzip (ISA-L), zstd or plain tar."""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections.abc import Callable
from typing import IO, Any, cast

import zstandard
from isal import igzip_lib

from core.convert._options import Limits
from core.errors import ConvertError
from core.oci import Compression

__all__ = ["DecompressingReader"]

_IN = 1 << 20
_OUT = 1 << 20  # decompressed bytes per block
_GZIP_ERRORS: tuple[type[BaseException], ...] = (
    cast(type[BaseException], igzip_lib.IsalError),
    OSError,
    EOFError,
    ValueError,
)


class DecompressingReader:
    """``read(n)`` over the decompressed layer, counting both sides and enforcing ``limits``.

    ``raw`` is a ``read(n)`` callable over the compressed blob. Errors name ``layer``.
    With ``hash_output``, :attr:`hash` accumulates the sha256 of the decompressed stream
    (the layer's diff_id) a block at a time.
    """

    def __init__(
        self,
        raw: Callable[[int], bytes],
        compression: Compression,
        limits: Limits,
        *,
        layer: str = "",
        hash_output: bool = False,
    ) -> None:
        self._raw = raw
        self.compression = compression
        self._limits = limits
        self._layer = layer
        self.compressed = 0
        self.uncompressed = 0
        self._block = b""
        self._view = memoryview(b"")
        self._pos = 0
        self._eof = False
        #: sha256 of every decompressed byte, when asked for (``hash_output``)
        self.hash: Any = hashlib.sha256() if hash_output else None
        self._queue: queue.Queue[bytes | BaseException] | None = None
        self._threads: list[threading.Thread] = []
        self._queues: list[queue.Queue[bytes | BaseException]] = []
        self._hash_here = True  # hashed as decompressed, unless a thread of its own does it
        self._stop = threading.Event()
        self._done = False
        self._gz: Any = None
        self._zst: Any = None
        if compression is Compression.GZIP:
            self._gz = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
            self._gz_members = 0
        elif compression is Compression.ZSTD:
            self._zst = zstandard.ZstdDecompressor().stream_reader(
                cast(IO[bytes], _CountingRaw(self)), read_size=_IN, read_across_frames=True
            )

    def _read_raw(self, n: int) -> bytes:
        data = self._raw(n)
        self.compressed += len(data)
        return data

    def _check(self, produced: int) -> None:
        self.uncompressed += produced
        self._limits.check(self.uncompressed, self.compressed, layer=self._layer)

    def read(self, n: int) -> bytes:
        """Up to ``n`` decompressed bytes (``b""`` at the end of the layer).

        The layer is decompressed in blocks of about 1 MiB, whatever ``n``: the many small
        reads of a tar parser are served from the current block, so each crosses into the
        decompressor once per block, not once per header.
        """
        if n <= 0:
            return b""
        pos = self._pos
        avail = len(self._block) - pos
        if not avail:
            block = self._next_block() if self._queue is None else self._take()
            if not block:
                return b""
            self._block = block
            self._view = memoryview(block)
            self._pos = pos = 0
            avail = len(block)
        if n >= avail:
            self._pos = len(self._block)
            return self._block if pos == 0 else self._block[pos:]
        self._pos = pos + n
        return self._block[pos : pos + n]

    def read_view(self, n: int) -> bytes | memoryview:
        """Like :meth:`read`, without copying: a part of a block is a ``memoryview`` of it.

        The block stays alive as long as a view of it does; the converter's frames are
        views of the blocks until they are compressed, never copies.
        """
        if n <= 0:
            return b""
        pos = self._pos
        block = self._block
        avail = len(block) - pos
        if not avail:
            block = self._next_block() if self._queue is None else self._take()
            if not block:
                return b""
            self._block = block
            self._view = memoryview(block)
            self._pos = pos = 0
            avail = len(block)
            if n >= avail:
                self._pos = avail
                return block
        if n >= avail:
            self._pos = len(block)
            return self._view[pos:]
        self._pos = pos + n
        return self._view[pos : pos + n]

    def start_readahead(self, blocks: int = 8) -> None:
        """Decompress on a thread of its own, up to ``blocks`` blocks ahead; with
        ``hash_output``, hash on another (the two are the slowest steps that cannot be
        split, and each keeps a core busy in turn: decompressing, then hashing the block
        before, with the GIL released for both).

        The caller's :meth:`read` then only copies; errors (corrupt data, limits) are raised
        by the :meth:`read` that reaches the point where they happened. Call :meth:`close`
        when done.
        """
        if self._queue is not None:
            return
        self._queue = queue.Queue(maxsize=max(1, blocks))
        decoded = self._queue
        if self.hash is not None:
            self._hash_here = False
            decoded = queue.Queue(maxsize=max(1, blocks // 2))
            self._queues.append(decoded)
            self._threads.append(
                threading.Thread(
                    target=self._hash_ahead, args=(decoded, self._queue), name="fcdesk-hash"
                )
            )
        self._queues.append(self._queue)
        self._threads.insert(
            0, threading.Thread(target=self._readahead, args=(decoded,), name="fcdesk-decode")
        )
        for t in self._threads:
            t.daemon = True
            t.start()

    def _put(self, q: queue.Queue[bytes | BaseException], item: bytes | BaseException) -> bool:
        """Queue ``item`` unless the reader is being closed (then ``False``)."""
        while not self._stop.is_set():
            try:
                q.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def _readahead(self, q: queue.Queue[bytes | BaseException]) -> None:
        item: bytes | BaseException
        while not self._stop.is_set():
            try:
                item = self._next_block()
            except BaseException as exc:  # noqa: BLE001 - handed to the reader, raised there
                item = exc
            if not self._put(q, item) or not isinstance(item, bytes) or not item:
                return

    def _hash_ahead(
        self, decoded: queue.Queue[bytes | BaseException], q: queue.Queue[bytes | BaseException]
    ) -> None:
        update = self.hash.update
        while not self._stop.is_set():
            try:
                item = decoded.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(item, bytes) and item:
                update(item)
            if not self._put(q, item) or not isinstance(item, bytes) or not item:
                return

    def _take(self) -> bytes:
        assert self._queue is not None
        if self._done:
            return b""
        item = self._queue.get()
        if isinstance(item, BaseException):
            self._done = True
            raise item
        if not item:
            self._done = True
        return item

    def close(self) -> None:
        """Stop the read-ahead threads, if any (safe to call more than once)."""
        self._stop.set()
        for q in self._queues:
            with contextlib.suppress(queue.Empty):
                while True:
                    q.get_nowait()
        for t in self._threads:
            t.join()
        self._threads.clear()

    def _next_block(self) -> bytes:
        if self.compression is Compression.NONE:
            data = self._read_raw(_OUT)
        elif self.compression is Compression.ZSTD:
            try:
                data = bytes(self._zst.read(_OUT))
            except zstandard.ZstdError as exc:
                raise ConvertError(
                    f"layer {self._layer}: corrupt zstd data: {exc}", layer=self._layer
                ) from exc
        else:
            data = self._read_gzip(_OUT)
        if data:
            self._check(len(data))
            if self.hash is not None and self._hash_here:
                self.hash.update(data)
        return data

    def _read_gzip(self, n: int) -> bytes:
        d = self._gz
        while True:
            if self._eof:
                return b""
            if d.eof:
                rest = d.unused_data
                if not rest:
                    rest = self._read_raw(_IN)
                rest = rest.lstrip(b"\x00") if rest[:2] != b"\x1f\x8b" else rest
                while not rest:
                    more = self._read_raw(_IN)
                    if not more:
                        self._eof = True
                        return b""
                    rest = more.lstrip(b"\x00")
                if rest[:2] != b"\x1f\x8b":
                    raise ConvertError(
                        f"layer {self._layer}: garbage after the gzip stream", layer=self._layer
                    )
                d = self._gz = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
                data_in = rest
            elif d.needs_input:
                data_in = self._read_raw(_IN)
                if not data_in:
                    raise ConvertError(
                        f"layer {self._layer}: gzip data is truncated", layer=self._layer
                    )
            else:
                data_in = b""
            try:
                out = d.decompress(data_in, n)
            except _GZIP_ERRORS as exc:
                raise ConvertError(
                    f"layer {self._layer}: corrupt gzip data: {exc}", layer=self._layer
                ) from exc
            if out:
                return bytes(out)


class _CountingRaw:
    """File-like view of the raw source for python-zstandard's stream reader."""

    def __init__(self, owner: DecompressingReader) -> None:
        self._owner = owner

    def read(self, n: int = -1) -> bytes:
        return self._owner._read_raw(n if n > 0 else _IN)
