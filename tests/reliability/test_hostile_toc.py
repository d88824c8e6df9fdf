"""Enormous, malformed and lying TOCs against the lazy puller (and the TOC reader under it).

A hostile producer publishes a zstd:chunked layer whose TOC is rebuilt after a mutation, with
annotations whose digests match the mutated TOC (so only the puller's own checks stand between
it and the user). Every mutation is refused with `TOCError` / `DigestMismatch` before a byte of
file content is served; an oversized TOC is refused before it is even fetched. A chunk that
really decompresses to more than `MAX_CHUNK_SIZE` (with a true digest) is refused when the TOC
is parsed, since a read holds a whole chunk in memory. A whole-file digest that lies (each
chunk true) is reported as `DigestMismatch` code ``FileDigestMismatch`` by full-file reads and
by the background fill.
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

from core.convert import ConvertOptions, convert_layer_sync
from core.errors import DigestMismatch, FormatError, InvalidInput, TOCError
from core.formats import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_POSITION,
    ANNOTATION_TOC_DIGEST,
    MAX_CHUNK_SIZE,
    BytesFetcher,
    Chunk,
    FormatKind,
    LayerWriter,
    ZstdChunkedFooter,
    build_footer,
    decompress_chunk,
    read_file,
    read_toc,
    verify_chunk,
)
from core.formats._zstdchunked import skippable_frame
from core.oci import OCI_LAYER_ZSTD, Compression, Descriptor, Digest, ImageConfig, Manifest
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


MiB = 1 << 20
ZEROS = bytes(MAX_CHUNK_SIZE + 8 * MiB)  # one chunk just over the limit
ZEROS_DIGEST = "sha256:" + hashlib.sha256(ZEROS).hexdigest()


def _with_huge_chunk(kind: str) -> tuple[bytes, dict[str, str], str]:
    """A layer with ``bin/huge``: one chunk of 72 MiB of zeros, its digest true. ``frame``:
    a real zstd frame holding them (a plain file entry, no chunk fields); ``zeros``: a
    ``chunkType: zeros`` chunk (no frame needed); ``chunked``: two chunks, the second too
    large."""
    blob, doc, start, diff_id = _converted()
    frame = zstandard.ZstdCompressor(level=3).compress(ZEROS)
    prefix = blob[:start] + frame
    entry: Doc = {"type": "reg", "name": "bin/huge", "mode": 420, "size": len(ZEROS)}
    if kind == "frame":
        entry.update(digest=ZEROS_DIGEST, offset=start, endOffset=start + len(frame))
        doc["entries"].append(entry)
    elif kind == "zeros":
        entry.update(
            digest=ZEROS_DIGEST,
            offset=start,
            endOffset=start + len(frame),
            chunkSize=len(ZEROS),
            chunkDigest=ZEROS_DIGEST,
            chunkType="zeros",
        )
        doc["entries"].append(entry)
    else:
        small = zstandard.ZstdCompressor().compress(b"x")
        prefix = blob[:start] + small + frame
        entry.update(
            size=1 + len(ZEROS),
            digest="sha256:" + hashlib.sha256(b"x" + ZEROS).hexdigest(),
            offset=start,
            endOffset=start + len(small) + len(frame),
            chunkSize=1,
            chunkDigest="sha256:" + hashlib.sha256(b"x").hexdigest(),
        )
        second = {
            "type": "chunk",
            "name": "bin/huge",
            "offset": start + len(small),
            "chunkOffset": 1,
            "chunkSize": len(ZEROS),
            "chunkDigest": ZEROS_DIGEST,
        }
        doc["entries"] += [entry, second]
    new, ann = _rebuild(prefix, len(prefix), json.dumps(doc).encode())
    return new, ann, diff_id


# mutation -> (mutate, when it must be refused: "open" or the file whose read is refused,
# expected errors)
MUTATIONS: dict[str, tuple[Callable[[Doc], None], str, tuple[type[Exception], ...]]] = {
    "offset-past-blob": (_set("bin/b", offset=10**9, endOffset=10**9 + 10), "open", (TOCError,)),
    "negative-size": (_set("bin/b", size=-5), "open", (TOCError,)),
    "negative-offset": (_set("bin/b", offset=-100), "open", (TOCError,)),
    "bad-digest": (_set("bin/b", digest="md5:abc"), "open", (TOCError,)),
    "size-beyond-chunks": (_set("bin/b", size=10**12), "open", (TOCError,)),
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
                    # digest: a partial read serves right bytes; a whole read also checks
                    # the whole-file digest, which lies.
                    assert await image.read("bin/a", 0, len(A) - 1) == A[:-1]
                    with pytest.raises(DigestMismatch) as whole:
                        await image.read("bin/a")
                    assert whole.value.code == "FileDigestMismatch"
            finally:
                await image.aclose()
    # nothing unverified reached the chunk cache: every cached chunk is a piece of A or B
    for p in (tmp_path / "cache" / "chunks").rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert data in A or data == B
    reliability.hostile(f"toc-{name}", "lazy-pull", "refused", type(info.value).__name__)


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["frame", "zeros", "chunked"])
async def test_chunk_over_the_limit_is_refused_at_open(
    kind: str,
    faulty_registry: ProxiedRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    """A hostile producer's chunk that really holds 72 MiB (its digest true): a read would
    hold it all in memory, so the TOC is refused before any content is fetched."""
    new, ann, diff_id = _with_huge_chunk(kind)
    async with RegistryClient(faulty_registry.url) as client:
        ref = await _publish(client, unique_repo, new, ann, diff_id)
        with pytest.raises(TOCError, match="MAX_CHUNK_SIZE") as info:
            await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "cache"))
    assert info.value.detail["entry"] == "bin/huge"
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))
    reliability.hostile(
        f"toc-chunk-over-limit-{kind}",
        "lazy-pull",
        "refused",
        "TOCError",
        check="decompression-limits",
    )


def test_chunk_decompression_is_bounded(reliability: Recorder) -> None:
    """Chunks handed to the reader directly (no TOC validation): decompression never goes
    past the declared size, and a declared size over the limit is refused before any
    decompression."""
    frame = zstandard.ZstdCompressor(level=1).compress(bytes(1 * MiB)) * 1024  # 1 GiB
    small = Chunk(0, 4096, 0, len(frame), "sha256:" + hashlib.sha256(bytes(4096)).hexdigest())
    assert decompress_chunk(FormatKind.ZSTD_CHUNKED, frame, small) == bytes(4096)
    big = Chunk(0, 1 << 30, 0, len(frame), "sha256:" + "0" * 64)
    with pytest.raises(TOCError, match="MAX_CHUNK_SIZE"):
        decompress_chunk(FormatKind.ZSTD_CHUNKED, frame, big)
    inner = Chunk(0, 10, 0, len(frame), "sha256:" + "0" * 64, inner_offset=1 << 40)
    with pytest.raises(TOCError, match="MAX_CHUNK_SIZE"):
        decompress_chunk(FormatKind.ESTARGZ, frame, inner)
    zeros = Chunk(0, 1 << 40, 0, 1, "sha256:" + "0" * 64, zeros=True)
    with pytest.raises(TOCError, match="MAX_CHUNK_SIZE"):
        verify_chunk(FormatKind.ZSTD_CHUNKED, b"", zeros)
    reliability.hostile(
        "chunk-frame-bomb", "toc-reader", "refused", "TOCError", check="decompression-limits"
    )


def test_writers_stay_within_the_chunk_limit() -> None:
    """fcdesk never writes a chunk its own readers would refuse."""
    with pytest.raises(InvalidInput):
        ConvertOptions(chunk_size=MAX_CHUNK_SIZE + 1)
    assert ConvertOptions(chunk_size=MAX_CHUNK_SIZE).chunk_size == MAX_CHUNK_SIZE
    with pytest.raises(ValueError, match="chunk_size"):
        LayerWriter(io.BytesIO(), FormatKind.ZSTD_CHUNKED, chunk_size=MAX_CHUNK_SIZE + 1)


def _lying_file_digest() -> tuple[bytes, dict[str, str], str, str]:
    """bin/a (several chunks, each digest true) with a whole-file digest that lies."""
    blob, doc, start, diff_id = _converted()
    entry = _entry(doc, "bin/a", "reg")
    assert any(e["type"] == "chunk" for e in doc["entries"])  # really several chunks
    lie = "sha256:" + hashlib.sha256(b"not bin/a").hexdigest()
    entry["digest"] = lie
    new, ann = _rebuild(blob, start, json.dumps(doc).encode())
    return new, ann, diff_id, lie


@pytest.mark.integration
async def test_lying_whole_file_digest_is_reported(
    faulty_registry: ProxiedRegistry, unique_repo: str, tmp_path: Path, reliability: Recorder
) -> None:
    """Chunks all true, the file's digest false: no wrong byte is served either way, but
    whoever reads the whole file (a full read, the background fill) is told the digest lies."""
    new, ann, diff_id, lie = _lying_file_digest()
    async with RegistryClient(faulty_registry.url) as client:
        ref = await _publish(client, unique_repo, new, ann, diff_id)
        image = await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "one"))
        try:
            assert await image.read("bin/a", 100, 70_000) == A[100:70_100]
            with pytest.raises(DigestMismatch) as info:
                await image.read("bin/a")
            assert await image.read("bin/b") == B
        finally:
            await image.aclose()
        assert info.value.code == "FileDigestMismatch"
        assert info.value.detail["entry"] == "bin/a"
        assert (info.value.expected, info.value.actual) == (lie, str(Digest.of_bytes(A)))
        image = await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "two"))
        try:
            with pytest.raises(DigestMismatch) as filled:
                await image.start_background_fill()
        finally:
            await image.aclose()
        assert filled.value.code == "FileDigestMismatch"
        assert filled.value.detail["entry"] == "bin/a"
    reliability.hostile(
        "toc-file-digest-lie", "lazy-pull", "refused", "FileDigestMismatch", check="file-digest"
    )


async def test_read_file_checks_the_whole_file_digest(reliability: Recorder) -> None:
    new, ann, _, lie = _lying_file_digest()
    fetcher = BytesFetcher(new)
    toc = await read_toc(fetcher, len(new), ann)
    with pytest.raises(DigestMismatch) as info:
        await read_file(fetcher, toc, "bin/a")
    assert info.value.code == "FileDigestMismatch"
    assert info.value.expected == lie
    assert await read_file(fetcher, toc, "bin/b") == B
    reliability.hostile(
        "toc-file-digest-lie", "toc-reader", "refused", "FileDigestMismatch", check="file-digest"
    )


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
