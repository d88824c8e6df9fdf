"""Reading an image's file tree without pulling it.

* A seekable layer (zstd:chunked or eStargz, as in every ``_accelerated`` twin) is read from
  its table of contents only: the TOC is located, fetched and checked against the manifest's
  annotation by :func:`core.formats.read_toc` (a few Range requests, no file content).
* A plain layer is streamed once: its blob is downloaded (digest verified as it streams),
  decompressed and its tar headers read in a worker thread, file contents hashed and
  skipped, with the decompression limits every reader applies. Nothing is written to disk
  but the index.

Either way the layer's entries are kept in the content cache (``indexes/<layer hex>.json.zst``,
written only after the whole blob was verified), so the next listing of any image sharing the
layer reads nothing. The layers are merged by :func:`core.pull.merge_tocs`, the same merge
lazy pulls use (whiteouts, opaque directories, hostile paths refused), which also reports what
upper layers hide. Files of the image's start-up profile are marked.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import queue
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgspec
import zstandard

from core._files import atomic_write
from core._progress import Progress, ProgressCallback, emit
from core.coldstart import startup_profile_for
from core.errors import CoreError, PullError
from core.explore._model import (
    FileEntry,
    HiddenEntry,
    ImageListing,
    LayerInfo,
    LayerSourceKind,
    ProfileSummary,
)
from core.formats import (
    TOC,
    DecompressionLimits,
    EntryType,
    TarStreamReader,
    TOCEntry,
    detect_format,
    normalize_name,
    read_toc,
)
from core.oci import Descriptor, ImageReference, Platform
from core.pull import (
    DEFAULT_PLATFORM,
    ContentCache,
    LazyTree,
    Node,
    ResolvedImage,
    TransferMeter,
    merge_tocs,
    open_decompressed,
    resolve_image,
)
from core.pull._util import first_error
from core.registry import RegistryClient

__all__ = ["build_entries", "build_listing", "index_path", "open_listing", "scan_layer"]

_INDEX_VERSION = 3
_PIECE = 1 << 20
_PIPE_DEPTH = 8
_ESTARGZ_METADATA = frozenset({"stargz.index.json", ".prefetch.landmark", ".no.prefetch.landmark"})


@dataclass(frozen=True, slots=True)
class _Entries:
    """A layer's entries in stream order (what :func:`merge_tocs` reads)."""

    entries: Sequence[TOCEntry]


def index_path(cache: ContentCache, layer_digest: str) -> Path:
    """Where the listing index of a layer is cached."""
    return cache.root / "indexes" / f"{layer_digest.partition(':')[2]}.json.zst"


# -- the cached index of one layer ------------------------------------------------------------


class _IndexDoc(msgspec.Struct, gc=False):
    """A layer's cached index: msgpack of the entries as the TOC or the tar stream gave them
    (decoded straight into TOC entries, in C)."""

    version: int
    entries: list[TOCEntry]
    prefetch: list[str] = []


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_IndexDoc)


def _encode(entries: Iterable[TOCEntry], prefetch: Sequence[str] = ()) -> bytes:
    doc = _IndexDoc(_INDEX_VERSION, list(entries), list(prefetch))
    return zstandard.ZstdCompressor(level=1).compress(_ENCODER.encode(doc))


def _decode(data: bytes) -> _Layer | None:
    try:
        raw = zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 31)
        doc = _DECODER.decode(raw)
    except (zstandard.ZstdError, msgspec.DecodeError, ValueError):
        return None  # unreadable or from another version: built again
    if doc.version != _INDEX_VERSION:
        return None
    return _Layer(doc.entries, tuple(doc.prefetch))


@dataclass(frozen=True, slots=True)
class _Layer:
    """A layer's entries and, for an optimized seekable layer, the files of its prefetch
    region (the start-up files the converter put first)."""

    entries: Sequence[TOCEntry]
    prefetch: tuple[str, ...] = ()


