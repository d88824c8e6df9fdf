"""The registry client against Debian's docker-registry through the fault proxy.

Every fault either is survived (retry, resume from the last verified byte) with the exact
bytes, or ends in a specific `core.errors` exception; no call ever returns a wrong byte, and no
blob or file is left half-written.
"""

from __future__ import annotations

import asyncio
import os
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core import RetryPolicy
from core.errors import (
    DigestMismatch,
    RangeNotSupported,
    RegistryError,
    TooManyRequests,
    TransportError,
    UploadError,
)
from core.oci import Digest, Manifest
from core.registry import RegistryClient
from tests.fixtures.faults import FaultKind, ProxiedRegistry
from tests.reliability._images import BuiltImage, build_image, fast_client, push_built
from tests.reliability.conftest import Recorder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def _shared_image(distribution_registry: Any) -> tuple[str, BuiltImage]:
    """A two-layer image pushed once, straight to the registry (no faults); tests only read it."""
    repo = "t/reliability-faults"
    built = build_image(zlib.crc32(repo.encode()))

    async def push() -> None:
        async with fast_client(distribution_registry.url) as direct:
            await push_built(direct, repo, built, "v1")

    asyncio.run(push())
    return repo, built


@pytest.fixture
def image(
    faulty_registry: ProxiedRegistry, _shared_image: tuple[str, BuiltImage]
) -> tuple[str, BuiltImage]:
    return _shared_image


def _biggest_layer(built: BuiltImage) -> tuple[Digest, bytes]:
    blob = max(built.layers, key=len)
    return Digest.of_bytes(blob), blob


# -- manifests ------------------------------------------------------------------------------

SURVIVABLE = [
    pytest.param("reset", {}, id="reset"),
    pytest.param("reset", {"upstream": True}, id="reset-after-server"),
    pytest.param("status", {"status": 500}, id="500"),
    pytest.param("status", {"status": 502}, id="502"),
    pytest.param("status", {"status": 503}, id="503"),
    pytest.param("status", {"status": 504}, id="504"),
    pytest.param("status", {"status": 429, "retry_after": "0"}, id="429-retry-after"),
    pytest.param("truncate", {"after": 0.5}, id="truncate"),
    pytest.param("reset-body", {"after": 0.3}, id="reset-body"),
    pytest.param("stall", {"stall": 20}, id="stall"),
    pytest.param("stall-body", {"after": 0.5, "stall": 20}, id="stall-body"),
    pytest.param("drip", {"rate": 97, "interval": 0.001}, id="drip"),
]


@pytest.mark.parametrize(("kind", "params"), SURVIVABLE)
async def test_manifest_fetch_survives(
    faulty_registry: ProxiedRegistry,
    image: tuple[str, BuiltImage],
    kind: FaultKind,
    params: dict[str, Any],
) -> None:
    repo, built = image
    proxy = faulty_registry.proxy
    proxy.inject(kind, method="GET", path=r"/manifests/", attempts={1, 2}, **params)
    async with fast_client(faulty_registry.url) as client:
        by_tag = await client.get_manifest(repo, "v1")
        by_digest = await client.get_manifest(repo, built.manifest.digest)
    assert by_tag.raw == built.manifest.raw
    assert by_digest.raw == built.manifest.raw
    # two tries of each path fail; a slow drip is not a failure, so it hits one try of each
    assert proxy.injected[kind] == (2 if kind == "drip" else 4)


@pytest.mark.parametrize("by", ["tag", "digest"])
async def test_manifest_with_flipped_bit_is_refused(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage], by: str
) -> None:
    repo, built = image
    faulty_registry.proxy.inject("flip", method="GET", path=r"/manifests/", flips=1)
    ref = "v1" if by == "tag" else str(built.manifest.digest)
    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(DigestMismatch):
            await client.get_manifest(repo, ref)
    assert faulty_registry.proxy.injected["flip"] >= 1


async def test_persistent_503_fails_with_bounded_attempts(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage]
) -> None:
    repo, _ = image
    proxy = faulty_registry.proxy
    proxy.inject("status", status=503, method="GET", path=r"/manifests/")
    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, max_total=10)
    started = time.monotonic()
    async with fast_client(faulty_registry.url, retry=policy) as client:
        with pytest.raises(RegistryError) as info:
            await client.get_manifest(repo, "v1")
    assert info.value.status == 503
    assert len(proxy.requests("GET", r"/manifests/")) == 4
    assert time.monotonic() - started < 5


