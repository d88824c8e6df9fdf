"""Reading seekable layers through byte ranges: locate and verify the TOC, plan range
requests for files and chunks, and verify+decompress individual chunks.

Everything that touches a blob goes through a :class:`RangeFetcher`, so the same code reads
from a registry (Range GETs), a local file or memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

import zstandard

from core.errors import DigestMismatch, FormatError, TOCError
from core.formats._estargz import (
    ANNOTATION_TOC_DIGEST,
    ESTARGZ_FOOTER_SIZE,
    parse_estargz_footer,
    parse_estargz_toc,
    toc_json_from_member,
)
from core.formats._limits import MAX_CHUNK_SIZE
from core.formats._model import MAX_TOC_SIZE, TOC, ByteRange, Chunk, FormatKind
from core.formats._zstdchunked import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_OLD_CHECKSUM,
    FOOTER_READ_SIZE,
    locate_from_annotations,
    parse_footer,
    parse_zstd_toc,
)

__all__ = [
    "ANNOTATION_PREFETCH_END",
    "BytesFetcher",
    "RangeFetcher",
    "coalesce_ranges",
    "decompress_chunk",
    "detect_format",
    "parse_toc_bytes",
    "plan_ranges",
    "read_file",
    "read_toc",
    "verify_chunk",
    "verify_file_digest",
]

#: Layer annotation set by fcdesk on *optimized* zstd:chunked layers: the start-up files
#: live in blob bytes ``[0, value)``. (eStargz uses its ``.prefetch.landmark`` instead.)
ANNOTATION_PREFETCH_END = "io.github.fcdesk.accelerated.prefetch-end"

_MAX_PIECE = 4 << 20


class RangeFetcher(Protocol):
    """Returns blob bytes ``[start, end)`` (``end`` exclusive; ``0 <= start <= end``)."""

    async def __call__(self, start: int, end: int) -> bytes: ...


class BytesFetcher:
    """A :class:`RangeFetcher` over bytes in memory (tests, small local blobs)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.requests: list[tuple[int, int]] = []

    async def __call__(self, start: int, end: int) -> bytes:
        self.requests.append((start, end))
        return self.data[start:end]


def detect_format(annotations: Mapping[str, str] | None) -> FormatKind | None:
    """The seekable format a layer's annotations announce, or ``None`` for a plain layer.

    A layer carrying both the current zstd:chunked key and the eStargz TOC digest is
    ambiguous and refused, as containers/storage does.
    """
    if not annotations:
        return None
    zstd_new = ANNOTATION_CHECKSUM in annotations
    zstd_old = ANNOTATION_OLD_CHECKSUM in annotations
    stargz = ANNOTATION_TOC_DIGEST in annotations
    if zstd_new and stargz:
        raise TOCError("layer has both zstd:chunked and eStargz TOC annotations")
    if zstd_new or zstd_old:
        return FormatKind.ZSTD_CHUNKED
    if stargz:
        return FormatKind.ESTARGZ
    return None


async def _fetch(fetch: RangeFetcher, start: int, end: int) -> bytes:
    data = await fetch(start, end)
    if len(data) != end - start:
        raise FormatError(f"range {start}-{end} returned {len(data)} bytes, expected {end - start}")
    return data


async def read_toc(
    fetch: RangeFetcher,
    blob_size: int,
    annotations: Mapping[str, str] | None = None,
    *,
    kind: FormatKind | None = None,
    max_toc_size: int = MAX_TOC_SIZE,
    require_verified: bool = False,
) -> TOC:
    """Locate, fetch, verify and parse a layer's TOC.

    zstd:chunked: the position comes from the annotations (current keys, then the pre-1.44
    ``io.containers.*`` keys), else from the footer (64-, 56- or 40-byte). The compressed TOC
    is checked against ``manifest-checksum`` *before* it is decompressed or parsed. eStargz:
    the 51-byte (or legacy 47-byte) footer gives the TOC offset; the decompressed JSON is
    checked against ``containerd.io/snapshot/stargz/toc.digest`` before it is parsed.
    Without a digest annotation the TOC is parsed unverified (``TOC.verified`` is False), or
    refused when ``require_verified``. Raises :class:`~core.errors.TOCError` (or
    :class:`~core.errors.DigestMismatch`) naming the problem.
    """
    ann = dict(annotations or {})
    if kind is None:
        kind = detect_format(ann)
    if blob_size <= 0:
        raise TOCError("empty blob")
    if kind is None:
        tail = await _fetch(fetch, max(0, blob_size - FOOTER_READ_SIZE), blob_size)
        if parse_footer(tail) is not None:
            kind = FormatKind.ZSTD_CHUNKED
        elif parse_estargz_footer(tail) is not None:
            kind = FormatKind.ESTARGZ
        else:
            raise TOCError("layer has no zstd:chunked or eStargz footer")
    if kind is FormatKind.ZSTD_CHUNKED:
        return await _read_zstd_toc(fetch, blob_size, ann, max_toc_size, require_verified)
    return await _read_estargz_toc(fetch, blob_size, ann, max_toc_size, require_verified)


