"""Bounded retries with exponential backoff and full jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying a request again.

    Connection errors, the ``statuses`` (5xx, 429) and interrupted bodies are retried up to
    ``max_attempts`` tries in all and within ``max_total`` seconds from the first try. The wait
    before try *n* is uniform in ``[0, min(max_delay, base_delay * 2**(n-2))]``; a
    ``Retry-After`` header is honoured instead (and ends the retries when it is longer than
    the time left).
    """

    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_total: float = 120.0
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 500, 502, 503, 504}))

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return (rng or random).uniform(0, cap)

    @classmethod
    def none(cls) -> RetryPolicy:
        """No retries at all (tests, or callers that retry themselves)."""
        return cls(max_attempts=1)
