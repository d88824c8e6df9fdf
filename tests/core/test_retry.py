"""The one retry policy every HTTP client in core follows."""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime, timedelta

import pytest

from core import RetryPolicy
from core._retry import parse_retry_after


def test_backoff_is_full_jitter_under_a_doubling_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    rng = random.Random(1)
    for attempt, cap in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)):
        waits = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0 <= w <= cap for w in waits)
        assert max(waits) > cap * 0.9  # the whole range is used
        assert min(waits) < cap * 0.1


def test_next_wait_stops_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.next_wait(1, 0.0) is not None
    assert policy.next_wait(2, 0.0) is not None
    assert policy.next_wait(3, 0.0) is None
    assert RetryPolicy.none().next_wait(1, 0.0) is None


def test_retry_after_is_honoured_and_ends_retries_beyond_the_budget() -> None:
    policy = RetryPolicy(max_attempts=5, max_delay=1.0, max_total=60.0)
    assert policy.next_wait(1, 0.0, retry_after=30.0) == 30.0  # not cut to max_delay
    assert policy.next_wait(1, 40.0, retry_after=30.0) is None  # 70 s > 60 s budget
    assert policy.next_wait(1, 0.0, retry_after=3600.0) is None
    assert policy.next_wait(1, 0.0, retry_after=-5.0) == 0.0


def test_parse_retry_after() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    later = datetime.now(UTC) + timedelta(seconds=120)
    seconds = parse_retry_after(email.utils.format_datetime(later, usegmt=True))
    assert seconds == pytest.approx(120, abs=5)
    past = email.utils.format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(past) == 0.0
