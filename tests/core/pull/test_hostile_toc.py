"""Hostile TOCs are refused before anything is read through them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard

from core.convert import ConvertOptions, convert_layer_sync
from core.errors import DigestMismatch, TOCError, UnsafeContent
from core.formats import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_POSITION,
    BytesFetcher,
    ZstdChunkedFooter,
    build_footer,
    read_toc,
)
from core.formats._zstdchunked import skippable_frame
from core.oci import OCI_LAYER_ZSTD, Compression, Descriptor, Digest, ImageConfig, Manifest
from core.pull._cache import ContentCache
from core.pull._lazy import LazyImage
from core.registry import RegistryClient
from tests.core.pull._images import entry, tar_bytes
from tests.fixtures.registry import RunningRegistry

Doc = dict[str, Any]


def _converted() -> tuple[bytes, Doc, int]:
    raw = tar_bytes(
        [
            entry("bin/", tarfile.DIRTYPE),
            entry("bin/a", data=os.urandom(5000)),
            entry("bin/b", data=b"bbb"),
            entry("bin/link", tarfile.SYMTYPE, linkname="a"),
        ]
    )
    out = io.BytesIO()
    src = io.BytesIO(raw)
    result = convert_layer_sync(src.read, Compression.NONE, out, ConvertOptions(threads=1))
    blob = out.getvalue()
    ann = result.annotations
    off, lenc, _lenu, _ = (int(x) for x in ann[ANNOTATION_POSITION].split(":"))
    doc = json.loads(zstandard.ZstdDecompressor().stream_reader(blob[off : off + lenc]).read())
    return blob, doc, off - 8


def _rebuild(blob: bytes, toc_frame_start: int, doc: Doc) -> tuple[bytes, dict[str, str]]:
    payload = zstandard.ZstdCompressor().compress(json.dumps(doc).encode())
    data = blob[:toc_frame_start] + skippable_frame(payload)
    footer = ZstdChunkedFooter(toc_frame_start + 8, len(payload), len(json.dumps(doc)))
    new = data + build_footer(footer)
    ann = {
        ANNOTATION_CHECKSUM: "sha256:" + hashlib.sha256(payload).hexdigest(),
        ANNOTATION_POSITION: f"{toc_frame_start + 8}:{len(payload)}:{len(json.dumps(doc))}:1",
    }
    return new, ann


def _by_name(doc: Doc, name: str) -> Doc:
    return next(e for e in doc["entries"] if e["name"].rstrip("/") == name)


def _escape(doc: Doc) -> None:
    _by_name(doc, "bin/b")["name"] = "../../etc/shadow"


def _absolute(doc: Doc) -> None:
    _by_name(doc, "bin/b")["name"] = "/etc/shadow"


def _offset_out_of_range(doc: Doc) -> None:
    e = _by_name(doc, "bin/a")
    e["endOffset"] = e["offset"] + 10**9


def _offset_into_the_toc(doc: Doc) -> None:
    e = _by_name(doc, "bin/b")
    e["offset"] = e["endOffset"] = 10**7


def _hardlink_loop(doc: Doc) -> None:
    doc["entries"].append({"type": "hardlink", "name": "bin/h1", "linkName": "bin/h2"})
    doc["entries"].append({"type": "hardlink", "name": "bin/h2", "linkName": "bin/h1"})


def _hardlink_escape(doc: Doc) -> None:
    doc["entries"].append({"type": "hardlink", "name": "bin/h", "linkName": "../../etc/shadow"})


def _duplicate(doc: Doc) -> None:
    doc["entries"].append(dict(_by_name(doc, "bin/b")))


def _overlapping_frames(doc: Doc) -> None:
    a, b = _by_name(doc, "bin/a"), _by_name(doc, "bin/b")
    b["offset"] = a["offset"] + 1


HOSTILE: dict[str, tuple[Callable[[Doc], None], str]] = {
    "escape": (_escape, "'..'"),
    "absolute": (_absolute, "absolute"),
    "offset-out-of-range": (_offset_out_of_range, "outside the layer data"),
    "offset-into-toc": (_offset_into_the_toc, "outside the layer data"),
    "hardlink-loop": (_hardlink_loop, "loop"),
    "hardlink-escape": (_hardlink_escape, "outside the layer"),
    "duplicate": (_duplicate, "more than once"),
    "overlapping-frames": (_overlapping_frames, "overlap"),
}


async def _push(client: RegistryClient, repo: str, blob: bytes, ann: dict[str, str]) -> str:
    digest = Digest.of_bytes(blob)
    await client.push_blob(repo, blob, digest=digest)
    diff = Digest.of_bytes(
        zstandard.ZstdDecompressor().stream_reader(io.BytesIO(blob), read_across_frames=True).read()
    )
    config = ImageConfig.build(diff_ids=[diff])
    await client.push_blob(repo, config.raw, digest=config.digest)
    layer = Descriptor(OCI_LAYER_ZSTD, digest, len(blob), annotations=ann)
    await client.put_manifest(repo, Manifest.build(config.descriptor(), [layer]), "t")
    return f"{client.registry}/{repo}:t"


async def test_unmodified_rebuild_is_accepted() -> None:
    blob, doc, start = _converted()
    new, ann = _rebuild(blob, start, doc)

    toc = await read_toc(BytesFetcher(new), len(new), ann, require_verified=True)
    assert toc.verified
    assert toc.get("bin/a") is not None


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_toc_refused(
    name: str, distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    blob, doc, start = _converted()
    mutate, message = HOSTILE[name]
    mutate(doc)
    new, ann = _rebuild(blob, start, doc)
    async with RegistryClient(distribution_registry.host) as client:
        ref = await _push(client, unique_repo, new, ann)
        with pytest.raises((TOCError, UnsafeContent), match=message):
            await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "c"))


async def test_toc_not_matching_its_annotation_is_refused(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    blob, doc, start = _converted()
    new, ann = _rebuild(blob, start, doc)
    ann[ANNOTATION_CHECKSUM] = "sha256:" + "0" * 64
    async with RegistryClient(distribution_registry.host) as client:
        ref = await _push(client, unique_repo, new, ann)
        with pytest.raises(DigestMismatch):
            await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "c"))


async def test_symlink_loops_fail_lookups(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    blob, doc, start = _converted()
    doc["entries"].append({"type": "symlink", "name": "loop1", "linkName": "loop2"})
    doc["entries"].append({"type": "symlink", "name": "loop2", "linkName": "/loop1"})
    new, ann = _rebuild(blob, start, doc)
    async with RegistryClient(distribution_registry.host) as client:
        ref = await _push(client, unique_repo, new, ann)
        image = await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "c"))
        with pytest.raises(OSError, match="symbolic links"):
            image.lookup("loop1/x")
        assert image.readlink("loop1") == "loop2"
        await image.aclose()