def _prefetch_end(ann: Mapping[str, str]) -> int | None:
    value = ann.get(ANNOTATION_PREFETCH_END)
    if value is None:
        return None
    if not value.isdigit():
        raise TOCError(f"malformed {ANNOTATION_PREFETCH_END} annotation {value!r}")
    return int(value)


async def _read_zstd_toc(
    fetch: RangeFetcher,
    blob_size: int,
    ann: Mapping[str, str],
    max_toc_size: int,
    require_verified: bool,
) -> TOC:
    located = locate_from_annotations(ann)
    if located is not None:
        footer, checksum = located
    else:
        tail = await _fetch(fetch, max(0, blob_size - FOOTER_READ_SIZE), blob_size)
        parsed = parse_footer(tail)
        if parsed is None:
            raise TOCError("zstd:chunked layer has no annotations and no footer")
        footer, checksum = parsed, ""
    if checksum and not checksum.startswith("sha256:"):
        raise TOCError(f"unsupported TOC checksum {checksum!r}")
    if require_verified and not checksum:
        raise TOCError("zstd:chunked layer has no manifest-checksum annotation")
    if footer.toc_length > max_toc_size or footer.toc_uncompressed_length > max_toc_size:
        raise TOCError(
            f"zstd:chunked TOC of {max(footer.toc_length, footer.toc_uncompressed_length)} "
            f"bytes exceeds the limit of {max_toc_size}"
        )
    end = footer.toc_offset + footer.toc_length
    if footer.toc_offset < 8 or footer.toc_length == 0 or end > blob_size:
        raise TOCError(
            f"zstd:chunked TOC position {footer.toc_offset}+{footer.toc_length} lies outside "
            f"the blob ({blob_size} bytes)"
        )
    if footer.tar_split_length and (
        footer.tar_split_offset < 8 or footer.tar_split_offset + footer.tar_split_length > blob_size
    ):
        raise TOCError("zstd:chunked tar-split position lies outside the blob")
    compressed = await _fetch(fetch, footer.toc_offset, end)
    actual = "sha256:" + hashlib.sha256(compressed).hexdigest()
    if checksum and actual != checksum:
        raise DigestMismatch(
            "zstd:chunked TOC does not match its manifest-checksum annotation",
            expected=checksum,
            actual=actual,
        )
    limit = footer.toc_uncompressed_length or max_toc_size
    prefetch_end = _prefetch_end(ann)
    json_digest = ann.get(ANNOTATION_TOC_DIGEST)

    def decode() -> TOC:
        # Off the event loop: a large TOC takes a while to decompress and parse, and the
        # loop meanwhile keeps other transfers (the prefetch stream) moving.
        data = _unzstd_bounded(compressed, limit)
        if json_digest is not None:  # stargz-snapshotter's zstd:chunked: also check JSON
            actual_json = "sha256:" + hashlib.sha256(data).hexdigest()
            if actual_json != json_digest:
                raise DigestMismatch(
                    "zstd:chunked TOC does not match its toc.digest annotation",
                    expected=json_digest,
                    actual=actual_json,
                )
        return parse_zstd_toc(
            data,
            blob_size=blob_size,
            footer=footer,
            toc_digest=checksum or actual,
            verified=bool(checksum),
            prefetch_end=prefetch_end,
        )

    return await asyncio.to_thread(decode)


def _unzstd_bounded(data: bytes, limit: int) -> bytes:
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
        out = reader.read(limit + 1)
    except zstandard.ZstdError as exc:
        raise TOCError(f"corrupt zstd data: {exc}") from exc
    if len(out) > limit:
        raise TOCError(f"zstd data decompresses to more than {limit} bytes")
    return out


