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
import json
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

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


def _digest_ok(digest: str) -> bool:
    """Whether ``digest`` is ``sha256:`` and 64 lowercase hex digits, nothing else (what
    ``re.fullmatch("sha256:[0-9a-f]{64}", …)`` accepts, about three times faster an entry:
    ``bytes.fromhex`` checks the digits in C)."""
    if len(digest) != 71 or digest[:7] != "sha256:":
        return False
    hexdigits = digest[7:]
    try:
        return len(bytes.fromhex(hexdigits)) == 32 and hexdigits.lower() == hexdigits
    except ValueError:
        return False


_GO_ZERO = "0001-01-01T00:00:00Z"
_UNSET = msgspec.UNSET
_Count = Annotated[int, msgspec.Meta(ge=0)]


class JsonEntry(msgspec.Struct, gc=False, omit_defaults=True):
    """One index entry as decoded from JSON by msgspec (in C, types checked there).

    The fields most entries have are typed: a value of another type (``"mode": true``,
    ``"size": -1``, ``"name": null`` …) fails the typed decode, and the whole index then takes
    the reference path. The rarer fields stay untyped and *unset* when absent, so the lean
    path sees exactly which ones an entry carries (and sends such entries through the full
    checks); :func:`msgspec.to_builtins` gives the reference path back the entry as written
    (less unknown keys, which it ignores, and common fields at their defaults, which it reads
    as absent).
    """

    type: str
    name: str
    linkName: str = ""
    mode: _Count = 0
    uid: _Count = 0
    gid: _Count = 0
    userName: str = ""
    groupName: str = ""
    size: _Count = 0
    modtime: str = ""
    digest: str | None = None
    offset: _Count = 0
    endOffset: _Count = 0
    accesstime: Any = _UNSET
    changetime: Any = _UNSET
    devMajor: Any = _UNSET
    devMinor: Any = _UNSET
    xattrs: Any = _UNSET
    chunkSize: Any = _UNSET
    chunkOffset: Any = _UNSET
    innerOffset: Any = _UNSET
    chunkDigest: Any = _UNSET
    chunkType: Any = _UNSET

    @property
    def rare(self) -> bool:
        """Whether any of the rarer fields is present."""
        unset = _UNSET
        return not (
            self.accesstime is unset
            and self.changetime is unset
            and self.devMajor is unset
            and self.devMinor is unset
            and self.xattrs is unset
            and self.chunkSize is unset
            and self.chunkOffset is unset
            and self.innerOffset is unset
            and self.chunkDigest is unset
            and self.chunkType is unset
        )

    @property
    def explicit_chunks(self) -> bool:
        """Whether the entry carries any chunk field (``chunkSize`` …), even a null one."""
        unset = _UNSET
        return not (
            self.chunkSize is unset
            and self.chunkOffset is unset
            and self.innerOffset is unset
            and self.chunkDigest is unset
            and self.chunkType is unset
        )


class JsonDocument(msgspec.Struct, gc=False):
    """A TOC document (both formats); other top-level keys are ignored."""

    version: Any = None
    entries: list[JsonEntry] | None = None
    tarSplitDigest: Any = None


_DOCUMENT = msgspec.json.Decoder(JsonDocument)


def decode_document(data: bytes) -> JsonDocument | Any:
    """A TOC's JSON: a :class:`JsonDocument` when every entry has the expected field types
    (msgspec decodes 12 MB of index in about 35 ms, the standard library in 200-400 ms),
    else what :func:`json.loads` makes of it (the caller checks its shape and the reference
    path reports what is wrong). Raises :class:`~core.errors.TOCError` for invalid JSON."""
    try:
        return _DOCUMENT.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise TOCError(f"TOC is not valid JSON: {exc}") from exc


def _as_dict(obj: Any) -> Any:
    return msgspec.to_builtins(obj) if isinstance(obj, JsonEntry) else obj


