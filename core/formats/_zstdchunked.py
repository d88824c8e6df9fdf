"""zstd:chunked constants, footers, annotations and TOC parsing (containers/storage format).

Byte layout of a blob (every frame is independent)::

    [zstd frames: tar headers, each regular file's payload starting a new frame, one frame
     per chunk][zstd frame: trailing tar bytes][skippable: TOC][skippable: tar-split]
    [skippable: 64-byte footer]
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Mapping
from typing import Any

from core.errors import TOCError
from core.formats._index import (
    ESTARGZ_TOC_NAME,
    NO_PREFETCH_LANDMARK,
    PREFETCH_LANDMARK,
    JsonDocument,
    decode_document,
    merge_chunks,
    parse_index,
)
from core.formats._model import TOC, ByteRange, FormatKind

__all__ = [
    "ANNOTATION_CHECKSUM",
    "ANNOTATION_OLD_CHECKSUM",
    "ANNOTATION_OLD_POSITION",
    "ANNOTATION_POSITION",
    "ANNOTATION_TARSPLIT_POSITION",
    "ESTARGZ_TOC_NAME",
    "FOOTER_MAGIC",
    "FOOTER_MAGIC_OLD",
    "NO_PREFETCH_LANDMARK",
    "PREFETCH_LANDMARK",
    "SKIPPABLE_MAGIC",
    "ZstdChunkedFooter",
    "build_footer",
    "locate_from_annotations",
    "merge_chunks",
    "parse_footer",
    "parse_position",
    "parse_zstd_toc",
    "skippable_frame",
]

ANNOTATION_CHECKSUM = "io.github.containers.zstd-chunked.manifest-checksum"
ANNOTATION_POSITION = "io.github.containers.zstd-chunked.manifest-position"
ANNOTATION_TARSPLIT_POSITION = "io.github.containers.zstd-chunked.tarsplit-position"
# Keys used before containers/storage 1.44 (Debian 12's podman/skopeo read only these).
ANNOTATION_OLD_CHECKSUM = "io.containers.zstd-chunked.manifest-checksum"
ANNOTATION_OLD_POSITION = "io.containers.zstd-chunked.manifest-position"

SKIPPABLE_MAGIC = b"\x50\x2a\x4d\x18"
FOOTER_MAGIC = b"GNUlInUx"  # 64-byte footer, containers/storage >= 1.50
FOOTER_MAGIC_OLD = b"GnUlInUx"  # 40-byte footer, containers/storage 1.31 - 1.46
MANIFEST_TYPE_CRFS = 1
FOOTER_SIZE = 64
OLD_FOOTER_SIZE = 40
#: How many bytes at the end of a blob hold any known footer, skippable header included.
FOOTER_READ_SIZE = 8 + FOOTER_SIZE


@dataclasses.dataclass(frozen=True, slots=True)
class ZstdChunkedFooter:
    """Where the TOC (and tar-split) frames' payloads are; offsets skip the 8-byte header."""

    toc_offset: int
    toc_length: int
    toc_uncompressed_length: int
    tar_split_offset: int = 0
    tar_split_length: int = 0
    tar_split_uncompressed_length: int = 0


def skippable_frame(payload: bytes) -> bytes:
    """Wrap ``payload`` in a zstd skippable frame (RFC 8478 §3.1.2)."""
    return SKIPPABLE_MAGIC + struct.pack("<I", len(payload)) + payload


def build_footer(f: ZstdChunkedFooter) -> bytes:
    """The current 64-byte footer, wrapped in its skippable frame (72 bytes)."""
    data = struct.pack(
        "<7Q",
        f.toc_offset,
        f.toc_length,
        f.toc_uncompressed_length,
        MANIFEST_TYPE_CRFS,
        f.tar_split_offset,
        f.tar_split_length,
        f.tar_split_uncompressed_length,
    )
    return skippable_frame(data + FOOTER_MAGIC)


