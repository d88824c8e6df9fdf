"""The link shaper: spec parsing, per-request RTT, shared bandwidth."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from core.coldstart._link import LinkSpec, ShapedTransport, TokenBucket
from core.errors import InvalidInput


def test_parse_specs() -> None:
    link = LinkSpec.parse("100mbit,20ms")
    assert link.bandwidth_bps == 100e6
    assert link.rtt_s == pytest.approx(0.020)
    assert link.bytes_per_second == 12.5e6
    assert link.describe() == "100mbit,20ms"
    assert LinkSpec.parse("20ms, 1gbit").describe() == "1gbit,20ms"
    assert LinkSpec.parse("10mbps").bandwidth_bps == 80e6  # tc: bps = bytes per second
    assert LinkSpec.parse("500us").rtt_s == pytest.approx(0.0005)
    assert LinkSpec.parse("unlimited").unlimited
    assert LinkSpec.parse("").describe() == "unlimited"
    assert LinkSpec.parse("8kibit").bandwidth_bps == 8192
    assert link.transfer_time(12_500_000) == pytest.approx(1.0)
    report = link.as_dict()
    assert report["spec"] == "100mbit,20ms"
    assert report["rtt_ms"] == pytest.approx(20)


@pytest.mark.parametrize("bad", ["fast", "100 parsecs", "0mbit", "10mbit,20mbit", "1mbit;2ms"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(InvalidInput):
        LinkSpec.parse(bad)


class _Body(httpx.AsyncByteStream):
    def __init__(self, size: int) -> None:
        self.size = size

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        left = self.size
        while left:
            n = min(left, 65536)
            left -= n
            yield b"x" * n


def _server(size: int) -> httpx.MockTransport:
    """Streams like a real transport does (no pre-read bodies either way)."""

    async def handler(request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        received = 0
        async for chunk in request.stream:
            received += len(chunk)
        return httpx.Response(200, stream=_Body(size), headers={"x-up": str(received)})

    return httpx.MockTransport(handler)


async def test_rtt_per_request_and_connection_setup() -> None:
    link = LinkSpec(rtt_s=0.05)
    transport = ShapedTransport(link, _server(10))
    async with httpx.AsyncClient(transport=transport) as client:
        start = time.monotonic()
        await client.get("http://registry.test/a")
        first = time.monotonic() - start
        start = time.monotonic()
        await client.get("http://registry.test/b", headers={"Range": "bytes=0-1"})
        second = time.monotonic() - start
    # The first request opens a connection (one more RTT); the second reuses it.
    assert first >= 0.1
    assert 0.05 <= second < first
    assert transport.stats.requests == 2
    assert transport.stats.connections == 1
    assert transport.stats.range_requests == 1


async def test_bandwidth_is_shared_between_concurrent_requests() -> None:
    rate = 400_000.0  # bytes per second
    size = 200_000
    link = LinkSpec(bandwidth_bps=rate * 8)
    transport = ShapedTransport(link, _server(size))
    burst = TokenBucket(rate).burst
    async with httpx.AsyncClient(transport=transport) as client:
        start = time.monotonic()
        one = await client.get("http://registry.test/one")
        single = time.monotonic() - start
        start = time.monotonic()
        both = await asyncio.gather(*(client.get(f"http://registry.test/{i}") for i in range(2)))
        double = time.monotonic() - start
    assert len(one.content) == size
    assert all(len(r.content) == size for r in both)
    assert single >= (size - burst) / rate
    assert double >= (2 * size - burst) / rate
    assert transport.stats.bytes_down == 3 * size
    # Two concurrent requests on a fresh pool need a second connection.
    assert transport.stats.connections == 2


async def test_uploads_are_shaped_and_counted() -> None:
    rate = 500_000.0
    transport = ShapedTransport(LinkSpec(bandwidth_bps=rate * 8), _server(0))
    payload = b"y" * 250_000
    async with httpx.AsyncClient(transport=transport) as client:
        start = time.monotonic()
        response = await client.put("http://registry.test/up", content=payload)
        elapsed = time.monotonic() - start
    assert response.headers["x-up"] == str(len(payload))
    assert transport.stats.bytes_up == len(payload)
    assert elapsed >= (len(payload) - TokenBucket(rate).burst) / rate


async def test_unlimited_link_passes_through() -> None:
    transport = ShapedTransport(LinkSpec(), _server(1000))
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get("http://registry.test/")
    assert response.content == b"x" * 1000
    assert transport.stats.bytes_down == 1000
