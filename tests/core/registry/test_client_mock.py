"""RegistryClient against a fake registry that lies, truncates and fails on purpose."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core import RetryPolicy
from core._progress import Progress
from core.errors import (
    AuthError,
    BlobNotFound,
    DigestMismatch,
    ManifestError,
    ManifestNotFound,
    RangeIgnored,
    RangeNotSupported,
    RegistryError,
    RepositoryNotFound,
    TooManyRequests,
    TransportError,
    UnsupportedMediaType,
)
from core.oci import OCI_MANIFEST, Digest
from core.registry import RegistryClient
from tests.core.registry.fake import FakeRegistry, error
from tests.fixtures.images import random_bytes

FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, max_total=5)
URL = "http://registry.test"


def client_for(fake: FakeRegistry, **kwargs: object) -> RegistryClient:
    kwargs.setdefault("retry", FAST)
    return RegistryClient(URL, http=fake.client(), **kwargs)  # type: ignore[arg-type]


async def collect(it: AsyncIterator[bytes]) -> list[bytes]:
    return [c async for c in it]


# -- manifests ---------------------------------------------------------------------------
async def test_manifest_by_tag_checked_against_docker_content_digest() -> None:
    fake = FakeRegistry()
    raw = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": str(Digest.of_bytes(b"{}")),
                "size": 2,
            },
            "layers": [],
        }
    ).encode()
    fake.manifests["v1"] = (raw, OCI_MANIFEST)
    async with client_for(fake) as reg:
        m = await reg.get_manifest("app", "v1")
        assert m.raw == raw
        assert m.digest == Digest.of_bytes(raw)

    # a registry that sends different bytes than the digest it claims
    fake.hooks.append(
        lambda r: httpx.Response(
            200,
            content=raw + b" ",
            headers={
                "Content-Type": OCI_MANIFEST,
                "Docker-Content-Digest": str(Digest.of_bytes(raw)),
            },
        )
    )
    async with client_for(fake) as reg:
        with pytest.raises(DigestMismatch):
            await reg.get_manifest("app", "v1")
        with pytest.raises(DigestMismatch):
            await reg.get_manifest("app", Digest.of_bytes(raw))


async def test_manifest_by_digest_without_header_is_verified() -> None:
    fake = FakeRegistry()
    good = (
        b'{"schemaVersion":2,"mediaType":"%s","manifests":[]}'
        % b"application/vnd.oci.image.index.v1+json"
    )
    fake.hooks.append(
        lambda r: httpx.Response(
            200,
            content=good.replace(b"[]", b"[ ]"),
            headers={"Content-Type": "application/vnd.oci.image.index.v1+json"},
        )
    )
    async with client_for(fake) as reg:
        with pytest.raises(DigestMismatch):
            await reg.get_manifest("app", Digest.of_bytes(good))


async def test_unknown_manifest_media_type() -> None:
    fake = FakeRegistry()
    fake.manifests["v1"] = (
        b'{"schemaVersion":2,"mediaType":"application/x-weird"}',
        "application/x-weird",
    )
    async with client_for(fake) as reg:
        with pytest.raises(UnsupportedMediaType):
            await reg.get_manifest("app", "v1")


async def test_oversized_manifest_is_refused() -> None:
    fake = FakeRegistry()
    fake.hooks.append(lambda r: httpx.Response(200, content=b" " * (5 * 1024 * 1024)))
    async with client_for(fake) as reg:
        with pytest.raises(ManifestError, match="larger than"):
            await reg.get_manifest("app", "v1")


@pytest.mark.parametrize(
    ("status", "code", "exc"),
    [
        (404, "MANIFEST_UNKNOWN", ManifestNotFound),
        (404, "NAME_UNKNOWN", RepositoryNotFound),
        (401, "UNAUTHORIZED", AuthError),
        (403, "DENIED", AuthError),
        (400, "MANIFEST_INVALID", RegistryError),
        (404, "", ManifestNotFound),
    ],
)
async def test_error_bodies_map_to_specific_errors(
    status: int, code: str, exc: type[Exception]
) -> None:
    fake = FakeRegistry()
    if code:
        fake.hooks.append(lambda r: error(status, code, "the registry's own words"))
    else:
        fake.hooks.append(lambda r: httpx.Response(status))
    async with client_for(fake) as reg:
        with pytest.raises(exc) as info:
            await reg.get_manifest("app", "v1")
    assert isinstance(info.value, RegistryError)
    assert info.value.status == status
    if code:
        assert info.value.code == code
        assert "the registry's own words" in str(info.value)


# -- retries -----------------------------------------------------------------------------
async def test_retries_5xx_then_succeeds_and_honours_retry_after() -> None:
    fake = FakeRegistry()
    d = fake.add_blob(b"data")
    answers = [error(503, "UNAVAILABLE", "busy", **{"Retry-After": "0"}), httpx.Response(502)]
    fake.hooks.append(lambda r: answers.pop(0) if answers else None)
    async with client_for(fake) as reg:
        assert await reg.get_blob("app", d) == b"data"
    assert len(fake.requests) == 3


async def test_429_exhausts_retries() -> None:
    fake = FakeRegistry()
    fake.hooks.append(lambda r: error(429, "TOOMANYREQUESTS", "slow down", **{"Retry-After": "0"}))
    async with client_for(fake) as reg:
        with pytest.raises(TooManyRequests) as info:
            await reg.blob_size("app", Digest.of_bytes(b"x"))
    assert info.value.retry_after == 0
    assert len(fake.requests) == FAST.max_attempts


async def test_retry_after_longer_than_the_budget_stops_early() -> None:
    fake = FakeRegistry()
    fake.hooks.append(lambda r: httpx.Response(503, headers={"Retry-After": "3600"}))
    async with client_for(fake) as reg:
        with pytest.raises(RegistryError) as info:
            await reg.ping()
    assert info.value.status == 503
    assert len(fake.requests) == 1


async def test_connection_errors_are_retried_then_mapped() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with RegistryClient(URL, http=http, retry=FAST) as reg:
        with pytest.raises(TransportError):
            await reg.ping()
    assert calls == FAST.max_attempts
    await http.aclose()


# -- blobs -------------------------------------------------------------------------------
async def test_stream_blob_withholds_last_chunk_on_mismatch() -> None:
    fake = FakeRegistry()
    data = random_bytes(300_000)
    d = fake.add_blob(data)
    fake.blobs[str(d)] = data[:-1] + b"\x00"  # the registry serves corrupt bytes
    got: list[bytes] = []

    async def consume(reg: RegistryClient) -> None:
        async for chunk in reg.stream_blob("app", d, chunk_size=64 * 1024):
            got.append(chunk)

    async with client_for(fake) as reg:
        with pytest.raises(DigestMismatch):
            await consume(reg)
    assert 0 < sum(map(len, got)) < len(data)


async def test_stream_blob_resumes_after_truncation() -> None:
    fake = FakeRegistry(truncate_after=100_000, truncations_left=2)
    data = random_bytes(250_000, seed=3)
    d = fake.add_blob(data)
    events: list[Progress] = []
    async with client_for(fake) as reg:
        chunks = await collect(
            reg.stream_blob("app", d, chunk_size=50_000, on_progress=events.append)
        )
    assert b"".join(chunks) == data
    ranges = [r.headers.get("range") for r in fake.requests]
    assert ranges == [None, "bytes=100000-", "bytes=200000-"]
    assert events[-1].done == events[-1].total == len(data)


async def test_always_truncating_registry_gives_transport_error_and_no_file(tmp_path: Path) -> None:
    fake = FakeRegistry(truncate_after=10, truncations_left=100)
    data = random_bytes(5000)
    d = fake.add_blob(data)
    target = tmp_path / "blob"
    async with client_for(fake) as reg:
        with pytest.raises(TransportError):
            await reg.download_blob("app", d, target)
    assert not target.exists()


async def test_download_verifies_and_leaves_nothing_on_mismatch(tmp_path: Path) -> None:
    fake = FakeRegistry()
    data = random_bytes(50_000)
    d = fake.add_blob(data)
    fake.blobs[str(d)] = b"x" * 50_000
    target = tmp_path / "blob"
    async with client_for(fake) as reg:
        with pytest.raises(DigestMismatch):
            await reg.download_blob("app", d, target)
        assert os.listdir(tmp_path) == []
        fake.blobs[str(d)] = data
        assert await reg.download_blob("app", d, target, expected_size=len(data)) == len(data)
    assert target.read_bytes() == data
    assert os.listdir(tmp_path) == [target.name]


async def test_download_resumes_from_partial_file(tmp_path: Path) -> None:
    fake = FakeRegistry()
    data = random_bytes(40_000 + 8 * 1024 * 1024, seed=5)
    d = fake.add_blob(data)
    target = tmp_path / "blob"
    (tmp_path / "blob.partial").write_bytes(data[:12345])
    async with client_for(fake) as reg:
        await reg.download_blob("app", d, target)
    assert target.read_bytes() == data
    assert fake.requests[-1].headers["range"] == "bytes=12345-"


@pytest.mark.parametrize("writeback", ["recorded", "unavailable"])
async def test_download_starts_writeback_per_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writeback: str
) -> None:
    from core.registry import _client

    calls: list[tuple[int, int, int, int]] = []

    def record(fd: int, offset: int, nbytes: int, flags: int) -> int:
        calls.append((fd, offset, nbytes, flags))
        return 0

    monkeypatch.setattr(_client, "_sync_file_range", record if writeback == "recorded" else False)
    fake = FakeRegistry()
    data = random_bytes(3 * 8 * 1024 * 1024 + 777, seed=9)
    d = fake.add_blob(data)
    target = tmp_path / "blob"
    async with client_for(fake) as reg:
        assert await reg.download_blob("app", d, target) == len(data)
    assert target.read_bytes() == data
    assert os.listdir(tmp_path) == [target.name]
    if writeback == "recorded":
        # a "start writing" hint for every batch handed to the worker, never a wait
        assert calls
        assert all(c[1:] == (0, 0, 2) for c in calls)
    # Without sync_file_range (other platforms, old kernels) the download is just as whole.


async def test_corrupt_partial_file_restarts_from_zero(tmp_path: Path) -> None:
    fake = FakeRegistry()
    data = random_bytes(30_000, seed=6)
    d = fake.add_blob(data)
    target = tmp_path / "blob"
    (tmp_path / "blob.partial").write_bytes(b"\xff" * 1000)
    async with client_for(fake) as reg:
        await reg.download_blob("app", d, target)
    assert target.read_bytes() == data
    assert [r.headers.get("range") for r in fake.requests] == ["bytes=1000-", None]


async def test_blob_not_found() -> None:
    fake = FakeRegistry()
    async with client_for(fake) as reg:
        with pytest.raises(BlobNotFound):
            await reg.get_blob("app", Digest.of_bytes(b"nope"))
        assert await reg.blob_size("app", Digest.of_bytes(b"nope")) is None


# -- ranges ------------------------------------------------------------------------------
async def test_single_range_and_suffix() -> None:
    fake = FakeRegistry()
    data = random_bytes(10_000, seed=7)
    d = fake.add_blob(data)
    async with client_for(fake) as reg:
        assert await reg.get_blob_range("app", d, 100, 50) == data[100:150]
        tail, total = await reg.get_blob_tail("app", d, 64)
        assert tail == data[-64:]
        assert total == len(data)
        with pytest.raises(RangeNotSupported) as info:
            await reg.get_blob_range("app", d, 20_000, 5)
        assert info.value.status == 416


async def test_range_ignored_is_sliced_or_refused_at_the_headers() -> None:
    """A registry that answers a Range request with the whole blob: by default the body is
    read, verified and sliced; with ``whole_ok=False`` the answer is refused before its body
    is read (RangeIgnored), for single and multi-range reads alike."""
    fake = FakeRegistry()
    data = random_bytes(200_000, seed=9)
    d = fake.add_blob(data)
    streamed: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 50_000):
            streamed.append(i)
            yield data[i : i + 50_000]

    def whole(request: httpx.Request) -> httpx.Response | None:
        if request.method == "GET" and "range" in request.headers:
            headers = {"Docker-Content-Digest": str(d), "Content-Length": str(len(data))}
            return httpx.Response(200, content=body(), headers=headers)
        return None

    fake.hooks.append(whole)
    async with client_for(fake) as reg:
        assert await reg.get_blob_range("app", d, 100, 50) == data[100:150]
        assert await reg.get_blob_ranges("app", d, [(0, 10), (5000, 20)]) == [
            data[0:10],
            data[5000:5020],
        ]
        streamed.clear()
        with pytest.raises(RangeIgnored) as info:
            await reg.get_blob_range("app", d, 100, 50, whole_ok=False)
        assert info.value.code == "RangeIgnored"
        assert isinstance(info.value, RangeNotSupported)
        with pytest.raises(RangeIgnored):
            await reg.get_blob_ranges("app", d, [(0, 10), (5000, 20)], whole_ok=False)
        assert streamed == []  # no body was read


async def test_lying_content_range_is_rejected() -> None:
    fake = FakeRegistry()
    data = random_bytes(10_000, seed=8)
    d = fake.add_blob(data)
    fake.hooks.append(
        lambda r: (
            httpx.Response(
                206, content=data[0:50], headers={"Content-Range": f"bytes 0-49/{len(data)}"}
            )
            if r.headers.get("range")
            else None
        )
    )
    async with client_for(fake) as reg:
        with pytest.raises(RangeNotSupported, match="Content-Range"):
            await reg.get_blob_range("app", d, 100, 50)


async def test_content_range_that_disagrees_with_the_body() -> None:
    fake = FakeRegistry()
    data = random_bytes(1000, seed=9)
    d = fake.add_blob(data)
    fake.hooks.append(
        lambda r: httpx.Response(
            206, content=data[100:140], headers={"Content-Range": "bytes 100-149/1000"}
        )
    )
    async with client_for(fake) as reg:
        with pytest.raises(RangeNotSupported):
            await reg.get_blob_range("app", d, 100, 50)


async def test_registry_without_range_support_is_sliced_and_verified() -> None:
    fake = FakeRegistry()
    data = random_bytes(100_000, seed=10)
    d = fake.add_blob(data)
    fake.hooks.append(
        lambda r: httpx.Response(200, content=fake.blobs[str(d)]) if r.method == "GET" else None
    )
    async with client_for(fake) as reg:
        assert await reg.get_blob_range("app", d, 5, 10) == data[5:15]
        got = await reg.get_blob_ranges("app", d, [(0, 3), (99_990, 10)])
        assert got == [data[0:3], data[99_990:]]
        fake.blobs[str(d)] = data[:-1] + b"!"
        with pytest.raises(DigestMismatch):
            await reg.get_blob_range("app", d, 5, 10)


async def test_multi_range_with_unquoted_boundary() -> None:
    fake = FakeRegistry()
    data = random_bytes(50_000, seed=11)
    d = fake.add_blob(data)
    wanted = [(10, 5), (40_000, 100), (0, 1), (49_990, 10)]
    async with client_for(fake) as reg:
        got = await reg.get_blob_ranges("app", d, wanted)
        assert got == [data[o : o + n] for o, n in wanted]
        assert reg.multirange_supported is True
    assert len([r for r in fake.requests if r.method == "GET"]) == 1


async def test_multi_range_falls_back_to_single_ranges() -> None:
    fake = FakeRegistry()
    data = random_bytes(50_000, seed=12)
    d = fake.add_blob(data)
    fake.hooks.append(lambda r: httpx.Response(400) if "," in r.headers.get("range", "") else None)
    wanted = [(10, 5), (40_000, 100)]
    async with client_for(fake) as reg:
        assert await reg.get_blob_ranges("app", d, wanted) == [data[10:15], data[40_000:40_100]]
        assert reg.multirange_supported is False
        n = len(fake.requests)
        assert await reg.get_blob_ranges("app", d, wanted) == [data[10:15], data[40_000:40_100]]
    # remembered: the second call went straight to single ranges
    assert len(fake.requests) == n + 2


async def test_multipart_missing_a_range_is_fetched_singly() -> None:
    fake = FakeRegistry()
    data = random_bytes(5000, seed=13)
    d = fake.add_blob(data)

    def only_first(r: httpx.Request) -> httpx.Response | None:
        if "," not in r.headers.get("range", ""):
            return None
        body = b"--XYZ\r\nContent-Range: bytes 0-9/5000\r\n\r\n" + data[0:10] + b"\r\n--XYZ--\r\n"
        return httpx.Response(
            206, content=body, headers={"Content-Type": 'multipart/byteranges; boundary="XYZ"'}
        )

    fake.hooks.append(only_first)
    async with client_for(fake) as reg:
        got = await reg.get_blob_ranges("app", d, [(0, 10), (100, 10)])
    assert got == [data[0:10], data[100:110]]


# -- redirects ---------------------------------------------------------------------------
async def test_redirect_to_other_host_drops_authorization() -> None:
    data = b"stored elsewhere"
    d = Digest.of_bytes(data)
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers.get("authorization")
        if request.url.host == "registry.test":
            return httpx.Response(307, headers={"Location": "https://storage.test/blob?sig=1"})
        return httpx.Response(200, content=data)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    from core.registry import BasicAuth

    async with RegistryClient(URL, http=http, auth=BasicAuth("u", "p"), retry=FAST) as reg:
        assert await reg.get_blob("app", d) == data
    assert seen["registry.test"] is not None
    assert seen["storage.test"] is None
    await http.aclose()


async def test_too_many_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/v2/again"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with RegistryClient(URL, http=http, retry=FAST) as reg:
        with pytest.raises(RegistryError, match="redirects"):
            await reg.ping()
    await http.aclose()


async def test_tag_list_follows_link_pagination() -> None:
    fake = FakeRegistry()
    tags = [f"v{i}" for i in range(7)]

    def pages(r: httpx.Request) -> httpx.Response | None:
        if not r.url.path.endswith("/tags/list"):
            return None
        n = int(r.url.params.get("n", "100"))
        last = r.url.params.get("last")
        start = tags.index(last) + 1 if last else 0
        page = tags[start : start + n]
        headers = {}
        if start + n < len(tags):
            headers["Link"] = f'</v2/app/tags/list?n={n}&last={page[-1]}>; rel="next"'
        return httpx.Response(200, json={"name": "app", "tags": page}, headers=headers)

    fake.hooks.append(pages)
    async with client_for(fake) as reg:
        assert [t async for t in reg.list_tags("app", page_size=3)] == tags
    assert len(fake.requests) == 3


async def test_pagination_never_follows_links_to_other_hosts() -> None:
    fake = FakeRegistry()
    fake.hooks.append(
        lambda r: httpx.Response(
            200,
            json={"repositories": ["a"]},
            headers={"Link": '<https://evil.test/v2/_catalog?n=1&last=a>; rel="next"'},
        )
    )
    async with client_for(fake) as reg:
        assert [x async for x in reg.catalog(page_size=1)] == ["a"]
    assert len(fake.requests) == 1


async def test_expired_presigned_redirect_is_resolved_again() -> None:
    data = b"blob behind a presigned URL"
    d = Digest.of_bytes(data)
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(f"{request.url.host}{request.url.path}?{request.url.query.decode()}")
        if request.url.host == "registry.test":
            sig = sum(1 for h in hits if h.startswith("registry.test"))
            return httpx.Response(307, headers={"Location": f"https://storage.test/b?sig={sig}"})
        if request.url.params["sig"] == "1":
            return httpx.Response(403, text="<Error>Request has expired</Error>")
        return httpx.Response(200, content=data)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with RegistryClient(URL, http=http, retry=FAST) as reg:
        assert await reg.get_blob("app", d) == data
    assert [h.split("?")[0] for h in hits] == [
        f"registry.test/v2/app/blobs/{d}",
        "storage.test/b",
        f"registry.test/v2/app/blobs/{d}",
        "storage.test/b",
    ]
    await http.aclose()


async def test_cancelled_download_leaves_no_target_and_resumes(tmp_path: Path) -> None:
    import asyncio

    data = random_bytes(9 * 1024 * 1024, seed=30)
    d = Digest.of_bytes(data)
    started = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 1024 * 1024):
            yield data[i : i + 1024 * 1024]
            if i >= 8 * 1024 * 1024:
                started.set()
                await asyncio.sleep(3600)

    def handler(request: httpx.Request) -> httpx.Response:
        rng = request.headers.get("range")
        if rng:
            first = int(rng.removeprefix("bytes=").rstrip("-"))
            return httpx.Response(
                206,
                content=data[first:],
                headers={"Content-Range": f"bytes {first}-{len(data) - 1}/{len(data)}"},
            )
        return httpx.Response(200, content=slow_body(), headers={"Content-Length": str(len(data))})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    target = tmp_path / "blob"
    async with RegistryClient(URL, http=http, retry=FAST) as reg:
        task = asyncio.create_task(reg.download_blob("app", d, target))
        await asyncio.wait_for(started.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not target.exists()
        partial = tmp_path / "blob.partial"
        assert 0 < partial.stat().st_size < len(data)
        assert await reg.download_blob("app", d, target) == len(data)
    assert target.read_bytes() == data
    assert os.listdir(tmp_path) == ["blob"]
    await http.aclose()


async def test_many_ranges_are_batched() -> None:
    fake = FakeRegistry()
    data = random_bytes(100_000, seed=31)
    d = fake.add_blob(data)
    wanted = [(i * 1000, 10) for i in range(70)]
    async with client_for(fake) as reg:
        got = await reg.get_blob_ranges("app", d, wanted)
    assert got == [data[o : o + n] for o, n in wanted]
    assert len(fake.requests) == 3  # 32 + 32 + 6 ranges
