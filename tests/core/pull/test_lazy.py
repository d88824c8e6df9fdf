"""Lazy pulls: identical trees to full pulls, verified chunks, fallbacks, prefetch."""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import zstandard

from core.convert import ConvertOptions, Order, convert_image
from core.errors import DigestMismatch, PullError
from core.formats import Chunk, FormatKind
from core.oci import Digest
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._lazy import LazyImage, _PieceQueue, is_lazy_pullable
from core.pull._resolve import resolve_image
from core.registry import RegistryClient
from tests.core.pull._images import entry, push_image
from tests.fixtures.registry import RunningRegistry

BIG = os.urandom(300_000)
LAYERS = [
    [
        entry("etc/", tarfile.DIRTYPE),
        entry("etc/os-release", data=b"ID=fcdesk\n"),
        entry("usr/", tarfile.DIRTYPE, mode=0o751),
        entry("usr/bin/tool", data=b"#!/bin/sh\necho tool\n", mode=0o4755),
        entry("usr/bin/alias", tarfile.SYMTYPE, linkname="tool"),
        entry("usr/bin/abs", tarfile.SYMTYPE, linkname="/etc/os-release"),
        entry("usr/bin/hard", tarfile.LNKTYPE, linkname="usr/bin/tool"),
        entry("var/cache/a", data=b"a" * 1000),
        entry("var/cache/b", data=b"b"),
        entry("opt/old/x", data=b"x"),
        entry("empty", data=b""),
        entry("lib", tarfile.SYMTYPE, linkname="usr/lib"),
        entry("usr/lib/libbig.so", data=BIG, mode=0o755),
        entry("zeros.bin", data=bytes(200_000)),
    ],
    [
        entry("var/cache/.wh.a"),
        entry("opt/old/.wh..wh..opq"),
        entry("opt/old/new", data=b"new"),
        entry("etc/os-release", data=b"ID=fcdesk\nVERSION=2\n", mode=0o600),
        entry("app/", tarfile.DIRTYPE),
        entry("app/main.py", data=b"print('hello')\n" * 100),
        entry("app/data.bin", data=os.urandom(150_000)),
    ],
]
CHUNKED = ConvertOptions(chunk_size=64 << 10, threads=1)


def disk_tree(root: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(root))
            st = full.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", stat.S_IMODE(st.st_mode), os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), None)
            else:
                digest = hashlib.sha256(full.read_bytes()).hexdigest()
                out[rel] = ("file", stat.S_IMODE(st.st_mode), digest)
    return out


async def lazy_tree(image: LazyImage) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, node in image.tree.walk():
        if not path:
            continue
        if node.kind.value == "symlink":
            out[path] = ("link", 0o777, node.link)
        elif node.is_dir:
            out[path] = ("dir", node.mode, None)
        else:
            data = await image.read(node)
            out[path] = ("file", node.mode, hashlib.sha256(data).hexdigest())
    return out


def corrupt_chunk(
    registry: RunningRegistry, layer_digest: Digest, chunk: Chunk
) -> Callable[[], None]:
    """Replace a chunk's frame in the registry's storage by a valid zstd frame of the same
    length holding other bytes; returns a function that restores the blob."""
    data_file = (
        registry.storage
        / "docker/registry/v2/blobs/sha256"
        / layer_digest.encoded[:2]
        / layer_digest.encoded
        / "data"
    )
    original = data_file.read_bytes()
    raw = bytearray(original)
    frame_len = chunk.compressed_end - chunk.compressed_offset
    fake = bytes(chunk.size)
    candidate = b""
    for level in range(1, 20):
        candidate = zstandard.ZstdCompressor(level=level).compress(
            b"\x01" + os.urandom(min(10, chunk.size - 1)) + fake[11:]
        )
        if len(candidate) <= frame_len - 8:
            break
    pad = frame_len - len(candidate) - 8
    assert pad >= 0
    candidate += b"\x50\x2a\x4d\x18" + pad.to_bytes(4, "little") + bytes(pad)
    assert len(candidate) == frame_len
    raw[chunk.compressed_offset : chunk.compressed_end] = candidate
    data_file.write_bytes(bytes(raw))

    def restore() -> None:
        data_file.write_bytes(original)

    return restore


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(distribution_registry.host) as client:
        yield client


