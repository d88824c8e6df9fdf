"""Writers for seekable layers: a tar stream in, a zstd:chunked or eStargz blob out.

:class:`LayerWriter` is synchronous and meant to run in a worker thread. The caller feeds it
the archive in order — raw header bytes (:meth:`~LayerWriter.add_meta`), then each entry
(:meth:`~LayerWriter.begin_entry` / :meth:`~LayerWriter.add_payload` /
:meth:`~LayerWriter.end_entry`), then the trailing bytes — and it cuts frames so that every
regular file's payload starts a new frame and large files are split into chunks of
``chunk_size`` bytes, one frame each.

Frames are independent, so they are compressed in parallel on an executor, in batches, and
written in order; at most ``max_inflight`` uncompressed bytes are queued at any time. The TOC
and the tar-split are spooled to temporary files, never held whole in memory, so memory stays
bounded whatever the layer size.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import queue
import tempfile
import threading
from binascii import b2a_base64
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from typing import IO, Any, cast

import fastcrc
import zstandard
from isal import isal_zlib

from core.formats._estargz import (
    ANNOTATION_TOC_DIGEST,
    ANNOTATION_UNCOMPRESSED_SIZE,
    build_estargz_footer,
)
from core.formats._limits import MAX_CHUNK_SIZE
from core.formats._model import EntryType, FormatKind
from core.formats._reader import ANNOTATION_PREFETCH_END
from core.formats._tar import BLOCK, Buffer, TarMember, build_simple_header
from core.formats._times import format_rfc3339
from core.formats._times import format_rfc3339nano as _format_rfc3339nano
from core.formats._zstdchunked import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_OLD_CHECKSUM,
    ANNOTATION_OLD_POSITION,
    ANNOTATION_POSITION,
    ANNOTATION_TARSPLIT_POSITION,
    ESTARGZ_TOC_NAME,
    NO_PREFETCH_LANDMARK,
    PREFETCH_LANDMARK,
    ZstdChunkedFooter,
    build_footer,
)

__all__ = [
    "ANNOTATION_TARSPLIT_CHECKSUM",
    "DEFAULT_CHUNK_SIZE",
    "LayerWriteResult",
    "LayerWriter",
]

#: Default size of a chunk of a large file (uncompressed bytes).
DEFAULT_CHUNK_SIZE = 4 << 20
#: Written for containers/storage 1.47-1.53, which check the tar-split against it.
ANNOTATION_TARSPLIT_CHECKSUM = "io.github.containers.zstd-chunked.tarsplit-checksum"

_BATCH_BYTES = 1 << 20  # small frames are compressed together in jobs of about this size
#: a chunk of this size or more made of several pieces is copied into a reused buffer (a
#: new one each time costs a page fault per 4 KiB: 270,000 on a 2 GB layer)
_POOLED = 256 << 10
_POOL_KEEP = 4  # reused buffers kept at most
#: files of one package share their times: each distinct time is formatted once
format_rfc3339nano = functools.lru_cache(maxsize=4096)(_format_rfc3339nano)
#: a str as ``json.dumps`` writes it (quoted, ASCII, escaped)
_json_str: Callable[[str], str] = json.encoder.encode_basestring_ascii
_LANDMARK_CONTENT = b"\x0f"
_tls = threading.local()


def _zstd_compressor(level: int) -> zstandard.ZstdCompressor:
    key = f"zstd{level}"
    c = getattr(_tls, key, None)
    if c is None:
        c = zstandard.ZstdCompressor(level=level)
        setattr(_tls, key, c)
    return c


#: what a frame is: metadata, a chunk of file content (hashed), or the only chunk of a file
#: (hashed, and its CRC-64 is the file's, for the tar-split)
_META, _CHUNK, _WHOLE = 0, 1, 2
#: a compressed batch: its frames one after the other, and for each frame its length, chunk
#: digest (content frames only), whether its content was all zeros, and its CRC-64
_Compressed = tuple[bytes, list[tuple[int, str | None, bool, int | None]]]


def _all_zeros(data: Buffer) -> bool:
    raw = data if type(data) is bytes else bytes(data)
    return raw.count(0) == len(raw)


def _compress_batch(
    kind: FormatKind, level: int, frames: list[Buffer], what: list[int]
) -> _Compressed:
    """Compress each buffer as its own frame; hash (and zero-check) the content frames.

    The frames come back joined in one ``bytes`` (one write and one hash update for the
    batch), read straight from the compressor's output buffer.
    """
    zc = _zstd_compressor(level) if kind is FormatKind.ZSTD_CHUNKED else None
    comps: Any
    if zc is not None and len(frames) > 1:
        # the whole batch in one call: the GIL is released once, not once per frame
        comps = zc.multi_compress_to_buffer(
            cast(list[bytes | bytearray | memoryview], frames), threads=1
        )
        sizes = [len(comps[i]) for i in range(len(frames))]
        joined = b"".join([comps[i] for i in range(len(frames))])
    else:
        comps = [
            zc.compress(data) if zc is not None else isal_zlib.compress(data, level, 31)
            for data in frames
        ]
        sizes = [len(c) for c in comps]
        joined = comps[0] if len(comps) == 1 else b"".join(comps)
    info: list[tuple[int, str | None, bool, int | None]] = []
    sha256 = hashlib.sha256
    crc64 = fastcrc.crc64.go_iso
    for data, size, w in zip(frames, sizes, what, strict=True):
        if w == _META:
            info.append((size, None, False, None))
            continue
        # only a frame that shrank enormously can be all zeros: skip the scan otherwise
        zeros = zc is not None and size * 256 < len(data) and _all_zeros(data)
        crc = crc64(data) if w == _WHOLE else None
        info.append((size, "sha256:" + sha256(data).hexdigest(), zeros, crc))
    return joined, info


@dataclasses.dataclass(frozen=True, slots=True)
class LayerWriteResult:
    """What a finished writer produced.

    ``digest``/``size`` describe the blob; ``diff_id``/``uncompressed_size`` its
    decompressed tar; ``annotations`` are the layer annotations the manifest must carry.
    """

    kind: FormatKind
    digest: str
    size: int
    diff_id: str
    uncompressed_size: int
    toc_digest: str
    annotations: dict[str, str]
    prefetch_end: int | None
    entries: int
    chunks: int


_CALL = object()  # a queued call without argument


class _Sink:
    """Work that must run in order but not on the producer's thread, on a thread of its own:
    writing the compressed batches and hashing them (the blob's digest), the whole-file
    digest and CRC-64 of files of several chunks, the tar-split's compression.

    :meth:`put` queues ``fn(data)``: large pieces (bytes or views) as they are, small ones
    joined per ``fn`` into pieces of about ``_FLUSH`` bytes (every ``fn`` given is an
    append: a hash update, a write). The queue is bounded, so memory stays bounded. An error
    on the thread (a full disk) is raised by the next :meth:`put` or :meth:`close`.
    """

    _FLUSH = 1 << 20
    _BIG = 64 << 10

    def __init__(self) -> None:
        self._q: queue.Queue[tuple[Callable[[Any], Any], Any] | None] = queue.Queue(maxsize=32)
        self._pending: dict[Callable[[Any], Any], tuple[list[Buffer], int]] = {}
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fcdesk-sink", daemon=True)
        self._thread.start()
        self.closed = False

    def _run(self) -> None:
        get = self._q.get
        while True:
            item = get()
            if item is None:
                return
            if self.error is not None:
                continue  # keep draining so that the producer never blocks
            fn, data = item
            try:
                if data is _CALL:
                    fn(None)
                else:
                    fn(data)
            except BaseException as exc:  # noqa: BLE001 - raised on the producer's thread
                self.error = exc

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, fn: Callable[[Any], Any], data: Buffer) -> None:
        """Queue ``fn(data)`` after everything queued so far for the same ``fn``."""
        if self.closed:
            fn(data)
            return
        if self.error is not None:
            self._raise()
        entry = self._pending.get(fn)
        if len(data) >= self._BIG:
            if entry is not None:
                del self._pending[fn]
                self._q.put((fn, b"".join(entry[0])))
            self._q.put((fn, data))
            return
        if entry is None:
            self._pending[fn] = ([data], len(data))
            return
        parts, size = entry
        parts.append(data)
        size += len(data)
        if size >= self._FLUSH:
            del self._pending[fn]
            self._q.put((fn, b"".join(parts)))
        else:
            self._pending[fn] = (parts, size)

    def _flush_all(self) -> None:
        for fn, (parts, _) in list(self._pending.items()):
            self._q.put((fn, b"".join(parts)))
        self._pending.clear()

    def call(self, fn: Callable[[Any], None]) -> None:
        """Run ``fn(None)`` on the thread after everything queued so far."""
        if self.closed:
            fn(None)
            return
        self._flush_all()
        self._q.put((fn, _CALL))

    def close(self) -> None:
        """Run everything queued, stop the thread, raise its error if it had one."""
        if not self.closed:
            self.closed = True
            if self.error is None:
                self._flush_all()
            self._pending.clear()
            self._q.put(None)
            self._thread.join()
        self._raise()


class _FileDigest:
    """sha256 and CRC-64 (for the tar-split) of a file of several chunks, fed in order."""

    __slots__ = ("crc", "hash", "with_crc")

    def __init__(self, with_crc: bool) -> None:
        self.hash = hashlib.sha256()
        self.crc: int | None = None
        self.with_crc = with_crc

    def update(self, data: Buffer) -> None:
        self.hash.update(data)
        if self.with_crc:
            self.crc = fastcrc.crc64.go_iso(data, self.crc)


class _ChunkRec:
    __slots__ = ("digest", "end", "entry", "offset", "size", "start", "zeros")

    def __init__(self, entry: _EntryRec, offset: int, size: int, zeros: bool) -> None:
        self.entry = entry
        self.offset = offset
        self.size = size
        self.zeros = zeros
        self.start = -1
        self.end = -1
        self.digest: str | None = None


class _EntryRec:
    __slots__ = (
        "chunks",
        "closed",
        "crc",
        "digest",
        "member",
        "open_frames",
        "ts_meta",
        "wait_digest",
    )

    def __init__(self, member: TarMember, ts_meta: list[Buffer]) -> None:
        self.member = member
        self.chunks: list[_ChunkRec] = []
        self.digest: str | None = None
        self.crc: int | None = None  # CRC-64 of the content, for the tar-split
        self.open_frames = 0
        self.closed = False
        self.wait_digest = False
        self.ts_meta = ts_meta  # the bytes before the entry's content, for the tar-split


class LayerWriter:
    """Write a seekable layer to ``out`` (see the module docstring).

    ``level`` is the zstd level (zstd:chunked) or the ISA-L level 0–3 (eStargz).
    ``executor`` compresses frames in parallel; without one, frames are compressed inline.
    ``on_output`` is called with the number of compressed bytes each time some are written.
    ``diff_id``, when given, returns the digest of the uncompressed stream at :meth:`finish`
    (a caller that hashes the very same bytes as it reads them), and the writer does not hash
    them a second time.
    """

    def __init__(
        self,
        out: IO[bytes],
        kind: FormatKind,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        level: int | None = None,
        executor: Executor | None = None,
        max_inflight: int = 16 << 20,
        spool_dir: str | None = None,
        on_output: Callable[[int], None] | None = None,
        diff_id: Callable[[], str] | None = None,
    ) -> None:
        if not 4096 <= chunk_size <= MAX_CHUNK_SIZE:
            # readers refuse larger chunks: a lazy read holds a whole chunk in memory
            raise ValueError(
                f"chunk_size must be between 4096 bytes and {MAX_CHUNK_SIZE >> 20} MiB"
            )
        self._out = out
        self.kind = kind
        self._chunk_size = chunk_size
        self._level = level if level is not None else (3 if kind is FormatKind.ZSTD_CHUNKED else 2)
        self._executor = executor
        self._max_inflight = max_inflight
        self._spool_dir = spool_dir
        self._on_output = on_output
        # output position and digest
        self._offset = 0
        self._blob_hash = hashlib.sha256()
        self._sink = _Sink()
        self._write_blob = out.write
        self._hash_blob = self._blob_hash.update
        # uncompressed stream (its digest comes from ``diff_id`` when the caller has it)
        self._diff_id = diff_id
        self._diff_hash = hashlib.sha256() if diff_id is None else None
        self._hash_diff = self._diff_hash.update if self._diff_hash is not None else None
        self._usize = 0
        # the frame being built from metadata bytes
        self._meta: list[Buffer] = []
        self._meta_len = 0
        # batches of frames waiting for / under compression: the frames, whether each is a
        # chunk of file content, and its record (None for metadata frames)
        self._batch: list[Buffer] = []
        self._batch_what: list[int] = []
        self._batch_chunks: list[_ChunkRec | None] = []
        self._batch_bytes = 0
        self._batch_bufs: list[bytearray] = []  # reused chunk buffers the batch's frames use
        self._free_bufs: list[bytearray] = []
        self._inflight: deque[tuple[Future[_Compressed] | None, Any]] = deque()
        self._inflight_bytes = 0
        # entries
        self._pending: deque[_EntryRec] = deque()
        self._current: _EntryRec | None = None
        self._file_digest: _FileDigest | None = None
        self._chunk_buf: list[Buffer] = []
        self._chunk_len = 0
        self._chunk_off = 0
        self._entries = 0
        self._chunks = 0
        self._prefetch_end: int | None = None
        self._prefetch_pending = False
        # spools
        self._toc = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115 - closed in close()
        self._toc_len = 0
        self._toc_first = True
        self._toc_batch: list[str] = []
        self._toc_hash = hashlib.sha256()
        self._tarsplit: IO[bytes] | None = None
        self._ts_writer: Any = None
        self._ts_position = 0
        self._ts_ulen = 0
        self._ts_meta: list[Buffer] = []
        self._ts_lines: list[str] = []
        self._toc_writer: Any = None
        if kind is FormatKind.ZSTD_CHUNKED:
            self._tarsplit = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115
            self._ts_counter = _CountingWriter(self._tarsplit)
            self._ts_writer = zstandard.ZstdCompressor(level=self._level).stream_writer(
                cast(IO[bytes], self._ts_counter), closefd=False
            )
            # the TOC is compressed as it is built, on the sink's thread (not all of it
            # at the end, after the last frame, when nothing else is left to run)
            self._toc_counter = _CountingWriter(self._toc)
            self._toc_writer = zstandard.ZstdCompressor(level=self._level).stream_writer(
                cast(IO[bytes], self._toc_counter), closefd=False
            )
        self._write_toc_raw(
            b'{"version":1,"entries":['
            if kind is FormatKind.ZSTD_CHUNKED
            else b'{\n\t"version": 1,\n\t"entries": ['
        )

    # -- public feeding API ------------------------------------------------------------

    def add_meta(self, data: Buffer) -> None:
        """Raw archive bytes that are not file payload (headers, padding)."""
        if not data:
            return
        self._meta.append(data)
        n = len(data)
        self._meta_len += n
        self._usize += n
        if self._hash_diff is not None:
            self._sink.put(self._hash_diff, data)
        if self._ts_writer is not None:
            self._ts_meta.append(data)

    def begin_entry(self, member: TarMember) -> None:
        """Start an entry whose header bytes were just given to :meth:`add_meta`."""
        if self._current is not None:
            raise RuntimeError("previous entry not ended")
        # the bytes since the previous entry are its tar-split segment, written with it
        ts_meta = self._ts_meta
        if ts_meta:
            self._ts_meta = []
        rec = _EntryRec(member, ts_meta)
        self._current = rec
        self._entries += 1
        self._in_file = member.type is EntryType.REG and member.size > 0
        if self._in_file:
            self._close_meta_frame()
            # a file of one chunk has the digest and CRC of its frame, computed with it
            self._file_digest = (
                _FileDigest(self._ts_writer is not None) if member.size > self._chunk_size else None
            )
            self._chunk_off = 0
        else:
            self._file_digest = None

    def add_payload(self, data: Buffer) -> None:
        """The next bytes of the current regular file's content (bytes or a view, which is
        kept until its frame is compressed, not copied)."""
        if self._current is None or not self._in_file:
            raise RuntimeError("no regular file open")
        n = len(data)
        self._usize += n
        if self._hash_diff is not None:
            self._sink.put(self._hash_diff, data)
        if self._file_digest is not None:
            self._sink.put(self._file_digest.update, data)
        if self._chunk_len + n < self._chunk_size:  # the common case: no chunk ends here
            self._chunk_buf.append(data)
            self._chunk_len += n
            return
        pos = 0
        while pos < n:
            room = self._chunk_size - self._chunk_len
            piece = data if pos == 0 and n <= room else data[pos : pos + room]
            self._chunk_buf.append(piece)
            self._chunk_len += len(piece)
            pos += len(piece)
            if self._chunk_len >= self._chunk_size:
                self._emit_chunk()

    def end_entry(self) -> None:
        """Finish the current entry (all its payload was given)."""
        rec = self._current
        if rec is None:
            raise RuntimeError("no entry open")
        if self._in_file:
            if self._chunk_len:
                self._emit_chunk()
            self._in_file = False
        fd = self._file_digest
        if fd is not None:
            self._file_digest = None
            rec.wait_digest = True

            def done(_: object, rec: _EntryRec = rec, fd: _FileDigest = fd) -> None:
                rec.crc = fd.crc
                rec.digest = "sha256:" + fd.hash.hexdigest()

            self._sink.call(done)
        rec.closed = True
        self._current = None
        self._pending.append(rec)
        self._drain_entries()

    def add_file(self, member: TarMember, content: bytes) -> None:
        """Convenience: header (from ``member.raw``), content and padding of one entry."""
        self.add_meta(member.raw)
        self.begin_entry(member)
        if content:
            self.add_payload(content)
        self.end_entry()
        self.add_meta(bytes(-len(content) % BLOCK))

    def add_landmark(self, name: str) -> None:
        """Add an eStargz landmark file (``.prefetch.landmark`` or ``.no.prefetch.landmark``)."""
        header = build_simple_header(name, len(_LANDMARK_CONTENT))
        self.add_file(_simple_member(header, name, len(_LANDMARK_CONTENT)), _LANDMARK_CONTENT)

    def add_no_prefetch_landmark(self) -> None:
        """eStargz layers without a prefetch set start with ``.no.prefetch.landmark``."""
        self.add_landmark(NO_PREFETCH_LANDMARK)

    def mark_prefetch_boundary(self) -> None:
        """Everything written so far is the prefetch set (optimized mode).

        eStargz: adds ``.prefetch.landmark``, whose offset is the boundary. zstd:chunked:
        closes the current frame and records its end as the ``prefetch-end`` annotation.
        """
        if self.kind is FormatKind.ESTARGZ:
            self._prefetch_pending = True
            self.add_landmark(PREFETCH_LANDMARK)
        else:
            self._close_meta_frame()
            self._submit_batch()
            self._prefetch_pending = True
            self._inflight.append((None, "prefetch"))
            self._drain(all_=False)

    def finish(self, trailing: Iterable[Buffer]) -> LayerWriteResult:
        """Write the trailing bytes, the index, the tar-split and the footer."""
        if self._current is not None:
            raise RuntimeError("entry not ended")
        if self.kind is FormatKind.ZSTD_CHUNKED:
            for piece in trailing:
                self.add_meta(piece)
            self._close_meta_frame()
            self._submit_batch()
            self._drain(all_=True)
            self._settle()
            self._flush_tarsplit_meta(final=True)
            return self._finish_zstd()
        # eStargz: the original end-of-archive is replaced by the TOC entry and a new one.
        for _ in trailing:
            pass
        self._close_meta_frame()
        self._submit_batch()
        self._drain(all_=True)
        self._settle()
        return self._finish_estargz()

    def _settle(self) -> None:
        """Wait for every write and hash, then write the TOC entries still pending."""
        self._sink.close()
        self._drain_entries()
        if self._pending:  # pragma: no cover - invariant
            raise RuntimeError("TOC entries left unresolved")
        self._flush_toc()

    def close(self) -> None:
        """Release the spool files and the sink's thread (safe to call more than once)."""
        with contextlib.suppress(BaseException):
            self._sink.close()  # its error, if any, was raised by finish()
        self._toc.close()
        if self._tarsplit is not None:
            self._tarsplit.close()

    def __enter__(self) -> LayerWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def uncompressed_size(self) -> int:
        return self._usize

    @property
    def compressed_size(self) -> int:
        return self._offset

    # -- frames ------------------------------------------------------------------------

    def _account(self, data: Buffer) -> None:
        if self._hash_diff is not None:
            self._sink.put(self._hash_diff, data)
        self._usize += len(data)

    def _close_meta_frame(self) -> None:
        if not self._meta_len:
            return
        data = self._meta[0] if len(self._meta) == 1 else b"".join(self._meta)
        self._meta.clear()
        self._meta_len = 0
        self._queue_frame(data, None, _META)

    def _emit_chunk(self) -> None:
        rec = self._current
        assert rec is not None
        pieces = self._chunk_buf
        data: Buffer
        if len(pieces) == 1:
            data = pieces[0]
        elif self._chunk_len < _POOLED:
            data = b"".join(pieces)
        else:
            buf = self._free_bufs.pop() if self._free_bufs else bytearray(self._chunk_size)
            view = memoryview(buf)
            pos = 0
            for piece in pieces:
                end = pos + len(piece)
                view[pos:end] = piece
                pos = end
            data = view[:pos]
            self._batch_bufs.append(buf)
        pieces.clear()
        self._chunk_len = 0
        chunk = _ChunkRec(rec, self._chunk_off, len(data), False)
        self._chunk_off += len(data)
        rec.chunks.append(chunk)
        rec.open_frames += 1
        self._chunks += 1
        self._queue_frame(data, chunk, _CHUNK if self._file_digest is not None else _WHOLE)

    def _queue_frame(self, data: Buffer, chunk: _ChunkRec | None, what: int) -> None:
        self._batch.append(data)
        self._batch_what.append(what)
        self._batch_chunks.append(chunk)
        self._batch_bytes += len(data)
        if self._batch_bytes >= _BATCH_BYTES:
            self._submit_batch()

    def _submit_batch(self) -> None:
        if not self._batch:
            return
        frames, flags, recs, size, bufs = (
            self._batch,
            self._batch_what,
            self._batch_chunks,
            self._batch_bytes,
            self._batch_bufs,
        )
        self._batch, self._batch_what, self._batch_chunks, self._batch_bytes = [], [], [], 0
        self._batch_bufs = []
        if self._executor is None:
            result = _compress_batch(self.kind, self._level, frames, flags)
            self._commit(result, recs)
            self._free_bufs.extend(bufs[: _POOL_KEEP - len(self._free_bufs)])
            return
        fut = self._executor.submit(_compress_batch, self.kind, self._level, frames, flags)
        self._inflight.append((fut, (recs, size, bufs)))
        self._inflight_bytes += size
        self._drain(all_=False)

    def _drain(self, *, all_: bool) -> None:
        while self._inflight:
            fut, info = self._inflight[0]
            if fut is None:  # a prefetch marker: everything before it is written
                self._inflight.popleft()
                self._prefetch_end = self._offset
                continue
            must_wait = all_ or self._inflight_bytes > self._max_inflight
            if not must_wait and not fut.done():
                return
            result = fut.result()
            self._inflight.popleft()
            recs, size, bufs = info
            self._inflight_bytes -= size
            self._commit(result, recs)
            if bufs:  # compressed: the buffers can be filled again (a few are kept)
                self._free_bufs.extend(bufs[: _POOL_KEEP - len(self._free_bufs)])

    def _commit(self, result: _Compressed, recs: list[_ChunkRec | None]) -> None:
        # one write and one hash update per batch; the frames' offsets are computed
        data, info = result
        offset = self._offset
        for (size, digest, zeros, crc), chunk in zip(info, recs, strict=True):
            start = offset
            offset += size
            if chunk is not None:
                chunk.start = start
                chunk.end = offset
                chunk.digest = digest
                chunk.zeros = zeros
                entry = chunk.entry
                entry.open_frames -= 1
                if crc is not None:
                    entry.crc = crc
        # written and hashed in order on the sink's thread: no system call on this one
        self._sink.put(self._write_blob, data)
        self._sink.put(self._hash_blob, data)
        self._offset = offset
        if self._on_output is not None:
            self._on_output(len(data))
        self._drain_entries()

    # -- TOC and tar-split ---------------------------------------------------------------

    def _drain_entries(self) -> None:
        pending = self._pending
        ts = self._ts_writer is not None
        while pending:
            rec = pending[0]
            if rec.open_frames or not rec.closed or (rec.wait_digest and rec.digest is None):
                return
            pending.popleft()
            if rec.digest is None and len(rec.chunks) == 1:
                rec.digest = rec.chunks[0].digest
            if ts:
                self._tarsplit_entry(rec)
            if (
                self._prefetch_pending
                and self.kind is FormatKind.ESTARGZ
                and rec.member.name == PREFETCH_LANDMARK
                and rec.chunks
            ):
                self._prefetch_end = rec.chunks[0].start
                self._prefetch_pending = False
            if self.kind is FormatKind.ZSTD_CHUNKED:
                # the entries' JSON a few hundred at a time (items joined by ",")
                self._toc_batch.append(_toc_json_zstd(rec))
                if len(self._toc_batch) >= 256:
                    self._flush_toc()
            else:
                for obj in self._toc_objects(rec):
                    self._write_toc_entry(obj)

    def _toc_objects(self, rec: _EntryRec) -> list[dict[str, Any]]:
        """An entry's eStargz TOC objects (zstd:chunked's are written by
        :func:`_toc_json_zstd`)."""
        m = rec.member
        # eStargz
        ent: dict[str, Any] = {"name": m.name, "type": m.type.value}
        if m.size and m.type is EntryType.REG:
            ent["size"] = m.size
        if m.mtime_ns:
            ent["modtime"] = format_rfc3339(m.mtime_ns)
        if m.link_name:
            ent["linkName"] = m.link_name
        if m.mode:
            ent["mode"] = m.mode
        if m.uid:
            ent["uid"] = m.uid
        if m.gid:
            ent["gid"] = m.gid
        if m.uname:
            ent["userName"] = m.uname
        if m.gname:
            ent["groupName"] = m.gname
        if m.dev_major:
            ent["devMajor"] = m.dev_major
        if m.dev_minor:
            ent["devMinor"] = m.dev_minor
        if m.xattrs:
            ent["xattrs"] = {k: base64.b64encode(v).decode() for k, v in m.xattrs.items()}
        if not rec.chunks:
            return [ent]
        ent["offset"] = rec.chunks[0].start
        if rec.digest:
            ent["digest"] = rec.digest
        res = [ent]
        last = len(rec.chunks) - 1
        for i, c in enumerate(rec.chunks):
            obj = ent if i == 0 else {"name": m.name, "type": "chunk", "offset": c.start}
            if c.offset:
                obj["chunkOffset"] = c.offset
            if i != last:
                obj["chunkSize"] = c.size
            obj["chunkDigest"] = c.digest
            if i:
                res.append(obj)
        return res

    def _write_toc_raw(self, data: bytes) -> None:
        self._toc_len += len(data)
        if self._toc_writer is not None:  # zstd:chunked: compressed on the sink's thread
            self._sink.put(self._toc_writer.write, data)
            return
        self._toc.write(data)
        self._toc_hash.update(data)

    def _write_toc_entry(self, obj: dict[str, Any]) -> None:
        """An eStargz TOC object, indented as ``json.MarshalIndent`` writes it."""
        body = json.dumps(obj, indent="\t").replace("\n", "\n\t\t")
        data = (("\n\t\t" if self._toc_first else ",\n\t\t") + body).encode()
        self._toc_first = False
        self._write_toc_raw(data)

    def _flush_toc(self) -> None:
        if not self._toc_batch:
            return
        text = ",".join(self._toc_batch)
        self._toc_batch.clear()
        self._write_toc_raw((text if self._toc_first else "," + text).encode())
        self._toc_first = False

    def _tarsplit_entry(self, rec: _EntryRec) -> None:
        """The tar-split lines of an entry: the segment of bytes before its content, then
        ``{"type":1,"name":…,"size":…,"payload":…,"position":…}`` as ``json.dumps`` writes
        it (no "size" when 0; the payload is the content's CRC-64, null without content)."""
        if rec.ts_meta:
            self._tarsplit_segment(rec.ts_meta)
        m = rec.member
        if m.size > 0 and m.type is EntryType.REG:
            crc = b2a_base64((rec.crc or 0).to_bytes(8, "big"), newline=False)
            tail = f',"size":{m.size},"payload":"{crc.decode()}"'
        elif m.size:
            tail = f',"size":{m.size},"payload":null'
        else:
            tail = ',"payload":null'
        self._tarsplit_line(f'{{"type":1,"name":{_json_str(m.name)}{tail},"position":')

    def _tarsplit_segment(self, parts: list[Buffer]) -> None:
        payload = parts[0] if len(parts) == 1 else b"".join(parts)
        b64 = b2a_base64(payload, newline=False).decode()
        self._tarsplit_line(f'{{"type":2,"payload":"{b64}","position":')

    def _flush_tarsplit_meta(self, *, final: bool = False) -> None:
        """The bytes after the last entry (end-of-archive marker, trailing bytes)."""
        if self._ts_writer is None:
            return
        if self._ts_meta or final:
            self._tarsplit_segment(self._ts_meta)
            self._ts_meta = []
            if final:
                self._flush_tarsplit_lines()

    def _tarsplit_line(self, head: str) -> None:
        """A tar-split line: ``head`` is its JSON up to the position, which is added here."""
        self._ts_lines.append(f"{head}{self._ts_position}}}\n")
        self._ts_position += 1
        if len(self._ts_lines) >= 256:
            self._flush_tarsplit_lines()

    def _flush_tarsplit_lines(self) -> None:
        if self._ts_lines:
            data = "".join(self._ts_lines).encode()  # ASCII: JSON with escapes
            self._ts_lines.clear()
            self._ts_ulen += len(data)
            self._sink.put(self._ts_writer.write, data)  # compressed on the sink's thread

    def _copy_spool(self, f: IO[bytes]) -> None:
        f.seek(0)
        while True:
            b = f.read(1 << 20)
            if not b:
                return
            self._write_out(b)

    def _write_out(self, b: bytes) -> None:
        self._out.write(b)
        self._blob_hash.update(b)
        self._offset += len(b)
        if self._on_output is not None:
            self._on_output(len(b))

    def _finish_zstd(self) -> LayerWriteResult:
        assert self._tarsplit is not None
        self._ts_writer.close()
        ts_len = self._ts_counter.count
        ts_ulen = self._ts_ulen
        ts_digest = "sha256:" + self._ts_counter.hash.hexdigest()
        self._write_toc_raw(b'],"tarSplitDigest":"' + ts_digest.encode() + b'"}')
        self._toc_writer.close()
        toc_len = self._toc_counter.count
        toc_checksum = "sha256:" + self._toc_counter.hash.hexdigest()
        self._write_out(b"\x50\x2a\x4d\x18" + toc_len.to_bytes(4, "little"))
        toc_off = self._offset
        self._copy_spool(self._toc)
        self._write_out(b"\x50\x2a\x4d\x18" + ts_len.to_bytes(4, "little"))
        ts_off = self._offset
        self._copy_spool(self._tarsplit)
        footer = ZstdChunkedFooter(toc_off, toc_len, self._toc_len, ts_off, ts_len, ts_ulen)
        self._write_out(build_footer(footer))
        position = f"{toc_off}:{toc_len}:{self._toc_len}:1"
        annotations = {
            ANNOTATION_CHECKSUM: toc_checksum,
            ANNOTATION_POSITION: position,
            ANNOTATION_TARSPLIT_POSITION: f"{ts_off}:{ts_len}:{ts_ulen}",
            ANNOTATION_TARSPLIT_CHECKSUM: ts_digest,
            ANNOTATION_OLD_CHECKSUM: toc_checksum,
            ANNOTATION_OLD_POSITION: position,
        }
        if self._prefetch_end is not None:
            annotations[ANNOTATION_PREFETCH_END] = str(self._prefetch_end)
        return self._result(toc_checksum, annotations)

    def _finish_estargz(self) -> LayerWriteResult:
        self._write_toc_raw(b"\n\t]\n}")
        toc_digest = "sha256:" + self._toc_hash.hexdigest()
        toc_offset = self._offset
        header = build_simple_header(ESTARGZ_TOC_NAME, self._toc_len)
        trailer = bytes(-self._toc_len % BLOCK) + bytes(2 * BLOCK)
        comp = isal_zlib.compressobj(self._level, isal_zlib.DEFLATED, 31)
        self._account(header)
        self._write_out(comp.compress(header))
        self._toc.seek(0)
        while True:
            b = self._toc.read(1 << 20)
            if not b:
                break
            self._account(b)
            self._write_out(comp.compress(b))
        self._account(trailer)
        self._write_out(comp.compress(trailer) + comp.flush())
        self._write_out(build_estargz_footer(toc_offset))
        annotations = {
            ANNOTATION_TOC_DIGEST: toc_digest,
            ANNOTATION_UNCOMPRESSED_SIZE: str(self._usize),
        }
        return self._result(toc_digest, annotations)

    def _result(self, toc_digest: str, annotations: dict[str, str]) -> LayerWriteResult:
        return LayerWriteResult(
            kind=self.kind,
            digest="sha256:" + self._blob_hash.hexdigest(),
            size=self._offset,
            diff_id=self._diff_id()
            if self._diff_id is not None
            else "sha256:" + cast(Any, self._diff_hash).hexdigest(),
            uncompressed_size=self._usize,
            toc_digest=toc_digest,
            annotations=annotations,
            prefetch_end=self._prefetch_end,
            entries=self._entries,
            chunks=self._chunks,
        )


