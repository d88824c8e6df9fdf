"""Full pulls against a real registry: layers, cache, resume, atomic results."""

from __future__ import annotations

import asyncio
import os
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core import RetryPolicy
from core._progress import Progress
from core.errors import DigestMismatch, InvalidInput
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.registry import RegistryClient
from tests.core.pull._images import entry, push_image
from tests.fixtures.registry import RunningRegistry

LAYERS = [
    [
        entry("etc/", tarfile.DIRTYPE),
        entry("etc/os-release", data=b"ID=fcdesk\n"),
        entry("usr/bin/tool", data=b"#!/bin/sh\n", mode=0o755),
        entry("usr/bin/alias", tarfile.SYMTYPE, linkname="tool"),
        entry("usr/bin/hard", tarfile.LNKTYPE, linkname="usr/bin/tool"),
        entry("var/cache/a", data=b"a" * 1000),
        entry("var/cache/b", data=b"b"),
        entry("opt/old/x", data=b"x"),
    ],
    [
        entry("var/cache/.wh.a"),
        entry("opt/old/.wh..wh..opq"),
        entry("opt/old/new", data=b"new"),
        entry("etc/os-release", data=b"ID=fcdesk\nVERSION=2\n"),
        entry("big.bin", data=os.urandom(300_000)),
    ],
]


def _leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if ".partial-" in p.name]


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(distribution_registry.host) as client:
        yield client


