"""The FUSE helper's wait on the FUSE device: ending a wait in the loop iteration in which the
device also became readable (the owner's "stop" or SIGTERM arriving while the kernel still
sends requests) must not set the result of a finished future."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from pyfuse3.asyncio import ClosedResourceError

from core.pull import _fusechild


@pytest.fixture
def fuse_asyncio() -> Iterator[Any]:
    assert _fusechild._import_fuse() is None, "pyfuse3 is installed by .ci/setup"
    import pyfuse3.asyncio as module

    saved = (module.wait_readable, module.notify_closing)
    yield module
    module.wait_readable, module.notify_closing = saved


def _close_while_readable(
    wait_readable: Callable[[int], Awaitable[None]], notify_closing: Callable[[int], None]
) -> tuple[list[dict[str, Any]], BaseException | None]:
    """End a wait on a readable fd from a callback queued ahead of the fd's reader: what the
    loop reported, and how the wait ended."""
    errors: list[dict[str, Any]] = []
    ended: list[BaseException | None] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        a, b = socket.socketpair()
        with a, b:
            b.send(b"x")  # the device has a request waiting

            async def waiter() -> None:
                # Runs in the next iteration, before the reader that iteration's poll queues.
                loop.call_soon(notify_closing, a.fileno())
                await wait_readable(a.fileno())

            try:
                await waiter()
                ended.append(None)
            except ClosedResourceError as exc:
                ended.append(exc)
            for _ in range(3):  # let the loop run what the wait left queued
                await asyncio.sleep(0)

    asyncio.run(scenario())
    return errors, ended[0]


def test_pyfuse3s_own_wait_shows_the_race(fuse_asyncio: Any) -> None:
    """The oracle: pyfuse3's asyncio layer as shipped reports InvalidStateError here (if a
    pyfuse3 release fixes it, the helper's replacement can go)."""
    errors, ended = _close_while_readable(fuse_asyncio.wait_readable, fuse_asyncio.notify_closing)
    assert isinstance(ended, fuse_asyncio.ClosedResourceError)
    assert any(isinstance(e.get("exception"), asyncio.InvalidStateError) for e in errors), errors


def test_the_helpers_wait_ends_quietly(fuse_asyncio: Any) -> None:
    _fusechild._enable_asyncio()
    errors, ended = _close_while_readable(fuse_asyncio.wait_readable, fuse_asyncio.notify_closing)
    assert isinstance(ended, fuse_asyncio.ClosedResourceError)
    assert errors == []


def test_the_helpers_wait_returns_when_readable_and_cancels_cleanly(fuse_asyncio: Any) -> None:
    _fusechild._enable_asyncio()
    wait = fuse_asyncio.wait_readable
    errors: list[dict[str, Any]] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        a, b = socket.socketpair()
        with a, b:
            pending = asyncio.ensure_future(wait(a.fileno()))
            await asyncio.sleep(0)
            assert not pending.done()
            b.send(b"x")
            await asyncio.wait_for(pending, 60)
            # Cancelled in the iteration in which the fd is readable: no late set_result.
            again = asyncio.ensure_future(wait(a.fileno()))
            await asyncio.sleep(0)
            loop.call_soon(again.cancel)
            await asyncio.wait([again])
            assert again.cancelled()
            for _ in range(3):
                await asyncio.sleep(0)
            assert _fusechild._read_futures == {}

    asyncio.run(scenario())
    assert errors == []