async def test_429_with_long_retry_after_gives_up_at_once(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage]
) -> None:
    repo, _ = image
    proxy = faulty_registry.proxy
    proxy.inject("status", status=429, retry_after="3600", method="GET", path=r"/manifests/")
    started = time.monotonic()
    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(TooManyRequests) as info:
            await client.get_manifest(repo, "v1")
    assert info.value.retry_after == 3600
    assert time.monotonic() - started < 2
    assert len(proxy.requests("GET", r"/manifests/")) == 1


async def test_429_retry_after_is_honoured(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage]
) -> None:
    repo, built = image
    proxy = faulty_registry.proxy
    proxy.inject("status", status=429, retry_after="1", method="GET", path=r"/manifests/", times=1)
    started = time.monotonic()
    async with fast_client(faulty_registry.url) as client:
        got = await client.get_manifest(repo, "v1")
    assert got.raw == built.manifest.raw
    assert time.monotonic() - started >= 0.95


# -- blob reads -----------------------------------------------------------------------------

BLOB_FAULTS = [
    *(p for p in SURVIVABLE if p.id != "drip"),
    pytest.param("drip", {"rate": 16384, "interval": 0.001}, id="drip"),
    pytest.param("truncate", {"after": 1}, id="truncate-at-1"),
    pytest.param("reset-body", {"after": 0.99}, id="reset-near-end"),
]


@pytest.mark.parametrize(("kind", "params"), BLOB_FAULTS)
async def test_blob_stream_survives(
    faulty_registry: ProxiedRegistry,
    image: tuple[str, BuiltImage],
    kind: FaultKind,
    params: dict[str, Any],
) -> None:
    repo, built = image
    digest, blob = _biggest_layer(built)
    proxy = faulty_registry.proxy
    proxy.inject(kind, method="GET", path=r"/blobs/sha256:", attempts={1, 2}, **params)
    async with fast_client(faulty_registry.url) as client:
        got = await client.get_blob(repo, digest)
    assert got == blob
    assert proxy.injected[kind] == (1 if kind == "drip" else 2)
    if kind in ("truncate", "reset-body", "stall-body"):
        resumed = [e for e in proxy.requests("GET", r"/blobs/sha256:") if e.header("range")]
        assert resumed, "an interrupted body is resumed with a Range request"
        assert all(e.header("range") != "bytes=0-" for e in resumed)


@pytest.mark.parametrize("flips", [1, 8])
async def test_blob_with_flipped_bits_is_never_delivered(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage], flips: int
) -> None:
    repo, built = image
    digest, blob = _biggest_layer(built)
    faulty_registry.proxy.inject("flip", method="GET", path=r"/blobs/sha256:", flips=flips)
    received = bytearray()

    async def consume(client: RegistryClient) -> None:
        async for chunk in client.stream_blob(repo, digest, chunk_size=64 * 1024):
            received.extend(chunk)

    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(DigestMismatch):
            await consume(client)
    # The stream holds its last chunk back until the digest matched: the whole (wrong) blob
    # never reached the consumer.
    assert len(received) < len(blob)


async def test_download_with_flipped_bits_leaves_no_file(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage], tmp_path: Path
) -> None:
    repo, built = image
    digest, _ = _biggest_layer(built)
    faulty_registry.proxy.inject("flip", method="GET", path=r"/blobs/sha256:", flips=3)
    target = tmp_path / "layer"
    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(DigestMismatch):
            await client.download_blob(repo, digest, target)
    assert not await asyncio.to_thread(os.listdir, tmp_path)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        pytest.param("reset-body", {"after": 0.5}, id="reset-body"),
        pytest.param("truncate", {"after": 0.7}, id="truncate"),
        pytest.param("stall-body", {"after": 0.4, "stall": 20}, id="stall-body"),
    ],
)
async def test_download_resumes_within_a_run(
    faulty_registry: ProxiedRegistry,
    image: tuple[str, BuiltImage],
    tmp_path: Path,
    kind: FaultKind,
    params: dict[str, Any],
) -> None:
    repo, built = image
    digest, blob = _biggest_layer(built)
    proxy = faulty_registry.proxy
    proxy.inject(kind, method="GET", path=r"/blobs/sha256:", attempts={1, 2, 3}, **params)
    target = tmp_path / "layer"
    async with fast_client(faulty_registry.url) as client:
        size = await client.download_blob(repo, digest, target)
    assert size == len(blob)
    assert target.read_bytes() == blob
    assert not (tmp_path / "layer.partial").exists()
    assert proxy.injected[kind] == 3


