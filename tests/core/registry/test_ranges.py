from __future__ import annotations

import pytest

from core.errors import RangeNotSupported
from core.registry import parse_content_range, parse_multipart_byteranges
from core.registry._ranges import multipart_boundary, range_header


def test_range_header() -> None:
    assert range_header([(0, 10), (100, 1)]) == "bytes=0-9,100-100"
    with pytest.raises(ValueError, match="invalid range"):
        range_header([(0, 0)])


@pytest.mark.parametrize(
    ("value", "first", "last", "total"),
    [
        ("bytes 0-9/100", 0, 9, 100),
        ("bytes 5-5/*", 5, 5, None),
        ("bytes */42", None, None, 42),
        ("BYTES 1-2/3", 1, 2, 3),
    ],
)
def test_parse_content_range(
    value: str, first: int | None, last: int | None, total: int | None
) -> None:
    cr = parse_content_range(value)
    assert (cr.first, cr.last, cr.total) == (first, last, total)


@pytest.mark.parametrize(
    "value", [None, "", "bytes 9-0/100", "bytes 0-100/100", "items 0-1/2", "bytes x-y/z"]
)
def test_bad_content_range(value: str | None) -> None:
    with pytest.raises(RangeNotSupported):
        parse_content_range(value)


def test_boundaries() -> None:
    assert multipart_boundary("multipart/byteranges; boundary=abc") == "abc"
    assert multipart_boundary('multipart/byteranges; boundary="a b"') == "a b"
    assert multipart_boundary("multipart/byteranges;boundary=a:b:c") == "a:b:c"
    assert multipart_boundary("application/octet-stream") is None
    with pytest.raises(RangeNotSupported):
        multipart_boundary("multipart/byteranges")


def test_multipart_parts_use_content_range_lengths() -> None:
    # the data of a part contains the boundary string itself
    data = b"--B\r\n trick"
    body = (
        b"--B\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 10-20/100\r\n\r\n"
        + data
        + b"\r\n--B\r\nContent-Range: bytes 50-51/100\r\n\r\nok\r\n--B--\r\n"
    )
    parts = parse_multipart_byteranges(body, "B")
    assert [(p.first, p.last, p.data) for p in parts] == [(10, 20, data), (50, 51, b"ok")]


@pytest.mark.parametrize(
    "body",
    [
        b"no boundary here",
        b"--B\r\nContent-Range: bytes 0-99/100\r\n\r\nshort\r\n--B--",
        b"--B\r\nContent-Type: x\r\n\r\ndata\r\n--B--",
        b"--B\r\nContent-Range: bytes 0-1/9\r\n\r\nab garbage",
    ],
)
def test_malformed_multipart(body: bytes) -> None:
    with pytest.raises(RangeNotSupported):
        parse_multipart_byteranges(body, "B")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=2000),
    cuts=st.lists(st.tuples(st.integers(0, 1999), st.integers(1, 300)), min_size=1, max_size=8),
    boundary=st.sampled_from(["B", "a:b=c", "3d6b6a416f9b5", "--x--"]),
)
def test_multipart_round_trip(data: bytes, cuts: list[tuple[int, int]], boundary: str) -> None:
    ranges = [(o % len(data), min(n, len(data) - o % len(data))) for o, n in cuts]
    body = b""
    for off, length in ranges:
        body += (
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Range: bytes {off}-{off + length - 1}/{len(data)}\r\n\r\n"
        ).encode() + data[off : off + length]
    body += f"\r\n--{boundary}--\r\n".encode()
    parts = parse_multipart_byteranges(body, boundary)
    assert [(p.first, p.data) for p in parts] == [(o, data[o : o + n]) for o, n in ranges]
