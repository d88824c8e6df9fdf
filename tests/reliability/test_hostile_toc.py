"""Enormous, malformed and lying TOCs against the lazy puller (and the TOC reader under it).

A hostile producer publishes a zstd:chunked layer whose TOC is rebuilt after a mutation, with
annotations whose digests match the mutated TOC (so only the puller's own checks stand between
it and the user). Every mutation is refused with `TOCError` / `DigestMismatch` before a byte of
file content is served; an oversized TOC is refused before it is even fetched.
"""

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

from core.convert import Compression, ConvertOptions, convert_layer_sync
from core.errors import DigestMismatch, FormatError, TOCError
from core.formats import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_POSITION,
    ANNOTATION_TOC_DIGEST,
    BytesFetcher,
    ZstdChunkedFooter,
    build_footer,
    read_toc,
)
from core.formats._zstdchunked import skippable_frame
from core.oci import OCI_LAYER_ZSTD, Descriptor, Digest, ImageConfig, Manifest
from core.pull._cache import ContentCache
from core.pull._lazy import LazyImage
from core.registry import RegistryClient
from tests.fixtures.faults import ProxiedRegistry
from tests.reliability._corpus import Spec, raw_tar
from tests.reliability.conftest import Recorder

Doc = dict[str, Any]
A = os.urandom(200_000)
B = os.urandom(3000)


def _converted() -> tuple[bytes, Doc, int, str]:
    """A benign converted layer: blob, TOC document, TOC frame start, diff_id."""
    raw = raw_tar(
        [
            Spec("bin", "dir"),
            Spec("bin/a", data=A),
            Spec("bin/b", data=B),
            Spec("bin/link", "symlink", link="a"),
        ]
    )
    out = io.BytesIO()
    result = convert_layer_sync(
        io.BytesIO(raw).read, Compression.NONE, out, ConvertOptions(threads=1, chunk_size=64 << 10)
    )
    blob = out.getvalue()
    off, lenc, _, _ = (int(x) for x in result.written.annotations[ANNOTATION_POSITION].split(":"))
    doc = json.loads(zstandard.ZstdDecompressor().stream_reader(blob[off : off + lenc]).read())
    return blob, doc, off - 8, result.diff_id


def _rebuild(
    blob: bytes, start: int, toc_json: bytes, *, declared_len: int | None = None
) -> tuple[bytes, dict[str, str]]:
    payload = zstandard.ZstdCompressor().compress(toc_json)
    ulen = len(toc_json) if declared_len is None else declared_len
    data = blob[:start] + skippable_frame(payload)
    new = data + build_footer(ZstdChunkedFooter(start + 8, len(payload), ulen))
    ann = {
        ANNOTATION_CHECKSUM: "sha256:" + hashlib.sha256(payload).hexdigest(),
        ANNOTATION_POSITION: f"{start + 8}:{len(payload)}:{ulen}:1",
    }
    return new, ann


def _entry(doc: Doc, name: str, kind: str = "") -> Doc:
    return next(
        e
        for e in doc["entries"]
        if e["name"].rstrip("/") == name and (not kind or e["type"] == kind)
    )


