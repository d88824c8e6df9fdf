"""Link shaping: make a loopback registry behave like a real network link.

:class:`LinkSpec` parses specs such as ``"100mbit,20ms"`` (tc-style units: ``bit``,
``kbit``, ``mbit``, ``gbit`` are bits per second, ``bps``, ``kbps``, ``mbps`` bytes per
second, IEC ``kibit``/``mibit`` accepted; times in ``us``, ``ms`` or ``s``; ``unlimited`` or an
omitted part means no limit).

:class:`ShapedTransport` wraps any ``httpx.AsyncBaseTransport``:

* **RTT**: each request waits half a round trip before it reaches the inner transport and
  the other half before its response headers are returned. A request that needs a new
  connection (more requests in flight than ever before on this link, the way a pool grows)
  pays ``connection_setup_rtts`` more round trips (TCP handshake; add one for TLS).
* **Bandwidth**: response bodies (download direction) and request bodies (upload direction)
  pass through token buckets shared by every request on the link, so concurrent transfers
  share the bandwidth the way they share a real link. Buckets refill at the link rate; the
  burst is one bandwidth-delay product (at least 20 ms of traffic).

:class:`LinkStats` counts requests, connections and bytes both ways; ``as_dict()`` of the
spec goes into every report that used the link.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import InvalidInput

__all__ = ["LinkSpec", "LinkStats", "ShapedTransport", "TokenBucket"]

_RATE_UNITS: dict[str, float] = {
    "bit": 1,
    "kbit": 1e3,
    "mbit": 1e6,
    "gbit": 1e9,
    "tbit": 1e12,
    "kibit": 1024,
    "mibit": 1024**2,
    "gibit": 1024**3,
    "bps": 8,
    "kbps": 8e3,
    "mbps": 8e6,
    "gbps": 8e9,
    "kibps": 8 * 1024,
    "mibps": 8 * 1024**2,
    "gibps": 8 * 1024**3,
}
_TIME_UNITS: dict[str, float] = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
_TOKEN = re.compile(r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+)\s*$")
_PIECE = 32 * 1024


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A network link: bandwidth in bits per second (``None`` = unlimited) and RTT.

    ``connection_setup_rtts`` is what opening a connection costs (1 = TCP handshake).
    """

    bandwidth_bps: float | None = None
    rtt_s: float = 0.0
    connection_setup_rtts: int = 1

    @classmethod
    def parse(cls, spec: str) -> LinkSpec:
        """Parse ``"100mbit,20ms"``, ``"1gbit"``, ``"50ms"``, ``"unlimited"``, ``""``."""
        bandwidth: float | None = None
        rtt = 0.0
        seen_rate = seen_rtt = False
        for raw in spec.lower().split(","):
            token = raw.strip()
            if token in ("", "unlimited", "none", "local"):
                continue
            m = _TOKEN.match(token)
            if m is None:
                raise InvalidInput(f"cannot parse link spec part {raw.strip()!r} in {spec!r}")
            num, unit = float(m["num"]), m["unit"]
            if unit in _RATE_UNITS and not seen_rate:
                if num <= 0:
                    raise InvalidInput(f"link bandwidth must be positive in {spec!r}")
                bandwidth = num * _RATE_UNITS[unit]
                seen_rate = True
            elif unit in _TIME_UNITS and not seen_rtt:
                rtt = num * _TIME_UNITS[unit]
                seen_rtt = True
            else:
                raise InvalidInput(f"unknown or repeated unit {unit!r} in link spec {spec!r}")
        return cls(bandwidth_bps=bandwidth, rtt_s=rtt)

    @property
    def bytes_per_second(self) -> float | None:
        return None if self.bandwidth_bps is None else self.bandwidth_bps / 8

    @property
    def unlimited(self) -> bool:
        return self.bandwidth_bps is None and self.rtt_s == 0

    def describe(self) -> str:
        """The canonical spec string (``"100mbit,20ms"``)."""
        parts: list[str] = []
        if self.bandwidth_bps is not None:
            bps = self.bandwidth_bps
            for unit, factor in (("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3)):
                if bps >= factor:
                    parts.append(f"{bps / factor:g}{unit}")
                    break
            else:
                parts.append(f"{bps:g}bit")
        if self.rtt_s:
            parts.append(f"{self.rtt_s * 1e3:g}ms")
        return ",".join(parts) or "unlimited"

    def transfer_time(self, nbytes: int) -> float:
        """Seconds ``nbytes`` take at the link rate (0 when unlimited)."""
        rate = self.bytes_per_second
        return 0.0 if rate is None else nbytes / rate

    def as_dict(self) -> dict[str, Any]:
        return {
            "spec": self.describe(),
            "bandwidth_bps": self.bandwidth_bps,
            "rtt_ms": self.rtt_s * 1e3,
            "connection_setup_rtts": self.connection_setup_rtts,
            "model": "token bucket shared by all requests on the link, per direction; "
            "one RTT per request, plus connection_setup_rtts per new connection",
        }


@dataclass(slots=True)
class LinkStats:
    """Traffic seen by one :class:`ShapedTransport` (cumulative; take deltas per phase)."""

    requests: int = 0
    connections: int = 0
    bytes_down: int = 0
    bytes_up: int = 0
    range_requests: int = 0
    in_flight: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "connections": self.connections,
            "bytes_down": self.bytes_down,
            "bytes_up": self.bytes_up,
            "range_requests": self.range_requests,
        }


class TokenBucket:
    """A token bucket (bytes) shared by concurrent transfers; waiters are served in order."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise InvalidInput("token bucket rate must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else max(64 * 1024, rate * 0.005)
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._lock: asyncio.Lock | None = None

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def consume(self, nbytes: int) -> None:
        """Wait until ``nbytes`` may pass."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            self._refill()
            self._tokens -= nbytes
            if self._tokens < 0:
                await asyncio.sleep(-self._tokens / self.rate)
                self._refill()


class _ShapedBody(httpx.AsyncByteStream):
    def __init__(
        self,
        inner: httpx.AsyncByteStream,
        bucket: TokenBucket | None,
        stats: LinkStats,
        *,
        upload: bool,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._inner = inner
        self._bucket = bucket
        self._stats = stats
        self._upload = upload
        self._on_close = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            for start in range(0, len(chunk), _PIECE):
                piece = chunk[start : start + _PIECE]
                if self._bucket is not None:
                    await self._bucket.consume(len(piece))
                if self._upload:
                    self._stats.bytes_up += len(piece)
                else:
                    self._stats.bytes_down += len(piece)
                yield piece

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if self._on_close is not None:
                self._on_close()
                self._on_close = None


class ShapedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that delays and paces traffic per :class:`LinkSpec`.

    ``inner`` does the real work (``httpx.AsyncHTTPTransport()`` by default). Share one
    instance between every client that should share the link.
    """

    def __init__(
        self,
        link: LinkSpec,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.link = link
        self.inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.stats = LinkStats()
        rate = link.bytes_per_second
        # The burst is one bandwidth-delay product (at least 20 ms of traffic): what a real
        # link buffers in flight, and enough to absorb this process's own per-chunk work.
        burst = None if rate is None else max(64 * 1024, rate * max(link.rtt_s, 0.02))
        self._down = TokenBucket(rate, burst) if rate is not None else None
        self._up = TokenBucket(rate, burst) if rate is not None else None
        self._pool_size = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        stats = self.stats
        stats.requests += 1
        if "range" in request.headers:
            stats.range_requests += 1
        # A connection stays busy until its response body is closed.
        stats.in_flight += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                stats.in_flight -= 1

        try:
            delay = self.link.rtt_s / 2
            if stats.in_flight > self._pool_size:
                self._pool_size = stats.in_flight
                stats.connections += 1
                delay += self.link.rtt_s * self.link.connection_setup_rtts
            if isinstance(request.stream, httpx.AsyncByteStream):
                request.stream = _ShapedBody(request.stream, self._up, stats, upload=True)
            if delay:
                await asyncio.sleep(delay)
            response = await self.inner.handle_async_request(request)
            if self.link.rtt_s:
                await asyncio.sleep(self.link.rtt_s / 2)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ShapedBody(
            response.stream, self._down, stats, upload=False, on_close=release
        )
        # The body must come through the link: the connection's own stream is hidden, else
        # a client reading bodies past the HTTP parser (core.registry's blob downloads) would
        # take it from there, neither paced nor counted.
        response.extensions = {
            k: v for k, v in response.extensions.items() if k != "network_stream"
        }
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