def _prefetch_files(toc: TOC) -> tuple[str, ...]:
    end = toc.prefetch_end
    if not end:
        return ()
    return tuple(e.name for e in toc.entries if e.chunks and e.chunks[-1].compressed_end <= end)


def _load_index(path: Path) -> _Layer | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _decode(data)


def _save_index(path: Path, layer: _Layer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, _encode(layer.entries, layer.prefetch))


# -- a plain layer, streamed once --------------------------------------------------------------


class _Pipe(io.RawIOBase):
    """Bytes handed from the event loop to a worker thread, at most ``depth`` pieces ahead.

    The loop side calls :meth:`put` (waits while the thread is behind) and :meth:`end`; the
    thread reads. When the thread stops reading (it finished or failed) :meth:`reader_gone`
    must be called on the loop, so that a waiting :meth:`put` returns and discards.
    """

    _EOF = object()

    def __init__(self, loop: asyncio.AbstractEventLoop, depth: int = _PIPE_DEPTH) -> None:
        self._loop = loop
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._slots = asyncio.Semaphore(depth)
        self._depth = depth
        self._gone = False
        self._buf = b""
        self._pos = 0
        self.consumed = 0  # compressed bytes the thread has read

    # loop side
    async def put(self, piece: bytes) -> None:
        if self._gone:
            return
        await self._slots.acquire()
        if not self._gone:
            self._queue.put(piece)

    def end(self, error: BaseException | None = None) -> None:
        self._queue.put(self._EOF if error is None else error)

    def reader_gone(self) -> None:
        self._gone = True
        for _ in range(self._depth + 1):
            self._slots.release()

    # thread side
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._pos >= len(self._buf):
            item = self._queue.get()
            if item is self._EOF:
                self._queue.put(item)
                return 0
            if isinstance(item, BaseException):
                self._queue.put(item)
                raise PullError(f"the layer stream stopped: {item}") from item
            assert isinstance(item, bytes)
            self._loop.call_soon_threadsafe(self._slots.release)
            self._buf, self._pos = item, 0
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self._buf) - self._pos)
        view[:n] = self._buf[self._pos : self._pos + n]
        self._pos += n
        self.consumed += n
        return n


def scan_layer(
    raw: io.RawIOBase,
    *,
    limits: DecompressionLimits | None = None,
    layer: str = "",
    consumed: Callable[[], int] | None = None,
    skip_names: frozenset[str] = frozenset(),
) -> list[TOCEntry]:
    """The entries of a layer blob read from ``raw`` (gzip, zstd or plain tar, sniffed), in
    stream order, each regular file's content hashed (``digest``) and skipped.

    Blocking: call it in a worker thread. ``consumed`` gives the compressed bytes read so far
    (for the ratio limit); ``skip_names`` are root entries of the layer format, not the image.
    Raises :class:`~core.errors.UnsafeContent` for a decompression bomb and
    :class:`~core.errors.TarFormatError` for a malformed stream.
    """
    limits = limits or DecompressionLimits()
    count = consumed or (lambda: 0)
    entries: list[TOCEntry] = []
    with open_decompressed(io.BufferedReader(raw, buffer_size=_PIECE)) as stream:
        produced = 0

        def read(n: int) -> bytes:
            nonlocal produced
            data = stream.read(n)
            produced += len(data)
            limits.check(produced, count(), layer=layer)
            return bytes(data)

        tar = TarStreamReader(read)
        while True:
            _, member = tar.next()
            if member is None:
                break
            etype = member.type
            digest: str | None = None
            size = 0
            if etype is EntryType.REG:
                size = member.size
                if size:
                    hasher = hashlib.sha256()
                    while piece := tar.read_payload(_PIECE):
                        hasher.update(piece)
                    digest = "sha256:" + hasher.hexdigest()
            if skip_names and normalize_name(member.name) in skip_names:
                continue
            entries.append(
                TOCEntry(
                    type=etype,
                    name=member.name,
                    link_name=(
                        normalize_name(member.link_name)
                        if etype is EntryType.HARDLINK
                        else member.link_name
                    ),
                    mode=member.mode,
                    uid=member.uid,
                    gid=member.gid,
                    uname=member.uname,
                    gname=member.gname,
                    size=size,
                    mtime_ns=member.mtime_ns,
                    dev_major=member.dev_major,
                    dev_minor=member.dev_minor,
                    digest=digest,
                )
            )
        for _ in tar.iter_trailing(_PIECE):
            pass  # to the end: the limits and the whole stream's digest cover every byte
    return entries