async def test_download_resumes_across_runs(
    faulty_registry: ProxiedRegistry, unique_repo: str, tmp_path: Path
) -> None:
    """A download killed by a stall resumes, in a new client, from the bytes on disk."""
    blob = os.urandom(20 * 1024 * 1024)
    digest = Digest.of_bytes(blob)
    async with fast_client(faulty_registry.direct.url, timeout=30) as direct:
        await direct.push_blob(unique_repo, blob, digest=digest)
    proxy = faulty_registry.proxy
    proxy.inject("stall-body", method="GET", path=r"/blobs/sha256:", attempts={1}, after=0.75)
    target = tmp_path / "blob"
    async with fast_client(faulty_registry.url, retry=RetryPolicy.none()) as client:
        with pytest.raises(TransportError):
            await client.download_blob(unique_repo, digest, target)
    partial = tmp_path / "blob.partial"
    kept = partial.stat().st_size
    assert 0 < kept < len(blob)
    assert not target.exists()
    # Corrupt nothing: the second run continues from ``kept`` bytes.
    async with fast_client(faulty_registry.url) as client:
        await client.download_blob(unique_repo, digest, target)
    assert target.read_bytes() == blob
    assert not partial.exists()
    second = proxy.requests("GET", r"/blobs/sha256:")[-1]
    assert second.header("range") == f"bytes={kept}-"


async def test_download_with_damaged_partial_restarts_from_zero(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage], tmp_path: Path
) -> None:
    """Bytes left by an earlier run that are wrong are detected and thrown away."""
    repo, built = image
    digest, blob = _biggest_layer(built)
    target = tmp_path / "layer"
    damaged = bytearray(blob[: len(blob) // 2])
    damaged[100] ^= 0xFF
    (tmp_path / "layer.partial").write_bytes(bytes(damaged))
    async with fast_client(faulty_registry.url) as client:
        await client.download_blob(repo, digest, target)
    assert target.read_bytes() == blob
    ranges = [e.header("range") for e in faulty_registry.proxy.requests("GET", r"/blobs/")]
    assert ranges == [f"bytes={len(damaged)}-", None]


# -- range reads ------------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [1, -1, 4096])
async def test_lying_content_range_is_refused(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage], shift: int
) -> None:
    repo, built = image
    digest, _ = _biggest_layer(built)
    faulty_registry.proxy.inject("content-range", method="GET", path=r"/blobs/", shift=shift)
    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(RangeNotSupported) as info:
            await client.get_blob_range(repo, digest, 5000, 1000)
        assert info.value.code == "BAD_CONTENT_RANGE"
        with pytest.raises(RangeNotSupported):
            await client.get_blob_tail(repo, digest, 64)
    assert faulty_registry.proxy.injected["content-range"] == 2


async def test_content_range_lie_on_resume_is_refused(
    faulty_registry: ProxiedRegistry, image: tuple[str, BuiltImage], tmp_path: Path
) -> None:
    """The registry answers a resume with bytes from the wrong offset: refused, no file."""
    repo, built = image
    digest, _ = _biggest_layer(built)
    proxy = faulty_registry.proxy
    proxy.inject("reset-body", method="GET", path=r"/blobs/", attempts={1}, after=0.5)
    proxy.inject("content-range", method="GET", path=r"/blobs/", attempts={2}, shift=7)
    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(RangeNotSupported):
            await client.download_blob(repo, digest, tmp_path / "layer")
    assert not (tmp_path / "layer").exists()


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        pytest.param("reset", {}, id="reset"),
        pytest.param("truncate", {"after": 0.5}, id="truncate"),
        pytest.param("reset-body", {"after": 0.2}, id="reset-body"),
        pytest.param("status", {"status": 503}, id="503"),
        pytest.param("stall", {"stall": 20}, id="stall"),
    ],
)
async def test_range_reads_survive(
    faulty_registry: ProxiedRegistry,
    image: tuple[str, BuiltImage],
    kind: FaultKind,
    params: dict[str, Any],
) -> None:
    repo, built = image
    digest, blob = _biggest_layer(built)
    proxy = faulty_registry.proxy
    proxy.inject(kind, method="GET", path=r"/blobs/", attempts={1, 3}, **params)
    ranges = [(0, 10), (4096, 70_000), (len(blob) - 500, 500), (200_000, 1)]
    async with fast_client(faulty_registry.url) as client:
        one = await client.get_blob_range(repo, digest, 4096, 70_000)
        many = await client.get_blob_ranges(repo, digest, ranges)
        tail, total = await client.get_blob_tail(repo, digest, 300)
    assert one == blob[4096:74_096]
    assert many == [blob[o : o + n] for o, n in ranges]
    assert (tail, total) == (blob[-300:], len(blob))
    assert proxy.injected[kind] == 2


