"""A streaming tar reader that keeps every raw byte, and small tar helpers.

``TarStreamReader`` parses ustar, GNU and PAX headers (long names, PAX times with exact
fractions, ``SCHILY.xattr.*``) from any ``read(n)`` callable, and hands back each header's raw
bytes untouched, so a writer can re-emit the archive byte for byte. It never seeks and never
holds more than one header in memory.
"""

from __future__ import annotations

import dataclasses
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterator

from core.errors import TarFormatError
from core.formats._model import EntryType
from core.formats._times import parse_pax_time

__all__ = [
    "BLOCK",
    "MAX_SPECIAL_SIZE",
    "TarMember",
    "TarStreamReader",
    "build_simple_header",
    "parse_simple_header",
]

#: what a ``read`` callable may return: bytes, or a view of a larger buffer (no copy)
Buffer = bytes | memoryview
BLOCK = 512
_ZERO_BLOCK = bytes(BLOCK)
#: the ustar header's fields: name, mode, uid, gid, size, mtime, chksum, typeflag, linkname,
#: magic, version, uname, gname, devmajor, devminor, prefix
_HEADER = struct.Struct("100s8s8s8s12s12s8sc100s6s2s32s32s8s8s155s")
#: Largest PAX or GNU long-name record accepted (Go's ``archive/tar`` uses the same 1 MiB).
MAX_SPECIAL_SIZE = 1 << 20
_NS = 1_000_000_000

_SPECIAL = (b"x", b"g", b"L", b"K")  # PAX and GNU records that precede a header
_DEVICES = (EntryType.CHAR, EntryType.BLOCK)
_TYPES: dict[bytes, EntryType] = {
    b"0": EntryType.REG,
    b"\x00": EntryType.REG,
    b"7": EntryType.REG,
    b"1": EntryType.HARDLINK,
    b"2": EntryType.SYMLINK,
    b"3": EntryType.CHAR,
    b"4": EntryType.BLOCK,
    b"5": EntryType.DIR,
    b"6": EntryType.FIFO,
}


@dataclasses.dataclass(slots=True)
class TarMember:
    """One archive entry. ``raw`` holds all its header blocks (PAX and GNU records included).

    ``name`` is as the archive spells it (after PAX/GNU overrides); times are nanoseconds.
    ``padding`` is how many zero bytes follow the payload to the next 512-byte boundary.
    """

    raw: bytes
    name: str
    type: EntryType
    typeflag: bytes
    link_name: str
    mode: int
    uid: int
    gid: int
    uname: str
    gname: str
    size: int
    mtime_ns: int
    atime_ns: int | None
    ctime_ns: int | None
    dev_major: int
    dev_minor: int
    xattrs: dict[str, bytes]
    pax: dict[str, str]
    offset: int = 0  # offset of ``raw`` in the uncompressed stream

    @property
    def padding(self) -> int:
        return -self.size % BLOCK


def _nts(b: bytes) -> bytes:
    i = b.find(b"\x00")
    return b if i < 0 else b[:i]


def _num(field: bytes, what: str, name: str) -> int:
    if field and field[0] & 0x80:  # GNU base-256
        value = int.from_bytes(field[1:], "big")
        if field[0] & 0x40:
            value -= 1 << (8 * len(field) - 2)
        return value
    s = field.split(b"\x00", 1)[0]
    try:
        return int(s, 8)  # int() ignores the spaces around the digits
    except ValueError:
        if not s.strip(b" "):
            return 0
        raise TarFormatError(f"tar header field {what} is not a number", entry=name) from None


def _decode(b: bytes, name: str = "") -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise TarFormatError(
            f"tar entry name {b!r} is not UTF-8", entry=name or b.decode("utf-8", "replace")
        ) from None