async def _stream_layer(
    registry: RegistryClient,
    repository: str,
    desc: Descriptor,
    index: int,
    limits: DecompressionLimits,
    on_bytes: Callable[[int], None],
) -> list[TOCEntry]:
    loop = asyncio.get_running_loop()
    pipe = _Pipe(loop)
    label = f"{index} ({desc.digest})"
    kind = _format_of(desc)
    skip = _ESTARGZ_METADATA if kind == "estargz" else frozenset()

    def work() -> list[TOCEntry]:
        try:
            return scan_layer(
                pipe, limits=limits, layer=label, consumed=lambda: pipe.consumed, skip_names=skip
            )
        finally:
            loop.call_soon_threadsafe(pipe.reader_gone)

    parsing = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        async for piece in registry.stream_blob(
            repository, desc.digest, chunk_size=_PIECE, expected_size=desc.size
        ):
            await pipe.put(piece)
            on_bytes(len(piece))
            if parsing.done():
                break  # the reader stopped early: its error (or a premature end) decides
        pipe.end()
        entries = await parsing
    except BaseException as exc:
        pipe.end(exc)
        with contextlib.suppress(BaseException):
            await parsing
        raise
    return entries


def _format_of(desc: Descriptor) -> str:
    try:
        kind = detect_format(desc.annotations)
    except CoreError:
        return ""
    return kind.value if kind is not None else ""


# -- the listing --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hidden:
    node: Node
    by: int
    how: str


def _subtree(node: Node) -> tuple[int, int]:
    """Bytes of the regular files under ``node`` (itself included) and how many entries."""
    size = files = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind is EntryType.REG:
            size += n.size
        if n.children:
            files += len(n.children)
            stack.extend(n.children.values())
    return size, files


def _walk(tree: LazyTree) -> tuple[list[str], list[Node], list[int]]:
    """Every path, its node and the index of its parent's path (``-1`` for the root), in
    one pass, parents before children (in no particular order otherwise: the entries are
    sorted by path afterwards)."""
    paths: list[str] = []
    nodes: list[Node] = []
    parents: list[int] = []
    add_path, add_node, add_parent = paths.append, nodes.append, parents.append
    stack: list[tuple[str, Node, int]] = [("", tree.root, -1)]
    pop, push = stack.pop, stack.append
    while stack:
        path, node, up = pop()
        here = len(paths)
        add_path(path)
        add_node(node)
        add_parent(up)
        kids = node.children
        if kids:
            prefix = path + "/" if path else ""
            for name, child in kids.items():
                push((prefix + name, child, here))
    return paths, nodes, parents


def build_entries(
    tree: LazyTree, profile_paths: Sequence[str] = (), link_paths: frozenset[str] = frozenset()
) -> tuple[list[FileEntry], ProfileSummary | None]:
    """The sorted entries of a merged tree, directories summed, profile files marked.

    A regular file with several paths is listed once as ``reg`` (at a path that was not a
    hard-link entry of its layer, ``link_paths``; else its first path in name order) and as
    ``hardlink`` everywhere else.
    """
    entries, summary, _children = _build_entries(tree, profile_paths, link_paths)
    return entries, summary


