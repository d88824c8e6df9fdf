"""The format-neutral table of contents of a seekable layer (zstd:chunked or eStargz).

A TOC is parsed from a layer's JSON index. ``TOC.entries`` is the *merged file view*: one
entry per path, in stream order, with every chunk of a regular file gathered in
``TOCEntry.chunks``; ``TOC.raw_entries`` keeps the index's own entries (``chunk`` entries
included) for tools that need them. Parsing validates everything a hostile index could use
against a reader (see :func:`validate_toc`).
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import msgspec

from core.errors import TOCError
from core.formats._limits import MAX_CHUNK_SIZE

__all__ = [
    "MAX_TOC_SIZE",
    "TOC",
    "ByteRange",
    "Chunk",
    "EntryType",
    "FormatKind",
    "TOCEntry",
    "normalize_name",
    "validate_toc",
]

#: Largest TOC (compressed or not) a reader accepts, as in containers/storage (``maxTocSize``).
MAX_TOC_SIZE = 150 << 20

_DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


class FormatKind(enum.StrEnum):
    """The seekable layer format."""

    ZSTD_CHUNKED = "zstd:chunked"
    ESTARGZ = "estargz"


class EntryType(enum.StrEnum):
    """Entry types, spelled as in both formats' JSON."""

    REG = "reg"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"
    CHUNK = "chunk"


