"""From a TOC's decoded JSON entries to validated :class:`TOCEntry` objects, quickly.

An image's TOCs are parsed on the critical path of every lazy cold start (a Python
``site-packages`` layer alone lists 13,000 entries), so well-formed indexes take a lean path:
one pass per entry with every check of the reference path done inline (types, ranges, names,
chunk tiling, frame overlaps, digests, hard links) and each entry built once with its chunks.
The reference path (:func:`parse_raw_entry` → :func:`merge_chunks` → :func:`validate_toc`)
stays the definition of what is accepted: as soon as the lean path meets anything unusual it
stops, and the reference path parses the whole index again and raises the exact error (or,
for an odd but valid index, returns its result). The lean path never accepts an index the
reference path refuses.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from dataclasses import dataclass
from typing import Any

from core.errors import TOCError
from core.formats._entryjson import RawEntry, parse_raw_entry
from core.formats._limits import MAX_CHUNK_SIZE
from core.formats._model import (
    Chunk,
    EntryType,
    FormatKind,
    TOCEntry,
    _check_overlaps,
    _validate_chunks,
    new_chunk,
    new_entry,
    validate_toc,
)
from core.formats._times import parse_rfc3339

__all__ = [
    "ESTARGZ_TOC_NAME",
    "NO_PREFETCH_LANDMARK",
    "PREFETCH_LANDMARK",
    "ParsedIndex",
    "merge_chunks",
    "parse_index",
]

PREFETCH_LANDMARK = ".prefetch.landmark"
NO_PREFETCH_LANDMARK = ".no.prefetch.landmark"
ESTARGZ_TOC_NAME = "stargz.index.json"

_TYPES = {t.value: t for t in EntryType}
_REG = EntryType.REG
_DIR = EntryType.DIR
_CHUNK = EntryType.CHUNK
_HARDLINK = EntryType.HARDLINK
_SYMLINK = EntryType.SYMLINK
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z").match
_GO_ZERO = "0001-01-01T00:00:00Z"
# The fields most entries have; any other field sends the entry through the full checks.
_COMMON_KEYS = frozenset(
    (
        "type",
        "name",
        "linkName",
        "mode",
        "uid",
        "gid",
        "userName",
        "groupName",
        "size",
        "modtime",
        "digest",
        "offset",
        "endOffset",
    )
)


@dataclass(frozen=True, slots=True)
class ParsedIndex:
    """The merged file view, the index's own entries, the ``.prefetch.landmark`` offset and
    the entries by name."""

    entries: list[TOCEntry]
    raw_entries: list[TOCEntry]
    landmark_end: int | None
    by_name: dict[str, TOCEntry]


class _Unusual(Exception):
    """The lean path met something it leaves to the reference path."""


def parse_index(objs: list[Any], kind: FormatKind, *, data_end: int) -> ParsedIndex:
    """Parse, merge and validate an index's ``entries`` (see the module docs)."""
    try:
        return _lean(objs, kind, data_end)
    except (_Unusual, TOCError):
        pass
    raw = [parse_raw_entry(o) for o in objs]
    merged, landmark_end = merge_chunks(raw, kind, data_end=data_end)
    validate_toc(merged, {r.entry.name: r.raw_name for r in raw}, data_end=data_end)
    return ParsedIndex(merged, [r.entry for r in raw], landmark_end, {e.name: e for e in merged})


def _plain(name: str) -> str | None:
    """``name`` normalised when it is a plain relative path (``a/b``, ``./a/b/``, ``a/.x``,
    ``./`` for the root), else ``None`` (leading ``/``, ``//``, ``.``/``..`` components, NUL)."""
    if not name or name[0] == "/" or "//" in name or "\x00" in name:
        return None
    while name[:2] == "./":
        name = name[2:]
    if not name or name == ".":
        return "."
    framed = f"/{name}/"
    if "/./" in framed or "/../" in framed:
        return None
    return name[:-1] if name[-1] == "/" else name


def _time(times: dict[str, int | None], text: Any, entry: str) -> int | None:
    if type(text) is not str:
        raise _Unusual
    try:
        return times[text]
    except KeyError:
        value = times[text] = parse_rfc3339(text, entry=entry)
        return value