def _parse_pax(data: bytes, name: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:  # trailing NUL padding some writers leave
            break
        sp = data.find(b" ", pos)
        if sp < 0:
            raise TarFormatError("malformed PAX record", entry=name)
        try:
            length = int(data[pos:sp])
        except ValueError:
            raise TarFormatError("malformed PAX record length", entry=name) from None
        end = pos + length
        if length <= sp - pos + 1 or end > len(data) or data[end - 1] != 0x0A:
            raise TarFormatError("malformed PAX record", entry=name)
        key, eq, value = data[sp + 1 : end - 1].partition(b"=")
        if not eq:
            raise TarFormatError("malformed PAX record (no '=')", entry=name)
        k = key.decode("utf-8", "replace")
        out[k] = value
        pos = end
    return out


class TarStreamReader:
    """Read a tar stream entry by entry from ``read``; see the module docstring.

    Call :meth:`next` for each member, then consume its payload with :meth:`read_payload`
    (or let :meth:`next` skip it); :meth:`next` returns ``None`` at the end-of-archive
    marker, after which :meth:`iter_trailing` yields the marker and any bytes after it.
    """

    def __init__(
        self, read: Callable[[int], Buffer], *, max_special_size: int = MAX_SPECIAL_SIZE
    ) -> None:
        self._read = read
        self._max_special = max_special_size
        self.position = 0  # bytes consumed from the stream
        self._remaining = 0  # payload bytes of the current member not yet read
        self._padding = 0
        self._current = ""
        self._pending_eoa = b""
        self._done = False

    def _read_exact(self, n: int, what: str) -> bytes:
        parts: list[Buffer] = []
        left = n
        while left:
            b = self._read(left)
            if not b:
                raise TarFormatError(f"tar stream truncated in {what}", entry=self._current)
            parts.append(b)
            left -= len(b)
        data = bytes(parts[0]) if len(parts) == 1 else b"".join(parts)
        self.position += n
        return data

    def read_payload(self, n: int) -> Buffer:
        """Up to ``n`` bytes of the current member's payload (``b""`` when all read).

        The bytes are what ``read`` returned: a ``read`` that returns views of its buffers
        (the converter's) gets views here too, never copies.
        """
        n = min(n, self._remaining)
        if n <= 0:
            return b""
        data = self._read(n)
        if not data:
            raise TarFormatError("tar stream truncated in file content", entry=self._current)
        self._remaining -= len(data)
        self.position += len(data)
        return data

    def read_padding(self) -> bytes:
        """The zero padding after the current payload (its payload must be fully read)."""
        if self._remaining:
            raise RuntimeError("payload not consumed")
        pad = self._read_exact(self._padding, "padding") if self._padding else b""
        self._padding = 0
        return pad

    def _skip_rest(self) -> bytes:
        while self._remaining:
            self.read_payload(min(self._remaining, 1 << 20))
        return self.read_padding()

    def next(self) -> tuple[bytes, TarMember | None]:
        """Skip what is left of the current member and parse the next header.

        Returns ``(skipped_padding, member)``; ``member`` is ``None`` at end of archive.
        """
        pad = self._skip_rest()
        if self._done:
            return pad, None
        start = self.position
        raw_parts: list[bytes] = []
        pax: dict[str, bytes] = {}
        long_name: bytes | None = None
        long_link: bytes | None = None
        while True:
            block = self._read_block()
            if block == _ZERO_BLOCK:
                if raw_parts:
                    raise TarFormatError("tar stream ends inside a header", entry=self._current)
                self._pending_eoa = block
                self._done = True
                return pad, None
            raw_parts.append(block)
            self._check_sum(block)
            flag = block[156:157]
            if flag in _SPECIAL:
                name0 = _nts(block[0:100]).decode("utf-8", "replace")
                size = _num(block[124:136], "size", name0)
                if size > self._max_special or size < 0:
                    raise TarFormatError(
                        f"tar {('PAX' if flag in b'xg' else 'GNU long name')} header of "
                        f"{size} bytes exceeds the limit of {self._max_special}",
                        entry=self._current or name0,
                    )
                padded = size + (-size % BLOCK)
                body = self._read_exact(padded, "extended header")
                raw_parts.append(body)
                if flag == b"g":
                    raise TarFormatError(
                        "tar stream has a global PAX header, which is not supported",
                        entry="pax_global_header",
                    )
                if flag == b"x":
                    pax.update(_parse_pax(body[:size], self._current or name0))
                elif flag == b"L":
                    long_name = _nts(body[:size])
                else:
                    long_link = _nts(body[:size])
                continue
            raw = block if len(raw_parts) == 1 else b"".join(raw_parts)
            member = self._member(block, raw, pax, long_name, long_link)
            member.offset = start
            return pad, member

    def _read_block(self) -> bytes:
        block = self._read(BLOCK)
        if len(block) == BLOCK:
            self.position += BLOCK
            return block if type(block) is bytes else bytes(block)
        if len(block) < BLOCK:
            if not block:
                raise TarFormatError(
                    "tar stream ends without an end-of-archive marker", entry=self._current
                )
            parts = [block]
            got = len(block)
            while got < BLOCK:
                b = self._read(BLOCK - got)
                if not b:
                    raise TarFormatError("tar stream truncated in a header", entry=self._current)
                parts.append(b)
                got += len(b)
            block = b"".join(parts)
        self.position += BLOCK
        return bytes(block)

    def _check_sum(self, block: bytes) -> None:
        try:
            stored = _num(block[148:156], "chksum", "")
        except TarFormatError:
            stored = -1  # not a number: not a header at all, like a wrong sum
        # the sum of the bytes, the sum field counting as eight spaces: Adler-32's first
        # half is 1 + the sum of its bytes, exact for 256 bytes (at most 65,280 < 65,521)
        unsigned = (
            (zlib.adler32(block[:256]) & 0xFFFF)
            + (zlib.adler32(block[256:]) & 0xFFFF)
            - 2
            - sum(block[148:156])
            + 256
        )
        if stored == unsigned:
            return
        signed = sum(b - 256 if b > 127 else b for b in block[:148] + block[156:]) + 256
        if stored != signed:
            # The block is not a header, so its "name" is noise: say where it was instead.
            after = f" after entry {self._current!r}" if self._current else ""
            raise TarFormatError(f"tar header checksum mismatch{after} (not a tar stream?)")

    def _member(
        self,
        block: bytes,
        raw: bytes,
        pax: dict[str, bytes],
        long_name: bytes | None,
        long_link: bytes | None,
    ) -> TarMember:
        (
            name_f,
            mode_f,
            uid_f,
            gid_f,
            size_f,
            mtime_f,
            _sum,
            flag,
            link_f,
            magic,
            version,
            uname_f,
            gname_f,
            major_f,
            minor_f,
            prefix_f,
        ) = _HEADER.unpack_from(block)
        if long_name is not None:
            name_b = long_name
        else:
            name_b = name_f.split(b"\x00", 1)[0]
            if magic == b"ustar\x00":
                prefix = prefix_f.split(b"\x00", 1)[0]
                if prefix:
                    name_b = prefix + b"/" + name_b
        if pax and "path" in pax:
            name_b = pax["path"]
        name = _decode(name_b)
        self._current = name
        link_b = long_link if long_link is not None else link_f.split(b"\x00", 1)[0]
        if pax and "linkpath" in pax:
            link_b = pax["linkpath"]
        link = _decode(link_b, name) if link_b else ""
        etype = _TYPES.get(flag)
        if etype is None:
            raise TarFormatError(
                f"tar entry type {flag!r} is not supported (sparse, volume or unknown)",
                entry=name,
            )
        if flag == b"\x00" and name.endswith("/"):
            etype = EntryType.DIR
        size = _num(size_f, "size", name)
        uid = _num(uid_f, "uid", name)
        gid = _num(gid_f, "gid", name)
        mtime_ns = _num(mtime_f, "mtime", name) * _NS
        atime_ns: int | None = None
        ctime_ns: int | None = None
        if magic == b"ustar " and version == b" \x00":  # GNU: atime/ctime fields
            a = _num(block[345:357], "atime", name)
            c = _num(block[357:369], "ctime", name)
            atime_ns = a * _NS if a else None
            ctime_ns = c * _NS if c else None
        uname_b = uname_f.split(b"\x00", 1)[0]
        uname = _decode(uname_b, name) if uname_b else ""
        gname_b = gname_f.split(b"\x00", 1)[0]
        gname = _decode(gname_b, name) if gname_b else ""
        xattrs: dict[str, bytes] = {}
        str_pax: dict[str, str] = {}
        if pax:
            if any(k.startswith("GNU.sparse") for k in pax):
                raise TarFormatError("sparse tar entries are not supported", entry=name)
            try:
                for k, v in pax.items():
                    if k.startswith("SCHILY.xattr."):
                        xattrs[k[len("SCHILY.xattr.") :]] = v
                        continue
                    sv = v.decode("utf-8", "surrogateescape")
                    str_pax[k] = sv
                    if k == "size":
                        size = int(sv)
                    elif k == "uid":
                        uid = int(sv)
                    elif k == "gid":
                        gid = int(sv)
                    elif k == "uname":
                        uname = sv
                    elif k == "gname":
                        gname = sv
                    elif k == "mtime":
                        mtime_ns = parse_pax_time(sv)
                    elif k == "atime":
                        atime_ns = parse_pax_time(sv)
                    elif k == "ctime":
                        ctime_ns = parse_pax_time(sv)
            except ValueError:
                raise TarFormatError("malformed numeric PAX record", entry=name) from None
        if size < 0 or uid < 0 or gid < 0:
            raise TarFormatError("negative size or id in tar header", entry=name)
        device = etype in _DEVICES
        member = TarMember(
            raw,
            name,
            etype,
            flag,
            link,
            _num(mode_f, "mode", name),
            uid,
            gid,
            uname,
            gname,
            size,
            mtime_ns,
            atime_ns,
            ctime_ns,
            _num(major_f, "devmajor", name) if device else 0,
            _num(minor_f, "devminor", name) if device else 0,
            xattrs,
            str_pax,
        )
        self._remaining = size
        self._padding = -size % BLOCK
        return member

    def iter_trailing(self, piece: int = 1 << 20) -> Iterator[Buffer]:
        """After the last member: the end-of-archive marker and every byte after it."""
        if not self._done:
            raise RuntimeError("archive not finished")
        if self._pending_eoa:
            yield self._pending_eoa
            self._pending_eoa = b""
        while True:
            b = self._read(piece)
            if not b:
                return
            self.position += len(b)
            yield b


def build_simple_header(name: str, size: int, *, mode: int = 0o644, mtime: int = 0) -> bytes:
    """A ustar header for a small regular file (landmarks, the eStargz TOC entry)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = mode
    info.mtime = mtime
    info.type = tarfile.REGTYPE
    info.uname = ""
    info.gname = ""
    return info.tobuf(tarfile.USTAR_FORMAT, "utf-8", "strict")


def parse_simple_header(raw: bytes) -> tuple[str, int, int]:
    """``(name, size, header_length)`` of the first member of an in-memory tar."""
    view = memoryview(raw)
    pos = 0

    def read(n: int) -> bytes:
        nonlocal pos
        out = bytes(view[pos : pos + n])
        pos += len(out)
        return out

    reader = TarStreamReader(read)
    _, member = reader.next()
    if member is None:
        raise TarFormatError("empty tar")
    return member.name, member.size, len(member.raw)
