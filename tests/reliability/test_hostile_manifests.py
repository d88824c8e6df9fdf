"""Manifests pointing at missing or mismatched blobs, met by the pullers.

A registry that lost a blob, one whose stored bytes rotted, a manifest that lies about a
blob's size, names a blob that is not a layer, or a config whose ``diff_ids`` do not fit the
layers: full and lazy pulls fail with a specific error, leave no target directory behind, and
never keep unverified bytes in the content cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.convert import ConvertOptions, convert_image
from core.errors import BlobNotFound, CoreError, DigestMismatch, ManifestError, PullError
from core.oci import Descriptor, Digest, ImageConfig, Manifest
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._lazy import LazyImage
from core.registry import RegistryClient
from tests.fixtures.registry import RunningRegistry
from tests.reliability._images import build_image, push_built
from tests.reliability.conftest import Recorder

pytestmark = pytest.mark.integration

IMAGE = build_image(31337, layers=2, files_per_layer=2, file_size=120_000)


def _storage_file(reg: RunningRegistry, digest: Digest) -> Path:
    hexpart = digest.encoded
    return reg.storage / "docker/registry/v2/blobs/sha256" / hexpart[:2] / hexpart / "data"


def _cache_is_sound(cache: Path) -> None:
    for p in (cache / "blobs").rglob("*"):
        if p.is_file() and not p.name.endswith(".partial"):
            assert Digest.of_bytes(p.read_bytes()).encoded == p.name, p


async def _pull_fails(
    client: RegistryClient, ref: str, tmp: Path, errors: tuple[type[Exception], ...]
) -> CoreError:
    with pytest.raises(errors) as info:
        await pull_image(client, ref, tmp / "work" / "rootfs", cache=ContentCache(tmp / "cache"))
    assert not (tmp / "work").exists() or os.listdir(tmp / "work") == []
    _cache_is_sound(tmp / "cache")
    assert isinstance(info.value, CoreError)
    return info.value


async def test_missing_layer(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        await client.delete_blob(unique_repo, Digest.of_bytes(IMAGE.layers[1]))
        err = await _pull_fails(
            client, f"{client.registry}/{unique_repo}:v1", tmp_path, (BlobNotFound,)
        )
    reliability.hostile("manifest-missing-layer", "full-pull", "refused", err.code)


async def test_rotten_layer_in_registry_storage(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        path = _storage_file(distribution_registry, Digest.of_bytes(IMAGE.layers[0]))
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x10
        path.write_bytes(bytes(data))
        try:
            err = await _pull_fails(
                client, f"{client.registry}/{unique_repo}:v1", tmp_path, (DigestMismatch,)
            )
        finally:
            path.write_bytes(IMAGE.layers[0])  # the registry is shared by the session
    reliability.hostile("registry-rotten-blob", "full-pull", "refused", err.code)


async def _push_manifest(client: RegistryClient, repo: str, manifest: Manifest) -> str:
    await client.put_manifest(repo, manifest, "bad")
    return f"{client.registry}/{repo}:bad"


@pytest.mark.parametrize("lie", ["smaller", "larger"])
async def test_descriptor_size_lies(
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    lie: str,
    reliability: Recorder,
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        layers = list(IMAGE.manifest.layers)
        real = layers[0]
        size = real.size - 100 if lie == "smaller" else real.size + 100
        layers[0] = Descriptor(real.media_type, real.digest, size)
        # The registry stores the lying manifest (it checks that blobs exist, not their
        # sizes): the puller is the one that must refuse.
        ref = await _push_manifest(
            client, unique_repo, Manifest.build(IMAGE.config.descriptor(), layers)
        )
        err = await _pull_fails(client, ref, tmp_path, (DigestMismatch,))
    reliability.hostile(f"descriptor-size-{lie}", "full-pull", "refused", err.code)


async def test_layer_that_is_not_a_tar(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    """The manifest names the config blob as a layer (it exists and matches its digest)."""
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        layers = [
            *IMAGE.manifest.layers[:1],
            Descriptor(IMAGE.manifest.layers[1].media_type, IMAGE.config.digest, IMAGE.config.size),
        ]
        ref = await _push_manifest(
            client, unique_repo, Manifest.build(IMAGE.config.descriptor(), layers)
        )
        err = await _pull_fails(client, ref, tmp_path, (PullError,))
    reliability.hostile("layer-not-a-tar", "full-pull", "refused", err.code)


async def test_config_diff_ids_do_not_fit(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        config = ImageConfig.build(diff_ids=[Digest.of_bytes(b"only one")])
        await client.push_blob(unique_repo, config.raw, digest=config.digest)
        ref = await _push_manifest(
            client, unique_repo, Manifest.build(config.descriptor(), IMAGE.manifest.layers)
        )
        err = await _pull_fails(client, ref, tmp_path, (ManifestError, PullError))
    reliability.hostile("config-diff-ids-mismatch", "full-pull", "refused", err.code)


async def test_config_diff_id_lies(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    """The right number of diff_ids, one of them wrong: the layer's decompressed content is
    hashed while it is unpacked, and the pull fails naming that layer; no rootfs appears."""
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        diff_ids = list(IMAGE.config.diff_ids)
        diff_ids[1] = Digest.of_bytes(b"another layer")
        config = ImageConfig.build(diff_ids=diff_ids)
        await client.push_blob(unique_repo, config.raw, digest=config.digest)
        ref = await _push_manifest(
            client, unique_repo, Manifest.build(config.descriptor(), IMAGE.manifest.layers)
        )
        err = await _pull_fails(client, ref, tmp_path, (DigestMismatch,))
    assert err.code == "DiffIDMismatch"
    assert f"layer 1 ({IMAGE.manifest.layers[1].digest})" in str(err)
    assert err.detail["layer"].startswith("1 ")
    assert isinstance(err, DigestMismatch)
    assert err.expected == str(diff_ids[1])
    assert err.actual == str(IMAGE.config.diff_ids[1])
    reliability.hostile("config-diff-id-lie", "full-pull", "refused", err.code, check="diff-id")


async def test_lazy_pull_of_a_missing_layer(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, IMAGE, "v1")
        await convert_image(
            client, f"{client.registry}/{unique_repo}:v1", options=ConvertOptions(threads=1)
        )
        twin = await client.get_manifest(unique_repo, "v1_accelerated")
        assert isinstance(twin, Manifest)
        await client.delete_blob(unique_repo, twin.layers[0].digest)
        with pytest.raises((BlobNotFound, PullError)) as info:
            await LazyImage.open(
                client,
                f"{client.registry}/{unique_repo}:v1_accelerated",
                cache=ContentCache(tmp_path / "c"),
            )
    reliability.hostile("manifest-missing-layer", "lazy-pull", "refused", info.value.code)
