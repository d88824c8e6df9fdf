"""The unpacker checks a layer's decompressed content against its ``diff_id``.

The digest covers the whole decompressed stream (the tar's end-of-archive blocks and record
padding included, skippable frames and the eStargz footer member excluded), so layers in every
format fcdesk reads match the ``diff_id`` their producer computed.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
import zstandard

from core.convert import ConvertOptions, convert_layer_sync
from core.errors import DigestMismatch
from core.formats import FormatKind
from core.oci import Compression, Digest
from core.pull._unpack import unpack_layer, unpack_layer_sync


def _raw_tar() -> bytes:
    buf = io.BytesIO()
    # tarfile pads the archive to a 10240-byte record: those bytes count in the diff_id
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [("etc/hosts", b"127.0.0.1 localhost\n"), ("big", os.urandom(300_000))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


RAW = _raw_tar()


def _blob(kind: str) -> bytes:
    if kind == "tar":
        return RAW
    if kind == "gzip":
        return gzip.compress(RAW, mtime=0)
    if kind == "zstd":
        return zstandard.ZstdCompressor().compress(RAW)
    out = io.BytesIO()
    fmt = FormatKind.ZSTD_CHUNKED if kind == "zstd:chunked" else FormatKind.ESTARGZ
    result = convert_layer_sync(
        io.BytesIO(RAW).read, Compression.NONE, out, ConvertOptions(format=fmt, threads=1)
    )
    assert result.diff_id == str(Digest.of_bytes(RAW)) or fmt is FormatKind.ESTARGZ
    return out.getvalue()


def _diff_id(kind: str, blob: bytes) -> Digest:
    if kind == "estargz":  # eStargz rewrites the tar (landmark, TOC entry): its own diff_id
        return Digest.of_bytes(gzip.decompress(blob))
    return Digest.of_bytes(RAW)


@pytest.mark.parametrize("kind", ["tar", "gzip", "zstd", "zstd:chunked", "estargz"])
def test_matching_diff_id_passes(kind: str, tmp_path: Path) -> None:
    blob = _blob(kind)
    stats = unpack_layer_sync(io.BytesIO(blob), tmp_path, diff_id=_diff_id(kind, blob))
    assert (tmp_path / "etc" / "hosts").read_bytes() == b"127.0.0.1 localhost\n"
    assert stats.uncompressed_bytes == len(gzip.decompress(blob) if kind == "estargz" else RAW)


@pytest.mark.parametrize("kind", ["tar", "gzip", "zstd", "zstd:chunked", "estargz"])
def test_wrong_diff_id_is_refused(kind: str, tmp_path: Path) -> None:
    blob = _blob(kind)
    wrong = Digest.of_bytes(b"not this layer")
    with pytest.raises(DigestMismatch) as info:
        unpack_layer_sync(io.BytesIO(blob), tmp_path, diff_id=wrong, layer="3 (sha256:abc)")
    assert info.value.code == "DiffIDMismatch"
    assert info.value.expected == str(wrong)
    assert info.value.actual == str(_diff_id(kind, blob))
    assert "layer 3 (sha256:abc)" in str(info.value)


async def test_trailing_bytes_count(tmp_path: Path) -> None:
    """Bytes after the end-of-archive marker are part of the layer: a stream that differs
    only there does not match (the tar reader alone would never see them)."""
    path = tmp_path / "layer.tar"
    path.write_bytes(RAW + bytes(512))
    with pytest.raises(DigestMismatch):
        await unpack_layer(path, tmp_path / "a", diff_id=Digest.of_bytes(RAW))
    stats = await unpack_layer(path, tmp_path / "b", diff_id=Digest.of_bytes(RAW + bytes(512)))
    assert stats.uncompressed_bytes == len(RAW) + 512
