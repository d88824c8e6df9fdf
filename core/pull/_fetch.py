"""Fetching and verifying chunks of one seekable layer.

:class:`LayerSource` turns "these chunks are needed" into as few registry requests as it can:
missing chunks are sorted by blob offset, ranges closer than ``gap`` bytes are merged, and up
to 32 ranges travel in one multi-range request (the registry client falls back to parallel
single ranges when the registry does not do multi-range). Every chunk is decompressed and
checked against its TOC digest before it is written to the content cache, and only the cache
serves bytes; a chunk that does not match is fetched once more on its own and, if it still
does not match, :class:`~core.errors.DigestMismatch` is raised and nothing is served.

A registry that ignores ``Range`` (answers 200 with the whole blob) is detected from the
response headers, before any body byte is read (the registry client's range reads with
``whole_ok=False`` raise :class:`~core.errors.RangeIgnored`): the layer then falls back to
one streamed, digest-verified download of the whole blob into the cache, and is read from there
(``LazyMetrics.fallbacks`` counts it).
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import CoreError, DigestMismatch, FormatError, RangeIgnored
from core.formats import TOC, ByteRange, Chunk, FormatKind, coalesce_ranges, verify_chunk
from core.oci import Descriptor
from core.pull._cache import ContentCache
from core.pull._util import chunk_thread
from core.registry import RegistryClient

__all__ = [
    "LayerSource",
    "LazyMetrics",
    "RangeIgnored",
]

_MAX_RANGES = 32
#: Speculative fetches go in requests of about this many bytes, at most this many at once
#: for all the layers of an image (guesses must leave the link to what readers wait for).
_SPECULATIVE_PIECE = 512 << 10
SPECULATIVE_INFLIGHT = 3


@dataclass(slots=True)
class LazyMetrics:
    """What a lazy image fetched. Byte counts are compressed bytes over the network."""

    image_size: int = 0
    toc_bytes: int = 0
    prefetch_bytes: int = 0
    on_demand_bytes: int = 0
    speculative_bytes: int = 0
    background_bytes: int = 0
    fallback_bytes: int = 0
    on_demand_fetches: int = 0
    speculative_fetches: int = 0
    range_requests: int = 0
    chunks_fetched: int = 0
    cache_hits: int = 0
    fallbacks: int = 0
    digest_retries: int = 0
    opened_at: float = field(default_factory=time.monotonic)
    mounted_at: float | None = None
    last_fetch_at: float | None = None

    def add(self, purpose: str, nbytes: int) -> None:
        """Count ``nbytes`` fetched for ``purpose`` (``toc``, ``prefetch``, ``on_demand``,
        ``speculative``, ``background``)."""
        if purpose == "toc":
            self.toc_bytes += nbytes
        elif purpose == "prefetch":
            self.prefetch_bytes += nbytes
        elif purpose == "on_demand":
            self.on_demand_bytes += nbytes
        elif purpose == "speculative":
            self.speculative_bytes += nbytes
        elif purpose == "background":
            self.background_bytes += nbytes
        else:
            raise ValueError(f"unknown fetch purpose {purpose!r}")
        self.last_fetch_at = time.monotonic()

    @property
    def bytes_fetched(self) -> int:
        return (
            self.toc_bytes
            + self.prefetch_bytes
            + self.on_demand_bytes
            + self.speculative_bytes
            + self.background_bytes
            + self.fallback_bytes
        )

    @property
    def fetched_share(self) -> float:
        return self.bytes_fetched / self.image_size if self.image_size else 0.0

    def as_dict(self) -> dict[str, Any]:
        since = self.mounted_at if self.mounted_at is not None else self.opened_at
        return {
            "image_size": self.image_size,
            "bytes_fetched": self.bytes_fetched,
            "fetched_share": self.fetched_share,
            "toc_bytes": self.toc_bytes,
            "prefetch_bytes": self.prefetch_bytes,
            "on_demand_bytes": self.on_demand_bytes,
            "on_demand_fetches": self.on_demand_fetches,
            "speculative_bytes": self.speculative_bytes,
            "speculative_fetches": self.speculative_fetches,
            "background_bytes": self.background_bytes,
            "fallback_bytes": self.fallback_bytes,
            "fallbacks": self.fallbacks,
            "range_requests": self.range_requests,
            "chunks_fetched": self.chunks_fetched,
            "cache_hits": self.cache_hits,
            "digest_retries": self.digest_retries,
            "mount_to_last_fetch_s": (
                None if self.last_fetch_at is None else max(0.0, self.last_fetch_at - since)
            ),
        }


class LayerSource:
    """Verified chunk access to one layer blob (a registry, or the local fallback copy)."""

    def __init__(
        self,
        index: int,
        registry: RegistryClient,
        repository: str,
        descriptor: Descriptor,
        cache: ContentCache,
        metrics: LazyMetrics,
        *,
        gap: int = 256 << 10,
    ) -> None:
        self.index = index
        self.registry = registry
        self.repository = repository
        self.descriptor = descriptor
        self.cache = cache
        self.metrics = metrics
        self.gap = gap
        self.toc: TOC | None = None
        self._pending: dict[str, asyncio.Future[None]] = {}
        self._local: Path | None = None
        self._fallback: asyncio.Future[Path] | None = None
        #: True once this layer had to be downloaded whole (the registry ignored Range).
        self.fell_back = False
        self.region: _Region | None = None
        #: Chunk digests verified by this process (the FUSE helper need not hash them again).
        self.verified: set[str] = set()
        #: Shared by the layers of one image: speculative requests in flight.
        self.speculative_slots = asyncio.Semaphore(SPECULATIVE_INFLIGHT)
        #: Called as ``on_wait(layer index, blob offset)`` when a reader waits for chunks of
        #: a streamed region that end at ``blob offset`` (the stream then fetches this layer's
        #: pieces up to there before any other layer's).
        self.on_wait: Callable[[int, int], None] | None = None
        if cache.has_blob(descriptor.digest, descriptor.size):
            self._local = cache.blob_path(descriptor.digest)

    @property
    def kind(self) -> FormatKind:
        assert self.toc is not None
        return self.toc.kind

    @property
    def local(self) -> bool:
        return self._local is not None

    # -- raw ranges ---------------------------------------------------------------------

    async def fetch_ranges(self, ranges: Sequence[ByteRange], *, purpose: str) -> list[bytes]:
        """Raw bytes of blob ranges (unverified: callers verify), counted under ``purpose``
        (``toc``, ``prefetch``, ``on_demand``, ``speculative`` or ``background``)."""
        if not ranges:
            return []
        if self._local is None:
            try:
                pieces = await self._remote(ranges)
            except RangeIgnored:
                await self._fall_back()
            else:
                self.metrics.add(purpose, sum(r.length for r in ranges))
                self.metrics.range_requests += -(-len(ranges) // _MAX_RANGES)
                return pieces
        assert self._local is not None
        return await chunk_thread(_read_local, self._local, ranges)

    async def _remote(self, ranges: Sequence[ByteRange]) -> list[bytes]:
        wanted = [(r.start, r.length) for r in ranges]
        if len(wanted) == 1:
            start, length = wanted[0]
            return [
                await self.registry.get_blob_range(
                    self.repository, self.descriptor.digest, start, length, whole_ok=False
                )
            ]
        return await self.registry.get_blob_ranges(
            self.repository, self.descriptor.digest, wanted, whole_ok=False
        )

    async def fetch(self, start: int, end: int) -> bytes:
        """A :class:`~core.formats.RangeFetcher` for the TOC reader."""
        return (await self.fetch_ranges([ByteRange(start, end)], purpose="toc"))[0]

    async def _fall_back(self) -> None:
        if self._fallback is None:
            self._fallback = asyncio.ensure_future(self._download_whole())
        self._local = await asyncio.shield(self._fallback)

    async def _download_whole(self) -> Path:
        self.metrics.fallbacks += 1
        self.fell_back = True
        path, downloaded = await self.cache.ensure_blob(
            self.registry, self.repository, self.descriptor
        )
        if downloaded:
            self.metrics.fallback_bytes += self.descriptor.size
            self.metrics.range_requests += 1
            self.metrics.last_fetch_at = time.monotonic()
        return path

    # -- chunks -------------------------------------------------------------------------

    def missing(self, chunks: Iterable[Chunk]) -> list[Chunk]:
        """The chunks not yet in the cache (nor being fetched), one per digest."""
        out: dict[str, Chunk] = {}
        for c in chunks:
            assert c.digest is not None
            if c.digest in out or c.digest in self._pending:
                continue
            if self.cache.has_chunk(c.digest):
                self.metrics.cache_hits += 1
                continue
            out[c.digest] = c
        return list(out.values())

    def absent(self, chunks: Iterable[Chunk]) -> bool:
        """Whether any of ``chunks`` is neither cached nor being fetched (nothing counted)."""
        pending = self._pending
        cache = self.cache
        return any(
            c.digest is not None and c.digest not in pending and not cache.has_chunk(c.digest)
            for c in chunks
            if not c.zeros
        )

    async def ensure(self, chunks: Iterable[Chunk], *, purpose: str, gap: int | None = None) -> int:
        """Make every chunk present, verified, in the cache; returns how many were fetched.

        Chunks already being fetched by another caller are awaited, not fetched twice.
        """
        wanted = list(chunks)
        for c in wanted:
            if c.digest is None:
                raise FormatError(f"chunk at {c.offset} of layer {self.index} has no digest")
        todo = self.missing(wanted)
        waits = [self._pending[c.digest] for c in wanted if c.digest in self._pending]
        if todo:
            loop = asyncio.get_running_loop()
            mine: dict[str, asyncio.Future[None]] = {}
            for c in todo:
                assert c.digest is not None
                fut: asyncio.Future[None] = loop.create_future()
                self._pending[c.digest] = fut
                mine[c.digest] = fut
            try:
                await self._fetch_and_store(
                    todo, purpose=purpose, gap=self.gap if gap is None else gap
                )
            except BaseException as exc:
                for d, fut in mine.items():
                    self._pending.pop(d, None)
                    if not fut.done():
                        fut.set_exception(
                            exc if isinstance(exc, Exception) else FormatError("cancelled")
                        )
                        fut.exception()
                raise
            for d, fut in mine.items():
                self._pending.pop(d, None)
                if not fut.done():
                    fut.set_result(None)
        if waits:
            region = self.region
            if self.on_wait is not None and region is not None:
                ends = [c.compressed_end for c in wanted if c.digest in region.futures]
                if ends:
                    self.on_wait(self.index, max(ends))
            await asyncio.gather(*(asyncio.shield(w) for w in waits))
        return len(todo)

    async def _fetch_and_store(self, chunks: list[Chunk], *, purpose: str, gap: int) -> None:
        chunks.sort(key=lambda c: (c.compressed_offset, c.inner_offset))
        zero = [c for c in chunks if c.zeros]
        data_chunks = [c for c in chunks if not c.zeros]
        for c in zero:
            await chunk_thread(self._verify_store, c, b"")
        if not data_chunks:
            return
        ranges = coalesce_ranges((c.compressed_range for c in data_chunks), gap=gap)
        if purpose == "speculative":
            # A reader may be waiting for any chunk of a guess: pieces of at most
            # _SPECULATIVE_PIECE bytes, a few in flight, each released as it lands.
            batches = _pieces(ranges, data_chunks, _SPECULATIVE_PIECE)
            sem = self.speculative_slots

            async def one(batch: list[ByteRange]) -> None:
                async with sem:
                    pieces = await self.fetch_ranges(batch, purpose=purpose)
                await chunk_thread(self._store_batch, batch, pieces, data_chunks)

            await asyncio.gather(*(one(b) for b in batches))
        else:
            for i in range(0, len(ranges), _MAX_RANGES):
                batch = ranges[i : i + _MAX_RANGES]
                pieces = await self.fetch_ranges(batch, purpose=purpose)
                await chunk_thread(self._store_batch, batch, pieces, data_chunks)
        retry = [c for c in data_chunks if not self.cache.has_chunk(c.digest or "")]
        for c in retry:
            # One more try, alone: a transient corruption must not be served, nor hide forever.
            self.metrics.digest_retries += 1
            [data] = await self.fetch_ranges([c.compressed_range], purpose=purpose)
            await chunk_thread(self._verify_store, c, data)

    def _store_batch(
        self, batch: Sequence[ByteRange], pieces: Sequence[bytes], chunks: Sequence[Chunk]
    ) -> None:
        for r, piece in zip(batch, pieces, strict=True):
            for c in chunks:
                if r.start <= c.compressed_offset and c.compressed_end <= r.end:
                    data = piece[c.compressed_offset - r.start : c.compressed_end - r.start]
                    try:
                        self._verify_store(c, data)
                    except (DigestMismatch, FormatError):
                        continue  # retried alone by the caller

    def _verify_store(self, c: Chunk, data: bytes) -> None:
        assert c.digest is not None
        out = verify_chunk(self.kind, data, c, name=f"layer {self.index}")
        self.cache.put_chunk(c.digest, out, checked=True)  # verify_chunk just hashed it
        self.verified.add(c.digest)
        self.metrics.chunks_fetched += 1

    # -- streamed prefetch region -------------------------------------------------------

    def begin_region(self, end: int, piece: int) -> list[ByteRange]:
        """Start streaming the prefetch region ``[0, end)``; returns its pieces, in order,
        for the caller to fetch and hand back through :meth:`region_piece`. Chunks inside the
        region become *pending* once the TOC is known, so readers wait for them instead of
        fetching them again."""
        end = min(end, self.descriptor.size)
        self.region = _Region(end, asyncio.get_running_loop().create_future())
        if end <= 0:
            self.region.done.set_result(None)
            return []
        return [ByteRange(s, min(end, s + piece)) for s in range(0, end, piece)]

    def attach_toc(self, toc: TOC) -> None:
        """Set the (verified) TOC; chunks of a streamed region become pending."""
        self.toc = toc
        region = self.region
        if region is None or region.chunks is not None:
            return
        loop = asyncio.get_running_loop()
        chunks: dict[str, Chunk] = {}
        for e in toc.entries:
            for c in e.chunks:
                if c.compressed_end <= region.end and c.digest and c.digest not in chunks:
                    chunks[c.digest] = c
        region.chunks = sorted(chunks.values(), key=lambda c: c.compressed_offset)
        for c in self.missing(region.chunks):
            assert c.digest is not None
            fut: asyncio.Future[None] = loop.create_future()
            self._pending[c.digest] = fut
            region.futures[c.digest] = fut
        self._kick_region()

    def region_piece(self, piece: ByteRange, data: bytes) -> None:
        """Bytes of one region piece arrived."""
        region = self.region
        assert region is not None
        region.pieces[piece.start] = data
        while region.received in region.pieces:
            chunk = region.pieces.pop(region.received)
            region.buffer += chunk
            region.received += len(chunk)
        self._kick_region()

    def region_failed(self, exc: BaseException) -> None:
        region = self.region
        if region is None:
            return
        error = exc if isinstance(exc, Exception) else FormatError("prefetch was cancelled")
        for digest, fut in list(region.futures.items()):
            self._pending.pop(digest, None)
            if not fut.done():
                fut.set_exception(error)
                fut.exception()
        region.futures.clear()
        if not region.done.done():
            region.done.set_exception(error)
            region.done.exception()

    def _kick_region(self) -> None:
        region = self.region
        if region is None or region.chunks is None or region.worker is not None:
            return
        if region.next < len(region.chunks) or region.received >= region.end:
            region.worker = asyncio.ensure_future(self._drain_region(region))

    async def _drain_region(self, region: _Region) -> None:
        assert region.chunks is not None
        try:
            while True:
                ready: list[Chunk] = []
                while (
                    region.next < len(region.chunks)
                    and region.chunks[region.next].compressed_end <= region.received
                ):
                    ready.append(region.chunks[region.next])
                    region.next += 1
                if not ready:
                    break
                todo = [
                    (c, bytes(region.buffer[c.compressed_offset : c.compressed_end]))
                    for c in ready
                    if c.digest in region.futures
                ]
                failed = await chunk_thread(self._store_region_chunks, todo)
                for c, _ in todo:
                    assert c.digest is not None
                    if c in failed:
                        continue
                    self._settle(region, c.digest, None)
                for c in failed:
                    await self._retry_alone(region, c)
            if region.received >= region.end and region.next >= len(region.chunks):
                region.buffer = bytearray()
                if not region.done.done():
                    if region.errors:
                        region.done.set_exception(region.errors[0])
                        region.done.exception()  # retrieved here; awaiting raises it again
                    else:
                        region.done.set_result(None)
        except (CoreError, OSError) as exc:  # handed to every waiter, raised there
            self.region_failed(exc)
        finally:
            region.worker = None
        if region.next < len(region.chunks) and region.chunks[region.next].compressed_end <= (
            region.received
        ):
            self._kick_region()

    def _store_region_chunks(self, chunks: list[tuple[Chunk, bytes]]) -> list[Chunk]:
        failed = []
        for c, data in chunks:
            try:
                self._verify_store(c, b"" if c.zeros else data)
            except (DigestMismatch, FormatError):
                failed.append(c)
        return failed

    async def _retry_alone(self, region: _Region, c: Chunk) -> None:
        assert c.digest is not None
        self.metrics.digest_retries += 1
        try:
            [data] = await self.fetch_ranges([c.compressed_range], purpose="prefetch")
            await chunk_thread(self._verify_store, c, data)
        except (CoreError, OSError) as exc:  # the waiters get it
            self._settle(region, c.digest, exc)
        else:
            self._settle(region, c.digest, None)

    def _settle(self, region: _Region, digest: str, error: Exception | None) -> None:
        fut = region.futures.pop(digest, None)
        self._pending.pop(digest, None)
        if error is not None:
            region.errors.append(error)
        if fut is None or fut.done():
            return
        if error is None:
            fut.set_result(None)
        else:
            fut.set_exception(error)
            fut.exception()


@dataclass(slots=True)
class _Region:
    """A prefetch region being streamed: bytes arrive piece by piece, chunks are verified
    and released to waiting readers as soon as their frames are complete."""

    end: int
    done: asyncio.Future[None]
    received: int = 0
    buffer: bytearray = field(default_factory=bytearray)
    pieces: dict[int, bytes] = field(default_factory=dict)
    chunks: list[Chunk] | None = None
    next: int = 0
    futures: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    worker: asyncio.Future[None] | None = None
    errors: list[Exception] = field(default_factory=list)


def _pieces(ranges: list[ByteRange], chunks: Sequence[Chunk], size: int) -> list[list[ByteRange]]:
    """``ranges`` (sorted, disjoint) cut at chunk boundaries into requests of about ``size``
    bytes and at most ``_MAX_RANGES`` ranges each, in blob order."""
    bounds = sorted({c.compressed_offset for c in chunks})
    out: list[list[ByteRange]] = [[]]
    used = 0
    for r in ranges:
        start = r.start
        while start < r.end:
            end = r.end
            if end - start > size:
                # the last chunk start inside the piece (a chunk is never cut)
                k = bisect.bisect_right(bounds, start + size) - 1
                if k >= 0 and bounds[k] > start:
                    end = min(end, bounds[k])
            if out[-1] and (used + (end - start) > size or len(out[-1]) >= _MAX_RANGES):
                out.append([])
                used = 0
            out[-1].append(ByteRange(start, end))
            used += end - start
            start = end
    return [b for b in out if b]


def _read_local(path: Path, ranges: Sequence[ByteRange]) -> list[bytes]:
    out = []
    with open(path, "rb") as fh:
        for r in ranges:
            fh.seek(r.start)
            data = fh.read(r.length)
            if len(data) != r.length:
                raise FormatError(f"range {r.start}-{r.end} lies beyond the end of {path.name}")
            out.append(data)
    return out