async def _accelerated(
    registry: RegistryClient, host: str, repo: str, options: ConvertOptions = CHUNKED
) -> tuple[str, str]:
    pushed = await push_image(registry, repo, LAYERS)
    source = pushed.ref(host)
    result = await convert_image(registry, source, options=options)
    return source, result.target


@pytest.mark.parametrize("fmt", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
async def test_full_and_lazy_pulls_give_identical_trees(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    fmt: FormatKind,
) -> None:
    options = ConvertOptions(format=fmt, chunk_size=64 << 10, threads=1)
    source, target = await _accelerated(registry, distribution_registry.host, unique_repo, options)
    cache = ContentCache(tmp_path / "cache")
    full = await pull_image(registry, source, tmp_path / "full", cache=cache)
    lazy = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "lazy-cache"))
    try:
        assert is_lazy_pullable(lazy.resolved)
        expected = disk_tree(full.rootfs)
        got = await lazy_tree(lazy)
        assert got == expected
        # The accelerated image pulled in full gives the same tree too.
        full_acc = await pull_image(registry, target, tmp_path / "full-acc", cache=cache)
        assert disk_tree(full_acc.rootfs) == expected
        assert lazy.metrics.toc_bytes > 0
        assert lazy.metrics.fallbacks == 0
    finally:
        await lazy.aclose()