@dataclass(frozen=True, slots=True)
class ByteRange:
    """A half-open byte range ``[start, end)`` of a blob."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


class Chunk(msgspec.Struct, frozen=True, gc=False):
    """One independently decompressible piece of a regular file.

    ``offset``/``size`` locate the chunk in the uncompressed file; ``compressed_offset`` and
    ``compressed_end`` delimit the frame (zstd) or gzip member(s) holding it in the blob.
    ``inner_offset`` is where the chunk starts inside the decompressed frame (eStargz
    ``innerOffset``; 0 otherwise). ``digest`` is ``sha256:<hex>`` of the uncompressed chunk
    (``None`` only when the index omitted it). ``zeros`` marks a chunk made of zero bytes
    (zstd:chunked ``chunkType: "zeros"``), which a reader may synthesise without fetching.

    A msgspec struct rather than a dataclass: a TOC holds tens of thousands of chunks, built
    on the critical path of every lazy start; its constructor runs in C and its instances
    are not tracked by the garbage collector (they hold no references that could cycle).
    """

    offset: int
    size: int
    compressed_offset: int
    compressed_end: int
    digest: str | None
    zeros: bool = False
    inner_offset: int = 0

    @property
    def compressed_range(self) -> ByteRange:
        return ByteRange(self.compressed_offset, self.compressed_end)


class TOCEntry(msgspec.Struct, frozen=True, gc=False):
    """One path of the layer.

    ``name`` is normalised (no leading ``./`` or ``/``, no trailing ``/``; the root is
    ``"."``); ``link_name`` is the symlink target verbatim, or, for hard links, the
    normalised target path. Times are integer nanoseconds since the Unix epoch (exact, as in
    PAX records) or ``None`` when absent. ``xattrs`` maps names to raw bytes. ``digest`` is
    ``sha256:<hex>`` of the whole file content (regular files with content only). ``chunks``
    covers the file content in order; it is empty for empty files and non-regular entries.
    A msgspec struct, as :class:`Chunk` is.
    """

    type: EntryType
    name: str
    link_name: str = ""
    mode: int = 0
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""
    size: int = 0
    mtime_ns: int | None = None
    atime_ns: int | None = None
    ctime_ns: int | None = None
    dev_major: int = 0
    dev_minor: int = 0
    xattrs: Mapping[str, bytes] = msgspec.field(default_factory=dict)
    digest: str | None = None
    chunks: tuple[Chunk, ...] = ()

    @property
    def is_regular(self) -> bool:
        return self.type is EntryType.REG

    @property
    def compressed_range(self) -> ByteRange | None:
        """The blob range holding the whole file content, or ``None`` when it has none."""
        if not self.chunks:
            return None
        return ByteRange(self.chunks[0].compressed_offset, self.chunks[-1].compressed_end)


@dataclass(frozen=True, slots=True)
class TOC:
    """A parsed, validated table of contents.

    ``prefetch_end`` is the end (exclusive) of the blob's prefetch region in *optimized* layers:
    the start-up files live in ``[0, prefetch_end)`` and one Range request fetches them all.
    It is ``None`` when the layer has no prefetch region (eStargz ``.no.prefetch.landmark``).
    ``toc_range`` is where the compressed index sits in the blob; ``tar_split_range`` and
    ``tar_split_digest`` locate the zstd:chunked tar-split frame (``None`` when absent).
    ``verified`` tells whether the index bytes were checked against a digest from the
    manifest annotations; ``toc_digest`` is the digest that was (or would be) checked.
    """

    kind: FormatKind
    version: int
    entries: tuple[TOCEntry, ...]
    raw_entries: tuple[TOCEntry, ...]
    blob_size: int
    toc_range: ByteRange
    toc_digest: str
    verified: bool
    prefetch_end: int | None = None
    tar_split_range: ByteRange | None = None
    tar_split_digest: str | None = None
    tar_split_uncompressed_size: int | None = None
    _by_name: dict[str, TOCEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._by_name:
            self._by_name.update((e.name, e) for e in self.entries)

    def __iter__(self) -> Iterator[TOCEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize_name(name) in self._by_name

    def get(self, name: str) -> TOCEntry | None:
        """The entry for ``name`` (any spelling: ``./a/b``, ``/a/b/``, ``a/b``), or ``None``."""
        return self._by_name.get(normalize_name(name))

    def lookup(self, name: str) -> TOCEntry:
        """Like :meth:`get`, but raises ``KeyError``."""
        entry = self.get(name)
        if entry is None:
            raise KeyError(name)
        return entry

    def resolve_hardlink(self, entry: TOCEntry) -> TOCEntry:
        """Follow hard links to the entry that holds the content (validated loop-free)."""
        seen = 0
        while entry.type is EntryType.HARDLINK:
            entry = self._by_name[entry.link_name]
            seen += 1
            if seen > len(self._by_name):  # pragma: no cover - excluded by validation
                raise TOCError(f"hard link loop at {entry.name!r}", entry=entry.name)
        return entry

    def chunks_for(self, names: Iterable[str]) -> list[Chunk]:
        """All chunks of the named regular files (hard links resolved), in blob order."""
        found: dict[tuple[int, int, int], Chunk] = {}
        for name in names:
            entry = self.get(name)
            if entry is None:
                continue
            entry = self.resolve_hardlink(entry)
            for c in entry.chunks:
                found[(c.compressed_offset, c.inner_offset, c.offset)] = c
        return sorted(found.values(), key=lambda c: (c.compressed_offset, c.inner_offset))

    @property
    def prefetch_range(self) -> ByteRange | None:
        if self.prefetch_end is None:
            return None
        return ByteRange(0, self.prefetch_end)

    @property
    def data_end(self) -> int:
        """Where file data ends: everything from here on is index, tar-split and footer."""
        ends = [self.toc_range.start]
        if self.tar_split_range is not None:
            ends.append(self.tar_split_range.start)
        return min(ends)


def new_chunk(
    offset: int,
    size: int,
    compressed_offset: int,
    compressed_end: int,
    digest: str | None,
    zeros: bool,
    inner_offset: int,
) -> Chunk:
    """``Chunk(...)`` with every field given positionally (for parsers of large indexes)."""
    return Chunk(offset, size, compressed_offset, compressed_end, digest, zeros, inner_offset)


def new_entry(
    type: EntryType,
    name: str,
    link_name: str,
    mode: int,
    uid: int,
    gid: int,
    uname: str,
    gname: str,
    size: int,
    mtime_ns: int | None,
    atime_ns: int | None,
    ctime_ns: int | None,
    dev_major: int,
    dev_minor: int,
    xattrs: Mapping[str, bytes],
    digest: str | None,
    chunks: tuple[Chunk, ...],
) -> TOCEntry:
    """``TOCEntry(...)`` with every field given positionally (for parsers of large indexes)."""
    return TOCEntry(
        type,
        name,
        link_name,
        mode,
        uid,
        gid,
        uname,
        gname,
        size,
        mtime_ns,
        atime_ns,
        ctime_ns,
        dev_major,
        dev_minor,
        xattrs,
        digest,
        chunks,
    )


def normalize_name(name: str) -> str:
    """Canonical form of an archive path: ``./usr/bin/`` → ``usr/bin``; the root is ``"."``.

    ``..`` components are kept (callers reject them); repeated and trailing slashes go.
    """
    stripped = name.lstrip("/")
    if not stripped:
        return "."
    cleaned = posixpath.normpath(stripped) if "//" in stripped or "/." in stripped else stripped
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    cleaned = cleaned.rstrip("/")
    if not cleaned or cleaned == ".":
        return "."
    return cleaned


def _is_unsafe_name(raw: str) -> bool:
    if raw.startswith("/"):
        return True
    return any(part == ".." for part in raw.split("/"))


def validate_toc(
    entries: Iterable[TOCEntry],
    raw_names: Mapping[str, str],
    *,
    data_end: int,
) -> None:
    """Reject an index that a reader must not trust.

    ``raw_names`` maps each normalised name to the name as the index spelled it. Checks:
    unsafe names (absolute or with ``..``), duplicate paths, hard links to missing entries, to
    directories or in loops, chunk lists that do not tile the file, chunks whose frame a
    reader would have to decompress beyond ``MAX_CHUNK_SIZE`` bytes (``innerOffset`` plus
    size: a read holds a whole chunk in memory), chunk ranges outside ``[0, data_end)`` or
    overlapping another file's frames, and malformed digests. Every error is a
    :class:`~core.errors.TOCError` naming the entry.
    """
    by_name: dict[str, TOCEntry] = {}
    spans: dict[int, tuple[int, str]] = {}
    for e in entries:
        raw = raw_names.get(e.name, e.name)
        if _is_unsafe_name(raw) or _is_unsafe_name(e.name):
            raise TOCError(f"TOC entry {raw!r} has an absolute path or a '..' component", entry=raw)
        if e.name in by_name:
            raise TOCError(f"TOC lists {e.name!r} more than once", entry=e.name)
        by_name[e.name] = e
        if e.size < 0 or e.mode < 0 or e.uid < 0 or e.gid < 0:
            raise TOCError(f"TOC entry {e.name!r} has a negative size or id", entry=e.name)
        if e.digest is not None and not _DIGEST_RE.match(e.digest):
            raise TOCError(f"TOC entry {e.name!r} has a malformed digest", entry=e.name)
        if e.type is EntryType.REG:
            _validate_chunks(e, data_end, spans)
        elif e.chunks:
            raise TOCError(f"TOC entry {e.name!r} of type {e.type} has content", entry=e.name)
        if e.type is EntryType.SYMLINK and not e.link_name:
            raise TOCError(f"symlink {e.name!r} has no target", entry=e.name)
    _check_overlaps(spans)
    for e in by_name.values():
        if e.type is not EntryType.HARDLINK:
            continue
        target = e
        hops = 0
        while target.type is EntryType.HARDLINK:
            if _is_unsafe_name(target.link_name):
                raise TOCError(f"hard link {e.name!r} points outside the layer", entry=e.name)
            nxt = by_name.get(target.link_name)
            if nxt is None:
                raise TOCError(
                    f"hard link {e.name!r} points to {target.link_name!r}, which is not in the "
                    "layer",
                    entry=e.name,
                )
            target = nxt
            hops += 1
            if hops > len(by_name):
                raise TOCError(f"hard link loop at {e.name!r}", entry=e.name)
        if target.type is EntryType.DIR:
            raise TOCError(f"hard link {e.name!r} points to a directory", entry=e.name)


def _validate_chunks(e: TOCEntry, data_end: int, spans: dict[int, tuple[int, str]]) -> None:
    if e.size == 0:
        if e.chunks and any(c.size for c in e.chunks):
            raise TOCError(f"empty file {e.name!r} has chunks with content", entry=e.name)
        return
    if not e.chunks:
        raise TOCError(f"file {e.name!r} has content but no offset", entry=e.name)
    expected = 0
    for c in e.chunks:
        if c.offset != expected:
            raise TOCError(
                f"chunks of {e.name!r} do not tile the file (chunk at {c.offset}, expected "
                f"{expected})",
                entry=e.name,
            )
        if c.size <= 0:
            raise TOCError(f"file {e.name!r} has an empty or negative chunk", entry=e.name)
        expected += c.size
        if not (0 <= c.compressed_offset < c.compressed_end <= data_end):
            raise TOCError(
                f"chunk of {e.name!r} at {c.compressed_offset}..{c.compressed_end} lies outside "
                f"the layer data (0..{data_end})",
                entry=e.name,
            )
        if c.inner_offset < 0:
            raise TOCError(f"chunk of {e.name!r} has a negative inner offset", entry=e.name)
        if c.inner_offset + c.size > MAX_CHUNK_SIZE:
            raise TOCError(
                f"chunk of {e.name!r} at {c.offset} declares {c.inner_offset + c.size} "
                f"uncompressed bytes, more than the limit of {MAX_CHUNK_SIZE} (MAX_CHUNK_SIZE)",
                entry=e.name,
                limit=MAX_CHUNK_SIZE,
            )
        if c.digest is not None and not _DIGEST_RE.match(c.digest):
            raise TOCError(f"chunk of {e.name!r} has a malformed digest", entry=e.name)
        prev = spans.get(c.compressed_offset)
        if prev is not None and prev[0] != c.compressed_end:
            raise TOCError(f"chunk of {e.name!r} overlaps the frame of {prev[1]!r}", entry=e.name)
        spans[c.compressed_offset] = (c.compressed_end, e.name)
    if expected != e.size:
        raise TOCError(
            f"chunks of {e.name!r} add up to {expected} bytes, the file has {e.size}",
            entry=e.name,
        )


def _check_overlaps(spans: Mapping[int, tuple[int, str]]) -> None:
    """Distinct frame ranges must not overlap (shared identical ranges are fine)."""
    last_end = 0
    last_name = ""
    for start in sorted(spans):
        end, name = spans[start]
        if start < last_end:
            raise TOCError(f"frames of {name!r} and {last_name!r} overlap", entry=name)
        last_end, last_name = end, name