def _toc_json_zstd(rec: _EntryRec) -> str:
    """An entry's zstd:chunked TOC objects as compact JSON — what ``json.dumps`` with
    ``separators=(",", ":")`` writes (the tests check it), without building the objects:
    ``type``, ``name``, ``linkName``, ``mode``, ``size``, ``uid``, ``gid``, the times,
    ``devMajor``, ``devMinor``, ``xattrs``, then for content ``digest``, ``offset``,
    ``endOffset`` and each chunk's fields (a file of several chunks continues with one
    ``chunk`` object per further chunk)."""
    m = rec.member
    name = _json_str(m.name)
    t = m.type
    parts = [f'{{"type":"{t.value}","name":{name}']
    if m.link_name:
        parts.append(f',"linkName":{_json_str(m.link_name)}')
    if m.mode:
        parts.append(f',"mode":{m.mode}')
    if m.size and t is EntryType.REG:
        parts.append(f',"size":{m.size}')
    if m.uid:
        parts.append(f',"uid":{m.uid}')
    if m.gid:
        parts.append(f',"gid":{m.gid}')
    parts.append(f',"modtime":"{format_rfc3339nano(m.mtime_ns)}"')
    if m.atime_ns is not None:
        parts.append(f',"accesstime":"{format_rfc3339nano(m.atime_ns)}"')
    if m.ctime_ns is not None:
        parts.append(f',"changetime":"{format_rfc3339nano(m.ctime_ns)}"')
    if m.dev_major:
        parts.append(f',"devMajor":{m.dev_major}')
    if m.dev_minor:
        parts.append(f',"devMinor":{m.dev_minor}')
    if m.xattrs:
        pairs = ",".join(
            f'{_json_str(k)}:"{base64.b64encode(v).decode()}"' for k, v in m.xattrs.items()
        )
        parts.append(f',"xattrs":{{{pairs}}}')
    chunks = rec.chunks
    if not chunks:
        parts.append("}")
        return "".join(parts)
    if rec.digest:
        parts.append(f',"digest":"{rec.digest}"')
    first = chunks[0]
    parts.append(f',"offset":{first.start},"endOffset":{chunks[-1].end}')
    if len(chunks) == 1:
        if first.zeros:
            parts.append(
                f',"chunkSize":{first.size},"chunkDigest":"{first.digest}","chunkType":"zeros"'
            )
        parts.append("}")
        return "".join(parts)
    for i, c in enumerate(chunks):
        if i:
            parts.append(f'}},{{"type":"chunk","name":{name},"offset":{c.start}')
        parts.append(f',"chunkSize":{c.size}')
        if c.offset:
            parts.append(f',"chunkOffset":{c.offset}')
        parts.append(f',"chunkDigest":"{c.digest}"')
        if c.zeros:
            parts.append(',"chunkType":"zeros"')
    parts.append("}")
    return "".join(parts)


class _CountingWriter(io.RawIOBase):
    """A file wrapper that counts and hashes what is written (the compressed bytes)."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.count = 0
        self.hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.f.write(b)
        self.hash.update(b)
        self.count += len(b)
        return len(b)


def _simple_member(raw: bytes, name: str, size: int) -> TarMember:
    return TarMember(
        raw=raw,
        name=name,
        type=EntryType.REG,
        typeflag=b"0",
        link_name="",
        mode=0o644,
        uid=0,
        gid=0,
        uname="",
        gname="",
        size=size,
        mtime_ns=0,
        atime_ns=None,
        ctime_ns=None,
        dev_major=0,
        dev_minor=0,
        xattrs={},
        pax={},
    )