async def test_reads_fetch_only_needed_chunks(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    # Without the neighbourhood prefetch and read-ahead (tests/core/pull/test_neighbourhoods).
    lazy = await LazyImage.open(
        registry, target, cache=ContentCache(tmp_path / "c"), neighbours=False
    )
    try:
        node = lazy.lookup("lib/libbig.so", follow=True)  # through the symlink
        assert node.path == "usr/lib/libbig.so"
        assert len(node.chunks) > 2
        data = await lazy.read(node, 70_000, 1000)
        assert data == BIG[70_000:71_000]
        assert lazy.metrics.chunks_fetched == 1
        on_demand = lazy.metrics.on_demand_bytes
        assert 0 < on_demand < 100_000
        assert await lazy.read(node, 70_500, 10) == BIG[70_500:70_510]  # cached now
        assert lazy.metrics.on_demand_bytes == on_demand
        assert lazy.metrics.cache_hits >= 1
        # Reads spanning chunk boundaries and the end of the file.
        assert await lazy.read(node, 60_000, 20_000) == BIG[60_000:80_000]
        assert await lazy.read(node, len(BIG) - 5, 100) == BIG[-5:]
        assert await lazy.read(node, len(BIG) + 5, 100) == b""
        assert await lazy.read("zeros.bin") == bytes(200_000)
        assert lazy.readlink("usr/bin/alias") == "tool"
        assert lazy.listdir("/var/cache") == ["b"]
        assert lazy.lookup("usr/bin/hard") is lazy.lookup("usr/bin/tool")
        with pytest.raises(FileNotFoundError):
            lazy.lookup("var/cache/a")
        report = lazy.report()
        assert report["metrics"]["fetched_share"] < 0.5
    finally:
        await lazy.aclose()


async def test_background_fill_completes_the_cache(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    cache = ContentCache(tmp_path / "c")
    lazy = await LazyImage.open(registry, target, cache=cache)
    try:
        fetched = await lazy.start_background_fill()
        assert fetched > 0
        assert lazy.metrics.background_bytes > 0
        requests = lazy.metrics.range_requests
        # Everything is local now: reading the whole image needs no request.
        await lazy_tree(lazy)
        assert lazy.metrics.range_requests == requests
    finally:
        await lazy.aclose()
    # A second image over the same cache starts with every chunk present.
    again = await LazyImage.open(registry, target, cache=cache)
    try:
        await lazy_tree(again)
        assert again.metrics.chunks_fetched == 0
        assert again.metrics.cache_hits > 0
    finally:
        await again.aclose()


async def test_corrupted_chunk_in_the_registry_is_never_served(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    resolved = await resolve_image(registry, target)
    lazy = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    node = lazy.lookup("usr/lib/libbig.so")
    chunk = node.chunks[1]
    layer = resolved.manifest.layers[node.layer]
    restore = corrupt_chunk(distribution_registry, layer.digest, chunk)
    try:
        with pytest.raises(DigestMismatch):
            await lazy.read(node, chunk.offset, 100)
        assert lazy.metrics.digest_retries == 1
        assert not lazy.cache.has_chunk(chunk.digest or "")
        # Other chunks of the same file are still served, verified.
        assert await lazy.read(node, 0, 100) == BIG[:100]
    finally:
        await lazy.aclose()
        restore()  # the registry shares blobs between repositories


class _IgnoreRange(httpx.AsyncBaseTransport):
    """A registry front that drops the Range header of blob requests."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.blob_gets = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/blobs/" in request.url.path and request.method == "GET":
            self.blob_gets += 1
            headers = {k: v for k, v in request.headers.items() if k.lower() != "range"}
            request = httpx.Request(request.method, request.url, headers=headers)
            response = await self.inner.handle_async_request(request)
            # The client still sees its own request (with Range) on the response.
            return response
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_registry_ignoring_range_falls_back_to_whole_blob(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    transport = _IgnoreRange()
    async with httpx.AsyncClient(transport=transport) as http:
        client = RegistryClient(distribution_registry.host, http=http)
        lazy = await LazyImage.open(client, target, cache=ContentCache(tmp_path / "c"))
        try:
            assert lazy.metrics.fallbacks == 2  # one per layer, counted
            assert all(s.fell_back for s in lazy.sources)
            got = await lazy_tree(lazy)
            assert got["usr/lib/libbig.so"][2] == hashlib.sha256(BIG).hexdigest()
            assert lazy.metrics.fallback_bytes == lazy.metrics.image_size
        finally:
            await lazy.aclose()


async def test_plain_image_is_not_lazily_pullable(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    pushed = await push_image(registry, unique_repo, LAYERS)
    with pytest.raises(PullError) as info:
        await LazyImage.open(
            registry, pushed.ref(distribution_registry.host), cache=ContentCache(tmp_path / "c")
        )
    assert info.value.code == "NotSeekable"


async def test_prefetch_optimized_and_preserve(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    profile = ("app/main.py", "usr/bin/tool", "etc/os-release")
    pushed = await push_image(registry, unique_repo, LAYERS)
    source = pushed.ref(distribution_registry.host)
    opt = await convert_image(
        registry,
        source,
        f"{distribution_registry.host}/{unique_repo}:opt",
        options=ConvertOptions(
            order=Order.OPTIMIZED, profile=profile, chunk_size=64 << 10, threads=1
        ),
    )
    pre = await convert_image(registry, source, options=CHUNKED)
    for target, with_profile in ((opt.target, False), (pre.target, True)):
        lazy = await LazyImage.open(
            registry, target, cache=ContentCache(tmp_path / target.rsplit(":", 1)[1])
        )
        try:
            result = await lazy.prefetch(profile if with_profile else ())
            assert result.bytes > 0
            if not with_profile:
                assert result.layers_with_region == 2
            requests = lazy.metrics.range_requests
            for path in profile:
                await lazy.read(path)
            assert lazy.metrics.range_requests == requests, target  # all prefetched
            assert lazy.metrics.on_demand_fetches == 0
            # The big file was not part of the start-up set.
            assert lazy.metrics.prefetch_bytes < lazy.metrics.image_size / 2
        finally:
            await lazy.aclose()


async def _optimized(
    registry: RegistryClient, host: str, repo: str, profile: tuple[str, ...]
) -> str:
    pushed = await push_image(registry, repo, LAYERS)
    result = await convert_image(
        registry,
        pushed.ref(host),
        f"{host}/{repo}:opt",
        options=ConvertOptions(
            order=Order.OPTIMIZED, profile=profile, chunk_size=64 << 10, threads=1
        ),
    )
    return result.target


async def test_streamed_prefetch_serves_reads_while_it_arrives(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    profile = ("usr/lib/libbig.so", "app/data.bin", "app/main.py")
    target = await _optimized(registry, distribution_registry.host, unique_repo, profile)
    lazy = await LazyImage.open(
        registry,
        target,
        cache=ContentCache(tmp_path / "c"),
        stream_prefetch=True,
        piece=32 << 10,
        window=2,
    )
    try:
        task = lazy.start_prefetch()
        # Reads issued right away wait for the streamed chunks rather than fetching them.
        data = await lazy.read("usr/lib/libbig.so")
        assert data == BIG
        assert await lazy.read("app/main.py") == b"print('hello')\n" * 100
        result = await task
        assert result.layers_with_region == 2
        assert lazy.metrics.on_demand_fetches == 0
        assert lazy.metrics.on_demand_bytes == 0
        assert lazy.metrics.prefetch_bytes >= len(BIG) // 2
        # The region came in many small requests.
        assert lazy.metrics.range_requests > 4
    finally:
        await lazy.aclose()


async def test_streamed_prefetch_never_serves_a_corrupted_chunk(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    profile = ("usr/lib/libbig.so",)
    target = await _optimized(registry, distribution_registry.host, unique_repo, profile)
    probe = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "probe"))
    node = probe.lookup("usr/lib/libbig.so")
    chunk = node.chunks[1]
    layer = probe.resolved.manifest.layers[node.layer]
    await probe.aclose()
    restore = corrupt_chunk(distribution_registry, layer.digest, chunk)
    lazy = await LazyImage.open(
        registry, target, cache=ContentCache(tmp_path / "c"), stream_prefetch=True, piece=32 << 10
    )
    try:
        task = lazy.start_prefetch()
        with pytest.raises(DigestMismatch):
            await lazy.read(node.path, chunk.offset, 10)
        assert await lazy.read(node.path, 0, 100) == BIG[:100]
        with pytest.raises(DigestMismatch):
            await task
        assert lazy.metrics.digest_retries == 1
        assert not lazy.cache.has_chunk(chunk.digest or "")
    finally:
        await lazy.aclose()
        restore()


async def test_a_read_waiting_for_the_stream_moves_its_layer_forward(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader that waits for chunks of a streamed region tells the stream which layer and
    how far (``_PieceQueue.bump``), and still gets verified bytes."""
    calls: list[tuple[int, int]] = []
    original = _PieceQueue.bump

    def spy(self: _PieceQueue, layer: int, upto: int) -> None:
        calls.append((layer, upto))
        original(self, layer, upto)

    monkeypatch.setattr(_PieceQueue, "bump", spy)
    profile = ("usr/lib/libbig.so", "app/data.bin", "app/main.py")
    target = await _optimized(registry, distribution_registry.host, unique_repo, profile)
    lazy = await LazyImage.open(
        registry,
        target,
        cache=ContentCache(tmp_path / "c"),
        stream_prefetch=True,
        piece=32 << 10,
        window=1,
    )
    try:
        node = lazy.lookup("usr/lib/libbig.so")
        last = node.chunks[-1]
        assert await lazy.read(node, last.offset, last.size) == BIG[last.offset :]
        assert (node.layer, last.compressed_end) in calls
        await lazy.start_prefetch()
        assert lazy.metrics.on_demand_fetches == 0
    finally:
        await lazy.aclose()