# -- uploads --------------------------------------------------------------------------------


async def _assert_blob(direct_url: str, repo: str, data: bytes) -> None:
    async with fast_client(direct_url) as direct:
        assert await direct.get_blob(repo, Digest.of_bytes(data)) == data


@pytest.mark.parametrize(
    ("method", "kind", "params"),
    [
        pytest.param("POST", "reset", {}, id="POST-reset"),
        pytest.param("POST", "status", {"status": 503}, id="POST-503"),
        pytest.param("POST", "status", {"status": 429, "retry_after": "0"}, id="POST-429"),
        pytest.param("PUT", "reset", {}, id="PUT-reset"),
        pytest.param("PUT", "reset", {"upstream": True}, id="PUT-answer-lost"),
        pytest.param("PUT", "status", {"status": 502}, id="PUT-502"),
        pytest.param("PUT", "stall", {"stall": 20, "upstream": True}, id="PUT-stall-after"),
        pytest.param("PUT", "cut-request", {"after": 0.5}, id="PUT-cut"),
        pytest.param("HEAD", "reset", {}, id="HEAD-reset"),
    ],
)
async def test_monolithic_upload_survives(
    faulty_registry: ProxiedRegistry,
    unique_repo: str,
    method: str,
    kind: FaultKind,
    params: dict[str, Any],
) -> None:
    data = os.urandom(700_000)
    proxy = faulty_registry.proxy
    # upload sessions have paths of their own: ``times`` (not attempts) bounds the fault
    proxy.inject(kind, method=method, path=r"/blobs/", times=1, **params)
    async with fast_client(faulty_registry.url) as client:
        result = await client.push_blob(unique_repo, data, digest=Digest.of_bytes(data))
    assert result.digest == Digest.of_bytes(data)
    assert proxy.injected[kind] == 1
    await _assert_blob(faulty_registry.direct.url, unique_repo, data)


@pytest.mark.parametrize(
    ("kind", "params", "attempt"),
    [
        pytest.param("reset", {}, 2, id="reset"),
        pytest.param("reset", {"upstream": True}, 2, id="answer-lost"),
        pytest.param("status", {"status": 503}, 3, id="503"),
        pytest.param("stall", {"stall": 20}, 2, id="stall"),
        pytest.param("cut-request", {"after": 0.5}, 2, id="cut"),
    ],
)
async def test_chunked_upload_resumes(
    faulty_registry: ProxiedRegistry,
    unique_repo: str,
    kind: FaultKind,
    params: dict[str, Any],
    attempt: int,
    reliability: Recorder,
) -> None:
    reliability.check = "upload-restart"
    data = os.urandom(1_300_000)
    proxy = faulty_registry.proxy
    # Every PATCH goes to the same session path; ``attempt`` picks which chunk is hit.
    proxy.inject(
        kind, method="PATCH", path=r"/blobs/uploads/", attempts={attempt}, times=1, **params
    )
    async with fast_client(faulty_registry.url, upload_chunk_size=256 * 1024) as client:
        result = await client.push_blob(
            unique_repo, data, digest=Digest.of_bytes(data), chunked=True
        )
    assert result.outcome == "uploaded"
    assert proxy.injected[kind] == 1
    await _assert_blob(faulty_registry.direct.url, unique_repo, data)


@pytest.mark.parametrize(
    ("kind", "params", "attempt"),
    [
        pytest.param("reset", {}, 2, id="reset"),
        pytest.param("reset", {"upstream": True}, 2, id="answer-lost"),
        pytest.param("reset", {"upstream": True}, 4, id="answer-lost-late"),
        pytest.param("status", {"status": 503}, 3, id="503"),
        pytest.param("stall", {"stall": 20}, 2, id="stall"),
        pytest.param("cut-request", {"after": 0.5}, 2, id="cut"),
        pytest.param("cut-request", {"after": 0.5}, 5, id="cut-late"),
    ],
)
async def test_stream_upload_survives(
    faulty_registry: ProxiedRegistry,
    unique_repo: str,
    kind: FaultKind,
    params: dict[str, Any],
    attempt: int,
    reliability: Recorder,
) -> None:
    """An upload from an async iterator (read once, not replayable) survives a fault on any
    of its PATCH requests: it resumes in its session from the registry's offset or, when
    the session is lost (distribution refuses a session whose answer was lost), restarts in
    a new one from what it kept of the stream; the stored blob is whole."""
    reliability.check = "upload-restart"
    data = os.urandom(1_300_000)
    consumed = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal consumed
        for i in range(0, len(data), 100_000):
            consumed += 1
            yield data[i : i + 100_000]

    proxy = faulty_registry.proxy
    proxy.inject(
        kind, method="PATCH", path=r"/blobs/uploads/", attempts={attempt}, times=1, **params
    )
    async with fast_client(faulty_registry.url, upload_chunk_size=256 * 1024) as client:
        result = await client.push_blob(unique_repo, source(), digest=Digest.of_bytes(data))
    assert result.outcome == "uploaded"
    assert (result.digest, result.size) == (Digest.of_bytes(data), len(data))
    assert consumed == 13  # the stream was read once
    assert proxy.injected[kind] == 1
    await _assert_blob(faulty_registry.direct.url, unique_repo, data)