async def _read_estargz_toc(
    fetch: RangeFetcher,
    blob_size: int,
    ann: Mapping[str, str],
    max_toc_size: int,
    require_verified: bool,
) -> TOC:
    tail = await _fetch(fetch, max(0, blob_size - ESTARGZ_FOOTER_SIZE), blob_size)
    parsed = parse_estargz_footer(tail)
    if parsed is None:
        raise TOCError("eStargz layer has no footer")
    toc_offset, footer_size = parsed
    toc_end = blob_size - footer_size
    if not 0 <= toc_offset < toc_end:
        raise TOCError(f"eStargz TOC offset {toc_offset} lies outside the blob ({blob_size})")
    if toc_end - toc_offset > max_toc_size:
        raise TOCError(f"eStargz TOC exceeds the limit of {max_toc_size} bytes")
    expected = ann.get(ANNOTATION_TOC_DIGEST, "")
    if require_verified and not expected:
        raise TOCError("eStargz layer has no toc.digest annotation")
    member = await _fetch(fetch, toc_offset, toc_end)

    def decode() -> TOC:
        data = toc_json_from_member(member, max_toc_size)
        actual = "sha256:" + hashlib.sha256(data).hexdigest()
        if expected and actual != expected:
            raise DigestMismatch(
                "eStargz TOC does not match its toc.digest annotation",
                expected=expected,
                actual=actual,
            )
        return parse_estargz_toc(
            data,
            blob_size=blob_size,
            toc_offset=toc_offset,
            toc_end=toc_end,
            toc_digest=expected or actual,
            verified=bool(expected),
        )

    return await asyncio.to_thread(decode)


def parse_toc_bytes(
    kind: FormatKind, blob: bytes, annotations: Mapping[str, str] | None = None
) -> TOC:
    """Synchronously read the TOC of a whole blob held in memory (tools and tests)."""
    fetcher = BytesFetcher(blob)
    coro = read_toc(fetcher, len(blob), annotations, kind=kind)
    return asyncio.run(coro)


def coalesce_ranges(ranges: Iterable[ByteRange], *, gap: int = 0) -> list[ByteRange]:
    """Sort and merge ranges that overlap or lie at most ``gap`` bytes apart."""
    out: list[ByteRange] = []
    for r in sorted(ranges, key=lambda r: (r.start, r.end)):
        if out and r.start <= out[-1].end + gap:
            if r.end > out[-1].end:
                out[-1] = ByteRange(out[-1].start, r.end)
        else:
            out.append(r)
    return out


def plan_ranges(
    toc: TOC,
    *,
    names: Iterable[str] = (),
    chunks: Iterable[Chunk] = (),
    gap: int = 0,
    include_zeros: bool = False,
) -> list[ByteRange]:
    """The coalesced blob ranges needed to read ``names`` (hard links resolved) and ``chunks``.

    Chunks marked ``zeros`` need no fetch unless ``include_zeros``.
    """
    wanted = list(toc.chunks_for(names)) + list(chunks)
    return coalesce_ranges(
        (c.compressed_range for c in wanted if include_zeros or not c.zeros), gap=gap
    )


def decompress_chunk(kind: FormatKind, data: bytes, chunk: Chunk) -> bytes:
    """Decompress one chunk's frame(s) — ``data`` is exactly its compressed range — and return
    the chunk's ``size`` bytes (no digest check; see :func:`verify_chunk`).

    Decompression stops at the chunk's declared end (``inner_offset + size``), however much
    the frame really holds, and a chunk declaring more than ``MAX_CHUNK_SIZE`` bytes is
    refused (:class:`~core.errors.TOCError`) before anything is decompressed: memory stays
    bounded whatever a hostile producer puts in the frame or the index.
    """
    if len(data) != chunk.compressed_end - chunk.compressed_offset:
        raise FormatError(
            f"chunk data is {len(data)} bytes, its range is "
            f"{chunk.compressed_end - chunk.compressed_offset}"
        )
    want = chunk.inner_offset + chunk.size
    if want > MAX_CHUNK_SIZE:
        raise TOCError(
            f"chunk at {chunk.compressed_offset} declares {want} uncompressed bytes, more than "
            f"the limit of {MAX_CHUNK_SIZE} (MAX_CHUNK_SIZE)",
            limit=MAX_CHUNK_SIZE,
        )
    if kind is FormatKind.ZSTD_CHUNKED:
        try:
            reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
            # Read in bounded pieces: ``want`` comes from the TOC, and one read() of it
            # would allocate that much however little the frame holds.
            buf = bytearray()
            while len(buf) < want:
                piece = reader.read(min(want - len(buf), _MAX_PIECE))
                if not piece:
                    break
                buf += piece
            out = bytes(buf)
        except zstandard.ZstdError as exc:
            raise FormatError(f"corrupt zstd frame at {chunk.compressed_offset}: {exc}") from exc
    else:
        out = _gunzip_prefix(data, want, chunk.compressed_offset)
    if len(out) < want:
        raise FormatError(
            f"frame at {chunk.compressed_offset} holds {len(out)} bytes, chunk needs {want}"
        )
    return out[chunk.inner_offset : want]


