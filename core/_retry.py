"""Bounded retries with exponential backoff and full jitter, shared by every HTTP client in
core (the registry client and the Alibaba Cloud API clients)."""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying a request again.

    A request is tried up to ``max_attempts`` times in all and within ``max_total`` seconds of
    the first try. The wait after failed try *n* (1-based) is uniform in
    ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full jitter", which spreads a crowd of
    clients best); a server's ``Retry-After`` is honoured instead, and ends the retries when it
    is longer than the time left. Which failures are worth another try is the client's call:
    the registry client retries connection errors, interrupted bodies and the ``statuses``; the
    cloud clients retry throttling, and server errors only for idempotent requests.

    ``sleep`` waits (tests pass one that records the delays and returns at once).
    """

    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_total: float = 120.0
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 500, 502, 503, 504}))
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The jittered wait after failed try number ``attempt`` (1-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return (rng or random).uniform(0, cap)

    def next_wait(
        self, attempt: int, elapsed: float, retry_after: float | None = None
    ) -> float | None:
        """The wait before another try after try ``attempt`` (1-based) failed ``elapsed``
        seconds after the first began; ``None`` when the policy says to stop."""
        if attempt >= self.max_attempts:
            return None
        delay = self.backoff(attempt) if retry_after is None else max(0.0, retry_after)
        if elapsed + delay > self.max_total:
            return None
        return delay

    @classmethod
    def none(cls) -> RetryPolicy:
        """No retries at all (tests, or callers that retry themselves)."""
        return cls(max_attempts=1)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.datetime.now(tz=when.tzinfo or datetime.UTC)
    return max(0.0, (when - now).total_seconds())
