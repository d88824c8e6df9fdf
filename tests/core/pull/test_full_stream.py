"""Full pulls unpack each layer while it downloads, and still publish nothing unverified."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.errors import CoreError, DigestMismatch
from core.pull import _full
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._unpack import UnpackStats, unpack_layer
from core.registry import RegistryClient
from tests.core.pull._images import entry, push_image
from tests.core.pull.test_lazy import disk_tree
from tests.fixtures.registry import RunningRegistry

# 20 MB, incompressible: more than the 8 MiB the download writes to the cache at a time.
FILES = [(f"data/f{i:04}", os.urandom(20_000)) for i in range(1000)]
LAYERS = [
    [entry("data/", tarfile.DIRTYPE), *(entry(name, data=data) for name, data in FILES)],
    [entry("data/.wh.f0001"), entry("top", data=b"top layer\n")],
]


class _GatedStream(httpx.AsyncByteStream):
    """A response body that stops after ``first`` bytes until ``gate`` is set."""

    def __init__(self, inner: httpx.AsyncByteStream, gate: asyncio.Event, first: int) -> None:
        self.inner = inner
        self.gate = gate
        self.first = first

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        async for piece in self.inner:
            if sent < self.first <= sent + len(piece):
                cut = self.first - sent
                yield piece[:cut]
                await self.gate.wait()
                piece = piece[cut:]
            sent += len(piece)
            if piece:
                yield piece

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Gate(httpx.AsyncBaseTransport):
    """Holds the rest of one blob's download after its first bytes."""

    def __init__(self, digest: str, first: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.digest = digest
        self.first = first
        self.gate = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "GET" and self.digest in request.url.path:
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = _GatedStream(response.stream, self.gate, self.first)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(distribution_registry.host) as client:
        yield client


def _staged(parent: Path, name: str) -> bool:
    return any((p / name).is_file() for p in parent.glob(".rootfs.partial-*"))


async def test_a_layer_is_unpacked_while_it_downloads(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    pushed = await push_image(registry, unique_repo, LAYERS)
    bottom = pushed.manifest.layers[0]
    gate = _Gate(bottom.digest.encoded, bottom.size * 2 // 3)
    async with (
        httpx.AsyncClient(transport=gate) as http,
        RegistryClient(distribution_registry.host, http=http) as gated,
    ):
        pull = asyncio.ensure_future(
            pull_image(
                gated,
                pushed.ref(distribution_registry.host),
                tmp_path / "rootfs",
                cache=ContentCache(tmp_path / "c"),
            )
        )
        try:
            # The download is held two thirds of the way: the first files must be unpacked
            # already (a pull that waits for whole blobs never gets there; the bound only
            # ends that failure sooner than the suite's timeout).
            async with asyncio.timeout(120):
                while not await asyncio.to_thread(_staged, tmp_path, FILES[0][0]):
                    assert not pull.done(), pull
                    await asyncio.sleep(0.01)
            assert not (tmp_path / "rootfs").exists()
        finally:
            gate.gate.set()
        result = await pull
    assert result.layers[0].streamed
    assert result.layers[0].stats.files == len(FILES)
    assert result.layers[0].stats.compressed_bytes == bottom.size
    # The oracle: GNU tar applying the same layers (whiteout by hand).
    expected = tmp_path / "tar"
    expected.mkdir()
    for blob in pushed.layers:
        await asyncio.to_thread(
            subprocess.run, ["tar", "-xzf", "-", "-C", str(expected)], input=blob, check=True
        )
    (expected / "data/.wh.f0001").unlink()
    (expected / "data/f0001").unlink()
    assert disk_tree(result.rootfs) == disk_tree(expected)


async def test_a_blob_that_does_not_match_its_digest_publishes_nothing(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """The unpacker reads bytes before the download could check them: a blob altered in
    the registry fails the pull and leaves neither the root filesystem nor its staging."""
    pushed = await push_image(registry, unique_repo, LAYERS)
    digest = pushed.manifest.layers[0].digest
    data_file = (
        distribution_registry.storage
        / "docker/registry/v2/blobs/sha256"
        / digest.encoded[:2]
        / digest.encoded
        / "data"
    )
    raw = bytearray(data_file.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data_file.write_bytes(bytes(raw))
    with pytest.raises(CoreError):
        await pull_image(
            registry,
            pushed.ref(distribution_registry.host),
            tmp_path / "rootfs",
            cache=ContentCache(tmp_path / "c"),
        )
    assert not (tmp_path / "rootfs").exists()
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob(".rootfs.partial-*")))
    assert not ContentCache(tmp_path / "c").has_blob(digest)


async def test_a_rotten_blob_is_reported_as_a_digest_mismatch_not_as_what_it_broke(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The registry serves bytes that are not the blob: the unpacker, reading them as they
    arrive, fails first (here on the first bytes: not a gzip stream), but the cause the pull
    reports is the blob's digest mismatch, found once the download ends."""
    pushed = await push_image(registry, unique_repo, LAYERS)
    bottom = pushed.manifest.layers[0]
    data_file = (
        distribution_registry.storage
        / "docker/registry/v2/blobs/sha256"
        / bottom.digest.encoded[:2]
        / bottom.digest.encoded
        / "data"
    )
    raw = bytearray(data_file.read_bytes())
    raw[0] ^= 0xFF  # the gzip magic
    data_file.write_bytes(bytes(raw))
    unpack_failed = asyncio.Event()
    real_unpack = unpack_layer

    async def observed_unpack(*args: Any, **kwargs: Any) -> UnpackStats:
        try:
            return await real_unpack(*args, **kwargs)
        except Exception:
            unpack_failed.set()
            raise

    monkeypatch.setattr(_full, "unpack_layer", observed_unpack)
    gate = _Gate(bottom.digest.encoded, bottom.size * 2 // 3)
    async with (
        httpx.AsyncClient(transport=gate) as http,
        RegistryClient(distribution_registry.host, http=http) as gated,
    ):
        pull = asyncio.ensure_future(
            pull_image(
                gated,
                pushed.ref(distribution_registry.host),
                tmp_path / "rootfs",
                cache=ContentCache(tmp_path / "c"),
            )
        )
        try:
            # The download is held two thirds of the way; the unpacker fails on what it got.
            async with asyncio.timeout(120):
                await asyncio.wait(
                    [pull, asyncio.ensure_future(unpack_failed.wait())],
                    return_when=asyncio.FIRST_COMPLETED,
                )
            assert unpack_failed.is_set()
        finally:
            gate.gate.set()
        with pytest.raises(DigestMismatch) as info:
            await pull
    assert info.value.expected == str(bottom.digest)
    assert not (tmp_path / "rootfs").exists()
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob(".rootfs.partial-*")))
    assert not ContentCache(tmp_path / "c").has_blob(bottom.digest)