def parse_footer(tail: bytes) -> ZstdChunkedFooter | None:
    """Parse the footer at the end of ``tail`` (the blob's last bytes; 72 suffice).

    Accepts the 64-byte (``GNUlInUx``), the 40-byte (``GnUlInUx``) and the buggy 56-byte
    footer of containers/storage 1.47–1.49. Returns ``None`` when no footer is there.
    """
    if tail.endswith(FOOTER_MAGIC) and len(tail) >= FOOTER_SIZE:
        vals = struct.unpack("<7Q", tail[-FOOTER_SIZE:-8])
        if vals[3] != MANIFEST_TYPE_CRFS:
            raise TOCError(f"zstd:chunked footer has manifest type {vals[3]}, expected 1")
        return ZstdChunkedFooter(vals[0], vals[1], vals[2], vals[4], vals[5], vals[6])
    if tail.endswith(FOOTER_MAGIC_OLD) and len(tail) >= OLD_FOOTER_SIZE:
        vals = struct.unpack("<4Q", tail[-OLD_FOOTER_SIZE:-8])
    elif (
        len(tail) >= 56 and tail[-24:-16] == FOOTER_MAGIC_OLD and tail[-16:] == bytes(16)
    ):  # 1.47-1.49: 40 bytes, then 16 zero bytes
        vals = struct.unpack("<4Q", tail[-56:-24])
    else:
        return None
    if vals[3] != MANIFEST_TYPE_CRFS:
        raise TOCError(f"zstd:chunked footer has manifest type {vals[3]}, expected 1")
    return ZstdChunkedFooter(vals[0], vals[1], vals[2])


def parse_position(value: str, *, parts: int) -> tuple[int, ...]:
    """Parse ``"offset:len:lenU[:type]"`` annotations."""
    fields = value.split(":")
    if len(fields) != parts or not all(f.isdigit() for f in fields):
        raise TOCError(f"malformed zstd:chunked position annotation {value!r}")
    nums = tuple(int(f) for f in fields)
    if parts == 4 and nums[3] != MANIFEST_TYPE_CRFS:
        raise TOCError(f"zstd:chunked manifest type {nums[3]} is not supported")
    return nums


def locate_from_annotations(
    annotations: Mapping[str, str],
) -> tuple[ZstdChunkedFooter, str] | None:
    """The TOC position and its (compressed) checksum from layer annotations, new keys first."""
    for ck, pk in (
        (ANNOTATION_CHECKSUM, ANNOTATION_POSITION),
        (ANNOTATION_OLD_CHECKSUM, ANNOTATION_OLD_POSITION),
    ):
        if pk in annotations and ck in annotations:
            off, length, ulen, _ = parse_position(annotations[pk], parts=4)
            ts: tuple[int, ...] = (0, 0, 0)
            if pk == ANNOTATION_POSITION and ANNOTATION_TARSPLIT_POSITION in annotations:
                ts = parse_position(annotations[ANNOTATION_TARSPLIT_POSITION], parts=3)
            return ZstdChunkedFooter(off, length, ulen, *ts), annotations[ck]
    return None


def parse_zstd_toc(
    data: bytes,
    *,
    blob_size: int,
    footer: ZstdChunkedFooter,
    toc_digest: str,
    verified: bool,
    prefetch_end: int | None = None,
) -> TOC:
    """Parse and validate an uncompressed zstd:chunked TOC JSON into a :class:`TOC`."""
    doc = decode_document(data)
    entries: list[Any]
    if isinstance(doc, JsonDocument):
        if doc.version != 1:
            raise TOCError(f"zstd:chunked TOC version {doc.version!r} is not supported")
        entries, ts_digest = list(doc.entries or []), doc.tarSplitDigest or None
    else:
        if not isinstance(doc, dict):
            raise TOCError("TOC is not a JSON object")
        if doc.get("version") != 1:
            raise TOCError(f"zstd:chunked TOC version {doc.get('version')!r} is not supported")
        entries, ts_digest = _entries(doc), doc.get("tarSplitDigest") or None
    if ts_digest is not None and not isinstance(ts_digest, str):
        raise TOCError("zstd:chunked TOC tarSplitDigest is not a string")
    data_end = footer.toc_offset - 8
    if footer.tar_split_length:
        data_end = min(data_end, footer.tar_split_offset - 8)
    parsed = parse_index(entries, FormatKind.ZSTD_CHUNKED, data_end=data_end)
    return TOC(
        kind=FormatKind.ZSTD_CHUNKED,
        version=1,
        entries=tuple(parsed.entries),
        raw_entries=tuple(parsed.raw_entries),
        blob_size=blob_size,
        toc_range=ByteRange(footer.toc_offset, footer.toc_offset + footer.toc_length),
        toc_digest=toc_digest,
        verified=verified,
        prefetch_end=prefetch_end if prefetch_end is not None else parsed.landmark_end,
        tar_split_range=(
            ByteRange(footer.tar_split_offset, footer.tar_split_offset + footer.tar_split_length)
            if footer.tar_split_length
            else None
        ),
        tar_split_digest=ts_digest,
        tar_split_uncompressed_size=footer.tar_split_uncompressed_length or None,
        _by_name=parsed.by_name,
    )


def _entries(doc: dict[str, Any]) -> list[Any]:
    entries = doc.get("entries") or []
    if not isinstance(entries, list):
        raise TOCError("TOC entries is not a list")
    return entries
