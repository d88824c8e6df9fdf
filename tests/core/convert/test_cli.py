"""``fcaccel convert`` end to end, and the locked public API of core.formats / core.convert."""

from __future__ import annotations

import asyncio
import json

import pytest

import core.convert
import core.formats
from core.cli import main
from core.oci import Manifest
from core.registry import RegistryClient
from tests.core.convert.helpers import make_tar, push_image, sample_entries
from tests.fixtures.registry import RunningRegistry


async def test_fcaccel_convert(
    distribution_registry: RunningRegistry,
    unique_repo: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        await push_image(client, unique_repo, "v2", [make_tar(sample_entries(4))])
    profile = tmp_path / "profile.txt"
    profile.write_text("/usr/bin/app\netc/hello.txt\n")
    src = distribution_registry.ref(unique_repo, "v2")
    argv = [
        "convert",
        src,
        "--format",
        "estargz",
        "--profile",
        str(profile),
        "--chunk-size",
        "64K",
        "--json",
    ]
    rc = await asyncio.to_thread(main, argv)
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "converted"
    assert out["order"] == "optimized"  # a profile implies the optimized order
    assert out["format"] == "estargz"
    async with RegistryClient(distribution_registry.host) as client:
        m = await client.get_manifest(unique_repo, "v2_accelerated")
    assert isinstance(m, Manifest)
    assert str(m.digest) == out["digest"]
    rc = await asyncio.to_thread(
        main,
        ["convert", src, "--format", "estargz", "--profile", str(profile), "--chunk-size", "64K"],
    )
    assert rc == 0
    assert "up to date" in capsys.readouterr().out
    rc = await asyncio.to_thread(main, ["convert", distribution_registry.ref(unique_repo, "nope")])
    assert rc == 1
    assert "MANIFEST_UNKNOWN" in capsys.readouterr().err


def test_public_api_is_locked() -> None:
    assert sorted(core.formats.__all__) == sorted(
        [
            "ANNOTATION_CHECKSUM",
            "ANNOTATION_OLD_CHECKSUM",
            "ANNOTATION_OLD_POSITION",
            "ANNOTATION_POSITION",
            "ANNOTATION_PREFETCH_END",
            "ANNOTATION_TARSPLIT_POSITION",
            "ANNOTATION_TOC_DIGEST",
            "ANNOTATION_UNCOMPRESSED_SIZE",
            "DEFAULT_CHUNK_SIZE",
            "MAX_CHUNK_SIZE",
            "MAX_RATIO",
            "MAX_TOC_SIZE",
            "MAX_UNCOMPRESSED",
            "RATIO_GRACE",
            "TOC",
            "ByteRange",
            "BytesFetcher",
            "Chunk",
            "DecompressionLimits",
            "EntryType",
            "FormatKind",
            "LayerWriteResult",
            "LayerWriter",
            "RangeFetcher",
            "SymlinkTracker",
            "TOCEntry",
            "TarFormatError",
            "TarMember",
            "TarStreamReader",
            "ZstdChunkedFooter",
            "build_estargz_footer",
            "build_footer",
            "coalesce_ranges",
            "decompress_chunk",
            "detect_format",
            "hardlink_target",
            "normalize_name",
            "parse_estargz_footer",
            "parse_footer",
            "plan_ranges",
            "read_file",
            "read_toc",
            "split_name",
            "through_symlink",
            "unsafe",
            "verify_chunk",
            "verify_file_digest",
        ]
    )
    for name in core.formats.__all__:
        assert hasattr(core.formats, name)
    for name in core.convert.__all__:
        assert hasattr(core.convert, name)
    assert {"convert_image", "convert_layer", "ConvertOptions", "ConvertResult"} <= set(
        core.convert.__all__
    )
