"""Fetching what a lazy image will read next, learnt from what it reads (no profile needed).

An image converted in *preserve* order keeps its tar order: a package's files sit together in
the blob, directory by directory. A process that reads one file of a directory usually reads
others of it soon after (a Python package's ``__pycache__``, a library's plugins, a locale's
tables), one round trip each if nothing is done about it. So when a read misses (its chunks
had to be fetched), or lands on a file fetched by an earlier guess, :class:`Neighbourhoods`
queues the file's *neighbourhood*: the other small files of the same directory that come from
the same layer and are neither cached nor being fetched, nearest in the blob first, up to the
directory's window of compressed bytes. The window follows what the guesses are worth, as a
kernel's read-ahead does: ``first_span`` for a directory's first miss, doubled (up to
``span_bytes``) each time the process reads a file a guess brought in, halved (down to
``min_span``) when the process misses again in a directory whose last guess it has not
touched. A package's ``__pycache__`` read through costs a few requests; a directory of
unrelated libraries, of which the process loads three, costs a few small guesses. The files
read so far thus become a prefetch stream: the
queue is served newest first (the directory just entered is the likeliest to be read next),
``window`` requests at a time, each a few coalesced ranges. A reader that reaches a file
whose chunks are in flight waits for them instead of fetching them again (the layer's pending
chunks), and a wrong guess costs only its bytes: nothing waits for it.

A read that misses in a file of several chunks also fetches the rest of the file (up to
``READ_AHEAD`` compressed bytes past the chunks read): a shared library mapped into memory
faults its pages in one after another, each a round trip otherwise.

Misses are also counted against the directories above (up to ``SUBTREE_LEVELS`` up, in
subtrees of at most ``SUBTREE_FILES`` files), per kind of file: once a subtree's misses of
one kind have cost about as much as fetching its small files of that kind (same suffix:
``.pyc``, ``.json``, ``.so``, none for time zones …), they are all fetched (a rent-or-buy
rule: a miss costs a round trip, about ``MISS_COST`` bytes of transfer at 100 Mbit/s and
20 ms). A process that imports a
package's modules one by one from its subpackages, reads each package's ``package.json``
on its way through ``node_modules``, or reads one time zone from each region, then stops
paying a round trip for each; one that reads a few files of a large tree never
reaches the price of the tree.

A file the process reads also says what it reads next: the modules a script requires or
imports, the libraries a program needs (:mod:`core.pull._hints`). Once its bytes are in, its
names are resolved in the tree and those files are fetched together, ahead of the process
(``HINT_WINDOW`` requests at a time, in the order found); the files a script or package
manifest names are read for names in turn as they arrive (``HINT_DEPTH`` deep), so a chain of
``require`` calls costs about a round trip per level instead of one per file, and the
libraries of a program arrive while the loader is still reading its header. What the names
bring is bounded per file and per image (``HINT_PER_FILE``, ``HINT_TOTAL``).

Speculative fetches travel in requests of about a mebibyte, a few at once, each released to
readers as it lands: a reader waiting for one file of a guess waits for its piece, not for the
whole guess.

Reads of an optimized layer's prefetch region are not misses, so a start-up that the region
covers triggers nothing.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import posixpath
from collections.abc import Sequence

from core.errors import CoreError
from core.formats import Chunk, EntryType
from core.pull._fetch import LayerSource
from core.pull._hints import References, elf_dynamic, elf_needed, kind_of
from core.pull._tree import LazyTree, Node
from core.pull._util import chunk_thread

__all__ = ["Neighbourhoods"]

#: Compressed bytes fetched around a directory's first miss (about 20 ms at 100 Mbit/s, one
#: round trip's worth), at most once the window has grown, at least once it has shrunk.
FIRST_SPAN = 256 << 10
SPAN_BYTES = 2 << 20
MIN_SPAN = 32 << 10
#: Files larger than this (compressed) are left to their own reads.
FILE_MAX = 256 << 10
#: Guesses in flight at once; on-demand reads do not wait behind them.
WINDOW = 2
#: What a miss costs, in bytes of transfer it could have paid for instead (one RTT and the
#: request's own latency, about 40 ms at 100 Mbit/s).
MISS_COST = 256 << 10
#: A large file whose read misses has the rest of its chunks fetched too, up to this many
#: compressed bytes (a library mapped into memory faults its pages in, chunk after chunk).
READ_AHEAD = 8 << 20
#: How far up misses are counted, and the largest subtree (files) counted.
SUBTREE_LEVELS = 4
SUBTREE_FILES = 50_000
#: The most a subtree fetch takes (compressed bytes).
SUBTREE_BYTES = 16 << 20
#: Gaps up to this size between the files of a neighbourhood are fetched with them (more
#: would fetch again files an earlier guess brought in; the ranges travel together anyway,
#: up to 32 in one multi-range request).
GAP = 32 << 10
#: Neighbourhoods waiting at most (the oldest are dropped: the process has moved on).
QUEUE_MAX = 64
#: Files named by a file being read (see core.pull._hints): the most of each that is
#: fetched (compressed bytes; libraries a program needs more, as the loader maps them
#: whole), the most one
#: scanned file brings, all of them together, and how far names found in files not read yet
#: are followed (a module's requires are read right after it).
HINT_FILE_BYTES = 2 << 20
HINT_LIBRARY_BYTES = 8 << 20
HINT_SCAN_BYTES = 4 << 20
HINT_PER_FILE = 8 << 20
HINT_TOTAL = 48 << 20
HINT_DEPTH = {"js": 8, "json": 8, "elf": 3, "py": 0}
#: The most of a library's string table read for the names of the libraries it needs.
ELF_NAMES_BYTES = 1 << 20
#: Fetches of named files in flight at once.
HINT_WINDOW = 4
#: Files up to this size are scanned on the event loop (a thread hop costs more).
HINT_INLINE_BYTES = 256 << 10


class _Candidate:
    __slots__ = ("end", "node", "start")

    def __init__(self, start: int, end: int, node: Node) -> None:
        self.start = start
        self.end = end
        self.node = node


class Neighbourhoods:
    """The neighbourhood prefetch of one lazy image (see the module docs)."""

    def __init__(
        self,
        tree: LazyTree,
        sources: Sequence[LayerSource],
        *,
        first_span: int = FIRST_SPAN,
        span_bytes: int = SPAN_BYTES,
        min_span: int = MIN_SPAN,
        file_max: int = FILE_MAX,
        window: int = WINDOW,
        hints: bool = True,
    ) -> None:
        self.tree = tree
        self.sources = sources
        self.first_span = first_span
        self.span_bytes = span_bytes
        self.min_span = min_span
        #: The window of each directory (by its inode and the layer read).
        self._windows: dict[tuple[int, int], int] = {}
        #: Directories whose last guess the process has read from since.
        self._paid: set[tuple[int, int]] = set()
        #: The directory each guessed file was guessed for.
        self._guessed_in: dict[int, tuple[int, int]] = {}
        self.file_max = file_max
        self.window = max(1, window)
        self._queue: list[tuple[LayerSource, list[Chunk]]] = []
        #: Files read, or taken into a neighbourhood already.
        self._taken: set[int] = set()
        #: Files fetched by a guess (a read of one extends the stream).
        self._guessed: set[int] = set()
        self._dirs: dict[tuple[int, int], list[_Candidate]] = {}
        #: Per (directory, layer) above misses: misses counted, suffixes read, and its small
        #: files (None: too large a subtree, or fetched already).
        self._misses: dict[tuple[tuple[int, int], str], int] = {}
        self._subtrees: dict[tuple[int, int], dict[str, tuple[int, list[Node]]] | None] = {}
        self.miss_cost = MISS_COST
        self.read_ahead = READ_AHEAD
        #: Files whose rest is being read ahead already.
        self._ahead: set[int] = set()
        self._workers: set[asyncio.Task[None]] = set()
        self._closed = False
        self.spans = 0
        self.hits = 0
        #: The names files say are read next (None: off).
        self.references: References | None = References(tree) if hints else None
        self._scanned: set[int] = set()
        self._scans: set[asyncio.Task[None]] = set()
        self._hint_queue: collections.deque[tuple[LayerSource, list[Chunk], list[Node], int]] = (
            collections.deque()
        )
        self._hint_workers: set[asyncio.Task[None]] = set()
        self.hinted = 0
        self.hint_bytes = 0

    def read(self, node: Node, *, missed: bool, chunks: Sequence[Chunk] = ()) -> None:
        """``node`` is being read (``chunks`` of it); ``missed``: they had to be fetched."""
        if self._closed or not node.is_regular:
            return
        if self.references is not None and node.ino not in self._scanned:
            self._scan_later(node, 0)
        if missed and chunks and len(node.chunks) > len(chunks):
            self._read_ahead(node, chunks)
        hit = node.ino in self._guessed
        if hit:
            self.hits += 1
            self._guessed.discard(node.ino)
            key = self._guessed_in.pop(node.ino, None)
            if key is not None and key not in self._paid:
                self._paid.add(key)
                window = self._windows.get(key, self.first_span)
                self._windows[key] = min(2 * window, self.span_bytes)
        first = node.ino not in self._taken
        self._taken.add(node.ino)
        if not (missed or hit) or not (first or hit):
            return
        if missed and first:
            subtree = self._subtree(node)
            if subtree is not None:
                self._guess(*subtree)
                return
        span = self._span(node)
        if span is not None:
            self._guess(*span)

    def _read_ahead(self, node: Node, chunks: Sequence[Chunk]) -> None:
        if node.ino in self._ahead:
            return
        self._ahead.add(node.ino)
        last = max(c.offset for c in chunks)
        rest: list[Chunk] = []
        budget = self.read_ahead
        for c in node.chunks:
            if c.offset > last and budget > 0:
                rest.append(c)
                budget -= c.compressed_end - c.compressed_offset
        if rest:
            self._enqueue(self.sources[node.layer], rest)

    def _guess(self, source: LayerSource, key: tuple[int, int], nodes: list[Node]) -> None:
        self._guessed.update(n.ino for n in nodes)
        for n in nodes:
            self._guessed_in[n.ino] = key
        self._enqueue(source, [c for n in nodes for c in n.chunks])

    def _enqueue(self, source: LayerSource, chunks: list[Chunk]) -> None:
        self._queue.append((source, chunks))
        if len(self._queue) > QUEUE_MAX:
            del self._queue[0]
        self.spans += 1
        while len(self._workers) < self.window and self._queue:
            task = asyncio.ensure_future(self._work())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    def _subtree(self, node: Node) -> tuple[LayerSource, tuple[int, int], list[Node]] | None:
        """Count a miss of ``node`` in the directories above it, per kind of file; the files
        of that kind in the highest one whose misses of that kind now pay for them, if any
        (see the module docs). A few dictionary lookups per level: each subtree's files are
        grouped by kind once."""
        kind = posixpath.splitext(node.path)[1]
        parts = node.path.split("/")[:-1]
        chosen: tuple[int, int] | None = None
        for level in range(min(SUBTREE_LEVELS, len(parts))):
            path = "/".join(parts[: len(parts) - level])
            try:
                directory = self.tree.lookup(path)
            except OSError:
                break
            key = (directory.ino, node.layer)
            by_kind = self._files_below(directory, key)
            if by_kind is None or kind not in by_kind:
                continue
            counted = (key, kind)
            misses = self._misses[counted] = self._misses.get(counted, 0) + 1
            # What that kind costs there in all (files taken since are not subtracted: the
            # estimate errs on the side of buying later).
            cost = by_kind[kind][0]
            if cost <= SUBTREE_BYTES and misses * self.miss_cost >= cost:
                chosen = key
        if chosen is None:
            return None
        by_kind = self._subtrees[chosen]
        assert by_kind is not None
        _, nodes = by_kind.pop(kind)  # bought: counted no more
        taken = self._taken
        wanted = sorted(
            (n for n in nodes if n.ino not in taken), key=lambda n: n.chunks[0].compressed_offset
        )
        source = self.sources[node.layer]
        picked = [n for n in wanted if source.absent(n.chunks)]
        taken.update(n.ino for n in wanted)
        return (source, chosen, picked) if picked else None

    def _files_below(
        self, directory: Node, key: tuple[int, int]
    ) -> dict[str, tuple[int, list[Node]]] | None:
        """The small regular files of ``directory``'s subtree from layer ``key[1]``, by kind
        (suffix): their total compressed size and the files; None for too large a subtree
        (or one bought already)."""
        if key in self._subtrees:
            return self._subtrees[key]
        files: dict[str, tuple[int, list[Node]]] | None = {}
        stack = [directory]
        seen = 0
        while stack and files is not None:
            for child in (stack.pop().children or {}).values():
                seen += 1
                if seen > SUBTREE_FILES:
                    files = None
                    break
                if child.children is not None:
                    stack.append(child)
                elif child.kind is EntryType.REG and child.layer == key[1] and child.chunks:
                    size = sum(c.compressed_end - c.compressed_offset for c in child.chunks)
                    if size <= self.file_max:
                        suffix = posixpath.splitext(child.path)[1]
                        total, nodes = files.get(suffix, (0, []))
                        nodes.append(child)
                        files[suffix] = (total + size, nodes)
        self._subtrees[key] = files
        return files

    def _candidates(self, node: Node) -> tuple[tuple[int, int], list[_Candidate]]:
        """Small regular files of ``node``'s directory from ``node``'s layer, by blob offset,
        and the directory's key."""
        try:
            parent = self.tree.lookup(posixpath.dirname(node.path))
        except OSError:
            return (0, node.layer), []
        key = (parent.ino, node.layer)
        found = self._dirs.get(key)
        if found is None:
            found = []
            for child in (parent.children or {}).values():
                chunks = child.chunks
                if child.kind is not EntryType.REG or child.layer != node.layer or not chunks:
                    continue
                start = min(c.compressed_offset for c in chunks)
                end = max(c.compressed_end for c in chunks)
                if end - start <= self.file_max:
                    found.append(_Candidate(start, end, child))
            found.sort(key=lambda c: c.start)
            self._dirs[key] = found
        return key, found

    def _span(self, node: Node) -> tuple[LayerSource, tuple[int, int], list[Node]] | None:
        key, candidates = self._candidates(node)
        if not candidates:
            return None
        budget = self._windows.get(key)
        if budget is None:
            budget = min(self.first_span, self.span_bytes)
        elif key not in self._paid:
            # Missed again here and the last guess was not read from: guess less.
            budget = max(budget // 2, self.min_span)
        self._windows[key] = budget
        self._paid.discard(key)
        source = self.sources[node.layer]
        anchor = min(c.compressed_offset for c in node.chunks) if node.chunks else 0
        starts = [c.start for c in candidates]
        hi = bisect.bisect_right(starts, anchor)
        lo = hi - 1
        if lo >= 0 and candidates[lo].node is node:
            lo -= 1
        picked: list[Node] = []
        while budget > 0 and (lo >= 0 or hi < len(candidates)):
            # Nearest in the blob first, on either side.
            after = candidates[hi].start - anchor if hi < len(candidates) else None
            before = anchor - candidates[lo].end if lo >= 0 else None
            if before is None or (after is not None and after <= before):
                candidate = candidates[hi]
                hi += 1
            else:
                candidate = candidates[lo]
                lo -= 1
            other = candidate.node
            if other.ino in self._taken:
                continue
            self._taken.add(other.ino)
            if not source.absent(other.chunks):
                continue
            picked.append(other)
            budget -= candidate.end - candidate.start
        return (source, key, picked) if picked else None

    def _scan_later(self, node: Node, depth: int) -> None:
        kind = kind_of(node.path)
        if kind is None or not node.chunks or self.hint_bytes >= HINT_TOTAL:
            return
        toc = self.sources[node.layer].toc
        end = toc.prefetch_end if toc is not None else None
        if end and node.chunks[0].compressed_end <= end:
            return  # in the layer's start-up region: the profile brings what follows
        self._scanned.add(node.ino)
        task = asyncio.ensure_future(self._scan(node, kind, depth))
        self._scans.add(task)
        task.add_done_callback(self._scans.discard)

    async def _scan(self, node: Node, kind: str, depth: int) -> None:
        """Read the names in ``node`` (once its bytes are in) and fetch the files they
        resolve to, together; follow them ``HINT_DEPTH`` files deep."""
        references = self.references
        assert references is not None
        source = self.sources[node.layer]
        leading: list[Chunk] = []
        size = 0
        for c in node.chunks:
            # An executable or library is scanned as far as its reads brought it in (a
            # file without a suffix may be anything: nothing is fetched to find out).
            if size >= HINT_SCAN_BYTES or (kind == "elf" and source.absent([c])):
                break
            leading.append(c)
            size += c.size
        if not leading:
            return
        found: list[Node] = []
        extra: list[Node] = []
        try:
            # Usually already being fetched by the read that reported the file.
            await source.ensure(leading, purpose="speculative", gap=GAP)
            if kind == "elf":
                pass  # its names come from its dynamic section, below
            elif size <= HINT_INLINE_BYTES:  # a regular expression over a small module
                found, extra = self._names_in(node, leading)
            else:
                found, extra = await chunk_thread(self._names_in, node, leading)
        except (CoreError, OSError):
            return
        if self._closed:
            return
        if kind == "elf":
            with contextlib.suppress(CoreError, OSError, ValueError):
                found.extend(await self._needed(node, leading))
        if self._closed:
            return
        # Only the files named are read for names in turn (reading every module of each
        # package fetched whole too brought more than the process read: node-api, 9.1-9.9 s
        # against 7.6-7.8 s).
        precise = {n.ino for n in found}
        found.extend(n for n in extra if n.ino not in precise)
        per_layer: dict[int, tuple[list[Chunk], list[Node]]] = {}
        budget = HINT_PER_FILE
        follow = depth < HINT_DEPTH.get(kind, 0)
        for other in found:
            if budget <= 0 or self.hint_bytes >= HINT_TOTAL:
                break
            other_source = self.sources[other.layer]
            if not other_source.absent(other.chunks):
                if follow and other.ino in precise and other.ino not in self._scanned:
                    self._scan_later(other, depth + 1)
                continue
            cap = HINT_LIBRARY_BYTES if kind == "elf" else HINT_FILE_BYTES
            chunks, then = per_layer.setdefault(other.layer, ([], []))
            for c in other.chunks:
                cost = c.compressed_end - c.compressed_offset
                if cap <= 0:
                    break
                chunks.append(c)
                cap -= cost
                budget -= cost
                self.hint_bytes += cost
            self.hinted += 1
            self._taken.add(other.ino)
            if follow and other.ino in precise and other.ino not in self._scanned:
                then.append(other)
        for layer, (chunks, then) in per_layer.items():
            self._hint_queue.append((self.sources[layer], chunks, then, depth + 1))
        while len(self._hint_workers) < HINT_WINDOW and self._hint_queue:
            task = asyncio.ensure_future(self._hint_work())
            self._hint_workers.add(task)
            task.add_done_callback(self._hint_workers.discard)

    async def _hint_work(self) -> None:
        """Fetch the named files, oldest first (the process reads them in about the order
        their names were found); then read the names in those (see ``HINT_DEPTH``)."""
        while self._hint_queue and not self._closed:
            source, chunks, then, depth = self._hint_queue.popleft()
            with contextlib.suppress(CoreError, OSError):
                if await source.ensure(chunks, purpose="speculative", gap=GAP):
                    source.metrics.speculative_fetches += 1
            for node in then:
                if node.ino not in self._scanned:
                    self._scan_later(node, depth)

    def _bytes(self, node: Node, chunks: Sequence[Chunk]) -> bytes | None:
        """The cached bytes of ``chunks`` of ``node``, joined (None if one is missing)."""
        parts = []
        for c in chunks:
            if c.zeros:
                parts.append(bytes(c.size))
                continue
            assert c.digest is not None
            data = self.sources[node.layer].cache.get_chunk(c.digest)
            if data is None:
                return None
            parts.append(data)
        return b"".join(parts)

    def _names_in(self, node: Node, chunks: Sequence[Chunk]) -> tuple[list[Node], list[Node]]:
        data = self._bytes(node, chunks)
        references = self.references
        assert references is not None
        if data is None:
            return [], []
        found = references.scan(node, data)
        return found, references.extra

    async def _range(self, node: Node, offset: int, size: int) -> bytes:
        """Bytes ``[offset, offset+size)`` of ``node``, fetched as a guess when missing."""
        chunks = node.chunks_for(offset, size)
        if not chunks:
            return b""
        await self.sources[node.layer].ensure(chunks, purpose="speculative", gap=GAP)
        data = await chunk_thread(self._bytes, node, chunks)
        if data is None:
            return b""
        base = offset - chunks[0].offset
        return data[base : base + size]

    async def _needed(self, node: Node, leading: Sequence[Chunk]) -> list[Node]:
        """The libraries a program or library needs (its ``DT_NEEDED`` entries): the
        dynamic section and the names are read from the file, a chunk or two each."""
        head = self._bytes(node, leading[:1])
        where = elf_dynamic(head or b"")
        if where is None:
            return []
        offset, size, loads = where
        strtab, offsets = elf_needed(await self._range(node, offset, size), loads)
        if not offsets:
            return []
        low = strtab + min(offsets)
        high = min(strtab + max(offsets) + 256, low + ELF_NAMES_BYTES)
        text = await self._range(node, low, high - low)
        names = []
        for o in offsets:
            start = strtab + o - low
            end = text.find(b"\0", start)
            if 0 <= start < end:
                names.append(text[start:end].decode("utf-8", "replace"))
        references = self.references
        assert references is not None
        return references.libraries(node, names)

    async def _work(self) -> None:
        while self._queue and not self._closed:
            source, chunks = self._queue.pop()  # newest first
            with contextlib.suppress(CoreError, OSError):
                # A failed guess costs nothing more: a reader fetches (and reports) on demand.
                if await source.ensure(chunks, purpose="speculative", gap=GAP):
                    source.metrics.speculative_fetches += 1

    async def settled(self) -> None:
        """Wait until every queued neighbourhood was fetched (or failed)."""
        while self._workers or self._scans or self._hint_workers:
            await asyncio.gather(
                *self._workers, *self._scans, *self._hint_workers, return_exceptions=True
            )

    async def aclose(self) -> None:
        self._closed = True
        self._queue.clear()
        self._hint_queue.clear()
        workers = [*self._workers, *self._scans, *self._hint_workers]
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
