"""JSON ↔ :class:`TOCEntry` for both formats' TOC entries (shared field handling)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from core.errors import TOCError
from core.formats._model import EntryType, TOCEntry, normalize_name
from core.formats._times import parse_rfc3339

__all__ = ["RawEntry", "parse_raw_entry"]

_TYPES = {t.value: t for t in EntryType}


class RawEntry:
    """An index entry as written, before chunks are merged into their file."""

    __slots__ = (
        "chunk_digest",
        "chunk_offset",
        "chunk_size",
        "end_offset",
        "entry",
        "inner_offset",
        "offset",
        "raw_name",
        "zeros",
    )

    def __init__(self, entry: TOCEntry, raw_name: str, obj: dict[str, Any]) -> None:
        self.entry = entry
        self.raw_name = raw_name
        self.offset = _int(obj, "offset", raw_name)
        self.end_offset = _int(obj, "endOffset", raw_name)
        self.chunk_size = _int(obj, "chunkSize", raw_name)
        self.chunk_offset = _int(obj, "chunkOffset", raw_name)
        self.inner_offset = _int(obj, "innerOffset", raw_name)
        digest = obj.get("chunkDigest")
        if digest is not None and not isinstance(digest, str):
            raise TOCError(f"TOC entry {raw_name!r} has a non-string chunkDigest", entry=raw_name)
        self.chunk_digest: str | None = digest or None
        ctype = obj.get("chunkType", "")
        if ctype not in ("", "zeros"):
            raise TOCError(f"TOC entry {raw_name!r} has chunkType {ctype!r}", entry=raw_name)
        self.zeros = ctype == "zeros"


def _int(obj: dict[str, Any], key: str, name: str) -> int:
    value = obj.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TOCError(f"TOC entry {name!r}: {key} is not an integer", entry=name)
    if value < 0:
        raise TOCError(f"TOC entry {name!r}: {key} is negative", entry=name)
    return value


def _str(obj: dict[str, Any], key: str, name: str) -> str:
    value = obj.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TOCError(f"TOC entry {name!r}: {key} is not a string", entry=name)
    return value


def parse_raw_entry(obj: Any) -> RawEntry:
    """Parse one JSON entry (fields common to zstd:chunked and eStargz)."""
    if not isinstance(obj, dict):
        raise TOCError("TOC entry is not an object")
    raw_name = obj.get("name")
    if not isinstance(raw_name, str) or not raw_name:
        raise TOCError("TOC entry without a name")
    if "\x00" in raw_name:
        raise TOCError(f"TOC entry {raw_name!r} has a NUL byte in its name", entry=raw_name)
    type_name = obj.get("type", "")
    etype = _TYPES.get(type_name) if isinstance(type_name, str) else None
    if etype is None:
        raise TOCError(
            f"TOC entry {raw_name!r} has unknown type {obj.get('type')!r}", entry=raw_name
        )
    link = _str(obj, "linkName", raw_name)
    if etype is EntryType.HARDLINK:
        link = normalize_name(link)
    xattrs: dict[str, bytes] = {}
    raw_x = obj.get("xattrs") or {}
    if not isinstance(raw_x, dict):
        raise TOCError(f"TOC entry {raw_name!r}: xattrs is not an object", entry=raw_name)
    for k, v in raw_x.items():
        if not isinstance(v, str):
            raise TOCError(f"TOC entry {raw_name!r}: xattr {k!r} is not base64", entry=raw_name)
        try:
            xattrs[k] = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise TOCError(
                f"TOC entry {raw_name!r}: xattr {k!r} is not base64", entry=raw_name
            ) from exc
    digest = obj.get("digest")
    if digest is not None and not isinstance(digest, str):
        raise TOCError(f"TOC entry {raw_name!r} has a non-string digest", entry=raw_name)
    entry = TOCEntry(
        type=etype,
        name=normalize_name(raw_name),
        link_name=link,
        mode=_int(obj, "mode", raw_name),
        uid=_int(obj, "uid", raw_name),
        gid=_int(obj, "gid", raw_name),
        uname=_str(obj, "userName", raw_name),
        gname=_str(obj, "groupName", raw_name),
        size=_int(obj, "size", raw_name),
        mtime_ns=parse_rfc3339(_str(obj, "modtime", raw_name), entry=raw_name),
        atime_ns=parse_rfc3339(_str(obj, "accesstime", raw_name), entry=raw_name),
        ctime_ns=parse_rfc3339(_str(obj, "changetime", raw_name), entry=raw_name),
        dev_major=_int(obj, "devMajor", raw_name),
        dev_minor=_int(obj, "devMinor", raw_name),
        xattrs=xattrs,
        digest=digest or None,
    )
    return RawEntry(entry, raw_name, obj)