def _set(name: str, **changes: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        _entry(doc, name).update(changes)

    return mutate


def _swap_digests(doc: Doc) -> None:
    a, b = _entry(doc, "bin/a"), _entry(doc, "bin/b")
    a["digest"], b["digest"] = b["digest"], a["digest"]


def _lie_chunk(doc: Doc) -> None:
    a = _entry(doc, "bin/a")
    a["chunkDigest"] = "sha256:" + hashlib.sha256(b"other").hexdigest()


def _ghost(doc: Doc) -> None:
    b = dict(_entry(doc, "bin/b"))
    b["name"] = "bin/ghost"
    b["digest"] = b["chunkDigest"] = "sha256:" + hashlib.sha256(b"ghost").hexdigest()
    b["size"] = 5
    doc["entries"].append(b)


def _version(doc: Doc) -> None:
    doc["version"] = 99


def _bad_type(doc: Doc) -> None:
    _entry(doc, "bin/b")["type"] = "socket"


def _entries_not_list(doc: Doc) -> None:
    doc["entries"] = {"bin/a": 1}


# mutation -> (mutate, when it must be refused: "open" or the file whose read is refused,
# expected errors)
MUTATIONS: dict[str, tuple[Callable[[Doc], None], str, tuple[type[Exception], ...]]] = {
    "offset-past-blob": (_set("bin/b", offset=10**9, endOffset=10**9 + 10), "open", (TOCError,)),
    "negative-size": (_set("bin/b", size=-5), "open", (TOCError,)),
    "negative-offset": (_set("bin/b", offset=-100), "open", (TOCError,)),
    "bad-digest": (_set("bin/b", digest="md5:abc"), "open", (TOCError,)),
    "size-beyond-chunks": (_set("bin/b", size=10**12), "bin/b", (FormatError,)),
    "size-short-of-frame": (_set("bin/b", size=100), "bin/b", (DigestMismatch,)),
    "unknown-type": (_bad_type, "open", (TOCError,)),
    "version": (_version, "open", (TOCError,)),
    "entries-not-a-list": (_entries_not_list, "open", (TOCError,)),
    "file-digests-swapped": (_swap_digests, "bin/b", (DigestMismatch,)),
    "chunk-digest-lie": (_lie_chunk, "bin/a", (DigestMismatch,)),
    "entry-not-in-tar": (_ghost, "bin/ghost", (DigestMismatch, FormatError)),
}


async def _publish(
    client: RegistryClient, repo: str, blob: bytes, ann: dict[str, str], diff_id: str
) -> str:
    digest = Digest.of_bytes(blob)
    await client.push_blob(repo, blob, digest=digest)
    config = ImageConfig.build(diff_ids=[Digest.parse(diff_id)])
    await client.push_blob(repo, config.raw, digest=config.digest)
    layer = Descriptor(OCI_LAYER_ZSTD, digest, len(blob), annotations=ann)
    await client.put_manifest(repo, Manifest.build(config.descriptor(), [layer]), "t")
    return f"{client.registry}/{repo}:t"


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_lying_or_malformed_toc(
    name: str,
    faulty_registry: ProxiedRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    blob, doc, start, diff_id = _converted()
    mutate, when, errors = MUTATIONS[name]
    mutate(doc)
    new, ann = _rebuild(blob, start, json.dumps(doc).encode())
    async with RegistryClient(faulty_registry.url) as client:
        ref = await _publish(client, unique_repo, new, ann, diff_id)
        cache = ContentCache(tmp_path / "cache")
        if when == "open":
            with pytest.raises(errors) as info:
                await LazyImage.open(client, ref, cache=cache)
        else:
            image = await LazyImage.open(client, ref, cache=cache)
            try:
                with pytest.raises(errors) as info:
                    await image.read(when)
                if name == "file-digests-swapped":
                    # bin/a has several chunks, each verified against its own (true) chunk
                    # digest: its bytes are right, whatever its whole-file digest claims.
                    assert await image.read("bin/a") == A
            finally:
                await image.aclose()
    # nothing unverified reached the chunk cache: every cached chunk is a piece of A or B
    for p in (tmp_path / "cache" / "chunks").rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert data in A or data == B
    reliability.hostile(f"toc-{name}", "lazy-pull", "refused", type(info.value).__name__)


@pytest.mark.integration
async def test_enormous_toc_position_is_refused_before_fetching(
    faulty_registry: ProxiedRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    blob, doc, start, diff_id = _converted()
    new, ann = _rebuild(blob, start, json.dumps(doc).encode())
    ann[ANNOTATION_POSITION] = f"{start + 8}:{200 << 20}:{200 << 20}:1"
    async with RegistryClient(faulty_registry.url) as client:
        ref = await _publish(client, unique_repo, new, ann, diff_id)
        with pytest.raises(TOCError, match="limit"):
            await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "cache"))
    blob_gets = faulty_registry.proxy.requests("GET", r"/blobs/sha256:")
    # only the config was read: no range of the layer was requested at all
    assert all(e.header("range") is None for e in blob_gets)
    reliability.hostile("toc-enormous-position", "lazy-pull", "refused", "TOCError")


async def test_enormous_toc_is_refused_by_the_reader(reliability: Recorder) -> None:
    blob, doc, start, _ = _converted()
    filler = doc["entries"][-1]
    doc["entries"] += [dict(filler, name=f"pad/{i:07d}") for i in range(40_000)]
    new, ann = _rebuild(blob, start, json.dumps(doc).encode())
    with pytest.raises(TOCError, match="limit"):
        await read_toc(BytesFetcher(new), len(new), ann, max_toc_size=1 << 20)
    reliability.hostile("toc-enormous", "toc-reader", "refused", "TOCError")


async def test_toc_bomb_is_refused(reliability: Recorder) -> None:
    """A TOC frame that decompresses to far more than its declared length."""
    blob, doc, start, _ = _converted()
    bloated = json.dumps(doc).encode() + b" " * (20 << 20)
    new, ann = _rebuild(blob, start, bloated, declared_len=len(json.dumps(doc)))
    with pytest.raises(TOCError, match="more than"):
        await read_toc(BytesFetcher(new), len(new), ann)
    reliability.hostile("toc-bomb", "toc-reader", "refused", "TOCError")


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("not-json", b"{not json"),
        ("not-an-object", b"[1,2,3]"),
        ("binary", os.urandom(4096)),
        ("empty", b""),
    ],
)
async def test_malformed_toc_is_refused(name: str, payload: bytes, reliability: Recorder) -> None:
    blob, _, start, _ = _converted()
    new, ann = _rebuild(blob, start, payload)
    with pytest.raises(TOCError):
        await read_toc(BytesFetcher(new), len(new), ann)
    reliability.hostile(f"toc-{name}", "toc-reader", "refused", "TOCError")


async def test_toc_not_matching_its_annotation_is_refused(reliability: Recorder) -> None:
    blob, doc, start, _ = _converted()
    new, ann = _rebuild(blob, start, json.dumps(doc).encode())
    ann[ANNOTATION_CHECKSUM] = "sha256:" + "1" * 64
    with pytest.raises(DigestMismatch):
        await read_toc(BytesFetcher(new), len(new), ann)
    reliability.hostile("toc-checksum-mismatch", "toc-reader", "refused", "DigestMismatch")


async def test_layer_claiming_two_formats_is_refused(reliability: Recorder) -> None:
    blob, doc, start, _ = _converted()
    new, ann = _rebuild(blob, start, json.dumps(doc).encode())
    ann[ANNOTATION_TOC_DIGEST] = "sha256:" + "2" * 64
    with pytest.raises(TOCError, match="both"):
        await read_toc(BytesFetcher(new), len(new), ann)
    reliability.hostile("toc-two-formats", "toc-reader", "refused", "TOCError")


def test_tar_of_corpus_is_valid() -> None:
    raw = raw_tar([Spec("x", data=b"1")])
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        assert tar.getnames() == ["x"]
