"""The Local server's registry through the fault proxy, and clients that give up half-way.

Pushes and pulls with the registry client, lazy reads and full pulls of accelerated images,
and conversions run while the proxy resets, stalls, truncates, corrupts and throttles; every
operation ends with the right bytes or a specific error, and the server's store stays whole.
"""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.convert import ConvertOptions, convert_image
from core.errors import CoreError, DigestMismatch, PullError, RangeNotSupported, UploadError
from core.oci import Digest
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._lazy import LazyImage
from core.registry import RegistryClient
from tests.fixtures.emulator import LocalServerHandle
from tests.fixtures.faults import FaultKind, ProxiedRegistry
from tests.reliability._images import FAST_RETRY, build_image, push_built
from tests.reliability._integrity import check_store
from tests.reliability.conftest import Recorder

pytestmark = pytest.mark.integration


def _open_files_under(directory: Path) -> list[str]:
    """Files under ``directory`` this process (which runs the in-thread server) has open."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            out.append(target)
    return out


async def test_aborted_downloads_release_their_files(
    local_server_thread: LocalServerHandle, reliability: Recorder
) -> None:
    """Clients that hang up in the middle of a blob (timeouts, cancelled lazy reads) must not
    leave the server with open files: the stream is closed when the client goes away."""
    srv = local_server_thread
    data = os.urandom(8 << 20)
    digest = Digest.of_bytes(data)
    async with srv.registry_client() as reg:
        r = await reg.post(
            "/v2/abort/blob/blobs/uploads/", params={"digest": str(digest)}, content=data
        )
        assert r.status_code == 201
    for _ in range(5):
        async with (
            srv.registry_client() as reg,
            reg.stream("GET", f"/v2/abort/blob/blobs/{digest}") as r,
        ):
            async for _chunk in r.aiter_raw():
                break  # hang up after the first piece
    # The server closes a hung-up download's file when it notices the disconnect: wait for it.
    for _ in range(200):
        gc.collect()  # an unclosed file would surface here as a ResourceWarning (an error)
        if _open_files_under(srv.data_dir / "blobs") == []:
            break
        await asyncio.sleep(0.05)
    assert _open_files_under(srv.data_dir / "blobs") == []
    async with srv.registry_client() as reg:  # and the blob is still served whole
        assert (await reg.get(f"/v2/abort/blob/blobs/{digest}")).content == data
    reliability.fault("client-abort", "aborted-download", 5)


# -- through the fault proxy -------------------------------------------------------------------

IMAGE = build_image(9001, layers=2, files_per_layer=3, file_size=250_000)


def _local_client(url: str, srv: LocalServerHandle, **kw: Any) -> RegistryClient:
    kw.setdefault("retry", FAST_RETRY)
    kw.setdefault("timeout", httpx.Timeout(2.0))
    return RegistryClient(url, credentials=srv.registry_auth, **kw)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


PUSH_FAULTS = [
    pytest.param("PATCH", "reset", {}, id="patch-reset"),
    pytest.param("PATCH", "reset", {"upstream": True}, id="patch-answer-lost"),
    pytest.param("PATCH", "cut-request", {"after": 0.5}, id="patch-cut"),
    pytest.param("PATCH", "stall", {"stall": 20}, id="patch-stall"),
    pytest.param("PUT", "reset", {"upstream": True}, id="put-answer-lost"),
    pytest.param("PUT", "status", {"status": 503}, id="put-503"),
    pytest.param("POST", "status", {"status": 429, "retry_after": "0"}, id="post-429"),
    pytest.param("HEAD", "stall", {"stall": 20}, id="head-stall"),
    pytest.param("PUT", "flip-request", {"flips": 3}, id="put-corrupted"),
]


@pytest.mark.parametrize(("method", "kind", "params"), PUSH_FAULTS)
async def test_push_through_faults(
    faulty_local_server: ProxiedRegistry,
    method: str,
    kind: FaultKind,
    params: dict[str, Any],
    reliability: Recorder,
) -> None:
    srv: LocalServerHandle = faulty_local_server.direct
    proxy = faulty_local_server.proxy
    proxy.inject(
        kind,
        method=method,
        path=r"/v2/",
        times=1,
        when=(lambda r: r.body_size > 0) if kind in ("flip-request", "cut-request") else None,
        **params,
    )
    async with _local_client(proxy.url, srv, upload_chunk_size=128 << 10) as client:
        first, *rest = IMAGE.layers
        try:
            await client.push_blob(
                "faults/push", first, digest=Digest.of_bytes(first), chunked=True
            )
            for blob in rest:
                await client.push_blob("faults/push", blob, digest=Digest.of_bytes(blob))
            await client.push_blob("faults/push", IMAGE.config.raw, digest=IMAGE.config.digest)
            await client.put_manifest("faults/push", IMAGE.manifest, "v1")
            outcome = "pushed"
        except UploadError:
            # only a corrupted request body may end the push: the server refused the bytes
            assert kind == "flip-request"
            outcome = "refused"
    assert proxy.injected[kind] == 1
    report = check_store(srv.data_dir)
    report.assert_ok()
    async with _local_client(srv.url, srv) as direct:
        if outcome == "pushed":
            assert (await direct.get_manifest("faults/push", "v1")).raw == IMAGE.manifest.raw
            for digest, data in IMAGE.blobs.items():
                assert await direct.get_blob("faults/push", digest) == data
        else:
            tags = [t async for t in direct.list_tags("faults/push")] if report.tags else []
            assert "v1" not in tags


PULL_FAULTS = [
    pytest.param("reset-body", {"after": 0.5}, id="reset-body"),
    pytest.param("truncate", {"after": 0.3}, id="truncate"),
    pytest.param("stall-body", {"after": 0.6, "stall": 20}, id="stall-body"),
    pytest.param("status", {"status": 503}, id="503"),
    pytest.param("status", {"status": 429, "retry_after": "0"}, id="429"),
    pytest.param("reset", {}, id="reset"),
    pytest.param("drip", {"rate": 8192, "interval": 0.001}, id="drip"),
]


@pytest.fixture
async def pushed(faulty_local_server: ProxiedRegistry) -> ProxiedRegistry:
    srv: LocalServerHandle = faulty_local_server.direct
    async with _local_client(srv.url, srv) as direct:
        await push_built(direct, "faults/app", IMAGE, "v1")
    return faulty_local_server


@pytest.mark.parametrize(("kind", "params"), PULL_FAULTS)
async def test_full_pull_through_faults(
    pushed: ProxiedRegistry, kind: FaultKind, params: dict[str, Any], tmp_path: Path
) -> None:
    proxy = pushed.proxy
    srv: LocalServerHandle = pushed.direct
    proxy.inject(kind, method="GET", path=r"/blobs/sha256:", attempts={1}, **params)
    async with _local_client(proxy.url, srv) as client:
        result = await pull_image(
            client,
            f"{proxy.host}/faults/app:v1",
            tmp_path / "rootfs",
            cache=ContentCache(tmp_path / "c"),
        )
    assert _tree(result.rootfs) == IMAGE.files
    assert proxy.injected[kind] >= 1


async def test_full_pull_with_corrupted_layer_fails_cleanly(
    pushed: ProxiedRegistry, tmp_path: Path
) -> None:
    proxy = pushed.proxy
    srv: LocalServerHandle = pushed.direct
    layer = str(Digest.of_bytes(IMAGE.layers[1]))
    proxy.inject("flip", method="GET", path=layer, flips=2)
    async with _local_client(proxy.url, srv) as client:
        with pytest.raises(DigestMismatch):
            await pull_image(
                client,
                f"{proxy.host}/faults/app:v1",
                tmp_path / "work" / "rootfs",
                cache=ContentCache(tmp_path / "c"),
            )
    assert not (tmp_path / "work").exists() or not os.listdir(tmp_path / "work")
    # complete cache entries are whole; a .partial download is kept only to be resumed (and is
    # verified as a whole when it completes): a clean pull afterwards gets the right tree
    cached = [p for p in (tmp_path / "c" / "blobs").rglob("*") if p.is_file()]
    complete = [p for p in cached if not p.name.endswith(".partial")]
    assert all(Digest.of_bytes(p.read_bytes()).encoded == p.name for p in complete), complete
    proxy.clear()
    async with _local_client(proxy.url, srv) as client:
        result = await pull_image(
            client,
            f"{proxy.host}/faults/app:v1",
            tmp_path / "work" / "rootfs",
            cache=ContentCache(tmp_path / "c"),
        )
    assert _tree(result.rootfs) == IMAGE.files


@pytest.fixture
async def accelerated(pushed: ProxiedRegistry) -> ProxiedRegistry:
    """``faults/app:v1_accelerated`` converted directly (64 KiB chunks: many ranges)."""
    srv: LocalServerHandle = pushed.direct
    async with _local_client(srv.url, srv, timeout=30) as direct:
        await convert_image(
            direct,
            f"{srv.host}/faults/app:v1",
            options=ConvertOptions(threads=1, chunk_size=64 << 10),
        )
    return pushed


LAZY_FAULTS = [
    pytest.param("reset", {}, id="reset"),
    pytest.param("reset-body", {"after": 0.5}, id="reset-body"),
    pytest.param("truncate", {"after": 0.5}, id="truncate"),
    pytest.param("status", {"status": 503}, id="503"),
    pytest.param("stall", {"stall": 20}, id="stall"),
    pytest.param("flip", {"flips": 1}, id="flip-once"),
]


def _ranged(req: Any) -> bool:
    return req.header("range") is not None


@pytest.mark.parametrize(("kind", "params"), LAZY_FAULTS)
async def test_lazy_reads_through_faults(
    accelerated: ProxiedRegistry, kind: FaultKind, params: dict[str, Any], tmp_path: Path
) -> None:
    """Every chunk read survives one fault per range request (a flipped chunk is fetched
    again, verified, and only then served)."""
    proxy = accelerated.proxy
    srv: LocalServerHandle = accelerated.direct
    async with _local_client(proxy.url, srv) as client:
        image = await LazyImage.open(
            client, f"{proxy.host}/faults/app:v1_accelerated", cache=ContentCache(tmp_path / "c")
        )
        try:
            # a chunk is verified, fetched again once on a mismatch, then refused: one flip is
            # survived, two on the same chunk are not (see the next test)
            times = 1 if kind == "flip" else 4
            proxy.inject(
                kind, method="GET", path=r"/blobs/sha256:", times=times, when=_ranged, **params
            )
            for name, data in IMAGE.files.items():
                assert await image.read(name) == data
        finally:
            await image.aclose()
    assert proxy.injected[kind] >= 1


async def test_lazy_read_of_a_persistently_corrupted_chunk_is_refused(
    accelerated: ProxiedRegistry, tmp_path: Path
) -> None:
    proxy = accelerated.proxy
    srv: LocalServerHandle = accelerated.direct
    name, data = next(iter(IMAGE.files.items()))
    async with _local_client(proxy.url, srv) as client:
        image = await LazyImage.open(
            client, f"{proxy.host}/faults/app:v1_accelerated", cache=ContentCache(tmp_path / "c")
        )
        try:
            proxy.inject("flip", method="GET", path=r"/blobs/sha256:", when=_ranged, flips=4)
            with pytest.raises(DigestMismatch):
                await image.read(name)
            proxy.clear()
            assert await image.read(name) == data  # nothing wrong was cached
        finally:
            await image.aclose()


async def test_lying_content_range_on_lazy_reads(
    accelerated: ProxiedRegistry, tmp_path: Path
) -> None:
    proxy = accelerated.proxy
    srv: LocalServerHandle = accelerated.direct
    name, data = next(iter(IMAGE.files.items()))
    async with _local_client(proxy.url, srv) as client:
        image = await LazyImage.open(
            client, f"{proxy.host}/faults/app:v1_accelerated", cache=ContentCache(tmp_path / "c")
        )
        try:
            proxy.inject(
                "content-range", method="GET", path=r"/blobs/sha256:", when=_ranged, shift=3
            )
            got: bytes | CoreError
            try:
                got = await image.read(name)
            except CoreError as exc:
                got = exc
            # refused with a specific error, or recovered (whole-blob fallback), never wrong
            if isinstance(got, CoreError):
                assert isinstance(got, RangeNotSupported | DigestMismatch | PullError), got
            else:
                assert got == data
        finally:
            await image.aclose()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 8])
async def test_client_side_conversion_under_random_faults(
    pushed: ProxiedRegistry, fault_proxy_factory: Any, seed: int
) -> None:
    """A conversion reading from and pushing to the server through random faults either
    produces the twin (whole) or fails with a core error and leaves no twin tag."""
    srv: LocalServerHandle = pushed.direct
    proxy = fault_proxy_factory(srv.url, seed=seed)
    faults: list[tuple[FaultKind, dict[str, Any]]] = [
        ("reset", {}),
        ("reset", {"upstream": True}),
        ("status", {"status": 503}),
        ("truncate", {"after": 0.5}),
        ("reset-body", {"after": 0.5}),
        ("stall", {"stall": 20}),
        ("cut-request", {"after": 0.5}),
    ]
    for kind, params in faults:
        proxy.inject(kind, probability=0.04, **params)
    error: CoreError | None = None
    async with _local_client(proxy.url, srv, timeout=httpx.Timeout(3.0)) as client:
        try:
            await convert_image(
                client, f"{proxy.host}/faults/app:v1", options=ConvertOptions(threads=1)
            )
        except CoreError as exc:
            error = exc
    check_store(srv.data_dir).assert_ok()
    async with _local_client(srv.url, srv) as direct:
        tags = [t async for t in direct.list_tags("faults/app")]
        if error is None:
            assert "v1_accelerated" in tags
        if "v1_accelerated" in tags:  # whole: lazily readable, every file verified
            image = await LazyImage.open(
                direct,
                f"{srv.host}/faults/app:v1_accelerated",
                cache=ContentCache(pushed.direct.data_dir.parent / f"c{seed}"),
            )
            try:
                for name, data in IMAGE.files.items():
                    assert await image.read(name) == data
            finally:
                await image.aclose()
    assert proxy.total_injected > 0
