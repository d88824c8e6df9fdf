"""Spare FUSE helpers: every helper's process is reaped and its socket closed on every path
(own loop, another loop's spare, a start cancelled half-way, a loop that ends with a spare or
a start still pending), and one event loop never touches another loop's spare."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable, Iterator

import pytest

from core.pull import _mount
from core.pull._mount import (
    _Helper,
    _take_helper,
    close_mount_helpers,
    fuse_available,
    prewarm_mount_helper,
)
from tests.fixtures.timing import wait_until


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_Helper]]:
    """Every `_Helper` created while the test runs (spares and mount helpers alike)."""
    assert fuse_available() is None, fuse_available()
    created: list[_Helper] = []
    original = _Helper.__init__

    def record(self: _Helper, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        created.append(self)

    monkeypatch.setattr(_Helper, "__init__", record)
    yield created
    assert _mount._spares == {}, "a spare outlived its test"


def _process_gone(pid: int) -> bool:
    """Reaped: no process, not even a zombie, has this pid (as our child)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return True
    # A recycled pid belongs to someone else's process (not our child).
    return int(fields[1]) != os.getpid()


async def _until(condition: Callable[[], bool], limit: float = 30) -> None:
    await wait_until(condition, limit, "the helpers are released")


def _released(helper: _Helper) -> bool:
    return (
        helper.proc.returncode is not None
        and _process_gone(helper.proc.pid)
        and helper.writer.transport.is_closing()
        and helper.sock.fileno() == -1
    )


def assert_released(helper: _Helper) -> None:
    assert helper.proc.returncode is not None, "helper process not reaped"
    assert _process_gone(helper.proc.pid)
    assert helper.writer.transport.is_closing(), "helper socket left open"
    assert helper.sock.fileno() == -1, "helper socket left open"


async def test_prewarm_take_and_close_on_one_loop(helpers: list[_Helper]) -> None:
    await prewarm_mount_helper()
    await prewarm_mount_helper()  # keeps the one spare
    assert len(helpers) == 1
    spare = helpers[0]
    assert spare.alive
    assert spare.guard is not None
    taken = await _take_helper()
    assert taken is spare
    await asyncio.sleep(0)
    assert spare.guard.cancelled() or spare.guard.done()
    assert taken.alive, "a spare taken for a mount must not be killed by its guard"
    await taken.kill()
    await prewarm_mount_helper()
    await close_mount_helpers()
    assert len(helpers) == 2
    for helper in helpers:
        assert_released(helper)


async def test_a_dead_spare_is_cleaned_up_and_replaced(helpers: list[_Helper]) -> None:
    await prewarm_mount_helper()
    first = helpers[0]
    first.proc.kill()
    await first.proc.wait()
    # its guard notices (however long a busy machine takes to run it)
    await _until(lambda: _released(first) and _mount._spares == {})
    assert_released(first)
    await prewarm_mount_helper()
    await close_mount_helpers()
    assert len(helpers) == 2
    for helper in helpers:
        assert_released(helper)


async def test_cancelled_start_leaves_nothing(helpers: list[_Helper]) -> None:
    task = asyncio.ensure_future(prewarm_mount_helper())
    # Cancel once the process exists and the socket is open, before its greeting.
    await _until(lambda: bool(helpers))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_released(helpers[0])
    assert _mount._spares == {}


async def test_close_stops_a_spare_still_being_started(helpers: list[_Helper]) -> None:
    """As a mount's ``keep_warm`` leaves a start running in the background."""
    task = asyncio.ensure_future(_mount._keep_spare())
    _mount._background.add(task)
    task.add_done_callback(_mount._background.discard)
    await _until(lambda: bool(helpers))
    await close_mount_helpers()
    assert task.done()
    assert_released(helpers[0])


def test_a_loop_ending_with_a_spare_or_a_pending_start_releases_them(
    helpers: list[_Helper],
) -> None:
    """No close_mount_helpers: ``asyncio.run`` cancels the guard (and the pending start)."""

    async def left_behind() -> None:
        await prewarm_mount_helper()

    asyncio.run(left_behind())
    assert len(helpers) == 1
    assert_released(helpers[0])

    pending: list[asyncio.Future[None]] = []

    async def pending_start() -> None:
        pending.append(asyncio.ensure_future(prewarm_mount_helper()))
        await _until(lambda: len(helpers) >= 2)

    asyncio.run(pending_start())
    assert len(helpers) == 2
    assert_released(helpers[1])
    gc.collect()


def test_loops_in_two_threads_keep_their_own_spares(helpers: list[_Helper]) -> None:
    """Two Local servers in one process (each in a thread with its own loop): the second's
    spare must not replace, kill or leak the first's."""
    first_ready = threading.Event()
    second_done = threading.Event()
    errors: list[Exception] = []

    def first() -> None:
        async def main() -> None:
            await prewarm_mount_helper()
            mine = _mount._spares[asyncio.get_running_loop()]
            first_ready.set()
            await asyncio.to_thread(second_done.wait, 60)
            assert mine.alive, "another loop killed this loop's spare"
            assert _mount._spares.get(asyncio.get_running_loop()) is mine
            await close_mount_helpers()

        try:
            asyncio.run(main())
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def second() -> None:
        async def main() -> None:
            await prewarm_mount_helper()
            await close_mount_helpers()

        try:
            first_ready.wait(60)
            asyncio.run(main())
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(helpers) == 2
    for helper in helpers:
        assert_released(helper)
    gc.collect()
