"""core.formats: readers against our writers and a third-party (skopeo) blob, hostile TOCs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import struct
import subprocess
from pathlib import Path

import msgspec
import pytest
import zstandard

from core.convert import ConvertOptions, LayerResult, Order, convert_layer_sync
from core.errors import DigestMismatch, TOCError
from core.formats import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_OLD_CHECKSUM,
    ANNOTATION_OLD_POSITION,
    ANNOTATION_POSITION,
    ANNOTATION_TOC_DIGEST,
    BytesFetcher,
    EntryType,
    FormatKind,
    ZstdChunkedFooter,
    build_estargz_footer,
    build_footer,
    coalesce_ranges,
    detect_format,
    parse_estargz_footer,
    parse_footer,
    plan_ranges,
    read_file,
    read_toc,
    verify_chunk,
)
from core.formats._model import ByteRange
from core.oci import Compression
from tests.core.convert.helpers import Entry, make_tar, sample_entries

CHUNK = 64 << 10


def convert(tar: bytes, kind: FormatKind, **kw: object) -> tuple[bytes, LayerResult]:
    out = io.BytesIO()
    src = io.BytesIO(tar)
    opts = ConvertOptions(format=kind, chunk_size=CHUNK, threads=2, **kw)  # type: ignore[arg-type]
    res = convert_layer_sync(src.read, Compression.NONE, out, opts, layer="sha256:test")
    return out.getvalue(), res


@pytest.fixture(scope="module", params=[FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
def layer(request: pytest.FixtureRequest) -> tuple[FormatKind, bytes, bytes, LayerResult]:
    tar = make_tar(sample_entries())
    blob, res = convert(tar, request.param)
    return request.param, tar, blob, res


async def test_reader_verifies_every_file_and_chunk(layer) -> None:  # type: ignore[no-untyped-def]
    kind, tar, blob, res = layer
    fetch = BytesFetcher(blob)
    toc = await read_toc(fetch, len(blob), res.annotations)
    assert toc.kind is kind
    assert toc.verified
    assert toc.toc_digest == res.written.toc_digest
    names = {e.name for e in toc.entries}
    assert {"etc/hello.txt", "etc/big.bin", "etc/hard", "usr/zeros", "."} <= names
    assert ".no.prefetch.landmark" not in names
    assert "stargz.index.json" not in names
    big = toc.lookup("./etc/big.bin")
    assert len(big.chunks) == -(-big.size // CHUNK)
    assert len(big.chunks) > 1
    checked_chunks = 0
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        expected = {
            m.name.rstrip("/"): tf.extractfile(m).read()  # type: ignore[union-attr]
            for m in tf.getmembers()
            if m.isfile()
        }
    for e in toc.entries:
        if e.type is EntryType.REG:
            assert await read_file(fetch, toc, e.name) == expected[e.name]
            for c in e.chunks:
                data = blob[c.compressed_offset : c.compressed_end]
                verify_chunk(kind, data, c, name=e.name)
                checked_chunks += 1
    landmarks = 1 if kind is FormatKind.ESTARGZ else 0  # .no.prefetch.landmark's chunk
    assert checked_chunks == res.written.chunks - landmarks
    assert await read_file(fetch, toc, "etc/hard") == b"hello world\n"
    x = toc.lookup("etc/xattr")
    assert x.xattrs == {"user.test": b"value"}
    if kind is FormatKind.ZSTD_CHUNKED:
        assert x.mtime_ns == 1_700_000_000_123_456_789  # exact PAX fraction kept
        assert any(c.zeros for c in toc.lookup("usr/zeros").chunks)
        assert toc.tar_split_range is not None
        assert toc.tar_split_digest


async def test_tampered_chunk_is_refused(layer) -> None:  # type: ignore[no-untyped-def]
    kind, _, blob, res = layer
    toc = await read_toc(BytesFetcher(blob), len(blob), res.annotations)
    c = toc.lookup("etc/hello.txt").chunks[0]
    if kind is FormatKind.ZSTD_CHUNKED:
        forged = zstandard.ZstdCompressor().compress(b"HELLO WORLD\n")
    else:
        import gzip

        forged = gzip.compress(b"HELLO WORLD\n" + bytes(500))
    bad = msgspec.structs.replace(c, compressed_end=c.compressed_offset + len(forged))
    with pytest.raises(DigestMismatch):
        verify_chunk(kind, forged, bad, name="etc/hello.txt")


async def test_toc_digest_is_checked_before_parsing(layer) -> None:  # type: ignore[no-untyped-def]
    kind, _, blob, res = layer
    ann = dict(res.annotations)
    key = ANNOTATION_CHECKSUM if kind is FormatKind.ZSTD_CHUNKED else ANNOTATION_TOC_DIGEST
    ann[key] = "sha256:" + "0" * 64
    if kind is FormatKind.ZSTD_CHUNKED:
        ann[ANNOTATION_OLD_CHECKSUM] = ann[key]
    with pytest.raises(DigestMismatch):
        await read_toc(BytesFetcher(blob), len(blob), ann)


async def test_footer_only_read_is_unverified(layer) -> None:  # type: ignore[no-untyped-def]
    kind, _, blob, res = layer
    toc = await read_toc(BytesFetcher(blob), len(blob), None)
    assert toc.kind is kind
    assert not toc.verified
    assert len(toc.entries) == len(
        (await read_toc(BytesFetcher(blob), len(blob), res.annotations)).entries
    )
    with pytest.raises(TOCError):
        await read_toc(BytesFetcher(blob), len(blob), None, require_verified=True)


def test_footers_round_trip() -> None:
    f = ZstdChunkedFooter(100, 20, 50, 130, 10, 40)
    raw = build_footer(f)
    assert len(raw) == 72
    assert raw.endswith(b"GNUlInUx")
    assert parse_footer(raw) == f
    old = struct.pack("<4Q", 100, 20, 50, 1) + b"GnUlInUx"
    assert parse_footer(b"junk" + old) == ZstdChunkedFooter(100, 20, 50)
    buggy = old + bytes(16)
    assert parse_footer(buggy) == ZstdChunkedFooter(100, 20, 50)
    assert parse_footer(b"x" * 72) is None
    real = bytes.fromhex(
        "1f8b08040000000000ff1a00534716003030303030303030303030346130663253544152475a010000ffff0000000000000000"
    )
    assert build_estargz_footer(0x4A0F2) == real
    assert parse_estargz_footer(real) == (0x4A0F2, 51)


def test_old_footer_from_skopeo_real_blob() -> None:
    # bytes taken from a skopeo 1.9.3 blob (reference notes)
    tail = bytes.fromhex(
        "502a4d1828000000"
        "7c9e040000000000"
        "8503000000000000"
        "ba0c000000000000"
        "0100000000000000"
        "476e556c496e5578"
    )
    assert parse_footer(tail) == ZstdChunkedFooter(0x49E7C, 0x385, 0xCBA)


def test_detect_format() -> None:
    assert detect_format({ANNOTATION_OLD_CHECKSUM: "x"}) is FormatKind.ZSTD_CHUNKED
    assert detect_format({ANNOTATION_TOC_DIGEST: "x"}) is FormatKind.ESTARGZ
    assert detect_format({}) is None
    with pytest.raises(TOCError):
        detect_format({ANNOTATION_CHECKSUM: "x", ANNOTATION_TOC_DIGEST: "y"})


def test_plan_and_coalesce_ranges() -> None:
    r = coalesce_ranges([ByteRange(10, 20), ByteRange(0, 5), ByteRange(18, 30), ByteRange(40, 50)])
    assert r == [ByteRange(0, 5), ByteRange(10, 30), ByteRange(40, 50)]
    assert coalesce_ranges(r, gap=10) == [ByteRange(0, 50)]


async def test_plan_ranges_resolves_hardlinks(layer) -> None:  # type: ignore[no-untyped-def]
    _, _, blob, res = layer
    toc = await read_toc(BytesFetcher(blob), len(blob), res.annotations)
    hello = toc.lookup("etc/hello.txt").chunks[0].compressed_range
    assert plan_ranges(toc, names=["etc/hard"]) == [hello]
    planned = plan_ranges(toc, names=["etc/big.bin", "etc/hello.txt"])
    assert planned == coalesce_ranges(planned)
    assert planned[0].start == hello.start


# -- hostile TOCs -------------------------------------------------------------------------


def zstd_blob_with_toc(
    entries: list[dict[str, object]], data: bytes = b""
) -> tuple[bytes, dict[str, str]]:
    """A zstd:chunked blob whose TOC is exactly ``entries`` (for hostile cases)."""
    body = data or HDR + AFRAME
    toc = json.dumps({"version": 1, "entries": entries}).encode()
    ctoc = zstandard.ZstdCompressor().compress(toc)
    skippable = b"\x50\x2a\x4d\x18" + struct.pack("<I", len(ctoc)) + ctoc
    off = len(body) + 8
    footer = build_footer(ZstdChunkedFooter(off, len(ctoc), len(toc)))
    blob = body + skippable + footer
    ann = {
        ANNOTATION_CHECKSUM: "sha256:" + hashlib.sha256(ctoc).hexdigest(),
        ANNOTATION_POSITION: f"{off}:{len(ctoc)}:{len(toc)}:1",
    }
    return blob, ann


A_DIGEST = "sha256:" + hashlib.sha256(b"A" * 100).hexdigest()
HDR = zstandard.ZstdCompressor().compress(b"h" * 512)  # stands for a tar header frame
AFRAME = zstandard.ZstdCompressor().compress(b"A" * 100)
OFF, END = len(HDR), len(HDR) + len(AFRAME)


def reg(name: str, **kw: object) -> dict[str, object]:
    e: dict[str, object] = {
        "type": "reg",
        "name": name,
        "size": 100,
        "offset": OFF,
        "endOffset": END,
        "digest": A_DIGEST,
    }
    e.update(kw)
    return e


@pytest.mark.parametrize(
    ("entries", "needle"),
    [
        ([reg("../etc/passwd")], "../etc/passwd"),
        ([reg("/etc/passwd")], "/etc/passwd"),
        ([reg("a/../../b")], "a/../../b"),
        ([reg("a"), reg("./a")], "'a'"),
        (
            [
                {"type": "hardlink", "name": "x", "linkName": "y"},
                {"type": "hardlink", "name": "y", "linkName": "x"},
            ],
            "loop",
        ),
        ([{"type": "hardlink", "name": "x", "linkName": "missing"}], "'x'"),
        ([{"type": "hardlink", "name": "x", "linkName": "../../etc/passwd"}], "'x'"),
        ([reg("big", endOffset=999_999)], "big"),
        ([reg("neg", size=-1)], "neg"),
        ([reg("a"), reg("b", offset=OFF + 5)], "overlap"),
        (
            [
                reg("c", size=150, chunkSize=100, chunkDigest=A_DIGEST),
                {
                    "type": "chunk",
                    "name": "c",
                    "offset": OFF + 10,
                    "chunkOffset": 100,
                    "chunkSize": 100,
                },
            ],
            "'c'",
        ),
        ([{"type": "chunk", "name": "orphan", "offset": 0}], "orphan"),
        ([{"type": "weird", "name": "w"}], "w"),
        ([reg("t", modtime="yesterday")], "'t'"),
    ],
)
async def test_hostile_tocs_are_refused(entries: list[dict[str, object]], needle: str) -> None:
    blob, ann = zstd_blob_with_toc(entries)
    with pytest.raises(TOCError) as info:
        await read_toc(BytesFetcher(blob), len(blob), ann)
    assert needle.strip("'") in str(info.value)


async def test_a_valid_handmade_toc_passes() -> None:
    blob, ann = zstd_blob_with_toc([reg("ok")])
    toc = await read_toc(BytesFetcher(blob), len(blob), ann)
    assert await read_file(BytesFetcher(blob), toc, "ok") == b"A" * 100


async def test_toc_size_limit() -> None:
    blob, ann = zstd_blob_with_toc([])
    with pytest.raises(TOCError, match="limit"):
        await read_toc(BytesFetcher(blob), len(blob), ann, max_toc_size=5)
    ann[ANNOTATION_POSITION] = f"8:{200 << 20}:{1 << 30}:1"
    with pytest.raises(TOCError):
        await read_toc(BytesFetcher(blob), len(blob), ann)


async def test_old_annotation_keys_are_read() -> None:
    blob, ann = zstd_blob_with_toc([reg("ok")])
    old = {
        ANNOTATION_OLD_CHECKSUM: ann[ANNOTATION_CHECKSUM],
        ANNOTATION_OLD_POSITION: ann[ANNOTATION_POSITION],
    }
    toc = await read_toc(BytesFetcher(blob), len(blob), old)
    assert toc.verified
    assert toc.lookup("ok").size == 100


# -- a third-party producer -------------------------------------------------------------


def _oci_layout(root: Path, tar: bytes) -> None:
    import gzip

    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(b: bytes) -> tuple[str, int]:
        d = hashlib.sha256(b).hexdigest()
        (blobs / d).write_bytes(b)
        return "sha256:" + d, len(b)

    layer = gzip.compress(tar, mtime=0)
    ld, ls = put(layer)
    cfg = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
        }
    ).encode()
    cd, cs = put(cfg)
    man = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": cd,
                "size": cs,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": ld,
                    "size": ls,
                }
            ],
        }
    ).encode()
    md, ms = put(man)
    (root / "index.json").write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": md,
                        "size": ms,
                        "annotations": {"org.opencontainers.image.ref.name": "latest"},
                    }
                ],
            }
        )
    )
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')


@pytest.mark.integration
async def test_reads_skopeo_zstd_chunked(tmp_path: Path) -> None:
    entries = [e for e in sample_entries() if e.name not in ("./",)]
    tar = make_tar(entries)
    _oci_layout(tmp_path / "src", tar)
    await asyncio.to_thread(
        subprocess.run,
        [
            "skopeo",
            "copy",
            "--dest-compress-format",
            "zstd:chunked",
            f"oci:{tmp_path / 'src'}:latest",
            f"oci:{tmp_path / 'dst'}:latest",
        ],
        check=True,
        capture_output=True,
    )
    index = json.loads((tmp_path / "dst" / "index.json").read_text())
    mdig = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((tmp_path / "dst" / "blobs" / "sha256" / mdig).read_bytes())
    layer = manifest["layers"][0]
    assert ANNOTATION_OLD_CHECKSUM in layer["annotations"]  # Debian's c/storage 1.43
    blob = (tmp_path / "dst" / "blobs" / "sha256" / layer["digest"].split(":")[1]).read_bytes()
    fetch = BytesFetcher(blob)
    toc = await read_toc(fetch, len(blob), layer["annotations"])
    assert toc.verified
    assert toc.kind is FormatKind.ZSTD_CHUNKED
    by_name = {e.name: e.data for e in entries}
    assert await read_file(fetch, toc, "etc/big.bin") == by_name["etc/big.bin"]
    assert await read_file(fetch, toc, "etc/hard") == b"hello world\n"
    assert toc.lookup("etc/xattr").xattrs == {"user.test": b"value"}
    assert base64 is not None  # (keeps the import list honest across edits)
    # ...and without annotations, through the 40-byte footer
    toc2 = await read_toc(fetch, len(blob), None)
    assert not toc2.verified
    assert len(toc2.entries) == len(toc.entries)


def test_optimized_zstd_records_prefetch_end() -> None:
    tar = make_tar(sample_entries())
    blob, res = convert(
        tar, FormatKind.ZSTD_CHUNKED, order=Order.OPTIMIZED, profile=("usr/bin/app", "etc/hard")
    )
    toc = asyncio.run(read_toc(BytesFetcher(blob), len(blob), res.annotations))
    assert toc.prefetch_end is not None
    for name in ("usr/bin/app", "etc/hello.txt"):
        for c in toc.lookup(name).chunks:
            assert c.compressed_end <= toc.prefetch_end
    assert toc.lookup("etc/big.bin").chunks[0].compressed_offset >= toc.prefetch_end
    _ = Entry


def test_zeros_chunk_is_synthesised_within_bounds() -> None:
    from core.formats import Chunk

    ok = Chunk(0, 4096, 10, 20, "sha256:" + hashlib.sha256(bytes(4096)).hexdigest(), zeros=True)
    assert verify_chunk(FormatKind.ZSTD_CHUNKED, b"", ok, name="z") == bytes(4096)
    huge = msgspec.structs.replace(ok, size=10**12)
    with pytest.raises(TOCError, match="MAX_CHUNK_SIZE"):
        verify_chunk(FormatKind.ZSTD_CHUNKED, b"", huge, name="z")
    wrong = msgspec.structs.replace(ok, digest="sha256:" + "1" * 64)
    with pytest.raises(DigestMismatch):
        verify_chunk(FormatKind.ZSTD_CHUNKED, b"", wrong, name="z")


def test_fast_constructors_build_the_same_frozen_objects() -> None:
    from core.formats._model import Chunk, EntryType, TOCEntry, new_chunk, new_entry

    chunk = new_chunk(0, 10, 100, 120, "sha256:" + "a" * 64, False, 0)
    assert type(chunk) is Chunk
    assert chunk == Chunk(0, 10, 100, 120, "sha256:" + "a" * 64)
    assert hash(chunk) == hash(Chunk(0, 10, 100, 120, "sha256:" + "a" * 64))
    common = (EntryType.REG, "a/b", "", 0o644, 1, 2, "u", "g", 10, 5)
    entry = new_entry(*common, None, None, 0, 0, {}, None, (chunk,))
    assert type(entry) is TOCEntry
    assert entry == TOCEntry(*common, None, None, 0, 0, {}, None, (chunk,))
    with pytest.raises(AttributeError):
        entry.size = 11  # type: ignore[misc]
    with pytest.raises(AttributeError):
        chunk.size = 11  # type: ignore[misc]
    assert msgspec.structs.replace(entry, size=0).size == 0


def test_zstd_chunked_toc_is_compact_json_of_every_field() -> None:
    """The zstd:chunked TOC is written as text, not through json: it must be exactly what
    json.dumps(separators=(",", ":")) writes for the objects it holds, for every field."""
    import tarfile

    entries = [
        *sample_entries(),
        Entry("dev/", type=tarfile.DIRTYPE, mode=0o755),
        Entry("dev/null", type=tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3),
        Entry('etc/ünïcode "quoted" \\ name', b"text\n"),
        Entry(
            "etc/times",
            b"t",
            pax={"atime": "1700000001.5", "ctime": "1700000002", "uid": "1000", "gid": "100"},
        ),
        Entry(
            "etc/two-xattrs",
            b"x",
            pax={"SCHILY.xattr.user.a": "1", "SCHILY.xattr.security.capability": "\x01\x02"},
        ),
    ]
    blob, res = convert(make_tar(entries), FormatKind.ZSTD_CHUNKED)
    off, length, ulength, _ = map(int, res.annotations[ANNOTATION_POSITION].split(":"))
    raw = zstandard.ZstdDecompressor().decompress(blob[off : off + length], ulength)
    doc = json.loads(raw)
    assert json.dumps(doc, separators=(",", ":")).encode() == raw
    by_name = {e["name"]: e for e in doc["entries"] if e["type"] != "chunk"}
    assert by_name["dev/null"]["devMajor"] == 1
    assert by_name["dev/null"]["devMinor"] == 3
    assert by_name["etc/times"]["accesstime"] == "2023-11-14T22:13:21.5Z"
    assert by_name["etc/times"]["uid"] == 1000
    assert by_name["etc/times"]["gid"] == 100
    assert by_name["etc/two-xattrs"]["xattrs"] == {
        "user.a": base64.b64encode(b"1").decode(),
        "security.capability": base64.b64encode(b"\x01\x02").decode(),
    }
    assert by_name["etc/hard"]["linkName"] == "etc/hello.txt"
    assert 'ünïcode \\"quoted\\" \\\\ name' not in raw.decode()  # escaped as ASCII
    assert 'etc/ünïcode "quoted" \\ name' in by_name
    zeros = [e for e in doc["entries"] if e["name"] == "usr/zeros"]
    assert len(zeros) == 4
    assert all(e["chunkType"] == "zeros" for e in zeros[:3])
    big = [e for e in doc["entries"] if e["name"] == "etc/big.bin"]
    assert [e["type"] for e in big] == ["reg"] + ["chunk"] * (len(big) - 1)
    assert [e.get("chunkOffset", 0) for e in big] == [i * CHUNK for i in range(len(big))]
    assert big[0]["digest"] != big[0]["chunkDigest"]


async def test_big_chunks_spanning_decompressed_blocks() -> None:
    """Chunks of 1 MiB built from several pieces of the decompressed stream (the writer
    copies them into buffers it reuses once a batch is compressed): every chunk, file and
    the whole stream come back exact, by our reader and by the zstd tool."""
    import gzip
    import random
    import tarfile

    rnd = random.Random(7)
    words = [bytes(rnd.choices(range(97, 123), k=rnd.randint(2, 9))) for _ in range(500)]

    def text(n: int) -> bytes:  # compressible, different everywhere
        return b" ".join(rnd.choices(words, k=n // 5))[:n]

    files: dict[str, bytes] = {}
    for i in range(6):  # big files, each after batches of small ones (no reused buffer)
        files.update({f"data/small{i}-{j}.txt": text(rnd.randint(1, 9000)) for j in range(300)})
        files[f"data/f{i}.txt"] = text(rnd.randint(3 << 20, 6 << 20))
    entries = [Entry("data/", type=tarfile.DIRTYPE, mode=0o755)]
    entries += [Entry(name, data) for name, data in files.items()]
    tar = make_tar(entries)
    out = io.BytesIO()
    opts = ConvertOptions(chunk_size=1 << 20, threads=2)
    res = convert_layer_sync(
        io.BytesIO(gzip.compress(tar, 1)).read, Compression.GZIP, out, opts, layer="sha256:big"
    )
    blob = out.getvalue()
    assert res.written.chunks >= sum(-(-len(d) // (1 << 20)) for d in files.values())
    toc = await read_toc(BytesFetcher(blob), len(blob), res.annotations)
    for name, data in files.items():
        assert await read_file(BytesFetcher(blob), toc, name) == data
        entry = toc.lookup(name)
        assert entry.digest == ("sha256:" + hashlib.sha256(data).hexdigest() if data else None)
        for c in entry.chunks:
            verify_chunk(FormatKind.ZSTD_CHUNKED, blob[c.compressed_offset : c.compressed_end], c)
    zstd = await asyncio.create_subprocess_exec(
        "zstd", "-dc", stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    plain, _ = await zstd.communicate(blob)
    assert zstd.returncode == 0
    assert plain == tar
    assert res.diff_id == "sha256:" + hashlib.sha256(tar).hexdigest()