def _lean(objs: list[Any], kind: FormatKind, data_end: int) -> ParsedIndex:
    estargz = kind is FormatKind.ESTARGZ
    next_offset: dict[int, int] = {}
    if estargz:
        offsets: set[int] = {data_end}
        for o in objs:
            if type(o) is not dict:
                raise _Unusual
            off = o.get("offset")
            if off:
                if type(off) is not int:
                    raise _Unusual
                offsets.add(off)
        next_offset = dict(itertools.pairwise(sorted(offsets)))
    types = _TYPES
    digest_ok = _DIGEST
    plain = _plain
    times: dict[str, int | None] = {"": None, _GO_ZERO: None}
    merged: list[TOCEntry] = []
    raw_out: list[TOCEntry] = []
    by_name: dict[str, TOCEntry] = {}
    spans: dict[int, tuple[int, str]] = {}
    hardlinks: list[TOCEntry] = []
    landmark_end: int | None = None
    no_xattrs: dict[str, bytes] = {}
    common_keys = _COMMON_KEYS.issuperset
    n = len(objs)
    i = 0
    while i < n:
        obj = objs[i]
        if type(obj) is not dict:
            raise _Unusual
        get = obj.get
        raw_name = get("name")
        etype_text = get("type")
        if type(raw_name) is not str or type(etype_text) is not str:
            raise _Unusual
        etype = types.get(etype_text)
        name = plain(raw_name)
        if etype is None or etype is _CHUNK or name is None:
            raise _Unusual
        mode = get("mode", 0)
        uid = get("uid", 0)
        gid = get("gid", 0)
        size = get("size", 0)
        offset = get("offset", 0)
        end_offset = get("endOffset", 0)
        if (
            type(mode) is not int
            or type(uid) is not int
            or type(gid) is not int
            or type(size) is not int
            or type(offset) is not int
            or type(end_offset) is not int
            or mode < 0
            or uid < 0
            or gid < 0
            or size < 0
            or offset < 0
            or end_offset < 0
        ):
            raise _Unusual
        mtime = _time(times, get("modtime", ""), raw_name)
        link = get("linkName", "")
        uname = get("userName", "")
        gname = get("groupName", "")
        digest = get("digest")
        if type(link) is not str or type(uname) is not str or type(gname) is not str:
            raise _Unusual
        if digest is not None:
            if type(digest) is not str:
                raise _Unusual
            if not digest:
                digest = None
            elif not digest_ok(digest):
                raise _Unusual
        atime = ctime = None
        dev_major = dev_minor = 0
        xattrs = no_xattrs
        explicit = False
        if not common_keys(obj):  # rarer fields present: check them as the reference path does
            atime = _time(times, get("accesstime", ""), raw_name)
            ctime = _time(times, get("changetime", ""), raw_name)
            dev_major = get("devMajor", 0)
            dev_minor = get("devMinor", 0)
            if (
                type(dev_major) is not int
                or type(dev_minor) is not int
                or dev_major < 0
                or dev_minor < 0
            ):
                raise _Unusual
            raw_x = get("xattrs")
            if raw_x:
                xattrs = _xattrs(raw_x)
            explicit = any(
                k in obj
                for k in ("chunkSize", "chunkOffset", "innerOffset", "chunkDigest", "chunkType")
            )
            if explicit:
                parse_raw_entry(obj)  # every chunk field checked (TOCError: reference path)
        if etype is _HARDLINK:
            link = plain(link) or ""
            if not link:
                raise _Unusual
        elif etype is _SYMLINK and not link:
            raise _Unusual
        # Chunk entries that follow this file.
        j = i + 1
        while j < n:
            nxt = objs[j]
            if type(nxt) is not dict or nxt.get("type") != "chunk":
                break
            j += 1
        followers = objs[i + 1 : j] if j > i + 1 else None
        skip = (estargz and name == ESTARGZ_TOC_NAME) or (
            etype is _REG and (name in (PREFETCH_LANDMARK, NO_PREFETCH_LANDMARK))
        )
        chunks: tuple[Chunk, ...] = ()
        if followers is not None and (skip or etype is not _REG or size == 0):
            raise _Unusual
        if skip:
            if name == PREFETCH_LANDMARK:
                landmark_end = offset
        elif etype is _REG and size > 0:
            if not offset:
                raise _Unusual
            if followers is None and not explicit:
                end = next_offset.get(offset, data_end) if estargz else end_offset
                if not 0 < offset < end <= data_end or size > MAX_CHUNK_SIZE:
                    raise _Unusual
                prev = spans.get(offset)
                if prev is not None and prev[0] != end:
                    raise _Unusual
                spans[offset] = (end, name)
                chunks = (new_chunk(0, size, offset, end, digest, False, 0),)
            else:
                chunks = _explicit_chunks(obj, followers, name, kind, next_offset, data_end)
                probe = TOCEntry(_REG, name, size=size, chunks=chunks)
                _validate_chunks(probe, data_end, spans)  # TOCError: reference path
        entry = new_entry(
            etype,
            name,
            link,
            mode,
            uid,
            gid,
            uname,
            gname,
            size,
            mtime,
            atime,
            ctime,
            dev_major,
            dev_minor,
            xattrs if xattrs is not no_xattrs else {},
            digest,
            chunks,
        )
        raw_out.append(entry)
        if followers is not None:
            raw_out.extend(parse_raw_entry(c).entry for c in followers)
        i = j
        if skip:
            continue
        if name in by_name:
            raise _Unusual
        by_name[name] = entry
        merged.append(entry)
        if etype is _HARDLINK:
            hardlinks.append(entry)
    _check_overlaps(spans)  # TOCError: reference path
    for e in hardlinks:
        target = e
        hops = 0
        while target.type is _HARDLINK:
            found = by_name.get(target.link_name)
            if found is None:
                raise _Unusual
            target = found
            hops += 1
            if hops > len(by_name):
                raise _Unusual
        if target.type is _DIR:
            raise _Unusual
    return ParsedIndex(merged, raw_out, landmark_end, by_name)