def _build_entries(
    tree: LazyTree, profile_paths: Sequence[str], link_paths: frozenset[str]
) -> tuple[list[FileEntry], ProfileSummary | None, dict[int, list[int]]]:
    """`build_entries`, and the rows of each directory's entries (sorted by name): what
    `ImageListing.child_rows` answers, found here from the walk's parent indexes."""
    profile: set[str] = set()
    for p in profile_paths:
        p = p.strip().lstrip("/")
        if not p:
            continue
        profile.add(p)
        with contextlib.suppress(OSError):
            real = tree.realpath(p)
            if real:
                profile.add(real)
    reg, symlink = EntryType.REG, EntryType.SYMLINK
    kinds = {t: t.value for t in EntryType}
    paths, nodes, parents = _walk(tree)
    n = len(paths)
    primary: dict[int, str] = {}
    for path, node in zip(paths, nodes, strict=True):
        if node.nlink > 1 and node.kind is reg:
            known = primary.get(node.ino)
            if known is None:
                primary[node.ino] = path
            else:
                known_link, is_link = known in link_paths, path in link_paths
                if (known_link and not is_link) or (known_link == is_link and path < known):
                    primary[node.ino] = path
    # Directory totals, bottom up: the walk lists parents before children.
    sizes = [0] * n
    counts = [0] * n
    profs = [0] * n
    marked = [False] * n
    found_files = found_bytes = 0
    for i in range(n - 1, -1, -1):
        node = nodes[i]
        if node.kind is reg:
            path = paths[i]
            main = primary.get(node.ino, path) if primary else path
            if profile and (path in profile or main in profile):
                marked[i] = True
                if main == path:
                    profs[i] = node.size
                    found_files += 1
                    found_bytes += node.size
            if main == path:
                sizes[i] = node.size
        up = parents[i]
        if up >= 0:
            sizes[up] += sizes[i]
            counts[up] += counts[i] + 1
            profs[up] += profs[i]
    order = sorted(range(n), key=paths.__getitem__)
    # Each directory's entries in listing order are its entries sorted by name (siblings
    # share the prefix up to their names).
    rank = [0] * n
    for row, i in enumerate(order):
        rank[i] = row
    children: dict[int, list[int]] = {}
    entries: list[FileEntry] = []
    append = entries.append
    for row, i in enumerate(order):
        node = nodes[i]
        path = paths[i]
        up = parents[i]
        if up >= 0:
            parent_row = rank[up]
            rows = children.get(parent_row)
            if rows is None:
                children[parent_row] = [row]
            else:
                rows.append(row)
        kind = kinds[node.kind]
        link = node.link
        size = sizes[i]
        digest = None
        if node.kind is reg:
            size = node.size
            digest = node.digest
            if primary:
                main = primary.get(node.ino, path)
                if main != path:
                    kind, link = "hardlink", main
        elif node.kind is symlink:
            size = node.size
        append(
            FileEntry(
                path,
                kind,
                size,
                node.mode,
                node.uid,
                node.gid,
                node.mtime_ns,
                link,
                node.layer,
                digest,
                counts[i],
                profs[i],
                marked[i],
            )
        )
    total_bytes = sizes[0] if n else 0
    summary = None
    if profile_paths:
        total = total_bytes
        summary = ProfileSummary(
            paths=len({p.strip().lstrip("/") for p in profile_paths if p.strip()}),
            files=found_files,
            bytes=found_bytes,
            share=found_bytes / total if total else 0.0,
        )
    return entries, summary, children


def _hidden_entries(hidden: list[_Hidden]) -> list[HiddenEntry]:
    out = []
    for h in hidden:
        size, files = _subtree(h.node)
        out.append(
            HiddenEntry(
                path=h.node.path,
                kind=h.node.kind.value,
                size=size,
                layer=h.node.layer,
                by=h.by,
                how=h.how,
                files=files,
            )
        )
    out.sort(key=lambda h: (h.path, h.by))
    return out


