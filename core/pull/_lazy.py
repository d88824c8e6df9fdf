"""Lazy images: start from the TOCs, fetch file content only when it is read.

```python
image = await LazyImage.open(registry, "host/app:v1_accelerated", cache=cache)
await image.prefetch(profile)                 # start-up set: one range per optimized layer
node = image.lookup("/usr/bin/python3", follow=True)
data = await image.read(node, 0, 4096)        # verified chunks only
image.start_background_fill()                 # the rest, at lower priority
...
await image.aclose()
```

Opening resolves the manifest, then fetches every layer's TOC concurrently (located by the
layer annotations, else the footer) and checks it against the annotation digest before it is
parsed; a layer without a verifiable TOC is refused (:class:`~core.errors.PullError` code
``NotSeekable``), so a caller can fall back to a full pull. The TOCs are merged into one
read-only tree (:mod:`core.pull._tree`).

Every chunk is verified before it is served. A file's *whole-file* digest (which each chunk
matching its own digest does not prove) is checked wherever a file is read completely: by
:meth:`LazyImage.read` of a whole file and by the background fill, which checks every file
of a layer once its chunks are in. A mismatch raises :class:`~core.errors.DigestMismatch` with
code ``FileDigestMismatch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core._progress import Progress, ProgressCallback, emit
from core.errors import CoreError, DigestMismatch, PullError
from core.formats import (
    ANNOTATION_PREFETCH_END,
    TOC,
    ByteRange,
    Chunk,
    RangeFetcher,
    detect_format,
    read_toc,
    verify_file_digest,
)
from core.oci import ImageReference, Platform
from core.pull._cache import ContentCache
from core.pull._fetch import LayerSource, LazyMetrics
from core.pull._resolve import DEFAULT_PLATFORM, ResolvedImage, resolve_image
from core.pull._speculate import Neighbourhoods
from core.pull._tree import LazyTree, Node, merge_tocs
from core.pull._util import chunk_thread, first_error
from core.registry import RegistryClient

__all__ = ["LazyImage", "PrefetchResult", "is_lazy_pullable"]

_MEMORY_CACHE = 64 << 20
_BACKGROUND_BATCH = 4 << 20
_MIN_PIECE = 64 << 10


def _annotated_prefetch_end(annotations: Mapping[str, str] | None) -> int | None:
    value = (annotations or {}).get(ANNOTATION_PREFETCH_END, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


class _PieceQueue:
    """The region pieces still to be requested, in order. A reader waiting for a chunk of a
    region moves that layer's pieces up to the chunk to the front (in their order, since a
    region is handed to its layer contiguously): the process reads files of every layer in
    its own order, while the stream goes layer by layer."""

    def __init__(self, pieces: list[tuple[LayerSource, ByteRange]]) -> None:
        self._pieces = pieces
        self.bumps = 0

    def pop(self) -> tuple[LayerSource, ByteRange] | None:
        return self._pieces.pop(0) if self._pieces else None

    def bump(self, layer: int, upto: int) -> None:
        first = [p for p in self._pieces if p[0].index == layer and p[1].start < upto]
        if not first or self._pieces[: len(first)] == first:
            return
        rest = [p for p in self._pieces if not (p[0].index == layer and p[1].start < upto)]
        self._pieces = first + rest
        self.bumps += 1


async def _stream_regions(
    queue: _PieceQueue, window: int, after: asyncio.Event | None = None
) -> None:
    """Fetch region pieces in the queue's order, ``window`` at a time, handing each to its
    layer (once ``after`` is set)."""
    if after is not None:
        await after.wait()
    failed: set[int] = set()

    async def worker() -> None:
        while (item := queue.pop()) is not None:
            source, piece = item
            if source.index in failed:
                continue
            try:
                [data] = await source.fetch_ranges([piece], purpose="prefetch")
            except (CoreError, OSError) as exc:
                failed.add(source.index)
                source.region_failed(exc)
                continue
            source.region_piece(piece, data)

    await asyncio.gather(*(worker() for _ in range(max(1, window))))


def is_lazy_pullable(resolved: ResolvedImage) -> bool:
    """Whether every layer announces a seekable format (zstd:chunked or eStargz)."""
    try:
        return bool(resolved.manifest.layers) and all(
            detect_format(layer.annotations) is not None for layer in resolved.manifest.layers
        )
    except CoreError:
        return False


@dataclass(frozen=True, slots=True)
class PrefetchResult:
    """What :meth:`LazyImage.prefetch` fetched."""

    bytes: int
    chunks: int
    files: int
    layers_with_region: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "bytes": self.bytes,
            "chunks": self.chunks,
            "files": self.files,
            "layers_with_region": self.layers_with_region,
            "seconds": self.seconds,
        }


class _ChunkLRU:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        data = self._items.get(key)
        if data is not None:
            self._items.move_to_end(key)
        return data

    def put(self, key: str, data: bytes) -> None:
        if key in self._items or len(data) > self.capacity:
            return
        self._items[key] = data
        self.size += len(data)
        while self.size > self.capacity:
            _, old = self._items.popitem(last=False)
            self.size -= len(old)


class LazyImage:
    """A read-only view of an image whose content arrives on demand. See module docs."""

    def __init__(
        self,
        resolved: ResolvedImage,
        sources: list[LayerSource],
        tree: LazyTree,
        cache: ContentCache,
        metrics: LazyMetrics,
        *,
        neighbours: bool = True,
    ) -> None:
        self.resolved = resolved
        self.sources = sources
        self.tree = tree
        self.cache = cache
        self.metrics = metrics
        self.timings: dict[str, float] = {}
        self._memory = _ChunkLRU(_MEMORY_CACHE)
        self._foreground = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._fill_task: asyncio.Task[int] | None = None
        self._streaming: asyncio.Task[None] | None = None
        #: Files whose whole-file digest was checked: (layer, first frame, digest).
        self._files_checked: set[tuple[int, int, str]] = set()
        #: What the reads so far say will be read next (see :mod:`core.pull._speculate`).
        self.neighbourhoods = Neighbourhoods(tree, sources) if neighbours else None

    # -- opening ------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        registry: RegistryClient,
        reference: ImageReference | str,
        *,
        cache: ContentCache | None = None,
        platform: Platform = DEFAULT_PLATFORM,
        resolved: ResolvedImage | None = None,
        gap: int = 256 << 10,
        stream_prefetch: bool = False,
        piece: int = 1 << 20,
        window: int = 2,
        neighbours: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> LazyImage:
        """Resolve ``reference`` and read every layer's verified TOC.

        ``gap``: ranges closer than this many bytes are fetched as one (a round trip costs
        about bandwidth × RTT bytes). ``stream_prefetch``: start fetching the prefetch regions
        of optimized layers right away, alongside the TOCs, in ``piece``-byte requests
        (``window`` in flight, once every TOC request was answered; regions smaller than one
        piece first, then bottom layer first); each chunk is verified and released to readers
        as soon as its bytes are in, so a process may start before the prefetch ends
        (:meth:`prefetch` waits for the rest). ``neighbours``: a read that misses also fetches
        the small files around it in its directory (:mod:`core.pull._speculate`). Progress
        phases ``resolve`` and ``toc``.
        """
        cache = cache or ContentCache()
        t0 = time.monotonic()
        if resolved is None:
            emit(on_progress, Progress("resolve", 0, 1, str(reference)))
            resolved = await resolve_image(registry, reference, platform=platform)
            emit(on_progress, Progress("resolve", 1, 1, str(resolved.digest)))
        t_resolved = time.monotonic()
        metrics = LazyMetrics(image_size=resolved.size)
        repo = resolved.reference.repository
        sources = [
            LayerSource(i, registry, repo, desc, cache, metrics, gap=gap)
            for i, desc in enumerate(resolved.manifest.layers)
        ]
        for source in sources[1:]:
            source.speculative_slots = sources[0].speculative_slots
        for i, desc in enumerate(resolved.manifest.layers):
            if detect_format(desc.annotations) is None:
                raise PullError(
                    f"layer {i} ({desc.digest}) of {resolved.reference} is not seekable "
                    "(no zstd:chunked or eStargz annotations)",
                    code="NotSeekable",
                    layer=i,
                )
        streaming: asyncio.Task[None] | None = None
        # The regions' bytes are of no use before their TOC is parsed (nothing can be
        # verified without it), and the TOCs are on the critical path: the regions start
        # streaming once every layer's TOC request has been answered.
        tocs_in = asyncio.Event()
        answered: set[int] = set()

        def toc_fetcher(source: LayerSource) -> RangeFetcher:
            async def fetch(start: int, end: int) -> bytes:
                try:
                    return await source.fetch(start, end)
                finally:
                    answered.add(source.index)
                    if len(answered) == len(sources):
                        tocs_in.set()

            return fetch

        if stream_prefetch:
            work: list[tuple[int, int, LayerSource, ByteRange]] = []
            for source in sources:
                end = _annotated_prefetch_end(source.descriptor.annotations)
                if end:
                    small = end <= piece
                    for p in source.begin_region(end, piece):
                        work.append((0 if small else 1, source.index, source, p))
            # Each region holds its layer's start-up files in access order. A process starts
            # from the bottom layers (interpreter, C library, runtime) and reaches the upper
            # ones (dependencies, the app) later, so regions stream bottom layer first; regions
            # smaller than one piece (an app's own few kilobytes at the top) go first, as they
            # cost less than one piece's transfer and are read early.
            work.sort(key=lambda w: (w[0], w[1]))
            pieces = [(w[2], w[3]) for w in work]
            if len(pieces) > 1 and window > 1 and pieces[0][1].length >= 2 * _MIN_PIECE:
                # Stagger the workers: with the first piece halved, their requests stop
                # finishing together, so one transfer is always under way while the other
                # waits out its round trip and the link never idles between pieces.
                source0, first = pieces[0]
                half = first.start + first.length // 2
                pieces[0:1] = [
                    (source0, ByteRange(first.start, half)),
                    (source0, ByteRange(half, first.end)),
                ]
            if pieces:
                queue = _PieceQueue(pieces)
                for source in sources:
                    source.on_wait = queue.bump
                streaming = asyncio.ensure_future(_stream_regions(queue, window, tocs_in))
        done = 0

        async def load(source: LayerSource) -> TOC:
            nonlocal done
            desc = source.descriptor
            toc = await read_toc(
                toc_fetcher(source), desc.size, desc.annotations, require_verified=True
            )
            source.attach_toc(toc)
            done += 1
            emit(
                on_progress,
                Progress("toc", done, len(sources), str(desc.digest), {"layer": source.index}),
            )
            return toc

        try:
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(load(s)) for s in sources]
            except BaseExceptionGroup as exc:
                raise first_error(exc) from None
            tocs = [t.result() for t in tasks]
            t_tocs = time.monotonic()
            tree = await chunk_thread(
                functools.partial(
                    merge_tocs,
                    tocs,
                    layers=[str(s.descriptor.digest) for s in sources],
                    image=str(resolved.reference),
                )
            )
        except BaseException as exc:
            if streaming is not None:
                streaming.cancel()
                with contextlib.suppress(asyncio.CancelledError, CoreError):
                    await streaming
            for source in sources:
                source.region_failed(exc)
            raise
        image = cls(resolved, sources, tree, cache, metrics, neighbours=neighbours)
        image._streaming = streaming
        image.timings = {
            "resolve": t_resolved - t0,
            "toc": t_tocs - t_resolved,
            "merge": time.monotonic() - t_tocs,
        }
        return image

    # -- the tree -----------------------------------------------------------------------

    def lookup(self, path: str, *, follow: bool = False) -> Node:
        """The node at ``path`` (see :meth:`LazyTree.lookup`)."""
        return self.tree.lookup(path, follow=follow)

    def stat(self, path: str, *, follow: bool = True) -> Node:
        return self.tree.lookup(path, follow=follow)

    def listdir(self, path: str) -> list[str]:
        return self.tree.listdir(path)

    def readlink(self, path: str) -> str:
        node = self.tree.lookup(path)
        if node.link == "" or not node.kind.value == "symlink":
            raise OSError(22, "not a symbolic link", path)
        return node.link

    # -- reading ------------------------------------------------------------------------

    async def ensure(
        self, node: Node, chunks: Sequence[Chunk] | None = None, *, purpose: str = "on_demand"
    ) -> int:
        """Make ``chunks`` of ``node`` (default: all) present and verified in the cache.

        Returns how many chunks had to be fetched. On-demand fetches take priority over the
        background fill, which pauses while any are in flight.
        """
        if not node.is_regular:
            return 0
        wanted = list(node.chunks if chunks is None else chunks)
        if not wanted:
            return 0
        source = self.sources[node.layer]
        if purpose == "on_demand" and self.neighbourhoods is not None:
            # Before this read's own fetch goes out, so the guesses travel alongside it.
            self.neighbourhoods.read(node, missed=source.absent(wanted), chunks=wanted)
        foreground = purpose != "background"
        if foreground:
            self._foreground += 1
            self._idle.clear()
        try:
            fetched = await source.ensure(wanted, purpose=purpose)
        finally:
            if foreground:
                self._foreground -= 1
                if self._foreground == 0:
                    self._idle.set()
        if fetched and purpose == "on_demand":
            self.metrics.on_demand_fetches += 1
        return fetched

    async def read(self, node: Node | str, offset: int = 0, size: int | None = None) -> bytes:
        """File bytes ``[offset, offset+size)`` (to the end when ``size`` is None).

        Only verified chunks are served; a chunk that fails verification twice raises
        :class:`~core.errors.DigestMismatch`. A read of the whole file also checks the
        whole-file digest (code ``FileDigestMismatch`` when it lies).
        """
        if isinstance(node, str):
            node = self.lookup(node, follow=True)
        if not node.is_regular:
            raise IsADirectoryError(node.path) if node.is_dir else OSError(22, "not a file")
        if offset >= node.size:
            return b""
        if size is None:
            size = node.size - offset
        end = min(node.size, offset + size)
        chunks = node.chunks_for(offset, end - offset)
        await self.ensure(node, chunks)
        parts: list[bytes] = []
        for c in chunks:
            data = await self._chunk_bytes(c)
            lo = max(offset, c.offset) - c.offset
            hi = min(end, c.offset + c.size) - c.offset
            parts.append(data[lo:hi])
        if offset == 0 and end == node.size:
            whole = dict(zip(chunks, parts, strict=True))
            await self._check_file(node.layer, node.path, node.digest, node.chunks, whole.get)
        return b"".join(parts)

    async def _check_file(
        self,
        layer: int,
        name: str,
        digest: str | None,
        chunks: Sequence[Chunk],
        chunk_bytes: Callable[[Chunk], bytes | None],
    ) -> None:
        """The whole-file digest check (once per file), off the event loop."""
        if digest is None or not chunks or (len(chunks) == 1 and chunks[0].digest == digest):
            return  # nothing to check, or the one chunk's digest is the file's
        key = (layer, chunks[0].compressed_offset, digest)
        if key in self._files_checked:
            return

        def read(c: Chunk) -> bytes:
            data = chunk_bytes(c)
            if data is None:
                raise DigestMismatch(
                    f"cached chunk {c.digest} vanished or was corrupted", expected=c.digest or ""
                )
            return data

        await chunk_thread(verify_file_digest, name, digest, chunks, read)
        self._files_checked.add(key)

    async def _chunk_bytes(self, c: Chunk) -> bytes:
        assert c.digest is not None
        data = self._memory.get(c.digest)
        if data is None:
            data = await chunk_thread(self.cache.get_chunk, c.digest)
            if data is None:
                raise DigestMismatch(
                    f"cached chunk {c.digest} vanished or was corrupted", expected=c.digest
                )
            self._memory.put(c.digest, data)
        return data

    # -- prefetch and background fill ---------------------------------------------------

    async def prefetch(
        self, profile: Iterable[str] = (), *, on_progress: ProgressCallback | None = None
    ) -> PrefetchResult:
        """Fetch the start-up set before the function starts.

        Optimized layers (with a prefetch region): one range up to the prefetch boundary.
        Other layers: the chunks of the profile's files, in coalesced ranges. Both kinds run
        concurrently.
        """
        started = time.monotonic()
        before = self.metrics.prefetch_bytes
        per_layer: dict[int, list[Chunk]] = {}
        with_region = 0
        streamed: list[asyncio.Future[None]] = []
        for source in self.sources:
            assert source.toc is not None
            end = source.toc.prefetch_end
            if source.region is not None:
                with_region += 1
                streamed.append(source.region.done)
            elif end:
                with_region += 1
                per_layer[source.index] = [
                    c for e in source.toc.entries for c in e.chunks if c.compressed_end <= end
                ]
        files = 0
        for path in profile:
            try:
                node = self.tree.lookup(path, follow=True)
            except OSError:
                continue
            if not node.is_regular or not node.chunks:
                continue
            files += 1
            if self.sources[node.layer].toc.prefetch_end:  # type: ignore[union-attr]
                continue  # already inside that layer's prefetch region
            per_layer.setdefault(node.layer, []).extend(node.chunks)
        count = 0

        async def one(index: int, chunks: list[Chunk]) -> None:
            nonlocal count
            source = self.sources[index]
            region = bool(source.toc and source.toc.prefetch_end)
            # A prefetch region is fetched as one range whatever the gaps inside it.
            count += await source.ensure(
                chunks, purpose="prefetch", gap=source.descriptor.size if region else None
            )
            emit(
                on_progress,
                Progress("prefetch", self.metrics.prefetch_bytes - before, None, str(index)),
            )

        try:
            async with asyncio.TaskGroup() as group:
                for index, chunks in per_layer.items():
                    group.create_task(one(index, chunks))
        except BaseExceptionGroup as exc:
            raise first_error(exc) from None
        if self._streaming is not None:
            await asyncio.shield(self._streaming)
        for region_done in streamed:
            await asyncio.shield(region_done)
        return PrefetchResult(
            bytes=self.metrics.prefetch_bytes - before,
            chunks=count,
            files=files,
            layers_with_region=with_region,
            seconds=time.monotonic() - started,
        )

    def start_background_fill(self) -> asyncio.Task[int]:
        """Fetch everything not yet cached, in blob order, pausing while on-demand reads are
        in flight. Cancel with :meth:`stop_background_fill` (or ``task.cancel()``)."""
        if self._fill_task is None or self._fill_task.done():
            self._fill_task = asyncio.ensure_future(self._fill())
        return self._fill_task

    async def stop_background_fill(self) -> None:
        task = self._fill_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def background_fill(self) -> asyncio.Task[int] | None:
        return self._fill_task

    async def _fill(self) -> int:
        fetched = 0
        for source in self.sources:
            assert source.toc is not None
            chunks = sorted(
                (c for e in source.toc.entries for c in e.chunks),
                key=lambda c: (c.compressed_offset, c.inner_offset),
            )
            batch: list[Chunk] = []
            size = 0
            for c in [*chunks, None]:
                if c is not None:
                    batch.append(c)
                    size += c.compressed_end - c.compressed_offset
                    if size < _BACKGROUND_BATCH:
                        continue
                missing = source.missing(batch)
                batch, size = [], 0
                if not missing:
                    continue
                await self._idle.wait()  # on-demand reads first
                fetched += await source.ensure(missing, purpose="background", gap=_BACKGROUND_BATCH)
            # Every chunk of the layer is in: check each file's whole-file digest.
            for e in source.toc.entries:
                if e.is_regular:
                    await self._idle.wait()
                    await self._check_file(
                        source.index, e.name, e.digest, e.chunks, self._cached_chunk
                    )
        return fetched

    def _cached_chunk(self, c: Chunk) -> bytes | None:
        assert c.digest is not None
        data = self._memory.get(c.digest)
        return data if data is not None else self.cache.get_chunk(c.digest)

    # -- teardown -----------------------------------------------------------------------

    def start_prefetch(self, profile: Iterable[str] = ()) -> asyncio.Task[PrefetchResult]:
        """:meth:`prefetch` as a task: reads wait for chunks it is bringing in."""
        return asyncio.ensure_future(self.prefetch(profile))

    async def aclose(self) -> None:
        if self.neighbourhoods is not None:
            await self.neighbourhoods.aclose()
        await self.stop_background_fill()
        if self._streaming is not None and not self._streaming.done():
            self._streaming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._streaming
        for source in self.sources:
            if source.region is not None and not source.region.done.done():
                source.region_failed(PullError("the image was closed", code="Closed"))

    def report(self) -> dict[str, Any]:
        return {
            "mode": "lazy",
            "reference": str(self.resolved.reference),
            "manifest_digest": str(self.resolved.digest),
            "layers": [
                {
                    "index": s.index,
                    "digest": str(s.descriptor.digest),
                    "size": s.descriptor.size,
                    "format": s.toc.kind.value if s.toc else None,
                    "prefetch_end": s.toc.prefetch_end if s.toc else None,
                    "entries": len(s.toc) if s.toc else 0,
                    "fallback": s.fell_back,
                }
                for s in self.sources
            ],
            "timings": dict(self.timings),
            "metrics": self.metrics.as_dict(),
            "neighbourhoods": (
                None
                if self.neighbourhoods is None
                else {
                    "spans": self.neighbourhoods.spans,
                    "hits": self.neighbourhoods.hits,
                    "hinted_files": self.neighbourhoods.hinted,
                    "hinted_bytes": self.neighbourhoods.hint_bytes,
                }
            ),
        }