async def test_full_pull_applies_layers_and_uses_the_cache(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    for compression in ("gzip", "zstd"):
        pushed = await push_image(
            registry, unique_repo, LAYERS, compression=compression, tag=compression
        )
        cache = ContentCache(tmp_path / f"cache-{compression}")
        events: list[Progress] = []
        result = await pull_image(
            registry,
            pushed.ref(distribution_registry.host),
            tmp_path / f"root-{compression}",
            cache=cache,
            on_progress=events.append,
        )
        root = result.rootfs
        assert (root / "etc/os-release").read_bytes() == b"ID=fcdesk\nVERSION=2\n"
        assert os.readlink(root / "usr/bin/alias") == "tool"
        assert (root / "usr/bin/hard").stat().st_ino == (root / "usr/bin/tool").stat().st_ino
        assert sorted(os.listdir(root / "var/cache")) == ["b"]
        assert sorted(os.listdir(root / "opt/old")) == ["new"]
        assert (root / "big.bin").read_bytes() == LAYERS[1][4][1]
        assert result.bytes_downloaded == sum(len(b) for b in pushed.layers)
        assert result.cache_hits == 0
        assert set(result.timings) >= {"resolve", "pull", "unpack"}
        phases = {e.phase for e in events}
        assert {"resolve", "download", "unpack"} <= phases
        downloads = [e for e in events if e.phase == "download"]
        assert all("layer" in e.extra for e in downloads)
        assert any(e.extra.get("bytes_per_second") is not None for e in downloads)
        assert [e.done for e in events if e.phase == "unpack"] == [1, 2]
        # A second pull of the same image reuses every cached layer.
        again = await pull_image(
            registry,
            pushed.ref(distribution_registry.host),
            tmp_path / f"again-{compression}",
            cache=cache,
        )
        assert again.cache_hits == 2
        assert again.bytes_downloaded == 0
        assert (again.rootfs / "opt/old/new").read_bytes() == b"new"
    # No staging directory is left behind.
    assert not _leftovers(tmp_path)


async def test_destination_must_be_empty(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("keep")
    with pytest.raises(InvalidInput):
        await pull_image(
            registry,
            f"{distribution_registry.host}/{unique_repo}:x",
            tmp_path / "busy",
            cache=ContentCache(tmp_path / "c"),
        )
    assert (tmp_path / "busy" / "file").read_text() == "keep"


class _CutOnce(httpx.AsyncBaseTransport):
    """Drops the connection once in the middle of the first big blob body."""

    def __init__(self, inner: httpx.AsyncBaseTransport, after: int) -> None:
        self.inner = inner
        self.after = after
        self.cut = False
        self.ranges: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "range" in request.headers:
            self.ranges.append(request.headers["range"])
        response = await self.inner.handle_async_request(request)
        if self.cut or "/blobs/" not in request.url.path or request.method != "GET":
            return response
        outer = self
        inner_stream = response.stream
        assert isinstance(inner_stream, httpx.AsyncByteStream)
        source: httpx.AsyncByteStream = inner_stream

        class Stream(httpx.AsyncByteStream):
            async def __aiter__(self):  # type: ignore[no-untyped-def]
                sent = 0
                async for chunk in source:
                    if not outer.cut and sent + len(chunk) > outer.after:
                        outer.cut = True
                        yield chunk[: outer.after - sent]
                        raise httpx.ReadError("connection reset by test")
                    sent += len(chunk)
                    yield chunk

            async def aclose(self) -> None:
                await source.aclose()

        return httpx.Response(
            response.status_code, headers=response.headers, stream=Stream(), request=request
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_interrupted_download_resumes_with_range(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    big = os.urandom(2_000_000)
    async with RegistryClient(distribution_registry.host) as plain:
        pushed = await push_image(
            plain, unique_repo, [[entry("blob", data=big)]], compression="zstd"
        )
    cutter = _CutOnce(httpx.AsyncHTTPTransport(), after=700_000)
    async with httpx.AsyncClient(transport=cutter) as http:
        client = RegistryClient(
            distribution_registry.host, http=http, retry=RetryPolicy(base_delay=0.01)
        )
        result = await pull_image(
            client,
            pushed.ref(distribution_registry.host),
            tmp_path / "root",
            cache=ContentCache(tmp_path / "c"),
        )
    assert cutter.cut
    assert any(r.startswith("bytes=") and not r.startswith("bytes=0-") for r in cutter.ranges)
    assert (result.rootfs / "blob").read_bytes() == big


async def test_pull_resumes_a_partial_blob_from_an_earlier_run(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    big = os.urandom(1_000_000)
    pushed = await push_image(
        registry, unique_repo, [[entry("blob", data=big)]], compression="zstd"
    )
    cache = ContentCache(tmp_path / "c")
    desc = pushed.manifest.layers[0]
    partial = cache.blob_path(desc.digest).with_name(desc.digest.encoded + ".partial")
    half = len(pushed.layers[0]) // 2
    partial.write_bytes(pushed.layers[0][:half])
    events: list[Progress] = []
    result = await pull_image(
        registry,
        pushed.ref(distribution_registry.host),
        tmp_path / "root",
        cache=cache,
        on_progress=events.append,
    )
    assert (result.rootfs / "blob").read_bytes() == big
    first = min(e.done for e in events if e.phase == "download" and e.done)
    assert first >= half  # continued, not restarted


async def test_corrupt_blob_in_registry_is_refused(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    pushed = await push_image(
        registry, unique_repo, [[entry("f", data=os.urandom(50_000))]], compression="zstd"
    )
    digest = pushed.manifest.layers[0].digest
    data_file = (
        distribution_registry.storage
        / "docker/registry/v2/blobs/sha256"
        / digest.encoded[:2]
        / digest.encoded
        / "data"
    )
    raw = bytearray(data_file.read_bytes())
    raw[100] ^= 0xFF
    data_file.write_bytes(bytes(raw))
    cache = ContentCache(tmp_path / "c")
    with pytest.raises(DigestMismatch):
        await pull_image(
            registry, pushed.ref(distribution_registry.host), tmp_path / "root", cache=cache
        )
    assert not (tmp_path / "root").exists()
    assert not cache.has_blob(digest)
    assert not _leftovers(tmp_path)


async def test_cancelled_pull_leaves_nothing(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    pushed = await push_image(registry, unique_repo, LAYERS)
    task = asyncio.ensure_future(
        pull_image(
            registry,
            pushed.ref(distribution_registry.host),
            tmp_path / "root",
            cache=ContentCache(tmp_path / "c"),
        )
    )
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (tmp_path / "root").exists()
    assert not _leftovers(tmp_path)
