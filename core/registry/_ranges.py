"""HTTP byte ranges: ``Range`` headers, ``Content-Range`` and ``multipart/byteranges``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import RangeNotSupported

__all__ = [
    "ContentRange",
    "Part",
    "multipart_boundary",
    "parse_content_range",
    "parse_multipart_byteranges",
    "range_header",
]

_CR_RE = re.compile(r"\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ContentRange:
    """``bytes first-last/total``: ``first``/``last`` inclusive; ``None`` when ``*``."""

    first: int | None
    last: int | None
    total: int | None

    @property
    def length(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a ``multipart/byteranges`` body."""

    first: int
    last: int
    data: bytes


def range_header(ranges: Sequence[tuple[int, int]]) -> str:
    """``bytes=a-b,c-d`` for ``(offset, length)`` pairs (lengths must be positive)."""
    specs = []
    for offset, length in ranges:
        if offset < 0 or length <= 0:
            raise ValueError(f"invalid range offset={offset} length={length}")
        specs.append(f"{offset}-{offset + length - 1}")
    return "bytes=" + ",".join(specs)


def parse_content_range(value: str | None) -> ContentRange:
    """Parse a ``Content-Range`` header; :class:`RangeNotSupported` if it is malformed."""
    m = _CR_RE.fullmatch(value or "")
    if not m:
        raise RangeNotSupported(
            f"malformed Content-Range {str(value)[:100]!r}", code="BAD_CONTENT_RANGE"
        )
    first = int(m.group(1)) if m.group(1) is not None else None
    last = int(m.group(2)) if m.group(2) is not None else None
    total = int(m.group(3)) if m.group(3) != "*" else None
    if (
        first is not None
        and last is not None
        and (last < first or (total is not None and last >= total))
    ):
        raise RangeNotSupported(f"inconsistent Content-Range {value!r}", code="BAD_CONTENT_RANGE")
    return ContentRange(first, last, total)


def multipart_boundary(content_type: str) -> str | None:
    """The boundary of a ``multipart/byteranges`` content type, or None for other types.

    Tolerates unquoted boundaries that contain characters RFC 2046 would require quoting
    (some CDNs send ``boundary=a:b``).
    """
    mime, _, params = content_type.partition(";")
    if mime.strip().lower() != "multipart/byteranges":
        return None
    for param in params.split(";"):
        key, eq, val = param.strip().partition("=")
        if eq and key.strip().lower() == "boundary":
            val = val.strip()
            if len(val) >= 2 and val[0] == '"' and val[-1] == '"':
                val = val[1:-1]
            return val or None
    raise RangeNotSupported("multipart/byteranges without a boundary", code="BAD_MULTIPART")


def parse_multipart_byteranges(body: bytes, boundary: str) -> list[Part]:
    """Parse a ``multipart/byteranges`` body, taking each part's length from its
    ``Content-Range`` (so a boundary string inside the data cannot confuse it)."""
    delim = b"--" + boundary.encode("latin-1")
    parts: list[Part] = []
    pos = body.find(delim)
    if pos < 0:
        raise RangeNotSupported("multipart body without its boundary", code="BAD_MULTIPART")
    while True:
        pos += len(delim)
        if body.startswith(b"--", pos):
            return parts  # closing delimiter
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            break
        head_end = body.find(b"\r\n\r\n", eol)
        if head_end < 0:
            break
        content_range: str | None = None
        for line in body[eol + 2 : head_end].split(b"\r\n"):
            name, _, val = line.partition(b":")
            if name.strip().lower() == b"content-range":
                content_range = val.strip().decode("latin-1")
        cr = parse_content_range(content_range)
        if cr.first is None or cr.last is None:
            raise RangeNotSupported("multipart part without a byte range", code="BAD_MULTIPART")
        start = head_end + 4
        end = start + cr.length
        if end > len(body):
            raise RangeNotSupported("truncated multipart/byteranges body", code="BAD_MULTIPART")
        parts.append(Part(cr.first, cr.last, body[start:end]))
        nxt = body.find(delim, end)
        if nxt < 0 or body[end:nxt].strip(b"\r\n") != b"":
            break
        pos = nxt
    raise RangeNotSupported("malformed multipart/byteranges body", code="BAD_MULTIPART")
