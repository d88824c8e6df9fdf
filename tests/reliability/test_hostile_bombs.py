"""Decompression bombs (gzip and zstd) against the converter and the pullers.

The bombs are built in milliseconds by repeating one compressed member (gzip, deflate's
ceiling of about 1032:1) or frame (zstd, ~30000:1). The documented limits, shared by the
converter and the full puller (`core.formats.DecompressionLimits`): a layer is refused once it
has produced more than 1 GiB at a ratio above 250:1, or more than 64 GiB (for a full pull:
the whole image). Real layers stay far below 250:1; the most compressible benign layer of the
corpus (near-empty files: tar headers and padding) is accepted even with the grace lowered to
1 MiB, and a layer that is one zero-filled or repetitive file of almost 1 GiB (which expands
like a bomb) is accepted with the default limits.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest
import zstandard

from core.convert import ConvertOptions, Limits, convert_layer_sync
from core.convert._source import DecompressingReader
from core.errors import UnsafeContent
from core.formats import DecompressionLimits, FormatKind
from core.oci import (
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    Compression,
    Descriptor,
    Digest,
    ImageConfig,
    Manifest,
)
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._unpack import unpack_layer_sync
from core.registry import RegistryClient
from tests.fixtures.registry import RunningRegistry
from tests.reliability._corpus import (
    bomb_layer,
    canary_state,
    header_heavy_tar,
    make_canary,
)
from tests.reliability._images import build_image, push_built
from tests.reliability.conftest import Recorder

GiB = 1 << 30
MiB = 1 << 20


@pytest.fixture(autouse=True)
def _tally(reliability: Recorder) -> None:
    reliability.check = "decompression-limits"


def test_bombs_are_small() -> None:
    assert len(bomb_layer("zstd", 4 * GiB)) < 300_000
    assert len(bomb_layer("gzip", 256 * MiB)) < 300_000


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
def test_converter_refuses_zstd_bomb_with_default_limits(
    kind: FormatKind, reliability: Recorder
) -> None:
    blob = bomb_layer("zstd", 4 * GiB)
    out = io.BytesIO()
    with pytest.raises(UnsafeContent, match="bomb") as info:
        convert_layer_sync(
            io.BytesIO(blob).read,
            Compression.ZSTD,
            out,
            ConvertOptions(format=kind, threads=1),
            layer="bomb",
        )
    assert GiB < info.value.detail["produced"] <= GiB + MiB  # exact: one block past the grace
    reliability.hostile("zstd-bomb", "converter", "refused", "UnsafeContent")


def test_converter_refuses_gzip_bomb_with_default_limits(reliability: Recorder) -> None:
    """deflate tops out near 1032:1: the ratio limit must sit well below it."""
    with pytest.raises(UnsafeContent, match="bomb") as info:
        convert_layer_sync(
            io.BytesIO(bomb_layer("gzip", 2 * GiB)).read,
            Compression.GZIP,
            io.BytesIO(),
            ConvertOptions(threads=1),
            layer="bomb",
        )
    assert "layer bomb" in str(info.value)
    assert info.value.detail["limit"] == "max_ratio"
    assert GiB < info.value.detail["produced"] <= GiB + MiB  # exact: one block past the grace
    reliability.hostile("gzip-bomb", "converter", "refused", "UnsafeContent")


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
    with pytest.raises(UnsafeContent, match="bomb") as info:
        unpack_layer_sync(io.BytesIO(bomb_layer("zstd", 4 * GiB)), tmp_path / "target")
    written = sum(p.stat().st_size for p in (tmp_path / "target").rglob("*") if p.is_file())
    # stopped right past the 1 GiB grace (one read), counted on what was decompressed
    assert GiB < info.value.detail["produced"] <= GiB + MiB
    assert written <= info.value.detail["produced"]
    assert canary_state(canary) == before
    reliability.hostile("zstd-bomb", "unpacker", "refused", "UnsafeContent")


def test_unpacker_refuses_gzip_bomb_with_default_limits(
    tmp_path: Path, reliability: Recorder
) -> None:
    with pytest.raises(UnsafeContent, match="bomb") as info:
        unpack_layer_sync(
            io.BytesIO(bomb_layer("gzip", 2 * GiB)), tmp_path / "target", layer="bomb"
        )
    assert "layer bomb" in str(info.value)
    assert info.value.detail["limit"] == "max_ratio"
    written = sum(p.stat().st_size for p in (tmp_path / "target").rglob("*") if p.is_file())
    assert GiB < info.value.detail["produced"] <= GiB + MiB  # right past the 1 GiB grace
    assert written <= info.value.detail["produced"]
    reliability.hostile("gzip-bomb", "unpacker", "refused", "UnsafeContent")


def test_unpacker_refuses_gzip_bomb_over_the_maximum(tmp_path: Path, reliability: Recorder) -> None:
    with pytest.raises(UnsafeContent, match="bomb") as info:
        unpack_layer_sync(
            io.BytesIO(bomb_layer("gzip", 256 * MiB)),
            tmp_path / "target",
            max_uncompressed=32 * MiB,
            max_ratio=2000,
        )
    assert info.value.detail["limit"] == "max_uncompressed"
    reliability.hostile("gzip-bomb", "unpacker", "refused", "UnsafeContent")


def _drain(src: DecompressingReader) -> int:
    while src.read(1 << 16):
        pass
    return src.uncompressed


@pytest.mark.parametrize("compression", ["gzip-9", "zstd-19"])
def test_most_compressible_benign_layer_passes(
    compression: str, tmp_path: Path, reliability: Recorder
) -> None:
    """Near-empty files compress better than any real layer measured (gzip -9 73:1, zstd -19
    123:1): the default ratio accepts them even when checked after the first MiB."""
    raw = header_heavy_tar(12_000)
    if compression == "gzip-9":
        blob = gzip.compress(raw, compresslevel=9, mtime=0)
    else:
        blob = zstandard.ZstdCompressor(level=19).compress(raw)
    assert len(raw) > 60 * len(blob)
    limits = Limits(ratio_grace=1 * MiB)
    kind = Compression.GZIP if compression.startswith("gzip") else Compression.ZSTD
    assert _drain(DecompressingReader(io.BytesIO(blob).read, kind, limits, layer="ok")) == len(raw)
    stats = unpack_layer_sync(
        io.BytesIO(blob),
        tmp_path / "target",
        limits=DecompressionLimits(ratio_grace=1 * MiB),
        diff_id=Digest.of_bytes(raw),
    )
    assert stats.files == 12_000
    reliability.benign(f"near-empty-files-{compression}", "converter")
    reliability.benign(f"near-empty-files-{compression}", "unpacker")
    # ...while a bomb is refused at that grace, by both
    bomb = bomb_layer("gzip", 8 * MiB)
    src = DecompressingReader(io.BytesIO(bomb).read, Compression.GZIP, limits, layer="bomb")
    with pytest.raises(UnsafeContent, match="max_ratio"):
        _drain(src)
    with pytest.raises(UnsafeContent, match="max_ratio"):
        unpack_layer_sync(
            io.BytesIO(bomb), tmp_path / "t2", limits=DecompressionLimits(ratio_grace=1 * MiB)
        )


@pytest.mark.parametrize(
    ("compression", "fill"),
    [("gzip", b"\0"), ("zstd", b"\0"), ("gzip", b"2026-11-28 INFO GET /healthz 200 0.3ms\n")],
    ids=["gzip-zeros", "zstd-zeros", "gzip-repetitive-log"],
)
def test_zero_filled_or_repetitive_file_passes_default_limits(
    compression: str, fill: bytes, tmp_path: Path, reliability: Recorder
) -> None:
    """A layer that is one 1000 MiB preallocated (zero-filled) file or a repetitive log expands
    like a bomb (1000:1 and more) but stays within the grace: converter and unpacker accept
    it with the default limits, and the unpacker writes it whole."""
    size = 1000 * MiB
    blob = bomb_layer(compression, size, name="var/lib/db/prealloc", fill=fill)
    assert len(blob) * 300 < size  # beyond max_ratio: only the grace lets it through
    kind = Compression.GZIP if compression == "gzip" else Compression.ZSTD
    src = DecompressingReader(io.BytesIO(blob).read, kind, Limits(), layer="ok")
    assert _drain(src) > size
    content = "zero-filled" if fill == b"\0" else "repetitive"
    what = f"{content}-1000MiB-{compression}"
    reliability.benign(what, "converter")
    if fill == b"\0" and compression == "gzip":
        stats = unpack_layer_sync(io.BytesIO(blob), tmp_path / "target", layer="ok")
        assert (tmp_path / "target" / "var/lib/db/prealloc").stat().st_size == size
        assert stats.uncompressed_bytes > size
        reliability.benign(what, "unpacker")


def test_limits_are_shared_and_validated() -> None:
    assert Limits().max_ratio == DecompressionLimits().max_ratio == 250
    assert Limits().ratio_grace == DecompressionLimits().ratio_grace == 1 << 30
    assert Limits().max_uncompressed == DecompressionLimits().max_uncompressed == 64 << 30
    assert isinstance(Limits(), DecompressionLimits)
    with pytest.raises(Exception, match="positive"):
        DecompressionLimits(max_ratio=0.5)


@pytest.mark.integration
@pytest.mark.parametrize("compression", ["zstd", "gzip"])
async def test_full_pull_refuses_bomb(
    compression: str,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    blob = bomb_layer(compression, 4 * GiB if compression == "zstd" else 2 * GiB)
    digest = Digest.of_bytes(blob)
    media = OCI_LAYER_ZSTD if compression == "zstd" else OCI_LAYER_GZIP
    async with RegistryClient(distribution_registry.host) as client:
        await client.push_blob(unique_repo, blob, digest=digest)
        config = ImageConfig.build(diff_ids=[Digest("sha256", "0" * 64)])
        await client.push_blob(unique_repo, config.raw, digest=config.digest)
        manifest = Manifest.build(config.descriptor(), [Descriptor(media, digest, len(blob))])
        await client.put_manifest(unique_repo, manifest, "bomb")
        with pytest.raises(UnsafeContent, match="bomb") as info:
            await pull_image(
                client,
                f"{client.registry}/{unique_repo}:bomb",
                tmp_path / "work" / "target",
                cache=ContentCache(tmp_path / "cache"),
            )
    assert f"layer 0 ({digest})" in str(info.value)
    assert info.value.detail["limit"] == "max_ratio"
    # exact: refused one read past the 1 GiB grace, whatever the decompressor read ahead
    # (before: about 2 GiB with gzip, through a read-ahead thread)
    assert GiB < info.value.detail["produced"] <= GiB + MiB
    assert os.listdir(tmp_path / "work") == []
    reliability.hostile(f"{compression}-bomb", "full-pull", "refused", "UnsafeContent")


@pytest.mark.integration
async def test_full_pull_bounds_the_whole_image(
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    """Layers each under the absolute limit, together over it: the image is refused."""
    image = build_image(97, layers=3, files_per_layer=2, file_size=1 * MiB)
    ref = f"{distribution_registry.host}/{unique_repo}:v1"
    async with RegistryClient(distribution_registry.host) as client:
        await push_built(client, unique_repo, image, "v1")
        cache = ContentCache(tmp_path / "cache")
        with pytest.raises(UnsafeContent, match="image") as info:
            await pull_image(
                client,
                ref,
                tmp_path / "work" / "target",
                cache=cache,
                limits=DecompressionLimits(max_uncompressed=5 * MiB),
            )
        assert os.listdir(tmp_path / "work") == []
        assert str(image.manifest.layers[2].digest) in str(info.value)
        assert info.value.detail["limit"] == "max_uncompressed"
        # the limit is configurable: the same image fits in 8 MiB
        result = await pull_image(
            client,
            ref,
            tmp_path / "ok",
            cache=cache,
            limits=DecompressionLimits(max_uncompressed=8 * MiB),
        )
    assert sum(layer.stats.uncompressed_bytes for layer in result.layers) > 5 * MiB
    reliability.hostile("image-over-limit", "full-pull", "refused", "UnsafeContent")
