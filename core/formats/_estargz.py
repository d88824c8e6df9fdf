"""eStargz constants, footer and TOC parsing (stargz-snapshotter format).

A blob is a sequence of gzip members; the last tar entry is ``stargz.index.json`` (the TOC),
followed by a 51-byte empty gzip member whose extra field holds the TOC offset.
"""

from __future__ import annotations

import re
import zlib

from core.errors import TOCError
from core.formats._index import ESTARGZ_TOC_NAME, JsonDocument, decode_document, parse_index
from core.formats._model import TOC, ByteRange, FormatKind

__all__ = [
    "ANNOTATION_TOC_DIGEST",
    "ANNOTATION_UNCOMPRESSED_SIZE",
    "ESTARGZ_FOOTER_SIZE",
    "build_estargz_footer",
    "parse_estargz_footer",
    "parse_estargz_toc",
    "toc_json_from_member",
]

ANNOTATION_TOC_DIGEST = "containerd.io/snapshot/stargz/toc.digest"
ANNOTATION_UNCOMPRESSED_SIZE = "io.containers.estargz.uncompressed-size"
ESTARGZ_FOOTER_SIZE = 51
LEGACY_FOOTER_SIZE = 47
_FOOTER_RE = re.compile(rb"^([0-9a-f]{16})STARGZ$")


def build_estargz_footer(toc_offset: int) -> bytes:
    """The 51-byte footer: an empty gzip member with ``SG`` extra ``%016xSTARGZ``."""
    payload = b"%016xSTARGZ" % toc_offset
    extra = b"SG" + len(payload).to_bytes(2, "little") + payload
    header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + len(extra).to_bytes(2, "little")
    return header + extra + b"\x01\x00\x00\xff\xff" + bytes(8)


def parse_estargz_footer(tail: bytes) -> tuple[int, int] | None:
    """``(toc_offset, footer_size)`` from the blob's last 51 bytes, or ``None``.

    Accepts the eStargz footer and the legacy 47-byte stargz footer.
    """
    if len(tail) >= ESTARGZ_FOOTER_SIZE:
        f = tail[-ESTARGZ_FOOTER_SIZE:]
        if (
            f[:4] == b"\x1f\x8b\x08\x04"
            and f[10:12] == b"\x1a\x00"
            and f[12:14] == b"SG"
            and f[14:16] == b"\x16\x00"
        ):
            m = _FOOTER_RE.match(f[16:38])
            if m:
                return int(m.group(1), 16), ESTARGZ_FOOTER_SIZE
    if len(tail) >= LEGACY_FOOTER_SIZE:
        f = tail[-LEGACY_FOOTER_SIZE:]
        if f[:4] == b"\x1f\x8b\x08\x04" and f[10:12] == b"\x16\x00":
            m = _FOOTER_RE.match(f[12:34])
            if m:
                return int(m.group(1), 16), LEGACY_FOOTER_SIZE
    return None


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress concatenated gzip members, refusing more than ``limit`` output bytes."""
    out = bytearray()
    rest = data
    while rest:
        d = zlib.decompressobj(31)
        try:
            out += d.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise TOCError(f"corrupt gzip data: {exc}") from exc
        if len(out) > limit:
            raise TOCError(f"gzip data decompresses to more than {limit} bytes")
        if d.unconsumed_tail:
            raise TOCError(f"gzip data decompresses to more than {limit} bytes")
        if not d.eof:
            raise TOCError("truncated gzip data")
        rest = d.unused_data
    return bytes(out)


def toc_json_from_member(member: bytes, limit: int) -> bytes:
    """Extract ``stargz.index.json``'s content from the decompressed TOC member (tar)."""
    raw = gunzip_bounded(member, limit + 4096)
    if len(raw) < 512:
        raise TOCError("eStargz TOC member is shorter than a tar header")
    from core.formats._tar import parse_simple_header

    name, size, header_len = parse_simple_header(raw)
    if name != ESTARGZ_TOC_NAME:
        raise TOCError(f"eStargz TOC entry is named {name!r}, not {ESTARGZ_TOC_NAME!r}")
    if size > limit:
        raise TOCError(f"eStargz TOC is larger than {limit} bytes")
    body = raw[header_len : header_len + size]
    if len(body) != size:
        raise TOCError("eStargz TOC entry is truncated")
    return body


def parse_estargz_toc(
    data: bytes,
    *,
    blob_size: int,
    toc_offset: int,
    toc_end: int,
    toc_digest: str,
    verified: bool,
) -> TOC:
    """Parse and validate an eStargz TOC JSON into a :class:`TOC`."""
    doc = decode_document(data)
    if isinstance(doc, JsonDocument):
        version, entries = doc.version, doc.entries or []
    else:
        if not isinstance(doc, dict):
            raise TOCError("TOC is not a JSON object")
        version, entries = doc.get("version"), doc.get("entries") or []
        if not isinstance(entries, list):
            raise TOCError("TOC entries is not a list")
    if version != 1:
        raise TOCError(f"eStargz TOC version {version!r} is not supported")
    parsed = parse_index(entries, FormatKind.ESTARGZ, data_end=toc_offset)
    return TOC(
        kind=FormatKind.ESTARGZ,
        version=1,
        entries=tuple(parsed.entries),
        raw_entries=tuple(parsed.raw_entries),
        blob_size=blob_size,
        toc_range=ByteRange(toc_offset, toc_end),
        toc_digest=toc_digest,
        verified=verified,
        prefetch_end=parsed.landmark_end,
        _by_name=parsed.by_name,
    )
