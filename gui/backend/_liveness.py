"""Long calls without a fixed ceiling: they run as long as the server shows signs of progress.

A cold start over a slow link, or a function that computes for minutes, answers one HTTP
request only at the end. A fixed read timeout gives up on it although all is well; no timeout
at all waits forever for a server that died. `call_while_alive` waits for a call as long as
``last_sign()`` keeps moving (the Local server's ``coldstart.*`` and ``invocation.heartbeat``
events), and gives up only after `SILENCE_S` seconds without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from core.errors import TransportTimeout

__all__ = [
    "CLOUD_INVOKE_MARGIN_S",
    "LIVE_EVENT_TYPES",
    "SILENCE_S",
    "call_while_alive",
    "invoke_timeout",
]

T = TypeVar("T")

#: Without a sign of progress for this long, a call is taken as stuck (the Local server
#: sends a heartbeat every 2 s while an invocation runs).
SILENCE_S = 60.0
#: A synchronous invocation on Alibaba Cloud lasts at most the function's timeout; this is
#: added for the cold start and the network.
CLOUD_INVOKE_MARGIN_S = 120.0
#: The Local server's events that show an invocation (and its cold start) alive.
LIVE_EVENT_TYPES = (
    "instance.starting",
    "instance.started",
    "coldstart.progress",
    "coldstart.phase",
    "invocation.heartbeat",
    "invocation.finished",
)


def invoke_timeout(function_timeout_s: float | None) -> httpx.Timeout:
    """The HTTP timeout of a synchronous invocation: the read may last as long as the
    function may run (FC's maximum when unknown), never the client's 30 s."""
    limit = (function_timeout_s or 86400.0) + CLOUD_INVOKE_MARGIN_S
    return httpx.Timeout(limit, connect=10.0)


async def call_while_alive(
    call: Awaitable[T],
    last_sign: Callable[[], float],
    *,
    what: str,
    silence_s: float = SILENCE_S,
    poll_s: float = 1.0,
) -> T:
    """Await ``call`` while ``last_sign()`` (a `time.monotonic` value) is less than
    ``silence_s`` seconds old; otherwise cancel it and raise `TransportTimeout`.
    Cancelling the caller cancels ``call``."""
    task = asyncio.ensure_future(call)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=poll_s)
            if done:
                return task.result()
            silent = time.monotonic() - last_sign()
            if silent > silence_s:
                raise TransportTimeout(
                    f"{what}: no sign of progress from the server for {silent:.0f} s",
                    code="NoProgress",
                    silent_s=round(silent, 1),
                )
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