async def test_corrupted_upload_is_refused_and_not_stored(
    faulty_registry: ProxiedRegistry, unique_repo: str
) -> None:
    data = os.urandom(300_000)
    digest = Digest.of_bytes(data)
    faulty_registry.proxy.inject("flip-request", method="PUT", path=r"/blobs/uploads/", flips=2)
    async with fast_client(faulty_registry.url) as client:
        with pytest.raises(UploadError):
            await client.push_blob(unique_repo, data, digest=digest)
    async with fast_client(faulty_registry.direct.url) as direct:
        assert not await direct.blob_exists(unique_repo, digest)


async def test_manifest_put_answer_lost_is_retried(
    faulty_registry: ProxiedRegistry, unique_repo: str
) -> None:
    built = build_image(5, layers=1, files_per_layer=1, file_size=1000)
    proxy = faulty_registry.proxy
    proxy.inject("reset", method="PUT", path=r"/manifests/", attempts={1}, upstream=True)
    async with fast_client(faulty_registry.url) as client:
        await push_built(client, unique_repo, built, "v1")
    async with fast_client(faulty_registry.direct.url) as direct:
        assert (await direct.get_manifest(unique_repo, "v1")).raw == built.manifest.raw
    assert proxy.injected["reset"] == 1


# -- a whole image copy under random faults ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 23, 37, 41])
async def test_copy_under_random_faults(
    faulty_registry: ProxiedRegistry,
    image: tuple[str, BuiltImage],
    unique_repo: str,
    fault_proxy_factory: Any,
    seed: int,
) -> None:
    """Random faults on a fifth of all requests, both directions: the copy succeeds with
    identical digests, or fails with a core error; a tag, when there is one, is whole."""
    from core.errors import CoreError
    from core.registry import copy_image

    repo, built = image
    proxy = fault_proxy_factory(faulty_registry.direct.url, seed=seed)
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("reset", {}),
        ("reset", {"upstream": True}),
        ("status", {"status": 503}),
        ("status", {"status": 429, "retry_after": "0"}),
        ("truncate", {"after": 0.5}),
        ("reset-body", {"after": 0.6}),
        ("stall", {"stall": 20}),
        ("flip", {"flips": 1}),
        ("cut-request", {"after": 0.5}),
    ]
    for kind, params in kinds:
        proxy.inject(kind, probability=0.025, **params)
    dst_repo = f"{unique_repo}-copy"
    src = f"{proxy.host}/{repo}:v1"
    dst = f"{proxy.host}/{dst_repo}:v1"
    async with fast_client(proxy.url, timeout=1.5) as client:
        try:
            result = await copy_image(src, dst, source_client=client, destination_client=client)
        except CoreError as exc:
            outcome: str | None = type(exc).__name__
        else:
            outcome = None
            assert result is not None
    async with fast_client(faulty_registry.direct.url) as direct:
        tags = [t async for t in direct.list_tags(dst_repo)] if outcome is None else None
        try:
            copied = await direct.get_manifest(dst_repo, "v1")
        except RegistryError:
            copied = None
        if outcome is None:
            assert tags == ["v1"]
            assert copied is not None
            assert copied.raw == built.manifest.raw
        if copied is not None:  # a tag, when there is one, is whole: every blob is there
            assert isinstance(copied, Manifest)
            for desc in copied.blobs:
                data = await direct.get_blob(dst_repo, desc.digest)
                assert built.blobs[desc.digest] == data
    assert proxy.total_injected > 0


def test_proxy_is_loopback_only() -> None:
    from tests.fixtures.faults import FaultProxy

    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("10.0.0.1:5000")
