"""RegistryClient against Debian's docker-registry (CNCF distribution 2.8), with and without
htpasswd Basic auth."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.errors import (
    AuthError,
    BlobNotFound,
    DigestMismatch,
    ManifestNotFound,
    RangeNotSupported,
    RegistryError,
    UploadError,
)
from core.oci import Digest, Index, Manifest
from core.registry import RegistryClient
from tests.fixtures.images import TestImage, TestIndex, push_image, random_bytes
from tests.fixtures.registry import RunningRegistry

pytestmark = pytest.mark.integration


@pytest.fixture(params=["anonymous", "basic"])
def registry(
    request: pytest.FixtureRequest,
) -> RunningRegistry:
    if request.param == "anonymous":
        reg: RunningRegistry = request.getfixturevalue("distribution_registry")
    else:
        reg = request.getfixturevalue("basic_auth_registry")
    return reg


async def test_push_pull_list_delete(
    registry: RunningRegistry, small_image: TestImage, unique_repo: str, tmp_path: Path
) -> None:
    async with RegistryClient(registry.host, credentials=registry.credentials) as reg:
        assert await reg.ping() == "registry/2.0"
        digest = await push_image(reg, unique_repo, small_image, "v1")
        assert digest == small_image.digest
        got = await reg.get_manifest(unique_repo, "v1")
        assert isinstance(got, Manifest)
        assert got.raw == small_image.manifest.raw
        head = await reg.head_manifest(unique_repo, "v1")
        assert head is not None
        assert (head.digest, head.size, head.media_type) == (
            digest,
            len(got.raw),
            got.media_type,
        )
        for layer in small_image.layers:
            d = layer.descriptor.digest
            assert await reg.get_blob(unique_repo, d) == layer.blob
            target = tmp_path / d.hex
            await reg.download_blob(unique_repo, d, target, expected_size=len(layer.blob))
            assert target.read_bytes() == layer.blob
        assert [t async for t in reg.list_tags(unique_repo)] == ["v1"]
        assert unique_repo in [r async for r in reg.catalog()]
        # pushing again skips every blob
        again = await reg.push_blob(unique_repo, small_image.layers[0].blob)
        assert again.outcome == "exists"

        await reg.delete_manifest(unique_repo, digest)
        with pytest.raises(ManifestNotFound) as info:
            await reg.get_manifest(unique_repo, "v1")
        assert info.value.code == "MANIFEST_UNKNOWN"
        assert await reg.head_manifest(unique_repo, digest) is None
        layer_digest = small_image.layers[0].descriptor.digest
        await reg.delete_blob(unique_repo, layer_digest)
        with pytest.raises(BlobNotFound):
            await reg.get_blob(unique_repo, layer_digest)


async def test_index_round_trip(
    registry: RunningRegistry, multiarch_index: TestIndex, unique_repo: str
) -> None:
    async with RegistryClient(registry.host, credentials=registry.credentials) as reg:
        await push_image(reg, unique_repo, multiarch_index, "multi")
        got = await reg.get_manifest(unique_repo, "multi")
        assert isinstance(got, Index)
        assert got.raw == multiarch_index.index.raw
        assert len(got.manifests) == 2


async def test_range_reads(registry: RunningRegistry, unique_repo: str) -> None:
    data = random_bytes(303_665, seed=21)
    async with RegistryClient(registry.host, credentials=registry.credentials) as reg:
        pushed = await reg.push_blob(unique_repo, data)
        d = pushed.digest
        assert await reg.get_blob_range(unique_repo, d, 303_617, 48) == data[303_617:]
        assert await reg.get_blob_range(unique_repo, d, 0, 1) == data[:1]
        tail, total = await reg.get_blob_tail(unique_repo, d, 48)
        assert (tail, total) == (data[-48:], len(data))
        wanted = [(0, 10), (199, 19), (100_000, 4096), (303_600, 65)]
        got = await reg.get_blob_ranges(unique_repo, d, wanted)
        assert got == [data[o : o + n] for o, n in wanted]
        assert reg.multirange_supported is True
        # a range that reaches past the end is clamped by the registry
        assert await reg.get_blob_range(unique_repo, d, 303_660, 100) == data[303_660:]
        with pytest.raises(RangeNotSupported) as info:
            await reg.get_blob_range(unique_repo, d, 999_999, 1)
        assert info.value.status == 416


async def test_chunked_upload_from_async_iterator(
    registry: RunningRegistry, unique_repo: str
) -> None:
    data = random_bytes(2_500_000, seed=22)

    async def source() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 70_001):
            yield data[i : i + 70_001]

    async with RegistryClient(
        registry.host, credentials=registry.credentials, upload_chunk_size=1 << 20
    ) as reg:
        result = await reg.push_blob(unique_repo, source())
        assert result.outcome == "uploaded"
        assert result.digest == Digest.of_bytes(data)
        assert result.size == len(data)
        assert await reg.get_blob(unique_repo, result.digest) == data
        # chunked from bytes and from a file, forced
        small = random_bytes(3_000_000, seed=23)
        r2 = await reg.push_blob(unique_repo, small, chunked=True)
        assert await reg.blob_size(unique_repo, r2.digest) == len(small)


async def test_push_file_and_wrong_expected_digest(
    registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    data = random_bytes(1_000_000, seed=24)
    path = tmp_path / "blob"
    path.write_bytes(data)
    async with RegistryClient(registry.host, credentials=registry.credentials) as reg:
        wrong = Digest.of_bytes(b"something else")
        with pytest.raises(DigestMismatch):
            await reg.push_blob(unique_repo, path, digest=wrong, size=len(data))
        assert await reg.blob_size(unique_repo, wrong) is None

        async def source() -> AsyncIterator[bytes]:
            yield data

        with pytest.raises(DigestMismatch):
            await reg.push_blob(unique_repo, source(), digest=wrong)
        assert await reg.blob_size(unique_repo, Digest.of_bytes(data)) is None
        result = await reg.push_blob(unique_repo, path)
        assert result.digest == Digest.of_bytes(data)


async def test_mount_across_repositories(registry: RunningRegistry, unique_repo: str) -> None:
    data = random_bytes(100_000, seed=25)
    other = unique_repo + "-mirror"
    async with RegistryClient(registry.host, credentials=registry.credentials) as reg:
        pushed = await reg.push_blob(unique_repo, data)
        assert await reg.blob_size(other, pushed.digest) is None
        assert await reg.mount_blob(other, pushed.digest, unique_repo) is True
        assert await reg.get_blob(other, pushed.digest) == data
        via_push = await reg.push_blob(
            other + "-2", data, digest=pushed.digest, mount_from=unique_repo
        )
        assert via_push.outcome == "mounted"
        # mounting something that does not exist falls back to a normal upload session
        missing = Digest.of_bytes(b"missing")
        assert await reg.mount_blob(other, missing, unique_repo) is False


async def test_tags_and_catalog_pagination(
    registry: RunningRegistry, small_image: TestImage, unique_repo: str
) -> None:
    """distribution 2.8 pages ``_catalog`` (``n`` + ``Link``) but ignores ``n`` on tag lists
    (it answers every tag, unordered); the Link-following itself is also covered against a
    fake registry that pages tags."""
    urls: list[str] = []

    async def record(request: httpx.Request) -> None:
        urls.append(str(request.url))

    http = httpx.AsyncClient(event_hooks={"request": [record]})
    async with RegistryClient(registry.host, credentials=registry.credentials, http=http) as reg:
        await push_image(reg, unique_repo, small_image, "t00")
        tags = [f"t{i:02d}" for i in range(23)]
        for tag in tags[1:]:
            await reg.put_manifest(unique_repo, small_image.manifest, tag)
        assert sorted([t async for t in reg.list_tags(unique_repo, page_size=5)]) == tags
        repos = [f"{unique_repo}/r{i}" for i in range(5)]
        for repo in repos:
            await reg.mount_blob(repo, small_image.config.digest, unique_repo)
            await push_image(reg, repo, small_image, "x")
        urls.clear()
        listed = [r async for r in reg.catalog(page_size=2)]
        assert set(repos) <= set(listed)
        assert len(listed) == len(set(listed))
        pages = [u for u in urls if "_catalog" in u]
        assert len(pages) >= 3
        assert all("n=2" in u for u in pages)
    await http.aclose()


async def test_manifest_referencing_missing_blob_is_refused(
    registry: RunningRegistry, small_image: TestImage, unique_repo: str
) -> None:
    async with RegistryClient(registry.host, credentials=registry.credentials) as reg:
        with pytest.raises(RegistryError) as info:
            await reg.put_manifest(unique_repo, small_image.manifest, "broken")
        assert info.value.code == "MANIFEST_BLOB_UNKNOWN"
        assert [t async for t in _tags(reg, unique_repo)] == []


async def _tags(reg: RegistryClient, repo: str) -> AsyncIterator[str]:
    try:
        async for t in reg.list_tags(repo):
            yield t
    except RegistryError:
        return


async def test_corrupt_blob_on_disk_is_never_returned(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    data = random_bytes(200_000, seed=26)
    async with RegistryClient(distribution_registry.host) as reg:
        d = (await reg.push_blob(unique_repo, data)).digest
        [stored] = list(
            distribution_registry.storage.rglob(f"blobs/sha256/{d.hex[:2]}/{d.hex}/data")
        )
        stored.write_bytes(data[:-5] + b"XXXXX")
        with pytest.raises(DigestMismatch):
            await reg.get_blob(unique_repo, d)
        with pytest.raises(DigestMismatch):
            await reg.download_blob(unique_repo, d, tmp_path / "out")
        assert os.listdir(tmp_path) == []


async def test_wrong_credentials(basic_auth_registry: RunningRegistry) -> None:
    async with RegistryClient(basic_auth_registry.host, credentials=("fcdesk", "wrong")) as reg:
        with pytest.raises(AuthError) as info:
            await reg.ping()
    assert info.value.status == 401
    assert "wrong" not in str(info.value)
    async with RegistryClient(basic_auth_registry.host) as reg:
        with pytest.raises(AuthError):
            await reg.ping()


async def test_upload_errors_are_specific(
    distribution_registry: RunningRegistry, unique_repo: str
) -> None:
    async with RegistryClient(distribution_registry.host) as reg:
        with pytest.raises(UploadError):
            await reg._put_monolithic(  # a session that does not exist
                unique_repo,
                f"{reg.base_url}/v2/{unique_repo}/blobs/uploads/00000000-0000-0000-0000-000000000000?_state=x",
                Digest.of_bytes(b"abc"),
                b"abc",
                3,
                None,
            )
