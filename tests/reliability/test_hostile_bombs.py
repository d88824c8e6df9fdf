"""Decompression bombs (gzip and zstd) against the converter and the pullers.

The bombs are built in milliseconds by repeating one compressed member (gzip, deflate's
ceiling of about 1032:1) or frame (zstd, ~30000:1). The documented limits: a layer is refused
once it has produced more than the grace amount (64 MiB) at a ratio above 1000, or more than
the absolute maximum. A gzip stream cannot beat 1032:1, so for gzip the absolute maximum is the
guard that matters; it is exercised here with a lowered maximum.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from core.convert import Compression, ConvertOptions, Limits, convert_layer_sync
from core.errors import UnsafeContent
from core.formats import FormatKind
from core.oci import OCI_LAYER_GZIP, OCI_LAYER_ZSTD, Descriptor, Digest, ImageConfig, Manifest
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._unpack import unpack_layer_sync
from core.registry import RegistryClient
from tests.fixtures.registry import RunningRegistry
from tests.reliability._corpus import bomb_layer, canary_state, make_canary
from tests.reliability.conftest import Recorder

GiB = 1 << 30
MiB = 1 << 20


def test_bombs_are_small() -> None:
    assert len(bomb_layer("zstd", 4 * GiB)) < 300_000
    assert len(bomb_layer("gzip", 256 * MiB)) < 300_000


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
def test_converter_refuses_zstd_bomb_with_default_limits(
    kind: FormatKind, reliability: Recorder
) -> None:
    blob = bomb_layer("zstd", 4 * GiB)
    out = io.BytesIO()
    with pytest.raises(UnsafeContent, match="bomb"):
        convert_layer_sync(
            io.BytesIO(blob).read,
            Compression.ZSTD,
            out,
            ConvertOptions(format=kind, threads=1),
            layer="bomb",
        )
    reliability.hostile("zstd-bomb", "converter", "refused", "UnsafeContent")


def test_converter_refuses_gzip_bomb_over_the_maximum(reliability: Recorder) -> None:
    blob = bomb_layer("gzip", 256 * MiB)
    limits = Limits(max_uncompressed=32 * MiB)
    with pytest.raises(UnsafeContent, match="bomb"):
        convert_layer_sync(
            io.BytesIO(blob).read,
            Compression.GZIP,
            io.BytesIO(),
            ConvertOptions(threads=1, limits=limits),
            layer="bomb",
        )
    reliability.hostile("gzip-bomb", "converter", "refused", "UnsafeContent")


def test_unpacker_refuses_zstd_bomb(tmp_path: Path, reliability: Recorder) -> None:
    canary = make_canary(tmp_path)
    before = canary_state(canary)
    with pytest.raises(UnsafeContent, match="bomb"):
        unpack_layer_sync(io.BytesIO(bomb_layer("zstd", 4 * GiB)), tmp_path / "target")
    written = sum(p.stat().st_size for p in (tmp_path / "target").rglob("*") if p.is_file())
    assert written <= 512 * MiB  # stopped long before 4 GiB
    assert canary_state(canary) == before
    reliability.hostile("zstd-bomb", "unpacker", "refused", "UnsafeContent")


def test_unpacker_refuses_gzip_bomb_over_the_maximum(tmp_path: Path, reliability: Recorder) -> None:
    with pytest.raises(UnsafeContent, match="bomb"):
        unpack_layer_sync(
            io.BytesIO(bomb_layer("gzip", 256 * MiB)),
            tmp_path / "target",
            max_uncompressed=32 * MiB,
        )
    reliability.hostile("gzip-bomb", "unpacker", "refused", "UnsafeContent")


@pytest.mark.integration
@pytest.mark.parametrize("compression", ["zstd"])
async def test_full_pull_refuses_bomb(
    compression: str,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    blob = bomb_layer(compression, 4 * GiB)
    digest = Digest.of_bytes(blob)
    media = OCI_LAYER_ZSTD if compression == "zstd" else OCI_LAYER_GZIP
    async with RegistryClient(distribution_registry.host) as client:
        await client.push_blob(unique_repo, blob, digest=digest)
        config = ImageConfig.build(diff_ids=[Digest("sha256", "0" * 64)])
        await client.push_blob(unique_repo, config.raw, digest=config.digest)
        manifest = Manifest.build(config.descriptor(), [Descriptor(media, digest, len(blob))])
        await client.put_manifest(unique_repo, manifest, "bomb")
        with pytest.raises(UnsafeContent, match="bomb"):
            await pull_image(
                client,
                f"{client.registry}/{unique_repo}:bomb",
                tmp_path / "work" / "target",
                cache=ContentCache(tmp_path / "cache"),
            )
    assert os.listdir(tmp_path / "work") == []
    reliability.hostile(f"{compression}-bomb", "full-pull", "refused", "UnsafeContent")
