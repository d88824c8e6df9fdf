"""The layer converter: third-party decompressors, diff_ids, orders, hostile input, cancel."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import os
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest
import zstandard

from core.convert import (
    ConvertOptions,
    Limits,
    Order,
    convert_layer,
    convert_layer_sync,
    plan_order,
)
from core.errors import ConvertError, UnsafeContent
from core.formats import BytesFetcher, EntryType, FormatKind, read_file, read_toc
from core.oci import Compression
from tests.core.convert.helpers import Entry, compress, make_tar, sample_entries

CHUNK = 64 << 10
ZSTD, ESTARGZ = FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ


def run(
    blob: bytes, compression: Compression, kind: FormatKind = ZSTD, **kw: object
) -> tuple[bytes, object]:
    out = io.BytesIO()
    kw.setdefault("threads", 2)
    opts = ConvertOptions(format=kind, chunk_size=CHUNK, **kw)  # type: ignore[arg-type]
    res = convert_layer_sync(io.BytesIO(blob).read, compression, out, opts, layer="sha256:src")
    return out.getvalue(), res


def tool(cmd: list[str], data: bytes) -> bytes:
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def names_of(tar: bytes) -> list[str]:
    out = subprocess.run(["tar", "-t"], input=tar, capture_output=True, check=True).stdout
    return out.decode().splitlines()


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
def test_preserve_zstd_chunked_is_byte_identical(compression: str) -> None:
    tar = make_tar(sample_entries())
    blob, res = run(compress(tar, compression), Compression(compression))
    plain = tool(["zstd", "-dc"], blob)
    assert plain == tar  # trailing record padding included
    diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
    assert res.diff_id == diff_id  # type: ignore[attr-defined]
    assert res.source_diff_id == diff_id  # type: ignore[attr-defined]
    assert "sha256:" + hashlib.sha256(blob).hexdigest() == res.digest  # type: ignore[attr-defined]
    subprocess.run(["zstd", "-t", "-q"], input=blob, check=True)
    assert names_of(plain) == names_of(tar)


def test_estargz_is_gzip_and_lists_the_same_entries() -> None:
    tar = make_tar(sample_entries())
    blob, res = run(compress(tar, "gzip"), Compression.GZIP, ESTARGZ)
    plain = tool(["gzip", "-dc"], blob)
    subprocess.run(["gzip", "-t"], input=blob, check=True)
    assert "sha256:" + hashlib.sha256(plain).hexdigest() == res.diff_id  # type: ignore[attr-defined]
    assert len(plain) == int(res.annotations["io.containers.estargz.uncompressed-size"])  # type: ignore[attr-defined]
    listed = names_of(plain)
    assert listed[0] == ".no.prefetch.landmark"
    assert listed[-1] == "stargz.index.json"
    assert listed[1:-1] == names_of(tar)
    assert res.source_diff_id == "sha256:" + hashlib.sha256(tar).hexdigest()  # type: ignore[attr-defined]


def test_deterministic_output() -> None:
    tar = make_tar(sample_entries())
    a, _ = run(tar, Compression.NONE)
    b, _ = run(tar, Compression.NONE, threads=1)
    assert a == b


@pytest.mark.parametrize("kind", [ZSTD, ESTARGZ])
async def test_optimized_order_puts_profile_first(kind: FormatKind) -> None:
    tar = make_tar(sample_entries())
    profile = ("/usr/bin/app", "etc/hard", "not/in/layer")
    blob, res = run(tar, Compression.NONE, kind, order=Order.OPTIMIZED, profile=profile)
    plain = tool(["zstd" if kind is ZSTD else "gzip", "-dc"], blob)
    listed = [n.rstrip("/") for n in names_of(plain)]
    head = listed[:7] if kind is ZSTD else listed[:8]
    expected = [".", "usr", "usr/bin", "usr/bin/app", "etc", "etc/hello.txt", "etc/hard"]
    if kind is ESTARGZ:
        expected.append(".prefetch.landmark")
    assert head == expected
    assert sorted(set(listed) - {".prefetch.landmark", "stargz.index.json"}) == sorted(
        n.rstrip("/") for n in names_of(tar)
    )
    assert res.diff_id == "sha256:" + hashlib.sha256(plain).hexdigest()  # type: ignore[attr-defined]
    assert res.diff_id != res.source_diff_id  # type: ignore[attr-defined]
    assert res.prefetch_files == 7  # type: ignore[attr-defined]
    toc = await read_toc(BytesFetcher(blob), len(blob), res.annotations)  # type: ignore[attr-defined]
    assert toc.prefetch_end is not None
    assert toc.lookup("usr/bin/app").chunks[-1].compressed_end <= toc.prefetch_end
    assert toc.lookup("etc/big.bin").chunks[0].compressed_offset >= toc.prefetch_end
    for e in toc.entries:
        if e.type is EntryType.REG:
            await read_file(BytesFetcher(blob), toc, e.name)


def test_plan_order_moves_parents_and_hardlink_targets() -> None:
    entries = [
        (".", EntryType.DIR, ""),
        ("a", EntryType.DIR, ""),
        ("a/x", EntryType.REG, ""),
        ("b", EntryType.DIR, ""),
        ("b/y", EntryType.HARDLINK, "a/x"),
        ("c", EntryType.REG, ""),
    ]
    order, moved = plan_order(entries, ["b/y"])
    assert [entries[i][0] for i in order[:moved]] == [".", "b", "a", "a/x", "b/y"]
    assert [entries[i][0] for i in order[moved:]] == ["c"]


# -- hostile and broken input ---------------------------------------------------------


def one(entry: Entry, *before: Entry) -> bytes:
    return make_tar([*before, entry])


BAD = [
    (one(Entry("../evil", b"x")), "entry '../evil': has a '..' path component (rule dotdot-name)"),
    (one(Entry("a/../../evil", b"x")), "'a/../../evil': has a '..' path component"),
    (one(Entry("/etc/passwd", b"x")), "'/etc/passwd': has an absolute path (rule absolute-name)"),
    (
        one(Entry("h", type=tarfile.LNKTYPE, link="../../etc/passwd")),
        "entry 'h': is a hard link to '../../etc/passwd', outside the layer (rule hardlink)",
    ),
    (
        one(Entry("h", type=tarfile.LNKTYPE, link="/etc/passwd")),
        "entry 'h': is a hard link to '/etc/passwd', outside the layer (rule hardlink)",
    ),
    (one(Entry("h", type=tarfile.LNKTYPE, link="missing")), "which is not earlier in the layer"),
    (one(Entry("dup", b"2"), Entry("dup", b"1")), "entry 'dup': appears more than once"),
    (
        one(Entry("evil/pwned", b"x"), Entry("evil", type=tarfile.SYMTYPE, link="/")),
        "entry 'evil/pwned': goes through the symlink 'evil' (rule through-symlink)",
    ),
    (
        one(
            Entry("h", type=tarfile.LNKTYPE, link="d/secret"),
            Entry("d", type=tarfile.SYMTYPE, link="/etc"),
        ),
        "entry 'h': links through the symlink 'd' (rule through-symlink)",
    ),
    (
        one(Entry("d/.wh.secret", b""), Entry("d", type=tarfile.SYMTYPE, link="/etc")),
        "entry 'd/.wh.secret': removes through the symlink 'd'",
    ),
    (one(Entry("big-pax", b"x", pax={"comment": "y" * (2 << 20)})), "PAX"),
]


@pytest.mark.parametrize(("tar", "needle"), BAD)
@pytest.mark.parametrize("kind", [ZSTD, ESTARGZ])
def test_unsafe_entries_are_refused(tar: bytes, needle: str, kind: FormatKind) -> None:
    with pytest.raises((UnsafeContent, ConvertError)) as info:
        run(compress(tar, "gzip"), Compression.GZIP, kind)
    msg = str(info.value)
    assert "layer sha256:src" in msg
    assert needle in msg


def test_root_filesystem_contents_are_carried() -> None:
    """A converter rewrites bytes: device nodes, FIFOs, setuid bits and symlinks whatever
    their target are kept as they are (creating a device is for whatever unpacks)."""
    tar = make_tar(
        [
            Entry("d/", type=tarfile.DIRTYPE),
            Entry("d/s", type=tarfile.SYMTYPE, link="../../etc/passwd"),
            Entry("dev/null", type=tarfile.CHRTYPE, devmajor=1, devminor=3),
            Entry("dev/sda", type=tarfile.BLKTYPE, devmajor=8),
            Entry("run/initctl", type=tarfile.FIFOTYPE),
            Entry("bin/su", b"#!/bin/sh\n", mode=0o4755),
        ]
    )
    blob, res = run(tar, Compression.NONE)
    assert tool(["zstd", "-dc"], blob) == tar
    assert res.warnings == ()  # type: ignore[attr-defined]


def test_absolute_symlinks_are_normal() -> None:
    tar = make_tar([Entry("lib64", type=tarfile.SYMTYPE, link="/usr/lib64")])
    blob, res = run(tar, Compression.NONE)
    assert tool(["zstd", "-dc"], blob) == tar
    assert res.warnings == ()  # type: ignore[attr-defined]


def test_corrupt_and_truncated_data() -> None:
    tar = make_tar(sample_entries())
    gz = compress(tar, "gzip")
    with pytest.raises(ConvertError, match=r"sha256:src.*truncated"):
        run(gz[: len(gz) // 2], Compression.GZIP)
    bad = bytearray(gz)
    bad[len(bad) // 2] ^= 0xFF
    with pytest.raises(ConvertError, match="sha256:src"):
        run(bytes(bad), Compression.GZIP)
    zs = compress(tar, "zstd")
    with pytest.raises(ConvertError, match="sha256:src"):
        run(zs[: len(zs) // 2], Compression.ZSTD)
    with pytest.raises(ConvertError, match="sha256:src"):
        run(os.urandom(5000), Compression.NONE)
    with pytest.raises(ConvertError, match=r"sha256:src.*(end-of-archive|truncated)"):
        run(tar[:1536], Compression.NONE)


def test_decompression_bombs() -> None:
    tar = make_tar([Entry("zeros", bytes(8 << 20))])
    gz = compress(tar, "gzip")
    assert len(tar) / len(gz) > 100
    with pytest.raises(UnsafeContent, match="bomb"):
        run(gz, Compression.GZIP, limits=Limits(max_ratio=100, ratio_grace=1 << 20))
    with pytest.raises(UnsafeContent, match="bomb"):
        run(gz, Compression.GZIP, limits=Limits(max_uncompressed=4 << 20))
    run(gz, Compression.GZIP)  # within the default limits


def test_trailing_garbage_limit() -> None:
    tar = make_tar([Entry("a", b"x")]) + bytes(2 << 20)
    with pytest.raises(UnsafeContent, match="end-of-archive"):
        run(tar, Compression.NONE)


async def test_async_conversion_and_cancellation(tmp_path: Path) -> None:
    tar = make_tar(sample_entries())
    gz = compress(tar, "gzip")

    async def source(data: bytes, delay: float = 0.0):  # type: ignore[no-untyped-def]
        for i in range(0, len(data), 4096):
            if delay:
                await asyncio.sleep(delay)
            yield data[i : i + 4096]

    events: list[tuple[int, int]] = []
    out = io.BytesIO()
    opts = ConvertOptions(chunk_size=CHUNK, threads=2)
    res = await convert_layer(
        source(gz),
        Compression.GZIP,
        out,
        opts,
        layer="l",
        on_progress=lambda i, o: events.append((i, o)),
    )
    assert (
        zstandard.ZstdDecompressor().stream_reader(out.getvalue(), read_across_frames=True).read()
        == tar
    )
    assert events[-1] == (len(gz), res.size)

    before = threading.active_count()
    task = asyncio.create_task(
        convert_layer(source(gz, 0.01), Compression.GZIP, io.BytesIO(), opts, layer="l")
    )
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    assert threading.active_count() <= before + 1  # worker and compression threads ended


def test_gzip_multi_member_input() -> None:
    tar = make_tar(sample_entries())
    half = len(tar) // 2
    gz = gzip.compress(tar[:half], mtime=0) + gzip.compress(tar[half:], mtime=0)
    blob, _res = run(gz, Compression.GZIP)
    assert tool(["zstd", "-dc"], blob) == tar
