"""The streaming layer converter: gzip / zstd / plain tar in, zstd:chunked or eStargz out.

The work runs in a worker thread (tar parsing, the entry policy, framing) fed by two
read-ahead threads (one decompresses, the other hashes what it decompressed: the input's
diff_id) while frames are compressed on a thread pool owned by the job and the writer's
sink thread writes and hashes the output; the event loop only moves bytes. Memory is
bounded whatever the layer size: the input is read in 1 MiB pieces, at most
``max_inflight`` bytes of frames wait for compression, and the index, tar-split and (in
optimized order) the reordered entries are spooled to temporary files.

Entry policy: the safety policy of `core.formats` (its module documentation has the table),
which refuses with :class:`~core.errors.UnsafeContent` naming layer, entry and rule whatever a
reader would refuse — names that are absolute, contain ``..`` or are too long, duplicate
paths, hard links that leave the layer or name no earlier entry, paths, hard links and
whiteouts that go through a symlink of this layer or a lower one (pass one
:class:`~core.formats.SymlinkTracker` for all the layers of an image), decompression bombs,
more than ``max_trailing`` bytes after the end-of-archive marker — and keeps everything else
as it is: device nodes, FIFOs, setuid and setgid bits, symlinks whatever their target. PAX and
GNU records over ``max_header_size``, sparse and global-PAX entries are refused by the tar
reader (``ConvertError``).

Corrupt or truncated compressed data and malformed tar streams raise
:class:`~core.errors.ConvertError` naming the layer (and the entry being read).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import tempfile
import threading
from collections.abc import AsyncIterable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from core.convert._options import ConvertOptions, Order
from core.convert._source import DecompressingReader
from core.errors import ConvertError, CoreError, FormatError, TarFormatError, UnsafeContent
from core.formats import (
    EntryType,
    FormatKind,
    LayerWriter,
    LayerWriteResult,
    SymlinkTracker,
    TarMember,
    TarStreamReader,
    hardlink_target,
    normalize_name,
    split_name,
    unsafe,
)
from core.oci import Compression

__all__ = ["LayerResult", "convert_layer", "convert_layer_sync"]

_PIECE = 1 << 20
_REPORT_EVERY = 4 << 20

ByteSource = Callable[[int], bytes]


@dataclasses.dataclass(frozen=True, slots=True)
class LayerResult:
    """A converted layer.

    ``source_diff_id`` is the sha256 of the decompressed *input*; ``written`` describes the
    output blob (digest, size, diff_id, TOC digest, annotations). ``media_type`` is the
    output layer media type. ``warnings`` lists entries kept under a permissive policy.
    """

    source_digest: str
    source_size: int
    source_diff_id: str
    written: LayerWriteResult
    media_type: str
    prefetch_files: int
    warnings: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        return self.written.digest

    @property
    def size(self) -> int:
        return self.written.size

    @property
    def diff_id(self) -> str:
        return self.written.diff_id

    @property
    def annotations(self) -> dict[str, str]:
        return self.written.annotations


class _Cancelled(Exception):
    """Raised inside the worker thread when the job was cancelled."""


class _Policy:
    """The safety policy's checks of a producer, for one layer (see `core.formats` safety:
    the converter refuses everything a reader would refuse, and keeps the rest as it is)."""

    def __init__(
        self, options: ConvertOptions, layer: str, symlinks: SymlinkTracker | None
    ) -> None:
        self.options = options
        self.layer = layer
        self.seen: dict[str, EntryType] = {}
        self.warnings: list[str] = []
        self.symlinks = symlinks if symlinks is not None else SymlinkTracker()
        self.symlinks.start_layer()

    def check(self, m: TarMember) -> str:
        raw = m.name
        lim = self.options.limits
        try:
            if len(raw.encode("utf-8", "surrogateescape")) > lim.max_name_length:
                raise unsafe(
                    "long-name",
                    f"has a name longer than {lim.max_name_length} bytes",
                    entry=raw[:200],
                    allow="a higher max_name_length",
                )
            split_name(raw)
            name = normalize_name(raw)
            if name in self.seen:
                raise unsafe(
                    "duplicate",
                    "appears more than once in the layer (a seekable layer indexes each path once)",
                    entry=raw,
                )
            if len(self.seen) >= lim.max_entries:
                raise unsafe(
                    "too-many",
                    f"exceeds the limit of {lim.max_entries} entries",
                    entry=raw,
                    allow="a higher max_entries",
                )
            t = m.type
            if t is EntryType.HARDLINK:
                target = "/".join(hardlink_target(raw, m.link_name))
                self.symlinks.entry(name, "hardlink", target)
                ttype = self.seen.get(target)
                if ttype is None:
                    raise unsafe(
                        "hardlink",
                        f"is a hard link to {m.link_name!r}, which is not earlier in the layer",
                        entry=raw,
                    )
                if ttype is EntryType.DIR:
                    raise unsafe(
                        "hardlink", f"is a hard link to the directory {m.link_name!r}", entry=raw
                    )
            elif t is EntryType.SYMLINK:
                if not m.link_name:
                    raise unsafe("symlink", "is a symlink without a target", entry=raw)
                self.symlinks.entry(name, "symlink", m.link_name)
            else:
                self.symlinks.entry(name, "dir" if t is EntryType.DIR else "other")
        except UnsafeContent as exc:
            raise exc.locate(layer=self.layer) from None
        self.seen[name] = t
        return name


class _Job:
    """One layer conversion inside the worker thread."""

    def __init__(
        self,
        raw: ByteSource,
        compression: Compression,
        out: IO[bytes],
        options: ConvertOptions,
        *,
        layer: str,
        executor: ThreadPoolExecutor | None,
        cancel: threading.Event,
        on_progress: Callable[[int, int], None] | None,
        symlinks: SymlinkTracker | None = None,
    ) -> None:
        self.options = options
        self.layer = layer
        self.cancel = cancel
        self.on_progress = on_progress
        self.src = DecompressingReader(
            raw, compression, options.limits, layer=layer, hash_output=True
        )
        self.policy = _Policy(options, layer, symlinks)
        self._last_report = 0
        # zstd:chunked in preserved order writes the input's tar stream byte for byte: its
        # diff_id is the input's, hashed once as it is decompressed
        same_stream = options.format is FormatKind.ZSTD_CHUNKED and options.order is Order.PRESERVE
        self.writer = LayerWriter(
            out,
            options.format,
            chunk_size=options.chunk_size,
            level=options.level,
            executor=executor,
            spool_dir=options.spool_dir,
            on_output=self._on_output,
            diff_id=self._source_diff_id if same_stream else None,
        )

    def _source_diff_id(self) -> str:
        return "sha256:" + str(self.src.hash.hexdigest())

    def _on_output(self, n: int) -> None:
        done = self.src.compressed
        if self.on_progress is not None and done - self._last_report >= _REPORT_EVERY:
            self._last_report = done
            self.on_progress(done, self.writer.compressed_size)

    def _error(self, exc: CoreError, entry: str) -> ConvertError:
        where = f", entry {entry!r}" if entry else ""
        return ConvertError(
            f"layer {self.layer}{where}: {exc}", layer=self.layer, entry=entry, reason=exc.code
        )

    def run(self) -> tuple[LayerWriteResult, str, int]:
        # views of the decompressed blocks, not copies: a frame is compressed from the
        # block it lies in (the cancel check is made per entry and per payload piece)
        reader = TarStreamReader(
            self.src.read_view, max_special_size=self.options.limits.max_header_size
        )
        self.src.start_readahead()
        try:
            with self.writer, contextlib.closing(self.src):
                if self.options.order is Order.OPTIMIZED and self.options.profile:
                    result, moved = self._run_optimized(reader)
                else:
                    if self.options.format is FormatKind.ESTARGZ:
                        self.writer.add_no_prefetch_landmark()
                    self._copy_all(reader)
                    result = self.writer.finish(self._trailing(reader))
                    moved = 0
        except TarFormatError as exc:
            raise self._error(exc, exc.entry) from exc
        except FormatError as exc:
            raise self._error(exc, "") from exc
        source_diff = self._source_diff_id()
        if self.on_progress is not None:
            self.on_progress(self.src.compressed, result.size)
        return result, source_diff, moved

    def _trailing(self, reader: TarStreamReader) -> list[bytes | memoryview]:
        out: list[bytes | memoryview] = []
        total = 0
        for piece in reader.iter_trailing():
            total += len(piece)
            if total > self.options.limits.max_trailing:
                raise unsafe(
                    "trailing-data",
                    f"has more than {self.options.limits.max_trailing} bytes after the "
                    "end-of-archive marker",
                    layer=self.layer,
                    allow="a higher max_trailing",
                )
            out.append(piece)
        return out

    def _copy_all(self, reader: TarStreamReader) -> None:
        w = self.writer
        cancelled = self.cancel.is_set
        check = self.policy.check
        read_payload = reader.read_payload
        add_payload = w.add_payload
        reg = EntryType.REG
        while True:
            pad, m = reader.next()
            if pad:
                w.add_meta(pad)
            if m is None:
                return
            check(m)
            w.add_meta(m.raw)
            w.begin_entry(m)
            if m.size:
                # content of a regular file; a payload on another type is kept as bytes
                add = add_payload if m.type is reg else w.add_meta
                while True:
                    data = read_payload(_PIECE)
                    if not data:
                        break
                    add(data)
                    if cancelled():
                        raise _Cancelled
            w.end_entry()
            if cancelled():
                raise _Cancelled

    def _run_optimized(self, reader: TarStreamReader) -> tuple[LayerWriteResult, int]:
        with tempfile.TemporaryFile(dir=self.options.spool_dir) as spool:
            index: list[tuple[str, EntryType, str, int, int]] = []
            pos = 0
            while True:
                _pad, m = reader.next()
                if m is None:
                    break
                name = self.policy.check(m)
                start = pos
                spool.write(m.raw)
                pos += len(m.raw)
                while True:
                    data = reader.read_payload(_PIECE)
                    if not data:
                        break
                    spool.write(data)
                    pos += len(data)
                    if self.cancel.is_set():
                        raise _Cancelled
                padding = reader.read_padding()
                spool.write(padding)
                pos += len(padding)
                link = normalize_name(m.link_name) if m.type is EntryType.HARDLINK else ""
                index.append((name, m.type, link, start, pos - start))
                if self.cancel.is_set():
                    raise _Cancelled
            trailing = self._trailing(reader)
            order, moved = plan_order(
                [(n, t, lk) for n, t, lk, _, _ in index], self.options.profile
            )
            w = self.writer
            if moved == 0 and self.options.format is FormatKind.ESTARGZ:
                w.add_no_prefetch_landmark()
            for k, i in enumerate(order):
                if k == moved and moved:
                    w.mark_prefetch_boundary()
                _, _, _, start, length = index[i]
                self._emit_from_spool(spool, start, length)
                if self.cancel.is_set():
                    raise _Cancelled
            if moved and moved == len(order):
                w.mark_prefetch_boundary()
            return w.finish(trailing), moved

    def _emit_from_spool(self, spool: IO[bytes], start: int, length: int) -> None:
        spool.seek(start)
        left = length

        def read(n: int) -> bytes:
            nonlocal left
            data = spool.read(min(n, left))
            left -= len(data)
            return data

        r = TarStreamReader(read, max_special_size=self.options.limits.max_header_size)
        _, m = r.next()
        assert m is not None
        w = self.writer
        w.add_meta(m.raw)
        w.begin_entry(m)
        while True:
            data = r.read_payload(_PIECE)
            if not data:
                break
            if m.type is EntryType.REG:
                w.add_payload(data)
            else:
                w.add_meta(data)
        w.end_entry()
        w.add_meta(r.read_padding())


def plan_order(
    entries: list[tuple[str, EntryType, str]], profile: tuple[str, ...] | list[str]
) -> tuple[list[int], int]:
    """Optimized entry order: profile files first (in access order, each preceded by its
    parent directories and hard-link target), then every other entry in original order.

    ``entries`` are ``(name, type, hardlink_target)``. Returns the order (indexes) and how
    many entries form the prefetch set at its front.
    """
    by_name = {n: i for i, (n, _, _) in enumerate(entries)}
    placed: set[int] = set()
    order: list[int] = []

    def place(i: int, depth: int = 0) -> None:
        if i in placed or depth > 64:
            return
        name, etype, link = entries[i]
        parts = name.split("/")
        prefixes = ["."] + ["/".join(parts[:k]) for k in range(1, len(parts))]
        for p in prefixes:
            j = by_name.get(p)
            if j is not None and j not in placed and j != i:
                placed.add(j)
                order.append(j)
        if etype is EntryType.HARDLINK and link in by_name:
            place(by_name[link], depth + 1)
        placed.add(i)
        order.append(i)

    for path in profile:
        i = by_name.get(normalize_name(path))
        if i is not None:
            place(i)
    moved = len(order)
    order.extend(i for i in range(len(entries)) if i not in placed)
    return order, moved


def _media_type(kind: FormatKind) -> str:
    if kind is FormatKind.ZSTD_CHUNKED:
        return "application/vnd.oci.image.layer.v1.tar+zstd"
    return "application/vnd.oci.image.layer.v1.tar+gzip"


def convert_layer_sync(
    raw: ByteSource,
    compression: Compression,
    out: IO[bytes],
    options: ConvertOptions,
    *,
    layer: str = "",
    executor: ThreadPoolExecutor | None = None,
    cancel: threading.Event | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    symlinks: SymlinkTracker | None = None,
) -> LayerResult:
    """Convert one layer synchronously (call it from a worker thread).

    ``raw`` reads the compressed source blob; ``out`` receives the converted blob.
    ``on_progress(bytes_in, bytes_out)`` is called from this thread. ``symlinks`` carries
    the symlinks of the image's lower layers (and receives this layer's): pass the same
    tracker for every layer of an image, in order. Raises
    :class:`~core.errors.ConvertError` / :class:`~core.errors.UnsafeContent`.
    """
    own = executor is None and options.threads > 1
    pool = ThreadPoolExecutor(options.threads, "fcdesk-zstd") if own else executor
    job = _Job(
        raw,
        compression,
        out,
        options,
        layer=layer,
        executor=pool,
        cancel=cancel or threading.Event(),
        on_progress=on_progress,
        symlinks=symlinks,
    )
    try:
        written, source_diff, moved = job.run()
    finally:
        if own and pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return LayerResult(
        source_digest=layer,
        source_size=job.src.compressed,
        source_diff_id=source_diff,
        written=written,
        media_type=_media_type(options.format),
        prefetch_files=moved,
        warnings=tuple(job.policy.warnings),
    )


async def convert_layer(
    source: AsyncIterable[bytes],
    compression: Compression,
    out: IO[bytes],
    options: ConvertOptions,
    *,
    layer: str = "",
    on_progress: Callable[[int, int], None] | None = None,
    symlinks: SymlinkTracker | None = None,
) -> LayerResult:
    """Convert one layer read from an async byte stream; all CPU work runs off the loop.

    ``on_progress(bytes_in, bytes_out)`` is called on the event loop. Cancelling the
    awaiting task stops the worker thread promptly and re-raises ``CancelledError``; ``out``
    is left to the caller to discard.
    """
    loop = asyncio.get_running_loop()
    cancel = threading.Event()
    it = aiter(source)
    pending: list[bytes] = []
    current: list[Any] = []

    async def pull(n: int) -> bytes:
        size = sum(len(p) for p in pending)
        while size < n:
            try:
                piece = await anext(it)
            except StopAsyncIteration:
                break
            pending.append(piece)
            size += len(piece)
        data = b"".join(pending)
        pending.clear()
        if len(data) > n:
            pending.append(data[n:])
            data = data[:n]
        return data

    def raw(n: int) -> bytes:
        if cancel.is_set():
            raise _Cancelled
        fut = asyncio.run_coroutine_threadsafe(pull(n), loop)
        current[:] = [fut]
        try:
            return fut.result()
        except BaseException as exc:
            if cancel.is_set():
                raise _Cancelled from exc
            raise

    def progress(i: int, o: int) -> None:
        if on_progress is not None:
            loop.call_soon_threadsafe(on_progress, i, o)

    def work() -> LayerResult:
        return convert_layer_sync(
            raw,
            compression,
            out,
            options,
            layer=layer,
            cancel=cancel,
            on_progress=progress,
            symlinks=symlinks,
        )

    fut = loop.run_in_executor(None, work)
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        cancel.set()
        for f in current:
            f.cancel()
        with contextlib.suppress(BaseException):
            await fut
        raise
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:  # close the source stream (its HTTP response) promptly
            with contextlib.suppress(Exception):
                await aclose()