def _gunzip_prefix(data: bytes, want: int, where: int) -> bytes:
    out = bytearray()
    rest = data
    while rest and len(out) < want:
        d = zlib.decompressobj(31)
        try:
            out += d.decompress(rest, want - len(out))
        except zlib.error as exc:
            raise FormatError(f"corrupt gzip member at {where}: {exc}") from exc
        if len(out) >= want:
            break
        if not d.eof:
            raise FormatError(f"truncated gzip member at {where}")
        rest = d.unused_data
    return bytes(out)


def verify_chunk(kind: FormatKind, data: bytes, chunk: Chunk, *, name: str = "") -> bytes:
    """Decompress a chunk and return its bytes only if they match ``chunk.digest``.

    Raises :class:`~core.errors.DigestMismatch` (``detail['entry']`` = ``name``) otherwise;
    a chunk without a digest is refused with :class:`~core.errors.TOCError`.
    """
    if chunk.digest is None:
        raise TOCError(f"chunk of {name!r} at {chunk.offset} has no digest", entry=name)
    if chunk.zeros and not data:
        if chunk.size > MAX_CHUNK_SIZE:  # a hostile size must not become an allocation
            raise TOCError(
                f"zeros chunk of {name!r} claims {chunk.size} bytes, more than the limit of "
                f"{MAX_CHUNK_SIZE} (MAX_CHUNK_SIZE)",
                entry=name,
                limit=MAX_CHUNK_SIZE,
            )
        out = bytes(chunk.size)
    else:
        out = decompress_chunk(kind, data, chunk)
    actual = "sha256:" + hashlib.sha256(out).hexdigest()
    if actual != chunk.digest:
        raise DigestMismatch(
            f"chunk of {name!r} at offset {chunk.offset} does not match its digest",
            expected=chunk.digest,
            actual=actual,
            entry=name,
        )
    return out


def verify_file_digest(
    name: str,
    digest: str | None,
    chunks: Sequence[Chunk],
    chunk_bytes: Callable[[Chunk], bytes],
) -> bool:
    """Check a whole file against its TOC ``digest``; ``chunk_bytes`` returns each chunk's
    (already verified) bytes, called in file order.

    Returns False without reading anything when the chunk digests already vouch for the file
    (no digest, no content, or one chunk whose digest is the file's), True once the file was
    hashed and matched. Every chunk of a file can match its own digest while the whole-file
    digest lies (what a tree compared by digest would trust): that raises
    :class:`~core.errors.DigestMismatch` with code ``FileDigestMismatch`` naming the file.
    Blocking; run it in a worker thread for large files.
    """
    if digest is None or not chunks or (len(chunks) == 1 and chunks[0].digest == digest):
        return False
    algorithm, _, _ = digest.partition(":")
    h = hashlib.new(algorithm)
    for c in chunks:
        h.update(chunk_bytes(c))
    actual = f"{algorithm}:{h.hexdigest()}"
    if actual != digest:
        raise DigestMismatch(
            f"file {name!r} does not match its whole-file digest (each of its chunks matched "
            "its own)",
            code="FileDigestMismatch",
            expected=digest,
            actual=actual,
            entry=name,
        )
    return True


async def read_file(fetch: RangeFetcher, toc: TOC, name: str) -> bytes:
    """Fetch, verify and return a whole regular file (hard links resolved); small files only.

    Each chunk is checked against its chunk digest and the result against the file digest
    (:func:`verify_file_digest`).
    """
    entry = toc.resolve_hardlink(toc.lookup(name))
    parts: dict[Chunk, bytes] = {}
    for c in entry.chunks:
        data = b"" if c.zeros else await _fetch(fetch, c.compressed_offset, c.compressed_end)
        parts[c] = await asyncio.to_thread(verify_chunk, toc.kind, data, c, name=entry.name)
    await asyncio.to_thread(
        verify_file_digest, entry.name, entry.digest, entry.chunks, parts.__getitem__
    )
    return b"".join(parts[c] for c in entry.chunks)