def _typed(objs: list[Any]) -> list[JsonEntry]:
    """``objs`` as :class:`JsonEntry` objects (decoded dicts are converted); raises
    :class:`_Unusual` when an entry does not fit the types."""
    if all(type(o) is JsonEntry for o in objs):
        return objs
    try:
        return msgspec.convert([_as_dict(o) for o in objs], list[JsonEntry])
    except (msgspec.ValidationError, TypeError):
        raise _Unusual from None


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
    """Parse, merge and validate an index's ``entries`` — :class:`JsonEntry` objects or
    decoded JSON objects — (see the module docs)."""
    try:
        return _lean(objs, kind, data_end)
    except (_Unusual, TOCError):
        pass
    raw = [parse_raw_entry(_as_dict(o)) for o in objs]
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
    entries = _typed(objs)
    estargz = kind is FormatKind.ESTARGZ
    next_offset: dict[int, int] = {}
    if estargz:
        offsets = {e.offset for e in entries if e.offset}
        offsets.add(data_end)
        next_offset = dict(itertools.pairwise(sorted(offsets)))
    types = _TYPES
    digest_ok = _digest_ok
    plain = _plain
    times: dict[str, int | None] = {"": None, _GO_ZERO: None}
    merged: list[TOCEntry] = []
    raw_out: list[TOCEntry] = []
    by_name: dict[str, TOCEntry] = {}
    spans: dict[int, tuple[int, str]] = {}
    hardlinks: list[TOCEntry] = []
    landmark_end: int | None = None
    no_xattrs: dict[str, bytes] = {}
    reg_t, chunk_t, hardlink_t, symlink_t = _REG, _CHUNK, _HARDLINK, _SYMLINK
    max_chunk = MAX_CHUNK_SIZE
    chunk_type = "chunk"
    n = len(entries)
    i = 0
    while i < n:
        obj = entries[i]
        raw_name = obj.name
        etype = types.get(obj.type)
        name = plain(raw_name)
        if etype is None or etype is chunk_t or name is None:
            raise _Unusual
        size = obj.size
        offset = obj.offset
        modtime = obj.modtime
        try:
            mtime = times[modtime]
        except KeyError:
            mtime = times[modtime] = parse_rfc3339(modtime, entry=raw_name)
        link = obj.linkName
        digest = obj.digest
        if digest is not None:
            if not digest:
                digest = None
            elif not digest_ok(digest):
                raise _Unusual
        atime = ctime = None
        dev_major = dev_minor = 0
        xattrs = no_xattrs
        explicit = False
        if obj.rare:  # rarer fields present: check them as the reference path does
            atime = _time(times, "" if obj.accesstime is _UNSET else obj.accesstime, raw_name)
            ctime = _time(times, "" if obj.changetime is _UNSET else obj.changetime, raw_name)
            dev_major = 0 if obj.devMajor is _UNSET else obj.devMajor
            dev_minor = 0 if obj.devMinor is _UNSET else obj.devMinor
            if (
                type(dev_major) is not int
                or type(dev_minor) is not int
                or dev_major < 0
                or dev_minor < 0
            ):
                raise _Unusual
            raw_x = obj.xattrs
            if raw_x is not _UNSET and raw_x:
                xattrs = _xattrs(raw_x)
            explicit = obj.explicit_chunks
            if explicit:
                parse_raw_entry(_as_dict(obj))  # every chunk field checked (TOCError: reference)
        if etype is hardlink_t:
            link = plain(link) or ""
            if not link:
                raise _Unusual
        elif etype is symlink_t and not link:
            raise _Unusual
        # Chunk entries that follow this file.
        j = i + 1
        while j < n and entries[j].type == chunk_type:
            j += 1
        followers = entries[i + 1 : j] if j > i + 1 else None
        skip = (estargz and name == ESTARGZ_TOC_NAME) or (
            etype is reg_t and (name in (PREFETCH_LANDMARK, NO_PREFETCH_LANDMARK))
        )
        chunks: tuple[Chunk, ...] = ()
        if followers is not None and (skip or etype is not reg_t or size == 0):
            raise _Unusual
        if skip:
            if name == PREFETCH_LANDMARK:
                landmark_end = offset
        elif etype is reg_t and size > 0:
            if not offset:
                raise _Unusual
            if followers is None and not explicit:
                end = next_offset.get(offset, data_end) if estargz else obj.endOffset
                if not 0 < offset < end <= data_end or size > max_chunk:
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
            obj.mode,
            obj.uid,
            obj.gid,
            obj.userName,
            obj.groupName,
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
            raw_out.extend(parse_raw_entry(_as_dict(c)).entry for c in followers)
        i = j
        if skip:
            continue
        if name in by_name:
            raise _Unusual
        by_name[name] = entry
        merged.append(entry)
        if etype is hardlink_t:
            hardlinks.append(entry)
    _check_overlaps(spans)  # TOCError: reference path
    for e in hardlinks:
        target = e
        hops = 0
        while target.type is hardlink_t:
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
    head: JsonEntry,
    followers: list[Any] | None,
    name: str,
    kind: FormatKind,
    next_offset: dict[int, int],
    data_end: int,
) -> tuple[Chunk, ...]:
    """A file with chunk fields or chunk entries (large files): the reference rules."""
    group = [parse_raw_entry(_as_dict(head))]
    for obj in followers or ():
        raw = parse_raw_entry(_as_dict(obj))
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