def build_listing(
    reference: str,
    digest: str,
    per_layer: Sequence[Sequence[TOCEntry]],
    infos: Sequence[LayerInfo],
    profile_paths: Sequence[str] = (),
    platform: str = "",
) -> ImageListing:
    """The listing of layers given as entry lists (bottom first): merged, what the layers
    hide recorded, directories summed, profile files marked. CPU-bound (about a second for
    a million entries): call it in a worker thread."""
    hidden: list[_Hidden] = []
    tree = merge_tocs(
        [_Entries(e) for e in per_layer],
        on_hide=lambda node, by, how: hidden.append(_Hidden(node, by, how)),
    )
    links = frozenset(
        normalize_name(e.name)
        for entries in per_layer
        for e in entries
        if e.type is EntryType.HARDLINK
    )
    entries, summary, children = _build_entries(tree, profile_paths, links)
    listing = ImageListing(
        reference=reference,
        digest=digest,
        layers=tuple(infos),
        entries=entries,
        hidden=_hidden_entries(hidden),
        profile=summary,
        platform=platform,
    )
    listing._children = children
    return listing


async def open_listing(
    registry: RegistryClient,
    reference: ImageReference | str,
    *,
    cache: ContentCache | None = None,
    platform: Platform = DEFAULT_PLATFORM,
    limits: DecompressionLimits | None = None,
    streams: int = 2,
    profile: bool = True,
    on_progress: ProgressCallback | None = None,
) -> ImageListing:
    """The merged file tree of ``reference`` (see the module docs).

    ``streams``: plain layers streamed at once. ``profile``: look the image's start-up
    profile up (cached, else next to the image in the registry) and mark its files.
    Progress phases: ``resolve``; ``toc`` (``done``/``total`` in layers read from TOCs or the
    cache); ``index`` (compressed bytes of the plain layers streamed, ``extra``:
    ``bytes_per_second``, ``eta_s``, ``layer``); ``merge``.
    """
    cache = cache or ContentCache()
    limits = limits or DecompressionLimits()
    emit(on_progress, Progress("resolve", 0, 1, str(reference)))
    resolved = await resolve_image(registry, reference, platform=platform)
    emit(on_progress, Progress("resolve", 1, 1, str(resolved.digest)))
    repo = resolved.reference.repository
    layers = resolved.manifest.layers
    per_layer: list[Sequence[TOCEntry]] = [() for _ in layers]
    prefetch: list[tuple[str, ...]] = [() for _ in layers]
    sources: list[LayerSourceKind] = [LayerSourceKind.CACHE for _ in layers]
    cached = await asyncio.to_thread(
        lambda: [_load_index(index_path(cache, str(d.digest))) for d in layers]
    )
    toc_layers = [
        i for i, d in enumerate(layers) if cached[i] is None and _format_of(d) and d.size > 0
    ]
    plain_layers = [i for i, d in enumerate(layers) if cached[i] is None and i not in toc_layers]
    for i, found in enumerate(cached):
        if found is not None:
            per_layer[i], prefetch[i] = found.entries, found.prefetch
    # Indexes are written while the layers are merged (encoding and compressing 100,000
    # entries takes a tenth of a second); the listing is returned once they are written.
    saves: list[asyncio.Future[None]] = []

    def save(desc: Descriptor, layer: _Layer) -> None:
        path = index_path(cache, str(desc.digest))
        saves.append(asyncio.ensure_future(asyncio.to_thread(_save_index, path, layer)))

    quick_total = len(layers) - len(plain_layers)
    quick_done = len(layers) - len(plain_layers) - len(toc_layers)
    if quick_total:
        emit(on_progress, Progress("toc", quick_done, quick_total, ""))

    async def from_toc(i: int) -> None:
        nonlocal quick_done
        desc = layers[i]

        async def fetch(start: int, end: int) -> bytes:
            return await registry.get_blob_range(repo, desc.digest, start, end - start)

        toc = await read_toc(fetch, desc.size, desc.annotations, require_verified=True)
        layer = _Layer(toc.entries, _prefetch_files(toc))
        per_layer[i], prefetch[i] = layer.entries, layer.prefetch
        sources[i] = LayerSourceKind.TOC
        save(desc, layer)
        quick_done += 1
        emit(on_progress, Progress("toc", quick_done, quick_total, str(desc.digest), {"layer": i}))

    stream_total = sum(layers[i].size for i in plain_layers)
    streamed = 0
    meter = TransferMeter(stream_total)
    limit = asyncio.Semaphore(max(1, streams))
    last_emit = 0.0

    async def from_stream(i: int) -> None:
        desc = layers[i]

        def on_bytes(n: int) -> None:
            nonlocal streamed, last_emit
            streamed += n
            now = time.monotonic()
            if now - last_emit >= 0.1 or streamed >= stream_total:
                last_emit = now
                emit(
                    on_progress,
                    Progress(
                        "index",
                        streamed,
                        stream_total,
                        str(desc.digest),
                        {"layer": i, **meter.update(streamed)},
                    ),
                )

        async with limit:
            entries = await _stream_layer(registry, repo, desc, i, limits, on_bytes)
        per_layer[i] = entries
        sources[i] = LayerSourceKind.STREAM
        save(desc, _Layer(entries))

    if plain_layers:
        emit(on_progress, Progress("index", 0, stream_total, "", {"layer": plain_layers[0]}))
    profile_task: asyncio.Task[list[str]] | None = None
    if profile:
        profile_task = asyncio.ensure_future(_profile_paths(resolved, registry, cache))
    try:
        try:
            async with asyncio.TaskGroup() as group:
                for i in toc_layers:
                    group.create_task(from_toc(i))
                for i in plain_layers:
                    group.create_task(from_stream(i))
        except BaseExceptionGroup as exc:
            raise first_error(exc) from None
        profile_paths = await profile_task if profile_task is not None else []
        profile_source = "profile" if profile_paths else ""
        if profile and not profile_paths:
            # an optimized twin carries its start-up set: its layers' prefetch regions
            profile_paths = [normalize_name(p) for layer in prefetch for p in layer]
            profile_source = "prefetch-region" if profile_paths else ""
    except BaseException:
        if profile_task is not None:
            profile_task.cancel()
            with contextlib.suppress(BaseException):
                await profile_task
        await _abandon(saves)
        raise
    infos = [
        LayerInfo(
            index=i,
            digest=str(d.digest),
            size=d.size,
            media_type=d.media_type,
            source=sources[i],
            entries=len(per_layer[i]),
            format=_format_of(d),
        )
        for i, d in enumerate(layers)
    ]
    emit(on_progress, Progress("merge", 0, 1, str(resolved.digest)))
    try:
        listing = await asyncio.to_thread(
            build_listing,
            str(resolved.reference),
            str(resolved.digest),
            per_layer,
            infos,
            profile_paths,
            str(platform),
        )
        await asyncio.gather(*saves)
    except BaseException:
        await _abandon(saves)
        raise
    emit(on_progress, Progress("merge", 1, 1, str(resolved.digest)))
    if listing.profile is not None and profile_source:
        listing.profile = replace(listing.profile, source=profile_source)
    return listing


async def _abandon(saves: Sequence[asyncio.Future[None]]) -> None:
    """Index writes of a listing that failed: let them finish (a thread cannot be stopped;
    each write is atomic) and drop their errors."""
    for save in saves:
        with contextlib.suppress(BaseException):
            await asyncio.shield(save)


async def _profile_paths(
    resolved: ResolvedImage, registry: RegistryClient, cache: ContentCache
) -> list[str]:
    try:
        return await startup_profile_for(resolved, registry, cache)
    except CoreError:
        return []  # no profile (or none readable): nothing to highlight