def _xattrs(raw: Any) -> dict[str, bytes]:
    if type(raw) is not dict:
        raise _Unusual
    out: dict[str, bytes] = {}
    for k, v in raw.items():
        if type(v) is not str:
            raise _Unusual
        try:
            out[k] = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise _Unusual from None
    return out


def _explicit_chunks(
    head: dict[str, Any],
    followers: list[Any] | None,
    name: str,
    kind: FormatKind,
    next_offset: dict[int, int],
    data_end: int,
) -> tuple[Chunk, ...]:
    """A file with chunk fields or chunk entries (large files): the reference rules."""
    group = [parse_raw_entry(head)]
    for obj in followers or ():
        raw = parse_raw_entry(obj)
        if raw.entry.type is not _CHUNK or raw.entry.name != name:
            raise _Unusual
        group.append(raw)
    return tuple(_chunks(group, kind, next_offset, data_end))


def merge_chunks(
    raw: list[RawEntry], kind: FormatKind, *, data_end: int
) -> tuple[list[TOCEntry], int | None]:
    """Gather ``chunk`` entries into their file; drop landmarks and the TOC entry (the
    reference path).

    Returns the merged entries and the prefetch end given by a ``.prefetch.landmark``.
    zstd:chunked: a chunk ends where the next chunk of the file starts, the last at the
    file's ``endOffset``. eStargz: a chunk ends at the next larger ``offset`` in the index,
    or at the TOC.
    """
    next_offset: dict[int, int] = {}
    if kind is FormatKind.ESTARGZ:
        offsets = sorted({r.offset for r in raw if r.offset} | {data_end})
        next_offset = dict(itertools.pairwise(offsets))
    merged: list[TOCEntry] = []
    landmark_end: int | None = None
    i = 0
    n = len(raw)
    while i < n:
        r = raw[i]
        e = r.entry
        if e.type is EntryType.CHUNK:
            raise TOCError(f"chunk entry {r.raw_name!r} does not follow its file", entry=e.name)
        group = [r]
        j = i + 1
        while j < n and raw[j].entry.type is EntryType.CHUNK:
            if raw[j].entry.name != e.name:
                raise TOCError(
                    f"chunk entry {raw[j].raw_name!r} follows a different file {r.raw_name!r}",
                    entry=raw[j].entry.name,
                )
            group.append(raw[j])
            j += 1
        if e.type is not EntryType.REG and len(group) > 1:
            raise TOCError(f"non-regular entry {r.raw_name!r} has chunks", entry=e.name)
        i = j
        if e.name == ESTARGZ_TOC_NAME and kind is FormatKind.ESTARGZ:
            continue
        if e.name in (PREFETCH_LANDMARK, NO_PREFETCH_LANDMARK) and e.type is EntryType.REG:
            if e.name == PREFETCH_LANDMARK:
                landmark_end = r.offset
            continue
        if e.type is EntryType.REG and e.size > 0:
            chunks = _chunks(group, kind, next_offset, data_end)
            e = TOCEntry(
                type=e.type,
                name=e.name,
                link_name=e.link_name,
                mode=e.mode,
                uid=e.uid,
                gid=e.gid,
                uname=e.uname,
                gname=e.gname,
                size=e.size,
                mtime_ns=e.mtime_ns,
                atime_ns=e.atime_ns,
                ctime_ns=e.ctime_ns,
                dev_major=e.dev_major,
                dev_minor=e.dev_minor,
                xattrs=e.xattrs,
                digest=e.digest,
                chunks=tuple(chunks),
            )
        merged.append(e)
    return merged, landmark_end


def _chunks(
    group: list[RawEntry], kind: FormatKind, next_offset: dict[int, int], data_end: int
) -> list[Chunk]:
    e = group[0].entry
    out: list[Chunk] = []
    for k, r in enumerate(group):
        if not r.offset:
            raise TOCError(f"file {r.raw_name!r} has content but no offset", entry=e.name)
        start = r.chunk_offset if k else 0
        if k and kind is FormatKind.ZSTD_CHUNKED and not r.chunk_size:
            raise TOCError(f"chunk of {r.raw_name!r} has no chunkSize", entry=e.name)
        if kind is FormatKind.ZSTD_CHUNKED:
            end = group[k + 1].offset if k + 1 < len(group) else group[0].end_offset
            if not end:
                raise TOCError(f"file {r.raw_name!r} has no endOffset", entry=e.name)
        else:
            end = next_offset.get(r.offset, data_end)
        size = r.chunk_size or (e.size - start)
        digest = r.chunk_digest
        if digest is None and len(group) == 1:
            digest = e.digest
        out.append(
            Chunk(
                offset=start,
                size=size,
                compressed_offset=r.offset,
                compressed_end=end,
                digest=digest,
                zeros=r.zeros,
                inner_offset=r.inner_offset,
            )
        )
    return out
